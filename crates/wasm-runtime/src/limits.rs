//! Resource limits an embedder sets on untrusted code: a [`ResourceLimiter`] approves or
//! refuses every growth of the memories and tables of the instances created with it, and
//! caps how many instances, tables and memories they create.
//!
//! A [`Limiter`] is the shared handle: give it to
//! [`ModuleInstance::new_with_limiter`](crate::ModuleInstance::new_with_limiter) for each
//! instance it governs (one limiter for several instances plays the role of a store).
//! The memories and tables those instances define keep it and ask it before they grow,
//! whether Wasm code (`memory.grow`, `table.grow`) or the host grows them. Imported
//! memories and tables keep the limiter of the instance that defined them, if any.

use crate::prelude::*;
use alloc::rc::Rc;
use core::cell::{Cell, RefCell};

use wasm_core::Trap;

/// Decides whether memories and tables may grow, and how many instances, tables and
/// memories may be created.
pub trait ResourceLimiter {
    /// A memory is to grow from `current` to `desired` bytes (its declared maximum, if
    /// any, is `maximum`); also asked for a new memory's initial size, from 0.
    ///
    /// `Ok(true)` approves. `Ok(false)` refuses: `memory.grow` returns -1 (as when the
    /// memory reaches its maximum), a new memory is not created (instantiation fails).
    /// `Err(trap)` makes `memory.grow` trap with it.
    fn memory_growing(
        &mut self,
        current: usize,
        desired: usize,
        maximum: Option<usize>,
    ) -> Result<bool, Trap>;

    /// A table is to grow from `current` to `desired` elements; as
    /// [`memory_growing`](Self::memory_growing), for `table.grow`.
    fn table_growing(
        &mut self,
        current: u32,
        desired: u32,
        maximum: Option<u32>,
    ) -> Result<bool, Trap>;

    /// The most instances created with this limiter.
    fn instances(&self) -> usize {
        DEFAULT_COUNT_LIMIT
    }

    /// The most tables those instances define.
    fn tables(&self) -> usize {
        DEFAULT_COUNT_LIMIT
    }

    /// The most memories those instances define.
    fn memories(&self) -> usize {
        DEFAULT_COUNT_LIMIT
    }
}

/// The default of [`ResourceLimiter`]'s counts: 10 000 each.
pub const DEFAULT_COUNT_LIMIT: usize = 10_000;

/// A shared handle to a [`ResourceLimiter`], counting what is created under it.
#[derive(Clone)]
pub struct Limiter(Rc<Shared>);

struct Shared {
    limiter: RefCell<Box<dyn ResourceLimiter>>,
    /// Instances, tables and memories created so far.
    created: [Cell<usize>; 3],
}

/// What a [`Limiter`] counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Counted {
    Instance = 0,
    Table = 1,
    Memory = 2,
}

impl core::fmt::Debug for Limiter {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Limiter")
            .field("instances", &self.0.created[0].get())
            .field("tables", &self.0.created[1].get())
            .field("memories", &self.0.created[2].get())
            .finish()
    }
}

impl Limiter {
    /// A handle to `limiter`.
    pub fn new(limiter: impl ResourceLimiter + 'static) -> Limiter {
        Limiter(Rc::new(Shared {
            limiter: RefCell::new(Box::new(limiter)),
            created: Default::default(),
        }))
    }

    /// How many instances were created under this limiter.
    pub fn instances_created(&self) -> usize {
        self.0.created[Counted::Instance as usize].get()
    }

    /// Counts `n` more of `what`, or says which limit that passes.
    pub(crate) fn count(&self, what: Counted, n: usize) -> Result<(), String> {
        let limiter = self.0.limiter.borrow();
        let (limit, name) = match what {
            Counted::Instance => (limiter.instances(), "instances"),
            Counted::Table => (limiter.tables(), "tables"),
            Counted::Memory => (limiter.memories(), "memories"),
        };
        let created = &self.0.created[what as usize];
        match created.get().checked_add(n) {
            Some(total) if total <= limit => {
                created.set(total);
                Ok(())
            }
            _ => Err(format!("the resource limiter allows {limit} {name}")),
        }
    }

