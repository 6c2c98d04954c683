//! Whole-process timing of the `palisade` binary, one process per package,
//! as a user or a CI step runs it.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use crate::model::WholeProcess;
use crate::stats::quantile;

/// After this many failures in a row with no success, stop trying: the
/// binary is missing a command or broken, and the column is skipped.
const GIVE_UP_AFTER: usize = 3;

/// Runs `binary scan <entry> --format json` once per entry, sequentially,
/// and times each whole process. A run succeeds when it exits 0 or 1 (clean
/// or findings) and prints a JSON document on stdout.
pub fn time_cli(binary: &Path, entries: &[PathBuf]) -> WholeProcess {
    let command = format!("{} scan <package> --format json", binary.display());
    let mut times = Vec::with_capacity(entries.len());
    let mut failures = 0;
    let mut first_failure = None;
    let mut runs = 0;
    for entry in entries {
        runs += 1;
        let start = Instant::now();
        let result = Command::new(binary)
            .arg("scan")
            .arg(entry)
            .args(["--format", "json"])
            .stdin(Stdio::null())
            .stderr(Stdio::piped())
            .output();
        let elapsed = start.elapsed();
        let failure = match result {
            Ok(out) => {
                let code = out.status.code();
                if !matches!(code, Some(0 | 1)) {
                    Some(format!(
                        "`{}`: exit {}: {}",
                        entry.display(),
                        code.map_or_else(|| "by signal".to_owned(), |c| c.to_string()),
                        String::from_utf8_lossy(&out.stderr).trim()
                    ))
                } else if serde_json::from_slice::<serde_json::Value>(&out.stdout).is_err() {
                    Some(format!(
                        "`{}`: exit {}, but stdout is not JSON",
                        entry.display(),
                        code.unwrap_or_default()
                    ))
                } else {
                    None
                }
            }
            Err(e) => Some(format!("`{}`: {e}", binary.display())),
        };
        match failure {
            Some(f) => {
                failures += 1;
                first_failure.get_or_insert(f);
                if times.is_empty() && failures >= GIVE_UP_AFTER {
                    break;
                }
            }
            None => times.push(elapsed.as_secs_f64() * 1000.0),
        }
    }
    times.sort_by(f64::total_cmp);
    WholeProcess {
        command,
        runs,
        failures,
        first_failure,
        median_ms: quantile(&times, 0.5),
        p95_ms: quantile(&times, 0.95),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_binary_gives_up_early() {
        let entries: Vec<PathBuf> = (0..10).map(|i| PathBuf::from(format!("{i}.tgz"))).collect();
        let w = time_cli(Path::new("/nonexistent/palisade"), &entries);
        assert_eq!((w.runs, w.failures), (GIVE_UP_AFTER, GIVE_UP_AFTER));
        assert_eq!(w.median_ms, None);
        assert!(
            w.first_failure
                .as_deref()
                .is_some_and(|f| f.starts_with("`/nonexistent/palisade`"))
        );
    }

    #[test]
    fn output_that_is_not_json_is_a_failure() {
        // `true` exits 0 and prints nothing.
        let Ok(path) = which("true") else { return };
        let w = time_cli(&path, &[PathBuf::from("x.tgz")]);
        assert_eq!((w.runs, w.failures), (1, 1));
        assert!(
            w.first_failure
                .as_deref()
                .is_some_and(|f| f.ends_with("stdout is not JSON"))
        );
    }

    fn which(name: &str) -> Result<PathBuf, ()> {
        ["/usr/bin", "/bin"]
            .iter()
            .map(|d| Path::new(d).join(name))
            .find(|p| p.exists())
            .ok_or(())
    }
}
