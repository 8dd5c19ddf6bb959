//! The `skiff` command.

/// mimalloc instead of the system allocator: reading, patching and
/// printing manifests allocates and frees many small strings and maps,
/// and malloc/free were a quarter of a large `skiff build`'s instructions.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    std::process::exit(skiff::cli::run());
}
