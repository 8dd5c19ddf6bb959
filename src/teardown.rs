//! Skipping the teardown of a process that is about to exit.
//!
//! A render builds tens of thousands of small allocations (parse trees,
//! values, documents). Freeing them one by one cost about a fifth of the
//! instructions of a `skiff template` on a bitnami chart, and the memory is
//! handed back to the kernel a moment later anyway when the command exits.
//! The `skiff` binary declares that with [`exit_follows`]; from then on
//! [`release`] leaks instead of freeing, as clang's `-disable-free` does.
//! A library user that never calls it keeps ordinary drops.

use std::sync::atomic::{AtomicBool, Ordering};

static EXIT_FOLLOWS: AtomicBool = AtomicBool::new(false);

/// Declares that the process exits once the current command is done, so
/// large structures need not be freed. Only the command-line front end
/// calls this.
pub fn exit_follows() {
    EXIT_FOLLOWS.store(true, Ordering::Relaxed);
}

/// Whether [`exit_follows`] was called.
pub fn skipped() -> bool {
    EXIT_FOLLOWS.load(Ordering::Relaxed)
}

/// Drops `value`, or leaks it when the process exits soon anyway.
pub fn release<T>(value: T) {
    release_when(skipped(), value);
}

fn release_when<T>(leak: bool, value: T) {
    if leak {
        std::mem::forget(value);
    } else {
        drop(value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    #[test]
    fn release_drops_unless_exit_follows() {
        // The flag itself stays unset: the other tests of this process
        // keep ordinary drops.
        assert!(!skipped());
        let shared = Arc::new(());
        release(Arc::clone(&shared));
        assert_eq!(Arc::strong_count(&shared), 1, "dropped");
        release_when(true, Arc::clone(&shared));
        assert_eq!(Arc::strong_count(&shared), 2, "leaked");
    }
}
