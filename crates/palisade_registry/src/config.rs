//! Registry configuration, resolved the way npm resolves it.
//!
//! Precedence for the default registry: the caller's `--registry` > the
//! `npm_config_registry` (or `NPM_CONFIG_REGISTRY`) environment variable > the
//! nearest project `.npmrc` (walking up from the working directory) > the user
//! `.npmrc` (`$NPM_CONFIG_USERCONFIG`, else `~/.npmrc`) > `npm config get registry`.
//! There is no built-in default: without any of these, loading fails.
//!
//! Scoped registries (`@scope:registry=URL`) and credentials
//! (`//host/path/:_authToken=...`, `:_auth`, `:username` + `:_password`) come
//! from the `.npmrc` files, the project's winning over the user's. Values may
//! use `${ENV_VAR}` (left as is when unset) and `${ENV_VAR?}` (empty when unset).

use std::collections::BTreeMap;
use std::fmt;
use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use base64::Engine as _;
use url::Url;

use crate::error::{Error, redact_url, redact_url_text};

/// Default time allowed for `npm config get registry`.
pub const NPM_COMMAND_TIMEOUT: Duration = Duration::from_secs(10);

/// Where configuration is read from. [`ConfigEnv::from_process`] reads the real
/// process; tests build one by hand so they never touch the process environment.
#[derive(Clone, Default)]
pub struct ConfigEnv {
    /// Environment variables (for `npm_config_*` and `${VAR}` expansion).
    pub vars: BTreeMap<String, String>,
    /// The home directory holding the user `.npmrc`.
    pub home: Option<PathBuf>,
    /// The `npm` program to ask as a last resort; `None` skips that step.
    pub npm_program: Option<PathBuf>,
    /// How long `npm config get registry` may run.
    pub npm_timeout: Duration,
}

impl ConfigEnv {
    /// The process environment, `$HOME` (or `%USERPROFILE%`) and `npm` from `PATH`.
    pub fn from_process() -> Self {
        let vars: BTreeMap<String, String> = std::env::vars().collect();
        let home = vars
            .get("HOME")
            .or_else(|| vars.get("USERPROFILE"))
            .filter(|home| !home.is_empty())
            .map(PathBuf::from);
        Self {
            vars,
            home,
            npm_program: Some(PathBuf::from("npm")),
            npm_timeout: NPM_COMMAND_TIMEOUT,
        }
    }

    fn var(&self, name: &str) -> Option<&str> {
        self.vars
            .get(name)
            .map(String::as_str)
            .filter(|value| !value.is_empty())
    }
}

impl fmt::Debug for ConfigEnv {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Values may hold tokens: show names only.
        f.debug_struct("ConfigEnv")
            .field("vars", &self.vars.keys().collect::<Vec<_>>())
            .field("home", &self.home)
            .field("npm_program", &self.npm_program)
            .field("npm_timeout", &self.npm_timeout)
            .finish()
    }
}

/// Where the default registry came from.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum RegistrySource {
    /// Passed by the caller (`--registry`).
    Override,
    /// An environment variable (its name).
    Env(String),
    /// The project `.npmrc`.
    ProjectNpmrc(PathBuf),
    /// The user `.npmrc`.
    UserNpmrc(PathBuf),
    /// The output of `npm config get registry`.
    NpmCommand,
    /// Built in code ([`NpmConfig::new`]).
    Explicit,
}

impl fmt::Display for RegistrySource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Override => f.write_str("`--registry`"),
            Self::Env(name) => write!(f, "the environment variable `{name}`"),
            Self::ProjectNpmrc(path) | Self::UserNpmrc(path) => write!(f, "`{}`", path.display()),
            Self::NpmCommand => f.write_str("`npm config get registry`"),
            Self::Explicit => f.write_str("the caller"),
        }
    }
}

/// Credentials for one registry prefix. `Debug` never shows the secret.
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Credentials {
    /// `:_authToken`: sent as `Authorization: Bearer <token>`.
    Token(String),
    /// `:_auth`: base64 of `user:password`, sent as `Authorization: Basic <auth>`.
    Auth(String),
    /// `:username` and `:_password` (the password base64-encoded in `.npmrc`, decoded here).
    Basic {
        /// The user name.
        username: String,
        /// The decoded password.
        password: String,
    },
}

