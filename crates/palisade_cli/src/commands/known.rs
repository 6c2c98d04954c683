//! What is known about a package before it is analysed: the malicious-package
//! advisories imported with `palisade db import`, and the verdict cache (a
//! report per tarball integrity and engine version). Both live in the
//! palisade store; [`Known::check`] is the one call every scan path makes
//! around its analysis of a package.
//!
//! - An advisory match makes the report `malicious` with a
//!   `known/malicious-advisory` finding, whatever the analysis says, and even
//!   when the package cannot be read any more.
//! - A package whose integrity and engine version are in the verdict cache
//!   is not analysed again; its report says `"cached": true`.
//! - Without a store file nothing is looked up and no file is created,
//!   except by the verdict cache, which creates the store when it has a
//!   verdict to keep (not with `--no-cache`).

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use clap::Args;
use palisade_diagnostics::{InputError, PackageReport, ScanStats, Verdict};
use palisade_linter::Engine;
use palisade_linter::known::MaliciousAdvisory;
use palisade_package::Limits;
use palisade_registry::nodejs_semver::Version;
use palisade_registry::{Cache, Client, Pep440, VersionReq};
use palisade_store::{AdvisoryMatch, Store};

use super::input::{Input, Registry};

/// The ecosystems advisories are looked up in, as OSV spells them.
pub(crate) const NPM: &str = "npm";
pub(crate) const PYPI: &str = "PyPI";

/// Cache options of `palisade scan`.
#[derive(Args, Clone, Debug, Default)]
pub struct CacheArgs {
    /// Use only the local cache (packuments, tarballs): never contact the
    /// registry. What is not cached is an error that names it.
    #[arg(long)]
    pub offline: bool,
    /// Do not read or write the verdict cache: analyse every package again.
    #[arg(long)]
    pub no_cache: bool,
}

/// The engine version that keys the verdict cache: the crate version and a
/// hash of every rule's id, severity and status and of the engine's sources,
/// so a release, a rule change or a changed analysis invalidates earlier
/// verdicts.
pub(crate) fn engine_version() -> String {
    let mut rules: Vec<String> = Engine::rules()
        .iter()
        .map(|r| r.meta())
        .chain(palisade_linter::diff::rules::ALL.iter().map(|r| r.meta()))
        .chain(palisade_linter::known::metas())
        .map(|m| format!("{}={}/{:?}", m.id, m.severity, m.status))
        .collect();
    rules.sort();
    rules.push(palisade_linter::ENGINE_SOURCE.to_owned());
    let hash = palisade_store::sha256_hex(rules.join("\n").as_bytes());
    format!("{}+{}", env!("CARGO_PKG_VERSION"), &hash[..16])
}

/// The analysis options that change a report, as part of the cache key.
pub(crate) fn options_fingerprint(preview: bool, facts: bool, limits: &Limits) -> String {
    let limits = palisade_store::sha256_hex(format!("{limits:?}").as_bytes());
    format!("preview={preview},facts={facts},limits={}", &limits[..12])
}

/// What is known about a package before it is read.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Subject<'a> {
    /// The package name, when known before reading it.
    pub name: Option<&'a str>,
    /// The exact version, when known before reading it.
    pub version: Option<&'a str>,
    /// The tarball's integrity (`sha512-…`): the verdict cache needs it.
    pub integrity: Option<&'a str>,
    /// What else the analysis depends on (the previous version for the
    /// diff...), part of the cache key; empty when nothing.
    pub context: &'a str,
    /// What to report as the source.
    pub source: &'a str,
    /// A Python distribution (no `package.json`, Python metadata): its
    /// name and version are looked up among PyPI advisories.
    pub python: bool,
}

enum StoreState {
    /// Not opened yet (or no file yet).
    Closed,
    Open(Arc<Store>),
    /// Could not be opened; said once on stderr.
    Broken,
}

/// The store and cache settings of one run. Shared by the scan threads.
pub(crate) struct Known {
    store_path: Option<PathBuf>,
    cache_dir: Option<PathBuf>,
    offline: bool,
    verdicts: bool,
    keep_facts: bool,
    key: String,
    store: Mutex<StoreState>,
}

