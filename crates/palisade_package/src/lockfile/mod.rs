//! Lockfiles and installed trees: what a project would install, each package
//! once, with where it comes from and how the project reaches it.
//!
//! Formats (one file each): `package-lock.json` v1/v2/v3 and
//! `npm-shrinkwrap.json` ([`npm`]), `pnpm-lock.yaml` 5.x/6.x/9.x ([`pnpm`]),
//! `yarn.lock` classic and berry ([`yarn`]), `bun.lock` ([`bun`]) and an
//! installed `node_modules/` tree: npm's nested layout, yarn's, and pnpm's
//! `.pnpm` store ([`node_modules`]); and Python's `requirements.txt`, `uv.lock`,
//! `poetry.lock` and `Pipfile.lock` ([`python`]).
//!
//! Every reader is bounded: a lockfile over [`MAX_LOCKFILE_BYTES`] is an
//! error, YAML aliases (the "billion laughs" expansion) are refused, nesting
//! is capped, and an installed tree stops at [`MAX_INSTALLED_PACKAGES`].
//! Nothing is executed or installed.
//!
//! The output is a [`Lockfile`]: a list of [`LockedPackage`]s, each
//! `name@version@source` once, with its integrity when the lockfile records
//! it, whether only development or optional dependencies pull it in, and the
//! shortest dependency path from a project root (`app > a > b`).

mod bun;
mod graph;
mod node_modules;
mod npm;
mod pnpm;
pub mod python;
mod yaml;
mod yarn;

use std::fmt;
use std::io::Read;
use std::path::{Path, PathBuf};

use serde_json::Value;

pub use node_modules::MAX_INSTALLED_PACKAGES;

use crate::Manifest;

/// Largest lockfile read, in bytes.
pub const MAX_LOCKFILE_BYTES: u64 = 256 * 1024 * 1024;

/// Deepest nesting of maps and lists accepted in a lockfile.
pub(crate) const MAX_NESTING: usize = 128;

/// The lockfile formats palisade reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum LockfileKind {
    /// `package-lock.json` (npm, lockfile versions 1, 2 and 3).
    NpmPackageLock,
    /// `npm-shrinkwrap.json`: the same format, published with a package.
    NpmShrinkwrap,
    /// `pnpm-lock.yaml`.
    Pnpm,
    /// `yarn.lock`, classic (v1) or berry (v2 and later).
    Yarn,
    /// `bun.lock`, bun's text lockfile.
    Bun,
    /// An installed `node_modules/` folder.
    NodeModules,
    /// pip's `requirements.txt` (also `requirements-*.txt`, `*-requirements.txt`).
    Requirements,
    /// `uv.lock`.
    UvLock,
    /// `poetry.lock`.
    PoetryLock,
    /// `Pipfile.lock` (pipenv).
    PipfileLock,
}

impl LockfileKind {
    /// The file name of the format (`node_modules` for an installed tree).
    pub fn file_name(self) -> &'static str {
        match self {
            Self::NpmPackageLock => "package-lock.json",
            Self::NpmShrinkwrap => "npm-shrinkwrap.json",
            Self::Pnpm => "pnpm-lock.yaml",
            Self::Yarn => "yarn.lock",
            Self::Bun => "bun.lock",
            Self::NodeModules => "node_modules",
            Self::Requirements => "requirements.txt",
            Self::UvLock => "uv.lock",
            Self::PoetryLock => "poetry.lock",
            Self::PipfileLock => "Pipfile.lock",
        }
    }

    /// A Python format (the packages come from a Python package index).
    pub fn is_python(self) -> bool {
        matches!(
            self,
            Self::Requirements | Self::UvLock | Self::PoetryLock | Self::PipfileLock
        )
    }

    /// The format a path names, by its file name.
    pub fn of_path(path: &Path) -> Option<Self> {
        let name = path.file_name()?.to_str()?;
        let lower = name.to_ascii_lowercase();
        if lower.ends_with(".txt")
            && (lower.starts_with("requirements") || lower.ends_with("-requirements.txt"))
        {
            return Some(Self::Requirements);
        }
        [
            Self::NpmShrinkwrap,
            Self::NpmPackageLock,
            Self::Pnpm,
            Self::Yarn,
            Self::Bun,
            Self::NodeModules,
            Self::UvLock,
            Self::PoetryLock,
            Self::PipfileLock,
        ]
        .into_iter()
        .find(|k| k.file_name() == name)
    }
}