impl Credentials {
    /// The `Authorization` header value.
    pub fn header_value(&self) -> String {
        match self {
            Self::Token(token) => format!("Bearer {token}"),
            Self::Auth(auth) => format!("Basic {auth}"),
            Self::Basic { username, password } => format!(
                "Basic {}",
                base64::engine::general_purpose::STANDARD.encode(format!("{username}:{password}"))
            ),
        }
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Token(_) => f.write_str("Token(<redacted>)"),
            Self::Auth(_) => f.write_str("Auth(<redacted>)"),
            Self::Basic { username, .. } => f
                .debug_struct("Basic")
                .field("username", username)
                .field("password", &"<redacted>")
                .finish(),
        }
    }
}

/// The resolved npm configuration: default registry, scoped registries, credentials.
/// `Debug` shows no secret (credentials are redacted, URLs lose any user info).
#[derive(Clone)]
pub struct NpmConfig {
    registry: Url,
    source: RegistrySource,
    scoped: BTreeMap<String, Url>,
    /// Nerf-darted prefix (`//host[:port]/path/`) → credentials.
    credentials: BTreeMap<String, Credentials>,
}

impl fmt::Debug for NpmConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let scoped: BTreeMap<&str, String> = self
            .scoped
            .iter()
            .map(|(scope, url)| (scope.as_str(), redact_url(url)))
            .collect();
        f.debug_struct("NpmConfig")
            .field("registry", &redact_url(&self.registry))
            .field("source", &self.source)
            .field("scoped", &scoped)
            .field("credentials", &self.credentials)
            .finish()
    }
}

impl NpmConfig {
    /// A configuration with just a default registry (no scopes, no credentials).
    ///
    /// # Errors
    /// [`Error::InvalidRegistryUrl`] when `registry` is not an http(s) URL.
    pub fn new(registry: &str) -> Result<Self, Error> {
        Ok(Self {
            registry: parse_registry(registry, "the caller")?,
            source: RegistrySource::Explicit,
            scoped: BTreeMap::new(),
            credentials: BTreeMap::new(),
        })
    }

    /// Loads the configuration from the process environment and files.
    ///
    /// # Errors
    /// [`Error::NoRegistry`] when nothing configures a registry; errors for
    /// unreadable `.npmrc` files and invalid registry URLs.
    pub fn load(registry_override: Option<&str>, cwd: &Path) -> Result<Self, Error> {
        Self::load_with(registry_override, cwd, &ConfigEnv::from_process())
    }

    /// Like [`NpmConfig::load`] with an explicit environment.
    ///
    /// # Errors
    /// See [`NpmConfig::load`].
    pub fn load_with(
        registry_override: Option<&str>,
        cwd: &Path,
        env: &ConfigEnv,
    ) -> Result<Self, Error> {
        let project_path = find_project_npmrc(cwd);
        let user_path = env
            .var("npm_config_userconfig")
            .or_else(|| env.var("NPM_CONFIG_USERCONFIG"))
            .map(PathBuf::from)
            .or_else(|| env.home.as_ref().map(|home| home.join(".npmrc")));
        // The project file, when it is also the user file, counts once, as the user's.
        let project_path = project_path.filter(|project| Some(project) != user_path.as_ref());
        let project = match &project_path {
            Some(path) => read_npmrc(path, env)?,
            None => None,
        };
        let user = match &user_path {
            Some(path) => read_npmrc(path, env)?,
            None => None,
        };

        let env_registry = ["npm_config_registry", "NPM_CONFIG_REGISTRY"]
            .into_iter()
            .find_map(|name| env.var(name).map(|value| (name, value)));
        let (registry, source) = if let Some(url) = registry_override {
            (
                parse_registry(url, "`--registry`")?,
                RegistrySource::Override,
            )
        } else if let Some((name, value)) = env_registry {
            let source = RegistrySource::Env(name.to_owned());
            (parse_registry(value, &source.to_string())?, source)
        } else if let (Some(path), Some(value)) = (
            &project_path,
            project.as_ref().and_then(|map| map.get("registry")),
        ) {
            let source = RegistrySource::ProjectNpmrc(path.clone());
            (parse_registry(value, &source.to_string())?, source)
        } else if let (Some(path), Some(value)) = (
            &user_path,
            user.as_ref().and_then(|map| map.get("registry")),
        ) {
            let source = RegistrySource::UserNpmrc(path.clone());
            (parse_registry(value, &source.to_string())?, source)
        } else {
            let value =
                npm_config_get_registry(cwd, env).map_err(|reason| Error::NoRegistry { reason })?;
            (
                parse_registry(&value, "`npm config get registry`")?,
                RegistrySource::NpmCommand,
            )
        };

        // The project's settings win over the user's.
        let mut merged = user.unwrap_or_default();
        merged.extend(project.unwrap_or_default());

        let mut scoped = BTreeMap::new();
        for (key, value) in &merged {
            if let Some(scope) = key.strip_suffix(":registry")
                && scope.starts_with('@')
                && !scope.contains('/')
            {
                let origin = format!("`{key}` in `.npmrc`");
                scoped.insert(scope.to_owned(), parse_registry(value, &origin)?);
            }
        }

        Ok(Self {
            registry,
            source,
            scoped,
            credentials: collect_credentials(&merged),
        })
    }

