//! palisade's result model and its renderers.
//!
//! One model serves every front: the CLI prints it, the registry firewall and
//! the MCP gateway decide on it, the version diff compares its [`Facts`].
//! Everything here is plain data and serialises with serde; field names are
//! part of the JSON output contract documented in the README.

mod facts;
mod finding;
pub mod render;
mod report;

pub use facts::{
    DecodeRunFact, EmailRecipientFact, EnvAccessFact, Fact, FactKind, Facts, FlowFact, HostKind,
    ImportFact, NetworkFact, PathFact, ProcessFact, ScriptFact,
};
pub use finding::{Confidence, Finding, Location, RuleStatus, Severity};
pub use report::{InputError, PackageReport, Report, ScanStats, ToolInfo, Verdict};
