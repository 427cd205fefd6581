//! 64-bit memories (memory64): i64 addresses, sizes and offsets, with bounds checked
//! without overflow.

use wasmite::{
    Config, Features, ImportsBuilder, Module, ModuleInstance, ModuleRef, NopExternals,
    RuntimeValue, Trap, TrapCode,
};

const WIDE: &str = r#"(module
  (memory i64 1 3)
  (data (i64.const 8) "\2a")
  (func (export "load") (param $at i64) (result i32)
    (i32.load8_u (local.get $at)))
  (func (export "load_far") (param $at i64) (result i32)
    (i32.load8_u offset=0x1_0000_0000 (local.get $at)))
  (func (export "store") (param $at i64) (param $value i32)
    (i32.store (local.get $at) (local.get $value)))
  (func (export "size") (result i64) (memory.size))
  (func (export "grow") (param $delta i64) (result i64) (memory.grow (local.get $delta)))
  (func (export "fill") (param $at i64) (param $n i64)
    (memory.fill (local.get $at) (i32.const 7) (local.get $n))))"#;

fn instance() -> ModuleRef {
    let config = Config::new().features(Features {
        memory64: true,
        ..Features::wasm2()
    });
    let module = Module::from_buffer_with_config(wat::parse_str(WIDE).unwrap(), &config).unwrap();
    ModuleInstance::new(&module, &ImportsBuilder::default())
        .unwrap()
        .assert_no_start()
}

fn call(
    instance: &ModuleRef,
    name: &str,
    args: &[RuntimeValue],
) -> Result<Option<RuntimeValue>, Option<TrapCode>> {
    instance
        .invoke_export(name, args, &mut NopExternals)
        .map_err(|e| e.as_trap().and_then(Trap::code))
}

const OOB: Result<Option<RuntimeValue>, Option<TrapCode>> =
    Err(Some(TrapCode::MemoryAccessOutOfBounds));

#[test]
fn a_64_bit_memory_is_refused_unless_the_feature_is_on() {
    let wide = wat::parse_str("(module (memory i64 1))").unwrap();
    let error = Module::from_buffer(wide).unwrap_err();
    assert!(error.to_string().contains("memory64"), "{error}");
}

#[test]
fn addresses_are_64_bits_wide_and_checked_without_wrapping() {
    use RuntimeValue::{I32, I64};
    let instance = instance();
    assert_eq!(call(&instance, "load", &[I64(8)]), Ok(Some(I32(42))));
    // An address whose low 32 bits are in bounds is still out of bounds.
    assert_eq!(call(&instance, "load", &[I64(0x1_0000_0008)]), OOB);
    assert_eq!(call(&instance, "load", &[I64(-1)]), OOB);
    assert_eq!(call(&instance, "store", &[I64(1 << 40), I32(1)]), OOB);
    // So is any access with an offset of 4 GiB, whatever the address.
    assert_eq!(call(&instance, "load_far", &[I64(0)]), OOB);
    assert_eq!(call(&instance, "load_far", &[I64(-0x1_0000_0000)]), OOB);
    // Last byte in bounds, then one past it.
    assert_eq!(call(&instance, "load", &[I64(65_535)]), Ok(Some(I32(0))));
    assert_eq!(call(&instance, "load", &[I64(65_536)]), OOB);
}

#[test]
fn sizes_and_growth_are_i64() {
    use RuntimeValue::I64;
    let instance = instance();
    assert_eq!(call(&instance, "size", &[]), Ok(Some(I64(1))));
    assert_eq!(call(&instance, "grow", &[I64(2)]), Ok(Some(I64(1))));
    // Past the maximum, or by more pages than 32 bits count: -1 as an i64.
    assert_eq!(call(&instance, "grow", &[I64(1)]), Ok(Some(I64(-1))));
    assert_eq!(call(&instance, "grow", &[I64(1 << 40)]), Ok(Some(I64(-1))));
    assert_eq!(call(&instance, "size", &[]), Ok(Some(I64(3))));
}