    /// Adds (or replaces) the registry for `@scope`.
    ///
    /// # Errors
    /// [`Error::InvalidRegistryUrl`] when `registry` is not an http(s) URL.
    pub fn set_scope_registry(&mut self, scope: &str, registry: &str) -> Result<(), Error> {
        let scope = if scope.starts_with('@') {
            scope.to_owned()
        } else {
            format!("@{scope}")
        };
        let url = parse_registry(registry, "the caller")?;
        self.scoped.insert(scope, url);
        Ok(())
    }

    /// Sets the credentials used for every URL under `registry_prefix`.
    ///
    /// # Errors
    /// [`Error::InvalidRegistryUrl`] when `registry_prefix` is not an http(s) URL.
    pub fn set_credentials(
        &mut self,
        registry_prefix: &str,
        credentials: Credentials,
    ) -> Result<(), Error> {
        let url = parse_registry(registry_prefix, "the caller")?;
        self.credentials.insert(nerf_dart(&url), credentials);
        Ok(())
    }

    /// The default registry, always ending with `/`.
    pub fn registry(&self) -> &Url {
        &self.registry
    }

    /// Where the default registry came from.
    pub fn registry_source(&self) -> &RegistrySource {
        &self.source
    }

    /// The registry serving `package`: its scope's registry, else the default.
    pub fn registry_for(&self, package: &str) -> &Url {
        package
            .split_once('/')
            .filter(|(scope, _)| scope.starts_with('@'))
            .and_then(|(scope, _)| self.scoped.get(scope))
            .unwrap_or(&self.registry)
    }

    /// The credentials npm would send to `url`: those of the longest configured
    /// prefix (`//host[:port]/path/`) that contains it.
    pub fn credentials_for(&self, url: &Url) -> Option<&Credentials> {
        let mut key = nerf_dart(url);
        loop {
            if let Some(credentials) = self.credentials.get(&key) {
                return Some(credentials);
            }
            // `//host/a/b/` → `//host/a/`; stop after `//host/`.
            let trimmed = key.strip_suffix('/')?;
            let cut = trimmed.rfind('/')?;
            if cut < 2 {
                return None;
            }
            key.truncate(cut + 1);
        }
    }
}

fn parse_registry(value: &str, origin: &str) -> Result<Url, Error> {
    let invalid = |reason: String| Error::InvalidRegistryUrl {
        url: redact_url_text(value),
        origin: origin.to_owned(),
        reason,
    };
    let mut url = Url::parse(value.trim()).map_err(|error| invalid(error.to_string()))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(invalid(
            "only `http` and `https` registries are supported".into(),
        ));
    }
    if !url.path().ends_with('/') {
        let path = format!("{}/", url.path());
        url.set_path(&path);
    }
    Ok(url)
}

