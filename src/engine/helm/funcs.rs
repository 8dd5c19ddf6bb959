//! Helm's own template functions (`pkg/engine/funcs.go`, `engine.go`
//! initFunMap) on top of Sprig: serialisation (`toYaml`, `toJson`,
//! `toToml` and their readers), `include`, `tpl`, `required`, `fail`, and
//! the cluster functions that are inert under `helm template` (`lookup`,
//! `getHostByName`).

use crate::hashing::HashMap;
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::Arc;

use base64::Engine as _;

use crate::engine::gotmpl::format::{FmtArg, sprint};
use crate::engine::gotmpl::sprig::collections::json::write_string;
use crate::engine::gotmpl::{FuncCtx, FuncMap, Function, GoValue, NumberMode, ParamType};
use crate::value::Value;
use crate::yaml::{EmitOptions, format_go_float, format_json_float};

/// Helm's `recursionMaxNums`: an `include` of a name already this deep in
/// the include stack fails instead of recursing further.
pub const INCLUDE_RECURSION_LIMIT: usize = 1000;

/// Markers Helm wraps `required`/`fail` messages in (`warnWrap`), so the
/// error reformatting can print them as `execution error at (…): msg`.
pub const WARN_START: &str = "HELM_ERR_START";
/// See [`WARN_START`].
pub const WARN_END: &str = "HELM_ERR_END";

/// The name Helm's root template set has (`template.New("gotpl")`); `tpl`
/// parses its text under it.
pub const ROOT_NAME: &str = "gotpl";

/// A field name no template can spell (identifiers are alphanumeric):
/// host objects answer it with their `encoding/json` form.
pub const JSON_FIELD: &str = "%json";

/// Like [`JSON_FIELD`]: a struct's `json:` tag names, parallel to its
/// `field_names`, when they differ from the Go names.
pub const JSON_NAMES_FIELD: &str = "%jsonnames";

thread_local! {
    /// Helm's `includedNames`: include depth per template name, shared by
    /// the whole render including `tpl` clones (one render per thread).
    static INCLUDED: RefCell<HashMap<String, usize>> = RefCell::new(HashMap::default());
}

/// Forgets include depths left by a failed render on this thread.
pub fn reset_include_depths() {
    INCLUDED.with(|m| m.borrow_mut().clear());
}

