//! What the drivers and the engine share: why a driver stopped ([`Stop`]), the access to
//! the instance's globals both drivers' machines give, and the callee of a
//! `call_indirect` (the threaded driver resolves it to make the call itself, the engine to
//! make any other).

use alloc::sync::Arc;
use wasm_core::{Signature, Trap, TrapCode};
use wasm_runtime::engine;
use wasm_runtime::{FuncRef, GlobalRef, ModuleInstance};

/// The most cells the value stack ever has (16 GiB), whatever the configured limit: the
/// threaded driver relies on no frame base reaching `u32::MAX` (its `Entry::UNTRANSLATED`).
pub(crate) const MAX_VALUE_CELLS: usize = 1 << 31;

/// Why a driver stopped, other than an internal error.
#[derive(Debug)]
pub(crate) enum Stop {
    /// At the instruction at this position of the running function, which the engine
    /// executes: a call the driver does not make, or an instruction whose body exits.
    At(usize),
    /// The function the driver was started in returned (its results are in its first
    /// slots).
    Returned,
    /// The host function that the call at this position called trapped: the execution can
    /// be resumed after it. (Only the threaded driver calls host functions itself.)
    #[cfg_attr(not(wasmite_threaded), allow(dead_code))]
    HostTrap(usize, Trap),
    /// The instruction at this position of the running function trapped (or the host
    /// function it called did, with a trap that ends the execution).
    Trapped(usize, Trap),
    /// A taken backward branch of interruptible code found an interrupt pending: the
    /// invocation stops, to resume at this position (the branch's target).
    Interrupted(usize),
}

/// The stack usage and limits a run starts with (for the calls the threaded driver makes
/// itself).
#[derive(Clone, Copy, Debug)]
#[cfg_attr(not(wasmite_threaded), allow(dead_code))]
pub(crate) struct Limits {
    /// The frames of the execution, the running one included.
    pub(crate) frames: usize,
    /// The most frames the execution may have.
    pub(crate) call_limit: usize,
    /// The most value stack cells it may use.
    pub(crate) value_limit: usize,
}

/// The bits of global `index` of `globals` (`Machine::global`; validated code only names
/// globals that exist, a trap rather than a panic all the same).
#[inline(always)]
pub(crate) fn global_bits(globals: &[GlobalRef], index: u32) -> Result<u64, TrapCode> {
    match globals.get(index as usize) {
        Some(global) => Ok(engine::global_bits(global)),
        None => Err(TrapCode::Unreachable),
    }
}

/// Sets global `index` of `globals` to `bits` (`Machine::set_global`).
#[inline(always)]
pub(crate) fn set_global_bits(
    globals: &[GlobalRef],
    index: u32,
    bits: u64,
) -> Result<(), TrapCode> {
    let global = globals.get(index as usize).ok_or(TrapCode::Unreachable)?;
    engine::set_global_bits(global, bits);
    Ok(())
}

/// Whether `callee` has the type `expected` (`call_indirect`'s check): the same
/// signature of the same module (one pointer comparison, the common case), or a type
/// that is the same or a declared subtype of it, in any module.
#[inline]
pub(crate) fn has_type(callee: &FuncRef, expected: &Arc<Signature>) -> bool {
    let actual = engine::signature_arc(callee);
    Arc::ptr_eq(expected, actual) || actual.is_subtype_of(expected)
}

/// The callee of `call_indirect` with type `ty` through table `table` of `instance`,
/// given to `f` without a clone: the element whose index `element` reads (given the
/// expected type, whose parameters come before the index; `None` gives up with
/// `TableAccessOutOfBounds`), checked to be set and of type `ty`. Errors are the traps.
pub(crate) fn indirect_callee<R>(
    instance: &ModuleInstance,
    ty: u32,
    table: u32,
    element: impl FnOnce(&Signature) -> Option<u32>,
    f: impl FnOnce(&FuncRef) -> R,
) -> Result<R, TrapCode> {
    let expected = engine::signature_by_index(instance, ty).ok_or(TrapCode::UnexpectedSignature)?;
    let index = element(expected).ok_or(TrapCode::TableAccessOutOfBounds)?;
    let table = engine::tables(instance)
        .get(table as usize)
        .ok_or(TrapCode::TableAccessOutOfBounds)?;
    let entry = engine::table_entry(table, index, |entry| {
        entry
            .as_ref()
            .map(|callee| has_type(callee, expected).then(|| f(callee)))
    });
    match entry {
        None => Err(TrapCode::TableAccessOutOfBounds),
        Some(None) => Err(TrapCode::ElemUninitialized),
        Some(Some(None)) => Err(TrapCode::UnexpectedSignature),
        Some(Some(Some(result))) => Ok(result),
    }
}
