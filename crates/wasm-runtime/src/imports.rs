//! Import resolution: how the host (or another instance) provides a module's imports.

use crate::prelude::*;
use crate::{Error, FuncRef, GlobalRef, MemoryRef, TableRef, TagRef};
use alloc::collections::BTreeMap;
use wasm_core::{GlobalType, MemoryType, Signature, TableType, ValType, ValueType};

/// What a global import asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GlobalDescriptor {
    ty: GlobalType,
}

impl GlobalDescriptor {
    pub(crate) fn new(ty: GlobalType) -> Self {
        GlobalDescriptor { ty }
    }

    /// The global's value type, if a number (the seed's view: a global of reference
    /// type reports `I32`; see [`val_type`](Self::val_type)).
    pub fn value_type(&self) -> ValueType {
        self.ty.content.number().unwrap_or(ValueType::I32)
    }

    /// The global's value type, references included.
    pub fn val_type(&self) -> ValType {
        self.ty.content
    }

    /// Whether the global must be mutable.
    pub fn is_mutable(&self) -> bool {
        self.ty.mutable
    }
}

/// What a memory import asks for (sizes in pages).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MemoryDescriptor {
    ty: MemoryType,
}

impl MemoryDescriptor {
    pub(crate) fn new(ty: MemoryType) -> Self {
        MemoryDescriptor { ty }
    }

    /// Minimum number of pages.
    pub fn initial(&self) -> u32 {
        self.ty.limits.min as u32
    }

    /// Maximum number of pages, if limited.
    pub fn maximum(&self) -> Option<u32> {
        self.ty.limits.max.map(|m| m as u32)
    }

    /// The full memory type (64-bit sizes, sharing).
    pub fn memory_type(&self) -> &MemoryType {
        &self.ty
    }
}

/// What a table import asks for (sizes in elements).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TableDescriptor {
    ty: TableType,
}

impl TableDescriptor {
    pub(crate) fn new(ty: TableType) -> Self {
        TableDescriptor { ty }
    }

    /// Minimum number of elements.
    pub fn initial(&self) -> u32 {
        self.ty.limits.min as u32
    }

    /// Maximum number of elements, if limited.
    pub fn maximum(&self) -> Option<u32> {
        self.ty.limits.max.map(|m| m as u32)
    }

    /// The full table type.
    pub fn table_type(&self) -> &TableType {
        &self.ty
    }
}

#[cold]
pub(crate) fn unknown_import(module: Option<&str>, field: &str) -> Error {
    match module {
        Some(module) => Error::Instantiation(format!("unknown import: {module}.{field}")),
        None => Error::Instantiation(format!("unknown import: {field}")),
    }
}

/// Resolves a module's imports by module name and field name.
///
/// The resolver may return an entity of another type than asked: instantiation checks
/// every import's type itself and fails with "incompatible import type".
pub trait ImportResolver {
    /// The function `module.field`, which should have `signature`.
    fn resolve_func(
        &self,
        module: &str,
        field: &str,
        signature: &Signature,
    ) -> Result<FuncRef, Error>;
    /// The global `module.field`.
    fn resolve_global(
        &self,
        module: &str,
        field: &str,
        descriptor: &GlobalDescriptor,
    ) -> Result<GlobalRef, Error>;
    /// The memory `module.field`.
    fn resolve_memory(
        &self,
        module: &str,
        field: &str,
        descriptor: &MemoryDescriptor,
    ) -> Result<MemoryRef, Error>;
    /// The table `module.field`.
    fn resolve_table(
        &self,
        module: &str,
        field: &str,
        descriptor: &TableDescriptor,
    ) -> Result<TableRef, Error>;
    /// The tag `module.field` (exception handling), which should have `signature`. The
    /// default knows no tags: "unknown import".
    fn resolve_tag(
        &self,
        module: &str,
        field: &str,
        signature: &Signature,
    ) -> Result<TagRef, Error> {
        let _ = signature;
        Err(unknown_import(Some(module), field))
    }
}

