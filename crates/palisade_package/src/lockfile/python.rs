//! Python lockfiles: `requirements.txt` (pip), `uv.lock`, `poetry.lock` and
//! `Pipfile.lock`.
//!
//! Packages from the index become [`Source::Pypi`] with the sha256 digests
//! the file allows (`--hash=sha256:…`, `hash = "sha256:…"`), empty when it
//! records none. A `requirements.txt` line that does not pin one version
//! (`requests>=2`, `flask`) is [`Source::Unpinned`]: what installs changes
//! from day to day. URLs and VCS requirements are [`Source::Git`] or
//! [`Source::Tarball`], local paths and editables [`Source::Local`]. The
//! project itself (uv's `virtual`/`editable = "."` root) is left out.
//!
//! `-r`/`--requirement` includes are followed by [`read_requirements`], at
//! most [`MAX_INCLUDES`] files and [`MAX_INCLUDE_DEPTH`] deep, only inside
//! the folder of the first file. The dependency path is the project, then
//! the package: these formats do not all record who pulls what in.

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::path::{Path, PathBuf};

use serde_json::Value;

use super::{LockedPackage, Lockfile, LockfileError, LockfileKind, Source, read_text};

/// Most files a `requirements.txt` and its `-r` includes may span.
pub const MAX_INCLUDES: usize = 64;
/// Deepest chain of `-r` includes.
pub const MAX_INCLUDE_DEPTH: usize = 8;

