//! Every item of the seed API (`shared/seed-api.md`), used the way a program written
//! against the classic `wasmi` 0.x API uses it. If a name or a shape drifts, this stops
//! compiling.

use std::borrow::Cow;
use wasmite::memory_units::{ByteSize, Bytes, Pages, RoundUpTo, size_of};
use wasmite::nan_preserving_float::{F32, F64};
use wasmite::{
    DEFAULT_CALL_STACK_LIMIT, DEFAULT_VALUE_STACK_LIMIT, Error, ExternVal, Externals, FromValue,
    FuncInstance, FuncRef, GlobalDescriptor, GlobalInstance, GlobalRef, HostError, ImportResolver,
    ImportsBuilder, LINEAR_MEMORY_PAGE_SIZE, LittleEndianConvert, MemoryDescriptor, MemoryInstance,
    MemoryRef, Module, ModuleImportResolver, ModuleInstance, ModuleRef, NopExternals,
    NotStartedModuleRef, RuntimeArgs, RuntimeValue, Signature, StackRecycler, TableDescriptor,
    TableInstance, TableRef, Trap, TrapCode, ValueType,
};

/// A host module providing one of each import kind, recording what was asked.
struct Env {
    memory: MemoryRef,
    table: TableRef,
    global: GlobalRef,
}

impl ModuleImportResolver for Env {
    fn resolve_func(&self, field: &str, signature: &Signature) -> Result<FuncRef, Error> {
        assert_eq!(field, "double");
        assert_eq!(signature.params(), &[ValueType::I32]);
        assert_eq!(signature.return_type(), Some(ValueType::I32));
        Ok(FuncInstance::alloc_host(
            Signature::new(&[ValueType::I32][..], Some(ValueType::I32)),
            0,
        ))
    }
    fn resolve_global(&self, _: &str, descriptor: &GlobalDescriptor) -> Result<GlobalRef, Error> {
        assert_eq!(descriptor.value_type(), ValueType::I64);
        assert!(!descriptor.is_mutable());
        Ok(self.global.clone())
    }
    fn resolve_memory(&self, _: &str, descriptor: &MemoryDescriptor) -> Result<MemoryRef, Error> {
        assert_eq!((descriptor.initial(), descriptor.maximum()), (1, None));
        Ok(self.memory.clone())
    }
    fn resolve_table(&self, _: &str, descriptor: &TableDescriptor) -> Result<TableRef, Error> {
        assert_eq!((descriptor.initial(), descriptor.maximum()), (2, Some(8)));
        Ok(self.table.clone())
    }
}

struct Doubler;

impl Externals for Doubler {
    fn invoke_index(
        &mut self,
        index: usize,
        args: RuntimeArgs<'_>,
    ) -> Result<Option<RuntimeValue>, Trap> {
        assert_eq!(index, 0);
        assert_eq!(args.len(), 1);
        assert_eq!(
            args.nth_value_checked(0)?,
            RuntimeValue::I32(args.nth::<i32>(0))
        );
        assert!(args.nth_checked::<i64>(0).is_err());
        Ok(Some(RuntimeValue::I32(args.nth_checked::<i32>(0)? * 2)))
    }
}

const MODULE: &str = r#"
(module
  (import "env" "double" (func $double (param i32) (result i32)))
  (import "env" "memory" (memory 1))
  (import "env" "table" (table 2 8 funcref))
  (import "env" "base" (global $base i64))
  (global (export "counter") (mut i32) (i32.const 0))
  (func (export "quad") (param i32) (result i32) (call $double (call $double (local.get 0))))
  (func (export "base") (result i64) (global.get $base))
  (func (export "load") (param i32) (result i32) (i32.load (local.get 0))))
"#;

