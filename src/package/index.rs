//! `skiff repo index`: a chart repository's `index.yaml`, as Helm's
//! `IndexDirectory` + `Merge` + `SortEntries` + `WriteFile` make it.

use super::PackageError;
use crate::archive::{self, Limits};
use crate::value::{Map, Value};
use sha2::{Digest, Sha256};
use std::cmp::Ordering;
use std::path::{Path, PathBuf};

/// Options of `skiff repo index`.
#[derive(Debug, Clone, Default)]
pub struct IndexOptions {
    /// `--url`: base URL of the charts (else URLs are relative).
    pub url: Option<String>,
    /// `--merge`: an existing index whose entries are kept.
    pub merge: Option<PathBuf>,
    /// `--json`: write JSON (still to `index.yaml`, like Helm).
    pub json: bool,
}

/// The `ChartVersion` fields in Go struct order (`*Metadata` embedded
/// first): the order of `--json` output, and the fields Helm keeps.
const VERSION_FIELDS: &[&str] = &[
    "name",
    "home",
    "sources",
    "version",
    "description",
    "keywords",
    "maintainers",
    "icon",
    "apiVersion",
    "condition",
    "tags",
    "appVersion",
    "deprecated",
    "annotations",
    "kubeVersion",
    "dependencies",
    "type",
    "urls",
    "created",
    "removed",
    "digest",
    "checksum",
    "engine",
    "tillerVersion",
    "url",
];

/// Lists `DIR/*.tgz` then `DIR/*/*.tgz` (Helm globs `**/*.tgz`, which Go
/// does not expand recursively), each sorted like Go's `filepath.Glob`.
fn archives(dir: &Path) -> Result<Vec<(String, PathBuf)>, PackageError> {
    let read = |d: &Path| -> Result<Vec<(String, PathBuf, bool)>, PackageError> {
        let mut v = Vec::new();
        for e in std::fs::read_dir(d).map_err(|e| PackageError::io(d, &e))? {
            let e = e.map_err(|e| PackageError::io(d, &e))?;
            let Ok(name) = e.file_name().into_string() else {
                continue;
            };
            let is_dir = e.path().is_dir();
            v.push((name, e.path(), is_dir));
        }
        v.sort();
        Ok(v)
    };
    let mut out = Vec::new();
    let top = read(dir)?;
    for (name, path, is_dir) in &top {
        if !is_dir && name.ends_with(".tgz") {
            out.push((String::new(), path.clone()));
        }
    }
    for (name, path, is_dir) in &top {
        if *is_dir {
            for (sub, p, d) in read(path)? {
                if !d && sub.ends_with(".tgz") {
                    out.push((name.clone(), p));
                }
            }
        }
    }
    Ok(out)
}

/// Helm's `urlutil.URLJoin(base, parts…)`: joins onto the URL's path with
/// `path.Join` (cleaning), keeping scheme, host and query.
fn url_join(base: &str, parts: &[&str]) -> String {
    let (without_query, query) = match base.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (base, None),
    };
    let (origin, path) = match without_query.find("://") {
        Some(i) => {
            let after = i + 3;
            match without_query[after..].find('/') {
                Some(j) => without_query.split_at(after + j),
                None => (without_query, ""),
            }
        }
        None => ("", without_query),
    };
    let mut all = vec![path];
    all.extend(parts.iter().copied());
    let joined = go_path_join(&all);
    let joined = if !origin.is_empty() && !joined.is_empty() && !joined.starts_with('/') {
        format!("/{joined}")
    } else {
        joined
    };
    match query {
        Some(q) => format!("{origin}{joined}?{q}"),
        None => format!("{origin}{joined}"),
    }
}

/// Go's `path.Join`: non-empty elements joined by `/`, then cleaned; all
/// empty gives `""`.
fn go_path_join(parts: &[&str]) -> String {
    let joined: Vec<&str> = parts.iter().copied().filter(|p| !p.is_empty()).collect();
    if joined.is_empty() {
        return String::new();
    }
    let text = joined.join("/");
    let rooted = text.starts_with('/');
    let mut out: Vec<&str> = Vec::new();
    for part in text.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                if matches!(out.last(), Some(l) if *l != "..") {
                    out.pop();
                } else if !rooted {
                    out.push("..");
                }
            }
            p => out.push(p),
        }
    }
    let body = out.join("/");
    match (rooted, body.is_empty()) {
        (true, _) => format!("/{body}"),
        (false, true) => ".".to_string(),
        (false, false) => body,
    }
}

