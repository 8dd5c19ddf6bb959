//! Glob patterns as Helm's `.Files.Glob` reads them: gobwas/glob compiled
//! with `/` as the only separator.
//!
//! That dialect differs from shell-style globs (and from `globset`) in one
//! way charts rely on: `**` matches any text, separators included, wherever
//! it appears, so `**.conf` matches `config/sub/c.conf`. `*` and `?` stop
//! at `/`; `[abc]`, `[a-z]`, `[!abc]` are classes; `{a,b}` are alternatives;
//! `\` escapes the next character.

/// One element of a compiled pattern.
#[derive(Debug, Clone, PartialEq)]
enum Token {
    /// A literal character.
    Char(char),
    /// `?`: one character other than `/`.
    One,
    /// `*`: any run of characters without `/`.
    Star,
    /// `**`: any run of characters.
    SuperStar,
    /// `[...]`: one character in (or, negated, not in) the ranges.
    Class {
        negated: bool,
        ranges: Vec<(char, char)>,
    },
}

/// The most alternatives a `{a,b}` pattern may expand to; more is treated
/// as an invalid pattern rather than spending time on it.
const MAX_EXPANSIONS: usize = 1024;

/// A compiled glob: one token list per `{…}` alternative.
#[derive(Debug, Clone)]
pub struct Glob {
    alternatives: Vec<Vec<Token>>,
}

impl Glob {
    /// Compiles a pattern; `None` when it is malformed (an unclosed `[` or
    /// `{`, a trailing `\`, or too many alternatives).
    pub fn new(pattern: &str) -> Option<Glob> {
        let chars: Vec<char> = pattern.chars().collect();
        let expanded = expand(&chars)?;
        let alternatives = expanded
            .iter()
            .map(|p| tokenize(p))
            .collect::<Option<Vec<_>>>()?;
        Some(Glob { alternatives })
    }

    /// True when the whole of `name` matches.
    pub fn is_match(&self, name: &str) -> bool {
        let text: Vec<char> = name.chars().collect();
        self.alternatives
            .iter()
            .any(|tokens| matches(tokens, &text))
    }
}

/// Expands `{a,b}` alternatives (nested ones included) into plain patterns.
/// Escapes are kept so `tokenize` still sees them.
fn expand(chars: &[char]) -> Option<Vec<Vec<char>>> {
    // Find the first top-level `{` that is not escaped.
    let mut i = 0;
    while i < chars.len() {
        match chars[i] {
            '\\' => i += 2,
            '[' => {
                // Braces inside a class are literal.
                i = class_end(chars, i)? + 1;
            }
            '{' => {
                let (close, commas) = brace_parts(chars, i)?;
                let prefix = &chars[..i];
                let suffix = &chars[close + 1..];
                let mut out = Vec::new();
                let mut start = i + 1;
                for end in commas.into_iter().chain(std::iter::once(close)) {
                    let mut candidate = prefix.to_vec();
                    candidate.extend_from_slice(&chars[start..end]);
                    candidate.extend_from_slice(suffix);
                    out.extend(expand(&candidate)?);
                    if out.len() > MAX_EXPANSIONS {
                        return None;
                    }
                    start = end + 1;
                }
                return Some(out);
            }
            _ => i += 1,
        }
    }
    if i > chars.len() {
        // A trailing backslash.
        return None;
    }
    Some(vec![chars.to_vec()])
}

/// The index of the `}` closing the `{` at `open`, and the top-level commas.
fn brace_parts(chars: &[char], open: usize) -> Option<(usize, Vec<usize>)> {
    let mut depth = 0usize;
    let mut commas = Vec::new();
    let mut i = open;
    while i < chars.len() {
        match chars[i] {
            '\\' => i += 1,
            '[' => i = class_end(chars, i)?,
            '{' => depth += 1,
            '}' => {
                depth -= 1;
                if depth == 0 {
                    return Some((i, commas));
                }
            }
            ',' if depth == 1 => commas.push(i),
            _ => {}
        }
        i += 1;
    }
    None
}

/// The index of the `]` closing the class that starts at `open`.
fn class_end(chars: &[char], open: usize) -> Option<usize> {
    let mut i = open + 1;
    if chars.get(i) == Some(&'!') {
        i += 1;
    }
    while i < chars.len() {
        match chars[i] {
            '\\' => i += 2,
            ']' => return Some(i),
            _ => i += 1,
        }
    }
    None
}

