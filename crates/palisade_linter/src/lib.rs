//! palisade's analysis engine.
//!
//! Checkers extract a package's [`Facts`](palisade_diagnostics::Facts) and
//! rules turn facts into findings; [`Engine::scan`] runs both and decides the
//! verdict. Package code is never executed.

mod checkers;
mod classify;
mod context;
pub mod diff;
mod engine;
pub mod known;
mod lines;
pub mod metadata;
pub mod rule;
mod rules;
#[cfg(test)]
mod tester;

pub use checkers::prompt::{OverridePhrase, override_phrases};
pub use checkers::python::strip_comments as strip_python_comments;
#[doc(hidden)]
pub use checkers::python::{
    facts_mismatch as python_facts_mismatch, tree_mismatch as python_tree_mismatch,
};
pub use context::{CodeFile, ScanContext};
pub use engine::{Engine, EngineOptions};
pub use rule::{Rule, RuleMeta};

/// A hash of the engine's sources (code and data) at build time: two builds
/// that analyse differently have different values.
pub const ENGINE_SOURCE: &str = env!("PALISADE_ENGINE_SOURCE");

/// Looks a rule up by id.
pub fn rule(id: &str) -> Option<&'static dyn Rule> {
    rules::ALL.iter().copied().find(|r| r.meta().id == id)
}
