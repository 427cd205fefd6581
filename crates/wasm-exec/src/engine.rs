//! [`ExecEngine`]: the runtime's [`Engine`] implemented on the translated code, with the
//! stacks and frames the dispatch loop works on.

use crate::match_loop::{Exit, Suspension, execute};
use crate::translate::{CompiledFunc, Scratch, TranslateError, Translator, translate_with};
use core::cell::{OnceCell, RefCell};
use core::fmt;
use std::rc::Rc;
use std::sync::Arc;
use wasm_core::wasmparser::Operator;
use wasm_core::{HostError, RuntimeValue, Trap, TrapCode, ValueType};
use wasm_runtime::{
    CompiledCode, Engine, Externals, FuncRef, ModuleInstance, ResumableCall, StackRecycler,
};

/// Errors the engine reports through `Trap::Host` because the spec has no trap for them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EngineError {
    /// A function outlived the instance it belongs to (all `ModuleRef`s were dropped).
    InstanceDropped,
    /// A function's code was compiled by another engine.
    ForeignCode,
    /// The host held a borrow of a memory's bytes while Wasm code using it ran.
    MemoryBorrowed,
}

impl fmt::Display for EngineError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EngineError::InstanceDropped => {
                f.write_str("the function's module instance was dropped")
            }
            EngineError::ForeignCode => f.write_str("the function was compiled by another engine"),
            EngineError::MemoryBorrowed => {
                f.write_str("a memory was borrowed by the host while Wasm code ran")
            }
        }
    }
}

impl HostError for EngineError {}

/// Why [`ExecEngine::validate_and_compile`] failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CompileError {
    /// The module is not valid.
    Invalid(wasm_validate::ValidationError),
    /// A valid body uses something the engine does not run yet.
    Translate(TranslateError),
}

impl fmt::Display for CompileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CompileError::Invalid(e) => e.fmt(f),
            CompileError::Translate(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for CompileError {}

/// A function translated at its first call ([`Translation::Lazy`]) that the engine
/// cannot run traps with this error.
impl HostError for CompileError {}

/// Translates each body as the validator accepts its operators. After a translation
/// error it only lets validation finish, so that an invalid module is reported as
/// invalid whatever the engine thinks of its earlier functions.
///
/// With `translate` off it only validates (lazy translation). One visitor type for both
/// modes keeps one copy of the validator's loop in the binary: with two (this one and
/// `wasm_validate::validate`'s), LLVM stopped inlining the validator into it and eager
/// loading became 5-10% slower.
struct CompileVisitor<'m> {
    module: &'m wasm_core::Module,
    translate: bool,
    scratch: Scratch,
    current: Option<Translator<'m>>,
    out: Vec<Rc<CompiledFunc>>,
    failed: Option<TranslateError>,
}

impl CompileVisitor<'_> {
    fn fail(&mut self, error: TranslateError) {
        self.current = None;
        self.failed.get_or_insert(error);
    }
}

impl<'m> wasm_validate::BodyVisitor for CompileVisitor<'m> {
    type Error = core::convert::Infallible;

    fn begin(&mut self, func_index: u32) -> Result<(), Self::Error> {
        if self.translate && self.failed.is_none() {
            match Translator::begin(self.module, func_index, &mut self.scratch) {
                Ok(translator) => self.current = Some(translator),
                Err(e) => self.fail(e),
            }
        }
        Ok(())
    }

    #[inline]
    fn op(&mut self, offset: usize, op: &Operator<'_>) -> Result<(), Self::Error> {
        if let Some(translator) = &mut self.current
            && let Err(e) = translator.visit(offset, op)
        {
            self.fail(e);
        }
        Ok(())
    }

    fn end(&mut self) -> Result<(), Self::Error> {
        if let Some(translator) = self.current.take() {
            match translator.finish(&mut self.scratch) {
                Ok(code) => self.out.push(Rc::new(code)),
                Err(e) => self.fail(e),
            }
        }
        Ok(())
    }
}

/// When a module's function bodies are translated. Either way the whole module is
/// validated when it is loaded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Translation {
    /// Every body when the module is loaded, in the validator's pass: a body the
    /// engine cannot run fails the load.
    Eager,
    /// A body at the first call of its function. Loading only validates, which is
    /// faster than validating and translating, and functions never called are never
    /// translated; a body the engine cannot run traps at its first call (with a
    /// [`CompileError`] as host error). The default, as in wasmi: large programs
    /// rarely call most of their functions, and after its first call a function runs
    /// the same code as with `Eager`.
    #[default]
    Lazy,
}

