//! Reading `repository` fields: which project on which code host a package
//! claims as its source.

use palisade_registry::Repository;

/// A project on a code host: `host/owner/name`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RepoRef {
    /// `github.com`, `gitlab.com`, `bitbucket.org`, or another host.
    pub host: String,
    /// The user or organisation, lower-cased.
    pub owner: String,
    /// The project, lower-cased, without `.git`.
    pub name: String,
}

impl RepoRef {
    /// Reads a repository URL or shorthand: `git+https://host/o/r.git`,
    /// `git@host:o/r.git`, `ssh://git@host/o/r`, `github:o/r`, `o/r`.
    /// `None` when it names no owner and project.
    pub fn parse(url: &str) -> Option<RepoRef> {
        let url = url.trim();
        if url.len() > 2048 {
            return None;
        }
        let (host, path) = if let Some((kind, rest)) = url.split_once(':')
            && let Some(host) = match kind {
                "github" => Some("github.com"),
                "gitlab" => Some("gitlab.com"),
                "bitbucket" => Some("bitbucket.org"),
                _ => None,
            } {
            (host.to_owned(), rest.to_owned())
        } else if let Some((_, rest)) = url.split_once("://") {
            let rest = rest.rsplit_once('@').map_or(rest, |(_, r)| r);
            let (authority, path) = rest.split_once('/')?;
            let host = authority.split(':').next().unwrap_or(authority);
            (host.to_owned(), path.to_owned())
        } else if let Some((user_host, path)) = url.split_once(':')
            && user_host.contains('@')
        {
            let host = user_host.rsplit_once('@').map_or(user_host, |(_, h)| h);
            (host.to_owned(), path.to_owned())
        } else if url.matches('/').count() == 1 && !url.contains(':') {
            ("github.com".to_owned(), url.to_owned())
        } else {
            return None;
        };
        let mut parts = path
            .split(['/', '#', '?'])
            .filter(|p| !p.is_empty())
            .take(2);
        let owner = parts.next()?.to_ascii_lowercase();
        let name = parts.next()?.to_ascii_lowercase();
        let name = name.strip_suffix(".git").unwrap_or(&name).to_owned();
        let valid = |s: &str| {
            !s.is_empty()
                && s.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
        };
        (valid(&owner) && valid(&name)).then(|| RepoRef {
            host: host.to_ascii_lowercase(),
            owner,
            name,
        })
    }

    /// Reads a package's `repository` field.
    pub fn of(repository: Option<&Repository>) -> Option<RepoRef> {
        RepoRef::parse(repository?.url.as_deref()?)
    }

    /// `host/owner/name`, for messages.
    pub fn display(&self) -> String {
        format!("{}/{}/{}", self.host, self.owner, self.name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(url: &str) -> Option<(String, String, String)> {
        RepoRef::parse(url).map(|r| (r.host, r.owner, r.name))
    }

    #[test]
    fn forms() {
        let want = Some((
            "github.com".to_owned(),
            "acme".to_owned(),
            "mcp-server".to_owned(),
        ));
        assert_eq!(parse("git+https://github.com/Acme/mcp-server.git"), want);
        assert_eq!(parse("git@github.com:acme/mcp-server.git"), want);
        assert_eq!(parse("ssh://git@github.com/acme/mcp-server"), want);
        assert_eq!(parse("github:acme/mcp-server"), want);
        assert_eq!(parse("acme/mcp-server"), want);
        assert_eq!(
            parse("https://github.com/acme/mcp-server/tree/main/packages/x#readme"),
            want
        );
        assert_eq!(parse("https://example.invalid"), None);
        assert_eq!(parse("not a url"), None);
        assert_eq!(parse(""), None);
    }
}
