//! A go-yaml v2 compatible emitter: the bytes of Helm's `toYaml`
//! (`sigs.k8s.io/yaml.Marshal`) and of kustomize's output.
//!
//! `sigs.k8s.io/yaml.Marshal` first writes the value as JSON
//! (`encoding/json`), reads that JSON back with go-yaml v2 and writes it
//! with go-yaml v2's `Marshal`. The round trip shapes the output: every map
//! has string keys sorted in go-yaml's natural order (see `key_order.rs`),
//! numbers are spelled the way JSON wrote them and go-yaml then re-read them
//! (integral floats become integers, the rest use Go's `%g`), and strings are
//! styled by go-yaml's writer (`emitterc.go`): plain when a YAML 1.1 reader
//! would read back a string, double-quoted otherwise, single-quoted when they
//! start with an indicator, literal blocks for multi-line text, folding of
//! long lines at 80 columns. This module walks a [`Value`] once and writes
//! straight into one `String`, keeping the writer state go-yaml keeps
//! (column, indentation, and its `whitespace`/`indention` flags) so the
//! spacing decisions come out the same.

use std::borrow::Cow;
use std::fmt::Write as _;

use super::float::{format_go_float, format_json_float};
use super::key_order::sort_natural;
use super::resolve::needs_quotes;
use crate::diag::Diagnostic;
use crate::value::{Map, Value};

/// go-yaml's default preferred line width: plain and quoted scalars fold at
/// the first space once the column passes it.
const BEST_WIDTH: usize = 80;
/// go-yaml's default indentation step.
const BEST_INDENT: isize = 2;
/// Keys longer than this (in bytes) are written as `? key` complex keys.
const MAX_SIMPLE_KEY_LEN: usize = 128;

/// Variations of the output.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EmitOptions {
    /// Sort map keys in go-yaml's natural order, as the JSON round trip of
    /// `sigs.k8s.io/yaml` does (the default). With `false` maps keep their
    /// insertion order, for outputs that preserve the source order.
    pub sort_keys: bool,
    /// Indent block sequences under their key (`b:\n  - 3`), the layout of
    /// Helm's `toYamlPretty` (go-yaml v3 with `SetIndent(2)`). Only the
    /// indentation changes; the other go-yaml v3 differences (no folding,
    /// `%g` numbers without the JSON step) are not modelled. Default `false`:
    /// go-yaml v2 writes `b:\n- 3`.
    pub indent_sequences: bool,
    /// Reproduce the effects of sigs.k8s.io/yaml's JSON round trip that
    /// depend on how Helm holds values (the default): a [`Value::DocInt`]
    /// is a Go `float64`, so integers beyond 2^53 come out rounded the way
    /// `encoding/json` writes them, and NEL (U+0085) is folded the way
    /// go-yaml's reader folds it inside a JSON string. With `false` both are
    /// written as they are, as kustomize (which keeps scalars as text) does.
    /// Integral floats print as integers either way.
    pub json_round_trip: bool,
}

impl Default for EmitOptions {
    fn default() -> Self {
        EmitOptions {
            sort_keys: true,
            indent_sequences: false,
            json_round_trip: true,
        }
    }
}

/// Why a value cannot be written the way `sigs.k8s.io/yaml.Marshal` writes it.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum EmitError {
    /// `encoding/json` refuses NaN and infinities, so Helm's `toYaml`
    /// fails (and prints an empty string) for them. The message is the one
    /// sigs.k8s.io/yaml returns.
    #[error("error marshaling into JSON: json: unsupported value: {spelling}")]
    UnsupportedFloat {
        /// Go's spelling of the number: `NaN`, `+Inf` or `-Inf`.
        spelling: String,
    },
    /// `encoding/json` writes DEL, the C1 controls other than NEL, U+FFFE
    /// and U+FFFF unescaped, and go-yaml's reader then rejects the JSON
    /// text, so `toYaml` fails for strings holding them.
    #[error("yaml: control characters are not allowed")]
    ControlCharacter,
    /// go-yaml reads a JSON object key as a YAML simple key, which must fit
    /// on one line and end within 1024 characters: a key holding NEL, or
    /// whose JSON spelling is longer than 1022 characters, fails `toYaml`.
    #[error("yaml: did not find expected ',' or '}}'")]
    UnreadableKey,
}

