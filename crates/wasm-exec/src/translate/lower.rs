//! Lowering: the [`Translator`] turns a (validated) function body into instructions,
//! operator by operator, then runs the passes over the result and verifies it
//! ([`Translator::finish`]).
//!
//! One pass over the operators. The translator keeps a compile-time model of Wasm's
//! operand stack in which each entry says where its value is ([`Operand`]): in a local,
//! a constant not written anywhere yet, or in the entry's own *temporary* slot (slot
//! `first_temp + height`). `local.get` and constants emit nothing; an operator reads its
//! operands from wherever they are and writes its result into its temporary, and a
//! following `local.set` retargets that write to the local. So
//! `local.get 0  local.get 1  i32.add  local.set 2` becomes one `I32Add { dst: 2, a: 0, b: 1 }`.
//!
//! Rules that keep this correct:
//! * before a local is written, stack entries that still read it are copied to their
//!   temporaries;
//! * at every block entry all entries are put in their temporaries, so that code after a
//!   label sees the same layout whichever way it was reached; branches copy their values
//!   into the target's temporaries;
//! * entries at height [`LAZY_LIMIT`] and above are always in their temporaries, which
//!   bounds the work of the two rules above (no quadratic translation on hostile input).
//!
//! Integer comparisons that feed `br_if` or `if` are fused with the branch; integer
//! operators with a constant right operand use the `Imm` forms. Forward branch targets
//! are patched when their block ends. Code after an unconditional branch is skipped.

use super::accumulators::assign_accumulators;
use super::code::{CompiledFunc, Handler, Handlers};
use super::consts::{CONST_SLOT, MAX_CONSTS, fits16, place_consts};
use super::error::TranslateError;
use super::returns::shortcut_returns;
use super::rotate::{Rotation, rotate_loops};
use super::verify::{find_targets, verify};
use crate::isa::{Caps, Instr, Lowered, Numeric, Simd, Slot, Slot16};
use crate::prelude::*;
use arrayvec::ArrayVec;
use wasm_core::wasmparser::{BlockType, MemArg, MemArgTarget, Operator};
use wasm_core::{Module, ValType};

/// Operand-stack entries at or above this height always live in their temporaries.
const LAZY_LIMIT: usize = 128;

/// Most operands an instruction of the list's `lowered` section takes.
const MAX_LOWERED_INPUTS: usize = 4;

/// Placeholder target of a forward jump, patched when its label is bound.
const UNBOUND: u32 = u32::MAX;

/// Where the value of an operand-stack entry is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Operand {
    /// In local (or parameter) slot.
    Local(Slot),
    /// A constant, written nowhere yet.
    Const(u64),
    /// In the entry's temporary.
    Temp,
}

/// How an operator on a memory other than 0 is lowered ([`Translator::other_memory`]).
enum OtherMemory {
    /// As this operator on memory 0, with the other memory selected around it.
    As(Operator<'static>),
    /// Already lowered.
    Lowered,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Block,
    Loop,
    If,
    Else,
    Function,
}

/// A control frame of the translation (a Wasm block being translated).
struct Block {
    kind: Kind,
    /// The block's type (for the function's own frame: `Empty`, unused).
    ty: BlockType,
    /// Operand-stack height below the block's parameters.
    height: usize,
    /// Operand-stack entries (cells: a `v128` is two) of the parameters and results.
    params: usize,
    results: usize,
    /// Start of a loop (its branch target).
    start: u32,
    /// Jumps to this block's end.
    fixups: Vec<u32>,
    /// The conditional jump of an `if` to its `else` (or end).
    else_jump: Option<u32>,
    /// For an `if` with parameters: how many entries under `height` hold the original
    /// parameters (each arm gets a copy above them; see `Operator::If`).
    spill: usize,
    unreachable: bool,
    /// The block's number in the function, in the order blocks open (see
    /// [`Translator::label_ends`]).
    serial: u32,
    /// A catch clause branches to the block's label (from a landing pad, which the
    /// function's stretches of fuel must count as a branch).
    caught: bool,
}

/// Where a landing pad (see [`Handlers`]) goes after it received the label's values.
#[derive(Clone, Copy)]
enum PadLabel {
    /// The end of the block of this serial number.
    End(u32),
    /// A loop's start.
    Start(u32),
    /// The function's end: it returns the values.
    Return,
}

/// A landing pad to emit at the end of the function: the label's values go to slots
/// `dst..dst + cells`, then control goes to `label`.
struct Pad {
    dst: Slot,
    cells: usize,
    label: PadLabel,
}

/// A `try_table` being translated: the block it opened (index in `blocks`), its code
/// offset and its clauses (tag, whether `_ref`, landing pad).
struct OpenTry {
    block: usize,
    start: u32,
    clauses: Vec<(Option<u32>, bool, u32)>,
}

impl Block {
    fn label_arity(&self) -> usize {
        if self.kind == Kind::Loop {
            self.params
        } else {
            self.results
        }
    }
}

/// The translation of one function body, fed operator by operator.
pub(crate) struct Translator<'m> {
    module: &'m Module,
    instrs: Vec<Instr>,
    /// The code offset of the operator each instruction comes from (up to the operator
    /// being lowered: see [`Translator::attribute`]).
    offsets: Vec<u32>,
    blocks: Vec<Block>,
    stack: Vec<Operand>,
    /// The heights at which a `v128` starts, ascending: such a value is two entries of
    /// `stack`, its low half first, and lives in two adjacent slots.
    vectors: Vec<usize>,
    /// Each local's first slot and whether it is a `v128` (two slots), when a parameter or
    /// local is one; empty otherwise (local `i` is then slot `i`).
    locals: Vec<(Slot, bool)>,
    /// Slot of the temporary of height 0: parameters and locals come first.
    first_temp: Slot,
    max_height: usize,
    num_params: u32,
    num_locals: u32,
    num_results: usize,
    /// How many stack entries are `Operand::Local(i)`, per local `i`.
    local_refs: Vec<u32>,
    /// Cleared fixup lists of closed blocks, for reuse.
    fixup_pool: Vec<Vec<u32>>,
    /// Every entry below this height is `Operand::Temp`.
    lowest_lazy: usize,
    /// The last instruction, if it wrote the temporary of the top entry (and nothing
    /// else) and no label was bound after it: the peephole may retarget it.
    last_def: Option<usize>,
    /// Constants read in loops, each given a slot that the function's prologue fills
    /// (see [`CONST_SLOT`]); and how many loops are open.
    consts: Vec<u64>,
    loops: u32,
    /// Nesting depth of blocks opened inside skipped (unreachable) code.
    skipped: u32,
    /// Exception handling: the position each closed block's end got, by serial number
    /// (where landing pads jump); the pads to emit after the body; the `try_table`s
    /// open; the clauses of the closed ones, innermost first.
    label_ends: Vec<u32>,
    pads: Vec<Pad>,
    tries: Vec<OpenTry>,
    handlers: Vec<Handler>,
    /// Offset of the operator being translated, and of the body.
    offset: usize,
    body_offset: usize,
    /// The checks to emit; the `ConsumeFuel` of the current stretch and the operators
    /// it pays for so far.
    metering: Metering,
    fuel_at: Option<usize>,
    fuel_pending: u32,
    /// The operator being lowered is `memory.fill` or `memory.copy`, which pay per byte
    /// (with fuel on) and select their memory after that ([`Translator::charge_elements`]).
    bulk: bool,
    /// The memory the operator being lowered accesses, when not memory 0: selected
    /// (`SelectMemory`) just before its instruction, memory 0 again after it.
    memory: u32,
    /// The module has a 64-bit memory or table (memory64): operators on memories and
    /// tables get their address and index checks ([`Translator::check_addresses`]).
    memory64: bool,
    /// A memory to select once the operator's fuel is charged (a bulk operator on a
    /// memory other than 0: the charge may stop the invocation, which resumes with
    /// memory 0 selected).
    pending_memory: u32,
}

/// What translated code checks as it runs, for embedders that bound untrusted code. Off
/// by default: code without checks has none of their cost.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Metering {
    /// Fuel: every Wasm operator costs 1, paid by a `ConsumeFuel` at the start of each
    /// stretch of code that runs straight through (the function's start, each loop
    /// head, each `else`, the `end` of a loop and each `end` that a branch reaches), for
    /// all the operators of the stretch; bulk
    /// operations (`memory.fill/copy/init`, `table.fill/copy/init`) also pay 1 per
    /// element (byte or reference), just before they run. The count follows the Wasm
    /// code, not the instructions it becomes, so it is the same in every build and
    /// translation mode.
    pub fuel: bool,
    /// Interruption: a `CheckInterrupt` at the function's start, and a check of the
    /// interrupt flag at every taken backward branch (every loop iteration passes one),
    /// which the drivers fold into the branch (no instruction of its own).
    pub interrupt: bool,
}

/// Buffers the translation of one function needs, kept from one function to the next
/// (so translating a module allocates little more than its output).
#[derive(Default)]
pub(crate) struct Scratch {
    /// The checks to emit (the same for every function of a module).
    pub(crate) metering: Metering,
    instrs: Vec<Instr>,
    /// The code offset of the Wasm operator each instruction of `instrs` comes from
    /// (after [`Translator::finish`], of the finished function: see [`Scratch::offsets`]).
    offsets: Vec<u32>,
    blocks: Vec<Block>,
    stack: Vec<Operand>,
    vectors: Vec<usize>,
    locals: Vec<(Slot, bool)>,
    local_refs: Vec<u32>,
    fixup_pool: Vec<Vec<u32>>,
    label_ends: Vec<u32>,
    consts: Vec<u64>,
    is_target: Vec<bool>,
    rotation: Rotation,
}

impl Scratch {
    /// Empty buffers, for code with the checks `metering` asks for.
    pub(crate) fn metered(metering: Metering) -> Scratch {
        Scratch {
            metering,
            ..Scratch::default()
        }
    }

    /// For each instruction of the function translated last, the code offset (in the
    /// module's bytes) of the Wasm operator it comes from; the function's own offset for
    /// the instructions no operator asked for (the constants' prologue, the checks at
    /// its start). Traps look their position up here: the compiled code keeps no such
    /// table, and a translation is deterministic, so the engine translates the function
    /// again when it needs one.
    pub(crate) fn offsets(&self) -> &[u32] {
        &self.offsets
    }
}

/// Translates defined function `func_index` of `module`.
pub fn translate(module: &Module, func_index: u32) -> Result<CompiledFunc, TranslateError> {
    translate_with(module, func_index, &mut Scratch::default())
}

/// [`translate`] with the checks `metering` asks for (as code loaded with it gets).
pub fn translate_metered(
    module: &Module,
    func_index: u32,
    metering: Metering,
) -> Result<CompiledFunc, TranslateError> {
    translate_with(module, func_index, &mut Scratch::metered(metering))
}

/// [`translate`] with buffers reused from earlier translations.
pub(crate) fn translate_with(
    module: &Module,
    func_index: u32,
    scratch: &mut Scratch,
) -> Result<CompiledFunc, TranslateError> {
    let mut t = Translator::begin(module, func_index, scratch)?;
    let defined = &module.bodies[(func_index - module.num_imported_functions()) as usize];
    let mut reader = module.operators(&defined.code);
    let mut outcome = Ok(());
    while outcome.is_ok() && !reader.eof() {
        outcome = match reader.read_with_offset() {
            Ok((op, offset)) => t.visit(offset as usize, &op),
            Err(e) => Err(TranslateError::new(e.message(), e.offset() as usize)),
        };
    }
    let code = t.finish(scratch);
    outcome.and(code)
}

