//! The public API (Go's `template.Template`): a set of named trees sharing
//! functions and options; parse once, execute many times.
//!
//! ```
//! use skiff::engine::gotmpl::{GoValue, Template};
//! let mut t = Template::new("main");
//! t.parse(r#"{{define "x"}}[{{.}}]{{end}}{{template "x" .}}"#).unwrap();
//! let mut out = String::new();
//! t.execute(&mut out, &GoValue::Int(3)).unwrap();
//! assert_eq!(out, "[3]");
//! ```

use crate::hashing::HashMap;
use std::sync::Arc;

use super::exec::{ExecError, MAX_EXEC_DEPTH, execute_tree};
use super::funcs::{FuncMap, Function, builtins};
use super::node::{Tree, go_quote};
use super::parse::{ParseError, is_empty_tree, parse};
use super::value::GoValue;

/// What a missing map key evaluates to (Go's `missingkey=` option).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum MissingKey {
    /// `missingkey=default` / `invalid`: "no value", printed `<no value>`.
    #[default]
    Default,
    /// `missingkey=zero`: the zero value of the map's element type (a nil
    /// interface for `map[string]interface {}`).
    Zero,
    /// `missingkey=error`: execution stops with an error.
    Error,
}

/// A template set. Cloning is cheap (trees and functions are shared), which
/// is how Helm's `tpl` adds text to a copy of the running set.
#[derive(Clone)]
pub struct Template {
    name: String,
    trees: HashMap<String, Arc<Tree>>,
    funcs: Arc<FuncMap>,
    missing_key: MissingKey,
    max_depth: usize,
}

impl Template {
    /// A new, empty set whose main template is `name`, with Go's builtins.
    pub fn new(name: &str) -> Template {
        Template {
            name: name.to_string(),
            trees: HashMap::default(),
            funcs: Arc::new(builtins()),
            missing_key: MissingKey::Default,
            max_depth: MAX_EXEC_DEPTH,
        }
    }

    /// Name of the main template.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The same set, executing `name` as its main template.
    pub fn with_name(&self, name: &str) -> Template {
        let mut t = self.clone();
        t.name = name.to_string();
        t
    }

    /// Adds (or replaces) functions. Must happen before [`parse`](Self::parse):
    /// the parser rejects unknown function names, like Go.
    pub fn funcs<I>(&mut self, funcs: I) -> &mut Template
    where
        I: IntoIterator<Item = (String, Function)>,
    {
        self.shared_funcs(funcs.into_iter().map(|(k, f)| (k, Arc::new(f))))
    }

    /// [`funcs`](Self::funcs) for functions already behind an `Arc` (a
    /// whole function map, as Helm's is): they are shared, not copied.
    pub fn shared_funcs<I>(&mut self, funcs: I) -> &mut Template
    where
        I: IntoIterator<Item = (String, Arc<Function>)>,
    {
        let funcs = funcs.into_iter();
        let m = Arc::make_mut(&mut self.funcs);
        m.reserve(funcs.size_hint().0);
        for (k, f) in funcs {
            m.insert(k, f);
        }
        self
    }

    /// Sets the `missingkey` option (Go `Option("missingkey=…")`).
    pub fn missing_key_option(&mut self, mode: MissingKey) -> &mut Template {
        self.missing_key = mode;
        self
    }

    /// Sets the `{{template}}` nesting limit (default Go's 100000). Deep
    /// nesting needs a deep native stack; callers running untrusted input
    /// on a small stack may lower it.
    pub fn max_depth_option(&mut self, depth: usize) -> &mut Template {
        self.max_depth = depth;
        self
    }

    /// The `missingkey` mode.
    pub fn missing_key(&self) -> MissingKey {
        self.missing_key
    }

    /// The nesting limit.
    pub fn max_depth(&self) -> usize {
        self.max_depth
    }

    /// A function by name.
    pub fn func(&self, name: &str) -> Option<&Arc<Function>> {
        self.funcs.get(name)
    }

