//! From a server entry's command line to what it runs: an npm package, a
//! Python package, a container image, a local file or a remote URL.

use std::path::{Path, PathBuf};

use palisade_registry::{PackageSpec, VersionReq};

use crate::model::{Launch, ServerEntry};

/// What `entry` runs.
pub fn resolve(entry: &ServerEntry) -> Launch {
    if let Some(url) = &entry.url
        && entry.command.is_none()
    {
        return Launch::Remote { url: url.clone() };
    }
    let Some(command) = &entry.command else {
        return Launch::Unknown {
            command: String::new(),
        };
    };
    let mut words: Vec<&str> = Vec::with_capacity(entry.args.len() + 1);
    words.push(command.as_str());
    words.extend(entry.args.iter().map(String::as_str));
    resolve_words(&words, &entry.base_dir, entry.cwd.as_deref())
}

/// `C:\\bin\\npx.cmd` → `npx`.
fn program(word: &str) -> String {
    let base = word.rsplit(['/', '\\']).next().unwrap_or(word);
    let lower = base.to_ascii_lowercase();
    for ext in [".cmd", ".exe", ".bat", ".ps1"] {
        if let Some(s) = lower.strip_suffix(ext) {
            return s.to_owned();
        }
    }
    lower
}

fn resolve_words(words: &[&str], base_dir: &Path, cwd: Option<&str>) -> Launch {
    let Some((&first, rest)) = words.split_first() else {
        return Launch::Unknown {
            command: String::new(),
        };
    };
    let prog = program(first);
    match prog.as_str() {
        // `cmd /c npx ...` (Windows) and `env A=b npx ...`
        "cmd" => {
            let skip = rest
                .iter()
                .position(|w| !w.starts_with('/'))
                .unwrap_or(rest.len());
            resolve_words(&rest[skip..], base_dir, cwd)
        }
        "env" => {
            let skip = rest
                .iter()
                .position(|w| !w.contains('=') && !w.starts_with('-'))
                .unwrap_or(rest.len());
            resolve_words(&rest[skip..], base_dir, cwd)
        }
        "npx" | "bunx" | "pnpx" => npm_runner(&prog, rest, &["-p", "--package"]),
        "npm" if matches!(rest.first(), Some(&("exec" | "x"))) => {
            npm_runner("npm exec", &rest[1..], &["-p", "--package"])
        }
        "pnpm" if rest.first() == Some(&"dlx") => {
            npm_runner("pnpm dlx", &rest[1..], &["--package"])
        }
        "yarn" if rest.first() == Some(&"dlx") => {
            npm_runner("yarn dlx", &rest[1..], &["-p", "--package"])
        }
        "bun" if rest.first() == Some(&"x") => npm_runner("bun x", &rest[1..], &[]),
        "uvx" => python_runner("uvx", rest, &["--from"]),
        "uv" if rest.starts_with(&["tool", "run"]) => {
            python_runner("uv tool run", &rest[2..], &["--from"])
        }
        "pipx" if rest.first() == Some(&"run") => {
            python_runner("pipx run", &rest[1..], &["--spec"])
        }
        "docker" | "podman" if rest.first() == Some(&"run") => docker(&rest[1..]),
        "node" | "deno" | "bun" | "tsx" | "ts-node" => {
            script(&prog, rest, base_dir, cwd).unwrap_or_else(|| unknown(words))
        }
        p if p.starts_with("python") || p == "py" => {
            if let Some(i) = rest.iter().position(|w| *w == "-m")
                && let Some(module) = rest.get(i + 1)
            {
                return Launch::Python {
                    runner: format!("{prog} -m"),
                    name: (*module).to_owned(),
                    requested: None,
                    pinned: false,
                };
            }
            match script(&prog, rest, base_dir, cwd) {
                Some(Launch::Local { path, .. }) => Launch::Python {
                    runner: prog.clone(),
                    name: path.display().to_string(),
                    requested: None,
                    pinned: false,
                },
                _ => unknown(words),
            }
        }
        _ if looks_like_path(first) => Launch::Local {
            runner: "exec".to_owned(),
            path: absolute(first, base_dir, cwd),
        },
        _ => unknown(words),
    }
}

fn unknown(words: &[&str]) -> Launch {
    Launch::Unknown {
        command: words.first().copied().unwrap_or_default().to_owned(),
    }
}

fn looks_like_path(w: &str) -> bool {
    w.starts_with('/')
        || w.starts_with("./")
        || w.starts_with("../")
        || w.starts_with('~')
        || w.contains('\\')
        || (w.len() > 2 && w.as_bytes()[1] == b':')
}

fn absolute(word: &str, base_dir: &Path, cwd: Option<&str>) -> PathBuf {
    let p = Path::new(word);
    if p.is_absolute() {
        return p.to_path_buf();
    }
    match cwd {
        Some(c) if Path::new(c).is_absolute() => Path::new(c).join(p),
        Some(c) => base_dir.join(c).join(p),
        None => base_dir.join(p),
    }
}

