//! The parser, a transliteration of Go's `text/template/parse/parse.go`:
//! recursive descent over the lexer's items, building [`node`](super::node)
//! trees; `define`d and `block` templates become separate trees.

use std::borrow::Cow;
use std::sync::Arc;

use super::lex::{Item, ItemType, Lexed, lex};
use super::node::*;

/// A parse failure, with Go's text (`template: NAME:LINE: MESSAGE`).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{message}")]
pub struct ParseError {
    /// The full message as Go prints it.
    pub message: String,
    /// The template (file) name.
    pub name: String,
    /// 1-based line.
    pub line: usize,
}

type PResult<T> = Result<T, ParseError>;

/// Go's `maxStackDepth`: how deeply parenthesized pipelines may nest.
/// (Control structures are not capped, as in Go; deep nesting needs a
/// correspondingly deep native stack.)
pub const MAX_PAREN_DEPTH: usize = 10_000;

/// The trees of one parse: the top-level tree under its name plus every
/// `define`/`block`, in definition order.
pub type TreeSet = Vec<Tree>;

/// Parses `text` as template `name`. `has_func` answers whether a function
/// name is known (Go checks functions at parse time: `function "x" not
/// defined`). Comments are kept as nodes when `keep_comments`.
pub fn parse(
    name: &str,
    text: &str,
    has_func: &dyn Fn(&str) -> bool,
    keep_comments: bool,
) -> PResult<TreeSet> {
    parse_shared(name, &Arc::from(text), has_func, keep_comments)
}

/// [`parse`] of text the caller already holds shared: the trees keep a
/// handle on it instead of a copy (a chart's templates are read once and
/// shared by every tree parsed from them).
pub fn parse_shared(
    name: &str,
    text: &Arc<str>,
    has_func: &dyn Fn(&str) -> bool,
    keep_comments: bool,
) -> PResult<TreeSet> {
    let mut items = lex(text, keep_comments);
    // Go lexes `break`/`continue` as identifiers when a function of that
    // name exists (lexOptions.breakOK / continueOK).
    for kw in [ItemType::Break, ItemType::Continue] {
        let word = if kw == ItemType::Break {
            "break"
        } else {
            "continue"
        };
        if has_func(word) {
            for i in 0..items.len() {
                if items.typ(i) == kw {
                    items.set_typ(i, ItemType::Identifier);
                }
            }
        }
    }
    let mut p = Parser {
        items,
        idx: 0,
        parse_name: name.to_string(),
        text: Arc::new(text.clone()),
        vars: vec!["$".to_string()],
        range_depth: 0,
        paren_depth: 0,
        has_func,
        line: 1,
        action_line: 0,
        trees: Vec::new(),
        args: Vec::new(),
        cmds: Vec::new(),
    };
    let root = p.parse_top()?;
    let tree = Tree {
        name: name.to_string(),
        parse_name: name.to_string(),
        root,
        text: Arc::clone(&p.text),
    };
    p.add(tree)?;
    Ok(p.trees)
}

/// Go's `IsEmptyTree`: only spaces and comments.
pub fn is_empty_tree(list: &ListNode) -> bool {
    list.nodes.iter().all(|n| match n {
        Node::Text(t) => t.text.trim().is_empty(),
        Node::Comment(_) => true,
        _ => false,
    })
}

struct Parser<'a> {
    items: Lexed<'a>,
    idx: usize,
    parse_name: String,
    /// The template's text, behind the thin pointer the nodes'
    /// [`Source`]s share.
    text: SharedText,
    vars: Vec<String>,
    range_depth: usize,
    paren_depth: usize,
    has_func: &'a dyn Fn(&str) -> bool,
    line: usize,
    action_line: usize,
    trees: Vec<Tree>,
    /// Arguments of the commands being parsed, innermost last: a command
    /// takes its own off the top at its exact size (parsed templates live
    /// until the process ends, and growing each vector then shrinking it
    /// copied every command once more).
    args: Vec<Node>,
    /// The same for the commands of the pipelines being parsed.
    cmds: Vec<CommandNode>,
}

impl<'a> Parser<'a> {
    /// The source text of `item`, shared.
    fn source(&self, item: &Item) -> Source {
        Source::new(&self.text, item.pos..item.pos + item.val.len())
    }

    /// A variable node for the `$x` item.
    fn variable(&self, v: &Item) -> VariableNode {
        VariableNode::new(v.pos, self.source(v))
    }

    fn errorf(&self, msg: impl Into<String>) -> ParseError {
        let msg = msg.into();
        ParseError {
            message: format!("template: {}:{}: {}", self.parse_name, self.line, msg),
            name: self.parse_name.clone(),
            line: self.line,
        }
    }

    /// Index of the item [`next`](Self::next) reads: past the end, the
    /// last one (EOF or an error) again.
    fn cur(&self) -> usize {
        self.idx.min(self.items.len().saturating_sub(1))
    }

    /// The next item's type, not read ([`peek`](Self::peek) without
    /// building the item; like it, it moves the error line there).
    fn peek_typ(&mut self) -> ItemType {
        let i = self.cur();
        self.line = self.items.line(i);
        self.items.typ(i)
    }

    /// The next item's offset, not read.
    fn peek_pos(&mut self) -> Pos {
        self.peek_typ();
        self.items.pos(self.cur())
    }

    /// Moves over spaces, then [`peek_typ`](Self::peek_typ): the type
    /// [`peek_non_space`](Self::peek_non_space) would return.
    fn peek_non_space_typ(&mut self) -> ItemType {
        while self.items.typ(self.cur()) == ItemType::Space {
            self.idx = self.cur() + 1;
        }
        self.peek_typ()
    }

    /// The offset of the item [`peek_non_space`](Self::peek_non_space)
    /// would return.
    fn peek_non_space_pos(&mut self) -> Pos {
        self.peek_non_space_typ();
        self.items.pos(self.cur())
    }

