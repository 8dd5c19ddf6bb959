//! The printer: Go's `fmt/print.go` (`doPrint`, `doPrintln`, `doPrintf`,
//! `printArg`, `printValue`) and `fmt/format.go` (padding, integers,
//! floats, strings), over [`FmtValue`] instead of reflection.
//!
//! Output goes straight into one `String`; numbers are assembled on the
//! stack where that is easy.

use std::fmt::Write as _;

use super::ftoa::append_float;
use super::quote::{append_quoted, append_quoted_rune, can_backquote, is_print};
use super::sort::compare_keys;
use super::{FmtArg, FmtValue};

/// Go's `fmt.Sprint`: every operand in `%v` form, with a space between two
/// operands when neither is a string (`print 1 2 "a" 3` is `1 2a3`).
pub fn sprint(args: &[&dyn FmtArg]) -> String {
    let mut out = String::new();
    fprint(&mut out, args);
    out
}

/// Go's `fmt.Sprintln`: every operand in `%v` form, always separated by a
/// space, and a trailing newline.
pub fn sprintln(args: &[&dyn FmtArg]) -> String {
    let mut out = String::new();
    fprintln(&mut out, args);
    out
}

/// Go's `fmt.Sprintf`, including its in-band error reports (`%!d(string=x)`,
/// `%!(EXTRA …)`, `%!d(MISSING)`, `%!(NOVERB)`, `%!(BADWIDTH)`,
/// `%!(BADPREC)`, `%!d(BADINDEX)`).
pub fn sprintf(format: &str, args: &[&dyn FmtArg]) -> String {
    let mut out = String::with_capacity(format.len() + 8 * args.len());
    fprintf(&mut out, format, args);
    out
}

/// [`sprint`] appending to `out` (Go's `fmt.Fprint`); this is how
/// text/template prints an action's value, so the executor can write into
/// its output buffer without an intermediate string.
pub fn fprint(out: &mut String, args: &[&dyn FmtArg]) {
    let mut p = Printer::new(out);
    let mut prev_string = false;
    for (i, arg) in args.iter().enumerate() {
        let v = arg.fmt_value();
        let is_string = matches!(v, FmtValue::Str(..));
        if i > 0 && !is_string && !prev_string {
            p.buf.push(' ');
        }
        p.print_arg(&v, 'v');
        prev_string = is_string;
    }
}

/// [`sprintln`] appending to `out` (Go's `fmt.Fprintln`).
pub fn fprintln(out: &mut String, args: &[&dyn FmtArg]) {
    let mut p = Printer::new(out);
    for (i, arg) in args.iter().enumerate() {
        if i > 0 {
            p.buf.push(' ');
        }
        p.print_arg(&arg.fmt_value(), 'v');
    }
    p.buf.push('\n');
}

/// [`sprintf`] appending to `out` (Go's `fmt.Fprintf`).
pub fn fprintf(out: &mut String, format: &str, args: &[&dyn FmtArg]) {
    Printer::new(out).do_printf(format, args);
}

/// Go does not print pointers deterministically; a struct pointer nested
/// inside another value prints as an address there. This fixed stand-in
/// keeps our output stable.
const POINTER_STAND_IN: u64 = 0x00c0_0000_0000;

/// Width and precision beyond this are treated as malformed, as in Go
/// (`tooLarge`), so a format cannot ask for gigabytes of padding.
const MAX_WIDTH: i64 = 1_000_000;

/// The state of one verb: flags, width and precision (Go's `fmtFlags`).
#[derive(Clone, Copy, Default)]
struct Flags {
    wid_present: bool,
    prec_present: bool,
    minus: bool,
    plus: bool,
    sharp: bool,
    space: bool,
    zero: bool,
    /// `%+v`: struct field names. Set instead of `plus` for the `v` verb.
    plus_v: bool,
    /// `%#v`: Go syntax. Set instead of `sharp` for the `v` verb.
    sharp_v: bool,
    wid: usize,
    prec: usize,
}

/// One `Fprint*` call: the output and the current verb's flags (Go's `pp`
/// and `fmt` together).
struct Printer<'o> {
    buf: &'o mut String,
    f: Flags,
}

/// Which digit set an integer verb prints with.
#[derive(Clone, Copy, PartialEq)]
enum Case {
    Lower,
    Upper,
}

