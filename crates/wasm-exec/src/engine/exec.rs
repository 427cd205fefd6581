//! Execution: runs a frame's code with the dispatch driver and carries out what the driver
//! stops at (a call it does not make, the return of the function it ran, `memory.grow`),
//! keeping the call stack of [`Frame`]s on the heap: a Wasm call never recurses on the
//! native stack.
//!
//! Memory 0 is borrowed for as long as a frame runs (by the run's `Host`) and given back
//! around anything that may touch it otherwise: host calls, `memory.grow`, calls into other
//! instances. After a host call or `memory.grow` the frame goes on with the same driver
//! context, its memory borrowed again.

use super::code::{ModuleCode, compiled};
use super::stacks::{Frame, Stacks};
use crate::dispatch::{Ctx, Host, HostTrap, Limits, Stop, has_type, indirect_callee, run};
use crate::error::EngineError;
use crate::isa::{Instr, Slot};
use alloc::rc::Rc;
use alloc::sync::Arc;
use wasm_core::{Signature, Trap, TrapCode};
use wasm_runtime::engine::{self, FrameSource};
use wasm_runtime::{
    Exception, Externals, FuncRef, Interrupted, MAX_BACKTRACE_FRAMES, ModuleInstance, OutOfFuel,
    TrapKind, WasmBacktrace, WasmException,
};

