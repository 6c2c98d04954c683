//! Metadata and authenticity rules (category `metadata/`): who published a
//! version, when, under which name and claiming which source repository,
//! judged from the registry's packument rather than from the code.
//!
//! [`check`] takes the full packument, the version being scanned, the
//! popular-name index and the packuments of related packages the caller
//! fetched (see [`related_names`]: the popular packages a name resembles, the
//! scoped package of the organisation its `repository` names) and returns
//! findings in the engine's model.
//!
//! Registries and mirrors may strip `time`, `maintainers` and `_npmUser`. A
//! rule that needs a missing field does not guess: it reports itself
//! *unknown*, with the reason, and [`check`] gathers those into one `info`
//! finding, `metadata/unknown`, so the report says what could not be judged.
//! No rule fires on absence alone. Metadata findings are never `critical`:
//! on their own they make a package at most `suspicious`.

pub mod popular;
pub mod repo;
pub(crate) mod rules;
pub mod time;

use std::collections::BTreeSet;

use palisade_diagnostics::render::RuleInfo;
use palisade_diagnostics::{Finding, RuleStatus};
use palisade_registry::nodejs_semver::Version;
use palisade_registry::{Packument, Person, VersionManifest};

pub use popular::{PopularIndex, Resemblance, Resembled};
pub use repo::RepoRef;
pub use rules::ALL;

use crate::rule::RuleMeta;

/// A version in the order of its registry: semver (npm), else PEP 440
/// (a Python index, whose `1.0` is not semver).
enum VersionOrder {
    Semver(Version),
    Pep440(palisade_registry::Pep440),
}

impl VersionOrder {
    fn parse(text: &str) -> Option<Self> {
        Version::parse(text)
            .ok()
            .map(Self::Semver)
            .or_else(|| palisade_registry::Pep440::parse(text).map(Self::Pep440))
    }

    /// Whether `self` is lower, in the same scheme.
    fn lt(&self, other: &Self) -> bool {
        match (self, other) {
            (Self::Semver(a), Self::Semver(b)) => a < b,
            (Self::Pep440(a), Self::Pep440(b)) => a < b,
            _ => false,
        }
    }

    /// A total order for sorting: unparsable first, then semver, then PEP 440.
    fn total(a: &str, b: &str) -> std::cmp::Ordering {
        let rank = |v: &Option<Self>| match v {
            None => 0,
            Some(Self::Semver(_)) => 1,
            Some(Self::Pep440(_)) => 2,
        };
        let (x, y) = (Self::parse(a), Self::parse(b));
        match (&x, &y) {
            (Some(Self::Semver(p)), Some(Self::Semver(q))) => p.cmp(q),
            (Some(Self::Pep440(p)), Some(Self::Pep440(q))) => p.cmp(q),
            _ => rank(&x).cmp(&rank(&y)),
        }
    }
}

/// Thresholds of the metadata rules.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MetadataOptions {
    /// A version published less than this many hours ago is recent (`metadata/recent-release`).
    pub recent_hours: u64,
    /// A gap of more than this many days since the previous release makes the
    /// package dormant (`metadata/dormant-release`).
    pub dormant_days: u64,
    /// Weekly downloads, when the registry offers counts; `None`: unknown.
    pub weekly_downloads: Option<u64>,
    /// The current time in Unix seconds; `None`: the system clock.
    pub now: Option<i64>,
}

impl Default for MetadataOptions {
    fn default() -> Self {
        Self {
            recent_hours: 48,
            dormant_days: 365,
            weekly_downloads: None,
            now: None,
        }
    }
}

/// What the metadata rules read.
#[derive(Debug, Clone, Copy)]
pub struct MetadataInput<'a> {
    /// The package's full packument.
    pub packument: &'a Packument,
    /// The version being judged.
    pub version: &'a str,
    pub popular: &'a PopularIndex,
    /// Packuments of related packages (see [`related_names`]); may be empty.
    pub related: &'a [Packument],
    pub options: &'a MetadataOptions,
}

/// A rule that could not judge, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unknown {
    pub rule: &'static str,
    pub reason: String,
}

/// The metadata rules' result.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MetadataReport {
    /// Findings, including one `metadata/unknown` when some rule could not judge.
    pub findings: Vec<Finding>,
    pub unknown: Vec<Unknown>,
}

