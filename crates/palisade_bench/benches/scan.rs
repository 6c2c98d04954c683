//! Throughput of reading a tarball into memory and of scanning a package.
//!
//! Synthetic packages are generated here (inert code: requires, string
//! operations, a URL on `example.invalid`); real tarballs are taken from the
//! benign cache (`~/.cache/palisade-corpus/npm-benign-popular`) when it is
//! there, and skipped silently when not.
//!
//! `cargo bench -p palisade_bench --bench scan`

use std::fmt::Write as _;
use std::hint::black_box;
use std::io::Write as _;
use std::path::PathBuf;
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use palisade_linter::{Engine, EngineOptions};
use palisade_package::{Limits, Package, PackageFile};

/// One function of an ordinary CommonJS library.
fn function(out: &mut String, i: usize) {
    let _ = write!(
        out,
        r#"
/**
 * Formats entry {i} for display.
 * @param {{object}} input
 */
function format{i}(input, options) {{
  const path = require('path');
  const util = require('./util{m}');
  const name = String(input.name || 'item-{i}').trim().toLowerCase();
  const parts = name.split('-').map((p) => p.charAt(0).toUpperCase() + p.slice(1));
  if (options && options.verbose) {{
    console.log(util.format('%s: %d parts', name, parts.length));
  }}
  const url = 'https://docs.example.invalid/api/' + encodeURIComponent(name);
  return {{ id: {i}, label: parts.join(' '), file: path.join('lib', name + '.js'), url }};
}}
module.exports.format{i} = format{i};
"#,
        m = i % 7
    );
}

/// A ~300 KB library: a manifest, a readme and many files of functions.
fn library_package() -> Vec<PackageFile> {
    let mut files = vec![
        file(
            "package.json",
            br#"{"name": "bench-library", "version": "1.0.0", "main": "lib/index.js", "license": "MIT"}"#
                .to_vec(),
        ),
        file("README.md", "# bench-library\n\nFormats things.\n".repeat(50).into_bytes()),
    ];
    let mut index = String::new();
    for f in 0..30 {
        let mut src = String::from("'use strict';\n");
        for i in 0..16 {
            function(&mut src, f * 16 + i);
        }
        let _ = writeln!(
            index,
            "Object.assign(module.exports, require('./part{f}'));"
        );
        files.push(file(&format!("lib/part{f}.js"), src.into_bytes()));
    }
    files.push(file("lib/index.js", index.into_bytes()));
    files
}

/// A ~1 MB minified bundle on a handful of very long lines.
fn bundle_package() -> Vec<PackageFile> {
    let mut src = String::from(
        "!function(e,t){\"object\"==typeof exports?module.exports=t():e.B=t()}(this,function(){var n={};",
    );
    let mut i = 0;
    while src.len() < 1_000_000 {
        let _ = write!(
            src,
            "n[{i}]=function(a,b){{var c=a.split(\"/\"),d=0;for(;d<c.length;d++)c[d]=c[d].replace(/[^a-z0-9]/gi,\"_\");return b?c.join(\".\"):String.fromCharCode(97+{i}%26)+c.length}};"
        );
        if i % 2000 == 1999 {
            src.push('\n');
        }
        i += 1;
    }
    src.push_str("return n});\n");
    vec![
        file(
            "package.json",
            br#"{"name": "bench-bundle", "version": "1.0.0", "main": "dist/bundle.min.js"}"#
                .to_vec(),
        ),
        file("dist/bundle.min.js", src.into_bytes()),
    ]
}

fn file(path: &str, data: Vec<u8>) -> PackageFile {
    PackageFile {
        path: path.to_owned(),
        data,
        executable: false,
    }
}

/// A `.tgz` of the files, laid out as `npm pack` does (`package/...`).
fn tarball(files: &[PackageFile]) -> Vec<u8> {
    let gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    let mut builder = tar::Builder::new(gz);
    for f in files {
        let mut header = tar::Header::new_gnu();
        header.set_size(f.data.len() as u64);
        header.set_mode(0o644);
        header.set_mtime(0);
        header.set_cksum();
        builder
            .append_data(
                &mut header,
                format!("package/{}", f.path),
                f.data.as_slice(),
            )
            .expect("write to memory");
    }
    let mut gz = builder.into_inner().expect("finish tar");
    gz.flush().expect("flush to memory");
    gz.finish().expect("finish gzip")
}

/// Real tarballs from the benign cache: the median and the 90th percentile
/// by size, so one typical and one large package.
fn real_tarballs() -> Vec<(String, Vec<u8>)> {
    let Some(home) = std::env::var_os("HOME") else {
        return Vec::new();
    };
    let dir = PathBuf::from(home).join(".cache/palisade-corpus/npm-benign-popular");
    let Ok(read) = std::fs::read_dir(&dir) else {
        return Vec::new();
    };
    let mut tgz: Vec<(u64, PathBuf)> = read
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().ends_with(".tgz"))
        .filter_map(|e| Some((e.metadata().ok()?.len(), e.path())))
        .collect();
    if tgz.is_empty() {
        return Vec::new();
    }
    tgz.sort();
    let picks = [tgz.len() / 2, tgz.len() * 9 / 10];
    picks
        .iter()
        .filter_map(|&i| {
            let (_, path) = tgz.get(i)?;
            let name = path.file_name()?.to_string_lossy().into_owned();
            Some((format!("real/{name}"), std::fs::read(path).ok()?))
        })
        .collect()
}

fn benches(c: &mut Criterion) {
    let limits = Limits::default();
    let engine = Engine::new(EngineOptions::default());
    let mut inputs: Vec<(String, Vec<u8>)> = vec![
        (
            "synthetic/library-300k".to_owned(),
            tarball(&library_package()),
        ),
        ("synthetic/bundle-1m".to_owned(), tarball(&bundle_package())),
    ];
    inputs.extend(real_tarballs());

    let packages: Vec<(String, Vec<u8>, Package)> = inputs
        .into_iter()
        .filter_map(|(name, bytes)| {
            let pkg = palisade_package::read_bytes(&bytes, &name, &limits)?;
            Some((name, bytes, pkg))
        })
        .collect();

    let mut read = c.benchmark_group("read_tgz");
    read.sample_size(20)
        .measurement_time(Duration::from_secs(3));
    for (name, bytes, pkg) in &packages {
        read.throughput(Throughput::Bytes(pkg.unpacked_bytes));
        read.bench_function(name.as_str(), |b| {
            b.iter(|| palisade_package::read_bytes(black_box(bytes), "bench.tgz", &limits));
        });
    }
    read.finish();

    let mut scan = c.benchmark_group("scan");
    scan.sample_size(20)
        .measurement_time(Duration::from_secs(3));
    for (name, _, pkg) in &packages {
        scan.throughput(Throughput::Bytes(pkg.unpacked_bytes));
        scan.bench_function(name.as_str(), |b| b.iter(|| engine.scan(black_box(pkg))));
    }
    scan.finish();

    let mut both = c.benchmark_group("read_and_scan");
    both.sample_size(20)
        .measurement_time(Duration::from_secs(3));
    for (name, bytes, pkg) in &packages {
        both.throughput(Throughput::Bytes(pkg.unpacked_bytes));
        both.bench_function(name.as_str(), |b| {
            b.iter(|| {
                palisade_package::read_bytes(black_box(bytes), "bench.tgz", &limits)
                    .map(|p| engine.scan(&p))
            });
        });
    }
    both.finish();
}

criterion_group!(scan_benches, benches);
criterion_main!(scan_benches);
