//! `mcp scan` of Python servers: `uvx pkg`, `uvx pkg==1.2`, `uvx --from pkg
//! cmd`, `uv tool run`, `pipx run pkg` and `pipx run --spec pkg cmd` are
//! fetched from the user's Python index (`commands/pypi.rs`) and scanned:
//! the exact version when pinned, else the latest release, the one the
//! runner would start today. `python -m module` runs whatever is installed:
//! there is no index package to fetch, so it stays listed, not analysed.
//!
//! The index comes from the environment and files (`PIP_INDEX_URL`,
//! `UV_INDEX_URL`, `pip.conf`, `uv.toml`): `mcp scan` has no `--index-url`.

use std::sync::OnceLock;

use palisade_linter::Engine;
use palisade_mcp::Launch;
use palisade_mcp::report::ServerReport;
use palisade_package::Limits;

use super::known::{Known, PYPI};
use super::pypi::PypiIndex;

/// One index client for the whole run, made on first use.
fn index() -> &'static PypiIndex<'static> {
    static INDEX: OnceLock<PypiIndex<'static>> = OnceLock::new();
    INDEX.get_or_init(|| PypiIndex::new(None))
}

/// Scans the package of a Python server; other servers are left alone.
/// With `diff`, the release is also compared with the one before it.
pub(crate) fn scan_python_server(
    engine: &Engine,
    known: &Known,
    limits: &Limits,
    diff: bool,
    server: &mut ServerReport,
) {
    let Launch::Python {
        runner,
        name,
        requested,
        pinned,
    } = server.launch.clone()
    else {
        return;
    };
    if runner.ends_with("-m") || name.contains(['/', '\\']) {
        // `python -m module`, a script: what is installed runs.
        return;
    }
    let version = pinned
        .then(|| {
            requested
                .as_deref()
                .map(|r| r.trim_start_matches(['=', '@']).to_owned())
        })
        .flatten();
    let extras = super::pypi::Extras {
        diff,
        metadata: None,
    };
    match index().scan(known, engine, limits, &name, version.as_deref(), &extras) {
        Ok((mut report, release)) => {
            let note = if pinned {
                "the pinned version".to_owned()
            } else {
                format!(
                    "not pinned: `{}` resolves today to {}, the version `{runner}` would run now; \
                     the next release changes it",
                    requested.as_deref().unwrap_or("latest"),
                    release.version
                )
            };
            report.facts = None;
            let source = report.source.clone();
            server.not_analysed = None;
            server.add_scan(report, source, note);
        }
        Err(e) => {
            let spec = match &requested {
                Some(r) => format!("{name}{r}"),
                None => name.clone(),
            };
            // A pinned release gone from the index is still known to be
            // malicious.
            match version
                .as_deref()
                .and_then(|v| known.advisory_report(PYPI, &name, v, &spec, &e))
            {
                Some(report) => {
                    let source = format!("{}=={}", report.name, report.version);
                    server.not_analysed = None;
                    server.add_scan(report, source, "the pinned version".to_owned());
                }
                None => server.error = Some(format!("`{spec}`: {e}")),
            }
        }
    }
}
