//! Helpers the API tests share: loading and instantiating Wasm 3.0 text, an instance's
//! exported function, and a call with [`Value`]s that returns the results.

// Each test crate uses the part it needs.
#![allow(dead_code)]

use wasmite::{
    Config, Externals, Features, FuncInstance, FuncRef, ImportsBuilder, Module, ModuleInstance,
    ModuleRef, Trap, Value,
};

/// A configuration with the Wasm 3.0 features Wasmite builds.
pub fn wasm3_config() -> Config {
    Config::new().features(Features::wasm3())
}

/// `text` loaded with [`wasm3_config`].
pub fn load_wasm3(text: &str) -> Result<Module, wasmite::Error> {
    Module::from_buffer_with_config(text, &wasm3_config())
}

/// `text` loaded with [`wasm3_config`] and instantiated against `imports`.
pub fn instantiate_wasm3_with(
    text: &str,
    imports: &ImportsBuilder<'_>,
) -> Result<ModuleRef, wasmite::Error> {
    let module = load_wasm3(text)?;
    Ok(ModuleInstance::new(&module, imports)?.assert_no_start())
}

/// The exported function `name` of `instance`.
pub fn func(instance: &ModuleRef, name: &str) -> FuncRef {
    instance
        .export_by_name(name)
        .and_then(|e| e.as_func().cloned())
        .expect("function export")
}

/// Calls export `name` with `args` (host functions from `externals`); returns its results.
pub fn call_with(
    instance: &ModuleRef,
    name: &str,
    args: &[Value],
    externals: &mut impl Externals,
) -> Result<Vec<Value>, Trap> {
    let f = func(instance, name);
    let mut results: Vec<Value> = f
        .signature()
        .result_types()
        .iter()
        .map(|&t| Value::default_of(t))
        .collect();
    FuncInstance::invoke_values(&f, args, &mut results, externals)?;
    Ok(results)
}
