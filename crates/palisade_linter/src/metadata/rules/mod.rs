//! The metadata rules: one file each, documented with the fixed sections,
//! each with firing and silent tests on packument fixtures
//! (`tests/fixtures/packuments/`). Adding a rule: its file, one `mod` line,
//! one line in [`ALL`].

pub(crate) mod dormant_release;
pub(crate) mod first_release;
pub(crate) mod install_script_added;
pub(crate) mod low_popularity;
pub(crate) mod name_impersonation;
pub(crate) mod publisher_change;
pub(crate) mod recent_release;
pub(crate) mod repository_claim;
pub(crate) mod unknown;
pub(crate) mod version_jump;

use super::MetadataRule;

/// Every metadata rule, in documentation order.
pub static ALL: &[&dyn MetadataRule] = &[
    &name_impersonation::NameImpersonation,
    &repository_claim::RepositoryClaim,
    &publisher_change::PublisherChange,
    &version_jump::VersionJump,
    &install_script_added::InstallScriptAdded,
    &dormant_release::DormantRelease,
    &recent_release::RecentRelease,
    &first_release::FirstRelease,
    &low_popularity::LowPopularity,
    &unknown::UnknownMetadata,
];

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::ALL;

    #[test]
    fn ids_are_unique_documented_and_in_the_category() {
        let mut seen = HashSet::new();
        for r in ALL {
            let m = r.meta();
            assert!(seen.insert(m.id), "duplicate rule id {}", m.id);
            assert_eq!(m.category(), "metadata", "{}", m.id);
            assert!(
                m.id.bytes()
                    .all(|b| b.is_ascii_lowercase() || b == b'-' || b == b'/'),
                "{} is not kebab-case",
                m.id
            );
            for section in [
                "## What it does",
                "## Why is this bad?",
                "## Example",
                "## References",
            ] {
                assert!(m.doc.contains(section), "{} lacks {section}", m.id);
            }
            assert!(
                m.severity < palisade_diagnostics::Severity::Critical,
                "{}: metadata alone never decides `malicious`",
                m.id
            );
        }
        let ids: Vec<&str> = ALL.iter().map(|r| r.meta().id).collect();
        insta::assert_snapshot!("metadata_rule_ids", ids.join("\n"));
    }
}
