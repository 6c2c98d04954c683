pub(crate) mod escaped_api_name;
pub(crate) mod hidden_script_source;
pub(crate) mod obfuscated_code;
