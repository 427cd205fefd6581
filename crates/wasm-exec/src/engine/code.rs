//! A module's code as the engine keeps it ([`ModuleCode`]): its translated functions,
//! translated at load time or each at its first call, with what the dispatch driver
//! prepares of them (`dispatch::SideTable`).

use crate::dispatch::SideTable;
use crate::error::{CompileError, EngineError};
use crate::prelude::*;
use crate::translate::{
    CompiledFunc, Metering, Scratch, TranslateError, Translator, translate_with,
};
use alloc::rc::Rc;
use alloc::sync::Arc;
use core::cell::{OnceCell, RefCell};
use wasm_core::wasmparser::Operator;
use wasm_core::{Trap, TrapCode};
use wasm_runtime::engine::{CompiledCode, FrameSource};

/// When a module's function bodies are validated and translated. The module-level rules
/// are always validated when the module is loaded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Translation {
    /// Every body when the module is loaded, in the validator's pass: a body the engine
    /// cannot run fails the load.
    Eager,
    /// A body at the first call of its function. Loading only validates, which is faster
    /// than validating and translating, and functions never called are never translated;
    /// a body the engine cannot run traps at its first call (with a [`CompileError`] as
    /// host error). The default, as in wasmi: large programs rarely call most of their
    /// functions, and after its first call a function runs the same code as with `Eager`.
    #[default]
    Lazy,
    /// A body validated and translated at the first call of its function, as wasmi's
    /// `CompilationMode::Lazy`: loading checks only the module-level rules (types,
    /// imports, exports, segments...), the fastest start for a large module of which a
    /// run calls little. An invalid body is found only when its function is first
    /// called: the call traps with [`CompileError::Invalid`] as host error, the error
    /// validating that body gives (loading in the other modes reports the first invalid
    /// body in module order, which may be another). Opt in only where loading a module
    /// that is partly invalid is acceptable.
    LazyValidation,
}

/// The translated functions of one module, shared by all its instances.
pub(crate) struct ModuleCode {
    /// Defined functions in order, each translated once: at load, or (lazy) at the first
    /// call, from `module`.
    funcs: Box<[OnceCell<Rc<CompiledFunc>>]>,
    /// The decoded module: what lazy translation reads, and what a backtrace's names and
    /// code offsets come from (see [`FrameSource`]).
    module: Arc<wasm_core::Module>,
    /// The proposals to validate each body with at its first call
    /// (`Translation::LazyValidation`).
    validate: Option<wasm_validate::Features>,
    /// Buffers for lazy translations (with the metering of the module's code).
    scratch: RefCell<Scratch>,
    metering: Metering,
    /// Number of imported functions (function index of `funcs[0]`).
    pub(crate) first: u32,
    /// What the dispatch driver prepared of each translated function.
    pub(crate) side: SideTable,
}

impl ModuleCode {
    /// The code of defined function `index`, translated now if it was not yet. A body the
    /// engine cannot run is a trap with the [`CompileError`] as host error.
    #[inline]
    pub(crate) fn func(&self, index: u32) -> Result<&Rc<CompiledFunc>, Trap> {
        // `index` comes from a validated call or a `FuncCode`, so it exists; a trap rather
        // than a panic all the same.
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
        let source = &self.module;
        // Translation never calls back into the engine, so the buffers are free; a fresh
        // set would do as well.
        let mut fresh = Scratch::metered(self.metering);
        let mut borrowed = self.scratch.try_borrow_mut();
        let scratch = match &mut borrowed {
            Ok(scratch) => &mut **scratch,
            Err(_) => &mut fresh,
        };
        let func_index = self.first + index;
        let code = match &self.validate {
            Some(features) => validate_and_translate(source, features, func_index, scratch)?,
            None => translate_with(source, func_index, scratch).map(Rc::new),
        };
        let code = code
            .and_then(|code| {
                self.side.install(index, &code).map_err(|what| {
                    let offset = source.bodies.get(index as usize).map_or(0, |b| b.offset);
                    TranslateError::new(what, offset)
                })?;
                Ok(code)
            })
            .map_err(|e| Trap::host(CompileError::Translate(e)))?;
        Ok(cell.get_or_init(|| code))
    }
}

