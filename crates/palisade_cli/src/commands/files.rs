use std::fmt::Write as _;
use std::path::Path;

use crate::exit::{Status, usage};
use crate::output;

/// `palisade files`: lists a package's files or prints one, from memory.
pub fn run(input: &Path, path: Option<&str>) -> anyhow::Result<Status> {
    let pkg = palisade_package::read_path(input, &palisade_package::Limits::default())
        .map_err(|e| usage(e.to_string()))?;
    let mut out = String::new();
    match path {
        None => {
            for f in &pkg.files {
                let _ = writeln!(
                    out,
                    "{:>10}  {}{}",
                    f.data.len(),
                    f.path,
                    if f.executable { "  (executable)" } else { "" }
                );
            }
            for i in &pkg.issues {
                let _ = writeln!(
                    out,
                    "{:>10}  {} {}",
                    "!",
                    i.path.as_deref().unwrap_or("-"),
                    i.detail
                );
            }
        }
        Some(p) => {
            let f = pkg
                .file(p)
                .ok_or_else(|| usage(format!("no file `{p}` in `{}`", input.display())))?;
            out.push_str(&String::from_utf8_lossy(&f.data));
        }
    }
    output::print(&out)?;
    Ok(Status::Clean)
}
