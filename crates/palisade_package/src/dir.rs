//! Unpacked package folders (`node_modules/x`, a checkout).

use std::fs;
use std::path::Path;

use crate::collect::{Collector, Source};
use crate::{LimitKind, Limits, Package, ReadIssue, ReadIssueKind};

/// Reads a folder into memory; the folder is the package root (no prefix is
/// stripped). Links are listed, never followed. A nested `node_modules` or
/// `.git` is skipped: those are other packages or not package content.
/// Only a root that cannot be listed is an error; anything below it that
/// cannot be read is a [`ReadIssue`].
pub fn read_dir(root: &Path, limits: &Limits) -> std::io::Result<Package> {
    let origin = root.display().to_string();
    let mut c = Collector::new(&origin, limits, Source::Dir);
    let root_entries = list(root)?;
    // (entries of a folder, its path relative to the root, its depth)
    let mut stack: Vec<(Vec<fs::DirEntry>, String, usize)> = vec![(root_entries, String::new(), 0)];
    'walk: while let Some((entries, rel, depth)) = stack.pop() {
        for entry in entries {
            if c.stopped() {
                break 'walk;
            }
            let name = c.name(entry.file_name().as_encoded_bytes());
            let path = if rel.is_empty() {
                name.clone()
            } else {
                format!("{rel}/{name}")
            };
            let ft = match entry.file_type() {
                Ok(ft) => ft,
                Err(e) => {
                    unreadable(&mut c, path, &e);
                    continue;
                }
            };
            if ft.is_symlink() {
                let target = fs::read_link(entry.path())
                    .map(|t| t.display().to_string())
                    .unwrap_or_default();
                c.issue(ReadIssue::new(
                    ReadIssueKind::Link,
                    Some(path),
                    format!("symbolic link to `{target}` not followed"),
                ));
            } else if ft.is_dir() {
                if name == "node_modules" || name == ".git" {
                    continue;
                }
                // Files inside sit one level deeper than the folder.
                if depth + 1 >= limits.max_path_depth {
                    c.issue(ReadIssue::limit(
                        LimitKind::PathDepth,
                        Some(path),
                        format!(
                            "folder contents are over the depth limit of {}; not read",
                            limits.max_path_depth
                        ),
                    ));
                    continue;
                }
                match list(&entry.path()) {
                    Ok(children) => stack.push((children, path, depth + 1)),
                    Err(e) => unreadable(&mut c, path, &e),
                }
            } else if ft.is_file() {
                if !c.admit() {
                    break 'walk;
                }
                read_file(&mut c, &entry.path(), path);
            } else {
                c.issue(ReadIssue::new(
                    ReadIssueKind::SpecialFile,
                    Some(path),
                    "special file skipped",
                ));
            }
        }
    }
    Ok(c.finish())
}

/// A folder's entries, sorted by name so reads are deterministic.
fn list(dir: &Path) -> std::io::Result<Vec<fs::DirEntry>> {
    let mut entries = fs::read_dir(dir)?.collect::<Result<Vec<_>, _>>()?;
    entries.sort_by_key(fs::DirEntry::file_name);
    Ok(entries)
}

fn read_file(c: &mut Collector<'_>, full: &Path, path: String) {
    let mut file = match fs::File::open(full) {
        Ok(f) => f,
        Err(e) => return unreadable(c, path, &e),
    };
    let meta = match file.metadata() {
        Ok(m) => m,
        Err(e) => return unreadable(c, path, &e),
    };
    if let Err(e) = c.add(path.clone(), meta.len(), is_executable(&meta), &mut file) {
        unreadable(c, path, &e);
    }
}

fn unreadable(c: &mut Collector<'_>, path: String, err: &std::io::Error) {
    c.issue(ReadIssue::new(
        ReadIssueKind::Unreadable,
        Some(path),
        format!("could not be read: {err}"),
    ));
}

#[cfg(unix)]
fn is_executable(meta: &fs::Metadata) -> bool {
    use std::os::unix::fs::PermissionsExt;
    meta.permissions().mode() & 0o111 != 0
}

#[cfg(not(unix))]
fn is_executable(_meta: &fs::Metadata) -> bool {
    false
}
