//! Reading a body: `wasmparser`'s operator visitor calls one method per operator, and
//! each method hands its operator to the [`FuncValidator`], then to the [`BodyVisitor`].
//!
//! Why a visitor rather than `OperatorsReader::read`: `read` builds each operator as a
//! value and returns it from a function that is not inlined, so the validator (for the
//! operator's proposal, then its typing) and the translator each match on it again:
//! several multi-way branches per operator, all hard to predict. Here the operator is
//! built inside its own visit method, where it is a constant: with the step inlined, the
//! validator's `match` (and a visitor's, if it is inlined too) folds to the one arm, and
//! the only multi-way branch left per operator is `wasmparser`'s opcode dispatch.
//! WebAssembly 1.0 operators take that path; the others (rarer, and with a proposal to
//! check) share one out-of-line step, which keeps the code size in check.

use crate::error::ValidationError;
use crate::func::FuncValidator;
use crate::prelude::*;
use crate::{BodyVisitor, VisitError};
use core::mem::ManuallyDrop;
use wasm_core::wasmparser::{self, Operator, VisitOperator, VisitSimdOperator};

/// The visitor handed to `OperatorsReader::visit_operator` for one body.
pub(crate) struct Driver<'a, 'm, V> {
    pub(crate) validator: &'a mut FuncValidator<'m>,
    pub(crate) visitor: &'a mut V,
    /// Byte offset of the operator being visited.
    pub(crate) offset: usize,
}

impl<V: BodyVisitor> Driver<'_, '_, V> {
    /// A WebAssembly 1.0 operator: no proposal to check.
    ///
    /// It comes wrapped in `ManuallyDrop`: its immediates own nothing (the visit
    /// methods check that at compile time), and `Operator`'s drop glue, a call LLVM
    /// does not inline, would otherwise run once per operator.
    #[inline(always)]
    fn mvp(&mut self, op: ManuallyDrop<Operator<'_>>) -> Result<(), VisitError<V::Error>> {
        let checked = self.validator.op_mvp(self.offset, &op);
        self.then_visit(checked, &op)
    }

    /// Any other operator.
    #[inline(never)]
    fn other(&mut self, op: &Operator<'_>) -> Result<(), VisitError<V::Error>> {
        let checked = self.validator.op(self.offset, op);
        self.then_visit(checked, op)
    }

    /// Hands `op` to the body visitor once the validator `checked` it.
    #[inline(always)]
    fn then_visit(
        &mut self,
        checked: Result<(), ValidationError>,
        op: &Operator<'_>,
    ) -> Result<(), VisitError<V::Error>> {
        checked.map_err(VisitError::Invalid)?;
        self.visitor
            .op(self.offset, op)
            .map_err(VisitError::Visitor)
    }
}

macro_rules! define_visit {
    ($( @$proposal:ident $op:ident $({ $($arg:ident: $argty:ty),* })? => $visit:ident ($($ann:tt)*) )*) => {
        $(
            #[inline]
            fn $visit(&mut self $($(, $arg: $argty)*)?) -> Self::Output {
                define_visit!(@step $proposal self $($($argty)*)? ; (Operator::$op $({ $($arg),* })?))
            }
        )*
    };
    (@step mvp $self:ident $($argty:ty)* ; $op:expr) => {{
        // What `mvp` relies on: nothing in a WebAssembly 1.0 operator needs dropping.
        const { $(assert!(!core::mem::needs_drop::<$argty>());)* }
        $self.mvp(ManuallyDrop::new($op))
    }};
    (@step $proposal:ident $self:ident $($argty:ty)* ; $op:expr) => { $self.other(&$op) };
}

impl<'a, V: BodyVisitor> VisitOperator<'a> for Driver<'_, '_, V>
where
    V::Error: 'a,
{
    type Output = Result<(), VisitError<V::Error>>;

    fn simd_visitor(&mut self) -> Option<&mut dyn VisitSimdOperator<'a, Output = Self::Output>> {
        Some(self)
    }

    wasmparser::for_each_visit_operator!(define_visit);
}

impl<'a, V: BodyVisitor> VisitSimdOperator<'a> for Driver<'_, '_, V>
where
    V::Error: 'a,
{
    wasmparser::for_each_visit_simd_operator!(define_visit);
}
