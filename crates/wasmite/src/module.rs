//! [`Module`]: bytes decoded, validated and translated, ready to instantiate.

use crate::thread_code;
use crate::{Error, Features};
use std::rc::Rc;
use std::sync::Arc;
use wasm_core::ValType;
use wasm_core::wasmparser::Operator;
use wasm_exec::{ExecEngine, Metering, Translation};
use wasm_runtime::{Instantiable, LoadedModule};

/// How [`Module::from_buffer_with_config`] loads a module.
///
/// ```
/// use wasmite::{Config, Features, Module, Translation};
///
/// let config = Config::new()
///     .features(Features::mvp())
///     .translation(Translation::Eager);
/// let module = Module::from_buffer_with_config("(module)", &config).unwrap();
/// # let _ = module;
/// ```
#[derive(Debug, Clone, Default)]
pub struct Config {
    features: Features,
    translation: Translation,
    metering: Metering,
}

impl Config {
    /// The default: [`Features::default`], [`Translation::Lazy`].
    pub fn new() -> Config {
        Config::default()
    }

    /// The proposals the module may use.
    pub fn features(mut self, features: Features) -> Config {
        self.features = features;
        self
    }

    /// When function bodies are translated for the interpreter: each at its first call
    /// (the default) or all when the module is loaded. Either way the module is
    /// validated entirely by [`Module::from_buffer_with_config`], unless
    /// [`Translation::LazyValidation`] (opt-in) leaves each body's validation to the
    /// first call of its function.
    ///
    /// The code made at load serves the loading thread. Another thread that instantiates
    /// the module makes its own code the first time, translating each function at its
    /// first call there (every body is known to translate by then).
    pub fn translation(mut self, translation: Translation) -> Config {
        self.translation = translation;
        self
    }

    /// Fuel metering (off by default): the module's code pays for what it runs from the
    /// fuel of the instance its invocation started at ([`ModuleInstance::set_fuel`],
    /// [`add_fuel`](crate::ModuleInstance::add_fuel), [`fuel`](crate::ModuleInstance::fuel)), and
    /// stops with the [`OutOfFuel`](crate::OutOfFuel) trap when it cannot. A resumable
    /// invocation stopped so resumes once fuel is added.
    ///
    /// The cost model: every Wasm operator costs 1 unit, paid ahead for each stretch of
    /// code that runs straight through (from a function's start, a loop's head, an
    /// `else`, a loop's `end` or an `end` that a branch reaches, to the next of these), so a
    /// trap or a
    /// branch leaving a stretch
    /// early has paid for all of it. The count follows the Wasm code alone: the same in
    /// every build, dispatch and translation mode. Code without metering consumes
    /// nothing and costs nothing.
    ///
    /// [`ModuleInstance::set_fuel`]: crate::ModuleInstance::set_fuel
    /// [`ModuleInstance::fuel`]: crate::ModuleInstance::fuel
    pub fn consume_fuel(mut self, on: bool) -> Config {
        self.metering.fuel = on;
        self
    }

    /// Interruption (off by default): the module's code checks, at every function entry
    /// and loop iteration (folded into the branch that closes the loop), whether the [`InterruptHandle`](crate::InterruptHandle) of the
    /// instance its invocation started at was raised, and stops with the
    /// [`Interrupted`](crate::Interrupted) trap if so. Another thread raises it
    /// (`ModuleInstance::interrupt_handle().interrupt()`), or a deadline does
    /// (`interrupt_after`).
    pub fn interruptible(mut self, on: bool) -> Config {
        self.metering.interrupt = on;
        self
    }
}

/// A validated module, ready to instantiate with
/// [`ModuleInstance::new`](crate::ModuleInstance::new). One module can be instantiated
/// many times.
///
/// A module is plain data: it is `Send` and `Sync`, and cloning it is cheap (the clones
/// share the decoded module), so threads can share one and each instantiate it. The
/// engine's code for a thread is made the first time the module is instantiated there
/// (see [`Config::translation`]); instances stay on the thread that made them.
#[derive(Clone)]
pub struct Module {
    shared: Arc<Shared>,
}

