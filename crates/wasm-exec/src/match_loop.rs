//! The dispatch loop: one `match` per instruction. Numeric and memory instructions are
//! handled by `isa::exec_simple` (generated from the instruction list); control flow,
//! calls, locals and globals are handled here.
//!
//! A Wasm call pushes a [`Frame`] on the heap call stack and continues in the same loop:
//! execution never recurses on the native stack. A handler leaves the loop only by
//! returning from the outermost frame, by trapping, or (host traps) by suspending.

use crate::engine::{EngineError, Frame, Stacks, compiled, with_outer_usage};
use crate::isa::{Instr, exec_simple};
use std::sync::Arc;
use wasm_core::memory_units::Pages;
use wasm_core::{RuntimeValue, Signature, Trap, TrapCode};
use wasm_runtime::{Externals, FuncRef, MemoryRef, RuntimeArgs, check_host_result};

/// Where a call suspended by a host trap resumes: the caller's frame (its `pc` already
/// past the call) and the stack height where the host function's result goes.
pub(crate) struct Suspension {
    pub(crate) frame: Frame,
    pub(crate) sp: usize,
    pub(crate) signature: Arc<Signature>,
}

/// Why the loop stopped without finishing.
pub(crate) enum Exit {
    /// A trap; the call is over.
    Trap(Trap),
    /// A host function trapped; the call can be resumed.
    HostTrap(Trap, Suspension),
}

impl Exit {
    pub(crate) fn into_trap(self) -> Trap {
        match self {
            Exit::Trap(trap) | Exit::HostTrap(trap, _) => trap,
        }
    }
}

impl From<Trap> for Exit {
    fn from(trap: Trap) -> Self {
        Exit::Trap(trap)
    }
}

impl From<TrapCode> for Exit {
    fn from(code: TrapCode) -> Self {
        Exit::Trap(Trap::Code(code))
    }
}

fn memory_of(frame: &Frame) -> Option<MemoryRef> {
    frame.instance.memories().first().cloned()
}

/// What a call instruction found.
enum Callee {
    /// A Wasm function: its new frame is current.
    Entered,
    /// A host function: it ran; its result is on the stack.
    HostDone,
}

/// Runs `frame` (whose operands start at `sp`) until the outermost frame returns. The
/// results are then at the bottom of the value stack.
pub(crate) fn execute(
    stacks: &mut Stacks,
    mut frame: Frame,
    mut sp: usize,
    externals: &mut dyn Externals,
) -> Result<(), Exit> {
    let mut memory = memory_of(&frame);
    loop {
        let instr = frame.code.instrs[frame.pc];
        frame.pc += 1;
        match instr {
            Instr::Unreachable {} => return Err(TrapCode::Unreachable.into()),
            Instr::Br { target, drop, keep } => {
                sp = branch(&mut stacks.vals, sp, drop, keep);
                frame.pc = target as usize;
            }
            Instr::BrIfEqz { target } => {
                sp -= 1;
                if stacks.vals[sp] as u32 == 0 {
                    frame.pc = target as usize;
                }
            }
            Instr::BrIfNez { target, drop, keep } => {
                sp -= 1;
                if stacks.vals[sp] as u32 != 0 {
                    sp = branch(&mut stacks.vals, sp, drop, keep);
                    frame.pc = target as usize;
                }
            }
            Instr::BrTable { len } => {
                sp -= 1;
                let index = (stacks.vals[sp] as u32).min(len);
                frame.pc += index as usize;
            }
            Instr::Return {} => {
                let n = frame.code.num_results as usize;
                stacks.vals.copy_within(sp - n..sp, frame.bp);
                sp = frame.bp + n;
                match stacks.frames.pop() {
                    Some(caller) => {
                        frame = caller;
                        memory = memory_of(&frame);
                    }
                    None => return Ok(()),
                }
            }
            Instr::Call { func } => {
                let callee = frame.instance.funcs()[func as usize].clone();
                match call(stacks, &mut frame, &mut sp, &callee, externals)? {
                    Callee::Entered => memory = memory_of(&frame),
                    Callee::HostDone => {}
                }
            }
            Instr::CallIndirect { ty, table } => {
                sp -= 1;
                let index = stacks.vals[sp] as u32;
                let table = &frame.instance.tables()[table as usize];
                let callee = match table.with_entry(index, |entry| entry.clone()) {
                    None => return Err(TrapCode::UndefinedElement.into()),
                    Some(None) => return Err(TrapCode::ElemUninitialized.into()),
                    Some(Some(callee)) => callee,
                };
                let expected = frame.instance.signature_by_index(ty);
                let matches = expected.is_some_and(|expected| {
                    Arc::ptr_eq(expected, callee.signature_arc())
                        || **expected == *callee.signature()
                });
                if !matches {
                    return Err(TrapCode::UnexpectedSignature.into());
                }
                match call(stacks, &mut frame, &mut sp, &callee, externals)? {
                    Callee::Entered => memory = memory_of(&frame),
                    Callee::HostDone => {}
                }
            }
            Instr::Drop {} => sp -= 1,
            Instr::Select {} => {
                sp -= 2;
                if stacks.vals[sp + 1] as u32 == 0 {
                    stacks.vals[sp - 1] = stacks.vals[sp];
                }
            }
            Instr::LocalGet { index } => {
                stacks.vals[sp] = stacks.vals[frame.bp + index as usize];
                sp += 1;
            }
            Instr::LocalSet { index } => {
                sp -= 1;
                stacks.vals[frame.bp + index as usize] = stacks.vals[sp];
            }
            Instr::LocalTee { index } => {
                stacks.vals[frame.bp + index as usize] = stacks.vals[sp - 1];
            }
            Instr::GlobalGet { index } => {
                stacks.vals[sp] = frame.instance.globals()[index as usize].get().to_bits();
                sp += 1;
            }
            Instr::GlobalSet { index } => {
                sp -= 1;
                let global = &frame.instance.globals()[index as usize];
                global.set_unchecked(RuntimeValue::from_bits(
                    global.value_type(),
                    stacks.vals[sp],
                ));
            }
            Instr::Const { bits } => {
                stacks.vals[sp] = bits;
                sp += 1;
            }
            Instr::MemorySize {} => {
                let pages = memory.as_ref().map_or(0, |m| m.current_size().0);
                stacks.vals[sp] = pages as u64;
                sp += 1;
            }
            Instr::MemoryGrow {} => {
                let delta = stacks.vals[sp - 1] as u32;
                let old = match &memory {
                    Some(m) => m
                        .grow(Pages(delta as usize))
                        .map_or(u32::MAX, |old| old.0 as u32),
                    None => u32::MAX,
                };
                stacks.vals[sp - 1] = u64::from(old);
            }
            simple => exec_simple(simple, &mut stacks.vals, &mut sp, memory.as_ref())?,
        }
    }
}