impl fmt::Display for LockfileKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.file_name())
    }
}

/// Where a locked package comes from.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Source {
    /// The registry; `resolved` is the tarball URL the lockfile recorded, if any.
    Registry { resolved: Option<String> },
    /// A git repository (`git+https://…#commit`, `github:owner/repo`…).
    Git { url: String },
    /// A tarball URL that is not a registry download.
    Tarball { url: String },
    /// A folder or file on disk (`file:`, `link:`, `portal:`).
    Local { path: String },
    /// A workspace of the project itself.
    Workspace { path: String },
    /// Shipped inside its parent's tarball (`bundleDependencies`).
    Bundled,
    /// Installed in a `node_modules` tree, read from this folder.
    Installed { dir: PathBuf },
    /// The Python package index, at an exact version; `hashes` are the
    /// sha256 digests (lower-case hex) the lockfile allows, empty when it
    /// records none.
    Pypi { hashes: Vec<String> },
    /// A Python requirement that does not pin one version (`flask>=2`):
    /// what installs changes over time.
    Unpinned { requirement: String },
}

impl Source {
    /// A registry package, fetched by name and version.
    pub fn is_registry(&self) -> bool {
        matches!(self, Self::Registry { .. })
    }

    /// Fetched from a git repository or an arbitrary tarball URL: outside
    /// the registry's takedowns and version immutability.
    pub fn is_remote(&self) -> bool {
        matches!(self, Self::Git { .. } | Self::Tarball { .. })
    }

    /// A short kind name: `registry`, `git`, `tarball`, `local`,
    /// `workspace`, `bundled`, `installed`.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Registry { .. } => "registry",
            Self::Git { .. } => "git",
            Self::Tarball { .. } => "tarball",
            Self::Local { .. } => "local",
            Self::Workspace { .. } => "workspace",
            Self::Bundled => "bundled",
            Self::Installed { .. } => "installed",
            Self::Pypi { .. } => "pypi",
            Self::Unpinned { .. } => "unpinned",
        }
    }
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Registry {
                resolved: Some(url),
            } => write!(f, "registry ({url})"),
            Self::Registry { resolved: None } => f.write_str("registry"),
            Self::Git { url } => write!(f, "git {url}"),
            Self::Tarball { url } => write!(f, "tarball {url}"),
            Self::Local { path } => write!(f, "local {path}"),
            Self::Workspace { path } => write!(f, "workspace {path}"),
            Self::Bundled => f.write_str("bundled in its parent"),
            Self::Installed { dir } => write!(f, "installed at {}", dir.display()),
            Self::Pypi { .. } => f.write_str("package index"),
            Self::Unpinned { requirement } => write!(f, "unpinned `{requirement}`"),
        }
    }
}

/// One package a project locks, listed once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LockedPackage {
    /// The real package name (for an alias, the package it stands for).
    pub name: String,
    /// The exact version.
    pub version: String,
    /// The name it is installed under when that differs from `name`
    /// (`"alias": "npm:real@1"`).
    pub alias: Option<String>,
    pub source: Source,
    /// The lockfile's `integrity` (SRI, e.g. `sha512-…`) when it records one.
    pub integrity: Option<String>,
    /// Only development dependencies pull it in.
    pub dev: bool,
    /// Only optional dependencies pull it in.
    pub optional: bool,
    /// The shortest chain from a project root to this package, root first:
    /// `["app", "a", "b"]`. Names as installed (aliases as written).
    pub path: Vec<String>,
}

