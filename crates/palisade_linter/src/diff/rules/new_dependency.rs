use palisade_diagnostics::{Finding, Severity};

use crate::diff::rules::{DiffContext, DiffRule};
use crate::diff::{Capability, Change};
use crate::metadata::popular::PopularIndex;
use crate::rule::{RuleMeta, declare_rule};

declare_rule! {
    /// ## What it does
    /// Reports a dependency the new version adds (`dependencies`,
    /// `optionalDependencies`, `peerDependencies`; `devDependencies` are not
    /// installed by users). A registry dependency is context, unless its name
    /// resembles a popular package's (the `metadata/name-impersonation`
    /// index: typos, look-alikes, affixes) or the registry says it runs
    /// scripts at install (when the caller looked it up: `palisade diff`,
    /// `scan`): then it is medium, raised in a quiet release, and high when
    /// both hold. A git or local dependency is medium, raised in a quiet
    /// release; an HTTP tarball URL is high.
    ///
    /// ## Why is this bad?
    /// A new dependency brings all of its code and its install scripts; one
    /// fetched from a URL escapes the registry's checks entirely and can
    /// change at any time without a new version.
    ///
    /// ## Example
    /// ```diff
    ///    "dependencies": {
    /// +    "ui-styles-pkg": "http://packages.storeartifact.invalid/npm/ui-styles-pkg",
    /// ```
    ///
    /// ## References
    /// - PhantomRaven (2025): remote dynamic dependencies from URLs.
    NewDependency {
        id: "diff/new-dependency",
        severity: Info,
        status: Stable,
        summary: "The new version adds a dependency",
    }
}

impl DiffRule for NewDependency {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &DiffContext<'_>, change: &Change) -> Option<Finding> {
        let Capability::Dependency {
            section,
            name,
            spec,
            remote,
        } = &change.capability
        else {
            return None;
        };
        let resembled = if remote.is_none() {
            PopularIndex::shipped().resembles(name).into_iter().next()
        } else {
            None
        };
        let scripts = remote
            .is_none()
            .then(|| ctx.dependency_scripts.get(name))
            .flatten();
        let severity = match (*remote, &resembled, scripts) {
            (Some("url"), ..) | (None, Some(_), Some(_)) => Severity::High,
            (Some(_), ..) | (None, Some(_), None) | (None, None, Some(_)) => {
                ctx.raised(Severity::Medium)
            }
            (None, None, None) => Severity::Info,
        };
        if resembled.is_some() || scripts.is_some() {
            let mut why: Vec<String> = Vec::new();
            if let Some(r) = &resembled {
                why.push(r.how.sentence(name, &r.target));
            }
            if let Some(events) = scripts {
                why.push(format!("it runs `{}` at install", events.join("`, `")));
            }
            let message = format!(
                "{} adds the dependency `{name}@{spec}` to `{section}`: {}{}",
                ctx.versions(),
                why.join("; "),
                ctx.why()
            );
            return Some(ctx.finding(&Self::META, severity, message, change));
        }
        let message = match remote {
            Some(kind) => format!(
                "{} adds `{name}` to `{section}` as a {kind} dependency `{spec}`{}",
                ctx.versions(),
                ctx.why()
            ),
            None => format!(
                "{} adds the dependency `{name}@{spec}` to `{section}`",
                ctx.versions()
            ),
        };
        Some(ctx.finding(&Self::META, severity, message, change))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diff::tester::{DiffTester, Pair};

    #[test]
    fn rule() {
        DiffTester::new(&NewDependency::META).test(
            &[
                Pair(
                    &[("package.json", "{\"name\":\"m\",\"version\":\"1.0.0\",\"dependencies\":{\"a\":\"^1.0.0\"}}")],
                    &[("package.json", "{\"name\":\"m\",\"version\":\"1.0.1\",\"dependencies\":{\n  \"a\":\"^1.0.0\",\n  \"b\":\"http://127.0.0.1:9/b.tgz\"\n}}")],
                ),
                Pair(
                    &[("package.json", "{\"name\":\"m\",\"version\":\"1.0.0\"}")],
                    &[("package.json", "{\"name\":\"m\",\"version\":\"1.1.0\",\"dependencies\":{\"left-pad\":\"^1.3.0\"}}")],
                ),
                Pair(
                    &[("package.json", "{\"name\":\"m\",\"version\":\"1.0.0\",\"dependencies\":{\"chalk\":\"^5.0.0\"}}")],
                    &[("package.json", "{\"name\":\"m\",\"version\":\"1.0.1\",\"dependencies\":{\"chalk\":\"^5.0.0\",\"lodahs\":\"^4.17.21\"}}")],
                ),
            ],
            &[Pair(
                &[("package.json", "{\"name\":\"m\",\"version\":\"1.0.0\",\"dependencies\":{\"a\":\"^1.0.0\"},\"devDependencies\":{\"x\":\"1\"}}")],
                &[("package.json", "{\"name\":\"m\",\"version\":\"1.0.1\",\"dependencies\":{\"a\":\"^1.2.0\"},\"devDependencies\":{\"y\":\"1\"}}")],
            )],
        );
    }

    #[test]
    fn a_new_dependency_that_runs_install_scripts() {
        use crate::diff::RegistryRecord;
        use crate::diff::tester::findings_with;
        let old = [("package.json", "{\"name\":\"m\",\"version\":\"1.0.0\"}")];
        let new = [(
            "package.json",
            "{\"name\":\"m\",\"version\":\"1.0.1\",\"dependencies\":{\"helper-kit\":\"^2.0.0\",\"lodahs\":\"^1.0.0\"}}",
        )];
        let mut record = RegistryRecord::default();
        record
            .dependency_scripts
            .insert("helper-kit".into(), vec!["postinstall".into()]);
        record
            .dependency_scripts
            .insert("lodahs".into(), vec!["install script".into()]);
        let found = findings_with(&old, &new, &record, "diff/new-dependency");
        let by_name = |n: &str| {
            found
                .iter()
                .find(|f| f.message.contains(&format!("`{n}@")))
                .unwrap_or_else(|| panic!("{n} not reported: {found:?}"))
        };
        let helper = by_name("helper-kit");
        assert_eq!(helper.severity, Severity::High, "raised in a quiet release");
        assert!(helper.message.contains("it runs `postinstall` at install"));
        // A look-alike name that also runs scripts is high in any release.
        let lookalike = by_name("lodahs");
        assert_eq!(lookalike.severity, Severity::High);
        assert!(lookalike.message.contains("one edit away from `lodash`"));
        // Without the registry's word, a plain dependency stays context.
        let plain = findings_with(
            &old,
            &new,
            &RegistryRecord::default(),
            "diff/new-dependency",
        );
        let helper = plain
            .iter()
            .find(|f| f.message.contains("`helper-kit@"))
            .expect("reported as context");
        assert_eq!(helper.severity, Severity::Info);
    }
}
