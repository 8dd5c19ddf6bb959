//! The `--set` family of flags: Helm's `pkg/strvals` grammar.
//!
//! One parser serves all five flags; they differ only in how a value's text
//! becomes a [`Value`] ([`Mode`]) and, for `--set-literal`, in the grammar
//! (no `,` separator, no backslash escapes, the value runs to the end).
//!
//! The parser is a port of the *behaviour* of `parser.go` and
//! `literal_parser.go` at v4.1.4, including their rough edges, because users
//! depend on them: `x={}` is `[""]`, `c=[]` is the string `"[]"`, a dangling
//! `a[0` is silently ignored (the Go code treats a wrapped `io.EOF` as the
//! normal end of input), and re-using a key with an incompatible type fails
//! with the Go runtime's `interface conversion` text.

use crate::value::{Map, Value};

/// Helm's `MaxIndex`: the largest list index `--set` accepts.
pub const MAX_INDEX: usize = 65536;

/// Helm's `MaxNestedNameLevel`: the deepest `a.b.c…` nesting accepted.
pub const MAX_NESTED_NAME_LEVEL: usize = 30;

/// How the text of a value becomes a [`Value`].
pub enum Mode<'r> {
    /// `--set`: `true`/`false`/`null` (any case), decimal `int64`s, else strings.
    Typed,
    /// `--set-string`: always a string.
    String,
    /// `--set-json`: a JSON document per value (empty means `null`).
    Json,
    /// `--set-file`: the value is a path; the reader returns the contents.
    File(&'r mut dyn FnMut(&str) -> Result<Value, String>),
    /// `--set-literal`: everything after the first `=` is the string.
    Literal,
}

/// A `--set`-family parse error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StrvalsError {
    /// Helm's message (`key "b" has no value`, …).
    pub message: String,
    /// 1-based column (in characters) of the flag text where parsing stopped.
    pub column: usize,
}

/// Internal error: Go's parser distinguishes "end of input" (possibly
/// wrapped, e.g. `error parsing index: EOF`) from real errors, and treats
/// the former as success.
#[derive(Debug)]
struct Fail {
    message: String,
    eof: bool,
    column: usize,
}

type PResult<T> = Result<T, Fail>;

/// Parses one flag value (`a=b,c.d=e`) into `dest`, like Helm's
/// `strvals.ParseInto` and friends: existing keys are overwritten, maps are
/// extended, lists are written at the given index.
pub fn parse_into(input: &str, dest: &mut Map, mode: Mode<'_>) -> Result<(), StrvalsError> {
    let mut p = Parser {
        chars: input.chars().collect(),
        pos: 0,
        mode,
    };
    loop {
        match p.key(dest, 0) {
            Ok(()) => {}
            Err(f) if f.eof => return Ok(()),
            Err(f) => {
                return Err(StrvalsError {
                    message: f.message,
                    column: f.column,
                });
            }
        }
    }
}

struct Parser<'r> {
    chars: Vec<char>,
    pos: usize,
    mode: Mode<'r>,
}

/// What a `runes_until` scan ended on.
enum Stop {
    Rune(char),
    Eof,
}

