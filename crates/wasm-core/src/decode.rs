//! The binary decoder (spec chapter 5, "Binary Format").
//!
//! [`decode`] drives `wasmparser`'s [`Parser`] over the bytes and hands each section to its
//! own reader in `decode/` (one file per section). `wasmparser`'s parser checks the framing
//! (magic, version, section ids and sizes); this module adds the rules the parser leaves to
//! a validator but the spec calls *malformed*: section order, duplicate sections, the
//! function/code and data-count/data section lengths.
//!
//! Operators inside function bodies are not decoded here: the body is kept as a byte range
//! and read once, by the validator and the translator, at its original offsets.

use crate::prelude::*;

mod code;
pub use code::MAX_LOCALS;
mod data;
mod elements;
mod exports;
mod globals;
mod imports;
mod names;
mod tables;
mod types;

pub use tables::heap_type;

use crate::error::DecodeError;
use crate::module::{ConstExpr, CustomSection, Module, Names};
use crate::value::ValType;
use alloc::sync::Arc;
use wasmparser::{Parser, Payload};

/// Position of each non-custom section in the required order (spec 5.5.2).
#[derive(Copy, Clone, PartialEq, Eq, PartialOrd, Ord, Debug)]
enum Order {
    Type = 1,
    Import,
    Function,
    Table,
    Memory,
    Tag,
    Global,
    Export,
    Start,
    Element,
    DataCount,
    Code,
    Data,
}

/// The encodings [`decode`] accepts where a proposal reinterprets bytes (memarg offsets
/// and limits widen to 64 bits with memory64, global mutability flags gain a `shared` bit
/// with shared-everything-threads, the reserved byte of `memory.size` and a memarg's
/// flags gain a memory index with multi-memory): Wasm 2.0's. Proposals that change the
/// binary format are decoded only when asked for ([`decode_with`]), so their encodings
/// are malformed otherwise, as in the spec tests of the versions before them.
pub const DECODE_FEATURES: wasmparser::WasmFeatures = wasmparser::WasmFeatures::WASM2;

/// Decodes `bytes` into a [`Module`]. The bytes are copied once into the module.
///
/// ```
/// let wasm = wat::parse_str("(module (func (export \"f\") (result i32) i32.const 7))").unwrap();
/// let module = wasm_core::decode(&wasm).unwrap();
/// assert_eq!(module.exports[0].name, "f");
/// assert!(wasm_core::decode(b"\0asm garbage").is_err());
/// ```
pub fn decode(bytes: &[u8]) -> Result<Module, DecodeError> {
    decode_with(bytes, DECODE_FEATURES)
}

