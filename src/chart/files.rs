//! `.Files`: the non-template files of a chart, and the lookups Helm's
//! template object offers on them (`pkg/engine/files.go` in Helm v4.1.4).
//!
//! `AsConfig`/`AsSecrets` need the YAML emitter, so the engines format them;
//! this module gives them [`basename_map`].

use super::ChartFile;
use indexmap::IndexMap;

/// `.Files.GetBytes` / `.Files.Get`: the contents of the file named exactly
/// `name` (chart-relative), or `None` (Helm returns an empty value).
pub fn get<'a>(files: &'a [ChartFile], name: &str) -> Option<&'a [u8]> {
    // Helm keeps the files in a map, so a repeated name (possible only in a
    // hand-made archive) resolves to the last one.
    files
        .iter()
        .rev()
        .find(|f| f.name == name)
        .map(|f| &*f.data)
}

/// `.Files.Glob`: the files whose name matches `pattern`, sorted by name.
///
/// Helm compiles the pattern with gobwas/glob and separator `/`: `*` and `?`
/// stay within a path segment, `**` crosses segments, `[abc]`, `[a-z]` and
/// `[!…]` are classes, `{a,b}` alternatives, `\` escapes. A pattern that
/// does not compile silently becomes `**`, which matches every file; that is
/// copied here. Helm returns a map (ranged in key order by templates), hence
/// the sort; a repeated name keeps the last file, as a map would.
pub fn glob<'a>(files: &'a [ChartFile], pattern: &str) -> Vec<&'a ChartFile> {
    let matcher = GlobPattern::compile(pattern).ok();
    let mut picked: IndexMap<&str, &ChartFile> = IndexMap::new();
    for f in files {
        if matcher.as_ref().is_none_or(|m| m.matches(&f.name)) {
            picked.insert(&f.name, f);
        }
    }
    let mut out: Vec<&ChartFile> = picked.into_values().collect();
    out.sort_by(|a, b| a.name.cmp(&b.name));
    out
}

/// `.Files.Lines`: the file split on `\n` after dropping one trailing `\n`;
/// a missing file gives no lines.
///
/// Helm v4.1.4 panics (`index out of range [-1]`) for an *empty* file
/// loaded from a directory and returns no lines for one from an archive;
/// skiff returns no lines in both cases.
pub fn lines(files: &[ChartFile], name: &str) -> Vec<String> {
    let Some(data) = get(files, name) else {
        return Vec::new();
    };
    if data.is_empty() {
        return Vec::new();
    }
    let text = String::from_utf8_lossy(data);
    let text = text.strip_suffix('\n').unwrap_or(&text);
    text.split('\n').map(str::to_string).collect()
}

/// The `{basename: contents}` map that `AsConfig`/`AsSecrets` serialise,
/// sorted by key.
///
/// Helm builds it from a Go map, so when two files share a basename the one
/// that wins depends on map iteration order (random). skiff makes it
/// deterministic: files are taken in name order and the last one wins.
pub fn basename_map<'a, I>(files: I) -> IndexMap<String, &'a [u8]>
where
    I: IntoIterator<Item = &'a ChartFile>,
{
    let mut sorted: Vec<&ChartFile> = files.into_iter().collect();
    sorted.sort_by(|a, b| a.name.cmp(&b.name));
    let mut map: IndexMap<String, &[u8]> = IndexMap::new();
    for f in sorted {
        let base = f.name.rsplit('/').next().unwrap_or(&f.name).to_string();
        map.insert(base, &f.data);
    }
    map.sort_keys();
    map
}

/// One element of a compiled glob.
#[derive(Debug, Clone, PartialEq)]
enum Token {
    /// A literal character.
    Char(char),
    /// `?`: one character other than `/`.
    Single,
    /// `*`: any run of characters without `/`.
    Any,
    /// `**`: any run of characters.
    Super,
    /// `[a-z]` / `[!a-z]`.
    Range { lo: char, hi: char, not: bool },
    /// `[abc]` / `[!abc]`.
    List { chars: Vec<char>, not: bool },
    /// `{a,b,…}`: alternatives.
    Alt(Vec<Vec<Token>>),
}

