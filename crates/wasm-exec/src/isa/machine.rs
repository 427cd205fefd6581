//! The machine an instruction body runs on ([`Machine`]), and what a body says about
//! where control goes next ([`Flow`]).
//!
//! Each instruction's semantics is written once, in the instruction list, as a body
//! generic over [`Machine`]; the two dispatch drivers (`dispatch/portable.rs`,
//! `dispatch/threaded.rs`) implement the machine and follow the flows. A body reads and
//! writes through the machine only, so it cannot depend on how a driver keeps its state.

use super::memory;
use super::operands::{AccValue, CellValue, Slot};
use wasm_core::{LittleEndianConvert, TrapCode, V128};

/// Where control goes after an instruction. Targets are the instruction's `target` field
/// as stored (an index in the portable code, a byte distance in the threaded code): the
/// driver interprets them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Flow {
    /// The next instruction.
    Next,
    /// The instruction after the next (the next one was replaced by this one).
    Skip,
    /// `target`.
    Jump(u32),
    /// `target` if `.0`, else the next instruction.
    Branch(bool, u32),
    /// `target` if `.0`, else the instruction after the next (counter branches).
    BranchElseSkip(bool, u32),
    /// The target of jump table entry `.0`: the `Jump` that many places after the
    /// instruction after this one.
    Table(u32),
    /// Return from the function: the results are in its first slots.
    Return,
    /// Call function `func` of the instance, its frame at slot `base`.
    Call { func: u32, base: u32 },
    /// Call the function that table `table` holds at the index in the slot after the
    /// arguments (which start at `base`), checked to have the instance's type `ty`.
    CallIndirect { ty: u32, table: u32, base: u32 },
    /// Call function `func` (arguments as for `Call`) in place of the running function
    /// (`return_call`).
    TailCall { func: u32, base: u32 },
    /// `CallIndirect` in place of the running function (`return_call_indirect`).
    TailCallIndirect { ty: u32, table: u32, base: u32 },
    /// Leave this instruction to the engine (it needs more than the machine offers:
    /// `memory.grow` changes the memory the machine borrows).
    Exit,
}

/// The running function as an instruction body sees it: the slots of its frame, the
/// accumulators, the bytes of memory 0 and the instance's globals.
///
/// The slot and position arguments come from verified instructions (see `verify` in the
/// translator): an implementation may access slots without bounds checks.
pub(crate) trait Machine {
    /// The input in accumulator position `P` (0 or 1) as a `T`: the accumulator of `T`'s
    /// class if the instruction names it ([`ACC`](super::operands::ACC)) there, else
    /// slot `slot`.
    fn read<T: AccValue, const P: u8>(&self, slot: Slot) -> T;

    /// The bits in `slot`.
    fn get(&self, slot: Slot) -> u64;

    /// Sets `slot` to `bits`.
    fn set(&mut self, slot: Slot, bits: u64);

    /// The accumulators, `acc` and `facc`.
    fn accumulators(&mut self) -> (&mut u64, &mut f64);

    /// The bytes of memory 0 (empty without a memory).
    fn memory(&mut self) -> &mut [u8];

    /// The bits of global `index` of the instance (validated code only names globals
    /// that exist; a trap rather than a panic all the same).
    fn global(&self, index: u32) -> Result<u64, TrapCode>;

    /// Sets global `index` to `bits` (validated code only sets mutable globals, with
    /// values of their type).
    fn set_global(&mut self, index: u32, bits: u64) -> Result<(), TrapCode>;

    /// Takes `amount` fuel from the invocation's tank; `false` (nothing taken) when it
    /// holds less.
    fn consume_fuel(&mut self, amount: u32) -> bool;

    /// Whether an interrupt is pending for the invocation.
    fn interrupted(&self) -> bool;

    /// The `v128` in slots `slot` (low half) and `slot + 1`.
    #[inline(always)]
    fn get_v128(&self, slot: Slot) -> V128 {
        V128::from_cells([self.get(slot), self.get(slot + 1)])
    }

    /// Sets slots `slot` and `slot + 1` to the halves of `value`.
    #[inline(always)]
    fn set_v128(&mut self, slot: Slot, value: V128) {
        let [low, high] = value.to_cells();
        self.set(slot, low);
        self.set(slot + 1, high);
    }

    /// Writes a result to slot `dst` and to the accumulator of its type.
    #[inline(always)]
    fn write<T: AccValue>(&mut self, dst: Slot, value: T) {
        self.set(dst, value.into_cell());
        let (acc, facc) = self.accumulators();
        value.to_acc(acc, facc);
    }

    /// Reads a `T` at `addr + offset` of memory 0, bounds-checked.
    #[inline(always)]
    fn load<T: LittleEndianConvert>(&mut self, addr: u32, offset: u32) -> Result<T, TrapCode> {
        memory::load(self.memory(), addr, offset)
    }

    /// Writes `value` at `addr + offset` of memory 0, bounds-checked.
    #[inline(always)]
    fn store<T: LittleEndianConvert>(
        &mut self,
        addr: u32,
        offset: u32,
        value: T,
    ) -> Result<(), TrapCode> {
        memory::store(self.memory(), addr, offset, value)
    }

    /// Sets the `len` bytes at `addr` of memory 0 to `byte`, all or none.
    #[inline(always)]
    fn fill(&mut self, addr: u32, byte: u8, len: u32) -> Result<(), TrapCode> {
        memory::fill(self.memory(), addr, byte, len)
    }

    /// Copies the `len` bytes at `src` of memory 0 to `dst`, all or none.
    #[inline(always)]
    fn copy(&mut self, dst: u32, src: u32, len: u32) -> Result<(), TrapCode> {
        memory::copy(self.memory(), dst, src, len)
    }

    /// `slot[counter] += step` as an i32 (also into `acc`); returns the new value.
    #[inline(always)]
    fn step(&mut self, counter: Slot, step: i16) -> i32 {
        let value = i32::from_cell(self.get(counter)).wrapping_add(i32::from(step));
        self.write(counter, value);
        value
    }

    /// Copies slots `src..src + n` to `0..n` (a return's results; `src` is never below
    /// 0, so copying upwards is safe when the ranges overlap).
    #[inline(always)]
    fn copy_down(&mut self, src: Slot, n: u32) {
        for k in 0..n {
            let bits = self.get(src + k);
            self.set(k, bits);
        }
    }
}
