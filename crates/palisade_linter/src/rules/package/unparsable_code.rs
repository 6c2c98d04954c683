use palisade_diagnostics::{Finding, Location, Severity};

use crate::context::ScanContext;
use crate::rule::{Rule, RuleMeta, declare_rule};

declare_rule! {
    /// ## What it does
    /// Reports JavaScript files the parser could not read. They are still
    /// analysed, as text, with coarser checks.
    ///
    /// ## Why is this bad?
    /// Honest published code parses. Malware is sometimes broken on purpose so
    /// that AST-based scanners see an empty file while the part Node executes
    /// before the error still runs. It matters most in code run at install.
    ///
    /// ## Example
    /// `install.js` that ends in an unterminated template after its payload.
    ///
    /// ## References
    /// - oxc returns an empty program on unrecoverable syntax errors.
    UnparsableCode {
        id: "package/unparsable-code",
        severity: Low,
        status: Stable,
        summary: "A code file does not parse; it was analysed as text",
    }
}

impl Rule for UnparsableCode {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &ScanContext<'_>, out: &mut Vec<Finding>) {
        for file in ctx.code_files {
            let Some(err) = &file.parse_error else {
                continue;
            };
            let severity = if file.install_time {
                Severity::Medium
            } else {
                Severity::Low
            };
            out.push(
                Finding::new(
                    Self::META.id,
                    severity,
                    format!("`{}` does not parse ({err}); analysed as text", file.path),
                )
                .with_location(Location::file(file.path.clone()))
                .at_install_time(file.install_time),
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
        Tester::new(&UnparsableCode::META).test(
            &[Case::InstallJs("const a = {{{ require('https');")],
            &[
                Case::Js("const a = { b: 1 };"),
                Case::Files(&[("README.md", "{{{")]),
            ],
        );
    }
}
