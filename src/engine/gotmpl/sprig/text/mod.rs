//! Sprig functions: strings, conversions, regular expressions, encodings,
//! checksums, paths, URLs and semantic versions (Sprig v3.3.0 as Helm
//! v4.1.4 ships it).
//!
//! Every function is registered with the Go signature Sprig declares, so the
//! executor performs Go's argument checks (`wrong type for value; expected
//! string; got int`) before a body runs; bodies then read their already
//! validated arguments. A Go function that panics (`regexFind` with a bad
//! pattern, `substr` out of range, `urlParse` of a bad URL) is an error
//! result here with the panic text, which is what Go's template executor
//! reports too.

pub(crate) mod convert;
mod encoding;
mod goregex;
mod paths;
mod semver;
mod strings;
mod url;

use std::sync::Arc;

use crate::diag::Diagnostic;
use crate::engine::gotmpl::exec::FuncCtx;
use crate::engine::gotmpl::funcs::{FuncMap, Function, ParamType};
use crate::engine::gotmpl::node::go_quote;
use crate::engine::gotmpl::value::{GoMap, GoValue, MapType};

use goregex::GoRegex;
use semver::{Version, version_value};

/// Errors of this family that have a structure of their own; everything
/// else is a Go error string handed straight to the template executor.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TextFuncError {
    /// A pattern Go's `regexp/syntax` rejects, with Go's code and fragment.
    #[error("error parsing regexp: {code}: `{fragment}`")]
    Regex {
        /// Go's error code text (`missing closing )`).
        code: String,
        /// The offending part of the pattern.
        fragment: String,
    },
}

impl From<TextFuncError> for Diagnostic {
    fn from(e: TextFuncError) -> Diagnostic {
        // Function errors surface through the template executor, which
        // knows the file and position; standing alone there is none.
        Diagnostic::new(e.to_string())
    }
}

/// A validated `string` argument.
fn st(v: &GoValue) -> &str {
    v.as_str().unwrap_or_default()
}

/// A validated `int` argument.
fn int(v: &GoValue) -> i64 {
    match v {
        GoValue::Int(i) | GoValue::Int64(i) => *i,
        GoValue::Uint64(u) => *u as i64,
        _ => 0,
    }
}

