//! wasm-smith modules (valid, with raw-byte function bodies, with proposals Wasmite's
//! feature set lacks, and byte-mutated) → Wasmite's verdict must equal wasmparser's
//! validator's for the same feature set ([`wasmite_fuzz::FEATURES`]).

#![no_main]

use arbitrary::Unstructured;
use libfuzzer_sys::fuzz_target;
use wasmite_fuzz::FEATURES;
use wasmite_fuzz::features::wasmparser_features;
use wasmite_fuzz::smith::module_for_validation;

fuzz_target!(|data: &[u8]| {
    let mut u = Unstructured::new(data);
    let Ok(bytes) = module_for_validation(&mut u, &FEATURES) else {
        return;
    };
    wasmite_fuzz::dump_module(&bytes);
    let ours = wasm_validate::validate_bytes(&bytes, &FEATURES);
    let theirs = wasmparser::Validator::new_with_features(wasmparser_features(&FEATURES))
        .validate_all(&bytes);
    match (&ours, &theirs) {
        (Ok(_), Ok(_)) => {
            // A valid module must also load with every function translated: the
            // translator must accept what the validator accepts.
            let config = wasmite_fuzz::eager_config();
            if let Err(error) = wasmite::Module::from_buffer_with_config(&bytes, &config) {
                panic!("validator accepts but an eager Module::from_buffer fails: {error}");
            }
        }
        (Err(_), Err(_)) => {}
        (Ok(_), Err(error)) => {
            panic!("Wasmite accepts, wasmparser rejects: {error}")
        }
        (Err(error), Ok(_)) => {
            panic!("Wasmite rejects, wasmparser accepts: {error}")
        }
    }
});