/// What the clones of a [`Module`] share: the decoded, validated module and the proposals
/// it was validated with, from which a thread's engine code is made.
pub(crate) struct Shared {
    module: Arc<wasm_core::Module>,
    features: Features,
    /// How other threads make their code: `Lazy`, or `LazyValidation` if the module was
    /// loaded so (its bodies are not known to be valid).
    elsewhere: Translation,
    /// The checks the code makes (fuel, interruption), on every thread.
    metering: Metering,
}

impl Shared {
    /// Validates the module and makes the engine's code for the calling thread.
    fn load(&self, translation: Translation) -> Result<LoadedModule, Error> {
        let engine = ExecEngine::new();
        let code = engine
            .load(&self.module, &self.features, translation, self.metering)
            .map_err(|e| Error::Validation(e.to_string()))?;
        Ok(LoadedModule::new(
            self.module.clone(),
            Rc::new(engine),
            code,
        ))
    }
}

impl Drop for Shared {
    fn drop(&mut self) {
        thread_code::remove(self);
    }
}

impl core::fmt::Debug for Module {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Module")
            .field("functions", &self.shared.module.bodies.len())
            .finish()
    }
}

/// The code made at load on the loading thread; on another thread, code made the first
/// time the module is instantiated there, each function translated at its first call.
/// (The module was validated at load: doing it again cannot fail.)
impl Instantiable for Module {
    fn loaded_module(&self) -> Result<LoadedModule, Error> {
        if let Some(loaded) = thread_code::get(&self.shared) {
            return Ok(loaded);
        }
        let loaded = self.shared.load(self.shared.elsewhere)?;
        thread_code::insert(&self.shared, loaded.clone());
        Ok(loaded)
    }
}

impl Module {
    /// Decodes and validates a module.
    ///
    /// With the `wat` feature (on by default), `buffer` may also hold the WebAssembly
    /// text format: anything that does not start with the binary magic `\0asm` is parsed
    /// as text. Malformed and invalid modules give [`Error::Validation`] with the spec's
    /// wording and the byte offset.
    pub fn from_buffer<B: AsRef<[u8]>>(buffer: B) -> Result<Module, Error> {
        Self::from_buffer_with_features(buffer, &Features::default())
    }

    /// [`from_buffer`](Self::from_buffer) accepting the proposals in `features`.
    pub fn from_buffer_with_features<B: AsRef<[u8]>>(
        buffer: B,
        features: &Features,
    ) -> Result<Module, Error> {
        Self::from_buffer_with_config(buffer, &Config::new().features(*features))
    }

    /// [`from_buffer`](Self::from_buffer) with the proposals and the translation mode
    /// of `config`.
    pub fn from_buffer_with_config<B: AsRef<[u8]>>(
        buffer: B,
        config: &Config,
    ) -> Result<Module, Error> {
        let bytes = buffer.as_ref();
        #[cfg(feature = "wat")]
        if !bytes.starts_with(b"\0asm") {
            let binary = wat::parse_bytes(bytes).map_err(|e| Error::Validation(e.to_string()))?;
            return Self::from_binary(&binary, config);
        }
        Self::from_binary(bytes, config)
    }

    /// Loads a module built or read with `parity-wasm` (feature `parity-wasm`): it is
    /// serialised to the binary format and loaded as [`from_buffer`](Self::from_buffer)
    /// loads a binary. A module that does not serialise, or is not valid, gives
    /// [`Error::Validation`].
    #[cfg(feature = "parity-wasm")]
    pub fn from_parity_wasm_module(module: parity_wasm::elements::Module) -> Result<Module, Error> {
        let bytes = parity_wasm::serialize(module).map_err(|e| Error::Validation(e.to_string()))?;
        Self::from_binary(&bytes, &Config::new())
    }

