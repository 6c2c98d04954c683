use palisade_diagnostics::{Fact, Finding, Severity};

use crate::context::ScanContext;
use crate::rule::{Rule, RuleMeta, declare_rule};

declare_rule! {
    /// ## What it does
    /// Finds commands that damage the machine rather than build anything:
    /// shutting it down or rebooting it, deleting the file system root, the
    /// home folder or the folders above the package (`rm -rf $DIR/../..`),
    /// formatting disks, wiping shadow copies, fork bombs. Looks at
    /// lifecycle scripts, the shell files they run, the other `package.json`
    /// scripts (`test`, `start`...) and commands started from code. Critical
    /// in any script; high when started from code outside install time.
    ///
    /// ## Why is this bad?
    /// No package needs to power off or wipe the machine it is installed on.
    /// These are sabotage and protestware payloads, and test packages that
    /// prove install scripts can do anything.
    ///
    /// ## Example
    /// ```json
    /// { "scripts": { "preinstall": "shutdown -h now" } }
    /// ```
    ///
    /// ## References
    /// - MITRE ATT&CK T1485 (Data Destruction), T1529 (System Shutdown/Reboot),
    ///   T1490 (Inhibit System Recovery), T1499 (Endpoint Denial of Service).
    DestructiveCommand {
        id: "exec/destructive-command",
        severity: Critical,
        status: Stable,
        summary: "A command shuts the machine down, wipes files or exhausts it",
    }
}

/// What a command line destroys, if anything.
pub(crate) fn destructive(command: &str) -> Option<&'static str> {
    let lower = command.to_ascii_lowercase();
    let compact: String = lower.chars().filter(|c| !c.is_whitespace()).collect();
    if compact.contains(":(){:|:&};:") || compact.contains("(){$0|$0&}") {
        return Some("a fork bomb");
    }
    if lower.contains("vssadmin") && lower.contains("delete") && lower.contains("shadows")
        || lower.contains("wmic") && lower.contains("shadowcopy") && lower.contains("delete")
    {
        return Some("deletes the shadow copies");
    }
    // Split into simple commands and words.
    for part in lower.split(['\n', ';', '&', '|', '`', '(', ')']) {
        let words: Vec<&str> = part
            .split_whitespace()
            .map(|w| w.trim_matches(|c| c == '"' || c == '\''))
            .filter(|w| *w != "sudo")
            .collect();
        let Some(&program) = words.first() else {
            continue;
        };
        let program = program.rsplit(['/', '\\']).next().unwrap_or(program);
        let program = program.strip_suffix(".exe").unwrap_or(program);
        let args = &words[1..];
        match program {
            "shutdown" => return Some("shuts the machine down"),
            "reboot" | "halt" | "poweroff" => return Some("shuts the machine down"),
            "init" if matches!(args.first(), Some(&("0" | "6"))) => {
                return Some("shuts the machine down");
            }
            "mkfs" => return Some("formats a disk"),
            p if p.starts_with("mkfs.") => return Some("formats a disk"),
            "format"
                if args
                    .first()
                    .is_some_and(|a| a.len() == 2 && a.ends_with(':')) =>
            {
                return Some("formats a disk");
            }
            "dd" if args.iter().any(|a| {
                a.starts_with("of=/dev/sd")
                    || a.starts_with("of=/dev/nvme")
                    || a.starts_with("of=/dev/hd")
                    || a.starts_with("of=/dev/disk")
            }) =>
            {
                return Some("overwrites a disk");
            }
            "rm" => {
                let flags: String = args
                    .iter()
                    .filter(|a| a.starts_with('-') && !a.starts_with("--"))
                    .flat_map(|a| a.chars().skip(1))
                    .collect();
                let recursive = flags.contains('r') || args.contains(&"--recursive");
                if recursive && args.iter().any(|a| wipes_root(a)) {
                    return Some(
                        "deletes the file system, the home folder or the folders above the package",
                    );
                }
            }
            "del" | "erase" | "rd" | "rmdir"
                if args.contains(&"/s") && args.iter().any(|a| wipes_root(a)) =>
            {
                return Some(
                    "deletes the file system, the home folder or the folders above the package",
                );
            }
            _ => {}
        }
    }
    None
}

