//! The Python package index client: project pages from the simple API
//! (PEP 691 JSON, falling back to PEP 503 HTML), the latest release from the
//! JSON API when the index has one, and sha256-verified downloads.
//!
//! Which files are analysed: the sdist, when the release has one, because it
//! holds `setup.py` and the build configuration, the code that runs when pip
//! builds it; and one wheel, because that is what pip installs (a wheel can
//! carry a `.pth` file the sdist only generates): a pure wheel
//! (`*-none-any.whl`) when there is one, else the smallest. Yanked files are
//! skipped unless the release has nothing else (pip still installs a yanked
//! release pinned with `==`).
//!
//! It shares the npm client's HTTP layer (limits, retries), and its disk
//! cache: index pages are revalidated like packuments, files are stored
//! under their sha256 and verified on every read.

use base64::Engine as _;
use reqwest::header::HeaderValue;
use serde::Deserialize;
use url::Url;

use crate::cache::Cache;
use crate::client::ClientOptions;
use crate::error::{Error, redact_url};
use crate::http::Http;
use crate::integrity::Integrity;
use crate::pep440::Pep440;
use crate::pip_config::PipConfig;

/// `Accept` for project pages: PEP 691 JSON, else the PEP 503 HTML page.
pub const ACCEPT_SIMPLE: &str = "application/vnd.pypi.simple.v1+json, text/html;q=0.2, */*;q=0.01";

/// A project name normalised as PEP 503 says: runs of `-`, `_`, `.` become
/// one `-`, lower case.
pub fn normalize_name(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut dash = false;
    for c in name.trim().chars() {
        if matches!(c, '-' | '_' | '.') {
            dash = true;
        } else {
            if dash && !out.is_empty() {
                out.push('-');
            }
            dash = false;
            out.push(c.to_ascii_lowercase());
        }
    }
    out
}

/// A valid project name (PEP 508): ASCII letters, digits, `-_.`, starting
/// and ending with a letter or digit, at most 200 characters.
pub fn validate_project_name(name: &str) -> Result<(), String> {
    let bytes = name.as_bytes();
    if name.is_empty() || name.len() > 200 {
        return Err("a project name has 1 to 200 characters".to_owned());
    }
    if !bytes
        .iter()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
    {
        return Err("a project name has only letters, digits, `-`, `_` and `.`".to_owned());
    }
    if !bytes[0].is_ascii_alphanumeric() || !bytes[bytes.len() - 1].is_ascii_alphanumeric() {
        return Err("a project name starts and ends with a letter or digit".to_owned());
    }
    Ok(())
}

/// What kind of distribution a file is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum DistKind {
    /// A source distribution (`.tar.gz`, `.zip`).
    Sdist,
    /// A wheel; `pure` for `*-none-any.whl`.
    Wheel {
        /// Pure Python, any platform.
        pure: bool,
    },
}

/// One file of a project on the index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DistFile {
    /// The file name (`demo-1.0.tar.gz`).
    pub filename: String,
    /// Where to download it.
    pub url: Url,
    /// The sha256 the index gives, lower-case hex.
    pub sha256: Option<String>,
    /// Size in bytes, when the index says.
    pub size: Option<u64>,
    /// Yanked (PEP 592).
    pub yanked: bool,
    /// Upload time (PEP 700), as the index wrote it.
    pub upload_time: Option<String>,
    /// The version in the file name.
    pub version: String,
    /// Sdist or wheel.
    pub kind: DistKind,
}

/// A project's files, as the simple API lists them.
#[derive(Debug, Clone)]
pub struct Project {
    /// The normalised name.
    pub name: String,
    /// Every sdist and wheel (other files are left out).
    pub files: Vec<DistFile>,
    /// The latest release according to the JSON API, when the index has one.
    pub latest: Option<String>,
}

