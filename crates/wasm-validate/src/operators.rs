//! Typing of each operator (spec 3.3, "Instructions"), on top of the stack discipline
//! of `func.rs`.
//!
//! Two tables, each written once:
//!
//! * [`operator_info`] is generated from `wasmparser`'s single operator list
//!   (`for_each_operator!`): it maps every operator to the proposal that introduced it,
//!   so that feature gating happens in one place ([`FuncValidator::check_proposal`]).
//! * [`FuncValidator::validate_operator`] types the operators Wasmite supports. Numeric
//!   and vector operators are grouped by signature (`[t1] -> [t2]`, `[t t] -> [t']`,
//!   loads and stores by value type and access width); control, variable, call and
//!   memory operators follow the spec's validation appendix.

use crate::prelude::*;

use crate::func::{FrameKind, FuncValidator};
use wasm_core::wasmparser::{self, BlockType, MemArg, MemArgTarget, Operator};
use wasm_core::{HeapType, MemoryType, RefType, TableType, ValType};

use ValType::{F32, F64, I32, I64, V128};

/// The proposal an operator belongs to, as far as feature gating distinguishes them.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub(crate) enum Proposal {
    /// WebAssembly 1.0.
    Mvp,
    /// sign-extension-ops.
    SignExtension,
    /// nontrapping-float-to-int-conversions.
    SaturatingFloatToInt,
    /// bulk-memory.
    BulkMemory,
    /// reference-types.
    ReferenceTypes,
    /// tail-call.
    TailCall,
    /// simd.
    Simd,
    /// relaxed-simd.
    RelaxedSimd,
    /// wide-arithmetic.
    WideArithmetic,
    /// exception-handling.
    Exceptions,
    /// function-references.
    FunctionReferences,
    /// Any other proposal, by `wasmparser`'s name for it; never enabled.
    Other(&'static str),
}

impl Proposal {
    /// The proposal's name, as the WebAssembly repositories spell it.
    fn name(self) -> &'static str {
        match self {
            Proposal::Mvp => "mvp",
            Proposal::SignExtension => "sign-extension-ops",
            Proposal::SaturatingFloatToInt => "nontrapping-float-to-int-conversions",
            Proposal::BulkMemory => "bulk-memory",
            Proposal::ReferenceTypes => "reference-types",
            Proposal::TailCall => "tail-call",
            Proposal::Simd => "simd",
            Proposal::RelaxedSimd => "relaxed-simd",
            Proposal::WideArithmetic => "wide-arithmetic",
            Proposal::Exceptions => "exception-handling",
            Proposal::FunctionReferences => "function-references",
            Proposal::Other(name) => name,
        }
    }
}

macro_rules! define_operator_info {
    ($( @$proposal:ident $op:ident $({ $($arg:ident: $argty:ty),* })? => $visit:ident ($($ann:tt)*) )*) => {
        /// The proposal that introduced `op`, and `op`'s name in `wasmparser`'s visitor
        /// (`visit_i32_add`), for messages.
        pub(crate) fn operator_info(op: &Operator<'_>) -> (Proposal, &'static str) {
            match op {
                $( Operator::$op { .. } => (define_operator_info!(@proposal $proposal), stringify!($visit)), )*
                _ => (Proposal::Other("unknown"), "visit_unknown"),
            }
        }
    };
    (@proposal mvp) => { Proposal::Mvp };
    (@proposal sign_extension) => { Proposal::SignExtension };
    (@proposal saturating_float_to_int) => { Proposal::SaturatingFloatToInt };
    (@proposal bulk_memory) => { Proposal::BulkMemory };
    (@proposal reference_types) => { Proposal::ReferenceTypes };
    (@proposal tail_call) => { Proposal::TailCall };
    (@proposal simd) => { Proposal::Simd };
    (@proposal relaxed_simd) => { Proposal::RelaxedSimd };
    (@proposal wide_arithmetic) => { Proposal::WideArithmetic };
    (@proposal exceptions) => { Proposal::Exceptions };
    (@proposal function_references) => { Proposal::FunctionReferences };
    (@proposal $other:ident) => { Proposal::Other(stringify!($other)) };
}
wasmparser::for_each_operator!(define_operator_info);

/// The type of addresses into `memory`: i64 for a 64-bit memory (memory64), else i32.
fn address_type(memory: MemoryType) -> ValType {
    match memory.memory64 {
        true => I64,
        false => I32,
    }
}

/// The type of indices into `table`: i64 for a 64-bit table (memory64), else i32.
fn index_type(table: TableType) -> ValType {
    match table.table64 {
        true => I64,
        false => I32,
    }
}

/// Types as the spec's messages list them: `i32 f64`.
fn type_list<'a>(types: impl Iterator<Item = &'a ValType>) -> String {
    let mut list = String::new();
    for ty in types {
        if !list.is_empty() {
            list.push(' ');
        }
        list.push_str(&format!("{ty}"));
    }
    list
}

