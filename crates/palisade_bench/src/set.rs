//! Labelled evaluation sets: a name, a label and a folder of packages.

use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// What every package of a set is known to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Label {
    Malicious,
    Benign,
}

impl Label {
    pub fn as_str(self) -> &'static str {
        match self {
            Label::Malicious => "malicious",
            Label::Benign => "benign",
        }
    }
}

impl fmt::Display for Label {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A `--set NAME=LABEL:DIR` argument that does not parse.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum SetSpecError {
    #[error("`{0}`: expected `NAME=LABEL:DIR`")]
    Shape(String),
    #[error("`{0}`: the label must be `malicious` or `benign` (optionally with `+py-files`)")]
    Label(String),
}

/// One evaluation set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SetSpec {
    pub name: String,
    pub label: Label,
    pub path: PathBuf,
    /// Every `.py` file under the folder is one package: the file, with its
    /// comments blanked out, as the only module of an in-memory package
    /// (`LABEL+py-files` in a `--set`).
    pub python_files: bool,
}

impl FromStr for SetSpec {
    type Err = SetSpecError;

    /// Parses `NAME=LABEL:DIR` or `NAME=LABEL+py-files:DIR`; a leading `~/`
    /// in `DIR` is the home folder.
    fn from_str(spec: &str) -> Result<Self, Self::Err> {
        let shape = || SetSpecError::Shape(spec.to_owned());
        let (name, rest) = spec.split_once('=').ok_or_else(shape)?;
        let (label, path) = rest.split_once(':').ok_or_else(shape)?;
        if name.is_empty() || path.is_empty() {
            return Err(shape());
        }
        let (label, python_files) = match label.strip_suffix("+py-files") {
            Some(l) => (l, true),
            None => (label, false),
        };
        let label = match label {
            "malicious" => Label::Malicious,
            "benign" => Label::Benign,
            _ => return Err(SetSpecError::Label(spec.to_owned())),
        };
        Ok(SetSpec {
            name: name.to_owned(),
            label,
            path: expand_home(path, std::env::var_os("HOME").map(PathBuf::from).as_deref()),
            python_files,
        })
    }
}

fn expand_home(path: &str, home: Option<&Path>) -> PathBuf {
    match (path.strip_prefix("~/"), home) {
        (Some(rest), Some(home)) => home.join(rest),
        _ => PathBuf::from(path),
    }
}

/// The default sets: `npm-malicious` and `mcp-malicious-python` (one
/// package per `.py` file) from `../shared/corpus` next to the workspace
/// root, and the two benign npm sets downloaded into
/// `~/.cache/palisade-corpus` by `shared/corpus/fetch-benign.sh`.
pub fn default_sets(workspace_root: &Path, home: &Path) -> Vec<SetSpec> {
    let cache = home.join(".cache").join("palisade-corpus");
    vec![
        SetSpec {
            name: "npm-malicious".to_owned(),
            label: Label::Malicious,
            path: workspace_root.join("../shared/corpus/npm-malicious"),
            python_files: false,
        },
        SetSpec {
            name: "mcp-malicious-python".to_owned(),
            label: Label::Malicious,
            path: workspace_root.join("../shared/corpus/mcp-malicious-python"),
            python_files: true,
        },
        SetSpec {
            name: "npm-benign-popular".to_owned(),
            label: Label::Benign,
            path: cache.join("npm-benign-popular"),
            python_files: false,
        },
        SetSpec {
            name: "npm-benign-mcp".to_owned(),
            label: Label::Benign,
            path: cache.join("npm-benign-mcp"),
            python_files: false,
        },
    ]
}

const ARCHIVE_SUFFIXES: [&str; 4] = [".tgz", ".tar.gz", ".tar", ".zip"];