    fn next(&mut self) -> Item<'a> {
        let i = self.cur();
        let item = self.items.get(i).unwrap_or(Item {
            typ: ItemType::Eof,
            pos: self.text.len(),
            val: Default::default(),
            line: self.line,
        });
        self.idx = i + 1;
        self.line = item.line;
        item
    }

    fn backup(&mut self, n: usize) {
        self.idx = self.idx.saturating_sub(n);
    }

    fn peek(&mut self) -> Item<'a> {
        let it = self.next();
        self.backup(1);
        it
    }

    fn next_non_space(&mut self) -> Item<'a> {
        self.peek_non_space_typ();
        self.next()
    }

    fn peek_non_space(&mut self) -> Item<'a> {
        let it = self.next_non_space();
        self.backup(1);
        it
    }

    fn expect(&mut self, typ: ItemType, context: &str) -> PResult<Item<'a>> {
        let t = self.next_non_space();
        if t.typ != typ {
            return Err(self.unexpected(&t, context));
        }
        Ok(t)
    }

    fn unexpected(&self, item: &Item, context: &str) -> ParseError {
        if item.typ == ItemType::Error {
            let mut extra = String::new();
            if self.action_line != 0 && self.action_line != item.line {
                extra = format!(
                    " in action started at {}:{}",
                    self.parse_name, self.action_line
                );
                if item.val.ends_with(" action") {
                    extra = extra[" in action".len()..].to_string();
                }
            }
            return self.errorf(format!("{item}{extra}"));
        }
        self.errorf(format!("unexpected {item} in {context}"))
    }

    /// Go `Tree.add`: a name may be defined once per parse unless one of
    /// the definitions is empty.
    fn add(&mut self, tree: Tree) -> PResult<()> {
        if let Some(i) = self.trees.iter().position(|t| t.name == tree.name) {
            if is_empty_tree(&self.trees[i].root) {
                self.trees[i] = tree;
                return Ok(());
            }
            if !is_empty_tree(&tree.root) {
                return Err(self.errorf(format!(
                    "template: multiple definition of template {}",
                    go_quote(&tree.name)
                )));
            }
            return Ok(());
        }
        self.trees.push(tree);
        Ok(())
    }

    fn parse_top(&mut self) -> PResult<ListNode> {
        let pos = self.peek_pos();
        let mut nodes = Vec::new();
        while self.peek_typ() != ItemType::Eof {
            if self.peek_typ() == ItemType::LeftDelim {
                self.next();
                if self.next_non_space().typ == ItemType::Define {
                    self.parse_definition()?;
                    continue;
                }
                // Back to before the delimiter (spaces included).
                while self.idx > 0 && self.items.typ(self.idx - 1) != ItemType::LeftDelim {
                    self.idx -= 1;
                }
                self.idx -= 1;
            }
            match self.text_or_action()? {
                Parsed::Node(n) => nodes.push(n),
                Parsed::End => return Err(self.errorf("unexpected {{end}}")),
                Parsed::Else(..) => return Err(self.errorf("unexpected {{else}}")),
            }
        }
        Ok(ListNode {
            pos,
            nodes: nodes.into_boxed_slice(),
        })
    }

    fn parse_definition(&mut self) -> PResult<()> {
        let context = "define clause";
        let saved_vars = std::mem::replace(&mut self.vars, vec!["$".to_string()]);
        let tok = self.next_non_space();
        if tok.typ != ItemType::String && tok.typ != ItemType::RawString {
            return Err(self.unexpected(&tok, context));
        }
        let name = unquote(&tok.val).map_err(|e| self.errorf(e))?.into_owned();
        self.expect(ItemType::RightDelim, context)?;
        let (root, end) = self.item_list()?;
        if !matches!(end, Parsed::End) {
            return Err(self.errorf(format!("unexpected {} in {context}", end.describe())));
        }
        self.vars = saved_vars;
        let tree = Tree {
            name,
            parse_name: self.parse_name.clone(),
            root,
            text: Arc::clone(&self.text),
        };
        self.add(tree)
    }

    fn item_list(&mut self) -> PResult<(ListNode, Parsed)> {
        let pos = self.peek_non_space_pos();
        let mut nodes = Vec::new();
        while self.peek_non_space_typ() != ItemType::Eof {
            match self.text_or_action()? {
                Parsed::Node(n) => nodes.push(n),
                other => {
                    let nodes = nodes.into_boxed_slice();
                    return Ok((ListNode { pos, nodes }, other));
                }
            }
        }
        Err(self.errorf("unexpected EOF"))
    }

    fn text_or_action(&mut self) -> PResult<Parsed> {
        let tok = self.next_non_space();
        match tok.typ {
            ItemType::Text => Ok(Parsed::Node(Node::Text(TextNode {
                pos: tok.pos,
                text: self.source(&tok),
            }))),
            ItemType::LeftDelim => {
                self.action_line = tok.line;
                let r = self.action();
                self.action_line = 0;
                r
            }
            ItemType::Comment => Ok(Parsed::Node(Node::Comment(CommentNode {
                pos: tok.pos,
                text: tok.val.into_owned(),
            }))),
            _ => Err(self.unexpected(&tok, "input")),
        }
    }

    fn action(&mut self) -> PResult<Parsed> {
        let tok = self.next_non_space();
        match tok.typ {
            ItemType::Block => return self.block_control().map(Parsed::Node),
            ItemType::Break | ItemType::Continue => {
                let word = if tok.typ == ItemType::Break {
                    "break"
                } else {
                    "continue"
                };
                let t = self.next_non_space();
                if t.typ != ItemType::RightDelim {
                    return Err(self.unexpected(&t, &format!("{{{{{word}}}}}")));
                }
                if self.range_depth == 0 {
                    return Err(self.errorf(format!("{{{{{word}}}}} outside {{{{range}}}}")));
                }
                return Ok(Parsed::Node(if word == "break" {
                    Node::Break(tok.pos)
                } else {
                    Node::Continue(tok.pos)
                }));
            }
            ItemType::Else => return self.else_control(),
            ItemType::End => {
                let _ = self.expect(ItemType::RightDelim, "end")?;
                return Ok(Parsed::End);
            }
            ItemType::If => return self.if_control().map(Parsed::Node),
            ItemType::Range => return self.range_control().map(Parsed::Node),
            ItemType::Template => return self.template_control().map(Parsed::Node),
            ItemType::With => return self.with_control().map(Parsed::Node),
            _ => {}
        }
        self.backup(1);
        let tok = self.peek();
        let pipe = self.pipeline("command", ItemType::RightDelim)?;
        Ok(Parsed::Node(Node::Action(Box::new(ActionNode {
            pos: tok.pos,
            line: tok.line,
            pipe,
        }))))
    }

    fn else_control(&mut self) -> PResult<Parsed> {
        let peek = self.peek_non_space();
        if peek.typ == ItemType::If || peek.typ == ItemType::With {
            // "else if" / "else with": the keyword stays pending.
            return Ok(Parsed::Else(peek.pos, true));
        }
        let t = self.expect(ItemType::RightDelim, "else")?;
        Ok(Parsed::Else(t.pos, false))
    }

    fn pipeline(&mut self, context: &str, end: ItemType) -> PResult<PipeNode> {
        let tok = self.peek_non_space();
        let mut pipe = PipeNode {
            pos: tok.pos,
            line: tok.line,
            is_assign: false,
            decl: Box::default(),
            cmds: Box::default(),
        };
        let mut decl = Vec::new();
        'decls: loop {
            if self.peek_non_space_typ() != ItemType::Variable {
                break;
            }
            let v = self.next_non_space();
            let after = self.peek();
            let next = self.peek_non_space();
            if next.typ == ItemType::Assign || next.typ == ItemType::Declare {
                pipe.is_assign = next.typ == ItemType::Assign;
                self.next_non_space();
                decl.push(self.variable(&v));
                self.vars.push(v.val.to_string());
            } else if next.typ == ItemType::Char && next.val == "," {
                self.next_non_space();
                decl.push(self.variable(&v));
                self.vars.push(v.val.to_string());
                if context == "range" && decl.len() < 2 {
                    match self.peek_non_space_typ() {
                        ItemType::Variable | ItemType::RightDelim | ItemType::RightParen => {
                            continue 'decls;
                        }
                        _ => return Err(self.errorf("range can only initialize variables")),
                    }
                }
                return Err(self.errorf(format!("too many declarations in {context}")));
            } else if after.typ == ItemType::Space {
                // "$x foo": the variable is an operand; put back variable and space.
                self.rewind_to(v.pos);
            } else {
                self.rewind_to(v.pos);
            }
            break;
        }
        pipe.decl = decl.into_boxed_slice();
        let base = self.cmds.len();
        let r = self.commands(&mut pipe, context, end, base);
        self.cmds.truncate(base);
        r.map(|()| pipe)
    }

    /// The commands of `pipe`, up to `end`.
    fn commands(
        &mut self,
        pipe: &mut PipeNode,
        context: &str,
        end: ItemType,
        base: usize,
    ) -> PResult<()> {
        loop {
            let tok = self.next_non_space();
            if tok.typ == end {
                pipe.cmds = self.cmds.split_off(base).into_boxed_slice();
                return self.check_pipeline(pipe, context);
            }
            match tok.typ {
                ItemType::Bool
                | ItemType::CharConstant
                | ItemType::Complex
                | ItemType::Dot
                | ItemType::Field
                | ItemType::Identifier
                | ItemType::Number
                | ItemType::Nil
                | ItemType::RawString
                | ItemType::String
                | ItemType::Variable
                | ItemType::LeftParen => {
                    self.backup(1);
                    let c = self.command()?;
                    self.cmds.push(c);
                }
                _ => return Err(self.unexpected(&tok, context)),
            }
        }
    }

    /// Moves back so the next item is the one at byte offset `pos`.
    fn rewind_to(&mut self, pos: usize) {
        while self.idx > 0 && self.items.pos(self.idx - 1) >= pos {
            self.idx -= 1;
        }
    }

    fn check_pipeline(&self, pipe: &PipeNode, context: &str) -> PResult<()> {
        if pipe.cmds.is_empty() {
            return Err(self.errorf(format!("missing value for {context}")));
        }
        for (i, c) in pipe.cmds.iter().enumerate().skip(1) {
            if matches!(
                c.args.first(),
                Some(
                    Node::Bool(_) | Node::Dot(_) | Node::Nil(_) | Node::Number(_) | Node::String(_)
                )
            ) {
                return Err(self.errorf(format!(
                    "non executable command in pipeline stage {}",
                    i + 1
                )));
            }
        }
        Ok(())
    }

    fn command(&mut self) -> PResult<CommandNode> {
        let pos = self.peek_non_space_pos();
        let base = self.args.len();
        let r = self.arguments();
        let args = self.args.split_off(base).into_boxed_slice();
        r?;
        if args.is_empty() {
            return Err(self.errorf("empty command"));
        }
        Ok(CommandNode { pos, args })
    }

    /// A command's arguments, pushed on `self.args`.
    fn arguments(&mut self) -> PResult<()> {
        loop {
            self.peek_non_space_typ();
            if let Some(op) = self.operand()? {
                self.args.push(op);
            }
            let tok = self.next();
            match tok.typ {
                ItemType::Space => continue,
                ItemType::RightDelim | ItemType::RightParen => self.backup(1),
                ItemType::Pipe => {}
                _ => return Err(self.unexpected(&tok, "operand")),
            }
            return Ok(());
        }
    }

    fn operand(&mut self) -> PResult<Option<Node>> {
        let Some(node) = self.term()? else {
            return Ok(None);
        };
        if self.peek_typ() != ItemType::Field {
            return Ok(Some(node));
        }
        let pos = self.peek_pos();
        // The fields follow one another in the source, without spaces.
        let mut end = pos;
        while self.peek_typ() == ItemType::Field {
            let f = self.next();
            end = f.pos + f.val.len();
        }
        let fields = Source::new(&self.text, pos + 1..end);
        let joined = |head: &Source| Source::new(&self.text, head.offset()..end);
        Ok(Some(match node {
            // Go rebuilds the node at the chain's position (the first added field).
            Node::Field(mut f) => {
                f.pos = pos;
                f.ident = joined(&f.ident);
                Node::Field(f)
            }
            Node::Variable(v) => Node::Variable(VariableNode::new(pos, joined(&v.ident))),
            Node::Bool(_) | Node::String(_) | Node::Number(_) | Node::Nil(_) | Node::Dot(_) => {
                return Err(self.errorf(format!(
                    "unexpected . after term {}",
                    go_quote(&node.to_string())
                )));
            }
            other => Node::Chain(ChainNode {
                pos,
                node: Box::new(other),
                field: fields,
            }),
        }))
    }

    fn term(&mut self) -> PResult<Option<Node>> {
        let tok = self.next_non_space();
        Ok(Some(match tok.typ {
            ItemType::Identifier => {
                if !(self.has_func)(&tok.val) {
                    return Err(self.errorf(format!("function {} not defined", go_quote(&tok.val))));
                }
                Node::Identifier(IdentifierNode {
                    pos: tok.pos,
                    ident: self.source(&tok),
                })
            }
            ItemType::Dot => Node::Dot(tok.pos),
            ItemType::Nil => Node::Nil(tok.pos),
            ItemType::Variable => {
                let v = self.variable(&tok);
                if !self.vars.iter().any(|n| n == v.name()) {
                    return Err(self.errorf(format!("undefined variable {}", go_quote(v.name()))));
                }
                Node::Variable(v)
            }
            ItemType::Field => Node::Field(FieldNode {
                pos: tok.pos,
                ident: Source::new(&self.text, tok.pos + 1..tok.pos + tok.val.len()),
            }),
            ItemType::Bool => Node::Bool(BoolNode {
                pos: tok.pos,
                value: tok.val == "true",
            }),
            ItemType::CharConstant | ItemType::Complex | ItemType::Number => Node::Number(
                Box::new(new_number(tok.pos, &tok.val, tok.typ).map_err(|e| self.errorf(e))?),
            ),
            ItemType::LeftParen => {
                // Go caps parenthesis nesting (parse.go maxStackDepth).
                if self.paren_depth >= MAX_PAREN_DEPTH {
                    return Err(self.errorf("max expression depth exceeded"));
                }
                self.paren_depth += 1;
                let p = self.pipeline("parenthesized pipeline", ItemType::RightParen);
                self.paren_depth -= 1;
                Node::Pipe(Box::new(p?))
            }
            ItemType::String | ItemType::RawString => {
                let text = Arc::from(unquote(&tok.val).map_err(|e| self.errorf(e))?);
                Node::String(StringNode {
                    pos: tok.pos,
                    quoted: self.source(&tok),
                    text,
                })
            }
            _ => {
                self.backup(1);
                return Ok(None);
            }
        }))
    }

    /// Go `parseControl` for if/range/with.
    fn parse_control(&mut self, context: &str) -> PResult<BranchNode> {
        let mark = self.vars.len();
        let r = self.parse_control_inner(context);
        self.vars.truncate(mark);
        r
    }

    fn parse_control_inner(&mut self, context: &str) -> PResult<BranchNode> {
        let pipe = self.pipeline(context, ItemType::RightDelim)?;
        if context == "range" {
            self.range_depth += 1;
        }
        let r = self.item_list();
        if context == "range" {
            self.range_depth -= 1;
        }
        let (list, next) = r?;
        let mut else_list = None;
        if let Parsed::Else(pos, chained) = next {
            if chained && context == "if" && self.peek_non_space_typ() == ItemType::If {
                self.next_non_space();
                let n = self.if_control()?;
                else_list = Some(ListNode {
                    pos,
                    nodes: Box::new([n]),
                });
            } else if chained && context == "with" && self.peek_non_space_typ() == ItemType::With {
                self.next_non_space();
                let n = self.with_control()?;
                else_list = Some(ListNode {
                    pos,
                    nodes: Box::new([n]),
                });
            } else {
                if chained {
                    // "else if" inside range: Go reads the keyword as unexpected input.
                    let tok = self.next_non_space();
                    return Err(self.unexpected(&tok, "input"));
                }
                let (l, next) = self.item_list()?;
                if !matches!(next, Parsed::End) {
                    return Err(self.errorf(format!("expected end; found {}", next.describe())));
                }
                else_list = Some(l);
            }
        }
        Ok(BranchNode {
            pos: pipe.pos,
            line: pipe.line,
            pipe,
            list,
            else_list,
        })
    }

    fn if_control(&mut self) -> PResult<Node> {
        Ok(Node::If(Box::new(self.parse_control("if")?)))
    }

    fn range_control(&mut self) -> PResult<Node> {
        Ok(Node::Range(Box::new(self.parse_control("range")?)))
    }

    fn with_control(&mut self) -> PResult<Node> {
        Ok(Node::With(Box::new(self.parse_control("with")?)))
    }

    fn template_name(&mut self, tok: &Item, context: &str) -> PResult<String> {
        match tok.typ {
            ItemType::String | ItemType::RawString => unquote(&tok.val)
                .map(Cow::into_owned)
                .map_err(|e| self.errorf(e)),
            _ => Err(self.unexpected(tok, context)),
        }
    }

    fn template_control(&mut self) -> PResult<Node> {
        let context = "template clause";
        let tok = self.next_non_space();
        let name = self.template_name(&tok, context)?;
        let mut pipe = None;
        if self.next_non_space().typ != ItemType::RightDelim {
            self.backup(1);
            pipe = Some(self.pipeline(context, ItemType::RightDelim)?);
        }
        Ok(Node::Template(Box::new(TemplateNode {
            pos: tok.pos,
            line: tok.line,
            name,
            pipe,
        })))
    }

    fn block_control(&mut self) -> PResult<Node> {
        let context = "block clause";
        let tok = self.next_non_space();
        let name = self.template_name(&tok, context)?;
        let pipe = self.pipeline(context, ItemType::RightDelim)?;
        // The block body is its own template, parsed with a fresh variable scope.
        let saved_vars = std::mem::replace(&mut self.vars, vec!["$".to_string()]);
        let saved_depth = std::mem::replace(&mut self.range_depth, 0);
        let r = self.item_list();
        self.vars = saved_vars;
        self.range_depth = saved_depth;
        let (root, end) = r?;
        if !matches!(end, Parsed::End) {
            return Err(self.errorf(format!("unexpected {} in {context}", end.describe())));
        }
        self.add(Tree {
            name: name.clone(),
            parse_name: self.parse_name.clone(),
            root,
            text: Arc::clone(&self.text),
        })?;
        Ok(Node::Template(Box::new(TemplateNode {
            pos: tok.pos,
            line: tok.line,
            name,
            pipe: Some(pipe),
        })))
    }
}

