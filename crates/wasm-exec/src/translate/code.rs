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
    /// The catch clauses of its `try_table`s (exception handling), and the code offset
    /// of each instruction, by which they are found; empty without `try_table`.
    pub(crate) handlers: Handlers,
}

/// The catch clauses of a function's `try_table`s: where an exception thrown at an
/// instruction goes, found only when one is thrown (code that does not throw pays
/// nothing for them).
#[derive(Debug, Default)]
pub(crate) struct Handlers {
    /// The clauses, the innermost `try_table`'s first, each one's in order.
    pub(crate) clauses: Box<[Handler]>,
    /// The code offset of the operator each instruction comes from (empty when there
    /// are no clauses).
    pub(crate) offsets: Box<[u32]>,
}

/// One catch clause of a `try_table` whose body spans the code offsets
/// `start < offset < end`.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Handler {
    pub(crate) start: u32,
    pub(crate) end: u32,
    /// The tag (module index) it catches; `None` for `catch_all`.
    pub(crate) tag: Option<u32>,
    /// Whether the label also gets the `exnref` (`catch_ref`, `catch_all_ref`).
    pub(crate) with_ref: bool,
    /// The position of its landing pad: a `Catch` instruction, where the engine puts the
    /// label's values and resumes.
    pub(crate) pad: u32,
}

impl Handlers {
    /// The clause that catches an exception thrown at instruction `at`, if any, given
    /// which tags match it (`matches(tag)`).
    pub(crate) fn find(&self, at: usize, matches: impl Fn(u32) -> bool) -> Option<Handler> {
        let offset = *self.offsets.get(at)?;
        self.clauses.iter().copied().find(|clause| {
            clause.start < offset && offset < clause.end && clause.tag.is_none_or(&matches)
        })
    }
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
