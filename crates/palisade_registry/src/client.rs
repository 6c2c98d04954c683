//! The blocking registry client: packuments, version selection, verified tarballs.

use std::time::Duration;

use nodejs_semver::{Range, Version};
use reqwest::header::HeaderValue;
use url::Url;

use crate::cache::Cache;
use crate::config::NpmConfig;
use crate::error::{Error, redact_url, redact_url_text};
use crate::http::Http;
use crate::integrity::Integrity;
use crate::packument::{Packument, VersionManifest};
use crate::spec::{PackageSpec, VersionReq, encode_name, validate_name};

/// `Accept` for packuments: the abbreviated ("corgi") form when the registry has it.
pub const ACCEPT_ABBREVIATED: &str =
    "application/vnd.npm.install-v1+json; q=1.0, application/json; q=0.8";

/// Limits and timeouts of a [`Client`].
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ClientOptions {
    /// Largest tarball accepted, in bytes (default 256 MiB).
    pub max_tarball_bytes: u64,
    /// Largest packument accepted, in bytes (default 256 MiB; some full
    /// packuments of old, busy packages are over 100 MiB).
    pub max_packument_bytes: u64,
    /// Time to connect (default 10 s).
    pub connect_timeout: Duration,
    /// Time for a whole request, body included (default 60 s).
    pub timeout: Duration,
    /// Further attempts after a connection failure, a read error or a
    /// 429/500/502/503/504 answer (default 2), waiting `retry_delay`,
    /// then twice that, and so on.
    pub retries: u32,
    /// The first wait between attempts (default 250 ms).
    pub retry_delay: Duration,
}

impl Default for ClientOptions {
    fn default() -> Self {
        Self {
            max_tarball_bytes: 256 * 1024 * 1024,
            max_packument_bytes: 256 * 1024 * 1024,
            connect_timeout: Duration::from_secs(10),
            timeout: Duration::from_secs(60),
            retries: 2,
            retry_delay: Duration::from_millis(250),
        }
    }
}

impl ClientOptions {
    /// Sets the largest tarball accepted.
    #[must_use]
    pub fn max_tarball_bytes(mut self, bytes: u64) -> Self {
        self.max_tarball_bytes = bytes;
        self
    }

    /// Sets the largest packument accepted.
    #[must_use]
    pub fn max_packument_bytes(mut self, bytes: u64) -> Self {
        self.max_packument_bytes = bytes;
        self
    }

    /// Sets the time allowed for a whole request.
    #[must_use]
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Sets how many times a failed request is tried again, and the first wait.
    #[must_use]
    pub fn retries(mut self, retries: u32, first_delay: Duration) -> Self {
        self.retries = retries;
        self.retry_delay = first_delay;
        self
    }
}

/// A version picked from a packument: what to download and how to check it.
#[derive(Debug, Clone)]
pub struct ResolvedVersion {
    /// The package name.
    pub name: String,
    /// The exact version.
    pub version: String,
    /// `dist.tarball`.
    pub tarball: Url,
    /// `dist.integrity`, when present.
    pub integrity: Option<String>,
    /// `dist.shasum`, when present.
    pub shasum: Option<String>,
    /// The version's manifest from the packument.
    pub manifest: VersionManifest,
}

/// A blocking npm registry client.
#[derive(Debug)]
pub struct Client {
    config: NpmConfig,
    options: ClientOptions,
    http: Http,
    cache: Option<Cache>,
}

impl Client {
    /// A client with default limits.
    ///
    /// # Errors
    /// [`Error::HttpClient`] when the TLS backend cannot be set up.
    pub fn new(config: NpmConfig) -> Result<Self, Error> {
        Self::with_options(config, ClientOptions::default())
    }

    /// A client with the given limits and timeouts.
    ///
    /// # Errors
    /// [`Error::HttpClient`] when the TLS backend cannot be set up.
    pub fn with_options(config: NpmConfig, options: ClientOptions) -> Result<Self, Error> {
        let http = Http::new(&options)?;
        Ok(Self {
            config,
            options,
            http,
            cache: None,
        })
    }

    /// Uses `cache` for tarballs (content-addressed, verified on read) and
    /// packuments (revalidated with `If-None-Match`/`If-Modified-Since`, once
    /// per process); in offline mode, only the cache.
    #[must_use]
    pub fn with_cache(mut self, cache: Cache) -> Self {
        self.cache = Some(cache);
        self
    }