/// npm's "nerf dart": `//host[:port]/directory/` of a URL.
fn nerf_dart(url: &Url) -> String {
    let host = url.host_str().unwrap_or_default();
    let port = url
        .port()
        .map(|port| format!(":{port}"))
        .unwrap_or_default();
    let path = url.path();
    let dir = path.rfind('/').map_or("/", |cut| &path[..=cut]);
    format!("//{host}{port}{dir}")
}

fn collect_credentials(config: &BTreeMap<String, String>) -> BTreeMap<String, Credentials> {
    let mut credentials = BTreeMap::new();
    let mut usernames: BTreeMap<&str, &str> = BTreeMap::new();
    let mut passwords: BTreeMap<&str, &str> = BTreeMap::new();
    let mut auths: BTreeMap<&str, &str> = BTreeMap::new();
    for (key, value) in config {
        let Some((prefix, field)) = key.rsplit_once(":") else {
            continue;
        };
        if !prefix.starts_with("//") || value.is_empty() {
            continue;
        }
        match field {
            "_authToken" => {
                credentials.insert(normalise_prefix(prefix), Credentials::Token(value.clone()));
            }
            "_auth" => {
                auths.insert(prefix, value);
            }
            "username" => {
                usernames.insert(prefix, value);
            }
            "_password" => {
                passwords.insert(prefix, value);
            }
            _ => {}
        }
    }
    // A token wins over `_auth`, which wins over username and password (as npm).
    for (prefix, auth) in auths {
        credentials
            .entry(normalise_prefix(prefix))
            .or_insert_with(|| Credentials::Auth(auth.to_owned()));
    }
    for (prefix, username) in usernames {
        let Some(password) = passwords.get(prefix) else {
            continue;
        };
        let decoded = base64::engine::general_purpose::STANDARD
            .decode(password.trim())
            .ok()
            .and_then(|bytes| String::from_utf8(bytes).ok());
        if let Some(password) = decoded {
            credentials
                .entry(normalise_prefix(prefix))
                .or_insert_with(|| Credentials::Basic {
                    username: username.to_owned(),
                    password,
                });
        }
    }
    credentials
}

/// `//host/path` → `//host/path/`, so it compares with [`nerf_dart`] output.
fn normalise_prefix(prefix: &str) -> String {
    if prefix.ends_with('/') {
        prefix.to_owned()
    } else {
        format!("{prefix}/")
    }
}

/// The nearest `.npmrc` in `cwd` or one of its ancestors.
fn find_project_npmrc(cwd: &Path) -> Option<PathBuf> {
    cwd.ancestors()
        .map(|dir| dir.join(".npmrc"))
        .find(|path| path.is_file())
}

fn read_npmrc(path: &Path, env: &ConfigEnv) -> Result<Option<BTreeMap<String, String>>, Error> {
    match std::fs::read_to_string(path) {
        Ok(text) => Ok(Some(parse_npmrc(&text, &env.vars))),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(source) => Err(Error::ReadConfig {
            path: path.to_owned(),
            source,
        }),
    }
}

/// Parses `.npmrc` (ini) text into key → value, expanding `${VAR}` in keys and values.
/// Lines inside `[section]`s are ignored, as npm ignores them.
pub fn parse_npmrc(text: &str, vars: &BTreeMap<String, String>) -> BTreeMap<String, String> {
    let mut config = BTreeMap::new();
    let mut in_section = false;
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with(';') || line.starts_with('#') {
            continue;
        }
        if line.starts_with('[') && line.ends_with(']') {
            in_section = true;
            continue;
        }
        if in_section {
            continue;
        }
        let (key, value) = match line.split_once('=') {
            Some((key, value)) => (key.trim(), unquote(value.trim())),
            None => (line, "true".to_owned()),
        };
        let key = unquote(key);
        if key.is_empty() || key.ends_with("[]") {
            continue;
        }
        config.insert(expand_env(&key, vars), expand_env(&value, vars));
    }
    config
}

