//! Function instances (spec 4.2.6): Wasm functions of an instance, or host functions
//! dispatched through [`Externals`].

use crate::Value;
use crate::ambient::Execution;
use crate::prelude::*;
use crate::refs::{HandleCache, RefTable};
use crate::seam::{CompiledCode, Engine, ResumableCall};
use crate::{Externals, ModuleInstance, RuntimeArgs, StackRecycler, WasmBacktrace};
use alloc::borrow::Cow;
use alloc::rc::{Rc, Weak};
use alloc::sync::Arc;
use core::fmt;
use core::ops::Deref;
use wasm_core::{RuntimeValue, Signature, Trap, TrapCode, ValType, ValueType};

/// Runs Wasm function `func` (whose Wasm side is `wasm`) with `args`, through the engine's
/// cell form: `to_cell` gives an argument's cell, `set` writes result `i` from its cell,
/// both with the execution's reference table (`stack`'s, emptied when the call ends). The
/// cells are on the stack for the usual few.
#[allow(clippy::too_many_arguments)]
fn call_wasm<A, R>(
    wasm: &WasmFunc,
    func: &FuncRef,
    args: &[A],
    results: &mut [R],
    externals: &mut dyn Externals,
    stack: &mut StackRecycler,
    to_cells: impl Fn(&mut RefTable, &A, &mut [u64]) -> usize,
    set: impl Fn(&RefTable, &mut R, usize, &[u64]) -> usize,
) -> Result<(), Trap> {
    let _execution = Execution::enter()?;
    let mut refs = stack.take_refs();
    let (in_cells, out_cells) = (func.signature.param_cells(), func.signature.result_cells());
    let n = in_cells + out_cells;
    let mut few = [0u64; 8];
    let mut many = Vec::new();
    let cells = if n <= few.len() {
        &mut few[..n]
    } else {
        many.resize(n, 0);
        &mut many[..]
    };
    let (ins, outs) = cells.split_at_mut(in_cells);
    let mut at = 0;
    for arg in args {
        at += to_cells(&mut refs, arg, ins.get_mut(at..).unwrap_or_default());
    }
    let outcome = wasm
        .engine
        .invoke(func, ins, outs, externals, stack, &mut refs);
    if outcome.is_ok() {
        let mut at = 0;
        for (i, slot) in results.iter_mut().enumerate() {
            at += set(&refs, slot, i, outs.get(at..).unwrap_or_default());
        }
    }
    refs.clear();
    stack.put_refs(refs);
    outcome
}

/// A shared handle to a [`FuncInstance`].
#[derive(Clone, Debug)]
pub struct FuncRef(Rc<FuncInstance>);

impl Deref for FuncRef {
    type Target = FuncInstance;
    fn deref(&self) -> &FuncInstance {
        &self.0
    }
}

impl FuncRef {
    /// Whether two handles name the same function.
    pub fn ptr_eq(&self, other: &FuncRef) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

/// A function: defined in Wasm, or provided by the host.
pub struct FuncInstance {
    signature: Arc<Signature>,
    kind: FuncKind,
    /// The function's handle while code runs (see `refs`).
    handle: HandleCache,
}

enum FuncKind {
    Wasm(WasmFunc),
    Host(usize),
}

/// What the engine needs to run a Wasm function.
pub struct WasmFunc {
    instance: Weak<ModuleInstance>,
    index: u32,
    code: CompiledCode,
    engine: Rc<dyn Engine>,
}

impl WasmFunc {
    /// The instance the function belongs to; `None` once that instance is dropped.
    pub fn instance(&self) -> Option<Rc<ModuleInstance>> {
        self.instance.upgrade()
    }

    /// Whether the function belongs to `instance` (without upgrading the weak
    /// reference: the engine's fast path for calls within one instance).
    pub fn belongs_to(&self, instance: &ModuleInstance) -> bool {
        core::ptr::eq(self.instance.as_ptr(), instance)
    }

    /// The function's index in its module.
    pub fn index(&self) -> u32 {
        self.index
    }

    /// The engine's code for the body.
    pub fn code(&self) -> &CompiledCode {
        &self.code
    }