/// Options of package runners that take a value.
const VALUE_OPTIONS: &[&str] = &[
    "--registry",
    "--cache",
    "--userconfig",
    "--node-options",
    "-c",
    "--call",
    "--shell",
    "--python",
    "--with",
    "--index",
    "--index-url",
    "--pip-args",
];

/// The first word that is not an option, and a `--package`-style value.
fn first_positional<'a>(
    words: &[&'a str],
    package_options: &[&str],
) -> (Option<&'a str>, Option<&'a str>) {
    let mut package = None;
    let mut i = 0;
    while i < words.len() {
        let w = words[i];
        if w == "--" {
            return (words.get(i + 1).copied(), package);
        }
        if let Some((opt, value)) = w.split_once('=')
            && package_options.contains(&opt)
        {
            package = Some(value);
            i += 1;
            continue;
        }
        if package_options.contains(&w) {
            package = words.get(i + 1).copied();
            i += 2;
            continue;
        }
        if VALUE_OPTIONS.contains(&w) {
            i += 2;
            continue;
        }
        if w.starts_with('-') {
            i += 1;
            continue;
        }
        return (Some(w), package);
    }
    (None, package)
}

fn npm_runner(runner: &str, rest: &[&str], package_options: &[&str]) -> Launch {
    let (positional, package) = first_positional(rest, package_options);
    let Some(spec_text) = package.or(positional) else {
        return Launch::Unknown {
            command: runner.to_owned(),
        };
    };
    match spec_text.parse::<PackageSpec>() {
        Ok(spec) => {
            let requested = match &spec.req {
                VersionReq::Latest => spec_text
                    .rfind('@')
                    .filter(|&at| at > 0)
                    .map(|_| "latest".to_owned()),
                _ => Some(spec_text[spec.name.len() + 1..].to_owned()),
            };
            Launch::Npm {
                runner: runner.to_owned(),
                pinned: matches!(spec.req, VersionReq::Exact(_)),
                name: spec.name,
                requested,
            }
        }
        Err(_) if looks_like_path(spec_text) || spec_text.starts_with("file:") => Launch::Local {
            runner: runner.to_owned(),
            path: PathBuf::from(spec_text.trim_start_matches("file:")),
        },
        Err(_) => Launch::Unknown {
            command: format!("{runner} {spec_text}"),
        },
    }
}

fn python_runner(runner: &str, rest: &[&str], package_options: &[&str]) -> Launch {
    let (positional, package) = first_positional(rest, package_options);
    let Some(spec) = package.or(positional) else {
        return Launch::Unknown {
            command: runner.to_owned(),
        };
    };
    // `name==1.2.3`, `name@1.2.3` (uvx), `name>=1`, `name[extra]==1`.
    let cut = spec
        .find(['=', '@', '<', '>', '~', '!'])
        .unwrap_or(spec.len());
    let name = spec[..cut]
        .split('[')
        .next()
        .unwrap_or(&spec[..cut])
        .to_owned();
    let version = spec[cut..].trim_start_matches(['=', '@']).to_owned();
    let pinned = (spec[cut..].starts_with("==") || spec[cut..].starts_with('@'))
        && !version.is_empty()
        && version != "latest"
        && version
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-');
    Launch::Python {
        runner: runner.to_owned(),
        name,
        requested: (!spec[cut..].is_empty()).then(|| spec[cut..].to_owned()),
        pinned,
    }
}

/// `docker run` options that take a value.
const DOCKER_VALUE_OPTIONS: &[&str] = &[
    "-e",
    "--env",
    "--env-file",
    "-v",
    "--volume",
    "--name",
    "-p",
    "--publish",
    "--network",
    "--net",
    "-w",
    "--workdir",
    "--entrypoint",
    "--mount",
    "-u",
    "--user",
    "--platform",
    "-l",
    "--label",
    "--add-host",
    "--cpus",
    "-m",
    "--memory",
    "--pull",
    "--restart",
    "--runtime",
    "--security-opt",
    "--cap-add",
    "--cap-drop",
    "--device",
    "-h",
    "--hostname",
    "--ipc",
    "--pid",
    "--tmpfs",
    "--log-driver",
    "--log-opt",
    "--dns",
    "--gpus",
    "--shm-size",
    "--ulimit",
    "--init-path",
];

fn docker(rest: &[&str]) -> Launch {
    let mut i = 0;
    while i < rest.len() {
        let w = rest[i];
        if DOCKER_VALUE_OPTIONS.contains(&w) {
            i += 2;
        } else if w.starts_with('-') {
            i += 1;
        } else {
            return Launch::Docker {
                image: w.to_owned(),
                pinned: w.contains("@sha256:"),
            };
        }
    }
    Launch::Unknown {
        command: "docker run".to_owned(),
    }
}

