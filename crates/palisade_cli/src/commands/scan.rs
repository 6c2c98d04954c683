//! `palisade scan`.

use palisade_diagnostics::render::{self, Format, RenderOptions, RuleInfo};
use palisade_diagnostics::{InputError, PackageReport, Report, Verdict};
use palisade_linter::{Engine, EngineOptions};
use rayon::prelude::*;

use super::input::{Input, Registry, classify};
use crate::args::{FailOn, OutputFormat, ScanArgs};
use crate::exit::{Status, usage};
use crate::output;

/// Runs `palisade scan`.
pub fn run(args: &ScanArgs) -> anyhow::Result<Status> {
    // Lockfiles, folders with one, `node_modules`: a whole project.
    if let Some(status) = super::project::run_if_project(args)? {
        return Ok(status);
    }
    // Python packages (`pypi:name==version`) come from the Python index
    // (`commands/pypi.rs`); the rest from npm, files and folders.
    let is_pypi = |raw: &&String| raw.starts_with(super::pypi::PREFIX);
    let raw_inputs: Vec<&String> = args.inputs.iter().filter(|r| !is_pypi(r)).collect();
    let pypi_inputs: Vec<&String> = args.inputs.iter().filter(is_pypi).collect();
    let inputs: Vec<Input> = raw_inputs
        .iter()
        .map(|i| classify(i))
        .collect::<anyhow::Result<_>>()?;
    let limits = args.limits.limits();
    let engine = Engine::new(EngineOptions {
        preview: args.preview,
        keep_facts: args.facts || !args.no_diff,
        ..EngineOptions::default()
    });
    // Known-malicious advisories and the verdict cache (`commands/known.rs`).
    let fingerprint = super::known::options_fingerprint(args.preview, args.facts, &limits);
    let known = super::known::Known::new(&args.cache, &fingerprint);
    let registry =
        Registry::new(args.registry.as_deref()).with_cache(known.registry_cache().map_err(usage)?);

    let metadata = palisade_linter::metadata::MetadataOptions {
        recent_hours: args.recent_hours,
        ..Default::default()
    };
    let mut results: Vec<Result<PackageReport, InputError>> = inputs
        .par_iter()
        .zip(raw_inputs.par_iter())
        .map(|(input, raw)| {
            super::known::scan_input(
                &known,
                &engine,
                &registry,
                &limits,
                input,
                raw,
                !args.no_diff,
            )
            .map(|mut report| {
                if !args.no_metadata {
                    super::metadata::add_metadata_findings(
                        &registry,
                        input,
                        &metadata,
                        &mut report,
                    );
                }
                report
            })
        })
        .collect();
    if !pypi_inputs.is_empty() {
        let index = super::pypi::PypiIndex::new(args.index_url.as_deref())
            .with_cache(known.registry_cache().map_err(usage)?);
        results.extend(super::pypi::scan_inputs(
            &index,
            &known,
            &engine,
            &limits,
            &pypi_inputs,
            &super::pypi::Extras {
                diff: !args.no_diff,
                metadata: (!args.no_metadata).then(|| metadata.clone()),
            },
        ));
    }

    let mut report = Report::default();
    for r in results {
        match r {
            Ok(p) => report.packages.push(p),
            Err(e) => {
                eprintln!("error: {}: {}", e.input, e.error);
                report.errors.push(e);
            }
        }
    }

    let rules: Vec<RuleInfo> = Engine::rules()
        .iter()
        .map(|r| {
            let m = r.meta();
            RuleInfo::new(m.id, m.summary).with_severity(m.severity)
        })
        .chain(palisade_linter::diff::rule_infos())
        .chain(palisade_linter::known::rule_infos())
        .chain(palisade_linter::metadata::rule_infos())
        .collect();
    let format = match args.format {
        OutputFormat::Text => Format::Text,
        OutputFormat::Json => Format::Json,
        OutputFormat::Sarif => Format::Sarif,
    };
    let options = RenderOptions {
        color: args.output.is_none() && format == Format::Text && output::stdout_color(),
        facts: args.facts,
        rules: &rules,
    };
    let text = render::render(&report, format, options);
    match &args.output {
        Some(path) => output::write_file(path, &text).map_err(|e| usage(format!("{e:#}")))?,
        None => output::print(&text)?,
    }

    Ok(exit_status(&report, args.fail_on))
}

/// The exit status of a scan report: findings at or above `--fail-on` first,
/// then input errors.
pub(crate) fn exit_status(report: &Report, fail_on: FailOn) -> Status {
    let threshold = match fail_on {
        FailOn::Suspicious => Verdict::Suspicious,
        FailOn::Malicious => Verdict::Malicious,
    };
    if report.packages.iter().any(|p| p.verdict >= threshold) {
        Status::Findings
    } else if !report.errors.is_empty() {
        Status::Usage
    } else {
        Status::Clean
    }
}
