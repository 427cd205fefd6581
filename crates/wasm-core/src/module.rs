//! The owned, immutable module representation the decoder produces.
//!
//! Index spaces follow the spec: imported entities come first, then defined ones.
//! Code (function bodies, constant expressions) is kept as byte ranges into the module's
//! bytes, so a validator or translator reads operators with `wasmparser`'s operator reader
//! at their original offsets; nothing is decoded twice into intermediate trees.

use crate::prelude::*;

use crate::types::{GlobalType, MemoryType, Signature, TableType};
use crate::value::{HeapType, RefType, ValType};
use alloc::collections::BTreeMap;
use alloc::sync::Arc;
use core::ops::Range;
use wasmparser::{BinaryReader, OperatorsReader};

/// A decoded WebAssembly module. Cheap to share: the bytes live behind an `Arc`.
#[derive(Debug, Clone)]
pub struct Module {
    /// The encodings the module was decoded with (see `decode_with`).
    pub(crate) features: wasmparser::WasmFeatures,
    pub(crate) bytes: Arc<[u8]>,
    /// The type section.
    pub types: Vec<Arc<Signature>>,
    /// How each type of the type section is declared (index `i` is type `i`).
    pub(crate) type_decls: Vec<TypeDecl>,
    /// The offset of the first explicit recursion group that declares no type.
    pub(crate) empty_rec_group: Option<usize>,
    /// Imports, in order.
    pub imports: Vec<Import>,
    /// Type index of every function (imported first).
    pub functions: Vec<u32>,
    /// Every table type (imported first).
    pub tables: Vec<TableType>,
    /// Initialisers of the defined tables (index `i` is table `imported + i`): `None`
    /// for a table whose elements start as null, the constant expression every element
    /// starts as otherwise (typed function references: a table of a non-nullable type
    /// must have one).
    pub table_inits: Vec<Option<ConstExpr>>,
    /// Every memory type (imported first).
    pub memories: Vec<MemoryType>,
    /// Every global type (imported first).
    pub globals: Vec<GlobalType>,
    /// Initialisers of the defined globals (index `i` is global `imported + i`).
    pub global_inits: Vec<ConstExpr>,
    /// Exports, in order.
    pub exports: Vec<Export>,
    /// The start function, if any.
    pub start: Option<u32>,
    /// Element segments.
    pub elements: Vec<ElementSegment>,
    /// Data segments.
    pub data: Vec<DataSegment>,
    /// The data count section's value, if present.
    pub data_count: Option<u32>,
    /// Bodies of the defined functions (index `i` is function `imported + i`).
    pub bodies: Vec<FuncBody>,
    /// Custom sections other than `name`, in order.
    pub customs: Vec<CustomSection>,
    /// The decoded `name` section (empty when absent or unreadable).
    pub names: Names,
    /// Type index of every tag (exception handling; imported first).
    pub tags: Vec<u32>,
    /// Count of imported functions, tables, memories, globals, tags.
    pub(crate) imported: [u32; 5],
    /// Byte offsets of the sections' entries, for error messages (function section entries).
    pub(crate) func_offsets: Vec<usize>,
    /// Offset of the start section, for error messages.
    pub start_offset: usize,
    /// `[(ref null $t), (ref $t)]` for every type `$t`: one-type lists that block types
    /// and control frames borrow for the module's lifetime.
    pub(crate) concrete_refs: Vec<[ValType; 2]>,
    /// The functions `ref.func` may name (spec 3.4.10, `C.refs`): those named by exports,
    /// element segments and global initialisers; sorted, each once.
    pub declared_funcs: Vec<u32>,
}

impl Module {
    /// The bytes the module was decoded from.
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// Number of imported functions.
    pub fn num_imported_functions(&self) -> u32 {
        self.imported[0]
    }

    /// Number of imported tables.
    pub fn num_imported_tables(&self) -> u32 {
        self.imported[1]
    }

    /// Number of imported memories.
    pub fn num_imported_memories(&self) -> u32 {
        self.imported[2]
    }

    /// Number of imported globals.
    pub fn num_imported_globals(&self) -> u32 {
        self.imported[3]
    }

    /// Number of imported tags (exception handling).
    pub fn num_imported_tags(&self) -> u32 {
        self.imported[4]
    }

    /// The one-type list `[ty]` for the module's lifetime, when `ty` is a reference to
    /// one of its types (typed function references); `None` otherwise.
    pub fn concrete_ref_list(&self, ty: ValType) -> Option<&[ValType]> {
        match ty {
            ValType::Ref(RefType {
                nullable,
                heap: HeapType::Concrete(index),
            }) => {
                let pair = self.concrete_refs.get(index as usize)?;
                Some(&pair[usize::from(!nullable)..][..1])
            }
            _ => None,
        }
    }

    /// Whether a value of type `actual` is one of type `expected`, both types of this
    /// module ([`val_type_matches`](crate::val_type_matches)).
    pub fn matches(&self, actual: ValType, expected: ValType) -> bool {
        let types = |index: u32| self.types.get(index as usize).map(|sig| &**sig);
        actual == expected || crate::val_type_matches(actual, types, expected, types)
    }

    /// How type `index` is declared: its recursion group and supertypes (Wasm 3.0).
    pub fn type_decl(&self, index: u32) -> Option<&TypeDecl> {
        self.type_decls.get(index as usize)
    }

    /// The offset of the first explicit recursion group without types (`(rec)`), if any:
    /// it declares nothing, but like every `rec` it needs Wasm 3.0's type system.
    pub fn empty_rec_group(&self) -> Option<usize> {
        self.empty_rec_group
    }

    /// The signature of tag `tag_index` (its parameters are the exception's values).
    pub fn tag_signature(&self, tag_index: u32) -> Option<&Arc<Signature>> {
        let ty = *self.tags.get(tag_index as usize)?;
        self.types.get(ty as usize)
    }