/// What a metadata rule may read.
pub struct MetadataContext<'a> {
    pub packument: &'a Packument,
    pub name: &'a str,
    pub version: &'a str,
    pub manifest: &'a VersionManifest,
    pub popular: &'a PopularIndex,
    pub related: &'a [Packument],
    pub options: &'a MetadataOptions,
    /// Unix seconds.
    pub now: i64,
    /// The versions published before this one: by `time` when the packument
    /// has it, by version order otherwise. Oldest first.
    pub previous: Vec<(&'a str, &'a VersionManifest)>,
}

impl<'a> MetadataContext<'a> {
    fn new(input: &MetadataInput<'a>, manifest: &'a VersionManifest) -> Self {
        let now = input.options.now.unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
        });
        let packument = input.packument;
        let time_of = |v: &str| packument.time.get(v).and_then(|t| time::parse_time(t));
        let this_time = time_of(input.version);
        let this_order = VersionOrder::parse(input.version);
        let mut previous: Vec<(&str, &VersionManifest, Option<i64>)> = packument
            .versions
            .iter()
            .filter(|(v, _)| v.as_str() != input.version)
            // Earlier by time or lower by version: some mirrors re-stamp
            // `time` when they copy a package, so neither order alone can
            // be trusted to say what came before.
            .filter(|(v, _)| {
                let by_time = matches!((this_time, time_of(v)), (Some(this), Some(t)) if t < this);
                let by_version = this_order
                    .as_ref()
                    .is_some_and(|this| VersionOrder::parse(v).is_some_and(|o| o.lt(this)));
                by_time || by_version
            })
            .map(|(v, m)| (v.as_str(), m, time_of(v)))
            .collect();
        previous.sort_by(|a, b| a.2.cmp(&b.2).then_with(|| VersionOrder::total(a.0, b.0)));
        Self {
            packument,
            name: if packument.name.is_empty() {
                manifest.name.as_str()
            } else {
                packument.name.as_str()
            },
            version: input.version,
            manifest,
            popular: input.popular,
            related: input.related,
            options: input.options,
            now,
            previous: previous.into_iter().map(|(v, m, _)| (v, m)).collect(),
        }
    }

    /// When a version was published, from the packument's `time`.
    pub fn published(&self, version: &str) -> Option<i64> {
        self.packument
            .time
            .get(version)
            .and_then(|t| time::parse_time(t))
    }

    /// The package's scope, without `@`.
    pub fn scope(&self) -> Option<&str> {
        popular::split_scope(self.name).0
    }

    /// Who published this version: its `_npmUser` and its maintainers.
    pub fn version_publishers(&self) -> Vec<&'a Person> {
        publishers(self.manifest)
    }

    /// Everyone the package names as its people: this version's publisher
    /// and maintainers and the packument's current maintainers.
    pub fn people(&self) -> Vec<&'a Person> {
        let mut out = publishers(self.manifest);
        out.extend(self.packument.maintainers.iter());
        out
    }

    /// A related package's packument by name.
    pub fn related(&self, name: &str) -> Option<&'a Packument> {
        self.related
            .iter()
            .find(|p| p.name.eq_ignore_ascii_case(name))
    }
}

/// A version's `_npmUser` and maintainers.
pub fn publishers(manifest: &VersionManifest) -> Vec<&Person> {
    manifest
        .npm_user
        .iter()
        .chain(manifest.maintainers.iter())
        .collect()
}

/// Lower-cased names and e-mail addresses of people, for comparison.
pub fn identities<'p>(people: impl IntoIterator<Item = &'p Person>) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for p in people {
        if let Some(n) = p.name.as_deref().map(str::trim).filter(|n| !n.is_empty()) {
            out.insert(n.to_ascii_lowercase());
        }
        if let Some(e) = p.email.as_deref().map(str::trim).filter(|e| !e.is_empty()) {
            out.insert(e.to_ascii_lowercase());
        }
    }
    out
}

/// Whether two groups of people share anyone. `None` when either is unknown.
pub fn share_people<'p>(
    a: impl IntoIterator<Item = &'p Person>,
    b: impl IntoIterator<Item = &'p Person>,
) -> Option<bool> {
    let (a, b) = (identities(a), identities(b));
    if a.is_empty() || b.is_empty() {
        return None;
    }
    Some(!a.is_disjoint(&b))
}