impl<'m> Translator<'m> {
    /// Starts translating defined function `func_index` of `module` (absolute index),
    /// with the buffers of `scratch` (given back by [`Translator::finish`]).
    pub(crate) fn begin(
        module: &'m Module,
        func_index: u32,
        scratch: &mut Scratch,
    ) -> Result<Self, TranslateError> {
        let defined = func_index
            .checked_sub(module.num_imported_functions())
            .and_then(|i| module.bodies.get(i as usize))
            .ok_or_else(|| TranslateError::new("unknown function", 0))?;
        let signature = module
            .func_signature(func_index)
            .ok_or_else(|| TranslateError::new("unknown type", defined.offset))?;
        let params = signature.param_types();
        let num_results = cells(signature.result_types());
        scratch.locals.clear();
        scratch.vectors.clear();
        let vector_locals = params.contains(&ValType::V128)
            || defined.locals.iter().any(|(_, ty)| *ty == ValType::V128);
        let (num_params, first_temp) = if vector_locals {
            // Slots by cell width: a `v128` local takes two.
            let mut next: Slot = 0;
            let declared = defined
                .locals
                .iter()
                .flat_map(|&(n, ty)| core::iter::repeat_n(ty, n as usize));
            let mut num_params = 0;
            for (k, ty) in params.iter().copied().chain(declared).enumerate() {
                if k == params.len() {
                    num_params = next;
                }
                scratch.locals.push((next, ty == ValType::V128));
                next = next
                    .checked_add(ty.cells() as Slot)
                    .ok_or_else(|| TranslateError::new("too many locals", defined.offset))?;
            }
            if params.len() == scratch.locals.len() {
                num_params = next;
            }
            (num_params, next)
        } else {
            let num_params = params.len() as u32;
            let first_temp = num_params
                .checked_add(defined.num_locals)
                .ok_or_else(|| TranslateError::new("too many locals", defined.offset))?;
            (num_params, first_temp)
        };
        scratch.instrs.clear();
        scratch.offsets.clear();
        scratch.consts.clear();
        scratch.blocks.clear();
        scratch.stack.clear();
        scratch.local_refs.clear();
        scratch.label_ends.clear();
        scratch.local_refs.resize(first_temp as usize, 0);
        let mut t = Translator {
            module,
            instrs: core::mem::take(&mut scratch.instrs),
            offsets: core::mem::take(&mut scratch.offsets),
            blocks: core::mem::take(&mut scratch.blocks),
            stack: core::mem::take(&mut scratch.stack),
            vectors: core::mem::take(&mut scratch.vectors),
            locals: core::mem::take(&mut scratch.locals),
            first_temp,
            max_height: 0,
            num_params,
            num_locals: first_temp - num_params,
            num_results,
            local_refs: core::mem::take(&mut scratch.local_refs),
            fixup_pool: core::mem::take(&mut scratch.fixup_pool),
            lowest_lazy: 0,
            last_def: None,
            consts: core::mem::take(&mut scratch.consts),
            loops: 0,
            skipped: 0,
            label_ends: core::mem::take(&mut scratch.label_ends),
            pads: Vec::new(),
            tries: Vec::new(),
            handlers: Vec::new(),
            offset: defined.offset,
            body_offset: defined.offset,
            metering: scratch.metering,
            fuel_at: None,
            fuel_pending: 0,
            bulk: false,
            memory: 0,
            pending_memory: 0,
            memory64: module.memories.iter().any(|memory| memory.memory64)
                || module.tables.iter().any(|table| table.table64),
        };
        let fixups = t.take_fixups();
        t.blocks.push(Block {
            kind: Kind::Function,
            ty: BlockType::Empty,
            height: 0,
            params: 0,
            results: num_results,
            start: 0,
            fixups,
            else_jump: None,
            spill: 0,
            unreachable: false,
            serial: 0,
            caught: false,
        });
        t.label_ends.push(u32::MAX);
        t.check_interrupt();
        t.charge_point();
        t.attribute(defined.offset);
        Ok(t)
    }

    /// Translates the next operator (at byte `offset`). Out of line: the validator's
    /// loop calls it for every operator, and only needs its own copy of the check
    /// whether anything is being translated.
    #[inline(never)]
    pub(crate) fn visit(&mut self, offset: usize, op: &Operator<'_>) -> Result<(), TranslateError> {
        self.offset = offset;
        let lowered = self.op(op);
        self.attribute(offset);
        lowered
    }

    /// Attributes the instructions emitted since the last call to the operator at
    /// `offset`. (An instruction the operator replaced, see [`Translator::drop_last_def`],
    /// is attributed anew: the replacement is the operator's.)
    #[inline(always)]
    fn attribute(&mut self, offset: usize) {
        let offset = u32::try_from(offset).unwrap_or(u32::MAX);
        self.offsets.resize(self.instrs.len(), offset);
    }

    /// Ends the body: gives the buffers back to `scratch` and returns the function.
    pub(crate) fn finish(mut self, scratch: &mut Scratch) -> Result<CompiledFunc, TranslateError> {
        self.close_charge();
        let complete = self.blocks.is_empty();
        let (offset, body_offset) = (self.offset, self.body_offset);
        let num_consts = self.consts.len();
        let frame_size =
            (self.first_temp as usize + num_consts + self.max_height).max(self.num_results);
        let (num_params, num_locals, num_results, first_temp) = (
            self.num_params,
            self.num_locals,
            self.num_results,
            self.first_temp,
        );
        scratch.instrs = self.instrs;
        scratch.offsets = self.offsets;
        scratch.consts = self.consts;
        scratch.blocks = self.blocks;
        scratch.stack = self.stack;
        scratch.vectors = self.vectors;
        scratch.locals = self.locals;
        scratch.local_refs = self.local_refs;
        scratch.fixup_pool = self.fixup_pool;
        scratch.label_ends = self.label_ends;
        let mut clauses = self.handlers;
        if !complete {
            return Err(TranslateError::new("function body does not end", offset));
        }
        let frame_size = u32::try_from(frame_size)
            .ok()
            .filter(|size| *size < CONST_SLOT)
            .ok_or_else(|| TranslateError::new("function frame too large", body_offset))?;
        let body = u32::try_from(body_offset).unwrap_or(u32::MAX);
        place_consts(
            &mut scratch.instrs,
            &mut scratch.offsets,
            body,
            &scratch.consts,
            first_temp,
        );
        rotate_loops(
            &mut scratch.instrs,
            &mut scratch.offsets,
            &mut scratch.rotation,
        );
        debug_assert_eq!(scratch.instrs.len(), scratch.offsets.len());
        shortcut_returns(&mut scratch.instrs);
        let targets_inside = find_targets(&scratch.instrs, &mut scratch.is_target);
        assign_accumulators(&mut scratch.instrs, &scratch.is_target);
        let verified = match targets_inside {
            true => verify(&scratch.instrs, frame_size, &scratch.is_target),
            false => Err("jump outside the function"),
        };
        verified.map_err(|what| {
            TranslateError::new(
                format!("internal error: translation broke an invariant ({what})"),
                body_offset,
            )
        })?;
        let handlers = match clauses.is_empty() {
            true => Handlers::default(),
            false => {
                // The clauses name their pads by number; the pads are where the passes
                // above left them.
                let mut pads = Vec::new();
                for (at, instr) in scratch.instrs.iter().enumerate() {
                    if let Instr::Catch { pad, .. } = *instr {
                        let pad = pad as usize;
                        pads.resize(pads.len().max(pad + 1), u32::MAX);
                        pads[pad] = at as u32;
                    }
                }
                for clause in &mut clauses {
                    clause.pad = pads.get(clause.pad as usize).copied().unwrap_or(u32::MAX);
                }
                Handlers {
                    clauses: clauses.into(),
                    offsets: scratch.offsets.as_slice().into(),
                }
            }
        };
        Ok(CompiledFunc {
            instrs: scratch.instrs.as_slice().into(),
            num_params,
            num_locals,
            num_results: num_results as u32,
            num_consts: num_consts as u32,
            frame_size,
            handlers,
        })
    }
}

/// Whether global `index` holds an i32 or i64 (which has the accumulator forms).
fn is_int_global(module: &Module, index: u32) -> bool {
    module.globals.get(index as usize).is_some_and(|global| {
        matches!(
            global.content,
            wasm_core::ValType::I32 | wasm_core::ValType::I64
        )
    })
}

/// Whether global `index` holds a `v128` (its instructions are left to the engine).
fn is_vector_global(module: &Module, index: u32) -> bool {
    module
        .globals
        .get(index as usize)
        .is_some_and(|global| global.content == ValType::V128)
}

/// The number of cells (operand-stack entries, slots) values of `types` take.
fn cells(types: &[ValType]) -> usize {
    types.iter().map(|ty| ty.cells()).sum()
}

/// The types of a block type's values as far as the translator cares: their cell
/// widths (a single type other than `v128` stands for all of them).
fn single(ty: wasm_core::wasmparser::ValType) -> &'static [ValType] {
    match ty {
        wasm_core::wasmparser::ValType::V128 => &[ValType::V128],
        _ => &[ValType::I64],
    }
}

/// Whether global `index` holds a reference (its instructions are left to the engine).
fn is_ref_global(module: &Module, index: u32) -> bool {
    module
        .globals
        .get(index as usize)
        .is_some_and(|global| global.content.is_ref())
}

/// The value (cell bits) of global `index` if it is a constant: defined in the module
/// (not imported), immutable, and initialised without reading another global (evaluated
/// by `wasm_core::eval_const`, given no globals). Nothing can change such a
/// global, so `global.get` of it translates like the constant itself (which then
/// becomes an immediate: the shape of addresses in compiled code, `global + offset`).
fn constant_global(module: &Module, index: u32) -> Option<u64> {
    let defined = index.checked_sub(module.num_imported_globals())?;
    if module.globals.get(index as usize)?.mutable {
        return None;
    }
    let init = module.global_inits.get(defined as usize)?;
    let value = wasm_core::eval_const(module, init, |_| None).ok()?;
    Some(value.to_bits())
}

/// The immediate for constant `bits` of an operator, if it fits.
fn immediate(bits: u64, wide: bool) -> Option<i32> {
    if wide {
        i32::try_from(bits as i64).ok()
    } else {
        Some(bits as u32 as i32)
    }
}

impl<'m> Translator<'m> {
    fn err(&self, message: impl Into<String>) -> TranslateError {
        TranslateError::new(message, self.offset)
    }

    fn take_fixups(&mut self) -> Vec<u32> {
        self.fixup_pool.pop().unwrap_or_default()
    }

    fn pc(&self) -> u32 {
        self.instrs.len() as u32
    }

    fn temp(&self, height: usize) -> Slot {
        self.first_temp + height as Slot
    }

    fn emit(&mut self, instr: Instr) -> u32 {
        self.last_def = None;
        let at = self.pc();
        self.instrs.push(instr);
        at
    }

    /// Starts a stretch of code that pays for its operators (fuel metering only): the
    /// current stretch's `ConsumeFuel` gets its amount, and a new one is emitted here.
    fn charge_point(&mut self) {
        if self.metering.fuel {
            self.close_charge();
            self.fuel_at = Some(self.emit(Instr::ConsumeFuel { amount: 0 }) as usize);
        }
    }

