//! Python package metadata: wheels (`*.dist-info/METADATA`,
//! `entry_points.txt`), sdists and source folders (`PKG-INFO`,
//! `pyproject.toml`, `setup.cfg`, `setup.py`).
//!
//! Everything here reads text already in memory; nothing is built, imported or
//! run. Each source has a size limit; a file over it, or one that does not
//! parse, leaves its fields unset and is named in [`PythonMeta::errors`].

use crate::PackageFile;

/// Largest metadata file parsed (`METADATA`, `PKG-INFO`, `pyproject.toml`,
/// `setup.cfg`, `entry_points.txt`).
const MAX_META_BYTES: usize = 2 * 1024 * 1024;
/// Most entries kept per list (URLs, requirements, entry points).
const MAX_ITEMS: usize = 500;

/// How a Python package was shipped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum PythonLayout {
    /// A built wheel: a `*.dist-info` folder, no build step at install.
    Wheel,
    /// A source distribution or a source folder: `setup.py` or a build
    /// backend runs when it is installed.
    Source,
}

/// A `[group] name = value` entry point (`console_scripts`, plugins).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntryPoint {
    pub group: String,
    pub name: String,
    /// `module:function`.
    pub value: String,
    /// The file that declared it.
    pub file: String,
}

/// What a Python package says about itself.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PythonMeta {
    pub layout: Option<PythonLayout>,
    pub name: Option<String>,
    pub version: Option<String>,
    pub summary: Option<String>,
    pub home_page: Option<String>,
    /// `Project-URL` / `[project.urls]` as (label, URL).
    pub project_urls: Vec<(String, String)>,
    pub author: Option<String>,
    pub author_email: Option<String>,
    /// `[build-system] build-backend` of `pyproject.toml`.
    pub build_backend: Option<String>,
    /// `[build-system] requires`.
    pub build_requires: Vec<String>,
    /// `[build-system] backend-path`: folders of the package that hold an
    /// in-tree build backend (its code runs at install).
    pub backend_path: Vec<String>,
    pub entry_points: Vec<EntryPoint>,
    /// The package root holds a `setup.py` (run at install from source).
    pub has_setup_py: bool,
    /// The files the metadata came from, package-relative.
    pub sources: Vec<String>,
    /// Metadata files that could not be read, with the reason.
    pub errors: Vec<String>,
}

/// Whether a path names a file that marks a Python package root, and which
/// folder that root is (`""` for the top). `.egg-info` copies do not count.
pub(crate) fn marker_root(path: &str) -> Option<&str> {
    let (dir, name) = match path.rsplit_once('/') {
        Some((d, n)) => (d, n),
        None => ("", path),
    };
    if dir.ends_with(".egg-info") {
        return None;
    }
    if name == "METADATA" && dir.ends_with(".dist-info") {
        return Some(dir.rsplit_once('/').map_or("", |(d, _)| d));
    }
    matches!(
        name,
        "PKG-INFO" | "pyproject.toml" | "setup.py" | "setup.cfg"
    )
    .then_some(dir)
}

fn text(file: &PackageFile, errors: &mut Vec<String>) -> Option<String> {
    if file.data.len() > MAX_META_BYTES {
        errors.push(format!(
            "`{}` is {} bytes, over the limit of {MAX_META_BYTES}; not parsed",
            file.path,
            file.data.len()
        ));
        return None;
    }
    let t = String::from_utf8_lossy(&file.data);
    Some(t.strip_prefix('\u{feff}').unwrap_or(&t).to_owned())
}

