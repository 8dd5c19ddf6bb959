//! `semver` and `semverCompare`: Masterminds/semver v3.4.0 as Helm v4.1.4
//! links it.
//!
//! `semver` returns a `*semver.Version`; templates use its methods
//! (`$v.Major`, `$v.Prerelease`, `(semver "1.3.3").Compare $other`) and
//! print it through `String()`. Constraint matching lives in
//! [`crate::version_range`]; this module adds Masterminds' version
//! parser (in its default coercing mode) with its exact error texts.

use std::cmp::Ordering;
use std::sync::{Arc, LazyLock};

use regex::Regex;

use crate::engine::gotmpl::funcs::{Function, ParamType};
use crate::engine::gotmpl::value::{GoValue, Object};
use crate::version_range::{Constraint, LooseVersion};

/// The Go type name of the value `semver` returns.
pub const VERSION_TYPE: &str = "*semver.Version";

/// A parsed semantic version (Masterminds `Version`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Version {
    /// Major number.
    pub major: u64,
    /// Minor number (0 when absent).
    pub minor: u64,
    /// Patch number (0 when absent).
    pub patch: u64,
    /// Pre-release text after `-` (empty when none).
    pub pre: String,
    /// Build metadata after `+` (empty when none).
    pub metadata: String,
    /// The text as given.
    pub original: String,
}

static LOOSE: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(concat!(
        r"^v?([0-9]+)(\.[0-9]+)?(\.[0-9]+)?",
        r"(-([0-9A-Za-z\-]+(\.[0-9A-Za-z\-]+)*))?",
        r"(\+([0-9A-Za-z\-]+(\.[0-9A-Za-z\-]+)*))?$"
    ))
    .ok()
});

const INVALID: &str = "invalid semantic version";
const STARTS_ZERO: &str = "version segment starts with 0";
const ALLOWED: &str = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-0123456789";

fn segment(text: &str) -> Result<u64, String> {
    text.parse::<u64>().map_err(|_| {
        format!(
            "error parsing version segment: strconv.ParseUint: parsing {text:?}: value out of range"
        )
    })
}

fn validate_prerelease(p: &str) -> Result<(), String> {
    for part in p.split('.') {
        if part.is_empty() {
            return Err("invalid prerelease string".into());
        }
        if part.bytes().all(|b| b.is_ascii_digit()) {
            if part.len() > 1 && part.starts_with('0') {
                return Err(STARTS_ZERO.into());
            }
        } else if !part.chars().all(|c| ALLOWED.contains(c)) {
            return Err("invalid prerelease string".into());
        }
    }
    Ok(())
}

fn validate_metadata(m: &str) -> Result<(), String> {
    for part in m.split('.') {
        if part.is_empty() || !part.chars().all(|c| ALLOWED.contains(c)) {
            return Err("invalid metadata string".into());
        }
    }
    Ok(())
}

impl Version {
    /// Masterminds `NewVersion` with its default `CoerceNewVersion =
    /// true`: the loose form (`v` prefix, one to three numbers, leading
    /// zeros accepted in them: `01.2.3` is `1.2.3`), then pre-release and
    /// metadata checks.
    pub fn parse(v: &str) -> Result<Version, String> {
        let Some(loose) = LOOSE.as_ref() else {
            return Err(INVALID.into());
        };
        let Some(m) = loose.captures(v) else {
            return Err(INVALID.into());
        };
        let part = |i: usize| m.get(i).map(|g| g.as_str()).unwrap_or("");
        let number = |i: usize| -> Result<u64, String> {
            let t = part(i).trim_start_matches('.');
            if t.is_empty() { Ok(0) } else { segment(t) }
        };
        let version = Version {
            major: number(1)?,
            minor: number(2)?,
            patch: number(3)?,
            pre: part(5).to_string(),
            metadata: part(8).to_string(),
            original: v.to_string(),
        };
        if !version.pre.is_empty() {
            validate_prerelease(&version.pre)?;
        }
        if !version.metadata.is_empty() {
            validate_metadata(&version.metadata)?;
        }
        Ok(version)
    }

