//! Diff rule tests: pairs of versions that must fire and pairs that must stay
//! silent, with a snapshot of what the firing pairs report.

use std::fmt::Write as _;

use palisade_diagnostics::Finding;
use palisade_package::{Package, PackageFile};

use crate::EngineOptions;
use crate::rule::RuleMeta;

/// Files of one version: (path, text).
pub(crate) type Files = &'static [(&'static str, &'static str)];

/// An old and a new version.
pub(crate) struct Pair(pub(crate) Files, pub(crate) Files);

pub(crate) fn package(origin: &str, files: &[(&str, &str)]) -> Package {
    Package::from_files(
        origin,
        files
            .iter()
            .map(|(p, d)| PackageFile {
                path: (*p).to_owned(),
                data: d.as_bytes().to_vec(),
                executable: false,
            })
            .collect(),
    )
}

impl Pair {
    fn findings(&self, id: &str) -> Vec<Finding> {
        let (report, _) = super::diff_packages(
            EngineOptions::default(),
            &package("old", self.0),
            &package("new", self.1),
        );
        report
            .findings
            .into_iter()
            .filter(|f| f.rule == id)
            .collect()
    }

    fn label(&self) -> String {
        let text: Vec<String> = self.1.iter().map(|(p, c)| format!("{p}: {c}")).collect();
        text.join(" | ").chars().take(120).collect()
    }
}

pub(crate) struct DiffTester {
    meta: &'static RuleMeta,
}

impl DiffTester {
    pub(crate) fn new(meta: &'static RuleMeta) -> Self {
        Self { meta }
    }

    /// Asserts that every `fire` pair fires and no `silent` pair does, and
    /// snapshots the firing findings.
    pub(crate) fn test(&self, fire: &[Pair], silent: &[Pair]) {
        assert!(
            !fire.is_empty() && !silent.is_empty(),
            "a rule needs both firing and silent cases"
        );
        let mut snapshot = String::new();
        for (i, pair) in fire.iter().enumerate() {
            let found = pair.findings(self.meta.id);
            assert!(
                !found.is_empty(),
                "{} should fire on pair {i}: {}",
                self.meta.id,
                pair.label()
            );
            let _ = writeln!(snapshot, "# pair {i}");
            for f in found {
                let loc = f
                    .location
                    .as_ref()
                    .map(ToString::to_string)
                    .unwrap_or_default();
                let _ = writeln!(
                    snapshot,
                    "{} {} {loc}{}: {}",
                    f.severity,
                    f.rule,
                    if f.install_time {
                        " [install-time]"
                    } else {
                        ""
                    },
                    f.message
                );
                if let Some(s) = &f.snippet {
                    let _ = writeln!(snapshot, "    | {s}");
                }
            }
        }
        for (i, pair) in silent.iter().enumerate() {
            let found = pair.findings(self.meta.id);
            assert!(
                found.is_empty(),
                "{} should stay silent on pair {i}: {}\n{found:#?}",
                self.meta.id,
                pair.label()
            );
        }
        let name = self.meta.id.replace('/', "__");
        insta::with_settings!({ snapshot_path => "rules/snapshots", prepend_module_to_snapshot => false }, {
            insta::assert_snapshot!(name, snapshot);
        });
    }
}

/// The findings of `id` when two one-file versions are compared with the
/// registry's entries for them (`old` and `new`: version manifests as JSON).
pub(crate) fn registry_findings(old: &str, new: &str, id: &str) -> Vec<Finding> {
    let old: palisade_registry::VersionManifest =
        serde_json::from_str(old).expect("old manifest is JSON");
    let new: palisade_registry::VersionManifest =
        serde_json::from_str(new).expect("new manifest is JSON");
    let manifest = |m: &palisade_registry::VersionManifest| {
        format!("{{\"name\":\"{}\",\"version\":\"{}\"}}", m.name, m.version)
    };
    let (old_text, new_text) = (manifest(&old), manifest(&new));
    let record = super::RegistryRecord {
        versions: Some(super::RegistryPair {
            old: &old,
            new: &new,
        }),
        ..super::RegistryRecord::default()
    };
    findings_with(
        &[("package.json", &old_text)],
        &[("package.json", &new_text)],
        &record,
        id,
    )
}

/// The findings of `id` when two versions are compared with what the
/// registry says about the release.
pub(crate) fn findings_with(
    old: &[(&str, &str)],
    new: &[(&str, &str)],
    record: &super::RegistryRecord<'_>,
    id: &str,
) -> Vec<Finding> {
    let old_pkg = package("old", old);
    let new_pkg = package("new", new);
    let report = crate::Engine::new(EngineOptions {
        keep_facts: true,
        ..EngineOptions::default()
    })
    .scan(&new_pkg);
    super::diff_against_registry(&old_pkg, &new_pkg, &report, record)
        .findings
        .into_iter()
        .filter(|f| f.rule == id)
        .collect()
}