impl PythonMeta {
    /// Reads the metadata of the Python package whose root holds `files`
    /// (paths relative to the root, sorted). `None` when nothing marks a
    /// Python package.
    pub fn read(files: &[PackageFile]) -> Option<Self> {
        let find = |p: &str| {
            files
                .binary_search_by(|f| f.path.as_str().cmp(p))
                .ok()
                .map(|i| &files[i])
        };
        // A wheel's metadata: `<name>-<version>.dist-info/` at the top.
        let dist_info = files.iter().find(|f| {
            f.path
                .strip_suffix("/METADATA")
                .is_some_and(|d| d.ends_with(".dist-info") && !d.contains('/'))
        });
        let pkg_info = find("PKG-INFO");
        let pyproject = find("pyproject.toml");
        let setup_cfg = find("setup.cfg");
        let setup_py = find("setup.py");
        if dist_info.is_none()
            && pkg_info.is_none()
            && pyproject.is_none()
            && setup_cfg.is_none()
            && setup_py.is_none()
        {
            return None;
        }
        let mut meta = PythonMeta {
            layout: Some(
                if dist_info.is_some() && setup_py.is_none() && pyproject.is_none() {
                    PythonLayout::Wheel
                } else {
                    PythonLayout::Source
                },
            ),
            has_setup_py: setup_py.is_some(),
            ..PythonMeta::default()
        };
        let mut errors = Vec::new();
        for f in [dist_info, pkg_info].into_iter().flatten() {
            if let Some(t) = text(f, &mut errors) {
                meta.sources.push(f.path.clone());
                meta.apply_core_metadata(&t);
            }
        }
        if let Some(f) = pyproject
            && let Some(t) = text(f, &mut errors)
        {
            meta.sources.push(f.path.clone());
            if let Err(e) = meta.apply_pyproject(&t, &f.path) {
                errors.push(format!("`{}` is not valid TOML: {e}", f.path));
            }
        }
        if let Some(f) = setup_cfg
            && let Some(t) = text(f, &mut errors)
        {
            meta.sources.push(f.path.clone());
            meta.apply_setup_cfg(&t);
        }
        let entry_files = files.iter().filter(|f| {
            f.path.strip_suffix("/entry_points.txt").is_some_and(|d| {
                (d.ends_with(".dist-info") || d.ends_with(".egg-info")) && d.split('/').count() <= 2
            })
        });
        for f in entry_files {
            if let Some(t) = text(f, &mut errors) {
                for (group, name, value) in ini_entries(&t) {
                    if meta.entry_points.len() < MAX_ITEMS {
                        meta.entry_points.push(EntryPoint {
                            group,
                            name,
                            value,
                            file: f.path.clone(),
                        });
                    }
                }
            }
        }
        meta.errors = errors;
        Some(meta)
    }

    fn set(slot: &mut Option<String>, value: &str) {
        let v = value.trim();
        if slot.is_none() && !v.is_empty() && !v.eq_ignore_ascii_case("UNKNOWN") {
            *slot = Some(v.to_owned());
        }
    }

    /// Core metadata (`METADATA`, `PKG-INFO`): RFC 822 headers up to the
    /// first blank line, continuation lines folded.
    fn apply_core_metadata(&mut self, text: &str) {
        let mut headers: Vec<(String, String)> = Vec::new();
        for line in text.lines() {
            if line.trim().is_empty() {
                break;
            }
            if line.starts_with([' ', '\t']) {
                if let Some((_, v)) = headers.last_mut() {
                    v.push(' ');
                    v.push_str(line.trim());
                }
                continue;
            }
            if let Some((k, v)) = line.split_once(':') {
                headers.push((k.trim().to_ascii_lowercase(), v.trim().to_owned()));
            }
        }
        for (k, v) in headers {
            match k.as_str() {
                "name" => Self::set(&mut self.name, &v),
                "version" => Self::set(&mut self.version, &v),
                "summary" => Self::set(&mut self.summary, &v),
                "home-page" => Self::set(&mut self.home_page, &v),
                "author" => Self::set(&mut self.author, &v),
                "author-email" => Self::set(&mut self.author_email, &v),
                "project-url" if self.project_urls.len() < MAX_ITEMS => {
                    let (label, url) = v.split_once(',').unwrap_or(("", &v));
                    self.project_urls
                        .push((label.trim().to_owned(), url.trim().to_owned()));
                }
                _ => {}
            }
        }
    }

