//! Import section (spec 5.5.5).

use crate::prelude::*;

use super::tables::{memory_type, table_type};
use super::value_type;
use crate::error::DecodeError;
use crate::limits;
use crate::module::{Import, ImportKind, Module};
use crate::types::GlobalType;
use wasmparser::{ImportSectionReader, TypeRef};

pub(super) fn decode_imports(
    module: &mut Module,
    reader: ImportSectionReader<'_>,
) -> Result<(), DecodeError> {
    let start = reader.range().start as usize;
    limits::check(
        reader.count() as usize,
        limits::MAX_IMPORTS,
        "imports",
        start,
    )?;
    for entry in reader.into_imports_with_offsets() {
        let (offset, import) = entry?;
        let offset = offset as usize;
        limits::check(
            module.imports.len() + 1,
            limits::MAX_IMPORTS,
            "imports",
            offset,
        )?;
        let kind = match import.ty {
            TypeRef::Func(ty) => {
                module.functions.push(ty);
                module.imported[0] += 1;
                ImportKind::Func(ty)
            }
            TypeRef::Table(ty) => {
                let ty = table_type(&ty, offset)?;
                module.tables.push(ty);
                module.imported[1] += 1;
                ImportKind::Table(ty)
            }
            TypeRef::Memory(ty) => {
                let ty = memory_type(&ty);
                module.memories.push(ty);
                module.imported[2] += 1;
                ImportKind::Memory(ty)
            }
            TypeRef::Global(ty) => {
                if ty.shared {
                    return Err(super::globals::invalid_mutability(offset));
                }
                let ty = GlobalType {
                    content: value_type(ty.content_type, offset)?,
                    mutable: ty.mutable,
                };
                module.globals.push(ty);
                module.imported[3] += 1;
                ImportKind::Global(ty)
            }
            TypeRef::Tag(ty) => {
                module.tags.push(ty.func_type_idx);
                module.imported[4] += 1;
                ImportKind::Tag(ty.func_type_idx)
            }
            _ => {
                return Err(DecodeError::new(
                    "unsupported import kind (proposal not implemented yet)",
                    offset,
                ));
            }
        };
        module.imports.push(Import {
            module: import.module.to_string(),
            field: import.name.to_string(),
            kind,
            offset,
        });
    }
    Ok(())
}
