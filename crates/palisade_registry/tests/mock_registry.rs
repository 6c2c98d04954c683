//! The client against the in-process mock registry on 127.0.0.1.

#![expect(clippy::unwrap_used, reason = "tests")]

use palisade_registry::{Client, ClientOptions, Credentials, Error, NpmConfig, PackageSpec};
use palisade_test::{MockRegistry, tarball};

fn client(registry: &MockRegistry) -> Client {
    Client::new(NpmConfig::new(&registry.url()).unwrap()).unwrap()
}

fn spec(text: &str) -> PackageSpec {
    text.parse().unwrap()
}

fn publish_versions(registry: &MockRegistry, name: &str, versions: &[&str]) {
    for version in versions {
        let source = format!("module.exports = '{version}';");
        registry.publish(name, version, &[("index.js", source.as_bytes())]);
    }
}

#[test]
fn resolves_exact_range_tag_and_latest() {
    let registry = MockRegistry::start();
    publish_versions(&registry, "demo", &["1.0.0", "1.4.2", "2.0.0", "2.3.1"]);
    registry
        .package("demo", "3.0.0-beta.1")
        .tag("beta")
        .file("index.js", b"module.exports = 'beta';")
        .publish();
    registry.set_dist_tag("demo", "latest", "2.0.0");
    let client = client(&registry);

    let version = |text: &str| client.resolve(&spec(text)).unwrap().version;
    assert_eq!(version("demo@1.4.2"), "1.4.2");
    assert_eq!(version("demo@^1.0.0"), "1.4.2");
    assert_eq!(version("demo@>=2.1"), "2.3.1");
    assert_eq!(
        version("demo@^2"),
        "2.0.0",
        "latest wins when it satisfies the range"
    );
    assert_eq!(version("demo@beta"), "3.0.0-beta.1");
    assert_eq!(version("demo"), "2.0.0");

    let error = client.resolve(&spec("demo@^4")).unwrap_err();
    assert_eq!(
        error.to_string(),
        "no version of `demo` matches `>=4.0.0 <5.0.0-0`"
    );
    let error = client.resolve(&spec("demo@canary")).unwrap_err();
    assert_eq!(error.to_string(), "package `demo` has no dist-tag `canary`");

    let accept = registry.requests()[0].accept.clone().unwrap();
    assert_eq!(
        accept,
        "application/vnd.npm.install-v1+json; q=1.0, application/json; q=0.8"
    );
}

#[test]
fn fetches_verified_tarball_bytes() {
    let registry = MockRegistry::start();
    let published = registry.publish("demo", "1.0.0", &[("index.js", b"1")]);
    let client = client(&registry);
    let resolved = client.resolve(&spec("demo@1.0.0")).unwrap();
    assert_eq!(resolved.tarball.as_str(), published.tarball_url);
    assert_eq!(
        resolved.integrity.as_deref(),
        Some(published.integrity.as_str())
    );
    let bytes = client.fetch_tarball(&resolved).unwrap();
    assert_eq!(palisade_test::sri_sha512(&bytes), published.integrity);
}

#[test]
fn falls_back_to_shasum_without_integrity() {
    let registry = MockRegistry::start();
    registry.publish("demo", "1.0.0", &[("index.js", b"1")]);
    let client = client(&registry);
    let mut resolved = client.resolve(&spec("demo@1.0.0")).unwrap();
    resolved.integrity = None;
    assert!(client.fetch_tarball(&resolved).is_ok());
    resolved.shasum = Some("0".repeat(40));
    let error = client.fetch_tarball(&resolved).unwrap_err();
    assert!(matches!(error, Error::IntegrityMismatch { .. }), "{error}");
    resolved.shasum = None;
    let error = client.fetch_tarball(&resolved).unwrap_err();
    assert_eq!(
        error.to_string(),
        "`demo@1.0.0` has no usable `dist.integrity` or `dist.shasum` to verify its tarball"
    );
}

