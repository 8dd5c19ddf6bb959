//! Splitting rendered text into documents exactly where Helm splits it.
//!
//! Helm does not use a YAML parser to find documents: `SplitManifests`
//! (`pkg/release/v1/util/manifest.go`) trims the text and splits it with the
//! Go regular expression `(?:^|\s*\n)---\s*`, drops empty pieces and trims
//! each remaining one. The consequences are visible in the output, so they
//! are reproduced here rather than "fixed":
//!
//! * `---foo: 1` at the start of a line is a separator (the document is `foo: 1`);
//! * a `---` at column 0 inside a block scalar splits the document;
//! * after a separator, the next `---` counts only if a newline precedes it
//!   *after* the whitespace the first one swallowed, so `a\n---\n---\nb`
//!   yields `a` and `---\nb`, and `a\n---\n---\n---\nb` yields `a`, `---`, `b`;
//! * every document loses its leading and trailing whitespace (even the
//!   indentation of its first line).
//!
//! The scan below walks the bytes instead of compiling the regex: the
//! expression is simple enough that its leftmost-first matches can be found
//! directly (see [`next_separator`]), and the walk reports offsets, which the
//! error reporter needs to turn a document line into a file line.

/// One document of a rendered file, as Helm cuts it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Piece<'a> {
    /// Byte offset of the (trimmed) document within the text given to
    /// [`split_manifests`].
    pub offset: usize,
    /// The document text, trimmed like Go's `strings.TrimSpace`.
    pub text: &'a str,
}

/// Go's regexp `\s`: ASCII `[\t\n\f\r ]` only (no `\v`, no Unicode spaces).
fn is_go_regex_space(b: u8) -> bool {
    matches!(b, b'\t' | b'\n' | 0x0c | b'\r' | b' ')
}

/// Finds the leftmost match of `(?:^|\s*\n)---\s*` in `text` at or after
/// `from`, as Go's leftmost-first engine picks it, returning `(start, end)`.
///
/// * `^` (no multi-line flag) only matches at offset 0 of the whole text.
/// * Otherwise a match needs `\n---`; its start is pulled back over the run
///   of regex-whitespace before that newline (greedy `\s*`), but never before
///   `from` (matches do not overlap), and its end is pushed forward over all
///   whitespace after the dashes (greedy trailing `\s*`).
///
/// The first `\n---` after `from` always gives the leftmost start: any later
/// one could only start earlier if its whitespace run reached back across
/// the first one's dashes, and `-` is not whitespace.
fn next_separator(text: &str, from: usize) -> Option<(usize, usize)> {
    let bytes = text.as_bytes();
    let skip_space = |mut i: usize| {
        while i < bytes.len() && is_go_regex_space(bytes[i]) {
            i += 1;
        }
        i
    };
    if from == 0 && text.starts_with("---") {
        return Some((0, skip_space(3)));
    }
    let found = memchr::memmem::find(text.get(from..)?.as_bytes(), b"\n---")? + from;
    let mut start = found;
    while start > from && is_go_regex_space(bytes[start - 1]) {
        start -= 1;
    }
    Some((start, skip_space(found + 4)))
}

