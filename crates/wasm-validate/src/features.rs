//! Which WebAssembly proposals the validator accepts, and whether a type's proposal is
//! among them.

use crate::prelude::*;
use wasm_core::{HeapType, RefType, ValType};

/// The set of proposals a module may use. Constructs of a proposal that is off are
/// rejected with a message naming the proposal.
///
/// The default is WebAssembly 2.0 ([`Features::wasm2`]), what today's compilers emit.
/// The validator checks every proposal listed here in full, `simd` and `relaxed_simd`
/// included; whether an engine can also *run* a proposal's code is for the crate that
/// puts the two together (the `wasmite` facade) to decide, not for this one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Features {
    /// Import and export of mutable globals (part of WebAssembly 1.0).
    pub mutable_global: bool,
    /// `i32.extend8_s` and friends (sign-extension-ops).
    pub sign_extension: bool,
    /// `i32.trunc_sat_f32_s` and friends (nontrapping-float-to-int-conversions).
    pub saturating_float_to_int: bool,
    /// Several results, block parameters, block types given by a type index (multi-value).
    pub multi_value: bool,
    /// `memory.copy`, `memory.fill`, `memory.init`, `data.drop`, `table.init`,
    /// `elem.drop`, `table.copy`, passive segments and the data count section
    /// (bulk-memory).
    pub bulk_memory: bool,
    /// Several tables, `externref` tables, typed `select`, declared element segments
    /// (reference-types).
    pub reference_types: bool,
    /// The `v128` value type and its operators: fixed-width 128-bit SIMD (simd, part of
    /// WebAssembly 2.0, but off in [`Features::wasm2`]).
    pub simd: bool,
    /// `i8x16.relaxed_swizzle`, `f32x4.relaxed_madd` and the other operators whose
    /// result may depend on the platform (relaxed-simd, part of WebAssembly 3.0). Needs
    /// `simd` too: without it, relaxed operators are rejected naming simd.
    pub relaxed_simd: bool,
    /// `return_call` and `return_call_indirect` (tail-call).
    pub tail_call: bool,
    /// `i32.add`, `i32.sub`, `i32.mul` and their `i64` forms in constant expressions
    /// (extended-const).
    pub extended_const: bool,
    /// More than one memory (multi-memory).
    pub multi_memory: bool,
    /// `i64.add128`, `i64.sub128`, `i64.mul_wide_s` and `i64.mul_wide_u`
    /// (wide-arithmetic).
    pub wide_arithmetic: bool,
    /// Memories with 64-bit addresses and tables with 64-bit indices (memory64).
    pub memory64: bool,
    /// Memories whose pages are one byte instead of 64 KiB, declared with a custom page
    /// size (custom-page-sizes).
    pub custom_page_sizes: bool,
    /// Tags, `throw`, `throw_ref`, `try_table` and the `exnref` type (exception
    /// handling, as standardised in WebAssembly 3.0; not the legacy `try`/`catch`).
    pub exceptions: bool,
    /// Reference types with a heap type and nullability (`(ref $t)`, `(ref null func)`),
    /// `call_ref`, `return_call_ref`, `ref.as_non_null`, `br_on_null`,
    /// `br_on_non_null`, non-nullable locals and table initialisers (typed function
    /// references, part of WebAssembly 3.0). GC's types are not part of it.
    pub function_references: bool,
}

impl Features {
    /// WebAssembly 1.0, as the `wasm-v1` spec test suite checks it: the MVP plus
    /// import/export of mutable globals.
    pub const fn mvp() -> Features {
        Features {
            mutable_global: true,
            sign_extension: false,
            saturating_float_to_int: false,
            multi_value: false,
            bulk_memory: false,
            reference_types: false,
            simd: false,
            relaxed_simd: false,
            tail_call: false,
            extended_const: false,
            multi_memory: false,
            wide_arithmetic: false,
            memory64: false,
            custom_page_sizes: false,
            exceptions: false,
            function_references: false,
        }
    }
}

