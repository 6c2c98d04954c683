use palisade_diagnostics::{Confidence, Finding, Severity};
use palisade_registry::Packument;

use crate::metadata::popular::{fold, split_scope};
use crate::metadata::{
    MetadataContext, MetadataRule, RepoRef, all_people, identities, share_people,
};
use crate::rule::{RuleMeta, declare_rule};

declare_rule! {
    /// ## What it does
    /// Reads the project that `repository` names (`host/owner/project`) and
    /// compares its owner with the package's scope and publishers. When the
    /// owner is neither, it looks for the owner's own claim on the project:
    ///
    /// - another package (fetched as related: `@owner/project`, or the
    ///   popular package named like the project) declares the same
    ///   repository and is published by other people: the package claims
    ///   someone else's source. `high` when that package is in the owner's
    ///   own npm scope and this one is unscoped (the `postmark-mcp` shape),
    ///   `medium` otherwise;
    /// - the owner publishes a scope of its own (`@owner/...` exists), or a
    ///   popular package is named like the project: `low`;
    /// - no such evidence: `info`, since organisations publish through
    ///   personal accounts and bots all the time.
    ///
    /// It is silent on popular packages, and when the owner is the scope or a publisher (compared
    /// without case and separators, or one containing the other), and it
    /// says `unknown` for an unscoped package whose packument names no
    /// publisher.
    ///
    /// ## Why is this bad?
    /// A copycat borrows the original's repository link so the registry page
    /// shows the original's stars, README and history. The registry does not
    /// check the claim; only provenance does.
    ///
    /// ## Example
    /// `postmark-mcp`, published by `phanpak`, with
    /// `"repository": "github:postmark/mcp-server"`, while `@postmark/mcp-server`
    /// declares the same repository and is published by Postmark's people.
    ///
    /// ## References
    /// - npm docs: `repository`; npm provenance statements.
    RepositoryClaim {
        id: "metadata/repository-claim",
        severity: Medium,
        status: Stable,
        summary: "The declared repository belongs to someone who did not publish the package",
    }
}

/// Whether a repository owner is one of these identities (names, e-mail
/// addresses, a scope): equal without case and separators, or one contains
/// the other when both have at least four characters.
fn owner_matches<'a>(owner: &str, identities: impl IntoIterator<Item = &'a String>) -> bool {
    let owner = fold(owner);
    identities.into_iter().any(|id| {
        let id = fold(id.split('@').next().unwrap_or(id));
        id == owner
            || (id.len() >= 4 && owner.len() >= 4 && (id.contains(&owner) || owner.contains(&id)))
    })
}

fn same_repo(a: &RepoRef, b: &RepoRef) -> bool {
    a.host == b.host && a.owner == b.owner && a.name == b.name
}

fn repository_of(p: &Packument) -> Option<RepoRef> {
    let latest = p.dist_tags.get("latest").and_then(|v| p.versions.get(v));
    RepoRef::of(
        p.repository
            .as_ref()
            .or_else(|| latest.and_then(|m| m.repository.as_ref())),
    )
}

impl MetadataRule for RepositoryClaim {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &MetadataContext<'_>, out: &mut Vec<Finding>) -> Result<(), String> {
        let declared = ctx
            .manifest
            .repository
            .as_ref()
            .or(ctx.packument.repository.as_ref());
        let Some(repo) = RepoRef::of(declared) else {
            return Ok(());
        };
        // A popular package's claim is established; monorepo siblings share
        // repositories.
        if ctx.popular.rank(ctx.name).is_some() {
            return Ok(());
        }
        let people = identities(ctx.people());
        let scope = ctx.scope().map(str::to_owned);
        if owner_matches(&repo.owner, people.iter().chain(scope.iter())) {
            return Ok(());
        }
        if people.is_empty() && scope.is_none() {
            return Err("the packument names no publisher or maintainer".to_owned());
        }
        let publishers = if people.is_empty() {
            "its publishers are unknown".to_owned()
        } else {
            format!(
                "it is published by {}",
                crate::metadata::list(
                    ctx.people()
                        .iter()
                        .filter_map(|p| p.name.clone())
                        .collect::<std::collections::BTreeSet<_>>()
                )
            )
        };
        let who = match &scope {
            Some(s) => format!("neither its scope `@{s}` nor a publisher"),
            None => "not a publisher".to_owned(),
        };
        let base = format!(
            "`{}` declares the repository `{}`, whose owner `{}` is {who}; {publishers}",
            ctx.name,
            repo.display(),
            repo.owner
        );
        // Another package claims the same project.
        for other in ctx.related {
            if other.name.eq_ignore_ascii_case(ctx.name)
                || !repository_of(other).is_some_and(|r| same_repo(&r, &repo))
            {
                continue;
            }
            let shared = share_people(ctx.people(), all_people(other));
            if shared == Some(true) {
                return Ok(());
            }
            let owners_scope = split_scope(&other.name)
                .0
                .is_some_and(|s| owner_matches(&repo.owner, [&s.to_owned()]));
            let severity = if owners_scope && scope.is_none() && shared == Some(false) {
                Severity::High
            } else {
                Severity::Medium
            };
            out.push(
                Finding::new(
                    Self::META.id,
                    severity,
                    format!(
                        "{base}; `{}` declares the same repository and is published by other people",
                        other.name
                    ),
                )
                .with_help(format!(
                    "`{}` is probably the original; use it, or ask its owner whether `{}` is theirs",
                    other.name, ctx.name
                )),
            );
            return Ok(());
        }
        let owner_scope = format!("@{}/", repo.owner);
        let owner_publishes = ctx
            .related
            .iter()
            .any(|p| p.name.to_ascii_lowercase().starts_with(&owner_scope))
            || ctx.popular.has_scope(&repo.owner);
        let popular_namesake = ctx.popular.rank(&repo.name).is_some()
            && !repo.name.eq_ignore_ascii_case(ctx.name)
            && ctx.popular.rank(ctx.name).is_none();
        let (severity, extra) = if owner_publishes && scope.is_none() {
            (
                Severity::Low,
                format!(
                    "; `{}` publishes its own packages under `@{}`",
                    repo.owner, repo.owner
                ),
            )
        } else if popular_namesake {
            (
                Severity::Low,
                format!(
                    "; the project is also the name of the popular package `{}`",
                    repo.name
                ),
            )
        } else {
            (Severity::Info, String::new())
        };
        out.push(
            Finding::new(Self::META.id, severity, format!("{base}{extra}"))
                .with_confidence(Confidence::Low)
                .with_help("the registry does not check `repository`; provenance does"),
        );
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metadata::tester::{case, test};

    #[test]
    fn rule() {
        test(
            &RepositoryClaim::META,
            &[
                case("postmark-mcp.json", "1.0.16").related(&["postmark-org-mcp-server.json"]),
                case("postmark-mcp.json", "1.0.16"),
                case("expresss.json", "1.0.0").related(&["express.json"]),
            ],
            &[
                case("express.json", "4.21.2"),
                case("postmark-org-mcp-server.json", "1.2.0"),
                case("unrelated-name.json", "1.0.0"),
                case("lodash-js.json", "1.0.0").related(&["lodash.json"]),
                case("stripped.json", "2.0.0"),
            ],
        );
    }
}
