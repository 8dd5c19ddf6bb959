//! The executor (Go's `exec.go`): walks a parse tree with a small [`State`]
//! holding the variable stack, evaluating pipelines against [`GoValue`]s
//! and writing text to the output.
//!
//! Errors carry Go's text: `template: NAME:LINE:COL: executing "NAME" at
//! <NODE>: MESSAGE`.

use std::fmt::Write as _;
use std::sync::Arc;

use super::format::FmtArg;
use super::funcs::{Function, ParamType};
use super::node::*;
use super::template::{MissingKey, Template};
use super::value::GoValue;

/// Go's `maxExecDepth`: nested `{{template}}` calls allowed.
pub const MAX_EXEC_DEPTH: usize = 100_000;

/// An execution failure with Go's message.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{message}")]
pub struct ExecError {
    /// The full message, as Go's `ExecError.Error()` prints it.
    pub message: String,
    /// The template's parse name (file).
    pub name: String,
    /// 1-based line (0 when unknown).
    pub line: usize,
    /// 0-based byte column as Go reports it.
    pub col: usize,
}

/// What a function body can reach of the running execution (see the
/// extension point in [`funcs`](super::funcs)).
pub struct FuncCtx<'a> {
    tmpl: &'a Template,
    depth: usize,
}

impl FuncCtx<'_> {
    /// The template set being executed.
    pub fn template(&self) -> &Template {
        self.tmpl
    }

    /// Current `{{template}}` nesting depth.
    pub fn depth(&self) -> usize {
        self.depth
    }

    /// Executes the named template of the set with `dot` and returns its
    /// output (Helm's `include`). Nesting counts towards the depth limit.
    pub fn execute_template(&self, name: &str, dot: &GoValue) -> Result<String, ExecError> {
        let mut out = String::new();
        self.tmpl
            .execute_at_depth(&mut out, name, dot, self.depth + 1)?;
        Ok(out)
    }
}

enum Flow {
    Normal,
    Break,
    Continue,
}

