//! `urlParse` and `urlJoin`: Go's `net/url` parsing and `URL.String()`,
//! as far as Sprig exposes them (scheme, opaque, userinfo, host, path,
//! raw query, fragment).

use std::collections::BTreeMap;
use std::fmt::Write as _;

use crate::engine::gotmpl::node::go_quote;
use crate::engine::gotmpl::value::GoValue;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Path,
    Host,
    UserPassword,
    Fragment,
}

/// Go's `shouldEscape`.
fn should_escape(c: u8, mode: Mode) -> bool {
    if c.is_ascii_alphanumeric() {
        return false;
    }
    if mode == Mode::Host
        && matches!(
            c,
            b'!' | b'$'
                | b'&'
                | b'\''
                | b'('
                | b')'
                | b'*'
                | b'+'
                | b','
                | b';'
                | b'='
                | b':'
                | b'['
                | b']'
                | b'<'
                | b'>'
                | b'"'
        )
    {
        return false;
    }
    match c {
        b'-' | b'_' | b'.' | b'~' => return false,
        b'$' | b'&' | b'+' | b',' | b'/' | b':' | b';' | b'=' | b'?' | b'@' => {
            return match mode {
                Mode::UserPassword => matches!(c, b'@' | b'/' | b'?' | b':'),
                Mode::Path => c == b'?',
                Mode::Fragment => false,
                Mode::Host => true,
            };
        }
        _ => {}
    }
    if mode == Mode::Fragment && matches!(c, b'!' | b'(' | b')' | b'*') {
        return false;
    }
    true
}

/// Go's `escape` (upper-case `%XX`).
fn escape(s: &str, mode: Mode) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if should_escape(b, mode) {
            let _ = write!(out, "%{b:02X}");
        } else {
            out.push(b as char);
        }
    }
    out
}

/// Go's `unescape` for the modes `url.Parse` uses.
fn unescape(s: &str, mode: Mode) -> Result<String, String> {
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'%' => {
                if i + 2 >= b.len()
                    || !b[i + 1].is_ascii_hexdigit()
                    || !b[i + 2].is_ascii_hexdigit()
                {
                    // Go quotes the raw three bytes, which may cut a
                    // UTF-8 sequence.
                    let end = (i + 3).min(b.len());
                    let raw = String::from_utf8_lossy(&b[i..end]);
                    return Err(format!("invalid URL escape {}", go_quote(&raw)));
                }
                if mode == Mode::Host && hex_val(b[i + 1]) < 8 && &s[i..i + 3] != "%25" {
                    return Err(format!("invalid URL escape {}", go_quote(&s[i..i + 3])));
                }
                i += 3;
            }
            c => {
                if mode == Mode::Host && c < 0x80 && should_escape(c, mode) {
                    return Err(format!(
                        "invalid character {} in host name",
                        go_quote(&s[i..i + 1])
                    ));
                }
                i += 1;
            }
        }
    }
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            out.push(hex_val(b[i + 1]) << 4 | hex_val(b[i + 2]));
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    Ok(String::from_utf8_lossy(&out).into_owned())
}

fn hex_val(c: u8) -> u8 {
    match c {
        b'0'..=b'9' => c - b'0',
        b'a'..=b'f' => c - b'a' + 10,
        b'A'..=b'F' => c - b'A' + 10,
        _ => 0,
    }
}

/// A parsed URL (the fields Sprig reads or writes).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Url {
    /// Lower-cased scheme.
    pub scheme: String,
    /// Opaque part of `scheme:opaque` URLs.
    pub opaque: String,
    /// Username and optional password, decoded.
    pub user: Option<(String, Option<String>)>,
    /// Host (and port), decoded.
    pub host: String,
    /// Decoded path.
    pub path: String,
    /// Query without `?`, as written.
    pub raw_query: String,
    /// Decoded fragment.
    pub fragment: String,
}