fn add<F>(
    map: &mut FuncMap,
    name: &str,
    params: Vec<ParamType>,
    variadic: Option<ParamType>,
    body: F,
) where
    F: Fn(&mut FuncCtx<'_>, Vec<GoValue>) -> Result<GoValue, String> + Send + Sync + 'static,
{
    map.insert(
        name.to_string(),
        Arc::new(Function::new(params, variadic, body)),
    );
}

/// `func(string) T`.
fn s1(map: &mut FuncMap, name: &str, f: fn(&str) -> GoValue) {
    add(map, name, vec![ParamType::String], None, move |_, a| {
        Ok(f(st(&a[0])))
    });
}

/// `func(string, string) T`.
fn s2(map: &mut FuncMap, name: &str, f: fn(&str, &str) -> GoValue) {
    use ParamType::String as S;
    add(map, name, vec![S, S], None, move |_, a| {
        Ok(f(st(&a[0]), st(&a[1])))
    });
}

/// `func(int, string) T`.
fn is1(map: &mut FuncMap, name: &str, f: fn(i64, &str) -> GoValue) {
    use ParamType::{Int as I, String as S};
    add(map, name, vec![I, S], None, move |_, a| {
        Ok(f(int(&a[0]), st(&a[1])))
    });
}

/// `func(interface {}) T`.
fn any1(map: &mut FuncMap, name: &str, f: fn(&GoValue) -> GoValue) {
    add(map, name, vec![ParamType::Any], None, move |_, a| {
        Ok(f(&a[0]))
    });
}

fn string_map(parts: Vec<String>) -> GoValue {
    // Sprig's split/splitn return a `map[string]string` (`typeOf`, `%T`).
    GoValue::Map(GoMap::typed(
        parts
            .into_iter()
            .enumerate()
            .map(|(i, p)| (format!("_{i}"), GoValue::from(p)))
            .collect(),
        MapType::STRINGS,
    ))
}

/// Registers this family's functions.
pub fn register(map: &mut FuncMap) {
    register_strings(map);
    register_conversions(map);
    register_regex(map);
    register_encoding(map);
    register_paths_urls_semver(map);
}

fn register_strings(map: &mut FuncMap) {
    use ParamType::{Any, Int as I, String as S};
    s1(map, "trim", |s| s.trim_matches(strings::is_go_space).into());
    // Sprig swaps Go's argument order so a pipeline feeds the string last.
    let trim_all: fn(&str, &str) -> GoValue = |cut, s| s.trim_matches(|c| cut.contains(c)).into();
    s2(map, "trimAll", trim_all);
    s2(map, "trimall", trim_all);
    s2(map, "trimPrefix", |p, s| {
        s.strip_prefix(p).unwrap_or(s).into()
    });
    s2(map, "trimSuffix", |p, s| {
        s.strip_suffix(p).unwrap_or(s).into()
    });
    s1(map, "upper", |s| strings::upper(s).into());
    s1(map, "lower", |s| strings::lower(s).into());
    s1(map, "title", |s| strings::title(s).into());
    s1(map, "untitle", |s| strings::untitle(s).into());
    s1(map, "nospace", |s| strings::nospace(s).into());
    s1(map, "initials", |s| strings::initials(s).into());
    s1(map, "swapcase", |s| strings::swapcase(s).into());
    s1(map, "snakecase", |s| {
        strings::to_lower_case_words(s, '_').into()
    });
    s1(map, "kebabcase", |s| {
        strings::to_lower_case_words(s, '-').into()
    });
    s1(map, "camelcase", |s| strings::camelcase(s).into());
    add(map, "repeat", vec![I, S], None, |_, a| {
        strings::repeat(int(&a[0]), st(&a[1])).map(GoValue::from)
    });
    add(map, "substr", vec![I, I, S], None, |_, a| {
        strings::substr(int(&a[0]), int(&a[1]), st(&a[2])).map(GoValue::from)
    });
    is1(map, "trunc", |c, s| strings::trunc(c, s).into());
    is1(map, "abbrev", |w, s| strings::abbrev(w, s).into());
    add(map, "abbrevboth", vec![I, I, S], None, |_, a| {
        Ok(strings::abbrevboth(int(&a[0]), int(&a[1]), st(&a[2])).into())
    });
    is1(map, "wrap", |w, s| {
        strings::wrap_custom(s, w, "", false).into()
    });
    add(map, "wrapWith", vec![I, S, S], None, |_, a| {
        Ok(strings::wrap_custom(st(&a[2]), int(&a[0]), st(&a[1]), true).into())
    });
    s2(map, "contains", |sub, s| s.contains(sub).into());
    s2(map, "hasPrefix", |p, s| s.starts_with(p).into());
    s2(map, "hasSuffix", |p, s| s.ends_with(p).into());
    add(map, "quote", vec![], Some(Any), |_, a| {
        Ok(strings::quote(&a).into())
    });
    add(map, "squote", vec![], Some(Any), |_, a| {
        Ok(strings::squote(&a).into())
    });
    add(map, "cat", vec![], Some(Any), |_, a| {
        Ok(strings::cat(&a).into())
    });
    add(map, "indent", vec![I, S], None, |_, a| {
        strings::indent(int(&a[0]), st(&a[1])).map(GoValue::from)
    });
    add(map, "nindent", vec![I, S], None, |_, a| {
        strings::indent(int(&a[0]), st(&a[1])).map(|s| GoValue::from(format!("\n{s}")))
    });
    add(map, "replace", vec![S, S, S], None, |_, a| {
        Ok(st(&a[2]).replace(st(&a[0]), st(&a[1])).into())
    });
    add(map, "plural", vec![S, S, I], None, |_, a| {
        Ok(if int(&a[2]) == 1 {
            a[0].clone()
        } else {
            a[1].clone()
        })
    });
    any1(map, "toString", |v| strings::strval(v).into());
    any1(map, "toStrings", |v| {
        GoValue::string_list(strings::strslice(v))
    });
    add(map, "join", vec![S, Any], None, |_, a| {
        Ok(strings::strslice(&a[1]).join(st(&a[0])).into())
    });
    s2(map, "split", |sep, s| string_map(strings::go_split(s, sep)));
    s2(map, "splitList", |sep, s| {
        GoValue::string_list(strings::go_split(s, sep))
    });
    add(map, "splitn", vec![S, I, S], None, |_, a| {
        Ok(string_map(strings::go_splitn(
            st(&a[2]),
            st(&a[0]),
            int(&a[1]),
        )))
    });
    add(map, "hello", vec![], None, |_, _| {
        Ok(GoValue::str("Hello!"))
    });
    // Helm replaces Sprig's DNS lookup with a stub unless --enable-dns is
    // given, so rendering never touches the network.
    s1(map, "getHostByName", |_| GoValue::str(""));
}

fn register_conversions(map: &mut FuncMap) {
    s1(map, "atoi", |s| GoValue::Int(convert::atoi(s)));
    any1(map, "int", |v| GoValue::Int(convert::to_int64(v)));
    any1(map, "int64", |v| GoValue::Int64(convert::to_int64(v)));
    any1(map, "float64", |v| GoValue::Float(convert::to_float64(v)));
    any1(map, "toDecimal", |v| GoValue::Int64(convert::to_decimal(v)));
}

/// Go's `regexp` package quotes a pattern in a `MustCompile` panic with
/// backquotes when it can (`strconv.CanBackquote`), else `%q`.
fn panic_quote(s: &str) -> String {
    let can_backquote = s
        .chars()
        .all(|c| !((c < ' ' && c != '\t') || c == '`' || c == '\u{7f}' || c == '\u{feff}'));
    if can_backquote {
        format!("`{s}`")
    } else {
        go_quote(s)
    }
}

/// Compiles for a `must*` function: the error is returned as is.
fn must_compile(p: &str) -> Result<Arc<GoRegex>, String> {
    GoRegex::compile_cached(p).map_err(|e| e.to_string())
}

/// Compiles for a non-`must` function, which calls `regexp.MustCompile`:
/// the panic text names the pattern.
fn panic_compile(p: &str) -> Result<Arc<GoRegex>, String> {
    GoRegex::compile_cached(p).map_err(|e| format!("regexp: Compile({}): {e}", panic_quote(p)))
}

fn strs(v: Vec<&str>) -> GoValue {
    GoValue::string_list(v.into_iter().map(str::to_string))
}

fn register_regex(map: &mut FuncMap) {
    use ParamType::{Int as I, String as S};
    // regexMatch drops the compile error: a bad pattern never matches.
    s2(map, "regexMatch", |p, s| {
        GoRegex::compile_cached(p)
            .is_ok_and(|r| r.is_match(s))
            .into()
    });
    add(map, "mustRegexMatch", vec![S, S], None, |_, a| {
        Ok(must_compile(st(&a[0]))?.is_match(st(&a[1])).into())
    });
    let find_all = |compile: fn(&str) -> Result<Arc<GoRegex>, String>| {
        move |_: &mut FuncCtx<'_>, a: Vec<GoValue>| -> Result<GoValue, String> {
            let re = compile(st(&a[0]))?;
            Ok(strs(re.find_all(st(&a[1]), int(&a[2]))))
        }
    };
    add(
        map,
        "regexFindAll",
        vec![S, S, I],
        None,
        find_all(panic_compile),
    );
    add(
        map,
        "mustRegexFindAll",
        vec![S, S, I],
        None,
        find_all(must_compile),
    );
    let find = |compile: fn(&str) -> Result<Arc<GoRegex>, String>| {
        move |_: &mut FuncCtx<'_>, a: Vec<GoValue>| -> Result<GoValue, String> {
            Ok(compile(st(&a[0]))?.find(st(&a[1])).into())
        }
    };
    add(map, "regexFind", vec![S, S], None, find(panic_compile));
    add(map, "mustRegexFind", vec![S, S], None, find(must_compile));
    let replace = |compile: fn(&str) -> Result<Arc<GoRegex>, String>, literal: bool| {
        move |_: &mut FuncCtx<'_>, a: Vec<GoValue>| -> Result<GoValue, String> {
            let re = compile(st(&a[0]))?;
            Ok(re.replace_all(st(&a[1]), st(&a[2]), literal).into())
        }
    };
    add(
        map,
        "regexReplaceAll",
        vec![S, S, S],
        None,
        replace(panic_compile, false),
    );
    add(
        map,
        "mustRegexReplaceAll",
        vec![S, S, S],
        None,
        replace(must_compile, false),
    );
    add(
        map,
        "regexReplaceAllLiteral",
        vec![S, S, S],
        None,
        replace(panic_compile, true),
    );
    add(
        map,
        "mustRegexReplaceAllLiteral",
        vec![S, S, S],
        None,
        replace(must_compile, true),
    );
    let split = |compile: fn(&str) -> Result<Arc<GoRegex>, String>| {
        move |_: &mut FuncCtx<'_>, a: Vec<GoValue>| -> Result<GoValue, String> {
            let re = compile(st(&a[0]))?;
            Ok(strs(re.split(st(&a[1]), int(&a[2])).unwrap_or_default()))
        }
    };
    add(map, "regexSplit", vec![S, S, I], None, split(panic_compile));
    add(
        map,
        "mustRegexSplit",
        vec![S, S, I],
        None,
        split(must_compile),
    );
    s1(map, "regexQuoteMeta", |s| goregex::quote_meta(s).into());
}

