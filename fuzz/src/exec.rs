//! Differential execution: one module, instantiated on Wasmite and on wasmi, the same
//! calls on both, and every observable outcome compared.
//!
//! Observables: instantiation success or trap (segment initialisation, start function),
//! each call's results or trap kind, and after every step the exported globals, exported
//! memories (size and every byte) and exported tables (element type, size and every
//! entry). Numbers compare by bits, except that two NaNs of the same width are equal: the
//! spec lets NaN payloads of arithmetic results vary. A `v128` compares by bits except
//! in lanes that are NaN on both sides, read as `f32x4` or as `f64x2` (see
//! [`v128_same`]).
//!
//! References compare by what both engines can name alike ([`FuncId`], and an
//! `externref`'s harness id): a null reference equals only a null of its type; a
//! `funcref` is the exported function it is (the first export of that function), or
//! "a function no export names"; an `externref` is one of the [`EXTERN_OBJECTS`] objects
//! the harness made on each engine before the first call, each holding its id (a `u32`),
//! so the same id on both sides is the same object (validated code cannot make an
//! `externref` of its own).
//!
//! Stack exhaustion and running out of fuel are the outcomes that may differ: the
//! engines' depth limits differ (Wasmite's are set by [`WASMITE_CALL_STACK_LIMIT`],
//! wasmi's default is 1000 frames), and so do their fuel cost models (both engines meter
//! fuel, each instance starting with [`FUEL`]). When either side exhausts its stack or
//! its fuel, the comparison stops, with no verdict.

use std::fmt;

use arbitrary::Unstructured;
use wasmite::{
    ExternRef, ExternVal, FuncInstance, FuncRef, ModuleInstance, ModuleRef, NopExternals, RefType,
    StackRecycler, Trap, TrapCode, V128, ValType,
};

use crate::features::wasmi_config;

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
    /// `ref.null func`.
    Null,
    /// The function of the module's `i`-th function export (the first export of it, if
    /// several name the same function).
    Export(usize),
    /// A function that no export names.
    Unexported,
}

/// A value as both engines see it: numbers by bits, references by [`FuncId`] or
/// harness id.
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
    /// `funcref`.
    FuncRef(FuncId),
    /// `externref`: null, or the harness object with this id.
    ExternRef(Option<u32>),
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

impl Value {
    /// Whether the value is a null reference.
    fn is_null(&self) -> bool {
        matches!(self, Value::FuncRef(FuncId::Null) | Value::ExternRef(None))
    }

