//! The engine's side of the seam: the traits an engine implements ([`Engine`],
//! [`ResumableCall`]), its per-function code ([`CompiledCode`]), a module paired with its
//! engine ([`LoadedModule`]), and the stacks an engine keeps in a [`StackRecycler`].
//! Reached by engines through [`crate::engine`].

use crate::prelude::*;
use crate::refs::RefTable;
use crate::{Error, Externals, FuncRef, WasmBacktrace};
use alloc::rc::Rc;
use alloc::sync::Arc;
use core::any::Any;
use wasm_core::{RuntimeValue, Trap, ValueType};

/// Default limit of the value stack, in values (the seed's figure).
pub const DEFAULT_VALUE_STACK_LIMIT: usize = 1024 * 1024;
/// Default limit of the call stack, in frames (the seed's figure).
pub const DEFAULT_CALL_STACK_LIMIT: usize = 64 * 1024;

/// An engine's translated form of one function body; only the engine looks inside.
pub type CompiledCode = Rc<dyn Any>;

/// What runs Wasm functions. Implemented by `wasm-exec`.
pub trait Engine {
    /// Runs Wasm function `func` with `args` (already type-checked against its signature)
    /// in their cell form, writing its results' cells into `results` (exactly as many as
    /// the signature has). The cell form of a number is its bits
    /// ([`RuntimeValue::to_bits`]), of a reference its handle in `refs` (see
    /// [`crate::Value`]), the execution's table, which the caller empties after reading
    /// the results.
    fn invoke(
        &self,
        func: &FuncRef,
        args: &[u64],
        results: &mut [u64],
        externals: &mut dyn Externals,
        stack: &mut StackRecycler,
        refs: &mut RefTable,
    ) -> Result<(), Trap>;

    /// Prepares a call of `func` that suspends, instead of unwinding, when a host
    /// function traps, so that it can be resumed with the host function's result. The
    /// call keeps a reference table of its own while it may resume.
    fn resumable(&self, func: &FuncRef, args: &[RuntimeValue]) -> Box<dyn ResumableCall>;
}

/// A Wasm call that can be suspended by a host error and resumed.
pub trait ResumableCall {
    /// Starts the call (`host_result` is `None`) or resumes it after a host error with the
    /// value the host function should have returned. On success the results are in
    /// [`results`](Self::results); after a host function failed with a host error
    /// (`Trap::Host`; a trap code ends the call) the call is
    /// [resumable](Self::is_resumable).
    fn run(
        &mut self,
        host_result: Option<RuntimeValue>,
        externals: &mut dyn Externals,
    ) -> Result<(), Trap>;

    /// Whether the last `run` stopped at a host error and can be resumed.
    fn is_resumable(&self) -> bool;

    /// The result type of the host function the call is suspended in.
    fn resumable_value_type(&self) -> Option<ValueType>;

    /// The results of a completed call.
    fn results(&self) -> &[RuntimeValue];

    /// The Wasm call stack of the last `run`'s trap, if it trapped in Wasm code or in a
    /// host function Wasm code called.
    fn backtrace(&self) -> Option<&WasmBacktrace> {
        None
    }
}

/// Reusable value and call stacks, with their limits.
///
/// Exceeding a limit is a `StackOverflow` trap ("call stack exhausted"). Passing the same
/// recycler to many calls (`invoke_export_with_stack`) reuses its allocations.
pub struct StackRecycler {
    value_stack_limit: usize,
    call_stack_limit: usize,
    storage: Option<Box<dyn Any>>,
    backtrace: Option<WasmBacktrace>,
    /// The reference table of the calls made with these stacks, empty between them.
    refs: RefTable,
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
            backtrace: None,
            refs: RefTable::default(),
        }
    }

    /// Releases the stacks' memory (the limits stay).
    pub fn clear(&mut self) {
        self.storage = None;
        self.refs = RefTable::default();
    }

    /// The value stack limit, in values.
    pub fn value_stack_limit(&self) -> usize {
        self.value_stack_limit
    }

    /// The call stack limit, in frames.
    pub fn call_stack_limit(&self) -> usize {
        self.call_stack_limit
    }

    /// The Wasm call stack of the trap that ended the last call made with these stacks;
    /// `None` if it did not trap (or trapped before any Wasm code ran).
    ///
    /// ```
    /// # use wasm_runtime::StackRecycler;
    /// let stack = StackRecycler::default();
    /// assert!(stack.backtrace().is_none());
    /// ```
    pub fn backtrace(&self) -> Option<&WasmBacktrace> {
        self.backtrace.as_ref()
    }

    /// Takes the backtrace [`backtrace`](Self::backtrace) returns.
    pub fn take_backtrace(&mut self) -> Option<WasmBacktrace> {
        self.backtrace.take()
    }

    /// Records the backtrace of the call that just ended (`None` if it did not trap).
    pub(crate) fn set_backtrace(&mut self, backtrace: Option<WasmBacktrace>) {
        self.backtrace = backtrace;
    }

    /// Takes the (empty) reference table, for a call.
    pub(crate) fn take_refs(&mut self) -> RefTable {
        core::mem::take(&mut self.refs)
    }

    /// Keeps the (emptied) reference table's buffers for the next call.
    pub(crate) fn put_refs(&mut self, refs: RefTable) {
        self.refs = refs;
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

/// A module ready to instantiate on one thread: the decoded (and validated) module, the
/// engine that translated it, and the engine's code for each defined function.
///
/// The engine and its code are reference-counted without atomics (`Rc`), as the
/// instances that use them are: a `LoadedModule` stays on the thread that made it. A
/// module shared between threads (the facade's `Module`) keeps plain data and gives each
/// thread a `LoadedModule` of its own through [`Instantiable`]. Cloning one is cheap.
#[derive(Clone)]
pub struct LoadedModule {
    module: Arc<wasm_core::Module>,
    engine: Rc<dyn Engine>,
    code: Rc<[CompiledCode]>,
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
            code: code.into(),
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

/// What [`ModuleInstance::new`](crate::ModuleInstance::new) and
/// [`ModuleInstance::with_externvals`](crate::ModuleInstance::with_externvals)
/// instantiate: a module that gives the engine's code for the calling thread.
///
/// A [`LoadedModule`] gives itself. The facade's `Module`, which threads may share, keeps
/// each thread's `LoadedModule` and makes one for a thread the first time it
/// instantiates there.
pub trait Instantiable {
    /// The module with its engine and code, for instances made on the calling thread.
    fn loaded_module(&self) -> Result<LoadedModule, Error>;
}

impl Instantiable for LoadedModule {
    fn loaded_module(&self) -> Result<LoadedModule, Error> {
        Ok(self.clone())
    }
}

impl<T: Instantiable + ?Sized> Instantiable for &T {
    fn loaded_module(&self) -> Result<LoadedModule, Error> {
        (**self).loaded_module()
    }
}

impl<T: Instantiable + ?Sized> Instantiable for Box<T> {
    fn loaded_module(&self) -> Result<LoadedModule, Error> {
        (**self).loaded_module()
    }
}

impl<T: Instantiable + ?Sized> Instantiable for Rc<T> {
    fn loaded_module(&self) -> Result<LoadedModule, Error> {
        (**self).loaded_module()
    }
}

impl<T: Instantiable + ?Sized> Instantiable for Arc<T> {
    fn loaded_module(&self) -> Result<LoadedModule, Error> {
        (**self).loaded_module()
    }
}