/// PEP 503 normalisation: runs of `-_.` become `-`, lower case.
pub fn normalize(name: &str) -> String {
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

fn package(root: &str, name: &str, version: &str, source: Source, dev: bool) -> LockedPackage {
    LockedPackage {
        name: normalize(name),
        version: version.to_owned(),
        alias: None,
        source,
        integrity: None,
        dev,
        optional: false,
        path: vec![root.to_owned(), normalize(name)],
    }
}

fn finish(
    kind: LockfileKind,
    path: &Path,
    format_version: String,
    root: &str,
    mut packages: Vec<LockedPackage>,
) -> Lockfile {
    packages.sort_by(|a, b| {
        (a.name.as_str(), a.version.as_str(), &a.source).cmp(&(
            b.name.as_str(),
            b.version.as_str(),
            &b.source,
        ))
    });
    packages.dedup_by(|a, b| a.name == b.name && a.version == b.version && a.source == b.source);
    Lockfile {
        kind,
        path: path.to_path_buf(),
        format_version,
        root: root.to_owned(),
        packages,
    }
}

/// `sha256:<hex>` → lower-case hex; other algorithms are dropped.
fn sha256_of(hash: &str) -> Option<String> {
    let hex = hash.trim().strip_prefix("sha256:")?;
    (hex.len() == 64 && hex.bytes().all(|b| b.is_ascii_hexdigit()))
        .then(|| hex.to_ascii_lowercase())
}

/// A URL or path requirement: git, a file URL, or a local folder or file.
fn classify_location(location: &str) -> Source {
    let lower = location.to_ascii_lowercase();
    if lower.starts_with("git+")
        || lower.starts_with("hg+")
        || lower.starts_with("svn+")
        || lower.starts_with("bzr+")
    {
        Source::Git {
            url: location.to_owned(),
        }
    } else if lower.starts_with("http://") || lower.starts_with("https://") {
        Source::Tarball {
            url: location.to_owned(),
        }
    } else {
        Source::Local {
            path: location
                .strip_prefix("file://")
                .or_else(|| location.strip_prefix("file:"))
                .unwrap_or(location)
                .to_owned(),
        }
    }
}

// ---------------------------------------------------------------- requirements.txt

/// Reads a `requirements.txt` and the files it includes with `-r`.
///
/// # Errors
/// The first file's read errors; an include that cannot be read, leaves the
/// folder, or goes over the limits is an error naming it.
pub fn read_requirements(path: &Path, root: &str) -> Result<Lockfile, LockfileError> {
    let base = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let base = std::fs::canonicalize(base).map_err(|source| LockfileError::Io {
        path: base.display().to_string(),
        source,
    })?;
    let mut seen = HashSet::new();
    let mut packages = Vec::new();
    let mut queue: Vec<(PathBuf, usize)> = vec![(path.to_path_buf(), 0)];
    let mut files = 0;
    while let Some((file, depth)) = queue.pop() {
        let canonical = std::fs::canonicalize(&file).map_err(|source| LockfileError::Io {
            path: file.display().to_string(),
            source,
        })?;
        if !seen.insert(canonical.clone()) {
            continue;
        }
        files += 1;
        if files > MAX_INCLUDES {
            return Err(LockfileError::Unsupported {
                path: path.display().to_string(),
                message: format!("more than {MAX_INCLUDES} files through `-r` includes"),
            });
        }
        if !canonical.starts_with(&base) {
            return Err(LockfileError::Unsupported {
                path: file.display().to_string(),
                message: format!(
                    "included with `-r` from outside the project folder `{}`; not read",
                    base.display()
                ),
            });
        }
        let text = read_text(&file)?;
        let parsed = parse_requirements(&text, root);
        packages.extend(parsed.packages);
        let dir = file.parent().unwrap_or(Path::new("."));
        for include in parsed.includes {
            if depth + 1 > MAX_INCLUDE_DEPTH {
                return Err(LockfileError::Unsupported {
                    path: file.display().to_string(),
                    message: format!("`-r` includes nest deeper than {MAX_INCLUDE_DEPTH}"),
                });
            }
            queue.push((dir.join(include), depth + 1));
        }
    }
    Ok(finish(
        LockfileKind::Requirements,
        path,
        "pip".to_owned(),
        root,
        packages,
    ))
}

/// What one requirements file says: its packages and the files it includes.
#[derive(Debug, Default)]
pub struct Requirements {
    /// The requirements.
    pub packages: Vec<LockedPackage>,
    /// `-r` / `--requirement` targets, as written.
    pub includes: Vec<String>,
}

/// Parses the text of one requirements file (includes are listed, not read).
pub fn parse_requirements(text: &str, root: &str) -> Requirements {
    let mut out = Requirements::default();
    for line in logical_lines(text) {
        let tokens: Vec<&str> = line.split_whitespace().collect();
        let Some(first) = tokens.first() else {
            continue;
        };
        let option_value = |long: &str, short: Option<&str>| -> Option<String> {
            if let Some(v) = first.strip_prefix(&format!("{long}=")) {
                return Some(v.to_owned());
            }
            if *first == long || Some(*first) == short {
                return tokens.get(1).map(|s| (*s).to_owned());
            }
            short
                .and_then(|s| first.strip_prefix(s))
                .filter(|v| !v.is_empty())
                .map(str::to_owned)
        };
        if let Some(file) = option_value("--requirement", Some("-r")) {
            out.includes.push(file);
            continue;
        }
        if let Some(target) = option_value("--editable", Some("-e")) {
            let name = location_name(&target);
            out.packages
                .push(package(root, &name, "", classify_location(&target), false));
            continue;
        }
        if first.starts_with('-') {
            // Index, constraint and install options (`--index-url`, `-c`,
            // `--hash` alone...) name no package.
            continue;
        }
        if let Some(p) = requirement(&line, root) {
            out.packages.push(p);
        }
    }
    out
}

/// Lines with comments removed and `\` continuations joined.
fn logical_lines(text: &str) -> Vec<String> {
    let mut lines = Vec::new();
    let mut current = String::new();
    for raw in text.lines() {
        let without_comment = match raw.find('#') {
            Some(0) => "",
            Some(i) if raw[..i].ends_with(char::is_whitespace) => &raw[..i],
            _ => raw,
        };
        if let Some(head) = without_comment.trim_end().strip_suffix('\\') {
            current.push_str(head);
            current.push(' ');
            continue;
        }
        current.push_str(without_comment);
        let line = current.trim().to_owned();
        current.clear();
        if !line.is_empty() {
            lines.push(line);
        }
    }
    let rest = current.trim();
    if !rest.is_empty() {
        lines.push(rest.to_owned());
    }
    lines
}

/// `#egg=name` of a VCS or URL requirement.
fn egg_name(target: &str) -> Option<String> {
    let fragment = target.split_once('#')?.1;
    fragment
        .split('&')
        .find_map(|kv| kv.strip_prefix("egg="))
        .map(str::to_owned)
}

/// The project a URL or path names: `#egg=`, else its wheel or sdist file
/// name, else its last path segment.
fn location_name(location: &str) -> String {
    if let Some(egg) = egg_name(location) {
        return egg;
    }
    let last = location
        .split(['#', '?'])
        .next()
        .unwrap_or(location)
        .trim_end_matches('/')
        .rsplit('/')
        .next()
        .unwrap_or(location);
    if let Some(stem) = last.strip_suffix(".whl") {
        return stem.split('-').next().unwrap_or(stem).to_owned();
    }
    match [".tar.gz", ".zip"]
        .iter()
        .find_map(|e| last.strip_suffix(e))
    {
        Some(stem) => stem.rsplit_once('-').map_or(stem, |(n, _)| n).to_owned(),
        None => last.to_owned(),
    }
}

/// One requirement line: `name[extras] ==1.0 ; markers --hash=sha256:…`,
/// `name @ url`, or a bare URL or path.
fn requirement(line: &str, root: &str) -> Option<LockedPackage> {
    // Options after the requirement: `--hash=…` (or `--hash …`).
    let mut hashes = BTreeSet::new();
    let mut words = Vec::new();
    let mut tokens = line.split_whitespace().peekable();
    while let Some(token) = tokens.next() {
        if let Some(value) = token.strip_prefix("--hash=") {
            hashes.extend(sha256_of(value));
        } else if token == "--hash" {
            if let Some(value) = tokens.next() {
                hashes.extend(sha256_of(value));
            }
        } else if token.starts_with("--") {
            // `--global-option`, `--config-settings`...: no package.
        } else {
            words.push(token);
        }
    }
    let spec = words.join(" ");
    let spec = spec.split(';').next().unwrap_or_default().trim();
    if spec.is_empty() {
        return None;
    }
    let name_end = spec
        .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')))
        .unwrap_or(spec.len());
    let name = &spec[..name_end];
    let mut rest = spec[name_end..].trim_start();
    if let Some(after) = rest.strip_prefix('[') {
        rest = after.split_once(']').map_or("", |(_, r)| r).trim_start();
    }
    let named_url = !name.is_empty() && rest.starts_with('@');
    let looks_like_location = spec.contains("://")
        || spec.starts_with('.')
        || spec.starts_with('/')
        || spec.starts_with("git+")
        || [".whl", ".tar.gz", ".zip"]
            .iter()
            .any(|e| spec.ends_with(e));
    if name.is_empty() || (looks_like_location && !named_url) {
        let name = location_name(spec);
        return Some(package(root, &name, "", classify_location(spec), false));
    }
    if let Some(url) = rest.strip_prefix('@') {
        let url = url.trim();
        return Some(package(root, name, "", classify_location(url), false));
    }
    let constraint: String = rest.chars().filter(|c| !c.is_whitespace()).collect();
    let pinned = constraint
        .strip_prefix("===")
        .or_else(|| constraint.strip_prefix("=="))
        .filter(|v| !v.is_empty() && !v.contains([',', '*', '<', '>', '=', '!', '~']));
    Some(match pinned {
        Some(version) => package(
            root,
            name,
            version,
            Source::Pypi {
                hashes: hashes.into_iter().collect(),
            },
            false,
        ),
        None => package(
            root,
            name,
            "",
            Source::Unpinned {
                requirement: spec.to_owned(),
            },
            false,
        ),
    })
}

// ---------------------------------------------------------------- uv.lock

/// Parses `uv.lock`.
///
/// # Errors
/// A message when the text is not TOML or not a uv lockfile.
pub fn parse_uv_lock(text: &str, path: &Path, root: &str) -> Result<Lockfile, String> {
    let table: toml::Table = text.parse().map_err(|e: toml::de::Error| e.to_string())?;
    let version = table
        .get("version")
        .and_then(toml::Value::as_integer)
        .ok_or("no top-level `version`: not a uv lockfile")?;
    let mut packages = Vec::new();
    for entry in array_of_tables(&table, "package") {
        let Some(name) = entry.get("name").and_then(toml::Value::as_str) else {
            continue;
        };
        let version_text = entry
            .get("version")
            .and_then(toml::Value::as_str)
            .unwrap_or_default();
        let source = entry.get("source").and_then(toml::Value::as_table);
        let location = |key: &str| {
            source
                .and_then(|s| s.get(key))
                .and_then(toml::Value::as_str)
        };
        let source = if location("registry").is_some() {
            let mut hashes = BTreeSet::new();
            if let Some(sdist) = entry.get("sdist").and_then(toml::Value::as_table) {
                hashes.extend(hash_field(sdist));
            }
            if let Some(wheels) = entry.get("wheels").and_then(toml::Value::as_array) {
                for w in wheels.iter().filter_map(toml::Value::as_table) {
                    hashes.extend(hash_field(w));
                }
            }
            Source::Pypi {
                hashes: hashes.into_iter().collect(),
            }
        } else if let Some(url) = location("git") {
            Source::Git {
                url: url.to_owned(),
            }
        } else if let Some(url) = location("url") {
            Source::Tarball {
                url: url.to_owned(),
            }
        } else if let Some(p) = ["editable", "virtual", "directory", "path"]
            .iter()
            .find_map(|k| location(k))
        {
            if p == "." {
                continue; // the project itself
            }
            Source::Local { path: p.to_owned() }
        } else {
            continue;
        };
        packages.push(package(root, name, version_text, source, false));
    }
    Ok(finish(
        LockfileKind::UvLock,
        path,
        version.to_string(),
        root,
        packages,
    ))
}

fn array_of_tables<'a>(table: &'a toml::Table, key: &str) -> Vec<&'a toml::Table> {
    table
        .get(key)
        .and_then(toml::Value::as_array)
        .map(|a| a.iter().filter_map(toml::Value::as_table).collect())
        .unwrap_or_default()
}

