//! Go's `time.Time` and `time.Duration` as far as Sprig's date functions
//! reach them: layout-based formatting and parsing (reference time
//! `Mon Jan 2 15:04:05 MST 2006`), `Time.String`, `Duration.String`,
//! `ParseDuration` and `Duration.Round`.
//!
//! Civil dates are computed here from Unix seconds (proleptic Gregorian,
//! any year Go allows); `jiff` supplies only time zone rules: the local
//! zone (`TZ`, `/etc/localtime`) and IANA names, as Go's `LoadLocation`.

use std::sync::{Arc, OnceLock};

use jiff::tz::TimeZone;

/// Nanoseconds per second.
const NANOS: i64 = 1_000_000_000;

/// Unix seconds of Go's zero time, January 1, year 1, 00:00:00 UTC.
pub const ZERO_TIME_UNIX: i64 = -62_135_596_800;

/// A Go `*time.Location`.
#[derive(Debug, Clone)]
pub enum Location {
    /// `time.UTC`.
    Utc,
    /// `time.Local`: the process's zone.
    Local,
    /// A zone loaded by name (`LoadLocation("Europe/Paris")`).
    Named(Arc<str>, TimeZone),
    /// `time.FixedZone(name, offset)`, as `Parse` fabricates for numeric
    /// offsets; an empty name prints as the numeric offset.
    Fixed(Arc<str>, i32),
}

fn local_zone() -> &'static TimeZone {
    static LOCAL: OnceLock<TimeZone> = OnceLock::new();
    LOCAL.get_or_init(|| match std::env::var("TZ") {
        // Go: TZ set but empty means UTC.
        Ok(v) if v.is_empty() => TimeZone::UTC,
        _ => TimeZone::system(),
    })
}

impl Location {
    /// Go's `time.LoadLocation`: `""` and `"UTC"` are UTC, `"Local"` the
    /// local zone, anything else an IANA zone name; `None` when unknown.
    pub fn load(name: &str) -> Option<Location> {
        match name {
            "" | "UTC" => Some(Location::Utc),
            "Local" => Some(Location::Local),
            _ => TimeZone::get(name)
                .ok()
                .map(|tz| Location::Named(Arc::from(name), tz)),
        }
    }

    /// Abbreviation and offset east of UTC in seconds at the instant `secs`.
    pub fn lookup(&self, secs: i64) -> (String, i32) {
        let tz = match self {
            Location::Utc => return ("UTC".into(), 0),
            Location::Fixed(name, off) => return (name.to_string(), *off),
            Location::Local => local_zone(),
            Location::Named(_, tz) => tz,
        };
        // jiff covers years -9999..=9999; beyond that the nearest rule holds.
        let clamped = secs.clamp(-377_705_116_800, 253_402_207_199);
        match jiff::Timestamp::from_second(clamped) {
            Ok(ts) => {
                let info = tz.to_offset_info(ts);
                (info.abbreviation().to_string(), info.offset().seconds())
            }
            Err(_) => ("UTC".into(), 0),
        }
    }
}

/// A Go `time.Time`: an instant, a location and, for values from
/// `time.Now`, a monotonic clock reading (printed as `m=±…` by `String`).
#[derive(Debug, Clone)]
pub struct GoTime {
    /// Unix seconds.
    pub secs: i64,
    /// Nanoseconds within the second, `0..1e9`.
    pub nsec: u32,
    /// The location the time is shown in.
    pub loc: Location,
    /// Monotonic reading in nanoseconds since process start, if any.
    pub mono: Option<i64>,
}

/// Civil fields of a time in its zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Civil {
    /// Year (astronomical numbering, as Go).
    pub year: i64,
    /// Month 1..=12.
    pub month: u32,
    /// Day 1..=31.
    pub day: u32,
    /// Hour 0..=23.
    pub hour: u32,
    /// Minute.
    pub minute: u32,
    /// Second.
    pub second: u32,
    /// Day of week, Sunday = 0.
    pub weekday: u32,
    /// Day of year 1..=366.
    pub yday: u32,
}

/// Days since 1970-01-01 of a civil date (Howard Hinnant's algorithm).
pub fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The civil date of a day count since 1970-01-01.
pub fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

/// Whether `y` is a Gregorian leap year.
pub fn is_leap(y: i64) -> bool {
    y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)
}