impl From<EmitError> for Diagnostic {
    fn from(e: EmitError) -> Self {
        // The emitter sees values, not files: callers that know the
        // template or resource attach a location themselves.
        Diagnostic::new(e.to_string())
    }
}

/// Serializes a value the way Helm's `toYaml` (sigs.k8s.io/yaml.Marshal)
/// does, including the trailing newline (Helm's `toYaml` trims it; that is
/// the template engine's job).
///
/// Values Helm cannot marshal at all are still written: NaN and infinities
/// in go-yaml's own spelling (`.nan`, `.inf`, `-.inf`), and strings with
/// characters its JSON step loses (DEL, C1 controls) escaped. Use
/// [`try_to_yaml`] to get Helm's error instead.
pub fn to_yaml(value: &Value) -> String {
    to_yaml_with(value, EmitOptions::default())
}

/// [`to_yaml`] with options.
pub fn to_yaml_with(value: &Value, opts: EmitOptions) -> String {
    let mut out = String::new();
    // The document is complete even when Helm would have failed.
    let _ = write_yaml(&mut out, value, opts);
    out
}

/// [`to_yaml`], failing like sigs.k8s.io/yaml.Marshal on NaN, infinities and
/// strings its JSON round trip cannot carry.
pub fn try_to_yaml(value: &Value) -> Result<String, EmitError> {
    let mut out = String::new();
    write_yaml(&mut out, value, EmitOptions::default())?;
    Ok(out)
}

/// Appends the YAML document for `value` to `out` (so a stream of documents
/// can share one buffer). When Helm would fail ([`EmitError`]) the whole
/// document is still written as [`to_yaml`] writes it, and the error is
/// returned.
pub fn write_yaml(out: &mut String, value: &Value, opts: EmitOptions) -> Result<(), EmitError> {
    let mut w = Writer {
        out,
        opts,
        column: 0,
        indent: -1,
        whitespace: true,
        indention: true,
        error: None,
    };
    w.node(value, false);
    // Document end: go-yaml writes an indent (a line break unless the last
    // scalar already ended with one); the document is implicit, so no `...`.
    w.indent = -1;
    w.write_indent();
    match w.error {
        Some(e) => Err(e),
        None => Ok(()),
    }
}

/// The scalar styles go-yaml v2 can pick for our values (it never asks for
/// folded `>` blocks).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Style {
    Plain,
    SingleQuoted,
    DoubleQuoted,
    Literal,
}

/// What go-yaml's `yaml_emitter_analyze_scalar` learns about a string and
/// which styles it then allows (block context only: flow collections here
/// are always empty, so the flow-only flags are not needed).
#[derive(Debug, Clone, Copy, PartialEq)]
struct Analysis {
    multiline: bool,
    plain_allowed: bool,
    single_quoted_allowed: bool,
    block_allowed: bool,
    /// Holds a character that sigs.k8s.io/yaml's JSON step cannot carry.
    json_unsafe: bool,
}

/// UTF-8 sequence length from its first byte.
fn char_width(lead: u8) -> usize {
    match lead {
        0x00..=0x7F => 1,
        0xC0..=0xDF => 2,
        0xE0..=0xEF => 3,
        _ => 4,
    }
}

fn byte_at(b: &[u8], i: usize) -> u8 {
    b.get(i).copied().unwrap_or(0)
}

/// go-yaml's `is_break`: LF, CR, NEL, LS, PS.
fn is_break(b: &[u8], i: usize) -> bool {
    match byte_at(b, i) {
        b'\r' | b'\n' => true,
        0xC2 => byte_at(b, i + 1) == 0x85,
        0xE2 => byte_at(b, i + 1) == 0x80 && matches!(byte_at(b, i + 2), 0xA8 | 0xA9),
        _ => false,
    }
}

