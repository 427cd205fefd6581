//! The portable dispatch loop: one `match` per instruction over the current frame's
//! slots. The arms of memory, numeric and fused-branch instructions are generated from
//! the instruction list (`isa.rs`, `dispatch!`); control flow, calls, globals and memory
//! size are handled here.
//!
//! The loop keeps its hot state in locals: the instruction slice and index, the current
//! frame's slots, and the bytes of memory 0 (borrowed for as long as the frame runs, and
//! given back around anything that may touch the memory otherwise: host calls,
//! `memory.grow`, calls into other instances). A Wasm call pushes a [`Frame`] on the heap
//! call stack and continues in the same loop: execution never recurses on the native
//! stack. A handler leaves the loop only by returning from the outermost frame, by
//! trapping, or (host traps) by suspending.

use crate::engine::{EngineError, Frame, ModuleCode, Stacks, compiled, with_outer_usage};
use crate::isa::{Instr, Slot};
use crate::regs;
use std::rc::Rc;
use std::sync::Arc;
use wasm_core::memory_units::Pages;
use wasm_core::{RuntimeValue, Signature, Trap, TrapCode};
use wasm_runtime::{DirectAccessMut, ModuleInstance};
use wasm_runtime::{Externals, FuncRef, RuntimeArgs, check_host_result};

/// Where a call suspended by a host trap resumes: the caller's frame (its `ip` already
/// past the call) and the slot where the host function's result goes.
pub(crate) struct Suspension {
    pub(crate) frame: Frame,
    pub(crate) result_slot: usize,
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

/// Runs `frame` (its slots set up on the value stack) until the outermost frame
/// returns. The results are then at the bottom of the value stack.
pub(crate) fn execute(
    stacks: &mut Stacks,
    mut frame: Frame,
    externals: &mut dyn Externals,
) -> Result<(), Exit> {
    // The accumulators (see `isa.rs`): set by the instruction handlers, read by operands
    // named `ACC`. The translator never relies on them across calls and returns.
    let (mut acc, mut facc) = (0u64, 0f64);
    'frame: loop {
        let mut ip = frame.ip;
        let bp = frame.bp;
        let code = &*frame.code;
        let frame_size = frame.code.frame_size();
        #[cfg(not(wasmite_threaded))]
        let mut regs = &mut stacks.vals[bp..bp + frame_size];
        let mut guard = borrow_memory(&frame.instance)?;
        let mut mem = bytes(&mut guard);
        #[cfg(wasmite_threaded)]
        let mut ctx = crate::tail_loop::Ctx::new(
            &frame.module,
            code,
            frame.func,
            bp,
            &frame.instance,
            &mut stacks.chain,
            stacks.call_limit.saturating_sub(stacks.frames.len() + 1),
            stacks.value_limit,
        );
        loop {
            // The threaded chain runs until an instruction it leaves to this loop.
            #[cfg(wasmite_threaded)]
            let regs = {
                match crate::tail_loop::run(&mut stacks.vals, code, ip, mem, &mut ctx) {
                    Ok(stop) => ip = stop,
                    Err(code) => return Err(code.into()),
                }
                if !ctx.calls.is_empty() {
                    // The chain stopped inside functions it called: they become real
                    // frames, the innermost the current one.
                    // The first recorded caller is this loop's frame itself.
                    for call in ctx.calls.iter() {
                        stacks
                            .frames
                            .push(frame.sibling(call.func, call.ret_index(), call.bp)?);
                    }
                    let current = frame.sibling(ctx.func, ip, ctx.bp)?;
                    ctx.calls.clear();
                    drop(guard);
                    frame = current;
                    continue 'frame;
                }
                &mut stacks.vals[bp..bp + frame_size]
            };
            let instr = code.fetch(ip);
            ip += 1;
            for_each_instr!(dispatch, instr, regs, acc, facc, mem, ip, {
                Instr::Unreachable {} => return Err(TrapCode::Unreachable.into()),
                Instr::Jump { target } => ip = target as usize,
                Instr::JumpIfZero { cond, target } => {
                    if regs::read::<u32>(regs, cond, acc, facc) == 0 {
                        ip = target as usize;
                    }
                }
                Instr::JumpIfNonZero { cond, target } => {
                    if regs::read::<u32>(regs, cond, acc, facc) != 0 {
                        ip = target as usize;
                    }
                }
                Instr::JumpTable { index, len } => {
                    ip += (regs::get(regs, index) as u32).min(len) as usize;
                }
                Instr::Return {} => break,
                Instr::ReturnSlot { src } => {
                    regs::set(regs, 0, regs::get(regs, src));
                    break;
                }
                Instr::ReturnConst { bits } => {
                    regs::set(regs, 0, bits);
                    break;
                }
                Instr::ReturnMany { src, n } => {
                    let src = src as usize;
                    regs[..src + n as usize].copy_within(src.., 0);
                    break;
                }
                Instr::Call { func, base } => {
                    drop(guard);
                    frame.ip = ip;
                    match func.checked_sub(frame.module.first) {
                        // A function of this module: its code and instance are known.
                        Some(index) => {
                            let (module, instance) = (frame.module.clone(), frame.instance.clone());
                            enter_wasm(stacks, &mut frame, base, module, index, instance)?;
                        }
                        None => {
                            let callee = frame.instance.funcs()[func as usize].clone();
                            let Some(host) = callee.host_func_index() else {
                                call(stacks, &mut frame, base, &callee, externals)?;
                                continue 'frame;
                            };
                            // A host function: the frame stays, its memory borrowed again
                            // (the host may have grown it), and the chain goes on.
                            let frames = stacks.frames.len() + 1;
                            let (vals, args) = (&mut stacks.vals, &mut stacks.host_args);
                            call_host(vals, args, frames, &frame, base, &callee, host, externals)?;
                            guard = borrow_memory(&frame.instance)?;
                            mem = bytes(&mut guard);
                            #[cfg(wasmite_threaded)]
                            ctx.host_returned();
                            #[cfg(not(wasmite_threaded))]
                            {
                                regs = &mut stacks.vals[bp..bp + frame_size];
                            }
                            continue;
                        }
                    }
                    continue 'frame;
                }
                Instr::CallIndirect { ty, table, base } => {
                    drop(guard);
                    frame.ip = ip;
                    let callee = indirect_callee(stacks, &frame, ty, table, base)?;
                    call(stacks, &mut frame, base, &callee, externals)?;
                    continue 'frame;
                }
                Instr::Copy { dst, src } => regs::set(regs, dst, regs::get(regs, src)),
                Instr::CopyPair {
                    dst0,
                    src0,
                    dst1,
                    src1,
                } => {
                    regs::set(regs, dst0.into(), regs::get(regs, src0.into()));
                    regs::set(regs, dst1.into(), regs::get(regs, src1.into()));
                    // The `Copy` after the pair is the second one.
                    ip += 1;
                }
                Instr::Const32 { dst, value } => regs::set(regs, dst, u64::from(value)),
                Instr::Const64 { dst, bits } => regs::set(regs, dst, bits),
                Instr::Select { dst, cond } => {
                    if regs::get(regs, cond) as u32 == 0 {
                        regs::set(regs, dst, regs::get(regs, dst + 1));
                    }
                }
                Instr::GlobalGet { dst, index } => {
                    let global = &frame.instance.globals()[index as usize];
                    regs::set(regs, dst, global.get_bits());
                }
                // (Only `GlobalSetInt`'s `src` may be the accumulator.)
                Instr::GlobalSet { src, index } | Instr::GlobalSetInt { src, index } => {
                    let global = &frame.instance.globals()[index as usize];
                    global.set_bits_unchecked(regs::read::<u64>(regs, src, acc, facc));
                }
                Instr::GlobalGetInt { dst, index } => {
                    let bits = frame.instance.globals()[index as usize].get_bits();
                    regs::set(regs, dst, bits);
                    acc = bits;
                }
                Instr::F64Square { dst, a } => {
                    let a = regs::read::<f64>(regs, a, acc, facc);
                    regs::write(regs, dst, a * a, &mut acc, &mut facc);
                }
                Instr::MemorySize { dst } => {
                    let pages = frame
                        .instance
                        .memories()
                        .first()
                        .map_or(0, |m| m.current_size().0);
                    regs::set(regs, dst, pages as u64);
                }
                Instr::MemoryGrow { dst, delta } => {
                    let delta = regs::get(regs, delta) as u32;
                    drop(guard);
                    let old = match frame.instance.memories().first() {
                        Some(m) => m
                            .grow(Pages(delta as usize))
                            .map_or(u32::MAX, |old| old.0 as u32),
                        None => u32::MAX,
                    };
                    stacks.vals[bp + dst as usize] = u64::from(old);
                    frame.ip = ip;
                    continue 'frame;
                }
            });
        }
        // A return: the results are in the frame's first slots, where the caller
        // expects them.
        drop(guard);
        match stacks.frames.pop() {
            Some(caller) => frame = caller,
            None => return Ok(()),
        }
    }
}

