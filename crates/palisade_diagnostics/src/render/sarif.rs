//! SARIF 2.1.0 output, for code-scanning services (GitHub code scanning and
//! the like).
//!
//! One run. `tool.driver.rules` has one descriptor per rule id that appears
//! in the findings, sorted by id, described by [`RenderOptions::rules`] when
//! the caller passes the registry's metadata (else by the id alone), with
//! `defaultConfiguration.level`, `properties.tags` = `["security",
//! <category>]` and `properties.security-severity` (GitHub's scale). Results
//! follow the report's order (package by package).
//!
//! Choices, documented here because consumers depend on them:
//!
//! - **Levels**: `critical`/`high` → `error`, `medium` → `warning`,
//!   `low`/`info` → `note`.
//! - **Artifact URIs** are relative, without `uriBaseId`, so that a service
//!   resolves them against the repository root. A package scanned from a
//!   folder given relative to the working directory (`.` or `./sub/dir`)
//!   is part of the repository: its files are `sub/dir/<path>`. Any other
//!   package (a registry spec, a tarball, an absolute folder) is where a
//!   project would install it: `node_modules/<name>/<path>`. A finding
//!   without a location points at the package's `package.json`, since code
//!   scanning wants a location on every result. Paths are percent-encoded;
//!   `.` and `..` segments are dropped.
//! - **Regions**: `startLine`/`startColumn` (1-based, Unicode code points,
//!   hence `columnKind: "unicodeCodePoints"`), end when known, and the
//!   snippet; no region when the line is unknown (0).
//! - **Fingerprints**: `partialFingerprints["palisade/v1"]` is the hex
//!   SHA-256 of the rule id, `name@version`, the path in the package and the
//!   finding's capability, joined by newlines, followed by `:N`, the
//!   occurrence of that hash in the run counted in line order (as GitHub's
//!   own `primaryLocationLineHash` does). The line is left out of the hash on
//!   purpose: a finding keeps its identity when code above it moves.
//! - **Input errors** become `invocations[0].toolExecutionNotifications`,
//!   with `executionSuccessful: false`.

use std::collections::BTreeMap;

use serde::Serialize;
use sha2::{Digest, Sha256};

use super::{RenderOptions, RuleInfo};
use crate::{Finding, PackageReport, Report, Severity};

/// The `$schema` written in every log: the OASIS schema of SARIF 2.1.0.
pub const SCHEMA_URI: &str =
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";

/// The key of palisade's fingerprint in `partialFingerprints`.
pub const FINGERPRINT_KEY: &str = "palisade/v1";

/// Renders `report` as a SARIF 2.1.0 log, pretty-printed, ending in a newline.
pub fn render(report: &Report, options: RenderOptions<'_>) -> String {
    let rules = descriptors(report, options.rules);
    let mut results = Vec::new();
    for package in &report.packages {
        for finding in &package.findings {
            let rule_index = rules.iter().position(|r| r.id == finding.rule).unwrap_or(0);
            results.push(result(package, finding, rule_index));
        }
    }
    number_fingerprints(&mut results);
    let invocations = if report.errors.is_empty() {
        Vec::new()
    } else {
        vec![Invocation {
            execution_successful: false,
            tool_execution_notifications: report
                .errors
                .iter()
                .map(|e| Notification {
                    level: "error",
                    message: Message {
                        text: format!("could not scan `{}`: {}", e.input, e.error),
                    },
                })
                .collect(),
        }]
    };
    let log = Log {
        schema: SCHEMA_URI,
        version: "2.1.0",
        runs: [Run {
            tool: Tool {
                driver: Driver {
                    name: &report.tool.name,
                    version: &report.tool.version,
                    rules,
                },
            },
            invocations,
            results: results.into_iter().map(|(r, _)| r).collect(),
            column_kind: "unicodeCodePoints",
        }],
    };
    super::json::to_pretty(&log)
}

/// The SARIF level of a severity.
pub fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low | Severity::Info => "note",
    }
}

