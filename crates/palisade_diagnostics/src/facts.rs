//! A package's facts: its capability profile, with spans.
//!
//! Checkers extract facts; rules turn facts into findings; the version diff
//! compares two versions' facts; policy and the gateway reason over them.
//! Keep this model serialisable and stable: field names are an interface.

use serde::{Deserialize, Serialize};

use crate::Location;

/// Where a fact was seen and whether that code runs at install time.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Fact {
    pub location: Location,
    #[serde(skip_serializing_if = "std::ops::Not::not", default)]
    pub install_time: bool,
}

/// A module the code loads.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ImportFact {
    /// The module specifier after constant folding, or `None` when computed
    /// at run time.
    pub module: Option<String>,
    /// `require`, `import`, `import()`.
    pub how: String,
    #[serde(flatten)]
    pub at: Fact,
}

/// What kind of network destination a literal names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum HostKind {
    Domain,
    Ipv4,
    Ipv6,
    Loopback,
    PrivateIp,
}

/// A network call (`api` set) or a network destination named in the code
/// (`api` empty): URLs, host names and IPs after constant propagation.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct NetworkFact {
    /// `https.request`, `fetch`, `dns.lookup`, `net.connect`, `WebSocket`...;
    /// `None` for a destination seen in a string.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub api: Option<String>,
    /// The URL or host, when known.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub destination: Option<String>,
    /// The host part of the destination, lower-cased.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub host: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub host_kind: Option<HostKind>,
    /// A known collection service class: `webhook-collector`, `chat-webhook`,
    /// `oast`, `tunnel`, `paste`, `raw-ip`.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub collector: Option<String>,
    #[serde(flatten)]
    pub at: Fact,
}

/// A recipient field in an email payload.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct EmailRecipientFact {
    /// The email API the payload goes to: `postmark`, `nodemailer`,
    /// `sendgrid`, `resend`, `ses`, `smtp`, or `unknown`.
    pub api: String,
    /// `to`, `cc`, `bcc`, lower-cased.
    pub field: String,
    /// The address when it is a literal (after constant propagation).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub literal: Option<String>,
    #[serde(flatten)]
    pub at: Fact,
}

/// Access to the environment: one variable or all of it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct EnvAccessFact {
    /// The variable name, or `None` for bulk access (`process.env` as a whole).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub name: Option<String>,
    #[serde(flatten)]
    pub at: Fact,
}

/// A file-system path the code reads or writes.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct PathFact {
    pub path: String,
    /// `ssh`, `aws`, `npmrc`, `dotenv`, `browser-profile`, `wallet`,
    /// `cloud-cli`, `kube`, `shell-rc`, `crontab`, `ai-client-config`,
    /// `ci-workflow`, `git-hook`, `system`...
    pub category: String,
    #[serde(flatten)]
    pub at: Fact,
}

/// A process the code starts.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ProcessFact {
    /// `child_process.exec`, `child_process.spawn`, ...
    pub api: String,
    /// The command line when known.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub command: Option<String>,
    #[serde(flatten)]
    pub at: Fact,
}

/// Code decoded and then run: `eval(atob(...))` and its relatives.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct DecodeRunFact {
    /// `eval`, `Function`, `vm.runInThisContext`, `require` of a written file...
    pub sink: String,
    /// `base64`, `hex`, `char-codes`, `string-array`, `unknown`.
    pub decoder: String,
    #[serde(flatten)]
    pub at: Fact,
}

/// A lifecycle script in the manifest.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ScriptFact {
    /// `preinstall`, `install`, `postinstall`, `prepare`, ...
    pub event: String,
    pub command: String,
    /// Package files the command runs (`node setup.js` → `setup.js`).
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub runs_files: Vec<String>,
    #[serde(flatten)]
    pub at: Fact,
}

/// A value from a sensitive source reaching a sink inside one function.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct FlowFact {
    /// `env`, `credential-file`, `system-info`, `tool-argument`.
    pub source: String,
    /// `network`, `email`, `process`, `file-write`.
    pub sink: String,
    /// The sink call, e.g. `https.request`.
    pub sink_api: String,
    /// The destination of the sink when it is a literal.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub destination: Option<String>,
    #[serde(flatten)]
    pub at: Fact,
}

/// A generic fact with a kind and a short detail (system information
/// reads, obfuscation shapes, persistence, AI-CLI use...).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct FactKind {
    pub kind: String,
    pub detail: String,
    #[serde(flatten)]
    pub at: Fact,
}

/// Everything the checkers learned about one package.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Facts {
    pub imports: Vec<ImportFact>,
    pub network: Vec<NetworkFact>,
    pub email_recipients: Vec<EmailRecipientFact>,
    pub env: Vec<EnvAccessFact>,
    pub paths: Vec<PathFact>,
    pub files_written: Vec<PathFact>,
    pub processes: Vec<ProcessFact>,
    pub decode_run: Vec<DecodeRunFact>,
    pub scripts: Vec<ScriptFact>,
    pub flows: Vec<FlowFact>,
    /// `system-info`, `obfuscation`, `ai-cli`, `npm-publish`, ...
    pub other: Vec<FactKind>,
}

impl Facts {
    /// Appends another file's facts.
    pub fn extend(&mut self, other: Facts) {
        self.imports.extend(other.imports);
        self.network.extend(other.network);
        self.email_recipients.extend(other.email_recipients);
        self.env.extend(other.env);
        self.paths.extend(other.paths);
        self.files_written.extend(other.files_written);
        self.processes.extend(other.processes);
        self.decode_run.extend(other.decode_run);
        self.scripts.extend(other.scripts);
        self.flows.extend(other.flows);
        self.other.extend(other.other);
    }

    pub fn is_empty(&self) -> bool {
        *self == Facts::default()
    }
}
