//! The lexer, a transliteration of Go's `text/template/parse/lex.go`: a
//! state machine whose states are functions returning the next state.
//!
//! Unlike Go (which lexes on demand for the parser), this lexer runs to the
//! end and returns every item; `break`/`continue` are always keywords and the
//! parser decides whether they are allowed where they appear. Items are
//! stored in 16 bytes ([`Lexed`]) and rebuilt as [`Item`]s when the parser
//! reads them: a bitnami chart lexes to a hundred thousand items, and at 48
//! bytes each their vector was the largest allocation of a render.

use std::borrow::Cow;

/// Item types (Go `itemType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum ItemType {
    /// A lexing error; the value is the message.
    Error,
    /// `true` / `false`.
    Bool,
    /// A printable ASCII character inside an action (`,` for instance).
    Char,
    /// A character constant `'a'`.
    CharConstant,
    /// A comment `/* … */` (value includes the markers).
    Comment,
    /// A complex constant `1+2i`.
    Complex,
    /// `=`.
    Assign,
    /// `:=`.
    Declare,
    /// End of input.
    Eof,
    /// `.Field`.
    Field,
    /// An identifier (function name).
    Identifier,
    /// `{{` (with an optional trim marker).
    LeftDelim,
    /// `(`.
    LeftParen,
    /// A number.
    Number,
    /// `|`.
    Pipe,
    /// A raw string.
    RawString,
    /// `}}`.
    RightDelim,
    /// `)`.
    RightParen,
    /// A run of spaces inside an action.
    Space,
    /// A quoted string (value includes the quotes).
    String,
    /// Text outside actions.
    Text,
    /// `$x`.
    Variable,
    /// `block`.
    Block,
    /// `break`.
    Break,
    /// `continue`.
    Continue,
    /// `.` alone.
    Dot,
    /// `define`.
    Define,
    /// `else`.
    Else,
    /// `end`.
    End,
    /// `if`.
    If,
    /// `nil`.
    Nil,
    /// `range`.
    Range,
    /// `template`.
    Template,
    /// `with`.
    With,
}

impl ItemType {
    fn is_keyword(self) -> bool {
        matches!(
            self,
            ItemType::Block
                | ItemType::Break
                | ItemType::Continue
                | ItemType::Dot
                | ItemType::Define
                | ItemType::Else
                | ItemType::End
                | ItemType::If
                | ItemType::Nil
                | ItemType::Range
                | ItemType::Template
                | ItemType::With
        )
    }
}

/// A token with its offset and line. The text borrows the source (only
/// error messages are owned), so cloning an item does not allocate.
#[derive(Debug, Clone, PartialEq)]
pub struct Item<'a> {
    /// Type.
    pub typ: ItemType,
    /// Byte offset.
    pub pos: usize,
    /// Text (or error message).
    pub val: Cow<'a, str>,
    /// 1-based line of the start of the item.
    pub line: usize,
}

impl std::fmt::Display for Item<'_> {
    /// Go's `item.String()`, used in "unexpected X in Y" messages.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.typ {
            ItemType::Eof => f.write_str("EOF"),
            ItemType::Error => f.write_str(&self.val),
            t if t.is_keyword() => write!(f, "<{}>", self.val),
            _ => {
                let q = super::node::go_quote(&self.val);
                if self.val.chars().count() > 10 {
                    // Go: %.10q — quote the first ten runes.
                    let head: String = self.val.chars().take(10).collect();
                    write!(f, "{}...", super::node::go_quote(&head))
                } else {
                    f.write_str(&q)
                }
            }
        }
    }
}

/// An item as the lexer stores it: its text is `len` bytes of the input
/// from `pos`, except for errors, whose `len` indexes [`Lexed::errors`].
#[derive(Debug, Clone, Copy)]
struct Tok {
    typ: ItemType,
    line: u32,
    pos: u32,
    len: u32,
}

/// The items of one template.
pub struct Lexed<'a> {
    input: &'a str,
    toks: Vec<Tok>,
    errors: Vec<String>,
}