    fn apply_pyproject(&mut self, text: &str, path: &str) -> Result<(), toml::de::Error> {
        let doc: toml::Table = toml::from_str(text)?;
        let str_of = |v: Option<&toml::Value>| v.and_then(toml::Value::as_str).map(str::to_owned);
        let strings = |v: Option<&toml::Value>| -> Vec<String> {
            v.and_then(toml::Value::as_array)
                .map(|a| {
                    a.iter()
                        .filter_map(toml::Value::as_str)
                        .take(MAX_ITEMS)
                        .map(str::to_owned)
                        .collect()
                })
                .unwrap_or_default()
        };
        if let Some(project) = doc.get("project").and_then(toml::Value::as_table) {
            if let Some(v) = str_of(project.get("name")) {
                Self::set(&mut self.name, &v);
            }
            if let Some(v) = str_of(project.get("version")) {
                Self::set(&mut self.version, &v);
            }
            if let Some(v) = str_of(project.get("description")) {
                Self::set(&mut self.summary, &v);
            }
            if let Some(urls) = project.get("urls").and_then(toml::Value::as_table) {
                for (label, url) in urls.iter().take(MAX_ITEMS) {
                    if let Some(url) = url.as_str() {
                        self.project_urls.push((label.clone(), url.to_owned()));
                    }
                }
            }
            if let Some(authors) = project.get("authors").and_then(toml::Value::as_array) {
                for a in authors.iter().filter_map(toml::Value::as_table) {
                    if let Some(v) = str_of(a.get("name")) {
                        Self::set(&mut self.author, &v);
                    }
                    if let Some(v) = str_of(a.get("email")) {
                        Self::set(&mut self.author_email, &v);
                    }
                }
            }
            let mut groups: Vec<(String, &toml::Table)> = Vec::new();
            for (key, group) in [
                ("scripts", "console_scripts"),
                ("gui-scripts", "gui_scripts"),
            ] {
                if let Some(t) = project.get(key).and_then(toml::Value::as_table) {
                    groups.push((group.to_owned(), t));
                }
            }
            if let Some(eps) = project.get("entry-points").and_then(toml::Value::as_table) {
                for (g, t) in eps {
                    if let Some(t) = t.as_table() {
                        groups.push((g.clone(), t));
                    }
                }
            }
            for (group, table) in groups {
                for (name, value) in table {
                    if let Some(value) = value.as_str()
                        && self.entry_points.len() < MAX_ITEMS
                    {
                        self.entry_points.push(EntryPoint {
                            group: group.clone(),
                            name: name.clone(),
                            value: value.to_owned(),
                            file: path.to_owned(),
                        });
                    }
                }
            }
        }
        if let Some(build) = doc.get("build-system").and_then(toml::Value::as_table) {
            self.build_backend = str_of(build.get("build-backend"));
            self.build_requires = strings(build.get("requires"));
            self.backend_path = strings(build.get("backend-path"));
        }
        Ok(())
    }

    fn apply_setup_cfg(&mut self, text: &str) {
        for (section, key, value) in ini(text) {
            if section != "metadata" {
                continue;
            }
            match key.as_str() {
                "name" => Self::set(&mut self.name, &value),
                "version" if !value.contains(':') => Self::set(&mut self.version, &value),
                "description" => Self::set(&mut self.summary, &value),
                "url" | "home_page" | "home-page" => Self::set(&mut self.home_page, &value),
                "author" => Self::set(&mut self.author, &value),
                "author_email" | "author-email" => Self::set(&mut self.author_email, &value),
                _ => {}
            }
        }
    }

    /// Every URL the package names as its own: home page and project URLs.
    pub fn urls(&self) -> impl Iterator<Item = &str> {
        self.home_page
            .iter()
            .map(String::as_str)
            .chain(self.project_urls.iter().map(|(_, u)| u.as_str()))
    }
}

/// `(section, key, value)` of an INI text; `;`/`#` comment lines skipped,
/// indented lines continue the previous value.
fn ini(text: &str) -> Vec<(String, String, String)> {
    let mut out: Vec<(String, String, String)> = Vec::new();
    let mut section = String::new();
    for line in text.lines() {
        let trimmed = line.trim();
        if trimmed.is_empty() || trimmed.starts_with(['#', ';']) {
            continue;
        }
        if line.starts_with([' ', '\t']) {
            if let Some((_, _, v)) = out.last_mut() {
                if !v.is_empty() {
                    v.push('\n');
                }
                v.push_str(trimmed);
            }
            continue;
        }
        if let Some(name) = trimmed.strip_prefix('[').and_then(|s| s.strip_suffix(']')) {
            section = name.trim().to_owned();
            continue;
        }
        let split = trimmed.find(['=', ':']);
        if let Some(i) = split
            && out.len() < MAX_ITEMS * 4
        {
            out.push((
                section.clone(),
                trimmed[..i].trim().to_ascii_lowercase(),
                trimmed[i + 1..].trim().to_owned(),
            ));
        }
    }
    out
}

