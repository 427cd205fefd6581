//! The `spectest` module every spec script may import from.
//!
//! Its entities are allocated once per script, so that one script's modules share them:
//! a store to `spectest.memory` by one module is seen by the next, as in the reference
//! interpreter (`interpreter/host/spectest.ml`).

use wasmite::memory_units::Pages;
use wasmite::nan_preserving_float::{F32, F64};
use wasmite::{
    Error, Externals, FuncInstance, FuncRef, GlobalDescriptor, GlobalInstance, GlobalRef,
    MemoryDescriptor, MemoryInstance, MemoryRef, ModuleImportResolver, RuntimeArgs, RuntimeValue,
    Signature, TableDescriptor, TableInstance, TableRef, Trap, TrapCode, ValueType,
};

use ValueType::{F32 as TF32, F64 as TF64, I32 as TI32, I64 as TI64};

/// The host functions: name and parameter types (none has a result). A function's host
/// index is its position in this list.
const PRINT_FUNCS: &[(&str, &[ValueType])] = &[
    ("print", &[]),
    ("print_i32", &[TI32]),
    ("print_i64", &[TI64]),
    ("print_f32", &[TF32]),
    ("print_f64", &[TF64]),
    ("print_i32_f32", &[TI32, TF32]),
    ("print_f64_f64", &[TF64, TF64]),
];

/// The `spectest` module's entities.
pub(crate) struct Spectest {
    funcs: Vec<FuncRef>,
    global_i32: GlobalRef,
    global_i64: GlobalRef,
    global_f32: GlobalRef,
    global_f64: GlobalRef,
    table: TableRef,
    memory: MemoryRef,
}

impl Spectest {
    /// Allocates the entities: functions `print*`, globals `global_{i32,i64,f32,f64}` = 666
    /// (666.6 for floats), a funcref `table` of 10..20 and a `memory` of 1..2 pages.
    pub(crate) fn new() -> Self {
        let funcs = PRINT_FUNCS
            .iter()
            .enumerate()
            .map(|(index, &(_, params))| {
                FuncInstance::alloc_host(Signature::new(params, None), index)
            })
            .collect();
        Spectest {
            funcs,
            global_i32: GlobalInstance::alloc(RuntimeValue::I32(666), false),
            global_i64: GlobalInstance::alloc(RuntimeValue::I64(666), false),
            global_f32: GlobalInstance::alloc(
                RuntimeValue::F32(F32::from_bits(666.6_f32.to_bits())),
                false,
            ),
            global_f64: GlobalInstance::alloc(
                RuntimeValue::F64(F64::from_bits(666.6_f64.to_bits())),
                false,
            ),
            table: TableInstance::alloc(10, Some(20)).expect("spectest table allocates"),
            memory: MemoryInstance::alloc(Pages(1), Some(Pages(2)))
                .expect("spectest memory allocates"),
        }
    }

    fn is_global(field: &str) -> bool {
        matches!(
            field,
            "global_i32" | "global_i64" | "global_f32" | "global_f64"
        )
    }

    fn is_func(field: &str) -> bool {
        PRINT_FUNCS.iter().any(|&(name, _)| name == field)
    }

    /// The error for `field`: unknown, or an entity of another kind. (An entity of the
    /// right kind but the wrong type is returned as is: the runtime checks import types.)
    fn not_found(field: &str) -> Error {
        if Self::is_func(field) || Self::is_global(field) || field == "table" || field == "memory" {
            Error::Instantiation(format!("incompatible import type: spectest.{field}"))
        } else {
            Error::Instantiation(format!("unknown import: spectest.{field}"))
        }
    }
}

impl ModuleImportResolver for Spectest {
    fn resolve_func(&self, field: &str, _signature: &Signature) -> Result<FuncRef, Error> {
        PRINT_FUNCS
            .iter()
            .position(|&(name, _)| name == field)
            .map(|index| self.funcs[index].clone())
            .ok_or_else(|| Self::not_found(field))
    }

    fn resolve_global(
        &self,
        field: &str,
        _descriptor: &GlobalDescriptor,
    ) -> Result<GlobalRef, Error> {
        match field {
            "global_i32" => Ok(self.global_i32.clone()),
            "global_i64" => Ok(self.global_i64.clone()),
            "global_f32" => Ok(self.global_f32.clone()),
            "global_f64" => Ok(self.global_f64.clone()),
            _ => Err(Self::not_found(field)),
        }
    }

    fn resolve_memory(
        &self,
        field: &str,
        _descriptor: &MemoryDescriptor,
    ) -> Result<MemoryRef, Error> {
        match field {
            "memory" => Ok(self.memory.clone()),
            _ => Err(Self::not_found(field)),
        }
    }

    fn resolve_table(&self, field: &str, _descriptor: &TableDescriptor) -> Result<TableRef, Error> {
        match field {
            "table" => Ok(self.table.clone()),
            _ => Err(Self::not_found(field)),
        }
    }
}

/// Dispatches calls to the `spectest` host functions. They print nothing (a run of the
/// suite would drown in output) but check that the engine passed the right argument count.
pub(crate) struct SpectestHost;

impl Externals for SpectestHost {
    fn invoke_index(
        &mut self,
        index: usize,
        args: RuntimeArgs<'_>,
    ) -> Result<Option<RuntimeValue>, Trap> {
        match PRINT_FUNCS.get(index) {
            Some(&(_, params)) if params.len() == args.len() => Ok(None),
            // A call with the wrong arity means the engine passed a bad frame.
            _ => Err(Trap::Code(TrapCode::UnexpectedSignature)),
        }
    }
}
