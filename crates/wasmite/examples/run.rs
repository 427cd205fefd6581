//! Runs an exported function of a WebAssembly module (binary or text).
//!
//! ```text
//! cargo run --release -p wasmite --example run -- crates/wasmite/examples/fib.wat fib 20
//! ```
//!
//! Arguments are parsed according to the export's parameter types; the results are
//! printed one per line. Modules with imports are refused (this runner provides none).

use anyhow::{Context, Result, bail};
use wasmite::{
    FuncInstance, ImportsBuilder, Module, ModuleInstance, NopExternals, RuntimeValue, ValueType,
};

fn parse_arg(ty: ValueType, text: &str) -> Result<RuntimeValue> {
    Ok(match ty {
        ValueType::I32 => RuntimeValue::I32(text.parse::<i64>().context("expected an i32")? as i32),
        ValueType::I64 => RuntimeValue::I64(text.parse().context("expected an i64")?),
        ValueType::F32 => RuntimeValue::F32(text.parse::<f32>().context("expected an f32")?.into()),
        ValueType::F64 => RuntimeValue::F64(text.parse::<f64>().context("expected an f64")?.into()),
    })
}

fn main() -> Result<()> {
    let mut args = std::env::args().skip(1);
    let (Some(path), Some(export)) = (args.next(), args.next()) else {
        bail!("usage: run <module.wasm|module.wat> <export> [args...]");
    };
    let bytes = std::fs::read(&path).with_context(|| format!("cannot read {path}"))?;
    let module = Module::from_buffer(&bytes)?;
    let instance =
        ModuleInstance::new(&module, &ImportsBuilder::default())?.run_start(&mut NopExternals)?;
    let func = instance
        .export_by_name(&export)
        .and_then(|e| e.as_func().cloned())
        .with_context(|| format!("no exported function {export:?}"))?;
    let params = func.signature().params().to_vec();
    let texts: Vec<String> = args.collect();
    if texts.len() != params.len() {
        bail!(
            "{export} takes {} arguments ({:?}), {} given",
            params.len(),
            params,
            texts.len()
        );
    }
    let values = params
        .iter()
        .zip(&texts)
        .map(|(ty, t)| parse_arg(*ty, t))
        .collect::<Result<Vec<_>>>()?;
    let mut results = vec![RuntimeValue::I32(0); func.signature().results().len()];
    FuncInstance::invoke_into(&func, &values, &mut results, &mut NopExternals)?;
    for result in results {
        match result {
            RuntimeValue::I32(v) => println!("{v}"),
            RuntimeValue::I64(v) => println!("{v}"),
            RuntimeValue::F32(v) => println!("{}", v.to_float()),
            RuntimeValue::F64(v) => println!("{}", v.to_float()),
        }
    }
    Ok(())
}
