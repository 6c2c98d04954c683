//! Every lockfile format over hand-written fixture projects of the same
//! shape, under `tests/fixtures/lockfiles/<format>/`:
//!
//! ```text
//! app
//! ├── alpha 1.0.0 ── bravo 2.0.0
//! ├── delta-alias = npm:delta 4.0.0
//! ├── echo (git)
//! └── charlie 3.0.0 (dev) ── bravo 1.0.0 (nested copy)
//! web (workspace, in some fixtures) ── golf 1.0.0
//! ```

use std::path::{Path, PathBuf};

use palisade_package::lockfile::{
    LockedPackage, Lockfile, LockfileError, LockfileKind, MAX_LOCKFILE_BYTES, ProjectManifests,
    Source, find_lockfiles, parse_lockfile, read_lockfile,
};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/lockfiles")
        .join(name)
}

fn read(name: &str) -> Lockfile {
    let dir = fixture(name);
    let found = find_lockfiles(&dir);
    assert_eq!(found.len(), 1, "{name}: {found:?}");
    read_lockfile(&found[0].1).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn get<'a>(lock: &'a Lockfile, name: &str, version: &str) -> &'a LockedPackage {
    lock.packages
        .iter()
        .find(|p| p.name == name && p.version == version)
        .unwrap_or_else(|| panic!("{name}@{version} missing from {:#?}", lock.packages))
}

/// What every fixture locks, whatever its format.
fn check_common(lock: &Lockfile) {
    assert_eq!(lock.root, "app", "{:?}", lock.kind);
    let alpha = get(lock, "alpha", "1.0.0");
    assert!(alpha.source.is_registry());
    assert_eq!(alpha.path_text(), "app > alpha");
    assert!(!alpha.dev && !alpha.optional);

    let bravo2 = get(lock, "bravo", "2.0.0");
    assert_eq!(bravo2.path_text(), "app > alpha > bravo");
    assert!(!bravo2.dev);

    let bravo1 = get(lock, "bravo", "1.0.0");
    assert_eq!(bravo1.path_text(), "app > charlie > bravo");
    assert!(bravo1.dev, "only a dev dependency pulls it in");

    let charlie = get(lock, "charlie", "3.0.0");
    assert!(charlie.dev);
    assert_eq!(charlie.path_text(), "app > charlie");

    let delta = get(lock, "delta", "4.0.0");
    assert_eq!(delta.alias.as_deref(), Some("delta-alias"));
    assert_eq!(delta.path_text(), "app > delta-alias");
    assert!(delta.source.is_registry());

    let echo: Vec<&LockedPackage> = lock.packages.iter().filter(|p| p.name == "echo").collect();
    assert_eq!(echo.len(), 1, "{echo:#?}");
    assert!(
        matches!(&echo[0].source, Source::Git { url } if url.contains("git.invalid/o/echo")),
        "{:?}",
        echo[0].source
    );
    assert_eq!(echo[0].path_text(), "app > echo");

    // Each package once.
    let mut ids: Vec<(String, String)> = lock
        .packages
        .iter()
        .map(|p| (p.id(), p.source.kind().to_owned()))
        .collect();
    let n = ids.len();
    ids.dedup();
    assert_eq!(ids.len(), n);
}

fn check_integrity(lock: &Lockfile) {
    for (name, version) in [("alpha", "1.0.0"), ("bravo", "1.0.0"), ("delta", "4.0.0")] {
        let p = get(lock, name, version);
        assert!(
            p.integrity
                .as_deref()
                .is_some_and(|i| i.starts_with("sha512-")),
            "{name}: {:?}",
            p.integrity
        );
    }
}

fn check_workspace(lock: &Lockfile) {
    let golf = get(lock, "golf", "1.0.0");
    assert_eq!(golf.path_text(), "web > golf");
    assert!(!golf.dev);
}

#[test]
fn npm_v3_with_a_workspace() {
    let lock = read("npm-v3");
    assert_eq!(lock.kind, LockfileKind::NpmPackageLock);
    assert_eq!(lock.format_version, "3");
    check_common(&lock);
    check_integrity(&lock);
    check_workspace(&lock);
    assert!(matches!(
        get(&lock, "web", "0.1.0").source,
        Source::Workspace { .. }
    ));
    let alpha = get(&lock, "alpha", "1.0.0");
    assert!(
        matches!(&alpha.source, Source::Registry { resolved: Some(u) } if u.ends_with("alpha-1.0.0.tgz"))
    );
}

#[test]
fn npm_v2() {
    let lock = read("npm-v2");
    assert_eq!(lock.format_version, "2");
    check_common(&lock);
    check_integrity(&lock);
}

#[test]
fn npm_v1_nested_dependencies() {
    let lock = read("npm-v1");
    assert_eq!(lock.format_version, "1");
    check_common(&lock);
    check_integrity(&lock);
}

