//! Scanning a set and folding the results into a [`SetReport`].

use std::collections::BTreeMap;
use std::path::Path;
use std::time::{Duration, Instant};

use palisade_diagnostics::{PackageReport, Severity, Verdict};
use palisade_linter::Engine;
use palisade_package::Limits;

use crate::model::{
    FiredRule, FlaggedPackage, Largest, PackageRow, Perf, Rates, RuleCount, RuleRow, SetReport,
    VerdictCounts,
};
use crate::stats::{ms, quantile};
use crate::{Label, SetSpec};

/// Settings for [`evaluate_set`].
#[derive(Debug, Clone, Default)]
pub struct EvalOptions {
    pub limits: Limits,
    /// Scan only the first `limit` entries (sorted), for quick runs.
    pub limit: Option<usize>,
    /// Each entry is a `.py` file to wrap as a one-module package, with its
    /// comments blanked out ([`python_file_package`]).
    pub python_files: bool,
}

/// What happened to one entry of a set.
#[derive(Debug, Clone)]
pub enum Outcome {
    Scanned {
        entry: String,
        /// Unpacked bytes read.
        bytes: u64,
        /// Read + scan.
        elapsed: Duration,
        report: Box<PackageReport>,
    },
    /// The entry could not be read at all (not an archive, I/O error).
    Unreadable { entry: String, error: String },
}

impl Outcome {
    pub fn entry(&self) -> &str {
        match self {
            Outcome::Scanned { entry, .. } | Outcome::Unreadable { entry, .. } => entry,
        }
    }
}

/// Reads and scans every entry of a set on the calling thread, in sorted
/// order, timing read + scan per package. Samples are read only through
/// [`palisade_package::read_path`], in memory.
///
/// `progress` is called after each package with (done, total).
pub fn evaluate_set(
    engine: &Engine,
    entries: &[std::path::PathBuf],
    options: &EvalOptions,
    mut progress: impl FnMut(usize, usize),
) -> (Vec<Outcome>, Duration) {
    let entries = match options.limit {
        Some(n) => &entries[..n.min(entries.len())],
        None => entries,
    };
    let mut outcomes = Vec::with_capacity(entries.len());
    let start = Instant::now();
    for (i, path) in entries.iter().enumerate() {
        outcomes.push(if options.python_files {
            scan_python_file(engine, path, &options.limits)
        } else {
            scan_one(engine, path, &options.limits)
        });
        progress(i + 1, entries.len());
    }
    (outcomes, start.elapsed())
}

fn scan_one(engine: &Engine, path: &Path, limits: &Limits) -> Outcome {
    let entry = path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    let start = Instant::now();
    match palisade_package::read_path(path, limits) {
        Ok(package) => {
            let report = Box::new(engine.scan(&package));
            let elapsed = start.elapsed();
            Outcome::Scanned {
                entry,
                bytes: package.unpacked_bytes,
                elapsed,
                report,
            }
        }
        Err(e) => Outcome::Unreadable {
            entry,
            error: e.to_string(),
        },
    }
}

/// Wraps one Python source file as an in-memory package: the file, with
/// every `#` comment blanked out, as `<stem>.py`, beside a `pyproject.toml`
/// that names the package after the file. Comments go so that no rule can
/// key on them (the malicious corpus annotates its samples); docstrings stay,
/// as they are tool descriptions.
pub fn python_file_package(origin: &str, stem: &str, source: &[u8]) -> palisade_package::Package {
    let text = String::from_utf8_lossy(source);
    let stripped = palisade_linter::strip_python_comments(&text);
    let name: String = stem
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    let files = vec![
        palisade_package::PackageFile {
            path: format!(
                "{}.py",
                stem.replace(|c: char| !c.is_ascii_alphanumeric() && c != '_', "_")
            ),
            data: stripped.into_bytes(),
            executable: false,
        },
        palisade_package::PackageFile {
            path: "pyproject.toml".to_owned(),
            data: format!("[project]\nname = \"{name}\"\nversion = \"0.0.0\"\n").into_bytes(),
            executable: false,
        },
    ];
    palisade_package::Package::from_files(origin, files)
}