/// An operator's name for messages: `i32_add` for `visit_i32_add`.
fn display_name(visit: &'static str) -> &'static str {
    visit.strip_prefix("visit_").unwrap_or(visit)
}

/// The single-type result list of a `[] -> [t]` block (static, or the module's own for
/// a concrete reference type, so that control frames can borrow it for the module's
/// lifetime).
fn single(module: &wasm_core::Module, ty: ValType) -> &[ValType] {
    /// Every reference type with an abstract heap type, nullable and not.
    const ABSTRACT: [ValType; 8] = [
        ValType::FUNCREF,
        ValType::EXTERNREF,
        ValType::EXNREF,
        ValType::Ref(RefType::NULLEXNREF),
        ValType::Ref(RefType::new(false, HeapType::Func)),
        ValType::Ref(RefType::new(false, HeapType::Extern)),
        ValType::Ref(RefType::new(false, HeapType::Exn)),
        ValType::Ref(RefType::new(false, HeapType::NoExn)),
    ];
    match ty {
        I32 => &[I32],
        I64 => &[I64],
        F32 => &[F32],
        F64 => &[F64],
        V128 => &[V128],
        ValType::Ref(_) => match ABSTRACT.iter().position(|&t| t == ty) {
            Some(at) => &ABSTRACT[at..=at],
            None => module.concrete_ref_list(ty).unwrap_or(&[]),
        },
    }
}

impl<'m> FuncValidator<'m> {
    /// Rejects operators of proposals that are not enabled.
    #[inline]
    pub(crate) fn check_proposal(&self, op: &Operator<'_>) -> Result<(), crate::ValidationError> {
        let (proposal, visit) = operator_info(op);
        let f = self.features;
        // The proposal that is missing, if any.
        let missing = match proposal {
            Proposal::Mvp => None,
            Proposal::SignExtension => (!f.sign_extension).then_some(proposal),
            Proposal::SaturatingFloatToInt => (!f.saturating_float_to_int).then_some(proposal),
            Proposal::BulkMemory => (!f.bulk_memory).then_some(proposal),
            Proposal::ReferenceTypes => (!f.reference_types).then_some(proposal),
            Proposal::TailCall => (!f.tail_call).then_some(proposal),
            Proposal::Simd => (!f.simd).then_some(proposal),
            // Relaxed SIMD builds on SIMD: its operators take and produce v128 values.
            Proposal::RelaxedSimd if !f.relaxed_simd => Some(proposal),
            Proposal::RelaxedSimd => (!f.simd).then_some(Proposal::Simd),
            Proposal::WideArithmetic => (!f.wide_arithmetic).then_some(proposal),
            Proposal::Exceptions => (!f.exceptions).then_some(proposal),
            Proposal::FunctionReferences => (!f.function_references).then_some(proposal),
            Proposal::Other(_) => Some(proposal),
        };
        match missing {
            None => Ok(()),
            Some(missing) => Err(self.error(format!(
                "`{}` requires the {} proposal, which is not enabled",
                display_name(visit),
                missing.name()
            ))),
        }
    }

    /// Types one operator (spec 3.3 and the validation appendix).
    #[inline(always)]
    pub(crate) fn validate_operator(
        &mut self,
        op: &Operator<'_>,
    ) -> Result<(), crate::ValidationError> {
        use Operator as O;
        match op {
            // ---- Numeric instructions (3.3.1), grouped by signature ----
            O::I32Const { .. } => self.push(I32),
            O::I64Const { .. } => self.push(I64),
            O::F32Const { .. } => self.push(F32),
            O::F64Const { .. } => self.push(F64),

            // [t t] -> [t]: binary operators.
            O::I32Add
            | O::I32Sub
            | O::I32Mul
            | O::I32DivS
            | O::I32DivU
            | O::I32RemS
            | O::I32RemU
            | O::I32And
            | O::I32Or
            | O::I32Xor
            | O::I32Shl
            | O::I32ShrS
            | O::I32ShrU
            | O::I32Rotl
            | O::I32Rotr => self.binary(I32, I32)?,
            O::I64Add
            | O::I64Sub
            | O::I64Mul
            | O::I64DivS
            | O::I64DivU
            | O::I64RemS
            | O::I64RemU
            | O::I64And
            | O::I64Or
            | O::I64Xor
            | O::I64Shl
            | O::I64ShrS
            | O::I64ShrU
            | O::I64Rotl
            | O::I64Rotr => self.binary(I64, I64)?,
            // Wide arithmetic: 128-bit integers as two i64 halves, low first.
            O::I64Add128 | O::I64Sub128 => {
                self.pop_all(&[I64, I64, I64, I64])?;
                self.push_all(&[I64, I64]);
            }
            O::I64MulWideS | O::I64MulWideU => {
                self.pop_all(&[I64, I64])?;
                self.push_all(&[I64, I64]);
            }
            O::F32Add
            | O::F32Sub
            | O::F32Mul
            | O::F32Div
            | O::F32Min
            | O::F32Max
            | O::F32Copysign => self.binary(F32, F32)?,
            O::F64Add
            | O::F64Sub
            | O::F64Mul
            | O::F64Div
            | O::F64Min
            | O::F64Max
            | O::F64Copysign => self.binary(F64, F64)?,

            // [t t] -> [i32]: comparisons.
            O::I32Eq
            | O::I32Ne
            | O::I32LtS
            | O::I32LtU
            | O::I32GtS
            | O::I32GtU
            | O::I32LeS
            | O::I32LeU
            | O::I32GeS
            | O::I32GeU => self.binary(I32, I32)?,
            O::I64Eq
            | O::I64Ne
            | O::I64LtS
            | O::I64LtU
            | O::I64GtS
            | O::I64GtU
            | O::I64LeS
            | O::I64LeU
            | O::I64GeS
            | O::I64GeU => self.binary(I64, I32)?,
            O::F32Eq | O::F32Ne | O::F32Lt | O::F32Gt | O::F32Le | O::F32Ge => {
                self.binary(F32, I32)?
            }
            O::F64Eq | O::F64Ne | O::F64Lt | O::F64Gt | O::F64Le | O::F64Ge => {
                self.binary(F64, I32)?
            }

            // [t1] -> [t2]: unary operators, tests and conversions, by (t1, t2).
            O::I32Eqz | O::I32Clz | O::I32Ctz | O::I32Popcnt | O::I32Extend8S | O::I32Extend16S => {
                self.unary(I32, I32)?
            }
            O::I64Clz
            | O::I64Ctz
            | O::I64Popcnt
            | O::I64Extend8S
            | O::I64Extend16S
            | O::I64Extend32S => self.unary(I64, I64)?,
            O::F32Abs
            | O::F32Neg
            | O::F32Ceil
            | O::F32Floor
            | O::F32Trunc
            | O::F32Nearest
            | O::F32Sqrt => self.unary(F32, F32)?,
            O::F64Abs
            | O::F64Neg
            | O::F64Ceil
            | O::F64Floor
            | O::F64Trunc
            | O::F64Nearest
            | O::F64Sqrt => self.unary(F64, F64)?,
            O::I64Eqz | O::I32WrapI64 => self.unary(I64, I32)?,
            O::I32TruncF32S
            | O::I32TruncF32U
            | O::I32TruncSatF32S
            | O::I32TruncSatF32U
            | O::I32ReinterpretF32 => self.unary(F32, I32)?,
            O::I32TruncF64S | O::I32TruncF64U | O::I32TruncSatF64S | O::I32TruncSatF64U => {
                self.unary(F64, I32)?
            }
            O::I64ExtendI32S | O::I64ExtendI32U => self.unary(I32, I64)?,
            O::I64TruncF32S | O::I64TruncF32U | O::I64TruncSatF32S | O::I64TruncSatF32U => {
                self.unary(F32, I64)?
            }
            O::I64TruncF64S
            | O::I64TruncF64U
            | O::I64TruncSatF64S
            | O::I64TruncSatF64U
            | O::I64ReinterpretF64 => self.unary(F64, I64)?,
            O::F32ConvertI32S | O::F32ConvertI32U | O::F32ReinterpretI32 => self.unary(I32, F32)?,
            O::F32ConvertI64S | O::F32ConvertI64U => self.unary(I64, F32)?,
            O::F32DemoteF64 => self.unary(F64, F32)?,
            O::F64ConvertI32S | O::F64ConvertI32U => self.unary(I32, F64)?,
            O::F64ConvertI64S | O::F64ConvertI64U | O::F64ReinterpretI64 => self.unary(I64, F64)?,
            O::F64PromoteF32 => self.unary(F32, F64)?,

            // ---- Vector instructions (3.3.3 in 2.0; relaxed-simd), grouped by signature ----
            O::V128Const { .. } => self.push(V128),

            // [t] -> [v128]: splats, by the lane's operand type.
            O::I8x16Splat | O::I16x8Splat | O::I32x4Splat => self.unary(I32, V128)?,
            O::I64x2Splat => self.unary(I64, V128)?,
            O::F32x4Splat => self.unary(F32, V128)?,
            O::F64x2Splat => self.unary(F64, V128)?,

            // [v128] -> [t] and [v128 t] -> [v128]: one lane out or in, by (lane count, t).
            O::I8x16ExtractLaneS { lane } | O::I8x16ExtractLaneU { lane } => {
                self.extract_lane(*lane, 16, I32)?
            }
            O::I16x8ExtractLaneS { lane } | O::I16x8ExtractLaneU { lane } => {
                self.extract_lane(*lane, 8, I32)?
            }
            O::I32x4ExtractLane { lane } => self.extract_lane(*lane, 4, I32)?,
            O::I64x2ExtractLane { lane } => self.extract_lane(*lane, 2, I64)?,
            O::F32x4ExtractLane { lane } => self.extract_lane(*lane, 4, F32)?,
            O::F64x2ExtractLane { lane } => self.extract_lane(*lane, 2, F64)?,
            O::I8x16ReplaceLane { lane } => self.replace_lane(*lane, 16, I32)?,
            O::I16x8ReplaceLane { lane } => self.replace_lane(*lane, 8, I32)?,
            O::I32x4ReplaceLane { lane } => self.replace_lane(*lane, 4, I32)?,
            O::I64x2ReplaceLane { lane } => self.replace_lane(*lane, 2, I64)?,
            O::F32x4ReplaceLane { lane } => self.replace_lane(*lane, 4, F32)?,
            O::F64x2ReplaceLane { lane } => self.replace_lane(*lane, 2, F64)?,

            // [v128 v128] -> [v128]: each result lane picks one of the 32 input bytes.
            O::I8x16Shuffle { lanes } => {
                for &lane in lanes {
                    self.lane_index(lane, 32)?;
                }
                self.binary(V128, V128)?
            }

            // [v128 v128] -> [v128]: lane-wise comparisons (a lane of all ones or zeros).
            O::I8x16Eq
            | O::I8x16Ne
            | O::I8x16LtS
            | O::I8x16LtU
            | O::I8x16GtS
            | O::I8x16GtU
            | O::I8x16LeS
            | O::I8x16LeU
            | O::I8x16GeS
            | O::I8x16GeU
            | O::I16x8Eq
            | O::I16x8Ne
            | O::I16x8LtS
            | O::I16x8LtU
            | O::I16x8GtS
            | O::I16x8GtU
            | O::I16x8LeS
            | O::I16x8LeU
            | O::I16x8GeS
            | O::I16x8GeU
            | O::I32x4Eq
            | O::I32x4Ne
            | O::I32x4LtS
            | O::I32x4LtU
            | O::I32x4GtS
            | O::I32x4GtU
            | O::I32x4LeS
            | O::I32x4LeU
            | O::I32x4GeS
            | O::I32x4GeU
            | O::I64x2Eq
            | O::I64x2Ne
            | O::I64x2LtS
            | O::I64x2GtS
            | O::I64x2LeS
            | O::I64x2GeS
            | O::F32x4Eq
            | O::F32x4Ne
            | O::F32x4Lt
            | O::F32x4Gt
            | O::F32x4Le
            | O::F32x4Ge
            | O::F64x2Eq
            | O::F64x2Ne
            | O::F64x2Lt
            | O::F64x2Gt
            | O::F64x2Le
            | O::F64x2Ge => self.binary(V128, V128)?,

            // [v128 v128] -> [v128]: binary operators.
            O::V128And
            | O::V128AndNot
            | O::V128Or
            | O::V128Xor
            | O::I8x16Swizzle
            | O::I8x16NarrowI16x8S
            | O::I8x16NarrowI16x8U
            | O::I8x16Add
            | O::I8x16AddSatS
            | O::I8x16AddSatU
            | O::I8x16Sub
            | O::I8x16SubSatS
            | O::I8x16SubSatU
            | O::I8x16MinS
            | O::I8x16MinU
            | O::I8x16MaxS
            | O::I8x16MaxU
            | O::I8x16AvgrU
            | O::I16x8NarrowI32x4S
            | O::I16x8NarrowI32x4U
            | O::I16x8Q15MulrSatS
            | O::I16x8Add
            | O::I16x8AddSatS
            | O::I16x8AddSatU
            | O::I16x8Sub
            | O::I16x8SubSatS
            | O::I16x8SubSatU
            | O::I16x8Mul
            | O::I16x8MinS
            | O::I16x8MinU
            | O::I16x8MaxS
            | O::I16x8MaxU
            | O::I16x8AvgrU
            | O::I16x8ExtMulLowI8x16S
            | O::I16x8ExtMulHighI8x16S
            | O::I16x8ExtMulLowI8x16U
            | O::I16x8ExtMulHighI8x16U
            | O::I32x4Add
            | O::I32x4Sub
            | O::I32x4Mul
            | O::I32x4MinS
            | O::I32x4MinU
            | O::I32x4MaxS
            | O::I32x4MaxU
            | O::I32x4DotI16x8S
            | O::I32x4ExtMulLowI16x8S
            | O::I32x4ExtMulHighI16x8S
            | O::I32x4ExtMulLowI16x8U
            | O::I32x4ExtMulHighI16x8U
            | O::I64x2Add
            | O::I64x2Sub
            | O::I64x2Mul
            | O::I64x2ExtMulLowI32x4S
            | O::I64x2ExtMulHighI32x4S
            | O::I64x2ExtMulLowI32x4U
            | O::I64x2ExtMulHighI32x4U
            | O::F32x4Add
            | O::F32x4Sub
            | O::F32x4Mul
            | O::F32x4Div
            | O::F32x4Min
            | O::F32x4Max
            | O::F32x4PMin
            | O::F32x4PMax
            | O::F64x2Add
            | O::F64x2Sub
            | O::F64x2Mul
            | O::F64x2Div
            | O::F64x2Min
            | O::F64x2Max
            | O::F64x2PMin
            | O::F64x2PMax
            | O::I8x16RelaxedSwizzle
            | O::I16x8RelaxedQ15mulrS
            | O::I16x8RelaxedDotI8x16I7x16S
            | O::F32x4RelaxedMin
            | O::F32x4RelaxedMax
            | O::F64x2RelaxedMin
            | O::F64x2RelaxedMax => self.binary(V128, V128)?,

            // [v128 v128 v128] -> [v128]: selects and fused multiply-adds.
            O::V128Bitselect
            | O::I8x16RelaxedLaneselect
            | O::I16x8RelaxedLaneselect
            | O::I32x4RelaxedLaneselect
            | O::I64x2RelaxedLaneselect
            | O::F32x4RelaxedMadd
            | O::F32x4RelaxedNmadd
            | O::F64x2RelaxedMadd
            | O::F64x2RelaxedNmadd
            | O::I32x4RelaxedDotI8x16I7x16AddS => {
                self.pop_all(&[V128, V128, V128])?;
                self.push(V128);
            }

            // [v128 i32] -> [v128]: shifts by a scalar count.
            O::I8x16Shl
            | O::I8x16ShrS
            | O::I8x16ShrU
            | O::I16x8Shl
            | O::I16x8ShrS
            | O::I16x8ShrU
            | O::I32x4Shl
            | O::I32x4ShrS
            | O::I32x4ShrU
            | O::I64x2Shl
            | O::I64x2ShrS
            | O::I64x2ShrU => {
                self.pop(I32)?;
                self.unary(V128, V128)?
            }

            // [v128] -> [v128]: unary operators and conversions.
            O::V128Not
            | O::I8x16Abs
            | O::I8x16Neg
            | O::I8x16Popcnt
            | O::I16x8Abs
            | O::I16x8Neg
            | O::I16x8ExtAddPairwiseI8x16S
            | O::I16x8ExtAddPairwiseI8x16U
            | O::I16x8ExtendLowI8x16S
            | O::I16x8ExtendHighI8x16S
            | O::I16x8ExtendLowI8x16U
            | O::I16x8ExtendHighI8x16U
            | O::I32x4Abs
            | O::I32x4Neg
            | O::I32x4ExtAddPairwiseI16x8S
            | O::I32x4ExtAddPairwiseI16x8U
            | O::I32x4ExtendLowI16x8S
            | O::I32x4ExtendHighI16x8S
            | O::I32x4ExtendLowI16x8U
            | O::I32x4ExtendHighI16x8U
            | O::I64x2Abs
            | O::I64x2Neg
            | O::I64x2ExtendLowI32x4S
            | O::I64x2ExtendHighI32x4S
            | O::I64x2ExtendLowI32x4U
            | O::I64x2ExtendHighI32x4U
            | O::F32x4Ceil
            | O::F32x4Floor
            | O::F32x4Trunc
            | O::F32x4Nearest
            | O::F32x4Abs
            | O::F32x4Neg
            | O::F32x4Sqrt
            | O::F64x2Ceil
            | O::F64x2Floor
            | O::F64x2Trunc
            | O::F64x2Nearest
            | O::F64x2Abs
            | O::F64x2Neg
            | O::F64x2Sqrt
            | O::I32x4TruncSatF32x4S
            | O::I32x4TruncSatF32x4U
            | O::I32x4TruncSatF64x2SZero
            | O::I32x4TruncSatF64x2UZero
            | O::F32x4ConvertI32x4S
            | O::F32x4ConvertI32x4U
            | O::F64x2ConvertLowI32x4S
            | O::F64x2ConvertLowI32x4U
            | O::F32x4DemoteF64x2Zero
            | O::F64x2PromoteLowF32x4
            | O::I32x4RelaxedTruncF32x4S
            | O::I32x4RelaxedTruncF32x4U
            | O::I32x4RelaxedTruncF64x2SZero
            | O::I32x4RelaxedTruncF64x2UZero => self.unary(V128, V128)?,

            // [v128] -> [i32]: tests and bit masks.
            O::V128AnyTrue
            | O::I8x16AllTrue
            | O::I8x16Bitmask
            | O::I16x8AllTrue
            | O::I16x8Bitmask
            | O::I32x4AllTrue
            | O::I32x4Bitmask
            | O::I64x2AllTrue
            | O::I64x2Bitmask => self.unary(V128, I32)?,

            // ---- Memory instructions (3.3.4): (value type, log2 of the access width) ----
            O::I32Load { memarg } => self.load(memarg, I32, 2)?,
            O::I64Load { memarg } => self.load(memarg, I64, 3)?,
            O::F32Load { memarg } => self.load(memarg, F32, 2)?,
            O::F64Load { memarg } => self.load(memarg, F64, 3)?,
            O::I32Load8S { memarg } | O::I32Load8U { memarg } => self.load(memarg, I32, 0)?,
            O::I32Load16S { memarg } | O::I32Load16U { memarg } => self.load(memarg, I32, 1)?,
            O::I64Load8S { memarg } | O::I64Load8U { memarg } => self.load(memarg, I64, 0)?,
            O::I64Load16S { memarg } | O::I64Load16U { memarg } => self.load(memarg, I64, 1)?,
            O::I64Load32S { memarg } | O::I64Load32U { memarg } => self.load(memarg, I64, 2)?,
            O::I32Store { memarg } => self.store(memarg, I32, 2)?,
            O::I64Store { memarg } => self.store(memarg, I64, 3)?,
            O::F32Store { memarg } => self.store(memarg, F32, 2)?,
            O::F64Store { memarg } => self.store(memarg, F64, 3)?,
            O::I32Store8 { memarg } => self.store(memarg, I32, 0)?,
            O::I32Store16 { memarg } => self.store(memarg, I32, 1)?,
            O::I64Store8 { memarg } => self.store(memarg, I64, 0)?,
            O::I64Store16 { memarg } => self.store(memarg, I64, 1)?,
            O::I64Store32 { memarg } => self.store(memarg, I64, 2)?,
            // Vector loads and stores: (log2 of the bytes accessed, not of the vector's).
            O::V128Load { memarg } => self.load(memarg, V128, 4)?,
            O::V128Load8x8S { memarg }
            | O::V128Load8x8U { memarg }
            | O::V128Load16x4S { memarg }
            | O::V128Load16x4U { memarg }
            | O::V128Load32x2S { memarg }
            | O::V128Load32x2U { memarg } => self.load(memarg, V128, 3)?,
            O::V128Load8Splat { memarg } => self.load(memarg, V128, 0)?,
            O::V128Load16Splat { memarg } => self.load(memarg, V128, 1)?,
            O::V128Load32Splat { memarg } | O::V128Load32Zero { memarg } => {
                self.load(memarg, V128, 2)?
            }
            O::V128Load64Splat { memarg } | O::V128Load64Zero { memarg } => {
                self.load(memarg, V128, 3)?
            }
            O::V128Store { memarg } => self.store(memarg, V128, 4)?,
            // One lane from or to memory: (log2 of the lane's bytes, which fixes the count).
            O::V128Load8Lane { memarg, lane } => self.load_lane(memarg, *lane, 0)?,
            O::V128Load16Lane { memarg, lane } => self.load_lane(memarg, *lane, 1)?,
            O::V128Load32Lane { memarg, lane } => self.load_lane(memarg, *lane, 2)?,
            O::V128Load64Lane { memarg, lane } => self.load_lane(memarg, *lane, 3)?,
            O::V128Store8Lane { memarg, lane } => self.store_lane(memarg, *lane, 0)?,
            O::V128Store16Lane { memarg, lane } => self.store_lane(memarg, *lane, 1)?,
            O::V128Store32Lane { memarg, lane } => self.store_lane(memarg, *lane, 2)?,
            O::V128Store64Lane { memarg, lane } => self.store_lane(memarg, *lane, 3)?,
            // Sizes, addresses and lengths are of the memory's address type: i64 for a
            // 64-bit memory (memory64).
            O::MemorySize { mem } => {
                let address = address_type(self.memory(*mem)?);
                self.push(address);
            }
            O::MemoryGrow { mem } => {
                let address = address_type(self.memory(*mem)?);
                self.unary(address, address)?;
            }
            // Bulk memory: [a i32 i32] -> [] (init), [a a a] (copy within one memory, a
            // the address type; between two, the length is i32 unless both are 64-bit),
            // [a i32 a] (fill).
            O::MemoryInit { data_index, mem } => {
                let address = address_type(self.memory(*mem)?);
                self.data_segment(*data_index)?;
                self.pop_all(&[address, I32, I32])?;
            }
            O::DataDrop { data_index } => self.data_segment(*data_index)?,
            O::MemoryCopy { dst_mem, src_mem } => {
                let dst = address_type(self.memory(*dst_mem)?);
                let src = address_type(self.memory(*src_mem)?);
                let len = if dst == I64 && src == I64 { I64 } else { I32 };
                self.pop_all(&[dst, src, len])?;
            }
            O::MemoryFill { mem } => {
                let address = address_type(self.memory(*mem)?);
                self.pop_all(&[address, I32, address])?;
            }

            // ---- Table instructions (3.3.5 in 2.0): [i32 i32 i32] -> [] ----
            O::TableInit { elem_index, table } => {
                let table_ty = self.table(*table)?;
                let elem_ty = self.elem_segment(*elem_index)?;
                if !self
                    .module
                    .matches(ValType::Ref(elem_ty), ValType::Ref(table_ty.element))
                {
                    return Err(self.error(format!(
                        "type mismatch: element segment {elem_index} does not fit table {table}"
                    )));
                }
                self.pop_all(&[index_type(table_ty), I32, I32])?;
            }
            O::ElemDrop { elem_index } => {
                self.elem_segment(*elem_index)?;
            }
            O::TableCopy {
                dst_table,
                src_table,
            } => {
                let dst = self.table(*dst_table)?;
                let src = self.table(*src_table)?;
                if !self
                    .module
                    .matches(ValType::Ref(src.element), ValType::Ref(dst.element))
                {
                    return Err(self.error(format!(
                        "type mismatch: cannot copy table {src_table} into table {dst_table}"
                    )));
                }
                // The length is an i64 only if both tables have 64-bit indices.
                let length = match (dst.table64, src.table64) {
                    (true, true) => I64,
                    _ => I32,
                };
                self.pop_all(&[index_type(dst), index_type(src), length])?;
            }

            // ---- Reference instructions (3.3.2 in 2.0) ----
            O::RefNull { hty } => {
                let ty = self.value_type(wasmparser::ValType::Ref(
                    wasmparser::RefType::new(true, *hty)
                        .ok_or_else(|| self.error("reference type too large"))?,
                ))?;
                self.push(ty);
            }
            O::RefIsNull => {
                match self.pop_any()? {
                    Some(ty) if !ty.is_ref() => {
                        return Err(self.error(format!(
                            "type mismatch: ref.is_null expects a reference, found {ty}"
                        )));
                    }
                    _ => {}
                }
                self.push(I32);
            }
            O::RefFunc { function_index } => {
                let type_index = self.function_type_index(*function_index)?;
                if self
                    .module
                    .declared_funcs
                    .binary_search(function_index)
                    .is_err()
                {
                    return Err(self.error(format!(
                        "undeclared function reference: function {function_index}"
                    )));
                }
                self.push(crate::module::ref_func_type(self.features, type_index));
            }
            O::TableGet { table } => {
                let table = self.table(*table)?;
                self.pop(index_type(table))?;
                self.push(ValType::Ref(table.element));
            }
            O::TableSet { table } => {
                let table = self.table(*table)?;
                self.pop(ValType::Ref(table.element))?;
                self.pop(index_type(table))?;
            }
            O::TableSize { table } => {
                let table = self.table(*table)?;
                self.push(index_type(table));
            }
            O::TableGrow { table } => {
                let table = self.table(*table)?;
                self.pop(index_type(table))?;
                self.pop(ValType::Ref(table.element))?;
                self.push(index_type(table));
            }
            O::TableFill { table } => {
                let table = self.table(*table)?;
                self.pop_all(&[
                    index_type(table),
                    ValType::Ref(table.element),
                    index_type(table),
                ])?;
            }

            // ---- Parametric instructions (3.3.2) ----
            O::Drop => {
                self.pop_any()?;
            }
            O::Select => {
                self.pop(I32)?;
                let first = self.pop_any()?;
                let second = self.pop_any()?;
                if first.is_some_and(|t| t.is_ref()) || second.is_some_and(|t| t.is_ref()) {
                    return Err(self.error(
                        "type mismatch: select without a type takes numbers or vectors, not references",
                    ));
                }
                let result = match (first, second) {
                    (Some(a), Some(b)) if a != b => {
                        return Err(self.error(format!(
                            "type mismatch: select operands have different types ({b} and {a})"
                        )));
                    }
                    (Some(a), _) => Some(a),
                    (None, other) => other,
                };
                self.push_slot(result);
            }
            O::TypedSelect { ty } => {
                let ty = self.value_type(*ty)?;
                self.pop(I32)?;
                self.pop(ty)?;
                self.pop(ty)?;
                self.push(ty);
            }
            O::TypedSelectMulti { .. } => {
                return Err(self.error("invalid result arity: select takes exactly one type"));
            }

            // ---- Variable instructions (3.3.3) ----
            O::LocalGet { local_index } => {
                let ty = self.local(*local_index)?;
                self.check_local_set(*local_index)?;
                self.push(ty);
            }
            O::LocalSet { local_index } => {
                let ty = self.local(*local_index)?;
                self.pop(ty)?;
                self.set_local(*local_index);
            }
            O::LocalTee { local_index } => {
                let ty = self.local(*local_index)?;
                self.pop(ty)?;
                self.set_local(*local_index);
                self.push(ty);
            }
            O::GlobalGet { global_index } => {
                let ty = self.global(*global_index)?.content;
                self.push(ty);
            }
            O::GlobalSet { global_index } => {
                let global = self.global(*global_index)?;
                if !global.mutable {
                    return Err(self.error(format!("global is immutable: global {global_index}")));
                }
                self.pop(global.content)?;
            }

            // ---- Control instructions (3.3.5), after the appendix ----
            O::Nop => {}
            O::Unreachable => self.set_unreachable(),
            O::Block { blockty } => {
                let (params, results) = self.block_type(*blockty)?;
                self.pop_all(params)?;
                self.push_ctrl(FrameKind::Block, params, results);
            }
            O::Loop { blockty } => {
                let (params, results) = self.block_type(*blockty)?;
                self.pop_all(params)?;
                self.push_ctrl(FrameKind::Loop, params, results);
            }
            O::If { blockty } => {
                let (params, results) = self.block_type(*blockty)?;
                self.pop(I32)?;
                self.pop_all(params)?;
                self.push_ctrl(FrameKind::If, params, results);
            }
            O::Else => {
                let frame = self.pop_ctrl()?;
                if frame.kind != FrameKind::If {
                    return Err(self.malformed("`else` found outside an `if` block"));
                }
                self.push_ctrl(FrameKind::Else, frame.params, frame.results);
            }
            O::End => {
                let frame = self.pop_ctrl()?;
                // An `if` without `else` has an implicit empty `else`, which passes the
                // parameters through as results.
                if frame.kind == FrameKind::If
                    && (frame.params.len() != frame.results.len()
                        || !frame
                            .params
                            .iter()
                            .zip(frame.results)
                            .all(|(&p, &r)| self.module.matches(p, r)))
                {
                    return Err(self.error(
                        "type mismatch: `if` without `else` must have the same parameter and result types",
                    ));
                }
                self.push_all(frame.results);
            }
            O::TryTable { try_table } => {
                let (params, results) = self.block_type(try_table.ty)?;
                self.pop_all(params)?;
                for catch in &try_table.catches {
                    self.check_catch(catch)?;
                }
                self.push_ctrl(FrameKind::Block, params, results);
            }
            O::Throw { tag_index } => {
                let sig = self.tag(*tag_index)?;
                self.pop_all(sig.param_types())?;
                self.set_unreachable();
            }
            O::ThrowRef => {
                self.pop(ValType::EXNREF)?;
                self.set_unreachable();
            }
            O::Br { relative_depth } => {
                let types = self.label_types(*relative_depth)?;
                self.pop_all(types)?;
                self.set_unreachable();
            }
            O::BrIf { relative_depth } => {
                self.pop(I32)?;
                let types = self.label_types(*relative_depth)?;
                self.pop_all(types)?;
                self.push_all(types);
            }
            O::BrTable { targets } => {
                self.pop(I32)?;
                let default = self.label_types(targets.default())?;
                for target in targets.targets() {
                    let depth = target.map_err(crate::ValidationError::from)?;
                    let types = self.label_types(depth)?;
                    if types.len() != default.len() {
                        return Err(self.error(format!(
                            "type mismatch: br_table targets carry {} and {} values",
                            types.len(),
                            default.len()
                        )));
                    }
                    self.peek_all(types)?;
                }
                self.pop_all(default)?;
                self.set_unreachable();
            }
            O::Return => {
                self.pop_all(self.results)?;
                self.set_unreachable();
            }
            O::Call { function_index } => {
                let sig = self.function(*function_index)?;
                self.pop_all(sig.param_types())?;
                self.push_all(sig.result_types());
            }
            O::CallIndirect {
                type_index,
                table_index,
            } => {
                let sig = self.indirect_callee(*type_index, *table_index)?;
                self.pop(index_type(self.table(*table_index)?))?;
                self.pop_all(sig.param_types())?;
                self.push_all(sig.result_types());
            }
            O::ReturnCall { function_index } => {
                let sig = self.function(*function_index)?;
                self.tail_call(sig)?;
            }
            O::ReturnCallIndirect {
                type_index,
                table_index,
            } => {
                let sig = self.indirect_callee(*type_index, *table_index)?;
                self.pop(index_type(self.table(*table_index)?))?;
                self.tail_call(sig)?;
            }

            // ---- Typed function references ----
            O::CallRef { type_index } => {
                let sig = self.func_ref_callee(*type_index)?;
                self.pop_all(sig.param_types())?;
                self.push_all(sig.result_types());
            }
            O::ReturnCallRef { type_index } => {
                if !self.features.tail_call {
                    return Err(self.error(
                        "`return_call_ref` requires the tail-call proposal, which is not enabled",
                    ));
                }
                let sig = self.func_ref_callee(*type_index)?;
                self.tail_call(sig)?;
            }
            O::RefAsNonNull => {
                let slot = self.pop_ref("ref.as_non_null")?;
                self.push_slot(slot.map(|r| ValType::Ref(r.as_non_nullable())));
            }
            O::BrOnNull { relative_depth } => {
                let slot = self.pop_ref("br_on_null")?;
                let types = self.label_types(*relative_depth)?;
                self.pop_all(types)?;
                self.push_all(types);
                self.push_slot(slot.map(|r| ValType::Ref(r.as_non_nullable())));
            }
            O::BrOnNonNull { relative_depth } => {
                let types = self.label_types(*relative_depth)?;
                let Some((&ValType::Ref(target), rest)) = types.split_last() else {
                    return Err(self.error(format!(
                        "type mismatch: br_on_non_null to a label of [{}], which does not end in a reference",
                        type_list(types.iter())
                    )));
                };
                self.pop(ValType::Ref(target.as_nullable()))?;
                self.pop_all(rest)?;
                self.push_all(rest);
            }

            // Operators of proposals no feature flag enables: `check_proposal` refuses
            // them before they get here.
            other => {
                let (proposal, visit) = operator_info(other);
                return Err(self.error(format!(
                    "`{}` ({} proposal) is not supported yet",
                    display_name(visit),
                    proposal.name()
                )));
            }
        }
        Ok(())
    }

    /// `[input input] -> [output]`.
    #[inline(always)]
    fn binary(&mut self, input: ValType, output: ValType) -> Result<(), crate::ValidationError> {
        self.pop(input)?;
        self.pop(input)?;
        self.push(output);
        Ok(())
    }

    /// `[input] -> [output]`.
    #[inline(always)]
    fn unary(&mut self, input: ValType, output: ValType) -> Result<(), crate::ValidationError> {
        self.pop(input)?;
        self.push(output);
        Ok(())
    }

    /// `shape.extract_lane lane`: `[v128] -> [t]`, for a vector of `lanes` lanes.
    #[inline]
    fn extract_lane(
        &mut self,
        lane: u8,
        lanes: u8,
        ty: ValType,
    ) -> Result<(), crate::ValidationError> {
        self.lane_index(lane, lanes)?;
        self.unary(V128, ty)
    }

    /// `shape.replace_lane lane`: `[v128 t] -> [v128]`, for a vector of `lanes` lanes.
    #[inline]
    fn replace_lane(
        &mut self,
        lane: u8,
        lanes: u8,
        ty: ValType,
    ) -> Result<(), crate::ValidationError> {
        self.lane_index(lane, lanes)?;
        self.pop(ty)?;
        self.unary(V128, V128)
    }

    /// `v128.loadN_lane memarg lane`: `[i32 v128] -> [v128]`, for lanes of `2^width_log2`
    /// bytes.
    #[inline]
    fn load_lane(
        &mut self,
        memarg: &MemArg,
        lane: u8,
        width_log2: u8,
    ) -> Result<(), crate::ValidationError> {
        // The operands and immediates of the store of that lane, and a vector result.
        self.store_lane(memarg, lane, width_log2)?;
        self.push(V128);
        Ok(())
    }

    /// `v128.storeN_lane memarg lane`: `[i32 v128] -> []`, for lanes of `2^width_log2`
    /// bytes.
    #[inline]
    fn store_lane(
        &mut self,
        memarg: &MemArg,
        lane: u8,
        width_log2: u8,
    ) -> Result<(), crate::ValidationError> {
        let address = self.memarg(memarg, width_log2)?;
        self.lane_index(lane, 16 >> width_log2)?;
        self.pop(V128)?;
        self.pop(address)?;
        Ok(())
    }

    /// A lane immediate must name one of the `lanes` lanes.
    #[inline]
    fn lane_index(&self, lane: u8, lanes: u8) -> Result<(), crate::ValidationError> {
        if lane < lanes {
            Ok(())
        } else {
            Err(self.error(format!(
                "invalid lane index: {lane} (must be below {lanes})"
            )))
        }
    }

    /// `t.load memarg`: `[i32] -> [t]`.
    #[inline(always)]
    fn load(
        &mut self,
        memarg: &MemArg,
        ty: ValType,
        width_log2: u8,
    ) -> Result<(), crate::ValidationError> {
        let address = self.memarg(memarg, width_log2)?;
        self.pop(address)?;
        self.push(ty);
        Ok(())
    }

    /// `t.store memarg`: `[i32 t] -> []`.
    #[inline(always)]
    fn store(
        &mut self,
        memarg: &MemArg,
        ty: ValType,
        width_log2: u8,
    ) -> Result<(), crate::ValidationError> {
        let address = self.memarg(memarg, width_log2)?;
        self.pop(ty)?;
        self.pop(address)?;
        Ok(())
    }

    /// Spec 3.3.4: the memory must exist and the alignment must not exceed the access
    /// width. Returns the memory's address type.
    fn memarg(&self, memarg: &MemArg, width_log2: u8) -> Result<ValType, crate::ValidationError> {
        let index = match memarg.target {
            MemArgTarget::Memory(index) => index,
            MemArgTarget::Array(_) => {
                return Err(self.error("array memory accesses (gc proposal) are not supported"));
            }
        };
        let memory = self.memory(index)?;
        if memarg.align > width_log2 {
            return Err(self.error(format!(
                "alignment must not be larger than natural: 2^{} > {} bytes",
                memarg.align,
                1u32 << width_log2
            )));
        }
        if !memory.memory64 && memarg.offset > u64::from(u32::MAX) {
            // Read with memory64's binary format, a 64-bit offset is well formed and
            // invalid for a 32-bit memory; with 2.0's, it is a malformed integer.
            return Err(match self.features.memory64 {
                true => {
                    self.error("offset out of range: a 32-bit memory's offset must fit in 32 bits")
                }
                false => self.malformed("integer too large: memory offset must fit in 32 bits"),
            });
        }
        Ok(address_type(memory))
    }

    fn memory(&self, index: u32) -> Result<MemoryType, crate::ValidationError> {
        match self.module.memories.get(index as usize) {
            Some(memory) => Ok(*memory),
            None => Err(self.error(format!("unknown memory {index}"))),
        }
    }

    fn table(&self, index: u32) -> Result<TableType, crate::ValidationError> {
        match self.module.tables.get(index as usize) {
            Some(table) => Ok(*table),
            None => Err(self.error(format!("unknown table {index}"))),
        }
    }

    fn local(&self, index: u32) -> Result<ValType, crate::ValidationError> {
        match self.local_type(index) {
            Some(ty) => Ok(ty),
            None => Err(self.error(format!("unknown local {index}"))),
        }
    }

    fn global(&self, index: u32) -> Result<wasm_core::GlobalType, crate::ValidationError> {
        match self.module.globals.get(index as usize) {
            Some(global) => Ok(*global),
            None => Err(self.error(format!("unknown global {index}"))),
        }
    }

    /// `memory.init` and `data.drop` need the data count section (spec 5.5.16: its
    /// absence is a binary-format error) and an existing segment.
    fn data_segment(&self, index: u32) -> Result<(), crate::ValidationError> {
        let Some(count) = self.module.data_count else {
            return Err(self.malformed("data count section required"));
        };
        if index >= count {
            return Err(self.error(format!("unknown data segment {index}")));
        }
        Ok(())
    }

    /// The element type of segment `index`.
    fn elem_segment(&self, index: u32) -> Result<RefType, crate::ValidationError> {
        match self.module.elements.get(index as usize) {
            Some(segment) => Ok(segment.ty),
            None => Err(self.error(format!("unknown elem segment {index}"))),
        }
    }

    fn function(&self, index: u32) -> Result<&'m wasm_core::Signature, crate::ValidationError> {
        crate::func::signature_of(self.module, index).map_err(|message| self.error(message))
    }

    /// The type index of function `index`.
    fn function_type_index(&self, index: u32) -> Result<u32, crate::ValidationError> {
        self.function(index)?;
        Ok(self.module.functions[index as usize])
    }

    /// `call_ref $t`'s callee: pops the `(ref null $t)` and gives `$t`.
    fn func_ref_callee(
        &mut self,
        type_index: u32,
    ) -> Result<&'m wasm_core::Signature, crate::ValidationError> {
        let module = self.module;
        let Some(sig) = module.types.get(type_index as usize) else {
            return Err(self.error(format!("unknown type {type_index}")));
        };
        self.pop(ValType::Ref(RefType::new(
            true,
            HeapType::Concrete(type_index),
        )))?;
        Ok(sig)
    }

    /// Pops a reference of any type (`None` in unreachable code: any reference).
    fn pop_ref(&mut self, op: &str) -> Result<Option<RefType>, crate::ValidationError> {
        match self.pop_any()? {
            None => Ok(None),
            Some(ValType::Ref(r)) => Ok(Some(r)),
            Some(other) => Err(self.error(format!(
                "type mismatch: {op} expects a reference, found {other}"
            ))),
        }
    }

    /// The type of tag `index` (exception handling).
    fn tag(&self, index: u32) -> Result<&'m wasm_core::Signature, crate::ValidationError> {
        self.module
            .tag_signature(index)
            .map(|sig| &**sig)
            .ok_or_else(|| self.error(format!("unknown tag {index}")))
    }

    /// A `try_table` catch clause: its label takes the values it gives (the tag's
    /// parameters, then the `exnref` for the `_ref` forms).
    fn check_catch(&self, catch: &wasmparser::Catch) -> Result<(), crate::ValidationError> {
        let (tag, label, with_ref) = wasm_core::catch_clause(catch);
        let values = match tag {
            Some(tag) => self.tag(tag)?.param_types(),
            None => &[],
        };
        let label_types = self.label_types(label)?;
        // The `_ref` forms give a non-null `(ref exn)`.
        const CAUGHT: ValType = ValType::Ref(RefType::new(false, HeapType::Exn));
        let given = values.iter().chain(with_ref.then_some(&CAUGHT));
        if label_types.len() != values.len() + usize::from(with_ref)
            || !given
                .zip(label_types)
                .all(|(&value, &label)| self.module.matches(value, label))
        {
            return Err(self.error(format!(
                "type mismatch: catch clause gives [{}] to a label of [{}]",
                type_list(values.iter().chain(with_ref.then_some(&CAUGHT))),
                type_list(label_types.iter())
            )));
        }
        Ok(())
    }

    /// `call_indirect`'s callee type: the table must hold function references.
    fn indirect_callee(
        &self,
        type_index: u32,
        table_index: u32,
    ) -> Result<&'m wasm_core::Signature, crate::ValidationError> {
        let table = self.table(table_index)?;
        if !self
            .module
            .matches(ValType::Ref(table.element), ValType::FUNCREF)
        {
            return Err(self.error(format!(
                "type mismatch: call_indirect through table {table_index}, which does not hold funcref"
            )));
        }
        match self.module.types.get(type_index as usize) {
            Some(sig) => Ok(sig),
            None => Err(self.error(format!("unknown type {type_index}"))),
        }
    }

    /// `return_call*`: the callee's results must be the caller's.
    fn tail_call(&mut self, sig: &wasm_core::Signature) -> Result<(), crate::ValidationError> {
        self.pop_all(sig.param_types())?;
        let results = sig.result_types();
        if results.len() != self.results.len()
            || !results
                .iter()
                .zip(self.results)
                .all(|(&r, &expected)| self.module.matches(r, expected))
        {
            return Err(
                self.error("type mismatch: tail call results differ from the function's results")
            );
        }
        self.set_unreachable();
        Ok(())
    }

    /// A block type's parameters and results (spec 3.2.x "block types").
    fn block_type(
        &self,
        blockty: BlockType,
    ) -> Result<(&'m [ValType], &'m [ValType]), crate::ValidationError> {
        match blockty {
            BlockType::Empty => Ok((&[], &[])),
            BlockType::Type(ty) => Ok((&[], single(self.module, self.value_type(ty)?))),
            BlockType::FuncType(index) => {
                if !self.features.multi_value {
                    return Err(self.error(
                        "block types given by a type index require the multi-value proposal, which is not enabled",
                    ));
                }
                match self.module.types.get(index as usize) {
                    Some(sig) => Ok((sig.param_types(), sig.result_types())),
                    None => Err(self.error(format!("unknown type {index}"))),
                }
            }
        }
    }

    /// A `wasmparser` value type, if `wasm-core` can represent it.
    fn value_type(&self, ty: wasmparser::ValType) -> Result<ValType, crate::ValidationError> {
        let Some(converted) = wasm_core::val_type(ty) else {
            return Err(self.error(format!(
                "value type {ty} (gc proposal) is not supported yet"
            )));
        };
        crate::features::check_val_type(self.module, self.features, converted)
            .map_err(|message| self.error(message))?;
        Ok(converted)
    }
}
