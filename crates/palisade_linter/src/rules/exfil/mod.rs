pub(crate) mod credential_stealer;
pub(crate) mod email_hardcoded_recipient;
pub(crate) mod form_skimmer;
pub(crate) mod install_time_recon;
pub(crate) mod secrets_to_network;
pub(crate) mod tool_arguments_to_collector;
pub(crate) mod tool_data_side_channel;
pub(crate) mod tool_data_to_shared_file;
pub(crate) mod tool_data_to_undisclosed_host;
pub(crate) mod tool_host_recon;
pub(crate) mod tool_path_traversal;

use palisade_diagnostics::{FlowFact, HostKind};

use crate::checkers::js::parse_destination;
use crate::classify::{self, Destination};

/// The parsed destination of a flow, `None` when unknown.
pub(crate) fn flow_destination(flow: &FlowFact) -> Option<Destination> {
    flow.destination.as_deref().and_then(parse_destination)
}

/// A destination on this machine or the local network: not exfiltration.
pub(crate) fn is_local(d: &Destination) -> bool {
    matches!(d.kind, HostKind::Loopback | HostKind::PrivateIp)
        || classify::is_placeholder_host(&d.host)
}

/// The data a flow carries, for messages.
pub(crate) fn source_text(source: &str) -> &'static str {
    match source {
        "env" => "the whole environment",
        "env-secret" => "a secret from the environment",
        "publish-token" => "a registry or repository token",
        "credential-file" => "the contents of a credential file",
        "system-info" => "system information (host name, user name, network)",
        "tool-argument" => "MCP tool arguments",
        "browser-data" => "browser cookies or form fields",
        "browser-token" => "tokens from browser storage",
        _ => "data",
    }
}
