use palisade_diagnostics::{Confidence, Finding, Severity};

use crate::context::ScanContext;
use crate::rule::{Rule, RuleMeta, declare_rule};

declare_rule! {
    /// ## What it does
    /// Finds code that decodes a string and runs it: `eval`, `Function`,
    /// `vm.runIn*Context` or string `setTimeout` over `atob`, base64 or hex
    /// `Buffer.from`, `String.fromCharCode`, `unescape`, zlib or a decipher,
    /// followed through variables. When the decoded text is known, palisade
    /// analyses it too and reports what it does at the same line.
    ///
    /// ## Why is this bad?
    /// Shipping code encoded and running it at load time hides it from
    /// reviewers, diff tools and scanners. Bundlers and minifiers do not do
    /// this; loaders and droppers do.
    ///
    /// ## Example
    /// ```js
    /// eval(Buffer.from('Y29uc29sZS5sb2coMSk=', 'base64').toString());
    /// ```
    ///
    /// ## References
    /// - MITRE ATT&CK T1027 (Obfuscated Files or Information), T1140.
    DecodeAndRun {
        id: "exec/decode-and-run",
        severity: Critical,
        status: Stable,
        summary: "Decoded data is executed as code",
    }
}

impl Rule for DecodeAndRun {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &ScanContext<'_>, out: &mut Vec<Finding>) {
        for d in &ctx.facts.decode_run {
            if matches!(d.decoder.as_str(), "remote" | "request-input") {
                continue;
            }
            let (severity, confidence) = if d.decoder == "unknown" {
                (Severity::High, Confidence::Medium)
            } else {
                (Severity::Critical, Confidence::High)
            };
            out.push(
                ctx.at(
                    Finding::new(
                        Self::META.id,
                        severity,
                        format!("`{}` runs {}-decoded data as code", d.sink, d.decoder),
                    )
                    .with_confidence(confidence),
                    &d.at.location,
                )
                .at_install_time(d.at.install_time)
                .with_capability("decode-and-run"),
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
        Tester::new(&DecodeAndRun::META).test(
            &[
                Case::Js("eval(Buffer.from('Y29uc29sZS5sb2coMSk=', 'base64').toString('utf8'));"),
                Case::Js("const p = atob(blob);\nconst f = new Function(p);\nf();"),
                Case::Js("const s = String.fromCharCode(99, 111, 110);\nrequire('vm').runInThisContext(s);"),
            ],
            &[
                Case::Js("const g = new Function('return this')();"),
                Case::Js("const img = Buffer.from(data, 'base64'); fs.writeFileSync('x.png', img);"),
                Case::Js("eval('1 + 1');"),
            ],
        );
    }
}
