//! Which files of a package are Python, and which of them run at install or
//! at interpreter start-up: `setup.py` of a source distribution, an in-tree
//! build backend (`backend-path`), the executable lines of `.pth` files and
//! `sitecustomize`/`usercustomize` modules.

use palisade_diagnostics::{Fact, FactKind, Facts, Location, ScriptFact};
use palisade_package::{Package, PackageFile, PythonLayout};

use super::{PyRole, analyse};
use crate::checkers::text::{self, Obfuscation};
use crate::lines::LineIndex;

/// Largest Python file parsed; larger ones get the text checks.
const MAX_PARSE_BYTES: usize = 16 * 1024 * 1024;
/// How deep decoded payloads (`exec(b64decode(...))` inside decoded code)
/// are followed.
const MAX_DECODE_DEPTH: u32 = 3;

/// One analysed Python file (or `.pth` file).
pub(crate) struct PyAnalysed {
    pub path: String,
    pub facts: Facts,
    pub parse_error: Option<String>,
    pub install_time: bool,
    pub obfuscation: Obfuscation,
    pub bytes: usize,
}

/// Whether a path is Python source palisade analyses.
pub(crate) fn is_python_source(path: &str) -> bool {
    let lower = path.to_ascii_lowercase();
    lower.ends_with(".py") || lower.ends_with(".pyw")
}

/// A `.pth` file that `site` processes: at the top of a wheel or of a
/// folder (site-packages is flat).
fn is_pth(path: &str) -> bool {
    path.to_ascii_lowercase().ends_with(".pth") && !path.contains('/')
}

fn is_startup_module(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    matches!(name, "sitecustomize.py" | "usercustomize.py") && path.matches('/').count() <= 1
}

/// The install-time role of a file in a Python package: `Some(event)` when
/// it runs at install or start-up.
fn install_event(package: &Package, path: &str) -> Option<&'static str> {
    let meta = package.python.as_ref()?;
    if package.manifest.is_some() {
        return None;
    }
    let source = meta.layout == Some(PythonLayout::Source);
    if source && path == "setup.py" {
        return Some("setup.py");
    }
    if source
        && let Some(backend) = &meta.build_backend
        && in_tree_backend(&meta.backend_path, backend, path)
    {
        return Some("build-backend");
    }
    if is_startup_module(path) {
        return Some("sitecustomize");
    }
    None
}

/// Whether `path` is part of an in-tree build backend: under a
/// `backend-path` folder, or the backend module itself when the folder is
/// the root.
fn in_tree_backend(backend_path: &[String], backend: &str, path: &str) -> bool {
    let module = backend
        .split(':')
        .next()
        .unwrap_or(backend)
        .replace('.', "/");
    backend_path.iter().any(|dir| {
        let dir = dir.trim_start_matches("./").trim_end_matches('/');
        if dir.is_empty() || dir == "." {
            path == format!("{module}.py") || path.starts_with(&format!("{module}/"))
        } else {
            path.starts_with(&format!("{dir}/"))
        }
    })
}

/// Analyses every Python file of a package; returns the files and the
/// install-time entry points as script facts.
pub(crate) fn analyse_package(package: &Package) -> (Vec<PyAnalysed>, Vec<ScriptFact>) {
    use rayon::prelude::*;
    let python_package = package.python.is_some() && package.manifest.is_none();
    let files: Vec<&PackageFile> = package
        .files
        .iter()
        .filter(|f| is_python_source(&f.path) || (python_package && is_pth(&f.path)))
        .collect();
    let mut scripts = Vec::new();
    for f in &files {
        if let Some(event) = install_event(package, &f.path) {
            scripts.push(ScriptFact {
                event: event.to_owned(),
                command: format!("python {}", f.path),
                runs_files: vec![f.path.clone()],
                at: Fact {
                    location: Location::file(f.path.clone()),
                    install_time: true,
                },
            });
        }
    }
    let analysed = files
        .par_iter()
        .filter_map(|f| {
            let text = String::from_utf8_lossy(&f.data);
            if is_pth(&f.path) {
                return analyse_pth(&f.path, &text);
            }
            let role = if f.path.rsplit('/').next() == Some("__init__.py") {
                PyRole::Init
            } else {
                PyRole::Module
            };
            let mut a = analyse_source(&f.path, &text, role, 0);
            a.install_time = install_event(package, &f.path).is_some();
            Some(a)
        })
        .collect();
    (analysed, scripts)
}

