//! Module instances and instantiation (spec 4.5.4).

use crate::imports::{GlobalDescriptor, MemoryDescriptor, TableDescriptor, unknown_import};
use crate::limits::{Counted, Limiter};
use crate::meter::{InterruptHandle, Meter};
use crate::prelude::*;
use crate::refs::{TagRef, Value};
use crate::table::Elements;
use crate::{
    Error, Externals, FuncInstance, FuncRef, GlobalInstance, GlobalRef, ImportResolver,
    Instantiable, LoadedModule, MemoryInstance, MemoryRef, ModuleImportResolver, StackRecycler,
    TableInstance, TableRef,
};
use alloc::collections::BTreeMap;
use alloc::rc::Rc;
use alloc::sync::Arc;
use core::cell::{Ref, RefCell};
use core::fmt;
use core::marker::PhantomData;
use core::ops::Deref;
use wasm_core::{
    ConstExpr, ConstRef, DataMode, ElementItems, ElementMode, ExternKind, HeapType, ImportKind,
    RefType, RuntimeValue, Signature, Trap, TrapCode, ValType,
};

/// An entity an instance exports or imports.
#[derive(Clone)]
pub enum ExternVal {
    /// A function.
    Func(FuncRef),
    /// A table.
    Table(TableRef),
    /// A memory.
    Memory(MemoryRef),
    /// A global.
    Global(GlobalRef),
}

/// The kind alone, as the seed prints it: `ExternVal { Func }`.
impl fmt::Debug for ExternVal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match self {
            ExternVal::Func(_) => "Func",
            ExternVal::Table(_) => "Table",
            ExternVal::Memory(_) => "Memory",
            ExternVal::Global(_) => "Global",
        };
        write!(f, "ExternVal {{ {kind} }}")
    }
}

impl ExternVal {
    /// The function, if it is one.
    pub fn as_func(&self) -> Option<&FuncRef> {
        match self {
            ExternVal::Func(f) => Some(f),
            _ => None,
        }
    }

    /// The table, if it is one.
    pub fn as_table(&self) -> Option<&TableRef> {
        match self {
            ExternVal::Table(t) => Some(t),
            _ => None,
        }
    }

    /// The memory, if it is one.
    pub fn as_memory(&self) -> Option<&MemoryRef> {
        match self {
            ExternVal::Memory(m) => Some(m),
            _ => None,
        }
    }

    /// The global, if it is one.
    pub fn as_global(&self) -> Option<&GlobalRef> {
        match self {
            ExternVal::Global(g) => Some(g),
            _ => None,
        }
    }

    fn kind_name(&self) -> &'static str {
        match self {
            ExternVal::Func(_) => "function",
            ExternVal::Table(_) => "table",
            ExternVal::Memory(_) => "memory",
            ExternVal::Global(_) => "global",
        }
    }
}

/// An instantiated module: its functions, tables, memories and globals (imported ones
/// first, as in the module's index spaces) and its exports.
pub struct ModuleInstance {
    module: Arc<wasm_core::Module>,
    funcs: Vec<FuncRef>,
    tables: Vec<TableRef>,
    memories: Vec<MemoryRef>,
    globals: Vec<GlobalRef>,
    /// Tags (exception handling), imported first.
    tags: Vec<TagRef>,
    /// The same globals, for [`ModuleInstance::globals`], which lends them as the seed
    /// did (a `Ref` of a `RefCell`); `globals` is what the engine and linking read.
    globals_cell: RefCell<Vec<GlobalRef>>,
    exports: BTreeMap<String, ExternVal>,
    /// The element segments' references, resolved at instantiation (spec 4.5.4); a
    /// dropped segment (`elem.drop`, or applied at instantiation) is empty.
    elements: RefCell<Vec<Elements>>,
    /// Which data segments are dropped (`data.drop`, or applied at instantiation).
    dropped_data: RefCell<Vec<bool>>,
    /// Instances this one imports Wasm functions from: kept alive as long as this one.
    _imported_instances: Vec<Rc<ModuleInstance>>,
    /// Fuel and the interrupt flag of the invocations started here.
    meter: Rc<Meter>,
}