/// GitHub's `security-severity` (0.0 to 10.0; 9.0 and over is critical, 7.0
/// high, 4.0 medium, below low). `None` for `info`: context, not a
/// vulnerability.
fn security_severity(severity: Severity) -> Option<&'static str> {
    match severity {
        Severity::Critical => Some("9.5"),
        Severity::High => Some("8.0"),
        Severity::Medium => Some("5.5"),
        Severity::Low => Some("2.0"),
        Severity::Info => None,
    }
}

fn descriptors<'a>(report: &'a Report, infos: &'a [RuleInfo]) -> Vec<Descriptor<'a>> {
    // Worst severity seen per rule, for rules the caller did not describe.
    let mut seen: BTreeMap<&str, Severity> = BTreeMap::new();
    for finding in report.packages.iter().flat_map(|p| &p.findings) {
        let worst = seen.entry(&finding.rule).or_insert(finding.severity);
        *worst = (*worst).max(finding.severity);
    }
    seen.into_iter()
        .map(|(id, worst)| {
            let info = infos.iter().find(|i| i.id == id);
            let severity = info.and_then(|i| i.severity).unwrap_or(worst);
            let category = id.split_once('/').map_or(id, |(c, _)| c);
            Descriptor {
                id,
                short_description: Message {
                    text: info
                        .map_or_else(|| format!("palisade rule `{id}`"), |i| i.summary.clone()),
                },
                help_uri: info.and_then(|i| i.help_uri.as_deref()),
                default_configuration: Configuration {
                    level: level(severity),
                },
                properties: DescriptorProperties {
                    tags: vec!["security", category],
                    security_severity: security_severity(severity),
                },
            }
        })
        .collect()
}

/// A result and what orders it among results with the same fingerprint.
type Numbered<'a> = (SarifResult<'a>, (u32, u32));

fn result<'a>(package: &'a PackageReport, finding: &'a Finding, rule_index: usize) -> Numbered<'a> {
    let (path, line, column) = finding
        .location
        .as_ref()
        .map_or(("", 0, 0), |l| (l.path.as_str(), l.line, l.column));
    let uri = artifact_uri(
        package,
        if path.is_empty() {
            "package.json"
        } else {
            path
        },
    );
    let region = (line > 0).then(|| {
        let location = finding.location.as_ref();
        Region {
            start_line: line,
            start_column: (column > 0).then_some(column),
            end_line: location.and_then(|l| l.end_line).filter(|&e| e >= line),
            end_column: location.and_then(|l| l.end_column).filter(|&e| e > 0),
            snippet: finding
                .snippet
                .as_ref()
                .map(|s| Message { text: s.clone() }),
        }
    });
    let mut text = format!(
        "`{}@{}`: {}",
        package.name, package.version, finding.message
    );
    if let Some(help) = &finding.help {
        text.push_str("\nhelp: ");
        text.push_str(help);
    }
    let hash = fingerprint(
        &finding.rule,
        &package.name,
        &package.version,
        path,
        finding.capability.as_deref().unwrap_or(""),
    );
    let sarif = SarifResult {
        rule_id: &finding.rule,
        rule_index,
        level: level(finding.severity),
        message: Message { text },
        locations: vec![ResultLocation {
            physical_location: PhysicalLocation {
                artifact_location: ArtifactLocation { uri },
                region,
            },
        }],
        partial_fingerprints: BTreeMap::from([(FINGERPRINT_KEY, hash)]),
        properties: ResultProperties {
            package: format!("{}@{}", package.name, package.version),
            verdict: package.verdict.as_str(),
            severity: finding.severity.as_str(),
            confidence: finding.confidence,
            capability: finding.capability.as_deref(),
            dependency_path: (!package.dependency_path.is_empty())
                .then(|| package.dependency_path.join(" > ")),
            install_time: finding.install_time,
            preview: finding.preview,
            deciding: finding.deciding,
        },
    };
    (sarif, (line, column))
}

