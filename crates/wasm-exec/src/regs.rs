//! Unchecked access to the running function's frame slots and instructions: the one
//! module of the engine allowed `unsafe`.
//!
//! **Soundness argument.** A `CompiledFunc` is only built by `translate`, which ends
//! with `CompiledFunc::verify`: every slot operand of every instruction is below the
//! function's frame size (`Select` also uses `dst + 1`, `ReturnMany` `src..src + n`),
//! every jump target is an instruction index, a `JumpTable` is followed by its jumps,
//! and the last instruction cannot fall through. The dispatch loop slices the value
//! stack to exactly the frame size (a checked slice) and only executes instructions
//! of the function the frame belongs to, starting at 0 or at a verified return address.
//! So the indices below are in bounds; `debug_assert!`s recheck them in debug builds
//! and the engine's tests run under Miri (`cargo +nightly miri test -p wasm-exec`).
#![allow(unsafe_code)]

use crate::isa::{ACC, Slot};
use crate::ops::AccValue;

/// The value of `slot`.
#[inline(always)]
pub(crate) fn get(regs: &[u64], slot: Slot) -> u64 {
    debug_assert!((slot as usize) < regs.len());
    // SAFETY: `slot` is a verified slot operand and `regs` is the frame (see module docs).
    unsafe { *regs.get_unchecked(slot as usize) }
}

/// Sets `slot` to `value`.
#[inline(always)]
pub(crate) fn set(regs: &mut [u64], slot: Slot, value: u64) {
    debug_assert!((slot as usize) < regs.len());
    // SAFETY: `slot` is a verified slot operand and `regs` is the frame (see module docs).
    unsafe { *regs.get_unchecked_mut(slot as usize) = value }
}

/// The instruction at `ip` (the portable build's code; see `tail_loop::fetch`).
#[cfg(not(wasmite_threaded))]
#[inline(always)]
pub(crate) fn fetch(instrs: &[crate::isa::Instr], ip: usize) -> crate::isa::Instr {
    debug_assert!(ip < instrs.len());
    // SAFETY: `ip` is 0, a verified jump target, a verified return address, or the
    // successor of an instruction that can fall through, which is never the last one
    // (see module docs).
    unsafe { *instrs.get_unchecked(ip) }
}

/// An operand: the accumulator of its type if `slot` is [`ACC`], else the slot.
#[inline(always)]
pub(crate) fn read<T: AccValue>(regs: &[u64], slot: Slot, acc: u64, facc: f64) -> T {
    if slot == ACC {
        T::from_acc(acc, facc)
    } else {
        T::from_cell(get(regs, slot))
    }
}

/// Writes a result to slot `dst` and to the accumulator of its type.
#[inline(always)]
pub(crate) fn write<T: AccValue>(
    regs: &mut [u64],
    dst: Slot,
    value: T,
    acc: &mut u64,
    facc: &mut f64,
) {
    set(regs, dst, value.into_cell());
    value.to_acc(acc, facc);
}