    /// The cache in use, if any.
    pub fn cache(&self) -> Option<&Cache> {
        self.cache.as_ref()
    }

    /// The configuration in use.
    pub fn config(&self) -> &NpmConfig {
        &self.config
    }

    /// The packument URL of `name`: `{registry}{name}`, scoped names as `@scope%2fname`.
    ///
    /// # Errors
    /// [`Error::InvalidSpec`] when `name` is not a valid package name.
    pub fn packument_url(&self, name: &str) -> Result<Url, Error> {
        validate_name(name).map_err(|reason| Error::InvalidSpec {
            spec: name.to_owned(),
            reason,
        })?;
        let registry = self.config.registry_for(name);
        let text = format!("{}{}", registry.as_str(), encode_name(name));
        Url::parse(&text).map_err(|error| Error::InvalidRegistryUrl {
            url: redact_url_text(&text),
            origin: "the packument URL".to_owned(),
            reason: error.to_string(),
        })
    }

    /// Fetches the packument, preferring the abbreviated form (`dist-tags`,
    /// `versions` with `dist`, `deprecated`, `hasInstallScript`; no `time`,
    /// `maintainers` or `scripts` when the registry abbreviates).
    ///
    /// # Errors
    /// HTTP, size and JSON errors, each naming the package and URL.
    pub fn packument(&self, name: &str) -> Result<Packument, Error> {
        self.fetch_packument(name, ACCEPT_ABBREVIATED)
    }

    /// Fetches the full packument (`time`, `maintainers`, `_npmUser`, `scripts`...).
    ///
    /// # Errors
    /// HTTP, size and JSON errors, each naming the package and URL.
    pub fn full_packument(&self, name: &str) -> Result<Packument, Error> {
        self.fetch_packument(name, "application/json")
    }

    fn fetch_packument(&self, name: &str, accept: &'static str) -> Result<Packument, Error> {
        let url = self.packument_url(name)?;
        let bytes = match &self.cache {
            None => self.get(
                name,
                &url,
                HeaderValue::from_static(accept),
                self.options.max_packument_bytes,
            )?,
            Some(cache) => self.packument_through(cache, name, &url, accept)?,
        };
        serde_json::from_slice(&bytes).map_err(|source| Error::InvalidPackument {
            package: name.to_owned(),
            url: redact_url(&url),
            source,
        })
    }

    /// A packument body through the cache: as cached when offline or already
    /// revalidated in this process, else revalidated or downloaded.
    fn packument_through(
        &self,
        cache: &Cache,
        name: &str,
        url: &Url,
        accept: &'static str,
    ) -> Result<Vec<u8>, Error> {
        let auth = self.auth_for(url);
        self.http.get_cached(
            cache,
            name,
            url,
            accept,
            self.options.max_packument_bytes,
            auth.as_ref(),
        )
    }

    /// Fetches the packument and picks the version `spec` asks for.
    ///
    /// # Errors
    /// Packument errors, [`Error::UnknownTag`], [`Error::NoMatchingVersion`],
    /// [`Error::InvalidTarballUrl`].
    pub fn resolve(&self, spec: &PackageSpec) -> Result<ResolvedVersion, Error> {
        let packument = self.packument(&spec.name)?;
        let (version, manifest) = select_version(&packument, &spec.name, &spec.req)?;
        let invalid_tarball = || Error::InvalidTarballUrl {
            package: spec.name.clone(),
            version: version.to_owned(),
            tarball: redact_url_text(&manifest.dist.tarball),
        };
        let tarball = Url::parse(&manifest.dist.tarball).map_err(|_| invalid_tarball())?;
        if !matches!(tarball.scheme(), "http" | "https") {
            return Err(invalid_tarball());
        }
        Ok(ResolvedVersion {
            name: spec.name.clone(),
            version: version.to_owned(),
            tarball,
            integrity: manifest.dist.integrity.clone(),
            shasum: manifest.dist.shasum.clone(),
            manifest: manifest.clone(),
        })
    }