fn get_scheme(raw: &str) -> Result<(&str, &str), String> {
    for (i, c) in raw.bytes().enumerate() {
        match c {
            b'a'..=b'z' | b'A'..=b'Z' => {}
            b'0'..=b'9' | b'+' | b'-' | b'.' => {
                if i == 0 {
                    return Ok(("", raw));
                }
            }
            b':' => {
                if i == 0 {
                    return Err("missing protocol scheme".into());
                }
                return Ok((&raw[..i], &raw[i + 1..]));
            }
            _ => return Ok(("", raw)),
        }
    }
    Ok(("", raw))
}

fn valid_port(p: &str) -> bool {
    p.bytes().all(|b| b.is_ascii_digit())
}

fn parse_host(host: &str) -> Result<String, String> {
    if let Some(rest) = host.strip_prefix('[') {
        let Some(close) = rest.find(']') else {
            return Err("missing ']' in host".into());
        };
        let after = &rest[close + 1..];
        let port_ok = after.is_empty() || (after.starts_with(':') && valid_port(&after[1..]));
        if !port_ok {
            return Err(format!("invalid port {} after host", go_quote(after)));
        }
        return unescape(host, Mode::Host);
    }
    if let Some(i) = host.rfind(':') {
        let port = &host[i..];
        if !valid_port(&port[1..]) {
            return Err(format!("invalid port {} after host", go_quote(port)));
        }
    }
    unescape(host, Mode::Host)
}

fn valid_userinfo(s: &str) -> bool {
    s.bytes().all(|c| {
        c.is_ascii_alphanumeric()
            || matches!(
                c,
                b'-' | b'.'
                    | b'_'
                    | b':'
                    | b'~'
                    | b'!'
                    | b'$'
                    | b'&'
                    | b'\''
                    | b'('
                    | b')'
                    | b'*'
                    | b'+'
                    | b','
                    | b';'
                    | b'='
                    | b'%'
                    | b'@'
            )
    })
}

type UserInfo = Option<(String, Option<String>)>;

fn parse_authority(authority: &str) -> Result<(UserInfo, String), String> {
    let at = authority.rfind('@');
    let host = parse_host(match at {
        Some(i) => &authority[i + 1..],
        None => authority,
    })?;
    let Some(i) = at else {
        return Ok((None, host));
    };
    let info = &authority[..i];
    if !valid_userinfo(info) {
        return Err("net/url: invalid userinfo".into());
    }
    let user = match info.split_once(':') {
        None => (unescape(info, Mode::UserPassword)?, None),
        Some((u, p)) => (
            unescape(u, Mode::UserPassword)?,
            Some(unescape(p, Mode::UserPassword)?),
        ),
    };
    Ok((Some(user), host))
}

/// Go's `url.Parse`, with its error text (`parse "x": reason`).
pub fn parse(raw: &str) -> Result<Url, String> {
    let (main, frag) = match raw.split_once('#') {
        Some((m, f)) => (m, Some(f)),
        None => (raw, None),
    };
    let wrap = |what: &str, e: String| format!("parse {}: {e}", go_quote(what));
    let mut url = parse_main(main).map_err(|e| wrap(main, e))?;
    if let Some(f) = frag
        && !f.is_empty()
    {
        url.fragment = unescape(f, Mode::Fragment).map_err(|e| wrap(raw, e))?;
    }
    Ok(url)
}

fn parse_main(raw: &str) -> Result<Url, String> {
    if raw.bytes().any(|b| b < 0x20 || b == 0x7f) {
        return Err("net/url: invalid control character in URL".into());
    }
    let mut url = Url::default();
    if raw == "*" {
        url.path = "*".into();
        return Ok(url);
    }
    let (scheme, mut rest) = get_scheme(raw)?;
    url.scheme = scheme.to_ascii_lowercase();
    if rest.ends_with('?') && rest.matches('?').count() == 1 {
        rest = &rest[..rest.len() - 1];
    } else if let Some((r, q)) = rest.split_once('?') {
        url.raw_query = q.to_string();
        rest = r;
    }
    if !rest.starts_with('/') {
        if !url.scheme.is_empty() {
            url.opaque = rest.to_string();
            return Ok(url);
        }
        let segment = rest.split('/').next().unwrap_or("");
        if segment.contains(':') {
            return Err("first path segment in URL cannot contain colon".into());
        }
    }
    let mut path = rest;
    if (!url.scheme.is_empty() || !rest.starts_with("///")) && rest.starts_with("//") {
        let authority_and_path = &rest[2..];
        let (authority, p) = match authority_and_path.find('/') {
            Some(i) => (&authority_and_path[..i], &authority_and_path[i..]),
            None => (authority_and_path, ""),
        };
        let (user, host) = parse_authority(authority)?;
        url.user = user;
        url.host = host;
        path = p;
    }
    url.path = unescape(path, Mode::Path)?;
    Ok(url)
}

