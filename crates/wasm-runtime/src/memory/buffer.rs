//! The bytes of a linear memory: address space reserved once, committed as the memory
//! grows, zero pages left to the OS.
//!
//! On Unix (outside Miri) a memory reserves its whole possible size (its maximum, at most
//! 4 GiB) as one inaccessible anonymous mapping, and growing makes the next pages readable
//! and writable. The OS hands out zero-filled pages on first touch, so declaring or growing
//! a 4 GiB memory costs a system call, resident memory follows the pages the program
//! touches, and growing never moves or copies the bytes. Elsewhere, and when the
//! reservation fails (address space exhausted by many memories), the bytes are a `Vec`,
//! zero-filled as it grows.
//!
//! The mapping is the only `unsafe` of `wasm-runtime`: it is made, widened and unmapped
//! here, and read only as the slice of its committed bytes.

#![allow(unsafe_code)]

use crate::prelude::*;
use core::ops::{Deref, DerefMut};

/// A memory's bytes: [`Deref`] gives exactly the committed ones.
pub(crate) struct Buffer {
    inner: Inner,
}

enum Inner {
    Heap(Vec<u8>),
    #[cfg(all(unix, feature = "std", not(miri)))]
    Mapped(mapped::Mapping),
}

impl Buffer {
    /// An empty buffer that may grow to `reserve` bytes.
    pub(crate) fn new(reserve: usize) -> Buffer {
        #[cfg(all(unix, feature = "std", not(miri)))]
        if let Some(mapping) = (reserve > 0)
            .then(|| mapped::Mapping::reserve(reserve))
            .flatten()
        {
            return Buffer {
                inner: Inner::Mapped(mapping),
            };
        }
        let _ = reserve;
        Buffer {
            inner: Inner::Heap(Vec::new()),
        }
    }

    /// Grows the buffer to `new_len` bytes (at least its length), the new ones zero;
    /// `Err` (nothing changed) when the bytes cannot be had.
    pub(crate) fn grow(&mut self, new_len: usize) -> Result<(), ()> {
        match &mut self.inner {
            Inner::Heap(bytes) => {
                let extra = new_len.saturating_sub(bytes.len());
                bytes.try_reserve_exact(extra).map_err(drop)?;
                bytes.resize(new_len, 0);
                Ok(())
            }
            #[cfg(all(unix, feature = "std", not(miri)))]
            Inner::Mapped(mapping) => mapping.commit(new_len),
        }
    }

    /// Whether the bytes live in a reserved mapping (the test's view of the choice).
    #[cfg(test)]
    pub(crate) fn is_mapped(&self) -> bool {
        !matches!(self.inner, Inner::Heap(_))
    }
}

impl Deref for Buffer {
    type Target = [u8];

    #[inline]
    fn deref(&self) -> &[u8] {
        match &self.inner {
            Inner::Heap(bytes) => bytes,
            #[cfg(all(unix, feature = "std", not(miri)))]
            Inner::Mapped(mapping) => mapping.bytes(),
        }
    }
}

impl DerefMut for Buffer {
    #[inline]
    fn deref_mut(&mut self) -> &mut [u8] {
        match &mut self.inner {
            Inner::Heap(bytes) => bytes,
            #[cfg(all(unix, feature = "std", not(miri)))]
            Inner::Mapped(mapping) => mapping.bytes_mut(),
        }
    }
}

#[cfg(all(unix, feature = "std", not(miri)))]
mod mapped {
    use core::ffi::c_void;
    use core::ptr::NonNull;
    use rustix::mm::{MapFlags, MprotectFlags, ProtFlags};

    /// `reserved` bytes of address space at `base`, inaccessible past the first `len`.
    pub(super) struct Mapping {
        base: NonNull<u8>,
        len: usize,
        reserved: usize,
    }

    impl Mapping {
        /// Reserves `reserved` bytes, none accessible yet; `None` if the OS refuses.
        pub(super) fn reserve(reserved: usize) -> Option<Mapping> {
            // Not counted against the commit limit: the pages exist only once touched.
            #[cfg(any(target_os = "linux", target_os = "android"))]
            let flags = MapFlags::PRIVATE | MapFlags::NORESERVE;
            #[cfg(not(any(target_os = "linux", target_os = "android")))]
            let flags = MapFlags::PRIVATE;
            // SAFETY: a fresh anonymous mapping at an address of the OS's choice (null
            // hint) overlaps nothing of this process; no access is allowed yet.
            let base = unsafe {
                rustix::mm::mmap_anonymous(
                    core::ptr::null_mut(),
                    reserved,
                    ProtFlags::empty(),
                    flags,
                )
            }
            .ok()?;
            Some(Mapping {
                base: NonNull::new(base.cast())?,
                len: 0,
                reserved,
            })
        }

        /// Makes the first `new_len` bytes accessible.
        pub(super) fn commit(&mut self, new_len: usize) -> Result<(), ()> {
            if new_len > self.reserved {
                return Err(());
            }
            if new_len > self.len {
                let flags = MprotectFlags::READ | MprotectFlags::WRITE;
                // SAFETY: `base..base + new_len` lies within the mapping this value owns
                // (`new_len <= reserved`); widening the access of its own pages affects
                // no other memory, and the bytes already committed keep their contents.
                unsafe {
                    rustix::mm::mprotect(self.base.as_ptr().cast::<c_void>(), new_len, flags)
                }
                .map_err(drop)?;
                self.len = new_len;
            }
            Ok(())
        }

        pub(super) fn bytes(&self) -> &[u8] {
            // SAFETY: the first `len` bytes of the mapping are readable and writable
            // (`commit`), initialised (zero pages from the OS, or what was written), and
            // live as long as `self`; the borrow of `self` keeps them from being unmapped
            // or mutated through another path meanwhile.
            unsafe { core::slice::from_raw_parts(self.base.as_ptr(), self.len) }
        }

        pub(super) fn bytes_mut(&mut self) -> &mut [u8] {
            // SAFETY: as in `bytes`, and the exclusive borrow of `self` makes this the
            // only access to the bytes while it lives.
            unsafe { core::slice::from_raw_parts_mut(self.base.as_ptr(), self.len) }
        }
    }

    impl Drop for Mapping {
        fn drop(&mut self) {
            // SAFETY: the whole reservation is this value's own mapping, unmapped once;
            // no slice of it outlives `self` (they borrow it).
            let _ =
                unsafe { rustix::mm::munmap(self.base.as_ptr().cast::<c_void>(), self.reserved) };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grows_with_zero_bytes_and_keeps_its_contents() {
        for reserve in [0, 1 << 20] {
            let mut buffer = Buffer::new(reserve);
            assert_eq!(buffer.len(), 0);
            buffer.grow(65536).unwrap();
            assert!(buffer.iter().all(|&b| b == 0));
            buffer[65535] = 7;
            buffer.grow(2 * 65536).unwrap();
            assert_eq!(buffer.len(), 2 * 65536);
            assert_eq!(buffer[65535], 7);
            assert!(buffer[65536..].iter().all(|&b| b == 0));
        }
    }

    #[test]
    #[cfg(all(unix, feature = "std", not(miri)))]
    fn a_reservation_is_a_mapping_that_refuses_to_grow_past_it() {
        let mut buffer = Buffer::new(1 << 20);
        assert!(buffer.is_mapped());
        assert!(buffer.grow((1 << 20) + 65536).is_err());
        assert_eq!(buffer.len(), 0);
        buffer.grow(1 << 20).unwrap();
        buffer[(1 << 20) - 1] = 1;
        assert!(!Buffer::new(0).is_mapped());
    }
}
