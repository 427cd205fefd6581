//! Differential execution: one module, instantiated on Wasmite and on an oracle, the
//! same calls on both, and every observable outcome compared.
//!
//! The oracle is wasmi 2.0 for modules within what it runs ([`crate::FEATURES`]), and
//! Wasmtime for the wider feature set ([`crate::WIDER`]: exception handling, typed
//! function references, memory64), which wasmi cannot run; [`differential`] picks it from
//! the feature set. Everything else is shared: the values, the outcomes, the state
//! compared after every step.
//!
//! Observables: instantiation success, trap or uncaught exception (segment
//! initialisation, start function), each call's results, trap kind or uncaught exception
//! (its tag and values), and after every step the exported globals, exported memories
//! (size and every byte) and exported tables (element type, size and every entry).
//! Numbers compare by bits, except that two NaNs of the same width are equal: the spec
//! lets NaN payloads of arithmetic results vary. A `v128` compares by bits except in
//! lanes that are NaN on both sides, read as `f32x4` or as `f64x2` (see [`v128_same`]).
//!
//! References compare by what both engines can name alike ([`FuncId`], [`TagId`], and an
//! `externref`'s harness id): a null reference equals only a null of its hierarchy; a
//! function reference (typed or not) is the exported function it is (the first export of
//! that function), or "a function no export names"; an `externref` is one of the
//! [`EXTERN_OBJECTS`] objects the harness made on each engine before the first call,
//! each holding its id (a `u32`), so the same id on both sides is the same object
//! (validated code cannot make an `externref` of its own); an `exnref` is the tag of its
//! exception. An uncaught exception's values compare as numbers do, its references
//! only as null or not: that is all Wasmite's [`wasmite::WasmException`] keeps of them.
//!
//! Stack exhaustion and running out of fuel are the outcomes that may differ: the
//! engines' depth limits differ (Wasmite's are set by [`WASMITE_CALL_STACK_LIMIT`],
//! wasmi's default is 1000 frames, Wasmtime's is 512 KiB of native stack), and so do
//! their fuel cost models (every engine meters fuel, each instance starting with
//! [`FUEL`]). When either side exhausts its stack or its fuel, the comparison stops,
//! with no verdict.

use std::fmt;
use std::sync::Mutex;

use arbitrary::Unstructured;
use wasmite::{
    ExceptionValue, ExternRef, ExternVal, FuncInstance, FuncRef, HeapType, ModuleInstance,
    ModuleRef, NopExternals, RefType, Signature, StackRecycler, TagRef, Trap, TrapCode, V128,
    ValType, WasmException,
};

use crate::features::{wasmi_config, wasmtime_config};

/// Wasmite's call stack limit in the harness: small, so deep recursion ends quickly.
pub const WASMITE_CALL_STACK_LIMIT: usize = 1024;
/// Wasmite's value stack limit in the harness.
pub const WASMITE_VALUE_STACK_LIMIT: usize = 64 * 1024;

/// The fuel each engine's instance starts with: enough for what wasm-smith's modules
/// usually do, and a bound on what they can do.
pub const FUEL: u64 = 10_000_000;

/// Calls made after the first pass over the exports, at most.
const EXTRA_CALLS: usize = 16;

/// `externref` objects the harness makes on each engine (ids `0..EXTERN_OBJECTS`) and
/// passes as arguments: few, so that the same object comes back in later calls.
pub const EXTERN_OBJECTS: u32 = 3;

/// A non-null or null function reference, as both engines can name it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FuncId {
    /// `ref.null func` (or a null of a function type).
    Null,
    /// The function of the module's `i`-th function export (the first export of it, if
    /// several name the same function).
    Export(usize),
    /// A function that no export names.
    Unexported,
}

/// An exception tag, as both engines can name it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TagId {
    /// The tag of the module's `i`-th tag export (the first export of it).
    Export(usize),
    /// A tag that no export names (or any tag, at instantiation: see
    /// [`Outcome::Thrown`]).
    Unexported,
}

/// A value as both engines see it: numbers by bits, references by [`FuncId`], harness
/// id or [`TagId`].
#[derive(Clone, Copy, Debug)]
pub enum Value {
    /// `i32`.
    I32(u32),
    /// `i64`.
    I64(u64),
    /// `f32`, as bits.
    F32(u32),
    /// `f64`, as bits.
    F64(u64),
    /// `v128`.
    V128(V128),
    /// A function reference, `funcref` or typed.
    FuncRef(FuncId),
    /// `externref`: null, or the harness object with this id.
    ExternRef(Option<u32>),
    /// `exnref`: null, or a caught exception of this tag.
    ExnRef(Option<TagId>),
    /// A non-null reference an uncaught exception carries: Wasmite gives the host only
    /// whether such a reference is null ([`ExceptionValue::Ref`]).
    NonNull,
}

impl PartialEq for Value {
    /// Equal bits or references, or two NaNs of the same width (whatever their sign and
    /// payload), or two vectors that differ only in lanes NaN on both sides
    /// ([`v128_same`]).
    fn eq(&self, other: &Value) -> bool {
        match (*self, *other) {
            (Value::I32(a), Value::I32(b)) => a == b,
            (Value::I64(a), Value::I64(b)) => a == b,
            (Value::F32(a), Value::F32(b)) => {
                a == b || (f32::from_bits(a).is_nan() && f32::from_bits(b).is_nan())
            }
            (Value::F64(a), Value::F64(b)) => {
                a == b || (f64::from_bits(a).is_nan() && f64::from_bits(b).is_nan())
            }
            (Value::V128(a), Value::V128(b)) => v128_same(a, b),
            (Value::FuncRef(a), Value::FuncRef(b)) => a == b,
            (Value::ExternRef(a), Value::ExternRef(b)) => a == b,
            (Value::ExnRef(a), Value::ExnRef(b)) => a == b,
            (Value::NonNull, Value::NonNull) => true,
            _ => false,
        }
    }
}

/// Whether two `v128` results are the same up to NaN payloads: read as four `f32` lanes,
/// every lane is equal or NaN on both sides; or read as two `f64` lanes, the same.
///
/// The spec lets only a float operation's NaN result vary, in sign and payload (Wasm 2.0,
/// 4.3.3, NaN propagation); every other result is exact. A vector does not say which
/// shape made it, but a float operation of shape `f32x4` makes a NaN `f32` lane wherever
/// its result may vary, and one of shape `f64x2` a NaN `f64` lane; so a difference
/// confined to lanes that are NaN on both sides in one of the two float readings may come
/// from such an operation, and is accepted. Anything else is a finding: a lane NaN on one
/// side only, or a difference in a lane that is a number in both readings.
///
/// The rule is the scalar one (two NaNs of the same width are equal) lane by lane. Its
/// blind spot is the scalar rule's too: an integer result that happens to be NaN on both
/// sides in the same float lanes is not checked below that. A vector mixing the shapes
/// (an `i8x16.shuffle` of an `f32x4` NaN and an `f64x2` NaN, both with payloads that
/// differ between the engines) would be reported although allowed; `exec_diff` modules
/// canonicalise arithmetic NaNs (`smith::terminating_module`), which makes that unlikely.
/// Memory is still compared byte for byte.
pub fn v128_same(a: V128, b: V128) -> bool {
    fn lanes_same<T: Copy, const N: usize>(a: [T; N], b: [T; N], same: fn(T, T) -> bool) -> bool {
        a.iter().zip(&b).all(|(&x, &y)| same(x, y))
    }
    a == b
        || lanes_same(a.to_u32x4(), b.to_u32x4(), |x, y| {
            x == y || (f32::from_bits(x).is_nan() && f32::from_bits(y).is_nan())
        })
        || lanes_same(a.to_u64x2(), b.to_u64x2(), |x, y| {
            x == y || (f64::from_bits(x).is_nan() && f64::from_bits(y).is_nan())
        })
}

/// The functions an argument of a reference type may name: the exported ones, and for
/// each type of the module, those of that type.
struct Candidates {
    /// Exported functions.
    funcs: usize,
    /// For each type index of the module, the exported functions (by export index) of
    /// exactly that type.
    of_type: Vec<Vec<usize>>,
}

impl Value {
    /// Whether the value is a null reference.
    fn is_null(&self) -> bool {
        matches!(
            self,
            Value::FuncRef(FuncId::Null) | Value::ExternRef(None) | Value::ExnRef(None)
        )
    }

    /// The null reference of `ty`'s hierarchy.
    fn null(ty: RefType) -> Value {
        match ty.heap.top() {
            HeapType::Extern => Value::ExternRef(None),
            HeapType::Exn => Value::ExnRef(None),
            _ => Value::FuncRef(FuncId::Null),
        }
    }

