//! Go's `regexp` package on top of the `regex` crate.
//!
//! Both engines implement RE2 syntax with leftmost-first semantics, but they
//! disagree in places that change results:
//!
//! * Go's `\d`, `\w`, `\s` and `\b` are ASCII-only; the crate's are Unicode.
//! * Inside a class Go treats `[`, `&&`, `--` and `~~` literally; the crate
//!   reads them as nested classes and set operations.
//! * Go reads `{` that does not start a valid repeat (`a{`, `{x}`) as a
//!   literal, and `\<`, `\>` as escaped punctuation; the crate rejects the
//!   first and reads the second as word boundaries.
//! * Go accepts octal escapes (`\012`) and `\Q…\E` quoting.
//!
//! So a Go pattern is first walked by a small Go-syntax scanner that rejects
//! what Go rejects, with `regexp/syntax`'s error codes and fragments, and
//! rewrites the pattern into an equivalent one for the crate. The
//! match-iteration rules of Go (`FindAll`, `ReplaceAll`, `Split`) and its
//! template expansion (`$1`, `${name}`) are implemented here too, because the
//! crate's iterators and `Captures::expand` differ from Go on empty matches
//! and on malformed `$` references.
//!
//! Each pattern is compiled twice, lazily: a byte-level form without
//! Unicode for ASCII text, and the Unicode form for the rest. On ASCII text
//! both find the same matches (every Go class, `.`, `(?i)` and `\b` agree
//! there), and the Unicode form of a negated class (`[^a-z]`, common in
//! charts) costs the compiler a 320 KB table that most renders never need.

use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex};

use regex::Regex;
use std::sync::OnceLock;

use super::TextFuncError;

/// Go's largest repeat count (`regexp/syntax` maxRepeat).
const MAX_REPEAT: u32 = 1000;

/// A compiled Go regular expression.
#[derive(Debug, Clone)]
pub struct GoRegex {
    /// The pattern rewritten for the crate.
    translated: String,
    /// The Unicode form, compiled on first use with non-ASCII text (at once
    /// when there is no ASCII form); `None` if it cannot be built.
    unicode: OnceLock<Option<Regex>>,
    /// The byte form for ASCII text, when the pattern has one (`\pL` or a
    /// non-ASCII literal in a class have none).
    ascii: Option<regex::bytes::Regex>,
    /// Group names by index (index 0 is the whole match, unnamed groups are `""`).
    names: Vec<String>,
    /// Whether the Go source was non-empty (`Split` treats `""` specially).
    source_nonempty: bool,
}

/// Most patterns in charts are literals repeated across a whole render
/// (`regexReplaceAll "[^a-z0-9-]" …` per resource); compiling each once
/// keeps those calls cheap. Entries are shared, not cloned: a cloned
/// `Regex` starts with empty search caches and rebuilt them on every call.
/// Bounded: cleared when full.
type Cached = Result<Arc<GoRegex>, TextFuncError>;
static CACHE: LazyLock<Mutex<HashMap<String, Cached>>> =
    LazyLock::new(|| Mutex::new(HashMap::new()));
const CACHE_LIMIT: usize = 512;

impl GoRegex {
    /// [`compile`](Self::compile) through a process-wide cache.
    pub fn compile_cached(pattern: &str) -> Result<Arc<GoRegex>, TextFuncError> {
        if let Ok(cache) = CACHE.lock()
            && let Some(hit) = cache.get(pattern)
        {
            return hit.clone();
        }
        let result = GoRegex::compile(pattern).map(Arc::new);
        if let Ok(mut cache) = CACHE.lock() {
            if cache.len() >= CACHE_LIMIT {
                cache.clear();
            }
            cache.insert(pattern.to_string(), result.clone());
        }
        result
    }

    /// Compiles a pattern with Go's syntax (`regexp.Compile`).
    pub fn compile(pattern: &str) -> Result<GoRegex, TextFuncError> {
        let (translated, names) = translate(pattern)?;
        let ascii = regex::bytes::RegexBuilder::new(&translated)
            .unicode(false)
            .size_limit(SIZE_LIMIT)
            .build()
            .ok();
        let unicode = OnceLock::new();
        if ascii.is_none() {
            // The Unicode form reports what is wrong with the pattern.
            let re = unicode_form(&translated).map_err(|e| TextFuncError::Regex {
                code: "invalid regular expression".to_string(),
                fragment: match e {
                    regex::Error::CompiledTooBig(_) => "expression too large".to_string(),
                    _ => pattern.to_string(),
                },
            })?;
            let _ = unicode.set(Some(re));
        }
        Ok(GoRegex {
            translated,
            unicode,
            ascii,
            names,
            source_nonempty: !pattern.is_empty(),
        })
    }