impl<'a> Lexed<'a> {
    /// Number of items.
    pub fn len(&self) -> usize {
        self.toks.len()
    }

    /// Whether there are no items.
    pub fn is_empty(&self) -> bool {
        self.toks.is_empty()
    }

    /// Type of item `i`.
    pub fn typ(&self, i: usize) -> ItemType {
        self.toks[i].typ
    }

    /// Changes the type of item `i` (keywords the caller reads as names).
    pub fn set_typ(&mut self, i: usize, typ: ItemType) {
        self.toks[i].typ = typ;
    }

    /// 1-based line of item `i`.
    pub fn line(&self, i: usize) -> usize {
        self.toks[i].line as usize
    }

    /// Byte offset of item `i`.
    pub fn pos(&self, i: usize) -> usize {
        self.toks[i].pos as usize
    }

    /// Item `i`, or `None` past the end.
    pub fn get(&self, i: usize) -> Option<Item<'a>> {
        let t = self.toks.get(i)?;
        let val = if t.typ == ItemType::Error {
            Cow::Owned(self.errors[t.len as usize].clone())
        } else {
            let start = t.pos as usize;
            Cow::Borrowed(&self.input[start..start + t.len as usize])
        };
        Some(Item {
            typ: t.typ,
            pos: t.pos as usize,
            val,
            line: t.line as usize,
        })
    }

    /// Every item, in order.
    pub fn items(&self) -> impl Iterator<Item = Item<'a>> + '_ {
        (0..self.len()).filter_map(|i| self.get(i))
    }
}

const LEFT: &str = "{{";
const RIGHT: &str = "}}";
const LEFT_COMMENT: &str = "/*";
const RIGHT_COMMENT: &str = "*/";

/// A state of the machine (Go `stateFn`).
struct StateFn(fn(&mut Lexer<'_>) -> Option<StateFn>);

/// Lexer state.
pub struct Lexer<'a> {
    input: &'a str,
    pos: usize,
    start: usize,
    toks: Vec<Tok>,
    errors: Vec<String>,
    paren_depth: i32,
    line: usize,
    start_line: usize,
    emit_comments: bool,
}

/// ASCII bytes a word may hold (letters, digits, `_`).
static WORD_BYTE: [bool; 256] = {
    let mut t = [false; 256];
    let mut c = 0;
    while c < 128 {
        t[c] = (c as u8).is_ascii_alphanumeric() || c == b'_' as usize;
        c += 1;
    }
    t
};

fn is_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\r' | '\n')
}

fn is_alnum(c: char) -> bool {
    c == '_' || c.is_alphabetic() || c.is_numeric()
}

fn has_left_trim(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() >= 2 && b[0] == b'-' && is_space(b[1] as char)
}

/// Lexes a whole template. `emit_comments` keeps comment items (Go's
/// `ParseComments` mode); otherwise they are dropped.
pub fn lex(input: &str, emit_comments: bool) -> Lexed<'_> {
    if u32::try_from(input.len()).is_err() {
        // Offsets are stored in 32 bits.
        return Lexed {
            input,
            toks: vec![Tok {
                typ: ItemType::Error,
                line: 1,
                pos: 0,
                len: 0,
            }],
            errors: vec!["template larger than 4 GiB".to_string()],
        };
    }
    let mut l = Lexer {
        input,
        pos: 0,
        start: 0,
        // Dense chart templates (bitnami's) reach one item per seven
        // bytes; growing the vector by doubling copied every item. Room
        // that stays unused is never touched, so it costs no memory.
        toks: Vec::with_capacity(input.len() / 6 + 8),
        errors: Vec::new(),
        paren_depth: 0,
        line: 1,
        start_line: 1,
        emit_comments,
    };
    let mut state = Some(StateFn(lex_text));
    while let Some(StateFn(f)) = state {
        state = f(&mut l);
    }
    Lexed {
        input,
        toks: l.toks,
        errors: l.errors,
    }
}

const EOF: char = '\u{0}';