impl Project {
    /// The distinct versions with at least one file, lowest first.
    pub fn versions(&self) -> Vec<String> {
        let mut versions: Vec<(Option<Pep440>, &str)> = self
            .files
            .iter()
            .map(|f| (Pep440::parse(&f.version), f.version.as_str()))
            .collect();
        versions.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.cmp(b.1)));
        versions.dedup_by(|a, b| match (&a.0, &b.0) {
            (Some(x), Some(y)) => x == y,
            _ => a.1 == b.1,
        });
        versions.into_iter().map(|(_, v)| v.to_owned()).collect()
    }

    /// The files of `version` (PEP 440 equality: `1.0` is `1.0.0`).
    pub fn files_of(&self, version: &str) -> Vec<&DistFile> {
        let wanted = Pep440::parse(version);
        self.files
            .iter()
            .filter(|f| match (&wanted, Pep440::parse(&f.version)) {
                (Some(w), Some(v)) => *w == v,
                _ => f.version == version,
            })
            .collect()
    }

    /// The release pip would pick for an unpinned requirement: the JSON
    /// API's latest, else the highest final release with a file that is not
    /// yanked (pre-releases only when there is nothing else).
    pub fn latest_version(&self) -> Option<String> {
        if let Some(latest) = &self.latest
            && !self.files_of(latest).is_empty()
        {
            return Some(latest.clone());
        }
        let mut candidates: Vec<(Pep440, &str)> = self
            .files
            .iter()
            .filter(|f| !f.yanked)
            .filter_map(|f| Some((Pep440::parse(&f.version)?, f.version.as_str())))
            .collect();
        candidates.sort_by(|a, b| a.0.cmp(&b.0));
        candidates
            .iter()
            .rev()
            .find(|(v, _)| !v.is_prerelease())
            .or_else(|| candidates.last())
            .map(|(_, text)| (*text).to_owned())
    }
}

/// A release picked for analysis: which files to download.
#[derive(Debug, Clone)]
pub struct PypiRelease {
    /// The normalised project name.
    pub name: String,
    /// The version as the index's files spell it.
    pub version: String,
    /// The files to analyse: the sdist, then one wheel (see the module docs).
    pub files: Vec<DistFile>,
    /// Every file of the release (for lockfile hash checks).
    pub all_files: Vec<DistFile>,
}

/// A blocking client of one Python package index.
#[derive(Debug)]
pub struct PypiClient {
    config: PipConfig,
    options: ClientOptions,
    http: Http,
    cache: Option<Cache>,
}

#[derive(Deserialize)]
struct SimpleJson {
    #[serde(default)]
    files: Vec<SimpleJsonFile>,
}

#[derive(Deserialize)]
struct SimpleJsonFile {
    filename: String,
    url: String,
    #[serde(default)]
    hashes: std::collections::BTreeMap<String, String>,
    #[serde(default)]
    yanked: Option<serde_json::Value>,
    #[serde(default)]
    size: Option<u64>,
    #[serde(default, rename = "upload-time")]
    upload_time: Option<String>,
}

#[derive(Deserialize)]
struct ProjectJson {
    info: ProjectInfo,
}

#[derive(Deserialize)]
struct ProjectInfo {
    version: String,
}

impl PypiClient {
    /// A client with default limits.
    ///
    /// # Errors
    /// [`Error::HttpClient`] when the TLS backend cannot be set up.
    pub fn new(config: PipConfig) -> Result<Self, Error> {
        Self::with_options(config, ClientOptions::default())
    }

    /// A client with the given limits and timeouts (the tarball limit bounds
    /// each distribution file, the packument limit each index page).
    ///
    /// # Errors
    /// [`Error::HttpClient`] when the TLS backend cannot be set up.
    pub fn with_options(config: PipConfig, options: ClientOptions) -> Result<Self, Error> {
        let http = Http::new(&options)?;
        Ok(Self {
            config,
            options,
            http,
            cache: None,
        })
    }

    /// Uses `cache` for index pages and files (see [`Cache`]).
    #[must_use]
    pub fn with_cache(mut self, cache: Cache) -> Self {
        self.cache = Some(cache);
        self
    }

