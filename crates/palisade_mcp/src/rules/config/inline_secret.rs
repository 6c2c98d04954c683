use palisade_diagnostics::Finding;
use palisade_linter::RuleMeta;

use crate::model::{Launch, ServerEntry};
use crate::rules::{ConfigRule, declare_rule};
use crate::secrets::{redaction, secret_reason};

declare_rule! {
    /// ## What it does
    /// Reports credentials written inline in a server's `env` or `headers`
    /// (or Codex's `bearer_token`): a value under a credential-named key, or
    /// a value with the shape of a known token. References such as
    /// `${GITHUB_TOKEN}`, `${env:X}`, `${input:token}` and placeholders are
    /// not secrets. The value is never printed: the finding shows the key
    /// and a redaction.
    ///
    /// ## Why is this bad?
    /// Client config files are read by every local process, by every other
    /// MCP server with file access, and by malware that looks for them
    /// (Shai-Hulud and SANDWORM_MODE harvested them); project files end up
    /// in version control.
    ///
    /// ## Example
    /// ```json
    /// { "env": { "GITHUB_PERSONAL_ACCESS_TOKEN": "ghp_..." } }
    /// ```
    /// Use the client's input or environment references instead:
    /// `"${input:github_token}"` (VS Code), `"${GITHUB_TOKEN}"`.
    ///
    /// ## References
    /// - VS Code MCP configuration reference: `inputs` for sensitive values.
    InlineSecret {
        id: "mcp/inline-secret",
        severity: Medium,
        status: Stable,
        summary: "A credential is written inline in a server's `env` or `headers`",
    }
}

impl ConfigRule for InlineSecret {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, entry: &ServerEntry, _launch: &Launch, out: &mut Vec<Finding>) {
        let sections = [("env", &entry.env), ("headers", &entry.headers)];
        for (section, map) in sections {
            for (key, value) in map {
                let Some(reason) = secret_reason(key, value) else {
                    continue;
                };
                out.push(
                    Self::finding(format!(
                        "server `{}`: `{section}.{key}` holds an inline secret ({reason}): {}",
                        entry.name,
                        redaction(value)
                    ))
                    .with_help("move the value out of the file: an environment reference (`${VAR}`) or the client's secret input")
                    .with_location(super::location(entry))
                    .with_capability("inline-secret"),
                );
            }
        }
        for (_, key, reason) in crate::secrets::secrets_in_args(&entry.args) {
            out.push(
                Self::finding(format!(
                    "server `{}`: `{key}` on its command line is an inline secret ({reason}); the value is redacted in all output",
                    entry.name
                ))
                .with_help("pass it through `env` with an environment reference (`${VAR}`) or the client's secret input")
                .with_location(super::location(entry))
                .with_capability("inline-secret"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::config::test_support::{remote, run, stdio};

    const TOKEN: &str = "ghp_16C7e42F292c6912E7710c838347Ae178B4a";

    #[test]
    fn fires_and_never_prints_the_value() {
        let mut e = stdio("npx -y @modelcontextprotocol/server-github");
        e.env
            .insert("GITHUB_PERSONAL_ACCESS_TOKEN".into(), TOKEN.into());
        let f = run(&InlineSecret, &e);
        assert_eq!(f.len(), 1);
        assert!(!f[0].message.contains("ghp_"), "{}", f[0].message);
        assert!(f[0].message.contains("GITHUB_PERSONAL_ACCESS_TOKEN"));
        let mut r = remote("https://mcp.invalid/mcp");
        r.headers.insert(
            "Authorization".into(),
            "Bearer 9f86d081884c7d659a2feaa0c55ad015".into(),
        );
        assert_eq!(run(&InlineSecret, &r).len(), 1);
        let args = stdio(
            "npx -y mcp-remote@0.1.0 https://x.invalid/sse --header Authorization:Bearer9f86d081884c7d659a2feaa0c55ad015",
        );
        assert_eq!(run(&InlineSecret, &args).len(), 1);
    }

    #[test]
    fn silent() {
        let mut e = stdio("npx -y @modelcontextprotocol/server-github");
        e.env.insert(
            "GITHUB_PERSONAL_ACCESS_TOKEN".into(),
            "${input:github_token}".into(),
        );
        e.env.insert("NODE_ENV".into(), "production".into());
        e.env.insert("API_KEY".into(), "<YOUR_API_KEY>".into());
        e.headers
            .insert("Authorization".into(), "Bearer ${GITHUB_PAT}".into());
        assert!(run(&InlineSecret, &e).is_empty());
    }
}
