//! The engine's instruction set, declared once: [`for_each_instr!`].
//!
//! Each instruction is declared with its fields, each field with its *kind* (`kinds.rs`:
//! a slot written or read, an input that may be the accumulator, an immediate, a branch
//! target...), its capabilities (`caps!`: commutative, may trap, never falls through...)
//! and its *body*: its semantics, written once against the [`Machine`] interface, ending
//! in the [`Flow`] that says where control goes next. Everything else is generated:
//!
//! * `instr.rs`: the enum [`Instr`] and the facts the translator and `verify` read (names,
//!   slot roles, branch targets, accumulator operands and effects, capabilities);
//! * `bodies.rs`: one `#[inline(always)]` function per instruction, from its body;
//! * `relations.rs`: the translator's tables (which Wasm operator lowers to which
//!   instruction, the immediate, scaled, indexed, shifted and fused-branch forms);
//! * `dispatch/portable.rs` and `dispatch/threaded.rs`: both drivers call the bodies.
//!
//! Families of similar instructions (loads, stores, numeric operators, fused branches)
//! are written one line each in their own section; [`expand_instrs!`] turns every section
//! into the same *records*, the one grammar the generators match:
//!
//! ```text
//! $(#[doc = ..])* Name { field: kind(type), .. } (capabilities) |m| { body }
//! ```
//!
//! Naming guide: instructions that mirror one Wasm operator keep its `wasmparser` name
//! (`I32Add`, `F64Load`); the suffix `Imm` marks the form whose right operand is the
//! immediate; `Br*` are fused compare-and-branch instructions, jumping when the comparison
//! holds (`BrF*Not*` when it does not, NaN included).
//!
//! Encoding invariants the bodies and drivers rely on (checked by `verify`): every slot
//! lies within the frame (`pair` slots with their successor); `JumpTable { len }` is
//! followed by `len + 1` `Jump`s (the last one the default); an instruction that `skips`
//! is followed by two more; a `CopyPair` is followed by the `Copy` it replaced, an
//! `I32AddImmPair` by the `I32AddImm`; the last instruction never falls through.
//!
//! [`Machine`]: super::machine::Machine
//! [`Flow`]: super::machine::Flow
//! [`Instr`]: super::instr::Instr