impl Parser<'_> {
    fn literal(&self) -> bool {
        matches!(self.mode, Mode::Literal)
    }

    fn fail(&self, message: impl Into<String>) -> Fail {
        Fail {
            message: message.into(),
            eof: false,
            column: self.pos.max(1),
        }
    }

    fn eof(&self) -> Fail {
        Fail {
            message: "EOF".to_string(),
            eof: true,
            column: self.pos.max(1),
        }
    }

    fn read(&mut self) -> Option<char> {
        let c = self.chars.get(self.pos).copied();
        if c.is_some() {
            self.pos += 1;
        }
        c
    }

    fn unread(&mut self) {
        self.pos = self.pos.saturating_sub(1);
    }

    /// Reads until one of `stop`; a backslash takes the next rune verbatim
    /// (not in literal mode). A trailing lone backslash is dropped, as in Go.
    fn runes_until(&mut self, stop: &[char]) -> (String, Stop) {
        let literal = self.literal();
        let mut out = String::new();
        loop {
            let Some(c) = self.read() else {
                return (out, Stop::Eof);
            };
            if stop.contains(&c) {
                return (out, Stop::Rune(c));
            }
            if c == '\\' && !literal {
                match self.read() {
                    Some(next) => out.push(next),
                    None => return (out, Stop::Eof),
                }
            } else {
                out.push(c);
            }
        }
    }

    /// Converts a value's text according to the mode.
    fn convert(&mut self, text: &str) -> PResult<Value> {
        match &mut self.mode {
            Mode::Typed => Ok(typed_value(text)),
            Mode::String | Mode::Literal | Mode::Json => Ok(Value::String(text.to_string())),
            Mode::File(reader) => {
                let result = reader(text);
                result.map_err(|message| self.fail(message))
            }
        }
    }

    fn key(&mut self, data: &mut Map, level: usize) -> PResult<()> {
        let stop: &[char] = if self.literal() {
            &['=', '[', '.']
        } else {
            &['=', '[', ',', '.']
        };
        let (k, last) = self.runes_until(stop);
        match last {
            Stop::Eof => {
                if k.is_empty() {
                    Err(self.eof())
                } else {
                    Err(self.fail(format!("key {} has no value", go_quote(&k))))
                }
            }
            Stop::Rune('[') => {
                let i = self.key_index()?;
                let mut list = match data.get(&k) {
                    None => Vec::new(),
                    Some(Value::Seq(items)) => items.clone(),
                    Some(other) => return Err(self.conversion_panic(other, "[]interface {}")),
                };
                let result = self.list_item(&mut list, i, level);
                set(data, &k, Value::Seq(list));
                result
            }
            Stop::Rune('=') => self.assign(data, &k),
            Stop::Rune(',') => {
                set(data, &k, Value::String(String::new()));
                Err(self.fail(format!(
                    "key {} has no value (cannot end with ,)",
                    go_quote(&k)
                )))
            }
            Stop::Rune(_) => {
                // '.': a nested map.
                let level = level + 1;
                if level > MAX_NESTED_NAME_LEVEL {
                    return Err(self.fail(format!(
                        "value name nested level is greater than maximum supported nested level of {MAX_NESTED_NAME_LEVEL}"
                    )));
                }
                let mut inner = match data.get(&k) {
                    None => Map::default(),
                    Some(Value::Map(m)) => m.clone(),
                    Some(other) => {
                        return Err(self.conversion_panic(other, "map[string]interface {}"));
                    }
                };
                let result = self.key(&mut inner, level);
                let empty = inner.is_empty();
                if !empty {
                    set(data, &k, Value::Map(inner));
                }
                match result {
                    Ok(()) if empty => {
                        Err(self.fail(format!("key map {} has no value", go_quote(&k))))
                    }
                    other => other,
                }
            }
        }
    }

    /// The value after `key=`.
    fn assign(&mut self, data: &mut Map, k: &str) -> PResult<()> {
        match self.mode {
            Mode::Literal => {
                let rest: String = self.chars[self.pos..].iter().collect();
                self.pos = self.chars.len();
                set(data, k, Value::String(rest));
                Ok(())
            }
            Mode::Json => {
                let v = self.json_value()?;
                set(data, k, v);
                // Skip blanks and one comma after the document.
                self.empty_val();
                Ok(())
            }
            _ => match self.val_list()? {
                ListOrNot::List(items) => {
                    set(data, k, Value::Seq(items));
                    Ok(())
                }
                ListOrNot::Eof => {
                    set(data, k, Value::String(String::new()));
                    Err(self.eof())
                }
                ListOrNot::NotList => {
                    let (text, _) = self.runes_until(&[',']);
                    let v = self.convert(&text)?;
                    set(data, k, v);
                    Ok(())
                }
            },
        }
    }

    /// A JSON document at the cursor; blank (up to `,` or the end) is null.
    fn json_value(&mut self) -> PResult<Value> {
        if self.empty_val() {
            return Ok(Value::Null);
        }
        let rest: String = self.chars[self.pos..].iter().collect();
        let mut stream = serde_json::Deserializer::from_str(&rest).into_iter::<serde_json::Value>();
        match stream.next() {
            Some(Ok(doc)) => {
                let consumed = rest[..stream.byte_offset()].chars().count();
                self.pos += consumed;
                // Go's encoding/json decodes every number as float64.
                Ok(Value::from_json(&doc))
            }
            Some(Err(e)) => Err(self.fail(e.to_string())),
            None => Err(self.eof()),
        }
    }

    /// Go's `emptyVal`: skips blanks; true at the end or after a `,`
    /// (consumed); false (nothing consumed but blanks) before anything else.
    fn empty_val(&mut self) -> bool {
        loop {
            match self.read() {
                None | Some(',') => return true,
                Some(c) if c.is_whitespace() => {}
                Some(_) => {
                    self.unread();
                    return false;
                }
            }
        }
    }

    fn key_index(&mut self) -> PResult<i64> {
        let (text, last) = self.runes_until(&[']']);
        if let Stop::Eof = last {
            // Go wraps io.EOF here ("error parsing index: EOF"), which the
            // top level still recognises as a normal end: nothing is set.
            return Err(self.eof());
        }
        go_atoi(&text).map_err(|e| self.fail(format!("error parsing index: {e}")))
    }

    fn list_item(&mut self, list: &mut Vec<Value>, i: i64, level: usize) -> PResult<()> {
        if i < 0 {
            return Err(self.fail(format!("negative {i} index not allowed")));
        }
        let (k, last) = self.runes_until(&['[', '.', '=']);
        if !k.is_empty() {
            return Err(self.fail(format!(
                "unexpected data at end of array index: {}",
                go_quote_runes(&k)
            )));
        }
        match last {
            Stop::Eof => Err(self.eof()),
            Stop::Rune('=') => {
                let v = match self.mode {
                    Mode::Literal => {
                        let rest: String = self.chars[self.pos..].iter().collect();
                        self.pos = self.chars.len();
                        Value::String(rest)
                    }
                    Mode::Json => {
                        let v = self.json_value()?;
                        self.set_index(list, i, v)?;
                        self.empty_val();
                        return Ok(());
                    }
                    _ => match self.val_list()? {
                        ListOrNot::List(items) => Value::Seq(items),
                        ListOrNot::Eof => Value::String(String::new()),
                        ListOrNot::NotList => {
                            let (text, _) = self.runes_until(&[',']);
                            self.convert(&text)?
                        }
                    },
                };
                self.set_index(list, i, v)
            }
            Stop::Rune('[') => {
                let next = self.key_index()?;
                let idx = usize::try_from(i).unwrap_or(usize::MAX);
                let mut inner = match list.get(idx) {
                    None | Some(Value::Null) => Vec::new(),
                    Some(Value::Seq(items)) => items.clone(),
                    Some(other) => return Err(self.conversion_panic(other, "[]interface {}")),
                };
                self.list_item(&mut inner, next, level)?;
                self.set_index(list, i, Value::Seq(inner))
            }
            Stop::Rune(_) => {
                // '.': a map inside the list. A non-map already there is
                // replaced ("indices out of order" in Helm's comment).
                let idx = usize::try_from(i).unwrap_or(usize::MAX);
                let mut inner = match list.get(idx) {
                    Some(Value::Map(m)) => m.clone(),
                    _ => Map::default(),
                };
                self.key(&mut inner, level)?;
                self.set_index(list, i, Value::Map(inner))
            }
        }
    }

    fn set_index(&self, list: &mut Vec<Value>, i: i64, v: Value) -> PResult<()> {
        if i < 0 {
            return Err(self.fail(format!("negative {i} index not allowed")));
        }
        let idx = usize::try_from(i).unwrap_or(usize::MAX);
        if idx > MAX_INDEX {
            return Err(self.fail(format!(
                "index of {i} is greater than maximum supported index of {MAX_INDEX}"
            )));
        }
        if list.len() <= idx {
            list.resize(idx + 1, Value::Null);
        }
        list[idx] = v;
        Ok(())
    }

    /// Go's `valList`: a `{a,b}` list, or a signal that the value is not one.
    fn val_list(&mut self) -> PResult<ListOrNot> {
        match self.read() {
            None => return Ok(ListOrNot::Eof),
            Some('{') => {}
            Some(_) => {
                self.unread();
                return Ok(ListOrNot::NotList);
            }
        }
        let mut items = Vec::new();
        loop {
            let (text, last) = self.runes_until(&[',', '}']);
            match last {
                Stop::Eof => return Err(self.fail("list must terminate with '}'")),
                Stop::Rune('}') => {
                    // A ',' right after the list is consumed with it.
                    match self.read() {
                        Some(',') | None => {}
                        Some(_) => self.unread(),
                    }
                    items.push(self.convert(&text)?);
                    return Ok(ListOrNot::List(items));
                }
                Stop::Rune(_) => items.push(self.convert(&text)?),
            }
        }
    }

    /// The message of Go's recovered type-assertion panic.
    fn conversion_panic(&self, found: &Value, wanted: &str) -> Fail {
        self.fail(format!(
            "unable to parse key: interface conversion: interface {{}} is {}, not {wanted}",
            go_type_name(found)
        ))
    }
}

