pub(crate) mod obfuscated_code;