fn scan_python_file(engine: &Engine, path: &Path, limits: &Limits) -> Outcome {
    let entry = path
        .parent()
        .and_then(Path::file_name)
        .map(|d| format!("{}/", d.to_string_lossy()))
        .unwrap_or_default()
        + &path
            .file_name()
            .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
    let start = Instant::now();
    let unreadable = |error: String| Outcome::Unreadable {
        entry: entry.clone(),
        error,
    };
    let size = match std::fs::metadata(path) {
        Ok(m) => m.len(),
        Err(e) => return unreadable(format!("`{}`: {e}", path.display())),
    };
    if size > limits.max_file_bytes {
        return unreadable(format!(
            "`{}` is {size} bytes, over the limit of {}",
            path.display(),
            limits.max_file_bytes
        ));
    }
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) => return unreadable(format!("`{}`: {e}", path.display())),
    };
    let stem = path
        .file_stem()
        .map_or_else(|| "module".to_owned(), |s| s.to_string_lossy().into_owned());
    let package = python_file_package(&path.display().to_string(), &stem, &bytes);
    let report = Box::new(engine.scan(&package));
    Outcome::Scanned {
        entry,
        bytes: package.unpacked_bytes,
        elapsed: start.elapsed(),
        report,
    }
}

/// Folds a set's outcomes into its report. `wall` is the time the whole
/// set took (read + scan of every package, one thread).
pub fn summarise(spec: &SetSpec, outcomes: &[Outcome], wall: Duration) -> SetReport {
    let mut outcomes: Vec<&Outcome> = outcomes.iter().collect();
    outcomes.sort_by(|a, b| a.entry().cmp(b.entry()));

    let mut counts = VerdictCounts {
        total: outcomes.len(),
        ..VerdictCounts::default()
    };
    let mut flagged = Vec::new();
    let mut packages = Vec::with_capacity(outcomes.len());
    let mut times = Vec::new();
    let mut bytes = 0u64;
    let mut largest: Option<Largest> = None;
    let mut slowest: Option<(Duration, &str)> = None;

    for outcome in &outcomes {
        match outcome {
            Outcome::Scanned {
                entry,
                bytes: b,
                elapsed,
                report,
            } => {
                match report.verdict {
                    Verdict::Clean => counts.clean += 1,
                    Verdict::Suspicious => counts.suspicious += 1,
                    Verdict::Malicious => counts.malicious += 1,
                }
                bytes += b;
                times.push(*elapsed);
                if largest.as_ref().is_none_or(|l| *b > l.bytes) {
                    largest = Some(Largest {
                        entry: entry.clone(),
                        bytes: *b,
                    });
                }
                if slowest.is_none_or(|(t, _)| *elapsed > t) {
                    slowest = Some((*elapsed, entry));
                }
                let fired = fired_rules(report);
                let disagrees = match spec.label {
                    Label::Benign => report.verdict != Verdict::Clean,
                    Label::Malicious => report.verdict != Verdict::Malicious,
                };
                if disagrees {
                    let rules = match spec.label {
                        Label::Benign => fired
                            .iter()
                            .filter(|r| r.severity >= Severity::High)
                            .cloned()
                            .collect(),
                        Label::Malicious => fired.clone(),
                    };
                    flagged.push(FlaggedPackage {
                        entry: entry.clone(),
                        name: report.name.clone(),
                        version: report.version.clone(),
                        verdict: Some(report.verdict),
                        error: None,
                        rules,
                    });
                }
                packages.push(PackageRow {
                    entry: entry.clone(),
                    name: report.name.clone(),
                    version: report.version.clone(),
                    verdict: Some(report.verdict),
                    score: report.score,
                    bytes: *b,
                    ms: ms(*elapsed),
                    rules: fired.into_iter().map(|r| r.rule).collect(),
                    error: None,
                });
            }
            Outcome::Unreadable { entry, error } => {
                counts.errors += 1;
                if spec.label == Label::Malicious {
                    flagged.push(FlaggedPackage {
                        entry: entry.clone(),
                        name: String::new(),
                        version: String::new(),
                        verdict: None,
                        error: Some(error.clone()),
                        rules: Vec::new(),
                    });
                }
                packages.push(PackageRow {
                    entry: entry.clone(),
                    name: String::new(),
                    version: String::new(),
                    verdict: None,
                    score: 0,
                    bytes: 0,
                    ms: 0.0,
                    rules: Vec::new(),
                    error: Some(error.clone()),
                });
            }
        }
    }

    times.sort_unstable();
    let seconds = wall.as_secs_f64();
    let per_sec = |x: f64| if seconds > 0.0 { x / seconds } else { 0.0 };
    let perf = Perf {
        packages: times.len(),
        bytes,
        seconds,
        packages_per_sec: per_sec(times.len() as f64),
        mb_per_sec: per_sec(bytes as f64 / 1e6),
        p50_ms: quantile(&times, 0.5).map_or(0.0, ms),
        p95_ms: quantile(&times, 0.95).map_or(0.0, ms),
        max_ms: times.last().copied().map_or(0.0, ms),
        slowest: slowest.map(|(_, e)| e.to_owned()),
        largest,
    };
    let share = |n: usize| {
        if counts.total == 0 {
            0.0
        } else {
            n as f64 / counts.total as f64
        }
    };
    let rates = Rates {
        malicious: share(counts.malicious),
        suspicious: share(counts.suspicious),
        suspicious_or_worse: share(counts.suspicious + counts.malicious),
    };
    SetReport {
        name: spec.name.clone(),
        label: spec.label,
        path: spec.path.display().to_string(),
        counts,
        rates,
        flagged,
        perf,
        whole_process: None,
        guarddog: None,
        packages,
    }
}

