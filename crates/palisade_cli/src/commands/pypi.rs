//! Python packages from the user's package index: `pypi:name==version`
//! specs, Python lockfile entries and `uvx`/`pipx` MCP servers all come
//! through here.
//!
//! A release is analysed as its sdist (the code `setup.py` runs at build
//! time) and one wheel (what pip installs), each downloaded and checked
//! against the index's sha256 (and the lockfile's hashes, when it records
//! some); the two scans are merged into one report for the release.
//!
//! `pypi:` specs go through the known-malicious advisories (OSV records of
//! the PyPI ecosystem, `commands/known.rs`) and the verdict cache (keyed by
//! the sha256 of the files analysed); so do locked releases, whose files
//! the lockfile's hashes pick.

use std::collections::HashSet;
use std::sync::{Mutex, OnceLock, PoisonError};

use std::collections::BTreeMap;

use palisade_diagnostics::{Facts, Finding, InputError, PackageReport, Severity, Verdict};
use palisade_linter::Engine;

use super::known::{Known, PYPI, Subject};
use palisade_linter::diff::rules::no_previous_version::NoPreviousVersion;
use palisade_linter::diff::{self as vdiff};
use palisade_linter::metadata::{self, MetadataInput, MetadataOptions, PopularIndex};
use palisade_package::{Limits, Package};
use palisade_registry::{
    Cache, DistFile, Packument, Pep440, PipConfig, Project, PypiClient, PypiRelease,
    VersionManifest, pick_files, release_of,
};
use rayon::prelude::*;

/// The prefix of a Python package spec on the command line.
pub(crate) const PREFIX: &str = "pypi:";

/// `pypi:name==version` / `pypi:name` → the name and the version (`None`:
/// the latest); `None` when `raw` is not a `pypi:` spec.
pub(crate) fn parse_spec(raw: &str) -> Option<Result<(String, Option<String>), String>> {
    let rest = raw.strip_prefix(PREFIX)?;
    let (name, version) = match rest.split_once("==") {
        Some((n, v)) => (n.trim(), Some(v.trim())),
        None => (rest.trim(), None),
    };
    if let Err(e) = palisade_registry::validate_project_name(name) {
        return Some(Err(format!(
            "`{raw}` is not a Python package spec (`pypi:name` or `pypi:name==version`): {e}"
        )));
    }
    if version.is_some_and(|v| v.is_empty() || palisade_registry::Pep440::parse(v).is_none()) {
        return Some(Err(format!(
            "`{raw}`: only an exact version (`pypi:name==1.2.3`) or none (the latest) is accepted"
        )));
    }
    Some(Ok((name.to_owned(), version.map(str::to_owned))))
}

/// A Python index client, made on first use from the pip/uv configuration.
pub(crate) struct PypiIndex<'a> {
    override_url: Option<&'a str>,
    client: OnceLock<Result<PypiClient, String>>,
    cache: Mutex<Option<Cache>>,
}

impl<'a> PypiIndex<'a> {
    pub(crate) fn new(override_url: Option<&'a str>) -> Self {
        Self {
            override_url,
            client: OnceLock::new(),
            cache: Mutex::new(None),
        }
    }

    /// Gives the client a disk cache.
    #[must_use]
    pub(crate) fn with_cache(self, cache: Option<Cache>) -> Self {
        *self.cache.lock().unwrap_or_else(PoisonError::into_inner) = cache;
        self
    }

    pub(crate) fn client(&self) -> Result<&PypiClient, String> {
        self.client
            .get_or_init(|| {
                let cwd = std::env::current_dir()
                    .map_err(|e| format!("cannot read the current folder: {e}"))?;
                let config = PipConfig::load(self.override_url, &cwd).map_err(|e| e.to_string())?;
                let client = PypiClient::new(config).map_err(|e| e.to_string())?;
                let cache = self
                    .cache
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .take();
                Ok(match cache {
                    Some(cache) => client.with_cache(cache),
                    None => client,
                })
            })
            .as_ref()
            .map_err(Clone::clone)
    }

