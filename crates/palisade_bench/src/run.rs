//! One evaluation run over several sets: what `palisade-eval` does.

use std::io::Write;
use std::path::PathBuf;

use palisade_linter::{Engine, EngineOptions};

use crate::eval::{EvalOptions, evaluate_set, rule_table, summarise};
use crate::guarddog::GuardDogReport;
use crate::model::EvalReport;
use crate::process::time_cli;
use crate::set::{SetSpec, list_entries, list_python_files};
use crate::stats::peak_memory_kib;

/// Settings for [`run`].
#[derive(Debug, Clone, Default)]
pub struct RunOptions {
    pub sets: Vec<SetSpec>,
    pub eval: EvalOptions,
    /// Let `preview` rules decide verdicts.
    pub preview: bool,
    /// The `palisade` binary to time whole-process; `None` skips that.
    pub palisade_bin: Option<PathBuf>,
    /// Time the binary on every `process_every`-th package (1 = all).
    pub process_every: usize,
    /// GuardDog reports, matched to sets by name.
    pub guarddog: Vec<GuardDogReport>,
}

/// Scans every set (a missing one is skipped with a warning on `log`) and
/// builds the report. Progress goes to `log`.
pub fn run(options: &RunOptions, log: &mut dyn Write) -> EvalReport {
    let engine = Engine::new(EngineOptions {
        preview: options.preview,
        ..EngineOptions::default()
    });
    let mut reports = Vec::new();
    let mut all_outcomes = Vec::new();
    for spec in &options.sets {
        let listed = if spec.python_files {
            list_python_files(&spec.path)
        } else {
            list_entries(&spec.path)
        };
        let entries = match listed {
            Ok(e) => e,
            Err(e) => {
                let _ = writeln!(
                    log,
                    "warning: set `{}`: cannot list `{}` ({e}), skipped",
                    spec.name,
                    spec.path.display()
                );
                continue;
            }
        };
        let total = options
            .eval
            .limit
            .map_or(entries.len(), |n| n.min(entries.len()));
        let _ = writeln!(log, "set `{}`: {total} packages", spec.name);
        let eval = EvalOptions {
            python_files: spec.python_files,
            ..options.eval.clone()
        };
        let (outcomes, wall) = evaluate_set(&engine, &entries, &eval, |done, total| {
            if done % 100 == 0 || done == total {
                let _ = writeln!(log, "  `{}`: {done}/{total} scanned", spec.name);
            }
        });
        let mut report = summarise(spec, &outcomes, wall);
        if let Some(bin) = &options.palisade_bin
            && options.process_every > 0
            && !spec.python_files
        {
            let sample: Vec<PathBuf> = entries
                .iter()
                .take(total)
                .step_by(options.process_every)
                .cloned()
                .collect();
            let _ = writeln!(
                log,
                "  `{}`: timing `{}` on {} packages",
                spec.name,
                bin.display(),
                sample.len()
            );
            report.whole_process = Some(time_cli(bin, &sample));
        }
        let palisade_ms = report.whole_process.as_ref().and_then(|w| w.median_ms);
        report.guarddog = options
            .guarddog
            .iter()
            .find(|g| g.set == spec.name)
            .map(|g| g.summary(palisade_ms));
        reports.push(report);
        all_outcomes.push((spec.name.clone(), outcomes));
    }
    let table: Vec<(&str, &[crate::Outcome])> = all_outcomes
        .iter()
        .map(|(n, o)| (n.as_str(), o.as_slice()))
        .collect();
    let rules = rule_table(&table);
    EvalReport {
        palisade_version: env!("CARGO_PKG_VERSION").to_owned(),
        preview: options.preview,
        engine_threads: engine_threads(),
        sets: reports,
        rules,
        peak_memory_kib: peak_memory_kib(),
    }
}

/// How many threads the engine's pool uses, as a reader needs it to read the
/// speed figures.
fn engine_threads() -> String {
    match std::env::var("RAYON_NUM_THREADS") {
        Ok(n) if !n.is_empty() => format!("RAYON_NUM_THREADS={n}"),
        _ => format!(
            "one per core ({})",
            std::thread::available_parallelism().map_or(1, std::num::NonZero::get)
        ),
    }
}
