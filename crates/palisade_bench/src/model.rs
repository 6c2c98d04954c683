//! The evaluation report: what `palisade-eval` prints and writes as JSON.
//!
//! Lists are sorted (packages by entry name, rules by id) so two runs over
//! the same sets give the same report, timings aside.

use palisade_diagnostics::{Severity, Verdict};
use serde::{Deserialize, Serialize};

use crate::Label;

/// One run of the evaluation over every set.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EvalReport {
    /// palisade's version (the `palisade_bench` crate's, same workspace).
    pub palisade_version: String,
    /// Whether `preview` rules were allowed to decide verdicts.
    pub preview: bool,
    /// The engine's own analysis pool: `RAYON_NUM_THREADS=N` when set, else
    /// one thread per core. Packages are fed from one thread either way.
    pub engine_threads: String,
    pub sets: Vec<SetReport>,
    /// How many packages of each set each rule fired on, sorted by rule id.
    pub rules: Vec<RuleRow>,
    /// Peak resident memory of the evaluation process (`VmHWM`, KiB). It is
    /// process-wide: the largest package read plus everything kept.
    pub peak_memory_kib: Option<u64>,
}

/// The results for one set.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SetReport {
    pub name: String,
    pub label: Label,
    pub path: String,
    pub counts: VerdictCounts,
    pub rates: Rates,
    /// Benign set: packages rated suspicious or malicious. Malicious set:
    /// packages not rated malicious. Sorted by entry.
    pub flagged: Vec<FlaggedPackage>,
    /// In-process, single-thread speed.
    pub perf: Perf,
    /// Whole-process time of the `palisade` binary, when measured.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub whole_process: Option<WholeProcess>,
    /// GuardDog's figures for the same set, when given.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub guarddog: Option<GuardDogSummary>,
    /// Every package, sorted by entry.
    pub packages: Vec<PackageRow>,
}

/// Packages per verdict; `errors` are entries that could not be read at all.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct VerdictCounts {
    pub total: usize,
    pub clean: usize,
    pub suspicious: usize,
    pub malicious: usize,
    pub errors: usize,
}

/// Shares of `total` (0.0..=1.0). Unreadable entries count in the total, so
/// they lower a detection rate.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Rates {
    pub malicious: f64,
    pub suspicious: f64,
    pub suspicious_or_worse: f64,
}

/// A package whose verdict disagrees with its set's label.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FlaggedPackage {
    pub entry: String,
    pub name: String,
    pub version: String,
    /// `None` when the entry could not be read (see `error`).
    pub verdict: Option<Verdict>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub error: Option<String>,
    /// Benign sets: the rules that fired at `high` or `critical`.
    /// Malicious sets: every rule that fired.
    pub rules: Vec<FiredRule>,
}

/// A rule's findings in one package, folded into one line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FiredRule {
    pub rule: String,
    /// The highest severity among its findings.
    pub severity: Severity,
    /// At least one of its findings decided the verdict.
    pub deciding: bool,
    pub preview: bool,
    pub findings: usize,
}

/// One package's result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PackageRow {
    pub entry: String,
    pub name: String,
    pub version: String,
    pub verdict: Option<Verdict>,
    pub score: u32,
    /// Unpacked bytes read into memory.
    pub bytes: u64,
    /// Read + scan, in process.
    pub ms: f64,
    /// Rule ids that fired, sorted, each once.
    pub rules: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub error: Option<String>,
}

/// In-process speed over a set, single thread, read + scan per package.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Perf {
    pub packages: usize,
    /// Unpacked bytes of all packages.
    pub bytes: u64,
    pub seconds: f64,
    pub packages_per_sec: f64,
    /// Unpacked megabytes (10^6 bytes) per second.
    pub mb_per_sec: f64,
    pub p50_ms: f64,
    pub p95_ms: f64,
    pub max_ms: f64,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub slowest: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub largest: Option<Largest>,
}

/// The largest package of a set, by unpacked bytes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Largest {
    pub entry: String,
    pub bytes: u64,
}

/// How often one rule fired, per set.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleRow {
    pub rule: String,
    /// In the order of [`EvalReport::sets`].
    pub sets: Vec<RuleCount>,
}

/// Packages of one set a rule fired on.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleCount {
    pub set: String,
    /// Packages with a finding from the rule as a stable rule.
    pub stable: usize,
    /// Packages with a finding from the rule as a preview rule.
    pub preview: usize,
    /// Packages where the rule fired at `high` or `critical`.
    pub high: usize,
}

/// Whole-process runs of `palisade scan <entry> --format json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WholeProcess {
    pub command: String,
    pub runs: usize,
    pub failures: usize,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub first_failure: Option<String>,
    /// Over successful runs; `None` when none succeeded.
    pub median_ms: Option<f64>,
    pub p95_ms: Option<f64>,
}

/// GuardDog's figures for a set, read from `scripts/guarddog-eval.py` output.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GuardDogSummary {
    pub version: String,
    /// The run covered every entry (the script writes partial reports).
    pub complete: bool,
    pub packages: usize,
    /// Packages at or over GuardDog's threshold (`risk_score.score >= 5`).
    pub detected: usize,
    pub rate: f64,
    pub timeouts: usize,
    pub errors: usize,
    /// Median whole-process wall time per package.
    pub median_ms: Option<f64>,
    /// GuardDog's median over palisade's whole-process median.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub speed_ratio: Option<f64>,
}
