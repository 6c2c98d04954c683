//! Hostile and odd archives: each must read to a package with a named
//! [`ReadIssue`], never a panic. All archives are built in memory and are inert.

mod support;

use palisade_package::{
    LimitKind, Limits, ReadIssueKind, read_bytes, read_dir, read_path, read_tar, read_tgz, read_zip,
};
use support::*;
use tar::EntryType;

const MANIFEST: &[u8] = br#"{"name":"demo","version":"1.0.0"}"#;

fn read(bytes: &[u8]) -> palisade_package::Package {
    read_bytes(bytes, "test.tgz", &Limits::default()).expect("an archive format")
}

// ---------------------------------------------------------------- layouts

#[test]
fn layout_package_prefix() {
    let pkg = read(&tgz_of(&[
        ("package/package.json", MANIFEST),
        ("package/lib/index.js", b"module.exports = 1;\n"),
    ]));
    assert_eq!(paths(&pkg), ["lib/index.js", "package.json"]);
    assert_eq!(pkg.name(), Some("demo"));
    assert!(pkg.issues.is_empty(), "{:?}", pkg.issues);
}

#[test]
fn layout_name_version_package_prefix() {
    let pkg = read(&tgz_of(&[
        ("demo-1.0.0/package/package.json", MANIFEST),
        ("demo-1.0.0/package/index.js", b"1"),
        ("demo-1.0.0/package/node_modules/dep/package.json", b"{}"),
    ]));
    assert_eq!(
        paths(&pkg),
        ["index.js", "node_modules/dep/package.json", "package.json"]
    );
    assert_eq!(pkg.version(), Some("1.0.0"));
}

#[test]
fn layout_flat() {
    let pkg = read(&tgz_of(&[("package.json", MANIFEST), ("index.js", b"1")]));
    assert_eq!(paths(&pkg), ["index.js", "package.json"]);
    assert_eq!(pkg.name(), Some("demo"));
}

#[test]
fn layout_odd_top_folder() {
    // Some published tarballs use the package name as the top folder.
    let pkg = read(&tgz_of(&[
        ("node/package.json", MANIFEST),
        ("node/a.js", b"1"),
    ]));
    assert_eq!(paths(&pkg), ["a.js", "package.json"]);
    assert_eq!(pkg.name(), Some("demo"));
}

#[test]
fn layout_single_folder_without_manifest() {
    // npm strips the first component whatever it is named.
    for top in ["package", "getcookies-1.12.3"] {
        let a = format!("{top}/a.js");
        let b = format!("{top}/lib/b.js");
        let pkg = read(&tgz_of(&[(&a, b"1"), (&b, b"2")]));
        assert_eq!(paths(&pkg), ["a.js", "lib/b.js"]);
        assert!(pkg.manifest.is_none());
    }
}

#[test]
fn layout_tar_and_zip() {
    let entries: &[(&str, &[u8])] = &[("package/package.json", MANIFEST), ("package/a.js", b"1")];
    for bytes in [tar_of(entries), zip_of(entries)] {
        let pkg = read(&bytes);
        assert_eq!(paths(&pkg), ["a.js", "package.json"]);
        assert!(pkg.issues.is_empty(), "{:?}", pkg.issues);
    }
}

#[test]
fn long_names_gnu_and_pax() {
    let deep = format!("package/{}/file.js", "d".repeat(150));
    // `tar::Builder` writes a GNU long-name entry for paths over 100 bytes.
    let gnu = tgz_of(&[("package/package.json", MANIFEST), (&deep, b"gnu")]);
    let pkg = read(&gnu);
    let want = format!("{}/file.js", "d".repeat(150));
    assert_eq!(
        pkg.file(&want).map(|f| f.data.as_slice()),
        Some(&b"gnu"[..])
    );

    // A PAX `path` record overrides the header name.
    let mut b = tar::Builder::new(Vec::new());
    b.append_pax_extensions([("path", deep.as_bytes())])
        .expect("pax");
    let h = raw_header(b"package/short.js", EntryType::Regular, 3, b"");
    b.append(&h, &b"pax"[..]).expect("append");
    let pax = b.into_inner().expect("tar");
    let pkg = read(&gz(&pax));
    assert_eq!(
        pkg.file(&want).map(|f| f.data.as_slice()),
        Some(&b"pax"[..])
    );
    assert!(pkg.file("short.js").is_none());
}

// -------------------------------------------------------- path traversal

