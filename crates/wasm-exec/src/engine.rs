//! [`ExecEngine`]: the runtime's `Engine` implemented on the translated code: loading
//! (`code.rs`), calls to completion and resumable calls (here), execution with its frames
//! (`exec.rs`) and stacks (`stacks.rs`).

mod code;
mod exec;
mod refs;
mod stacks;

pub use crate::error::{CompileError, EngineError};
pub use code::Translation;

use crate::prelude::*;
use crate::translate::Metering;
use alloc::sync::Arc;
use code::compiled;
use core::cell::RefCell;
use core::fmt;
use exec::{Exit, Suspension, execute};
use stacks::{Frame, Stacks};
use wasm_core::{RuntimeValue, Trap, TrapCode, ValueType};
use wasm_runtime::engine::{self, CompiledCode, Engine, RefTable, ResumableCall};
use wasm_runtime::{Externals, FuncRef, StackRecycler, WasmBacktrace};

/// The interpreter. Cheap to share: one per loaded module.
#[derive(Default)]
pub struct ExecEngine {
    /// Stacks kept between calls made without a `StackRecycler` of their own.
    cache: RefCell<Option<Box<Stacks>>>,
}

impl fmt::Debug for ExecEngine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ExecEngine")
    }
}

impl ExecEngine {
    /// A new engine.
    pub fn new() -> Self {
        ExecEngine::default()
    }

    /// Validates a decoded module and makes its functions' code, translated as
    /// `translation` says: now, in the validator's pass over the code (each body's
    /// operators go to the validator, then to the translator), or each function at its
    /// first call (then the code keeps `module`).
    pub fn load(
        &self,
        module: &Arc<wasm_core::Module>,
        features: &wasm_validate::Features,
        translation: Translation,
        metering: Metering,
    ) -> Result<Vec<CompiledCode>, CompileError> {
        code::load(module, features, translation, metering)
    }

    fn take_stacks(&self, recycler: &mut StackRecycler) -> (Box<Stacks>, bool) {
        // Executions nested through host functions share the limits: an inner one gets
        // what the outer ones on this thread left.
        let (outer_cells, outer_frames) = engine::outer_usage();
        let value_limit = recycler.value_stack_limit().saturating_sub(outer_cells);
        let call_limit = recycler.call_stack_limit().saturating_sub(outer_frames);
        if let Some(mut stacks) = engine::take_stacks::<Stacks>(recycler) {
            stacks.value_limit = value_limit;
            stacks.call_limit = call_limit;
            return (stacks, true);
        }
        let mut stacks = self
            .cache
            .borrow_mut()
            .take()
            .unwrap_or_else(|| Box::new(Stacks::new(value_limit, call_limit)));
        stacks.value_limit = value_limit;
        stacks.call_limit = call_limit;
        (stacks, false)
    }
}

/// Sets up the frame of Wasm function `func` with `args` at the bottom of `stacks`.
fn enter(stacks: &mut Stacks, func: &FuncRef, args: &[u64]) -> Result<Frame, Trap> {
    let wasm = engine::wasm_func(func).ok_or(Trap::Code(TrapCode::UnexpectedSignature))?;
    let func_code = compiled(wasm.code())?;
    let code = func_code.module.func(func_code.index)?.clone();
    let instance = wasm
        .instance()
        .ok_or_else(|| Trap::host(EngineError::InstanceDropped))?;
    if stacks.call_limit == 0 {
        return Err(Trap::Code(TrapCode::StackOverflow));
    }
    stacks.frames.clear();
    stacks.meter = engine::meter(&instance).clone();
    stacks.reserve(0, code.frame_size().max(args.len()))?;
    stacks.vals[..args.len()].copy_from_slice(args);
    let locals_end = args.len() + code.num_locals as usize;
    stacks.vals[args.len()..locals_end].fill(0);
    Ok(Frame {
        code,
        module: func_code.module.clone(),
        func: func_code.index,
        instance,
        ip: 0,
        bp: 0,
    })
}

/// Reads the results of a finished call (numbers: resumable calls carry no references)
/// from the bottom of the value stack.
fn read_results(stacks: &Stacks, func: &FuncRef, results: &mut [RuntimeValue]) {
    for ((slot, ty), cell) in results
        .iter_mut()
        .zip(func.signature().results())
        .zip(&stacks.vals)
    {
        *slot = RuntimeValue::from_bits(*ty, *cell);
    }
}