/// Where a call suspended by a host trap resumes: the caller's frame (its `ip` already past
/// the call) and the slot where the host function's result goes.
pub(crate) struct Suspension {
    pub(crate) frame: Frame,
    pub(crate) result_slot: usize,
    pub(crate) signature: Arc<Signature>,
    /// The position of the instruction the execution stopped at (the call, or the
    /// metering check it resumes at).
    pub(crate) at: usize,
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
/// The results are then at the bottom of the value stack. When it stops early, the Wasm
/// call stack it stopped in is kept in `stacks.trace`.
pub(crate) fn execute(
    stacks: &mut Stacks,
    mut frame: Frame,
    externals: &mut dyn Externals,
) -> Result<(), Exit> {
    let outcome = run_frames(stacks, &mut frame, externals);
    if let Err(exit) = &outcome {
        let at = match exit {
            Exit::HostTrap(_, suspension) => suspension.at,
            Exit::Trap(_) => frame.ip.saturating_sub(1),
        };
        stacks.trace = Some(capture(&frame, at, &stacks.frames));
    }
    outcome
}

/// The backtrace of an execution stopped at position `at` of `current`'s function, with
/// `callers` (outermost first) each at the call it made (just before its `ip`).
#[cold]
fn capture(current: &Frame, at: usize, callers: &[Frame]) -> WasmBacktrace {
    let frame = |frame: &Frame, at: usize| {
        let source: Rc<dyn FrameSource> = frame.module.clone();
        engine::backtrace_frame(source, frame.module.first + frame.func, at)
    };
    let frames = core::iter::once(frame(current, at))
        .chain(
            callers
                .iter()
                .rev()
                .map(|caller| frame(caller, caller.ip.saturating_sub(1))),
        )
        .take(MAX_BACKTRACE_FRAMES)
        .collect();
    let omitted = (callers.len() + 1).saturating_sub(MAX_BACKTRACE_FRAMES);
    engine::backtrace(frames, omitted)
}

/// [`execute`]'s loop. When it stops early, `frame` is the innermost frame, its `ip` just
/// past the instruction that trapped (for [`Exit::Trap`]; [`Exit::HostTrap`] says where).
fn run_frames(
    stacks: &mut Stacks,
    frame: &mut Frame,
    externals: &mut dyn Externals,
) -> Result<(), Exit> {
    'frame: loop {
        let host = Host::new(
            &mut *externals,
            &frame.instance,
            &mut stacks.host_args,
            &mut stacks.refs,
        )?;
        let limits = Limits {
            frames: stacks.frames.len() + 1,
            call_limit: stacks.call_limit,
            value_limit: stacks.value_limit,
        };
        let mut ctx = Ctx::new(
            &frame.module.side,
            frame.module.first,
            frame.func,
            frame.bp,
            &frame.instance,
            &mut stacks.chain,
            limits,
            host,
            &stacks.meter,
        );
        let mut ip = frame.ip;
        loop {
            let stop = run(&mut stacks.vals, &frame.code, ip, &mut ctx)?;
            // A function the driver tail-called replaced the frame (when it returned, the
            // frame's caller is where it returned to, as for the frame's own return).
            let tail_called = ctx.running().0 != frame.func && !matches!(stop, Stop::Returned);
            let mut calls = ctx.take_calls().peekable();
            if calls.peek().is_some() || tail_called {
                // The driver stopped inside functions it called (or tail-called): they
                // become frames, the innermost the current one, which goes on from where
                // it stopped.
                for (func, ret, bp) in calls {
                    stacks.frames.push(frame.sibling(func, ret, bp)?);
                }
                let (func, bp) = ctx.running();
                drop(ctx);
                match stop {
                    Stop::At(at) => *frame = frame.sibling(func, at, bp)?,
                    Stop::HostTrap(at, trap) | Stop::Trapped(at, trap)
                        if thrown(&trap).is_some() =>
                    {
                        *frame = frame.sibling(func, at + 1, bp)?;
                        throw(stacks, frame, at, thrown(&trap))?;
                    }
                    Stop::HostTrap(at, trap) => {
                        *frame = frame.sibling(func, at + 1, bp)?;
                        return Err(host_trap(frame.clone(), at, trap));
                    }
                    Stop::Trapped(at, trap) => {
                        *frame = frame.sibling(func, at + 1, bp)?;
                        return Err(trap.into());
                    }
                    Stop::Interrupted(at) => {
                        *frame = frame.sibling(func, at, bp)?;
                        return Err(interrupted(stacks, frame, at));
                    }
                    Stop::Returned => return Err(TrapCode::Unreachable.into()),
                };
                continue 'frame;
            }
            drop(calls);
            let at = match stop {
                Stop::At(at) => at,
                Stop::HostTrap(at, trap) | Stop::Trapped(at, trap) if thrown(&trap).is_some() => {
                    drop(ctx);
                    frame.ip = at + 1;
                    throw(stacks, frame, at, thrown(&trap))?;
                    continue 'frame;
                }
                Stop::HostTrap(at, trap) => {
                    drop(ctx);
                    frame.ip = at + 1;
                    return Err(host_trap(frame.clone(), at, trap));
                }
                Stop::Trapped(at, trap) => {
                    frame.ip = at + 1;
                    return Err(trap.into());
                }
                Stop::Interrupted(at) => {
                    drop(ctx);
                    return Err(interrupted(stacks, frame, at));
                }
                // The function returned: its results are in its first slots, where the
                // caller expects them.
                Stop::Returned => {
                    drop(ctx);
                    match stacks.frames.pop() {
                        Some(caller) => {
                            *frame = caller;
                            continue 'frame;
                        }
                        None => return Ok(()),
                    }
                }
            };
            frame.ip = at + 1;
            let instr = frame.code.instrs().get(at).copied();
            // A tail call replaces the frame: a loop of them runs in constant space, so
            // it is where an interrupt stops it.
            if let Some(
                Instr::ReturnCall { .. }
                | Instr::ReturnCallIndirect { .. }
                | Instr::ReturnCallRef { .. },
            ) = instr
                && frame.module.side.interruptible()
                && stacks.meter.interrupted()
            {
                drop(ctx);
                return Err(interrupted(stacks, frame, at));
            }
            let callee = match instr {
                Some(Instr::Call { func, base } | Instr::ReturnCall { func, base }) => {
                    let tail = matches!(instr, Some(Instr::ReturnCall { .. }));
                    if let Some(index) = func.checked_sub(frame.module.first) {
                        // A function of this module: its code and instance are known.
                        let (module, instance) = (frame.module.clone(), frame.instance.clone());
                        drop(ctx);
                        let callee = Callee {
                            module,
                            index,
                            instance,
                        };
                        enter_wasm(stacks, frame, base, callee, tail)?;
                        continue 'frame;
                    }
                    let callee = engine::funcs(&frame.instance)
                        .get(func as usize)
                        .ok_or(TrapCode::Unreachable)?;
                    (callee.clone(), base, tail)
                }
                Some(
                    Instr::CallIndirect { ty, table, base }
                    | Instr::ReturnCallIndirect { ty, table, base },
                ) => {
                    let params_end = |expected: &Signature| {
                        let slot = frame.bp + base as usize + expected.param_cells();
                        stacks.vals.get(slot).map(|&index| index as u32)
                    };
                    let callee =
                        indirect_callee(&frame.instance, ty, table, params_end, FuncRef::clone)?;
                    let tail = matches!(instr, Some(Instr::ReturnCallIndirect { .. }));
                    (callee, base, tail)
                }
                Some(Instr::CallRef { ty, base } | Instr::ReturnCallRef { ty, base }) => {
                    let expected = engine::signature_by_index(&frame.instance, ty)
                        .ok_or(TrapCode::UnexpectedSignature)?;
                    let slot = frame.bp + base as usize + expected.param_cells();
                    let cell = stacks.vals.get(slot).copied().unwrap_or(0);
                    let Some(callee) = engine::func_of(ctx.host().refs(), cell) else {
                        return Err(Trap::host(TrapKind::NullFunctionReference).into());
                    };
                    // Validation makes the type right for references the code made; one
                    // a host passed in is only known to be a function (`Value::fits`).
                    if !has_type(&callee, expected) {
                        return Err(TrapCode::UnexpectedSignature.into());
                    }
                    let tail = matches!(instr, Some(Instr::ReturnCallRef { .. }));
                    (callee, base, tail)
                }
                Some(Instr::CheckNonNull { .. }) => {
                    return Err(Trap::host(TrapKind::NullReference).into());
                }
                Some(Instr::MemoryGrow { dst, delta } | Instr::MemoryGrow64 { dst, delta }) => {
                    let wide = matches!(instr, Some(Instr::MemoryGrow64 { .. }));
                    let slot = |slot: Slot| frame.bp + slot as usize;
                    let delta = match wide {
                        false => u64::from(stacks.vals[slot(delta)] as u32),
                        true => stacks.vals[slot(delta)],
                    };
                    let host = ctx.host();
                    host.release_memory();
                    let grown = host.memory().map(|memory| memory.grow_pages(delta));
                    host.borrow_memory()?;
                    // -1 (of the memory's address type) when the memory cannot grow; the
                    // trap of a resource limiter that says to trap.
                    let failed = if wide { u64::MAX } else { u64::from(u32::MAX) };
                    stacks.vals[slot(dst)] = match grown {
                        Some(Ok(old)) => old,
                        Some(Err(wasm_runtime::Error::Trap(trap))) => return Err(trap.into()),
                        Some(Err(_)) | None => failed,
                    };
                    ip = at + 1;
                    continue;
                }
                // The tank cannot pay for the code ahead, or an interrupt is pending: the
                // invocation stops, resumable at this instruction (which checks again).
                Some(Instr::ConsumeFuel { .. } | Instr::ConsumeFuelSlot { .. }) => {
                    drop(ctx);
                    return Err(metered_stop(frame, at, Trap::host(OutOfFuel)));
                }
                Some(Instr::CheckInterrupt {}) => {
                    drop(ctx);
                    return Err(interrupted(stacks, frame, at));
                }
                Some(Instr::Throw { tag, base }) => {
                    drop(ctx);
                    let tag = engine::tags(&frame.instance)
                        .get(tag as usize)
                        .ok_or(TrapCode::Unreachable)?;
                    let values = stacks.vals.get(frame.bp + base as usize..).unwrap_or(&[]);
                    let exception = engine::exception_from_cells(&stacks.refs, tag, values);
                    throw(stacks, frame, at, Some(exception))?;
                    continue 'frame;
                }
                Some(Instr::ThrowRef { src }) => {
                    drop(ctx);
                    let cell = stacks.vals.get(frame.bp + src as usize).copied();
                    let exception = cell.and_then(|cell| engine::exception_of(&stacks.refs, cell));
                    if exception.is_none() {
                        return Err(Trap::host(TrapKind::NullExceptionReference).into());
                    }
                    throw(stacks, frame, at, exception)?;
                    continue 'frame;
                }
                Some(instr) if super::refs::is_ref_instr(&instr) => {
                    super::refs::run(
                        instr,
                        &mut stacks.vals,
                        frame.bp,
                        &frame.instance,
                        ctx.host(),
                    )?;
                    // It may have changed a table that `call_indirect` reads.
                    ctx.tables_changed();
                    ip = at + 1;
                    continue;
                }
                // A driver stops only at the instructions above.
                _ => return Err(TrapCode::Unreachable.into()),
            };
            let (callee, base, tail) = callee;
            let Some(index) = engine::host_func_index(&callee) else {
                drop(ctx);
                call_wasm(stacks, frame, base, &callee, tail)?;
                continue 'frame;
            };
            // A host function: the frame stays, and the driver goes on after the call (for
            // a tail call, with the code that returns the results).
            let callee_bp = frame.bp + base as usize;
            let frames = stacks.frames.len() + 1;
            match ctx.host().call_any(
                &mut stacks.vals,
                callee_bp,
                engine::signature_arc(&callee),
                index,
                frames,
            ) {
                Ok(()) => {
                    ctx.host_returned();
                    ip = at + 1;
                }
                Err(HostTrap::Resumable(trap) | HostTrap::Final(trap))
                    if thrown(&trap).is_some() =>
                {
                    drop(ctx);
                    throw(stacks, frame, at, thrown(&trap))?;
                    continue 'frame;
                }
                Err(HostTrap::Resumable(trap)) => {
                    drop(ctx);
                    return Err(suspended(frame.clone(), at, base, &callee, trap));
                }
                Err(HostTrap::Final(trap)) => return Err(trap.into()),
            }
        }
    }
}

