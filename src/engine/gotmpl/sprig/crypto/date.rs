//! Sprig's date functions: `now`, `date`, `dateInZone` (`date_in_zone`),
//! `htmlDate`, `htmlDateInZone`, `dateModify` (`date_modify`),
//! `mustDateModify` (`must_date_modify`), `ago`, `duration`,
//! `durationRound`, `unixEpoch`, `toDate`, `mustToDate`.
//!
//! Times travel through templates as a `time.Time` host object
//! ([`TimeValue`]) so that `%T`, printing (`Time.String`, with the
//! monotonic `m=+…` suffix for `now`) and methods such as `.Unix` or
//! `.Format` behave as in Helm.
//!
//! `now` is always the real clock, also under `--seed`: output built from
//! it (dates, `ago`, certificate validity) is not reproducible.

use std::sync::Arc;

use super::gotime::{self, GoTime, Location};
use crate::engine::gotmpl::funcs::{Function, ParamType};
use crate::engine::gotmpl::value::{GoValue, Object};

/// Go's type name for times.
pub const TIME_TYPE: &str = "time.Time";

/// Name of the hidden field through which a [`TimeValue`] hands its
/// contents back to these functions (the `Object` trait has no downcast;
/// template field names cannot contain a NUL, so templates never see it).
const HIDDEN_FIELD: &str = "\u{0}gotime";

/// A `time.Time` template value.
#[derive(Clone)]
pub struct TimeValue(pub GoTime);

impl TimeValue {
    /// The template value.
    pub fn into_value(self) -> GoValue {
        GoValue::Object(Arc::new(self))
    }

    fn encode(&self) -> String {
        let t = &self.0;
        let mono = t.mono.map_or_else(|| "-".to_string(), |m| m.to_string());
        let loc = match &t.loc {
            Location::Utc => "U".to_string(),
            Location::Local => "L".to_string(),
            Location::Named(name, _) => format!("N{name}"),
            Location::Fixed(name, off) => format!("F{off}:{name}"),
        };
        format!("{} {} {mono} {loc}", t.secs, t.nsec)
    }

    fn decode(s: &str) -> Option<GoTime> {
        let mut parts = s.splitn(4, ' ');
        let secs = parts.next()?.parse().ok()?;
        let nsec = parts.next()?.parse().ok()?;
        let mono = match parts.next()? {
            "-" => None,
            m => Some(m.parse().ok()?),
        };
        let loc = parts.next()?;
        let loc = match loc.split_at_checked(1)? {
            ("U", _) => Location::Utc,
            ("L", _) => Location::Local,
            ("N", name) => Location::load(name)?,
            ("F", rest) => {
                let (off, name) = rest.split_once(':')?;
                Location::Fixed(Arc::from(name), off.parse().ok()?)
            }
            _ => return None,
        };
        Some(GoTime {
            secs,
            nsec,
            loc,
            mono,
        })
    }

    /// The time inside a template value, if it is one.
    pub fn from_value(v: &GoValue) -> Option<GoTime> {
        match v {
            GoValue::Object(o) if o.type_name() == TIME_TYPE => match o.field(HIDDEN_FIELD) {
                Some(GoValue::String(s)) => TimeValue::decode(&s),
                _ => None,
            },
            _ => None,
        }
    }
}

fn time_value(t: GoTime) -> GoValue {
    TimeValue(t).into_value()
}

impl Object for TimeValue {
    fn type_name(&self) -> &str {
        TIME_TYPE
    }

    fn field(&self, name: &str) -> Option<GoValue> {
        match name {
            HIDDEN_FIELD => Some(GoValue::from(self.encode())),
            // `time.Time` implements json.Marshaler with RFC 3339 and
            // nanoseconds (`toJson now`); answered through the Helm
            // engine's JSON hook field.
            JSON_HOOK => Some(GoValue::from(gotime::format_go(&self.0, RFC3339_NANO))),
            _ => None,
        }
    }

