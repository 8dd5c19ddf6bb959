//! Sprig v3.3.0's template functions (Masterminds/sprig), as Helm v4.1.4
//! exposes them (`env` and `expandenv` removed), on the Go engine.
//!
//! Split by family, each file registering its functions into a
//! [`FuncMap`]: [`text`] (strings, conversion, regex, encoding, hashes,
//! paths, URLs, semver), [`collections`] (lists, dicts, math, defaults,
//! reflection), [`crypto`] (keys and certificates, passwords, random values
//! with an optional seed, UUIDs, dates).

pub mod collections;
pub mod crypto;
pub mod text;

use super::funcs::FuncMap;

/// Every Sprig function Helm offers; random functions draw from the OS.
pub fn sprig_funcs() -> FuncMap {
    sprig_funcs_with_seed(None)
}

/// Every Sprig function Helm offers; with a seed, every random function
/// (`randAlphaNum`, `uuidv4`, `genCA`…) draws from one generator seeded with
/// it, so the same templates render the same output (`--seed`).
pub fn sprig_funcs_with_seed(seed: Option<u64>) -> FuncMap {
    // Room for every Sprig function (about 230), so the map never regrows.
    let mut map = FuncMap::with_capacity_and_hasher(256, Default::default());
    text::register(&mut map);
    collections::register(&mut map);
    crypto::register_with_seed(&mut map, seed);
    map
}

#[cfg(test)]
mod tests {
    use super::*;

    /// No two families register the same name (a later one would silently
    /// replace an earlier one's function).
    #[test]
    fn families_register_disjoint_names() {
        let mut families = [FuncMap::default(), FuncMap::default(), FuncMap::default()];
        text::register(&mut families[0]);
        collections::register(&mut families[1]);
        crypto::register(&mut families[2]);
        for i in 0..families.len() {
            for j in i + 1..families.len() {
                let mut both: Vec<&String> = families[i]
                    .keys()
                    .filter(|k| families[j].contains_key(*k))
                    .collect();
                both.sort();
                assert!(both.is_empty(), "registered twice: {both:?}");
            }
        }
    }

    /// Helm removes `env` and `expandenv` from Sprig.
    #[test]
    fn environment_functions_are_absent() {
        let map = sprig_funcs();
        assert!(!map.contains_key("env") && !map.contains_key("expandenv"));
        assert!(map.len() > 190, "only {} functions", map.len());
    }
}