/// Calls `$m! { [extra tokens] records.. }` with every instruction (see the module docs);
/// `for_each_instr!(relations $m)` calls `$m!` with the relations between instructions
/// and Wasm operators instead (see `relations.rs`).
macro_rules! for_each_instr {
    ($($mode:tt)*) => {
        $crate::isa::list::expand_instrs! {
            [$($mode)*]
            control {
                /// Trap with "unreachable".
                Unreachable {} [no_fall, stops, may_trap] |m| {
                    Err(TrapCode::Unreachable)
                },
                /// Pay `amount` fuel for the Wasm operators of the stretch of code that
                /// starts here (emitted only in code loaded with fuel metering); exit to
                /// the engine, which stops the invocation, when the tank holds less.
                ConsumeFuel { amount: value } [stops] |m| {
                    match m.consume_fuel(amount) {
                        true => Ok(Flow::Next),
                        false => Ok(Flow::Exit),
                    }
                },
                /// Pay the fuel for the elements of the bulk operation that follows, their
                /// count in `count` (fuel metering only); exit to the engine, which stops
                /// the invocation, when the tank holds less.
                ConsumeFuelSlot { count: reg } [stops] |m| {
                    match m.consume_fuel(m.get(count) as u32) {
                        true => Ok(Flow::Next),
                        false => Ok(Flow::Exit),
                    }
                },
                /// Exit to the engine, which stops the invocation, when an interrupt is
                /// pending (emitted at function entries, only in code loaded with
                /// interruption on; loops are checked at their taken back edges).
                CheckInterrupt {} [stops] |m| {
                    match m.interrupted() {
                        true => Ok(Flow::Exit),
                        false => Ok(Flow::Next),
                    }
                },
                /// Continue at `target`.
                Jump { target: target } [no_fall] |m| {
                    Ok(Flow::Jump(target))
                },
                /// If the i32 `cond` is zero, continue at `target`.
                JumpIfZero { cond: in0(u32), target: target } [] |m| {
                    Ok(Flow::Branch(cond == 0, target))
                },
                /// If the i32 `cond` is not zero, continue at `target`.
                JumpIfNonZero { cond: in0(u32), target: target } [] |m| {
                    Ok(Flow::Branch(cond != 0, target))
                },
                /// Continue at the target of the `min(i, len)`-th of the `len + 1` `Jump`s
                /// that follow, `i` being the u32 in `index`.
                JumpTable { index: reg, len: count } [] |m| {
                    Ok(Flow::Table((m.get(index) as u32).min(len)))
                },
                /// Return from a function without results.
                Return {} [no_fall, returns, stops] |m| {
                    Ok(Flow::Return)
                },
                /// Return the value in `src` (copied to slot 0).
                ReturnSlot { src: reg } [no_fall, returns, stops] |m| {
                    let bits = m.get(src);
                    m.set(0, bits);
                    Ok(Flow::Return)
                },
                /// Return the constant `bits`.
                ReturnConst { bits: bits } [no_fall, returns, stops] |m| {
                    m.set(0, bits);
                    Ok(Flow::Return)
                },
                /// Return the `n` values in slots `src..src + n` (copied to slots `0..n`).
                ReturnMany { src: reg, n: count } [no_fall, returns, stops] |m| {
                    m.copy_down(src, n);
                    Ok(Flow::Return)
                },
                /// Call function `func` of the instance: the arguments are in slots
                /// `base..`, the callee's frame starts there and its results land there.
                Call { func: index, base: base } [stops, may_trap] |m| {
                    Ok(Flow::Call { func, base })
                },
                /// Call the function at index `slot[base + params]` of table `table`,
                /// checking that it has the instance's type `ty` (arguments as for
                /// `Call`).
                CallIndirect { ty: index, table: index, base: base } [stops, may_trap] |m| {
                    Ok(Flow::CallIndirect { ty, table, base })
                },
                /// Wasm `return_call`: call function `func` (arguments as for `Call`) in
                /// place of the running function, whose frame becomes the callee's (its
                /// results are then this function's). A host function is called as for
                /// `Call`, and the code after this instruction returns the results.
                ReturnCall { func: index, base: base } [stops, may_trap] |m| {
                    Ok(Flow::TailCall { func, base })
                },
                /// Wasm `return_call_indirect`: `CallIndirect` as `ReturnCall` is `Call`.
                ReturnCallIndirect { ty: index, table: index, base: base } [stops, may_trap] |m| {
                    Ok(Flow::TailCallIndirect { ty, table, base })
                },
                /// Wasm `throw`: throw an exception of tag `tag` whose values are in slots
                /// `base..`. Left to the engine, which unwinds to the clause that catches
                /// it.
                Throw { tag: index, base: base } [no_fall, stops, may_trap] |m| {
                    Ok(Flow::Exit)
                },
                /// Wasm `throw_ref`: throw again the exception `slot[src]` names (trap
                /// if null). Left to the engine.
                ThrowRef { src: reg } [no_fall, stops, may_trap] |m| {
                    Ok(Flow::Exit)
                },
                /// Wasm `call_ref`: call the function that the reference in
                /// `slot[base + params]` names (trap if null), of the instance's type `ty`
                /// (arguments as for `Call`). Left to the engine.
                CallRef { ty: index, base: base } [stops, may_trap] |m| {
                    Ok(Flow::Exit)
                },
                /// Wasm `return_call_ref`: `CallRef` as `ReturnCall` is `Call`.
                ReturnCallRef { ty: index, base: base } [stops, may_trap] |m| {
                    Ok(Flow::Exit)
                },
                /// Wasm `ref.as_non_null`: exit to the engine, which traps with "null
                /// reference", if the reference in `src` is null; the value stays where
                /// it is.
                CheckNonNull { src: reg } [may_trap] |m| {
                    match m.get(src) {
                        0 => Ok(Flow::Exit),
                        _ => Ok(Flow::Next),
                    }
                },
                /// If the reference in `cond` is null, continue at `target` (`br_on_null`).
                JumpIfNull { cond: reg, target: target } [] |m| {
                    Ok(Flow::Branch(m.get(cond) == 0, target))
                },
                /// If the reference in `cond` is not null, continue at `target`
                /// (`br_on_non_null`).
                JumpIfNotNull { cond: reg, target: target } [] |m| {
                    Ok(Flow::Branch(m.get(cond) != 0, target))
                },
                /// The landing pad of catch clause `pad`, after the function's code:
                /// the engine puts the label's `n` values in slots `dst..` and resumes
                /// here; the branch to the label follows.
                Catch { pad: index, dst: base, n: count } [] |m| {
                    Ok(Flow::Next)
                },
                /// `slot[dst] = slot[src]`.
                Copy { dst: out, src: reg } [] |m| {
                    let bits = m.get(src);
                    m.set(dst, bits);
                    Ok(Flow::Next)
                },
                /// `slot[dst0] = slot[src0]`, then `slot[dst1] = slot[src1]`: two `Copy`s in
                /// one dispatch (call arguments, values carried round a loop). The second
                /// `Copy` stays after it, skipped (see `fuse_copies` in the translator).
                CopyPair { dst0: out16, src0: reg16, dst1: out16, src1: reg16 } [skips] |m| {
                    let bits = m.get(src0);
                    m.set(dst0, bits);
                    let bits = m.get(src1);
                    m.set(dst1, bits);
                    Ok(Flow::Skip)
                },
                /// `dst = a + (b << shift)` (i32, wrapping): the translation of `i32.add a
                /// (i32.shl b shift)` with a constant shift, an element's address.
                I32AddShifted { dst: dst(i32), a: reg16, b: reg16, shift: lane } [] |m| {
                    let sum = $crate::isa::memory::shifted_address(m.get(a), m.get(b), shift);
                    m.write(dst, sum as i32);
                    Ok(Flow::Next)
                },
                /// `dst0 = a0 + imm0`, then `dst1 = a1 + imm1` (i32, wrapping): two
                /// `I32AddImm`s in one dispatch (pointers and counters stepped together in a
                /// loop). The second `I32AddImm` stays after it, skipped (see `fuse_adds` in
                /// the translator).
                I32AddImmPair { dst0: out16, a0: reg16, imm0: step, dst1: dst16(i32), a1: reg16, imm1: step } [skips] |m| {
                    let first = (m.get(a0) as i32).wrapping_add(i32::from(imm0));
                    m.set(dst0, u64::from(first as u32));
                    let second = (m.get(a1) as i32).wrapping_add(i32::from(imm1));
                    m.write(dst1, second);
                    Ok(Flow::Skip)
                },
                /// `slot[dst] = value` (zero-extended).
                Const32 { dst: out, value: value } [] |m| {
                    m.set(dst, u64::from(value));
                    Ok(Flow::Next)
                },
                /// `slot[dst] = bits`.
                Const64 { dst: out, bits: bits } [] |m| {
                    m.set(dst, bits);
                    Ok(Flow::Next)
                },
                /// `slot[dst] = slot[dst + 1]` when the i32 in `cond` is zero (Wasm `select`
                /// with its operands in `dst` and `dst + 1`).
                Select { dst: pair, cond: reg } [] |m| {
                    if m.get(cond) as u32 == 0 {
                        let bits = m.get(dst + 1);
                        m.set(dst, bits);
                    }
                    Ok(Flow::Next)
                },
                /// `slot[dst] =` global `index`.
                GlobalGet { dst: out, index: index } [] |m| {
                    let bits = m.global(index)?;
                    m.set(dst, bits);
                    Ok(Flow::Next)
                },
                /// Global `index` `= slot[src]`.
                GlobalSet { src: reg, index: index } [] |m| {
                    let bits = m.get(src);
                    m.set_global(index, bits)?;
                    Ok(Flow::Next)
                },
                /// `slot[dst] =` global `index`, an i32 or i64 (also into `acc`).
                GlobalGetInt { dst: dst(u64), index: index } [] |m| {
                    let bits = m.global(index)?;
                    m.write(dst, bits);
                    Ok(Flow::Next)
                },
                /// Global `index`, an i32 or i64, `= src`.
                GlobalSetInt { src: in0(u64), index: index } [] |m| {
                    m.set_global(index, src)?;
                    Ok(Flow::Next)
                },
                /// `slot[dst] = a * a` as f64: `F64Mul` of one operand by itself, so that
                /// the operand can come from `facc` (the square of a value just computed,
                /// as in `x * x + y * y`) instead of being read back from its slot.
                F64Square { dst: dst(f64), a: in0(f64) } [] |m| {
                    m.write(dst, a * a);
                    Ok(Flow::Next)
                },
                /// `slot[dst] =` the size of memory 0 in pages.
                MemorySize { dst: out } [] |m| {
                    let pages = m.memory().len() / $crate::isa::memory::PAGE_SIZE;
                    m.set(dst, pages as u64);
                    Ok(Flow::Next)
                },
                /// `slot[dst] =` the size of memory 0 in bytes: `memory.size` of a memory
                /// of one-byte pages (custom-page-sizes).
                MemoryBytes { dst: out } [] |m| {
                    let bytes = m.memory().len();
                    m.set(dst, bytes as u64);
                    Ok(Flow::Next)
                },
                /// Grow memory 0 by `slot[delta]` pages; `slot[dst] =` the old size or -1.
                /// Left to the engine, which lends the machine its memory.
                MemoryGrow { dst: out, delta: reg } [stops] |m| {
                    Ok(Flow::Exit)
                },
                /// Grow a 64-bit memory (memory64) by `slot[delta]` pages, an i64;
                /// `slot[dst] =` the old size or -1, an i64. Left to the engine.
                MemoryGrow64 { dst: out, delta: reg } [stops] |m| {
                    Ok(Flow::Exit)
                },
                /// Trap unless the i64 address in `addr` is below 2^32: an access to a
                /// 64-bit memory (memory64) then goes through the 32-bit address
                /// instructions, which read its low half (a memory here is at most 4 GiB,
                /// so every address of 2^32 or more is out of bounds).
                CheckAddress64 { addr: reg } [may_trap] |m| {
                    match m.get(addr) >> 32 {
                        0 => Ok(Flow::Next),
                        _ => Err(TrapCode::MemoryAccessOutOfBounds),
                    }
                },
                /// An access whose static offset is 4 GiB or more (memory64): out of
                /// bounds of any memory.
                OutOfBounds {} [may_trap] |m| {
                    Err(TrapCode::MemoryAccessOutOfBounds)
                },
                /// Trap unless the i64 index in `index` is below 2^32: an operation on a
                /// 64-bit table (memory64) then goes through the 32-bit index
                /// instructions, which read its low half (a table here has fewer than
                /// 2^32 entries, so every index of 2^32 or more is out of bounds).
                CheckIndex64 { index: reg } [may_trap] |m| {
                    match m.get(index) >> 32 {
                        0 => Ok(Flow::Next),
                        _ => Err(TrapCode::TableAccessOutOfBounds),
                    }
                },
                /// A constant index of 2^32 or more into a 64-bit table: out of bounds
                /// of any table.
                IndexOutOfBounds {} [may_trap] |m| {
                    Err(TrapCode::TableAccessOutOfBounds)
                },
                /// `slot[dst] =` global `index`, a reference (its handle). Left to the
                /// engine, as are all instructions on references, tables and segments:
                /// the runtime keeps what a handle names.
                GlobalGetRef { dst: out, index: index } [stops] |m| {
                    Ok(Flow::Exit)
                },
                /// Global `index`, a reference, `= slot[src]`.
                GlobalSetRef { src: reg, index: index } [stops] |m| {
                    Ok(Flow::Exit)
                },
                /// `slot[dst] =` a reference to function `index` of the instance.
                RefFunc { dst: out, index: index } [stops] |m| {
                    Ok(Flow::Exit)
                },
                /// `slot[dst] =` entry `slot[elem]` of table `table`.
                TableGet { dst: out, elem: reg, table: index } [stops, may_trap] |m| {
                    Ok(Flow::Exit)
                },
                /// Entry `slot[elem]` of table `table` `= slot[value]`.
                TableSet { elem: reg, value: reg, table: index } [stops, may_trap] |m| {
                    Ok(Flow::Exit)
                },
                /// `slot[dst] =` the size of table `table`.
                TableSize { dst: out, table: index } [stops] |m| {
                    Ok(Flow::Exit)
                },
                /// Grow table `table` by `slot[base + 1]` entries set to `slot[base]`;
                /// `slot[base] =` the old size or -1.
                TableGrow { base: base, table: index } [stops] |m| {
                    Ok(Flow::Exit)
                },
                /// Set `slot[base + 2]` entries of table `table` from `slot[base]` to
                /// `slot[base + 1]`.
                TableFill { base: base, table: index } [stops, may_trap] |m| {
                    Ok(Flow::Exit)
                },
                /// Copy `slot[base + 2]` entries of table `src` from `slot[base + 1]` to
                /// table `dst` at `slot[base]`.
                TableCopy { base: base, dst: index, src: index } [stops, may_trap] |m| {
                    Ok(Flow::Exit)
                },
                /// Copy `slot[base + 2]` references of element segment `elem` from
                /// `slot[base + 1]` to table `table` at `slot[base]`.
                TableInit { base: base, table: index, elem: index } [stops, may_trap] |m| {
                    Ok(Flow::Exit)
                },
                /// Empty element segment `elem`.
                ElemDrop { elem: index } [stops] |m| {
                    Ok(Flow::Exit)
                },
                /// Copy `slot[base + 2]` bytes of data segment `data` from `slot[base + 1]`
                /// to memory 0 at `slot[base]`.
                MemoryInit { base: base, data: index } [stops, may_trap] |m| {
                    Ok(Flow::Exit)
                },
                /// Empty data segment `data`.
                DataDrop { data: index } [stops] |m| {
                    Ok(Flow::Exit)
                },
                /// Makes memory `memory` the one that memory instructions access (left to
                /// the engine, which borrows it instead of the one borrowed so far). The
                /// translator puts an access to a memory other than 0 between a selection
                /// of that memory and one of memory 0 (multi-memory).
                SelectMemory { memory: index } [stops] |m| {
                    Ok(Flow::Exit)
                },
                /// Wasm `memory.copy` between two different memories: `slot[base + 2]`
                /// bytes from memory `memories >> 16` at `slot[base + 1]` to memory
                /// `memories & 0xffff` at `slot[base]`. Left to the engine.
                MemoryCopyAcross { base: base, memories: index } [stops, may_trap] |m| {
                    Ok(Flow::Exit)
                },
                /// Wasm `v128.store`: the `v128` `value` at `addr + offset` of memory 0.
                V128Store { addr: in0(u32), value: vin, offset: offset } [may_trap] |m| {
                    let value = m.get_v128(value);
                    m.store(addr, offset, value)?;
                    Ok(Flow::Next)
                },
                /// Wasm `i8x16.shuffle`: `dst` = the bytes of the `v128`s at `ab` and
                /// `ab + 2` that the 16 lane indices of the `v128` `mask` select.
                I8x16Shuffle { dst: vdst, ab: vin2, mask: vin } [] |m| {
                    let (a, b) = (m.get_v128(ab), m.get_v128(ab + 2));
                    let lanes = m.get_v128(mask);
                    m.set_v128(dst, simd::i8x16_shuffle(a, b, lanes));
                    Ok(Flow::Next)
                },
                /// Wasm `select` of `v128`s: `dst` = the one at `src` if the i32 in `cond`
                /// is not zero, else the one at `src + 2`.
                V128Select { dst: vdst, src: vin2, cond: reg } [] |m| {
                    let pick = if m.get(cond) as u32 != 0 { src } else { src + 2 };
                    let value = m.get_v128(pick);
                    m.set_v128(dst, value);
                    Ok(Flow::Next)
                },
                /// Wasm `i64.add128`: the 128-bit sum of the integers whose halves (low
                /// first) are in `src, src + 1` and `src + 2, src + 3`, wrapping, its halves
                /// to `dst` and `dst + 1` (a 128-bit integer moves as a `v128` does, with
                /// the slot-pair kinds).
                I64Add128 { dst: vdst, src: vin2 } [] |m| {
                    let (a, b) = (m.get_v128(src).to_bits(), m.get_v128(src + 2).to_bits());
                    m.set_v128(dst, wasm_core::V128::from_bits(a.wrapping_add(b)));
                    Ok(Flow::Next)
                },
                /// Wasm `i64.sub128`: as `I64Add128`, the difference.
                I64Sub128 { dst: vdst, src: vin2 } [] |m| {
                    let (a, b) = (m.get_v128(src).to_bits(), m.get_v128(src + 2).to_bits());
                    m.set_v128(dst, wasm_core::V128::from_bits(a.wrapping_sub(b)));
                    Ok(Flow::Next)
                },
                /// Wasm `i64.mul_wide_s`: the 128-bit product of the signed `i64`s at `src`
                /// and `src + 1`, its halves to `dst` and `dst + 1`.
                I64MulWideS { dst: vdst, src: vin } [] |m| {
                    let (a, b) = (m.get(src) as i64, m.get(src + 1) as i64);
                    let product = (i128::from(a) * i128::from(b)) as u128;
                    m.set_v128(dst, wasm_core::V128::from_bits(product));
                    Ok(Flow::Next)
                },
                /// Wasm `i64.mul_wide_u`: as `I64MulWideS`, unsigned.
                I64MulWideU { dst: vdst, src: vin } [] |m| {
                    let (a, b) = (m.get(src), m.get(src + 1));
                    let product = u128::from(a) * u128::from(b);
                    m.set_v128(dst, wasm_core::V128::from_bits(product));
                    Ok(Flow::Next)
                },
                /// `dst` = the `v128` at `src`, as one 16-byte move: a later 16-byte read of
                /// `dst` takes it straight from the store, where after two 8-byte `Copy`s it
                /// would wait for both to complete.
                CopyV128 { dst: vdst, src: vin } [] |m| {
                    let value = m.get_v128(src);
                    m.set_v128(dst, value);
                    Ok(Flow::Next)
                },
                /// `dst` = global `index`, a `v128`. Left to the engine, which reads the
                /// global's two halves.
                GlobalGetV128 { dst: vdst, index: index } [stops] |m| {
                    Ok(Flow::Exit)
                },
                /// Global `index`, a `v128`, `=` the one at `src`.
                GlobalSetV128 { src: vin, index: index } [stops] |m| {
                    Ok(Flow::Exit)
                },
            }
            // Instructions lowered from one Wasm operator each (`from Operator { fields }`,
            // a pattern): the translator pops their inputs (`in0`, `in1`, `reg` fields, in
            // declaration order, as the operator's operands) and pushes their result
            // (a `dst` or `out` field) without code of its own.
            lowered {
                /// Wasm `memory.fill`: sets the `len` bytes at `addr` to the low byte of
                /// `value`; traps, writing nothing, if they are not all in memory 0.
                MemoryFill { addr: in0(u32), value: in1(u32), len: reg } [may_trap]
                from MemoryFill { mem: 0 } |m| {
                    let len = m.get(len) as u32;
                    m.fill(addr, value as u8, len)?;
                    Ok(Flow::Next)
                },
                /// Wasm `memory.copy`: copies the `len` bytes at `src` to `dst` (the ranges
                /// may overlap); traps, writing nothing, if either is not all in memory 0.
                MemoryCopy { dst: in0(u32), src: in1(u32), len: reg } [may_trap]
                from MemoryCopy { dst_mem: 0, src_mem: 0 } |m| {
                    let len = m.get(len) as u32;
                    m.copy(dst, src, len)?;
                    Ok(Flow::Next)
                },
            }
            // `Name = load(memory type => value type)`: `dst = mem[addr + offset]`.
            // `disp` names the load from `mem[addr + disp]` (the translation of `t.load
            // (i32.add addr disp)` with offset 0, `disp` a constant); `scaled` the load of
            // an array element, `mem[(index << log2(width)) + offset]` (the translation of
            // `t.load (i32.shl index log2(width))`); `indexed` the load from `mem[base +
            // index + offset]` with 16-bit slots (the translation of `t.load (i32.add base
            // index)`); `shifted` the load from `mem[base + (index << shift) + offset]`
            // (the translation of `t.load` of an `I32AddShifted`). The shift and the sum
            // wrap as the i32 operators they replace; adding the offset does not.
            loads {
                I32Load = load(i32 => i32) disp I32LoadDisp scaled I32LoadScaled indexed I32LoadIndexed shifted I32LoadShifted,
                I64Load = load(i64 => i64) disp I64LoadDisp scaled I64LoadScaled indexed I64LoadIndexed shifted I64LoadShifted,
                F32Load = load(f32 => f32) disp F32LoadDisp scaled F32LoadScaled indexed F32LoadIndexed shifted F32LoadShifted,
                F64Load = load(f64 => f64) disp F64LoadDisp scaled F64LoadScaled indexed F64LoadIndexed shifted F64LoadShifted,
                I32Load8S = load(i8 => i32) disp I32Load8SDisp indexed I32Load8SIndexed,
                I32Load8U = load(u8 => i32) disp I32Load8UDisp indexed I32Load8UIndexed,
                I32Load16S = load(i16 => i32) disp I32Load16SDisp indexed I32Load16SIndexed,
                I32Load16U = load(u16 => i32) disp I32Load16UDisp indexed I32Load16UIndexed,
                I64Load8S = load(i8 => i64) disp I64Load8SDisp indexed I64Load8SIndexed,
                I64Load8U = load(u8 => i64) disp I64Load8UDisp indexed I64Load8UIndexed,
                I64Load16S = load(i16 => i64) disp I64Load16SDisp indexed I64Load16SIndexed,
                I64Load16U = load(u16 => i64) disp I64Load16UDisp indexed I64Load16UIndexed,
                I64Load32S = load(i32 => i64) disp I64Load32SDisp indexed I64Load32SIndexed,
                I64Load32U = load(u32 => i64) disp I64Load32UDisp indexed I64Load32UIndexed,
            }
            // `Name = store(value type => memory type)`: `mem[addr + offset] = value`;
            // `disp` names the store to `addr + disp` (as for loads), `imm` the store of a
            // constant (sign-extended to 64 bits, stores keep
            // the low bits).
            stores {
                I32Store = store(i32 => i32) disp I32StoreDisp imm I32StoreImm,
                I64Store = store(i64 => i64) disp I64StoreDisp imm I64StoreImm,
                F32Store = store(f32 => f32) disp F32StoreDisp,
                F64Store = store(f64 => f64) disp F64StoreDisp,
                I32Store8 = store(i32 => i8) disp I32Store8Disp imm I32Store8Imm,
                I32Store16 = store(i32 => i16) disp I32Store16Disp imm I32Store16Imm,
                I64Store8 = store(i64 => i8) disp I64Store8Disp imm I64Store8Imm,
                I64Store16 = store(i64 => i16) disp I64Store16Disp imm I64Store16Imm,
                I64Store32 = store(i64 => i32) disp I64Store32Disp imm I64Store32Imm,
            }
            // `Name = un(input type => output type) |a| value`; `un_t` when the value is a
            // `Result` (a trap).
            unary {
                I32Eqz = un(i32 => i32) |a| (a == 0) as i32,
                I32Clz = un(i32 => i32) |a| a.leading_zeros() as i32,
                I32Ctz = un(i32 => i32) |a| a.trailing_zeros() as i32,
                I32Popcnt = un(i32 => i32) |a| a.count_ones() as i32,
                I64Eqz = un(i64 => i32) |a| (a == 0) as i32,
                I64Clz = un(i64 => i64) |a| i64::from(a.leading_zeros()),
                I64Ctz = un(i64 => i64) |a| i64::from(a.trailing_zeros()),
                I64Popcnt = un(i64 => i64) |a| i64::from(a.count_ones()),
                F32Abs = un(f32 => f32) |a| a.abs(),
                F32Neg = un(f32 => f32) |a| -a,
                F32Ceil = un(f32 => f32) |a| semantics::quiet32(semantics::ceil32(a)),
                F32Floor = un(f32 => f32) |a| semantics::quiet32(semantics::floor32(a)),
                F32Trunc = un(f32 => f32) |a| semantics::quiet32(semantics::trunc32(a)),
                F32Nearest = un(f32 => f32) |a| semantics::quiet32(semantics::nearest32(a)),
                F32Sqrt = un(f32 => f32) |a| semantics::sqrt32(a),
                F64Abs = un(f64 => f64) |a| a.abs(),
                F64Neg = un(f64 => f64) |a| -a,
                F64Ceil = un(f64 => f64) |a| semantics::quiet64(semantics::ceil64(a)),
                F64Floor = un(f64 => f64) |a| semantics::quiet64(semantics::floor64(a)),
                F64Trunc = un(f64 => f64) |a| semantics::quiet64(semantics::trunc64(a)),
                F64Nearest = un(f64 => f64) |a| semantics::quiet64(semantics::nearest64(a)),
                F64Sqrt = un(f64 => f64) |a| semantics::sqrt64(a),
                I32WrapI64 = un(i64 => i32) |a| a as i32,
                I32TruncF32S = un_t(f32 => i32) |a| semantics::trunc(f64::from(a), -2147483649.0, 2147483648.0).map(|t| t as i32),
                I32TruncF32U = un_t(f32 => i32) |a| semantics::trunc(f64::from(a), -1.0, 4294967296.0).map(|t| t as u32 as i32),
                I32TruncF64S = un_t(f64 => i32) |a| semantics::trunc(a, -2147483649.0, 2147483648.0).map(|t| t as i32),
                I32TruncF64U = un_t(f64 => i32) |a| semantics::trunc(a, -1.0, 4294967296.0).map(|t| t as u32 as i32),
                I64ExtendI32S = un(i32 => i64) |a| i64::from(a),
                I64ExtendI32U = un(u32 => i64) |a| i64::from(a),
                I64TruncF32S = un_t(f32 => i64) |a| semantics::trunc_i64(f64::from(a)),
                I64TruncF32U = un_t(f32 => i64) |a| semantics::trunc_u64(f64::from(a)),
                I64TruncF64S = un_t(f64 => i64) |a| semantics::trunc_i64(a),
                I64TruncF64U = un_t(f64 => i64) |a| semantics::trunc_u64(a),
                F32ConvertI32S = un(i32 => f32) |a| a as f32,
                F32ConvertI32U = un(u32 => f32) |a| a as f32,
                F32ConvertI64S = un(i64 => f32) |a| a as f32,
                F32ConvertI64U = un(u64 => f32) |a| a as f32,
                F32DemoteF64 = un(f64 => f32) |a| a as f32,
                F64ConvertI32S = un(i32 => f64) |a| f64::from(a),
                F64ConvertI32U = un(u32 => f64) |a| f64::from(a),
                F64ConvertI64S = un(i64 => f64) |a| a as f64,
                F64ConvertI64U = un(u64 => f64) |a| a as f64,
                F64PromoteF32 = un(f32 => f64) |a| f64::from(a),
                I32ReinterpretF32 = un(u32 => u32) |a| a,
                I64ReinterpretF64 = un(u64 => u64) |a| a,
                F32ReinterpretI32 = un(u32 => u32) |a| a,
                F64ReinterpretI64 = un(u64 => u64) |a| a,
                I32Extend8S = un(i32 => i32) |a| i32::from(a as i8),
                I32Extend16S = un(i32 => i32) |a| i32::from(a as i16),
                I64Extend8S = un(i64 => i64) |a| i64::from(a as i8),
                I64Extend16S = un(i64 => i64) |a| i64::from(a as i16),
                I64Extend32S = un(i64 => i64) |a| i64::from(a as i32),
                I32TruncSatF32S = un(f32 => i32) |a| a as i32,
                I32TruncSatF32U = un(f32 => u32) |a| a as u32,
                I32TruncSatF64S = un(f64 => i32) |a| a as i32,
                I32TruncSatF64U = un(f64 => u32) |a| a as u32,
                I64TruncSatF32S = un(f32 => i64) |a| a as i64,
                I64TruncSatF32U = un(f32 => u64) |a| a as u64,
                I64TruncSatF64S = un(f64 => i64) |a| a as i64,
                I64TruncSatF64U = un(f64 => u64) |a| a as u64,
            }
            // `Name = bin(input type => output type) [capabilities] imm ImmName |a, b|
            // value`; `bin_t` when the value is a `Result` (a trap). `imm` names the form
            // whose right operand is an immediate (sign-extended for 64-bit operands).
            binary {
                I32Eq = bin(i32 => i32) [commutative] imm I32EqImm |a, b| (a == b) as i32,
                I32Ne = bin(i32 => i32) [commutative] imm I32NeImm |a, b| (a != b) as i32,
                I32LtS = bin(i32 => i32) imm I32LtSImm |a, b| (a < b) as i32,
                I32LtU = bin(u32 => i32) imm I32LtUImm |a, b| (a < b) as i32,
                I32GtS = bin(i32 => i32) imm I32GtSImm |a, b| (a > b) as i32,
                I32GtU = bin(u32 => i32) imm I32GtUImm |a, b| (a > b) as i32,
                I32LeS = bin(i32 => i32) imm I32LeSImm |a, b| (a <= b) as i32,
                I32LeU = bin(u32 => i32) imm I32LeUImm |a, b| (a <= b) as i32,
                I32GeS = bin(i32 => i32) imm I32GeSImm |a, b| (a >= b) as i32,
                I32GeU = bin(u32 => i32) imm I32GeUImm |a, b| (a >= b) as i32,
                I64Eq = bin(i64 => i32) [commutative] imm I64EqImm |a, b| (a == b) as i32,
                I64Ne = bin(i64 => i32) [commutative] imm I64NeImm |a, b| (a != b) as i32,
                I64LtS = bin(i64 => i32) imm I64LtSImm |a, b| (a < b) as i32,
                I64LtU = bin(u64 => i32) imm I64LtUImm |a, b| (a < b) as i32,
                I64GtS = bin(i64 => i32) imm I64GtSImm |a, b| (a > b) as i32,
                I64GtU = bin(u64 => i32) imm I64GtUImm |a, b| (a > b) as i32,
                I64LeS = bin(i64 => i32) imm I64LeSImm |a, b| (a <= b) as i32,
                I64LeU = bin(u64 => i32) imm I64LeUImm |a, b| (a <= b) as i32,
                I64GeS = bin(i64 => i32) imm I64GeSImm |a, b| (a >= b) as i32,
                I64GeU = bin(u64 => i32) imm I64GeUImm |a, b| (a >= b) as i32,
                F32Eq = bin(f32 => i32) |a, b| (a == b) as i32,
                F32Ne = bin(f32 => i32) |a, b| (a != b) as i32,
                F32Lt = bin(f32 => i32) |a, b| (a < b) as i32,
                F32Gt = bin(f32 => i32) |a, b| (a > b) as i32,
                F32Le = bin(f32 => i32) |a, b| (a <= b) as i32,
                F32Ge = bin(f32 => i32) |a, b| (a >= b) as i32,
                F64Eq = bin(f64 => i32) |a, b| (a == b) as i32,
                F64Ne = bin(f64 => i32) |a, b| (a != b) as i32,
                F64Lt = bin(f64 => i32) |a, b| (a < b) as i32,
                F64Gt = bin(f64 => i32) |a, b| (a > b) as i32,
                F64Le = bin(f64 => i32) |a, b| (a <= b) as i32,
                F64Ge = bin(f64 => i32) |a, b| (a >= b) as i32,
                I32Add = bin(i32 => i32) [commutative] imm I32AddImm |a, b| a.wrapping_add(b),
                I32Sub = bin(i32 => i32) imm I32SubImm |a, b| a.wrapping_sub(b),
                I32Mul = bin(i32 => i32) [commutative] imm I32MulImm |a, b| a.wrapping_mul(b),
                I32DivS = bin_t(i32 => i32) imm I32DivSImm |a, b| semantics::div_s32(a, b),
                I32DivU = bin_t(u32 => u32) imm I32DivUImm |a, b| a.checked_div(b).ok_or(TrapCode::DivisionByZero),
                I32RemS = bin_t(i32 => i32) imm I32RemSImm |a, b| semantics::rem_s32(a, b),
                I32RemU = bin_t(u32 => u32) imm I32RemUImm |a, b| a.checked_rem(b).ok_or(TrapCode::DivisionByZero),
                I32And = bin(i32 => i32) [commutative] imm I32AndImm |a, b| a & b,
                I32Or = bin(i32 => i32) [commutative] imm I32OrImm |a, b| a | b,
                I32Xor = bin(i32 => i32) [commutative] imm I32XorImm |a, b| a ^ b,
                I32Shl = bin(i32 => i32) imm I32ShlImm |a, b| a.wrapping_shl(b as u32),
                I32ShrS = bin(i32 => i32) imm I32ShrSImm |a, b| a.wrapping_shr(b as u32),
                I32ShrU = bin(u32 => u32) imm I32ShrUImm |a, b| a.wrapping_shr(b),
                I32Rotl = bin(u32 => u32) imm I32RotlImm |a, b| a.rotate_left(b),
                I32Rotr = bin(u32 => u32) imm I32RotrImm |a, b| a.rotate_right(b),
                I64Add = bin(i64 => i64) [commutative] imm I64AddImm |a, b| a.wrapping_add(b),
                I64Sub = bin(i64 => i64) imm I64SubImm |a, b| a.wrapping_sub(b),
                I64Mul = bin(i64 => i64) [commutative] imm I64MulImm |a, b| a.wrapping_mul(b),
                I64DivS = bin_t(i64 => i64) imm I64DivSImm |a, b| semantics::div_s64(a, b),
                I64DivU = bin_t(u64 => u64) imm I64DivUImm |a, b| a.checked_div(b).ok_or(TrapCode::DivisionByZero),
                I64RemS = bin_t(i64 => i64) imm I64RemSImm |a, b| semantics::rem_s64(a, b),
                I64RemU = bin_t(u64 => u64) imm I64RemUImm |a, b| a.checked_rem(b).ok_or(TrapCode::DivisionByZero),
                I64And = bin(i64 => i64) [commutative] imm I64AndImm |a, b| a & b,
                I64Or = bin(i64 => i64) [commutative] imm I64OrImm |a, b| a | b,
                I64Xor = bin(i64 => i64) [commutative] imm I64XorImm |a, b| a ^ b,
                I64Shl = bin(i64 => i64) imm I64ShlImm |a, b| a.wrapping_shl(b as u32),
                I64ShrS = bin(i64 => i64) imm I64ShrSImm |a, b| a.wrapping_shr(b as u32),
                I64ShrU = bin(u64 => u64) imm I64ShrUImm |a, b| a.wrapping_shr(b as u32),
                I64Rotl = bin(u64 => u64) imm I64RotlImm |a, b| a.rotate_left(b as u32),
                I64Rotr = bin(u64 => u64) imm I64RotrImm |a, b| a.rotate_right(b as u32),
                F32Add = bin(f32 => f32) |a, b| a + b,
                F32Sub = bin(f32 => f32) |a, b| a - b,
                F32Mul = bin(f32 => f32) |a, b| a * b,
                F32Div = bin(f32 => f32) |a, b| a / b,
                F32Min = bin(f32 => f32) |a, b| semantics::min32(a, b),
                F32Max = bin(f32 => f32) |a, b| semantics::max32(a, b),
                F32Copysign = bin(f32 => f32) |a, b| a.copysign(b),
                F64Add = bin(f64 => f64) |a, b| a + b,
                F64Sub = bin(f64 => f64) |a, b| a - b,
                F64Mul = bin(f64 => f64) |a, b| a * b,
                F64Div = bin(f64 => f64) |a, b| a / b,
                F64Min = bin(f64 => f64) |a, b| semantics::min64(a, b),
                F64Max = bin(f64 => f64) |a, b| semantics::max64(a, b),
                F64Copysign = bin(f64 => f64) |a, b| a.copysign(b),
            }
            // `Br / BrImm = (type) op for Cmp / CmpImm not Not / NotImm`: jump to `target`
            // if `a op b` (`a op imm`), the fusion of comparison `Cmp` with the branch on
            // its result; `Not` is the comparison that holds when `Cmp` does not.
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
            // `Br / BrNot = (type) op for Cmp`: float compare-and-branch. `Br` jumps when
            // the comparison holds, `BrNot` when it does not (so also when an operand is
            // NaN): a float comparison's negation is not a comparison.
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
            // `Step / StepImm = (type) op for Br / BrImm`: a loop counter's step and test,
            // `I32AddImm` of a slot in place followed by the fused branch `Br` (`BrImm`) on
            // it: `a += step` (as i32, also into `acc`), then jump to `target` if `a op b`
            // (`a op imm`), else skip the branch, which stays after it (made by the
            // accumulator pass, `fuse_counter` in the translator).
            counter_branch {
                I32AddImmBrLtU / I32AddImmBrLtUImm = (u32) < for BrI32LtU / BrI32LtUImm,
                I32AddImmBrLtS / I32AddImmBrLtSImm = (i32) < for BrI32LtS / BrI32LtSImm,
                I32AddImmBrNe / I32AddImmBrNeImm = (i32) != for BrI32Ne / BrI32NeImm,
            }
            // SIMD: a `v128` lives in two adjacent slots, low half first (`vdst`, `vin`);
            // the lane operations are `simd.rs`'s functions. One line per Wasm operator of
            // the same name, by signature: `vun` `[v128] -> [v128]`, `vtest`
            // `[v128] -> [i32]`, `vbin` `[v128 v128] -> [v128]`, `vshift`
            // `[v128 i32] -> [v128]`, `vtern` `[v128 v128 v128] -> [v128]` (its operands in
            // six consecutive slots), `splat(t)` `[t] -> [v128]`, `extract(t)` lane
            // `[v128] -> [t]`, `replace(t)` lane `[v128 t] -> [v128]`, `vload(m)` the
            // load of an `m` made a vector.
            vunary {
                V128Not = vun |a| simd::v128_not(a),
                I8x16Abs = vun |a| simd::i8x16_abs(a),
                I8x16Neg = vun |a| simd::i8x16_neg(a),
                I8x16Popcnt = vun |a| simd::i8x16_popcnt(a),
                I16x8ExtAddPairwiseI8x16S = vun |a| simd::i16x8_extadd_pairwise_i8x16_s(a),
                I16x8ExtAddPairwiseI8x16U = vun |a| simd::i16x8_extadd_pairwise_i8x16_u(a),
                I16x8Abs = vun |a| simd::i16x8_abs(a),
                I16x8Neg = vun |a| simd::i16x8_neg(a),
                I16x8ExtendLowI8x16S = vun |a| simd::i16x8_extend_low_i8x16_s(a),
                I16x8ExtendHighI8x16S = vun |a| simd::i16x8_extend_high_i8x16_s(a),
                I16x8ExtendLowI8x16U = vun |a| simd::i16x8_extend_low_i8x16_u(a),
                I16x8ExtendHighI8x16U = vun |a| simd::i16x8_extend_high_i8x16_u(a),
                I32x4ExtAddPairwiseI16x8S = vun |a| simd::i32x4_extadd_pairwise_i16x8_s(a),
                I32x4ExtAddPairwiseI16x8U = vun |a| simd::i32x4_extadd_pairwise_i16x8_u(a),
                I32x4Abs = vun |a| simd::i32x4_abs(a),
                I32x4Neg = vun |a| simd::i32x4_neg(a),
                I32x4ExtendLowI16x8S = vun |a| simd::i32x4_extend_low_i16x8_s(a),
                I32x4ExtendHighI16x8S = vun |a| simd::i32x4_extend_high_i16x8_s(a),
                I32x4ExtendLowI16x8U = vun |a| simd::i32x4_extend_low_i16x8_u(a),
                I32x4ExtendHighI16x8U = vun |a| simd::i32x4_extend_high_i16x8_u(a),
                I64x2Abs = vun |a| simd::i64x2_abs(a),
                I64x2Neg = vun |a| simd::i64x2_neg(a),
                I64x2ExtendLowI32x4S = vun |a| simd::i64x2_extend_low_i32x4_s(a),
                I64x2ExtendHighI32x4S = vun |a| simd::i64x2_extend_high_i32x4_s(a),
                I64x2ExtendLowI32x4U = vun |a| simd::i64x2_extend_low_i32x4_u(a),
                I64x2ExtendHighI32x4U = vun |a| simd::i64x2_extend_high_i32x4_u(a),
                F32x4Ceil = vun |a| simd::f32x4_ceil(a),
                F32x4Floor = vun |a| simd::f32x4_floor(a),
                F32x4Trunc = vun |a| simd::f32x4_trunc(a),
                F32x4Nearest = vun |a| simd::f32x4_nearest(a),
                F32x4Abs = vun |a| simd::f32x4_abs(a),
                F32x4Neg = vun |a| simd::f32x4_neg(a),
                F32x4Sqrt = vun |a| simd::f32x4_sqrt(a),
                F64x2Ceil = vun |a| simd::f64x2_ceil(a),
                F64x2Floor = vun |a| simd::f64x2_floor(a),
                F64x2Trunc = vun |a| simd::f64x2_trunc(a),
                F64x2Nearest = vun |a| simd::f64x2_nearest(a),
                F64x2Abs = vun |a| simd::f64x2_abs(a),
                F64x2Neg = vun |a| simd::f64x2_neg(a),
                F64x2Sqrt = vun |a| simd::f64x2_sqrt(a),
                I32x4TruncSatF32x4S = vun |a| simd::i32x4_trunc_sat_f32x4_s(a),
                I32x4TruncSatF32x4U = vun |a| simd::i32x4_trunc_sat_f32x4_u(a),
                F32x4ConvertI32x4S = vun |a| simd::f32x4_convert_i32x4_s(a),
                F32x4ConvertI32x4U = vun |a| simd::f32x4_convert_i32x4_u(a),
                I32x4TruncSatF64x2SZero = vun |a| simd::i32x4_trunc_sat_f64x2_s_zero(a),
                I32x4TruncSatF64x2UZero = vun |a| simd::i32x4_trunc_sat_f64x2_u_zero(a),
                F64x2ConvertLowI32x4S = vun |a| simd::f64x2_convert_low_i32x4_s(a),
                F64x2ConvertLowI32x4U = vun |a| simd::f64x2_convert_low_i32x4_u(a),
                F32x4DemoteF64x2Zero = vun |a| simd::f32x4_demote_f64x2_zero(a),
                F64x2PromoteLowF32x4 = vun |a| simd::f64x2_promote_low_f32x4(a),
                I32x4RelaxedTruncF32x4S = vun |a| simd::i32x4_relaxed_trunc_f32x4_s(a),
                I32x4RelaxedTruncF32x4U = vun |a| simd::i32x4_relaxed_trunc_f32x4_u(a),
                I32x4RelaxedTruncF64x2SZero = vun |a| simd::i32x4_relaxed_trunc_f64x2_s_zero(a),
                I32x4RelaxedTruncF64x2UZero = vun |a| simd::i32x4_relaxed_trunc_f64x2_u_zero(a),
            }
            vtest {
                V128AnyTrue = vtest |a| simd::v128_any_true(a),
                I8x16AllTrue = vtest |a| simd::i8x16_all_true(a),
                I8x16Bitmask = vtest |a| simd::i8x16_bitmask(a),
                I16x8AllTrue = vtest |a| simd::i16x8_all_true(a),
                I16x8Bitmask = vtest |a| simd::i16x8_bitmask(a),
                I32x4AllTrue = vtest |a| simd::i32x4_all_true(a),
                I32x4Bitmask = vtest |a| simd::i32x4_bitmask(a),
                I64x2AllTrue = vtest |a| simd::i64x2_all_true(a),
                I64x2Bitmask = vtest |a| simd::i64x2_bitmask(a),
            }
            vbinary {
                I8x16Swizzle = vbin |a, b| simd::i8x16_swizzle(a, b),
                I8x16Eq = vbin |a, b| simd::i8x16_eq(a, b),
                I8x16Ne = vbin |a, b| simd::i8x16_ne(a, b),
                I8x16LtS = vbin |a, b| simd::i8x16_lt_s(a, b),
                I8x16LtU = vbin |a, b| simd::i8x16_lt_u(a, b),
                I8x16GtS = vbin |a, b| simd::i8x16_gt_s(a, b),
                I8x16GtU = vbin |a, b| simd::i8x16_gt_u(a, b),
                I8x16LeS = vbin |a, b| simd::i8x16_le_s(a, b),
                I8x16LeU = vbin |a, b| simd::i8x16_le_u(a, b),
                I8x16GeS = vbin |a, b| simd::i8x16_ge_s(a, b),
                I8x16GeU = vbin |a, b| simd::i8x16_ge_u(a, b),
                I16x8Eq = vbin |a, b| simd::i16x8_eq(a, b),
                I16x8Ne = vbin |a, b| simd::i16x8_ne(a, b),
                I16x8LtS = vbin |a, b| simd::i16x8_lt_s(a, b),
                I16x8LtU = vbin |a, b| simd::i16x8_lt_u(a, b),
                I16x8GtS = vbin |a, b| simd::i16x8_gt_s(a, b),
                I16x8GtU = vbin |a, b| simd::i16x8_gt_u(a, b),
                I16x8LeS = vbin |a, b| simd::i16x8_le_s(a, b),
                I16x8LeU = vbin |a, b| simd::i16x8_le_u(a, b),
                I16x8GeS = vbin |a, b| simd::i16x8_ge_s(a, b),
                I16x8GeU = vbin |a, b| simd::i16x8_ge_u(a, b),
                I32x4Eq = vbin |a, b| simd::i32x4_eq(a, b),
                I32x4Ne = vbin |a, b| simd::i32x4_ne(a, b),
                I32x4LtS = vbin |a, b| simd::i32x4_lt_s(a, b),
                I32x4LtU = vbin |a, b| simd::i32x4_lt_u(a, b),
                I32x4GtS = vbin |a, b| simd::i32x4_gt_s(a, b),
                I32x4GtU = vbin |a, b| simd::i32x4_gt_u(a, b),
                I32x4LeS = vbin |a, b| simd::i32x4_le_s(a, b),
                I32x4LeU = vbin |a, b| simd::i32x4_le_u(a, b),
                I32x4GeS = vbin |a, b| simd::i32x4_ge_s(a, b),
                I32x4GeU = vbin |a, b| simd::i32x4_ge_u(a, b),
                I64x2Eq = vbin |a, b| simd::i64x2_eq(a, b),
                I64x2Ne = vbin |a, b| simd::i64x2_ne(a, b),
                I64x2LtS = vbin |a, b| simd::i64x2_lt_s(a, b),
                I64x2GtS = vbin |a, b| simd::i64x2_gt_s(a, b),
                I64x2LeS = vbin |a, b| simd::i64x2_le_s(a, b),
                I64x2GeS = vbin |a, b| simd::i64x2_ge_s(a, b),
                F32x4Eq = vbin |a, b| simd::f32x4_eq(a, b),
                F32x4Ne = vbin |a, b| simd::f32x4_ne(a, b),
                F32x4Lt = vbin |a, b| simd::f32x4_lt(a, b),
                F32x4Gt = vbin |a, b| simd::f32x4_gt(a, b),
                F32x4Le = vbin |a, b| simd::f32x4_le(a, b),
                F32x4Ge = vbin |a, b| simd::f32x4_ge(a, b),
                F64x2Eq = vbin |a, b| simd::f64x2_eq(a, b),
                F64x2Ne = vbin |a, b| simd::f64x2_ne(a, b),
                F64x2Lt = vbin |a, b| simd::f64x2_lt(a, b),
                F64x2Gt = vbin |a, b| simd::f64x2_gt(a, b),
                F64x2Le = vbin |a, b| simd::f64x2_le(a, b),
                F64x2Ge = vbin |a, b| simd::f64x2_ge(a, b),
                V128And = vbin |a, b| simd::v128_and(a, b),
                V128AndNot = vbin |a, b| simd::v128_andnot(a, b),
                V128Or = vbin |a, b| simd::v128_or(a, b),
                V128Xor = vbin |a, b| simd::v128_xor(a, b),
                I8x16NarrowI16x8S = vbin |a, b| simd::i8x16_narrow_i16x8_s(a, b),
                I8x16NarrowI16x8U = vbin |a, b| simd::i8x16_narrow_i16x8_u(a, b),
                I8x16Add = vbin |a, b| simd::i8x16_add(a, b),
                I8x16AddSatS = vbin |a, b| simd::i8x16_add_sat_s(a, b),
                I8x16AddSatU = vbin |a, b| simd::i8x16_add_sat_u(a, b),
                I8x16Sub = vbin |a, b| simd::i8x16_sub(a, b),
                I8x16SubSatS = vbin |a, b| simd::i8x16_sub_sat_s(a, b),
                I8x16SubSatU = vbin |a, b| simd::i8x16_sub_sat_u(a, b),
                I8x16MinS = vbin |a, b| simd::i8x16_min_s(a, b),
                I8x16MinU = vbin |a, b| simd::i8x16_min_u(a, b),
                I8x16MaxS = vbin |a, b| simd::i8x16_max_s(a, b),
                I8x16MaxU = vbin |a, b| simd::i8x16_max_u(a, b),
                I8x16AvgrU = vbin |a, b| simd::i8x16_avgr_u(a, b),
                I16x8Q15MulrSatS = vbin |a, b| simd::i16x8_q15mulr_sat_s(a, b),
                I16x8NarrowI32x4S = vbin |a, b| simd::i16x8_narrow_i32x4_s(a, b),
                I16x8NarrowI32x4U = vbin |a, b| simd::i16x8_narrow_i32x4_u(a, b),
                I16x8Add = vbin |a, b| simd::i16x8_add(a, b),
                I16x8AddSatS = vbin |a, b| simd::i16x8_add_sat_s(a, b),
                I16x8AddSatU = vbin |a, b| simd::i16x8_add_sat_u(a, b),
                I16x8Sub = vbin |a, b| simd::i16x8_sub(a, b),
                I16x8SubSatS = vbin |a, b| simd::i16x8_sub_sat_s(a, b),
                I16x8SubSatU = vbin |a, b| simd::i16x8_sub_sat_u(a, b),
                I16x8Mul = vbin |a, b| simd::i16x8_mul(a, b),
                I16x8MinS = vbin |a, b| simd::i16x8_min_s(a, b),
                I16x8MinU = vbin |a, b| simd::i16x8_min_u(a, b),
                I16x8MaxS = vbin |a, b| simd::i16x8_max_s(a, b),
                I16x8MaxU = vbin |a, b| simd::i16x8_max_u(a, b),
                I16x8AvgrU = vbin |a, b| simd::i16x8_avgr_u(a, b),
                I16x8ExtMulLowI8x16S = vbin |a, b| simd::i16x8_extmul_low_i8x16_s(a, b),
                I16x8ExtMulHighI8x16S = vbin |a, b| simd::i16x8_extmul_high_i8x16_s(a, b),
                I16x8ExtMulLowI8x16U = vbin |a, b| simd::i16x8_extmul_low_i8x16_u(a, b),
                I16x8ExtMulHighI8x16U = vbin |a, b| simd::i16x8_extmul_high_i8x16_u(a, b),
                I32x4Add = vbin |a, b| simd::i32x4_add(a, b),
                I32x4Sub = vbin |a, b| simd::i32x4_sub(a, b),
                I32x4Mul = vbin |a, b| simd::i32x4_mul(a, b),
                I32x4MinS = vbin |a, b| simd::i32x4_min_s(a, b),
                I32x4MinU = vbin |a, b| simd::i32x4_min_u(a, b),
                I32x4MaxS = vbin |a, b| simd::i32x4_max_s(a, b),
                I32x4MaxU = vbin |a, b| simd::i32x4_max_u(a, b),
                I32x4DotI16x8S = vbin |a, b| simd::i32x4_dot_i16x8_s(a, b),
                I32x4ExtMulLowI16x8S = vbin |a, b| simd::i32x4_extmul_low_i16x8_s(a, b),
                I32x4ExtMulHighI16x8S = vbin |a, b| simd::i32x4_extmul_high_i16x8_s(a, b),
                I32x4ExtMulLowI16x8U = vbin |a, b| simd::i32x4_extmul_low_i16x8_u(a, b),
                I32x4ExtMulHighI16x8U = vbin |a, b| simd::i32x4_extmul_high_i16x8_u(a, b),
                I64x2Add = vbin |a, b| simd::i64x2_add(a, b),
                I64x2Sub = vbin |a, b| simd::i64x2_sub(a, b),
                I64x2Mul = vbin |a, b| simd::i64x2_mul(a, b),
                I64x2ExtMulLowI32x4S = vbin |a, b| simd::i64x2_extmul_low_i32x4_s(a, b),
                I64x2ExtMulHighI32x4S = vbin |a, b| simd::i64x2_extmul_high_i32x4_s(a, b),
                I64x2ExtMulLowI32x4U = vbin |a, b| simd::i64x2_extmul_low_i32x4_u(a, b),
                I64x2ExtMulHighI32x4U = vbin |a, b| simd::i64x2_extmul_high_i32x4_u(a, b),
                F32x4Add = vbin |a, b| simd::f32x4_add(a, b),
                F32x4Sub = vbin |a, b| simd::f32x4_sub(a, b),
                F32x4Mul = vbin |a, b| simd::f32x4_mul(a, b),
                F32x4Div = vbin |a, b| simd::f32x4_div(a, b),
                F32x4Min = vbin |a, b| simd::f32x4_min(a, b),
                F32x4Max = vbin |a, b| simd::f32x4_max(a, b),
                F32x4PMin = vbin |a, b| simd::f32x4_pmin(a, b),
                F32x4PMax = vbin |a, b| simd::f32x4_pmax(a, b),
                F64x2Add = vbin |a, b| simd::f64x2_add(a, b),
                F64x2Sub = vbin |a, b| simd::f64x2_sub(a, b),
                F64x2Mul = vbin |a, b| simd::f64x2_mul(a, b),
                F64x2Div = vbin |a, b| simd::f64x2_div(a, b),
                F64x2Min = vbin |a, b| simd::f64x2_min(a, b),
                F64x2Max = vbin |a, b| simd::f64x2_max(a, b),
                F64x2PMin = vbin |a, b| simd::f64x2_pmin(a, b),
                F64x2PMax = vbin |a, b| simd::f64x2_pmax(a, b),
                I8x16RelaxedSwizzle = vbin |a, b| simd::i8x16_relaxed_swizzle(a, b),
                F32x4RelaxedMin = vbin |a, b| simd::f32x4_relaxed_min(a, b),
                F32x4RelaxedMax = vbin |a, b| simd::f32x4_relaxed_max(a, b),
                F64x2RelaxedMin = vbin |a, b| simd::f64x2_relaxed_min(a, b),
                F64x2RelaxedMax = vbin |a, b| simd::f64x2_relaxed_max(a, b),
                I16x8RelaxedQ15mulrS = vbin |a, b| simd::i16x8_relaxed_q15mulr_s(a, b),
                I16x8RelaxedDotI8x16I7x16S = vbin |a, b| simd::i16x8_relaxed_dot_i8x16_i7x16_s(a, b),
            }
            vshift {
                I8x16Shl = vshift |a, s| simd::i8x16_shl(a, s),
                I8x16ShrS = vshift |a, s| simd::i8x16_shr_s(a, s),
                I8x16ShrU = vshift |a, s| simd::i8x16_shr_u(a, s),
                I16x8Shl = vshift |a, s| simd::i16x8_shl(a, s),
                I16x8ShrS = vshift |a, s| simd::i16x8_shr_s(a, s),
                I16x8ShrU = vshift |a, s| simd::i16x8_shr_u(a, s),
                I32x4Shl = vshift |a, s| simd::i32x4_shl(a, s),
                I32x4ShrS = vshift |a, s| simd::i32x4_shr_s(a, s),
                I32x4ShrU = vshift |a, s| simd::i32x4_shr_u(a, s),
                I64x2Shl = vshift |a, s| simd::i64x2_shl(a, s),
                I64x2ShrS = vshift |a, s| simd::i64x2_shr_s(a, s),
                I64x2ShrU = vshift |a, s| simd::i64x2_shr_u(a, s),
            }
            vternary {
                V128Bitselect = vtern |a, b, c| simd::v128_bitselect(a, b, c),
                F32x4RelaxedMadd = vtern |a, b, c| simd::f32x4_relaxed_madd(a, b, c),
                F32x4RelaxedNmadd = vtern |a, b, c| simd::f32x4_relaxed_nmadd(a, b, c),
                F64x2RelaxedMadd = vtern |a, b, c| simd::f64x2_relaxed_madd(a, b, c),
                F64x2RelaxedNmadd = vtern |a, b, c| simd::f64x2_relaxed_nmadd(a, b, c),
                I8x16RelaxedLaneselect = vtern |a, b, c| simd::i8x16_relaxed_laneselect(a, b, c),
                I16x8RelaxedLaneselect = vtern |a, b, c| simd::i16x8_relaxed_laneselect(a, b, c),
                I32x4RelaxedLaneselect = vtern |a, b, c| simd::i32x4_relaxed_laneselect(a, b, c),
                I64x2RelaxedLaneselect = vtern |a, b, c| simd::i64x2_relaxed_laneselect(a, b, c),
                I32x4RelaxedDotI8x16I7x16AddS = vtern |a, b, c| simd::i32x4_relaxed_dot_i8x16_i7x16_add_s(a, b, c),
            }
            splat {
                I8x16Splat = splat(i32) |x| simd::i8x16_splat(x),
                I16x8Splat = splat(i32) |x| simd::i16x8_splat(x),
                I32x4Splat = splat(i32) |x| simd::i32x4_splat(x),
                I64x2Splat = splat(i64) |x| simd::i64x2_splat(x),
                F32x4Splat = splat(f32) |x| simd::f32x4_splat(x),
                F64x2Splat = splat(f64) |x| simd::f64x2_splat(x),
            }
            extract {
                I8x16ExtractLaneS = extract(i32) |a, lane| simd::i8x16_extract_lane_s(a, lane),
                I8x16ExtractLaneU = extract(i32) |a, lane| simd::i8x16_extract_lane_u(a, lane),
                I16x8ExtractLaneS = extract(i32) |a, lane| simd::i16x8_extract_lane_s(a, lane),
                I16x8ExtractLaneU = extract(i32) |a, lane| simd::i16x8_extract_lane_u(a, lane),
                I32x4ExtractLane = extract(i32) |a, lane| simd::i32x4_extract_lane(a, lane),
                I64x2ExtractLane = extract(i64) |a, lane| simd::i64x2_extract_lane(a, lane),
                F32x4ExtractLane = extract(f32) |a, lane| simd::f32x4_extract_lane(a, lane),
                F64x2ExtractLane = extract(f64) |a, lane| simd::f64x2_extract_lane(a, lane),
            }
            replace {
                I8x16ReplaceLane = replace(i32) |a, lane, x| simd::i8x16_replace_lane(a, lane, x),
                I16x8ReplaceLane = replace(i32) |a, lane, x| simd::i16x8_replace_lane(a, lane, x),
                I32x4ReplaceLane = replace(i32) |a, lane, x| simd::i32x4_replace_lane(a, lane, x),
                I64x2ReplaceLane = replace(i64) |a, lane, x| simd::i64x2_replace_lane(a, lane, x),
                F32x4ReplaceLane = replace(f32) |a, lane, x| simd::f32x4_replace_lane(a, lane, x),
                F64x2ReplaceLane = replace(f64) |a, lane, x| simd::f64x2_replace_lane(a, lane, x),
            }
            vload {
                V128Load = vload(wasm_core::V128) |x| x,
                V128Load8x8S = vload(u64) |x| simd::v128_load8x8_s(x),
                V128Load8x8U = vload(u64) |x| simd::v128_load8x8_u(x),
                V128Load16x4S = vload(u64) |x| simd::v128_load16x4_s(x),
                V128Load16x4U = vload(u64) |x| simd::v128_load16x4_u(x),
                V128Load32x2S = vload(u64) |x| simd::v128_load32x2_s(x),
                V128Load32x2U = vload(u64) |x| simd::v128_load32x2_u(x),
                V128Load8Splat = vload(u8) |x| simd::i8x16_splat(i32::from(x)),
                V128Load16Splat = vload(u16) |x| simd::i16x8_splat(i32::from(x)),
                V128Load32Splat = vload(u32) |x| simd::i32x4_splat(x as i32),
                V128Load64Splat = vload(u64) |x| simd::i64x2_splat(x as i64),
                V128Load32Zero = vload(u32) |x| simd::v128_load32_zero(x),
                V128Load64Zero = vload(u64) |x| simd::v128_load64_zero(x),
            }
        }
    };
}
pub(crate) use for_each_instr;

