//! The engine's hooks into runtime entities: what an engine may do that an embedder may
//! not. Reached by engines through [`crate::engine`].

use crate::seam::StackRecycler;
use crate::{
    DirectAccessMut, FuncInstance, FuncRef, GlobalInstance, GlobalRef, MemoryInstance, MemoryRef,
    ModuleInstance, TableInstance, TableRef,
};
use std::any::Any;
use std::sync::Arc;
use wasm_core::{RuntimeValue, Signature, Trap};

/// What the engine needs to run a Wasm function: its instance, index and code.
pub use crate::func::WasmFunc;

/// The Wasm side of `func`, if it is a Wasm function.
#[inline]
pub fn wasm_func(func: &FuncInstance) -> Option<&WasmFunc> {
    func.as_wasm()
}

/// The host function index of `func` (what `Externals::invoke_index` receives), if it is
/// a host function.
#[inline]
pub fn host_func_index(func: &FuncInstance) -> Option<usize> {
    func.host_func_index()
}

/// The type of `func`, shared (an engine compares it by address first).
#[inline]
pub fn signature_arc(func: &FuncInstance) -> &Arc<Signature> {
    func.signature_arc()
}

/// Checks a host function's result against its `signature`, as every call of a host
/// function must: the value an `Externals` returned must have the signature's (single)
/// result type, or the call traps with `UnexpectedSignature`.
pub fn check_host_result(
    signature: &Signature,
    result: Option<RuntimeValue>,
) -> Result<Option<RuntimeValue>, Trap> {
    crate::func::check_host_result(signature, result)
}

/// The bits of `global`'s value (`global.get`).
#[inline]
pub fn global_bits(global: &GlobalInstance) -> u64 {
    global.bits()
}

/// Sets `global`'s value to `bits` without checks: `global.set` in validated code, which
/// only sets mutable globals, with values of their type.
#[inline]
pub fn set_global_bits(global: &GlobalInstance, bits: u64) {
    global.set_bits(bits)
}

/// Runs `f` on the entry at `index` of `table` without cloning it (`call_indirect`);
/// `None` when `index` is out of bounds.
#[inline]
pub fn table_entry<R>(
    table: &TableInstance,
    index: u32,
    f: impl FnOnce(&Option<FuncRef>) -> R,
) -> Option<R> {
    table.with_entry(index, f)
}

/// Write access to `memory`'s bytes for a running frame, or `None` while the host holds
/// a borrow of them (an engine never panics on a host's borrow).
#[inline]
pub fn borrow_memory(memory: &MemoryInstance) -> Option<DirectAccessMut<'_>> {
    memory.try_direct_access_mut()
}

/// The functions of `instance`, imported ones first (a call's callee by index).
#[inline]
pub fn funcs(instance: &ModuleInstance) -> &[FuncRef] {
    instance.funcs()
}

/// The globals of `instance`, imported ones first (`global.get` and `global.set`).
#[inline]
pub fn globals(instance: &ModuleInstance) -> &[GlobalRef] {
    instance.global_refs()
}

/// The tables of `instance`, imported ones first.
#[inline]
pub fn tables(instance: &ModuleInstance) -> &[TableRef] {
    instance.tables()
}

/// The memories of `instance`, imported ones first.
#[inline]
pub fn memories(instance: &ModuleInstance) -> &[MemoryRef] {
    instance.memories()
}

/// Function type `index` of `instance`'s module (`call_indirect`'s expected type).
#[inline]
pub fn signature_by_index(instance: &ModuleInstance, index: u32) -> Option<&Arc<Signature>> {
    instance.signature_by_index(index)
}

/// Takes the stacks an engine stored in `recycler`, if they are of type `T`.
pub fn take_stacks<T: Any>(recycler: &mut StackRecycler) -> Option<Box<T>> {
    recycler.take_storage()
}

/// Stores an engine's stacks in `recycler` for its next call.
pub fn put_stacks<T: Any>(recycler: &mut StackRecycler, stacks: Box<T>) {
    recycler.put_storage(stacks)
}