    /// Gives the current stretch's `ConsumeFuel` the amount of its operators.
    fn close_charge(&mut self) {
        if let Some(at) = self.fuel_at.take()
            && let Some(Instr::ConsumeFuel { amount }) = self.instrs.get_mut(at)
        {
            *amount = self.fuel_pending;
        }
        self.fuel_pending = 0;
    }

    /// Before a bulk operation whose element count is in slot `count`: with fuel metering,
    /// it pays 1 per element, on top of its operator's 1; then the memory it accesses, if
    /// not memory 0, is selected ([`Translator::pending_memory`]: after the charge, which
    /// may stop the invocation).
    fn charge_elements(&mut self, count: Slot) {
        if self.metering.fuel {
            self.emit(Instr::ConsumeFuelSlot { count });
        }
        let pending = core::mem::take(&mut self.pending_memory);
        self.select_memory(pending);
    }

    /// Emits an interrupt check (interruption only): at the function's start.
    fn check_interrupt(&mut self) {
        if self.metering.interrupt {
            self.emit(Instr::CheckInterrupt {});
        }
    }

    /// Emits the instruction that `make` appends, writing the temporary `dst` of a new
    /// top entry.
    fn def_with(&mut self, make: impl FnOnce(&mut Vec<Instr>, Slot)) {
        let (height, at) = (self.stack.len(), self.pc());
        let dst = self.temp(height);
        make(&mut self.instrs, dst);
        self.push(Operand::Temp);
        self.last_def = Some(at as usize);
    }

    /// Emits the instruction that `make` appends.
    fn emit_with(&mut self, make: impl FnOnce(&mut Vec<Instr>)) {
        self.last_def = None;
        make(&mut self.instrs);
    }

    /// Emits `make(dst)` writing the temporary of a new top entry.
    fn def(&mut self, make: impl FnOnce(Slot) -> Instr) {
        self.def_with(|out, dst| out.push(make(dst)));
    }

    /// Inlined for the same reason as [`Translator::pop`].
    #[inline(always)]
    fn push(&mut self, operand: Operand) {
        let height = self.stack.len();
        // Each kind pushed separately, so that the entry is written from registers.
        match operand {
            Operand::Temp => self.stack.push(Operand::Temp),
            _ if height >= LAZY_LIMIT => return self.push_materialized(operand),
            Operand::Local(local) => {
                self.local_refs[local as usize] += 1;
                self.lowest_lazy = self.lowest_lazy.min(height);
                self.stack.push(Operand::Local(local));
            }
            Operand::Const(bits) => {
                self.lowest_lazy = self.lowest_lazy.min(height);
                self.stack.push(Operand::Const(bits));
            }
        }
        self.max_height = self.max_height.max(height + 1);
    }

    /// [`Translator::push`] of a local or constant at or above [`LAZY_LIMIT`]: copied
    /// into its temporary at once.
    #[cold]
    #[inline(never)]
    fn push_materialized(&mut self, operand: Operand) {
        let height = self.stack.len();
        self.move_operand(self.temp(height), operand, height);
        self.push(Operand::Temp);
    }

    fn push_temps(&mut self, n: usize) {
        for _ in 0..n {
            self.push(Operand::Temp);
        }
    }

    /// Pops the top entry; returns it with its height. Inlined: returned through
    /// memory, the entry was written in parts and read whole, a stall the profile
    /// showed as the translator's costliest instruction.
    #[inline(always)]
    fn pop(&mut self) -> Result<(Operand, usize), TranslateError> {
        let operand = self
            .stack
            .pop()
            .ok_or_else(|| self.err("type mismatch: operand stack underflow"))?;
        if let Operand::Local(local) = operand {
            self.local_refs[local as usize] -= 1;
        }
        let height = self.stack.len();
        self.lowest_lazy = self.lowest_lazy.min(height);
        if self.vectors.last().is_some_and(|&start| start >= height) {
            self.vectors.pop();
        }
        Ok((operand, height))
    }

    fn truncate(&mut self, height: usize) {
        while self.stack.len() > height {
            let _ = self.pop();
        }
    }

    /// Emits the copy of `operand` (at `height`) into slot `dst`, if it is elsewhere.
    fn move_operand(&mut self, dst: Slot, operand: Operand, height: usize) {
        let src = match operand {
            Operand::Local(local) => local,
            Operand::Temp => self.temp(height),
            Operand::Const(bits) => {
                match u32::try_from(bits) {
                    Ok(value) => self.emit(Instr::Const32 { dst, value }),
                    Err(_) => self.emit(Instr::Const64 { dst, bits }),
                };
                return;
            }
        };
        if src != dst {
            self.emit(Instr::Copy { dst, src });
        }
    }

    /// Puts the entry at `height` into its temporary.
    fn materialize(&mut self, height: usize) {
        let operand = self.stack[height];
        if operand != Operand::Temp {
            self.move_operand(self.temp(height), operand, height);
            if let Operand::Local(local) = operand {
                self.local_refs[local as usize] -= 1;
            }
            self.stack[height] = Operand::Temp;
        }
    }

    /// Puts every entry into its temporary.
    fn materialize_all(&mut self) {
        let end = self.stack.len().min(LAZY_LIMIT);
        for height in self.lowest_lazy..end {
            self.materialize(height);
        }
        self.lowest_lazy = self.stack.len();
    }

    /// The slot holding popped `operand` (of `height`); a constant is written into the
    /// (now free) temporary first.
    fn slot_of(&mut self, operand: Operand, height: usize) -> Slot {
        match operand {
            Operand::Local(local) => local,
            Operand::Temp => self.temp(height),
            Operand::Const(bits) => {
                // In a loop, a constant has its own slot, written once per call.
                if self.loops > 0 {
                    match self.consts.iter().position(|c| *c == bits) {
                        Some(k) => return CONST_SLOT + k as Slot,
                        None if self.consts.len() < MAX_CONSTS => {
                            self.consts.push(bits);
                            return CONST_SLOT + (self.consts.len() - 1) as Slot;
                        }
                        None => {}
                    }
                }
                let dst = self.temp(height);
                self.move_operand(dst, operand, height);
                dst
            }
        }
    }

    /// Prepares a write to `local`: entries still reading it get their own copy.
    fn before_local_write(&mut self, local: Slot) {
        if self.local_refs[local as usize] == 0 {
            return;
        }
        let end = self.stack.len().min(LAZY_LIMIT);
        for height in 0..end {
            if self.stack[height] == Operand::Local(local) {
                self.materialize(height);
            }
        }
    }

    /// Retargets the instruction that defined the top temporary (just popped, at
    /// `height`) to write `local` instead; false if the peephole does not apply.
    fn retarget_last_def(&mut self, height: usize, local: Slot) -> bool {
        let Some(at) = self.last_def else {
            return false;
        };
        if self
            .local_refs
            .get(local as usize)
            .is_some_and(|refs| *refs != 0)
            || at + 1 != self.instrs.len()
        {
            return false;
        }
        let temp = self.temp(height);
        let retargeted = self.instrs[at].retarget(temp, local);
        if retargeted {
            self.last_def = None;
        }
        retargeted
    }

    /// Local `index`'s first slot, and whether it is a `v128` (two slots).
    fn local_index(&self, index: u32) -> Result<(Slot, bool), TranslateError> {
        if self.locals.is_empty() {
            if index < self.first_temp {
                return Ok((index, false));
            }
        } else if let Some(&local) = self.locals.get(index as usize) {
            return Ok(local);
        }
        Err(self.err("unknown local"))
    }

    /// The parameter and result types of a block type (see [`single`]).
    fn block_types(&self, ty: BlockType) -> Result<(&'m [ValType], &'m [ValType]), TranslateError> {
        match ty {
            BlockType::Empty => Ok((&[], &[])),
            BlockType::Type(ty) => Ok((&[], single(ty))),
            BlockType::FuncType(index) => {
                let sig = self
                    .module
                    .types
                    .get(index as usize)
                    .ok_or_else(|| self.err("unknown type"))?;
                Ok((sig.param_types(), sig.result_types()))
            }
        }
    }

    /// The number of entries of a block type's parameters and results.
    fn block_arity(&self, ty: BlockType) -> Result<(usize, usize), TranslateError> {
        let (params, results) = self.block_types(ty)?;
        Ok((cells(params), cells(results)))
    }

    /// Pushes temporaries for values of `types` (a `v128` as two entries).
    fn push_typed(&mut self, types: &[ValType]) {
        for ty in types {
            if *ty == ValType::V128 {
                self.vectors.push(self.stack.len());
                self.push(Operand::Temp);
            }
            self.push(Operand::Temp);
        }
    }

    /// Notes the `v128`s among values of `types` pushed from `height` on.
    fn note_vectors(&mut self, mut height: usize, types: &[ValType]) {
        for ty in types {
            if *ty == ValType::V128 {
                self.vectors.push(height);
            }
            height += ty.cells();
        }
    }

    fn open(
        &mut self,
        kind: Kind,
        ty: BlockType,
        params: usize,
        results: usize,
    ) -> Result<(), TranslateError> {
        let height = self
            .stack
            .len()
            .checked_sub(params)
            .ok_or_else(|| self.err("type mismatch: block parameters"))?;
        if kind == Kind::Loop {
            self.loops += 1;
        }
        let fixups = self.take_fixups();
        let serial = self.label_ends.len() as u32;
        self.label_ends.push(u32::MAX);
        self.blocks.push(Block {
            kind,
            ty,
            height,
            params,
            results,
            start: self.pc(),
            fixups,
            else_jump: None,
            spill: 0,
            unreachable: false,
            serial,
            caught: false,
        });
        Ok(())
    }

    /// Pushes copies of the `n` entries from height `first` (all in their temporaries).
    fn copy_params(&mut self, first: usize, n: usize) {
        for k in 0..n {
            let height = self.stack.len();
            let (dst, src) = (self.temp(height), self.temp(first + k));
            self.emit(Instr::Copy { dst, src });
            self.push(Operand::Temp);
        }
    }

    /// Switches the `if` at `index` to its `else` arm: the `then` arm (if reachable)
    /// branches to the end, the condition's jump lands here, and the operand stack is
    /// back to the block's parameters.
    fn enter_else(&mut self, index: usize) -> Result<(), TranslateError> {
        if !self.blocks[index].unreachable {
            self.emit_branch(index)?;
        }
        let block = &mut self.blocks[index];
        let else_jump = block.else_jump.take();
        block.kind = Kind::Else;
        block.unreachable = false;
        let (height, params, spill, ty) = (block.height, block.params, block.spill, block.ty);
        if let Some(jump) = else_jump {
            self.bind(&[jump]);
        }
        self.truncate(height);
        let (param_types, _) = self.block_types(ty)?;
        if spill > 0 {
            self.copy_params(height - spill, params);
            self.note_vectors(height, param_types);
        } else {
            self.push_typed(param_types);
        }
        Ok(())
    }

    fn block_index(&self, depth: u32) -> Result<usize, TranslateError> {
        (depth as usize)
            .checked_add(1)
            .and_then(|d| self.blocks.len().checked_sub(d))
            .ok_or_else(|| self.err("unknown label"))
    }

    fn set_unreachable(&mut self) {
        if let Some(block) = self.blocks.last_mut() {
            block.unreachable = true;
            let height = block.height;
            self.truncate(height);
        }
    }

