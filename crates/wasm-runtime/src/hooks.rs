//! The engine's hooks into runtime entities: what an engine may do that an embedder may
//! not. Reached by engines through [`crate::engine`].

use crate::backtrace::{FrameInfo, FrameSource, WasmBacktrace};
use crate::prelude::*;
use crate::refs::RefTable;
use crate::seam::StackRecycler;
use crate::{
    DirectAccessMut, Exception, FuncInstance, FuncRef, GlobalInstance, GlobalRef, MemoryInstance,
    MemoryRef, ModuleInstance, TableInstance, TableRef, TagRef, Value,
};
use alloc::sync::Arc;
use core::any::Any;
use wasm_core::{RuntimeValue, Signature, Trap, TrapCode, V128, ValType};

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

/// The value cells and frames that the executions enclosing the current host call use
/// (all nested on this thread): what an execution it starts subtracts from its limits.
pub fn outer_usage() -> (usize, usize) {
    crate::ambient::outer_usage()
}

/// Runs `f`, a host call from an execution that uses `cells` value cells and `frames`
/// frames, with those added to [`outer_usage`] for the executions `f` starts.
#[inline]
pub fn with_outer_usage<R>(cells: usize, frames: usize, f: impl FnOnce() -> R) -> R {
    crate::ambient::with_outer_usage(cells, frames, f)
}

/// Takes the stacks an engine stored in `recycler`, if they are of type `T`.
pub fn take_stacks<T: Any>(recycler: &mut StackRecycler) -> Option<Box<T>> {
    recycler.take_storage()
}

/// Stores an engine's stacks in `recycler` for its next call.
pub fn put_stacks<T: Any>(recycler: &mut StackRecycler, stacks: Box<T>) {
    recycler.put_storage(stacks)
}

/// Records in `recycler` the backtrace of the call that just ended with it (`None` when
/// the call did not trap).
pub fn set_backtrace(recycler: &mut StackRecycler, backtrace: Option<WasmBacktrace>) {
    recycler.set_backtrace(backtrace)
}

/// A frame of a backtrace: function `func_index` of the module `source` describes, at
/// instruction `position` of the engine's code for it.
pub fn backtrace_frame(
    source: alloc::rc::Rc<dyn FrameSource>,
    func_index: u32,
    position: usize,
) -> FrameInfo {
    FrameInfo::new(source, func_index, position)
}

/// A backtrace of `frames`, innermost first, `omitted` outer frames left out.
pub fn backtrace(frames: Vec<FrameInfo>, omitted: usize) -> WasmBacktrace {
    WasmBacktrace::new(frames, omitted)
}

// ---- References, tables and segments (Wasm 2.0) -------------------------------------------
//
// References are cells holding handles into the execution's `RefTable` (see `Value`);
// these hooks convert between cells and the runtime's objects, and carry out the table and segment instructions. Every
// ranged operation checks its whole range first and writes nothing when it does not fit.

/// The value of type `ty` in `cell` (a host function's argument), its handle looked up in
/// the execution's `refs`.
pub fn cell_to_value(refs: &RefTable, ty: ValType, cell: u64) -> Value {
    refs.value_of(ty, cell)
}

/// The cell form of `value` (a host function's result), given a handle in `refs` if it
/// is a reference.
pub fn value_to_cell(refs: &mut RefTable, value: &Value) -> u64 {
    refs.cell_of(value)
}

/// The value of type `ty` from the start of `cells` (two cells for a `v128`, one for any
/// other type): a host function's argument.
pub fn cells_to_value(refs: &RefTable, ty: ValType, cells: &[u64]) -> Value {
    refs.read_cells(ty, cells)
}

/// Writes the cells of `value` to the start of `cells` (a host function's result);
/// returns how many (two for a `v128`).
pub fn value_to_cells(refs: &mut RefTable, value: &Value, cells: &mut [u64]) -> usize {
    refs.write_cells(value, cells)
}

/// The value of `v128` global `global` (`global.get`).
pub fn global_v128(global: &GlobalInstance) -> V128 {
    match global.get_value() {
        Value::V128(v) => v,
        _ => V128::default(),
    }
}

/// Sets `v128` global `global` without checks (`global.set` in validated code).
pub fn set_global_v128(global: &GlobalInstance, value: V128) {
    global.store(Value::V128(value));
}

/// Checks a host function's results against the types `types`.
pub fn check_results(types: &[ValType], results: &[Value]) -> Result<(), Trap> {
    crate::func::check_values(types, results)
}

