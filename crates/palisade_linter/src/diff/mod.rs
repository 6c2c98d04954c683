//! The version diff: what a new version can do that the old one could not.
//!
//! A **capability diff, not a text diff**. Both versions' [`Facts`] are keyed
//! by kind and value (a host, a recipient and its field, a module, a script
//! event and command...), never by line, so moving or reformatting code is not
//! a change. Each new capability carries where it is in the new version and a
//! small unified diff of that region of the file. Diff rules ([`rules`]) turn
//! changes into findings in the `diff/` category; their severities rise when
//! the release is a patch or minor bump whose README, description and MCP
//! tool definitions did not change, and when a destination is not the vendor's own domain. The verdict
//! is decided from those findings alone, as for a scan.
//!
//! [`diff`] compares two finished scans; [`diff_packages`] scans both
//! versions itself and re-analyses only the old version's files that changed,
//! so a diff costs about one scan plus the changed files.

mod capability;
mod render;
pub mod rules;
#[cfg(test)]
mod tester;
mod textdiff;

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::fmt;

use palisade_diagnostics::{Fact, Facts, Finding, Location, PackageReport, Verdict};
use palisade_package::{Manifest, Package, PackageFile};
use palisade_registry::VersionManifest;

pub use capability::Capability;
pub use render::{render_json, render_sarif, render_text, rule_infos, to_json};
pub use rules::{DiffContext, DiffRule};

use crate::{Engine, EngineOptions};

/// A package name and version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackageId {
    pub name: String,
    pub version: String,
}

/// How far apart two versions are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Bump {
    Major,
    Minor,
    Patch,
    /// Only the pre-release or build part differs.
    Prerelease,
    /// The same version.
    Same,
    /// The new version is lower than the old one.
    Downgrade,
    /// A version that is not `major.minor.patch`.
    Unknown,
}

impl Bump {
    pub fn as_str(self) -> &'static str {
        match self {
            Bump::Major => "major",
            Bump::Minor => "minor",
            Bump::Patch => "patch",
            Bump::Prerelease => "prerelease",
            Bump::Same => "same",
            Bump::Downgrade => "downgrade",
            Bump::Unknown => "unknown",
        }
    }

    /// Compares two versions.
    pub fn of(old: &str, new: &str) -> Bump {
        fn parse(v: &str) -> Option<([u64; 3], &str)> {
            let v = v.trim().trim_start_matches('v');
            let (core, rest) = v.find(['-', '+']).map_or((v, ""), |i| (&v[..i], &v[i..]));
            let mut parts = core.split('.').map(|p| p.parse::<u64>().ok());
            let out = [parts.next()??, parts.next()??, parts.next()??];
            parts.next().is_none().then_some((out, rest))
        }
        let (Some((a, ar)), Some((b, br))) = (parse(old), parse(new)) else {
            return Bump::Unknown;
        };
        if b < a {
            Bump::Downgrade
        } else if b[0] != a[0] {
            Bump::Major
        } else if b[1] != a[1] {
            Bump::Minor
        } else if b[2] != a[2] {
            Bump::Patch
        } else if ar != br {
            Bump::Prerelease
        } else {
            Bump::Same
        }
    }

    /// A bump that promises no new features or only compatible ones: the
    /// kind users take automatically (`^`, `~`, `npx -y`).
    pub fn is_quiet(self) -> bool {
        matches!(
            self,
            Bump::Minor | Bump::Patch | Bump::Prerelease | Bump::Same
        )
    }
}

impl fmt::Display for Bump {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One new capability.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub capability: Capability,
    /// Where it is in the new version.
    pub location: Location,
    /// It runs at install time in the new version.
    pub install_time: bool,
    /// The old version had it, but not at install time.
    pub now_install_time: bool,
    /// A unified diff (3 lines of context) of the file region between the
    /// two versions, when the file changed.
    pub diff: Option<String>,
}

