//! Typed packuments. Every field has a default and metadata fields are lenient
//! (a wrong type reads as empty), so stripped, abbreviated or odd packuments parse.

use std::collections::BTreeMap;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer, Serialize};

/// Reads any JSON, keeping `T` if it fits and `T::default()` otherwise.
fn lenient<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: DeserializeOwned + Default,
{
    let value = serde_json::Value::deserialize(deserializer)?;
    Ok(serde_json::from_value(value).unwrap_or_default())
}

fn lenient_versions<'de, D>(deserializer: D) -> Result<BTreeMap<String, VersionManifest>, D::Error>
where
    D: Deserializer<'de>,
{
    let raw: BTreeMap<String, serde_json::Value> = lenient(deserializer)?;
    Ok(raw
        .into_iter()
        .map(|(version, value)| (version, serde_json::from_value(value).unwrap_or_default()))
        .collect())
}

/// A package document: every published version and the package's metadata.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Packument {
    /// The package name.
    #[serde(deserialize_with = "lenient")]
    pub name: String,
    /// Dist-tag → version (`latest`, `next`...).
    #[serde(rename = "dist-tags", deserialize_with = "lenient")]
    pub dist_tags: BTreeMap<String, String>,
    /// Version → its manifest. A version whose manifest is not an object reads
    /// as an empty manifest (no tarball), so one bad entry does not hide the others.
    #[serde(deserialize_with = "lenient_versions")]
    pub versions: BTreeMap<String, VersionManifest>,
    /// `created`, `modified` and version → publication time (ISO 8601). Absent
    /// from abbreviated packuments.
    #[serde(deserialize_with = "lenient")]
    pub time: BTreeMap<String, String>,
    /// Last modification (abbreviated packuments carry this instead of `time`).
    #[serde(deserialize_with = "lenient")]
    pub modified: Option<String>,
    /// Current maintainers of the package.
    #[serde(deserialize_with = "lenient")]
    pub maintainers: Vec<Person>,
    /// The repository of the latest version.
    #[serde(deserialize_with = "lenient")]
    pub repository: Option<Repository>,
    /// The description of the latest version.
    #[serde(deserialize_with = "lenient")]
    pub description: Option<String>,
}

/// One version's manifest as the registry serves it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct VersionManifest {
    /// The package name.
    #[serde(deserialize_with = "lenient")]
    pub name: String,
    /// The version.
    #[serde(deserialize_with = "lenient")]
    pub version: String,
    /// Where the tarball is and its digests.
    #[serde(deserialize_with = "lenient")]
    pub dist: Dist,
    /// Lifecycle scripts (full packuments only).
    #[serde(deserialize_with = "lenient")]
    pub scripts: BTreeMap<String, String>,
    /// Whether the version has install scripts (abbreviated packuments).
    #[serde(rename = "hasInstallScript", deserialize_with = "lenient")]
    pub has_install_script: Option<bool>,
    /// Maintainers when this version was published.
    #[serde(deserialize_with = "lenient")]
    pub maintainers: Vec<Person>,
    /// The account that published this version.
    #[serde(rename = "_npmUser", deserialize_with = "lenient")]
    pub npm_user: Option<Person>,
    /// The declared source repository.
    #[serde(deserialize_with = "lenient")]
    pub repository: Option<Repository>,
    /// Dependencies (name → range).
    #[serde(deserialize_with = "lenient")]
    pub dependencies: BTreeMap<String, String>,
    /// Optional dependencies (name → range).
    #[serde(rename = "optionalDependencies", deserialize_with = "lenient")]
    pub optional_dependencies: BTreeMap<String, String>,
    /// The deprecation message, if deprecated.
    #[serde(deserialize_with = "lenient")]
    pub deprecated: Option<String>,
}

/// `dist`: the tarball and its digests.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Dist {
    /// Absolute tarball URL.
    #[serde(deserialize_with = "lenient")]
    pub tarball: String,
    /// Subresource integrity (`sha512-...`).
    #[serde(deserialize_with = "lenient")]
    pub integrity: Option<String>,
    /// SHA-1 of the tarball, hex.
    #[serde(deserialize_with = "lenient")]
    pub shasum: Option<String>,
    /// Number of files in the tarball.
    #[serde(rename = "fileCount", deserialize_with = "lenient")]
    pub file_count: Option<u64>,
    /// Unpacked size in bytes.
    #[serde(rename = "unpackedSize", deserialize_with = "lenient")]
    pub unpacked_size: Option<u64>,
    /// Registry signatures (stripped by some registries).
    #[serde(deserialize_with = "lenient")]
    pub signatures: Vec<DistSignature>,
    /// Provenance attestations, kept as raw JSON.
    #[serde(deserialize_with = "lenient")]
    pub attestations: Option<serde_json::Value>,
}

/// One registry signature of `package@version:integrity`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct DistSignature {
    /// The signing key id.
    pub keyid: String,
    /// The base64 signature.
    pub sig: String,
}

/// A person: a maintainer or `_npmUser`. Read from `{ "name", "email" }` or `"Name <email> (url)"`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Person {
    /// The (user) name.
    pub name: Option<String>,
    /// The e-mail address.
    pub email: Option<String>,
    /// A home page.
    pub url: Option<String>,
}

