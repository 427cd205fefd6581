//! [`Module`]: bytes decoded, validated and translated, ready to instantiate.

use crate::{Error, Features};
use std::rc::Rc;
use std::sync::Arc;
use wasm_core::ValueType;
use wasm_core::wasmparser::Operator;
use wasm_exec::{ExecEngine, Translation};
use wasm_runtime::LoadedModule;

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
    /// validated entirely by [`Module::from_buffer_with_config`].
    pub fn translation(mut self, translation: Translation) -> Config {
        self.translation = translation;
        self
    }
}

/// A validated module, ready to instantiate with
/// [`ModuleInstance::new`](crate::ModuleInstance::new). One module can be instantiated
/// many times.
#[derive(Debug, Clone)]
pub struct Module {
    loaded: LoadedModule,
}

impl AsRef<LoadedModule> for Module {
    fn as_ref(&self) -> &LoadedModule {
        &self.loaded
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

    /// Parses the text format and loads the module.
    #[cfg(feature = "wat")]
    pub fn from_wat(text: &str) -> Result<Module, Error> {
        let binary = wat::parse_str(text).map_err(|e| Error::Validation(e.to_string()))?;
        Self::from_binary(&binary, &Config::new())
    }

    fn from_binary(bytes: &[u8], config: &Config) -> Result<Module, Error> {
        let module = wasm_core::decode(bytes).map_err(|e| Error::Validation(e.to_string()))?;
        let module = Arc::new(module);
        let engine = ExecEngine::new();
        let code = engine
            .load(&module, &config.features, config.translation)
            .map_err(|e| Error::Validation(e.to_string()))?;
        Ok(Module {
            loaded: LoadedModule::new(module, Rc::new(engine), code),
        })
    }

    /// Fails if the module uses floating point: `f32`/`f64` in any type, local or global,
    /// or any floating-point instruction. For hosts that need bit-for-bit determinism
    /// across platforms.
    pub fn deny_floating_point(&self) -> Result<(), Error> {
        let module = self.loaded.module();
        let is_float = |t: &ValueType| matches!(t, ValueType::F32 | ValueType::F64);
        let float_type = module
            .types
            .iter()
            .any(|s| s.params().iter().any(is_float) || s.results().iter().any(is_float))
            || module.globals.iter().any(|g| is_float(&g.content))
            || module
                .bodies
                .iter()
                .any(|b| b.locals.iter().any(|(_, t)| is_float(t)));
        if float_type {
            return Err(Error::Validation(
                "floating point types are not allowed".to_string(),
            ));
        }
        for body in &module.bodies {
            let mut reader = module.operators(&body.code);
            while !reader.eof() {
                let op = reader
                    .read()
                    .map_err(|e| Error::Validation(e.to_string()))?;
                if uses_float(&op) {
                    return Err(Error::Validation(format!(
                        "floating point instruction {op:?} is not allowed"
                    )));
                }
            }
        }
        Ok(())
    }

    /// The decoded module (types, imports, exports, custom sections...).
    pub fn core(&self) -> &wasm_core::Module {
        self.loaded.module()
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
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every scalar operator of `wasmparser` whose name says it involves `f32` or `f64`
    /// (the vector ones, `f32x4`..., aside) is in the list, and nothing else is.
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
                (name.contains("F32") || name.contains("F64"))
                    && !name.contains("x4")
                    && !name.contains("x2")
            })
            .collect();
        let mut listed = FLOAT_OPERATORS.to_vec();
        expected.sort_unstable();
        listed.sort_unstable();
        assert_eq!(listed, expected);
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
        ] {
            let wat = format!("(module (memory 1) (func {body}))");
            assert!(deny(&wat).is_err(), "{body}");
        }
        // Float types in signatures, locals and globals are denied too.
        assert!(deny("(module (func (param f32)))").is_err());
        assert!(deny("(module (func (local f64)))").is_err());
        assert!(deny("(module (global f32 (f32.const 0)))").is_err());
    }
}
