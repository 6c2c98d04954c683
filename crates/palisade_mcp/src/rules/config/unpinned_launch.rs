use palisade_diagnostics::{Finding, Severity};
use palisade_linter::RuleMeta;

use crate::model::{Launch, ServerEntry};
use crate::rules::{ConfigRule, declare_rule};

declare_rule! {
    /// ## What it does
    /// Reports a server launched from a registry package without an exact
    /// version: `npx -y some-mcp`, `npx some-mcp@^1.2.0`, `uvx some-mcp`,
    /// and container images not pinned by digest (at a lower severity).
    ///
    /// ## Why is this bad?
    /// The runner fetches whatever was published last each time the client
    /// starts the server. A takeover or a malicious release runs
    /// automatically, on every machine with that line, without any change
    /// anyone could review.
    ///
    /// ## Example
    /// ```json
    /// { "mcpServers": { "postmark": { "command": "npx", "args": ["-y", "postmark-mcp"] } } }
    /// ```
    /// Pin it: `"args": ["-y", "postmark-mcp@1.0.15"]`.
    ///
    /// ## References
    /// - postmark-mcp (September 2025): 1.0.16 added a hard-coded `Bcc`; every
    ///   `npx -y postmark-mcp` user ran it on the next start.
    UnpinnedLaunch {
        id: "mcp/unpinned-launch",
        severity: Medium,
        status: Stable,
        summary: "A server runs a registry package with no exact version: the next publish runs automatically",
    }
}

impl ConfigRule for UnpinnedLaunch {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, entry: &ServerEntry, launch: &Launch, out: &mut Vec<Finding>) {
        let (what, severity) = match launch {
            Launch::Npm {
                runner,
                name,
                requested,
                pinned: false,
            } if requested.as_deref() != Some("latest") => (
                match requested {
                    None => {
                        format!("`{runner} {name}` runs the newest published version of `{name}`")
                    }
                    Some(r) => format!("`{runner} {name}@{r}` runs the newest version in `{r}`"),
                },
                Severity::Medium,
            ),
            Launch::Python {
                runner,
                name,
                requested,
                pinned: false,
            } if !runner.ends_with("-m")
                && !name.contains('/')
                && requested.as_deref() != Some("@latest") =>
            {
                (
                    match requested {
                        None => format!(
                            "`{runner} {name}` runs the newest published version of `{name}`"
                        ),
                        Some(r) => format!("`{runner} {name}{r}` runs the newest matching version"),
                    },
                    Severity::Medium,
                )
            }
            Launch::Docker {
                image,
                pinned: false,
            } if !image.ends_with(":latest") => (
                format!("image `{image}` is not pinned by digest: the tag can move"),
                Severity::Low,
            ),
            _ => return,
        };
        out.push(
            Finding::new(
                Self::META.id,
                severity,
                format!("server `{}`: {what}", entry.name),
            )
            .with_help("pin an exact version (`name@1.2.3`, `name==1.2.3`, `image@sha256:...`) and update it on purpose")
            .with_location(super::location(entry))
            .with_capability("unpinned-launch"),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::config::test_support::{remote, run, stdio};

    #[test]
    fn fires() {
        for line in [
            "npx -y postmark-mcp",
            "npx -y @modelcontextprotocol/server-github@^2025.1.0",
            "bunx some-mcp@next",
            "uvx mcp-server-git",
            "docker run -i --rm ghcr.io/github/github-mcp-server:v0.1",
        ] {
            assert_eq!(run(&UnpinnedLaunch, &stdio(line)).len(), 1, "{line}");
        }
        let f = &run(&UnpinnedLaunch, &stdio("npx -y postmark-mcp"))[0];
        assert!(
            f.message.contains("newest published version"),
            "{}",
            f.message
        );
    }

    #[test]
    fn silent() {
        for line in [
            "npx -y postmark-mcp@1.0.15",
            "npx @playwright/mcp@latest",
            "uvx mcp-server-fetch==2025.4.7",
            "python -m mcp_server_time",
            "node /opt/server/index.js",
            "docker run -i ghcr.io/x/y@sha256:0123456789abcdef",
        ] {
            assert!(run(&UnpinnedLaunch, &stdio(line)).is_empty(), "{line}");
        }
        assert!(run(&UnpinnedLaunch, &remote("https://mcp.invalid/mcp")).is_empty());
    }
}
