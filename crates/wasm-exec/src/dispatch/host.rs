//! What a run needs beyond Wasm code ([`Host`]): the embedder's `Externals`, through which
//! host functions are called, and memory 0, whose bytes the run borrows and gives back
//! for anything else that may touch them (a host call, `memory.grow`). The threaded driver
//! calls host functions itself with it, the engine for the portable driver; either way
//! through [`Host::call`].
//!
//! A host call runs under `engine::with_outer_usage`: a host function that calls back
//! into Wasm starts an execution that gets what the ones around it left of the stack
//! limits.

use crate::error::EngineError;
use crate::prelude::*;
use wasm_core::{RuntimeValue, Signature, Trap, TrapCode, ValueType};
use wasm_runtime::engine::{self, RefTable};
use wasm_runtime::{
    DirectAccessMut, Externals, MemoryInstance, ModuleInstance, RuntimeArgs, Value,
};

/// How many arguments a host call passes without the buffer.
const FEW_ARGS: usize = 4;

/// The embedder's externals, memory 0 and its borrow, for one run of a frame.
pub(crate) struct Host<'a> {
    externals: &'a mut dyn Externals,
    instance: &'a ModuleInstance,
    /// The memory the run's memory instructions access: memory 0, or another one for
    /// the duration of one instruction (see [`Host::select_memory`]).
    memory: Option<&'a MemoryInstance>,
    guard: Option<DirectAccessMut<'a>>,
    /// A reused buffer for the arguments of host calls.
    args: &'a mut Vec<RuntimeValue>,
    /// The execution's reference table.
    refs: &'a mut RefTable,
}

/// A host call that failed.
pub(crate) enum HostTrap {
    /// The host function failed with a host error (`Trap::Host`): the call can be resumed
    /// with its result.
    Resumable(Trap),
    /// The call cannot go on: the host function's trap code, a result of the wrong type,
    /// or memory 0 borrowed by the host after the call.
    Final(Trap),
}

impl<'a> Host<'a> {
    /// The host of a run in `instance`, with memory 0 (if any) borrowed; `args` is a
    /// buffer kept between runs, `refs` the execution's reference table.
    pub(crate) fn new(
        externals: &'a mut dyn Externals,
        instance: &'a ModuleInstance,
        args: &'a mut Vec<RuntimeValue>,
        refs: &'a mut RefTable,
    ) -> Result<Self, Trap> {
        let mut host = Host {
            externals,
            instance,
            memory: engine::memories(instance).first().map(|memory| &**memory),
            guard: None,
            args,
            refs,
        };
        host.borrow_memory()?;
        Ok(host)
    }

    /// The bytes of memory 0, borrowed (empty without a memory).
    #[inline]
    pub(crate) fn bytes(&mut self) -> &mut [u8] {
        match &mut self.guard {
            Some(guard) => guard,
            None => &mut [],
        }
    }

    /// Gives memory 0 back, for something else to touch it.
    pub(crate) fn release_memory(&mut self) {
        self.guard = None;
    }

    /// Borrows memory 0 again (or for the first time). A host that holds a borrow of its
    /// bytes while Wasm code runs gets `EngineError::MemoryBorrowed`.
    pub(crate) fn borrow_memory(&mut self) -> Result<(), Trap> {
        if let Some(memory) = self.memory {
            let guard = engine::borrow_memory(memory)
                .ok_or_else(|| Trap::host(EngineError::MemoryBorrowed))?;
            self.guard = Some(guard);
        }
        Ok(())
    }

    /// Gives the borrowed memory back and borrows memory `index` of the instance instead:
    /// the memory that memory instructions access until the next selection (multi-memory:
    /// the translator selects another memory around each instruction that accesses it,
    /// and memory 0 again after it).
    pub(crate) fn select_memory(&mut self, index: u32) -> Result<(), Trap> {
        let memory = engine::memories(self.instance).get(index as usize);
        self.release_memory();
        self.memory = Some(&**memory.ok_or(Trap::Code(TrapCode::Unreachable))?);
        self.borrow_memory()
    }

    /// The execution's reference table.
    pub(crate) fn refs(&mut self) -> &mut RefTable {
        self.refs
    }

