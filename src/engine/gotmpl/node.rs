//! The parse tree, shaped like Go's `text/template/parse` (node.go).
//!
//! Every node records its byte offset in the template source ([`Pos`]) so
//! errors can name `template: NAME:LINE:COL`. Every node prints back to
//! template source with `Display`, the way Go's `Node.String()` does (the
//! parser tests compare against those strings).

use std::fmt;
use std::ops::Deref;
use std::sync::Arc;

/// Byte offset of a node in its template's source text.
pub type Pos = usize;

/// A stretch of a template's source text: text between actions, names,
/// field chains, the spelling of constants. It shares the source instead
/// of copying it: a chart's templates hold tens of thousands of names, and
/// their trees live for the whole run.
///
/// The text is held through a second, thin `Arc` (one per parsed file), so
/// that a `Source` is 16 bytes instead of 24 and a [`Node`] 48 instead of
/// 56: the trees of a chart's templates are most of a render's memory.
#[derive(Clone)]
pub struct Source {
    text: SharedText,
    start: u32,
    end: u32,
}

/// A template's text behind a thin pointer, for [`Source`]s.
pub type SharedText = Arc<Arc<str>>;

impl Source {
    /// `text[range]`, shared. The lexer refuses sources of 4 GiB or more,
    /// so offsets fit in 32 bits; a range that does not fit, or does not
    /// fall on char boundaries, is empty.
    pub fn new(text: &SharedText, range: std::ops::Range<usize>) -> Source {
        let ok = text.get(range.clone()).is_some();
        match (u32::try_from(range.start), u32::try_from(range.end)) {
            (Ok(start), Ok(end)) if ok => Source {
                text: text.clone(),
                start,
                end,
            },
            _ => Source::from(""),
        }
    }

    /// Where the stretch starts in its source text.
    pub fn offset(&self) -> usize {
        self.start as usize
    }
}

impl From<&str> for Source {
    /// A source of its own (for trees not made by the parser).
    fn from(s: &str) -> Source {
        Source {
            text: Arc::new(Arc::from(s)),
            start: 0,
            end: u32::try_from(s.len()).unwrap_or(0),
        }
    }
}

impl Deref for Source {
    type Target = str;

    fn deref(&self) -> &str {
        &self.text[self.start as usize..self.end as usize]
    }
}

impl fmt::Debug for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}

impl PartialEq for Source {
    fn eq(&self, other: &Source) -> bool {
        **self == **other
    }
}

/// A sequence of nodes (Go `ListNode`).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ListNode {
    /// Offset of the list's first node.
    pub pos: Pos,
    /// The nodes, in source order. Trees are never changed once parsed,
    /// so their lists are boxed slices, a word smaller than vectors.
    pub nodes: Box<[Node]>,
}

/// A node of the tree (Go's `Node` interface; one variant per node type
/// that can appear in a [`ListNode`] or as a command argument).
#[derive(Debug, Clone, PartialEq)]
pub enum Node {
    /// Plain text between actions.
    Text(TextNode),
    /// `{{/* … */}}` kept only with the ParseComments mode.
    Comment(CommentNode),
    /// `{{pipeline}}`: evaluate and print.
    Action(Box<ActionNode>),
    /// `{{if}}`.
    If(Box<BranchNode>),
    /// `{{range}}`.
    Range(Box<BranchNode>),
    /// `{{with}}`.
    With(Box<BranchNode>),
    /// `{{template "name" pipeline}}` (also what `{{block}}` leaves in place).
    Template(Box<TemplateNode>),
    /// `{{break}}`.
    Break(Pos),
    /// `{{continue}}`.
    Continue(Pos),
    // ---- argument nodes (appear inside CommandNode.args) ----
    /// A function name such as `printf`.
    Identifier(IdentifierNode),
    /// `$x`, `$x.Field.Chain`, or `$`.
    Variable(VariableNode),
    /// `.`
    Dot(Pos),
    /// `nil`
    Nil(Pos),
    /// `.Field.Chain`
    Field(FieldNode),
    /// `(pipeline).Field` or `ident.Field` — a chain on a non-field operand.
    Chain(ChainNode),
    /// `true` / `false`.
    Bool(BoolNode),
    /// A numeric constant.
    Number(Box<NumberNode>),
    /// A quoted string constant.
    String(StringNode),
    /// A parenthesized pipeline used as an argument.
    Pipe(Box<PipeNode>),
}

