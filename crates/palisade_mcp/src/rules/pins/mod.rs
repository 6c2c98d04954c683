//! Rules comparing a server's tool definitions today with the ones pinned
//! by `palisade mcp pin` (a rug pull: definitions that change after the
//! user approved them). The comparison is [`crate::pins::compare`]; these
//! files hold each rule's documentation and metadata, and the tests of
//! `crate::pins` are their firing and silent cases.

pub mod instructions_changed_since_pin;
pub mod tool_added_since_pin;
pub mod tool_changed_since_pin;
pub mod tool_removed_since_pin;
