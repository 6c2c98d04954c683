//! `palisade scan` of a whole project: a folder with a lockfile, a lockfile
//! named directly, an installed `node_modules/` folder, or (with
//! `--project`) a folder whose `package.json` ranges are resolved through
//! the registry because it has no lockfile.
//!
//! Every locked package is listed once with its verdict:
//!
//! - registry packages are fetched at their exact locked version through the
//!   configured registry (the tarball is verified against the packument's
//!   digest by the client, and against the lockfile's `integrity` here),
//!   `--jobs` at a time, and analysed by the engine;
//! - installed packages are read from their folder, as installed;
//! - workspaces and local (`file:`) folders of the project are read from disk;
//! - git and tarball-URL dependencies are not fetched: each gets a report
//!   with a `lockfile/non-registry-source` finding;
//! - bundled dependencies travel inside their parent's tarball and are
//!   analysed with it.
//!
//! Two findings are made here, not by the engine, because they are about
//! the lockfile rather than a package's code (they are listed by
//! [`rule_infos`] for SARIF):
//!
//! | rule | severity | when |
//! |---|---|---|
//! | `lockfile/integrity-mismatch` | high | the registry's tarball does not match the lockfile's `integrity`: the lockfile was edited, or the registry serves other bytes than were locked (`npm ci` would refuse it) |
//! | `lockfile/non-registry-source` | medium (high over plain `http://`) | a dependency comes from git or a URL, outside the registry's takedowns and version immutability |
//!
//! Every package goes through the known-malicious check, and registry
//! packages through the verdict cache and the registry's disk cache, as
//! single packages do (`commands/known.rs`): an unchanged dependency is not
//! downloaded or analysed twice. Metadata rules are not run per dependency
//! (they need a full packument each).
//!
//! Each report carries the dependency path that pulls the package in. The
//! previous-version diff is off for project scans (it doubles the requests)
//! unless `--project-diff` asks for it. `--diff-against OLD_LOCKFILE`
//! compares every registry package whose version changed since the older
//! lockfile with the version it had there (the `diff/` findings join its
//! report) and lists the packages added and removed in the summary.

use std::collections::{BTreeMap, HashSet, VecDeque};
use std::io::{IsTerminal, Write as _};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use palisade_diagnostics::render::{self, Format, RenderOptions, RuleInfo};
use palisade_diagnostics::{Finding, InputError, PackageReport, Report, Severity, Verdict};
use palisade_linter::{Engine, EngineOptions};
use palisade_package::Limits;
use palisade_package::lockfile::{
    self, LockedPackage, Lockfile, LockfileKind, ProjectManifests, Source,
};
use palisade_registry::nodejs_semver::Version;
use palisade_registry::{Integrity, PackageSpec, ResolvedVersion, VersionReq};
use rayon::prelude::*;

use super::input::Registry;
use super::known::{Known, PYPI, Subject};
use crate::args::{OutputFormat, ScanArgs};
use crate::exit::{Status, usage};
use crate::output;

/// Rule id: the registry's tarball differs from the lockfile's `integrity`.
pub const INTEGRITY_MISMATCH: &str = "lockfile/integrity-mismatch";
/// Rule id: a dependency from git or a tarball URL.
pub const NON_REGISTRY_SOURCE: &str = "lockfile/non-registry-source";
/// Rule id: a Python requirement that does not pin one version.
pub const UNPINNED_REQUIREMENT: &str = "lockfile/unpinned-requirement";

/// The two project-level findings, documented like rules so `palisade rules`
/// lists them and `palisade rule <id>` explains them.
pub static LOCKFILE_RULES: [palisade_linter::RuleMeta; 3] = [
    palisade_linter::RuleMeta {
        id: INTEGRITY_MISMATCH,
        severity: palisade_diagnostics::Severity::High,
        status: palisade_diagnostics::RuleStatus::Stable,
        summary: "The registry serves other bytes than the lockfile's integrity locked",
        doc: "## What it does\nCompares the `integrity` a lockfile recorded for a registry package with the digest the registry announces, or with the downloaded bytes when they share no algorithm.\n\n## Why is this bad?\nEither the lockfile was edited to accept other bytes, or the registry (or a mirror or proxy on the way) serves a different tarball than the one that was locked. `npm ci` would refuse it.\n\n## Example\nA `package-lock.json` entry whose `integrity` is `sha512-A...` for a tarball whose digest is `sha512-B...`.\n\n## References\n- npm docs: package-lock.json, `integrity`.\n",
    },
    palisade_linter::RuleMeta {
        id: NON_REGISTRY_SOURCE,
        severity: palisade_diagnostics::Severity::Medium,
        status: palisade_diagnostics::RuleStatus::Stable,
        summary: "A locked dependency comes from git or a tarball URL, not the registry",
        doc: "## What it does\nReports lockfile entries resolved from a git repository or a tarball URL. They are not fetched or analysed. High when the URL is plain `http://`.\n\n## Why is this bad?\nSuch dependencies escape the registry's takedowns, version immutability and integrity records: what the URL serves can change under the same lockfile.\n\n## Example\n`\"resolved\": \"git+ssh://git@host.invalid/x/y.git#abc123\"`\n\n## References\n- MITRE ATT&CK T1195.001 (Compromise Software Dependencies and Development Tools).\n",
    },
    palisade_linter::RuleMeta {
        id: UNPINNED_REQUIREMENT,
        severity: palisade_diagnostics::Severity::Medium,
        status: palisade_diagnostics::RuleStatus::Stable,
        summary: "A Python requirement does not pin one version",
        doc: "## What it does\nReports `requirements.txt` (and `Pipfile.lock`) entries that do not pin one exact version with `==`: `flask`, `requests>=2`, `numpy~=2.0`. They are not fetched or analysed: which version installs depends on the day.\n\n## Why is this bad?\nThe next release, including a malicious one published by a hijacked account, installs without any change to the project. Pin with `==` and `--hash`, or use a lockfile (`uv.lock`, `poetry.lock`).\n\n## Example\n`requests>=2`\n\n## References\n- pip docs: Secure installs, hash-checking mode.\n",
    },
];

