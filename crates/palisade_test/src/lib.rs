//! Test support: an in-process mock npm registry on `127.0.0.1` and fixture builders.
//!
//! ```no_run
//! use palisade_test::MockRegistry;
//!
//! let registry = MockRegistry::start();
//! registry.publish("left-pad", "1.0.0", &[("index.js", b"module.exports = 1;")]);
//! println!("registry at {}", registry.url());
//! ```

#![expect(
    clippy::unwrap_used,
    reason = "test support: a broken fixture should fail the test loudly"
)]

pub mod pypi;

use std::collections::BTreeMap;
use std::io::Write as _;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::JoinHandle;

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use serde_json::{Map, Value, json};
use sha1::Digest as _;

/// Builds a gzip-compressed tarball whose entries sit under `package/`, as `npm pack` does.
pub fn tarball(files: &[(&str, &[u8])]) -> Vec<u8> {
    let encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    let mut builder = tar::Builder::new(encoder);
    for (path, contents) in files {
        let mut header = tar::Header::new_gnu();
        header.set_size(contents.len() as u64);
        header.set_mode(0o644);
        header.set_mtime(499_162_500);
        header.set_entry_type(tar::EntryType::Regular);
        builder
            .append_data(&mut header, format!("package/{path}"), *contents)
            .unwrap();
    }
    let mut encoder = builder.into_inner().unwrap();
    encoder.flush().unwrap();
    encoder.finish().unwrap()
}

/// `sha512-<base64>`: the subresource-integrity string npm records in `dist.integrity`.
pub fn sri_sha512(bytes: &[u8]) -> String {
    let digest = sha2::Sha512::digest(bytes);
    format!(
        "sha512-{}",
        base64::engine::general_purpose::STANDARD.encode(digest)
    )
}

/// Lower-case hex SHA-1: what npm records in `dist.shasum`.
pub fn shasum_hex(bytes: &[u8]) -> String {
    hex::encode(sha1::Sha1::digest(bytes))
}

/// One request the mock registry received.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordedRequest {
    /// The request path as sent, still percent-encoded (e.g. `/@scope%2fname`).
    pub path: String,
    /// The `Authorization` header, if any (tests only use fake credentials).
    pub authorization: Option<String>,
    /// The `Accept` header, if any.
    pub accept: Option<String>,
    /// The `If-None-Match` header, if any (a cache revalidating).
    pub if_none_match: Option<String>,
}

/// What [`PublishBuilder::publish`] recorded for a version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Published {
    /// Absolute URL of the tarball on the mock.
    pub tarball_url: String,
    /// `dist.integrity` (sha512 SRI) of the tarball bytes.
    pub integrity: String,
    /// `dist.shasum` (sha1 hex) of the tarball bytes.
    pub shasum: String,
}

#[derive(Debug, Default)]
struct MockPackage {
    /// version → version manifest (the packument's `versions` entry).
    versions: BTreeMap<String, Value>,
    dist_tags: BTreeMap<String, String>,
    time: BTreeMap<String, String>,
    maintainers: Vec<Value>,
    extra: Map<String, Value>,
}

#[derive(Debug, Default)]
struct State {
    packages: BTreeMap<String, MockPackage>,
    /// Decoded tarball path (`name/-/file.tgz`) → bytes served.
    tarballs: BTreeMap<String, Vec<u8>>,
    requests: Vec<RecordedRequest>,
    /// When set, requests without exactly this `Authorization` get HTTP 401.
    required_authorization: Option<String>,
    /// Packuments are served without an `ETag` (so never `304`).
    no_etags: bool,
}

type Shared = Arc<Mutex<State>>;

