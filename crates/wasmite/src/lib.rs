//! Wasmite: a WebAssembly interpreter to embed in Rust programs.
//!
//! Load a module (binary, or text with the default `wat` feature), instantiate it
//! against host-provided imports, run its start function, and call its exports in a
//! sandbox: every outcome is a value, an [`Error`] or a [`Trap`], never a crash.
//!
//! The API is the classic `wasmi` 0.x one (0.13.2, with the `wasmi_core` 0.2 and
//! `memory_units` 0.4 items it re-exports): a program written against it compiles against
//! `wasmite` by changing the crate name, and behaves the same, down to error variants and
//! `Display` texts, except for the few [differences](#differences-from-wasmi-013) listed
//! below with their reasons. `tests/seed_conformance.rs` checks every item of that API,
//! and passes against `wasmi` 0.13.2 itself.
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
//! # Features
//!
//! * `wat` (on by default): [`Module::from_buffer`] also accepts the text format, and
//!   [`Module::from_wat`] exists. Without it, `from_buffer` reads the binary format only,
//!   as the seed's does.
//! * `parity-wasm` (off by default): `Module::from_parity_wasm_module`, as the seed
//!   offers it, for modules built or read with `parity-wasm` 0.45 (the seed's version).
//!
//! # Threads
//!
//! As in the seed, a [`Module`] is `Send` and `Sync`: threads may share one and each
//! instantiate it. Instances and their entities ([`ModuleRef`], [`FuncRef`],
//! [`MemoryRef`]...) are reference-counted without atomics and stay on the thread that
//! made them.
//!
//! # Going past the seed API
//!
//! * **WebAssembly 2.0.** Modules may use everything compilers emit today (bulk memory,
//!   reference types, multi-value, sign extension, saturating conversions, SIMD):
//!   [`Features::default`] is [`Features::wasm2`].
//! * **WebAssembly 3.0**, proposal by proposal, each behind its [`Features`] flag: relaxed
//!   SIMD, tail calls (in constant stack), extended constant expressions, several memories,
//!   64-bit memories and tables, exception handling and typed function references; also
//!   wide arithmetic and custom page sizes ([`Features::all`] turns on every one). Typed
//!   references have a [`RefType`] of a [`HeapType`] and a nullability; a null where
//!   Wasm code needs a function traps with [`TrapKind::NullFunctionReference`] or
//!   [`TrapKind::NullReference`], and a function a host passes for a `(ref $t)` is
//!   checked to have type `$t` where it is called. An exception that no Wasm code
//!   catches ends the call with a [`Trap::Host`] carrying a [`WasmException`] (its
//!   [`TagRef`] and values); a host function throws one by returning such a trap. Tags are
//!   imported through [`ImportResolver::resolve_tag`] and found with
//!   [`ModuleInstance::export_tag`]. Memories and tables of other types than the seed's
//!   are made with [`MemoryInstance::alloc_with_type`] and
//!   [`TableInstance::alloc_with_type`].
//! * [`FuncInstance::invoke_into`] fills a results slice: functions with several results
//!   (multi-value) are called through it.
//! * **References.** [`Value`] is a value of any type: the seed's four numbers and the
//!   references, `FuncRef(Option<FuncRef>)` and `ExternRef(Option<ExternRef>)` (`None` is
//!   null). [`ExternRef::new`] wraps any `'static` Rust value, which Wasm code can hold and
//!   store but not look into; the host gets it back with [`ExternRef::downcast_ref`].
//!   [`FuncInstance::invoke_values`] calls a function with `Value`s (references, several
//!   results); a host function whose signature has references or several results is
//!   called through [`Externals::invoke_values`] (a provided method: implement it for such
//!   functions). Tables of either type ([`TableInstance::alloc_typed`],
//!   [`TableInstance::get_value`], [`TableInstance::set_value`]) and globals
//!   ([`GlobalInstance::alloc_value`], [`GlobalInstance::get_value`],
//!   [`GlobalInstance::set_value`]) take and give `Value`s; [`ValType`] is the type of any
//!   value ([`Signature::param_types`], [`GlobalInstance::val_type`]).
//!
//!   The seed's types stay as they were, so that programs matching on them exhaustively
//!   keep compiling: [`RuntimeValue`] and [`ValueType`] have their four number variants,
//!   [`TrapCode`] its nine codes. Where a seed method cannot describe a reference it says
//!   so: [`Signature::params`], [`Signature::results`] and [`Signature::return_type`] are
//!   empty for a signature with a reference; [`GlobalInstance::get`] reads a reference
//!   global as `I32(0)`; [`TableInstance::get`] refuses an `externref` table.
//! * **Trap kinds the seed lacks** (from later proposals: null references, casts, fuel,
//!   interruption, exceptions) will not be added to [`TrapCode`], whose nine codes keep
//!   their meaning (a table access out of bounds is `TableAccessOutOfBounds` whichever
//!   instruction made it). They will come as [`Trap::Host`] carrying a Wasmite error type,
//!   which a program matching on the seed's `Trap` handles as it handles any host error,
//!   and a newer program can downcast. Wasm 2.0 needs none.
//! * **Untrusted code.** [`Config::consume_fuel`] meters execution (out of fuel is a
//!   resumable [`OutOfFuel`] trap), [`Config::interruptible`] lets an [`InterruptHandle`]
//!   or a [`Deadline`] stop it from another thread ([`Interrupted`]), and
//!   [`ModuleInstance::new_with_limiter`] lets a [`ResourceLimiter`] approve growth and
//!   cap counts. A trap in Wasm code leaves its call stack, a [`WasmBacktrace`], in the
//!   [`StackRecycler`] the call ran on ([`StackRecycler::backtrace`]) or in the
//!   resumable call ([`FuncInvocation::backtrace`]).
//! * [`Module::from_buffer`] also accepts the text format (feature `wat`, on by default).
//! * A function is translated for the interpreter at its first call; [`Config`] and
//!   [`Module::from_buffer_with_config`] choose [`Translation::Eager`] instead (every
//!   function at load time). Validation is always complete at load time.
//! * [`Module`] is `Clone` (clones share the decoded module) and `Debug`; more types
//!   implement `Debug`, `Clone`, `PartialEq` or `Display` than in the seed, and a few
//!   have more methods (`Trap::as_host`, `MemoryRef::ptr_eq`...).
//!
//! # Differences from wasmi 0.13
//!
//! Where behaving as the seed does would be wrong by the WebAssembly specification, or
//! unsafe for the embedder, Wasmite keeps its own behaviour. This is the whole list.
//!
//! * **Segments that do not fit trap at instantiation.** An element or data segment
//!   outside its table or memory is [`Error::Trap`] with
//!   [`TrapCode::TableAccessOutOfBounds`] or [`TrapCode::MemoryAccessOutOfBounds`]
//!   (the seed: `Error::Instantiation` for elements, `Error::Memory` for data). The
//!   specification (and its test suite) makes this a trap, after the earlier segments
//!   were written.
//! * **Imports are matched as the specification matches them.** A memory or table import
//!   is matched against the entity's current size (the seed: the size it was allocated
//!   with), and an imported global must have the import's mutability (the seed checks
//!   the value type only).
//! * **Messages inside `Error` variants are Wasmite's.** The variant is always the
//!   seed's; its text is not: validation and linking messages use the specification's
//!   wording ("type mismatch", "unknown import", "incompatible import type") with the
//!   byte offset where there is one, and the other messages name what failed in their own
//!   words. The seed's texts came from its own validator, which Wasmite does not have.
//!   The formats around them (`Error`'s and [`Trap`]'s `Display`, `String::from(error)`,
//!   [`TrapCode::trap_message`]) are the seed's.
//! * **Stack limits count values.** [`StackRecycler::with_limits`]'s value limit and
//!   [`DEFAULT_VALUE_STACK_LIMIT`] count 64-bit values (the seed: bytes, 8 per value).
//!   Frames are laid out differently from the seed's anyway (Wasmite's also hold
//!   constants and one temporary per operand), so the depth at which a recursion
//!   overflows differs; the default budget, counted in values, is eight times the seed's.
//!   The call-depth limit counts frames in both.
//! * **Nothing panics or aborts on a failure the seed panics on.** Calling a function
//!   whose instance was dropped traps with a host error, [`EngineError::InstanceDropped`]
//!   (the seed panics); [`TableInstance::grow`] grows the table (the seed's panics on a
//!   `RefCell` it borrows twice); memory and table growth that the host cannot allocate is
//!   an error, and `memory.grow` gives -1 (the seed aborts); host functions calling back
//!   into Wasm more than [`MAX_NESTED_EXECUTIONS`] deep trap with
//!   [`TrapCode::StackOverflow`] (the seed overflows the native stack); unit conversions
//!   saturate and rounding up does not overflow near `usize::MAX` (the seed panics in
//!   debug builds and wraps in release builds).
//! * **`HostError` has no `downcast-rs` supertrait.** It requires `Any + Send + Sync`,
//!   which is what implementing the seed's required, and `dyn HostError` has the seed's
//!   downcasts (`is`, `downcast_ref`, `downcast_mut`, `downcast`, `downcast_rc`); the
//!   methods of `downcast-rs`'s own traits (`as_any`, `into_any`...), which only a program
//!   depending on `downcast-rs` could call, are absent. Wasmite does not depend on it.
//! * **More modules load.** [`Module::from_buffer`] accepts WebAssembly 2.0 modules (the
//!   seed: 1.0 only) and reads text with the default `wat` feature (above);
//!   [`Module::from_buffer_with_features`] with [`Features::mvp`] takes what the seed
//!   takes: a Wasm 1.0 binary (import and export of mutable globals included).
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
    FromValue, HeapType, HostError, LittleEndianConvert, RefType, RuntimeValue, Signature, Trap,
    TrapCode, V128, ValType, ValueType, memory_units, nan_preserving_float,
};
/// Full memory and table types (64-bit addresses and indices, custom page sizes), for
/// [`MemoryInstance::alloc_with_type`] and [`TableInstance::alloc_with_type`].
pub use wasm_core::{Limits, MemoryType, TableType};
pub use wasm_exec::{CompileError, DISPATCH, EngineError, Translation};
/// The traps of later proposals, which the seed's [`TrapCode`] does not name.
pub use wasm_runtime::TrapKind;
pub use wasm_runtime::{
    DEFAULT_CALL_STACK_LIMIT, DEFAULT_VALUE_STACK_LIMIT, Error, ExternVal, Externals, FuncInstance,
    FuncInvocation, FuncRef, GlobalDescriptor, GlobalInstance, GlobalRef, ImportResolver,
    ImportsBuilder, LINEAR_MEMORY_PAGE_SIZE, MemoryDescriptor, MemoryInstance, MemoryRef,
    ModuleImportResolver, ModuleInstance, ModuleRef, NopExternals, NotStartedModuleRef,
    ResumableError, RuntimeArgs, StackRecycler, TableDescriptor, TableInstance, TableRef,
};
/// Resource limits on untrusted code ([`ModuleInstance::new_with_limiter`]).
pub use wasm_runtime::{DEFAULT_COUNT_LIMIT, GrowthRefused, Limiter, ResourceLimiter, StoreLimits};
/// Fuel and interruption ([`Config::consume_fuel`], [`Config::interruptible`]).
pub use wasm_runtime::{Deadline, InterruptHandle, Interrupted, OutOfFuel};
/// Exception handling: tags, exceptions inside Wasm code, and exceptions that reach or
/// come from the host ([`ModuleInstance::export_tag`], [`ImportResolver::resolve_tag`]).
pub use wasm_runtime::{Exception, ExceptionValue, TagRef, WasmException};
/// Values of any type and the host's references (Wasm 2.0 reference types).
pub use wasm_runtime::{ExternRef, Value};
/// The Wasm call stack of a trap ([`StackRecycler::backtrace`],
/// [`FuncInvocation::backtrace`]).
pub use wasm_runtime::{FrameInfo, MAX_BACKTRACE_FRAMES, MAX_NESTED_EXECUTIONS, WasmBacktrace};
/// The validator's proposal switches, for [`Module::from_buffer_with_features`].
pub use wasm_validate::Features;