enum ListOrNot {
    List(Vec<Value>),
    NotList,
    Eof,
}

/// Helm's `set`: an empty key is silently not set.
fn set(data: &mut Map, key: &str, v: Value) {
    if !key.is_empty() {
        data.insert(key.to_string(), v);
    }
}

/// Helm's `typedVal` for `--set`.
pub fn typed_value(text: &str) -> Value {
    if text.eq_ignore_ascii_case("true") {
        return Value::Bool(true);
    }
    if text.eq_ignore_ascii_case("false") {
        return Value::Bool(false);
    }
    if text.eq_ignore_ascii_case("null") {
        return Value::Null;
    }
    if text == "0" {
        return Value::Int(0);
    }
    // Only decimal integers without a leading zero become int64; Go's
    // ParseInt accepts a sign and `_`-free digits only.
    if !text.starts_with('0')
        && let Some(i) = go_parse_int(text)
    {
        return Value::Int(i);
    }
    Value::String(text.to_string())
}

/// `strconv.ParseInt(s, 10, 64)`: optional sign, ASCII digits, fits int64.
fn go_parse_int(s: &str) -> Option<i64> {
    let digits = s.strip_prefix(['+', '-']).unwrap_or(s);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse::<i64>().ok()
}

/// `strconv.Atoi` with Go's error texts.
fn go_atoi(s: &str) -> Result<i64, String> {
    let digits = s.strip_prefix(['+', '-']).unwrap_or(s);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!(
            "strconv.Atoi: parsing {}: invalid syntax",
            go_quote(s)
        ));
    }
    s.parse::<i64>()
        .map_err(|_| format!("strconv.Atoi: parsing {}: value out of range", go_quote(s)))
}

