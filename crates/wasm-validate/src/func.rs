//! Function bodies: the operand-stack and control-stack algorithm of the spec's
//! validation appendix ("Validation Algorithm", A.3 in the 1.0 spec), driven one operator
//! at a time.
//!
//! [`FuncValidator`] owns the two stacks. The typing of each operator lives in
//! `operators.rs`; this file holds the stack discipline the appendix defines
//! (`push_val`/`pop_val`, `push_ctrl`/`pop_ctrl`, `unreachable`) and the public view a
//! translator uses to follow along (heights, frames, locals).

use crate::prelude::*;

use crate::drive::Driver;
use crate::error::ValidationError;
use crate::features::Features;
use crate::{BodyVisitor, NoVisitor, VisitError};
use wasm_core::wasmparser::Operator;
use wasm_core::{MAX_LOCALS, Module, Signature, ValType};

/// A slot of the operand stack: a known type, or `None` for the appendix's *Unknown*
/// type that stands for any value in unreachable (stack-polymorphic) code.
pub(crate) type Slot = Option<ValType>;

/// What opened a control frame.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum FrameKind {
    /// The implicit frame of the function body itself; its label is the function's
    /// results (`br` to it acts like `return`).
    Function,
    /// `block`.
    Block,
    /// `loop`: its label is the loop's parameters.
    Loop,
    /// `if`, before any `else`.
    If,
    /// The `else` arm of an `if`.
    Else,
}

/// One entry of the control stack (the appendix's `ctrl_frame`).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct ControlFrame<'m> {
    /// What opened the frame.
    pub kind: FrameKind,
    /// Types the block takes from the operand stack (empty for [`FrameKind::Function`]:
    /// a function's parameters are locals, not operands).
    pub params: &'m [ValType],
    /// Types the block leaves on the operand stack.
    pub results: &'m [ValType],
    /// Operand stack height when the frame was entered, below its parameters.
    pub height: usize,
    /// Whether the rest of the frame is unreachable (after `unreachable`, `br`,
    /// `br_table`, `return`): its operand stack is then polymorphic.
    pub unreachable: bool,
    /// How many locals were initialised when the frame was entered (typed function
    /// references: the initialisations inside the frame end with it).
    pub(crate) inits: usize,
}

impl<'m> ControlFrame<'m> {
    /// The types a branch to this frame's label carries: the results, or for a `loop`
    /// the parameters (spec 3.3.5, "label types").
    pub fn label_types(&self) -> &'m [ValType] {
        match self.kind {
            FrameKind::Loop => self.params,
            _ => self.results,
        }
    }
}

/// Buffers a [`FuncValidator`] can hand back after a function, so that validating the
/// next one does not allocate again.
#[derive(Debug, Default)]
pub struct FuncValidatorAllocations {
    locals: Vec<ValType>,
    operands: Vec<Slot>,
    unset: Vec<bool>,
    inits: Vec<u32>,
}

/// Validates one function body, operator by operator.
///
/// Feed it every operator of the body in order with [`FuncValidator::op`] (as read by
/// `wasmparser`'s operator reader, with its byte offset), then call
/// [`FuncValidator::finish`]. Between operators, the accessors describe the state a
/// translator needs: operand and control stack heights, frames, locals.
///
/// Validating an operator does not allocate once the stacks have grown to the body's
/// depth.
#[derive(Debug)]
pub struct FuncValidator<'m> {
    pub(crate) module: &'m Module,
    pub(crate) features: &'m Features,
    func_index: u32,
    /// The function's result types (for `return`).
    pub(crate) results: &'m [ValType],
    /// Parameters, then declared locals, one entry per local.
    locals: Vec<ValType>,
    /// Per local, whether it is of a non-defaultable type (a non-nullable reference) and
    /// not yet set on the current path (spec 3.4.1, "local initialisation").
    unset: Vec<bool>,
    /// Whether any local is non-defaultable: `local.get` looks at `unset` only then.
    non_defaultable: bool,
    /// The locals set so far that started unset, in order (the spec's local context),
    /// which each frame's end rolls back to its `inits`.
    inits: Vec<u32>,
    operands: Vec<Slot>,
    controls: Vec<ControlFrame<'m>>,
    /// The innermost frame's `height` (0 with none), kept beside `controls` for the
    /// common case of `pop`, which runs for nearly every operator.
    height: usize,
    /// Offset of the operator being validated, for error messages.
    offset: usize,
}

