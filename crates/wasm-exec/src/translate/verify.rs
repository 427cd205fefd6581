//! [`verify`]: the check every translated function passes before it exists, on which the
//! dispatch drivers' unchecked slot and instruction access rests.

use crate::isa::{ACC, AccEffect, Caps, Instr, Role, Slot, SlotVisitor};
use crate::prelude::*;

/// Checks the invariants that make the dispatch's unchecked slot and instruction access
/// sound: every slot within the frame (a `pair` slot's successor too; a call's base is not
/// an operand), an accumulator operand only in an input whose type has one and at most
/// one per instruction, targets within the function (`is_target` comes from
/// [`find_targets`], which checked them), jump tables followed by their jumps, an
/// instruction that skips followed by two more, no fall-through off the end, and the
/// implicit operands of returns (slot 0, `src..src + n`).
///
/// Debug builds (the tests and the fuzzers) also check that every accumulator operand is
/// set on every path that reaches it: a translation bug there gives wrong values, not
/// unsafety, and the check costs startup time.
pub(crate) fn verify(
    instrs: &[Instr],
    frame_size: u32,
    is_target: &[bool],
) -> Result<(), &'static str> {
    let size = u64::from(frame_size);
    // Whether each accumulator was set on every path to the current instruction.
    let mut acc_set = [false; 2];
    for (i, instr) in instrs.iter().enumerate() {
        let mut slots = SlotCheck {
            size,
            inside: true,
            accs: 0,
        };
        instr.clone().slots_mut(&mut slots);
        if !slots.inside {
            return Err("slot outside the frame");
        }
        if slots.accs > 1 {
            return Err("more than one accumulator operand");
        }
        if cfg!(debug_assertions) {
            if is_target[i] {
                acc_set = [false; 2];
            }
            let mut acc_ok = true;
            instr.clone().acc_operands_mut(|class, slot| {
                acc_ok &= *slot != ACC || acc_set[class as usize];
            });
            if !acc_ok {
                return Err("accumulator operand not set on every path");
            }
            match instr.acc_effect() {
                AccEffect::Produces(class, _) => acc_set[class as usize] = true,
                AccEffect::Clobbers => acc_set = [false; 2],
                AccEffect::Writes(_) | AccEffect::WritesTwo(..) | AccEffect::Preserves => {}
            }
        }
        // An instruction that skips the next one continues two further.
        if instr.skips_next() && i + 2 >= instrs.len() {
            return Err("malformed instruction");
        }
        let ok = match *instr {
            Instr::ReturnMany { src, n } => u64::from(src) + u64::from(n) <= size,
            Instr::ReturnSlot { .. } | Instr::ReturnConst { .. } => size >= 1,
            Instr::JumpTable { len: n, .. } => (i + 1..=i + 1 + n as usize)
                .all(|j| matches!(instrs.get(j), Some(Instr::Jump { .. }))),
            // The pair continues after the `Copy` it skips, which falls through.
            Instr::CopyPair { .. } => matches!(instrs.get(i + 1), Some(Instr::Copy { .. })),
            Instr::I32AddImmPair { .. } => {
                matches!(instrs.get(i + 1), Some(Instr::I32AddImm { .. }))
            }
            _ => true,
        };
        if !ok {
            return Err("malformed instruction");
        }
    }
    match instrs.last() {
        Some(last) if last.caps().has(Caps::NO_FALL) => Ok(()),
        _ => Err("the last instruction falls through"),
    }
}

/// The walk over an instruction's slots that `verify` makes: every operand within a frame of
/// `size` slots, accumulator operands counted.
struct SlotCheck {
    size: u64,
    inside: bool,
    accs: u32,
}

impl SlotVisitor for SlotCheck {
    #[inline(always)]
    fn visit(&mut self, role: Role, slot: &mut Slot) {
        match (role, *slot) {
            (Role::Base, _) => {}
            (Role::In(_, Some(_)), ACC) => self.accs += 1,
            (Role::Pair | Role::VDst, slot) => self.inside &= u64::from(slot) + 1 < self.size,
            (Role::VIn(n), slot) => self.inside &= u64::from(slot) + 2 * u64::from(n) <= self.size,
            (_, slot) => self.inside &= u64::from(slot) < self.size,
        }
    }
}

