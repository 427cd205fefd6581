//! Module-level rules (spec 3.2 "Types" and 3.4 "Modules"): everything but function
//! bodies, which `func.rs` validates.
//!
//! The checks run in the order of the spec's module rule (3.4.10): types, imports,
//! functions, tables, memories, globals, element and data segments, start, exports.

use crate::prelude::*;

use crate::error::ValidationError;
use crate::features::{Features, check_ref_type, check_val_type};
use alloc::collections::BTreeSet;
use wasm_core::wasmparser::{self, Operator, Parser, Payload};
use wasm_core::{
    ConstExpr, DataMode, ElementItems, ElementMode, ExternKind, GlobalType, HeapType, ImportKind,
    Limits, MAX_PAGES_32, MemoryType, Module, RefType, TableType, ValType,
};

type Result<T> = core::result::Result<T, ValidationError>;

/// Validates everything but the function bodies.
pub(crate) fn validate_module(module: &Module, features: &Features) -> Result<()> {
    types(module, features)?;
    imports(module, features)?;
    functions(module)?;
    tables(module, features)?;
    memories(module, features)?;
    tags(module, features)?;
    globals(module, features)?;
    elements(module, features)?;
    data(module, features)?;
    start(module)?;
    exports(module, features)
}

/// Spec 3.2.3: function types. Before multi-value a function has at most one result.
fn types(module: &Module, features: &Features) -> Result<()> {
    for (index, sig) in module.types.iter().enumerate() {
        for &ty in sig.param_types().iter().chain(sig.result_types()) {
            check_val_type(module, features, ty).map_err(|message| {
                ValidationError::new(
                    format!("type {index}: {message}"),
                    entry_offset(module, Entry::Type, index),
                )
            })?;
        }
        if sig.result_types().len() > 1 && !features.multi_value {
            return Err(ValidationError::new(
                format!(
                    "invalid result arity: type {index} has {} results (multi-value proposal not enabled)",
                    sig.result_types().len()
                ),
                entry_offset(module, Entry::Type, index),
            ));
        }
    }
    subtypes(module, features)
}

/// Spec 3.2 (3.0) "recursive types" and "sub types": recursion groups and declared
/// supertypes need typed function references (the GC proposal's type system, limited to
/// function types); a supertype comes before its subtype, is not final, and the subtype
/// matches it (parameters contravariant, results covariant), at most
/// [`MAX_SUBTYPING_DEPTH`](wasm_core::MAX_SUBTYPING_DEPTH) links deep.
fn subtypes(module: &Module, features: &Features) -> Result<()> {
    if let Some(offset) = module.empty_rec_group()
        && !features.function_references
    {
        return Err(ValidationError::new(
            "recursion groups and subtypes require the function-references proposal, which \
             is not enabled",
            offset,
        ));
    }
    let mut depths: Vec<u32> = Vec::with_capacity(module.types.len());
    for (index, sig) in module.types.iter().enumerate() {
        let error = |message: String| {
            ValidationError::new(
                format!("type {index}: {message}"),
                entry_offset(module, Entry::Type, index),
            )
        };
        let Some(decl) = module.type_decl(index as u32) else {
            break;
        };
        let declared = decl.rec || !decl.is_final || !decl.supertypes.is_empty();
        if declared && !features.function_references {
            return Err(error(
                "recursion groups and subtypes require the function-references proposal, \
                 which is not enabled"
                    .to_string(),
            ));
        }
        let depth = match decl.supertypes[..] {
            [] => 0,
            [supertype] => {
                let Some(&depth) = depths.get(supertype as usize) else {
                    return Err(error(format!(
                        "unknown type {supertype}: a supertype must come before its subtype"
                    )));
                };
                let expected = &module.types[supertype as usize];
                if expected.is_final() {
                    return Err(error(format!(
                        "sub type {index} does not match super type {supertype}: it is final"
                    )));
                }
                if !func_matches(module, sig, expected) {
                    return Err(error(format!(
                        "sub type {index} does not match super type {supertype}"
                    )));
                }
                if depth >= wasm_core::MAX_SUBTYPING_DEPTH {
                    return Err(error(format!(
                        "sub type {index}: subtyping depth exceeds {}",
                        wasm_core::MAX_SUBTYPING_DEPTH
                    )));
                }
                depth + 1
            }
            _ => {
                return Err(error(
                    "sub type: a type may declare at most one supertype".to_string(),
                ));
            }
        };
        depths.push(depth);
    }
    Ok(())
}

