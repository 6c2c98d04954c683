//! Renderers: one file per format, all over the same [`Report`].
//!
//! - [`Format::Text`]: for people, grouped by package, with code excerpts
//!   (see [`text`]).
//! - [`Format::Json`]: the serde form of the model (see [`json`]).
//! - [`Format::Sarif`]: SARIF 2.1.0 for code-scanning services (see [`sarif`]).

pub mod json;
pub mod sarif;
pub mod text;

use crate::{Report, Severity};

/// Output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Text,
    Json,
    Sarif,
}

/// Options shared by the renderers.
///
/// Build it with struct-update syntax so that new fields keep their
/// defaults: `RenderOptions { color: true, ..RenderOptions::default() }`.
#[derive(Debug, Clone, Copy, Default)]
pub struct RenderOptions<'a> {
    /// ANSI colour in text output. The caller decides: off under `NO_COLOR`
    /// or when stdout is not a terminal.
    pub color: bool,
    /// Include each package's facts in JSON output.
    pub facts: bool,
    /// Rule metadata for SARIF `tool.driver.rules`, looked up by id. Rules
    /// that appear in findings but not here get a descriptor built from the
    /// id alone; rules listed here but never reported are left out.
    pub rules: &'a [RuleInfo],
}

/// What a renderer may know about a rule beyond its findings: the linter's
/// registry fills these in (SARIF needs a rule-level description).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleInfo {
    /// `category/kebab-name`.
    pub id: String,
    /// One sentence on what the rule detects.
    pub summary: String,
    /// The rule's documentation page, an absolute URI.
    pub help_uri: Option<String>,
    /// The rule's default severity.
    pub severity: Option<Severity>,
}

impl RuleInfo {
    pub fn new(id: impl Into<String>, summary: impl Into<String>) -> Self {
        Self {
            id: id.into(),
            summary: summary.into(),
            help_uri: None,
            severity: None,
        }
    }

    #[must_use]
    pub fn with_help_uri(mut self, uri: impl Into<String>) -> Self {
        self.help_uri = Some(uri.into());
        self
    }

    #[must_use]
    pub fn with_severity(mut self, severity: Severity) -> Self {
        self.severity = Some(severity);
        self
    }
}

/// Renders a report in the given format.
pub fn render(report: &Report, format: Format, options: RenderOptions<'_>) -> String {
    match format {
        Format::Text => text::render(report, options),
        Format::Json => json::render(report, options),
        Format::Sarif => sarif::render(report, options),
    }
}
