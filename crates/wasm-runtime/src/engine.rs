//! The seam between the runtime and an engine: what an engine implements ([`Engine`],
//! [`ResumableCall`]) and what it may do to runtime entities that an embedder may not.
//!
//! The runtime knows how to allocate and link instances; it does not know how code runs.
//! An engine (`wasm-exec`) translates function bodies into its own [`CompiledCode`] and
//! implements [`Engine`]: run a Wasm function to completion, or start a resumable call.
//!
//! **API boundary.** The functions of this module are the engine's hooks into runtime
//! entities: they trust that the code calling them was validated (a global set through
//! [`set_global_bits`] is not checked for mutability or type). Nothing else in this crate's
//! public API bypasses a check, and the facade (`wasmite`) does not re-export this module:
//! an embedder cannot reach them.

use crate::{
    DirectAccessMut, Externals, FuncInstance, FuncRef, GlobalInstance, MemoryInstance, MemoryRef,
    ModuleInstance, TableInstance, TableRef,
};
use std::any::Any;
use std::rc::Rc;
use std::sync::Arc;
use wasm_core::{RuntimeValue, Signature, Trap, ValueType};

/// Default limit of the value stack, in values (the seed's figure).
pub const DEFAULT_VALUE_STACK_LIMIT: usize = 1024 * 1024;
/// Default limit of the call stack, in frames (the seed's figure).
pub const DEFAULT_CALL_STACK_LIMIT: usize = 64 * 1024;

/// An engine's translated form of one function body; only the engine looks inside.
pub type CompiledCode = Rc<dyn Any>;

/// What runs Wasm functions. Implemented by `wasm-exec`.
pub trait Engine {
    /// Runs Wasm function `func` with `args` (already type-checked against its signature),
    /// writing its results into `results` (exactly as many as the signature has).
    fn invoke(
        &self,
        func: &FuncRef,
        args: &[RuntimeValue],
        results: &mut [RuntimeValue],
        externals: &mut dyn Externals,
        stack: &mut StackRecycler,
    ) -> Result<(), Trap>;

    /// Prepares a call of `func` that suspends, instead of unwinding, when a host
    /// function traps, so that it can be resumed with the host function's result.
    fn resumable(&self, func: &FuncRef, args: &[RuntimeValue]) -> Box<dyn ResumableCall>;
}

/// A Wasm call that can be suspended by a host trap and resumed.
pub trait ResumableCall {
    /// Starts the call (`host_result` is `None`) or resumes it after a host trap with the
    /// value the host function should have returned. On success the results are in
    /// [`results`](Self::results); after a host trap the call is
    /// [resumable](Self::is_resumable).
    fn run(
        &mut self,
        host_result: Option<RuntimeValue>,
        externals: &mut dyn Externals,
    ) -> Result<(), Trap>;

    /// Whether the last `run` stopped at a host trap and can be resumed.
    fn is_resumable(&self) -> bool;

    /// The result type of the host function the call is suspended in.
    fn resumable_value_type(&self) -> Option<ValueType>;

    /// The results of a completed call.
    fn results(&self) -> &[RuntimeValue];
}

/// Reusable value and call stacks, with their limits.
///
/// Exceeding a limit is a `StackOverflow` trap ("call stack exhausted"). Passing the same
/// recycler to many calls (`invoke_export_with_stack`) reuses its allocations.
pub struct StackRecycler {
    value_stack_limit: usize,
    call_stack_limit: usize,
    storage: Option<Box<dyn Any>>,
}

impl core::fmt::Debug for StackRecycler {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("StackRecycler")
            .field("value_stack_limit", &self.value_stack_limit)
            .field("call_stack_limit", &self.call_stack_limit)
            .finish()
    }
}

impl Default for StackRecycler {
    fn default() -> Self {
        StackRecycler::with_limits(DEFAULT_VALUE_STACK_LIMIT, DEFAULT_CALL_STACK_LIMIT)
    }
}

impl StackRecycler {
    /// Stacks limited to `value_stack_limit` values and `call_stack_limit` frames.
    pub fn with_limits(value_stack_limit: usize, call_stack_limit: usize) -> Self {
        StackRecycler {
            value_stack_limit,
            call_stack_limit,
            storage: None,
        }
    }

    /// Releases the stacks' memory (the limits stay).
    pub fn clear(&mut self) {
        self.storage = None;
    }

    /// The value stack limit, in values.
    pub fn value_stack_limit(&self) -> usize {
        self.value_stack_limit
    }

    /// The call stack limit, in frames.
    pub fn call_stack_limit(&self) -> usize {
        self.call_stack_limit
    }

    /// Takes the stored stacks if they are of type `T`.
    pub(crate) fn take_storage<T: Any>(&mut self) -> Option<Box<T>> {
        self.storage.take()?.downcast::<T>().ok()
    }

    /// Stores stacks for the next call.
    pub(crate) fn put_storage<T: Any>(&mut self, storage: Box<T>) {
        self.storage = Some(storage);
    }
}

/// A module ready to instantiate: the decoded (and validated) module, the engine that
/// translated it, and the engine's code for each defined function.
///
/// The facade's `Module` wraps one; [`ModuleInstance::new`](crate::ModuleInstance::new)
/// accepts anything that is `AsRef<LoadedModule>`.
#[derive(Clone)]
pub struct LoadedModule {
    module: Arc<wasm_core::Module>,
    engine: Rc<dyn Engine>,
    code: Vec<CompiledCode>,
}

impl core::fmt::Debug for LoadedModule {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("LoadedModule")
            .field("functions", &self.code.len())
            .finish()
    }
}

impl LoadedModule {
    /// Pairs a validated module with its engine and compiled code (one per defined
    /// function, in order).
    ///
    /// # Panics
    /// If `code` does not have one entry per defined function.
    pub fn new(
        module: Arc<wasm_core::Module>,
        engine: Rc<dyn Engine>,
        code: Vec<CompiledCode>,
    ) -> Self {
        assert_eq!(
            code.len(),
            module.bodies.len(),
            "one compiled body per defined function"
        );
        LoadedModule {
            module,
            engine,
            code,
        }
    }

    /// The decoded module.
    pub fn module(&self) -> &Arc<wasm_core::Module> {
        &self.module
    }

    /// The engine.
    pub fn engine(&self) -> &Rc<dyn Engine> {
        &self.engine
    }

    /// Compiled code of the defined functions.
    pub fn code(&self) -> &[CompiledCode] {
        &self.code
    }
}

impl AsRef<LoadedModule> for LoadedModule {
    fn as_ref(&self) -> &LoadedModule {
        self
    }
}

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
