//! OSV records (<https://ossf.github.io/osv-schema/>), read from JSON with a
//! reason for every record that does not fit.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// An OSV record, reduced to what palisade uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Advisory {
    /// `MAL-2024-1234`, `GHSA-…`.
    pub id: String,
    /// Last modification (RFC 3339): a re-import replaces older copies.
    pub modified: String,
    /// First publication (RFC 3339), when given.
    pub published: Option<String>,
    /// Set when the record was withdrawn: it then matches nothing.
    pub withdrawn: Option<String>,
    /// One line, when given (else the first line of `details`).
    pub summary: Option<String>,
    /// Other ids of the same issue.
    pub aliases: Vec<String>,
    /// Packages and versions it affects, every ecosystem.
    pub affected: Vec<AffectedPackage>,
    /// A malicious-package record: its id or an alias starts with `MAL-`, or
    /// it carries the OpenSSF `malicious-packages-origins` data.
    pub malicious: bool,
}

/// One `affected` entry: a package and its affected versions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AffectedPackage {
    /// `npm`, `PyPI`...
    pub ecosystem: String,
    /// The package name in that ecosystem.
    pub name: String,
    /// Versions listed one by one.
    pub versions: Vec<String>,
    /// Ranges of versions (`SEMVER` and `ECOSYSTEM`; `GIT` ranges are dropped).
    pub ranges: Vec<VersionRange>,
}

/// An OSV range: events along the version line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VersionRange {
    /// How versions are ordered.
    #[serde(rename = "type")]
    pub kind: RangeKind,
    /// `introduced`, `fixed`, `last_affected`, `limit`, in any order.
    pub events: Vec<Event>,
}

/// The ordering of a range's versions. For npm, `ECOSYSTEM` is semver.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[non_exhaustive]
pub enum RangeKind {
    /// Semantic versioning 2.0.
    Semver,
    /// The ecosystem's own ordering (semver for npm).
    Ecosystem,
}

/// A point on the version line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Event {
    /// Affected from this version on (`"0"`: from the first version).
    Introduced(String),
    /// Not affected from this version on.
    Fixed(String),
    /// Affected up to and including this version.
    LastAffected(String),
    /// An upper bound, exclusive.
    Limit(String),
}

impl Advisory {
    /// Reads one OSV record. The error says which field is wrong.
    ///
    /// # Errors
    /// A short reason when the value is not an OSV record palisade can use.
    pub fn from_json(value: &Value) -> Result<Self, String> {
        let object = value
            .as_object()
            .ok_or("not an OSV record: the JSON is not an object")?;
        let text = |key: &str| -> Result<Option<String>, String> {
            match object.get(key) {
                None | Some(Value::Null) => Ok(None),
                Some(Value::String(s)) => Ok(Some(s.clone())),
                Some(_) => Err(format!("`{key}` is not a string")),
            }
        };
        let id = text("id")?
            .filter(|s| !s.trim().is_empty())
            .ok_or("not an OSV record: no `id`")?;
        let modified = text("modified")?
            .filter(|s| !s.trim().is_empty())
            .ok_or_else(|| format!("`{id}` has no `modified` time"))?;
        let aliases = match object.get("aliases") {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::Array(items)) => items
                .iter()
                .map(|a| a.as_str().map(str::to_owned))
                .collect::<Option<Vec<_>>>()
                .ok_or_else(|| format!("`{id}`: `aliases` holds a value that is not a string"))?,
            Some(_) => return Err(format!("`{id}`: `aliases` is not a list")),
        };
        let summary = text("summary")?.or_else(|| {
            text("details")
                .ok()
                .flatten()
                .and_then(|d| d.lines().find(|l| !l.trim().is_empty()).map(str::to_owned))
        });
        let affected = match object.get("affected") {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::Array(items)) => items
                .iter()
                .enumerate()
                .filter_map(|(i, a)| {
                    affected(a)
                        .map_err(|e| format!("`{id}`: `affected[{i}]` {e}"))
                        .transpose()
                })
                .collect::<Result<Vec<_>, _>>()?,
            Some(_) => return Err(format!("`{id}`: `affected` is not a list")),
        };
        let origins = object
            .get("database_specific")
            .and_then(|d| d.get("malicious-packages-origins"))
            .is_some();
        let malicious =
            id.starts_with("MAL-") || aliases.iter().any(|a| a.starts_with("MAL-")) || origins;
        Ok(Self {
            id,
            modified,
            published: text("published")?,
            withdrawn: text("withdrawn")?.filter(|s| !s.trim().is_empty()),
            summary,
            aliases,
            affected,
            malicious,
        })
    }

    /// The affected entries of the npm ecosystem.
    pub fn npm(&self) -> impl Iterator<Item = &AffectedPackage> {
        self.affected.iter().filter(|a| a.is_npm())
    }

    /// The affected entries of the ecosystems palisade checks.
    pub fn checked(&self) -> impl Iterator<Item = &AffectedPackage> {
        self.affected
            .iter()
            .filter(|a| a.checked_ecosystem().is_some())
    }
}