/// The current time as Go's `time.Now()` marshals it (RFC 3339, nanoseconds
/// without trailing zeros, UTC).
pub fn now_rfc3339() -> String {
    let now = jiff::Timestamp::now();
    let secs = now.as_second();
    let nanos = now.subsec_nanosecond();
    let base = jiff::Timestamp::from_second(secs)
        .map(|t| t.strftime("%Y-%m-%dT%H:%M:%S").to_string())
        .unwrap_or_else(|_| "1970-01-01T00:00:00".to_string());
    if nanos == 0 {
        format!("{base}Z")
    } else {
        let frac = format!("{nanos:09}");
        format!("{base}.{}Z", frac.trim_end_matches('0'))
    }
}

/// sha256 of bytes, lower-case hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// Builds the index of `dir` (without writing it). `now` is the timestamp
/// used for `generated` and for new `created` values.
pub fn build_index(dir: &Path, opts: &IndexOptions, now: &str) -> Result<Value, PackageError> {
    let mut entries: Vec<(String, Vec<Map>)> = Vec::new();
    let push = |entries: &mut Vec<(String, Vec<Map>)>, name: &str, v: Map| match entries
        .iter_mut()
        .find(|(n, _)| n == name)
    {
        Some((_, list)) => list.push(v),
        None => entries.push((name.to_string(), vec![v])),
    };
    let merged = match &opts.merge {
        Some(path) if path.exists() => read_index(path)?,
        _ => Vec::new(),
    };
    let base = opts.url.clone().unwrap_or_default();
    for (sub, path) in archives(dir)? {
        let Ok(bytes) = std::fs::read(&path) else {
            continue;
        };
        // Archives go through the safe reader before the loader sees them;
        // like Helm, anything that is not a loadable chart is skipped.
        if archive::read_tgz(&bytes, &Limits::default()).is_err() {
            continue;
        }
        let Ok(chart) = crate::chart::load(&path) else {
            continue;
        };
        let file = path
            .file_name()
            .and_then(|f| f.to_str())
            .unwrap_or_default()
            .to_string();
        let url = if base.is_empty() && sub.is_empty() {
            file.clone()
        } else {
            url_join(&url_join(&base, &[sub.as_str()]), &[file.as_str()])
        };
        let digest = sha256_hex(&bytes);
        let md = &chart.metadata;
        // `created` survives when the merged index has this exact archive
        // (helm resets it on every run: helm/helm#7363).
        let created = merged
            .iter()
            .find(|(n, v)| {
                n == &md.name
                    && v.get("version").and_then(Value::as_str) == Some(md.version.as_str())
                    && v.get("digest").and_then(Value::as_str) == Some(digest.as_str())
            })
            .and_then(|(_, v)| v.get("created").and_then(Value::as_str))
            .unwrap_or(now)
            .to_string();
        let Value::Map(mut v) = crate::show::metadata_value(md) else {
            continue;
        };
        v.insert("urls".into(), Value::Seq(vec![Value::from(url)]));
        v.insert("created".into(), Value::from(created));
        v.insert("digest".into(), Value::from(digest));
        push(&mut entries, &md.name, v);
    }
    for (name, v) in merged {
        let version = v.get("version").and_then(Value::as_str).unwrap_or("");
        let has = entries.iter().any(|(n, list)| {
            n == &name
                && list
                    .iter()
                    .any(|e| e.get("version").and_then(Value::as_str) == Some(version))
        });
        if !has {
            push(&mut entries, &name, order_fields(&v));
        }
    }
    entries.sort_by(|a, b| a.0.cmp(&b.0));
    let mut map = Map::default();
    for (name, mut list) in entries {
        list.sort_by(|a, b| compare_versions(b, a));
        map.insert(name, Value::Seq(list.into_iter().map(Value::Map).collect()));
    }
    let mut index = Map::default();
    index.insert("apiVersion".into(), Value::from("v1"));
    index.insert("generated".into(), Value::from(now));
    index.insert("entries".into(), Value::Map(map));
    Ok(Value::Map(index))
}

/// Keeps Helm's `ChartVersion` fields, in struct order.
fn order_fields(v: &Map) -> Map {
    let mut out = Map::default();
    for k in VERSION_FIELDS {
        if let Some(x) = v.get(*k) {
            out.insert((*k).to_string(), x.clone());
        }
    }
    out
}

/// Helm's `ChartVersions.Less` under `sort.Reverse`, made stable:
/// versions that do not parse sort last.
fn compare_versions(a: &Map, b: &Map) -> Ordering {
    let parse = |m: &Map| {
        m.get("version")
            .and_then(Value::as_str)
            .and_then(|s| crate::version_range::LooseVersion::parse(s).ok())
    };
    match (parse(a), parse(b)) {
        (None, None) => Ordering::Equal,
        (None, Some(_)) => Ordering::Less,
        (Some(_), None) => Ordering::Greater,
        (Some(x), Some(y)) => (x.major, x.minor, x.patch)
            .cmp(&(y.major, y.minor, y.patch))
            .then_with(|| match (x.pre.is_empty(), y.pre.is_empty()) {
                (true, true) => Ordering::Equal,
                (true, false) => Ordering::Greater,
                (false, true) => Ordering::Less,
                (false, false) => x.pre.cmp(&y.pre),
            }),
    }
}