fn lock(state: &Shared) -> MutexGuard<'_, State> {
    // A panicking test thread must not hide the state from the others.
    state
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// A mock npm registry serving packuments and tarballs on `127.0.0.1` (random port).
///
/// The server runs on its own thread with its own tokio runtime, so blocking
/// clients can be used from the test thread. It stops when dropped.
#[derive(Debug)]
pub struct MockRegistry {
    addr: SocketAddr,
    state: Shared,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl MockRegistry {
    /// Starts the registry on `127.0.0.1:0`.
    pub fn start() -> Self {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let addr = listener.local_addr().unwrap();
        let state: Shared = Arc::default();
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let app_state = Arc::clone(&state);
        let thread = std::thread::Builder::new()
            .name(format!("mock-registry-{}", addr.port()))
            .spawn(move || {
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .unwrap();
                runtime.block_on(async move {
                    let listener = tokio::net::TcpListener::from_std(listener).unwrap();
                    let app = Router::new().fallback(move |method, uri, headers| {
                        let state = Arc::clone(&app_state);
                        async move { handle(&state, &method, &uri, &headers) }
                    });
                    tokio::select! {
                        result = axum::serve(listener, app) => result.unwrap(),
                        _ = rx => {}
                    }
                });
                // Dropping the runtime here cancels open connections.
            })
            .unwrap();
        Self {
            addr,
            state,
            shutdown: Some(tx),
            thread: Some(thread),
        }
    }

    /// The registry URL, with a trailing slash: `http://127.0.0.1:PORT/`.
    pub fn url(&self) -> String {
        format!("http://{}/", self.addr)
    }

    /// The socket address the registry listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Publishes `name@version` with the given files (paths relative to `package/`).
    /// A `package.json` is generated unless `files` holds one. Tags it `latest`.
    pub fn publish(&self, name: &str, version: &str, files: &[(&str, &[u8])]) -> Published {
        self.package(name, version).files(files).publish()
    }

    /// Publishes prebuilt tarball bytes as `name@version`. Tags it `latest`.
    pub fn publish_tarball(&self, name: &str, version: &str, bytes: &[u8]) -> Published {
        self.package(name, version)
            .tarball(bytes.to_vec())
            .publish()
    }

    /// Starts a publication with extras (time, maintainers, tags, scripts...).
    pub fn package(&self, name: &str, version: &str) -> PublishBuilder<'_> {
        PublishBuilder {
            registry: self,
            name: name.to_owned(),
            version: version.to_owned(),
            files: Vec::new(),
            tarball: None,
            tag: Some("latest".to_owned()),
            time: None,
            maintainers: Vec::new(),
            npm_user: None,
            scripts: BTreeMap::new(),
            repository: None,
            deprecated: None,
            manifest_extra: Map::new(),
        }
    }

    /// Serves different bytes for `name@version` than its recorded integrity and shasum.
    pub fn corrupt_tarball(&self, name: &str, version: &str) {
        let mut state = lock(&self.state);
        let key = tarball_key(name, version);
        let bytes = state
            .tarballs
            .get_mut(&key)
            .unwrap_or_else(|| panic!("`{name}@{version}` was not published"));
        bytes.extend_from_slice(b"tampered");
    }

    /// Points dist-tag `tag` of `name` at `version`.
    pub fn set_dist_tag(&self, name: &str, tag: &str, version: &str) {
        let mut state = lock(&self.state);
        state
            .packages
            .entry(name.to_owned())
            .or_default()
            .dist_tags
            .insert(tag.to_owned(), version.to_owned());
    }

    /// Removes dist-tag `tag` of `name`.
    pub fn remove_dist_tag(&self, name: &str, tag: &str) {
        let mut state = lock(&self.state);
        if let Some(package) = state.packages.get_mut(name) {
            package.dist_tags.remove(tag);
        }
    }

    /// Sets a top-level packument field of `name` (e.g. `repository`, `readme`).
    pub fn set_packument_field(&self, name: &str, key: &str, value: Value) {
        let mut state = lock(&self.state);
        state
            .packages
            .entry(name.to_owned())
            .or_default()
            .extra
            .insert(key.to_owned(), value);
    }

    /// The packument as the registry would serve it now.
    pub fn packument(&self, name: &str) -> Option<Value> {
        let state = lock(&self.state);
        state
            .packages
            .get(name)
            .map(|package| packument_json(name, package))
    }

