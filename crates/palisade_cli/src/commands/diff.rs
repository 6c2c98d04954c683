//! `palisade diff OLD NEW`: what the new version can do that the old one
//! could not, each new capability with the lines that added it.

use std::collections::BTreeMap;

use palisade_diagnostics::{Finding, PackageReport, Verdict};
use palisade_linter::diff::rules::no_previous_version::NoPreviousVersion;
use palisade_linter::diff::{self as vdiff, DiffReport};
use palisade_linter::{Engine, EngineOptions};
use palisade_package::{Limits, Package};
use palisade_registry::nodejs_semver::Version;
use palisade_registry::{PackageSpec, Packument, VersionReq};

use super::input::{Input, Registry, classify};
use crate::args::{DiffArgs, FailOn, OutputFormat};
use crate::exit::{Status, usage};
use crate::output;

/// Runs `palisade diff`.
pub fn run(args: &DiffArgs) -> anyhow::Result<Status> {
    let old_input = classify(&args.old)?;
    let new_input = classify(&args.new)?;
    let limits = args.limits.limits();
    let registry = Registry::new(args.registry.as_deref());
    let (old, new) = rayon::join(
        || registry.read(&old_input, &limits),
        || registry.read(&new_input, &limits),
    );
    let (old, _) = old.map_err(|e| usage(format!("cannot read `{}`: {e}", args.old)))?;
    let (new, _) = new.map_err(|e| usage(format!("cannot read `{}`: {e}", args.new)))?;

    // Two registry versions: their packument entries say who published
    // each and what vouched for it (a full packument each; same name, one).
    let packuments = match (&old_input, &new_input) {
        (Input::Spec(o), Input::Spec(n)) => registry.client().ok().and_then(|c| {
            let new = c.full_packument(&n.name).ok()?;
            let old = if o.name == n.name {
                None
            } else {
                Some(c.full_packument(&o.name).ok()?)
            };
            Some((old, new))
        }),
        _ => None,
    };
    let record = vdiff::RegistryRecord {
        versions: packuments.as_ref().and_then(|(o, n)| {
            Some(vdiff::RegistryPair {
                old: o.as_ref().unwrap_or(n).versions.get(old.version()?)?,
                new: n.versions.get(new.version()?)?,
            })
        }),
        // Local inputs stay local: the registry is asked about new
        // dependencies only when the user named a registry version.
        dependency_scripts: if matches!(old_input, Input::Spec(_))
            || matches!(new_input, Input::Spec(_))
        {
            dependency_scripts(&registry, &old, &new)
        } else {
            BTreeMap::new()
        },
    };
    let new_report = Engine::new(EngineOptions {
        keep_facts: true,
        ..EngineOptions::default()
    })
    .scan(&new);
    let mut report = vdiff::diff_against_registry(&old, &new, &new_report, &record);
    report.source = args.new.clone();
    let text = render(
        &report,
        args.format,
        args.output.is_none() && output::stdout_color(),
    );
    match &args.output {
        Some(path) => output::write_file(path, &text).map_err(|e| usage(format!("{e:#}")))?,
        None => output::print(&text)?,
    }
    let threshold = match args.fail_on {
        FailOn::Suspicious => Verdict::Suspicious,
        FailOn::Malicious => Verdict::Malicious,
    };
    Ok(if report.verdict >= threshold {
        Status::Findings
    } else {
        Status::Clean
    })
}

/// Renders a diff in the chosen format.
pub fn render(report: &DiffReport, format: OutputFormat, color: bool) -> String {
    match format {
        OutputFormat::Text => vdiff::render_text(report, color),
        OutputFormat::Json => vdiff::render_json(report),
        OutputFormat::Sarif => vdiff::render_sarif(report, &vdiff::rule_infos()),
    }
}

/// The highest published version of `name` below `version` (pre-releases
/// only when `version` is one), with the full packument it came from (its
/// entries name each version's publisher). `None` for a first version.
fn previous_version(
    registry: &Registry<'_>,
    name: &str,
    version: &str,
) -> Result<(Option<Version>, Packument), String> {
    let current =
        Version::parse(version).map_err(|e| format!("`{version}` is not a version: {e}"))?;
    let packument = registry
        .client()?
        .full_packument(name)
        .map_err(|e| e.to_string())?;
    let previous = packument
        .versions
        .keys()
        .filter_map(|v| Version::parse(v).ok())
        .filter(|v| *v < current && (current.is_prerelease() || !v.is_prerelease()))
        .max();
    Ok((previous, packument))
}

/// Compares a package fetched from the registry with the version published
/// before it and adds the diff's findings to its report (or a
/// `diff/no-previous-version` finding saying why there is no diff), then
/// decides the verdict again.
pub(crate) fn add_previous_version_diff(
    registry: &Registry<'_>,
    limits: &Limits,
    package: &Package,
    report: &mut PackageReport,
) {
    let (name, version) = (report.name.clone(), report.version.clone());
    let findings = match previous_version(registry, &name, &version) {
        Ok((Some(previous), packument)) => diff_findings(
            registry,
            limits,
            package,
            report,
            &previous.to_string(),
            Some(&packument),
        ),
        Ok((None, _)) => vec![NoPreviousVersion::report(
            &name,
            &version,
            "it is the first published version",
        )],
        Err(e) => vec![NoPreviousVersion::report(
            &name,
            &version,
            &format!("the registry could not list its versions: {e}"),
        )],
    };
    merge(report, findings);
}