/// The text with the `\x` escapes of bytes literals (`b"\xef\xbb"`)
/// blanked: bytes are binary data (generated protobuf descriptors, test
/// vectors), not hidden text. Borrowed unchanged when there are none.
fn without_bytes_escapes(text: &str) -> std::borrow::Cow<'_, str> {
    let b = text.as_bytes();
    if memchr::memmem::find(b, b"\\x").is_none() {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = b.to_vec();
    let mut i = 0;
    while i + 1 < b.len() {
        let prefixed = matches!(b[i], b'b' | b'B')
            && (i == 0 || !(b[i - 1].is_ascii_alphanumeric() || b[i - 1] == b'_'))
            || matches!(b[i], b'r' | b'R')
                && matches!(b[i + 1], b'b' | b'B')
                && (i == 0 || !(b[i - 1].is_ascii_alphanumeric() || b[i - 1] == b'_'));
        if !prefixed {
            i += 1;
            continue;
        }
        let mut q = i + 1;
        while q < b.len() && matches!(b[q], b'r' | b'R' | b'b' | b'B') && q < i + 2 {
            q += 1;
        }
        let Some(&quote) = b.get(q).filter(|c| matches!(**c, b'"' | b'\'')) else {
            i += 1;
            continue;
        };
        let triple = b
            .get(q..q + 3)
            .is_some_and(|t| t.iter().all(|c| *c == quote));
        let mut j = q + if triple { 3 } else { 1 };
        while j < b.len() {
            if b[j] == b'\\' {
                if b.get(j + 1) == Some(&b'x') {
                    out[j] = b'_';
                }
                j += 2;
                continue;
            }
            if b[j] == quote
                && (!triple
                    || b.get(j..j + 3)
                        .is_some_and(|t| t.iter().all(|c| *c == quote)))
            {
                j += if triple { 3 } else { 1 };
                break;
            }
            if b[j] == b'\n' && !triple {
                break;
            }
            j += 1;
        }
        i = j.max(i + 1);
    }
    // Only ASCII backslashes were replaced.
    std::borrow::Cow::Owned(
        String::from_utf8(out)
            .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned()),
    )
}

fn analyse_source(path: &str, text: &str, role: PyRole, depth: u32) -> PyAnalysed {
    let obfuscation = text::obfuscation(&without_bytes_escapes(text));
    if text.len() > MAX_PARSE_BYTES {
        return PyAnalysed {
            path: path.to_owned(),
            facts: text::fallback_facts(path, text),
            parse_error: Some(format!(
                "file is over {MAX_PARSE_BYTES} bytes; analysed as text"
            )),
            install_time: false,
            obfuscation,
            bytes: text.len(),
        };
    }
    let r = analyse(path, text, role);
    let mut facts = r.facts;
    if r.error_nodes > 0 && depth == 0 {
        facts.other.push(FactKind {
            kind: "syntax-error".to_owned(),
            detail: format!("{} syntax errors recovered from", r.error_nodes),
            at: Fact {
                location: Location::file(path.to_owned()),
                install_time: false,
            },
        });
    }
    if depth < MAX_DECODE_DEPTH {
        let idx = LineIndex::new(text);
        for (code, offset) in r.decoded_payloads {
            let mut inner = analyse_source(path, &code, PyRole::Module, depth + 1).facts;
            let loc = idx.location(path, text, offset);
            crate::engine::for_each_fact(&mut inner, |at| at.location = loc.clone());
            facts.extend(inner);
        }
    }
    PyAnalysed {
        path: path.to_owned(),
        facts,
        parse_error: r.parse_error,
        install_time: false,
        obfuscation,
        bytes: text.len(),
    }
}

/// A `.pth` file: `site` runs every line that starts with `import` at each
/// interpreter start. Those lines are analysed as Python, in place (other
/// lines blanked so locations hold), and each is a `pth-exec` fact.
fn analyse_pth(path: &str, text: &str) -> Option<PyAnalysed> {
    let mut code = String::with_capacity(text.len());
    let mut lines = Vec::new();
    let mut offset = 0usize;
    for line in text.split_inclusive('\n') {
        let body = line.trim_end_matches(['\n', '\r']);
        if body.starts_with("import ") || body.starts_with("import\t") {
            code.push_str(line);
            lines.push((offset, body.to_owned()));
        } else {
            code.push_str(&" ".repeat(body.len()));
            code.push_str(&line[body.len()..]);
        }
        offset += line.len();
    }
    if lines.is_empty() {
        return None;
    }
    let mut a = analyse_source(path, &code, PyRole::Module, 0);
    let idx = LineIndex::new(text);
    for (offset, body) in lines.into_iter().take(50) {
        a.facts.other.push(FactKind {
            kind: "pth-exec".to_owned(),
            detail: body.chars().take(300).collect(),
            at: Fact {
                location: idx.location(path, text, u32::try_from(offset).unwrap_or(u32::MAX)),
                install_time: true,
            },
        });
    }
    a.install_time = true;
    Some(a)
}

#[cfg(test)]
mod tests {
    use super::without_bytes_escapes;

    #[test]
    fn bytes_escapes_are_blanked_and_text_escapes_kept() {
        let src = "data = b'\\xef\\xbb'\nraw = rb\"\\x00\"\ntext = '\\x41'\nbx = 1\n";
        let out = without_bytes_escapes(src);
        assert_eq!(out.matches("\\x").count(), 1, "{out}");
        assert!(out.contains("text = '\\x41'"));
        assert_eq!(out.len(), src.len());
    }
}
