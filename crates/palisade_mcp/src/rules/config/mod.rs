//! Rules over a configured server entry.

pub mod inline_secret;
pub mod latest_tag;
pub mod package_impersonation;
pub mod plaintext_http;
pub mod unpinned_launch;

use palisade_diagnostics::Location;

use crate::model::ServerEntry;

/// Where a config finding points: the file and the entry's place in it.
pub(crate) fn location(entry: &ServerEntry) -> Location {
    Location::file(format!("{}#{}", entry.config.display(), entry.pointer))
}

#[cfg(test)]
pub(crate) mod test_support {
    use std::collections::BTreeMap;
    use std::path::PathBuf;

    use palisade_diagnostics::Finding;

    use crate::model::{Client, ServerEntry, Transport};
    use crate::resolve::resolve;
    use crate::rules::ConfigRule;

    /// A Cursor entry running `line`.
    pub fn stdio(line: &str) -> ServerEntry {
        let mut words = line.split_whitespace().map(str::to_owned);
        ServerEntry {
            client: Client::Cursor,
            config: PathBuf::from("/home/me/.cursor/mcp.json"),
            pointer: "mcpServers.s".to_owned(),
            base_dir: PathBuf::from("/home/me"),
            name: "s".to_owned(),
            transport: Transport::Stdio,
            command: words.next(),
            args: words.collect(),
            url: None,
            cwd: None,
            env: BTreeMap::new(),
            headers: BTreeMap::new(),
            disabled: false,
        }
    }

    /// A remote entry at `url`.
    pub fn remote(url: &str) -> ServerEntry {
        let mut e = stdio("");
        e.command = None;
        e.transport = Transport::Http;
        e.url = Some(url.to_owned());
        e
    }

    pub fn run(rule: &dyn ConfigRule, entry: &ServerEntry) -> Vec<Finding> {
        let mut out = Vec::new();
        rule.check(entry, &resolve(entry), &mut out);
        for f in &out {
            assert_eq!(f.rule, rule.meta().id);
        }
        out
    }
}
