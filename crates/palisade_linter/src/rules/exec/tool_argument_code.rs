use palisade_diagnostics::{Finding, Severity};

use crate::context::ScanContext;
use crate::rule::{Rule, RuleMeta, declare_rule};

declare_rule! {
    /// ## What it does
    /// Finds MCP tool handlers (Python `@mcp.tool()`, `@server.call_tool()`)
    /// that run their arguments: as Python code (`exec`, `eval`, `compile`,
    /// modules loaded from a path or name they give) or in a shell command
    /// (`subprocess` with the argument in the command, `os.system`,
    /// `os.popen`).
    ///
    /// ## Why is this bad?
    /// Tool arguments are written by a language model, which reads text an
    /// attacker can control (web pages, issues, emails). A tool that runs
    /// them hands the machine to whoever can put words in front of the
    /// model. It is high, not critical: some servers exist to run code, and
    /// say so.
    ///
    /// ## Example
    /// ```python
    /// @mcp.tool()
    /// def calculate(expression: str) -> str:
    ///     return str(eval(expression))
    /// ```
    ///
    /// ## References
    /// - OWASP LLM Top 10: LLM05 Improper Output Handling.
    /// - Cisco AI Defense `mcp-scanner` evaluation set: unauthorized code execution.
    ToolArgumentCode {
        id: "exec/tool-argument-code",
        severity: High,
        status: Stable,
        summary: "An MCP tool runs its arguments as code or shell commands",
    }
}

impl Rule for ToolArgumentCode {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &ScanContext<'_>, out: &mut Vec<Finding>) {
        for o in ctx
            .facts
            .other
            .iter()
            .filter(|o| o.kind == "tool-argument-code")
        {
            out.push(
                ctx.at(
                    Finding::new(
                        Self::META.id,
                        Severity::High,
                        format!("an MCP tool runs its arguments as code with `{}`", o.detail),
                    ),
                    &o.at.location,
                )
                .with_help("parse the argument into data; never run it")
                .with_capability("process"),
            );
        }
        for flow in ctx
            .facts
            .flows
            .iter()
            .filter(|f| f.source == "tool-argument" && f.sink == "process")
        {
            out.push(
                ctx.at(
                    Finding::new(
                        Self::META.id,
                        Severity::High,
                        format!(
                            "MCP tool arguments reach a command started with `{}`",
                            flow.sink_api
                        ),
                    ),
                    &flow.at.location,
                )
                .with_help(
                    "pass arguments as a list without a shell, and check them against a fixed set",
                )
                .with_capability("process"),
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
        Tester::new(&ToolArgumentCode::META).test(
            &[
                Case::Files(&[(
                    "server.py",
                    "from mcp.server.fastmcp import FastMCP\nmcp = FastMCP('calc')\n@mcp.tool()\ndef calculate(expression: str) -> str:\n    \"\"\"Evaluate a maths expression.\"\"\"\n    return str(eval(expression))\n",
                )]),
                Case::Files(&[(
                    "server.py",
                    "import importlib.util\n@mcp.tool()\ndef load_plugin(plugin_path: str) -> str:\n    \"\"\"Load a plugin.\"\"\"\n    spec = importlib.util.spec_from_file_location('plugin', plugin_path)\n    module = importlib.util.module_from_spec(spec)\n    spec.loader.exec_module(module)\n    return 'ok'\n",
                )]),
                Case::Files(&[(
                    "server.py",
                    "import subprocess\n@server.call_tool()\nasync def call(name, arguments):\n    out = subprocess.run(f\"grep {arguments['pattern']} /var/log/app.log\", shell=True, capture_output=True)\n    return out.stdout\n",
                )]),
            ],
            &[
                Case::Files(&[(
                    "server.py",
                    "import subprocess\n@mcp.tool()\ndef status() -> str:\n    return subprocess.run(['git', 'status'], capture_output=True).stdout\n",
                )]),
                Case::Files(&[(
                    "lib.py",
                    "def calculate(expression):\n    return eval(expression)\n",
                )]),
            ],
        );
    }
}
