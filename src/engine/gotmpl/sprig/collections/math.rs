//! Sprig's math functions (`numeric.go` and the arithmetic closures in
//! `functions.go`).
//!
//! Integer functions convert every operand with cast's `ToInt64` and
//! return `int64` (so `add 1 1.5` is 2, and Go's wrapping overflow
//! applies); the `…f` functions convert with `ToFloat64` and compute in
//! shopspring/decimal before converting back to `float64`, which is why
//! `addf 0.1 0.2` prints `0.3`.

use super::{CollectionsError, reg, to_float64, to_int, to_int64};
use crate::engine::gotmpl::funcs::{FuncMap, ParamType};
use crate::engine::gotmpl::value::GoValue;

/// Registers the math functions.
pub fn register(map: &mut FuncMap) {
    use ParamType::{Any, Float64, Int};
    reg(map, &["add"], vec![], Some(Any), |_, a| {
        Ok(GoValue::Int64(
            a.iter().fold(0i64, |acc, v| acc.wrapping_add(to_int64(v))),
        ))
    });
    reg(map, &["add1"], vec![Any], None, |_, a| {
        Ok(GoValue::Int64(to_int64(&a[0]).wrapping_add(1)))
    });
    reg(map, &["sub"], vec![Any, Any], None, |_, a| {
        Ok(GoValue::Int64(
            to_int64(&a[0]).wrapping_sub(to_int64(&a[1])),
        ))
    });
    reg(map, &["div"], vec![Any, Any], None, |_, a| {
        let d = to_int64(&a[1]);
        if d == 0 {
            return Err(CollectionsError::DivideByZero.into());
        }
        Ok(GoValue::Int64(to_int64(&a[0]).wrapping_div(d)))
    });
    reg(map, &["mod"], vec![Any, Any], None, |_, a| {
        let d = to_int64(&a[1]);
        if d == 0 {
            return Err(CollectionsError::DivideByZero.into());
        }
        Ok(GoValue::Int64(to_int64(&a[0]).wrapping_rem(d)))
    });
    reg(map, &["mul"], vec![Any], Some(Any), |_, a| {
        Ok(GoValue::Int64(
            a[1..]
                .iter()
                .fold(to_int64(&a[0]), |acc, v| acc.wrapping_mul(to_int64(v))),
        ))
    });
    reg(map, &["max", "biggest"], vec![Any], Some(Any), |_, a| {
        Ok(GoValue::Int64(
            a[1..].iter().map(to_int64).fold(to_int64(&a[0]), i64::max),
        ))
    });
    reg(map, &["min"], vec![Any], Some(Any), |_, a| {
        Ok(GoValue::Int64(
            a[1..].iter().map(to_int64).fold(to_int64(&a[0]), i64::min),
        ))
    });
    reg(map, &["maxf"], vec![Any], Some(Any), |_, a| {
        Ok(GoValue::Float(
            a[1..]
                .iter()
                .map(to_float64)
                .fold(to_float64(&a[0]), go_max),
        ))
    });
    reg(map, &["minf"], vec![Any], Some(Any), |_, a| {
        Ok(GoValue::Float(
            a[1..]
                .iter()
                .map(to_float64)
                .fold(to_float64(&a[0]), go_min),
        ))
    });
    reg(map, &["floor"], vec![Any], None, |_, a| {
        Ok(GoValue::Float(to_float64(&a[0]).floor()))
    });
    reg(map, &["ceil"], vec![Any], None, |_, a| {
        Ok(GoValue::Float(to_float64(&a[0]).ceil()))
    });
    reg(map, &["round"], vec![Any, Int], Some(Float64), |_, a| {
        let round_on = match a.get(2) {
            Some(GoValue::Float(x)) => *x,
            _ => 0.5,
        };
        Ok(GoValue::Float(round(
            to_float64(&a[0]),
            to_int(&a[1]),
            round_on,
        )))
    });
    reg(map, &["add1f"], vec![Any], None, |_, a| {
        decimal_op(&a[0], &[GoValue::Int(1)], Op::Add).map(GoValue::Float)
    });
    reg(map, &["addf"], vec![], Some(Any), |_, a| {
        decimal_op(&GoValue::Float(0.0), &a, Op::Add).map(GoValue::Float)
    });
    reg(map, &["subf"], vec![Any], Some(Any), |_, a| {
        decimal_op(&a[0], &a[1..], Op::Sub).map(GoValue::Float)
    });
    reg(map, &["mulf"], vec![Any], Some(Any), |_, a| {
        decimal_op(&a[0], &a[1..], Op::Mul).map(GoValue::Float)
    });
    reg(map, &["divf"], vec![Any], Some(Any), |_, a| {
        decimal_op(&a[0], &a[1..], Op::Div).map(GoValue::Float)
    });
}