/// Hex SHA-256 of the rule id, `name@version`, the path and the capability.
pub fn fingerprint(rule: &str, name: &str, version: &str, path: &str, capability: &str) -> String {
    let mut hasher = Sha256::new();
    hasher.update(rule.as_bytes());
    hasher.update(b"\n");
    hasher.update(name.as_bytes());
    hasher.update(b"@");
    hasher.update(version.as_bytes());
    hasher.update(b"\n");
    hasher.update(path.as_bytes());
    hasher.update(b"\n");
    hasher.update(capability.as_bytes());
    hex::encode(hasher.finalize())
}

/// Appends `:N` to each fingerprint: its occurrence among results with the
/// same hash, in line order.
fn number_fingerprints(results: &mut [Numbered<'_>]) {
    let mut groups: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (index, (result, _)) in results.iter().enumerate() {
        let hash = result
            .partial_fingerprints
            .get(FINGERPRINT_KEY)
            .cloned()
            .unwrap_or_default();
        groups.entry(hash).or_default().push(index);
    }
    for indices in groups.into_values() {
        let mut ordered = indices;
        ordered.sort_by_key(|&i| (results[i].1, i));
        for (n, i) in ordered.into_iter().enumerate() {
            if let Some(hash) = results[i].0.partial_fingerprints.get_mut(FINGERPRINT_KEY) {
                hash.push_str(&format!(":{}", n + 1));
            }
        }
    }
}

/// The artifact URI of `path` in `package`, relative to the repository root
/// (see the module documentation).
pub fn artifact_uri(package: &PackageReport, path: &str) -> String {
    let base = local_folder(&package.source)
        .map_or_else(|| format!("node_modules/{}", package.name), str::to_owned);
    let mut uri = String::new();
    for segment in base.split('/').chain(path.split(['/', '\\'])) {
        if segment.is_empty() || segment == "." || segment == ".." {
            continue;
        }
        if !uri.is_empty() {
            uri.push('/');
        }
        percent_encode(&mut uri, segment);
    }
    uri
}

/// The folder a package was scanned from when it is given relative to the
/// working directory, without the leading `./`.
fn local_folder(source: &str) -> Option<&str> {
    let rest = if source == "." {
        ""
    } else {
        source.strip_prefix("./")?
    };
    let archive = [".tgz", ".tar.gz", ".tar", ".zip"]
        .iter()
        .any(|ext| rest.to_ascii_lowercase().ends_with(ext));
    (!archive).then_some(rest)
}

/// Encodes one path segment: everything but RFC 3986 unreserved
/// characters, sub-delimiters, `:` and `@` is percent-encoded.
fn percent_encode(out: &mut String, segment: &str) {
    for byte in segment.bytes() {
        let keep = byte.is_ascii_alphanumeric()
            || matches!(
                byte,
                b'-' | b'.'
                    | b'_'
                    | b'~'
                    | b'!'
                    | b'$'
                    | b'&'
                    | b'\''
                    | b'('
                    | b')'
                    | b'*'
                    | b'+'
                    | b','
                    | b';'
                    | b'='
                    | b':'
                    | b'@'
            );
        if keep {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
}

#[derive(Serialize)]
struct Log<'a> {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: [Run<'a>; 1],
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Run<'a> {
    tool: Tool<'a>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    invocations: Vec<Invocation>,
    results: Vec<SarifResult<'a>>,
    column_kind: &'static str,
}

#[derive(Serialize)]
struct Tool<'a> {
    driver: Driver<'a>,
}

#[derive(Serialize)]
struct Driver<'a> {
    name: &'a str,
    version: &'a str,
    rules: Vec<Descriptor<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Descriptor<'a> {
    id: &'a str,
    short_description: Message,
    #[serde(skip_serializing_if = "Option::is_none")]
    help_uri: Option<&'a str>,
    default_configuration: Configuration,
    properties: DescriptorProperties<'a>,
}

#[derive(Serialize)]
struct Configuration {
    level: &'static str,
}

#[derive(Serialize)]
struct DescriptorProperties<'a> {
    tags: Vec<&'a str>,
    #[serde(rename = "security-severity", skip_serializing_if = "Option::is_none")]
    security_severity: Option<&'static str>,
}