#[test]
fn tar_path_traversal_is_skipped() {
    let tar = raw_tar(&[
        (b"package/package.json", EntryType::Regular, b"", MANIFEST),
        (b"../evil.js", EntryType::Regular, b"", b"x"),
        (b"package/../../evil.js", EntryType::Regular, b"", b"x"),
        (b"/etc/profile.d/evil.sh", EntryType::Regular, b"", b"x"),
        (b"C:\\evil.bat", EntryType::Regular, b"", b"x"),
        (b"package/ok.js", EntryType::Regular, b"", b"ok"),
    ]);
    for pkg in [read(&tar), read(&gz(&tar))] {
        assert_eq!(paths(&pkg), ["ok.js", "package.json"]);
        let traversal: Vec<_> = pkg
            .issues
            .iter()
            .filter(|i| i.kind == ReadIssueKind::PathTraversal)
            .filter_map(|i| i.path.as_deref())
            .collect();
        assert_eq!(
            traversal,
            [
                "../evil.js",
                "package/../../evil.js",
                "/etc/profile.d/evil.sh",
                "C:\\evil.bat"
            ]
        );
    }
}

#[test]
fn zip_path_traversal_is_skipped() {
    let zip = zip_of(&[
        ("package.json", MANIFEST),
        ("../../evil.js", b"x"),
        ("/abs/evil.js", b"x"),
        ("a/../../evil.js", b"x"),
        ("ok.js", b"ok"),
    ]);
    let pkg = read_zip(&zip, "t.zip", &Limits::default());
    assert_eq!(paths(&pkg), ["ok.js", "package.json"]);
    assert_eq!(
        pkg.issues
            .iter()
            .filter(|i| i.kind == ReadIssueKind::PathTraversal)
            .count(),
        3,
        "{:?}",
        pkg.issues
    );
}

// ------------------------------------------------------------------ links

#[test]
fn tar_links_are_listed_not_followed() {
    let tar = raw_tar(&[
        (b"package/package.json", EntryType::Regular, b"", MANIFEST),
        (b"package/sym", EntryType::Symlink, b"/etc/passwd", b""),
        (
            b"package/hard",
            EntryType::Link,
            b"package/package.json",
            b"",
        ),
        (b"package/up", EntryType::Symlink, b"../../../../home", b""),
        (b"package/fifo", EntryType::Fifo, b"", b""),
    ]);
    let pkg = read(&gz(&tar));
    assert_eq!(paths(&pkg), ["package.json"]);
    assert_eq!(
        issues(&pkg),
        [
            ("link".to_owned(), Some("package/sym".to_owned())),
            ("link".to_owned(), Some("package/hard".to_owned())),
            ("link".to_owned(), Some("package/up".to_owned())),
            ("special-file".to_owned(), Some("package/fifo".to_owned())),
        ]
    );
    assert!(pkg.issues[0].detail.contains("`/etc/passwd`"));
}

#[test]
fn zip_symlink_is_listed_not_followed() {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default();
    w.start_file("package.json", opts).expect("entry");
    std::io::Write::write_all(&mut w, MANIFEST).expect("write");
    w.add_symlink("link", "/etc/passwd", opts).expect("symlink");
    let zip = w.finish().expect("zip").into_inner();
    let pkg = read(&zip);
    assert_eq!(paths(&pkg), ["package.json"]);
    assert!(has(&pkg, &ReadIssueKind::Link), "{:?}", pkg.issues);
}

#[cfg(unix)]
#[test]
fn read_dir_lists_symlinks_and_keeps_sub_folders() {
    let outside = tempfile::tempdir().expect("tempdir");
    std::fs::write(outside.path().join("secret"), b"SECRET").expect("write");
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path();
    std::fs::write(root.join("package.json"), MANIFEST).expect("write");
    // A sub-folder named `package` with a manifest must not become the root.
    std::fs::create_dir_all(root.join("package/lib")).expect("mkdir");
    std::fs::write(root.join("package/package.json"), b"{}").expect("write");
    std::fs::write(root.join("package/lib/a.js"), b"1").expect("write");
    std::fs::create_dir_all(root.join("node_modules/dep")).expect("mkdir");
    std::fs::write(root.join("node_modules/dep/index.js"), b"1").expect("write");
    std::os::unix::fs::symlink(outside.path().join("secret"), root.join("link")).expect("ln");
    std::os::unix::fs::symlink(outside.path(), root.join("linkdir")).expect("ln");

    let pkg = read_dir(root, &Limits::default()).expect("read_dir");
    assert_eq!(
        paths(&pkg),
        ["package.json", "package/lib/a.js", "package/package.json"]
    );
    assert_eq!(pkg.name(), Some("demo"));
    let links: Vec<_> = pkg
        .issues
        .iter()
        .filter(|i| i.kind == ReadIssueKind::Link)
        .filter_map(|i| i.path.as_deref())
        .collect();
    assert_eq!(links, ["link", "linkdir"]);
    assert!(pkg.files.iter().all(|f| f.data != b"SECRET"));

    // read_path dispatches folders to read_dir.
    let again = read_path(root, &Limits::default()).expect("read_path");
    assert_eq!(paths(&again), paths(&pkg));
}

