pub mod files;
pub mod rules;
pub mod scan;
