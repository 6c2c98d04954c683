pub(crate) mod sensitive_file_read;
pub(crate) mod tool_secret_files;