fn f<F>(params: Vec<ParamType>, variadic: Option<ParamType>, body: F) -> Arc<Function>
where
    F: Fn(&mut FuncCtx<'_>, Vec<GoValue>) -> Result<GoValue, String> + Send + Sync + 'static,
{
    Arc::new(Function::new(params, variadic, body))
}

/// Sprig (without `env`/`expandenv`, as Helm removes them) plus Helm's
/// functions. With a `seed`, Sprig's random functions (`randAlphaNum`,
/// `uuidv4`, `genCA`, …) are deterministic for this map's lifetime, which
/// is one render (`--seed`).
pub fn helm_funcs(seed: Option<u64>) -> FuncMap {
    let mut m = crate::engine::gotmpl::sprig::sprig_funcs_with_seed(seed);
    m.remove("env");
    m.remove("expandenv");
    register(&mut m);
    m
}

/// Adds Helm's functions to `m`, replacing Sprig's of the same name.
pub fn register(m: &mut FuncMap) {
    use ParamType::{Any, String as S};
    m.insert(
        "toYaml".into(),
        f(vec![Any], None, |_, a| {
            Ok(GoValue::str(&to_yaml(&a[0], false).unwrap_or_default()))
        }),
    );
    m.insert(
        "mustToYaml".into(),
        f(vec![Any], None, |_, a| {
            to_yaml(&a[0], false).map(|s| GoValue::str(&s))
        }),
    );
    m.insert(
        "toYamlPretty".into(),
        f(vec![Any], None, |_, a| {
            Ok(GoValue::str(&to_yaml(&a[0], true).unwrap_or_default()))
        }),
    );
    m.insert(
        "fromYaml".into(),
        f(vec![S], None, |_, a| Ok(from_yaml(str_arg(&a[0])))),
    );
    m.insert(
        "fromYamlArray".into(),
        f(vec![S], None, |_, a| Ok(from_yaml_array(str_arg(&a[0])))),
    );
    m.insert(
        "toJson".into(),
        f(vec![Any], None, |_, a| {
            Ok(GoValue::str(&to_json(&a[0], true).unwrap_or_default()))
        }),
    );
    m.insert(
        "mustToJson".into(),
        f(vec![Any], None, |_, a| {
            to_json(&a[0], true).map(|s| GoValue::str(&s))
        }),
    );
    m.insert(
        "fromJson".into(),
        f(vec![S], None, |_, a| {
            Ok(match parse_json(str_arg(&a[0])) {
                Ok(v @ GoValue::Map(_)) => v,
                Ok(GoValue::Nil) => GoValue::map(BTreeMap::new()),
                Ok(other) => error_map(format!(
                    "json: cannot unmarshal {} into Go value of type map[string]interface {{}}",
                    json_kind(&other)
                )),
                Err(e) => error_map(e),
            })
        }),
    );
    // Sprig's mustFromJson (Helm keeps it): any JSON document, decoded into
    // an `interface {}`, with the decoder's error returned.
    m.insert(
        "mustFromJson".into(),
        f(vec![S], None, |_, a| parse_json(str_arg(&a[0]))),
    );
    m.insert(
        "fromJsonArray".into(),
        f(vec![S], None, |_, a| {
            Ok(match parse_json(str_arg(&a[0])) {
                Ok(v @ GoValue::List(_)) => v,
                Ok(GoValue::Nil) => GoValue::list(Vec::new()),
                Ok(other) => GoValue::list(vec![GoValue::str(&format!(
                    "json: cannot unmarshal {} into Go value of type []interface {{}}",
                    json_kind(&other)
                ))]),
                Err(e) => GoValue::list(vec![GoValue::str(&e)]),
            })
        }),
    );
    m.insert(
        "toToml".into(),
        f(vec![Any], None, |_, a| {
            Ok(GoValue::str(&match to_toml(&a[0]) {
                Ok(s) | Err(s) => s,
            }))
        }),
    );
    m.insert(
        "fromToml".into(),
        f(vec![S], None, |_, a| Ok(from_toml(str_arg(&a[0])))),
    );
    m.insert("include".into(), f(vec![S, Any], None, include));
    m.insert("tpl".into(), f(vec![S, Any], None, tpl));
    m.insert(
        "required".into(),
        f(vec![S, Any], None, |_, a| {
            let empty = match &a[1] {
                GoValue::Nil | GoValue::Missing => true,
                GoValue::String(s) => s.is_empty(),
                _ => false,
            };
            if empty {
                Err(format!("{WARN_START}{}{WARN_END}", str_arg(&a[0])))
            } else {
                Ok(a[1].clone())
            }
        }),
    );
    m.insert(
        "fail".into(),
        f(vec![S], None, |_, a| {
            Err(format!("{WARN_START}{}{WARN_END}", str_arg(&a[0])))
        }),
    );
    // No cluster under `helm template`: lookups find nothing.
    m.insert(
        "lookup".into(),
        f(vec![S, S, S, S], None, |_, _| {
            Ok(GoValue::map(BTreeMap::new()))
        }),
    );
    // DNS is disabled unless `--enable-dns`, which skiff does not offer.
    m.insert(
        "getHostByName".into(),
        f(vec![S], None, |_, _| Ok(GoValue::str(""))),
    );
}

fn str_arg(v: &GoValue) -> &str {
    v.as_str().unwrap_or_default()
}

fn error_map(msg: String) -> GoValue {
    let mut m = BTreeMap::new();
    m.insert("Error".to_string(), GoValue::str(&msg));
    GoValue::map(m)
}

/// `include NAME DATA`: runs a named template of the executing set (a `tpl`
/// clone included) and returns its text.
fn include(ctx: &mut FuncCtx<'_>, a: Vec<GoValue>) -> Result<GoValue, String> {
    let name = str_arg(&a[0]);
    // A name's counter is made once; later calls find it without a copy
    // of the name.
    let depth = INCLUDED.with(|m| {
        let mut m = m.borrow_mut();
        match m.get_mut(name) {
            Some(d) => {
                *d += 1;
                *d
            }
            None => {
                m.insert(name.to_string(), 1);
                1
            }
        }
    });
    // Helm checks the count before incrementing it: the call that would
    // make it 1002 fails.
    let result = if depth > INCLUDE_RECURSION_LIMIT + 1 {
        Err(format!(
            "rendering template has a nested reference name: {name}: unable to execute template"
        ))
    } else {
        ctx.execute_template(name, &a[1]).map_err(|e| e.message)
    };
    INCLUDED.with(|m| {
        if let Some(d) = m.borrow_mut().get_mut(name) {
            *d -= 1;
        }
    });
    result.map(|s| GoValue::str(&s))
}

/// `tpl TEXT DATA`: parses TEXT into a copy of the running template set
/// (so it sees every `define`, and its own defines stay local) under the
/// root name, executes it and erases `<no value>` (`engine.go` tplFun).
fn tpl(ctx: &mut FuncCtx<'_>, a: Vec<GoValue>) -> Result<GoValue, String> {
    let text = str_arg(&a[0]);
    let quoted = crate::engine::gotmpl::node::go_quote(text);
    let mut t = ctx.template().with_name(ROOT_NAME);
    t.parse_named(ROOT_NAME, text)
        .map_err(|e| format!("cannot parse template {quoted}: {}", e.message))?;
    let mut out = String::new();
    t.execute_template(&mut out, ROOT_NAME, &a[1])
        .map_err(|e| {
            format!(
                "error during tpl function execution for {quoted}: {}",
                e.message
            )
        })?;
    Ok(GoValue::str(&out.replace("<no value>", "")))
}

/// The value as `encoding/json` sees it, as a project [`Value`] (what
/// sigs.k8s.io/yaml round-trips through): numbers keep Go's kind (`Int`
/// for Go integers, `Float` for float64), `[]byte` becomes base64 text,
/// host objects their JSON form. Functions cannot be marshalled.
pub fn to_json_value(v: &GoValue) -> Result<Value, String> {
    // Maps are shared and mutable (`set $d "x" $d`): refuse a cycle up
    // front, with encoding/json's words, instead of recursing forever.
    v.check_cycles().map_err(|_| {
        "json: unsupported value: encountered a cycle via map[string]interface {}".to_string()
    })?;
    json_value_of(v)
}

fn json_value_of(v: &GoValue) -> Result<Value, String> {
    Ok(match v {
        GoValue::Missing | GoValue::Nil => Value::Null,
        GoValue::Bool(b) => Value::Bool(*b),
        GoValue::Int(i) | GoValue::Int64(i) => Value::Int(*i),
        GoValue::Uint64(u) => match i64::try_from(*u) {
            Ok(i) => Value::Int(i),
            Err(_) => Value::Float(*u as f64),
        },
        GoValue::Float(x) => Value::Float(*x),
        GoValue::Complex(..) => return Err("json: unsupported type: complex128".into()),
        GoValue::String(s) => Value::String(s.to_string()),
        GoValue::Bytes(b) => Value::String(base64::engine::general_purpose::STANDARD.encode(b)),
        GoValue::List(l) => Value::Seq(
            l.items
                .iter()
                .map(json_value_of)
                .collect::<Result<_, _>>()?,
        ),
        // A nil Go map encodes as `null` (`.Chart.Annotations` of a chart
        // without annotations).
        GoValue::Map(m) if m.map_type().nil && m.is_empty() => Value::Null,
        // `to_json_value` refused cycles, so no map's lock is taken twice.
        GoValue::Map(m) => m.with_entries(|entries| {
            let mut out = crate::value::Map::with_capacity(entries.len());
            for (k, v) in entries {
                out.insert(k.clone(), json_value_of(v)?);
            }
            Ok::<_, String>(Value::Map(out))
        })?,
        GoValue::Object(o) => return object_json(o.as_ref()),
        GoValue::Func(func) => {
            return Err(format!("json: unsupported type: {}", func.type_name()));
        }
    })
}

/// A host object's JSON form: its `%json` hook, or its exported fields.
fn object_json(o: &dyn crate::engine::gotmpl::Object) -> Result<Value, String> {
    if let Some(v) = o.field(JSON_FIELD) {
        return to_json_value(&v);
    }
    // Masterminds/semver's Version implements json.Marshaler with its
    // String() form.
    if matches!(o.type_name(), "*semver.Version" | "semver.Version")
        && let Some(s) = o.string()
    {
        return Ok(Value::String(s));
    }
    let names = o.field_names();
    let json_names: Vec<String> = match o.field(JSON_NAMES_FIELD) {
        Some(GoValue::List(l)) => l
            .items
            .iter()
            .map(|v| v.as_str().unwrap_or_default().to_string())
            .collect(),
        _ => names.clone(),
    };
    // encoding/json writes struct fields in declaration order.
    let mut out = crate::value::Map::default();
    for (name, json) in names.iter().zip(json_names) {
        if name.starts_with('%') {
            continue;
        }
        out.insert(json, to_json_value(&o.field(name).unwrap_or(GoValue::Nil))?);
    }
    Ok(Value::Map(out))
}

fn to_yaml(v: &GoValue, pretty: bool) -> Result<String, String> {
    let value = to_json_value(v).map_err(|e| format!("error marshaling into JSON: {e}"))?;
    let text = if pretty {
        let opts = EmitOptions {
            indent_sequences: true,
            ..EmitOptions::default()
        };
        crate::yaml::to_yaml_with(&value, opts)
    } else {
        crate::yaml::try_to_yaml(&value).map_err(|e| e.to_string())?
    };
    Ok(text.strip_suffix('\n').map(str::to_string).unwrap_or(text))
}

/// The message sigs.k8s.io/yaml gives for a document go-yaml cannot read:
/// the reader's message is translated to go-yaml's wording for the common
/// cases, so `fromYaml`'s `Error` value reads like Helm's.
fn yaml_error(e: &crate::yaml::YamlError, text: &str) -> String {
    let mut msg = e.message.as_str();
    // Drop the reader's own `line N column M: ` prefix.
    if let Some(rest) = msg.strip_prefix("line ")
        && let Some(i) = rest.find(": ")
        && rest[..i].contains("column")
    {
        msg = &rest[i + 2..];
    }
    let translated =
        if msg.starts_with("unclosed bracket '['") || msg.starts_with("unclosed bracket '{'") {
            let open = if msg.contains('[') { '[' } else { '{' };
            let after = text.rsplit(open).next().unwrap_or("");
            if after.trim().is_empty() {
                "did not find expected node content".to_string()
            } else if open == '[' {
                "did not find expected ',' or ']'".to_string()
            } else {
                "did not find expected ',' or '}'".to_string()
            }
        } else if msg.starts_with("tabs disallowed") {
            "found character that cannot start any token".to_string()
        } else {
            msg.to_string()
        };
    match e.line {
        Some(line) => format!("error converting YAML to JSON: yaml: line {line}: {translated}"),
        None => format!("error converting YAML to JSON: yaml: {translated}"),
    }
}

/// The text of the first YAML document: Helm's fromYaml decodes with
/// go-yaml's `Unmarshal`, which reads one document and never looks at the
/// rest (`fromYaml "a: 1\n---\nb: ["` is `map[a:1]`; a rendered manifest
/// ending in `---` parses). A `---` line before any content opens the first
/// document instead of ending it.
pub(super) fn first_document(text: &str) -> &str {
    // Every marker starts a line with `---` or `...`; most texts have none.
    let begins_a_line = |m: &[u8]| {
        text.as_bytes().starts_with(&m[1..]) || memchr::memmem::find(text.as_bytes(), m).is_some()
    };
    if !begins_a_line(b"\n---") && !begins_a_line(b"\n...") {
        return text;
    }
    let mut seen_content = false;
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let bare = line.trim_end_matches(['\n', '\r']);
        let marker = bare == "---"
            || bare == "..."
            || bare.starts_with("--- ")
            || bare.starts_with("---\t")
            || bare.starts_with("... ");
        if marker && seen_content {
            return &text[..offset];
        }
        let trimmed = bare.trim_start();
        if marker || (!trimmed.is_empty() && !trimmed.starts_with('#') && !bare.starts_with('%')) {
            seen_content = true;
        }
        offset += line.len();
    }
    text
}

