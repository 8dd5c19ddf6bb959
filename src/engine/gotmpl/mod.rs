//! Go's `text/template` in Rust, structured like Go's own package: a lexer
//! ([`lex`]), a parser building a printable tree ([`parse`], [`node`]), an
//! executor with a variable stack ([`exec`]), the builtin functions
//! ([`funcs`]), the value model ([`value`]) and Go `fmt` formatting
//! ([`format`]). [`Template`] is the entry point.

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
pub use value::{GoList, GoMap, GoValue, NumberMode, Object};
