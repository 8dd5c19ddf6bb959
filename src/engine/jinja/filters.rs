//! Filters and functions for `.j2` templates: Helm's functions under
//! Jinja-style names, one name per thing.
//!
//! | name | kind | Helm/Sprig counterpart |
//! |---|---|---|
//! | `toyaml` | filter | `toYaml` (trailing newline trimmed) |
//! | `tojson` | filter | `toJson` (compact, keys in map order, no HTML escaping) |
//! | `fromyaml`, `fromjson` | filter | `fromYaml`, `fromJson` (errors instead of an `Error` key) |
//! | `indent(n)`, `nindent(n)` | filter | Sprig `indent`, `nindent` |
//! | `quote` | filter | Sprig `quote` (Go `%q`) |
//! | `b64encode`, `b64decode` | filter | `b64enc`, `b64dec` |
//! | `sha256` | filter | `sha256sum` |
//! | `required(msg)` | filter | `required` |
//! | `trunc(n)` | filter | Sprig `trunc` |
//! | `fail(msg)` | function | `fail` |
//! | `tpl(text)` | function | `tpl` (renders with the caller's context) |
//! | `semver_compare(c, v)` | function | `semverCompare` |
//! | `lookup(...)` | function | `lookup` (always `{}`: no cluster) |
//!
//! `indent` replaces Jinja's builtin of the same name on purpose: Jinja's
//! leaves the first line alone and skips blank lines, while Helm charts are
//! written for Sprig's, which pads every line (blank ones too) including the
//! first. `nindent` is a newline followed by that.

use super::context::{from_template_value, to_template_value};
use crate::value::Value as Data;
use crate::version_range;
use base64::Engine as _;
use minijinja::value::{Rest, Value, ValueKind};
use minijinja::{Environment, Error, ErrorKind, State};
use sha2::{Digest, Sha256};
use std::cell::Cell;

/// Registers every filter and function on an environment.
pub fn register(env: &mut Environment<'_>) {
    env.add_filter("toyaml", toyaml);
    env.add_filter("tojson", tojson);
    env.add_filter("fromyaml", fromyaml);
    env.add_filter("fromjson", fromjson);
    env.add_filter("indent", indent);
    env.add_filter("nindent", nindent);
    env.add_filter("quote", quote);
    env.add_filter("b64encode", b64encode);
    env.add_filter("b64decode", b64decode);
    env.add_filter("sha256", sha256);
    env.add_filter("required", required);
    env.add_filter("trunc", trunc);
    env.add_function("fail", fail);
    env.add_function("tpl", tpl);
    env.add_function("semver_compare", semver_compare);
    env.add_function("lookup", lookup);
}

fn invalid(msg: impl Into<String>) -> Error {
    Error::new(ErrorKind::InvalidOperation, msg.into())
}

/// YAML text of a value as Helm's `toYaml` writes it, without the final
/// newline (Helm trims it so `{{ toYaml x | nindent 2 }}` composes). Values
/// go-yaml cannot write (NaN, control characters) are an error here, where
/// Helm would silently print nothing.
pub(crate) fn yaml_text(v: &Data) -> Result<String, crate::yaml::EmitError> {
    let mut s = crate::yaml::try_to_yaml(v)?;
    if s.ends_with('\n') {
        s.pop();
    }
    Ok(s)
}

/// Compact JSON text of a value, keys in map order.
pub(crate) fn json_text(v: &Data) -> Result<String, Error> {
    serde_json::to_string(&v.to_json()).map_err(|e| invalid(format!("tojson: {e}")))
}

/// The text a value prints as inside string functions (`indent`, `quote`):
/// strings as they are, `true`/`false`, none as empty, maps and lists as
/// compact JSON. Undefined is an error, as printing it would be.
pub(crate) fn stringify(v: &Value) -> Result<String, Error> {
    match v.kind() {
        ValueKind::Undefined => Err(Error::new(
            ErrorKind::UndefinedError,
            "an undefined value cannot be used as text",
        )),
        ValueKind::None => Ok(String::new()),
        ValueKind::Bool => Ok(if v.is_true() { "true" } else { "false" }.to_string()),
        ValueKind::String => Ok(v.as_str().unwrap_or_default().to_string()),
        ValueKind::Seq | ValueKind::Map | ValueKind::Iterable => {
            json_text(&from_template_value(v)?)
        }
        _ => Ok(v.to_string()),
    }
}

fn toyaml(v: Value) -> Result<String, Error> {
    yaml_text(&from_template_value(&v)?).map_err(|e| invalid(format!("toyaml: {e}")))
}

fn tojson(v: Value) -> Result<String, Error> {
    json_text(&from_template_value(&v)?)
}

/// Unlike Helm (which returns `{"Error": "..."}`), invalid YAML is a render
/// error: a native template should fail where the problem is.
fn fromyaml(text: &str) -> Result<Value, Error> {
    let doc = crate::yaml::parse_document(text).map_err(|e| invalid(format!("fromyaml: {e}")))?;
    Ok(to_template_value(&doc))
}

fn fromjson(text: &str) -> Result<Value, Error> {
    let json: serde_json::Value =
        serde_json::from_str(text).map_err(|e| invalid(format!("fromjson: {e}")))?;
    Ok(to_template_value(&Data::from_json(&json)))
}

