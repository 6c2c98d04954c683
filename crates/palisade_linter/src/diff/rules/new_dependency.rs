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
    /// index: typos, look-alikes, affixes): then it is medium, raised in a
    /// quiet release. A git or local dependency is medium, raised in a quiet
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
        let severity = match *remote {
            Some("url") => Severity::High,
            Some(_) => ctx.raised(Severity::Medium),
            None if resembled.is_some() => ctx.raised(Severity::Medium),
            None => Severity::Info,
        };
        if let Some(r) = resembled {
            let message = format!(
                "{} adds the dependency `{name}@{spec}` to `{section}`: {}{}",
                ctx.versions(),
                r.how.sentence(name, &r.target),
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
}
