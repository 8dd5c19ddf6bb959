//! Test support shared by several integration-test crates (each includes
//! it with `mod support;`, so not every crate uses every item).

#![allow(dead_code)]

pub mod registry;
