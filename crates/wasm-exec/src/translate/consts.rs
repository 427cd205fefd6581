//! Constant slots: a constant read inside a loop gets a slot of its own, written once per
//! call by a prologue, instead of being written into a temporary at each use.

use crate::isa::{Instr, Role, Slot, Slot16};
use crate::prelude::*;

/// During translation, constant slot `k` is numbered `CONST_SLOT + k` (the final
/// numbers depend on how many there are); no real slot reaches this number.
pub(crate) const CONST_SLOT: Slot = 0x8000_0000;

/// Most constant slots a function gets (the prologue writes them all on every call).
pub(crate) const MAX_CONSTS: usize = 32;

/// `slot` as a 16-bit slot field, if it fits even after `place_consts` moves it (a
/// temporary moves up by at most [`MAX_CONSTS`]); not for constant slots, numbered
/// from [`CONST_SLOT`] until then.
pub(crate) fn fits16(slot: Slot) -> Option<Slot16> {
    Slot16::try_from(slot)
        .ok()
        .filter(|s| usize::from(*s) + MAX_CONSTS <= usize::from(Slot16::MAX))
}

/// Gives the constant slots their place, after the locals: the temporaries move up by
/// their number, and a prologue writing them comes first (every target moves by its
/// length). Below the temporaries, they are out of reach of the frames of calls. The
/// prologue's instructions are attributed to the function's code offset `body`.
pub(crate) fn place_consts(
    instrs: &mut Vec<Instr>,
    offsets: &mut Vec<u32>,
    body: u32,
    consts: &[u64],
    first_temp: Slot,
) {
    if consts.is_empty() {
        return;
    }
    let n = consts.len() as u32;
    for instr in instrs.iter_mut() {
        instr.slots_mut(&mut |_: Role, slot: &mut Slot| {
            if *slot >= CONST_SLOT {
                *slot = first_temp + (*slot - CONST_SLOT);
            } else if *slot >= first_temp {
                *slot += n;
            }
        });
        if let Some(target) = instr.target_mut() {
            *target += n;
        }
    }
    let prologue = consts
        .iter()
        .zip(first_temp..)
        .map(|(&bits, dst)| match u32::try_from(bits) {
            Ok(value) => Instr::Const32 { dst, value },
            Err(_) => Instr::Const64 { dst, bits },
        });
    instrs.splice(0..0, prologue);
    offsets.splice(0..0, consts.iter().map(|_| body));
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Slots in 16-bit fields stay in range when `place_consts` moves the temporaries
    /// up; constant slots (renumbered from `CONST_SLOT`) never go there.
    #[test]
    fn sixteen_bit_slots_leave_room_for_the_constants() {
        assert_eq!(fits16(7), Some(7));
        let last = u32::from(Slot16::MAX) - MAX_CONSTS as u32;
        assert_eq!(fits16(last), Some(last as Slot16));
        assert_eq!(fits16(last + 1), None);
        assert_eq!(fits16(CONST_SLOT), None);
        assert_eq!(fits16(CONST_SLOT + 3), None);
    }
}