impl Case {
    fn digits(self) -> &'static [u8; 16] {
        match self {
            Case::Lower => b"0123456789abcdef",
            Case::Upper => b"0123456789ABCDEF",
        }
    }
}

impl<'o> Printer<'o> {
    fn new(buf: &'o mut String) -> Self {
        Printer {
            buf,
            f: Flags::default(),
        }
    }

    // ---- padding (format.go) ----

    fn write_padding(&mut self, n: usize) {
        let c = if self.f.zero && !self.f.minus {
            '0'
        } else {
            ' '
        };
        self.buf.extend(std::iter::repeat_n(c, n));
    }

    /// Appends `s` padded to the width on the left (or right with `-`);
    /// width counts runes, like Go.
    fn pad(&mut self, s: &str) {
        if !self.f.wid_present || self.f.wid == 0 {
            self.buf.push_str(s);
            return;
        }
        let fill = self.f.wid.saturating_sub(s.chars().count());
        if self.f.minus {
            self.buf.push_str(s);
            self.write_padding(fill);
        } else {
            self.write_padding(fill);
            self.buf.push_str(s);
        }
    }

    // ---- printArg / printValue (print.go) ----

    /// One top-level operand.
    fn print_arg(&mut self, v: &FmtValue<'_>, verb: char) {
        if let FmtValue::Nil = v {
            match verb {
                'T' | 'v' => self.pad("<nil>"),
                _ => self.bad_verb(verb, v),
            }
            return;
        }
        if verb == 'T' {
            self.fmt_s(v.type_name().as_bytes());
            return;
        }
        self.print_value(v, verb, 0);
    }