#[test]
fn npm_shrinkwrap() {
    let lock = read("npm-shrinkwrap");
    assert_eq!(lock.kind, LockfileKind::NpmShrinkwrap);
    check_common(&lock);
}

#[test]
fn pnpm_v9_with_a_workspace() {
    let lock = read("pnpm-v9");
    assert_eq!(lock.kind, LockfileKind::Pnpm);
    assert_eq!(lock.format_version, "9.0");
    check_common(&lock);
    check_integrity(&lock);
    check_workspace(&lock);
    assert_eq!(get(&lock, "echo", "0.1.0").source.kind(), "git");
}

#[test]
fn pnpm_v6() {
    let lock = read("pnpm-v6");
    assert_eq!(lock.format_version, "6.0");
    check_common(&lock);
    check_integrity(&lock);
}

#[test]
fn yarn_classic() {
    let lock = read("yarn-classic");
    assert_eq!(lock.kind, LockfileKind::Yarn);
    assert_eq!(lock.format_version, "classic");
    check_common(&lock);
    check_integrity(&lock);
    // The `#<sha1>` fragment is not part of the URL.
    let alpha = get(&lock, "alpha", "1.0.0");
    assert!(matches!(&alpha.source, Source::Registry { resolved: Some(u) } if u.ends_with(".tgz")));
}

#[test]
fn yarn_berry_with_a_workspace() {
    let lock = read("yarn-berry");
    assert_eq!(lock.format_version, "berry 8");
    check_common(&lock);
    check_workspace(&lock);
    assert!(
        get(&lock, "alpha", "1.0.0").integrity.is_none(),
        "berry's checksum is not a tarball integrity"
    );
}

#[test]
fn bun_text_lockfile_with_trailing_commas() {
    let lock = read("bun");
    assert_eq!(lock.kind, LockfileKind::Bun);
    check_common(&lock);
    check_integrity(&lock);
    check_workspace(&lock);
}

#[test]
fn shrinkwrap_wins_over_package_lock() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("package-lock.json"), "{}").expect("write");
    std::fs::write(dir.path().join("npm-shrinkwrap.json"), "{}").expect("write");
    std::fs::write(dir.path().join("yarn.lock"), "").expect("write");
    let kinds: Vec<LockfileKind> = find_lockfiles(dir.path())
        .into_iter()
        .map(|(k, _)| k)
        .collect();
    assert_eq!(kinds, [LockfileKind::NpmShrinkwrap, LockfileKind::Yarn]);
    assert!(find_lockfiles(&fixture("no-such-folder")).is_empty());
}

#[test]
fn broken_lockfiles_are_clear_errors() {
    let m = ProjectManifests::default();
    let cases = [
        (
            LockfileKind::NpmPackageLock,
            "{\"lockfileVersion\": 3, \"packages\": [",
        ),
        (LockfileKind::NpmPackageLock, "[]"),
        (LockfileKind::Pnpm, "lockfileVersion: '9.0'\npackages: [\n"),
        (LockfileKind::Pnpm, "importers: {}\n"),
        (
            LockfileKind::Yarn,
            "__metadata:\n  version: 8\n\"a@npm:1\":\n  version: 1\n",
        ),
        (
            LockfileKind::Yarn,
            "a@^1:\n  version \"1\"\n        weird\n",
        ),
        (LockfileKind::Bun, "{\"packages\": {}}"),
        (
            LockfileKind::Bun,
            "{\"lockfileVersion\": 1, \"packages\": {\"a\": 1}}",
        ),
    ];
    for (kind, text) in cases {
        let err =
            parse_lockfile(kind, text, Path::new(kind.file_name()), &m, "app").expect_err(text);
        assert!(
            matches!(err, LockfileError::Invalid { .. }),
            "{kind}: {err}"
        );
        assert!(err.to_string().contains(kind.file_name()), "{err}");
    }
}

#[test]
fn yaml_alias_bombs_are_refused() {
    let text = "lockfileVersion: '9.0'\na: &a [x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a]\nc: [*b, *b, *b, *b, *b]\n";
    let err = parse_lockfile(
        LockfileKind::Pnpm,
        text,
        Path::new("pnpm-lock.yaml"),
        &ProjectManifests::default(),
        "app",
    )
    .expect_err("aliases");
    assert!(err.to_string().contains("aliases"), "{err}");
}

#[test]
fn oversized_lockfile_is_an_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("package-lock.json");
    let f = std::fs::File::create(&path).expect("create");
    f.set_len(MAX_LOCKFILE_BYTES + 1).expect("sparse file");
    let err = read_lockfile(&path).expect_err("too large");
    assert!(matches!(err, LockfileError::TooLarge { .. }), "{err}");
    assert!(err.to_string().contains("over the limit"), "{err}");
}

#[test]
fn unknown_file_name_is_an_error() {
    let err = read_lockfile(Path::new("Cargo.lock")).expect_err("not ours");
    assert!(matches!(err, LockfileError::Unsupported { .. }), "{err}");
}

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
    std::fs::write(path, text).expect("write");
}

