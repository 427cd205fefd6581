//! The engine's instruction set, declared once.
//!
//! [`for_each_instr!`] holds every instruction with its documentation; the enum
//! [`Instr`], its names (for disassembly), the translation of the simple Wasm operators and
//! the handlers of the numeric and memory instructions are all generated from it.
//!
//! Naming guide: instructions that mirror one Wasm operator keep its `wasmparser` name
//! (`I32Add`, `F64Load`); control instructions are named for what they do on the engine's
//! stack (`BrIfEqz`: branch if the popped value is zero).
//!
//! Encoding invariants (relied on by the dispatch loop):
//! * branch `target`s are instruction indices in the same function;
//! * `drop`/`keep`: a branch keeps the top `keep` values and removes the `drop` values
//!   below them;
//! * `BrTable { len }` is followed by `len + 1` `Br` instructions (the last is the default).

/// Calls `$m!` with the whole instruction list: control instructions (with fields),
/// memory instructions (`load(memory type, value type)`, `store(value type, memory type)`,
/// each with an `offset` field) and numeric instructions (`un`/`bin` with input and output
/// types and their semantics; `un_t`/`bin_t` return `Result<_, TrapCode>`).
macro_rules! for_each_instr {
    ($m:ident) => {
        $m! {
            control {
                /// Trap with "unreachable".
                Unreachable {},
                /// Jump to `target`, keeping the top `keep` values and dropping `drop` below them.
                Br { target: u32, drop: u32, keep: u32 },
                /// Pop an i32; if it is zero, jump to `target` (no stack adjustment).
                BrIfEqz { target: u32 },
                /// Pop an i32; if it is not zero, branch like `Br`.
                BrIfNez { target: u32, drop: u32, keep: u32 },
                /// Pop an i32 index `i`; execute the `min(i, len)`-th of the `len + 1` `Br`s that follow.
                BrTable { len: u32 },
                /// Return from the function: its results are the top values.
                Return {},
                /// Call function `func` of the current instance.
                Call { func: u32 },
                /// Pop a table index and call the function there, checking it has type `ty`.
                CallIndirect { ty: u32, table: u32 },
                /// Remove the top value.
                Drop {},
                /// Pop `c`, `b`, `a`; push `a` if `c` is not zero, else `b`.
                Select {},
                /// Push local `index` (parameters first).
                LocalGet { index: u32 },
                /// Pop into local `index`.
                LocalSet { index: u32 },
                /// Copy the top value into local `index`.
                LocalTee { index: u32 },
                /// Push global `index`.
                GlobalGet { index: u32 },
                /// Pop into global `index`.
                GlobalSet { index: u32 },
                /// Push a constant (the bits of an i32, i64, f32 or f64).
                Const { bits: u64 },
                /// Push the size of memory 0 in pages.
                MemorySize {},
                /// Pop a page count, grow memory 0, push the old size or -1.
                MemoryGrow {},
            }
            memory {
                I32Load = load(i32, i32),
                I64Load = load(i64, i64),
                F32Load = load(f32, f32),
                F64Load = load(f64, f64),
                I32Load8S = load(i8, i32),
                I32Load8U = load(u8, i32),
                I32Load16S = load(i16, i32),
                I32Load16U = load(u16, i32),
                I64Load8S = load(i8, i64),
                I64Load8U = load(u8, i64),
                I64Load16S = load(i16, i64),
                I64Load16U = load(u16, i64),
                I64Load32S = load(i32, i64),
                I64Load32U = load(u32, i64),
                I32Store = store(i32, i32),
                I64Store = store(i64, i64),
                F32Store = store(f32, f32),
                F64Store = store(f64, f64),
                I32Store8 = store(i32, i8),
                I32Store16 = store(i32, i16),
                I64Store8 = store(i64, i8),
                I64Store16 = store(i64, i16),
                I64Store32 = store(i64, i32),
            }
            numeric {
                I32Eqz = un(i32, i32) |a| (a == 0) as i32,
                I32Eq = bin(i32, i32) |a, b| (a == b) as i32,
                I32Ne = bin(i32, i32) |a, b| (a != b) as i32,
                I32LtS = bin(i32, i32) |a, b| (a < b) as i32,
                I32LtU = bin(u32, i32) |a, b| (a < b) as i32,
                I32GtS = bin(i32, i32) |a, b| (a > b) as i32,
                I32GtU = bin(u32, i32) |a, b| (a > b) as i32,
                I32LeS = bin(i32, i32) |a, b| (a <= b) as i32,
                I32LeU = bin(u32, i32) |a, b| (a <= b) as i32,
                I32GeS = bin(i32, i32) |a, b| (a >= b) as i32,
                I32GeU = bin(u32, i32) |a, b| (a >= b) as i32,
                I64Eqz = un(i64, i32) |a| (a == 0) as i32,
                I64Eq = bin(i64, i32) |a, b| (a == b) as i32,
                I64Ne = bin(i64, i32) |a, b| (a != b) as i32,
                I64LtS = bin(i64, i32) |a, b| (a < b) as i32,
                I64LtU = bin(u64, i32) |a, b| (a < b) as i32,
                I64GtS = bin(i64, i32) |a, b| (a > b) as i32,
                I64GtU = bin(u64, i32) |a, b| (a > b) as i32,
                I64LeS = bin(i64, i32) |a, b| (a <= b) as i32,
                I64LeU = bin(u64, i32) |a, b| (a <= b) as i32,
                I64GeS = bin(i64, i32) |a, b| (a >= b) as i32,
                I64GeU = bin(u64, i32) |a, b| (a >= b) as i32,
                F32Eq = bin(f32, i32) |a, b| (a == b) as i32,
                F32Ne = bin(f32, i32) |a, b| (a != b) as i32,
                F32Lt = bin(f32, i32) |a, b| (a < b) as i32,
                F32Gt = bin(f32, i32) |a, b| (a > b) as i32,
                F32Le = bin(f32, i32) |a, b| (a <= b) as i32,
                F32Ge = bin(f32, i32) |a, b| (a >= b) as i32,
                F64Eq = bin(f64, i32) |a, b| (a == b) as i32,
                F64Ne = bin(f64, i32) |a, b| (a != b) as i32,
                F64Lt = bin(f64, i32) |a, b| (a < b) as i32,
                F64Gt = bin(f64, i32) |a, b| (a > b) as i32,
                F64Le = bin(f64, i32) |a, b| (a <= b) as i32,
                F64Ge = bin(f64, i32) |a, b| (a >= b) as i32,
                I32Clz = un(i32, i32) |a| a.leading_zeros() as i32,
                I32Ctz = un(i32, i32) |a| a.trailing_zeros() as i32,
                I32Popcnt = un(i32, i32) |a| a.count_ones() as i32,
                I32Add = bin(i32, i32) |a, b| a.wrapping_add(b),
                I32Sub = bin(i32, i32) |a, b| a.wrapping_sub(b),
                I32Mul = bin(i32, i32) |a, b| a.wrapping_mul(b),
                I32DivS = bin_t(i32, i32) |a, b| ops::div_s32(a, b),
                I32DivU = bin_t(u32, u32) |a, b| a.checked_div(b).ok_or(TrapCode::DivisionByZero),
                I32RemS = bin_t(i32, i32) |a, b| ops::rem_s32(a, b),
                I32RemU = bin_t(u32, u32) |a, b| a.checked_rem(b).ok_or(TrapCode::DivisionByZero),
                I32And = bin(i32, i32) |a, b| a & b,
                I32Or = bin(i32, i32) |a, b| a | b,
                I32Xor = bin(i32, i32) |a, b| a ^ b,
                I32Shl = bin(i32, i32) |a, b| a.wrapping_shl(b as u32),
                I32ShrS = bin(i32, i32) |a, b| a.wrapping_shr(b as u32),
                I32ShrU = bin(u32, u32) |a, b| a.wrapping_shr(b),
                I32Rotl = bin(u32, u32) |a, b| a.rotate_left(b),
                I32Rotr = bin(u32, u32) |a, b| a.rotate_right(b),
                I64Clz = un(i64, i64) |a| i64::from(a.leading_zeros()),
                I64Ctz = un(i64, i64) |a| i64::from(a.trailing_zeros()),
                I64Popcnt = un(i64, i64) |a| i64::from(a.count_ones()),
                I64Add = bin(i64, i64) |a, b| a.wrapping_add(b),
                I64Sub = bin(i64, i64) |a, b| a.wrapping_sub(b),
                I64Mul = bin(i64, i64) |a, b| a.wrapping_mul(b),
                I64DivS = bin_t(i64, i64) |a, b| ops::div_s64(a, b),
                I64DivU = bin_t(u64, u64) |a, b| a.checked_div(b).ok_or(TrapCode::DivisionByZero),
                I64RemS = bin_t(i64, i64) |a, b| ops::rem_s64(a, b),
                I64RemU = bin_t(u64, u64) |a, b| a.checked_rem(b).ok_or(TrapCode::DivisionByZero),
                I64And = bin(i64, i64) |a, b| a & b,
                I64Or = bin(i64, i64) |a, b| a | b,
                I64Xor = bin(i64, i64) |a, b| a ^ b,
                I64Shl = bin(i64, i64) |a, b| a.wrapping_shl(b as u32),
                I64ShrS = bin(i64, i64) |a, b| a.wrapping_shr(b as u32),
                I64ShrU = bin(u64, u64) |a, b| a.wrapping_shr(b as u32),
                I64Rotl = bin(u64, u64) |a, b| a.rotate_left(b as u32),
                I64Rotr = bin(u64, u64) |a, b| a.rotate_right(b as u32),
                F32Abs = un(f32, f32) |a| a.abs(),
                F32Neg = un(f32, f32) |a| -a,
                F32Ceil = un(f32, f32) |a| ops::quiet32(a.ceil()),
                F32Floor = un(f32, f32) |a| ops::quiet32(a.floor()),
                F32Trunc = un(f32, f32) |a| ops::quiet32(a.trunc()),
                F32Nearest = un(f32, f32) |a| ops::quiet32(a.round_ties_even()),
                F32Sqrt = un(f32, f32) |a| a.sqrt(),
                F32Add = bin(f32, f32) |a, b| a + b,
                F32Sub = bin(f32, f32) |a, b| a - b,
                F32Mul = bin(f32, f32) |a, b| a * b,
                F32Div = bin(f32, f32) |a, b| a / b,
                F32Min = bin(f32, f32) |a, b| ops::min32(a, b),
                F32Max = bin(f32, f32) |a, b| ops::max32(a, b),
                F32Copysign = bin(f32, f32) |a, b| a.copysign(b),
                F64Abs = un(f64, f64) |a| a.abs(),
                F64Neg = un(f64, f64) |a| -a,
                F64Ceil = un(f64, f64) |a| ops::quiet64(a.ceil()),
                F64Floor = un(f64, f64) |a| ops::quiet64(a.floor()),
                F64Trunc = un(f64, f64) |a| ops::quiet64(a.trunc()),
                F64Nearest = un(f64, f64) |a| ops::quiet64(a.round_ties_even()),
                F64Sqrt = un(f64, f64) |a| a.sqrt(),
                F64Add = bin(f64, f64) |a, b| a + b,
                F64Sub = bin(f64, f64) |a, b| a - b,
                F64Mul = bin(f64, f64) |a, b| a * b,
                F64Div = bin(f64, f64) |a, b| a / b,
                F64Min = bin(f64, f64) |a, b| ops::min64(a, b),
                F64Max = bin(f64, f64) |a, b| ops::max64(a, b),
                F64Copysign = bin(f64, f64) |a, b| a.copysign(b),
                I32WrapI64 = un(i64, i32) |a| a as i32,
                I32TruncF32S = un_t(f32, i32) |a| ops::trunc(f64::from(a), -2147483649.0, 2147483648.0).map(|t| t as i32),
                I32TruncF32U = un_t(f32, i32) |a| ops::trunc(f64::from(a), -1.0, 4294967296.0).map(|t| t as u32 as i32),
                I32TruncF64S = un_t(f64, i32) |a| ops::trunc(a, -2147483649.0, 2147483648.0).map(|t| t as i32),
                I32TruncF64U = un_t(f64, i32) |a| ops::trunc(a, -1.0, 4294967296.0).map(|t| t as u32 as i32),
                I64ExtendI32S = un(i32, i64) |a| i64::from(a),
                I64ExtendI32U = un(u32, i64) |a| i64::from(a),
                I64TruncF32S = un_t(f32, i64) |a| ops::trunc_i64(f64::from(a)),
                I64TruncF32U = un_t(f32, i64) |a| ops::trunc_u64(f64::from(a)),
                I64TruncF64S = un_t(f64, i64) |a| ops::trunc_i64(a),
                I64TruncF64U = un_t(f64, i64) |a| ops::trunc_u64(a),
                F32ConvertI32S = un(i32, f32) |a| a as f32,
                F32ConvertI32U = un(u32, f32) |a| a as f32,
                F32ConvertI64S = un(i64, f32) |a| a as f32,
                F32ConvertI64U = un(u64, f32) |a| a as f32,
                F32DemoteF64 = un(f64, f32) |a| a as f32,
                F64ConvertI32S = un(i32, f64) |a| f64::from(a),
                F64ConvertI32U = un(u32, f64) |a| f64::from(a),
                F64ConvertI64S = un(i64, f64) |a| a as f64,
                F64ConvertI64U = un(u64, f64) |a| a as f64,
                F64PromoteF32 = un(f32, f64) |a| f64::from(a),
                I32ReinterpretF32 = un(u32, u32) |a| a,
                I64ReinterpretF64 = un(u64, u64) |a| a,
                F32ReinterpretI32 = un(u32, u32) |a| a,
                F64ReinterpretI64 = un(u64, u64) |a| a,
                I32Extend8S = un(i32, i32) |a| i32::from(a as i8),
                I32Extend16S = un(i32, i32) |a| i32::from(a as i16),
                I64Extend8S = un(i64, i64) |a| i64::from(a as i8),
                I64Extend16S = un(i64, i64) |a| i64::from(a as i16),
                I64Extend32S = un(i64, i64) |a| i64::from(a as i32),
                I32TruncSatF32S = un(f32, i32) |a| a as i32,
                I32TruncSatF32U = un(f32, u32) |a| a as u32,
                I32TruncSatF64S = un(f64, i32) |a| a as i32,
                I32TruncSatF64U = un(f64, u32) |a| a as u32,
                I64TruncSatF32S = un(f32, i64) |a| a as i64,
                I64TruncSatF32U = un(f32, u64) |a| a as u64,
                I64TruncSatF64S = un(f64, i64) |a| a as i64,
                I64TruncSatF64U = un(f64, u64) |a| a as u64,
            }
        }
    };
}

