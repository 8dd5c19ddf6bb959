//! A fast reader for the plain block-style YAML that kustomizations,
//! patches and resource files are nearly always written in.
//!
//! serde-saphyr is a complete YAML 1.2 reader, and on a 1,000-resource
//! overlay reading alone took half of `skiff build`'s instructions (events,
//! key fingerprints and serde's visitor layers for every scalar). This
//! reader walks the text line by line and builds [`Value`]s directly, for a
//! deliberately small subset: block maps and sequences (compact `- key:`
//! forms included), single-line plain, single- and double-quoted scalars,
//! `|` / `|-` literal blocks, flow collections (over several lines when no
//! scalar goes on past a line), comments and `---` separators. Whatever lies outside it — anchors, aliases, tags,
//! folded or kept blocks, multi-line plain or quoted scalars, duplicate
//! keys, tabs, control characters, anything malformed — makes it answer
//! `None`, and the caller reads the text with serde-saphyr as before, which
//! also produces the errors. So it never has to get a rule of YAML right
//! that it does not implement.
//!
//! Plain scalars that could be anything but a string (`yes`, `~`, `1.5`,
//! `0755`, `2024-01-01`, …) are resolved by serde-saphyr itself, with the
//! caller's options, in a one-line document: only letter-initial words
//! that no YAML 1.1 or 1.2 rule types and plain decimal integers are typed
//! here. Tests compare the two readers on every YAML file of the
//! repository and the conformance corpus.

use crate::value::{Map, Value};
use serde_saphyr::{DuplicateKeyPolicy, Options};
use std::borrow::Cow;

/// Reads a stream of `---`-separated documents, or `None` when the text
/// needs the full reader. Text before the first `---` and after the last
/// one counts only when it has content.
pub fn parse_stream(src: &str, options: &Options, timestamps: Timestamps) -> Option<Vec<Value>> {
    read_stream(src, options, timestamps, None)
}

/// [`parse_stream`], building only `cut` levels of containers below each
/// document when `cut` is set (see [`parse_single_head`]).
fn read_stream(
    src: &str,
    options: &Options,
    timestamps: Timestamps,
    cut: Option<usize>,
) -> Option<Vec<Value>> {
    if !plain_text(src) {
        return None;
    }
    // `str::split` with a char pattern, by memchr: one pass to count, one
    // to cut, no per-line searcher.
    let mut lines: Vec<&str> =
        Vec::with_capacity(memchr::memchr_iter(b'\n', src.as_bytes()).count() + 1);
    let mut from = 0;
    for end in memchr::memchr_iter(b'\n', src.as_bytes()) {
        lines.push(&src[from..end]);
        from = end + 1;
    }
    lines.push(&src[from..]);
    // A final line without '\n' is complete text; an empty last piece is
    // just the end of the final line.
    let ends_with_newline = src.ends_with('\n');
    let count = if ends_with_newline {
        lines.len() - 1
    } else {
        lines.len()
    };
    let tabs = memchr::memchr(b'\t', src.as_bytes()).is_some();
    let mut docs = Vec::new();
    let mut start = 0;
    let mut explicit = false;
    for i in 0..=count {
        let marker = i < count && is_marker(lines[i])?;
        if marker || i == count {
            let body = &lines[start..i];
            let has_content = body.iter().any(|l| !blank_or_comment(l));
            if explicit && !has_content {
                // serde-saphyr drops an empty document after a final `---`;
                // empty ones between documents go to the full reader.
                if i != count {
                    return None;
                }
            } else if has_content {
                let mut doc = Doc {
                    lines: body,
                    i: 0,
                    options,
                    timestamps: timestamps == Timestamps::Rfc3339,
                    in_annotations: false,
                    cut,
                    depth: 0,
                    content: None,
                    tabs,
                };
                docs.push(doc.document()?);
            }
            start = i + 1;
            explicit = true;
        }
    }
    Some(docs)
}

/// [`parse_stream`] on two threads for large texts: the text is cut at a
/// `---` line near its middle and the halves are read side by side. The
/// reader treats every column-0 `---` line as a document boundary, so the
/// halves give the same documents as the whole, except that an empty
/// document right before the cut is dropped instead of declined — callers
/// that ignore empty documents (resources, patches) see no difference.
///
/// `options` makes the reader options (serde-saphyr's are neither `Send`
/// nor `Sync`, so each thread makes its own).
pub fn parse_stream_parallel(
    src: &str,
    options: fn() -> Options,
    timestamps: Timestamps,
) -> Option<Vec<Value>> {
    /// Below this, a thread costs more than it saves.
    const MIN_PARALLEL: usize = 128 * 1024;
    // The length first: asking for the parallelism reads cgroup files.
    if src.len() < MIN_PARALLEL || crate::parallel::cores() < 2 {
        return parse_stream(src, &options(), timestamps);
    }
    let mut cut = None;
    let mut from = src.len() / 2;
    while let Some(pos) = src[from..].find("\n---") {
        let at = from + pos + 1;
        let rest = &src[at + 3..];
        if rest.is_empty() || rest.starts_with('\n') {
            cut = Some(at);
            break;
        }
        from = at;
    }
    let Some(cut) = cut else {
        return parse_stream(src, &options(), timestamps);
    };
    let (first, second) = src.split_at(cut);
    let (b, a) = crate::parallel::join(
        move || parse_stream(second, &options(), timestamps),
        || parse_stream(first, &options(), timestamps),
    );
    let mut docs = a?;
    docs.extend(b?);
    Some(docs)
}

/// Reads exactly one document (`null` when empty), or `None` when the text
/// needs the full reader — including when it holds several documents,
/// which the single-document reader reports as an error.
pub fn parse_single(src: &str, options: &Options) -> Option<Value> {
    single(read_stream(src, options, Timestamps::Keep, None)?)
}

/// [`parse_single`] that builds only what lies at most `levels` containers
/// below the document: a map or list at that depth is kept empty, and
/// whatever it holds is read (so the text is declined exactly when
/// [`parse_single`] declines it) but not built. A document read this way
/// equals the full reader's with the same cut (`read::parse_document_head`).
pub fn parse_single_head(src: &str, options: &Options, levels: usize) -> Option<Value> {
    // Keys below the cut are not gathered, so a duplicate there goes
    // unseen: right only when a later key simply replaces an earlier one.
    let last_wins = matches!(options.duplicate_keys, DuplicateKeyPolicy::LastWins);
    let mut doc = single(read_stream(
        src,
        options,
        Timestamps::Keep,
        last_wins.then_some(levels),
    )?)?;
    if !last_wins {
        cut_below(&mut doc, levels);
    }
    Some(doc)
}

fn single(mut docs: Vec<Value>) -> Option<Value> {
    match docs.len() {
        0 => Some(Value::Null),
        1 => docs.pop(),
        _ => None,
    }
}

/// Text the subset can read at all: no carriage returns, control or
/// non-printable characters, or YAML 1.1 line separators (NEL, LS, PS),
/// which the full reader treats specially.
fn plain_text(src: &str) -> bool {
    // Whole chunks are tested without an early exit, which lets the
    // compiler test many bytes per instruction.
    let mut ascii = true;
    for chunk in src.as_bytes().chunks(64) {
        let mut control = false;
        let mut high = false;
        for &b in chunk {
            control |= (b < 0x20 && b != b'\n' && b != b'\t') | (b == 0x7f);
            high |= b >= 0x80;
        }
        if control {
            return false;
        }
        ascii &= !high;
    }
    if ascii {
        return true;
    }
    !src.chars().any(|c| {
        matches!(
            c,
            '\u{80}'..='\u{9f}' | '\u{2028}' | '\u{2029}' | '\u{feff}' | '\u{fffe}' | '\u{ffff}'
        )
    })
}

/// Whether a line is a `---` document marker; `None` for markers the subset
/// does not read (`--- value`, `...`, `%` directives).
fn is_marker(line: &str) -> Option<bool> {
    if line.starts_with('%') || line == "..." || line.starts_with("... ") {
        return None;
    }
    if line == "---" {
        return Some(true);
    }
    match line.strip_prefix("--- ") {
        Some(rest) => {
            let rest = rest.trim_start_matches(' ');
            (rest.is_empty() || rest.starts_with('#')).then_some(true)
        }
        None if line.starts_with("---\t") => None,
        None => Some(false),
    }
}

fn blank_or_comment(line: &str) -> bool {
    match line.bytes().find(|b| *b != b' ' && *b != b'\t') {
        None => true,
        Some(b) => b == b'#',
    }
}

/// Leading spaces of a line.
fn indent(line: &str) -> usize {
    line.bytes().take_while(|b| *b == b' ').count()
}

/// Rest of a line after a value: empty, or a comment after a space.
fn only_comment(rest: &str) -> bool {
    let t = rest.trim_start_matches(' ');
    t.is_empty() || (t.starts_with('#') && t.len() < rest.len())
}

/// A sequence entry starts at `text`: `-` then a space or the end.
fn is_seq_entry(text: &str) -> bool {
    text == "-" || text.starts_with("- ")
}

/// What becomes of plain scalars that look like timestamps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Timestamps {
    /// They stay strings, as written (Helm's reading, kustomization files).
    Keep,
    /// They become RFC 3339 strings the way kustomize prints them: kyaml
    /// keeps resources as YAML nodes, and when a build is printed an
    /// untagged plain scalar that go-yaml resolves as `!!timestamp`
    /// decodes to a Go `time.Time`, which JSON writes in RFC 3339 form
    /// (`date: 2024-01-02` → `"2024-01-02T00:00:00Z"`). Values under a
    /// resource's `metadata.annotations` are exempt: kustomize's reader
    /// rewrites the annotations of every document it reads as tagged
    /// strings (items of a `kind: List`, expanded later, keep theirs). Only the
    /// fast reader knows plain from quoted; text it declines keeps its
    /// timestamps as written.
    Rfc3339,
}

/// Where a map sits in a resource, for the annotation exemption.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Place {
    /// A document root.
    Root,
    /// The root's `metadata`.
    Metadata,
    /// Anywhere else.
    Other,
}

