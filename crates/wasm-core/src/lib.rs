//! `wasm-core`: the vocabulary every Wasmite crate shares, and the binary decoder.
//!
//! * [`decode`] turns bytes into an owned, immutable [`Module`] using `wasmparser`'s
//!   section readers (never its validator). Malformed input gives a [`DecodeError`].
//! * Values ([`RuntimeValue`], [`ValueType`], NaN-preserving [`F32`]/[`F64`]), types
//!   ([`Signature`], [`Limits`], [`MemoryType`], [`TableType`], [`GlobalType`]) and trap
//!   codes ([`TrapCode`], generated from one list holding the spec's messages) live here so
//!   that the validator, the runtime and the engine speak the same language.
//! * [`eval_const`] evaluates constant expressions, for instantiation and for the
//!   engine's translator alike.
//!
//! This crate knows nothing of validation rules or of running code.
#![deny(missing_docs)]
#![no_std]

extern crate alloc;
#[cfg(feature = "std")]
extern crate std;

/// What `std`'s prelude would bring, from `alloc`: Wasmite's `no_std` crates (this one,
/// the validator, the runtime and the engine) import it where they use these names.
#[doc(hidden)]
pub mod prelude {
    pub use alloc::borrow::ToOwned;
    pub use alloc::boxed::Box;
    pub use alloc::string::{String, ToString};
    pub use alloc::vec::Vec;
    pub use alloc::{format, vec};
}

mod canon;
mod const_expr;
mod decode;
mod error;
pub mod limits;
pub mod memory_units;
mod module;
pub mod nan_preserving_float;
mod trap;
mod types;
mod value;

pub use canon::MAX_SUBTYPING_DEPTH;
pub use const_expr::{ConstExprError, ConstRef, const_ref, eval_const, eval_const_v128};
pub use decode::{DECODE_FEATURES, MAX_LOCALS, decode, decode_with, heap_type, val_type};
pub use error::{DecodeError, spec_wording};
pub use module::{
    ConstExpr, CustomSection, DataMode, DataSegment, ElementItems, ElementMode, ElementSegment,
    Export, ExternKind, FuncBody, Import, ImportKind, Module, Names, TypeDecl,
};
pub use nan_preserving_float::{F32, F64};
pub use trap::{HostError, Trap, TrapCode};
pub use types::{
    FuncType, GlobalType, Limits, MemoryType, Signature, TableType, ref_type_matches,
    val_type_matches,
};
pub use value::{
    FromValue, HeapType, LittleEndianConvert, RefType, RuntimeValue, V128, ValType, ValueType,
};

/// The `wasmparser` version Wasmite decodes with, re-exported so that crates which read
/// operator streams (the validator, the engine's translator) depend on `wasm-core` alone.
pub use wasmparser;

/// The heap type `exn` (exception handling), which `wasmparser` names no constant for.
pub const EXN_HEAP_TYPE: wasmparser::HeapType = wasmparser::HeapType::Abstract {
    shared: false,
    ty: wasmparser::AbstractHeapType::Exn,
};

/// A `try_table` catch clause's parts (exception handling): the tag it catches (`None`
/// for `catch_all`), its label, and whether the label also gets the `exnref` (the `_ref`
/// forms).
pub fn catch_clause(catch: &wasmparser::Catch) -> (Option<u32>, u32, bool) {
    match *catch {
        wasmparser::Catch::One { tag, label } => (Some(tag), label, false),
        wasmparser::Catch::OneRef { tag, label } => (Some(tag), label, true),
        wasmparser::Catch::All { label } => (None, label, false),
        wasmparser::Catch::AllRef { label } => (None, label, true),
    }
}

/// Size of a WebAssembly page in bytes.
pub const PAGE_SIZE: u32 = 65536;
/// The most pages a 32-bit linear memory can have (4 GiB).
pub const MAX_PAGES_32: u64 = 65536;
/// The largest table size a 32-bit table may declare (spec: `2^32 - 1`).
pub const MAX_TABLE_SIZE_32: u64 = u32::MAX as u64;