/// The ecosystems whose advisories palisade keeps, as OSV spells them.
pub const CHECKED_ECOSYSTEMS: [&str; 2] = ["npm", "PyPI"];

/// A package name as advisories are looked up by: PyPI names normalised as
/// the index compares them (PEP 503: lower case, runs of `-`, `_`, `.` as
/// one `-`); npm names as they are.
pub fn lookup_name(ecosystem: &str, name: &str) -> String {
    if !ecosystem.eq_ignore_ascii_case("PyPI") {
        return name.to_owned();
    }
    let mut out = String::with_capacity(name.len());
    let mut separator = false;
    for c in name.trim().chars() {
        if matches!(c, '-' | '_' | '.') {
            separator = true;
            continue;
        }
        if separator && !out.is_empty() {
            out.push('-');
        }
        separator = false;
        out.extend(c.to_lowercase());
    }
    out
}

impl AffectedPackage {
    /// Whether this entry is for npm (OSV spells it `npm`; case is forgiven).
    pub fn is_npm(&self) -> bool {
        self.ecosystem.eq_ignore_ascii_case("npm")
    }

    /// The ecosystem as palisade stores it (`npm`, `PyPI`), when it is one
    /// palisade checks.
    pub fn checked_ecosystem(&self) -> Option<&'static str> {
        CHECKED_ECOSYSTEMS
            .iter()
            .find(|e| self.ecosystem.eq_ignore_ascii_case(e))
            .copied()
    }
}

/// One `affected` entry; `Ok(None)` for an entry without a package (OSV
/// allows them for records about a commit range only).
fn affected(value: &Value) -> Result<Option<AffectedPackage>, String> {
    let Some(package) = value.get("package").filter(|p| !p.is_null()) else {
        return Ok(None);
    };
    let field = |key: &str| {
        package
            .get(key)
            .and_then(Value::as_str)
            .filter(|s| !s.trim().is_empty())
            .map(str::to_owned)
            .ok_or_else(|| format!("has no `package.{key}`"))
    };
    let ecosystem = field("ecosystem")?;
    let name = field("name")?;
    let versions = match value.get("versions") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(items)) => items
            .iter()
            .map(|v| v.as_str().map(str::to_owned))
            .collect::<Option<Vec<_>>>()
            .ok_or("has a `versions` entry that is not a string")?,
        Some(_) => return Err("has `versions` that is not a list".to_owned()),
    };
    let mut ranges = Vec::new();
    match value.get("ranges") {
        None | Some(Value::Null) => {}
        Some(Value::Array(items)) => {
            for (i, r) in items.iter().enumerate() {
                if let Some(range) = range(r).map_err(|e| format!("`ranges[{i}]` {e}"))? {
                    ranges.push(range);
                }
            }
        }
        Some(_) => return Err("has `ranges` that is not a list".to_owned()),
    }
    Ok(Some(AffectedPackage {
        ecosystem,
        name,
        versions,
        ranges,
    }))
}

/// One range; `Ok(None)` for `GIT` ranges (commit hashes, not versions).
fn range(value: &Value) -> Result<Option<VersionRange>, String> {
    let kind = match value.get("type").and_then(Value::as_str) {
        Some("SEMVER") => RangeKind::Semver,
        Some("ECOSYSTEM") => RangeKind::Ecosystem,
        Some("GIT") => return Ok(None),
        Some(other) => return Err(format!("has an unknown `type` `{other}`")),
        None => return Err("has no `type`".to_owned()),
    };
    let events = value
        .get("events")
        .and_then(Value::as_array)
        .ok_or("has no `events` list")?;
    let mut out = Vec::with_capacity(events.len());
    for event in events {
        let (key, version) = event
            .as_object()
            .and_then(|o| o.iter().next())
            .and_then(|(k, v)| Some((k.as_str(), v.as_str()?.to_owned())))
            .ok_or("has an event that is not `{\"introduced\": \"…\"}`-shaped")?;
        out.push(match key {
            "introduced" => Event::Introduced(version),
            "fixed" => Event::Fixed(version),
            "last_affected" => Event::LastAffected(version),
            "limit" => Event::Limit(version),
            other => return Err(format!("has an unknown event `{other}`")),
        });
    }
    if out.is_empty() {
        return Err("has no events".to_owned());
    }
    Ok(Some(VersionRange { kind, events: out }))
}

