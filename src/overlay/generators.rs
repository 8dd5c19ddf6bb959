//! `configMapGenerator` / `secretGenerator` and the content-hash name suffix
//! (kustomize's `api/internal/generators`, `api/kv`, `api/hasher`).

use super::loader::Loader;
use super::resource::{Resource, scalar_text};
use crate::value::{Map, Value};
use base64::Engine as _;
use sha2::{Digest, Sha256};

/// Which generator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GeneratorKind {
    /// `configMapGenerator`.
    ConfigMap,
    /// `secretGenerator`.
    Secret,
}

/// Generator options after merging the kustomization-wide
/// `generatorOptions` into an entry's own `options`.
#[derive(Debug, Clone, Default)]
pub struct GeneratorOptions {
    /// Labels added to the generated object.
    pub labels: Vec<(String, String)>,
    /// Annotations added to the generated object.
    pub annotations: Vec<(String, String)>,
    /// No hash suffix.
    pub disable_name_suffix_hash: bool,
    /// `immutable: true`.
    pub immutable: bool,
}

impl GeneratorOptions {
    /// Reads an `options`/`generatorOptions` map.
    pub fn from_value(v: Option<&Value>) -> GeneratorOptions {
        let mut o = GeneratorOptions::default();
        let Some(m) = v.and_then(Value::as_map) else {
            return o;
        };
        let pairs = |k: &str| -> Vec<(String, String)> {
            m.get(k)
                .and_then(Value::as_map)
                .map(|m| m.iter().map(|(k, v)| (k.clone(), scalar_text(v))).collect())
                .unwrap_or_default()
        };
        o.labels = pairs("labels");
        o.annotations = pairs("annotations");
        o.disable_name_suffix_hash = m
            .get("disableNameSuffixHash")
            .and_then(Value::as_bool)
            .unwrap_or(false);
        o.immutable = m.get("immutable").and_then(Value::as_bool).unwrap_or(false);
        o
    }

    /// kustomize's `MergeGlobalOptionsIntoLocal`: the entry's own labels and
    /// annotations win; either side can disable the hash or set immutable.
    pub fn merged_with_global(mut self, global: &GeneratorOptions) -> GeneratorOptions {
        for (k, v) in &global.labels {
            if !self.labels.iter().any(|(x, _)| x == k) {
                self.labels.push((k.clone(), v.clone()));
            }
        }
        for (k, v) in &global.annotations {
            if !self.annotations.iter().any(|(x, _)| x == k) {
                self.annotations.push((k.clone(), v.clone()));
            }
        }
        self.disable_name_suffix_hash |= global.disable_name_suffix_hash;
        self.immutable |= global.immutable;
        self
    }
}

fn str_list(m: &Map, key: &str) -> Vec<String> {
    match m.get(key) {
        Some(Value::Seq(items)) => items.iter().map(scalar_text).collect(),
        Some(Value::String(s)) => vec![s.clone()],
        _ => Vec::new(),
    }
}