/// What holds a value: a block map entry or a block sequence entry.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Holder {
    Map,
    Seq,
}

struct Doc<'a, 'o> {
    lines: &'a [&'a str],
    /// The current line.
    i: usize,
    options: &'o Options,
    /// Convert plain timestamps ([`Timestamps::Rfc3339`]).
    timestamps: bool,
    /// Inside `metadata.annotations`, where they stay as written.
    in_annotations: bool,
    /// Values nested deeper than this many containers are read, not built.
    cut: Option<usize>,
    /// How many containers hold the value being read.
    depth: usize,
    /// The last line [`Doc::next_content`] found, with its indent.
    content: Option<(usize, usize)>,
    /// Whether the text holds a tab anywhere (else no line is searched
    /// for one).
    tabs: bool,
}

impl<'a> Doc<'a, '_> {
    fn document(&mut self) -> Option<Value> {
        let Some((line, ind)) = self.next_content()? else {
            return Some(Value::Null);
        };
        let v = if ind == 0 && matches!(line.as_bytes()[0], b'{' | b'[') {
            // A one-line flow document (`{}`, `[a, b]`); a flow root would
            // need the annotation exemption, so it keeps its timestamps.
            let mut v = one_line_flow(line, self.options, false)?;
            self.cut_flow(&mut v);
            self.i += 1;
            v
        } else {
            self.block_at_line(ind, Place::Root)?
        };
        match self.next_content()? {
            None => Some(v),
            Some(_) => None,
        }
    }

    /// Moves to the next line with content and returns it with its indent;
    /// `None` inside when the document ends, outer `None` for tabs in the
    /// indentation.
    fn next_content(&mut self) -> Option<Option<(&'a str, usize)>> {
        // A value's end and its holder's loop both ask about the same line.
        if let Some((at, ind)) = self.content
            && at == self.i
        {
            return Some(Some((self.lines[at], ind)));
        }
        while self.i < self.lines.len() {
            let line = self.lines[self.i];
            let ind = indent(line);
            match line.as_bytes().get(ind) {
                None | Some(b'#') => {}
                Some(b'\t') if blank_or_comment(line) => {}
                Some(b'\t') => return None,
                Some(_) => {
                    self.content = Some((self.i, ind));
                    return Some(Some((line, ind)));
                }
            }
            self.i += 1;
        }
        Some(None)
    }

    /// A collection starting at column `ind` of the current line.
    fn block_at_line(&mut self, ind: usize, place: Place) -> Option<Value> {
        let text = &self.lines[self.i][ind..];
        if is_seq_entry(text) {
            self.seq(ind)
        } else if let Some(entry) = map_key(text, self.options)? {
            self.map(ind, place, Some(entry))
        } else {
            None
        }
    }

    /// After a value that ends on the current line: moves past it and makes
    /// sure no more-indented line continues it (a multi-line scalar).
    fn end_of_inline_value(&mut self, parent: usize) -> Option<()> {
        self.i += 1;
        match self.next_content()? {
            Some((_, ind)) if ind > parent => None,
            _ => Some(()),
        }
    }

    /// Whether the value being read is built (else only read).
    fn building(&self) -> bool {
        self.cut.is_none_or(|c| self.depth <= c)
    }

    /// A block sequence whose entries sit at column `n`; the first may start
    /// mid-line (`- - a`).
    fn seq(&mut self, n: usize) -> Option<Value> {
        let mut items = Vec::new();
        // A `None` anywhere declines the whole document, so the depth is
        // only restored on success.
        self.depth += 1;
        loop {
            let line = self.lines[self.i];
            let text = &line[n..];
            if !is_seq_entry(text) {
                return None;
            }
            let after = &text[1..];
            let spaces = after.len() - after.trim_start_matches(' ').len();
            let col = n + 1 + spaces;
            let item = self.value(&line[col..], col, n, Holder::Seq, Place::Other)?;
            if self.building() {
                items.push(item);
            }
            match self.next_content()? {
                Some((line, ind)) if ind == n && is_seq_entry(&line[n..]) => continue,
                Some((_, ind)) if ind > n => return None,
                _ => break,
            }
        }
        self.depth -= 1;
        Some(Value::Seq(items))
    }

    /// A block map whose keys sit at column `n`; the first may start
    /// mid-line (`- key: value`). `first` is the first entry's key and the
    /// text after its `:` when the caller has read them already.
    fn map(&mut self, n: usize, place: Place, mut first: Option<Entry<'a>>) -> Option<Value> {
        let mut map = Map::default();
        self.depth += 1;
        loop {
            let line = self.lines[self.i];
            let (key, rest) = match first.take() {
                Some(entry) => entry,
                None => map_key(&line[n..], self.options)??,
            };
            let rest_col = line.len() - rest.len();
            let trimmed = rest.trim_start_matches(' ');
            let col = rest_col + (rest.len() - trimmed.len());
            let (child, annotations) = match (place, &*key) {
                (Place::Root, "metadata") => (Place::Metadata, false),
                (Place::Metadata, "annotations") => (Place::Other, true),
                _ => (Place::Other, false),
            };
            let outer = self.in_annotations;
            self.in_annotations |= annotations;
            let v = self.value(trimmed, col, n, Holder::Map, child);
            self.in_annotations = outer;
            let v = v?;
            if self.building() {
                match map.entry(key.into_owned()) {
                    // With Helm's options a later duplicate replaces the
                    // value in the first one's place; other policies are
                    // left to the full reader.
                    indexmap::map::Entry::Occupied(mut slot) => {
                        if !matches!(self.options.duplicate_keys, DuplicateKeyPolicy::LastWins) {
                            return None;
                        }
                        slot.insert(v);
                    }
                    indexmap::map::Entry::Vacant(slot) => {
                        slot.insert(v);
                    }
                }
            }
            match self.next_content()? {
                Some((line, ind)) if ind == n && !is_seq_entry(&line[n..]) => continue,
                Some((_, ind)) if ind >= n => return None,
                _ => break,
            }
        }
        self.depth -= 1;
        Some(Value::Map(map))
    }

    /// The value after `key:` or `- `: `text` is the rest of the current
    /// line from column `col`, `parent` the column of the holder's keys or
    /// dashes. Leaves the current line after the value.
    fn value(
        &mut self,
        text: &'a str,
        col: usize,
        parent: usize,
        holder: Holder,
        place: Place,
    ) -> Option<Value> {
        let convert = self.timestamps && !self.in_annotations;
        // `text` follows a space (or starts the line), so `#` opens a comment.
        if text.is_empty() || text.starts_with('#') {
            self.i += 1;
            return match self.next_content()? {
                // A flow collection on a line of its own (`annotations:`
                // then `{}` below it, as `toYaml | nindent` writes it).
                Some((line, ind))
                    if ind > parent && matches!(line.as_bytes()[ind], b'{' | b'[') =>
                {
                    self.flow_value(&line[ind..], parent, convert && place == Place::Other)
                }
                // A literal block whose `|` has a line of its own.
                Some((line, ind)) if ind > parent && line.as_bytes()[ind] == b'|' => {
                    self.literal_block(&line[ind..], parent)
                }
                Some((_, ind)) if ind > parent => self.block_at_line(ind, place),
                Some((line, ind))
                    if ind == parent && holder == Holder::Map && is_seq_entry(&line[ind..]) =>
                {
                    self.seq(ind)
                }
                _ => Some(Value::Null),
            };
        }
        if self.tabs && text.contains('\t') {
            return None;
        }
        let first = text.as_bytes()[0];
        // `- key: value`: a map starts in the entry.
        let entry = match first {
            b'|' | b'{' | b'[' => None,
            _ if holder == Holder::Seq => map_key(text, self.options)?,
            _ => None,
        };
        match first {
            b'|' => self.literal_block(text, parent),
            // A flow `metadata` (or root) would need the annotation exemption
            // inside it; such rare text keeps its timestamps as written.
            b'{' | b'[' => self.flow_value(text, parent, convert && place == Place::Other),
            b'-' if is_seq_entry(text) => match holder {
                Holder::Seq => self.seq(col),
                Holder::Map => None,
            },
            _ if entry.is_some() => self.map(col, place, entry),
            b'\'' if quoted(text).is_none() => {
                let s = self.single_quoted_lines(text, parent)?;
                self.end_of_inline_value(parent)?;
                Some(Value::String(s))
            }
            b'"' | b'\'' if !self.building() => {
                let used = quoted_with(text, |_| {})?;
                if !only_comment(&text[used..]) {
                    return None;
                }
                self.end_of_inline_value(parent)?;
                Some(Value::Null)
            }
            b'"' | b'\'' => {
                let (s, used) = quoted(text)?;
                if !only_comment(&text[used..]) {
                    return None;
                }
                self.end_of_inline_value(parent)?;
                Some(Value::String(s))
            }
            b'>' | b'&' | b'*' | b'!' | b'%' | b'@' | b'`' | b'?' | b':' | b',' | b']' | b'}'
            | b'#' => None,
            _ => {
                let end = find_pair(text, b' ', b'#').unwrap_or(text.len());
                let s = text[..end].trim_end_matches(' ');
                if find_pair(s, b':', b' ').is_some() || s.ends_with(':') {
                    return None;
                }
                // A multi-line scalar not built is only read, when it is
                // a string whatever its other lines hold: one that starts
                // with a letter (it holds a space, so it is no typed word
                // and no timestamp) or with a character no typed scalar
                // starts with.
                let b = s.as_bytes();
                let build = self.building() || !(b[0].is_ascii_alphabetic() || untyped_start(b));
                // A comment ends the scalar on its first line.
                if end == text.len()
                    && let Some(folded) = self.plain_continuation(s, parent, build)?
                {
                    self.end_of_inline_value(parent)?;
                    if !build {
                        return Some(Value::Null);
                    }
                    return plain_multi_line(folded, self.options, convert);
                }
                self.end_of_inline_value(parent)?;
                if self.building() {
                    resolve_plain(s, self.options, convert)
                } else {
                    check_plain(s, self.options).then_some(Value::Null)
                }
            }
        }
    }

    /// A one-line flow collection that fills the rest of the current line
    /// (`text`), for a holder at column `parent`.
    fn flow_value(&mut self, text: &str, parent: usize, convert: bool) -> Option<Value> {
        let mut v = match one_line_flow(text, self.options, convert) {
            Some(v) => v,
            None => one_line_flow(&self.flow_lines(text, parent)?, self.options, convert)?,
        };
        self.end_of_inline_value(parent)?;
        self.cut_flow(&mut v);
        Some(v)
    }

    /// The lines of a flow collection that `first` (the rest of the current
    /// line) opens and a later line closes, as one line: comments dropped,
    /// each line's text trimmed and joined to the next by a space. That is
    /// how YAML reads it when no scalar goes on past a line (a plain
    /// scalar's line break folds to a space too, but the lines around it
    /// decide more than the subset wants to know). `None` for what the
    /// subset leaves to the full reader: a collection closed on the first
    /// line (it failed for another reason), a quoted scalar open at a
    /// line's end, two lines whose meeting could be inside a scalar, a line
    /// not indented past `parent`, tabs, text after the closing bracket.
    /// Leaves the current line on the closing one.
    fn flow_lines(&mut self, first: &str, parent: usize) -> Option<String> {
        let mut scan = FlowScan::default();
        let opening = scan.line(first)?;
        if opening.closed {
            return None;
        }
        let mut joined = String::from(opening.text);
        let mut i = self.i;
        loop {
            i += 1;
            let line = self.lines.get(i)?;
            if blank_or_comment(line) {
                continue;
            }
            if indent(line) <= parent || (self.tabs && line.contains('\t')) {
                return None;
            }
            let piece = scan.line(line.trim_start_matches(' '))?;
            let (before, after) = (
                joined.as_bytes()[joined.len() - 1],
                piece.text.as_bytes()[0],
            );
            if !matches!(before, b'[' | b'{' | b',' | b':') && !matches!(after, b']' | b'}' | b',')
            {
                return None;
            }
            joined.push(' ');
            joined.push_str(piece.text);
            if piece.closed {
                self.i = i;
                return Some(joined);
            }
        }
    }

    /// Empties what a flow collection read here holds past the cut (the
    /// block reader does not build it in the first place).
    fn cut_flow(&self, v: &mut Value) {
        if let Some(cut) = self.cut {
            cut_below(v, cut.saturating_sub(self.depth));
        }
    }

    /// The lines that continue the plain scalar `first` on the current line
    /// (indented past `parent`), folded the YAML way: one line break
    /// between two lines becomes a space, each blank line between them a
    /// line break. Inner `None` when no line continues it; outer `None` for
    /// continuation lines the subset leaves to the full reader (tabs,
    /// indicators at their start, `: `, ` #`, a trailing `:`). Leaves the
    /// current line on the last line of the scalar.
    /// With `build` false the lines are checked the same way but not
    /// folded (the string is empty).
    fn plain_continuation(
        &mut self,
        first: &str,
        parent: usize,
        build: bool,
    ) -> Option<Option<String>> {
        let mut folded: Option<String> = None;
        let mut blanks = 0;
        let mut j = self.i + 1;
        while j < self.lines.len() {
            let line = self.lines[j];
            let ind = indent(line);
            let rest = &line[ind..];
            if rest.is_empty() {
                blanks += 1;
                j += 1;
                continue;
            }
            if rest.starts_with('\t') {
                return None;
            }
            // A less-indented line or a comment line ends the scalar; the
            // caller checks what follows.
            if ind <= parent || rest.starts_with('#') {
                break;
            }
            let rest = rest.trim_end_matches(' ');
            // Inside a plain scalar only `: ` and ` #` end it, so indicators
            // at the start of a line are text (`!has(x)`, `|| y`); a `- `
            // or `? ` that would start a block node is left to the full
            // reader all the same.
            if (self.tabs && rest.contains('\t'))
                || find_pair(rest, b':', b' ').is_some()
                || find_pair(rest, b' ', b'#').is_some()
                || rest.ends_with(':')
                || is_seq_entry(rest)
                || rest == "?"
                || rest.starts_with("? ")
            {
                return None;
            }
            let out = folded.get_or_insert_with(|| {
                if build {
                    first.to_string()
                } else {
                    String::new()
                }
            });
            if build {
                fold_line_break(out, blanks);
                out.push_str(rest);
            }
            blanks = 0;
            self.i = j;
            j += 1;
        }
        Some(folded)
    }

    /// A single-quoted scalar that `first` opens and a later line (indented
    /// past `parent`) closes, its lines folded like a plain scalar's.
    /// Leaves the current line on the closing one.
    fn single_quoted_lines(&mut self, first: &str, parent: usize) -> Option<String> {
        let mut folded = first.trim_end_matches(' ').to_string();
        let mut blanks = 0;
        for j in self.i + 1..self.lines.len() {
            let line = self.lines[j];
            let ind = indent(line);
            let rest = &line[ind..];
            if rest.is_empty() {
                blanks += 1;
                continue;
            }
            if ind <= parent || (self.tabs && rest.contains('\t')) {
                return None;
            }
            fold_line_break(&mut folded, blanks);
            blanks = 0;
            match closing_quote(rest) {
                Some(end) => {
                    if !only_comment(&rest[end..]) {
                        return None;
                    }
                    folded.push_str(&rest[..end]);
                    let (s, used) = quoted(&folded)?;
                    if used != folded.len() {
                        return None;
                    }
                    self.i = j;
                    return Some(s);
                }
                None => folded.push_str(rest.trim_end_matches(' ')),
            }
        }
        None
    }

    /// A `|` or `|-` literal block scalar; `parent` is the holder's column,
    /// which the content must be indented past.
    fn literal_block(&mut self, header: &str, parent: usize) -> Option<Value> {
        let strip = match header.as_bytes().get(1) {
            None | Some(b' ') => false,
            Some(b'-') => true,
            _ => return None,
        };
        let after = if strip { &header[2..] } else { &header[1..] };
        if !(after.is_empty() || (after.starts_with(' ') && only_comment(after))) {
            return None;
        }
        let mut j = self.i + 1;
        let mut block_indent: Option<usize> = None;
        let mut leading_blank_max = 0;
        let mut out: Vec<&str> = Vec::new();
        while j < self.lines.len() {
            let line = self.lines[j];
            let sp = indent(line);
            let rest = &line[sp..];
            if rest.is_empty() {
                match block_indent {
                    Some(b) if sp > b => out.push(&line[b..]),
                    Some(_) => out.push(""),
                    None => {
                        leading_blank_max = leading_blank_max.max(sp);
                        out.push("");
                    }
                }
                j += 1;
                continue;
            }
            // A tab where indentation could continue: the full reader
            // rejects it as block content or ends the block; decline.
            if rest.starts_with('\t') && block_indent.is_none_or(|b| sp < b) {
                return None;
            }
            match block_indent {
                None if sp > parent => {
                    if leading_blank_max > sp {
                        return None;
                    }
                    block_indent = Some(sp);
                    out.push(rest);
                }
                Some(b) if sp >= b => out.push(&line[b..]),
                _ => break,
            }
            j += 1;
        }
        self.i = j;
        if !self.building() {
            return Some(Value::Null);
        }
        while out.last() == Some(&"") {
            out.pop();
        }
        if out.is_empty() {
            return Some(Value::String(String::new()));
        }
        let mut s = out.join("\n");
        if !strip {
            s.push('\n');
        }
        Some(Value::String(s))
    }
}