impl Change {
    /// `install-script`, `email-recipient`, `network-destination`, ...
    pub fn kind(&self) -> &'static str {
        self.capability.kind()
    }

    /// One line for people.
    pub fn detail(&self) -> String {
        let d = self.capability.detail();
        if self.now_install_time {
            format!("{d}, now at install time")
        } else if self.install_time {
            format!("{d}, at install time")
        } else {
            d
        }
    }
}

/// The result of comparing two versions of a package.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DiffReport {
    pub old: PackageId,
    pub new: PackageId,
    /// What the new version was scanned from.
    pub source: String,
    pub bump: Bump,
    /// The README, the manifest's `description` or an MCP tool definition
    /// (a line naming or describing a tool in a changed code file) changed.
    pub docs_changed: bool,
    /// New capabilities, by file and line.
    pub changes: Vec<Change>,
    /// `diff/` findings, worst first.
    pub findings: Vec<Finding>,
    pub verdict: Verdict,
    pub score: u32,
}

impl DiffReport {
    /// The findings that decided the verdict.
    pub fn deciding(&self) -> impl Iterator<Item = &Finding> {
        self.findings.iter().filter(|f| f.deciding)
    }

    /// The diff as a package report of the new version (for SARIF and for
    /// merging into a scan).
    pub fn to_package_report(&self) -> PackageReport {
        PackageReport {
            name: self.new.name.clone(),
            version: self.new.version.clone(),
            source: self.source.clone(),
            integrity: None,
            verdict: self.verdict,
            score: self.score,
            findings: self.findings.clone(),
            stats: palisade_diagnostics::ScanStats::default(),
            facts: None,
            cached: false,
            dependency_path: Vec::new(),
        }
    }
}

/// Compares two scanned versions. The reports should carry their facts
/// (`EngineOptions { keep_facts: true, .. }`); a report without them is
/// scanned again.
pub fn diff(
    old: &PackageReport,
    new: &PackageReport,
    old_pkg: &Package,
    new_pkg: &Package,
) -> DiffReport {
    let facts = |r: &PackageReport, p: &Package| {
        r.facts.clone().unwrap_or_else(|| {
            Engine::new(EngineOptions {
                keep_facts: true,
                ..EngineOptions::default()
            })
            .scan(p)
            .facts
            .unwrap_or_default()
        })
    };
    diff_facts(
        PackageId {
            name: old.name.clone(),
            version: old.version.clone(),
        },
        &facts(old, old_pkg),
        old_pkg,
        PackageId {
            name: new.name.clone(),
            version: new.version.clone(),
        },
        &facts(new, new_pkg),
        new_pkg,
        &new.source,
        &RegistryRecord::default(),
    )
}

/// Scans both versions and compares them. The old version's files that are
/// byte-identical in the new version are not analysed again: their facts are
/// the new version's (analysis is per file), so the cost is one scan plus
/// the changed files. Returns the diff and the new version's full report.
pub fn diff_packages(
    options: EngineOptions,
    old: &Package,
    new: &Package,
) -> (DiffReport, PackageReport) {
    let engine = Engine::new(EngineOptions {
        keep_facts: true,
        ..options
    });
    let new_report = engine.scan(new);
    let report = diff_against(old, new, &new_report);
    (report, new_report)
}

/// Compares an old version with a new version that is already scanned
/// (`palisade scan` has the new report): only the old version's changed
/// files are analysed. A report without facts is scanned again.
pub fn diff_against(old: &Package, new: &Package, new_report: &PackageReport) -> DiffReport {
    diff_against_registry(old, new, new_report, &RegistryRecord::default())
}

/// What the registry says about both versions (their packument entries):
/// who published each and what vouched for it. Only a full packument names
/// the publisher (`_npmUser`).
#[derive(Debug, Clone, Copy)]
pub struct RegistryPair<'a> {
    pub old: &'a VersionManifest,
    pub new: &'a VersionManifest,
}

/// What the registry says about a release, gathered by the caller (the
/// diff itself reads no network).
#[derive(Debug, Clone, Default)]
pub struct RegistryRecord<'a> {
    /// Both versions' packument entries, when the registry has them.
    pub versions: Option<RegistryPair<'a>>,
    /// New dependencies that run scripts at install, as they resolve today:
    /// name → the scripts' events (`postinstall`, or `install script` when
    /// an abbreviated packument only says that there is one).
    pub dependency_scripts: BTreeMap<String, Vec<String>>,
}