fn from_yaml(text: &str) -> GoValue {
    let text = first_document(text);
    match crate::yaml::parse_document(text) {
        Ok(Value::Null) => GoValue::map(BTreeMap::new()),
        Ok(v @ Value::Map(_)) => GoValue::from_value(&v, NumberMode::Helm),
        Ok(other) => error_map(format!(
            "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal {} into Go value of type map[string]interface {{}}",
            value_kind(&other)
        )),
        Err(e) => error_map(yaml_error(&e, text)),
    }
}

fn from_yaml_array(text: &str) -> GoValue {
    let text = first_document(text);
    match crate::yaml::parse_document(text) {
        Ok(Value::Null) => GoValue::list(Vec::new()),
        Ok(v @ Value::Seq(_)) => GoValue::from_value(&v, NumberMode::Helm),
        Ok(other) => GoValue::list(vec![GoValue::str(&format!(
            "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal {} into Go value of type []interface {{}}",
            value_kind(&other)
        ))]),
        Err(e) => GoValue::list(vec![GoValue::str(&yaml_error(&e, text))]),
    }
}

fn value_kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "bool",
        Value::Int(_) | Value::DocInt(_) | Value::Float(_) => "number",
        Value::String(_) => "string",
        Value::Seq(_) => "array",
        Value::Map(_) => "object",
    }
}

