use palisade_diagnostics::{Finding, Severity};

use crate::context::{self, ScanContext};
use crate::rule::{Rule, RuleMeta, declare_rule};

declare_rule! {
    /// ## What it does
    /// Finds MCP tool handlers that write an argument into a value slot of
    /// a text another language parses: between the quotes of an SQL
    /// literal (`f"... WHERE id = '{user_id}'"`), after the `=` of an LDAP
    /// filter (`f"(uid={name})"`), between the quotes of a shell command
    /// run with a shell (`f"grep '{pattern}' app.log"`). The text then
    /// reaches a database cursor, an LDAP search or a shell.
    ///
    /// ## Why is this bad?
    /// The quotes show the author meant the argument as one value; the
    /// parser reads whatever it says. The model writes tool arguments from
    /// text an attacker can plant (a web page, an issue, an email), so one
    /// quote in an argument turns "look up this user" into "dump the
    /// table" or "run this command". A tool that takes a whole query or
    /// command is left to `exec/tool-argument-code`: it says what it does.
    /// Here the tool says it looks up a value and hands over the parser.
    /// In a test suite the finding is high.
    ///
    /// ## Example
    /// ```python
    /// @mcp.tool()
    /// def get_user(user_id: str) -> str:
    ///     cursor.execute(f"SELECT * FROM users WHERE id = '{user_id}'")
    ///     return str(cursor.fetchall())
    /// ```
    ///
    /// ## References
    /// - CWE-89 (SQL injection), CWE-90 (LDAP injection), CWE-78 (OS command injection).
    /// - Cisco AI Defense `mcp-scanner` evaluation set: injection attacks.
    ToolArgumentInjection {
        id: "exec/tool-argument-injection",
        severity: Critical,
        status: Stable,
        summary: "An MCP tool writes its arguments into a value of an SQL query or LDAP filter, or the quotes of a shell command",
    }
}

impl Rule for ToolArgumentInjection {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &ScanContext<'_>, out: &mut Vec<Finding>) {
        for o in ctx
            .facts
            .other
            .iter()
            .filter(|o| o.kind == "tool-argument-injection")
        {
            let (language, api) = o.detail.split_once(": ").unwrap_or(("", &o.detail));
            let severity = if context::is_test_path(&o.at.location.path) {
                Severity::High
            } else {
                Severity::Critical
            };
            out.push(
                ctx.at(
                    Finding::new(
                        Self::META.id,
                        severity,
                        format!(
                            "an MCP tool writes its arguments into {language} text run with `{api}`"
                        ),
                    ),
                    &o.at.location,
                )
                .with_help(match language {
                    "SQL" => "pass the value as a query parameter (`?`, `%s`, `:name`)",
                    "LDAP" => "escape the value (`ldap.filter.escape_filter_chars`)",
                    _ => "pass arguments as a list without a shell",
                })
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
        Tester::new(&ToolArgumentInjection::META).test(
            &[
                // Through a helper and a join.
                Case::Files(&[(
                    "server.py",
                    "import sqlite3\n@mcp.tool()\ndef get_user(user_id: str) -> str:\n    \"\"\"Look a user up.\"\"\"\n    parts = [f\"id = '{user_id}'\", \"active = 1\"]\n    query = build('users', ' AND '.join(parts))\n    cur = sqlite3.connect('u.db').cursor()\n    cur.execute(query)\n    return str(cur.fetchall())\ndef build(table, where):\n    return f'SELECT * FROM {table} WHERE {where}'\n",
                )]),
                Case::Files(&[(
                    "server.py",
                    "import ldap\n@mcp.tool()\ndef find(name: str) -> str:\n    \"\"\"Find a person.\"\"\"\n    conn = ldap.initialize('ldap://127.0.0.1')\n    return str(conn.search_s('dc=example', ldap.SCOPE_SUBTREE, '(uid=%s)' % name))\n",
                )]),
                Case::Files(&[(
                    "server.py",
                    "import subprocess\n@mcp.tool()\ndef search_logs(pattern: str) -> str:\n    \"\"\"Search the logs.\"\"\"\n    cmd = \"grep '\" + pattern + \"' /var/log/app.log\"\n    return subprocess.run(cmd, shell=True, capture_output=True).stdout\n",
                )]),
                Case::Files(&[(
                    "server.py",
                    "@mcp.tool()\ndef orders(customer: str) -> str:\n    \"\"\"Orders of a customer.\"\"\"\n    db.execute(\"SELECT * FROM orders WHERE customer = '{}'\".format(customer))\n    return 'ok'\n",
                )]),
            ],
            &[
                // Parameters, not text.
                Case::Files(&[(
                    "server.py",
                    "import sqlite3\n@mcp.tool()\ndef get_user(user_id: str) -> str:\n    \"\"\"Look a user up.\"\"\"\n    cur = sqlite3.connect('u.db').cursor()\n    cur.execute(\"SELECT * FROM users WHERE id = ?\", (user_id,))\n    return str(cur.fetchall())\n",
                )]),
                // A tool that takes a whole query says so: another rule's.
                Case::Files(&[(
                    "server.py",
                    "@mcp.tool()\ndef run_query(sql: str) -> str:\n    \"\"\"Run a read-only SQL query.\"\"\"\n    return str(db.execute(sql).fetchall())\n",
                )]),
                // A constant in quotes, the argument elsewhere.
                Case::Files(&[(
                    "server.py",
                    "@mcp.tool()\ndef count(table: str) -> str:\n    \"\"\"Count rows.\"\"\"\n    return str(db.execute(f\"SELECT count(*) FROM {table} WHERE kind = 'user'\").fetchone())\n",
                )]),
                // An option value in a shell command, unquoted: the whole
                // command is the argument's, a case for exec/tool-argument-code.
                Case::Files(&[(
                    "server.py",
                    "import subprocess\n@mcp.tool()\ndef log(author: str) -> str:\n    \"\"\"Commits by an author.\"\"\"\n    return subprocess.run(f'git log --author={author}', shell=True, capture_output=True).stdout\n",
                )]),
                // Not a tool.
                Case::Files(&[(
                    "lib.py",
                    "def get_user(user_id):\n    return db.execute(f\"SELECT * FROM users WHERE id = '{user_id}'\")\n",
                )]),
            ],
        );
    }
}
