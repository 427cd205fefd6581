//! The operand kinds of the instruction list, and what each means to the code generated
//! from the list: its field's Rust type, its [`Role`] if it is a slot, and the form in
//! which an instruction body receives it.
//!
//! | kind | type | role | the body receives |
//! | --- | --- | --- | --- |
//! | `dst(T)` | `Slot` | written, value also into T's accumulator | the slot |
//! | `out` | `Slot` | written, no accumulator | the slot |
//! | `pair` | `Slot` | written, and the next slot read | the slot |
//! | `update(T)` | `Slot` | read and written, into T's accumulator | the slot |
//! | `in0(T)`, `in1(T)` | `Slot` | read in accumulator position 0 / 1 | the value, a `T` |
//! | `reg` | `Slot` | read as bits, never the accumulator | the slot |
//! | `dst16(T)`, `out16`, `reg16` | `Slot16` | as `dst(T)`, `out`, `reg` | the slot, as a `Slot` |
//! | `vdst` | `Slot` | a `v128` (or another pair of cells) written: the slot and the next | the slot |
//! | `vin`, `vin2`, `vin3` | `Slot` | 1, 2 or 3 `v128`s (or pairs) read: 2, 4 or 6 slots from it | the slot |
//! | `lane` | `u8` | — | the number |
//! | `base` | `Base` | a call's frame base | the base |
//! | `imm(T)` | `i32` | — | the value, a `T` (sign-extended) |
//! | `target` | `u32` | — (a branch target) | the target as stored |
//! | `offset`, `index`, `count`, `value` | `u32` | — | the number |
//! | `step` | `i16` | — | the number |
//! | `bits` | `u64` | — | the number |
//!
//! A slot of any role but `base` must lie within the frame (`verify`); only `in0`/`in1`
//! slots of a type with an accumulator may be [`ACC`].

/// The Rust type of a field of kind `$kind`.
macro_rules! kind_type {
    (dst $t:tt) => {
        $crate::isa::operands::Slot
    };
    (out) => {
        $crate::isa::operands::Slot
    };
    (pair) => {
        $crate::isa::operands::Slot
    };
    (update $t:tt) => {
        $crate::isa::operands::Slot
    };
    (in0 $t:tt) => {
        $crate::isa::operands::Slot
    };
    (in1 $t:tt) => {
        $crate::isa::operands::Slot
    };
    (reg) => {
        $crate::isa::operands::Slot
    };
    (vdst) => {
        $crate::isa::operands::Slot
    };
    (vin) => {
        $crate::isa::operands::Slot
    };
    (vin2) => {
        $crate::isa::operands::Slot
    };
    (vin3) => {
        $crate::isa::operands::Slot
    };
    (lane) => {
        u8
    };
    (dst16 $t:tt) => {
        $crate::isa::operands::Slot16
    };
    (out16) => {
        $crate::isa::operands::Slot16
    };
    (reg16) => {
        $crate::isa::operands::Slot16
    };
    (base) => {
        $crate::isa::operands::Base
    };
    (imm $t:tt) => {
        i32
    };
    (target) => {
        u32
    };
    (offset) => {
        u32
    };
    (index) => {
        u32
    };
    (count) => {
        u32
    };
    (value) => {
        u32
    };
    (step) => {
        i16
    };
    (bits) => {
        u64
    };
}
pub(crate) use kind_type;

/// Turns field `$f` of kind `$kind` into what an instruction body receives (reading an
/// input through the machine `$m`).
macro_rules! kind_prepare {
    ($m:ident, $f:ident, in0 ($t:ty)) => {
        let $f: $t = $m.read::<$t, 0>($f);
    };
    ($m:ident, $f:ident, in1 ($t:ty)) => {
        let $f: $t = $m.read::<$t, 1>($f);
    };
    ($m:ident, $f:ident, imm ($t:ty)) => {
        let $f: $t = <$t as $crate::isa::operands::FromImm>::from_imm($f);
    };
    ($m:ident, $f:ident, dst16 $t:tt) => {
        let $f = $crate::isa::operands::Slot::from($f);
    };
    ($m:ident, $f:ident, out16) => {
        let $f = $crate::isa::operands::Slot::from($f);
    };
    ($m:ident, $f:ident, reg16) => {
        let $f = $crate::isa::operands::Slot::from($f);
    };
    ($m:ident, $f:ident, $kind:ident $($t:tt)?) => {};
}
pub(crate) use kind_prepare;

