use palisade_diagnostics::{Finding, Severity};

use crate::diff::rules::{DiffContext, DiffRule};
use crate::diff::{Capability, Change};
use crate::rule::{RuleMeta, declare_rule};

declare_rule! {
    /// ## What it does
    /// Reports a sensitive path (SSH keys, cloud credentials, `.npmrc`,
    /// `.env`, browser profiles, wallets, AI-client configuration...) that the
    /// new version reads and the old one did not. Medium, raised in a quiet
    /// release; high at install time.
    ///
    /// ## Why is this bad?
    /// Few libraries have a reason to open a user's credentials; one that
    /// starts to in a patch release is collecting them.
    ///
    /// ## Example
    /// ```diff
    /// +const key = fs.readFileSync(os.homedir() + '/.ssh/id_rsa', 'utf8');
    /// ```
    ///
    /// ## References
    /// - Shai-Hulud (2025) and `eslint-config-prettier` (2025) credential harvesting.
    NewSensitivePath {
        id: "diff/new-sensitive-path",
        severity: Medium,
        status: Stable,
        summary: "The new version reads a credential or configuration path the old one did not",
    }
}

impl DiffRule for NewSensitivePath {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &DiffContext<'_>, change: &Change) -> Option<Finding> {
        let Capability::SensitivePath(p) = &change.capability else {
            return None;
        };
        let severity = if change.install_time {
            Severity::High
        } else {
            ctx.raised(Severity::Medium)
        };
        let message = format!(
            "{} newly reads `{}` ({}){}{}",
            ctx.versions(),
            p.path,
            p.category,
            if change.install_time {
                " at install time"
            } else {
                ""
            },
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
        DiffTester::new(&NewSensitivePath::META).test(
            &[Pair(
                &[("package.json", r#"{"name":"m","version":"1.0.0"}"#), ("index.js", "const fs = require('fs');\n")],
                &[("package.json", r#"{"name":"m","version":"1.0.1"}"#), ("index.js", "const fs = require('fs');\nconst k = fs.readFileSync(require('os').homedir() + '/.ssh/id_rsa', 'utf8');\n")],
            )],
            &[Pair(
                &[("package.json", r#"{"name":"m","version":"1.0.0"}"#), ("index.js", "const fs = require('fs');\nfs.readFileSync('./data.json');\n")],
                &[("package.json", r#"{"name":"m","version":"1.0.1"}"#), ("index.js", "const fs = require('fs');\nfs.readFileSync('./data2.json');\n")],
            )],
        );
    }
}
