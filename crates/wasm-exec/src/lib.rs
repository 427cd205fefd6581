//! `wasm-exec`: Wasmite's interpreter engine.
//!
//! * `isa.rs` declares the instruction set in one macro list ([`Instr`]).
//! * `translate.rs` turns a validated function body into instructions, once, at load
//!   time ([`translate`], [`CompiledFunc`]): branch targets resolved, stack adjustments
//!   precomputed, dead code dropped.
//! * `match_loop.rs` runs them: untyped 64-bit cells on a heap value stack, frames on a
//!   heap call stack (a Wasm call never recurses natively), configurable limits whose
//!   excess is a `StackOverflow` trap ("call stack exhausted").
//! * `engine.rs` implements `wasm_runtime::Engine` ([`ExecEngine`]), the only way the rest
//!   of Wasmite reaches this crate: translate, call, resume.
//!
//! **Invariant:** the engine only runs code that `wasm-validate` accepted; it still never
//! panics on valid code with hostile values (every memory and table access is checked).
#![deny(missing_docs)]

#[macro_use]
mod isa;
mod engine;
mod match_loop;
mod ops;
mod regs;
#[cfg(wasmite_threaded)]
mod tail_loop;
mod translate;

pub use engine::{CompileError, EngineError, ExecEngine, MAX_NESTED_EXECUTIONS};

/// The dispatch strategy this build uses: `"threaded"` (handlers chained by sibling
/// calls, `tail_loop.rs`) or `"portable"` (the `match` loop alone, `match_loop.rs`).
pub const DISPATCH: &str = if cfg!(wasmite_threaded) {
    "threaded"
} else {
    "portable"
};
pub use isa::Instr;
pub use translate::{CompiledFunc, Scratch, TranslateError, translate, translate_with};
