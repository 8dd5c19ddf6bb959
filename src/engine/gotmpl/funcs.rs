//! Function values and the builtin functions (Go's `funcs.go`).
//!
//! Go checks calls through reflection: argument count against the
//! function's signature, each argument's type against its parameter type,
//! untyped constants converted to the parameter type. A [`Function`] carries
//! a Go-like signature ([`ParamType`]s, optional variadic tail) so the
//! executor can do the same checks with Go's messages before the Rust body
//! runs with already-validated arguments.
//!
//! # Extension point
//!
//! Add functions with [`Template::funcs`](super::Template::funcs) before
//! parsing (Go requires functions at parse time). A body receives a
//! [`FuncCtx`] giving access to the executing template set: Helm's
//! `include` calls [`FuncCtx::execute_template`]; `tpl` clones
//! [`FuncCtx::template`], parses new text into the clone (sharing every
//! define) and executes it. A body returns `Err(message)` for a Go error
//! result; the executor reports it as `error calling NAME: message`.

use crate::hashing::HashMap;
use std::fmt::Write as _;
use std::sync::Arc;

use super::exec::FuncCtx;
use super::format::{self, FmtArg};
use super::value::{GoList, GoValue};

/// A Go parameter type, as far as the executor checks it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParamType {
    /// `interface {}`: any value; a missing value arrives as nil.
    Any,
    /// `reflect.Value`: any value (builtins such as `index`, `eq`).
    Value,
    /// `string`.
    String,
    /// `int`.
    Int,
    /// `int64`.
    Int64,
    /// `uint64`.
    Uint64,
    /// `float64`.
    Float64,
    /// `bool`.
    Bool,
    /// `[]interface {}`.
    List,
    /// `[]string`.
    StringList,
    /// `map[string]interface {}`: the body receives a [`GoValue::Map`], or
    /// [`GoValue::Nil`] for a nil map (a missing value or the `nil`
    /// keyword), which reads as empty but cannot be written to in Go.
    Map,
}

impl ParamType {
    /// Go's spelling of the type.
    pub fn go_name(self) -> &'static str {
        match self {
            ParamType::Any => "interface {}",
            ParamType::Value => "reflect.Value",
            ParamType::String => "string",
            ParamType::Int => "int",
            ParamType::Int64 => "int64",
            ParamType::Uint64 => "uint64",
            ParamType::Float64 => "float64",
            ParamType::Bool => "bool",
            ParamType::List => "[]interface {}",
            ParamType::StringList => "[]string",
            ParamType::Map => "map[string]interface {}",
        }
    }
}

