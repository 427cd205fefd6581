//! Helpers the API tests share: an instance's exported function, and a call with
//! [`Value`]s that returns the results.

// Each test crate uses the part it needs.
#![allow(dead_code)]

use wasmite::{Externals, FuncInstance, FuncRef, ModuleRef, Trap, Value};

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