/// Days in month `m` of year `y`.
pub fn days_in(m: u32, y: i64) -> u32 {
    match m {
        2 if is_leap(y) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

fn process_start() -> &'static std::time::Instant {
    static START: OnceLock<std::time::Instant> = OnceLock::new();
    START.get_or_init(std::time::Instant::now)
}

impl GoTime {
    /// Go's `time.Now()` in the local zone, with a monotonic reading.
    pub fn now() -> GoTime {
        let start = process_start();
        let now = jiff::Timestamp::now();
        let mono = i64::try_from(start.elapsed().as_nanos()).unwrap_or(i64::MAX);
        GoTime {
            secs: now.as_second(),
            nsec: now.subsec_nanosecond().max(0) as u32,
            loc: Location::Local,
            mono: Some(mono),
        }
    }

    /// Go's `time.Unix(secs, 0)`: local zone, no monotonic reading.
    pub fn unix(secs: i64) -> GoTime {
        GoTime {
            secs,
            nsec: 0,
            loc: Location::Local,
            mono: None,
        }
    }

    /// Go's zero `time.Time{}` (January 1, year 1, UTC).
    pub fn zero() -> GoTime {
        GoTime {
            secs: ZERO_TIME_UNIX,
            nsec: 0,
            loc: Location::Utc,
            mono: None,
        }
    }

    /// `t.In(loc)`; like Go, drops the monotonic reading.
    pub fn in_location(&self, loc: Location) -> GoTime {
        GoTime {
            loc,
            mono: None,
            ..self.clone()
        }
    }

    /// Nanoseconds since the Unix epoch (Go's `UnixNano`, wrapping outside
    /// the int64 range as Go does).
    pub fn unix_nano(&self) -> i64 {
        self.secs
            .wrapping_mul(NANOS)
            .wrapping_add(i64::from(self.nsec))
    }

    /// `t.Add(d)`: keeps the monotonic reading, shifted by `d`.
    pub fn add(&self, d: i64) -> GoTime {
        let total =
            i128::from(self.secs) * i128::from(NANOS) + i128::from(self.nsec) + i128::from(d);
        let secs = total.div_euclid(i128::from(NANOS));
        GoTime {
            secs: i64::try_from(secs).unwrap_or(if d < 0 { i64::MIN } else { i64::MAX }),
            nsec: total.rem_euclid(i128::from(NANOS)) as u32,
            loc: self.loc.clone(),
            mono: self.mono.map(|m| m.saturating_add(d)),
        }
    }

    /// `time.Since(t)` / `now.Sub(t)` in nanoseconds, saturating like Go.
    pub fn since(&self) -> i64 {
        let now = GoTime::now();
        let diff = (i128::from(now.secs) - i128::from(self.secs)) * i128::from(NANOS)
            + i128::from(now.nsec)
            - i128::from(self.nsec);
        diff.clamp(i128::from(i64::MIN), i128::from(i64::MAX)) as i64
    }

    /// Zone abbreviation and offset at this instant.
    pub fn zone(&self) -> (String, i32) {
        self.loc.lookup(self.secs)
    }

    /// Civil fields in this time's zone.
    pub fn civil(&self) -> Civil {
        let (_, off) = self.zone();
        let local = self.secs.saturating_add(i64::from(off));
        let days = local.div_euclid(86_400);
        let rem = local.rem_euclid(86_400) as u32;
        let (year, month, day) = civil_from_days(days);
        Civil {
            year,
            month,
            day,
            hour: rem / 3600,
            minute: rem % 3600 / 60,
            second: rem % 60,
            weekday: (days + 4).rem_euclid(7) as u32,
            yday: (days - days_from_civil(year, 1, 1) + 1) as u32,
        }
    }

    /// Go's `Time.String`: `2006-01-02 15:04:05.999999999 -0700 MST`, plus
    /// ` m=±s.nnnnnnnnn` when there is a monotonic reading.
    pub fn go_string(&self) -> String {
        let mut s = format_go(self, "2006-01-02 15:04:05.999999999 -0700 MST");
        if let Some(m) = self.mono {
            let sign = if m < 0 { '-' } else { '+' };
            let u = m.unsigned_abs();
            s.push_str(&format!(
                " m={sign}{}.{:09}",
                u / 1_000_000_000,
                u % 1_000_000_000
            ));
        }
        s
    }

    /// The time at civil fields in `loc` (Go's `time.Date` for in-range fields).
    pub fn from_civil(c: &Civil, nsec: u32, loc: Location) -> GoTime {
        let days = days_from_civil(c.year, c.month, c.day);
        let wall = days * 86_400 + i64::from(c.hour * 3600 + c.minute * 60 + c.second);
        // The offset in effect at the wall time: look up with the offset at
        // the UTC reading, then correct once (enough outside transitions).
        let (_, off1) = loc.lookup(wall);
        let (_, off2) = loc.lookup(wall - i64::from(off1));
        let off = if off1 == off2 { off1 } else { off2 };
        GoTime {
            secs: wall - i64::from(off),
            nsec,
            loc,
            mono: None,
        }
    }
}

const LONG_DAYS: [&str; 7] = [
    "Sunday",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
];
const LONG_MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// Go's English month name.
pub fn month_name(m: u32) -> &'static str {
    LONG_MONTHS
        .get((m as usize).wrapping_sub(1))
        .copied()
        .unwrap_or("%!Month")
}

/// Go's English weekday name.
pub fn weekday_name(d: u32) -> &'static str {
    LONG_DAYS.get(d as usize).copied().unwrap_or("%!Weekday")
}

/// A layout element (Go's `std*` constants).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Std {
    LongMonth,
    Month,
    NumMonth,
    ZeroMonth,
    LongWeekDay,
    WeekDay,
    Day,
    UnderDay,
    ZeroDay,
    UnderYearDay,
    ZeroYearDay,
    Hour,
    Hour12,
    ZeroHour12,
    Minute,
    ZeroMinute,
    Second,
    ZeroSecond,
    LongYear,
    Year,
    PM,
    Pm,
    TZ,
    Iso8601TZ,
    Iso8601SecondsTZ,
    Iso8601ShortTZ,
    Iso8601ColonTZ,
    Iso8601ColonSecondsTZ,
    NumTZ,
    NumSecondsTz,
    NumShortTZ,
    NumColonTZ,
    NumColonSecondsTZ,
    /// `.000`: separator and digit count.
    FracSecond0(u8, usize),
    /// `.999`: separator and digit count.
    FracSecond9(u8, usize),
}

fn starts_lower(s: &[u8]) -> bool {
    s.first().is_some_and(u8::is_ascii_lowercase)
}

