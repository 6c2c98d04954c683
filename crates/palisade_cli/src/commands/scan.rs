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
    let inputs: Vec<Input> = args
        .inputs
        .iter()
        .map(|i| classify(i))
        .collect::<anyhow::Result<_>>()?;
    let limits = args.limits.limits();
    let engine = Engine::new(EngineOptions {
        preview: args.preview,
        keep_facts: args.facts || !args.no_diff,
        ..EngineOptions::default()
    });
    let registry = Registry::new(args.registry.as_deref());

    let results: Vec<Result<PackageReport, InputError>> = inputs
        .par_iter()
        .zip(args.inputs.par_iter())
        .map(|(input, raw)| {
            let (pkg, integrity) = match input {
                Input::Path(p) => (
                    palisade_package::read_path(p, &limits).map_err(|e| e.to_string()),
                    None,
                ),
                Input::Spec(spec) => match registry.fetch(spec, &limits) {
                    Ok((pkg, integrity)) => (Ok(pkg), integrity),
                    Err(e) => (Err(e), None),
                },
            };
            let pkg = pkg.map_err(|error| InputError {
                input: raw.clone(),
                error,
            })?;
            let mut report = engine.scan(&pkg);
            report.integrity = integrity;
            if matches!(input, Input::Spec(_)) && !args.no_diff {
                super::diff::add_previous_version_diff(&registry, &limits, &pkg, &mut report);
            }
            if let Input::Path(p) = input {
                report.source = p.display().to_string();
            }
            Ok(report)
        })
        .collect();

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

    let threshold = match args.fail_on {
        FailOn::Suspicious => Verdict::Suspicious,
        FailOn::Malicious => Verdict::Malicious,
    };
    Ok(if report.packages.iter().any(|p| p.verdict >= threshold) {
        Status::Findings
    } else if !report.errors.is_empty() {
        Status::Usage
    } else {
        Status::Clean
    })
}
