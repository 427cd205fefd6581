//! [`TrapKind`]: the traps of proposals after the seed's nine [`TrapCode`]s.
//!
//! [`TrapCode`]: wasm_core::TrapCode

use core::fmt;
use wasm_core::HostError;

/// A trap that none of the seed's nine [`TrapCode`](wasm_core::TrapCode)s names, from a
/// later proposal. It comes as a [`Trap::Host`](wasm_core::Trap::Host) carrying this
/// value: a seed program handles it as any host error, a newer one downcasts it.
///
/// ```
/// # use wasm_runtime::TrapKind;
/// assert_eq!(TrapKind::NullExceptionReference.to_string(), "null exception reference");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TrapKind {
    /// `throw_ref` of a null `exnref` (exception handling).
    NullExceptionReference,
    /// `call_ref` or `return_call_ref` of a null function reference (typed function
    /// references).
    NullFunctionReference,
    /// `ref.as_non_null` of a null reference (typed function references).
    NullReference,
}

impl TrapKind {
    /// The message the WebAssembly specification (and its test suite) uses.
    pub fn trap_message(&self) -> &'static str {
        match self {
            TrapKind::NullExceptionReference => "null exception reference",
            TrapKind::NullFunctionReference => "null function reference",
            TrapKind::NullReference => "null reference",
        }
    }
}

impl fmt::Display for TrapKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.trap_message())
    }
}

impl HostError for TrapKind {}
