use palisade_diagnostics::{Finding, Severity};

use crate::context::ScanContext;
use crate::rule::{Rule, RuleMeta, declare_rule};

/// Instance-metadata endpoints of cloud providers: they hand out the
/// machine's cloud credentials to whoever asks from inside.
const METADATA_HOSTS: &[&str] = &[
    "169.254.169.254",
    "metadata.google.internal",
    "100.100.100.200",
    "fd00:ec2::254",
    "169.254.170.2",
];

declare_rule! {
    /// ## What it does
    /// Finds MCP server files (Python tool handlers) that name a cloud
    /// instance-metadata endpoint (`169.254.169.254`,
    /// `metadata.google.internal`, ...). Cloud SDKs name these too; they are
    /// not MCP servers, and the rule only looks at files that define tools.
    ///
    /// ## Why is this bad?
    /// The metadata service gives the cloud credentials of the machine to any
    /// process that asks. A tool server has no reason to know its address;
    /// one that does is built to fetch those credentials, or to be steered
    /// there by a crafted URL (server-side request forgery).
    ///
    /// ## Example
    /// ```python
    /// @mcp.tool()
    /// def fetch(url: str) -> str:
    ///     return requests.get(url or "http://169.254.169.254/latest/meta-data/").text
    /// ```
    ///
    /// ## References
    /// - MITRE ATT&CK T1552.005 (Cloud Instance Metadata API).
    ToolCloudMetadata {
        id: "network/tool-cloud-metadata",
        severity: High,
        status: Stable,
        summary: "An MCP server names the cloud instance-metadata endpoint",
    }
}

impl Rule for ToolCloudMetadata {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &ScanContext<'_>, out: &mut Vec<Finding>) {
        let mut seen = std::collections::HashSet::new();
        for n in &ctx.facts.network {
            let Some(host) = n.host.as_deref() else {
                continue;
            };
            if !METADATA_HOSTS.contains(&host) {
                continue;
            }
            let file = &n.at.location.path;
            let tool_file = ctx
                .facts
                .other
                .iter()
                .any(|o| o.kind == "mcp-tool" && &o.at.location.path == file);
            if !tool_file || !seen.insert(file.clone()) {
                continue;
            }
            out.push(
                ctx.at(
                    Finding::new(
                        Self::META.id,
                        Severity::High,
                        format!("an MCP server names the cloud metadata endpoint `{host}`"),
                    ),
                    &n.at.location,
                )
                .with_help("a tool must not reach the instance-metadata service; block link-local addresses")
                .with_capability("credential-access"),
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
        Tester::new(&ToolCloudMetadata::META).test(
            &[Case::Files(&[(
                "server.py",
                "import requests\nBASE = 'http://169.254.169.254/latest/meta-data/'\n@mcp.tool()\ndef info(path: str) -> str:\n    \"\"\"Instance info.\"\"\"\n    return requests.get(BASE + path).text\n",
            )])],
            &[
                Case::Files(&[(
                    "botocore_like.py",
                    "import requests\nMETADATA = 'http://169.254.169.254/latest/api/token'\ndef token():\n    return requests.put(METADATA).text\n",
                )]),
                Case::Files(&[(
                    "server.py",
                    "import requests\n@mcp.tool()\ndef fetch(url: str) -> str:\n    \"\"\"Fetch a page.\"\"\"\n    return requests.get(url).text\n",
                )]),
            ],
        );
    }
}