    /// An argument of type `ty` from the fuzzer's bytes. Numbers: often a boundary value
    /// (zero, all ones, the extremes, infinities, NaNs), otherwise arbitrary bits.
    /// References: null, or one of the `funcs` exported functions, or one of the
    /// harness's [`EXTERN_OBJECTS`].
    fn arbitrary_of(ty: ValType, funcs: usize, u: &mut Unstructured<'_>) -> Value {
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
        // Null a quarter of the time (and when the input has run out).
        let null = special || u.is_empty();
        match ty {
            ValType::I32 => Value::I32(bits32(u)),
            ValType::I64 => Value::I64(bits64(u)),
            ValType::F32 => Value::F32(bits32(u)),
            ValType::F64 => Value::F64(bits64(u)),
            ValType::V128 if special => Value::V128(special_v128(u)),
            ValType::V128 => Value::V128(V128::from_bits(u.arbitrary().unwrap_or(0))),
            ValType::Ref(RefType::EXTERNREF) if null => Value::ExternRef(None),
            ValType::Ref(RefType::EXTERNREF) => {
                Value::ExternRef(Some(u.int_in_range(0..=EXTERN_OBJECTS - 1).unwrap_or(0)))
            }
            ValType::Ref(RefType::FUNCREF) if null || funcs == 0 => Value::FuncRef(FuncId::Null),
            ValType::Ref(RefType::FUNCREF) => {
                Value::FuncRef(FuncId::Export(u.choose_index(funcs).unwrap_or(0)))
            }
            // Exception handling and typed function references are not in `FEATURES`
            // (wasmi has neither): no function of a module this target runs takes an
            // `exnref` or a typed reference.
            ValType::Ref(other) => unreachable!("exec_diff runs no {other}"),
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

/// Why execution trapped, in terms both engines share.
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
}

/// How a step (instantiation, or one call) ended on one engine.
#[derive(Clone, Debug, PartialEq)]
pub enum Outcome {
    /// Success, with the results (none for instantiation).
    Values(Vec<Value>),
    /// A trap.
    Trap(TrapKind),
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

    fn of_wasmite_trap(trap: &Trap) -> Outcome {
        match trap.code() {
            Some(code) => Outcome::Trap(TrapKind::of_wasmite(code)),
            None if trap.as_host().is_some_and(|e| e.is::<wasmite::OutOfFuel>()) => {
                Outcome::Trap(TrapKind::OutOfFuel)
            }
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

/// A table's element type, as both engines name it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Element {
    FuncRef,
    ExternRef,
}

/// An exported table: its element type and every entry (its size is their number).
#[derive(PartialEq)]
struct Table {
    element: Element,
    entries: Vec<Value>,
}

/// The state both engines expose after a step: exported globals, memories and tables,
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
}

impl Exports {
    fn of(module: &wasmite::Module) -> Exports {
        use wasm_core::ExternKind;
        let mut exports = Exports {
            funcs: Vec::new(),
            globals: Vec::new(),
            memories: Vec::new(),
            tables: Vec::new(),
        };
        for export in &module.core().exports {
            let names = match export.kind {
                ExternKind::Func => &mut exports.funcs,
                ExternKind::Global => &mut exports.globals,
                ExternKind::Memory => &mut exports.memories,
                ExternKind::Table => &mut exports.tables,
                // Tags (exception handling) are not in `FEATURES`.
                ExternKind::Tag => continue,
            };
            names.push(export.name.clone());
        }
        exports
    }
}

/// Wasmite's side.
struct Ours {
    instance: ModuleRef,
    stack: StackRecycler,
    /// The function of each function export, in export order.
    funcs: Vec<FuncRef>,
    /// The harness's `externref` objects; object `i` holds `i` (a `u32`).
    externs: Vec<ExternRef>,
}

impl Ours {
    fn new(instance: ModuleRef, stack: StackRecycler, exports: &Exports) -> Ours {
        let funcs = exports
            .funcs
            .iter()
            .map(|name| match instance.export_by_name(name) {
                Some(ExternVal::Func(func)) => func,
                _ => panic!("Wasmite: exported function {name:?} not found"),
            })
            .collect();
        let externs = (0..EXTERN_OBJECTS).map(ExternRef::new).collect();
        Ours {
            instance,
            stack,
            funcs,
            externs,
        }
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
            Value::FuncRef(FuncId::Unexported) => {
                unreachable!("harness: arguments name exported functions only")
            }
            Value::ExternRef(r) => {
                wasmite::Value::ExternRef(r.map(|id| self.externs[id as usize].clone()))
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
            wasmite::Value::ExnRef(_) => unreachable!("exec_diff runs no exception handling"),
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
                let element = match table.element_type() {
                    RefType::FUNCREF => Element::FuncRef,
                    RefType::EXTERNREF => Element::ExternRef,
                    other => unreachable!("exec_diff runs no tables of {other}"),
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
            Err(trap) => Outcome::of_wasmite_trap(&trap),
        }
    }
}

/// wasmi's side.
struct Theirs {
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

impl Theirs {
    fn new(mut store: wasmi::Store<()>, instance: wasmi::Instance, exports: &Exports) -> Theirs {
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
        Theirs {
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
            Value::FuncRef(FuncId::Unexported) => {
                unreachable!("harness: arguments name exported functions only")
            }
            Value::ExternRef(None) => wasmi::Val::ExternRef(Nullable::Null),
            Value::ExternRef(Some(id)) => {
                wasmi::Val::ExternRef(Nullable::Val(self.externs[id as usize]))
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

    fn snapshot(&self, exports: &Exports) -> Snapshot {
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
                let element = match table.ty(&self.store).element() {
                    wasmi::RefType::Func => Element::FuncRef,
                    wasmi::RefType::Extern => Element::ExternRef,
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

/// Runs `bytes` on both engines with calls chosen by `u`, and panics (a fuzzing finding)
/// on the first difference.
///
/// Modules wasmparser rejects for `features` are skipped (the generator is not meant
/// to produce them). A module wasmparser accepts must load on Wasmite; wasmi refusing it
/// is a harness problem (a wasmi limit), reported as such.
pub fn differential(bytes: &[u8], features: &wasmite::Features, u: &mut Unstructured<'_>) {
    let parser_features = crate::features::wasmparser_features(features);
    if wasmparser::Validator::new_with_features(parser_features)
        .validate_all(bytes)
        .is_err()
    {
        return;
    }
    let config = wasmite::Config::new()
        .features(*features)
        .consume_fuel(true);
    let module = match wasmite::Module::from_buffer_with_config(bytes, &config) {
        Ok(module) => module,
        Err(error) => panic!("Wasmite rejects a module wasmparser accepts: {error}"),
    };
    if crate::known::has_wasmi_eqz_select(bytes)
        || crate::known::has_wasmi_same_local_store(bytes)
        || crate::known::has_wasmi_store_lane_big_offset(bytes)
    {
        return;
    }
    let mut their_config = wasmi_config(features);
    their_config.consume_fuel(true);
    let engine = wasmi::Engine::new(&their_config);
    let their_module = match wasmi::Module::new(&engine, bytes) {
        Ok(module) => module,
        Err(error) => panic!("harness: wasmi rejects a module wasmparser accepts: {error}"),
    };
    let exports = Exports::of(&module);

    // Instantiation, start function included.
    let mut stack = StackRecycler::with_limits(WASMITE_VALUE_STACK_LIMIT, WASMITE_CALL_STACK_LIMIT);
    let ours = match ModuleInstance::new(&module, &wasmite::ImportsBuilder::default()) {
        Ok(not_started) => {
            not_started.not_started_instance().set_fuel(FUEL);
            not_started
                .run_start_with_stack(&mut NopExternals, &mut stack)
                .map_err(|trap| Outcome::of_wasmite_trap(&trap))
        }
        Err(wasmite::Error::Trap(trap)) => Err(Outcome::of_wasmite_trap(&trap)),
        Err(error) => Err(Outcome::Error(error.to_string())),
    };
    let mut store = wasmi::Store::new(&engine, ());
    if let Err(error) = store.set_fuel(FUEL) {
        panic!("harness: wasmi refuses fuel: {error}");
    }
    let linker = wasmi::Linker::<()>::new(&engine);
    let theirs = linker
        .instantiate_and_start(&mut store, &their_module)
        .map_err(|error| Outcome::of_wasmi_error(&error));
    let (our_outcome, their_outcome) = (summary(&ours), summary(&theirs));
    if our_outcome.ends_comparison() || their_outcome.ends_comparison() {
        return;
    }
    if !our_outcome.same_as(&their_outcome) {
        panic!("instantiation differs:\n  Wasmite: {our_outcome:?}\n  wasmi:   {their_outcome:?}");
    }
    let (Ok(instance), Ok(their_instance)) = (ours, theirs) else {
        return;
    };
    let mut ours = Ours::new(instance, stack, &exports);
    let mut theirs = Theirs::new(store, their_instance, &exports);
    compare_state(&ours, &theirs, &exports, "instantiation");

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
        let name = &exports.funcs[index];
        let args: Vec<Value> = ours.funcs[index]
            .signature()
            .param_types()
            .iter()
            .map(|&ty| Value::arbitrary_of(ty, exports.funcs.len(), u))
            .collect();
        let our_outcome = ours.call(name, &args);
        let their_outcome = theirs.call(name, &args);
        if our_outcome.ends_comparison() || their_outcome.ends_comparison() {
            return;
        }
        if !our_outcome.same_as(&their_outcome) {
            panic!(
                "call {name:?}({args:?}) differs:\n  Wasmite: {our_outcome:?}\n  wasmi:   {their_outcome:?}"
            );
        }
        compare_state(
            &ours,
            &theirs,
            &exports,
            &format!("call {name:?}({args:?})"),
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

fn compare_state(ours: &Ours, theirs: &Theirs, exports: &Exports, step: &str) {
    let our_state = ours.snapshot(exports);
    let their_state = theirs.snapshot(exports);
    if our_state == their_state {
        return;
    }
    let mut details = String::new();
    for ((name, a), (_, b)) in our_state.globals.iter().zip(&their_state.globals) {
        if a != b {
            details += &format!("\n  global {name:?}: Wasmite {a:?}, wasmi {b:?}");
        }
    }
    for ((name, a), (_, b)) in our_state.memories.iter().zip(&their_state.memories) {
        if let Some(at) = first_difference(a, b) {
            details += &format!(
                "\n  memory {name:?}: lengths {} vs {}, first difference at byte {at}: \
                 Wasmite {:?}, wasmi {:?}",
                a.len(),
                b.len(),
                a.get(at),
                b.get(at)
            );
        }
    }
    for ((name, a), (_, b)) in our_state.tables.iter().zip(&their_state.tables) {
        if a.element != b.element {
            details += &format!(
                "\n  table {name:?}: element type Wasmite {:?}, wasmi {:?}",
                a.element, b.element
            );
        }
        let differs = a.entries.iter().zip(&b.entries).position(|(x, y)| x != y);
        if let Some(at) = differs {
            details += &format!(
                "\n  table {name:?}: first difference at entry {at}: Wasmite {:?}, wasmi {:?}",
                a.entries[at], b.entries[at]
            );
        }
        if a.entries.len() != b.entries.len() {
            details += &format!(
                "\n  table {name:?}: size Wasmite {}, wasmi {}",
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
        let mut theirs = Theirs::new(store, instance, &Exports::of(&wasmite_module()));
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
            let input: Vec<u8> = (0..2048)
                .map(|_| {
                    // xorshift64: arbitrary bytes, the same on every run.
                    state ^= state << 13;
                    state ^= state >> 7;
                    state ^= state << 17;
                    state as u8
                })
                .collect();
            differential(&bytes, &crate::FEATURES, &mut Unstructured::new(&input));
        }
    }

    fn wasmite_module() -> wasmite::Module {
        let config = wasmite::Config::new().features(crate::FEATURES);
        wasmite::Module::from_buffer_with_config(LANE_ORDER, &config).expect("module")
    }
}
