use palisade_diagnostics::Finding;

use super::{script_finding, scripts};
use crate::context::ScanContext;
use crate::rule::{Rule, RuleMeta, declare_rule};

declare_rule! {
    /// ## What it does
    /// Finds lifecycle scripts that decode an encoded payload: `base64 -d`,
    /// `xxd -r`, PowerShell `-EncodedCommand`/`FromBase64String`.
    ///
    /// ## Why is this bad?
    /// Encoding a command in a script line has one purpose: hiding what runs
    /// from the person reading `package.json`.
    ///
    /// ## Example
    /// ```json
    /// "scripts": { "postinstall": "echo Y3VybCAuLi4= | base64 -d | sh" }
    /// ```
    ///
    /// ## References
    /// - MITRE ATT&CK T1140 (Deobfuscate/Decode Files or Information).
    InstallScriptEncodedPayload {
        id: "manifest/install-script-encoded-payload",
        severity: Critical,
        status: Stable,
        summary: "A lifecycle script decodes a hidden payload",
    }
}

impl Rule for InstallScriptEncodedPayload {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &ScanContext<'_>, out: &mut Vec<Finding>) {
        for (s, t) in scripts(ctx) {
            if t.decodes {
                out.push(script_finding(
                    ctx,
                    Self::META.id,
                    Self::META.severity,
                    s,
                    format!(
                        "`{}` script decodes a hidden payload: `{}`",
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
        Tester::new(&InstallScriptEncodedPayload::META).test(
            &[
                Case::Manifest(r#"{"name":"a","scripts":{"postinstall":"echo ZWNobyBoaQ== | base64 -d | sh"}}"#),
                Case::Manifest(r#"{"name":"a","scripts":{"preinstall":"powershell -EncodedCommand ZQBjAGgAbwA="}}"#),
            ],
            &[
                Case::Manifest(r#"{"name":"a","scripts":{"postinstall":"node build.js --base64"}}"#),
                Case::Manifest(r#"{"name":"a","scripts":{"build":"base64 -d x > y"}}"#),
            ],
        );
    }
}
