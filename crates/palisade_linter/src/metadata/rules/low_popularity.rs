use palisade_diagnostics::{Finding, Severity};

use crate::metadata::{MetadataContext, MetadataRule};
use crate::rule::{RuleMeta, declare_rule};

/// Fewer weekly downloads than this is little used.
const FEW: u64 = 100;

declare_rule! {
    /// ## What it does
    /// Notes a package with fewer than 100 downloads a week, when the
    /// registry offers download counts: `info`. Many registries and mirrors
    /// offer none; the rule then says `unknown` and never fires on the
    /// absence.
    ///
    /// ## Why is this bad?
    /// It is not, on its own: every package starts unknown. It is context:
    /// a little-used package has had few eyes on it, and a copy of a popular
    /// one has few downloads next to the original's millions.
    ///
    /// ## Example
    /// A package with 12 downloads last week.
    ///
    /// ## References
    /// - npm docs: the downloads API of the public registry.
    LowPopularity {
        id: "metadata/low-popularity",
        severity: Info,
        status: Stable,
        summary: "Few people download the package",
    }
}

impl MetadataRule for LowPopularity {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &MetadataContext<'_>, out: &mut Vec<Finding>) -> Result<(), String> {
        let Some(downloads) = ctx.options.weekly_downloads else {
            return Err("the registry offers no download counts".to_owned());
        };
        if downloads < FEW {
            out.push(Finding::new(
                Self::META.id,
                Severity::Info,
                format!("`{}` was downloaded {downloads} times last week", ctx.name),
            ));
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
            &LowPopularity::META,
            &[case("expresss.json", "1.0.0").downloads(12)],
            &[
                case("express.json", "4.21.2").downloads(40_000_000),
                case("express.json", "4.21.2"),
            ],
        );
    }
}
