//! Execution: runs a frame's code with the dispatch driver and carries out what the driver
//! stops at (a call it does not make, the return of the function it ran, `memory.grow`),
//! keeping the call stack of [`Frame`]s on the heap: a Wasm call never recurses on the
//! native stack.
//!
//! Memory 0 is borrowed for as long as a frame runs and given back around anything that
//! may touch it otherwise: host calls, `memory.grow`, calls into other instances. After a
//! host call the frame goes on with the same driver context, its memory borrowed again.

use super::code::{ModuleCode, compiled};
use super::error::EngineError;
use super::stacks::{Frame, Stacks, with_outer_usage};
use crate::dispatch::{Ctx, Stop, indirect_callee, run};
use crate::isa::{Instr, Slot};
use std::rc::Rc;
use std::sync::Arc;
use wasm_core::memory_units::Pages;
use wasm_core::{RuntimeValue, Signature, Trap, TrapCode};
use wasm_runtime::engine;
use wasm_runtime::{DirectAccessMut, Externals, FuncRef, ModuleInstance, RuntimeArgs};

/// Where a call suspended by a host trap resumes: the caller's frame (its `ip` already past
/// the call) and the slot where the host function's result goes.
pub(crate) struct Suspension {
    pub(crate) frame: Frame,
    pub(crate) result_slot: usize,
    pub(crate) signature: Arc<Signature>,
}

/// Why an execution stopped without finishing.
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

/// Runs `frame` (its slots set up on the value stack) until the outermost frame returns.
/// The results are then at the bottom of the value stack.
pub(crate) fn execute(
    stacks: &mut Stacks,
    mut frame: Frame,
    externals: &mut dyn Externals,
) -> Result<(), Exit> {
    'frame: loop {
        let mut guard = borrow_memory(&frame.instance)?;
        let mut mem = bytes(&mut guard);
        let mut ctx = Ctx::new(
            &frame.module.side,
            frame.module.first,
            frame.func,
            frame.bp,
            &frame.instance,
            &mut stacks.chain,
            stacks.call_limit.saturating_sub(stacks.frames.len() + 1),
            stacks.value_limit,
        );
        let mut ip = frame.ip;
        loop {
            let stop = run(&mut stacks.vals, &frame.code, ip, mem, &mut ctx)?;
            let mut calls = ctx.take_calls().peekable();
            if calls.peek().is_some() {
                // The driver stopped inside functions it called: they become frames, the
                // innermost the current one, which runs from where it stopped.
                for (func, ret, bp) in calls {
                    stacks.frames.push(frame.sibling(func, ret, bp)?);
                }
                let (func, bp) = ctx.running();
                let Stop::At(at) = stop else {
                    return Err(TrapCode::Unreachable.into());
                };
                let current = frame.sibling(func, at, bp)?;
                drop(guard);
                frame = current;
                continue 'frame;
            }
            drop(calls);
            let at = match stop {
                Stop::At(at) => at,
                // The function returned: its results are in its first slots, where the
                // caller expects them.
                Stop::Returned => {
                    drop(guard);
                    match stacks.frames.pop() {
                        Some(caller) => frame = caller,
                        None => return Ok(()),
                    }
                    continue 'frame;
                }
            };
            frame.ip = at + 1;
            match frame.code.instrs().get(at).copied() {
                Some(Instr::Call { func, base }) => {
                    let module = &frame.module;
                    if let Some(index) = func.checked_sub(module.first) {
                        // A function of this module: its code and instance are known.
                        let (module, instance) = (module.clone(), frame.instance.clone());
                        drop(guard);
                        enter_wasm(stacks, &mut frame, base, module, index, instance)?;
                        continue 'frame;
                    }
                    let callee = engine::funcs(&frame.instance)
                        .get(func as usize)
                        .ok_or(TrapCode::Unreachable)?
                        .clone();
                    let Some(host) = engine::host_func_index(&callee) else {
                        drop(guard);
                        call(stacks, &mut frame, base, &callee, externals)?;
                        continue 'frame;
                    };
                    // A host function: the frame stays, its memory borrowed again (the host
                    // may have grown it), and the driver goes on after the call.
                    drop(guard);
                    let frames = stacks.frames.len() + 1;
                    let (vals, args) = (&mut stacks.vals, &mut stacks.host_args);
                    call_host(vals, args, frames, &frame, base, &callee, host, externals)?;
                    guard = borrow_memory(&frame.instance)?;
                    mem = bytes(&mut guard);
                    ctx.host_returned();
                    ip = at + 1;
                }
                Some(Instr::CallIndirect { ty, table, base }) => {
                    drop(guard);
                    let params_end = |expected: &Signature| {
                        let slot = frame.bp + base as usize + expected.params().len();
                        stacks.vals.get(slot).map(|&index| index as u32)
                    };
                    let callee =
                        indirect_callee(&frame.instance, ty, table, params_end, FuncRef::clone)?;
                    call(stacks, &mut frame, base, &callee, externals)?;
                    continue 'frame;
                }
                Some(Instr::MemoryGrow { dst, delta }) => {
                    drop(guard);
                    let slot = |slot: Slot| frame.bp + slot as usize;
                    let delta = stacks.vals[slot(delta)] as u32;
                    let old = match engine::memories(&frame.instance).first() {
                        Some(memory) => memory
                            .grow(Pages(delta as usize))
                            .map_or(u32::MAX, |old| old.0 as u32),
                        None => u32::MAX,
                    };
                    stacks.vals[slot(dst)] = u64::from(old);
                    continue 'frame;
                }
                // A driver stops only at the instructions above.
                _ => return Err(TrapCode::Unreachable.into()),
            }
        }
    }
}

