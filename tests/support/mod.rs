//! Test support shared by several integration-test crates (each includes
//! it with `mod support;`, so not every crate uses every item).

#![allow(dead_code)]

pub mod registry;

use std::process::Output;

/// A command's exit status and both streams, for assertion messages.
pub fn describe(out: &Output) -> String {
    format!(
        "status {:?}\nstdout:\n{}\nstderr:\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// Asserts that `skiff args` (whose result is `out`) succeeded; returns stdout.
pub fn expect_success(args: &[&str], out: Output) -> String {
    assert!(
        out.status.success(),
        "skiff {args:?} failed:\n{}",
        describe(&out)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// Asserts that `skiff args` failed without partial output; returns stderr.
pub fn expect_failure(args: &[&str], out: Output) -> String {
    assert!(
        !out.status.success(),
        "skiff {args:?} succeeded:\n{}",
        describe(&out)
    );
    assert!(
        out.stdout.is_empty(),
        "no partial output: {}",
        describe(&out)
    );
    String::from_utf8(out.stderr).unwrap()
}