fn tokenize(chars: &[char]) -> Option<Vec<Token>> {
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        match chars[i] {
            '\\' => {
                tokens.push(Token::Char(*chars.get(i + 1)?));
                i += 2;
            }
            '?' => {
                tokens.push(Token::One);
                i += 1;
            }
            '*' => {
                if chars.get(i + 1) == Some(&'*') {
                    tokens.push(Token::SuperStar);
                    i += 2;
                } else {
                    tokens.push(Token::Star);
                    i += 1;
                }
            }
            '[' => {
                let end = class_end(chars, i)?;
                let mut j = i + 1;
                let negated = chars.get(j) == Some(&'!');
                if negated {
                    j += 1;
                }
                let mut ranges = Vec::new();
                while j < end {
                    let mut lo = chars[j];
                    if lo == '\\' {
                        j += 1;
                        lo = *chars.get(j)?;
                    }
                    if chars.get(j + 1) == Some(&'-') && j + 2 < end {
                        ranges.push((lo, chars[j + 2]));
                        j += 3;
                    } else {
                        ranges.push((lo, lo));
                        j += 1;
                    }
                }
                tokens.push(Token::Class { negated, ranges });
                i = end + 1;
            }
            c => {
                tokens.push(Token::Char(c));
                i += 1;
            }
        }
    }
    Some(tokens)
}

/// Dynamic-programming match (no exponential backtracking): `reach[s]` is
/// true when the tokens so far can consume exactly `text[..s]`.
fn matches(tokens: &[Token], text: &[char]) -> bool {
    let n = text.len();
    let mut reach = vec![false; n + 1];
    reach[0] = true;
    for token in tokens {
        let mut next = vec![false; n + 1];
        match token {
            Token::Star | Token::SuperStar => {
                let crosses = matches!(token, Token::SuperStar);
                let mut open = false;
                for s in 0..=n {
                    if reach[s] {
                        open = true;
                    }
                    next[s] = open;
                    // A plain star cannot run past a separator.
                    if s < n && !crosses && text[s] == '/' {
                        open = false;
                    }
                }
            }
            _ => {
                for s in 0..n {
                    if reach[s] && single(token, text[s]) {
                        next[s + 1] = true;
                    }
                }
            }
        }
        reach = next;
    }
    reach[n]
}

fn single(token: &Token, c: char) -> bool {
    match token {
        Token::Char(want) => *want == c,
        Token::One => c != '/',
        Token::Class { negated, ranges } => {
            ranges.iter().any(|(lo, hi)| (*lo..=*hi).contains(&c)) != *negated
        }
        Token::Star | Token::SuperStar => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(p: &str, s: &str) -> bool {
        Glob::new(p).unwrap().is_match(s)
    }

    #[test]
    fn stars() {
        assert!(m("config/*", "config/a.conf"));
        assert!(!m("config/*", "config/sub/c.conf"));
        assert!(m("config/**", "config/sub/c.conf"));
        assert!(m("**.conf", "config/sub/c.conf"));
        assert!(m("**.conf", "top.conf"));
        assert!(!m("*.conf", "config/a.conf"));
        assert!(m("*", ""));
        assert!(m("a*b*c", "axxbyyc"));
        assert!(!m("a*b*c", "axxbyy"));
    }

    #[test]
    fn classes_alternatives_escapes() {
        assert!(m("config/[ab].conf", "config/b.conf"));
        assert!(!m("config/[!ab].conf", "config/b.conf"));
        assert!(m("config/[a-c].conf", "config/c.conf"));
        assert!(m("config/{a,b}.conf", "config/a.conf"));
        assert!(m("{x,config/{a,b}}.conf", "config/b.conf"));
        assert!(!m("config/{a,b}.conf", "config/c.conf"));
        assert!(m("f\\*", "f*"));
        assert!(!m("f\\*", "fx"));
        assert!(m("?.txt", "a.txt"));
        assert!(!m("?.txt", "/.txt"));
    }

    #[test]
    fn malformed_patterns() {
        assert!(Glob::new("[bad").is_none());
        assert!(Glob::new("{a,b").is_none());
        assert!(Glob::new("trailing\\").is_none());
        assert!(Glob::new(&"{a,b}".repeat(12)).is_none());
    }
}