/// Validates `module`, translating every body if `translate`, else none.
fn validate_translating(
    module: &wasm_core::Module,
    features: &wasm_validate::Features,
    translate: bool,
) -> Result<Box<[OnceCell<Rc<CompiledFunc>>]>, CompileError> {
    let mut visitor = CompileVisitor {
        module,
        translate,
        scratch: Scratch::default(),
        current: None,
        out: Vec::with_capacity(if translate { module.bodies.len() } else { 0 }),
        failed: None,
    };
    wasm_validate::validate_visiting(module, features, &mut visitor)
        .map_err(|e| CompileError::Invalid(e.into_invalid()))?;
    if let Some(e) = visitor.failed {
        return Err(CompileError::Translate(e));
    }
    Ok(match translate {
        true => visitor.out.into_iter().map(OnceCell::from).collect(),
        false => (0..module.bodies.len()).map(|_| OnceCell::new()).collect(),
    })
}

/// The translated functions of one module, shared by all its instances.
pub(crate) struct ModuleCode {
    /// Defined functions in order, each translated once: at load, or (lazy) at the
    /// first call, from `source`.
    funcs: Box<[OnceCell<Rc<CompiledFunc>>]>,
    /// The decoded module when translation is lazy.
    source: Option<Arc<wasm_core::Module>>,
    /// Buffers for lazy translations.
    scratch: RefCell<Scratch>,
    /// Number of imported functions (function index of `funcs[0]`).
    pub(crate) first: u32,
    /// The number of parameters of each of the module's types (where `call_indirect`
    /// finds its table index).
    #[cfg(wasmite_threaded)]
    pub(crate) type_params: Box<[u32]>,
    /// The threaded chain's view of `funcs` (same order); a function not translated
    /// yet has [`Entry::UNTRANSLATED`](crate::tail_loop::Entry::UNTRANSLATED), which
    /// makes the chain leave its calls to the dispatch loop, which translates it.
    #[cfg(wasmite_threaded)]
    pub(crate) entries: Box<[core::cell::Cell<crate::tail_loop::Entry>]>,
}

impl ModuleCode {
    /// The code of defined function `index`, translated now if it was not yet. A body
    /// the engine cannot run is a trap with the [`CompileError`] as host error.
    #[inline]
    pub(crate) fn func(&self, index: u32) -> Result<&Rc<CompiledFunc>, Trap> {
        // `index` comes from a validated call or a `FuncCode`, so it exists; a trap
        // rather than a panic all the same.
        let cell = self
            .funcs
            .get(index as usize)
            .ok_or(Trap::Code(TrapCode::Unreachable))?;
        match cell.get() {
            Some(code) => Ok(code),
            None => self.translate(cell, index),
        }
    }

    #[cold]
    #[inline(never)]
    fn translate<'c>(
        &self,
        cell: &'c OnceCell<Rc<CompiledFunc>>,
        index: u32,
    ) -> Result<&'c Rc<CompiledFunc>, Trap> {
        // Eager code has every function translated, so it never gets here.
        let source = self
            .source
            .as_ref()
            .ok_or(Trap::Code(TrapCode::Unreachable))?;
        // Translation never calls back into the engine, so the buffers are free; a
        // fresh set would do as well.
        let mut fresh = Scratch::default();
        let mut borrowed = self.scratch.try_borrow_mut();
        let scratch = match &mut borrowed {
            Ok(scratch) => &mut **scratch,
            Err(_) => &mut fresh,
        };
        let code = translate_with(source, self.first + index, scratch)
            .map_err(|e| Trap::host(CompileError::Translate(e)))?;
        let code = cell.get_or_init(|| Rc::new(code));
        #[cfg(wasmite_threaded)]
        if let Some(entry) = self.entries.get(index as usize) {
            entry.set(crate::tail_loop::Entry::of(code));
        }
        Ok(code)
    }
}

/// The engine's per-function code as the runtime holds it (`CompiledCode`): the
/// module's code and the function's position in it, so that a call can reach the
/// module's other functions without going through the runtime.
pub(crate) struct FuncCode {
    pub(crate) module: Rc<ModuleCode>,
    pub(crate) index: u32,
}

impl FuncCode {
    /// The compiled function (translated now if it was not yet).
    pub(crate) fn code(&self) -> Result<&Rc<CompiledFunc>, Trap> {
        self.module.func(self.index)
    }
}

/// Wraps a module's functions into the runtime's `CompiledCode`s: all translated
/// (`source` is `None`), or none yet, to be translated from `source` at their first call.
fn package(
    module: &wasm_core::Module,
    funcs: Box<[OnceCell<Rc<CompiledFunc>>]>,
    source: Option<Arc<wasm_core::Module>>,
) -> Vec<CompiledCode> {
    #[cfg(wasmite_threaded)]
    let entries = funcs
        .iter()
        .map(|f| {
            core::cell::Cell::new(match f.get() {
                Some(f) => crate::tail_loop::Entry::of(f),
                None => crate::tail_loop::Entry::UNTRANSLATED,
            })
        })
        .collect();
    let module = Rc::new(ModuleCode {
        funcs,
        source,
        scratch: RefCell::default(),
        first: module.num_imported_functions(),
        #[cfg(wasmite_threaded)]
        type_params: module
            .types
            .iter()
            .map(|ty| ty.params().len() as u32)
            .collect(),
        #[cfg(wasmite_threaded)]
        entries,
    });
    (0..module.funcs.len() as u32)
        .map(|index| {
            Rc::new(FuncCode {
                module: module.clone(),
                index,
            }) as CompiledCode
        })
        .collect()
}