impl LockedPackage {
    /// `name@version`.
    pub fn id(&self) -> String {
        format!("{}@{}", self.name, self.version)
    }

    /// The dependency path joined with ` > `.
    pub fn path_text(&self) -> String {
        self.path.join(" > ")
    }
}

/// A parsed lockfile or installed tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lockfile {
    pub kind: LockfileKind,
    /// The file (or `node_modules` folder) read.
    pub path: PathBuf,
    /// The format version as written (`3`, `9.0`, `classic`, `berry 8`…).
    pub format_version: String,
    /// The project's name: the root `package.json`'s, the lockfile's, or the folder's.
    pub root: String,
    /// Every locked package once, sorted by name and version.
    pub packages: Vec<LockedPackage>,
}

/// Why a lockfile could not be read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LockfileError {
    #[error("`{path}`: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("`{path}` is {size} bytes, over the limit of {limit} bytes for a lockfile")]
    TooLarge { path: String, size: u64, limit: u64 },
    #[error("`{path}` is not a valid {kind}: {message}")]
    Invalid {
        path: String,
        kind: LockfileKind,
        message: String,
    },
    #[error("`{path}`: {message}")]
    Unsupported { path: String, message: String },
}

/// The lockfiles in a project folder, in the order a package manager would
/// trust them: `npm-shrinkwrap.json` over `package-lock.json`, then
/// `pnpm-lock.yaml`, `yarn.lock`, `bun.lock`. Several may be present (a
/// project switching managers); the caller decides whether to read them all.
/// An installed `node_modules/` is not listed: it is scanned when named.
pub fn find_lockfiles(dir: &Path) -> Vec<(LockfileKind, PathBuf)> {
    let mut found = Vec::new();
    for kind in [
        LockfileKind::NpmShrinkwrap,
        LockfileKind::NpmPackageLock,
        LockfileKind::Pnpm,
        LockfileKind::Yarn,
        LockfileKind::Bun,
        LockfileKind::UvLock,
        LockfileKind::PoetryLock,
        LockfileKind::PipfileLock,
        LockfileKind::Requirements,
    ] {
        let path = dir.join(kind.file_name());
        if std::fs::symlink_metadata(&path).is_ok_and(|m| m.is_file()) {
            found.push((kind, path));
        }
    }
    // npm ignores package-lock.json when a shrinkwrap is present.
    if found.iter().any(|(k, _)| *k == LockfileKind::NpmShrinkwrap) {
        found.retain(|(k, _)| *k != LockfileKind::NpmPackageLock);
    }
    found
}

/// The manifests around a lockfile that some formats need for their roots
/// (`yarn.lock` and `package-lock.json` v1 do not record what the project
/// itself depends on).
#[derive(Debug, Clone, Default)]
pub struct ProjectManifests {
    /// The project's own `package.json`.
    pub root: Option<Manifest>,
    /// Workspace `package.json`s with their folder relative to the root.
    pub workspaces: Vec<(String, Manifest)>,
}

impl ProjectManifests {
    /// Reads `dir/package.json` and the workspaces it names (`"workspaces":
    /// ["packages/*", "tools/cli"]` or `{"packages": [...]}`; a pattern may
    /// end in `/*`, other globs are skipped). Missing or broken manifests
    /// are left out: the lockfile is what counts.
    pub fn read(dir: &Path) -> Self {
        let root = read_manifest(&dir.join("package.json"));
        let mut workspaces = Vec::new();
        if let Some(m) = &root {
            let mut patterns = workspace_patterns(m);
            if patterns.is_empty() {
                patterns = pnpm_workspace_patterns(dir);
            }
            for pattern in patterns {
                for rel in expand_pattern(dir, &pattern) {
                    if let Some(w) = read_manifest(&dir.join(&rel).join("package.json")) {
                        workspaces.push((rel, w));
                    }
                }
            }
        }
        workspaces.sort_by(|a, b| a.0.cmp(&b.0));
        workspaces.dedup_by(|a, b| a.0 == b.0);
        Self { root, workspaces }
    }