macro_rules! define_instr {
    (
        control { $( $(#[doc = $cdoc:literal])* $cname:ident { $($field:ident : $fty:ty),* }, )* }
        memory { $( $mname:ident = $mkind:ident ($mt:ty, $vt:ty), )* }
        numeric { $( $nname:ident = $nkind:ident ($it:ty, $ot:ty) |$($arg:ident),*| $body:expr, )* }
    ) => {
        /// One engine instruction (16 bytes). See the module documentation for invariants.
        #[derive(Copy, Clone, Debug, PartialEq, Eq)]
        pub enum Instr {
            $( $(#[doc = $cdoc])* $cname { $(#[doc = concat!("`", stringify!($field), "` operand.")] $field: $fty),* }, )*
            $(
                #[doc = concat!("Wasm `", stringify!($mname), "` (", stringify!($mkind), " of `", stringify!($mt), "`) at `offset`.")]
                $mname {
                    /// Static offset added to the address operand.
                    offset: u32,
                },
            )*
            $(
                #[doc = concat!("Wasm `", stringify!($nname), "`.")]
                $nname,
            )*
        }

        impl Instr {
            /// The instruction's name, for disassembly.
            pub fn name(&self) -> &'static str {
                match self {
                    $( Instr::$cname { .. } => stringify!($cname), )*
                    $( Instr::$mname { .. } => stringify!($mname), )*
                    $( Instr::$nname => stringify!($nname), )*
                }
            }

            /// The instruction for a Wasm memory or numeric operator, with its effect on
            /// the operand stack height (`pops`, `pushes`); `None` for other operators.
            pub(crate) fn from_simple(op: &Operator<'_>) -> Option<(Instr, u32, u32)> {
                match op {
                    $( Operator::$mname { memarg } => {
                        let offset = u32::try_from(memarg.offset).ok()?;
                        Some((Instr::$mname { offset }, mem_arity!($mkind), mem_pushes!($mkind)))
                    } )*
                    $( Operator::$nname => Some((Instr::$nname, num_arity!($nkind), 1)), )*
                    _ => None,
                }
            }
        }

        /// Executes a memory or numeric instruction on the value stack `vals` whose top is
        /// at `sp` (exclusive). Control instructions are the dispatch loop's business.
        ///
        /// Inlined into the loop in optimised builds; kept out of line in debug builds,
        /// where inlining it would give the loop a frame of tens of KiB (one slot per
        /// temporary of every handler), which host re-entrancy multiplies.
        #[cfg_attr(not(debug_assertions), inline(always))]
        #[cfg_attr(debug_assertions, inline(never))]
        pub(crate) fn exec_simple(
            instr: Instr,
            vals: &mut [u64],
            sp: &mut usize,
            memory: Option<&MemoryRef>,
        ) -> Result<(), TrapCode> {
            match instr {
                $( Instr::$mname { offset } => mem_op!($mkind, $mt, $vt, vals, sp, memory, offset), )*
                $( Instr::$nname => num_op!($nkind, $it, $ot, vals, sp, |$($arg),*| $body), )*
                _ => unreachable_control(instr),
            }
            Ok(())
        }
    };
}

macro_rules! mem_arity {
    (load) => {
        1
    };
    (store) => {
        2
    };
}

macro_rules! mem_pushes {
    (load) => {
        1
    };
    (store) => {
        0
    };
}

macro_rules! num_arity {
    (un) => {
        1
    };
    (un_t) => {
        1
    };
    (bin) => {
        2
    };
    (bin_t) => {
        2
    };
}

macro_rules! mem_op {
    (load, $mt:ty, $vt:ty, $vals:ident, $sp:ident, $memory:ident, $offset:ident) => {{
        let addr = $vals[*$sp - 1] as u32;
        let value: $mt = ops::load::<$mt>($memory, addr, $offset)?;
        $vals[*$sp - 1] = CellValue::into_cell(value as $vt);
    }};
    (store, $vt:ty, $mt:ty, $vals:ident, $sp:ident, $memory:ident, $offset:ident) => {{
        let value = <$vt as CellValue>::from_cell($vals[*$sp - 1]);
        let addr = $vals[*$sp - 2] as u32;
        *$sp -= 2;
        ops::store::<$mt>($memory, addr, $offset, value as $mt)?;
    }};
}

macro_rules! num_op {
    (un, $it:ty, $ot:ty, $vals:ident, $sp:ident, |$a:ident| $body:expr) => {{
        let $a = <$it as CellValue>::from_cell($vals[*$sp - 1]);
        let result: $ot = $body;
        $vals[*$sp - 1] = CellValue::into_cell(result);
    }};
    (un_t, $it:ty, $ot:ty, $vals:ident, $sp:ident, |$a:ident| $body:expr) => {{
        let $a = <$it as CellValue>::from_cell($vals[*$sp - 1]);
        let result: $ot = $body?;
        $vals[*$sp - 1] = CellValue::into_cell(result);
    }};
    (bin, $it:ty, $ot:ty, $vals:ident, $sp:ident, |$a:ident, $b:ident| $body:expr) => {{
        let $b = <$it as CellValue>::from_cell($vals[*$sp - 1]);
        let $a = <$it as CellValue>::from_cell($vals[*$sp - 2]);
        *$sp -= 1;
        let result: $ot = $body;
        $vals[*$sp - 1] = CellValue::into_cell(result);
    }};
    (bin_t, $it:ty, $ot:ty, $vals:ident, $sp:ident, |$a:ident, $b:ident| $body:expr) => {{
        let $b = <$it as CellValue>::from_cell($vals[*$sp - 1]);
        let $a = <$it as CellValue>::from_cell($vals[*$sp - 2]);
        *$sp -= 1;
        let result: $ot = $body?;
        $vals[*$sp - 1] = CellValue::into_cell(result);
    }};
}

use crate::ops::{self, CellValue};
use wasm_core::TrapCode;
use wasm_core::wasmparser::Operator;
use wasm_runtime::MemoryRef;

for_each_instr!(define_instr);

#[cold]
fn unreachable_control(instr: Instr) {
    // The dispatch loop handles every control instruction before calling `exec_simple`.
    debug_assert!(
        false,
        "control instruction {} reached exec_simple",
        instr.name()
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instructions_stay_16_bytes() {
        assert_eq!(core::mem::size_of::<Instr>(), 16);
    }
}