#[derive(Serialize)]
struct Message {
    text: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Invocation {
    execution_successful: bool,
    tool_execution_notifications: Vec<Notification>,
}

#[derive(Serialize)]
struct Notification {
    level: &'static str,
    message: Message,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult<'a> {
    rule_id: &'a str,
    rule_index: usize,
    level: &'static str,
    message: Message,
    locations: Vec<ResultLocation>,
    partial_fingerprints: BTreeMap<&'static str, String>,
    properties: ResultProperties<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ResultLocation {
    physical_location: PhysicalLocation,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation {
    artifact_location: ArtifactLocation,
    #[serde(skip_serializing_if = "Option::is_none")]
    region: Option<Region>,
}

#[derive(Serialize)]
struct ArtifactLocation {
    uri: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    start_line: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    start_column: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    end_line: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    end_column: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    snippet: Option<Message>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ResultProperties<'a> {
    package: String,
    verdict: &'static str,
    severity: &'static str,
    confidence: crate::Confidence,
    #[serde(skip_serializing_if = "Option::is_none")]
    capability: Option<&'a str>,
    /// `app > a > b`: how the project pulls the package in.
    #[serde(skip_serializing_if = "Option::is_none")]
    dependency_path: Option<String>,
    install_time: bool,
    preview: bool,
    deciding: bool,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{ScanStats, Verdict};

    fn package(name: &str, source: &str) -> PackageReport {
        PackageReport {
            name: name.to_owned(),
            version: "1.0.0".to_owned(),
            source: source.to_owned(),
            integrity: None,
            verdict: Verdict::Clean,
            score: 0,
            findings: Vec::new(),
            stats: ScanStats::default(),
            facts: None,
            cached: false,
            dependency_path: Vec::new(),
        }
    }

    #[test]
    fn uris_are_repository_relative() {
        let p = package("@scope/pkg", "@scope/pkg@1.0.0");
        assert_eq!(
            artifact_uri(&p, "lib/a b.js"),
            "node_modules/@scope/pkg/lib/a%20b.js"
        );
        let p = package("pkg", ".");
        assert_eq!(artifact_uri(&p, "./index.js"), "index.js");
        let p = package("pkg", "./packages/pkg/");
        assert_eq!(artifact_uri(&p, "index.js"), "packages/pkg/index.js");
        let p = package("pkg", "./pkg-1.0.0.tgz");
        assert_eq!(artifact_uri(&p, "index.js"), "node_modules/pkg/index.js");
        let p = package("pkg", "/abs/pkg");
        assert_eq!(
            artifact_uri(&p, "../../etc/passwd"),
            "node_modules/pkg/etc/passwd"
        );
        let p = package("pkg", "pkg");
        assert_eq!(
            artifact_uri(&p, "é%#?.js"),
            "node_modules/pkg/%C3%A9%25%23%3F.js"
        );
    }

    #[test]
    fn fingerprint_ignores_line_and_numbers_duplicates() {
        let mut p = package("pkg", "pkg");
        let f = |line| {
            Finding::new("exfil/x", Severity::High, "m")
                .with_location(crate::Location::new("a.js", line, 1))
        };
        p.findings = vec![f(30), f(10)];
        let report = Report {
            packages: vec![p],
            ..Report::default()
        };
        let log: serde_json::Value =
            serde_json::from_str(&render(&report, RenderOptions::default())).expect("json");
        let prints: Vec<&str> = log["runs"][0]["results"]
            .as_array()
            .expect("results")
            .iter()
            .map(|r| {
                r["partialFingerprints"][FINGERPRINT_KEY]
                    .as_str()
                    .expect("print")
            })
            .collect();
        let hash = fingerprint("exfil/x", "pkg", "1.0.0", "a.js", "");
        // The finding on line 10 is the first occurrence.
        assert_eq!(prints, [format!("{hash}:2"), format!("{hash}:1")]);
    }
}