/// The Rust body of a function: validated arguments in, a value or a Go
/// error message out.
pub type NativeFn = dyn Fn(&mut FuncCtx<'_>, Vec<GoValue>) -> Result<GoValue, String> + Send + Sync;

/// A function callable from templates (FuncMap entry, method, or `call`
/// target).
#[derive(Clone)]
pub struct Function {
    /// Fixed parameters.
    pub params: Vec<ParamType>,
    /// Type of the `...` tail, if variadic.
    pub variadic: Option<ParamType>,
    /// The body.
    pub body: Arc<NativeFn>,
    /// Builtins the executor treats specially (`and`, `or`, `call`).
    pub(crate) special: bool,
}

impl Function {
    /// A function with fixed parameters, an optional variadic tail and a body.
    pub fn new<F>(params: Vec<ParamType>, variadic: Option<ParamType>, body: F) -> Function
    where
        F: Fn(&mut FuncCtx<'_>, Vec<GoValue>) -> Result<GoValue, String> + Send + Sync + 'static,
    {
        Function {
            params,
            variadic,
            body: Arc::new(body),
            special: false,
        }
    }

    /// Go-style type name, e.g. `func(string, ...interface {}) interface {}`.
    pub fn type_name(&self) -> String {
        let mut s = String::from("func(");
        for (i, p) in self.params.iter().enumerate() {
            if i > 0 {
                s.push_str(", ");
            }
            s.push_str(p.go_name());
        }
        if let Some(v) = self.variadic {
            if !self.params.is_empty() {
                s.push_str(", ");
            }
            let _ = write!(s, "...{}", v.go_name());
        }
        s.push_str(") interface {}");
        s
    }
}

/// Named functions available to templates.
pub type FuncMap = HashMap<String, Arc<Function>>;

fn f<F>(params: Vec<ParamType>, variadic: Option<ParamType>, body: F) -> Arc<Function>
where
    F: Fn(&mut FuncCtx<'_>, Vec<GoValue>) -> Result<GoValue, String> + Send + Sync + 'static,
{
    Arc::new(Function::new(params, variadic, body))
}

/// Go's builtin functions (`and`, `call`, `html`, `index`, `slice`, `js`,
/// `len`, `not`, `or`, `print`, `printf`, `println`, `urlquery`, `eq`,
/// `ge`, `gt`, `le`, `lt`, `ne`).
pub fn builtins() -> FuncMap {
    use ParamType::*;
    let mut m = FuncMap::default();
    let special = |name: &str, params: Vec<ParamType>| {
        let mut func = Function::new(params, Some(Value), |_, _| Ok(GoValue::Missing));
        func.special = true;
        (name.to_string(), Arc::new(func))
    };
    let and = special("and", vec![Value]);
    let or = special("or", vec![Value]);
    let call = special("call", vec![Value]);
    m.extend([and, or, call]);
    m.insert(
        "html".into(),
        f(vec![], Some(Any), |_, a| {
            Ok(html_escape(&eval_args(&a)).into())
        }),
    );
    m.insert(
        "js".into(),
        f(vec![], Some(Any), |_, a| {
            Ok(js_escape(&eval_args(&a)).into())
        }),
    );
    m.insert(
        "urlquery".into(),
        f(vec![], Some(Any), |_, a| {
            Ok(query_escape(&eval_args(&a)).into())
        }),
    );
    m.insert(
        "index".into(),
        f(vec![Value], Some(Value), |_, a| index(&a)),
    );
    m.insert(
        "slice".into(),
        f(vec![Value], Some(Value), |_, a| slice(&a)),
    );
    m.insert("len".into(), f(vec![Value], None, |_, a| length(&a[0])));
    m.insert(
        "not".into(),
        f(vec![Value], None, |_, a| Ok(GoValue::Bool(!a[0].is_true()))),
    );
    m.insert(
        "print".into(),
        f(vec![], Some(Any), |_, a| {
            Ok(format::sprint(&fmt_args(&a)).into())
        }),
    );
    m.insert(
        "println".into(),
        f(vec![], Some(Any), |_, a| {
            Ok(format::sprintln(&fmt_args(&a)).into())
        }),
    );
    m.insert(
        "printf".into(),
        f(vec![String], Some(Any), |_, a| {
            let fmt = a[0].as_str().unwrap_or_default().to_string();
            Ok(format::sprintf(&fmt, &fmt_args(&a[1..])).into())
        }),
    );
    m.insert(
        "eq".into(),
        f(vec![Value], Some(Value), |_, a| {
            eq(&a[0], &a[1..]).map(GoValue::Bool)
        }),
    );
    m.insert(
        "ne".into(),
        f(vec![Value, Value], None, |_, a| {
            eq(&a[0], &a[1..2]).map(|b| GoValue::Bool(!b))
        }),
    );
    m.insert(
        "lt".into(),
        f(vec![Value, Value], None, |_, a| {
            lt(&a[0], &a[1]).map(GoValue::Bool)
        }),
    );
    m.insert(
        "le".into(),
        f(vec![Value, Value], None, |_, a| {
            le(&a[0], &a[1]).map(GoValue::Bool)
        }),
    );
    m.insert(
        "gt".into(),
        f(vec![Value, Value], None, |_, a| {
            le(&a[0], &a[1]).map(|b| GoValue::Bool(!b))
        }),
    );
    m.insert(
        "ge".into(),
        f(vec![Value, Value], None, |_, a| {
            lt(&a[0], &a[1]).map(|b| GoValue::Bool(!b))
        }),
    );
    m
}

/// The values as `fmt` operands.
pub fn fmt_args(a: &[GoValue]) -> Vec<&dyn FmtArg> {
    a.iter().map(|v| v as &dyn FmtArg).collect()
}

/// Go's `evalArgs` for html/js/urlquery: a lone string as is, otherwise
/// `fmt.Sprint` with nil operands shown as `<no value>`.
pub fn eval_args(a: &[GoValue]) -> String {
    if let [GoValue::String(s)] = a {
        return s.to_string();
    }
    let no_value = GoValue::str("<no value>");
    let args: Vec<&dyn FmtArg> = a
        .iter()
        .map(|v| {
            if v.is_nil() {
                &no_value as &dyn FmtArg
            } else {
                v as &dyn FmtArg
            }
        })
        .collect();
    format::sprint(&args)
}

/// Go `template.HTMLEscapeString`.
pub fn html_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '"' => out.push_str("&#34;"),
            '\'' => out.push_str("&#39;"),
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\0' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

/// Go `template.JSEscapeString`.
pub fn js_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\'' => out.push_str("\\'"),
            '"' => out.push_str("\\\""),
            '<' => out.push_str("\\u003C"),
            '>' => out.push_str("\\u003E"),
            '&' => out.push_str("\\u0026"),
            '=' => out.push_str("\\u003D"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u00{:02X}", c as u32);
            }
            c if c.is_ascii() => out.push(c),
            c if super::node::is_go_printable(c) => out.push(c),
            c => {
                let _ = write!(out, "\\u{:04X}", c as u32);
            }
        }
    }
    out
}

