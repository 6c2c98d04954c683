//! The rule framework: one rule per file, declared with [`declare_rule!`].

use palisade_diagnostics::{Finding, RuleStatus, Severity};

use crate::context::ScanContext;

/// What a rule says about itself; `palisade rules` and `palisade rule <id>`
/// print this.
#[derive(Debug, Clone, Copy)]
pub struct RuleMeta {
    /// `category/kebab-name`.
    pub id: &'static str,
    /// The default severity of its findings (a finding may go lower when the
    /// evidence is weaker, or higher when it runs at install time).
    pub severity: Severity,
    pub status: RuleStatus,
    /// One line.
    pub summary: &'static str,
    /// The full documentation, with the fixed sections `## What it does`,
    /// `## Why is this bad?`, `## Example`, `## References`.
    pub doc: &'static str,
}

impl RuleMeta {
    pub fn category(&self) -> &'static str {
        self.id.split_once('/').map_or(self.id, |(c, _)| c)
    }
}

/// A detection rule: reads a package's facts and files, adds findings.
pub trait Rule: Send + Sync {
    fn meta(&self) -> &'static RuleMeta;
    fn check(&self, ctx: &ScanContext<'_>, out: &mut Vec<Finding>);
}

/// Declares a rule struct with its metadata; the doc comment becomes the
/// rule's documentation.
macro_rules! declare_rule {
    (
        $(#[doc = $doc:literal])+
        $name:ident {
            id: $id:literal,
            severity: $severity:ident,
            status: $status:ident,
            summary: $summary:literal $(,)?
        }
    ) => {
        $(#[doc = $doc])+
        #[derive(Debug, Default, Clone, Copy)]
        pub struct $name;

        impl $name {
            pub const META: $crate::rule::RuleMeta = $crate::rule::RuleMeta {
                id: $id,
                severity: palisade_diagnostics::Severity::$severity,
                status: palisade_diagnostics::RuleStatus::$status,
                summary: $summary,
                doc: concat!($($doc, "\n"),+),
            };

            /// A finding of this rule at its default severity.
            #[allow(dead_code, reason = "not every rule builds findings at its default severity")]
            pub(crate) fn finding(message: impl Into<String>) -> palisade_diagnostics::Finding {
                palisade_diagnostics::Finding::new($id, palisade_diagnostics::Severity::$severity, message)
            }
        }
    };
}
pub(crate) use declare_rule;
