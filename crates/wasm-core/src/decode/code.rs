//! Function and code sections (spec 5.5.6, 5.5.13).

use crate::prelude::*;

use super::value_type;
use crate::error::DecodeError;
use crate::limits;
use crate::module::{FuncBody, Module};
use wasmparser::{FunctionBody, FunctionSectionReader};

/// The most locals a function may have, parameters included
/// ([`limits::MAX_FUNCTION_LOCALS`]). The spec only bounds the count by `2^32`; a limit
/// keeps a hostile module from making every call allocate gigabytes.
pub const MAX_LOCALS: u32 = limits::MAX_FUNCTION_LOCALS;

pub(super) fn decode_functions(
    module: &mut Module,
    reader: FunctionSectionReader<'_>,
) -> Result<(), DecodeError> {
    let offset = reader.range().start as usize;
    let count = reader.count() as usize;
    limits::check(
        module.functions.len() + count,
        limits::MAX_FUNCTIONS,
        "functions",
        offset,
    )?;
    module
        .functions
        .reserve_exact(super::backed(count, &reader.range()));
    for entry in reader.into_iter_with_offsets() {
        let (offset, ty) = entry?;
        module.functions.push(ty);
        module.func_offsets.push(offset as usize);
    }
    Ok(())
}

pub(super) fn decode_body(module: &mut Module, body: FunctionBody<'_>) -> Result<(), DecodeError> {
    let defined = module.functions.len() - module.imported[0] as usize;
    let offset = body.range().start as usize;
    if module.bodies.len() >= defined {
        return Err(DecodeError::new(
            "function and code section have inconsistent lengths",
            offset,
        ));
    }
    let size = body.range().end - body.range().start;
    if size as usize > limits::MAX_FUNCTION_SIZE {
        return Err(DecodeError::new(
            format!(
                "function body too large (limit {} bytes)",
                limits::MAX_FUNCTION_SIZE
            ),
            offset,
        ));
    }
    // Parameters count as locals; an unknown type is the validator's to report.
    let index = module.imported[0] as usize + module.bodies.len();
    let params = module
        .func_signature(index as u32)
        .map_or(0, |s| s.param_types().len() as u64);
    let mut reader = body.get_locals_reader()?;
    let mut locals = Vec::with_capacity(reader.get_count().min(64) as usize);
    let mut total: u64 = 0;
    let mut with_params: u64 = params;
    for _ in 0..reader.get_count() {
        let at = reader.original_position() as usize;
        let (count, ty) = reader.read()?;
        total += u64::from(count);
        with_params += u64::from(count);
        if with_params > u64::from(MAX_LOCALS) {
            return Err(DecodeError::new("too many locals", at));
        }
        locals.push((count, value_type(ty, at)?));
    }
    let ops = reader.get_binary_reader();
    let start = ops.original_position() as usize;
    let code = start..start + ops.bytes_remaining();
    module.bodies.push(FuncBody {
        locals,
        num_locals: total as u32,
        code,
        offset,
    });
    Ok(())
}