fn json_kind(v: &GoValue) -> &'static str {
    match v {
        GoValue::Bool(_) => "bool",
        GoValue::Float(_) => "number",
        GoValue::String(_) => "string",
        GoValue::List(_) => "array",
        GoValue::Map(_) => "object",
        _ => "null",
    }
}

// ---------------------------------------------------------------- JSON out

/// Go `encoding/json.Marshal`: sorted keys, `<`, `>`, `&`, U+2028 and
/// U+2029 escaped (with `html`), Go's float spelling, base64 `[]byte`.
pub fn to_json(v: &GoValue, html: bool) -> Result<String, String> {
    let value = to_json_value(v)?;
    let mut out = String::new();
    write_json(&mut out, &value, html)?;
    Ok(out)
}

fn write_json(out: &mut String, v: &Value, html: bool) -> Result<(), String> {
    match v {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Int(i) | Value::DocInt(i) => {
            let _ = write!(out, "{i}");
        }
        Value::Float(x) => {
            if !x.is_finite() {
                return Err(format!("json: unsupported value: {}", format_go_float(*x)));
            }
            out.push_str(&format_json_float(*x));
        }
        Value::String(s) => write_string(out, s, html),
        Value::Seq(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_json(out, item, html)?;
            }
            out.push(']');
        }
        // Go maps arrive sorted (GoValue maps are), structs in field order.
        Value::Map(m) => {
            out.push('{');
            for (i, (k, v)) in m.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_string(out, k, html);
                out.push(':');
                write_json(out, v, html)?;
            }
            out.push('}');
        }
    }
    Ok(())
}

