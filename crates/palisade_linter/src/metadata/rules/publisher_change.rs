use std::collections::BTreeSet;

use palisade_diagnostics::{Finding, Severity};

use crate::metadata::{MetadataContext, MetadataRule, identities, list, publishers};
use crate::rule::{RuleMeta, declare_rule};

declare_rule! {
    /// ## What it does
    /// Compares who published this version (`_npmUser`) and who maintained
    /// it (`maintainers`) with every version published before it. `medium`
    /// when the publisher and every maintainer are new; `low` when the
    /// publisher is new but a previous maintainer is still listed (a new
    /// co-maintainer, or an old one adding a helper). Silent on a first
    /// release, and `unknown` when this version or all previous ones carry
    /// no `_npmUser` or `maintainers` (stripped packuments).
    ///
    /// ## Why is this bad?
    /// Account takeovers and handed-over packages publish under a new name:
    /// the release after the change is where malware arrives (`event-stream`
    /// 3.3.6 was published by the new maintainer it was handed to).
    ///
    /// ## Example
    /// Versions 1.0.0 to 1.4.2 published by `alice`; 1.4.3 published by
    /// `mallory`, who maintains no earlier version.
    ///
    /// ## References
    /// - The `event-stream` incident (2018); the chalk/debug takeover (2025).
    PublisherChange {
        id: "metadata/publisher-change",
        severity: Medium,
        status: Stable,
        summary: "This version was published by someone who published none of the previous versions",
    }
}

impl MetadataRule for PublisherChange {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &MetadataContext<'_>, out: &mut Vec<Finding>) -> Result<(), String> {
        if ctx.previous.is_empty() {
            return Ok(());
        }
        let this = identities(ctx.version_publishers());
        if this.is_empty() {
            return Err(format!(
                "the registry's record of version `{}` names no publisher (npm: `_npmUser`, `maintainers`; a Python index keeps none)",
                ctx.version
            ));
        }
        let before = identities(ctx.previous.iter().flat_map(|(_, m)| publishers(m)));
        if before.is_empty() {
            return Err("no earlier version's record names a publisher".to_owned());
        }
        let Some(user) = &ctx.manifest.npm_user else {
            // Maintainers alone: only a full change of hands counts.
            if this.is_disjoint(&before) {
                out.push(Self::change(
                    ctx,
                    &this,
                    &before,
                    Severity::Medium,
                    "maintainers",
                ));
            }
            return Ok(());
        };
        let user_ids = identities([user]);
        if user_ids.is_empty() || !user_ids.is_disjoint(&before) {
            return Ok(());
        }
        let severity = if this.is_disjoint(&before) {
            Severity::Medium
        } else {
            Severity::Low
        };
        out.push(Self::change(ctx, &user_ids, &before, severity, "publisher"));
        Ok(())
    }
}

impl PublisherChange {
    fn change(
        ctx: &MetadataContext<'_>,
        new: &BTreeSet<String>,
        before: &BTreeSet<String>,
        severity: Severity,
        what: &str,
    ) -> Finding {
        let names = |ids: &BTreeSet<String>| list(ids.iter().filter(|i| !i.contains('@')));
        let kept = if severity == Severity::Low {
            "; a previous maintainer is still listed"
        } else {
            ""
        };
        Finding::new(
            Self::META.id,
            severity,
            format!(
                "`{}@{}`'s {what} {} published none of {} (published by {}){kept}",
                ctx.name,
                ctx.version,
                names(new),
                match ctx.previous.len() {
                    1 => "the previous version".to_owned(),
                    n => format!("the {n} previous versions"),
                },
                names(before),
            ),
        )
        .with_help("check that the package changed hands on purpose before taking this version")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metadata::tester::{case, test};

    #[test]
    fn rule() {
        test(
            &PublisherChange::META,
            &[
                case("takeover.json", "1.4.3"),
                case("co-maintainer.json", "2.1.0"),
            ],
            &[
                case("takeover.json", "1.4.2"),
                case("takeover.json", "1.0.0"),
                case("express.json", "4.21.2"),
                case("postmark-mcp.json", "1.0.16"),
                case("stripped.json", "2.0.0"),
            ],
        );
    }
}