    /// The engine that compiled the body.
    pub fn engine(&self) -> &Rc<dyn Engine> {
        &self.engine
    }
}

/// The seed's form: `Internal { signature=.. }` for a Wasm function (never its instance,
/// which refers back to it), `Host { signature=.. }` for a host function.
impl fmt::Debug for FuncInstance {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match &self.kind {
            FuncKind::Wasm(_) => "Internal",
            FuncKind::Host(_) => "Host",
        };
        write!(f, "{kind} {{ signature={:?} }}", self.signature)
    }
}

/// Checks `args` against `signature`'s parameters.
fn check_args(signature: &Signature, args: &[RuntimeValue]) -> Result<(), Trap> {
    let params = signature.param_types();
    if params.len() != args.len() || params.iter().zip(args).any(|(t, a)| *t != a.value_type()) {
        return Err(Trap::Code(TrapCode::UnexpectedSignature));
    }
    Ok(())
}

/// Checks values against `types`, as arguments or results.
pub(crate) fn check_values(types: &[ValType], values: &[Value]) -> Result<(), Trap> {
    if types.len() != values.len() || types.iter().zip(values).any(|(t, v)| !v.fits(*t)) {
        return Err(Trap::Code(TrapCode::UnexpectedSignature));
    }
    Ok(())
}

/// Checks a host function's result against its `signature`: the value an `Externals`
/// returned must have the signature's (single) result type. Engines use it for host calls
/// made from Wasm, so that every path applies the same rule.
pub(crate) fn check_host_result(
    signature: &Signature,
    result: Option<RuntimeValue>,
) -> Result<Option<RuntimeValue>, Trap> {
    let expected = match signature.result_types() {
        [] => None,
        [ty] => Some(*ty),
        _ => return Err(Trap::Code(TrapCode::UnexpectedSignature)),
    };
    if result.map(|v| ValType::from(v.value_type())) != expected {
        return Err(Trap::Code(TrapCode::UnexpectedSignature));
    }
    Ok(result)
}

impl FuncInstance {
    /// A host function: calls reach `Externals::invoke_index(index, ..)`.
    pub fn alloc_host(signature: Signature, index: usize) -> FuncRef {
        FuncRef(Rc::new(FuncInstance {
            signature: Arc::new(signature),
            kind: FuncKind::Host(index),
            handle: HandleCache::default(),
        }))
    }

    /// A Wasm function of `instance` (instantiation).
    pub(crate) fn alloc_wasm(
        signature: Arc<Signature>,
        instance: Weak<ModuleInstance>,
        index: u32,
        code: CompiledCode,
        engine: Rc<dyn Engine>,
    ) -> FuncRef {
        FuncRef(Rc::new(FuncInstance {
            signature,
            kind: FuncKind::Wasm(WasmFunc {
                instance,
                index,
                code,
                engine,
            }),
            handle: HandleCache::default(),
        }))
    }

    /// The function's type.
    pub fn signature(&self) -> &Signature {
        &self.signature
    }

    /// The handle the function was last given.
    pub(crate) fn handle_cache(&self) -> &HandleCache {
        &self.handle
    }

    /// The function's type, shared.
    pub(crate) fn signature_arc(&self) -> &Arc<Signature> {
        &self.signature
    }

    /// The Wasm side of the function, if it is one.
    pub(crate) fn as_wasm(&self) -> Option<&WasmFunc> {
        match &self.kind {
            FuncKind::Wasm(w) => Some(w),
            FuncKind::Host(_) => None,
        }
    }

    /// The host function index, if it is a host function.
    pub(crate) fn host_func_index(&self) -> Option<usize> {
        match self.kind {
            FuncKind::Host(i) => Some(i),
            FuncKind::Wasm(_) => None,
        }
    }

    /// Calls `func`; returns its result (the first one, if it has several: see
    /// [`invoke_into`](Self::invoke_into)). Wrong argument types trap with
    /// `UnexpectedSignature`.
    pub fn invoke<E: Externals>(
        func: &FuncRef,
        args: &[RuntimeValue],
        externals: &mut E,
    ) -> Result<Option<RuntimeValue>, Trap> {
        Self::invoke_with_stack(func, args, externals, &mut StackRecycler::default())
    }

