//! Transient registry failures are tried again with a doubling wait; final
//! answers (404) are not. A tiny HTTP server on 127.0.0.1 scripts the answers.

#![expect(clippy::unwrap_used, reason = "tests")]

use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use palisade_registry::{Client, ClientOptions, Error, NpmConfig};

const PACKUMENT: &str = r#"{"name":"left-pad","dist-tags":{"latest":"1.0.0"},"versions":{"1.0.0":{"name":"left-pad","version":"1.0.0","dist":{"tarball":"http://127.0.0.1:9/x.tgz"}}}}"#;

/// Serves `statuses` in order (then 200s), counting requests.
fn server(statuses: Vec<u16>) -> (String, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/", listener.local_addr().unwrap());
    let count = Arc::new(AtomicUsize::new(0));
    let seen = Arc::clone(&count);
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut buf = [0u8; 4096];
            let _ = stream.read(&mut buf);
            let n = seen.fetch_add(1, Ordering::SeqCst);
            let status = statuses.get(n).copied().unwrap_or(200);
            let body = if status == 200 { PACKUMENT } else { "{}" };
            let _ = write!(
                stream,
                "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    (url, count)
}

fn client(url: &str, retries: u32) -> Client {
    Client::with_options(
        NpmConfig::new(url).unwrap(),
        ClientOptions::default().retries(retries, Duration::from_millis(5)),
    )
    .unwrap()
}

#[test]
fn a_503_then_a_200_succeeds() {
    let (url, count) = server(vec![503, 502]);
    let p = client(&url, 2).packument("left-pad").unwrap();
    assert_eq!(p.name, "left-pad");
    assert_eq!(count.load(Ordering::SeqCst), 3);
}

#[test]
fn retries_run_out() {
    let (url, count) = server(vec![503, 503, 503, 503]);
    let err = client(&url, 1).packument("left-pad").unwrap_err();
    assert!(matches!(err, Error::Status { status: 503, .. }), "{err}");
    assert_eq!(count.load(Ordering::SeqCst), 2);
}

#[test]
fn a_404_is_final() {
    let (url, count) = server(vec![404]);
    let err = client(&url, 3).packument("left-pad").unwrap_err();
    assert!(matches!(err, Error::NotFound { .. }), "{err}");
    assert_eq!(count.load(Ordering::SeqCst), 1);
}
