//! [`TranslateError`]: why a body could not be translated.

use crate::prelude::*;
use core::fmt;

/// Translation failed: the body uses an operator the engine does not run yet, or is not
/// valid (translation expects validated input but never panics on other input).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TranslateError {
    message: String,
    offset: usize,
}

impl TranslateError {
    #[cold]
    pub(crate) fn new(message: impl Into<String>, offset: usize) -> Self {
        TranslateError {
            message: message.into(),
            offset,
        }
    }

    /// The message.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// Byte offset of the operator.
    pub fn offset(&self) -> usize {
        self.offset
    }
}

impl fmt::Display for TranslateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (at offset {:#x})", self.message, self.offset)
    }
}

impl core::error::Error for TranslateError {}