impl Known {
    /// Settings from the command line, with the cache folder from the
    /// environment (`PALISADE_HOME`, else the user cache folder). Opens the
    /// store if its file exists; creates nothing.
    pub(crate) fn new(args: &CacheArgs, fingerprint: &str) -> Self {
        Self::with_home(palisade_store::default_home(), args, fingerprint)
    }

    /// As [`Known::new`], with an explicit palisade home folder.
    pub(crate) fn with_home(home: Option<PathBuf>, args: &CacheArgs, fingerprint: &str) -> Self {
        let known = Self {
            store_path: home.as_ref().map(|h| h.join(palisade_store::STORE_FILE)),
            cache_dir: home.map(|h| h.join("registry")),
            offline: args.offline,
            verdicts: !args.no_cache,
            keep_facts: fingerprint.contains("facts=true"),
            key: format!("{};{fingerprint}", engine_version()),
            store: Mutex::new(StoreState::Closed),
        };
        let _ = known.store(false);
        known
    }

    /// The registry disk cache for this run, offline or not. `Err` when
    /// `--offline` is asked for and there is no cache folder.
    pub(crate) fn registry_cache(&self) -> Result<Option<Cache>, String> {
        match &self.cache_dir {
            Some(dir) => Ok(Some(Cache::new(dir).offline(self.offline))),
            None if self.offline => Err(
                "`--offline` needs a cache folder, and none is known: set `PALISADE_HOME` \
                 (or `HOME`)"
                    .to_owned(),
            ),
            None => Ok(None),
        }
    }

    /// The store: opened if its file exists; created only when `create`.
    fn store(&self, create: bool) -> Option<Arc<Store>> {
        let mut state = self
            .store
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        match &*state {
            StoreState::Open(store) => return Some(Arc::clone(store)),
            StoreState::Broken => return None,
            StoreState::Closed => {}
        }
        let path = self.store_path.as_ref()?;
        let opened = if create {
            Store::open(path).map(Some)
        } else {
            Store::open_existing(path)
        };
        match opened {
            Ok(Some(store)) => {
                let store = Arc::new(store);
                *state = StoreState::Open(Arc::clone(&store));
                Some(store)
            }
            Ok(None) => None,
            Err(e) => {
                eprintln!(
                    "warning: {e}: {}; known-malicious advisories are not checked and verdicts are not cached",
                    error_chain(&e)
                );
                *state = StoreState::Broken;
                None
            }
        }
    }

    /// The advisories in force that name `name` at `version` in
    /// `ecosystem` (`npm`, `PyPI`: names compared normalised, versions
    /// under PEP 440).
    fn advisories_in(&self, ecosystem: &str, name: &str, version: &str) -> Vec<AdvisoryMatch> {
        let Some(store) = self.store(false) else {
            return Vec::new();
        };
        let found = if ecosystem == NPM {
            store.malicious_advisories(name, version)
        } else {
            store.malicious_advisories_in(ecosystem, name, version, Pep440::parse)
        };
        found.unwrap_or_else(|e| {
            eprintln!("warning: {e}: {}", error_chain(&e));
            Vec::new()
        })
    }

    /// Adds a finding per advisory in force that names the report's
    /// package in `ecosystem`, and decides the verdict again.
    pub(crate) fn add_advisories(&self, ecosystem: &str, report: &mut PackageReport) {
        let matches = self.advisories_in(ecosystem, &report.name, &report.version);
        apply(report, &matches, None);
    }

    /// For a release that could not be fetched or read (gone from the
    /// registry or index, a file that fails its hash): a report from the
    /// advisories alone when one names it, `None` otherwise.
    pub(crate) fn advisory_report(
        &self,
        ecosystem: &str,
        name: &str,
        version: &str,
        source: &str,
        error: &str,
    ) -> Option<PackageReport> {
        let matches = self.advisories_in(ecosystem, name, version);
        if matches.is_empty() {
            return None;
        }
        let subject = Subject {
            source,
            ..Subject::default()
        };
        let mut report = unread_report(name, version, &subject);
        apply(&mut report, &matches, Some(error));
        Some(report)
    }

