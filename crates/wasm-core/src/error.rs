//! The decoder's error: a malformed module.

use crate::prelude::*;

use core::fmt;

/// A module is malformed: its bytes do not follow the binary format.
///
/// Small (one box) so that `Result<_, DecodeError>` stays cheap to return.
#[derive(Clone, PartialEq, Eq)]
pub struct DecodeError {
    inner: Box<Inner>,
}

#[derive(Clone, PartialEq, Eq)]
struct Inner {
    message: String,
    offset: usize,
}

impl DecodeError {
    /// An error at byte `offset`.
    #[cold]
    pub fn new(message: impl Into<String>, offset: usize) -> Self {
        DecodeError {
            inner: Box::new(Inner {
                message: message.into(),
                offset,
            }),
        }
    }

    /// The message, without the offset.
    pub fn message(&self) -> &str {
        &self.inner.message
    }

    /// Byte offset in the input where decoding failed.
    pub fn offset(&self) -> usize {
        self.inner.offset
    }
}

impl From<wasmparser::BinaryReaderError> for DecodeError {
    #[cold]
    fn from(e: wasmparser::BinaryReaderError) -> Self {
        DecodeError::new(spec_wording(e.message()), e.offset() as usize)
    }
}

/// `wasmparser`'s messages, with the spec test suite's wording in front where the two
/// differ (the original stays, for precision): "section out of order" is the spec's
/// "unexpected content after last section", and so on. Used by the decoder and the
/// validator for every reader error.
#[cold]
pub fn spec_wording(message: &str) -> String {
    const TABLE: &[(&str, &str)] = &[
        (
            "section out of order",
            "unexpected content after last section",
        ),
        (
            "code section is absent",
            "function and code section have inconsistent lengths",
        ),
        (
            "function body count",
            "function and code section have inconsistent lengths",
        ),
        ("trailing bytes at end of section", "section size mismatch"),
        (
            "control frames remain at end of function",
            "unexpected end of section or function",
        ),
        (
            "function params size is out of bounds",
            "too many parameters (limit 1000)",
        ),
        (
            "function returns size is out of bounds",
            "too many results (limit 1000)",
        ),
    ];
    match TABLE.iter().find(|(theirs, _)| message.contains(theirs)) {
        Some((_, ours)) if !message.contains(ours) => format!("{ours}: {message}"),
        _ => message.to_string(),
    }
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} (at offset {:#x})",
            self.inner.message, self.inner.offset
        )
    }
}

impl fmt::Debug for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl core::error::Error for DecodeError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_is_one_pointer_and_prints_offset() {
        assert_eq!(
            core::mem::size_of::<DecodeError>(),
            core::mem::size_of::<usize>()
        );
        assert_eq!(
            DecodeError::new("unexpected end", 16).to_string(),
            "unexpected end (at offset 0x10)"
        );
    }
}