impl<'a> Lexer<'a> {
    fn rest(&self) -> &'a str {
        &self.input[self.pos..]
    }

    /// Next char, or `EOF` (Go uses -1; a NUL in an action is not legal anyway,
    /// so the `eof_at` check distinguishes).
    fn next(&mut self) -> Option<char> {
        // Template source is nearly all ASCII: skip UTF-8 decoding for it.
        let b = *self.input.as_bytes().get(self.pos)?;
        if b.is_ascii() {
            self.pos += 1;
            if b == b'\n' {
                self.line += 1;
            }
            return Some(char::from(b));
        }
        let c = self.rest().chars().next()?;
        self.pos += c.len_utf8();
        if c == '\n' {
            self.line += 1;
        }
        Some(c)
    }

    fn peek(&self) -> Option<char> {
        match self.input.as_bytes().get(self.pos) {
            Some(b) if b.is_ascii() => Some(char::from(*b)),
            _ => self.rest().chars().next(),
        }
    }

    fn backup(&mut self, c: Option<char>) {
        if let Some(c) = c {
            self.pos -= c.len_utf8();
            if c == '\n' {
                self.line -= 1;
            }
        }
    }

    #[inline]
    fn emit(&mut self, typ: ItemType) {
        // `lex` checked that offsets fit; lines are fewer than bytes.
        self.toks.push(Tok {
            typ,
            line: self.start_line as u32,
            pos: self.start as u32,
            len: (self.pos - self.start) as u32,
        });
        self.ignore();
    }

    #[inline]
    fn ignore(&mut self) {
        self.start = self.pos;
        self.start_line = self.line;
    }

    fn accept(&mut self, valid: &str) -> bool {
        if let Some(c) = self.peek()
            && valid.contains(c)
        {
            self.next();
            return true;
        }
        false
    }

    fn accept_run(&mut self, valid: &str) {
        while self.accept(valid) {}
    }

    fn errorf(&mut self, msg: String) -> Option<StateFn> {
        self.toks.push(Tok {
            typ: ItemType::Error,
            line: self.start_line as u32,
            pos: self.start as u32,
            len: self.errors.len() as u32,
        });
        self.errors.push(msg);
        None
    }

    /// Go `atRightDelim`: (at a right delimiter, with a trim marker).
    fn at_right_delim(&self) -> (bool, bool) {
        match self.input.as_bytes()[self.pos..] {
            [b'}', b'}', ..] => (true, false),
            [s, b'-', b'}', b'}', ..] if is_space(char::from(s)) => (true, true),
            _ => (false, false),
        }
    }

    fn at_terminator(&self) -> bool {
        let b = self.input.as_bytes();
        match b.get(self.pos) {
            None => true,
            Some(b' ' | b'\t' | b'\r' | b'\n' | b'.' | b',' | b'|' | b':' | b')' | b'(') => true,
            Some(b'}') => b.get(self.pos + 1) == Some(&b'}'),
            _ => false,
        }
    }

    /// Moves over a run of [`is_alnum`] characters: ASCII bytes in a
    /// tight loop, anything else a char at a time (words hold no newline).
    fn skip_word(&mut self) {
        let b = self.input.as_bytes();
        loop {
            let rest = &b[self.pos..];
            self.pos += rest
                .iter()
                .position(|&c| !WORD_BYTE[usize::from(c)])
                .unwrap_or(rest.len());
            match b.get(self.pos) {
                Some(c) if !c.is_ascii() => match self.rest().chars().next() {
                    Some(c) if is_alnum(c) => self.pos += c.len_utf8(),
                    _ => return,
                },
                _ => return,
            }
        }
    }

    /// Moves `pos` over `n` bytes, keeping the line count.
    fn skip(&mut self, n: usize) {
        let end = (self.pos + n).min(self.input.len());
        self.line += count_newlines(&self.input[self.pos..end]);
        self.pos = end;
    }
}

fn left_trim_len(s: &str) -> usize {
    s.len() - s.trim_start_matches(is_space).len()
}

fn right_trim_len(s: &str) -> usize {
    s.len() - s.trim_end_matches(is_space).len()
}

/// Newlines in `s`; the text between actions is most of a chart, so this
/// and the search for `{{` use memchr's vectorised scans.
fn count_newlines(s: &str) -> usize {
    memchr::memchr_iter(b'\n', s.as_bytes()).count()
}

