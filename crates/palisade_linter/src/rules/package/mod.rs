pub(crate) mod limit_exceeded;
pub(crate) mod unparsable_code;
pub(crate) mod unreadable;
