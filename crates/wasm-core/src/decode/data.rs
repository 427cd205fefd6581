//! Data section (spec 5.5.14).

use super::const_expr;
use crate::error::DecodeError;
use crate::limits;
use crate::module::{DataMode, DataSegment, Module};
use wasmparser::{DataKind, DataSectionReader};

pub(super) fn decode_data(
    module: &mut Module,
    reader: DataSectionReader<'_>,
) -> Result<(), DecodeError> {
    let start = reader.range().start as usize;
    limits::check(
        reader.count() as usize,
        limits::MAX_DATA_SEGMENTS,
        "data segments",
        start,
    )?;
    module
        .data
        .reserve_exact(super::backed(reader.count() as usize, &reader.range()));
    for entry in reader.into_iter_with_offsets() {
        let (offset, data) = entry?;
        let mode = match data.kind {
            DataKind::Passive => DataMode::Passive,
            DataKind::Active {
                memory_index,
                offset_expr,
            } => DataMode::Active {
                memory: memory_index,
                offset: const_expr(&offset_expr),
            },
        };
        // The payload is the tail of the segment's range.
        let end = data.range.end as usize;
        let bytes = end - data.data.len()..end;
        module.data.push(DataSegment {
            mode,
            bytes,
            offset: offset as usize,
        });
    }
    Ok(())
}