/// go-yaml's `is_blankz`: blank, break, or the end (NUL).
fn is_blankz(b: &[u8], i: usize) -> bool {
    matches!(byte_at(b, i), b' ' | b'\t' | 0) || is_break(b, i)
}

/// go-yaml v2's `is_printable`. It only admits LF, printable ASCII and the
/// BMP minus surrogates, U+0080–U+009F, U+FEFF and U+FFFE/U+FFFF, so tabs
/// and every character outside the BMP (emoji) force double quotes and
/// escapes: `emoji 😀` is written `"emoji \U0001F600"`.
fn is_printable(b: &[u8], i: usize) -> bool {
    let next = byte_at(b, i + 1);
    match byte_at(b, i) {
        0x0A | 0x20..=0x7E => true,
        0xC2 => next >= 0xA0,
        0xC3..=0xEC | 0xEE => true,
        0xED => next < 0xA0,
        0xEF => {
            let third = byte_at(b, i + 2);
            // U+FEFF, U+FFFE and U+FFFF are excluded.
            !((next == 0xBB && third == 0xBF) || (next == 0xBF && matches!(third, 0xBE | 0xBF)))
        }
        _ => false,
    }
}

fn analyze(s: &str) -> Analysis {
    let b = s.as_bytes();
    if b.is_empty() {
        return Analysis {
            multiline: false,
            plain_allowed: true,
            single_quoted_allowed: true,
            block_allowed: false,
            json_unsafe: false,
        };
    }
    if is_word(b) {
        return WORD;
    }
    analyze_chars(s)
}

/// What [`analyze_chars`] finds in a [`is_word`] scalar: every style open.
const WORD: Analysis = Analysis {
    multiline: false,
    plain_allowed: true,
    single_quoted_allowed: true,
    block_allowed: true,
    json_unsafe: false,
};

/// Most scalars (keys, names, images, label values) are a word of letters,
/// digits and `-_./` starting with a letter or digit: nothing in them is an
/// indicator, a space, a break or unprintable, so the character walk of
/// [`analyze_chars`] has nothing to find.
fn is_word(b: &[u8]) -> bool {
    b.first().is_some_and(u8::is_ascii_alphanumeric)
        && b.iter()
            .all(|&c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.' | b'/'))
}

/// go-yaml's `yaml_emitter_analyze_scalar`, character by character.
fn analyze_chars(s: &str) -> Analysis {
    let b = s.as_bytes();
    // Document markers at the start cannot be plain.
    let mut block_indicators = b.starts_with(b"---") || b.starts_with(b"...");
    let mut special = false;
    let mut json_unsafe = false;
    let mut line_breaks = false;
    let (mut leading_space, mut leading_break) = (false, false);
    let (mut trailing_space, mut trailing_break) = (false, false);
    let (mut break_space, mut space_break) = (false, false);
    let (mut previous_space, mut previous_break) = (false, false);
    let mut preceded_by_whitespace = true;

    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        let w = char_width(c);
        let followed_by_whitespace = i + w >= b.len() || matches!(b[i + w], b' ' | b'\t');
        if i == 0 {
            match c {
                b'#' | b',' | b'[' | b']' | b'{' | b'}' | b'&' | b'*' | b'!' | b'|' | b'>'
                | b'\'' | b'"' | b'%' | b'@' | b'`' => block_indicators = true,
                b'?' | b':' | b'-' if followed_by_whitespace => block_indicators = true,
                _ => {}
            }
        } else {
            match c {
                b':' if followed_by_whitespace => block_indicators = true,
                b'#' if preceded_by_whitespace => block_indicators = true,
                _ => {}
            }
        }
        if !is_printable(b, i) {
            special = true;
            json_unsafe |= rejected_after_json(&s[i..]);
        }
        if c == b' ' {
            leading_space |= i == 0;
            trailing_space |= i + 1 == b.len();
            break_space |= previous_break;
            previous_space = true;
            previous_break = false;
        } else if is_break(b, i) {
            line_breaks = true;
            leading_break |= i == 0;
            trailing_break |= i + w == b.len();
            space_break |= previous_space;
            previous_space = false;
            previous_break = true;
        } else {
            previous_space = false;
            previous_break = false;
        }
        preceded_by_whitespace = is_blankz(b, i);
        i += w;
    }

    let edge = leading_space || leading_break || trailing_space || trailing_break;
    Analysis {
        multiline: line_breaks,
        plain_allowed: !(edge
            || break_space
            || space_break
            || special
            || line_breaks
            || block_indicators),
        single_quoted_allowed: !(break_space || space_break || special),
        block_allowed: !(trailing_space || space_break || special),
        json_unsafe,
    }
}