/// The seed's form: the module's function types, then the instance's tables,
/// functions, memories, globals and exports (sorted by name), each list in a `RefCell`
/// as the seed kept them.
impl fmt::Debug for ModuleInstance {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ModuleInstance")
            .field("signatures", &RefCell::new(&self.module.types))
            .field("tables", &RefCell::new(&self.tables))
            .field("funcs", &RefCell::new(&self.funcs))
            .field("memories", &RefCell::new(&self.memories))
            .field("globals", &RefCell::new(&self.globals))
            .field("exports", &RefCell::new(&self.exports))
            .finish()
    }
}

/// A shared handle to a [`ModuleInstance`]; cheap to clone.
#[derive(Clone, Debug)]
pub struct ModuleRef(pub(crate) Rc<ModuleInstance>);

impl Deref for ModuleRef {
    type Target = ModuleInstance;
    fn deref(&self) -> &ModuleInstance {
        &self.0
    }
}

/// An instance whose start function has not run yet. It borrows the module it was made
/// from, as the seed's does.
pub struct NotStartedModuleRef<'a> {
    /// The module's start function, by index.
    start: Option<u32>,
    instance: ModuleRef,
    module: PhantomData<&'a ()>,
}

impl fmt::Debug for NotStartedModuleRef<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NotStartedModuleRef")
            .field("instance", &self.instance)
            .finish()
    }
}

impl<'a> NotStartedModuleRef<'a> {
    /// The instance, before its start function runs.
    pub fn not_started_instance(&self) -> &ModuleRef {
        &self.instance
    }

    /// Whether the module has a start function.
    pub fn has_start(&self) -> bool {
        self.start.is_some()
    }

    /// Runs the start function, if any, and returns the instance.
    pub fn run_start<E: Externals>(self, externals: &mut E) -> Result<ModuleRef, Trap> {
        self.run_start_with_stack(externals, &mut StackRecycler::default())
    }

    /// [`run_start`](Self::run_start) with reusable stacks and their limits.
    pub fn run_start_with_stack<E: Externals>(
        self,
        externals: &mut E,
        stack: &mut StackRecycler,
    ) -> Result<ModuleRef, Trap> {
        if let Some(start) = self.start {
            let func = self.instance.funcs[start as usize].clone();
            FuncInstance::invoke_with_stack(&func, &[], externals, stack)?;
        }
        Ok(self.instance)
    }

    /// Returns the instance of a module without a start function.
    ///
    /// # Panics
    /// If the module has a start function: call [`run_start`](Self::run_start) instead.
    pub fn assert_no_start(self) -> ModuleRef {
        assert!(
            !self.has_start(),
            "assert_no_start called on a module with a start function"
        );
        self.instance
    }
}

#[cold]
fn incompatible(module: &str, field: &str, why: impl fmt::Display) -> Error {
    Error::Instantiation(format!(
        "incompatible import type for {module}.{field}: {why}"
    ))
}