/// The exception a host function threw, if `trap` is one: a [`WasmException`] (from a
/// host function, or escaped from a Wasm execution the host function ran).
fn thrown(trap: &Trap) -> Option<Exception> {
    let thrown = trap.as_host()?.downcast_ref::<WasmException>()?;
    Some(Exception::from_host(thrown))
}

/// Unwinds to the catch clause of `exception` (thrown at position `at` of `frame`'s
/// function): the innermost `try_table` around `at` with a clause for its tag, in this
/// frame or, out of it, in the callers', each at its call. The caught frame becomes
/// `frame`, resuming at the clause's landing pad with the label's values in place. An
/// exception that nothing catches ends the execution, a trap carrying it to the host.
/// (A tail call leaves its frame before its callee runs: its `try_table`s do not catch
/// the callee's exceptions.)
#[cold]
#[inline(never)]
fn throw(
    stacks: &mut Stacks,
    frame: &mut Frame,
    mut at: usize,
    exception: Option<Exception>,
) -> Result<(), Exit> {
    let exception = exception.ok_or(TrapCode::Unreachable)?;
    loop {
        let instr = frame.code.instrs().get(at).copied();
        let tail = matches!(
            instr,
            Some(
                Instr::ReturnCall { .. }
                    | Instr::ReturnCallIndirect { .. }
                    | Instr::ReturnCallRef { .. }
            )
        );
        let tags = engine::tags(&frame.instance);
        let same_tag = |tag: u32| {
            tags.get(tag as usize)
                .is_some_and(|t| t.ptr_eq(exception.tag()))
        };
        if let Some(clause) = frame.code.handlers.find(at, same_tag).filter(|_| !tail) {
            let pad = clause.pad as usize;
            let Some(Instr::Catch { dst, n, .. }) = frame.code.instrs().get(pad).copied() else {
                return Err(TrapCode::Unreachable.into());
            };
            let start = frame.bp + dst as usize;
            let cells = stacks
                .vals
                .get_mut(start..start + n as usize)
                .ok_or(TrapCode::Unreachable)?;
            let mut written = 0;
            if clause.tag.is_some() {
                written = engine::exception_to_cells(&mut stacks.refs, &exception, cells);
            }
            if clause.with_ref
                && let Some(cell) = cells.get_mut(written)
            {
                *cell = engine::exception_handle(&mut stacks.refs, &exception);
            }
            frame.ip = pad;
            return Ok(());
        }
        match stacks.frames.pop() {
            Some(caller) => {
                *frame = caller;
                at = frame.ip.saturating_sub(1);
            }
            None => return Err(Trap::host(exception.to_host()).into()),
        }
    }
}