/// Whether function type `actual` matches `expected` (spec 3.x "function types":
/// parameters contravariant, results covariant), both types of `module`.
fn func_matches(
    module: &Module,
    actual: &wasm_core::Signature,
    expected: &wasm_core::Signature,
) -> bool {
    let (params, results) = (actual.param_types(), actual.result_types());
    params.len() == expected.param_types().len()
        && results.len() == expected.result_types().len()
        && params
            .iter()
            .zip(expected.param_types())
            .all(|(&p, &q)| module.matches(q, p))
        && results
            .iter()
            .zip(expected.result_types())
            .all(|(&r, &s)| module.matches(r, s))
}

/// Spec 3.4.7: imports. Their table and memory types are checked with the defined ones.
fn imports(module: &Module, features: &Features) -> Result<()> {
    for import in &module.imports {
        match &import.kind {
            ImportKind::Func(type_index) => type_exists(module, *type_index, import.offset)?,
            ImportKind::Global(global) if global.mutable && !features.mutable_global => {
                return Err(ValidationError::new(
                    "importing a mutable global requires the mutable-global proposal, which is not enabled",
                    import.offset,
                ));
            }
            ImportKind::Global(global) => {
                global_type(module, global, features, import.offset)?;
            }
            _ => {}
        }
    }
    Ok(())
}

/// Spec 3.4.1: each defined function's type index must exist.
fn functions(module: &Module) -> Result<()> {
    let imported = module.num_imported_functions() as usize;
    for (defined, &type_index) in module.functions.iter().enumerate().skip(imported) {
        type_exists(
            module,
            type_index,
            module.func_decl_offset(defined - imported),
        )?;
    }
    Ok(())
}

fn type_exists(module: &Module, type_index: u32, offset: usize) -> Result<()> {
    if (type_index as usize) < module.types.len() {
        Ok(())
    } else {
        Err(ValidationError::new(
            format!("unknown type {type_index}"),
            offset,
        ))
    }
}

/// Spec 3.2.4 (table types) and 3.4.10 (at most one table before reference-types).
fn tables(module: &Module, features: &Features) -> Result<()> {
    for (index, table) in module.tables.iter().enumerate() {
        let offset = || extern_offset(module, ExternKind::Table, index);
        if index > 0 && !features.reference_types {
            return Err(ValidationError::new("multiple tables", offset()));
        }
        check_table_type(module, table, features)
            .map_err(|message| ValidationError::new(message, offset()))?;
        // A defined table's elements start as its initialiser's value, or null, which
        // a table of a non-nullable type cannot hold.
        let Some(defined) = index.checked_sub(module.num_imported_tables() as usize) else {
            continue;
        };
        match module.table_inits.get(defined) {
            Some(Some(_)) if !features.function_references => {
                return Err(ValidationError::new(
                    "table initialisers require the function-references proposal, which is not enabled",
                    offset(),
                ));
            }
            // The table section comes before the global section: only imported
            // globals are in scope.
            Some(Some(init)) => check_const(
                module,
                features,
                init,
                ValType::Ref(table.element),
                module.num_imported_globals(),
            )?,
            _ if !table.element.nullable => {
                return Err(ValidationError::new(
                    format!(
                        "type mismatch: table {index} of non-nullable type {} needs an initialiser",
                        table.element
                    ),
                    offset(),
                ));
            }
            _ => {}
        }
    }
    Ok(())
}

fn check_table_type(
    module: &Module,
    table: &TableType,
    features: &Features,
) -> core::result::Result<(), String> {
    // `funcref` tables are 1.0's; other element types need their proposals.
    if table.element != RefType::FUNCREF {
        check_ref_type(module, features, table.element)?;
    }
    if table.table64 && !features.memory64 {
        return Err(
            "64-bit tables require the memory64 proposal, which is not enabled".to_string(),
        );
    }
    match table.table64 {
        false => check_limits(
            table.limits,
            u64::from(u32::MAX),
            "table size must be at most 2^32-1 elements",
        ),
        true => check_limits(
            table.limits,
            u64::MAX,
            "table size must be at most 2^64-1 elements",
        ),
    }
}