/// A gobwas/glob (v0.2.3) pattern with `/` as the separator.
///
/// Matching is a plain backtracking interpretation of the syntax. gobwas's
/// compiler rewrites patterns with optimisations that misbehave on
/// degenerate *empty* alternatives (`*{` matches nothing, and `*{}` or
/// `a{}` even make Helm's `Glob` fail with a slice-bounds panic); skiff
/// gives those the obvious meaning instead. Every other form is checked
/// against Helm by the differential test below.
#[derive(Debug, Clone, PartialEq)]
pub struct GlobPattern {
    tokens: Vec<Token>,
}

impl GlobPattern {
    /// Compiles `pattern`; the error says what gobwas/glob would reject
    /// (an unterminated or malformed `[...]`, invalid UTF-8 cannot occur).
    pub fn compile(pattern: &str) -> Result<GlobPattern, String> {
        let chars: Vec<char> = pattern.chars().collect();
        let mut pos = 0;
        let tokens = parse_sequence(&chars, &mut pos, 0)?;
        Ok(GlobPattern { tokens })
    }

    /// Whether the whole `name` matches.
    pub fn matches(&self, name: &str) -> bool {
        let chars: Vec<char> = name.chars().collect();
        match_tokens(&self.tokens, &[], &chars)
    }
}

/// Parses tokens until the end, or (inside `{…}`, `depth > 0`) until a `,`
/// or `}` which is left for the caller.
fn parse_sequence(chars: &[char], pos: &mut usize, depth: usize) -> Result<Vec<Token>, String> {
    let mut out = Vec::new();
    while *pos < chars.len() {
        let c = chars[*pos];
        match c {
            ',' | '}' if depth > 0 => return Ok(out),
            '{' => {
                *pos += 1;
                let mut alternatives = Vec::new();
                loop {
                    alternatives.push(parse_sequence(chars, pos, depth + 1)?);
                    match chars.get(*pos) {
                        Some(',') => *pos += 1,
                        Some('}') => {
                            *pos += 1;
                            break;
                        }
                        // gobwas/glob accepts an unterminated `{` and
                        // treats the pattern as if it were closed at the end.
                        _ => break,
                    }
                }
                out.push(Token::Alt(alternatives));
            }
            '[' => {
                *pos += 1;
                out.push(parse_class(chars, pos)?);
            }
            '?' => {
                *pos += 1;
                out.push(Token::Single);
            }
            '*' => {
                *pos += 1;
                if chars.get(*pos) == Some(&'*') {
                    *pos += 1;
                    out.push(Token::Super);
                } else {
                    out.push(Token::Any);
                }
            }
            '\\' => {
                // An escape makes the next character literal; a trailing
                // backslash is dropped, as gobwas's lexer does.
                *pos += 1;
                if let Some(&next) = chars.get(*pos) {
                    *pos += 1;
                    out.push(Token::Char(next));
                }
            }
            other => {
                *pos += 1;
                out.push(Token::Char(other));
            }
        }
    }
    Ok(out)
}

/// Parses a class after its `[`, following gobwas's lexer: an optional `!`,
/// then either one `lo-hi` range or a run of characters (with `\` escapes),
/// then `]`.
fn parse_class(chars: &[char], pos: &mut usize) -> Result<Token, String> {
    let eof = || "unexpected end of input".to_string();
    let mut not = false;
    if chars.get(*pos) == Some(&'!') {
        not = true;
        *pos += 1;
    }
    let first = *chars.get(*pos).ok_or_else(eof)?;
    if chars.get(*pos + 1) == Some(&'-') {
        let hi = *chars.get(*pos + 2).ok_or_else(eof)?;
        *pos += 3;
        match chars.get(*pos) {
            Some(']') => *pos += 1,
            Some(_) => return Err("expected close range character".to_string()),
            None => return Err(eof()),
        }
        if hi < first {
            return Err(format!(
                "hi character '{hi}' should be greater than lo '{first}'"
            ));
        }
        // gobwas treats a NUL bound as "no range".
        if first == '\0' || hi == '\0' {
            return Err("could not parse range".to_string());
        }
        return Ok(Token::Range { lo: first, hi, not });
    }
    let mut list = Vec::new();
    let mut escaped = false;
    loop {
        let c = *chars.get(*pos).ok_or_else(eof)?;
        *pos += 1;
        if !escaped {
            if c == '\\' {
                escaped = true;
                continue;
            }
            if c == ']' {
                break;
            }
        }
        escaped = false;
        list.push(c);
    }
    if list.is_empty() {
        return Err("could not parse range".to_string());
    }
    Ok(Token::List { chars: list, not })
}

