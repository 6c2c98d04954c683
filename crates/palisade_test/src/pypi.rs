//! A mock Python package index on `127.0.0.1`: the simple API (PEP 691 JSON
//! and PEP 503 HTML, chosen by `Accept`), the JSON API
//! (`/pypi/<name>/json`) and the files.
//!
//! ```no_run
//! use palisade_test::pypi::{MockIndex, sdist};
//!
//! let index = MockIndex::start();
//! index.publish("demo", "1.0", sdist("demo", "1.0", &[("demo/__init__.py", b"x = 1\n")]));
//! println!("index at {}", index.simple_url());
//! ```

use std::collections::BTreeMap;
use std::io::Write as _;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::JoinHandle;

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;
use sha2::Digest as _;

/// An sdist: a gzip-compressed tar whose entries sit under `name-version/`,
/// with a `PKG-INFO` unless `files` has one.
pub fn sdist(name: &str, version: &str, files: &[(&str, &[u8])]) -> Vec<u8> {
    let top = format!("{}-{version}", name.replace('-', "_"));
    let pkg_info = format!("Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n");
    let encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    let mut builder = tar::Builder::new(encoder);
    let mut entries: Vec<(&str, &[u8])> = files.to_vec();
    if !files.iter().any(|(p, _)| *p == "PKG-INFO") {
        entries.push(("PKG-INFO", pkg_info.as_bytes()));
    }
    for (path, contents) in entries {
        let mut header = tar::Header::new_gnu();
        header.set_size(contents.len() as u64);
        header.set_mode(0o644);
        header.set_mtime(499_162_500);
        header.set_entry_type(tar::EntryType::Regular);
        builder
            .append_data(&mut header, format!("{top}/{path}"), contents)
            .unwrap();
    }
    let mut encoder = builder.into_inner().unwrap();
    encoder.flush().unwrap();
    encoder.finish().unwrap()
}

/// A wheel: a zip with the files at its root and a `.dist-info/METADATA`.
pub fn wheel(name: &str, version: &str, files: &[(&str, &[u8])]) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    let dist_info = format!("{}-{version}.dist-info", name.replace('-', "_"));
    let metadata = format!("Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n");
    let mut entries: Vec<(String, &[u8])> =
        files.iter().map(|(p, c)| ((*p).to_owned(), *c)).collect();
    entries.push((format!("{dist_info}/METADATA"), metadata.as_bytes()));
    for (path, contents) in entries {
        zip.start_file(path, options).unwrap();
        zip.write_all(contents).unwrap();
    }
    zip.finish().unwrap().into_inner()
}

/// Lower-case hex SHA-256: what the index records for each file.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(sha2::Sha256::digest(bytes))
}

#[derive(Debug, Clone)]
struct MockFile {
    filename: String,
    sha256: String,
    yanked: bool,
}

#[derive(Debug, Default)]
struct State {
    /// Normalised name → files, in publication order.
    projects: BTreeMap<String, Vec<MockFile>>,
    /// File name → bytes served.
    blobs: BTreeMap<String, Vec<u8>>,
    /// Request paths, in order.
    requests: Vec<String>,
    json_api: bool,
    html_only: bool,
}

type Shared = Arc<Mutex<State>>;

fn lock(state: &Shared) -> MutexGuard<'_, State> {
    state
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