/// [`diff_against`], plus what the registry's record shows: a publisher
/// who was not among the old version's people, provenance or signatures
/// the old version had and the new one lacks, and new dependencies that
/// run scripts at install.
pub fn diff_against_registry(
    old: &Package,
    new: &Package,
    new_report: &PackageReport,
    registry: &RegistryRecord<'_>,
) -> DiffReport {
    let new_facts = new_report.facts.clone().unwrap_or_else(|| {
        Engine::new(EngineOptions {
            keep_facts: true,
            ..EngineOptions::default()
        })
        .scan(new)
        .facts
        .unwrap_or_default()
    });
    let old_facts = old_facts_incremental(old, new, &new_facts);
    diff_facts(
        id_of(old),
        &old_facts,
        old,
        PackageId {
            name: new_report.name.clone(),
            version: new_report.version.clone(),
        },
        &new_facts,
        new,
        &new_report.source,
        registry,
    )
}

/// Where registry-metadata changes are located in reports.
pub const REGISTRY_LOCATION: &str = "(registry)";

/// The changes the registry's metadata shows between two versions.
fn registry_changes(pair: RegistryPair<'_>) -> Vec<Change> {
    let mut out = Vec::new();
    let change = |capability| Change {
        capability,
        location: Location::new(REGISTRY_LOCATION, 0, 0),
        install_time: false,
        now_install_time: false,
        diff: None,
    };
    if let Some(publisher) = &pair.new.npm_user {
        // Only a full packument names publishers; without the old one's
        // people there is nothing to compare with.
        let known = crate::metadata::identities(crate::metadata::publishers(pair.old));
        let theirs = crate::metadata::identities([publisher]);
        if !known.is_empty() && known.is_disjoint(&theirs) {
            let who = |p: &palisade_registry::Person| {
                p.name
                    .clone()
                    .or_else(|| p.email.clone())
                    .unwrap_or_else(|| "?".to_owned())
            };
            out.push(change(Capability::Publisher {
                old: pair.old.npm_user.as_ref().map(who),
                new: who(publisher),
            }));
        }
    }
    let attested = |m: &VersionManifest| m.dist.attestations.as_ref().is_some_and(|a| !a.is_null());
    if attested(pair.old) && !attested(pair.new) {
        out.push(change(Capability::ProvenanceRemoved {
            what: "provenance attestations",
        }));
    }
    if !pair.old.dist.signatures.is_empty() && pair.new.dist.signatures.is_empty() {
        out.push(change(Capability::ProvenanceRemoved {
            what: "registry signatures",
        }));
    }
    out
}

fn id_of(p: &Package) -> PackageId {
    PackageId {
        name: p.name().unwrap_or("<unnamed>").to_owned(),
        version: p.version().unwrap_or("0.0.0").to_owned(),
    }
}

fn install_scripts(f: &Facts) -> BTreeSet<(String, String)> {
    f.scripts
        .iter()
        .filter(|s| s.at.install_time && s.at.location.path == "package.json")
        .map(|s| (s.event.clone(), s.command.clone()))
        .collect()
}