/// Expands the sections of [`for_each_instr!`] into records for a generator, or into the
/// relations for the translator's tables. The only macro that knows the sections' grammar.
macro_rules! expand_instrs {
    (
        [$($mode:tt)*]
        control { $(
            $(#[doc = $cdoc:expr])*
            $cname:ident { $($cfield:ident : $ckind:ident $(($cty:ty))?),* }
            [$($ccap:ident),*] |$cm:ident| $cbody:block,
        )* }
        lowered { $(
            $(#[doc = $wdoc:expr])*
            $wname:ident { $($wfield:ident : $wkind:ident $(($wty:ty))?),* }
            [$($wcap:ident),*] from $wop:ident { $($wopf:ident : $wopv:pat),* }
            |$wm:ident| $wbody:block,
        )* }
        loads { $(
            $lname:ident = load($lmt:ty => $lvt:ty) disp $ldisp:ident
                $(scaled $lscaled:ident)? $(indexed $lindexed:ident)? $(shifted $lshifted:ident)?,
        )* }
        stores { $(
            $sname:ident = store($svt:ty => $smt:ty) disp $sdisp:ident $(imm $simm:ident)?,
        )* }
        unary { $(
            $uname:ident = $ukind:ident($uit:ty => $uot:ty) |$ua:ident| $ubody:expr,
        )* }
        binary { $(
            $bname:ident = $bkind:ident($bit:ty => $bot:ty) $([$($bflag:ident),*])?
                $(imm $bimm:ident)? |$ba:ident, $bb:ident| $bbody:expr,
        )* }
        branch { $(
            $brname:ident / $briname:ident = ($brt:ty) $brop:tt
                for $brcmp:ident / $brcmpi:ident not $brnot:ident / $brnoti:ident,
        )* }
        float_branch { $(
            $fbname:ident / $fbnot:ident = ($fbt:ty) $fbop:tt for $fbcmp:ident,
        )* }
        counter_branch { $(
            $cbname:ident / $cbiname:ident = ($cbt:ty) $cbop:tt for $cbbr:ident / $cbbri:ident,
        )* }
        vunary { $( $vuname:ident = vun |$vua:ident| $vubody:expr, )* }
        vtest { $( $vtname:ident = vtest |$vta:ident| $vtbody:expr, )* }
        vbinary { $( $vbname:ident = vbin |$vba:ident, $vbb:ident| $vbbody:expr, )* }
        vshift { $( $vsname:ident = vshift |$vsa:ident, $vss:ident| $vsbody:expr, )* }
        vternary { $( $vrname:ident = vtern |$vra:ident, $vrb:ident, $vrc:ident| $vrbody:expr, )* }
        splat { $( $spname:ident = splat($spt:ty) |$spx:ident| $spbody:expr, )* }
        extract { $( $exname:ident = extract($ext:ty) |$exa:ident, $exl:ident| $exbody:expr, )* }
        replace { $(
            $rpname:ident = replace($rpt:ty) |$rpa:ident, $rpl:ident, $rpx:ident| $rpbody:expr,
        )* }
        vload { $( $vlname:ident = vload($vlt:ty) |$vlx:ident| $vlbody:expr, )* }
    ) => {
        $crate::isa::list::expand_instrs! { @mode [$($mode)*]
            // The records.
            {
                $(
                    $(#[doc = $cdoc])*
                    $cname { $($cfield : $ckind $(($cty))?),* }
                    ($crate::isa::operands::caps!($($ccap),*)) |$cm| $cbody
                )*
                $(
                    $(#[doc = $wdoc])*
                    $wname { $($wfield : $wkind $(($wty))?),* }
                    ($crate::isa::operands::caps!($($wcap),*)) |$wm| $wbody
                )*
                $(
                    #[doc = concat!("Wasm `", stringify!($lname), "`: `dst` = the `", stringify!($lmt), "` at `addr + offset`, as `", stringify!($lvt), "`.")]
                    $lname { dst: dst($lvt), addr: in0(u32), offset: offset }
                    ($crate::isa::operands::caps!(may_trap)) |m| {
                        let value: $lmt = m.load(addr, offset)?;
                        m.write(dst, value as $lvt);
                        Ok(Flow::Next)
                    }
                    #[doc = concat!("Wasm `", stringify!($lname), "` at the address `addr + disp` (an i32 sum, wrapping) with offset 0.")]
                    $ldisp { dst: dst($lvt), addr: in0(u32), disp: imm(u32) }
                    ($crate::isa::operands::caps!(may_trap)) |m| {
                        let value: $lmt = m.load(addr.wrapping_add(disp), 0)?;
                        m.write(dst, value as $lvt);
                        Ok(Flow::Next)
                    }
                    $(
                        #[doc = concat!("Wasm `", stringify!($lname), "` of the array element `index`: the address is the i32 `index` times the access width.")]
                        $lscaled { dst: dst($lvt), index: in0(u32), offset: offset }
                        ($crate::isa::operands::caps!(may_trap)) |m| {
                            let addr = $crate::isa::memory::scale::<$lmt>(index);
                            let value: $lmt = m.load(addr, offset)?;
                            m.write(dst, value as $lvt);
                            Ok(Flow::Next)
                        }
                    )?
                    $(
                        #[doc = concat!("Wasm `", stringify!($lname), "` at the address `base + index` (an i32 sum, wrapping).")]
                        $lindexed { dst: dst16($lvt), base: reg16, index: reg16, offset: offset }
                        ($crate::isa::operands::caps!(may_trap)) |m| {
                            let addr = $crate::isa::memory::sum_address(m.get(base), m.get(index));
                            let value: $lmt = m.load(addr, offset)?;
                            m.write(dst, value as $lvt);
                            Ok(Flow::Next)
                        }
                    )?
                    $(
                        #[doc = concat!("Wasm `", stringify!($lname), "` at the address `base + (index << shift)` (i32 operations, wrapping).")]
                        $lshifted { dst: dst16($lvt), base: reg16, index: reg16, shift: lane, offset: offset }
                        ($crate::isa::operands::caps!(may_trap)) |m| {
                            let addr = $crate::isa::memory::shifted_address(m.get(base), m.get(index), shift);
                            let value: $lmt = m.load(addr, offset)?;
                            m.write(dst, value as $lvt);
                            Ok(Flow::Next)
                        }
                    )?
                )*
                $(
                    #[doc = concat!("Wasm `", stringify!($sname), "`: the `", stringify!($svt), "` `value` at `addr + offset`, as `", stringify!($smt), "`.")]
                    $sname { addr: in0(u32), value: in1($svt), offset: offset }
                    ($crate::isa::operands::caps!(may_trap)) |m| {
                        m.store(addr, offset, value as $smt)?;
                        Ok(Flow::Next)
                    }
                    #[doc = concat!("Wasm `", stringify!($sname), "` at the address `addr + disp` (an i32 sum, wrapping) with offset 0.")]
                    $sdisp { addr: in0(u32), value: in1($svt), disp: imm(u32) }
                    ($crate::isa::operands::caps!(may_trap)) |m| {
                        m.store(addr.wrapping_add(disp), 0, value as $smt)?;
                        Ok(Flow::Next)
                    }
                    $(
                        #[doc = concat!("Wasm `", stringify!($sname), "` of the constant `imm`.")]
                        $simm { addr: in0(u32), imm: imm($svt), offset: offset }
                        ($crate::isa::operands::caps!(may_trap)) |m| {
                            m.store(addr, offset, imm as $smt)?;
                            Ok(Flow::Next)
                        }
                    )?
                )*
                $(
                    #[doc = concat!("Wasm `", stringify!($uname), "`.")]
                    $uname { dst: dst($uot), $ua: in0($uit) }
                    ($crate::isa::list::numeric_caps!($ukind)) |m| {
                        let value: $uot = $crate::isa::list::numeric_value!($ukind, $ubody);
                        m.write(dst, value);
                        Ok(Flow::Next)
                    }
                )*
                $(
                    #[doc = concat!("Wasm `", stringify!($bname), "`.")]
                    $bname { dst: dst($bot), $ba: in0($bit), $bb: in1($bit) }
                    ($crate::isa::list::numeric_caps!($bkind $(, $($bflag),*)?)) |m| {
                        let value: $bot = $crate::isa::list::numeric_value!($bkind, $bbody);
                        m.write(dst, value);
                        Ok(Flow::Next)
                    }
                    $(
                        #[doc = concat!("Wasm `", stringify!($bname), "` with the immediate right operand `imm`.")]
                        $bimm { dst: dst($bot), $ba: in0($bit), imm: imm($bit) }
                        ($crate::isa::list::numeric_caps!($bkind)) |m| {
                            let $bb = imm;
                            let value: $bot = $crate::isa::list::numeric_value!($bkind, $bbody);
                            m.write(dst, value);
                            Ok(Flow::Next)
                        }
                    )?
                )*
                $(
                    #[doc = concat!("Jump to `target` if `a ", stringify!($brop), " b` (as `", stringify!($brt), "`).")]
                    $brname { a: in0($brt), b: in1($brt), target: target }
                    ($crate::isa::operands::caps!()) |m| {
                        Ok(Flow::Branch(a $brop b, target))
                    }
                    #[doc = concat!("Jump to `target` if `a ", stringify!($brop), " imm` (as `", stringify!($brt), "`).")]
                    $briname { a: in0($brt), imm: imm($brt), target: target }
                    ($crate::isa::operands::caps!()) |m| {
                        Ok(Flow::Branch(a $brop imm, target))
                    }
                )*
                $(
                    #[doc = concat!("Jump to `target` if `a ", stringify!($fbop), " b` (as `", stringify!($fbt), "`; false if either is NaN, but for `!=`).")]
                    $fbname { a: in0($fbt), b: in1($fbt), target: target }
                    ($crate::isa::operands::caps!()) |m| {
                        Ok(Flow::Branch(a $fbop b, target))
                    }
                    #[doc = concat!("Jump to `target` unless `a ", stringify!($fbop), " b` (as `", stringify!($fbt), "`), so also if either is NaN (but for `!=`).")]
                    $fbnot { a: in0($fbt), b: in1($fbt), target: target }
                    ($crate::isa::operands::caps!()) |m| {
                        // Not the inverse operator: NaN makes every comparison false.
                        #[allow(clippy::neg_cmp_op_on_partial_ord)]
                        let taken = !(a $fbop b);
                        Ok(Flow::Branch(taken, target))
                    }
                )*
                $(
                    #[doc = concat!("`a += step`, then jump to `target` if `a ", stringify!($cbop), " slot[b]` (as `", stringify!($cbt), "`), else skip the next instruction.")]
                    $cbname { step: step, a: update(i32), b: reg, target: target }
                    ($crate::isa::operands::caps!(skips)) |m| {
                        let counter = m.step(a, step);
                        let bound = <$cbt as CellValue>::from_cell(m.get(b));
                        Ok(Flow::BranchElseSkip((counter as $cbt) $cbop bound, target))
                    }
                    #[doc = concat!("`a += step`, then jump to `target` if `a ", stringify!($cbop), " imm` (as `", stringify!($cbt), "`), else skip the next instruction.")]
                    $cbiname { step: step, a: update(i32), imm: imm($cbt), target: target }
                    ($crate::isa::operands::caps!(skips)) |m| {
                        let counter = m.step(a, step);
                        Ok(Flow::BranchElseSkip((counter as $cbt) $cbop imm, target))
                    }
                )*
                $(
                    #[doc = concat!("Wasm `", stringify!($vuname), "`.")]
                    $vuname { dst: vdst, $vua: vin } ($crate::isa::operands::caps!()) |m| {
                        let $vua = m.get_v128($vua);
                        m.set_v128(dst, $vubody);
                        Ok(Flow::Next)
                    }
                )*
                $(
                    #[doc = concat!("Wasm `", stringify!($vtname), "`.")]
                    $vtname { dst: dst(i32), $vta: vin } ($crate::isa::operands::caps!()) |m| {
                        let $vta = m.get_v128($vta);
                        let value: i32 = $vtbody;
                        m.write(dst, value);
                        Ok(Flow::Next)
                    }
                )*
                $(
                    #[doc = concat!("Wasm `", stringify!($vbname), "`.")]
                    $vbname { dst: vdst, $vba: vin, $vbb: vin } ($crate::isa::operands::caps!()) |m| {
                        let ($vba, $vbb) = (m.get_v128($vba), m.get_v128($vbb));
                        m.set_v128(dst, $vbbody);
                        Ok(Flow::Next)
                    }
                )*
                $(
                    #[doc = concat!("Wasm `", stringify!($vsname), "` (the shift count an i32 in slot `", stringify!($vss), "`).")]
                    $vsname { dst: vdst, $vsa: vin, $vss: reg } ($crate::isa::operands::caps!()) |m| {
                        let ($vsa, $vss) = (m.get_v128($vsa), m.get($vss) as i32);
                        m.set_v128(dst, $vsbody);
                        Ok(Flow::Next)
                    }
                )*
                $(
                    #[doc = concat!("Wasm `", stringify!($vrname), "` of the `v128`s at `src`, `src + 2` and `src + 4`.")]
                    $vrname { dst: vdst, src: vin3 } ($crate::isa::operands::caps!()) |m| {
                        let ($vra, $vrb, $vrc) = (m.get_v128(src), m.get_v128(src + 2), m.get_v128(src + 4));
                        m.set_v128(dst, $vrbody);
                        Ok(Flow::Next)
                    }
                )*
                $(
                    #[doc = concat!("Wasm `", stringify!($spname), "` of the `", stringify!($spt), "` in slot `", stringify!($spx), "`.")]
                    $spname { dst: vdst, $spx: reg } ($crate::isa::operands::caps!()) |m| {
                        let $spx = <$spt as CellValue>::from_cell(m.get($spx));
                        m.set_v128(dst, $spbody);
                        Ok(Flow::Next)
                    }
                )*
                $(
                    #[doc = concat!("Wasm `", stringify!($exname), "` of lane `", stringify!($exl), "`.")]
                    $exname { $exl: lane, dst: dst($ext), $exa: vin } ($crate::isa::operands::caps!()) |m| {
                        let $exa = m.get_v128($exa);
                        let value: $ext = $exbody;
                        m.write(dst, value);
                        Ok(Flow::Next)
                    }
                )*
                $(
                    #[doc = concat!("Wasm `", stringify!($rpname), "` of lane `", stringify!($rpl), "`, the new `", stringify!($rpt), "` in slot `", stringify!($rpx), "`.")]
                    $rpname { $rpl: lane, dst: vdst, $rpa: vin, $rpx: reg } ($crate::isa::operands::caps!()) |m| {
                        let ($rpa, $rpx) = (m.get_v128($rpa), <$rpt as CellValue>::from_cell(m.get($rpx)));
                        m.set_v128(dst, $rpbody);
                        Ok(Flow::Next)
                    }
                )*
                $(
                    #[doc = concat!("Wasm `", stringify!($vlname), "`: the `", stringify!($vlt), "` at `addr + offset`, made a `v128`.")]
                    $vlname { dst: vdst, addr: in0(u32), offset: offset } ($crate::isa::operands::caps!(may_trap)) |m| {
                        let $vlx: $vlt = m.load(addr, offset)?;
                        m.set_v128(dst, $vlbody);
                        Ok(Flow::Next)
                    }
                )*
            }
            // The relations, for the translator's tables (`relations.rs`).
            {
                lowered { $(
                    $wname { $($wfield : $wkind $(($wty))?),* } from $wop { $($wopf : $wopv),* }
                )* }
                unary { $( $uname { dst, $ua } )* }
                binary { $(
                    $bname { dst, $ba, $bb } ($bit) [$($($bflag),*)?] imm [$($bimm)?]
                )* }
                loads { $( $lname disp $ldisp $(scaled $lscaled)? $(indexed $lindexed)? $(shifted $lshifted)? ($lmt) )* }
                stores { $( $sname disp $sdisp [$($simm)?] ($smt) )* }
                branch { $( $brname / $briname for $brcmp / $brcmpi not $brnot / $brnoti )* }
                float_branch { $( $fbname / $fbnot for $fbcmp )* }
                counter_branch { $( $cbname / $cbiname for $cbbr / $cbbri )* }
                simd {
                    unary { $( $vuname )* }
                    test { $( $vtname )* }
                    binary { $( $vbname )* }
                    shift { $( $vsname )* }
                    ternary { $( $vrname )* }
                    splat { $( $spname )* }
                    extract { $( $exname )* }
                    replace { $( $rpname )* }
                    load { $( $vlname )* }
                }
            }
        }
    };
    // `for_each_instr!(relations $m)`: the relations, for the translator's tables.
    (@mode [relations $m:ident] { $($records:tt)* } { $($relations:tt)* }) => {
        $m! { $($relations)* }
    };
    // `for_each_instr!($m)` or `for_each_instr!($m, extra tokens)`: the records.
    (@mode [$m:ident $(, $($extra:tt)*)?] { $($records:tt)* } { $($relations:tt)* }) => {
        $m! { [$($($extra)*)?] $($records)* }
    };
}
pub(crate) use expand_instrs;

/// The capabilities of a numeric instruction of kind `$kind` (`un`, `un_t`, `bin`,
/// `bin_t`: `_t` may trap), plus those listed.
macro_rules! numeric_caps {
    (un $(, $cap:ident)*) => { $crate::isa::operands::caps!($($cap),*) };
    (bin $(, $cap:ident)*) => { $crate::isa::operands::caps!($($cap),*) };
    (un_t $(, $cap:ident)*) => { $crate::isa::operands::caps!(may_trap $(, $cap)*) };
    (bin_t $(, $cap:ident)*) => { $crate::isa::operands::caps!(may_trap $(, $cap)*) };
}
pub(crate) use numeric_caps;

/// The value of a numeric instruction of kind `$kind` from its semantics `$e` (`_t`
/// kinds: a `Result` whose error is the trap).
macro_rules! numeric_value {
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
pub(crate) use numeric_value;
