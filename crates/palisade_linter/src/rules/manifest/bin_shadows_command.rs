use palisade_diagnostics::{Finding, Location};

use crate::context::ScanContext;
use crate::rule::{Rule, RuleMeta, declare_rule};

/// Commands a package has no business replacing.
const COMMON: &[&str] = &[
    "node", "npm", "npx", "pnpm", "yarn", "bun", "git", "ssh", "scp", "sudo", "su", "sh", "bash",
    "zsh", "ls", "cp", "mv", "rm", "cat", "curl", "wget", "python", "python3", "pip", "docker",
    "kubectl", "gh", "aws", "gcloud", "az", "code", "open", "env", "which", "whoami", "ps", "kill",
    "tar", "gpg",
];

declare_rule! {
    /// ## What it does
    /// Finds `bin` entries named like common system or developer commands.
    ///
    /// ## Why is this bad?
    /// npm links `bin` entries into `node_modules/.bin`, which scripts put
    /// first on `PATH`; a global install puts them on the user's `PATH`. A
    /// package whose `bin` is called `git` or `node` runs instead of the real
    /// one — and sees its arguments, credentials included.
    ///
    /// ## Example
    /// ```json
    /// "bin": { "git": "./fake-git.js" }
    /// ```
    ///
    /// ## References
    /// - npm docs: `bin`.
    BinShadowsCommand {
        id: "manifest/bin-shadows-command",
        severity: High,
        status: Stable,
        summary: "A `bin` entry shadows a common command",
    }
}

impl Rule for BinShadowsCommand {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &ScanContext<'_>, out: &mut Vec<Finding>) {
        let Some(m) = &ctx.package.manifest else {
            return;
        };
        let own = m.name().unwrap_or("");
        for (cmd, path) in m.bins() {
            // The real tool's own package may ship its command (`npm` ships `npm`).
            if COMMON.contains(&cmd.as_str()) && own != cmd && !own.ends_with(&format!("/{cmd}")) {
                let line = m.line_of_key(&cmd, Some("bin")).unwrap_or(0);
                out.push(ctx.at(
                    Self::finding(format!(
                        "`bin` entry `{cmd}` (`{path}`) shadows the `{cmd}` command"
                    )),
                    &Location::new("package.json", line, 1),
                ));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tester::{Case, Tester};

    #[test]
    fn rule() {
        Tester::new(&BinShadowsCommand::META).test(
            &[
                Case::Manifest(r#"{"name":"helper","bin":{"git":"./g.js"}}"#),
                Case::Manifest(r#"{"name":"ls","version":"1.0.0","bin":{"sudo":"x.js"}}"#),
            ],
            &[
                Case::Manifest(r#"{"name":"npm","bin":{"npm":"bin/npm-cli.js"}}"#),
                Case::Manifest(r#"{"name":"my-tool","bin":"cli.js"}"#),
            ],
        );
    }
}