/// Go's `URL.Hostname()`: the host without port and IPv6 brackets.
fn hostname(host: &str) -> String {
    let mut h = host;
    if let Some(i) = h.rfind(':')
        && valid_port(&h[i + 1..])
    {
        h = &h[..i];
    }
    if h.starts_with('[') && h.ends_with(']') && h.len() >= 2 {
        h = &h[1..h.len() - 1];
    }
    h.to_string()
}

fn userinfo_text(user: &(String, Option<String>)) -> String {
    let mut s = escape(&user.0, Mode::UserPassword);
    if let Some(p) = &user.1 {
        s.push(':');
        s.push_str(&escape(p, Mode::UserPassword));
    }
    s
}

/// Sprig `urlParse`: a dict of the URL's parts.
pub fn url_parse(raw: &str) -> Result<GoValue, String> {
    let u = parse(raw).map_err(|e| format!("unable to parse url: {e}"))?;
    let mut m = BTreeMap::new();
    m.insert("scheme".to_string(), GoValue::str(&u.scheme));
    m.insert("host".to_string(), GoValue::str(&u.host));
    m.insert("hostname".to_string(), GoValue::from(hostname(&u.host)));
    m.insert("path".to_string(), GoValue::str(&u.path));
    m.insert("query".to_string(), GoValue::str(&u.raw_query));
    m.insert("opaque".to_string(), GoValue::str(&u.opaque));
    m.insert("fragment".to_string(), GoValue::str(&u.fragment));
    m.insert(
        "userinfo".to_string(),
        GoValue::from(u.user.as_ref().map(userinfo_text).unwrap_or_default()),
    );
    Ok(GoValue::map(m))
}

/// Go's `URL.String()`.
pub fn url_string(u: &Url) -> String {
    let mut buf = String::new();
    if !u.scheme.is_empty() {
        buf.push_str(&u.scheme);
        buf.push(':');
    }
    if !u.opaque.is_empty() {
        buf.push_str(&u.opaque);
    } else {
        if !u.scheme.is_empty() || !u.host.is_empty() || u.user.is_some() {
            if !u.host.is_empty() || !u.path.is_empty() || u.user.is_some() {
                buf.push_str("//");
            }
            if let Some(user) = &u.user {
                buf.push_str(&userinfo_text(user));
                buf.push('@');
            }
            if !u.host.is_empty() {
                buf.push_str(&escape(&u.host, Mode::Host));
            }
        }
        let path = if u.path == "*" {
            "*".to_string()
        } else {
            escape(&u.path, Mode::Path)
        };
        if !path.is_empty() && !path.starts_with('/') && !u.host.is_empty() {
            buf.push('/');
        }
        if buf.is_empty() && path.split('/').next().is_some_and(|s| s.contains(':')) {
            buf.push_str("./");
        }
        buf.push_str(&path);
    }
    if !u.raw_query.is_empty() {
        buf.push('?');
        buf.push_str(&u.raw_query);
    }
    if !u.fragment.is_empty() {
        buf.push('#');
        buf.push_str(&escape(&u.fragment, Mode::Fragment));
    }
    buf
}