    /// Points the jumps at `fixups` to the current position.
    fn bind(&mut self, fixups: &[u32]) {
        let target = self.pc();
        for &at in fixups {
            if let Some(t) = self.instrs[at as usize].target_mut() {
                *t = target;
            }
        }
        self.last_def = None;
    }

    /// Whether a branch to the block at `index` needs no code but a jump: its values
    /// are already where the label expects them.
    fn branch_is_plain(&self, index: usize) -> Result<bool, TranslateError> {
        let block = &self.blocks[index];
        if block.kind == Kind::Function {
            return Ok(false);
        }
        let arity = block.label_arity();
        let first = self
            .stack
            .len()
            .checked_sub(arity)
            .filter(|first| *first >= block.height)
            .ok_or_else(|| self.err("type mismatch: branch operands"))?;
        Ok(arity == 0
            || (first == block.height && self.stack[first..].iter().all(|op| *op == Operand::Temp)))
    }

    /// A catch clause of a `try_table` being opened: its tag, whether `_ref`, and its
    /// landing pad, which puts the label's values where a branch to it would
    /// ([`Translator::emit_branch`]).
    fn catch_clause(
        &mut self,
        catch: &wasm_core::wasmparser::Catch,
    ) -> Result<(Option<u32>, bool, u32), TranslateError> {
        let (tag, label, with_ref) = wasm_core::catch_clause(catch);
        let index = self.block_index(label)?;
        let block = &mut self.blocks[index];
        block.caught = true;
        let (height, cells, label) = match block.kind {
            Kind::Function => (0, self.num_results, PadLabel::Return),
            Kind::Loop => (block.height, block.params, PadLabel::Start(block.start)),
            _ => (block.height, block.results, PadLabel::End(block.serial)),
        };
        self.max_height = self.max_height.max(height + cells);
        let pad = self.pads.len() as u32;
        self.pads.push(Pad {
            dst: self.temp(height),
            cells,
            label,
        });
        Ok((tag, with_ref, pad))
    }

    /// Closes the innermost `try_table` at its `end`: its clauses apply to the
    /// instructions of the operators in between.
    fn close_try(&mut self) {
        let Some(open) = self.tries.pop() else {
            return;
        };
        let end = self.offset as u32;
        self.handlers.extend(
            open.clauses
                .into_iter()
                .map(|(tag, with_ref, pad)| Handler {
                    start: open.start,
                    end,
                    tag,
                    with_ref,
                    pad,
                }),
        );
    }

    /// Emits the landing pads after the function's code (which never falls into them):
    /// each a `Catch`, where the engine puts the label's values, and the branch.
    fn emit_pads(&mut self) {
        for (index, pad) in core::mem::take(&mut self.pads).into_iter().enumerate() {
            let n = pad.cells as u32;
            self.emit(Instr::Catch {
                pad: index as u32,
                dst: pad.dst,
                n,
            });
            let target = match pad.label {
                PadLabel::End(serial) => self.label_ends[serial as usize],
                PadLabel::Start(start) => start,
                PadLabel::Return => {
                    match n {
                        0 => self.emit(Instr::Return {}),
                        _ => self.emit(Instr::ReturnMany { src: pad.dst, n }),
                    };
                    continue;
                }
            };
            self.emit(Instr::Jump { target });
        }
    }

    /// Emits `jump` (a jump instruction with an unbound target) to the label of the
    /// block at `index`.
    fn emit_jump(&mut self, index: usize, mut jump: Instr) {
        let block = &self.blocks[index];
        if block.kind == Kind::Loop {
            if let Some(target) = jump.target_mut() {
                *target = block.start;
            }
            self.emit(jump);
        } else {
            let at = self.emit(jump);
            self.blocks[index].fixups.push(at);
        }
    }

    /// Emits an unconditional branch to the block at `index`: the copies of the
    /// label's values, then the jump (or the return, for the function's label).
    fn emit_branch(&mut self, index: usize) -> Result<(), TranslateError> {
        let block = &self.blocks[index];
        if block.kind == Kind::Function {
            return self.emit_return();
        }
        let (height, arity) = (block.height, block.label_arity());
        self.copy_top(arity, height)?;
        self.emit_jump(index, Instr::Jump { target: UNBOUND });
        Ok(())
    }

    /// A conditional branch to the block at `index`: when the branch is `plain`, `jump`
    /// is the conditional jump to it; otherwise `jump` is the opposite test, which skips
    /// the branch's copies and jump.
    fn emit_conditional_branch(
        &mut self,
        index: usize,
        plain: bool,
        jump: Instr,
    ) -> Result<(), TranslateError> {
        if plain {
            self.emit_jump(index, jump);
        } else {
            let skip = self.emit(jump);
            self.emit_branch(index)?;
            self.bind(&[skip]);
        }
        Ok(())
    }

    /// Emits the copies of the top `n` entries into the temporaries from `height` (a
    /// label's values), leaving the stack model as it is: the copies may be on a
    /// conditional path.
    fn copy_top(&mut self, n: usize, height: usize) -> Result<(), TranslateError> {
        let first = self
            .stack
            .len()
            .checked_sub(n)
            .ok_or_else(|| self.err("type mismatch: branch operands"))?;
        // Ascending order is safe: a value's source is never below its destination.
        for k in 0..n {
            let dst = self.temp(height + k);
            self.move_operand(dst, self.stack[first + k], first + k);
        }
        Ok(())
    }

    /// Emits the return of the top `num_results` entries.
    fn emit_return(&mut self) -> Result<(), TranslateError> {
        let n = self.num_results;
        let first = self
            .stack
            .len()
            .checked_sub(n)
            .ok_or_else(|| self.err("type mismatch: return operands"))?;
        match n {
            0 => {
                self.emit(Instr::Return {});
            }
            1 => match self.stack.get(first).copied().unwrap_or(Operand::Temp) {
                // Slot 0 must be a parameter or local: `place_consts` renumbers the
                // temporaries, so it would move a result written to temporary 0.
                Operand::Temp if self.first_temp > 0 && self.retarget_last_def(first, 0) => {
                    self.emit(Instr::Return {});
                }
                Operand::Temp => {
                    let src = self.temp(first);
                    self.emit(Instr::ReturnSlot { src });
                }
                Operand::Local(src) => {
                    self.emit(Instr::ReturnSlot { src });
                }
                Operand::Const(bits) => {
                    self.emit(Instr::ReturnConst { bits });
                }
            },
            _ => {
                // Each value into its own temporary (`copy_top` leaves the model as it
                // is: this may be a conditional path, `br_if` or `br_table`).
                self.copy_top(n, first)?;
                let src = self.temp(first);
                self.emit(Instr::ReturnMany { src, n: n as u32 });
            }
        }
        Ok(())
    }

    /// Pops the condition of a `br_if` or `if`; returns the jump taken when the
    /// condition is `when`, with an unbound target. A comparison that was just emitted
    /// to compute the condition is removed and fused into the jump.
    fn pop_condition(&mut self, when: bool) -> Result<Instr, TranslateError> {
        let (cond, height) = self.pop()?;
        if let Some(last) = self.popped_def(cond, height) {
            let fused = match last {
                Instr::I32Eqz { a, .. } if when => Some(Instr::JumpIfZero {
                    cond: a,
                    target: UNBOUND,
                }),
                Instr::I32Eqz { a, .. } => Some(Instr::JumpIfNonZero {
                    cond: a,
                    target: UNBOUND,
                }),
                other => other.fuse_branch(when, UNBOUND),
            };
            if let Some(fused) = fused {
                // The comparison's operands are below nothing that the caller writes
                // before the jump (only entries under `height` and locals are written).
                self.drop_last_def();
                return Ok(fused);
            }
        }
        let cond = self.slot_of(cond, height);
        Ok(if when {
            Instr::JumpIfNonZero {
                cond,
                target: UNBOUND,
            }
        } else {
            Instr::JumpIfZero {
                cond,
                target: UNBOUND,
            }
        })
    }

    /// The instruction just emitted, if it wrote the entry just popped (`operand`,
    /// from `height`: its temporary) and no label was bound since (binding clears
    /// `last_def`): its result is read by nothing else, so a peephole may replace it
    /// ([`Translator::drop_last_def`]).
    fn popped_def(&self, operand: Operand, height: usize) -> Option<Instr> {
        let at = self.last_def.filter(|&at| at + 1 == self.instrs.len())?;
        let last = self.instrs[at];
        (operand == Operand::Temp && last.dst() == Some(self.temp(height))).then_some(last)
    }

    /// Removes the instruction that [`Translator::popped_def`] returned.
    fn drop_last_def(&mut self) {
        self.instrs.pop();
        self.offsets.truncate(self.instrs.len());
        self.last_def = None;
    }

    /// For a load whose address `addr` (popped from `height`) is an array element's,
    /// `index << shift` computed by the instruction just emitted: removes that
    /// instruction and returns the index's slot, for the scaled load.
    fn take_scaled_index(&mut self, addr: Operand, height: usize, shift: u32) -> Option<Slot> {
        match self.popped_def(addr, height)? {
            Instr::I32ShlImm { a, imm, .. } if imm as u32 == shift => {
                self.drop_last_def();
                Some(a)
            }
            _ => None,
        }
    }

    /// For a load or store with offset 0 whose address `addr` (popped from `height`) is
    /// the sum `a + disp` of a slot and a constant computed by the instruction just
    /// emitted: removes that instruction and returns `a` and `disp`, for the displaced
    /// form.
    fn take_displaced_address(&mut self, addr: Operand, height: usize) -> Option<(Slot, i32)> {
        match self.popped_def(addr, height)? {
            Instr::I32AddImm { a, imm, .. } => {
                self.drop_last_def();
                Some((a, imm))
            }
            Instr::I32SubImm { a, imm, .. } => {
                self.drop_last_def();
                Some((a, imm.wrapping_neg()))
            }
            _ => None,
        }
    }

    /// For `i32.add a b` (popped from `height` and `b_height`) where one operand is
    /// `index << shift` (a constant shift) computed by the instruction just emitted and
    /// the other a local or a temporary: removes that instruction and returns the other
    /// operand's slot, the index's slot and the shift, for `I32AddShifted`, if the slots
    /// fit its 16-bit fields.
    fn take_shifted_sum(
        &mut self,
        a: Operand,
        height: usize,
        b: Operand,
        b_height: usize,
    ) -> Option<(Slot16, Slot16, u8)> {
        let (shifted, other, other_height) = match self.popped_def(b, b_height) {
            Some(def) => (def, a, height),
            // `a` is the instruction just emitted only if `b` needed none.
            None => (self.popped_def(a, height)?, b, b_height),
        };
        let Instr::I32ShlImm { a: index, imm, .. } = shifted else {
            return None;
        };
        // A constant is left to the immediate form.
        let base = match other {
            Operand::Local(local) => local,
            Operand::Temp => self.temp(other_height),
            Operand::Const(_) => return None,
        };
        let fused = (fits16(base)?, fits16(index)?, (imm & 31) as u8);
        self.drop_last_def();
        Some(fused)
    }

