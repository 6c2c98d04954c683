//! Diff rules: they read one new capability and the context of the release
//! and may build a finding. The [`Rule`](crate::Rule) trait reads one
//! package; a diff needs two, hence this small registry of its own, with the
//! same discipline: one file per rule, documented with the fixed sections,
//! each with firing and silent tests. Adding a rule: its file, one `mod`
//! line, one line in [`ALL`].

pub(crate) mod new_behaviour;
pub(crate) mod new_decode_and_run;
pub(crate) mod new_dependency;
pub(crate) mod new_email_recipient;
pub(crate) mod new_file_write;
pub(crate) mod new_flow;
pub(crate) mod new_install_script;
pub(crate) mod new_module;
pub(crate) mod new_network_destination;
pub(crate) mod new_opaque_file;
pub(crate) mod new_process;
pub(crate) mod new_sensitive_path;
pub mod no_previous_version;
pub(crate) mod provenance_removed;
pub(crate) mod publisher_change;

use std::collections::{BTreeMap, BTreeSet};

use palisade_diagnostics::{Finding, RuleStatus, Severity};
use palisade_package::Package;

use super::{Bump, Change};
use crate::lines::LineIndex;
use crate::rule::RuleMeta;

/// What a diff rule may read about the release.
pub struct DiffContext<'a> {
    pub old: &'a Package,
    pub new: &'a Package,
    pub bump: Bump,
    /// The README or the `description` changed.
    pub docs_changed: bool,
    /// The vendor's registrable domains, from the old manifest (the new one's
    /// when the old names none).
    pub vendor_domains: &'a [String],
    /// Registrable domains the old version already named.
    pub old_hosts: &'a BTreeSet<String>,
    /// New dependencies that run scripts at install (from the registry,
    /// when the caller looked them up): name → events.
    pub dependency_scripts: &'a BTreeMap<String, Vec<String>>,
}

impl DiffContext<'_> {
    /// A quiet release: a patch or minor bump whose README, description and
    /// tool definitions did not change. New capabilities there are what nobody announced.
    pub fn quiet(&self) -> bool {
        self.bump.is_quiet() && !self.docs_changed
    }

    /// Raises `low` and `medium` one step in a quiet release; `info` stays
    /// context and nothing becomes `critical` this way.
    pub fn raised(&self, severity: Severity) -> Severity {
        match severity {
            Severity::Low if self.quiet() => Severity::Medium,
            Severity::Medium if self.quiet() => Severity::High,
            s => s,
        }
    }

    /// Why the severity rose, for messages: empty unless the release is quiet.
    pub fn why(&self) -> String {
        if self.quiet() {
            format!(" (a {} release; docs and tools unchanged)", self.bump)
        } else {
            String::new()
        }
    }

    /// Whether a host is the vendor's own.
    pub fn is_vendor_host(&self, host: &str) -> bool {
        let host = host.to_ascii_lowercase();
        self.vendor_domains
            .iter()
            .any(|d| host == *d || host.ends_with(&format!(".{d}")))
    }

    /// Whether the old version already named this host's registrable domain.
    pub fn old_named(&self, host: &str) -> bool {
        self.old_hosts
            .contains(&crate::context::registrable_domain(host))
    }

    /// A finding at the change's location, with the new line as its snippet.
    pub fn finding(
        &self,
        meta: &RuleMeta,
        severity: Severity,
        message: String,
        change: &Change,
    ) -> Finding {
        let mut f = Finding::new(meta.id, severity, message)
            .with_location(change.location.clone())
            .with_capability(change.kind())
            .at_install_time(change.install_time);
        f.preview = meta.status == RuleStatus::Preview;
        if change.location.line > 0
            && let Some(file) = self.new.file(&change.location.path)
        {
            let text = String::from_utf8_lossy(&file.data);
            f.snippet =
                LineIndex::new(&text).snippet(&text, change.location.line, change.location.column);
        }
        f
    }

    /// `name` old → new, for messages.
    pub fn versions(&self) -> String {
        format!(
            "{} → {}",
            self.old.version().unwrap_or("?"),
            self.new.version().unwrap_or("?")
        )
    }
}

/// A rule over one new capability of a release.
pub trait DiffRule: Send + Sync {
    fn meta(&self) -> &'static RuleMeta;
    fn check(&self, ctx: &DiffContext<'_>, change: &Change) -> Option<Finding>;
}

/// Every diff rule, in documentation order.
pub static ALL: &[&dyn DiffRule] = &[
    &new_email_recipient::NewEmailRecipient,
    &new_flow::NewFlow,
    &new_install_script::NewInstallScript,
    &new_decode_and_run::NewDecodeAndRun,
    &new_network_destination::NewNetworkDestination,
    &new_process::NewProcess,
    &new_module::NewModule,
    &new_sensitive_path::NewSensitivePath,
    &new_file_write::NewFileWrite,
    &new_opaque_file::NewOpaqueFile,
    &new_dependency::NewDependency,
    &new_behaviour::NewBehaviour,
    &publisher_change::PublisherChange,
    &provenance_removed::ProvenanceRemoved,
    &no_previous_version::NoPreviousVersion,
];

/// Runs every rule over every change; findings worst first.
pub(crate) fn check_all(ctx: &DiffContext<'_>, changes: &[Change]) -> Vec<Finding> {
    let mut out: Vec<Finding> = changes
        .iter()
        .flat_map(|c| ALL.iter().filter_map(move |r| r.check(ctx, c)))
        .collect();
    out.sort_by(|a, b| {
        b.severity
            .cmp(&a.severity)
            .then_with(|| a.location.cmp(&b.location))
            .then_with(|| a.rule.cmp(&b.rule))
    });
    out
}

/// Looks a diff rule up by id.
pub fn rule(id: &str) -> Option<&'static dyn DiffRule> {
    ALL.iter().copied().find(|r| r.meta().id == id)
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::ALL;

    #[test]
    fn ids_are_unique_documented_and_in_the_diff_category() {
        let mut seen = HashSet::new();
        for r in ALL {
            let m = r.meta();
            assert!(seen.insert(m.id), "duplicate rule id {}", m.id);
            assert_eq!(m.category(), "diff", "{}", m.id);
            assert!(
                m.id.bytes()
                    .all(|b| b.is_ascii_lowercase() || b == b'-' || b == b'/'),
                "{} is not kebab-case",
                m.id
            );
            for section in [
                "## What it does",
                "## Why is this bad?",
                "## Example",
                "## References",
            ] {
                assert!(m.doc.contains(section), "{} lacks {section}", m.id);
            }
            assert!(!m.summary.is_empty());
            assert!(
                crate::rule(m.id).is_none(),
                "{} clashes with a package rule",
                m.id
            );
        }
        let ids: Vec<&str> = ALL.iter().map(|r| r.meta().id).collect();
        insta::assert_snapshot!("diff_rule_ids", ids.join("\n"));
    }
}
