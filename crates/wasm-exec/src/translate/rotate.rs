//! Loop rotation: a loop's back edge tests the exit itself.

use super::verify::find_targets;
use crate::isa::{AccEffect, Instr};
use crate::prelude::*;

/// Buffers of [`rotate_loops`], kept from one function to the next.
#[derive(Default)]
pub(crate) struct Rotation {
    /// (position of the `Jump`, start of the head's copy, position of the exit test,
    /// whether a `Jump` to the exit follows the copy)
    plan: Vec<(usize, usize, usize, bool)>,
    /// New position of every old one.
    moved: Vec<u32>,
    /// The jump targets, when a rotation needs them (`find_targets`).
    targets: Vec<bool>,
    /// The instructions before rotation, and their code offsets.
    old: Vec<Instr>,
    old_offsets: Vec<u32>,
}

/// Longest loop head (instructions before its exit test) that loop rotation copies.
const MAX_ROTATED_HEAD: usize = 3;

/// Loop rotation: a `Jump` back to a loop head that tests whether to leave the loop
/// (the shape of `block (loop (br_if 1 ..) .. (br 0)))`) becomes a copy of the head's
/// straight-line instructions (at most [`MAX_ROTATED_HEAD`]) and the negated test,
/// jumping to the loop's body: one dispatch less per iteration. The head computes the
/// same values at the bottom as at the top. Where the loop's exit is not just after the
/// `Jump` (a `br 0` inside the body, such as the end of each `br_table` case), a `Jump`
/// to the exit follows the test, taken once. Copying shifts the later instructions, so
/// every target is remapped. `offsets` (the code offset of each instruction) follows the
/// instructions: a copy of the head keeps the head's, the negated test and its `Jump` the
/// test's.
pub(crate) fn rotate_loops(
    instrs: &mut Vec<Instr>,
    offsets: &mut Vec<u32>,
    buffers: &mut Rotation,
) {
    let Rotation {
        plan,
        moved,
        old,
        old_offsets,
        targets,
    } = buffers;
    plan.clear();
    // Found at the first rotation that asks (once per function: no rotation changes
    // the targets before `plan` is carried out).
    let mut targets_found = false;
    // The entries of a jump table stay `Jump`s (the dispatch relies on it).
    let mut table_end = 0;
    for at in 0..instrs.len() {
        if let Instr::JumpTable { len, .. } = instrs[at] {
            table_end = at + 2 + len as usize;
        }
        if at < table_end {
            continue;
        }
        let Instr::Jump { target } = instrs[at] else {
            continue;
        };
        let head = target as usize;
        if head >= at {
            continue;
        }
        // Metering checks at the head (fuel; an interrupt check where the head is the
        // function's start) are copied with it: the copy runs once per iteration, as the
        // head did, and they do not count as its length.
        let checks = instrs[head..at]
            .iter()
            .take_while(|i| matches!(i, Instr::ConsumeFuel { .. } | Instr::CheckInterrupt {}))
            .count();
        let window = head + checks + MAX_ROTATED_HEAD + 1;
        let test = (head + checks..at.min(window)).find(|&k| {
            let mut instr = instrs[k];
            instr.target_mut().is_some()
                || !matches!(
                    instr.acc_effect(),
                    AccEffect::Produces(..) | AccEffect::Writes(_)
                )
        });
        if let Some(k) = test
            && let mut exit = instrs[k]
            && let Some(&mut leave) = exit.target_mut()
            && !matches!(exit, Instr::Jump { .. } | Instr::JumpTable { .. })
            && exit.negate_branch(0).is_some()
        {
            // A head that starts by reading the global the loop's last instruction
            // set, into the slot it was set from, has nothing to read at the bottom
            // (`global.set $g (..); br $loop` with `global.get $g` first in the loop),
            // unless something jumps to the `Jump` itself.
            let from = match (instrs[at - 1], instrs[head]) {
                (
                    Instr::GlobalSet { src, index } | Instr::GlobalSetInt { src, index },
                    Instr::GlobalGet { dst, index: read }
                    | Instr::GlobalGetInt { dst, index: read },
                ) if src == dst && index == read && head < k => {
                    if !targets_found {
                        find_targets(instrs, targets);
                        targets_found = true;
                    }
                    head + usize::from(!targets[at])
                }
                _ => head,
            };
            // Leaving the loop falls through, or takes a jump after the test.
            plan.push((at, from, k, leave as usize != at + 1));
        }
    }
    if plan.is_empty() {
        return;
    }
    // New position of every old one (and of the end).
    moved.clear();
    let mut next = plan.iter().peekable();
    let mut len = 0u32;
    for at in 0..instrs.len() {
        moved.push(len);
        len += match next.next_if(|(jump, ..)| *jump == at) {
            Some(&(_, head, test, leave)) => (test - head + 1 + usize::from(leave)) as u32,
            None => 1,
        };
    }
    moved.push(len);
    core::mem::swap(old, instrs);
    core::mem::swap(old_offsets, offsets);
    instrs.clear();
    offsets.clear();
    let mut next = plan.iter().peekable();
    for (at, instr) in old.iter().enumerate() {
        match next.next_if(|(jump, ..)| *jump == at) {
            Some(&(_, head, test, leave)) => {
                instrs.extend_from_slice(&old[head..test]);
                offsets.extend_from_slice(&old_offsets[head..test]);
                let body = test as u32 + 1;
                let mut exit = old[test];
                instrs.push(exit.negate_branch(body).expect("checked above"));
                offsets.push(old_offsets[test]);
                if leave {
                    let target = *exit.target_mut().expect("checked above");
                    instrs.push(Instr::Jump { target });
                    offsets.push(old_offsets[test]);
                }
            }
            None => {
                instrs.push(*instr);
                offsets.push(old_offsets[at]);
            }
        }
    }
    for instr in instrs.iter_mut() {
        if let Some(target) = instr.target_mut() {
            // (A target out of range stays so, for `verify` to report.)
            *target = moved.get(*target as usize).copied().unwrap_or(u32::MAX);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_metered_loop_head_is_rotated_with_its_checks() {
        // loop: charge, leave if slot 0 is zero, body, back to the head.
        let mut instrs = vec![
            Instr::ConsumeFuel { amount: 3 },
            Instr::CheckInterrupt {},
            Instr::JumpIfZero { cond: 0, target: 5 },
            Instr::Copy { dst: 1, src: 0 },
            Instr::Jump { target: 0 },
            Instr::Return {},
        ];
        let mut offsets = vec![10, 10, 12, 14, 16, 18];
        rotate_loops(&mut instrs, &mut offsets, &mut Rotation::default());
        // The `Jump` became a copy of the checks and the negated test, back to the body;
        // the copy keeps the offsets of the head, the test's.
        assert_eq!(
            instrs,
            [
                Instr::ConsumeFuel { amount: 3 },
                Instr::CheckInterrupt {},
                Instr::JumpIfZero { cond: 0, target: 7 },
                Instr::Copy { dst: 1, src: 0 },
                Instr::ConsumeFuel { amount: 3 },
                Instr::CheckInterrupt {},
                Instr::JumpIfNonZero { cond: 0, target: 3 },
                Instr::Return {},
            ]
        );
        assert_eq!(offsets, [10, 10, 12, 14, 10, 10, 12, 18]);
    }
}
