use palisade_diagnostics::{Finding, Severity};

use crate::context::ScanContext;
use crate::rule::{Rule, RuleMeta, declare_rule};

declare_rule! {
    /// ## What it does
    /// Finds lifecycle scripts that leave a process running after the
    /// install ends: `forever start`, `pm2 start`, `nohup … &`, `setsid`,
    /// `screen -dm`, `tmux new -d`, `start /b`, or a command sent to the
    /// background with a trailing `&`.
    ///
    /// ## Why is this bad?
    /// An install finishes; a build step does not need to outlive it. A
    /// process that stays behind is an implant: it keeps a connection open,
    /// waits for commands or mines, long after the user stopped watching.
    ///
    /// ## Example
    /// ```json
    /// { "scripts": { "postinstall": "forever start lib/agent.js" } }
    /// ```
    ///
    /// ## References
    /// - MITRE ATT&CK T1543 (Create or Modify System Process), T1059.
    BackgroundAtInstall {
        id: "persistence/background-at-install",
        severity: High,
        status: Stable,
        summary: "An install script leaves a process running in the background",
    }
}

/// How a command line detaches a process, if it does.
pub(crate) fn detaches(command: &str) -> Option<&'static str> {
    let lower = command.to_ascii_lowercase();
    let words: Vec<&str> = lower.split_whitespace().collect();
    let has = |a: &str, b: &str| words.windows(2).any(|w| w[0] == a && w[1] == b);
    if has("forever", "start") || has("pm2", "start") {
        return Some("starts a service manager's daemon");
    }
    if words
        .iter()
        .any(|w| matches!(*w, "nohup" | "setsid" | "disown" | "daemonize"))
    {
        return Some("detaches a process from the install");
    }
    if has("screen", "-dm")
        || has("screen", "-dms")
        || words
            .windows(3)
            .any(|w| w[0] == "tmux" && w[1].starts_with("new") && w[2] == "-d")
    {
        return Some("starts a detached terminal session");
    }
    if has("start", "/b") || has("start", "/min") {
        return Some("starts a hidden Windows process");
    }
    // `cmd &` (not `&&`, not `2>&1`) at the end of a simple command.
    let trimmed = lower.trim_end();
    let background = lower.split(['\n', ';']).any(|part| {
        let p = part.trim_end();
        p.ends_with('&') && !p.ends_with("&&") && !p.ends_with(">&") && p.len() > 1
    }) || lower.contains("& exit");
    if background && !trimmed.is_empty() {
        return Some("sends a process to the background");
    }
    None
}

impl Rule for BackgroundAtInstall {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &ScanContext<'_>, out: &mut Vec<Finding>) {
        for s in ctx.facts.scripts.iter().filter(|s| s.at.install_time) {
            let Some(how) = detaches(&s.command) else {
                continue;
            };
            let shown: String = s.command.chars().take(120).collect();
            out.push(
                ctx.at(
                    Finding::new(
                        Self::META.id,
                        Severity::High,
                        format!("`{}` {how}: `{shown}`", s.event),
                    ),
                    &s.at.location,
                )
                .at_install_time(true)
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
        Tester::new(&BackgroundAtInstall::META).test(
            &[
                Case::Manifest(r#"{"name":"a","scripts":{"postinstall":"forever start src/index.js"}}"#),
                Case::Manifest(r#"{"name":"a","scripts":{"preinstall":"nohup node agent.js > /dev/null 2>&1 &"}}"#),
                Case::Manifest(r#"{"name":"a","scripts":{"install":"node miner.js &"}}"#),
            ],
            &[
                Case::Manifest(r#"{"name":"a","scripts":{"postinstall":"node build.js && node check.js"}}"#),
                Case::Manifest(r#"{"name":"a","scripts":{"postinstall":"node-gyp rebuild 2>&1 || true"}}"#),
                Case::Manifest(r#"{"name":"a","scripts":{"start":"pm2 start app.js"}}"#),
                Case::Manifest(r#"{"name":"a","scripts":{"postinstall":"node scripts/postinstall.js >&2"}}"#),
            ],
        );
    }

    #[test]
    fn background_forms() {
        assert!(detaches("setsid node x.js").is_some());
        assert!(detaches("start /b node x.js").is_some());
        assert!(detaches("tmux new -d -s x node x.js").is_some());
        assert!(detaches("echo a && echo b").is_none());
        assert!(detaches("node x.js 2>&1").is_none());
    }
}
