//! Returns taken where they are decided.

use crate::isa::{Caps, Instr};

/// Returns taken where they are decided: an unconditional `Jump` to a return
/// instruction becomes a copy of that return (a `br` to the function's end, an `if` arm
/// that ends the function), and a `Copy` into the slot that the next instruction
/// returns becomes the return of the copy's source (the return after it stays, for the
/// jumps to it). fib_recursive's base case was `Copy, Jump, ReturnSlot`: one
/// `ReturnSlot` now. The `Jump`s of a jump table stay (the table's encoding).
pub(crate) fn shortcut_returns(instrs: &mut [Instr]) {
    let mut at = 0;
    while at < instrs.len() {
        match instrs[at] {
            Instr::JumpTable { len, .. } => {
                at += len as usize + 2;
                continue;
            }
            Instr::Jump { target } => {
                if let Some(&ret) = instrs.get(target as usize)
                    && ret.caps().has(Caps::RETURNS)
                {
                    instrs[at] = ret;
                }
            }
            _ => {}
        }
        at += 1;
    }
    for at in 1..instrs.len() {
        if let (Instr::Copy { dst, src }, Instr::ReturnSlot { src: returned }) =
            (instrs[at - 1], instrs[at])
            && returned == dst
        {
            instrs[at - 1] = Instr::ReturnSlot { src };
        }
    }
}
