use palisade_diagnostics::{Confidence, Finding, Severity};

use crate::metadata::{MetadataContext, MetadataRule, Unknown};
use crate::rule::{RuleMeta, declare_rule};

declare_rule! {
    /// ## What it does
    /// Says which metadata rules could not judge the package and why: the
    /// registry stripped `time`, `maintainers` or `_npmUser` from the
    /// packument, or offers no download counts. One `info` finding per
    /// package lists them all (in JSON, its message names each rule and
    /// reason), so a report never passes silence off as a clean bill.
    ///
    /// ## Why is this bad?
    /// It is not; it is what palisade did not know. Mirrors and private
    /// registries often strip these fields; palisade never guesses and
    /// never fires on absence alone.
    ///
    /// ## Example
    /// `metadata/recent-release: the packument has no time for 2.0.0`.
    ///
    /// ## References
    /// - npm registry docs: abbreviated and full packuments.
    UnknownMetadata {
        id: "metadata/unknown",
        severity: Info,
        status: Stable,
        summary: "Some metadata rules could not judge: the registry did not say",
    }
}

impl UnknownMetadata {
    /// The one finding that lists what could not be judged.
    pub(crate) fn report(unknown: &[Unknown]) -> Finding {
        let items: Vec<String> = unknown
            .iter()
            .map(|u| format!("`{}`: {}", u.rule, u.reason))
            .collect();
        Finding::new(
            Self::META.id,
            Severity::Info,
            format!("unknown: {}", items.join("; ")),
        )
        .with_confidence(Confidence::High)
    }
}

impl MetadataRule for UnknownMetadata {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    /// The summary is built by [`crate::metadata::check`] from the other rules.
    fn check(&self, _ctx: &MetadataContext<'_>, _out: &mut Vec<Finding>) -> Result<(), String> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metadata::tester::{case, run, test};

    #[test]
    fn rule() {
        test(
            &UnknownMetadata::META,
            &[case("stripped.json", "2.0.0")],
            &[case("express.json", "4.21.2").downloads(40_000_000)],
        );
    }

    /// A stripped packument: every rule that needs a missing field says so,
    /// and nothing fires on the absence.
    #[test]
    fn stripped_packuments_fire_on_nothing() {
        let findings = run(&case("stripped.json", "2.0.0"));
        let rules: Vec<&str> = findings.iter().map(|f| f.rule.as_str()).collect();
        assert_eq!(rules, vec!["metadata/unknown"], "{findings:#?}");
        let message = &findings[0].message;
        for rule in [
            "metadata/publisher-change",
            "metadata/recent-release",
            "metadata/dormant-release",
            "metadata/low-popularity",
        ] {
            assert!(message.contains(rule), "{rule} not in {message}");
        }
    }
}