impl<'m> FuncValidator<'m> {
    /// Starts validating defined function `func_index` (absolute index, imports first).
    pub fn new(
        module: &'m Module,
        features: &'m Features,
        func_index: u32,
    ) -> Result<Self, ValidationError> {
        Self::with_allocations(
            module,
            features,
            func_index,
            FuncValidatorAllocations::default(),
        )
    }

    /// Like [`FuncValidator::new`], reusing the buffers of a previous validator.
    pub fn with_allocations(
        module: &'m Module,
        features: &'m Features,
        func_index: u32,
        allocations: FuncValidatorAllocations,
    ) -> Result<Self, ValidationError> {
        let imported = module.num_imported_functions();
        let error = |message: String, offset: usize| {
            ValidationError::new(message, offset).with_func_index(func_index)
        };
        let Some(defined) = func_index.checked_sub(imported) else {
            return Err(error(
                format!("function {func_index} is imported and has no body"),
                0,
            ));
        };
        let Some(body) = module.bodies.get(defined as usize) else {
            return Err(error(format!("unknown function {func_index}"), 0));
        };
        let sig = signature_of(module, func_index).map_err(|m| error(m, body.offset))?;

        let FuncValidatorAllocations {
            mut locals,
            mut operands,
            mut unset,
            mut inits,
        } = allocations;
        locals.clear();
        operands.clear();
        unset.clear();
        inits.clear();
        // Spec 3.4.1: the locals are the parameters followed by the declared locals.
        let declared: u64 = body.locals.iter().map(|&(count, _)| u64::from(count)).sum();
        if declared > u64::from(MAX_LOCALS) {
            return Err(error("too many locals".to_string(), body.offset));
        }
        locals.reserve(sig.param_types().len() + declared as usize);
        locals.extend_from_slice(sig.param_types());
        for &(count, ty) in &body.locals {
            crate::features::check_val_type(module, features, ty)
                .map_err(|message| error(message, body.offset))?;
            locals.extend(core::iter::repeat_n(ty, count as usize));
        }
        let non_defaultable = locals
            .iter()
            .any(|ty| matches!(ty, ValType::Ref(r) if !r.nullable));
        if non_defaultable {
            let params = sig.param_types().len();
            unset.extend(
                locals
                    .iter()
                    .enumerate()
                    .map(|(i, ty)| i >= params && matches!(ty, ValType::Ref(r) if !r.nullable)),
            );
        }

        let mut validator = FuncValidator {
            module,
            features,
            func_index,
            results: sig.result_types(),
            locals,
            unset,
            non_defaultable,
            inits,
            operands,
            controls: Vec::with_capacity(8),
            height: 0,
            offset: body.code.start,
        };
        validator.push_ctrl(FrameKind::Function, &[], sig.result_types());
        Ok(validator)
    }

    /// Hands back the buffers for [`FuncValidator::with_allocations`].
    pub fn into_allocations(self) -> FuncValidatorAllocations {
        FuncValidatorAllocations {
            locals: self.locals,
            operands: self.operands,
            unset: self.unset,
            inits: self.inits,
        }
    }

    /// Validates one operator read at `offset`.
    pub fn op(&mut self, offset: usize, op: &Operator<'_>) -> Result<(), ValidationError> {
        self.start_op(offset)?;
        self.check_proposal(op)?;
        self.validate_operator(op)
    }

    /// [`FuncValidator::op`] for an operator of WebAssembly 1.0, which every feature set
    /// accepts (the caller knows the operator's proposal statically).
    #[inline(always)]
    pub(crate) fn op_mvp(
        &mut self,
        offset: usize,
        op: &Operator<'_>,
    ) -> Result<(), ValidationError> {
        self.start_op(offset)?;
        self.validate_operator(op)
    }

    /// Records the operator's offset; the function's frame must still be open.
    #[inline(always)]
    fn start_op(&mut self, offset: usize) -> Result<(), ValidationError> {
        self.offset = offset;
        if self.controls.is_empty() {
            return Err(self.malformed("operators remaining after end of function"));
        }
        Ok(())
    }

