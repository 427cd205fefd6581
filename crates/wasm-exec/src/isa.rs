//! The engine's register-based instruction set: one list declares every instruction with
//! its operand kinds, capabilities and semantics (`list.rs`), and everything else about
//! instructions is generated from it.
//!
//! * `operands.rs`: slots, the accumulators, how values live in cells, capabilities;
//! * `kinds.rs`: the operand kinds a list entry declares its fields with;
//! * `machine.rs`: the [`Machine`] a body runs on and the [`Flow`] it ends in;
//! * `list.rs`: the list ([`for_each_instr!`]);
//! * `instr.rs`: the enum [`Instr`] and its facts (slot roles, targets, accumulators);
//! * `bodies.rs`: each instruction's body as a function, for both dispatch drivers;
//! * `relations.rs`: the translator's lowering and fusion tables;
//! * `semantics.rs`, `memory.rs`: numeric helpers and bounds-checked memory access that
//!   the bodies use; `simd.rs`: the lane operations of `v128` instructions.

pub(crate) mod bodies;
mod instr;
mod kinds;
pub(crate) mod list;
mod machine;
mod memory;
pub(crate) mod operands;
mod relations;
mod semantics;
pub(crate) mod simd;

pub(crate) use instr::AccEffect;
#[cfg(wasmite_threaded)]
pub(crate) use instr::COUNT;
pub use instr::Instr;
pub(crate) use list::for_each_instr;
pub(crate) use machine::{Flow, Machine};
pub(crate) use operands::{ACC, AccValue, Caps, Role, Slot, Slot16, SlotVisitor};
pub(crate) use relations::{Lowered, Numeric, Simd};