/// [`decode`] with the encodings of `features` (see [`DECODE_FEATURES`]); the module's
/// function bodies are read with them too ([`Module::operators`]).
pub fn decode_with(
    bytes: &[u8],
    features: wasmparser::WasmFeatures,
) -> Result<Module, DecodeError> {
    let mut module = Module {
        features,
        bytes: Arc::from(bytes),
        types: Vec::new(),
        type_decls: Vec::new(),
        empty_rec_group: None,
        imports: Vec::new(),
        functions: Vec::new(),
        tables: Vec::new(),
        table_inits: Vec::new(),
        memories: Vec::new(),
        globals: Vec::new(),
        global_inits: Vec::new(),
        exports: Vec::new(),
        start: None,
        elements: Vec::new(),
        data: Vec::new(),
        data_count: None,
        bodies: Vec::new(),
        customs: Vec::new(),
        names: Names::default(),
        tags: Vec::new(),
        imported: [0; 5],
        func_offsets: Vec::new(),
        start_offset: 0,
        declared_funcs: Vec::new(),
        concrete_refs: Vec::new(),
    };
    let mut last: Option<Order> = None;
    let mut code_count: Option<(u32, usize)> = None;
    let mut data_section: Option<(u32, usize)> = None;
    let mut end_offset = 0;
    let mut parser = Parser::new(0);
    parser.set_features(features);
    for payload in parser.parse_all(bytes) {
        let payload = payload?;
        let order = match &payload {
            Payload::TypeSection(_) => Some(Order::Type),
            Payload::ImportSection(_) => Some(Order::Import),
            Payload::FunctionSection(_) => Some(Order::Function),
            Payload::TableSection(_) => Some(Order::Table),
            Payload::MemorySection(_) => Some(Order::Memory),
            Payload::TagSection(_) => Some(Order::Tag),
            Payload::GlobalSection(_) => Some(Order::Global),
            Payload::ExportSection(_) => Some(Order::Export),
            Payload::StartSection { .. } => Some(Order::Start),
            Payload::ElementSection(_) => Some(Order::Element),
            Payload::DataCountSection { .. } => Some(Order::DataCount),
            Payload::CodeSectionStart { .. } => Some(Order::Code),
            Payload::DataSection(_) => Some(Order::Data),
            _ => None,
        };
        if let Some(order) = order {
            if last.is_some_and(|last| order <= last) {
                let offset = section_offset(&payload);
                return Err(DecodeError::new(
                    "unexpected content after last section (section out of order or duplicated)",
                    offset,
                ));
            }
            last = Some(order);
        }
        match payload {
            Payload::Version { .. } => {}
            Payload::TypeSection(reader) => types::decode_types(&mut module, reader)?,
            Payload::ImportSection(reader) => imports::decode_imports(&mut module, reader)?,
            Payload::FunctionSection(reader) => code::decode_functions(&mut module, reader)?,
            Payload::TableSection(reader) => tables::decode_tables(&mut module, reader)?,
            Payload::MemorySection(reader) => tables::decode_memories(&mut module, reader)?,
            Payload::GlobalSection(reader) => globals::decode_globals(&mut module, reader)?,
            Payload::ExportSection(reader) => exports::decode_exports(&mut module, reader)?,
            Payload::StartSection { func, range } => {
                module.start = Some(func);
                module.start_offset = range.start as usize;
            }
            Payload::ElementSection(reader) => elements::decode_elements(&mut module, reader)?,
            Payload::DataCountSection { count, .. } => module.data_count = Some(count),
            Payload::CodeSectionStart {
                count,
                unchecked_range: range,
                ..
            } => {
                let defined = module.functions.len() - module.imported[0] as usize;
                if count as usize != defined {
                    return Err(inconsistent_code(range.start as usize));
                }
                code_count = Some((count, range.start as usize));
                module.bodies.reserve_exact(backed(count as usize, &range));
            }
            Payload::CodeSectionEntry(body) => code::decode_body(&mut module, body)?,
            Payload::DataSection(reader) => {
                data_section = Some((reader.count(), reader.range().start as usize));
                data::decode_data(&mut module, reader)?;
            }
            Payload::CustomSection(reader) => {
                let data_offset = reader.data_offset() as usize;
                let range = data_offset..data_offset + reader.data().len();
                if reader.name() == "name" {
                    module.names = names::decode_names(reader.data(), data_offset as u64);
                } else {
                    module.customs.push(CustomSection {
                        name: reader.name().to_string(),
                        data: range,
                    });
                }
            }
            Payload::TagSection(reader) => tables::decode_tags(&mut module, reader)?,
            Payload::End(offset) => end_offset = offset as usize,
            other => {
                let offset = section_offset(&other);
                return Err(DecodeError::new(
                    "malformed section id (unsupported section)",
                    offset,
                ));
            }
        }
    }
    // Spec 5.5.16: the function and code sections must have the same length, even when
    // one of them is absent.
    let defined = module.functions.len() - module.imported[0] as usize;
    match code_count {
        None if defined != 0 => return Err(inconsistent_code(end_offset)),
        Some((count, offset)) if module.bodies.len() != count as usize => {
            return Err(inconsistent_code(offset));
        }
        _ => {}
    }
    module.declared_funcs = declared_funcs(&module);
    module.concrete_refs = (0..module.types.len() as u32)
        .map(|index| {
            let heap = crate::value::HeapType::Concrete(index);
            [
                ValType::Ref(crate::value::RefType::new(true, heap)),
                ValType::Ref(crate::value::RefType::new(false, heap)),
            ]
        })
        .collect();
    if let Some(count) = module.data_count {
        let (found, offset) = data_section.unwrap_or((0, end_offset));
        if found != count {
            return Err(DecodeError::new(
                "data count and data section have inconsistent lengths",
                offset,
            ));
        }
    }
    Ok(module)
}