/// YAML line folding between two lines of a plain or quoted scalar with
/// `blanks` empty lines between them: a space when there are none, else one
/// line break per empty line.
fn fold_line_break(out: &mut String, blanks: usize) {
    if blanks == 0 {
        out.push(' ');
    }
    for _ in 0..blanks {
        out.push('\n');
    }
}

/// A flow collection that fills `text` (a comment may follow): `None`
/// when it goes on past the line or is not one the subset reads.
fn one_line_flow(text: &str, options: &Options, convert: bool) -> Option<Value> {
    let mut p = Flow {
        s: text.as_bytes(),
        text,
        pos: 0,
        options,
        convert,
    };
    let v = p.value()?;
    only_comment(&text[p.pos..]).then_some(v)
}

/// Follows the brackets of a flow collection line by line, for
/// [`Doc::flow_lines`].
#[derive(Default)]
struct FlowScan {
    /// Brackets open.
    depth: usize,
    /// Whether a scalar may start here (after a bracket, `,` or `: `), so
    /// that a quote opens a quoted one; inside a plain scalar it is text.
    at_start: bool,
}

/// One line's part of a flow collection.
struct FlowPiece<'t> {
    /// The line's text up to its comment or to the closing bracket, trimmed.
    text: &'t str,
    /// Whether the collection closes on this line.
    closed: bool,
}

impl FlowScan {
    /// Reads one line (without its indentation); `None` when a quoted
    /// scalar is left open, a bracket closes nothing, text follows the
    /// collection's closing bracket or the line has no text.
    fn line<'t>(&mut self, line: &'t str) -> Option<FlowPiece<'t>> {
        let b = line.as_bytes();
        let mut end = b.len();
        let mut i = 0;
        while i < b.len() {
            match b[i] {
                b'\'' | b'"' if self.at_start => {
                    i += quoted_with(&line[i..], |_| {})?;
                    self.at_start = false;
                    continue;
                }
                b'[' | b'{' => {
                    self.depth += 1;
                    self.at_start = true;
                }
                b']' | b'}' => {
                    self.depth = self.depth.checked_sub(1)?;
                    self.at_start = false;
                    if self.depth == 0 {
                        if !only_comment(&line[i + 1..]) {
                            return None;
                        }
                        return Some(FlowPiece {
                            text: line[..=i].trim(),
                            closed: true,
                        });
                    }
                }
                b',' => self.at_start = true,
                b':' if matches!(b.get(i + 1), None | Some(b' ')) => self.at_start = true,
                b'#' if i == 0 || b[i - 1] == b' ' => {
                    end = i;
                    break;
                }
                b' ' => {}
                _ => self.at_start = false,
            }
            i += 1;
        }
        let text = line[..end].trim_matches(' ');
        (!text.is_empty()).then_some(FlowPiece {
            text,
            closed: false,
        })
    }
}

