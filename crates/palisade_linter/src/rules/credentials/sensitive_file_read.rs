use std::collections::HashSet;

use palisade_diagnostics::{Finding, Severity};

use crate::classify;
use crate::context::{self, ScanContext};
use crate::rule::{Rule, RuleMeta, declare_rule};

declare_rule! {
    /// ## What it does
    /// Finds code that reads, or names as a path, a credential store: SSH
    /// keys, cloud CLI credentials, the user's `.npmrc`, `.git-credentials`,
    /// browser login and cookie databases, cryptocurrency wallets, shell
    /// history. Browser and wallet data, and anything read at install, weigh
    /// more.
    ///
    /// ## Why is this bad?
    /// Stealers walk these paths. SDKs of the matching service read their own
    /// credential file (an AWS SDK reads `~/.aws/credentials`), which is why a
    /// read alone is context and the sending of it is what the
    /// `exfil/secrets-to-network` rule judges.
    ///
    /// ## Example
    /// ```js
    /// const wallets = path.join(home, 'AppData/Roaming/Exodus/exodus.wallet');
    /// ```
    ///
    /// ## References
    /// - MITRE ATT&CK T1552.001 (Credentials In Files), T1555.003 (Credentials from Web Browsers).
    SensitiveFileRead {
        id: "credentials/sensitive-file-read",
        severity: Medium,
        status: Stable,
        summary: "The code reads credential stores (SSH keys, cloud credentials, browser or wallet data)",
    }
}

impl Rule for SensitiveFileRead {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &ScanContext<'_>, out: &mut Vec<Finding>) {
        let mut seen = HashSet::new();
        for p in &ctx.facts.paths {
            let Some((category, true)) = classify::sensitive_path(&p.path) else {
                continue;
            };
            // A package's own `.npmrc`/`.yarnrc` is project configuration.
            if category == "npmrc"
                && !(p.path.contains('~') || p.path.contains("HOME") || p.path.starts_with('/'))
            {
                continue;
            }
            if !seen.insert((category, p.at.location.path.clone())) {
                continue;
            }
            // Browser and wallet paths are what stealers go after; in a test
            // module (not run at install or import) they are usually fixtures.
            let stealer_target = matches!(category, "browser-profile" | "wallet")
                && !context::is_test_path(&p.at.location.path);
            let severity = if stealer_target || p.at.install_time {
                Severity::High
            } else {
                Severity::Medium
            };
            out.push(
                ctx.at(
                    Finding::new(
                        Self::META.id,
                        severity,
                        format!("reads {category} data: `{}`", p.path),
                    ),
                    &p.at.location,
                )
                .at_install_time(p.at.install_time)
                .with_capability("credential-access"),
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
        Tester::new(&SensitiveFileRead::META).test(
            &[
                Case::Js("const fs = require('fs'), os = require('os');\nfs.readFileSync(os.homedir() + '/.ssh/id_rsa');"),
                Case::Js("const p = [process.env.APPDATA, 'Exodus/exodus.wallet'].join('/');\nfs.readdirSync(p);"),
                // A browser path in a test module is medium, not high.
                Case::Files(&[
                    ("package.json", r#"{"name":"fixture","version":"1.0.0"}"#),
                    ("tests/profile.test.js", "fs.readFileSync('Google/Chrome/User Data/Default/Cookies');"),
                ]),
            ],
            &[
                Case::Js("fs.readFileSync('./config.json');"),
                Case::Js("const rc = fs.readFileSync('.npmrc', 'utf8');"),
            ],
        );
    }
}
