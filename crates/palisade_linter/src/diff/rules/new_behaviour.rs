use palisade_diagnostics::{Finding, Severity};

use crate::diff::rules::{DiffContext, DiffRule};
use crate::diff::{Capability, Change};
use crate::rule::{RuleMeta, declare_rule};

declare_rule! {
    /// ## What it does
    /// Reports any other behaviour the checkers name that the new version has
    /// and the old one did not: running AI coding CLIs and `npm publish` are
    /// high; reading system information (host name, user, network
    /// interfaces) and the rest are context.
    ///
    /// ## Why is this bad?
    /// Publishing packages or driving AI agents from a library is what worms
    /// and inventory scripts do; system information is what they send home
    /// first.
    ///
    /// ## Example
    /// ```diff
    /// +const who = os.userInfo().username + '@' + os.hostname();
    /// ```
    ///
    /// ## References
    /// - Shai-Hulud (2025): `npm publish` from install code.
    NewBehaviour {
        id: "diff/new-behaviour",
        severity: Info,
        status: Stable,
        summary: "The new version shows a behaviour the old one did not",
    }
}

impl DiffRule for NewBehaviour {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &DiffContext<'_>, change: &Change) -> Option<Finding> {
        let Capability::Behaviour(k) = &change.capability else {
            return None;
        };
        let severity = if matches!(k.kind.as_str(), "ai-cli" | "npm-publish") {
            Severity::High
        } else {
            Severity::Info
        };
        let message = format!("{} newly shows {}: `{}`", ctx.versions(), k.kind, k.detail);
        Some(ctx.finding(&Self::META, severity, message, change))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diff::tester::{DiffTester, Pair};

    #[test]
    fn rule() {
        DiffTester::new(&NewBehaviour::META).test(
            &[Pair(
                &[
                    ("package.json", r#"{"name":"m","version":"1.0.0"}"#),
                    ("index.js", "const os = require('os');\n"),
                ],
                &[
                    ("package.json", r#"{"name":"m","version":"1.0.1"}"#),
                    (
                        "index.js",
                        "const os = require('os');\nconst h = os.hostname();\n",
                    ),
                ],
            )],
            &[Pair(
                &[
                    ("package.json", r#"{"name":"m","version":"1.0.0"}"#),
                    (
                        "index.js",
                        "const os = require('os');\nconst h = os.hostname();\n",
                    ),
                ],
                &[
                    ("package.json", r#"{"name":"m","version":"1.0.1"}"#),
                    (
                        "index.js",
                        "const os = require('os');\n\nconst h = os.hostname();\n",
                    ),
                ],
            )],
        );
    }
}