    /// An argument of type `ty` from the fuzzer's bytes, or `None` if the harness has no
    /// value of that type (a non-null `exnref`, or a non-null reference to a function
    /// type no export has). Numbers: often a boundary value (zero, all ones, the
    /// extremes, infinities, NaNs), otherwise arbitrary bits. References: null (where
    /// the type allows it), or one of the exported functions of the type, or one of
    /// the harness's [`EXTERN_OBJECTS`].
    fn arbitrary_of(ty: ValType, funcs: &Candidates, u: &mut Unstructured<'_>) -> Option<Value> {
        const SPECIAL_32: [u32; 8] = [
            0,
            1,
            u32::MAX,
            0x8000_0000,
            0x7fff_ffff,
            0x7f80_0000, // +inf
            0x7fc0_0000, // canonical NaN
            0x4f00_0000, // 2^31 as f32
        ];
        const SPECIAL_64: [u64; 8] = [
            0,
            1,
            u64::MAX,
            0x8000_0000_0000_0000,
            0x7fff_ffff_ffff_ffff,
            0x7ff0_0000_0000_0000, // +inf
            0x7ff8_0000_0000_0000, // canonical NaN
            0x41e0_0000_0000_0000, // 2^31 as f64
        ];
        let special = u.ratio(1, 4).unwrap_or(false);
        let bits32 = |u: &mut Unstructured<'_>| {
            if special {
                *u.choose(&SPECIAL_32).unwrap_or(&0)
            } else {
                u.arbitrary().unwrap_or(0)
            }
        };
        let bits64 = |u: &mut Unstructured<'_>| {
            if special {
                *u.choose(&SPECIAL_64).unwrap_or(&0)
            } else {
                u.arbitrary().unwrap_or(0)
            }
        };
        let ty = match ty {
            ValType::I32 => return Some(Value::I32(bits32(u))),
            ValType::I64 => return Some(Value::I64(bits64(u))),
            ValType::F32 => return Some(Value::F32(bits32(u))),
            ValType::F64 => return Some(Value::F64(bits64(u))),
            ValType::V128 if special => return Some(Value::V128(special_v128(u))),
            ValType::V128 => return Some(Value::V128(V128::from_bits(u.arbitrary().unwrap_or(0)))),
            ValType::Ref(ty) => ty,
        };
        // Null a quarter of the time (and when the input has run out), where the type
        // allows it.
        let null = ty.nullable && (special || u.is_empty());
        let exports: Vec<usize> = match ty.heap {
            _ if null => return Some(Value::null(ty)),
            HeapType::Extern => {
                let id = u.int_in_range(0..=EXTERN_OBJECTS - 1).unwrap_or(0);
                return Some(Value::ExternRef(Some(id)));
            }
            HeapType::Func => (0..funcs.funcs).collect(),
            HeapType::Concrete(index) => funcs
                .of_type
                .get(index as usize)
                .cloned()
                .unwrap_or_default(),
            // `exn` (the harness makes no exceptions) and any later heap type.
            _ => Vec::new(),
        };
        match u.choose(&exports) {
            Ok(&export) => Some(Value::FuncRef(FuncId::Export(export))),
            Err(_) if ty.nullable => Some(Value::null(ty)),
            Err(_) => None,
        }
    }
}

/// A boundary `v128` from the fuzzer's bytes: all zeros, all ones, or lanes of one shape
/// each a boundary value of that shape: `f32x4` or `f64x2` lanes from ±0, ±infinity, NaNs
/// (canonical, negative, signalling, with a payload), 1, the largest finite value and
/// 2^31; integer lanes of 8, 16, 32 or 64 bits from 0, 1, all ones (-1), and the signed
/// minimum and maximum.
fn special_v128(u: &mut Unstructured<'_>) -> V128 {
    const F32_LANES: [u128; 12] = [
        0x0000_0000, // +0
        0x8000_0000, // -0
        0x7f80_0000, // +inf
        0xff80_0000, // -inf
        0x7fc0_0000, // canonical NaN
        0xffc0_0000, // negative canonical NaN
        0x7fa0_0000, // signalling NaN
        0x7fc0_0001, // quiet NaN with a payload
        0x3f80_0000, // 1
        0x7f7f_ffff, // largest finite
        0x4f00_0000, // 2^31
        0xcf00_0000, // -2^31
    ];
    const F64_LANES: [u128; 12] = [
        0x0000_0000_0000_0000, // +0
        0x8000_0000_0000_0000, // -0
        0x7ff0_0000_0000_0000, // +inf
        0xfff0_0000_0000_0000, // -inf
        0x7ff8_0000_0000_0000, // canonical NaN
        0xfff8_0000_0000_0000, // negative canonical NaN
        0x7ff4_0000_0000_0000, // signalling NaN
        0x7ff8_0000_0000_0001, // quiet NaN with a payload
        0x3ff0_0000_0000_0000, // 1
        0x7fef_ffff_ffff_ffff, // largest finite
        0x41e0_0000_0000_0000, // 2^31
        0xc1e0_0000_0000_0000, // -2^31
    ];
    // Lanes of `width` bits, lane 0 in the low bits, each one of `choices`.
    let lanes = |width: u32, choices: &[u128], u: &mut Unstructured<'_>| {
        (0..128 / width).fold(0u128, |bits, lane| {
            bits | *u.choose(choices).unwrap_or(&0) << (lane * width)
        })
    };
    let bits = match u.int_in_range(0..=4).unwrap_or(0) {
        0 => 0,
        1 => u128::MAX,
        2 => lanes(32, &F32_LANES, u),
        3 => lanes(64, &F64_LANES, u),
        _ => {
            let width = *u.choose(&[8, 16, 32, 64]).unwrap_or(&32);
            let ones = u128::MAX >> (128 - width);
            let sign = 1 << (width - 1);
            lanes(width, &[0, 1, ones, sign, sign - 1], u)
        }
    };
    V128::from_bits(bits)
}

/// Why execution trapped, in terms the engines share.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TrapKind {
    /// `unreachable` (also wasm-smith's fuel running out).
    Unreachable,
    /// A load, store, bulk memory operation or data segment outside linear memory.
    MemoryOutOfBounds,
    /// A table index past the end (`call_indirect`, `table.*`, element segments).
    TableOutOfBounds,
    /// `call_indirect` through a null entry.
    UninitializedElement,
    /// Integer division or remainder by zero.
    DivisionByZero,
    /// `i32.div_s` / `i64.div_s` of the minimum by -1.
    IntegerOverflow,
    /// Float to integer conversion of a NaN or an out-of-range value.
    InvalidConversion,
    /// Call or value stack exhausted.
    StackOverflow,
    /// `call_indirect` found a function of another type.
    IndirectCallTypeMismatch,
    /// A null reference where Wasm code needs one: `call_ref` or `return_call_ref` of a
    /// null function, `ref.as_non_null` of a null, `throw_ref` of a null exception
    /// (Wasmite's `NullFunctionReference`, `NullReference` and `NullExceptionReference`;
    /// Wasmtime has one code for the three).
    NullReference,
    /// The engine's fuel ran out.
    OutOfFuel,
    /// Anything else (a trap code this harness does not know yet).
    Other,
}

impl TrapKind {
    fn of_wasmite(code: TrapCode) -> TrapKind {
        // `TrapCode` is the seed's fixed set of nine codes: the match is exhaustive.
        match code {
            TrapCode::Unreachable => TrapKind::Unreachable,
            TrapCode::MemoryAccessOutOfBounds => TrapKind::MemoryOutOfBounds,
            TrapCode::TableAccessOutOfBounds => TrapKind::TableOutOfBounds,
            TrapCode::ElemUninitialized => TrapKind::UninitializedElement,
            TrapCode::DivisionByZero => TrapKind::DivisionByZero,
            TrapCode::IntegerOverflow => TrapKind::IntegerOverflow,
            TrapCode::InvalidConversionToInt => TrapKind::InvalidConversion,
            TrapCode::StackOverflow => TrapKind::StackOverflow,
            TrapCode::UnexpectedSignature => TrapKind::IndirectCallTypeMismatch,
        }
    }

    fn of_wasmi(code: wasmi::TrapCode) -> TrapKind {
        use wasmi::TrapCode as W;
        match code {
            W::UnreachableCodeReached => TrapKind::Unreachable,
            W::MemoryOutOfBounds => TrapKind::MemoryOutOfBounds,
            W::TableOutOfBounds => TrapKind::TableOutOfBounds,
            W::IndirectCallToNull => TrapKind::UninitializedElement,
            W::IntegerDivisionByZero => TrapKind::DivisionByZero,
            W::IntegerOverflow => TrapKind::IntegerOverflow,
            W::BadConversionToInteger => TrapKind::InvalidConversion,
            W::StackOverflow => TrapKind::StackOverflow,
            W::BadSignature => TrapKind::IndirectCallTypeMismatch,
            W::OutOfFuel => TrapKind::OutOfFuel,
            _ => TrapKind::Other,
        }
    }

    fn of_wasmtime(code: wasmtime::Trap) -> TrapKind {
        use wasmtime::Trap as W;
        match code {
            W::UnreachableCodeReached => TrapKind::Unreachable,
            W::MemoryOutOfBounds => TrapKind::MemoryOutOfBounds,
            W::TableOutOfBounds => TrapKind::TableOutOfBounds,
            W::IndirectCallToNull => TrapKind::UninitializedElement,
            W::IntegerDivisionByZero => TrapKind::DivisionByZero,
            W::IntegerOverflow => TrapKind::IntegerOverflow,
            W::BadConversionToInteger => TrapKind::InvalidConversion,
            W::StackOverflow => TrapKind::StackOverflow,
            W::BadSignature => TrapKind::IndirectCallTypeMismatch,
            W::NullReference => TrapKind::NullReference,
            W::OutOfFuel => TrapKind::OutOfFuel,
            _ => TrapKind::Other,
        }
    }
}

