//! Version constraints with the syntax of Masterminds/semver v3, which Helm
//! uses for `semverCompare`, `kubeVersion` and dependency ranges.
//!
//! The `semver` crate parses versions but not these constraints, so this
//! module parses the constraint text itself and compares with the crate's
//! pre-release ordering:
//!
//! * `||` separates alternatives; inside one, constraints separated by
//!   commas or whitespace must all hold (`>=1.2.0, <2.0.0`, `>=1.2 <2`).
//! * Operators: `=` (or none), `!=`, `>`, `<`, `>=`/`=>`, `<=`/`=<`,
//!   `~`/`~>` (same minor, or same major when only a major is given),
//!   `^` (same major; same minor below 1.0; same patch below 0.1).
//! * `x`, `X` and `*` are wildcards; a missing minor or patch is one too, so
//!   `1.2` means `1.2.x` (`=1.2` accepts `1.2.7`).
//! * `1.2 - 1.4.5` is a range: `>= 1.2, <= 1.4.5`.
//! * A pre-release version only satisfies a constraint that names a
//!   pre-release itself (`1.3.0-rc.1` fails `>=1.2.0` but passes `>=1.2.0-0`).
//! * A leading `v` is accepted on both sides, as Helm accepts it.

use semver::Prerelease;
use std::cmp::Ordering;

/// A parsed version in Masterminds' loose form: one to three numbers, with an
/// optional pre-release and build (build metadata does not order).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LooseVersion {
    /// Major component.
    pub major: u64,
    /// Minor component (0 when absent).
    pub minor: u64,
    /// Patch component (0 when absent).
    pub patch: u64,
    /// Pre-release identifiers (empty when none).
    pub pre: Prerelease,
}

impl LooseVersion {
    /// Parses `1`, `1.2`, `v1.2.3`, `1.2.3-rc.1+build`.
    pub fn parse(s: &str) -> Result<LooseVersion, String> {
        let text = s.trim();
        let text = text.strip_prefix('v').unwrap_or(text);
        let (core, _build) = match text.split_once('+') {
            Some((c, b)) => (c, Some(b)),
            None => (text, None),
        };
        let (numbers, pre) = match core.split_once('-') {
            Some((n, p)) => (n, p),
            None => (core, ""),
        };
        let parts: Vec<&str> = numbers.split('.').collect();
        if parts.is_empty() || parts.len() > 3 {
            return Err(format!("invalid semantic version: {s:?}"));
        }
        let mut nums = [0u64; 3];
        for (i, p) in parts.iter().enumerate() {
            if p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()) {
                return Err(format!("invalid semantic version: {s:?}"));
            }
            nums[i] = p
                .parse()
                .map_err(|_| format!("invalid semantic version: {s:?}"))?;
        }
        let pre =
            Prerelease::new(pre).map_err(|e| format!("invalid semantic version {s:?}: {e}"))?;
        Ok(LooseVersion {
            major: nums[0],
            minor: nums[1],
            patch: nums[2],
            pre,
        })
    }

    /// Semver precedence: numbers, then pre-release (a pre-release sorts
    /// before its release); build metadata does not order.
    pub fn compare(&self, other: &LooseVersion) -> Ordering {
        (self.major, self.minor, self.patch)
            .cmp(&(other.major, other.minor, other.patch))
            .then_with(|| self.pre.cmp(&other.pre))
    }

    fn has_pre(&self) -> bool {
        !self.pre.is_empty()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    TildeOrEqual,
    NotEqual,
    Greater,
    Less,
    GreaterEqual,
    LessEqual,
    Tilde,
    Caret,
}

/// One comparison: operator, version, and which parts were wildcards.
#[derive(Debug, Clone)]
struct Single {
    op: Op,
    version: LooseVersion,
    /// Major (and so everything) was a wildcard.
    major_wild: bool,
    /// Minor (and so patch) was a wildcard or absent.
    minor_wild: bool,
    /// Only the patch was a wildcard or absent.
    patch_wild: bool,
}

/// A parsed constraint: alternatives (`||`) of conjunctions.
#[derive(Debug, Clone)]
pub struct Constraint {
    alternatives: Vec<Vec<Single>>,
}

