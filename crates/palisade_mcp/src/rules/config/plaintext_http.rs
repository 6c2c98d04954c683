use palisade_diagnostics::{Finding, Severity};
use palisade_linter::RuleMeta;

use crate::model::{Launch, ServerEntry};
use crate::rules::{ConfigRule, declare_rule};
use crate::secrets::{redact_url, secret_reason};

declare_rule! {
    /// ## What it does
    /// Reports a server reached over plain `http://` on a host other than
    /// the loopback (`localhost`, `127.0.0.0/8`, `::1`): the server's `url`,
    /// or a URL handed to a bridge such as `mcp-remote` in `args`. High when
    /// the entry also sends credentials.
    ///
    /// ## Why is this bad?
    /// Every tool call, every result and any token in the headers cross the
    /// network readable and rewritable by anyone on the path; a rewritten
    /// `tools/list` is tool poisoning without touching the server.
    ///
    /// ## Example
    /// ```json
    /// { "mcpServers": { "wiki": { "url": "http://wiki.corp.invalid/mcp" } } }
    /// ```
    ///
    /// ## References
    /// - MCP specification, transports: HTTP servers should use TLS.
    PlaintextHttp {
        id: "mcp/plaintext-http",
        severity: Medium,
        status: Stable,
        summary: "A server is reached over plain `http://` on a non-loopback host",
    }
}

fn is_loopback(host: &url::Host<&str>) -> bool {
    match host {
        url::Host::Domain(d) => {
            let d = d.to_ascii_lowercase();
            d == "localhost" || d.ends_with(".localhost")
        }
        url::Host::Ipv4(ip) => ip.is_loopback(),
        url::Host::Ipv6(ip) => ip.is_loopback(),
    }
}

impl ConfigRule for PlaintextHttp {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, entry: &ServerEntry, launch: &Launch, out: &mut Vec<Finding>) {
        let mut urls: Vec<&str> = Vec::new();
        if let Launch::Remote { url } = launch {
            urls.push(url);
        }
        urls.extend(
            entry
                .args
                .iter()
                .map(String::as_str)
                .filter(|a| a.starts_with("http://")),
        );
        let sends_secret =
            entry.headers.iter().any(|(k, v)| {
                k.eq_ignore_ascii_case("authorization") || secret_reason(k, v).is_some()
            }) || entry
                .args
                .iter()
                .any(|a| a.to_ascii_lowercase().starts_with("authorization"));
        for raw in urls {
            let Ok(url) = url::Url::parse(raw) else {
                continue;
            };
            if url.scheme() != "http" || url.host().is_none_or(|h| is_loopback(&h)) {
                continue;
            }
            let severity = if sends_secret {
                Severity::High
            } else {
                Severity::Medium
            };
            let extra = if sends_secret {
                ", with credentials"
            } else {
                ""
            };
            out.push(
                Finding::new(
                    Self::META.id,
                    severity,
                    format!(
                        "server `{}` is reached over plain HTTP at `{}`{extra}",
                        entry.name,
                        redact_url(raw)
                    ),
                )
                .with_help("use `https://`; plain HTTP is only safe on the loopback")
                .with_location(super::location(entry))
                .with_capability("network"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::config::test_support::{remote, run, stdio};

    #[test]
    fn fires() {
        assert_eq!(
            run(&PlaintextHttp, &remote("http://wiki.corp.invalid/mcp")).len(),
            1
        );
        assert_eq!(
            run(&PlaintextHttp, &remote("http://10.0.0.5:8080/sse")).len(),
            1
        );
        assert_eq!(
            run(
                &PlaintextHttp,
                &stdio("npx -y mcp-remote@0.1.0 http://mcp.corp.invalid/sse")
            )
            .len(),
            1
        );
        let mut r = remote("http://wiki.corp.invalid/mcp");
        r.headers
            .insert("Authorization".into(), "Bearer ${TOKEN}".into());
        assert_eq!(run(&PlaintextHttp, &r)[0].severity, Severity::High);
    }

    #[test]
    fn silent() {
        for u in [
            "https://mcp.invalid/mcp",
            "http://localhost:3000/mcp",
            "http://127.0.0.1:8931/sse",
            "http://[::1]:9000/mcp",
        ] {
            assert!(run(&PlaintextHttp, &remote(u)).is_empty(), "{u}");
        }
        assert!(
            run(
                &PlaintextHttp,
                &stdio("npx -y mcp-remote@0.1.0 https://mcp.invalid/sse")
            )
            .is_empty()
        );
    }
}
