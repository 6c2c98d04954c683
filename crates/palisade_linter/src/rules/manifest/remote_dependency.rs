use palisade_diagnostics::{Finding, Location, Severity};

use crate::context::ScanContext;
use crate::rule::{Rule, RuleMeta, declare_rule};

declare_rule! {
    /// ## What it does
    /// Finds dependencies that come from a URL, a git repository or a tarball
    /// instead of the registry.
    ///
    /// ## Why is this bad?
    /// Such a dependency bypasses the registry's malware takedowns and version
    /// immutability: whoever controls the URL can change what gets installed.
    /// Over plain `http://` anyone on the path can.
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
        summary: "A dependency is fetched from a URL or git instead of the registry",
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
            ],
            &[
                Case::Manifest(r#"{"name":"a","dependencies":{"x":"^1.2.3","y":"npm:z@1"}}"#),
                Case::Manifest(r#"{"name":"a","devDependencies":{"x":"github:o/x"}}"#),
            ],
        );
    }
}