/// What `textOrAction` produced: a node, or an `{{end}}`/`{{else}}` that
/// closes the enclosing list.
enum Parsed {
    Node(Node),
    End,
    /// Offset, and whether an `if`/`with` keyword follows (`else if`).
    Else(Pos, bool),
}

impl Parsed {
    fn describe(&self) -> String {
        match self {
            Parsed::Node(n) => n.to_string(),
            Parsed::End => "{{end}}".into(),
            Parsed::Else(..) => "{{else}}".into(),
        }
    }
}

// ---- numbers (Go newNumber, with strconv's parsing rules) ----

/// Go's `underscoreOK`: underscores only between digits (or after a base prefix).
fn underscore_ok(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    let b = if !b.is_empty() && (b[0] == b'+' || b[0] == b'-') {
        &b[1..]
    } else {
        b
    };
    let mut saw = b'^';
    let mut hex = false;
    if b.len() >= 2 && b[0] == b'0' && matches!(b[1] | 0x20, b'b' | b'o' | b'x') {
        i = 2;
        saw = b'0';
        hex = b[1] | 0x20 == b'x';
    }
    while i < b.len() {
        let c = b[i];
        if c.is_ascii_digit() || hex && (c | 0x20).is_ascii_hexdigit() {
            saw = b'0';
        } else if c == b'_' {
            if saw != b'0' {
                return false;
            }
            saw = b'_';
        } else {
            if saw == b'_' {
                return false;
            }
            saw = b'!';
        }
        i += 1;
    }
    saw != b'_'
}