    /// Asks [`ResourceLimiter::memory_growing`]. A limiter already in use (a limiter
    /// that grows a memory itself) refuses.
    pub(crate) fn memory_growing(
        &self,
        current: usize,
        desired: usize,
        maximum: Option<usize>,
    ) -> Result<bool, Trap> {
        match self.0.limiter.try_borrow_mut() {
            Ok(mut limiter) => limiter.memory_growing(current, desired, maximum),
            Err(_) => Ok(false),
        }
    }

    /// Asks [`ResourceLimiter::table_growing`] (refuses when already in use).
    pub(crate) fn table_growing(
        &self,
        current: u32,
        desired: u32,
        maximum: Option<u32>,
    ) -> Result<bool, Trap> {
        match self.0.limiter.try_borrow_mut() {
            Ok(mut limiter) => limiter.table_growing(current, desired, maximum),
            Err(_) => Ok(false),
        }
    }
}

/// A ready-made [`ResourceLimiter`]: caps on each memory's size and each table's size,
/// and on the counts. By default nothing is capped but the counts (10 000 each).
#[derive(Clone, Debug)]
pub struct StoreLimits {
    memory_size: Option<usize>,
    table_elements: Option<u32>,
    instances: usize,
    tables: usize,
    memories: usize,
    trap_on_refusal: bool,
}

impl Default for StoreLimits {
    fn default() -> Self {
        StoreLimits {
            memory_size: None,
            table_elements: None,
            instances: DEFAULT_COUNT_LIMIT,
            tables: DEFAULT_COUNT_LIMIT,
            memories: DEFAULT_COUNT_LIMIT,
            trap_on_refusal: false,
        }
    }
}

/// The trap of a growth that [`StoreLimits`] refuses with
/// [`trap_on_refusal`](StoreLimits::trap_on_refusal) set.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct GrowthRefused;

impl core::fmt::Display for GrowthRefused {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("growth refused by the resource limits")
    }
}

impl wasm_core::HostError for GrowthRefused {}

impl StoreLimits {
    /// No caps but the default counts.
    pub fn new() -> Self {
        StoreLimits::default()
    }

    /// Each memory holds at most `bytes` bytes.
    #[must_use]
    pub fn memory_size(mut self, bytes: usize) -> Self {
        self.memory_size = Some(bytes);
        self
    }

    /// Each table holds at most `elements` elements.
    #[must_use]
    pub fn table_elements(mut self, elements: u32) -> Self {
        self.table_elements = Some(elements);
        self
    }

    /// At most `n` instances.
    #[must_use]
    pub fn instances(mut self, n: usize) -> Self {
        self.instances = n;
        self
    }

    /// At most `n` tables defined by those instances.
    #[must_use]
    pub fn tables(mut self, n: usize) -> Self {
        self.tables = n;
        self
    }

    /// At most `n` memories defined by those instances.
    #[must_use]
    pub fn memories(mut self, n: usize) -> Self {
        self.memories = n;
        self
    }

    /// A refused `memory.grow` or `table.grow` traps ([`GrowthRefused`]) instead of
    /// returning -1.
    #[must_use]
    pub fn trap_on_refusal(mut self, trap: bool) -> Self {
        self.trap_on_refusal = trap;
        self
    }

    fn verdict(&self, allowed: bool) -> Result<bool, Trap> {
        match (allowed, self.trap_on_refusal) {
            (true, _) => Ok(true),
            (false, true) => Err(Trap::host(GrowthRefused)),
            (false, false) => Ok(false),
        }
    }
}

impl ResourceLimiter for StoreLimits {
    fn memory_growing(&mut self, _: usize, desired: usize, _: Option<usize>) -> Result<bool, Trap> {
        self.verdict(self.memory_size.is_none_or(|cap| desired <= cap))
    }

    fn table_growing(&mut self, _: u32, desired: u32, _: Option<u32>) -> Result<bool, Trap> {
        self.verdict(self.table_elements.is_none_or(|cap| desired <= cap))
    }

    fn instances(&self) -> usize {
        self.instances
    }

    fn tables(&self) -> usize {
        self.tables
    }

    fn memories(&self) -> usize {
        self.memories
    }
}