#[test]
fn the_whole_seed_api() {
    let env = Env {
        memory: MemoryInstance::alloc(Pages(1), None).unwrap(),
        table: TableInstance::alloc(2, Some(8)).unwrap(),
        global: GlobalInstance::alloc(RuntimeValue::I64(40), false),
    };
    let module = Module::from_buffer(MODULE).unwrap();
    module.deny_floating_point().unwrap();

    let mut imports = ImportsBuilder::new();
    imports.push_resolver("env", &env);
    let not_started: NotStartedModuleRef<'_> = ModuleInstance::new(&module, &imports).unwrap();
    assert!(!not_started.has_start());
    let _: &ModuleRef = not_started.not_started_instance();
    let instance: ModuleRef = not_started.run_start(&mut NopExternals).unwrap();

    assert_eq!(
        instance
            .invoke_export("quad", &[RuntimeValue::I32(5)], &mut Doubler)
            .unwrap(),
        Some(RuntimeValue::I32(20))
    );
    let mut stack = StackRecycler::with_limits(DEFAULT_VALUE_STACK_LIMIT, DEFAULT_CALL_STACK_LIMIT);
    let base = instance
        .invoke_export_with_stack("base", &[], &mut NopExternals, &mut stack)
        .unwrap();
    assert_eq!(base.and_then(|v| v.try_into::<i64>()), Some(40));
    let globals: std::cell::Ref<'_, Vec<GlobalRef>> = instance.globals();
    assert_eq!(globals.len(), 2);
    assert_eq!(globals[0].get(), RuntimeValue::I64(40));
    drop(globals);

    // Exports and ExternVal.
    let counter = instance.export_by_name("counter").unwrap();
    assert!(
        counter.as_func().is_none()
            && counter.as_table().is_none()
            && counter.as_memory().is_none()
    );
    let counter = counter.as_global().unwrap();
    assert!(counter.is_mutable());
    assert_eq!(counter.value_type(), ValueType::I32);
    counter.set(RuntimeValue::I32(3)).unwrap();
    assert!(matches!(
        counter.set(RuntimeValue::I64(3)),
        Err(Error::Global(_))
    ));

    // Functions called directly.
    let load = instance
        .export_by_name("load")
        .unwrap()
        .as_func()
        .unwrap()
        .clone();
    env.memory.set_value(16, 0x1234_5678u32).unwrap();
    assert_eq!(
        FuncInstance::invoke(&load, &[RuntimeValue::I32(16)], &mut NopExternals).unwrap(),
        Some(RuntimeValue::I32(0x1234_5678))
    );
    let again = FuncInstance::invoke_with_stack(
        &load,
        &[RuntimeValue::I32(16)],
        &mut NopExternals,
        &mut stack,
    )
    .unwrap();
    assert_eq!(again, Some(RuntimeValue::I32(0x1234_5678)));

    // A second instance linked through the first one's exports and with_externvals.
    let externs = [
        ExternVal::Func(FuncInstance::alloc_host(
            Signature::new(&[ValueType::I32][..], Some(ValueType::I32)),
            0,
        )),
        ExternVal::Memory(env.memory.clone()),
        ExternVal::Table(env.table.clone()),
        ExternVal::Global(env.global.clone()),
    ];
    let second = ModuleInstance::with_externvals(&module, externs.iter())
        .unwrap()
        .assert_no_start();
    assert_eq!(
        second
            .invoke_export("quad", &[RuntimeValue::I32(1)], &mut Doubler)
            .unwrap(),
        Some(RuntimeValue::I32(4))
    );
    let reexport =
        Module::from_buffer(r#"(module (import "first" "counter" (global (mut i32))))"#).unwrap();
    let linked = ImportsBuilder::default().with_resolver("first", &instance);
    ModuleInstance::new(&reexport, &linked)
        .unwrap()
        .assert_no_start();
    let _: &dyn ImportResolver = &linked;
}

#[test]
fn memories_tables_and_units() {
    assert_eq!(LINEAR_MEMORY_PAGE_SIZE, Bytes(65536));
    assert_eq!(Pages::BYTE_SIZE, Bytes(65536));
    let pages: Pages = Bytes(65537).round_up_to();
    assert_eq!(pages, Pages(2));
    assert_eq!(size_of::<u64>(), Bytes(8));
    assert_eq!(Bytes::from(Pages(2)), Bytes(131072));

    let memory = MemoryInstance::alloc(Pages(1), Some(Pages(3))).unwrap();
    assert_eq!(
        (memory.initial(), memory.maximum(), memory.current_size()),
        (Pages(1), Some(Pages(3)), Pages(1))
    );
    assert_eq!(memory.grow(Pages(1)).unwrap(), Pages(1));
    assert!(matches!(memory.grow(Pages(5)), Err(Error::Memory(_))));
    memory.set(0, b"wasmite").unwrap();
    let mut buf = [0u8; 4];
    memory.get_into(0, &mut buf).unwrap();
    assert_eq!(&buf, b"wasm");
    memory.copy_nonoverlapping(0, 100, 7).unwrap();
    #[allow(deprecated)]
    let copied = memory.get(100, 7).unwrap();
    assert_eq!(copied, b"wasmite");
    memory.zero(100, 4).unwrap();
    memory.with_direct_access(|bytes| assert_eq!(&bytes[100..107], b"\0\0\0\0ite"));
    memory.with_direct_access_mut(|bytes| bytes[0] = b'W');
    memory.direct_access_mut().as_mut()[1] = b'A';
    assert_eq!(&memory.direct_access().as_ref()[..2], b"WA");
    let other = MemoryInstance::alloc(Pages(1), None).unwrap();
    MemoryInstance::transfer(&memory, 0, &other, 8, 2).unwrap();
    assert_eq!(
        other.get_value::<u16>(8).unwrap(),
        u16::from_le_bytes(*b"WA")
    );
    memory.erase().unwrap();
    let mut erased = [1u8; 2];
    memory.get_into(0, &mut erased).unwrap();
    assert_eq!(erased, [0, 0]);

    let table = TableInstance::alloc(1, Some(2)).unwrap();
    assert_eq!(
        (
            table.initial_size(),
            table.maximum_size(),
            table.current_size()
        ),
        (1, Some(2), 1)
    );
    table.grow(1).unwrap();
    let func = FuncInstance::alloc_host(Signature::new(Cow::Borrowed(&[][..]), None), 3);
    table.set(1, Some(func)).unwrap();
    assert!(table.get(1).unwrap().is_some());
    assert!(matches!(table.get(2), Err(Error::Table(_))));
}

#[derive(Debug, PartialEq)]
struct Oops;
impl std::fmt::Display for Oops {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("oops")
    }
}
impl HostError for Oops {}

