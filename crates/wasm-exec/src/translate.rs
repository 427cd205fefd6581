//! Translation: a validated function body becomes a [`CompiledFunc`], register-based
//! instructions that passed [`verify`](verify::verify).
//!
//! * `lower.rs`: the [`Translator`], fed operator by operator (by the validator when
//!   translation is eager, from the decoded body at the function's first call when it is
//!   lazy), keeping a model of Wasm's operand stack; [`Translator::finish`] runs the passes
//!   below in this order and verifies the result.
//! * `consts.rs`: constant slots and the prologue that writes them (`place_consts`);
//! * `rotate.rs`: loop rotation, a back edge that tests the exit itself (`rotate_loops`);
//! * `returns.rs`: returns taken where they are decided (`shortcut_returns`);
//! * `accumulators.rs`: inputs read from the accumulators, counter branches, copy pairs,
//!   squares (`assign_accumulators`);
//! * `verify.rs`: the check the dispatch's unchecked access rests on;
//! * `code.rs`: the output type; `disasm.rs`: its listing; `error.rs`: [`TranslateError`].

mod accumulators;
mod code;
mod consts;
mod disasm;
mod error;
mod lower;
mod returns;
mod rotate;
mod verify;

pub use code::CompiledFunc;
pub use error::TranslateError;
pub use lower::{Metering, translate, translate_metered};
pub(crate) use lower::{Scratch, Translator, translate_with};
