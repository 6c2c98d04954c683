//! Hostile archives through the CLI: every one is built in a temporary
//! folder (never in the repository), scanned by the real binary, and must
//! end with a verdict (exit 0 or 1), not a crash, within a time bound, with
//! the problem named in the JSON report.

mod common;

use std::io::{Read as _, Write as _};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use common::{Run, Sandbox, only_package, rules_of};
use flate2::Compression;
use flate2::write::GzEncoder;

/// Generous wall-clock bound for one scan of a hostile input.
const TIME_BOUND: Duration = Duration::from_secs(60);
/// Peak resident memory allowed while scanning a hostile input.
const MEMORY_BOUND_KIB: u64 = 1024 * 1024;
const TIME_TOOL: &str = "/usr/bin/time";

/// The result of a measured scan.
struct Measured {
    run: Run,
    elapsed: Duration,
    /// Peak RSS in KiB, when `/usr/bin/time -v` is available.
    max_rss_kib: Option<u64>,
}

/// Scans `input` with `--format json` (plus `extra` flags), measuring wall
/// time and, under `/usr/bin/time -v`, peak memory.
fn scan_measured(sandbox: &Sandbox, input: &Path, extra: &[&str]) -> Measured {
    let input = input.to_string_lossy().into_owned();
    let mut args = vec!["scan", input.as_str(), "--format", "json"];
    args.extend_from_slice(extra);
    let time_out = sandbox.dir.path().join("time.txt");
    let timed = Path::new(TIME_TOOL).exists();
    let mut cmd = sandbox.command(&args);
    if timed {
        let inner = cmd;
        cmd = std::process::Command::new(TIME_TOOL);
        cmd.arg("-v")
            .arg("-o")
            .arg(&time_out)
            .arg(inner.get_program())
            .args(inner.get_args());
        for (key, value) in inner.get_envs() {
            match value {
                Some(v) => cmd.env(key, v),
                None => cmd.env_remove(key),
            };
        }
        if let Some(dir) = inner.get_current_dir() {
            cmd.current_dir(dir);
        }
    }
    let start = Instant::now();
    let output = cmd.output().expect("spawn palisade");
    let elapsed = start.elapsed();
    let max_rss_kib = timed
        .then(|| std::fs::read_to_string(&time_out).ok())
        .flatten()
        .and_then(|text| {
            text.lines()
                .find_map(|l| l.trim().strip_prefix("Maximum resident set size (kbytes):"))
                .and_then(|v| v.trim().parse().ok())
        });
    Measured {
        run: Run::from_output(&output),
        elapsed,
        max_rss_kib,
    }
}

/// Asserts a hostile input ended with a verdict, in time, within memory,
/// and returns the rule ids of its findings.
#[track_caller]
fn assert_survived(what: &str, m: &Measured) -> Vec<String> {
    assert!(
        matches!(m.run.code, Some(0 | 1)),
        "{what}: exit {:?} (0 or 1 expected, never a crash)\nstderr:\n{}",
        m.run.code,
        m.run.stderr
    );
    assert!(m.elapsed < TIME_BOUND, "{what}: took {:?}", m.elapsed);
    match m.max_rss_kib {
        Some(kib) => assert!(kib < MEMORY_BOUND_KIB, "{what}: peak RSS {kib} KiB"),
        None => eprintln!("{what}: peak memory not measured (no `{TIME_TOOL}`)"),
    }
    eprintln!("{what}: {:?}, peak RSS {:?} KiB", m.elapsed, m.max_rss_kib);
    let report = m.run.json();
    rules_of(only_package(&report))
}

/// Writes a `.tgz` whose entries are built by `f`.
fn write_tgz(path: &Path, f: impl FnOnce(&mut tar::Builder<GzEncoder<std::fs::File>>)) {
    let file = std::fs::File::create(path).expect("create archive");
    let mut builder = tar::Builder::new(GzEncoder::new(file, Compression::fast()));
    f(&mut builder);
    let encoder = builder.into_inner().expect("finish tar");
    let mut file = encoder.finish().expect("finish gzip");
    file.flush().expect("flush archive");
}

/// Appends an entry with a raw name (and link name), bypassing the `tar`
/// crate's path checks, as an attacker's archiver would.
fn raw_entry(
    builder: &mut tar::Builder<GzEncoder<std::fs::File>>,
    name: &[u8],
    kind: tar::EntryType,
    link: &[u8],
    data: &[u8],
) {
    let mut header = tar::Header::new_old();
    {
        let old = header.as_old_mut();
        old.name[..name.len()].copy_from_slice(name);
        old.linkname[..link.len()].copy_from_slice(link);
    }
    header.set_entry_type(kind);
    header.set_size(data.len() as u64);
    header.set_mode(0o644);
    header.set_mtime(499_162_500);
    header.set_cksum();
    builder.append(&header, data).expect("append entry");
}

