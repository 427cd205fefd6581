//! The runtime's error type, which is also the facade's `Error` (the seed's variants).

use crate::prelude::*;
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
    /// An error carrying a host error.
    pub fn host<T: HostError + Sized>(host_error: T) -> Self {
        Error::Host(Box::new(host_error))
    }

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

    /// The host error, if this error is one or a trap carrying one; otherwise the error
    /// back. [`downcast`](trait.HostError.html#method.downcast) gives the host's own type.
    pub fn try_into_host_error(self) -> Result<Box<dyn HostError>, Self> {
        match self {
            Error::Host(e) | Error::Trap(Trap::Host(e)) => Ok(e),
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

/// The seed's texts: the variant's name and its message (`Validation: ...`), a trap's
/// `Debug` form (`Trap: Code(Unreachable)`), a host error as `User: ...`.
impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Validation(s) => write!(f, "Validation: {s}"),
            Error::Instantiation(s) => write!(f, "Instantiation: {s}"),
            Error::Function(s) => write!(f, "Function: {s}"),
            Error::Table(s) => write!(f, "Table: {s}"),
            Error::Memory(s) => write!(f, "Memory: {s}"),
            Error::Global(s) => write!(f, "Global: {s}"),
            Error::Value(s) => write!(f, "Value: {s}"),
            Error::Trap(t) => write!(f, "Trap: {t:?}"),
            Error::Host(e) => write!(f, "User: {e}"),
        }
    }
}

impl core::error::Error for Error {
    /// The message of the variants that have one; `Trap` and `Host error` otherwise (the
    /// seed's answers).
    #[allow(deprecated)]
    fn description(&self) -> &str {
        match self {
            Error::Validation(s)
            | Error::Instantiation(s)
            | Error::Function(s)
            | Error::Table(s)
            | Error::Memory(s)
            | Error::Global(s)
            | Error::Value(s) => s,
            Error::Trap(_) => "Trap",
            Error::Host(_) => "Host error",
        }
    }
}

/// The message alone for the variants that have one, `trap: Code(..)` for a trap and
/// `user: ...` for a host error (the seed's texts).
impl From<Error> for String {
    fn from(error: Error) -> String {
        match error {
            Error::Validation(s)
            | Error::Instantiation(s)
            | Error::Function(s)
            | Error::Table(s)
            | Error::Memory(s)
            | Error::Global(s)
            | Error::Value(s) => s,
            Error::Trap(t) => format!("trap: {t:?}"),
            Error::Host(e) => format!("user: {e}"),
        }
    }
}

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

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_core::TrapCode;

    #[derive(Debug)]
    struct Refused;
    impl fmt::Display for Refused {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("refused")
        }
    }
    impl HostError for Refused {}

    #[test]
    fn errors_print_and_convert_to_strings_as_the_seeds() {
        assert_eq!(Error::Memory("full".into()).to_string(), "Memory: full");
        let trap = Error::Trap(TrapCode::Unreachable.into());
        assert_eq!(trap.to_string(), "Trap: Code(Unreachable)");
        assert_eq!(String::from(trap), "trap: Code(Unreachable)");
        assert_eq!(Error::host(Refused).to_string(), "User: refused");
        assert_eq!(String::from(Error::host(Refused)), "user: refused");
        assert_eq!(String::from(Error::Global("immutable".into())), "immutable");
    }

    #[test]
    fn host_errors_come_out_of_host_errors_and_traps_only() {
        let host = Error::Trap(Trap::host(Refused))
            .try_into_host_error()
            .unwrap();
        assert!(host.is::<Refused>());
        assert!(Error::host(Refused).try_into_host_error().is_ok());
        let back = Error::Trap(TrapCode::StackOverflow.into()).try_into_host_error();
        assert!(matches!(
            back,
            Err(Error::Trap(Trap::Code(TrapCode::StackOverflow)))
        ));
    }
}
