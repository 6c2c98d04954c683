use palisade_diagnostics::{Fact, Finding, Severity};

use crate::context::ScanContext;
use crate::rule::{Rule, RuleMeta, declare_rule};

declare_rule! {
    /// ## What it does
    /// Finds commands started from code, and file modes set from code, that
    /// escape a container, hide tracks or raise privileges: `nsenter` into
    /// process 1, `chroot /proc/1/root`, back-dated timestamps (`touch -t`,
    /// `touch -r`), cleared shell history, adding a user to `sudo`/`wheel`,
    /// and the setuid or setgid bit (`chmod u+s`, `os.chmod(p, 0o4755)`).
    /// Critical at install time and in MCP servers (files that define
    /// tools); high elsewhere.
    ///
    /// ## Why is this bad?
    /// None of these is something a library or a tool server needs to do;
    /// each is a step of an intrusion: leave the sandbox, make changes look
    /// old, or keep root access for later.
    ///
    /// ## Example
    /// ```python
    /// os.system("nsenter --target 1 --mount --uts --ipc --net --pid -- bash")
    /// os.chmod("/tmp/.helper", 0o4755)
    /// ```
    ///
    /// ## References
    /// - MITRE ATT&CK T1611 (Escape to Host), T1070.006 (Timestomp), T1548.001 (Setuid and Setgid).
    EvasionCommand {
        id: "exec/evasion-command",
        severity: High,
        status: Stable,
        summary: "Code escapes a container, hides its tracks or sets the setuid bit",
    }
}

/// What an evasive command does, if it is one.
pub(crate) fn evasion(command: &str) -> Option<&'static str> {
    let lower = command.to_ascii_lowercase();
    let words: Vec<&str> = lower.split_whitespace().collect();
    let has = |w: &str| words.iter().any(|x| x.trim_matches(['"', '\'']) == w);
    if has("nsenter") && (lower.contains("--target 1") || lower.contains("-t 1")) {
        return Some("enters the host's namespaces (container escape)");
    }
    if lower.contains("chroot /proc/1/root") {
        return Some("changes root to the host's file system (container escape)");
    }
    if has("touch") && (has("-t") || has("-r") || has("-d") || lower.contains("--date")) {
        return Some("back-dates file timestamps (timestomping)");
    }
    if lower.contains("history -c")
        || lower.contains("unset histfile")
        || lower.contains("histsize=0")
    {
        return Some("clears the shell history");
    }
    if has("usermod") && (lower.contains("sudo") || lower.contains("wheel")) {
        return Some("adds a user to the administrators");
    }
    if has("chmod")
        && (lower.contains("u+s")
            || lower.contains("g+s")
            || words.iter().any(|w| {
                w.len() == 4
                    && (w.starts_with('4') || w.starts_with('6'))
                    && w.bytes().all(|b| b.is_ascii_digit())
            }))
    {
        return Some("sets the setuid bit");
    }
    None
}

impl Rule for EvasionCommand {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &ScanContext<'_>, out: &mut Vec<Finding>) {
        // At install time, or in an MCP server's code, none of this has an
        // honest reason.
        let tool_files = ctx.mcp_tool_files();
        let critical =
            |at: &Fact| at.install_time || tool_files.contains(at.location.path.as_str());
        let mut seen = std::collections::HashSet::new();
        for p in &ctx.facts.processes {
            let Some(cmd) = &p.command else { continue };
            let Some(what) = evasion(cmd) else { continue };
            if !seen.insert(p.at.location.clone()) {
                continue;
            }
            let shown: String = cmd.chars().take(120).collect();
            out.push(
                ctx.at(
                    Finding::new(
                        Self::META.id,
                        if critical(&p.at) {
                            Severity::Critical
                        } else {
                            Severity::High
                        },
                        format!("`{}` {what}: `{shown}`", p.api),
                    ),
                    &p.at.location,
                )
                .at_install_time(p.at.install_time)
                .with_capability("process"),
            );
        }
        for o in ctx.facts.other.iter().filter(|o| o.kind == "setuid") {
            out.push(
                ctx.at(
                    Finding::new(
                        Self::META.id,
                        if critical(&o.at) {
                            Severity::Critical
                        } else {
                            Severity::High
                        },
                        format!("sets the setuid or setgid bit on `{}`", o.detail),
                    ),
                    &o.at.location,
                )
                .at_install_time(o.at.install_time)
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
        Tester::new(&EvasionCommand::META).test(
            &[
                Case::Files(&[("m.py", "import os\nos.system('nsenter --target 1 --mount --uts --ipc --net --pid -- bash')\n")]),
                Case::Files(&[("m.py", "import subprocess\nsubprocess.run(['touch', '-t', '202301010000', path])\n")]),
                Case::Files(&[("m.py", "import os, stat\nos.chmod('/tmp/.helper', 0o4755)\n")]),
                // In an MCP server: critical.
                Case::Files(&[("server.py", "import os, stat\n@mcp.tool()\ndef change_permissions(path: str) -> str:\n    \"\"\"Change permissions.\"\"\"\n    mode = os.stat(path).st_mode | stat.S_ISUID\n    os.chmod(path, mode)\n    return 'ok'\n")]),
                Case::Js("require('child_process').execSync('usermod -aG sudo ' + user);"),
            ],
            &[
                Case::Files(&[("m.py", "import os, subprocess\nos.chmod(path, 0o755)\nsubprocess.run(['touch', path])\n")]),
                // Owner-only and world-readable modes have neither bit.
                Case::Files(&[("m.py", "import os\nos.chmod(token_path, 0o600)\nos.chmod(report, 0o644)\nos.chmod(shared, 0o666)\n")]),
                Case::Files(&[("m.py", "import subprocess\nsubprocess.run(['chmod', '+x', 'build.sh'])\n")]),
            ],
        );
    }
}