impl<'de> Deserialize<'de> for Person {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Text(String),
            Object {
                #[serde(default, deserialize_with = "lenient")]
                name: Option<String>,
                #[serde(default, deserialize_with = "lenient")]
                email: Option<String>,
                #[serde(default, deserialize_with = "lenient")]
                url: Option<String>,
            },
        }
        Ok(match Raw::deserialize(deserializer)? {
            Raw::Text(text) => Person::parse(&text),
            Raw::Object { name, email, url } => Person { name, email, url },
        })
    }
}

impl Person {
    /// Parses `"Name <email> (url)"`; every part optional.
    pub fn parse(text: &str) -> Self {
        let between = |open: char, close: char| {
            let start = text.find(open)?;
            let end = text[start..].find(close)? + start;
            Some(text[start + 1..end].trim().to_owned()).filter(|s| !s.is_empty())
        };
        let name_end = text.find(['<', '(']).unwrap_or(text.len());
        let name = Some(text[..name_end].trim().to_owned()).filter(|s| !s.is_empty());
        Self {
            name,
            email: between('<', '>'),
            url: between('(', ')'),
        }
    }
}

/// `repository`: read from `"url"` or `{ "type", "url", "directory" }`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Repository {
    /// `git`, usually.
    pub kind: Option<String>,
    /// The URL or shorthand (`github:user/repo`) as written.
    pub url: Option<String>,
    /// The package's folder in a monorepo.
    pub directory: Option<String>,
}

impl<'de> Deserialize<'de> for Repository {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Text(String),
            Object {
                #[serde(default, rename = "type", deserialize_with = "lenient")]
                kind: Option<String>,
                #[serde(default, deserialize_with = "lenient")]
                url: Option<String>,
                #[serde(default, deserialize_with = "lenient")]
                directory: Option<String>,
            },
        }
        Ok(match Raw::deserialize(deserializer)? {
            Raw::Text(url) => Repository {
                kind: None,
                url: Some(url),
                directory: None,
            },
            Raw::Object {
                kind,
                url,
                directory,
            } => Repository {
                kind,
                url,
                directory,
            },
        })
    }
}

#[cfg(test)]
mod tests {
    #![expect(clippy::unwrap_used, reason = "tests")]

    use super::*;

    #[test]
    fn parses_a_full_packument() {
        let json = r#"{
          "name": "demo", "dist-tags": {"latest": "1.0.1"},
          "time": {"created": "2024-01-01T00:00:00.000Z", "1.0.1": "2024-02-01T00:00:00.000Z"},
          "maintainers": [{"name": "alice", "email": "alice@example.invalid"}, "Bob <bob@example.invalid> (http://bob.invalid)"],
          "repository": {"type": "git", "url": "git+https://example.invalid/demo.git"},
          "versions": {"1.0.1": {
            "name": "demo", "version": "1.0.1",
            "scripts": {"postinstall": "node setup.js"},
            "_npmUser": {"name": "alice", "email": "alice@example.invalid"},
            "repository": "github:someone/demo",
            "dist": {"tarball": "http://127.0.0.1:1/demo/-/demo-1.0.1.tgz",
                     "integrity": "sha512-AAAA", "shasum": "00", "fileCount": 3, "unpackedSize": 10,
                     "signatures": [{"keyid": "SHA256:k", "sig": "MEUC"}]}
          }}
        }"#;
        let packument: Packument = serde_json::from_str(json).unwrap();
        assert_eq!(packument.dist_tags["latest"], "1.0.1");
        assert_eq!(packument.time["1.0.1"], "2024-02-01T00:00:00.000Z");
        assert_eq!(packument.maintainers[1].name.as_deref(), Some("Bob"));
        assert_eq!(
            packument.maintainers[1].email.as_deref(),
            Some("bob@example.invalid")
        );
        assert_eq!(
            packument.maintainers[1].url.as_deref(),
            Some("http://bob.invalid")
        );
        assert_eq!(
            packument.repository.as_ref().unwrap().kind.as_deref(),
            Some("git")
        );
        let version = &packument.versions["1.0.1"];
        assert_eq!(version.scripts["postinstall"], "node setup.js");
        assert_eq!(
            version.npm_user.as_ref().unwrap().name.as_deref(),
            Some("alice")
        );
        assert_eq!(
            version.repository.as_ref().unwrap().url.as_deref(),
            Some("github:someone/demo")
        );
        assert_eq!(version.dist.file_count, Some(3));
        assert_eq!(version.dist.signatures[0].keyid, "SHA256:k");
    }

    #[test]
    fn stripped_and_odd_packuments_still_parse() {
        let json = r#"{
          "name": "demo",
          "maintainers": "not a list",
          "time": null,
          "versions": {
            "1.0.0": {"version": "1.0.0", "dist": {"tarball": "http://127.0.0.1:1/t.tgz"},
                      "deprecated": false, "scripts": {"test": 1}, "repository": 7},
            "2.0.0": {},
            "3.0.0": null
          }
        }"#;
        let packument: Packument = serde_json::from_str(json).unwrap();
        assert!(packument.maintainers.is_empty());
        assert!(packument.dist_tags.is_empty());
        let version = &packument.versions["1.0.0"];
        assert_eq!(version.deprecated, None);
        assert!(version.scripts.is_empty());
        assert_eq!(version.repository, None);
        assert_eq!(version.dist.integrity, None);
        assert_eq!(packument.versions["2.0.0"].dist.tarball, "");
        assert_eq!(packument.versions["3.0.0"], VersionManifest::default());
        let odd: Packument = serde_json::from_str(r#"{"versions": [1, 2]}"#).unwrap();
        assert!(odd.versions.is_empty());
    }
}
