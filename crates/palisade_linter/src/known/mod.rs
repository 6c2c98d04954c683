//! Known-malicious packages: findings built by the caller that looked a
//! package's name and version up in a list of advisories (OSV `MAL-…`
//! records, `palisade db import`), before and independently of analysis.
//! Like the diff rules, these read no package content, so they are not
//! [`Rule`](crate::Rule)s run by the engine; they are listed and documented
//! with the others.

pub mod malicious_advisory;

use palisade_diagnostics::render::RuleInfo;

use crate::rule::RuleMeta;

pub use malicious_advisory::MaliciousAdvisory;

/// The metadata of every known-malicious rule.
pub fn metas() -> Vec<&'static RuleMeta> {
    vec![&MaliciousAdvisory::META]
}

/// Their descriptions for SARIF output.
pub fn rule_infos() -> Vec<RuleInfo> {
    metas()
        .into_iter()
        .map(|m| RuleInfo::new(m.id, m.summary).with_severity(m.severity))
        .collect()
}
