//! Global section (spec 5.5.9).

use super::{const_expr, value_type};
use crate::error::DecodeError;
use crate::limits;
use crate::module::Module;
use crate::types::GlobalType;
use wasmparser::GlobalSectionReader;

pub(super) fn decode_globals(
    module: &mut Module,
    reader: GlobalSectionReader<'_>,
) -> Result<(), DecodeError> {
    let start = reader.range().start as usize;
    let count = module.globals.len() + reader.count() as usize;
    limits::check(count, limits::MAX_GLOBALS, "globals", start)?;
    module
        .global_inits
        .reserve_exact(super::backed(reader.count() as usize, &reader.range()));
    for entry in reader.into_iter_with_offsets() {
        let (offset, global) = entry?;
        let content = value_type(global.ty.content_type, offset as usize)?;
        if global.ty.shared {
            return Err(invalid_mutability(offset as usize));
        }
        module.globals.push(GlobalType {
            content,
            mutable: global.ty.mutable,
        });
        module.global_inits.push(const_expr(&global.init_expr));
    }
    Ok(())
}

/// The mutability byte was neither 0 nor 1: `wasmparser` reads bit 1 as the `shared` flag
/// of the shared-everything-threads proposal, which Wasmite does not decode.
#[cold]
pub(super) fn invalid_mutability(offset: usize) -> DecodeError {
    DecodeError::new(
        "invalid mutability (shared globals are not supported)",
        offset,
    )
}
