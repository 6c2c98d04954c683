//! Shared helpers for the CLI integration tests: run the built `palisade`
//! binary in an isolated environment and read its output.
//!
//! Every child gets a fresh `HOME` and `NPM_CONFIG_USERCONFIG` inside a
//! temporary folder, so the user's real npm configuration is never read, and
//! `NO_COLOR=1`, so output is plain text.

#![expect(
    dead_code,
    reason = "each test binary uses a different subset of these helpers"
)]
#![expect(
    clippy::unwrap_used,
    reason = "tests: a broken fixture or a failed spawn should fail loudly"
)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use serde_json::Value;

/// The `palisade` binary under test.
pub const BIN: &str = env!("CARGO_BIN_EXE_palisade");

/// The folder holding the fixture packages.
pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// One fixture package folder.
pub fn fixture(name: &str) -> PathBuf {
    fixtures().join(name)
}

/// Every file of a fixture folder as `(path relative to the folder, bytes)`,
/// sorted, for [`palisade_test::tarball`] and the mock registry.
pub fn fixture_files(name: &str) -> Vec<(String, Vec<u8>)> {
    fn walk(root: &Path, dir: &Path, out: &mut Vec<(String, Vec<u8>)>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(root, &path, out);
            } else {
                let rel = path
                    .strip_prefix(root)
                    .unwrap()
                    .to_string_lossy()
                    .replace('\\', "/");
                out.push((rel, std::fs::read(&path).unwrap()));
            }
        }
    }
    let root = fixture(name);
    let mut out = Vec::new();
    walk(&root, &root, &mut out);
    out.sort();
    out
}

/// Borrows [`fixture_files`] output in the shape the test helpers take.
pub fn borrow(files: &[(String, Vec<u8>)]) -> Vec<(&str, &[u8])> {
    files
        .iter()
        .map(|(p, b)| (p.as_str(), b.as_slice()))
        .collect()
}

/// A fixture folder packed as an npm tarball (`package/` prefix, gzip).
pub fn fixture_tarball(name: &str) -> Vec<u8> {
    let files = fixture_files(name);
    palisade_test::tarball(&borrow(&files))
}

/// An isolated place to run `palisade`: its own home folder and user
/// `.npmrc`, and a working folder with no project `.npmrc` above it.
pub struct Sandbox {
    pub dir: tempfile::TempDir,
}

impl Sandbox {
    pub fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("home")).unwrap();
        std::fs::create_dir(dir.path().join("work")).unwrap();
        std::fs::write(dir.path().join("home/.npmrc"), "").unwrap();
        Self { dir }
    }

    /// The working folder of the child.
    pub fn work(&self) -> PathBuf {
        self.dir.path().join("work")
    }

    /// A `palisade` command running in `cwd` with the isolated environment.
    pub fn command_in(&self, cwd: &Path, args: &[&str]) -> Command {
        let mut cmd = Command::new(BIN);
        cmd.args(args)
            .current_dir(cwd)
            .env("HOME", self.dir.path().join("home"))
            .env("NPM_CONFIG_USERCONFIG", self.dir.path().join("home/.npmrc"))
            .env("NO_COLOR", "1")
            .env_remove("npm_config_userconfig")
            .env_remove("npm_config_registry")
            .env_remove("NPM_CONFIG_REGISTRY")
            .env_remove("RUST_BACKTRACE")
            // The palisade store and caches go under the sandbox's home.
            .env_remove("PALISADE_HOME")
            .env_remove("XDG_CACHE_HOME")
            .stdin(Stdio::null());
        cmd
    }

    /// A `palisade` command running in the sandbox's working folder.
    pub fn command(&self, args: &[&str]) -> Command {
        self.command_in(&self.work(), args)
    }
}

/// What a run printed and how it ended.
#[derive(Debug)]
pub struct Run {
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn from_output(output: &Output) -> Self {
        Self {
            code: output.status.code(),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }

    /// The JSON report on stdout.
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| {
            panic!(
                "stdout is not JSON ({e}):\n{}\nstderr:\n{}",
                self.stdout, self.stderr
            )
        })
    }

    /// Asserts the exit code, showing the output when it differs.
    #[track_caller]
    pub fn assert_code(&self, code: i32) -> &Self {
        assert_eq!(
            self.code,
            Some(code),
            "unexpected exit code\nstdout:\n{}\nstderr:\n{}",
            self.stdout,
            self.stderr
        );
        self
    }
}

/// Runs a command to completion.
pub fn run(mut cmd: Command) -> Run {
    Run::from_output(&cmd.output().unwrap())
}

/// Runs `palisade <args>` in the fixtures folder (so reported sources are
/// relative, like `postmark-mcp-1.0.16`).
pub fn run_in_fixtures(args: &[&str]) -> Run {
    let sandbox = Sandbox::new();
    run(sandbox.command_in(&fixtures(), args))
}

/// The single package of a JSON report.
#[track_caller]
pub fn only_package(report: &Value) -> &Value {
    let packages = report["packages"]
        .as_array()
        .expect("`packages` is an array");
    assert_eq!(packages.len(), 1, "expected one package in {report:#}");
    &packages[0]
}

/// The rule ids of a package's findings.
pub fn rules_of(package: &Value) -> Vec<String> {
    package["findings"]
        .as_array()
        .expect("`findings` is an array")
        .iter()
        .map(|f| f["rule"].as_str().unwrap_or_default().to_owned())
        .collect()
}

/// The findings that decided a package's verdict.
pub fn deciding(package: &Value) -> Vec<&Value> {
    package["findings"]
        .as_array()
        .expect("`findings` is an array")
        .iter()
        .filter(|f| f["deciding"] == Value::Bool(true))
        .collect()
}

/// The 1-based line of `needle` in `text`.
#[track_caller]
pub fn line_of(text: &str, needle: &str) -> u64 {
    let index = text
        .lines()
        .position(|l| l.contains(needle))
        .unwrap_or_else(|| panic!("`{needle}` not found"));
    u64::try_from(index).unwrap() + 1
}