impl ModuleInstance {
    /// Instantiates `loaded_module`, resolving its imports with `imports`.
    ///
    /// Follows the spec's order: resolve and type-check imports, allocate, evaluate the
    /// globals' initialisers, initialise tables then memories from the active segments.
    /// A segment that does not fit traps (`Error::Trap`); segments before it stay written.
    ///
    /// `loaded_module` is the facade's `Module` (or a [`LoadedModule`]), taken as a trait
    /// object so that the type parameters are the seed's (`new::<ImportsBuilder>(..)`).
    // The seed API's shape: `new` returns the not-yet-started instance.
    #[allow(clippy::new_ret_no_self)]
    pub fn new<'m, I: ImportResolver>(
        loaded_module: &'m dyn Instantiable,
        imports: &I,
    ) -> Result<NotStartedModuleRef<'m>, Error> {
        Self::new_with_limiter(loaded_module, imports, None)
    }

    /// [`new`](Self::new) under `limiter`: the instance counts against its caps, and the
    /// memories and tables it defines ask it before they are created and before every
    /// growth (see [`ResourceLimiter`](crate::ResourceLimiter)). `None` is [`new`](Self::new).
    pub fn new_with_limiter<'m, I: ImportResolver>(
        loaded_module: &'m dyn Instantiable,
        imports: &I,
        limiter: Option<&Limiter>,
    ) -> Result<NotStartedModuleRef<'m>, Error> {
        let loaded = loaded_module.loaded_module()?;
        let module = loaded.module();
        let mut externs = Vec::with_capacity(module.imports.len());
        let mut tags = Vec::with_capacity(module.num_imported_tags() as usize);
        for import in &module.imports {
            let (m, f) = (import.module.as_str(), import.field.as_str());
            externs.push(match &import.kind {
                ImportKind::Tag(ty) => {
                    tags.push(imports.resolve_tag(m, f, &module.types[*ty as usize])?);
                    continue;
                }
                ImportKind::Func(ty) => {
                    let signature = &module.types[*ty as usize];
                    ExternVal::Func(imports.resolve_func(m, f, signature)?)
                }
                ImportKind::Global(ty) => {
                    ExternVal::Global(imports.resolve_global(m, f, &GlobalDescriptor::new(*ty))?)
                }
                ImportKind::Memory(ty) => {
                    ExternVal::Memory(imports.resolve_memory(m, f, &MemoryDescriptor::new(*ty))?)
                }
                ImportKind::Table(ty) => {
                    ExternVal::Table(imports.resolve_table(m, f, &TableDescriptor::new(*ty))?)
                }
            });
        }
        Self::instantiate(&loaded, externs, tags, limiter)
    }

    /// Instantiates `loaded_module` with its imports given in order. Tags cannot be
    /// given this way: a module that imports one needs [`new`](Self::new).
    pub fn with_externvals<'a, 'm, I: Iterator<Item = &'a ExternVal>>(
        loaded_module: &'m dyn Instantiable,
        extern_vals: I,
    ) -> Result<NotStartedModuleRef<'m>, Error> {
        let loaded = loaded_module.loaded_module()?;
        let externs: Vec<ExternVal> = extern_vals.cloned().collect();
        if loaded.module().num_imported_tags() > 0 {
            return Err(Error::Instantiation(
                "the module imports tags, which an ExternVal cannot give: use ModuleInstance::new"
                    .to_string(),
            ));
        }
        if externs.len() != loaded.module().imports.len() {
            return Err(Error::Instantiation(format!(
                "the module has {} imports, {} values were given",
                loaded.module().imports.len(),
                externs.len()
            )));
        }
        Self::instantiate(&loaded, externs, Vec::new(), None)
    }

    fn instantiate<'m>(
        loaded: &LoadedModule,
        externs: Vec<ExternVal>,
        mut tags: Vec<TagRef>,
        limiter: Option<&Limiter>,
    ) -> Result<NotStartedModuleRef<'m>, Error> {
        let module = loaded.module();
        if let Some(limiter) = limiter {
            limiter
                .count(Counted::Instance, 1)
                .map_err(Error::Instantiation)?;
        }
        let mut funcs = Vec::with_capacity(module.functions.len());
        let mut tables = Vec::with_capacity(module.tables.len());
        let mut memories = Vec::with_capacity(module.memories.len());
        let mut globals = Vec::with_capacity(module.globals.len());
        // Spec 4.5.2 "Import matching".
        let tag_imports = module
            .imports
            .iter()
            .filter_map(|import| match import.kind {
                ImportKind::Tag(ty) => Some((import, ty)),
                _ => None,
            });
        for ((import, ty), tag) in tag_imports.zip(&tags) {
            if **tag.signature_arc() != *module.types[ty as usize] {
                return Err(incompatible(
                    &import.module,
                    &import.field,
                    "tag type does not match",
                ));
            }
        }
        for &ty in &module.tags[tags.len()..] {
            tags.push(TagRef::with_signature(module.types[ty as usize].clone()));
        }
        let other_imports = module
            .imports
            .iter()
            .filter(|import| !matches!(import.kind, ImportKind::Tag(_)));
        for (import, value) in other_imports.zip(externs) {
            let (m, f) = (import.module.as_str(), import.field.as_str());
            match (&import.kind, value) {
                (ImportKind::Func(ty), ExternVal::Func(func)) => {
                    let expected = &module.types[*ty as usize];
                    // Spec 4.5.2 (3.0): the function's type is a subtype of the import's.
                    if !func.signature_arc().is_subtype_of(expected) {
                        return Err(incompatible(
                            m,
                            f,
                            format_args!("expected {expected}, found {}", func.signature()),
                        ));
                    }
                    funcs.push(func);
                }
                (ImportKind::Table(ty), ExternVal::Table(table)) => {
                    if !table.matches(ty, &module.types) {
                        return Err(incompatible(m, f, "table type does not match"));
                    }
                    tables.push(table);
                }
                (ImportKind::Memory(ty), ExternVal::Memory(memory)) => {
                    if !memory.matches(ty) {
                        return Err(incompatible(m, f, "memory type does not match"));
                    }
                    memories.push(memory);
                }
                (ImportKind::Global(ty), ExternVal::Global(global)) => {
                    if !global.matches(ty, &module.types) {
                        return Err(incompatible(m, f, "global type does not match"));
                    }
                    globals.push(global);
                }
                (_, other) => {
                    return Err(incompatible(
                        m,
                        f,
                        format_args!("found a {}", other.kind_name()),
                    ));
                }
            }
        }
        // Spec 4.5.3 "Allocation".
        let defined_entries: u64 = module.tables[tables.len()..]
            .iter()
            .map(|ty| ty.limits.min)
            .sum();
        if defined_entries > wasm_core::limits::MAX_TABLE_ENTRIES {
            return Err(Error::Instantiation(format!(
                "tables too large: {defined_entries} elements in all (limit {})",
                wasm_core::limits::MAX_TABLE_ENTRIES
            )));
        }
        for ty in &module.tables[tables.len()..] {
            let element_sig = concrete_sig(module, ValType::Ref(ty.element));
            tables.push(TableInstance::alloc_limited(ty, element_sig, limiter)?);
        }
        for ty in &module.memories[memories.len()..] {
            memories.push(MemoryInstance::alloc_limited(ty, limiter)?);
        }
        for (ty, init) in module.globals[globals.len()..]
            .iter()
            .zip(&module.global_inits)
        {
            // A reference is set once the functions exist (`init_ref_globals`).
            let value = match ty.content {
                ValType::Ref(r) => Value::null(r),
                ValType::V128 => {
                    let vector = wasm_core::eval_const_v128(module, init, |index| {
                        match globals.get(index as usize)?.get_value() {
                            Value::V128(v) => Some(v),
                            _ => None,
                        }
                    });
                    Value::V128(vector.map_err(|e| Error::Instantiation(e.to_string()))?)
                }
                _ => eval_const(module, &globals, init)?.into(),
            };
            let sig = concrete_sig(module, ty.content);
            globals.push(GlobalInstance::alloc_typed(value, ty, sig));
        }
        let mut imported_instances: Vec<Rc<ModuleInstance>> = Vec::new();
        for instance in funcs.iter().filter_map(|f| f.as_wasm()?.instance()) {
            if !imported_instances.iter().any(|i| Rc::ptr_eq(i, &instance)) {
                imported_instances.push(instance);
            }
        }
        let num_imported = funcs.len();
        let instance = Rc::new_cyclic(|weak| {
            for (i, code) in loaded.code().iter().enumerate() {
                let index = (num_imported + i) as u32;
                let signature = module
                    .func_signature(index)
                    .expect("validated type index")
                    .clone();
                funcs.push(FuncInstance::alloc_wasm(
                    signature,
                    weak.clone(),
                    index,
                    code.clone(),
                    loaded.engine().clone(),
                ));
            }
            let mut exports = BTreeMap::new();
            for export in &module.exports {
                let i = export.index as usize;
                let value = match export.kind {
                    ExternKind::Func => ExternVal::Func(funcs[i].clone()),
                    ExternKind::Table => ExternVal::Table(tables[i].clone()),
                    ExternKind::Memory => ExternVal::Memory(memories[i].clone()),
                    ExternKind::Global => ExternVal::Global(globals[i].clone()),
                    // Found by `export_tag`: an `ExternVal` has no tag case.
                    ExternKind::Tag => continue,
                };
                exports.insert(export.name.clone(), value);
            }
            ModuleInstance {
                module: module.clone(),
                funcs,
                tables,
                memories,
                globals_cell: RefCell::new(globals.clone()),
                globals,
                tags,
                exports,
                elements: RefCell::new(Vec::new()),
                dropped_data: RefCell::new(vec![false; module.data.len()]),
                _imported_instances: imported_instances,
                meter: Rc::default(),
            }
        });
        let instance = ModuleRef(instance);
        instance.init_ref_globals()?;
        instance.init_tables()?;
        let mut written = Vec::new();
        if let Err(error) = instance.initialize_segments(&mut written) {
            // Spec 4.5.4 (2.0): the segments applied before the trap stay, so functions
            // of this instance may now be in imported tables, callable from elsewhere.
            // The imported tables that received some keep the instance (which refers to
            // them: a cycle, so such a failed instantiation lives as long as the process;
            // one that wrote into no imported table is freed).
            let imported = module.num_imported_tables();
            written.retain(|&table| table < imported);
            written.sort_unstable();
            written.dedup();
            for table in written {
                instance.tables[table as usize].keep_alive(instance.0.clone());
            }
            return Err(error);
        }
        Ok(NotStartedModuleRef {
            start: module.start,
            instance,
            module: PhantomData,
        })
    }

    /// Calls the exported function `name`.
    pub fn invoke_export<E: Externals>(
        &self,
        name: &str,
        args: &[RuntimeValue],
        externals: &mut E,
    ) -> Result<Option<RuntimeValue>, Error> {
        self.invoke_export_with_stack(name, args, externals, &mut StackRecycler::default())
    }

    /// [`invoke_export`](Self::invoke_export) with reusable stacks and their limits.
    pub fn invoke_export_with_stack<E: Externals>(
        &self,
        name: &str,
        args: &[RuntimeValue],
        externals: &mut E,
        stack: &mut StackRecycler,
    ) -> Result<Option<RuntimeValue>, Error> {
        let func = match self.exports.get(name) {
            Some(ExternVal::Func(func)) => func,
            Some(other) => {
                return Err(Error::Function(format!(
                    "Export {name} is not a function, but {other:?}"
                )));
            }
            None => {
                return Err(Error::Function(format!(
                    "Module doesn't have export {name}"
                )));
            }
        };
        FuncInstance::invoke_with_stack(func, args, externals, stack).map_err(Error::Trap)
    }

    /// The export called `name`.
    pub fn export_by_name(&self, name: &str) -> Option<ExternVal> {
        self.exports.get(name).cloned()
    }

    /// The tag exported as `name` (exception handling), if any.
    pub fn export_tag(&self, name: &str) -> Option<TagRef> {
        let export = self
            .module
            .exports
            .iter()
            .find(|export| export.kind == ExternKind::Tag && export.name == name)?;
        self.tags.get(export.index as usize).cloned()
    }

    /// The instance's tags (exception handling), imported first.
    pub(crate) fn tags(&self) -> &[TagRef] {
        &self.tags
    }

    /// The fuel left for the invocations started at this instance (see
    /// [`OutOfFuel`](crate::OutOfFuel)); 0 at instantiation. Only code of modules loaded
    /// with fuel metering consumes it.
    pub fn fuel(&self) -> u64 {
        self.meter.fuel()
    }

    /// Sets the fuel left.
    pub fn set_fuel(&self, fuel: u64) {
        self.meter.set_fuel(fuel);
    }

    /// Adds fuel (saturating at `u64::MAX`).
    pub fn add_fuel(&self, fuel: u64) {
        self.meter.set_fuel(self.meter.fuel().saturating_add(fuel));
    }

    /// A handle that stops the invocations started at this instance from any thread
    /// (in code of modules loaded with interruption on).
    pub fn interrupt_handle(&self) -> InterruptHandle {
        self.meter.handle()
    }

    /// The meter the engine charges (see `engine::meter`).
    pub(crate) fn meter(&self) -> &Rc<Meter> {
        &self.meter
    }

    /// All globals, imported ones first, lent as the seed lends them.
    pub fn globals(&self) -> Ref<'_, Vec<GlobalRef>> {
        self.globals_cell.borrow()
    }

    /// All globals, imported ones first.
    pub(crate) fn global_refs(&self) -> &[GlobalRef] {
        &self.globals
    }

    /// All functions, imported ones first.
    pub(crate) fn funcs(&self) -> &[FuncRef] {
        &self.funcs
    }

    /// All tables, imported ones first.
    pub(crate) fn tables(&self) -> &[TableRef] {
        &self.tables
    }

    /// All memories, imported ones first.
    pub(crate) fn memories(&self) -> &[MemoryRef] {
        &self.memories
    }

    /// Function `index`.
    pub fn func_by_index(&self, index: u32) -> Option<FuncRef> {
        self.funcs.get(index as usize).cloned()
    }

    /// Global `index`.
    pub fn global_by_index(&self, index: u32) -> Option<GlobalRef> {
        self.globals.get(index as usize).cloned()
    }

    /// Memory `index`.
    pub fn memory_by_index(&self, index: u32) -> Option<MemoryRef> {
        self.memories.get(index as usize).cloned()
    }

    /// Table `index`.
    pub fn table_by_index(&self, index: u32) -> Option<TableRef> {
        self.tables.get(index as usize).cloned()
    }

    /// `table.init`: `n` references of element segment `elem` from `from` into table
    /// `table` at `to`, all or none.
    pub(crate) fn table_init(
        &self,
        table: u32,
        elem: u32,
        to: u32,
        from: u32,
        n: u32,
    ) -> Result<(), TrapCode> {
        // The items are copied out first: the segments are not borrowed while the table
        // drops the entries it replaces (which may run host code).
        let items = self
            .elements
            .borrow()
            .get(elem as usize)
            .and_then(|segment| segment.slice(from, n))
            .ok_or(TrapCode::TableAccessOutOfBounds)?;
        let table = self
            .tables
            .get(table as usize)
            .ok_or(TrapCode::TableAccessOutOfBounds)?;
        table.init(to, &items, 0, n)
    }

    /// `elem.drop`: element segment `elem` becomes empty.
    pub(crate) fn elem_drop(&self, elem: u32) {
        let old = self
            .elements
            .borrow_mut()
            .get_mut(elem as usize)
            .map(|segment| {
                let empty = Elements::new(segment.ty());
                core::mem::replace(segment, empty)
            });
        // Dropped after the segments are released: a reference's drop may run host code.
        drop(old);
    }

    /// `memory.init`: the bytes `from..from + n` of data segment `data` (empty once
    /// dropped), as a slice of the module's bytes; `None` if out of bounds.
    pub(crate) fn data_bytes(&self, data: u32, from: u32, n: u32) -> Option<&[u8]> {
        let segment = self.module.data.get(data as usize)?;
        let dropped = self.dropped_data.borrow().get(data as usize).copied()?;
        let bytes = if dropped {
            &[][..]
        } else {
            self.module.slice(&segment.bytes)
        };
        let end = u64::from(from) + u64::from(n);
        (end <= bytes.len() as u64).then(|| &bytes[from as usize..end as usize])
    }

    /// `data.drop`: data segment `data` becomes empty.
    pub(crate) fn data_drop(&self, data: u32) {
        if let Some(dropped) = self.dropped_data.borrow_mut().get_mut(data as usize) {
            *dropped = true;
        }
    }

    /// Function type `index` of the module.
    pub(crate) fn signature_by_index(&self, index: u32) -> Option<&Arc<Signature>> {
        self.module.types.get(index as usize)
    }
}

