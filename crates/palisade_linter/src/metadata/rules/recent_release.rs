use palisade_diagnostics::{Finding, Severity};

use crate::metadata::time::human;
use crate::metadata::{MetadataContext, MetadataRule};
use crate::rule::{RuleMeta, declare_rule};

declare_rule! {
    /// ## What it does
    /// Flags a version published less than 48 hours ago (configurable):
    /// `low`. Reads the packument's `time`; `unknown` when it is missing.
    ///
    /// ## Why is this bad?
    /// Malicious releases are usually found and removed within hours or
    /// days; most of the damage is done to those who install in that
    /// window (`npx -y`, unpinned ranges, bots merging updates). A cooldown
    /// on new versions avoids it.
    ///
    /// ## Example
    /// `postmark-mcp@1.0.16` scanned the day it was published.
    ///
    /// ## References
    /// - pnpm `minimumReleaseAge`, Renovate `minimumReleaseAge`.
    RecentRelease {
        id: "metadata/recent-release",
        severity: Low,
        status: Stable,
        summary: "The version was published very recently",
    }
}

impl MetadataRule for RecentRelease {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &MetadataContext<'_>, out: &mut Vec<Finding>) -> Result<(), String> {
        let Some(published) = ctx.published(ctx.version) else {
            return Err(format!("the packument has no `time` for `{}`", ctx.version));
        };
        let age = ctx.now - published;
        let window = i64::try_from(ctx.options.recent_hours)
            .unwrap_or(i64::MAX)
            .saturating_mul(3600);
        if age >= window {
            return Ok(());
        }
        let message = if age < 0 {
            format!(
                "`{}@{}` claims a publication time in the future",
                ctx.name, ctx.version
            )
        } else {
            format!(
                "`{}@{}` was published {} ago, within the {}-hour cooldown",
                ctx.name,
                ctx.version,
                human(age),
                ctx.options.recent_hours
            )
        };
        out.push(
            Finding::new(Self::META.id, Severity::Low, message)
                .with_help("wait for the cooldown to pass, or pin the previous version"),
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
            &RecentRelease::META,
            &[case("postmark-mcp.json", "1.0.16")],
            &[
                case("postmark-mcp.json", "1.0.15"),
                case("express.json", "4.21.2"),
            ],
        );
    }
}