/// Offset of the next `{{`: memchr for `{`, then a look at the byte after
/// it (cheaper than building a substring searcher at every action).
fn find_left_delim(s: &[u8]) -> Option<usize> {
    let mut from = 0;
    while let Some(i) = memchr::memchr(b'{', &s[from..]) {
        let at = from + i;
        if s.get(at + 1) == Some(&b'{') {
            return Some(at);
        }
        from = at + 1;
    }
    None
}

fn lex_text(l: &mut Lexer<'_>) -> Option<StateFn> {
    if let Some(x) = find_left_delim(l.rest().as_bytes()) {
        if x > 0 {
            // Go: a left trim marker removes trailing spaces of the text.
            let mut trim = 0;
            if has_left_trim(&l.input[l.pos + x + LEFT.len()..]) {
                trim = right_trim_len(&l.input[l.start..l.pos + x]);
            }
            // The text, then the trimmed spaces (newlines counted once).
            l.skip(x - trim);
            if l.pos > l.start {
                l.emit(ItemType::Text);
            }
            l.skip(trim);
            l.ignore();
        }
        return Some(StateFn(lex_left_delim));
    }
    l.pos = l.input.len();
    l.line = l.start_line + count_newlines(&l.input[l.start..l.pos]);
    if l.pos > l.start {
        l.emit(ItemType::Text);
    }
    l.emit(ItemType::Eof);
    None
}

fn lex_left_delim(l: &mut Lexer<'_>) -> Option<StateFn> {
    l.pos += LEFT.len();
    let trim = has_left_trim(l.rest());
    let after = if trim { 2 } else { 0 };
    if l.rest()[after..].starts_with(LEFT_COMMENT) {
        l.skip(after);
        l.ignore();
        return Some(StateFn(lex_comment));
    }
    l.emit(ItemType::LeftDelim);
    l.skip(after);
    l.ignore();
    l.paren_depth = 0;
    Some(StateFn(lex_inside_action))
}

fn lex_comment(l: &mut Lexer<'_>) -> Option<StateFn> {
    l.pos += LEFT_COMMENT.len();
    // memchr's search: `str::find` sets up a two-way searcher per call.
    let Some(x) = memchr::memmem::find(l.rest().as_bytes(), RIGHT_COMMENT.as_bytes()) else {
        return l.errorf("unclosed comment".into());
    };
    l.skip(x + RIGHT_COMMENT.len());
    let (delim, trim) = l.at_right_delim();
    if !delim {
        return l.errorf("comment ends before closing delimiter".into());
    }
    if l.emit_comments {
        l.emit(ItemType::Comment);
    }
    if trim {
        l.skip(2);
    }
    l.pos += RIGHT.len();
    if trim {
        let n = left_trim_len(l.rest());
        l.skip(n);
    }
    l.ignore();
    Some(StateFn(lex_text))
}

fn lex_right_delim(l: &mut Lexer<'_>) -> Option<StateFn> {
    let (_, trim) = l.at_right_delim();
    if trim {
        l.skip(2);
        l.ignore();
    }
    l.pos += RIGHT.len();
    l.emit(ItemType::RightDelim);
    if trim {
        let n = left_trim_len(l.rest());
        l.skip(n);
        l.ignore();
    }
    Some(StateFn(lex_text))
}

