pub(crate) mod escaped_api_name;
pub(crate) mod obfuscated_code;
