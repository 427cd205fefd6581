//! Terminating wasm-smith modules → instantiate and call every export on Wasmite and on
//! an oracle with the same arguments; results, traps (by kind), uncaught exceptions,
//! exported globals, memories and tables must agree. The input's first byte picks the
//! oracle: wasmi with [`FEATURES`] half of the time, Wasmtime with [`WIDER`] (exception
//! handling, typed function references, memory64) otherwise. See `wasmite_fuzz::exec`
//! for what is compared and what is not.
//!
//! With `WASMITE_FUZZ_STATS` set, the target prints counts every 4096 inputs: how many
//! took each oracle, how many modules ran on both engines, and how many of the
//! Wasmtime ones used exception handling, typed function references, memory64, or
//! recursion groups and declared subtypes.

#![no_main]

use std::sync::atomic::{AtomicU64, Ordering};

use arbitrary::Unstructured;
use libfuzzer_sys::fuzz_target;
use wasmite_fuzz::exec::differential;
use wasmite_fuzz::smith::{Proposals, proposals_used, terminating_module};
use wasmite_fuzz::{FEATURES, WIDER};

fuzz_target!(
    init: eprintln!("exec_diff: Wasmite runs its {} dispatch", wasmite::DISPATCH),
    |data: &[u8]| {
        let mut u = Unstructured::new(data);
        let Ok(wider) = u.arbitrary::<bool>() else {
            return;
        };
        let features = if wider { WIDER } else { FEATURES };
        let Ok(bytes) = terminating_module(&mut u, &features) else {
            return;
        };
        wasmite_fuzz::dump_module(&bytes);
        let ran = differential(&bytes, &features, &mut u);
        count(wider, ran, &bytes);
    }
);

/// Counters for `WASMITE_FUZZ_STATS`, in [`STAT_NAMES`]' order.
static STATS: [AtomicU64; 8] = [const { AtomicU64::new(0) }; 8];

const STAT_NAMES: [&str; 8] = [
    "wasmi inputs",
    "wasmi modules run",
    "Wasmtime inputs",
    "Wasmtime modules run",
    "  with exception handling",
    "  with typed function references",
    "  with memory64",
    "  with recursion groups or subtypes",
];

/// Counts one input (`wider`: it took Wasmtime; `ran`: its module ran on both engines),
/// and prints the counts every 4096 inputs, if `WASMITE_FUZZ_STATS` is set.
fn count(wider: bool, ran: bool, bytes: &[u8]) {
    if std::env::var_os("WASMITE_FUZZ_STATS").is_none() {
        return;
    }
    let bump = |i: usize| STATS[i].fetch_add(1, Ordering::Relaxed);
    let offset = if wider { 2 } else { 0 };
    bump(offset);
    if ran {
        bump(offset + 1);
    }
    if wider && ran {
        let Proposals {
            exceptions,
            typed_references,
            memory64,
            subtypes,
        } = proposals_used(bytes);
        for (used, i) in [
            (exceptions, 4),
            (typed_references, 5),
            (memory64, 6),
            (subtypes, 7),
        ] {
            if used {
                bump(i);
            }
        }
    }
    let inputs = STATS[0].load(Ordering::Relaxed) + STATS[2].load(Ordering::Relaxed);
    if inputs.is_multiple_of(4096) {
        let counts: Vec<String> = STAT_NAMES
            .iter()
            .zip(&STATS)
            .map(|(name, n)| format!("{name}: {}", n.load(Ordering::Relaxed)))
            .collect();
        eprintln!(
            "exec_diff stats after {inputs} inputs: {}",
            counts.join(", ")
        );
    }
}