    /// Masterminds `Compare`: numbers, then pre-release (a release sorts
    /// after its pre-releases); metadata is ignored.
    pub fn compare(&self, o: &Version) -> Ordering {
        (self.major, self.minor, self.patch)
            .cmp(&(o.major, o.minor, o.patch))
            .then_with(|| match (self.pre.is_empty(), o.pre.is_empty()) {
                (true, true) => Ordering::Equal,
                (true, false) => Ordering::Greater,
                (false, true) => Ordering::Less,
                (false, false) => compare_prerelease(&self.pre, &o.pre),
            })
    }
}

impl std::fmt::Display for Version {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}.{}", self.major, self.minor, self.patch)?;
        if !self.pre.is_empty() {
            write!(f, "-{}", self.pre)?;
        }
        if !self.metadata.is_empty() {
            write!(f, "+{}", self.metadata)?;
        }
        Ok(())
    }
}

fn compare_prerelease(a: &str, b: &str) -> Ordering {
    let pa: Vec<&str> = a.split('.').collect();
    let pb: Vec<&str> = b.split('.').collect();
    for i in 0..pa.len().max(pb.len()) {
        let s = pa.get(i).copied().unwrap_or("");
        let o = pb.get(i).copied().unwrap_or("");
        let d = compare_pre_part(s, o);
        if d != Ordering::Equal {
            return d;
        }
    }
    Ordering::Equal
}

/// Masterminds `comparePrePart`: numbers sort before words, numbers
/// numerically, words bytewise; a missing part sorts first.
fn compare_pre_part(s: &str, o: &str) -> Ordering {
    if s == o {
        return Ordering::Equal;
    }
    if s.is_empty() {
        return Ordering::Less;
    }
    if o.is_empty() {
        return Ordering::Greater;
    }
    match (s.parse::<u64>(), o.parse::<u64>()) {
        (Err(_), Err(_)) => {
            if s > o {
                Ordering::Greater
            } else {
                Ordering::Less
            }
        }
        (Ok(_), Err(_)) => Ordering::Less,
        (Err(_), Ok(_)) => Ordering::Greater,
        (Ok(a), Ok(b)) => {
            if a > b {
                Ordering::Greater
            } else {
                Ordering::Less
            }
        }
    }
}

/// Sprig `semverCompare`: the constraint is parsed first, so a bad
/// constraint is reported before a bad version (Helm's order).
pub fn semver_compare(constraint: &str, version: &str) -> Result<bool, String> {
    // Masterminds requires at least one comparison in every `||`
    // alternative; an empty one is an improper constraint (Helm reports
    // `improper constraint: ` for `semverCompare ""`).
    if let Some(empty) = constraint.split("||").find(|alt| alt.trim().is_empty()) {
        return Err(format!("improper constraint: {empty}"));
    }
    let c = Constraint::parse(constraint)?;
    let v = Version::parse(version)?;
    let loose = LooseVersion::parse(&v.to_string())?;
    Ok(c.matches(&loose))
}

/// The template object for a [`Version`]; the flag marks a `semver.Version`
/// value (what `IncPatch` and friends return) rather than a pointer.
struct VersionObject(Arc<Version>, bool);

/// Go type name of a `semver.Version` value.
const VERSION_VALUE_TYPE: &str = "semver.Version";

/// Wraps a version as a template value (`*semver.Version`).
pub fn version_value(v: Version) -> GoValue {
    GoValue::Object(Arc::new(VersionObject(Arc::new(v), false)))
}

/// A `semver.Version` value, as the Version methods returning one give it.
fn version_by_value(v: Version) -> GoValue {
    GoValue::Object(Arc::new(VersionObject(Arc::new(v), true)))
}

/// Masterminds' `originalVPrefix`: the `v`/`V` the original text began with.
fn v_prefix(v: &Version) -> &'static str {
    match v.original.chars().next() {
        Some('v') => "v",
        Some('V') => "V",
        _ => "",
    }
}

/// Masterminds' `IncPatch`/`IncMinor`/`IncMajor`: the next version with
/// pre-release and metadata dropped (a pre-release's patch increment is
/// just the release itself), `original` rebuilt with the old `v` prefix.
fn increment(v: &Version, part: &str) -> Version {
    let mut next = v.clone();
    next.pre.clear();
    next.metadata.clear();
    match part {
        "IncMajor" => {
            next.major += 1;
            next.minor = 0;
            next.patch = 0;
        }
        "IncMinor" => {
            next.minor += 1;
            next.patch = 0;
        }
        _ if v.pre.is_empty() => next.patch += 1,
        _ => {}
    }
    next.original = format!("{}{}", v_prefix(v), next);
    next
}