/// Inside an action: the common items (spaces, fields, variables, names,
/// strings, pipes, parentheses) are read here in a loop, one byte deciding
/// each, without going back through the state machine for every item;
/// anything else goes to [`lex_action_item`], Go's `lexInsideAction`.
fn lex_inside_action(l: &mut Lexer<'_>) -> Option<StateFn> {
    loop {
        let b = l.input.as_bytes();
        let Some(&c) = b.get(l.pos) else {
            return lex_action_item(l);
        };
        match c {
            b' ' | b'\t' | b'\r' | b'\n' => {
                if b.get(l.pos + 1) == Some(&b'-') && b[l.pos + 2..].starts_with(RIGHT.as_bytes()) {
                    return lex_action_item(l);
                }
                if let Some(next) = space(l) {
                    return Some(next);
                }
            }
            b'.' if !matches!(b.get(l.pos + 1), Some(b'0'..=b'9')) => {
                l.pos += 1;
                if !field_or_variable(l, ItemType::Field) {
                    return None;
                }
            }
            b'$' => {
                l.pos += 1;
                if !field_or_variable(l, ItemType::Variable) {
                    return None;
                }
            }
            b'a'..=b'z' | b'A'..=b'Z' | b'_' => {
                if !identifier(l) {
                    return None;
                }
            }
            b'"' => {
                l.pos += 1;
                if !quote(l) {
                    return None;
                }
            }
            b'|' => {
                l.pos += 1;
                l.emit(ItemType::Pipe);
            }
            b'(' => {
                l.pos += 1;
                l.emit(ItemType::LeftParen);
                l.paren_depth += 1;
            }
            _ => return lex_action_item(l),
        }
    }
}

/// One item inside an action (Go `lexInsideAction`).
fn lex_action_item(l: &mut Lexer<'_>) -> Option<StateFn> {
    let (delim, _) = l.at_right_delim();
    if delim {
        if l.paren_depth == 0 {
            return Some(StateFn(lex_right_delim));
        }
        return l.errorf("unclosed left paren".into());
    }
    let Some(r) = l.next() else {
        return l.errorf("unclosed action".into());
    };
    match r {
        c if is_space(c) => {
            l.backup(Some(c));
            return Some(StateFn(lex_space));
        }
        '=' => l.emit(ItemType::Assign),
        ':' => {
            if l.next() != Some('=') {
                return l.errorf("expected :=".into());
            }
            l.emit(ItemType::Declare);
        }
        '|' => l.emit(ItemType::Pipe),
        '"' => return Some(StateFn(lex_quote)),
        '`' => return Some(StateFn(lex_raw_quote)),
        '$' => return Some(StateFn(lex_variable)),
        '\'' => return Some(StateFn(lex_char)),
        '.' if !matches!(l.peek(), Some('0'..='9')) => return Some(StateFn(lex_field)),
        '.' | '+' | '-' | '0'..='9' => {
            l.backup(Some(r));
            return Some(StateFn(lex_number));
        }
        c if is_alnum(c) => {
            l.backup(Some(c));
            return Some(StateFn(lex_identifier));
        }
        '(' => {
            l.emit(ItemType::LeftParen);
            l.paren_depth += 1;
        }
        ')' => {
            l.emit(ItemType::RightParen);
            l.paren_depth -= 1;
            if l.paren_depth < 0 {
                return l.errorf("unexpected right paren".into());
            }
        }
        c if c.is_ascii() && !c.is_ascii_control() => l.emit(ItemType::Char),
        c => return l.errorf(format!("unrecognized character in action: {}", go_u(c))),
    }
    Some(StateFn(lex_inside_action))
}

/// Go's `%#U`: `U+0001` plus the quoted char when printable.
pub fn go_u(c: char) -> String {
    if super::node::is_go_printable(c) {
        format!("U+{:04X} '{c}'", c as u32)
    } else {
        format!("U+{:04X}", c as u32)
    }
}

fn lex_space(l: &mut Lexer<'_>) -> Option<StateFn> {
    Some(space(l).unwrap_or(StateFn(lex_inside_action)))
}

/// Go `lexSpace`: a run of spaces. The state to go to when it ends right
/// on a trim-marked right delimiter, else `None` (back inside the action).
fn space(l: &mut Lexer<'_>) -> Option<StateFn> {
    let b = l.input.as_bytes();
    let first = l.pos;
    while let Some(&c) = b.get(l.pos)
        && is_space(char::from(c))
    {
        l.pos += 1;
        l.line += usize::from(c == b'\n');
    }
    // The last space may start a trim-marked right delimiter (" -}}").
    if b.get(l.pos) == Some(&b'-') && b[l.pos + 1..].starts_with(RIGHT.as_bytes()) {
        l.pos -= 1;
        l.line -= usize::from(b[l.pos] == b'\n');
        if l.pos == first {
            return Some(StateFn(lex_right_delim));
        }
    }
    l.emit(ItemType::Space);
    None
}

