//! The few counts kept outside any object, because the bounds they enforce hold across
//! everything a thread runs: how deep executions nest through host functions, what the
//! executions around a host call use of the stack limits, and the entries all tables hold.
//!
//! With `std` each count is per thread (`thread_local!`), so threads that run Wasmite
//! side by side do not share bounds. Without `std` there are no threads to key on, and
//! each count is one atomic for the whole program: the bounds then hold for all the
//! program's cores together, which is stricter, never looser. Nothing else in the crates
//! is kept per thread or per program (reference handles live in each execution's
//! [`RefTable`](crate::engine::RefTable)).

use wasm_core::{Trap, TrapCode};

#[cfg(feature = "std")]
mod imp {
    use core::cell::Cell;

    /// A count kept per thread.
    pub(super) struct Count(&'static std::thread::LocalKey<Cell<usize>>);

    impl Count {
        pub(super) const fn new(key: &'static std::thread::LocalKey<Cell<usize>>) -> Count {
            Count(key)
        }

        /// Applies `f` to the count and stores what it gives, if anything; whether it
        /// stored. During the thread's teardown the count is gone: nothing is stored.
        pub(super) fn update(&self, f: impl FnOnce(usize) -> Option<usize>) -> bool {
            self.0
                .try_with(|count| f(count.get()).map(|new| count.set(new)).is_some())
                .unwrap_or(false)
        }

        pub(super) fn get(&self) -> usize {
            self.0.try_with(Cell::get).unwrap_or(0)
        }
    }

    macro_rules! count {
        ($name:ident) => {
            static $name: Count = {
                std::thread_local! {
                    static COUNT: core::cell::Cell<usize> = const { core::cell::Cell::new(0) };
                }
                Count::new(&COUNT)
            };
        };
    }
    pub(super) use count;
}

#[cfg(not(feature = "std"))]
mod imp {
    use core::sync::atomic::{AtomicUsize, Ordering};

    /// A count kept for the whole program.
    pub(super) struct Count(AtomicUsize);

    impl Count {
        pub(super) const fn new() -> Count {
            Count(AtomicUsize::new(0))
        }

        /// Applies `f` to the count and stores what it gives, if anything (atomically:
        /// `f` may run again if another core changed the count meanwhile); whether it
        /// stored.
        pub(super) fn update(&self, f: impl Fn(usize) -> Option<usize>) -> bool {
            self.0
                .fetch_update(Ordering::AcqRel, Ordering::Acquire, f)
                .is_ok()
        }

        pub(super) fn get(&self) -> usize {
            self.0.load(Ordering::Acquire)
        }
    }

    macro_rules! count {
        ($name:ident) => {
            static $name: Count = Count::new();
        };
    }
    pub(super) use count;
}

use imp::{Count, count};

count!(NESTED_EXECUTIONS);
count!(OUTER_CELLS);
count!(OUTER_FRAMES);
count!(TABLE_ENTRIES);

/// How many Wasm executions may be nested on one thread: a host function that calls back
/// into Wasm starts a new execution on the native stack. Wasm-to-Wasm calls never nest
/// natively; this bounds host re-entrancy, so that a host calling back without end gets a
/// `StackOverflow` trap instead of overflowing the native stack (each level takes a few
/// KiB; 100 levels fit comfortably in a 2 MiB thread stack).
pub const MAX_NESTED_EXECUTIONS: u32 = 100;

/// One running execution, counted against [`MAX_NESTED_EXECUTIONS`] while alive.
pub(crate) struct Execution(());

impl Execution {
    /// Counts one more execution; a `StackOverflow` trap past the bound.
    pub(crate) fn enter() -> Result<Execution, Trap> {
        let max = MAX_NESTED_EXECUTIONS as usize;
        match NESTED_EXECUTIONS.update(|depth| (depth < max).then_some(depth + 1)) {
            true => Ok(Execution(())),
            false => Err(Trap::Code(TrapCode::StackOverflow)),
        }
    }
}

impl Drop for Execution {
    fn drop(&mut self) {
        NESTED_EXECUTIONS.update(|depth| Some(depth.saturating_sub(1)));
    }
}

/// The value cells and frames that the executions enclosing the current host call use:
/// what an execution it starts subtracts from its limits.
pub(crate) fn outer_usage() -> (usize, usize) {
    (OUTER_CELLS.get(), OUTER_FRAMES.get())
}

/// Runs `f` (a host call) with `cells` value cells and `frames` frames added to what the
/// enclosing executions use, so that executions `f` starts get what is left.
#[inline]
pub(crate) fn with_outer_usage<R>(cells: usize, frames: usize, f: impl FnOnce() -> R) -> R {
    OUTER_CELLS.update(|held| Some(held.saturating_add(cells)));
    OUTER_FRAMES.update(|held| Some(held.saturating_add(frames)));
    let result = f();
    OUTER_CELLS.update(|held| Some(held.saturating_sub(cells)));
    OUTER_FRAMES.update(|held| Some(held.saturating_sub(frames)));
    result
}

/// Counts `n` more table entries against `max` for all tables together; `false`
/// (counting nothing) if they do not fit.
pub(crate) fn charge_table_entries(n: u64, max: u64) -> bool {
    let (Ok(n), max) = (
        usize::try_from(n),
        usize::try_from(max).unwrap_or(usize::MAX),
    ) else {
        return false;
    };
    TABLE_ENTRIES.update(|held| held.checked_add(n).filter(|total| *total <= max))
}

/// Gives back `n` table entries counted by [`charge_table_entries`].
pub(crate) fn release_table_entries(n: u64) {
    let n = usize::try_from(n).unwrap_or(usize::MAX);
    TABLE_ENTRIES.update(|held| Some(held.saturating_sub(n)));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::prelude::*;

    #[test]
    fn executions_nest_up_to_the_bound_and_unwind() {
        let held: Vec<Execution> = (0..MAX_NESTED_EXECUTIONS)
            .map(|_| Execution::enter().expect("within the bound"))
            .collect();
        assert!(matches!(
            Execution::enter(),
            Err(Trap::Code(TrapCode::StackOverflow))
        ));
        drop(held);
        assert!(Execution::enter().is_ok(), "every level was given back");
    }

    #[test]
    fn outer_usage_is_added_for_the_call_only() {
        let before = outer_usage();
        let inside = with_outer_usage(10, 2, || with_outer_usage(5, 1, outer_usage));
        assert_eq!(inside, (before.0 + 15, before.1 + 3));
        assert_eq!(outer_usage(), before);
    }

    #[test]
    fn table_entries_are_charged_within_the_bound_only() {
        assert!(charge_table_entries(7, 10));
        assert!(
            !charge_table_entries(4, 10),
            "7 + 4 > 10: nothing is counted"
        );
        assert!(charge_table_entries(3, 10));
        release_table_entries(10);
        assert!(charge_table_entries(10, 10));
        release_table_entries(10);
    }
}