    /// A value at nesting `depth` (0 = the operand itself).
    fn print_value(&mut self, v: &FmtValue<'_>, verb: char, depth: usize) {
        match v {
            FmtValue::Nil => {
                // A nil element of an `[]interface {}` or map: Go prints the
                // empty interface whatever the verb.
                if self.f.sharp_v {
                    self.buf.push_str("interface {}(nil)");
                } else if depth == 0 {
                    self.pad("<nil>");
                } else {
                    self.buf.push_str("<nil>");
                }
            }
            FmtValue::Bool(b) => match verb {
                't' | 'v' => self.pad(if *b { "true" } else { "false" }),
                _ => self.bad_verb(verb, v),
            },
            FmtValue::Int(i, _) => self.fmt_integer(*i as u64, true, verb, v),
            FmtValue::Uint(u, _) => self.fmt_integer(*u, false, verb, v),
            FmtValue::Float(x, bits, _) => self.fmt_float_verb(*x, *bits, verb, v),
            FmtValue::Str(s, _) => {
                let plain = matches!(verb, 'v' | 's')
                    && !self.f.sharp_v
                    && !self.f.wid_present
                    && !self.f.prec_present;
                if plain {
                    // The common `{{ .Values.name }}` case: no padding, no
                    // truncation, so the text goes straight out.
                    self.buf.push_str(s);
                } else {
                    self.fmt_string(s.as_bytes(), verb, v);
                }
            }
            FmtValue::Bytes(b, type_name) => self.fmt_bytes(b, verb, type_name, depth),
            FmtValue::Stringer { text, .. } => {
                if self.f.sharp_v {
                    self.fmt_q(text.as_bytes());
                } else if matches!(verb, 'v' | 's' | 'x' | 'X' | 'q') {
                    self.fmt_string(text.as_bytes(), verb, v);
                } else {
                    self.bad_verb(verb, v);
                }
            }
            FmtValue::List(items, type_name) => {
                let sharp_v = self.f.sharp_v;
                if sharp_v {
                    self.buf.push_str(type_name);
                    self.buf.push('{');
                } else {
                    self.buf.push('[');
                }
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        self.buf.push_str(if sharp_v { ", " } else { " " });
                    }
                    self.print_value(&item.fmt_value(), verb, depth + 1);
                }
                self.buf.push(if sharp_v { '}' } else { ']' });
            }
            FmtValue::Map(entries, type_name) => {
                let sharp_v = self.f.sharp_v;
                if sharp_v {
                    self.buf.push_str(type_name);
                    self.buf.push('{');
                } else {
                    self.buf.push_str("map[");
                }
                let mut sorted: Vec<(FmtValue<'_>, &dyn FmtArg)> = entries
                    .iter()
                    .map(|(k, val)| (k.fmt_value(), val.as_ref()))
                    .collect();
                // Stable, like fmtsort's sort.Stable.
                sorted.sort_by(|a, b| compare_keys(&a.0, &b.0));
                for (i, (key, val)) in sorted.iter().enumerate() {
                    if i > 0 {
                        self.buf.push_str(if sharp_v { ", " } else { " " });
                    }
                    self.print_value(key, verb, depth + 1);
                    self.buf.push(':');
                    self.print_value(&val.fmt_value(), verb, depth + 1);
                }
                self.buf.push(if sharp_v { '}' } else { ']' });
            }
            FmtValue::Struct {
                fields,
                type_name,
                pointer,
            } => {
                if *pointer && depth > 0 {
                    self.fmt_pointer(type_name, verb, v);
                    return;
                }
                if *pointer {
                    // Go prints a pointer to a struct as `&{…}` at the top
                    // level only (print.go: "but not embedded").
                    self.buf.push('&');
                }
                if self.f.sharp_v {
                    self.buf
                        .push_str(type_name.strip_prefix('*').unwrap_or(type_name));
                }
                self.buf.push('{');
                for (i, (name, field)) in fields.iter().enumerate() {
                    if i > 0 {
                        self.buf.push_str(if self.f.sharp_v { ", " } else { " " });
                    }
                    if (self.f.plus_v || self.f.sharp_v) && !name.is_empty() {
                        self.buf.push_str(name);
                        self.buf.push(':');
                    }
                    self.print_value(&field.fmt_value(), verb, depth + 1);
                }
                self.buf.push('}');
            }
        }
    }

    /// `%!verb(type=value)`, the value printed with `%v` and the current
    /// flags (so `%5d` of "x" reports `%!d(string=    x)` as in Go).
    fn bad_verb(&mut self, verb: char, v: &FmtValue<'_>) {
        self.buf.push_str("%!");
        self.buf.push(verb);
        self.buf.push('(');
        if let FmtValue::Nil = v {
            self.buf.push_str("<nil>");
        } else {
            self.buf.push_str(v.type_name());
            self.buf.push('=');
            self.print_arg(v, 'v');
        }
        self.buf.push(')');
    }

    /// A struct pointer below the top level (Go's `fmtPointer`).
    fn fmt_pointer(&mut self, type_name: &str, verb: char, v: &FmtValue<'_>) {
        match verb {
            'v' if self.f.sharp_v => {
                let _ = write!(self.buf, "({type_name})({POINTER_STAND_IN:#x})");
            }
            'v' => self.fmt_0x64(POINTER_STAND_IN, !self.f.sharp),
            'b' | 'o' | 'd' | 'x' | 'X' => self.fmt_integer(POINTER_STAND_IN, false, verb, v),
            _ => self.bad_verb(verb, v),
        }
    }

    // ---- integers ----

    fn fmt_integer(&mut self, u: u64, signed: bool, verb: char, v: &FmtValue<'_>) {
        match verb {
            'v' if self.f.sharp_v && !signed => self.fmt_0x64(u, true),
            'v' | 'd' => self.integer(u, 10, signed, verb, Case::Lower),
            'b' => self.integer(u, 2, signed, verb, Case::Lower),
            'o' | 'O' => self.integer(u, 8, signed, verb, Case::Lower),
            'x' => self.integer(u, 16, signed, verb, Case::Lower),
            'X' => self.integer(u, 16, signed, verb, Case::Upper),
            'c' => self.fmt_c(u),
            'q' => self.fmt_qc(u),
            'U' => self.fmt_unicode(u),
            _ => self.bad_verb(verb, v),
        }
    }

    /// Hexadecimal with or without `0x`, whatever the `#` flag says.
    fn fmt_0x64(&mut self, u: u64, leading_0x: bool) {
        let sharp = self.f.sharp;
        self.f.sharp = leading_0x;
        self.integer(u, 16, false, 'v', Case::Lower);
        self.f.sharp = sharp;
    }

    /// Go's `fmt.fmtInteger`: sign, base prefix, zero padding from the
    /// precision (or from the width with the `0` flag), then space padding.
    fn integer(&mut self, u: u64, base: u64, signed: bool, verb: char, case: Case) {
        let negative = signed && (u as i64) < 0;
        let mut u = if negative { u.wrapping_neg() } else { u };
        let mut prec = 0usize;
        if self.f.prec_present {
            prec = self.f.prec;
            // Precision 0 and value 0 print nothing but the padding.
            if prec == 0 && u == 0 {
                let zero = self.f.zero;
                self.f.zero = false;
                self.write_padding(self.f.wid);
                self.f.zero = zero;
                return;
            }
        } else if self.f.zero && !self.f.minus && self.f.wid_present {
            prec = self.f.wid;
            if negative || self.f.plus || self.f.space {
                prec = prec.saturating_sub(1); // room for the sign
            }
        }
        // Digits, least significant first, on the stack (64 binary digits
        // at most).
        let digits = case.digits();
        let mut rev = [0u8; 64];
        let mut n = 0;
        loop {
            rev[n] = digits[(u % base) as usize];
            n += 1;
            u /= base;
            if u == 0 {
                break;
            }
        }
        let zeros = prec.saturating_sub(n);
        let sign = if negative {
            "-"
        } else if self.f.plus {
            "+"
        } else if self.f.space {
            " "
        } else {
            ""
        };
        let mut prefix = String::new();
        if verb == 'O' {
            prefix.push_str("0o");
        }
        if self.f.sharp {
            match base {
                2 => prefix.push_str("0b"),
                8 if zeros == 0 && rev[n - 1] != b'0' => prefix.push('0'),
                16 => prefix.push_str(if case == Case::Upper { "0X" } else { "0x" }),
                _ => {}
            }
        }
        let len = sign.len() + prefix.len() + zeros + n;
        let fill = if self.f.wid_present {
            self.f.wid.saturating_sub(len)
        } else {
            0
        };
        // The zero flag has been turned into precision above; what is left
        // of the width is padded with spaces.
        if !self.f.minus {
            self.buf.extend(std::iter::repeat_n(' ', fill));
        }
        self.buf.push_str(sign);
        self.buf.push_str(&prefix);
        self.buf.extend(std::iter::repeat_n('0', zeros));
        self.buf
            .extend(rev[..n].iter().rev().map(|&b| char::from(b)));
        if self.f.minus {
            self.buf.extend(std::iter::repeat_n(' ', fill));
        }
    }

    /// `%U`: `U+0078`, with `#` also ` 'x'` when printable.
    fn fmt_unicode(&mut self, u: u64) {
        let prec = if self.f.prec_present && self.f.prec > 4 {
            self.f.prec
        } else {
            4
        };
        let mut s = String::with_capacity(prec + 8);
        s.push_str("U+");
        let hex = format!("{u:X}");
        s.extend(std::iter::repeat_n('0', prec.saturating_sub(hex.len())));
        s.push_str(&hex);
        if self.f.sharp {
            let printable = u32::try_from(u)
                .ok()
                .and_then(char::from_u32)
                .filter(|c| is_print(*c));
            if let Some(c) = printable {
                s.push_str(" '");
                s.push(c);
                s.push('\'');
            }
        }
        let zero = self.f.zero;
        self.f.zero = false;
        self.pad(&s);
        self.f.zero = zero;
    }

    /// `%c`: the character, U+FFFD when the number is not one.
    fn fmt_c(&mut self, u: u64) {
        let c = u32::try_from(u)
            .ok()
            .and_then(char::from_u32)
            .unwrap_or('\u{FFFD}');
        let mut tmp = [0u8; 4];
        self.pad(c.encode_utf8(&mut tmp));
    }

    /// `%q` of an integer: a quoted rune literal (`+` for ASCII only).
    fn fmt_qc(&mut self, u: u64) {
        let mut s = String::new();
        append_quoted_rune(&mut s, u, self.f.plus);
        self.pad(&s);
    }

    // ---- floats ----

    fn fmt_float_verb(&mut self, x: f64, bits: u8, verb: char, v: &FmtValue<'_>) {
        let f = &self.f;
        let no_flags = !(f.wid_present || f.prec_present || f.plus || f.space || f.sharp);
        if verb == 'v' && no_flags && x.fract() == 0.0 && x.abs() < 1e6 {
            // Every number from a values file is a float64, so this is the
            // hot path: an integral value below 1e6 prints in %v exactly
            // like the integer it holds (strconv's shortest 'g' switches to
            // an exponent only from 1e6 on). -0 keeps its sign, as in Go.
            if x == 0.0 && x.is_sign_negative() {
                self.buf.push_str("-0");
            } else {
                let _ = write!(self.buf, "{}", x as i64);
            }
            return;
        }
        match verb {
            'v' => self.fmt_float(x, bits, b'g', -1),
            'b' | 'g' | 'G' | 'x' | 'X' => self.fmt_float(x, bits, verb as u8, -1),
            'f' | 'e' | 'E' => self.fmt_float(x, bits, verb as u8, 6),
            'F' => self.fmt_float(x, bits, b'f', 6),
            _ => self.bad_verb(verb, v),
        }
    }

    /// Go's `fmt.fmtFloat`: strconv's spelling plus sign flags, `#`
    /// (keep the point and trailing zeros) and zero padding after the sign.
    fn fmt_float(&mut self, x: f64, bits: u8, verb: u8, default_prec: i32) {
        let prec = if self.f.prec_present {
            i32::try_from(self.f.prec).unwrap_or(i32::MAX)
        } else {
            default_prec
        };
        // num[0] is always the sign: '+', '-' or ' '.
        let mut num = {
            let mut s = String::with_capacity(32);
            s.push('+');
            append_float(&mut s, x, verb, prec, bits);
            s.into_bytes()
        };
        if num[1] == b'-' || num[1] == b'+' {
            num.remove(0);
        }
        if self.f.space && num[0] == b'+' && !self.f.plus {
            num[0] = b' ';
        }
        // Infinities and NaN are not padded with zeros, and NaN has no sign
        // unless one was asked for.
        if num[1] == b'I' || num[1] == b'N' {
            let zero = self.f.zero;
            self.f.zero = false;
            let start = usize::from(num[1] == b'N' && !self.f.space && !self.f.plus);
            self.pad(&ascii(&num[start..]));
            self.f.zero = zero;
            return;
        }
        if self.f.sharp && verb != b'b' {
            let mut digits: i32 = match verb {
                b'g' | b'G' | b'x' => {
                    if prec == -1 {
                        6
                    } else {
                        prec
                    }
                }
                _ => 0,
            };
            let mut tail: Vec<u8> = Vec::new();
            let mut has_point = false;
            let mut saw_nonzero = false;
            let mut i = 1;
            while i < num.len() {
                match num[i] {
                    b'.' => has_point = true,
                    b'p' | b'P' => {
                        tail = num.split_off(i);
                        break;
                    }
                    b'e' | b'E' if verb != b'x' && verb != b'X' => {
                        tail = num.split_off(i);
                        break;
                    }
                    c => {
                        if c != b'0' {
                            saw_nonzero = true;
                        }
                        if saw_nonzero {
                            digits -= 1;
                        }
                    }
                }
                i += 1;
            }
            if !has_point {
                // A lone leading 0 counts as one digit.
                if num.len() == 2 && num[1] == b'0' {
                    digits -= 1;
                }
                num.push(b'.');
            }
            while digits > 0 {
                num.push(b'0');
                digits -= 1;
            }
            num.extend_from_slice(&tail);
        }
        if self.f.plus || num[0] != b'+' {
            // With zero padding the sign goes before the zeros.
            if self.f.zero && !self.f.minus && self.f.wid_present && self.f.wid > num.len() {
                self.buf.push(char::from(num[0]));
                self.write_padding(self.f.wid - num.len());
                self.buf.push_str(&ascii(&num[1..]));
                return;
            }
            self.pad(&ascii(&num));
            return;
        }
        self.pad(&ascii(&num[1..]));
    }

    // ---- strings and bytes ----

    fn fmt_string(&mut self, s: &[u8], verb: char, v: &FmtValue<'_>) {
        match verb {
            'v' if self.f.sharp_v => self.fmt_q(s),
            'v' | 's' => self.fmt_s(s),
            'x' => self.fmt_sbx(s, Case::Lower),
            'X' => self.fmt_sbx(s, Case::Upper),
            'q' => self.fmt_q(s),
            _ => self.bad_verb(verb, v),
        }
    }

    fn fmt_bytes(&mut self, b: &[u8], verb: char, type_name: &str, depth: usize) {
        match verb {
            'v' | 'd' => {
                if self.f.sharp_v {
                    self.buf.push_str(type_name);
                    self.buf.push('{');
                    for (i, c) in b.iter().enumerate() {
                        if i > 0 {
                            self.buf.push_str(", ");
                        }
                        self.fmt_0x64(u64::from(*c), true);
                    }
                    self.buf.push('}');
                } else {
                    self.buf.push('[');
                    for (i, c) in b.iter().enumerate() {
                        if i > 0 {
                            self.buf.push(' ');
                        }
                        self.integer(u64::from(*c), 10, false, verb, Case::Lower);
                    }
                    self.buf.push(']');
                }
            }
            's' => self.fmt_s(b),
            'x' => self.fmt_sbx(b, Case::Lower),
            'X' => self.fmt_sbx(b, Case::Upper),
            'q' => self.fmt_q(b),
            _ => {
                // Other verbs see a plain slice of uint8 elements.
                self.buf.push('[');
                for (i, c) in b.iter().enumerate() {
                    if i > 0 {
                        self.buf.push(' ');
                    }
                    self.print_value(&FmtValue::Uint(u64::from(*c), "uint8"), verb, depth + 1);
                }
                self.buf.push(']');
            }
        }
    }

    /// `%s`: the text cut to the precision (in runes), then padded.
    fn fmt_s(&mut self, s: &[u8]) {
        let s = self.truncate(s);
        match std::str::from_utf8(s) {
            Ok(text) => self.pad(text),
            Err(_) => {
                // Go writes the raw bytes; a Rust string cannot hold them,
                // so each invalid sequence becomes U+FFFD. Width still counts
                // one per invalid byte, as Go does.
                let text = String::from_utf8_lossy(s);
                let count = rune_count(s);
                let fill = if self.f.wid_present {
                    self.f.wid.saturating_sub(count)
                } else {
                    0
                };
                if !self.f.minus {
                    self.write_padding(fill);
                }
                self.buf.push_str(&text);
                if self.f.minus {
                    self.write_padding(fill);
                }
            }
        }
    }

    /// Cuts `s` to `prec` runes when a precision is present (an invalid
    /// byte counts as one rune, like Go's decoder).
    fn truncate<'s>(&self, s: &'s [u8]) -> &'s [u8] {
        if !self.f.prec_present {
            return s;
        }
        let mut left = self.f.prec;
        let mut end = 0;
        for chunk in s.utf8_chunks() {
            for c in chunk.valid().chars() {
                if left == 0 {
                    return &s[..end];
                }
                left -= 1;
                end += c.len_utf8();
            }
            for _ in chunk.invalid() {
                if left == 0 {
                    return &s[..end];
                }
                left -= 1;
                end += 1;
            }
        }
        s
    }

    /// `%x`/`%X` of a string or bytes: two hex digits per byte; `#` adds
    /// `0x`, space separates bytes (and, with `#`, prefixes each).
    fn fmt_sbx(&mut self, s: &[u8], case: Case) {
        let length = if self.f.prec_present {
            s.len().min(self.f.prec)
        } else {
            s.len()
        };
        let mut width = 2 * length;
        if width > 0 {
            if self.f.space {
                if self.f.sharp {
                    width *= 2;
                }
                width += length - 1;
            } else if self.f.sharp {
                width += 2;
            }
        } else {
            if self.f.wid_present {
                self.write_padding(self.f.wid);
            }
            return;
        }
        if self.f.wid_present && self.f.wid > width && !self.f.minus {
            self.write_padding(self.f.wid - width);
        }
        let digits = case.digits();
        let x = if case == Case::Upper { 'X' } else { 'x' };
        if self.f.sharp {
            self.buf.push('0');
            self.buf.push(x);
        }
        for (i, c) in s[..length].iter().enumerate() {
            if self.f.space && i > 0 {
                self.buf.push(' ');
                if self.f.sharp {
                    self.buf.push('0');
                    self.buf.push(x);
                }
            }
            self.buf.push(char::from(digits[usize::from(c >> 4)]));
            self.buf.push(char::from(digits[usize::from(c & 0xf)]));
        }
        if self.f.wid_present && self.f.wid > width && self.f.minus {
            self.write_padding(self.f.wid - width);
        }
    }

    /// `%q`: a Go string literal; `#` prefers a raw backquoted literal,
    /// `+` escapes everything outside ASCII.
    fn fmt_q(&mut self, s: &[u8]) {
        let s = self.truncate(s);
        let unpadded = !self.f.wid_present || self.f.wid == 0;
        let raw = self.f.sharp && can_backquote(s);
        if unpadded {
            if raw {
                self.buf.push('`');
                self.buf.push_str(&String::from_utf8_lossy(s));
                self.buf.push('`');
            } else {
                append_quoted(self.buf, s, self.f.plus);
            }
            return;
        }
        let mut quoted = String::with_capacity(s.len() + 2);
        if raw {
            quoted.push('`');
            quoted.push_str(&String::from_utf8_lossy(s));
            quoted.push('`');
        } else {
            append_quoted(&mut quoted, s, self.f.plus);
        }
        self.pad(&quoted);
    }

    // ---- Printf ----

    /// Go's `doPrintf`.
    fn do_printf(&mut self, format: &str, args: &[&dyn FmtArg]) {
        let fb = format.as_bytes();
        let end = fb.len();
        let mut arg_num = 0usize;
        let mut reordered = false;
        let mut i = 0usize;
        while i < end {
            let mut good_arg_num = true;
            let last = i;
            while i < end && fb[i] != b'%' {
                i += 1;
            }
            if i > last {
                self.buf.push_str(&format[last..i]);
            }
            if i >= end {
                break;
            }
            i += 1; // the '%'

            self.f = Flags::default();
            while i < end {
                match fb[i] {
                    b'#' => self.f.sharp = true,
                    b'0' => self.f.zero = true,
                    b'+' => self.f.plus = true,
                    b'-' => self.f.minus = true,
                    b' ' => self.f.space = true,
                    _ => break,
                }
                i += 1;
            }

            // Explicit argument index, `%[2]d`.
            let mut after_index;
            (arg_num, i, after_index) = arg_number(
                arg_num,
                fb,
                i,
                args.len(),
                &mut reordered,
                &mut good_arg_num,
            );

            // Width.
            if i < end && fb[i] == b'*' {
                i += 1;
                let (n, ok, next) = int_from_arg(args, arg_num);
                arg_num = next;
                self.f.wid_present = ok;
                if !ok {
                    self.buf.push_str("%!(BADWIDTH)");
                }
                if n < 0 {
                    // A negative width from an argument means left-justify.
                    self.f.minus = true;
                    self.f.zero = false;
                }
                self.f.wid = n.unsigned_abs() as usize;
                after_index = false;
            } else {
                let (n, ok, next) = parse_num(fb, i, end);
                self.f.wid = n;
                self.f.wid_present = ok;
                i = next;
                if after_index && ok {
                    // "%[3]2d"
                    good_arg_num = false;
                }
            }

            // Precision.
            if i + 1 < end && fb[i] == b'.' {
                i += 1;
                if after_index {
                    // "%[3].2d"
                    good_arg_num = false;
                }
                (arg_num, i, after_index) = arg_number(
                    arg_num,
                    fb,
                    i,
                    args.len(),
                    &mut reordered,
                    &mut good_arg_num,
                );
                if i < end && fb[i] == b'*' {
                    i += 1;
                    let (n, ok, next) = int_from_arg(args, arg_num);
                    arg_num = next;
                    if n < 0 {
                        self.f.prec = 0;
                        self.f.prec_present = false;
                    } else {
                        self.f.prec = n as usize;
                        self.f.prec_present = ok;
                    }
                    if !self.f.prec_present {
                        self.buf.push_str("%!(BADPREC)");
                    }
                    after_index = false;
                } else {
                    let (n, ok, next) = parse_num(fb, i, end);
                    i = next;
                    // "%.d" means precision 0.
                    self.f.prec = if ok { n } else { 0 };
                    self.f.prec_present = true;
                }
            }

            if !after_index {
                (arg_num, i, _) = arg_number(
                    arg_num,
                    fb,
                    i,
                    args.len(),
                    &mut reordered,
                    &mut good_arg_num,
                );
            }

            if i >= end {
                self.buf.push_str("%!(NOVERB)");
                break;
            }
            let Some(verb) = format.get(i..).and_then(|rest| rest.chars().next()) else {
                break;
            };
            i += verb.len_utf8();

            if verb == '%' {
                // `%%` takes no operand and ignores width and precision.
                self.buf.push('%');
            } else if !good_arg_num {
                self.buf.push_str("%!");
                self.buf.push(verb);
                self.buf.push_str("(BADINDEX)");
            } else if arg_num >= args.len() {
                self.buf.push_str("%!");
                self.buf.push(verb);
                self.buf.push_str("(MISSING)");
            } else {
                if verb == 'v' {
                    // `%#v` and `%+v` are distinct formats, not flags.
                    self.f.sharp_v = self.f.sharp;
                    self.f.sharp = false;
                    self.f.plus_v = self.f.plus;
                    self.f.plus = false;
                }
                let v = args[arg_num].fmt_value();
                self.print_arg(&v, verb);
                arg_num += 1;
            }
        }

        // Unused operands are reported, unless indexes reordered them.
        if !reordered && arg_num < args.len() {
            self.f = Flags::default();
            self.buf.push_str("%!(EXTRA ");
            for (i, arg) in args[arg_num..].iter().enumerate() {
                if i > 0 {
                    self.buf.push_str(", ");
                }
                let v = arg.fmt_value();
                if let FmtValue::Nil = v {
                    self.buf.push_str("<nil>");
                } else {
                    self.buf.push_str(v.type_name());
                    self.buf.push('=');
                    self.print_arg(&v, 'v');
                }
            }
            self.buf.push(')');
        }
    }
}

