//! `palisade-eval`: scan labelled corpus sets and report detection, false
//! positives, per-rule counts and speed. See BENCHMARKS.md.

use std::path::{Path, PathBuf};

use anyhow::Context as _;
use clap::Parser;
use palisade_bench::guarddog::GuardDogReport;
use palisade_bench::render::render;
use palisade_bench::run::{RunOptions, run};
use palisade_bench::{EvalOptions, SetSpec, default_sets};

/// Scans labelled sets of npm packages and prints detection and false-positive
/// rates, which rules fired where, and speed.
#[derive(Debug, Parser)]
#[command(name = "palisade-eval")]
struct Args {
    /// A set as `NAME=LABEL:DIR`, LABEL `malicious` or `benign` (repeatable).
    /// Default: `npm-malicious` from `../shared/corpus`, `npm-benign-popular`
    /// and `npm-benign-mcp` from `~/.cache/palisade-corpus`.
    #[arg(long = "set", value_name = "NAME=LABEL:DIR")]
    sets: Vec<SetSpec>,
    /// Write the full report as JSON to this file.
    #[arg(long, value_name = "FILE")]
    json: Option<PathBuf>,
    /// A GuardDog report from `scripts/guarddog-eval.py` (repeatable). Default:
    /// `~/.cache/palisade-corpus/guarddog-<set>.json` for each set, if present.
    #[arg(long = "guarddog", value_name = "FILE")]
    guarddog: Vec<PathBuf>,
    /// Do not read GuardDog reports.
    #[arg(long, conflicts_with = "guarddog")]
    no_guarddog: bool,
    /// The `palisade` binary to time whole-process.
    /// Default: `target/release/palisade` in the workspace.
    #[arg(long, value_name = "PATH")]
    palisade_bin: Option<PathBuf>,
    /// Time the binary on every K-th package of each set; 0 skips it.
    #[arg(long, value_name = "K", default_value_t = 1)]
    process_every: usize,
    /// Scan only the first N packages of each set (sorted).
    #[arg(long, value_name = "N")]
    limit: Option<usize>,
    /// Let `preview` rules decide verdicts.
    #[arg(long)]
    preview: bool,
    /// Print a Python sample as the evaluation scans it (comments blanked
    /// out, read into memory only) and exit.
    #[arg(long, value_name = "FILE", conflicts_with = "sets")]
    show: Option<PathBuf>,
}

fn workspace_root() -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    root.canonicalize().unwrap_or(root)
}

fn home() -> PathBuf {
    std::env::var_os("HOME").map_or_else(|| PathBuf::from("/"), PathBuf::from)
}

/// Largest sample `--show` reads.
const MAX_SHOW_BYTES: u64 = 4 * 1024 * 1024;

fn show(file: &Path) -> anyhow::Result<()> {
    let size = std::fs::metadata(file)
        .with_context(|| format!("cannot read `{}`", file.display()))?
        .len();
    anyhow::ensure!(
        size <= MAX_SHOW_BYTES,
        "`{}` is {size} bytes, more than the {MAX_SHOW_BYTES} `--show` reads",
        file.display()
    );
    let data = std::fs::read(file).with_context(|| format!("cannot read `{}`", file.display()))?;
    let text = String::from_utf8_lossy(&data);
    print!("{}", palisade_linter::strip_python_comments(&text));
    Ok(())
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    if let Some(file) = &args.show {
        return show(file);
    }
    let root = workspace_root();
    let mut sets = if args.sets.is_empty() {
        default_sets(&root, &home())
    } else {
        args.sets
    };
    for set in &mut sets {
        if let Ok(path) = set.path.canonicalize() {
            set.path = path;
        }
    }

    let guarddog_files: Vec<PathBuf> = if args.no_guarddog {
        Vec::new()
    } else if args.guarddog.is_empty() {
        sets.iter()
            .map(|s| {
                home()
                    .join(".cache/palisade-corpus")
                    .join(format!("guarddog-{}.json", s.name))
            })
            .filter(|p| p.is_file())
            .collect()
    } else {
        args.guarddog
    };
    let mut guarddog = Vec::new();
    for file in &guarddog_files {
        let text = std::fs::read_to_string(file)
            .with_context(|| format!("cannot read `{}`", file.display()))?;
        let report = GuardDogReport::from_json(&text)
            .with_context(|| format!("`{}` is not a GuardDog evaluation report", file.display()))?;
        eprintln!("guarddog: `{}` for set `{}`", file.display(), report.set);
        guarddog.push(report);
    }

    let palisade_bin = args
        .palisade_bin
        .unwrap_or_else(|| root.join("target/release/palisade"));
    let palisade_bin = if palisade_bin.is_file() {
        Some(palisade_bin)
    } else {
        if args.process_every > 0 {
            eprintln!(
                "warning: `{}` not found, whole-process timing skipped",
                palisade_bin.display()
            );
        }
        None
    };

    let options = RunOptions {
        sets,
        eval: EvalOptions {
            limit: args.limit,
            ..EvalOptions::default()
        },
        preview: args.preview,
        palisade_bin,
        process_every: args.process_every,
        guarddog,
    };
    let report = run(&options, &mut std::io::stderr());
    print!("{}", render(&report, true));
    if let Some(path) = &args.json {
        let json = serde_json::to_string_pretty(&report)?;
        std::fs::write(path, json + "\n")
            .with_context(|| format!("cannot write `{}`", path.display()))?;
        eprintln!("wrote `{}`", path.display());
    }
    Ok(())
}
