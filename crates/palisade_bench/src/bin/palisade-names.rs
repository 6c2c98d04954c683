//! Measures `metadata/name-impersonation` on names alone: reads lists of
//! benign package names (`name` or `name@version`, one a line), reports how
//! many resemble a popular package and how long a lookup takes.
//!
//! ```text
//! cargo run --release -p palisade_bench --bin palisade-names -- LIST...
//! cargo run --release -p palisade_bench --bin palisade-names -- --holdout
//! ```
//!
//! `--holdout` builds the index from the first 5000 shipped names only and
//! checks the other, less popular but real, shipped names against it: a
//! false-positive estimate over twelve thousand honest names.

use std::time::Instant;

use anyhow::Context as _;
use palisade_linter::metadata::PopularIndex;

/// Largest list read.
const MAX_LIST_BYTES: u64 = 64 * 1024 * 1024;

/// `name@version` → `name` (a scoped name keeps its leading `@`).
fn name_of(line: &str) -> &str {
    let line = line.trim();
    match line.get(1..).and_then(|rest| rest.rfind('@')) {
        Some(at) => &line[..=at],
        None => line,
    }
}

fn main() -> anyhow::Result<()> {
    let lists: Vec<String> = std::env::args().skip(1).collect();
    if lists.is_empty() {
        anyhow::bail!("usage: palisade-names LIST... | --holdout");
    }
    if lists[0] == "--holdout" {
        holdout();
        return Ok(());
    }
    let start = Instant::now();
    let index = PopularIndex::shipped();
    println!(
        "index: {} popular names, built in {:?}",
        index.len(),
        start.elapsed()
    );
    for list in lists {
        let size = std::fs::metadata(&list)
            .with_context(|| format!("cannot read `{list}`"))?
            .len();
        anyhow::ensure!(
            size <= MAX_LIST_BYTES,
            "`{list}` is over {MAX_LIST_BYTES} bytes"
        );
        let text =
            std::fs::read_to_string(&list).with_context(|| format!("cannot read `{list}`"))?;
        let names: Vec<&str> = text
            .lines()
            .map(name_of)
            .filter(|n| !n.is_empty() && !n.starts_with('#'))
            .collect();
        let start = Instant::now();
        let mut popular = 0;
        let mut fired = Vec::new();
        for name in &names {
            if index.rank(name).is_some() {
                popular += 1;
            }
            if let Some(best) = index.resembles(name).into_iter().next() {
                fired.push(format!(
                    "  {name}: {}",
                    best.how.sentence(name, &best.target)
                ));
            }
        }
        let elapsed = start.elapsed();
        println!(
            "{list}: {} names, {popular} in the popular list, {} resemble a popular name; {:?} per lookup",
            names.len(),
            fired.len(),
            elapsed / u32::try_from(names.len().max(1)).unwrap_or(u32::MAX)
        );
        for line in fired {
            println!("{line}");
        }
    }
    Ok(())
}

fn holdout() {
    use palisade_linter::metadata::popular::{FUZZY_TARGETS, POPULAR_NPM};
    let names: Vec<&str> = POPULAR_NPM
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .collect();
    let (top, rest) = names.split_at(FUZZY_TARGETS.min(names.len()));
    let index = PopularIndex::new(top.iter().copied());
    let mut by_kind: std::collections::BTreeMap<String, usize> = Default::default();
    let mut fired = Vec::new();
    let start = Instant::now();
    for name in rest {
        if let Some(best) = index.resembles(name).into_iter().next() {
            let kind = format!("{:?}", best.how);
            *by_kind.entry(kind).or_default() += 1;
            fired.push(format!("  {}", best.how.sentence(name, &best.target)));
        }
    }
    let elapsed = start.elapsed();
    println!(
        "holdout: {} names checked against the top {}; {} resemble one; {:?} per lookup; {by_kind:?}",
        rest.len(),
        top.len(),
        fired.len(),
        elapsed / u32::try_from(rest.len().max(1)).unwrap_or(u32::MAX)
    );
    for line in fired {
        println!("{line}");
    }
}