impl Engine for ExecEngine {
    fn invoke(
        &self,
        func: &FuncRef,
        args: &[u64],
        results: &mut [u64],
        externals: &mut dyn Externals,
        stack: &mut StackRecycler,
        refs: &mut RefTable,
    ) -> Result<(), Trap> {
        engine::set_backtrace(stack, None);
        let (mut stacks, from_recycler) = self.take_stacks(stack);
        core::mem::swap(&mut stacks.refs, refs);
        let outcome = enter(&mut stacks, func, args)
            .and_then(|frame| execute(&mut stacks, frame, externals).map_err(Exit::into_trap));
        if outcome.is_ok() {
            let n = results.len();
            results.copy_from_slice(&stacks.vals[..n]);
        }
        core::mem::swap(&mut stacks.refs, refs);
        stacks.frames.clear();
        engine::set_backtrace(stack, stacks.trace.take());
        if from_recycler {
            engine::put_stacks(stack, stacks);
        } else {
            *self.cache.borrow_mut() = Some(stacks);
        }
        outcome
    }

    fn resumable(&self, func: &FuncRef, args: &[RuntimeValue]) -> Box<dyn ResumableCall> {
        Box::new(Resumable {
            func: func.clone(),
            args: args.to_vec(),
            stacks: Box::new(Stacks::new(
                wasm_runtime::DEFAULT_VALUE_STACK_LIMIT,
                wasm_runtime::DEFAULT_CALL_STACK_LIMIT,
            )),
            state: State::NotStarted,
            results: Vec::new(),
        })
    }
}

enum State {
    NotStarted,
    Suspended(Suspension),
    Finished,
}

/// A call that suspends at host traps (see `ResumableCall`).
struct Resumable {
    func: FuncRef,
    args: Vec<RuntimeValue>,
    stacks: Box<Stacks>,
    state: State,
    results: Vec<RuntimeValue>,
}

impl ResumableCall for Resumable {
    fn backtrace(&self) -> Option<&WasmBacktrace> {
        self.stacks.trace.as_ref()
    }

    fn run(
        &mut self,
        host_result: Option<RuntimeValue>,
        externals: &mut dyn Externals,
    ) -> Result<(), Trap> {
        self.stacks.trace = None;
        let (outer_cells, outer_frames) = engine::outer_usage();
        self.stacks.value_limit =
            wasm_runtime::DEFAULT_VALUE_STACK_LIMIT.saturating_sub(outer_cells);
        self.stacks.call_limit =
            wasm_runtime::DEFAULT_CALL_STACK_LIMIT.saturating_sub(outer_frames);
        let frame = match core::mem::replace(&mut self.state, State::Finished) {
            State::NotStarted => {
                let args: Vec<u64> = self.args.iter().map(|a| a.to_bits()).collect();
                enter(&mut self.stacks, &self.func, &args)?
            }
            State::Suspended(suspension) => {
                let expected = suspension.signature.return_type();
                if host_result.map(|v| v.value_type()) != expected {
                    self.state = State::Suspended(suspension);
                    return Err(Trap::Code(TrapCode::UnexpectedSignature));
                }
                if let Some(value) = host_result {
                    self.stacks.vals[suspension.result_slot] = value.to_bits();
                }
                suspension.frame
            }
            State::Finished => return Err(Trap::Code(TrapCode::Unreachable)),
        };
        let outcome = match execute(&mut self.stacks, frame, externals) {
            Ok(()) => {
                let mut results = vec![RuntimeValue::I32(0); self.func.signature().results().len()];
                read_results(&self.stacks, &self.func, &mut results);
                self.results = results;
                Ok(())
            }
            Err(Exit::Trap(trap)) => Err(trap),
            Err(Exit::HostTrap(trap, suspension)) => {
                self.state = State::Suspended(suspension);
                Err(trap)
            }
        };
        if !self.is_resumable() {
            // Nothing runs in this call again: the objects its handles named may go.
            self.stacks.refs.clear();
        }
        outcome
    }

    fn is_resumable(&self) -> bool {
        matches!(self.state, State::Suspended(_))
    }

    fn resumable_value_type(&self) -> Option<ValueType> {
        match &self.state {
            State::Suspended(s) => s.signature.return_type(),
            _ => None,
        }
    }

    fn results(&self) -> &[RuntimeValue] {
        &self.results
    }
}