    /// The configuration in use.
    pub fn config(&self) -> &PipConfig {
        &self.config
    }

    /// Credentials written in the index URL, as HTTP Basic; only for URLs
    /// on the index's own host and port.
    fn auth_for(&self, url: &Url) -> Option<HeaderValue> {
        let index = self.config.simple_url();
        if index.username().is_empty()
            || url.host_str() != index.host_str()
            || url.port_or_known_default() != index.port_or_known_default()
        {
            return None;
        }
        let user = percent_decode(index.username());
        let password = index.password().map(percent_decode).unwrap_or_default();
        let token = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"));
        let mut value = HeaderValue::from_str(&format!("Basic {token}")).ok()?;
        value.set_sensitive(true);
        Some(value)
    }

    fn get_page(&self, package: &str, url: &Url, accept: &'static str) -> Result<Vec<u8>, Error> {
        let auth = self.auth_for(url);
        let limit = self.options.max_packument_bytes;
        let result = match &self.cache {
            Some(cache) => self
                .http
                .get_cached(cache, package, url, accept, limit, auth.as_ref()),
            None => self.http.get(
                package,
                url,
                HeaderValue::from_static(accept),
                limit,
                auth.as_ref(),
            ),
        };
        result.map_err(|e| pip_wording(e, auth.is_some()))
    }

    /// The project page URL: `{simple}/{normalised name}/`.
    ///
    /// # Errors
    /// [`Error::InvalidSpec`] for an invalid project name.
    pub fn project_url(&self, name: &str) -> Result<Url, Error> {
        validate_project_name(name).map_err(|reason| Error::InvalidSpec {
            spec: name.to_owned(),
            reason,
        })?;
        let mut url = self.config.simple_url().clone();
        let path = format!(
            "{}/{}/",
            url.path().trim_end_matches('/'),
            normalize_name(name)
        );
        url.set_path(&path);
        Ok(url)
    }

    /// The project's files from the simple API, and its latest release from
    /// the JSON API when the index has one (a JSON API that fails is ignored).
    ///
    /// # Errors
    /// HTTP and size errors; [`Error::InvalidIndexPage`] for a page that is
    /// neither PEP 691 JSON nor PEP 503 HTML.
    pub fn project(&self, name: &str) -> Result<Project, Error> {
        let url = self.project_url(name)?;
        let normalized = normalize_name(name);
        let body = self.get_page(&normalized, &url, ACCEPT_SIMPLE)?;
        let files = parse_project_page(&normalized, &url, &body)?;
        let latest = self.json_latest(&normalized);
        Ok(Project {
            name: normalized,
            files,
            latest,
        })
    }

    fn json_latest(&self, name: &str) -> Option<String> {
        let mut url = self.config.json_api_url()?.clone();
        let path = format!("{}/{name}/json", url.path().trim_end_matches('/'));
        url.set_path(&path);
        let body = self.get_page(name, &url, "application/json").ok()?;
        serde_json::from_slice::<ProjectJson>(&body)
            .ok()
            .map(|p| p.info.version)
    }

    /// Picks `version` (or, when `None`, the latest release) and the files
    /// to analyse.
    ///
    /// # Errors
    /// Project errors, [`Error::NoMatchingVersion`], [`Error::NoDistribution`].
    pub fn resolve(&self, name: &str, version: Option<&str>) -> Result<PypiRelease, Error> {
        let project = self.project(name)?;
        release_of(&project, version)
    }