/// Calls `$visit.visit(role, &mut slot)` for field `$f` (a `&mut` of its type) if it is a slot
/// (see the table above); a 16-bit slot through a widened copy, written back.
macro_rules! kind_visit_slot {
    ($visit:ident, $f:ident, dst ($t:ty)) => {
        $visit.visit(
            $crate::isa::operands::Role::Dst(<$t as $crate::isa::operands::AccValue>::CLASS),
            $f,
        )
    };
    ($visit:ident, $f:ident, out) => {
        $visit.visit($crate::isa::operands::Role::Dst(None), $f)
    };
    ($visit:ident, $f:ident, pair) => {
        $visit.visit($crate::isa::operands::Role::Pair, $f)
    };
    ($visit:ident, $f:ident, update ($t:ty)) => {
        $visit.visit(
            $crate::isa::kinds::update_role(<$t as $crate::isa::operands::AccValue>::CLASS),
            $f,
        )
    };
    ($visit:ident, $f:ident, in0 ($t:ty)) => {
        $visit.visit(
            $crate::isa::operands::Role::In(0, <$t as $crate::isa::operands::AccValue>::CLASS),
            $f,
        )
    };
    ($visit:ident, $f:ident, in1 ($t:ty)) => {
        $visit.visit(
            $crate::isa::operands::Role::In(1, <$t as $crate::isa::operands::AccValue>::CLASS),
            $f,
        )
    };
    ($visit:ident, $f:ident, reg) => {
        $visit.visit($crate::isa::operands::Role::Reg, $f)
    };
    ($visit:ident, $f:ident, vdst) => {
        $visit.visit($crate::isa::operands::Role::VDst, $f)
    };
    ($visit:ident, $f:ident, vin) => {
        $visit.visit($crate::isa::operands::Role::VIn(1), $f)
    };
    ($visit:ident, $f:ident, vin2) => {
        $visit.visit($crate::isa::operands::Role::VIn(2), $f)
    };
    ($visit:ident, $f:ident, vin3) => {
        $visit.visit($crate::isa::operands::Role::VIn(3), $f)
    };
    ($visit:ident, $f:ident, base) => {
        $visit.visit($crate::isa::operands::Role::Base, $f)
    };
    ($visit:ident, $f:ident, dst16 ($t:ty)) => {
        $crate::isa::kinds::visit16(
            $f,
            $crate::isa::operands::Role::Dst(<$t as $crate::isa::operands::AccValue>::CLASS),
            $visit,
        )
    };
    ($visit:ident, $f:ident, out16) => {
        $crate::isa::kinds::visit16($f, $crate::isa::operands::Role::Dst(None), $visit)
    };
    ($visit:ident, $f:ident, reg16) => {
        $crate::isa::kinds::visit16($f, $crate::isa::operands::Role::Reg, $visit)
    };
    ($visit:ident, $f:ident, $kind:ident $($t:tt)?) => {
        let _ = $f;
    };
}
pub(crate) use kind_visit_slot;

/// Whether a field of kind `$kind` is a 16-bit slot.
macro_rules! kind_narrow {
    (dst16) => {
        true
    };
    (out16) => {
        true
    };
    (reg16) => {
        true
    };
    ($kind:ident) => {
        false
    };
}
pub(crate) use kind_narrow;

/// The number of operands a field of kind `$kind` takes from the operand stack when the
/// translator lowers a Wasm operator to its instruction (the list's `lowered` section).
macro_rules! kind_inputs {
    (in0 $t:tt) => {
        1
    };
    (in1 $t:tt) => {
        1
    };
    (reg) => {
        1
    };
    ($kind:ident $($t:tt)?) => {
        0
    };
}
pub(crate) use kind_inputs;