    /// [`invoke`](Self::invoke) with reusable stacks and their limits.
    ///
    /// A host function called this way gets its arguments checked and gives back its
    /// result as it returned it, as in the seed: no Wasm code depends on the result's type
    /// (called from Wasm, a result of the wrong type traps).
    pub fn invoke_with_stack<E: Externals>(
        func: &FuncRef,
        args: &[RuntimeValue],
        externals: &mut E,
        stack: &mut StackRecycler,
    ) -> Result<Option<RuntimeValue>, Trap> {
        if let FuncKind::Host(index) = func.kind {
            check_args(&func.signature, args)?;
            return externals.invoke_index(index, RuntimeArgs::from(args));
        }
        let mut results = [RuntimeValue::I32(0); 1];
        match func.signature.result_types().len() {
            0 => {
                Self::call(func, args, &mut [], externals, stack)?;
                Ok(None)
            }
            1 => {
                Self::call(func, args, &mut results, externals, stack)?;
                Ok(Some(results[0]))
            }
            n => {
                let mut results = vec![RuntimeValue::I32(0); n];
                Self::call(func, args, &mut results, externals, stack)?;
                Ok(Some(results[0]))
            }
        }
    }

    /// Calls `func` and writes all its results into `results`, which must have exactly
    /// as many slots as the signature has results (otherwise `UnexpectedSignature`).
    /// This is the multi-value form of [`invoke`](Self::invoke).
    pub fn invoke_into<E: Externals>(
        func: &FuncRef,
        args: &[RuntimeValue],
        results: &mut [RuntimeValue],
        externals: &mut E,
    ) -> Result<(), Trap> {
        Self::call(
            func,
            args,
            results,
            externals,
            &mut StackRecycler::default(),
        )
    }

    /// [`invoke_into`](Self::invoke_into) with reusable stacks and their limits.
    pub fn invoke_into_with_stack<E: Externals>(
        func: &FuncRef,
        args: &[RuntimeValue],
        results: &mut [RuntimeValue],
        externals: &mut E,
        stack: &mut StackRecycler,
    ) -> Result<(), Trap> {
        Self::call(func, args, results, externals, stack)
    }

    fn call(
        func: &FuncRef,
        args: &[RuntimeValue],
        results: &mut [RuntimeValue],
        externals: &mut dyn Externals,
        stack: &mut StackRecycler,
    ) -> Result<(), Trap> {
        check_args(&func.signature, args)?;
        if results.len() != func.signature.result_types().len()
            || func
                .signature
                .result_types()
                .iter()
                .any(|t| t.number().is_none())
        {
            return Err(Trap::Code(TrapCode::UnexpectedSignature));
        }
        match &func.kind {
            FuncKind::Host(index) => {
                let result = externals.invoke_index(*index, RuntimeArgs::from(args))?;
                if let Some(value) = check_host_result(&func.signature, result)? {
                    results[0] = value;
                }
                Ok(())
            }
            FuncKind::Wasm(wasm) => {
                let types = func.signature.results();
                call_wasm(
                    wasm,
                    func,
                    args,
                    results,
                    externals,
                    stack,
                    |_, arg, cells| {
                        cells[0] = arg.to_bits();
                        1
                    },
                    |_, slot, i, cells| {
                        *slot = RuntimeValue::from_bits(types[i], cells[0]);
                        1
                    },
                )
            }
        }
    }

    /// Calls `func` with arguments of any type, references included, and writes its
    /// results into `results` (exactly as many as the signature has). Arguments of the
    /// wrong types, or a `results` of the wrong length, trap with `UnexpectedSignature`.
    ///
    /// ```
    /// # use wasm_runtime::{ExternRef, FuncInstance, NopExternals, Value};
    /// # use wasm_core::{Signature, ValType};
    /// // A host function cannot echo without Externals; see the crate tests for Wasm.
    /// let f = FuncInstance::alloc_host(Signature::from_types(vec![ValType::EXTERNREF], vec![]), 0);
    /// let r = FuncInstance::invoke_values(&f, &[Value::I32(1)], &mut [], &mut NopExternals);
    /// assert!(r.is_err()); // an i32 where an externref is expected
    /// ```
    pub fn invoke_values<E: Externals>(
        func: &FuncRef,
        args: &[Value],
        results: &mut [Value],
        externals: &mut E,
    ) -> Result<(), Trap> {
        Self::invoke_values_with_stack(
            func,
            args,
            results,
            externals,
            &mut StackRecycler::default(),
        )
    }

