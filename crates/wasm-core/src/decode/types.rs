//! Type section (spec 5.5.4).

use crate::prelude::*;

use super::value_type;
use crate::canon::Canonicalizer;
use crate::error::DecodeError;
use crate::limits;
use crate::module::Module;
use crate::types::Signature;
use alloc::sync::Arc;
use wasmparser::TypeSectionReader;

pub(super) fn decode_types(
    module: &mut Module,
    reader: TypeSectionReader<'_>,
) -> Result<(), DecodeError> {
    let offset = reader.range().start as usize;
    limits::check(reader.count() as usize, limits::MAX_TYPES, "types", offset)?;
    module
        .types
        .reserve_exact(super::backed(reader.count() as usize, &reader.range()));
    let mut canon = Canonicalizer::default();
    for ty in reader.into_iter_err_on_gc_types() {
        let ty = ty?;
        limits::check(
            ty.params().len(),
            limits::MAX_FUNCTION_PARAMS,
            "parameters",
            offset,
        )?;
        limits::check(
            ty.results().len(),
            limits::MAX_FUNCTION_RESULTS,
            "results",
            offset,
        )?;
        let params = ty
            .params()
            .iter()
            .map(|&t| value_type(t, offset))
            .collect::<Result<Vec<_>, _>>()?;
        let results = ty
            .results()
            .iter()
            .map(|&t| value_type(t, offset))
            .collect::<Result<Vec<_>, _>>()?;
        let node = canon.push(&params, &results).map_err(|index| {
            DecodeError::new(
                format!("unknown type {index}: a type may name only itself and earlier types"),
                offset,
            )
        })?;
        module.types.push(Arc::new(
            Signature::from_types(params, results).with_canon(node),
        ));
    }
    Ok(())
}
