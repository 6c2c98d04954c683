//! What a command-line input names (a registry spec, a tarball or a folder)
//! and how it is read: shared by `scan` and `diff`.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use palisade_package::{Limits, Package};
use palisade_registry::{Client, NpmConfig, PackageSpec};

use crate::exit::usage;

/// What one command-line input names.
pub(crate) enum Input {
    Path(PathBuf),
    Spec(PackageSpec),
}

pub(crate) fn classify(raw: &str) -> anyhow::Result<Input> {
    let path = Path::new(raw);
    if path.exists() {
        return Ok(Input::Path(path.to_path_buf()));
    }
    let lower = raw.to_ascii_lowercase();
    let looks_like_path = raw.starts_with('.')
        || raw.starts_with('/')
        || raw.starts_with('~')
        || raw.contains('\\')
        || [".tgz", ".tar.gz", ".tar", ".zip"]
            .iter()
            .any(|e| lower.ends_with(e))
        || (!raw.starts_with('@') && raw.contains('/'));
    if looks_like_path {
        return Err(usage(format!("`{raw}`: no such file or folder")));
    }
    raw.parse::<PackageSpec>().map(Input::Spec).map_err(|e| {
        usage(format!(
            "`{raw}` is neither a file, a folder nor a package spec: {e}"
        ))
    })
}

/// A registry client, made on first use from the npm configuration.
pub(crate) struct Registry<'a> {
    override_url: Option<&'a str>,
    client: OnceLock<Result<Client, String>>,
    /// The disk cache the client will use (taken when it is made).
    cache: std::sync::Mutex<Option<palisade_registry::Cache>>,
}

impl<'a> Registry<'a> {
    pub(crate) fn new(override_url: Option<&'a str>) -> Self {
        Self {
            override_url,
            client: OnceLock::new(),
            cache: std::sync::Mutex::new(None),
        }
    }

    /// Gives the client a disk cache (see `palisade_registry::Cache`).
    #[must_use]
    pub(crate) fn with_cache(self, cache: Option<palisade_registry::Cache>) -> Self {
        *self
            .cache
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = cache;
        self
    }

    pub(crate) fn client(&self) -> Result<&Client, String> {
        self.client
            .get_or_init(|| {
                let cwd = std::env::current_dir()
                    .map_err(|e| format!("cannot read the current folder: {e}"))?;
                let config = NpmConfig::load(self.override_url, &cwd).map_err(|e| e.to_string())?;
                let client = Client::new(config).map_err(|e| e.to_string())?;
                let cache = self
                    .cache
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner)
                    .take();
                Ok(match cache {
                    Some(cache) => client.with_cache(cache),
                    None => client,
                })
            })
            .as_ref()
            .map_err(Clone::clone)
    }

    /// Resolves and downloads a spec; the tarball is verified against its
    /// integrity before any byte of it is read.
    pub(crate) fn fetch(
        &self,
        spec: &PackageSpec,
        limits: &Limits,
    ) -> Result<(Package, Option<String>), String> {
        let client = self.client()?;
        let resolved = client.resolve(spec).map_err(|e| e.to_string())?;
        let bytes = client.fetch_tarball(&resolved).map_err(|e| e.to_string())?;
        let origin = format!("{}@{}", resolved.name, resolved.version);
        let pkg = palisade_package::read_bytes(&bytes, &origin, limits)
            .ok_or_else(|| format!("`{origin}`: the registry's tarball is not an archive"))?;
        Ok((pkg, resolved.integrity.clone()))
    }

    /// Reads an input: a path from disk, a spec from the registry. Returns
    /// the package and, for a spec, the tarball's integrity.
    pub(crate) fn read(
        &self,
        input: &Input,
        limits: &Limits,
    ) -> Result<(Package, Option<String>), String> {
        match input {
            Input::Path(p) => palisade_package::read_path(p, limits)
                .map(|pkg| (pkg, None))
                .map_err(|e| e.to_string()),
            Input::Spec(spec) => self.fetch(spec, limits),
        }
    }
}
