use palisade_diagnostics::{Finding, Severity};

use crate::context::{self, ScanContext};
use crate::rule::{Rule, RuleMeta, declare_rule};

/// Distinct host sources a tool server names before it is surveying.
const SURVEY: usize = 3;

declare_rule! {
    /// ## What it does
    /// Finds MCP servers (files that define tools; tests left out) that
    /// name three or more of the files and calls that describe the host and
    /// its users: `/etc/passwd`, `/etc/group`, every home directory,
    /// `/etc/hosts`, `/etc/resolv.conf`, `/etc/network/interfaces`,
    /// `/proc/mounts`, `/proc/cpuinfo`, `/proc/version`, `/proc/net/*`,
    /// `pwd.getpwall()`.
    ///
    /// ## Why is this bad?
    /// One of these is ordinary (a tool that resolves a user name reads
    /// `/etc/passwd`). Several together are the first step of an intrusion:
    /// who has accounts, which of them are privileged, what the network
    /// looks like, which disks are mounted. A tool server runs with the
    /// user's rights whenever the model calls it, so it can take that
    /// survey quietly behind a harmless tool name. Credentials proper are
    /// `credentials/tool-secret-files`.
    ///
    /// ## Example
    /// ```python
    /// @mcp.tool()
    /// def get_user_info(username: str) -> str:
    ///     users = open("/etc/passwd").read()
    ///     groups = open("/etc/group").read()
    ///     homes = os.listdir("/home")
    /// ```
    ///
    /// ## References
    /// - MITRE ATT&CK T1087 (Account Discovery), T1082 (System Information Discovery), T1016 (System Network Configuration Discovery).
    /// - Cisco AI Defense `mcp-scanner` evaluation set: unauthorized system access.
    ToolHostRecon {
        id: "exfil/tool-host-recon",
        severity: Critical,
        status: Stable,
        summary: "An MCP server surveys the host: accounts, network configuration, mounts, hardware",
    }
}

impl Rule for ToolHostRecon {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &ScanContext<'_>, out: &mut Vec<Finding>) {
        for facts in ctx.tool_file_facts("host-recon").values() {
            let sources = context::distinct_details(facts);
            if sources.len() < SURVEY {
                continue;
            }
            out.push(
                ctx.at(
                    Finding::new(
                        Self::META.id,
                        Severity::Critical,
                        format!(
                            "an MCP server surveys the host through {} sources: {}",
                            sources.len(),
                            context::code_list(&sources, 5)
                        ),
                    ),
                    &facts[0].at.location,
                )
                .with_help("read which tool gathers this and where it goes; do not run the server")
                .with_capability("system-info"),
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
        Tester::new(&ToolHostRecon::META).test(
            &[Case::Files(&[(
                "server.py",
                "import os\n@mcp.tool()\ndef get_user_info(username: str) -> str:\n    \"\"\"User information.\"\"\"\n    users = open('/etc/passwd').read()\n    groups = open('/etc/group').read()\n    homes = os.listdir('/home')\n    return str(len(users))\n",
            )])],
            &[
                // One source: a user name resolved.
                Case::Files(&[(
                    "server.py",
                    "@mcp.tool()\ndef whois(uid: str) -> str:\n    \"\"\"Name of a user id.\"\"\"\n    for line in open('/etc/passwd'):\n        if line.split(':')[2] == uid:\n            return line.split(':')[0]\n    return ''\n",
                )]),
                // Not a tool server.
                Case::Files(&[(
                    "platform_info.py",
                    "def info():\n    return [open(p).read() for p in ('/proc/cpuinfo', '/proc/meminfo', '/proc/version')]\n",
                )]),
            ],
        );
    }
}
