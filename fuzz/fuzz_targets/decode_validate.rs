//! Arbitrary bytes → decode, validate and (when valid) instantiate with dummy imports.
//! Must never panic, whatever the bytes.
//!
//! Instantiation evaluates constant expressions and writes element and data segments,
//! but does not run the start function (`ModuleInstance::new` leaves it to the caller),
//! so no input can run for long.

#![no_main]

use libfuzzer_sys::fuzz_target;
use wasmite::{Features, ModuleInstance};
use wasmite_fuzz::imports::DummyImports;

/// Every proposal switch on: the proposal paths of the decoder and validator must not
/// panic either, even where they are unfinished.
const ALL_FEATURES: Features = Features {
    mutable_global: true,
    sign_extension: true,
    saturating_float_to_int: true,
    multi_value: true,
    bulk_memory: true,
    reference_types: true,
    simd: true,
    relaxed_simd: true,
    tail_call: true,
    extended_const: true,
    multi_memory: true,
    wide_arithmetic: true,
    memory64: true,
    custom_page_sizes: true,
    exceptions: true,
    function_references: true,
};

fuzz_target!(|bytes: &[u8]| {
    let _ = wasm_validate::validate_bytes(bytes, &ALL_FEATURES);
    // Eager translation: every body of a module that loads goes through the translator.
    let config = wasmite_fuzz::eager_config(wasmite_fuzz::FEATURES);
    let Ok(module) = wasmite::Module::from_buffer_with_config(bytes, &config) else {
        return;
    };
    if !wasmite_fuzz::imports::fits_budget(module.core())
        || wasmite_fuzz::known::keeps_failed_instantiation(module.core())
    {
        return;
    }
    // Link errors and segment traps are fine outcomes; only a panic is a finding.
    let _ = ModuleInstance::new(&module, &DummyImports);
});