/// Most packages resolved from `package.json` ranges when there is no lockfile.
const MAX_RESOLVED_PACKAGES: usize = 5_000;

/// What a project input names.
#[derive(Debug)]
enum ProjectInput {
    /// A lockfile or an installed `node_modules` folder.
    Lockfiles { dir: PathBuf, files: Vec<PathBuf> },
    /// A folder without a lockfile whose ranges are resolved (`--project`).
    Ranges { dir: PathBuf },
}

/// Decides whether the inputs are projects. `None`: no input is one (the
/// ordinary package scan runs). A folder with `package.json` and no lockfile
/// is a package, unless `--project` says otherwise.
fn project_inputs(args: &ScanArgs) -> anyhow::Result<Option<Vec<(String, ProjectInput)>>> {
    let mut projects = Vec::new();
    let mut packages = 0;
    for raw in &args.inputs {
        let path = Path::new(raw);
        let meta = std::fs::metadata(path).ok();
        let dir_of = |p: &Path| {
            p.parent()
                .filter(|d| !d.as_os_str().is_empty())
                .unwrap_or(Path::new("."))
                .to_path_buf()
        };
        let input = match &meta {
            Some(m) if m.is_file() => {
                LockfileKind::of_path(path).map(|_| ProjectInput::Lockfiles {
                    dir: dir_of(path),
                    files: vec![path.to_path_buf()],
                })
            }
            Some(m) if m.is_dir() => {
                let found = lockfile::find_lockfiles(path);
                if LockfileKind::of_path(path) == Some(LockfileKind::NodeModules) {
                    Some(ProjectInput::Lockfiles {
                        dir: dir_of(path),
                        files: vec![path.to_path_buf()],
                    })
                } else if !found.is_empty() {
                    Some(ProjectInput::Lockfiles {
                        dir: path.to_path_buf(),
                        files: found.into_iter().map(|(_, p)| p).collect(),
                    })
                } else if args.project && path.join("package.json").is_file() {
                    Some(ProjectInput::Ranges {
                        dir: path.to_path_buf(),
                    })
                } else {
                    None
                }
            }
            _ => None,
        };
        match input {
            Some(i) => projects.push((raw.clone(), i)),
            None => packages += 1,
        }
    }
    if projects.is_empty() {
        if args.project {
            return Err(usage(
                "`--project` needs a folder with a `package.json` or a lockfile",
            ));
        }
        return Ok(None);
    }
    if packages > 0 {
        return Err(usage(
            "scan projects (folders with a lockfile, lockfiles, `node_modules`) and single \
             packages in separate runs",
        ));
    }
    Ok(Some(projects))
}

/// Runs a project scan when the inputs are projects; `None` otherwise.
pub fn run_if_project(args: &ScanArgs) -> anyhow::Result<Option<Status>> {
    let Some(projects) = project_inputs(args)? else {
        return Ok(None);
    };
    run(args, projects).map(Some)
}

/// One package to analyse, and how it is reached.
#[derive(Debug, Clone)]
struct Planned {
    package: LockedPackage,
    /// Already resolved (range resolution); else resolved by exact version.
    resolved: Option<ResolvedVersion>,
    project_dir: PathBuf,
    /// The version an older lockfile had (`--diff-against`): the package is
    /// diffed against it.
    diff_from: Option<String>,
}

/// What changed since the older lockfile of `--diff-against`.
#[derive(Debug, Default)]
struct Changed {
    against: String,
    /// `name old → new`, diffed.
    updated: Vec<String>,
    added: Vec<String>,
    removed: Vec<String>,
}

/// Registry packages of the older lockfile (a lockfile or a folder with
/// one), by name.
fn old_versions(path: &Path) -> anyhow::Result<BTreeMap<String, Vec<String>>> {
    let files = if path.is_dir() {
        let found = lockfile::find_lockfiles(path);
        if found.is_empty() {
            return Err(usage(format!(
                "`--diff-against {}`: the folder has no lockfile",
                path.display()
            )));
        }
        found.into_iter().map(|(_, p)| p).collect()
    } else {
        vec![path.to_path_buf()]
    };
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for file in files {
        let lock = read_older_lockfile(&file).map_err(|e| {
            usage(format!(
                "`--diff-against {}`: cannot read `{}`: {e}",
                path.display(),
                file.display()
            ))
        })?;
        for p in lock.packages {
            if matches!(p.source, Source::Registry { .. }) {
                let versions = out.entry(p.name).or_default();
                if !versions.contains(&p.version) {
                    versions.push(p.version);
                }
            }
        }
    }
    Ok(out)
}