/// Masterminds' check for `SetPrerelease`/`SetMetadata` arguments: dot
/// separated runs of `[0-9A-Za-z-]` (the empty string is allowed).
fn valid_ident_list(s: &str) -> bool {
    s.is_empty()
        || s.split('.')
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'))
}

/// Reads a `*semver.Version` argument back (Go would reject anything else
/// with a reflect type error before the method runs).
fn version_arg(v: &GoValue) -> Result<Version, String> {
    if let GoValue::Object(o) = v
        && o.type_name() == VERSION_TYPE
        && let Some(text) = o.string()
        && let Ok(parsed) = Version::parse(&text)
    {
        return Ok(parsed);
    }
    Err(format!(
        "wrong type for value; expected {VERSION_TYPE}; got {}",
        v.type_name()
    ))
}

impl Object for VersionObject {
    fn type_name(&self) -> &str {
        if self.1 {
            VERSION_VALUE_TYPE
        } else {
            VERSION_TYPE
        }
    }

    fn kind_name(&self) -> &str {
        if self.1 { "struct" } else { "ptr" }
    }

    fn field(&self, _name: &str) -> Option<GoValue> {
        // Version's fields are unexported; everything goes through methods.
        None
    }

    fn method(&self, name: &str) -> Option<Arc<Function>> {
        let v = self.0.clone();
        let getter = |value: GoValue| {
            Some(Arc::new(Function::new(vec![], None, move |_, _| {
                Ok(value.clone())
            })))
        };
        // Original, Compare and the comparisons have pointer receivers:
        // a `semver.Version` value (from IncPatch…) does not have them.
        let pointer_only = matches!(
            name,
            "Original"
                | "Compare"
                | "LessThan"
                | "GreaterThan"
                | "Equal"
                | "LessThanEqual"
                | "GreaterThanEqual"
        );
        if self.1 && pointer_only {
            return None;
        }
        match name {
            "Major" => getter(GoValue::Uint64(v.major)),
            "Minor" => getter(GoValue::Uint64(v.minor)),
            "Patch" => getter(GoValue::Uint64(v.patch)),
            "Prerelease" => getter(GoValue::str(&v.pre)),
            "Metadata" => getter(GoValue::str(&v.metadata)),
            "Original" => getter(GoValue::str(&v.original)),
            "String" => getter(GoValue::from(v.to_string())),
            "IncPatch" | "IncMinor" | "IncMajor" => getter(version_by_value(increment(&v, name))),
            "SetPrerelease" | "SetMetadata" => {
                let pre = name == "SetPrerelease";
                Some(Arc::new(Function::new(
                    vec![ParamType::String],
                    None,
                    move |_, a| {
                        let text = a[0].as_str().unwrap_or_default();
                        if !valid_ident_list(text) {
                            return Err(if pre {
                                "Invalid Prerelease string".into()
                            } else {
                                "Invalid Metadata string".into()
                            });
                        }
                        let mut next = (*v).clone();
                        if pre {
                            next.pre = text.to_string();
                        } else {
                            next.metadata = text.to_string();
                        }
                        next.original = format!("{}{}", v_prefix(&v), next);
                        Ok(version_by_value(next))
                    },
                )))
            }
            "Compare" => Some(Arc::new(Function::new(
                vec![ParamType::Any],
                None,
                move |_, a| {
                    let o = version_arg(&a[0])?;
                    Ok(GoValue::Int(match v.compare(&o) {
                        Ordering::Less => -1,
                        Ordering::Equal => 0,
                        Ordering::Greater => 1,
                    }))
                },
            ))),
            "LessThan" | "GreaterThan" | "Equal" | "LessThanEqual" | "GreaterThanEqual" => {
                let op = name.to_string();
                Some(Arc::new(Function::new(
                    vec![ParamType::Any],
                    None,
                    move |_, a| {
                        let o = version_arg(&a[0])?;
                        let ord = v.compare(&o);
                        Ok(GoValue::Bool(match op.as_str() {
                            "LessThan" => ord == Ordering::Less,
                            "GreaterThan" => ord == Ordering::Greater,
                            "Equal" => ord == Ordering::Equal,
                            "LessThanEqual" => ord != Ordering::Greater,
                            _ => ord != Ordering::Less,
                        }))
                    },
                )))
            }
            _ => None,
        }
    }

