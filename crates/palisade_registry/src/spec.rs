//! Package specs: `name`, `name@version`, `name@range`, `name@tag`, `@scope/name@...`.

use std::fmt;
use std::str::FromStr;

use nodejs_semver::{Range, Version};

use crate::error::Error;

/// What version of a package is asked for.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum VersionReq {
    /// No version given: the `latest` dist-tag.
    Latest,
    /// A dist-tag such as `next` or `beta`.
    Tag(String),
    /// One exact version.
    Exact(Version),
    /// An npm semver range (`^1.2.0`, `1.x`, `>=2 <3`...).
    Range(Range),
}

impl fmt::Display for VersionReq {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Latest => f.write_str("latest"),
            Self::Tag(tag) => f.write_str(tag),
            Self::Exact(version) => write!(f, "{version}"),
            Self::Range(range) => write!(f, "{range}"),
        }
    }
}

/// A registry package and the version asked for.
#[derive(Debug, Clone)]
pub struct PackageSpec {
    /// The package name, `@scope/name` for scoped packages.
    pub name: String,
    /// The version asked for.
    pub req: VersionReq,
}

impl PackageSpec {
    /// `name` at its `latest` dist-tag.
    ///
    /// # Errors
    /// [`Error::InvalidSpec`] when `name` is not a valid package name.
    pub fn latest(name: &str) -> Result<Self, Error> {
        validate_name(name).map_err(|reason| invalid(name, reason))?;
        Ok(Self {
            name: name.to_owned(),
            req: VersionReq::Latest,
        })
    }
}

impl fmt::Display for PackageSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.req {
            VersionReq::Latest => f.write_str(&self.name),
            req => write!(f, "{}@{req}", self.name),
        }
    }
}

fn invalid(spec: &str, reason: impl Into<String>) -> Error {
    Error::InvalidSpec {
        spec: spec.to_owned(),
        reason: reason.into(),
    }
}

impl FromStr for PackageSpec {
    type Err = Error;

    fn from_str(spec: &str) -> Result<Self, Error> {
        let trimmed = spec.trim();
        // The version part starts at the first `@` after the name (a scope's `@` is first).
        let search_from = usize::from(trimmed.starts_with('@'));
        let (name, version) = match trimmed[search_from..].find('@') {
            Some(at) => {
                let at = at + search_from;
                (&trimmed[..at], Some(trimmed[at + 1..].trim()))
            }
            None => (trimmed, None),
        };
        validate_name(name).map_err(|reason| invalid(spec, reason))?;
        let req = match version {
            None | Some("") => VersionReq::Latest,
            Some(version) => parse_req(version).map_err(|reason| invalid(spec, reason))?,
        };
        Ok(Self {
            name: name.to_owned(),
            req,
        })
    }
}

/// As npm-package-arg: an exact version, else a range, else a tag.
fn parse_req(version: &str) -> Result<VersionReq, String> {
    // The semver crate is lenient with trailing text (`1.2.3 foo` parses), so
    // the shape is checked first.
    if is_exact_version(version)
        && let Ok(exact) = Version::parse(version.strip_prefix('=').unwrap_or(version))
    {
        return Ok(VersionReq::Exact(exact));
    }
    if is_range(version)
        && let Ok(range) = Range::parse(version)
    {
        return Ok(VersionReq::Range(range));
    }
    if version
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "-._~".contains(c))
    {
        return Ok(VersionReq::Tag(version.to_owned()));
    }
    Err(format!(
        "`{version}` is neither a version, a semver range nor a dist-tag (git, file, URL and alias specs are not registry packages)"
    ))
}

/// `[v|=]MAJOR.MINOR.PATCH[-pre][+build]`.
fn is_exact_version(text: &str) -> bool {
    let text = text.strip_prefix(['v', '=']).unwrap_or(text);
    let (core, build) = match text.split_once('+') {
        Some((core, build)) => (core, Some(build)),
        None => (text, None),
    };
    let (numbers, pre) = match core.split_once('-') {
        Some((numbers, pre)) => (numbers, Some(pre)),
        None => (core, None),
    };
    let is_ident = |part: &str| {
        !part.is_empty()
            && part.split('.').all(|id| {
                !id.is_empty() && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            })
    };
    let parts: Vec<&str> = numbers.split('.').collect();
    parts.len() == 3
        && parts
            .iter()
            .all(|part| !part.is_empty() && part.chars().all(|c| c.is_ascii_digit()))
        && pre.is_none_or(is_ident)
        && build.is_none_or(is_ident)
}

/// Every token is `||`, `-` (hyphen range), an operator, or an operator
/// followed by a partial version (`1`, `1.x`, `^1.2.3-rc.1`, `*`).
fn is_range(text: &str) -> bool {
    let is_partial = |token: &str| {
        let token = token.strip_prefix('v').unwrap_or(token);
        let (numbers, suffix) = match token.find(['-', '+']) {
            Some(cut) => token.split_at(cut),
            None => (token, ""),
        };
        let parts: Vec<&str> = numbers.split('.').collect();
        (1..=3).contains(&parts.len())
            && parts.iter().all(|part| {
                matches!(*part, "x" | "X" | "*")
                    || (!part.is_empty() && part.chars().all(|c| c.is_ascii_digit()))
            })
            && suffix
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "-+.".contains(c))
    };
    !text.trim().is_empty()
        && text.split_whitespace().all(|token| {
            if token == "||" || token == "-" {
                return true;
            }
            let version = token.trim_start_matches(['<', '>', '=', '~', '^']);
            version.is_empty() || is_partial(version)
        })
}

