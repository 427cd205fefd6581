//! The engine's errors: [`CompileError`] (loading) and [`EngineError`] (traps the spec has
//! no code for).

use crate::translate::TranslateError;
use core::fmt;
use wasm_core::HostError;

/// Errors the engine reports through `Trap::Host` because the spec has no trap for them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EngineError {
    /// A function outlived the instance it belongs to (all `ModuleRef`s were dropped).
    InstanceDropped,
    /// A function's code was compiled by another engine.
    ForeignCode,
    /// The host held a borrow of a memory's bytes while Wasm code using it ran.
    MemoryBorrowed,
}

impl fmt::Display for EngineError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EngineError::InstanceDropped => {
                f.write_str("the function's module instance was dropped")
            }
            EngineError::ForeignCode => f.write_str("the function was compiled by another engine"),
            EngineError::MemoryBorrowed => {
                f.write_str("a memory was borrowed by the host while Wasm code ran")
            }
        }
    }
}

impl HostError for EngineError {}

/// Why [`ExecEngine::load`](crate::ExecEngine::load) failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CompileError {
    /// The module is not valid.
    Invalid(wasm_validate::ValidationError),
    /// A valid body uses something the engine does not run yet.
    Translate(TranslateError),
}

impl fmt::Display for CompileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CompileError::Invalid(e) => e.fmt(f),
            CompileError::Translate(e) => e.fmt(f),
        }
    }
}

impl core::error::Error for CompileError {}

/// A function translated at its first call
/// ([`Translation::Lazy`](crate::Translation::Lazy)) that the engine cannot run traps with
/// this error.
impl HostError for CompileError {}