    /// The root manifest's `name`.
    pub fn name(&self) -> Option<&str> {
        self.root.as_ref().and_then(Manifest::name)
    }
}

fn read_manifest(path: &Path) -> Option<Manifest> {
    let meta = std::fs::symlink_metadata(path).ok()?;
    if !meta.is_file() || meta.len() > 4 * 1024 * 1024 {
        return None;
    }
    Manifest::parse(&std::fs::read(path).ok()?).ok()
}

fn workspace_patterns(m: &Manifest) -> Vec<String> {
    let list = match m.json.get("workspaces") {
        Some(Value::Array(a)) => a.clone(),
        Some(Value::Object(o)) => o
            .get("packages")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default(),
        _ => Vec::new(),
    };
    list.iter()
        .filter_map(Value::as_str)
        .map(|s| s.trim_start_matches("./").trim_end_matches('/').to_owned())
        .take(1000)
        .collect()
}

/// `packages` of `pnpm-workspace.yaml`, pnpm's list of workspaces.
fn pnpm_workspace_patterns(dir: &Path) -> Vec<String> {
    let path = dir.join("pnpm-workspace.yaml");
    let Ok(meta) = std::fs::symlink_metadata(&path) else {
        return Vec::new();
    };
    if !meta.is_file() || meta.len() > 1024 * 1024 {
        return Vec::new();
    }
    let Ok(text) = std::fs::read_to_string(&path) else {
        return Vec::new();
    };
    yaml::parse(&text)
        .ok()
        .and_then(|v| v.get("packages").and_then(Value::as_array).cloned())
        .unwrap_or_default()
        .iter()
        .filter_map(Value::as_str)
        .map(|s| s.trim_start_matches("./").trim_end_matches('/').to_owned())
        .take(1000)
        .collect()
}

fn expand_pattern(dir: &Path, pattern: &str) -> Vec<String> {
    if pattern.contains("..") || pattern.starts_with('/') {
        return Vec::new();
    }
    if let Some(parent) = pattern.strip_suffix("/*") {
        if parent.contains(['*', '?', '[', '{']) {
            return Vec::new();
        }
        let Ok(entries) = std::fs::read_dir(dir.join(parent)) else {
            return Vec::new();
        };
        let mut out: Vec<String> = entries
            .filter_map(Result::ok)
            .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
            .filter_map(|e| e.file_name().to_str().map(|n| format!("{parent}/{n}")))
            .take(10_000)
            .collect();
        out.sort();
        out
    } else if pattern.contains(['*', '?', '[', '{']) {
        Vec::new()
    } else {
        vec![pattern.to_owned()]
    }
}

/// Reads a lockfile (its format from its file name) or an installed
/// `node_modules` folder, with the `package.json` files beside it.
///
/// # Errors
/// A missing or unreadable file, a file over [`MAX_LOCKFILE_BYTES`], a file
/// that is not valid in its format, an unknown file name.
pub fn read_lockfile(path: &Path) -> Result<Lockfile, LockfileError> {
    let shown = path.display().to_string();
    let kind = LockfileKind::of_path(path).ok_or_else(|| LockfileError::Unsupported {
        path: shown.clone(),
        message: "not a lockfile palisade knows (package-lock.json, npm-shrinkwrap.json, \
                  pnpm-lock.yaml, yarn.lock, bun.lock, a node_modules folder, requirements.txt, \
                  uv.lock, poetry.lock or Pipfile.lock)"
            .to_owned(),
    })?;
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let manifests = ProjectManifests::read(dir);
    if kind == LockfileKind::NodeModules {
        return node_modules::read(path, &manifests, &folder_name(dir));
    }
    if kind == LockfileKind::Requirements {
        return python::read_requirements(path, &folder_name(dir));
    }
    let text = read_text(path)?;
    parse_lockfile(kind, &text, path, &manifests, &folder_name(dir))
}