/// Spec 3.2.5 (memory types) and 3.4.10 (at most one memory before multi-memory).
fn memories(module: &Module, features: &Features) -> Result<()> {
    for (index, memory) in module.memories.iter().enumerate() {
        let offset = || extern_offset(module, ExternKind::Memory, index);
        if index > 0 && !features.multi_memory {
            return Err(ValidationError::new("multiple memories", offset()));
        }
        check_memory_type(memory, features)
            .map_err(|message| ValidationError::new(message, offset()))?;
    }
    Ok(())
}

fn check_memory_type(memory: &MemoryType, features: &Features) -> core::result::Result<(), String> {
    if memory.memory64 && !features.memory64 {
        return Err(
            "64-bit memories require the memory64 proposal, which is not enabled".to_string(),
        );
    }
    if memory.shared {
        return Err("shared memories (threads proposal) are not supported".to_string());
    }
    let log2 = memory.page_size_log2();
    if memory.page_size_log2.is_some() && !features.custom_page_sizes {
        return Err(
            "custom page sizes require the custom-page-sizes proposal, which is not enabled"
                .to_string(),
        );
    }
    if log2 != 0 && log2 != 16 {
        return Err("invalid custom page size".to_string());
    }
    // A memory's size in bytes fits its address type: 2^32 bytes (65536 pages of 64 KiB,
    // or 2^32 - 1 one-byte pages, as many as 32-bit limits encode) or 2^64 bytes.
    let (range, too_large) = match (memory.memory64, log2) {
        (false, 16) => (MAX_PAGES_32, "65536 pages (4GiB)"),
        (true, 16) => (MAX_PAGES_64, "2^48 pages"),
        (false, _) => (u64::from(u32::MAX), "2^32-1 one-byte pages"),
        (true, _) => (u64::MAX, "2^64-1 one-byte pages"),
    };
    check_limits(
        memory.limits,
        range,
        &format!("memory size must be at most {too_large}"),
    )
}

/// The most pages a 64-bit memory may declare (spec: 2^48, so that its size in bytes
/// fits 64 bits).
const MAX_PAGES_64: u64 = 1 << 48;

/// Spec 3.2.1: limits within `range`, minimum not above maximum.
fn check_limits(limits: Limits, range: u64, too_large: &str) -> core::result::Result<(), String> {
    if limits.min > range || limits.max.is_some_and(|max| max > range) {
        return Err(too_large.to_string());
    }
    if limits.max.is_some_and(|max| limits.min > max) {
        return Err("size minimum must not be greater than maximum".to_string());
    }
    Ok(())
}

/// Spec 3.4.4: each defined global's initialiser is a constant expression of its type.
fn globals(module: &Module, features: &Features) -> Result<()> {
    let imported = module.num_imported_globals() as usize;
    for (defined, init) in module.global_inits.iter().enumerate() {
        let Some(global) = module.globals.get(imported + defined) else {
            return Err(ValidationError::new(
                "global without a type",
                init.range.start,
            ));
        };
        global_type(module, global, features, init.range.start)?;
        // Wasm 3.0: an initialiser may read the globals defined before it.
        let scope = match features.function_references {
            true => (imported + defined) as u32,
            false => module.num_imported_globals(),
        };
        check_const(module, features, init, global.content, scope)?;
    }
    Ok(())
}

/// Exception handling: each tag's type exists and has no results.
fn tags(module: &Module, features: &Features) -> Result<()> {
    for (index, &ty) in module.tags.iter().enumerate() {
        let offset = || extern_offset(module, ExternKind::Tag, index);
        if !features.exceptions {
            return Err(ValidationError::new(
                "tags require the exception-handling proposal, which is not enabled",
                offset(),
            ));
        }
        let Some(sig) = module.types.get(ty as usize) else {
            return Err(ValidationError::new(format!("unknown type {ty}"), offset()));
        };
        if !sig.result_types().is_empty() {
            return Err(ValidationError::new(
                format!("non-empty tag result type: tag {index} has type {sig}"),
                offset(),
            ));
        }
    }
    Ok(())
}

/// Spec 3.2.6 (global types): the content type's proposal must be enabled.
fn global_type(
    module: &Module,
    global: &GlobalType,
    features: &Features,
    offset: usize,
) -> Result<()> {
    check_val_type(module, features, global.content)
        .map_err(|message| ValidationError::new(message, offset))
}

