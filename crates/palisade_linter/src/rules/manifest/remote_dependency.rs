use palisade_diagnostics::{Finding, Location, Severity};

use crate::context::ScanContext;
use crate::rule::{Rule, RuleMeta, declare_rule};

declare_rule! {
    /// ## What it does
    /// Finds dependencies that come from a URL, a git repository or a tarball
    /// instead of the registry, and `file:` dependencies on a folder shipped in
    /// the package whose own `package.json` runs a lifecycle script.
    ///
    /// ## Why is this bad?
    /// Such a dependency bypasses the registry's malware takedowns and version
    /// immutability: whoever controls the URL can change what gets installed.
    /// Over plain `http://` anyone on the path can. A bundled folder with its
    /// own install script runs code at install that the root manifest never
    /// shows; installed under another package's name it also takes that
    /// package's place in `node_modules` (critical).
    ///
    /// ## Example
    /// ```json
    /// "dependencies": { "helper": "https://x.invalid/helper-1.0.0.tgz" }
    /// ```
    ///
    /// ## References
    /// - npm docs: `dependencies` (URLs as dependencies, git URLs).
    RemoteDependency {
        id: "manifest/remote-dependency",
        severity: Medium,
        status: Stable,
        summary: "A dependency is fetched from a URL or git instead of the registry, or hides an install script in a bundled folder",
    }
}

impl Rule for RemoteDependency {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &ScanContext<'_>, out: &mut Vec<Finding>) {
        let Some(m) = &ctx.package.manifest else {
            return;
        };
        for (section, name, spec) in m.dependencies() {
            if section == "devDependencies" {
                continue;
            }
            let lower = spec.to_ascii_lowercase();
            let hidden: String;
            let kind = if lower.starts_with("http://") {
                Some((Severity::High, "plain-HTTP URL"))
            } else if lower.starts_with("https://") {
                Some((Severity::Medium, "URL"))
            } else if lower.starts_with("git")
                || lower.starts_with("github:")
                || lower.starts_with("gitlab:")
                || lower.starts_with("bitbucket:")
            {
                Some((Severity::Low, "git repository"))
            } else if let Some((script, masked)) = bundled_install_script(ctx, name, spec) {
                hidden = script;
                let severity = if masked {
                    Severity::Critical
                } else {
                    Severity::High
                };
                Some((severity, hidden.as_str()))
            } else {
                None
            };
            if let Some((severity, what)) = kind {
                let line = m.line_of_key(name, Some(section)).unwrap_or(0);
                out.push(
                    ctx.at(
                        Finding::new(
                            Self::META.id,
                            severity,
                            format!("dependency `{name}` comes from a {what}: `{spec}`"),
                        )
                        .with_help("depend on a published registry version"),
                        &Location::new("package.json", line, 1),
                    ),
                );
            }
        }
    }
}

/// A `file:` dependency on a folder shipped inside the package whose own
/// `package.json` runs a lifecycle script: npm runs it at install, out of
/// sight of anyone who reads the root manifest. The flag is set when the
/// folder is installed under another package's name (`"react":
/// "file:./x"` for a folder whose package is `x-helper`): it takes that
/// package's place in `node_modules`.
fn bundled_install_script(ctx: &ScanContext<'_>, dep: &str, spec: &str) -> Option<(String, bool)> {
    let dir = spec.strip_prefix("file:")?;
    let dir = dir.trim_start_matches("./").trim_end_matches('/');
    if dir.is_empty() || dir.starts_with('/') || dir.split('/').any(|p| p == "..") {
        return None;
    }
    let nested =
        palisade_package::Manifest::parse(&ctx.package.file(&format!("{dir}/package.json"))?.data)
            .ok()?;
    let (event, script) = nested.scripts().into_iter().find(|(event, _)| {
        matches!(*event, "preinstall" | "install" | "postinstall" | "prepare")
    })?;
    let script: String = script.chars().take(120).collect();
    let own = nested.name().unwrap_or("");
    if !own.is_empty() && own != dep {
        return Some((
            format!(
                "folder inside the package named `{own}`, installed in the place of `{dep}`, whose own `{event}` script runs at install (`{script}`)"
            ),
            true,
        ));
    }
    Some((
        format!(
            "folder inside the package, whose own `{event}` script runs at install (`{script}`)"
        ),
        false,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tester::{Case, Tester};

    #[test]
    fn rule() {
        Tester::new(&RemoteDependency::META).test(
            &[
                Case::Manifest(r#"{"name":"a","dependencies":{"x":"http://127.0.0.1/x.tgz"}}"#),
                Case::Manifest(
                    r#"{"name":"a","dependencies":{"x":"git+https://git.invalid/x.git"}}"#,
                ),
                // Another package's name bound to a folder with its own
                // install script: critical; under its own name: high.
                Case::Files(&[
                    (
                        "package.json",
                        r#"{"name":"a","dependencies":{"v":"file:Vendor/"}}"#,
                    ),
                    (
                        "Vendor/package.json",
                        r#"{"name":"v","scripts":{"install":"node build.js"}}"#,
                    ),
                ]),
                Case::Files(&[
                    (
                        "package.json",
                        r#"{"name":"a","dependencies":{"react":"file:./vendor"}}"#,
                    ),
                    (
                        "vendor/package.json",
                        r#"{"name":"v","scripts":{"postinstall":"./install.sh"}}"#,
                    ),
                    ("vendor/install.sh", "echo hi\n"),
                ]),
            ],
            &[
                Case::Manifest(r#"{"name":"a","dependencies":{"x":"^1.2.3","y":"npm:z@1"}}"#),
                // A bundled folder with no script of its own.
                Case::Files(&[
                    (
                        "package.json",
                        r#"{"name":"a","dependencies":{"util":"file:./vendor/util"}}"#,
                    ),
                    (
                        "vendor/util/package.json",
                        r#"{"name":"util","scripts":{"test":"node t.js"}}"#,
                    ),
                ]),
                Case::Manifest(r#"{"name":"a","devDependencies":{"x":"github:o/x"}}"#),
            ],
        );
    }
}