/// ini value rules: `"..."` is a JSON string, `'...'` is literal, otherwise an
/// unescaped `;` or `#` starts a comment and `\;`, `\#`, `\\` are escapes.
fn unquote(value: &str) -> String {
    if value.len() >= 2
        && value.starts_with('"')
        && value.ends_with('"')
        && let Ok(text) = serde_json::from_str::<String>(value)
    {
        return text;
    }
    if value.len() >= 2 && value.starts_with('\'') && value.ends_with('\'') {
        return value[1..value.len() - 1].to_owned();
    }
    let mut out = String::with_capacity(value.len());
    let mut escaped = false;
    for c in value.chars() {
        if escaped {
            if !matches!(c, '\\' | ';' | '#') {
                out.push('\\');
            }
            out.push(c);
            escaped = false;
        } else if c == ';' || c == '#' {
            break;
        } else if c == '\\' {
            escaped = true;
        } else {
            out.push(c);
        }
    }
    if escaped {
        out.push('\\');
    }
    out.trim().to_owned()
}

/// npm's `${VAR}` expansion: unset variables stay as written, `${VAR?}` becomes
/// empty when unset, and `\${VAR}` is a literal `${VAR}`.
pub fn expand_env(value: &str, vars: &BTreeMap<String, String>) -> String {
    let mut out = String::with_capacity(value.len());
    let mut rest = value;
    while let Some(start) = rest.find("${") {
        let (before, after) = rest.split_at(start);
        let backslashes = before.len() - before.trim_end_matches('\\').len();
        let Some(end) = after.find('}') else {
            break;
        };
        let inner = &after[2..end];
        let valid = !inner.is_empty() && !inner.contains(['$', '{']);
        if !valid {
            out.push_str(before);
            out.push_str("${");
            rest = &after[2..];
            continue;
        }
        // Keep half the backslashes; an odd count escapes the expression.
        out.push_str(&before[..before.len() - backslashes]);
        out.push_str(&"\\".repeat(backslashes / 2));
        if backslashes % 2 == 1 {
            out.push_str(&after[..=end]);
        } else {
            let (name, optional) = match inner.strip_suffix('?') {
                Some(name) => (name, true),
                None => (inner, false),
            };
            match vars.get(name) {
                Some(found) => out.push_str(found),
                None if optional => {}
                None => out.push_str(&after[..=end]),
            }
        }
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    out
}

/// Runs `npm config get registry` in `cwd` with `env.vars` as its whole
/// environment, killing it after `env.npm_timeout`.
fn npm_config_get_registry(cwd: &Path, env: &ConfigEnv) -> Result<String, String> {
    let Some(program) = &env.npm_program else {
        return Err("nothing set `registry` and asking `npm` is disabled".to_owned());
    };
    let mut child = Command::new(program)
        .args(["config", "get", "registry"])
        .current_dir(cwd)
        .env_clear()
        .envs(&env.vars)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|error| {
            format!(
                "nothing set `registry` and `{}` could not be run: {error}",
                program.display()
            )
        })?;
    let reader = child.stdout.take().map(|mut stdout| {
        std::thread::spawn(move || {
            let mut out = Vec::new();
            // Bounded: a registry URL is short.
            let _ignored = (&mut stdout).take(64 * 1024).read_to_end(&mut out);
            out
        })
    });
    let deadline = Instant::now() + env.npm_timeout;
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if Instant::now() < deadline => {
                std::thread::sleep(Duration::from_millis(20));
            }
            Ok(None) => {
                let _ignored = child.kill();
                let _ignored = child.wait();
                return Err(format!(
                    "nothing set `registry` and `npm config get registry` did not answer within {} s",
                    env.npm_timeout.as_secs()
                ));
            }
            Err(error) => return Err(format!("waiting for `npm config get registry`: {error}")),
        }
    };
    let output = reader
        .and_then(|reader| reader.join().ok())
        .unwrap_or_default();
    if !status.success() {
        return Err(format!(
            "nothing set `registry` and `npm config get registry` failed ({status})"
        ));
    }
    let value = String::from_utf8_lossy(&output).trim().to_owned();
    if value.is_empty() || value == "undefined" || value == "null" {
        return Err("nothing set `registry`, not even `npm config get registry`".to_owned());
    }
    Ok(value)
}

#[cfg(test)]
mod tests {
    #![expect(clippy::unwrap_used, reason = "tests")]

    use super::*;

