//! Export section (spec 5.5.10).

use crate::prelude::*;

use crate::error::DecodeError;
use crate::limits;
use crate::module::{Export, ExternKind, Module};
use wasmparser::{ExportSectionReader, ExternalKind};

pub(super) fn decode_exports(
    module: &mut Module,
    reader: ExportSectionReader<'_>,
) -> Result<(), DecodeError> {
    let start = reader.range().start as usize;
    limits::check(
        reader.count() as usize,
        limits::MAX_EXPORTS,
        "exports",
        start,
    )?;
    module
        .exports
        .reserve_exact(super::backed(reader.count() as usize, &reader.range()));
    for entry in reader.into_iter_with_offsets() {
        let (offset, export) = entry?;
        let offset = offset as usize;
        let kind = match export.kind {
            ExternalKind::Func => ExternKind::Func,
            ExternalKind::Table => ExternKind::Table,
            ExternalKind::Memory => ExternKind::Memory,
            ExternalKind::Global => ExternKind::Global,
            ExternalKind::Tag => ExternKind::Tag,
            _ => {
                return Err(DecodeError::new(
                    "unsupported export kind (proposal not implemented yet)",
                    offset,
                ));
            }
        };
        module.exports.push(Export {
            name: export.name.to_string(),
            kind,
            index: export.index,
            offset,
        });
    }
    Ok(())
}
