//! Trap codes (one list, with the spec's wording) and the [`Trap`] type.

use crate::prelude::*;

use alloc::rc::Rc;
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
/// Implement it with `impl HostError for MyError {}`. A host function then returns
/// `Err(MyError.into())` (or uses `?`: every `HostError` converts into a [`Trap`]); the
/// embedder gets the value back from the `Box<dyn HostError>` with
/// [`downcast_ref`](trait.HostError.html#method.downcast_ref),
/// [`downcast`](trait.HostError.html#method.downcast) and the other methods of
/// `dyn HostError`.
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

    /// The boxed error as a `Box<T>`, or the box unchanged if the error is not a `T`.
    pub fn downcast<T: HostError>(self: Box<Self>) -> Result<Box<T>, Box<Self>> {
        if self.is::<T>() {
            let any: Box<dyn Any> = self;
            Ok(any
                .downcast::<T>()
                .expect("the type was checked just above"))
        } else {
            Err(self)
        }
    }

    /// The shared error as an `Rc<T>`, or the `Rc` unchanged if the error is not a `T`.
    pub fn downcast_rc<T: HostError>(self: Rc<Self>) -> Result<Rc<T>, Rc<Self>> {
        if self.is::<T>() {
            let any: Rc<dyn Any> = self;
            Ok(any
                .downcast::<T>()
                .expect("the type was checked just above"))
        } else {
            Err(self)
        }
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
    pub fn host<U: HostError + Sized>(host_error: U) -> Self {
        Trap::Host(Box::new(host_error))
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
            Trap::Host(e) => e.downcast::<T>().map_err(Trap::Host),
            other => Err(other),
        }
    }
}

impl From<TrapCode> for Trap {
    fn from(code: TrapCode) -> Self {
        Trap::Code(code)
    }
}

/// A host error becomes a trap carrying it, so that host functions can use `?` on their
/// own errors.
impl<U: HostError + Sized> From<U> for Trap {
    fn from(host_error: U) -> Self {
        Trap::host(host_error)
    }
}

impl From<Box<dyn HostError>> for Trap {
    fn from(error: Box<dyn HostError>) -> Self {
        Trap::Host(error)
    }
}

/// The trap code's message, or the host error's own text.
impl fmt::Display for Trap {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Trap::Code(code) => f.write_str(code.trap_message()),
            Trap::Host(e) => fmt::Display::fmt(e, f),
        }
    }
}

impl core::error::Error for Trap {
    /// The trap code's message; empty for a host error (the seed's answer).
    #[allow(deprecated)]
    fn description(&self) -> &str {
        self.code().map_or("", |code| code.trap_message())
    }
}

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

    #[derive(Debug)]
    struct OtherError;
    impl fmt::Display for OtherError {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("other")
        }
    }
    impl HostError for OtherError {}

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

        let boxed: Box<dyn HostError> = Box::new(MyError(1));
        let boxed = boxed.downcast::<OtherError>().unwrap_err();
        assert_eq!(*boxed.downcast::<MyError>().unwrap(), MyError(1));
        let shared: Rc<dyn HostError> = Rc::new(MyError(2));
        let shared = shared.downcast_rc::<OtherError>().unwrap_err();
        assert_eq!(*shared.downcast_rc::<MyError>().unwrap(), MyError(2));
    }

    fn fails_with_a_host_error() -> Result<(), Trap> {
        Err(MyError(3))?;
        Ok(())
    }

    #[test]
    fn host_errors_convert_into_traps_and_print_as_themselves() {
        let trap = fails_with_a_host_error().unwrap_err();
        assert!(trap.is_host());
        assert_eq!(trap.to_string(), "my error 3");
        assert_eq!(format!("{trap:?}"), "Host(MyError(3))");
        #[allow(deprecated)]
        let described = core::error::Error::description(&trap).to_string();
        assert_eq!(described, "");
        let trap = Trap::from(TrapCode::StackOverflow);
        assert_eq!(trap.to_string(), "call stack exhausted");
        #[allow(deprecated)]
        let described = core::error::Error::description(&trap).to_string();
        assert_eq!(described, "call stack exhausted");
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