/// `ref.func index`: the handle of function `index` of `instance` (0 if there is none,
/// which validated code cannot ask for).
pub fn ref_func(refs: &mut RefTable, instance: &ModuleInstance, index: u32) -> u64 {
    instance
        .funcs()
        .get(index as usize)
        .map_or(0, |func| refs.func_handle(func))
}

/// `global.get` of a global of any type: its cell.
pub fn global_cell(refs: &mut RefTable, global: &GlobalInstance) -> u64 {
    global.cell(refs)
}

/// `global.set` of a global of any type, from its cell, without checks.
pub fn set_global_cell(refs: &RefTable, global: &GlobalInstance, cell: u64) {
    global.set_cell(refs, cell)
}

/// `table.get`.
pub fn table_get(refs: &mut RefTable, table: &TableInstance, index: u32) -> Result<u64, TrapCode> {
    table.get_cell(refs, index)
}

/// `table.set`.
pub fn table_set(
    refs: &RefTable,
    table: &TableInstance,
    index: u32,
    cell: u64,
) -> Result<(), TrapCode> {
    table.set_cell(refs, index, cell)
}

/// `table.grow`: the previous size, or `u32::MAX` (-1) when the table cannot grow; the
/// trap of a resource limiter that says to trap.
pub fn table_grow(
    refs: &RefTable,
    table: &TableInstance,
    by: u32,
    cell: u64,
) -> Result<u32, wasm_core::Trap> {
    table.grow_cell(refs, by, cell)
}

/// `table.fill`.
pub fn table_fill(
    refs: &RefTable,
    table: &TableInstance,
    index: u32,
    cell: u64,
    n: u32,
) -> Result<(), TrapCode> {
    table.fill_cell(refs, index, cell, n)
}

/// `table.copy` from `src` to `dst` (which may be the same table).
pub fn table_copy(
    dst: &TableInstance,
    to: u32,
    src: &TableInstance,
    from: u32,
    n: u32,
) -> Result<(), TrapCode> {
    dst.copy(to, src, from, n)
}

/// `table.init`.
pub fn table_init(
    instance: &ModuleInstance,
    table: u32,
    elem: u32,
    to: u32,
    from: u32,
    n: u32,
) -> Result<(), TrapCode> {
    instance.table_init(table, elem, to, from, n)
}

/// `elem.drop`.
pub fn elem_drop(instance: &ModuleInstance, elem: u32) {
    instance.elem_drop(elem)
}

/// The bytes `from..from + n` of data segment `data` (`memory.init`); `None` when out of
/// the segment (empty once dropped).
pub fn data_bytes(instance: &ModuleInstance, data: u32, from: u32, n: u32) -> Option<&[u8]> {
    instance.data_bytes(data, from, n)
}

/// `data.drop`.
pub fn data_drop(instance: &ModuleInstance, data: u32) {
    instance.data_drop(data)
}

/// The fuel tank and interrupt flag of the invocations started at `instance`.
pub fn meter(instance: &ModuleInstance) -> &alloc::rc::Rc<crate::meter::Meter> {
    instance.meter()
}

/// `instance`'s tags (exception handling), imported first.
#[inline]
pub fn tags(instance: &ModuleInstance) -> &[TagRef] {
    instance.tags()
}

/// `throw`: a new exception of `tag` whose values are in `cells` (of the tag's
/// parameter types, a `v128` in two cells).
pub fn exception_from_cells(refs: &RefTable, tag: &TagRef, cells: &[u64]) -> Exception {
    let mut at = 0;
    let values = tag
        .signature()
        .param_types()
        .iter()
        .map(|&ty| {
            let value = refs.read_cells(ty, cells.get(at..).unwrap_or(&[]));
            at += ty.cells();
            value
        })
        .collect();
    Exception::new(tag.clone(), values)
}

/// Writes `exception`'s values to the start of `cells` (a `catch`); returns how many
/// cells they take.
pub fn exception_to_cells(refs: &mut RefTable, exception: &Exception, cells: &mut [u64]) -> usize {
    let mut at = 0;
    for value in exception.values() {
        at += refs.write_cells(value, cells.get_mut(at..).unwrap_or(&mut []));
    }
    at
}

/// The handle of `exception` (an `exnref` cell).
pub fn exception_handle(refs: &mut RefTable, exception: &Exception) -> u64 {
    refs.exn_handle(exception)
}

/// The function a function reference cell names (`None` for null).
pub fn func_of(refs: &RefTable, cell: u64) -> Option<FuncRef> {
    refs.func_of(cell)
}

/// The exception an `exnref` cell names (`None` for null).
pub fn exception_of(refs: &RefTable, cell: u64) -> Option<Exception> {
    refs.exn_of(cell)
}