fn lex_identifier(l: &mut Lexer<'_>) -> Option<StateFn> {
    identifier(l).then_some(StateFn(lex_inside_action))
}

/// Go `lexIdentifier`: a name or keyword; `false` after an error item.
fn identifier(l: &mut Lexer<'_>) -> bool {
    l.skip_word();
    if !l.at_terminator() {
        let c = l.peek().unwrap_or(EOF);
        l.errorf(format!("bad character {}", go_u(c)));
        return false;
    }
    let typ = match &l.input[l.start..l.pos] {
        "block" => ItemType::Block,
        "break" => ItemType::Break,
        "continue" => ItemType::Continue,
        "define" => ItemType::Define,
        "else" => ItemType::Else,
        "end" => ItemType::End,
        "if" => ItemType::If,
        "range" => ItemType::Range,
        "nil" => ItemType::Nil,
        "template" => ItemType::Template,
        "with" => ItemType::With,
        "true" | "false" => ItemType::Bool,
        _ => ItemType::Identifier,
    };
    l.emit(typ);
    true
}

fn lex_field(l: &mut Lexer<'_>) -> Option<StateFn> {
    field_or_variable(l, ItemType::Field).then_some(StateFn(lex_inside_action))
}

fn lex_variable(l: &mut Lexer<'_>) -> Option<StateFn> {
    field_or_variable(l, ItemType::Variable).then_some(StateFn(lex_inside_action))
}

/// Go `lexFieldOrVariable`, after the `.` or `$`; `false` after an error
/// item.
fn field_or_variable(l: &mut Lexer<'_>, typ: ItemType) -> bool {
    if l.at_terminator() {
        l.emit(if typ == ItemType::Variable {
            ItemType::Variable
        } else {
            ItemType::Dot
        });
        return true;
    }
    l.skip_word();
    if !l.at_terminator() {
        let c = l.peek().unwrap_or(EOF);
        l.errorf(format!("bad character {}", go_u(c)));
        return false;
    }
    l.emit(typ);
    true
}

fn lex_char(l: &mut Lexer<'_>) -> Option<StateFn> {
    loop {
        match l.next() {
            Some('\\') => match l.next() {
                Some(c) if c != '\n' => {}
                _ => return l.errorf("unterminated character constant".into()),
            },
            None | Some('\n') => return l.errorf("unterminated character constant".into()),
            Some('\'') => break,
            _ => {}
        }
    }
    l.emit(ItemType::CharConstant);
    Some(StateFn(lex_inside_action))
}

fn lex_number(l: &mut Lexer<'_>) -> Option<StateFn> {
    if !scan_number(l) {
        let t = l.input[l.start..l.pos].to_string();
        return l.errorf(format!("bad number syntax: {}", super::node::go_quote(&t)));
    }
    if matches!(l.peek(), Some('+' | '-')) {
        // A complex constant such as 1+2i: no spaces, must end in 'i'.
        if !scan_number(l) || !l.input[..l.pos].ends_with('i') {
            let t = l.input[l.start..l.pos].to_string();
            return l.errorf(format!("bad number syntax: {}", super::node::go_quote(&t)));
        }
        l.emit(ItemType::Complex);
    } else {
        l.emit(ItemType::Number);
    }
    Some(StateFn(lex_inside_action))
}

fn scan_number(l: &mut Lexer<'_>) -> bool {
    l.accept("+-");
    let mut digits = "0123456789_";
    if l.accept("0") {
        if l.accept("xX") {
            digits = "0123456789abcdefABCDEF_";
        } else if l.accept("oO") {
            digits = "01234567_";
        } else if l.accept("bB") {
            digits = "01_";
        }
    }
    l.accept_run(digits);
    if l.accept(".") {
        l.accept_run(digits);
    }
    if digits.len() == 11 && l.accept("eE") {
        l.accept("+-");
        l.accept_run("0123456789_");
    }
    if digits.len() == 23 && l.accept("pP") {
        l.accept("+-");
        l.accept_run("0123456789_");
    }
    l.accept("i");
    if let Some(c) = l.peek()
        && is_alnum(c)
    {
        l.next();
        return false;
    }
    true
}

