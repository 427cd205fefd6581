//! Linear memory instances (spec 4.2.8, 4.4.7 memory instructions' storage).

mod buffer;

use crate::Error;
use crate::limits::{Counted, Limiter};
use crate::prelude::*;
use alloc::rc::Rc;
use buffer::Buffer;
use core::cell::{Cell, Ref, RefCell, RefMut};
use core::ops::{Deref, DerefMut};
use wasm_core::memory_units::{Bytes, Pages};
use wasm_core::{Limits, LittleEndianConvert, MemoryType};

/// Size of a linear memory page: 64 KiB.
pub const LINEAR_MEMORY_PAGE_SIZE: Bytes = Bytes(65536);

/// The most pages of 64 KiB a memory can have here (4 GiB, the most a 32-bit memory can
/// address; a 64-bit memory grows no further either).
const MAX_PAGES: usize = 65536;

/// The most bytes a memory can have here: [`MAX_PAGES`] pages of 64 KiB.
const MAX_BYTES: u64 = 1 << 32;

/// A shared handle to a [`MemoryInstance`].
#[derive(Clone, Debug)]
pub struct MemoryRef(Rc<MemoryInstance>);

impl Deref for MemoryRef {
    type Target = MemoryInstance;
    fn deref(&self) -> &MemoryInstance {
        &self.0
    }
}

impl MemoryRef {
    /// Whether two handles name the same memory.
    pub fn ptr_eq(&self, other: &MemoryRef) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

/// A linear memory: bytes that grow by whole pages up to its maximum.
///
/// Where the OS allows, the memory reserves address space for its maximum and the OS
/// hands out zero pages as they are first touched: declaring or growing a 4 GiB memory
/// takes a system call, and resident memory follows the pages in use (see
/// `memory/buffer.rs`). Every access is bounds-checked and reports an [`Error::Memory`].
pub struct MemoryInstance {
    buffer: RefCell<Buffer>,
    /// The size it was created with, in its own pages.
    initial: u64,
    /// The current size, in its own pages.
    current: Cell<u64>,
    /// The declared maximum, in its own pages.
    maximum: Option<u64>,
    /// The base-2 logarithm of its page size: 16 (64 KiB pages), or 0 (one-byte pages,
    /// custom-page-sizes).
    page_size_log2: u32,
    /// 64-bit addresses (memory64): only an import of a 64-bit memory matches it.
    memory64: bool,
    /// Asked before every growth, when the defining instance has one.
    limiter: Option<Limiter>,
}

/// A memory's or table's size limits at allocation, printed as the seed printed its
/// `parity-wasm` limits: `ResizableLimits { initial: 1, maximum: None }`.
pub(crate) struct ResizableLimits {
    pub(crate) initial: u32,
    pub(crate) maximum: Option<u32>,
}

impl core::fmt::Debug for ResizableLimits {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("ResizableLimits")
            .field("initial", &self.initial)
            .field("maximum", &self.maximum)
            .finish()
    }
}

/// The seed's form: the limits it was allocated with, the current length in bytes, then
/// the maximum and initial sizes in pages.
impl core::fmt::Debug for MemoryInstance {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let limits = ResizableLimits {
            initial: self.initial as u32,
            maximum: self.maximum.map(|m| m as u32),
        };
        let mut debug = f.debug_struct("MemoryInstance");
        debug
            .field("limits", &limits)
            .field("buffer.len", &self.byte_len())
            .field("maximum", &self.maximum())
            .field("initial", &self.initial());
        if self.page_size_log2 != 16 {
            debug.field("page_size", &self.page_size());
        }
        debug.finish()
    }
}

/// Read access to a memory's bytes (see [`MemoryInstance::direct_access`]).
pub struct DirectAccess<'a>(Ref<'a, Buffer>);

impl Deref for DirectAccess<'_> {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        &self.0
    }
}

impl AsRef<[u8]> for DirectAccess<'_> {
    fn as_ref(&self) -> &[u8] {
        &self.0
    }
}

/// Write access to a memory's bytes (see [`MemoryInstance::direct_access_mut`]).
pub struct DirectAccessMut<'a>(RefMut<'a, Buffer>);

impl Deref for DirectAccessMut<'_> {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        &self.0
    }
}

impl DerefMut for DirectAccessMut<'_> {
    fn deref_mut(&mut self) -> &mut [u8] {
        &mut self.0
    }
}

impl AsRef<[u8]> for DirectAccessMut<'_> {
    fn as_ref(&self) -> &[u8] {
        &self.0
    }
}