    /// Parses `text` as the body of the main template; `define`/`block`
    /// add associated templates. A later definition replaces an earlier one
    /// from another parse unless the new one is empty (Go's rule).
    pub fn parse(&mut self, text: &str) -> Result<&mut Template, ParseError> {
        self.parse_named(&self.name.clone(), text)
    }

    /// Parses `text` as template `name` into this set (for Helm, one file).
    pub fn parse_named(&mut self, name: &str, text: &str) -> Result<&mut Template, ParseError> {
        let trees = self.parse_trees(name, text)?;
        self.add_parse_trees(trees);
        Ok(self)
    }

    /// Parses `text` as template `name` against this set's functions
    /// without adding it: the first half of [`parse_named`](Self::parse_named).
    /// A file's parse depends on nothing but the function names, so the
    /// files of a chart can be parsed on several threads and then added in
    /// order with [`add_parse_trees`](Self::add_parse_trees).
    pub fn parse_trees(&self, name: &str, text: &str) -> Result<Vec<Tree>, ParseError> {
        parse(name, text, &|f| self.funcs.contains_key(f), false)
    }

    /// [`parse_trees`](Self::parse_trees) of shared text, which the trees
    /// keep a handle on instead of a copy.
    pub fn parse_shared_trees(&self, name: &str, text: &Arc<str>) -> Result<Vec<Tree>, ParseError> {
        super::parse::parse_shared(name, text, &|f| self.funcs.contains_key(f), false)
    }

    /// Adds the trees of one parse, in order, like
    /// [`parse_named`](Self::parse_named) does.
    pub fn add_parse_trees(&mut self, trees: Vec<Tree>) {
        for tree in trees {
            let n = tree.name.clone();
            self.add_parse_tree(&n, tree);
        }
    }

    /// Adds a tree under `name`, unless it is empty and a template of that
    /// name already exists (Go `AddParseTree`/`associate`).
    pub fn add_parse_tree(&mut self, name: &str, tree: Tree) -> bool {
        if let Some(old) = self.trees.get(name)
            && is_empty_tree(&tree.root)
            && !is_empty_tree(&old.root)
        {
            return false;
        }
        self.trees.insert(name.to_string(), Arc::new(tree));
        true
    }

    /// The tree of a template in the set.
    pub fn lookup(&self, name: &str) -> Option<&Arc<Tree>> {
        self.trees.get(name)
    }

    /// Names of the templates in the set, sorted.
    pub fn template_names(&self) -> Vec<&str> {
        let mut v: Vec<&str> = self.trees.keys().map(String::as_str).collect();
        v.sort_unstable();
        v
    }

    /// Executes the main template with `data` as dot, appending to `out`.
    pub fn execute(&self, out: &mut String, data: &GoValue) -> Result<(), ExecError> {
        self.execute_template(out, &self.name, data)
    }

    /// Executes the named template of the set.
    pub fn execute_template(
        &self,
        out: &mut String,
        name: &str,
        data: &GoValue,
    ) -> Result<(), ExecError> {
        self.execute_at_depth(out, name, data, 0)
    }

    pub(crate) fn execute_at_depth(
        &self,
        out: &mut String,
        name: &str,
        data: &GoValue,
        depth: usize,
    ) -> Result<(), ExecError> {
        let Some(tree) = self.trees.get(name) else {
            let message = if name == self.name && self.trees.is_empty() {
                format!(
                    "template: {}: {} is an incomplete or empty template",
                    name,
                    go_quote(name)
                )
            } else {
                format!(
                    "template: no template {} associated with template {}",
                    go_quote(name),
                    go_quote(&self.name)
                )
            };
            return Err(ExecError {
                message,
                name: name.to_string(),
                line: 0,
                col: 0,
            });
        };
        // Go: a nil data interface is an invalid value ("no value").
        let dot = if matches!(data, GoValue::Nil) {
            GoValue::Missing
        } else {
            data.clone()
        };
        execute_tree(self, tree, out, &dot, depth)
    }
}
