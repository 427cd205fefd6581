//! Chooses the dispatch strategy once, as `cfg(wasmite_threaded)`: threaded handlers
//! (`src/dispatch/threaded.rs`) in optimised builds on 64-bit x86_64 and aarch64, unless
//! the `portable-dispatch` feature asks for the portable loop alone or the build is for
//! Miri. Debug builds get no sibling-call guarantee, so they use the portable loop.
//!
//! Under Miri, `WASMITE_MIRI_THREADED=1` selects the threaded handlers anyway, to check
//! their unsafe code (Miri makes no sibling calls either, so each instruction run grows
//! its stack: only short tests fit).

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
    println!("cargo::rerun-if-env-changed=WASMITE_MIRI_THREADED");
    let miri_threaded = miri && env("WASMITE_MIRI_THREADED").as_deref() == Some("1");
    if arch_ok && !portable && (miri_threaded || (!debug && !miri)) {
        println!("cargo::rustc-cfg=wasmite_threaded");
    }
}
