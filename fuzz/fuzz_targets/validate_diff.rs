//! wasm-smith modules (valid, with raw-byte function bodies, with proposals the feature
//! set lacks, and byte-mutated) → Wasmite's verdict must equal wasmparser's validator's
//! for the same feature set: [`wasmite_fuzz::FEATURES`] most of the time, [`WIDER`]
//! (with memory64, exception handling and typed function references) or a narrower
//! one of [`NARROWER`] otherwise, so that SIMD and relaxed SIMD are also rejected alike
//! where they are off.

#![no_main]

use arbitrary::Unstructured;
use libfuzzer_sys::fuzz_target;
use wasmite::Features;
use wasmite_fuzz::features::wasmparser_verdict;
use wasmite_fuzz::smith::module_for_validation;
use wasmite_fuzz::{FEATURES, WIDER};

/// Feature sets that turn off what [`FEATURES`] adds to Wasmite's default: relaxed SIMD,
/// then SIMD too ([`Features::wasm2`], the default).
const NARROWER: [Features; 2] = [
    Features {
        relaxed_simd: false,
        ..FEATURES
    },
    Features::wasm2(),
];

fuzz_target!(|data: &[u8]| {
    let mut u = Unstructured::new(data);
    let Ok(features) = choose_features(&mut u) else {
        return;
    };
    let Ok(bytes) = module_for_validation(&mut u, &features) else {
        return;
    };
    wasmite_fuzz::dump_module(&bytes);
    let ours = wasm_validate::validate_bytes(&bytes, &features);
    let theirs = wasmparser_verdict(&bytes, &features);
    match (&ours, &theirs) {
        (Ok(_), Ok(_)) => {
            // A valid module must also load with every function translated: the
            // translator must accept what the validator accepts.
            let config = wasmite_fuzz::eager_config(features);
            if let Err(error) = wasmite::Module::from_buffer_with_config(&bytes, &config) {
                panic!("validator accepts but an eager Module::from_buffer fails: {error}");
            }
        }
        (Err(_), Err(_)) => {}
        // Wasm 3.0 lets constant expressions read earlier defined globals; Wasmite has
        // it with typed function references, wasmparser only with GC.
        (Ok(_), Err(error))
            if features.function_references
                && error
                    .message()
                    .contains("global.get of locally defined global") => {}
        (Ok(_), Err(error)) => {
            panic!("Wasmite accepts, wasmparser rejects ({features:?}): {error}")
        }
        (Err(error), Ok(_)) => {
            panic!("Wasmite rejects, wasmparser accepts ({features:?}): {error}")
        }
    }
});

/// [`FEATURES`] half the time, [`WIDER`] a quarter, otherwise one of [`NARROWER`].
fn choose_features(u: &mut Unstructured<'_>) -> arbitrary::Result<Features> {
    Ok(match u.int_in_range(0..=3)? {
        0 | 1 => FEATURES,
        2 => WIDER,
        _ => *u.choose(&NARROWER)?,
    })
}