/// Where the single-quoted scalar that `line` continues closes: the byte
/// after its quote (`''` is a quote inside it).
fn closing_quote(line: &str) -> Option<usize> {
    let b = line.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'\'' {
            if b.get(i + 1) == Some(&b'\'') {
                i += 2;
                continue;
            }
            return Some(i + 1);
        }
        i += 1;
    }
    None
}

/// A folded multi-line plain scalar: kept when every reader takes it as
/// the string it spells (it holds a space or a line break, so no number,
/// boolean or null can match; a timestamp with a space could).
fn plain_multi_line(folded: String, options: &Options, convert: bool) -> Option<Value> {
    if convert && go_yaml_timestamp(&folded).is_some() {
        return None;
    }
    match resolve_plain(&folded, options, false)? {
        Value::String(s) if s == folded => Some(Value::String(folded)),
        _ => None,
    }
}

/// A block map entry's key and the text after its `:`.
type Entry<'t> = (Cow<'t, str>, &'t str);

/// The key of a block map entry at the start of `text` and the text after
/// its `:`; inner `None` when `text` is not a map entry, outer `None` when
/// it is one the subset does not read.
fn map_key<'t>(text: &'t str, options: &Options) -> Option<Option<Entry<'t>>> {
    let b = text.as_bytes();
    if b.is_empty() {
        return Some(None);
    }
    if b[0] == b'"' || b[0] == b'\'' {
        let Some((k, used)) = quoted(text) else {
            return Some(None);
        };
        let rest = &text[used..];
        return Some(match rest.strip_prefix(':') {
            Some(r) if r.is_empty() || r.starts_with(' ') => Some((Cow::Owned(k), r)),
            _ => None,
        });
    }
    if is_seq_entry(text) {
        return Some(None);
    }
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'#' if i > 0 && b[i - 1] == b' ' => return Some(None),
            b':' if i + 1 == b.len() || b[i + 1] == b' ' => {
                let key = &text[..i];
                if key.is_empty()
                    || key.ends_with(' ')
                    || key.bytes().any(|b| b == b'\t')
                    || matches!(
                        b[0],
                        b'-' | b'?'
                            | b':'
                            | b','
                            | b'['
                            | b']'
                            | b'{'
                            | b'}'
                            | b'#'
                            | b'&'
                            | b'*'
                            | b'!'
                            | b'|'
                            | b'>'
                            | b'%'
                            | b'@'
                            | b'`'
                            | b'<'
                    )
                {
                    return None;
                }
                let key = if safe_word(key) {
                    Cow::Borrowed(key)
                } else {
                    Cow::Owned(resolve_key(key, options)?)
                };
                return Some(Some((key, &text[i + 1..])));
            }
            _ => {}
        }
        i += 1;
    }
    Some(None)
}

/// A single-line quoted scalar at the start of `text`: its value and the
/// bytes used.
fn quoted(text: &str) -> Option<(String, usize)> {
    let mut out = String::new();
    let used = quoted_with(text, |c| out.push(c))?;
    Some((out, used))
}

/// [`quoted`], handing each character of the value to `out`.
fn quoted_with(text: &str, mut out: impl FnMut(char)) -> Option<usize> {
    let mut chars = text.char_indices();
    let (_, q) = chars.next()?;
    if q == '\'' {
        while let Some((i, c)) = chars.next() {
            if c == '\'' {
                if text[i + 1..].starts_with('\'') {
                    chars.next();
                    out('\'');
                } else {
                    return Some(i + 1);
                }
            } else {
                out(c);
            }
        }
        return None;
    }
    while let Some((i, c)) = chars.next() {
        match c {
            '"' => return Some(i + 1),
            '\\' => {
                let (_, e) = chars.next()?;
                let hex = |n: usize, chars: &mut std::str::CharIndices| -> Option<char> {
                    let mut v = 0u32;
                    for _ in 0..n {
                        v = v * 16 + chars.next()?.1.to_digit(16)?;
                    }
                    char::from_u32(v)
                };
                out(match e {
                    '0' => '\0',
                    'a' => '\x07',
                    'b' => '\x08',
                    't' | '\t' => '\t',
                    'n' => '\n',
                    'v' => '\x0b',
                    'f' => '\x0c',
                    'r' => '\r',
                    'e' => '\x1b',
                    ' ' => ' ',
                    '"' => '"',
                    '/' => '/',
                    '\\' => '\\',
                    'N' => '\u{85}',
                    '_' => '\u{a0}',
                    'L' => '\u{2028}',
                    'P' => '\u{2029}',
                    'x' => hex(2, &mut chars)?,
                    'u' => hex(4, &mut chars)?,
                    'U' => hex(8, &mut chars)?,
                    _ => return None,
                });
            }
            _ => out(c),
        }
    }
    None
}

/// Where the two-byte sequence `a b` starts in `s` (`str::find` with a
/// string pattern, without its searcher set-up: values are short).
fn find_pair(s: &str, a: u8, b: u8) -> Option<usize> {
    let s = s.as_bytes();
    // Searched for by the byte that is not a space: spaces are everywhere.
    if a == b' ' {
        memchr::memchr_iter(b, s)
            .find(|&i| i > 0 && s[i - 1] == a)
            .map(|i| i - 1)
    } else {
        memchr::memchr_iter(a, s).find(|&i| s.get(i + 1) == Some(&b))
    }
}

/// A word that every YAML resolution leaves a string: `/`-initial, or
/// letter-initial and not one of the null, boolean or float words in any
/// case (Rust's float parser, which the full reader uses, accepts `inf`,
/// `infinity`, `nan`).
fn safe_word(s: &str) -> bool {
    let b = s.as_bytes();
    if untyped_start(b) {
        return true;
    }
    if b.is_empty() || !b[0].is_ascii_alphabetic() {
        return false;
    }
    // Every typed word starts with one of these letters, in either case.
    if b.len() > 8 || !matches!(b[0] | 0x20, b'n' | b't' | b'f' | b'y' | b'o' | b'i') {
        return true;
    }
    const TYPED: [&str; 12] = [
        "null", "true", "false", "yes", "no", "on", "off", "y", "n", "inf", "infinity", "nan",
    ];
    !TYPED.iter().any(|w| s.eq_ignore_ascii_case(w))
}

/// Text whose first characters no typed scalar starts with: `/`, `^`,
/// `(`, `$` or `\` (paths, regular expressions, expressions, variables);
/// `.` or `-` then a letter other than the `i`, `n` and `e` that start
/// `.inf`, `.nan`, `-inf` and exponents (`.metadata.name`, `-flag`); `--`
/// (command-line flags); `_` then `_` or a letter (`__address__`). A
/// number needs a digit, a `.` or a sign first, then a digit; the null,
/// boolean and float words start with a letter or `.`/sign then `i`/`n`.
fn untyped_start(b: &[u8]) -> bool {
    let letter = |c: Option<&u8>, not: &[u8]| {
        c.is_some_and(|c| c.is_ascii_alphabetic() && !not.contains(&(c | 0x20)))
    };
    match b.first() {
        Some(b'/' | b'^' | b'(' | b'$' | b'\\') => true,
        Some(b'.') => letter(b.get(1), b"ine"),
        Some(b'-') => b.get(1) == Some(&b'-') || letter(b.get(1), b"in"),
        Some(b'_') => b.get(1) == Some(&b'_') || letter(b.get(1), b""),
        _ => false,
    }
}

/// A plain decimal integer the full reader types as one: no sign other
/// than `-`, no leading zero, no `-0`, short enough for i64.
fn plain_int(s: &str) -> Option<i64> {
    let digits = s.strip_prefix('-').unwrap_or(s);
    if digits.is_empty()
        || digits.len() > 18
        || !digits.bytes().all(|b| b.is_ascii_digit())
        || (digits.starts_with('0') && (digits.len() > 1 || s.starts_with('-')))
    {
        return None;
    }
    s.parse().ok()
}

/// A digit-initial word that every YAML resolution leaves a string because
/// it holds a letter no typed scalar has: sizes and versions as charts
/// write them (`64Mi`, `200m`, `12-debian-12-r50`). Numbers use digits,
/// `.`, `_`, `+`, `-`, `e`, and the `0x`/`0o`/`0b` prefixes (so `x` and `o`
/// only count after the first digit: `2.x.x`) with hex digits;
/// timestamps add `:`, spaces, `t` and `z`; Rust's float parser (the full
/// reader's) takes `inf` and `nan` only after a sign, never after a digit.
fn digit_word(s: &str) -> bool {
    let b = s.as_bytes();
    b.first().is_some_and(u8::is_ascii_digit)
        && b.iter().enumerate().any(|(i, c)| {
            c.is_ascii_alphabetic()
                && !matches!(c | 0x20, b'a'..=b'f' | b't' | b'z')
                && !(i == 1 && matches!(c | 0x20, b'o' | b'x'))
        })
}

/// A version of three or more numbers (`1.9.0`, `2.31.10`): no YAML
/// number has two dots.
fn dotted_version(s: &str) -> bool {
    let mut parts = 0;
    for part in s.split('.') {
        if part.is_empty() || !part.bytes().all(|b| b.is_ascii_digit()) {
            return false;
        }
        parts += 1;
    }
    parts >= 3
}

/// A word every reader setting leaves the string it spells.
fn string_word(s: &str) -> bool {
    safe_word(s) || digit_word(s) || dotted_version(s)
}