#[test]
fn values_traps_and_errors() {
    assert_eq!(
        RuntimeValue::default(ValueType::F64),
        RuntimeValue::F64(F64::from_float(0.0))
    );
    assert_eq!(RuntimeValue::from(7u32).value_type(), ValueType::I32);
    assert_eq!(<u8 as LittleEndianConvert>::from_le_bytes([9]), 9);
    assert_eq!(0x0102i16.into_le_bytes(), [2, 1]);
    assert_eq!(i64::from_value(RuntimeValue::I64(-1)), Some(-1));
    assert_eq!(
        (F32::from_float(1.5) + F32::from_float(2.0)).to_float(),
        3.5
    );
    assert_eq!(F32::from_bits(0x7fc0_0001).to_bits(), 0x7fc0_0001);

    assert_eq!(
        TrapCode::DivisionByZero.trap_message(),
        "integer divide by zero"
    );
    let error = Error::Trap(Trap::Host(Box::new(Oops)));
    assert!(error.as_host_error().unwrap().is::<Oops>());
    assert_eq!(
        error.into_host_error().unwrap().downcast_ref::<Oops>(),
        Some(&Oops)
    );
    let error = Error::Host(Box::new(Oops));
    let host = error.try_into_host_error().unwrap();
    assert_eq!(*host.downcast::<Oops>().unwrap(), Oops);
    let error: Box<dyn std::error::Error> = Box::new(Error::Validation("bad".into()));
    assert!(error.to_string().contains("bad"));
    let _ = Error::Instantiation(String::new());
    let _ = Error::Function(String::new());
    let _ = Error::Value(String::new());
}
