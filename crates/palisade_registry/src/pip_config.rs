//! The Python package index to use, resolved the way pip and uv find it.
//!
//! Precedence: the caller's `--index-url` > `PIP_INDEX_URL` > `UV_DEFAULT_INDEX`
//! / `UV_INDEX_URL` > pip configuration files > uv configuration files. pip's
//! files are read as pip reads them, later ones winning: `/etc/xdg/pip/pip.conf`
//! (each folder of `XDG_CONFIG_DIRS`), `/etc/pip.conf`, `~/.pip/pip.conf`,
//! `~/.config/pip/pip.conf` (`XDG_CONFIG_HOME`), `$VIRTUAL_ENV/pip.conf`, then
//! `PIP_CONFIG_FILE` (`os.devnull` there turns the files off). In a file,
//! `[install] index-url` wins over `[global] index-url`. uv's files: the
//! nearest `uv.toml` up from the working folder, then `UV_CONFIG_FILE` or
//! `~/.config/uv/uv.toml`, then `/etc/uv/uv.toml`; in a file, the `[[index]]`
//! entry with `default = true`, else the top-level `index-url`.
//!
//! There is no built-in default: without any of these, loading fails with
//! [`Error::NoIndex`]. Credentials written in the URL (`https://user:token@…`)
//! are sent as HTTP Basic authentication and never shown.

use std::fmt;
use std::path::{Path, PathBuf};

use url::Url;

use crate::config::ConfigEnv;
use crate::error::{Error, redact_url, redact_url_text};

/// Largest configuration file read.
const MAX_CONFIG_BYTES: u64 = 1024 * 1024;

/// Where the index URL came from.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum IndexSource {
    /// Passed by the caller (`--index-url`).
    Override,
    /// An environment variable (its name).
    Env(String),
    /// A pip configuration file.
    PipConf(PathBuf),
    /// A uv configuration file.
    UvToml(PathBuf),
    /// Built in code ([`PipConfig::new`]).
    Explicit,
}

impl fmt::Display for IndexSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Override => f.write_str("`--index-url`"),
            Self::Env(name) => write!(f, "the environment variable `{name}`"),
            Self::PipConf(path) | Self::UvToml(path) => write!(f, "`{}`", path.display()),
            Self::Explicit => f.write_str("the caller"),
        }
    }
}

/// The resolved index: its simple API base and, when it has one, its JSON
/// API base. `Debug` shows no credentials.
#[derive(Clone)]
pub struct PipConfig {
    simple: Url,
    json_api: Option<Url>,
    source: IndexSource,
}

impl fmt::Debug for PipConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PipConfig")
            .field("simple", &redact_url(&self.simple))
            .field("json_api", &self.json_api.as_ref().map(redact_url))
            .field("source", &self.source)
            .finish()
    }
}

impl PipConfig {
    /// An index at `url` (its simple API base, e.g. `http://127.0.0.1:8080/simple`).
    ///
    /// # Errors
    /// [`Error::InvalidRegistryUrl`] when `url` is not an http(s) URL.
    pub fn new(url: &str) -> Result<Self, Error> {
        Self::from_url(url, IndexSource::Explicit)
    }

    fn from_url(url: &str, source: IndexSource) -> Result<Self, Error> {
        let simple = parse_index(url, &source.to_string())?;
        let json_api = json_api_of(&simple);
        Ok(Self {
            simple,
            json_api,
            source,
        })
    }

    /// Loads the index from the process environment and files.
    ///
    /// # Errors
    /// [`Error::NoIndex`] when nothing configures an index; invalid URLs and
    /// unreadable files.
    pub fn load(index_override: Option<&str>, cwd: &Path) -> Result<Self, Error> {
        Self::load_with(index_override, cwd, &ConfigEnv::from_process())
    }

    /// Like [`PipConfig::load`] with an explicit environment.
    ///
    /// # Errors
    /// See [`PipConfig::load`].
    pub fn load_with(
        index_override: Option<&str>,
        cwd: &Path,
        env: &ConfigEnv,
    ) -> Result<Self, Error> {
        Self::load_from(index_override, env, &pip_files(env), &uv_files(cwd, env))
    }

