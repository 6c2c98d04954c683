//! `diff/no-previous-version`: built by the callers that look the previous
//! version up (`palisade scan`), not by a change.

use palisade_diagnostics::Finding;

use crate::diff::Change;
use crate::diff::rules::{DiffContext, DiffRule};
use crate::rule::{RuleMeta, declare_rule};

declare_rule! {
    /// ## What it does
    /// Says that a package version could not be compared with the version
    /// before it: it is the first version, the previous one is not
    /// published any more, or the registry could not be reached. Info.
    ///
    /// ## Why is this bad?
    /// It is not; it says what the report does not cover. Without a previous
    /// version there is no diff, and a first version deserves a closer read.
    ///
    /// ## Example
    /// ```text
    /// info diff/no-previous-version: `m@1.0.0` has no earlier published version to compare with
    /// ```
    ///
    /// ## References
    /// - palisade issue 5: the version diff.
    NoPreviousVersion {
        id: "diff/no-previous-version",
        severity: Info,
        status: Stable,
        summary: "The package could not be compared with its previous version",
    }
}

impl NoPreviousVersion {
    /// The finding for `name@version`, with the reason.
    pub fn report(name: &str, version: &str, reason: &str) -> Finding {
        Self::finding(format!(
            "`{name}@{version}` was not compared with a previous version: {reason}"
        ))
        .with_capability("version-diff")
    }
}

impl DiffRule for NoPreviousVersion {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, _ctx: &DiffContext<'_>, _change: &Change) -> Option<Finding> {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use palisade_diagnostics::Severity;

    #[test]
    fn finding_names_the_package_and_the_reason() {
        let f = NoPreviousVersion::report("m", "1.0.0", "it is the first published version");
        assert_eq!(f.rule, "diff/no-previous-version");
        assert_eq!(f.severity, Severity::Info);
        assert_eq!(
            f.message,
            "`m@1.0.0` was not compared with a previous version: it is the first published version"
        );
    }
}