/// Parses lockfile text. `path` is used in messages and kept in the result;
/// `folder` names the project when neither the manifest nor the lockfile does.
///
/// # Errors
/// [`LockfileError::Invalid`] when the text is not valid in its format.
pub fn parse_lockfile(
    kind: LockfileKind,
    text: &str,
    path: &Path,
    manifests: &ProjectManifests,
    folder: &str,
) -> Result<Lockfile, LockfileError> {
    let invalid = |message: String| LockfileError::Invalid {
        path: path.display().to_string(),
        kind,
        message,
    };
    if text.len() as u64 > MAX_LOCKFILE_BYTES {
        return Err(LockfileError::TooLarge {
            path: path.display().to_string(),
            size: text.len() as u64,
            limit: MAX_LOCKFILE_BYTES,
        });
    }
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let parsed = match kind {
        LockfileKind::NpmPackageLock | LockfileKind::NpmShrinkwrap => {
            npm::parse(text, manifests, folder)
        }
        LockfileKind::Pnpm => pnpm::parse(text, manifests, folder),
        LockfileKind::Yarn => yarn::parse(text, manifests, folder),
        LockfileKind::Bun => bun::parse(text, manifests, folder),
        LockfileKind::NodeModules => {
            return Err(invalid(
                "an installed tree is read with `read_lockfile`".into(),
            ));
        }
        LockfileKind::Requirements => {
            let root = manifests.name().unwrap_or(folder);
            let parsed = python::parse_requirements(text, root);
            return Ok(Lockfile {
                kind,
                path: path.to_path_buf(),
                format_version: "pip".to_owned(),
                root: root.to_owned(),
                packages: parsed.packages,
            });
        }
        LockfileKind::UvLock => return python::parse_uv_lock(text, path, folder).map_err(invalid),
        LockfileKind::PoetryLock => {
            return python::parse_poetry_lock(text, path, folder).map_err(invalid);
        }
        LockfileKind::PipfileLock => {
            return python::parse_pipfile_lock(text, path, folder).map_err(invalid);
        }
    }
    .map_err(invalid)?;
    Ok(Lockfile {
        kind,
        path: path.to_path_buf(),
        format_version: parsed.format_version,
        root: parsed.root,
        packages: parsed.graph.finish(),
    })
}

/// What a format parser returns.
pub(crate) struct Parsed {
    pub format_version: String,
    pub root: String,
    pub graph: graph::Graph,
}

fn folder_name(dir: &Path) -> String {
    std::fs::canonicalize(dir)
        .ok()
        .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
        .unwrap_or_else(|| "project".to_owned())
}

fn read_text(path: &Path) -> Result<String, LockfileError> {
    let shown = path.display().to_string();
    let io = |source| LockfileError::Io {
        path: shown.clone(),
        source,
    };
    let meta = std::fs::metadata(path).map_err(io)?;
    if !meta.is_file() {
        return Err(LockfileError::Unsupported {
            path: shown,
            message: "not a regular file".to_owned(),
        });
    }
    let too_large = |size| LockfileError::TooLarge {
        path: shown.clone(),
        size,
        limit: MAX_LOCKFILE_BYTES,
    };
    if meta.len() > MAX_LOCKFILE_BYTES {
        return Err(too_large(meta.len()));
    }
    let mut bytes = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0));
    std::fs::File::open(path)
        .and_then(|f| f.take(MAX_LOCKFILE_BYTES + 1).read_to_end(&mut bytes))
        .map_err(io)?;
    if bytes.len() as u64 > MAX_LOCKFILE_BYTES {
        return Err(too_large(bytes.len() as u64));
    }
    String::from_utf8(bytes).map_err(|_| LockfileError::Invalid {
        path: shown.clone(),
        kind: LockfileKind::of_path(path).unwrap_or(LockfileKind::NpmPackageLock),
        message: "not UTF-8 text".to_owned(),
    })
}