impl AsMut<[u8]> for DirectAccessMut<'_> {
    fn as_mut(&mut self) -> &mut [u8] {
        &mut self.0
    }
}

#[cold]
fn out_of_bounds(offset: usize, len: usize, size: usize) -> Error {
    Error::Memory(format!(
        "out of bounds memory access: {len} bytes at offset {offset} (memory size {size} bytes)"
    ))
}

/// Checks that `offset..offset + len` lies within `size` bytes; returns the range.
fn checked_range(offset: usize, len: usize, size: usize) -> Result<core::ops::Range<usize>, Error> {
    match offset.checked_add(len) {
        Some(end) if end <= size => Ok(offset..end),
        _ => Err(out_of_bounds(offset, len, size)),
    }
}

impl MemoryInstance {
    /// Allocates a memory of `initial` pages of 64 KiB that may grow up to `maximum`
    /// pages.
    ///
    /// Fails if `initial > maximum` or either exceeds 65536 pages (4 GiB), or if the
    /// initial pages cannot be allocated.
    pub fn alloc(initial: Pages, maximum: Option<Pages>) -> Result<MemoryRef, Error> {
        Self::alloc_limited(&memory_type(initial, maximum), None)
    }

    /// Allocates a memory of type `ty`: its limits count pages of its own page size (one
    /// byte or 64 KiB, custom-page-sizes), and a 64-bit memory (memory64) is what a
    /// module importing a 64-bit memory needs.
    ///
    /// A 64-bit memory may declare a maximum above 4 GiB; here it grows as far as a
    /// 32-bit one does (growth past that fails, as the spec allows). Fails like
    /// [`alloc`](Self::alloc), or if the page size is neither one byte nor 64 KiB.
    pub fn alloc_with_type(ty: &MemoryType) -> Result<MemoryRef, Error> {
        Self::alloc_limited(ty, None)
    }

    /// [`alloc_with_type`](Self::alloc_with_type) for an instance created with
    /// `limiter`, which counts the memory, approves its initial size and is asked before
    /// every growth.
    pub(crate) fn alloc_limited(
        ty: &MemoryType,
        limiter: Option<&Limiter>,
    ) -> Result<MemoryRef, Error> {
        let page_size_log2 = ty.page_size_log2();
        if page_size_log2 != 0 && page_size_log2 != 16 {
            return Err(Error::Memory(format!(
                "invalid page size 2^{page_size_log2}: a page is one byte or 64 KiB"
            )));
        }
        if ty.shared {
            return Err(Error::Memory(
                "shared memories (threads proposal) are not supported".to_string(),
            ));
        }
        let capacity = capacity(page_size_log2, ty.memory64);
        let initial = ty.limits.min;
        // Past 4 GiB, a 64-bit memory's maximum is the implementation's limit.
        let maximum = match ty.memory64 {
            false => ty.limits.max,
            true => ty.limits.max.map(|m| m.min(capacity)),
        };
        if initial > capacity || maximum.is_some_and(|m| m > capacity) {
            return Err(Error::Memory(format!(
                "memory size must be at most {MAX_PAGES} pages (4GiB)"
            )));
        }
        if maximum.is_some_and(|m| m < initial) {
            return Err(Error::Memory(
                "size minimum must not be greater than maximum".to_string(),
            ));
        }
        // The bytes to reserve (none where they do not fit the address space).
        let reserve = usize::try_from(maximum.unwrap_or(capacity) << page_size_log2).unwrap_or(0);
        let bytes = |pages: u64| (pages << page_size_log2) as usize;
        if let Some(limiter) = limiter {
            let approved = limiter.memory_growing(0, bytes(initial), maximum.map(bytes));
            if approved.ok() != Some(true) {
                return Err(Error::Instantiation(format!(
                    "the resource limiter refused a memory of {initial} pages"
                )));
            }
            limiter
                .count(Counted::Memory, 1)
                .map_err(Error::Instantiation)?;
        }
        let mut memory = MemoryInstance {
            buffer: RefCell::new(Buffer::new(reserve)),
            initial,
            current: Cell::new(0),
            maximum,
            page_size_log2,
            memory64: ty.memory64,
            limiter: None,
        };
        memory.grow_pages(initial)?;
        memory.limiter = limiter.cloned();
        Ok(MemoryRef(Rc::new(memory)))
    }

    /// The size the memory was created with, in pages of 64 KiB (rounded down for a
    /// memory of one-byte pages: see [`page_size`](Self::page_size)).
    pub fn initial(&self) -> Pages {
        self.in_64k_pages(self.initial)
    }

