//! [`CompiledFunc`]: a translated function body, the translator's output and what both
//! dispatch drivers run (the threaded one through a side table of its own, built from
//! it by the engine).

use crate::isa::Instr;
use crate::prelude::*;

/// A translated function body: verified instructions and the frame layout.
#[derive(Debug)]
pub struct CompiledFunc {
    /// The instructions (branch targets are instruction indices), which passed `verify`.
    pub(crate) instrs: Box<[Instr]>,
    /// Number of parameters.
    pub(crate) num_params: u32,
    /// Number of declared locals (not counting parameters).
    pub(crate) num_locals: u32,
    /// Number of results.
    pub(crate) num_results: u32,
    /// Number of constant slots (after the locals; the temporaries follow).
    pub(crate) num_consts: u32,
    /// Slots a call of this function needs: locals (parameters included), constants and
    /// temporaries.
    pub(crate) frame_size: u32,
}

impl CompiledFunc {
    /// The instructions.
    pub(crate) fn instrs(&self) -> &[Instr] {
        &self.instrs
    }

    /// Slots of the value stack a call needs.
    pub(crate) fn frame_size(&self) -> usize {
        self.frame_size as usize
    }
}
