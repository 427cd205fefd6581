//! `wasm-runtime`: the runtime structures of Wasmite (spec chapter 4, "Execution").
//!
//! * One file per runtime entity: [`MemoryInstance`], [`TableInstance`],
//!   [`GlobalInstance`], [`FuncInstance`], [`ModuleInstance`] (instantiation), and the
//!   import resolution traits ([`ImportResolver`], [`ModuleImportResolver`],
//!   [`ImportsBuilder`]).
//! * The engine is reached only through the [`engine::Engine`] and
//!   [`engine::ResumableCall`] traits: this crate never interprets code. A
//!   [`LoadedModule`] pairs a decoded module with the engine that translated it and the
//!   engine's per-function code. The [`engine`] module is also the engine's only way to
//!   do what an embedder may not (set a global without checks, borrow a memory for a
//!   running frame); the facade does not re-export it.
//!
//! **Invariant:** this crate trusts its input module to be valid (the facade validates
//! before building a [`LoadedModule`]); it still never panics on a valid module with
//! hostile values (sizes, offsets), which it bounds-checks.
#![deny(missing_docs)]

pub mod engine;
mod error;
mod func;
mod global;
mod host;
mod imports;
mod instance;
mod memory;
mod table;

pub use engine::{
    DEFAULT_CALL_STACK_LIMIT, DEFAULT_VALUE_STACK_LIMIT, LoadedModule, StackRecycler,
};
pub use error::Error;
pub use func::{FuncInstance, FuncInvocation, FuncRef, ResumableError};
pub use global::{GlobalInstance, GlobalRef};
pub use host::{Externals, NopExternals, RuntimeArgs};
pub use imports::{
    GlobalDescriptor, ImportResolver, ImportsBuilder, MemoryDescriptor, ModuleImportResolver,
    TableDescriptor,
};
pub use instance::{ExternVal, ModuleInstance, ModuleRef, NotStartedModuleRef};
pub use memory::{
    DirectAccess, DirectAccessMut, LINEAR_MEMORY_PAGE_SIZE, MemoryInstance, MemoryRef,
};
pub use table::{TableInstance, TableRef};