/// Literal text.
#[derive(Debug, Clone, PartialEq)]
pub struct TextNode {
    /// Offset.
    pub pos: Pos,
    /// The text (shared with the source: executing copies no bytes).
    pub text: Source,
}

/// A comment.
#[derive(Debug, Clone, PartialEq)]
pub struct CommentNode {
    /// Offset.
    pub pos: Pos,
    /// The whole comment including `/*` and `*/`.
    pub text: String,
}

/// `{{pipeline}}`.
#[derive(Debug, Clone, PartialEq)]
pub struct ActionNode {
    /// Offset.
    pub pos: Pos,
    /// 1-based line of the action (Go keeps it for error messages).
    pub line: usize,
    /// The pipeline.
    pub pipe: PipeNode,
}

/// A pipeline with optional variable declarations (Go `PipeNode`).
#[derive(Debug, Clone, PartialEq)]
pub struct PipeNode {
    /// Offset.
    pub pos: Pos,
    /// 1-based line.
    pub line: usize,
    /// `$x = …` (assignment) rather than `$x := …` (declaration).
    pub is_assign: bool,
    /// Declared/assigned variables (0, 1, or 2 for `range $i, $e :=`).
    pub decl: Box<[VariableNode]>,
    /// The commands, left to right; each result feeds the next as last argument.
    pub cmds: Box<[CommandNode]>,
}

/// One command of a pipeline: an operand, or a function with arguments.
#[derive(Debug, Clone, PartialEq)]
pub struct CommandNode {
    /// Offset.
    pub pos: Pos,
    /// Arguments in source order (the first may be an identifier = function).
    pub args: Box<[Node]>,
}

/// A function or keyword name used as an operand.
#[derive(Debug, Clone, PartialEq)]
pub struct IdentifierNode {
    /// Offset.
    pub pos: Pos,
    /// The name.
    pub ident: Source,
}

/// `$name.Field1.Field2`.
#[derive(Debug, Clone, PartialEq)]
pub struct VariableNode {
    /// Offset.
    pub pos: Pos,
    /// The variable name (with its `$`), then the field names, joined by
    /// dots as written.
    pub ident: Source,
    /// Where the name ends in `ident` (its first dot, or its end): both
    /// parts are asked for on every evaluation.
    name_len: usize,
}

impl VariableNode {
    /// The node for `ident` at `pos`.
    pub fn new(pos: Pos, ident: Source) -> VariableNode {
        let name_len = first_dot(&ident).unwrap_or(ident.len());
        VariableNode {
            pos,
            ident,
            name_len,
        }
    }

    /// The variable's name, `$x` (`$` when a hand-built tree left it empty).
    pub fn name(&self) -> &str {
        match &self.ident[..self.name_len] {
            "" => "$",
            name => name,
        }
    }

    /// The field names after the variable, joined by dots (empty without).
    pub fn fields(&self) -> &str {
        self.ident.get(self.name_len + 1..).unwrap_or("")
    }
}

/// Where the first `.` of a name or chain is. These are short and read on
/// every evaluation: a byte loop, without the set-up of a `str` search.
pub fn first_dot(s: &str) -> Option<usize> {
    s.bytes().position(|b| b == b'.')
}

/// The names of a dotted field chain as the nodes keep it (`Values.a`);
/// an empty chain has none.
pub fn field_names(chain: &str) -> impl Iterator<Item = &str> {
    let mut rest = chain;
    std::iter::from_fn(move || {
        loop {
            if rest.is_empty() {
                return None;
            }
            let (name, after) = match first_dot(rest) {
                Some(i) => (&rest[..i], &rest[i + 1..]),
                None => (rest, ""),
            };
            rest = after;
            if !name.is_empty() {
                return Some(name);
            }
        }
    })
}

/// `.Field1.Field2` (without the dots).
#[derive(Debug, Clone, PartialEq)]
pub struct FieldNode {
    /// Offset.
    pub pos: Pos,
    /// Field names, joined by dots as written (`Values.a`).
    pub ident: Source,
}

/// An operand followed by `.Field` accesses.
#[derive(Debug, Clone, PartialEq)]
pub struct ChainNode {
    /// Offset.
    pub pos: Pos,
    /// The operand.
    pub node: Box<Node>,
    /// Field names, joined by dots as written.
    pub field: Source,
}

/// `true`/`false`.
#[derive(Debug, Clone, PartialEq)]
pub struct BoolNode {
    /// Offset.
    pub pos: Pos,
    /// The value.
    pub value: bool,
}