/// True when the character starting `rest` is one that `encoding/json`
/// leaves unescaped but go-yaml's reader refuses (it accepts tab, LF, CR,
/// printable ASCII, NEL, U+00A0–U+D7FF, U+E000–U+FFFD and U+10000 up;
/// JSON escapes the C0 controls itself).
fn rejected_after_json(rest: &str) -> bool {
    rest.chars().next().is_some_and(
        |c| matches!(c, '\u{7f}'..='\u{84}' | '\u{86}'..='\u{9f}' | '\u{fffe}' | '\u{ffff}'),
    )
}

/// The style go-yaml v2's encoder asks for (`encode.go`, `stringv`):
/// literal for anything with a newline, plain when the plain text resolves
/// back to this string, double quotes otherwise.
fn requested_style(s: &str) -> Style {
    if s.contains('\n') {
        Style::Literal
    } else if needs_quotes(s) {
        Style::DoubleQuoted
    } else {
        Style::Plain
    }
}

/// `yaml_emitter_select_scalar_style`: downgrade the requested style until
/// the analysis allows it.
fn select_style(s: &str, requested: Style, a: &Analysis, simple_key: bool) -> Style {
    let mut style = requested;
    if simple_key && a.multiline {
        style = Style::DoubleQuoted;
    }
    if style == Style::Plain && (!a.plain_allowed || (s.is_empty() && simple_key)) {
        style = Style::SingleQuoted;
    }
    if style == Style::SingleQuoted && !a.single_quoted_allowed {
        style = Style::DoubleQuoted;
    }
    if style == Style::Literal && (!a.block_allowed || simple_key) {
        style = Style::DoubleQuoted;
    }
    style
}

struct Writer<'a> {
    out: &'a mut String,
    opts: EmitOptions,
    /// Current column in characters (go-yaml counts one per character).
    column: usize,
    /// Current indentation; -1 before the root node.
    indent: isize,
    /// The last thing written was whitespace (or nothing yet on the line).
    whitespace: bool,
    /// Only indentation has been written on the current line so far.
    indention: bool,
    error: Option<EmitError>,
}

