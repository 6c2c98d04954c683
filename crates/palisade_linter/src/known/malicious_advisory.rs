//! `known/malicious-advisory`: the package version is named by a
//! malicious-package advisory.

use palisade_diagnostics::Finding;

use crate::rule::declare_rule;

declare_rule! {
    /// ## What it does
    /// Reports a package version that a known-malicious advisory names: an
    /// OSV record of the OpenSSF malicious-packages list (`MAL-…`), or
    /// another OSV malicious-package record, imported with `palisade db
    /// import`. The match is by npm or PyPI name and version (listed
    /// versions, `SEMVER` and `ECOSYSTEM` ranges; PyPI names normalised,
    /// versions under PEP 440); withdrawn records never match. The
    /// package is rated `malicious` whatever the analysis of its code finds,
    /// and the finding carries the advisory id.
    ///
    /// ## Why is this bad?
    /// Someone has already seen this version do harm: steal credentials,
    /// open a shell, drain wallets. Malicious versions are often removed from
    /// the registry within days, so a lockfile or a mirror may be the only
    /// place left that still serves them, and the code may be built to evade
    /// static analysis. A published advisory is stronger evidence than any
    /// pattern.
    ///
    /// ## Example
    /// ```text
    /// critical known/malicious-advisory: `evil-logger@1.0.1` is named by the
    ///   malicious-package advisory `MAL-2025-0101` (Malicious code in
    ///   evil-logger (npm)): every version is affected
    /// ```
    ///
    /// ## References
    /// - OpenSSF malicious-packages: a public list of malicious packages in OSV format.
    /// - The OSV schema: `affected[].ranges[].events` (`introduced`, `fixed`, `last_affected`) and `withdrawn`.
    /// - palisade issue 4, "Known-malicious".
    MaliciousAdvisory {
        id: "known/malicious-advisory",
        severity: Critical,
        status: Stable,
        summary: "The package version is named by a known-malicious advisory (OSV `MAL-…`)",
    }
}

impl MaliciousAdvisory {
    /// The finding for `name@version` matched by advisory `id`. `summary` is
    /// the advisory's one line, `aliases` its other ids, `reason` why the
    /// version matches (`every version is affected`, `the version is listed`…).
    pub fn report(
        name: &str,
        version: &str,
        id: &str,
        summary: Option<&str>,
        aliases: &[String],
        reason: &str,
    ) -> Finding {
        let summary = summary
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|s| format!(" ({s})"))
            .unwrap_or_default();
        let aliases = if aliases.is_empty() {
            String::new()
        } else {
            let list: Vec<String> = aliases.iter().map(|a| format!("`{a}`")).collect();
            format!("; also known as {}", list.join(", "))
        };
        Self::finding(format!(
            "`{name}@{version}` is named by the malicious-package advisory `{id}`{summary}: {reason}{aliases}"
        ))
        .with_help(format!(
            "do not install or run it; where it was installed, treat the credentials it could reach as stolen and rotate them (see `{id}`)"
        ))
        .with_capability("known-malicious")
    }
}

#[cfg(test)]
mod tests {
    use palisade_diagnostics::{Severity, Verdict};

    use super::*;

    #[test]
    fn the_finding_names_the_advisory_and_decides() {
        let finding = MaliciousAdvisory::report(
            "evil-logger",
            "1.0.1",
            "MAL-2025-0101",
            Some("Malicious code in evil-logger (npm)"),
            &["GHSA-0000-1111-2222".to_owned()],
            "every version is affected",
        );
        assert_eq!(finding.rule, "known/malicious-advisory");
        assert_eq!(finding.severity, Severity::Critical);
        assert_eq!(
            finding.message,
            "`evil-logger@1.0.1` is named by the malicious-package advisory `MAL-2025-0101` \
             (Malicious code in evil-logger (npm)): every version is affected; also known as \
             `GHSA-0000-1111-2222`"
        );
        let mut findings = vec![finding];
        let (verdict, _) = Verdict::decide(&mut findings);
        assert_eq!(verdict, Verdict::Malicious);
        assert!(findings[0].deciding);
    }

    #[test]
    fn without_summary_or_aliases() {
        let finding =
            MaliciousAdvisory::report("p", "1.0.0", "MAL-1", None, &[], "the version is listed");
        assert_eq!(
            finding.message,
            "`p@1.0.0` is named by the malicious-package advisory `MAL-1`: the version is listed"
        );
    }

    #[test]
    fn documented() {
        let doc = MaliciousAdvisory::META.doc;
        for section in [
            "## What it does",
            "## Why is this bad?",
            "## Example",
            "## References",
        ] {
            assert!(doc.contains(section), "{section}");
        }
    }
}
