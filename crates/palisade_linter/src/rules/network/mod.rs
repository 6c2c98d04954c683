pub(crate) mod collector_endpoint;
pub(crate) mod python_install_network;
pub(crate) mod raw_ip_destination;
pub(crate) mod tls_verification_disabled;
pub(crate) mod tool_cloud_metadata;
pub(crate) mod tool_port_scan;
