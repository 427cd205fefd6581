//! Prints the engine's translation of every function of a module (binary or text).
//!
//! ```text
//! cargo run -p wasm-exec --example disasm -- crates/bench/programs/counter_locals.wat
//! cargo run -p wasm-exec --example disasm -- --fuel --interrupt FILE
//! ```
//!
//! `--fuel` and `--interrupt` show the checks of code loaded with fuel metering or
//! interruption on.
//!
//! The module is decoded but not validated: give it valid modules.

use anyhow::{Context, Result, bail};

fn main() -> Result<()> {
    let mut metering = wasm_exec::Metering::default();
    let mut path = None;
    for arg in std::env::args().skip(1) {
        match arg.as_str() {
            "--fuel" => metering.fuel = true,
            "--interrupt" => metering.interrupt = true,
            _ => path = Some(arg),
        }
    }
    let Some(path) = path else {
        bail!("usage: disasm [--fuel] [--interrupt] <module.wasm|module.wat>");
    };
    let bytes = std::fs::read(&path).with_context(|| format!("cannot read {path}"))?;
    let bytes = wat::parse_bytes(&bytes).context("cannot parse the text format")?;
    let module = wasm_core::decode(&bytes)?;
    let first = module.num_imported_functions();
    for i in 0..module.bodies.len() as u32 {
        let code = wasm_exec::translate_metered(&module, first + i, metering)?;
        println!("func {}: {}", first + i, code.disassemble());
    }
    Ok(())
}