/// What a backtrace tells of the module's frames: names from the name section, and code
/// offsets from a new translation of the function, which gives the same instructions
/// (translation is deterministic) and each one's operator offset, so the compiled code
/// keeps no table of offsets.
impl FrameSource for ModuleCode {
    fn module_name(&self) -> Option<&str> {
        self.module.names.module.as_deref()
    }

    fn func_name(&self, func_index: u32) -> Option<&str> {
        self.module
            .names
            .functions
            .get(&func_index)
            .map(String::as_str)
    }

    fn code_offset(&self, func_index: u32, position: usize) -> Option<usize> {
        let mut scratch = Scratch::metered(self.metering);
        translate_with(&self.module, func_index, &mut scratch).ok()?;
        scratch
            .offsets()
            .get(position)
            .map(|&offset| offset as usize)
    }

    fn body_offset(&self, func_index: u32) -> Option<usize> {
        let index = func_index.checked_sub(self.first)?;
        Some(self.module.bodies.get(index as usize)?.offset)
    }
}

/// Validates the body of function `func_index` and translates it in the same pass: a
/// validation error is the trap (with [`CompileError::Invalid`]); the translation's
/// result is returned as `translate_with`'s would be.
fn validate_and_translate(
    module: &wasm_core::Module,
    features: &wasm_validate::Features,
    func_index: u32,
    scratch: &mut Scratch,
) -> Result<Result<Rc<CompiledFunc>, TranslateError>, Trap> {
    let mut visitor = CompileVisitor {
        module,
        translate: true,
        scratch: core::mem::take(scratch),
        current: None,
        out: Vec::with_capacity(1),
        failed: None,
    };
    let validated =
        wasm_validate::validate_function_visiting(module, features, func_index, &mut visitor);
    *scratch = core::mem::take(&mut visitor.scratch);
    validated.map_err(|e| Trap::host(CompileError::Invalid(e.into_invalid())))?;
    Ok(match (visitor.failed, visitor.out.pop()) {
        (Some(e), _) => Err(e),
        (None, Some(code)) => Ok(Rc::new(code)),
        (None, None) => Err(TranslateError::new("internal error: no code", 0)),
    })
}

/// The engine's per-function code as the runtime holds it (`CompiledCode`): the module's
/// code and the function's position in it, so that a call can reach the module's other
/// functions without going through the runtime.
pub(crate) struct FuncCode {
    pub(crate) module: Rc<ModuleCode>,
    pub(crate) index: u32,
}

/// The engine's code of a function.
pub(crate) fn compiled(code: &CompiledCode) -> Result<&FuncCode, Trap> {
    code.downcast_ref::<FuncCode>()
        .ok_or_else(|| Trap::host(EngineError::ForeignCode))
}

/// Translates each body as the validator accepts its operators. After a translation error
/// it only lets validation finish, so that an invalid module is reported as invalid
/// whatever the engine thinks of its earlier functions.
///
/// With `translate` off it only validates (lazy translation). One visitor type for both
/// modes keeps one copy of the validator's loop in the binary: with two (this one and
/// `wasm_validate::validate`'s), LLVM stopped inlining the validator into it and eager
/// loading became slower.
struct CompileVisitor<'m> {
    module: &'m wasm_core::Module,
    translate: bool,
    scratch: Scratch,
    current: Option<Translator<'m>>,
    out: Vec<CompiledFunc>,
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

    #[inline(always)]
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
                Ok(code) => self.out.push(code),
                Err(e) => self.fail(e),
            }
        }
        Ok(())
    }
}