/// Reads an older lockfile, whose name is often not a lockfile's
/// (`old-package-lock.json`, `yarn.lock.orig`): the format from the name
/// when it is a lockfile's or contains one's stem, else the first format
/// that parses.
fn read_older_lockfile(file: &Path) -> Result<Lockfile, String> {
    if LockfileKind::of_path(file).is_some() {
        return lockfile::read_lockfile(file).map_err(|e| e.to_string());
    }
    let size = std::fs::metadata(file).map_err(|e| e.to_string())?.len();
    if size > lockfile::MAX_LOCKFILE_BYTES {
        return Err(format!(
            "{size} bytes, over the {} byte limit for lockfiles",
            lockfile::MAX_LOCKFILE_BYTES
        ));
    }
    let text = std::fs::read_to_string(file).map_err(|e| e.to_string())?;
    let name = file
        .file_name()
        .map(|n| n.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    let all = [
        LockfileKind::NpmPackageLock,
        LockfileKind::NpmShrinkwrap,
        LockfileKind::Pnpm,
        LockfileKind::Yarn,
        LockfileKind::Bun,
    ];
    let stem = |k: &LockfileKind| {
        let f = k.file_name();
        f.rsplit_once('.').map_or(f, |(s, _)| s).to_owned()
    };
    let named: Vec<LockfileKind> = all
        .iter()
        .filter(|k| name.contains(&stem(k)))
        .copied()
        .collect();
    let candidates = if named.is_empty() {
        all.to_vec()
    } else {
        named
    };
    let manifests = ProjectManifests::default();
    let mut errors = Vec::new();
    for kind in candidates {
        match lockfile::parse_lockfile(kind, &text, file, &manifests, "project") {
            Ok(lock) => return Ok(lock),
            Err(e) => errors.push(format!("as {kind}: {e}")),
        }
    }
    Err(format!(
        "not a lockfile palisade can read ({})",
        errors.join("; ")
    ))
}

/// The old version to diff a package against: none when the old lockfile
/// had the same version (unchanged) or not the name (added); else the
/// highest old version below the new one, or the lowest above it (a
/// downgrade).
fn diff_base(old: &[String], new: &str) -> Option<String> {
    if old.iter().any(|v| v == new) {
        return None;
    }
    let new_v = Version::parse(new).ok()?;
    let parsed: Vec<(Version, &String)> = old
        .iter()
        .filter_map(|v| Version::parse(v).ok().map(|p| (p, v)))
        .collect();
    parsed
        .iter()
        .filter(|(v, _)| *v < new_v)
        .max_by(|a, b| a.0.cmp(&b.0))
        .or_else(|| parsed.iter().min_by(|a, b| a.0.cmp(&b.0)))
        .map(|(_, s)| (*s).clone())
}

/// Marks the planned packages whose version changed since the older
/// lockfile and lists what was added and removed.
fn plan_diffs(against: &Path, planned: &mut [Planned]) -> anyhow::Result<Changed> {
    let old = old_versions(against)?;
    let mut changed = Changed {
        against: against.display().to_string(),
        ..Changed::default()
    };
    let mut now: HashSet<&str> = HashSet::new();
    for p in planned.iter_mut() {
        if !matches!(p.package.source, Source::Registry { .. }) {
            continue;
        }
        let name = p.package.name.as_str();
        match old.get(name) {
            None => changed.added.push(p.package.id()),
            Some(versions) => {
                if let Some(base) = diff_base(versions, &p.package.version) {
                    changed
                        .updated
                        .push(format!("{name} {base} → {}", p.package.version));
                    p.diff_from = Some(base);
                }
            }
        }
    }
    for p in planned.iter() {
        now.insert(p.package.name.as_str());
    }
    for (name, versions) in &old {
        if !now.contains(name.as_str()) {
            for v in versions {
                changed.removed.push(format!("{name}@{v}"));
            }
        }
    }
    changed.added.sort();
    changed.added.dedup();
    changed.updated.sort();
    changed.updated.dedup();
    Ok(changed)
}

/// What one project scan read and did, for the summary.
#[derive(Debug, Default)]
struct Summary {
    roots: Vec<String>,
    sources: Vec<String>,
    ranges: bool,
    by_kind: BTreeMap<&'static str, usize>,
    errors: usize,
    /// What changed since `--diff-against`.
    changed: Option<Changed>,
}

fn run(args: &ScanArgs, projects: Vec<(String, ProjectInput)>) -> anyhow::Result<Status> {
    let started = Instant::now();
    let limits = args.limits.limits();
    // Known-malicious advisories, the verdict cache and the registry's disk
    // cache, as for single packages (`commands/known.rs`).
    let fingerprint = super::known::options_fingerprint(args.preview, args.facts, &limits);
    let known = Known::new(&args.cache, &fingerprint);
    let registry =
        Registry::new(args.registry.as_deref()).with_cache(known.registry_cache().map_err(usage)?);
    let pypi = super::pypi::PypiIndex::new(args.index_url.as_deref())
        .with_cache(known.registry_cache().map_err(usage)?);
    let engine = Engine::new(EngineOptions {
        preview: args.preview,
        keep_facts: args.facts || args.project_diff || args.diff_against.is_some(),
        ..EngineOptions::default()
    });

    let mut summary = Summary::default();
    let mut report = Report::default();
    let mut planned: Vec<Planned> = Vec::new();
    let mut seen: HashSet<(String, String, String)> = HashSet::new();
    for (raw, input) in projects {
        let (dir, locked) = match input {
            ProjectInput::Lockfiles { dir, files } => {
                let mut locked = Vec::new();
                for file in files {
                    let lock: Lockfile = lockfile::read_lockfile(&file)
                        .map_err(|e| usage(format!("cannot read `{raw}`: {e}")))?;
                    summary.roots.push(lock.root.clone());
                    summary.sources.push(format!(
                        "{} ({} {}, {} packages)",
                        file.display(),
                        lock.kind,
                        lock.format_version,
                        lock.packages.len()
                    ));
                    locked.extend(lock.packages);
                }
                (dir, locked)
            }
            ProjectInput::Ranges { dir } => {
                summary.ranges = true;
                let manifests = ProjectManifests::read(&dir);
                let root = manifests.name().unwrap_or("project").to_owned();
                eprintln!(
                    "note: `{raw}` has no lockfile: its `package.json` ranges are resolved \
                     through the registry, to the versions that would install today"
                );
                summary.roots.push(root.clone());
                summary.sources.push(format!(
                    "{} (no lockfile: ranges resolved through the registry)",
                    dir.join("package.json").display()
                ));
                let resolved = resolve_ranges(&registry, &manifests, &root, &mut report)?;
                for (package, r) in resolved {
                    if seen.insert(key(&package)) {
                        planned.push(Planned {
                            package,
                            resolved: r,
                            project_dir: dir.clone(),
                            diff_from: None,
                        });
                    }
                }
                continue;
            }
        };
        for package in locked {
            if seen.insert(key(&package)) {
                planned.push(Planned {
                    package,
                    resolved: None,
                    project_dir: dir.clone(),
                    diff_from: None,
                });
            }
        }
    }
    for p in &planned {
        *summary.by_kind.entry(p.package.source.kind()).or_default() += 1;
    }
    if let Some(against) = &args.diff_against {
        summary.changed = Some(plan_diffs(against, &mut planned)?);
    }

    let total = planned.len();
    let done = AtomicUsize::new(0);
    let progress = std::io::stderr().is_terminal() && total > 1;
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(args.jobs.clamp(1, 64))
        .thread_name(|i| format!("palisade-fetch-{i}"))
        .build()
        .map_err(|e| anyhow::anyhow!("cannot start the worker threads: {e}"))?;
    let results: Vec<Option<Result<PackageReport, InputError>>> = pool.install(|| {
        planned
            .par_iter()
            .map(|p| {
                let result = scan_one(args, &known, &registry, &pypi, &engine, &limits, p);
                let n = done.fetch_add(1, Ordering::Relaxed) + 1;
                if progress {
                    let mut err = std::io::stderr().lock();
                    let _ = write!(err, "\r\x1b[2K[{n}/{total}] {}", printable(&p.package.id()));
                    let _ = err.flush();
                }
                result
            })
            .collect()
    });
    if progress {
        eprint!("\r\x1b[2K");
    }
    for r in results.into_iter().flatten() {
        match r {
            Ok(p) => report.packages.push(p),
            Err(e) => {
                eprintln!("error: {}: {}", printable(&e.input), printable(&e.error));
                summary.errors += 1;
                report.errors.push(e);
            }
        }
    }
    report.packages.sort_by(|a, b| {
        b.verdict
            .cmp(&a.verdict)
            .then_with(|| a.name.cmp(&b.name))
            .then_with(|| a.version.cmp(&b.version))
    });

    let elapsed = started.elapsed();
    let text = render_project(args, &report, &summary, elapsed);
    match &args.output {
        Some(path) => output::write_file(path, &text).map_err(|e| usage(format!("{e:#}")))?,
        None => output::print(&text)?,
    }
    Ok(super::scan::exit_status(&report, args.fail_on))
}

/// Names and messages from a lockfile on the terminal: control characters
/// (escape sequences among them) are shown as `?`.
fn printable(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_control() { '?' } else { c })
        .collect()
}

