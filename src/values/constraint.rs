//! Just enough of Masterminds/semver v3 constraints for Helm's
//! `IsCompatibleRange(constraint, version)`, which decides which chart in
//! `charts/` a `Chart.yaml` dependency refers to. The `semver` crate's
//! requirement syntax differs (`>=1 <2`, `1.2 - 1.4`, `||`), hence this file.
//!
//! Any parse failure means "not compatible", as in Helm.

/// A parsed version: numbers plus whether it carries a pre-release.
#[derive(Debug, Clone, PartialEq)]
struct Version {
    nums: [u64; 3],
    pre: Option<String>,
}

/// Masterminds' `NewVersion` (lenient: `v` prefix, missing minor/patch).
fn parse_version(s: &str) -> Option<Version> {
    let s = s.trim();
    let s = s.strip_prefix('v').unwrap_or(s);
    let s = s.split_once('+').map_or(s, |(a, _)| a);
    let (core, pre) = match s.split_once('-') {
        Some((c, p)) if !p.is_empty() => (c, Some(p.to_string())),
        Some(_) => return None,
        None => (s, None),
    };
    let mut nums = [0u64; 3];
    let parts: Vec<&str> = core.split('.').collect();
    if parts.is_empty() || parts.len() > 3 {
        return None;
    }
    for (i, p) in parts.iter().enumerate() {
        if p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        nums[i] = p.parse().ok()?;
    }
    Some(Version { nums, pre })
}

fn cmp(a: &Version, b: &Version) -> std::cmp::Ordering {
    use std::cmp::Ordering;
    match a.nums.cmp(&b.nums) {
        Ordering::Equal => {}
        o => return o,
    }
    match (&a.pre, &b.pre) {
        (None, None) => Ordering::Equal,
        (None, Some(_)) => Ordering::Greater,
        (Some(_), None) => Ordering::Less,
        (Some(x), Some(y)) => cmp_pre(x, y),
    }
}

fn cmp_pre(a: &str, b: &str) -> std::cmp::Ordering {
    let mut ai = a.split('.');
    let mut bi = b.split('.');
    loop {
        match (ai.next(), bi.next()) {
            (None, None) => return std::cmp::Ordering::Equal,
            (None, Some(_)) => return std::cmp::Ordering::Less,
            (Some(_), None) => return std::cmp::Ordering::Greater,
            (Some(x), Some(y)) => {
                let o = match (x.parse::<u64>(), y.parse::<u64>()) {
                    (Ok(m), Ok(n)) => m.cmp(&n),
                    (Ok(_), Err(_)) => std::cmp::Ordering::Less,
                    (Err(_), Ok(_)) => std::cmp::Ordering::Greater,
                    (Err(_), Err(_)) => x.cmp(y),
                };
                if o != std::cmp::Ordering::Equal {
                    return o;
                }
            }
        }
    }
}

/// One `op version` term; `wild` counts trailing wildcard/missing parts
/// (0: `1.2.3`, 1: `1.2.x`, 2: `1.x`, 3: `*`).
struct Term {
    op: String,
    v: Version,
    wild: usize,
}

fn parse_term(op: &str, ver: &str) -> Option<Term> {
    let ver = ver.trim().strip_prefix('v').unwrap_or(ver.trim());
    let (core, rest) = match ver.find(['-', '+']) {
        Some(i) => (&ver[..i], &ver[i..]),
        None => (ver, ""),
    };
    let parts: Vec<&str> = core.split('.').collect();
    if parts.len() > 3 {
        return None;
    }
    let mut nums = Vec::new();
    let mut wild = 3 - parts.len();
    for (i, p) in parts.iter().enumerate() {
        if matches!(*p, "x" | "X" | "*") {
            wild = 3 - i;
            break;
        }
        nums.push(p.to_string());
    }
    while nums.len() < 3 {
        nums.push("0".to_string());
    }
    let v = parse_version(&format!("{}{rest}", nums.join(".")))?;
    Some(Term {
        op: op.to_string(),
        v,
        wild,
    })
}

