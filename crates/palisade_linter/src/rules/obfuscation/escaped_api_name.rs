use palisade_diagnostics::{Finding, Severity};

use crate::context::ScanContext;
use crate::rule::{Rule, RuleMeta, declare_rule};

/// APIs whose name, hidden, means code is run or a process started.
const EXEC_APIS: &[&str] = &[
    "vm",
    "child_process",
    "runInThisContext",
    "runInNewContext",
    "runInContext",
    "compileFunction",
    "eval",
    "Function",
    "exec",
    "execSync",
    "spawn",
    "spawnSync",
    "execFile",
    "fork",
    "_compile",
    "_load",
];
/// APIs that reach data or the network.
const DATA_APIS: &[&str] = &[
    "http",
    "https",
    "net",
    "dns",
    "request",
    "get",
    "post",
    "env",
    "hostname",
    "userInfo",
    "homedir",
    "networkInterfaces",
    "readFileSync",
    "writeFileSync",
    "readdirSync",
    "require",
    "fs",
    "os",
    "fromCharCode",
    "atob",
];

declare_rule! {
    /// ## What it does
    /// Finds names of sensitive Node APIs written with `\x`/`\u` escapes, as
    /// in `require('\x76\x6d')['\x72\x75\x6e\x49\x6e...']`. Critical for
    /// APIs that run code or start processes (`vm`, `child_process`, `eval`,
    /// `exec`, ...), high for those that reach data or the network.
    ///
    /// ## Why is this bad?
    /// Nobody escapes `vm` by hand for any reason but to keep it away from a
    /// reader's eyes and a scanner's string search. Minifiers do not do it.
    ///
    /// ## Example
    /// ```js
    /// require('\x76\x6d')['\x72\x75\x6e\x49\x6e\x54\x68\x69\x73\x43\x6f\x6e\x74\x65\x78\x74'](code);
    /// ```
    ///
    /// ## References
    /// - `getcookies` (2018): a backdoor that hid its `vm` call this way.
    EscapedApiName {
        id: "obfuscation/escaped-api-name",
        severity: Critical,
        status: Stable,
        summary: "A sensitive API name is hidden behind string escapes",
    }
}

impl Rule for EscapedApiName {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &ScanContext<'_>, out: &mut Vec<Finding>) {
        let mut seen = std::collections::HashSet::new();
        for o in ctx.facts.other.iter().filter(|o| o.kind == "escaped-name") {
            let severity = if EXEC_APIS.contains(&o.detail.as_str()) {
                Severity::Critical
            } else if DATA_APIS.contains(&o.detail.as_str()) {
                Severity::High
            } else {
                continue;
            };
            if !seen.insert((o.at.location.path.clone(), o.detail.clone())) {
                continue;
            }
            out.push(
                ctx.at(
                    Finding::new(
                        Self::META.id,
                        severity,
                        format!(
                            "the API name `{}` is written with escapes to hide it",
                            o.detail
                        ),
                    ),
                    &o.at.location,
                )
                .at_install_time(o.at.install_time)
                .with_capability("obfuscation"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tester::{Case, Tester};

    #[test]
    fn rule() {
        Tester::new(&EscapedApiName::META).test(
            &[Case::Js("require('\\x76\\x6d')['\\x72\\x75\\x6e\\x49\\x6e\\x54\\x68\\x69\\x73\\x43\\x6f\\x6e\\x74\\x65\\x78\\x74'](c);")],
            &[
                Case::Js("const nbsp = '\\u00a0'; const tab = '\\x09';"),
                Case::Js("require('vm').runInThisContext('1');"),
                Case::Js("const label = '\\x41BC';"),
            ],
        );
    }
}