    /// Scans one package through the advisories and the verdict cache:
    /// `analyse` runs only when the verdict is not cached. Advisories are
    /// looked up before analysis when `subject` names the version, after it
    /// (from the package's own `package.json`) otherwise; a match decides
    /// the verdict, and stands even when `analyse` fails.
    ///
    /// # Errors
    /// The error of `analyse`, when no advisory names the package.
    pub(crate) fn check(
        &self,
        subject: &Subject<'_>,
        analyse: impl FnOnce() -> Result<PackageReport, String>,
    ) -> Result<PackageReport, String> {
        let ecosystem = if subject.python { PYPI } else { NPM };
        let early = match (subject.name, subject.version) {
            (Some(name), Some(version)) => Some(self.advisories_in(ecosystem, name, version)),
            _ => None,
        };
        let key = format!("{};{}", self.key, subject.context);
        let cached = match subject.integrity {
            Some(integrity) if self.verdicts => self
                .store(false)
                .and_then(|store| store.verdict(integrity, &key).ok().flatten()),
            _ => None,
        };
        let mut report = match cached {
            Some(mut report) => {
                report.cached = true;
                report.source = subject.source.to_owned();
                report.dependency_path.clear();
                report
            }
            None => match analyse() {
                Ok(report) => {
                    if let Some(integrity) = subject.integrity.filter(|_| self.verdicts)
                        && let Some(store) = self.store(true)
                    {
                        // What the analysis found, not where this run met it.
                        let mut kept = report.clone();
                        kept.dependency_path.clear();
                        if !self.keep_facts {
                            kept.facts = None;
                        }
                        if let Err(e) = store.put_verdict(integrity, &key, &kept) {
                            eprintln!("warning: {e}: {}", error_chain(&e));
                        }
                    }
                    report
                }
                Err(error) => match (&early, subject.name, subject.version) {
                    (Some(matches), Some(name), Some(version)) if !matches.is_empty() => {
                        let mut report = unread_report(name, version, subject);
                        apply(&mut report, matches, Some(&error));
                        return Ok(report);
                    }
                    _ => return Err(error),
                },
            },
        };
        let matches =
            early.unwrap_or_else(|| self.advisories_in(ecosystem, &report.name, &report.version));
        apply(&mut report, &matches, None);
        Ok(report)
    }

    fn verdicts_on(&self) -> bool {
        self.verdicts && self.store_path.is_some()
    }
}

/// The sources of an error, for one line on stderr.
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut parts = Vec::new();
    let mut source = e.source();
    while let Some(s) = source {
        parts.push(s.to_string());
        source = s.source();
    }
    parts.join(": ")
}

/// A report for a package that was not read.
fn unread_report(name: &str, version: &str, subject: &Subject<'_>) -> PackageReport {
    PackageReport {
        name: name.to_owned(),
        version: version.to_owned(),
        source: subject.source.to_owned(),
        integrity: subject.integrity.map(str::to_owned),
        verdict: Verdict::Clean,
        score: 0,
        findings: Vec::new(),
        stats: ScanStats::default(),
        facts: None,
        cached: false,
        dependency_path: Vec::new(),
    }
}

/// Adds a finding per matching advisory and decides the verdict again.
fn apply(report: &mut PackageReport, matches: &[AdvisoryMatch], unread: Option<&str>) {
    if matches.is_empty() {
        return;
    }
    for m in matches {
        let mut finding = MaliciousAdvisory::report(
            &report.name,
            &report.version,
            &m.id,
            m.summary.as_deref(),
            &m.aliases,
            &m.reason.to_string(),
        );
        if let Some(error) = unread {
            let help = finding.help.take().unwrap_or_default();
            finding.help = Some(format!(
                "{help}; the package itself was not analysed: {error}"
            ));
        }
        report.findings.push(finding);
    }
    report.findings.sort_by(|a, b| {
        b.severity
            .cmp(&a.severity)
            .then_with(|| a.location.cmp(&b.location))
            .then_with(|| a.rule.cmp(&b.rule))
    });
    let (verdict, score) = Verdict::decide(&mut report.findings);
    report.verdict = verdict;
    report.score = score;
}