    /// The resolution itself, over the given pip and uv files (each list in
    /// increasing precedence for pip, decreasing for uv).
    ///
    /// # Errors
    /// See [`PipConfig::load`].
    pub fn load_from(
        index_override: Option<&str>,
        env: &ConfigEnv,
        pip_files: &[PathBuf],
        uv_files: &[PathBuf],
    ) -> Result<Self, Error> {
        if let Some(url) = index_override {
            return Self::from_url(url, IndexSource::Override);
        }
        for name in ["PIP_INDEX_URL", "UV_DEFAULT_INDEX", "UV_INDEX_URL"] {
            if let Some(value) = env.vars.get(name).filter(|v| !v.trim().is_empty()) {
                // pip takes the first of a space-separated list.
                let first = value.split_whitespace().next().unwrap_or_default();
                return Self::from_url(first, IndexSource::Env(name.to_owned()));
            }
        }
        let mut found: Option<(String, PathBuf)> = None;
        for path in pip_files {
            if let Some(text) = read_config(path)?
                && let Some(url) = pip_conf_index(&text)
            {
                found = Some((url, path.clone()));
            }
        }
        if let Some((url, path)) = found {
            return Self::from_url(&url, IndexSource::PipConf(path));
        }
        for path in uv_files {
            if let Some(text) = read_config(path)? {
                let value: toml::Table =
                    text.parse()
                        .map_err(|e: toml::de::Error| Error::InvalidConfig {
                            path: path.clone(),
                            reason: e.message().to_owned(),
                        })?;
                if let Some(url) = uv_toml_index(&value) {
                    return Self::from_url(&url, IndexSource::UvToml(path.clone()));
                }
            }
        }
        Err(Error::NoIndex)
    }

    /// The simple API base (`…/simple`), without a trailing slash.
    pub fn simple_url(&self) -> &Url {
        &self.simple
    }

    /// The JSON API base (`…/pypi`) when the index URL ends in `/simple`, as
    /// the main index and its mirrors lay it out; `None` otherwise.
    pub fn json_api_url(&self) -> Option<&Url> {
        self.json_api.as_ref()
    }

    /// Where the index came from.
    pub fn source(&self) -> &IndexSource {
        &self.source
    }
}

fn parse_index(value: &str, origin: &str) -> Result<Url, Error> {
    let trimmed = value.trim().trim_end_matches('/');
    let invalid = |reason: String| Error::InvalidRegistryUrl {
        url: redact_url_text(trimmed),
        origin: origin.to_owned(),
        reason,
    };
    let url = Url::parse(trimmed).map_err(|e| invalid(e.to_string()))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(invalid(
            "only http and https indexes are supported".to_owned(),
        ));
    }
    if url.cannot_be_a_base() || url.host_str().is_none() {
        return Err(invalid("the URL has no host".to_owned()));
    }
    Ok(url)
}

/// `…/simple` → `…/pypi`.
fn json_api_of(simple: &Url) -> Option<Url> {
    let path = simple.path().trim_end_matches('/');
    let base = path.strip_suffix("/simple")?;
    let mut url = simple.clone();
    url.set_path(&format!("{base}/pypi"));
    Some(url)
}

fn pip_files(env: &ConfigEnv) -> Vec<PathBuf> {
    let var = |name: &str| env.vars.get(name).filter(|v| !v.is_empty()).cloned();
    let config_file = var("PIP_CONFIG_FILE");
    if config_file.as_deref() == Some("/dev/null") || config_file.as_deref() == Some("nul") {
        return Vec::new();
    }
    let mut files = Vec::new();
    let xdg_dirs = var("XDG_CONFIG_DIRS").unwrap_or_else(|| "/etc/xdg".to_owned());
    for dir in xdg_dirs.split(':').filter(|d| !d.is_empty()) {
        files.push(Path::new(dir).join("pip").join("pip.conf"));
    }
    files.push(PathBuf::from("/etc/pip.conf"));
    if let Some(home) = &env.home {
        files.push(home.join(".pip").join("pip.conf"));
    }
    let config_home = var("XDG_CONFIG_HOME")
        .map(PathBuf::from)
        .or_else(|| env.home.as_ref().map(|h| h.join(".config")));
    if let Some(dir) = config_home {
        files.push(dir.join("pip").join("pip.conf"));
    }
    if let Some(venv) = var("VIRTUAL_ENV") {
        files.push(Path::new(&venv).join("pip.conf"));
    }
    if let Some(file) = config_file {
        files.push(PathBuf::from(file));
    }
    files
}

fn uv_files(cwd: &Path, env: &ConfigEnv) -> Vec<PathBuf> {
    let var = |name: &str| env.vars.get(name).filter(|v| !v.is_empty()).cloned();
    if var("UV_NO_CONFIG").is_some() {
        return Vec::new();
    }
    let mut files = Vec::new();
    if let Some(project) = cwd
        .ancestors()
        .map(|d| d.join("uv.toml"))
        .find(|p| p.is_file())
    {
        files.push(project);
    }
    if let Some(file) = var("UV_CONFIG_FILE") {
        files.push(PathBuf::from(file));
    } else {
        let config_home = var("XDG_CONFIG_HOME")
            .map(PathBuf::from)
            .or_else(|| env.home.as_ref().map(|h| h.join(".config")));
        if let Some(dir) = config_home {
            files.push(dir.join("uv").join("uv.toml"));
        }
    }
    files.push(PathBuf::from("/etc/uv/uv.toml"));
    files
}