fn lex_quote(l: &mut Lexer<'_>) -> Option<StateFn> {
    quote(l).then_some(StateFn(lex_inside_action))
}

/// Go `lexQuote`, after the opening `"`; `false` after an error item.
fn quote(l: &mut Lexer<'_>) -> bool {
    let b = l.input.as_bytes();
    loop {
        // No newline can be inside: the line count stays.
        match memchr::memchr3(b'"', b'\\', b'\n', &b[l.pos..]).map(|i| l.pos + i) {
            Some(i) if b[i] == b'"' => {
                l.pos = i + 1;
                break;
            }
            // An escape takes the next character, whatever it is but a
            // newline; the bytes of a multi-byte one match none of the three.
            Some(i) if b[i] == b'\\' && i + 1 < b.len() && b[i + 1] != b'\n' => l.pos = i + 2,
            _ => {
                l.errorf("unterminated quoted string".into());
                return false;
            }
        }
    }
    l.emit(ItemType::String);
    true
}

fn lex_raw_quote(l: &mut Lexer<'_>) -> Option<StateFn> {
    let Some(i) = memchr::memchr(b'`', &l.input.as_bytes()[l.pos..]) else {
        return l.errorf("unterminated raw quoted string".into());
    };
    l.skip(i + 1);
    l.emit(ItemType::RawString);
    Some(StateFn(lex_inside_action))
}

#[cfg(test)]
mod tests {

    #[test]
    fn left_delimiter_search() {
        assert_eq!(find_left_delim(b"a { b {{"), Some(6));
        assert_eq!(find_left_delim(b"{{x"), Some(0));
        assert_eq!(find_left_delim(b"{ { {"), None);
        assert_eq!(find_left_delim(b"ends with {"), None);
        assert_eq!(find_left_delim(b""), None);
    }
    use super::*;

    fn kinds(s: &str) -> Vec<(ItemType, String)> {
        lex(s, false)
            .items()
            .map(|i| (i.typ, i.val.into_owned()))
            .collect()
    }

    #[test]
    fn text_and_action() {
        use ItemType::*;
        assert_eq!(
            kinds("a{{.X | printf \"%d\"}}b"),
            vec![
                (Text, "a".into()),
                (LeftDelim, "{{".into()),
                (Field, ".X".into()),
                (Space, " ".into()),
                (Pipe, "|".into()),
                (Space, " ".into()),
                (Identifier, "printf".into()),
                (Space, " ".into()),
                (String, "\"%d\"".into()),
                (RightDelim, "}}".into()),
                (Text, "b".into()),
                (Eof, "".into()),
            ]
        );
    }

    #[test]
    fn trim_markers_and_comments() {
        use ItemType::*;
        assert_eq!(
            kinds("a  {{- 3 -}}  b{{/* c */}}d"),
            vec![
                (Text, "a".into()),
                (LeftDelim, "{{".into()),
                (Number, "3".into()),
                (RightDelim, "}}".into()),
                (Text, "b".into()),
                (Text, "d".into()),
                (Eof, "".into()),
            ]
        );
    }

    #[test]
    fn numbers_and_errors() {
        let items = lex("{{0x1F 1e3 'a' 1+2i $x := .}}", false);
        let t: Vec<_> = items.items().map(|i| i.typ).collect();
        assert!(t.contains(&ItemType::Complex));
        assert!(t.contains(&ItemType::CharConstant));
        assert!(t.contains(&ItemType::Declare));
        let err = lex("{{3k}}", false);
        assert_eq!(
            err.items().last().map(|i| i.val.into_owned()).as_deref(),
            Some("bad number syntax: \"3k\"")
        );
        let err = lex("{{\"abc}}", false);
        assert_eq!(
            err.items().last().map(|i| i.val.into_owned()).as_deref(),
            Some("unterminated quoted string")
        );
        let err = lex("{{ .X", false);
        assert_eq!(
            err.items().last().map(|i| i.val.into_owned()).as_deref(),
            Some("unclosed action")
        );
    }