/// The function at index `slot[base + params]` of table `table`, checked against the
/// instance's type `ty`.
fn indirect_callee(
    stacks: &Stacks,
    frame: &Frame,
    ty: u32,
    table: u32,
    base: Slot,
) -> Result<FuncRef, Exit> {
    let expected = frame
        .instance
        .signature_by_index(ty)
        .ok_or(TrapCode::UnexpectedSignature)?;
    let index_slot = frame.bp + base as usize + expected.params().len();
    let index = stacks.vals[index_slot] as u32;
    let table = &frame.instance.tables()[table as usize];
    let callee = match table.with_entry(index, |entry| entry.clone()) {
        None => return Err(TrapCode::UndefinedElement.into()),
        Some(None) => return Err(TrapCode::ElemUninitialized.into()),
        Some(Some(callee)) => callee,
    };
    if !has_type(&callee, expected) {
        return Err(TrapCode::UnexpectedSignature.into());
    }
    Ok(callee)
}

/// Whether `callee` has the type `expected` (`call_indirect`'s check): the same
/// interned signature, or an equal one from another module.
pub(crate) fn has_type(callee: &FuncRef, expected: &Arc<Signature>) -> bool {
    Arc::ptr_eq(expected, callee.signature_arc()) || **expected == *callee.signature()
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
/// Wasm function (pushing the caller's frame, whose `ip` is already past the call) or
/// runs a host function and stores its result at `base`.
fn call(
    stacks: &mut Stacks,
    frame: &mut Frame,
    base: Slot,
    callee: &FuncRef,
    externals: &mut dyn Externals,
) -> Result<(), Exit> {
    match callee.as_wasm() {
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
            let index = callee.host_func_index().unwrap_or(usize::MAX);
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
    let signature = callee.signature_arc();
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
            if let Some(value) = check_host_result(signature, result)? {
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
    instance
        .memories()
        .first()
        .map(|memory| {
            memory
                .try_direct_access_mut()
                .ok_or_else(|| Trap::host(EngineError::MemoryBorrowed))
        })
        .transpose()
}