/// Characters `encodeURIComponent` leaves alone: what npm accepts in legacy names.
fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "-._~!*'()".contains(c)
}

/// Checks a registry package name; the reason says what is wrong.
///
/// # Errors
/// A message naming the problem.
pub fn validate_name(name: &str) -> Result<(), String> {
    if name.is_empty() {
        return Err("the package name is empty".into());
    }
    if name.len() > 214 {
        return Err("the package name is longer than 214 characters".into());
    }
    let bare = match name.strip_prefix('@') {
        Some(scoped) => {
            let Some((scope, bare)) = scoped.split_once('/') else {
                return Err("a scoped name must look like `@scope/name`".into());
            };
            if scope.is_empty() || !scope.chars().all(is_name_char) || scope.starts_with('.') {
                return Err(format!("invalid scope `@{scope}`"));
            }
            bare
        }
        None => name,
    };
    if bare.is_empty() {
        return Err("the package name is empty".into());
    }
    if bare.starts_with('.') || bare.starts_with('_') {
        return Err("a package name cannot start with `.` or `_`".into());
    }
    if let Some(c) = bare.chars().find(|c| !is_name_char(*c)) {
        return Err(format!("the package name contains `{c}`"));
    }
    Ok(())
}

/// `@scope/name` → `@scope%2fname` (the form registries expect in a path).
pub fn encode_name(name: &str) -> String {
    name.replacen('/', "%2f", 1)
}

#[cfg(test)]
mod tests {
    #![expect(clippy::unwrap_used, reason = "tests")]

    use super::*;

    fn parse(spec: &str) -> PackageSpec {
        spec.parse().unwrap()
    }

    #[test]
    fn parses_names_and_versions() {
        let spec = parse("left-pad");
        assert_eq!(spec.name, "left-pad");
        assert!(matches!(spec.req, VersionReq::Latest));

        let spec = parse("left-pad@1.3.0");
        assert!(matches!(&spec.req, VersionReq::Exact(v) if v.to_string() == "1.3.0"));

        let spec = parse("left-pad@^1.2");
        assert!(matches!(spec.req, VersionReq::Range(_)));
        assert!(matches!(parse("a@1.x").req, VersionReq::Range(_)));
        assert!(matches!(parse("a@>=1 <2").req, VersionReq::Range(_)));
        assert!(matches!(parse("a@*").req, VersionReq::Range(_)));
        assert!(matches!(parse("a@1").req, VersionReq::Range(_)));
        assert!(matches!(parse("a@").req, VersionReq::Latest));
        assert!(matches!(
            parse("a@1.0.0 || 2.1.x").req,
            VersionReq::Range(_)
        ));
        assert!(matches!(parse("a@>= 1.2 < 2").req, VersionReq::Range(_)));
        assert!(matches!(parse("a@1.0.0 - 1.4").req, VersionReq::Range(_)));
        assert!(matches!(parse("a@~>1.2").req, VersionReq::Range(_)));
        assert!(matches!(parse("a@=1.2.0").req, VersionReq::Exact(_)));
        assert!(matches!(
            parse("a@v1.2.0+build.5").req,
            VersionReq::Exact(_)
        ));

        let spec = parse("left-pad@next");
        assert!(matches!(&spec.req, VersionReq::Tag(t) if t == "next"));
        assert!(matches!(&parse("a@latest").req, VersionReq::Tag(t) if t == "latest"));
    }

    #[test]
    fn parses_scoped_names() {
        let spec = parse("@scope/pkg");
        assert_eq!(spec.name, "@scope/pkg");
        assert!(matches!(spec.req, VersionReq::Latest));
        let spec = parse("@scope/pkg@2.0.0-beta.1");
        assert_eq!(spec.name, "@scope/pkg");
        assert!(matches!(&spec.req, VersionReq::Exact(v) if v.to_string() == "2.0.0-beta.1"));
        assert!(matches!(parse("@scope/pkg@~2.1").req, VersionReq::Range(_)));
        assert_eq!(parse("@scope/pkg@beta").to_string(), "@scope/pkg@beta");
    }

    #[test]
    fn rejects_non_registry_specs() {
        for spec in [
            "",
            "@scope",
            "@/x",
            "@scope/",
            ".hidden",
            "_private",
            "a/b",
            "a b",
            "x@git+ssh://host.invalid/x.git",
            "x@file:../x",
            "x@npm:y@1",
            "x@http://127.0.0.1/x.tgz",
            "../x",
            "x@1.2.3 foo",
            "x@^1.2 || bar",
        ] {
            let error = spec.parse::<PackageSpec>().unwrap_err();
            assert!(
                error.to_string().starts_with("invalid package spec `"),
                "{spec}: {error}"
            );
        }
    }

    #[test]
    fn encodes_scoped_names() {
        assert_eq!(encode_name("@scope/pkg"), "@scope%2fpkg");
        assert_eq!(encode_name("pkg"), "pkg");
    }
}
