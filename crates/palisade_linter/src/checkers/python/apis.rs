//! Which Python APIs are sources and sinks, by qualified name after alias
//! resolution (`from subprocess import run as r; r(...)` is
//! `subprocess.run`). An instance keeps its class's name:
//! `s = smtplib.SMTP(h); s.sendmail(...)` is `smtplib.SMTP.sendmail`.

/// HTTP clients, sockets and mail: a call that reaches the network.
pub(super) fn is_network(name: &str) -> bool {
    let (base, method) = name.rsplit_once('.').unwrap_or(("", name));
    let http_verb = matches!(
        method,
        "get" | "post" | "put" | "patch" | "delete" | "head" | "options" | "request" | "stream"
    );
    match base {
        "requests" | "httpx" | "requests.api" => http_verb,
        "requests.Session"
        | "requests.session"
        | "httpx.Client"
        | "httpx.AsyncClient"
        | "aiohttp.ClientSession"
        | "urllib3.PoolManager"
        | "urllib3" => http_verb || method == "urlopen",
        _ => matches!(
            name,
            "urllib.request.urlopen"
                | "urllib.request.urlretrieve"
                | "urllib.request.Request"
                | "urllib2.urlopen"
                | "urllib.urlopen"
                | "urllib.urlretrieve"
                | "http.client.HTTPConnection"
                | "http.client.HTTPSConnection"
                | "httplib.HTTPConnection"
                | "httplib.HTTPSConnection"
                | "http.client.HTTPConnection.request"
                | "http.client.HTTPSConnection.request"
                | "socket.create_connection"
                | "socket.socket.connect"
                | "socket.socket.connect_ex"
                | "socket.socket.sendto"
                | "socket.socket.send"
                | "socket.socket.sendall"
                | "smtplib.SMTP"
                | "smtplib.SMTP_SSL"
                | "smtplib.SMTP.sendmail"
                | "smtplib.SMTP_SSL.sendmail"
                | "smtplib.SMTP.send_message"
                | "smtplib.SMTP_SSL.send_message"
                | "ftplib.FTP"
                | "ftplib.FTP.storbinary"
                | "telnetlib.Telnet"
                | "websocket.create_connection"
                | "websockets.connect"
                | "pycurl.Curl"
                | "paramiko.SSHClient.connect"
                | "xmlrpc.client.ServerProxy"
                | "wget.download"
        ),
    }
}

/// DNS look-ups: a host name can carry data out (DNS tunnelling).
pub(super) fn is_dns(name: &str) -> bool {
    matches!(
        name,
        "socket.gethostbyname"
            | "socket.gethostbyname_ex"
            | "socket.getaddrinfo"
            | "dns.resolver.resolve"
            | "dns.resolver.query"
            | "dns.resolver.Resolver.resolve"
            | "dns.resolver.Resolver.query"
    )
}

/// Calls that start a process.
pub(super) fn is_process(name: &str) -> bool {
    matches!(
        name,
        "subprocess.run"
            | "subprocess.call"
            | "subprocess.check_call"
            | "subprocess.check_output"
            | "subprocess.Popen"
            | "subprocess.getoutput"
            | "subprocess.getstatusoutput"
            | "os.system"
            | "os.popen"
            | "os.popen2"
            | "os.popen3"
            | "os.startfile"
            | "os.posix_spawn"
            | "os.posix_spawnp"
            | "pty.spawn"
            | "commands.getoutput"
            | "asyncio.create_subprocess_shell"
            | "asyncio.create_subprocess_exec"
    ) || name.starts_with("os.exec")
        || name.starts_with("os.spawn")
}

/// Calls that run a string as Python code.
pub(super) fn eval_sink(name: &str) -> Option<&'static str> {
    Some(match name.strip_prefix("builtins.").unwrap_or(name) {
        "exec" => "exec",
        "eval" => "eval",
        "compile" => "compile",
        "execfile" => "execfile",
        "runpy.run_path" | "runpy.run_module" => "runpy",
        "code.InteractiveInterpreter.runsource" | "code.InteractiveConsole.push" => "code",
        "types.FunctionType" => "types.FunctionType",
        _ => return None,
    })
}

/// Decoders whose output, run as code, hides what the code does.
pub(super) fn decoder(name: &str) -> Option<&'static str> {
    Some(match name {
        "base64.b64decode"
        | "base64.b32decode"
        | "base64.b16decode"
        | "base64.b85decode"
        | "base64.a85decode"
        | "base64.urlsafe_b64decode"
        | "base64.decodebytes"
        | "base64.decodestring"
        | "binascii.a2b_base64" => "base64",
        "zlib.decompress" | "gzip.decompress" | "bz2.decompress" | "lzma.decompress" => "zlib",
        "marshal.loads" => "marshal",
        "pickle.loads" | "dill.loads" | "cloudpickle.loads" => "pickle",
        "bytes.fromhex" | "binascii.unhexlify" | "binascii.a2b_hex" | "bytearray.fromhex" => "hex",
        "codecs.decode" => "codecs",
        _ => return None,
    })
}