    /// The maximum size, if any, in pages of 64 KiB (rounded down like
    /// [`initial`](Self::initial)).
    pub fn maximum(&self) -> Option<Pages> {
        self.maximum.map(|m| self.in_64k_pages(m))
    }

    /// The current size in pages of 64 KiB (rounded down like
    /// [`initial`](Self::initial)).
    pub fn current_size(&self) -> Pages {
        self.in_64k_pages(self.current.get())
    }

    /// The size of the memory's pages in bytes: 65536, or 1 for a memory declared with
    /// one-byte pages (custom-page-sizes).
    pub fn page_size(&self) -> u32 {
        1 << self.page_size_log2
    }

    /// The current size in the memory's own pages (what `memory.size` returns).
    pub fn size(&self) -> u64 {
        self.current.get()
    }

    /// Whether the memory has 64-bit addresses (memory64).
    pub fn is_64(&self) -> bool {
        self.memory64
    }

    /// `pages` of the memory's own size, in 64 KiB pages, rounded down.
    fn in_64k_pages(&self, pages: u64) -> Pages {
        Pages(((pages << self.page_size_log2) / LINEAR_MEMORY_PAGE_SIZE.0 as u64) as usize)
    }

    /// The current size in bytes.
    fn byte_len(&self) -> usize {
        (self.current.get() << self.page_size_log2) as usize
    }

    /// Grows the memory by `additional` pages of 64 KiB and returns the previous size,
    /// in pages of 64 KiB (for a memory of one-byte pages: by `additional * 65536`
    /// pages, the previous size rounded down; see [`grow_pages`](Self::grow_pages)).
    ///
    /// Fails (leaving the memory unchanged) past the maximum, past 4 GiB, when the
    /// resource limiter of its instance refuses (an [`Error::Trap`] if the limiter says
    /// to trap), or when the host cannot allocate the pages: a hostile `memory.grow`
    /// never aborts the process.
    pub fn grow(&self, additional: Pages) -> Result<Pages, Error> {
        let per_page = LINEAR_MEMORY_PAGE_SIZE.0 as u64 >> self.page_size_log2;
        let pages = (additional.0 as u64).saturating_mul(per_page);
        self.grow_pages(pages).map(|old| self.in_64k_pages(old))
    }

    /// Grows the memory by `additional` of its own pages and returns the previous size
    /// in its own pages (what `memory.grow` does). Fails as [`grow`](Self::grow) does.
    pub fn grow_pages(&self, additional: u64) -> Result<u64, Error> {
        let old = self.current.get();
        let capacity = capacity(self.page_size_log2, self.memory64);
        let limit = self.maximum.map_or(capacity, |m| m.min(capacity));
        let new = match old.checked_add(additional) {
            Some(new) if new <= limit => new,
            _ => {
                return Err(Error::Memory(format!(
                    "cannot grow memory by {additional} pages from {old} pages (maximum {limit})"
                )));
            }
        };
        if additional == 0 {
            return Ok(old);
        }
        let bytes = |pages: u64| (pages << self.page_size_log2) as usize;
        let new_len = bytes(new);
        if let Some(limiter) = &self.limiter {
            match limiter.memory_growing(bytes(old), new_len, self.maximum.map(bytes)) {
                Ok(true) => {}
                Ok(false) => {
                    return Err(Error::Memory(format!(
                        "the resource limiter refused to grow the memory from {old} to {new} pages"
                    )));
                }
                Err(trap) => return Err(Error::Trap(trap)),
            }
        }
        self.buffer
            .borrow_mut()
            .grow(new_len)
            .map_err(|()| Error::Memory(format!("cannot allocate {new} pages of linear memory")))?;
        self.current.set(new);
        Ok(old)
    }

    /// Copies `len` bytes at `offset` into a new vector.
    #[deprecated(note = "use `get_into` or `get_value` instead (deprecated in the seed API too)")]
    pub fn get(&self, offset: u32, len: usize) -> Result<Vec<u8>, Error> {
        let buffer = self.buffer.borrow();
        let range = checked_range(offset as usize, len, buffer.len())?;
        Ok(buffer[range].to_vec())
    }

    /// Copies bytes at `offset` into `target`, filling it.
    pub fn get_into(&self, offset: u32, target: &mut [u8]) -> Result<(), Error> {
        let buffer = self.buffer.borrow();
        let range = checked_range(offset as usize, target.len(), buffer.len())?;
        target.copy_from_slice(&buffer[range]);
        Ok(())
    }

