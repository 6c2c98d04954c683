use palisade_diagnostics::{Confidence, Finding, Severity};

use crate::metadata::popular::{self, Resemblance};
use crate::metadata::{MetadataContext, MetadataRule, all_people, share_people};
use crate::rule::{RuleMeta, declare_rule};

declare_rule! {
    /// ## What it does
    /// Flags a package whose name resembles a popular package's without
    /// being it: one or two edits away (scaled by length: none under five
    /// characters, one up to nine, two from ten), the same name with other
    /// separators (`-`, `_`, `.`, none) or look-alike digits (`1` for `l`,
    /// `0` for `o`), the popular name with a prefix or suffix (`node-`,
    /// `-js`, `-mcp`...), or an unscoped copy of a scoped organisation's
    /// package (`acme-mcp` for `@acme/mcp-server`).
    ///
    /// The popular names are the `npm-high-impact` list shipped with
    /// palisade. It stays silent on a popular package itself and when the
    /// resembled package's maintainers are known and share someone with this
    /// one (the same people publishing a sibling). `high` for an unscoped
    /// copy of a scoped package whose maintainers are known and are all
    /// other people; `medium` otherwise. The MCP naming convention
    /// (`<product>-mcp`, `mcp-<product>`) alone is not evidence: it counts,
    /// as `low`, only when the product's maintainers are known and none of
    /// them publishes the package.
    ///
    /// Over the 12 338 less popular names of the shipped list checked against
    /// the top 5 000, names alone resemble one in 0.9% of cases (63 of 108
    /// are `babel-*`-style predecessors of scoped packages, which the
    /// maintainer check silences); 0 of the 600 benign popular and 1 of the
    /// 300 benign MCP packages of the evaluation corpus.
    ///
    /// ## Why is this bad?
    /// Typosquats and copies catch people and AI agents who type or
    /// hallucinate a name. `postmark-mcp` was an unscoped copy of an email
    /// company's MCP server, published by someone unconnected to the company;
    /// one release later it copied every email to its author.
    ///
    /// ## Example
    /// `expresss` (one edit from `express`), `lodash_merge`, `cha1k`,
    /// `node-chalk`, `postmark-mcp` next to `@postmark/mcp-server`.
    ///
    /// ## References
    /// - Koi Security, "First malicious MCP server found in the wild" (postmark-mcp, 2025).
    /// - npm-high-impact, the list of popular npm packages (Titus Wormer).
    NameImpersonation {
        id: "metadata/name-impersonation",
        severity: Medium,
        status: Stable,
        summary: "The name resembles a popular or an organisation's package without being it",
    }
}

/// A scoped related package (`@scope/bare`) whose unscoped copy this name is.
fn scoped_original<'a>(ctx: &MetadataContext<'a>) -> Option<&'a palisade_registry::Packument> {
    if ctx.scope().is_some() {
        return None;
    }
    let folded = popular::fold(ctx.name);
    ctx.related.iter().find(|p| {
        matches!(popular::split_scope(&p.name), (Some(scope), bare)
            if popular::scoped_copy_keys(scope, bare).contains(&folded))
    })
}

impl MetadataRule for NameImpersonation {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &MetadataContext<'_>, out: &mut Vec<Finding>) -> Result<(), String> {
        if ctx.popular.rank(ctx.name).is_some() {
            return Ok(());
        }
        let mut candidates: Vec<(String, Resemblance, Option<usize>)> = Vec::new();
        if let Some(original) = scoped_original(ctx) {
            let rank = ctx.popular.rank(&original.name);
            candidates.push((original.name.clone(), Resemblance::ScopedCopy, rank));
        }
        for r in ctx.popular.resembles(ctx.name) {
            if !candidates.iter().any(|(t, _, _)| *t == r.target) {
                candidates.push((r.target, r.how, Some(r.rank)));
            }
        }
        let shared_with = |target: &str| {
            ctx.related(target)
                .and_then(|o| share_people(ctx.people(), all_people(o)))
        };
        // The same people publish a package it resembles: a sibling.
        if candidates
            .iter()
            .any(|(t, _, _)| shared_with(t) == Some(true))
        {
            return Ok(());
        }
        // `<product>-mcp` is how MCP servers for a product are named, by its
        // makers and by everyone else: only a known, unrelated publisher counts.
        let naming_convention =
            |how: &Resemblance| matches!(how, Resemblance::Affix(a) if a.contains("mcp"));
        let best = candidates
            .into_iter()
            .find(|(t, how, _)| !naming_convention(how) || shared_with(t) == Some(false));
        if let Some((target, how, rank)) = best {
            let shared = shared_with(&target);
            let severity = match how {
                Resemblance::ScopedCopy if shared == Some(false) => Severity::High,
                ref how if naming_convention(how) => Severity::Low,
                _ => Severity::Medium,
            };
            let popularity = rank.map_or_else(
                || "an existing package".to_owned(),
                |r| format!("a popular package (rank {} in the shipped list)", r + 1),
            );
            let people = match shared {
                Some(false) => format!(", and none of its maintainers publishes `{}`", ctx.name),
                _ => String::new(),
            };
            let confidence = if matches!(how, Resemblance::Typo(2)) {
                Confidence::Low
            } else {
                Confidence::Medium
            };
            out.push(
                Finding::new(
                    Self::META.id,
                    severity,
                    format!("{}; `{target}` is {popularity}{people}", how.sentence(ctx.name, &target)),
                )
                .with_confidence(confidence)
                .with_help(format!(
                    "check that `{}` is the package you meant and who publishes it; the well-known one is `{target}`",
                    ctx.name
                )),
            );
        }
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
            &NameImpersonation::META,
            &[
                case("postmark-mcp.json", "1.0.16").related(&["postmark-org-mcp-server.json"]),
                case("expresss.json", "1.0.0"),
                case("postmark-mcp.json", "1.0.16").related(&["postmark.json"]),
            ],
            &[
                // `<product>-mcp` alone is a naming convention.
                case("postmark-mcp.json", "1.0.16"),
                case("express.json", "4.21.2"),
                case("unrelated-name.json", "1.0.0"),
                case("lodash-js.json", "1.0.0").related(&["lodash.json"]),
            ],
        );
    }
}
