pub(crate) mod sensitive_file_read;
