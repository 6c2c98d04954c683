//! The manifest checker: lifecycle scripts and what they run.

use palisade_diagnostics::{Fact, Location, ScriptFact};
use palisade_package::{Manifest, Package};

/// Scripts npm runs on `npm install` of a package from the registry, in order.
pub(crate) const INSTALL_EVENTS: &[&str] = &["preinstall", "install", "postinstall"];
/// Scripts that also run at install in some cases (git dependencies, local
/// installs) or on publish: weaker signals.
pub(crate) const OTHER_LIFECYCLE: &[&str] = &[
    "prepare",
    "preprepare",
    "postprepare",
    "prepublish",
    "preuninstall",
    "uninstall",
    "postuninstall",
];

/// Lifecycle scripts as facts, with the package files they run.
pub(crate) fn scripts(pkg: &Package) -> Vec<ScriptFact> {
    let Some(m) = &pkg.manifest else {
        return Vec::new();
    };
    m.scripts()
        .into_iter()
        .filter(|(event, _)| INSTALL_EVENTS.contains(event) || OTHER_LIFECYCLE.contains(event))
        .map(|(event, command)| ScriptFact {
            event: event.to_owned(),
            command: command.to_owned(),
            runs_files: files_run_by(command, pkg, m),
            at: Fact {
                location: Location::new(
                    "package.json",
                    m.line_of_key(event, Some("scripts")).unwrap_or(1),
                    1,
                ),
                install_time: INSTALL_EVENTS.contains(&event),
            },
        })
        .collect()
}

/// Package files a command line runs: `node x.js`, `node ./lib/x`, `sh x.sh`,
/// `./x.sh`, `forever start x.js`, `node .` (the package main): every word
/// that names a code file of the package, and the main for `node .`.
pub(crate) fn files_run_by(command: &str, pkg: &Package, m: &Manifest) -> Vec<String> {
    let mut out = Vec::new();
    for part in command.split(['&', '|', ';']) {
        let words: Vec<&str> = part
            .split_whitespace()
            .map(|w| w.trim_matches(|c| c == '"' || c == '\''))
            .collect();
        for (i, w) in words.iter().enumerate() {
            let runner =
                i > 0 && matches!(words[i - 1].rsplit('/').next(), Some("node" | "nodejs"));
            if *w == "." && runner {
                out.extend(resolve_entry(".", pkg, m));
                continue;
            }
            if w.starts_with('-') || w.contains('=') || w.starts_with('$') {
                continue;
            }
            let code_like = runner
                || w.starts_with("./")
                || [
                    ".js", ".cjs", ".mjs", ".ts", ".sh", ".bash", ".bat", ".cmd", ".ps1", ".py",
                ]
                .iter()
                .any(|e| w.ends_with(e));
            if code_like {
                out.extend(resolve_entry(w, pkg, m));
            }
        }
    }
    out.sort();
    out.dedup();
    out
}

/// Resolves `./lib/x`, `lib/x.js`, `.` to a file in the package.
pub(crate) fn resolve_entry(arg: &str, pkg: &Package, m: &Manifest) -> Option<String> {
    let arg = arg.trim_start_matches("./");
    if arg == "." || arg.is_empty() {
        let main = m
            .json
            .get("main")
            .and_then(|v| v.as_str())
            .unwrap_or("index.js");
        return resolve_file(main.trim_start_matches("./"), pkg)
            .or_else(|| resolve_file("index.js", pkg));
    }
    resolve_loose(arg, pkg)
}

/// Resolves a script argument, falling back to a unique file with the same
/// name elsewhere in the package (published tarballs are sometimes flattened,
/// and repacking can drop the dot of a hidden file: `./.setup.js` shipped as
/// `setup.js`).
fn resolve_loose(path: &str, pkg: &Package) -> Option<String> {
    resolve_file(path, pkg).or_else(|| {
        let base = path.rsplit('/').next()?.trim_start_matches('.');
        if base.is_empty() {
            return None;
        }
        let mut hits = pkg.files.iter().filter(|f| {
            let name = f.path.rsplit('/').next().unwrap_or(&f.path);
            let name = name.trim_start_matches('.');
            name == base || name.strip_suffix(".js") == Some(base)
        });
        let first = hits.next()?;
        hits.next().is_none().then(|| first.path.clone())
    })
}

/// Node's file resolution: exact, with an extension, or a folder's index.
pub(crate) fn resolve_file(path: &str, pkg: &Package) -> Option<String> {
    let path = path.trim_end_matches('/');
    if path.is_empty() {
        return None;
    }
    let candidates = [
        path.to_owned(),
        format!("{path}.js"),
        format!("{path}.cjs"),
        format!("{path}.mjs"),
        format!("{path}.json"),
        format!("{path}.ts"),
        format!("{path}/index.js"),
        format!("{path}/index.cjs"),
        format!("{path}/index.mjs"),
    ];
    candidates.into_iter().find(|c| pkg.file(c).is_some())
}