    fn method(&self, name: &str) -> Option<Arc<Function>> {
        use ParamType as P;
        let t = self.0.clone();
        let civil = t.civil();
        let int = |v: i64| Function::new(vec![], None, move |_, _| Ok(GoValue::Int(v)));
        let f = match name {
            "Unix" => int(t.secs),
            "UnixMilli" => int(t.unix_nano().div_euclid(1_000_000)),
            "UnixMicro" => int(t.unix_nano().div_euclid(1_000)),
            "UnixNano" => int(t.unix_nano()),
            "Year" => int(civil.year),
            "YearDay" => int(i64::from(civil.yday)),
            "Day" => int(i64::from(civil.day)),
            "Hour" => int(i64::from(civil.hour)),
            "Minute" => int(i64::from(civil.minute)),
            "Second" => int(i64::from(civil.second)),
            "Nanosecond" => int(i64::from(t.nsec)),
            // time.Month and time.Weekday print as their English names.
            "Month" => {
                let m = gotime::month_name(civil.month);
                Function::new(vec![], None, move |_, _| Ok(GoValue::str(m)))
            }
            "Weekday" => {
                let d = gotime::weekday_name(civil.weekday);
                Function::new(vec![], None, move |_, _| Ok(GoValue::str(d)))
            }
            "String" => Function::new(vec![], None, move |_, _| Ok(GoValue::from(t.go_string()))),
            "IsZero" => Function::new(vec![], None, move |_, _| {
                Ok(GoValue::Bool(
                    t.secs == gotime::ZERO_TIME_UNIX && t.nsec == 0,
                ))
            }),
            "Format" => Function::new(vec![P::String], None, move |_, a| {
                Ok(GoValue::from(gotime::format_go(
                    &t,
                    a[0].as_str().unwrap_or_default(),
                )))
            }),
            "UTC" => Function::new(vec![], None, move |_, _| {
                Ok(time_value(t.in_location(Location::Utc)))
            }),
            "Local" => Function::new(vec![], None, move |_, _| {
                Ok(time_value(t.in_location(Location::Local)))
            }),
            "Add" => Function::new(vec![P::Int64], None, move |_, a| {
                Ok(time_value(t.add(int_arg(&a[0]))))
            }),
            "AddDate" => Function::new(vec![P::Int, P::Int, P::Int], None, move |_, a| {
                Ok(time_value(add_date(
                    &t,
                    int_arg(&a[0]),
                    int_arg(&a[1]),
                    int_arg(&a[2]),
                )))
            }),
            "Sub" => Function::new(vec![P::Any], None, move |_, a| {
                let u = want_time(&a[0])?;
                Ok(DurationValue(time_sub(&t, &u)).into_value())
            }),
            "Round" | "Truncate" => {
                let round = name == "Round";
                Function::new(vec![P::Int64], None, move |_, a| {
                    Ok(time_value(round_time(&t, int_arg(&a[0]), round)))
                })
            }
            "Before" | "After" | "Equal" => {
                let which = name.to_string();
                Function::new(vec![P::Any], None, move |_, a| {
                    let u = want_time(&a[0])?;
                    let key = |x: &GoTime| (x.secs, x.nsec);
                    Ok(GoValue::Bool(match which.as_str() {
                        "Before" => key(&t) < key(&u),
                        "After" => key(&t) > key(&u),
                        _ => key(&t) == key(&u),
                    }))
                })
            }
            _ => return None,
        };
        Some(Arc::new(f))
    }

    fn string(&self) -> Option<String> {
        Some(self.0.go_string())
    }
}

/// The field name through which host objects hand the Helm engine their
/// `encoding/json` form (`crate::engine::helm::funcs::JSON_FIELD`).
const JSON_HOOK: &str = "%json";

/// Go's `time.RFC3339Nano`, the layout of `Time.MarshalJSON`.
const RFC3339_NANO: &str = "2006-01-02T15:04:05.999999999Z07:00";

/// Go's `t.Sub(u)`: by the monotonic readings when both have one, else by
/// wall time; saturating at the Duration range as Go does.
fn time_sub(t: &GoTime, u: &GoTime) -> i64 {
    if let (Some(a), Some(b)) = (t.mono, u.mono) {
        return a.saturating_sub(b);
    }
    let d = (i128::from(t.secs) - i128::from(u.secs)) * 1_000_000_000
        + (i128::from(t.nsec) - i128::from(u.nsec));
    d.clamp(i128::from(i64::MIN), i128::from(i64::MAX)) as i64
}

