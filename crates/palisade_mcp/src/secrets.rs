//! Recognising secrets written inline in `env` and `headers`, and redacting
//! them. Values are never printed: only the key and a redaction.

use crate::vars;

/// Key names that hold credentials.
const SECRET_KEY_WORDS: &[&str] = &[
    "TOKEN",
    "SECRET",
    "PASSWORD",
    "PASSWD",
    "API_KEY",
    "APIKEY",
    "ACCESS_KEY",
    "PRIVATE_KEY",
    "CREDENTIAL",
    "AUTH",
    "PAT",
    "COOKIE",
    "SESSION",
    "X-API-KEY",
];

/// Prefixes of well-known token formats, with what they are.
const TOKEN_PREFIXES: &[(&str, &str)] = &[
    ("ghp_", "GitHub personal access token"),
    ("github_pat_", "GitHub fine-grained token"),
    ("gho_", "GitHub OAuth token"),
    ("ghs_", "GitHub app token"),
    ("glpat-", "GitLab token"),
    ("npm_", "npm token"),
    ("sk-ant-", "Anthropic API key"),
    ("sk-", "API secret key"),
    ("xoxb-", "Slack bot token"),
    ("xoxp-", "Slack user token"),
    ("AKIA", "AWS access key id"),
    ("AIza", "Google API key"),
    ("pk_live_", "Stripe key"),
    ("sk_live_", "Stripe secret key"),
    ("rk_live_", "Stripe restricted key"),
];

/// Values that are placeholders, not secrets.
fn is_placeholder(value: &str) -> bool {
    let v = value.trim();
    let lower = v.to_ascii_lowercase();
    v.len() < 8
        || (v.starts_with('<') && v.ends_with('>'))
        || lower.contains("your")
        || lower.contains("xxxx")
        || lower.contains("changeme")
        || lower.contains("placeholder")
        || lower.contains("example")
        || lower.contains("replace")
        || lower.contains("...")
        || lower.contains("here")
        || v.chars().all(|c| c == v.chars().next().unwrap_or('x'))
}

/// Why `value` under `key` looks like an inline secret, or `None`.
pub fn secret_reason(key: &str, value: &str) -> Option<String> {
    let value = value.trim();
    if value.is_empty() || vars::is_reference_only(value) {
        return None;
    }
    let bare = value
        .strip_prefix("Bearer ")
        .or_else(|| value.strip_prefix("bearer "))
        .or_else(|| value.strip_prefix("Basic "))
        .or_else(|| value.strip_prefix("token "))
        .unwrap_or(value)
        .trim();
    if !vars::variables(bare).is_empty() || is_placeholder(bare) {
        return None;
    }
    if let Some((_, what)) = TOKEN_PREFIXES
        .iter()
        .find(|(p, _)| bare.starts_with(p) && bare.len() >= p.len() + 12)
    {
        return Some(format!("the value has the shape of a {what}"));
    }
    let upper = key.to_ascii_uppercase().replace('-', "_");
    let key_says_secret = SECRET_KEY_WORDS.iter().any(|w| {
        let w = w.replace('-', "_");
        upper == w
            || upper.ends_with(&format!("_{w}"))
            || upper.starts_with(&format!("{w}_"))
            || upper.contains(&format!("_{w}_"))
            || (w.len() > 4 && upper.contains(&w))
    }) || upper == "AUTHORIZATION";
    // A credential-looking key with a value that is not a path, URL or word.
    let looks_opaque = !bare.contains(' ')
        && !bare.starts_with('/')
        && !bare.starts_with('.')
        && !bare.contains("://")
        && bare.chars().any(|c| c.is_ascii_digit())
        && bare.chars().any(|c| c.is_ascii_alphabetic());
    (key_says_secret && looks_opaque).then(|| format!("`{key}` names a credential"))
}

