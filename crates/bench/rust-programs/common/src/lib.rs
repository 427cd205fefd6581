//! What every compiled benchmark program shares.
//!
//! A program is a `no_std` `cdylib` exporting `run(n: i32) -> i64`. It sizes its work by
//! `n`, checks its own result and traps (`unreachable`) when the check fails, so a wrong
//! engine cannot pass by returning the same wrong number as another. Each call starts
//! from an empty heap ([`reset_heap`]), so repeated calls do the same work.

#![no_std]

use core::alloc::{GlobalAlloc, Layout};
use core::arch::wasm32;
use core::sync::atomic::{AtomicUsize, Ordering};

/// Stops the program with a trap: the self-check failed.
#[cold]
pub fn fail() -> ! {
    wasm32::unreachable()
}

/// Traps unless `ok`.
#[inline]
pub fn check(ok: bool) {
    if !ok {
        fail()
    }
}

#[panic_handler]
fn on_panic(_: &core::panic::PanicInfo<'_>) -> ! {
    fail()
}

const PAGE: usize = 65_536;

/// A bump allocator over the memory above the module's initial pages: allocation moves a
/// pointer (growing the memory when needed), freeing does nothing, and [`reset_heap`]
/// takes everything back at the start of a run. Wasm modules here are single-threaded,
/// so relaxed atomics are plain loads and stores.
struct Bump;

/// The heap's first byte (0 until the first allocation or reset).
static BASE: AtomicUsize = AtomicUsize::new(0);
/// The next free byte.
static NEXT: AtomicUsize = AtomicUsize::new(0);

fn base() -> usize {
    let mut base = BASE.load(Ordering::Relaxed);
    if base == 0 {
        base = wasm32::memory_size(0) * PAGE;
        BASE.store(base, Ordering::Relaxed);
        NEXT.store(base, Ordering::Relaxed);
    }
    base
}

/// Frees everything allocated so far. Call it first in `run`, before anything allocates.
pub fn reset_heap() {
    NEXT.store(base(), Ordering::Relaxed);
}

unsafe impl GlobalAlloc for Bump {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        base();
        let start = (NEXT.load(Ordering::Relaxed) + layout.align() - 1) & !(layout.align() - 1);
        let end = match start.checked_add(layout.size()) {
            Some(end) => end,
            None => return core::ptr::null_mut(),
        };
        let have = wasm32::memory_size(0) * PAGE;
        if end > have {
            let pages = (end - have).div_ceil(PAGE);
            if wasm32::memory_grow(0, pages) == usize::MAX {
                return core::ptr::null_mut();
            }
        }
        NEXT.store(end, Ordering::Relaxed);
        start as *mut u8
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // The last allocation can be taken back: a vector that grows then shrinks, or a
        // temporary freed right away, does not leave a hole.
        if ptr as usize + layout.size() == NEXT.load(Ordering::Relaxed) {
            NEXT.store(ptr as usize, Ordering::Relaxed);
        }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // The last allocation grows in place when the memory allows.
        let next = NEXT.load(Ordering::Relaxed);
        if ptr as usize + layout.size() == next {
            let end = ptr as usize + new_size;
            let have = wasm32::memory_size(0) * PAGE;
            if end <= have || wasm32::memory_grow(0, (end - have).div_ceil(PAGE)) != usize::MAX {
                NEXT.store(end, Ordering::Relaxed);
                return ptr;
            }
            return core::ptr::null_mut();
        }
        // SAFETY: the caller's promises for `realloc` are those of `alloc` with the new
        // layout, and `ptr` holds `layout.size()` initialised bytes.
        unsafe {
            let new = self.alloc(Layout::from_size_align_unchecked(new_size, layout.align()));
            if !new.is_null() {
                core::ptr::copy_nonoverlapping(ptr, new, layout.size().min(new_size));
            }
            new
        }
    }
}

#[global_allocator]
static ALLOCATOR: Bump = Bump;

/// A small, fast pseudo-random generator (a 64-bit xorshift with a multiplying output
/// step), so that every program makes the same data on every engine.
pub struct Rng(u64);

impl Rng {
    /// A generator started from `seed` (any value; 0 is replaced).
    pub fn new(seed: u64) -> Rng {
        Rng(if seed == 0 {
            0x9e37_79b9_7f4a_7c15
        } else {
            seed
        })
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// The next 32 random bits.
    pub fn next_u32(&mut self) -> u32 {
        (self.next_u64() >> 32) as u32
    }

    /// A number in `0..bound` (`bound > 0`), nearly uniform for small bounds.
    pub fn below(&mut self, bound: u32) -> u32 {
        ((u64::from(self.next_u32()) * u64::from(bound)) >> 32) as u32
    }

    /// True with probability `percent` / 100.
    pub fn chance(&mut self, percent: u32) -> bool {
        self.below(100) < percent
    }
}