fn normalize(name: &str) -> String {
    let mut out = String::new();
    let mut dash = false;
    for c in name.chars() {
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

/// A mock Python package index on `127.0.0.1` (random port). Stops when dropped.
#[derive(Debug)]
pub struct MockIndex {
    addr: SocketAddr,
    state: Shared,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl MockIndex {
    /// Starts the index, with its JSON API on.
    pub fn start() -> Self {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let addr = listener.local_addr().unwrap();
        let state: Shared = Arc::default();
        lock(&state).json_api = true;
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let app_state = Arc::clone(&state);
        let thread = std::thread::Builder::new()
            .name(format!("mock-index-{}", addr.port()))
            .spawn(move || {
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .unwrap();
                runtime.block_on(async move {
                    let listener = tokio::net::TcpListener::from_std(listener).unwrap();
                    let app = Router::new().fallback(move |uri, headers| {
                        let state = Arc::clone(&app_state);
                        async move { handle(&state, &uri, &headers) }
                    });
                    tokio::select! {
                        result = axum::serve(listener, app) => result.unwrap(),
                        _ = rx => {}
                    }
                });
            })
            .unwrap();
        Self {
            addr,
            state,
            shutdown: Some(tx),
            thread: Some(thread),
        }
    }

    /// The simple API base, as pip's `index-url`: `http://127.0.0.1:PORT/simple`.
    pub fn simple_url(&self) -> String {
        format!("http://{}/simple", self.addr)
    }

    /// Publishes a file of `name` (an sdist or a wheel, by `filename`):
    /// returns its sha256.
    pub fn publish_file(&self, name: &str, filename: &str, bytes: Vec<u8>) -> String {
        let sha256 = sha256_hex(&bytes);
        let mut state = lock(&self.state);
        state.blobs.insert(filename.to_owned(), bytes);
        state
            .projects
            .entry(normalize(name))
            .or_default()
            .push(MockFile {
                filename: filename.to_owned(),
                sha256: sha256.clone(),
                yanked: false,
            });
        sha256
    }

    /// Publishes an sdist `name-version.tar.gz`; returns its sha256.
    pub fn publish(&self, name: &str, version: &str, sdist_bytes: Vec<u8>) -> String {
        let filename = format!("{}-{version}.tar.gz", name.replace('-', "_"));
        self.publish_file(name, &filename, sdist_bytes)
    }

    /// Publishes a pure wheel `name-version-py3-none-any.whl`; returns its sha256.
    pub fn publish_wheel(&self, name: &str, version: &str, wheel_bytes: Vec<u8>) -> String {
        let filename = format!("{}-{version}-py3-none-any.whl", name.replace('-', "_"));
        self.publish_file(name, &filename, wheel_bytes)
    }

    /// Marks a file yanked.
    pub fn yank(&self, filename: &str) {
        let mut state = lock(&self.state);
        for files in state.projects.values_mut() {
            for f in files.iter_mut().filter(|f| f.filename == filename) {
                f.yanked = true;
            }
        }
    }

    /// Serves other bytes for `filename` than its recorded sha256.
    pub fn corrupt(&self, filename: &str) {
        let mut state = lock(&self.state);
        if let Some(bytes) = state.blobs.get_mut(filename) {
            bytes.extend_from_slice(b"tampered");
        }
    }

    /// Turns the JSON API (`/pypi/<name>/json`) on or off (off: 404).
    pub fn json_api(&self, enabled: bool) {
        lock(&self.state).json_api = enabled;
    }

    /// Serves project pages as PEP 503 HTML only, whatever `Accept` says.
    pub fn html_only(&self, enabled: bool) {
        lock(&self.state).html_only = enabled;
    }

    /// Every request path received so far, in order.
    pub fn requests(&self) -> Vec<String> {
        lock(&self.state).requests.clone()
    }
}

impl Drop for MockIndex {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ignored = tx.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ignored = thread.join();
        }
    }
}

fn not_found() -> Response {
    (StatusCode::NOT_FOUND, "not found").into_response()
}

fn file_version(filename: &str) -> String {
    if let Some(stem) = filename.strip_suffix(".whl") {
        return stem.split('-').nth(1).unwrap_or_default().to_owned();
    }
    let stem = filename.strip_suffix(".tar.gz").unwrap_or(filename);
    stem.rsplit('-').next().unwrap_or_default().to_owned()
}

fn handle(state: &Shared, uri: &Uri, headers: &HeaderMap) -> Response {
    let path = uri.path().to_owned();
    let mut st = lock(state);
    st.requests.push(path.clone());
    let parts: Vec<&str> = path.trim_matches('/').split('/').collect();
    match parts.as_slice() {
        ["simple", name] => {
            let Some(files) = st.projects.get(&normalize(name)) else {
                return not_found();
            };
            let accept = headers
                .get(header::ACCEPT)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default();
            if accept.contains("application/vnd.pypi.simple.v1+json") && !st.html_only {
                let list: Vec<_> = files
                    .iter()
                    .map(|f| {
                        json!({
                            "filename": f.filename,
                            "url": format!("../../files/{}", f.filename),
                            "hashes": {"sha256": f.sha256},
                            "yanked": f.yanked,
                            "upload-time": "2026-01-02T03:04:05.000000Z",
                        })
                    })
                    .collect();
                let body = json!({"meta": {"api-version": "1.1"}, "name": name, "files": list});
                return (
                    [(header::CONTENT_TYPE, "application/vnd.pypi.simple.v1+json")],
                    body.to_string(),
                )
                    .into_response();
            }
            let mut html = String::from("<!DOCTYPE html>\n<html><body>\n");
            for f in files {
                let yanked = if f.yanked { " data-yanked=\"\"" } else { "" };
                html.push_str(&format!(
                    "<a href=\"/files/{0}#sha256={1}\"{yanked}>{0}</a><br/>\n",
                    f.filename, f.sha256
                ));
            }
            html.push_str("</body></html>\n");
            ([(header::CONTENT_TYPE, "text/html")], html).into_response()
        }
        ["pypi", name, "json"] if st.json_api => {
            let Some(files) = st.projects.get(&normalize(name)) else {
                return not_found();
            };
            // The last published non-yanked file's version is "latest".
            let Some(latest) = files.iter().rev().find(|f| !f.yanked) else {
                return not_found();
            };
            let body = json!({"info": {"name": name, "version": file_version(&latest.filename)}});
            (
                [(header::CONTENT_TYPE, "application/json")],
                body.to_string(),
            )
                .into_response()
        }
        ["files", filename] => match st.blobs.get(*filename) {
            Some(bytes) => (
                [(header::CONTENT_TYPE, "application/octet-stream")],
                Body::from(bytes.clone()),
            )
                .into_response(),
            None => not_found(),
        },
        _ => not_found(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sdists_have_a_top_folder_and_pkg_info() {
        let bytes = sdist("demo-pkg", "1.0", &[("setup.py", b"")]);
        let mut archive = tar::Archive::new(flate2::read::GzDecoder::new(&bytes[..]));
        let names: Vec<String> = archive
            .entries()
            .unwrap()
            .map(|e| e.unwrap().path().unwrap().display().to_string())
            .collect();
        assert_eq!(names, ["demo_pkg-1.0/setup.py", "demo_pkg-1.0/PKG-INFO"]);
    }

    #[test]
    fn versions_of_file_names() {
        assert_eq!(file_version("demo_pkg-1.0rc1.tar.gz"), "1.0rc1");
        assert_eq!(file_version("demo-2.0-py3-none-any.whl"), "2.0");
    }
}