#[test]
fn scoped_packages_via_both_url_forms() {
    let registry = MockRegistry::start();
    registry.publish("@scope/pkg", "1.0.0", &[("index.js", b"1")]);
    let client = client(&registry);
    let resolved = client.resolve(&spec("@scope/pkg@^1")).unwrap();
    assert_eq!(resolved.version, "1.0.0");
    assert!(client.fetch_tarball(&resolved).is_ok());
    // The client asks for `@scope%2fpkg`.
    let paths: Vec<String> = registry.requests().into_iter().map(|r| r.path).collect();
    assert_eq!(paths, ["/@scope%2fpkg", "/@scope/pkg/-/pkg-1.0.0.tgz"]);

    // A registry URL ending in `@scope/` makes the client ask for `/@scope/pkg`.
    let config = NpmConfig::new(&format!("{}@scope/", registry.url())).unwrap();
    let packument = Client::new(config).unwrap().full_packument("pkg").unwrap();
    assert_eq!(packument.name, "@scope/pkg");
    assert_eq!(registry.requests().last().unwrap().path, "/@scope/pkg");

    // Upper-case `%2F` too, and unknown paths get npm's 404 body.
    let (status, body) = raw_get(&registry, "/@scope%2Fpkg");
    assert_eq!(status, 200);
    assert!(body.contains("\"name\":\"@scope/pkg\""), "{body}");
    assert_eq!(
        raw_get(&registry, "/@scope/nope"),
        (404, r#"{"error":"Not found"}"#.to_owned())
    );
    assert_eq!(raw_get(&registry, "/@scope/pkg/-/pkg-9.tgz").0, 404);
}

/// A bare HTTP/1.1 GET, to send paths the client never sends.
fn raw_get(registry: &MockRegistry, path: &str) -> (u16, String) {
    use std::io::{Read as _, Write as _};
    let mut stream = std::net::TcpStream::connect(registry.addr()).unwrap();
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    let status = response[9..12].parse().unwrap();
    let body = response.split_once("\r\n\r\n").unwrap().1.to_owned();
    (status, body)
}

#[test]
fn scoped_registry_is_used_for_its_scope() {
    let public = MockRegistry::start();
    let private = MockRegistry::start();
    public.publish("@corp/lib", "1.0.0", &[("index.js", b"public")]);
    private.publish("@corp/lib", "9.0.0", &[("index.js", b"private")]);
    public.publish("plain", "1.0.0", &[("index.js", b"1")]);
    let mut config = NpmConfig::new(&public.url()).unwrap();
    config.set_scope_registry("@corp", &private.url()).unwrap();
    let client = Client::new(config).unwrap();
    assert_eq!(client.resolve(&spec("@corp/lib")).unwrap().version, "9.0.0");
    assert_eq!(client.resolve(&spec("plain")).unwrap().version, "1.0.0");
}

#[test]
fn auth_header_sent_only_where_configured() {
    let registry = MockRegistry::start();
    let other = MockRegistry::start();
    registry.publish("secret", "1.0.0", &[("index.js", b"1")]);
    other.publish("open", "1.0.0", &[("index.js", b"1")]);

    let home = tempfile::tempdir().unwrap();
    let port = registry.addr().port();
    std::fs::write(
        home.path().join(".npmrc"),
        format!(
            "registry={}\n//127.0.0.1:{port}/:_authToken=${{TEST_TOKEN}}\n",
            registry.url()
        ),
    )
    .unwrap();
    let env = palisade_registry::ConfigEnv {
        vars: [("TEST_TOKEN".to_owned(), "fake-token-1".to_owned())].into(),
        home: Some(home.path().to_owned()),
        npm_program: None,
        npm_timeout: std::time::Duration::from_secs(1),
    };
    let mut config = NpmConfig::load_with(None, home.path(), &env).unwrap();
    config.set_scope_registry("@x", &other.url()).unwrap();
    assert!(!format!("{config:?}").contains("fake-token-1"));
    let client = Client::new(config).unwrap();
    let resolved = client.resolve(&spec("secret")).unwrap();
    client.fetch_tarball(&resolved).unwrap();
    let requests = registry.requests();
    assert_eq!(requests.len(), 2);
    for request in &requests {
        assert_eq!(
            request.authorization.as_deref(),
            Some("Bearer fake-token-1"),
            "{}",
            request.path
        );
    }

    // Another host gets no credentials.
    other.publish("@x/open", "1.0.0", &[("index.js", b"1")]);
    client.resolve(&spec("@x/open")).unwrap();
    assert!(other.requests().iter().all(|r| r.authorization.is_none()));
}

#[test]
fn basic_auth_from_config() {
    let registry = MockRegistry::start();
    registry.publish("demo", "1.0.0", &[("index.js", b"1")]);
    let mut config = NpmConfig::new(&registry.url()).unwrap();
    config
        .set_credentials(
            &registry.url(),
            Credentials::Basic {
                username: "user".into(),
                password: "pass".into(),
            },
        )
        .unwrap();
    Client::new(config).unwrap().resolve(&spec("demo")).unwrap();
    assert_eq!(
        registry.requests()[0].authorization.as_deref(),
        Some("Basic dXNlcjpwYXNz")
    );
}

#[test]
fn integrity_mismatch_returns_no_bytes() {
    let registry = MockRegistry::start();
    let published = registry.publish("victim", "1.0.1", &[("index.js", b"1")]);
    registry.corrupt_tarball("victim", "1.0.1");
    let client = client(&registry);
    let resolved = client.resolve(&spec("victim@1.0.1")).unwrap();
    let error = client.fetch_tarball(&resolved).unwrap_err();
    let Error::IntegrityMismatch {
        package,
        version,
        expected,
        actual,
        ..
    } = &error
    else {
        panic!("expected a mismatch, got {error}");
    };
    assert_eq!((package.as_str(), version.as_str()), ("victim", "1.0.1"));
    assert_eq!(expected, &published.integrity);
    assert!(actual.starts_with("sha512-") && actual != expected);
    let message = error.to_string();
    assert!(
        message.starts_with("integrity check failed for `victim@1.0.1`: expected `sha512-"),
        "{message}"
    );
}

#[test]
fn not_found_is_a_clear_error() {
    let registry = MockRegistry::start();
    let client = client(&registry);
    let error = client.resolve(&spec("@nobody/missing")).unwrap_err();
    assert_eq!(
        error.to_string(),
        format!(
            "package `@nobody/missing` was not found at `{}@nobody%2fmissing` (HTTP 404)",
            registry.url()
        )
    );
}

#[test]
fn oversize_tarball_is_refused() {
    let registry = MockRegistry::start();
    // Incompressible content, so the gzip tarball stays large.
    let mut state = 0x2545_f491_u32;
    let big: Vec<u8> = (0..64 * 1024)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            state.to_le_bytes()[0]
        })
        .collect();
    let bytes = tarball(&[("package.json", b"{}"), ("big.txt", &big)]);
    registry.publish_tarball("big", "1.0.0", &bytes);
    let options = ClientOptions::default().max_tarball_bytes(1024);
    let client = Client::with_options(NpmConfig::new(&registry.url()).unwrap(), options).unwrap();
    let resolved = client.resolve(&spec("big")).unwrap();
    let error = client.fetch_tarball(&resolved).unwrap_err();
    assert!(
        matches!(error, Error::TooLarge { limit: 1024, .. }),
        "{error}"
    );
    assert!(
        error
            .to_string()
            .contains("exceeds the limit of 1024 bytes")
    );
}

