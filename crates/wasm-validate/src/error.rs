//! The validator's error: a module is invalid (or, while reading operators, malformed).

use crate::prelude::*;

use core::fmt;
use wasm_core::DecodeError;
use wasm_core::wasmparser::BinaryReaderError;

/// A module failed validation.
///
/// One pointer wide (the details live behind a box), so that `Result<_, ValidationError>`
/// stays cheap on the hot path of function validation. The message contains the wording
/// of the spec test suite (`"type mismatch"`, `"unknown local"`, ...), so a spec runner can
/// compare it with the expected text by substring.
#[derive(Clone, PartialEq, Eq)]
pub struct ValidationError(Box<Inner>);

#[derive(Clone, PartialEq, Eq)]
struct Inner {
    message: String,
    offset: usize,
    func_index: Option<u32>,
    malformed: bool,
}

impl ValidationError {
    /// An invalid-module error at byte `offset`.
    #[cold]
    pub fn new(message: impl Into<String>, offset: usize) -> Self {
        ValidationError(Box::new(Inner {
            message: message.into(),
            offset,
            func_index: None,
            malformed: false,
        }))
    }

    /// A malformed-module error at byte `offset`: a binary-format problem found while
    /// reading code (unknown opcode, unexpected end, bytes after the final `end`, bad
    /// immediates).
    #[cold]
    pub fn malformed(message: impl Into<String>, offset: usize) -> Self {
        let mut error = ValidationError::new(message, offset);
        error.0.malformed = true;
        error
    }

    /// Records the function the error was found in.
    #[cold]
    pub fn with_func_index(mut self, func_index: u32) -> Self {
        self.0.func_index = Some(func_index);
        self
    }

    /// The message, without the offset.
    pub fn message(&self) -> &str {
        &self.0.message
    }

    /// Byte offset in the module where the problem was found.
    pub fn offset(&self) -> usize {
        self.0.offset
    }

    /// The (absolute) index of the function whose body was being validated, if any.
    pub fn func_index(&self) -> Option<u32> {
        self.0.func_index
    }

    /// Whether this is a binary-format problem (the spec's *malformed*) rather than a
    /// violation of a validation rule (the spec's *invalid*).
    pub fn is_malformed(&self) -> bool {
        self.0.malformed
    }
}

impl From<BinaryReaderError> for ValidationError {
    #[cold]
    fn from(e: BinaryReaderError) -> Self {
        ValidationError::malformed(wasm_core::spec_wording(e.message()), e.offset() as usize)
    }
}

impl fmt::Display for ValidationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(index) = self.0.func_index {
            write!(f, "in function {index}: ")?;
        }
        write!(f, "{} (at offset {:#x})", self.0.message, self.0.offset)
    }
}

impl fmt::Debug for ValidationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl core::error::Error for ValidationError {}

/// Why [`validate_bytes`](crate::validate_bytes) rejected its input.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// The bytes are not a well-formed module (spec: *malformed*).
    #[error("malformed module: {0}")]
    Decode(#[from] DecodeError),
    /// The module decoded but breaks a validation rule (spec: *invalid*). A few
    /// binary-format problems inside code are found here too; see
    /// [`ValidationError::is_malformed`].
    #[error("invalid module: {0}")]
    Invalid(#[from] ValidationError),
}

impl Error {
    /// Whether the spec would call the module *malformed* (as opposed to *invalid*).
    pub fn is_malformed(&self) -> bool {
        match self {
            Error::Decode(_) => true,
            Error::Invalid(e) => e.is_malformed(),
        }
    }

    /// The message, without the offset or a function prefix.
    pub fn message(&self) -> &str {
        match self {
            Error::Decode(e) => e.message(),
            Error::Invalid(e) => e.message(),
        }
    }
}