// ---------------------------------------------------------------- JSON in

/// Parses JSON the way `encoding/json.Unmarshal` into `interface{}` does
/// (numbers are float64), with Go's syntax error messages.
pub fn parse_json(text: &str) -> Result<GoValue, String> {
    let mut p = JsonParser {
        s: text.as_bytes(),
        i: 0,
    };
    p.ws();
    if p.i >= p.s.len() {
        return Err("unexpected end of JSON input".into());
    }
    let v = p.value("looking for beginning of value")?;
    p.ws();
    if p.i < p.s.len() {
        return Err(p.invalid("after top-level value"));
    }
    Ok(v)
}

struct JsonParser<'a> {
    s: &'a [u8],
    i: usize,
}

impl JsonParser<'_> {
    fn ws(&mut self) {
        while self
            .s
            .get(self.i)
            .is_some_and(|b| matches!(b, b' ' | b'\t' | b'\n' | b'\r'))
        {
            self.i += 1;
        }
    }

    fn invalid(&self, ctx: &str) -> String {
        match self.s.get(self.i) {
            None => "unexpected end of JSON input".into(),
            Some(_) => {
                let rest = String::from_utf8_lossy(&self.s[self.i..]);
                let c = rest.chars().next().unwrap_or('?');
                let q = match c {
                    '\'' => "'\\''".to_string(),
                    '"' => "'\"'".to_string(),
                    c if (c as u32) < 0x20 => format!("'\\x{:02x}'", c as u32),
                    c => format!("'{c}'"),
                };
                format!("invalid character {q} {ctx}")
            }
        }
    }

    fn value(&mut self, ctx: &str) -> Result<GoValue, String> {
        self.ws();
        match self.s.get(self.i) {
            None => Err("unexpected end of JSON input".into()),
            Some(b'{') => {
                self.i += 1;
                let mut m = BTreeMap::new();
                self.ws();
                if self.s.get(self.i) == Some(&b'}') {
                    self.i += 1;
                    return Ok(GoValue::map(m));
                }
                loop {
                    self.ws();
                    if self.s.get(self.i) != Some(&b'"') {
                        return Err(self.invalid("looking for beginning of object key string"));
                    }
                    let k = self.string()?;
                    self.ws();
                    if self.s.get(self.i) != Some(&b':') {
                        return Err(self.invalid("after object key"));
                    }
                    self.i += 1;
                    let v = self.value("looking for beginning of value")?;
                    m.insert(k, v);
                    self.ws();
                    match self.s.get(self.i) {
                        Some(b',') => self.i += 1,
                        Some(b'}') => {
                            self.i += 1;
                            return Ok(GoValue::map(m));
                        }
                        _ => return Err(self.invalid("after object key:value pair")),
                    }
                }
            }
            Some(b'[') => {
                self.i += 1;
                let mut items = Vec::new();
                self.ws();
                if self.s.get(self.i) == Some(&b']') {
                    self.i += 1;
                    return Ok(GoValue::list(items));
                }
                loop {
                    items.push(self.value("looking for beginning of value")?);
                    self.ws();
                    match self.s.get(self.i) {
                        Some(b',') => self.i += 1,
                        Some(b']') => {
                            self.i += 1;
                            return Ok(GoValue::list(items));
                        }
                        _ => return Err(self.invalid("after array element")),
                    }
                }
            }
            Some(b'"') => Ok(GoValue::str(&self.string()?)),
            Some(b't') => self.word("true", GoValue::Bool(true)),
            Some(b'f') => self.word("false", GoValue::Bool(false)),
            Some(b'n') => self.word("null", GoValue::Nil),
            Some(b'-' | b'0'..=b'9') => self.number(),
            Some(_) => Err(self.invalid(ctx)),
        }
    }

    fn word(&mut self, w: &str, v: GoValue) -> Result<GoValue, String> {
        for (n, b) in w.bytes().enumerate() {
            if self.s.get(self.i) != Some(&b) {
                let lit = &w[..n.max(1)];
                return Err(self.invalid(&format!("in literal {lit} (expecting '{}')", b as char)));
            }
            self.i += 1;
        }
        Ok(v)
    }

    fn number(&mut self) -> Result<GoValue, String> {
        let start = self.i;
        if self.s.get(self.i) == Some(&b'-') {
            self.i += 1;
        }
        let digits = |p: &mut Self| {
            let st = p.i;
            while p.s.get(p.i).is_some_and(u8::is_ascii_digit) {
                p.i += 1;
            }
            p.i - st
        };
        if self.s.get(self.i) == Some(&b'0') {
            self.i += 1;
        } else if digits(self) == 0 {
            return Err(self.invalid("in numeric literal"));
        }
        if self.s.get(self.i) == Some(&b'.') {
            self.i += 1;
            if digits(self) == 0 {
                return Err(self.invalid("after decimal point in numeric literal"));
            }
        }
        if matches!(self.s.get(self.i), Some(b'e' | b'E')) {
            self.i += 1;
            if matches!(self.s.get(self.i), Some(b'+' | b'-')) {
                self.i += 1;
            }
            if digits(self) == 0 {
                return Err(self.invalid("in exponent of numeric literal"));
            }
        }
        let text = String::from_utf8_lossy(&self.s[start..self.i]);
        text.parse::<f64>().map(GoValue::Float).map_err(|_| {
            format!("json: cannot unmarshal number {text} into Go value of type float64")
        })
    }

    fn string(&mut self) -> Result<String, String> {
        self.i += 1;
        let mut out: Vec<u8> = Vec::new();
        loop {
            let Some(&b) = self.s.get(self.i) else {
                return Err("unexpected end of JSON input".into());
            };
            match b {
                b'"' => {
                    self.i += 1;
                    return Ok(String::from_utf8_lossy(&out).into_owned());
                }
                b'\\' => {
                    self.i += 1;
                    let Some(&e) = self.s.get(self.i) else {
                        return Err("unexpected end of JSON input".into());
                    };
                    self.i += 1;
                    let c = match e {
                        b'"' => '"',
                        b'\\' => '\\',
                        b'/' => '/',
                        b'b' => '\u{8}',
                        b'f' => '\u{c}',
                        b'n' => '\n',
                        b'r' => '\r',
                        b't' => '\t',
                        b'u' => {
                            let hi = self.hex4()?;
                            let mut code = hi;
                            if (0xD800..0xDC00).contains(&hi)
                                && self.s.get(self.i) == Some(&b'\\')
                                && self.s.get(self.i + 1) == Some(&b'u')
                            {
                                let save = self.i;
                                self.i += 2;
                                let lo = self.hex4()?;
                                if (0xDC00..0xE000).contains(&lo) {
                                    code = 0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00);
                                } else {
                                    self.i = save;
                                }
                            }
                            char::from_u32(code).unwrap_or('\u{FFFD}')
                        }
                        _ => {
                            self.i -= 1;
                            return Err(self.invalid("in string escape code"));
                        }
                    };
                    let mut buf = [0u8; 4];
                    out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
                }
                b if b < 0x20 => return Err(self.invalid("in string literal")),
                b => {
                    out.push(b);
                    self.i += 1;
                }
            }
        }
    }

    fn hex4(&mut self) -> Result<u32, String> {
        let mut v = 0u32;
        for _ in 0..4 {
            let Some(&b) = self.s.get(self.i) else {
                return Err("unexpected end of JSON input".into());
            };
            let d = (b as char)
                .to_digit(16)
                .ok_or_else(|| self.invalid("in \\u hexadecimal character escape"))?;
            v = v * 16 + d;
            self.i += 1;
        }
        Ok(v)
    }
}

