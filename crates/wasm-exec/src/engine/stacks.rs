//! The stacks of an execution ([`Stacks`]: values and [`Frame`]s) and the limits that turn
//! runaway recursion into a `StackOverflow` trap.

use super::code::ModuleCode;
use crate::dispatch::{ChainState, MAX_VALUE_CELLS};
use crate::prelude::*;
use crate::translate::CompiledFunc;
use alloc::rc::Rc;
use wasm_core::{RuntimeValue, Trap, TrapCode};
use wasm_runtime::engine::{Meter, RefTable};
use wasm_runtime::{ModuleInstance, WasmBacktrace};

/// A call frame the engine keeps: the function's code (and its module's, with its index
/// there), its instance, where it resumes (instruction index) and where its slots start on
/// the value stack. (Calls the threaded driver makes within a module are frames of its
/// own until it stops.)
#[derive(Clone)]
pub(crate) struct Frame {
    pub(crate) code: Rc<CompiledFunc>,
    pub(crate) module: Rc<ModuleCode>,
    /// Index of `code` among `module`'s defined functions.
    pub(crate) func: u32,
    pub(crate) instance: Rc<ModuleInstance>,
    pub(crate) ip: usize,
    pub(crate) bp: usize,
}

impl Frame {
    /// A frame of function `func` of the same module and instance, resuming at `ip` with
    /// its slots from `bp`.
    pub(crate) fn sibling(&self, func: u32, ip: usize, bp: usize) -> Result<Frame, Trap> {
        Ok(Frame {
            code: self.module.func(func)?.clone(),
            module: self.module.clone(),
            func,
            instance: self.instance.clone(),
            ip,
            bp,
        })
    }
}

/// The value stack (untyped cells) and the call stack of one execution.
pub(crate) struct Stacks {
    pub(crate) vals: Vec<u64>,
    /// The callers of the running frame.
    pub(crate) frames: Vec<Frame>,
    /// What the driver keeps between runs.
    pub(crate) chain: ChainState,
    /// A reused buffer for the arguments of host calls.
    pub(crate) host_args: Vec<RuntimeValue>,
    /// The objects the execution's reference cells name (see `wasm_runtime::Value`).
    pub(crate) refs: RefTable,
    pub(crate) value_limit: usize,
    pub(crate) call_limit: usize,
    /// The fuel tank and interrupt flag of the invocation: its root instance's.
    pub(crate) meter: Rc<Meter>,
    /// The Wasm call stack where the last execution stopped early.
    pub(crate) trace: Option<WasmBacktrace>,
}

impl Stacks {
    pub(crate) fn new(value_limit: usize, call_limit: usize) -> Self {
        Stacks {
            vals: vec![0; 1024.min(value_limit.max(16))],
            frames: Vec::new(),
            chain: ChainState::default(),
            host_args: Vec::new(),
            refs: RefTable::default(),
            value_limit,
            call_limit,
            meter: Rc::default(),
            trace: None,
        }
    }

    /// Makes room for a frame of `size` cells at `bp`; `StackOverflow` past the limit.
    #[inline]
    pub(crate) fn reserve(&mut self, bp: usize, size: usize) -> Result<(), Trap> {
        let need = bp + size;
        let limit = self.value_limit.min(MAX_VALUE_CELLS);
        // The limit is checked on every call, not only when the buffer grows: the buffer
        // may have grown under a larger limit in an earlier call.
        if need > limit {
            return Err(Trap::Code(TrapCode::StackOverflow));
        }
        if need > self.vals.len() {
            let new_len = need.max(self.vals.len() * 2).min(limit);
            self.vals.resize(new_len, 0);
        }
        Ok(())
    }
}
