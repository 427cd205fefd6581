//! Implementation limits, in one place.
//!
//! The spec lets an implementation bound the sizes of a module (spec appendix A.2,
//! "Implementation Limitations"). Wasmite uses the same values as `wasmparser`'s
//! validator, which Wasmtime and wasmi also enforce, so that a module one of them accepts
//! Wasmite accepts too, and a hostile module cannot make the decoder or the engine
//! allocate without bound. Exceeding a limit is a `DecodeError` naming the limit.

use crate::prelude::*;

/// Function types in the type section.
pub const MAX_TYPES: usize = 1_000_000;
/// Functions, imported and defined.
pub const MAX_FUNCTIONS: usize = 1_000_000;
/// Imports.
pub const MAX_IMPORTS: usize = 1_000_000;
/// Exports.
pub const MAX_EXPORTS: usize = 1_000_000;
/// Globals, imported and defined.
pub const MAX_GLOBALS: usize = 1_000_000;
/// Element segments.
pub const MAX_ELEMENT_SEGMENTS: usize = 100_000;
/// Data segments.
pub const MAX_DATA_SEGMENTS: usize = 100_000;
/// Tables, imported and defined.
pub const MAX_TABLES: usize = 100_000;
/// Memories, imported and defined.
pub const MAX_MEMORIES: usize = 100;
/// Most tags (exception handling), imported and defined.
pub const MAX_TAGS: usize = 1_000_000;
/// Bytes of one function body.
pub const MAX_FUNCTION_SIZE: usize = 7_654_321;
/// Locals of one function, parameters included.
pub const MAX_FUNCTION_LOCALS: u32 = 50_000;
/// Parameters of one function type.
pub const MAX_FUNCTION_PARAMS: usize = 1000;
/// Results of one function type.
pub const MAX_FUNCTION_RESULTS: usize = 1000;
/// Initial size of a table, in elements; at run time also the size a table may grow to
/// and the total initial size of an instance's defined tables (so that a module cannot
/// make instantiation or `table.grow` allocate without bound).
pub const MAX_TABLE_ENTRIES: u64 = 10_000_000;
/// Bytes of a name (import, export, custom section); enforced by `wasmparser`'s reader.
pub const MAX_STRING_SIZE: usize = 100_000;

use crate::error::DecodeError;

/// Checks `count` entities of `what` against `max`.
pub(crate) fn check(
    count: usize,
    max: usize,
    what: &str,
    offset: usize,
) -> Result<(), DecodeError> {
    if count > max {
        return Err(DecodeError::new(
            format!("too many {what} (limit {max})"),
            offset,
        ));
    }
    Ok(())
}
