//! Sprig v3.3.0's template functions (Masterminds/sprig), as Helm v4.1.4
//! exposes them (`env` and `expandenv` removed), on the Go engine.
//!
//! Split by family, each file registering its functions into a
//! [`FuncMap`]: [`text`] (strings, conversion, regex, encoding, hashes,
//! paths, URLs, semver), [`collections`] (lists, dicts, math, defaults,
//! reflection), [`crypto`] (keys and certificates, passwords, random values
//! with an optional seed, UUIDs, dates).

mod collections;
mod crypto;
mod text;

use super::funcs::FuncMap;

/// Every Sprig function Helm offers.
pub fn sprig_funcs() -> FuncMap {
    let mut map = FuncMap::new();
    text::register(&mut map);
    collections::register(&mut map);
    crypto::register(&mut map);
    map
}
