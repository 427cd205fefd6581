//! Typing of each operator (spec 3.3, "Instructions"), on top of the stack discipline
//! of `func.rs`.
//!
//! Two tables, each written once:
//!
//! * [`operator_info`] is generated from `wasmparser`'s single operator list
//!   (`for_each_operator!`): it maps every operator to the proposal that introduced it,
//!   so that feature gating happens in one place ([`FuncValidator::check_proposal`]).
//! * [`FuncValidator::validate_operator`] types the operators Wasmite supports. Numeric
//!   operators are grouped by signature (`[t1] -> [t2]`, `[t t] -> [t']`, loads and
//!   stores by value type and access width); control, variable, call and memory
//!   operators follow the spec's validation appendix.

use crate::prelude::*;

use crate::func::{FrameKind, FuncValidator};
use wasm_core::wasmparser::{self, BlockType, MemArg, MemArgTarget, Operator};
use wasm_core::{MemoryType, RefType, TableType, ValType};

use ValType::{F32, F64, I32, I64};

const FUNCREF: ValType = ValType::FUNCREF;

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
    (@proposal $other:ident) => { Proposal::Other(stringify!($other)) };
}
wasmparser::for_each_operator!(define_operator_info);

/// An operator's name for messages: `i32_add` for `visit_i32_add`.
fn display_name(visit: &'static str) -> &'static str {
    visit.strip_prefix("visit_").unwrap_or(visit)
}

/// The single-type result list of a `[] -> [t]` block (static, so that control frames
/// can borrow it for the module's lifetime).
fn single(ty: ValType) -> &'static [ValType] {
    match ty {
        I32 => &[I32],
        I64 => &[I64],
        F32 => &[F32],
        F64 => &[F64],
        ValType::V128 => &[ValType::V128],
        ValType::Ref(RefType::FuncRef) => &[ValType::FUNCREF],
        ValType::Ref(RefType::ExternRef) => &[ValType::EXTERNREF],
    }
}