/// The packages of a set folder, sorted by file name: archives
/// (`.tgz`, `.tar.gz`, `.tar`, `.zip`) and package folders. Anything else
/// (logs, lists) is ignored.
pub fn list_entries(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut entries = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let name = entry.file_name();
        let name = name.to_string_lossy();
        let is_archive = ARCHIVE_SUFFIXES.iter().any(|s| name.ends_with(s));
        if is_archive || entry.file_type()?.is_dir() {
            entries.push(entry.path());
        }
    }
    entries.sort();
    Ok(entries)
}

/// Every `.py` file under `dir` (recursively, links not followed), sorted by
/// path: the packages of a `+py-files` set.
pub fn list_python_files(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d)? {
            let entry = entry?;
            let ft = entry.file_type()?;
            if ft.is_dir() {
                stack.push(entry.path());
            } else if ft.is_file() && entry.file_name().to_string_lossy().ends_with(".py") {
                out.push(entry.path());
            }
        }
    }
    out.sort();
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_set_specs() {
        let spec: SetSpec = "mal=malicious:/data/mal".parse().expect("valid spec");
        assert_eq!(spec.name, "mal");
        assert_eq!(spec.label, Label::Malicious);
        assert_eq!(spec.path, PathBuf::from("/data/mal"));
        let spec: SetSpec = "b=benign:rel/dir:with-colon".parse().expect("valid spec");
        assert_eq!(spec.path, PathBuf::from("rel/dir:with-colon"));
        assert!(!spec.python_files);
        let spec: SetSpec = "py=malicious+py-files:/d".parse().expect("valid spec");
        assert!(spec.python_files);
        assert_eq!(spec.label, Label::Malicious);
    }

    #[test]
    fn rejects_bad_set_specs() {
        assert_eq!(
            "mal".parse::<SetSpec>(),
            Err(SetSpecError::Shape("mal".to_owned()))
        );
        assert_eq!(
            "=benign:/x".parse::<SetSpec>(),
            Err(SetSpecError::Shape("=benign:/x".to_owned()))
        );
        assert_eq!(
            "x=good:/x".parse::<SetSpec>(),
            Err(SetSpecError::Label("x=good:/x".to_owned()))
        );
        assert_eq!(
            SetSpecError::Label("x=good:/x".to_owned()).to_string(),
            "`x=good:/x`: the label must be `malicious` or `benign` (optionally with `+py-files`)"
        );
    }

    #[test]
    fn expands_home() {
        let home = Path::new("/home/u");
        assert_eq!(
            expand_home("~/c/set", Some(home)),
            PathBuf::from("/home/u/c/set")
        );
        assert_eq!(expand_home("/abs", Some(home)), PathBuf::from("/abs"));
        assert_eq!(expand_home("~/x", None), PathBuf::from("~/x"));
    }

    #[test]
    fn default_sets_resolve_against_root_and_home() {
        let sets = default_sets(Path::new("/w/main"), Path::new("/h"));
        let names: Vec<_> = sets.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "npm-malicious",
                "mcp-malicious-python",
                "npm-benign-popular",
                "npm-benign-mcp"
            ]
        );
        assert_eq!(
            sets[0].path,
            PathBuf::from("/w/main/../shared/corpus/npm-malicious")
        );
        assert!(sets[1].python_files);
        assert_eq!(
            sets[3].path,
            PathBuf::from("/h/.cache/palisade-corpus/npm-benign-mcp")
        );
    }

    #[test]
    fn lists_archives_and_folders_sorted() -> std::io::Result<()> {
        let dir = tempfile::tempdir()?;
        for name in [
            "b-1.0.0.tgz",
            "a-1.0.0.tar",
            "c.zip",
            "notes.log",
            "d.tar.gz",
        ] {
            std::fs::write(dir.path().join(name), b"")?;
        }
        std::fs::create_dir(dir.path().join("e-folder"))?;
        let names: Vec<String> = list_entries(dir.path())?
            .iter()
            .filter_map(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
            .collect();
        assert_eq!(
            names,
            [
                "a-1.0.0.tar",
                "b-1.0.0.tgz",
                "c.zip",
                "d.tar.gz",
                "e-folder"
            ]
        );
        Ok(())
    }
}