/// strconv.ParseUint(s, 0, 64).
fn parse_uint(s: &str) -> Option<u64> {
    if s.is_empty() {
        return None;
    }
    let (base, digits, prefixed) = if let Some(r) = s.strip_prefix("0x").or(s.strip_prefix("0X")) {
        (16, r, true)
    } else if let Some(r) = s.strip_prefix("0o").or(s.strip_prefix("0O")) {
        (8, r, true)
    } else if let Some(r) = s.strip_prefix("0b").or(s.strip_prefix("0B")) {
        (2, r, true)
    } else if s.len() > 1 && s.starts_with('0') {
        (8, &s[1..], true)
    } else {
        (10, s, false)
    };
    if s.contains('_') && !underscore_ok(s) {
        return None;
    }
    let _ = prefixed;
    let mut v: u64 = 0;
    let mut any = false;
    for c in digits.chars() {
        if c == '_' {
            continue;
        }
        let d = c.to_digit(base)?;
        v = v.checked_mul(base as u64)?.checked_add(d as u64)?;
        any = true;
    }
    if !any && base != 8 {
        return None;
    }
    if !any && !s.starts_with('0') {
        return None;
    }
    Some(v)
}

/// strconv.ParseInt(s, 0, 64).
fn parse_int(s: &str) -> Option<i64> {
    let (neg, body) = match s.as_bytes().first() {
        Some(b'+') => (false, &s[1..]),
        Some(b'-') => (true, &s[1..]),
        _ => (false, s),
    };
    let u = parse_uint(body)?;
    if neg {
        if u > 1u64 << 63 {
            return None;
        }
        Some((u as i128).wrapping_neg() as i64)
    } else {
        i64::try_from(u).ok()
    }
}

