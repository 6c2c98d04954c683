use palisade_diagnostics::{Finding, Severity};

use crate::classify;
use crate::context::ScanContext;
use crate::rule::{Rule, RuleMeta, declare_rule};

declare_rule! {
    /// ## What it does
    /// Finds code that runs `npm publish`, critical when it runs at install or
    /// when the package also reads registry tokens.
    ///
    /// ## Why is this bad?
    /// A dependency has no reason to publish packages from the machine that
    /// installs it. Worms do: with a stolen token they publish an infected
    /// version of every package the victim maintains.
    ///
    /// ## Example
    /// ```js
    /// execSync(`npm publish --access public`, { cwd: tmp, env: { NPM_TOKEN: token } });
    /// ```
    ///
    /// ## References
    /// - Shai-Hulud (September 2025).
    NpmPublish {
        id: "exec/npm-publish",
        severity: High,
        status: Stable,
        summary: "The code publishes npm packages",
    }
}

impl Rule for NpmPublish {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &ScanContext<'_>, out: &mut Vec<Finding>) {
        let reads_tokens = ctx.facts.env.iter().any(|e| {
            e.name
                .as_deref()
                .is_some_and(classify::is_publish_token_env)
        }) || ctx.facts.paths.iter().any(|p| p.category == "npmrc");
        for p in &ctx.facts.processes {
            let Some(cmd) = &p.command else { continue };
            if !classify::command_traits(cmd).npm_publish {
                continue;
            }
            let severity = if p.at.install_time || reads_tokens {
                Severity::Critical
            } else {
                Severity::High
            };
            out.push(
                ctx.at(
                    Finding::new(Self::META.id, severity, format!("runs `{cmd}`")),
                    &p.at.location,
                )
                .at_install_time(p.at.install_time)
                .with_capability("process"),
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
        Tester::new(&NpmPublish::META).test(
            &[Case::InstallJs("const t = process.env.NPM_TOKEN;\nrequire('child_process').execSync('npm publish --access public');")],
            &[Case::Js("require('child_process').execSync('npm pack');"), Case::Js("const help = 'run npm publish when ready';")],
        );
    }
}
