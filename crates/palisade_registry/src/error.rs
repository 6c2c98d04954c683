//! Errors of the registry client. Messages never contain credentials.

use std::path::PathBuf;

/// Everything that can go wrong resolving configuration, packages and tarballs.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// No registry in `--registry`, the environment, `.npmrc` files or `npm config`.
    #[error(
        "no npm registry is configured ({reason}); set one with `--registry <url>`, the \
         `npm_config_registry` environment variable, a `registry=<url>` line in `.npmrc`, \
         or `npm config set registry <url>`"
    )]
    NoRegistry {
        /// Why the last resort, `npm config get registry`, gave nothing.
        reason: String,
    },

    /// No Python package index in `--index-url`, the environment, pip's or uv's files.
    #[error(
        "no Python package index is configured; set one with `--index-url <url>`, the \
         `PIP_INDEX_URL` environment variable, `index-url = <url>` under `[global]` in \
         `pip.conf` (`pip config set global.index-url <url>`), or a default `[[index]]` in \
         `uv.toml`"
    )]
    NoIndex,

    /// The Python index answered HTTP 401 or 403.
    #[error(
        "the package index refused access to `{package}` at `{url}` (HTTP {status}); {}",
        if *credentials_sent { "check the credentials in the index URL" }
        else { "no credentials are configured for it (write them in the index URL: `https://user:token@host/simple`)" }
    )]
    IndexRefused {
        /// The project concerned.
        package: String,
        /// The URL, without credentials.
        url: String,
        /// 401 or 403.
        status: u16,
        /// Whether an `Authorization` header was sent.
        credentials_sent: bool,
    },

    /// A configuration file that cannot be understood.
    #[error("invalid configuration file `{}`: {reason}", path.display())]
    InvalidConfig {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },

    /// A Python index answer that is not what the API promises.
    #[error("invalid answer from the package index for `{package}` at `{url}`: {reason}")]
    InvalidIndexPage {
        /// The project concerned.
        package: String,
        /// The URL, without credentials.
        url: String,
        /// What is wrong with it.
        reason: String,
    },

    /// The index lists no file that palisade can analyse for a release.
    #[error("`{package}=={version}` has no sdist or wheel on the package index{reason}")]
    NoDistribution {
        /// The project.
        package: String,
        /// The version.
        version: String,
        /// Extra detail (e.g. `: every file is yanked`), may be empty.
        reason: String,
    },

    /// A downloaded distribution file does not match the index's sha256.
    #[error(
        "sha256 check failed for `{file}` of `{package}`: expected `{expected}`, got `{actual}`"
    )]
    HashMismatch {
        /// The project.
        package: String,
        /// The file name.
        file: String,
        /// The hex digest the index (or lockfile) recorded.
        expected: String,
        /// The hex digest of the bytes received.
        actual: String,
    },

    /// A registry URL that does not parse or is not http(s).
    #[error("invalid registry URL `{url}` from {origin}: {reason}")]
    InvalidRegistryUrl {
        /// The URL, with any user information removed.
        url: String,
        /// Where it came from (a file, an environment variable...).
        origin: String,
        /// What is wrong with it.
        reason: String,
    },

    /// An `.npmrc` file exists but cannot be read.
    #[error("cannot read npm configuration `{}`", path.display())]
    ReadConfig {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },

    /// A package spec that is not `name`, `name@version`, `name@range` or `name@tag`.
    #[error("invalid package spec `{spec}`: {reason}")]
    InvalidSpec {
        /// The spec as given.
        spec: String,
        /// What is wrong with it.
        reason: String,
    },

    /// The HTTP client could not be built.
    #[error("cannot build the HTTP client")]
    HttpClient {
        /// The underlying error.
        source: reqwest::Error,
    },

    /// The request failed before a response arrived (connection, timeout...).
    #[error("request for `{package}` to `{url}` failed")]
    Request {
        /// The package concerned.
        package: String,
        /// The URL, without credentials.
        url: String,
        /// The underlying error (its URL removed).
        source: reqwest::Error,
    },

    /// The response body could not be read.
    #[error("cannot read the response for `{package}` from `{url}`")]
    ReadBody {
        /// The package concerned.
        package: String,
        /// The URL, without credentials.
        url: String,
        /// The underlying error.
        source: std::io::Error,
    },

    /// HTTP 404.
    #[error("package `{package}` was not found at `{url}` (HTTP 404)")]
    NotFound {
        /// The package concerned.
        package: String,
        /// The URL, without credentials.
        url: String,
    },

    /// HTTP 401 or 403.
    #[error(
        "the registry refused access to `{package}` at `{url}` (HTTP {status}); {}",
        if *credentials_sent { "check the credentials configured for it in `.npmrc`" }
        else { "no credentials are configured for it in `.npmrc`" }
    )]
    Unauthorized {
        /// The package concerned.
        package: String,
        /// The URL, without credentials.
        url: String,
        /// 401 or 403.
        status: u16,
        /// Whether an `Authorization` header was sent.
        credentials_sent: bool,
    },

    /// Any other non-success HTTP status.
    #[error("unexpected HTTP {status} for `{package}` from `{url}`")]
    Status {
        /// The package concerned.
        package: String,
        /// The URL, without credentials.
        url: String,
        /// The status code.
        status: u16,
    },

    /// The response is larger than the configured limit.
    #[error("the response for `{package}` from `{url}` exceeds the limit of {limit} bytes")]
    TooLarge {
        /// The package concerned.
        package: String,
        /// The URL, without credentials.
        url: String,
        /// The limit in bytes.
        limit: u64,
    },

    /// The packument is not the JSON we expect.
    #[error("invalid packument for `{package}` from `{url}`")]
    InvalidPackument {
        /// The package concerned.
        package: String,
        /// The URL, without credentials.
        url: String,
        /// The JSON error.
        source: serde_json::Error,
    },

    /// The spec names a dist-tag the package does not have.
    #[error("package `{package}` has no dist-tag `{tag}`")]
    UnknownTag {
        /// The package concerned.
        package: String,
        /// The tag.
        tag: String,
    },

    /// No published version satisfies the spec.
    #[error("no version of `{package}` matches `{req}`")]
    NoMatchingVersion {
        /// The package concerned.
        package: String,
        /// The version, range or tag asked for.
        req: String,
    },

    /// The version's `dist.tarball` is missing or is not an http(s) URL.
    #[error("`{package}@{version}` has no usable tarball URL (`dist.tarball` is `{tarball}`)")]
    InvalidTarballUrl {
        /// The package concerned.
        package: String,
        /// The version.
        version: String,
        /// The value found, without credentials.
        tarball: String,
    },

    /// Neither `dist.integrity` nor `dist.shasum` can be used to verify the tarball.
    #[error(
        "`{package}@{version}` has no usable `dist.integrity` or `dist.shasum` to verify its tarball"
    )]
    MissingDigest {
        /// The package concerned.
        package: String,
        /// The version.
        version: String,
    },

    /// The downloaded tarball does not match the recorded digest.
    #[error(
        "integrity check failed for `{package}@{version}`: expected `{expected}`, got `{actual}`"
    )]
    IntegrityMismatch {
        /// The package concerned.
        package: String,
        /// The version.
        version: String,
        /// The digest the registry recorded.
        expected: String,
        /// The digest of the bytes received.
        actual: String,
    },

    /// Offline mode, and what is needed is not in the cache.
    #[error(
        "`{package}`: the {what} is not in the cache, and offline mode forbids asking the registry; \
         run once without offline mode to fill the cache"
    )]
    Offline {
        /// The package concerned (`name` or `name@version`).
        package: String,
        /// What is missing: `packument`, `tarball`.
        what: &'static str,
    },
}

/// The URL as text, without user name or password.
pub(crate) fn redact_url(url: &url::Url) -> String {
    if url.username().is_empty() && url.password().is_none() {
        return url.to_string();
    }
    let mut url = url.clone();
    // Both only fail for URLs that cannot have credentials at all.
    let _ignored = url.set_username("");
    let _ignored = url.set_password(None);
    url.to_string()
}

/// Removes `user:pass@` from text that may or may not be a URL.
pub(crate) fn redact_url_text(text: &str) -> String {
    match url::Url::parse(text) {
        Ok(url) => redact_url(&url),
        Err(_) => match (text.find("://"), text.find('@')) {
            (Some(scheme_end), Some(at)) if at > scheme_end => {
                format!("{}://***@{}", &text[..scheme_end], &text[at + 1..])
            }
            _ => text.to_owned(),
        },
    }
}
