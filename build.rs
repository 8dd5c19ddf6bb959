//! Links the `skiff` executable as a fixed-address (non-PIE) program on
//! Linux.
//!
//! A position-independent executable is relocated by the dynamic loader at
//! every start: about 39,000 pointers in `.data.rel.ro` (vtables, string
//! tables, panic locations), which copies 180 pages of the file into private
//! memory before `main` runs. Measured on the release binary, 40 runs each:
//! `skiff --version` 2.5 → 1.7 ms and 417 → 264 page faults; a small chart
//! (`template`) 4.8 → 4.0 ms. The code itself stays position-independent;
//! only the final link changes. Helm and kubectl, built by Go's default
//! `exe` mode, are fixed-address executables too. Shared libraries, the
//! heap and the stacks are still placed at random addresses.
//!
//! It also hands the linker `build/symbol-order.txt` (written by
//! `scripts/symbol-order`): the functions a render runs are placed first and
//! together, so the kernel, which maps code 64 KB at a time around each page
//! touched, keeps far less of the 18 MB of code resident. Peak memory
//! measured on the release binary, without and with the list: a small
//! chart (jiralert) 12.1 → 7.5 MB, bitnami memcached 14.5 → 11.0 MB, kafka
//! 17.3 → 13.5 MB. Only lld reads the list,
//! the default linker of Rust on x86-64 Linux; with another linker chosen
//! in RUSTFLAGS, or with `SKIFF_NO_SYMBOL_ORDER` set, it is left out.

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-env-changed=SKIFF_NO_SYMBOL_ORDER");
    let os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    let env = std::env::var("CARGO_CFG_TARGET_ENV").unwrap_or_default();
    let arch = std::env::var("CARGO_CFG_TARGET_ARCH").unwrap_or_default();
    if os == "linux" && env == "gnu" {
        println!("cargo:rustc-link-arg-bins=-no-pie");
    }
    let flags = std::env::var("CARGO_ENCODED_RUSTFLAGS").unwrap_or_default();
    let other_linker = flags.contains("linker");
    let dir = std::env::var("CARGO_MANIFEST_DIR").unwrap_or_default();
    let list = std::path::Path::new(&dir).join("build/symbol-order.txt");
    println!("cargo:rerun-if-changed={}", list.display());
    if os == "linux"
        && env == "gnu"
        && arch == "x86_64"
        && !other_linker
        && std::env::var_os("SKIFF_NO_SYMBOL_ORDER").is_none()
        && list.exists()
    {
        println!(
            "cargo:rustc-link-arg-bins=-Wl,--symbol-ordering-file={}",
            list.display()
        );
        // Functions the list names but the build no longer has are fine.
        println!("cargo:rustc-link-arg-bins=-Wl,--no-warn-symbol-ordering");
    }
}