    /// Answers HTTP 401 to every request whose `Authorization` header is not
    /// exactly `authorization` (e.g. `Bearer fake-token`); `None` lifts it.
    pub fn require_authorization(&self, authorization: Option<&str>) {
        lock(&self.state).required_authorization = authorization.map(str::to_owned);
    }

    /// Every request received so far, in order.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        lock(&self.state).requests.clone()
    }

    /// Forgets the requests received so far.
    pub fn clear_requests(&self) {
        lock(&self.state).requests.clear();
    }

    /// Packuments carry an `ETag` (a hash of the body) by default and a
    /// matching `If-None-Match` gets `304 Not Modified`; `false` turns both off.
    pub fn serve_etags(&self, enabled: bool) {
        lock(&self.state).no_etags = !enabled;
    }
}

impl Drop for MockRegistry {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ignored = tx.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ignored = thread.join();
        }
    }
}

/// A publication in progress; see [`MockRegistry::package`].
#[derive(Debug)]
#[must_use = "call `.publish()` to publish"]
pub struct PublishBuilder<'a> {
    registry: &'a MockRegistry,
    name: String,
    version: String,
    files: Vec<(String, Vec<u8>)>,
    tarball: Option<Vec<u8>>,
    tag: Option<String>,
    time: Option<String>,
    maintainers: Vec<Value>,
    npm_user: Option<Value>,
    scripts: BTreeMap<String, String>,
    repository: Option<Value>,
    deprecated: Option<String>,
    manifest_extra: Map<String, Value>,
}