/// Evaluates a (validated) constant expression with the instance's globals so far.
fn eval_const(
    module: &wasm_core::Module,
    globals: &[GlobalRef],
    expr: &ConstExpr,
) -> Result<RuntimeValue, Error> {
    wasm_core::eval_const(module, expr, |index| {
        globals.get(index as usize).map(|global| global.get())
    })
    .map_err(|e| Error::Instantiation(e.to_string()))
}

/// Reads a (validated) constant expression of reference type.
fn const_ref(module: &wasm_core::Module, expr: &ConstExpr) -> Result<ConstRef, Error> {
    wasm_core::const_ref(module, expr).map_err(|e| Error::Instantiation(e.to_string()))
}

impl ModuleImportResolver for ModuleRef {
    fn resolve_func(&self, field: &str, _signature: &Signature) -> Result<FuncRef, Error> {
        self.resolve(field, ExternVal::as_func)
    }

    fn resolve_global(
        &self,
        field: &str,
        _descriptor: &GlobalDescriptor,
    ) -> Result<GlobalRef, Error> {
        self.resolve(field, ExternVal::as_global)
    }

    fn resolve_memory(
        &self,
        field: &str,
        _descriptor: &MemoryDescriptor,
    ) -> Result<MemoryRef, Error> {
        self.resolve(field, ExternVal::as_memory)
    }

