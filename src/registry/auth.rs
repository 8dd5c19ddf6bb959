//! Registry authentication challenges and the distribution token protocol.
//!
//! A registry answers 401 with `WWW-Authenticate`:
//! - `Basic realm="…"`: the client repeats the request with Basic
//!   credentials;
//! - `Bearer realm="…",service="…",scope="…"`: the client asks `realm` for a
//!   token (docker/distribution's token spec) and repeats the request with
//!   `Authorization: Bearer <token>`.
//!
//! The token request is either a GET (`?service=…&scope=…`, Basic
//! credentials attached when there are any; the answer's `token` or
//! `access_token`) or the OAuth2 POST (`grant_type=password` or
//! `refresh_token`, `client_id`, `service`, `scope`). oras-go (what helm
//! v4.1.4 uses) takes the POST only for refresh tokens or when asked to
//! (`ForceAttemptOAuth2`, which `helm registry login` sets, falling back to
//! the GET when it fails); this module offers both and [`super::oci`]
//! chooses the same way.

use super::RegistryError;
use super::credentials::Credential;
use super::http::{Auth, HttpClient, Request};

/// The client id sent with OAuth2 token requests (oras-go sends
/// `oras-go`; the spec leaves it to the client).
pub const CLIENT_ID: &str = "skiff";

/// A parsed `WWW-Authenticate` challenge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Challenge {
    /// `Basic realm="…"`.
    Basic,
    /// `Bearer realm="…",service="…",scope="…"`.
    Bearer {
        /// The token endpoint.
        realm: String,
        /// The `service` to name in the token request.
        service: Option<String>,
        /// The scopes the registry asked for (space-separated in the header).
        scopes: Vec<String>,
    },
}

/// Parses a `WWW-Authenticate` value; `None` for schemes skiff cannot
/// answer (the 401 then stands).
pub fn parse_challenge(header: &str) -> Option<Challenge> {
    let header = header.trim();
    let (scheme, rest) = match header.find(|c: char| c.is_ascii_whitespace()) {
        Some(i) => (&header[..i], header[i..].trim_start()),
        None => (header, ""),
    };
    let params = parse_params(rest);
    let get = |name: &str| {
        params
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.clone())
    };
    if scheme.eq_ignore_ascii_case("basic") {
        return Some(Challenge::Basic);
    }
    if scheme.eq_ignore_ascii_case("bearer") {
        let realm = get("realm")?;
        let scopes = get("scope")
            .map(|s| {
                s.split(' ')
                    .filter(|p| !p.is_empty())
                    .map(String::from)
                    .collect()
            })
            .unwrap_or_default();
        return Some(Challenge::Bearer {
            realm,
            service: get("service"),
            scopes,
        });
    }
    None
}

/// `key=value` and `key="quoted, value"` pairs separated by commas.
fn parse_params(text: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut chars = text.chars().peekable();
    loop {
        while chars.peek().is_some_and(|c| *c == ',' || c.is_whitespace()) {
            chars.next();
        }
        let mut key = String::new();
        while let Some(&c) = chars.peek() {
            if c == '=' || c == ',' {
                break;
            }
            key.push(c);
            chars.next();
        }
        if key.is_empty() {
            break;
        }
        let mut value = String::new();
        if chars.peek() == Some(&'=') {
            chars.next();
            if chars.peek() == Some(&'"') {
                chars.next();
                while let Some(c) = chars.next() {
                    match c {
                        '\\' => {
                            if let Some(next) = chars.next() {
                                value.push(next);
                            }
                        }
                        '"' => break,
                        c => value.push(c),
                    }
                }
            } else {
                while let Some(&c) = chars.peek() {
                    if c == ',' {
                        break;
                    }
                    value.push(c);
                    chars.next();
                }
            }
        }
        out.push((key.trim().to_string(), value.trim().to_string()));
    }
    out
}

/// Merges scopes the way oras-go does: one entry per resource, actions
/// unioned and sorted (`repository:a:pull` + `repository:a:push` →
/// `repository:a:pull,push`), entries sorted. The result names the token in
/// the per-run cache.
pub fn merge_scopes(scopes: &[String]) -> Vec<String> {
    let mut by_resource: std::collections::BTreeMap<String, std::collections::BTreeSet<String>> =
        std::collections::BTreeMap::new();
    for scope in scopes {
        // `type:name:actions`; the name may itself contain ':' (a port).
        match scope.rsplit_once(':') {
            Some((resource, actions)) if resource.contains(':') => {
                let set = by_resource.entry(resource.to_string()).or_default();
                for action in actions.split(',').filter(|a| !a.is_empty()) {
                    set.insert(action.to_string());
                }
            }
            _ => {
                by_resource.entry(scope.clone()).or_default();
            }
        }
    }
    by_resource
        .into_iter()
        .map(|(resource, actions)| {
            if actions.is_empty() {
                resource
            } else {
                let actions: Vec<String> = actions.into_iter().collect();
                format!("{resource}:{}", actions.join(","))
            }
        })
        .collect()
}