    /// The form that matches `s`.
    fn engine(&self, s: &str) -> Engine<'_> {
        if let Some(ascii) = &self.ascii
            && s.is_ascii()
        {
            return Engine::Ascii(ascii);
        }
        let re = self.unicode.get_or_init(|| {
            // The byte form compiled, so the pattern is valid; only the size
            // limit can refuse the larger Unicode form, and Go has none.
            unicode_form(&self.translated)
                .or_else(|_| {
                    regex::RegexBuilder::new(&self.translated)
                        .size_limit(usize::MAX)
                        .build()
                })
                .ok()
        });
        match re {
            Some(re) => Engine::Unicode(re),
            None => Engine::Never,
        }
    }

    /// `MatchString`.
    pub fn is_match(&self, s: &str) -> bool {
        match self.engine(s) {
            Engine::Ascii(re) => re.is_match(s.as_bytes()),
            Engine::Unicode(re) => re.is_match(s),
            Engine::Never => false,
        }
    }

    /// `FindString`: the leftmost match, or `""`.
    pub fn find<'s>(&self, s: &'s str) -> &'s str {
        self.engine(s).find_at(s, 0).map_or("", |(a, b)| &s[a..b])
    }

    /// `FindAllStringIndex(s, n)`: successive non-overlapping matches, where
    /// an empty match right after the previous match is skipped (Go's
    /// `allMatches` rule); `n < 0` means all.
    pub fn find_all_index(&self, s: &str, n: i64) -> Vec<(usize, usize)> {
        let limit = if n < 0 { usize::MAX } else { n as usize };
        let mut out = Vec::new();
        let mut pos = 0usize;
        let mut prev_end: Option<usize> = None;
        let engine = self.engine(s);
        while out.len() < limit && pos <= s.len() {
            let Some((start, end)) = engine.find_at(s, pos) else {
                break;
            };
            let mut accept = true;
            if end == pos {
                // An empty match: never accepted right after the previous one.
                if Some(start) == prev_end {
                    accept = false;
                }
                pos += next_char_width(s, pos);
            } else {
                pos = end;
            }
            prev_end = Some(end);
            if accept {
                out.push((start, end));
            }
        }
        out
    }

    /// `FindAllString(s, n)`.
    pub fn find_all<'s>(&self, s: &'s str, n: i64) -> Vec<&'s str> {
        self.find_all_index(s, n)
            .into_iter()
            .map(|(a, b)| &s[a..b])
            .collect()
    }

    /// `ReplaceAllString` (`literal == false`, with `$` expansion) or
    /// `ReplaceAllLiteralString` (`literal == true`).
    pub fn replace_all(&self, src: &str, repl: &str, literal: bool) -> String {
        let mut out = String::with_capacity(src.len());
        let mut last_end = 0usize;
        let mut search = 0usize;
        let engine = self.engine(src);
        let mut groups = engine.groups();
        while search <= src.len() {
            let Some((start, end)) = engine.captures_at(&mut groups, src, search) else {
                break;
            };
            out.push_str(&src[last_end..start]);
            // Go skips an empty match that directly follows another match,
            // so patterns matching both empty and non-empty text do not
            // replace twice.
            if end > last_end || start == 0 {
                if literal {
                    out.push_str(repl);
                } else {
                    self.expand(&mut out, repl, src, &groups);
                }
            }
            last_end = end;
            let width = next_char_width(src, search);
            if search + width > end {
                search += width;
            } else if search + 1 > end {
                search += 1;
            } else {
                search = end;
            }
        }
        out.push_str(&src[last_end.min(src.len())..]);
        out
    }

    /// `Split(s, n)`.
    pub fn split<'s>(&self, s: &'s str, n: i64) -> Option<Vec<&'s str>> {
        if n == 0 {
            // Go returns a nil slice.
            return None;
        }
        if self.source_nonempty && s.is_empty() {
            return Some(vec![""]);
        }
        let matches = self.find_all_index(s, n);
        let mut out = Vec::with_capacity(matches.len() + 1);
        let (mut beg, mut end) = (0usize, 0usize);
        for (a, b) in matches {
            if n > 0 && out.len() as i64 == n - 1 {
                break;
            }
            end = a;
            if b != 0 {
                out.push(&s[beg..end]);
            }
            beg = b;
        }
        if end != s.len() {
            out.push(&s[beg..]);
        }
        Some(out)
    }

    /// Go's `Regexp.expand`: `$$` is a dollar, `$name` / `${name}` a group
    /// by number or name (unknown or non-participating groups expand to
    /// nothing), and a malformed reference leaves the `$` as text.
    fn expand(&self, out: &mut String, template: &str, src: &str, caps: &Groups) {
        let mut rest = template;
        while let Some(i) = rest.find('$') {
            out.push_str(&rest[..i]);
            rest = &rest[i + 1..];
            if let Some(after) = rest.strip_prefix('$') {
                out.push('$');
                rest = after;
                continue;
            }
            let Some((name, num, after)) = extract_reference(rest) else {
                out.push('$');
                continue;
            };
            rest = after;
            match num {
                Some(k) => {
                    if let Some((a, b)) = caps.get(k) {
                        out.push_str(&src[a..b]);
                    }
                }
                None => {
                    for (idx, n) in self.names.iter().enumerate() {
                        if n == name
                            && let Some((a, b)) = caps.get(idx)
                        {
                            out.push_str(&src[a..b]);
                            break;
                        }
                    }
                }
            }
        }
        out.push_str(rest);
    }
}

/// What the crate accepts of a translated pattern (and Go's size, roughly).
const SIZE_LIMIT: usize = 64 << 20;

/// The Unicode form of a translated pattern.
fn unicode_form(translated: &str) -> Result<Regex, regex::Error> {
    regex::RegexBuilder::new(translated)
        .size_limit(SIZE_LIMIT)
        .build()
}

