//! `diff/provenance-removed`: the new version lacks the provenance or the
//! registry signatures the old version had.

use palisade_diagnostics::{Finding, Severity};

use crate::diff::rules::{DiffContext, DiffRule};
use crate::diff::{Capability, Change};
use crate::rule::{RuleMeta, declare_rule};

declare_rule! {
    /// ## What it does
    /// Compares what vouched for each version's origin in the registry's
    /// metadata: provenance attestations (`dist.attestations`, a build on a
    /// public CI tied to a source commit) and registry signatures
    /// (`dist.signatures`). Lost attestations are high; lost signatures
    /// medium, raised in a quiet release. Registries and mirrors that strip
    /// both give nothing to compare, and nothing is reported.
    ///
    /// ## Why is this bad?
    /// A package built by trusted publishing that suddenly ships without
    /// provenance was published by hand, from somewhere else: the way stolen
    /// tokens publish (the Nx/s1ngularity and Shai-Hulud releases).
    ///
    /// ## Example
    /// ```text
    /// provenance (registry): no provenance attestations, which the previous version had
    /// ```
    ///
    /// ## References
    /// - npm docs: generating provenance statements.
    /// - Nx (August 2025): malicious versions published with a stolen token, without provenance.
    ProvenanceRemoved {
        id: "diff/provenance-removed",
        severity: High,
        status: Stable,
        summary: "The new version lacks provenance or signatures the old version had",
    }
}

impl DiffRule for ProvenanceRemoved {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &DiffContext<'_>, change: &Change) -> Option<Finding> {
        let Capability::ProvenanceRemoved { what } = &change.capability else {
            return None;
        };
        let severity = if what.contains("attestation") {
            Severity::High
        } else {
            ctx.raised(Severity::Medium)
        };
        let message = format!(
            "{} was published without {what}, which the previous version had{}",
            ctx.versions(),
            ctx.why()
        );
        Some(ctx.finding(&Self::META, severity, message, change))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diff::tester::registry_findings;

    const ATTESTED: &str = r#"{"name":"m","version":"1.0.0","dist":{"tarball":"http://127.0.0.1:9/m.tgz","attestations":{"url":"http://127.0.0.1:9/attestations/m@1.0.0","provenance":{"predicateType":"https://slsa.dev/provenance/v1"}},"signatures":[{"keyid":"SHA256:k","sig":"MEUC"}]}}"#;

    #[test]
    fn lost_attestations_are_high() {
        let new = r#"{"name":"m","version":"1.0.1","dist":{"tarball":"http://127.0.0.1:9/m.tgz","signatures":[{"keyid":"SHA256:k","sig":"MEUC"}]}}"#;
        let found = registry_findings(ATTESTED, new, "diff/provenance-removed");
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].severity, Severity::High);
        insta::assert_snapshot!(found[0].message, @"1.0.0 → 1.0.1 was published without provenance attestations, which the previous version had (a patch release; docs and tools unchanged)");
    }

    #[test]
    fn lost_signatures_are_raised_in_a_quiet_release() {
        let new = r#"{"name":"m","version":"1.0.1","dist":{"tarball":"http://127.0.0.1:9/m.tgz","attestations":{"url":"http://127.0.0.1:9/a"}}}"#;
        let found = registry_findings(ATTESTED, new, "diff/provenance-removed");
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].severity, Severity::High);
        assert!(found[0].message.contains("registry signatures"));
    }

    #[test]
    fn kept_or_never_had_is_silent() {
        let same = ATTESTED.replace("1.0.0", "1.0.1");
        assert!(registry_findings(ATTESTED, &same, "diff/provenance-removed").is_empty());
        // A mirror that strips both: nothing to compare.
        let bare_old =
            r#"{"name":"m","version":"1.0.0","dist":{"tarball":"http://127.0.0.1:9/m.tgz"}}"#;
        let bare_new =
            r#"{"name":"m","version":"1.0.1","dist":{"tarball":"http://127.0.0.1:9/m.tgz"}}"#;
        assert!(registry_findings(bare_old, bare_new, "diff/provenance-removed").is_empty());
    }
}