impl Constraint {
    /// Parses a constraint string (`>=1.2.0 <2.0.0 || ^3`).
    pub fn parse(text: &str) -> Result<Constraint, String> {
        let mut alternatives = Vec::new();
        for alt in text.split("||") {
            let tokens = tokenize(alt);
            let tokens = rewrite_ranges(tokens);
            let mut singles = Vec::new();
            for token in &tokens {
                singles.push(
                    parse_single(token)
                        .map_err(|_| format!("improper constraint: {}", alt.trim()))?,
                );
            }
            if singles.is_empty() {
                // An empty alternative means "any version" (Masterminds: `*`).
                singles.push(parse_single("*")?);
            }
            alternatives.push(singles);
        }
        Ok(Constraint { alternatives })
    }

    /// True when `version` satisfies the constraint.
    pub fn matches(&self, version: &LooseVersion) -> bool {
        // Masterminds v3.4: a pre-release version may satisfy an AND group
        // only when some constraint of that group names a pre-release
        // (`>=1.0.0-0 <2` accepts `1.5.0-rc.1`, as helm's semverCompare does).
        self.alternatives.iter().any(|all| {
            let allow_pre = all.iter().any(|c| c.version.has_pre());
            all.iter().all(|c| c.check(version, allow_pre))
        })
    }
}

/// `semverCompare`: parses both and checks; errors name the bad input.
pub fn semver_compare(constraint: &str, version: &str) -> Result<bool, String> {
    let c = Constraint::parse(constraint)?;
    let v = LooseVersion::parse(version)?;
    Ok(c.matches(&v))
}

/// Helm's `chartutil.IsCompatibleRange`: whether `version` satisfies
/// `constraint`; either failing to parse means "not compatible". Used for
/// `kubeVersion:` and for matching Chart.yaml dependencies to `charts/`.
pub fn is_compatible_range(constraint: &str, version: &str) -> bool {
    semver_compare(constraint, version).unwrap_or(false)
}

/// Splits one alternative into operator+version tokens. Commas and
/// whitespace separate tokens, but an operator may be followed by spaces
/// (`>= 1.2`), and a lone `-` is kept for ranges.
fn tokenize(alt: &str) -> Vec<String> {
    let raw: Vec<&str> = alt
        .split(|c: char| c == ',' || c.is_whitespace())
        .filter(|s| !s.is_empty())
        .collect();
    let mut out: Vec<String> = Vec::new();
    let mut pending_op: Option<String> = None;
    for word in raw {
        let is_op_only = !word.is_empty() && word.chars().all(|c| "=!<>~^".contains(c));
        if is_op_only {
            pending_op = Some(pending_op.unwrap_or_default() + word);
            continue;
        }
        match pending_op.take() {
            Some(op) => out.push(op + word),
            None => out.push(word.to_string()),
        }
    }
    if let Some(op) = pending_op {
        // A dangling operator: keep it so parsing reports the constraint.
        out.push(op);
    }
    out
}

/// Turns `A - B` into `>=A`, `<=B`, as Masterminds' `rewriteRange` does.
fn rewrite_ranges(tokens: Vec<String>) -> Vec<String> {
    let mut out = Vec::with_capacity(tokens.len());
    let mut i = 0;
    while i < tokens.len() {
        if i + 2 < tokens.len()
            && tokens[i + 1] == "-"
            && starts_with_version(&tokens[i])
            && starts_with_version(&tokens[i + 2])
        {
            out.push(format!(">={}", tokens[i]));
            out.push(format!("<={}", tokens[i + 2]));
            i += 3;
        } else {
            out.push(tokens[i].clone());
            i += 1;
        }
    }
    out
}

fn starts_with_version(t: &str) -> bool {
    let t = t.strip_prefix('v').unwrap_or(t);
    t.starts_with(|c: char| c.is_ascii_digit() || c == 'x' || c == 'X' || c == '*')
}

fn is_wild(part: &str) -> bool {
    matches!(part, "x" | "X" | "*")
}