/// The compiled form a search runs on.
enum Engine<'r> {
    /// The byte form, for ASCII text (offsets are char offsets too).
    Ascii(&'r regex::bytes::Regex),
    Unicode(&'r Regex),
    /// A pattern whose Unicode form could not be built: nothing matches.
    Never,
}

/// Group offsets of the last match of an [`Engine`].
enum Groups {
    Ascii(regex::bytes::CaptureLocations),
    Unicode(regex::CaptureLocations),
    Never,
}

impl Groups {
    fn get(&self, i: usize) -> Option<(usize, usize)> {
        match self {
            Groups::Ascii(g) => g.get(i),
            Groups::Unicode(g) => g.get(i),
            Groups::Never => None,
        }
    }
}

impl Engine<'_> {
    fn find_at(&self, s: &str, start: usize) -> Option<(usize, usize)> {
        match self {
            Engine::Ascii(re) => re
                .find_at(s.as_bytes(), start)
                .map(|m| (m.start(), m.end())),
            Engine::Unicode(re) => re.find_at(s, start).map(|m| (m.start(), m.end())),
            Engine::Never => None,
        }
    }

    fn groups(&self) -> Groups {
        match self {
            Engine::Ascii(re) => Groups::Ascii(re.capture_locations()),
            Engine::Unicode(re) => Groups::Unicode(re.capture_locations()),
            Engine::Never => Groups::Never,
        }
    }

    /// The match from `start` (its group offsets in `groups`).
    fn captures_at(&self, groups: &mut Groups, s: &str, start: usize) -> Option<(usize, usize)> {
        match (self, groups) {
            (Engine::Ascii(re), Groups::Ascii(g)) => re
                .captures_read_at(g, s.as_bytes(), start)
                .map(|m| (m.start(), m.end())),
            (Engine::Unicode(re), Groups::Unicode(g)) => re
                .captures_read_at(g, s, start)
                .map(|m| (m.start(), m.end())),
            _ => None,
        }
    }
}

/// Width of the character at `pos`, or 1 at the end of the text (Go moves
/// one step past the end to stop its loops).
fn next_char_width(s: &str, pos: usize) -> usize {
    s[pos.min(s.len())..]
        .chars()
        .next()
        .map(char::len_utf8)
        .unwrap_or(1)
}

/// Go's `extract`: a reference name after `$` (letters, digits, `_`,
/// optionally in braces), its group number when it is all digits without
/// a leading zero, and the rest of the template.
fn extract_reference(s: &str) -> Option<(&str, Option<usize>, &str)> {
    let (brace, body) = match s.strip_prefix('{') {
        Some(b) => (true, b),
        None => (false, s),
    };
    let len: usize = body
        .chars()
        .take_while(|c| c.is_alphabetic() || c.is_numeric() || *c == '_')
        .map(char::len_utf8)
        .sum();
    if len == 0 {
        return None;
    }
    let name = &body[..len];
    let mut rest = &body[len..];
    if brace {
        rest = rest.strip_prefix('}')?;
    }
    let mut num: Option<usize> = Some(0);
    for b in name.bytes() {
        num = match num {
            Some(n) if b.is_ascii_digit() && n < 100_000_000 => Some(n * 10 + (b - b'0') as usize),
            _ => None,
        };
    }
    if name.len() > 1 && name.starts_with('0') {
        num = None;
    }
    Some((name, num, rest))
}

/// Go's `regexp.QuoteMeta`.
pub fn quote_meta(s: &str) -> String {
    let mut out = String::with_capacity(s.len() * 2);
    for c in s.chars() {
        if "\\.+*?()|[]{}^$".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

fn err(code: &str, fragment: &str) -> TextFuncError {
    TextFuncError::Regex {
        code: code.to_string(),
        fragment: fragment.to_string(),
    }
}

/// Go's ASCII Perl classes, as class-body text for the crate.
fn perl_class(c: char) -> Option<(&'static str, bool)> {
    match c {
        'd' => Some(("0-9", false)),
        'D' => Some(("0-9", true)),
        's' => Some(("\\t\\n\\f\\r ", false)),
        'S' => Some(("\\t\\n\\f\\r ", true)),
        'w' => Some(("0-9A-Za-z_", false)),
        'W' => Some(("0-9A-Za-z_", true)),
        _ => None,
    }
}

const POSIX_NAMES: [&str; 14] = [
    "alnum", "alpha", "ascii", "blank", "cntrl", "digit", "graph", "lower", "print", "punct",
    "space", "upper", "word", "xdigit",
];

/// Rewrites a Go pattern for the `regex` crate, rejecting what Go's parser
/// rejects with its error code and fragment.
/// Also returns Go's group names by group index (index 0, the whole match,
/// and unnamed groups are `""`).
fn translate(pattern: &str) -> Result<(String, Vec<String>), TextFuncError> {
    let mut t = Translator {
        src: pattern,
        pos: 0,
        out: String::with_capacity(pattern.len() + 8),
        depth: 0,
        frames: vec![Vec::new()],
        names: vec![String::new()],
    };
    t.run()?;
    Ok((t.out, t.names))
}

/// What precedes a repetition operator.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Prev {
    /// Nothing repeatable: start, `(`, `|`.
    Nothing,
    /// An operand.
    Operand,
    /// A repetition that started at this byte offset.
    Repeat(usize),
}

struct Translator<'a> {
    src: &'a str,
    pos: usize,
    out: String,
    depth: usize,
    /// Repetition structure per open group, for Go's nested-repeat limit.
    frames: Vec<Vec<RepeatNode>>,
    names: Vec<String>,
}