impl Writer<'_> {
    /// Records why Helm would fail. `json.Marshal` runs before go-yaml
    /// reads anything, so a float error wins over a character error.
    fn fail(&mut self, e: EmitError) {
        let replace = matches!(
            (&self.error, &e),
            (None, _)
                | (
                    Some(EmitError::ControlCharacter),
                    EmitError::UnsupportedFloat { .. }
                )
        );
        if replace {
            self.error = Some(e);
        }
    }

    fn put(&mut self, c: char) {
        self.out.push(c);
        self.column += 1;
    }

    fn put_break(&mut self) {
        self.out.push('\n');
        self.column = 0;
    }

    /// Writes one character of `s` at byte `i`; returns its width.
    fn write_char(&mut self, s: &str, i: usize) -> usize {
        let w = char_width(s.as_bytes()[i]);
        self.out.push_str(&s[i..i + w]);
        self.column += 1;
        w
    }

    /// go-yaml's `write_break`: a `\n` becomes a line break, any other
    /// break character is copied and resets the column.
    fn write_break(&mut self, s: &str, i: usize) -> usize {
        if s.as_bytes()[i] == b'\n' {
            self.put_break();
            1
        } else {
            let w = self.write_char(s, i);
            self.column = 0;
            w
        }
    }

    fn write_indent(&mut self) {
        let indent = self.indent.max(0) as usize;
        if !self.indention || self.column > indent || (self.column == indent && !self.whitespace) {
            self.put_break();
        }
        if self.column < indent {
            let pad = indent - self.column;
            self.out.extend(std::iter::repeat_n(' ', pad));
            self.column = indent;
        }
        self.whitespace = true;
        self.indention = true;
    }

    fn write_indicator(
        &mut self,
        indicator: &str,
        need_whitespace: bool,
        is_whitespace: bool,
        is_indention: bool,
    ) {
        if need_whitespace && !self.whitespace {
            self.put(' ');
        }
        self.out.push_str(indicator);
        self.column += indicator.chars().count();
        self.whitespace = is_whitespace;
        self.indention = self.indention && is_indention;
    }

    fn increase_indent(&mut self, flow: bool, indentless: bool) {
        if self.indent < 0 {
            self.indent = if flow { BEST_INDENT } else { 0 };
        } else if !indentless {
            self.indent += BEST_INDENT;
        }
    }

    /// Emits any node; `mapping` says it is the value of a mapping entry
    /// (go-yaml's `mapping_context`), which decides whether a block
    /// sequence is indented.
    fn node(&mut self, value: &Value, mapping: bool) {
        match value {
            Value::Null => self.token("null"),
            Value::Bool(b) => self.token(if *b { "true" } else { "false" }),
            Value::Int(i) => self.integer(*i),
            // Helm holds document numbers as float64, so beyond 2^53 the
            // JSON step rounds them (9223372036854775807 → 9223372036854775808).
            Value::DocInt(i) if self.opts.json_round_trip => self.float(*i as f64),
            Value::DocInt(i) => self.integer(*i),
            Value::Float(f) => self.float(*f),
            Value::String(s) if self.opts.json_round_trip => {
                let s = fold_nel_like_json_step(s);
                self.string(&s, &analyze(&s), false);
            }
            Value::String(s) => self.string(s, &analyze(s), false),
            Value::Seq(items) if items.is_empty() => self.empty_flow("[", "]"),
            Value::Seq(items) => self.sequence(items, mapping),
            Value::Map(m) if m.is_empty() => self.empty_flow("{", "}"),
            Value::Map(m) => self.mapping(m),
        }
    }

    /// A plain scalar that go-yaml always writes as is (null, bools,
    /// numbers): no spaces, so no folding, and plain is always allowed.
    fn token(&mut self, text: &str) {
        if !self.whitespace {
            self.put(' ');
        }
        self.out.push_str(text);
        self.column += text.len();
        self.whitespace = false;
        self.indention = false;
    }

    fn integer(&mut self, i: i64) {
        if !self.whitespace {
            self.put(' ');
        }
        let before = self.out.len();
        // Writing to a String cannot fail.
        let _ = write!(self.out, "{i}");
        self.column += self.out.len() - before;
        self.whitespace = false;
        self.indention = false;
    }

    /// A float after the JSON round trip: `encoding/json` writes integral
    /// values below 1e21 without fraction or exponent, go-yaml reads that
    /// text back as an int (`1.0` → `1`, `1e6` → `1000000`, `-0.0` → `0`)
    /// when it fits `int64`/`uint64`, and as a float64 otherwise, which it
    /// prints with `%g` (`1e+20`, `1.5e-07`, `1.2345675e+06`).
    fn float(&mut self, f: f64) {
        if !f.is_finite() {
            let (yaml, go) = if f.is_nan() {
                (".nan", "NaN")
            } else if f > 0.0 {
                (".inf", "+Inf")
            } else {
                ("-.inf", "-Inf")
            };
            self.fail(EmitError::UnsupportedFloat {
                spelling: go.to_string(),
            });
            self.token(yaml);
            return;
        }
        let json = format_json_float(f);
        if !json.contains(['.', 'e']) {
            // An integer to go-yaml's resolver (`ParseInt`, then `ParseUint`).
            // The JSON text carries only the shortest round-trip digits, so
            // 12345678901234567890.0 prints as 12345678901234567000.
            if json == "-0" {
                self.token("0");
                return;
            }
            if json.parse::<i64>().is_ok() || json.parse::<u64>().is_ok() {
                self.token(&json);
                return;
            }
        }
        self.token(&format_go_float(f));
    }

    fn empty_flow(&mut self, open: &str, close: &str) {
        self.write_indicator(open, true, true, false);
        self.write_indicator(close, false, false, false);
    }

    fn sequence(&mut self, items: &[Value], mapping: bool) {
        let saved = self.indent;
        // go-yaml writes a sequence that is a mapping value at the key's
        // indentation (`key:\n- a`); yaml.v3 (toYamlPretty) indents it.
        let indentless = mapping && !self.indention && !self.opts.indent_sequences;
        self.increase_indent(false, indentless);
        for item in items {
            self.write_indent();
            self.write_indicator("-", true, false, true);
            self.node(item, false);
        }
        self.indent = saved;
    }

    fn mapping(&mut self, m: &Map) {
        let saved = self.indent;
        self.increase_indent(false, false);
        if self.opts.sort_keys {
            let mut entries: Vec<(&str, &Value)> = m.iter().map(|(k, v)| (k.as_str(), v)).collect();
            sort_natural(&mut entries);
            for (k, v) in entries {
                self.entry(k, v);
            }
        } else {
            for (k, v) in m {
                self.entry(k, v);
            }
        }
        self.indent = saved;
    }

    fn entry(&mut self, key: &str, value: &Value) {
        if key_unreadable_after_json(key) {
            self.fail(EmitError::UnreadableKey);
        }
        self.write_indent();
        let a = analyze(key);
        // go-yaml's `check_simple_key`: single-line keys up to 128 bytes are
        // written `key: value`; others as `? key` / `: value`.
        if !a.multiline && key.len() <= MAX_SIMPLE_KEY_LEN {
            self.string(key, &a, true);
            self.write_indicator(":", false, false, false);
        } else {
            self.write_indicator("?", true, false, true);
            self.string(key, &a, false);
            self.write_indent();
            self.write_indicator(":", true, false, true);
        }
        self.node(value, true);
    }

    fn string(&mut self, s: &str, a: &Analysis, simple_key: bool) {
        if a.json_unsafe {
            self.fail(EmitError::ControlCharacter);
        }
        let style = select_style(s, requested_style(s), a, simple_key);
        let saved = self.indent;
        self.increase_indent(true, false);
        // Keys never fold.
        let allow_breaks = !simple_key;
        match style {
            Style::Plain => self.plain(s, allow_breaks),
            Style::SingleQuoted => self.single_quoted(s, allow_breaks),
            Style::DoubleQuoted => self.double_quoted(s, allow_breaks),
            Style::Literal => self.literal(s),
        }
        self.indent = saved;
    }

    /// Number of characters in `s`.
    fn char_count(s: &str) -> usize {
        if s.is_ascii() {
            s.len()
        } else {
            s.chars().count()
        }
    }

    /// `yaml_emitter_write_plain_scalar`. Plain scalars never contain
    /// breaks (the analysis forbids it), so only folding remains: at a
    /// single space once the column is past 80, the space becomes a line
    /// break plus indentation.
    fn plain(&mut self, s: &str, allow_breaks: bool) {
        if !self.whitespace {
            self.put(' ');
        }
        // Fast path: no space can sit past column 80, so nothing folds.
        if !allow_breaks || self.column + s.len() <= BEST_WIDTH + 1 {
            self.out.push_str(s);
            self.column += Self::char_count(s);
        } else {
            let b = s.as_bytes();
            let mut spaces = false;
            let mut i = 0;
            while i < b.len() {
                if b[i] == b' ' {
                    if !spaces && self.column > BEST_WIDTH && byte_at(b, i + 1) != b' ' {
                        self.write_indent();
                        i += 1;
                    } else {
                        i += self.write_char(s, i);
                    }
                    spaces = true;
                } else {
                    i += self.write_char(s, i);
                    self.indention = false;
                    spaces = false;
                }
            }
        }
        self.whitespace = false;
        self.indention = false;
    }

    /// `yaml_emitter_write_single_quoted_scalar`: `'` doubled, folding at
    /// a single inner space past column 80.
    fn single_quoted(&mut self, s: &str, allow_breaks: bool) {
        self.write_indicator("'", true, false, false);
        let b = s.as_bytes();
        let mut spaces = false;
        let mut breaks = false;
        let mut i = 0;
        while i < b.len() {
            if b[i] == b' ' {
                if allow_breaks
                    && !spaces
                    && self.column > BEST_WIDTH
                    && i > 0
                    && i + 1 < b.len()
                    && b[i + 1] != b' '
                {
                    self.write_indent();
                    i += 1;
                } else {
                    i += self.write_char(s, i);
                }
                spaces = true;
            } else if is_break(b, i) {
                if !breaks && b[i] == b'\n' {
                    self.put_break();
                }
                i += self.write_break(s, i);
                self.indention = true;
                breaks = true;
            } else {
                if breaks {
                    self.write_indent();
                }
                if b[i] == b'\'' {
                    self.put('\'');
                }
                i += self.write_char(s, i);
                self.indention = false;
                spaces = false;
                breaks = false;
            }
        }
        self.write_indicator("'", false, false, false);
        self.whitespace = false;
        self.indention = false;
    }

    /// `yaml_emitter_write_double_quoted_scalar`: escapes for unprintable
    /// characters, breaks, `"` and `\`; folding at a space past column 80
    /// with `\` protecting a following space.
    fn double_quoted(&mut self, s: &str, allow_breaks: bool) {
        self.write_indicator("\"", true, false, false);
        let b = s.as_bytes();
        // go-yaml's `is_bom(value, i)` looks at the start of the value, not
        // at `i`: a string that starts with U+FEFF has every character
        // escaped (`"\uFEFF\x61\x62"`).
        let starts_with_bom = b.starts_with(&[0xEF, 0xBB, 0xBF]);
        let mut spaces = false;
        let mut i = 0;
        while i < b.len() {
            let c = b[i];
            if starts_with_bom || !is_printable(b, i) || is_break(b, i) || c == b'"' || c == b'\\' {
                let ch = s[i..].chars().next().unwrap_or('\0');
                i += ch.len_utf8();
                self.escape(ch);
                spaces = false;
            } else if c == b' ' {
                if allow_breaks && !spaces && self.column > BEST_WIDTH && i > 0 && i + 1 < b.len() {
                    self.write_indent();
                    if b[i + 1] == b' ' {
                        self.put('\\');
                    }
                    i += 1;
                } else {
                    i += self.write_char(s, i);
                }
                spaces = true;
            } else {
                i += self.write_char(s, i);
                spaces = false;
            }
        }
        self.write_indicator("\"", false, false, false);
        self.whitespace = false;
        self.indention = false;
    }

    /// One escape sequence, in go-yaml's spelling (upper-case hex, the
    /// shortest of `\x`, `\u`, `\U` that fits).
    fn escape(&mut self, ch: char) {
        self.put('\\');
        let short = match ch {
            '\0' => Some('0'),
            '\u{07}' => Some('a'),
            '\u{08}' => Some('b'),
            '\t' => Some('t'),
            '\n' => Some('n'),
            '\u{0B}' => Some('v'),
            '\u{0C}' => Some('f'),
            '\r' => Some('r'),
            '\u{1B}' => Some('e'),
            '"' => Some('"'),
            '\\' => Some('\\'),
            '\u{85}' => Some('N'),
            '\u{A0}' => Some('_'),
            '\u{2028}' => Some('L'),
            '\u{2029}' => Some('P'),
            _ => None,
        };
        if let Some(e) = short {
            self.put(e);
            return;
        }
        let v = ch as u32;
        let (letter, digits) = if v <= 0xFF {
            ('x', 2)
        } else if v <= 0xFFFF {
            ('u', 4)
        } else {
            ('U', 8)
        };
        self.put(letter);
        for k in (0..digits).rev() {
            let d = (v >> (4 * k)) & 0xF;
            let c = char::from_digit(d, 16).unwrap_or('0').to_ascii_uppercase();
            self.put(c);
        }
    }

    /// `yaml_emitter_write_literal_scalar` with its header hints: `2` when
    /// the text starts with a space or break (the indentation could not be
    /// detected otherwise), `-` without a final break, `+` when the text is
    /// a lone break or ends with two.
    fn literal(&mut self, s: &str) {
        self.write_indicator("|", true, false, false);
        let b = s.as_bytes();
        if b.first() == Some(&b' ') || is_break(b, 0) {
            self.write_indicator("2", false, false, false);
        }
        if let Some(chomp) = chomp_hint(s) {
            self.write_indicator(chomp, false, false, false);
        }
        self.put_break();
        self.indention = true;
        self.whitespace = true;
        let mut breaks = true;
        let mut i = 0;
        while i < b.len() {
            if is_break(b, i) {
                i += self.write_break(s, i);
                self.indention = true;
                breaks = true;
            } else {
                if breaks {
                    self.write_indent();
                }
                // Copy the rest of the line in one go.
                let end = b[i..]
                    .iter()
                    .enumerate()
                    .position(|(k, _)| is_break(b, i + k))
                    .map_or(b.len(), |k| i + k);
                let line = &s[i..end];
                self.out.push_str(line);
                self.column += Self::char_count(line);
                i = end;
                self.indention = false;
                breaks = false;
            }
        }
    }
}