    fn resolve_table(&self, field: &str, _descriptor: &TableDescriptor) -> Result<TableRef, Error> {
        self.resolve(field, ExternVal::as_table)
    }

    fn resolve_tag(&self, field: &str, _signature: &Signature) -> Result<TagRef, Error> {
        if let Some(tag) = self.export_tag(field) {
            return Ok(tag);
        }
        // Another kind of export, or none.
        self.resolve(field, |_| None::<&TagRef>)
    }
}

impl ModuleRef {
    /// Sets the defined globals of reference type, which instantiation creates before
    /// the functions their initialisers may name.
    fn init_ref_globals(&self) -> Result<(), Error> {
        let module = &self.module;
        let imported = module.num_imported_globals() as usize;
        for (i, init) in module.global_inits.iter().enumerate() {
            let global = &self.globals[imported + i];
            if global.val_type().is_ref() {
                global.store(self.ref_value(const_ref(module, init)?));
            }
        }
        Ok(())
    }

    /// Sets every entry of each defined table that has an initialiser (typed function
    /// references) to its value.
    fn init_tables(&self) -> Result<(), Error> {
        let module = &self.module;
        let imported = module.num_imported_tables() as usize;
        for (i, init) in module.table_inits.iter().enumerate() {
            if let Some(init) = init {
                let value = self.ref_value(const_ref(module, init)?);
                self.tables[imported + i].fill_all(&value);
            }
        }
        Ok(())
    }