fn parse_single(token: &str) -> Result<Single, String> {
    let bad = || format!("improper constraint: {token}");
    let op_len = token
        .find(|c: char| !"=!<>~^".contains(c))
        .unwrap_or(token.len());
    let (op_text, rest) = token.split_at(op_len);
    let op = match op_text {
        "" | "=" => Op::TildeOrEqual,
        "!=" => Op::NotEqual,
        ">" => Op::Greater,
        "<" => Op::Less,
        ">=" | "=>" => Op::GreaterEqual,
        "<=" | "=<" => Op::LessEqual,
        "~" | "~>" => Op::Tilde,
        "^" => Op::Caret,
        _ => return Err(bad()),
    };
    let rest = rest.strip_prefix('v').unwrap_or(rest);
    if rest.is_empty() {
        return Err(bad());
    }
    // Split off pre-release/build from the numeric part; wildcards are only
    // allowed in the numeric part.
    let num_end = rest.find(['-', '+']).unwrap_or(rest.len());
    let (numbers, suffix) = rest.split_at(num_end);
    let parts: Vec<&str> = numbers.split('.').collect();
    if parts.len() > 3 || parts.iter().any(|p| p.is_empty()) {
        return Err(bad());
    }
    for p in &parts {
        if !is_wild(p) && !p.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
    }
    let major_wild = is_wild(parts[0]);
    let minor_wild = !major_wild && parts.get(1).is_none_or(|p| is_wild(p));
    let patch_wild = !major_wild && !minor_wild && parts.get(2).is_none_or(|p| is_wild(p));
    let concrete: Vec<&str> = parts
        .iter()
        .map(|p| if is_wild(p) { "0" } else { p })
        .collect();
    let mut text = concrete.join(".");
    if major_wild {
        text = "0.0.0".to_string();
    }
    text.push_str(suffix);
    let version = LooseVersion::parse(&text).map_err(|_| bad())?;
    Ok(Single {
        op,
        version,
        major_wild,
        minor_wild,
        patch_wild,
    })
}

impl Single {
    fn dirty(&self) -> bool {
        self.major_wild || self.minor_wild || self.patch_wild
    }

    fn check(&self, v: &LooseVersion, allow_pre: bool) -> bool {
        let c = &self.version;
        // Masterminds (issue 21): a pre-release only matches a constraint
        // group that asks for pre-releases.
        if v.has_pre() && !allow_pre {
            return false;
        }
        match self.op {
            Op::TildeOrEqual => {
                if self.dirty() {
                    self.tilde(v)
                } else {
                    v.compare(c) == Ordering::Equal
                }
            }
            Op::NotEqual => {
                if self.dirty() {
                    if self.major_wild {
                        return false;
                    }
                    if c.major != v.major {
                        return true;
                    }
                    if self.minor_wild {
                        return false;
                    }
                    if c.minor != v.minor {
                        return true;
                    }
                    // Patch wildcard: same major.minor is "equal" unless the
                    // pre-releases differ.
                    return (v.has_pre() || c.has_pre()) && v.pre != c.pre;
                }
                v.compare(c) != Ordering::Equal
            }
            Op::Greater => {
                if !self.dirty() {
                    return v.compare(c) == Ordering::Greater;
                }
                if self.major_wild {
                    // `>*` : nothing is greater than every version.
                    return false;
                }
                if v.major != c.major {
                    return v.major > c.major;
                }
                if self.minor_wild {
                    return false;
                }
                v.minor > c.minor
            }
            Op::Less => v.compare(c) == Ordering::Less,
            Op::GreaterEqual => v.compare(c) != Ordering::Less,
            Op::LessEqual => {
                if !self.dirty() {
                    return v.compare(c) != Ordering::Greater;
                }
                if self.major_wild {
                    return true;
                }
                if v.major != c.major {
                    return v.major < c.major;
                }
                self.minor_wild || v.minor <= c.minor
            }
            Op::Tilde => self.tilde(v),
            Op::Caret => self.caret(v),
        }
    }

    fn tilde(&self, v: &LooseVersion) -> bool {
        let c = &self.version;
        if v.compare(c) == Ordering::Less {
            return false;
        }
        if self.major_wild {
            return true;
        }
        if v.major != c.major {
            return false;
        }
        self.minor_wild || v.minor == c.minor
    }