impl PublishBuilder<'_> {
    /// Adds files (paths relative to `package/`).
    pub fn files(mut self, files: &[(&str, &[u8])]) -> Self {
        self.files.extend(
            files
                .iter()
                .map(|(path, bytes)| ((*path).to_owned(), bytes.to_vec())),
        );
        self
    }

    /// Adds one file (path relative to `package/`).
    pub fn file(mut self, path: &str, contents: &[u8]) -> Self {
        self.files.push((path.to_owned(), contents.to_vec()));
        self
    }

    /// Serves these bytes as the tarball instead of building one from the files.
    pub fn tarball(mut self, bytes: Vec<u8>) -> Self {
        self.tarball = Some(bytes);
        self
    }

    /// Publishes under this dist-tag instead of `latest` (as `npm publish --tag`).
    pub fn tag(mut self, tag: &str) -> Self {
        self.tag = Some(tag.to_owned());
        self
    }

    /// Publishes without moving any dist-tag.
    pub fn no_tag(mut self) -> Self {
        self.tag = None;
        self
    }

    /// The publication time recorded in the packument's `time` (ISO 8601).
    pub fn time(mut self, time: &str) -> Self {
        self.time = Some(time.to_owned());
        self
    }

    /// Adds a maintainer (to the version and the packument).
    pub fn maintainer(mut self, name: &str, email: &str) -> Self {
        self.maintainers
            .push(json!({ "name": name, "email": email }));
        self
    }

    /// Sets `_npmUser`, the account that published this version.
    pub fn npm_user(mut self, name: &str, email: &str) -> Self {
        self.npm_user = Some(json!({ "name": name, "email": email }));
        self
    }

    /// Adds a lifecycle script (also written into the generated `package.json`).
    pub fn script(mut self, name: &str, command: &str) -> Self {
        self.scripts.insert(name.to_owned(), command.to_owned());
        self
    }

    /// Sets `repository` (any JSON: a string or `{ "type", "url" }`).
    pub fn repository(mut self, repository: Value) -> Self {
        self.repository = Some(repository);
        self
    }

    /// Marks the version deprecated with this message.
    pub fn deprecated(mut self, message: &str) -> Self {
        self.deprecated = Some(message.to_owned());
        self
    }

    /// Sets any other field of the version manifest.
    pub fn manifest_field(mut self, key: &str, value: Value) -> Self {
        self.manifest_extra.insert(key.to_owned(), value);
        self
    }

    /// Builds the tarball (unless given), records it and updates the packument.
    pub fn publish(self) -> Published {
        let mut manifest = Map::new();
        manifest.insert("name".into(), json!(self.name));
        manifest.insert("version".into(), json!(self.version));
        if !self.scripts.is_empty() {
            manifest.insert("scripts".into(), json!(self.scripts));
        }
        if let Some(repository) = &self.repository {
            manifest.insert("repository".into(), repository.clone());
        }
        let bytes = match self.tarball {
            Some(bytes) => bytes,
            None => {
                let mut files = self.files;
                if !files.iter().any(|(path, _)| path == "package.json") {
                    let package_json = serde_json::to_vec_pretty(&manifest).unwrap();
                    files.insert(0, ("package.json".to_owned(), package_json));
                }
                let borrowed: Vec<(&str, &[u8])> = files
                    .iter()
                    .map(|(path, bytes)| (path.as_str(), bytes.as_slice()))
                    .collect();
                tarball(&borrowed)
            }
        };
        let integrity = sri_sha512(&bytes);
        let shasum = shasum_hex(&bytes);
        let tarball_url = format!(
            "{}{}",
            self.registry.url(),
            tarball_key(&self.name, &self.version)
        );
        manifest.insert(
            "dist".into(),
            json!({ "tarball": tarball_url, "integrity": integrity, "shasum": shasum }),
        );
        if !self.maintainers.is_empty() {
            manifest.insert("maintainers".into(), json!(self.maintainers));
        }
        if let Some(user) = self.npm_user {
            manifest.insert("_npmUser".into(), user);
        }
        if let Some(message) = self.deprecated {
            manifest.insert("deprecated".into(), json!(message));
        }
        manifest.extend(self.manifest_extra);

        let mut state = lock(&self.registry.state);
        state
            .tarballs
            .insert(tarball_key(&self.name, &self.version), bytes);
        let package = state.packages.entry(self.name.clone()).or_default();
        package
            .versions
            .insert(self.version.clone(), Value::Object(manifest));
        if let Some(tag) = self.tag {
            package.dist_tags.insert(tag, self.version.clone());
        }
        if let Some(time) = self.time {
            package.time.insert(self.version.clone(), time);
        }
        for maintainer in self.maintainers {
            if !package.maintainers.contains(&maintainer) {
                package.maintainers.push(maintainer);
            }
        }
        if let Some(repository) = self.repository {
            package.extra.insert("repository".into(), repository);
        }
        Published {
            tarball_url,
            integrity,
            shasum,
        }
    }
}

/// `name/-/basename-version.tgz`, where `basename` drops the scope.
fn tarball_key(name: &str, version: &str) -> String {
    let basename = name.rsplit('/').next().unwrap_or(name);
    format!("{name}/-/{basename}-{version}.tgz")
}

fn packument_json(name: &str, package: &MockPackage) -> Value {
    let mut packument = Map::new();
    packument.insert("_id".into(), json!(name));
    packument.insert("name".into(), json!(name));
    packument.insert("dist-tags".into(), json!(package.dist_tags));
    packument.insert("versions".into(), json!(package.versions));
    if !package.time.is_empty() {
        packument.insert("time".into(), json!(package.time));
    }
    if !package.maintainers.is_empty() {
        packument.insert("maintainers".into(), json!(package.maintainers));
    }
    for (key, value) in &package.extra {
        packument.insert(key.clone(), value.clone());
    }
    Value::Object(packument)
}

