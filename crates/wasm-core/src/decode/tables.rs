//! Table and memory sections (spec 5.5.7, 5.5.8), and the limits both use.

use crate::prelude::*;

use crate::error::DecodeError;
use crate::limits;
use crate::module::Module;
use crate::types::{Limits, MemoryType, TableType};
use crate::value::{HeapType, RefType};
use wasmparser::{MemorySectionReader, TableInit, TableSectionReader, TagSectionReader};

pub(super) fn decode_tables(
    module: &mut Module,
    reader: TableSectionReader<'_>,
) -> Result<(), DecodeError> {
    let start = reader.range().start as usize;
    limits::check(
        module.tables.len() + reader.count() as usize,
        limits::MAX_TABLES,
        "tables",
        start,
    )?;
    for entry in reader.into_iter_with_offsets() {
        let (offset, table) = entry?;
        let offset = offset as usize;
        module.tables.push(table_type(&table.ty, offset)?);
        module.table_inits.push(match &table.init {
            TableInit::RefNull => None,
            TableInit::Expr(expr) => Some(super::const_expr(expr)),
        });
    }
    Ok(())
}

pub(super) fn decode_tags(
    module: &mut Module,
    reader: TagSectionReader<'_>,
) -> Result<(), DecodeError> {
    let start = reader.range().start as usize;
    let count = module.tags.len() + reader.count() as usize;
    limits::check(count, limits::MAX_TAGS, "tags", start)?;
    for tag in reader {
        module.tags.push(tag?.func_type_idx);
    }
    Ok(())
}

pub(super) fn decode_memories(
    module: &mut Module,
    reader: MemorySectionReader<'_>,
) -> Result<(), DecodeError> {
    let start = reader.range().start as usize;
    let count = module.memories.len() + reader.count() as usize;
    limits::check(count, limits::MAX_MEMORIES, "memories", start)?;
    for memory in reader {
        module.memories.push(memory_type(&memory?));
    }
    Ok(())
}

pub(crate) fn ref_type(ty: wasmparser::RefType, offset: usize) -> Result<RefType, DecodeError> {
    let unsupported = || {
        DecodeError::new(
            format!("unsupported reference type {ty} (the GC proposal is not implemented yet)"),
            offset,
        )
    };
    let heap = heap_type(ty.heap_type()).ok_or_else(unsupported)?;
    Ok(RefType::new(ty.is_nullable(), heap))
}

/// Wasmite's form of `wasmparser`'s heap type `heap`: `None` for the GC proposal's
/// types (`any`, `none`, `nofunc`, `noextern`...) and shared ones, which Wasmite does not
/// build yet.
pub fn heap_type(heap: wasmparser::HeapType) -> Option<HeapType> {
    use wasmparser::AbstractHeapType as A;
    match heap {
        wasmparser::HeapType::Abstract { shared: false, ty } => match ty {
            A::Func => Some(HeapType::Func),
            A::Extern => Some(HeapType::Extern),
            A::Exn => Some(HeapType::Exn),
            A::NoExn => Some(HeapType::NoExn),
            _ => None,
        },
        wasmparser::HeapType::Concrete(index) => index.as_module_index().map(HeapType::Concrete),
        _ => None,
    }
}

pub(super) fn table_type(
    ty: &wasmparser::TableType,
    offset: usize,
) -> Result<TableType, DecodeError> {
    if ty.shared {
        // The reader of the 2.0 encodings takes the `shared` flag of the
        // shared-everything-threads proposal, which Wasmite does not implement.
        return Err(DecodeError::new(
            "shared tables require the shared-everything-threads proposal, which is not supported",
            offset,
        ));
    }
    Ok(TableType {
        element: ref_type(ty.element_type, offset)?,
        limits: Limits {
            min: ty.initial,
            max: ty.maximum,
        },
        table64: ty.table64,
    })
}

pub(super) fn memory_type(ty: &wasmparser::MemoryType) -> MemoryType {
    MemoryType {
        limits: Limits {
            min: ty.initial,
            max: ty.maximum,
        },
        memory64: ty.memory64,
        shared: ty.shared,
        page_size_log2: ty.page_size_log2,
    }
}

#[cfg(test)]
mod tests {
    /// A table with the `shared` flag (limits flags 0x03, of the shared-everything-threads
    /// proposal) does not decode: found by `validate_diff` (wasmparser rejects it, Wasmite
    /// accepted it).
    #[test]
    fn shared_tables_are_rejected() {
        let module = |flags: u8| {
            let mut bytes = b"\0asm\x01\0\0\0".to_vec();
            // Table section: one funcref table, limits `flags`, min 1, max 2.
            bytes.extend_from_slice(&[0x04, 0x05, 0x01, 0x70, flags, 0x01, 0x02]);
            crate::decode(&bytes)
        };
        assert!(module(0x01).is_ok());
        let error = module(0x03).unwrap_err();
        assert!(error.message().contains("shared tables"), "{error}");
    }
}
