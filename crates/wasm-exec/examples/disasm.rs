//! Prints the engine's translation of every function of a module (binary or text).
//!
//! ```text
//! cargo run -p wasm-exec --example disasm -- crates/bench/programs/counter_locals.wat
//! ```
//!
//! The module is decoded but not validated: give it valid modules.

use anyhow::{Context, Result, bail};

fn main() -> Result<()> {
    let Some(path) = std::env::args().nth(1) else {
        bail!("usage: disasm <module.wasm|module.wat>");
    };
    let bytes = std::fs::read(&path).with_context(|| format!("cannot read {path}"))?;
    let bytes = wat::parse_bytes(&bytes).context("cannot parse the text format")?;
    let module = wasm_core::decode(&bytes)?;
    let first = module.num_imported_functions();
    for i in 0..module.bodies.len() as u32 {
        let code = wasm_exec::translate(&module, first + i)?;
        println!("func {}: {}", first + i, code.disassemble());
    }
    Ok(())
}
