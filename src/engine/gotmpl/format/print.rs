//! Entry points mirroring Go's `fmt.Sprint`, `fmt.Sprintln`, `fmt.Sprintf`.

use super::{FmtArg, FmtValue};

/// Go's `fmt.Sprint`: operands in `%v` form, with a space between two
/// operands when neither is a string (so `print 1 2 "a"` is `1 2a`).
pub fn sprint(args: &[&dyn FmtArg]) -> String {
    let mut out = String::new();
    let mut prev_string = false;
    for (i, arg) in args.iter().enumerate() {
        let v = arg.fmt_value();
        let is_string = matches!(v, FmtValue::Str(..));
        if i > 0 && !is_string && !prev_string {
            out.push(' ');
        }
        basic(&mut out, &v);
        prev_string = is_string;
    }
    out
}

/// Go's `fmt.Sprintln`: operands in `%v` form, always separated by spaces,
/// with a trailing newline.
pub fn sprintln(args: &[&dyn FmtArg]) -> String {
    let mut out = String::new();
    for (i, arg) in args.iter().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        basic(&mut out, &arg.fmt_value());
    }
    out.push('\n');
    out
}

/// Go's `fmt.Sprintf` (temporary body: `%v`-style for every verb).
pub fn sprintf(format: &str, args: &[&dyn FmtArg]) -> String {
    let mut out = String::new();
    let mut it = args.iter();
    let mut chars = format.chars();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('%') => out.push('%'),
            Some(_) => match it.next() {
                Some(a) => basic(&mut out, &a.fmt_value()),
                None => out.push_str("%!v(MISSING)"),
            },
            None => out.push_str("%!(NOVERB)"),
        }
    }
    out
}

fn basic(out: &mut String, v: &FmtValue<'_>) {
    match v {
        FmtValue::Nil => out.push_str("<nil>"),
        FmtValue::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        FmtValue::Int(i, _) => out.push_str(&i.to_string()),
        FmtValue::Uint(u, _) => out.push_str(&u.to_string()),
        FmtValue::Float(f, _, _) => out.push_str(&crate::yaml::format_go_float(*f)),
        FmtValue::Str(s, _) => out.push_str(s),
        FmtValue::Bytes(b, _) => out.push_str(&format!("{b:?}")),
        FmtValue::List(items, _) => {
            out.push('[');
            for (i, a) in items.iter().enumerate() {
                if i > 0 {
                    out.push(' ');
                }
                basic(out, &a.fmt_value());
            }
            out.push(']');
        }
        FmtValue::Map(entries, _) => {
            out.push_str("map[");
            for (i, (k, val)) in entries.iter().enumerate() {
                if i > 0 {
                    out.push(' ');
                }
                basic(out, &k.fmt_value());
                out.push(':');
                basic(out, &val.fmt_value());
            }
            out.push(']');
        }
        FmtValue::Struct { fields, .. } => {
            out.push('{');
            for (i, (_, val)) in fields.iter().enumerate() {
                if i > 0 {
                    out.push(' ');
                }
                basic(out, &val.fmt_value());
            }
            out.push('}');
        }
        FmtValue::Stringer { text, .. } => out.push_str(text),
    }
}