#[test]
fn read_dir_depth_counts_below_the_root() {
    let dir = tempfile::tempdir().expect("tempdir");
    let limits = Limits {
        max_path_depth: 3,
        ..Limits::default()
    };
    std::fs::create_dir_all(dir.path().join("a/b/c")).expect("mkdir");
    std::fs::write(dir.path().join("a/b/ok.js"), b"1").expect("write");
    std::fs::write(dir.path().join("a/b/c/deep.js"), b"1").expect("write");
    let pkg = read_dir(dir.path(), &limits).expect("read_dir");
    assert_eq!(paths(&pkg), ["a/b/ok.js"]);
    assert!(hit(&pkg, LimitKind::PathDepth), "{:?}", pkg.issues);
}

// ------------------------------------------------------------------ limits

#[test]
fn many_tiny_files_hit_the_files_limit() {
    let names: Vec<String> = (0..20_000).map(|i| format!("package/f/{i}.js")).collect();
    let entries: Vec<(&str, &[u8])> = names.iter().map(|n| (n.as_str(), &b"1"[..])).collect();
    let pkg = read(&tgz_of(&entries));
    assert!(hit(&pkg, LimitKind::Files), "{:?}", pkg.issues);
    assert_eq!(pkg.files.len(), Limits::default().max_files);
    let issue = pkg
        .issues
        .iter()
        .find(|i| i.is_limit(LimitKind::Files))
        .expect("files issue");
    assert_eq!(
        issue.to_string(),
        "limit-exceeded (files): more than 10000 files; the rest were not read"
    );
}

#[test]
fn big_single_line_file_over_the_per_file_limit() {
    // Minified-looking: one line of varied characters, no newline.
    let chars = b"abcdefghijklmnopqrstuvwxyz0123456789(){};=+,.";
    let big: Vec<u8> = random_bytes(5, 50 * 1000 * 1000)
        .into_iter()
        .map(|b| chars[usize::from(b) % chars.len()])
        .collect();
    let tgz = tgz_of(&[("package/package.json", MANIFEST), ("package/min.js", &big)]);
    let pkg = read(&tgz);
    assert_eq!(paths(&pkg), ["package.json"]);
    let issue = pkg
        .issues
        .iter()
        .find(|i| i.is_limit(LimitKind::FileBytes))
        .expect("file-bytes issue");
    assert_eq!(issue.path.as_deref(), Some("package/min.js"));

    let raised = Limits {
        max_file_bytes: 64 * 1024 * 1024,
        ..Limits::default()
    };
    let pkg = read_tgz(&tgz, "t", &raised);
    assert!(pkg.issues.is_empty(), "{:?}", pkg.issues);
    assert_eq!(pkg.file("min.js").map(|f| f.data.len()), Some(big.len()));
    assert_eq!(pkg.unpacked_bytes, (big.len() + MANIFEST.len()) as u64);
}

#[test]
fn total_bytes_limit_stops_reading() {
    let limits = Limits {
        max_total_bytes: 10_000,
        ..Limits::default()
    };
    let chunk = vec![b'x'; 4_000];
    let entries: Vec<(String, &[u8])> = (0..5)
        .map(|i| (format!("package/{i}.js"), &chunk[..]))
        .collect();
    let entries: Vec<(&str, &[u8])> = entries.iter().map(|(p, d)| (p.as_str(), *d)).collect();
    let pkg = read_tar(&tar_of(&entries), "t", &limits);
    assert!(hit(&pkg, LimitKind::TotalBytes), "{:?}", pkg.issues);
    assert!(pkg.unpacked_bytes <= 10_000);
}

#[test]
fn archive_bytes_limit() {
    let limits = Limits {
        max_archive_bytes: 100,
        ..Limits::default()
    };
    let pkg = read_tgz(&tgz_of(&[("package/a.js", &[0u8; 1000])]), "t", &limits);
    assert!(hit(&pkg, LimitKind::ArchiveBytes));
    assert!(pkg.files.is_empty());
}