    #[test]
    fn words_strings_and_spaces_scan_bytes_and_chars_alike() {
        use ItemType::*;
        let src = "{{ .Aé.b $x_1 \"q\\\"é\" `r\n\ns` ( .c ) -}}\n {{- .Z }}";
        let items: Vec<_> = lex(src, false)
            .items()
            .map(|i| (i.typ, i.val.into_owned(), i.line))
            .collect();
        let want = [
            (LeftDelim, "{{", 1),
            (Space, " ", 1),
            (Field, ".Aé", 1),
            (Field, ".b", 1),
            (Space, " ", 1),
            (Variable, "$x_1", 1),
            (Space, " ", 1),
            (String, "\"q\\\"é\"", 1),
            (Space, " ", 1),
            (RawString, "`r\n\ns`", 1),
            (Space, " ", 3),
            (LeftParen, "(", 3),
            (Space, " ", 3),
            (Field, ".c", 3),
            (Space, " ", 3),
            (RightParen, ")", 3),
            (RightDelim, "}}", 3),
            (LeftDelim, "{{", 4),
            (Field, ".Z", 4),
            (Space, " ", 4),
            (RightDelim, "}}", 4),
            (Eof, "", 4),
        ];
        let want: Vec<_> = want
            .iter()
            .map(|(t, v, l)| (*t, v.to_string(), *l))
            .collect();
        assert_eq!(items, want);
    }

    #[test]
    fn unterminated_strings_stop_at_newline_escape_or_end() {
        for src in ["{{\"a\\", "{{\"a\\\nb\"}}", "{{\"a\nb\"}}", "{{\"abc"] {
            let last = lex(src, false).items().last().map(|i| i.val.into_owned());
            assert_eq!(
                last.as_deref(),
                Some("unterminated quoted string"),
                "{src:?}"
            );
        }
        let last = lex("{{`abc}}", false)
            .items()
            .last()
            .map(|i| i.val.into_owned());
        assert_eq!(last.as_deref(), Some("unterminated raw quoted string"));
        let last = lex("{{ abc§ }}", false)
            .items()
            .last()
            .map(|i| i.val.into_owned());
        assert_eq!(last.as_deref(), Some("bad character U+00A7 '§'"));
    }

    #[test]
    fn spaces_before_a_trim_marked_right_delimiter() {
        use ItemType::*;
        let items = |src: &str| -> Vec<(ItemType, std::string::String, usize)> {
            lex(src, false)
                .items()
                .map(|i| (i.typ, i.val.into_owned(), i.line))
                .collect()
        };
        // One space: it belongs to the delimiter, no space item.
        assert_eq!(
            items("{{.X -}}\n Y"),
            vec![
                (LeftDelim, "{{".into(), 1),
                (Field, ".X".into(), 1),
                (RightDelim, "}}".into(), 1),
                (Text, "Y".into(), 2),
                (Eof, "".into(), 2),
            ]
        );
        // Several: all but the last are a space item; newlines count once.
        assert_eq!(
            items("{{ .X \t\n\n-}}\nY"),
            vec![
                (LeftDelim, "{{".into(), 1),
                (Space, " ".into(), 1),
                (Field, ".X".into(), 1),
                (Space, " \t\n".into(), 1),
                (RightDelim, "}}".into(), 3),
                (Text, "Y".into(), 4),
                (Eof, "".into(), 4),
            ]
        );
        // Inside parentheses, several spaces reach the paren check.
        let last = lex("{{(.X  -}}", false)
            .items()
            .last()
            .map(|i| i.val.into_owned());
        assert_eq!(last.as_deref(), Some("unclosed left paren"));
    }

    #[test]
    fn lines_are_counted() {
        let items = lex("a\nb{{.X\n}}\n{{.Y}}", false);
        let y = items.items().find(|i| i.val == ".Y").map(|i| i.line);
        assert_eq!(y, Some(4));
    }
}