fn hash_field(table: &toml::Table) -> Option<String> {
    sha256_of(table.get("hash")?.as_str()?)
}

// ---------------------------------------------------------------- poetry.lock

/// Parses `poetry.lock` (lock versions 1.x and 2.x).
///
/// # Errors
/// A message when the text is not TOML or not a poetry lockfile.
pub fn parse_poetry_lock(text: &str, path: &Path, root: &str) -> Result<Lockfile, String> {
    let table: toml::Table = text.parse().map_err(|e: toml::de::Error| e.to_string())?;
    let metadata = table
        .get("metadata")
        .and_then(toml::Value::as_table)
        .ok_or("no `[metadata]` table: not a poetry lockfile")?;
    let lock_version = metadata
        .get("lock-version")
        .and_then(toml::Value::as_str)
        .unwrap_or("1.0")
        .to_owned();
    // Lock 1.x keeps the files under `[metadata.files]`.
    let old_files = metadata.get("files").and_then(toml::Value::as_table);
    let mut packages = Vec::new();
    for entry in array_of_tables(&table, "package") {
        let Some(name) = entry.get("name").and_then(toml::Value::as_str) else {
            continue;
        };
        let version = entry
            .get("version")
            .and_then(toml::Value::as_str)
            .unwrap_or_default();
        let dev = entry.get("category").and_then(toml::Value::as_str) == Some("dev");
        let files = entry
            .get("files")
            .or_else(|| old_files.and_then(|f| f.get(name)))
            .and_then(toml::Value::as_array);
        let hashes: BTreeSet<String> = files
            .map(|list| {
                list.iter()
                    .filter_map(toml::Value::as_table)
                    .filter_map(hash_field)
                    .collect()
            })
            .unwrap_or_default();
        let source = entry.get("source").and_then(toml::Value::as_table);
        let kind = source
            .and_then(|s| s.get("type"))
            .and_then(toml::Value::as_str);
        let url = source
            .and_then(|s| s.get("url"))
            .and_then(toml::Value::as_str)
            .unwrap_or_default()
            .to_owned();
        let source = match kind {
            // `legacy`: a configured index other than the default.
            None | Some("legacy") => Source::Pypi {
                hashes: hashes.into_iter().collect(),
            },
            Some("git") => Source::Git { url },
            Some("url") => Source::Tarball { url },
            Some(_) => Source::Local { path: url },
        };
        packages.push(package(root, name, version, source, dev));
    }
    Ok(finish(
        LockfileKind::PoetryLock,
        path,
        lock_version,
        root,
        packages,
    ))
}

