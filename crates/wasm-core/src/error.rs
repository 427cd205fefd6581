//! The decoder's error: a malformed module.

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
        DecodeError::new(e.message(), e.offset() as usize)
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

impl std::error::Error for DecodeError {}

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