/// Everyone a packument names: current maintainers and every version's
/// publisher and maintainers.
pub fn all_people(packument: &Packument) -> Vec<&Person> {
    packument
        .maintainers
        .iter()
        .chain(packument.versions.values().flat_map(publishers))
        .collect()
}

/// `` `a`, `b` `` for messages (at most five, then `...`).
pub(crate) fn list(names: impl IntoIterator<Item = impl AsRef<str>>) -> String {
    let names: Vec<String> = names
        .into_iter()
        .map(|n| format!("`{}`", n.as_ref()))
        .collect();
    if names.len() > 5 {
        format!("{}, ...", names[..5].join(", "))
    } else {
        names.join(", ")
    }
}

/// A metadata rule: reads the context, adds findings, or says it cannot judge.
pub trait MetadataRule: Send + Sync {
    fn meta(&self) -> &'static RuleMeta;
    /// # Errors
    /// [`Unknown`]'s reason when the packument lacks what the rule needs.
    fn check(&self, ctx: &MetadataContext<'_>, out: &mut Vec<Finding>) -> Result<(), String>;
}

/// Every metadata rule's metadata, for `palisade rules`.
pub fn metas() -> Vec<&'static RuleMeta> {
    ALL.iter().map(|r| r.meta()).collect()
}

/// Their descriptions for SARIF output.
pub fn rule_infos() -> Vec<RuleInfo> {
    metas()
        .into_iter()
        .map(|m| RuleInfo::new(m.id, m.summary).with_severity(m.severity))
        .collect()
}

/// Packages whose packuments [`check`] can use as evidence for `name`, at
/// most four: the popular names it resembles most, and for a `repository`
/// whose owner is neither the scope nor a publisher, the scoped package
/// `@owner/project` and the popular package named like the project. The
/// caller fetches those that exist and passes them as `related`.
pub fn related_names(packument: &Packument, version: &str, popular: &PopularIndex) -> Vec<String> {
    let name = packument.name.as_str();
    let mut out: Vec<String> = Vec::new();
    let mut add = |n: String| {
        if !n.eq_ignore_ascii_case(name) && !out.contains(&n) && out.len() < 4 {
            out.push(n);
        }
    };
    for r in popular.resembles(name).into_iter().take(2) {
        add(r.target);
    }
    let manifest = packument.versions.get(version);
    let repo = RepoRef::of(
        manifest
            .and_then(|m| m.repository.as_ref())
            .or(packument.repository.as_ref()),
    );
    if let Some(repo) = repo {
        add(format!("@{}/{}", repo.owner, repo.name));
        if popular.rank(&repo.name).is_some() {
            add(repo.name.clone());
        }
    }
    out
}

/// Runs every metadata rule on one version of a package.
pub fn check(input: &MetadataInput<'_>) -> MetadataReport {
    let Some(manifest) = input.packument.versions.get(input.version) else {
        let reason = format!(
            "the packument of `{}` has no version `{}`",
            input.packument.name, input.version
        );
        let unknown: Vec<Unknown> = ALL
            .iter()
            .map(|r| Unknown {
                rule: r.meta().id,
                reason: reason.clone(),
            })
            .collect();
        return MetadataReport {
            findings: vec![rules::unknown::UnknownMetadata::report(&unknown)],
            unknown,
        };
    };
    let ctx = MetadataContext::new(input, manifest);
    let mut report = MetadataReport::default();
    for rule in ALL {
        let meta = rule.meta();
        let start = report.findings.len();
        if let Err(reason) = rule.check(&ctx, &mut report.findings) {
            report.unknown.push(Unknown {
                rule: meta.id,
                reason,
            });
        }
        for f in &mut report.findings[start..] {
            f.preview = meta.status == RuleStatus::Preview;
            f.capability.get_or_insert_with(|| "metadata".to_owned());
        }
    }
    if !report.unknown.is_empty() {
        report
            .findings
            .push(rules::unknown::UnknownMetadata::report(&report.unknown));
    }
    report
}

#[cfg(test)]
pub(crate) mod tester;