#[test]
fn bulk_operations_check_64_bit_addresses_and_lengths() {
    use RuntimeValue::{I32, I64};
    let instance = instance();
    assert_eq!(call(&instance, "fill", &[I64(100), I64(4)]), Ok(None));
    assert_eq!(call(&instance, "load", &[I64(103)]), Ok(Some(I32(7))));
    assert_eq!(call(&instance, "fill", &[I64(0x1_0000_0000), I64(0)]), OOB);
    assert_eq!(call(&instance, "fill", &[I64(0), I64(0x1_0000_0001)]), OOB);
}

/// Provides one memory for every memory import.
struct Host(wasmite::MemoryRef);

impl wasmite::ModuleImportResolver for Host {
    fn resolve_memory(
        &self,
        _: &str,
        _: &wasmite::MemoryDescriptor,
    ) -> Result<wasmite::MemoryRef, wasmite::Error> {
        Ok(self.0.clone())
    }
}

#[test]
fn a_memory_import_matches_only_a_memory_of_its_address_type() {
    use wasmite::{Limits, MemoryInstance, MemoryType};
    let config = Config::new().features(Features {
        memory64: true,
        ..Features::wasm2()
    });
    let load = |text: &str| {
        Module::from_buffer_with_config(wat::parse_str(text).unwrap(), &config).unwrap()
    };
    let wide = MemoryInstance::alloc_with_type(&MemoryType {
        limits: Limits { min: 1, max: None },
        memory64: true,
        shared: false,
        page_size_log2: None,
    })
    .unwrap();
    let narrow = MemoryInstance::alloc(wasmite::memory_units::Pages(1), None).unwrap();
    let instantiate = |module: &Module, memory: &wasmite::MemoryRef| {
        let host = Host(memory.clone());
        let imports = ImportsBuilder::new().with_resolver("m", &host);
        ModuleInstance::new(module, &imports).map(|_| ())
    };
    let imports_wide = load(r#"(module (import "m" "mem" (memory i64 1)))"#);
    let imports_narrow = load(r#"(module (import "m" "mem" (memory 1)))"#);
    assert!(instantiate(&imports_wide, &wide).is_ok());
    assert!(instantiate(&imports_narrow, &narrow).is_ok());
    let error = instantiate(&imports_wide, &narrow).unwrap_err();
    assert!(error.to_string().contains("incompatible"), "{error}");
    assert!(instantiate(&imports_narrow, &wide).is_err());
}

/// A 64-bit table beside a 32-bit one: every table operator takes i64 indices on it.
const TABLES: &str = r#"(module
  (type $v (func (result i32)))
  (table $wide i64 4 10 funcref)
  (table $narrow 4 funcref)
  (func $seven (result i32) (i32.const 7))
  (func $eight (result i32) (i32.const 8))
  (elem (table $wide) (i64.const 1) func $seven)
  (elem $later func $eight)
  (func (export "call") (param i64) (result i32) (call_indirect $wide (type $v) (local.get 0)))
  (func (export "is_null") (param i64) (result i32) (ref.is_null (table.get $wide (local.get 0))))
  (func (export "set_eight") (param i64) (table.set $wide (local.get 0) (ref.func $eight)))
  (func (export "size") (result i64) (table.size $wide))
  (func (export "grow") (param i64) (result i64) (table.grow $wide (ref.null func) (local.get 0)))
  (func (export "fill") (param i64 i64) (table.fill $wide (local.get 0) (ref.func $seven) (local.get 1)))
  (func (export "init") (param i64) (table.init $wide $later (local.get 0) (i32.const 0) (i32.const 1)))
  (func (export "to_narrow") (param i32 i64 i32) (table.copy $narrow $wide (local.get 0) (local.get 1) (local.get 2)))
  (func (export "call_narrow") (param i32) (result i32) (call_indirect $narrow (type $v) (local.get 0)))
  (func (export "far") (result i32) (ref.is_null (table.get $wide (i64.const 0x1_0000_0001)))))"#;

#[test]
fn a_64_bit_table_takes_i64_indices() {
    use RuntimeValue::{I32, I64};
    let config = Config::new().features(Features {
        memory64: true,
        ..Features::wasm2()
    });
    let module = Module::from_buffer_with_config(wat::parse_str(TABLES).unwrap(), &config).unwrap();
    let instance = ModuleInstance::new(&module, &ImportsBuilder::default())
        .unwrap()
        .assert_no_start();
    let call = |name: &str, args: &[RuntimeValue]| call(&instance, name, args);
    const OUT: Result<Option<RuntimeValue>, Option<TrapCode>> =
        Err(Some(TrapCode::TableAccessOutOfBounds));
    assert_eq!(call("call", &[I64(1)]), Ok(Some(I32(7))));
    assert_eq!(call("is_null", &[I64(0)]), Ok(Some(I32(1))));
    // An index whose low 32 bits are in bounds is out of bounds, for every operator.
    assert_eq!(call("call", &[I64(0x1_0000_0001)]), OUT);
    assert_eq!(call("is_null", &[I64(0x1_0000_0001)]), OUT);
    assert_eq!(call("set_eight", &[I64(-1)]), OUT);
    assert_eq!(call("fill", &[I64(0), I64(0x1_0000_0000)]), OUT);
    assert_eq!(call("init", &[I64(0x1_0000_0000)]), OUT);
    assert_eq!(
        call("to_narrow", &[I32(0), I64(0x1_0000_0001), I32(1)]),
        OUT
    );
    assert_eq!(call("far", &[]), OUT);
    // Sizes and growth are i64; -1 past the maximum or for a delta of 2^32 or more.
    assert_eq!(call("size", &[]), Ok(Some(I64(4))));
    assert_eq!(call("grow", &[I64(2)]), Ok(Some(I64(4))));
    assert_eq!(call("grow", &[I64(5)]), Ok(Some(I64(-1))));
    assert_eq!(call("grow", &[I64(1 << 32)]), Ok(Some(I64(-1))));
    assert_eq!(call("size", &[]), Ok(Some(I64(6))));
    // The operators that write the table, and a copy into the 32-bit one.
    assert_eq!(call("set_eight", &[I64(5)]), Ok(None));
    assert_eq!(call("call", &[I64(5)]), Ok(Some(I32(8))));
    assert_eq!(call("fill", &[I64(2), I64(2)]), Ok(None));
    assert_eq!(call("call", &[I64(3)]), Ok(Some(I32(7))));
    assert_eq!(call("init", &[I64(0)]), Ok(None));
    assert_eq!(call("call", &[I64(0)]), Ok(Some(I32(8))));
    assert_eq!(call("to_narrow", &[I32(1), I64(0), I32(2)]), Ok(None));
    assert_eq!(call("call_narrow", &[I32(1)]), Ok(Some(I32(8))));
    assert_eq!(call("call_narrow", &[I32(2)]), Ok(Some(I32(7))));
}

#[test]
fn a_table_import_matches_only_a_table_of_its_index_type() {
    use wasmite::{Limits, RefType, TableInstance, TableType};
    struct Tables(wasmite::TableRef);
    impl wasmite::ModuleImportResolver for Tables {
        fn resolve_table(
            &self,
            _: &str,
            _: &wasmite::TableDescriptor,
        ) -> Result<wasmite::TableRef, wasmite::Error> {
            Ok(self.0.clone())
        }
    }
    let config = Config::new().features(Features {
        memory64: true,
        ..Features::wasm2()
    });
    let wide = TableInstance::alloc_with_type(&TableType {
        element: RefType::FUNCREF,
        limits: Limits { min: 1, max: None },
        table64: true,
    })
    .unwrap();
    let narrow = TableInstance::alloc(1, None).unwrap();
    let instantiate = |text: &str, table: &wasmite::TableRef| {
        let module =
            Module::from_buffer_with_config(wat::parse_str(text).unwrap(), &config).unwrap();
        let host = Tables(table.clone());
        let imports = ImportsBuilder::new().with_resolver("m", &host);
        ModuleInstance::new(&module, &imports).map(|_| ())
    };
    let imports_wide = r#"(module (import "m" "t" (table i64 1 funcref)))"#;
    let imports_narrow = r#"(module (import "m" "t" (table 1 funcref)))"#;
    assert!(instantiate(imports_wide, &wide).is_ok());
    assert!(instantiate(imports_narrow, &narrow).is_ok());
    assert!(instantiate(imports_wide, &narrow).is_err());
    assert!(instantiate(imports_narrow, &wide).is_err());
}
