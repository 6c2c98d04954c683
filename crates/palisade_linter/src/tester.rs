//! Rule tests: a list of packages that must fire and a list that must stay
//! silent, with a snapshot of what the firing cases report.

use std::fmt::Write as _;

use palisade_diagnostics::Finding;
use palisade_package::{Package, PackageFile};

use crate::{Engine, EngineOptions, RuleMeta};

/// A test package.
pub(crate) enum Case {
    /// `index.js` with this source, in a package with no scripts.
    Js(&'static str),
    /// `index.js` with this source, run by a `postinstall` script.
    InstallJs(&'static str),
    /// A `package.json` with this text and nothing else.
    Manifest(&'static str),
    /// These files.
    Files(&'static [(&'static str, &'static str)]),
}

impl Case {
    fn package(&self) -> Package {
        let files: Vec<(String, String)> = match self {
            Case::Js(src) => vec![
                ("package.json".into(), r#"{"name":"fixture","version":"1.0.0"}"#.into()),
                ("index.js".into(), (*src).into()),
            ],
            Case::InstallJs(src) => vec![
                (
                    "package.json".into(),
                    r#"{"name":"fixture","version":"1.0.0","scripts":{"postinstall":"node index.js"}}"#.into(),
                ),
                ("index.js".into(), (*src).into()),
            ],
            Case::Manifest(m) => vec![("package.json".into(), (*m).into())],
            Case::Files(f) => f.iter().map(|(p, c)| ((*p).to_owned(), (*c).to_owned())).collect(),
        };
        Package::from_files(
            "fixture",
            files
                .into_iter()
                .map(|(path, data)| PackageFile {
                    path,
                    data: data.into_bytes(),
                    executable: false,
                })
                .collect(),
        )
    }

    fn label(&self) -> String {
        let text = match self {
            Case::Js(s) | Case::InstallJs(s) | Case::Manifest(s) => (*s).to_owned(),
            Case::Files(f) => f
                .iter()
                .map(|(p, c)| format!("{p}: {c}"))
                .collect::<Vec<_>>()
                .join(" | "),
        };
        text.chars().take(120).collect()
    }
}

pub(crate) struct Tester {
    meta: &'static RuleMeta,
    engine: Engine,
}

impl Tester {
    pub(crate) fn new(meta: &'static RuleMeta) -> Self {
        let engine = Engine::new(EngineOptions {
            preview: true,
            keep_facts: false,
            only_rules: vec![meta.id.to_owned()],
        });
        Self { meta, engine }
    }

    fn findings(&self, case: &Case) -> Vec<Finding> {
        self.engine
            .scan(&case.package())
            .findings
            .into_iter()
            .filter(|f| f.rule == self.meta.id)
            .collect()
    }

    /// Asserts that every `fire` case fires and no `silent` case does, and
    /// snapshots the firing findings.
    pub(crate) fn test(&self, fire: &[Case], silent: &[Case]) {
        assert!(
            !fire.is_empty() && !silent.is_empty(),
            "a rule needs both firing and silent cases"
        );
        let mut snapshot = String::new();
        for (i, case) in fire.iter().enumerate() {
            let found = self.findings(case);
            assert!(
                !found.is_empty(),
                "{} should fire on case {i}: {}",
                self.meta.id,
                case.label()
            );
            let _ = writeln!(snapshot, "# case {i}");
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
        for (i, case) in silent.iter().enumerate() {
            let found = self.findings(case);
            assert!(
                found.is_empty(),
                "{} should stay silent on case {i}: {}\n{found:#?}",
                self.meta.id,
                case.label()
            );
        }
        let name = self.meta.id.replace('/', "__");
        insta::with_settings!({ snapshot_path => "rules/snapshots", prepend_module_to_snapshot => false }, {
            insta::assert_snapshot!(name, snapshot);
        });
    }
}
