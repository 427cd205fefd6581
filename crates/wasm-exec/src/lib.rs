//! `wasm-exec`: Wasmite's interpreter engine.
//!
//! * `isa.rs` declares the register-based instruction set in one macro list ([`Instr`]):
//!   operands are slots of the function's frame.
//! * `translate.rs` turns a function body into instructions once: at its function's
//!   first call ([`Translation::Lazy`], the default, from the decoded module), or at load
//!   time fed by the validator operator by operator ([`Translation::Eager`],
//!   [`ExecEngine::validate_and_compile`]; also [`translate`], [`CompiledFunc`]); every
//!   result passes `CompiledFunc::verify`.
//! * `match_loop.rs` runs them (the portable dispatch), and `tail_loop.rs` in optimised
//!   x86_64/aarch64 builds (threaded handlers, see [`DISPATCH`]): frame slots on a heap
//!   value stack, frames on a heap call stack (a Wasm call never recurses natively),
//!   configurable limits whose excess is a `StackOverflow` trap ("call stack exhausted").
//!   `regs.rs` and `tail_loop.rs` are the only modules with `unsafe`.
//! * `engine.rs` implements `wasm_runtime::Engine` ([`ExecEngine`]), the only way the rest
//!   of Wasmite reaches this crate: load ([`ExecEngine::load`]), call, resume.
//!
//! **Invariant:** the engine only runs code that `wasm-validate` accepted and `verify`
//! checked; it never panics on valid code with hostile values (every memory and table
//! access is checked).
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

pub use engine::{CompileError, EngineError, ExecEngine, MAX_NESTED_EXECUTIONS, Translation};

/// The dispatch strategy this build uses: `"threaded"` (handlers chained by sibling
/// calls, `tail_loop.rs`) or `"portable"` (the `match` loop alone, `match_loop.rs`).
pub const DISPATCH: &str = if cfg!(wasmite_threaded) {
    "threaded"
} else {
    "portable"
};
pub use isa::Instr;
pub use translate::{CompiledFunc, Scratch, TranslateError, translate, translate_with};
