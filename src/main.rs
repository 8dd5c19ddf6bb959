//! The `skiff` command.
//!
//! mimalloc (without transparent huge pages) as the allocator, measured side
//! by side with glibc malloc on the release binary, 15 interleaved runs each
//! (median ms / peak MB): small chart 4.6/14.2 → 4.8/14.9, bitnami kafka
//! 19.6/22.2 → 18.6/25.4, flux 45.5/27.6 → 43.7/32.6, `build` of a
//! 1000-resource overlay 44.9/25.6 → 41.4/28.2, 2000 resources 109.2/36.6 →
//! 93.9/39.5. With huge pages on, peak memory doubled, hence `no_thp`.

#[global_allocator]
static GLOBAL: MiMalloc = MiMalloc;

/// mimalloc behind Rust's allocator interface. The `mimalloc` crate sends
/// every request through mimalloc's aligned entry points; mimalloc's blocks
/// are multiples of eight bytes in pages that are at least that aligned, so
/// requests aligned to eight or less take the plain entry points, whose
/// fast path is shorter (callgrind, bitnami memcached: 24.4 → 23.3 M
/// instructions).
struct MiMalloc;

/// The alignment every mimalloc block has (`sizeof(void*)` granularity).
const WORD: usize = std::mem::size_of::<usize>();

// SAFETY: mimalloc is a thread-safe allocator; the plain entry points are
// used only for alignments every mimalloc block satisfies, the aligned ones
// otherwise, and `free` accepts blocks from either.
unsafe impl std::alloc::GlobalAlloc for MiMalloc {
    #[inline]
    unsafe fn alloc(&self, layout: std::alloc::Layout) -> *mut u8 {
        use libmimalloc_sys::{mi_malloc, mi_malloc_aligned};
        // SAFETY: plain FFI calls; a null return is the allocation failure
        // `GlobalAlloc` expects.
        unsafe {
            if layout.align() <= WORD {
                mi_malloc(layout.size()).cast()
            } else {
                mi_malloc_aligned(layout.size(), layout.align()).cast()
            }
        }
    }

    #[inline]
    unsafe fn alloc_zeroed(&self, layout: std::alloc::Layout) -> *mut u8 {
        use libmimalloc_sys::{mi_zalloc, mi_zalloc_aligned};
        // SAFETY: as in `alloc`.
        unsafe {
            if layout.align() <= WORD {
                mi_zalloc(layout.size()).cast()
            } else {
                mi_zalloc_aligned(layout.size(), layout.align()).cast()
            }
        }
    }

    #[inline]
    unsafe fn dealloc(&self, ptr: *mut u8, _layout: std::alloc::Layout) {
        // SAFETY: `ptr` came from this allocator (the caller's contract).
        unsafe { libmimalloc_sys::mi_free(ptr.cast()) }
    }

    #[inline]
    unsafe fn realloc(&self, ptr: *mut u8, layout: std::alloc::Layout, new_size: usize) -> *mut u8 {
        use libmimalloc_sys::{mi_realloc, mi_realloc_aligned};
        // SAFETY: `ptr` came from this allocator with `layout` (the
        // caller's contract); the result keeps that alignment.
        unsafe {
            if layout.align() <= WORD {
                mi_realloc(ptr.cast(), new_size).cast()
            } else {
                mi_realloc_aligned(ptr.cast(), new_size, layout.align()).cast()
            }
        }
    }
}

/// mimalloc reserves its heap in arenas of 1 GiB by default, and the first
/// allocation sets up the bookkeeping bitmaps of a whole arena: 42 page
/// faults, a sixth of those of `skiff --version`. A `skiff template` peaks
/// at tens of MiB, so arenas of 64 MiB (more of them when a run needs
/// them) set up a sixteenth of that. The option must be set before the
/// first allocation, which Rust's runtime makes before `main`: this runs
/// among the program's constructors.
#[used]
#[unsafe(link_section = ".init_array")]
static SMALLER_ARENAS: extern "C" fn() = smaller_arenas;

/// `mi_option_arena_reserve` in mimalloc v3's `mi_option_e` (the crate's
/// bindings stop before it); tests/allocator.rs checks that the option of
/// this number defaults to 1 GiB, as that one does.
const MI_OPTION_ARENA_RESERVE: libmimalloc_sys::mi_option_t = 23;

/// Arena size in KiB (mimalloc's unit for this option).
const ARENA_KIB: std::ffi::c_long = 64 << 10;

extern "C" fn smaller_arenas() {
    // SAFETY: setting an option is a plain store; mimalloc reads it when it
    // reserves its first arena, after the constructors ran.
    unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_ARENA_RESERVE, ARENA_KIB) }
}

fn main() {
    skiff::teardown::exit_follows();
    // The command runs on a thread with the deep stack template rendering
    // needs (Go's nesting limits), so a render never waits for a pool
    // thread to take it over. The command's thread ends the process.
    match skiff::parallel::deep_stack_thread(|| finish(skiff::cli::run())) {
        Ok(command) => {
            // Only a panic (already reported by the hook) comes back.
            let _ = command.join();
            std::process::exit(101);
        }
        Err(_) => finish(skiff::cli::run()),
    }
}

/// Flushes the output and ends the process with `code`.
fn finish(code: i32) -> ! {
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

#[cfg(test)]
mod tests {
    #[test]
    fn arenas_are_set_smaller_before_main() {
        // SAFETY: reading an option.
        let kib = unsafe { libmimalloc_sys::mi_option_get(super::MI_OPTION_ARENA_RESERVE) };
        assert_eq!(kib, super::ARENA_KIB);
    }
}