    /// For a load whose address `addr` (popped from `height`) is the sum `base + index`
    /// computed by the instruction just emitted: removes that instruction and returns
    /// the load's destination (the sum's) and the two slots, for the indexed load, if
    /// all three fit its 16-bit fields.
    fn take_indexed_address(
        &mut self,
        addr: Operand,
        height: usize,
    ) -> Option<(Slot16, Slot16, Slot16)> {
        match self.popped_def(addr, height)? {
            Instr::I32Add { dst, a, b } => {
                let slots = (fits16(dst)?, fits16(a)?, fits16(b)?);
                self.drop_last_def();
                Some(slots)
            }
            _ => None,
        }
    }

    fn op(&mut self, op: &Operator<'_>) -> Result<(), TranslateError> {
        let unreachable = self.blocks.last().is_some_and(|b| b.unreachable);
        if unreachable {
            // Skip dead code, but keep track of block structure.
            match op {
                Operator::Block { .. }
                | Operator::Loop { .. }
                | Operator::If { .. }
                | Operator::TryTable { .. } => {
                    self.skipped += 1;
                    return Ok(());
                }
                Operator::End if self.skipped > 0 => {
                    self.skipped -= 1;
                    return Ok(());
                }
                Operator::Else if self.skipped == 0 => {}
                Operator::End => {}
                _ => return Ok(()),
            }
        }
        if self.metering.fuel {
            self.fuel_pending = self.fuel_pending.saturating_add(1);
        }
        self.bulk = matches!(
            op,
            Operator::MemoryFill { .. } | Operator::MemoryCopy { .. }
        );
        if self.memory64 {
            self.check_addresses(op);
        }
        let result = self.other_memory(op).and_then(|other| match other {
            Some(OtherMemory::As(op)) => self.lower(&op),
            Some(OtherMemory::Lowered) => Ok(()),
            None => self.lower(op),
        });
        if self.memory != 0 {
            self.memory = 0;
            self.emit(Instr::SelectMemory { memory: 0 });
        }
        result
    }

    /// Memory `index`'s type.
    fn memory_type(&self, index: u32) -> Option<&wasm_core::MemoryType> {
        self.module.memories.get(index as usize)
    }

    /// Whether table `index` has 64-bit indices (memory64).
    fn is_table64(&self, index: u32) -> bool {
        self.module
            .tables
            .get(index as usize)
            .is_some_and(|table| table.table64)
    }

    /// Whether memory `index` has 64-bit addresses (memory64).
    fn is_memory64(&self, index: u32) -> bool {
        self.memory_type(index)
            .is_some_and(|memory| memory.memory64)
    }

    /// Before an operator on a 64-bit memory or table (memory64): checks that its i64
    /// addresses, indices and lengths are below 2^32 (`CheckAddress64`,
    /// `CheckIndex64`), so that the instructions of 32-bit memories and tables, which
    /// read their low halves, carry it out. A memory is at most 4 GiB here and a table
    /// has fewer than 2^32 entries, so a larger value would be out of bounds anyway.
    /// (The one exception, an empty access at exactly 4 GiB of a 4 GiB memory, traps
    /// where the spec would not.) `table.grow`'s i64 delta is the engine's to check: a
    /// large one makes it fail, not trap.
    fn check_addresses(&mut self, op: &Operator<'_>) {
        // The operand depths (0: the top) of the i64 addresses and lengths.
        let mut depths = ArrayVec::<usize, 3>::new();
        // The same for indices into tables.
        let mut indices = ArrayVec::<usize, 3>::new();
        match *op {
            Operator::TableGet { table }
            | Operator::CallIndirect {
                table_index: table, ..
            }
            | Operator::ReturnCallIndirect {
                table_index: table, ..
            } if self.is_table64(table) => {
                indices.push(0);
            }
            Operator::TableSet { table } | Operator::TableInit { table, .. }
                if self.is_table64(table) =>
            {
                indices.push(if matches!(op, Operator::TableSet { .. }) {
                    1
                } else {
                    2
                });
            }
            Operator::TableFill { table } if self.is_table64(table) => indices.extend([2, 0]),
            Operator::TableCopy {
                dst_table,
                src_table,
            } => {
                let (dst, src) = (self.is_table64(dst_table), self.is_table64(src_table));
                if dst {
                    indices.push(2);
                }
                if src {
                    indices.push(1);
                }
                if dst && src {
                    indices.push(0);
                }
            }
            _ => {}
        }
        let memory_of = |memarg: &MemArg| match memarg.target {
            MemArgTarget::Memory(index) => index,
            MemArgTarget::Array(_) => 0,
        };
        match *op {
            Operator::MemoryFill { mem } if self.is_memory64(mem) => {
                depths.extend([2, 0]);
            }
            Operator::MemoryInit { mem, .. } if self.is_memory64(mem) => depths.push(2),
            Operator::MemoryCopy { dst_mem, src_mem } => {
                let (dst, src) = (self.is_memory64(dst_mem), self.is_memory64(src_mem));
                if dst {
                    depths.push(2);
                }
                if src {
                    depths.push(1);
                }
                if dst && src {
                    depths.push(0);
                }
            }
            Operator::V128Store { ref memarg }
            | Operator::V128Load8Lane { ref memarg, .. }
            | Operator::V128Load16Lane { ref memarg, .. }
            | Operator::V128Load32Lane { ref memarg, .. }
            | Operator::V128Load64Lane { ref memarg, .. }
            | Operator::V128Store8Lane { ref memarg, .. }
            | Operator::V128Store16Lane { ref memarg, .. }
            | Operator::V128Store32Lane { ref memarg, .. }
            | Operator::V128Store64Lane { ref memarg, .. } => {
                // The address is below a `v128` (two entries).
                if self.is_memory64(memory_of(memarg)) {
                    depths.push(2);
                }
            }
            _ => {
                let access = match (Instr::from_memory_op(op), Instr::simd(op)) {
                    (Some((is_load, _, memarg)), _) => Some((memarg, usize::from(!is_load))),
                    (None, Some(Simd::Load(_, memarg))) => Some((memarg, 0)),
                    _ => None,
                };
                if let Some((arg, depth)) = access
                    && self.is_memory64(memory_of(&arg))
                {
                    depths.push(depth);
                }
            }
        }
        let checks = depths.into_iter().map(|depth| (depth, false));
        for (depth, table) in checks.chain(indices.into_iter().map(|depth| (depth, true))) {
            let Some(height) = self.stack.len().checked_sub(depth + 1) else {
                continue;
            };
            match (self.stack[height], table) {
                (Operand::Const(bits), false) if bits >> 32 != 0 => {
                    self.emit(Instr::OutOfBounds {});
                }
                (Operand::Const(bits), true) if bits >> 32 != 0 => {
                    self.emit(Instr::IndexOutOfBounds {});
                }
                (Operand::Const(_), _) => {}
                (operand, false) => {
                    let addr = self.slot_of(operand, height);
                    self.emit(Instr::CheckAddress64 { addr });
                }
                (operand, true) => {
                    let index = self.slot_of(operand, height);
                    self.emit(Instr::CheckIndex64 { index });
                }
            }
        }
    }

    /// Makes memory `memory` the one the next instruction accesses, unless it is 0.
    fn select_memory(&mut self, memory: u32) {
        if memory != 0 && memory != self.memory {
            self.memory = memory;
            self.emit(Instr::SelectMemory { memory });
        }
    }

    /// For an operator on a memory other than 0 that names it without a `MemArg`: the
    /// same operator on memory 0, to lower with that memory selected (now, or after its
    /// fuel charge: [`Translator::pending_memory`]). `memory.copy` between two memories
    /// is lowered here. (Loads and stores select their memory in `offset_of`.)
    fn other_memory(&mut self, op: &Operator<'_>) -> Result<Option<OtherMemory>, TranslateError> {
        Ok(Some(OtherMemory::As(match *op {
            Operator::MemorySize { mem } if mem != 0 => {
                self.select_memory(mem);
                Operator::MemorySize { mem: 0 }
            }
            Operator::MemoryGrow { mem } if mem != 0 => {
                self.select_memory(mem);
                Operator::MemoryGrow { mem: 0 }
            }
            Operator::MemoryFill { mem } if mem != 0 => {
                self.pending_memory = mem;
                Operator::MemoryFill { mem: 0 }
            }
            Operator::MemoryInit { data_index, mem } if mem != 0 => {
                self.pending_memory = mem;
                Operator::MemoryInit { data_index, mem: 0 }
            }
            Operator::MemoryCopy { dst_mem, src_mem } if dst_mem == src_mem && dst_mem != 0 => {
                self.pending_memory = dst_mem;
                Operator::MemoryCopy {
                    dst_mem: 0,
                    src_mem: 0,
                }
            }
            Operator::MemoryCopy { dst_mem, src_mem } if dst_mem != src_mem => {
                if dst_mem > 0xffff || src_mem > 0xffff {
                    return Err(
                        self.err("multi-memory: memory.copy with a memory index above 65535")
                    );
                }
                self.bulk = false;
                let base = self.call_arguments(3, 0)?;
                self.charge_elements(base + 2);
                self.emit(Instr::MemoryCopyAcross {
                    base,
                    memories: dst_mem | (src_mem << 16),
                });
                return Ok(Some(OtherMemory::Lowered));
            }
            _ => return Ok(None),
        })))
    }