/// Splits `name@rest` at the first `@` after the first character (scoped
/// names start with `@`).
pub(crate) fn split_name(spec: &str) -> Option<(&str, &str)> {
    let at = spec.get(1..)?.find('@')? + 1;
    Some((&spec[..at], &spec[at + 1..]))
}

/// Classifies a resolved URL or path as a lockfile records it.
pub(crate) fn classify_resolved(name: &str, resolved: &str) -> Source {
    let lower = resolved.to_ascii_lowercase();
    if lower.starts_with("git+")
        || lower.starts_with("git:")
        || lower.starts_with("git@")
        || lower.starts_with("ssh:")
        || lower.starts_with("github:")
        || lower.starts_with("gitlab:")
        || lower.starts_with("bitbucket:")
    {
        Source::Git {
            url: resolved.to_owned(),
        }
    } else if lower.starts_with("http://") || lower.starts_with("https://") {
        let path = lower.split(['?', '#']).next().unwrap_or(&lower);
        let encoded = name.replacen('/', "%2f", 1).to_ascii_lowercase();
        let plain = name.to_ascii_lowercase();
        let registry_like = path.ends_with(".tgz")
            && (path.contains(&format!("/{plain}/-/")) || path.contains(&format!("/{encoded}/-/")));
        if registry_like {
            Source::Registry {
                resolved: Some(resolved.to_owned()),
            }
        } else if path.ends_with(".git") {
            Source::Git {
                url: resolved.to_owned(),
            }
        } else {
            Source::Tarball {
                url: resolved.to_owned(),
            }
        }
    } else {
        Source::Local {
            path: resolved
                .strip_prefix("file:")
                .or_else(|| resolved.strip_prefix("link:"))
                .unwrap_or(resolved)
                .to_owned(),
        }
    }
}

/// The `(name, spec, dev, optional)` dependencies a manifest declares
/// (peer dependencies are the dependent's to install, not its own).
pub(crate) fn manifest_deps(m: &Manifest) -> Vec<(String, String, bool, bool)> {
    m.dependencies()
        .into_iter()
        .filter(|(section, _, _)| *section != "peerDependencies")
        .map(|(section, name, spec)| {
            (
                name.to_owned(),
                spec.to_owned(),
                section == "devDependencies",
                section == "optionalDependencies",
            )
        })
        .collect()
}

/// A string field of a JSON object.
pub(crate) fn str_of<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    v.get(key).and_then(Value::as_str)
}

/// A `{name: string}` map of a JSON object as pairs.
pub(crate) fn string_map(v: &Value, key: &str) -> Vec<(String, String)> {
    v.get(key)
        .and_then(Value::as_object)
        .map(|m| {
            m.iter()
                .filter_map(|(k, v)| match v {
                    Value::String(s) => Some((k.clone(), s.clone())),
                    Value::Number(n) => Some((k.clone(), n.to_string())),
                    _ => None,
                })
                .collect()
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_name_handles_scopes_and_aliases() {
        assert_eq!(split_name("a@1.0.0"), Some(("a", "1.0.0")));
        assert_eq!(split_name("@s/a@^1"), Some(("@s/a", "^1")));
        assert_eq!(split_name("x@npm:y@1"), Some(("x", "npm:y@1")));
        assert_eq!(split_name("@s/a"), None);
    }

    #[test]
    fn registry_urls_are_told_from_other_tarballs() {
        assert!(classify_resolved("a", "https://r.invalid/a/-/a-1.0.0.tgz").is_registry());
        assert!(classify_resolved("@s/a", "https://r.invalid/@s/a/-/a-1.0.0.tgz").is_registry());
        assert!(classify_resolved("@s/a", "https://r.invalid/@s%2fa/-/a-1.0.0.tgz").is_registry());
        assert_eq!(
            classify_resolved("a", "https://files.invalid/a.tgz").kind(),
            "tarball"
        );
        assert_eq!(
            classify_resolved("a", "git+ssh://git@git.invalid/o/a.git#abc").kind(),
            "git"
        );
        assert_eq!(classify_resolved("a", "file:../a").kind(), "local");
    }
}