/// The number of results a field of kind `$kind` pushes (as for [`kind_inputs`]).
macro_rules! kind_outputs {
    (dst $t:tt) => {
        1
    };
    (out) => {
        1
    };
    ($kind:ident $($t:tt)?) => {
        0
    };
}
pub(crate) use kind_outputs;

/// The value of field `$f` of kind `$kind` in an instruction lowered from one Wasm operator:
/// an input the next of the operands' slots `$inputs` (an iterator), an output the result's
/// slot `$dst`. (Other kinds have no arm: a `lowered` instruction has no other field.)
macro_rules! kind_lowered {
    ($inputs:ident, $dst:ident, in0 $t:tt) => {
        $inputs.next().unwrap_or_default()
    };
    ($inputs:ident, $dst:ident, in1 $t:tt) => {
        $inputs.next().unwrap_or_default()
    };
    ($inputs:ident, $dst:ident, reg) => {
        $inputs.next().unwrap_or_default()
    };
    ($inputs:ident, $dst:ident, dst $t:tt) => {
        $dst
    };
    ($inputs:ident, $dst:ident, out) => {
        $dst
    };
}
pub(crate) use kind_lowered;

/// `return Some(position)` if field `$f` (a reference) is an input that names the
/// accumulator.
macro_rules! kind_acc_position {
    ($f:ident, in0 ($t:ty)) => {
        if <$t as $crate::isa::operands::AccValue>::CLASS.is_some()
            && *$f == $crate::isa::operands::ACC
        {
            return Some(0);
        }
    };
    ($f:ident, in1 ($t:ty)) => {
        if <$t as $crate::isa::operands::AccValue>::CLASS.is_some()
            && *$f == $crate::isa::operands::ACC
        {
            return Some(1);
        }
    };
    ($f:ident, $kind:ident $($t:tt)?) => {};
}
pub(crate) use kind_acc_position;

/// `return Some($f)` if field `$f` is the branch target.
macro_rules! kind_target {
    ($f:ident, target) => {
        return Some($f)
    };
    ($f:ident, $kind:ident $($t:tt)?) => {
        let _ = $f;
    };
}
pub(crate) use kind_target;

/// Field `$f` (a reference to its value) for the disassembly: an input naming the
/// accumulator shows as `acc`, anything else as its number.
macro_rules! kind_show {
    ($f:ident, in0 $t:tt) => {
        $crate::isa::kinds::show_input(u64::from(*$f))
    };
    ($f:ident, in1 $t:tt) => {
        $crate::isa::kinds::show_input(u64::from(*$f))
    };
    ($f:ident, $kind:ident $($t:tt)?) => {
        format!("{:?}", $f)
    };
}
pub(crate) use kind_show;

use super::operands::{ACC, AccClass, Role, Slot, Slot16, SlotVisitor};
use crate::prelude::*;

/// The role of an `update(T)` slot (a counter: always an integer).
pub(crate) const fn update_role(class: Option<AccClass>) -> Role {
    match class {
        Some(class) => Role::Update(class),
        None => Role::Update(AccClass::Int),
    }
}

/// Visits a 16-bit slot field through a widened copy. The translator makes instructions
/// with 16-bit slots only where renumbering cannot take a slot past 16 bits (`fits16` in
/// the translator); a visitor that did would be a translator bug (debug builds assert),
/// which saturates here rather than wrapping round to a low slot.
#[inline(always)]
pub(crate) fn visit16(field: &mut Slot16, role: Role, visit: &mut impl SlotVisitor) {
    let mut slot = Slot::from(*field);
    visit.visit(role, &mut slot);
    debug_assert!(
        slot <= Slot::from(Slot16::MAX),
        "16-bit slot renumbered to {slot}"
    );
    *field = Slot16::try_from(slot).unwrap_or(Slot16::MAX);
}

/// An input slot as the disassembly shows it.
pub(crate) fn show_input(slot: u64) -> String {
    if slot == u64::from(ACC) {
        "acc".to_string()
    } else {
        slot.to_string()
    }
}