/// Go's `nextStdChunk`: the literal prefix, the element and the rest.
fn next_chunk(layout: &str) -> (&str, Option<(Std, usize)>, &str) {
    let b = layout.as_bytes();
    let n = b.len();
    let has = |i: usize, s: &str| layout.get(i..).is_some_and(|r| r.starts_with(s));
    for i in 0..n {
        let found: Option<(Std, usize)> = match b[i] {
            b'J' if has(i, "Jan") => {
                if has(i, "January") {
                    Some((Std::LongMonth, 7))
                } else if !starts_lower(&b[i + 3..]) {
                    Some((Std::Month, 3))
                } else {
                    None
                }
            }
            b'M' if has(i, "Mon") => {
                if has(i, "Monday") {
                    Some((Std::LongWeekDay, 6))
                } else if !starts_lower(&b[i + 3..]) {
                    Some((Std::WeekDay, 3))
                } else {
                    None
                }
            }
            b'M' if has(i, "MST") => Some((Std::TZ, 3)),
            b'0' if i + 1 < n && (b'1'..=b'6').contains(&b[i + 1]) => Some((
                [
                    Std::ZeroMonth,
                    Std::ZeroDay,
                    Std::ZeroHour12,
                    Std::ZeroMinute,
                    Std::ZeroSecond,
                    Std::Year,
                ][usize::from(b[i + 1] - b'1')],
                2,
            )),
            b'0' if has(i, "002") => Some((Std::ZeroYearDay, 3)),
            b'1' if has(i, "15") => Some((Std::Hour, 2)),
            b'1' => Some((Std::NumMonth, 1)),
            b'2' if has(i, "2006") => Some((Std::LongYear, 4)),
            b'2' => Some((Std::Day, 1)),
            b'_' if has(i, "_2") => {
                if has(i + 1, "2006") {
                    // `_2006` is a literal underscore and a long year.
                    return (&layout[..i + 1], Some((Std::LongYear, 4)), &layout[i + 5..]);
                }
                Some((Std::UnderDay, 2))
            }
            b'_' if has(i, "__2") => Some((Std::UnderYearDay, 3)),
            b'3' => Some((Std::Hour12, 1)),
            b'4' => Some((Std::Minute, 1)),
            b'5' => Some((Std::Second, 1)),
            b'P' if has(i, "PM") => Some((Std::PM, 2)),
            b'p' if has(i, "pm") => Some((Std::Pm, 2)),
            b'-' => [
                ("-070000", Std::NumSecondsTz),
                ("-07:00:00", Std::NumColonSecondsTZ),
                ("-0700", Std::NumTZ),
                ("-07:00", Std::NumColonTZ),
                ("-07", Std::NumShortTZ),
            ]
            .into_iter()
            .find(|(s, _)| has(i, s))
            .map(|(s, std)| (std, s.len())),
            b'Z' => [
                ("Z070000", Std::Iso8601SecondsTZ),
                ("Z07:00:00", Std::Iso8601ColonSecondsTZ),
                ("Z0700", Std::Iso8601TZ),
                ("Z07:00", Std::Iso8601ColonTZ),
                ("Z07", Std::Iso8601ShortTZ),
            ]
            .into_iter()
            .find(|(s, _)| has(i, s))
            .map(|(s, std)| (std, s.len())),
            c @ (b'.' | b',') if i + 1 < n && (b[i + 1] == b'0' || b[i + 1] == b'9') => {
                let ch = b[i + 1];
                let mut j = i + 1;
                while j < n && b[j] == ch {
                    j += 1;
                }
                // Only a fractional second when the digit run ends here.
                if j < n && b[j].is_ascii_digit() {
                    None
                } else {
                    let digits = j - (i + 1);
                    let std = if ch == b'0' {
                        Std::FracSecond0(c, digits)
                    } else {
                        Std::FracSecond9(c, digits)
                    };
                    Some((std, j - i))
                }
            }
            _ => None,
        };
        if let Some((std, len)) = found {
            return (&layout[..i], Some((std, len)), &layout[i + len..]);
        }
    }
    (layout, None, "")
}

fn push_int(out: &mut String, v: i64, width: usize) {
    if v < 0 {
        out.push('-');
    }
    out.push_str(&format!("{:0width$}", v.unsigned_abs()));
}

fn push_nanos(out: &mut String, nsec: u32, sep: u8, digits: usize, trim: bool) {
    if trim && (digits == 0 || nsec == 0) {
        return;
    }
    let mut frac = format!("{nsec:09}");
    frac.truncate(digits.min(9));
    if trim {
        let t = frac.trim_end_matches('0');
        if t.is_empty() {
            return;
        }
        frac = t.to_string();
    }
    out.push(char::from(sep));
    out.push_str(&frac);
}

/// Go's `Time.Format(layout)`.
pub fn format_go(t: &GoTime, layout: &str) -> String {
    let c = t.civil();
    let (name, offset) = t.zone();
    let mut out = String::with_capacity(layout.len() + 10);
    let mut rest = layout;
    loop {
        let (prefix, std, suffix) = next_chunk(rest);
        out.push_str(prefix);
        let Some((std, _)) = std else { break };
        rest = suffix;
        match std {
            Std::Year => push_int(&mut out, c.year.abs() % 100, 2),
            Std::LongYear => push_int(&mut out, c.year, 4),
            Std::Month => out.push_str(&month_name(c.month)[..3]),
            Std::LongMonth => out.push_str(month_name(c.month)),
            Std::NumMonth => push_int(&mut out, i64::from(c.month), 0),
            Std::ZeroMonth => push_int(&mut out, i64::from(c.month), 2),
            Std::WeekDay => out.push_str(&weekday_name(c.weekday)[..3]),
            Std::LongWeekDay => out.push_str(weekday_name(c.weekday)),
            Std::Day => push_int(&mut out, i64::from(c.day), 0),
            Std::UnderDay => {
                if c.day < 10 {
                    out.push(' ');
                }
                push_int(&mut out, i64::from(c.day), 0);
            }
            Std::ZeroDay => push_int(&mut out, i64::from(c.day), 2),
            Std::UnderYearDay => out.push_str(&format!("{:>3}", c.yday)),
            Std::ZeroYearDay => push_int(&mut out, i64::from(c.yday), 3),
            Std::Hour => push_int(&mut out, i64::from(c.hour), 2),
            Std::Hour12 | Std::ZeroHour12 => {
                let h = match c.hour % 12 {
                    0 => 12,
                    h => h,
                };
                push_int(
                    &mut out,
                    i64::from(h),
                    if std == Std::Hour12 { 0 } else { 2 },
                );
            }
            Std::Minute => push_int(&mut out, i64::from(c.minute), 0),
            Std::ZeroMinute => push_int(&mut out, i64::from(c.minute), 2),
            Std::Second => push_int(&mut out, i64::from(c.second), 0),
            Std::ZeroSecond => push_int(&mut out, i64::from(c.second), 2),
            Std::PM => out.push_str(if c.hour >= 12 { "PM" } else { "AM" }),
            Std::Pm => out.push_str(if c.hour >= 12 { "pm" } else { "am" }),
            Std::TZ => {
                if name.is_empty() {
                    let z = offset / 60;
                    out.push(if z < 0 { '-' } else { '+' });
                    push_int(&mut out, i64::from(z.abs() / 60), 2);
                    push_int(&mut out, i64::from(z.abs() % 60), 2);
                } else {
                    out.push_str(&name);
                }
            }
            Std::FracSecond0(sep, n) => push_nanos(&mut out, t.nsec, sep, n, false),
            Std::FracSecond9(sep, n) => push_nanos(&mut out, t.nsec, sep, n, true),
            tz => push_offset(&mut out, tz, offset),
        }
    }
    out
}

