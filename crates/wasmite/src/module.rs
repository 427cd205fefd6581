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

/// Whether an operator computes on, loads, stores or converts floats. `wasmparser` names
/// every such operator with `F32` or `F64` (`F32Add`, `I32TruncF64S`, `F64Load`...).
fn uses_float(op: &Operator<'_>) -> bool {
    let name = format!("{op:?}");
    let name = name.split([' ', '{', '(']).next().unwrap_or("");
    name.contains("F32") || name.contains("F64")
}