    /// The reference a constant expression of reference type produces.
    fn ref_value(&self, expr: ConstRef) -> Value {
        match expr {
            ConstRef::Null(ty) => Value::null(ty),
            ConstRef::Func(f) => Value::FuncRef(self.funcs.get(f as usize).cloned()),
            ConstRef::Global(g) => self.globals[g as usize].get_value(),
        }
    }

    /// Spec 4.5.4 (2.0): every element segment's references are resolved; then each
    /// active element segment, in order, is copied into its table and dropped (as by
    /// `table.init` and `elem.drop`), declarative ones are dropped; then each active data
    /// segment is copied into its memory and dropped. A segment that does not fit traps,
    /// and earlier ones stay written.
    /// The tables that received functions of this instance are added to `written`, in
    /// order.
    fn initialize_segments(&self, written: &mut Vec<u32>) -> Result<(), Error> {
        let module = &self.module;
        let mut resolved = Vec::with_capacity(module.elements.len());
        for segment in &module.elements {
            let mut items = Elements::new(segment.ty);
            match &segment.items {
                ElementItems::Functions(indices) => {
                    for &i in indices {
                        items.push(Value::FuncRef(self.funcs.get(i as usize).cloned()));
                    }
                }
                ElementItems::Expressions(exprs) => {
                    for expr in exprs {
                        items.push(self.ref_value(const_ref(module, expr)?));
                    }
                }
            }
            resolved.push(items);
        }
        *self.elements.borrow_mut() = resolved;
        for (index, segment) in module.elements.iter().enumerate() {
            match &segment.mode {
                ElementMode::Active { table, offset } => {
                    let offset = segment_offset(eval_const(module, &self.globals, offset)?);
                    let n = segment.len().min(u32::MAX as usize) as u32;
                    self.table_init(*table, index as u32, offset, 0, n)
                        .map_err(|code| Error::Trap(Trap::Code(code)))?;
                    let own = self
                        .elements
                        .borrow()
                        .get(index)
                        .is_some_and(|segment| segment.holds_func_of(self));
                    if n > 0 && own {
                        written.push(*table);
                    }
                    self.elem_drop(index as u32);
                }
                ElementMode::Declared => self.elem_drop(index as u32),
                ElementMode::Passive => {}
            }
        }
        for (index, segment) in module.data.iter().enumerate() {
            let DataMode::Active { memory, offset } = &segment.mode else {
                continue;
            };
            let offset = segment_offset(eval_const(module, &self.globals, offset)?);
            self.memories[*memory as usize]
                .set(offset, module.slice(&segment.bytes))
                .map_err(|_| Error::Trap(Trap::Code(TrapCode::MemoryAccessOutOfBounds)))?;
            self.data_drop(index as u32);
        }
        Ok(())
    }

