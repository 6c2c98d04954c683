//! `palisade diff OLD NEW`: what the new version can do that the old one
//! could not, each new capability with the lines that added it.

use palisade_diagnostics::{PackageReport, Verdict};
use palisade_linter::EngineOptions;
use palisade_linter::diff::rules::no_previous_version::NoPreviousVersion;
use palisade_linter::diff::{self as vdiff, DiffReport};
use palisade_package::{Limits, Package};
use palisade_registry::nodejs_semver::Version;
use palisade_registry::{PackageSpec, VersionReq};

use super::input::{Registry, classify};
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

    let (mut report, _) = vdiff::diff_packages(EngineOptions::default(), &old, &new);
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
/// only when `version` is one). `None` for a first version.
fn previous_version(
    registry: &Registry<'_>,
    name: &str,
    version: &str,
) -> Result<Option<Version>, String> {
    let current =
        Version::parse(version).map_err(|e| format!("`{version}` is not a version: {e}"))?;
    let packument = registry
        .client()?
        .packument(name)
        .map_err(|e| e.to_string())?;
    Ok(packument
        .versions
        .keys()
        .filter_map(|v| Version::parse(v).ok())
        .filter(|v| *v < current && (current.is_prerelease() || !v.is_prerelease()))
        .max())
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
        Ok(Some(previous)) => {
            let spec = PackageSpec {
                name: name.clone(),
                req: VersionReq::Exact(previous.clone()),
            };
            match registry.fetch(&spec, limits) {
                Ok((old, _)) => vdiff::diff_against(&old, package, report).findings,
                Err(e) => vec![NoPreviousVersion::report(
                    &name,
                    &version,
                    &format!("`{name}@{previous}` could not be fetched: {e}"),
                )],
            }
        }
        Ok(None) => vec![NoPreviousVersion::report(
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