#[cfg(test)]
mod tests {
    #![expect(clippy::unwrap_used, reason = "tests")]

    use serde_json::json;

    use super::*;

    #[test]
    fn reads_an_openssf_malicious_record() {
        let value = json!({
            "modified": "2024-06-01T10:00:00Z",
            "published": "2024-05-30T08:00:00Z",
            "schema_version": "1.5.0",
            "id": "MAL-2024-0001",
            "summary": "Malicious code in demo-pkg (npm)",
            "details": "\n---\n_-= Per source details. Do not edit below this line.=-_\n",
            "aliases": ["GHSA-xxxx-yyyy-zzzz"],
            "affected": [{
                "package": { "ecosystem": "npm", "name": "demo-pkg" },
                "ranges": [{ "type": "SEMVER", "events": [{ "introduced": "0" }] }],
                "versions": ["1.0.0"],
                "database_specific": { "cwes": [] }
            }],
            "database_specific": { "malicious-packages-origins": [{ "source": "test" }] }
        });
        let a = Advisory::from_json(&value).unwrap();
        assert_eq!(a.id, "MAL-2024-0001");
        assert!(a.malicious);
        assert_eq!(a.withdrawn, None);
        let npm: Vec<_> = a.npm().collect();
        assert_eq!(npm.len(), 1);
        assert_eq!(npm[0].name, "demo-pkg");
        assert_eq!(npm[0].versions, ["1.0.0"]);
        assert_eq!(
            npm[0].ranges,
            [VersionRange {
                kind: RangeKind::Semver,
                events: vec![Event::Introduced("0".into())]
            }]
        );
        // The stored form is OSV's own.
        assert_eq!(
            serde_json::to_value(&npm[0].ranges).unwrap(),
            json!([{ "type": "SEMVER", "events": [{ "introduced": "0" }] }])
        );
    }

    #[test]
    fn malicious_by_alias_and_not_otherwise() {
        let aliased = json!({ "id": "GHSA-1", "modified": "2024-01-01T00:00:00Z", "aliases": ["MAL-2024-9"] });
        assert!(Advisory::from_json(&aliased).unwrap().malicious);
        let vuln = json!({ "id": "GHSA-2", "modified": "2024-01-01T00:00:00Z", "summary": "Prototype pollution" });
        assert!(!Advisory::from_json(&vuln).unwrap().malicious);
    }

    #[test]
    fn git_ranges_are_dropped_and_details_summarise() {
        let value = json!({
            "id": "MAL-1", "modified": "2024-01-01T00:00:00Z",
            "details": "\nFirst line.\nSecond.",
            "affected": [{
                "package": { "ecosystem": "npm", "name": "x" },
                "ranges": [
                    { "type": "GIT", "repo": "https://example.invalid/x", "events": [{ "introduced": "abc" }] },
                    { "type": "ECOSYSTEM", "events": [{ "introduced": "1.0.0" }, { "last_affected": "1.2.0" }] }
                ]
            }]
        });
        let a = Advisory::from_json(&value).unwrap();
        assert_eq!(a.summary.as_deref(), Some("First line."));
        assert_eq!(a.affected[0].ranges.len(), 1);
        assert_eq!(a.affected[0].ranges[0].kind, RangeKind::Ecosystem);
    }

    #[test]
    fn invalid_records_say_why() {
        let cases = [
            (
                json!([1, 2]),
                "not an OSV record: the JSON is not an object",
            ),
            (
                json!({ "modified": "2024-01-01T00:00:00Z" }),
                "not an OSV record: no `id`",
            ),
            (json!({ "id": "MAL-1" }), "`MAL-1` has no `modified` time"),
            (
                json!({ "id": "MAL-1", "modified": "x", "affected": [{ "package": { "ecosystem": "npm" } }] }),
                "`MAL-1`: `affected[0]` has no `package.name`",
            ),
            (
                json!({ "id": "MAL-1", "modified": "x", "affected": [{ "package": { "ecosystem": "npm", "name": "a" },
                    "ranges": [{ "type": "SEMVER", "events": [{ "broken": "1" }] }] }] }),
                "`MAL-1`: `affected[0]` `ranges[0]` has an unknown event `broken`",
            ),
            (json!({ "id": 7, "modified": "x" }), "`id` is not a string"),
        ];
        for (value, reason) in cases {
            assert_eq!(Advisory::from_json(&value).unwrap_err(), reason);
        }
    }
}
