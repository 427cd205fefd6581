//! The accumulator pass: operands read from the accumulators, and the fusions found on
//! the same walk (counter branches, copy pairs, squares).

use crate::isa::{Instr, Slot, Slot16};

/// Accumulator operands (see `isa/operands.rs`): along straight-line code, an input read
/// from the slot that the last instruction producing a value of its class wrote (and
/// nothing wrote since) is read from that accumulator instead. Nothing is assumed at a
/// jump target or after an instruction that stops (a call, a return). Runs last, on the
/// final code, so that the rewrites before (loop rotation, constant slots) need not care.
///
/// The same walk makes the counter branches (see [`fuse_counter`]), copy pairs (see
/// [`fuse_copies`]) and add pairs (see [`fuse_adds`]), and turns an `F64Mul` of a slot by
/// itself into `F64Square`, whose one operand can be `facc`.
pub(crate) fn assign_accumulators(instrs: &mut [Instr], is_target: &[bool]) {
    // The slot each accumulator (`[int, f64]`) mirrors.
    let mut acc: [Option<Slot>; 2] = [None; 2];
    for at in 0..instrs.len().min(is_target.len()) {
        if is_target[at] {
            acc = [None; 2];
        }
        // An instruction that the one before skips keeps its kind (`verify`).
        if at == 0 || !instrs[at - 1].skips_next() {
            fuse_counter(instrs, is_target, at);
            fuse_copies(instrs, is_target, at);
            fuse_adds(instrs, is_target, at);
        }
        if let Instr::F64Mul { dst, a, b } = instrs[at]
            && a == b
        {
            instrs[at] = Instr::F64Square { dst, a };
        }
        instrs[at].assign_acc(&mut acc);
    }
}

/// Counter branches: an `I32AddImm` (or `I32SubImm`) at `at` stepping a slot in place
/// (by a step that fits an `i16`) followed by a fused branch testing it (the shape of
/// most counted loops once rotated) becomes one instruction, saving a dispatch per
/// iteration. The branch stays behind it, unreachable (the counter branch skips it), so
/// no position moves; it must not be a jump target itself. A `JumpIfNonZero` on the
/// counter (the `br_if` of a count-down loop) counts as a test against 0.
fn fuse_counter(instrs: &mut [Instr], is_target: &[bool], at: usize) {
    let (dst, a, step) = match instrs[at] {
        Instr::I32AddImm { dst, a, imm } => (dst, a, i64::from(imm)),
        Instr::I32SubImm { dst, a, imm } => (dst, a, -i64::from(imm)),
        _ => return,
    };
    if a == dst
        && let (Some(&next), Some(false)) = (instrs.get(at + 1), is_target.get(at + 1))
        && let Ok(step) = i16::try_from(step)
        && let Some(fused) = Instr::fuse_counter(dst, step, as_comparison(next))
    {
        instrs[at] = fused;
    }
}

/// Copy pairs: a `Copy` at `at` followed by another (not a jump target) becomes a
/// `CopyPair` doing both, when all four slots fit its 16-bit fields; the second `Copy`
/// stays behind it, skipped, so no position moves. Runs of copies are what the
/// translator emits for call arguments and for `local.set`s of values carried round a
/// loop (`a = b; b = next`): one dispatch less per pair. An instruction that the one
/// before skips starts no pair (`verify` wants a pair's second `Copy` after it): of four
/// copies, the first two and the last two pair up.
pub(crate) fn fuse_copies(instrs: &mut [Instr], is_target: &[bool], at: usize) {
    if let Some(
        &[
            Instr::Copy { dst, src },
            Instr::Copy {
                dst: dst1,
                src: src1,
            },
        ],
    ) = instrs.get(at..at + 2)
        && is_target.get(at + 1) == Some(&false)
        && let (Ok(dst0), Ok(src0), Ok(dst1), Ok(src1)) = (
            Slot16::try_from(dst),
            Slot16::try_from(src),
            Slot16::try_from(dst1),
            Slot16::try_from(src1),
        )
    {
        instrs[at] = Instr::CopyPair {
            dst0,
            src0,
            dst1,
            src1,
        };
    }
}