/// Joins a relative specifier to the folder of the file that requires it.
pub(crate) fn join_relative(from_file: &str, spec: &str) -> Option<String> {
    let mut parts: Vec<&str> = from_file.split('/').collect();
    parts.pop();
    for seg in spec.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            s => parts.push(s),
        }
    }
    Some(parts.join("/"))
}

/// Shell files run at install: each command line becomes a script fact at
/// its own line, so the script rules judge it as they judge `package.json`.
pub(crate) fn shell_lines(pkg: &Package, script: &ScriptFact) -> Vec<ScriptFact> {
    let mut out = Vec::new();
    for path in &script.runs_files {
        let lower = path.to_ascii_lowercase();
        let Some(file) = pkg.file(path) else { continue };
        let shebang_shell = file.data.starts_with(b"#!")
            && file
                .data
                .iter()
                .take(64)
                .copied()
                .collect::<Vec<u8>>()
                .windows(2)
                .any(|w| w == b"sh");
        let is_shell = [".sh", ".bash", ".bat", ".cmd", ".ps1", ".command"]
            .iter()
            .any(|e| lower.ends_with(e))
            || (!lower.contains('.') && shebang_shell);
        if !is_shell {
            continue;
        }
        let text = String::from_utf8_lossy(&file.data);
        for (i, line) in text.lines().enumerate().take(2000) {
            let t = line.trim();
            let upper = t.to_ascii_uppercase();
            if t.is_empty()
                || t.starts_with('#')
                || t.starts_with("::")
                || upper.starts_with("REM ")
                || upper == "@ECHO OFF"
            {
                continue;
            }
            out.push(ScriptFact {
                event: format!("{} → {path}", script.event),
                command: t.chars().take(2000).collect(),
                runs_files: Vec::new(),
                at: Fact {
                    location: Location::new(
                        path.clone(),
                        u32::try_from(i + 1).unwrap_or(u32::MAX),
                        1,
                    ),
                    install_time: script.at.install_time,
                },
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use palisade_package::PackageFile;

    fn pkg(manifest: &str, files: &[&str]) -> Package {
        let mut v = vec![PackageFile {
            path: "package.json".into(),
            data: manifest.as_bytes().to_vec(),
            executable: false,
        }];
        v.extend(files.iter().map(|f| PackageFile {
            path: (*f).into(),
            data: b"x".to_vec(),
            executable: false,
        }));
        Package::from_files("t", v)
    }

    #[test]
    fn finds_files_scripts_run() {
        let p = pkg(
            r#"{"name":"a","scripts":{"preinstall":"node ./lib/setup && sh run.sh","test":"jest"}}"#,
            &["lib/setup.js", "run.sh"],
        );
        let s = scripts(&p);
        assert_eq!(s.len(), 1);
        assert_eq!(s[0].runs_files, ["lib/setup.js", "run.sh"]);
        assert!(s[0].at.install_time);
        assert_eq!(s[0].at.location.line, 1);
        let p = pkg(
            r#"{"name":"a","main":"main.js","scripts":{"postinstall":"node ."}}"#,
            &["main.js"],
        );
        assert_eq!(scripts(&p)[0].runs_files, ["main.js"]);
        let p = pkg(
            r#"{"name":"a","scripts":{"preinstall":"node script/prei.js; forever start src/x.js"}}"#,
            &["prei.js", "src/x.js"],
        );
        assert_eq!(scripts(&p)[0].runs_files, ["prei.js", "src/x.js"]);
        let p = pkg(
            r#"{"name":"a","scripts":{"postinstall":"chmod +x run.sh && ./run.sh"}}"#,
            &["run.sh"],
        );
        let s = scripts(&p);
        assert_eq!(s[0].runs_files, ["run.sh"]);
        // A hidden file that lost its dot in the tarball; two candidates
        // are no answer.
        let p = pkg(
            r#"{"name":"a","scripts":{"preinstall":"node ./.beacon.js x"}}"#,
            &["beacon.js"],
        );
        assert_eq!(scripts(&p)[0].runs_files, ["beacon.js"]);
        let p = pkg(
            r#"{"name":"a","scripts":{"preinstall":"node ./.beacon.js x"}}"#,
            &["a/beacon.js", "b/beacon.js"],
        );
        assert!(scripts(&p)[0].runs_files.is_empty());
    }

    #[test]
    fn joins_relative_paths() {
        assert_eq!(join_relative("lib/a.js", "./b").as_deref(), Some("lib/b"));
        assert_eq!(
            join_relative("lib/x/a.js", "../b").as_deref(),
            Some("lib/b")
        );
        assert_eq!(join_relative("a.js", "../b"), None);
    }
}
