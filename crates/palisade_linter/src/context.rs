//! What rules see: the package, its facts, and per-file observations.

use palisade_diagnostics::{Facts, Finding, Location};
use palisade_package::Package;

use crate::checkers::text::Obfuscation;
use crate::lines::LineIndex;

/// One analysed code file.
#[derive(Debug, Clone)]
pub struct CodeFile {
    pub path: String,
    /// Runs at install time: a lifecycle script runs it, or loads it.
    pub install_time: bool,
    /// Why the parser could not read it (it was analysed as text).
    pub parse_error: Option<String>,
    pub(crate) obfuscation: Obfuscation,
    pub bytes: usize,
}

/// Everything a rule may read about one package.
pub struct ScanContext<'a> {
    pub package: &'a Package,
    pub facts: &'a Facts,
    pub code_files: &'a [CodeFile],
    /// Registrable domains the package names as its own (homepage,
    /// repository, bugs, author), lower-cased.
    pub vendor_domains: &'a [String],
}

impl ScanContext<'_> {
    /// Puts a finding at a location, with the source line as its snippet.
    pub fn at(&self, finding: Finding, location: &Location) -> Finding {
        let snippet = self.snippet(location);
        let mut f = finding.with_location(location.clone());
        f.snippet = snippet;
        f
    }

    /// The source line at a location, when the file is text.
    pub fn snippet(&self, location: &Location) -> Option<String> {
        if location.line == 0 {
            return None;
        }
        let file = self.package.file(&location.path)?;
        let text = String::from_utf8_lossy(&file.data);
        LineIndex::new(&text).snippet(&text, location.line, location.column)
    }

    /// Whether a host belongs to the package's own vendor.
    pub fn is_vendor_host(&self, host: &str) -> bool {
        let host = host.to_ascii_lowercase();
        self.vendor_domains
            .iter()
            .any(|d| host == *d || host.ends_with(&format!(".{d}")))
    }

    /// Python files that define MCP tools (`mcp-tool` facts), tests left
    /// out: a test's fixture server is not the package's server. The rules
    /// that read what else such a file does count on the file being the
    /// server's own module; a JavaScript file that defines tools is as
    /// often a bundle holding every library the server uses (cloud SDKs
    /// that name the metadata endpoint, CLIs that read key files), so JS
    /// tools are judged by what flows from their handlers instead.
    pub(crate) fn mcp_tool_files(&self) -> std::collections::HashSet<&str> {
        self.facts
            .other
            .iter()
            .filter(|o| {
                o.kind == "mcp-tool"
                    && crate::checkers::python::package::is_python_source(&o.at.location.path)
                    && !is_test_path(&o.at.location.path)
            })
            .map(|o| o.at.location.path.as_str())
            .collect()
    }

    /// The `other` facts of `kind`, by file.
    pub(crate) fn file_facts(
        &self,
        kind: &str,
    ) -> std::collections::BTreeMap<&str, Vec<&palisade_diagnostics::FactKind>> {
        let mut by_file: std::collections::BTreeMap<&str, Vec<_>> = Default::default();
        for o in self.facts.other.iter().filter(|o| o.kind == kind) {
            by_file
                .entry(o.at.location.path.as_str())
                .or_default()
                .push(o);
        }
        by_file
    }

    /// The `other` facts of `kind` in files that define MCP tools, by file.
    pub(crate) fn tool_file_facts(
        &self,
        kind: &str,
    ) -> std::collections::BTreeMap<&str, Vec<&palisade_diagnostics::FactKind>> {
        let tool_files = self.mcp_tool_files();
        let mut by_file = self.file_facts(kind);
        by_file.retain(|path, _| tool_files.contains(path));
        by_file
    }

    /// Whether the package has install-time code or scripts.
    pub fn has_install_scripts(&self) -> bool {
        self.facts.scripts.iter().any(|s| s.at.install_time)
    }
}

/// The distinct details of a group of facts, sorted.
pub(crate) fn distinct_details<'f>(facts: &[&'f palisade_diagnostics::FactKind]) -> Vec<&'f str> {
    let mut details: Vec<&str> = facts.iter().map(|o| o.detail.as_str()).collect();
    details.sort_unstable();
    details.dedup();
    details
}

