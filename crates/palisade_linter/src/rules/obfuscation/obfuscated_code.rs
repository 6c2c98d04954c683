use palisade_diagnostics::{Finding, Location, Severity};

use crate::context::ScanContext;
use crate::rule::{Rule, RuleMeta, declare_rule};

declare_rule! {
    /// ## What it does
    /// Finds files with the shapes of an obfuscator rather than a minifier:
    /// javascript-obfuscator's `_0x…` identifiers and rotated string array,
    /// dense `\x` escapes, JSFuck fragments, anti-debugging traps.
    /// Critical when the obfuscated code runs at install or its strings name
    /// what it reaches for (`child_process`, `webhook`, `hostname`, ...), or
    /// the same file uses the network, processes or dynamic code; high with
    /// a rotated string array or anti-debugging; medium otherwise. A file
    /// that is not obfuscator output but loads two or more modules by names
    /// it decodes at run time (`require(d("BgUKUQ"))`) is high, critical
    /// when it also uses the network, processes or dynamic code.
    ///
    /// ## Why is this bad?
    /// Minifiers shorten code; obfuscators hide what it does. Open-source
    /// packages rarely need to hide anything from their users; the chalk/debug
    /// takeover shipped its crypto drainer this way.
    ///
    /// ## Example
    /// ```js
    /// var _0x1a2b=['push','shift'];(function(_0x3c4d,_0x5e6f){...})(_0x1a2b,0x1f4);
    /// ```
    ///
    /// ## References
    /// - chalk/debug compromise (September 2025).
    ObfuscatedCode {
        id: "obfuscation/obfuscated-code",
        severity: Medium,
        status: Stable,
        summary: "A file is obfuscated (obfuscator output, not minification)",
    }
}

impl Rule for ObfuscatedCode {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &ScanContext<'_>, out: &mut Vec<Finding>) {
        let decoded = ctx.file_facts("decoded-require");
        for file in ctx.code_files {
            if !file.obfuscation.is_obfuscated(file.bytes) {
                if let Some(loads) = decoded.get(file.path.as_str()) {
                    decoded_requires(ctx, file, loads, out);
                }
                continue;
            }
            let capable = capable(ctx, &file.path);
            let words = &file.obfuscation.capability_words;
            let severity = if file.install_time
                || capable
                || !words.is_empty()
                || file.obfuscation.encoded_strings
            {
                Severity::Critical
            } else if file.obfuscation.string_array_rotation || file.obfuscation.anti_analysis {
                Severity::High
            } else {
                Severity::Medium
            };
            let location = match file.obfuscation.first_offset {
                Some(offset) => {
                    let text = ctx
                        .package
                        .file(&file.path)
                        .map(|f| String::from_utf8_lossy(&f.data).into_owned())
                        .unwrap_or_default();
                    crate::lines::LineIndex::new(&text).location(&file.path, &text, offset)
                }
                None => Location::file(file.path.clone()),
            };
            let also = if capable {
                " and uses the network, processes or dynamic code".to_owned()
            } else if !words.is_empty() {
                format!(
                    " and its strings name {}",
                    words
                        .iter()
                        .take(6)
                        .map(|w| format!("`{w}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            } else if file.install_time {
                " and runs at install".to_owned()
            } else if file.obfuscation.encoded_strings {
                " and its string table is encoded too".to_owned()
            } else {
                String::new()
            };
            out.push(
                ctx.at(
                    Finding::new(
                        Self::META.id,
                        severity,
                        format!(
                            "`{}` is obfuscated ({}){also}",
                            file.path,
                            file.obfuscation.describe()
                        ),
                    ),
                    &location,
                )
                .at_install_time(file.install_time)
                .with_capability("obfuscation"),
            );
        }
    }
}

/// Whether a file uses the network, processes or dynamic code.
fn capable(ctx: &ScanContext<'_>, path: &str) -> bool {
    ctx.facts
        .network
        .iter()
        .any(|n| n.api.is_some() && n.at.location.path == path)
        || ctx
            .facts
            .processes
            .iter()
            .any(|p| p.at.location.path == path)
        || ctx
            .facts
            .decode_run
            .iter()
            .any(|d| d.at.location.path == path)
}

/// A file that is not obfuscator output but loads modules whose names only
/// a local decoder knows (`require(d("BgUKUQ"))`): it hides what it loads,
/// which no honest module needs to. Two such loads at least; critical when
/// the file also uses the network, processes or dynamic code, or runs at
/// install.
fn decoded_requires(
    ctx: &ScanContext<'_>,
    file: &crate::context::CodeFile,
    loads: &[&palisade_diagnostics::FactKind],
    out: &mut Vec<Finding>,
) {
    if loads.len() < 2 {
        return;
    }
    let capable = capable(ctx, &file.path);
    let severity = if capable || file.install_time {
        Severity::Critical
    } else {
        Severity::High
    };
    let also = if capable {
        " and uses the network, processes or dynamic code"
    } else {
        ""
    };
    out.push(
        ctx.at(
            Finding::new(
                ObfuscatedCode::META.id,
                severity,
                format!(
                    "`{}` loads {} modules by names it decodes at run time{also}",
                    file.path,
                    loads.len()
                ),
            ),
            &loads[0].at.location,
        )
        .at_install_time(file.install_time)
        .with_capability("obfuscation"),
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tester::{Case, Tester};

    #[test]
    fn rule() {
        Tester::new(&ObfuscatedCode::META).test(
            &[Case::Js(
                "var _0x1a2b=['push','shift','log'];(function(_0x3c4d,_0x5e6f){var _0x7a8b=function(_0x9c0d){while(--_0x9c0d){_0x3c4d['push'](_0x3c4d['shift']());}};_0x7a8b(++_0x5e6f);}(_0x1a2b,0x1f4));var _0x2b3c=function(_0x4d5e,_0x6f7a){_0x4d5e=_0x4d5e-0x0;var _0x8b9c=_0x1a2b[_0x4d5e];return _0x8b9c;};console[_0x2b3c('0x0')]('hi');var _0xaaaa=1,_0xbbbb=2,_0xcccc=3,_0xdddd=4,_0xeeee=5,_0xffff=6;",
            ),
            // Module names behind a base64-and-XOR decoder and its wrapper.
            Case::Js(
                "const dec = (r, k) => { const b = Buffer.from(r, 'base64'); return b.map((x, i) => x ^ k.charCodeAt(i & 3)).toString(); };\nconst d = (t) => dec(t, 'utf8');\nconst a = require(d('BgUKUQERVQ')), b = require(d('FgYfSAEb'));\nrequire('child_process').exec('id');\n",
            )],
            &[
                Case::Js("function a(b,c){return b+c}module.exports=a;var d=function(e){return e*2};"),
                // Computed paths and a lazy loader are not decoded names.
                Case::Js("const path = require('path');\nconst load = (n) => require(path.join(__dirname, 'plugins', n));\nconst x = require(process.env.PLUGIN || './default');\nmodule.exports = { load, x };\n"),
                Case::Js("const s = '\\x41\\x42'; // two escapes are not obfuscation"),
            ],
        );
    }
}
