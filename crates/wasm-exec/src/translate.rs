//! Translation of a (validated) function body into the engine's instructions.
//!
//! One pass over the operators: the operand stack height is tracked statically, so every
//! branch knows how many values it keeps and drops, and forward branch targets are
//! patched when their block ends. Code after an unconditional branch is skipped.

use crate::isa::Instr;
use core::fmt;
use wasm_core::wasmparser::{BlockType, Operator};
use wasm_core::{Module, Signature};

/// A translated function body.
#[derive(Debug)]
pub struct CompiledFunc {
    /// The instructions.
    pub(crate) instrs: Box<[Instr]>,
    /// Number of parameters.
    pub(crate) num_params: u32,
    /// Number of declared locals (not counting parameters).
    pub(crate) num_locals: u32,
    /// Number of results.
    pub(crate) num_results: u32,
    /// The most operands the body keeps on the stack at once.
    pub(crate) max_height: u32,
}

impl CompiledFunc {
    /// The instructions, for disassembly and tests.
    pub fn instrs(&self) -> &[Instr] {
        &self.instrs
    }

    /// Value stack cells a call needs: locals (parameters included) and operands.
    pub(crate) fn frame_size(&self) -> usize {
        self.num_params as usize + self.num_locals as usize + self.max_height as usize
    }
}

/// Translation failed: the body uses an operator the engine does not run yet, or is not
/// valid (translation expects validated input but never panics on other input).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TranslateError {
    message: String,
    offset: usize,
}

impl TranslateError {
    #[cold]
    fn new(message: impl Into<String>, offset: usize) -> Self {
        TranslateError {
            message: message.into(),
            offset,
        }
    }

    /// The message.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// Byte offset of the operator.
    pub fn offset(&self) -> usize {
        self.offset
    }
}

impl fmt::Display for TranslateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (at offset {:#x})", self.message, self.offset)
    }
}

impl std::error::Error for TranslateError {}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Block,
    Loop,
    If,
    Else,
    Function,
}

struct Frame {
    kind: Kind,
    /// Operand height below the block's parameters.
    height: u32,
    params: u32,
    results: u32,
    /// Start of a loop (its branch target).
    start: u32,
    /// Instructions whose target is this block's end.
    fixups: Vec<u32>,
    /// The `BrIfEqz` of an `if`, patched at `else` or `end`.
    if_jump: Option<u32>,
    unreachable: bool,
}

impl Frame {
    fn label_arity(&self) -> u32 {
        if self.kind == Kind::Loop {
            self.params
        } else {
            self.results
        }
    }
}

struct Translator<'m> {
    module: &'m Module,
    instrs: Vec<Instr>,
    frames: Vec<Frame>,
    height: u32,
    max_height: u32,
    /// Nesting depth of blocks opened inside skipped (unreachable) code.
    skipped: u32,
    offset: usize,
}

/// Translates defined function `func_index` of `module`.
pub fn translate(module: &Module, func_index: u32) -> Result<CompiledFunc, TranslateError> {
    let defined = func_index
        .checked_sub(module.num_imported_functions())
        .and_then(|i| module.bodies.get(i as usize))
        .ok_or_else(|| TranslateError::new("unknown function", 0))?;
    let signature = module
        .func_signature(func_index)
        .ok_or_else(|| TranslateError::new("unknown type", defined.offset))?;
    let mut t = Translator {
        module,
        instrs: Vec::with_capacity(defined.code.len() / 2),
        frames: Vec::new(),
        height: 0,
        max_height: 0,
        skipped: 0,
        offset: defined.offset,
    };
    t.frames.push(Frame {
        kind: Kind::Function,
        height: 0,
        params: 0,
        results: signature.results().len() as u32,
        start: 0,
        fixups: Vec::new(),
        if_jump: None,
        unreachable: false,
    });
    let mut reader = module.operators(&defined.code);
    while !reader.eof() {
        let (op, offset) = reader
            .read_with_offset()
            .map_err(|e| TranslateError::new(e.message(), e.offset() as usize))?;
        t.offset = offset as usize;
        t.op(&op)?;
    }
    if !t.frames.is_empty() {
        return Err(TranslateError::new("function body does not end", t.offset));
    }
    Ok(CompiledFunc {
        instrs: t.instrs.into_boxed_slice(),
        num_params: signature.params().len() as u32,
        num_locals: defined.num_locals,
        num_results: signature.results().len() as u32,
        max_height: t.max_height,
    })
}