/// Secrets in a command line: `--api-key VALUE`, `--token=VALUE`,
/// `Authorization: Bearer VALUE` (as `mcp-remote --header` takes it), and
/// any word with the shape of a known token. Returns `(index, option or
/// key, reason)` for each argument that holds one.
pub fn secrets_in_args(args: &[String]) -> Vec<(usize, String, String)> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < args.len() {
        let a = args[i].as_str();
        if let Some(opt) = a.strip_prefix("--").or_else(|| a.strip_prefix('-')) {
            let (name, inline) = match opt.split_once('=') {
                Some((n, v)) => (n, Some(v)),
                None => (opt, None),
            };
            let key = name.replace('-', "_");
            match inline {
                Some(v) => {
                    if let Some(r) = secret_reason(&key, v) {
                        out.push((i, format!("--{name}"), r));
                    }
                }
                None => {
                    if let Some(v) = args.get(i + 1)
                        && !v.starts_with('-')
                        && let Some(r) = secret_reason(&key, v)
                    {
                        out.push((i + 1, format!("--{name}"), r));
                        i += 2;
                        continue;
                    }
                }
            }
        } else if let Ok(url) = url::Url::parse(a)
            && url.password().is_some_and(|p| {
                let p = percent_decode(p);
                !p.is_empty() && vars::variables(&p).is_empty() && !is_placeholder_password(&p)
            })
        {
            out.push((
                i,
                format!("argument {}", i + 1),
                "a password in a URL".to_owned(),
            ));
        } else if let Some((k, v)) = a.split_once(':')
            && !k.contains('/')
            && !k.contains(' ')
            && let Some(r) = secret_reason(k.trim(), v.trim())
        {
            out.push((i, k.trim().to_owned(), r));
        } else if let Some(r) = secret_reason("", a) {
            out.push((i, format!("argument {}", i + 1), r));
        }
        i += 1;
    }
    out
}