fn key(p: &LockedPackage) -> (String, String, String) {
    (p.name.clone(), p.version.clone(), p.source.to_string())
}

/// Scans one planned package; `None` for what is analysed with its parent.
fn scan_one(
    args: &ScanArgs,
    known: &Known,
    registry: &Registry<'_>,
    pypi: &super::pypi::PypiIndex<'_>,
    engine: &Engine,
    limits: &Limits,
    planned: &Planned,
) -> Option<Result<PackageReport, InputError>> {
    let locked = &planned.package;
    let error = |error: String| InputError {
        input: format!("{} ({})", locked.id(), locked.path_text()),
        error,
    };
    let mut report = match &locked.source {
        Source::Bundled => return None,
        Source::Registry { .. } => {
            match scan_registry(args, known, registry, engine, limits, planned) {
                Ok(report) => report,
                Err(e) => return Some(Err(error(e))),
            }
        }
        Source::Installed { dir } => match scan_folder(known, engine, limits, locked, dir) {
            Ok(report) => report,
            Err(e) => return Some(Err(error(e))),
        },
        Source::Workspace { path } | Source::Local { path } => {
            let dir = planned.project_dir.join(path);
            if !dir.is_dir() {
                return Some(Err(error(format!(
                    "the {} folder `{}` is not there",
                    locked.source.kind(),
                    dir.display()
                ))));
            }
            // A lockfile is outside data: it does not get to make palisade
            // read (and quote from) folders outside the project.
            let inside = std::fs::canonicalize(&dir)
                .ok()
                .zip(std::fs::canonicalize(&planned.project_dir).ok())
                .is_some_and(|(d, root)| d.starts_with(root));
            if !inside {
                return Some(Err(error(format!(
                    "the {} folder `{}` is outside the project; it is not read",
                    locked.source.kind(),
                    dir.display()
                ))));
            }
            match scan_folder(known, engine, limits, locked, &dir) {
                Ok(report) => report,
                Err(e) => return Some(Err(error(e))),
            }
        }
        Source::Git { url } | Source::Tarball { url } => remote_report(locked, url),
        Source::Pypi { hashes } => {
            let scanned = pypi
                .scan_locked(known, engine, limits, &locked.name, &locked.version, hashes)
                .or_else(|e| {
                    // A pinned release gone from the index is still known
                    // to be malicious.
                    let source = format!("pypi:{}=={}", locked.name, locked.version);
                    known
                        .advisory_report(PYPI, &locked.name, &locked.version, &source, &e)
                        .ok_or(e)
                });
            match scanned {
                Ok(report) => report,
                Err(e) => return Some(Err(error(e))),
            }
        }
        Source::Unpinned { requirement } => unpinned_report(locked, requirement),
        _ => return Some(Err(error(format!("unsupported source: {}", locked.source)))),
    };
    if matches!(locked.source, Source::Registry { .. }) {
        report.source = locked.id();
    }
    report.name.clone_from(&locked.name);
    report.version.clone_from(&locked.version);
    report.dependency_path.clone_from(&locked.path);
    Some(Ok(report))
}