// ---------------------------------------------------------------- TOML

/// BurntSushi/toml's encoder as Helm's `toToml` uses it: a table's plain
/// keys first (sorted), then its sub-tables and arrays of tables (sorted),
/// nested content indented two spaces per level. The error case returns
/// the encoder's message, which Helm prints as the result.
pub fn to_toml(v: &GoValue) -> Result<String, String> {
    let value = to_json_value(v).map_err(|e| format!("toml: {e}"))?;
    let mut out = String::new();
    match &value {
        Value::Map(m) => {
            let mut w = TomlWriter {
                out: &mut out,
                written: false,
            };
            w.table(&[], m)?;
        }
        Value::Seq(items) if items.iter().any(|i| matches!(i, Value::Map(_))) => {
            return Err("toml: top-level values must be Go maps or structs".into());
        }
        other => toml_inline(&mut out, other)?,
    }
    Ok(out)
}

struct TomlWriter<'a> {
    out: &'a mut String,
    written: bool,
}

fn is_table_array(v: &Value) -> bool {
    matches!(v, Value::Seq(items) if !items.is_empty() && items.iter().all(|i| matches!(i, Value::Map(_))))
}

fn toml_key(k: &str) -> String {
    if !k.is_empty()
        && k.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
    {
        k.to_string()
    } else {
        let mut s = String::new();
        toml_string(&mut s, k);
        s
    }
}

fn toml_path(path: &[String]) -> String {
    path.iter()
        .map(|k| toml_key(k))
        .collect::<Vec<_>>()
        .join(".")
}