/// Go `url.QueryEscape`.
pub fn query_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            b' ' => out.push('+'),
            b => {
                let _ = write!(out, "%{b:02X}");
            }
        }
    }
    out
}

fn length(v: &GoValue) -> Result<GoValue, String> {
    let n = match &v.host_underlying() {
        GoValue::Nil | GoValue::Missing => return Err("len of nil pointer".into()),
        GoValue::String(s) => s.len(),
        GoValue::Bytes(b) => b.len(),
        GoValue::List(l) => l.items.len(),
        GoValue::Map(m) => m.len(),
        other => return Err(format!("len of type {}", other.type_name())),
    };
    Ok(GoValue::Int(n as i64))
}

/// Go `indexArg`: an integer index within `0..=cap`.
fn index_arg(index: &GoValue, cap: usize) -> Result<usize, String> {
    let x: i128 = match index {
        GoValue::Int(i) | GoValue::Int64(i) => *i as i128,
        GoValue::Uint64(u) => *u as i128,
        GoValue::Nil | GoValue::Missing => return Err("cannot index slice/array with nil".into()),
        other => {
            return Err(format!(
                "cannot index slice/array with type {}",
                other.type_name()
            ));
        }
    };
    if x < 0 || x > cap as i128 {
        return Err(format!("index out of range: {x}"));
    }
    Ok(x as usize)
}

fn index(a: &[GoValue]) -> Result<GoValue, String> {
    let mut item = a[0].host_underlying();
    if item.is_nil() {
        return Err("index of untyped nil".into());
    }
    for idx in &a[1..] {
        item = match &item {
            GoValue::Nil | GoValue::Missing => return Err("index of nil pointer".into()),
            GoValue::List(l) => {
                let x = index_arg(idx, l.items.len())?;
                match l.items.get(x) {
                    Some(v) => v.clone(),
                    None => return Err("reflect: slice index out of range".into()),
                }
            }
            GoValue::Bytes(b) => {
                let x = index_arg(idx, b.len())?;
                match b.get(x) {
                    Some(v) => GoValue::Uint64(*v as u64),
                    None => return Err("reflect: slice index out of range".into()),
                }
            }
            GoValue::String(s) => {
                let x = index_arg(idx, s.len())?;
                match s.as_bytes().get(x) {
                    Some(v) => GoValue::Uint64(*v as u64),
                    None => return Err("reflect: string index out of range".into()),
                }
            }
            GoValue::Map(m) => match idx {
                // A missing key gives the element type's zero value.
                GoValue::String(k) => m
                    .get(k.as_ref())
                    .unwrap_or_else(|| m.map_type().zero_elem()),
                GoValue::Nil | GoValue::Missing => m.map_type().zero_elem(),
                other => {
                    return Err(format!(
                        "value has type {}; should be string",
                        other.type_name()
                    ));
                }
            },
            other => return Err(format!("can't index item of type {}", other.type_name())),
        };
    }
    Ok(item)
}