fn pad(n: i64) -> Result<String, Error> {
    let n = usize::try_from(n).map_err(|_| invalid("indent width must not be negative"))?;
    Ok(" ".repeat(n))
}

/// Sprig `indent`: the pad goes before the first line and after every `\n`.
fn indent(v: Value, n: i64) -> Result<String, Error> {
    let pad = pad(n)?;
    let text = stringify(&v)?;
    Ok(format!("{pad}{}", text.replace('\n', &format!("\n{pad}"))))
}

/// Sprig `nindent`: a newline, then `indent`.
fn nindent(v: Value, n: i64) -> Result<String, Error> {
    Ok(format!("\n{}", indent(v, n)?))
}

/// Sprig `quote`: Go's `%q` of the value's text; none gives empty output
/// (Sprig skips nil arguments).
fn quote(v: Value) -> Result<String, Error> {
    if v.is_none() {
        return Ok(String::new());
    }
    Ok(go_quote(&stringify(&v)?))
}

/// Go `strconv.Quote`: double quotes, `\"` and `\\`, C escapes for the
/// usual control characters, `\xNN` for other ASCII controls and
/// `\uNNNN`/`\UNNNNNNNN` for other non-printable characters.
pub(crate) fn go_quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\x07' => out.push_str("\\a"),
            '\x08' => out.push_str("\\b"),
            '\x0c' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\x0b' => out.push_str("\\v"),
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                out.push_str(&format!("\\x{:02x}", c as u32));
            }
            // Go's IsPrint rejects controls and every space but U+0020.
            c if c.is_control() || (c.is_whitespace() && c != ' ') => {
                let n = c as u32;
                if n <= 0xffff {
                    out.push_str(&format!("\\u{n:04x}"));
                } else {
                    out.push_str(&format!("\\U{n:08x}"));
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn b64encode(v: Value) -> Result<String, Error> {
    Ok(base64::engine::general_purpose::STANDARD.encode(stringify(&v)?))
}

fn b64decode(text: &str) -> Result<String, Error> {
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(text.trim_end_matches(['\n', '\r']))
        .map_err(|e| invalid(format!("b64decode: {e}")))?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

fn sha256(v: Value) -> Result<String, Error> {
    let digest = Sha256::digest(stringify(&v)?.as_bytes());
    Ok(digest.iter().map(|b| format!("{b:02x}")).collect())
}

/// `x | required("msg")`: Helm fails when the value is nil or `""`; here
/// undefined fails too, so the filter guards a typo-free optional lookup.
fn required(v: Value, message: &str) -> Result<Value, Error> {
    let empty = v.is_undefined() || v.is_none() || v.as_str() == Some("");
    if empty {
        return Err(invalid(message));
    }
    Ok(v)
}

/// Sprig `trunc`: the first `n` characters, or with a negative `n` the last
/// `-n`; a longer `n` keeps the whole string.
fn trunc(v: Value, n: i64) -> Result<String, Error> {
    let text = stringify(&v)?;
    let chars: Vec<char> = text.chars().collect();
    let len = chars.len();
    let take = usize::try_from(n.unsigned_abs()).unwrap_or(usize::MAX);
    Ok(if n >= 0 {
        chars[..take.min(len)].iter().collect()
    } else {
        chars[len.saturating_sub(take)..].iter().collect()
    })
}

fn fail(message: &str) -> Result<Value, Error> {
    Err(invalid(message))
}

fn semver_compare(constraint: &str, version: &str) -> Result<bool, Error> {
    version_range::semver_compare(constraint, version)
        .map_err(|e| invalid(format!("semver_compare: {e}")))
}

/// `lookup(api_version, kind, namespace, name)`: a render never talks to a
/// cluster, so like `helm template` this is always an empty map.
fn lookup(_args: Rest<Value>) -> Value {
    Value::from_pairs(std::iter::empty::<(&str, Value)>())
}

/// How deep `tpl` may nest inside itself before a render is stopped; Helm
/// caps recursive `include` at 1000, but each level here is a new render.
const TPL_MAX_DEPTH: usize = 64;

thread_local! {
    static TPL_DEPTH: Cell<usize> = const { Cell::new(0) };
}

/// Decrements the `tpl` depth even when the inner render fails.
struct DepthGuard;

impl Drop for DepthGuard {
    fn drop(&mut self) {
        TPL_DEPTH.with(|d| d.set(d.get().saturating_sub(1)));
    }
}

/// `tpl(text)`: renders `text` as a template with every variable the caller
/// can see, under the caller's template name (as Helm parses it under the
/// caller's name), so relative includes resolve from the same chart.
fn tpl(state: &State, source: &str) -> Result<String, Error> {
    let depth = TPL_DEPTH.with(|d| {
        let n = d.get() + 1;
        d.set(n);
        n
    });
    let _guard = DepthGuard;
    if depth > TPL_MAX_DEPTH {
        return Err(invalid(format!(
            "tpl nested more than {TPL_MAX_DEPTH} levels deep"
        )));
    }
    let ctx: Vec<(String, Value)> = state
        .known_variables()
        .into_iter()
        .filter_map(|name| {
            let value = state.lookup(&name)?;
            Some((name.into_owned(), value))
        })
        .collect();
    let ctx = Value::from_pairs(ctx);
    state
        .env()
        .render_named_str(state.name(), source, ctx)
        .map_err(|e| invalid("error in tpl").with_source(e))
}