impl Term {
    fn check(&self, v: &Version) -> bool {
        use std::cmp::Ordering::*;
        // Masterminds v3: a pre-release only satisfies a constraint that
        // names a pre-release itself.
        if v.pre.is_some() && self.v.pre.is_none() && self.op != "!=" {
            return false;
        }
        let c = &self.v;
        let o = cmp(v, c);
        match self.op.as_str() {
            "" | "=" => {
                if self.wild > 0 {
                    self.in_wild_range(v)
                } else {
                    o == Equal
                }
            }
            "!=" => {
                if self.wild > 0 {
                    !self.in_wild_range(v)
                } else {
                    o != Equal
                }
            }
            ">" => match self.wild {
                0 => o == Greater,
                1 => v.nums[..2] > c.nums[..2],
                _ => v.nums[0] > c.nums[0],
            },
            "<" => o == Less,
            ">=" | "=>" => o != Less,
            "<=" | "=<" => match self.wild {
                0 => o != Greater,
                1 => v.nums[..2] <= c.nums[..2],
                _ => v.nums[0] <= c.nums[0],
            },
            "~" | "~>" => {
                o != Less && v.nums[0] == c.nums[0] && (self.wild >= 2 || v.nums[1] == c.nums[1])
            }
            "^" => {
                if o == Less {
                    return false;
                }
                if c.nums[0] > 0 || self.wild >= 2 {
                    v.nums[0] == c.nums[0]
                } else if c.nums[1] > 0 || self.wild == 1 {
                    v.nums[0] == 0 && v.nums[1] == c.nums[1]
                } else {
                    v.nums[..2] == [0, 0] && v.nums[2] == c.nums[2]
                }
            }
            _ => false,
        }
    }

    fn in_wild_range(&self, v: &Version) -> bool {
        let keep = 3 - self.wild.min(3);
        v.nums[..keep] == self.v.nums[..keep]
    }
}

/// Splits a group (`>=1.0 <2.0`, `>=1.0, <2.0`) into terms.
fn parse_group(group: &str) -> Option<Vec<Term>> {
    // Hyphen ranges first: `1.2 - 1.4` means `>=1.2, <=1.4`.
    let tokens: Vec<&str> = group.split([',', ' ']).filter(|t| !t.is_empty()).collect();
    let mut terms = Vec::new();
    let mut i = 0;
    while i < tokens.len() {
        let tok = tokens[i];
        if i + 2 < tokens.len() && tokens[i + 1] == "-" {
            terms.push(parse_term(">=", tok)?);
            terms.push(parse_term("<=", tokens[i + 2])?);
            i += 3;
            continue;
        }
        let op_len = tok
            .find(|c: char| c.is_ascii_alphanumeric() || c == '*')
            .unwrap_or(tok.len());
        let (op, ver) = tok.split_at(op_len);
        if ver.is_empty() {
            // An operator separated from its version by blanks.
            let next = tokens.get(i + 1)?;
            terms.push(parse_term(op, next)?);
            i += 2;
            continue;
        }
        if !matches!(
            op,
            "" | "=" | "!=" | ">" | "<" | ">=" | "=>" | "<=" | "=<" | "~" | "~>" | "^"
        ) {
            return None;
        }
        terms.push(parse_term(op, ver)?);
        i += 1;
    }
    if terms.is_empty() { None } else { Some(terms) }
}

/// Helm's `IsCompatibleRange`: does `version` satisfy `constraint`?
/// Unparsable input (including an empty constraint) is "no".
pub fn is_compatible_range(constraint: &str, version: &str) -> bool {
    let Some(v) = parse_version(version) else {
        return false;
    };
    let mut groups = Vec::new();
    for g in constraint.split("||") {
        match parse_group(g) {
            Some(terms) => groups.push(terms),
            None => return false,
        }
    }
    groups.iter().any(|terms| terms.iter().all(|t| t.check(&v)))
}

#[cfg(test)]
mod tests {
    use super::is_compatible_range as ok;

    #[test]
    fn helm_style_constraints() {
        assert!(ok("1.2.3", "1.2.3"));
        assert!(!ok("1.2.3", "1.2.4"));
        assert!(ok(">=1.0 <2.0", "1.5.0"));
        assert!(ok(">=1.0, <2.0", "1.5.0"));
        assert!(!ok(">=1.0 <2.0", "2.0.0"));
        assert!(ok("1.2 - 1.4", "1.4.0"));
        assert!(ok("~1.2.0", "1.2.9"));
        assert!(!ok("~1.2.0", "1.3.0"));
        assert!(ok("^1.2.0", "1.9.0"));
        assert!(!ok("^0.2.0", "0.3.0"));
        assert!(ok("1.x", "1.7.2"));
        assert!(ok("*", "3.0.0"));
        assert!(ok("<1.0 || >=3", "3.1.0"));
        assert!(!ok(">=1.0", "1.1.0-rc1"));
        assert!(ok(">=1.0-0", "1.1.0-rc1"));
        assert!(!ok("", "1.0.0"));
        assert!(!ok("1.0.0", "not-a-version"));
    }
}