/// The JSON step leaves NEL (U+0085) unescaped and go-yaml's reader takes it
/// for a line break inside the double-quoted JSON string, folding it like
/// YAML does: a run of spaces and NELs becomes one space when it holds one
/// NEL, and one `\n` per further NEL otherwise (helm: `"a \u0085 \u0085 b"`
/// comes out as `a\nb`).
fn fold_nel_like_json_step(s: &str) -> Cow<'_, str> {
    if !s.contains('\u{85}') {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(start) = rest.find([' ', '\u{85}']) {
        out.push_str(&rest[..start]);
        let run_len = rest[start..]
            .char_indices()
            .find(|(_, c)| !matches!(c, ' ' | '\u{85}'))
            .map_or(rest.len() - start, |(k, _)| k);
        let run = &rest[start..start + run_len];
        match run.matches('\u{85}').count() {
            0 => out.push_str(run),
            1 => out.push(' '),
            n => out.extend(std::iter::repeat_n('\n', n - 1)),
        }
        rest = &rest[start + run_len..];
    }
    out.push_str(rest);
    Cow::Owned(out)
}

/// Whether go-yaml fails to read `key` back from the JSON text: a YAML
/// simple key may not span lines (NEL is a break to go-yaml) and its `:`
/// must come within 1024 characters of its start, counted on the JSON
/// spelling with quotes and `encoding/json`'s escapes (`<` is `\u003c`).
fn key_unreadable_after_json(key: &str) -> bool {
    // NEL is the only non-ASCII character that matters here.
    let nel = !key.is_ascii() && key.contains('\u{85}');
    if nel {
        return true;
    }
    // Every character takes at most 6 characters in JSON.
    if key.len() <= 170 {
        return false;
    }
    let encoded: usize = key
        .chars()
        .map(|c| match c {
            '<' | '>' | '&' | '\u{2028}' | '\u{2029}' => 6,
            '"' | '\\' | '\n' | '\r' | '\t' | '\u{8}' | '\u{c}' => 2,
            c if u32::from(c) < 0x20 => 6,
            _ => 1,
        })
        .sum();
    encoded + 2 > 1024
}

/// The chomping indicator of a literal block (`yaml_emitter_write_block_scalar_hints`).
fn chomp_hint(s: &str) -> Option<&'static str> {
    let mut chars = s.char_indices().rev();
    let Some((last_at, _)) = chars.next() else {
        return Some("-");
    };
    let b = s.as_bytes();
    if !is_break(b, last_at) {
        return Some("-");
    }
    match chars.next() {
        None => Some("+"),
        Some((prev_at, _)) if is_break(b, prev_at) => Some("+"),
        Some(_) => None,
    }
}

#[cfg(test)]
mod tests;
