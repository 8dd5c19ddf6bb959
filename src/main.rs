//! The `skiff` command.
//!
//! mimalloc (without transparent huge pages) as the allocator, measured side
//! by side with glibc malloc on the release binary, 15 interleaved runs each
//! (median ms / peak MB): small chart 4.6/14.2 → 4.8/14.9, bitnami kafka
//! 19.6/22.2 → 18.6/25.4, flux 45.5/27.6 → 43.7/32.6, `build` of a
//! 1000-resource overlay 44.9/25.6 → 41.4/28.2, 2000 resources 109.2/36.6 →
//! 93.9/39.5. With huge pages on, peak memory doubled, hence `no_thp`.

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    skiff::teardown::exit_follows();
    let code = skiff::cli::run();
    // Everything is written (files are renamed into place before `run`
    // returns). Leaving through `_exit` skips what `exit` would still do:
    // the allocator's exit hook hands its freed pages back to the kernel
    // one `madvise` at a time, and background threads freeing parsed
    // templates would be waited on for nothing.
    use std::io::Write as _;
    let flushed = std::io::stdout().flush().is_ok() && std::io::stderr().flush().is_ok();
    if !flushed {
        std::process::exit(code.max(1));
    }
    // SAFETY: `_exit` ends the process without touching Rust state.
    unsafe { libc::_exit(code) }
}
