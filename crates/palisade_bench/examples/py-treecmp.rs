//! Compares the two Python parsers' trees on real files: for each `.py`
//! file in the given packages (archives or folders, read in memory) that
//! ruff's parser takes, the tree laid out from ruff's syntax tree must
//! match tree-sitter's on the terms the analyser reads; with `--facts`, the
//! analyser's facts from the two trees must be equal. Prints the first
//! difference per file and a count.
//! `cargo run --release -p palisade_bench --example py-treecmp -- [--facts] PACKAGE...`

use std::path::Path;

fn main() -> anyhow::Result<()> {
    let limits = palisade_package::Limits::default();
    let (mut files, mut differ) = (0usize, 0usize);
    let facts_only = std::env::args().any(|a| a == "--facts");
    for arg in std::env::args().skip(1).filter(|a| a != "--facts") {
        let path = Path::new(&arg);
        let sources: Vec<(String, Vec<u8>)> = if arg.ends_with(".py") {
            vec![(arg.clone(), std::fs::read(path)?)]
        } else {
            match palisade_package::read_path(path, &limits) {
                Ok(p) => p
                    .files
                    .into_iter()
                    .filter(|f| f.path.ends_with(".py"))
                    .map(|f| (format!("{arg}:{}", f.path), f.data))
                    .collect(),
                Err(e) => {
                    eprintln!("{arg}: {e}");
                    continue;
                }
            }
        };
        for (name, data) in sources {
            let Ok(src) = String::from_utf8(data) else {
                continue;
            };
            files += 1;
            let m = if facts_only {
                palisade_linter::python_facts_mismatch(&src)
            } else {
                palisade_linter::python_tree_mismatch(&src)
            };
            if let Some(m) = m {
                differ += 1;
                println!("{name}: {m}");
            }
        }
    }
    println!("{files} files, {differ} differ");
    Ok(())
}