/// Pushes the caller's frame (its `ip` already past the call) and makes the frame of
/// function `index` of `module`, run by `instance`, current, its slots from `base`.
fn enter_wasm(
    stacks: &mut Stacks,
    frame: &mut Frame,
    base: Slot,
    module: Rc<ModuleCode>,
    index: u32,
    instance: Rc<ModuleInstance>,
) -> Result<(), Exit> {
    // `frames` holds the callers; with the running frame and the callee there would be
    // `frames.len() + 2` frames.
    if stacks.frames.len() + 2 > stacks.call_limit {
        return Err(TrapCode::StackOverflow.into());
    }
    let code = module.func(index)?.clone();
    let callee_bp = frame.bp + base as usize;
    stacks.reserve(callee_bp, code.frame_size())?;
    if code.num_locals > 0 {
        let start = callee_bp + code.num_params as usize;
        stacks.vals[start..start + code.num_locals as usize].fill(0);
    }
    let callee_frame = Frame {
        code,
        module,
        func: index,
        instance,
        ip: 0,
        bp: callee_bp,
    };
    stacks.frames.push(core::mem::replace(frame, callee_frame));
    Ok(())
}

/// Calls `callee` whose arguments are in the current frame's slots from `base`: enters a
/// Wasm function (pushing the caller's frame, whose `ip` is already past the call) or runs
/// a host function and stores its result at `base`.
fn call(
    stacks: &mut Stacks,
    frame: &mut Frame,
    base: Slot,
    callee: &FuncRef,
    externals: &mut dyn Externals,
) -> Result<(), Exit> {
    match engine::wasm_func(callee) {
        Some(wasm) => {
            let func_code = compiled(wasm.code())?;
            let instance = match wasm.instance() {
                Some(instance) => instance,
                None => return Err(Trap::host(EngineError::InstanceDropped).into()),
            };
            let module = func_code.module.clone();
            enter_wasm(stacks, frame, base, module, func_code.index, instance)
        }
        None => {
            let index = engine::host_func_index(callee).unwrap_or(usize::MAX);
            let frames = stacks.frames.len() + 1;
            let (vals, args) = (&mut stacks.vals, &mut stacks.host_args);
            call_host(vals, args, frames, frame, base, callee, index, externals)
        }
    }
}

/// Calls host function `index` (`callee`) with the arguments in `frame`'s slots from
/// `base` and stores its result at `base`. `frames` counts the frames of this execution
/// (for the limits of executions the host starts); `args` is a reused buffer.
#[allow(clippy::too_many_arguments)]
fn call_host(
    vals: &mut [u64],
    args: &mut Vec<RuntimeValue>,
    frames: usize,
    frame: &Frame,
    base: Slot,
    callee: &FuncRef,
    index: usize,
    externals: &mut dyn Externals,
) -> Result<(), Exit> {
    let signature = engine::signature_arc(callee);
    let callee_bp = frame.bp + base as usize;
    let params = signature.params();
    args.clear();
    let cells = &vals[callee_bp..callee_bp + params.len()];
    args.extend(
        params
            .iter()
            .zip(cells)
            .map(|(ty, cell)| RuntimeValue::from_bits(*ty, *cell)),
    );
    let outcome = with_outer_usage(callee_bp, frames, || {
        externals.invoke_index(index, RuntimeArgs::from(&args[..]))
    });
    match outcome {
        Ok(result) => {
            if let Some(value) = engine::check_host_result(signature, result)? {
                vals[callee_bp] = value.to_bits();
            }
            Ok(())
        }
        Err(trap) => Err(Exit::HostTrap(
            trap,
            Suspension {
                frame: frame.clone(),
                result_slot: callee_bp,
                signature: signature.clone(),
            },
        )),
    }
}

/// The bytes of the memory `guard` borrowed; none without a memory.
fn bytes<'g>(guard: &'g mut Option<DirectAccessMut<'_>>) -> &'g mut [u8] {
    match guard {
        Some(guard) => guard,
        None => &mut [],
    }
}

/// Memory 0 of `instance` borrowed for a running frame, if the instance has one.
fn borrow_memory(instance: &ModuleInstance) -> Result<Option<DirectAccessMut<'_>>, Trap> {
    engine::memories(instance)
        .first()
        .map(|memory| {
            engine::borrow_memory(memory).ok_or_else(|| Trap::host(EngineError::MemoryBorrowed))
        })
        .transpose()
}