    /// Parses the text format and loads the module.
    #[cfg(feature = "wat")]
    pub fn from_wat(text: &str) -> Result<Module, Error> {
        let binary = wat::parse_str(text).map_err(|e| Error::Validation(e.to_string()))?;
        Self::from_binary(&binary, &Config::new())
    }

    fn from_binary(bytes: &[u8], config: &Config) -> Result<Module, Error> {
        let module = wasm_core::decode_with(bytes, config.features.decoding())
            .map_err(|e| Error::Validation(e.to_string()))?;
        let elsewhere = match config.translation {
            Translation::LazyValidation => Translation::LazyValidation,
            _ => Translation::Lazy,
        };
        let shared = Arc::new(Shared {
            module: Arc::new(module),
            features: config.features,
            elsewhere,
            metering: config.metering,
        });
        let loaded = shared.load(config.translation)?;
        thread_code::insert(&shared, loaded);
        Ok(Module { shared })
    }

    /// Fails if the module computes with floating point, for hosts that need
    /// bit-for-bit determinism across platforms: any floating-point instruction in a
    /// function body (SIMD's on `f32x4` and `f64x2` lanes included), or an `f32`/`f64` parameter or result of a function the module
    /// defines. As in the seed, floats that are only moved around are allowed: float
    /// locals, globals (with their constant initialisers), and the types of imported
    /// functions. The error is an [`Error::Validation`].
    pub fn deny_floating_point(&self) -> Result<(), Error> {
        let module = &self.shared.module;
        for body in &module.bodies {
            let mut reader = module.operators(&body.code);
            while !reader.eof() {
                let op = reader
                    .read()
                    .map_err(|e| Error::Validation(e.to_string()))?;
                if uses_float(&op) {
                    return Err(Error::Validation(format!(
                        "Floating point operation denied: {op:?}"
                    )));
                }
            }
        }
        let is_float = |t: &ValType| matches!(t, ValType::F32 | ValType::F64);
        let imported = module.num_imported_functions();
        let float_type = (0..module.bodies.len() as u32)
            .filter_map(|defined| module.func_signature(imported + defined))
            .any(|s| s.param_types().iter().chain(s.result_types()).any(is_float));
        if float_type {
            return Err(Error::Validation(
                "Use of floating point types denied".to_string(),
            ));
        }
        Ok(())
    }

    /// The decoded module (types, imports, exports, custom sections...).
    pub fn core(&self) -> &wasm_core::Module {
        &self.shared.module
    }
}

/// Defines [`uses_float`] from the list of the operators that compute on, load, store,
/// compare, convert or reinterpret floats (SIMD's are rejected at load time for now), and
/// the list itself for the test that checks it against `wasmparser`'s operators.
macro_rules! float_operators {
    ($($op:ident)*) => {
        /// Whether `op` is a floating-point instruction.
        fn uses_float(op: &Operator<'_>) -> bool {
            matches!(op, $(Operator::$op { .. })|*)
        }

        /// The names of the operators [`uses_float`] accepts.
        #[cfg(test)]
        const FLOAT_OPERATORS: &[&str] = &[$(stringify!($op)),*];
    };
}