    /// Downloads the tarball and checks it against `integrity` (the strongest
    /// hash must match), or `shasum` when there is no usable integrity.
    /// Returns the bytes only when they verify.
    ///
    /// # Errors
    /// HTTP and size errors, [`Error::MissingDigest`], [`Error::IntegrityMismatch`].
    pub fn fetch_tarball(&self, resolved: &ResolvedVersion) -> Result<Vec<u8>, Error> {
        let integrity = resolved
            .integrity
            .as_deref()
            .and_then(Integrity::parse)
            .or_else(|| resolved.shasum.as_deref().and_then(Integrity::from_shasum))
            .ok_or_else(|| Error::MissingDigest {
                package: resolved.name.clone(),
                version: resolved.version.clone(),
            })?;
        if let Some(cache) = &self.cache {
            if let Some(bytes) = cache.read_tarball(&integrity, self.options.max_tarball_bytes) {
                return Ok(bytes);
            }
            if cache.is_offline() {
                return Err(Error::Offline {
                    package: format!("{}@{}", resolved.name, resolved.version),
                    what: "tarball",
                });
            }
            cache.count_request();
            cache.count_tarball_downloaded();
        }
        let bytes = self.get(
            &resolved.name,
            &resolved.tarball,
            HeaderValue::from_static("application/octet-stream, */*"),
            self.options.max_tarball_bytes,
        )?;
        integrity
            .verify(&bytes)
            .map_err(|mismatch| Error::IntegrityMismatch {
                package: resolved.name.clone(),
                version: resolved.version.clone(),
                expected: mismatch.expected,
                actual: mismatch.actual,
            })?;
        if let Some(cache) = &self.cache {
            cache.write_tarball(&integrity, &bytes);
        }
        Ok(bytes)
    }

    /// The `Authorization` header for `url`, from the `.npmrc` credentials.
    fn auth_for(&self, url: &Url) -> Option<HeaderValue> {
        let credentials = self.config.credentials_for(url)?;
        let mut value = HeaderValue::from_str(&credentials.header_value()).ok()?;
        value.set_sensitive(true);
        Some(value)
    }

    /// GET with the credentials that match `url`, a status check and a size bound.
    fn get(
        &self,
        package: &str,
        url: &Url,
        accept: HeaderValue,
        limit: u64,
    ) -> Result<Vec<u8>, Error> {
        let auth = self.auth_for(url);
        self.http.get(package, url, accept, limit, auth.as_ref())
    }
}

/// Picks the version `req` asks for, as npm does: a dist-tag's version; an
/// exact version; for a range, the `latest` version when it satisfies the
/// range, else the highest satisfying version, non-deprecated ones first.
///
/// # Errors
/// [`Error::UnknownTag`] or [`Error::NoMatchingVersion`].
pub fn select_version<'p>(
    packument: &'p Packument,
    name: &str,
    req: &VersionReq,
) -> Result<(&'p str, &'p VersionManifest), Error> {
    let no_match = || Error::NoMatchingVersion {
        package: name.to_owned(),
        req: req.to_string(),
    };
    let by_key = |version: &str| {
        packument
            .versions
            .get_key_value(version)
            .map(|(key, manifest)| (key.as_str(), manifest))
    };
    match req {
        VersionReq::Tag(tag) => {
            let version = packument
                .dist_tags
                .get(tag)
                .ok_or_else(|| Error::UnknownTag {
                    package: name.to_owned(),
                    tag: tag.clone(),
                })?;
            by_key(version).ok_or_else(no_match)
        }
        VersionReq::Latest => match packument.dist_tags.get("latest") {
            Some(version) => by_key(version).ok_or_else(no_match),
            None => highest_satisfying(packument, &Range::any()).ok_or_else(no_match),
        },
        VersionReq::Exact(wanted) => by_key(&wanted.to_string())
            .or_else(|| {
                packument.versions.iter().find_map(|(key, manifest)| {
                    (Version::parse(key).ok().as_ref() == Some(wanted))
                        .then_some((key.as_str(), manifest))
                })
            })
            .ok_or_else(no_match),
        VersionReq::Range(range) => {
            let latest = packument
                .dist_tags
                .get("latest")
                .and_then(|version| by_key(version))
                .filter(|(key, _)| {
                    Version::parse(key).is_ok_and(|version| range.satisfies(&version))
                });
            latest
                .or_else(|| highest_satisfying(packument, range))
                .ok_or_else(no_match)
        }
    }
}

fn highest_satisfying<'p>(
    packument: &'p Packument,
    range: &Range,
) -> Option<(&'p str, &'p VersionManifest)> {
    packument
        .versions
        .iter()
        .filter_map(|(key, manifest)| {
            let version = Version::parse(key).ok()?;
            range.satisfies(&version).then_some((
                manifest.deprecated.is_none(),
                version,
                key,
                manifest,
            ))
        })
        .max_by(|a, b| (a.0, &a.1).cmp(&(b.0, &b.1)))
        .map(|(_, _, key, manifest)| (key.as_str(), manifest))
}

