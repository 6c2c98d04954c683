pub(crate) mod bin_shadows_command;
pub(crate) mod install_script;
pub(crate) mod install_script_download_exec;
pub(crate) mod install_script_encoded_payload;
pub(crate) mod install_script_env_dump;
pub(crate) mod install_script_network;
pub(crate) mod install_script_reverse_shell;
pub(crate) mod remote_dependency;

use palisade_diagnostics::{Finding, ScriptFact, Severity};

use crate::classify::{self, CommandTraits};
use crate::context::ScanContext;

/// Lifecycle scripts with their command traits.
pub(crate) fn scripts<'a>(
    ctx: &'a ScanContext<'_>,
) -> impl Iterator<Item = (&'a ScriptFact, CommandTraits)> {
    ctx.facts
        .scripts
        .iter()
        .map(|s| (s, classify::command_traits(&s.command)))
}

/// A finding on a script line; scripts that do not run on a registry install
/// (`prepare`, `uninstall`...) weigh one step less.
pub(crate) fn script_finding(
    ctx: &ScanContext<'_>,
    id: &str,
    severity: Severity,
    s: &ScriptFact,
    message: String,
) -> Finding {
    let severity = if s.at.install_time {
        severity
    } else {
        severity.lowered()
    };
    ctx.at(Finding::new(id, severity, message), &s.at.location)
        .at_install_time(s.at.install_time)
        .with_capability("install-script")
}