/// Validates `module` and makes its functions' code: every body translated now when
/// `translation` is eager, each at its first call when it is lazy (the code keeps
/// `module` then).
pub(crate) fn load(
    module: &Arc<wasm_core::Module>,
    features: &wasm_validate::Features,
    translation: Translation,
    metering: Metering,
) -> Result<Vec<CompiledCode>, CompileError> {
    if translation == Translation::LazyValidation {
        wasm_validate::validate_module_only(module, features).map_err(CompileError::Invalid)?;
        let funcs = (0..module.bodies.len()).map(|_| OnceCell::new()).collect();
        return package(module, funcs, Some(*features), metering).map_err(CompileError::Translate);
    }
    let translate = translation == Translation::Eager;
    let visitor = || CompileVisitor {
        module,
        translate,
        scratch: Scratch::metered(metering),
        current: None,
        out: Vec::new(),
        failed: None,
    };
    let threads = load_threads(module);
    #[cfg(feature = "std")]
    let visitors = if threads > 1 {
        wasm_validate::validate_visiting_parallel(module, features, threads, visitor)
    } else {
        let mut one = visitor();
        wasm_validate::validate_visiting(module, features, &mut one).map(|()| vec![one])
    };
    #[cfg(not(feature = "std"))]
    let visitors = {
        let mut one = visitor();
        let _ = threads;
        wasm_validate::validate_visiting(module, features, &mut one).map(|()| vec![one])
    };
    let visitors = visitors.map_err(|e| CompileError::Invalid(e.into_invalid()))?;
    let mut out = Vec::with_capacity(if translate { module.bodies.len() } else { 0 });
    for visitor in visitors {
        if let Some(e) = visitor.failed {
            return Err(CompileError::Translate(e));
        }
        out.extend(
            visitor
                .out
                .into_iter()
                .map(|code| OnceCell::from(Rc::new(code))),
        );
    }
    let funcs = match translate {
        true => out.into_boxed_slice(),
        false => (0..module.bodies.len()).map(|_| OnceCell::new()).collect(),
    };
    package(module, funcs, None, metering).map_err(CompileError::Translate)
}

/// Code of at least this many bytes is validated (and translated) on several threads.
const PARALLEL_CODE_BYTES: usize = 256 * 1024;

/// How many threads load `module`: one, or for a large module one per core (at most 8).
/// Its bodies are independent, and the validator and translator keep no shared state.
/// (One without `std`.)
fn load_threads(module: &wasm_core::Module) -> usize {
    let code: usize = module.bodies.iter().map(|b| b.code.len()).sum();
    if code < PARALLEL_CODE_BYTES {
        return 1;
    }
    #[cfg(feature = "std")]
    return std::thread::available_parallelism().map_or(1, |n| n.get().min(8));
    #[cfg(not(feature = "std"))]
    1
}

/// Wraps a module's functions into the runtime's `CompiledCode`s: all translated, or none
/// yet, to be translated from `module` at their first call. The driver prepares the
/// translated ones now.
fn package(
    module: &Arc<wasm_core::Module>,
    funcs: Box<[OnceCell<Rc<CompiledFunc>>]>,
    validate: Option<wasm_validate::Features>,
    metering: Metering,
) -> Result<Vec<CompiledCode>, TranslateError> {
    let side = SideTable::new(module, metering);
    for (index, code) in funcs.iter().enumerate() {
        if let Some(code) = code.get() {
            side.install(index as u32, code).map_err(|what| {
                let offset = module.bodies.get(index).map_or(0, |body| body.offset);
                TranslateError::new(what, offset)
            })?;
        }
    }
    let module = Rc::new(ModuleCode {
        funcs,
        module: module.clone(),
        validate,
        scratch: RefCell::new(Scratch::metered(metering)),
        metering,
        first: module.num_imported_functions(),
        side,
    });
    Ok((0..module.funcs.len() as u32)
        .map(|index| {
            Rc::new(FuncCode {
                module: module.clone(),
                index,
            }) as CompiledCode
        })
        .collect())
}
