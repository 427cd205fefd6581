//! `wasm-exec`: Wasmite's interpreter engine. Data flows through four layers, each
//! importing only the ones before it:
//!
//! * `isa` declares the register-based instruction set in one list: every instruction
//!   with its operand kinds, capabilities and body (its semantics, written once against
//!   an abstract machine). The enum, the facts the translator reads, the bodies as
//!   functions and the translator's tables are generated from it.
//! * `translate` turns a function body into a [`CompiledFunc`] once: at its function's
//!   first call ([`Translation::Lazy`], the default) or at load time, fed by the validator
//!   operator by operator ([`Translation::Eager`]); every result passes `verify`.
//! * `dispatch` runs compiled code with one of two drivers calling the same bodies: a
//!   portable `match` loop, or in optimised x86_64/aarch64 builds threaded handlers (see
//!   [`DISPATCH`]).
//! * `engine` implements the runtime's `Engine` ([`ExecEngine`]), the only way the rest
//!   of Wasmite reaches this crate: load, call, resume; frames on a heap call stack (a
//!   Wasm call never recurses natively), with configurable limits whose excess is a
//!   `StackOverflow` trap ("call stack exhausted").
//!
//! Without its default `std` feature the crate is `no_std` + `alloc`: large modules are
//! then loaded on one thread, and float rounding comes from `libm`.
//!
//! **Invariant:** the engine only runs code that `wasm-validate` accepted and `verify`
//! checked; it never panics on valid code with hostile values (every memory and table
//! access is checked). `unsafe` lives in `dispatch/portable.rs` and `dispatch/threaded.rs`
//! (unchecked slot and instruction access, resting on `verify`) and `isa/simd/x86.rs`
//! (x86 vector intrinsics, resting on the CPU features the target enables or the CPU
//! reports) only.
#![deny(missing_docs)]
#![no_std]

extern crate alloc;
#[cfg(feature = "std")]
extern crate std;

/// What `std`'s prelude would bring, from `alloc` (the crate builds without `std`).
mod prelude {
    pub(crate) use wasm_core::prelude::*;
}

mod dispatch;
mod engine;
mod error;
mod isa;
mod translate;

pub use engine::{CompileError, EngineError, ExecEngine, Translation};
pub use translate::{CompiledFunc, Metering, TranslateError, translate, translate_metered};

/// The dispatch strategy this build uses: `"threaded"` (handlers chained by sibling
/// calls, `dispatch/threaded.rs`) or `"portable"` (the `match` loop,
/// `dispatch/portable.rs`).
pub const DISPATCH: &str = if cfg!(wasmite_threaded) {
    "threaded"
} else {
    "portable"
};