/// The old version's facts: its changed files analysed, the rest taken from
/// the new version's facts.
///
/// Install-time flags of the copied facts are kept only when both versions
/// have the same install scripts; otherwise they are cleared, so code that a
/// new script runs shows as "now at install time". A changed old file counts
/// as install-time when the new version runs it at install time under the
/// same scripts (reachability through unchanged files is not re-computed).
fn old_facts_incremental(old: &Package, new: &Package, new_facts: &Facts) -> Facts {
    let is_module = |p: &Package| {
        p.manifest
            .as_ref()
            .is_some_and(palisade_package::Manifest::is_module)
    };
    let only_facts = EngineOptions {
        keep_facts: true,
        only_rules: vec!["diff/facts-only".to_owned()],
        preview: false,
    };
    if is_module(old) != is_module(new) {
        return Engine::new(only_facts).scan(old).facts.unwrap_or_default();
    }
    let unchanged: HashSet<&str> = old
        .files
        .iter()
        .filter(|f| f.path != "package.json" && new.file(&f.path).is_some_and(|n| n.data == f.data))
        .map(|f| f.path.as_str())
        .collect();
    let changed: Vec<PackageFile> = old
        .files
        .iter()
        .filter(|f| !unchanged.contains(f.path.as_str()))
        .cloned()
        .collect();
    let reduced = Package::from_files(old.origin.clone(), changed);
    let mut facts = Engine::new(only_facts)
        .scan(&reduced)
        .facts
        .unwrap_or_default();
    let same_scripts = install_scripts(&facts) == install_scripts(new_facts);
    if same_scripts {
        let mut install_paths: HashSet<String> = HashSet::new();
        for_each_fact(&mut new_facts.clone(), |at| {
            if at.install_time {
                install_paths.insert(at.location.path.clone());
            }
        });
        for_each_fact(&mut facts, |at| {
            if install_paths.contains(&at.location.path) && at.location.path != "package.json" {
                at.install_time = true;
            }
        });
    }
    let mut copied = new_facts.clone();
    retain_facts(&mut copied, |at| {
        unchanged.contains(at.location.path.as_str())
    });
    if !same_scripts {
        for_each_fact(&mut copied, |at| at.install_time = false);
    }
    facts.extend(copied);
    facts
}

fn for_each_fact(f: &mut Facts, mut g: impl FnMut(&mut Fact)) {
    f.imports.iter_mut().for_each(|x| g(&mut x.at));
    f.network.iter_mut().for_each(|x| g(&mut x.at));
    f.email_recipients.iter_mut().for_each(|x| g(&mut x.at));
    f.env.iter_mut().for_each(|x| g(&mut x.at));
    f.paths.iter_mut().for_each(|x| g(&mut x.at));
    f.files_written.iter_mut().for_each(|x| g(&mut x.at));
    f.processes.iter_mut().for_each(|x| g(&mut x.at));
    f.decode_run.iter_mut().for_each(|x| g(&mut x.at));
    f.scripts.iter_mut().for_each(|x| g(&mut x.at));
    f.flows.iter_mut().for_each(|x| g(&mut x.at));
    f.other.iter_mut().for_each(|x| g(&mut x.at));
}

fn retain_facts(f: &mut Facts, mut keep: impl FnMut(&Fact) -> bool) {
    f.imports.retain(|x| keep(&x.at));
    f.network.retain(|x| keep(&x.at));
    f.email_recipients.retain(|x| keep(&x.at));
    f.env.retain(|x| keep(&x.at));
    f.paths.retain(|x| keep(&x.at));
    f.files_written.retain(|x| keep(&x.at));
    f.processes.retain(|x| keep(&x.at));
    f.decode_run.retain(|x| keep(&x.at));
    f.scripts.retain(|x| keep(&x.at));
    f.flows.retain(|x| keep(&x.at));
    f.other.retain(|x| keep(&x.at));
}

/// The README at the package root, if any.
fn readme(p: &Package) -> Option<&[u8]> {
    p.files
        .iter()
        .find(|f| !f.path.contains('/') && f.path.to_ascii_lowercase().starts_with("readme"))
        .map(|f| f.data.as_slice())
}

/// Markers of MCP tool definitions in code.
const TOOL_MARKERS: &[&str] = &[
    ".tool(",
    "registerTool(",
    "inputSchema",
    "ListToolsRequestSchema",
];

