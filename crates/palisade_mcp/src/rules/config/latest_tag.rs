use palisade_diagnostics::Finding;
use palisade_linter::RuleMeta;

use crate::model::{Launch, ServerEntry};
use crate::rules::{ConfigRule, declare_rule};

declare_rule! {
    /// ## What it does
    /// Reports a server launched with an explicit `@latest` (npm) or
    /// `:latest` (container image).
    ///
    /// ## Why is this bad?
    /// `@latest` asks the runner to look for a newer version on every
    /// start, even when one is cached: whoever can publish the package
    /// decides what runs next, and the line looks deliberate, so nobody
    /// questions it.
    ///
    /// ## Example
    /// ```json
    /// { "mcpServers": { "playwright": { "command": "npx", "args": ["@playwright/mcp@latest"] } } }
    /// ```
    ///
    /// ## References
    /// - npm docs, `npm exec`: a tag is resolved against the registry each run.
    LatestTag {
        id: "mcp/latest-tag",
        severity: Medium,
        status: Stable,
        summary: "A server is launched with `@latest`: each start may run a newly published version",
    }
}

impl ConfigRule for LatestTag {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, entry: &ServerEntry, launch: &Launch, out: &mut Vec<Finding>) {
        let what = match launch {
            Launch::Npm {
                runner,
                name,
                requested,
                ..
            } if requested.as_deref() == Some("latest") => {
                format!("`{runner} {name}@latest`")
            }
            Launch::Python {
                runner,
                name,
                requested,
                ..
            } if requested.as_deref() == Some("@latest") => {
                format!("`{runner} {name}@latest`")
            }
            Launch::Docker { image, .. } if image.ends_with(":latest") => {
                format!("image `{image}`")
            }
            _ => return,
        };
        out.push(
            Self::finding(format!(
                "server `{}`: {what} runs whatever was published last, on every start",
                entry.name
            ))
            .with_help("replace `latest` with the exact version you reviewed")
            .with_location(super::location(entry))
            .with_capability("unpinned-launch"),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::config::test_support::{run, stdio};

    #[test]
    fn fires() {
        for line in [
            "npx @playwright/mcp@latest",
            "npx -y chrome-devtools-mcp@latest",
            "uvx mcp-x@latest",
            "docker run -i x/y:latest",
        ] {
            assert_eq!(run(&LatestTag, &stdio(line)).len(), 1, "{line}");
        }
    }

    #[test]
    fn silent() {
        for line in [
            "npx -y postmark-mcp",
            "npx -y postmark-mcp@1.0.15",
            "docker run -i x/y:1.2",
            "node latest.js",
        ] {
            assert!(run(&LatestTag, &stdio(line)).is_empty(), "{line}");
        }
    }
}
