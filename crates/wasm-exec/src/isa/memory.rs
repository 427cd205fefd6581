//! Bounds-checked access to linear memory, for the instruction list's bodies.

use wasm_core::{LittleEndianConvert, TrapCode};

/// The size of a WebAssembly page in bytes (memory 0's length is a whole number of them).
pub(crate) const PAGE_SIZE: usize = 65536;

/// Reads a `T` at `addr + offset` of linear memory `mem`, bounds-checked.
#[inline(always)]
pub(crate) fn load<T: LittleEndianConvert>(
    mem: &[u8],
    addr: u32,
    offset: u32,
) -> Result<T, TrapCode> {
    let start = addr as usize + offset as usize;
    let mut bytes = T::Bytes::default();
    let target = bytes.as_mut();
    let source = mem
        .get(start..start + target.len())
        .ok_or(TrapCode::MemoryAccessOutOfBounds)?;
    target.copy_from_slice(source);
    Ok(T::from_le_bytes(bytes))
}

/// The address of element `index` of an array of `T`: the i32 `index << log2(size)`,
/// wrapping as Wasm's `i32.shl` does.
#[inline(always)]
pub(crate) fn scale<T>(index: u32) -> u32 {
    index << size_of::<T>().trailing_zeros()
}

/// The address `base + index` of an indexed load: the i32 sum of the two cells,
/// wrapping as Wasm's `i32.add` does.
#[inline(always)]
pub(crate) fn sum_address(base: u64, index: u64) -> u32 {
    (base as u32).wrapping_add(index as u32)
}

/// The address `base + (index << shift)` of a shifted load: i32 operations, wrapping
/// as Wasm's `i32.shl` (the shift taken modulo 32) and `i32.add` do.
#[inline(always)]
pub(crate) fn shifted_address(base: u64, index: u64, shift: u8) -> u32 {
    (base as u32).wrapping_add((index as u32).wrapping_shl(u32::from(shift)))
}

/// Writes `value` at `addr + offset` of linear memory `mem`, bounds-checked.
#[inline(always)]
pub(crate) fn store<T: LittleEndianConvert>(
    mem: &mut [u8],
    addr: u32,
    offset: u32,
    value: T,
) -> Result<(), TrapCode> {
    let start = addr as usize + offset as usize;
    let bytes = value.into_le_bytes();
    let source = bytes.as_ref();
    let target = mem
        .get_mut(start..start + source.len())
        .ok_or(TrapCode::MemoryAccessOutOfBounds)?;
    target.copy_from_slice(source);
    Ok(())
}

/// The range of `len` bytes at `addr` if it lies within `mem` (in 64 bits: no overflow).
#[inline(always)]
fn range(mem: &[u8], addr: u32, len: u32) -> Result<core::ops::Range<usize>, TrapCode> {
    let end = u64::from(addr) + u64::from(len);
    if end > mem.len() as u64 {
        return Err(TrapCode::MemoryAccessOutOfBounds);
    }
    Ok(addr as usize..end as usize)
}

/// Sets the `len` bytes at `addr` of `mem` to `byte` (`memory.fill`), all or none.
#[inline]
pub(crate) fn fill(mem: &mut [u8], addr: u32, byte: u8, len: u32) -> Result<(), TrapCode> {
    let range = range(mem, addr, len)?;
    mem[range].fill(byte);
    Ok(())
}

/// Copies the `len` bytes at `src` of `mem` to `dst` (`memory.copy`; the ranges may
/// overlap), all or none.
#[inline]
pub(crate) fn copy(mem: &mut [u8], dst: u32, src: u32, len: u32) -> Result<(), TrapCode> {
    let src = range(mem, src, len)?;
    let dst = range(mem, dst, len)?;
    mem.copy_within(src, dst.start);
    Ok(())
}
