use palisade_diagnostics::{Finding, Severity};

use crate::metadata::time::human;
use crate::metadata::{MetadataContext, MetadataRule};
use crate::rule::{RuleMeta, declare_rule};

declare_rule! {
    /// ## What it does
    /// Notes that this is the package's first published version, with the
    /// package's age when the packument has `time`: `info`, or `low` when
    /// the package was created less than 30 days ago.
    ///
    /// ## Why is this bad?
    /// It is not, on its own. But a brand-new package has no history to
    /// compare with: no previous publisher, no previous code. Typosquats and
    /// dependency-confusion packages are almost always first releases.
    ///
    /// ## Example
    /// A package whose only version is `1.0.0`, created yesterday.
    ///
    /// ## References
    /// - OpenSSF Package Analysis: new packages are the ones most often malicious.
    FirstRelease {
        id: "metadata/first-release",
        severity: Info,
        status: Stable,
        summary: "This is the package's first published version",
    }
}

impl MetadataRule for FirstRelease {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &MetadataContext<'_>, out: &mut Vec<Finding>) -> Result<(), String> {
        if !ctx.previous.is_empty() {
            return Ok(());
        }
        let created = ctx
            .packument
            .time
            .get("created")
            .and_then(|t| crate::metadata::time::parse_time(t))
            .or_else(|| ctx.published(ctx.version));
        let (severity, age) = match created {
            Some(c) if ctx.now - c < 30 * 86_400 => (
                Severity::Low,
                format!(", of a package created {} ago", human(ctx.now - c)),
            ),
            Some(c) => (
                Severity::Info,
                format!(", of a package created {} ago", human(ctx.now - c)),
            ),
            None => (Severity::Info, String::new()),
        };
        out.push(Finding::new(
            Self::META.id,
            severity,
            format!(
                "`{}@{}` is the first published version{age}",
                ctx.name, ctx.version
            ),
        ));
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
            &FirstRelease::META,
            &[
                case("expresss.json", "1.0.0"),
                case("confusion.json", "99.10.9"),
            ],
            &[
                case("express.json", "4.21.2"),
                case("postmark-mcp.json", "1.0.16"),
                // A mirror that re-stamped `time`: 2.0.0 looks older than 1.0.0.
                case("restamped.json", "2.0.0"),
            ],
        );
    }
}
