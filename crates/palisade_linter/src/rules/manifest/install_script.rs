use palisade_diagnostics::{Finding, Severity};

use super::scripts;
use crate::context::ScanContext;
use crate::rule::{Rule, RuleMeta, declare_rule};

declare_rule! {
    /// ## What it does
    /// Lists the lifecycle scripts that run when the package is installed and
    /// the package files they run (which palisade then analyses as
    /// install-time code).
    ///
    /// ## Why is this bad?
    /// It is not, on its own: native modules build at install. But install
    /// scripts run with the installing user's rights before anyone can look at
    /// the code, which is why every other finding weighs more there.
    ///
    /// ## Example
    /// ```json
    /// "scripts": { "postinstall": "node setup.js" }
    /// ```
    ///
    /// ## References
    /// - npm docs: `scripts`, lifecycle order.
    InstallScript {
        id: "manifest/install-script",
        severity: Info,
        status: Stable,
        summary: "The package runs a script when it is installed",
    }
}

impl Rule for InstallScript {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &ScanContext<'_>, out: &mut Vec<Finding>) {
        for (s, _) in scripts(ctx).filter(|(s, _)| s.at.install_time && !s.event.contains('→')) {
            let runs = if s.runs_files.is_empty() {
                String::new()
            } else {
                format!(
                    " (runs {})",
                    s.runs_files
                        .iter()
                        .map(|f| format!("`{f}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            };
            out.push(
                ctx.at(
                    Finding::new(
                        Self::META.id,
                        Severity::Info,
                        format!("`{}` script: `{}`{runs}", s.event, s.command),
                    ),
                    &s.at.location,
                )
                .at_install_time(true)
                .with_capability("install-script"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tester::{Case, Tester};

    #[test]
    fn rule() {
        Tester::new(&InstallScript::META).test(
            &[Case::InstallJs("console.log('thanks for installing')")],
            &[Case::Manifest(
                r#"{"name":"a","scripts":{"test":"jest","build":"tsc"}}"#,
            )],
        );
    }
}