/// Builds one generated ConfigMap or Secret from a generator entry.
pub fn generate(
    kind: GeneratorKind,
    entry: &Value,
    global: &GeneratorOptions,
    loader: &Loader,
) -> Result<Resource, String> {
    let m = entry
        .as_map()
        .ok_or_else(|| "generator entry must be a map".to_string())?;
    let get = |k: &str| m.get(k).map(scalar_text).unwrap_or_default();
    let name = get("name");
    let namespace = get("namespace");
    let behavior = match get("behavior").as_str() {
        "" | "create" => "create",
        "merge" => "merge",
        "replace" => "replace",
        other => return Err(format!("unknown generator behavior '{other}'")),
    };
    let opts = GeneratorOptions::from_value(m.get("options")).merged_with_global(global);
    let kind_name = match kind {
        GeneratorKind::ConfigMap => "configmap",
        GeneratorKind::Secret => "secret",
    };
    if name.is_empty() {
        return Err(format!("a {kind_name} must have a name"));
    }

    // Pairs in kustomize's order: env files, then literals, then files.
    let mut pairs: Vec<(String, GoString)> = Vec::new();
    let mut envs = str_list(m, "envs");
    let env = get("env");
    if !env.is_empty() {
        envs.push(env);
    }
    for path in &envs {
        let content = loader.read_bytes(path)?;
        pairs.extend(env_pairs(&content)?);
    }
    for lit in str_list(m, "literals") {
        pairs.push(parse_literal(&lit)?);
    }
    for src in str_list(m, "files") {
        let (key, path) = parse_file_source(&src)?;
        let content = loader.read_bytes(&path)?;
        pairs.push((key, bytes_to_go_string(content)));
    }
    let mut seen = crate::hashing::HashSet::default();
    for (k, _) in &pairs {
        if !seen.insert(k.clone()) {
            return Err(format!(
                "{kind_name} {name} illegally repeats the key `{k}`"
            ));
        }
    }
    pairs.sort_by(|a, b| a.0.cmp(&b.0));

    let mut doc = Map::default();
    doc.insert("apiVersion".into(), Value::String("v1".into()));
    doc.insert(
        "kind".into(),
        Value::String(
            match kind {
                GeneratorKind::ConfigMap => "ConfigMap",
                GeneratorKind::Secret => "Secret",
            }
            .into(),
        ),
    );
    let mut meta = Map::default();
    meta.insert("name".into(), Value::String(name.clone()));
    if !namespace.is_empty() {
        meta.insert("namespace".into(), Value::String(namespace));
    }
    doc.insert("metadata".into(), Value::Map(meta));
    match kind {
        GeneratorKind::ConfigMap => {
            let mut data = Map::default();
            let mut binary = Map::default();
            for (k, v) in pairs {
                match v {
                    GoString::Utf8(s) => {
                        data.insert(k, Value::String(s));
                    }
                    GoString::Bytes(b) => {
                        binary.insert(k, Value::String(encode_base64_wrapped(&b)));
                    }
                }
            }
            if !data.is_empty() {
                doc.insert("data".into(), Value::Map(data));
            }
            if !binary.is_empty() {
                doc.insert("binaryData".into(), Value::Map(binary));
            }
        }
        GeneratorKind::Secret => {
            let t = get("type");
            doc.insert(
                "type".into(),
                Value::String(if t.is_empty() { "Opaque".into() } else { t }),
            );
            let mut data = Map::default();
            for (k, v) in pairs {
                data.insert(k, Value::String(encode_base64_wrapped(v.as_bytes())));
            }
            // kustomize creates `data` even when empty for secrets.
            doc.insert("data".into(), Value::Map(data));
        }
    }
    let mut res = Resource::new(Value::Map(doc), "");
    if let Some(meta) = res.metadata_mut() {
        if !opts.labels.is_empty() {
            let mut l = Map::default();
            for (k, v) in &opts.labels {
                l.insert(k.clone(), Value::String(v.clone()));
            }
            meta.insert("labels".into(), Value::Map(l));
        }
        if !opts.annotations.is_empty() {
            let mut a = Map::default();
            for (k, v) in &opts.annotations {
                a.insert(k.clone(), Value::String(v.clone()));
            }
            meta.insert("annotations".into(), Value::Map(a));
        }
    }
    if opts.immutable
        && let Some(map) = res.value.as_map_mut()
    {
        map.insert("immutable".into(), Value::Bool(true));
    }
    res.needs_hash = !opts.disable_name_suffix_hash;
    res.behavior = Some(behavior.to_string());
    Ok(res)
}

/// File content as Go would hold it in a `string`: valid UTF-8 goes to
/// `data`, anything else to `binaryData`.
#[derive(Debug, Clone)]
enum GoString {
    Utf8(String),
    Bytes(Vec<u8>),
}

impl GoString {
    fn as_bytes(&self) -> &[u8] {
        match self {
            GoString::Utf8(s) => s.as_bytes(),
            GoString::Bytes(b) => b,
        }
    }
}

fn bytes_to_go_string(b: Vec<u8>) -> GoString {
    match String::from_utf8(b) {
        Ok(s) => GoString::Utf8(s),
        Err(e) => GoString::Bytes(e.into_bytes()),
    }
}

/// kustomize's base64 layout: lines of 70 characters, and when there is
/// more than one line every line — the last included — ends in `\n`
/// (kyaml `encodeBase64`).
pub fn encode_base64_wrapped(b: &[u8]) -> String {
    let enc = base64::engine::general_purpose::STANDARD.encode(b);
    const LINE: usize = 70;
    if enc.len() / LINE < 1 {
        return enc;
    }
    let mut out = String::with_capacity(enc.len() + enc.len() / LINE + 1);
    for chunk in enc.as_bytes().chunks(LINE) {
        out.push_str(std::str::from_utf8(chunk).unwrap_or(""));
        out.push('\n');
    }
    out
}

fn parse_literal(src: &str) -> Result<(String, GoString), String> {
    match src.split_once('=') {
        Some((k, v)) if !k.is_empty() => Ok((k.to_string(), GoString::Utf8(remove_quotes(v)))),
        _ => Err(format!("invalid literal source {src}, expected key=value")),
    }
}

/// Strips one pair of matching surrounding quotes (kustomize `removeQuotes`).
fn remove_quotes(s: &str) -> String {
    let b = s.as_bytes();
    if b.len() >= 2 && b[0] == b[b.len() - 1] && (b[0] == b'"' || b[0] == b'\'') {
        s[1..s.len() - 1].to_string()
    } else {
        s.to_string()
    }
}

fn parse_file_source(src: &str) -> Result<(String, String), String> {
    let n = src.matches('=').count();
    match n {
        0 => {
            let base = src.trim_end_matches('/').rsplit('/').next().unwrap_or(src);
            Ok((base.to_string(), src.to_string()))
        }
        1 if src.starts_with('=') => Err(format!(
            "missing key name for file path {:?} in source {src:?}",
            &src[1..]
        )),
        1 if src.ends_with('=') => Err(format!(
            "missing file path for key name {:?} in source {src:?}",
            &src[..src.len() - 1]
        )),
        1 => {
            let (k, p) = src.split_once('=').unwrap_or((src, ""));
            Ok((k.to_string(), p.to_string()))
        }
        _ => Err(format!("source {src:?} key name or file path contains '='")),
    }
}