/// Add pairs: an `I32AddImm` at `at` followed by another (not a jump target) becomes an
/// `I32AddImmPair` doing both, when their slots fit its 16-bit fields, neither reads an
/// accumulator and both immediates fit an `i16`; the second stays behind it, skipped, as
/// for copy pairs. Compiled loops step several pointers and counters one after another.
/// The pair leaves in the integer accumulator what the second add did.
fn fuse_adds(instrs: &mut [Instr], is_target: &[bool], at: usize) {
    if let Some(
        &[
            Instr::I32AddImm { dst, a, imm },
            Instr::I32AddImm {
                dst: dst1,
                a: a1,
                imm: imm1,
            },
        ],
    ) = instrs.get(at..at + 2)
        && is_target.get(at + 1) == Some(&false)
        && let (Ok(dst0), Ok(a0), Ok(dst1), Ok(a1)) = (
            Slot16::try_from(dst),
            Slot16::try_from(a),
            Slot16::try_from(dst1),
            Slot16::try_from(a1),
        )
        && let (Ok(imm0), Ok(imm1)) = (i16::try_from(imm), i16::try_from(imm1))
    {
        instrs[at] = Instr::I32AddImmPair {
            dst0,
            a0,
            imm0,
            dst1,
            a1,
            imm1,
        };
    }
}

/// A `JumpIfNonZero` as the fused branch it is equivalent to (`cond != 0`); any other
/// instruction unchanged.
fn as_comparison(instr: Instr) -> Instr {
    match instr {
        Instr::JumpIfNonZero { cond, target } => Instr::BrI32NeImm {
            a: cond,
            imm: 0,
            target,
        },
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::isa::ACC;
    use crate::prelude::*;
    use crate::translate::verify::find_targets;

    /// The accumulator pass forgets what it knew at a jump target.
    #[test]
    fn accumulators_are_forgotten_at_jump_targets() {
        let mut instrs = vec![
            Instr::I32AddImm {
                dst: 1,
                a: 0,
                imm: 1,
            },
            Instr::I32Add { dst: 2, a: 1, b: 0 },
            Instr::I32Add { dst: 3, a: 1, b: 0 },
            Instr::JumpIfNonZero { cond: 3, target: 2 },
            Instr::Return {},
        ];
        let mut is_target = Vec::new();
        assert!(find_targets(&instrs, &mut is_target));
        assign_accumulators(&mut instrs, &is_target);
        // Right after the producer: read from `acc`.
        assert_eq!(
            instrs[1],
            Instr::I32Add {
                dst: 2,
                a: ACC,
                b: 0
            }
        );
        // At a jump target: from the slot.
        assert_eq!(instrs[2], Instr::I32Add { dst: 3, a: 1, b: 0 });
        assert_eq!(
            instrs[3],
            Instr::JumpIfNonZero {
                cond: ACC,
                target: 2
            }
        );
        let positions: Vec<_> = instrs.iter().map(Instr::acc_position).collect();
        assert_eq!(positions, [None, Some(0), None, Some(0), None]);
    }

    /// Copy pairs need every slot to fit 16 bits and no jump into the pair.
    #[test]
    fn copies_pair_only_where_the_pair_can_hold_them() {
        let copy = |dst, src| Instr::Copy { dst, src };
        let ret = Instr::Return {};
        let paired = |instrs: &[Instr], targets: &[bool]| {
            let mut instrs = instrs.to_vec();
            fuse_copies(&mut instrs, targets, 0);
            instrs[0]
        };
        let pair = Instr::CopyPair {
            dst0: 2,
            src0: 1,
            dst1: 1,
            src1: 0,
        };
        let near = [copy(2, 1), copy(1, 0), ret];
        assert_eq!(paired(&near, &[false; 3]), pair);
        assert_eq!(paired(&near, &[false, true, false]), copy(2, 1));
        let wide = [copy(70_000, 1), copy(1, 0), ret];
        assert_eq!(paired(&wide, &[false; 3]), copy(70_000, 1));
        let wide = [copy(2, 1), copy(1, 65_536), ret];
        assert_eq!(paired(&wide, &[false; 3]), copy(2, 1));
    }
}
