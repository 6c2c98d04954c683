//! Checkers extract facts from a package; they never decide anything.

pub(crate) mod js;
pub(crate) mod manifest;
pub mod prompt;
pub(crate) mod python;
pub(crate) mod string_array;
pub(crate) mod text;