impl<'m> FuncValidator<'m> {
    /// Rejects operators of proposals that are not enabled.
    #[inline]
    pub(crate) fn check_proposal(&self, op: &Operator<'_>) -> Result<(), crate::ValidationError> {
        let (proposal, visit) = operator_info(op);
        let f = self.features;
        let enabled = match proposal {
            Proposal::Mvp => true,
            Proposal::SignExtension => f.sign_extension,
            Proposal::SaturatingFloatToInt => f.saturating_float_to_int,
            Proposal::BulkMemory => f.bulk_memory,
            Proposal::ReferenceTypes => f.reference_types,
            Proposal::TailCall => f.tail_call,
            Proposal::Simd => f.simd,
            Proposal::Other(_) => false,
        };
        if enabled {
            Ok(())
        } else {
            Err(self.error(format!(
                "`{}` requires the {} proposal, which is not enabled",
                display_name(visit),
                proposal.name()
            )))
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
            O::MemorySize { mem } => {
                self.memory(*mem)?;
                self.push(I32);
            }
            O::MemoryGrow { mem } => {
                self.memory(*mem)?;
                self.unary(I32, I32)?;
            }
            // Bulk memory: [i32 i32 i32] -> [].
            O::MemoryInit { data_index, mem } => {
                self.memory(*mem)?;
                self.data_segment(*data_index)?;
                self.pop_all(&[I32, I32, I32])?;
            }
            O::DataDrop { data_index } => self.data_segment(*data_index)?,
            O::MemoryCopy { dst_mem, src_mem } => {
                self.memory(*dst_mem)?;
                self.memory(*src_mem)?;
                self.pop_all(&[I32, I32, I32])?;
            }
            O::MemoryFill { mem } => {
                self.memory(*mem)?;
                self.pop_all(&[I32, I32, I32])?;
            }

            // ---- Table instructions (3.3.5 in 2.0): [i32 i32 i32] -> [] ----
            O::TableInit { elem_index, table } => {
                let table_ty = self.table(*table)?;
                let elem_ty = self.elem_segment(*elem_index)?;
                if table_ty.element != elem_ty {
                    return Err(self.error(format!(
                        "type mismatch: element segment {elem_index} does not fit table {table}"
                    )));
                }
                self.pop_all(&[I32, I32, I32])?;
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
                if dst.element != src.element {
                    return Err(self.error(format!(
                        "type mismatch: cannot copy table {src_table} into table {dst_table}"
                    )));
                }
                self.pop_all(&[I32, I32, I32])?;
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
                self.function(*function_index)?;
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
                self.push(FUNCREF);
            }
            O::TableGet { table } => {
                let ty = self.table(*table)?.element;
                self.pop(I32)?;
                self.push(ValType::Ref(ty));
            }
            O::TableSet { table } => {
                let ty = self.table(*table)?.element;
                self.pop(ValType::Ref(ty))?;
                self.pop(I32)?;
            }
            O::TableSize { table } => {
                self.table(*table)?;
                self.push(I32);
            }
            O::TableGrow { table } => {
                let ty = self.table(*table)?.element;
                self.pop(I32)?;
                self.pop(ValType::Ref(ty))?;
                self.push(I32);
            }
            O::TableFill { table } => {
                let ty = self.table(*table)?.element;
                self.pop(I32)?;
                self.pop(ValType::Ref(ty))?;
                self.pop(I32)?;
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
                        "type mismatch: select without a type takes numbers, not references",
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
                self.push(ty);
            }
            O::LocalSet { local_index } => {
                let ty = self.local(*local_index)?;
                self.pop(ty)?;
            }
            O::LocalTee { local_index } => {
                let ty = self.local(*local_index)?;
                self.pop(ty)?;
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
                if frame.kind == FrameKind::If && frame.params != frame.results {
                    return Err(self.error(
                        "type mismatch: `if` without `else` must have the same parameter and result types",
                    ));
                }
                self.push_all(frame.results);
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
                self.pop(I32)?;
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
                self.pop(I32)?;
                self.tail_call(sig)?;
            }

            // Enabled, but needing value types `wasm-core` cannot represent yet.
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
    #[inline]
    fn binary(&mut self, input: ValType, output: ValType) -> Result<(), crate::ValidationError> {
        self.pop(input)?;
        self.pop(input)?;
        self.push(output);
        Ok(())
    }

    /// `[input] -> [output]`.
    #[inline]
    fn unary(&mut self, input: ValType, output: ValType) -> Result<(), crate::ValidationError> {
        self.pop(input)?;
        self.push(output);
        Ok(())
    }

    /// `t.load memarg`: `[i32] -> [t]`.
    #[inline]
    fn load(
        &mut self,
        memarg: &MemArg,
        ty: ValType,
        width_log2: u8,
    ) -> Result<(), crate::ValidationError> {
        self.memarg(memarg, width_log2)?;
        self.pop(I32)?;
        self.push(ty);
        Ok(())
    }

    /// `t.store memarg`: `[i32 t] -> []`.
    #[inline]
    fn store(
        &mut self,
        memarg: &MemArg,
        ty: ValType,
        width_log2: u8,
    ) -> Result<(), crate::ValidationError> {
        self.memarg(memarg, width_log2)?;
        self.pop(ty)?;
        self.pop(I32)?;
        Ok(())
    }

    /// Spec 3.3.4: the memory must exist and the alignment must not exceed the access
    /// width.
    fn memarg(&self, memarg: &MemArg, width_log2: u8) -> Result<(), crate::ValidationError> {
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
            return Err(self.malformed("integer too large: memory offset must fit in 32 bits"));
        }
        Ok(())
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

    /// `call_indirect`'s callee type: the table must hold function references.
    fn indirect_callee(
        &self,
        type_index: u32,
        table_index: u32,
    ) -> Result<&'m wasm_core::Signature, crate::ValidationError> {
        let table = self.table(table_index)?;
        if table.element != RefType::FuncRef {
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
        if sig.result_types() != self.results {
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
            BlockType::Type(ty) => Ok((&[], single(self.value_type(ty)?))),
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
        match ty {
            wasmparser::ValType::I32 => Ok(I32),
            wasmparser::ValType::I64 => Ok(I64),
            wasmparser::ValType::F32 => Ok(F32),
            wasmparser::ValType::F64 => Ok(F64),
            wasmparser::ValType::V128 => {
                Err(self.error("value type v128 (simd proposal) is not supported yet"))
            }
            wasmparser::ValType::Ref(_) if !self.features.reference_types => Err(self.error(
                "reference types require the reference-types proposal, which is not enabled",
            )),
            wasmparser::ValType::Ref(r) if r == wasmparser::RefType::FUNCREF => Ok(FUNCREF),
            wasmparser::ValType::Ref(r) if r == wasmparser::RefType::EXTERNREF => {
                Ok(ValType::EXTERNREF)
            }
            wasmparser::ValType::Ref(r) => Err(self.error(format!(
                "value type {r} (function-references or gc proposal) is not supported yet"
            ))),
        }
    }
}
