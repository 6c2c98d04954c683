//! palisade's embedded store: one SQLite file in the user's cache folder.
//!
//! It holds
//! - the **verdict cache**: a package report per tarball integrity and engine
//!   version, so an unchanged package is never analysed twice;
//! - **known-malicious advisories**: OSV records (`MAL-…`) imported with
//!   [`Store::import_path`], matched by npm package name and version;
//! - **MCP tool pins**: the SHA-256 of each tool definition's canonical JSON
//!   and of the server's instructions, per client, server and command/URL.
//!
//! The file uses WAL journaling and a busy timeout, and every write is a
//! short `BEGIN IMMEDIATE` transaction, so several `palisade` processes can
//! share it. The schema is versioned (`PRAGMA user_version`) and migrated
//! forward on open; a file from a newer palisade is refused, not altered.
//!
//! ```no_run
//! # fn main() -> Result<(), palisade_store::Error> {
//! use palisade_store::Store;
//!
//! let path = palisade_store::default_store_path().expect("a home folder");
//! let store = Store::open(&path)?;
//! for advisory in store.malicious_advisories("some-package", "1.0.0")? {
//!     println!("{} {}", advisory.id, advisory.reason);
//! }
//! # Ok(())
//! # }
//! ```

mod advisories;
mod error;
mod home;
mod import;
mod osv;
mod pins;
mod schema;
mod store;
mod time;
mod verdicts;

pub use advisories::{AdvisoryMatch, MatchReason};
pub use error::Error;
pub use home::{STORE_FILE, default_home, default_store_path, home_from};
pub use import::{ImportLimits, ImportSummary, InvalidFile};
pub use osv::{Advisory, AffectedPackage, Event, RangeKind, VersionRange};
pub use pins::{ServerKey, ServerPins, ToolPin, canonical_json, sha256_hex};
pub use schema::SCHEMA_VERSION;
pub use store::{ImportRecord, Status, Store};
pub use time::{format_unix, now_unix};