/// A folder on disk (installed, a workspace, a local dependency), through
/// the known-malicious check.
fn scan_folder(
    known: &Known,
    engine: &Engine,
    limits: &Limits,
    locked: &LockedPackage,
    dir: &Path,
) -> Result<PackageReport, String> {
    let package = palisade_package::read_path(dir, limits).map_err(|e| e.to_string())?;
    let source = dir.display().to_string();
    let subject = Subject {
        name: Some(&locked.name),
        version: Some(&locked.version),
        source: &source,
        ..Subject::default()
    };
    known.check(&subject, || {
        let mut report = engine.scan(&package);
        report.source.clone_from(&source);
        Ok(report)
    })
}

/// A registry package at its exact locked version, through the
/// known-malicious check and the verdict cache (keyed by the tarball's
/// integrity; not used when the package is diffed). The lockfile's `integrity`
/// is compared with the registry's digest when they share an algorithm,
/// else with the downloaded bytes (then not on a cached verdict).
fn scan_registry(
    args: &ScanArgs,
    known: &Known,
    registry: &Registry<'_>,
    engine: &Engine,
    limits: &Limits,
    planned: &Planned,
) -> Result<PackageReport, String> {
    let locked = &planned.package;
    let client = registry.client()?;
    let resolved = match &planned.resolved {
        Some(r) => r.clone(),
        None => {
            let version = Version::parse(&locked.version).map_err(|e| {
                format!(
                    "the locked version `{}` is not a version: {e}",
                    locked.version
                )
            })?;
            let spec = PackageSpec {
                name: locked.name.clone(),
                req: VersionReq::Exact(version),
            };
            client.resolve(&spec).map_err(|e| e.to_string())?
        }
    };
    let origin = format!("{}@{}", resolved.name, resolved.version);
    let early = digest_check(locked, &resolved);
    let needs_bytes = early.is_err();
    let mut late: Option<Finding> = None;
    let diffed = args.project_diff || planned.diff_from.is_some();
    let subject = Subject {
        name: Some(&resolved.name),
        version: Some(&resolved.version),
        integrity: if diffed {
            None
        } else {
            resolved.integrity.as_deref()
        },
        context: "diff=off",
        source: &origin,
        python: false,
    };
    let mut report = known.check(&subject, || {
        let bytes = client.fetch_tarball(&resolved).map_err(|e| e.to_string())?;
        if needs_bytes {
            late = locked
                .integrity
                .as_deref()
                .and_then(|sri| integrity_finding(locked, sri, &bytes));
        }
        let package = palisade_package::read_bytes(&bytes, &origin, limits)
            .ok_or_else(|| format!("`{origin}`: the registry's tarball is not an archive"))?;
        let mut report = engine.scan(&package);
        report.integrity.clone_from(&resolved.integrity);
        if let Some(old) = &planned.diff_from {
            super::diff::add_version_diff(registry, limits, &package, &mut report, old);
        } else if args.project_diff {
            super::diff::add_previous_version_diff(registry, limits, &package, &mut report);
        }
        Ok(report)
    })?;
    if let Some(finding) = early.ok().flatten().or(late) {
        add_findings(&mut report, vec![finding]);
    }
    if args.project_metadata && !args.no_metadata {
        // Metadata depends on the registry and the clock, not the tarball:
        // added after the verdict cache, like for single registry scans.
        let options = palisade_linter::metadata::MetadataOptions {
            recent_hours: args.recent_hours,
            ..Default::default()
        };
        if let Ok(version) = Version::parse(&resolved.version) {
            let input = super::input::Input::Spec(PackageSpec {
                name: resolved.name.clone(),
                req: VersionReq::Exact(version),
            });
            super::metadata::add_metadata_findings(registry, &input, &options, &mut report);
        }
    }
    Ok(report)
}