#[cfg(test)]
mod tests {
    #![expect(clippy::unwrap_used, reason = "tests")]

    use super::*;

    fn packument(versions: &[&str], latest: Option<&str>, deprecated: &[&str]) -> Packument {
        let mut packument = Packument {
            name: "demo".into(),
            ..Packument::default()
        };
        for version in versions {
            packument.versions.insert(
                (*version).to_owned(),
                VersionManifest {
                    version: (*version).to_owned(),
                    deprecated: deprecated.contains(version).then(|| "old".to_owned()),
                    ..VersionManifest::default()
                },
            );
        }
        if let Some(latest) = latest {
            packument.dist_tags.insert("latest".into(), latest.into());
        }
        packument
            .dist_tags
            .insert("next".into(), "3.0.0-rc.1".into());
        packument
    }

    fn pick(packument: &Packument, spec: &str) -> Result<String, Error> {
        let spec: PackageSpec = format!("demo@{spec}").parse().unwrap();
        select_version(packument, "demo", &spec.req).map(|(version, _)| version.to_owned())
    }

    const VERSIONS: &[&str] = &["1.0.0", "1.2.0", "1.10.1", "2.0.0", "2.1.0", "3.0.0-rc.1"];

    #[test]
    fn ranges_pick_the_highest_match() {
        let p = packument(VERSIONS, Some("2.0.0"), &[]);
        assert_eq!(pick(&p, "^1.0.0").unwrap(), "1.10.1");
        assert_eq!(pick(&p, "~1.2").unwrap(), "1.2.0");
        assert_eq!(pick(&p, "1.x").unwrap(), "1.10.1");
        assert_eq!(pick(&p, ">=1.1 <2").unwrap(), "1.10.1");
        assert_eq!(pick(&p, "1.0.0 || 2.1.x").unwrap(), "2.1.0");
        // Prereleases only for ranges that name them.
        assert_eq!(pick(&p, ">=3.0.0-rc.0").unwrap(), "3.0.0-rc.1");
        assert!(matches!(
            pick(&p, "^3.0.0"),
            Err(Error::NoMatchingVersion { .. })
        ));
    }

    #[test]
    fn latest_wins_when_it_satisfies_the_range() {
        // As npm-pick-manifest: `*` and `^2` give `latest` (2.0.0), not 2.1.0.
        let p = packument(VERSIONS, Some("2.0.0"), &[]);
        assert_eq!(pick(&p, "*").unwrap(), "2.0.0");
        assert_eq!(pick(&p, "^2").unwrap(), "2.0.0");
        assert_eq!(pick(&p, ">2.0.0").unwrap(), "2.1.0");
    }

    #[test]
    fn deprecated_versions_are_a_last_resort() {
        let p = packument(VERSIONS, None, &["1.10.1"]);
        assert_eq!(pick(&p, "^1").unwrap(), "1.2.0");
        let p = packument(VERSIONS, None, &["1.0.0", "1.2.0", "1.10.1"]);
        assert_eq!(pick(&p, "^1").unwrap(), "1.10.1");
    }

    #[test]
    fn tags_and_exact_versions() {
        let p = packument(VERSIONS, Some("2.0.0"), &[]);
        let latest = select_version(&p, "demo", &VersionReq::Latest).unwrap();
        assert_eq!(latest.0, "2.0.0");
        assert_eq!(pick(&p, "next").unwrap(), "3.0.0-rc.1");
        assert_eq!(pick(&p, "1.2.0").unwrap(), "1.2.0");
        assert_eq!(pick(&p, "v1.2.0").unwrap(), "1.2.0");
        let error = pick(&p, "beta").unwrap_err();
        assert_eq!(error.to_string(), "package `demo` has no dist-tag `beta`");
        let error = pick(&p, "9.9.9").unwrap_err();
        assert_eq!(error.to_string(), "no version of `demo` matches `9.9.9`");
    }

    #[test]
    fn latest_without_a_tag_is_the_highest_release() {
        let p = packument(VERSIONS, None, &[]);
        let latest = select_version(&p, "demo", &VersionReq::Latest).unwrap();
        assert_eq!(latest.0, "2.1.0");
    }
}
