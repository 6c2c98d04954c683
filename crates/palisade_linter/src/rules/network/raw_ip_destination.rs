use std::collections::HashSet;

use palisade_diagnostics::{Finding, Severity};

use crate::context::ScanContext;
use crate::rule::{Rule, RuleMeta, declare_rule};

declare_rule! {
    /// ## What it does
    /// Finds network calls and URLs whose host is a literal public IP address.
    ///
    /// ## Why is this bad?
    /// Services are reached by name; a hard-coded public IP is how droppers and
    /// command-and-control clients avoid DNS takedowns. Loopback and private
    /// ranges are not reported.
    ///
    /// ## Example
    /// ```js
    /// http.get('http://203.0.113.7:8080/payload');
    /// ```
    ///
    /// ## References
    /// - MITRE ATT&CK T1071 (Application Layer Protocol).
    RawIpDestination {
        id: "network/raw-ip-destination",
        severity: Medium,
        status: Stable,
        summary: "A network destination is a literal public IP address",
    }
}

impl Rule for RawIpDestination {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &ScanContext<'_>, out: &mut Vec<Finding>) {
        let mut seen = HashSet::new();
        for n in &ctx.facts.network {
            if n.collector.as_deref() != Some("raw-ip") {
                continue;
            }
            let is_url = n.destination.as_deref().is_some_and(|d| d.contains("://"));
            if n.api.is_none() && !is_url {
                continue;
            }
            let host = n.host.clone().unwrap_or_default();
            if !seen.insert(host.clone()) {
                continue;
            }
            let severity = if n.at.install_time {
                Severity::High
            } else {
                Severity::Medium
            };
            out.push(
                ctx.at(
                    Finding::new(
                        Self::META.id,
                        severity,
                        format!("network destination is the literal IP `{host}`"),
                    ),
                    &n.at.location,
                )
                .at_install_time(n.at.install_time)
                .with_capability("network"),
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
        Tester::new(&RawIpDestination::META).test(
            &[
                Case::InstallJs("require('http').get('http://203.0.113.7:8080/p');"),
                Case::Js("fetch('http://198.51.100.1/x')"),
            ],
            &[
                Case::Js("fetch('http://127.0.0.1:3000/x'); fetch('http://192.168.1.1/')"),
                Case::Js("const version = '1.2.3.4';"),
            ],
        );
    }
}