impl TomlWriter<'_> {
    fn newline(&mut self) {
        if self.written {
            self.out.push('\n');
        }
    }

    fn write(&mut self, s: &str) {
        self.out.push_str(s);
        self.written = true;
    }

    fn table(&mut self, path: &[String], m: &crate::value::Map) -> Result<(), String> {
        let mut keys: Vec<&String> = m.keys().collect();
        keys.sort();
        let indent = "  ".repeat(path.len());
        for k in &keys {
            let v = &m[k.as_str()];
            if matches!(v, Value::Null | Value::Map(_)) || is_table_array(v) {
                continue;
            }
            let mut line = format!("{indent}{} = ", toml_key(k));
            toml_inline(&mut line, v)?;
            self.write(&line);
            self.newline();
        }
        for k in &keys {
            let v = &m[k.as_str()];
            let mut sub = path.to_vec();
            sub.push((*k).clone());
            match v {
                Value::Map(inner) => {
                    if sub.len() == 1 {
                        self.newline();
                    }
                    let head = format!("{indent}[{}]", toml_path(&sub));
                    self.write(&head);
                    self.newline();
                    self.table(&sub, inner)?;
                }
                Value::Seq(items) if is_table_array(v) => {
                    for item in items {
                        if let Value::Map(inner) = item {
                            self.newline();
                            let head = format!("{indent}[[{}]]", toml_path(&sub));
                            self.write(&head);
                            self.newline();
                            self.table(&sub, inner)?;
                        }
                    }
                }
                _ => {}
            }
        }
        Ok(())
    }
}