    /// [`invoke_values`](Self::invoke_values) with reusable stacks and their limits.
    pub fn invoke_values_with_stack<E: Externals>(
        func: &FuncRef,
        args: &[Value],
        results: &mut [Value],
        externals: &mut E,
        stack: &mut StackRecycler,
    ) -> Result<(), Trap> {
        let signature = &func.signature;
        check_values(signature.param_types(), args)?;
        if results.len() != signature.result_types().len() {
            return Err(Trap::Code(TrapCode::UnexpectedSignature));
        }
        match &func.kind {
            FuncKind::Host(index) if !signature.is_numbers() || results.len() > 1 => {
                for (slot, ty) in results.iter_mut().zip(signature.result_types()) {
                    *slot = Value::default_of(*ty);
                }
                externals.invoke_values(*index, args, results)?;
                check_values(signature.result_types(), results)
            }
            FuncKind::Host(index) => {
                // The seed's kind of host function: numbers, at most one result.
                let numbers: Vec<RuntimeValue> = args.iter().filter_map(Value::number).collect();
                let result = externals.invoke_index(*index, RuntimeArgs::from(&numbers[..]))?;
                if let (Some(value), Some(slot)) = (result, results.first_mut()) {
                    *slot = value.into();
                }
                check_values(signature.result_types(), results)
            }
            FuncKind::Wasm(wasm) => {
                let types = signature.result_types();
                call_wasm(
                    wasm,
                    func,
                    args,
                    results,
                    externals,
                    stack,
                    RefTable::write_cells,
                    |refs, slot, i, cells| {
                        *slot = refs.read_cells(types[i], cells);
                        types[i].cells()
                    },
                )
            }
        }
    }

    /// Prepares a call that can be resumed after a host function traps.
    pub fn invoke_resumable<'args>(
        func: &FuncRef,
        args: impl Into<Cow<'args, [RuntimeValue]>>,
    ) -> Result<FuncInvocation<'args>, Trap> {
        let args = args.into();
        check_args(&func.signature, &args)?;
        if !func.signature.is_numbers() {
            // The resumable API carries numbers only (`RuntimeValue`).
            return Err(Trap::Code(TrapCode::UnexpectedSignature));
        }
        let kind = match &func.kind {
            FuncKind::Host(index) => InvocationKind::Host {
                index: *index,
                args,
                finished: false,
            },
            FuncKind::Wasm(wasm) => InvocationKind::Wasm {
                call: wasm.engine.resumable(func, &args),
                started: false,
            },
        };
        Ok(FuncInvocation { kind })
    }
}

/// Why a resumable call could not run.
#[derive(Debug)]
pub enum ResumableError {
    /// The call trapped. If a host function trapped with a host error, the call is
    /// resumable.
    Trap(Trap),
    /// The call cannot be resumed: it is a call of a host function, which never is.
    NotResumable,
    /// `start_execution` of a call already started, or `resume_execution` of a Wasm call
    /// that is not suspended (not started, finished, or stopped by another trap).
    AlreadyStarted,
}

impl From<Trap> for ResumableError {
    fn from(trap: Trap) -> Self {
        ResumableError::Trap(trap)
    }
}

impl fmt::Display for ResumableError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ResumableError::Trap(t) => write!(f, "trap: {t}"),
            ResumableError::NotResumable => f.write_str("the invocation is not resumable"),
            ResumableError::AlreadyStarted => f.write_str("the invocation was already started"),
        }
    }
}

impl core::error::Error for ResumableError {}

