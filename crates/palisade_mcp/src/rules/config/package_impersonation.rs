use palisade_diagnostics::{Confidence, Finding};
use palisade_linter::RuleMeta;
use palisade_linter::metadata::{PopularIndex, Resemblance};

use crate::model::{Launch, ServerEntry};
use crate::rules::{ConfigRule, declare_rule};

declare_rule! {
    /// ## What it does
    /// Reports a server whose npm package name resembles a popular package's
    /// without being it: a typo (one or two edits, scaled by length), the
    /// same name with other separators or look-alike digits, an unscoped
    /// copy of a scoped organisation's package (`playwright-mcp` for
    /// `@playwright/mcp`), or a look-alike scope (`@p1aywright/mcp`).
    ///
    /// The comparison is the one of `metadata/name-impersonation`
    /// (`palisade_linter::metadata::PopularIndex`, over the shipped
    /// `npm-high-impact` list), read from the config alone, without the
    /// registry. So the MCP naming convention (`<product>-mcp`,
    /// `mcp-<product>`) is not evidence here: who publishes the package is
    /// not known offline. `palisade scan <package>` judges it with the
    /// publishers.
    ///
    /// ## Why is this bad?
    /// An AI client's config is often pasted from a web page or written by
    /// an agent; a look-alike name runs someone else's code with the
    /// server's credentials in its environment.
    ///
    /// ## Example
    /// ```json
    /// { "mcpServers": { "browser": { "command": "npx", "args": ["-y", "@p1aywright/mcp@0.0.41"] } } }
    /// ```
    ///
    /// ## References
    /// - Koi Security, "First malicious MCP server found in the wild" (postmark-mcp, 2025).
    /// - npm-high-impact, the list of popular npm packages (Titus Wormer).
    PackageImpersonation {
        id: "mcp/package-impersonation",
        severity: Medium,
        status: Stable,
        summary: "A server's npm package name resembles a popular package without being it",
    }
}

impl ConfigRule for PackageImpersonation {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, entry: &ServerEntry, launch: &Launch, out: &mut Vec<Finding>) {
        let Launch::Npm { runner, name, .. } = launch else {
            return;
        };
        let popular = PopularIndex::shipped();
        // `<product>-mcp` is how MCP servers are named, by the product's
        // makers and by everyone else: offline it proves nothing.
        let Some(best) = popular
            .resembles(name)
            .into_iter()
            .find(|r| !matches!(r.how, Resemblance::Affix(a) if a.contains("mcp")))
        else {
            return;
        };
        let confidence = if matches!(best.how, Resemblance::Typo(2)) {
            Confidence::Low
        } else {
            Confidence::Medium
        };
        out.push(
            Self::finding(format!(
                "server `{}` runs `{runner} {name}`: {}; `{}` is a popular package (rank {} in the shipped list)",
                entry.name,
                best.how.sentence(name, &best.target),
                best.target,
                best.rank + 1
            ))
            .with_confidence(confidence)
            .with_help(format!(
                "check that `{name}` is the package you meant and who publishes it (`palisade scan {name}`); the well-known one is `{}`",
                best.target
            ))
            .with_location(super::location(entry))
            .with_capability("impersonation"),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::config::test_support::{run, stdio};

    #[test]
    fn fires() {
        for (line, target) in [
            ("npx -y @p1aywright/mcp@0.0.41", "@playwright/mcp"),
            ("npx -y playwright-mcp", "@playwright/mcp"),
            ("npx -y expresss", "express"),
        ] {
            let found = run(&PackageImpersonation, &stdio(line));
            assert_eq!(found.len(), 1, "{line}");
            assert!(
                found[0].message.contains(target),
                "{line}: {}",
                found[0].message
            );
        }
    }

    #[test]
    fn silent() {
        for line in [
            "npx -y @playwright/mcp@0.0.41",
            "npx -y @modelcontextprotocol/server-filesystem /tmp",
            "npx -y postmark-mcp",
            "npx -y chrome-devtools-mcp@latest",
            "npx -y express",
            "uvx mcp-server-git",
            "node ./server.js",
        ] {
            assert!(
                run(&PackageImpersonation, &stdio(line)).is_empty(),
                "{line}"
            );
        }
    }
}