/// Resolves the imports of one module name. Every method defaults to "unknown import".
pub trait ModuleImportResolver {
    /// The function `field`.
    fn resolve_func(&self, field: &str, _signature: &Signature) -> Result<FuncRef, Error> {
        Err(unknown_import(None, field))
    }
    /// The global `field`.
    fn resolve_global(
        &self,
        field: &str,
        _descriptor: &GlobalDescriptor,
    ) -> Result<GlobalRef, Error> {
        Err(unknown_import(None, field))
    }
    /// The memory `field`.
    fn resolve_memory(
        &self,
        field: &str,
        _descriptor: &MemoryDescriptor,
    ) -> Result<MemoryRef, Error> {
        Err(unknown_import(None, field))
    }
    /// The table `field`.
    fn resolve_table(&self, field: &str, _descriptor: &TableDescriptor) -> Result<TableRef, Error> {
        Err(unknown_import(None, field))
    }
    /// The tag `field` (exception handling).
    fn resolve_tag(&self, field: &str, _signature: &Signature) -> Result<TagRef, Error> {
        Err(unknown_import(None, field))
    }
}

/// An [`ImportResolver`] made of one [`ModuleImportResolver`] per module name.
#[derive(Default)]
pub struct ImportsBuilder<'a> {
    modules: BTreeMap<String, &'a dyn ModuleImportResolver>,
}

impl<'a> ImportsBuilder<'a> {
    /// No resolvers: every import is unknown.
    pub fn new() -> Self {
        ImportsBuilder::default()
    }

    /// Adds `resolver` for module `name` (replacing an earlier one).
    #[must_use]
    pub fn with_resolver<N: Into<String>>(
        mut self,
        name: N,
        resolver: &'a dyn ModuleImportResolver,
    ) -> Self {
        self.modules.insert(name.into(), resolver);
        self
    }

    /// Adds `resolver` for module `name` in place.
    pub fn push_resolver<N: Into<String>>(
        &mut self,
        name: N,
        resolver: &'a dyn ModuleImportResolver,
    ) {
        self.modules.insert(name.into(), resolver);
    }

    fn resolver(&self, name: &str) -> Option<&dyn ModuleImportResolver> {
        self.modules.get(name).copied()
    }
}

impl ImportResolver for ImportsBuilder<'_> {
    fn resolve_func(
        &self,
        module: &str,
        field: &str,
        signature: &Signature,
    ) -> Result<FuncRef, Error> {
        self.resolver(module)
            .ok_or_else(|| unknown_import(Some(module), field))?
            .resolve_func(field, signature)
    }

    fn resolve_global(
        &self,
        module: &str,
        field: &str,
        descriptor: &GlobalDescriptor,
    ) -> Result<GlobalRef, Error> {
        self.resolver(module)
            .ok_or_else(|| unknown_import(Some(module), field))?
            .resolve_global(field, descriptor)
    }

    fn resolve_memory(
        &self,
        module: &str,
        field: &str,
        descriptor: &MemoryDescriptor,
    ) -> Result<MemoryRef, Error> {
        self.resolver(module)
            .ok_or_else(|| unknown_import(Some(module), field))?
            .resolve_memory(field, descriptor)
    }

    fn resolve_table(
        &self,
        module: &str,
        field: &str,
        descriptor: &TableDescriptor,
    ) -> Result<TableRef, Error> {
        self.resolver(module)
            .ok_or_else(|| unknown_import(Some(module), field))?
            .resolve_table(field, descriptor)
    }

    fn resolve_tag(
        &self,
        module: &str,
        field: &str,
        signature: &Signature,
    ) -> Result<TagRef, Error> {
        self.resolver(module)
            .ok_or_else(|| unknown_import(Some(module), field))?
            .resolve_tag(field, signature)
    }
}