/// Spec 3.4.10 (2.0), `C.refs`: the functions named outside function bodies (exports,
/// element segments, global and table initialisers), sorted, each once; `ref.func` may name only
/// these.
fn declared_funcs(module: &Module) -> Vec<u32> {
    let mut funcs: Vec<u32> = module
        .exports
        .iter()
        .filter(|e| e.kind == crate::module::ExternKind::Func)
        .map(|e| e.index)
        .collect();
    let scan = |expr: &ConstExpr, funcs: &mut Vec<u32>| {
        let mut reader = module.operators(&expr.range);
        while let Ok(op) = reader.read() {
            match op {
                wasmparser::Operator::RefFunc { function_index } => funcs.push(function_index),
                wasmparser::Operator::End => break,
                _ => {}
            }
        }
    };
    for segment in &module.elements {
        match &segment.items {
            crate::module::ElementItems::Functions(items) => funcs.extend_from_slice(items),
            crate::module::ElementItems::Expressions(exprs) => {
                for expr in exprs {
                    scan(expr, &mut funcs);
                }
            }
        }
    }
    for init in module
        .global_inits
        .iter()
        .chain(module.table_inits.iter().flatten())
    {
        scan(init, &mut funcs);
    }
    funcs.sort_unstable();
    funcs.dedup();
    funcs
}

/// How many entries to reserve for a section claiming `count` entries: never more than
/// its bytes can back (each entry takes at least one byte), so that a lying count cannot
/// make the decoder allocate ahead of the input.
pub(crate) fn backed(count: usize, range: &core::ops::Range<u64>) -> usize {
    count.min((range.end - range.start) as usize)
}

#[cold]
fn inconsistent_code(offset: usize) -> DecodeError {
    DecodeError::new(
        "function and code section have inconsistent lengths",
        offset,
    )
}

/// Where a payload starts, for error messages.
fn section_offset(payload: &Payload<'_>) -> usize {
    payload
        .as_section()
        .map(|(_, range)| range.start as usize)
        .unwrap_or(0)
}

/// Converts a `wasmparser` value type; reference types of proposals Wasmite does not run
/// yet are reported as malformed with a message naming them.
/// Wasmite's form of `wasmparser`'s value type `ty`: `None` for the GC proposal's
/// reference types.
pub fn val_type(ty: wasmparser::ValType) -> Option<ValType> {
    value_type(ty, 0).ok()
}

pub(crate) fn value_type(ty: wasmparser::ValType, offset: usize) -> Result<ValType, DecodeError> {
    match ty {
        wasmparser::ValType::I32 => Ok(ValType::I32),
        wasmparser::ValType::I64 => Ok(ValType::I64),
        wasmparser::ValType::F32 => Ok(ValType::F32),
        wasmparser::ValType::F64 => Ok(ValType::F64),
        wasmparser::ValType::V128 => Ok(ValType::V128),
        wasmparser::ValType::Ref(r) => Ok(ValType::Ref(tables::ref_type(r, offset)?)),
    }
}

/// Records a constant expression as its byte range.
pub(crate) fn const_expr(expr: &wasmparser::ConstExpr<'_>) -> ConstExpr {
    let reader = expr.get_binary_reader();
    let start = reader.original_position() as usize;
    ConstExpr {
        range: start..start + reader.bytes_remaining(),
    }
}