    /// Memory 0, if the instance has one.
    pub(crate) fn memory(&self) -> Option<&'a MemoryInstance> {
        self.memory
    }

    /// Calls the host function of type `signature` whose index for
    /// `Externals::invoke_index` is `index`, with the arguments in `vals[bp..]`, and
    /// stores its result at `vals[bp]`. Memory 0 is given back for the call and borrowed
    /// again after it (the host may have grown it). `bp` and `frames` are what the
    /// running execution uses of the stacks, which an execution the host starts may not
    /// use again.
    ///
    /// Only for a function of numbers with at most one result ([`takes_numbers`]; the
    /// threaded chain calls only those, and leaves the others to the engine, which calls
    /// [`Host::call_any`]). Keeping the other kind out of this function keeps the chain's
    /// `call_import` a sibling call to the next handler: with a call to `call_values` in
    /// here, LLVM no longer knew that this function does not keep the address of the
    /// caller's result slot, made the caller's last call an ordinary one, and a loop of
    /// millions of host calls overflowed the native stack.
    pub(crate) fn call(
        &mut self,
        vals: &mut [u64],
        bp: usize,
        signature: &Signature,
        index: usize,
        frames: usize,
    ) -> Result<(), HostTrap> {
        let params = signature.params();
        let cells = vals
            .get(bp..bp + params.len())
            .ok_or(HostTrap::Final(Trap::Code(
                wasm_core::TrapCode::Unreachable,
            )))?;
        let value = |(ty, cell): (&ValueType, &u64)| RuntimeValue::from_bits(*ty, *cell);
        // Few arguments are passed in an array on the stack, more in the reused buffer.
        let mut few = [RuntimeValue::I32(0); FEW_ARGS];
        let args: &[RuntimeValue] = if params.len() <= FEW_ARGS {
            for (arg, param) in few.iter_mut().zip(params.iter().zip(cells)) {
                *arg = value(param);
            }
            &few[..params.len()]
        } else {
            self.args.clear();
            self.args.extend(params.iter().zip(cells).map(value));
            &self.args[..]
        };
        self.guard = None;
        let externals = &mut *self.externals;
        let outcome = engine::with_outer_usage(bp, frames, || {
            externals.invoke_index(index, RuntimeArgs::from(args))
        });
        // Only a host error suspends the call (the seed's rule); a trap code ends it.
        let result = outcome.map_err(|trap| match trap.is_host() {
            true => HostTrap::Resumable(trap),
            false => HostTrap::Final(trap),
        })?;
        self.borrow_memory().map_err(HostTrap::Final)?;
        if let Some(value) =
            engine::check_host_result(signature, result).map_err(HostTrap::Final)?
        {
            let slot = vals.get_mut(bp).ok_or(HostTrap::Final(Trap::Code(
                wasm_core::TrapCode::Unreachable,
            )))?;
            *slot = value.to_bits();
        }
        Ok(())
    }
}

/// Whether a host function of type `signature` is called with numbers through
/// `Externals::invoke_index` ([`Host::call`]): numbers only, at most one result.
#[inline]
pub(crate) fn takes_numbers(signature: &Signature) -> bool {
    signature.is_numbers() && signature.result_types().len() <= 1
}

impl Host<'_> {
    /// [`Host::call`] of a host function of any type.
    pub(crate) fn call_any(
        &mut self,
        vals: &mut [u64],
        bp: usize,
        signature: &Signature,
        index: usize,
        frames: usize,
    ) -> Result<(), HostTrap> {
        match takes_numbers(signature) {
            true => self.call(vals, bp, signature, index, frames),
            false => self.call_values(vals, bp, signature, index, frames),
        }
    }

    /// [`Host::call`] of a host function with references or several results, through
    /// `Externals::invoke_values`. Its traps end the call (the resumable API carries
    /// numbers only).
    #[cold]
    #[inline(never)]
    fn call_values(
        &mut self,
        vals: &mut [u64],
        bp: usize,
        signature: &Signature,
        index: usize,
        frames: usize,
    ) -> Result<(), HostTrap> {
        let broken = || HostTrap::Final(Trap::Code(wasm_core::TrapCode::Unreachable));
        let (params, types) = (signature.param_types(), signature.result_types());
        let mut cells = vals
            .get(bp..bp + signature.param_cells())
            .ok_or_else(broken)?;
        let mut args: Vec<Value> = Vec::with_capacity(params.len());
        for ty in params {
            args.push(engine::cells_to_value(self.refs, *ty, cells));
            cells = cells.get(ty.cells()..).unwrap_or_default();
        }
        let mut results: Vec<Value> = types.iter().map(|ty| Value::default_of(*ty)).collect();
        self.guard = None;
        let externals = &mut *self.externals;
        engine::with_outer_usage(bp, frames, || {
            externals.invoke_values(index, &args, &mut results)
        })
        .map_err(HostTrap::Final)?;
        self.borrow_memory().map_err(HostTrap::Final)?;
        engine::check_results(types, &results).map_err(HostTrap::Final)?;
        let mut out = vals
            .get_mut(bp..bp + signature.result_cells())
            .ok_or_else(broken)?;
        for value in &results {
            let n = engine::value_to_cells(self.refs, value, out);
            out = out.get_mut(n..).unwrap_or_default();
        }
        Ok(())
    }
}