    /// Lowers `op` (reachable, its fuel counted).
    fn lower(&mut self, op: &Operator<'_>) -> Result<(), TranslateError> {
        if let Some(lowered) = Instr::lowered(op) {
            return self.lowered(lowered);
        }
        if let Some(numeric) = Instr::numeric(op) {
            return self.numeric(op, numeric);
        }
        if let Some((is_load, make, memarg)) = Instr::from_memory_op(op) {
            let offset = self.offset_of(memarg)?;
            if is_load {
                let (addr, height) = self.pop()?;
                if let Some((make_scaled, shift)) = Instr::scaled_load(op)
                    && let Some(index) = self.take_scaled_index(addr, height, shift)
                {
                    self.def_with(|out, dst| make_scaled(out, dst, index, offset));
                    return Ok(());
                }
                if let Some(make_shifted) = Instr::shifted_load(op)
                    && let Some(Instr::I32AddShifted { dst, a, b, shift }) =
                        self.popped_def(addr, height)
                    && let Some(dst) = fits16(dst)
                {
                    self.drop_last_def();
                    self.def_with(|out, _| make_shifted(out, dst, a, b, shift, offset));
                    return Ok(());
                }
                if let Some(make_indexed) = Instr::indexed_load(op)
                    && let Some((dst, base, index)) = self.take_indexed_address(addr, height)
                {
                    self.def_with(|out, _| make_indexed(out, dst, base, index, offset));
                    return Ok(());
                }
                if offset == 0
                    && let Some(make_displaced) = Instr::disp_load(op)
                    && let Some((addr, disp)) = self.take_displaced_address(addr, height)
                {
                    self.def_with(|out, dst| make_displaced(out, dst, addr, disp));
                    return Ok(());
                }
                let addr = self.slot_of(addr, height);
                self.def_with(|out, dst| make(out, dst, addr, offset));
            } else {
                let (value, value_height) = self.pop()?;
                let (addr, height) = self.pop()?;
                if offset == 0
                    && let Some(make_displaced) = Instr::disp_store(op)
                    && let Some((addr, disp)) = self.take_displaced_address(addr, height)
                {
                    let value = self.slot_of(value, value_height);
                    self.emit_with(|out| make_displaced(out, addr, value, disp));
                    return Ok(());
                }
                let addr = self.slot_of(addr, height);
                if let (Operand::Const(bits), Some((make_imm, wide))) =
                    (value, Instr::store_imm(op))
                    && let Some(imm) = immediate(bits, wide)
                {
                    self.emit_with(|out| make_imm(out, addr, imm, offset));
                    return Ok(());
                }
                let value = self.slot_of(value, value_height);
                self.emit_with(|out| make(out, addr, value, offset));
            }
            return Ok(());
        }
        match *op {
            Operator::Unreachable => {
                self.emit(Instr::Unreachable {});
                self.set_unreachable();
            }
            Operator::Nop => {}
            Operator::Block { blockty } => {
                let (params, results) = self.block_arity(blockty)?;
                self.materialize_all();
                self.open(Kind::Block, blockty, params, results)?;
            }
            Operator::Loop { blockty } => {
                let (params, results) = self.block_arity(blockty)?;
                self.materialize_all();
                self.open(Kind::Loop, blockty, params, results)?;
                self.last_def = None;
                // At the loop's start: every iteration passes here. (Interruption is
                // checked by the taken back edges, in the drivers.)
                self.charge_point();
            }
            Operator::If { blockty } => {
                let (params, results) = self.block_arity(blockty)?;
                let jump = self.pop_condition(false)?;
                self.materialize_all();
                let at = self.emit(jump);
                if params > 0 {
                    // The `else` arm needs the parameters, which the `then` arm may
                    // overwrite: the originals stay below the block (`spill`), each arm
                    // works on its own copy above them.
                    let first = self
                        .stack
                        .len()
                        .checked_sub(params)
                        .ok_or_else(|| self.err("type mismatch: block parameters"))?;
                    self.copy_params(first, params);
                    self.note_vectors(first + params, self.block_types(blockty)?.0);
                }
                self.open(Kind::If, blockty, params, results)?;
                let block = self.blocks.last_mut().expect("just pushed");
                block.else_jump = Some(at);
                block.spill = params;
            }
            Operator::Else => {
                let index = self.blocks.len() - 1;
                if self.blocks[index].kind != Kind::If {
                    return Err(self.err("else without if"));
                }
                self.enter_else(index)?;
                self.charge_point();
            }
            Operator::End => {
                let index = self
                    .blocks
                    .len()
                    .checked_sub(1)
                    .ok_or_else(|| self.err("unexpected end"))?;
                let block = &self.blocks[index];
                if block.kind == Kind::Function {
                    if !block.unreachable {
                        self.emit_return()?;
                    }
                    self.emit_pads();
                    self.blocks.pop();
                    return Ok(());
                }
                if self.tries.last().is_some_and(|open| open.block == index) {
                    self.close_try();
                }
                let block = &self.blocks[index];
                if block.kind == Kind::If && block.spill > 0 {
                    // The implicit `else` of an `if` with parameters passes its copy of
                    // the parameters on as results.
                    self.enter_else(index)?;
                }
                let block = &self.blocks[index];
                if !block.unreachable {
                    // Fall through like a branch to the end, minus the jump (for a loop,
                    // unlike its label, the end takes the block's results).
                    let (height, arity) = (block.height, block.results);
                    self.copy_top(arity, height)?;
                }
                let mut block = self.blocks.pop().expect("checked above");
                if block.kind == Kind::Loop {
                    self.loops -= 1;
                }
                // A new stretch starts after a loop (whose head's stretch repeats) and
                // where a branch joins; after a block only fallen out of (no branch
                // leaves it), the stretch goes on.
                let joined = block.kind == Kind::Loop
                    || !block.fixups.is_empty()
                    || block.else_jump.is_some()
                    || block.caught;
                self.label_ends[block.serial as usize] = self.pc();
                self.bind(&block.fixups);
                block.fixups.clear();
                self.fixup_pool.push(core::mem::take(&mut block.fixups));
                if let Some(jump) = block.else_jump {
                    self.bind(&[jump]);
                }
                if joined {
                    self.charge_point();
                }
                self.truncate(block.height);
                if block.spill > 0 {
                    // Results move down over the saved parameters (ascending order is
                    // safe: destinations are below sources). When neither arm reaches
                    // the end, nothing wrote the sources: the frame still spans them.
                    let base = block.height - block.spill;
                    self.max_height = self.max_height.max(block.height + block.results);
                    for k in 0..block.results {
                        let (dst, src) = (self.temp(base + k), self.temp(block.height + k));
                        self.emit(Instr::Copy { dst, src });
                    }
                    self.truncate(base);
                }
                let (_, result_types) = self.block_types(block.ty)?;
                self.push_typed(result_types);
            }
            Operator::Br { relative_depth } => {
                let index = self.block_index(relative_depth)?;
                self.emit_branch(index)?;
                self.set_unreachable();
            }
            Operator::TryTable { ref try_table } => {
                let (params, results) = self.block_arity(try_table.ty)?;
                self.materialize_all();
                let mut clauses = Vec::with_capacity(try_table.catches.len());
                for catch in &try_table.catches {
                    clauses.push(self.catch_clause(catch)?);
                }
                self.open(Kind::Block, try_table.ty, params, results)?;
                self.tries.push(OpenTry {
                    block: self.blocks.len() - 1,
                    start: self.offset as u32,
                    clauses,
                });
            }
            Operator::Throw { tag_index } => {
                let cells = self
                    .module
                    .tag_signature(tag_index)
                    .ok_or_else(|| self.err("unknown tag"))?
                    .param_cells();
                let base = self.call_arguments(cells, 0)?;
                self.emit(Instr::Throw {
                    tag: tag_index,
                    base,
                });
                self.set_unreachable();
            }
            // Typed function references. `call_ref` takes its arguments as `call_indirect`
            // does, the reference in place of the table index.
            Operator::CallRef { type_index } | Operator::ReturnCallRef { type_index } => {
                let tail = matches!(op, Operator::ReturnCallRef { .. });
                let sig = self
                    .module
                    .types
                    .get(type_index as usize)
                    .ok_or_else(|| self.err("unknown type"))?;
                let base = self.call_arguments(cells(sig.param_types()), 1)?;
                let ty = type_index;
                self.emit(match tail {
                    false => Instr::CallRef { ty, base },
                    true => Instr::ReturnCallRef { ty, base },
                });
                self.call_results(sig.result_types(), tail)?;
            }
            Operator::RefAsNonNull => {
                let (reference, height) = self.pop()?;
                let src = self.slot_of(reference, height);
                self.emit(Instr::CheckNonNull { src });
                self.push(reference);
            }
            // The reference is kept in its temporary, which the branch's copies (to the
            // label's slots, all below it) leave alone: `br_on_null` pushes it back when
            // it does not branch, `br_on_non_null` carries it to the label.
            Operator::BrOnNull { relative_depth } | Operator::BrOnNonNull { relative_depth } => {
                let on_null = matches!(op, Operator::BrOnNull { .. });
                let index = self.block_index(relative_depth)?;
                let (reference, height) = self.pop()?;
                let cond = self.temp(height);
                self.move_operand(cond, reference, height);
                if !on_null {
                    self.push(Operand::Temp);
                }
                let plain = self.branch_is_plain(index)?;
                // The jump tests what branches; the skip around a branch's copies, the
                // opposite.
                let target = UNBOUND;
                let jump = match on_null == plain {
                    true => Instr::JumpIfNull { cond, target },
                    false => Instr::JumpIfNotNull { cond, target },
                };
                self.emit_conditional_branch(index, plain, jump)?;
                if on_null {
                    self.push(Operand::Temp);
                } else {
                    self.pop()?;
                }
            }
            Operator::ThrowRef => {
                let (exception, height) = self.pop()?;
                let src = self.slot_of(exception, height);
                self.emit(Instr::ThrowRef { src });
                self.set_unreachable();
            }
            Operator::BrIf { relative_depth } => {
                let index = self.block_index(relative_depth)?;
                // Decided with the condition still on the stack: `branch_is_plain`
                // looks at the entries under it.
                let cond = self.stack.pop().ok_or_else(|| self.err("type mismatch"))?;
                let plain = self.branch_is_plain(index);
                self.stack.push(cond);
                let plain = plain?;
                let jump = self.pop_condition(plain)?;
                self.emit_conditional_branch(index, plain, jump)?;
            }
            Operator::BrTable { ref targets } => {
                let (index, height) = self.pop()?;
                let index = self.slot_of(index, height);
                let len = targets.len();
                self.emit(Instr::JumpTable { index, len });
                let mut trampolines = Vec::new();
                let depths = targets
                    .targets()
                    .chain(core::iter::once(Ok(targets.default())));
                for depth in depths {
                    let depth = depth.map_err(|e| self.err(e.message()))?;
                    let block = self.block_index(depth)?;
                    if self.branch_is_plain(block)? {
                        self.emit_jump(block, Instr::Jump { target: UNBOUND });
                    } else {
                        let at = self.emit(Instr::Jump { target: UNBOUND });
                        trampolines.push((at, block));
                    }
                }
                for (at, block) in trampolines {
                    self.bind(&[at]);
                    self.emit_branch(block)?;
                }
                self.set_unreachable();
            }
            Operator::Return => {
                self.emit_return()?;
                self.set_unreachable();
            }
            // A tail call is a call followed by a return: the engine replaces the frame
            // when the callee is a Wasm function, and the return runs after a host one.
            Operator::Call { function_index } | Operator::ReturnCall { function_index } => {
                let tail = matches!(op, Operator::ReturnCall { .. });
                let sig = self
                    .module
                    .func_signature(function_index)
                    .ok_or_else(|| self.err("unknown function"))?;
                let base = self.call_arguments(cells(sig.param_types()), 0)?;
                let func = function_index;
                self.emit(match tail {
                    false => Instr::Call { func, base },
                    true => Instr::ReturnCall { func, base },
                });
                self.call_results(sig.result_types(), tail)?;
            }
            Operator::CallIndirect {
                type_index,
                table_index,
            }
            | Operator::ReturnCallIndirect {
                type_index,
                table_index,
            } => {
                let tail = matches!(op, Operator::ReturnCallIndirect { .. });
                let sig = self
                    .module
                    .types
                    .get(type_index as usize)
                    .ok_or_else(|| self.err("unknown type"))?;
                let base = self.call_arguments(cells(sig.param_types()), 1)?;
                let (ty, table) = (type_index, table_index);
                self.emit(match tail {
                    false => Instr::CallIndirect { ty, table, base },
                    true => Instr::ReturnCallIndirect { ty, table, base },
                });
                self.call_results(sig.result_types(), tail)?;
            }
            // Wide arithmetic: the operands in consecutive temporaries, the two results
            // written over the first two.
            Operator::I64Add128
            | Operator::I64Sub128
            | Operator::I64MulWideS
            | Operator::I64MulWideU => {
                let inputs = match op {
                    Operator::I64Add128 | Operator::I64Sub128 => 4,
                    _ => 2,
                };
                let src = self.call_arguments(inputs, 0)?;
                self.emit(match op {
                    Operator::I64Add128 => Instr::I64Add128 { dst: src, src },
                    Operator::I64Sub128 => Instr::I64Sub128 { dst: src, src },
                    Operator::I64MulWideS => Instr::I64MulWideS { dst: src, src },
                    _ => Instr::I64MulWideU { dst: src, src },
                });
                self.push(Operand::Temp);
                self.push(Operand::Temp);
            }
            Operator::Drop => {
                if self.top_is_vector() {
                    self.pop()?;
                }
                let (operand, height) = self.pop()?;
                // A value computed just to be dropped: its instruction goes too, unless it
                // may trap or does more than write its result.
                if let Some(last) = self.popped_def(operand, height)
                    && !last.caps().has(Caps::MAY_TRAP)
                    && !last.caps().has(Caps::STOPS)
                {
                    self.drop_last_def();
                }
            }
            Operator::Select | Operator::TypedSelect { .. } => {
                let (cond, cond_height) = self.pop()?;
                if self.top_is_vector() {
                    return self.select_vector(cond, cond_height);
                }
                let (b, b_height) = self.pop()?;
                let (a, height) = self.pop()?;
                let dst = self.temp(height);
                self.move_operand(dst, a, height);
                self.move_operand(dst + 1, b, b_height);
                let cond = self.slot_of(cond, cond_height);
                self.emit(Instr::Select { dst, cond });
                self.push(Operand::Temp);
            }
            Operator::LocalGet { local_index } => match self.local_index(local_index)? {
                (local, false) => self.push(Operand::Local(local)),
                (local, true) => self.push_vector(Operand::Local(local), Operand::Local(local + 1)),
            },
            Operator::LocalSet { local_index } => {
                let (local, vector) = self.local_index(local_index)?;
                if vector {
                    return self.set_vector_local(local);
                }
                let (value, height) = self.pop()?;
                if !(value == Operand::Temp && self.retarget_last_def(height, local)) {
                    self.before_local_write(local);
                    self.move_operand(local, value, height);
                }
            }
            Operator::LocalTee { local_index } => {
                let (local, vector) = self.local_index(local_index)?;
                if vector {
                    self.set_vector_local(local)?;
                    self.push_vector(Operand::Local(local), Operand::Local(local + 1));
                    return Ok(());
                }
                let (value, height) = self.pop()?;
                if value == Operand::Temp
                    && height < LAZY_LIMIT
                    && self.retarget_last_def(height, local)
                {
                    self.push(Operand::Local(local));
                } else {
                    self.before_local_write(local);
                    self.move_operand(local, value, height);
                    self.push(value);
                }
            }
            Operator::GlobalGet { global_index } => {
                let index = global_index;
                if is_vector_global(self.module, index) {
                    self.def_vector(|dst| Instr::GlobalGetV128 { dst, index });
                    return Ok(());
                }
                if let Some(bits) = constant_global(self.module, index) {
                    self.push(Operand::Const(bits));
                    return Ok(());
                }
                if is_ref_global(self.module, index) {
                    self.def(|dst| Instr::GlobalGetRef { dst, index });
                    return Ok(());
                }
                self.def(|dst| match is_int_global(self.module, index) {
                    true => Instr::GlobalGetInt { dst, index },
                    false => Instr::GlobalGet { dst, index },
                });
            }
            Operator::GlobalSet { global_index } => {
                if is_vector_global(self.module, global_index) {
                    let src = self.pop_vector()?;
                    self.emit(Instr::GlobalSetV128 {
                        src,
                        index: global_index,
                    });
                    return Ok(());
                }
                let (value, height) = self.pop()?;
                let (src, index) = (self.slot_of(value, height), global_index);
                if is_ref_global(self.module, index) {
                    self.emit(Instr::GlobalSetRef { src, index });
                    return Ok(());
                }
                self.emit(match is_int_global(self.module, index) {
                    true => Instr::GlobalSetInt { src, index },
                    false => Instr::GlobalSet { src, index },
                });
            }
            Operator::I32Const { value } => self.push(Operand::Const(u64::from(value as u32))),
            Operator::I64Const { value } => self.push(Operand::Const(value as u64)),
            Operator::F32Const { value } => self.push(Operand::Const(u64::from(value.bits()))),
            Operator::F64Const { value } => self.push(Operand::Const(value.bits())),
            Operator::MemorySize { mem: 0 } => match self.memory_type(self.memory) {
                Some(ty) if ty.page_size_log2() == 0 => self.def(|dst| Instr::MemoryBytes { dst }),
                _ => self.def(|dst| Instr::MemorySize { dst }),
            },
            Operator::MemoryGrow { mem: 0 } => {
                let (delta, height) = self.pop()?;
                let delta = self.slot_of(delta, height);
                let dst = self.temp(height);
                self.emit(match self.is_memory64(self.memory) {
                    false => Instr::MemoryGrow { dst, delta },
                    true => Instr::MemoryGrow64 { dst, delta },
                });
                self.push(Operand::Temp);
            }
            // References are handles, 0 for null (see `wasm_runtime::Value`).
            Operator::RefNull { .. } => self.push(Operand::Const(0)),
            Operator::RefIsNull => {
                let (a, height) = self.pop()?;
                let a = self.slot_of(a, height);
                self.def(|dst| Instr::I64Eqz { dst, a });
            }
            Operator::RefFunc { function_index } => {
                self.def(|dst| Instr::RefFunc {
                    dst,
                    index: function_index,
                });
            }
            Operator::TableGet { table } => {
                let (elem, height) = self.pop()?;
                let elem = self.slot_of(elem, height);
                self.def(|dst| Instr::TableGet { dst, elem, table });
            }
            Operator::TableSet { table } => {
                let (value, value_height) = self.pop()?;
                let (elem, height) = self.pop()?;
                let elem = self.slot_of(elem, height);
                let value = self.slot_of(value, value_height);
                self.emit(Instr::TableSet { elem, value, table });
            }
            Operator::TableSize { table } => self.def(|dst| Instr::TableSize { dst, table }),
            Operator::TableGrow { table } => {
                let base = self.call_arguments(2, 0)?;
                self.emit(Instr::TableGrow { base, table });
                self.push_temps(1);
            }
            Operator::TableFill { table } => {
                let base = self.call_arguments(3, 0)?;
                self.charge_elements(base + 2);
                self.emit(Instr::TableFill { base, table });
            }
            Operator::TableCopy {
                dst_table,
                src_table,
            } => {
                let base = self.call_arguments(3, 0)?;
                self.charge_elements(base + 2);
                self.emit(Instr::TableCopy {
                    base,
                    dst: dst_table,
                    src: src_table,
                });
            }
            Operator::TableInit { elem_index, table } => {
                let base = self.call_arguments(3, 0)?;
                self.charge_elements(base + 2);
                self.emit(Instr::TableInit {
                    base,
                    table,
                    elem: elem_index,
                });
            }
            Operator::ElemDrop { elem_index } => {
                self.emit(Instr::ElemDrop { elem: elem_index });
            }
            Operator::MemoryInit { data_index, mem: 0 } => {
                let base = self.call_arguments(3, 0)?;
                self.charge_elements(base + 2);
                self.emit(Instr::MemoryInit {
                    base,
                    data: data_index,
                });
            }
            Operator::DataDrop { data_index } => {
                self.emit(Instr::DataDrop { data: data_index });
            }
            Operator::V128Const { value } => {
                let [low, high] = wasm_core::V128::from_bytes(*value.bytes()).to_cells();
                self.push_vector(Operand::Const(low), Operand::Const(high));
            }
            Operator::I8x16Shuffle { lanes } => {
                let ab = self.call_arguments(4, 0)?;
                let height = self.stack.len();
                let mask = self.vector_const(u128::from_le_bytes(lanes), height + 4);
                self.def_vector(|dst| Instr::I8x16Shuffle { dst, ab, mask });
            }
            Operator::V128Store { memarg } => {
                let offset = self.offset_of(memarg)?;
                let value = self.pop_vector()?;
                let (addr, height) = self.pop()?;
                let addr = self.slot_of(addr, height);
                self.emit(Instr::V128Store {
                    addr,
                    value,
                    offset,
                });
            }
            Operator::V128Load8Lane { memarg, lane }
            | Operator::V128Load16Lane { memarg, lane }
            | Operator::V128Load32Lane { memarg, lane }
            | Operator::V128Load64Lane { memarg, lane } => {
                // A scalar load into a scratch temporary, then the lane's replacement.
                let offset = self.offset_of(memarg)?;
                let a = self.pop_vector()?;
                let (addr, height) = self.pop()?;
                let addr = self.slot_of(addr, height);
                let x = self.scratch_temp(height + 3);
                type Replace = fn(u8, Slot, Slot, Slot) -> Instr;
                let (load, replace): (Instr, Replace) = match *op {
                    Operator::V128Load8Lane { .. } => (
                        Instr::I32Load8U {
                            dst: x,
                            addr,
                            offset,
                        },
                        |lane, dst, a, x| Instr::I8x16ReplaceLane { lane, dst, a, x },
                    ),
                    Operator::V128Load16Lane { .. } => (
                        Instr::I32Load16U {
                            dst: x,
                            addr,
                            offset,
                        },
                        |lane, dst, a, x| Instr::I16x8ReplaceLane { lane, dst, a, x },
                    ),
                    Operator::V128Load32Lane { .. } => (
                        Instr::I32Load {
                            dst: x,
                            addr,
                            offset,
                        },
                        |lane, dst, a, x| Instr::I32x4ReplaceLane { lane, dst, a, x },
                    ),
                    _ => (
                        Instr::I64Load {
                            dst: x,
                            addr,
                            offset,
                        },
                        |lane, dst, a, x| Instr::I64x2ReplaceLane { lane, dst, a, x },
                    ),
                };
                self.emit(load);
                self.def_vector(|dst| replace(lane, dst, a, x));
            }
            Operator::V128Store8Lane { memarg, lane }
            | Operator::V128Store16Lane { memarg, lane }
            | Operator::V128Store32Lane { memarg, lane }
            | Operator::V128Store64Lane { memarg, lane } => {
                // The lane's extraction into a scratch temporary, then a scalar store.
                let offset = self.offset_of(memarg)?;
                let a = self.pop_vector()?;
                let (addr, height) = self.pop()?;
                let addr = self.slot_of(addr, height);
                let x = self.scratch_temp(height + 3);
                let (extract, store) = match *op {
                    Operator::V128Store8Lane { .. } => (
                        Instr::I8x16ExtractLaneU { lane, dst: x, a },
                        Instr::I32Store8 {
                            addr,
                            value: x,
                            offset,
                        },
                    ),
                    Operator::V128Store16Lane { .. } => (
                        Instr::I16x8ExtractLaneU { lane, dst: x, a },
                        Instr::I32Store16 {
                            addr,
                            value: x,
                            offset,
                        },
                    ),
                    Operator::V128Store32Lane { .. } => (
                        Instr::I32x4ExtractLane { lane, dst: x, a },
                        Instr::I32Store {
                            addr,
                            value: x,
                            offset,
                        },
                    ),
                    _ => (
                        Instr::I64x2ExtractLane { lane, dst: x, a },
                        Instr::I64Store {
                            addr,
                            value: x,
                            offset,
                        },
                    ),
                };
                self.emit(extract);
                self.emit(store);
            }
            ref other => match Instr::simd(other) {
                Some(simd) => self.simd(simd)?,
                None => {
                    return Err(self.err(format!(
                        "unsupported operator {other:?} (proposal not implemented yet)"
                    )));
                }
            },
        }
        Ok(())
    }