// ---------------------------------------------------------------- Pipfile.lock

/// Parses `Pipfile.lock`.
///
/// # Errors
/// A message when the text is not JSON or not a Pipfile lock.
pub fn parse_pipfile_lock(text: &str, path: &Path, root: &str) -> Result<Lockfile, String> {
    let value: Value = serde_json::from_str(text).map_err(|e| e.to_string())?;
    let meta = value
        .get("_meta")
        .ok_or("no `_meta` object: not a Pipfile.lock")?;
    let spec = meta
        .pointer("/pipfile-spec")
        .map_or_else(|| "?".to_owned(), |v| v.to_string());
    let mut packages = Vec::new();
    for (section, dev) in [("default", false), ("develop", true)] {
        let Some(entries) = value.get(section).and_then(Value::as_object) else {
            continue;
        };
        let entries: BTreeMap<&String, &Value> = entries.iter().collect();
        for (name, entry) in entries {
            let text = |k: &str| entry.get(k).and_then(Value::as_str);
            let source = if let Some(url) = text("git") {
                let reference = text("ref").map_or_else(String::new, |r| format!("@{r}"));
                Source::Git {
                    url: format!("{url}{reference}"),
                }
            } else if let Some(url) = text("file") {
                classify_location(url)
            } else if let Some(p) = text("path") {
                Source::Local { path: p.to_owned() }
            } else {
                let hashes: BTreeSet<String> = entry
                    .get("hashes")
                    .and_then(Value::as_array)
                    .map(|l| {
                        l.iter()
                            .filter_map(Value::as_str)
                            .filter_map(sha256_of)
                            .collect()
                    })
                    .unwrap_or_default();
                match text("version").and_then(|v| v.strip_prefix("==")) {
                    Some(version) => {
                        packages.push(package(
                            root,
                            name,
                            version,
                            Source::Pypi {
                                hashes: hashes.into_iter().collect(),
                            },
                            dev,
                        ));
                        continue;
                    }
                    None => Source::Unpinned {
                        requirement: format!("{name}{}", text("version").unwrap_or("")),
                    },
                }
            };
            packages.push(package(root, name, "", source, dev));
        }
    }
    Ok(finish(
        LockfileKind::PipfileLock,
        path,
        spec,
        root,
        packages,
    ))
}

