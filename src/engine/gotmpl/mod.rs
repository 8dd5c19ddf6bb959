//! Go's `text/template` in Rust, structured like Go's own package: a lexer
//! ([`lex`]), a parser building a printable tree ([`parse`], [`node`]), an
//! executor with a variable stack ([`exec`]), the builtin functions
//! ([`funcs`]) and Go `fmt` formatting ([`format`]).

pub mod format;
pub mod node;
