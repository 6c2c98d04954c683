//! Benchmarks and the corpus evaluation.
//!
//! The `palisade-eval` binary scans labelled sets of packages (malicious and
//! benign tarballs) with the engine, in process and on one thread, and reports
//! detection and false-positive rates, which rules fired where, and speed.
//! It can put GuardDog's figures (from `scripts/guarddog-eval.py`) and the
//! whole-process time of the `palisade` binary beside its own.
//!
//! Samples are live malware: they are only ever read through
//! [`palisade_package::read_path`], in memory. Nothing here unpacks them to
//! disk or runs them.

pub mod eval;
pub mod guarddog;
pub mod model;
pub mod process;
pub mod render;
pub mod run;
pub mod set;
pub mod stats;

pub use eval::{EvalOptions, Outcome, evaluate_set, rule_table, summarise};
pub use model::{
    EvalReport, FiredRule, FlaggedPackage, GuardDogSummary, Largest, PackageRow, Perf, Rates,
    RuleCount, RuleRow, SetReport, VerdictCounts, WholeProcess,
};
pub use set::{Label, SetSpec, SetSpecError, default_sets, list_entries, list_python_files};