fn percent_decode(path: &str) -> Option<String> {
    let bytes = path.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = path.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

fn not_found() -> Response {
    (
        StatusCode::NOT_FOUND,
        [(header::CONTENT_TYPE, "application/json")],
        r#"{"error":"Not found"}"#,
    )
        .into_response()
}

fn handle(state: &Shared, method: &Method, uri: &Uri, headers: &HeaderMap) -> Response {
    let header_string = |name: header::HeaderName| {
        headers
            .get(name)
            .and_then(|value| value.to_str().ok())
            .map(str::to_owned)
    };
    let mut state = lock(state);
    state.requests.push(RecordedRequest {
        path: uri.path().to_owned(),
        authorization: header_string(header::AUTHORIZATION),
        accept: header_string(header::ACCEPT),
        if_none_match: header_string(header::IF_NONE_MATCH),
    });
    if let Some(required) = &state.required_authorization
        && header_string(header::AUTHORIZATION).as_ref() != Some(required)
    {
        return (
            StatusCode::UNAUTHORIZED,
            [(header::CONTENT_TYPE, "application/json")],
            r#"{"error":"Unauthorized"}"#,
        )
            .into_response();
    }
    if method != Method::GET && method != Method::HEAD {
        return not_found();
    }
    let Some(path) = percent_decode(uri.path().trim_start_matches('/')) else {
        return not_found();
    };
    if path.contains("/-/") {
        return match state.tarballs.get(&path) {
            Some(bytes) => (
                StatusCode::OK,
                [(header::CONTENT_TYPE, "application/octet-stream")],
                Body::from(bytes.clone()),
            )
                .into_response(),
            None => not_found(),
        };
    }
    match state.packages.get(&path) {
        Some(package) => {
            let body = packument_json(&path, package).to_string();
            if state.no_etags {
                return (
                    StatusCode::OK,
                    [(header::CONTENT_TYPE, "application/json")],
                    body,
                )
                    .into_response();
            }
            let etag = format!("\"{}\"", shasum_hex(body.as_bytes()));
            if header_string(header::IF_NONE_MATCH).as_deref() == Some(etag.as_str()) {
                return (StatusCode::NOT_MODIFIED, [(header::ETAG, etag)]).into_response();
            }
            (
                StatusCode::OK,
                [
                    (header::CONTENT_TYPE, "application/json".to_owned()),
                    (header::ETAG, etag),
                ],
                body,
            )
                .into_response()
        }
        None => not_found(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read as _;

    #[test]
    fn tarball_entries_have_package_prefix() {
        let bytes = tarball(&[("index.js", b"1"), ("lib/a.js", b"22")]);
        let mut archive = tar::Archive::new(flate2::read::GzDecoder::new(bytes.as_slice()));
        let mut seen = Vec::new();
        for entry in archive.entries().unwrap() {
            let mut entry = entry.unwrap();
            let path = entry.path().unwrap().display().to_string();
            let mut contents = String::new();
            entry.read_to_string(&mut contents).unwrap();
            seen.push((path, contents));
        }
        assert_eq!(
            seen,
            vec![
                ("package/index.js".to_owned(), "1".to_owned()),
                ("package/lib/a.js".to_owned(), "22".to_owned()),
            ]
        );
    }

    #[test]
    fn digests_match_known_values() {
        assert_eq!(
            shasum_hex(b"abc"),
            "a9993e364706816aba3e25717850c26c9cd0d89d"
        );
        assert!(sri_sha512(b"abc").starts_with("sha512-3a81oZNherrMQXNJriBBMRLm"));
    }

    #[test]
    fn publish_records_dist_and_tags() {
        let registry = MockRegistry::start();
        let published = registry.publish("@scope/pkg", "1.2.3", &[("index.js", b"1")]);
        assert_eq!(
            published.tarball_url,
            format!("{}@scope/pkg/-/pkg-1.2.3.tgz", registry.url())
        );
        let packument = registry.packument("@scope/pkg").unwrap();
        assert_eq!(packument["dist-tags"]["latest"], "1.2.3");
        assert_eq!(
            packument["versions"]["1.2.3"]["dist"]["integrity"],
            published.integrity.as_str()
        );
    }

    #[test]
    fn percent_decoding() {
        assert_eq!(percent_decode("@a%2fb").as_deref(), Some("@a/b"));
        assert_eq!(percent_decode("@a%2Fb").as_deref(), Some("@a/b"));
        assert_eq!(percent_decode("bad%2"), None);
    }
}