/// A configuration file's text; `None` when it does not exist.
fn read_config(path: &Path) -> Result<Option<String>, Error> {
    let read_error = |source| Error::ReadConfig {
        path: path.to_owned(),
        source,
    };
    let meta = match std::fs::metadata(path) {
        Ok(meta) if meta.is_file() => meta,
        Ok(_) => return Ok(None),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(read_error(e)),
    };
    if meta.len() > MAX_CONFIG_BYTES {
        return Err(Error::InvalidConfig {
            path: path.to_owned(),
            reason: format!("over {MAX_CONFIG_BYTES} bytes"),
        });
    }
    let bytes = std::fs::read(path).map_err(read_error)?;
    Ok(Some(String::from_utf8_lossy(&bytes).into_owned()))
}

/// `index-url` of a pip configuration file (INI): `[install]` over `[global]`.
pub fn pip_conf_index(text: &str) -> Option<String> {
    let mut section = String::new();
    let mut global = None;
    let mut install = None;
    for line in text.lines() {
        let line = line.trim();
        if line.starts_with('#') || line.starts_with(';') || line.is_empty() {
            continue;
        }
        if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            name.trim().to_ascii_lowercase().clone_into(&mut section);
            continue;
        }
        let Some((key, value)) = line.split_once('=').or_else(|| line.split_once(':')) else {
            continue;
        };
        let key = key.trim().to_ascii_lowercase().replace('_', "-");
        if key != "index-url" && key != "i" {
            continue;
        }
        let value = value.trim().to_owned();
        match section.as_str() {
            "global" => global = Some(value),
            "install" => install = Some(value),
            _ => {}
        }
    }
    install.or(global).filter(|v| !v.is_empty())
}

/// The default index of a `uv.toml`: the `[[index]]` marked `default = true`,
/// else the top-level `index-url`.
pub fn uv_toml_index(table: &toml::Table) -> Option<String> {
    let from_list = table
        .get("index")
        .and_then(toml::Value::as_array)
        .and_then(|list| {
            list.iter().find_map(|entry| {
                let entry = entry.as_table()?;
                (entry.get("default").and_then(toml::Value::as_bool) == Some(true))
                    .then(|| entry.get("url")?.as_str().map(str::to_owned))
                    .flatten()
            })
        });
    from_list.or_else(|| {
        table
            .get("index-url")
            .and_then(toml::Value::as_str)
            .map(str::to_owned)
    })
}

#[cfg(test)]
mod tests {
    #![expect(clippy::unwrap_used, reason = "tests")]

    use std::collections::BTreeMap;
    use std::time::Duration;

    use super::*;

    fn env_in(home: &Path, pairs: &[(&str, &str)]) -> ConfigEnv {
        let vars: BTreeMap<String, String> = pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        ConfigEnv {
            vars,
            home: Some(home.to_owned()),
            npm_program: None,
            npm_timeout: Duration::from_secs(1),
        }
    }

    /// The user's files only: the machine's own `/etc` files stay out of the tests.
    fn load(over: Option<&str>, home: &Path, env: &ConfigEnv) -> Result<PipConfig, Error> {
        let pip: Vec<PathBuf> = pip_files(env)
            .into_iter()
            .filter(|p| p.starts_with(home))
            .collect();
        let uv: Vec<PathBuf> = uv_files(home, env)
            .into_iter()
            .filter(|p| p.starts_with(home))
            .collect();
        PipConfig::load_from(over, env, &pip, &uv)
    }

    #[test]
    fn pip_reads_files_in_pip_order() {
        let env = env_in(
            Path::new("/h"),
            &[("VIRTUAL_ENV", "/venv"), ("PIP_CONFIG_FILE", "/x/pip.ini")],
        );
        let files = pip_files(&env);
        let user = files
            .iter()
            .position(|p| p == Path::new("/h/.config/pip/pip.conf"));
        let legacy = files
            .iter()
            .position(|p| p == Path::new("/h/.pip/pip.conf"));
        let system = files.iter().position(|p| p == Path::new("/etc/pip.conf"));
        assert!(system < legacy && legacy < user, "{files:?}");
        assert_eq!(
            files.last().map(PathBuf::as_path),
            Some(Path::new("/x/pip.ini"))
        );
        assert!(files.contains(&PathBuf::from("/venv/pip.conf")));
        let off = env_in(Path::new("/h"), &[("PIP_CONFIG_FILE", "/dev/null")]);
        assert!(pip_files(&off).is_empty());
    }