/// Spec 3.4.5: element segments.
fn elements(module: &Module, features: &Features) -> Result<()> {
    for segment in &module.elements {
        let error = |message: String| ValidationError::new(message, segment.offset);
        // 1.0's segments of function indices have type `(ref func)`; bulk memory's
        // expressions may give `funcref` without reference types.
        if segment.ty != RefType::new(false, HeapType::Func) && segment.ty != RefType::FUNCREF {
            check_ref_type(module, features, segment.ty).map_err(error)?;
        }
        match &segment.mode {
            ElementMode::Active { table, offset } => {
                let Some(table_type) = module.tables.get(*table as usize) else {
                    return Err(error(format!("unknown table {table}")));
                };
                let index = match table_type.table64 {
                    true => ValType::I64,
                    false => ValType::I32,
                };
                const_expr(module, features, offset, index)?;
                if !module.matches(ValType::Ref(segment.ty), ValType::Ref(table_type.element)) {
                    return Err(error(format!(
                        "type mismatch: element segment does not fit the element type of table {table}"
                    )));
                }
            }
            ElementMode::Passive if !features.bulk_memory => {
                return Err(error(
                    "passive element segments require the bulk-memory proposal, which is not enabled"
                        .to_string(),
                ));
            }
            ElementMode::Declared if !features.reference_types => {
                return Err(error(
                    "declared element segments require the reference-types proposal, which is not enabled"
                        .to_string(),
                ));
            }
            ElementMode::Passive | ElementMode::Declared => {}
        }
        match &segment.items {
            ElementItems::Functions(functions) => {
                for &function in functions {
                    if function as usize >= module.functions.len() {
                        return Err(error(format!("unknown function {function}")));
                    }
                }
            }
            ElementItems::Expressions(exprs) => {
                if !features.bulk_memory && !features.reference_types {
                    return Err(error(
                        "element expressions require the bulk-memory proposal, which is not enabled"
                            .to_string(),
                    ));
                }
                for expr in exprs {
                    element_expr(module, features, expr, segment.ty)?;
                }
            }
        }
    }
    Ok(())
}

/// Spec 3.4.6: data segments.
fn data(module: &Module, features: &Features) -> Result<()> {
    if module.data_count.is_some() && !features.bulk_memory {
        let offset = module.data.first().map_or(0, |segment| segment.offset);
        return Err(ValidationError::new(
            "the data count section requires the bulk-memory proposal, which is not enabled",
            offset,
        ));
    }
    for segment in &module.data {
        match &segment.mode {
            DataMode::Active { memory, offset } => {
                if *memory as usize >= module.memories.len() {
                    return Err(ValidationError::new(
                        format!("unknown memory {memory}"),
                        segment.offset,
                    ));
                }
                let address = match module.memories[*memory as usize].memory64 {
                    true => ValType::I64,
                    false => ValType::I32,
                };
                const_expr(module, features, offset, address)?;
            }
            DataMode::Passive if !features.bulk_memory => {
                return Err(ValidationError::new(
                    "passive data segments require the bulk-memory proposal, which is not enabled",
                    segment.offset,
                ));
            }
            DataMode::Passive => {}
        }
    }
    Ok(())
}

/// Spec 3.4.8: the start function exists and has type `[] -> []`.
fn start(module: &Module) -> Result<()> {
    let Some(index) = module.start else {
        return Ok(());
    };
    let sig = crate::func::signature_of(module, index)
        .map_err(|message| ValidationError::new(message, module.start_offset))?;
    if !sig.param_types().is_empty() || !sig.result_types().is_empty() {
        return Err(ValidationError::new(
            format!("start function must have type [] -> [], found {sig}"),
            module.start_offset,
        ));
    }
    Ok(())
}