/// The highest published version of `name` below `version` and its
/// integrity, as `palisade scan` picks it for the diff
/// (`super::diff::add_previous_version_diff`): part of the cache key, since
/// the diff findings depend on it.
fn previous_integrity(client: &Client, name: &str, version: &str) -> String {
    let Ok(current) = Version::parse(version) else {
        return "prev=unparsed".to_owned();
    };
    let Ok(packument) = client.packument(name) else {
        return "prev=unknown".to_owned();
    };
    packument
        .versions
        .iter()
        .filter_map(|(key, manifest)| Version::parse(key).ok().map(|v| (v, manifest)))
        .filter(|(v, _)| *v < current && (current.is_prerelease() || !v.is_prerelease()))
        .max_by(|a, b| a.0.cmp(&b.0))
        .map_or_else(
            || "prev=none".to_owned(),
            |(v, m)| {
                format!(
                    "prev={v}:{}",
                    m.dist
                        .integrity
                        .as_deref()
                        .or(m.dist.shasum.as_deref())
                        .unwrap_or("-")
                )
            },
        )
}

/// Scans one command-line input of `palisade scan`: reads it (a path from
/// disk; a spec resolved, then downloaded only when its verdict is not
/// cached), analyses it with `engine` (and, for a spec, the diff with its
/// previous version when `diff`), through [`Known::check`].
///
/// # Errors
/// The input could not be read or resolved, and no advisory names it.
pub(crate) fn scan_input(
    known: &Known,
    engine: &Engine,
    registry: &Registry<'_>,
    limits: &Limits,
    input: &Input,
    raw: &str,
    diff: bool,
) -> Result<PackageReport, InputError> {
    let error = |error: String| InputError {
        input: raw.to_owned(),
        error,
    };
    match input {
        Input::Path(path) => {
            let package =
                palisade_package::read_path(path, limits).map_err(|e| error(e.to_string()))?;
            let source = path.display().to_string();
            let subject = Subject {
                name: package.name(),
                version: package.version(),
                source: &source,
                python: package.manifest.is_none() && package.python.is_some(),
                ..Subject::default()
            };
            known
                .check(&subject, || {
                    let mut report = engine.scan(&package);
                    report.source = source.clone();
                    Ok(report)
                })
                .map_err(error)
        }
        Input::Spec(spec) => {
            let client = registry.client().map_err(error)?;
            let resolved = match client.resolve(spec) {
                Ok(resolved) => resolved,
                Err(e) => {
                    // A version pulled from the registry is still known to be malicious.
                    let e = e.to_string();
                    if let VersionReq::Exact(version) = &spec.req
                        && let Some(report) =
                            known.advisory_report(NPM, &spec.name, &version.to_string(), raw, &e)
                    {
                        return Ok(report);
                    }
                    return Err(error(e));
                }
            };
            let origin = format!("{}@{}", resolved.name, resolved.version);
            let context = if !diff {
                "diff=off".to_owned()
            } else if known.verdicts_on() && resolved.integrity.is_some() {
                previous_integrity(client, &resolved.name, &resolved.version)
            } else {
                String::new()
            };
            let subject = Subject {
                name: Some(&resolved.name),
                version: Some(&resolved.version),
                integrity: resolved.integrity.as_deref(),
                context: &context,
                source: &origin,
                python: false,
            };
            known
                .check(&subject, || {
                    let bytes = client.fetch_tarball(&resolved).map_err(|e| e.to_string())?;
                    let package = palisade_package::read_bytes(&bytes, &origin, limits)
                        .ok_or_else(|| {
                            format!("`{origin}`: the registry's tarball is not an archive")
                        })?;
                    let mut report = engine.scan(&package);
                    report.integrity = resolved.integrity.clone();
                    if diff {
                        super::diff::add_previous_version_diff(
                            registry,
                            limits,
                            &package,
                            &mut report,
                        );
                    }
                    Ok(report)
                })
                .map_err(error)
        }
    }
}

