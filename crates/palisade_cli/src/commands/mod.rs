pub mod diff;
pub mod files;
pub(crate) mod input;
pub mod rules;
pub mod scan;