fn push_offset(out: &mut String, std: Std, offset: i32) {
    use Std::*;
    let iso = matches!(
        std,
        Iso8601TZ | Iso8601ColonTZ | Iso8601SecondsTZ | Iso8601ShortTZ | Iso8601ColonSecondsTZ
    );
    if offset == 0 && iso {
        out.push('Z');
        return;
    }
    let zone = (offset / 60).abs();
    let abs = offset.abs();
    out.push(if offset / 60 < 0 { '-' } else { '+' });
    push_int(out, i64::from(zone / 60), 2);
    if matches!(
        std,
        Iso8601ColonTZ | NumColonTZ | Iso8601ColonSecondsTZ | NumColonSecondsTZ
    ) {
        out.push(':');
    }
    if !matches!(std, NumShortTZ | Iso8601ShortTZ) {
        push_int(out, i64::from(zone % 60), 2);
    }
    if matches!(
        std,
        Iso8601SecondsTZ | NumSecondsTz | NumColonSecondsTZ | Iso8601ColonSecondsTZ
    ) {
        if matches!(std, NumColonSecondsTZ | Iso8601ColonSecondsTZ) {
            out.push(':');
        }
        push_int(out, i64::from(abs % 60), 2);
    }
}

/// Go's `time.Time` parse failure, with Go's message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError(pub String);

fn go_quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            c if c.is_control() => out.push_str(&format!("\\x{:02x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn getnum(v: &str, fixed: bool) -> Option<(i64, &str)> {
    let b = v.as_bytes();
    if !b.first().is_some_and(u8::is_ascii_digit) {
        return None;
    }
    if !b.get(1).is_some_and(u8::is_ascii_digit) {
        if fixed {
            return None;
        }
        return Some((i64::from(b[0] - b'0'), &v[1..]));
    }
    Some((
        i64::from(b[0] - b'0') * 10 + i64::from(b[1] - b'0'),
        &v[2..],
    ))
}

fn getnum3(v: &str, fixed: bool) -> Option<(i64, &str)> {
    let b = v.as_bytes();
    let mut n = 0i64;
    let mut i = 0;
    while i < 3 && b.get(i).is_some_and(u8::is_ascii_digit) {
        n = n * 10 + i64::from(b[i] - b'0');
        i += 1;
    }
    if i == 0 || (fixed && i != 3) {
        return None;
    }
    Some((n, &v[i..]))
}

fn lookup<'a>(names: &[&str], v: &'a str, short: bool) -> Option<(u32, &'a str)> {
    for (i, name) in names.iter().enumerate() {
        let name = if short { &name[..3] } else { name };
        if v.len() >= name.len() && v.as_bytes()[..name.len()].eq_ignore_ascii_case(name.as_bytes())
        {
            return Some((i as u32, &v[name.len()..]));
        }
    }
    None
}

fn parse_nanos(v: &str, nbytes: usize) -> Result<u32, &'static str> {
    let b = v.as_bytes();
    if !matches!(b.first(), Some(b'.' | b',')) {
        return Err("bad");
    }
    let nbytes = nbytes.min(10);
    let digits = v.get(1..nbytes).ok_or("bad")?;
    if !digits.bytes().all(|c| c.is_ascii_digit()) {
        return Err("bad");
    }
    let mut ns: u32 = digits.parse().map_err(|_| "bad")?;
    for _ in 0..(10 - nbytes) {
        ns *= 10;
    }
    Ok(ns)
}

/// Length of a time zone abbreviation at the start of `v` (Go's
/// `parseTimeZone`, without GMT offsets and numeric names).
fn zone_abbrev_len(v: &str) -> Option<usize> {
    let b = v.as_bytes();
    if b.len() < 3 {
        return None;
    }
    if v.starts_with("ChST") || v.starts_with("MeST") {
        return Some(4);
    }
    if v.starts_with("GMT") {
        return Some(3);
    }
    let upper = b
        .iter()
        .take(6)
        .take_while(|c| c.is_ascii_uppercase())
        .count();
    match upper {
        3 => Some(3),
        4 if b[3] == b'T' || v.starts_with("WITA") => Some(4),
        5 if b[4] == b'T' => Some(5),
        _ => None,
    }
}

