use palisade_diagnostics::{Finding, Location, Severity};

use crate::context::ScanContext;
use crate::rule::{Rule, RuleMeta, declare_rule};

declare_rule! {
    /// ## What it does
    /// Lists what the package can do — network, processes, dynamic code,
    /// reading the whole environment, writing files outside its folder — once
    /// per capability, at the first place it is used.
    ///
    /// ## Why is this bad?
    /// It is not: capabilities are context. They tell a reviewer where to look
    /// and they are what the version diff compares; they never make a package
    /// suspicious on their own.
    ///
    /// ## Example
    /// `capability/uses: network (https.request) at lib/client.js:12:3`.
    ///
    /// ## References
    /// - palisade DESIGN.md: "Capabilities alone are context".
    Uses {
        id: "capability/uses",
        severity: Info,
        status: Stable,
        summary: "What the package can do (network, processes, dynamic code, environment)",
    }
}

impl Rule for Uses {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &ScanContext<'_>, out: &mut Vec<Finding>) {
        let f = ctx.facts;
        let mut push = |cap: &str, detail: String, loc: &Location, install: bool| {
            out.push(
                ctx.at(
                    Finding::new(Self::META.id, Severity::Info, format!("{cap}: {detail}")),
                    loc,
                )
                .at_install_time(install)
                .with_capability(cap),
            );
        };
        if let Some(n) = f.network.iter().find(|n| n.api.is_some()) {
            let count = f.network.iter().filter(|n| n.api.is_some()).count();
            push(
                "network",
                if count > 1 {
                    format!(
                        "`{}` and {} more calls",
                        n.api.as_deref().unwrap_or(""),
                        count - 1
                    )
                } else {
                    format!("`{}`", n.api.as_deref().unwrap_or(""))
                },
                &n.at.location,
                n.at.install_time,
            );
        }
        if let Some(p) = f.processes.first() {
            push(
                "process",
                if f.processes.len() > 1 {
                    format!("`{}` and {} more", p.api, f.processes.len() - 1)
                } else {
                    format!("`{}`", p.api)
                },
                &p.at.location,
                p.at.install_time,
            );
        }
        if let Some(e) = f.env.iter().find(|e| e.name.is_none()) {
            push(
                "env",
                "reads the whole environment".to_owned(),
                &e.at.location,
                e.at.install_time,
            );
        }
        if let Some(w) = f.files_written.first() {
            push(
                "filesystem-write",
                format!("writes `{}`", w.path),
                &w.at.location,
                w.at.install_time,
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
        Tester::new(&Uses::META).test(
            &[Case::Js("require('https').get('https://api.invalid/x');\nrequire('child_process').execSync('ls');")],
            &[Case::Js("module.exports = (a, b) => a + b;")],
        );
    }
}
