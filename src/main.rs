//! The `skiff` command.

fn main() {
    std::process::exit(skiff::cli::run());
}