    #[test]
    fn pip_conf_sections() {
        let text = "[global]\nindex-url = http://127.0.0.1:1/global/simple\n\
                    timeout = 60\n[install]\nindex_url=http://127.0.0.1:1/install/simple\n";
        assert_eq!(
            pip_conf_index(text).as_deref(),
            Some("http://127.0.0.1:1/install/simple")
        );
        assert_eq!(
            pip_conf_index("[global]\n# index-url = x\ncert = /x\n"),
            None
        );
        assert_eq!(
            pip_conf_index("[download]\nindex-url = http://127.0.0.1:1/simple\n"),
            None
        );
    }

    #[test]
    fn uv_toml_default_index() {
        let table: toml::Table = "[[index]]\nname = \"a\"\nurl = \"http://127.0.0.1:1/a/simple\"\n\
            [[index]]\nurl = \"http://127.0.0.1:1/b/simple\"\ndefault = true\n"
            .parse()
            .unwrap();
        assert_eq!(
            uv_toml_index(&table).as_deref(),
            Some("http://127.0.0.1:1/b/simple")
        );
        let table: toml::Table = "index-url = \"http://127.0.0.1:1/c/simple\"\n"
            .parse()
            .unwrap();
        assert_eq!(
            uv_toml_index(&table).as_deref(),
            Some("http://127.0.0.1:1/c/simple")
        );
    }

    #[test]
    fn precedence_and_json_api() {
        let dir = tempfile::tempdir().unwrap();
        let home = dir.path();
        std::fs::create_dir_all(home.join(".config/pip")).unwrap();
        std::fs::write(
            home.join(".config/pip/pip.conf"),
            "[global]\nindex-url = http://127.0.0.1:9/mirror/simple/\n",
        )
        .unwrap();
        let env = env_in(home, &[]);
        let config = load(None, home, &env).unwrap();
        assert_eq!(
            config.simple_url().as_str(),
            "http://127.0.0.1:9/mirror/simple"
        );
        assert_eq!(
            config.json_api_url().map(Url::as_str),
            Some("http://127.0.0.1:9/mirror/pypi")
        );
        assert!(matches!(config.source(), IndexSource::PipConf(_)));

        let env = env_in(home, &[("PIP_INDEX_URL", "http://127.0.0.1:9/env/simple")]);
        let config = load(None, home, &env).unwrap();
        assert_eq!(config.source(), &IndexSource::Env("PIP_INDEX_URL".into()));
        let config = load(Some("http://127.0.0.1:9/flat/"), home, &env).unwrap();
        assert_eq!(config.source(), &IndexSource::Override);
        // No `/simple` at the end: no JSON API.
        assert_eq!(config.json_api_url(), None);

        // PIP_CONFIG_FILE is read last and wins over the user file.
        let file = home.join("other.conf");
        std::fs::write(
            &file,
            "[global]\nindex-url = http://127.0.0.1:9/other/simple\n",
        )
        .unwrap();
        let env = env_in(home, &[("PIP_CONFIG_FILE", file.to_str().unwrap())]);
        let config = load(None, home, &env).unwrap();
        assert_eq!(
            config.simple_url().as_str(),
            "http://127.0.0.1:9/other/simple"
        );
    }

    #[test]
    fn uv_toml_when_pip_has_none() {
        let dir = tempfile::tempdir().unwrap();
        let home = dir.path();
        std::fs::write(
            home.join("uv.toml"),
            "[[index]]\nurl = \"http://127.0.0.1:9/uv/simple\"\ndefault = true\n",
        )
        .unwrap();
        let env = env_in(home, &[]);
        let config = load(None, home, &env).unwrap();
        assert!(matches!(config.source(), IndexSource::UvToml(_)));
        assert_eq!(config.simple_url().as_str(), "http://127.0.0.1:9/uv/simple");
    }

    #[test]
    fn nothing_configured_is_a_clear_error() {
        let dir = tempfile::tempdir().unwrap();
        let env = env_in(dir.path(), &[]);
        let error = load(None, dir.path(), &env).unwrap_err();
        assert!(matches!(error, Error::NoIndex));
        assert!(error.to_string().contains("PIP_INDEX_URL"), "{error}");
    }

    #[test]
    fn credentials_are_never_shown() {
        let error = PipConfig::new("ftp://user:secret@127.0.0.1/simple").unwrap_err();
        assert!(!error.to_string().contains("secret"), "{error}");
        let config = PipConfig::new("http://user:secret@127.0.0.1:9/simple").unwrap();
        assert!(!format!("{config:?}").contains("secret"));
    }
}