/// strconv.ParseFloat(s, 64) for Go literal syntax (decimal and hex floats).
fn parse_float(s: &str) -> Option<f64> {
    if s.contains('_') && !underscore_ok(s) {
        return None;
    }
    let clean: String = s.chars().filter(|&c| c != '_').collect();
    let (neg, body) = match clean.as_bytes().first() {
        Some(b'+') => (false, &clean[1..]),
        Some(b'-') => (true, &clean[1..]),
        _ => (false, clean.as_str()),
    };
    let v = if let Some(h) = body.strip_prefix("0x").or(body.strip_prefix("0X")) {
        let (mant, exp) = h.split_once(['p', 'P'])?;
        let exp: i32 = exp.parse().ok()?;
        let (ip, fp) = mant.split_once('.').unwrap_or((mant, ""));
        if ip.is_empty() && fp.is_empty() {
            return None;
        }
        let mut m = 0f64;
        for c in ip.chars().chain(fp.chars()) {
            m = m * 16.0 + c.to_digit(16)? as f64;
        }
        m * 2f64.powi(exp - 4 * fp.len() as i32)
    } else {
        if body.is_empty()
            || !body
                .bytes()
                .all(|c| c.is_ascii_digit() || matches!(c, b'.' | b'e' | b'E' | b'+' | b'-'))
        {
            return None;
        }
        body.parse::<f64>().ok()?
    };
    if v.is_infinite() {
        return None;
    }
    Some(if neg { -v } else { v })
}

