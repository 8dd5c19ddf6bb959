//! Go's `path/filepath.Match` (Unix flavour), which Helm uses for
//! `--show-only`.
//!
//! Syntax: `*` is any run of non-`/` characters, `?` one non-`/`
//! character, `[...]` / `[^...]` a class of characters and ranges (which,
//! unlike `*` and `?`, may match `/`), `\x` the character `x`. Helm ignores
//! the error of a malformed pattern and treats it as "no match", so this
//! module answers only yes or no: a malformed pattern never matches.
//!
//! Go's matcher is chunk based: the pattern is cut into pieces that each
//! begin with a run of stars; each piece is matched at the earliest place
//! its star allows. That strategy, not a full backtracking search, defines
//! the answers, so it is reproduced step by step.

/// One parsed element of a chunk: each matches exactly one character.
#[derive(Debug, Clone, PartialEq)]
enum Atom {
    /// A literal character.
    Char(char),
    /// `?`: any character but `/`.
    Any,
    /// `[...]`: inclusive ranges, possibly negated.
    Class {
        negated: bool,
        ranges: Vec<(char, char)>,
    },
}

/// A star-prefixed piece of the pattern.
#[derive(Debug, Clone, PartialEq)]
struct Chunk {
    star: bool,
    atoms: Vec<Atom>,
}

/// Parses one class member (`x` or `\x`); `None` for Go's ErrBadPattern
/// cases: end of pattern, a bare `-` or `]`, or nothing after it.
fn class_char(chars: &[char], i: &mut usize) -> Option<char> {
    let mut c = *chars.get(*i)?;
    if c == '-' || c == ']' {
        return None;
    }
    if c == '\\' {
        *i += 1;
        c = *chars.get(*i)?;
    }
    *i += 1;
    // Go requires the class to continue after every member.
    chars.get(*i)?;
    Some(c)
}

/// Parses the pattern into chunks, or `None` when Go would report
/// `ErrBadPattern` for it.
fn parse(pattern: &str) -> Option<Vec<Chunk>> {
    let chars: Vec<char> = pattern.chars().collect();
    let mut chunks = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let mut star = false;
        while chars.get(i) == Some(&'*') {
            star = true;
            i += 1;
        }
        let mut atoms = Vec::new();
        while let Some(&c) = chars.get(i) {
            match c {
                '*' => break,
                '?' => {
                    atoms.push(Atom::Any);
                    i += 1;
                }
                '\\' => {
                    let escaped = *chars.get(i + 1)?;
                    atoms.push(Atom::Char(escaped));
                    i += 2;
                }
                '[' => {
                    i += 1;
                    let negated = chars.get(i) == Some(&'^');
                    if negated {
                        i += 1;
                    }
                    let mut ranges = Vec::new();
                    loop {
                        if chars.get(i) == Some(&']') && !ranges.is_empty() {
                            i += 1;
                            break;
                        }
                        let lo = class_char(&chars, &mut i)?;
                        let hi = if chars.get(i) == Some(&'-') {
                            i += 1;
                            class_char(&chars, &mut i)?
                        } else {
                            lo
                        };
                        ranges.push((lo, hi));
                    }
                    atoms.push(Atom::Class { negated, ranges });
                }
                c => {
                    atoms.push(Atom::Char(c));
                    i += 1;
                }
            }
        }
        chunks.push(Chunk { star, atoms });
    }
    Some(chunks)
}

/// Matches a chunk's atoms at the start of `name`; returns the rest.
fn match_atoms<'a>(atoms: &[Atom], name: &'a str) -> Option<&'a str> {
    let mut rest = name;
    for atom in atoms {
        let c = rest.chars().next()?;
        let ok = match atom {
            Atom::Char(x) => *x == c,
            Atom::Any => c != '/',
            Atom::Class { negated, ranges } => {
                ranges.iter().any(|(lo, hi)| *lo <= c && c <= *hi) != *negated
            }
        };
        if !ok {
            return None;
        }
        rest = &rest[c.len_utf8()..];
    }
    Some(rest)
}

/// Go's `filepath.Match(pattern, name)` on Unix, with a malformed pattern
/// counting as no match (which is what Helm makes of the error).
pub fn go_path_match(pattern: &str, name: &str) -> bool {
    let Some(chunks) = parse(pattern) else {
        return false;
    };
    let mut name = name;
    for (index, chunk) in chunks.iter().enumerate() {
        let last = index + 1 == chunks.len();
        if chunk.star && chunk.atoms.is_empty() {
            // A trailing star takes the rest unless it holds a separator.
            return !name.contains('/');
        }
        // At the current position first; a last chunk must use up the name.
        if let Some(rest) = match_atoms(&chunk.atoms, name)
            && (rest.is_empty() || !last)
        {
            name = rest;
            continue;
        }
        if !chunk.star {
            return false;
        }
        // Then after skipping 1, 2, … characters, never skipping a `/`.
        let mut found = None;
        for (at, c) in name.char_indices() {
            if c == '/' {
                break;
            }
            let after = &name[at + c.len_utf8()..];
            if let Some(rest) = match_atoms(&chunk.atoms, after) {
                if last && !rest.is_empty() {
                    continue;
                }
                found = Some(rest);
                break;
            }
        }
        match found {
            Some(rest) => name = rest,
            None => return false,
        }
    }
    name.is_empty()
}

#[cfg(test)]
mod tests {
    use super::go_path_match as m;

    #[test]
    fn literals_and_stars() {
        assert!(m("templates/a.yaml", "templates/a.yaml"));
        assert!(!m("templates/a.yaml", "templates/a.yml"));
        assert!(m("templates/*.yaml", "templates/a.yaml"));
        // `*` does not cross `/` (Helm: `-s 'templates/*.yaml'` leaves out tests/).
        assert!(!m("templates/*.yaml", "templates/tests/t.yaml"));
        assert!(m("templates/*/*.yaml", "templates/tests/t.yaml"));
        assert!(m("*", "abc"));
        assert!(!m("*", "a/b"));
        assert!(m("templates/*", "templates/x"));
        assert!(m("a*b*c", "axxbyyc"));
        assert!(m("a*b", "abab"));
        assert!(!m("a*b", "abac"));
        assert!(m("", ""));
        assert!(!m("", "a"));
    }

    #[test]
    fn question_mark_and_classes() {
        assert!(m("a?c", "abc"));
        assert!(!m("a?c", "a/c"));
        assert!(m("a[/]c", "a/c"));
        assert!(m("[a-c]x", "bx"));
        assert!(!m("[^a-c]x", "bx"));
        assert!(m("[^a-c]x", "dx"));
        assert!(m("a\\*b", "a*b"));
        assert!(!m("a\\*b", "axb"));
        assert!(m("[\\]]", "]"));
        assert!(m("é?", "éü"));
    }

    #[test]
    fn malformed_patterns_never_match() {
        for bad in ["[", "[]", "[a-", "a\\", "[-a]", "[a", "x[]]"] {
            assert!(!m(bad, "a"), "{bad}");
            assert!(!m(bad, "x]"), "{bad}");
        }
    }
}
