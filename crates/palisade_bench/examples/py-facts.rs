//! Prints the facts and findings palisade extracts from one Python file,
//! wrapped as the evaluation wraps it (comments blanked out, in memory).
//! `cargo run --release -p palisade_bench --example py-facts -- FILE.py [--time=N | --parse=N]`
//! (`--time` measures scan throughput, `--parse` tree-sitter parsing alone).

use palisade_linter::{Engine, EngineOptions};

fn main() -> anyhow::Result<()> {
    let path = std::env::args()
        .nth(1)
        .ok_or_else(|| anyhow::anyhow!("usage: py-facts FILE.py"))?;
    let bytes = std::fs::read(&path)?;
    let package = palisade_bench::eval::python_file_package(&path, "module", &bytes);
    let engine = Engine::new(EngineOptions {
        keep_facts: true,
        preview: true,
        ..EngineOptions::default()
    });
    if let Some(n) = std::env::args().nth(2).and_then(|a| {
        a.strip_prefix("--time=")
            .and_then(|n| n.parse::<u32>().ok())
    }) {
        // Throughput of read-from-memory + parse + analysis, one package at
        // a time (the engine's pool parallelises across files only).
        let start = std::time::Instant::now();
        for _ in 0..n {
            std::hint::black_box(engine.scan(&package));
        }
        let secs = start.elapsed().as_secs_f64();
        let mb = bytes.len() as f64 * f64::from(n) / 1e6;
        println!("{n} scans of {} bytes: {:.1} MB/s", bytes.len(), mb / secs);
        return Ok(());
    }
    if let Some(n) = std::env::args().nth(2).and_then(|a| {
        a.strip_prefix("--parse=")
            .and_then(|n| n.parse::<u32>().ok())
    }) {
        // tree-sitter parse plus one cheap walk (comment stripping).
        let text = String::from_utf8_lossy(&bytes).into_owned();
        let start = std::time::Instant::now();
        for _ in 0..n {
            std::hint::black_box(palisade_linter::strip_python_comments(&text));
        }
        let mb = bytes.len() as f64 * f64::from(n) / 1e6;
        println!("parse: {:.1} MB/s", mb / start.elapsed().as_secs_f64());
        return Ok(());
    }
    let report = engine.scan(&package);
    println!("{}", serde_json::to_string_pretty(&report.facts)?);
    for f in &report.findings {
        println!("{} {} {:?}: {}", f.severity, f.rule, f.location, f.message);
    }
    Ok(())
}