    /// Resolves `name` (at `version`, else the latest) and scans its files
    /// through the known-malicious advisories and the verdict cache (keyed
    /// by the sha256 of every file analysed and, with the diff, of the
    /// previous release's files); with `extras.diff`, also compares it with
    /// the release before it, and with `extras.metadata` runs the
    /// `metadata/` rules on the index's record of the project (never
    /// cached: the record changes).
    pub(crate) fn scan(
        &self,
        known: &Known,
        engine: &Engine,
        limits: &Limits,
        name: &str,
        version: Option<&str>,
        extras: &Extras,
    ) -> Result<(PackageReport, PypiRelease), String> {
        let client = self.client()?;
        let project = client.project(name).map_err(|e| e.to_string())?;
        let release = release_of(&project, version).map_err(|e| e.to_string())?;
        let context = if extras.diff {
            let previous = previous_version(&project, &release.version);
            let files: Vec<String> = previous
                .as_deref()
                .map(|p| {
                    project
                        .files_of(p)
                        .into_iter()
                        .map(|f| f.sha256.clone().unwrap_or_else(|| f.filename.clone()))
                        .collect()
                })
                .unwrap_or_default();
            format!(
                "pypi;diff={}:{}",
                previous.as_deref().unwrap_or("none"),
                files.join("+")
            )
        } else {
            "pypi;diff=off".to_owned()
        };
        let mut report = check_release(known, &release, &release.files, &context, || {
            let (mut report, primary, primary_facts) =
                scan_files(client, engine, limits, &release, &release.files)?;
            if extras.diff {
                // The diff compares one file: its own facts (none: it
                // rescans), not the merged ones.
                let merged_facts = std::mem::replace(&mut report.facts, primary_facts);
                let findings =
                    previous_release_diff(client, limits, &project, &release, &primary, &report);
                report.facts = merged_facts;
                if !findings.is_empty() {
                    super::diff::merge(&mut report, findings);
                }
            }
            Ok(report)
        })?;
        if let Some(options) = &extras.metadata {
            let findings = metadata_findings(&project, &release, options);
            if !findings.is_empty() {
                super::diff::merge(&mut report, findings);
            }
        }
        Ok((report, release))
    }

    /// Scans a locked release: only files whose sha256 the lockfile allows
    /// (when it records hashes), with a `lockfile/integrity-mismatch`
    /// finding when none of the release's files has an allowed hash.
    pub(crate) fn scan_locked(
        &self,
        known: &Known,
        engine: &Engine,
        limits: &Limits,
        name: &str,
        version: &str,
        hashes: &[String],
    ) -> Result<PackageReport, String> {
        let client = self.client()?;
        let project = client.project(name).map_err(|e| e.to_string())?;
        let release = release_of(&project, Some(version)).map_err(|e| e.to_string())?;
        let scan = |files: &[DistFile]| {
            check_release(known, &release, files, "pypi;diff=off", || {
                scan_files(client, engine, limits, &release, files).map(|(r, ..)| r)
            })
        };
        if hashes.is_empty() {
            return scan(&release.files);
        }
        let allowed: HashSet<&str> = hashes.iter().map(String::as_str).collect();
        let locked: Vec<DistFile> = release
            .all_files
            .iter()
            .filter(|f| f.sha256.as_deref().is_some_and(|h| allowed.contains(h)))
            .cloned()
            .collect();
        if locked.is_empty() {
            let mut report = scan(&release.files)?;
            let served: Vec<String> = release
                .all_files
                .iter()
                .map(|f| {
                    format!(
                        "{} sha256:{}",
                        f.filename,
                        f.sha256.as_deref().unwrap_or("?")
                    )
                })
                .collect();
            let finding = Finding::new(
                super::project::INTEGRITY_MISMATCH,
                Severity::High,
                format!(
                    "no file the index serves for `{}=={}` matches the lockfile's hashes: \
                     the index has {}",
                    release.name,
                    release.version,
                    served.join(", ")
                ),
            )
            .with_help(
                "find out who changed the lockfile's hashes or what the index serves; \
                 `pip install --require-hashes` refuses this install",
            )
            .with_capability("integrity");
            add_findings(&mut report, vec![finding]);
            return Ok(report);
        }
        scan(&pick_files(&locked))
    }
}

/// What a `pypi:` scan adds to the scan of the files.
#[derive(Debug, Clone, Default)]
pub(crate) struct Extras {
    /// Compare with the release before it.
    pub(crate) diff: bool,
    /// Run the `metadata/` rules with these options.
    pub(crate) metadata: Option<MetadataOptions>,
}

/// The index's record of a project as a packument for the `metadata/`
/// rules: every version, published when its first file was uploaded
/// (PEP 700 upload times, when the index gives them). The index keeps no
/// publisher, repository or download records: the rules that need them say
/// so (`metadata/unknown`).
fn project_packument(project: &Project) -> Packument {
    let mut packument = Packument {
        name: project.name.clone(),
        ..Packument::default()
    };
    for file in &project.files {
        packument
            .versions
            .entry(file.version.clone())
            .or_insert_with(|| VersionManifest {
                name: project.name.clone(),
                version: file.version.clone(),
                ..VersionManifest::default()
            });
        if let Some(t) = &file.upload_time {
            let first = packument
                .time
                .entry(file.version.clone())
                .or_insert_with(|| t.clone());
            if let (Some(this), Some(earliest)) = (
                metadata::time::parse_time(t),
                metadata::time::parse_time(first),
            ) && this < earliest
            {
                first.clone_from(t);
            }
        }
    }
    packument
}