/// The Go type name of a decoded value, as a type-assertion panic prints it.
pub(crate) fn go_type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "nil",
        Value::Bool(_) => "bool",
        Value::Int(_) => "int64",
        Value::DocInt(_) | Value::Float(_) => "float64",
        Value::String(_) => "string",
        Value::Seq(_) => "[]interface {}",
        Value::Map(_) => "map[string]interface {}",
    }
}

/// Go's `%q` of a string (`strconv.Quote`).
pub(crate) fn go_quote(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        push_escaped(&mut out, c, '"');
    }
    out.push('"');
    out
}

/// Go's `%q` of a `[]rune`: each rune as a quoted rune literal.
fn go_quote_runes(s: &str) -> String {
    let parts: Vec<String> = s
        .chars()
        .map(|c| {
            let mut out = String::from("'");
            push_escaped(&mut out, c, '\'');
            out.push('\'');
            out
        })
        .collect();
    format!("[{}]", parts.join(" "))
}

fn push_escaped(out: &mut String, c: char, quote: char) {
    match c {
        '\\' => out.push_str("\\\\"),
        '\n' => out.push_str("\\n"),
        '\t' => out.push_str("\\t"),
        '\r' => out.push_str("\\r"),
        c if c == quote => {
            out.push('\\');
            out.push(c);
        }
        c if c.is_control() => {
            let n = c as u32;
            if n < 0x80 {
                out.push_str(&format!("\\x{n:02x}"));
            } else {
                out.push_str(&format!("\\u{n:04x}"));
            }
        }
        c => out.push(c),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(mode: Mode<'_>, s: &str) -> Result<Value, String> {
        let mut m = Map::default();
        parse_into(s, &mut m, mode).map_err(|e| e.message)?;
        Ok(Value::Map(m))
    }

    fn typed(s: &str) -> Value {
        parse(Mode::Typed, s).unwrap()
    }

    fn json(s: &str) -> Value {
        serde_json::from_str(s).unwrap()
    }

    #[test]
    fn typed_values() {
        assert_eq!(
            typed("a=true,b=FALSE,c=null,d=0,e=42,f=0123,g=1.5,h=1e3,i=-7"),
            Value::Map(Map::from_iter([
                ("a".to_string(), Value::Bool(true)),
                ("b".to_string(), Value::Bool(false)),
                ("c".to_string(), Value::Null),
                ("d".to_string(), Value::Int(0)),
                ("e".to_string(), Value::Int(42)),
                ("f".to_string(), "0123".into()),
                ("g".to_string(), "1.5".into()),
                ("h".to_string(), "1e3".into()),
                ("i".to_string(), Value::Int(-7)),
            ]))
        );
        assert_eq!(
            typed("big=9223372036854775808").get_path("big"),
            Some(&Value::from("9223372036854775808"))
        );
    }

    #[test]
    fn file_reader_reads_each_value() {
        let mut reader = |p: &str| -> Result<Value, String> { Ok(Value::from(format!("<{p}>"))) };
        assert_eq!(
            parse(Mode::File(&mut reader), "a=x.txt,b={p,q}").unwrap(),
            json(r#"{"a":"<x.txt>","b":["<p>","<q>"]}"#)
        );
        let mut failing = |_: &str| -> Result<Value, String> { Err("open x: nope".into()) };
        assert_eq!(
            parse(Mode::File(&mut failing), "a=x").unwrap_err(),
            "open x: nope"
        );
    }

    #[test]
    fn type_conflicts_report_go_conversion_errors() {
        assert_eq!(
            parse(Mode::Typed, "a=1,a.b=2").unwrap_err(),
            "unable to parse key: interface conversion: interface {} is int64, not map[string]interface {}"
        );
        assert_eq!(
            parse(Mode::Typed, "a=x,a[0]=2").unwrap_err(),
            "unable to parse key: interface conversion: interface {} is string, not []interface {}"
        );
    }

    #[test]
    fn dangling_index_is_ignored_like_helm() {
        assert_eq!(typed("a=x,b[2"), json(r#"{"a":"x"}"#));
        assert_eq!(typed("b[0]"), json(r#"{"b":[]}"#));
    }

    #[test]
    fn errors_carry_a_column() {
        let mut m = Map::default();
        let e = parse_into("a=1,b", &mut m, Mode::Typed).unwrap_err();
        assert_eq!(e.message, "key \"b\" has no value");
        assert_eq!(e.column, 5);
    }
}