/// Backtracking match of `tokens` followed by the continuation `rest`
/// (the tokens after an enclosing alternative) against `s`.
fn match_tokens(tokens: &[Token], rest: &[&[Token]], s: &[char]) -> bool {
    let Some((first, tail)) = tokens.split_first() else {
        return match rest.split_first() {
            Some((next, outer)) => match_tokens(next, outer, s),
            None => s.is_empty(),
        };
    };
    let single = |pred: &dyn Fn(char) -> bool| match s.split_first() {
        Some((c, more)) if pred(*c) => match_tokens(tail, rest, more),
        _ => false,
    };
    match first {
        Token::Char(c) => single(&|x| x == *c),
        Token::Single => single(&|x| x != '/'),
        Token::Range { lo, hi, not } => single(&|x| (*lo <= x && x <= *hi) != *not),
        Token::List { chars, not } => single(&|x| chars.contains(&x) != *not),
        Token::Any => {
            for i in 0..=s.len() {
                if match_tokens(tail, rest, &s[i..]) {
                    return true;
                }
                if i < s.len() && s[i] == '/' {
                    break;
                }
            }
            false
        }
        Token::Super => (0..=s.len()).any(|i| match_tokens(tail, rest, &s[i..])),
        Token::Alt(alternatives) => {
            let mut continuation: Vec<&[Token]> = Vec::with_capacity(rest.len() + 1);
            continuation.push(tail);
            continuation.extend_from_slice(rest);
            alternatives
                .iter()
                .any(|alt| match_tokens(alt, &continuation, s))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(name: &str, data: &str) -> ChartFile {
        ChartFile {
            name: name.to_string(),
            data: data.as_bytes().into(),
        }
    }

    fn g(p: &str, n: &str) -> bool {
        GlobPattern::compile(p).unwrap().matches(n)
    }

    #[test]
    fn glob_star_stays_in_segment() {
        assert!(g("files/*", "files/a.txt"));
        assert!(!g("files/*", "files/sub/a.txt"));
        assert!(g("files/**", "files/sub/a.txt"));
        assert!(g("**.yaml", "a/b/c.yaml"));
        assert!(!g("*.yaml", "a/c.yaml"));
        assert!(g("*", ""));
        assert!(g("a?c", "abc"));
        assert!(!g("a?c", "a/c"));
    }

    #[test]
    fn glob_classes_alternatives_escapes() {
        assert!(g("[abc].txt", "b.txt"));
        assert!(!g("[!abc].txt", "b.txt"));
        assert!(g("[!abc].txt", "d.txt"));
        assert!(g("[a-c].txt", "c.txt"));
        assert!(!g("[!a-c].txt", "c.txt"));
        assert!(g("{a,bb}/*.conf", "bb/x.conf"));
        assert!(!g("{a,bb}/*.conf", "c/x.conf"));
        assert!(g("x{a,b{c,d}}y", "xbdy"));
        assert!(g("\\*", "*"));
        assert!(!g("\\*", "a"));
        // gobwas closes an unterminated `{` at the end.
        assert!(g("{a,b", "b"));
    }

    #[test]
    fn glob_bad_patterns_do_not_compile() {
        for p in ["[", "[]", "[a-", "[z-a]", "[a-z0-9]", "[!"] {
            assert!(GlobPattern::compile(p).is_err(), "{p}");
        }
    }

    #[test]
    fn glob_files_sorted_and_invalid_matches_all() {
        let files = vec![
            file("files/b.txt", "b"),
            file("files/a.txt", "a"),
            file("files/sub/c.txt", "c"),
            file("README.md", "r"),
        ];
        let names: Vec<&str> = glob(&files, "files/*")
            .iter()
            .map(|f| f.name.as_str())
            .collect();
        assert_eq!(names, ["files/a.txt", "files/b.txt"]);
        assert_eq!(glob(&files, "[").len(), 4);
        assert!(glob(&files, "nothing*").is_empty());
    }

    #[test]
    fn get_and_lines() {
        let files = vec![
            file("a.txt", "one\ntwo\n"),
            file("b.txt", "x\n\n"),
            file("empty", ""),
        ];
        assert_eq!(get(&files, "a.txt"), Some(&b"one\ntwo\n"[..]));
        assert_eq!(get(&files, "nope"), None);
        assert_eq!(lines(&files, "a.txt"), ["one", "two"]);
        assert_eq!(lines(&files, "b.txt"), ["x", ""]);
        assert!(lines(&files, "nope").is_empty());
        assert!(lines(&files, "empty").is_empty());
    }

    #[test]
    fn basename_map_sorted_last_wins() {
        let files = vec![
            file("z/app.conf", "z"),
            file("a/app.conf", "a"),
            file("b.txt", "b"),
        ];
        let m = basename_map(&files);
        assert_eq!(m.keys().collect::<Vec<_>>(), ["app.conf", "b.txt"]);
        assert_eq!(m["app.conf"], b"z");
    }
}

#[cfg(test)]
mod differential {
    use super::*;

    /// Differential: `.Files.Glob` results for a table of patterns (valid,
    /// invalid, classes, alternatives) compared with `helm template`.
    #[test]
    fn glob_matches_helm() {
        let Ok(helm) = std::env::var("HELM_REF") else {
            eprintln!("skipped: HELM_REF is not set (differential test of .Files.Glob)");
            return;
        };
        let names = [
            "README.md",
            "a.txt",
            "b.txt",
            "files/a.conf",
            "files/b.conf",
            "files/sub/c.conf",
            "files/sub/deeper/d.yaml",
            "other/x.yaml",
            "x*y",
            "[odd].md",
        ];
        let patterns = [
            "*",
            "**",
            "*.txt",
            "files/*",
            "files/**",
            "**.conf",
            "files/**/*.yaml",
            "[ab].txt",
            "[!a].txt",
            "[a-b].txt",
            "[!a-z]*",
            "{files,other}/*.yaml",
            "{files,other}/**",
            "?.txt",
            "x\\*y",
            "[",
            "files/[",
            "{a.txt,b",
            "{,a}.txt",
            "*.{txt,md}",
            "{a,b}.txt",
            "\\[odd].md",
            "[a-",
            "**/*.md",
            "files/*/c.conf",
            "",
            "[]",
            "a.txt,b.txt",
        ];
        let dir = tempfile::tempdir().unwrap();
        let chart = dir.path().join("g");
        std::fs::create_dir_all(chart.join("templates")).unwrap();
        std::fs::write(
            chart.join("Chart.yaml"),
            "apiVersion: v2\nname: g\nversion: 0.1.0\n",
        )
        .unwrap();
        let mut files = Vec::new();
        for n in names {
            let p = chart.join(n);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(&p, "x").unwrap();
            files.push(ChartFile {
                name: n.to_string(),
                data: b"x"[..].into(),
            });
        }
        let mut template = String::new();
        for (i, p) in patterns.iter().enumerate() {
            let quoted = serde_json::to_string(p).unwrap();
            template.push_str(&format!(
                "# {i}:{{{{ range $k, $v := .Files.Glob {quoted} }}}} {{{{ $k }}}}{{{{ end }}}}\n"
            ));
        }
        std::fs::write(chart.join("templates/t.yaml"), template).unwrap();
        let out = std::process::Command::new(&helm)
            .arg("template")
            .arg(&chart)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let text = String::from_utf8(out.stdout).unwrap();
        for (i, p) in patterns.iter().enumerate() {
            let prefix = format!("# {i}:");
            let line = text
                .lines()
                .find(|l| l.starts_with(&prefix))
                .unwrap_or_else(|| panic!("no output for {p:?}"));
            let mut helm_names: Vec<&str> = line[prefix.len()..].split_whitespace().collect();
            helm_names.sort();
            let mut ours: Vec<&str> = glob(&files, p).iter().map(|f| f.name.as_str()).collect();
            ours.sort();
            // `.helmignore`-free chart: Chart.yaml is not part of .Files.
            assert_eq!(ours, helm_names, "pattern {p:?}");
        }
    }
}

/// gobwas/glob cases (the `.Files.Glob` / `files.glob` matcher).
#[cfg(test)]
mod glob_cases {
    use super::GlobPattern;

    fn m(p: &str, s: &str) -> bool {
        GlobPattern::compile(p).unwrap().matches(s)
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
        assert!(GlobPattern::compile("[bad").is_err());
        // gobwas/glob reads an unclosed `{a,b` as the alternatives a|b
        // (helm v4.1.4 `.Files.Glob "{a,b"` lists `a` and `b`).
        assert!(m("{a,b", "a") && m("{a,b", "b") && !m("{a,b", "c"));
        // A trailing `\\` is not an error either (invalid patterns would
        // match everything): helm lists nothing for it, not even `trailing\\`.
        assert!(!m("trailing\\", "a") && !m("trailing\\", "trailing\\"));
    }
}
