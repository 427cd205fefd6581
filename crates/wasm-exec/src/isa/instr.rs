//! [`Instr`], the engine's instruction, and the facts about each instruction that the
//! translator, `verify` and the disassembler read: all generated from the list's records
//! (the kinds of the fields and the declared capabilities), none kept by hand.

use super::kinds::{
    kind_acc_position, kind_narrow, kind_show, kind_target, kind_type, kind_visit_slot,
};
use super::list::for_each_instr;
use super::operands::{ACC, AccClass, Caps, Role, Slot, SlotVisitor};
use crate::prelude::*;

/// What an instruction does to the accumulators, for the translator's tracking of which
/// slot each one mirrors and for `verify`.
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
    /// The accumulators are unknown afterwards ([`Caps::STOPS`]).
    Clobbers,
}

impl AccEffect {
    /// Updates `acc`, the slot each accumulator mirrors, for an instruction with this
    /// effect.
    #[inline(always)]
    pub(crate) fn apply(self, acc: &mut [Option<Slot>; 2]) {
        let mut forget = |slot: Slot| {
            for held in acc.iter_mut() {
                if *held == Some(slot) {
                    *held = None;
                }
            }
        };
        match self {
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
    }
}

macro_rules! define_instr {
    (
        []
        $(
            $(#[doc = $doc:expr])*
            $name:ident { $($field:ident : $kind:ident $(($ty:ty))?),* }
            ($caps:expr) |$m:ident| $body:block
        )*
    ) => {
        /// One engine instruction (16 bytes; see `list.rs` for each one's semantics).
        ///
        /// `repr(u16)`, so that the discriminant is the [`tag`](Instr::tag) the threaded
        /// dispatch picks each instruction's handler by.
        #[derive(Copy, Clone, Debug, PartialEq, Eq)]
        #[repr(u16)]
        pub enum Instr {
            $(
                $(#[doc = $doc])*
                $name {
                    $(
                        #[doc = concat!("Kind `", stringify!($kind $(($ty))?), "`.")]
                        $field: kind_type!($kind $(($ty))?),
                    )*
                },
            )*
        }

        /// The number of instructions.
        #[cfg_attr(not(wasmite_threaded), allow(dead_code))]
        pub(crate) const COUNT: usize = [$(stringify!($name)),*].len();

        impl Instr {
            /// The capabilities the list declares for the instruction.
            #[inline]
            pub(crate) fn caps(&self) -> Caps {
                match self {
                    $( Instr::$name { .. } => $caps, )*
                }
            }

            /// Calls `visit` with every slot field of the instruction and its role (a
            /// call's base included), in declaration order, to read or renumber it.
            #[inline(always)]
            pub(crate) fn slots_mut(&mut self, visit: &mut impl SlotVisitor) {
                match self {
                    $(
                        #[allow(unused_variables)]
                        Instr::$name { $($field),* } => {
                            $( kind_visit_slot!(visit, $field, $kind $(($ty))?); )*
                        }
                    )*
                }
            }

            /// The branch target, if the instruction has one.
            #[inline]
            pub(crate) fn target_mut(&mut self) -> Option<&mut u32> {
                match self {
                    $(
                        Instr::$name { $($field),* } => {
                            $( kind_target!($field, $kind $(($ty))?); )*
                        }
                    )*
                }
                None
            }

            /// The instruction's index in declaration order (its discriminant).
            #[cfg_attr(not(wasmite_threaded), allow(dead_code))]
            #[inline(always)]
            pub(crate) fn tag(&self) -> u16 {
                /// The instructions' names, in declaration order.
                #[allow(dead_code)]
                #[repr(u16)]
                enum Tag {
                    $($name,)*
                }
                match self {
                    $( Instr::$name { .. } => Tag::$name as u16, )*
                }
            }

            /// The position of the input that names the accumulator, if one does: the
            /// threaded dispatch picks the handler reading the accumulator there.
            #[cfg_attr(not(wasmite_threaded), allow(dead_code))]
            #[inline]
            pub(crate) fn acc_position(&self) -> Option<u8> {
                match self {
                    $(
                        #[allow(unused_variables)]
                        Instr::$name { $($field),* } => {
                            $( kind_acc_position!($field, $kind $(($ty))?); )*
                        }
                    )*
                }
                None
            }

            /// Whether some slot field is 16 bits wide.
            pub(crate) fn has_narrow_slots(&self) -> bool {
                match self {
                    $( Instr::$name { .. } => false $(|| kind_narrow!($kind))*, )*
                }
            }

            /// The instruction as the disassembly shows it: `Name { field: value, .. }`,
            /// an input naming the accumulator as `acc`.
            pub(crate) fn text(&self) -> String {
                let (name, fields): (&str, Vec<(&str, String)>) = match self {
                    $(
                        Instr::$name { $($field),* } => (
                            stringify!($name),
                            vec![$( (stringify!($field), kind_show!($field, $kind $(($ty))?)) ),*],
                        ),
                    )*
                };
                if fields.is_empty() {
                    return name.to_string();
                }
                let fields: Vec<String> =
                    fields.iter().map(|(field, value)| format!("{field}: {value}")).collect();
                format!("{name} {{ {} }}", fields.join(", "))
            }
        }
    };
}

for_each_instr!(define_instr);

impl Instr {
    /// Calls `f` with every slot operand (the slot fields but a call's base).
    pub(crate) fn for_each_slot(&self, mut f: impl FnMut(Role, Slot)) {
        let mut copy = *self;
        copy.slots_mut(&mut |role: Role, slot: &mut Slot| {
            if role != Role::Base {
                f(role, *slot);
            }
        });
    }

    /// Calls `f` with each input that may name an accumulator, with its class.
    #[inline]
    pub(crate) fn acc_operands_mut(&mut self, mut f: impl FnMut(AccClass, &mut Slot)) {
        self.slots_mut(&mut |role: Role, slot: &mut Slot| {
            if let Role::In(_, Some(class)) = role {
                f(class, slot);
            }
        });
    }

    /// The one slot the instruction writes, if it writes exactly one (after reading its
    /// inputs, as every instruction does) and reads none of the slots it writes: the
    /// translator's peephole may make it write elsewhere ([`Instr::retarget`]).
    pub(crate) fn dst(&self) -> Option<Slot> {
        let (mut dst, mut written, mut other) = (None, 0, false);
        self.for_each_slot(|role, slot| match role {
            Role::Dst(_) | Role::VDst => {
                dst = Some(slot);
                written += 1;
            }
            Role::Pair | Role::Update(_) => other = true,
            _ => {}
        });
        if written == 1 && !other { dst } else { None }
    }

    /// Makes the instruction write `to` instead of `from`, if `from` is its
    /// [`dst`](Instr::dst) and `to` fits the field.
    pub(crate) fn retarget(&mut self, from: Slot, to: Slot) -> bool {
        if self.dst() != Some(from) || (self.has_narrow_slots() && u16::try_from(to).is_err()) {
            return false;
        }
        self.slots_mut(&mut |role: Role, slot: &mut Slot| {
            if let Role::Dst(_) | Role::VDst = role {
                *slot = to;
            }
        });
        true
    }

    /// What the instruction does to the accumulators.
    pub(crate) fn acc_effect(&self) -> AccEffect {
        let mut writes = Writes::default();
        self.clone().slots_mut(&mut writes);
        writes.effect(self.caps())
    }

    /// Accumulator assignment for one instruction (see `assign_accumulators` in the
    /// translator), in one walk over its slots: names the first input whose slot its
    /// accumulator mirrors (`acc`: the slot each accumulator holds) as [`ACC`], then
    /// updates `acc` for what the instruction does (as [`acc_effect`](Instr::acc_effect)
    /// says). The instruction has no accumulator operand yet (the translator names them
    /// only here).
    pub(crate) fn assign_acc(&mut self, acc: &mut [Option<Slot>; 2]) {
        /// The walk: renames the first input its accumulator mirrors, notes the writes.
        struct Assign {
            held: [Option<Slot>; 2],
            renamed: bool,
            writes: Writes,
        }
        impl SlotVisitor for Assign {
            #[inline(always)]
            fn visit(&mut self, role: Role, slot: &mut Slot) {
                if let Role::In(_, Some(class)) = role {
                    if !self.renamed && self.held[class as usize] == Some(*slot) {
                        *slot = ACC;
                        self.renamed = true;
                    }
                } else {
                    self.writes.note(role, *slot);
                }
            }
        }
        let held = *acc;
        let mut walk = Assign {
            held,
            renamed: held == [None; 2],
            writes: Writes::default(),
        };
        self.slots_mut(&mut walk);
        walk.writes.effect(self.caps()).apply(acc);
    }

    /// Whether the instruction skips the one after it when it does not jump
    /// ([`Caps::SKIPS`]).
    pub(crate) fn skips_next(&self) -> bool {
        self.caps().has(Caps::SKIPS)
    }
}

/// The slots an instruction writes, noted by a walk over its slot fields, and what that
/// does to the accumulators.
#[derive(Default)]
struct Writes {
    /// A value produced into a slot and its accumulator.
    produced: Option<(AccClass, Slot)>,
    /// Slots written without an accumulator.
    written: [Option<Slot>; 2],
}

impl Writes {
    #[inline(always)]
    fn note(&mut self, role: Role, slot: Slot) {
        match role {
            Role::Dst(Some(class)) | Role::Update(class) => self.produced = Some((class, slot)),
            Role::Dst(None) | Role::Pair => {
                let free = usize::from(self.written[0].is_some());
                self.written[free] = Some(slot);
            }
            // The only slot field written of its instruction: both halves.
            Role::VDst => self.written = [Some(slot), Some(slot + 1)],
            Role::In(..) | Role::Reg | Role::Base | Role::VIn(_) => {}
        }
    }

    /// The effect of an instruction with these writes and capabilities `caps`.
    #[inline(always)]
    fn effect(&self, caps: Caps) -> AccEffect {
        match (caps.has(Caps::STOPS), self.produced, self.written) {
            (true, ..) => AccEffect::Clobbers,
            (false, Some((class, slot)), _) => AccEffect::Produces(class, slot),
            (false, None, [Some(first), Some(second)]) => AccEffect::WritesTwo(first, second),
            (false, None, [Some(slot), None]) => AccEffect::Writes(slot),
            (false, None, _) => AccEffect::Preserves,
        }
    }
}

impl SlotVisitor for Writes {
    #[inline(always)]
    fn visit(&mut self, role: Role, slot: &mut Slot) {
        self.note(role, *slot);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instructions_stay_16_bytes() {
        assert_eq!(core::mem::size_of::<Instr>(), 16);
    }

    /// The facts come from the fields' declared kinds: a store reads its address in
    /// position 0 and its value in position 1, produces nothing and may trap.
    #[test]
    fn facts_follow_the_declared_kinds() {
        let mut store = Instr::I64Store {
            addr: 1,
            value: ACC,
            offset: 8,
        };
        assert_eq!(store.acc_position(), Some(1));
        assert_eq!(store.acc_effect(), AccEffect::Preserves);
        assert!(store.caps().has(Caps::MAY_TRAP));
        assert_eq!(store.dst(), None);
        let mut roles = Vec::new();
        store.slots_mut(&mut |role: Role, slot: &mut Slot| roles.push((role, *slot)));
        assert_eq!(
            roles,
            [
                (Role::In(0, Some(AccClass::Int)), 1),
                (Role::In(1, Some(AccClass::Int)), ACC)
            ]
        );
        // f32 values have no accumulator; a f32 result is written, not produced.
        let add = Instr::F32Add { dst: 3, a: 1, b: 2 };
        assert_eq!(add.acc_effect(), AccEffect::Writes(3));
        assert_eq!(add.dst(), Some(3));
        // `Select` reads the slot it writes: not a retargetable destination.
        assert_eq!(Instr::Select { dst: 4, cond: 1 }.dst(), None);
        // A call's base is not an operand, and a call leaves the accumulators unknown.
        let call = Instr::Call { func: 0, base: 9 };
        let mut operands = 0;
        call.for_each_slot(|_, _| operands += 1);
        assert_eq!(operands, 0);
        assert_eq!(call.acc_effect(), AccEffect::Clobbers);
        assert!(Instr::ReturnSlot { src: 0 }.caps().has(Caps::NO_FALL));
        assert!(
            !Instr::JumpIfZero { cond: 0, target: 0 }
                .caps()
                .has(Caps::NO_FALL)
        );
    }

    #[test]
    fn retargeting_respects_narrow_fields() {
        let mut load = Instr::I32LoadIndexed {
            dst: 5,
            base: 1,
            index: 2,
            offset: 0,
        };
        assert!(!load.retarget(5, 70_000));
        assert!(load.retarget(5, 3));
        assert_eq!(load.dst(), Some(3));
        assert!(!load.retarget(5, 4));
    }

    #[test]
    fn the_disassembly_names_accumulator_inputs() {
        let add = Instr::I32Add {
            dst: 3,
            a: ACC,
            b: 2,
        };
        assert_eq!(add.text(), "I32Add { dst: 3, a: acc, b: 2 }");
        assert_eq!(Instr::Return {}.text(), "Return");
        // A destination is never the accumulator: shown as the number it holds.
        let odd = Instr::Copy { dst: ACC, src: 1 };
        assert_eq!(odd.text(), format!("Copy {{ dst: {ACC}, src: 1 }}"));
    }

    #[test]
    fn tags_follow_the_declaration_order() {
        assert_eq!(Instr::Unreachable {}.tag(), 0);
        let last = Instr::V128Load64Zero {
            dst: 0,
            addr: 0,
            offset: 0,
        };
        assert_eq!(usize::from(last.tag()) + 1, COUNT);
    }
}