    /// Downloads `file` and checks it against its sha256; the bytes only
    /// when they verify. Served from the cache when it holds them.
    ///
    /// # Errors
    /// HTTP and size errors, [`Error::InvalidIndexPage`] when the index gave
    /// no sha256, [`Error::HashMismatch`].
    pub fn fetch(&self, package: &str, file: &DistFile) -> Result<Vec<u8>, Error> {
        let sha256 = file
            .sha256
            .as_deref()
            .ok_or_else(|| Error::InvalidIndexPage {
                package: package.to_owned(),
                url: redact_url(&file.url),
                reason: format!("no sha256 for `{}`: it cannot be verified", file.filename),
            })?;
        let integrity = sha256_integrity(sha256).ok_or_else(|| Error::InvalidIndexPage {
            package: package.to_owned(),
            url: redact_url(&file.url),
            reason: format!("the sha256 of `{}` is not 64 hex digits", file.filename),
        })?;
        let limit = self.options.max_tarball_bytes;
        if let Some(cache) = &self.cache {
            if let Some(bytes) = cache.read_tarball(&integrity, limit) {
                return Ok(bytes);
            }
            if cache.is_offline() {
                return Err(Error::Offline {
                    package: format!("{package} ({})", file.filename),
                    what: "file",
                });
            }
            cache.count_request();
            cache.count_tarball_downloaded();
        }
        let auth = self.auth_for(&file.url);
        let bytes = self
            .http
            .get(
                package,
                &file.url,
                HeaderValue::from_static("application/octet-stream, */*"),
                limit,
                auth.as_ref(),
            )
            .map_err(|e| pip_wording(e, auth.is_some()))?;
        let actual = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(&bytes));
        if !actual.eq_ignore_ascii_case(sha256) {
            return Err(Error::HashMismatch {
                package: package.to_owned(),
                file: file.filename.clone(),
                expected: sha256.to_ascii_lowercase(),
                actual,
            });
        }
        if let Some(cache) = &self.cache {
            cache.write_tarball(&integrity, &bytes);
        }
        Ok(bytes)
    }
}

/// The release `version` asks for (the latest when `None`) and its files.
///
/// # Errors
/// [`Error::NoMatchingVersion`], [`Error::NoDistribution`].
pub fn release_of(project: &Project, version: Option<&str>) -> Result<PypiRelease, Error> {
    let version = match version {
        Some(v) => v.to_owned(),
        None => project
            .latest_version()
            .ok_or_else(|| Error::NoDistribution {
                package: project.name.clone(),
                version: "latest".to_owned(),
                reason: ": the project lists no release".to_owned(),
            })?,
    };
    let all: Vec<DistFile> = project.files_of(&version).into_iter().cloned().collect();
    if all.is_empty() {
        return Err(Error::NoMatchingVersion {
            package: project.name.clone(),
            req: format!("=={version}"),
        });
    }
    let files = pick_files(&all);
    if files.is_empty() {
        return Err(Error::NoDistribution {
            package: project.name.clone(),
            version: version.clone(),
            reason: String::new(),
        });
    }
    Ok(PypiRelease {
        name: project.name.clone(),
        version: all
            .first()
            .map_or_else(|| version.clone(), |f| f.version.clone()),
        files,
        all_files: all,
    })
}

/// The sdist, then one wheel (pure first, else the smallest); yanked files
/// only when nothing else is there.
pub fn pick_files(all: &[DistFile]) -> Vec<DistFile> {
    let live: Vec<&DistFile> = all.iter().filter(|f| !f.yanked).collect();
    let pool: Vec<&DistFile> = if live.is_empty() {
        all.iter().collect()
    } else {
        live
    };
    let mut picked = Vec::new();
    if let Some(sdist) = pool
        .iter()
        .filter(|f| f.kind == DistKind::Sdist)
        .min_by_key(|f| !f.filename.ends_with(".tar.gz"))
    {
        picked.push((*sdist).clone());
    }
    let wheel = pool
        .iter()
        .filter(|f| matches!(f.kind, DistKind::Wheel { .. }))
        .min_by_key(|f| {
            (
                !matches!(f.kind, DistKind::Wheel { pure: true }),
                f.size.unwrap_or(u64::MAX),
            )
        });
    if let Some(wheel) = wheel {
        picked.push((*wheel).clone());
    }
    picked
}

/// The `Integrity` of a hex sha256, for the content-addressed cache.
fn sha256_integrity(hex_digest: &str) -> Option<Integrity> {
    let digest = hex::decode(hex_digest.trim()).ok()?;
    if digest.len() != 32 {
        return None;
    }
    Integrity::parse(&format!(
        "sha256-{}",
        base64::engine::general_purpose::STANDARD.encode(digest)
    ))
}

