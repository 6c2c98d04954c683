use palisade_diagnostics::{Finding, Severity};

use crate::context::ScanContext;
use crate::rule::{Rule, RuleMeta, declare_rule};

declare_rule! {
    /// ## What it does
    /// Finds code that writes into another installed package's code
    /// (`node_modules/<package>/….js`). High on its own; critical at install,
    /// or when the same file then sets the file's times back (`fs.utimes`),
    /// which only serves to hide the change. Tool caches
    /// (`node_modules/.cache`, `.vite`, `.bin`...) are not packages.
    ///
    /// ## Why is this bad?
    /// A package that patches its neighbours injects code into dependencies
    /// the user trusts and reviews separately: the event-stream /
    /// flatmap-stream attack decrypted its payload into another library's
    /// file and restored the file's timestamps.
    ///
    /// ## Example
    /// ```js
    /// fs.writeFileSync('./node_modules/some-lib/index.js', original + payload);
    /// fs.utimesSync('./node_modules/some-lib/index.js', st.atime, st.mtime);
    /// ```
    ///
    /// ## References
    /// - MITRE ATT&CK T1195.002 (Compromise Software Supply Chain), T1070.006 (Timestomp).
    DependencyTampering {
        id: "persistence/dependency-tampering",
        severity: Critical,
        status: Stable,
        summary: "The code rewrites another installed package's files",
    }
}

/// `node_modules/<pkg>/<file>` with a code extension, not a tool cache.
fn package_code_path(path: &str) -> Option<&str> {
    let norm = path.trim_start_matches("./");
    let i = norm.find("node_modules/")?;
    let rest = &norm[i + "node_modules/".len()..];
    let first = rest.split('/').next().unwrap_or("");
    if first.is_empty() || first.starts_with('.') || first == "*" {
        return None;
    }
    let code = [".js", ".cjs", ".mjs", ".ts", ".node"]
        .iter()
        .any(|e| rest.ends_with(e));
    (code && rest.contains('/')).then_some(rest)
}

impl Rule for DependencyTampering {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &ScanContext<'_>, out: &mut Vec<Finding>) {
        let mut seen = std::collections::HashSet::new();
        for w in ctx.facts.other.iter().filter(|o| o.kind == "file-write") {
            let Some(target) = package_code_path(&w.detail) else {
                continue;
            };
            if !seen.insert(target.to_owned()) {
                continue;
            }
            let stomped = ctx
                .facts
                .other
                .iter()
                .any(|o| o.kind == "timestomp" && o.at.location.path == w.at.location.path);
            let severity = if stomped || w.at.install_time {
                Severity::Critical
            } else {
                Severity::High
            };
            let how = if stomped {
                " and sets its file times back"
            } else {
                ""
            };
            out.push(
                ctx.at(
                    Finding::new(
                        Self::META.id,
                        severity,
                        format!("rewrites `node_modules/{target}`, another package's code{how}"),
                    ),
                    &w.at.location,
                )
                .at_install_time(w.at.install_time)
                .with_capability("file-write"),
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
        Tester::new(&DependencyTampering::META).test(
            &[
                Case::Js("const fs = require('fs');\nconst f = './node_modules/some-lib/lib/decoder.js';\nconst st = fs.statSync(f);\nfs.writeFileSync(f, fs.readFileSync(f, 'utf8') + payload);\nfs.utimesSync(f, st.atime, st.mtime);"),
                Case::InstallJs("require('fs').appendFileSync('node_modules/@scope/pkg/index.js', '\\nrequire(\"./x\")');"),
            ],
            &[
                Case::Js("require('fs').writeFileSync('node_modules/.cache/my-tool/data.json', '{}');"),
                Case::Js("require('fs').writeFileSync('./dist/index.js', code);"),
                Case::Js("require('fs').writeFileSync(path.join(dir, 'node_modules', name, 'package.json'), json);"),
            ],
        );
    }

    #[test]
    fn paths() {
        assert_eq!(package_code_path("./node_modules/a/b.js"), Some("a/b.js"));
        assert_eq!(package_code_path("node_modules/.bin/x.js"), None);
        assert_eq!(package_code_path("node_modules/a"), None);
    }
}