/// Where an error happened, for `at <…>`.
#[derive(Clone, Copy)]
enum At<'a> {
    Node(&'a Node),
    Cmd(&'a CommandNode),
    Pipe(&'a PipeNode),
    Var(&'a VariableNode),
    Field(&'a FieldNode, Pos),
}

impl At<'_> {
    fn pos(&self) -> Pos {
        match self {
            At::Node(n) => n.pos(),
            At::Cmd(c) => c.pos,
            At::Pipe(p) => p.pos,
            At::Var(v) => v.pos,
            At::Field(_, p) => *p,
        }
    }
    fn text(&self) -> String {
        match self {
            At::Node(n) => match n {
                Node::Pipe(p) => p.to_string(),
                n => n.to_string(),
            },
            At::Cmd(c) => c.to_string(),
            At::Pipe(p) => p.to_string(),
            At::Var(v) => v.to_string(),
            At::Field(f, _) => format!(".{}", &*f.ident),
        }
    }
}

type R<T> = Result<T, ExecError>;

/// The executor state: the template set, the template being run, the
/// variable stack and the `{{template}}` depth.
pub struct State<'a> {
    tmpl: &'a Template,
    tree: &'a Tree,
    /// Variables: name, value, and whether the value is held in an
    /// `interface {}` (a slice or map element), which Go names in errors.
    vars: Vec<(&'a str, GoValue, bool)>,
    depth: usize,
    /// Whether dot is an `interface {}`-typed element (inside range).
    dot_iface: bool,
}

/// Runs `tree` (a tree of `tmpl`) with `dot`, appending to `out`.
pub(crate) fn execute_tree(
    tmpl: &Template,
    tree: &Tree,
    out: &mut String,
    dot: &GoValue,
    depth: usize,
) -> R<()> {
    let mut s = State {
        tmpl,
        tree,
        vars: vec![("$", dot.clone(), false)],
        depth,
        dot_iface: false,
    };
    s.walk_list(dot, &tree.root, out).map(|_| ())
}

fn is_hex_int(s: &str) -> bool {
    s.len() > 2
        && s.starts_with('0')
        && matches!(s.as_bytes()[1], b'x' | b'X')
        && !s.contains(['p', 'P'])
}

impl<'a> State<'a> {
    fn errorf(&self, at: At<'_>, msg: impl std::fmt::Display) -> ExecError {
        let (line, col) = self.tree.line_col(at.pos());
        // Go 1.25 (Helm v4.1.4's toolchain) prints the whole node, untruncated.
        let ctx = at.text();
        ExecError {
            message: format!(
                "template: {}:{}:{}: executing {} at <{}>: {}",
                self.tree.parse_name,
                line,
                col,
                go_quote(&self.tree.name),
                ctx,
                msg
            ),
            name: self.tree.parse_name.clone(),
            line,
            col,
        }
    }

    fn walk_list(&mut self, dot: &GoValue, list: &'a ListNode, out: &mut String) -> R<Flow> {
        for n in &list.nodes {
            match self.walk(dot, n, out)? {
                Flow::Normal => {}
                other => return Ok(other),
            }
        }
        Ok(Flow::Normal)
    }

    fn walk(&mut self, dot: &GoValue, node: &'a Node, out: &mut String) -> R<Flow> {
        match node {
            Node::Text(t) => out.push_str(&t.text),
            Node::Action(a) => {
                // Fast path: `{{.A.B}}` / `{{$x.A}}` through maps.
                if a.pipe.decl.is_empty()
                    && let Some(v) = self.fast_lookup(dot, &a.pipe)
                    && !matches!(v, GoValue::Nil)
                {
                    self.print_value(At::Node(node), &v, out)?;
                    return Ok(Flow::Normal);
                }
                let v = self.eval_pipeline(dot, &a.pipe)?;
                if a.pipe.decl.is_empty() {
                    self.print_value(At::Node(node), &v, out)?;
                }
            }
            Node::Comment(_) => {}
            Node::Break(_) => return Ok(Flow::Break),
            Node::Continue(_) => return Ok(Flow::Continue),
            Node::If(b) | Node::With(b) => {
                let mark = self.vars.len();
                let r = self.walk_if_or_with(dot, b, matches!(node, Node::With(_)), out);
                self.vars.truncate(mark);
                return r;
            }
            Node::Range(b) => {
                let mark = self.vars.len();
                let r = self.walk_range(dot, b, out);
                self.vars.truncate(mark);
                return r;
            }
            Node::Template(t) => self.walk_template(dot, node, t, out)?,
            other => return Err(self.errorf(At::Node(other), format!("unknown node: {other}"))),
        }
        Ok(Flow::Normal)
    }

    fn walk_if_or_with(
        &mut self,
        dot: &GoValue,
        b: &'a BranchNode,
        with: bool,
        out: &mut String,
    ) -> R<Flow> {
        let val = self.eval_pipeline(dot, &b.pipe)?;
        if val.is_true() {
            if with {
                let saved = std::mem::replace(&mut self.dot_iface, false);
                let r = self.walk_list(&val, &b.list, out);
                self.dot_iface = saved;
                r
            } else {
                self.walk_list(dot, &b.list, out)
            }
        } else if let Some(e) = &b.else_list {
            self.walk_list(dot, e, out)
        } else {
            Ok(Flow::Normal)
        }
    }

    fn walk_range(&mut self, dot: &GoValue, r: &'a BranchNode, out: &mut String) -> R<Flow> {
        // Host objects that are Go maps or slices (`.Files`) range as such.
        let val = self.eval_pipeline(dot, &r.pipe)?.host_underlying();
        let mark = self.vars.len();
        let decl = &r.pipe.decl;
        // One iteration; returns false on {{break}}.
        // Elements of []interface {} and map[string]interface {} are
        // interface-typed in Go (errors name them `interface {}`).
        let elem_iface = match &val {
            GoValue::List(l) => l.elem == super::value::ELEM_ANY,
            GoValue::Map(m) => m.map_type().elem == super::value::ELEM_ANY,
            _ => false,
        };
        let saved_dot_iface = self.dot_iface;
        let one = |s: &mut State<'a>, index: GoValue, elem: GoValue, out: &mut String| -> R<bool> {
            if !decl.is_empty() {
                if r.pipe.is_assign {
                    let v = if decl.len() > 1 {
                        index.clone()
                    } else {
                        elem.clone()
                    };
                    s.set_var(At::Var(&decl[0]), decl[0].name(), v)?;
                    if decl.len() == 1 {
                        s.mark_iface(decl[0].name(), elem_iface);
                    }
                } else {
                    s.set_top_var(1, elem.clone(), elem_iface);
                }
            }
            if decl.len() > 1 {
                if r.pipe.is_assign {
                    s.set_var(At::Var(&decl[1]), decl[1].name(), elem.clone())?;
                    s.mark_iface(decl[1].name(), elem_iface);
                } else {
                    s.set_top_var(2, index, false);
                }
            }
            s.dot_iface = elem_iface;
            let flow = s.walk_list(&elem, &r.list, out);
            s.dot_iface = saved_dot_iface;
            s.vars.truncate(mark);
            Ok(!matches!(flow?, Flow::Break))
        };
        let ran = match &val {
            GoValue::List(l) if !l.items.is_empty() => {
                for (i, e) in l.items.iter().enumerate() {
                    if !one(self, GoValue::Int(i as i64), e.clone(), out)? {
                        break;
                    }
                }
                true
            }
            GoValue::Bytes(b) if !b.is_empty() => {
                for (i, e) in b.iter().enumerate() {
                    if !one(
                        self,
                        GoValue::Int(i as i64),
                        GoValue::Uint64(*e as u64),
                        out,
                    )? {
                        break;
                    }
                }
                true
            }
            GoValue::Map(m) if !m.is_empty() => {
                // Go's range sorts a snapshot of the entries first
                // (fmtsort.Sort), so the body may change the map.
                for (k, v) in m.entries() {
                    if !one(self, GoValue::from(k), v, out)? {
                        break;
                    }
                }
                true
            }
            GoValue::List(_)
            | GoValue::Bytes(_)
            | GoValue::Map(_)
            | GoValue::Missing
            | GoValue::Nil => false,
            GoValue::Int(_) | GoValue::Int64(_) | GoValue::Uint64(_) => {
                if decl.len() > 1 {
                    return Err(self.errorf(
                        last_at(&r.pipe),
                        format!(
                            "can't use {} to iterate over more than one variable",
                            super::format::sprint(&[&val as &dyn FmtArg])
                        ),
                    ));
                }
                let n: u64 = match val {
                    GoValue::Int(i) | GoValue::Int64(i) => i.max(0) as u64,
                    GoValue::Uint64(u) => u,
                    _ => 0,
                };
                for i in 0..n {
                    let v = match val {
                        GoValue::Int64(_) => GoValue::Int64(i as i64),
                        GoValue::Uint64(_) => GoValue::Uint64(i),
                        _ => GoValue::Int(i as i64),
                    };
                    if !one(self, v.clone(), v, out)? {
                        break;
                    }
                }
                n > 0
            }
            other => {
                return Err(self.errorf(
                    last_at(&r.pipe),
                    format!(
                        "range can't iterate over {}",
                        super::format::sprint(&[other as &dyn FmtArg])
                    ),
                ));
            }
        };
        if !ran && let Some(e) = &r.else_list {
            return self.walk_list(dot, e, out);
        }
        Ok(Flow::Normal)
    }

    fn walk_template(
        &mut self,
        dot: &GoValue,
        node: &'a Node,
        t: &'a TemplateNode,
        out: &mut String,
    ) -> R<()> {
        let Some(tree) = self.tmpl.lookup(&t.name) else {
            return Err(self.errorf(
                At::Node(node),
                format!("template {} not defined", go_quote(&t.name)),
            ));
        };
        if self.depth >= self.tmpl.max_depth() {
            return Err(self.errorf(
                At::Node(node),
                format!(
                    "exceeded maximum template depth ({})",
                    self.tmpl.max_depth()
                ),
            ));
        }
        let new_dot = match &t.pipe {
            Some(p) => self.eval_pipeline(dot, p)?,
            None => GoValue::Missing,
        };
        execute_tree(self.tmpl, tree, out, &new_dot, self.depth + 1)
    }

    fn print_value(&self, at: At<'_>, v: &GoValue, out: &mut String) -> R<()> {
        match v {
            GoValue::Missing => out.push_str("<no value>"),
            GoValue::String(s) => out.push_str(s),
            GoValue::Int(i) | GoValue::Int64(i) => {
                let _ = write!(out, "{i}");
            }
            GoValue::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            GoValue::Object(o) if o.string().is_none() && o.addressable_string().is_some() => {
                out.push_str(&o.addressable_string().unwrap_or_default());
            }
            GoValue::Func(f) => {
                return Err(self.errorf(
                    at,
                    format!("can't print {} of type {}", at.text(), f.type_name()),
                ));
            }
            other => {
                // Go's fmt would recurse until the goroutine stack overflows
                // on a map stored into itself (`set $d "x" $d`); fail instead.
                if other.check_cycles().is_err() {
                    return Err(self.errorf(
                        at,
                        format!(
                            "can't print {}: the value contains itself (a cycle of maps)",
                            at.text()
                        ),
                    ));
                }
                super::format::fprint(out, &[other as &dyn FmtArg])
            }
        }
        Ok(())
    }

    fn set_var(&mut self, at: At<'_>, name: &str, v: GoValue) -> R<()> {
        for (n, val, iface) in self.vars.iter_mut().rev() {
            if *n == name {
                *val = v;
                *iface = false;
                return Ok(());
            }
        }
        Err(self.errorf(at, format!("undefined variable: {name}")))
    }

    /// Records that the innermost variable `name` holds an interface-typed element.
    fn mark_iface(&mut self, name: &str, iface: bool) {
        if let Some(var) = self.vars.iter_mut().rev().find(|(n, _, _)| *n == name) {
            var.2 = iface;
        }
    }

    fn set_top_var(&mut self, n: usize, v: GoValue, iface: bool) {
        let len = self.vars.len();
        if n <= len {
            self.vars[len - n].1 = v;
            self.vars[len - n].2 = iface;
        }
    }

    fn var_value(&self, at: At<'_>, name: &str) -> R<(GoValue, bool)> {
        for (n, val, iface) in self.vars.iter().rev() {
            if *n == name {
                return Ok((val.clone(), *iface));
            }
        }
        Err(self.errorf(at, format!("undefined variable: {name}")))
    }

    /// Resolves a pipeline that is a lone field or variable chain through
    /// maps without the general evaluation machinery; `None` when the
    /// general path is needed (objects, missing keys, errors, arguments).
    fn fast_lookup(&self, dot: &GoValue, pipe: &PipeNode) -> Option<GoValue> {
        let [cmd] = &*pipe.cmds else {
            return None;
        };
        let [arg] = &*cmd.args else {
            return None;
        };
        let (v, fields): (&GoValue, &str) = match arg {
            Node::Field(f) => (dot, &f.ident),
            Node::Variable(var) => {
                let name = var.name();
                let (_, v, _) = self.vars.iter().rev().find(|(n, _, _)| *n == name)?;
                (v, var.fields())
            }
            Node::Dot(_) => (dot, ""),
            _ => return None,
        };
        let mut owned: Option<GoValue> = None;
        for f in field_names(fields) {
            let next = match owned.as_ref().unwrap_or(v) {
                GoValue::Map(m) => m.get(f)?,
                _ => return None,
            };
            owned = Some(next);
        }
        Some(owned.unwrap_or_else(|| v.clone()))
    }

    fn eval_pipeline(&mut self, dot: &GoValue, pipe: &'a PipeNode) -> R<GoValue> {
        if let Some(v) = self.fast_lookup(dot, pipe) {
            let v = if matches!(v, GoValue::Nil) {
                GoValue::Missing
            } else {
                v
            };
            for var in &pipe.decl {
                if pipe.is_assign {
                    self.set_var(At::Var(var), var.name(), v.clone())?;
                } else {
                    self.vars.push((var.name(), v.clone(), false));
                }
            }
            return Ok(v);
        }
        let mut value: Option<GoValue> = None;
        for cmd in &pipe.cmds {
            let mut v = self.eval_command(dot, cmd, value.take())?;
            // Go unwraps interface{} results: a nil interface becomes "no value".
            if matches!(v, GoValue::Nil) {
                v = GoValue::Missing;
            }
            value = Some(v);
        }
        let value = value.unwrap_or_default();
        for var in &pipe.decl {
            if pipe.is_assign {
                self.set_var(At::Var(var), var.name(), value.clone())?;
            } else {
                self.vars.push((var.name(), value.clone(), false));
            }
        }
        Ok(value)
    }

    fn not_a_function(&self, at: At<'_>, args: &[Node], has_final: bool) -> R<()> {
        if args.len() > 1 || has_final {
            return Err(self.errorf(
                at,
                format!("can't give argument to non-function {}", args[0]),
            ));
        }
        Ok(())
    }

    fn eval_command(
        &mut self,
        dot: &GoValue,
        cmd: &'a CommandNode,
        fin: Option<GoValue>,
    ) -> R<GoValue> {
        let Some(first) = cmd.args.first() else {
            return Err(self.errorf(At::Cmd(cmd), "empty command"));
        };
        match first {
            Node::Field(f) => {
                return self.eval_field_chain(
                    dot,
                    (dot.clone(), self.dot_iface),
                    At::Field(f, f.pos),
                    &f.ident,
                    &cmd.args[1..],
                    fin,
                );
            }
            Node::Chain(c) => return self.eval_chain(dot, c, &cmd.args[1..], fin),
            Node::Identifier(id) => {
                return self.eval_function(dot, id, At::Cmd(cmd), &cmd.args[1..], fin);
            }
            Node::Pipe(p) => {
                self.not_a_function(At::Node(first), &cmd.args, fin.is_some())?;
                return self.eval_pipeline(dot, p);
            }
            Node::Variable(v) => return self.eval_variable(dot, v, &cmd.args[1..], fin),
            _ => {}
        }
        self.not_a_function(At::Node(first), &cmd.args, fin.is_some())?;
        match first {
            Node::Bool(b) => Ok(GoValue::Bool(b.value)),
            Node::Dot(_) => Ok(dot.clone()),
            Node::Nil(_) => Err(self.errorf(At::Node(first), "nil is not a command")),
            Node::Number(n) => self.ideal_constant(At::Node(first), n),
            Node::String(s) => Ok(GoValue::String(s.text.clone())),
            other => Err(self.errorf(
                At::Node(other),
                format!("can't evaluate command {}", go_quote(&other.to_string())),
            )),
        }
    }

    fn ideal_constant(&self, at: At<'_>, n: &NumberNode) -> R<GoValue> {
        if n.is_complex {
            return Ok(GoValue::Complex(n.complex128.0, n.complex128.1));
        }
        if n.is_float
            && !is_hex_int(&n.text)
            && !n.text.starts_with('\'')
            && n.text.contains(['.', 'e', 'E', 'p', 'P'])
        {
            return Ok(GoValue::Float(n.float64));
        }
        if n.is_int {
            return Ok(GoValue::Int(n.int64));
        }
        if n.is_uint {
            return Err(self.errorf(at, format!("{} overflows int", n.text)));
        }
        Ok(GoValue::Missing)
    }

    fn eval_chain(
        &mut self,
        dot: &GoValue,
        c: &'a ChainNode,
        args: &'a [Node],
        fin: Option<GoValue>,
    ) -> R<GoValue> {
        if matches!(*c.node, Node::Nil(_)) {
            return Err(self.errorf(
                At::Node(&c.node),
                format!(
                    "indirection through explicit nil in {}",
                    Node::Chain(c.clone())
                ),
            ));
        }
        // Go evaluates the operand with no target type: a missing value
        // stays missing and a nil interface stays nil.
        let recv = match c.node.as_ref() {
            Node::Pipe(p) => self.eval_pipeline(dot, p)?,
            Node::Identifier(id) => self.eval_function(dot, id, At::Node(&c.node), &[], None)?,
            other => self.eval_arg(dot, ParamType::Value, other)?,
        };
        self.eval_field_chain(dot, (recv, false), At::Node(&c.node), &c.field, args, fin)
    }

    fn eval_variable(
        &mut self,
        dot: &GoValue,
        v: &'a VariableNode,
        args: &'a [Node],
        fin: Option<GoValue>,
    ) -> R<GoValue> {
        let (value, iface) = self.var_value(At::Var(v), v.name())?;
        if v.fields().is_empty() {
            if !args.is_empty() || fin.is_some() {
                return Err(self.errorf(
                    At::Var(v),
                    format!("can't give argument to non-function {v}"),
                ));
            }
            return Ok(value);
        }
        self.eval_field_chain(dot, (value, iface), At::Var(v), v.fields(), args, fin)
    }

    fn eval_field_chain(
        &mut self,
        dot: &GoValue,
        (mut recv, mut iface): (GoValue, bool),
        at: At<'a>,
        path: &'a str,
        args: &'a [Node],
        fin: Option<GoValue>,
    ) -> R<GoValue> {
        if path.is_empty() {
            return Ok(recv);
        }
        let (init, last) = match path.bytes().rposition(|b| b == b'.') {
            Some(i) => (&path[..i], &path[i + 1..]),
            None => ("", path),
        };
        for name in field_names(init) {
            let from_map = matches!(recv, GoValue::Map(_));
            recv = self.eval_field(dot, name, at, &[], None, (&recv, iface))?;
            iface = from_map;
        }
        self.eval_field(dot, last, at, args, fin, (&recv, iface))
    }

    fn eval_field(
        &mut self,
        dot: &GoValue,
        name: &str,
        at: At<'a>,
        args: &'a [Node],
        fin: Option<GoValue>,
        (recv, recv_iface): (&GoValue, bool),
    ) -> R<GoValue> {
        let has_args = !args.is_empty() || fin.is_some();
        // Go names the receiver's static type: `interface {}` for elements.
        let type_name = |v: &GoValue| {
            if recv_iface {
                "interface {}".to_string()
            } else {
                v.type_name()
            }
        };
        match recv {
            GoValue::Missing => {
                if self.tmpl.missing_key() == MissingKey::Error {
                    return Err(
                        self.errorf(at, format!("nil data; no entry for key {}", go_quote(name)))
                    );
                }
                Ok(GoValue::Missing)
            }
            GoValue::Nil => {
                Err(self.errorf(at, format!("nil pointer evaluating interface {{}}.{name}")))
            }
            GoValue::Object(o) => {
                if let Some(m) = o.method(name) {
                    return self.eval_call(dot, &m, name, at, args, fin);
                }
                if let Some(v) = o.field(name) {
                    if has_args {
                        return Err(self.errorf(
                            at,
                            format!("{name} has arguments but cannot be invoked as function"),
                        ));
                    }
                    return Ok(v);
                }
                if o.is_nil() {
                    return Err(self.errorf(
                        at,
                        format!("nil pointer evaluating {}.{name}", o.type_name()),
                    ));
                }
                Err(self.errorf(
                    at,
                    format!("can't evaluate field {name} in type {}", type_name(recv)),
                ))
            }
            GoValue::Map(m) => {
                if has_args {
                    return Err(
                        self.errorf(at, format!("{name} is not a method but has arguments"))
                    );
                }
                match m.get(name) {
                    Some(v) => Ok(v),
                    None => match self.tmpl.missing_key() {
                        MissingKey::Default => Ok(GoValue::Missing),
                        MissingKey::Zero => Ok(GoValue::Nil),
                        MissingKey::Error => {
                            Err(self
                                .errorf(at, format!("map has no entry for key {}", go_quote(name))))
                        }
                    },
                }
            }
            other => Err(self.errorf(
                at,
                format!("can't evaluate field {name} in type {}", type_name(other)),
            )),
        }
    }

    fn eval_function(
        &mut self,
        dot: &GoValue,
        id: &'a IdentifierNode,
        at: At<'a>,
        args: &'a [Node],
        fin: Option<GoValue>,
    ) -> R<GoValue> {
        // Borrowed from the template set, which outlives this state: no
        // reference count is touched (both threads of a side-by-side render
        // call the same functions).
        let tmpl: &'a Template = self.tmpl;
        let Some(func) = tmpl.func(&id.ident) else {
            return Err(self.errorf(
                at,
                format!("{} is not a defined function", go_quote(&id.ident)),
            ));
        };
        self.eval_call(dot, func, &id.ident, at, args, fin)
    }

    /// Go `evalCall`: checks arity and argument types, then calls.
    fn eval_call(
        &mut self,
        dot: &GoValue,
        func: &Function,
        name: &str,
        at: At<'a>,
        args: &'a [Node],
        fin: Option<GoValue>,
    ) -> R<GoValue> {
        let num_in = args.len() + usize::from(fin.is_some());
        let nparams = func.params.len();
        if func.variadic.is_some() {
            if num_in < nparams {
                return Err(self.errorf(
                    at,
                    format!(
                        "wrong number of args for {name}: want at least {nparams} got {}",
                        args.len()
                    ),
                ));
            }
        } else if num_in != nparams {
            return Err(self.errorf(
                at,
                format!("wrong number of args for {name}: want {nparams} got {num_in}"),
            ));
        }
        if func.special && (name == "and" || name == "or") {
            let want = name == "or";
            let mut v = GoValue::Missing;
            for a in args {
                v = self.eval_arg(dot, ParamType::Value, a)?;
                if v.is_true() == want {
                    return Ok(v);
                }
            }
            if let Some(f) = fin {
                v = self.validate(at, f, ParamType::Value)?;
            }
            return Ok(v);
        }
        let mut argv = Vec::with_capacity(num_in);
        for (i, a) in args.iter().enumerate() {
            let t = func
                .params
                .get(i)
                .copied()
                .or(func.variadic)
                .unwrap_or(ParamType::Any);
            argv.push(self.eval_arg(dot, t, a)?);
        }
        if let Some(f) = fin {
            let t = if num_in - 1 < nparams {
                func.params[num_in - 1]
            } else {
                func.variadic.unwrap_or(ParamType::Any)
            };
            argv.push(self.validate(at, f, t)?);
        }
        let result = if func.special && name == "call" {
            // Go names the callee by its source text in call's own errors.
            let callee = args.first().map(|n| n.to_string()).unwrap_or_default();
            self.call_builtin(&callee, argv)
        } else {
            let mut ctx = FuncCtx {
                tmpl: self.tmpl,
                depth: self.depth,
            };
            (func.body)(&mut ctx, argv)
        };
        result.map_err(|e| self.errorf(at, format!("error calling {name}: {e}")))
    }

    /// The `call` builtin: the first argument must be a function value.
    fn call_builtin(&mut self, name: &str, mut argv: Vec<GoValue>) -> Result<GoValue, String> {
        let callee = argv.remove(0);
        let func: Arc<Function> = match callee {
            GoValue::Func(f) => f,
            GoValue::Nil | GoValue::Missing => return Err("call of nil".into()),
            other => {
                return Err(format!("non-function {name} of type {}", other.type_name()));
            }
        };
        let n = func.params.len();
        if func.variadic.is_some() {
            if argv.len() < n {
                return Err(format!(
                    "wrong number of args for {name}: got {} want at least {n}",
                    argv.len()
                ));
            }
        } else if argv.len() != n {
            return Err(format!(
                "wrong number of args for {name}: got {} want {n}",
                argv.len()
            ));
        }
        let mut checked = Vec::with_capacity(argv.len());
        for (i, v) in argv.into_iter().enumerate() {
            let t = func
                .params
                .get(i)
                .copied()
                .or(func.variadic)
                .unwrap_or(ParamType::Any);
            // Go: a nil argument becomes the zero value of a nilable parameter.
            let v = match (v, t) {
                (GoValue::Missing, ParamType::Any) => GoValue::Nil,
                (v, _) => v,
            };
            checked.push(prepare_call_arg(v, t).map_err(|e| format!("arg {i}: {e}"))?);
        }
        let mut ctx = FuncCtx {
            tmpl: self.tmpl,
            depth: self.depth,
        };
        (func.body)(&mut ctx, checked)
    }

    fn eval_arg(&mut self, dot: &GoValue, typ: ParamType, n: &'a Node) -> R<GoValue> {
        let at = At::Node(n);
        match n {
            Node::Dot(_) => return self.validate(at, dot.clone(), typ),
            Node::Nil(_) => {
                if typ == ParamType::Any {
                    return Ok(GoValue::Nil);
                }
                if typ == ParamType::Value {
                    return Ok(GoValue::Missing);
                }
                // Go's canBeNil: `nil` is the zero slice or map.
                match typ {
                    ParamType::List => return Ok(GoValue::list(Vec::new())),
                    ParamType::StringList => return Ok(GoValue::string_list(Vec::new())),
                    ParamType::Map => return Ok(GoValue::Nil),
                    _ => {}
                }
                return Err(self.errorf(at, format!("cannot assign nil to {}", typ.go_name())));
            }
            Node::Field(f) => {
                let v = self.eval_field_chain(
                    dot,
                    (dot.clone(), self.dot_iface),
                    At::Field(f, f.pos),
                    &f.ident,
                    &[],
                    None,
                )?;
                return self.validate(at, v, typ);
            }
            Node::Variable(v) => {
                let v = self.eval_variable(dot, v, &[], None)?;
                return self.validate(at, v, typ);
            }
            Node::Pipe(p) => {
                let v = self.eval_pipeline(dot, p)?;
                return self.validate(at, v, typ);
            }
            Node::Identifier(id) => {
                let v = self.eval_function(dot, id, at, &[], None)?;
                return self.validate(at, v, typ);
            }
            Node::Chain(c) => {
                let v = self.eval_chain(dot, c, &[], None)?;
                return self.validate(at, v, typ);
            }
            _ => {}
        }
        match typ {
            ParamType::Bool => match n {
                Node::Bool(b) => Ok(GoValue::Bool(b.value)),
                _ => Err(self.errorf(at, format!("expected bool; found {n}"))),
            },
            ParamType::Float64 => match n {
                Node::Number(x) if x.is_float => Ok(GoValue::Float(x.float64)),
                _ => Err(self.errorf(at, format!("expected float; found {n}"))),
            },
            ParamType::Int | ParamType::Int64 => match n {
                Node::Number(x) if x.is_int => Ok(if typ == ParamType::Int {
                    GoValue::Int(x.int64)
                } else {
                    GoValue::Int64(x.int64)
                }),
                _ => Err(self.errorf(at, format!("expected integer; found {n}"))),
            },
            ParamType::Uint64 => match n {
                Node::Number(x) if x.is_uint => Ok(GoValue::Uint64(x.uint64)),
                _ => Err(self.errorf(at, format!("expected unsigned integer; found {n}"))),
            },
            ParamType::String => match n {
                Node::String(s) => Ok(GoValue::String(s.text.clone())),
                _ => Err(self.errorf(at, format!("expected string; found {n}"))),
            },
            ParamType::List | ParamType::StringList | ParamType::Map => Err(self.errorf(
                at,
                format!("can't handle {n} for arg of type {}", typ.go_name()),
            )),
            ParamType::Any | ParamType::Value => match n {
                Node::Bool(b) => Ok(GoValue::Bool(b.value)),
                Node::Number(x) => self.ideal_constant(at, x),
                Node::String(s) => Ok(GoValue::String(s.text.clone())),
                other => Err(self.errorf(
                    at,
                    format!("can't handle {other} for arg of type {}", typ.go_name()),
                )),
            },
        }
    }

    /// Go `validateType`.
    fn validate(&self, at: At<'_>, v: GoValue, typ: ParamType) -> R<GoValue> {
        match &v {
            GoValue::Missing => {
                return match typ {
                    ParamType::Any => Ok(GoValue::Nil),
                    // Go's canBeNil: a missing value becomes the nil slice/map.
                    ParamType::List => Ok(GoValue::list(Vec::new())),
                    ParamType::StringList => Ok(GoValue::string_list(Vec::new())),
                    // A nil map stays nil (not a new empty map): Sprig's
                    // `set` must still fail on it as Go's map write does.
                    ParamType::Map => Ok(GoValue::Nil),
                    // Go's canBeNil admits reflect.Value: the builtin sees the invalid value.
                    ParamType::Value => Ok(GoValue::Missing),
                    _ => Err(self.errorf(at, format!("invalid value; expected {}", typ.go_name()))),
                };
            }
            GoValue::Nil if !matches!(typ, ParamType::Any | ParamType::Value) => {
                return Err(self.errorf(
                    at,
                    format!(
                        "wrong type for value; expected {}; got interface {{}}",
                        typ.go_name()
                    ),
                ));
            }
            _ => {}
        }
        prepare_arg(v, typ).map_err(|e| self.errorf(at, e))
    }
}

/// Go `prepareArg` (used by `call`): assignable values pass, integers
/// convert between integer types, anything else is an error.
fn prepare_call_arg(v: GoValue, typ: ParamType) -> Result<GoValue, String> {
    if v.is_nil() && !matches!(typ, ParamType::Any | ParamType::Value) {
        // Slices and maps can be nil: the body sees an empty one.
        match typ {
            ParamType::List => return Ok(GoValue::list(Vec::new())),
            ParamType::StringList => return Ok(GoValue::string_list(Vec::new())),
            ParamType::Map => return Ok(GoValue::Nil),
            _ => {}
        }
        return Err(format!("value is nil; should be of type {}", typ.go_name()));
    }
    match (&v, typ) {
        (GoValue::Int(i) | GoValue::Int64(i), ParamType::Int) => return Ok(GoValue::Int(*i)),
        (GoValue::Int(i) | GoValue::Int64(i), ParamType::Int64) => return Ok(GoValue::Int64(*i)),
        (GoValue::Int(i) | GoValue::Int64(i), ParamType::Uint64) => {
            return Ok(GoValue::Uint64(*i as u64));
        }
        (GoValue::Uint64(u), ParamType::Int) => return Ok(GoValue::Int(*u as i64)),
        (GoValue::Uint64(u), ParamType::Int64) => return Ok(GoValue::Int64(*u as i64)),
        _ => {}
    }
    let name = v.type_name();
    prepare_arg(v, typ).map_err(|_| format!("value has type {name}; should be {}", typ.go_name()))
}

/// Checks a value against a parameter type (no conversions, as Go's
/// reflection assignability).
fn prepare_arg(v: GoValue, typ: ParamType) -> Result<GoValue, String> {
    let ok = match typ {
        ParamType::Any | ParamType::Value => true,
        ParamType::String => matches!(v, GoValue::String(_)),
        ParamType::Int => matches!(v, GoValue::Int(_)),
        ParamType::Int64 => matches!(v, GoValue::Int64(_)),
        ParamType::Uint64 => matches!(v, GoValue::Uint64(_)),
        ParamType::Float64 => matches!(v, GoValue::Float(_)),
        ParamType::Bool => matches!(v, GoValue::Bool(_)),
        ParamType::List => matches!(&v, GoValue::List(l) if l.elem == super::value::ELEM_ANY),
        ParamType::StringList => {
            matches!(&v, GoValue::List(l) if l.elem == super::value::ELEM_STRING)
        }
        // A named type over `map[string]interface {}` (`common.Values`) is
        // assignable; `map[string]string` is not.
        ParamType::Map => {
            matches!(&v, GoValue::Map(m) if m.map_type().elem == super::value::ELEM_ANY)
        }
    };
    if ok {
        return Ok(v);
    }
    if v.is_nil() {
        return Err(format!("value is nil; should be of type {}", typ.go_name()));
    }
    Err(format!(
        "wrong type for value; expected {}; got {}",
        typ.go_name(),
        v.type_name()
    ))
}

/// The node Go's executor last marked while evaluating `pipe` (errors
/// raised after the pipeline, such as range's, point there).
fn last_at(pipe: &PipeNode) -> At<'_> {
    let Some(cmd) = pipe.cmds.last() else {
        return At::Pipe(pipe);
    };
    match cmd.args.first() {
        Some(Node::Field(f)) => At::Field(f, f.pos),
        Some(Node::Identifier(_)) => match cmd.args.last() {
            Some(last) if cmd.args.len() > 1 => At::Node(last),
            _ => At::Cmd(cmd),
        },
        Some(n) => At::Node(n),
        None => At::Pipe(pipe),
    }
}