/// Go's `time.ParseInLocation(layout, value, loc)`.
pub fn parse_go(layout: &str, value: &str, default_loc: Location) -> Result<GoTime, ParseError> {
    let err = |layout_elem: &str, value_elem: &str| {
        ParseError(format!(
            "parsing time {} as {}: cannot parse {} as {}",
            go_quote(value),
            go_quote(layout),
            go_quote(value_elem),
            go_quote(layout_elem)
        ))
    };
    let msg = |m: String| ParseError(format!("parsing time {}{m}", go_quote(value)));
    let (mut year, mut month, mut day, mut yday) = (0i64, -1i64, -1i64, -1i64);
    let (mut hour, mut min, mut sec, mut nsec) = (0i64, 0i64, 0i64, 0u32);
    let (mut pm, mut am) = (false, false);
    let mut utc = false;
    let mut zone_offset: Option<i32> = None;
    let mut zone_name = String::new();
    let mut lay = layout;
    let mut v = value;
    loop {
        let (prefix, std, suffix) = next_chunk(lay);
        let std_str = &lay[prefix.len()..lay.len() - suffix.len()];
        // skip: the literal prefix must match (runs of spaces are flexible).
        v = skip(v, prefix).ok_or_else(|| err(prefix, v))?;
        let Some((std, _)) = std else {
            if !v.is_empty() {
                return Err(msg(format!(": extra text: {}", go_quote(v))));
            }
            break;
        };
        lay = suffix;
        let hold = v;
        let mut range_err: Option<&str> = None;
        let ok: Option<&str> = (|| -> Option<&str> {
            match std {
                Std::Year => {
                    let p = v.get(..2)?;
                    let y: i64 = p
                        .parse()
                        .ok()
                        .filter(|_| p.bytes().all(|c| c.is_ascii_digit()))?;
                    year = if y >= 69 { y + 1900 } else { y + 2000 };
                    Some(&v[2..])
                }
                Std::LongYear => {
                    let p = v.get(..4)?;
                    if !p.bytes().all(|c| c.is_ascii_digit()) {
                        return None;
                    }
                    year = p.parse().ok()?;
                    Some(&v[4..])
                }
                Std::Month | Std::LongMonth => {
                    let (m, r) = lookup(&LONG_MONTHS, v, std == Std::Month)?;
                    month = i64::from(m) + 1;
                    Some(r)
                }
                Std::NumMonth | Std::ZeroMonth => {
                    let (m, r) = getnum(v, std == Std::ZeroMonth)?;
                    month = m;
                    if !(1..=12).contains(&m) {
                        range_err = Some("month");
                    }
                    Some(r)
                }
                Std::WeekDay | Std::LongWeekDay => {
                    lookup(&LONG_DAYS, v, std == Std::WeekDay).map(|(_, r)| r)
                }
                Std::Day | Std::UnderDay | Std::ZeroDay => {
                    let v = if std == Std::UnderDay {
                        v.strip_prefix(' ').unwrap_or(v)
                    } else {
                        v
                    };
                    let (d, r) = getnum(v, std == Std::ZeroDay)?;
                    day = d;
                    Some(r)
                }
                Std::UnderYearDay | Std::ZeroYearDay => {
                    let mut v = v;
                    if std == Std::UnderYearDay {
                        for _ in 0..2 {
                            v = v.strip_prefix(' ').unwrap_or(v);
                        }
                    }
                    let (d, r) = getnum3(v, std == Std::ZeroYearDay)?;
                    yday = d;
                    Some(r)
                }
                Std::Hour => {
                    let (h, r) = getnum(v, false)?;
                    hour = h;
                    if !(0..24).contains(&h) {
                        range_err = Some("hour");
                    }
                    Some(r)
                }
                Std::Hour12 | Std::ZeroHour12 => {
                    let (h, r) = getnum(v, std == Std::ZeroHour12)?;
                    hour = h;
                    if !(0..=12).contains(&h) {
                        range_err = Some("hour");
                    }
                    Some(r)
                }
                Std::Minute | Std::ZeroMinute => {
                    let (m, r) = getnum(v, std == Std::ZeroMinute)?;
                    min = m;
                    if !(0..60).contains(&m) {
                        range_err = Some("minute");
                    }
                    Some(r)
                }
                Std::Second | Std::ZeroSecond => {
                    let (s, mut r) = getnum(v, std == Std::ZeroSecond)?;
                    sec = s;
                    if !(0..60).contains(&s) {
                        range_err = Some("second");
                        return Some(r);
                    }
                    // A fractional second in the value but not in the layout.
                    let rb = r.as_bytes();
                    if rb.len() >= 2 && matches!(rb[0], b'.' | b',') && rb[1].is_ascii_digit() {
                        let next = next_chunk(lay).1.map(|(s, _)| s);
                        if !matches!(next, Some(Std::FracSecond0(..) | Std::FracSecond9(..))) {
                            let mut n = 2;
                            while n < rb.len() && rb[n].is_ascii_digit() {
                                n += 1;
                            }
                            nsec = parse_nanos(r, n).ok()?;
                            r = &r[n..];
                        }
                    }
                    Some(r)
                }
                Std::PM | Std::Pm => {
                    let p = v.get(..2)?;
                    match (p, std) {
                        ("PM", Std::PM) | ("pm", Std::Pm) => pm = true,
                        ("AM", Std::PM) | ("am", Std::Pm) => am = true,
                        _ => return None,
                    }
                    Some(&v[2..])
                }
                Std::TZ => {
                    if let Some(r) = v.strip_prefix("UTC") {
                        utc = true;
                        return Some(r);
                    }
                    let n = zone_abbrev_len(v)?;
                    zone_name = v[..n].to_string();
                    Some(&v[n..])
                }
                Std::FracSecond0(_, digits) => {
                    let n = 1 + digits;
                    let p = v.get(..n)?;
                    nsec = parse_nanos(p, n).ok()?;
                    Some(&v[n..])
                }
                Std::FracSecond9(..) => {
                    let b = v.as_bytes();
                    if b.len() < 2 || !matches!(b[0], b'.' | b',') || !b[1].is_ascii_digit() {
                        return Some(v);
                    }
                    let mut i = 0;
                    while i + 1 < b.len() && b[i + 1].is_ascii_digit() {
                        i += 1;
                    }
                    nsec = parse_nanos(v, 1 + i).ok()?;
                    Some(&v[1 + i..])
                }
                tz => {
                    use Std::*;
                    let iso = matches!(
                        tz,
                        Iso8601TZ
                            | Iso8601ShortTZ
                            | Iso8601ColonTZ
                            | Iso8601SecondsTZ
                            | Iso8601ColonSecondsTZ
                    );
                    if iso && let Some(r) = v.strip_prefix('Z') {
                        utc = true;
                        return Some(r);
                    }
                    let b = v.as_bytes();
                    let (sign, h, m, s, rest): (u8, &str, &str, &str, &str) = match tz {
                        Iso8601ColonTZ | NumColonTZ => {
                            if b.len() < 6 || b[3] != b':' {
                                return None;
                            }
                            (b[0], &v[1..3], &v[4..6], "00", &v[6..])
                        }
                        NumShortTZ | Iso8601ShortTZ => {
                            if b.len() < 3 {
                                return None;
                            }
                            (b[0], &v[1..3], "00", "00", &v[3..])
                        }
                        Iso8601ColonSecondsTZ | NumColonSecondsTZ => {
                            if b.len() < 9 || b[3] != b':' || b[6] != b':' {
                                return None;
                            }
                            (b[0], &v[1..3], &v[4..6], &v[7..9], &v[9..])
                        }
                        Iso8601SecondsTZ | NumSecondsTz => {
                            if b.len() < 7 {
                                return None;
                            }
                            (b[0], &v[1..3], &v[3..5], &v[5..7], &v[7..])
                        }
                        _ => {
                            if b.len() < 5 {
                                return None;
                            }
                            (b[0], &v[1..3], &v[3..5], "00", &v[5..])
                        }
                    };
                    let hr = getnum(h, true)?.0;
                    let mm = getnum(m, true)?.0;
                    let ss = getnum(s, true)?.0;
                    if hr > 24 {
                        range_err = Some("time zone offset hour");
                    }
                    if mm > 60 {
                        range_err = Some("time zone offset minute");
                    }
                    if ss > 60 {
                        range_err = Some("time zone offset second");
                    }
                    let off = ((hr * 60 + mm) * 60 + ss) as i32;
                    zone_offset = Some(match sign {
                        b'+' => off,
                        b'-' => -off,
                        _ => return None,
                    });
                    Some(rest)
                }
            }
        })();
        if let Some(what) = range_err {
            return Err(msg(format!(": {what} out of range")));
        }
        match ok {
            Some(r) => v = r,
            None => return Err(err(std_str, hold)),
        }
    }
    if pm && hour < 12 {
        hour += 12;
    } else if am && hour == 12 {
        hour = 0;
    }
    if yday >= 0 {
        let mut yd = yday;
        let mut m = 0i64;
        let mut d = 0i64;
        if is_leap(year) {
            if yd == 31 + 29 {
                m = 2;
                d = 29;
            } else if yd > 31 + 29 {
                yd -= 1;
            }
        }
        if !(1..=365).contains(&yd) {
            return Err(msg(": day-of-year out of range".into()));
        }
        if m == 0 {
            let mut before = 0i64;
            m = 1;
            while before + i64::from(days_in(m as u32, 2001)) < yd {
                before += i64::from(days_in(m as u32, 2001));
                m += 1;
            }
            d = yd - before;
        }
        if month >= 0 && month != m {
            return Err(msg(": day-of-year does not match month".into()));
        }
        month = m;
        if day >= 0 && day != d {
            return Err(msg(": day-of-year does not match day".into()));
        }
        day = d;
    } else {
        if month < 0 {
            month = 1;
        }
        if day < 0 {
            day = 1;
        }
    }
    if day < 1 || day > i64::from(days_in(month as u32, year)) {
        return Err(msg(": day out of range".into()));
    }
    let civil = Civil {
        year,
        month: month as u32,
        day: day as u32,
        hour: hour as u32,
        minute: min as u32,
        second: sec as u32,
        weekday: 0,
        yday: 0,
    };
    if utc {
        return Ok(GoTime::from_civil(&civil, nsec, Location::Utc));
    }
    if let Some(off) = zone_offset {
        let mut t = GoTime::from_civil(&civil, nsec, Location::Utc);
        t.secs -= i64::from(off);
        // Go keeps the local zone when it has this offset then.
        let (lname, loff) = Location::Local.lookup(t.secs);
        if loff == off && (zone_name.is_empty() || lname == zone_name) {
            t.loc = Location::Local;
        } else {
            t.loc = Location::Fixed(Arc::from(zone_name.as_str()), off);
        }
        return Ok(t);
    }
    if !zone_name.is_empty() {
        let mut t = GoTime::from_civil(&civil, nsec, Location::Utc);
        // A name the local zone uses at that time keeps the local zone;
        // otherwise Go fabricates a zone with that name and offset 0.
        let (lname, loff) = Location::Local.lookup(t.secs - 86_400 / 2);
        let (lname2, loff2) = Location::Local.lookup(t.secs);
        if lname == zone_name || lname2 == zone_name {
            let off = if lname2 == zone_name { loff2 } else { loff };
            t.secs -= i64::from(off);
            t.loc = Location::Local;
        } else {
            t.loc = Location::Fixed(Arc::from(zone_name.as_str()), 0);
        }
        return Ok(t);
    }
    Ok(GoTime::from_civil(&civil, nsec, default_loc))
}