/// Reads an index (YAML or JSON) into (chart name, version map) pairs.
pub fn read_index(path: &Path) -> Result<Vec<(String, Map)>, PackageError> {
    let shown = path.display().to_string();
    let meta = std::fs::metadata(path).map_err(|e| PackageError::io(path, &e))?;
    // An index is text; refuse absurd sizes before reading.
    if meta.len() > crate::chart::MAX_ARCHIVE_SIZE {
        return Err(PackageError::invalid(&shown, "index file is too large"));
    }
    let text = std::fs::read_to_string(path).map_err(|e| PackageError::io(path, &e))?;
    let doc = crate::yaml::parse_document(&text)
        .map_err(|e| PackageError::invalid(&shown, format!("cannot parse index: {}", e.message)))?;
    let mut out = Vec::new();
    if let Some(Value::Map(entries)) = doc.as_map().and_then(|m| m.get("entries")) {
        for (name, list) in entries {
            if let Value::Seq(items) = list {
                for item in items {
                    if let Value::Map(m) = item {
                        out.push((name.clone(), m.clone()));
                    }
                }
            }
        }
    }
    Ok(out)
}

/// The index as Helm's `WriteJSONFile` writes it: `json.MarshalIndent`
/// with two spaces, struct field order, HTML characters escaped.
pub fn to_json(index: &Value) -> String {
    let Some(m) = index.as_map() else {
        return String::new();
    };
    let mut ordered = serde_json::Map::default();
    for key in ["apiVersion", "generated", "entries"] {
        if let Some(v) = m.get(key) {
            ordered.insert(key.to_string(), v.to_json());
        }
    }
    let text =
        serde_json::to_string_pretty(&serde_json::Value::Object(ordered)).unwrap_or_default();
    // Go's encoder escapes these even inside strings; in JSON text they
    // can only occur inside strings, so a plain replacement is exact.
    text.replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
        .replace('\u{2028}', "\\u2028")
        .replace('\u{2029}', "\\u2029")
}

/// `skiff repo index DIR`: writes `DIR/index.yaml` atomically and returns
/// its path.
pub fn repo_index(dir: &Path, opts: &IndexOptions) -> Result<PathBuf, PackageError> {
    let index = build_index(dir, opts, &now_rfc3339())?;
    let text = if opts.json {
        to_json(&index)
    } else {
        crate::yaml::to_yaml(&index)
    };
    let path = dir.join("index.yaml");
    archive::write_atomic(&path, text.as_bytes())?;
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_join_matches_go() {
        assert_eq!(
            url_join("https://x.io/charts", &["sub"]),
            "https://x.io/charts/sub"
        );
        assert_eq!(
            url_join("https://x.io/charts/", &["a.tgz"]),
            "https://x.io/charts/a.tgz"
        );
        assert_eq!(url_join("https://x.io", &["a.tgz"]), "https://x.io/a.tgz");
        assert_eq!(
            url_join("https://x.io/c?t=1", &["a.tgz"]),
            "https://x.io/c/a.tgz?t=1"
        );
        assert_eq!(url_join("", &["sub"]), "sub");
        assert_eq!(url_join("sub", &["a.tgz"]), "sub/a.tgz");
    }

    #[test]
    fn versions_sort_newest_first_unparsable_last() {
        let v = |s: &str| {
            let mut m = Map::default();
            m.insert("version".into(), Value::from(s));
            m
        };
        let mut list = [
            v("bad"),
            v("0.1.0"),
            v("1.0.0-rc.1"),
            v("1.0.0"),
            v("0.10.0"),
        ];
        list.sort_by(|a, b| compare_versions(b, a));
        let got: Vec<&str> = list
            .iter()
            .map(|m| m["version"].as_str().unwrap())
            .collect();
        assert_eq!(got, ["1.0.0", "1.0.0-rc.1", "0.10.0", "0.1.0", "bad"]);
    }

    #[test]
    fn now_is_rfc3339_utc() {
        let n = now_rfc3339();
        assert!(n.ends_with('Z') && n.len() >= 20, "{n}");
        assert!(!n.contains(".0Z"), "{n}");
    }

    #[test]
    fn json_escapes_like_go() {
        let mut m = Map::default();
        m.insert("apiVersion".into(), Value::from("v1"));
        m.insert("entries".into(), Value::from("<&>"));
        let j = to_json(&Value::Map(m));
        assert!(j.contains("\\u003c\\u0026\\u003e"), "{j}");
        assert!(j.starts_with("{\n  \"apiVersion\""), "{j}");
    }
}