    /// Call after the reader is exhausted: checks that the final `end` closed the function.
    pub fn finish(&mut self, offset: usize) -> Result<(), ValidationError> {
        self.offset = offset;
        if !self.controls.is_empty() {
            return Err(self.malformed("unexpected end of function body: END opcode expected"));
        }
        Ok(())
    }

    /// Byte offset of the operator being validated (the last one given to
    /// [`FuncValidator::op`]).
    pub fn offset(&self) -> usize {
        self.offset
    }

    /// The (absolute) index of the function being validated.
    pub fn func_index(&self) -> u32 {
        self.func_index
    }

    /// Current operand stack height.
    pub fn operand_height(&self) -> usize {
        self.operands.len()
    }

    /// Number of open control frames, the function's own frame included.
    pub fn control_height(&self) -> usize {
        self.controls.len()
    }

    /// The control frame `depth` levels out (0 = innermost), as a branch label counts.
    pub fn frame(&self, depth: u32) -> Option<&ControlFrame<'m>> {
        let index = self
            .controls
            .len()
            .checked_sub(1)?
            .checked_sub(depth as usize)?;
        self.controls.get(index)
    }

    /// Whether the innermost frame is in the unreachable (stack-polymorphic) state.
    pub fn is_unreachable(&self) -> bool {
        self.controls.last().is_some_and(|frame| frame.unreachable)
    }

    /// Type of local `index` (parameters first), if it exists.
    pub fn local_type(&self, index: u32) -> Option<ValType> {
        self.locals.get(index as usize).copied()
    }

    /// Number of locals: parameters plus declared locals.
    pub fn num_locals(&self) -> u32 {
        self.locals.len() as u32
    }

    // ---- Errors (cold) ----------------------------------------------------------------

    /// An invalid-module error at the current operator.
    #[cold]
    #[inline(never)]
    pub(crate) fn error(&self, message: impl Into<String>) -> ValidationError {
        ValidationError::new(message, self.offset).with_func_index(self.func_index)
    }

    /// A malformed-module error at the current operator.
    #[cold]
    #[inline(never)]
    pub(crate) fn malformed(&self, message: impl Into<String>) -> ValidationError {
        ValidationError::malformed(message, self.offset).with_func_index(self.func_index)
    }

    #[cold]
    #[inline(never)]
    fn mismatch(&self, expected: ValType, found: ValType) -> ValidationError {
        self.error(format!("type mismatch: expected {expected}, found {found}"))
    }

    #[cold]
    #[inline(never)]
    fn underflow(&self, expected: Option<ValType>) -> ValidationError {
        match expected {
            Some(t) => self.error(format!(
                "type mismatch: expected {t}, but the stack is empty"
            )),
            None => self.error("type mismatch: expected a value, but the stack is empty"),
        }
    }

    // ---- The appendix's operand stack -------------------------------------------------

    /// `push_val`.
    #[inline]
    pub(crate) fn push(&mut self, ty: ValType) {
        self.operands.push(Some(ty));
    }

    /// `push_val` of a slot that may be *Unknown*.
    #[inline]
    pub(crate) fn push_slot(&mut self, slot: Slot) {
        self.operands.push(slot);
    }

    /// `push_vals`.
    #[inline]
    pub(crate) fn push_all(&mut self, types: &[ValType]) {
        self.operands.extend(types.iter().map(|&t| Some(t)));
    }

    /// The innermost frame's entry height and reachability.
    #[inline]
    fn top(&self) -> (usize, bool) {
        match self.controls.last() {
            Some(frame) => (frame.height, frame.unreachable),
            None => (0, false),
        }
    }

    /// `pop_val()`: pops any value; *Unknown* when the innermost frame is unreachable
    /// and its part of the stack is empty.
    #[inline]
    pub(crate) fn pop_any(&mut self) -> Result<Slot, ValidationError> {
        let (height, unreachable) = self.top();
        if self.operands.len() > height
            && let Some(slot) = self.operands.pop()
        {
            return Ok(slot);
        }
        if unreachable {
            Ok(None)
        } else {
            Err(self.underflow(None))
        }
    }

    /// `pop_val(expect)`: pops a value that must have type `expected` (or be *Unknown*).
    ///
    /// The common case, a value of exactly that type above the innermost frame's
    /// entry height, is inline; everything else (subtyping, *Unknown*, errors) is
    /// [`FuncValidator::pop_other`].
    #[inline(always)]
    pub(crate) fn pop(&mut self, expected: ValType) -> Result<Slot, ValidationError> {
        if let Some(&Some(actual)) = self.operands.last()
            && actual == expected
            && self.operands.len() > self.height
        {
            self.operands.pop();
            return Ok(Some(actual));
        }
        self.pop_other(expected)
    }

    /// [`FuncValidator::pop`] for everything but its common case.
    #[inline(never)]
    fn pop_other(&mut self, expected: ValType) -> Result<Slot, ValidationError> {
        let (height, unreachable) = self.top();
        if self.operands.len() > height {
            match self.operands.pop() {
                Some(Some(actual))
                    if actual != expected && !self.module.matches(actual, expected) =>
                {
                    return Err(self.mismatch(expected, actual));
                }
                Some(slot) => return Ok(slot),
                None => {}
            }
        }
        if unreachable {
            Ok(None)
        } else {
            Err(self.underflow(Some(expected)))
        }
    }

    /// `pop_vals(types)`: pops `types` (the last one is on top).
    #[inline]
    pub(crate) fn pop_all(&mut self, types: &[ValType]) -> Result<(), ValidationError> {
        for &ty in types.iter().rev() {
            self.pop(ty)?;
        }
        Ok(())
    }

    /// Checks that the top of the stack matches `types` without popping: the same as
    /// `push_vals(pop_vals(types))`, which leaves the stack as it was.
    pub(crate) fn peek_all(&self, types: &[ValType]) -> Result<(), ValidationError> {
        let (height, unreachable) = self.top();
        let available = self.operands.len() - height;
        for (depth, &expected) in types.iter().rev().enumerate() {
            if depth < available {
                if let Some(actual) = self.operands[self.operands.len() - 1 - depth]
                    && actual != expected
                    && !self.module.matches(actual, expected)
                {
                    return Err(self.mismatch(expected, actual));
                }
            } else if !unreachable {
                return Err(self.underflow(Some(expected)));
            }
        }
        Ok(())
    }

    // ---- The appendix's control stack -------------------------------------------------

    /// `push_ctrl`: opens a frame whose parameters are already popped, and pushes them
    /// back inside it.
    pub(crate) fn push_ctrl(
        &mut self,
        kind: FrameKind,
        params: &'m [ValType],
        results: &'m [ValType],
    ) {
        let height = self.operands.len();
        self.height = height;
        self.controls.push(ControlFrame {
            kind,
            params,
            results,
            height,
            unreachable: false,
            inits: self.inits.len(),
        });
        self.push_all(params);
    }

    /// `pop_ctrl`: checks that the frame's results, and nothing else, are on its part of
    /// the stack, and closes it.
    pub(crate) fn pop_ctrl(&mut self) -> Result<ControlFrame<'m>, ValidationError> {
        let Some(&frame) = self.controls.last() else {
            return Err(self.malformed("operators remaining after end of function"));
        };
        self.pop_all(frame.results)?;
        if self.operands.len() != frame.height {
            return Err(self.error(format!(
                "type mismatch: {} value(s) remaining on the stack at the end of the block",
                self.operands.len() - frame.height
            )));
        }
        self.controls.pop();
        self.height = self.controls.last().map_or(0, |frame| frame.height);
        if self.inits.len() > frame.inits {
            for local in self.inits.drain(frame.inits..) {
                self.unset[local as usize] = true;
            }
        }
        Ok(frame)
    }

    /// Checks that local `index` is initialised (`local.get`).
    #[inline]
    pub(crate) fn check_local_set(&self, index: u32) -> Result<(), ValidationError> {
        if self.non_defaultable && self.unset.get(index as usize) == Some(&true) {
            return Err(self.error(format!("uninitialized local {index}")));
        }
        Ok(())
    }

    /// Records that local `index` is set (`local.set`, `local.tee`).
    #[inline]
    pub(crate) fn set_local(&mut self, index: u32) {
        if self.non_defaultable
            && let Some(unset) = self.unset.get_mut(index as usize)
            && *unset
        {
            *unset = false;
            self.inits.push(index);
        }
    }

    /// `unreachable()`: drops the innermost frame's operands and makes its stack
    /// polymorphic.
    pub(crate) fn set_unreachable(&mut self) {
        if let Some(frame) = self.controls.last_mut() {
            self.operands.truncate(frame.height);
            frame.unreachable = true;
        }
    }

    /// The label types of the frame `depth` levels out (spec: `C.labels[l]`).
    #[inline]
    pub(crate) fn label_types(&self, depth: u32) -> Result<&'m [ValType], ValidationError> {
        match self.frame(depth) {
            Some(frame) => Ok(frame.label_types()),
            None => Err(self.error(format!("unknown label {depth}"))),
        }
    }
}

