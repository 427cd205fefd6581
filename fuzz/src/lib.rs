//! Support shared by Wasmite's fuzz targets (`fuzz_targets/*.rs`, one per goal).
//!
//! * [`features`]: the proposal set under test, translated for each oracle (wasmparser's
//!   validator, wasm-smith's generator, wasmi's and Wasmtime's engines), so that widening
//!   [`FEATURES`] widens every target at once;
//! * [`imports`]: a resolver that satisfies any import with a fresh dummy entity;
//! * [`smith`]: module generation with wasm-smith (valid, invalid, mutated, terminating);
//! * [`exec`]: differential execution against wasmi, or Wasmtime for what wasmi lacks;
//! * [`known`]: open findings the targets step around until they are fixed.

pub mod exec;
pub mod features;
pub mod imports;
pub mod known;
pub mod smith;

use wasmite::Features;

/// The proposals the targets enable: WebAssembly 2.0 ([`Features::wasm2`]: 1.0 plus sign
/// extension, saturating float-to-int conversions, multi-value, bulk memory, reference
/// types and SIMD), plus the Wasm 3.0 proposals Wasmite runs: relaxed SIMD, tail calls,
/// extended constant expressions, multi-memory, wide arithmetic and custom page sizes
/// (wasmi 2.0 has them all).
///
/// Relaxed SIMD is in `exec_diff` too: each relaxed instruction's result on Wasmite is a
/// fixed choice, the same as wasmi 2.0's (the table in `wasm-exec`'s `isa/simd/portable.rs`), so
/// the engines must agree on it bit for bit, NaN payloads aside
/// ([`smith::canonicalize_relaxed_nans`]). Widen the set as later issues land
/// proposals; [`features`] maps every flag to the oracles.
pub const FEATURES: Features = Features {
    relaxed_simd: true,
    tail_call: true,
    extended_const: true,
    multi_memory: true,
    wide_arithmetic: true,
    custom_page_sizes: true,
    ..Features::wasm2()
};

/// [`FEATURES`] with the proposals Wasmite runs that wasmi 2.0 (as built here) does not:
/// memory64 (64-bit memories and tables), exception handling and typed function
/// references. `validate_diff` checks them against wasmparser; `exec_diff` runs them
/// against Wasmtime ([`exec::differential`] picks the oracle from the feature set).
pub const WIDER: Features = Features {
    memory64: true,
    exceptions: true,
    function_references: true,
    ..FEATURES
};

/// `features` with every function translated when the module loads
/// (`Translation::Eager`): the targets that check that the translator accepts every
/// body the validator accepts load with it (the default, lazy translation, would
/// translate nothing until a call).
pub fn eager_config(features: Features) -> wasmite::Config {
    wasmite::Config::new()
        .features(features)
        .translation(wasmite::Translation::Eager)
}

/// Writes the module a target generated to the file named by `WASMITE_FUZZ_DUMP`, if
/// set: replaying a crash input with it (`cargo +nightly fuzz run TARGET INPUT`) gives
/// the module to minimise or print as text.
pub fn dump_module(bytes: &[u8]) {
    if let Some(path) = std::env::var_os("WASMITE_FUZZ_DUMP")
        && let Err(error) = std::fs::write(&path, bytes)
    {
        eprintln!(
            "WASMITE_FUZZ_DUMP: cannot write {}: {error}",
            path.to_string_lossy()
        );
    }
}

/// `len` arbitrary bytes from the xorshift64 generator at `state`: test inputs that are
/// the same on every run.
#[cfg(test)]
pub(crate) fn xorshift_bytes(state: &mut u64, len: usize) -> Vec<u8> {
    (0..len)
        .map(|_| {
            *state ^= *state << 13;
            *state ^= *state >> 7;
            *state ^= *state << 17;
            *state as u8
        })
        .collect()
}
