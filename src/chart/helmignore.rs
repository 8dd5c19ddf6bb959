//! `.helmignore` with Helm's rules (`pkg/ignore/rules.go` in Helm v4.1.4).
//!
//! It looks like `.gitignore` but is not:
//! * each line is trimmed; blank lines and `#` lines are skipped;
//! * a rule containing `**` is an error;
//! * globbing is Go's `filepath.Match` (`*` and `?` never cross `/`,
//!   `[...]` classes with `^` negation, `\` escapes), always anchored at
//!   both ends;
//! * a rule without `/` is matched against the basename only, a rule with
//!   `/` against the whole chart-relative path, a leading `/` is simply
//!   dropped (paths are already relative to the chart root);
//! * a trailing `/` makes the rule apply to directories only (the loader
//!   then skips the whole directory);
//! * `!rule` is **not** gitignore's re-include: the first negated rule that
//!   a path does *not* match ignores that path, so `*.txt` + `!a.txt` ignores
//!   `Chart.yaml` too (Helm then says `Chart.yaml file is missing`).

use super::ChartError;

/// The `templates/.?*` rule Helm adds to every rule set: dotfiles directly
/// under `templates/` are never loaded.
pub const DEFAULT_RULE: &str = "templates/.?*";

/// Helm's `filepath.ErrBadPattern` text.
const BAD_PATTERN: &str = "syntax error in pattern";

/// How a rule is matched against a path.
#[derive(Debug, Clone, PartialEq)]
enum Scope {
    /// No `/` in the rule: match the basename.
    Basename,
    /// The rule has a `/` (or had a leading one): match the whole path.
    Path,
}

/// One parsed rule.
#[derive(Debug, Clone, PartialEq)]
struct Rule {
    /// The glob, without `!`, leading `/` or trailing `/`.
    glob: String,
    scope: Scope,
    negate: bool,
    dir_only: bool,
    shape: Shape,
}

/// The shapes nearly every `.helmignore` line has, matched without the
/// general glob matcher (which cost a twentieth of rendering a small chart:
/// every file against every rule).
#[derive(Debug, Clone, Copy, PartialEq)]
enum Shape {
    /// No metacharacter: the subject must equal the glob (`.git`).
    Literal,
    /// `*` then a literal without `/` (`*.swp`, `*~`): the subject must
    /// end with it and hold no `/` (a star never matches one).
    StarSuffix,
    /// Anything else.
    Glob,
}

impl Shape {
    fn of(glob: &str) -> Shape {
        let meta = |s: &str| s.bytes().any(|b| matches!(b, b'*' | b'?' | b'[' | b'\\'));
        if !meta(glob) {
            Shape::Literal
        } else if let Some(rest) = glob.strip_prefix('*')
            && !meta(rest)
            && !rest.contains('/')
        {
            Shape::StarSuffix
        } else {
            Shape::Glob
        }
    }
}

impl Rule {
    fn matches(&self, path: &str) -> bool {
        let subject = match self.scope {
            Scope::Basename => go_base(path),
            Scope::Path => path,
        };
        match self.shape {
            Shape::Literal => subject == self.glob,
            Shape::StarSuffix => {
                subject.ends_with(&self.glob[1..])
                    && !subject[..subject.len() - (self.glob.len() - 1)].contains('/')
            }
            // Patterns were validated when parsed; a failure here (which
            // Helm logs) counts as no match.
            Shape::Glob => go_match(&self.glob, subject).unwrap_or(false),
        }
    }
}

/// A parsed `.helmignore`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct HelmIgnore {
    rules: Vec<Rule>,
}

impl HelmIgnore {
    /// A rule set with no rules (ignores nothing).
    pub fn empty() -> HelmIgnore {
        HelmIgnore::default()
    }

    /// Parses `.helmignore` text. Errors name the file `.helmignore` and the
    /// 1-based line; the loader replaces the name with the real path.
    pub fn parse(text: &str) -> Result<HelmIgnore, ChartError> {
        let mut set = HelmIgnore::empty();
        // Helm strips a UTF-8 BOM from the first line only.
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        for (index, line) in text.split('\n').enumerate() {
            set.add_rule(line)
                .map_err(|message| ChartError::HelmIgnore {
                    file: ".helmignore".to_string(),
                    line: index + 1,
                    message,
                })?;
        }
        Ok(set)
    }

    /// Adds Helm's default rule ([`DEFAULT_RULE`]) after the parsed ones, as
    /// the directory loader does.
    pub fn add_defaults(&mut self) {
        // The default rule is a valid pattern; the result cannot be an error.
        let _ = self.add_rule(DEFAULT_RULE);
    }

