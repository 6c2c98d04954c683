//! Hashes the engine's own sources (code and data) into
//! `PALISADE_ENGINE_SOURCE`, so that a verdict cached by one build is not
//! served by another whose analysis differs while the version number
//! stayed the same.

use std::hash::{DefaultHasher, Hash, Hasher};
use std::path::{Path, PathBuf};

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            files(&path, out);
        } else if path.extension().is_none_or(|e| e != "snap") {
            out.push(path);
        }
    }
}

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut all = Vec::new();
    for dir in ["src", "data"] {
        println!("cargo:rerun-if-changed={dir}");
        files(&root.join(dir), &mut all);
    }
    all.sort();
    let mut h = DefaultHasher::new();
    for path in &all {
        path.strip_prefix(root).unwrap_or(path).hash(&mut h);
        std::fs::read(path).unwrap_or_default().hash(&mut h);
    }
    println!("cargo:rustc-env=PALISADE_ENGINE_SOURCE={:016x}", h.finish());
}