impl Translator<'_> {
    fn peek(&self) -> Option<char> {
        self.src[self.pos..].chars().next()
    }

    fn rest(&self) -> &str {
        &self.src[self.pos..]
    }

    fn run(&mut self) -> Result<(), TextFuncError> {
        let mut prev = Prev::Nothing;
        while let Some(c) = self.peek() {
            let start = self.pos;
            match c {
                '(' => {
                    self.group()?;
                    prev = Prev::Nothing;
                }
                ')' => {
                    if self.depth == 0 {
                        return Err(err("unexpected )", self.src));
                    }
                    self.depth -= 1;
                    self.pos += 1;
                    self.out.push(')');
                    let children = self.frames.pop().unwrap_or_default();
                    self.push_node(RepeatNode {
                        factor: None,
                        children,
                    });
                    prev = Prev::Operand;
                }
                '|' => {
                    self.pos += 1;
                    self.out.push('|');
                    prev = Prev::Nothing;
                }
                '*' | '+' | '?' => {
                    self.pos += 1;
                    let lazy = self.lazy_suffix();
                    self.repeat_op(start, prev)?;
                    self.wrap_last(None);
                    self.out.push(c);
                    if lazy {
                        self.out.push('?');
                    }
                    prev = Prev::Repeat(start);
                }
                '{' => match parse_repeat(self.rest()) {
                    Some((len, min, max)) => {
                        let text = &self.src[start..start + len];
                        if min > MAX_REPEAT || max.is_some_and(|m| m > MAX_REPEAT || m < min) {
                            return Err(err("invalid repeat count", text));
                        }
                        self.pos += len;
                        let lazy = self.lazy_suffix();
                        self.repeat_op(start, prev)?;
                        // Go's factor: the maximum, or the minimum when
                        // unbounded; `{0}` never counts.
                        let factor = max.unwrap_or(min);
                        self.wrap_last(Some(factor));
                        let counted = min >= 2 || max.is_some_and(|m| m >= 2);
                        if counted
                            && let Some(node) = self.frames.last().and_then(|f| f.last())
                            && !node.valid(MAX_REPEAT)
                        {
                            return Err(err("invalid repeat count", &self.src[start..self.pos]));
                        }
                        self.out.push_str(text);
                        if lazy {
                            self.out.push('?');
                        }
                        prev = Prev::Repeat(start);
                    }
                    None => {
                        self.pos += 1;
                        self.out.push_str("\\{");
                        self.push_node(RepeatNode::leaf());
                        prev = Prev::Operand;
                    }
                },
                '[' => {
                    self.class()?;
                    self.push_node(RepeatNode::leaf());
                    prev = Prev::Operand;
                }
                '\\' => {
                    self.escape_outside()?;
                    self.push_node(RepeatNode::leaf());
                    prev = Prev::Operand;
                }
                '.' | '^' | '$' => {
                    self.pos += 1;
                    self.out.push(c);
                    self.push_node(RepeatNode::leaf());
                    prev = Prev::Operand;
                }
                _ => {
                    self.pos += c.len_utf8();
                    self.out.push_str(&regex::escape(&c.to_string()));
                    self.push_node(RepeatNode::leaf());
                    prev = Prev::Operand;
                }
            }
        }
        if self.depth > 0 {
            return Err(err("missing closing )", self.src));
        }
        Ok(())
    }

    fn push_node(&mut self, node: RepeatNode) {
        if let Some(frame) = self.frames.last_mut() {
            frame.push(node);
        }
    }

    /// Wraps the last operand of the current group in a repetition.
    fn wrap_last(&mut self, factor: Option<u32>) {
        if let Some(frame) = self.frames.last_mut() {
            let operand = frame.pop().unwrap_or_else(RepeatNode::leaf);
            frame.push(RepeatNode {
                factor,
                children: vec![operand],
            });
        }
    }

    /// Checks that a repetition operator (already consumed, starting at
    /// `start`) has something to repeat.
    fn repeat_op(&self, start: usize, prev: Prev) -> Result<(), TextFuncError> {
        match prev {
            Prev::Operand => Ok(()),
            Prev::Repeat(first) => Err(err(
                "invalid nested repetition operator",
                &self.src[first..self.pos],
            )),
            Prev::Nothing => Err(err(
                "missing argument to repetition operator",
                &self.src[start..self.pos],
            )),
        }
    }

    /// Consumes a non-greedy `?` after a repetition operator. Go counts it
    /// as part of the operator in error fragments (`**?`).
    fn lazy_suffix(&mut self) -> bool {
        if self.peek() == Some('?') {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn group(&mut self) -> Result<(), TextFuncError> {
        let start = self.pos;
        let rest = self.rest();
        if !rest.starts_with("(?") {
            self.pos += 1;
            self.depth += 1;
            self.frames.push(Vec::new());
            self.out.push('(');
            self.names.push(String::new());
            return Ok(());
        }
        let after = &rest[2..];
        if after.starts_with("P<") || after.starts_with('<') {
            let name_start = start + if after.starts_with('P') { 4 } else { 3 };
            let Some(close) = self.src[name_start..].find('>') else {
                return Err(err("invalid named capture", &self.src[start..]));
            };
            let name = &self.src[name_start..name_start + close];
            let whole = &self.src[start..name_start + close + 1];
            if name.is_empty() || !name.bytes().all(|b| b == b'_' || b.is_ascii_alphanumeric()) {
                return Err(err("invalid named capture", whole));
            }
            // Go allows a name twice (`$name` then means the first group
            // that took part in the match); the crate does not, so repeats
            // become plain groups and expansion uses our own name table.
            if self.names.iter().any(|n| n == name) {
                self.out.push('(');
            } else {
                self.out.push_str(&format!("(?P<{name}>"));
            }
            self.names.push(name.to_string());
            self.pos = name_start + close + 1;
            self.depth += 1;
            self.frames.push(Vec::new());
            return Ok(());
        }
        if after.starts_with("P=") || after.starts_with("P>") {
            return Err(err("invalid named capture", &self.src[start..start + 4]));
        }
        // Flags: (?flags) or (?flags:re), flags from "imsU", one optional '-'.
        let mut i = start + 2;
        let mut seen_minus = false;
        let mut flag_after_minus = false;
        let mut any = false;
        loop {
            let Some(c) = self.src[i..].chars().next() else {
                return Err(err(
                    "invalid or unsupported Perl syntax",
                    &self.src[start..],
                ));
            };
            match c {
                'i' | 'm' | 's' | 'U' => {
                    any = true;
                    if seen_minus {
                        flag_after_minus = true;
                    }
                    i += 1;
                }
                '-' if !seen_minus => {
                    seen_minus = true;
                    i += 1;
                }
                ':' | ')' => {
                    if (seen_minus && !flag_after_minus) || (!any && c == ')') {
                        return Err(err(
                            "invalid or unsupported Perl syntax",
                            &self.src[start..i + 1],
                        ));
                    }
                    self.out.push_str(&self.src[start..i + 1]);
                    self.pos = i + 1;
                    if c == ':' {
                        self.depth += 1;
                        self.frames.push(Vec::new());
                    }
                    return Ok(());
                }
                other => {
                    return Err(err(
                        "invalid or unsupported Perl syntax",
                        &self.src[start..i + other.len_utf8()],
                    ));
                }
            }
        }
    }

    /// An escape outside a class.
    fn escape_outside(&mut self) -> Result<(), TextFuncError> {
        let start = self.pos;
        let Some(c) = self.src[start + 1..].chars().next() else {
            return Err(err("trailing backslash at end of expression", ""));
        };
        match c {
            'A' | 'z' => {
                self.pos += 2;
                self.out.push('\\');
                self.out.push(c);
            }
            'b' | 'B' => {
                // Go's word boundaries are ASCII.
                self.pos += 2;
                self.out.push_str(&format!("(?-u:\\{c})"));
            }
            'Q' => {
                let body_start = start + 2;
                let (lit, next) = match self.src[body_start..].find("\\E") {
                    Some(e) => (&self.src[body_start..body_start + e], body_start + e + 2),
                    None => (&self.src[body_start..], self.src.len()),
                };
                // An empty \Q\E is a no-op; a non-empty one a literal run.
                if !lit.is_empty() {
                    self.out.push_str(&format!("(?:{})", regex::escape(lit)));
                }
                self.pos = next;
            }
            _ => {
                if let Some((body, negated)) = perl_class(c) {
                    self.pos += 2;
                    let neg = if negated { "^" } else { "" };
                    self.out.push_str(&format!("[{neg}{body}]"));
                } else {
                    let text = self.class_or_char_escape(start)?;
                    self.out.push_str(&text);
                }
            }
        }
        Ok(())
    }

    /// Escapes valid both inside and outside classes: Unicode classes,
    /// octal, hex, control letters and escaped punctuation. Returns the
    /// crate's spelling (a single escaped char, or a `\p{..}` class).
    fn class_or_char_escape(&mut self, start: usize) -> Result<String, TextFuncError> {
        let mut chars = self.src[start + 1..].char_indices();
        let Some((_, c)) = chars.next() else {
            return Err(err("trailing backslash at end of expression", ""));
        };
        let after = start + 1 + c.len_utf8();
        match c {
            'p' | 'P' => {
                let rest = &self.src[after..];
                let end = if rest.starts_with('{') {
                    match rest.find('}') {
                        Some(e) => after + e + 1,
                        None => {
                            return Err(err("invalid character class range", &self.src[start..]));
                        }
                    }
                } else {
                    match rest.chars().next() {
                        Some(ch) => after + ch.len_utf8(),
                        None => {
                            return Err(err("invalid character class range", &self.src[start..]));
                        }
                    }
                };
                let text = &self.src[start..end];
                let inner = text[2..].trim_start_matches('{').trim_end_matches('}');
                let (caret, name) = match inner.strip_prefix('^') {
                    Some(n) => (true, n),
                    None => (false, inner),
                };
                let negated = (c == 'P') != caret;
                // Go knows general categories, scripts and `Any`; the crate
                // also accepts binary properties and loose spellings Go
                // rejects, so check the name's shape before asking it.
                let known_shape = !name.is_empty()
                    && name.bytes().all(|b| b.is_ascii_alphabetic() || b == b'_')
                    && name.starts_with(|ch: char| ch.is_ascii_uppercase());
                let spelled = if name == "Any" {
                    "\\x{0}-\\x{10FFFF}".to_string()
                } else {
                    format!("\\p{{{name}}}")
                };
                if !known_shape || (name != "Any" && Regex::new(&spelled).is_err()) {
                    return Err(err("invalid character class range", text));
                }
                self.pos = end;
                let neg = if negated { "^" } else { "" };
                Ok(format!("[{neg}{spelled}]"))
            }
            '1'..='7' | '0' => {
                // Go: a lone non-zero digit would be a backreference (not
                // supported); \0 or a digit followed by octal digits is an
                // octal escape of up to three digits.
                let digits: String = self.src[start + 1..]
                    .chars()
                    .take(3)
                    .take_while(|d| ('0'..='7').contains(d))
                    .collect();
                if c != '0' && digits.len() < 2 {
                    return Err(err("invalid escape sequence", &self.src[start..after]));
                }
                let value = u32::from_str_radix(&digits, 8).unwrap_or(0);
                self.pos = start + 1 + digits.len();
                Ok(format!("\\x{{{value:x}}}"))
            }
            'x' => {
                let rest = &self.src[after..];
                if let Some(body) = rest.strip_prefix('{') {
                    let Some(e) = body.find('}') else {
                        return Err(err("invalid escape sequence", &self.src[start..]));
                    };
                    let hex = &body[..e];
                    let ok = !hex.is_empty()
                        && hex.bytes().all(|b| b.is_ascii_hexdigit())
                        && u32::from_str_radix(hex, 16).is_ok_and(|v| v <= 0x10FFFF);
                    let end = after + 1 + e + 1;
                    if !ok {
                        return Err(err("invalid escape sequence", &self.src[start..end]));
                    }
                    self.pos = end;
                    Ok(format!("\\x{{{hex}}}"))
                } else {
                    let hex: String = rest.chars().take(2).collect();
                    if hex.len() < 2 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
                        let end = (after + hex.len()).min(self.src.len());
                        return Err(err("invalid escape sequence", &self.src[start..end]));
                    }
                    self.pos = after + 2;
                    Ok(format!("\\x{{{hex}}}"))
                }
            }
            'a' | 'f' | 't' | 'n' | 'r' | 'v' => {
                self.pos = after;
                Ok(format!("\\{c}"))
            }
            c if c.is_ascii() && !c.is_ascii_alphanumeric() => {
                self.pos = after;
                Ok(format!("\\x{{{:x}}}", c as u32))
            }
            _ => Err(err("invalid escape sequence", &self.src[start..after])),
        }
    }

    /// A bracketed class, rewritten item by item so the crate sees no
    /// nested classes or set operations Go would read literally.
    fn class(&mut self) -> Result<(), TextFuncError> {
        let start = self.pos;
        self.pos += 1;
        let mut body = String::new();
        if self.peek() == Some('^') {
            self.pos += 1;
            body.push('^');
        }
        let mut first = true;
        loop {
            let Some(c) = self.peek() else {
                return Err(err("missing closing ]", &self.src[start..]));
            };
            if c == ']' && !first {
                self.pos += 1;
                break;
            }
            // Go compiles with Perl flags, under which a '-' that cannot
            // form a range is simply literal (`[a-b-c]`).
            first = false;
            // POSIX classes [:name:] / [:^name:].
            if self.rest().starts_with("[:")
                && let Some(e) = self.rest()[2..].find(":]")
            {
                let text = &self.rest()[..e + 4];
                let name = text[2..text.len() - 2].trim_start_matches('^');
                if !POSIX_NAMES.contains(&name) {
                    return Err(err("invalid character class range", text));
                }
                body.push_str(text);
                self.pos += text.len();
                continue;
            }
            let item_start = self.pos;
            let lo = match self.class_atom()? {
                ClassAtom::Char(ch) => ch,
                ClassAtom::Class(text) => {
                    body.push_str(&text);
                    continue;
                }
            };
            // A range lo-hi (a '-' right before ']' is literal).
            let rest = self.rest();
            if rest.starts_with('-') && !rest.starts_with("-]") && rest.len() > 1 {
                self.pos += 1;
                let hi_start = self.pos;
                let hi = match self.class_atom()? {
                    ClassAtom::Char(ch) => ch,
                    ClassAtom::Class(_) => {
                        // Go reads a range end as a single character, where
                        // class escapes such as `\d` are invalid escapes.
                        let end = hi_start
                            + 1
                            + self.src[hi_start + 1..]
                                .chars()
                                .next()
                                .map_or(0, char::len_utf8);
                        return Err(err("invalid escape sequence", &self.src[hi_start..end]));
                    }
                };
                if hi < lo {
                    return Err(err(
                        "invalid character class range",
                        &self.src[item_start..self.pos],
                    ));
                }
                body.push_str(&format!("\\x{{{:x}}}-\\x{{{:x}}}", lo as u32, hi as u32));
            } else {
                body.push_str(&format!("\\x{{{:x}}}", lo as u32));
            }
        }
        if body == "^" {
            // Go's `[^]` cannot happen (']' first is literal), but an empty
            // negation would be an error in the crate; keep it unreachable.
            body.push_str("\\x{0}-\\x{10FFFF}");
        }
        self.out.push('[');
        self.out.push_str(&body);
        self.out.push(']');
        Ok(())
    }

    fn class_atom(&mut self) -> Result<ClassAtom, TextFuncError> {
        let Some(c) = self.peek() else {
            return Err(err("missing closing ]", self.src));
        };
        if c != '\\' {
            self.pos += c.len_utf8();
            return Ok(ClassAtom::Char(c));
        }
        let start = self.pos;
        let Some(e) = self.src[start + 1..].chars().next() else {
            return Err(err("trailing backslash at end of expression", ""));
        };
        if let Some((body, negated)) = perl_class(e) {
            self.pos += 2;
            return Ok(ClassAtom::Class(if negated {
                format!("[^{body}]")
            } else {
                body.to_string()
            }));
        }
        let text = self.class_or_char_escape(start)?;
        if let Some(hex) = text.strip_prefix("\\x{").and_then(|t| t.strip_suffix('}'))
            && let Some(ch) = u32::from_str_radix(hex, 16).ok().and_then(char::from_u32)
        {
            return Ok(ClassAtom::Char(ch));
        }
        match text.as_str() {
            "\\a" => Ok(ClassAtom::Char('\u{7}')),
            "\\f" => Ok(ClassAtom::Char('\u{c}')),
            "\\t" => Ok(ClassAtom::Char('\t')),
            "\\n" => Ok(ClassAtom::Char('\n')),
            "\\r" => Ok(ClassAtom::Char('\r')),
            "\\v" => Ok(ClassAtom::Char('\u{b}')),
            _ => Ok(ClassAtom::Class(text)),
        }
    }
}

