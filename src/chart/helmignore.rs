//! `.helmignore` with Helm's rules.