fn resolve_plain(s: &str, options: &Options, timestamps: bool) -> Option<Value> {
    if string_word(s) {
        return Some(Value::String(s.to_string()));
    }
    if let Some(i) = plain_int(s) {
        return Some(Value::DocInt(i));
    }
    // The spellings every reader setting types the same way (a test
    // checks them against the full reader); asking it cost a document
    // parse per `true` of a values file.
    match s {
        "true" => return Some(Value::Bool(true)),
        "false" => return Some(Value::Bool(false)),
        "null" | "~" => return Some(Value::Null),
        _ => {}
    }
    if timestamps && let Some(t) = go_yaml_timestamp(s) {
        return Some(Value::String(t));
    }
    let doc = format!("k: {s}\n");
    match serde_saphyr::from_str_with_options::<Value>(&doc, options.clone()).ok()? {
        Value::Map(mut m) if m.len() == 1 => m.shift_remove("k"),
        _ => None,
    }
}

/// Whether [`resolve_plain`] reads `s` (with or without timestamps: a
/// timestamp is always read), without making the string of a string word.
fn check_plain(s: &str, options: &Options) -> bool {
    string_word(s) || resolve_plain(s, options, false).is_some()
}

/// Empties the maps and lists `levels` containers below `v` (a kept
/// container at the cut holds nothing).
fn cut_below(v: &mut Value, levels: usize) {
    match v {
        Value::Seq(items) if levels == 0 => items.clear(),
        Value::Map(map) if levels == 0 => map.clear(),
        Value::Seq(items) => items.iter_mut().for_each(|i| cut_below(i, levels - 1)),
        Value::Map(map) => map.values_mut().for_each(|i| cut_below(i, levels - 1)),
        _ => {}
    }
}

fn resolve_key(s: &str, options: &Options) -> Option<String> {
    let doc = format!("{s}: 0\n");
    match serde_saphyr::from_str_with_options::<Value>(&doc, options.clone()).ok()? {
        Value::Map(m) if m.len() == 1 => m.keys().next().cloned(),
        _ => None,
    }
}

/// A flow collection on one line.
struct Flow<'t, 'o> {
    s: &'t [u8],
    text: &'t str,
    pos: usize,
    options: &'o Options,
    /// Convert plain timestamps.
    convert: bool,
}

impl<'t> Flow<'t, '_> {
    fn skip_spaces(&mut self) {
        while self.pos < self.s.len() && self.s[self.pos] == b' ' {
            self.pos += 1;
        }
    }

    /// After a `,`: whether the collection closes with `bracket` (YAML
    /// allows a comma after the last entry), moving past it if so.
    fn closes(&mut self, bracket: u8) -> bool {
        self.skip_spaces();
        let closes = self.s.get(self.pos) == Some(&bracket);
        if closes {
            self.pos += 1;
        }
        closes
    }

    fn value(&mut self) -> Option<Value> {
        self.skip_spaces();
        match *self.s.get(self.pos)? {
            b'{' => {
                self.pos += 1;
                let mut map = Map::default();
                self.skip_spaces();
                if self.s.get(self.pos) == Some(&b'}') {
                    self.pos += 1;
                    return Some(Value::Map(map));
                }
                loop {
                    self.skip_spaces();
                    let key = match self.s.get(self.pos)? {
                        b'"' | b'\'' => {
                            let (k, used) = quoted(&self.text[self.pos..])?;
                            self.pos += used;
                            k
                        }
                        _ => {
                            let k = self.plain()?;
                            if safe_word(k) {
                                k.to_string()
                            } else {
                                resolve_key(k, self.options)?
                            }
                        }
                    };
                    // `key: value` only; `{a}` and `{a:}` go to the full reader.
                    if self.s.get(self.pos) != Some(&b':')
                        || self.s.get(self.pos + 1) != Some(&b' ')
                    {
                        return None;
                    }
                    self.pos += 1;
                    let v = self.value()?;
                    match map.entry(key) {
                        indexmap::map::Entry::Occupied(_) => return None,
                        indexmap::map::Entry::Vacant(slot) => {
                            slot.insert(v);
                        }
                    }
                    self.skip_spaces();
                    match self.s.get(self.pos)? {
                        b',' => {
                            self.pos += 1;
                            if self.closes(b'}') {
                                return Some(Value::Map(map));
                            }
                        }
                        b'}' => {
                            self.pos += 1;
                            return Some(Value::Map(map));
                        }
                        _ => return None,
                    }
                }
            }
            b'[' => {
                self.pos += 1;
                let mut items = Vec::new();
                self.skip_spaces();
                if self.s.get(self.pos) == Some(&b']') {
                    self.pos += 1;
                    return Some(Value::Seq(items));
                }
                loop {
                    items.push(self.value()?);
                    self.skip_spaces();
                    match self.s.get(self.pos)? {
                        b',' => {
                            self.pos += 1;
                            if self.closes(b']') {
                                return Some(Value::Seq(items));
                            }
                        }
                        b']' => {
                            self.pos += 1;
                            return Some(Value::Seq(items));
                        }
                        _ => return None,
                    }
                }
            }
            b'"' | b'\'' => {
                let (v, used) = quoted(&self.text[self.pos..])?;
                self.pos += used;
                Some(Value::String(v))
            }
            _ => {
                let p = self.plain()?;
                if self.s.get(self.pos) == Some(&b':') {
                    // An implicit single-pair map inside `[...]`.
                    return None;
                }
                resolve_plain(p, self.options, self.convert)
            }
        }
    }

    /// A plain scalar inside a flow collection.
    fn plain(&mut self) -> Option<&'t str> {
        let start = self.pos;
        match self.s.get(start)? {
            b'-' | b'?' | b':' if self.s.get(start + 1).is_none_or(|c| *c == b' ') => return None,
            b'&' | b'*' | b'!' | b'|' | b'>' | b'%' | b'@' | b'`' | b'#' | b',' | b'[' | b']'
            | b'{' | b'}' => return None,
            _ => {}
        }
        let mut i = start;
        while i < self.s.len() {
            match self.s[i] {
                b',' | b'[' | b']' | b'{' | b'}' => break,
                b':' if matches!(self.s.get(i + 1), None | Some(b' ' | b',' | b']' | b'}')) => {
                    break;
                }
                b'#' if self.s[i - 1] == b' ' => return None,
                _ => {}
            }
            i += 1;
        }
        let p = self.text[start..i].trim_end_matches(' ');
        if p.is_empty() {
            return None;
        }
        self.pos = i;
        Some(p)
    }
}

/// go-yaml's `!!timestamp` resolution of a plain scalar, printed the way
/// Go's `time.Time` marshals to JSON (RFC 3339 with nanoseconds, trailing
/// zeros dropped, `Z` for UTC): `None` when the scalar is not a timestamp.
///
/// go-yaml (v2 `resolve.go` and v3 alike) first requires four digits and a
/// `-`, then tries Go's `time.Parse` with four layouts in turn:
/// `2006-1-2T15:4:5.999999999Z07:00`, the same with a lower-case `t`,
/// `2006-1-2 15:4:5.999999999` (UTC) and `2006-1-2` (UTC midnight). Go's
/// parser takes one or two digits for the unpadded fields, any number of
/// fraction digits after `.` or `,` (keeping nine), a space in the layout
/// as one or more spaces, and checks every field's range.
pub fn go_yaml_timestamp(s: &str) -> Option<String> {
    let b = s.as_bytes();
    if b.len() < 5 || !b[..4].iter().all(u8::is_ascii_digit) || b[4] != b'-' {
        return None;
    }
    [b'T', b't', b' ', 0]
        .iter()
        .find_map(|&sep| parse_go_time(b, sep))
        .map(|t| t.rfc3339())
}

/// A parsed wall-clock time with its UTC offset in seconds.
struct GoTime {
    year: u32,
    month: u32,
    day: u32,
    hour: u32,
    minute: u32,
    second: u32,
    nanos: u32,
    offset: i32,
}

impl GoTime {
    fn rfc3339(&self) -> String {
        let mut out = format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}",
            self.year, self.month, self.day, self.hour, self.minute, self.second
        );
        if self.nanos > 0 {
            let frac = format!("{:09}", self.nanos);
            out.push('.');
            out.push_str(frac.trim_end_matches('0'));
        }
        if self.offset == 0 {
            out.push('Z');
        } else {
            let sign = if self.offset < 0 { '-' } else { '+' };
            let abs = self.offset.unsigned_abs();
            out.push_str(&format!("{sign}{:02}:{:02}", abs / 3600, abs / 60 % 60));
        }
        out
    }
}

/// Go's `getnum(s, false)`: one digit, or two when two follow.
fn go_num(b: &[u8], i: &mut usize) -> Option<u32> {
    let d = |k: usize| {
        b.get(k)
            .filter(|c| c.is_ascii_digit())
            .map(|c| u32::from(c - b'0'))
    };
    let first = d(*i)?;
    match d(*i + 1) {
        Some(second) => {
            *i += 2;
            Some(first * 10 + second)
        }
        None => {
            *i += 1;
            Some(first)
        }
    }
}