/// Go's `math.Max`: NaN wins, +0 beats -0.
fn go_max(a: f64, b: f64) -> f64 {
    if a.is_nan() || b.is_nan() {
        return f64::NAN;
    }
    if a == 0.0 && b == 0.0 {
        return if a.is_sign_negative() { b } else { a };
    }
    if a > b { a } else { b }
}

/// Go's `math.Min`: NaN wins, -0 beats +0.
fn go_min(a: f64, b: f64) -> f64 {
    if a.is_nan() || b.is_nan() {
        return f64::NAN;
    }
    if a == 0.0 && b == 0.0 {
        return if a.is_sign_negative() { a } else { b };
    }
    if a < b { a } else { b }
}

/// Sprig's `round`: scales by 10^places, rounds up when the fractional
/// part (as `math.Modf` gives it, signed) reaches `round_on`, otherwise
/// down, and scales back.
fn round(val: f64, places: i64, round_on: f64) -> f64 {
    let pow = 10f64.powf(places as f64);
    let digit = pow * val;
    let frac = digit - digit.trunc();
    let rounded = if frac >= round_on {
        digit.ceil()
    } else {
        digit.floor()
    };
    rounded / pow
}

/// The four decimal operations Sprig's float functions use.
#[derive(Clone, Copy)]
enum Op {
    Add,
    Sub,
    Mul,
    Div,
}

/// A finite decimal `mant × 10^exp`, the part of shopspring/decimal the
/// float functions need.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Decimal {
    mant: i128,
    exp: i32,
}

/// shopspring/decimal's `DivisionPrecision`: quotients keep 16 decimal places.
const DIVISION_PRECISION: i32 = 16;

impl Decimal {
    /// `decimal.NewFromFloat`: the shortest decimal that reads back as `x`.
    fn from_f64(x: f64) -> Option<Decimal> {
        if !x.is_finite() {
            return None;
        }
        if x == 0.0 {
            return Some(Decimal { mant: 0, exp: 0 });
        }
        // Rust's `{:e}` prints the shortest round-trip digits, like Go's
        // strconv with precision -1.
        let s = format!("{x:e}");
        let (m, e) = s.split_once('e')?;
        let e: i32 = e.parse().ok()?;
        let (int_part, frac_part) = m.split_once('.').unwrap_or((m, ""));
        let digits = format!("{int_part}{frac_part}");
        let mant: i128 = digits.parse().ok()?;
        Some(Decimal {
            mant,
            exp: e - frac_part.len() as i32,
        })
    }

    /// `Decimal.Float64`: the nearest float64 to the exact value.
    fn to_f64(self) -> f64 {
        format!("{}e{}", self.mant, self.exp)
            .parse()
            .unwrap_or(f64::NAN)
    }

    /// Both operands at the smaller exponent, if that fits in i128.
    fn align(self, other: Decimal) -> Option<(i128, i128, i32)> {
        let exp = self.exp.min(other.exp);
        let scale = |d: Decimal| -> Option<i128> {
            let shift = u32::try_from(d.exp - exp).ok()?;
            10i128
                .checked_pow(shift)
                .and_then(|p| d.mant.checked_mul(p))
        };
        Some((scale(self)?, scale(other)?, exp))
    }

    fn apply(self, op: Op, other: Decimal) -> Result<Option<Decimal>, CollectionsError> {
        Ok(match op {
            Op::Add => self
                .align(other)
                .and_then(|(a, b, exp)| a.checked_add(b).map(|mant| Decimal { mant, exp })),
            Op::Sub => self
                .align(other)
                .and_then(|(a, b, exp)| a.checked_sub(b).map(|mant| Decimal { mant, exp })),
            Op::Mul => self.mant.checked_mul(other.mant).map(|mant| Decimal {
                mant,
                exp: self.exp + other.exp,
            }),
            Op::Div => {
                if other.mant == 0 {
                    return Err(CollectionsError::Sprig("decimal division by 0".into()));
                }
                self.div_round(other)
            }
        })
    }

