//! The disassembly of a [`CompiledFunc`], for `examples/disasm.rs` and the tests that
//! check what a function becomes.

use super::code::CompiledFunc;
use crate::prelude::*;
use core::fmt::Write as _;

impl CompiledFunc {
    /// A listing of the function: its frame layout, then one instruction per line (an
    /// input that names an accumulator shows as `acc`).
    pub fn disassemble(&self) -> String {
        let mut out = format!(
            "params: {}, locals: {}, results: {}, frame: {} slots (constants from slot {}, temporaries from slot {})\n",
            self.num_params,
            self.num_locals,
            self.num_results,
            self.frame_size,
            self.num_params + self.num_locals,
            self.num_params + self.num_locals + self.num_consts,
        );
        for (i, instr) in self.instrs().iter().enumerate() {
            let _ = writeln!(out, "{i:4}: {}", instr.text());
        }
        out
    }
}
