//! The host's side of calls: [`Externals`] dispatches host functions, [`RuntimeArgs`]
//! gives them their arguments.

use crate::Value;
use crate::prelude::*;
use wasm_core::{FromValue, RuntimeValue, Trap, TrapCode};

/// The embedder's dispatcher for host functions.
///
/// A host function is created with [`FuncInstance::alloc_host`](crate::FuncInstance::alloc_host)
/// and an index; calling it (from Wasm or directly) reaches `invoke_index` with that index.
pub trait Externals {
    /// Runs host function `index` with `args`; returns its result or a trap.
    fn invoke_index(
        &mut self,
        index: usize,
        args: RuntimeArgs<'_>,
    ) -> Result<Option<RuntimeValue>, Trap>;

    /// Runs host function `index`, whose signature has references or several results,
    /// with `args`; writes its results into `results` (as many as the signature has,
    /// set to zeros and nulls on entry). Results of the wrong types trap with
    /// `UnexpectedSignature`.
    ///
    /// Calls of host functions of numbers only, with at most one result, go to
    /// [`invoke_index`](Self::invoke_index), from Wasm and from the API alike. The
    /// default traps with `UnexpectedSignature` unless its arguments are numbers and the
    /// function has at most one result (then it asks `invoke_index`).
    fn invoke_values(
        &mut self,
        index: usize,
        args: &[Value],
        results: &mut [Value],
    ) -> Result<(), Trap> {
        let Some(numbers) = args.iter().map(Value::number).collect::<Option<Vec<_>>>() else {
            return Err(Trap::Code(TrapCode::UnexpectedSignature));
        };
        let result = self.invoke_index(index, RuntimeArgs::from(&numbers[..]))?;
        match (result, results) {
            (None, []) => Ok(()),
            (Some(value), [slot]) => {
                *slot = value.into();
                Ok(())
            }
            _ => Err(Trap::Code(TrapCode::UnexpectedSignature)),
        }
    }
}

/// [`Externals`] with no host functions: every call traps.
#[derive(Debug, Default, Copy, Clone)]
pub struct NopExternals;

impl Externals for NopExternals {
    fn invoke_index(&mut self, _: usize, _: RuntimeArgs<'_>) -> Result<Option<RuntimeValue>, Trap> {
        Err(Trap::Code(TrapCode::Unreachable))
    }
}

/// The arguments of a host function call.
#[derive(Debug, Copy, Clone)]
pub struct RuntimeArgs<'a>(&'a [RuntimeValue]);

impl<'a> From<&'a [RuntimeValue]> for RuntimeArgs<'a> {
    fn from(args: &'a [RuntimeValue]) -> Self {
        RuntimeArgs(args)
    }
}

impl AsRef<[RuntimeValue]> for RuntimeArgs<'_> {
    fn as_ref(&self) -> &[RuntimeValue] {
        self.0
    }
}

impl RuntimeArgs<'_> {
    /// Argument `idx` converted to `T`; a trap if it is missing or of another type.
    pub fn nth_checked<T: FromValue>(&self, idx: usize) -> Result<T, Trap> {
        self.nth_value_checked(idx)?
            .try_into()
            .ok_or(Trap::Code(TrapCode::UnexpectedSignature))
    }

    /// Argument `idx`; a trap if it is missing.
    pub fn nth_value_checked(&self, idx: usize) -> Result<RuntimeValue, Trap> {
        self.0
            .get(idx)
            .copied()
            .ok_or(Trap::Code(TrapCode::UnexpectedSignature))
    }

    /// Argument `idx` converted to `T`.
    ///
    /// # Panics
    /// If the argument is missing or of another type: use [`nth_checked`](Self::nth_checked)
    /// when the signature is not already guaranteed.
    pub fn nth<T: FromValue>(&self, idx: usize) -> T {
        self.nth_checked(idx)
            .expect("RuntimeArgs::nth: missing argument or wrong type")
    }

    /// Number of arguments.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there are no arguments.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}