fn toml_string(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{8}' => out.push_str("\\b"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\u{c}' => out.push_str("\\f"),
            '\r' => out.push_str("\\r"),
            c if (c as u32) < 0x20 || c == '\u{7f}' => {
                let _ = write!(out, "\\u{:04X}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

fn toml_inline(out: &mut String, v: &Value) -> Result<(), String> {
    match v {
        Value::Null => return Err("toml: cannot encode array with nil element".into()),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Int(i) | Value::DocInt(i) => {
            let _ = write!(out, "{i}");
        }
        Value::Float(x) => {
            if x.is_nan() {
                out.push_str("nan");
            } else if x.is_infinite() {
                out.push_str(if *x > 0.0 { "inf" } else { "-inf" });
            } else {
                let s = format_go_float(*x);
                out.push_str(&s);
                if !s.contains(['.', 'e', 'n', 'N', 'i']) {
                    out.push_str(".0");
                }
            }
        }
        Value::String(s) => toml_string(out, s),
        Value::Seq(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                toml_inline(out, item)?;
            }
            out.push(']');
        }
        Value::Map(m) => {
            let mut keys: Vec<&String> = m.keys().collect();
            keys.sort();
            out.push('{');
            let mut first = true;
            for k in keys {
                let v = &m[k.as_str()];
                if matches!(v, Value::Null) {
                    continue;
                }
                out.push_str(if first { "" } else { ", " });
                first = false;
                let _ = write!(out, "{} = ", toml_key(k));
                toml_inline(out, v)?;
            }
            out.push('}');
        }
    }
    Ok(())
}

/// `fromToml`: a small TOML reader for the shapes charts use (key/value
/// lines, `[table]`/`[[array]]` headers, strings, numbers, booleans, arrays,
/// inline tables); errors land in the map's `Error` key as in Helm.
fn from_toml(text: &str) -> GoValue {
    match toml_read::parse(text) {
        Ok(v) => GoValue::from_value(&v, NumberMode::Helm),
        Err(e) => error_map(e),
    }
}

mod toml_read {
    use crate::value::{Map, Value};

    pub(super) fn parse(text: &str) -> Result<Value, String> {
        let mut root = Map::default();
        let mut path: Vec<String> = Vec::new();
        let mut array_table = false;
        for (n, raw) in text.lines().enumerate() {
            let line_no = n + 1;
            let line = strip_comment(raw).trim();
            if line.is_empty() {
                continue;
            }
            if let Some(h) = line.strip_prefix("[[").and_then(|l| l.strip_suffix("]]")) {
                path = split_key(h);
                array_table = true;
                let parent = table_at(&mut root, &path[..path.len().saturating_sub(1)], line_no)?;
                let last = path.last().cloned().unwrap_or_default();
                let entry = parent.entry(last).or_insert_with(|| Value::Seq(Vec::new()));
                match entry {
                    Value::Seq(items) => items.push(Value::Map(Map::default())),
                    _ => {
                        return Err(format!(
                            "toml: line {line_no}: key is not an array of tables"
                        ));
                    }
                }
                continue;
            }
            if let Some(h) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
                path = split_key(h);
                array_table = false;
                table_at(&mut root, &path, line_no)?;
                continue;
            }
            let Some((k, v)) = line.split_once('=') else {
                return Err(format!(
                    "toml: line {line_no}: expected '.' or '=', but got '\\n' instead"
                ));
            };
            let key = split_key(k);
            let last_key = key.last().cloned().unwrap_or_default();
            let mut rest = v.trim();
            let value = value(&mut rest, line_no, &last_key)?;
            let _ = array_table;
            let t = table_at(&mut root, &path, line_no)?;
            let t = table_at(t, &key[..key.len().saturating_sub(1)], line_no)?;
            t.insert(last_key, value);
        }
        Ok(Value::Map(root))
    }

    fn strip_comment(s: &str) -> &str {
        let mut in_str = None;
        for (i, c) in s.char_indices() {
            match (c, in_str) {
                ('"' | '\'', None) => in_str = Some(c),
                (q, Some(open)) if q == open => in_str = None,
                ('#', None) => return &s[..i],
                _ => {}
            }
        }
        s
    }

    fn split_key(k: &str) -> Vec<String> {
        k.split('.')
            .map(|p| p.trim().trim_matches('"').trim_matches('\'').to_string())
            .collect()
    }

    fn table_at<'m>(
        root: &'m mut Map,
        path: &[String],
        line_no: usize,
    ) -> Result<&'m mut Map, String> {
        let mut cur = root;
        for p in path {
            let entry = cur
                .entry(p.clone())
                .or_insert_with(|| Value::Map(Map::default()));
            cur = match entry {
                Value::Map(m) => m,
                Value::Seq(items) => match items.last_mut() {
                    Some(Value::Map(m)) => m,
                    _ => return Err(format!("toml: line {line_no}: key {p:?} is not a table")),
                },
                _ => return Err(format!("toml: line {line_no}: key {p:?} is not a table")),
            };
        }
        Ok(cur)
    }

    fn value(s: &mut &str, line_no: usize, key: &str) -> Result<Value, String> {
        *s = s.trim_start();
        let eof =
            || format!("toml: line {line_no} (last key {key:?}): unexpected EOF; expected value");
        let Some(c) = s.chars().next() else {
            return Err(eof());
        };
        match c {
            '"' | '\'' => {
                let body = &s[1..];
                let mut out = String::new();
                let mut chars = body.char_indices();
                while let Some((i, ch)) = chars.next() {
                    if ch == c {
                        *s = &body[i + 1..];
                        return Ok(Value::String(out));
                    }
                    if ch == '\\' && c == '"' {
                        match chars.next().map(|x| x.1) {
                            Some('n') => out.push('\n'),
                            Some('t') => out.push('\t'),
                            Some('r') => out.push('\r'),
                            Some(o) => out.push(o),
                            None => return Err(eof()),
                        }
                    } else {
                        out.push(ch);
                    }
                }
                Err(eof())
            }
            '[' => {
                *s = &s[1..];
                let mut items = Vec::new();
                loop {
                    *s = s.trim_start();
                    if let Some(r) = s.strip_prefix(']') {
                        *s = r;
                        return Ok(Value::Seq(items));
                    }
                    if s.is_empty() {
                        return Err(eof());
                    }
                    items.push(value(s, line_no, key)?);
                    *s = s.trim_start();
                    if let Some(r) = s.strip_prefix(',') {
                        *s = r;
                    }
                }
            }
            '{' => {
                *s = &s[1..];
                let mut m = Map::default();
                loop {
                    *s = s.trim_start();
                    if let Some(r) = s.strip_prefix('}') {
                        *s = r;
                        return Ok(Value::Map(m));
                    }
                    let Some((k, r)) = s.split_once('=') else {
                        return Err(eof());
                    };
                    let k = k.trim().trim_matches('"').to_string();
                    *s = r;
                    let v = value(s, line_no, &k)?;
                    m.insert(k, v);
                    *s = s.trim_start();
                    if let Some(r) = s.strip_prefix(',') {
                        *s = r;
                    }
                }
            }
            _ => {
                let end = s.find([',', ']', '}']).unwrap_or(s.len());
                let word = s[..end].trim();
                *s = &s[end..];
                let clean = word.replace('_', "");
                if word == "true" {
                    Ok(Value::Bool(true))
                } else if word == "false" {
                    Ok(Value::Bool(false))
                } else if let Ok(i) = clean.parse::<i64>() {
                    Ok(Value::Int(i))
                } else if let Ok(x) = clean.parse::<f64>() {
                    Ok(Value::Float(x))
                } else if word.len() == 10 && word.as_bytes().get(4) == Some(&b'-') {
                    // A local date: BurntSushi decodes it as a time.Time,
                    // which JSON-encodes at midnight UTC.
                    Ok(Value::String(format!("{word}T00:00:00Z")))
                } else {
                    Ok(Value::String(word.to_string()))
                }
            }
        }
    }
}

/// Sprint of one value (Go `fmt.Sprint`).
pub fn sprint_one(v: &GoValue) -> String {
    sprint(&[v as &dyn FmtArg])
}