/// Calls that return host or user information.
pub(super) fn is_sysinfo(name: &str) -> bool {
    matches!(
        name,
        "socket.gethostname"
            | "socket.getfqdn"
            | "getpass.getuser"
            | "platform.node"
            | "platform.uname"
            | "platform.platform"
            | "os.getlogin"
            | "os.uname"
            | "pwd.getpwall"
            | "pwd.getpwuid"
            | "uuid.getnode"
            | "psutil.users"
            | "psutil.net_if_addrs"
            | "netifaces.interfaces"
    )
}

/// Calls whose first argument is a path that is read.
pub(super) fn is_read(name: &str) -> bool {
    matches!(
        name,
        "open"
            | "io.open"
            | "codecs.open"
            | "pathlib.Path"
            | "pathlib.PosixPath"
            | "os.listdir"
            | "os.scandir"
            | "os.walk"
            | "glob.glob"
            | "glob.iglob"
            | "shutil.copy"
            | "shutil.copy2"
            | "shutil.copyfile"
            | "shutil.copytree"
            | "shutil.make_archive"
            | "tarfile.open.add"
            | "zipfile.ZipFile.write"
            | "sqlite3.connect"
            | "os.path.expanduser"
    )
}

/// Calls that build an email message object (`msg['Bcc'] = ...` follows).
pub(super) fn is_email_message(name: &str) -> bool {
    matches!(
        name,
        "email.message.EmailMessage"
            | "email.message.Message"
            | "email.mime.text.MIMEText"
            | "email.mime.multipart.MIMEMultipart"
            | "email.mime.base.MIMEBase"
            | "email.MIMEText.MIMEText"
            | "email.MIMEMultipart.MIMEMultipart"
    )
}

/// The email service a module belongs to, for [`EmailRecipientFact::api`].
///
/// [`EmailRecipientFact::api`]: palisade_diagnostics::EmailRecipientFact
pub(super) fn email_api(module: &str) -> Option<&'static str> {
    let root = module.split('.').next().unwrap_or(module);
    Some(match root {
        "postmarker" | "postmark" => "postmark",
        "sendgrid" => "sendgrid",
        "resend" => "resend",
        "boto3" if module.contains("ses") => "ses",
        "smtplib" | "email" | "aiosmtplib" | "yagmail" => "smtp",
        "mailjet_rest" => "mailjet",
        "mailgun" => "mailgun",
        _ => return None,
    })
}

/// Python decorators that register an MCP tool handler.
pub(super) fn is_tool_decorator(name: &str) -> bool {
    let last = name.rsplit('.').next().unwrap_or(name);
    matches!(last, "tool" | "call_tool")
}

/// Modules of the standard library and common packages, to tell a module
/// alias from a local variable of the same shape.
pub(super) fn is_known_root(root: &str) -> bool {
    matches!(
        root,
        "os" | "sys"
            | "subprocess"
            | "socket"
            | "requests"
            | "httpx"
            | "urllib"
            | "urllib2"
            | "urllib3"
            | "http"
            | "httplib"
            | "aiohttp"
            | "smtplib"
            | "email"
            | "base64"
            | "zlib"
            | "gzip"
            | "bz2"
            | "lzma"
            | "marshal"
            | "pickle"
            | "codecs"
            | "binascii"
            | "platform"
            | "getpass"
            | "pwd"
            | "shutil"
            | "pathlib"
            | "glob"
            | "io"
            | "builtins"
            | "importlib"
            | "runpy"
            | "ftplib"
            | "telnetlib"
            | "pty"
            | "dns"
            | "uuid"
            | "psutil"
            | "ctypes"
            | "types"
            | "asyncio"
            | "websocket"
            | "websockets"
            | "paramiko"
            | "tarfile"
            | "zipfile"
            | "sqlite3"
            | "postmarker"
            | "sendgrid"
            | "resend"
            | "boto3"
            | "yaml"
            | "json"
            | "ssl"
            | "tempfile"
            | "threading"
            | "multiprocessing"
    )
}

/// Calls that hand text to a query or filter language: SQL drivers and
/// ORMs, LDAP searches. Returns the language.
pub(super) fn query_sink(name: &str) -> Option<&'static str> {
    let (base, method) = name.rsplit_once('.').unwrap_or(("", name));
    match method {
        "execute" | "executemany" | "executescript" | "exec_driver_sql" | "mogrify"
        | "read_sql" | "read_sql_query" => Some("SQL"),
        "text" if base.starts_with("sqlalchemy") => Some("SQL"),
        "search_s" | "search_st" | "search_ext" | "search_ext_s" => Some("LDAP"),
        "search" | "paged_search" if base.starts_with("ldap") => Some("LDAP"),
        _ => None,
    }
}