/// The `metadata/` findings of `release`. Name impersonation is judged
/// against npm's popular names only, so it is not run here: an empty list
/// of popular names leaves it silent.
fn metadata_findings(
    project: &Project,
    release: &PypiRelease,
    options: &MetadataOptions,
) -> Vec<Finding> {
    let packument = project_packument(project);
    // The file names' spelling of the version is the packument's key.
    let version = release
        .files
        .first()
        .map_or(release.version.as_str(), |f| f.version.as_str());
    let popular = PopularIndex::new(std::iter::empty());
    metadata::check(&MetadataInput {
        packument: &packument,
        version,
        popular: &popular,
        related: &[],
        options,
    })
    .findings
}

/// The version published before `version` on the index: the highest lower
/// one, pre-releases only when `version` is one.
fn previous_version(project: &Project, version: &str) -> Option<String> {
    let current = Pep440::parse(version)?;
    project
        .versions()
        .into_iter()
        .filter_map(|v| Pep440::parse(&v).map(|p| (p, v)))
        .filter(|(p, _)| *p < current && (current.is_prerelease() || !p.is_prerelease()))
        .max_by(|a, b| a.0.cmp(&b.0))
        .map(|(_, v)| v)
}

/// The `diff/` findings of `release` (its first file, read as `new`)
/// against the same kind of file (sdist or wheel) of the release before
/// it, or a `diff/no-previous-version` finding saying why there is none.
fn previous_release_diff(
    client: &PypiClient,
    limits: &Limits,
    project: &Project,
    release: &PypiRelease,
    new: &Package,
    report: &PackageReport,
) -> Vec<Finding> {
    let (name, version) = (&release.name, &release.version);
    let no_diff = |why: &str| vec![NoPreviousVersion::report(name, version, why)];
    let Some(previous) = previous_version(project, version) else {
        return no_diff("it is the first version on the index");
    };
    let files: Vec<DistFile> = project.files_of(&previous).into_iter().cloned().collect();
    let picked = pick_files(&files);
    let kind = release.files.first().map(|f| f.kind);
    let Some(file) = picked
        .iter()
        .find(|f| Some(f.kind) == kind)
        .or_else(|| picked.first())
    else {
        return no_diff(&format!("`{name}=={previous}` has no file to compare"));
    };
    let bytes = match client.fetch(name, file) {
        Ok(b) => b,
        Err(e) => return no_diff(&format!("`{}` could not be fetched: {e}", file.filename)),
    };
    let origin = format!("{name}=={previous} ({})", file.filename);
    let Some(old) = palisade_package::read_bytes(&bytes, &origin, limits) else {
        return no_diff(&format!("`{}` is not an archive", file.filename));
    };
    let record = vdiff::RegistryRecord {
        versions: None,
        dependency_scripts: BTreeMap::new(),
    };
    vdiff::diff_against_registry(&old, new, report, &record).findings
}

/// Scans `pypi:` command-line inputs, in parallel, through the
/// known-malicious advisories.
pub(crate) fn scan_inputs(
    index: &PypiIndex<'_>,
    known: &Known,
    engine: &Engine,
    limits: &Limits,
    raws: &[&String],
    extras: &Extras,
) -> Vec<Result<PackageReport, InputError>> {
    raws.par_iter()
        .map(|raw| {
            let error = |error: String| InputError {
                input: (*raw).clone(),
                error,
            };
            let (name, version) = parse_spec(raw)
                .unwrap_or_else(|| Err(format!("`{raw}` is not a `pypi:` spec")))
                .map_err(error)?;
            let scanned = index
                .scan(known, engine, limits, &name, version.as_deref(), extras)
                .map(|(report, _)| report);
            let mut report = match (scanned, version.as_deref()) {
                (Ok(report), _) => report,
                // A pinned release gone from the index is still known to
                // be malicious.
                (Err(e), Some(v)) => known
                    .advisory_report(PYPI, &name, v, raw, &e)
                    .ok_or(e)
                    .map_err(error)?,
                (Err(e), None) => return Err(error(e)),
            };
            if version.is_none() {
                report.source.push_str(" (latest)");
            }
            Ok(report)
        })
        .collect()
}