/// Compares a package fetched from the registry with an older version
/// named by the caller (the version an older lockfile locked) and adds the
/// diff's findings to its report, as [`add_previous_version_diff`] does.
pub(crate) fn add_version_diff(
    registry: &Registry<'_>,
    limits: &Limits,
    package: &Package,
    report: &mut PackageReport,
    old_version: &str,
) {
    let packument = registry
        .client()
        .ok()
        .and_then(|c| c.full_packument(&report.name).ok());
    let findings = diff_findings(
        registry,
        limits,
        package,
        report,
        old_version,
        packument.as_ref(),
    );
    merge(report, findings);
}

/// The `diff/` findings of `package` against `name@old_version` from the
/// registry, with the registry's entries for both versions when the
/// packument has them; a `diff/no-previous-version` finding when the old
/// version cannot be fetched.
fn diff_findings(
    registry: &Registry<'_>,
    limits: &Limits,
    package: &Package,
    report: &PackageReport,
    old_version: &str,
    packument: Option<&Packument>,
) -> Vec<Finding> {
    let (name, version) = (&report.name, &report.version);
    let old_id = format!("{name}@{old_version}");
    let spec = match Version::parse(old_version) {
        Ok(v) => PackageSpec {
            name: name.clone(),
            req: VersionReq::Exact(v),
        },
        Err(e) => {
            return vec![NoPreviousVersion::report(
                name,
                version,
                &format!("`{old_id}` is not a version: {e}"),
            )];
        }
    };
    match registry.fetch(&spec, limits) {
        Ok((old, _)) => {
            let record = vdiff::RegistryRecord {
                versions: packument.and_then(|p| {
                    Some(vdiff::RegistryPair {
                        old: p.versions.get(old_version)?,
                        new: p.versions.get(version.as_str())?,
                    })
                }),
                dependency_scripts: dependency_scripts(registry, &old, package),
            };
            vdiff::diff_against_registry(&old, package, report, &record).findings
        }
        Err(e) => vec![NoPreviousVersion::report(
            name,
            version,
            &format!("`{old_id}` could not be fetched: {e}"),
        )],
    }
}

/// At most this many new dependencies are looked up per diff.
const MAX_DEPENDENCY_LOOKUPS: usize = 32;

/// The dependencies `new` installs that `old` did not and that run scripts
/// at install, as their ranges resolve in the registry today (name →
/// events). Registry errors and non-registry specs are skipped: the diff
/// still reports the dependency, without this.
fn dependency_scripts(
    registry: &Registry<'_>,
    old: &Package,
    new: &Package,
) -> BTreeMap<String, Vec<String>> {
    let installed = |p: &Package| -> BTreeMap<String, String> {
        p.manifest
            .as_ref()
            .map(|m| {
                m.dependencies()
                    .into_iter()
                    .filter(|(section, ..)| *section != "devDependencies")
                    .map(|(_, name, spec)| (name.to_owned(), spec.to_owned()))
                    .collect()
            })
            .unwrap_or_default()
    };
    let before = installed(old);
    let added: Vec<(String, String)> = installed(new)
        .into_iter()
        .filter(|(name, _)| !before.contains_key(name))
        .take(MAX_DEPENDENCY_LOOKUPS)
        .collect();
    let mut out = BTreeMap::new();
    if added.is_empty() {
        return out;
    }
    let Ok(client) = registry.client() else {
        return out;
    };
    for (name, range) in added {
        let Ok(spec) = format!("{name}@{range}").parse::<PackageSpec>() else {
            continue;
        };
        let Ok(resolved) = client.resolve(&spec) else {
            continue;
        };
        let manifest = &resolved.manifest;
        let mut events: Vec<String> = ["preinstall", "install", "postinstall"]
            .into_iter()
            .filter(|e| manifest.scripts.contains_key(*e))
            .map(str::to_owned)
            .collect();
        if events.is_empty() && manifest.has_install_script == Some(true) {
            events.push("install script".to_owned());
        }
        if !events.is_empty() {
            out.insert(name, events);
        }
    }
    out
}

/// Adds diff findings to a scan's report (they explain, the scan's own
/// findings decide as before) and decides the verdict again.
pub(crate) fn merge(report: &mut PackageReport, findings: Vec<Finding>) {
    report.findings.extend(findings.into_iter().map(|mut f| {
        f.deciding = false;
        f
    }));
    report.findings.sort_by(|a, b| {
        b.severity
            .cmp(&a.severity)
            .then_with(|| a.location.cmp(&b.location))
            .then_with(|| a.rule.cmp(&b.rule))
    });
    let (verdict, score) = Verdict::decide(&mut report.findings);
    report.verdict = verdict;
    report.score = score;
}