    /// Parses one line and appends the rule (blank and comment lines add nothing).
    fn add_rule(&mut self, line: &str) -> Result<(), String> {
        let rule = line.trim();
        if rule.is_empty() || rule.starts_with('#') {
            return Ok(());
        }
        if rule.contains("**") {
            return Err("double-star (**) syntax is not supported".to_string());
        }
        // Helm validates the rule as written (with any `!` and slashes)
        // against a non-empty name.
        go_match(rule, "abc").map_err(|_| BAD_PATTERN.to_string())?;

        let (negate, rule) = match rule.strip_prefix('!') {
            Some(rest) => (true, rest),
            None => (false, rule),
        };
        let (dir_only, rule) = match rule.strip_suffix('/') {
            Some(rest) => (true, rest),
            None => (false, rule),
        };
        let (glob, scope) = if let Some(rest) = rule.strip_prefix('/') {
            (rest, Scope::Path)
        } else if rule.contains('/') {
            (rule, Scope::Path)
        } else {
            (rule, Scope::Basename)
        };
        self.rules.push(Rule {
            glob: glob.to_string(),
            scope,
            negate,
            dir_only,
            shape: Shape::of(glob),
        });
        Ok(())
    }

    /// Whether the chart-relative `path` (with `/` separators) is ignored.
    /// `is_dir` says whether the path is a directory.
    ///
    /// Rules are tried in order; the first positive rule that matches
    /// ignores the path, and the first negated rule that does *not* match
    /// ignores it too (Helm's `Rules.Ignore`).
    pub fn ignore(&self, path: &str, is_dir: bool) -> bool {
        // Helm never ignores the chart root itself.
        if path.is_empty() || path == "." || path == "./" {
            return false;
        }
        for rule in &self.rules {
            if rule.negate {
                if rule.dir_only && !is_dir {
                    return true;
                }
                if !rule.matches(path) {
                    return true;
                }
                continue;
            }
            if rule.dir_only && !is_dir {
                continue;
            }
            if rule.matches(path) {
                return true;
            }
        }
        false
    }
}

/// Go's `filepath.Base` for `/`-separated paths.
fn go_base(path: &str) -> &str {
    if path.is_empty() {
        return ".";
    }
    let trimmed = path.trim_end_matches('/');
    if trimmed.is_empty() {
        return "/";
    }
    match trimmed.rfind('/') {
        Some(i) => &trimmed[i + 1..],
        None => trimmed,
    }
}

/// A malformed `filepath.Match` pattern.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BadPattern;

/// Go's `path/filepath.Match` on Unix (separator `/`), including its
/// validation of the rest of the pattern after a mismatch (Go ≥ 1.16), so
/// that the same patterns are errors.
pub fn go_match(pattern: &str, name: &str) -> Result<bool, BadPattern> {
    let mut pattern = pattern.as_bytes();
    let mut name = name.as_bytes();
    'outer: while !pattern.is_empty() {
        let (star, chunk, rest) = scan_chunk(pattern);
        pattern = rest;
        if star && chunk.is_empty() {
            // A trailing `*` matches the rest unless it holds a separator.
            return Ok(!name.contains(&b'/'));
        }
        // Try the chunk at the current position.
        let (matched, err) = match match_chunk(chunk, name) {
            Ok(Some(t)) => (Some(t), false),
            Ok(None) => (None, false),
            Err(BadPattern) => (None, true),
        };
        if let Some(t) = matched
            && (t.is_empty() || !pattern.is_empty())
        {
            name = t;
            continue;
        }
        if err {
            return Err(BadPattern);
        }
        if star {
            // Let the star swallow 1, 2, … bytes, never a separator.
            let mut i = 0;
            while i < name.len() && name[i] != b'/' {
                if let Some(t) = match_chunk(chunk, &name[i + 1..])? {
                    // The last chunk must consume the whole name.
                    if pattern.is_empty() && !t.is_empty() {
                        i += 1;
                        continue;
                    }
                    name = t;
                    continue 'outer;
                }
                i += 1;
            }
        }
        // No match: still report a malformed remainder, like Go.
        while !pattern.is_empty() {
            let (_, chunk, rest) = scan_chunk(pattern);
            pattern = rest;
            match_chunk(chunk, b"")?;
        }
        return Ok(false);
    }
    Ok(name.is_empty())
}