fn percent_decode(s: &str) -> String {
    url::form_urlencoded::parse(format!("p={s}").as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default()
}

fn is_placeholder_password(p: &str) -> bool {
    let lower = p.to_ascii_lowercase();
    (p.starts_with('<') && p.ends_with('>'))
        || ["password", "pass", "your", "xxx", "changeme", "secret"]
            .iter()
            .any(|w| lower == *w || lower.starts_with("your"))
}

/// `args` with every secret found by [`secrets_in_args`] replaced by a
/// redaction (the option name or header name is kept).
pub fn redact_args(args: &[String]) -> Vec<String> {
    let mut out = args.to_vec();
    for (i, key, _) in secrets_in_args(args) {
        let a = &args[i];
        out[i] = if key.starts_with("argument") && a.contains("://") {
            redact_url(a)
        } else if let Some((opt, v)) = a.split_once('=').filter(|_| a.starts_with('-')) {
            format!("{opt}={}", redaction(v))
        } else if let Some((k, v)) = a.split_once(':').filter(|(k, _)| k.trim() == key) {
            format!("{k}: {}", redaction(v.trim()))
        } else {
            redaction(a)
        };
    }
    out
}

/// The redaction shown instead of a secret value.
pub fn redaction(value: &str) -> String {
    format!("<redacted, {} characters>", value.chars().count())
}

/// A URL with its password and credential-looking query values replaced.
pub fn redact_url(raw: &str) -> String {
    let Ok(mut url) = url::Url::parse(raw) else {
        return raw.to_owned();
    };
    let mut changed = false;
    if url.password().is_some() {
        let _ = url.set_password(Some("REDACTED"));
        changed = true;
    }
    let pairs: Vec<(String, String)> = url
        .query_pairs()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    if pairs
        .iter()
        .any(|(k, v)| secret_reason(k, v).is_some() || is_key_param(k))
    {
        let mut q = url.query_pairs_mut();
        q.clear();
        for (k, v) in &pairs {
            if secret_reason(k, v).is_some() || is_key_param(k) {
                q.append_pair(k, "REDACTED");
            } else {
                q.append_pair(k, v);
            }
        }
        drop(q);
        changed = true;
    }
    if changed {
        url.to_string()
    } else {
        raw.to_owned()
    }
}

fn is_key_param(k: &str) -> bool {
    matches!(
        k.to_ascii_lowercase().as_str(),
        "key" | "apikey" | "api_key" | "token" | "access_token" | "secret" | "password"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_inline_secrets() {
        assert!(
            secret_reason(
                "GITHUB_PERSONAL_ACCESS_TOKEN",
                "ghp_16C7e42F292c6912E7710c838347Ae178B4a"
            )
            .is_some()
        );
        assert!(
            secret_reason("Authorization", "Bearer 9f86d081884c7d659a2feaa0c55ad015").is_some()
        );
        assert!(secret_reason("OPENAI", "sk-proj-abcdefghijklmnop1234").is_some());
        assert!(secret_reason("BRAVE_API_KEY", "BSAa1b2c3d4e5f6g7h8").is_some());
    }

    #[test]
    fn ignores_references_placeholders_and_ordinary_values() {
        assert!(secret_reason("GITHUB_TOKEN", "${input:github_token}").is_none());
        assert!(secret_reason("Authorization", "Bearer ${GITHUB_PAT}").is_none());
        assert!(secret_reason("API_KEY", "<YOUR_API_KEY>").is_none());
        assert!(secret_reason("API_KEY", "your_api_key_here").is_none());
        assert!(secret_reason("NODE_ENV", "production").is_none());
        assert!(secret_reason("MEMORY_FILE_PATH", "/home/me/memory2.json").is_none());
        assert!(secret_reason("AUTH_URL", "https://auth.invalid/v2").is_none());
        assert!(secret_reason("PATH", "/usr/bin:/bin").is_none());
    }

    #[test]
    fn secrets_in_command_lines() {
        let args: Vec<String> = [
            "-y",
            "mcp-remote@0.1.0",
            "https://x.invalid/sse",
            "--header",
            "Authorization: Bearer 9f86d081884c7d659a2feaa0c55ad015",
            "--api-key",
            "k3y9f86d081884c7d659a2",
            "--token=ghp_16C7e42F292c6912E7710c838347Ae178B4a",
            "--port",
            "8080",
        ]
        .map(String::from)
        .to_vec();
        let found: Vec<usize> = secrets_in_args(&args)
            .into_iter()
            .map(|(i, _, _)| i)
            .collect();
        assert_eq!(found, vec![4, 6, 7]);
        let red = redact_args(&args).join(" ");
        assert!(
            !red.contains("9f86d0") && !red.contains("k3y9") && !red.contains("ghp_"),
            "{red}"
        );
        assert!(
            red.contains("--token=<redacted") && red.contains("Authorization: <redacted"),
            "{red}"
        );
        let plain: Vec<String> = [
            "-y",
            "@modelcontextprotocol/server-filesystem",
            "/home/me",
            "--port",
            "3000",
        ]
        .map(String::from)
        .to_vec();
        assert!(secrets_in_args(&plain).is_empty());
        let db: Vec<String> = ["postgresql://app:hunter2x@127.0.0.1/db".to_owned()].to_vec();
        assert_eq!(secrets_in_args(&db).len(), 1);
        assert_eq!(
            redact_args(&db),
            vec!["postgresql://app:REDACTED@127.0.0.1/db"]
        );
        let var: Vec<String> = ["postgresql://app:${DB_PASSWORD}@127.0.0.1/db".to_owned()].to_vec();
        assert!(secrets_in_args(&var).is_empty());
    }

    #[test]
    fn redacts_urls() {
        assert_eq!(
            redact_url("https://mcp.invalid/mcp?key=abc123def456&x=1"),
            "https://mcp.invalid/mcp?key=REDACTED&x=1"
        );
        assert_eq!(
            redact_url("https://u:p4ss@h.invalid/"),
            "https://u:REDACTED@h.invalid/"
        );
        assert_eq!(
            redact_url("http://127.0.0.1:8080/mcp"),
            "http://127.0.0.1:8080/mcp"
        );
    }

    #[test]
    fn redaction_never_contains_the_value() {
        let r = redaction("ghp_secretsecret");
        assert!(!r.contains("ghp_"));
        assert!(r.contains("16"));
    }
}