impl Translator<'_> {
    fn err(&self, message: impl Into<String>) -> TranslateError {
        TranslateError::new(message, self.offset)
    }

    fn pc(&self) -> u32 {
        self.instrs.len() as u32
    }

    fn emit(&mut self, instr: Instr) {
        self.instrs.push(instr);
    }

    fn pop(&mut self, n: u32) -> Result<(), TranslateError> {
        self.height = self
            .height
            .checked_sub(n)
            .ok_or_else(|| self.err("type mismatch: operand stack underflow"))?;
        Ok(())
    }

    fn push(&mut self, n: u32) {
        self.height += n;
        self.max_height = self.max_height.max(self.height);
    }

    fn block_arity(&self, ty: BlockType) -> Result<(u32, u32), TranslateError> {
        match ty {
            BlockType::Empty => Ok((0, 0)),
            BlockType::Type(_) => Ok((0, 1)),
            BlockType::FuncType(index) => {
                let sig: &Signature = self
                    .module
                    .types
                    .get(index as usize)
                    .ok_or_else(|| self.err("unknown type"))?;
                Ok((sig.params().len() as u32, sig.results().len() as u32))
            }
        }
    }

    fn open(&mut self, kind: Kind, ty: BlockType) -> Result<(), TranslateError> {
        let (params, results) = self.block_arity(ty)?;
        let height = self
            .height
            .checked_sub(params)
            .ok_or_else(|| self.err("type mismatch"))?;
        let start = self.pc();
        self.frames.push(Frame {
            kind,
            height,
            params,
            results,
            start,
            fixups: Vec::new(),
            if_jump: None,
            unreachable: false,
        });
        Ok(())
    }

    fn frame_at(&self, depth: u32) -> Result<&Frame, TranslateError> {
        let len = self.frames.len();
        (depth as usize)
            .checked_add(1)
            .and_then(|d| len.checked_sub(d))
            .map(|i| &self.frames[i])
            .ok_or_else(|| self.err("unknown label"))
    }

    /// The (drop, keep) adjustment of a branch to label `depth` from the current height.
    fn branch_adjust(&self, depth: u32) -> Result<(u32, u32), TranslateError> {
        let frame = self.frame_at(depth)?;
        let keep = frame.label_arity();
        let drop = self
            .height
            .checked_sub(frame.height + keep)
            .ok_or_else(|| self.err("type mismatch: branch operands"))?;
        Ok((drop, keep))
    }

    /// Emits a branch instruction to label `depth`, registering a fixup if the target is
    /// a block end not known yet.
    fn emit_branch(
        &mut self,
        depth: u32,
        make: impl Fn(u32, u32, u32) -> Instr,
    ) -> Result<(), TranslateError> {
        let (drop, keep) = self.branch_adjust(depth)?;
        let pc = self.pc();
        let index = self.frames.len() - 1 - depth as usize;
        let frame = &mut self.frames[index];
        if frame.kind == Kind::Loop {
            let start = frame.start;
            self.emit(make(start, drop, keep));
        } else {
            frame.fixups.push(pc);
            self.emit(make(u32::MAX, drop, keep));
        }
        Ok(())
    }

    fn set_unreachable(&mut self) {
        if let Some(frame) = self.frames.last_mut() {
            frame.unreachable = true;
            self.height = frame.height;
        }
    }

    fn patch(&mut self, at: u32, target: u32) {
        match &mut self.instrs[at as usize] {
            Instr::Br { target: t, .. }
            | Instr::BrIfNez { target: t, .. }
            | Instr::BrIfEqz { target: t } => *t = target,
            _ => {}
        }
    }

    fn op(&mut self, op: &Operator<'_>) -> Result<(), TranslateError> {
        let unreachable = self.frames.last().is_some_and(|f| f.unreachable);
        if unreachable {
            // Skip dead code, but keep track of block structure.
            match op {
                Operator::Block { .. } | Operator::Loop { .. } | Operator::If { .. } => {
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
        if let Some((instr, pops, pushes)) = Instr::from_simple(op) {
            self.pop(pops)?;
            self.emit(instr);
            self.push(pushes);
            return Ok(());
        }
        match *op {
            Operator::Unreachable => {
                self.emit(Instr::Unreachable {});
                self.set_unreachable();
            }
            Operator::Nop => {}
            Operator::Block { blockty } => self.open(Kind::Block, blockty)?,
            Operator::Loop { blockty } => self.open(Kind::Loop, blockty)?,
            Operator::If { blockty } => {
                self.pop(1)?;
                self.open(Kind::If, blockty)?;
                let at = self.pc();
                self.emit(Instr::BrIfEqz { target: u32::MAX });
                self.frames.last_mut().expect("just pushed").if_jump = Some(at);
            }
            Operator::Else => {
                let at = self.pc();
                let frame = self
                    .frames
                    .last_mut()
                    .ok_or_else(|| TranslateError::new("else without if", 0))?;
                if frame.kind != Kind::If {
                    return Err(self.err("else without if"));
                }
                if !frame.unreachable {
                    frame.fixups.push(at);
                }
                let if_jump = frame.if_jump.take();
                frame.kind = Kind::Else;
                frame.unreachable = false;
                let height = frame.height + frame.params;
                let reachable = !unreachable;
                if reachable {
                    self.emit(Instr::Br {
                        target: u32::MAX,
                        drop: 0,
                        keep: 0,
                    });
                }
                if let Some(jump) = if_jump {
                    let target = self.pc();
                    self.patch(jump, target);
                }
                self.height = height;
            }
            Operator::End => {
                let frame = self
                    .frames
                    .pop()
                    .ok_or_else(|| self.err("unexpected end"))?;
                let target = self.pc();
                for at in &frame.fixups {
                    self.patch(*at, target);
                }
                if let Some(jump) = frame.if_jump {
                    self.patch(jump, target);
                }
                self.height = frame.height + frame.results;
                self.max_height = self.max_height.max(self.height);
                if frame.kind == Kind::Function {
                    self.emit(Instr::Return {});
                }
            }
            Operator::Br { relative_depth } => {
                self.emit_branch(relative_depth, |target, drop, keep| Instr::Br {
                    target,
                    drop,
                    keep,
                })?;
                self.set_unreachable();
            }
            Operator::BrIf { relative_depth } => {
                self.pop(1)?;
                self.emit_branch(relative_depth, |target, drop, keep| Instr::BrIfNez {
                    target,
                    drop,
                    keep,
                })?;
            }
            Operator::BrTable { ref targets } => {
                self.pop(1)?;
                let len = targets.len();
                self.emit(Instr::BrTable { len });
                for depth in targets.targets() {
                    let depth = depth.map_err(|e| self.err(e.message()))?;
                    self.emit_branch(depth, |target, drop, keep| Instr::Br { target, drop, keep })?;
                }
                self.emit_branch(targets.default(), |target, drop, keep| Instr::Br {
                    target,
                    drop,
                    keep,
                })?;
                self.set_unreachable();
            }
            Operator::Return => {
                self.emit(Instr::Return {});
                self.set_unreachable();
            }
            Operator::Call { function_index } => {
                let sig = self
                    .module
                    .func_signature(function_index)
                    .ok_or_else(|| self.err("unknown function"))?;
                let (params, results) = (sig.params().len() as u32, sig.results().len() as u32);
                self.pop(params)?;
                self.emit(Instr::Call {
                    func: function_index,
                });
                self.push(results);
            }
            Operator::CallIndirect {
                type_index,
                table_index,
            } => {
                let sig = self
                    .module
                    .types
                    .get(type_index as usize)
                    .ok_or_else(|| self.err("unknown type"))?;
                let (params, results) = (sig.params().len() as u32, sig.results().len() as u32);
                self.pop(params + 1)?;
                self.emit(Instr::CallIndirect {
                    ty: type_index,
                    table: table_index,
                });
                self.push(results);
            }
            Operator::Drop => {
                self.pop(1)?;
                self.emit(Instr::Drop {});
            }
            Operator::Select | Operator::TypedSelect { .. } => {
                self.pop(3)?;
                self.emit(Instr::Select {});
                self.push(1);
            }
            Operator::LocalGet { local_index } => {
                self.emit(Instr::LocalGet { index: local_index });
                self.push(1);
            }
            Operator::LocalSet { local_index } => {
                self.pop(1)?;
                self.emit(Instr::LocalSet { index: local_index });
            }
            Operator::LocalTee { local_index } => {
                self.pop(1)?;
                self.emit(Instr::LocalTee { index: local_index });
                self.push(1);
            }
            Operator::GlobalGet { global_index } => {
                self.emit(Instr::GlobalGet {
                    index: global_index,
                });
                self.push(1);
            }
            Operator::GlobalSet { global_index } => {
                self.pop(1)?;
                self.emit(Instr::GlobalSet {
                    index: global_index,
                });
            }
            Operator::I32Const { value } => self.constant(u64::from(value as u32)),
            Operator::I64Const { value } => self.constant(value as u64),
            Operator::F32Const { value } => self.constant(u64::from(value.bits())),
            Operator::F64Const { value } => self.constant(value.bits()),
            Operator::MemorySize { mem: 0 } => {
                self.emit(Instr::MemorySize {});
                self.push(1);
            }
            Operator::MemoryGrow { mem: 0 } => {
                self.pop(1)?;
                self.emit(Instr::MemoryGrow {});
                self.push(1);
            }
            ref other => {
                return Err(self.err(format!(
                    "unsupported operator {other:?} (proposal not implemented yet)"
                )));
            }
        }
        Ok(())
    }

    fn constant(&mut self, bits: u64) {
        self.emit(Instr::Const { bits });
        self.push(1);
    }
}
