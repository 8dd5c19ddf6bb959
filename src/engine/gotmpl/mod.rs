//! Go's `text/template` in Rust, structured like Go's own package: a lexer
//! ([`lex`]), a parser building a printable tree ([`parse`], [`node`]), an
//! executor with a variable stack ([`exec`]), the builtin functions
//! ([`funcs`]), the value model ([`value`]) and Go `fmt` formatting
//! ([`format`]). [`Template`] is the entry point.
//!
//! # Using it
//!
//! * [`Template::new`] makes a set with Go's builtins; [`Template::funcs`]
//!   adds [`Function`]s (before parsing: Go rejects unknown names at parse
//!   time); [`Template::missing_key_option`] is Go's `missingkey=` option.
//! * [`Template::parse`] / [`Template::parse_named`] add text; `define` and
//!   `block` add associated templates ([`Template::lookup`],
//!   [`Template::add_parse_tree`]).
//! * [`Template::execute`] / [`Template::execute_template`] run a template
//!   with a [`GoValue`] as dot, appending to a `String`. Trees are shared
//!   (`Arc`), never copied per execution; a set can run many times and from
//!   several threads.
//! * Data: [`GoValue::from_value`] converts the project's `Value` in `go`
//!   or `helm` [`NumberMode`]; host objects implement [`Object`] (fields,
//!   methods taking arguments, `String()`).
//! * Errors: [`ParseError`] and [`ExecError`] carry Go's exact text
//!   (`template: NAME:LINE: …`, `template: NAME:LINE:COL: executing "NAME"
//!   at <…>: …`); both convert into a [`Diagnostic`].
//!
//! Functions that need the running engine (Helm's `include`, `tpl`) get a
//! [`FuncCtx`]: see the extension point described in [`funcs`].
//!
//! Recursion: `{{template}}` nesting is capped at Go's 100000
//! ([`exec::MAX_EXEC_DEPTH`]) and parenthesis nesting at Go's 10000
//! ([`parse::MAX_PAREN_DEPTH`]); reaching those depths needs a large native
//! stack, so callers that run untrusted templates should execute on a
//! thread with a big stack (as `skiff eval` does) or lower the depth with
//! [`Template::max_depth_option`].

pub mod exec;
pub mod format;
pub mod funcs;
pub mod lex;
pub mod node;
pub mod parse;
pub mod sprig;
pub mod template;
pub mod value;

pub use exec::{ExecError, FuncCtx};
pub use funcs::{FuncMap, Function, ParamType};
pub use parse::ParseError;
pub use template::{MissingKey, Template};
pub use value::{CycleError, GoList, GoMap, GoValue, NumberMode, Object};

use crate::diag::{Diagnostic, Location};

/// Any failure of the Go engine: parsing or executing.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum GoTemplateError {
    /// The text did not parse.
    #[error(transparent)]
    Parse(#[from] ParseError),
    /// Execution stopped with an error.
    #[error(transparent)]
    Exec(#[from] ExecError),
}

impl From<GoTemplateError> for Diagnostic {
    fn from(e: GoTemplateError) -> Diagnostic {
        match e {
            GoTemplateError::Parse(p) => p.into(),
            GoTemplateError::Exec(x) => x.into(),
        }
    }
}

impl From<ParseError> for Diagnostic {
    /// The message is Go's full text (it already names the template and
    /// line, as Helm prints it); the location repeats them for tooling.
    fn from(e: ParseError) -> Diagnostic {
        Diagnostic::new(e.message).at(Location::file(e.name).at(Some(e.line), None))
    }
}

impl From<ExecError> for Diagnostic {
    fn from(e: ExecError) -> Diagnostic {
        let line = (e.line > 0).then_some(e.line);
        // Go columns are 0-based byte offsets; Location columns are 1-based.
        let col = line.map(|_| e.col + 1);
        Diagnostic::new(e.message).at(Location::file(e.name).at(line, col))
    }
}

#[cfg(test)]
mod tests;