/// The lockfile's `integrity` against the registry's digest, without the
/// bytes: `Ok(None)` when they agree (or the lockfile has none palisade
/// knows), `Ok(Some)` a mismatch finding, `Err` when they share no
/// algorithm and the bytes must decide.
fn digest_check(locked: &LockedPackage, resolved: &ResolvedVersion) -> Result<Option<Finding>, ()> {
    let Some(sri) = locked.integrity.as_deref() else {
        return Ok(None);
    };
    let Some(lock) = Integrity::parse(sri) else {
        return Ok(None);
    };
    let registry = resolved
        .integrity
        .as_deref()
        .and_then(Integrity::parse)
        .or_else(|| resolved.shasum.as_deref().and_then(Integrity::from_shasum))
        .ok_or(())?;
    let (lock_algorithm, lock_digest) = lock.strongest_digest();
    let (registry_algorithm, registry_digest) = registry.strongest_digest();
    if lock_algorithm != registry_algorithm {
        return Err(());
    }
    if lock_digest == registry_digest {
        return Ok(None);
    }
    Ok(Some(mismatch_finding(
        locked,
        sri,
        resolved.integrity.as_deref().unwrap_or("?"),
    )))
}

fn mismatch_finding(locked: &LockedPackage, expected: &str, actual: &str) -> Finding {
    Finding::new(
        INTEGRITY_MISMATCH,
        Severity::High,
        format!(
            "the registry's tarball of `{}` does not match the lockfile: expected `{expected}`, got `{actual}`",
            locked.id(),
        ),
    )
    .with_help(
        "find out who changed the lockfile's `integrity` or what the registry serves; \
         `npm ci` refuses this install",
    )
    .with_capability("integrity")
}

/// `lockfile/integrity-mismatch` when `bytes` do not match the lockfile's
/// `sri`; an `sri` with no digest palisade knows is not checked.
fn integrity_finding(locked: &LockedPackage, sri: &str, bytes: &[u8]) -> Option<Finding> {
    let expected = Integrity::parse(sri)?;
    let mismatch = expected.verify(bytes).err()?;
    Some(mismatch_finding(
        locked,
        &mismatch.expected,
        &mismatch.actual,
    ))
}

/// The report of an unpinned Python requirement: not fetched, one finding.
fn unpinned_report(locked: &LockedPackage, requirement: &str) -> PackageReport {
    let finding = Finding::new(
        UNPINNED_REQUIREMENT,
        Severity::Medium,
        format!(
            "`{requirement}` does not pin one version: what installs changes with every \
             release; palisade did not fetch or analyse it"
        ),
    )
    .with_help(
        "pin it with `==` (and `--hash`), or lock the project with `uv lock` or `poetry lock`",
    );
    let mut report = PackageReport {
        name: locked.name.clone(),
        version: String::new(),
        source: requirement.to_owned(),
        integrity: None,
        verdict: Verdict::Clean,
        score: 0,
        findings: Vec::new(),
        stats: palisade_diagnostics::ScanStats::default(),
        facts: None,
        cached: false,
        dependency_path: locked.path.clone(),
    };
    add_findings(&mut report, vec![finding]);
    report
}

/// The report of a git or tarball-URL dependency: not fetched, one finding.
fn remote_report(locked: &LockedPackage, url: &str) -> PackageReport {
    let plain_http = url.to_ascii_lowercase().contains("http://");
    let what = match locked.source {
        Source::Git { .. } => "a git repository",
        _ => "a tarball URL",
    };
    let finding = Finding::new(
        NON_REGISTRY_SOURCE,
        if plain_http {
            Severity::High
        } else {
            Severity::Medium
        },
        format!(
            "`{}` comes from {what}{}, not the registry: `{url}`; palisade did not fetch or analyse it",
            locked.alias.as_deref().unwrap_or(&locked.name),
            if plain_http { " over plain HTTP" } else { "" },
        ),
    )
    .with_help("depend on a published registry version, or scan the source yourself");
    let mut report = PackageReport {
        name: locked.name.clone(),
        version: locked.version.clone(),
        source: url.to_owned(),
        integrity: locked.integrity.clone(),
        verdict: Verdict::Clean,
        score: 0,
        findings: Vec::new(),
        stats: palisade_diagnostics::ScanStats::default(),
        facts: None,
        cached: false,
        dependency_path: locked.path.clone(),
    };
    add_findings(&mut report, vec![finding]);
    report
}