/// Splits off leading stars and the following star-free chunk.
fn scan_chunk(mut pattern: &[u8]) -> (bool, &[u8], &[u8]) {
    let mut star = false;
    while let Some((b'*', rest)) = pattern.split_first() {
        pattern = rest;
        star = true;
    }
    let mut in_range = false;
    let mut i = 0;
    while i < pattern.len() {
        match pattern[i] {
            // Skip the escaped byte; a dangling escape is reported by
            // match_chunk.
            b'\\' if i + 1 < pattern.len() => i += 1,
            b'[' => in_range = true,
            b']' => in_range = false,
            b'*' if !in_range => break,
            _ => {}
        }
        i += 1;
    }
    (star, &pattern[..i], &pattern[i..])
}

/// Decodes one UTF-8 character (a lone invalid byte counts as U+FFFD of
/// width 1, like Go's `utf8.DecodeRune`).
fn decode(s: &[u8]) -> (char, usize) {
    let len = match s.first() {
        None => return ('\u{fffd}', 0),
        Some(b) if *b < 0x80 => 1,
        Some(b) if *b >= 0xF0 => 4,
        Some(b) if *b >= 0xE0 => 3,
        Some(_) => 2,
    };
    match s.get(..len).and_then(|b| std::str::from_utf8(b).ok()) {
        Some(text) => (text.chars().next().unwrap_or('\u{fffd}'), len),
        None => ('\u{fffd}', 1),
    }
}

/// Reads one possibly escaped character of a `[...]` class.
fn class_char(chunk: &[u8]) -> Result<(char, &[u8]), BadPattern> {
    let mut chunk = chunk;
    match chunk.first() {
        None | Some(b'-') | Some(b']') => return Err(BadPattern),
        Some(b'\\') => {
            chunk = &chunk[1..];
            if chunk.is_empty() {
                return Err(BadPattern);
            }
        }
        Some(_) => {}
    }
    let (c, n) = decode(chunk);
    if c == '\u{fffd}' && n == 1 {
        return Err(BadPattern);
    }
    let rest = &chunk[n..];
    // A class must be closed by `]`.
    if rest.is_empty() {
        return Err(BadPattern);
    }
    Ok((c, rest))
}