/// Go's `parsenum`: a decimal number at `s[start..end]`; on absurd lengths
/// it gives up and jumps to the end of the format, like Go.
fn parse_num(s: &[u8], start: usize, end: usize) -> (usize, bool, usize) {
    if start >= end {
        return (0, false, end);
    }
    let mut num: i64 = 0;
    let mut is_num = false;
    let mut i = start;
    while i < end && s[i].is_ascii_digit() {
        if num > MAX_WIDTH {
            return (0, false, end);
        }
        num = num * 10 + i64::from(s[i] - b'0');
        is_num = true;
        i += 1;
    }
    (num as usize, is_num, i)
}

/// Go's `argNumber`: a bracketed one-based operand index at `s[i]`.
/// Returns the operand to use next, where the format continues and
/// whether an index was found.
fn arg_number(
    arg_num: usize,
    s: &[u8],
    i: usize,
    num_args: usize,
    reordered: &mut bool,
    good_arg_num: &mut bool,
) -> (usize, usize, bool) {
    if i >= s.len() || s[i] != b'[' {
        return (arg_num, i, false);
    }
    *reordered = true;
    let (index, width, ok) = parse_arg_number(&s[i..]);
    if let Some(index) = index.filter(|&n| ok && n < num_args) {
        return (index, i + width, true);
    }
    *good_arg_num = false;
    (arg_num, i + width, ok)
}