/// Spec 3.4.9 and 3.4.10: exports name existing entities, and names are unique.
fn exports(module: &Module, features: &Features) -> Result<()> {
    let mut names = BTreeSet::new();
    for export in &module.exports {
        let error = |message: String| ValidationError::new(message, export.offset);
        let index = export.index;
        let exists = match export.kind {
            ExternKind::Func => (index as usize) < module.functions.len(),
            ExternKind::Table => (index as usize) < module.tables.len(),
            ExternKind::Memory => (index as usize) < module.memories.len(),
            ExternKind::Global => (index as usize) < module.globals.len(),
            ExternKind::Tag => (index as usize) < module.tags.len(),
        };
        if !exists {
            let kind = match export.kind {
                ExternKind::Func => "function",
                ExternKind::Table => "table",
                ExternKind::Memory => "memory",
                ExternKind::Global => "global",
                ExternKind::Tag => "tag",
            };
            return Err(error(format!("unknown {kind} {index}")));
        }
        if export.kind == ExternKind::Global
            && module.globals[index as usize].mutable
            && !features.mutable_global
        {
            return Err(error(
                "exporting a mutable global requires the mutable-global proposal, which is not enabled"
                    .to_string(),
            ));
        }
        if !names.insert(export.name.as_str()) {
            return Err(error(format!("duplicate export name {:?}", export.name)));
        }
    }
    Ok(())
}

/// A value a constant expression can produce.
type Const = ValType;

/// Spec 3.3.10 (1.0: 3.3.7.2): a constant expression producing one `expected` value.
/// In 1.0 it is a single `t.const` (with simd, `v128.const` too) or a `global.get` of an
/// immutable imported global; extended-const adds integer `add`, `sub` and `mul`.
///
/// In 1.0 and 2.0 it may read only imported globals; in 3.0 (here: with typed function
/// references, the 3.0 type system Wasmite builds) every global, since the expressions
/// this checks come after the global section (global and table initialisers, which may
/// read only earlier globals, are checked by [`check_const`] directly).
pub(crate) fn const_expr(
    module: &Module,
    features: &Features,
    expr: &ConstExpr,
    expected: ValType,
) -> Result<()> {
    let scope = match features.function_references {
        true => module.globals.len() as u32,
        false => module.num_imported_globals(),
    };
    check_const(module, features, expr, expected, scope)
}

/// An element segment's item expression: `ref.null` or `ref.func` of the segment's type
/// (bulk-memory, reference-types).
fn element_expr(module: &Module, features: &Features, expr: &ConstExpr, ty: RefType) -> Result<()> {
    const_expr(module, features, expr, ValType::Ref(ty))
}

/// Types the constant expression `expr`, which must produce exactly `expected` and may
/// read the globals below index `scope`.
fn check_const(
    module: &Module,
    features: &Features,
    expr: &ConstExpr,
    expected: Const,
    scope: u32,
) -> Result<()> {
    let mut reader = module.operators(&expr.range);
    let mut stack: Vec<Const> = Vec::new();
    let references = features.reference_types || features.bulk_memory;
    loop {
        let (op, offset) = reader.read_with_offset()?;
        let offset = offset as usize;
        let pushed = match op {
            Operator::I32Const { .. } => ValType::I32,
            Operator::I64Const { .. } => ValType::I64,
            Operator::F32Const { .. } => ValType::F32,
            Operator::F64Const { .. } => ValType::F64,
            Operator::V128Const { .. } if features.simd => ValType::V128,
            Operator::V128Const { .. } => {
                return Err(ValidationError::new(
                    "`v128_const` requires the simd proposal, which is not enabled",
                    offset,
                ));
            }
            Operator::GlobalGet { global_index } => {
                if global_index >= scope {
                    return Err(ValidationError::new(
                        format!("unknown global {global_index}"),
                        offset,
                    ));
                }
                let global = module.globals[global_index as usize];
                if global.mutable {
                    return Err(ValidationError::new(
                        format!("constant expression required: global {global_index} is mutable"),
                        offset,
                    ));
                }
                global.content
            }
            Operator::RefNull { hty } if references => {
                let ty = wasm_core::heap_type(hty)
                    .map(|heap| RefType::new(true, heap))
                    .ok_or_else(|| {
                        ValidationError::new(
                            format!("reference type {hty:?} is not supported"),
                            offset,
                        )
                    })?;
                check_ref_type(module, features, ty)
                    .map_err(|message| ValidationError::new(message, offset))?;
                ValType::Ref(ty)
            }
            Operator::RefFunc { function_index } if references => {
                let Some(&ty) = module.functions.get(function_index as usize) else {
                    return Err(ValidationError::new(
                        format!("unknown function {function_index}"),
                        offset,
                    ));
                };
                ref_func_type(features, ty)
            }
            Operator::I32Add | Operator::I32Sub | Operator::I32Mul if features.extended_const => {
                const_binary(&mut stack, ValType::I32, offset)?
            }
            Operator::I64Add | Operator::I64Sub | Operator::I64Mul if features.extended_const => {
                const_binary(&mut stack, ValType::I64, offset)?
            }
            Operator::End => break,
            _ => {
                return Err(ValidationError::new("constant expression required", offset));
            }
        };
        stack.push(pushed);
    }
    reader.finish()?;
    if !matches!(stack[..], [ty] if module.matches(ty, expected)) {
        let found = stack
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(" ");
        return Err(ValidationError::new(
            format!(
                "type mismatch: constant expression must produce [{expected}], found [{found}]"
            ),
            reader.original_position() as usize,
        ));
    }
    Ok(())
}

