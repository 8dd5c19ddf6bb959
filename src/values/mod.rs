//! User values, Helm's coalescing, and schema validation.