/// The lines that define MCP tools (names, descriptions, schemas' keys) in
/// the code files of `p` that differ in `other`, sorted: equal for both
/// versions when no tool definition changed.
fn tool_definitions(p: &Package, other: &Package) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    for f in &p.files {
        let lower = f.path.to_ascii_lowercase();
        let code = [".js", ".cjs", ".mjs", ".ts", ".mts", ".cts"]
            .iter()
            .any(|e| lower.ends_with(e));
        if !code || other.file(&f.path).is_some_and(|o| o.data == f.data) {
            continue;
        }
        let text = String::from_utf8_lossy(&f.data);
        if !TOOL_MARKERS.iter().any(|m| text.contains(m)) {
            continue;
        }
        // Lines that mention a description or a tool marker, and the string
        // literals just after a tool registration (its name and description).
        let mut after_marker: u32 = 0;
        for line in text.lines().map(str::trim) {
            let marker = TOOL_MARKERS.iter().any(|m| line.contains(m));
            let literal = line.starts_with(['\'', '"', '`']);
            if marker || (after_marker > 0 && literal) || line.contains("description") {
                lines.push(line.to_owned());
            }
            after_marker = if marker {
                4
            } else {
                after_marker.saturating_sub(1)
            };
        }
    }
    lines.sort();
    lines
}

fn description(p: &Package) -> Option<&str> {
    p.manifest.as_ref().and_then(Manifest::description)
}

#[allow(clippy::too_many_arguments)]
fn diff_facts(
    old_id: PackageId,
    old_facts: &Facts,
    old: &Package,
    new_id: PackageId,
    new_facts: &Facts,
    new: &Package,
    source: &str,
    registry: &RegistryRecord<'_>,
) -> DiffReport {
    let before = capability::profile(old_facts, old);
    let after = capability::profile(new_facts, new);
    let old_scripts: HashMap<&str, &str> = old_facts
        .scripts
        .iter()
        .filter(|s| s.at.location.path == "package.json")
        .map(|s| (s.event.as_str(), s.command.as_str()))
        .collect();

    let mut texts: HashMap<String, Option<textdiff::LineDiff>> = HashMap::new();
    let mut changes = Vec::new();
    for (key, seen) in &after {
        let was = before.get(key);
        if was.is_some_and(|w| w.install_time || !seen.install_time) {
            continue;
        }
        let mut capability = seen.capability.clone();
        if let Capability::Script { fact, previous } = &mut capability
            && fact.at.location.path == "package.json"
        {
            *previous = old_scripts
                .get(fact.event.as_str())
                .map(|c| (*c).to_owned());
        }
        let path = seen.location.path.clone();
        let diff = texts
            .entry(path.clone())
            .or_insert_with(|| textdiff::LineDiff::of(old.file(&path), new.file(&path)))
            .as_ref()
            .and_then(|d| d.hunk(seen.location.line.max(1)));
        changes.push(Change {
            capability,
            location: seen.location.clone(),
            install_time: seen.install_time,
            now_install_time: was.is_some(),
            diff,
        });
    }
    changes.sort_by(|a, b| {
        a.location
            .cmp(&b.location)
            .then_with(|| a.kind().cmp(b.kind()))
    });
    // What the registry says comes after what the code says.
    changes.extend(registry.versions.map(registry_changes).unwrap_or_default());

    let mut vendor = crate::context::vendor_domains(old);
    if vendor.is_empty() {
        vendor = crate::context::vendor_domains(new);
    }
    let old_hosts: BTreeSet<String> = before
        .values()
        .filter_map(|s| match &s.capability {
            Capability::Network { host, .. } => Some(crate::context::registrable_domain(host)),
            _ => None,
        })
        .collect();
    let docs_changed = readme(old) != readme(new)
        || description(old) != description(new)
        || tool_definitions(old, new) != tool_definitions(new, old);
    let ctx = DiffContext {
        old,
        new,
        bump: Bump::of(&old_id.version, &new_id.version),
        docs_changed,
        vendor_domains: &vendor,
        old_hosts: &old_hosts,
        dependency_scripts: &registry.dependency_scripts,
    };
    let findings = rules::check_all(&ctx, &changes);
    let mut findings = findings;
    let (verdict, score) = Verdict::decide(&mut findings);
    DiffReport {
        old: old_id,
        new: new_id,
        source: source.to_owned(),
        bump: ctx.bump,
        docs_changed,
        changes,
        findings,
        verdict,
        score,
    }
}

#[cfg(test)]
mod tests;
