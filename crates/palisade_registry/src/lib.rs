//! npm registry client and Python package index client ([`PypiClient`]): configuration resolved as npm resolves it, packuments,
//! version selection with npm's semver ranges, and size-bounded tarball
//! downloads verified against `dist.integrity` / `dist.shasum`.
//!
//! The API is blocking. No registry host is built in: the registry comes from
//! the caller, the environment, `.npmrc` files or `npm config get registry`.
//!
//! ```no_run
//! # fn main() -> Result<(), palisade_registry::Error> {
//! use palisade_registry::{Client, NpmConfig, PackageSpec};
//!
//! let config = NpmConfig::load(None, std::path::Path::new("."))?;
//! let client = Client::new(config)?;
//! let spec: PackageSpec = "left-pad@^1.3".parse()?;
//! let resolved = client.resolve(&spec)?;
//! let tarball = client.fetch_tarball(&resolved)?; // verified bytes
//! # let _ = tarball;
//! # Ok(())
//! # }
//! ```

mod cache;
mod client;
mod config;
mod error;
mod http;
mod integrity;
mod packument;
mod pep440;
mod pip_config;
mod pypi;
mod spec;

pub use cache::{Cache, CacheStats};
pub use client::{ACCEPT_ABBREVIATED, Client, ClientOptions, ResolvedVersion, select_version};
pub use config::{
    ConfigEnv, Credentials, NPM_COMMAND_TIMEOUT, NpmConfig, RegistrySource, expand_env, parse_npmrc,
};
pub use error::Error;
pub use integrity::{Algorithm, Integrity, Mismatch};
pub use nodejs_semver;
pub use packument::{Dist, DistSignature, Packument, Person, Repository, VersionManifest};
pub use pep440::Pep440;
pub use pip_config::{IndexSource, PipConfig, pip_conf_index, uv_toml_index};
pub use pypi::{
    ACCEPT_SIMPLE, DistFile, DistKind, Project, PypiClient, PypiRelease, normalize_name,
    parse_filename, parse_project_page, pick_files, release_of, validate_project_name,
};
pub use spec::{PackageSpec, VersionReq, encode_name, validate_name};