    fn string(&self) -> Option<String> {
        Some(self.0.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_like_masterminds() {
        let v = Version::parse("1.2.3-beta.1+c0ff33").unwrap();
        assert_eq!((v.major, v.minor, v.patch), (1, 2, 3));
        assert_eq!(v.pre, "beta.1");
        assert_eq!(v.metadata, "c0ff33");
        assert_eq!(Version::parse("v1.2").unwrap().to_string(), "1.2.0");
        assert_eq!(
            Version::parse("1.2.3+0a.01").unwrap().to_string(),
            "1.2.3+0a.01"
        );
        assert_eq!(Version::parse("1.2.3-01").unwrap_err(), STARTS_ZERO);
        assert_eq!(Version::parse("01.02.3").unwrap().to_string(), "1.2.3");
        assert_eq!(Version::parse("").unwrap_err(), INVALID);
        assert_eq!(Version::parse("1.2.3.4").unwrap_err(), INVALID);
        assert_eq!(Version::parse(" 1.2").unwrap_err(), INVALID);
        assert_eq!(
            Version::parse("99999999999999999999").unwrap_err(),
            "error parsing version segment: strconv.ParseUint: parsing \"99999999999999999999\": value out of range"
        );
    }

    #[test]
    fn compare_orders_prereleases() {
        let p = |s: &str| Version::parse(s).unwrap();
        assert_eq!(p("1.3.3").compare(&p("1.2.3")), Ordering::Greater);
        assert_eq!(p("1.2.3-alpha").compare(&p("1.2.3")), Ordering::Less);
        assert_eq!(
            p("1.2.3-alpha.2").compare(&p("1.2.3-alpha.10")),
            Ordering::Less
        );
        assert_eq!(p("1.2.3-alpha").compare(&p("1.2.3-1")), Ordering::Greater);
        assert_eq!(p("1.2.3+a").compare(&p("1.2.3+b")), Ordering::Equal);
    }

    #[test]
    fn semver_compare_errors() {
        assert_eq!(semver_compare("^1.2.0", "1.2.3"), Ok(true));
        assert_eq!(semver_compare(">=2", "1.2.3"), Ok(false));
        assert_eq!(semver_compare("1.2.0", "badVersion").unwrap_err(), INVALID);
        assert!(semver_compare("badConstraint", "1.2.3").is_err());
        assert_eq!(
            semver_compare("", "1.0.0").unwrap_err(),
            "improper constraint: "
        );
    }

    #[test]
    fn increments_follow_masterminds() {
        let p = |s: &str| Version::parse(s).unwrap();
        let v = p("v1.2.3-rc.1+b");
        let next = increment(&v, "IncPatch");
        assert_eq!(next.to_string(), "1.2.3");
        assert_eq!(next.original, "v1.2.3");
        assert_eq!(increment(&p("1.2.3"), "IncPatch").to_string(), "1.2.4");
        assert_eq!(increment(&v, "IncMinor").to_string(), "1.3.0");
        assert_eq!(increment(&v, "IncMajor").to_string(), "2.0.0");
        assert!(valid_ident_list("x.y-1"));
        assert!(valid_ident_list(""));
        assert!(!valid_ident_list("x..y"));
        assert!(!valid_ident_list("a_b"));
    }

    #[test]
    fn incremented_values_are_struct_values() {
        let v = version_value(Version::parse("1.2.3").unwrap());
        let GoValue::Object(o) = &v else {
            panic!("not an object")
        };
        assert!(o.method("Original").is_some());
        let next = version_by_value(increment(&Version::parse("1.2.3").unwrap(), "IncMinor"));
        assert_eq!(next.type_name(), "semver.Version");
        let GoValue::Object(o) = &next else {
            panic!("not an object")
        };
        // Pointer-receiver methods are not in a value's method set.
        assert!(o.method("Original").is_none());
        assert!(o.method("Compare").is_none());
        assert!(o.method("IncPatch").is_some());
    }
}