#[test]
fn oversize_packument_is_refused() {
    let registry = MockRegistry::start();
    publish_versions(&registry, "many", &["1.0.0", "1.0.1", "1.0.2"]);
    let options = ClientOptions::default().max_packument_bytes(100);
    let client = Client::with_options(NpmConfig::new(&registry.url()).unwrap(), options).unwrap();
    let error = client.packument("many").unwrap_err();
    assert!(matches!(error, Error::TooLarge { .. }), "{error}");
}

#[test]
fn unreachable_registry_names_the_url() {
    // Bind and drop to get a port nothing listens on.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let config = NpmConfig::new(&format!("http://user:pw@127.0.0.1:{port}/")).unwrap();
    let error = Client::new(config).unwrap().packument("demo").unwrap_err();
    let message = error.to_string();
    assert_eq!(
        message,
        format!("request for `demo` to `http://127.0.0.1:{port}/demo` failed")
    );
}

#[test]
fn full_packument_exposes_metadata() {
    let registry = MockRegistry::start();
    registry
        .package("meta", "1.0.0")
        .time("2025-09-01T00:00:00.000Z")
        .maintainer("alice", "alice@example.invalid")
        .npm_user("alice", "alice@example.invalid")
        .script("postinstall", "node install.js")
        .repository(
            serde_json::json!({"type": "git", "url": "git+https://example.invalid/meta.git"}),
        )
        .file("install.js", b"// inert")
        .publish();
    let packument = client(&registry).full_packument("meta").unwrap();
    assert_eq!(packument.time["1.0.0"], "2025-09-01T00:00:00.000Z");
    assert_eq!(packument.maintainers[0].name.as_deref(), Some("alice"));
    let version = &packument.versions["1.0.0"];
    assert_eq!(version.scripts["postinstall"], "node install.js");
    assert_eq!(
        version.npm_user.as_ref().unwrap().email.as_deref(),
        Some("alice@example.invalid")
    );
    assert_eq!(
        version.repository.as_ref().unwrap().url.as_deref(),
        Some("git+https://example.invalid/meta.git")
    );
}

#[test]
fn unauthorized_says_whether_credentials_were_sent() {
    let registry = MockRegistry::start();
    registry.publish("private", "1.0.0", &[("index.js", b"1")]);
    registry.require_authorization(Some("Bearer right-token"));
    let error = client(&registry).packument("private").unwrap_err();
    assert_eq!(
        error.to_string(),
        format!(
            "the registry refused access to `private` at `{}private` (HTTP 401); no credentials are configured for it in `.npmrc`",
            registry.url()
        )
    );

    let mut config = NpmConfig::new(&registry.url()).unwrap();
    config
        .set_credentials(&registry.url(), Credentials::Token("wrong-token".into()))
        .unwrap();
    let client = Client::new(config).unwrap();
    let error = client.packument("private").unwrap_err();
    let message = error.to_string();
    assert!(
        message.ends_with("check the credentials configured for it in `.npmrc`"),
        "{message}"
    );
    assert!(!message.contains("wrong-token"), "{message}");
    assert!(!format!("{error:?}").contains("wrong-token"));
}