/// A number constant with every interpretation Go's parser found valid
/// (`1` is an int, a uint and a float at once; `1.5` only a float).
#[derive(Debug, Clone, PartialEq)]
pub struct NumberNode {
    /// Offset.
    pub pos: Pos,
    /// Valid as a Go `int64`.
    pub is_int: bool,
    /// Valid as a Go `uint64`.
    pub is_uint: bool,
    /// Valid as a Go `float64`.
    pub is_float: bool,
    /// Complex constants (`1i`) parse but are rejected at execution here.
    pub is_complex: bool,
    /// The int value, when `is_int`.
    pub int64: i64,
    /// The uint value, when `is_uint`.
    pub uint64: u64,
    /// The float value, when `is_float`.
    pub float64: f64,
    /// The (real, imaginary) value, when `is_complex`.
    pub complex128: (f64, f64),
    /// The original spelling.
    pub text: String,
}

/// A string constant.
#[derive(Debug, Clone, PartialEq)]
pub struct StringNode {
    /// Offset.
    pub pos: Pos,
    /// The original quoted spelling (`"a\n"`, `` `raw` ``).
    pub quoted: Source,
    /// The unquoted value.
    pub text: Arc<str>,
}

/// `if`, `range` and `with` (Go `BranchNode`).
#[derive(Debug, Clone, PartialEq)]
pub struct BranchNode {
    /// Offset.
    pub pos: Pos,
    /// 1-based line.
    pub line: usize,
    /// The condition / range / with pipeline.
    pub pipe: PipeNode,
    /// Executed when the pipeline is non-empty (or per element for range).
    pub list: ListNode,
    /// `{{else}}` part (an `else if`/`else with` is a nested branch in here).
    pub else_list: Option<ListNode>,
}

/// `{{template "name" pipeline}}`.
#[derive(Debug, Clone, PartialEq)]
pub struct TemplateNode {
    /// Offset.
    pub pos: Pos,
    /// 1-based line.
    pub line: usize,
    /// Name of the template to run.
    pub name: String,
    /// Its dot, when given.
    pub pipe: Option<PipeNode>,
}

impl Node {
    /// The node's offset.
    pub fn pos(&self) -> Pos {
        match self {
            Node::Text(n) => n.pos,
            Node::Comment(n) => n.pos,
            Node::Action(n) => n.pos,
            Node::If(n) | Node::Range(n) | Node::With(n) => n.pos,
            Node::Template(n) => n.pos,
            Node::Break(p) | Node::Continue(p) | Node::Dot(p) | Node::Nil(p) => *p,
            Node::Identifier(n) => n.pos,
            Node::Variable(n) => n.pos,
            Node::Field(n) => n.pos,
            Node::Chain(n) => n.pos,
            Node::Bool(n) => n.pos,
            Node::Number(n) => n.pos,
            Node::String(n) => n.pos,
            Node::Pipe(n) => n.pos,
        }
    }
}

/// A parsed template: its name and its tree (Go `parse.Tree`).
#[derive(Debug, Clone, PartialEq)]
pub struct Tree {
    /// Template name (for `define`d templates, the defined name).
    pub name: String,
    /// Name of the top-level template the text came from (for error messages:
    /// `template: <parse_name>:line:col`).
    pub parse_name: String,
    /// The root list.
    pub root: ListNode,
    /// The source text, to turn offsets into line:col.
    pub text: Arc<str>,
}

impl Tree {
    /// 1-based line and column (in bytes from the line start, plus one — as
    /// Go's `ErrorContext` reports it) of an offset.
    pub fn line_col(&self, pos: Pos) -> (usize, usize) {
        // A hand-built tree may carry any offset: never slice inside a char.
        let before = self
            .text
            .get(..pos.min(self.text.len()))
            .unwrap_or(&self.text);
        let pos = before.len();
        let line = before.matches('\n').count() + 1;
        let col = match before.rfind('\n') {
            Some(nl) => pos - nl - 1,
            None => pos,
        };
        (line, col)
    }
}

// ---- printing back to source (Go's String methods) ----

impl fmt::Display for ListNode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for n in &self.nodes {
            write!(f, "{n}")?;
        }
        Ok(())
    }
}