    fn resolve<T: Clone>(
        &self,
        field: &str,
        pick: impl Fn(&ExternVal) -> Option<&T>,
    ) -> Result<T, Error> {
        let value = self
            .exports
            .get(field)
            .ok_or_else(|| unknown_import(None, field))?;
        pick(value).cloned().ok_or_else(|| {
            Error::Instantiation(format!(
                "incompatible import type: export {field} is a {}",
                value.kind_name()
            ))
        })
    }
}
/// An active segment's offset: an i32, or an i64 for a 64-bit memory or table
/// (memory64), where an offset of 2^32 or more is out of bounds of anything this runtime
/// makes (`u32::MAX`, past every memory's and table's end).
fn segment_offset(offset: RuntimeValue) -> u32 {
    match offset {
        RuntimeValue::I64(offset) => u32::try_from(offset as u64).unwrap_or(u32::MAX),
        offset => offset.try_into::<u32>().unwrap_or(u32::MAX),
    }
}

/// The function type that value type `ty` names, if it is a concrete reference type of
/// `module` (typed function references): what a table or global keeps for import
/// matching in other modules.
fn concrete_sig(module: &wasm_core::Module, ty: ValType) -> Option<Arc<Signature>> {
    match ty {
        ValType::Ref(RefType {
            heap: HeapType::Concrete(index),
            ..
        }) => module.types.get(index as usize).cloned(),
        _ => None,
    }
}