    /// A memory operator's offset as the instructions hold it. Selects the operator's
    /// memory when it is not memory 0 (nothing that may stop the invocation comes between
    /// this and the access).
    fn offset_of(&mut self, memarg: MemArg) -> Result<u32, TranslateError> {
        match memarg.target {
            MemArgTarget::Memory(n) => self.select_memory(n),
            MemArgTarget::Array(_) => {
                return Err(self.err("array memory accesses (gc proposal) are not supported"));
            }
        }
        // An offset of 4 GiB or more (a 64-bit memory's) is out of bounds of any memory
        // here: the access traps before it is made.
        Ok(u32::try_from(memarg.offset).unwrap_or_else(|_| {
            self.emit(Instr::OutOfBounds {});
            0
        }))
    }

    /// Whether the top two entries are a `v128`.
    fn top_is_vector(&self) -> bool {
        self.vectors
            .last()
            .is_some_and(|&start| start + 2 == self.stack.len())
    }

    /// Pushes a `v128` whose halves are `low` and `high`.
    fn push_vector(&mut self, low: Operand, high: Operand) {
        self.vectors.push(self.stack.len());
        self.push(low);
        self.push(high);
    }

    /// Emits `make(dst)` writing the two temporaries of a new top `v128`.
    fn def_vector(&mut self, make: impl FnOnce(Slot) -> Instr) {
        let (height, at) = (self.stack.len(), self.pc());
        let dst = self.temp(height);
        self.instrs.push(make(dst));
        self.push_vector(Operand::Temp, Operand::Temp);
        self.last_def = Some(at as usize);
    }

