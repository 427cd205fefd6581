//! Type section (spec 5.5.4): recursion groups of function types and their declared
//! subtypes (Wasm 3.0); GC's struct and array types are refused.

use crate::prelude::*;

use super::value_type;
use crate::canon::{Canonicalizer, SubDecl};
use crate::error::DecodeError;
use crate::limits;
use crate::module::{Module, TypeDecl};
use crate::types::Signature;
use crate::value::ValType;
use alloc::sync::Arc;
use wasmparser::{CompositeInnerType, SubType, TypeSectionReader};

/// One function type of a group, read.
struct Read {
    is_final: bool,
    params: Vec<ValType>,
    results: Vec<ValType>,
    supertypes: Box<[u32]>,
}

pub(super) fn decode_types(
    module: &mut Module,
    reader: TypeSectionReader<'_>,
) -> Result<(), DecodeError> {
    let offset = reader.range().start as usize;
    limits::check(reader.count() as usize, limits::MAX_TYPES, "types", offset)?;
    let reserve = super::backed(reader.count() as usize, &reader.range());
    module.types.reserve_exact(reserve);
    module.type_decls.reserve_exact(reserve);
    let mut canon = Canonicalizer::default();
    for group in reader.into_iter_with_offsets() {
        let (group_offset, group) = group?;
        let group_offset = group_offset as usize;
        let rec = group.is_explicit_rec_group();
        if rec && group.types().len() == 0 && module.empty_rec_group.is_none() {
            module.empty_rec_group = Some(group_offset);
        }
        limits::check(
            module.types.len() + group.types().len(),
            limits::MAX_TYPES,
            "types",
            group_offset,
        )?;
        let read = group
            .into_types()
            .map(|sub| read_sub(sub, group_offset))
            .collect::<Result<Vec<_>, _>>()?;
        let decls: Vec<SubDecl<'_>> = read
            .iter()
            .map(|ty| SubDecl {
                is_final: ty.is_final,
                supertype: ty.supertypes.first().copied(),
                params: &ty.params,
                results: &ty.results,
            })
            .collect();
        let nodes = canon.push_group(&decls).map_err(|index| {
            DecodeError::new(
                format!(
                    "unknown type {index}: a type may name only types of its own and \
                     earlier recursion groups"
                ),
                group_offset,
            )
        })?;
        drop(decls);
        for (ty, node) in read.into_iter().zip(nodes) {
            module.type_decls.push(TypeDecl {
                rec,
                is_final: ty.is_final,
                supertypes: ty.supertypes,
            });
            module.types.push(Arc::new(
                Signature::from_types(ty.params, ty.results).with_canon(node),
            ));
        }
    }
    Ok(())
}

/// Reads one subtype of a group: a function type (struct and array types are the GC
/// proposal's, which Wasmite does not build).
fn read_sub(sub: SubType, offset: usize) -> Result<Read, DecodeError> {
    let composite = &sub.composite_type;
    if composite.shared {
        return Err(DecodeError::new(
            "shared types require the shared-everything-threads proposal, which is not \
             supported",
            offset,
        ));
    }
    if composite.descriptor_idx.is_some() || composite.describes_idx.is_some() {
        return Err(DecodeError::new(
            "custom descriptors are not supported",
            offset,
        ));
    }
    let func = match &composite.inner {
        CompositeInnerType::Func(func) => func,
        CompositeInnerType::Array(_) | CompositeInnerType::Struct(_) => {
            return Err(DecodeError::new(
                "gc proposal not supported (struct and array types)",
                offset,
            ));
        }
        CompositeInnerType::Cont(_) => {
            return Err(DecodeError::new(
                "stack switching proposal not supported",
                offset,
            ));
        }
    };
    limits::check(
        func.params().len(),
        limits::MAX_FUNCTION_PARAMS,
        "parameters",
        offset,
    )?;
    limits::check(
        func.results().len(),
        limits::MAX_FUNCTION_RESULTS,
        "results",
        offset,
    )?;
    let params = func
        .params()
        .iter()
        .map(|&t| value_type(t, offset))
        .collect::<Result<Vec<_>, _>>()?;
    let results = func
        .results()
        .iter()
        .map(|&t| value_type(t, offset))
        .collect::<Result<Vec<_>, _>>()?;
    let supertypes = sub
        .supertype_idxs
        .iter()
        .map(|index| {
            index.as_module_index().ok_or_else(|| {
                DecodeError::new("type index greater than implementation limits", offset)
            })
        })
        .collect::<Result<Box<[_]>, _>>()?;
    Ok(Read {
        is_final: sub.is_final,
        params,
        results,
        supertypes,
    })
}
