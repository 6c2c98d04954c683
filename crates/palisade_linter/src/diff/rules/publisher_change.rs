//! `diff/publisher-change`: the new version was published by an account the
//! old version did not list.

use palisade_diagnostics::{Finding, Severity};

use crate::diff::rules::{DiffContext, DiffRule};
use crate::diff::{Capability, Change};
use crate::rule::{RuleMeta, declare_rule};

declare_rule! {
    /// ## What it does
    /// Compares the registry account that published the new version
    /// (`_npmUser` in the full packument) with the old version's publisher
    /// and maintainers. A stranger is medium, high in a quiet release (a
    /// patch or minor bump whose README, description and tools did not
    /// change). A hand-over between people who were already maintainers is
    /// not reported. Needs registry metadata for both versions: `palisade
    /// diff` of two registry specs, `palisade scan` of a registry package,
    /// and `--diff-against` in project scans.
    ///
    /// ## Why is this bad?
    /// A takeover publishes from a new or stolen account: the chalk/debug
    /// hijack, the worms that republish with stolen tokens. A new publisher
    /// on a quiet patch release is the shape of those releases.
    ///
    /// ## Example
    /// ```text
    /// publisher (registry): published by `mallory`, who is not among the previous version's publisher (`alice`) and maintainers
    /// ```
    ///
    /// ## References
    /// - The chalk/debug takeover (September 2025): a phished maintainer account.
    /// - `metadata/publisher-change`: the same question asked of one version and the packument.
    PublisherChange {
        id: "diff/publisher-change",
        severity: Medium,
        status: Stable,
        summary: "The new version was published by an account the old version did not list",
    }
}

impl DiffRule for PublisherChange {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &DiffContext<'_>, change: &Change) -> Option<Finding> {
        let Capability::Publisher { new, .. } = &change.capability else {
            return None;
        };
        let message = format!(
            "{} was published by `{new}`, who did not publish or maintain the previous version{}",
            ctx.versions(),
            ctx.why()
        );
        Some(ctx.finding(&Self::META, ctx.raised(Severity::Medium), message, change))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diff::tester::registry_findings;

    const MANIFEST_OLD: &str = r#"{"name":"m","version":"1.0.0","_npmUser":{"name":"alice","email":"alice@example.invalid"},"maintainers":[{"name":"alice"},{"name":"bob"}],"dist":{"tarball":"http://127.0.0.1:9/m.tgz"}}"#;

    #[test]
    fn a_stranger_publishing_a_quiet_patch_is_high() {
        let new = r#"{"name":"m","version":"1.0.1","_npmUser":{"name":"mallory","email":"m@example.invalid"},"maintainers":[{"name":"mallory"}],"dist":{"tarball":"http://127.0.0.1:9/m.tgz"}}"#;
        let found = registry_findings(MANIFEST_OLD, new, "diff/publisher-change");
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].severity, Severity::High);
        insta::assert_snapshot!(found[0].message, @"1.0.0 → 1.0.1 was published by `mallory`, who did not publish or maintain the previous version (a patch release; docs and tools unchanged)");
    }

    #[test]
    fn a_maintainer_taking_over_is_silent() {
        let new = r#"{"name":"m","version":"1.0.1","_npmUser":{"name":"bob"},"maintainers":[{"name":"bob"}],"dist":{"tarball":"http://127.0.0.1:9/m.tgz"}}"#;
        assert!(registry_findings(MANIFEST_OLD, new, "diff/publisher-change").is_empty());
    }

    #[test]
    fn without_publishers_there_is_nothing_to_compare() {
        // Abbreviated packuments carry no `_npmUser` or maintainers.
        let old = r#"{"name":"m","version":"1.0.0","dist":{"tarball":"http://127.0.0.1:9/m.tgz"}}"#;
        let new = r#"{"name":"m","version":"1.0.1","_npmUser":{"name":"mallory"},"dist":{"tarball":"http://127.0.0.1:9/m.tgz"}}"#;
        assert!(registry_findings(old, new, "diff/publisher-change").is_empty());
    }
}