/// Errors worded for pip users (the HTTP layer speaks of `.npmrc`).
fn pip_wording(error: Error, credentials_sent: bool) -> Error {
    match error {
        Error::Unauthorized {
            package,
            url,
            status,
            ..
        } => Error::IndexRefused {
            package,
            url,
            status,
            credentials_sent,
        },
        other => other,
    }
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(byte) = text
                .get(i + 1..i + 3)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            out.push(byte);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The version a wheel or sdist file name carries, and its kind; `None` for
/// other files (eggs, installers).
pub fn parse_filename(project: &str, filename: &str) -> Option<(String, DistKind)> {
    if let Some(stem) = filename.strip_suffix(".whl") {
        let parts: Vec<&str> = stem.split('-').collect();
        if parts.len() < 5 || parts.len() > 6 {
            return None;
        }
        let pure = parts[parts.len() - 2] == "none" && parts[parts.len() - 1] == "any";
        return Some((parts[1].to_owned(), DistKind::Wheel { pure }));
    }
    let stem = [".tar.gz", ".zip", ".tar.bz2", ".tgz"]
        .iter()
        .find_map(|ext| filename.strip_suffix(ext))?;
    let wanted = normalize_name(project);
    // `name-version`, the name spelled as its project does (or normalised).
    for (i, _) in stem.match_indices('-') {
        if normalize_name(&stem[..i]) == wanted {
            let version = &stem[i + 1..];
            return (!version.is_empty()).then(|| (version.to_owned(), DistKind::Sdist));
        }
    }
    None
}

/// Parses a project page: PEP 691 JSON when the body is JSON, else PEP 503 HTML.
///
/// # Errors
/// [`Error::InvalidIndexPage`].
pub fn parse_project_page(name: &str, page: &Url, body: &[u8]) -> Result<Vec<DistFile>, Error> {
    let invalid = |reason: String| Error::InvalidIndexPage {
        package: name.to_owned(),
        url: redact_url(page),
        reason,
    };
    let first = body.iter().find(|b| !b.is_ascii_whitespace());
    let raw: Vec<SimpleJsonFile> = if first == Some(&b'{') {
        serde_json::from_slice::<SimpleJson>(body)
            .map_err(|e| invalid(format!("not PEP 691 JSON: {e}")))?
            .files
    } else {
        let text = String::from_utf8_lossy(body);
        if !text.to_ascii_lowercase().contains("<a") && !text.to_ascii_lowercase().contains("<html")
        {
            return Err(invalid(
                "neither PEP 691 JSON nor a PEP 503 HTML page".to_owned(),
            ));
        }
        parse_html_anchors(&text)
    };
    let mut files = Vec::new();
    for f in raw {
        let Some((version, kind)) = parse_filename(name, &f.filename) else {
            continue;
        };
        let Ok(url) = page.join(&f.url) else {
            continue;
        };
        if !matches!(url.scheme(), "http" | "https") {
            continue;
        }
        let yanked = match &f.yanked {
            None | Some(serde_json::Value::Null | serde_json::Value::Bool(false)) => false,
            Some(_) => true,
        };
        files.push(DistFile {
            filename: f.filename,
            url,
            sha256: f
                .hashes
                .get("sha256")
                .filter(|h| h.len() == 64 && h.bytes().all(|b| b.is_ascii_hexdigit()))
                .map(|h| h.to_ascii_lowercase()),
            size: f.size,
            yanked,
            upload_time: f.upload_time,
            version,
            kind,
        });
    }
    Ok(files)
}

/// The `<a href="…#sha256=…" data-yanked>name</a>` links of a PEP 503 page.
fn parse_html_anchors(text: &str) -> Vec<SimpleJsonFile> {
    let lower = text.to_ascii_lowercase();
    let mut out = Vec::new();
    let mut at = 0;
    while let Some(start) = lower[at..].find("<a").map(|i| i + at) {
        let Some(tag_end) = lower[start..].find('>').map(|i| i + start) else {
            break;
        };
        let close = lower[tag_end..]
            .find("</a")
            .map_or(text.len(), |i| i + tag_end);
        let tag = &text[start..tag_end];
        let label = unescape(text[tag_end + 1..close].trim());
        at = close.max(tag_end + 1);
        let Some(href) = attribute(tag, "href") else {
            continue;
        };
        let href = unescape(&href);
        let (url, fragment) = href.split_once('#').unwrap_or((href.as_str(), ""));
        let mut hashes = std::collections::BTreeMap::new();
        if let Some(("sha256", digest)) = fragment.split_once('=') {
            hashes.insert("sha256".to_owned(), digest.to_owned());
        }
        let filename = if label.is_empty() {
            url.rsplit('/').next().unwrap_or_default().to_owned()
        } else {
            label
        };
        out.push(SimpleJsonFile {
            filename,
            url: url.to_owned(),
            hashes,
            yanked: attribute(tag, "data-yanked").map(serde_json::Value::String),
            size: None,
            upload_time: None,
        });
    }
    out
}

/// An attribute's value in a start tag (`name="v"`, `name='v'`, `name=v`,
/// or a bare `name`, which gives an empty value).
fn attribute(tag: &str, name: &str) -> Option<String> {
    let lower = tag.to_ascii_lowercase();
    let mut from = 0;
    while let Some(i) = lower[from..].find(name).map(|i| i + from) {
        from = i + name.len();
        let before = lower[..i].chars().last();
        if !before.is_some_and(char::is_whitespace) {
            continue;
        }
        let rest = tag[from..].trim_start();
        let Some(value) = rest.strip_prefix('=') else {
            if rest.is_empty() || rest.starts_with(char::is_whitespace) || rest.starts_with('/') {
                return Some(String::new());
            }
            continue;
        };
        let value = value.trim_start();
        return Some(match value.chars().next() {
            Some(q @ ('"' | '\'')) => value[1..].split(q).next().unwrap_or_default().to_owned(),
            _ => value
                .split(|c: char| c.is_whitespace() || c == '>')
                .next()
                .unwrap_or_default()
                .to_owned(),
        });
    }
    None
}

fn unescape(text: &str) -> String {
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

#[cfg(test)]
mod tests {
    #![expect(clippy::unwrap_used, reason = "tests")]

    use super::*;

    #[test]
    fn names_normalise() {
        assert_eq!(normalize_name("Foo.Bar__baz"), "foo-bar-baz");
        assert_eq!(normalize_name("requests"), "requests");
        assert!(validate_project_name("a").is_ok());
        assert!(validate_project_name("-a").is_err());
        assert!(validate_project_name("a/b").is_err());
        assert!(validate_project_name("../x").is_err());
    }

    #[test]
    fn file_names() {
        assert_eq!(
            parse_filename("demo-pkg", "demo_pkg-1.0.2-py3-none-any.whl"),
            Some(("1.0.2".into(), DistKind::Wheel { pure: true }))
        );
        assert_eq!(
            parse_filename("demo", "demo-2.0-cp312-cp312-manylinux_2_17_x86_64.whl"),
            Some(("2.0".into(), DistKind::Wheel { pure: false }))
        );
        assert_eq!(
            parse_filename("Demo.Pkg", "Demo.Pkg-1.0rc1.tar.gz"),
            Some(("1.0rc1".into(), DistKind::Sdist))
        );
        assert_eq!(
            parse_filename("demo-pkg", "demo_pkg-0.1.zip"),
            Some(("0.1".into(), DistKind::Sdist))
        );
        assert_eq!(parse_filename("demo", "demo-1.0-py2.7.egg"), None);
        assert_eq!(parse_filename("demo", "other-1.0.tar.gz"), None);
    }

    #[test]
    fn html_pages() {
        let page = Url::parse("http://127.0.0.1:1/simple/demo/").unwrap();
        let html = r#"<!DOCTYPE html><html><body>
            <a href="../../files/demo-1.0.tar.gz#sha256=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA">demo-1.0.tar.gz</a><br/>
            <a data-yanked="broken" href='/files/demo-1.1-py3-none-any.whl#sha256=bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb'>demo-1.1-py3-none-any.whl</a>
            <a href="demo-1.2.tar.gz">demo-1.2.tar.gz</a>
            </body></html>"#;
        let files = parse_project_page("demo", &page, html.as_bytes()).unwrap();
        assert_eq!(files.len(), 3);
        assert_eq!(
            files[0].url.as_str(),
            "http://127.0.0.1:1/files/demo-1.0.tar.gz"
        );
        assert_eq!(files[0].sha256.as_deref(), Some(&"a".repeat(64)[..]));
        assert!(!files[0].yanked);
        assert!(files[1].yanked);
        assert_eq!(files[1].kind, DistKind::Wheel { pure: true });
        assert_eq!(
            files[2].url.as_str(),
            "http://127.0.0.1:1/simple/demo/demo-1.2.tar.gz"
        );
        assert_eq!(files[2].sha256, None);
        let error = parse_project_page("demo", &page, b"plain text").unwrap_err();
        assert!(error.to_string().contains("neither"), "{error}");
    }

    fn file(name: &str, size: u64, yanked: bool) -> DistFile {
        let (version, kind) = parse_filename("demo", name).unwrap();
        DistFile {
            filename: name.into(),
            url: Url::parse(&format!("http://127.0.0.1:1/{name}")).unwrap(),
            sha256: None,
            size: Some(size),
            yanked,
            upload_time: None,
            version,
            kind,
        }
    }

    #[test]
    fn picks_sdist_and_one_wheel() {
        let all = [
            file("demo-1.0-cp312-cp312-manylinux_2_17_x86_64.whl", 10, false),
            file("demo-1.0-py3-none-any.whl", 50, false),
            file("demo-1.0.tar.gz", 100, false),
        ];
        let picked: Vec<String> = pick_files(&all).into_iter().map(|f| f.filename).collect();
        assert_eq!(picked, ["demo-1.0.tar.gz", "demo-1.0-py3-none-any.whl"]);
        let platform = [
            file("demo-1.0-cp312-cp312-win_amd64.whl", 30, false),
            file("demo-1.0-cp312-cp312-manylinux_2_17_x86_64.whl", 10, false),
        ];
        let picked: Vec<String> = pick_files(&platform)
            .into_iter()
            .map(|f| f.filename)
            .collect();
        assert_eq!(picked, ["demo-1.0-cp312-cp312-manylinux_2_17_x86_64.whl"]);
        let yanked = [
            file("demo-1.0.tar.gz", 1, true),
            file("demo-1.0.zip", 1, false),
        ];
        assert_eq!(pick_files(&yanked)[0].filename, "demo-1.0.zip");
    }

    #[test]
    fn latest_skips_prereleases_and_yanked() {
        let project = Project {
            name: "demo".into(),
            files: vec![
                file("demo-1.0.tar.gz", 1, false),
                file("demo-1.10.tar.gz", 1, false),
                file("demo-1.9.tar.gz", 1, false),
                file("demo-2.0b1.tar.gz", 1, false),
                file("demo-1.11.tar.gz", 1, true),
            ],
            latest: None,
        };
        assert_eq!(project.latest_version().as_deref(), Some("1.10"));
        assert_eq!(project.versions(), ["1.0", "1.9", "1.10", "1.11", "2.0b1"]);
        assert_eq!(project.files_of("1.10.0").len(), 1);
        let with_api = Project {
            latest: Some("1.9".into()),
            ..project
        };
        assert_eq!(with_api.latest_version().as_deref(), Some("1.9"));
        assert!(matches!(
            release_of(&with_api, Some("3.0")),
            Err(Error::NoMatchingVersion { .. })
        ));
    }
}
