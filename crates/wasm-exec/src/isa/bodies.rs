//! One function per instruction, made from its body in the list and generic over the
//! [`Machine`] it runs on. Both dispatch drivers call these functions, so each
//! instruction's semantics exists once; the drivers only follow the [`Flow`] a body
//! returns.
//!
//! A body receives its inputs as values (read through [`Machine::read`] in their
//! accumulator positions), its immediates converted to their types, and its other
//! fields as stored (see `kinds.rs`).

use super::kinds::{kind_prepare, kind_type};
use super::list::for_each_instr;
use super::machine::{Flow, Machine};
use super::operands::CellValue;
use super::semantics;
use super::simd;
use wasm_core::TrapCode;

macro_rules! define_bodies {
    (
        []
        $(
            $(#[doc = $doc:expr])*
            $name:ident { $($field:ident : $kind:ident $(($ty:ty))?),* }
            ($caps:expr) |$m:ident| $body:block
        )*
    ) => {
        $(
            $(#[doc = $doc])*
            #[inline(always)]
            #[allow(non_snake_case, unused_variables, clippy::unnecessary_cast)]
            pub(crate) fn $name<M: Machine>(
                $m: &mut M,
                $($field: kind_type!($kind $(($ty))?)),*
            ) -> Result<Flow, TrapCode> {
                $( kind_prepare!($m, $field, $kind $(($ty))?); )*
                $body
            }
        )*
    };
}

for_each_instr!(define_bodies);