/// Sets `is_target[i]` for every position `i` some instruction jumps to; false if a
/// target lies outside the function.
pub(crate) fn find_targets(instrs: &[Instr], is_target: &mut Vec<bool>) -> bool {
    is_target.clear();
    is_target.resize(instrs.len(), false);
    let mut inside = true;
    for instr in instrs {
        if let Some(target) = instr.clone().target_mut() {
            match is_target.get_mut(*target as usize) {
                Some(flag) => *flag = true,
                None => inside = false,
            }
        }
    }
    inside
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::isa::Slot16;

    fn check(instrs: &[Instr]) -> Result<(), &'static str> {
        let mut is_target = Vec::new();
        assert!(find_targets(instrs, &mut is_target));
        verify(instrs, 4, &is_target)
    }

    /// `verify` is what keeps a handler from reading `ACC` as a slot index: an
    /// accumulator operand must sit in an input whose type has an accumulator.
    #[test]
    fn verify_rejects_misplaced_accumulator_operands() {
        let produce = Instr::I32AddImm {
            dst: 1,
            a: 0,
            imm: 1,
        };
        let use_acc = Instr::I32Add {
            dst: 2,
            a: ACC,
            b: 0,
        };
        let ret = Instr::Return {};
        assert_eq!(check(&[produce, use_acc, ret]), Ok(()));
        // No handler reads a destination from the accumulator.
        let acc_dst = Instr::I32Add {
            dst: ACC,
            a: 1,
            b: 0,
        };
        assert!(check(&[produce, acc_dst, ret]).is_err());
        // Two accumulator operands.
        let both = Instr::I32Add {
            dst: 2,
            a: ACC,
            b: ACC,
        };
        assert!(check(&[produce, both, ret]).is_err());
        // f32 values have no accumulator.
        let float32 = Instr::F32Add {
            dst: 2,
            a: ACC,
            b: 0,
        };
        assert!(check(&[produce, float32, ret]).is_err());
        // A plain slot field is never the accumulator.
        let copy = Instr::Copy { dst: 2, src: ACC };
        assert!(check(&[produce, copy, ret]).is_err());
        // Not set on the path from the function's start (checked in debug builds).
        if cfg!(debug_assertions) {
            assert!(check(&[use_acc, ret]).is_err());
        }
    }

    #[test]
    fn verify_checks_implicit_operands_and_the_end() {
        let ret = Instr::Return {};
        // `Select` reads the slot after its destination.
        assert_eq!(check(&[Instr::Select { dst: 2, cond: 0 }, ret]), Ok(()));
        assert!(check(&[Instr::Select { dst: 3, cond: 0 }, ret]).is_err());
        assert!(check(&[Instr::ReturnMany { src: 2, n: 3 }]).is_err());
        assert_eq!(check(&[Instr::ReturnMany { src: 2, n: 2 }]), Ok(()));
        // The end must not fall through; a conditional jump can.
        assert!(check(&[Instr::JumpIfZero { cond: 0, target: 0 }]).is_err());
        assert!(check(&[Instr::Copy { dst: 0, src: 1 }]).is_err());
        // A jump table is followed by its `len + 1` jumps.
        let table = Instr::JumpTable { index: 0, len: 1 };
        let jump = Instr::Jump { target: 0 };
        assert_eq!(check(&[table, jump, jump]), Ok(()));
        assert!(check(&[table, jump, ret]).is_err());
    }

    #[test]
    fn copy_pairs_are_followed_by_the_copy_they_skip() {
        let copy = |dst, src| Instr::Copy { dst, src };
        let ret = Instr::Return {};
        let pair = Instr::CopyPair {
            dst0: 2,
            src0: 1,
            dst1: 1,
            src1: 0,
        };
        assert_eq!(check(&[pair, copy(1, 0), ret]), Ok(()));
        assert!(check(&[pair, ret]).is_err());
        assert!(check(&[pair, pair, copy(1, 0), ret]).is_err());
        // Its slots are checked against the frame like any other.
        let outside = Instr::CopyPair {
            dst0: 2,
            src0: 1,
            dst1: 4 as Slot16,
            src1: 0,
        };
        assert!(check(&[outside, copy(1, 0), ret]).is_err());
    }

    #[test]
    fn add_pairs_are_followed_by_the_add_they_skip() {
        let ret = Instr::Return {};
        let add = Instr::I32AddImm {
            dst: 1,
            a: 1,
            imm: 1,
        };
        let pair = Instr::I32AddImmPair {
            dst0: 0,
            a0: 0,
            imm0: 4,
            dst1: 1,
            a1: 1,
            imm1: 1,
        };
        assert_eq!(check(&[pair, add, ret]), Ok(()));
        assert!(check(&[pair, ret, ret]).is_err());
        assert!(check(&[pair, Instr::Copy { dst: 1, src: 0 }, ret]).is_err());
    }
}