/// Go's `skip`: matches the literal `prefix` at the start of `value`,
/// where a run of spaces in the prefix matches zero or more spaces… as
/// Go: a space in the layout needs at least one space in the value.
fn skip<'a>(mut value: &'a str, prefix: &str) -> Option<&'a str> {
    let mut p = prefix;
    while !p.is_empty() {
        if p.starts_with(' ') {
            if !value.is_empty() && !value.starts_with(' ') {
                return None;
            }
            p = p.trim_start_matches(' ');
            value = value.trim_start_matches(' ');
            continue;
        }
        let c = p.as_bytes()[0];
        if value.as_bytes().first() != Some(&c) {
            return None;
        }
        p = &p[1..];
        value = &value[1..];
    }
    Some(value)
}

/// Go's `Duration.String`: `1h2m3.5s`, `1.5ms`, `0s`.
pub fn duration_string(d: i64) -> String {
    let neg = d < 0;
    let u = d.unsigned_abs();
    let mut out = String::new();
    if u < 1_000_000_000 {
        let (unit, prec) = match u {
            0 => return "0s".into(),
            1..=999 => ("ns", 0u32),
            1_000..=999_999 => ("µs", 3),
            _ => ("ms", 6),
        };
        out.push_str(&frac(u, prec));
        out.push_str(unit);
    } else {
        let secs = u / 1_000_000_000;
        let nanos = u % 1_000_000_000;
        let h = secs / 3600;
        let m = secs % 3600 / 60;
        let s = secs % 60;
        if h > 0 {
            out.push_str(&format!("{h}h"));
        }
        if h > 0 || m > 0 {
            out.push_str(&format!("{m}m"));
        }
        out.push_str(&frac(s * 1_000_000_000 + nanos, 9));
        out.push('s');
    }
    if neg {
        out.insert(0, '-');
    }
    out
}

