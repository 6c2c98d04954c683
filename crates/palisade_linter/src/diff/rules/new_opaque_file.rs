use palisade_diagnostics::{Finding, Severity};

use crate::diff::rules::{DiffContext, DiffRule};
use crate::diff::{Capability, Change};
use crate::rule::{RuleMeta, declare_rule};

declare_rule! {
    /// ## What it does
    /// Reports a file nobody can review that the new version adds: a native
    /// executable (ELF, PE, Mach-O), a minified blob outside a build folder
    /// (`dist/`, `build/`, `lib/`... and `*.min.js` are expected places), or
    /// obfuscated code (rotated string arrays, `_0x` identifiers, JSFuck),
    /// including a file that was readable before. Obfuscated code is high;
    /// binaries and minified blobs are medium, raised in a quiet release.
    ///
    /// ## Why is this bad?
    /// A diff reviewer reads source. A release that adds what cannot be read
    /// hides what changed; obfuscation has almost no honest use in a package
    /// that shipped readable code before.
    ///
    /// ## Example
    /// ```text
    /// new file: index.js — 512 `_0x…` identifiers, a rotated string array
    /// ```
    ///
    /// ## References
    /// - The chalk/debug takeover (September 2025): an obfuscated drainer in `index.js`.
    NewOpaqueFile {
        id: "diff/new-opaque-file",
        severity: Medium,
        status: Stable,
        summary: "The new version adds a binary, minified or obfuscated file",
    }
}

impl DiffRule for NewOpaqueFile {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &DiffContext<'_>, change: &Change) -> Option<Finding> {
        let Capability::OpaqueFile { path, what, detail } = &change.capability else {
            return None;
        };
        let severity = if *what == "obfuscated" {
            Severity::High
        } else {
            ctx.raised(Severity::Medium)
        };
        let was = if ctx.old.file(path).is_some() {
            "is now"
        } else {
            "adds"
        };
        let message = format!(
            "{} {was} {what} `{path}` ({detail}){}",
            ctx.versions(),
            ctx.why()
        )
        .replace(" is now binary ", " is now a binary ");
        Some(ctx.finding(&Self::META, severity, message, change))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diff::tester::{DiffTester, Pair};

    const OBFUSCATED: &str = "var _0x1a2b=['push','shift','log'];(function(_0x3c4d,_0x5e6f){var _0x7a8b=function(_0x9c0d){while(--_0x9c0d){_0x3c4d['push'](_0x3c4d['shift']());}};_0x7a8b(++_0x5e6f);}(_0x1a2b,0x1f4));var _0x2b3c=function(_0x4d5e,_0x6f7a){_0x4d5e=_0x4d5e-0x0;var _0x8b9c=_0x1a2b[_0x4d5e];return _0x8b9c;};console[_0x2b3c('0x0')](_0x2b3c('0x1'));var _0x11=1,_0x12=2,_0x13=3,_0x14=4,_0x15=5,_0x16=6,_0x17=7,_0x18=8,_0x19=9,_0x20=10,_0x21=11,_0x22=12;\n";

    #[test]
    fn rule() {
        DiffTester::new(&NewOpaqueFile::META).test(
            &[
                Pair(
                    &[
                        ("package.json", r#"{"name":"m","version":"1.0.0"}"#),
                        ("index.js", "console.log('hi');\n"),
                    ],
                    &[
                        ("package.json", r#"{"name":"m","version":"1.0.1"}"#),
                        ("index.js", OBFUSCATED),
                    ],
                ),
                Pair(
                    &[("package.json", r#"{"name":"m","version":"1.0.0"}"#)],
                    &[
                        ("package.json", r#"{"name":"m","version":"1.0.1"}"#),
                        ("bin/helper", "\u{7f}ELF\u{2}\u{1}\u{1}"),
                    ],
                ),
            ],
            &[Pair(
                &[
                    ("package.json", r#"{"name":"m","version":"1.0.0"}"#),
                    ("index.js", OBFUSCATED),
                ],
                &[
                    ("package.json", r#"{"name":"m","version":"1.0.1"}"#),
                    ("index.js", OBFUSCATED),
                    ("README.md", "docs"),
                ],
            )],
        );
    }
}
