//! The engine's register-based instruction set, declared once.
//!
//! [`for_each_instr!`] holds every instruction with its documentation. From it are
//! generated: the enum [`Instr`]; its names and fields for disassembly
//! ([`Instr::name`], `Debug`); the translator's table from Wasm operators to
//! instructions ([`Instr::from_memory_op`], [`Instr::numeric`]); the retargeting helpers
//! the translator's peephole uses (`dst_mut`, `target_mut`); the fused compare-and-branch
//! table ([`Instr::fuse_branch`]); and the handlers of the memory, numeric and branch
//! instructions (the `dispatch!` macro, into which the dispatch loop puts its control
//! handlers).
//!
//! **Operands are frame slots.** A function's frame is an array of 64-bit cells:
//! parameters, then declared locals, then one slot per operand-stack height
//! (temporaries). A field `dst`, `a`, `b`, `src`, `addr`, `value`, `cond`, `index`
//! names a slot of the current frame; `imm` is an immediate (sign-extended for 64-bit
//! operations); `target` is an instruction index in the same function.
//!
//! An i32 (or f32) is kept zero-extended in its cell, so an i32 cell is also the i64
//! of its unsigned value: the translator emits nothing for `i64.extend_i32_u`.
//!
//! **Accumulators.** Every instruction that computes an integer or `f64` value (the
//! numeric instructions and loads) also leaves it in an accumulator: `acc` for
//! integers, `facc` for `f64`; the threaded dispatch keeps both in machine registers.
//! An operand field may name the accumulator instead of a slot ([`ACC`]): the
//! translator does so when the slot was written by the instruction just before (or
//! before a few that leave the accumulators alone: stores, conditional branches), so
//! that a chain of dependent instructions does not pass each value through memory.
//! At most one operand per instruction is [`ACC`], only in the operand positions that
//! allow it (`a`/`b`, a load's address, a store's address or value, a conditional
//! jump's condition), and never of type f32. `CompiledFunc::verify` checks that every
//! [`ACC`] operand is preceded, on every path, by an instruction that set that
//! accumulator: instructions that stop the threaded chain (calls, returns,
//! `memory.size`/`memory.grow`) and jump targets clear them.
//!
//! Naming guide: instructions that mirror one Wasm operator keep its `wasmparser` name
//! (`I32Add`, `F64Load`) and read their operands from slots; the suffix `Imm` marks the
//! form whose right operand is the immediate `imm`. `Br*` instructions are fused
//! compare-and-branch: they jump to `target` when the comparison holds.
//!
//! Encoding invariants (relied on by the dispatch loop):
//! * every slot field is below the function's frame size;
//! * `JumpTable { len }` is followed by `len + 1` `Jump` instructions (the last one is the
//!   default);
//! * `Call`/`CallIndirect { base }`: the arguments are in slots `base..`, the callee's
//!   frame starts at `base` and its results land there; `CallIndirect` finds the table
//!   index in the slot after the arguments.

/// Slot index in the current frame.
pub type Slot = u32;

/// A slot number of at most 16 bits, in the instructions that would not fit 16 bytes
/// with 32-bit slots (`CopyPair`, the indexed loads); the translator makes those only
/// when every slot fits. Such a field is never [`ACC`].
pub type Slot16 = u16;

/// Where a callee's frame starts in the caller's (the first argument's slot): a slot
/// number, but not an operand (with no arguments it may equal the frame size).
pub type Base = u32;

/// In an operand field: the operand is the accumulator of its type (see the module
/// docs), not a slot.
pub const ACC: Slot = u32::MAX;

