use palisade_diagnostics::{Finding, Severity};

use crate::context::{self, ScanContext};
use crate::rule::{Rule, RuleMeta, declare_rule};

declare_rule! {
    /// ## What it does
    /// Finds MCP tool handlers (Python `@mcp.tool()`, `@server.call_tool()`)
    /// that run their arguments: as Python code (`exec`, `eval`, `compile`,
    /// modules loaded from a path or name they give, templates compiled by
    /// Jinja2, Mako or Django, format strings) or in a shell command
    /// (`subprocess` with the argument in the command, `os.system`,
    /// `os.popen`).
    ///
    /// ## Why is this bad?
    /// Tool arguments are written by a language model, which reads text an
    /// attacker can control (web pages, issues, emails). A tool that runs
    /// them hands the machine to whoever can put words in front of the
    /// model. Some servers exist to run code, and say so: then it is high.
    /// When no tool of the file says it runs code (a "calculator" that
    /// `eval`s with builtins, a "config parser" that loads YAML with the
    /// unsafe loader), the capability is hidden from the user and the model,
    /// and the finding is critical.
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
            let path = &o.at.location.path;
            let mut tools = ctx
                .facts
                .other
                .iter()
                .filter(|t| t.kind == "mcp-tool" && &t.at.location.path == path)
                .peekable();
            // Test suites define calculator tools to exercise frameworks;
            // they are not what the package serves.
            let undisclosed = !context::is_test_path(path)
                && tools.peek().is_some()
                && !tools.any(|t| discloses_code(&t.detail, &o.detail));
            let (severity, message) = if undisclosed {
                (
                    Severity::Critical,
                    format!(
                        "an MCP tool runs its arguments as code with `{}`, and no tool of `{path}` says it runs code",
                        o.detail
                    ),
                )
            } else {
                (
                    Severity::High,
                    format!("an MCP tool runs its arguments as code with `{}`", o.detail),
                )
            };
            out.push(
                ctx.at(
                    Finding::new(Self::META.id, severity, message),
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

/// Whether a tool's name and description (`name: description`) say that it
/// runs what it is given through `sink`: code, commands, scripts; modules
/// or plugins for an import; pickles for an unpickler.
fn discloses_code(tool: &str, sink: &str) -> bool {
    const CODE: &[&str] = &[
        "exec",
        "run",
        "shell",
        "command",
        "cmd",
        "script",
        "code",
        "python",
        "javascript",
        "bash",
        "terminal",
        "interpret",
        "repl",
        "sandbox",
        "notebook",
        "jupyter",
        "program",
        "snippet",
        "statement",
        "eval",
    ];
    let extra: &[&str] =
        if sink.contains("import") || sink.contains("load_source") || sink.starts_with("runpy") {
            &["module", "plugin", "import", "extension", "package"]
        } else if ["pickle", "dill", "marshal", "jsonpickle"]
            .iter()
            .any(|d| sink.starts_with(d))
        {
            &["pickle", "serializ", "serialis", "object"]
        } else if sink.starts_with("django") {
            // Django templates do not run Python: a template tool says it.
            &["template", "render"]
        } else if sink == "str.format" {
            &["format", "template"]
        } else {
            &[]
        };
    tool.to_ascii_lowercase()
        .split(|c: char| !c.is_ascii_alphanumeric())
        .any(|w| {
            CODE.iter().chain(extra).any(|k| {
                w.starts_with(k)
                    // "evaluate" a maths expression is not "eval" of code.
                    && !(*k == "eval" && w.starts_with("evaluat"))
                    // A "runtime" says nothing about running its input.
                    && !matches!(w, "runtime" | "runtimes")
            })
        })
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
                // A calculator tool in a test suite: high.
                Case::Files(&[(
                    "tests/test_tools.py",
                    "@mcp.tool()\ndef calculate(expression: str) -> str:\n    \"\"\"Add numbers.\"\"\"\n    return str(eval(expression))\n",
                )]),
                // Says it runs code: high; a config parser that runs code: critical.
                Case::Files(&[(
                    "server.py",
                    "@mcp.tool()\ndef run_python(source: str) -> str:\n    \"\"\"Run a Python snippet and return its output.\"\"\"\n    exec(source)\n    return 'ok'\n",
                )]),
                Case::Files(&[(
                    "server.py",
                    "import yaml\n@mcp.tool()\ndef parse_config(text: str) -> str:\n    \"\"\"Parse a YAML configuration.\"\"\"\n    return str(yaml.load(text, Loader=yaml.Loader))\n",
                )]),
                // A template the model writes: Jinja2 runs it as Python
                // (critical); Django's cannot, and the tool says it renders.
                Case::Files(&[(
                    "server.py",
                    "from jinja2 import Environment\n@mcp.tool()\ndef greeting(text: str) -> str:\n    \"\"\"Write a greeting card.\"\"\"\n    return Environment().from_string(text).render()\n",
                )]),
                Case::Files(&[(
                    "server.py",
                    "from django.template import Template, Context\n@mcp.tool()\ndef render_page(source: str) -> str:\n    \"\"\"Render a page template.\"\"\"\n    return Template(source).render(Context({}))\n",
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
                // The template is the server's; the argument only fills it.
                Case::Files(&[(
                    "server.py",
                    "from jinja2 import Template\n@mcp.tool()\ndef greeting(name: str) -> str:\n    \"\"\"Greet someone.\"\"\"\n    return Template('Hello {{ name }}').render(name=name)\n",
                )]),
            ],
        );
    }
}