/// One of go-yaml's layouts; `sep` is the date/time separator, 0 for the
/// date-only layout.
fn parse_go_time(b: &[u8], sep: u8) -> Option<GoTime> {
    let year = b[..4]
        .iter()
        .fold(0u32, |a, c| a * 10 + u32::from(c - b'0'));
    let mut i = 5;
    let month = go_num(b, &mut i)?;
    (b.get(i) == Some(&b'-')).then_some(())?;
    i += 1;
    let day = go_num(b, &mut i)?;
    let mut t = GoTime {
        year,
        month,
        day,
        hour: 0,
        minute: 0,
        second: 0,
        nanos: 0,
        offset: 0,
    };
    if sep != 0 {
        match sep {
            b' ' => {
                (b.get(i) == Some(&b' ')).then_some(())?;
                while b.get(i) == Some(&b' ') {
                    i += 1;
                }
            }
            _ => {
                (b.get(i) == Some(&sep)).then_some(())?;
                i += 1;
            }
        }
        t.hour = go_num(b, &mut i)?;
        (b.get(i) == Some(&b':')).then_some(())?;
        i += 1;
        t.minute = go_num(b, &mut i)?;
        (b.get(i) == Some(&b':')).then_some(())?;
        i += 1;
        t.second = go_num(b, &mut i)?;
        if matches!(b.get(i), Some(b'.' | b',')) && b.get(i + 1).is_some_and(u8::is_ascii_digit) {
            i += 1;
            let start = i;
            while b.get(i).is_some_and(u8::is_ascii_digit) {
                i += 1;
            }
            let digits = &b[start..i.min(start + 9)];
            let mut ns = digits
                .iter()
                .fold(0u32, |a, c| a * 10 + u32::from(c - b'0'));
            for _ in digits.len()..9 {
                ns *= 10;
            }
            t.nanos = ns;
        }
        if sep != b' ' {
            match b.get(i)? {
                b'Z' => i += 1,
                &sign @ (b'+' | b'-') => {
                    let z = b.get(i..i + 6)?;
                    if z[3] != b':' || !z[1..3].iter().chain(&z[4..6]).all(u8::is_ascii_digit) {
                        return None;
                    }
                    let hh = u32::from(z[1] - b'0') * 10 + u32::from(z[2] - b'0');
                    let mm = u32::from(z[4] - b'0') * 10 + u32::from(z[5] - b'0');
                    // Go's range test uses > (offsets of 24 h or 60 min pass).
                    if hh > 24 || mm > 60 {
                        return None;
                    }
                    let secs = i32::try_from((hh * 60 + mm) * 60).ok()?;
                    t.offset = if sign == b'-' { -secs } else { secs };
                    i += 6;
                }
                _ => return None,
            }
        }
    }
    if i != b.len() {
        return None;
    }
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    let days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return None,
    };
    (day >= 1 && day <= days && t.hour < 24 && t.minute < 60 && t.second < 60).then_some(t)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opts(strict: bool) -> Options {
        let mut o = Options::default();
        o.legacy_octal_numbers = true;
        o.strict_booleans = strict;
        o.duplicate_keys = serde_saphyr::DuplicateKeyPolicy::Error;
        o.budget = None;
        o
    }

    /// Runs `check` on each fixed word, then on 5,000 words generated from
    /// each of `patterns` (regular expressions).
    fn for_words(fixed: &[&str], patterns: &[&str], check: impl Fn(&str)) {
        use proptest::prelude::*;
        for word in fixed {
            check(word);
        }
        let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig {
            cases: 5000,
            ..ProptestConfig::default()
        });
        for pattern in patterns {
            runner
                .run(pattern, |word| {
                    check(&word);
                    Ok(())
                })
                .unwrap();
        }
    }

    /// Asserts that the full reader reads the plain scalar `word` as that
    /// very string under every option set the tests use (strict and
    /// lenient booleans, Helm's).
    fn stays_a_string_for_the_full_reader(word: &str) {
        let mut helm = Options::default();
        helm.legacy_octal_numbers = true;
        helm.duplicate_keys = serde_saphyr::DuplicateKeyPolicy::LastWins;
        for o in [opts(false), opts(true), helm] {
            let full: Value =
                serde_saphyr::from_str_with_options(&format!("k: {word}\n"), o).unwrap();
            assert_eq!(
                full.get_path("k"),
                Some(&Value::String(word.to_string())),
                "{word}"
            );
        }
    }

    /// The fast reader either declines or agrees with serde-saphyr.
    fn agree(src: &str) -> bool {
        let mut read = false;
        for strict in [false, true] {
            let o = opts(strict);
            if let Some(fast) = parse_stream(src, &o, Timestamps::Keep) {
                read = true;
                let full: Vec<Value> = serde_saphyr::from_multiple_with_options(src, o)
                    .unwrap_or_else(|e| {
                        panic!("full reader fails where the fast one read:\n{src}\n{e}")
                    });
                assert_eq!(fast, full, "readers differ on:\n{src}");
            }
        }
        read
    }

    #[test]
    fn common_words_resolve_like_the_full_reader() {
        let mut helm = Options::default();
        helm.legacy_octal_numbers = true;
        helm.duplicate_keys = serde_saphyr::DuplicateKeyPolicy::LastWins;
        for o in [opts(false), opts(true), helm] {
            for word in ["true", "false", "null", "~"] {
                let full: Value =
                    serde_saphyr::from_str_with_options(&format!("k: {word}\n"), o.clone())
                        .unwrap();
                assert_eq!(
                    resolve_plain(word, &o, false).as_ref(),
                    full.get_path("k"),
                    "{word}"
                );
            }
        }
    }

    /// `digit_word` only claims words the full reader leaves strings,
    /// under every option set, on words made of the characters typed
    /// scalars use plus a few letters.
    #[test]
    fn digit_words_resolve_like_the_full_reader() {
        let check = |word: &str| {
            // The caller leaves a trailing `:` to the full reader.
            if (digit_word(word) || dotted_version(word)) && !word.ends_with(':') {
                stays_a_string_for_the_full_reader(word);
            }
        };
        let fixed = [
            "64Mi",
            "200m",
            "1Gi",
            "12-debian-12-r50",
            "1h30m",
            "3s",
            "10Ki",
            "1.2.3-rc1",
            "0xfg",
            "0o8g",
            "1e5m",
            "1_000k",
            "2001-12-14t21:59:43.10-05:00q",
            "1nan",
            "1inf",
            "1infinity",
            "0bm",
            "1:30h",
            "1.5h",
            "9Y",
            "0755n",
            "1.9.0",
            "0.0.0.0",
            "01.02.03",
            "2.x.x",
            "0x1",
            "0o7",
            "1o7",
            "10x",
        ];
        let patterns = [
            "[0-9][0-9a-zA-Z._:+-]{0,10}",
            "[0-9]{1,4}(\\.[0-9]{0,4}){1,4}",
        ];
        for_words(&fixed, &patterns, check);
    }

    /// `untyped_start` only claims text the full reader leaves a string,
    /// under every option set: fixed words and generated ones that start
    /// with each claimed character or a near miss.
    #[test]
    fn untyped_starts_resolve_like_the_full_reader() {
        let claimed = std::cell::Cell::new(0);
        let check = |word: &str| {
            if untyped_start(word.as_bytes()) && !word.ends_with(':') {
                claimed.set(claimed.get() + 1);
                stays_a_string_for_the_full_reader(word);
            }
        };
        let fixed = [
            "^[a-z]+$",
            "(a && b)",
            "$(VAR)",
            "\\d",
            "/var/lib",
            ".metadata.name",
            ".spec",
            ".Inf",
            ".nan",
            ".e+5",
            ".5",
            "-flag",
            "--log-level=info",
            "-inf",
            "-.inf",
            "-1",
            "--1",
            "-_1",
            "-ec",
            "-e1",
            "__address__",
            "_x",
            "_1",
            "_",
        ];
        for_words(&fixed, &["[-./^($\\\\+_][-a-zA-Z0-9._:+$()^]{0,8}"], check);
        assert!(claimed.get() > 1000, "{} words claimed", claimed.get());
    }

    /// With Helm's options a later duplicate key replaces the earlier
    /// value in its place, as the full reader does; with others the full
    /// reader decides.
    #[test]
    fn duplicate_keys_follow_the_policy() {
        let mut helm = opts(false);
        helm.duplicate_keys = DuplicateKeyPolicy::LastWins;
        for src in [
            "a: 1\nb: 2\na: 3\n",
            "a:\n  x: 1\nb: 2\na:\n  z: 3\n",
            "a: 1\nb: 2\na: 3\nb: 4\na: 5\n",
            "top:\n  t: []\n  u: 1\n  t:\n  - k: v\n",
        ] {
            let fast = parse_stream(src, &helm, Timestamps::Keep).expect(src);
            let full: Vec<Value> =
                serde_saphyr::from_multiple_with_options(src, helm.clone()).unwrap();
            assert_eq!(fast, full, "{src}");
            assert!(
                parse_stream(src, &opts(false), Timestamps::Keep).is_none(),
                "{src}"
            );
        }
    }

    #[test]
    fn reads_the_common_shapes_like_the_full_reader() {
        let cases = [
            "a: 1\nb: two\nc:\n  d: [x, 'y', \"z\\t\"]\n  e: {f: g, h: 2}\n",
            "kind: Deployment\nspec:\n  containers:\n  - name: main\n    image: nginx:1.0\n    ports:\n    - containerPort: 80\n  - name: side\n",
            "list:\n- a\n- b\nnext: 1\n",
            "- - a\n  - b\n- c\n",
            "a: |\n  line 1\n\n  line 2\n\nb: |-\n    x\n     y\nc: x\n",
            "a: |  # comment\n  text\n",
            "---\na: 1\n---\nb: 2\n",
            "a: 1\n---\n",
            "---\n# only a comment\n---\na: 1\n",
            "a: 'it''s'\nb: \"\\u00e9\\x41\"\nc: x #comment\nd: x#y\n",
            "url: http://example.com:8080/x\nempty:\nnull: ~\n",
            "k: yes\nl: on\nm: 0755\nn: 1.5\no: 2024-01-01\np: -3\nq: 0\nr: +1\ns: 1e3\nt: .inf\nu: True\n",
            "\"quoted key\": 1\n'single': 2\n1: one\nyes: y\n.dot: z\n",
            "a:\n  - x\n  -\n  - y: 1\n    z: 2\n",
            "a:   spaced   \nb: \"\"\nc: ''\n",
            "data:\n  script.sh: |\n    #!/bin/sh\n    echo \"hi\"\n  other: x\n",
            "é: ü\nb: 日本\n",
            "top:\n  # comment\n  a: 1\n\n  b: 2\n",
            "a: {}\nb: []\nc: [1, [2, 3], {d: e}]\n",
            "a: - b\n",
            "a: b: c\n",
            "a: x\n  y\n",
            "a: &x 1\nb: *x\n",
            "a: !!str 1\n",
            "a: >\n  folded\n",
            "a: 1\na: 2\n",
            "a:\tb\n",
            "a: \"multi\n  line\"\n",
            "a: |\n  no final newline",
            "a: |\n    x\n  y\n",
            "- a\nb: 1\n",
            "a: 1\n ",
            "",
            "# nothing\n",
            "[1, 2]\n",
            "scalar\n",
            "{}\n",
            "{a: 1, b: [x]}  # c\n",
            "{a: 1}\nb: 2\n",
            "a: one\n  two\n\n  three\n\n\n  four  \nb: x\n",
            "- first\n  second\n- third\n   and more\n",
            "a: x\n  y\n# comment\nb: 1\n",
            "a: x\n  y\n# comment\n  z\n",
            "a: x\n  - y\n",
            "a: x\n  y: z\n",
            "a: 1\n  2\n",
            "a: 2001-12-14\n  21:59:43.10 -5\n",
            "top:\n  b: text that\n      continues\n    here\n  c: d\n",
            "a: x #c\n  y\n",
            "a: 'one\n  two''s\n\n  three'\nb: 'x\n  y'  # c\n- z\n",
            "- 'a\n   b'\n- c\n",
            "a: 'open\nb: 1\n",
            "a: 'x\n  y' z\n",
            "a: x\n  ('y',\n  \"z\" `w` [v]\n",
            "metadata:\n  annotations:\n    {}\nspec:\n  ports:\n    []\n",
            "a:\n  [x, {y: 1}]  # c\nb: 1\n",
            "-\n  {a: 1}\n- b\n",
            "a:\n  {}\n  b: 1\n",
            "a:\n  {}\n b: 1\n",
            "a:\n  [x,\n  y]\n",
            "a: |\n  x\n  fi",
            "a: |-\n  x\n  fi",
            "a: |\n  x\n  ",
            "a: |\n  x\n\n  fi",
            "a:\n  b: |\n    x\nc: |\n  y",
            "a:\n  |\n    x\n    y\nb:\n  |-\n   z\n",
            "-\n  |\n   x\n- y\n",
            "a:\n  |\n  x\n",
            "a:\n  |\n x\n",
        ];
        let mut read = 0;
        for c in cases {
            if agree(c) {
                read += 1;
            }
        }
        assert!(read >= 45, "read only {read} cases");
    }

    #[test]
    fn reads_multi_line_scalars_as_the_full_reader_does() {
        // The shapes go-yaml and controller-gen write into CRDs and charts.
        let cases = [
            "a: one\n  two\n\n  three\n\n\n  four  \nb: x\n",
            "- first\n  second\n- third\n   and more\n",
            "a: x\n  y\n# comment\nb: 1\n",
            "top:\n  b: text that\n      continues\n    here\n  c: d\n",
            "d: valid values are ('Secret',\n  'ConfigMap').\n",
            "a: x\n  (\"z\" `w` [v], {u}\n",
            "a: 'one\n  two''s\n\n  three'\nb: 'x\n  y'  # c\n",
            "- 'a\n   b'\n- c\n",
            "{}\n",
            "{a: 1, b: [x]}  # c\n",
            "rule: a ==\n  'b' || !has(c)\n  || d\n  -e & *f >g %h @i ?j\n",
        ];
        for c in cases {
            assert!(
                parse_stream(c, &opts(false), Timestamps::Keep).is_some(),
                "declined:\n{c}"
            );
            assert!(agree(c));
        }
        let folded = parse_single("a: 'one\n  two''s\n\n  three'\n", &opts(false)).unwrap();
        let Value::Map(m) = folded else {
            panic!("not a map: {folded:?}")
        };
        assert_eq!(m["a"], Value::String("one two's\nthree".into()));
    }

    #[test]
    fn multi_line_scalars_below_the_cut_read_like_the_full_reader() {
        // Below the cut a multi-line plain scalar that starts with a letter
        // or an untyped character is checked, not folded.
        let cases = [
            "spec:\n  a:\n    b:\n      c: one\n        two\n      d: x\n",
            "spec:\n  a:\n    - yes\n      no\n    - /path\n      more\n",
            "spec:\n  a:\n    b: 10 or\n      more\n    c: 2024-01-02\n      10:00:00\n",
            "spec:\n  a:\n    b: text\n      key: value\n",
            "spec:\n  a:\n    b: text\n      - item\n",
            "spec:\n  a:\n    b: text\n      more # comment\n",
            "spec:\n  a:\n    b: text\n\n      after a blank\n    c: d\n",
            "spec:\n  a:\n    b: .5 and\n      more\n",
        ];
        let mut o = opts(false);
        o.duplicate_keys = DuplicateKeyPolicy::LastWins;
        for c in cases {
            let whole = parse_stream(c, &o, Timestamps::Keep);
            let full: Result<Vec<Value>, _> =
                serde_saphyr::from_multiple_with_options(c, o.clone());
            let full = full.ok();
            for levels in 0..4 {
                let head = read_stream(c, &o, Timestamps::Keep, Some(levels));
                assert!(
                    whole.is_none() || head.is_some(),
                    "cut {levels} declined:\n{c}"
                );
                if let Some(head) = head {
                    let mut full = full
                        .clone()
                        .expect("full reader fails where the fast one read");
                    full.iter_mut().for_each(|d| cut_below(d, levels));
                    assert_eq!(head, full, "cut {levels}:\n{c}");
                }
            }
        }
    }

    #[test]
    fn timestamps_like_go_yaml() {
        let t = |s: &str| go_yaml_timestamp(s);
        assert_eq!(t("2024-01-02").as_deref(), Some("2024-01-02T00:00:00Z"));
        assert_eq!(t("2001-1-2").as_deref(), Some("2001-01-02T00:00:00Z"));
        assert_eq!(
            t("2001-12-14t21:59:43.10-05:00").as_deref(),
            Some("2001-12-14T21:59:43.1-05:00")
        );
        assert_eq!(
            t("2001-12-14 21:59:43").as_deref(),
            Some("2001-12-14T21:59:43Z")
        );
        assert_eq!(
            t("2001-12-14T21:59:43.123456789123+01:00").as_deref(),
            Some("2001-12-14T21:59:43.123456789+01:00")
        );
        assert_eq!(
            t("2001-12-14T21:59:43+00:00").as_deref(),
            Some("2001-12-14T21:59:43Z")
        );
        for no in [
            "2024-13-45",
            "2023-02-29",
            "2001-12-14t21:59:43",
            "2001-12-14 21:59:43.10 -5",
            "2001-12-14T21:59:43-5",
            "20240-01-02",
            "2024-01-02x",
            "2024-001-02",
            "2024-01-02T24:00:00Z",
        ] {
            assert_eq!(t(no), None, "{no}");
        }
        assert_eq!(t("2024-02-29").as_deref(), Some("2024-02-29T00:00:00Z"));
    }

    #[test]
    fn plain_timestamps_convert_outside_annotations() {
        let src = "metadata:\n  annotations:\n    a: 2024-01-02\n  labels:\n    l: 2024-01-02\ndata:\n  d: 2024-01-02\n  q: \"2024-01-02\"\n  f: {x: 2024-01-02}\n  s: [2024-01-02]\n";
        let docs = parse_stream(src, &opts(true), Timestamps::Rfc3339).unwrap();
        let v = &docs[0];
        let at = |p: &str| {
            v.get_path(p)
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string()
        };
        assert_eq!(at("metadata.annotations.a"), "2024-01-02");
        assert_eq!(at("metadata.labels.l"), "2024-01-02T00:00:00Z");
        assert_eq!(at("data.d"), "2024-01-02T00:00:00Z");
        assert_eq!(at("data.q"), "2024-01-02");
        assert_eq!(at("data.f.x"), "2024-01-02T00:00:00Z");
        // Items of a List are expanded after reading: no exemption.
        let list = "kind: List\nitems:\n- metadata:\n    annotations:\n      a: 2024-01-02\n";
        let docs = parse_stream(list, &opts(true), Timestamps::Rfc3339).unwrap();
        let Some(Value::Seq(items)) = docs[0].get_path("items") else {
            panic!("no items: {docs:?}")
        };
        assert_eq!(
            items[0].get_path("metadata.annotations.a"),
            Some(&Value::String("2024-01-02T00:00:00Z".into()))
        );
    }

    /// Random block-style documents, rendered from a random tree with
    /// random scalars, then perturbed line by line (indent changes, tabs,
    /// dropped or duplicated lines): the fast reader must decline or agree.
    mod random {
        use super::*;
        use proptest::prelude::*;

        #[derive(Debug, Clone)]
        enum Node {
            Scalar(String),
            Block(String, Vec<String>),
            /// A plain scalar over several lines.
            Folded(String, Vec<String>),
            Map(Vec<(String, Node)>),
            Seq(Vec<Node>),
        }

        fn scalar() -> impl Strategy<Value = String> {
            prop_oneof![
                prop::sample::select(vec![
                    "a",
                    "yes",
                    "No",
                    "on",
                    "y",
                    "~",
                    "null",
                    "true",
                    "1",
                    "-1",
                    "0",
                    "007",
                    "0x1F",
                    "1.5",
                    "1e3",
                    ".inf",
                    "-.Inf",
                    ".nan",
                    "2024-01-02",
                    "2001-12-14 21:59:43",
                    "12:30:00",
                    "/a/b",
                    "/",
                    "/0:x",
                    "1_000",
                    "+1",
                    "-0",
                    "''",
                    "'it''s'",
                    "\"\"",
                    "\"a\\tb\"",
                    "\"\\u00e9\"",
                    "\"bad\\q\"",
                    "{a: 1, b: [x, y]}",
                    "[]",
                    "{}",
                    "[a, {b: c}]",
                    "&anc x",
                    "*anc",
                    "!!str 1",
                    "a #c",
                    "a#b",
                    "http://x:1/y",
                    "a: b",
                    "- x",
                    "x:",
                    "'unterminated",
                    "\"also",
                    "|",
                    "|-",
                    ">",
                    "@x",
                    "`x",
                    "%x",
                    "? x",
                    "é",
                    "Infinity",
                    "NaN",
                    "0o17",
                    "0b101",
                    "1__0",
                    "12e",
                    "--x",
                    "-.5",
                    "[a, b",
                    "{a: }",
                    "{a}",
                    "[a: b]",
                    "a,b",
                    "a  b",
                    "x\ty",
                ])
                .prop_map(String::from),
                "[a-z0-9 ._/-]{1,12}".prop_map(|s| s.trim().to_string()),
            ]
        }

        fn key() -> impl Strategy<Value = String> {
            prop::sample::select(vec![
                "a", "b", "c", "kind", "name", "1", "yes", "on", "\"q\"", "'s'", "a b", ".x", "<<",
                "a:b", "\"a\": 1", "-", "?", "x #y", "\"k", "é",
            ])
            .prop_map(String::from)
        }

        fn node() -> impl Strategy<Value = Node> {
            let leaf = prop_oneof![
                4 => scalar().prop_map(Node::Scalar),
                1 => (
                    prop::sample::select(vec!["|", "|-", "|+", ">", "|2", "| # c"]),
                    prop::collection::vec("[ a-z#:-]{0,8}", 0..4)
                )
                    .prop_map(|(h, lines)| Node::Block(h.to_string(), lines)),
                1 => (
                    scalar(),
                    prop::collection::vec("[ a-z0-9#:,{}\\[\\]'\"`<(|!&*>%@?-]{0,8}", 1..4)
                )
                    .prop_map(|(first, lines)| Node::Folded(first, lines)),
            ];
            leaf.prop_recursive(4, 24, 4, |inner| {
                prop_oneof![
                    prop::collection::vec((key(), inner.clone()), 0..4).prop_map(Node::Map),
                    prop::collection::vec(inner, 0..4).prop_map(Node::Seq),
                ]
            })
        }

        fn render(n: &Node, indent: usize, out: &mut Vec<String>, prefix: String) {
            let pad = " ".repeat(indent);
            match n {
                Node::Scalar(s) => out.push(format!("{prefix}{s}")),
                Node::Block(h, lines) => {
                    out.push(format!("{prefix}{h}"));
                    for l in lines {
                        out.push(format!("{pad}  {l}"));
                    }
                }
                Node::Folded(first, lines) => {
                    out.push(format!("{prefix}{first}"));
                    for l in lines {
                        out.push(format!("{pad}  {l}"));
                    }
                }
                Node::Map(entries) if entries.is_empty() => out.push(format!("{prefix}{{}}")),
                Node::Seq(items) if items.is_empty() => out.push(format!("{prefix}[]")),
                Node::Map(entries) => {
                    let mut first = true;
                    for (k, v) in entries {
                        let lead = if first && !prefix.trim().is_empty() {
                            prefix.clone()
                        } else if first && !prefix.is_empty() {
                            out.push(prefix.trim_end().to_string());
                            pad.clone()
                        } else {
                            pad.clone()
                        };
                        first = false;
                        match v {
                            Node::Map(e) if !e.is_empty() => {
                                out.push(format!("{lead}{k}:"));
                                render(v, indent + 2, out, String::new());
                            }
                            Node::Seq(i) if !i.is_empty() => {
                                out.push(format!("{lead}{k}:"));
                                render(v, indent, out, String::new());
                            }
                            _ => render(v, indent, out, format!("{lead}{k}: ")),
                        }
                    }
                }
                Node::Seq(items) => {
                    if !prefix.is_empty() {
                        out.push(prefix.trim_end().to_string());
                    }
                    for item in items {
                        render(item, indent + 2, out, format!("{pad}- "));
                    }
                }
            }
        }

        fn text() -> impl Strategy<Value = String> {
            (
                node(),
                prop::collection::vec((0usize..40, 0u8..8), 0..3),
                any::<bool>(),
            )
                .prop_map(|(n, edits, two_docs)| {
                    let mut lines = Vec::new();
                    render(&n, 0, &mut lines, String::new());
                    if two_docs {
                        lines.push("---".into());
                        render(&n, 0, &mut lines, String::new());
                    }
                    for (at, op) in edits {
                        if lines.is_empty() {
                            break;
                        }
                        let i = at % lines.len();
                        match op {
                            0 => lines[i].insert(0, ' '),
                            1 => {
                                if lines[i].starts_with(' ') {
                                    lines[i].remove(0);
                                }
                            }
                            2 => lines[i].insert(0, '\t'),
                            3 => {
                                lines.remove(i);
                            }
                            4 => {
                                let l = lines[i].clone();
                                lines.insert(i, l);
                            }
                            5 => lines.insert(i, "  # comment".into()),
                            6 => lines.insert(i, String::new()),
                            _ => lines[i].push_str(" # tail"),
                        }
                    }
                    let mut t = lines.join("\n");
                    t.push('\n');
                    t
                })
        }

        proptest! {
            #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]
            #[test]
            fn fast_reader_declines_or_agrees(src in text()) {
                for strict in [false, true] {
                    let o = opts(strict);
                    if let Some(fast) = parse_stream(&src, &o, Timestamps::Keep) {
                        let full: Result<Vec<Value>, _> =
                            serde_saphyr::from_multiple_with_options(&src, o);
                        match full {
                            Ok(full) => prop_assert_eq!(fast, full, "text:\n{}", src),
                            Err(e) => prop_assert!(false, "full reader fails ({}) on:\n{}", e, src),
                        }
                    }
                }
                // Cut at every depth, with Helm's last-wins duplicates: the
                // full reader's documents, cut, whenever the fast reader
                // reads the whole text.
                let mut o = opts(false);
                o.duplicate_keys = DuplicateKeyPolicy::LastWins;
                let whole = parse_stream(&src, &o, Timestamps::Keep);
                for levels in 0..4 {
                    let head = read_stream(&src, &o, Timestamps::Keep, Some(levels));
                    prop_assert!(whole.is_none() || head.is_some(), "cut {} declined:\n{}", levels, src);
                    if let Some(head) = head {
                        let full: Result<Vec<Value>, _> =
                            serde_saphyr::from_multiple_with_options(&src, o.clone());
                        let Ok(mut full) = full else {
                            prop_assert!(false, "full reader fails on:\n{}", src);
                            unreachable!()
                        };
                        full.iter_mut().for_each(|d| cut_below(d, levels));
                        prop_assert_eq!(head, full, "cut {}, text:\n{}", levels, src);
                    }
                }
            }
        }
    }

    #[test]
    fn parallel_reading_gives_the_same_documents() {
        let mut src = String::new();
        for i in 0..3000 {
            src.push_str(&format!(
                "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm-{i}\ndata:\n  k: |\n    line {i}\n---\n"
            ));
        }
        assert!(src.len() > 128 * 1024);
        let whole = parse_stream(&src, &opts(true), Timestamps::Rfc3339).unwrap();
        let halves = parse_stream_parallel(&src, || opts(true), Timestamps::Rfc3339).unwrap();
        assert_eq!(whole.len(), 3000);
        assert_eq!(whole, halves);
    }

    #[test]
    fn flow_collections_over_several_lines() {
        // Read, and the same as the full reader's.
        for src in [
            "k:\n  [\n    a,\n    b,\n  ]\nnext: 1\n",
            "k: [a,\n  b, c]\n",
            "k: {a: 1,\n  b: [x,\n    y], c: \"q, ] # not a comment\"}\n",
            "- [\n    'it''s', \"tab\\there\", 3,\n    yes, ~\n  ]\n- z\n",
            "k:\n  [ # why\n    a, # first\n\n    # a comment line\n    b\n  ] # done\n",
            "k: {a:\n   1, b: 2, }\n",
            "k: [a, b, ]\nm: {a: 1, }\n",
            "k: [don't, x#y,\n  z]\n",
        ] {
            assert!(agree(src), "declined:\n{src}");
        }
        // Left to the full reader (which reads or rejects them).
        for src in [
            // A plain scalar over two lines.
            "k: [a\n  b]\n",
            // A quoted scalar over two lines.
            "k: [\"a\n  b\"]\n",
            // The closing bracket not indented past the key.
            "k: [a,\n  b,\n]\n",
            // Text after the closing bracket.
            "k: [a,\n  b] c\n",
            // Never closed.
            "k: [a,\n  b,\n",
            // Closed on its first line, failing for another reason.
            "k: [a, &x b]\n",
        ] {
            assert!(!agree(src), "read:\n{src}");
        }
    }

    #[test]
    fn reads_the_typical_resource() {
        let src = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app\n  labels:\n    app: x\nspec:\n  replicas: 1\n  template:\n    spec:\n      containers:\n      - name: main\n        image: nginx\n";
        assert!(agree(src));
    }

    /// Every YAML file in the repository and in the shared corpus: the fast
    /// reader declines or agrees.
    #[test]
    fn agrees_with_the_full_reader_on_every_yaml_file() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut dirs = vec![
            root.join("tests"),
            root.join("overlays-examples"),
            root.join("charts-examples"),
            root.join("src"),
        ];
        let corpus = root.join("../shared/corpus/kustomize");
        if corpus.is_dir() {
            dirs.push(corpus);
        }
        let (mut files, mut fast) = (0, 0);
        for dir in dirs {
            for entry in walkdir::WalkDir::new(dir)
                .into_iter()
                .filter_map(Result::ok)
            {
                let p = entry.path();
                if !matches!(p.extension().and_then(|e| e.to_str()), Some("yaml" | "yml")) {
                    continue;
                }
                let Ok(text) = std::fs::read_to_string(p) else {
                    continue;
                };
                if text.contains("{{") {
                    continue;
                }
                for strict in [false, true] {
                    let o = opts(strict);
                    let Some(ours) = parse_stream(&text, &o, Timestamps::Keep) else {
                        continue;
                    };
                    let theirs: Result<Vec<Value>, _> =
                        serde_saphyr::from_multiple_with_options(&text, o);
                    match theirs {
                        Ok(t) => assert_eq!(ours, t, "{}", p.display()),
                        Err(e) => panic!("{}: full reader fails: {e}", p.display()),
                    }
                    fast += 1;
                }
                files += 1;
            }
        }
        eprintln!("fast reader read {fast} of {files} files (×2 dialects)");
        assert!(
            fast > files,
            "fast reader read {fast} of {files} files (×2 dialects)"
        );
    }
}
