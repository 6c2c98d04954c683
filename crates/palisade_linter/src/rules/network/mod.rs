pub(crate) mod collector_endpoint;
pub(crate) mod raw_ip_destination;
