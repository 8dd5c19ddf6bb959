//! The `skiff` command.

/// mimalloc instead of the system allocator: a render makes millions of
/// small, short-lived allocations (template nodes, values, strings), and
/// glibc's malloc/free were a quarter of all instructions of a typical
/// chart; mimalloc's thread-local free lists cut that to a fraction.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    std::process::exit(skiff::cli::run());
}