    /// Writes `value` at `offset`.
    pub fn set(&self, offset: u32, value: &[u8]) -> Result<(), Error> {
        let mut buffer = self.buffer.borrow_mut();
        let range = checked_range(offset as usize, value.len(), buffer.len())?;
        buffer[range].copy_from_slice(value);
        Ok(())
    }

    /// Reads a little-endian value at `offset`.
    pub fn get_value<T: LittleEndianConvert>(&self, offset: u32) -> Result<T, Error> {
        let mut bytes = T::Bytes::default();
        self.get_into(offset, bytes.as_mut())?;
        Ok(T::from_le_bytes(bytes))
    }

    /// Writes a little-endian value at `offset`.
    pub fn set_value<T: LittleEndianConvert>(&self, offset: u32, value: T) -> Result<(), Error> {
        self.set(offset, value.into_le_bytes().as_ref())
    }

    /// Copies `len` bytes within the memory; the regions may overlap.
    pub fn copy(&self, src_offset: usize, dst_offset: usize, len: usize) -> Result<(), Error> {
        let mut buffer = self.buffer.borrow_mut();
        let size = buffer.len();
        let src = checked_range(src_offset, len, size)?;
        checked_range(dst_offset, len, size)?;
        buffer.copy_within(src, dst_offset);
        Ok(())
    }

    /// Copies `len` bytes within the memory; fails if the regions overlap.
    pub fn copy_nonoverlapping(
        &self,
        src_offset: usize,
        dst_offset: usize,
        len: usize,
    ) -> Result<(), Error> {
        let overlaps = src_offset < dst_offset.saturating_add(len)
            && dst_offset < src_offset.saturating_add(len);
        if overlaps && len > 0 {
            return Err(Error::Memory(
                "copy_nonoverlapping: regions overlap".to_string(),
            ));
        }
        self.copy(src_offset, dst_offset, len)
    }

    /// Copies `len` bytes from `src` at `src_offset` to `dst` at `dst_offset`. The two
    /// memories may be the same one.
    pub fn transfer(
        src: &MemoryRef,
        src_offset: usize,
        dst: &MemoryRef,
        dst_offset: usize,
        len: usize,
    ) -> Result<(), Error> {
        if src.ptr_eq(dst) {
            return src.copy(src_offset, dst_offset, len);
        }
        let src_buffer = src.buffer.borrow();
        let mut dst_buffer = dst.buffer.borrow_mut();
        let from = checked_range(src_offset, len, src_buffer.len())?;
        let to = checked_range(dst_offset, len, dst_buffer.len())?;
        dst_buffer[to].copy_from_slice(&src_buffer[from]);
        Ok(())
    }

    /// Fills `len` bytes at `offset` with `byte`.
    pub fn clear(&self, offset: usize, byte: u8, len: usize) -> Result<(), Error> {
        let mut buffer = self.buffer.borrow_mut();
        let range = checked_range(offset, len, buffer.len())?;
        buffer[range].fill(byte);
        Ok(())
    }

    /// Fills `len` bytes at `offset` with zeros.
    pub fn zero(&self, offset: usize, len: usize) -> Result<(), Error> {
        self.clear(offset, 0, len)
    }

    /// Zeroes the whole memory.
    pub fn erase(&self) -> Result<(), Error> {
        self.buffer.borrow_mut().fill(0);
        Ok(())
    }

    /// Runs `f` with the memory's bytes.
    ///
    /// # Panics
    /// If called from inside [`with_direct_access_mut`](Self::with_direct_access_mut) on the
    /// same memory (the bytes are borrowed mutably there).
    pub fn with_direct_access<R, F: FnOnce(&[u8]) -> R>(&self, f: F) -> R {
        f(&self.buffer.borrow())
    }

    /// Runs `f` with the memory's bytes, mutably.
    ///
    /// # Panics
    /// If the bytes are already borrowed (nested direct access to the same memory).
    pub fn with_direct_access_mut<R, F: FnOnce(&mut [u8]) -> R>(&self, f: F) -> R {
        f(&mut self.buffer.borrow_mut())
    }