/// The exit of an execution whose call (at position `at`) of host function `callee`, with
/// its arguments in `frame`'s slots from `base`, trapped with `trap`: the execution can be
/// resumed with the host function's result (`frame` resumes after the call).
fn suspended(frame: Frame, at: usize, base: Slot, callee: &FuncRef, trap: Trap) -> Exit {
    let suspension = Suspension {
        result_slot: frame.bp + base as usize,
        signature: engine::signature_arc(callee).clone(),
        at,
        frame,
    };
    Exit::HostTrap(trap, suspension)
}

/// The exit of an execution stopped by its meter (out of fuel, interrupted) at position
/// `at` of `frame`'s function: resumable there, with no host result.
fn metered_stop(frame: &mut Frame, at: usize, trap: Trap) -> Exit {
    frame.ip = at;
    let suspension = Suspension {
        result_slot: frame.bp,
        signature: Arc::new(Signature::new(&[][..], None)),
        at,
        frame: frame.clone(),
    };
    Exit::HostTrap(trap, suspension)
}

/// The stop of an invocation at an interrupt found pending at position `at` of `frame`'s
/// function (a `CheckInterrupt`, or a back edge's target): the interrupt is cleared, and
/// the invocation resumable from `at`.
fn interrupted(stacks: &Stacks, frame: &mut Frame, at: usize) -> Exit {
    stacks.meter.clear_interrupt();
    metered_stop(frame, at, Trap::host(Interrupted))
}

