use palisade_diagnostics::{Finding, Severity};

use crate::classify;
use crate::context::ScanContext;
use crate::rule::{Rule, RuleMeta, declare_rule};

declare_rule! {
    /// ## What it does
    /// Finds code that starts an AI coding CLI (`claude`, `gemini`, `q`,
    /// `codex`, ...) with its permission prompts switched off
    /// (`--dangerously-skip-permissions`, `--yolo`, `--trust-all-tools`, ...).
    ///
    /// ## Why is this bad?
    /// The installed agent has the user's files and credentials at hand and,
    /// with prompts off, does whatever the prompt says — for example
    /// inventory every secret on the disk. Nx/s1ngularity's install script did
    /// exactly this.
    ///
    /// ## Example
    /// ```js
    /// spawn('claude', ['--dangerously-skip-permissions', '-p', prompt]);
    /// ```
    ///
    /// ## References
    /// - Nx "s1ngularity" compromise (August 2025).
    AiCliPermissionBypass {
        id: "exec/ai-cli-permission-bypass",
        severity: Critical,
        status: Stable,
        summary: "An AI coding CLI is started with its permission checks disabled",
    }
}

impl Rule for AiCliPermissionBypass {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &ScanContext<'_>, out: &mut Vec<Finding>) {
        for p in &ctx.facts.processes {
            let Some(cmd) = &p.command else { continue };
            let words: Vec<&str> = cmd.split_whitespace().collect();
            let exe = words
                .first()
                .map(|w| w.rsplit(['/', '\\']).next().unwrap_or(w))
                .unwrap_or("");
            let bypass = (classify::is_ai_cli(exe)
                && words
                    .iter()
                    .skip(1)
                    .any(|w| classify::is_ai_bypass_flag(w) && *w != "-y"))
                || classify::command_traits(cmd).ai_cli_bypass;
            if bypass {
                out.push(
                    ctx.at(
                        Finding::new(
                            Self::META.id,
                            Severity::Critical,
                            format!("starts an AI CLI with permission checks off: `{cmd}`"),
                        ),
                        &p.at.location,
                    )
                    .at_install_time(p.at.install_time)
                    .with_capability("process"),
                );
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
        Tester::new(&AiCliPermissionBypass::META).test(
            &[
                Case::InstallJs("const { spawn } = require('child_process');\nspawn('claude', ['--dangerously-skip-permissions', '-p', 'list files']);"),
                Case::Js("require('child_process').execSync('gemini --yolo -p \"find secrets\"');"),
            ],
            &[
                Case::Js("require('child_process').spawn('claude', ['-p', 'hello']);"),
                Case::Js("require('child_process').spawn('npx', ['-y', 'some-tool']);"),
            ],
        );
    }
}