    /// `Decimal.DivRound(d2, 16)`: the quotient rounded half away from
    /// zero to 16 decimal places.
    fn div_round(self, other: Decimal) -> Option<Decimal> {
        // q = (a·10^ea) / (b·10^eb), wanted as n·10^-P (P = 16), plus one
        // guard digit for rounding: n' = a·10^(ea-eb+P+1) / b.
        let shift = self.exp - other.exp + DIVISION_PRECISION + 1;
        let (num, den) = if shift >= 0 {
            (
                self.mant.checked_mul(10i128.checked_pow(shift as u32)?)?,
                other.mant,
            )
        } else {
            (
                self.mant,
                other
                    .mant
                    .checked_mul(10i128.checked_pow((-shift) as u32)?)?,
            )
        };
        let q = num / den;
        // The truncated guard digit is 5 or more exactly when the remainder
        // at 16 places is at least half a unit: shopspring's round-half-away.
        let last = q % 10;
        let mut n = q / 10;
        if last.abs() >= 5 {
            n += q.signum();
        }
        Some(Decimal {
            mant: n,
            exp: -DIVISION_PRECISION,
        })
    }
}

/// Sprig's `execDecimalOp`: folds the operands with `op` in decimal
/// arithmetic and returns the float64 of the result. Values beyond i128
/// precision fall back to float arithmetic (the result is the same float
/// unless the decimal carried more than 38 digits).
fn decimal_op(first: &GoValue, rest: &[GoValue], op: Op) -> Result<f64, String> {
    // shopspring panics with `Cannot create a Decimal from %v`.
    let nan = |x: f64| {
        let text = if x.is_nan() {
            "NaN"
        } else if x > 0.0 {
            "+Inf"
        } else {
            "-Inf"
        };
        format!("Cannot create a Decimal from {text}")
    };
    let x = to_float64(first);
    let mut acc = Decimal::from_f64(x).ok_or_else(|| nan(x))?;
    let mut float_acc: Option<f64> = None;
    for v in rest {
        let y = to_float64(v);
        let d = Decimal::from_f64(y).ok_or_else(|| nan(y))?;
        if let Some(f) = float_acc {
            float_acc = Some(float_apply(op, f, y));
            continue;
        }
        match acc.apply(op, d)? {
            Some(next) => acc = next,
            None => float_acc = Some(float_apply(op, acc.to_f64(), y)),
        }
    }
    Ok(float_acc.unwrap_or_else(|| acc.to_f64()))
}

fn float_apply(op: Op, a: f64, b: f64) -> f64 {
    match op {
        Op::Add => a + b,
        Op::Sub => a - b,
        Op::Mul => a * b,
        Op::Div => a / b,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(x: f64) -> GoValue {
        GoValue::Float(x)
    }

    #[test]
    fn decimal_ops_avoid_float_noise() {
        assert_eq!(
            decimal_op(&f(0.0), &[f(0.1), f(0.2)], Op::Add).unwrap(),
            0.3
        );
        assert_eq!(decimal_op(&f(1.0), &[f(0.9)], Op::Sub).unwrap(), 0.1);
        assert_eq!(decimal_op(&f(1.1), &[f(3.0)], Op::Mul).unwrap(), 3.3);
        assert_eq!(
            decimal_op(&f(1.0), &[f(3.0)], Op::Div).unwrap(),
            0.3333333333333333
        );
        assert_eq!(
            decimal_op(&f(2.0), &[f(3.0)], Op::Div).unwrap(),
            0.6666666666666667
        );
        assert_eq!(
            decimal_op(&f(-2.0), &[f(3.0)], Op::Div).unwrap(),
            -0.6666666666666667
        );
        assert_eq!(decimal_op(&f(1e-20), &[f(3.0)], Op::Div).unwrap(), 0.0);
        assert_eq!(
            decimal_op(&f(1.0), &[f(0.0)], Op::Div).unwrap_err(),
            "decimal division by 0"
        );
        assert_eq!(decimal_op(&f(1e300), &[f(1e-300)], Op::Add).unwrap(), 1e300);
    }

    #[test]
    fn round_follows_sprig() {
        assert_eq!(round(2.555, 2, 0.5), 2.56);
        assert_eq!(round(-2.5, 0, 0.5), -3.0);
        // Modf(1.4) is 0.3999…, below 0.4.
        assert_eq!(round(1.4, 0, 0.4), 1.0);
        assert_eq!(round(1.6, 0, 0.4), 2.0);
        assert_eq!(round(2.5, 0, 0.5), 3.0);
    }

    #[test]
    fn go_min_max() {
        assert!(go_max(1.0, f64::NAN).is_nan());
        assert!(go_min(0.0, -0.0).is_sign_negative());
        assert!(go_max(-0.0, 0.0).is_sign_positive());
    }
}