    /// Pops the top `v128`; returns the first of the two adjacent slots holding it
    /// (both halves are copied into the entries' temporaries unless they already are in
    /// adjacent slots: their temporaries, a `v128` local, constant slots).
    fn pop_vector(&mut self) -> Result<Slot, TranslateError> {
        let (high, high_height) = self.pop()?;
        let (low, height) = self.pop()?;
        if let Some(slot) = self.vector_slot(low, high, height) {
            return Ok(slot);
        }
        if let (Operand::Const(a), Operand::Const(b)) = (low, high) {
            let bits = u128::from(a) | u128::from(b) << 64;
            return Ok(self.vector_const(bits, height));
        }
        self.move_operand(self.temp(height), low, height);
        self.move_operand(self.temp(high_height), high, high_height);
        Ok(self.temp(height))
    }

    /// The slots of `v128` constant `bits`: two adjacent constant slots in a loop (if
    /// there is room), else the temporaries from `height` on, written here.
    fn vector_const(&mut self, bits: u128, height: usize) -> Slot {
        let [low, high] = wasm_core::V128::from_bits(bits).to_cells();
        if self.loops > 0 {
            let found = self.consts.windows(2).position(|w| w == [low, high]);
            match found {
                Some(k) => return CONST_SLOT + k as Slot,
                None if self.consts.len() + 2 <= MAX_CONSTS => {
                    self.consts.extend([low, high]);
                    return CONST_SLOT + (self.consts.len() - 2) as Slot;
                }
                None => {}
            }
        }
        let dst = self.scratch_temp(height);
        self.scratch_temp(height + 1);
        self.move_operand(dst, Operand::Const(low), height);
        self.move_operand(dst + 1, Operand::Const(high), height + 1);
        dst
    }

    /// The temporary of `height`, used as scratch space above the operand stack (the
    /// frame grows to hold it).
    fn scratch_temp(&mut self, height: usize) -> Slot {
        self.max_height = self.max_height.max(height + 1);
        self.temp(height)
    }

    /// `local.set` of `v128` local `local` (slots `local` and `local + 1`).
    fn set_vector_local(&mut self, local: Slot) -> Result<(), TranslateError> {
        let (high, _) = self.pop()?;
        let (low, height) = self.pop()?;
        if (low, high) == (Operand::Temp, Operand::Temp)
            && self.local_refs[local as usize + 1] == 0
            && self.retarget_last_def(height, local)
        {
            return Ok(());
        }
        self.before_local_write(local);
        self.before_local_write(local + 1);
        self.move_vector(local, low, high, height);
        Ok(())
    }

    /// The first of two adjacent slots that already hold the `v128` whose halves are the
    /// entries `low` (at `height`) and `high` (above it): the two temporaries of a vector
    /// entry, or a vector local's pair.
    fn vector_slot(&self, low: Operand, high: Operand, height: usize) -> Option<Slot> {
        match (low, high) {
            (Operand::Temp, Operand::Temp) => Some(self.temp(height)),
            (Operand::Local(a), Operand::Local(b)) if b == a + 1 => Some(a),
            _ => None,
        }
    }

    /// Moves the `v128` whose halves are the entries `low` (at `height`) and `high` (above
    /// it) to slots `dst` and `dst + 1`: one `CopyV128` when the halves are in adjacent
    /// slots ([`Translator::vector_slot`]), else half by half.
    fn move_vector(&mut self, dst: Slot, low: Operand, high: Operand, height: usize) {
        match self.vector_slot(low, high, height) {
            Some(src) if src != dst => {
                self.emit(Instr::CopyV128 { dst, src });
            }
            Some(_) => {}
            None => {
                self.move_operand(dst, low, height);
                self.move_operand(dst + 1, high, height + 1);
            }
        }
    }

    /// `select` of two `v128`s (the condition popped already).
    fn select_vector(&mut self, cond: Operand, cond_height: usize) -> Result<(), TranslateError> {
        let (b_high, _) = self.pop()?;
        let (b_low, _) = self.pop()?;
        let (a_high, _) = self.pop()?;
        let (a_low, height) = self.pop()?;
        let dst = self.temp(height);
        self.move_vector(dst, a_low, a_high, height);
        self.move_vector(dst + 2, b_low, b_high, height + 2);
        let cond = self.slot_of(cond, cond_height);
        self.emit(Instr::V128Select {
            dst,
            src: dst,
            cond,
        });
        self.push_vector(Operand::Temp, Operand::Temp);
        Ok(())
    }

    /// Lowers a SIMD operator of the list's SIMD sections.
    fn simd(&mut self, simd: Simd) -> Result<(), TranslateError> {
        match simd {
            Simd::Unary(make) => {
                let a = self.pop_vector()?;
                self.def_vector(|dst| make(dst, a));
            }
            Simd::Test(make) => {
                let a = self.pop_vector()?;
                self.def(|dst| make(dst, a));
            }
            Simd::Binary(make) => {
                let b = self.pop_vector()?;
                let a = self.pop_vector()?;
                self.def_vector(|dst| make(dst, a, b));
            }
            Simd::Shift(make) => {
                let (count, height) = self.pop()?;
                let count = self.slot_of(count, height);
                let a = self.pop_vector()?;
                self.def_vector(|dst| make(dst, a, count));
            }
            Simd::Ternary(make) => {
                let src = self.call_arguments(6, 0)?;
                self.def_vector(|dst| make(dst, src));
            }
            Simd::Splat(make) => {
                let (x, height) = self.pop()?;
                let x = self.slot_of(x, height);
                self.def_vector(|dst| make(dst, x));
            }
            Simd::Extract(make, lane) => {
                let a = self.pop_vector()?;
                self.def(|dst| make(lane, dst, a));
            }
            Simd::Replace(make, lane) => {
                let (x, height) = self.pop()?;
                let x = self.slot_of(x, height);
                let a = self.pop_vector()?;
                self.def_vector(|dst| make(lane, dst, a, x));
            }
            Simd::Load(make, memarg) => {
                let offset = self.offset_of(memarg)?;
                let (addr, height) = self.pop()?;
                let addr = self.slot_of(addr, height);
                self.def_vector(|dst| make(dst, addr, offset));
            }
        }
        Ok(())
    }

    /// Pushes the results of the call just emitted; after a tail call, returns them (the
    /// code a host callee returns through) and ends the reachable code.
    fn call_results(&mut self, results: &[ValType], tail: bool) -> Result<(), TranslateError> {
        self.push_typed(results);
        if tail {
            self.emit_return()?;
            self.set_unreachable();
        }
        Ok(())
    }

    /// Puts the top `params + extra` entries (call arguments, then `extra` more such as
    /// a table index) into their temporaries and pops them; returns the first one's slot.
    fn call_arguments(&mut self, params: usize, extra: usize) -> Result<Slot, TranslateError> {
        let base = self
            .stack
            .len()
            .checked_sub(params + extra)
            .ok_or_else(|| self.err("type mismatch: call arguments"))?;
        for height in base..self.stack.len() {
            self.materialize(height);
        }
        self.truncate(base);
        Ok(self.temp(base))
    }

    /// Lowers an operator that the list maps to one instruction: its operands popped,
    /// their slots given in order, its result (if any) pushed.
    fn lowered(&mut self, lowered: Lowered) -> Result<(), TranslateError> {
        let n = lowered.inputs;
        let mut operands = [(Operand::Temp, 0); MAX_LOWERED_INPUTS];
        if n > MAX_LOWERED_INPUTS {
            return Err(self.err("internal error: an instruction with too many inputs"));
        }
        for k in (0..n).rev() {
            operands[k] = self.pop()?;
        }
        let mut slots = [0; MAX_LOWERED_INPUTS];
        for k in 0..n {
            let (operand, height) = operands[k];
            slots[k] = self.slot_of(operand, height);
        }
        if core::mem::take(&mut self.bulk) {
            // memory.fill, memory.copy: the count is the last operand.
            self.charge_elements(slots[n - 1]);
        }
        let (make, slots) = (lowered.make, &slots[..n]);
        match lowered.output {
            true => self.def_with(|out, dst| make(out, slots, dst)),
            false => self.emit_with(|out| make(out, slots, 0)),
        }
        Ok(())
    }

    fn numeric(&mut self, op: &Operator<'_>, numeric: Numeric) -> Result<(), TranslateError> {
        if let Operator::I64ExtendI32U = op {
            // An i32 is kept zero-extended in its 64-bit cell (and in the accumulator):
            // the entry already holds the i64, whatever its operand kind.
            return match self.stack.last() {
                Some(_) => Ok(()),
                None => Err(self.err("type mismatch: operand stack underflow")),
            };
        }
        match numeric {
            Numeric::Unary(make) => {
                let (a, height) = self.pop()?;
                let a = self.slot_of(a, height);
                self.def_with(|out, dst| make(out, dst, a));
            }
            Numeric::Binary {
                make,
                imm,
                wide,
                commutative,
            } => {
                let (b, b_height) = self.pop()?;
                let (a, height) = self.pop()?;
                if matches!(op, Operator::I32Add)
                    && let Some((base, index, shift)) =
                        self.take_shifted_sum(a, height, b, b_height)
                {
                    self.def(|dst| Instr::I32AddShifted {
                        dst,
                        a: base,
                        b: index,
                        shift,
                    });
                    return Ok(());
                }
                if let Some(imm_make) = imm {
                    if let Operand::Const(bits) = b
                        && let Some(imm) = immediate(bits, wide)
                    {
                        let a = self.slot_of(a, height);
                        self.def_with(|out, dst| imm_make(out, dst, a, imm));
                        return Ok(());
                    }
                    if let Operand::Const(bits) = a
                        && commutative
                        && let Some(imm) = immediate(bits, wide)
                    {
                        let b = self.slot_of(b, b_height);
                        self.def_with(|out, dst| imm_make(out, dst, b, imm));
                        return Ok(());
                    }
                }
                let a = self.slot_of(a, height);
                let b = self.slot_of(b, b_height);
                self.def_with(|out, dst| make(out, dst, a, b));
            }
        }
        Ok(())
    }
}