/// Keeps the top `keep` values and drops the `drop` values below them; returns the new
/// stack height.
#[inline(always)]
fn branch(vals: &mut [u64], sp: usize, drop: u32, keep: u32) -> usize {
    if drop == 0 {
        return sp;
    }
    let (drop, keep) = (drop as usize, keep as usize);
    vals.copy_within(sp - keep..sp, sp - keep - drop);
    sp - drop
}

/// Calls `callee` whose arguments are the top values: enters a Wasm function (pushing
/// the caller's frame) or runs a host function.
fn call(
    stacks: &mut Stacks,
    frame: &mut Frame,
    sp: &mut usize,
    callee: &FuncRef,
    externals: &mut dyn Externals,
) -> Result<Callee, Exit> {
    let signature = callee.signature_arc();
    let num_params = signature.params().len();
    match callee.as_wasm() {
        Some(wasm) => {
            // `frames` holds the callers; with the running frame and the callee there
            // would be `frames.len() + 2` frames.
            if stacks.frames.len() + 2 > stacks.call_limit {
                return Err(TrapCode::StackOverflow.into());
            }
            let code = compiled(wasm.code())?;
            let instance = match wasm.instance() {
                Some(instance) => instance,
                None => return Err(Trap::host(EngineError::InstanceDropped).into()),
            };
            let bp = *sp - num_params;
            stacks.reserve(bp, code.frame_size())?;
            let locals_end = *sp + code.num_locals as usize;
            stacks.vals[*sp..locals_end].fill(0);
            *sp = locals_end;
            let callee_frame = Frame {
                code,
                instance,
                pc: 0,
                bp,
            };
            stacks.frames.push(core::mem::replace(frame, callee_frame));
            Ok(Callee::Entered)
        }
        None => {
            let index = callee.host_func_index().unwrap_or(usize::MAX);
            let bp = *sp - num_params;
            stacks.host_args.clear();
            for (ty, cell) in signature.params().iter().zip(&stacks.vals[bp..*sp]) {
                stacks.host_args.push(RuntimeValue::from_bits(*ty, *cell));
            }
            *sp = bp;
            let args = core::mem::take(&mut stacks.host_args);
            let frames = stacks.frames.len() + 1;
            let outcome = with_outer_usage(bp, frames, || {
                externals.invoke_index(index, RuntimeArgs::from(&args[..]))
            });
            stacks.host_args = args;
            match outcome {
                Ok(result) => {
                    if let Some(value) = check_host_result(signature, result)? {
                        stacks.vals[*sp] = value.to_bits();
                        *sp += 1;
                    }
                    Ok(Callee::HostDone)
                }
                Err(trap) => Err(Exit::HostTrap(
                    trap,
                    Suspension {
                        frame: frame.clone(),
                        sp: *sp,
                        signature: signature.clone(),
                    },
                )),
            }
        }
    }
}
