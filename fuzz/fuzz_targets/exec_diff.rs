//! Terminating wasm-smith modules → instantiate and call every export on Wasmite and on
//! wasmi with the same arguments; results, traps (by kind), exported globals and memories
//! must agree. See `wasmite_fuzz::exec` for what is compared and what is not.

#![no_main]

use arbitrary::Unstructured;
use libfuzzer_sys::fuzz_target;
use wasmite_fuzz::FEATURES;
use wasmite_fuzz::exec::differential;
use wasmite_fuzz::smith::terminating_module;

fuzz_target!(
    init: eprintln!("exec_diff: Wasmite runs its {} dispatch", wasmite::DISPATCH),
    |data: &[u8]| {
        let mut u = Unstructured::new(data);
        let Ok(bytes) = terminating_module(&mut u, &FEATURES) else {
            return;
        };
        wasmite_fuzz::dump_module(&bytes);
        differential(&bytes, &FEATURES, &mut u);
    }
);