/// Entry points of an `entry_points.txt`: `name = module:attr` per section.
fn ini_entries(text: &str) -> Vec<(String, String, String)> {
    let mut out = Vec::new();
    let mut section = String::new();
    for line in text.lines() {
        let t = line.trim();
        if t.is_empty() || t.starts_with(['#', ';']) {
            continue;
        }
        if let Some(name) = t.strip_prefix('[').and_then(|s| s.strip_suffix(']')) {
            section = name.trim().to_owned();
        } else if let Some((k, v)) = t.split_once('=') {
            out.push((section.clone(), k.trim().to_owned(), v.trim().to_owned()));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files(list: &[(&str, &str)]) -> Vec<PackageFile> {
        let mut v: Vec<PackageFile> = list
            .iter()
            .map(|(p, d)| PackageFile {
                path: (*p).to_owned(),
                data: d.as_bytes().to_vec(),
                executable: false,
            })
            .collect();
        v.sort_by(|a, b| a.path.cmp(&b.path));
        v
    }

    #[test]
    fn wheel_metadata_and_entry_points() {
        let meta = PythonMeta::read(&files(&[
            (
                "demo-1.2.0.dist-info/METADATA",
                "Metadata-Version: 2.1\nName: demo\nVersion: 1.2.0\nSummary: A demo\n  continued\nHome-page: https://demo.invalid\nAuthor-email: A <a@demo.invalid>\nProject-URL: Source, https://code.invalid/demo\n\nName: not-a-header\n",
            ),
            (
                "demo-1.2.0.dist-info/entry_points.txt",
                "[console_scripts]\ndemo = demo.cli:main\n",
            ),
            ("demo/__init__.py", ""),
        ]))
        .expect("a wheel");
        assert_eq!(meta.layout, Some(PythonLayout::Wheel));
        assert_eq!(meta.name.as_deref(), Some("demo"));
        assert_eq!(meta.version.as_deref(), Some("1.2.0"));
        assert_eq!(meta.summary.as_deref(), Some("A demo continued"));
        assert_eq!(
            meta.urls().collect::<Vec<_>>(),
            ["https://demo.invalid", "https://code.invalid/demo"]
        );
        assert_eq!(meta.entry_points.len(), 1);
        assert_eq!(meta.entry_points[0].value, "demo.cli:main");
        assert!(!meta.has_setup_py);
    }

    #[test]
    fn sdist_pyproject_and_setup_cfg() {
        let meta = PythonMeta::read(&files(&[
            ("PKG-INFO", "Name: lib\nVersion: 0.1\n"),
            (
                "pyproject.toml",
                "[build-system]\nrequires = [\"setuptools>=61\"]\nbuild-backend = \"backend\"\nbackend-path = [\"_build\"]\n[project]\nname = \"lib\"\n[project.scripts]\nlib = \"lib:main\"\n[project.urls]\nHomepage = \"https://lib.invalid\"\n",
            ),
            ("setup.cfg", "[metadata]\nauthor = Someone\nurl = https://x.invalid\n"),
            ("setup.py", "from setuptools import setup\nsetup()\n"),
        ]))
        .expect("an sdist");
        assert_eq!(meta.layout, Some(PythonLayout::Source));
        assert_eq!(meta.version.as_deref(), Some("0.1"));
        assert_eq!(meta.build_backend.as_deref(), Some("backend"));
        assert_eq!(meta.backend_path, ["_build"]);
        assert_eq!(meta.build_requires, ["setuptools>=61"]);
        assert_eq!(meta.author.as_deref(), Some("Someone"));
        assert_eq!(meta.home_page.as_deref(), Some("https://x.invalid"));
        assert_eq!(meta.entry_points[0].group, "console_scripts");
        assert!(meta.has_setup_py);
    }

    #[test]
    fn broken_pyproject_is_an_error_not_a_panic() {
        let meta = PythonMeta::read(&files(&[("pyproject.toml", "[project\nname=")]))
            .expect("marked as python");
        assert_eq!(meta.name, None);
        assert_eq!(meta.errors.len(), 1);
    }

    #[test]
    fn markers() {
        assert_eq!(marker_root("x-1.0/PKG-INFO"), Some("x-1.0"));
        assert_eq!(marker_root("setup.py"), Some(""));
        assert_eq!(marker_root("a.dist-info/METADATA"), Some(""));
        assert_eq!(marker_root("x/a.egg-info/PKG-INFO"), None);
        assert_eq!(marker_root("x/README"), None);
        assert!(PythonMeta::read(&files(&[("index.js", "")])).is_none());
    }
}