/// A call that a host error suspends instead of unwinding; see
/// [`FuncInstance::invoke_resumable`].
///
/// Only a host function that fails with a host error (`Trap::Host`) suspends the call; a
/// trap code, from the host or from Wasm, ends it, as in the seed.
pub struct FuncInvocation<'args> {
    kind: InvocationKind<'args>,
}

enum InvocationKind<'args> {
    Host {
        index: usize,
        args: Cow<'args, [RuntimeValue]>,
        finished: bool,
    },
    Wasm {
        call: Box<dyn ResumableCall>,
        started: bool,
    },
}

/// Runs (or resumes) a Wasm call: its first result, or its trap (after a host error, the
/// engine keeps the call suspended).
fn run_wasm(
    call: &mut dyn ResumableCall,
    host_result: Option<RuntimeValue>,
    externals: &mut dyn Externals,
) -> Result<Option<RuntimeValue>, ResumableError> {
    let _execution = Execution::enter()?;
    call.run(host_result, externals)?;
    Ok(call.results().first().copied())
}

impl FuncInvocation<'_> {
    /// The Wasm call stack of the trap the last start or resumption of the call ended
    /// in, if it trapped in Wasm code (or in a host function Wasm code called: then the
    /// innermost frame is at the call). A suspended call's says where it will resume.
    pub fn backtrace(&self) -> Option<&WasmBacktrace> {
        match &self.kind {
            InvocationKind::Host { .. } => None,
            InvocationKind::Wasm { call, .. } => call.backtrace(),
        }
    }

    /// Whether the call stopped at a host error and can be resumed.
    pub fn is_resumable(&self) -> bool {
        match &self.kind {
            InvocationKind::Host { .. } => false,
            InvocationKind::Wasm { call, .. } => call.is_resumable(),
        }
    }

    /// The type of value [`resume_execution`](Self::resume_execution) expects; `None`
    /// when the call is not resumable.
    pub fn resumable_value_type(&self) -> Option<ValueType> {
        match &self.kind {
            InvocationKind::Host { .. } => None,
            InvocationKind::Wasm { call, .. } => call.resumable_value_type(),
        }
    }

    /// Runs the call from its start. A call is started once
    /// ([`ResumableError::AlreadyStarted`] after that).
    pub fn start_execution<'externals, E: Externals + 'externals>(
        &mut self,
        externals: &'externals mut E,
    ) -> Result<Option<RuntimeValue>, ResumableError> {
        match &mut self.kind {
            InvocationKind::Host {
                index,
                args,
                finished,
            } => {
                if *finished {
                    return Err(ResumableError::AlreadyStarted);
                }
                *finished = true;
                Ok(externals.invoke_index(*index, RuntimeArgs::from(&args[..]))?)
            }
            InvocationKind::Wasm { call, started } => {
                if *started {
                    return Err(ResumableError::AlreadyStarted);
                }
                *started = true;
                run_wasm(call.as_mut(), None, externals)
            }
        }
    }

    /// Resumes a call suspended at a host error, with the value the host function should
    /// have returned.
    ///
    /// A value whose type is not [`resumable_value_type`](Self::resumable_value_type)
    /// is refused with an `UnexpectedSignature` trap (the call stays as it was); a Wasm
    /// call that is not suspended gives [`ResumableError::AlreadyStarted`], a call of a
    /// host function [`ResumableError::NotResumable`].
    pub fn resume_execution<'externals, E: Externals + 'externals>(
        &mut self,
        return_val: Option<RuntimeValue>,
        externals: &'externals mut E,
    ) -> Result<Option<RuntimeValue>, ResumableError> {
        if return_val.map(|v| v.value_type()) != self.resumable_value_type() {
            return Err(ResumableError::Trap(Trap::Code(
                TrapCode::UnexpectedSignature,
            )));
        }
        match &mut self.kind {
            InvocationKind::Host { .. } => Err(ResumableError::NotResumable),
            InvocationKind::Wasm { call, .. } if !call.is_resumable() => {
                Err(ResumableError::AlreadyStarted)
            }
            InvocationKind::Wasm { call, .. } => run_wasm(call.as_mut(), return_val, externals),
        }
    }
}
