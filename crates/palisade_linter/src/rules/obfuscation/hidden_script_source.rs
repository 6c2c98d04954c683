use palisade_diagnostics::{Finding, Severity};

use crate::context::ScanContext;
use crate::rule::{Rule, RuleMeta, declare_rule};

declare_rule! {
    /// ## What it does
    /// Finds a `<script src>` tag, meant for a web page, whose external
    /// address is hidden: the whole string spelled in `\x`/`\u` escapes, or
    /// the address written as HTML character references (`&#x68;&#x74;…`).
    /// The decoded address is shown. Relative and loopback addresses are
    /// ignored.
    ///
    /// ## Why is this bad?
    /// A library that adds a script to a page names it plainly. Escaping
    /// the tag and entity-encoding its address only serves to keep the
    /// loaded script (a card skimmer, a drainer, an ad injector) away from
    /// readers and string searches; the script it loads can change at any
    /// time without a new version.
    ///
    /// ## Example
    /// ```js
    /// document["\x77\x72\x69\x74\x65"]("\x3C\x73\x63\x72\x69\x70\x74\x20\x73\x72\x63\x3D\x22&#x68;&#x74;&#x74;&#x70;…\x22\x3E\x3C\x2F\x73\x63\x72\x69\x70\x74\x3E");
    /// ```
    ///
    /// ## References
    /// - Magecart-style loaders in npm packages posing as UI libraries.
    HiddenScriptSource {
        id: "obfuscation/hidden-script-source",
        severity: Critical,
        status: Stable,
        summary: "A page script's address is hidden behind escapes or HTML entities",
    }
}

impl Rule for HiddenScriptSource {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &ScanContext<'_>, out: &mut Vec<Finding>) {
        let mut seen = std::collections::HashSet::new();
        for o in ctx
            .facts
            .other
            .iter()
            .filter(|o| o.kind == "hidden-script-tag")
        {
            if !seen.insert(o.detail.clone()) {
                continue;
            }
            out.push(
                ctx.at(
                    Finding::new(
                        Self::META.id,
                        Severity::Critical,
                        format!(
                            "a `<script src>` tag loads `{}`, an address written to be unreadable",
                            o.detail
                        ),
                    ),
                    &o.at.location,
                )
                .at_install_time(o.at.install_time)
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
        Tester::new(&HiddenScriptSource::META).test(
            &[
                // The tag in escapes, the address in character references.
                Case::Js(
                    "document['write']('\\x3C\\x73\\x63\\x72\\x69\\x70\\x74\\x20\\x73\\x72\\x63\\x3D\\x22&#x68;&#x74;&#x74;&#x70;&#x3a;&#x2f;&#x2f;&#x63;&#x64;&#x6e;&#x2e;&#x69;&#x6e;&#x76;&#x61;&#x6c;&#x69;&#x64;&#x2f;&#x61;&#x2e;&#x6a;&#x73;\\x22\\x3E\\x3C\\x2F\\x73\\x63\\x72\\x69\\x70\\x74\\x3E');",
                ),
                // A plain literal with a decimal-entity address.
                Case::Js(
                    "el.innerHTML = '<script src=\"&#104;&#116;&#116;&#112;&#115;://cdn.example.invalid/x.js\"></script>';",
                ),
                // Every character escaped.
                Case::Js(
                    "document.write('\\x3c\\x73\\x63\\x72\\x69\\x70\\x74\\x20\\x73\\x72\\x63\\x3d\\x27\\x2f\\x2f\\x73\\x74\\x61\\x74\\x73\\x2e\\x69\\x6e\\x76\\x61\\x6c\\x69\\x64\\x2f\\x74\\x2e\\x6a\\x73\\x27\\x3e\\x3c\\x2f\\x73\\x63\\x72\\x69\\x70\\x74\\x3e');",
                ),
            ],
            &[
                // Loaders that name their script plainly.
                Case::Js(
                    "document.write('<script src=\"https://cdn.example.invalid/polyfill.js\"></script>');",
                ),
                // A closing tag escaped the usual way inside inline HTML.
                Case::Js("document.write('<script src=\"https://cdn.example.invalid/a.js\"><\\/script>');"),
                // Relative and loopback addresses behind entities.
                Case::Js("x.innerHTML = '<script src=\"&#x2f;static/app.js\"></script>';"),
                Case::Js(
                    "x.innerHTML = '<script src=\"http://127.0.0.1:8080/&#x61;.js\"></script>';",
                ),
                // Escaped text that is no script tag.
                Case::Js("const s = '\\x3cb\\x3ebold\\x3c/b\\x3e';"),
            ],
        );
    }
}
