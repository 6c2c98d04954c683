//! `palisade scan`.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use anyhow::Context;
use palisade_diagnostics::render::{self, Format, RenderOptions, RuleInfo};
use palisade_diagnostics::{InputError, PackageReport, Report, Verdict};
use palisade_linter::{Engine, EngineOptions};
use palisade_package::{Limits, Package};
use palisade_registry::{Client, NpmConfig, PackageSpec};
use rayon::prelude::*;

use crate::args::{FailOn, OutputFormat, ScanArgs};
use crate::exit::{Status, usage};
use crate::output;

/// What one command-line input names.
enum Input {
    Path(PathBuf),
    Spec(PackageSpec),
}

fn classify(raw: &str) -> anyhow::Result<Input> {
    let path = Path::new(raw);
    if path.exists() {
        return Ok(Input::Path(path.to_path_buf()));
    }
    let lower = raw.to_ascii_lowercase();
    let looks_like_path = raw.starts_with('.')
        || raw.starts_with('/')
        || raw.starts_with('~')
        || raw.contains('\\')
        || [".tgz", ".tar.gz", ".tar", ".zip"].iter().any(|e| lower.ends_with(e))
        || (!raw.starts_with('@') && raw.contains('/'));
    if looks_like_path {
        return Err(usage(format!("`{raw}`: no such file or folder")));
    }
    raw.parse::<PackageSpec>()
        .map(Input::Spec)
        .map_err(|e| usage(format!("`{raw}` is neither a file, a folder nor a package spec: {e}")))
}

/// A registry client, made on first use from the npm configuration.
struct Registry<'a> {
    override_url: Option<&'a str>,
    client: OnceLock<Result<Client, String>>,
}

impl Registry<'_> {
    fn client(&self) -> Result<&Client, String> {
        self.client
            .get_or_init(|| {
                let cwd = std::env::current_dir().map_err(|e| format!("cannot read the current folder: {e}"))?;
                let config = NpmConfig::load(self.override_url, &cwd).map_err(|e| e.to_string())?;
                Client::new(config).map_err(|e| e.to_string())
            })
            .as_ref()
            .map_err(Clone::clone)
    }

    /// Resolves and downloads a spec; the tarball is verified against its
    /// integrity before any byte of it is read.
    fn fetch(&self, spec: &PackageSpec, limits: &Limits) -> Result<(Package, Option<String>), String> {
        let client = self.client()?;
        let resolved = client.resolve(spec).map_err(|e| e.to_string())?;
        let bytes = client.fetch_tarball(&resolved).map_err(|e| e.to_string())?;
        let origin = format!("{}@{}", resolved.name, resolved.version);
        let pkg = palisade_package::read_bytes(&bytes, &origin, limits)
            .ok_or_else(|| format!("`{origin}`: the registry's tarball is not an archive"))?;
        Ok((pkg, resolved.integrity.clone()))
    }
}

/// Runs `palisade scan`.
pub fn run(args: &ScanArgs) -> anyhow::Result<Status> {
    let inputs: Vec<Input> = args.inputs.iter().map(|i| classify(i)).collect::<anyhow::Result<_>>()?;
    let limits = args.limits.limits();
    let engine = Engine::new(EngineOptions {
        preview: args.preview,
        keep_facts: args.facts,
        ..EngineOptions::default()
    });
    let registry = Registry {
        override_url: args.registry.as_deref(),
        client: OnceLock::new(),
    };

    let results: Vec<Result<PackageReport, InputError>> = inputs
        .par_iter()
        .zip(args.inputs.par_iter())
        .map(|(input, raw)| {
            let (pkg, integrity) = match input {
                Input::Path(p) => (palisade_package::read_path(p, &limits).map_err(|e| e.to_string()), None),
                Input::Spec(spec) => match registry.fetch(spec, &limits) {
                    Ok((pkg, integrity)) => (Ok(pkg), integrity),
                    Err(e) => (Err(e), None),
                },
            };
            let pkg = pkg.map_err(|error| InputError { input: raw.clone(), error })?;
            let mut report = engine.scan(&pkg);
            report.integrity = integrity;
            if let Input::Path(p) = input {
                report.source = p.display().to_string();
            }
            Ok(report)
        })
        .collect();

    let mut report = Report::default();
    for r in results {
        match r {
            Ok(p) => report.packages.push(p),
            Err(e) => {
                eprintln!("error: {}: {}", e.input, e.error);
                report.errors.push(e);
            }
        }
    }

    let rules: Vec<RuleInfo> = Engine::rules()
        .iter()
        .map(|r| {
            let m = r.meta();
            RuleInfo::new(m.id, m.summary).with_severity(m.severity)
        })
        .collect();
    let format = match args.format {
        OutputFormat::Text => Format::Text,
        OutputFormat::Json => Format::Json,
        OutputFormat::Sarif => Format::Sarif,
    };
    let options = RenderOptions {
        color: args.output.is_none() && format == Format::Text && output::stdout_color(),
        facts: args.facts,
        rules: &rules,
    };
    let text = render::render(&report, format, options);
    match &args.output {
        Some(path) => output::write_file(path, &text).with_context(|| format!("writing the report to `{}`", path.display()))?,
        None => output::print(&text)?,
    }

    let threshold = match args.fail_on {
        FailOn::Suspicious => Verdict::Suspicious,
        FailOn::Malicious => Verdict::Malicious,
    };
    Ok(if report.packages.iter().any(|p| p.verdict >= threshold) {
        Status::Findings
    } else if !report.errors.is_empty() {
        Status::Usage
    } else {
        Status::Clean
    })
}