/// [`suspended`] for the host call the threaded chain made at position `at` of `frame`'s
/// function: a direct call (the chain calls no host function through a table).
fn host_trap(frame: Frame, at: usize, trap: Trap) -> Exit {
    let Some(Instr::Call { func, base }) = frame.code.instrs().get(at).copied() else {
        return Exit::Trap(trap);
    };
    match engine::funcs(&frame.instance).get(func as usize).cloned() {
        Some(callee) => suspended(frame, at, base, &callee, trap),
        None => Exit::Trap(trap),
    }
}

/// A Wasm function to call: function `index` of `module`, run by `instance`.
struct Callee {
    module: Rc<ModuleCode>,
    index: u32,
    instance: Rc<ModuleInstance>,
}

/// Makes the frame of `callee`, its arguments in the current frame's slots from `base`,
/// current. A call pushes the caller's frame (its `ip` already past the call) and starts
/// the callee's slots at `base`; a tail call (`tail`) moves the arguments down to the
/// current frame's first slots and replaces that frame, so that the callee returns to
/// the caller's caller.
fn enter_wasm(
    stacks: &mut Stacks,
    frame: &mut Frame,
    base: Slot,
    callee: Callee,
    tail: bool,
) -> Result<(), Exit> {
    // `frames` holds the callers; with the running frame and the callee there would be
    // `frames.len() + 2` frames (a tail call keeps `frames.len() + 1`).
    if !tail && stacks.frames.len() + 2 > stacks.call_limit {
        return Err(TrapCode::StackOverflow.into());
    }
    let Callee {
        module,
        index,
        instance,
    } = callee;
    let code = module.func(index)?.clone();
    let args = frame.bp + base as usize;
    let callee_bp = if tail { frame.bp } else { args };
    stacks.reserve(callee_bp, code.frame_size())?;
    let params = code.num_params as usize;
    if tail {
        stacks.vals.copy_within(args..args + params, callee_bp);
    }
    if code.num_locals > 0 {
        let start = callee_bp + params;
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
    let caller = core::mem::replace(frame, callee_frame);
    if !tail {
        stacks.frames.push(caller);
    }
    Ok(())
}

/// Calls Wasm function `callee` whose arguments are in the current frame's slots from
/// `base`, as a call or a tail call (see [`enter_wasm`]).
fn call_wasm(
    stacks: &mut Stacks,
    frame: &mut Frame,
    base: Slot,
    callee: &FuncRef,
    tail: bool,
) -> Result<(), Exit> {
    let wasm = engine::wasm_func(callee).ok_or(TrapCode::Unreachable)?;
    let func_code = compiled(wasm.code())?;
    let instance = wasm
        .instance()
        .ok_or_else(|| Trap::host(EngineError::InstanceDropped))?;
    let module = func_code.module.clone();
    let index = func_code.index;
    enter_wasm(
        stacks,
        frame,
        base,
        Callee {
            module,
            index,
            instance,
        },
        tail,
    )
}
