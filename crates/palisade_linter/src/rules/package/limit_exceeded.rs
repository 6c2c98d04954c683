use palisade_diagnostics::{Confidence, Location};
use palisade_package::ReadIssueKind;

use crate::context::ScanContext;
use crate::rule::{Rule, RuleMeta, declare_rule};

declare_rule! {
    /// ## What it does
    /// Reports a package that hit one of the reader's limits: total unpacked
    /// bytes, file count, one file's size, path depth or compression ratio.
    ///
    /// ## Why is this bad?
    /// What was not read was not analysed. Real packages stay far below the
    /// defaults; archive bombs and padding meant to exhaust or outlast a
    /// scanner do not.
    ///
    /// ## Example
    /// A 40 KB tarball that unpacks to 4 GB of zeros; a package of 20 000
    /// one-byte files.
    ///
    /// ## References
    /// - `palisade scan --max-file-bytes`, `--max-files`, ... raise the limits.
    LimitExceeded {
        id: "package/limit-exceeded",
        severity: Medium,
        status: Stable,
        summary: "The package exceeds a reading limit; part of it was not analysed",
    }
}

impl Rule for LimitExceeded {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &ScanContext<'_>, out: &mut Vec<palisade_diagnostics::Finding>) {
        for issue in &ctx.package.issues {
            let ReadIssueKind::LimitExceeded(kind) = issue.kind else {
                continue;
            };
            let mut f = Self::finding(format!("limit `{kind}` exceeded: {}", issue.detail))
                .with_confidence(Confidence::High)
                .with_help("raise the limit if the package is trusted, or treat what was not read as unknown");
            if let Some(p) = &issue.path {
                f = f.with_location(Location::file(p.clone()));
            }
            out.push(f);
        }
    }
}

#[cfg(test)]
mod tests {
    use palisade_package::{LimitKind, Limits, PackageFile, ReadIssue};

    use super::*;
    use crate::{Engine, EngineOptions};

    #[test]
    fn fires_on_limit_issues_only() {
        let mut pkg = palisade_package::Package::from_files(
            "t",
            vec![PackageFile {
                path: "package.json".into(),
                data: br#"{"name":"a","version":"1.0.0"}"#.to_vec(),
                executable: false,
            }],
        );
        let engine = Engine::new(EngineOptions {
            only_rules: vec![LimitExceeded::META.id.into()],
            ..EngineOptions::default()
        });
        assert!(engine.scan(&pkg).findings.is_empty());
        pkg.issues.push(ReadIssue::limit(
            LimitKind::Files,
            None,
            "more than 10000 files",
        ));
        let r = engine.scan(&pkg);
        assert_eq!(r.findings.len(), 1);
        assert!(r.findings[0].message.contains("`files`"));
        let _ = Limits::default();
    }
}
