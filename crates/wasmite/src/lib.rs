//! Wasmite: a WebAssembly interpreter to embed in Rust programs.
//!
//! Load a module (binary, or text with the default `wat` feature), instantiate it
//! against host-provided imports, run its start function, and call its exports in a
//! sandbox: every outcome is a value, an [`Error`] or a [`Trap`], never a crash.
//!
//! The API is the classic `wasmi` 0.x one: a program written against it compiles against
//! `wasmite` by changing the crate name.
//!
//! ```
//! use wasmite::{ImportsBuilder, Module, ModuleInstance, NopExternals, RuntimeValue};
//!
//! # fn main() -> Result<(), wasmite::Error> {
//! let wasm_bytes = wat::parse_str(
//!     r#"(module (func (export "test") (result i32) i32.const 1337))"#,
//! ).expect("valid text");
//! let module = Module::from_buffer(&wasm_bytes)?;            // decode + validate
//! let instance = ModuleInstance::new(&module, &ImportsBuilder::default())?
//!     .assert_no_start();                                    // or .run_start(&mut externals)?
//! let result = instance.invoke_export("test", &[], &mut NopExternals)?;
//! assert_eq!(result, Some(RuntimeValue::I32(1337)));
//! # Ok(())
//! # }
//! ```
//!
//! # How it is built
//!
//! This crate is a thin facade over the workspace's phases: `wasm-core` (decoding and
//! shared types), `wasm-validate` (validation), `wasm-runtime` (instances, linking) and
//! `wasm-exec` (the interpreter). See `ARCHITECTURE.md` in the repository.
//!
//! # Going past the seed API
//!
//! * [`FuncInstance::invoke_into`] fills a results slice: functions with several results
//!   (multi-value) are called through it.
//! * [`Module::from_buffer`] also accepts the text format (feature `wat`, on by default).
//! * A function is translated for the interpreter at its first call; [`Config`] and
//!   [`Module::from_buffer_with_config`] choose [`Translation::Eager`] instead (every
//!   function at load time). Validation is always complete at load time.
//!
//! # What the API does not let you do
//!
//! Every public path checks what it is given: a global is set only through
//! [`GlobalInstance::set`], which refuses an immutable global and a value of another
//! type; memories and tables check their bounds. The engine's own access to these entities
//! (setting a global's bits after validation checked the code that does it) is not part of
//! this crate's API:
//!
//! ```compile_fail,E0599
//! let global = wasmite::GlobalInstance::alloc(wasmite::RuntimeValue::I32(1), false);
//! global.set_bits_unchecked(2); // no such method
//! ```
//!
//! ```compile_fail,E0432
//! use wasmite::engine::set_global_bits; // no such module
//! ```
#![deny(missing_docs)]

mod module;
mod thread_code;

pub use module::{Config, Module};
pub use wasm_core::{
    FromValue, HostError, LittleEndianConvert, RuntimeValue, Signature, Trap, TrapCode, ValueType,
    memory_units, nan_preserving_float,
};
pub use wasm_exec::{CompileError, DISPATCH, EngineError, MAX_NESTED_EXECUTIONS, Translation};
pub use wasm_runtime::{
    DEFAULT_CALL_STACK_LIMIT, DEFAULT_VALUE_STACK_LIMIT, Error, ExternVal, Externals, FuncInstance,
    FuncInvocation, FuncRef, GlobalDescriptor, GlobalInstance, GlobalRef, ImportResolver,
    ImportsBuilder, LINEAR_MEMORY_PAGE_SIZE, MemoryDescriptor, MemoryInstance, MemoryRef,
    ModuleImportResolver, ModuleInstance, ModuleRef, NopExternals, NotStartedModuleRef,
    ResumableError, RuntimeArgs, StackRecycler, TableDescriptor, TableInstance, TableRef,
};
/// The validator's proposal switches, for [`Module::from_buffer_with_features`].
pub use wasm_validate::Features;