/// Sprig's `dictGetOrEmpty`: a missing key is `""`, a non-string value a
/// panic naming the key and the value's kind.
fn dict_string(d: &BTreeMap<String, GoValue>, key: &str) -> Result<String, String> {
    match d.get(key) {
        None => Ok(String::new()),
        Some(GoValue::String(s)) => Ok(s.to_string()),
        Some(GoValue::Nil | GoValue::Missing) => {
            Err("runtime error: invalid memory address or nil pointer dereference".into())
        }
        Some(other) => Err(format!(
            "unable to parse {key} key, must be of type string, but {} found",
            other.kind_name()
        )),
    }
}

/// Sprig `urlJoin`: builds a URL from a dict like `urlParse` returns.
pub fn url_join(d: &GoValue) -> Result<String, String> {
    // A nil map (ParamType::Map passes it as nil) reads as empty in Go.
    let m = match d {
        GoValue::Map(m) => m.snapshot(),
        GoValue::Nil | GoValue::Missing => BTreeMap::new(),
        other => {
            return Err(format!(
                "wrong type for value; expected map[string]interface {{}}; got {}",
                other.type_name()
            ));
        }
    };
    let m = &m;
    let mut u = Url {
        scheme: dict_string(m, "scheme")?,
        host: dict_string(m, "host")?,
        path: dict_string(m, "path")?,
        raw_query: dict_string(m, "query")?,
        opaque: dict_string(m, "opaque")?,
        fragment: dict_string(m, "fragment")?,
        user: None,
    };
    let info = dict_string(m, "userinfo")?;
    if !info.is_empty() {
        let probe = format!("proto://{info}@host");
        let parsed = parse(&probe).map_err(|e| format!("unable to parse userinfo in dict: {e}"))?;
        u.user = parsed.user;
    }
    Ok(url_string(&u))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field(v: &GoValue, k: &str) -> String {
        match v {
            GoValue::Map(m) => m
                .get(k)
                .and_then(|x| x.as_str().map(str::to_string))
                .unwrap_or_else(|| "?".to_string()),
            _ => "?".into(),
        }
    }

    #[test]
    fn parse_like_go() {
        let v = url_parse("http://u:p@h:8/p?q=1#f").unwrap();
        assert_eq!(field(&v, "scheme"), "http");
        assert_eq!(field(&v, "host"), "h:8");
        assert_eq!(field(&v, "hostname"), "h");
        assert_eq!(field(&v, "path"), "/p");
        assert_eq!(field(&v, "query"), "q=1");
        assert_eq!(field(&v, "fragment"), "f");
        assert_eq!(field(&v, "userinfo"), "u:p");
        let v = url_parse("mailto:joe@example.com").unwrap();
        assert_eq!(field(&v, "opaque"), "joe@example.com");
        let v = url_parse("/a%20b").unwrap();
        assert_eq!(field(&v, "path"), "/a b");
        assert_eq!(
            url_parse("%zz").unwrap_err(),
            "unable to parse url: parse \"%zz\": invalid URL escape \"%zz\""
        );
        assert!(url_parse("/%aé").is_err());
        assert_eq!(
            url_parse(":x").unwrap_err(),
            "unable to parse url: parse \":x\": missing protocol scheme"
        );
    }

    #[test]
    fn join_like_go() {
        let mut m = BTreeMap::new();
        for (k, v) in [
            ("fragment", "fragment"),
            ("host", "host:80"),
            ("path", "/path"),
            ("query", "query"),
            ("scheme", "proto"),
        ] {
            m.insert(k.to_string(), GoValue::str(v));
        }
        assert_eq!(
            url_join(&GoValue::map(m.clone())).unwrap(),
            "proto://host:80/path?query#fragment"
        );
        m.insert("userinfo".into(), GoValue::str("u:p"));
        m.insert("path".into(), GoValue::str("/a b"));
        assert_eq!(
            url_join(&GoValue::map(m.clone())).unwrap(),
            "proto://u:p@host:80/a%20b?query#fragment"
        );
        m.insert("host".into(), GoValue::Int(1));
        assert_eq!(
            url_join(&GoValue::map(m)).unwrap_err(),
            "unable to parse host key, must be of type string, but int found"
        );
    }
}