/// Go's `Time.Round`/`Time.Truncate`: to a multiple of `d` since Go's zero
/// time (January 1, year 1), dropping the monotonic reading; halfway
/// values round up. `d <= 0` only drops the monotonic reading.
fn round_time(t: &GoTime, d: i64, round: bool) -> GoTime {
    let mut out = GoTime {
        mono: None,
        ..t.clone()
    };
    if d <= 0 {
        return out;
    }
    let since_zero = (i128::from(t.secs) - i128::from(gotime::ZERO_TIME_UNIX)) * 1_000_000_000
        + i128::from(t.nsec);
    let r = since_zero.rem_euclid(i128::from(d));
    let delta = if round && r + r >= i128::from(d) {
        i128::from(d) - r
    } else {
        -r
    };
    out = out.add(delta.clamp(i128::from(i64::MIN), i128::from(i64::MAX)) as i64);
    out
}

/// A `time.Duration` template value (what `Time.Sub` returns): prints
/// through its `String` method (`1h2m3s`).
#[derive(Clone, Copy)]
pub struct DurationValue(pub i64);

impl DurationValue {
    /// The template value.
    pub fn into_value(self) -> GoValue {
        GoValue::Object(Arc::new(self))
    }
}

impl Object for DurationValue {
    fn type_name(&self) -> &str {
        "time.Duration"
    }

    fn kind_name(&self) -> &str {
        "int64"
    }

    fn field(&self, name: &str) -> Option<GoValue> {
        // encoding/json writes a Duration as its integer nanoseconds.
        (name == JSON_HOOK).then_some(GoValue::Int64(self.0))
    }

    fn method(&self, name: &str) -> Option<Arc<Function>> {
        const SEC: i64 = 1_000_000_000;
        let d = self.0;
        // Go splits into whole units and remainder to keep float precision.
        let units = |unit: i64| (d / unit) as f64 + (d % unit) as f64 / unit as f64;
        let float = |x: f64| Function::new(vec![], None, move |_, _| Ok(GoValue::Float(x)));
        let int = |x: i64| Function::new(vec![], None, move |_, _| Ok(GoValue::Int64(x)));
        let f = match name {
            "String" => Function::new(vec![], None, move |_, _| {
                Ok(GoValue::from(gotime::duration_string(d)))
            }),
            "Hours" => float(units(3600 * SEC)),
            "Minutes" => float(units(60 * SEC)),
            "Seconds" => float(units(SEC)),
            "Milliseconds" => int(d / 1_000_000),
            "Microseconds" => int(d / 1_000),
            "Nanoseconds" => int(d),
            "Abs" => Function::new(vec![], None, move |_, _| {
                // Go: the minimum Duration has no positive form and saturates.
                Ok(DurationValue(d.checked_abs().unwrap_or(i64::MAX)).into_value())
            }),
            "Round" | "Truncate" => {
                let round = name == "Round";
                Function::new(vec![ParamType::Int64], None, move |_, a| {
                    Ok(DurationValue(round_duration(d, int_arg(&a[0]), round)).into_value())
                })
            }
            _ => return None,
        };
        Some(Arc::new(f))
    }

    fn string(&self) -> Option<String> {
        Some(gotime::duration_string(self.0))
    }
}

/// Go's `Duration.Round` (halfway away from zero, saturating) and
/// `Duration.Truncate` (toward zero); `m <= 0` leaves `d` unchanged.
fn round_duration(d: i64, m: i64, round: bool) -> i64 {
    if m <= 0 {
        return d;
    }
    let r = d % m;
    if !round {
        return d - r;
    }
    let (d, m, r) = (i128::from(d), i128::from(m), i128::from(r));
    let out = if d < 0 {
        let r = -r;
        if r + r < m { d + r } else { d + r - m }
    } else if r + r < m {
        d - r
    } else {
        d - r + m
    };
    out.clamp(i128::from(i64::MIN), i128::from(i64::MAX)) as i64
}

fn int_arg(v: &GoValue) -> i64 {
    match v {
        GoValue::Int(i) | GoValue::Int64(i) => *i,
        GoValue::Uint64(u) => *u as i64,
        _ => 0,
    }
}

