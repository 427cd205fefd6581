//! Trap codes (one list, with the spec's wording) and the [`Trap`] type.

use core::any::Any;
use core::fmt;

/// Declares [`TrapCode`] from one list: variant, message, documentation. Nothing else
/// repeats the list.
macro_rules! trap_codes {
    ($($(#[doc = $doc:literal])* $name:ident => $message:literal,)*) => {
        /// Why execution trapped: the seed API's nine codes (`wasmi` 0.13), with its
        /// messages, which are the spec's wording.
        ///
        /// The set is fixed, so programs may match on it exhaustively, as they could on
        /// the seed's. A trap kind of a later proposal that none of these names (fuel,
        /// null references...) is to be carried elsewhere, not added here.
        #[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
        pub enum TrapCode {
            $($(#[doc = $doc])* $name,)*
        }

        impl TrapCode {
            /// Every trap code, in declaration order.
            pub const ALL: &'static [TrapCode] = &[$(TrapCode::$name,)*];

            /// The message the WebAssembly specification (and its test suite) uses.
            pub fn trap_message(&self) -> &'static str {
                match self {
                    $(TrapCode::$name => $message,)*
                }
            }
        }
    };
}

trap_codes! {
    /// `unreachable` was executed.
    Unreachable => "unreachable",
    /// A load or store outside linear memory, or a segment that does not fit.
    MemoryAccessOutOfBounds => "out of bounds memory access",
    /// An access past the end of a table: `call_indirect` with an index past the table
    /// (the spec's "undefined element", the seed's message), or an element segment that
    /// does not fit at instantiation (which the spec calls "out of bounds table access").
    TableAccessOutOfBounds => "undefined element",
    /// `call_indirect` through a null table entry.
    ElemUninitialized => "uninitialized element",
    /// Integer division or remainder by zero.
    DivisionByZero => "integer divide by zero",
    /// Signed division overflow (`i32::MIN / -1`).
    IntegerOverflow => "integer overflow",
    /// Float to integer conversion of NaN or out of range.
    InvalidConversionToInt => "invalid conversion to integer",
    /// The call stack or value stack limit was exceeded.
    StackOverflow => "call stack exhausted",
    /// `call_indirect` found a function of another type.
    UnexpectedSignature => "indirect call type mismatch",
}

impl fmt::Display for TrapCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.trap_message())
    }
}

/// An error type defined by the embedder, carried through traps and errors.
///
/// Implement it with `impl HostError for MyError {}`; get the value back with
/// [`downcast_ref`](trait.HostError.html#method.downcast_ref) and friends.
pub trait HostError: 'static + Any + fmt::Display + fmt::Debug + Send + Sync {}

impl dyn HostError {
    /// Whether the error is of type `T`.
    pub fn is<T: HostError>(&self) -> bool {
        (self as &dyn Any).is::<T>()
    }

    /// A reference to the error as `T`, if it is one.
    pub fn downcast_ref<T: HostError>(&self) -> Option<&T> {
        (self as &dyn Any).downcast_ref::<T>()
    }

    /// A mutable reference to the error as `T`, if it is one.
    pub fn downcast_mut<T: HostError>(&mut self) -> Option<&mut T> {
        (self as &mut dyn Any).downcast_mut::<T>()
    }
}

/// Downcasts a boxed host error, giving it back unchanged if it is not a `T`.
pub(crate) fn downcast_box<T: HostError>(
    error: Box<dyn HostError>,
) -> Result<Box<T>, Box<dyn HostError>> {
    if error.is::<T>() {
        let any: Box<dyn Any> = error;
        Ok(any.downcast::<T>().expect("type checked just above"))
    } else {
        Err(error)
    }
}

/// The outcome of execution that could not complete: a spec trap or a host error.
#[derive(Debug)]
pub enum Trap {
    /// A trap defined by the WebAssembly specification.
    Code(TrapCode),
    /// An error raised by a host function.
    Host(Box<dyn HostError>),
}

impl Trap {
    /// A trap carrying a host error.
    pub fn host<E: HostError>(error: E) -> Self {
        Trap::Host(Box::new(error))
    }

    /// The trap code, if this is a spec trap.
    pub fn code(&self) -> Option<TrapCode> {
        match self {
            Trap::Code(code) => Some(*code),
            Trap::Host(_) => None,
        }
    }

    /// Whether this trap carries a host error.
    pub fn is_host(&self) -> bool {
        matches!(self, Trap::Host(_))
    }

    /// Whether this is a spec trap.
    pub fn is_code(&self) -> bool {
        matches!(self, Trap::Code(_))
    }

    /// The host error, if any.
    pub fn as_host(&self) -> Option<&dyn HostError> {
        match self {
            Trap::Host(e) => Some(&**e),
            Trap::Code(_) => None,
        }
    }

    /// The host error, if any, by value.
    pub fn into_host(self) -> Option<Box<dyn HostError>> {
        match self {
            Trap::Host(e) => Some(e),
            Trap::Code(_) => None,
        }
    }

    /// Downcasts the host error to `T`, giving the trap back when it is not one.
    pub fn try_into_host<T: HostError>(self) -> Result<Box<T>, Trap> {
        match self {
            Trap::Host(e) => downcast_box::<T>(e).map_err(Trap::Host),
            other => Err(other),
        }
    }
}

impl From<TrapCode> for Trap {
    fn from(code: TrapCode) -> Self {
        Trap::Code(code)
    }
}

impl From<Box<dyn HostError>> for Trap {
    fn from(error: Box<dyn HostError>) -> Self {
        Trap::Host(error)
    }
}

impl fmt::Display for Trap {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Trap::Code(code) => f.write_str(code.trap_message()),
            Trap::Host(e) => write!(f, "host error: {e}"),
        }
    }
}

impl std::error::Error for Trap {}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, PartialEq)]
    struct MyError(u32);
    impl fmt::Display for MyError {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            write!(f, "my error {}", self.0)
        }
    }
    impl HostError for MyError {}

    #[test]
    fn host_errors_downcast() {
        let trap = Trap::host(MyError(7));
        assert_eq!(
            trap.as_host().unwrap().downcast_ref::<MyError>(),
            Some(&MyError(7))
        );
        assert_eq!(*trap.try_into_host::<MyError>().unwrap(), MyError(7));
        let code = Trap::from(TrapCode::DivisionByZero);
        assert_eq!(code.to_string(), "integer divide by zero");
        assert!(code.try_into_host::<MyError>().is_err());
    }

    #[test]
    fn messages_are_the_specs() {
        assert_eq!(
            TrapCode::StackOverflow.trap_message(),
            "call stack exhausted"
        );
        assert_eq!(TrapCode::ALL.len(), 9);
    }
}
