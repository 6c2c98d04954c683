//! JSON output: the serde form of [`Report`], pretty-printed.
//!
//! Field names and order are those of the model (the output contract):
//! `{"tool", "packages": [{"name", "version", "source", "integrity"?,
//! "verdict", "score", "findings": [{"rule", "severity", "confidence",
//! "message", "help"?, "location"?: {"path", "line", "column"}, "snippet"?,
//! ...}], "stats", "facts"?, "cached"?, "dependency_path"?}], "errors"?}`. `facts` appears only when
//! [`RenderOptions::facts`] is set.

use std::borrow::Cow;

use super::RenderOptions;
use crate::Report;

/// Renders `report` as pretty-printed JSON ending in a newline.
pub fn render(report: &Report, options: RenderOptions<'_>) -> String {
    let report = if !options.facts && report.packages.iter().any(|p| p.facts.is_some()) {
        let mut stripped = report.clone();
        for package in &mut stripped.packages {
            package.facts = None;
        }
        Cow::Owned(stripped)
    } else {
        Cow::Borrowed(report)
    };
    to_pretty(&*report)
}

/// Pretty JSON with a trailing newline.
pub(super) fn to_pretty<T: serde::Serialize + ?Sized>(value: &T) -> String {
    // The model has only string map keys and no custom serialisers, so
    // serialising it cannot fail.
    let mut out =
        serde_json::to_string_pretty(value).expect("the report model always serialises to JSON");
    out.push('\n');
    out
}