/// Parses an env file: `KEY=value` lines, `#` comments and blank lines
/// skipped, a UTF-8 BOM dropped from the first line, a line without `=`
/// giving an empty value (kustomize `keyValuesFromLines`).
fn env_pairs(content: &[u8]) -> Result<Vec<(String, GoString)>, String> {
    let text =
        std::str::from_utf8(content).map_err(|_| "env file has invalid utf8 bytes".to_string())?;
    let mut out = Vec::new();
    for (i, raw) in text.split('\n').enumerate() {
        let mut line = raw.strip_suffix('\r').unwrap_or(raw);
        if i == 0 {
            line = line.strip_prefix('\u{feff}').unwrap_or(line);
        }
        let line = line.trim_start();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (k, v) = line.split_once('=').unwrap_or((line, ""));
        if k.is_empty() || k.contains(char::is_whitespace) {
            return Err(format!(
                "{k:?}: a valid environment variable name must consist of alphabetic characters, digits, '_', '-', or '.', and must not start with a digit"
            ));
        }
        out.push((k.to_string(), GoString::Utf8(v.to_string())));
    }
    Ok(out)
}

/// The name suffix kustomize appends to a generated ConfigMap or Secret:
/// sha256 of a JSON summary, first 10 hex digits, with `0 1 3 a e` mapped
/// to `g h k m t` (`api/hasher`). The summary's `name` is always `""`:
/// kustomize looks it up with a one-element path `metadata/name` that never
/// matches (research §2.3), so we reproduce that.
pub fn content_hash(res: &Value) -> String {
    let m = res.as_map();
    let field = |k: &str| -> serde_json::Value {
        match m.and_then(|m| m.get(k)) {
            None => serde_json::Value::String(String::new()),
            Some(v @ (Value::Map(_) | Value::Seq(_))) => sorted_json(v),
            Some(Value::Null) => serde_json::Value::String(String::new()),
            Some(v) => serde_json::Value::String(scalar_text(v)),
        }
    };
    let kind = super::resource::str_field(res, "kind");
    let mut obj = std::collections::BTreeMap::new();
    obj.insert("kind", serde_json::Value::String(kind.to_string()));
    obj.insert("name", serde_json::Value::String(String::new()));
    obj.insert("data", field("data"));
    if kind == "Secret" {
        obj.insert("type", field("type"));
        if let Some(Value::Map(_)) = m.and_then(|m| m.get("stringData")) {
            obj.insert("stringData", field("stringData"));
        }
    } else if let Some(Value::Map(_)) = m.and_then(|m| m.get("binaryData")) {
        obj.insert("binaryData", field("binaryData"));
    }
    let json = serde_json::to_string(&obj).unwrap_or_default();
    let json = go_html_escape(&json);
    let digest = Sha256::digest(json.as_bytes());
    let hex: String = digest.iter().take(5).map(|b| format!("{b:02x}")).collect();
    hex.chars()
        .map(|c| match c {
            '0' => 'g',
            '1' => 'h',
            '3' => 'k',
            'a' => 'm',
            'e' => 't',
            c => c,
        })
        .collect()
}

/// JSON with map keys sorted, as Go's `encoding/json` writes maps.
fn sorted_json(v: &Value) -> serde_json::Value {
    match v {
        Value::Map(m) => {
            let mut keys: Vec<&String> = m.keys().collect();
            keys.sort();
            let mut out = serde_json::Map::default();
            for k in keys {
                out.insert(k.clone(), sorted_json(&m[k.as_str()]));
            }
            serde_json::Value::Object(out)
        }
        Value::Seq(items) => serde_json::Value::Array(items.iter().map(sorted_json).collect()),
        other => other.to_json(),
    }
}

/// Go's `encoding/json` escapes `<`, `>`, `&`, U+2028 and U+2029.
fn go_html_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_wraps_at_70_with_trailing_newline() {
        let short = encode_base64_wrapped(b"hello");
        assert_eq!(short, "aGVsbG8=");
        let long = encode_base64_wrapped(&[b'x'; 60]);
        assert!(long.ends_with('\n'));
        assert_eq!(long.lines().next().unwrap().len(), 70);
    }

    #[test]
    fn literal_quotes_removed_once() {
        let (k, v) = parse_literal("a=\"b\"").unwrap();
        assert_eq!(k, "a");
        assert!(matches!(v, GoString::Utf8(ref s) if s == "b"));
        assert!(parse_literal("=x").is_err());
    }

    #[test]
    fn hash_ignores_name() {
        let a = crate::yaml::parse_document("kind: ConfigMap\nmetadata: {name: a}\ndata: {k: v}\n")
            .unwrap();
        let b = crate::yaml::parse_document("kind: ConfigMap\nmetadata: {name: b}\ndata: {k: v}\n")
            .unwrap();
        assert_eq!(content_hash(&a), content_hash(&b));
        assert_eq!(content_hash(&a).len(), 10);
    }
}
