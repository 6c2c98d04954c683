use std::fmt;

use serde::{Deserialize, Serialize};

use crate::{Facts, Finding, Severity};

/// The answer to "is this package safe to run?".
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    Clean,
    Suspicious,
    Malicious,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Clean => "clean",
            Verdict::Suspicious => "suspicious",
            Verdict::Malicious => "malicious",
        }
    }

    /// Decides a verdict from findings and marks the deciding ones.
    ///
    /// - `malicious`: at least one stable `critical` finding (a threat), or
    ///   two stable `high` findings from different categories at install time
    ///   (a combination the rules did not name on their own).
    /// - `suspicious`: at least one stable `high` finding.
    /// - `clean`: otherwise. `preview` findings never decide.
    ///
    /// Returns the verdict and the score: the sum of severity weights of the
    /// stable findings, capped at 100.
    pub fn decide(findings: &mut [Finding]) -> (Verdict, u32) {
        let score = findings
            .iter()
            .filter(|f| !f.preview)
            .map(|f| f.severity.weight())
            .sum::<u32>()
            .min(100);
        let stable = |f: &Finding| !f.preview;
        let verdict = if findings
            .iter()
            .any(|f| stable(f) && f.severity == Severity::Critical)
        {
            mark(findings, |f| f.severity == Severity::Critical);
            Verdict::Malicious
        } else if install_time_combination(findings) {
            mark(findings, |f| f.severity == Severity::High && f.install_time);
            Verdict::Malicious
        } else if findings
            .iter()
            .any(|f| stable(f) && f.severity == Severity::High)
        {
            mark(findings, |f| f.severity == Severity::High);
            Verdict::Suspicious
        } else {
            Verdict::Clean
        };
        (verdict, score)
    }
}

fn mark(findings: &mut [Finding], pred: impl Fn(&Finding) -> bool) {
    for f in findings.iter_mut() {
        f.deciding = !f.preview && pred(f);
    }
}

fn install_time_combination(findings: &[Finding]) -> bool {
    let mut categories: Vec<&str> = findings
        .iter()
        .filter(|f| !f.preview && f.install_time && f.severity == Severity::High)
        .map(Finding::category)
        .collect();
    categories.sort_unstable();
    categories.dedup();
    categories.len() >= 2
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Counters for one package scan.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScanStats {
    pub files: u64,
    /// Unpacked bytes read into memory.
    pub bytes: u64,
    pub js_files: u64,
    pub js_bytes: u64,
    /// Files that did not parse and were analysed as text.
    pub unparsed_files: u64,
}

/// The scan result of one package.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PackageReport {
    pub name: String,
    pub version: String,
    /// What was scanned: a spec, a tarball path or a folder.
    pub source: String,
    /// The tarball's integrity (`sha512-...`) when known.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub integrity: Option<String>,
    pub verdict: Verdict,
    pub score: u32,
    pub findings: Vec<Finding>,
    pub stats: ScanStats,
    /// The extracted capability profile; omitted from JSON unless asked for.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub facts: Option<Facts>,
    /// The report comes from the verdict cache: this exact tarball was
    /// analysed before by the same engine version and not analysed again.
    #[serde(skip_serializing_if = "std::ops::Not::not", default)]
    pub cached: bool,
    /// For a dependency of a scanned project: the shortest chain that pulls
    /// it in, the project first (`["app", "a", "b"]`, shown `app > a > b`).
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub dependency_path: Vec<String>,
}

impl PackageReport {
    /// The findings that decided the verdict.
    pub fn deciding(&self) -> impl Iterator<Item = &Finding> {
        self.findings.iter().filter(|f| f.deciding)
    }
}

/// The tool that produced a report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ToolInfo {
    pub name: String,
    pub version: String,
}

impl Default for ToolInfo {
    fn default() -> Self {
        Self {
            name: "palisade".to_owned(),
            version: env!("CARGO_PKG_VERSION").to_owned(),
        }
    }
}

/// One run's results: a report per package, and the inputs that could not be
/// scanned at all (a missing file, a registry error).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Report {
    pub tool: ToolInfo,
    pub packages: Vec<PackageReport>,
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub errors: Vec<InputError>,
}

/// An input the run could not scan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InputError {
    pub input: String,
    pub error: String,
}

impl Report {
    /// The worst verdict in the report, `clean` when empty.
    pub fn worst(&self) -> Verdict {
        self.packages
            .iter()
            .map(|p| p.verdict)
            .max()
            .unwrap_or(Verdict::Clean)
    }
}
