use palisade_diagnostics::{Finding, Severity};

use crate::context::ScanContext;
use crate::rule::{Rule, RuleMeta, declare_rule};

declare_rule! {
    /// ## What it does
    /// Finds code that switches off TLS certificate checks:
    /// `process.env.NODE_TLS_REJECT_UNAUTHORIZED = 0` (for the whole
    /// process) or `rejectUnauthorized: false`. High in install-time code,
    /// medium elsewhere (development tools do it for self-signed servers).
    /// Critical when install-time code that does it also saves a network
    /// response to a file: a dropper that accepts any certificate.
    ///
    /// ## Why is this bad?
    /// Anyone on the network path can then impersonate any server. Install
    /// scripts that fetch from throwaway hosts with bad certificates do this
    /// so their download still works.
    ///
    /// ## Example
    /// ```js
    /// process.env['NODE_TLS_REJECT_UNAUTHORIZED'] = 0;
    /// ```
    ///
    /// ## References
    /// - Node.js docs: `NODE_TLS_REJECT_UNAUTHORIZED`.
    TlsVerificationDisabled {
        id: "network/tls-verification-disabled",
        severity: Medium,
        status: Stable,
        summary: "TLS certificate verification is switched off",
    }
}

impl Rule for TlsVerificationDisabled {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &ScanContext<'_>, out: &mut Vec<Finding>) {
        let mut seen = std::collections::HashSet::new();
        for o in ctx.facts.other.iter().filter(|o| o.kind == "tls-disabled") {
            if !seen.insert(o.at.location.path.clone()) {
                continue;
            }
            // At install, in a file that also saves what it downloads: the
            // installer takes a file from whatever answers, certificate or not.
            let drops = o.at.install_time
                && ctx.facts.other.iter().any(|d| {
                    d.kind == "download-to-file"
                        && d.at.install_time
                        && d.at.location.path == o.at.location.path
                });
            let (severity, message) = if drops {
                (
                    Severity::Critical,
                    format!(
                        "switches off TLS certificate checks (`{}`) and saves a download, at install",
                        o.detail
                    ),
                )
            } else if o.at.install_time {
                (
                    Severity::High,
                    format!("switches off TLS certificate checks (`{}`)", o.detail),
                )
            } else {
                (
                    Severity::Medium,
                    format!("switches off TLS certificate checks (`{}`)", o.detail),
                )
            };
            out.push(
                ctx.at(
                    Finding::new(Self::META.id, severity, message),
                    &o.at.location,
                )
                .at_install_time(o.at.install_time)
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
        Tester::new(&TlsVerificationDisabled::META).test(
            &[
                Case::InstallJs("process.env['NODE_TLS_REJECT_UNAUTHORIZED'] = 0;\nrequire('axios').get('https://x.invalid/a');"),
                Case::InstallJs("const fs = require('fs');\nfunction fetchTo(file, url) {\n  const res = require('sync-request')('GET', url);\n  fs.writeFileSync(file, res.getBody());\n}\nprocess.env['NODE_TLS_REJECT_UNAUTHORIZED'] = 0;\nfetchTo('token', 'https://x.invalid/t.php');"),
                Case::Js("https.request({ host: 'x.invalid', rejectUnauthorized: false });"),
            ],
            &[
                Case::Js("https.request({ host: 'x.invalid', rejectUnauthorized: true });"),
                Case::Js("if (process.env.NODE_TLS_REJECT_UNAUTHORIZED === '0') console.warn('insecure');"),
            ],
        );
    }
}