    /// The signature of function `func_index`, if the function and its type exist.
    pub fn func_signature(&self, func_index: u32) -> Option<&Arc<Signature>> {
        let ty = *self.functions.get(func_index as usize)?;
        self.types.get(ty as usize)
    }

    /// Byte offset of defined function `defined_index`'s entry in the function section.
    pub fn func_decl_offset(&self, defined_index: usize) -> usize {
        self.func_offsets.get(defined_index).copied().unwrap_or(0)
    }

    /// The slice of the module's bytes that `range` covers.
    pub fn slice(&self, range: &Range<usize>) -> &[u8] {
        &self.bytes[range.clone()]
    }

    /// The operator reader for a function body or constant expression.
    pub fn operators(&self, range: &Range<usize>) -> OperatorsReader<'_> {
        OperatorsReader::new(BinaryReader::new_features(
            self.slice(range),
            range.start as u64,
            self.features,
        ))
    }
}

/// How a type of the type section is declared (Wasm 3.0: recursion groups and
/// subtypes). Validation checks the declarations; the type's identity is its
/// [`Signature`]'s.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TypeDecl {
    /// Whether the type is in a recursion group written as `rec` (not a plain type).
    pub rec: bool,
    /// Whether the type may have no subtypes (`sub final`, or a plain type).
    pub is_final: bool,
    /// The declared supertypes' indices (valid modules declare at most one, earlier).
    pub supertypes: Box<[u32]>,
}

/// What an import asks for.
#[derive(Debug, Clone, PartialEq)]
pub enum ImportKind {
    /// A function of the given type index.
    Func(u32),
    /// A table.
    Table(TableType),
    /// A memory.
    Memory(MemoryType),
    /// A global.
    Global(GlobalType),
    /// A tag (exception handling) of the given type index.
    Tag(u32),
}

/// One import.
#[derive(Debug, Clone, PartialEq)]
pub struct Import {
    /// Module name.
    pub module: String,
    /// Field name.
    pub field: String,
    /// What is imported.
    pub kind: ImportKind,
    /// Byte offset of the entry.
    pub offset: usize,
}

/// The kinds of entity an export can name.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum ExternKind {
    /// A function.
    Func,
    /// A table.
    Table,
    /// A memory.
    Memory,
    /// A global.
    Global,
    /// A tag (exception handling).
    Tag,
}

/// One export.
#[derive(Debug, Clone, PartialEq)]
pub struct Export {
    /// Export name.
    pub name: String,
    /// Kind of entity.
    pub kind: ExternKind,
    /// Index in that kind's index space.
    pub index: u32,
    /// Byte offset of the entry.
    pub offset: usize,
}

/// A constant expression, kept as the byte range of its operators (including the final `end`).
#[derive(Debug, Clone, PartialEq)]
pub struct ConstExpr {
    /// Range in the module's bytes.
    pub range: Range<usize>,
}

/// How an element segment is used.
#[derive(Debug, Clone, PartialEq)]
pub enum ElementMode {
    /// Copied into `table` at `offset` during instantiation.
    Active {
        /// Table index.
        table: u32,
        /// Offset expression.
        offset: ConstExpr,
    },
    /// Available to `table.init`.
    Passive,
    /// Only declares functions for `ref.func`.
    Declared,
}

/// The items of an element segment.
#[derive(Debug, Clone, PartialEq)]
pub enum ElementItems {
    /// Function indices.
    Functions(Vec<u32>),
    /// Constant expressions producing references.
    Expressions(Vec<ConstExpr>),
}

/// An element segment.
#[derive(Debug, Clone, PartialEq)]
pub struct ElementSegment {
    /// Mode.
    pub mode: ElementMode,
    /// Element type.
    pub ty: RefType,
    /// Items.
    pub items: ElementItems,
    /// Byte offset of the segment.
    pub offset: usize,
}

impl ElementSegment {
    /// Number of items.
    pub fn len(&self) -> usize {
        match &self.items {
            ElementItems::Functions(f) => f.len(),
            ElementItems::Expressions(e) => e.len(),
        }
    }

    /// Whether the segment has no items.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// How a data segment is used.
#[derive(Debug, Clone, PartialEq)]
pub enum DataMode {
    /// Copied into `memory` at `offset` during instantiation.
    Active {
        /// Memory index.
        memory: u32,
        /// Offset expression.
        offset: ConstExpr,
    },
    /// Available to `memory.init`.
    Passive,
}

/// A data segment.
#[derive(Debug, Clone, PartialEq)]
pub struct DataSegment {
    /// Mode.
    pub mode: DataMode,
    /// Range of the payload in the module's bytes.
    pub bytes: Range<usize>,
    /// Byte offset of the segment.
    pub offset: usize,
}

/// A function body: its local declarations and the range of its operators.
#[derive(Debug, Clone, PartialEq)]
pub struct FuncBody {
    /// Local declarations as (count, type), as encoded.
    pub locals: Vec<(u32, ValType)>,
    /// Total number of declared locals (not counting parameters).
    pub num_locals: u32,
    /// Range of the operators (after the local declarations, up to and including `end`).
    pub code: Range<usize>,
    /// Byte offset of the body's size field (where the entry starts).
    pub offset: usize,
}

/// A custom section.
#[derive(Debug, Clone, PartialEq)]
pub struct CustomSection {
    /// Section name.
    pub name: String,
    /// Range of the payload in the module's bytes.
    pub data: Range<usize>,
}

/// What the `name` custom section says (used for backtraces and disassembly).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Names {
    /// The module's name.
    pub module: Option<String>,
    /// Function names by function index.
    pub functions: BTreeMap<u32, String>,
}