/// `v / 10^prec` with the fraction's trailing zeros (and a bare point) dropped.
fn frac(v: u64, prec: u32) -> String {
    let p = 10u64.pow(prec);
    let int = v / p;
    let f = v % p;
    if f == 0 {
        return int.to_string();
    }
    let digits = format!("{f:0width$}", width = prec as usize);
    format!("{int}.{}", digits.trim_end_matches('0'))
}

/// Go's `time.ParseDuration`.
pub fn parse_duration(orig: &str) -> Result<i64, String> {
    let invalid = || format!("time: invalid duration {}", go_quote(orig));
    let mut s = orig;
    let mut neg = false;
    if let Some(c) = s.chars().next()
        && (c == '-' || c == '+')
    {
        neg = c == '-';
        s = &s[1..];
    }
    if s == "0" {
        return Ok(0);
    }
    if s.is_empty() {
        return Err(invalid());
    }
    let mut d: u64 = 0;
    while !s.is_empty() {
        let b = s.as_bytes();
        if !(b[0] == b'.' || b[0].is_ascii_digit()) {
            return Err(invalid());
        }
        let int_len = b.iter().take_while(|c| c.is_ascii_digit()).count();
        let mut v: u64 = 0;
        for c in &b[..int_len] {
            v = v
                .checked_mul(10)
                .and_then(|x| x.checked_add(u64::from(c - b'0')))
                .filter(|x| *x <= 1 << 63)
                .ok_or_else(invalid)?;
        }
        s = &s[int_len..];
        let pre = int_len > 0;
        let mut post = false;
        let (mut f, mut scale) = (0u64, 1f64);
        if let Some(r) = s.strip_prefix('.') {
            let n = r.bytes().take_while(u8::is_ascii_digit).count();
            let mut overflow = false;
            for c in r.as_bytes()[..n].iter() {
                if overflow {
                    continue;
                }
                if f > (i64::MAX as u64 - 9) / 10 {
                    overflow = true;
                    continue;
                }
                f = f * 10 + u64::from(c - b'0');
                scale *= 10.0;
            }
            post = n > 0;
            s = &r[n..];
        }
        if !pre && !post {
            return Err(invalid());
        }
        let unit_len = s
            .bytes()
            .take_while(|c| !(*c == b'.' || c.is_ascii_digit()))
            .count();
        if unit_len == 0 {
            return Err(format!("time: missing unit in duration {}", go_quote(orig)));
        }
        let u = &s[..unit_len];
        s = &s[unit_len..];
        let unit: u64 = match u {
            "ns" => 1,
            "us" | "µs" | "μs" => 1_000,
            "ms" => 1_000_000,
            "s" => 1_000_000_000,
            "m" => 60_000_000_000,
            "h" => 3_600_000_000_000,
            _ => {
                return Err(format!(
                    "time: unknown unit {} in duration {}",
                    go_quote(u),
                    go_quote(orig)
                ));
            }
        };
        if v > (1u64 << 63) / unit {
            return Err(invalid());
        }
        v *= unit;
        if f > 0 {
            v += (f as f64 * (unit as f64 / scale)) as u64;
            if v > 1 << 63 {
                return Err(invalid());
            }
        }
        d = d
            .checked_add(v)
            .filter(|x| *x <= 1 << 63)
            .ok_or_else(invalid)?;
    }
    if neg {
        return Ok((d as i64).wrapping_neg());
    }
    i64::try_from(d).map_err(|_| invalid())
}