fn register_encoding(map: &mut FuncMap) {
    s1(map, "b64enc", |s| encoding::b64enc(s.as_bytes()).into());
    s1(map, "b32enc", |s| encoding::b32enc(s.as_bytes()).into());
    // Sprig returns a decoding error's text as the result.
    s1(map, "b64dec", |s| {
        match encoding::b64dec(s.as_bytes()) {
            Ok(b) => String::from_utf8_lossy(&b).into_owned(),
            Err(e) => e,
        }
        .into()
    });
    s1(map, "b32dec", |s| {
        match encoding::b32dec(s.as_bytes()) {
            Ok(b) => String::from_utf8_lossy(&b).into_owned(),
            Err(e) => e,
        }
        .into()
    });
    s1(map, "sha1sum", |s| encoding::sha1sum(s.as_bytes()).into());
    s1(map, "sha256sum", |s| {
        encoding::sha256sum(s.as_bytes()).into()
    });
    s1(map, "sha512sum", |s| {
        encoding::sha512sum(s.as_bytes()).into()
    });
    s1(map, "adler32sum", |s| {
        encoding::adler32sum(s.as_bytes()).into()
    });
}

fn register_paths_urls_semver(map: &mut FuncMap) {
    use ParamType::String as S;
    for prefix in ["", "os"] {
        let name = |n: &str| {
            if prefix.is_empty() {
                n.to_string()
            } else {
                format!("{prefix}{}{}", n[..1].to_uppercase(), &n[1..])
            }
        };
        s1(map, &name("base"), |s| paths::base(s).into());
        s1(map, &name("dir"), |s| paths::dir(s).into());
        s1(map, &name("clean"), |s| paths::clean(s).into());
        s1(map, &name("ext"), |s| paths::ext(s).into());
        s1(map, &name("isAbs"), |s| paths::is_abs(s).into());
    }
    add(map, "urlParse", vec![S], None, |_, a| {
        url::url_parse(st(&a[0]))
    });
    add(map, "urlJoin", vec![ParamType::Map], None, |_, a| {
        url::url_join(&a[0]).map(GoValue::from)
    });
    add(map, "semver", vec![S], None, |_, a| {
        Version::parse(st(&a[0])).map(version_value)
    });
    add(map, "semverCompare", vec![S, S], None, |_, a| {
        semver::semver_compare(st(&a[0]), st(&a[1])).map(GoValue::Bool)
    });
}

#[cfg(test)]
mod tests;
