use palisade_diagnostics::{Finding, Severity};

use super::scripts;
use crate::context::ScanContext;
use crate::rule::{Rule, RuleMeta, declare_rule};

declare_rule! {
    /// ## What it does
    /// Lists the lifecycle scripts that run when the package is installed and
    /// the package files they run (which palisade then analyses as
    /// install-time code). High when a script asks for root (`sudo`, `su`,
    /// `doas`) or starts a Windows program the package does not ship.
    ///
    /// ## Why is this bad?
    /// It is not, on its own: native modules build at install. But install
    /// scripts run with the installing user's rights before anyone can look at
    /// the code, which is why every other finding weighs more there. No build
    /// step needs root or a system program such as `calc.exe` (the classic
    /// proof that code ran).
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
            let (severity, why) = match raises(ctx, &s.command) {
                Some(why) => (Severity::High, format!("; it {why}")),
                None => (Severity::Info, String::new()),
            };
            out.push(
                ctx.at(
                    Finding::new(
                        Self::META.id,
                        severity,
                        format!("`{}` script: `{}`{runs}{why}", s.event, s.command),
                    ),
                    &s.at.location,
                )
                .at_install_time(true)
                .with_capability("install-script"),
            );
        }
    }
}

/// What makes an install script more than a build step: it asks for root
/// (`sudo`, `su`, `doas`), which no install needs, or it starts a Windows
/// program the package does not ship (`calc.exe`, `cmd.exe /c ...`).
fn raises(ctx: &ScanContext<'_>, command: &str) -> Option<&'static str> {
    let firsts = command
        .split(['&', '|', ';', '\n'])
        .filter_map(|part| part.split_whitespace().next())
        .map(|w| w.trim_matches(['"', '\'', '(', ')']).to_ascii_lowercase());
    for first in firsts {
        let base = first.rsplit(['/', '\\']).next().unwrap_or(&first);
        if matches!(base, "sudo" | "su" | "doas" | "pkexec" | "runas") {
            return Some("asks for root");
        }
        if let Some(program) = base.strip_suffix(".exe")
            && !program.is_empty()
            && !is_tool(program)
        {
            let shipped = ctx.package.files.iter().any(|f| {
                f.path
                    .rsplit('/')
                    .next()
                    .is_some_and(|n| n.eq_ignore_ascii_case(base))
            });
            if !shipped {
                return Some("starts a Windows program the package does not ship");
            }
        }
    }
    None
}

/// Interpreters, shells and build tools an install script may name with
/// their `.exe` on Windows.
fn is_tool(program: &str) -> bool {
    matches!(
        program,
        "node"
            | "npm"
            | "npx"
            | "yarn"
            | "pnpm"
            | "bun"
            | "deno"
            | "node-gyp"
            | "cmd"
            | "powershell"
            | "pwsh"
            | "bash"
            | "sh"
            | "python"
            | "python3"
            | "py"
            | "pip"
            | "ruby"
            | "perl"
            | "java"
            | "dotnet"
            | "go"
            | "cargo"
            | "rustc"
            | "git"
            | "make"
            | "nmake"
            | "cmake"
            | "msbuild"
            | "cl"
            | "link"
            | "gcc"
            | "g++"
            | "clang"
            | "tsc"
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tester::{Case, Tester};

    #[test]
    fn rule() {
        Tester::new(&InstallScript::META).test(
            &[
                Case::InstallJs("console.log('thanks for installing')"),
                // Root, and a system program: high.
                Case::Manifest(
                    r#"{"name":"a","scripts":{"postinstall":"cd ./boot && sudo npm install --unsafe-perm"}}"#,
                ),
                Case::Manifest(r#"{"name":"a","scripts":{"preinstall":"calc.exe"}}"#),
                // A build tool named with its `.exe` is a build step: info.
                Case::Manifest(r#"{"name":"a","scripts":{"install":"node.exe build.js && cmd.exe /c echo ok"}}"#),
            ],
            &[Case::Manifest(r#"{"name":"a","scripts":{"test":"jest","build":"tsc"}}"#)],
        );
    }
}
