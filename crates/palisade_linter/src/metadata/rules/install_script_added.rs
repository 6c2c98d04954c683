use palisade_diagnostics::{Finding, Severity};
use palisade_registry::VersionManifest;

use crate::metadata::{MetadataContext, MetadataRule, list};
use crate::rule::{RuleMeta, declare_rule};

declare_rule! {
    /// ## What it does
    /// Compares this version's install-time lifecycle scripts
    /// (`preinstall`, `install`, `postinstall`) in the registry's metadata
    /// with every earlier version's: `medium` when this is the first version
    /// that runs anything at install, `low` when it adds a new event to a
    /// package that had install scripts before. Silent on a first release.
    /// It reads the packument only, so it works with `--no-diff`; the
    /// version diff (`diff/new-install-script`) shows the script's code.
    ///
    /// ## Why is this bad?
    /// A worm or a hijacked account adds a `postinstall` to a package that
    /// never had one (Shai-Hulud, the Nx `s1ngularity` releases): it runs on
    /// every machine that installs the update, before anyone can read it.
    ///
    /// ## Example
    /// 1.0.0 to 1.0.5 without scripts; 1.0.6 with `"postinstall": "node bundle.js"`.
    ///
    /// ## References
    /// - npm docs: `scripts`; the Shai-Hulud worm (2025).
    InstallScriptAdded {
        id: "metadata/install-script-added",
        severity: Medium,
        status: Stable,
        summary: "This version is the first to run a script at install",
    }
}

const INSTALL_EVENTS: [&str; 3] = ["preinstall", "install", "postinstall"];

fn install_events(m: &VersionManifest) -> Vec<&'static str> {
    INSTALL_EVENTS
        .into_iter()
        .filter(|e| m.scripts.contains_key(*e))
        .collect()
}

fn has_install(m: &VersionManifest) -> bool {
    !install_events(m).is_empty() || m.has_install_script == Some(true)
}

impl MetadataRule for InstallScriptAdded {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &MetadataContext<'_>, out: &mut Vec<Finding>) -> Result<(), String> {
        let now = install_events(ctx.manifest);
        if ctx.previous.is_empty() || now.is_empty() {
            return Ok(());
        }
        let any_before = ctx.previous.iter().any(|(_, m)| has_install(m));
        let new: Vec<&str> = now
            .iter()
            .copied()
            .filter(|e| !ctx.previous.iter().any(|(_, m)| m.scripts.contains_key(*e)))
            .collect();
        if new.is_empty() {
            return Ok(());
        }
        let commands = list(new.iter().map(|e| {
            format!(
                "{e}: {}",
                ctx.manifest.scripts.get(*e).map_or("", String::as_str)
            )
        }));
        let (severity, message) = if any_before {
            (
                Severity::Low,
                format!(
                    "`{}@{}` adds install-time scripts: {commands}",
                    ctx.name, ctx.version
                ),
            )
        } else {
            (
                Severity::Medium,
                format!(
                    "`{}@{}` is the first of {} versions to run a script at install: {commands}",
                    ctx.name,
                    ctx.version,
                    ctx.previous.len() + 1
                ),
            )
        };
        out.push(
            Finding::new(Self::META.id, severity, message)
                .at_install_time(true)
                .with_capability("install-script")
                .with_help("read what the script runs before installing this version"),
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
            &InstallScriptAdded::META,
            &[case("takeover.json", "1.4.3")],
            &[
                case("takeover.json", "1.4.2"),
                case("express.json", "4.21.2"),
                case("confusion.json", "99.10.9"),
            ],
        );
    }
}