#[test]
fn depth_limit_counts_below_the_package_root() {
    let limits = Limits {
        max_path_depth: 4,
        ..Limits::default()
    };
    let tgz = tgz_of(&[
        ("x-1.0.0/package/package.json", MANIFEST),
        ("x-1.0.0/package/a/b/c/ok.js", b"1"),
        ("x-1.0.0/package/a/b/c/d/deep.js", b"1"),
    ]);
    let pkg = read_tgz(&tgz, "t", &limits);
    assert_eq!(paths(&pkg), ["a/b/c/ok.js", "package.json"]);
    let issue = pkg
        .issues
        .iter()
        .find(|i| i.is_limit(LimitKind::PathDepth))
        .expect("depth issue");
    assert_eq!(
        issue.path.as_deref(),
        Some("x-1.0.0/package/a/b/c/d/deep.js")
    );

    // A flat archive passes the early check, then the root-relative one.
    let tgz = tgz_of(&[("package.json", MANIFEST), ("a/b/c/d/e/deep.js", b"1")]);
    let pkg = read_tgz(&tgz, "t", &limits);
    assert_eq!(paths(&pkg), ["package.json"]);
    assert!(hit(&pkg, LimitKind::PathDepth), "{:?}", pkg.issues);
}

#[test]
fn zip_declared_size_lie_is_bounded() {
    // Stored entry of 100 bytes whose declared size is patched down to 10.
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    w.start_file("a.js", opts).expect("entry");
    std::io::Write::write_all(&mut w, &[b'z'; 100]).expect("write");
    let mut zip = w.finish().expect("zip").into_inner();
    // Central directory header: signature PK\x01\x02, uncompressed size at +24.
    let cd = zip
        .windows(4)
        .position(|w| w == b"PK\x01\x02")
        .expect("central directory");
    zip[cd + 24..cd + 28].copy_from_slice(&10u32.to_le_bytes());
    let pkg = read_zip(&zip, "t.zip", &Limits::default());
    assert!(
        pkg.files.iter().all(|f| f.data.len() <= 10),
        "{:?}",
        paths(&pkg)
    );
    assert!(has(&pkg, &ReadIssueKind::Unreadable), "{:?}", pkg.issues);
}

// ------------------------------------------------------- names and content

#[test]
fn invalid_utf8_names_and_content() {
    let content: &[u8] = b"\xff\xfe\x00binary\xc3";
    let tar = raw_tar(&[
        (b"package/package.json", EntryType::Regular, b"", MANIFEST),
        (b"package/bad-\xff\xfe.js", EntryType::Regular, b"", content),
        (b"package/esc-\x1b[31m.js", EntryType::Regular, b"", b"1"),
    ]);
    let pkg = read(&gz(&tar));
    let bad = pkg
        .file("bad-\u{fffd}\u{fffd}.js")
        .expect("kept with a lossy name");
    assert_eq!(bad.data, content, "content is read byte for byte");
    assert_eq!(
        pkg.issues
            .iter()
            .filter(|i| i.kind == ReadIssueKind::InvalidName)
            .count(),
        2,
        "{:?}",
        pkg.issues
    );
}