/// How a step (instantiation, or one call) ended on one engine.
#[derive(Clone, Debug, PartialEq)]
pub enum Outcome {
    /// Success, with the results (none for instantiation).
    Values(Vec<Value>),
    /// A trap.
    Trap(TrapKind),
    /// An exception no Wasm code caught: its tag and values. At instantiation the tag
    /// is [`TagId::Unexported`] on both sides (Wasmtime gives no instance to find the
    /// exported tags in when the start function throws).
    Thrown(TagId, Vec<Value>),
    /// Another error (link error, misuse, host error), with its message; messages are
    /// not compared, only that both sides failed this way.
    Error(String),
}

impl Outcome {
    /// Whether the engine ran out of stack or fuel: where the engines' limits differ.
    fn ends_comparison(&self) -> bool {
        matches!(
            self,
            Outcome::Trap(TrapKind::StackOverflow | TrapKind::OutOfFuel)
        )
    }

    fn same_as(&self, other: &Outcome) -> bool {
        match (self, other) {
            (Outcome::Error(_), Outcome::Error(_)) => true,
            _ => self == other,
        }
    }

    /// Wasmite's trap as an outcome; `tag` names the tag of an uncaught exception.
    fn of_wasmite_trap(trap: &Trap, tag: impl Fn(&TagRef) -> TagId) -> Outcome {
        if let Some(code) = trap.code() {
            return Outcome::Trap(TrapKind::of_wasmite(code));
        }
        let Some(error) = trap.as_host() else {
            return Outcome::Error(trap.to_string());
        };
        if error.is::<wasmite::OutOfFuel>() {
            return Outcome::Trap(TrapKind::OutOfFuel);
        }
        if let Some(thrown) = error.downcast_ref::<WasmException>() {
            let values = thrown.values().iter().map(exception_value).collect();
            return Outcome::Thrown(tag(thrown.tag()), values);
        }
        match error.downcast_ref::<wasmite::TrapKind>() {
            Some(
                wasmite::TrapKind::NullFunctionReference
                | wasmite::TrapKind::NullReference
                | wasmite::TrapKind::NullExceptionReference,
            ) => Outcome::Trap(TrapKind::NullReference),
            Some(_) => Outcome::Trap(TrapKind::Other),
            None => Outcome::Error(trap.to_string()),
        }
    }

    fn of_wasmi_error(error: &wasmi::Error) -> Outcome {
        use wasmi::errors::{ErrorKind, InstantiationError};
        if let Some(code) = error.as_trap_code() {
            return Outcome::Trap(TrapKind::of_wasmi(code));
        }
        match error.kind() {
            // wasmi reports an element segment that does not fit as a link error; the
            // spec (and Wasmite) make it a trap.
            ErrorKind::Instantiation(InstantiationError::ElementSegmentDoesNotFit { .. }) => {
                Outcome::Trap(TrapKind::TableOutOfBounds)
            }
            _ => Outcome::Error(error.to_string()),
        }
    }
}

/// A value of an uncaught exception on Wasmite, as a [`Value`].
fn exception_value(value: &ExceptionValue) -> Value {
    match *value {
        ExceptionValue::I32(v) => Value::I32(v as u32),
        ExceptionValue::I64(v) => Value::I64(v as u64),
        ExceptionValue::F32(v) => Value::F32(v.to_bits()),
        ExceptionValue::F64(v) => Value::F64(v.to_bits()),
        ExceptionValue::V128(v) => Value::V128(v),
        ExceptionValue::Ref { ty, null: true } => Value::null(ty),
        ExceptionValue::Ref { null: false, .. } => Value::NonNull,
    }
}

/// The hierarchy of a table's element type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Top {
    Func,
    Extern,
    Exn,
}

/// A table's element type, as the engines name it: its hierarchy and nullability (a
/// function type is not compared, only that it is one).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Element {
    top: Top,
    nullable: bool,
}

/// An exported table: its element type and every entry (its size is their number).
#[derive(PartialEq)]
struct Table {
    element: Element,
    entries: Vec<Value>,
}

/// The state the engines expose after a step: exported globals, memories and tables,
/// by name.
#[derive(PartialEq)]
struct Snapshot {
    globals: Vec<(String, Value)>,
    memories: Vec<(String, Vec<u8>)>,
    tables: Vec<(String, Table)>,
}

impl fmt::Debug for Snapshot {
    /// Globals in full; memories as their size and a digest, not megabytes of bytes;
    /// tables as their element type, size and non-null entries.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let memories: Vec<_> = self
            .memories
            .iter()
            .map(|(name, bytes)| (name, bytes.len(), fnv1a(bytes)))
            .collect();
        let tables: Vec<_> = self
            .tables
            .iter()
            .map(|(name, table)| {
                let non_null = table.entries.iter().filter(|e| !e.is_null()).count();
                (name, table.element, table.entries.len(), non_null)
            })
            .collect();
        f.debug_struct("Snapshot")
            .field("globals", &self.globals)
            .field("memories (name, len, fnv1a)", &memories)
            .field("tables (name, element, size, non-null)", &tables)
            .finish()
    }
}

fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, &b| {
        (hash ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// The first differing byte of two memories, for the report.
fn first_difference(a: &[u8], b: &[u8]) -> Option<usize> {
    a.iter()
        .zip(b)
        .position(|(x, y)| x != y)
        .or((a.len() != b.len()).then(|| a.len().min(b.len())))
}

/// Exported names of one kind, in export order.
struct Exports {
    funcs: Vec<String>,
    globals: Vec<String>,
    memories: Vec<String>,
    tables: Vec<String>,
    tags: Vec<String>,
}

impl Exports {
    fn of(module: &wasmite::Module) -> Exports {
        use wasm_core::ExternKind;
        let mut exports = Exports {
            funcs: Vec::new(),
            globals: Vec::new(),
            memories: Vec::new(),
            tables: Vec::new(),
            tags: Vec::new(),
        };
        for export in &module.core().exports {
            let names = match export.kind {
                ExternKind::Func => &mut exports.funcs,
                ExternKind::Global => &mut exports.globals,
                ExternKind::Memory => &mut exports.memories,
                ExternKind::Table => &mut exports.tables,
                ExternKind::Tag => &mut exports.tags,
            };
            names.push(export.name.clone());
        }
        exports
    }
}

/// An engine Wasmite is compared with, holding an instance of the module.
trait Oracle {
    /// The engine's name, for the reports.
    const NAME: &'static str;

    /// Calls the exported function `name` with `args`.
    fn call(&mut self, name: &str, args: &[Value]) -> Outcome;

    /// The exported state.
    fn snapshot(&mut self, exports: &Exports) -> Snapshot;
}

/// Wasmite's side.
struct Ours {
    instance: ModuleRef,
    stack: StackRecycler,
    /// The function of each function export, in export order.
    funcs: Vec<FuncRef>,
    /// The tag of each tag export, in export order.
    tags: Vec<TagRef>,
    /// The harness's `externref` objects; object `i` holds `i` (a `u32`).
    externs: Vec<ExternRef>,
    /// What reference arguments may name.
    candidates: Candidates,
}

impl Ours {
    fn new(
        module: &wasmite::Module,
        instance: ModuleRef,
        stack: StackRecycler,
        exports: &Exports,
    ) -> Ours {
        let funcs: Vec<FuncRef> = exports
            .funcs
            .iter()
            .map(|name| match instance.export_by_name(name) {
                Some(ExternVal::Func(func)) => func,
                _ => panic!("Wasmite: exported function {name:?} not found"),
            })
            .collect();
        let tags = exports
            .tags
            .iter()
            .map(|name| {
                instance
                    .export_tag(name)
                    .unwrap_or_else(|| panic!("Wasmite: exported tag {name:?} not found"))
            })
            .collect();
        let externs = (0..EXTERN_OBJECTS).map(ExternRef::new).collect();
        // Signatures compare by the types they name, so a function fits a type index if
        // its signature equals the type's.
        let of_type = module
            .core()
            .types
            .iter()
            .map(|ty| {
                let fits = |func: &FuncRef| *func.signature() == **ty;
                (0..funcs.len()).filter(|&i| fits(&funcs[i])).collect()
            })
            .collect();
        let candidates = Candidates {
            funcs: funcs.len(),
            of_type,
        };
        Ours {
            instance,
            stack,
            funcs,
            tags,
            externs,
            candidates,
        }
    }

    /// Arguments for the `index`-th exported function from the fuzzer's bytes, or `None`
    /// if the harness has no value of one of its parameter types.
    fn arguments(&self, index: usize, u: &mut Unstructured<'_>) -> Option<Vec<Value>> {
        let signature: &Signature = self.funcs[index].signature();
        signature
            .param_types()
            .iter()
            .map(|&ty| Value::arbitrary_of(ty, &self.candidates, u))
            .collect()
    }

    fn to_engine(&self, value: Value) -> wasmite::Value {
        use wasmite::nan_preserving_float::{F32, F64};
        match value {
            Value::I32(v) => wasmite::Value::I32(v as i32),
            Value::I64(v) => wasmite::Value::I64(v as i64),
            Value::F32(v) => wasmite::Value::F32(F32::from_bits(v)),
            Value::F64(v) => wasmite::Value::F64(F64::from_bits(v)),
            Value::V128(v) => wasmite::Value::V128(v),
            Value::FuncRef(FuncId::Null) => wasmite::Value::FuncRef(None),
            Value::FuncRef(FuncId::Export(i)) => {
                wasmite::Value::FuncRef(Some(self.funcs[i].clone()))
            }
            Value::ExternRef(r) => {
                wasmite::Value::ExternRef(r.map(|id| self.externs[id as usize].clone()))
            }
            Value::ExnRef(None) => wasmite::Value::ExnRef(None),
            Value::FuncRef(FuncId::Unexported) | Value::ExnRef(Some(_)) | Value::NonNull => {
                unreachable!("harness: arguments are nulls, numbers and the harness's objects")
            }
        }
    }

    fn of_engine(&self, value: &wasmite::Value) -> Value {
        match value {
            wasmite::Value::I32(v) => Value::I32(*v as u32),
            wasmite::Value::I64(v) => Value::I64(*v as u64),
            wasmite::Value::F32(v) => Value::F32(v.to_bits()),
            wasmite::Value::F64(v) => Value::F64(v.to_bits()),
            wasmite::Value::V128(v) => Value::V128(*v),
            wasmite::Value::FuncRef(None) => Value::FuncRef(FuncId::Null),
            wasmite::Value::FuncRef(Some(func)) => Value::FuncRef(
                self.funcs
                    .iter()
                    .position(|export| export.ptr_eq(func))
                    .map_or(FuncId::Unexported, FuncId::Export),
            ),
            wasmite::Value::ExternRef(r) => Value::ExternRef(r.as_ref().map(|r| self.extern_id(r))),
            wasmite::Value::ExnRef(exn) => {
                Value::ExnRef(exn.as_ref().map(|exn| self.tag_id(exn.tag())))
            }
        }
    }

    /// The harness id of `r`, which must be one of the harness's objects itself (not
    /// only hold its id): anything else is a reference Wasmite made up.
    fn extern_id(&self, r: &ExternRef) -> u32 {
        let id = r.downcast_ref::<u32>().copied();
        match id {
            Some(id) if self.externs[id as usize].ptr_eq(r) => id,
            _ => panic!("Wasmite produced an externref the harness did not make: {r:?}"),
        }
    }

    fn tag_id(&self, tag: &TagRef) -> TagId {
        self.tags
            .iter()
            .position(|export| export.ptr_eq(tag))
            .map_or(TagId::Unexported, TagId::Export)
    }

    fn snapshot(&self, exports: &Exports) -> Snapshot {
        let export = |name: &str| {
            self.instance
                .export_by_name(name)
                .unwrap_or_else(|| panic!("Wasmite: export {name:?} not found"))
        };
        let globals = exports
            .globals
            .iter()
            .map(|name| {
                let ExternVal::Global(global) = export(name) else {
                    panic!("Wasmite: export {name:?} is not a global");
                };
                (name.clone(), self.of_engine(&global.get_value()))
            })
            .collect();
        let memories = exports
            .memories
            .iter()
            .map(|name| {
                let ExternVal::Memory(memory) = export(name) else {
                    panic!("Wasmite: export {name:?} is not a memory");
                };
                (name.clone(), memory.direct_access().to_vec())
            })
            .collect();
        let tables = exports
            .tables
            .iter()
            .map(|name| {
                let ExternVal::Table(table) = export(name) else {
                    panic!("Wasmite: export {name:?} is not a table");
                };
                let ty = table.element_type();
                let top = match ty.heap.top() {
                    HeapType::Extern => Top::Extern,
                    HeapType::Exn => Top::Exn,
                    _ => Top::Func,
                };
                let element = Element {
                    top,
                    nullable: ty.nullable,
                };
                let entries = (0..table.current_size())
                    .map(|at| match table.get_value(at) {
                        Ok(entry) => self.of_engine(&entry),
                        Err(error) => panic!("Wasmite: table {name:?}[{at}] unreadable: {error}"),
                    })
                    .collect();
                (name.clone(), Table { element, entries })
            })
            .collect();
        Snapshot {
            globals,
            memories,
            tables,
        }
    }

    fn call(&mut self, name: &str, args: &[Value]) -> Outcome {
        let Some(ExternVal::Func(func)) = self.instance.export_by_name(name) else {
            panic!("Wasmite: exported function {name:?} not found");
        };
        let args: Vec<wasmite::Value> = args.iter().map(|&v| self.to_engine(v)).collect();
        let mut results: Vec<wasmite::Value> = func
            .signature()
            .result_types()
            .iter()
            .map(|&ty| wasmite::Value::default_of(ty))
            .collect();
        match FuncInstance::invoke_values_with_stack(
            &func,
            &args,
            &mut results,
            &mut NopExternals,
            &mut self.stack,
        ) {
            Ok(()) => Outcome::Values(results.iter().map(|v| self.of_engine(v)).collect()),
            Err(trap) => Outcome::of_wasmite_trap(&trap, |tag| self.tag_id(tag)),
        }
    }
}

/// wasmi's side.
struct Wasmi {
    store: wasmi::Store<()>,
    instance: wasmi::Instance,
    /// The function of each function export, in export order.
    funcs: Vec<wasmi::Func>,
    /// `funcs`' identities: wasmi offers no comparison of two `Func`s, but a `Func` is a
    /// copyable handle whose `Debug` form shows its store and its key in the store.
    func_keys: Vec<String>,
    /// The harness's `externref` objects; object `i` holds `i` (a `u32`).
    externs: Vec<wasmi::ExternRef>,
}

impl Wasmi {
    /// Loads and instantiates `bytes` (start function included) with fuel [`FUEL`];
    /// the instantiation's outcome if it fails.
    fn instantiate(
        bytes: &[u8],
        features: &wasmite::Features,
        exports: &Exports,
    ) -> Result<Wasmi, Outcome> {
        let mut config = wasmi_config(features);
        config.consume_fuel(true);
        let engine = wasmi::Engine::new(&config);
        let module = match wasmi::Module::new(&engine, bytes) {
            Ok(module) => module,
            Err(error) => panic!("harness: wasmi rejects a module wasmparser accepts: {error}"),
        };
        let mut store = wasmi::Store::new(&engine, ());
        if let Err(error) = store.set_fuel(FUEL) {
            panic!("harness: wasmi refuses fuel: {error}");
        }
        let linker = wasmi::Linker::<()>::new(&engine);
        let instance = linker
            .instantiate_and_start(&mut store, &module)
            .map_err(|error| Outcome::of_wasmi_error(&error))?;
        Ok(Wasmi::new(store, instance, exports))
    }

    fn new(mut store: wasmi::Store<()>, instance: wasmi::Instance, exports: &Exports) -> Wasmi {
        let funcs: Vec<wasmi::Func> = exports
            .funcs
            .iter()
            .map(|name| {
                let func = instance.get_func(&store, name);
                func.unwrap_or_else(|| panic!("wasmi: no function {name:?}"))
            })
            .collect();
        let func_keys = funcs.iter().map(|func| format!("{func:?}")).collect();
        let externs = (0..EXTERN_OBJECTS)
            .map(|id| wasmi::ExternRef::new(&mut store, id))
            .collect();
        Wasmi {
            store,
            instance,
            funcs,
            func_keys,
            externs,
        }
    }

    fn to_engine(&self, value: Value) -> wasmi::Val {
        use wasmi::Nullable;
        match value {
            Value::I32(v) => wasmi::Val::I32(v as i32),
            Value::I64(v) => wasmi::Val::I64(v as i64),
            Value::F32(v) => wasmi::Val::F32(wasmi::F32::from_bits(v)),
            Value::F64(v) => wasmi::Val::F64(wasmi::F64::from_bits(v)),
            // wasmi's `V128` from a `u128` takes its little-endian bytes: lane 0 in the low
            // bits, as Wasmite's.
            Value::V128(v) => wasmi::Val::V128(wasmi::V128::from(v.to_bits())),
            Value::FuncRef(FuncId::Null) => wasmi::Val::FuncRef(Nullable::Null),
            Value::FuncRef(FuncId::Export(i)) => wasmi::Val::FuncRef(Nullable::Val(self.funcs[i])),
            Value::ExternRef(None) => wasmi::Val::ExternRef(Nullable::Null),
            Value::ExternRef(Some(id)) => {
                wasmi::Val::ExternRef(Nullable::Val(self.externs[id as usize]))
            }
            Value::FuncRef(FuncId::Unexported) | Value::ExnRef(_) | Value::NonNull => {
                unreachable!("harness: no such argument for wasmi")
            }
        }
    }

    fn of_engine(&self, value: &wasmi::Val) -> Value {
        match value {
            wasmi::Val::I32(v) => Value::I32(*v as u32),
            wasmi::Val::I64(v) => Value::I64(*v as u64),
            wasmi::Val::F32(v) => Value::F32(v.to_bits()),
            wasmi::Val::F64(v) => Value::F64(v.to_bits()),
            wasmi::Val::FuncRef(func) => Value::FuncRef(self.func_id(func)),
            wasmi::Val::ExternRef(r) => Value::ExternRef(self.extern_id(r)),
            // `as_u128` reads the bytes in the host's order: the inverse of `from` on a
            // little-endian host, such as every one libFuzzer runs on here.
            wasmi::Val::V128(v) => Value::V128(V128::from_bits(v.as_u128())),
        }
    }

    fn of_ref(&self, value: &wasmi::Ref) -> Value {
        match value {
            wasmi::Ref::Func(func) => Value::FuncRef(self.func_id(func)),
            wasmi::Ref::Extern(r) => Value::ExternRef(self.extern_id(r)),
        }
    }

    fn func_id(&self, func: &wasmi::Nullable<wasmi::Func>) -> FuncId {
        let Some(func) = func.val() else {
            return FuncId::Null;
        };
        let key = format!("{func:?}");
        self.func_keys
            .iter()
            .position(|export| *export == key)
            .map_or(FuncId::Unexported, FuncId::Export)
    }

    fn extern_id(&self, r: &wasmi::Nullable<wasmi::ExternRef>) -> Option<u32> {
        let r = r.val()?;
        let id = r.data(&self.store).downcast_ref::<u32>().copied();
        Some(id.unwrap_or_else(|| panic!("harness: wasmi made an externref of its own: {r:?}")))
    }
}

impl Oracle for Wasmi {
    const NAME: &'static str = "wasmi";

    fn snapshot(&mut self, exports: &Exports) -> Snapshot {
        let globals = exports
            .globals
            .iter()
            .map(|name| {
                let global = self.instance.get_global(&self.store, name);
                let global = global.unwrap_or_else(|| panic!("wasmi: no global {name:?}"));
                (name.clone(), self.of_engine(&global.get(&self.store)))
            })
            .collect();
        let memories = exports
            .memories
            .iter()
            .map(|name| {
                let memory = self.instance.get_memory(&self.store, name);
                let memory = memory.unwrap_or_else(|| panic!("wasmi: no memory {name:?}"));
                (name.clone(), memory.data(&self.store).to_vec())
            })
            .collect();
        let tables = exports
            .tables
            .iter()
            .map(|name| {
                let table = self.instance.get_table(&self.store, name);
                let table = table.unwrap_or_else(|| panic!("wasmi: no table {name:?}"));
                let top = match table.ty(&self.store).element() {
                    wasmi::RefType::Func => Top::Func,
                    wasmi::RefType::Extern => Top::Extern,
                };
                let element = Element {
                    top,
                    nullable: true,
                };
                let entries = (0..table.size(&self.store))
                    .map(|at| match table.get(&self.store, at) {
                        Some(entry) => self.of_ref(&entry),
                        None => panic!("wasmi: table {name:?}[{at}] unreadable"),
                    })
                    .collect();
                (name.clone(), Table { element, entries })
            })
            .collect();
        Snapshot {
            globals,
            memories,
            tables,
        }
    }

    fn call(&mut self, name: &str, args: &[Value]) -> Outcome {
        let func = self.instance.get_func(&self.store, name);
        let func = func.unwrap_or_else(|| panic!("wasmi: no function {name:?}"));
        let ty = func.ty(&self.store);
        let args: Vec<wasmi::Val> = args.iter().map(|&v| self.to_engine(v)).collect();
        let mut results: Vec<wasmi::Val> = ty
            .results()
            .iter()
            .map(|&ty| wasmi::Val::default_for_ty(ty))
            .collect();
        match func.call(&mut self.store, &args, &mut results) {
            Ok(()) => Outcome::Values(results.iter().map(|v| self.of_engine(v)).collect()),
            Err(error) => Outcome::of_wasmi_error(&error),
        }
    }
}

/// Wasmtime engines built so far, one per feature set: building one sets up Cranelift,
/// too slow to do for every input.
static WASMTIME_ENGINES: Mutex<Vec<(wasmite::Features, wasmtime::Engine)>> = Mutex::new(Vec::new());

/// The Wasmtime engine for `features` ([`wasmtime_config`]).
fn wasmtime_engine(features: &wasmite::Features) -> wasmtime::Engine {
    let mut engines = WASMTIME_ENGINES
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    if let Some((_, engine)) = engines.iter().find(|(f, _)| f == features) {
        return engine.clone();
    }
    let engine = match wasmtime::Engine::new(&wasmtime_config(features)) {
        Ok(engine) => engine,
        Err(error) => panic!("harness: Wasmtime refuses its configuration: {error:?}"),
    };
    engines.push((*features, engine.clone()));
    engine
}

/// Wasmtime's side.
struct Wasmtime {
    store: wasmtime::Store<()>,
    instance: wasmtime::Instance,
    /// The function of each function export, in export order.
    funcs: Vec<wasmtime::Func>,
    /// `funcs`' identities: the address of each function's `VMFuncRef`, one per function
    /// of an instance (Wasmtime's `Func` handles have no comparison).
    func_keys: Vec<usize>,
    /// The tag of each tag export, in export order.
    tags: Vec<wasmtime::Tag>,
    /// The harness's `externref` objects; object `i` holds `i` (a `u32`).
    externs: Vec<wasmtime::Rooted<wasmtime::ExternRef>>,
}

impl Wasmtime {
    /// Compiles and instantiates `bytes` (start function included) with fuel [`FUEL`];
    /// the instantiation's outcome if it fails.
    fn instantiate(
        bytes: &[u8],
        features: &wasmite::Features,
        exports: &Exports,
    ) -> Result<Wasmtime, Outcome> {
        let engine = wasmtime_engine(features);
        let module = match wasmtime::Module::new(&engine, bytes) {
            Ok(module) => module,
            Err(error) => {
                panic!("harness: Wasmtime rejects a module wasmparser accepts: {error:?}")
            }
        };
        let mut store = wasmtime::Store::new(&engine, ());
        if let Err(error) = store.set_fuel(FUEL) {
            panic!("harness: Wasmtime refuses fuel: {error:?}");
        }
        let linker = wasmtime::Linker::<()>::new(&engine);
        let instance = match linker.instantiate(&mut store, &module) {
            Ok(instance) => instance,
            // The instance is gone: no tag export to name the tag by.
            Err(error) => return Err(wasmtime_outcome(&mut store, &error, &[])),
        };
        Ok(Wasmtime::new(store, instance, exports))
    }

    fn new(
        mut store: wasmtime::Store<()>,
        instance: wasmtime::Instance,
        exports: &Exports,
    ) -> Wasmtime {
        let funcs: Vec<wasmtime::Func> = exports
            .funcs
            .iter()
            .map(|name| {
                let func = instance.get_func(&mut store, name);
                func.unwrap_or_else(|| panic!("Wasmtime: no function {name:?}"))
            })
            .collect();
        let func_keys = funcs
            .iter()
            .map(|func| func.to_raw(&mut store) as usize)
            .collect();
        let tags = exports
            .tags
            .iter()
            .map(|name| {
                let tag = instance.get_tag(&mut store, name);
                tag.unwrap_or_else(|| panic!("Wasmtime: no tag {name:?}"))
            })
            .collect();
        let externs = (0..EXTERN_OBJECTS)
            .map(|id| match wasmtime::ExternRef::new(&mut store, id) {
                Ok(r) => r,
                Err(error) => panic!("harness: Wasmtime refuses an externref: {error:?}"),
            })
            .collect();
        Wasmtime {
            store,
            instance,
            funcs,
            func_keys,
            tags,
            externs,
        }
    }

    fn to_engine(&self, value: Value) -> wasmtime::Val {
        match value {
            Value::I32(v) => wasmtime::Val::I32(v as i32),
            Value::I64(v) => wasmtime::Val::I64(v as i64),
            Value::F32(v) => wasmtime::Val::F32(v),
            Value::F64(v) => wasmtime::Val::F64(v),
            Value::V128(v) => wasmtime::Val::V128(v.to_bits().into()),
            Value::FuncRef(FuncId::Null) => wasmtime::Val::FuncRef(None),
            Value::FuncRef(FuncId::Export(i)) => wasmtime::Val::FuncRef(Some(self.funcs[i])),
            Value::ExternRef(r) => wasmtime::Val::ExternRef(r.map(|id| self.externs[id as usize])),
            Value::ExnRef(None) => wasmtime::Val::ExnRef(None),
            Value::FuncRef(FuncId::Unexported) | Value::ExnRef(Some(_)) | Value::NonNull => {
                unreachable!("harness: arguments are nulls, numbers and the harness's objects")
            }
        }
    }

    fn of_engine(&mut self, value: &wasmtime::Val) -> Value {
        match value {
            wasmtime::Val::I32(v) => Value::I32(*v as u32),
            wasmtime::Val::I64(v) => Value::I64(*v as u64),
            wasmtime::Val::F32(v) => Value::F32(*v),
            wasmtime::Val::F64(v) => Value::F64(*v),
            wasmtime::Val::V128(v) => Value::V128(V128::from_bits(v.as_u128())),
            wasmtime::Val::FuncRef(func) => Value::FuncRef(self.func_id(func.as_ref())),
            wasmtime::Val::ExternRef(r) => Value::ExternRef(self.extern_id(r.as_ref())),
            wasmtime::Val::ExnRef(exn) => {
                Value::ExnRef(exn.map(|exn| exn_tag(&mut self.store, &exn, &self.tags)))
            }
            other => panic!("harness: Wasmtime gave a value of a GC type: {other:?}"),
        }
    }

    fn of_ref(&mut self, value: &wasmtime::Ref) -> Value {
        match value {
            wasmtime::Ref::Func(func) => Value::FuncRef(self.func_id(func.as_ref())),
            wasmtime::Ref::Extern(r) => Value::ExternRef(self.extern_id(r.as_ref())),
            wasmtime::Ref::Exn(exn) => {
                Value::ExnRef(exn.map(|exn| exn_tag(&mut self.store, &exn, &self.tags)))
            }
            other => panic!("harness: Wasmtime gave a reference of a GC type: {other:?}"),
        }
    }

    fn func_id(&mut self, func: Option<&wasmtime::Func>) -> FuncId {
        let Some(func) = func else {
            return FuncId::Null;
        };
        let key = func.to_raw(&mut self.store) as usize;
        self.func_keys
            .iter()
            .position(|&export| export == key)
            .map_or(FuncId::Unexported, FuncId::Export)
    }

    fn extern_id(&self, r: Option<&wasmtime::Rooted<wasmtime::ExternRef>>) -> Option<u32> {
        let r = r?;
        let id = match r.data(&self.store) {
            Ok(data) => data.and_then(|data| data.downcast_ref::<u32>().copied()),
            Err(error) => panic!("harness: Wasmtime externref unreadable: {error:?}"),
        };
        Some(id.unwrap_or_else(|| panic!("harness: Wasmtime made an externref of its own")))
    }
}

/// The [`TagId`] of a Wasmtime exception, by its tag among the exported `tags`.
fn exn_tag(
    store: &mut wasmtime::Store<()>,
    exn: &wasmtime::Rooted<wasmtime::ExnRef>,
    tags: &[wasmtime::Tag],
) -> TagId {
    let tag = match exn.tag(&mut *store) {
        Ok(tag) => tag,
        Err(error) => panic!("harness: Wasmtime exception without a tag: {error:?}"),
    };
    tags.iter()
        .position(|export| wasmtime::Tag::eq(export, &tag, &*store))
        .map_or(TagId::Unexported, TagId::Export)
}

/// A Wasmtime error as an outcome: a trap, an uncaught exception (taken from the store,
/// its tag named among the exported `tags`), or another error.
fn wasmtime_outcome(
    store: &mut wasmtime::Store<()>,
    error: &wasmtime::Error,
    tags: &[wasmtime::Tag],
) -> Outcome {
    if let Some(&code) = error.downcast_ref::<wasmtime::Trap>() {
        return Outcome::Trap(TrapKind::of_wasmtime(code));
    }
    if !error.is::<wasmtime::ThrownException>() {
        return Outcome::Error(format!("{error:?}"));
    }
    let Some(exn) = store.take_pending_exception() else {
        panic!("harness: Wasmtime threw without a pending exception");
    };
    let tag = exn_tag(store, &exn, tags);
    let fields: Vec<wasmtime::Val> = match exn.fields(&mut *store) {
        Ok(fields) => fields.collect(),
        Err(error) => panic!("harness: Wasmtime exception unreadable: {error:?}"),
    };
    let values = fields
        .iter()
        .map(|field| match field {
            wasmtime::Val::I32(v) => Value::I32(*v as u32),
            wasmtime::Val::I64(v) => Value::I64(*v as u64),
            wasmtime::Val::F32(v) => Value::F32(*v),
            wasmtime::Val::F64(v) => Value::F64(*v),
            wasmtime::Val::V128(v) => Value::V128(V128::from_bits(v.as_u128())),
            wasmtime::Val::FuncRef(None) => Value::FuncRef(FuncId::Null),
            wasmtime::Val::ExternRef(None) => Value::ExternRef(None),
            wasmtime::Val::ExnRef(None) => Value::ExnRef(None),
            wasmtime::Val::FuncRef(Some(_))
            | wasmtime::Val::ExternRef(Some(_))
            | wasmtime::Val::ExnRef(Some(_)) => Value::NonNull,
            other => panic!("harness: Wasmtime exception of a GC type: {other:?}"),
        })
        .collect();
    Outcome::Thrown(tag, values)
}

impl Oracle for Wasmtime {
    const NAME: &'static str = "Wasmtime";

    fn snapshot(&mut self, exports: &Exports) -> Snapshot {
        let globals = exports
            .globals
            .iter()
            .map(|name| {
                let global = self.instance.get_global(&mut self.store, name);
                let global = global.unwrap_or_else(|| panic!("Wasmtime: no global {name:?}"));
                let value = global.get(&mut self.store);
                (name.clone(), self.of_engine(&value))
            })
            .collect();
        let memories = exports
            .memories
            .iter()
            .map(|name| {
                let memory = self.instance.get_memory(&mut self.store, name);
                let memory = memory.unwrap_or_else(|| panic!("Wasmtime: no memory {name:?}"));
                (name.clone(), memory.data(&self.store).to_vec())
            })
            .collect();
        let tables = exports
            .tables
            .iter()
            .map(|name| {
                let table = self.instance.get_table(&mut self.store, name);
                let table = table.unwrap_or_else(|| panic!("Wasmtime: no table {name:?}"));
                let ty = table.ty(&self.store);
                let top = match ty.element().heap_type().top() {
                    wasmtime::HeapType::Func => Top::Func,
                    wasmtime::HeapType::Extern => Top::Extern,
                    wasmtime::HeapType::Exn => Top::Exn,
                    other => panic!("harness: Wasmtime table of a GC type: {other:?}"),
                };
                let element = Element {
                    top,
                    nullable: ty.element().is_nullable(),
                };
                let entries = (0..table.size(&self.store))
                    .map(|at| match table.get(&mut self.store, at) {
                        Some(entry) => self.of_ref(&entry),
                        None => panic!("Wasmtime: table {name:?}[{at}] unreadable"),
                    })
                    .collect();
                (name.clone(), Table { element, entries })
            })
            .collect();
        Snapshot {
            globals,
            memories,
            tables,
        }
    }

    fn call(&mut self, name: &str, args: &[Value]) -> Outcome {
        let func = self.instance.get_func(&mut self.store, name);
        let func = func.unwrap_or_else(|| panic!("Wasmtime: no function {name:?}"));
        let results = func.ty(&self.store).results().len();
        let args: Vec<wasmtime::Val> = args.iter().map(|&v| self.to_engine(v)).collect();
        // Placeholders: the call overwrites every result.
        let mut results = vec![wasmtime::Val::I32(0); results];
        match func.call(&mut self.store, &args, &mut results) {
            Ok(()) => Outcome::Values(results.iter().map(|v| self.of_engine(v)).collect()),
            Err(error) => wasmtime_outcome(&mut self.store, &error, &self.tags),
        }
    }
}

/// Whether wasmi runs every module of `features` (as built here: no exception
/// handling, typed function references or memory64); Wasmtime is the oracle otherwise.
pub fn wasmi_runs(features: &wasmite::Features) -> bool {
    !(features.exceptions || features.function_references || features.memory64)
}

/// Runs `bytes` on Wasmite and on an oracle (wasmi where it runs `features`, Wasmtime
/// otherwise: [`wasmi_runs`]) with calls chosen by `u`, and panics (a fuzzing finding)
/// on the first difference.
///
/// Modules wasmparser rejects for `features` are skipped (the generator is not meant
/// to produce them, or [`crate::smith::lower_gc`] could not bring one within them). A
/// module wasmparser accepts must load on Wasmite; the oracle refusing it is a harness
/// problem (an oracle limit), reported as such.
///
/// Whether the module ran on both engines (it was not skipped).
pub fn differential(bytes: &[u8], features: &wasmite::Features, u: &mut Unstructured<'_>) -> bool {
    if crate::features::wasmparser_verdict(bytes, features).is_err() {
        return false;
    }
    let config = wasmite::Config::new()
        .features(*features)
        .consume_fuel(true);
    let module = match wasmite::Module::from_buffer_with_config(bytes, &config) {
        Ok(module) => module,
        Err(error) => panic!("Wasmite rejects a module wasmparser accepts: {error}"),
    };
    let exports = Exports::of(&module);
    if wasmi_runs(features) {
        if crate::known::has_wasmi_eqz_select(bytes)
            || crate::known::has_wasmi_same_local_store(bytes)
            || crate::known::has_wasmi_store_lane_big_offset(bytes)
        {
            return false;
        }
        let theirs = Wasmi::instantiate(bytes, features, &exports);
        compare(&module, &exports, theirs, u);
    } else {
        let theirs = Wasmtime::instantiate(bytes, features, &exports);
        compare(&module, &exports, theirs, u);
    }
    true
}

/// Instantiates `module` on Wasmite, compares the outcome with the oracle's (`theirs`),
/// then makes the same calls on both and compares every outcome and the state after it.
fn compare<O: Oracle>(
    module: &wasmite::Module,
    exports: &Exports,
    theirs: Result<O, Outcome>,
    u: &mut Unstructured<'_>,
) {
    let name = O::NAME;
    // Instantiation, start function included. An uncaught exception's tag is not named
    // here: the oracle may have no instance to name it by (`Outcome::Thrown`).
    let mut stack = StackRecycler::with_limits(WASMITE_VALUE_STACK_LIMIT, WASMITE_CALL_STACK_LIMIT);
    let unnamed = |_: &TagRef| TagId::Unexported;
    let ours = match ModuleInstance::new(module, &wasmite::ImportsBuilder::default()) {
        Ok(not_started) => {
            not_started.not_started_instance().set_fuel(FUEL);
            not_started
                .run_start_with_stack(&mut NopExternals, &mut stack)
                .map_err(|trap| Outcome::of_wasmite_trap(&trap, unnamed))
        }
        Err(wasmite::Error::Trap(trap)) => Err(Outcome::of_wasmite_trap(&trap, unnamed)),
        Err(error) => Err(Outcome::Error(error.to_string())),
    };
    let (our_outcome, their_outcome) = (summary(&ours), summary(&theirs));
    if our_outcome.ends_comparison() || their_outcome.ends_comparison() {
        return;
    }
    if !our_outcome.same_as(&their_outcome) {
        panic!("instantiation differs:\n  Wasmite: {our_outcome:?}\n  {name}: {their_outcome:?}");
    }
    let (Ok(instance), Ok(mut theirs)) = (ours, theirs) else {
        return;
    };
    let mut ours = Ours::new(module, instance, stack, exports);
    compare_state(&ours, &mut theirs, exports, "instantiation");

    // Every exported function once, in export order, then a few more chosen by the input.
    let mut calls: Vec<usize> = (0..exports.funcs.len()).collect();
    if !exports.funcs.is_empty() {
        for _ in 0..EXTRA_CALLS {
            if u.is_empty() {
                break;
            }
            calls.push(u.choose_index(exports.funcs.len()).unwrap_or(0));
        }
    }
    for index in calls {
        let func = &exports.funcs[index];
        // A function taking a reference the harness has no value of is not called.
        let Some(args) = ours.arguments(index, u) else {
            continue;
        };
        let our_outcome = ours.call(func, &args);
        let their_outcome = theirs.call(func, &args);
        if our_outcome.ends_comparison() || their_outcome.ends_comparison() {
            return;
        }
        if !our_outcome.same_as(&their_outcome) {
            panic!(
                "call {func:?}({args:?}) differs:\n  Wasmite: {our_outcome:?}\n  {name}: {their_outcome:?}"
            );
        }
        compare_state(
            &ours,
            &mut theirs,
            exports,
            &format!("call {func:?}({args:?})"),
        );
    }
}

/// An instantiation result as an [`Outcome`] (success has no values).
fn summary<T>(result: &Result<T, Outcome>) -> Outcome {
    match result {
        Ok(_) => Outcome::Values(Vec::new()),
        Err(outcome) => outcome.clone(),
    }
}

fn compare_state<O: Oracle>(ours: &Ours, theirs: &mut O, exports: &Exports, step: &str) {
    let name = O::NAME;
    let our_state = ours.snapshot(exports);
    let their_state = theirs.snapshot(exports);
    if our_state == their_state {
        return;
    }
    let mut details = String::new();
    for ((global, a), (_, b)) in our_state.globals.iter().zip(&their_state.globals) {
        if a != b {
            details += &format!("\n  global {global:?}: Wasmite {a:?}, {name} {b:?}");
        }
    }
    for ((memory, a), (_, b)) in our_state.memories.iter().zip(&their_state.memories) {
        if let Some(at) = first_difference(a, b) {
            details += &format!(
                "\n  memory {memory:?}: lengths {} vs {}, first difference at byte {at}: \
                 Wasmite {:?}, {name} {:?}",
                a.len(),
                b.len(),
                a.get(at),
                b.get(at)
            );
        }
    }
    for ((table, a), (_, b)) in our_state.tables.iter().zip(&their_state.tables) {
        if a.element != b.element {
            details += &format!(
                "\n  table {table:?}: element type Wasmite {:?}, {name} {:?}",
                a.element, b.element
            );
        }
        let differs = a.entries.iter().zip(&b.entries).position(|(x, y)| x != y);
        if let Some(at) = differs {
            details += &format!(
                "\n  table {table:?}: first difference at entry {at}: Wasmite {:?}, {name} {:?}",
                a.entries[at], b.entries[at]
            );
        }
        if a.entries.len() != b.entries.len() {
            details += &format!(
                "\n  table {table:?}: size Wasmite {}, {name} {}",
                a.entries.len(),
                b.entries.len()
            );
        }
    }
    panic!("state after {step} differs:{details}");
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f32s(lanes: [u32; 4]) -> V128 {
        V128::from_u32x4(lanes)
    }

    #[test]
    fn v128_compares_by_bits_outside_nan_lanes() {
        let a = f32s([1, 2, 3, 4]);
        assert!(v128_same(a, a));
        assert!(!v128_same(a, f32s([1, 2, 3, 5])));
        // +0 and -0 differ, as for scalars.
        assert!(!v128_same(f32s([0; 4]), f32s([0, 0x8000_0000, 0, 0])));
    }

    #[test]
    fn v128_accepts_other_nans_in_the_same_f32_lanes() {
        let ours = f32s([0x7fc0_0000, 7, 0xffc0_0000, 0x7f80_0000]);
        let theirs = f32s([0x7fc0_1234, 7, 0x7fc0_0000, 0x7f80_0000]);
        assert!(v128_same(ours, theirs));
        // A NaN on one side only, or a difference in a lane that is not NaN, is a finding.
        assert!(!v128_same(
            ours,
            f32s([0x7fc0_0000, 7, 0x3f80_0000, 0x7f80_0000])
        ));
        assert!(!v128_same(
            ours,
            f32s([0x7fc0_1234, 8, 0x7fc0_0000, 0x7f80_0000])
        ));
    }

    #[test]
    fn v128_accepts_other_nans_in_the_same_f64_lanes() {
        let ours = V128::from_u64x2([0x7ff8_0000_0000_0000, 1]);
        // As f32 lanes, lane 0 (the NaN's low half) is 0 on one side and not on the other.
        let theirs = V128::from_u64x2([0xfff8_0000_0000_0001, 1]);
        assert!(v128_same(ours, theirs));
        assert!(!v128_same(
            ours,
            V128::from_u64x2([0xfff8_0000_0000_0001, 2])
        ));
    }

    #[test]
    fn special_v128_covers_its_shapes() {
        let bytes: Vec<u8> = (0..=255).cycle().take(4096).collect();
        let mut u = Unstructured::new(&bytes);
        let mut seen_nan_f32 = false;
        let mut seen_all_ones = false;
        while !u.is_empty() {
            let v = special_v128(&mut u);
            seen_all_ones |= v.to_bits() == u128::MAX;
            seen_nan_f32 |= v.to_f32x4().iter().any(|x| x.is_nan());
        }
        assert!(seen_all_ones && seen_nan_f32);
    }

    /// `(module (func (export "a") (param v128) (result i32)
    ///   (i8x16.extract_lane_u 0 (local.get 0)))
    /// (func (export "b") (result v128) (v128.const i8x16 0 1 2 ... 15)))`
    const LANE_ORDER: &[u8] = &[
        0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // header
        0x01, 0x0a, 0x02, 0x60, 0x01, 0x7b, 0x01, 0x7f, 0x60, 0x00, 0x01, 0x7b, // types
        0x03, 0x03, 0x02, 0x00, 0x01, // functions
        0x07, 0x09, 0x02, 0x01, 0x61, 0x00, 0x00, 0x01, 0x62, 0x00, 0x01, // exports
        0x0a, 0x1e, 0x02, // code
        0x07, 0x00, 0x20, 0x00, 0xfd, 0x16, 0x00, 0x0b, // a
        0x14, 0x00, 0xfd, 0x0c, 0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a,
        0x0b, 0x0c, 0x0d, 0x0e, 0x0f, 0x0b, // b
    ];

    #[test]
    fn v128_lane_0_is_the_low_byte_on_wasmi() {
        let engine = wasmi::Engine::new(&wasmi_config(&crate::FEATURES));
        let module = wasmi::Module::new(&engine, LANE_ORDER).expect("module");
        let mut store = wasmi::Store::new(&engine, ());
        let linker = wasmi::Linker::<()>::new(&engine);
        let instance = linker
            .instantiate_and_start(&mut store, &module)
            .expect("instance");
        let mut theirs = Wasmi::new(store, instance, &Exports::of(&wasmite_module()));
        let arg = V128::from_u8x16(core::array::from_fn(|i| 0xa0 + i as u8));
        assert_eq!(
            theirs.call("a", &[Value::V128(arg)]),
            Outcome::Values(vec![Value::I32(0xa0)])
        );
        let lanes = V128::from_u8x16(core::array::from_fn(|i| i as u8));
        assert_eq!(
            theirs.call("b", &[]),
            Outcome::Values(vec![Value::V128(lanes)])
        );
    }

    #[test]
    fn v128_arguments_and_results_agree_on_both_engines() {
        for seed in 0..64u8 {
            let bytes: Vec<u8> = (0..512)
                .map(|i: u32| (i as u8).wrapping_mul(seed))
                .collect();
            differential(LANE_ORDER, &crate::FEATURES, &mut Unstructured::new(&bytes));
        }
    }

    /// Every relaxed SIMD operator, one exported function each, taking its operands as
    /// parameters, storing its result in an exported memory and returning it.
    fn relaxed_module() -> Vec<u8> {
        use wasm_encoder::{
            CodeSection, ExportKind, ExportSection, Function, FunctionSection, Instruction as I,
            MemArg, MemArgTarget, MemorySection, MemoryType, Module, TypeSection, ValType,
        };
        let operators: [(u32, I<'_>); 20] = [
            (1, I::I32x4RelaxedTruncF32x4S),
            (1, I::I32x4RelaxedTruncF32x4U),
            (1, I::I32x4RelaxedTruncF64x2SZero),
            (1, I::I32x4RelaxedTruncF64x2UZero),
            (2, I::I8x16RelaxedSwizzle),
            (2, I::F32x4RelaxedMin),
            (2, I::F32x4RelaxedMax),
            (2, I::F64x2RelaxedMin),
            (2, I::F64x2RelaxedMax),
            (2, I::I16x8RelaxedQ15mulrS),
            (2, I::I16x8RelaxedDotI8x16I7x16S),
            (3, I::F32x4RelaxedMadd),
            (3, I::F32x4RelaxedNmadd),
            (3, I::F64x2RelaxedMadd),
            (3, I::F64x2RelaxedNmadd),
            (3, I::I8x16RelaxedLaneselect),
            (3, I::I16x8RelaxedLaneselect),
            (3, I::I32x4RelaxedLaneselect),
            (3, I::I64x2RelaxedLaneselect),
            (3, I::I32x4RelaxedDotI8x16I7x16AddS),
        ];
        let mut types = TypeSection::new();
        for arity in 1..=3 {
            types
                .ty()
                .function(vec![ValType::V128; arity], [ValType::V128]);
        }
        let mut memories = MemorySection::new();
        memories.memory(MemoryType {
            minimum: 1,
            maximum: Some(1),
            memory64: false,
            shared: false,
            page_size_log2: None,
        });
        let (mut functions, mut exports, mut code) = (
            FunctionSection::new(),
            ExportSection::new(),
            CodeSection::new(),
        );
        exports.export("memory", ExportKind::Memory, 0);
        let memarg = MemArg {
            offset: 0,
            align: 4,
            target: MemArgTarget::Memory(0),
            ordering: None,
        };
        for (index, (arity, operator)) in (0u32..).zip(operators) {
            functions.function(arity - 1);
            exports.export(&format!("f{index}"), ExportKind::Func, index);
            let mut body = Function::new([]);
            body.instruction(&I::I32Const(16 * index as i32));
            for param in 0..arity {
                body.instruction(&I::LocalGet(param));
            }
            body.instruction(&operator)
                .instruction(&I::V128Store(memarg))
                .instruction(&I::I32Const(16 * index as i32))
                .instruction(&I::V128Load(memarg))
                .instruction(&I::End);
            code.function(&body);
        }
        let mut module = Module::new();
        module
            .section(&types)
            .section(&functions)
            .section(&memories)
            .section(&exports)
            .section(&code);
        module.finish()
    }

    /// Wasmite's relaxed SIMD choices are wasmi's: every relaxed operator, on boundary and
    /// arbitrary operands, gives the same results and stores the same bytes on both, once
    /// its NaNs are canonicalised as `exec_diff`'s modules' are.
    #[test]
    fn relaxed_simd_agrees_with_wasmi() {
        let bytes = crate::smith::canonicalize_relaxed_nans(&relaxed_module()).expect("module");
        let mut state = 0x2545_f491_4f6c_dd1d_u64;
        for _ in 0..500 {
            let input = crate::xorshift_bytes(&mut state, 2048);
            differential(&bytes, &crate::FEATURES, &mut Unstructured::new(&input));
        }
    }

    /// Wasmite's relaxed SIMD choices are Wasmtime's deterministic ones too (the
    /// engine `exec_diff` compares with for the wider feature set, relaxed SIMD included).
    #[test]
    fn relaxed_simd_agrees_with_wasmtime() {
        let bytes = crate::smith::canonicalize_relaxed_nans(&relaxed_module()).expect("module");
        let mut state = 0x9e37_79b9_7f4a_7c15_u64;
        for _ in 0..200 {
            let input = crate::xorshift_bytes(&mut state, 2048);
            differential(&bytes, &crate::WIDER, &mut Unstructured::new(&input));
        }
    }

    /// `text` instantiated on Wasmite and on Wasmtime with the wider feature set.
    fn wider_pair(text: &str) -> (Ours, Wasmtime, Exports) {
        let bytes = wat::parse_str(text).expect("text");
        let config = wasmite::Config::new()
            .features(crate::WIDER)
            .consume_fuel(true);
        let module = wasmite::Module::from_buffer_with_config(&bytes, &config).expect("module");
        let exports = Exports::of(&module);
        let instance = ModuleInstance::new(&module, &wasmite::ImportsBuilder::default())
            .expect("instance")
            .assert_no_start();
        instance.set_fuel(FUEL);
        let stack = StackRecycler::with_limits(WASMITE_VALUE_STACK_LIMIT, WASMITE_CALL_STACK_LIMIT);
        let ours = Ours::new(&module, instance, stack, &exports);
        let Ok(theirs) = Wasmtime::instantiate(&bytes, &crate::WIDER, &exports) else {
            panic!("Wasmtime instance");
        };
        (ours, theirs, exports)
    }

    /// Calls `name` on both sides: the outcome, once checked to be the same.
    fn call_both(pair: &mut (Ours, Wasmtime, Exports), name: &str, args: &[Value]) -> Outcome {
        let ours = pair.0.call(name, args);
        let theirs = pair.1.call(name, args);
        assert_eq!(ours, theirs, "{name}");
        assert!(
            pair.0.snapshot(&pair.2) == pair.1.snapshot(&pair.2),
            "{name}"
        );
        ours
    }

    const EXCEPTIONS: &str = r#"(module
        (type $f (func (result i32)))
        (tag $t (export "t") (param i32 f64))
        (tag $u (param externref))
        (global (export "g") (mut exnref) (ref.null exn))
        (table (export "tab") 2 exnref)
        (func $throw (export "throw") (param i32)
          (throw $t (local.get 0) (f64.const nan:0x1234)))
        (func (export "throw_unexported") (param externref) (throw $u (local.get 0)))
        (func (export "catch") (param i32) (result exnref) (local exnref)
          (local.set 1
            (block $h (result exnref)
              (try_table (catch_all_ref $h) (call $throw (local.get 0)))
              (ref.null exn)))
          (global.set 0 (local.get 1))
          (table.set 0 (i32.const 1) (local.get 1))
          (local.get 1))
        (func (export "rethrow") (param exnref) (throw_ref (local.get 0)))
        (func (export "call_null") (param (ref null $f)) (result i32)
          (call_ref $f (local.get 0)))
        (func (export "apply") (param (ref $f)) (result i32) (call_ref $f (local.get 0)))
        (func (export "seven") (type $f) (i32.const 7))
        (func (export "non_null") (param externref) (result externref)
          (ref.as_non_null (local.get 0)))
        (memory (export "m") i64 1 1)
        (func (export "store") (param i64) (i64.store (local.get 0) (i64.const -1))))"#;

    #[test]
    fn exceptions_and_typed_references_compare_alike_on_wasmtime() {
        let mut pair = wider_pair(EXCEPTIONS);
        let nan = Value::F64(0x7ff8_0000_0000_1234);
        assert_eq!(
            call_both(&mut pair, "throw", &[Value::I32(5)]),
            Outcome::Thrown(TagId::Export(0), vec![Value::I32(5), nan])
        );
        assert_eq!(
            call_both(&mut pair, "throw_unexported", &[Value::ExternRef(Some(1))]),
            Outcome::Thrown(TagId::Unexported, vec![Value::NonNull])
        );
        assert_eq!(
            call_both(&mut pair, "throw_unexported", &[Value::ExternRef(None)]),
            Outcome::Thrown(TagId::Unexported, vec![Value::ExternRef(None)])
        );
        assert_eq!(
            call_both(&mut pair, "catch", &[Value::I32(3)]),
            Outcome::Values(vec![Value::ExnRef(Some(TagId::Export(0)))])
        );
        for name in ["rethrow", "call_null", "non_null"] {
            let args = pair.0.arguments(
                pair.2.funcs.iter().position(|f| f == name).unwrap(),
                &mut Unstructured::new(&[]),
            );
            let args = args.expect("nullable parameters");
            assert!(args[0].is_null(), "{name}: an empty input gives nulls");
            assert_eq!(
                call_both(&mut pair, name, &args),
                Outcome::Trap(TrapKind::NullReference),
                "{name}"
            );
        }
        // The only function of type `$f` is the argument `apply` gets.
        let apply = pair.2.funcs.iter().position(|f| f == "apply").unwrap();
        let seven = pair.2.funcs.iter().position(|f| f == "seven").unwrap();
        let args = pair.0.arguments(apply, &mut Unstructured::new(&[0; 8]));
        assert_eq!(args, Some(vec![Value::FuncRef(FuncId::Export(seven))]));
        assert_eq!(
            call_both(&mut pair, "apply", &args.unwrap()),
            Outcome::Values(vec![Value::I32(7)])
        );
        // memory64: an `i64` address, in bounds and out.
        assert_eq!(
            call_both(&mut pair, "store", &[Value::I64(8)]),
            Outcome::Values(vec![])
        );
        assert_eq!(
            call_both(&mut pair, "store", &[Value::I64(65536)]),
            Outcome::Trap(TrapKind::MemoryOutOfBounds)
        );
    }

    /// An exception the start function does not catch is the instantiation's outcome on
    /// both engines, its tag unnamed.
    #[test]
    fn an_exception_thrown_at_instantiation_compares_alike() {
        let bytes = wat::parse_str(
            r#"(module (tag (export "t") (param i64))
                 (func $start (throw 0 (i64.const 9))) (start $start))"#,
        )
        .expect("text");
        differential(&bytes, &crate::WIDER, &mut Unstructured::new(&[]));
        let config = wasmite::Config::new().features(crate::WIDER);
        let module = wasmite::Module::from_buffer_with_config(&bytes, &config).expect("module");
        let Err(outcome) = Wasmtime::instantiate(&bytes, &crate::WIDER, &Exports::of(&module))
        else {
            panic!("the start function throws");
        };
        assert_eq!(
            outcome,
            Outcome::Thrown(TagId::Unexported, vec![Value::I64(9)])
        );
    }

    fn wasmite_module() -> wasmite::Module {
        let config = wasmite::Config::new().features(crate::FEATURES);
        wasmite::Module::from_buffer_with_config(LANE_ORDER, &config).expect("module")
    }
}