/// Matches a star-free chunk at the start of `s`; returns the rest of `s`
/// on success. The whole chunk is always scanned so malformed classes are
/// reported even after a mismatch.
fn match_chunk<'a>(chunk: &[u8], s: &'a [u8]) -> Result<Option<&'a [u8]>, BadPattern> {
    let mut chunk = chunk;
    let mut s = s;
    let mut failed = false;
    while let Some(&first) = chunk.first() {
        if !failed && s.is_empty() {
            failed = true;
        }
        match first {
            b'[' => {
                let mut r = '\0';
                if !failed {
                    let (c, n) = decode(s);
                    r = c;
                    s = &s[n..];
                }
                chunk = &chunk[1..];
                let negated = chunk.first() == Some(&b'^');
                if negated {
                    chunk = &chunk[1..];
                }
                let mut matched = false;
                let mut ranges = 0;
                loop {
                    if chunk.first() == Some(&b']') && ranges > 0 {
                        chunk = &chunk[1..];
                        break;
                    }
                    let (lo, rest) = class_char(chunk)?;
                    chunk = rest;
                    let mut hi = lo;
                    if chunk.first() == Some(&b'-') {
                        let (h, rest) = class_char(&chunk[1..])?;
                        hi = h;
                        chunk = rest;
                    }
                    if lo <= r && r <= hi {
                        matched = true;
                    }
                    ranges += 1;
                }
                if matched == negated {
                    failed = true;
                }
            }
            b'?' => {
                if !failed {
                    if s[0] == b'/' {
                        failed = true;
                    }
                    let (_, n) = decode(s);
                    s = &s[n..];
                }
                chunk = &chunk[1..];
            }
            other => {
                let literal = if other == b'\\' {
                    chunk = &chunk[1..];
                    match chunk.first() {
                        Some(c) => *c,
                        None => return Err(BadPattern),
                    }
                } else {
                    other
                };
                if !failed {
                    if literal != s[0] {
                        failed = true;
                    }
                    s = &s[1..];
                }
                chunk = &chunk[1..];
            }
        }
    }
    Ok(if failed { None } else { Some(s) })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(p: &str, n: &str) -> Result<bool, BadPattern> {
        go_match(p, n)
    }

    /// The literal and `*suffix` shortcuts answer what the glob matcher
    /// answers, for both scopes.
    #[test]
    fn shapes_match_like_the_glob_matcher() {
        use proptest::prelude::*;
        let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig {
            cases: 20_000,
            ..ProptestConfig::default()
        });
        runner
            .run(&("[*]?[ab./~]{0,4}", "[ab./~]{0,6}"), |(glob, path)| {
                let shape = Shape::of(&glob);
                if shape == Shape::Glob {
                    return Ok(());
                }
                for scope in [Scope::Basename, Scope::Path] {
                    let rule = Rule {
                        glob: glob.clone(),
                        scope: scope.clone(),
                        negate: false,
                        dir_only: false,
                        shape,
                    };
                    let subject = match scope {
                        Scope::Basename => go_base(&path),
                        Scope::Path => path.as_str(),
                    };
                    let expected = go_match(&glob, subject).unwrap_or(false);
                    prop_assert_eq!(rule.matches(&path), expected, "{} {}", glob, path);
                }
                Ok(())
            })
            .unwrap();
        assert_eq!(Shape::of(".git"), Shape::Literal);
        assert_eq!(Shape::of("*.swp"), Shape::StarSuffix);
        assert_eq!(Shape::of("*.s?p"), Shape::Glob);
        assert_eq!(Shape::of("*/x"), Shape::Glob);
        assert_eq!(Shape::of("a*"), Shape::Glob);
    }

    #[test]
    fn go_match_basics() {
        assert_eq!(m("abc", "abc"), Ok(true));
        assert_eq!(m("*", "abc"), Ok(true));
        assert_eq!(m("*c", "abc"), Ok(true));
        assert_eq!(m("a*", "a"), Ok(true));
        assert_eq!(m("a*", "ab/c"), Ok(false));
        assert_eq!(m("a*/b", "abc/b"), Ok(true));
        assert_eq!(m("a*/b", "a/c/b"), Ok(false));
        assert_eq!(m("a*b*c*d*e*/f", "axbxcxdxe/f"), Ok(true));
        assert_eq!(m("a*b*c*d*e*/f", "axbxcxdxexxx/f"), Ok(true));
        assert_eq!(m("a*b*c*d*e*/f", "axbxcxdxe/xxx/f"), Ok(false));
        assert_eq!(m("a*b?c*x", "abxbbxdbxebxczzx"), Ok(true));
        assert_eq!(m("a*b?c*x", "abxbbxdbxebxczzy"), Ok(false));
        assert_eq!(m("a?b", "a/b"), Ok(false));
        assert_eq!(m("a*b", "a/b"), Ok(false));
    }

    #[test]
    fn go_match_classes_and_escapes() {
        assert_eq!(m("ab[c]", "abc"), Ok(true));
        assert_eq!(m("ab[b-d]", "abc"), Ok(true));
        assert_eq!(m("ab[e-g]", "abc"), Ok(false));
        assert_eq!(m("ab[^c]", "abc"), Ok(false));
        assert_eq!(m("ab[^b-d]", "abc"), Ok(false));
        assert_eq!(m("ab[^e-g]", "abc"), Ok(true));
        assert_eq!(m("a\\*b", "a*b"), Ok(true));
        assert_eq!(m("a\\*b", "ab"), Ok(false));
        assert_eq!(m("a?b", "a☺b"), Ok(true));
        assert_eq!(m("a[^a]b", "a☺b"), Ok(true));
        assert_eq!(m("[a-ζ]*", "α"), Ok(true));
        assert_eq!(m("*[a-ζ]", "A"), Ok(false));
        assert_eq!(m("[\\]a]", "]"), Ok(true));
        assert_eq!(m("[\\-]", "-"), Ok(true));
        assert_eq!(m("[x\\-]", "z"), Ok(false));
    }

    #[test]
    fn go_match_bad_patterns() {
        for p in [
            "[]a]", "[-]", "[x-]", "[-x]", "\\", "[a-b-c]", "[", "[^", "[^bc", "a[", "*x\\",
        ] {
            assert_eq!(m(p, "a"), Err(BadPattern), "{p}");
        }
        // Reported even when an earlier chunk already failed to match.
        assert_eq!(m("a[", "x"), Err(BadPattern));
        assert_eq!(m("x*[", "abc"), Err(BadPattern));
    }

    fn rules(text: &str) -> HelmIgnore {
        let mut r = HelmIgnore::parse(text).unwrap();
        r.add_defaults();
        r
    }

    /// The rules of Helm's `.helmignore` documentation (`pkg/ignore/doc.go`)
    /// and helm.md §2.13, each with the documented outcome.
    #[test]
    fn documented_rules() {
        // (rules, path, is_dir, ignored)
        let table: &[(&str, &str, bool, bool)] = &[
            // Match any file named foo.txt
            ("foo.txt", "foo.txt", false, true),
            ("foo.txt", "a/b/foo.txt", false, true),
            ("foo.txt", "foo.txt.bak", false, false),
            // Match any text file
            ("*.txt", "a.txt", false, true),
            ("*.txt", "dir/deeper/a.txt", false, true),
            ("*.txt", "a.yaml", false, false),
            // Match only directories named mydir
            ("mydir/", "mydir", true, true),
            ("mydir/", "a/mydir", true, true),
            ("mydir/", "mydir", false, false),
            // Match only text files in the top-level directory
            ("/*.txt", "a.txt", false, true),
            ("/*.txt", "dir/a.txt", false, false),
            // Match only the file foo.txt in the top-level directory
            ("/foo.txt", "foo.txt", false, true),
            ("/foo.txt", "a/foo.txt", false, false),
            // Match any file named ab.txt, ac.txt, or ad.txt
            ("a[b-d].txt", "ab.txt", false, true),
            ("a[b-d].txt", "ad.txt", false, true),
            ("a[b-d].txt", "ae.txt", false, false),
            // A rule with a slash matches the whole path, anchored.
            ("templates/*.tpl", "templates/_h.tpl", false, true),
            ("templates/*.tpl", "x/templates/_h.tpl", false, false),
            ("templates/*.tpl", "templates/sub/_h.tpl", false, false),
            // Inline comments are not comments.
            ("foo* # Any foo", "foo", false, false),
            ("foo* # Any foo", "foobar # Any foo", false, true),
            // Leading and trailing spaces are ignored.
            ("   *.bak   ", "x.bak", false, true),
            // Comments and blank lines add nothing.
            ("# *.yaml\n\n", "values.yaml", false, false),
            // The default rule: dotfiles in templates/.
            ("", "templates/.hidden", false, true),
            ("", "templates/.git", true, true),
            ("", "templates/a/.hidden", false, false),
            ("", ".helmignore", false, false),
            // `.?*` needs two characters after the slash.
            ("", "templates/.", false, false),
            // Helm's negation: a path that does not match `!rule` is ignored.
            ("*.txt\n!a.txt", "Chart.yaml", false, true),
            ("!a.txt", "Chart.yaml", false, true),
            ("!a.txt", "a.txt", false, false),
            ("*.txt\n!a.txt", "a.txt", false, true),
            // Negated directory rule: every file is ignored.
            ("!dir/", "Chart.yaml", false, true),
            ("!dir/", "dir", true, false),
            // The root is never ignored.
            ("*", "", true, false),
            ("*", ".", true, false),
            ("*", "Chart.yaml", false, true),
        ];
        for (text, path, is_dir, want) in table {
            assert_eq!(
                rules(text).ignore(path, *is_dir),
                *want,
                "rules {text:?}, path {path:?} (dir: {is_dir})"
            );
        }
    }

    #[test]
    fn double_star_is_an_error_with_line() {
        let e = HelmIgnore::parse("# c\n*.txt\nfoo/**/bar\n").unwrap_err();
        match e {
            ChartError::HelmIgnore { line, message, .. } => {
                assert_eq!(line, 3);
                assert_eq!(message, "double-star (**) syntax is not supported");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn malformed_glob_is_an_error() {
        let e = HelmIgnore::parse("a[\n").unwrap_err();
        assert_eq!(e.to_string(), "syntax error in pattern");
        // Validation sees the rule as written, `!` and slashes included.
        assert!(HelmIgnore::parse("!x[\n").is_err());
        assert!(HelmIgnore::parse("dir/\n").is_ok());
    }

    #[test]
    fn bom_and_crlf_are_tolerated() {
        let r = HelmIgnore::parse("\u{feff}*.bak\r\n/x.txt\r\n").unwrap();
        assert!(r.ignore("a.bak", false));
        assert!(r.ignore("x.txt", false));
    }

    #[test]
    fn base_like_go() {
        assert_eq!(go_base("a/b/c"), "c");
        assert_eq!(go_base("c"), "c");
        assert_eq!(go_base("a/"), "a");
        assert_eq!(go_base("/"), "/");
    }
}

/// `filepath.Match` cases (also the `--show-only` matcher of `manifest`).
#[cfg(test)]
mod go_match_cases {
    fn m(p: &str, n: &str) -> bool {
        super::go_match(p, n).unwrap_or(false)
    }

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