/// A package's findings folded per rule, sorted by rule id.
pub fn fired_rules(report: &PackageReport) -> Vec<FiredRule> {
    let mut by_rule: BTreeMap<&str, FiredRule> = BTreeMap::new();
    for f in &report.findings {
        let entry = by_rule.entry(f.rule.as_str()).or_insert_with(|| FiredRule {
            rule: f.rule.clone(),
            severity: f.severity,
            deciding: false,
            preview: f.preview,
            findings: 0,
        });
        entry.severity = entry.severity.max(f.severity);
        entry.deciding |= f.deciding;
        entry.preview &= f.preview;
        entry.findings += 1;
    }
    by_rule.into_values().collect()
}

/// How many packages of each set each rule fired on, from the sets'
/// outcomes (in the given set order), sorted by rule id.
pub fn rule_table(sets: &[(&str, &[Outcome])]) -> Vec<RuleRow> {
    let mut rows: BTreeMap<String, Vec<RuleCount>> = BTreeMap::new();
    for (i, (_, outcomes)) in sets.iter().enumerate() {
        for outcome in *outcomes {
            let Outcome::Scanned { report, .. } = outcome else {
                continue;
            };
            let mut seen: BTreeMap<&str, (bool, bool, bool)> = BTreeMap::new();
            for f in &report.findings {
                let e = seen.entry(f.rule.as_str()).or_default();
                e.0 |= !f.preview;
                e.1 |= f.preview;
                e.2 |= f.severity >= Severity::High;
            }
            for (rule, (stable, preview, high)) in seen {
                let row = rows.entry(rule.to_owned()).or_insert_with(|| {
                    sets.iter()
                        .map(|(s, _)| RuleCount {
                            set: (*s).to_owned(),
                            ..RuleCount::default()
                        })
                        .collect()
                });
                if let Some(count) = row.get_mut(i) {
                    count.stable += usize::from(stable);
                    count.preview += usize::from(preview);
                    count.high += usize::from(high);
                }
            }
        }
    }
    rows.into_iter()
        .map(|(rule, sets)| RuleRow { rule, sets })
        .collect()
}