    fn caret(&self, v: &LooseVersion) -> bool {
        let c = &self.version;
        if v.compare(c) == Ordering::Less {
            return false;
        }
        if self.major_wild {
            return true;
        }
        if c.major > 0 || self.minor_wild {
            return v.major == c.major;
        }
        if v.major > 0 {
            return false;
        }
        if c.minor > 0 || self.patch_wild {
            return v.minor == c.minor;
        }
        if v.minor > 0 {
            return false;
        }
        v.patch == c.patch
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(c: &str, v: &str) -> bool {
        semver_compare(c, v).unwrap()
    }

    #[test]
    fn comparisons_and_conjunctions() {
        assert!(check(">=1.2.0 <2.0.0", "1.5.0"));
        assert!(!check(">=1.2.0 <2.0.0", "2.0.0"));
        assert!(check(">=1.2.0, <2.0.0", "1.2.0"));
        assert!(check(">= 1.2.0, < 2.0.0", "v1.9.9"));
        assert!(!check(">1.2.0", "1.2.0"));
        assert!(check("!=1.2.0", "1.2.1"));
        assert!(!check("!=1.2.0", "1.2.0"));
        assert!(check("=<1.2.0", "1.1.0"));
        assert!(check("1.2.3", "v1.2.3"));
        assert!(!check("1.2.3", "1.2.4"));
    }

    #[test]
    fn wildcards_and_partials() {
        assert!(check("1.2.x", "1.2.9"));
        assert!(!check("1.2.x", "1.3.0"));
        assert!(check("1.2", "1.2.7"));
        assert!(check("*", "9.9.9"));
        assert!(check("", "0.1.0"));
        assert!(check("<=1.4", "1.4.9"));
        assert!(!check("<=1.4", "1.5.0"));
        assert!(!check(">1.4", "1.4.9"));
        assert!(check(">1.4", "1.5.0"));
        assert!(check("!=1.4.x", "1.5.0"));
        assert!(!check("!=1.4.x", "1.4.2"));
    }

    #[test]
    fn tilde_and_caret() {
        assert!(check("~1.2.3", "1.2.9"));
        assert!(!check("~1.2.3", "1.3.0"));
        assert!(check("~1", "1.9.0"));
        assert!(check("^1.2.3", "1.9.0"));
        assert!(!check("^1.2.3", "2.0.0"));
        assert!(check("^0.2.3", "0.2.9"));
        assert!(!check("^0.2.3", "0.3.0"));
        assert!(check("^0.0.3", "0.0.3"));
        assert!(!check("^0.0.3", "0.0.4"));
    }

    #[test]
    fn ranges_and_alternatives() {
        assert!(check("1.2 - 1.4", "1.4.5"));
        assert!(!check("1.2 - 1.4", "1.5.0"));
        assert!(!check("1.2 - 1.4", "1.1.0"));
        assert!(check("^1 || ^3", "3.1.0"));
        assert!(!check("^1 || ^3", "2.1.0"));
    }

    #[test]
    fn a_prerelease_in_the_group_opts_the_whole_group_in() {
        assert!(check(">=1.0.0-0 <2", "1.5.0-rc.1"));
        assert!(!check(">=1.0.0 <2", "1.5.0-rc.1"));
        assert!(!check(">=1.0.0 <2 || >=3.0.0-0", "1.5.0-rc.1"));
    }

    #[test]
    fn prereleases_need_opt_in() {
        assert!(!check(">=1.2.0", "1.3.0-rc.1"));
        assert!(check(">=1.2.0-0", "1.3.0-rc.1"));
        assert!(check(">=1.19.0-0", "1.29.3-gke.1"));
        assert!(!check(">=1.2.0-beta.2", "1.2.0-beta.1"));
    }

    #[test]
    fn errors() {
        assert!(semver_compare(">=abc", "1.0.0").is_err());
        assert!(semver_compare(">=1.0.0", "not-a-version").is_err());
        assert!(semver_compare(">>1", "1.0.0").is_err());
    }
}