fn manifest(name: &str, version: &str, deps: &[(&str, &str)]) -> String {
    let deps: Vec<String> = deps
        .iter()
        .map(|(n, r)| format!("\"{n}\": \"{r}\""))
        .collect();
    format!(
        "{{\"name\": \"{name}\", \"version\": \"{version}\", \"dependencies\": {{{}}}}}",
        deps.join(", ")
    )
}

#[test]
fn npm_installed_tree_with_nesting() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path();
    write(
        &root.join("package.json"),
        &manifest("app", "1.0.0", &[("alpha", "^1"), ("@s/charlie", "^3")]),
    );
    let nm = root.join("node_modules");
    write(
        &nm.join("alpha/package.json"),
        &manifest("alpha", "1.0.0", &[("bravo", "^2")]),
    );
    write(
        &nm.join("bravo/package.json"),
        &manifest("bravo", "2.0.0", &[]),
    );
    write(
        &nm.join("@s/charlie/package.json"),
        &manifest("@s/charlie", "3.0.0", &[("bravo", "^1")]),
    );
    write(
        &nm.join("@s/charlie/node_modules/bravo/package.json"),
        &manifest("bravo", "1.0.0", &[]),
    );
    write(&nm.join(".package-lock.json"), "{}");
    let lock = read_lockfile(&nm).expect("reads");
    assert_eq!(lock.kind, LockfileKind::NodeModules);
    assert_eq!(lock.packages.len(), 4, "{:#?}", lock.packages);
    assert_eq!(
        get(&lock, "bravo", "1.0.0").path_text(),
        "app > @s/charlie > bravo"
    );
    assert_eq!(
        get(&lock, "bravo", "2.0.0").path_text(),
        "app > alpha > bravo"
    );
    let Source::Installed { dir } = &get(&lock, "bravo", "1.0.0").source else {
        panic!("installed");
    };
    assert!(dir.ends_with("node_modules/@s/charlie/node_modules/bravo"));
}

#[cfg(unix)]
#[test]
fn pnpm_installed_store_without_following_links() {
    use std::os::unix::fs::symlink;
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path();
    write(
        &root.join("package.json"),
        &manifest("app", "1.0.0", &[("alpha", "^1")]),
    );
    let nm = root.join("node_modules");
    let store = nm.join(".pnpm");
    write(
        &store.join("alpha@1.0.0/node_modules/alpha/package.json"),
        &manifest("alpha", "1.0.0", &[("bravo", "^2")]),
    );
    write(
        &store.join("bravo@2.0.0/node_modules/bravo/package.json"),
        &manifest("bravo", "2.0.0", &[]),
    );
    symlink(
        "../../bravo@2.0.0/node_modules/bravo",
        store.join("alpha@1.0.0/node_modules/bravo"),
    )
    .expect("link");
    symlink(".pnpm/alpha@1.0.0/node_modules/alpha", nm.join("alpha")).expect("link");
    // A link out of the tree is never read.
    symlink("/", nm.join("escape")).expect("link");
    let lock = read_lockfile(&nm).expect("reads");
    assert_eq!(lock.format_version, "pnpm");
    assert_eq!(lock.packages.len(), 2, "{:#?}", lock.packages);
    assert_eq!(
        get(&lock, "bravo", "2.0.0").path_text(),
        "app > alpha > bravo"
    );
}

/// Every fixture cut short at many places, and with bytes changed: each
/// parse ends with a lockfile or an error, never a panic or a hang.
#[test]
fn damaged_lockfiles_never_panic() {
    let m = ProjectManifests::default();
    for (dir, file) in [
        ("npm-v3", "package-lock.json"),
        ("npm-v1", "package-lock.json"),
        ("pnpm-v9", "pnpm-lock.yaml"),
        ("pnpm-v6", "pnpm-lock.yaml"),
        ("yarn-classic", "yarn.lock"),
        ("yarn-berry", "yarn.lock"),
        ("bun", "bun.lock"),
    ] {
        let path = fixture(dir).join(file);
        let text = std::fs::read_to_string(&path).expect("fixture");
        let kind = LockfileKind::of_path(&path).expect("known name");
        let step = (text.len() / 150).max(1);
        for cut in (0..text.len()).step_by(step) {
            let Some(head) = text.get(..cut) else {
                continue;
            };
            let _ = parse_lockfile(kind, head, &path, &m, "app");
            for replacement in ["\"", "@", "/", "\n", "  ", "{", "]", "\\", "é", "("] {
                let mut damaged = text.clone();
                if damaged.is_char_boundary(cut) && damaged.is_char_boundary(cut + 1) {
                    damaged.replace_range(cut..=cut, replacement);
                    let _ = parse_lockfile(kind, &damaged, &path, &m, "app");
                }
            }
        }
    }
}