/// Go `newNumber`: every interpretation of a numeric literal.
pub fn new_number(pos: Pos, text: &str, typ: ItemType) -> Result<NumberNode, String> {
    let mut n = NumberNode {
        pos,
        is_int: false,
        is_uint: false,
        is_float: false,
        is_complex: false,
        int64: 0,
        uint64: 0,
        float64: 0.0,
        complex128: (0.0, 0.0),
        text: text.to_string(),
    };
    match typ {
        ItemType::CharConstant => {
            let inner = &text[1..];
            let (c, tail) = unquote_char(inner, '\'').ok_or("invalid syntax")?;
            if tail != "'" {
                return Err(format!("malformed character constant: {text}"));
            }
            n.int64 = c as i64;
            n.uint64 = c as u64;
            n.float64 = c as u32 as f64;
            n.is_int = true;
            n.is_uint = true;
            n.is_float = true;
            return Ok(n);
        }
        ItemType::Complex => {
            let body = text.strip_suffix('i').ok_or("expected integer")?;
            let b = body.as_bytes();
            let split = (1..b.len())
                .rev()
                .find(|&i| matches!(b[i], b'+' | b'-') && !matches!(b[i - 1] | 0x20, b'e' | b'p'))
                .ok_or("expected integer")?;
            let re = parse_float(&body[..split]).ok_or("expected integer")?;
            let im = parse_float(&body[split..]).ok_or("expected integer")?;
            n.is_complex = true;
            simplify_complex(&mut n, re, im);
            return Ok(n);
        }
        _ => {}
    }
    if let Some(body) = text.strip_suffix('i')
        && let Some(f) = parse_float(body)
    {
        n.is_complex = true;
        simplify_complex(&mut n, 0.0, f);
        return Ok(n);
    }
    if let Some(u) = parse_uint(text) {
        n.is_uint = true;
        n.uint64 = u;
    }
    if let Some(i) = parse_int(text) {
        n.is_int = true;
        n.int64 = i;
        if i == 0 {
            n.is_uint = true;
            n.uint64 = 0;
        }
    }
    if n.is_int {
        n.is_float = true;
        n.float64 = n.int64 as f64;
    } else if n.is_uint {
        n.is_float = true;
        n.float64 = n.uint64 as f64;
    } else if let Some(f) = parse_float(text) {
        if !text.contains(['.', 'e', 'E', 'p', 'P']) {
            return Err(format!("integer overflow: {}", go_quote(text)));
        }
        n.is_float = true;
        n.float64 = f;
        if f.fract() == 0.0 && (-9.223372036854776e18..9.223372036854776e18).contains(&f) {
            n.is_int = true;
            n.int64 = f as i64;
        }
        if f.fract() == 0.0 && (0.0..1.8446744073709552e19).contains(&f) {
            n.is_uint = true;
            n.uint64 = f as u64;
        }
    }
    if !n.is_int && !n.is_uint && !n.is_float {
        return Err(format!("illegal number syntax: {}", go_quote(text)));
    }
    Ok(n)
}

/// The node's complex value lives in `float64` (real) and the text; Go's
/// simplifyComplex makes a complex with zero imaginary part a float too.
fn simplify_complex(n: &mut NumberNode, re: f64, im: f64) {
    n.complex128 = (re, im);
    if im == 0.0 {
        n.float64 = re;
        n.is_float = true;
        if re.fract() == 0.0 && re.abs() < 9.2e18 {
            n.is_int = true;
            n.int64 = re as i64;
        }
        if re.fract() == 0.0 && (0.0..1.8e19).contains(&re) {
            n.is_uint = true;
            n.uint64 = re as u64;
        }
    }
}

/// strconv.UnquoteChar: one (possibly escaped) character of a quoted
/// literal, and the rest.
fn unquote_char(s: &str, quote: char) -> Option<(char, &str)> {
    let mut it = s.chars();
    let c = it.next()?;
    if c == quote && (quote == '\'' || quote == '"') {
        return None;
    }
    if c != '\\' {
        return Some((c, it.as_str()));
    }
    let e = it.next()?;
    let rest = it.as_str();
    let simple = match e {
        'a' => Some('\u{7}'),
        'b' => Some('\u{8}'),
        'f' => Some('\u{c}'),
        'n' => Some('\n'),
        'r' => Some('\r'),
        't' => Some('\t'),
        'v' => Some('\u{b}'),
        '\\' => Some('\\'),
        '\'' | '"' => {
            if e != quote {
                return None;
            }
            Some(e)
        }
        _ => None,
    };
    if let Some(c) = simple {
        return Some((c, rest));
    }
    let (n, base) = match e {
        'x' => (2, 16),
        'u' => (4, 16),
        'U' => (8, 16),
        '0'..='7' => (2, 8),
        _ => return None,
    };
    let digits: String = if base == 8 {
        let d: String = rest.chars().take(2).collect();
        format!("{e}{d}")
    } else {
        rest.chars().take(n).collect()
    };
    let want = if base == 8 { 3 } else { n };
    if digits.len() != want {
        return None;
    }
    let v = u32::from_str_radix(&digits, base).ok()?;
    let rest = &rest[if base == 8 { 2 } else { n }..];
    if base == 8 && v > 255 {
        return None;
    }
    let c = if e == 'x' || base == 8 {
        // A byte value; in a string this is a raw byte (only ASCII round-trips here).
        char::from_u32(v)?
    } else {
        char::from_u32(v)?
    };
    Some((c, rest))
}

