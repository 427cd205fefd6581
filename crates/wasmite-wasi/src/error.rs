//! The errors of the WASI layer itself, carried to the embedder as host errors of the trap
//! that ends a run.

use std::fmt;

use wasmite::HostError;

use crate::MODULE_NAME;

/// The guest called `proc_exit` with this code. It reaches the embedder as the host error
/// of the trap that ends the run; [`exit_code`](crate::exit_code) reads it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProcExit(pub u32);

impl fmt::Display for ProcExit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "the program exited with code {}", self.0)
    }
}

impl HostError for ProcExit {}

/// Errors of the WASI layer itself (not of the guest's calls, which get error codes).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WasiError {
    /// The context's deadline passed.
    #[error("the WASI deadline passed")]
    DeadlineExceeded,
    /// The module calls WASI functions but exports no memory named `memory`.
    #[error("the module exports no memory named \"memory\", which WASI needs")]
    NoMemory,
    /// The module imports a `wasi_snapshot_preview1` function that does not exist.
    #[error("unknown WASI function {MODULE_NAME}::{0}")]
    UnknownFunction(String),
    /// The module imports a WASI function with the wrong signature.
    #[error("WASI function {MODULE_NAME}::{name} imported as {found}, but it is {expected}")]
    WrongSignature {
        /// The function.
        name: String,
        /// Its signature.
        expected: String,
        /// The one the module declares.
        found: String,
    },
}

impl HostError for WasiError {}