/// A call frame: the function's code (and its module's, with its index there), its
/// instance, where it resumes (instruction index) and where its slots start on the
/// value stack.
#[derive(Clone)]
pub(crate) struct Frame {
    pub(crate) code: Rc<CompiledFunc>,
    pub(crate) module: Rc<ModuleCode>,
    /// Index of `code` in `module` (the threaded chain starts from it).
    #[cfg_attr(not(wasmite_threaded), allow(dead_code))]
    pub(crate) func: u32,
    pub(crate) instance: Rc<ModuleInstance>,
    pub(crate) ip: usize,
    pub(crate) bp: usize,
}

impl Frame {
    /// A frame of function `func` of the same module and instance, resuming at `ip`
    /// with its slots from `bp`.
    #[cfg(wasmite_threaded)]
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
    pub(crate) frames: Vec<Frame>,
    /// Calls the threaded chain made and has not returned from (see `tail_loop.rs`).
    #[cfg(wasmite_threaded)]
    pub(crate) chain: crate::tail_loop::ChainState,
    pub(crate) host_args: Vec<RuntimeValue>,
    pub(crate) value_limit: usize,
    pub(crate) call_limit: usize,
}

/// The most cells the value stack ever has (16 GiB), whatever the configured limit: the
/// threaded chain relies on no frame base reaching `u32::MAX` (see
/// `Entry::UNTRANSLATED`).
pub(crate) const MAX_VALUE_CELLS: usize = 1 << 31;