/// Calls `$m!` with the whole instruction list:
/// * `control`: handled by the dispatch loop (fields as written);
/// * `memory`: `load(memory type, value type)` with fields `dst, addr, offset`, and
///   `store(value type, memory type)` with fields `addr, value, offset`; `scaled Name`
///   adds the load of an array element, fields `dst, index, offset`: the address is the
///   i32 `index << log2(width)` (the translation of `t.load (i32.shl index log2(width))`);
///   `indexed Name` (after `scaled`) the load from `base + index`, fields `dst, base,
///   index` (16-bit slots) and `offset`: the translation of `t.load (i32.add base index)`;
/// * `numeric`: `un`/`bin` with input and output types and their semantics (`un_t`/`bin_t`
///   return `Result<_, TrapCode>`), fields `dst, src` or `dst, a, b`; `imm Name` adds the
///   form with an immediate right operand (`dst, a, imm`);
/// * `branch`: fused compare-and-branch `Br / BrImm = (type) op` for the comparison
///   instructions `Cmp / CmpImm`, with `not` naming the negated comparison;
/// * `float_branch`: fused float compare-and-branch `Br / BrNot = (type) op` for the
///   comparison `Cmp`: `Br` jumps when the comparison holds, `BrNot` when it does not
///   (so also when an operand is NaN);
/// * `counter_branch`: a loop counter's step and test, `I32AddImm` followed by the
///   fused branch `Br / BrImm` on the counter (fields `step, a, b` / `step, a, imm`,
///   `target`): `slot[a] += step` (as i32, also into `acc`), then the branch on
///   `slot[a]`. Made by the accumulator pass (`fuse_counter` in the translator): the branch
///   instruction stays after it, unreachable.
macro_rules! for_each_instr {
    ($m:ident $(, $($extra:tt)*)?) => {
        $m! {
            [$($($extra)*)?]
            control {
                /// Trap with "unreachable".
                Unreachable {},
                /// Continue at `target`.
                Jump { target: u32 },
                /// If the i32 in `cond` is zero, continue at `target`.
                JumpIfZero { cond: Slot, target: u32 },
                /// If the i32 in `cond` is not zero, continue at `target`.
                JumpIfNonZero { cond: Slot, target: u32 },
                /// Skip `min(i, len)` of the `len + 1` `Jump`s that follow, `i` being the
                /// u32 in `index`.
                JumpTable { index: Slot, len: u32 },
                /// Return from a function without results.
                Return {},
                /// Return the value in `src` (copied to slot 0).
                ReturnSlot { src: Slot },
                /// Return the constant `bits`.
                ReturnConst { bits: u64 },
                /// Return the `n` values in slots `src..src + n` (copied to slots `0..n`).
                ReturnMany { src: Slot, n: u32 },
                /// Call function `func` of the current instance.
                Call { func: u32, base: Base },
                /// Call the function at index `slot[base + params]` of table `table`,
                /// checking that its type is the instance's type `ty`.
                CallIndirect { ty: u32, table: u32, base: Base },
                /// `slot[dst] = slot[src]`.
                Copy { dst: Slot, src: Slot },
                /// `slot[dst0] = slot[src0]`, then `slot[dst1] = slot[src1]`: two `Copy`s
                /// in one dispatch (call arguments, values carried round a loop). The
                /// second `Copy` stays after it, skipped (see `fuse_copies` in the
                /// translator), so the pair continues two instructions further.
                CopyPair { dst0: Slot16, src0: Slot16, dst1: Slot16, src1: Slot16 },
                /// `slot[dst] = value` (zero-extended).
                Const32 { dst: Slot, value: u32 },
                /// `slot[dst] = bits`.
                Const64 { dst: Slot, bits: u64 },
                /// `slot[dst] = slot[dst + 1]` when the i32 in `cond` is zero (Wasm `select`
                /// with its operands in `dst` and `dst + 1`).
                Select { dst: Slot, cond: Slot },
                /// `slot[dst] =` global `index`.
                GlobalGet { dst: Slot, index: u32 },
                /// Global `index` `= slot[src]`.
                GlobalSet { src: Slot, index: u32 },
                /// `slot[dst] =` global `index`, an i32 or i64 (also into `acc`).
                GlobalGetInt { dst: Slot, index: u32 },
                /// Global `index`, an i32 or i64, `= slot[src]` (`src` may be `acc`).
                GlobalSetInt { src: Slot, index: u32 },
                /// `slot[dst] = slot[a] * slot[a]` as f64 (also into `facc`): `F64Mul` of
                /// one operand by itself, so that the operand can come from `facc` (the
                /// square of a value just computed, as in `x * x + y * y`) instead of
                /// being read back from the slot it was just stored to.
                F64Square { dst: Slot, a: Slot },
                /// `slot[dst] =` size of memory 0 in pages.
                MemorySize { dst: Slot },
                /// Grow memory 0 by `slot[delta]` pages; `slot[dst] =` the old size or -1.
                MemoryGrow { dst: Slot, delta: Slot },
            }
            memory {
                I32Load = load(i32, i32) scaled I32LoadScaled indexed I32LoadIndexed,
                I64Load = load(i64, i64) scaled I64LoadScaled indexed I64LoadIndexed,
                F32Load = load(f32, f32) scaled F32LoadScaled indexed F32LoadIndexed,
                F64Load = load(f64, f64) scaled F64LoadScaled indexed F64LoadIndexed,
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
            store_imm {
                I32StoreImm = (i32, i32) for I32Store,
                I64StoreImm = (i64, i64) for I64Store,
                I32Store8Imm = (i32, i8) for I32Store8,
                I32Store16Imm = (i32, i16) for I32Store16,
                I64Store8Imm = (i64, i8) for I64Store8,
                I64Store16Imm = (i64, i16) for I64Store16,
                I64Store32Imm = (i64, i32) for I64Store32,
            }
            numeric {
                I32Eqz = un(i32, i32) |a| (a == 0) as i32,
                I32Eq = bin(i32, i32) imm I32EqImm |a, b| (a == b) as i32,
                I32Ne = bin(i32, i32) imm I32NeImm |a, b| (a != b) as i32,
                I32LtS = bin(i32, i32) imm I32LtSImm |a, b| (a < b) as i32,
                I32LtU = bin(u32, i32) imm I32LtUImm |a, b| (a < b) as i32,
                I32GtS = bin(i32, i32) imm I32GtSImm |a, b| (a > b) as i32,
                I32GtU = bin(u32, i32) imm I32GtUImm |a, b| (a > b) as i32,
                I32LeS = bin(i32, i32) imm I32LeSImm |a, b| (a <= b) as i32,
                I32LeU = bin(u32, i32) imm I32LeUImm |a, b| (a <= b) as i32,
                I32GeS = bin(i32, i32) imm I32GeSImm |a, b| (a >= b) as i32,
                I32GeU = bin(u32, i32) imm I32GeUImm |a, b| (a >= b) as i32,
                I64Eqz = un(i64, i32) |a| (a == 0) as i32,
                I64Eq = bin(i64, i32) imm I64EqImm |a, b| (a == b) as i32,
                I64Ne = bin(i64, i32) imm I64NeImm |a, b| (a != b) as i32,
                I64LtS = bin(i64, i32) imm I64LtSImm |a, b| (a < b) as i32,
                I64LtU = bin(u64, i32) imm I64LtUImm |a, b| (a < b) as i32,
                I64GtS = bin(i64, i32) imm I64GtSImm |a, b| (a > b) as i32,
                I64GtU = bin(u64, i32) imm I64GtUImm |a, b| (a > b) as i32,
                I64LeS = bin(i64, i32) imm I64LeSImm |a, b| (a <= b) as i32,
                I64LeU = bin(u64, i32) imm I64LeUImm |a, b| (a <= b) as i32,
                I64GeS = bin(i64, i32) imm I64GeSImm |a, b| (a >= b) as i32,
                I64GeU = bin(u64, i32) imm I64GeUImm |a, b| (a >= b) as i32,
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
                I32Add = bin(i32, i32) imm I32AddImm |a, b| a.wrapping_add(b),
                I32Sub = bin(i32, i32) imm I32SubImm |a, b| a.wrapping_sub(b),
                I32Mul = bin(i32, i32) imm I32MulImm |a, b| a.wrapping_mul(b),
                I32DivS = bin_t(i32, i32) imm I32DivSImm |a, b| ops::div_s32(a, b),
                I32DivU = bin_t(u32, u32) imm I32DivUImm |a, b| a.checked_div(b).ok_or(TrapCode::DivisionByZero),
                I32RemS = bin_t(i32, i32) imm I32RemSImm |a, b| ops::rem_s32(a, b),
                I32RemU = bin_t(u32, u32) imm I32RemUImm |a, b| a.checked_rem(b).ok_or(TrapCode::DivisionByZero),
                I32And = bin(i32, i32) imm I32AndImm |a, b| a & b,
                I32Or = bin(i32, i32) imm I32OrImm |a, b| a | b,
                I32Xor = bin(i32, i32) imm I32XorImm |a, b| a ^ b,
                I32Shl = bin(i32, i32) imm I32ShlImm |a, b| a.wrapping_shl(b as u32),
                I32ShrS = bin(i32, i32) imm I32ShrSImm |a, b| a.wrapping_shr(b as u32),
                I32ShrU = bin(u32, u32) imm I32ShrUImm |a, b| a.wrapping_shr(b),
                I32Rotl = bin(u32, u32) imm I32RotlImm |a, b| a.rotate_left(b),
                I32Rotr = bin(u32, u32) imm I32RotrImm |a, b| a.rotate_right(b),
                I64Clz = un(i64, i64) |a| i64::from(a.leading_zeros()),
                I64Ctz = un(i64, i64) |a| i64::from(a.trailing_zeros()),
                I64Popcnt = un(i64, i64) |a| i64::from(a.count_ones()),
                I64Add = bin(i64, i64) imm I64AddImm |a, b| a.wrapping_add(b),
                I64Sub = bin(i64, i64) imm I64SubImm |a, b| a.wrapping_sub(b),
                I64Mul = bin(i64, i64) imm I64MulImm |a, b| a.wrapping_mul(b),
                I64DivS = bin_t(i64, i64) imm I64DivSImm |a, b| ops::div_s64(a, b),
                I64DivU = bin_t(u64, u64) imm I64DivUImm |a, b| a.checked_div(b).ok_or(TrapCode::DivisionByZero),
                I64RemS = bin_t(i64, i64) imm I64RemSImm |a, b| ops::rem_s64(a, b),
                I64RemU = bin_t(u64, u64) imm I64RemUImm |a, b| a.checked_rem(b).ok_or(TrapCode::DivisionByZero),
                I64And = bin(i64, i64) imm I64AndImm |a, b| a & b,
                I64Or = bin(i64, i64) imm I64OrImm |a, b| a | b,
                I64Xor = bin(i64, i64) imm I64XorImm |a, b| a ^ b,
                I64Shl = bin(i64, i64) imm I64ShlImm |a, b| a.wrapping_shl(b as u32),
                I64ShrS = bin(i64, i64) imm I64ShrSImm |a, b| a.wrapping_shr(b as u32),
                I64ShrU = bin(u64, u64) imm I64ShrUImm |a, b| a.wrapping_shr(b as u32),
                I64Rotl = bin(u64, u64) imm I64RotlImm |a, b| a.rotate_left(b as u32),
                I64Rotr = bin(u64, u64) imm I64RotrImm |a, b| a.rotate_right(b as u32),
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
            branch {
                BrI32Eq / BrI32EqImm = (i32) == for I32Eq / I32EqImm not I32Ne / I32NeImm,
                BrI32Ne / BrI32NeImm = (i32) != for I32Ne / I32NeImm not I32Eq / I32EqImm,
                BrI32LtS / BrI32LtSImm = (i32) < for I32LtS / I32LtSImm not I32GeS / I32GeSImm,
                BrI32LtU / BrI32LtUImm = (u32) < for I32LtU / I32LtUImm not I32GeU / I32GeUImm,
                BrI32GtS / BrI32GtSImm = (i32) > for I32GtS / I32GtSImm not I32LeS / I32LeSImm,
                BrI32GtU / BrI32GtUImm = (u32) > for I32GtU / I32GtUImm not I32LeU / I32LeUImm,
                BrI32LeS / BrI32LeSImm = (i32) <= for I32LeS / I32LeSImm not I32GtS / I32GtSImm,
                BrI32LeU / BrI32LeUImm = (u32) <= for I32LeU / I32LeUImm not I32GtU / I32GtUImm,
                BrI32GeS / BrI32GeSImm = (i32) >= for I32GeS / I32GeSImm not I32LtS / I32LtSImm,
                BrI32GeU / BrI32GeUImm = (u32) >= for I32GeU / I32GeUImm not I32LtU / I32LtUImm,
                BrI64Eq / BrI64EqImm = (i64) == for I64Eq / I64EqImm not I64Ne / I64NeImm,
                BrI64Ne / BrI64NeImm = (i64) != for I64Ne / I64NeImm not I64Eq / I64EqImm,
                BrI64LtS / BrI64LtSImm = (i64) < for I64LtS / I64LtSImm not I64GeS / I64GeSImm,
                BrI64LtU / BrI64LtUImm = (u64) < for I64LtU / I64LtUImm not I64GeU / I64GeUImm,
                BrI64GtS / BrI64GtSImm = (i64) > for I64GtS / I64GtSImm not I64LeS / I64LeSImm,
                BrI64GtU / BrI64GtUImm = (u64) > for I64GtU / I64GtUImm not I64LeU / I64LeUImm,
                BrI64LeS / BrI64LeSImm = (i64) <= for I64LeS / I64LeSImm not I64GtS / I64GtSImm,
                BrI64LeU / BrI64LeUImm = (u64) <= for I64LeU / I64LeUImm not I64GtU / I64GtUImm,
                BrI64GeS / BrI64GeSImm = (i64) >= for I64GeS / I64GeSImm not I64LtS / I64LtSImm,
                BrI64GeU / BrI64GeUImm = (u64) >= for I64GeU / I64GeUImm not I64LtU / I64LtUImm,
            }
            float_branch {
                BrF32Eq / BrF32NotEq = (f32) == for F32Eq,
                BrF32Ne / BrF32NotNe = (f32) != for F32Ne,
                BrF32Lt / BrF32NotLt = (f32) < for F32Lt,
                BrF32Gt / BrF32NotGt = (f32) > for F32Gt,
                BrF32Le / BrF32NotLe = (f32) <= for F32Le,
                BrF32Ge / BrF32NotGe = (f32) >= for F32Ge,
                BrF64Eq / BrF64NotEq = (f64) == for F64Eq,
                BrF64Ne / BrF64NotNe = (f64) != for F64Ne,
                BrF64Lt / BrF64NotLt = (f64) < for F64Lt,
                BrF64Gt / BrF64NotGt = (f64) > for F64Gt,
                BrF64Le / BrF64NotLe = (f64) <= for F64Le,
                BrF64Ge / BrF64NotGe = (f64) >= for F64Ge,
            }
            counter_branch {
                I32AddImmBrLtU / I32AddImmBrLtUImm = (u32) < for BrI32LtU / BrI32LtUImm,
                I32AddImmBrLtS / I32AddImmBrLtSImm = (i32) < for BrI32LtS / BrI32LtSImm,
                I32AddImmBrNe / I32AddImmBrNeImm = (i32) != for BrI32Ne / BrI32NeImm,
            }
        }
    };
}

/// How the translator lowers a Wasm numeric operator. The makers append the
/// instruction to the code (built in place: returned by value from a function pointer,
/// it would be written in parts and read whole, which stalls the processor).
#[derive(Clone, Copy)]
pub(crate) enum Numeric {
    /// One operand.
    Unary(fn(&mut Vec<Instr>, Slot, Slot)),
    /// Two operands; `imm` builds the form with an immediate right operand, if any;
    /// `wide`: the operands are 64-bit (an immediate is sign-extended).
    Binary {
        make: fn(&mut Vec<Instr>, Slot, Slot, Slot),
        imm: Option<MakeImm>,
        wide: bool,
    },
}

/// Appends an instruction with a destination, an operand slot and an immediate.
pub(crate) type MakeImm = fn(&mut Vec<Instr>, Slot, Slot, i32);

/// Appends a memory instruction (two slots and an offset).
pub(crate) type MakeMemory = fn(&mut Vec<Instr>, Slot, Slot, u32);

/// Appends an indexed load (destination, base and index slots, offset).
pub(crate) type MakeIndexed = fn(&mut Vec<Instr>, Slot16, Slot16, Slot16, u32);

/// Appends the store of a constant (address slot, value, offset).
pub(crate) type MakeStoreImm = fn(&mut Vec<Instr>, Slot, i32, u32);

/// What an instruction does to the accumulators, for the translator's tracking of
/// which slot each one mirrors and for `CompiledFunc::verify`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum AccEffect {
    /// Writes slot `.1` and sets accumulator `.0` to the same value.
    Produces(AccClass, Slot),
    /// Writes the slot and leaves the accumulators alone.
    Writes(Slot),
    /// Writes both slots and leaves the accumulators alone.
    WritesTwo(Slot, Slot),
    /// Writes no slot and leaves the accumulators alone.
    Preserves,
    /// The accumulators are unknown afterwards (calls, returns, instructions that stop
    /// the threaded chain).
    Clobbers,
}

impl AccEffect {
    fn result<T: AccValue>(dst: Slot) -> AccEffect {
        match T::CLASS {
            Some(class) => AccEffect::Produces(class, dst),
            None => AccEffect::Writes(dst),
        }
    }
}

macro_rules! define_instr {
    (
        [$($extra:tt)*]
        control { $( $(#[doc = $cdoc:literal])* $cname:ident { $($field:ident : $fty:ident),* }, )* }
        memory { $( $mname:ident = $mkind:ident ($mt:ty, $vt:ty) $(scaled $xname:ident indexed $yname:ident)?, )* }
        store_imm { $( $sname:ident = ($svt:ty, $smt:ty) for $sbase:ident, )* }
        numeric { $(
            $nname:ident = $nkind:ident ($it:ty, $ot:ty) $(imm $iname:ident)? |$($arg:ident),*| $body:expr,
        )* }
        branch { $(
            $bname:ident / $biname:ident = ($bt:ty) $op:tt for $cmp:ident / $cmpi:ident not $not:ident / $noti:ident,
        )* }
        float_branch { $(
            $fbname:ident / $fbnot:ident = ($fbt:ty) $fop:tt for $fcmp:ident,
        )* }
        counter_branch { $(
            $cbname:ident / $cbiname:ident = ($cbt:ty) $cbop:tt for $cbbr:ident / $cbbri:ident,
        )* }
    ) => {
        /// One engine instruction (16 bytes). See the module documentation for the
        /// meaning of the fields and the invariants.
        ///
        /// `repr(u16)`: the discriminant is a `u16` at offset 0, which the threaded
        /// dispatch reads to pick each instruction's handler from its table
        /// (declaration order).
        #[derive(Copy, Clone, Debug, PartialEq, Eq)]
        #[repr(u16)]
        pub enum Instr {
            $( $(#[doc = $cdoc])* $cname { $(#[doc = concat!("`", stringify!($field), "` operand.")] $field: $fty),* }, )*
            $(
                #[doc = concat!("Wasm `", stringify!($mname), "` (", stringify!($mkind), " of `", stringify!($mt), "`).")]
                $mname {
                    #[doc = "Destination slot (loads) or address slot (stores)."]
                    r0: Slot,
                    #[doc = "Address slot (loads) or value slot (stores)."]
                    r1: Slot,
                    #[doc = "Static offset added to the address."]
                    offset: u32,
                },
            )*
            $($(
                #[doc = concat!("Wasm `", stringify!($mname), "` of the array element `index`: the address is the i32 `index` times the access width.")]
                $xname {
                    #[doc = "Destination slot."]
                    dst: Slot,
                    #[doc = "Element index slot."]
                    index: Slot,
                    #[doc = "Static offset added to the address."]
                    offset: u32,
                },
                #[doc = concat!("Wasm `", stringify!($mname), "` at the address `base + index` (an i32 sum, wrapping): the translation of `t.load (i32.add base index)`.")]
                $yname {
                    #[doc = "Destination slot."]
                    dst: Slot16,
                    #[doc = "Base address slot."]
                    base: Slot16,
                    #[doc = "Index slot (added to the base)."]
                    index: Slot16,
                    #[doc = "Static offset added to the address."]
                    offset: u32,
                },
            )?)*
            $(
                #[doc = concat!("Wasm `", stringify!($sbase), "` of a constant value.")]
                $sname {
                    #[doc = "Address slot."]
                    addr: Slot,
                    #[doc = "The value (sign-extended to 64 bits; stores keep the low bits)."]
                    imm: i32,
                    #[doc = "Static offset added to the address."]
                    offset: u32,
                },
            )*
            $(
                #[doc = concat!("Wasm `", stringify!($nname), "`.")]
                $nname { #[doc = "Destination slot."] dst: Slot, $(#[doc = "Operand slot."] $arg: Slot),* },
                $(
                    #[doc = concat!("Wasm `", stringify!($nname), "` with an immediate right operand.")]
                    $iname {
                        #[doc = "Destination slot."] dst: Slot,
                        #[doc = "Left operand slot."] a: Slot,
                        #[doc = "Right operand."] imm: i32,
                    },
                )?
            )*
            $(
                #[doc = concat!("Jump to `target` if `slot[a] ", stringify!($op), " slot[b]` (as `", stringify!($bt), "`).")]
                $bname { #[doc = "Left operand slot."] a: Slot, #[doc = "Right operand slot."] b: Slot, #[doc = "Branch target."] target: u32 },
                #[doc = concat!("Jump to `target` if `slot[a] ", stringify!($op), " imm` (as `", stringify!($bt), "`).")]
                $biname { #[doc = "Left operand slot."] a: Slot, #[doc = "Right operand."] imm: i32, #[doc = "Branch target."] target: u32 },
            )*
            $(
                #[doc = concat!("Jump to `target` if `slot[a] ", stringify!($fop), " slot[b]` (as `", stringify!($fbt), "`; false if either is NaN except for `!=`).")]
                $fbname { #[doc = "Left operand slot."] a: Slot, #[doc = "Right operand slot."] b: Slot, #[doc = "Branch target."] target: u32 },
                #[doc = concat!("Jump to `target` unless `slot[a] ", stringify!($fop), " slot[b]` (as `", stringify!($fbt), "`), so also if either is NaN (except for `!=`).")]
                $fbnot { #[doc = "Left operand slot."] a: Slot, #[doc = "Right operand slot."] b: Slot, #[doc = "Branch target."] target: u32 },
            )*
            $(
                #[doc = concat!("`slot[a] += step`, then jump to `target` if `slot[a] ", stringify!($cbop), " slot[b]` (as `", stringify!($cbt), "`); else skip the next instruction.")]
                $cbname { #[doc = "Counter increment."] step: i16, #[doc = "Counter slot."] a: Slot, #[doc = "Bound slot."] b: Slot, #[doc = "Branch target."] target: u32 },
                #[doc = concat!("`slot[a] += step`, then jump to `target` if `slot[a] ", stringify!($cbop), " imm` (as `", stringify!($cbt), "`); else skip the next instruction.")]
                $cbiname { #[doc = "Counter increment."] step: i16, #[doc = "Counter slot."] a: Slot, #[doc = "Bound."] imm: i32, #[doc = "Branch target."] target: u32 },
            )*
        }

        /// The semantics of the numeric instructions, one function per instruction.
        #[allow(non_snake_case)]
        pub(crate) mod semantics {
            use super::*;
            $(
                #[inline(always)]
                pub(crate) fn $nname($($arg: $it),*) -> num_ret!($nkind, $ot) {
                    $body
                }
            )*
        }

        impl Instr {
            /// The instruction's name, for disassembly.
            pub fn name(&self) -> &'static str {
                match self {
                    $( Instr::$cname { .. } => stringify!($cname), )*
                    $( Instr::$mname { .. } => stringify!($mname), )*
                    $($(
                        Instr::$xname { .. } => stringify!($xname),
                        Instr::$yname { .. } => stringify!($yname),
                    )?)*
                    $( Instr::$sname { .. } => stringify!($sname), )*
                    $(
                        Instr::$nname { .. } => stringify!($nname),
                        $( Instr::$iname { .. } => stringify!($iname), )?
                    )*
                    $(
                        Instr::$bname { .. } => stringify!($bname),
                        Instr::$biname { .. } => stringify!($biname),
                    )*
                    $(
                        Instr::$fbname { .. } => stringify!($fbname),
                        Instr::$fbnot { .. } => stringify!($fbnot),
                    )*
                    $(
                        Instr::$cbname { .. } => stringify!($cbname),
                        Instr::$cbiname { .. } => stringify!($cbiname),
                    )*
                }
            }

            /// The instruction for a Wasm load (`true`) or store (`false`) with the
            /// given offset, slots to be filled in by `make` (which appends it).
            pub(crate) fn from_memory_op(op: &Operator<'_>) -> Option<(bool, MakeMemory, u64)> {
                match op {
                    $( Operator::$mname { memarg } => Some((
                        mem_is_load!($mkind),
                        |out, r0, r1, offset| out.push(Instr::$mname { r0, r1, offset }),
                        memarg.offset,
                    )), )*
                    _ => None,
                }
            }

            /// The scaled form of a Wasm load, and its scale (log2 of the access width):
            /// `make(out, dst, index, offset)` appends it.
            pub(crate) fn scaled_load(op: &Operator<'_>) -> Option<(MakeMemory, u32)> {
                match op {
                    $($( Operator::$mname { .. } => Some((
                        |out, dst, index, offset| out.push(Instr::$xname { dst, index, offset }),
                        core::mem::size_of::<$mt>().trailing_zeros(),
                    )), )?)*
                    _ => None,
                }
            }

            /// The indexed form of a Wasm load: `make(out, dst, base, index, offset)`
            /// appends it.
            pub(crate) fn indexed_load(op: &Operator<'_>) -> Option<MakeIndexed> {
                match op {
                    $($( Operator::$mname { .. } => Some(
                        |out, dst, base, index, offset| out.push(Instr::$yname { dst, base, index, offset }),
                    ), )?)*
                    _ => None,
                }
            }

            /// Makes the instruction write `to` instead of `from`, if it writes exactly
            /// one slot, `from`, after reading its operands (see [`dst_mut`](Self::dst_mut)),
            /// and `to` fits its field.
            pub(crate) fn retarget(&mut self, from: Slot, to: Slot) -> bool {
                match self {
                    $($(
                        Instr::$yname { dst, .. } => match Slot16::try_from(to) {
                            Ok(to) if Slot::from(*dst) == from => {
                                *dst = to;
                                true
                            }
                            _ => false,
                        },
                    )?)*
                    _ => match self.dst_mut() {
                        Some(dst) if *dst == from => {
                            *dst = to;
                            true
                        }
                        _ => false,
                    },
                }
            }

            /// The store of a constant for a Wasm store operator, and whether the
            /// constant must fit in a sign-extended 32-bit immediate (64-bit stores;
            /// narrower stores keep only the immediate's low bits).
            pub(crate) fn store_imm(op: &Operator<'_>) -> Option<(MakeStoreImm, bool)> {
                match op {
                    $( Operator::$sbase { .. } => Some((
                        |out, addr, imm, offset| out.push(Instr::$sname { addr, imm, offset }),
                        core::mem::size_of::<$smt>() == 8,
                    )), )*
                    _ => None,
                }
            }

            /// How to lower a Wasm numeric operator; `None` for other operators.
            pub(crate) fn numeric(op: &Operator<'_>) -> Option<Numeric> {
                match op {
                    $( Operator::$nname => Some(numeric_kind!($nkind, $nname, $it, [$($arg),*] $(, $iname)?)), )*
                    _ => None,
                }
            }

            /// The destination slot of an instruction that writes exactly one slot
            /// and reads its operands before writing it.
            pub(crate) fn dst_mut(&mut self) -> Option<&mut Slot> {
                match self {
                    Instr::Copy { dst, .. }
                    | Instr::Const32 { dst, .. }
                    | Instr::Const64 { dst, .. }
                    | Instr::GlobalGet { dst, .. }
                    | Instr::MemorySize { dst } => Some(dst),
                    $( Instr::$mname { r0, .. } if mem_is_load!($mkind) => Some(r0), )*
                    $($( Instr::$xname { dst, .. } => Some(dst), )?)*
                    $(
                        Instr::$nname { dst, .. } => Some(dst),
                        $( Instr::$iname { dst, .. } => Some(dst), )?
                    )*
                    _ => None,
                }
            }

            /// Calls `f` with every slot operand of the instruction. Together with
            /// [`CompiledFunc::verify`](crate::translate::CompiledFunc) this is what makes
            /// the unchecked slot access of the dispatch loop sound: keep it in sync with
            /// the handlers (it is generated from the same list).
            pub(crate) fn for_each_slot(&self, mut f: impl FnMut(Slot)) {
                let mut copy = *self;
                copy.slot_fields_mut(|slot, is_base| {
                    if !is_base {
                        f(*slot);
                    }
                });
            }

            /// Calls `f` with each operand that may be an accumulator, in position
            /// order (`a` before `b`), with its accumulator; operands of type f32 are
            /// left out.
            pub(crate) fn acc_operands_mut(&mut self, mut f: impl FnMut(AccClass, &mut Slot)) {
                let mut visit = |class: Option<AccClass>, slot: &mut Slot| {
                    if let Some(class) = class {
                        f(class, slot);
                    }
                };
                match self {
                    Instr::JumpIfZero { cond, .. } | Instr::JumpIfNonZero { cond, .. } => {
                        visit(Some(AccClass::Int), cond)
                    }
                    Instr::GlobalSetInt { src, .. } => visit(Some(AccClass::Int), src),
                    Instr::F64Square { a, .. } => visit(Some(AccClass::Float), a),
                    $(
                        Instr::$mname { r0, r1, .. } => mem_acc_operands!($mkind, $mt, $vt, r0, r1, visit),
                    )*
                    $($( Instr::$xname { index, .. } => visit(Some(AccClass::Int), index), )?)*
                    $( Instr::$sname { addr, .. } => visit(Some(AccClass::Int), addr), )*
                    $(
                        Instr::$nname { $($arg,)* .. } => { $( visit(<$it as AccValue>::CLASS, $arg); )* }
                        $( Instr::$iname { a, .. } => visit(<$it as AccValue>::CLASS, a), )?
                    )*
                    $(
                        Instr::$bname { a, b, .. } => {
                            visit(<$bt as AccValue>::CLASS, a);
                            visit(<$bt as AccValue>::CLASS, b);
                        }
                        Instr::$biname { a, .. } => visit(<$bt as AccValue>::CLASS, a),
                    )*
                    $(
                        Instr::$fbname { a, b, .. } | Instr::$fbnot { a, b, .. } => {
                            visit(<$fbt as AccValue>::CLASS, a);
                            visit(<$fbt as AccValue>::CLASS, b);
                        }
                    )*
                    _ => {}
                }
            }

            /// Which operand position (0 for `a`, 1 for `b`) holds [`ACC`], if one does:
            /// the threaded dispatch picks the handler reading that accumulator.
            pub(crate) fn acc_position(&self) -> Option<usize> {
                let mut copy = *self;
                let (mut position, mut found) = (0, None);
                copy.acc_operands_mut(|_, slot| {
                    if *slot == ACC && found.is_none() {
                        found = Some(position);
                    }
                    position += 1;
                });
                found
            }

            /// Accumulator assignment for one instruction (see `assign_accumulators` in
            /// the translator), in one dispatch: names the first operand whose slot
            /// its accumulator mirrors (`acc`: the slot each accumulator holds) as
            /// [`ACC`], then updates `acc` for what the instruction does. Returns the
            /// position of the operand it renamed.
            pub(crate) fn assign_acc(&mut self, acc: &mut [Option<Slot>; 2]) -> Option<usize> {
                let (position, effect) = match self {
                    Instr::JumpIfZero { cond, .. } | Instr::JumpIfNonZero { cond, .. } => {
                        (take_acc(acc, &mut [(Some(AccClass::Int), cond)]), AccEffect::Preserves)
                    }
                    Instr::GlobalSetInt { src, .. } => {
                        (take_acc(acc, &mut [(Some(AccClass::Int), src)]), AccEffect::Preserves)
                    }
                    Instr::F64Square { dst, a } => (
                        take_acc(acc, &mut [(Some(AccClass::Float), a)]),
                        AccEffect::Produces(AccClass::Float, *dst),
                    ),
                    $(
                        Instr::$mname { r0, r1, .. } => mem_assign_acc!($mkind, $mt, $vt, acc, r0, r1),
                    )*
                    $($(
                        Instr::$xname { dst, index, .. } => (
                            take_acc(acc, &mut [(Some(AccClass::Int), index)]),
                            AccEffect::result::<$vt>(*dst),
                        ),
                        // (No accumulator operand: its slots are 16-bit.)
                        Instr::$yname { dst, .. } => (None, AccEffect::result::<$vt>(Slot::from(*dst))),
                    )?)*
                    $(
                        Instr::$sname { addr, .. } => {
                            (take_acc(acc, &mut [(Some(AccClass::Int), addr)]), AccEffect::Preserves)
                        }
                    )*
                    $(
                        Instr::$nname { dst, $($arg),* } => (
                            take_acc(acc, &mut [$((<$it as AccValue>::CLASS, $arg)),*]),
                            AccEffect::result::<$ot>(*dst),
                        ),
                        $(
                            Instr::$iname { dst, a, .. } => (
                                take_acc(acc, &mut [(<$it as AccValue>::CLASS, a)]),
                                AccEffect::result::<$ot>(*dst),
                            ),
                        )?
                    )*
                    $(
                        Instr::$bname { a, b, .. } => (
                            take_acc(acc, &mut [(<$bt as AccValue>::CLASS, a), (<$bt as AccValue>::CLASS, b)]),
                            AccEffect::Preserves,
                        ),
                        Instr::$biname { a, .. } => {
                            (take_acc(acc, &mut [(<$bt as AccValue>::CLASS, a)]), AccEffect::Preserves)
                        }
                    )*
                    $(
                        Instr::$fbname { a, b, .. } | Instr::$fbnot { a, b, .. } => (
                            take_acc(acc, &mut [(<$fbt as AccValue>::CLASS, a), (<$fbt as AccValue>::CLASS, b)]),
                            AccEffect::Preserves,
                        ),
                    )*
                    other => (None, other.acc_effect()),
                };
                let mut forget = |slot: Slot| {
                    for held in acc.iter_mut() {
                        if *held == Some(slot) {
                            *held = None;
                        }
                    }
                };
                match effect {
                    AccEffect::Produces(class, dst) => {
                        forget(dst);
                        acc[class as usize] = Some(dst);
                    }
                    AccEffect::Writes(dst) => forget(dst),
                    AccEffect::WritesTwo(first, second) => {
                        forget(first);
                        forget(second);
                    }
                    AccEffect::Preserves => {}
                    AccEffect::Clobbers => *acc = [None; 2],
                }
                position
            }

            /// What the instruction does to the accumulators.
            pub(crate) fn acc_effect(&self) -> AccEffect {
                match *self {
                    Instr::Copy { dst, .. }
                    | Instr::Const32 { dst, .. }
                    | Instr::Const64 { dst, .. }
                    | Instr::GlobalGet { dst, .. }
                    | Instr::Select { dst, .. } => AccEffect::Writes(dst),
                    Instr::CopyPair { dst0, dst1, .. } => AccEffect::WritesTwo(dst0.into(), dst1.into()),
                    Instr::Jump { .. }
                    | Instr::JumpIfZero { .. }
                    | Instr::JumpIfNonZero { .. }
                    | Instr::JumpTable { .. }
                    | Instr::GlobalSet { .. }
                    | Instr::GlobalSetInt { .. } => AccEffect::Preserves,
                    Instr::GlobalGetInt { dst, .. } => AccEffect::Produces(AccClass::Int, dst),
                    Instr::F64Square { dst, .. } => AccEffect::Produces(AccClass::Float, dst),
                    Instr::Unreachable { .. }
                    | Instr::Return { .. }
                    | Instr::ReturnSlot { .. }
                    | Instr::ReturnConst { .. }
                    | Instr::ReturnMany { .. }
                    | Instr::Call { .. }
                    | Instr::CallIndirect { .. }
                    | Instr::MemorySize { .. }
                    | Instr::MemoryGrow { .. } => AccEffect::Clobbers,
                    $( Instr::$mname { r0, .. } => mem_acc_effect!($mkind, $mt, $vt, r0), )*
                    $($(
                        Instr::$xname { dst, .. } => AccEffect::result::<$vt>(dst),
                        Instr::$yname { dst, .. } => AccEffect::result::<$vt>(dst.into()),
                    )?)*
                    $( Instr::$sname { .. } => AccEffect::Preserves, )*
                    $(
                        Instr::$nname { dst, .. } => AccEffect::result::<$ot>(dst),
                        $( Instr::$iname { dst, .. } => AccEffect::result::<$ot>(dst), )?
                    )*
                    $( Instr::$bname { .. } | Instr::$biname { .. } => AccEffect::Preserves, )*
                    $( Instr::$fbname { .. } | Instr::$fbnot { .. } => AccEffect::Preserves, )*
                    $(
                        Instr::$cbname { a, .. } | Instr::$cbiname { a, .. } => AccEffect::Produces(AccClass::Int, a),
                    )*
                }
            }

            /// Calls `f` with every slot field of the instruction (as `for_each_slot`),
            /// and with the `base` of a call, to renumber them.
            pub(crate) fn for_each_slot_mut(&mut self, mut f: impl FnMut(&mut Slot)) {
                self.slot_fields_mut(|slot, _| f(slot));
            }

            /// Calls `f` with every slot field of the instruction and whether it is a
            /// call's `base` (which is not an operand): what both slot visitors walk.
            #[inline(always)]
            fn slot_fields_mut(&mut self, mut f: impl FnMut(&mut Slot, bool)) {
                match self {
                    $( Instr::$cname { $($field),* } => { $( visit_slot_mut!($fty, $field, f); )* } )*
                    $( Instr::$mname { r0, r1, .. } => { f(r0, false); f(r1, false); } )*
                    $($(
                        Instr::$xname { dst, index, .. } => { f(dst, false); f(index, false); }
                        Instr::$yname { dst, base, index, .. } => {
                            visit_slot16(dst, &mut f);
                            visit_slot16(base, &mut f);
                            visit_slot16(index, &mut f);
                        }
                    )?)*
                    $( Instr::$sname { addr, .. } => f(addr, false), )*
                    $(
                        Instr::$nname { dst, $($arg),* } => { f(dst, false); $( f($arg, false); )* }
                        $( Instr::$iname { dst, a, .. } => { f(dst, false); f(a, false); } )?
                    )*
                    $(
                        Instr::$bname { a, b, .. } => { f(a, false); f(b, false); }
                        Instr::$biname { a, .. } => f(a, false),
                    )*
                    $( Instr::$fbname { a, b, .. } | Instr::$fbnot { a, b, .. } => { f(a, false); f(b, false); } )*
                    $(
                        Instr::$cbname { a, b, .. } => { f(a, false); f(b, false); }
                        Instr::$cbiname { a, .. } => f(a, false),
                    )*
                }
            }

            /// The branch target of a jump instruction.
            pub(crate) fn target_mut(&mut self) -> Option<&mut u32> {
                match self {
                    Instr::Jump { target }
                    | Instr::JumpIfZero { target, .. }
                    | Instr::JumpIfNonZero { target, .. } => Some(target),
                    $(
                        Instr::$bname { target, .. } | Instr::$biname { target, .. } => Some(target),
                    )*
                    $( Instr::$fbname { target, .. } | Instr::$fbnot { target, .. } => Some(target), )*
                    $(
                        Instr::$cbname { target, .. } | Instr::$cbiname { target, .. } => Some(target),
                    )*
                    _ => None,
                }
            }

            /// The counter branch for `I32AddImm { dst: counter, a: counter, imm: step }`
            /// followed by `branch` (the next instruction, not a jump target), if
            /// `branch` tests the counter (in its slot or in `acc`) and has a counter
            /// form.
            pub(crate) fn fuse_counter(counter: Slot, step: i16, branch: Instr) -> Option<Instr> {
                let is_counter = |slot: Slot| slot == counter || slot == ACC;
                match branch {
                    $(
                        Instr::$cbbr { a, b, target } if is_counter(a) && b != ACC => {
                            Some(Instr::$cbname { step, a: counter, b, target })
                        }
                        Instr::$cbbri { a, imm, target } if is_counter(a) => {
                            Some(Instr::$cbiname { step, a: counter, imm, target })
                        }
                    )*
                    _ => None,
                }
            }

            /// Whether the instruction, when it does not jump, skips the instruction after
            /// it (which it replaced: counter branches, copy pairs), so continues two
            /// instructions further.
            pub(crate) fn skips_next(&self) -> bool {
                match self {
                    Instr::CopyPair { .. } => true,
                    $( Instr::$cbname { .. } | Instr::$cbiname { .. } => true, )*
                    _ => false,
                }
            }

            /// The conditional jump taken exactly when `self` (a conditional jump) is
            /// not, to `target`; `None` for float comparisons (NaN) and other
            /// instructions.
            pub(crate) fn negate_branch(self, target: u32) -> Option<Instr> {
                match self {
                    Instr::JumpIfZero { cond, .. } => Some(Instr::JumpIfNonZero { cond, target }),
                    Instr::JumpIfNonZero { cond, .. } => Some(Instr::JumpIfZero { cond, target }),
                    $(
                        Instr::$bname { a, b, .. } => Instr::$cmp { dst: 0, a, b }.fuse_branch(false, target),
                        Instr::$biname { a, imm, .. } => Instr::$cmpi { dst: 0, a, imm }.fuse_branch(false, target),
                    )*
                    $(
                        Instr::$fbname { a, b, .. } => Some(Instr::$fbnot { a, b, target }),
                        Instr::$fbnot { a, b, .. } => Some(Instr::$fbname { a, b, target }),
                    )*
                    _ => None,
                }
            }

            /// The fused branch for comparison `self` followed by a conditional branch
            /// taken when the comparison's result is `when`; `None` if `self` is not an
            /// integer comparison.
            pub(crate) fn fuse_branch(self, when: bool, target: u32) -> Option<Instr> {
                match self {
                    $(
                        Instr::$cmp { a, b, .. } => Some(if when {
                            Instr::$bname { a, b, target }
                        } else {
                            return Instr::$not { dst: 0, a, b }.fuse_branch(true, target);
                        }),
                        Instr::$cmpi { a, imm, .. } => Some(if when {
                            Instr::$biname { a, imm, target }
                        } else {
                            return Instr::$noti { dst: 0, a, imm }.fuse_branch(true, target);
                        }),
                    )*
                    // A float comparison's negation is not a comparison (NaN): the
                    // `BrNot` form jumps when it does not hold.
                    $(
                        Instr::$fcmp { a, b, .. } => Some(if when {
                            Instr::$fbname { a, b, target }
                        } else {
                            Instr::$fbnot { a, b, target }
                        }),
                    )*
                    _ => None,
                }
            }
        }

    };
}

/// Expands to the dispatch `match` on `$instr`: the control arms given by the loop,
/// then the generated handlers of the memory, numeric and fused-branch instructions,
/// which work on the frame slots `$regs`, the accumulators `$acc`/`$facc`, the bytes
/// of memory 0 `$mem` and the index of the next instruction `$ip`, and trap with `?`. One `match` for all instructions
/// gives one indirect jump per instruction.
macro_rules! dispatch {
    (
        [$instr:ident, $regs:ident, $acc:ident, $facc:ident, $mem:ident, $ip:ident, { $($arms:tt)* }]
        control { $( $(#[doc = $cdoc:literal])* $cname:ident { $($field:ident : $fty:ident),* }, )* }
        memory { $( $mname:ident = $mkind:ident ($mt:ty, $vt:ty) $(scaled $xname:ident indexed $yname:ident)?, )* }
        store_imm { $( $sname:ident = ($svt:ty, $smt:ty) for $sbase:ident, )* }
        numeric { $(
            $nname:ident = $nkind:ident ($it:ty, $ot:ty) $(imm $iname:ident)? |$($arg:ident),*| $body:expr,
        )* }
        branch { $(
            $bname:ident / $biname:ident = ($bt:ty) $op:tt for $cmp:ident / $cmpi:ident not $not:ident / $noti:ident,
        )* }
        float_branch { $(
            $fbname:ident / $fbnot:ident = ($fbt:ty) $fop:tt for $fcmp:ident,
        )* }
        counter_branch { $(
            $cbname:ident / $cbiname:ident = ($cbt:ty) $cbop:tt for $cbbr:ident / $cbbri:ident,
        )* }
    ) => {
        match $instr {
            $($arms)*
                $( $crate::isa::Instr::$mname { r0, r1, offset } => mem_op!($mkind, $mt, $vt, $regs, $acc, $facc, $mem, r0, r1, offset), )*
                $($( $crate::isa::Instr::$xname { dst, index, offset } => {
                    let index = $crate::regs::read::<u32>($regs, index, $acc, $facc);
                    let addr = $crate::ops::scale::<$mt>(index);
                    mem_op!(@load_at $mt, $vt, $regs, $acc, $facc, $mem, dst, addr, offset);
                }
                $crate::isa::Instr::$yname { dst, base, index, offset } => {
                    let addr = $crate::ops::sum_address($crate::regs::get($regs, base.into()), $crate::regs::get($regs, index.into()));
                    let dst = $crate::isa::Slot::from(dst);
                    mem_op!(@load_at $mt, $vt, $regs, $acc, $facc, $mem, dst, addr, offset);
                } )?)*
                $( $crate::isa::Instr::$sname { addr, imm, offset } => {
                    let value = <$svt as $crate::ops::FromImm>::from_imm(imm);
                    let addr = $crate::regs::read::<u32>($regs, addr, $acc, $facc);
                    $crate::ops::store::<$smt>($mem, addr, offset, value as $smt)?;
                } )*
                $(
                    $crate::isa::Instr::$nname { dst, $($arg),* } => {
                        let result = num_result!($nkind, $crate::isa::semantics::$nname($($crate::regs::read::<$it>($regs, $arg, $acc, $facc)),*));
                        $crate::regs::write($regs, dst, result, &mut $acc, &mut $facc);
                    }
                    $( $crate::isa::Instr::$iname { dst, a, imm } => {
                        let a = $crate::regs::read::<$it>($regs, a, $acc, $facc);
                        let result = num_result!($nkind, $crate::isa::semantics::$nname(a, <$it as $crate::ops::FromImm>::from_imm(imm)));
                        $crate::regs::write($regs, dst, result, &mut $acc, &mut $facc);
                    } )?
                )*
                $(
                    $crate::isa::Instr::$bname { a, b, target } => {
                        let a = $crate::regs::read::<$bt>($regs, a, $acc, $facc);
                        let b = $crate::regs::read::<$bt>($regs, b, $acc, $facc);
                        if a $op b {
                            $ip = target as usize;
                        }
                    }
                    $crate::isa::Instr::$biname { a, imm, target } => {
                        let a = $crate::regs::read::<$bt>($regs, a, $acc, $facc);
                        if a $op <$bt as $crate::ops::FromImm>::from_imm(imm) {
                            $ip = target as usize;
                        }
                    }
                )*
                $(
                    $crate::isa::Instr::$fbname { a, b, target } => {
                        let a = $crate::regs::read::<$fbt>($regs, a, $acc, $facc);
                        let b = $crate::regs::read::<$fbt>($regs, b, $acc, $facc);
                        if a $fop b {
                            $ip = target as usize;
                        }
                    }
                    $crate::isa::Instr::$fbnot { a, b, target } => {
                        let a = $crate::regs::read::<$fbt>($regs, a, $acc, $facc);
                        let b = $crate::regs::read::<$fbt>($regs, b, $acc, $facc);
                        // Not the inverse operator: NaN makes every comparison false.
                        #[allow(clippy::neg_cmp_op_on_partial_ord)]
                        let holds_not = !(a $fop b);
                        if holds_not {
                            $ip = target as usize;
                        }
                    }
                )*
                $(
                    $crate::isa::Instr::$cbname { step, a, b, target } => {
                        let counter = $crate::ops::step_counter($regs, a, step, &mut $acc);
                        let b = <$cbt as $crate::ops::CellValue>::from_cell($crate::regs::get($regs, b));
                        $ip = if counter as $cbt $cbop b { target as usize } else { $ip + 1 };
                    }
                    $crate::isa::Instr::$cbiname { step, a, imm, target } => {
                        let counter = $crate::ops::step_counter($regs, a, step, &mut $acc);
                        $ip = if counter as $cbt $cbop <$cbt as $crate::ops::FromImm>::from_imm(imm) { target as usize } else { $ip + 1 };
                    }
                )*
        }
    };
}

/// Visits a control instruction's field if it is a slot.
/// A memory instruction's operands that may be an accumulator: a load's address; a
/// store's address, then its value. (The list gives a load's memory type first, a
/// store's value type first.)
macro_rules! mem_acc_operands {
    (load, $mt:ty, $vt:ty, $r0:ident, $r1:ident, $visit:ident) => {{
        let _ = $r0;
        $visit(Some(AccClass::Int), $r1)
    }};
    (store, $vt:ty, $mt:ty, $r0:ident, $r1:ident, $visit:ident) => {{
        $visit(Some(AccClass::Int), $r0);
        $visit(<$vt as AccValue>::CLASS, $r1);
    }};
}

/// `Instr::assign_acc` for a memory instruction (same operands as `mem_acc_operands`).
macro_rules! mem_assign_acc {
    (load, $mt:ty, $vt:ty, $acc:ident, $r0:ident, $r1:ident) => {
        (
            take_acc($acc, &mut [(Some(AccClass::Int), $r1)]),
            AccEffect::result::<$vt>(*$r0),
        )
    };
    (store, $vt:ty, $mt:ty, $acc:ident, $r0:ident, $r1:ident) => {
        (
            take_acc(
                $acc,
                &mut [(Some(AccClass::Int), $r0), (<$vt as AccValue>::CLASS, $r1)],
            ),
            AccEffect::Preserves,
        )
    };
}

/// Names the first operand whose slot its accumulator holds as [`ACC`] (none if one
/// already is); returns its position.
#[inline(always)]
fn take_acc(
    acc: &[Option<Slot>; 2],
    operands: &mut [(Option<AccClass>, &mut Slot)],
) -> Option<usize> {
    if *acc == [None; 2] || operands.iter().any(|(_, slot)| **slot == ACC) {
        return None;
    }
    operands.iter_mut().position(|(class, slot)| match class {
        Some(class) if acc[*class as usize] == Some(**slot) => {
            **slot = ACC;
            true
        }
        _ => false,
    })
}

macro_rules! mem_acc_effect {
    (load, $mt:ty, $vt:ty, $r0:ident) => {
        AccEffect::result::<$vt>($r0)
    };
    (store, $vt:ty, $mt:ty, $r0:ident) => {{
        let _ = $r0;
        AccEffect::Preserves
    }};
}

/// `visit_slot!` with a mutable field, calls' `base` included.
/// Calls `$f(field, is_base)` for a `Slot` field or a call's `Base`.
macro_rules! visit_slot_mut {
    (Slot, $field:ident, $f:ident) => {
        $f($field, false)
    };
    (Base, $field:ident, $f:ident) => {
        $f($field, true)
    };
    (Slot16, $field:ident, $f:ident) => {
        visit_slot16($field, &mut $f)
    };
    ($other:ident, $field:ident, $f:ident) => {
        let _ = $field;
    };
}

/// Calls `f(slot, false)` for a 16-bit slot field. The translator makes instructions
/// with 16-bit slots only where renumbering cannot take a slot past 16 bits (see
/// `fits16` in the translator).
#[inline(always)]
fn visit_slot16(field: &mut Slot16, f: &mut impl FnMut(&mut Slot, bool)) {
    let mut slot = Slot::from(*field);
    f(&mut slot, false);
    debug_assert!(
        slot <= Slot::from(Slot16::MAX),
        "16-bit slot renumbered to {slot}"
    );
    *field = slot as Slot16;
}

macro_rules! mem_is_load {
    (load) => {
        true
    };
    (store) => {
        false
    };
}

macro_rules! numeric_kind {
    (un, $name:ident, $it:ty, [$a:ident]) => {
        Numeric::Unary(|out, dst, a| out.push(Instr::$name { dst, $a: a }))
    };
    (un_t, $name:ident, $it:ty, [$a:ident]) => {
        numeric_kind!(un, $name, $it, [$a])
    };
    (bin, $name:ident, $it:ty, [$a:ident, $b:ident] $(, $iname:ident)?) => {
        Numeric::Binary {
            make: |out, dst, a, b| out.push(Instr::$name { dst, $a: a, $b: b }),
            imm: numeric_imm!($($iname)?),
            wide: core::mem::size_of::<$it>() == 8,
        }
    };
    (bin_t, $name:ident, $it:ty, [$a:ident, $b:ident] $(, $iname:ident)?) => {
        numeric_kind!(bin, $name, $it, [$a, $b] $(, $iname)?)
    };
}

macro_rules! numeric_imm {
    () => {
        None
    };
    ($iname:ident) => {
        Some(|out, dst, a, imm| out.push(Instr::$iname { dst, a, imm }))
    };
}

macro_rules! mem_op {
    (load, $mt:ty, $vt:ty, $regs:ident, $acc:ident, $facc:ident, $mem:ident, $dst:ident, $addr:ident, $offset:ident) => {{
        let addr = $crate::regs::read::<u32>($regs, $addr, $acc, $facc);
        mem_op!(@load_at $mt, $vt, $regs, $acc, $facc, $mem, $dst, addr, $offset);
    }};
    // The load at address `$addr` (a value), shared by the plain, scaled and indexed loads.
    (@load_at $mt:ty, $vt:ty, $regs:ident, $acc:ident, $facc:ident, $mem:ident, $dst:ident, $addr:ident, $offset:ident) => {{
        let value: $mt = $crate::ops::load::<$mt>($mem, $addr, $offset)?;
        $crate::regs::write($regs, $dst, value as $vt, &mut $acc, &mut $facc);
    }};
    (store, $vt:ty, $mt:ty, $regs:ident, $acc:ident, $facc:ident, $mem:ident, $addr:ident, $value:ident, $offset:ident) => {{
        let value = $crate::regs::read::<$vt>($regs, $value, $acc, $facc);
        let addr = $crate::regs::read::<u32>($regs, $addr, $acc, $facc);
        $crate::ops::store::<$mt>($mem, addr, $offset, value as $mt)?;
    }};
}

macro_rules! num_ret {
    (un, $ot:ty) => { $ot };
    (bin, $ot:ty) => { $ot };
    (un_t, $ot:ty) => { Result<$ot, TrapCode> };
    (bin_t, $ot:ty) => { Result<$ot, TrapCode> };
}

macro_rules! num_result {
    (un, $e:expr) => {
        $e
    };
    (bin, $e:expr) => {
        $e
    };
    (un_t, $e:expr) => {
        $e?
    };
    (bin_t, $e:expr) => {
        $e?
    };
}

use crate::ops;
use crate::ops::{AccClass, AccValue};
use wasm_core::TrapCode;
use wasm_core::wasmparser::Operator;

for_each_instr!(define_instr);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instructions_stay_16_bytes() {
        assert_eq!(core::mem::size_of::<Instr>(), 16);
    }

    #[test]
    fn negated_fused_branches_invert_the_comparison() {
        let lt = Instr::I32LtS { dst: 0, a: 1, b: 2 };
        assert_eq!(
            lt.fuse_branch(true, 7),
            Some(Instr::BrI32LtS {
                a: 1,
                b: 2,
                target: 7
            })
        );
        assert_eq!(
            lt.fuse_branch(false, 7),
            Some(Instr::BrI32GeS {
                a: 1,
                b: 2,
                target: 7
            })
        );
        let eq = Instr::I64EqImm {
            dst: 0,
            a: 1,
            imm: -1,
        };
        assert_eq!(
            eq.fuse_branch(false, 3),
            Some(Instr::BrI64NeImm {
                a: 1,
                imm: -1,
                target: 3
            })
        );
        let lt = Instr::F64Lt { dst: 0, a: 1, b: 2 };
        assert_eq!(
            lt.fuse_branch(true, 5),
            Some(Instr::BrF64Lt {
                a: 1,
                b: 2,
                target: 5
            })
        );
        assert_eq!(
            lt.fuse_branch(false, 5),
            Some(Instr::BrF64NotLt {
                a: 1,
                b: 2,
                target: 5
            })
        );
        let ge = Instr::BrI32GeUImm {
            a: 1,
            imm: 9,
            target: 3,
        };
        assert_eq!(
            ge.negate_branch(8),
            Some(Instr::BrI32LtUImm {
                a: 1,
                imm: 9,
                target: 8
            })
        );
        assert_eq!(
            Instr::BrF64Lt {
                a: 1,
                b: 2,
                target: 3
            }
            .negate_branch(8),
            Some(Instr::BrF64NotLt {
                a: 1,
                b: 2,
                target: 8
            })
        );
    }
}
