//! Go's `path` package (`base`, `dir`, `clean`, `ext`, `isAbs`). Helm runs
//! on Linux for our purposes, where `path/filepath` (the `os*` variants)
//! behaves the same with `/` as separator.

/// `path.Clean`: lexical normalisation (`//`, `.`, `..`), `"."` for empty.
pub fn clean(p: &str) -> String {
    if p.is_empty() {
        return ".".to_string();
    }
    let rooted = p.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for seg in p.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                if parts.last().is_some_and(|l| *l != "..") {
                    parts.pop();
                } else if !rooted {
                    parts.push("..");
                }
            }
            s => parts.push(s),
        }
    }
    let body = parts.join("/");
    match (rooted, body.is_empty()) {
        (true, _) => format!("/{body}"),
        (false, true) => ".".to_string(),
        (false, false) => body,
    }
}

/// `path.Base`: the last element, trailing slashes removed; `"."` for
/// empty, `"/"` for all slashes.
pub fn base(p: &str) -> String {
    if p.is_empty() {
        return ".".to_string();
    }
    let trimmed = p.trim_end_matches('/');
    if trimmed.is_empty() {
        return "/".to_string();
    }
    match trimmed.rfind('/') {
        Some(i) => trimmed[i + 1..].to_string(),
        None => trimmed.to_string(),
    }
}

/// `path.Dir`: everything before the last element, cleaned.
pub fn dir(p: &str) -> String {
    let cut = p.rfind('/').map(|i| i + 1).unwrap_or(0);
    clean(&p[..cut])
}

/// `path.Ext`: the suffix from the last `.` in the last element.
pub fn ext(p: &str) -> String {
    for (i, c) in p.char_indices().rev() {
        match c {
            '/' => break,
            '.' => return p[i..].to_string(),
            _ => {}
        }
    }
    String::new()
}

/// `path.IsAbs`.
pub fn is_abs(p: &str) -> bool {
    p.starts_with('/')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_like_go() {
        assert_eq!(clean("/foo/../foo/../bar"), "/bar");
        assert_eq!(clean("a//b/./c/.."), "a/b");
        assert_eq!(clean("../../a"), "../../a");
        assert_eq!(clean("/.."), "/");
        assert_eq!(clean(""), ".");
        assert_eq!(base("foo/bar"), "bar");
        assert_eq!(base("foo/bar/"), "bar");
        assert_eq!(base("///"), "/");
        assert_eq!(base(""), ".");
        assert_eq!(dir("/foo/bar/baz"), "/foo/bar");
        assert_eq!(dir("foo"), ".");
        assert_eq!(dir("/"), "/");
        assert_eq!(ext("/foo/bar/baz.txt"), ".txt");
        assert_eq!(ext("/foo.d/bar"), "");
        assert!(is_abs("/foo"));
        assert!(!is_abs("foo"));
    }
}