fn slice(a: &[GoValue]) -> Result<GoValue, String> {
    let item = &a[0];
    let idx = &a[1..];
    if item.is_nil() {
        return Err("slice of untyped nil".into());
    }
    if idx.len() > 3 {
        return Err(format!("too many slice indexes: {}", idx.len()));
    }
    let len = match item {
        GoValue::String(s) => {
            if idx.len() == 3 {
                return Err("cannot 3-index slice a string".into());
            }
            s.len()
        }
        GoValue::List(l) => l.items.len(),
        GoValue::Bytes(b) => b.len(),
        other => return Err(format!("can't slice item of type {}", other.type_name())),
    };
    let mut bounds = [0, len, len];
    for (i, x) in idx.iter().enumerate() {
        bounds[i] = index_arg(x, len)?;
    }
    if bounds[0] > bounds[1] {
        return Err(format!(
            "invalid slice index: {} > {}",
            bounds[0], bounds[1]
        ));
    }
    if idx.len() == 3 && bounds[1] > bounds[2] {
        return Err(format!(
            "invalid slice index: {} > {}",
            bounds[1], bounds[2]
        ));
    }
    let (lo, hi) = (bounds[0], bounds[1]);
    Ok(match item {
        GoValue::String(s) => match s.get(lo..hi) {
            Some(sub) => GoValue::str(sub),
            // Go slices bytes; a cut inside a UTF-8 sequence keeps the raw bytes.
            None => GoValue::str(&String::from_utf8_lossy(&s.as_bytes()[lo..hi])),
        },
        GoValue::List(l) => GoValue::List(Arc::new(GoList {
            elem: l.elem,
            items: l.items[lo..hi].to_vec(),
        })),
        GoValue::Bytes(b) => GoValue::Bytes(Arc::from(&b[lo..hi])),
        _ => GoValue::Missing,
    })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum BasicKind {
    Invalid,
    Bool,
    Complex,
    Int,
    Float,
    String,
    Uint,
}

fn basic_kind(v: &GoValue) -> BasicKind {
    match v {
        GoValue::Bool(_) => BasicKind::Bool,
        GoValue::Int(_) | GoValue::Int64(_) => BasicKind::Int,
        GoValue::Uint64(_) => BasicKind::Uint,
        GoValue::Float(_) => BasicKind::Float,
        GoValue::Complex(..) => BasicKind::Complex,
        GoValue::String(_) => BasicKind::String,
        _ => BasicKind::Invalid,
    }
}

const BAD_COMPARISON_TYPE: &str = "invalid type for comparison";
const BAD_COMPARISON: &str = "incompatible types for comparison";

fn int_of(v: &GoValue) -> i64 {
    match v {
        GoValue::Int(i) | GoValue::Int64(i) => *i,
        _ => 0,
    }
}

fn uint_of(v: &GoValue) -> u64 {
    match v {
        GoValue::Uint64(u) => *u,
        _ => 0,
    }
}

/// Go `eq`: true if `a` equals any of `others`.
pub fn eq(a: &GoValue, others: &[GoValue]) -> Result<bool, String> {
    if others.is_empty() {
        return Err("missing argument for comparison".into());
    }
    let k1 = basic_kind(a);
    for b in others {
        let k2 = basic_kind(b);
        let truth = if k1 != k2 {
            match (k1, k2) {
                (BasicKind::Int, BasicKind::Uint) => {
                    int_of(a) >= 0 && int_of(a) as u64 == uint_of(b)
                }
                (BasicKind::Uint, BasicKind::Int) => {
                    int_of(b) >= 0 && uint_of(a) == int_of(b) as u64
                }
                _ => {
                    if !a.is_nil() && !b.is_nil() {
                        return Err(bad_comparison(a, b));
                    }
                    false
                }
            }
        } else {
            match (a, b) {
                (GoValue::Bool(x), GoValue::Bool(y)) => x == y,
                (GoValue::Complex(r1, i1), GoValue::Complex(r2, i2)) => r1 == r2 && i1 == i2,
                (GoValue::Float(x), GoValue::Float(y)) => x == y,
                (GoValue::String(x), GoValue::String(y)) => x == y,
                (GoValue::Uint64(x), GoValue::Uint64(y)) => x == y,
                _ if k1 == BasicKind::Int => int_of(a) == int_of(b),
                _ => {
                    if a.is_nil() || b.is_nil() {
                        a.is_nil() == b.is_nil()
                    } else {
                        match (a, b) {
                            (
                                GoValue::List(_)
                                | GoValue::Map(_)
                                | GoValue::Bytes(_)
                                | GoValue::Func(_),
                                _,
                            ) => {
                                if a.type_name() != b.type_name() {
                                    return Err(format!(
                                        "non-comparable types {}: {}, {}: {}",
                                        format::sprint(&[a as &dyn FmtArg]),
                                        a.type_name(),
                                        b.type_name(),
                                        format::sprint(&[b as &dyn FmtArg])
                                    ));
                                }
                                return Err(format!(
                                    "non-comparable type {}: {}",
                                    format::sprint(&[b as &dyn FmtArg]),
                                    b.type_name()
                                ));
                            }
                            (GoValue::Object(x), GoValue::Object(y)) => Arc::ptr_eq(x, y),
                            _ => false,
                        }
                    }
                }
            }
        };
        if truth {
            return Ok(true);
        }
    }
    Ok(false)
}

/// Go's errBadComparison, wrapped with both operand types as current Go
/// (and so Helm) prints it: `incompatible types for comparison: float64 and int`.
fn bad_comparison(a: &GoValue, b: &GoValue) -> String {
    format!("{BAD_COMPARISON}: {} and {}", a.type_name(), b.type_name())
}

/// Go `lt`.
pub fn lt(a: &GoValue, b: &GoValue) -> Result<bool, String> {
    let k1 = basic_kind(a);
    let k2 = basic_kind(b);
    if k1 == BasicKind::Invalid || k2 == BasicKind::Invalid {
        return Err(BAD_COMPARISON_TYPE.into());
    }
    if k1 != k2 {
        return match (k1, k2) {
            (BasicKind::Int, BasicKind::Uint) => {
                Ok(int_of(a) < 0 || (int_of(a) as u64) < uint_of(b))
            }
            (BasicKind::Uint, BasicKind::Int) => {
                Ok(int_of(b) >= 0 && uint_of(a) < int_of(b) as u64)
            }
            _ => Err(bad_comparison(a, b)),
        };
    }
    Ok(match (a, b) {
        (GoValue::Float(x), GoValue::Float(y)) => x < y,
        (GoValue::String(x), GoValue::String(y)) => x < y,
        (GoValue::Uint64(x), GoValue::Uint64(y)) => x < y,
        _ if k1 == BasicKind::Int => int_of(a) < int_of(b),
        _ => return Err(BAD_COMPARISON_TYPE.into()),
    })
}

/// Go `le`.
pub fn le(a: &GoValue, b: &GoValue) -> Result<bool, String> {
    if lt(a, b)? {
        return Ok(true);
    }
    eq(a, std::slice::from_ref(b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comparisons_follow_go_kinds() {
        assert_eq!(
            eq(&GoValue::Int(2), &[GoValue::Float(2.0)]),
            Err("incompatible types for comparison: int and float64".into())
        );
        assert_eq!(eq(&GoValue::Int(3), &[GoValue::Uint64(3)]), Ok(true));
        assert_eq!(eq(&GoValue::Int(3), &[GoValue::Int64(3)]), Ok(true));
        assert_eq!(eq(&GoValue::Nil, &[GoValue::str("x")]), Ok(false));
        assert_eq!(eq(&GoValue::Nil, &[GoValue::Missing]), Ok(true));
        assert_eq!(
            lt(&GoValue::Bool(true), &GoValue::Bool(true)),
            Err(BAD_COMPARISON_TYPE.into())
        );
        assert_eq!(lt(&GoValue::Int(-1), &GoValue::Uint64(0)), Ok(true));
        assert_eq!(le(&GoValue::str("a"), &GoValue::str("a")), Ok(true));
        assert!(eq(&GoValue::list(vec![]), &[GoValue::list(vec![])]).is_err());
    }

    #[test]
    fn index_and_slice() {
        let l = GoValue::list(vec![GoValue::Int(3), GoValue::Int(4)]);
        assert!(matches!(
            index(&[l.clone(), GoValue::Int(1)]),
            Ok(GoValue::Int(4))
        ));
        assert_eq!(
            index(&[l.clone(), GoValue::Int(5)]).unwrap_err(),
            "index out of range: 5"
        );
        assert_eq!(
            index(&[GoValue::Nil, GoValue::Int(1)]).unwrap_err(),
            "index of untyped nil"
        );
        let s = slice(&[GoValue::str("xyz"), GoValue::Int(1)]).unwrap();
        assert_eq!(s.as_str(), Some("yz"));
        assert_eq!(
            slice(&[l, GoValue::Int(2), GoValue::Int(1)]).unwrap_err(),
            "invalid slice index: 2 > 1"
        );
    }

    #[test]
    fn escapers() {
        assert_eq!(
            html_escape("<a href=\"x\">'&'"),
            "&lt;a href=&#34;x&#34;&gt;&#39;&amp;&#39;"
        );
        assert_eq!(
            js_escape("a'b\"<=>\n"),
            "a\\'b\\\"\\u003C\\u003D\\u003E\\u000A"
        );
        assert_eq!(query_escape("http://x.org/ a"), "http%3A%2F%2Fx.org%2F+a");
    }
}
