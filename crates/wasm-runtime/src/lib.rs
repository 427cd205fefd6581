//! `wasm-runtime`: the runtime structures of Wasmite (spec chapter 4, "Execution").
//!
//! * One file per runtime entity: [`MemoryInstance`], [`TableInstance`],
//!   [`GlobalInstance`], [`FuncInstance`], [`ModuleInstance`] (instantiation), and the
//!   import resolution traits ([`ImportResolver`], [`ModuleImportResolver`],
//!   [`ImportsBuilder`]).
//! * The engine is reached only through the [`engine::Engine`] and
//!   [`engine::ResumableCall`] traits: this crate never interprets code. A
//!   [`LoadedModule`] pairs a decoded module with the engine that translated it and the
//!   engine's per-function code, for one thread; [`Instantiable`] is what instantiation
//!   takes: a module that gives one for the calling thread. The [`engine`] module is also
//!   the engine's only way to
//!   do what an embedder may not (set a global without checks, borrow a memory for a
//!   running frame); the facade does not re-export it.
//! * `no_std` + `alloc` without its default `std` feature: memories are then plain
//!   allocations, `InterruptHandle::interrupt_after` is missing, and the few bounds kept
//!   per thread (nested executions, table entries) hold for the whole program.
//!
//! **Invariant:** this crate trusts its input module to be valid (the facade validates
//! before building a [`LoadedModule`]); it still never panics on a valid module with
//! hostile values (sizes, offsets), which it bounds-checks.
#![deny(missing_docs)]
#![no_std]

extern crate alloc;
#[cfg(feature = "std")]
extern crate std;

/// What `std`'s prelude would bring, from `alloc` (the crate builds without `std`).
mod prelude {
    pub(crate) use wasm_core::prelude::*;
}

mod ambient;
mod backtrace;
mod error;
mod exn;
mod func;
mod global;
mod hooks;
mod host;
mod imports;
mod instance;
mod limits;
mod memory;
mod meter;
mod refs;
mod seam;
mod table;
mod trap_kind;

pub mod engine {
    //! The seam between the runtime and an engine: what an engine implements ([`Engine`],
    //! [`ResumableCall`]) and what it may do to runtime entities that an embedder may not.
    //!
    //! The runtime knows how to allocate and link instances; it does not know how code runs.
    //! An engine (`wasm-exec`) translates function bodies into its own [`CompiledCode`] and
    //! implements [`Engine`]: run a Wasm function to completion, or start a resumable call.
    //!
    //! **API boundary.** The functions of this module are the engine's hooks into runtime
    //! entities: they trust that the code calling them was validated (a global set through
    //! [`set_global_bits`] is not checked for mutability or type). Nothing else in this
    //! crate's public API bypasses a check, and the facade (`wasmite`) does not re-export this
    //! module: an embedder cannot reach them.

    pub use crate::backtrace::FrameSource;
    pub use crate::hooks::*;
    pub use crate::meter::Meter;
    pub use crate::refs::RefTable;
    pub use crate::seam::{CompiledCode, Engine, ResumableCall};
}

pub use ambient::MAX_NESTED_EXECUTIONS;
pub use backtrace::{FrameInfo, MAX_BACKTRACE_FRAMES, WasmBacktrace};
pub use error::Error;
pub use exn::{ExceptionValue, WasmException};
pub use func::{FuncInstance, FuncInvocation, FuncRef, ResumableError};
pub use global::{GlobalInstance, GlobalRef};
pub use host::{Externals, NopExternals, RuntimeArgs};
pub use imports::{
    GlobalDescriptor, ImportResolver, ImportsBuilder, MemoryDescriptor, ModuleImportResolver,
    TableDescriptor,
};
pub use instance::{ExternVal, ModuleInstance, ModuleRef, NotStartedModuleRef};
pub use limits::{DEFAULT_COUNT_LIMIT, GrowthRefused, Limiter, ResourceLimiter, StoreLimits};
pub use memory::{
    DirectAccess, DirectAccessMut, LINEAR_MEMORY_PAGE_SIZE, MemoryInstance, MemoryRef,
};
#[cfg(feature = "std")]
pub use meter::Deadline;
pub use meter::{InterruptHandle, Interrupted, OutOfFuel};
pub use refs::{Exception, ExternRef, TagRef, Value};
pub use seam::{
    DEFAULT_CALL_STACK_LIMIT, DEFAULT_VALUE_STACK_LIMIT, Instantiable, LoadedModule, StackRecycler,
};
pub use table::{MAX_THREAD_TABLE_ENTRIES, TableInstance, TableRef};
pub use trap_kind::TrapKind;
