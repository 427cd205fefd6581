//! Element section (spec 5.5.12).

use crate::prelude::*;

use super::const_expr;
use super::tables::ref_type;
use crate::error::DecodeError;
use crate::limits;
use crate::module::{ElementItems, ElementMode, ElementSegment, Module};
use crate::value::{HeapType, RefType};
use wasmparser::{ElementKind, ElementSectionReader};

pub(super) fn decode_elements(
    module: &mut Module,
    reader: ElementSectionReader<'_>,
) -> Result<(), DecodeError> {
    let start = reader.range().start as usize;
    let count = reader.count() as usize;
    limits::check(
        count,
        limits::MAX_ELEMENT_SEGMENTS,
        "element segments",
        start,
    )?;
    for entry in reader.into_iter_with_offsets() {
        let (offset, element) = entry?;
        let offset = offset as usize;
        let mode = match element.kind {
            ElementKind::Passive => ElementMode::Passive,
            ElementKind::Declared => ElementMode::Declared,
            ElementKind::Active {
                table_index,
                offset_expr,
            } => ElementMode::Active {
                table: table_index.unwrap_or(0),
                offset: const_expr(&offset_expr),
            },
        };
        let (ty, items) = match element.items {
            wasmparser::ElementItems::Functions(funcs) => (RefType::new(false, HeapType::Func), {
                let mut items =
                    Vec::with_capacity(super::backed(funcs.count() as usize, &element.range));
                for func in funcs {
                    items.push(func?);
                }
                ElementItems::Functions(items)
            }),
            wasmparser::ElementItems::Expressions(ty, exprs) => {
                let mut items =
                    Vec::with_capacity(super::backed(exprs.count() as usize, &element.range));
                for expr in exprs {
                    items.push(const_expr(&expr?));
                }
                (ref_type(ty, offset)?, ElementItems::Expressions(items))
            }
        };
        module.elements.push(ElementSegment {
            mode,
            ty,
            items,
            offset,
        });
    }
    Ok(())
}