fn add_findings(report: &mut PackageReport, findings: Vec<Finding>) {
    report.findings.extend(findings);
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

/// Without a lockfile: resolves the manifests' ranges through the registry,
/// breadth first (the project's dev dependencies included, not its
/// dependencies'), each `name@version` once.
fn resolve_ranges(
    registry: &Registry<'_>,
    manifests: &ProjectManifests,
    root: &str,
    report: &mut Report,
) -> anyhow::Result<Vec<(LockedPackage, Option<ResolvedVersion>)>> {
    let Some(manifest) = &manifests.root else {
        return Err(usage("no readable `package.json`"));
    };
    let client = registry.client().map_err(usage)?;
    let mut out: Vec<(LockedPackage, Option<ResolvedVersion>)> = Vec::new();
    let mut seen: HashSet<String> = HashSet::new();
    // (installed name, spec, path so far, dev)
    let mut queue: VecDeque<(String, String, Vec<String>, bool)> = VecDeque::new();
    for (section, name, spec) in manifest.dependencies() {
        if section == "peerDependencies" {
            continue;
        }
        queue.push_back((
            name.to_owned(),
            spec.to_owned(),
            vec![root.to_owned()],
            section == "devDependencies",
        ));
    }
    while let Some((installed, spec, parent_path, dev)) = queue.pop_front() {
        if out.len() >= MAX_RESOLVED_PACKAGES {
            eprintln!(
                "warning: more than {MAX_RESOLVED_PACKAGES} packages; the rest are not resolved"
            );
            break;
        }
        let mut path = parent_path.clone();
        path.push(installed.clone());
        let (name, range) = match spec.strip_prefix("npm:").and_then(|s| {
            s.get(1..)
                .and_then(|t| t.find('@'))
                .map(|at| (&s[..=at], &s[at + 2..]))
        }) {
            Some((real, range)) => (real.to_owned(), range.to_owned()),
            None => match spec.strip_prefix("npm:") {
                Some(real) => (real.to_owned(), String::new()),
                None => (installed.clone(), spec.clone()),
            },
        };
        let lower = range.to_ascii_lowercase();
        let remote = ["git", "http:", "https:", "github:", "gitlab:", "bitbucket:"]
            .iter()
            .any(|p| lower.starts_with(p))
            || (range.contains('/')
                && !range.contains(' ')
                && !range.starts_with("file:")
                && !range.starts_with("link:")
                && !range.starts_with("workspace:"));
        if remote {
            if seen.insert(format!("{name}@{range}")) {
                let source = if lower.starts_with("http") && !lower.ends_with(".git") {
                    Source::Tarball { url: range.clone() }
                } else {
                    Source::Git { url: range.clone() }
                };
                out.push((locked(&name, &range, &installed, source, path, dev), None));
            }
            continue;
        }
        if ["file:", "link:", "workspace:", "portal:"]
            .iter()
            .any(|p| range.starts_with(p))
        {
            continue;
        }
        let text = if range.is_empty() {
            name.clone()
        } else {
            format!("{name}@{range}")
        };
        let resolved = text
            .parse::<PackageSpec>()
            .map_err(|e| e.to_string())
            .and_then(|s| client.resolve(&s).map_err(|e| e.to_string()));
        let resolved = match resolved {
            Ok(r) => r,
            Err(error) => {
                eprintln!("error: {text} ({}): {error}", path.join(" > "));
                report.errors.push(InputError {
                    input: format!("{text} ({})", path.join(" > ")),
                    error,
                });
                continue;
            }
        };
        let id = format!("{}@{}", resolved.name, resolved.version);
        if !seen.insert(id) {
            continue;
        }
        let manifest = resolved.manifest.clone();
        let mut package = locked(
            &resolved.name,
            &resolved.version,
            &installed,
            Source::Registry {
                resolved: Some(resolved.tarball.to_string()),
            },
            path.clone(),
            dev,
        );
        package.integrity.clone_from(&resolved.integrity);
        out.push((package, Some(resolved)));
        for (dep, spec) in manifest
            .dependencies
            .iter()
            .chain(manifest.optional_dependencies.iter())
        {
            queue.push_back((dep.clone(), spec.clone(), path.clone(), dev));
        }
    }
    Ok(out)
}

fn locked(
    name: &str,
    version: &str,
    installed: &str,
    source: Source,
    path: Vec<String>,
    dev: bool,
) -> LockedPackage {
    LockedPackage {
        name: name.to_owned(),
        version: version.to_owned(),
        alias: (installed != name).then(|| installed.to_owned()),
        source,
        integrity: None,
        dev,
        optional: false,
        path,
    }
}

/// The lockfile findings' metadata, for SARIF.
pub fn rule_infos() -> Vec<RuleInfo> {
    vec![
        RuleInfo::new(
            INTEGRITY_MISMATCH,
            "The registry's tarball does not match the lockfile's integrity",
        )
        .with_severity(Severity::High),
        RuleInfo::new(
            NON_REGISTRY_SOURCE,
            "A locked dependency comes from git or a tarball URL instead of the registry",
        )
        .with_severity(Severity::Medium),
    ]
}

/// The report in the chosen format, with the project summary: appended
/// to text, a `project` object in JSON.
fn render_project(
    args: &ScanArgs,
    report: &Report,
    summary: &Summary,
    elapsed: Duration,
) -> String {
    let rules: Vec<RuleInfo> = Engine::rules()
        .iter()
        .map(|r| {
            let m = r.meta();
            RuleInfo::new(m.id, m.summary).with_severity(m.severity)
        })
        .chain(palisade_linter::diff::rule_infos())
        .chain(rule_infos())
        .collect();
    let format = match args.format {
        OutputFormat::Text => Format::Text,
        OutputFormat::Json => Format::Json,
        OutputFormat::Sarif => Format::Sarif,
    };
    let options = RenderOptions {
        color: args.output.is_none() && format == Format::Text && output::stdout_color(),
        facts: args.facts,
        rules: &rules,
    };
    let count = |v: Verdict| report.packages.iter().filter(|p| p.verdict == v).count();
    let kinds: Vec<String> = summary
        .by_kind
        .iter()
        .map(|(k, n)| format!("{n} {k}"))
        .collect();
    let resolution = if summary.ranges {
        "ranges resolved through the registry (no lockfile): the versions that would install today"
    } else {
        "exact versions from the lockfile"
    };
    match format {
        Format::Text => {
            let mut text = render::render(report, format, options);
            text.push_str(&format!(
                "project {}: {}\n  {}\n  packages: {} ({}); {} malicious, {} suspicious, {} clean; {} not scanned\n  time: {:.1} s\n",
                summary.roots.join(", "),
                summary.sources.join("; "),
                resolution,
                summary.by_kind.values().sum::<usize>(),
                kinds.join(", "),
                count(Verdict::Malicious),
                count(Verdict::Suspicious),
                count(Verdict::Clean),
                summary.errors,
                elapsed.as_secs_f64(),
            ));
            if let Some(c) = &summary.changed {
                text.push_str(&changed_text(c));
            }
            text
        }
        Format::Json => {
            let text = render::render(report, format, options);
            let Ok(mut value) = serde_json::from_str::<serde_json::Value>(&text) else {
                return text;
            };
            if let Some(obj) = value.as_object_mut() {
                let mut project = serde_json::json!({
                    "roots": summary.roots,
                    "sources": summary.sources,
                    "resolution": if summary.ranges { "registry-ranges" } else { "lockfile" },
                    "packages": summary.by_kind,
                    "verdicts": {
                        "malicious": count(Verdict::Malicious),
                        "suspicious": count(Verdict::Suspicious),
                        "clean": count(Verdict::Clean),
                    },
                    "errors": summary.errors,
                    "seconds": (elapsed.as_secs_f64() * 1000.0).round() / 1000.0,
                });
                if let (Some(c), Some(p)) = (&summary.changed, project.as_object_mut()) {
                    p.insert(
                        "changed".to_owned(),
                        serde_json::json!({
                            "against": c.against,
                            "updated": c.updated,
                            "added": c.added,
                            "removed": c.removed,
                        }),
                    );
                }
                obj.insert("project".to_owned(), project);
            }
            serde_json::to_string_pretty(&value).map_or(text, |t| t + "\n")
        }
        Format::Sarif => render::render(report, format, options),
    }
}

/// The `--diff-against` part of the text summary.
fn changed_text(c: &Changed) -> String {
    let list = |items: &[String]| {
        const SHOWN: usize = 20;
        let mut s = items
            .iter()
            .take(SHOWN)
            .map(|i| printable(i))
            .collect::<Vec<_>>()
            .join(", ");
        if items.len() > SHOWN {
            s.push_str(&format!(", … and {} more", items.len() - SHOWN));
        }
        s
    };
    let mut out = format!(
        "  since {}: {} updated (diffed), {} added, {} removed
",
        printable(&c.against),
        c.updated.len(),
        c.added.len(),
        c.removed.len()
    );
    for (label, items) in [
        ("updated", &c.updated),
        ("added", &c.added),
        ("removed", &c.removed),
    ] {
        if !items.is_empty() {
            out.push_str(&format!(
                "    {label}: {}
",
                list(items)
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn package(source: Source) -> LockedPackage {
        locked(
            "echo",
            "0.1.0",
            "echo",
            source,
            vec!["app".into(), "echo".into()],
            false,
        )
    }

    #[test]
    fn terminal_text_has_no_escapes() {
        assert_eq!(printable("a\u{1b}[2Jb\r"), "a?[2Jb?");
    }

    #[test]
    fn remote_sources_are_findings() {
        let r = remote_report(
            &package(Source::Git {
                url: "git+https://git.invalid/o/echo.git".into(),
            }),
            "git+https://git.invalid/o/echo.git",
        );
        assert_eq!(r.findings[0].rule, NON_REGISTRY_SOURCE);
        assert_eq!(r.findings[0].severity, Severity::Medium);
        assert_eq!(r.dependency_path, ["app", "echo"]);
        let r = remote_report(
            &package(Source::Tarball {
                url: "http://files.invalid/e.tgz".into(),
            }),
            "http://files.invalid/e.tgz",
        );
        assert_eq!(r.verdict, Verdict::Suspicious);
        assert!(r.findings[0].message.contains("plain HTTP"));
    }

    #[test]
    fn integrity_is_checked_when_usable() {
        let p = package(Source::Registry { resolved: None });
        let good = palisade_test_sri(b"bytes");
        assert!(integrity_finding(&p, &good, b"bytes").is_none());
        let f = integrity_finding(&p, &good, b"other").expect("mismatch");
        assert_eq!(f.rule, INTEGRITY_MISMATCH);
        assert!(f.message.contains("sha512-"), "{}", f.message);
        assert!(integrity_finding(&p, "not-a-digest", b"other").is_none());
    }

    fn palisade_test_sri(bytes: &[u8]) -> String {
        palisade_test::sri_sha512(bytes)
    }
}
