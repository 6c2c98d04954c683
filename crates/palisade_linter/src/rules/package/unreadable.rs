use palisade_diagnostics::{Finding, Location, Severity};
use palisade_package::ReadIssueKind;

use crate::context::ScanContext;
use crate::rule::{Rule, RuleMeta, declare_rule};

declare_rule! {
    /// ## What it does
    /// Reports archive entries palisade could not read or would not accept:
    /// a corrupt or truncated archive, an entry whose path leaves the package
    /// (`../`, absolute paths), links (never followed), devices and fifos, and
    /// a `package.json` that is not valid JSON.
    ///
    /// ## Why is this bad?
    /// npm never produces these. A path that climbs out of the package is an
    /// attempt to write outside the install folder; a corrupt archive hides its
    /// content from scanners while some extractors still read part of it.
    ///
    /// ## Example
    /// A tarball entry named `package/../../.bashrc`.
    ///
    /// ## References
    /// - "Zip Slip" (Snyk, 2018).
    Unreadable {
        id: "package/unreadable",
        severity: Medium,
        status: Stable,
        summary: "Part of the package could not be read, or tried to leave the package",
    }
}

impl Rule for Unreadable {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &ScanContext<'_>, out: &mut Vec<Finding>) {
        for issue in &ctx.package.issues {
            let (severity, what) = match issue.kind {
                ReadIssueKind::LimitExceeded(_) => continue,
                ReadIssueKind::PathTraversal => (Severity::High, "entry path leaves the package"),
                ReadIssueKind::Link => (Severity::Low, "link not followed"),
                ReadIssueKind::SpecialFile => (Severity::Low, "special file skipped"),
                _ => (Severity::Medium, "unreadable"),
            };
            let path = issue
                .path
                .as_deref()
                .map(|p| format!(" `{p}`"))
                .unwrap_or_default();
            let mut f = Finding::new(
                Self::META.id,
                severity,
                format!("{what}{path}: {}", issue.detail),
            );
            if let Some(p) = &issue.path {
                f = f.with_location(Location::file(p.clone()));
            }
            out.push(f);
        }
        if let Some(err) = &ctx.package.manifest_error {
            out.push(
                Finding::new(
                    Self::META.id,
                    Severity::Medium,
                    format!("`package.json` is unreadable: {err}"),
                )
                .with_location(Location::file("package.json")),
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
        Tester::new(&Unreadable::META).test(
            &[Case::Manifest("{\"name\": \"a\", ")],
            &[Case::Manifest(r#"{"name":"a","version":"1.0.0"}"#)],
        );
    }
}