impl fmt::Display for PipeNode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !self.decl.is_empty() {
            for (i, v) in self.decl.iter().enumerate() {
                if i > 0 {
                    f.write_str(", ")?;
                }
                write!(f, "{v}")?;
            }
            f.write_str(if self.is_assign { " = " } else { " := " })?;
        }
        for (i, c) in self.cmds.iter().enumerate() {
            if i > 0 {
                f.write_str(" | ")?;
            }
            write!(f, "{c}")?;
        }
        Ok(())
    }
}

impl fmt::Display for CommandNode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, arg) in self.args.iter().enumerate() {
            if i > 0 {
                f.write_str(" ")?;
            }
            if let Node::Pipe(p) = arg {
                write!(f, "({p})")?;
            } else {
                write!(f, "{arg}")?;
            }
        }
        Ok(())
    }
}

impl fmt::Display for VariableNode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.ident)
    }
}

impl fmt::Display for Node {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            // Go prints text as is (its parser tests switch to %q).
            Node::Text(t) => f.write_str(&t.text),
            Node::Comment(c) => write!(f, "{{{{{}}}}}", c.text),
            Node::Action(a) => write!(f, "{{{{{}}}}}", a.pipe),
            Node::If(b) => write_branch(f, "if", b),
            Node::Range(b) => write_branch(f, "range", b),
            Node::With(b) => write_branch(f, "with", b),
            Node::Template(t) => match &t.pipe {
                None => write!(f, "{{{{template {}}}}}", go_quote(&t.name)),
                Some(p) => write!(f, "{{{{template {} {p}}}}}", go_quote(&t.name)),
            },
            Node::Break(_) => f.write_str("{{break}}"),
            Node::Continue(_) => f.write_str("{{continue}}"),
            Node::Identifier(i) => f.write_str(&i.ident),
            Node::Variable(v) => write!(f, "{v}"),
            Node::Dot(_) => f.write_str("."),
            Node::Nil(_) => f.write_str("nil"),
            Node::Field(fl) => write!(f, ".{}", &*fl.ident),
            Node::Chain(c) => {
                if let Node::Pipe(p) = c.node.as_ref() {
                    write!(f, "({p})")?;
                } else {
                    write!(f, "{}", c.node)?;
                }
                write!(f, ".{}", &*c.field)
            }
            Node::Bool(b) => write!(f, "{}", b.value),
            Node::Number(n) => f.write_str(&n.text),
            Node::String(s) => f.write_str(&s.quoted),
            Node::Pipe(p) => write!(f, "{p}"),
        }
    }
}

fn write_branch(f: &mut fmt::Formatter<'_>, name: &str, b: &BranchNode) -> fmt::Result {
    write!(f, "{{{{{name} {}}}}}{}", b.pipe, b.list)?;
    if let Some(e) = &b.else_list {
        write!(f, "{{{{else}}}}{e}")?;
    }
    f.write_str("{{end}}")
}

/// Go's `%q` of a string (strconv.Quote): double quotes, `\a\b\f\n\r\t\v`,
/// `\\`, `\"`, other control and non-printable runes as `\xNN`/`\uNNNN`/`\UNNNNNNNN`.
pub fn go_quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '\u{7}' => out.push_str("\\a"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{b}' => out.push_str("\\v"),
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                out.push_str(&format!("\\x{:02x}", c as u32));
            }
            c if is_go_printable(c) => out.push(c),
            c if (c as u32) < 0x10000 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push_str(&format!("\\U{:08x}", c as u32)),
        }
    }
    out.push('"');
    out
}

/// An approximation of Go's `strconv.IsPrint` (Unicode letters, marks,
/// numbers, punctuation, symbols and the ASCII space).
pub fn is_go_printable(c: char) -> bool {
    if c == ' ' {
        return true;
    }
    if c.is_control() || c.is_whitespace() {
        return false;
    }
    let u = c as u32;
    // Unassigned / format / private-use / surrogate-adjacent ranges Go rejects.
    !matches!(u,
        0xAD | 0x600..=0x605 | 0x61C | 0x6DD | 0x70F | 0x180E | 0x200B..=0x200F
        | 0x202A..=0x202E | 0x2060..=0x206F | 0xFEFF | 0xFFF9..=0xFFFB
        | 0xE000..=0xF8FF | 0xFFFE | 0xFFFF | 0xF0000..=0x10FFFF)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Nodes fill every command's argument list and every template body:
    /// the large variants are boxed so that one `Node` stays small.
    #[test]
    fn node_stays_small() {
        assert!(std::mem::size_of::<Node>() <= 56);
    }
}