/// Go's `Time.AddDate`: civil arithmetic, normalising overflowing fields.
fn add_date(t: &GoTime, years: i64, months: i64, days: i64) -> GoTime {
    let c = t.civil();
    let total_months = c.year * 12 + i64::from(c.month) - 1 + years * 12 + months;
    let year = total_months.div_euclid(12);
    let month = (total_months.rem_euclid(12) + 1) as u32;
    // Day overflow (Jan 31 + 1 month = Mar 3) rolls over like Go's Date.
    let base = gotime::days_from_civil(year, month, 1) + i64::from(c.day) - 1 + days;
    let (y, m, d) = gotime::civil_from_days(base);
    let civil = gotime::Civil {
        year: y,
        month: m,
        day: d,
        ..c
    };
    GoTime::from_civil(&civil, t.nsec, t.loc.clone())
}

/// A `time.Time` parameter: Go's reflect check before the call.
fn want_time(v: &GoValue) -> Result<GoTime, String> {
    if let Some(t) = TimeValue::from_value(v) {
        return Ok(t);
    }
    if v.is_nil() {
        return Err(format!("invalid value; expected {TIME_TYPE}"));
    }
    Err(format!(
        "wrong type for value; expected {TIME_TYPE}; got {}",
        v.type_name()
    ))
}

/// Sprig's `date`/`dateInZone` input: a time, or Go `int`/`int64` Unix
/// seconds; anything else (strings, float64 numbers from values files)
/// means "now".
fn time_or_now(v: &GoValue) -> GoTime {
    match v {
        GoValue::Int(i) | GoValue::Int64(i) => GoTime::unix(*i),
        _ => TimeValue::from_value(v).unwrap_or_else(GoTime::now),
    }
}

/// Sprig's `dateInZone`: unknown zones fall back to UTC.
pub fn date_in_zone(layout: &str, date: &GoValue, zone: &str) -> String {
    let loc = Location::load(zone).unwrap_or(Location::Utc);
    gotime::format_go(&time_or_now(date).in_location(loc), layout)
}

/// Sprig's `ago`: time since the date, rounded to seconds.
pub fn ago(date: &GoValue) -> String {
    let t = match date {
        GoValue::Int(i) | GoValue::Int64(i) => GoTime::unix(*i),
        _ => TimeValue::from_value(date).unwrap_or_else(GoTime::now),
    };
    gotime::duration_string(gotime::duration_round(t.since(), 1_000_000_000))
}

/// Sprig's `duration`: a string of seconds or an int64; anything else,
/// including a Go `int`, is zero.
pub fn duration(sec: &GoValue) -> String {
    let n = match sec {
        GoValue::String(s) => s.parse::<i64>().unwrap_or(0),
        GoValue::Int64(i) => *i,
        _ => 0,
    };
    gotime::duration_string(n.wrapping_mul(1_000_000_000))
}

/// Sprig's `durationRound`: the largest whole unit (y, mo, d, h, m, s).
pub fn duration_round(v: &GoValue) -> String {
    let d: i64 = match v {
        GoValue::String(s) => gotime::parse_duration(s).unwrap_or(0),
        GoValue::Int64(i) => *i,
        _ => TimeValue::from_value(v).map_or(0, |t| t.since()),
    };
    let u = d.unsigned_abs();
    const SECOND: u64 = 1_000_000_000;
    let units: [(u64, &str); 6] = [
        (SECOND * 3600 * 24 * 365, "y"),
        (SECOND * 3600 * 24 * 30, "mo"),
        (SECOND * 3600 * 24, "d"),
        (SECOND * 3600, "h"),
        (SECOND * 60, "m"),
        (SECOND, "s"),
    ];
    for (size, name) in units {
        if u > size {
            return format!("{}{name}", u / size);
        }
    }
    "0s".into()
}