fn script(prog: &str, rest: &[&str], base_dir: &Path, cwd: Option<&str>) -> Option<Launch> {
    let skip_run = usize::from(matches!(rest.first(), Some(&"run")) && prog != "node");
    let mut i = skip_run;
    while i < rest.len() {
        let w = rest[i];
        if matches!(w, "-e" | "--eval" | "-p" | "--print" | "-c") {
            return None;
        }
        if matches!(w, "-r" | "--require" | "--import" | "--loader") {
            i += 2;
            continue;
        }
        if w.starts_with('-') {
            i += 1;
            continue;
        }
        return Some(Launch::Local {
            runner: prog.to_owned(),
            path: absolute(w, base_dir, cwd),
        });
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(line: &str) -> Launch {
        let words: Vec<&str> = line.split_whitespace().collect();
        resolve_words(&words, Path::new("/proj"), None)
    }

    fn npm(name: &str, requested: Option<&str>, pinned: bool, runner: &str) -> Launch {
        Launch::Npm {
            runner: runner.to_owned(),
            name: name.to_owned(),
            requested: requested.map(str::to_owned),
            pinned,
        }
    }

    #[test]
    fn npm_runners() {
        assert_eq!(
            r("npx -y postmark-mcp"),
            npm("postmark-mcp", None, false, "npx")
        );
        assert_eq!(
            r("npx --yes postmark-mcp@1.0.15"),
            npm("postmark-mcp", Some("1.0.15"), true, "npx")
        );
        assert_eq!(
            r("npx -y @modelcontextprotocol/server-filesystem /tmp"),
            npm(
                "@modelcontextprotocol/server-filesystem",
                None,
                false,
                "npx"
            )
        );
        assert_eq!(
            r("npx @playwright/mcp@latest"),
            npm("@playwright/mcp", Some("latest"), false, "npx")
        );
        assert_eq!(
            r("npx -y x-mcp@^1.2.0"),
            npm("x-mcp", Some("^1.2.0"), false, "npx")
        );
        assert_eq!(
            r("pnpm dlx x-mcp@2.0.0"),
            npm("x-mcp", Some("2.0.0"), true, "pnpm dlx")
        );
        assert_eq!(r("bunx x-mcp"), npm("x-mcp", None, false, "bunx"));
        assert_eq!(
            r("yarn dlx x-mcp@3.1.4"),
            npm("x-mcp", Some("3.1.4"), true, "yarn dlx")
        );
        assert_eq!(
            r("npm exec -- x-mcp"),
            npm("x-mcp", None, false, "npm exec")
        );
        assert_eq!(
            r("npx -p @scope/pkg@1.0.0 bin-name"),
            npm("@scope/pkg", Some("1.0.0"), true, "npx")
        );
        assert_eq!(
            r("C:\\nodejs\\npx.cmd -y x-mcp"),
            npm("x-mcp", None, false, "npx")
        );
        assert_eq!(r("cmd /c npx -y x-mcp"), npm("x-mcp", None, false, "npx"));
    }

    #[test]
    fn python_docker_local() {
        assert_eq!(
            r("uvx mcp-server-git"),
            Launch::Python {
                runner: "uvx".into(),
                name: "mcp-server-git".into(),
                requested: None,
                pinned: false
            }
        );
        assert_eq!(
            r("uvx mcp-server-fetch==2025.4.7"),
            Launch::Python {
                runner: "uvx".into(),
                name: "mcp-server-fetch".into(),
                requested: Some("==2025.4.7".into()),
                pinned: true
            }
        );
        assert_eq!(
            r("pipx run --spec mcp-x>=1 mcp-x"),
            Launch::Python {
                runner: "pipx run".into(),
                name: "mcp-x".into(),
                requested: Some(">=1".into()),
                pinned: false
            }
        );
        assert!(
            matches!(r("python3 -m mcp_server_time"), Launch::Python { ref name, .. } if name == "mcp_server_time")
        );
        assert_eq!(
            r(
                "docker run -i --rm -e GITHUB_PERSONAL_ACCESS_TOKEN ghcr.io/github/github-mcp-server"
            ),
            Launch::Docker {
                image: "ghcr.io/github/github-mcp-server".into(),
                pinned: false
            }
        );
        assert_eq!(
            r("node ./build/index.js --port 3"),
            Launch::Local {
                runner: "node".into(),
                path: PathBuf::from("/proj/./build/index.js")
            }
        );
        assert_eq!(
            r("/opt/mcp/server"),
            Launch::Local {
                runner: "exec".into(),
                path: PathBuf::from("/opt/mcp/server")
            }
        );
        assert!(matches!(r("my-mcp-binary --stdio"), Launch::Unknown { .. }));
        assert!(matches!(r("node -e 1"), Launch::Unknown { .. }));
    }
}