/// The repetition shape of a parsed operand: Go rejects counted repeats
/// nested so deep that their counts multiply past 1000 (`(a{100}){11}`),
/// since the compiled program would explode (regexp/syntax
/// `repeatIsValid`).
struct RepeatNode {
    /// For a counted repeat, its count (max, or min when unbounded).
    factor: Option<u32>,
    children: Vec<RepeatNode>,
}

impl RepeatNode {
    fn leaf() -> RepeatNode {
        RepeatNode {
            factor: None,
            children: Vec::new(),
        }
    }

    /// Go's `repeatIsValid(re, n)`.
    fn valid(&self, mut n: u32) -> bool {
        if let Some(m) = self.factor {
            if m == 0 {
                return true;
            }
            if m > n {
                return false;
            }
            n /= m;
        }
        self.children.iter().all(|c| c.valid(n))
    }
}

enum ClassAtom {
    Char(char),
    /// Class text for the crate, to be placed inside brackets.
    Class(String),
}

/// Parses `{n}`, `{n,}`, `{n,m}` at the start of `s`: (length, min, max).
fn parse_repeat(s: &str) -> Option<(usize, u32, Option<u32>)> {
    let body = s.strip_prefix('{')?;
    let close = body.find('}')?;
    let inner = &body[..close];
    let num = |t: &str| -> Option<u32> {
        if t.is_empty() || !t.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        // Go caps huge counts so they fail the range check.
        Some(t.parse::<u32>().unwrap_or(u32::MAX))
    };
    let (min, max) = match inner.split_once(',') {
        None => {
            let n = num(inner)?;
            (n, Some(n))
        }
        Some((a, "")) => (num(a)?, None),
        Some((a, b)) => (num(a)?, Some(num(b)?)),
    };
    Some((close + 2, min, max))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn msg(p: &str) -> String {
        GoRegex::compile(p).unwrap_err().to_string()
    }

    #[test]
    fn perl_classes_are_ascii_like_go() {
        let re = GoRegex::compile(r"\d+").unwrap();
        assert_eq!(re.find("x٣٤12"), "12");
        let re = GoRegex::compile(r"[\w-]+").unwrap();
        assert_eq!(re.find("é ab-c"), "ab-c");
        let re = GoRegex::compile(r"[^\D]").unwrap();
        assert_eq!(re.find("a7"), "7");
        // é is not an ASCII word character, so Go sees a boundary before `a`.
        let re = GoRegex::compile(r"\ba").unwrap();
        assert!(re.is_match("éa"));
    }

    #[test]
    fn go_literals_the_crate_would_reject() {
        assert_eq!(GoRegex::compile("a{").unwrap().find("xa{"), "a{");
        assert_eq!(GoRegex::compile("[[]").unwrap().find("x["), "[");
        assert_eq!(GoRegex::compile("[a&&b]").unwrap().find("&"), "&");
        assert_eq!(GoRegex::compile(r"\<a\>").unwrap().find("<a>"), "<a>");
        assert_eq!(GoRegex::compile(r"\012").unwrap().find("a\nb"), "\n");
        assert_eq!(GoRegex::compile(r"\Q.*\E+").unwrap().find("a.*.*"), ".*.*");
        assert_eq!(GoRegex::compile(r"[]a]+").unwrap().find("x]a]"), "]a]");
        assert_eq!(GoRegex::compile(r"[a-]+").unwrap().find("x-a"), "-a");
    }

    #[test]
    fn errors_use_go_codes_and_fragments() {
        assert_eq!(
            msg("(a{100}){11}"),
            "error parsing regexp: invalid repeat count: `{11}`"
        );
        assert_eq!(
            msg("(a{2,}){600}"),
            "error parsing regexp: invalid repeat count: `{600}`"
        );
        assert!(GoRegex::compile("(?:a{10}b{200}){5}").is_ok());
        assert!(GoRegex::compile("(a{100}){10}").is_ok());
        assert_eq!(msg("("), "error parsing regexp: missing closing ): `(`");
        assert_eq!(msg("a)"), "error parsing regexp: unexpected ): `a)`");
        assert_eq!(msg("[a"), "error parsing regexp: missing closing ]: `[a`");
        assert_eq!(
            msg("a**"),
            "error parsing regexp: invalid nested repetition operator: `**`"
        );
        assert_eq!(
            msg("*"),
            "error parsing regexp: missing argument to repetition operator: `*`"
        );
        assert_eq!(
            msg(r"\8"),
            "error parsing regexp: invalid escape sequence: `\\8`"
        );
        assert_eq!(
            msg("(?<n"),
            "error parsing regexp: invalid named capture: `(?<n`"
        );
        assert_eq!(
            msg("[z-a]"),
            "error parsing regexp: invalid character class range: `z-a`"
        );
        assert_eq!(
            msg("a{2,1}"),
            "error parsing regexp: invalid repeat count: `{2,1}`"
        );
        assert_eq!(
            msg("a{1001}"),
            "error parsing regexp: invalid repeat count: `{1001}`"
        );
        assert_eq!(
            msg("(?x)a"),
            "error parsing regexp: invalid or unsupported Perl syntax: `(?x`"
        );
        assert_eq!(
            msg(r"\pX"),
            "error parsing regexp: invalid character class range: `\\pX`"
        );
    }

    #[test]
    fn find_all_skips_empty_match_after_match() {
        let re = GoRegex::compile("a*").unwrap();
        assert_eq!(re.find_all("baaac", -1), vec!["", "aaa", ""]);
        assert_eq!(re.find_all("baaac", 2), vec!["", "aaa"]);
        assert!(re.find_all("baaac", 0).is_empty());
    }

    /// ASCII text runs on the byte form and never builds the Unicode one;
    /// other text gets the Unicode form, where a class matches whole runes.
    #[test]
    fn ascii_text_uses_the_byte_form() {
        let re = GoRegex::compile("[^a-z]+").unwrap();
        assert_eq!(re.replace_all("a-b_c", "_", true), "a_b_c");
        assert!(re.is_match("a1"));
        assert_eq!(re.find_all("x1y22z", -1), vec!["1", "22"]);
        assert!(re.unicode.get().is_none(), "built for ASCII text");
        assert_eq!(re.replace_all("aéb-c", "_", true), "a_b_c");
        assert_eq!(re.find("aé€b"), "é€");
        assert!(re.unicode.get().is_some());
        // `\pL` has no byte form: the Unicode form is built at once.
        let letters = GoRegex::compile(r"\pL+").unwrap();
        assert!(letters.ascii.is_none() && letters.unicode.get().is_some());
        assert_eq!(letters.find("1 héllo 2"), "héllo");
        // Groups expand the same way on both forms.
        let swap = GoRegex::compile("(\\w+)-(\\w+)").unwrap();
        assert_eq!(swap.replace_all("ab-cd", "$2.$1", false), "cd.ab");
        assert_eq!(swap.replace_all("é ab-cd", "${2}.$1", false), "é cd.ab");
    }

    #[test]
    fn replace_all_follows_go() {
        let re = GoRegex::compile("a*").unwrap();
        assert_eq!(re.replace_all("baaac", "-", false), "-b-c-");
        let re = GoRegex::compile("a(x*)b").unwrap();
        assert_eq!(re.replace_all("-ab-axxb-", "${1}W", false), "-W-xxW-");
        assert_eq!(re.replace_all("-ab-axxb-", "$1W", false), "---");
        assert_eq!(re.replace_all("-ab-axxb-", "$$1", true), "-$$1-$$1-");
        assert_eq!(re.replace_all("-ab-axxb-", "$$1", false), "-$1-$1-");
        assert_eq!(re.replace_all("-ab-axxb-", "${1", false), "-${1-${1-");
        let re = GoRegex::compile("(?P<x>b)").unwrap();
        assert_eq!(re.replace_all("abc", "[$x]", false), "a[b]c");
        let re = GoRegex::compile("(?P<x>a)|(?P<x>b)").unwrap();
        assert_eq!(re.replace_all("ab", "[$x]", false), "[a][b]");
    }

    #[test]
    fn split_follows_go() {
        let re = GoRegex::compile("a").unwrap();
        assert_eq!(re.split("banana", -1).unwrap(), vec!["b", "n", "n", ""]);
        assert_eq!(re.split("banana", 2).unwrap(), vec!["b", "nana"]);
        assert!(re.split("banana", 0).is_none());
        assert_eq!(re.split("", -1).unwrap(), vec![""]);
        let re = GoRegex::compile("").unwrap();
        assert_eq!(re.split("abc", -1).unwrap(), vec!["a", "b", "c"]);
        let re = GoRegex::compile("x*").unwrap();
        assert_eq!(re.split("axbc", -1).unwrap(), vec!["a", "b", "c"]);
    }

    #[test]
    fn quote_meta_escapes_go_specials() {
        assert_eq!(quote_meta("1.2.3"), r"1\.2\.3");
        assert_eq!(quote_meta("a-b#c"), "a-b#c");
    }
}

#[cfg(test)]
mod fuzz {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// Any pattern either compiles or yields a Go-style error, and the
        /// matching helpers never panic (byte offsets stay on char
        /// boundaries, empty matches always advance).
        #[test]
        fn never_panics(
            pattern in "[ab.*+?|(){}\\[\\]^$\\\\dDwWsSbBpPxQEz0-9:,=<>!-é]{0,12}",
            text in "[ab é\\n-]{0,10}",
            n in -2i64..4,
        ) {
            if let Ok(re) = GoRegex::compile(&pattern) {
                let _ = re.find(&text);
                let _ = re.find_all(&text, n);
                let _ = re.replace_all(&text, "$1${x}$$", false);
                let _ = re.split(&text, n);
            }
        }
    }
}