impl Stacks {
    fn new(value_limit: usize, call_limit: usize) -> Self {
        Stacks {
            vals: vec![0; 1024.min(value_limit.max(16))],
            frames: Vec::new(),
            #[cfg(wasmite_threaded)]
            chain: Default::default(),
            host_args: Vec::new(),
            value_limit,
            call_limit,
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

/// Sets up the frame of Wasm function `func` with `args` at the bottom of `stacks`.
fn enter(stacks: &mut Stacks, func: &FuncRef, args: &[RuntimeValue]) -> Result<Frame, Trap> {
    let wasm = func
        .as_wasm()
        .ok_or(Trap::Code(TrapCode::UnexpectedSignature))?;
    let func_code = compiled(wasm.code())?;
    let code = func_code.code()?.clone();
    let instance = wasm
        .instance()
        .ok_or_else(|| Trap::host(EngineError::InstanceDropped))?;
    if stacks.call_limit == 0 {
        return Err(Trap::Code(TrapCode::StackOverflow));
    }
    stacks.frames.clear();
    stacks.reserve(0, code.frame_size().max(args.len()))?;
    for (cell, arg) in stacks.vals.iter_mut().zip(args) {
        *cell = arg.to_bits();
    }
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

/// The engine's code of a function.
pub(crate) fn compiled(code: &CompiledCode) -> Result<&FuncCode, Trap> {
    code.downcast_ref::<FuncCode>()
        .ok_or_else(|| Trap::host(EngineError::ForeignCode))
}

/// Reads the results of a finished call from the bottom of the value stack.
fn read_results(stacks: &Stacks, func: &FuncRef, results: &mut [RuntimeValue]) {
    for ((slot, ty), cell) in results
        .iter_mut()
        .zip(func.signature().results())
        .zip(&stacks.vals)
    {
        *slot = RuntimeValue::from_bits(*ty, *cell);
    }
}

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

    /// Translates every defined function of a validated module.
    pub fn compile(&self, module: &wasm_core::Module) -> Result<Vec<CompiledCode>, TranslateError> {
        let first = module.num_imported_functions();
        let mut scratch = Scratch::default();
        let funcs = (0..module.bodies.len() as u32)
            .map(|i| translate_with(module, first + i, &mut scratch).map(|f| Rc::new(f).into()))
            .collect::<Result<_, _>>()?;
        Ok(package(module, funcs, None))
    }

    /// Validates a decoded module and translates every defined function, in one pass
    /// over the code: each body's operators go to the validator, then to the translator
    /// (see `wasm_validate::BodyVisitor`). [`Translation::Eager`] of [`load`](Self::load).
    pub fn validate_and_compile(
        &self,
        module: &wasm_core::Module,
        features: &wasm_validate::Features,
    ) -> Result<Vec<CompiledCode>, CompileError> {
        let funcs = validate_translating(module, features, true)?;
        Ok(package(module, funcs, None))
    }

    /// Validates a decoded module and makes its functions' code, translated as
    /// `translation` says: now, or each function at its first call (then the code keeps
    /// `module`).
    pub fn load(
        &self,
        module: &Arc<wasm_core::Module>,
        features: &wasm_validate::Features,
        translation: Translation,
    ) -> Result<Vec<CompiledCode>, CompileError> {
        match translation {
            Translation::Eager => self.validate_and_compile(module, features),
            Translation::Lazy => {
                let funcs = validate_translating(module, features, false)?;
                Ok(package(module, funcs, Some(module.clone())))
            }
        }
    }

    fn take_stacks(&self, recycler: &mut StackRecycler) -> (Box<Stacks>, bool) {
        // Executions nested through host functions share the limits: an inner one gets
        // what the outer ones on this thread left.
        let (outer_cells, outer_frames) = OUTER_USAGE.with(|usage| usage.get());
        let value_limit = recycler.value_stack_limit().saturating_sub(outer_cells);
        let call_limit = recycler.call_stack_limit().saturating_sub(outer_frames);
        if let Some(mut stacks) = recycler.take_storage::<Stacks>() {
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

/// How many Wasm executions may be nested on one thread: a host function that calls
/// back into Wasm starts a new execution on the native stack. Wasm-to-Wasm calls never
/// nest natively; this bounds host re-entrancy, so that a host calling back without end
/// gets a `StackOverflow` trap instead of overflowing the native stack (each level takes
/// a few KiB; 100 levels fit comfortably in a 2 MiB thread stack).
pub const MAX_NESTED_EXECUTIONS: u32 = 100;

thread_local! {
    static NESTED_EXECUTIONS: core::cell::Cell<u32> = const { core::cell::Cell::new(0) };
    /// Value cells and frames that the executions enclosing the current host call use.
    static OUTER_USAGE: core::cell::Cell<(usize, usize)> = const { core::cell::Cell::new((0, 0)) };
}

/// Runs `f` (a host call) with `cells` value cells and `frames` frames added to what the
/// enclosing executions use, so that executions `f` starts get what is left.
pub(crate) fn with_outer_usage<R>(cells: usize, frames: usize, f: impl FnOnce() -> R) -> R {
    let saved = OUTER_USAGE.with(|usage| {
        let saved = usage.get();
        usage.set((saved.0 + cells, saved.1 + frames));
        saved
    });
    let result = f();
    OUTER_USAGE.with(|usage| usage.set(saved));
    result
}

/// Counts one nested execution while alive.
struct NestingGuard;

impl NestingGuard {
    fn enter() -> Result<NestingGuard, Trap> {
        NESTED_EXECUTIONS.with(|depth| {
            if depth.get() >= MAX_NESTED_EXECUTIONS {
                return Err(Trap::Code(TrapCode::StackOverflow));
            }
            depth.set(depth.get() + 1);
            Ok(NestingGuard)
        })
    }
}

impl Drop for NestingGuard {
    fn drop(&mut self) {
        NESTED_EXECUTIONS.with(|depth| depth.set(depth.get() - 1));
    }
}

impl Engine for ExecEngine {
    fn invoke(
        &self,
        func: &FuncRef,
        args: &[RuntimeValue],
        results: &mut [RuntimeValue],
        externals: &mut dyn Externals,
        stack: &mut StackRecycler,
    ) -> Result<(), Trap> {
        let _nesting = NestingGuard::enter()?;
        let (mut stacks, from_recycler) = self.take_stacks(stack);
        let outcome = enter(&mut stacks, func, args)
            .and_then(|frame| execute(&mut stacks, frame, externals).map_err(Exit::into_trap));
        if outcome.is_ok() {
            read_results(&stacks, func, results);
        }
        stacks.frames.clear();
        if from_recycler {
            stack.put_storage(stacks);
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
    fn run(
        &mut self,
        host_result: Option<RuntimeValue>,
        externals: &mut dyn Externals,
    ) -> Result<(), Trap> {
        let _nesting = NestingGuard::enter()?;
        let (outer_cells, outer_frames) = OUTER_USAGE.with(|usage| usage.get());
        self.stacks.value_limit =
            wasm_runtime::DEFAULT_VALUE_STACK_LIMIT.saturating_sub(outer_cells);
        self.stacks.call_limit =
            wasm_runtime::DEFAULT_CALL_STACK_LIMIT.saturating_sub(outer_frames);
        let frame = match core::mem::replace(&mut self.state, State::Finished) {
            State::NotStarted => enter(&mut self.stacks, &self.func, &self.args)?,
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
        match execute(&mut self.stacks, frame, externals) {
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
        }
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
