//! The Python checker: parses a file with tree-sitter (which recovers from
//! syntax errors, as deliberately broken malware needs) and extracts the same
//! facts the JS checker does.
//!
//! It resolves module aliases (`import subprocess as sp`, `__import__('os')`,
//! `importlib.import_module('os')`, `getattr(os, 'system')`), follows string
//! constants through variables, concatenation, f-strings, `.format`,
//! `''.join([...])`, constant `base64`/hex/rot13 decoding and `self.x`
//! attributes, and taints values from sensitive sources (the environment,
//! credential files, host information, MCP tool arguments, network
//! responses) so that a flow into a network call, a process or `exec`
//! becomes a fact. Values are also followed into local functions (their
//! parameters and return values). Comments are never read. Nothing is run.

mod analyzer;
mod apis;
mod ast;
pub(crate) mod package;
mod strings;
mod tree;

use std::ops::ControlFlow;
use std::time::{Duration, Instant};

use palisade_diagnostics::Facts;

/// Longest a parse may take before the file is analysed as text.
const PARSE_TIME: Duration = Duration::from_secs(5);

/// Where a Python file runs, which decides how much its behaviour weighs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PyRole {
    /// Ordinary package code.
    Module,
    /// A package's `__init__.py`: its top level runs at import.
    Init,
}

/// What the Python checker learned about one file.
#[derive(Debug, Default)]
pub(crate) struct PyFileResult {
    pub facts: Facts,
    /// `Some(reason)` when the file could not be parsed at all.
    pub parse_error: Option<String>,
    /// Syntax errors tree-sitter recovered from, as a count.
    pub error_nodes: usize,
    /// Decoded payloads that are run (`exec(b64decode('...'))`), with the
    /// byte offset of the run site, to analyse as Python too.
    pub decoded_payloads: Vec<(String, u32)>,
}

/// Parses Python source under a time limit.
pub(crate) fn parse(source: &str) -> Result<tree_sitter::Tree, String> {
    let mut parser = tree_sitter::Parser::new();
    parser
        .set_language(&tree_sitter_python::LANGUAGE.into())
        .map_err(|e| format!("the Python grammar could not be loaded: {e}"))?;
    let start = Instant::now();
    let mut progress = |_: &tree_sitter::ParseState| {
        if start.elapsed() > PARSE_TIME {
            ControlFlow::Break(())
        } else {
            ControlFlow::Continue(())
        }
    };
    let options = tree_sitter::ParseOptions::new().progress_callback(&mut progress);
    let bytes = source.as_bytes();
    parser
        .parse_with_options(
            &mut |i, _| bytes.get(i..).unwrap_or_default(),
            None,
            Some(options),
        )
        .ok_or_else(|| format!("parsing took longer than {}s", PARSE_TIME.as_secs()))
}

/// The source with every `#` comment blanked out (replaced by spaces, so
/// lines and columns hold); strings and docstrings are kept. Used by the
/// evaluation to prove that no rule reads comments.
pub fn strip_comments(source: &str) -> String {
    let Ok(tree) = parse(source) else {
        return source.to_owned();
    };
    let mut out = source.as_bytes().to_vec();
    let mut stack = vec![tree.root_node()];
    while let Some(node) = stack.pop() {
        if node.kind() == "comment" {
            for b in out.iter_mut().take(node.end_byte()).skip(node.start_byte()) {
                if *b != b'\n' {
                    *b = b' ';
                }
            }
            continue;
        }
        let mut cursor = node.walk();
        stack.extend(node.children(&mut cursor));
    }
    // Only whole UTF-8 sequences inside comments were replaced.
    String::from_utf8(out).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

/// Analyses one Python file.
pub(crate) fn analyse(path: &str, source: &str, role: PyRole) -> PyFileResult {
    if let Some(tree) = ast::build(source) {
        return analyzer::run(path, source, &tree, role);
    }
    let tree = match parse(source) {
        Ok(t) => t,
        Err(e) => {
            return PyFileResult {
                facts: super::text::fallback_facts(path, source),
                parse_error: Some(e),
                ..PyFileResult::default()
            };
        }
    };
    let tree = tree::Tree::build(&tree);
    analyzer::run(path, source, &tree, role)
}

pub use ast::{facts_mismatch, tree_mismatch};

#[cfg(test)]
mod tests;
