//! Which WebAssembly proposals the validator accepts.

/// The set of proposals a module may use. Constructs of a proposal that is off are
/// rejected with a message naming the proposal.
///
/// Some proposals need value types that `wasm-core` cannot represent yet (`v128`,
/// references on the operand stack). Turning those on lifts the module-level
/// restrictions this validator can check (several tables, `externref` tables, element
/// expressions), but their operators that produce or consume such values are still
/// rejected as *not supported yet*.
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
    /// 128-bit SIMD (simd). Not supported by `wasm-core` yet.
    pub simd: bool,
    /// `return_call` and `return_call_indirect` (tail-call).
    pub tail_call: bool,
    /// `i32.add`, `i32.sub`, `i32.mul` and their `i64` forms in constant expressions
    /// (extended-const).
    pub extended_const: bool,
    /// More than one memory (multi-memory).
    pub multi_memory: bool,
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
            tail_call: false,
            extended_const: false,
            multi_memory: false,
        }
    }
}

impl Default for Features {
    /// [`Features::mvp`], for now.
    fn default() -> Features {
        Features::mvp()
    }
}