/// Go's `Duration.Round(m)`.
pub fn duration_round(d: i64, m: i64) -> i64 {
    if m <= 0 {
        return d;
    }
    let less_than_half = |x: i64, y: i64| (x as u64).wrapping_add(x as u64) < y as u64;
    let mut r = d % m;
    if d < 0 {
        r = -r;
        if less_than_half(r, m) {
            return d + r;
        }
        return d.checked_sub(m - r).unwrap_or(i64::MIN);
    }
    if less_than_half(r, m) {
        return d - r;
    }
    d.checked_add(m - r).unwrap_or(i64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(secs: i64, nsec: u32) -> GoTime {
        GoTime {
            secs,
            nsec,
            loc: Location::Utc,
            mono: None,
        }
    }

    #[test]
    fn civil_conversions_round_trip() {
        for days in [-719_468, -1, 0, 1, 10_957, 2_932_896] {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days);
        }
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(GoTime::zero().civil().year, 1);
        assert_eq!(GoTime::zero().civil().weekday, 1); // Monday
    }

    #[test]
    fn formats_like_go() {
        // 2009-11-10 23:00:00.012345678 UTC, a Tuesday, day 314.
        let t = utc(1_257_894_000, 12_345_678);
        let cases = [
            ("2006-01-02 15:04:05", "2009-11-10 23:00:00"),
            ("Mon Jan _2 3:4:5 PM MST 06", "Tue Nov 10 11:0:0 PM UTC 09"),
            ("Monday January 2 002 __2", "Tuesday November 10 314 314"),
            (
                "15:04:05.000 .999 ,999999999 .0",
                "23:00:00.012 .012 ,012345678 .0",
            ),
            ("Z07:00 -07:00 -0700 Z0700 -07", "Z +00:00 +0000 Z +00"),
            ("2006-01-02T15:04:05Z07:00", "2009-11-10T23:00:00Z"),
            ("Janet Monk 1.0001", "Janet Monk 11.0011"),
            ("_2006 3pm", "_2009 11pm"),
        ];
        for (layout, want) in cases {
            assert_eq!(format_go(&t, layout), want, "{layout}");
        }
        let fixed = GoTime {
            loc: Location::Fixed(Arc::from(""), -(5 * 3600 + 30 * 60)),
            ..utc(0, 0)
        };
        assert_eq!(
            format_go(&fixed, "-07:00:00 Z07:00 MST"),
            "-05:30:00 -05:30 -0530"
        );
        assert_eq!(fixed.go_string(), "1969-12-31 18:30:00 -0530 -0530");
        assert_eq!(GoTime::zero().go_string(), "0001-01-01 00:00:00 +0000 UTC");
        let mono = GoTime {
            mono: Some(118_965_209),
            ..utc(0, 5)
        };
        assert_eq!(
            mono.go_string(),
            "1970-01-01 00:00:00.000000005 +0000 UTC m=+0.118965209"
        );
    }

    #[test]
    fn named_zones_use_their_rules() {
        let Some(loc) = Location::load("America/New_York") else {
            eprintln!("skipped: no tz database");
            return;
        };
        let t = utc(1_257_894_000, 0).in_location(loc);
        assert_eq!(
            format_go(&t, "2006-01-02 15:04 MST -0700"),
            "2009-11-10 18:00 EST -0500"
        );
        assert!(Location::load("Not/AZone").is_none());
    }

    #[test]
    fn parses_like_go() {
        let t = parse_go("2006-01-02", "2017-12-31", Location::Utc).unwrap();
        assert_eq!(t.secs, 1_514_678_400);
        let t = parse_go(
            "2006-01-02T15:04:05Z07:00",
            "2017-12-31T10:00:00+02:00",
            Location::Utc,
        )
        .unwrap();
        assert_eq!(t.secs, 1_514_707_200);
        let t = parse_go(
            "Jan 2 2006 3:04:05.000 PM",
            "feb 3 2020 1:02:03.250 PM",
            Location::Utc,
        )
        .unwrap();
        assert_eq!(
            format_go(&t, "2006-01-02 15:04:05.999"),
            "2020-02-03 13:02:03.25"
        );
        let t = parse_go("15:04:05", "10:11:12.5", Location::Utc).unwrap();
        assert_eq!(t.nsec, 500_000_000);
        let t = parse_go("2006 002", "2020 060", Location::Utc).unwrap();
        assert_eq!(format_go(&t, "01-02"), "02-29");

        let e = parse_go("2006-01-02", "2017-1-31", Location::Utc).unwrap_err();
        assert_eq!(
            e.0,
            r#"parsing time "2017-1-31" as "2006-01-02": cannot parse "1-31" as "01""#
        );
        let e = parse_go("2006-01-02", "2017-02-30", Location::Utc).unwrap_err();
        assert_eq!(e.0, r#"parsing time "2017-02-30": day out of range"#);
        let e = parse_go("2006-01-02", "2017-13-01", Location::Utc).unwrap_err();
        assert_eq!(e.0, r#"parsing time "2017-13-01": month out of range"#);
        let e = parse_go("2006", "2017x", Location::Utc).unwrap_err();
        assert_eq!(e.0, r#"parsing time "2017x": extra text: "x""#);
        let e = parse_go("2006-01-02", "bad", Location::Utc).unwrap_err();
        assert_eq!(
            e.0,
            r#"parsing time "bad" as "2006-01-02": cannot parse "bad" as "2006""#
        );
    }

    #[test]
    fn durations_print_and_parse_like_go() {
        let cases = [
            (0, "0s"),
            (1, "1ns"),
            (1_100, "1.1µs"),
            (2_200_000, "2.2ms"),
            (3_300_000_000, "3.3s"),
            (4 * 60_000_000_000 + 5_000_000_000, "4m5s"),
            (3_600_000_000_000, "1h0m0s"),
            (-95_000_000_000, "-1m35s"),
            (i64::MIN, "-2562047h47m16.854775808s"),
        ];
        for (d, s) in cases {
            assert_eq!(duration_string(d), s, "{d}");
        }
        assert_eq!(parse_duration("1h30m").unwrap(), 5_400_000_000_000);
        assert_eq!(parse_duration("-1.5h").unwrap(), -5_400_000_000_000);
        assert_eq!(parse_duration("300ms").unwrap(), 300_000_000);
        assert_eq!(parse_duration("1µs2us").unwrap(), 3_000);
        assert_eq!(parse_duration("0").unwrap(), 0);
        assert_eq!(
            parse_duration("").unwrap_err(),
            r#"time: invalid duration """#
        );
        assert_eq!(
            parse_duration("1").unwrap_err(),
            r#"time: missing unit in duration "1""#
        );
        assert_eq!(
            parse_duration("1d").unwrap_err(),
            r#"time: unknown unit "d" in duration "1d""#
        );
        assert_eq!(
            parse_duration("x").unwrap_err(),
            r#"time: invalid duration "x""#
        );
        assert_eq!(duration_round(1_499_999_999, 1_000_000_000), 1_000_000_000);
        assert_eq!(duration_round(1_500_000_000, 1_000_000_000), 2_000_000_000);
        assert_eq!(
            duration_round(-1_500_000_000, 1_000_000_000),
            -2_000_000_000
        );
    }
}