/// The signature of function `func_index`, with the spec's wording when it is missing.
pub(crate) fn signature_of(module: &Module, func_index: u32) -> Result<&Signature, String> {
    let Some(&type_index) = module.functions.get(func_index as usize) else {
        return Err(format!("unknown function {func_index}"));
    };
    match module.types.get(type_index as usize) {
        Some(sig) => Ok(sig),
        None => Err(format!("unknown type {type_index}")),
    }
}

/// Validates the body of defined function `func_index` (absolute index, imports first):
/// reads its operators and drives a [`FuncValidator`] over them.
pub fn validate_function(
    module: &Module,
    features: &Features,
    func_index: u32,
) -> Result<(), ValidationError> {
    let allocations = FuncValidatorAllocations::default();
    validate_function_with(module, features, func_index, allocations, &mut NoVisitor)
        .map(drop)
        .map_err(VisitError::into_invalid)
}

/// [`validate_function`], reusing and handing back buffers, and handing each validated
/// operator to `visitor`.
pub(crate) fn validate_function_with<V: BodyVisitor>(
    module: &Module,
    features: &Features,
    func_index: u32,
    allocations: FuncValidatorAllocations,
    visitor: &mut V,
) -> Result<FuncValidatorAllocations, VisitError<V::Error>> {
    let mut validator = FuncValidator::with_allocations(module, features, func_index, allocations)
        .map_err(VisitError::Invalid)?;
    let defined = (func_index - module.num_imported_functions()) as usize;
    let mut reader = module.operators(&module.bodies[defined].code);
    let malformed = |e| VisitError::Invalid(ValidationError::from(e).with_func_index(func_index));
    visitor.begin(func_index).map_err(VisitError::Visitor)?;
    let mut driver = Driver {
        validator: &mut validator,
        visitor,
        offset: 0,
    };
    while !reader.eof() {
        driver.offset = reader.original_position() as usize;
        match reader.visit_operator(&mut driver) {
            Ok(Ok(())) => {}
            Ok(Err(VisitError::Invalid(e))) => {
                return Err(VisitError::Invalid(
                    malformed_in_body(module, func_index).unwrap_or(e),
                ));
            }
            Ok(Err(e)) => return Err(e),
            Err(e) => return Err(malformed(e)),
        }
    }
    // The reader knows whether the final `end` closed the body (spec 5.4: a body is an
    // expression, terminated by `end`, with nothing after it).
    reader.finish().map_err(malformed)?;
    validator
        .finish(reader.original_position() as usize)
        .map_err(VisitError::Invalid)?;
    visitor.end().map_err(VisitError::Visitor)?;
    Ok(validator.into_allocations())
}

/// The first binary-format error in the body of function `func_index`, if any.
///
/// The spec decodes a whole module before validating it, so a malformed body must be
/// reported as malformed even when an earlier operator is already invalid (a `br_table`
/// with a missing target reads the next bytes as labels, for instance). Validation runs
/// in the same pass as reading, so on a validation error the rest of the code is read
/// once more, without validating, to give binary-format errors precedence.
#[cold]
pub(crate) fn malformed_in_body(module: &Module, func_index: u32) -> Option<ValidationError> {
    let defined = func_index.checked_sub(module.num_imported_functions())?;
    let body = module.bodies.get(defined as usize)?;
    let mut reader = module.operators(&body.code);
    let mut result = Ok(());
    while result.is_ok() && !reader.eof() {
        result = reader.read().map(drop);
    }
    result
        .and_then(|()| reader.finish())
        .err()
        .map(|e| ValidationError::from(e).with_func_index(func_index))
}