/// Splits rendered text into documents like Helm's `SplitManifests`.
///
/// Empty pieces are dropped; pieces keep their order. The offsets refer to
/// `text` itself (not to its trimmed form).
pub fn split_manifests(text: &str) -> Vec<Piece<'_>> {
    // Helm trims the whole text first (Go `TrimSpace` and Rust `trim` agree:
    // both use the Unicode White_Space property).
    let trimmed = text.trim();
    let base = trimmed.as_ptr() as usize - text.as_ptr() as usize;
    let mut raw: Vec<(usize, &str)> = Vec::new();
    let mut begin = 0;
    let mut pos = 0;
    while let Some((start, end)) = next_separator(trimmed, pos) {
        // Go's Regexp.Split skips the piece before a match ending at 0;
        // matches are never empty here, so only a match at 0 yields "".
        raw.push((begin, &trimmed[begin..start]));
        begin = end;
        pos = end;
    }
    raw.push((begin, &trimmed[begin..]));
    raw.into_iter()
        .filter(|(_, piece)| !piece.is_empty())
        .map(|(at, piece)| {
            let doc = piece.trim();
            let lead = piece.len() - piece.trim_start().len();
            Piece {
                offset: base + at + lead,
                text: doc,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn docs(text: &str) -> Vec<&str> {
        split_manifests(text).into_iter().map(|p| p.text).collect()
    }

    #[test]
    fn plain_stream() {
        assert_eq!(docs("a: 1\n---\nb: 2\n"), ["a: 1", "b: 2"]);
    }

    #[test]
    fn leading_separator_and_whitespace() {
        assert_eq!(docs("\n\n---\na: 1\n"), ["a: 1"]);
        assert_eq!(docs("---"), Vec::<&str>::new());
        assert_eq!(docs("  \n\t"), Vec::<&str>::new());
        assert_eq!(docs(""), Vec::<&str>::new());
    }

    #[test]
    fn separator_glued_to_text_splits() {
        // `---foo: 1` at column 0 is a separator; the document is `foo: 1`.
        assert_eq!(docs("a: 1\n---foo: 1\n"), ["a: 1", "foo: 1"]);
        assert_eq!(docs("---apiVersion: v1\n"), ["apiVersion: v1"]);
    }

    #[test]
    fn indented_dashes_are_content_but_column_zero_splits() {
        let indented = "data:\n  x: |\n    a\n    ---\n    b\n";
        assert_eq!(docs(indented), [indented.trim()]);
        // The separator regex needs `\n` right before `---`, but whitespace
        // before the newline is swallowed; indentation before `---` is not a
        // newline, so `  ---` never separates.
        let col0 = "data:\n  x: |\n    a\n---\n    b\n";
        assert_eq!(docs(col0), ["data:\n  x: |\n    a", "b"]);
    }

    #[test]
    fn consecutive_separators() {
        assert_eq!(docs("a\n---\n---\nb"), ["a", "---\nb"]);
        assert_eq!(docs("a\n---\n---\n---\nb"), ["a", "---", "b"]);
        assert_eq!(docs("a\n---\n\n\n---\nb"), ["a", "---\nb"]);
    }

    #[test]
    fn comment_only_documents_are_kept() {
        assert_eq!(
            docs("# leading comment\n---\na: 1\n"),
            ["# leading comment", "a: 1"]
        );
    }

    #[test]
    fn trailing_separator_and_spaces_after_dashes() {
        assert_eq!(docs("a: 1\n---   \n"), ["a: 1"]);
        assert_eq!(docs("a: 1\n--- # c\nb: 2"), ["a: 1", "# c\nb: 2"]);
        assert_eq!(docs("a: 1   \n  \n---\nb: 2"), ["a: 1", "b: 2"]);
    }

    #[test]
    fn more_dashes_leave_a_dash() {
        assert_eq!(docs("a: 1\n----\nb: 2"), ["a: 1", "-\nb: 2"]);
    }

    #[test]
    fn documents_lose_first_line_indentation() {
        assert_eq!(
            docs("a: 1\n---\n   b: 2\n   c: 3"),
            ["a: 1", "b: 2\n   c: 3"]
        );
    }

    #[test]
    fn vertical_tab_is_not_a_regex_space_but_is_trimmed() {
        // `\v` before the newline stops the start of the match (Go's `\s`
        // lacks it), then TrimSpace removes it from the piece anyway.
        assert_eq!(docs("a: 1\x0b\n---\nb: 2"), ["a: 1", "b: 2"]);
        // After the dashes the regex stops at `\v`; TrimSpace removes it.
        assert_eq!(docs("a: 1\n---\x0b\nb: 2"), ["a: 1", "b: 2"]);
    }

    #[test]
    fn crlf_line_ends() {
        assert_eq!(docs("a: 1\r\n---\r\nb: 2\r\n"), ["a: 1", "b: 2"]);
    }

    #[test]
    fn offsets_point_into_the_original_text() {
        let text = "\n\n  a: 1\n---\n\n  b: 2\n";
        for p in split_manifests(text) {
            assert_eq!(&text[p.offset..p.offset + p.text.len()], p.text);
        }
        let pieces = split_manifests(text);
        assert_eq!(pieces[0].offset, 4);
        assert_eq!(pieces[1].offset, 16);
    }
}
