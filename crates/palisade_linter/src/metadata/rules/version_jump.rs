use palisade_diagnostics::{Finding, Severity};
use palisade_registry::nodejs_semver::Version;

use crate::metadata::{MetadataContext, MetadataRule};
use crate::rule::{RuleMeta, declare_rule};

declare_rule! {
    /// ## What it does
    /// Flags a version number no honest release sequence produces: a first
    /// published version with a major of 90 or more (`99.10.9`), `high`; or a
    /// jump of more than ten majors over the highest earlier version,
    /// `medium`. Majors that read as years (1990 to 2100, calendar
    /// versioning) are left alone.
    ///
    /// ## Why is this bad?
    /// Dependency confusion: an attacker publishes a company's internal
    /// package name on the public registry with a huge version so that
    /// resolvers prefer it over the internal one. `99.x` first releases are
    /// the tell.
    ///
    /// ## Example
    /// A package whose only version is `99.10.9`; `1.2.0` followed by `50.0.0`.
    ///
    /// ## References
    /// - Alex Birsan, "Dependency Confusion" (2021).
    VersionJump {
        id: "metadata/version-jump",
        severity: Medium,
        status: Stable,
        summary: "The version number jumps far beyond any earlier release",
    }
}

/// A major that reads as a year.
fn calendar(major: u64) -> bool {
    (1990..=2100).contains(&major)
}

impl MetadataRule for VersionJump {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &MetadataContext<'_>, out: &mut Vec<Finding>) -> Result<(), String> {
        let Ok(this) = Version::parse(ctx.version) else {
            return Ok(());
        };
        if calendar(this.major()) {
            return Ok(());
        }
        let highest = ctx
            .previous
            .iter()
            .filter_map(|(v, _)| Version::parse(v).ok())
            .filter(|v| *v < this)
            .max();
        match highest {
            None if this.major() >= 90 => out.push(
                Finding::new(
                    Self::META.id,
                    Severity::High,
                    format!(
                        "`{}@{}` is the package's first version, published straight at major {}: the dependency-confusion pattern",
                        ctx.name, ctx.version, this.major()
                    ),
                )
                .with_help(format!(
                    "if `{}` is also the name of a private package, pin your registry for its scope or rename it",
                    ctx.name
                )),
            ),
            Some(prev) if this.major() > prev.major() + 10 && !calendar(prev.major()) => out.push(
                Finding::new(
                    Self::META.id,
                    Severity::Medium,
                    format!(
                        "`{}` jumps from `{prev}` to `{}`, {} majors at once",
                        ctx.name,
                        ctx.version,
                        this.major() - prev.major()
                    ),
                )
                .with_help("check the release notes for why the version jumped"),
            ),
            _ => {}
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
            &VersionJump::META,
            &[
                case("confusion.json", "99.10.9"),
                case("jump.json", "50.0.0"),
            ],
            &[
                case("jump.json", "1.2.0"),
                case("express.json", "4.21.2"),
                case("calver.json", "2025.9.1"),
            ],
        );
    }
}