impl Features {
    /// WebAssembly 2.0, as the `wasm-v2` spec test suite checks it (and as rustc, clang
    /// and Emscripten emit by default, SIMD when asked for): 1.0 plus sign extension,
    /// saturating float-to-int conversions, multi-value, bulk memory, reference types and
    /// fixed-width SIMD. Relaxed SIMD, a WebAssembly 3.0 feature, is off.
    pub const fn wasm2() -> Features {
        Features {
            sign_extension: true,
            saturating_float_to_int: true,
            multi_value: true,
            bulk_memory: true,
            reference_types: true,
            simd: true,
            ..Features::mvp()
        }
    }

    /// WebAssembly 3.0 as far as Wasmite builds it: 2.0 plus relaxed SIMD, tail calls,
    /// extended constant expressions, several memories, 64-bit memories and tables,
    /// exception handling and typed function references. (GC, the rest of 3.0, is not
    /// built yet.)
    pub const fn wasm3() -> Features {
        Features {
            relaxed_simd: true,
            tail_call: true,
            extended_const: true,
            multi_memory: true,
            memory64: true,
            exceptions: true,
            function_references: true,
            ..Features::wasm2()
        }
    }

    /// Every proposal Wasmite implements: [`Features::wasm3`], wide arithmetic and custom
    /// page sizes. What the `wasmite` command runs programs with.
    pub const fn all() -> Features {
        Features {
            wide_arithmetic: true,
            custom_page_sizes: true,
            ..Features::wasm3()
        }
    }

    /// The binary encodings to decode modules with under these features
    /// ([`wasm_core::decode_with`]): Wasm 2.0's, multi-memory's memory indices,
    /// memory64's 64-bit limits and offsets, exception handling's, and with typed
    /// function references declared subtypes (`sub`), when they are on.
    pub fn decoding(&self) -> wasm_core::wasmparser::WasmFeatures {
        let mut encodings = wasm_core::DECODE_FEATURES;
        encodings.set(
            wasm_core::wasmparser::WasmFeatures::MULTI_MEMORY,
            self.multi_memory,
        );
        encodings.set(wasm_core::wasmparser::WasmFeatures::MEMORY64, self.memory64);
        encodings.set(
            wasm_core::wasmparser::WasmFeatures::EXCEPTIONS,
            self.exceptions,
        );
        // Declared subtypes (`sub`) are the GC proposal's encoding; Wasmite reads them
        // for function types with typed function references (struct and array types
        // stay refused by the decoder).
        encodings.set(
            wasm_core::wasmparser::WasmFeatures::GC,
            self.function_references,
        );
        encodings
    }
}

/// The refusal of `exnref` without the exception-handling proposal.
const EXNREF_NEEDS_EXCEPTIONS: &str =
    "exnref requires the exception-handling proposal, which is not enabled";

/// Whether value type `ty` is valid in `module` under `features` (spec 3.2 "value
/// types"): its proposal is enabled, and a concrete heap type names an existing type.
/// `Err` holds the message.
pub(crate) fn check_val_type(
    module: &wasm_core::Module,
    features: &Features,
    ty: ValType,
) -> Result<(), String> {
    match ty {
        ValType::V128 if !features.simd => {
            Err("value type v128 requires the simd proposal, which is not enabled".to_string())
        }
        ValType::Ref(r) => check_ref_type(module, features, r),
        _ => Ok(()),
    }
}

/// [`check_val_type`] for a reference type.
pub(crate) fn check_ref_type(
    module: &wasm_core::Module,
    features: &Features,
    ty: RefType,
) -> Result<(), String> {
    if !features.reference_types {
        return Err(
            "reference types require the reference-types proposal, which is not enabled"
                .to_string(),
        );
    }
    if ty.is_exn() {
        // Exception handling defines the whole `exn` hierarchy, non-nullable forms
        // included (as wasmparser reads the proposal): it needs no other proposal.
        return if features.exceptions {
            Ok(())
        } else {
            Err(EXNREF_NEEDS_EXCEPTIONS.to_string())
        };
    }
    let typed = !ty.nullable || matches!(ty.heap, HeapType::Concrete(_));
    if typed && !features.function_references {
        return Err(format!(
            "reference type {ty} requires the function-references proposal, which is not enabled"
        ));
    }
    match ty.heap {
        HeapType::Concrete(index) if index as usize >= module.types.len() => {
            Err(format!("unknown type {index}"))
        }
        _ => Ok(()),
    }
}

impl Default for Features {
    /// [`Features::wasm2`].
    fn default() -> Features {
        Features::wasm2()
    }
}
