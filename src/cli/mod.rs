//! Command-line interface: parses flags, calls the library, maps errors to exit codes.

/// Runs the CLI and returns the process exit code.
pub fn run() -> i32 {
    0
}
