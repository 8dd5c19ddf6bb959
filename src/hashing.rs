//! The hasher of the project's own hash maps and sets.

/// The hasher of the project's own maps: foldhash, seeded per process. The
/// standard SipHash was a sixth of a 1000-resource `skiff build` (callgrind:
/// 48 M of 288 M instructions); foldhash keeps a random per-process seed, so
/// keys from user files still cannot be chosen to collide.
pub type Hasher = foldhash::fast::RandomState;

/// A `HashMap` with [`Hasher`].
pub type HashMap<K, V> = std::collections::HashMap<K, V, Hasher>;

/// A `HashSet` with [`Hasher`].
pub type HashSet<K> = std::collections::HashSet<K, Hasher>;