/// Registers the date functions.
pub fn register(map: &mut crate::engine::gotmpl::funcs::FuncMap) {
    use ParamType::{Any, String as S};
    let mut add = |names: &[&str], f: Function| {
        let f = Arc::new(f);
        for n in names {
            map.insert((*n).to_string(), f.clone());
        }
    };
    add(
        &["now"],
        Function::new(vec![], None, |_, _| Ok(time_value(GoTime::now()))),
    );
    add(
        &["date"],
        Function::new(vec![S, Any], None, |_, a| {
            Ok(date_in_zone(a[0].as_str().unwrap_or_default(), &a[1], "Local").into())
        }),
    );
    add(
        &["dateInZone", "date_in_zone"],
        Function::new(vec![S, Any, S], None, |_, a| {
            let zone = a[2].as_str().unwrap_or_default();
            Ok(date_in_zone(a[0].as_str().unwrap_or_default(), &a[1], zone).into())
        }),
    );
    add(
        &["htmlDate"],
        Function::new(vec![Any], None, |_, a| {
            Ok(date_in_zone("2006-01-02", &a[0], "Local").into())
        }),
    );
    add(
        &["htmlDateInZone"],
        Function::new(vec![Any, S], None, |_, a| {
            Ok(date_in_zone("2006-01-02", &a[0], a[1].as_str().unwrap_or_default()).into())
        }),
    );
    add(
        &["dateModify", "date_modify"],
        Function::new(vec![S, Any], None, |_, a| {
            let t = want_time(&a[1])?;
            Ok(
                match gotime::parse_duration(a[0].as_str().unwrap_or_default()) {
                    Ok(d) => time_value(t.add(d)),
                    Err(_) => time_value(t),
                },
            )
        }),
    );
    add(
        &["mustDateModify", "must_date_modify"],
        Function::new(vec![S, Any], None, |_, a| {
            let t = want_time(&a[1])?;
            let d = gotime::parse_duration(a[0].as_str().unwrap_or_default())?;
            Ok(time_value(t.add(d)))
        }),
    );
    add(
        &["ago"],
        Function::new(vec![Any], None, |_, a| Ok(ago(&a[0]).into())),
    );
    add(
        &["duration"],
        Function::new(vec![Any], None, |_, a| Ok(duration(&a[0]).into())),
    );
    add(
        &["durationRound"],
        Function::new(vec![Any], None, |_, a| Ok(duration_round(&a[0]).into())),
    );
    add(
        &["unixEpoch"],
        Function::new(vec![Any], None, |_, a| {
            Ok(want_time(&a[0])?.secs.to_string().into())
        }),
    );
    add(
        &["toDate"],
        Function::new(vec![S, S], None, |_, a| {
            let (layout, value) = (
                a[0].as_str().unwrap_or_default(),
                a[1].as_str().unwrap_or_default(),
            );
            // Sprig drops the error: a bad date is Go's zero time.
            Ok(time_value(
                gotime::parse_go(layout, value, Location::Local).unwrap_or_else(|_| GoTime::zero()),
            ))
        }),
    );
    add(
        &["mustToDate"],
        Function::new(vec![S, S], None, |_, a| {
            let (layout, value) = (
                a[0].as_str().unwrap_or_default(),
                a[1].as_str().unwrap_or_default(),
            );
            gotime::parse_go(layout, value, Location::Local)
                .map(time_value)
                .map_err(|e| e.0)
        }),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_values_round_trip_through_objects() {
        let locs = [
            Location::Utc,
            Location::Local,
            Location::Fixed(Arc::from("ABC"), 3600),
            Location::Fixed(Arc::from(""), -1800),
        ];
        for loc in locs {
            let t = GoTime {
                secs: 1_700_000_000,
                nsec: 42,
                loc,
                mono: Some(7),
            };
            let back = TimeValue::from_value(&time_value(t.clone())).unwrap();
            assert_eq!((back.secs, back.nsec, back.mono), (t.secs, t.nsec, t.mono));
            assert_eq!(back.go_string(), t.go_string());
        }
        assert!(TimeValue::from_value(&GoValue::str("x")).is_none());
    }

    #[test]
    fn date_inputs_follow_sprig() {
        // Go ints and int64s are Unix seconds.
        assert_eq!(
            date_in_zone("2006-01-02 15:04", &GoValue::Int(0), "UTC"),
            "1970-01-01 00:00"
        );
        assert_eq!(
            date_in_zone("2006", &GoValue::Int64(1_700_000_000), "UTC"),
            "2023"
        );
        // Unknown zones are UTC.
        assert_eq!(date_in_zone("MST", &GoValue::Int(0), "No/Where"), "UTC");
        // float64 (values files) means now.
        let now_year = GoTime::now()
            .in_location(Location::Utc)
            .civil()
            .year
            .to_string();
        assert_eq!(date_in_zone("2006", &GoValue::Float(0.0), "UTC"), now_year);
    }

    #[test]
    fn durations_follow_sprig_input_rules() {
        assert_eq!(duration(&GoValue::str("95")), "1m35s");
        assert_eq!(duration(&GoValue::Int64(3600)), "1h0m0s");
        assert_eq!(duration(&GoValue::Int(95)), "0s");
        assert_eq!(duration(&GoValue::str("x")), "0s");
        assert_eq!(duration_round(&GoValue::str("2h5m")), "2h");
        assert_eq!(duration_round(&GoValue::str("-48h")), "2d");
        assert_eq!(duration_round(&GoValue::str("1s")), "0s");
        assert_eq!(duration_round(&GoValue::Int64(3_000_000_000)), "3s");
        assert_eq!(duration_round(&GoValue::Int(3)), "0s");
        assert_eq!(duration_round(&GoValue::str("8760h1s")), "1y");
        assert_eq!(ago(&GoValue::str("x")), "0s");
    }

    #[test]
    fn add_date_normalises_like_go() {
        let t = gotime::parse_go("2006-01-02", "2021-01-31", Location::Utc).unwrap();
        let u = add_date(&t, 0, 1, 0);
        assert_eq!(gotime::format_go(&u, "2006-01-02"), "2021-03-03");
        let u = add_date(&t, -1, 0, 1);
        assert_eq!(gotime::format_go(&u, "2006-01-02"), "2020-02-01");
    }

    #[test]
    fn time_arguments_are_type_checked() {
        assert_eq!(
            want_time(&GoValue::str("x")).unwrap_err(),
            "wrong type for value; expected time.Time; got string"
        );
        assert_eq!(
            want_time(&GoValue::Nil).unwrap_err(),
            "invalid value; expected time.Time"
        );
    }

    #[test]
    fn duration_rounding_matches_go() {
        const H: i64 = 3_600_000_000_000;
        assert_eq!(round_duration(90 * 60_000_000_000, H, true), 2 * H);
        assert_eq!(round_duration(89 * 60_000_000_000, H, true), H);
        assert_eq!(round_duration(-90 * 60_000_000_000, H, true), -2 * H);
        assert_eq!(round_duration(-90 * 60_000_000_000, H, false), -H);
        assert_eq!(round_duration(i64::MAX, H, true), i64::MAX);
        assert_eq!(round_duration(5, 0, true), 5);
    }

    #[test]
    fn time_sub_round_and_json() {
        let t = |secs: i64, nsec: u32| GoTime {
            secs,
            nsec,
            loc: Location::Utc,
            mono: None,
        };
        assert_eq!(time_sub(&t(10, 0), &t(7, 500_000_000)), 2_500_000_000);
        let mono = |m: i64| GoTime {
            mono: Some(m),
            ..t(0, 0)
        };
        // Both monotonic readings present: Go subtracts those.
        assert_eq!(time_sub(&mono(50), &mono(20)), 30);
        let r = round_time(&t(5400, 0), 3_600_000_000_000, true);
        assert_eq!((r.secs, r.nsec), (7200, 0));
        let r = round_time(&t(5399, 0), 3_600_000_000_000, false);
        assert_eq!((r.secs, r.nsec), (3600, 0));
        assert!(round_time(&mono(9), 0, true).mono.is_none());
        let json = TimeValue(t(0, 500_000_000)).field(JSON_HOOK);
        assert_eq!(
            json.and_then(|v| v.as_str().map(str::to_string)).as_deref(),
            Some("1970-01-01T00:00:00.5Z")
        );
        let d = DurationValue(5_400_000_000_000);
        assert_eq!(d.string().as_deref(), Some("1h30m0s"));
        assert_eq!(d.type_name(), "time.Duration");
    }
}