float_operators! {
    F32Load F64Load F32Store F64Store F32Const F64Const
    F32Eq F32Ne F32Lt F32Gt F32Le F32Ge F64Eq F64Ne F64Lt F64Gt F64Le F64Ge
    F32Abs F32Neg F32Ceil F32Floor F32Trunc F32Nearest F32Sqrt
    F32Add F32Sub F32Mul F32Div F32Min F32Max F32Copysign
    F64Abs F64Neg F64Ceil F64Floor F64Trunc F64Nearest F64Sqrt
    F64Add F64Sub F64Mul F64Div F64Min F64Max F64Copysign
    I32TruncF32S I32TruncF32U I32TruncF64S I32TruncF64U
    I64TruncF32S I64TruncF32U I64TruncF64S I64TruncF64U
    F32ConvertI32S F32ConvertI32U F32ConvertI64S F32ConvertI64U F32DemoteF64
    F64ConvertI32S F64ConvertI32U F64ConvertI64S F64ConvertI64U F64PromoteF32
    I32ReinterpretF32 I64ReinterpretF64 F32ReinterpretI32 F64ReinterpretI64
    I32TruncSatF32S I32TruncSatF32U I32TruncSatF64S I32TruncSatF64U
    I64TruncSatF32S I64TruncSatF32U I64TruncSatF64S I64TruncSatF64U
    // SIMD: every operator on f32x4 or f64x2 lanes.
    F32x4ExtractLane F32x4ReplaceLane F64x2ExtractLane F64x2ReplaceLane F32x4Splat
    F64x2Splat F32x4Eq F32x4Ne F32x4Lt F32x4Gt F32x4Le F32x4Ge F64x2Eq F64x2Ne F64x2Lt
    F64x2Gt F64x2Le F64x2Ge F32x4Ceil F32x4Floor F32x4Trunc F32x4Nearest F32x4Abs F32x4Neg
    F32x4Sqrt F32x4Add F32x4Sub F32x4Mul F32x4Div F32x4Min F32x4Max F32x4PMin F32x4PMax
    F64x2Ceil F64x2Floor F64x2Trunc F64x2Nearest F64x2Abs F64x2Neg F64x2Sqrt F64x2Add
    F64x2Sub F64x2Mul F64x2Div F64x2Min F64x2Max F64x2PMin F64x2PMax I32x4TruncSatF32x4S
    I32x4TruncSatF32x4U F32x4ConvertI32x4S F32x4ConvertI32x4U I32x4TruncSatF64x2SZero
    I32x4TruncSatF64x2UZero F64x2ConvertLowI32x4S F64x2ConvertLowI32x4U F32x4DemoteF64x2Zero
    F64x2PromoteLowF32x4 I32x4RelaxedTruncF32x4S I32x4RelaxedTruncF32x4U
    I32x4RelaxedTruncF64x2SZero I32x4RelaxedTruncF64x2UZero F32x4RelaxedMadd
    F32x4RelaxedNmadd F64x2RelaxedMadd F64x2RelaxedNmadd F32x4RelaxedMin F32x4RelaxedMax
    F64x2RelaxedMin F64x2RelaxedMax
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{ImportsBuilder, ModuleInstance, NopExternals, RuntimeValue};

    const ANSWER: &str = r#"(module (func (export "answer") (result i32) i32.const 42))"#;

    fn answer(module: &Module) -> Option<RuntimeValue> {
        ModuleInstance::new(module, &ImportsBuilder::default())
            .unwrap()
            .assert_no_start()
            .invoke_export("answer", &[], &mut NopExternals)
            .unwrap()
    }

    fn send_sync<T: Send + Sync>(_: &T) {}

    #[test]
    fn a_module_is_shared_between_threads_and_instantiated_in_each() {
        for translation in [Translation::Lazy, Translation::Eager] {
            let config = Config::new().translation(translation);
            let module = Module::from_buffer_with_config(ANSWER, &config).unwrap();
            send_sync(&module);
            let shared = Arc::new(module.clone());
            let threads: Vec<_> = (0..2)
                .map(|_| {
                    let module = shared.clone();
                    std::thread::spawn(move || answer(&module))
                })
                .collect();
            for thread in threads {
                assert_eq!(thread.join().unwrap(), Some(RuntimeValue::I32(42)));
            }
            assert_eq!(answer(&module), Some(RuntimeValue::I32(42)));
        }
    }

    #[test]
    fn a_thread_makes_a_modules_code_once_and_lets_go_of_it_with_the_module() {
        let before = thread_code::len();
        let module = Module::from_buffer(ANSWER).unwrap();
        assert_eq!(thread_code::len(), before + 1);
        let first = module.loaded_module().unwrap();
        let again = module.clone().loaded_module().unwrap();
        assert!(Rc::ptr_eq(first.engine(), again.engine()));
        drop((first, again));
        let clone = module.clone();
        drop(module);
        assert_eq!(thread_code::len(), before + 1, "a clone keeps the code");
        drop(clone);
        assert_eq!(thread_code::len(), before);

        // Another thread's code goes when that thread exits.
        let module = Module::from_buffer(ANSWER).unwrap();
        let sent = module.clone();
        std::thread::spawn(move || {
            assert_eq!(thread_code::len(), 0);
            answer(&sent);
            assert_eq!(thread_code::len(), 1);
        })
        .join()
        .unwrap();
        assert_eq!(thread_code::len(), before + 1);
    }

    /// Every operator of `wasmparser` whose name says it involves `f32` or `f64` (scalars,
    /// or `f32x4`/`f64x2` lanes) is in the list, and nothing else is.
    #[test]
    fn the_float_operators_are_all_of_wasmparsers() {
        macro_rules! names {
            ($( @$proposal:ident $op:ident $({ $($arg:ident: $argty:ty),* })? => $visit:ident ($($ann:tt)*) )*) => {
                [$(stringify!($op)),*]
            };
        }
        let all = wasm_core::wasmparser::for_each_operator!(names);
        let mut expected: Vec<&str> = all
            .into_iter()
            .filter(|name| {
                let scalar = (name.contains("F32") || name.contains("F64"))
                    && !name.contains("x4")
                    && !name.contains("x2");
                scalar || name.contains("F32x4") || name.contains("F64x2")
            })
            .collect();
        let mut listed = FLOAT_OPERATORS.to_vec();
        expected.sort_unstable();
        listed.sort_unstable();
        assert_eq!(listed, expected);
    }

    #[cfg(feature = "parity-wasm")]
    #[test]
    fn parity_wasm_modules_load_and_invalid_ones_are_validation_errors() {
        use parity_wasm::elements;
        let binary = wat::parse_str(ANSWER).unwrap();
        let parsed: elements::Module = elements::deserialize_buffer(&binary).unwrap();
        let module = Module::from_parity_wasm_module(parsed).unwrap();
        assert_eq!(answer(&module), Some(RuntimeValue::I32(42)));
        let invalid = wat::parse_str("(module (func (result i32) i64.const 1))").unwrap();
        let parsed: elements::Module = elements::deserialize_buffer(&invalid).unwrap();
        assert!(matches!(
            Module::from_parity_wasm_module(parsed),
            Err(Error::Validation(_))
        ));
    }

    #[test]
    fn floats_are_denied_and_integers_are_not() {
        let deny = |wat: &str| Module::from_buffer(wat).unwrap().deny_floating_point();
        assert!(deny("(module (func (result i32) i32.const 1 i32.const 2 i32.add))").is_ok());
        for body in [
            "f32.const 1 drop",
            "i32.const 0 f64.load drop",
            "i64.const 1 f64.reinterpret_i64 drop",
            "i32.const 1 f32.convert_i32_u drop",
            "v128.const i64x2 0 0 f32x4.sqrt drop",
            "v128.const i64x2 0 0 i32x4.trunc_sat_f64x2_s_zero drop",
        ] {
            let wat = format!("(module (memory 1) (func {body}))");
            assert!(deny(&wat).is_err(), "{body}");
        }
        // Float parameters and results of defined functions are denied too...
        assert!(deny("(module (func (param f32)))").is_err());
        assert!(deny("(module (func (result f64) unreachable))").is_err());
        // ...but not floats that are only moved around, as in the seed.
        assert!(deny("(module (func (local f64)))").is_ok());
        assert!(deny("(module (global f32 (f32.const 0)))").is_ok());
        assert!(deny(r#"(module (import "m" "f" (func (param f32))))"#).is_ok());
        assert!(deny("(module (type (func (result f32))))").is_ok());
    }
}
