use palisade_diagnostics::{Finding, Severity};

use crate::metadata::time::human;
use crate::metadata::{MetadataContext, MetadataRule, identities, publishers};
use crate::rule::{RuleMeta, declare_rule};

declare_rule! {
    /// ## What it does
    /// Flags a release that comes after more than a year (configurable) in
    /// which the package published nothing: `low`, or `medium` when this
    /// version's publisher published none of the earlier versions. Reads
    /// the packument's `time`; `unknown` when it is missing.
    ///
    /// ## Why is this bad?
    /// Abandoned packages are what account takeovers and expired-domain
    /// e-mail recoveries target: a sudden release of a long-quiet package
    /// deserves a look before it reaches every dependent.
    ///
    /// ## Example
    /// 2.3.0 published in 2019, 2.3.1 in 2025.
    ///
    /// ## References
    /// - The `ua-parser-js` and `coa`/`rc` hijackings (2021).
    DormantRelease {
        id: "metadata/dormant-release",
        severity: Low,
        status: Stable,
        summary: "A long-dormant package suddenly released a new version",
    }
}

impl MetadataRule for DormantRelease {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &MetadataContext<'_>, out: &mut Vec<Finding>) -> Result<(), String> {
        if ctx.previous.is_empty() {
            return Ok(());
        }
        let Some(this) = ctx.published(ctx.version) else {
            return Err(format!("the packument has no `time` for `{}`", ctx.version));
        };
        let Some(last) = ctx
            .previous
            .iter()
            .filter_map(|(v, _)| ctx.published(v))
            .max()
        else {
            return Err("the packument has no `time` for earlier versions".to_owned());
        };
        let gap = this - last;
        let dormant = i64::try_from(ctx.options.dormant_days)
            .unwrap_or(i64::MAX)
            .saturating_mul(86_400);
        if gap <= dormant {
            return Ok(());
        }
        let before = identities(ctx.previous.iter().flat_map(|(_, m)| publishers(m)));
        let user = identities(ctx.manifest.npm_user.iter());
        let new_publisher = !before.is_empty() && !user.is_empty() && user.is_disjoint(&before);
        let (severity, who) = if new_publisher {
            (
                Severity::Medium,
                ", by a publisher of none of the earlier versions",
            )
        } else {
            (Severity::Low, "")
        };
        out.push(
            Finding::new(
                Self::META.id,
                severity,
                format!(
                    "`{}@{}` is the first release in {}{who}",
                    ctx.name,
                    ctx.version,
                    human(gap)
                ),
            )
            .with_help("a long-quiet package that wakes up may have changed hands"),
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
            &DormantRelease::META,
            &[
                case("takeover.json", "1.4.3"),
                case("dormant.json", "2.3.1"),
            ],
            &[
                case("takeover.json", "1.4.2"),
                case("express.json", "4.21.2"),
                case("dormant.json", "2.3.0"),
            ],
        );
    }
}