/// The type of `ref.func` of a function of type `type_index`: `(ref $t)` with typed
/// function references, `funcref` before them.
pub(crate) fn ref_func_type(features: &Features, type_index: u32) -> ValType {
    match features.function_references {
        true => ValType::Ref(RefType::new(false, HeapType::Concrete(type_index))),
        false => ValType::FUNCREF,
    }
}

/// `[t t] -> [t]` inside a constant expression.
fn const_binary(stack: &mut Vec<Const>, ty: ValType, offset: usize) -> Result<Const> {
    for _ in 0..2 {
        if stack.pop() != Some(ty) {
            return Err(ValidationError::new(
                format!("type mismatch: expected {ty} operands"),
                offset,
            ));
        }
    }
    Ok(ty)
}

// ---- Offsets for messages ----------------------------------------------------------------
//
// `wasm-core`'s `Module` keeps byte offsets of imports, exports, segments, function
// declarations and the start section, but not of type, table, memory and global entries.
// Errors about those are rare, so their offset is recovered by re-reading the section
// headers, off the hot path.

/// Entries whose offsets `Module` does not keep.
#[derive(Copy, Clone)]
enum Entry {
    Type,
    Table,
    Memory,
    Tag,
}

/// Offset of entity `index` of `kind` (imports first).
#[cold]
fn extern_offset(module: &Module, kind: ExternKind, index: usize) -> usize {
    let is_kind = |import: &&wasm_core::Import| {
        matches!(
            (&import.kind, kind),
            (ImportKind::Func(_), ExternKind::Func)
                | (ImportKind::Table(_), ExternKind::Table)
                | (ImportKind::Memory(_), ExternKind::Memory)
                | (ImportKind::Global(_), ExternKind::Global)
                | (ImportKind::Tag(_), ExternKind::Tag)
        )
    };
    let mut imports = module.imports.iter().filter(is_kind);
    let imported = imports.clone().count();
    if let Some(import) = imports.nth(index) {
        return import.offset;
    }
    let defined = index - imported;
    match kind {
        ExternKind::Func => module.func_decl_offset(defined),
        ExternKind::Table => entry_offset(module, Entry::Table, defined),
        ExternKind::Memory => entry_offset(module, Entry::Memory, defined),
        ExternKind::Global => module
            .global_inits
            .get(defined)
            .map_or(0, |init| init.range.start),
        ExternKind::Tag => entry_offset(module, Entry::Tag, defined),
    }
}

/// Offset of the `index`-th entry of a type, table or memory section (0 if not found).
#[cold]
fn entry_offset(module: &Module, entry: Entry, index: usize) -> usize {
    fn nth<'a, T: wasmparser::FromReader<'a>>(
        reader: wasmparser::SectionLimited<'a, T>,
        index: usize,
    ) -> Option<usize> {
        reader
            .into_iter_with_offsets()
            .nth(index)?
            .ok()
            .map(|(offset, _)| offset as usize)
    }
    for payload in Parser::new(0).parse_all(module.bytes()) {
        let found = match (payload, entry) {
            (Ok(Payload::TypeSection(reader)), Entry::Type) => nth(reader, index),
            (Ok(Payload::TableSection(reader)), Entry::Table) => nth(reader, index),
            (Ok(Payload::MemorySection(reader)), Entry::Memory) => nth(reader, index),
            (Ok(Payload::TagSection(reader)), Entry::Tag) => nth(reader, index),
            (Err(_), _) => return 0,
            _ => continue,
        };
        return found.unwrap_or(0);
    }
    0
}