/// How to ask for a token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenMethod {
    /// `GET realm?service=…&scope=…` (Basic credentials if any).
    Get,
    /// The OAuth2 `POST` with a password or refresh-token grant.
    OAuth2,
}

/// Fetches a token from `realm` for `scopes`.
pub fn fetch_token(
    http: &HttpClient,
    realm: &str,
    service: Option<&str>,
    scopes: &[String],
    credential: Option<&Credential>,
    method: TokenMethod,
) -> Result<String, RegistryError> {
    let mut url = url::Url::parse(realm).map_err(|_| {
        RegistryError::Invalid(format!(
            "the registry's token realm {:?} is not a URL",
            crate::archive::sanitize(realm)
        ))
    })?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(RegistryError::Invalid(format!(
            "the registry's token realm {:?} is not an http(s) URL",
            crate::archive::sanitize(realm)
        )));
    }
    let basic;
    let request = match method {
        TokenMethod::Get => {
            {
                let mut query = url.query_pairs_mut();
                if let Some(service) = service {
                    query.append_pair("service", service);
                }
                for scope in scopes {
                    query.append_pair("scope", scope);
                }
            }
            // A GET with no parameters leaves a bare `?`; drop it.
            if url.query() == Some("") {
                url.set_query(None);
            }
            basic = match credential {
                Some(Credential::Basic { username, password }) => Some(Auth::Basic {
                    username: username.clone(),
                    password: password.clone(),
                }),
                _ => None,
            };
            Request::get(url.clone()).auth(basic.as_ref())
        }
        TokenMethod::OAuth2 => {
            let mut form = url::form_urlencoded::Serializer::new(String::new());
            match credential {
                Some(Credential::IdentityToken(token)) => {
                    form.append_pair("grant_type", "refresh_token");
                    form.append_pair("refresh_token", token);
                }
                Some(Credential::Basic { username, password }) => {
                    form.append_pair("grant_type", "password");
                    form.append_pair("username", username);
                    form.append_pair("password", password);
                }
                None => {
                    return Err(RegistryError::Invalid(
                        "an OAuth2 token request needs credentials".into(),
                    ));
                }
            }
            if let Some(service) = service {
                form.append_pair("service", service);
            }
            form.append_pair("client_id", CLIENT_ID);
            if !scopes.is_empty() {
                form.append_pair("scope", &scopes.join(" "));
            }
            Request::get(url.clone())
                .method(reqwest::Method::POST)
                .header(
                    reqwest::header::CONTENT_TYPE,
                    "application/x-www-form-urlencoded",
                )
                .body(form.finish().into_bytes())
        }
    };
    let response = http.send(&request)?;
    if !response.is_success() {
        return Err(response.into_error());
    }
    let body = response.bytes(1024 * 1024, None)?;
    let json: serde_json::Value = serde_json::from_slice(&body).map_err(|_| {
        RegistryError::Invalid(format!(
            "{}: the token endpoint did not answer with JSON",
            super::redact_url(&url_without_query(&url))
        ))
    })?;
    // The distribution spec names it `token`; OAuth2 servers say
    // `access_token`; either is accepted, `token` first.
    for key in ["token", "access_token"] {
        if let Some(token) = json.get(key).and_then(|t| t.as_str())
            && !token.is_empty()
        {
            return Ok(token.to_string());
        }
    }
    Err(RegistryError::Invalid(format!(
        "{}: the token endpoint's answer has no token",
        super::redact_url(&url_without_query(&url))
    )))
}

fn url_without_query(url: &url::Url) -> url::Url {
    let mut url = url.clone();
    url.set_query(None);
    url
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_basic_and_bearer_challenges() {
        assert_eq!(
            parse_challenge(r#"Basic realm="lab-realm""#),
            Some(Challenge::Basic)
        );
        assert_eq!(
            parse_challenge(
                r#"Bearer realm="http://127.0.0.1:5001/token",service="lab",scope="repository:charts/demo:pull,push repository:x:pull""#
            ),
            Some(Challenge::Bearer {
                realm: "http://127.0.0.1:5001/token".into(),
                service: Some("lab".into()),
                scopes: vec![
                    "repository:charts/demo:pull,push".into(),
                    "repository:x:pull".into()
                ],
            })
        );
        assert_eq!(
            parse_challenge(r#"bearer realm=https://auth.example/t"#),
            Some(Challenge::Bearer {
                realm: "https://auth.example/t".into(),
                service: None,
                scopes: vec![],
            })
        );
        assert_eq!(parse_challenge("Negotiate abc"), None);
        assert_eq!(parse_challenge("Bearer service=x"), None);
    }

    #[test]
    fn merges_scopes_per_resource() {
        let merged = merge_scopes(&[
            "repository:charts/demo:push".into(),
            "repository:charts/demo:pull".into(),
            "repository:127.0.0.1:5000/x:pull".into(),
            "registry:catalog:*".into(),
        ]);
        assert_eq!(
            merged,
            vec![
                "registry:catalog:*",
                "repository:127.0.0.1:5000/x:pull",
                "repository:charts/demo:pull,push",
            ]
        );
    }
}