/// Go's `parseArgNumber`: `[n]` → (n-1, bytes consumed, parsed?). `[0]`
/// parses but is no valid index (`None`).
fn parse_arg_number(s: &[u8]) -> (Option<usize>, usize, bool) {
    if s.len() < 3 {
        return (None, 1, false);
    }
    for i in 1..s.len() {
        if s[i] == b']' {
            let (n, ok, next) = parse_num(s, 1, i);
            if !ok || next != i {
                return (None, i + 1, false);
            }
            return (n.checked_sub(1), i + 1, true);
        }
    }
    (None, 1, false)
}

/// Go's `intFromArg`: a `*` width or precision taken from an integer
/// operand. The operand is consumed whether or not it is an integer.
fn int_from_arg(args: &[&dyn FmtArg], arg_num: usize) -> (i64, bool, usize) {
    let Some(arg) = args.get(arg_num) else {
        return (0, false, arg_num);
    };
    let (n, ok) = match arg.fmt_value() {
        FmtValue::Int(n, _) => (n, true),
        FmtValue::Uint(n, _) => match i64::try_from(n) {
            Ok(n) => (n, true),
            Err(_) => (0, false),
        },
        _ => (0, false),
    };
    if !(-MAX_WIDTH..=MAX_WIDTH).contains(&n) {
        return (0, false, arg_num + 1);
    }
    (n, ok, arg_num + 1)
}

/// Runes in `s` counting each invalid byte as one, like Go's
/// `utf8.RuneCount`.
fn rune_count(s: &[u8]) -> usize {
    s.utf8_chunks()
        .map(|c| c.valid().chars().count() + c.invalid().len())
        .sum()
}

/// The float buffer is ASCII by construction.
fn ascii(b: &[u8]) -> std::borrow::Cow<'_, str> {
    String::from_utf8_lossy(b)
}
