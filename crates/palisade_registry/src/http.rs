//! The HTTP layer shared by the npm registry client and the Python index
//! client: bounded GETs, retries of transient failures, conditional requests
//! and the disk cache of metadata documents.

use std::io::Read as _;
use std::time::Duration;

use reqwest::header::{
    ACCEPT, AUTHORIZATION, ETAG, HeaderValue, IF_MODIFIED_SINCE, IF_NONE_MATCH, LAST_MODIFIED,
};
use url::Url;

use crate::cache::{Cache, CachedPackument};
use crate::client::ClientOptions;
use crate::error::{Error, redact_url};

/// A GET's outcome: a body with its validators, or `304 Not Modified`.
pub(crate) enum Fetched {
    Body {
        bytes: Vec<u8>,
        etag: Option<String>,
        last_modified: Option<String>,
    },
    NotModified,
}

/// A blocking HTTP client with the limits and retry policy of [`ClientOptions`].
#[derive(Debug)]
pub(crate) struct Http {
    client: reqwest::blocking::Client,
    options: ClientOptions,
}

impl Http {
    pub(crate) fn new(options: &ClientOptions) -> Result<Self, Error> {
        let client = reqwest::blocking::Client::builder()
            .connect_timeout(options.connect_timeout)
            .timeout(options.timeout)
            .user_agent(concat!("palisade/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|source| Error::HttpClient { source })?;
        Ok(Self {
            client,
            options: options.clone(),
        })
    }

    /// GET with `auth` as `Authorization`, a status check and a size bound.
    pub(crate) fn get(
        &self,
        package: &str,
        url: &Url,
        accept: HeaderValue,
        limit: u64,
        auth: Option<&HeaderValue>,
    ) -> Result<Vec<u8>, Error> {
        match self.get_conditional(package, url, accept, limit, None, auth)? {
            Fetched::Body { bytes, .. } => Ok(bytes),
            Fetched::NotModified => Err(Error::Status {
                package: package.to_owned(),
                url: redact_url(url),
                status: 304,
            }),
        }
    }

    /// A metadata document (packument, index page) through the cache: as
    /// cached when offline or already revalidated in this process, else
    /// revalidated with its validators or downloaded.
    pub(crate) fn get_cached(
        &self,
        cache: &Cache,
        package: &str,
        url: &Url,
        accept: &'static str,
        limit: u64,
        auth: Option<&HeaderValue>,
    ) -> Result<Vec<u8>, Error> {
        let cached = cache.read_packument(url.as_str(), accept, limit);
        match cached {
            Some((cached, fresh)) if fresh || cache.is_offline() => {
                cache.count_packument_cached();
                return Ok(cached.body);
            }
            None if cache.is_offline() => {
                return Err(Error::Offline {
                    package: package.to_owned(),
                    what: "packument",
                });
            }
            _ => {}
        }
        let validators = cached
            .as_ref()
            .map(|(c, _)| (c.etag.as_deref(), c.last_modified.as_deref()));
        cache.count_request();
        match self.get_conditional(
            package,
            url,
            HeaderValue::from_static(accept),
            limit,
            validators,
            auth,
        )? {
            Fetched::NotModified => match cached {
                Some((cached, _)) => {
                    cache.count_not_modified();
                    cache.mark_fresh(url.as_str(), accept);
                    Ok(cached.body)
                }
                // A 304 to a request without validators: ask again plainly.
                None => self.get(package, url, HeaderValue::from_static(accept), limit, auth),
            },
            Fetched::Body {
                bytes,
                etag,
                last_modified,
            } => {
                let entry = CachedPackument {
                    etag,
                    last_modified,
                    body: bytes,
                };
                cache.write_packument(url.as_str(), accept, &entry);
                Ok(entry.body)
            }
        }
    }

    /// [`Http::get`], sending `If-None-Match` / `If-Modified-Since` from
    /// `validators` (an `ETag`, a `Last-Modified`) and returning the
    /// response's own validators.
    ///
    /// Transient failures (connection, read, 429 and 5xx gateway answers) are
    /// tried again with a doubling wait; anything else is final.
    pub(crate) fn get_conditional(
        &self,
        package: &str,
        url: &Url,
        accept: HeaderValue,
        limit: u64,
        validators: Option<(Option<&str>, Option<&str>)>,
        auth: Option<&HeaderValue>,
    ) -> Result<Fetched, Error> {
        let mut delay = self.options.retry_delay;
        let mut attempt = 0;
        loop {
            let result = self.get_once(package, url, accept.clone(), limit, validators, auth);
            let transient = match &result {
                Err(Error::Request { .. } | Error::ReadBody { .. }) => true,
                Err(Error::Status { status, .. }) => {
                    matches!(status, 429 | 500 | 502 | 503 | 504)
                }
                _ => false,
            };
            if !transient || attempt >= self.options.retries {
                return result;
            }
            attempt += 1;
            std::thread::sleep(delay);
            delay = delay.saturating_mul(2).min(Duration::from_secs(10));
        }
    }

    /// One attempt of [`Http::get_conditional`].
    fn get_once(
        &self,
        package: &str,
        url: &Url,
        accept: HeaderValue,
        limit: u64,
        validators: Option<(Option<&str>, Option<&str>)>,
        auth: Option<&HeaderValue>,
    ) -> Result<Fetched, Error> {
        let shown = || redact_url(url);
        let mut request = self.client.get(url.clone()).header(ACCEPT, accept);
        if let Some((etag, last_modified)) = validators {
            if let Some(value) = etag.and_then(|v| HeaderValue::from_str(v).ok()) {
                request = request.header(IF_NONE_MATCH, value);
            }
            if let Some(value) = last_modified.and_then(|v| HeaderValue::from_str(v).ok()) {
                request = request.header(IF_MODIFIED_SINCE, value);
            }
        }
        if let Some(value) = auth {
            request = request.header(AUTHORIZATION, value.clone());
        }
        let response = request.send().map_err(|source| Error::Request {
            package: package.to_owned(),
            url: shown(),
            source: source.without_url(),
        })?;
        let status = response.status();
        if status == reqwest::StatusCode::NOT_MODIFIED && validators.is_some() {
            return Ok(Fetched::NotModified);
        }
        let header_text = |name| {
            response
                .headers()
                .get(name)
                .and_then(|v: &HeaderValue| v.to_str().ok())
                .map(str::to_owned)
        };
        let (etag, last_modified) = (header_text(ETAG), header_text(LAST_MODIFIED));
        if !status.is_success() {
            return Err(match status.as_u16() {
                404 => Error::NotFound {
                    package: package.to_owned(),
                    url: shown(),
                },
                code @ (401 | 403) => Error::Unauthorized {
                    package: package.to_owned(),
                    url: shown(),
                    status: code,
                    credentials_sent: auth.is_some(),
                },
                code => Error::Status {
                    package: package.to_owned(),
                    url: shown(),
                    status: code,
                },
            });
        }
        let too_large = || Error::TooLarge {
            package: package.to_owned(),
            url: shown(),
            limit,
        };
        if response
            .content_length()
            .is_some_and(|length| length > limit)
        {
            return Err(too_large());
        }
        let mut bytes = Vec::new();
        response
            .take(limit.saturating_add(1))
            .read_to_end(&mut bytes)
            .map_err(|source| Error::ReadBody {
                package: package.to_owned(),
                url: shown(),
                source,
            })?;
        if bytes.len() as u64 > limit {
            return Err(too_large());
        }
        Ok(Fetched::Body {
            bytes,
            etag,
            last_modified,
        })
    }
}
