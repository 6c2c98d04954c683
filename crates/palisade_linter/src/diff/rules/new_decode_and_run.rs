use palisade_diagnostics::{Finding, Severity};

use crate::diff::rules::{DiffContext, DiffRule};
use crate::diff::{Capability, Change};
use crate::rule::{RuleMeta, declare_rule};

declare_rule! {
    /// ## What it does
    /// Reports code the new version decodes and then runs (`eval(atob(...))`,
    /// `new Function(Buffer.from(..., 'base64'))`, `vm.runInThisContext` of a
    /// decoded string) in a file where the old version did not. High; critical
    /// when it runs at install time.
    ///
    /// ## Why is this bad?
    /// Decoding a string and running it hides the code from reviewers and
    /// scanners; a release that adds it is hiding what it added.
    ///
    /// ## Example
    /// ```diff
    ///  module.exports = main;
    /// +eval(Buffer.from('Y29uc29sZS5sb2coMSk=', 'base64').toString());
    /// ```
    ///
    /// ## References
    /// - The chalk/debug takeover (September 2025); `event-stream` 3.3.6 (2018).
    NewDecodeAndRun {
        id: "diff/new-decode-and-run",
        severity: High,
        status: Stable,
        summary: "The new version decodes a string and runs it",
    }
}

impl DiffRule for NewDecodeAndRun {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &DiffContext<'_>, change: &Change) -> Option<Finding> {
        let Capability::DecodeRun(d) = &change.capability else {
            return None;
        };
        let severity = if change.install_time {
            Severity::Critical
        } else {
            Severity::High
        };
        let message = format!(
            "{} newly runs a `{}`-decoded string with `{}`{}{}",
            ctx.versions(),
            d.decoder,
            d.sink,
            if change.install_time {
                " at install time"
            } else {
                ""
            },
            ctx.why()
        );
        Some(
            ctx.finding(&Self::META, severity, message, change)
                .with_help(
                    "decode the payload (without running it) and review it before installing",
                ),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diff::tester::{DiffTester, Pair};

    #[test]
    fn rule() {
        DiffTester::new(&NewDecodeAndRun::META).test(
            &[Pair(
                &[
                    ("package.json", r#"{"name":"m","version":"1.0.0"}"#),
                    ("index.js", "module.exports = 1;\n"),
                ],
                &[
                    ("package.json", r#"{"name":"m","version":"1.0.1"}"#),
                    (
                        "index.js",
                        "module.exports = 1;\neval(atob('Y29uc29sZS5sb2coMSk='));\n",
                    ),
                ],
            )],
            &[Pair(
                &[
                    ("package.json", r#"{"name":"m","version":"1.0.0"}"#),
                    ("index.js", "eval(atob('Y29uc29sZS5sb2coMSk='));\n"),
                ],
                &[
                    ("package.json", r#"{"name":"m","version":"1.0.1"}"#),
                    (
                        "index.js",
                        "// same code, moved\n\neval(atob('Y29uc29sZS5sb2coMSk='));\n",
                    ),
                ],
            )],
        );
    }
}