#[cfg(test)]
mod tests {
    #![expect(clippy::unwrap_used, reason = "tests")]

    use super::*;

    const H1: &str = "1111111111111111111111111111111111111111111111111111111111111111";
    const H2: &str = "2222222222222222222222222222222222222222222222222222222222222222";

    fn summary(packages: &[LockedPackage]) -> Vec<String> {
        packages
            .iter()
            .map(|p| format!("{} {} {}", p.name, p.version, p.source.kind()))
            .collect()
    }

    #[test]
    fn requirements_lines() {
        let text = format!(
            "# pinned\nRequests==2.32.3 \\\n    --hash=sha256:{H1} \\\n    --hash sha256:{H2}\n\
             flask>=2   # unpinned\n\
             numpy == 2.0.0 ; python_version >= \"3.9\"\n\
             Django[argon2]===5.0\n\
             -r other.txt\n--index-url http://127.0.0.1:1/simple\n-c constraints.txt\n\
             -e git+https://git.invalid/x/y.git#egg=ydemo\n\
             -e ./local/pkg\n\
             demo @ https://files.invalid/demo-1.0.tar.gz\n\
             https://files.invalid/other-1.0-py3-none-any.whl\n\
             wild==1.*\n"
        );
        let parsed = parse_requirements(&text, "app");
        assert_eq!(parsed.includes, ["other.txt"]);
        assert_eq!(
            summary(&parsed.packages),
            [
                "requests 2.32.3 pypi",
                "flask  unpinned",
                "numpy 2.0.0 pypi",
                "django 5.0 pypi",
                "ydemo  git",
                "pkg  local",
                "demo  tarball",
                "other  tarball",
                "wild  unpinned",
            ]
        );
        assert_eq!(
            parsed.packages[0].source,
            Source::Pypi {
                hashes: vec![H1.to_owned(), H2.to_owned()]
            }
        );
        assert_eq!(parsed.packages[0].path, ["app", "requests"]);
    }

    #[test]
    fn includes_stay_in_the_folder_and_are_bounded() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        std::fs::write(d.join("requirements.txt"), "-r dev.txt\na==1\n").unwrap();
        std::fs::write(d.join("dev.txt"), "-r requirements.txt\nb==2\n").unwrap();
        let lock = read_requirements(&d.join("requirements.txt"), "app").unwrap();
        assert_eq!(summary(&lock.packages), ["a 1 pypi", "b 2 pypi"]);

