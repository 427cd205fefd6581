//! Fuel and interruption: how an embedder bounds the work of untrusted code.
//!
//! Each instance has a fuel tank and an interrupt flag ([`Meter`]). Code of a module loaded
//! with fuel metering on (the facade's `Config::consume_fuel`) draws on the tank of the
//! instance its invocation started at, for everything it runs (other instances'
//! metered code included); when the tank cannot pay for the next stretch of code the
//! invocation stops with [`OutOfFuel`], and a resumable invocation can go on once the
//! host adds fuel. Code of a module loaded with interruption on (`Config::interruptible`)
//! checks the flag at every function entry and loop iteration; another thread raises it
//! through an [`InterruptHandle`], and the invocation stops with [`Interrupted`].

use alloc::sync::Arc;
use core::cell::Cell;
use core::fmt;
use core::sync::atomic::{AtomicBool, Ordering};
#[cfg(feature = "std")]
use {
    core::time::Duration,
    std::sync::{Condvar, Mutex, PoisonError},
};

use wasm_core::HostError;

/// An instance's fuel tank and interrupt flag.
#[derive(Debug, Default)]
pub struct Meter {
    fuel: Cell<u64>,
    interrupt: Arc<AtomicBool>,
}

impl Meter {
    /// The fuel left.
    pub fn fuel(&self) -> u64 {
        self.fuel.get()
    }

    pub(crate) fn set_fuel(&self, fuel: u64) {
        self.fuel.set(fuel);
    }

    /// Takes `amount` of fuel if the tank holds that much; `false` (nothing taken)
    /// otherwise.
    #[inline(always)]
    pub fn consume(&self, amount: u64) -> bool {
        match self.fuel.get().checked_sub(amount) {
            Some(left) => {
                self.fuel.set(left);
                true
            }
            None => false,
        }
    }

    /// Whether an interrupt is pending.
    #[inline(always)]
    pub fn interrupted(&self) -> bool {
        self.interrupt.load(Ordering::Relaxed)
    }

    /// The interrupt flag itself, for an engine that keeps it at hand.
    #[inline(always)]
    pub fn interrupt_flag(&self) -> &AtomicBool {
        &self.interrupt
    }

    /// Clears a pending interrupt: the one that just stopped an invocation.
    pub fn clear_interrupt(&self) {
        self.interrupt.store(false, Ordering::Relaxed);
    }

    pub(crate) fn handle(&self) -> InterruptHandle {
        InterruptHandle {
            flag: self.interrupt.clone(),
        }
    }
}

/// Stops the running invocations of an instance from any thread: `Send + Sync`, cheap to
/// clone. The invocation stops at its next function entry or loop iteration (in code
/// loaded with `Config::interruptible`) with [`Interrupted`]; an interrupt raised while
/// nothing runs stops the next invocation at its first check.
#[derive(Clone, Debug)]
pub struct InterruptHandle {
    flag: Arc<AtomicBool>,
}

impl InterruptHandle {
    /// Raises the interrupt.
    pub fn interrupt(&self) {
        self.flag.store(true, Ordering::Relaxed);
    }

    /// Raises the interrupt after `budget` of wall-clock time, unless the returned
    /// [`Deadline`] is dropped first. A thread of its own waits for the time (so it needs
    /// `std`; without, the embedder's own timer calls [`interrupt`](Self::interrupt)).
    #[cfg(feature = "std")]
    pub fn interrupt_after(&self, budget: Duration) -> Deadline {
        let cancel = Arc::new((Mutex::new(false), Condvar::new()));
        let (flag, waiting) = (self.flag.clone(), cancel.clone());
        std::thread::spawn(move || {
            let (lock, wake) = &*waiting;
            let cancelled = lock.lock().unwrap_or_else(PoisonError::into_inner);
            let (cancelled, _) = wake
                .wait_timeout_while(cancelled, budget, |cancelled| !*cancelled)
                .unwrap_or_else(PoisonError::into_inner);
            if !*cancelled {
                flag.store(true, Ordering::Relaxed);
            }
        });
        Deadline { cancel }
    }
}

/// A pending [`InterruptHandle::interrupt_after`]: dropping it cancels the interrupt if
/// it has not been raised yet.
#[cfg(feature = "std")]
#[derive(Debug)]
pub struct Deadline {
    cancel: Arc<(Mutex<bool>, Condvar)>,
}

#[cfg(feature = "std")]
impl Drop for Deadline {
    fn drop(&mut self) {
        let (lock, wake) = &*self.cancel;
        *lock.lock().unwrap_or_else(PoisonError::into_inner) = true;
        wake.notify_all();
    }
}

/// The trap of an invocation whose instance's fuel ran out. A resumable invocation
/// (`FuncInstance::invoke_resumable`) stopped by it resumes once fuel is added.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OutOfFuel;

impl fmt::Display for OutOfFuel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("all fuel consumed by WebAssembly")
    }
}

impl HostError for OutOfFuel {}

/// The trap of an invocation stopped through an [`InterruptHandle`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Interrupted;

impl fmt::Display for Interrupted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("interrupted")
    }
}

impl HostError for Interrupted {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fuel_is_taken_only_when_there_is_enough() {
        let meter = Meter::default();
        meter.set_fuel(10);
        assert!(meter.consume(4));
        assert!(!meter.consume(7));
        assert_eq!(meter.fuel(), 6);
        assert!(meter.consume(6));
        assert!(!meter.consume(1));
    }

    #[test]
    #[cfg(feature = "std")]
    fn a_deadline_interrupts_unless_dropped() {
        let meter = Meter::default();
        let handle = meter.handle();
        drop(handle.interrupt_after(Duration::from_millis(20)));
        std::thread::sleep(Duration::from_millis(60));
        assert!(!meter.interrupted(), "a dropped deadline does not fire");
        let _deadline = handle.interrupt_after(Duration::from_millis(10));
        let start = std::time::Instant::now();
        while !meter.interrupted() {
            assert!(start.elapsed() < Duration::from_secs(5));
            std::thread::yield_now();
        }
        meter.clear_interrupt();
        assert!(!meter.interrupted());
    }
}