fn file(builder: &mut tar::Builder<GzEncoder<std::fs::File>>, name: &str, data: &[u8]) {
    raw_entry(builder, name.as_bytes(), tar::EntryType::Regular, b"", data);
}

const MANIFEST: &[u8] = br#"{"name":"hostile-fixture","version":"1.0.0"}"#;

fn archive(sandbox: &Sandbox, name: &str) -> PathBuf {
    sandbox.dir.path().join(name)
}

#[test]
fn path_traversal_entries_are_not_followed() {
    let sandbox = Sandbox::new();
    let path = archive(&sandbox, "traversal.tgz");
    write_tgz(&path, |b| {
        file(b, "package/package.json", MANIFEST);
        file(b, "package/index.js", b"module.exports = 1;\n");
        file(b, "package/../../x", b"escaped");
        file(b, "/etc/palisade-absolute", b"escaped");
    });
    let m = scan_measured(&sandbox, &path, &[]);
    let rules = assert_survived("path traversal", &m);
    assert!(rules.iter().any(|r| r == "package/unreadable"), "{rules:?}");
    assert!(
        !sandbox.dir.path().join("x").exists(),
        "nothing is written to disk"
    );
}

#[test]
fn symlink_entries_are_not_followed() {
    let sandbox = Sandbox::new();
    let path = archive(&sandbox, "symlink.tgz");
    write_tgz(&path, |b| {
        file(b, "package/package.json", MANIFEST);
        raw_entry(
            b,
            b"package/index.js",
            tar::EntryType::Symlink,
            b"/etc/passwd",
            b"",
        );
        raw_entry(
            b,
            b"package/up.js",
            tar::EntryType::Link,
            b"../../../etc/shadow",
            b"",
        );
    });
    let m = scan_measured(&sandbox, &path, &[]);
    let rules = assert_survived("symlink", &m);
    assert!(rules.iter().any(|r| r == "package/unreadable"), "{rules:?}");
    assert!(
        !m.run.stdout.contains("root:"),
        "the link target is never read"
    );
}

#[test]
fn gzip_bomb_stays_bounded() {
    let sandbox = Sandbox::new();
    let path = archive(&sandbox, "bomb.tgz");
    // 1 GiB of zeros streamed through the encoder: about 1 MB on disk.
    write_tgz(&path, |b| {
        file(b, "package/package.json", MANIFEST);
        let mut header = tar::Header::new_gnu();
        header.set_size(1 << 30);
        header.set_mode(0o644);
        header.set_entry_type(tar::EntryType::Regular);
        b.append_data(
            &mut header,
            "package/index.js",
            std::io::repeat(0).take(1 << 30),
        )
        .expect("append zeros");
    });
    let size = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
    assert!(size < 8 << 20, "the bomb is small on disk ({size} bytes)");
    eprintln!("gzip bomb: {size} bytes on disk for 1 GiB unpacked");
    let m = scan_measured(&sandbox, &path, &[]);
    let rules = assert_survived("gzip bomb", &m);
    assert!(
        rules.iter().any(|r| r == "package/limit-exceeded"),
        "{rules:?}"
    );
}

#[test]
fn twenty_thousand_files_hit_the_file_limit() {
    let sandbox = Sandbox::new();
    let path = archive(&sandbox, "many.tgz");
    write_tgz(&path, |b| {
        file(b, "package/package.json", MANIFEST);
        for i in 0..20_000 {
            file(b, &format!("package/f/{i}.js"), b"1;\n");
        }
    });
    let m = scan_measured(&sandbox, &path, &[]);
    let rules = assert_survived("20 000 files", &m);
    assert!(
        rules.iter().any(|r| r == "package/limit-exceeded"),
        "{rules:?}"
    );
}

fn one_line_js(len: usize) -> Vec<u8> {
    let mut js = Vec::with_capacity(len + 16);
    js.extend_from_slice(b"var a=[");
    while js.len() < len {
        js.extend_from_slice(b"1,2,3,4,5,6,7,8,9,");
    }
    js.extend_from_slice(b"0];\n");
    js
}

#[test]
fn fifty_megabyte_single_line_js_hits_the_file_size_limit() {
    let sandbox = Sandbox::new();
    let path = archive(&sandbox, "big.tgz");
    let js = one_line_js(50_000_000);
    write_tgz(&path, |b| {
        file(b, "package/package.json", MANIFEST);
        file(b, "package/index.js", &js);
    });
    let m = scan_measured(&sandbox, &path, &[]);
    let rules = assert_survived("50 MB single line", &m);
    assert!(
        rules.iter().any(|r| r == "package/limit-exceeded"),
        "{rules:?}"
    );
}

