//! The client against a real server on 127.0.0.1.

use super::*;
use crate::registry::test_server::{Reply, TestServer};

fn client() -> HttpClient {
    HttpClient::new(&ClientOptions {
        progress: false,
        ..ClientOptions::default()
    })
    .unwrap()
}

fn url(s: &str) -> Url {
    Url::parse(s).unwrap()
}

fn basic() -> Auth {
    Auth::Basic {
        username: "u".into(),
        password: "p4ss".into(),
    }
}

#[test]
fn credentials_stay_on_their_origin_across_redirects() {
    let other = TestServer::start(|_| Reply::ok("payload")).unwrap();
    let target = format!("{}/blob", other.url());
    let origin = TestServer::start(move |r| match r.path() {
        "/same" => Reply::redirect(302, "/final"),
        "/final" => Reply::ok("same-origin"),
        _ => Reply::redirect(307, &target),
    })
    .unwrap();
    let auth = basic();
    let c = client();
    let same = c
        .fetch(
            &url(&format!("{}/same", origin.url())),
            "*/*",
            Some(&auth),
            1 << 20,
        )
        .unwrap();
    assert_eq!(same, b"same-origin");
    let seen = origin.requests();
    assert!(seen.iter().all(|r| r.header("authorization").is_some()));

    let body = c
        .fetch(
            &url(&format!("{}/away", origin.url())),
            "*/*",
            Some(&auth),
            1 << 20,
        )
        .unwrap();
    assert_eq!(body, b"payload");
    let crossed = other.requests();
    assert_eq!(crossed.len(), 1);
    assert_eq!(crossed[0].header("authorization"), None, "{crossed:?}");
}

#[test]
fn redirect_loops_stop() {
    let s = TestServer::start(|_| Reply::redirect(302, "/again")).unwrap();
    let err = client()
        .fetch(&url(&format!("{}/x", s.url())), "*/*", None, 1024)
        .unwrap_err();
    assert!(err.to_string().contains("redirects"), "{err}");
}

#[test]
fn rate_limited_requests_are_retried() {
    let count = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let c2 = count.clone();
    let s = TestServer::start(move |_| {
        if c2.fetch_add(1, std::sync::atomic::Ordering::SeqCst) < 2 {
            Reply::status(429).with_header("Retry-After", "0")
        } else {
            Reply::ok("finally")
        }
    })
    .unwrap();
    let body = client()
        .fetch(&url(&format!("{}/api", s.url())), "*/*", None, 1024)
        .unwrap();
    assert_eq!(body, b"finally");
    assert_eq!(s.requests().len(), 3);
}

#[test]
fn oversized_bodies_are_refused() {
    let s = TestServer::start(|_| Reply::ok(vec![b'x'; 5000])).unwrap();
    let err = client()
        .fetch(&url(&format!("{}/big", s.url())), "*/*", None, 4096)
        .unwrap_err();
    assert!(
        matches!(err, RegistryError::TooLarge { limit: 4096, .. }),
        "{err}"
    );
}

#[test]
fn digest_mismatch_is_an_error_and_match_passes() {
    let s = TestServer::start(|_| Reply::ok("chart")).unwrap();
    let u = url(&format!("{}/c.tgz", s.url()));
    let good = sha256_hex(b"chart");
    let c = client();
    assert_eq!(
        c.download_verified(&u, "*/*", None, &good, 1024, "c")
            .unwrap(),
        b"chart"
    );
    let err = c
        .download_verified(&u, "*/*", None, &sha256_hex(b"other"), 1024, "c")
        .unwrap_err();
    assert!(matches!(err, RegistryError::DigestMismatch { .. }), "{err}");
}

#[test]
fn status_errors_carry_the_server_message_without_secrets() {
    let s = TestServer::start(|r| match r.path() {
        "/json" => Reply::status(400).with_body(r#"{"message":"invalid limit (0 < l <= 60)"}"#),
        "/oci" => Reply::status(404)
            .with_body(r#"{"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown"}]}"#),
        _ => Reply::status(500).with_body("boom\x1b[31m\nsecond line"),
    })
    .unwrap();
    let c = client();
    let e = c
        .fetch(
            &url(&format!("{}/json?token=SECRET", s.url())),
            "*/*",
            None,
            1024,
        )
        .unwrap_err()
        .to_string();
    assert!(e.contains("400 Bad Request: invalid limit"), "{e}");
    assert!(!e.contains("SECRET"), "{e}");
    let e = c
        .fetch(&url(&format!("{}/oci", s.url())), "*/*", None, 1024)
        .unwrap_err()
        .to_string();
    assert!(e.contains("MANIFEST_UNKNOWN: manifest unknown"), "{e}");
    let e = c
        .fetch(&url(&format!("{}/text", s.url())), "*/*", None, 1024)
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("boom") && !e.contains('\x1b') && !e.contains("second"),
        "{e}"
    );
}

#[test]
fn unreachable_hosts_and_bad_ca_files_are_clear_errors() {
    // A port nothing listens on: bind, read the port, drop the listener.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let e = client()
        .fetch(
            &url(&format!("http://127.0.0.1:{port}/x")),
            "*/*",
            None,
            1024,
        )
        .unwrap_err();
    assert!(matches!(e, RegistryError::Transport { .. }), "{e}");

    let dir = tempfile::tempdir().unwrap();
    let ca = dir.path().join("ca.pem");
    std::fs::write(&ca, "not a certificate").unwrap();
    let e = HttpClient::new(&ClientOptions {
        ca_file: Some(ca.clone()),
        ..ClientOptions::default()
    })
    .unwrap_err();
    assert!(e.to_string().contains("ca.pem"), "{e}");
}

#[test]
fn debug_output_hides_secrets() {
    let shown = format!("{:?} {:?}", basic(), Auth::Bearer("tok123".into()));
    assert!(
        !shown.contains("p4ss") && !shown.contains("tok123"),
        "{shown}"
    );
}
