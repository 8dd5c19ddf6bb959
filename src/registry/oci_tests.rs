//! The OCI client's protocol handling against a scripted server on
//! 127.0.0.1: what docker-registry 2.8.2 cannot show (tag-list pages,
//! identity tokens, `access_token`). The full flows run against a real
//! registry in `tests/registry_oci.rs`.

use super::*;
use crate::registry::http::ClientOptions;
use crate::registry::test_server::{Reply, TestServer};

fn http() -> HttpClient {
    HttpClient::new(&ClientOptions {
        progress: false,
        ..ClientOptions::default()
    })
    .unwrap()
}

fn client(server: &TestServer, credential: Option<Credential>) -> OciClient {
    OciClient::new(http(), &server.host(), true, credential).unwrap()
}

#[test]
fn tag_list_follows_link_pages() {
    let server = TestServer::start(|r| match r.target.as_str() {
        "/v2/charts/demo/tags/list" => {
            Reply::ok(r#"{"name":"charts/demo","tags":["0.1.0","0.2.0"]}"#).with_header(
                "Link",
                r#"</v2/charts/demo/tags/list?last=0.2.0&n=2>; rel="next""#,
            )
        }
        "/v2/charts/demo/tags/list?last=0.2.0&n=2" => {
            Reply::ok(r#"{"name":"charts/demo","tags":["0.3.0"]}"#)
        }
        _ => Reply::status(404),
    })
    .unwrap();
    let tags = client(&server, None).tags("charts/demo").unwrap();
    assert_eq!(tags, vec!["0.1.0", "0.2.0", "0.3.0"]);
}

#[test]
fn basic_challenge_is_answered_once_and_remembered() {
    // base64("u:p") = dTpw
    let server = TestServer::start(|r| {
        if r.header("authorization") == Some("Basic dTpw") {
            Reply::ok("{}")
        } else {
            Reply::status(401).with_header("WWW-Authenticate", r#"Basic realm="x""#)
        }
    })
    .unwrap();
    let anonymous = client(&server, None);
    let err = anonymous.ping(false).unwrap_err().to_string();
    assert!(
        err.contains("unauthorized") && err.contains("skiff registry login"),
        "{err}"
    );
    let c = client(
        &server,
        Some(Credential::Basic {
            username: "u".into(),
            password: "p".into(),
        }),
    );
    c.ping(false).unwrap();
    c.ping(false).unwrap();
    let seen = server.requests();
    // anonymous (401) ; with creds: anonymous 401, Basic 200, then Basic
    // straight away.
    let with_auth: Vec<bool> = seen
        .iter()
        .map(|r| r.header("authorization").is_some())
        .collect();
    assert_eq!(with_auth, vec![false, false, true, true]);
}

#[test]
fn identity_tokens_use_the_oauth2_refresh_grant_and_access_token() {
    // The challenge names the server itself as realm; its address is only
    // known once it runs.
    let host = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
    let realm_host = host.clone();
    let server = TestServer::start(move |r| match (r.method.as_str(), r.path()) {
        ("POST", "/token") => Reply::ok(r#"{"access_token":"tok-1","expires_in":60}"#),
        (_, "/v2/") if r.header("authorization") == Some("Bearer tok-1") => Reply::ok("{}"),
        (_, "/v2/") => {
            let realm = format!("http://{}/token", realm_host.lock().unwrap());
            Reply::status(401).with_header(
                "WWW-Authenticate",
                &format!("Bearer realm=\"{realm}\",service=\"svc\""),
            )
        }
        _ => Reply::status(404),
    })
    .unwrap();
    *host.lock().unwrap() = server.host();
    let c = client(
        &server,
        Some(Credential::IdentityToken("refresh-me".into())),
    );
    c.ping(false).unwrap();
    let posts: Vec<String> = server
        .requests()
        .iter()
        .filter(|r| r.method == "POST")
        .map(|r| String::from_utf8_lossy(&r.body).into_owned())
        .collect();
    assert_eq!(posts.len(), 1);
    assert!(
        posts[0].contains("grant_type=refresh_token")
            && posts[0].contains("refresh_token=refresh-me")
            && posts[0].contains("service=svc")
            && posts[0].contains("client_id=skiff"),
        "{}",
        posts[0]
    );
}

#[test]
fn manifest_by_digest_is_verified() {
    let body = br#"{"schemaVersion":2}"#.to_vec();
    let served = body.clone();
    let server = TestServer::start(move |_| {
        Reply::ok(served.clone()).with_header("Content-Type", MEDIA_TYPE_OCI_MANIFEST)
    })
    .unwrap();
    let c = client(&server, None);
    let digest = format!("sha256:{}", crate::registry::sha256_hex(&body));
    let m = c.manifest("charts/demo", &digest).unwrap();
    assert_eq!(m.digest, digest);
    assert_eq!(m.media_type, MEDIA_TYPE_OCI_MANIFEST);
    let other = format!("sha256:{}", "1".repeat(64));
    let err = c.manifest("charts/demo", &other).unwrap_err().to_string();
    assert!(err.contains("digest mismatch"), "{err}");
    let accept = server.requests()[0]
        .header("accept")
        .unwrap_or("")
        .to_string();
    assert!(accept.starts_with(MEDIA_TYPE_OCI_MANIFEST), "{accept}");
}