#[test]
fn fifty_megabyte_single_line_js_is_analysed_when_limits_allow() {
    let sandbox = Sandbox::new();
    let path = archive(&sandbox, "big-allowed.tgz");
    let js = one_line_js(50_000_000);
    write_tgz(&path, |b| {
        file(b, "package/package.json", MANIFEST);
        file(b, "package/index.js", &js);
    });
    let m = scan_measured(
        &sandbox,
        &path,
        &[
            "--max-file-bytes",
            "64000000",
            "--max-compression-ratio",
            "100000",
        ],
    );
    let rules = assert_survived("50 MB single line, limits raised", &m);
    assert!(
        !rules.iter().any(|r| r == "package/limit-exceeded"),
        "{rules:?}"
    );
    let report = m.run.json();
    assert_eq!(only_package(&report)["stats"]["js_files"], 1);
}

#[test]
fn ten_thousand_deep_nested_expression_does_not_overflow_the_stack() {
    let sandbox = Sandbox::new();
    let path = archive(&sandbox, "deep.tgz");
    let depth = 10_000;
    let js = format!(
        "module.exports = {}1{};\n",
        "(".repeat(depth),
        ")".repeat(depth)
    );
    write_tgz(&path, |b| {
        file(b, "package/package.json", MANIFEST);
        file(b, "package/index.js", js.as_bytes());
    });
    let m = scan_measured(&sandbox, &path, &[]);
    let rules = assert_survived("10 000-deep expression", &m);
    eprintln!("10 000-deep expression: findings {rules:?}");
}

#[test]
fn ten_thousand_deep_nested_arrays_and_calls_do_not_overflow_the_stack() {
    let sandbox = Sandbox::new();
    let path = archive(&sandbox, "deep2.tgz");
    let depth = 10_000;
    let js = format!(
        "var a = {}1{};\nvar b = {}0{};\n",
        "[".repeat(depth),
        "]".repeat(depth),
        "f(".repeat(depth),
        ")".repeat(depth)
    );
    write_tgz(&path, |b| {
        file(b, "package/package.json", MANIFEST);
        file(b, "package/index.js", js.as_bytes());
    });
    let m = scan_measured(&sandbox, &path, &[]);
    assert_survived("10 000-deep arrays and calls", &m);
}

#[test]
fn invalid_utf8_in_names_and_contents() {
    let sandbox = Sandbox::new();
    let path = archive(&sandbox, "utf8.tgz");
    write_tgz(&path, |b| {
        file(b, "package/package.json", MANIFEST);
        raw_entry(
            b,
            b"package/bad-\xff\xfe-name.js",
            tar::EntryType::Regular,
            b"",
            b"module.exports = 2;\n",
        );
        file(
            b,
            "package/index.js",
            b"var s = \"\xff\xfe\xc3\x28\";\nmodule.exports = s;\n",
        );
    });
    let m = scan_measured(&sandbox, &path, &[]);
    let rules = assert_survived("invalid UTF-8", &m);
    assert!(
        rules
            .iter()
            .any(|r| r == "package/unreadable" || r == "package/unparsable-code"),
        "{rules:?}"
    );
}

fn random_tgz(sandbox: &Sandbox) -> PathBuf {
    let path = archive(sandbox, "random.tgz");
    // A fixed xorshift stream: random-looking, reproducible.
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    let bytes: Vec<u8> = (0..64 * 1024)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x.to_le_bytes()[0]
        })
        .collect();
    std::fs::write(&path, &bytes).expect("write random bytes");
    path
}

/// What happens today: an input error (exit 2) that names the file, no crash.
#[test]
fn random_bytes_named_tgz_do_not_crash() {
    let sandbox = Sandbox::new();
    let path = random_tgz(&sandbox);
    let m = scan_measured(&sandbox, &path, &[]);
    assert!(
        matches!(m.run.code, Some(0..=2)),
        "exit {:?}\n{}",
        m.run.code,
        m.run.stderr
    );
    assert!(m.elapsed < TIME_BOUND);
    assert!(
        m.run.stderr.contains("random.tgz") || m.run.stdout.contains("random.tgz"),
        "{}",
        m.run.stderr
    );
}

/// What the design asks for: an unreadable archive is a finding, so policy
/// can decide (STYLE.md, "Findings are data, errors are errors").
#[test]
fn random_bytes_named_tgz_are_an_unreadable_package() {
    let sandbox = Sandbox::new();
    let path = random_tgz(&sandbox);
    let m = scan_measured(&sandbox, &path, &[]);
    let rules = assert_survived("random bytes", &m);
    assert!(rules.iter().any(|r| r == "package/unreadable"), "{rules:?}");
}

#[test]
fn gzip_stream_truncated_mid_entry() {
    let sandbox = Sandbox::new();
    let path = archive(&sandbox, "truncated.tgz");
    write_tgz(&path, |b| {
        file(b, "package/package.json", MANIFEST);
        file(b, "package/index.js", &one_line_js(200_000));
    });
    let bytes = std::fs::read(&path).unwrap_or_default();
    std::fs::write(&path, &bytes[..bytes.len() / 2]).expect("truncate");
    let m = scan_measured(&sandbox, &path, &[]);
    let rules = assert_survived("truncated gzip", &m);
    assert!(rules.iter().any(|r| r == "package/unreadable"), "{rules:?}");
}