        let inner = d.join("inner");
        std::fs::create_dir(&inner).unwrap();
        std::fs::write(inner.join("requirements.txt"), "-r ../dev.txt\n").unwrap();
        let error = read_requirements(&inner.join("requirements.txt"), "app").unwrap_err();
        assert!(error.to_string().contains("outside the project"), "{error}");

        std::fs::write(d.join("missing.txt"), "-r nowhere.txt\n").unwrap();
        assert!(read_requirements(&d.join("missing.txt"), "app").is_err());
    }

    #[test]
    fn uv_lock() {
        let text = format!(
            r#"version = 1
requires-python = ">=3.12"

[[package]]
name = "app"
version = "0.1.0"
source = {{ virtual = "." }}

[[package]]
name = "anyio"
version = "4.6.0"
source = {{ registry = "http://127.0.0.1:1/simple" }}
sdist = {{ url = "http://127.0.0.1:1/files/anyio-4.6.0.tar.gz", hash = "sha256:{H1}", size = 1 }}
wheels = [
    {{ url = "http://127.0.0.1:1/files/anyio-4.6.0-py3-none-any.whl", hash = "sha256:{H2}", size = 1 }},
]

[[package]]
name = "gitdep"
version = "1.0"
source = {{ git = "https://git.invalid/x.git?rev=abc#abc" }}
"#
        );
        let lock = parse_uv_lock(&text, Path::new("uv.lock"), "app").unwrap();
        assert_eq!(
            summary(&lock.packages),
            ["anyio 4.6.0 pypi", "gitdep 1.0 git"]
        );
        assert_eq!(
            lock.packages[0].source,
            Source::Pypi {
                hashes: vec![H1.to_owned(), H2.to_owned()]
            }
        );
        assert!(parse_uv_lock("[x]\n", Path::new("uv.lock"), "app").is_err());
    }

    #[test]
    fn poetry_lock_old_and_new() {
        let new = format!(
            r#"[[package]]
name = "Click"
version = "8.1.7"
description = ""
optional = false
python-versions = ">=3.7"
files = [
    {{file = "click-8.1.7.tar.gz", hash = "sha256:{H1}"}},
]

[[package]]
name = "mylib"
version = "0.1"
description = ""
optional = false
python-versions = "*"
files = []

[package.source]
type = "git"
url = "https://git.invalid/mylib.git"
reference = "main"
resolved_reference = "abc"

[metadata]
lock-version = "2.0"
python-versions = "^3.11"
content-hash = "x"
"#
        );
        let lock = parse_poetry_lock(&new, Path::new("poetry.lock"), "app").unwrap();
        assert_eq!(
            summary(&lock.packages),
            ["click 8.1.7 pypi", "mylib 0.1 git"]
        );
        assert_eq!(lock.format_version, "2.0");
        let old = format!(
            "[[package]]\nname = \"pytest\"\nversion = \"7.0\"\ncategory = \"dev\"\n\
             optional = false\n\n[metadata]\nlock-version = \"1.1\"\n\n[metadata.files]\n\
             pytest = [\n  {{file = \"pytest-7.0.tar.gz\", hash = \"sha256:{H2}\"}},\n]\n"
        );
        let lock = parse_poetry_lock(&old, Path::new("poetry.lock"), "app").unwrap();
        assert!(lock.packages[0].dev);
        assert_eq!(
            lock.packages[0].source,
            Source::Pypi {
                hashes: vec![H2.to_owned()]
            }
        );
    }

    #[test]
    fn pipfile_lock() {
        let text = format!(
            r#"{{"_meta": {{"pipfile-spec": 6, "sources": []}},
            "default": {{"requests": {{"hashes": ["sha256:{H1}"], "version": "==2.32.3"}},
                         "mine": {{"git": "https://git.invalid/mine.git", "ref": "abc"}}}},
            "develop": {{"pytest": {{"hashes": [], "version": "==8.0.0"}}}}}}"#
        );
        let lock = parse_pipfile_lock(&text, Path::new("Pipfile.lock"), "app").unwrap();
        assert_eq!(
            summary(&lock.packages),
            ["mine  git", "pytest 8.0.0 pypi", "requests 2.32.3 pypi"]
        );
        assert!(lock.packages[1].dev);
        assert!(parse_pipfile_lock("{}", Path::new("Pipfile.lock"), "app").is_err());
    }
}