/// Downloads (verified), reads and scans `files`, merged into one report.
/// Also returns the first file's package and its own facts (what a diff
/// compares: the merged report's facts are sdist and wheel together).
fn scan_files(
    client: &PypiClient,
    engine: &Engine,
    limits: &Limits,
    release: &PypiRelease,
    files: &[DistFile],
) -> Result<(PackageReport, Package, Option<Facts>), String> {
    let mut reports = Vec::new();
    let mut primary = None;
    let mut primary_facts = None;
    for file in files {
        let bytes = client
            .fetch(&release.name, file)
            .map_err(|e| e.to_string())?;
        let origin = format!("{}=={} ({})", release.name, release.version, file.filename);
        let package = palisade_package::read_bytes(&bytes, &origin, limits)
            .ok_or_else(|| format!("`{}`: the index's file is not an archive", file.filename))?;
        let report = engine.scan(&package);
        if primary.is_none() {
            primary_facts.clone_from(&report.facts);
            primary = Some(package);
        }
        reports.push(report);
    }
    let mut merged = merge(reports).ok_or_else(|| {
        format!(
            "`{}=={}`: no file to analyse",
            release.name, release.version
        )
    })?;
    merged.name.clone_from(&release.name);
    merged.version.clone_from(&release.version);
    merged.source = release_source(release, files);
    merged.integrity = files
        .first()
        .and_then(|f| f.sha256.as_ref())
        .map(|h| format!("sha256:{h}"));
    let primary = primary.ok_or_else(|| format!("`{}`: no file", release.name))?;
    Ok((merged, primary, primary_facts))
}

/// Scans `files` of `release` through the known-malicious advisories and
/// the verdict cache, keyed by the sha256 of every file read and `context`
/// (what else the analysis depends on).
fn check_release(
    known: &Known,
    release: &PypiRelease,
    files: &[DistFile],
    context: &str,
    analyse: impl FnOnce() -> Result<PackageReport, String>,
) -> Result<PackageReport, String> {
    let hashes: Option<Vec<&str>> = files.iter().map(|f| f.sha256.as_deref()).collect();
    let integrity = hashes.map(|h| format!("sha256:{}", h.join("+")));
    let source = release_source(release, files);
    let subject = Subject {
        name: Some(&release.name),
        version: Some(&release.version),
        integrity: integrity.as_deref(),
        context,
        source: &source,
        python: true,
    };
    known.check(&subject, analyse)
}

/// How a release's report names its source: the spec and the files read.
fn release_source(release: &PypiRelease, files: &[DistFile]) -> String {
    let names: Vec<&str> = files.iter().map(|f| f.filename.as_str()).collect();
    format!(
        "{PREFIX}{}=={} ({})",
        release.name,
        release.version,
        names.join(" + ")
    )
}

/// One report from several scans of the same release: findings once each
/// (same rule, place and message), statistics added up, verdict decided again.
pub(crate) fn merge(reports: Vec<PackageReport>) -> Option<PackageReport> {
    let mut iter = reports.into_iter();
    let mut merged = iter.next()?;
    for other in iter {
        merged.stats.files += other.stats.files;
        merged.stats.bytes += other.stats.bytes;
        merged.stats.js_files += other.stats.js_files;
        merged.stats.js_bytes += other.stats.js_bytes;
        merged.stats.unparsed_files += other.stats.unparsed_files;
        add_findings(&mut merged, other.findings);
    }
    Some(merged)
}

/// Adds findings not already there and decides the verdict again.
pub(crate) fn add_findings(report: &mut PackageReport, findings: Vec<Finding>) {
    for finding in findings {
        let duplicate = report.findings.iter().any(|f| {
            f.rule == finding.rule && f.location == finding.location && f.message == finding.message
        });
        if !duplicate {
            report.findings.push(finding);
        }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn specs() {
        assert_eq!(parse_spec("requests"), None);
        assert_eq!(
            parse_spec("pypi:requests==2.32.3"),
            Some(Ok(("requests".to_owned(), Some("2.32.3".to_owned()))))
        );
        assert_eq!(
            parse_spec("pypi:Foo.Bar"),
            Some(Ok(("Foo.Bar".to_owned(), None)))
        );
        assert!(matches!(parse_spec("pypi:requests>=2"), Some(Err(_))));
        assert!(matches!(parse_spec("pypi:requests=="), Some(Err(_))));
        assert!(matches!(parse_spec("pypi:../x"), Some(Err(_))));
    }
}