    /// A guard giving read access to the memory's bytes.
    ///
    /// # Panics
    /// If the bytes are borrowed mutably at the same time.
    pub fn direct_access(&self) -> DirectAccess<'_> {
        DirectAccess(self.buffer.borrow())
    }

    /// A guard giving write access to the memory's bytes.
    ///
    /// # Panics
    /// If the bytes are borrowed at the same time.
    pub fn direct_access_mut(&self) -> DirectAccessMut<'_> {
        DirectAccessMut(self.buffer.borrow_mut())
    }

    /// A guard giving write access to the memory's bytes, or `None` while they are
    /// borrowed elsewhere (the engine's way in: it never panics on a host's borrow).
    pub(crate) fn try_direct_access_mut(&self) -> Option<DirectAccessMut<'_>> {
        self.buffer.try_borrow_mut().ok().map(DirectAccessMut)
    }

    /// Whether this memory, at its current size, satisfies an import of type `ty`: the
    /// same address type and page size, and limits that match (spec 4.5.2.2 "Limits").
    pub(crate) fn matches(&self, ty: &MemoryType) -> bool {
        let own = memory_type_of(self);
        own.same_kind(ty)
            && self.current.get() >= ty.limits.min
            && match ty.limits.max {
                None => true,
                Some(max) => self.maximum.is_some_and(|m| m <= max),
            }
    }
}

/// The most pages of `2^page_size_log2` bytes a memory can have here: 4 GiB, and for a
/// 32-bit memory of one-byte pages, as many as its `memory.size` counts (2^32 - 1).
fn capacity(page_size_log2: u32, memory64: bool) -> u64 {
    let pages = MAX_BYTES >> page_size_log2;
    match memory64 {
        false => pages.min(u64::from(u32::MAX)),
        true => pages,
    }
}

/// The type of a 32-bit memory of 64 KiB pages with these limits.
fn memory_type(initial: Pages, maximum: Option<Pages>) -> MemoryType {
    MemoryType {
        limits: Limits {
            min: initial.0 as u64,
            max: maximum.map(|m| m.0 as u64),
        },
        memory64: false,
        shared: false,
        page_size_log2: None,
    }
}

/// `memory`'s type: its address type, page size and current limits.
fn memory_type_of(memory: &MemoryInstance) -> MemoryType {
    MemoryType {
        limits: Limits {
            min: memory.current.get(),
            max: memory.maximum,
        },
        memory64: memory.memory64,
        shared: false,
        page_size_log2: Some(memory.page_size_log2),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grows_within_maximum_and_checks_bounds() {
        let mem = MemoryInstance::alloc(Pages(1), Some(Pages(2))).unwrap();
        assert_eq!(mem.grow(Pages(1)).unwrap(), Pages(1));
        assert!(mem.grow(Pages(1)).is_err());
        assert_eq!(mem.current_size(), Pages(2));
        mem.set_value(131068u32, 0xdead_beefu32).unwrap();
        assert_eq!(mem.get_value::<u32>(131068).unwrap(), 0xdead_beef);
        assert!(mem.get_value::<u32>(131069).is_err());
        assert!(mem.set(u32::MAX, &[1, 2]).is_err());
    }

    #[test]
    fn debug_is_the_seeds() {
        let mem = MemoryInstance::alloc(Pages(1), Some(Pages(2))).unwrap();
        mem.grow(Pages(1)).unwrap();
        assert_eq!(
            format!("{:?}", *mem),
            "MemoryInstance { limits: ResizableLimits { initial: 1, maximum: Some(2) }, \
             buffer.len: 131072, maximum: Some(Pages(2)), initial: Pages(1) }"
        );
    }

    #[test]
    fn a_4gib_maximum_is_not_allocated_up_front() {
        let mem = MemoryInstance::alloc(Pages(0), Some(Pages(65536))).unwrap();
        assert_eq!(mem.direct_access().len(), 0);
        assert!(MemoryInstance::alloc(Pages(65537), None).is_err());
        assert!(MemoryInstance::alloc(Pages(2), Some(Pages(1))).is_err());
    }

    /// `len` bytes of `memory` at `offset`.
    fn bytes(memory: &MemoryInstance, offset: u32, len: usize) -> Vec<u8> {
        let mut bytes = vec![0; len];
        memory.get_into(offset, &mut bytes).unwrap();
        bytes
    }

    #[test]
    fn copy_transfer_and_clear() {
        let a = MemoryInstance::alloc(Pages(1), None).unwrap();
        let b = MemoryInstance::alloc(Pages(1), None).unwrap();
        a.set(0, &[1, 2, 3, 4]).unwrap();
        a.copy(0, 2, 4).unwrap();
        assert_eq!(bytes(&a, 0, 6), [1, 2, 1, 2, 3, 4]);
        assert!(a.copy_nonoverlapping(0, 2, 4).is_err());
        MemoryInstance::transfer(&a, 0, &b, 10, 6).unwrap();
        assert_eq!(bytes(&b, 10, 6), [1, 2, 1, 2, 3, 4]);
        b.clear(10, 9, 2).unwrap();
        assert_eq!(b.direct_access()[10..12], [9, 9]);
        assert!(b.clear(65535, 0, 2).is_err());
    }
}
