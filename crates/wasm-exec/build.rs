//! Chooses the dispatch strategy once, as `cfg(wasmite_threaded)`: threaded handlers
//! (`src/tail_loop.rs`) in optimised builds on 64-bit x86_64 and aarch64, unless the
//! `portable-dispatch` feature asks for the `match` loop alone or the build is for Miri.
//! Debug builds get no sibling-call guarantee, so they use the portable loop.

fn main() {
    println!("cargo::rustc-check-cfg=cfg(wasmite_threaded)");
    println!("cargo::rerun-if-changed=build.rs");
    let env = |name: &str| std::env::var(name).ok();
    let arch_ok = matches!(
        env("CARGO_CFG_TARGET_ARCH").as_deref(),
        Some("x86_64" | "aarch64")
    ) && env("CARGO_CFG_TARGET_POINTER_WIDTH").as_deref() == Some("64");
    let debug = env("CARGO_CFG_DEBUG_ASSERTIONS").is_some();
    let miri = env("CARGO_CFG_MIRI").is_some();
    let portable = env("CARGO_FEATURE_PORTABLE_DISPATCH").is_some();
    if arch_ok && !debug && !miri && !portable {
        println!("cargo::rustc-cfg=wasmite_threaded");
    }
}
