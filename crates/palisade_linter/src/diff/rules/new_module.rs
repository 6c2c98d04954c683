use palisade_diagnostics::{Finding, Severity};

use crate::diff::rules::{DiffContext, DiffRule};
use crate::diff::{Capability, Change};
use crate::rule::{RuleMeta, declare_rule};

/// Modules that reach outside the process in ways most libraries never need.
const POWERFUL: &[&str] = &[
    "child_process",
    "net",
    "dns",
    "dgram",
    "tls",
    "vm",
    "worker_threads",
    "cluster",
    "inspector",
    "module",
    "http2",
];

declare_rule! {
    /// ## What it does
    /// Reports a module of interest the new version loads and the old one did
    /// not (`child_process`, `net`, `dns`, `vm`, `http(s)`, `fs`, `os`,
    /// `worker_threads`, HTTP and mail clients...), or one it now loads at
    /// install time. Powerful modules (processes, sockets, code evaluation)
    /// are medium, raised in a quiet release, and high at install time; the
    /// common ones (`fs`, `os`, `http`) are context.
    ///
    /// ## Why is this bad?
    /// A module is a capability before it is a behaviour: a string library
    /// that starts loading `child_process` has grown a new power that its
    /// changelog should explain.
    ///
    /// ## Example
    /// ```diff
    ///  const path = require('path');
    /// +const { exec } = require('child_process');
    /// ```
    ///
    /// ## References
    /// - `event-stream`/`flatmap-stream` (2018): a dependency that grew new powers.
    NewModule {
        id: "diff/new-module",
        severity: Medium,
        status: Stable,
        summary: "The new version loads a powerful module the old one did not",
    }
}

impl DiffRule for NewModule {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &DiffContext<'_>, change: &Change) -> Option<Finding> {
        let Capability::Module { module } = &change.capability else {
            return None;
        };
        let powerful = POWERFUL.contains(&module.as_str());
        let network = matches!(module.as_str(), "http" | "https");
        let severity = match (powerful, change.install_time) {
            (true, true) => Severity::High,
            (true, false) => ctx.raised(Severity::Medium),
            (false, true) if network => Severity::Medium,
            (false, _) => Severity::Info,
        };
        let message = if change.now_install_time {
            format!("{} now loads `{module}` at install time", ctx.versions())
        } else {
            format!(
                "{} newly loads `{module}`{}{}",
                ctx.versions(),
                if change.install_time {
                    " at install time"
                } else {
                    ""
                },
                if severity > Severity::Info {
                    ctx.why()
                } else {
                    String::new()
                }
            )
        };
        Some(ctx.finding(&Self::META, severity, message, change))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diff::tester::{DiffTester, Pair};

    #[test]
    fn rule() {
        DiffTester::new(&NewModule::META).test(
            &[
                Pair(
                    &[("package.json", r#"{"name":"m","version":"1.0.0"}"#), ("index.js", "const path = require('path');\n")],
                    &[("package.json", r#"{"name":"m","version":"1.0.1"}"#), ("index.js", "const path = require('path');\nconst { exec } = require('node:child_process');\n")],
                ),
                Pair(
                    &[("package.json", r#"{"name":"m","version":"1.0.0"}"#), ("index.js", "const https = require('https');\n")],
                    &[("package.json", r#"{"name":"m","version":"1.0.1","scripts":{"postinstall":"node index.js"}}"#), ("index.js", "const https = require('https');\n")],
                ),
            ],
            &[Pair(
                &[("package.json", r#"{"name":"m","version":"1.0.0"}"#), ("index.js", "const fs = require('fs');\n")],
                &[("package.json", r#"{"name":"m","version":"1.0.1"}"#), ("index.js", "const fsp = require('node:fs/promises');\nconst fs = require('fs');\n")],
            )],
        );
    }
}
