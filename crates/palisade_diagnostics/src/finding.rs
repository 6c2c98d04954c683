use std::fmt;

use serde::{Deserialize, Serialize};

/// How bad a finding is if it is true.
///
/// Verdicts are derived from severities (see [`crate::Verdict::decide`]):
/// `critical` is a threat on its own, `high` makes a package suspicious,
/// `medium` and below are context that only adds to the score.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    pub const ALL: [Severity; 5] = [
        Severity::Info,
        Severity::Low,
        Severity::Medium,
        Severity::High,
        Severity::Critical,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }

    /// Points this severity adds to a package's score.
    pub fn weight(self) -> u32 {
        match self {
            Severity::Info => 0,
            Severity::Low => 1,
            Severity::Medium => 4,
            Severity::High => 15,
            Severity::Critical => 50,
        }
    }

    /// One step down, used when a finding's confidence is low.
    #[must_use]
    pub fn lowered(self) -> Severity {
        match self {
            Severity::Critical => Severity::High,
            Severity::High => Severity::Medium,
            Severity::Medium => Severity::Low,
            Severity::Low | Severity::Info => Severity::Info,
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How sure the rule is that the pattern means what it says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Confidence {
    Low,
    Medium,
    High,
}

/// Whether a rule counts toward verdicts.
///
/// A `preview` rule reports its findings but never raises a verdict until it
/// has run clean over the benign corpus.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RuleStatus {
    Stable,
    Preview,
}

/// A place in a package: the path inside the package and a 1-based line and
/// column (columns count Unicode scalar values).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Location {
    pub path: String,
    pub line: u32,
    pub column: u32,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub end_line: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub end_column: Option<u32>,
}

impl Location {
    pub fn new(path: impl Into<String>, line: u32, column: u32) -> Self {
        Self {
            path: path.into(),
            line,
            column,
            end_line: None,
            end_column: None,
        }
    }

    /// A whole file, with no particular line.
    pub fn file(path: impl Into<String>) -> Self {
        Self::new(path, 0, 0)
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 {
            write!(f, "{}", self.path)
        } else {
            write!(f, "{}:{}:{}", self.path, self.line, self.column)
        }
    }
}

/// One thing a rule found. Findings are data: policy, outputs and verdicts
/// all read them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    /// `category/kebab-name`, e.g. `exfil/email-hardcoded-recipient`.
    pub rule: String,
    pub severity: Severity,
    pub confidence: Confidence,
    /// What is wrong, in one sentence; code and names in backticks.
    pub message: String,
    /// What to do about it.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub help: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub location: Option<Location>,
    /// The offending source line, trimmed to a readable width.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub snippet: Option<String>,
    /// The capability or threat the finding proves, e.g. `network`,
    /// `email-recipient`, `decode-and-run`.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub capability: Option<String>,
    /// The code runs at install time (a lifecycle script or what it loads).
    #[serde(skip_serializing_if = "std::ops::Not::not", default)]
    pub install_time: bool,
    /// Set for findings of `preview` rules: reported, never decisive.
    #[serde(skip_serializing_if = "std::ops::Not::not", default)]
    pub preview: bool,
    /// Set on the findings that decided the package's verdict.
    #[serde(skip_serializing_if = "std::ops::Not::not", default)]
    pub deciding: bool,
}

impl Finding {
    pub fn new(rule: &str, severity: Severity, message: impl Into<String>) -> Self {
        Self {
            rule: rule.to_owned(),
            severity,
            confidence: Confidence::High,
            message: message.into(),
            help: None,
            location: None,
            snippet: None,
            capability: None,
            install_time: false,
            preview: false,
            deciding: false,
        }
    }

    #[must_use]
    pub fn with_confidence(mut self, confidence: Confidence) -> Self {
        self.confidence = confidence;
        self
    }

    #[must_use]
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    #[must_use]
    pub fn with_location(mut self, location: Location) -> Self {
        self.location = Some(location);
        self
    }

    #[must_use]
    pub fn with_snippet(mut self, snippet: impl Into<String>) -> Self {
        self.snippet = Some(snippet.into());
        self
    }

    #[must_use]
    pub fn with_capability(mut self, capability: &str) -> Self {
        self.capability = Some(capability.to_owned());
        self
    }

    #[must_use]
    pub fn at_install_time(mut self, install_time: bool) -> Self {
        self.install_time = install_time;
        self
    }

    /// The category half of the rule id.
    pub fn category(&self) -> &str {
        self.rule
            .split_once('/')
            .map_or(self.rule.as_str(), |(c, _)| c)
    }
}
