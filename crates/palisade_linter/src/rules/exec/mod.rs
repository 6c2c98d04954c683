pub(crate) mod ai_cli_permission_bypass;
pub(crate) mod bundled_executable;
pub(crate) mod decode_and_run;
pub(crate) mod destructive_command;
pub(crate) mod download_and_run;
pub(crate) mod evasion_command;
pub(crate) mod hidden_execution;
pub(crate) mod npm_publish;
pub(crate) mod remote_code;
pub(crate) mod resource_exhaustion;
pub(crate) mod reverse_shell;
pub(crate) mod shell_download_exec;

use palisade_diagnostics::Fact;

use crate::context::ScanContext;

/// Every command line the package runs: lifecycle scripts (and the shell
/// lines they start), then commands started from code whose text is known.
pub(crate) fn command_lines<'a>(
    ctx: &'a ScanContext<'_>,
) -> impl Iterator<Item = (&'a str, &'a Fact)> {
    ctx.facts
        .scripts
        .iter()
        .map(|s| (s.command.as_str(), &s.at))
        .chain(
            ctx.facts
                .processes
                .iter()
                .filter_map(|p| Some((p.command.as_deref()?, &p.at))),
        )
}
pub(crate) mod tool_argument_code;
pub(crate) mod tool_argument_injection;
