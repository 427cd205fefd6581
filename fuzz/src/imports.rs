//! [`DummyImports`]: satisfies every import of a module with a fresh entity of the kind
//! and type it asks for, so that any valid module can be instantiated.

use wasmite::memory_units::Pages;
use wasmite::{
    Error, FuncInstance, FuncRef, GlobalDescriptor, GlobalInstance, GlobalRef, ImportResolver,
    MemoryDescriptor, MemoryInstance, MemoryRef, Signature, TableDescriptor, TableInstance,
    TableRef, Value,
};

/// Largest memory, in pages, that [`DummyImports`] provides (64 MiB). The host decides
/// what it provides: refusing a huge import is the host's right, and keeps one fuzz input
/// from costing gigabytes.
pub const MAX_DUMMY_MEMORY_PAGES: u32 = 1024;

/// Largest table, in elements, that [`DummyImports`] provides.
pub const MAX_DUMMY_TABLE_ELEMENTS: u32 = 100_000;

/// An [`ImportResolver`] that answers every request with a new entity built from the
/// descriptor: a host function of the requested signature (host index 0; calling it
/// traps with `NopExternals`), a global of the requested type holding zero or null, a
/// memory of the requested limits, a table of the requested element type and limits.
#[derive(Debug, Default, Clone, Copy)]
pub struct DummyImports;

impl ImportResolver for DummyImports {
    fn resolve_func(&self, _: &str, _: &str, signature: &Signature) -> Result<FuncRef, Error> {
        Ok(FuncInstance::alloc_host(signature.clone(), 0))
    }

    fn resolve_global(
        &self,
        _: &str,
        _: &str,
        descriptor: &GlobalDescriptor,
    ) -> Result<GlobalRef, Error> {
        Ok(GlobalInstance::alloc_value(
            Value::default_of(descriptor.val_type()),
            descriptor.is_mutable(),
        ))
    }

    fn resolve_memory(
        &self,
        module: &str,
        field: &str,
        descriptor: &MemoryDescriptor,
    ) -> Result<MemoryRef, Error> {
        if descriptor.initial() > MAX_DUMMY_MEMORY_PAGES {
            return Err(Error::Instantiation(format!(
                "dummy import {module}.{field}: memory of {} pages is over the fuzzing budget",
                descriptor.initial()
            )));
        }
        MemoryInstance::alloc(
            Pages(descriptor.initial() as usize),
            descriptor.maximum().map(|max| Pages(max as usize)),
        )
    }

    fn resolve_table(
        &self,
        module: &str,
        field: &str,
        descriptor: &TableDescriptor,
    ) -> Result<TableRef, Error> {
        if descriptor.initial() > MAX_DUMMY_TABLE_ELEMENTS {
            return Err(Error::Instantiation(format!(
                "dummy import {module}.{field}: table of {} elements is over the fuzzing budget",
                descriptor.initial()
            )));
        }
        TableInstance::alloc_typed(
            descriptor.table_type().element,
            descriptor.initial(),
            descriptor.maximum(),
        )
    }
}

/// Whether instantiating `module` stays within the fuzzing budget: the memories and
/// tables it defines start at no more than [`MAX_DUMMY_MEMORY_PAGES`] pages and
/// [`MAX_DUMMY_TABLE_ELEMENTS`] elements in total.
///
/// A valid module may declare a 4 GiB memory, and Wasmite allocates and zeroes it all at
/// instantiation; that is legitimate, but under libFuzzer's default 2 GiB limit it would
/// be reported as an out-of-memory crash on every such input and hide real findings.
/// `crates/wasmite/tests/robustness.rs` covers large declarations instead.
pub fn fits_budget(module: &wasm_core::Module) -> bool {
    let pages: u64 = module.memories.iter().map(|m| m.limits.min).sum();
    let elements: u64 = module.tables.iter().map(|t| t.limits.min).sum();
    pages <= u64::from(MAX_DUMMY_MEMORY_PAGES) && elements <= u64::from(MAX_DUMMY_TABLE_ELEMENTS)
}
