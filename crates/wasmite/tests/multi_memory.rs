//! Several memories (multi-memory): every memory instruction on any memory, copies
//! between memories, and a fuel stop in the middle of an access to another memory.

use wasmite::{
    Config, ExternVal, Features, FuncInstance, ImportsBuilder, MemoryRef, Module, ModuleInstance,
    ModuleRef, NopExternals, OutOfFuel, ResumableError, RuntimeValue, Trap, TrapCode,
};

const TWO: &str = r#"(module
  (memory $a (export "a") 1)
  (memory $b (export "b") 1 3)
  (data $seed "\01\02\03\04")
  (func (export "store_b") (param $at i32) (param $value i64)
    (i64.store $b (local.get $at) (local.get $value)))
  (func (export "load_b") (param $at i32) (result i64)
    (i64.load $b (local.get $at)))
  (func (export "load_a") (param $at i32) (result i64)
    (i64.load $a (local.get $at)))
  (func (export "v128_b") (param $at i32) (result i32)
    (i32x4.extract_lane 1 (v128.load $b (local.get $at))))
  (func (export "size_b") (result i32) (memory.size $b))
  (func (export "grow_b") (param $delta i32) (result i32)
    (memory.grow $b (local.get $delta)))
  (func (export "fill_b") (param $at i32) (param $byte i32) (param $n i32)
    (memory.fill $b (local.get $at) (local.get $byte) (local.get $n)))
  (func (export "copy_b_to_a") (param $to i32) (param $from i32) (param $n i32)
    (memory.copy $a $b (local.get $to) (local.get $from) (local.get $n)))
  (func (export "init_b") (param $at i32)
    (memory.init $b $seed (local.get $at) (i32.const 0) (i32.const 4))))"#;

fn config() -> Config {
    Config::new().features(Features {
        multi_memory: true,
        ..Features::wasm2()
    })
}

fn instance(config: &Config) -> ModuleRef {
    let module = Module::from_buffer_with_config(wat::parse_str(TWO).unwrap(), config).unwrap();
    ModuleInstance::new(&module, &ImportsBuilder::default())
        .unwrap()
        .assert_no_start()
}

fn memory(instance: &ModuleRef, name: &str) -> MemoryRef {
    match instance.export_by_name(name) {
        Some(ExternVal::Memory(memory)) => memory,
        other => panic!("{name}: {other:?}"),
    }
}

fn call(instance: &ModuleRef, name: &str, args: &[RuntimeValue]) -> Option<RuntimeValue> {
    instance
        .invoke_export(name, args, &mut NopExternals)
        .unwrap_or_else(|e| panic!("{name}: {e:?}"))
}

fn trap_code(instance: &ModuleRef, name: &str, args: &[RuntimeValue]) -> Option<TrapCode> {
    let error = instance
        .invoke_export(name, args, &mut NopExternals)
        .unwrap_err();
    error.as_trap().and_then(Trap::code)
}

#[test]
fn a_second_memory_is_refused_unless_the_feature_is_on() {
    let two = wat::parse_str("(module (memory 1) (memory 1))").unwrap();
    let error = Module::from_buffer(two).unwrap_err();
    assert!(error.to_string().contains("multi"), "{error}");
    // Without it, a memory index in an access is a malformed encoding.
    let error = Module::from_buffer(wat::parse_str(TWO).unwrap()).unwrap_err();
    assert!(error.to_string().contains("malformed memop"), "{error}");
}

#[test]
fn each_instruction_accesses_the_memory_it_names() {
    let instance = instance(&config());
    let (a, b) = (memory(&instance, "a"), memory(&instance, "b"));
    use RuntimeValue::{I32, I64};
    call(&instance, "store_b", &[I32(8), I64(0x1122_3344_5566_7788)]);
    assert_eq!(b.get_value::<u64>(8).unwrap(), 0x1122_3344_5566_7788);
    assert_eq!(a.get_value::<u64>(8).unwrap(), 0, "memory 0 untouched");
    assert_eq!(
        call(&instance, "load_b", &[I32(8)]),
        Some(I64(0x1122_3344_5566_7788))
    );
    assert_eq!(call(&instance, "load_a", &[I32(8)]), Some(I64(0)));
    assert_eq!(call(&instance, "v128_b", &[I32(4)]), Some(I32(0x5566_7788)));
    // Bounds are the named memory's.
    assert_eq!(
        trap_code(&instance, "load_b", &[I32(65_530)]),
        Some(TrapCode::MemoryAccessOutOfBounds)
    );
    // Size and growth, up to the second memory's maximum of 3 pages.
    assert_eq!(call(&instance, "size_b", &[]), Some(I32(1)));
    assert_eq!(call(&instance, "grow_b", &[I32(2)]), Some(I32(1)));
    assert_eq!(call(&instance, "grow_b", &[I32(1)]), Some(I32(-1)));
    assert_eq!(call(&instance, "size_b", &[]), Some(I32(3)));
    assert_eq!(a.current_size().0, 1);
    assert_eq!(
        call(&instance, "load_b", &[I32(3 * 65_536 - 8)]),
        Some(I64(0))
    );
    // Bulk operations.
    call(&instance, "fill_b", &[I32(100), I32(0xab), I32(4)]);
    assert_eq!(b.get_value::<u32>(100).unwrap(), 0xabab_abab);
    call(&instance, "init_b", &[I32(200)]);
    assert_eq!(b.get_value::<u32>(200).unwrap(), 0x0403_0201);
    call(&instance, "copy_b_to_a", &[I32(16), I32(200), I32(4)]);
    assert_eq!(a.get_value::<u32>(16).unwrap(), 0x0403_0201);
    assert_eq!(
        trap_code(&instance, "copy_b_to_a", &[I32(65_534), I32(200), I32(4)]),
        Some(TrapCode::MemoryAccessOutOfBounds)
    );
}

#[test]
fn a_fill_of_another_memory_resumed_after_running_out_of_fuel_fills_that_memory() {
    let instance = instance(&config().consume_fuel(true));
    let Some(ExternVal::Func(fill)) = instance.export_by_name("fill_b") else {
        panic!()
    };
    let args = [
        RuntimeValue::I32(0),
        RuntimeValue::I32(0x5a),
        RuntimeValue::I32(60_000),
    ];
    let mut invocation = FuncInstance::invoke_resumable(&fill, &args[..]).unwrap();
    // Enough for the call, not for the bytes.
    instance.set_fuel(100);
    match invocation.start_execution(&mut NopExternals) {
        Err(ResumableError::Trap(trap)) => assert!(
            trap.as_host()
                .is_some_and(|e| e.downcast_ref::<OutOfFuel>().is_some()),
            "{trap:?}"
        ),
        other => panic!("expected out of fuel, got {other:?}"),
    }
    instance.add_fuel(1_000_000);
    invocation
        .resume_execution(None, &mut NopExternals)
        .unwrap();
    let (a, b) = (memory(&instance, "a"), memory(&instance, "b"));
    assert_eq!(b.get_value::<u8>(59_999).unwrap(), 0x5a);
    assert_eq!(a.get_value::<u8>(0).unwrap(), 0, "memory 0 untouched");
}
