//! The `mcp/` rules: config rules read one server entry, tool rules read
//! one tool definition, pin rules compare tool definitions with their pins.
//! Same discipline as the package rules: one file per rule, documented with
//! the fixed sections, each with firing and silent tests. Adding a rule: its
//! file, one `mod` line, one line in [`CONFIG_RULES`], [`TOOL_RULES`] or
//! [`PIN_RULES`].

pub mod config;
pub mod pins;
pub mod tools;

use palisade_diagnostics::Finding;
use palisade_linter::RuleMeta;

use crate::model::{Launch, ServerEntry};
use crate::tools::{Tool, ToolContext};

/// Declares a rule struct with its metadata; the doc comment becomes the
/// rule's documentation (as `palisade_linter`'s `declare_rule!`).
macro_rules! declare_rule {
    (
        $(#[doc = $doc:literal])+
        $name:ident {
            id: $id:literal,
            severity: $severity:ident,
            status: $status:ident,
            summary: $summary:literal $(,)?
        }
    ) => {
        $(#[doc = $doc])+
        #[derive(Debug, Default, Clone, Copy)]
        pub struct $name;

        impl $name {
            pub const META: palisade_linter::RuleMeta = palisade_linter::RuleMeta {
                id: $id,
                severity: palisade_diagnostics::Severity::$severity,
                status: palisade_diagnostics::RuleStatus::$status,
                summary: $summary,
                doc: concat!($($doc, "\n"),+),
            };

            /// A finding of this rule at its default severity.
            #[allow(dead_code, reason = "not every rule builds findings at its default severity")]
            pub(crate) fn finding(message: impl Into<String>) -> palisade_diagnostics::Finding {
                palisade_diagnostics::Finding::new($id, palisade_diagnostics::Severity::$severity, message)
            }
        }
    };
}
pub(crate) use declare_rule;

/// A rule over one configured server.
pub trait ConfigRule: Send + Sync {
    fn meta(&self) -> &'static RuleMeta;
    fn check(&self, entry: &ServerEntry, launch: &Launch, out: &mut Vec<Finding>);
}

/// A rule over one tool definition, knowing the other tools of its server
/// and of the other servers.
pub trait ToolRule: Send + Sync {
    fn meta(&self) -> &'static RuleMeta;
    fn check(&self, ctx: &ToolContext<'_>, tool: &Tool, out: &mut Vec<Finding>);
}

/// Every config rule, in documentation order.
pub static CONFIG_RULES: &[&dyn ConfigRule] = &[
    &config::unpinned_launch::UnpinnedLaunch,
    &config::latest_tag::LatestTag,
    &config::inline_secret::InlineSecret,
    &config::plaintext_http::PlaintextHttp,
    &config::package_impersonation::PackageImpersonation,
];

/// Every tool rule, in documentation order.
pub static TOOL_RULES: &[&dyn ToolRule] = &[
    &tools::sensitive_file_instruction::SensitiveFileInstruction,
    &tools::conceals_from_user::ConcealsFromUser,
    &tools::orders_tool_call::OrdersToolCall,
    &tools::instruction_block::InstructionBlock,
    &tools::safety_override::SafetyOverride,
    &tools::exfiltration_destination::ExfiltrationDestination,
    &tools::hidden_unicode::HiddenUnicode,
    &tools::cross_server_shadowing::CrossServerShadowing,
    &tools::data_carrier_parameter::DataCarrierParameter,
];

/// Every pin rule (tool definitions compared with their pins), in
/// documentation order. They run in [`crate::pins::compare`].
pub static PIN_RULES: &[&RuleMeta] = &[
    &pins::tool_changed_since_pin::ToolChangedSincePin::META,
    &pins::tool_added_since_pin::ToolAddedSincePin::META,
    &pins::tool_removed_since_pin::ToolRemovedSincePin::META,
    &pins::instructions_changed_since_pin::InstructionsChangedSincePin::META,
];

/// Every `mcp/` rule's metadata: config rules, tool rules, pin rules.
pub fn metas() -> Vec<&'static RuleMeta> {
    CONFIG_RULES
        .iter()
        .map(|r| r.meta())
        .chain(TOOL_RULES.iter().map(|r| r.meta()))
        .chain(PIN_RULES.iter().copied())
        .collect()
}

/// Runs every config rule over one server.
pub fn check_server(entry: &ServerEntry, launch: &Launch) -> Vec<Finding> {
    let mut out = Vec::new();
    for rule in CONFIG_RULES {
        rule.check(entry, launch, &mut out);
    }
    out
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::metas;

    #[test]
    fn ids_are_unique_well_formed_and_documented() {
        let mut seen = HashSet::new();
        for m in metas() {
            assert!(seen.insert(m.id), "duplicate rule id {}", m.id);
            assert_eq!(m.category(), "mcp", "{}", m.id);
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
        }
    }

    #[test]
    fn ids_do_not_clash_with_package_rules() {
        for m in metas() {
            assert!(palisade_linter::rule(m.id).is_none(), "{} clashes", m.id);
        }
    }
}