/// The first `n` items as code, for a message: `` `a`, `b` ``.
pub(crate) fn code_list(items: &[&str], n: usize) -> String {
    items
        .iter()
        .take(n)
        .map(|i| format!("`{i}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Whether a file is a test: under a `tests`/`test`/`testing` folder, or
/// named `test_*`, `*_test.*` or `conftest.py`.
pub(crate) fn is_test_path(path: &str) -> bool {
    let mut parts = path.split('/');
    let name = parts.next_back().unwrap_or(path);
    parts.any(|d| matches!(d, "tests" | "test" | "testing" | "__tests__"))
        || name.starts_with("test_")
        || name == "conftest.py"
        || name
            .rsplit_once('.')
            .is_some_and(|(stem, _)| stem.ends_with("_test"))
}

/// Hosting platforms that give each customer a subdomain: a name under one
/// of them belongs to that customer, not to the platform (the public suffix
/// list's private section; the ones packages and malware use most).
const SHARED_SUFFIXES: &[&str] = &[
    "appspot.com",
    "azurewebsites.net",
    "blogspot.com",
    "deno.dev",
    "firebaseapp.com",
    "fly.dev",
    "github.io",
    "gitlab.io",
    "glitch.me",
    "herokuapp.com",
    "netlify.app",
    "ngrok-free.app",
    "ngrok.io",
    "onrender.com",
    "pages.dev",
    "pythonanywhere.com",
    "railway.app",
    "repl.co",
    "surge.sh",
    "trycloudflare.com",
    "vercel.app",
    "web.app",
    "workers.dev",
];

/// The registrable part of a host (`api.mail.example.co.uk` → `example.co.uk`,
/// `api.example.com` → `example.com`, `api.acme.workers.dev` →
/// `acme.workers.dev`).
pub fn registrable_domain(host: &str) -> String {
    let labels: Vec<&str> = host.trim_end_matches('.').split('.').collect();
    let n = labels.len();
    if n <= 2 {
        return host.to_ascii_lowercase();
    }
    let second = labels[n - 2];
    let suffix = labels[n - 2..].join(".").to_ascii_lowercase();
    let take = if (labels[n - 1].len() == 2
        && matches!(second, "co" | "com" | "org" | "net" | "ac" | "gov" | "edu"))
        || SHARED_SUFFIXES.contains(&suffix.as_str())
    {
        3
    } else {
        2
    };
    labels[n - take..].join(".").to_ascii_lowercase()
}

/// Domains a manifest claims as the package's own.
pub(crate) fn vendor_domains(package: &Package) -> Vec<String> {
    let Some(m) = &package.manifest else {
        return Vec::new();
    };
    let mut urls: Vec<String> = Vec::new();
    for key in ["homepage", "repository", "bugs", "author"] {
        match m.json.get(key) {
            Some(serde_json::Value::String(s)) => urls.push(s.clone()),
            Some(serde_json::Value::Object(o)) => {
                for k in ["url", "email"] {
                    if let Some(s) = o.get(k).and_then(|v| v.as_str()) {
                        urls.push(s.to_owned());
                    }
                }
            }
            _ => {}
        }
    }
    let mut out: Vec<String> = urls
        .iter()
        .filter_map(|u| {
            let u = u.trim();
            let host = if let Some((_, domain)) = u.rsplit_once('@').filter(|_| !u.contains("://"))
            {
                domain.trim_end_matches('>').to_owned()
            } else {
                crate::classify::destination(u)?.host
            };
            Some(registrable_domain(&host))
        })
        // Code hosts are everybody's: they prove nothing about a vendor.
        .filter(|d| {
            !matches!(
                d.as_str(),
                "github.com"
                    | "gitlab.com"
                    | "bitbucket.org"
                    | "github.io"
                    | "npmjs.com"
                    | "gmail.com"
            )
        })
        .collect();
    // A scoped package's scope often is the vendor name (`@postmark/...`).
    out.sort();
    out.dedup();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registrable() {
        assert_eq!(registrable_domain("api.postmarkapp.com"), "postmarkapp.com");
        assert_eq!(registrable_domain("a.b.example.co.uk"), "example.co.uk");
        assert_eq!(registrable_domain("localhost"), "localhost");
        // Each customer of a hosting platform is its own domain.
        assert_eq!(
            registrable_domain("api.acme.Workers.dev"),
            "acme.workers.dev"
        );
        assert_eq!(registrable_domain("acme.github.io"), "acme.github.io");
        assert_eq!(registrable_domain("workers.dev"), "workers.dev");
    }
}
