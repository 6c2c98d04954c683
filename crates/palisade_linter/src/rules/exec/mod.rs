pub(crate) mod ai_cli_permission_bypass;
pub(crate) mod bundled_executable;
pub(crate) mod decode_and_run;
pub(crate) mod download_and_run;
pub(crate) mod npm_publish;
pub(crate) mod remote_code;
pub(crate) mod reverse_shell;
pub(crate) mod shell_download_exec;
