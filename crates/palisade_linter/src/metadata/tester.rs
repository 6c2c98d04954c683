//! Metadata rule tests: packument fixtures from `tests/fixtures/packuments/`
//! that must fire and that must stay silent, with a snapshot of the firing
//! findings. The clock is fixed at [`NOW`].

use std::fmt::Write as _;
use std::path::PathBuf;

use palisade_diagnostics::Finding;
use palisade_registry::Packument;

use super::{MetadataInput, MetadataOptions, PopularIndex, check, time};
use crate::RuleMeta;

/// The tests' clock.
pub(crate) const NOW: &str = "2025-10-01T12:00:00.000Z";

/// One case: a fixture file, the version judged, fixtures of related packages.
pub(crate) struct Case {
    pub file: &'static str,
    pub version: &'static str,
    pub related: &'static [&'static str],
    pub downloads: Option<u64>,
}

/// A case without related packages or download counts.
pub(crate) const fn case(file: &'static str, version: &'static str) -> Case {
    Case {
        file,
        version,
        related: &[],
        downloads: None,
    }
}

impl Case {
    pub(crate) const fn related(mut self, related: &'static [&'static str]) -> Self {
        self.related = related;
        self
    }

    pub(crate) const fn downloads(mut self, downloads: u64) -> Self {
        self.downloads = Some(downloads);
        self
    }
}

/// Reads a packument fixture.
pub(crate) fn packument(file: &str) -> Packument {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/packuments")
        .join(file);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Runs every metadata rule on a case.
pub(crate) fn run(case: &Case) -> Vec<Finding> {
    let related: Vec<Packument> = case.related.iter().map(|f| packument(f)).collect();
    let packument = packument(case.file);
    let options = MetadataOptions {
        now: time::parse_time(NOW),
        weekly_downloads: case.downloads,
        ..MetadataOptions::default()
    };
    check(&MetadataInput {
        packument: &packument,
        version: case.version,
        popular: PopularIndex::shipped(),
        related: &related,
        options: &options,
    })
    .findings
}

/// Asserts that the rule fires on every `fire` case and on no `silent` case,
/// and snapshots the firing findings.
pub(crate) fn test(meta: &RuleMeta, fire: &[Case], silent: &[Case]) {
    assert!(
        !fire.is_empty() && !silent.is_empty(),
        "a rule needs both firing and silent cases"
    );
    let mut snapshot = String::new();
    for case in fire {
        let found: Vec<Finding> = run(case)
            .into_iter()
            .filter(|f| f.rule == meta.id)
            .collect();
        assert!(
            !found.is_empty(),
            "{} should fire on {}@{}",
            meta.id,
            case.file,
            case.version
        );
        let _ = writeln!(snapshot, "# {} @ {}", case.file, case.version);
        for f in found {
            let _ = writeln!(snapshot, "{} {}: {}", f.severity, f.rule, f.message);
            if let Some(help) = &f.help {
                let _ = writeln!(snapshot, "    help: {help}");
            }
        }
    }
    for case in silent {
        let found: Vec<Finding> = run(case)
            .into_iter()
            .filter(|f| f.rule == meta.id)
            .collect();
        assert!(
            found.is_empty(),
            "{} should stay silent on {}@{}\n{found:#?}",
            meta.id,
            case.file,
            case.version
        );
    }
    let name = meta.id.replace('/', "__");
    insta::with_settings!({ snapshot_path => "rules/snapshots", prepend_module_to_snapshot => false }, {
        insta::assert_snapshot!(name, snapshot);
    });
}