#[test]
fn duplicate_entries_keep_the_last() {
    let tgz = tgz_of(&[
        ("package/package.json", br#"{"name":"first"}"#),
        ("package/a.js", b"1"),
        ("package/./package.json", br#"{"name":"second"}"#),
        ("package/a.js", b"1"),
    ]);
    let pkg = read(&tgz);
    assert_eq!(paths(&pkg), ["a.js", "package.json"]);
    assert_eq!(pkg.name(), Some("second"));
    assert_eq!(
        issues(&pkg),
        [(
            "duplicate-entry".to_owned(),
            Some("package.json".to_owned())
        )]
    );
}

// ------------------------------------------------------ broken archives

#[test]
fn truncated_archives_are_unreadable() {
    let big: Vec<u8> = random_bytes(7, 200_000);
    let tar = tar_of(&[
        ("package/package.json", MANIFEST),
        ("package/blob.bin", &big),
    ]);
    let tgz = gz(&tar);
    for cut in [tgz.len() / 2, tgz.len() - 9, 20] {
        let pkg = read_tgz(&tgz[..cut], "t", &Limits::default());
        assert!(
            has(&pkg, &ReadIssueKind::Unreadable),
            "cut {cut}: {:?}",
            pkg.issues
        );
    }
    for cut in [tar.len() / 2, 1024 + 100, 700] {
        let pkg = read_tar(&tar[..cut], "t", &Limits::default());
        assert!(
            has(&pkg, &ReadIssueKind::Unreadable),
            "cut {cut}: {:?}",
            pkg.issues
        );
    }
    let zip = zip_of(&[("package.json", MANIFEST), ("blob.bin", &big)]);
    let pkg = read_zip(&zip[..zip.len() / 2], "t", &Limits::default());
    assert!(has(&pkg, &ReadIssueKind::Unreadable), "{:?}", pkg.issues);
}

#[test]
fn garbage_after_the_gzip_stream_is_ignored() {
    let mut tgz = tgz_of(&[("package/package.json", MANIFEST), ("package/a.js", b"1")]);
    tgz.extend_from_slice(&random_bytes(3, 4096));
    let pkg = read(&tgz);
    assert_eq!(paths(&pkg), ["a.js", "package.json"]);
    assert!(pkg.issues.is_empty(), "{:?}", pkg.issues);
}

#[test]
fn concatenated_gzip_members_are_one_stream() {
    // Split a tar in two and gzip each half: gunzip (and npm) see one stream.
    let tar = tar_of(&[("package/package.json", MANIFEST), ("package/a.js", b"1")]);
    let mut tgz = gz(&tar[..512]);
    tgz.extend_from_slice(&gz(&tar[512..]));
    let pkg = read(&tgz);
    assert_eq!(paths(&pkg), ["a.js", "package.json"]);
}

#[test]
fn random_bytes_never_panic() {
    let limits = Limits::default();
    for seed in 1..200u64 {
        let len = usize::try_from(seed * 37 % 5000).unwrap_or(0);
        let bytes = random_bytes(seed, len);
        // No magic: not an archive.
        if !bytes.starts_with(&[0x1f, 0x8b]) && !bytes.starts_with(b"PK") {
            assert!(read_bytes(&bytes, "r", &limits).is_none());
        }
        for pkg in [
            read_tgz(&bytes, "r", &limits),
            read_tar(&bytes, "r", &limits),
            read_zip(&bytes, "r", &limits),
        ] {
            assert!(
                has(&pkg, &ReadIssueKind::Unreadable),
                "seed {seed}: {:?}",
                pkg.issues
            );
        }
        // With a valid magic the sniffer picks a reader, which reports.
        let mut gzipish = vec![0x1f, 0x8b, 8, 0];
        gzipish.extend_from_slice(&bytes);
        let pkg = read(&gzipish);
        assert!(has(&pkg, &ReadIssueKind::Unreadable), "seed {seed}");
    }
}

#[test]
fn mutated_archives_never_panic() {
    let tar = tar_of(&[
        ("package/package.json", MANIFEST),
        ("package/a.js", &random_bytes(1, 3000)),
        ("package/b.js", b"2"),
    ]);
    let archives = [
        gz(&tar),
        tar,
        zip_of(&[("package.json", MANIFEST), ("a.js", b"1")]),
    ];
    for archive in &archives {
        for seed in 0..300u64 {
            let mut bytes = archive.clone();
            let noise = random_bytes(seed + 11, 8);
            for (k, b) in noise.iter().enumerate() {
                let at = usize::from(*b) * 31 + k * 257 + usize::try_from(seed).unwrap_or(0) * 13;
                let at = at % bytes.len();
                bytes[at] ^= noise[(k + 1) % noise.len()] | 1;
            }
            let _ = read_bytes(&bytes, "m", &Limits::default());
        }
    }
}

#[test]
fn empty_archive_is_unreadable() {
    let pkg = read(&tgz_of(&[]));
    assert!(has(&pkg, &ReadIssueKind::Unreadable), "{:?}", pkg.issues);
}

#[test]
fn unknown_format_is_an_error_for_read_path() {
    let dir = tempfile::tempdir().expect("tempdir");
    // Named like an archive: a package that reads with an `Unreadable` issue,
    // so policy decides (STYLE.md: an unreadable archive is a finding).
    let path = dir.path().join("x.tgz");
    std::fs::write(&path, b"not an archive at all").expect("write");
    let pkg = read_path(&path, &Limits::default()).expect("a package with an issue");
    assert!(
        pkg.has_issue(&ReadIssueKind::Unreadable),
        "{:?}",
        pkg.issues
    );
    // Named like anything else: the user named the wrong file.
    let path = dir.path().join("notes.txt");
    std::fs::write(&path, b"not an archive at all").expect("write");
    let err = read_path(&path, &Limits::default()).expect_err("unknown format");
    assert!(err.to_string().contains("is not a package"), "{err}");
}

#[cfg(unix)]
#[test]
fn read_path_refuses_a_fifo_instead_of_blocking() {
    let dir = tempfile::tempdir().expect("tempdir");
    let fifo = dir.path().join("pipe.tgz");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .is_ok_and(|s| s.success());
    if !made {
        return; // no mkfifo here: nothing to check
    }
    let err = read_path(&fifo, &Limits::default()).expect_err("not a regular file");
    assert!(err.to_string().contains("is not a package"), "{err}");
}