/// A deletion target that is the root, a system folder, the home folder or
/// two levels above the package.
fn wipes_root(target: &str) -> bool {
    let t = target.trim_end_matches(['*', '/', '\\']);
    matches!(
        t,
        "" | "~"
            | "$home"
            | "${home}"
            | "%userprofile%"
            | "c:"
            | "/home"
            | "/etc"
            | "/usr"
            | "/var"
            | "/boot"
            | "/bin"
            | "/lib"
            | "/root"
            | "/users"
    ) || t.ends_with("../..")
        || t.ends_with("..\\..")
}

impl Rule for DestructiveCommand {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &ScanContext<'_>, out: &mut Vec<Finding>) {
        let commands = super::command_lines(ctx);
        let mut seen = std::collections::HashSet::new();
        for (command, at) in commands {
            let Some(what) = destructive(command) else {
                continue;
            };
            if !seen.insert((at.location.path.clone(), at.location.line)) {
                continue;
            }
            out.push(finding(ctx, command, what, at));
        }
        // Scripts a user runs by hand (`npm test`, `npm start`): a command
        // that wipes the machine has no honest place there either.
        let Some(m) = &ctx.package.manifest else {
            return;
        };
        for (event, command) in m.scripts() {
            if ctx.facts.scripts.iter().any(|s| s.event == event) {
                continue;
            }
            let Some(what) = destructive(command) else {
                continue;
            };
            let location = palisade_diagnostics::Location::new(
                "package.json",
                m.line_of_key(event, Some("scripts")).unwrap_or(1),
                1,
            );
            let shown: String = command.chars().take(120).collect();
            out.push(
                ctx.at(
                    Finding::new(
                        Self::META.id,
                        Severity::Critical,
                        format!("the `{event}` script {what}: `{shown}`"),
                    ),
                    &location,
                )
                .with_capability("process"),
            );
        }
    }
}

fn finding(ctx: &ScanContext<'_>, command: &str, what: &str, at: &Fact) -> Finding {
    let severity = if at.install_time {
        Severity::Critical
    } else {
        Severity::High
    };
    let shown: String = command.chars().take(120).collect();
    ctx.at(
        Finding::new(
            DestructiveCommand::META.id,
            severity,
            format!("{what}: `{shown}`"),
        ),
        &at.location,
    )
    .at_install_time(at.install_time)
    .with_capability("process")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tester::{Case, Tester};

    #[test]
    fn rule() {
        Tester::new(&DestructiveCommand::META).test(
            &[
                Case::Manifest(r#"{"name":"a","scripts":{"preinstall":"echo hi; shutdown -s now"}}"#),
                Case::Files(&[
                    ("package.json", r#"{"name":"a","scripts":{"postinstall":"sh cleanup.sh"}}"#),
                    ("cleanup.sh", "#!/bin/sh\nDIR=\"$(dirname \"$0\")\"\nrm -fr $DIR/../..\n"),
                ]),
                Case::Manifest(r#"{"name":"a","scripts":{"install":"bash -c ':(){ :|:& };:'"}}"#),
                Case::Js("require('child_process').exec('sudo rm -rf --no-preserve-root /');"),
                Case::Js("require('child_process').execSync('vssadmin delete shadows /all /quiet');"),
                Case::Manifest(r#"{"name":"a","scripts":{"test":"sudo rm -rf /*"}}"#),
            ],
            &[
                Case::Manifest(r#"{"name":"a","scripts":{"postinstall":"rm -rf ./build/tmp && node build.js"}}"#),
                Case::Manifest(r#"{"name":"a","scripts":{"prepare":"rimraf dist && tsc"}}"#),
                Case::Js("require('child_process').execSync('rm -rf ' + path.join(os.tmpdir(), 'cache'));"),
                Case::Js("console.log('run shutdown -h now to power off');"),
                Case::Manifest(r#"{"name":"a","scripts":{"postinstall":"node scripts/format.js"}}"#),
            ],
        );
    }

    #[test]
    fn classifies_commands() {
        assert!(destructive("sudo reboot").is_some());
        assert!(destructive("C:\\Windows\\System32\\shutdown.exe /s /t 0").is_some());
        assert!(destructive("rd /s /q C:\\").is_some());
        assert!(destructive("dd if=/dev/zero of=/dev/sda bs=1M").is_some());
        assert!(destructive("rm -rf node_modules").is_none());
        assert!(destructive("rm -r ../../dist").is_none());
        assert!(destructive("dd if=/dev/zero of=./disk.img count=10").is_none());
    }
}
