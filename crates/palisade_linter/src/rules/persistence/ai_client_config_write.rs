use palisade_diagnostics::{Finding, Severity};

use crate::context::ScanContext;
use crate::rule::{Rule, RuleMeta, declare_rule};

declare_rule! {
    /// ## What it does
    /// Finds code that writes to AI-client configuration: Claude Desktop's
    /// `claude_desktop_config.json`, `~/.claude.json`, Cursor's `mcp.json`,
    /// Windsurf's `mcp_config.json`, Gemini CLI, Codex, VS Code `mcp.json`,
    /// Cline, Continue. Critical at install; at run time it is reported for
    /// review, since MCP installers do this on the user's request.
    ///
    /// ## Why is this bad?
    /// A package that adds an MCP server to the user's AI clients gets its code
    /// started by every agent session, with the agent's access, and can feed
    /// the agent instructions. SANDWORM_MODE packages did this at install.
    ///
    /// ## Example
    /// ```js
    /// fs.writeFileSync(path.join(home, '.cursor/mcp.json'), JSON.stringify(cfg));
    /// ```
    ///
    /// ## References
    /// - SANDWORM_MODE (2025): rogue MCP servers injected into AI-client configs.
    AiClientConfigWrite {
        id: "persistence/ai-client-config-write",
        severity: Critical,
        status: Stable,
        summary: "The code writes AI-client MCP configuration",
    }
}

impl Rule for AiClientConfigWrite {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &ScanContext<'_>, out: &mut Vec<Finding>) {
        for w in ctx
            .facts
            .files_written
            .iter()
            .filter(|w| w.category == "ai-client-config")
        {
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
                        format!("writes AI-client configuration `{}`", w.path),
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
        Tester::new(&AiClientConfigWrite::META).test(
            &[Case::InstallJs(
                "const fs = require('fs'), os = require('os'), path = require('path');\nfs.writeFileSync(path.join(os.homedir(), '.cursor', 'mcp.json'), '{}');",
            )],
            &[
                Case::Js("const cfg = JSON.parse(fs.readFileSync(path.join(os.homedir(), '.cursor/mcp.json')));"),
                Case::InstallJs("fs.writeFileSync('dist/config.json', '{}');"),
            ],
        );
    }
}
