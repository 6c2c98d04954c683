use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

#[derive(Parser)]
#[command(
    name = "palisade",
    version,
    about = "Static analysis of npm packages for malware: verdicts with evidence, never executing the code",
    after_help = "Exit codes: 0 nothing at or above --fail-on; 1 something is; 2 usage, input or config error; 3 internal error."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand)]
pub enum Command {
    /// Scan packages: registry specs (`name@version`), tarballs (.tgz/.tar/.zip) or folders.
    Scan(ScanArgs),
    /// Compare two versions of a package: what the new one can do that the old one could not.
    Diff(DiffArgs),
    /// List the detection rules.
    Rules(RulesArgs),
    /// Print a rule's documentation.
    Rule {
        /// The rule id, e.g. `exfil/email-hardcoded-recipient`.
        id: String,
    },
    /// MCP servers configured in AI clients: list them, or resolve and scan them.
    Mcp(crate::commands::mcp::McpArgs),
    /// The local store: import known-malicious advisories (OSV), show its status.
    Db(crate::commands::db::DbArgs),
    /// List a package's files, or print one, from memory (nothing is unpacked or run).
    Files {
        /// A tarball, zip or folder.
        input: PathBuf,
        /// A file inside the package to print.
        path: Option<String>,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    Text,
    Json,
    Sarif,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    Suspicious,
    Malicious,
}

#[derive(Args)]
pub struct ScanArgs {
    /// What to scan: `name`, `name@version`, `name@range`, `@scope/name@tag`,
    /// `pypi:name==version`, `pypi:name`, a `.tgz`/`.tar`/`.zip`/`.whl` file,
    /// a package folder, a lockfile or a project folder.
    #[arg(required = true)]
    pub inputs: Vec<String>,
    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value_t = OutputFormat::Text)]
    pub format: OutputFormat,
    /// Write the report to this file instead of standard output.
    #[arg(long, short = 'o')]
    pub output: Option<PathBuf>,
    /// Exit with 1 when a package is rated at least this.
    #[arg(long, value_enum, default_value_t = FailOn::Malicious)]
    pub fail_on: FailOn,
    /// Registry URL (default: from the npm configuration).
    #[arg(long)]
    pub registry: Option<String>,
    /// Python package index (simple API) URL for `pypi:` specs and Python
    /// lockfiles (default: `PIP_INDEX_URL`, `UV_INDEX_URL`, `pip.conf`, `uv.toml`).
    #[arg(long, value_name = "URL")]
    pub index_url: Option<String>,
    /// Let preview rules decide verdicts too.
    #[arg(long)]
    pub preview: bool,
    /// Include each package's extracted facts in JSON output.
    #[arg(long)]
    pub facts: bool,
    /// Do not compare registry packages with their previous published version.
    #[arg(long)]
    pub no_diff: bool,
    /// Do not judge registry packages by their metadata (publishers, release
    /// times, name, repository: the `metadata/` rules).
    #[arg(long)]
    pub no_metadata: bool,
    /// A version published less than this many hours ago is a recent release
    /// (`metadata/recent-release`).
    #[arg(long, value_name = "HOURS", default_value_t = 48)]
    pub recent_hours: u64,
    /// Scan a folder as a project even without a lockfile: its `package.json`
    /// ranges are resolved through the registry. (A folder with a lockfile,
    /// a lockfile or a `node_modules` folder is always scanned as a project.)
    #[arg(long)]
    pub project: bool,
    /// In a project scan, also compare each registry package with its
    /// previous published version (off by default: it doubles the requests).
    #[arg(long)]
    pub project_diff: bool,
    /// In a project scan, compare every registry package whose version
    /// changed since this older lockfile (or a folder with one) with the
    /// version it had there: what a dependency update brings.
    #[arg(long, value_name = "LOCKFILE")]
    pub diff_against: Option<PathBuf>,
    /// In a project scan, also run the `metadata/` rules on every registry
    /// dependency (one full packument and up to four related ones each).
    #[arg(long)]
    pub project_metadata: bool,
    /// Packages fetched and analysed at once in a project scan.
    #[arg(long, short = 'j', value_name = "N", default_value_t = 8)]
    pub jobs: usize,
    #[command(flatten)]
    pub cache: crate::commands::known::CacheArgs,
    #[command(flatten)]
    pub limits: LimitArgs,
}

#[derive(Args)]
pub struct DiffArgs {
    /// The old version: `name@version`, a `.tgz`/`.tar`/`.zip` file, or a package folder.
    pub old: String,
    /// The new version, in the same forms.
    pub new: String,
    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value_t = OutputFormat::Text)]
    pub format: OutputFormat,
    /// Write the report to this file instead of standard output.
    #[arg(long, short = 'o')]
    pub output: Option<PathBuf>,
    /// Exit with 1 when the diff is rated at least this.
    #[arg(long, value_enum, default_value_t = FailOn::Malicious)]
    pub fail_on: FailOn,
    /// Registry URL (default: from the npm configuration).
    #[arg(long)]
    pub registry: Option<String>,
    #[command(flatten)]
    pub limits: LimitArgs,
}

#[derive(Args)]
pub struct LimitArgs {
    /// Largest archive read, in bytes.
    #[arg(long, value_name = "BYTES")]
    pub max_archive_bytes: Option<u64>,
    /// Most unpacked bytes kept in memory per package.
    #[arg(long, value_name = "BYTES")]
    pub max_total_bytes: Option<u64>,
    /// Most files read per package.
    #[arg(long, value_name = "N")]
    pub max_files: Option<usize>,
    /// Largest single file read, in bytes.
    #[arg(long, value_name = "BYTES")]
    pub max_file_bytes: Option<u64>,
    /// Deepest path inside a package.
    #[arg(long, value_name = "N")]
    pub max_path_depth: Option<usize>,
    /// Largest unpacked-to-compressed ratio.
    #[arg(long, value_name = "N")]
    pub max_compression_ratio: Option<u64>,
}

impl LimitArgs {
    pub fn limits(&self) -> palisade_package::Limits {
        let mut l = palisade_package::Limits::default();
        if let Some(v) = self.max_archive_bytes {
            l.max_archive_bytes = v;
        }
        if let Some(v) = self.max_total_bytes {
            l.max_total_bytes = v;
        }
        if let Some(v) = self.max_files {
            l.max_files = v;
        }
        if let Some(v) = self.max_file_bytes {
            l.max_file_bytes = v;
        }
        if let Some(v) = self.max_path_depth {
            l.max_path_depth = v;
        }
        if let Some(v) = self.max_compression_ratio {
            l.max_compression_ratio = v;
        }
        l
    }
}

#[derive(Args)]
pub struct RulesArgs {
    /// Print as JSON.
    #[arg(long)]
    pub json: bool,
}