#[cfg(test)]
mod tests {
    #![expect(clippy::unwrap_used, reason = "tests")]

    use super::*;

    fn report(name: &str, version: &str) -> PackageReport {
        let subject = Subject {
            source: "here",
            ..Subject::default()
        };
        unread_report(name, version, &subject)
    }

    fn known(home: &std::path::Path, no_cache: bool) -> Known {
        let args = CacheArgs {
            offline: false,
            no_cache,
        };
        Known::with_home(Some(home.to_path_buf()), &args, "test")
    }

    #[test]
    fn engine_version_is_stable_and_versioned() {
        let v = engine_version();
        assert!(
            v.starts_with(concat!(env!("CARGO_PKG_VERSION"), "+")),
            "{v}"
        );
        assert_eq!(v, engine_version());
    }

    #[test]
    fn without_a_store_nothing_is_created_for_local_packages() {
        let home = tempfile::tempdir().unwrap();
        let known = known(home.path(), false);
        let subject = Subject {
            name: Some("a"),
            version: Some("1.0.0"),
            source: "a",
            ..Subject::default()
        };
        let out = known.check(&subject, || Ok(report("a", "1.0.0"))).unwrap();
        assert_eq!(out.verdict, Verdict::Clean);
        assert!(!home.path().join(palisade_store::STORE_FILE).exists());
    }

    #[test]
    fn verdicts_are_cached_by_integrity_unless_disabled() {
        let home = tempfile::tempdir().unwrap();
        let subject = Subject {
            name: Some("a"),
            version: Some("1.0.0"),
            integrity: Some("sha512-AAAA"),
            context: "c1",
            source: "a@1.0.0",
            python: false,
        };
        let first = known(home.path(), false);
        let out = first.check(&subject, || Ok(report("a", "1.0.0"))).unwrap();
        assert!(!out.cached);
        let out = first
            .check(&subject, || Err("must not analyse again".to_owned()))
            .unwrap();
        assert!(out.cached);
        assert_eq!(out.source, "a@1.0.0");
        // Another context is another key.
        let other = Subject {
            context: "c2",
            ..subject
        };
        assert!(first.check(&other, || Err("analysed".to_owned())).is_err());
        // --no-cache: analysed again.
        let off = known(home.path(), true);
        assert_eq!(
            off.check(&subject, || Err("analysed".to_owned()))
                .unwrap_err(),
            "analysed"
        );
    }

    #[test]
    fn an_advisory_decides_even_when_the_package_cannot_be_read() {
        let home = tempfile::tempdir().unwrap();
        let store = Store::open(&home.path().join(palisade_store::STORE_FILE)).unwrap();
        let records = home.path().join("mal.json");
        std::fs::write(
            &records,
            r#"{"id":"MAL-2025-7","modified":"2025-01-01T00:00:00Z","summary":"Malicious code in gone (npm)",
                "affected":[{"package":{"ecosystem":"npm","name":"gone"},"versions":["1.0.0"]}]}"#,
        )
        .unwrap();
        store
            .import_path(&records, &palisade_store::ImportLimits::default())
            .unwrap();
        drop(store);
        let known = known(home.path(), false);
        let subject = Subject {
            name: Some("gone"),
            version: Some("1.0.0"),
            source: "gone@1.0.0",
            ..Subject::default()
        };
        let out = known
            .check(&subject, || Err("HTTP 404".to_owned()))
            .unwrap();
        assert_eq!(out.verdict, Verdict::Malicious);
        assert_eq!(out.findings[0].rule, "known/malicious-advisory");
        assert!(out.findings[0].deciding);
        assert!(out.findings[0].message.contains("`MAL-2025-7`"));
        assert!(
            out.findings[0]
                .help
                .as_deref()
                .unwrap()
                .contains("HTTP 404")
        );
        // Another version: the error stands.
        let other = Subject {
            version: Some("1.0.1"),
            ..subject
        };
        assert!(known.check(&other, || Err("HTTP 404".to_owned())).is_err());
    }
}
