pub(crate) mod collector_endpoint;
pub(crate) mod raw_ip_destination;
pub(crate) mod tls_verification_disabled;
