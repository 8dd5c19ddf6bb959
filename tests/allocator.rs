//! The allocator option skiff sets by number (src/main.rs) is the one it
//! means: in a process where nothing set it, option 23 of the linked
//! mimalloc holds `mi_option_arena_reserve`'s default, 1 GiB in KiB.

#[test]
fn option_23_is_the_arena_reserve() {
    // SAFETY: reading an option.
    let kib = unsafe { libmimalloc_sys::mi_option_get(23) };
    assert_eq!(kib, 1 << 20);
}