/// strconv.Unquote for `"…"` and `` `…` `` literals.
pub fn unquote(s: &str) -> Result<Cow<'_, str>, String> {
    let bad = || "invalid syntax".to_string();
    if let Some(inner) = s.strip_prefix('`').and_then(|r| r.strip_suffix('`')) {
        if s.len() < 2 || inner.contains('`') {
            return Err(bad());
        }
        if !inner.contains('\r') {
            return Ok(Cow::Borrowed(inner));
        }
        return Ok(Cow::Owned(inner.replace('\r', "")));
    }
    let inner = s
        .strip_prefix('"')
        .and_then(|r| r.strip_suffix('"'))
        .filter(|_| s.len() >= 2)
        .ok_or_else(bad)?;
    if inner.contains('\n') {
        return Err(bad());
    }
    // Most literals in charts have no escapes (and no stray quote, which is
    // an error below): take them as they are.
    if !inner.bytes().any(|b| b == b'\\' || b == b'"') {
        return Ok(Cow::Borrowed(inner));
    }
    let mut out = String::with_capacity(inner.len());
    let mut rest = inner;
    while !rest.is_empty() {
        let (c, r) = unquote_char(rest, '"').ok_or_else(bad)?;
        out.push(c);
        rest = r;
    }
    Ok(Cow::Owned(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn known(name: &str) -> bool {
        matches!(
            name,
            "printf" | "len" | "index" | "and" | "or" | "not" | "eq"
        )
    }

    fn round_trip(src: &str) -> String {
        let trees = parse("t", src, &known, false).unwrap();
        trees
            .iter()
            .find(|t| t.name == "t")
            .unwrap()
            .root
            .to_string()
    }

    #[test]
    fn trees_print_back() {
        for (src, want) in [
            ("some text", "some text"),
            ("{{.X.Y}}", "{{.X.Y}}"),
            ("{{$x := .A}}{{$x.B}}", "{{$x := .A}}{{$x.B}}"),
            ("{{printf \"%d\" (len .)}}", "{{printf \"%d\" (len .)}}"),
            (
                "{{if .A}}a{{else if .B}}b{{else}}c{{end}}",
                "{{if .A}}a{{else}}{{if .B}}b{{else}}c{{end}}{{end}}",
            ),
            (
                "{{range $i, $e := .}}{{$i}}{{break}}{{end}}",
                "{{range $i, $e := .}}{{$i}}{{break}}{{end}}",
            ),
            (
                "{{with .A}}x{{else with .B}}y{{end}}",
                "{{with .A}}x{{else}}{{with .B}}y{{end}}{{end}}",
            ),
            ("{{template `x` .}}", "{{template \"x\" .}}"),
            ("{{(.A).B | printf}}", "{{(.A).B | printf}}"),
            ("  {{- 3 -}}  ", "{{3}}"),
            ("{{0x1F}} {{'a'}} {{1e3}}", "{{0x1F}} {{'a'}} {{1e3}}"),
            ("{{$x := 1}}{{$x = 2}}{{$x}}", "{{$x := 1}}{{$x = 2}}{{$x}}"),
            (
                "{{range .SI}}{{.}}{{else}}none{{end}}",
                "{{range .SI}}{{.}}{{else}}none{{end}}",
            ),
            (
                "{{range $i := 3}}{{continue}}{{end}}",
                "{{range $i := 3}}{{continue}}{{end}}",
            ),
            (
                "{{$.A.B}} {{(printf \"x\").Len}}",
                "{{$.A.B}} {{(printf \"x\").Len}}",
            ),
            (
                "{{with $x := .}}{{$x}}{{end}}",
                "{{with $x := .}}{{$x}}{{end}}",
            ),
            ("{{nil}} {{true}} {{`raw`}}", "{{nil}} {{true}} {{`raw`}}"),
            ("{{/* c */}}x", "x"),
            ("{{.A|.B}}", "{{.A | .B}}"),
            ("{{$v := .A|.B}}", "{{$v := .A | .B}}"),
            (
                "{{.F (.G .H) (.I | .J .K) (.L)}}",
                "{{.F (.G .H) (.I | .J .K) (.L)}}",
            ),
            ("{{(.G .H).Name}}", "{{(.G .H).Name}}"),
            (
                "{{with .A}}1{{else with .B}}2{{else with .C}}3{{end}}",
                "{{with .A}}1{{else}}{{with .B}}2{{else}}{{with .C}}3{{end}}{{end}}{{end}}",
            ),
            (
                "{{range .L 2 -1.5i false 'z' nil}}{{end}}",
                "{{range .L 2 -1.5i false 'z' nil}}{{end}}",
            ),
            ("a \r\n\t{{- 7}}", "a{{7}}"),
            ("{{7 -}}\n\n\tb", "{{7}}b"),
            ("a\n{{-   7    -}}\nb", "a{{7}}b"),
            ("a \n{{- /* c */ -}}\n b", "ab"),
            ("{{ $v \n := \n 2 \n }}", "{{$v := 2}}"),
            ("{{\n`s`\n|\nprintf\n}}", "{{`s` | printf}}"),
            ("{{-\n/*\nc\n*/\n-}}", ""),
            (
                "{{range .L}}{{ break }}{{ continue }}{{end}}",
                "{{range .L}}{{break}}{{continue}}{{end}}",
            ),
            ("{{$v := 1}}{{$v +1}}", "{{$v := 1}}{{$v +1}}"),
            ("{{range $v = 5}}{{end}}", "{{range $v = 5}}{{end}}"),
            ("{{block \"b\" .}}x{{end}}", "{{template \"b\" .}}"),
            ("{{(((2)))}}", "{{(((2)))}}"),
        ] {
            assert_eq!(round_trip(src), want, "{src}");
        }
    }

    #[test]
    fn break_is_a_function_when_defined() {
        let with_break = |n: &str| n == "break";
        let trees = parse("t", "{{range .}}{{break 2}}{{end}}", &with_break, false).unwrap();
        assert_eq!(trees[0].root.to_string(), "{{range .}}{{break 2}}{{end}}");
        assert!(parse("t", "{{range .}}{{break 2}}{{end}}", &known, false).is_err());
    }

    #[test]
    fn defines_become_trees() {
        let trees = parse(
            "main",
            "{{define \"a\"}}A{{end}}x{{block \"b\" .}}B{{end}}",
            &known,
            false,
        )
        .unwrap();
        let names: Vec<_> = trees.iter().map(|t| t.name.as_str()).collect();
        assert_eq!(names, vec!["a", "b", "main"]);
    }

    #[test]
    fn errors_match_go() {
        for (src, want) in [
            ("{{end}}", "template: t:1: unexpected {{end}}"),
            ("{{if .X}}", "template: t:1: unexpected EOF"),
            (
                "\n{{nosuch 1}}",
                "template: t:2: function \"nosuch\" not defined",
            ),
            ("{{$x}}", "template: t:1: undefined variable \"$x\""),
            ("{{break}}", "template: t:1: {{break}} outside {{range}}"),
            (
                "{{range .}}{{else if .}}{{end}}",
                "template: t:1: unexpected <if> in input",
            ),
            (
                "{{.X | 3}}",
                "template: t:1: non executable command in pipeline stage 2",
            ),
            (
                "{{\"x\".X}}",
                "template: t:1: unexpected . after term \"\\\"x\\\"\"",
            ),
            (
                "{{define \"a\"}}a{{end}}{{define \"a\"}}b{{end}}",
                "template: t:1: template: multiple definition of template \"a\"",
            ),
            (
                "{{99999999999999999999}}",
                "template: t:1: integer overflow: \"99999999999999999999\"",
            ),
            ("{{if}}", "template: t:1: missing value for if"),
            ("{{.X", "template: t:1: unclosed action"),
            ("{{range}}{{end}}", "template: t:1: missing value for range"),
            (
                "{{with $x := 4}}{{end}}{{$x}}",
                "template: t:1: undefined variable \"$x\"",
            ),
            (
                "{{$v := 1}}{{template $v}}",
                "template: t:1: unexpected \"$v\" in template clause",
            ),
            (
                "{{printf \"%d\" ( ) }}",
                "template: t:1: missing value for parenthesized pipeline",
            ),
            (
                "{{true.any}}",
                "template: t:1: unexpected . after term \"true\"",
            ),
            ("{{else}}", "template: t:1: unexpected {{else}}"),
            (
                "{{range $i, $x, $y := .}}{{end}}",
                "template: t:1: too many declarations in range",
            ),
            (
                "{{with $x, $y := .}}{{end}}",
                "template: t:1: too many declarations in with",
            ),
            (
                "{{range $i, 3 := .}}{{end}}",
                "template: t:1: range can only initialize variables",
            ),
            (
                "a\n{{\"x\n\"}}",
                "template: t:2: unterminated quoted string",
            ),
            (
                "{{.X\n\n\"y}}",
                "template: t:3: unterminated quoted string in action started at t:1",
            ),
            ("{{3k}}", "template: t:1: bad number syntax: \"3k\""),
            (
                "{{$v := .}}{{$v!1}}",
                "template: t:1: bad character U+0021 '!'",
            ),
            (
                "{{printf 1`a`}}",
                "template: t:1: unexpected \"`a`\" in operand",
            ),
            (
                "{{printf `a`.}}",
                "template: t:1: unexpected <.> in operand",
            ),
            ("{{..A}}", "template: t:1: unexpected . after term \".\""),
            (
                "{{5|.}}",
                "template: t:1: non executable command in pipeline stage 2",
            ),
            (
                "{{block \"b\"}}x{{end}}",
                "template: t:1: missing value for block clause",
            ),
            (
                "{{range .}}{{else}}{{continue}}{{end}}",
                "template: t:1: {{continue}} outside {{range}}",
            ),
            ("{{1.E}}", "template: t:1: illegal number syntax: \"1.E\""),
            (
                "{{with $v.X := 1}}{{end}}",
                "template: t:1: undefined variable \"$v\"",
            ),
            (
                "{{/* x */ .X}}",
                "template: t:1: comment ends before closing delimiter",
            ),
            (
                "{{if .X}}{{else}}{{else}}{{end}}",
                "template: t:1: expected end; found {{else}}",
            ),
            (
                "{{define \"a\" 3}}{{end}}",
                "template: t:1: unexpected \"3\" in define clause",
            ),
        ] {
            let err = parse("t", src, &known, false).unwrap_err();
            assert_eq!(err.message, want, "{src}");
        }
    }

    #[test]
    fn numbers() {
        let n = new_number(0, "0x1_F", ItemType::Number).unwrap();
        assert!(n.is_int && n.int64 == 31);
        let n = new_number(0, "+0x1.ep+2", ItemType::Number).unwrap();
        assert!(n.is_float && n.float64 == 7.5 && !n.is_int);
        let n = new_number(0, "0377", ItemType::Number).unwrap();
        assert_eq!(n.int64, 255);
        let n = new_number(0, "'\\n'", ItemType::CharConstant).unwrap();
        assert_eq!(n.int64, 10);
        let n = new_number(0, "1.5i", ItemType::Number).unwrap();
        assert!(n.is_complex && !n.is_float);
        assert_eq!(n.complex128, (0.0, 1.5));
        let n = new_number(0, "1+2i", ItemType::Complex).unwrap();
        assert_eq!(n.complex128, (1.0, 2.0));
        assert!(new_number(0, "1__2", ItemType::Number).is_err());
    }
}
