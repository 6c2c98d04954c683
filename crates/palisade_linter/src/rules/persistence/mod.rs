pub(crate) mod ai_client_config_write;
pub(crate) mod background_at_install;
pub(crate) mod dependency_tampering;
pub(crate) mod pth_executable_line;
pub(crate) mod startup_file_write;
pub(crate) mod tool_system_write;
