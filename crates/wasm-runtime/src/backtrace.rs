//! Wasm backtraces: the Wasm call stack of a trap ([`WasmBacktrace`], one [`FrameInfo`]
//! per frame, innermost first).
//!
//! The seed's `Trap` and `Error` are enums whose variants embedders match exhaustively,
//! so a backtrace cannot ride inside them. It is kept next to the call instead: by the
//! [`StackRecycler`](crate::StackRecycler) the call ran on
//! ([`StackRecycler::backtrace`](crate::StackRecycler::backtrace), for
//! `invoke_export_with_stack`, `run_start_with_stack`, `FuncInstance::invoke_with_stack`...)
//! and by a resumable call ([`FuncInvocation::backtrace`](crate::FuncInvocation::backtrace)).
//!
//! Capturing costs nothing until a trap: the engine then records, per frame, its module's
//! code, function and instruction position (a few words). Names and code offsets are
//! looked up only when asked for, through the engine's [`FrameSource`].

use crate::prelude::*;
use alloc::rc::Rc;
use core::cell::OnceCell;
use core::fmt;

/// At most this many frames are kept, the innermost ones; a deeper stack (such as the
/// one that ends in "call stack exhausted") reports how many it left out.
pub const MAX_BACKTRACE_FRAMES: usize = 128;

/// What an engine tells about the code of one module, for the frames of its functions.
pub trait FrameSource {
    /// The module's name, from its name section.
    fn module_name(&self) -> Option<&str>;
    /// The name of function `func_index` (the module's index space, imports first), from
    /// the name section.
    fn func_name(&self, func_index: u32) -> Option<&str>;
    /// The offset in the module's bytes of the Wasm operator that the instruction at
    /// `position` of function `func_index`'s compiled code comes from.
    fn code_offset(&self, func_index: u32, position: usize) -> Option<usize>;
    /// The offset in the module's bytes of function `func_index`'s body.
    fn body_offset(&self, func_index: u32) -> Option<usize>;
}

/// One frame of a [`WasmBacktrace`]: a Wasm function and where in it execution was (the
/// trapping instruction in the innermost frame, the call in the others).
pub struct FrameInfo {
    source: Rc<dyn FrameSource>,
    func_index: u32,
    position: usize,
    offset: OnceCell<Option<usize>>,
}

impl FrameInfo {
    /// The frame of function `func_index` of the module `source` describes, at
    /// instruction `position` of its compiled code.
    pub(crate) fn new(source: Rc<dyn FrameSource>, func_index: u32, position: usize) -> Self {
        FrameInfo {
            source,
            func_index,
            position,
            offset: OnceCell::new(),
        }
    }

    /// The function's index in its module (imported functions first).
    pub fn func_index(&self) -> u32 {
        self.func_index
    }

    /// The function's name from the module's name section, if it has one.
    pub fn func_name(&self) -> Option<&str> {
        self.source.func_name(self.func_index)
    }

    /// The module's name from its name section, if it has one.
    pub fn module_name(&self) -> Option<&str> {
        self.source.module_name()
    }

    /// The offset in the module's bytes of the Wasm instruction the frame was at.
    pub fn module_offset(&self) -> Option<usize> {
        *self
            .offset
            .get_or_init(|| self.source.code_offset(self.func_index, self.position))
    }

    /// The same offset, from the start of the function's body (its locals' declarations).
    pub fn func_offset(&self) -> Option<usize> {
        let body = self.source.body_offset(self.func_index)?;
        self.module_offset()?.checked_sub(body)
    }
}

impl fmt::Debug for FrameInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FrameInfo")
            .field("func_index", &self.func_index)
            .field("func_name", &self.func_name())
            .field("module_name", &self.module_name())
            .field("module_offset", &self.module_offset())
            .finish()
    }
}

/// The Wasm call stack of a trap, innermost frame first.
///
/// `Display` prints it as Wasmtime does:
///
/// ```text
/// wasm backtrace:
///     0:   0x2d - <unknown>!divide
///     1:   0x25 - <unknown>!<wasm function 1>
/// ```
#[derive(Debug)]
pub struct WasmBacktrace {
    frames: Vec<FrameInfo>,
    omitted: usize,
}

impl WasmBacktrace {
    /// A backtrace of `frames` (innermost first), `omitted` outer frames left out.
    pub(crate) fn new(frames: Vec<FrameInfo>, omitted: usize) -> Self {
        WasmBacktrace { frames, omitted }
    }

    /// The frames, innermost (where the trap happened) first.
    pub fn frames(&self) -> &[FrameInfo] {
        &self.frames
    }

    /// How many outer frames are left out (beyond [`MAX_BACKTRACE_FRAMES`]).
    pub fn omitted_frames(&self) -> usize {
        self.omitted
    }
}

impl fmt::Display for WasmBacktrace {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("wasm backtrace:")?;
        for (i, frame) in self.frames.iter().enumerate() {
            write!(f, "\n  {i:>3}: ")?;
            if let Some(offset) = frame.module_offset() {
                write!(f, "{offset:>#6x} - ")?;
            }
            f.write_str(frame.module_name().unwrap_or("<unknown>"))?;
            match frame.func_name() {
                Some(name) => write!(f, "!{name}")?,
                None => write!(f, "!<wasm function {}>", frame.func_index)?,
            }
        }
        if self.omitted > 0 {
            write!(f, "\n  ... {} more frames", self.omitted)?;
        }
        Ok(())
    }
}