    fn vars(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    /// An environment with a home in `home` and no `npm`.
    fn env_in(home: &Path, pairs: &[(&str, &str)]) -> ConfigEnv {
        ConfigEnv {
            vars: vars(pairs),
            home: Some(home.to_owned()),
            npm_program: None,
            npm_timeout: Duration::from_secs(5),
        }
    }

    struct Dirs {
        _root: tempfile::TempDir,
        home: PathBuf,
        project: PathBuf,
        nested: PathBuf,
    }

    fn dirs() -> Dirs {
        let root = tempfile::tempdir().unwrap();
        let home = root.path().join("home");
        let project = root.path().join("work/project");
        let nested = project.join("packages/a");
        std::fs::create_dir_all(&home).unwrap();
        std::fs::create_dir_all(&nested).unwrap();
        Dirs {
            _root: root,
            home,
            project,
            nested,
        }
    }

    #[test]
    fn parses_ini_values() {
        let text = "; comment\n# comment\nregistry = http://127.0.0.1:1/ ; trailing\n\
                    quoted=\"a;b\"\nsingle='c#d'\nflag\nlist[]=x\n[section]\nregistry=http://ignored.invalid/\n";
        let config = parse_npmrc(text, &BTreeMap::new());
        assert_eq!(config["registry"], "http://127.0.0.1:1/");
        assert_eq!(config["quoted"], "a;b");
        assert_eq!(config["single"], "c#d");
        assert_eq!(config["flag"], "true");
        assert!(!config.contains_key("list[]"));
        assert_eq!(config.len(), 4);
    }

    #[test]
    fn expands_environment_variables() {
        let vars = vars(&[("TOKEN", "s3cret"), ("HOST", "127.0.0.1")]);
        assert_eq!(expand_env("${TOKEN}", &vars), "s3cret");
        assert_eq!(expand_env("a-${TOKEN}-b", &vars), "a-s3cret-b");
        assert_eq!(expand_env("${MISSING}", &vars), "${MISSING}");
        assert_eq!(expand_env("${MISSING?}", &vars), "");
        assert_eq!(expand_env("\\${TOKEN}", &vars), "${TOKEN}");
        assert_eq!(expand_env("\\\\${TOKEN}", &vars), "\\s3cret");
        assert_eq!(expand_env("$TOKEN ${", &vars), "$TOKEN ${");
        let config = parse_npmrc("//${HOST}:1/:_authToken=${TOKEN}", &vars);
        assert_eq!(config["//127.0.0.1:1/:_authToken"], "s3cret");
    }

    #[test]
    fn override_beats_everything() {
        let d = dirs();
        std::fs::write(d.project.join(".npmrc"), "registry=http://127.0.0.1:3/\n").unwrap();
        let env = env_in(&d.home, &[("npm_config_registry", "http://127.0.0.1:2/")]);
        let config = NpmConfig::load_with(Some("http://127.0.0.1:1"), &d.nested, &env).unwrap();
        assert_eq!(config.registry().as_str(), "http://127.0.0.1:1/");
        assert_eq!(config.registry_source(), &RegistrySource::Override);
    }

    #[test]
    fn env_beats_npmrc_and_lowercase_wins() {
        let d = dirs();
        std::fs::write(d.project.join(".npmrc"), "registry=http://127.0.0.1:3/\n").unwrap();
        let env = env_in(
            &d.home,
            &[
                ("NPM_CONFIG_REGISTRY", "http://127.0.0.1:4/"),
                ("npm_config_registry", "http://127.0.0.1:2/"),
            ],
        );
        let config = NpmConfig::load_with(None, &d.nested, &env).unwrap();
        assert_eq!(config.registry().as_str(), "http://127.0.0.1:2/");
        let env = env_in(&d.home, &[("NPM_CONFIG_REGISTRY", "http://127.0.0.1:4/")]);
        let config = NpmConfig::load_with(None, &d.nested, &env).unwrap();
        assert_eq!(config.registry().as_str(), "http://127.0.0.1:4/");
        assert_eq!(
            config.registry_source(),
            &RegistrySource::Env("NPM_CONFIG_REGISTRY".into())
        );
    }

    #[test]
    fn project_npmrc_beats_user_npmrc() {
        let d = dirs();
        std::fs::write(d.project.join(".npmrc"), "registry=http://127.0.0.1:3\n").unwrap();
        std::fs::write(d.home.join(".npmrc"), "registry=http://127.0.0.1:5/\n").unwrap();
        let env = env_in(&d.home, &[]);
        let config = NpmConfig::load_with(None, &d.nested, &env).unwrap();
        assert_eq!(config.registry().as_str(), "http://127.0.0.1:3/");
        assert_eq!(
            config.registry_source(),
            &RegistrySource::ProjectNpmrc(d.project.join(".npmrc"))
        );
    }

    #[test]
    fn project_npmrc_without_registry_falls_through_to_user() {
        let d = dirs();
        std::fs::write(d.project.join(".npmrc"), "save-exact=true\n").unwrap();
        std::fs::write(d.home.join(".npmrc"), "registry=http://127.0.0.1:5/npm\n").unwrap();
        let config = NpmConfig::load_with(None, &d.nested, &env_in(&d.home, &[])).unwrap();
        assert_eq!(config.registry().as_str(), "http://127.0.0.1:5/npm/");
        assert_eq!(
            config.registry_source(),
            &RegistrySource::UserNpmrc(d.home.join(".npmrc"))
        );
    }

    #[test]
    fn userconfig_variable_replaces_home_npmrc() {
        let d = dirs();
        std::fs::write(d.home.join(".npmrc"), "registry=http://127.0.0.1:5/\n").unwrap();
        let other = d.home.join("other.npmrc");
        std::fs::write(&other, "registry=http://127.0.0.1:6/\n").unwrap();
        let env = env_in(
            &d.home,
            &[("NPM_CONFIG_USERCONFIG", other.to_str().unwrap())],
        );
        let config = NpmConfig::load_with(None, &d.nested, &env).unwrap();
        assert_eq!(config.registry().as_str(), "http://127.0.0.1:6/");
    }

    #[test]
    fn no_registry_is_a_clear_error() {
        let d = dirs();
        let error = NpmConfig::load_with(None, &d.nested, &env_in(&d.home, &[])).unwrap_err();
        assert!(matches!(error, Error::NoRegistry { .. }));
        let message = error.to_string();
        assert!(
            message.starts_with("no npm registry is configured"),
            "{message}"
        );
        assert!(message.contains("`npm_config_registry`"), "{message}");

        let mut env = env_in(&d.home, &[]);
        env.npm_program = Some(d.home.join("no-such-npm"));
        let error = NpmConfig::load_with(None, &d.nested, &env).unwrap_err();
        assert!(error.to_string().contains("could not be run"), "{error}");
    }

    #[cfg(unix)]
    #[test]
    fn asks_npm_as_a_last_resort() {
        use std::os::unix::fs::PermissionsExt as _;
        let d = dirs();
        // All scripts are written before any runs (a file still open for
        // writing cannot be executed).
        let script = |name: &str, body: &str| {
            let path = d.home.join(name);
            std::fs::write(&path, format!("#!/bin/sh\n{body}\n")).unwrap();
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
            path
        };
        let answers = script("npm-answers", "echo \"http://127.0.0.1:7/\"");
        let undefined = script("npm-undefined", "echo undefined");
        let slow = script("npm-slow", "exec sleep 5");

        let mut env = env_in(&d.home, &[]);
        env.npm_program = Some(answers);
        let config = NpmConfig::load_with(None, &d.nested, &env).unwrap();
        assert_eq!(config.registry().as_str(), "http://127.0.0.1:7/");
        assert_eq!(config.registry_source(), &RegistrySource::NpmCommand);

        env.npm_program = Some(undefined);
        let error = NpmConfig::load_with(None, &d.nested, &env).unwrap_err();
        assert!(matches!(error, Error::NoRegistry { .. }));

        env.npm_program = Some(slow);
        env.npm_timeout = Duration::from_millis(200);
        let started = Instant::now();
        let error = NpmConfig::load_with(None, &d.nested, &env).unwrap_err();
        assert!(error.to_string().contains("did not answer"), "{error}");
        assert!(started.elapsed() < Duration::from_secs(3));
    }

    #[test]
    fn invalid_registry_url_is_reported_without_credentials() {
        let d = dirs();
        let env = env_in(
            &d.home,
            &[("npm_config_registry", "ftp://user:pw@127.0.0.1/")],
        );
        let error = NpmConfig::load_with(None, &d.nested, &env).unwrap_err();
        let message = error.to_string();
        assert!(message.contains("`npm_config_registry`"), "{message}");
        assert!(!message.contains("pw"), "{message}");
    }

    #[test]
    fn scoped_registries_per_package() {
        let d = dirs();
        std::fs::write(
            d.home.join(".npmrc"),
            "registry=http://127.0.0.1:5/\n@corp:registry=http://127.0.0.1:8/corp/\n@other:registry=http://127.0.0.1:9\n",
        )
        .unwrap();
        std::fs::write(
            d.project.join(".npmrc"),
            "@other:registry=http://127.0.0.1:10/\n",
        )
        .unwrap();
        let config = NpmConfig::load_with(None, &d.nested, &env_in(&d.home, &[])).unwrap();
        assert_eq!(
            config.registry_for("left-pad").as_str(),
            "http://127.0.0.1:5/"
        );
        assert_eq!(
            config.registry_for("@corp/x").as_str(),
            "http://127.0.0.1:8/corp/"
        );
        assert_eq!(
            config.registry_for("@other/x").as_str(),
            "http://127.0.0.1:10/"
        );
        assert_eq!(
            config.registry_for("@nobody/x").as_str(),
            "http://127.0.0.1:5/"
        );
    }

    #[test]
    fn credentials_match_by_longest_prefix() {
        let d = dirs();
        std::fs::write(
            d.home.join(".npmrc"),
            "registry=http://127.0.0.1:5/\n\
             //127.0.0.1:5/:_authToken=${NPM_TOKEN}\n\
             //127.0.0.1:8/corp/:_auth=dXNlcjpwYXNz\n\
             //127.0.0.1:9/:username=alice\n\
             //127.0.0.1:9/:_password=aHVudGVyMg==\n",
        )
        .unwrap();
        let env = env_in(&d.home, &[("NPM_TOKEN", "tok-123")]);
        let config = NpmConfig::load_with(None, &d.nested, &env).unwrap();
        let url = |s: &str| Url::parse(s).unwrap();
        assert_eq!(
            config.credentials_for(&url("http://127.0.0.1:5/left-pad")),
            Some(&Credentials::Token("tok-123".into()))
        );
        assert_eq!(
            config
                .credentials_for(&url("http://127.0.0.1:5/left-pad/-/left-pad-1.0.0.tgz"))
                .map(Credentials::header_value)
                .as_deref(),
            Some("Bearer tok-123")
        );
        assert_eq!(
            config
                .credentials_for(&url("http://127.0.0.1:8/corp/@corp%2fx"))
                .map(Credentials::header_value)
                .as_deref(),
            Some("Basic dXNlcjpwYXNz")
        );
        assert_eq!(
            config.credentials_for(&url("http://127.0.0.1:8/other/x")),
            None
        );
        assert_eq!(
            config.credentials_for(&url("http://127.0.0.1:9/x")),
            Some(&Credentials::Basic {
                username: "alice".into(),
                password: "hunter2".into()
            })
        );
        assert_eq!(config.credentials_for(&url("http://127.0.0.1:6/x")), None);
    }

    #[test]
    fn debug_redacts_secrets() {
        let mut config = NpmConfig::new("http://user:pw-in-url@127.0.0.1:5/").unwrap();
        config
            .set_credentials("http://127.0.0.1:5/", Credentials::Token("tok-123".into()))
            .unwrap();
        config
            .set_credentials(
                "http://127.0.0.1:6/",
                Credentials::Basic {
                    username: "alice".into(),
                    password: "hunter2".into(),
                },
            )
            .unwrap();
        let debug = format!("{config:?}");
        assert!(!debug.contains("tok-123"), "{debug}");
        assert!(!debug.contains("hunter2"), "{debug}");
        assert!(!debug.contains("pw-in-url"), "{debug}");
        assert!(debug.contains("<redacted>"), "{debug}");
        let env = env_in(Path::new("/nonexistent"), &[("NPM_TOKEN", "tok-123")]);
        assert!(!format!("{env:?}").contains("tok-123"));
    }
}
