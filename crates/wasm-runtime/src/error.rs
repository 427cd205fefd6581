//! The runtime's error type, which is also the facade's `Error` (the seed's variants).

use core::fmt;
use wasm_core::{HostError, Trap};

/// Everything that can go wrong outside of executing code: loading, linking, and misuse of
/// memories, tables, globals and values. Execution failures are carried as [`Error::Trap`].
#[derive(Debug)]
pub enum Error {
    /// The module is malformed or invalid (message has the spec's wording and the offset).
    Validation(String),
    /// Instantiation failed: an import is missing or has an incompatible type.
    Instantiation(String),
    /// A function was misused (for example wrong argument types).
    Function(String),
    /// A table was misused (out of bounds, growth past the maximum).
    Table(String),
    /// A memory was misused (out of bounds, growth past the maximum).
    Memory(String),
    /// A global was misused (set of an immutable global, wrong type).
    Global(String),
    /// A value has the wrong type.
    Value(String),
    /// Execution trapped.
    Trap(Trap),
    /// A host-defined error.
    Host(Box<dyn HostError>),
}

impl Error {
    /// The host error, if this error is one or a trap carrying one.
    pub fn as_host_error(&self) -> Option<&dyn HostError> {
        match self {
            Error::Host(e) => Some(&**e),
            Error::Trap(t) => t.as_host(),
            _ => None,
        }
    }

    /// The host error by value, if this error is one or a trap carrying one.
    pub fn into_host_error(self) -> Option<Box<dyn HostError>> {
        match self {
            Error::Host(e) => Some(e),
            Error::Trap(t) => t.into_host(),
            _ => None,
        }
    }

    /// The host error downcast to `T`; gives the error back when it is not one.
    pub fn try_into_host_error<T: HostError>(self) -> Result<Box<T>, Self> {
        match self {
            Error::Host(e) => Trap::Host(e)
                .try_into_host::<T>()
                .map_err(|trap| match trap {
                    Trap::Host(e) => Error::Host(e),
                    other => Error::Trap(other),
                }),
            Error::Trap(t) => t.try_into_host::<T>().map_err(Error::Trap),
            other => Err(other),
        }
    }

    /// The trap, if this error is one.
    pub fn as_trap(&self) -> Option<&Trap> {
        match self {
            Error::Trap(t) => Some(t),
            _ => None,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Validation(s) => write!(f, "validation: {s}"),
            Error::Instantiation(s) => write!(f, "instantiation: {s}"),
            Error::Function(s) => write!(f, "function: {s}"),
            Error::Table(s) => write!(f, "table: {s}"),
            Error::Memory(s) => write!(f, "memory: {s}"),
            Error::Global(s) => write!(f, "global: {s}"),
            Error::Value(s) => write!(f, "value: {s}"),
            Error::Trap(t) => write!(f, "trap: {t}"),
            Error::Host(e) => write!(f, "host error: {e}"),
        }
    }
}

impl std::error::Error for Error {}

impl From<Trap> for Error {
    fn from(trap: Trap) -> Self {
        Error::Trap(trap)
    }
}

impl From<wasm_core::TrapCode> for Error {
    fn from(code: wasm_core::TrapCode) -> Self {
        Error::Trap(Trap::Code(code))
    }
}
