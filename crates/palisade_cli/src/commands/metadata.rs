//! Metadata and authenticity findings for packages scanned from the
//! registry: the full packument (publishers, times, repository) and the
//! packuments of related packages feed `palisade_linter::metadata`.
//!
//! These findings depend on the registry's metadata and on the clock, not on
//! the tarball, so they are added after the verdict cache and are never
//! cached.

use palisade_diagnostics::{Finding, PackageReport, Severity, Verdict};
use palisade_linter::metadata::{self, MetadataInput, MetadataOptions, PopularIndex};
use palisade_registry::Packument;
use rayon::prelude::*;

use super::input::{Input, Registry};

/// Adds the metadata rules' findings to the report of a registry package and
/// decides its verdict again. Folders and tarballs have no registry
/// metadata and are left alone. When the full packument cannot be fetched,
/// the report gets one `metadata/unknown` finding saying why.
pub(crate) fn add_metadata_findings(
    registry: &Registry<'_>,
    input: &Input,
    options: &MetadataOptions,
    report: &mut PackageReport,
) {
    let Input::Spec(_) = input else {
        return;
    };
    let findings = match metadata_findings(registry, &report.name, &report.version, options) {
        Ok(findings) => findings,
        Err(reason) => vec![
            Finding::new(
                "metadata/unknown",
                Severity::Info,
                format!("unknown: every `metadata/` rule: {reason}"),
            )
            .with_capability("metadata"),
        ],
    };
    report.findings.extend(findings);
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

/// Fetches the package's full packument and its related packages' (those
/// that do not exist or fail are left out: they are evidence, not
/// requirements) and runs the metadata rules.
fn metadata_findings(
    registry: &Registry<'_>,
    name: &str,
    version: &str,
    options: &MetadataOptions,
) -> Result<Vec<Finding>, String> {
    let client = registry.client()?;
    let packument = client
        .full_packument(name)
        .map_err(|e| format!("the full packument could not be fetched: {e}"))?;
    let popular = PopularIndex::shipped();
    let related: Vec<Packument> = metadata::related_names(&packument, version, popular)
        .par_iter()
        .filter_map(|n| client.full_packument(n).ok())
        .collect();
    Ok(metadata::check(&MetadataInput {
        packument: &packument,
        version,
        popular,
        related: &related,
        options,
    })
    .findings)
}
