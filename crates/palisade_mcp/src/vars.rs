//! Variable references in config values: `${VAR}`, `${env:VAR}`,
//! `${input:id}`, `${workspaceFolder}`, `$VAR`, `{env:VAR}` (OpenCode),
//! `%VAR%` (Windows). They are recognised, never expanded: output shows them
//! as written.

use serde::Serialize;

/// What a reference points at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum VariableKind {
    /// An environment variable (`${VAR}`, `${env:VAR}`, `$VAR`, `%VAR%`, `{env:VAR}`).
    Env,
    /// A value the client prompts for (`${input:id}`, VS Code).
    Input,
    /// A client-defined variable such as `${workspaceFolder}`.
    Predefined,
}

/// One variable reference inside a value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Variable {
    pub kind: VariableKind,
    pub name: String,
    /// The reference exactly as written.
    pub raw: String,
}

/// VS Code's predefined variables that are not environment variables.
const PREDEFINED: &[&str] = &[
    "workspaceFolder",
    "workspaceFolderBasename",
    "workspaceRoot",
    "userHome",
    "pathSeparator",
    "cwd",
    "file",
    "fileDirname",
    "execPath",
];

/// Every variable reference in `value`, in order.
pub fn variables(value: &str) -> Vec<Variable> {
    let mut out = Vec::new();
    let bytes = value.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let rest = &value[i..];
        if let Some(body) = rest.strip_prefix("${")
            && let Some(end) = body.find('}')
        {
            let inner = &body[..end];
            let raw = format!("${{{inner}}}");
            let (kind, name) = if let Some(n) = inner.strip_prefix("env:") {
                (VariableKind::Env, n)
            } else if let Some(n) = inner.strip_prefix("input:") {
                (VariableKind::Input, n)
            } else if PREDEFINED.contains(&inner) || inner.contains(':') {
                (VariableKind::Predefined, inner)
            } else {
                (VariableKind::Env, inner)
            };
            out.push(Variable {
                kind,
                name: name.to_owned(),
                raw,
            });
            i += 2 + end + 1;
            continue;
        }
        if let Some(body) = rest.strip_prefix("{env:")
            && let Some(end) = body.find('}')
        {
            out.push(Variable {
                kind: VariableKind::Env,
                name: body[..end].to_owned(),
                raw: format!("{{env:{}}}", &body[..end]),
            });
            i += 5 + end + 1;
            continue;
        }
        if let Some(body) = rest.strip_prefix('$') {
            let len = ident_len(body);
            if len > 0 {
                out.push(Variable {
                    kind: VariableKind::Env,
                    name: body[..len].to_owned(),
                    raw: format!("${}", &body[..len]),
                });
                i += 1 + len;
                continue;
            }
        }
        if let Some(body) = rest.strip_prefix('%') {
            let len = ident_len(body);
            if len > 0 && body[len..].starts_with('%') {
                out.push(Variable {
                    kind: VariableKind::Env,
                    name: body[..len].to_owned(),
                    raw: format!("%{}%", &body[..len]),
                });
                i += len + 2;
                continue;
            }
        }
        i += rest.chars().next().map_or(1, char::len_utf8);
    }
    out
}

fn ident_len(s: &str) -> usize {
    let mut len = 0;
    for (i, c) in s.char_indices() {
        let ok = c == '_' || c.is_ascii_alphabetic() || (i > 0 && c.is_ascii_digit());
        if !ok {
            break;
        }
        len = i + c.len_utf8();
    }
    len
}

/// Whether `value` is nothing but variable references (and an optional
/// `Bearer ` prefix): then no secret is written in the file.
pub fn is_reference_only(value: &str) -> bool {
    let trimmed = value.trim();
    let trimmed = trimmed
        .strip_prefix("Bearer ")
        .or_else(|| trimmed.strip_prefix("bearer "))
        .unwrap_or(trimmed)
        .trim();
    if trimmed.is_empty() {
        return false;
    }
    let mut rest = trimmed.to_owned();
    for v in variables(trimmed) {
        rest = rest.replacen(&v.raw, "", 1);
    }
    !variables(trimmed).is_empty() && rest.trim().is_empty()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_every_form() {
        let vs = variables(
            "${GITHUB_TOKEN} ${env:HOME} ${input:api-key} ${workspaceFolder}/x $API_KEY %APPDATA% {env:OC}",
        );
        let got: Vec<(VariableKind, &str)> = vs.iter().map(|v| (v.kind, v.name.as_str())).collect();
        assert_eq!(
            got,
            vec![
                (VariableKind::Env, "GITHUB_TOKEN"),
                (VariableKind::Env, "HOME"),
                (VariableKind::Input, "api-key"),
                (VariableKind::Predefined, "workspaceFolder"),
                (VariableKind::Env, "API_KEY"),
                (VariableKind::Env, "APPDATA"),
                (VariableKind::Env, "OC"),
            ]
        );
        assert_eq!(vs[2].raw, "${input:api-key}");
    }

    #[test]
    fn plain_text_has_none() {
        assert!(variables("hello 100% $ 5").is_empty());
        assert!(variables("").is_empty());
    }

    #[test]
    fn reference_only() {
        assert!(is_reference_only("${input:token}"));
        assert!(is_reference_only("Bearer ${GITHUB_PAT}"));
        assert!(is_reference_only("$TOKEN"));
        assert!(!is_reference_only("ghp_abc${X}"));
        assert!(!is_reference_only("plain"));
        assert!(!is_reference_only(""));
    }
}
