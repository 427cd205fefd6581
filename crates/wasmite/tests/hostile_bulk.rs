//! Hostile uses of the Wasm 2.0 surface: tables grown towards their limits and past them,
//! bulk memory and table operations at and past every boundary (all or nothing), dropped
//! segments used, huge segments and tables. Each ends in a result or a trap, never a
//! panic or an allocation without bound.

use wasmite::{
    Error, FuncInstance, ImportsBuilder, Module, ModuleInstance, ModuleRef, NopExternals,
    RuntimeValue, Trap, TrapCode,
};

mod common;

fn instantiate(text: &str) -> ModuleRef {
    let module = Module::from_buffer(text).expect("module loads");
    ModuleInstance::new(&module, &ImportsBuilder::default())
        .expect("module instantiates")
        .assert_no_start()
}

fn run(instance: &ModuleRef, name: &str, args: &[i32]) -> Result<Option<RuntimeValue>, Trap> {
    let args: Vec<RuntimeValue> = args.iter().map(|&a| RuntimeValue::I32(a)).collect();
    FuncInstance::invoke(&common::func(instance, name), &args, &mut NopExternals)
}

fn i32_of(instance: &ModuleRef, name: &str, args: &[i32]) -> i32 {
    match run(instance, name, args) {
        Ok(Some(RuntimeValue::I32(v))) => v,
        other => panic!("{name}{args:?}: expected an i32, got {other:?}"),
    }
}

fn assert_trap(instance: &ModuleRef, name: &str, args: &[i32], code: TrapCode) {
    match run(instance, name, args) {
        Err(Trap::Code(c)) if c == code => {}
        other => panic!("{name}{args:?}: expected {code:?}, got {other:?}"),
    }
}

#[test]
fn tables_grow_to_their_maximum_and_no_further() {
    let instance = instantiate(
        r#"(module
          (table $small 1 3 funcref)
          (table $open 0 externref)
          (func (export "grow_small") (param i32) (result i32)
            (table.grow $small (ref.null func) (local.get 0)))
          (func (export "size_small") (result i32) (table.size $small))
          (func (export "grow_open") (param i32) (result i32)
            (table.grow $open (ref.null extern) (local.get 0)))
          (func (export "size_open") (result i32) (table.size $open)))"#,
    );
    assert_eq!(i32_of(&instance, "grow_small", &[2]), 1);
    assert_eq!(i32_of(&instance, "grow_small", &[1]), -1);
    assert_eq!(i32_of(&instance, "grow_small", &[-1]), -1);
    assert_eq!(i32_of(&instance, "grow_small", &[0]), 3);
    assert_eq!(i32_of(&instance, "size_small", &[]), 3);
    // Without a maximum: growing by 4 billion entries fails at once, allocating nothing;
    // the implementation limit (ten million entries) holds, up to its last entry.
    assert_eq!(i32_of(&instance, "grow_open", &[-1]), -1);
    assert_eq!(i32_of(&instance, "grow_open", &[i32::MAX]), -1);
    assert_eq!(i32_of(&instance, "grow_open", &[10_000_000]), 0);
    assert_eq!(i32_of(&instance, "grow_open", &[1]), -1);
    assert_eq!(i32_of(&instance, "size_open", &[]), 10_000_000);
}

#[test]
fn tables_too_large_for_an_instance_are_refused_before_allocating() {
    let module = Module::from_buffer("(module (table 6000000 funcref) (table 6000000 externref))")
        .expect("each table is within the limit");
    match ModuleInstance::new(&module, &ImportsBuilder::default()) {
        Err(Error::Instantiation(message)) => assert!(message.contains("too large"), "{message}"),
        other => panic!("expected an instantiation error, got {other:?}"),
    }
}

const MEMORY: &str = r#"(module
  (memory (export "mem") 1)
  (data $abcd "abcd")
  (data (i32.const 16) "xy")
  (func (export "fill") (param i32 i32 i32) (memory.fill (local.get 0) (local.get 1) (local.get 2)))
  (func (export "copy") (param i32 i32 i32) (memory.copy (local.get 0) (local.get 1) (local.get 2)))
  (func (export "init") (param i32 i32 i32) (memory.init $abcd (local.get 0) (local.get 1) (local.get 2)))
  (func (export "init_active") (param i32 i32 i32) (memory.init 1 (local.get 0) (local.get 1) (local.get 2)))
  (func (export "drop") (data.drop $abcd))
  (func (export "load8") (param i32) (result i32) (i32.load8_u (local.get 0))))"#;

#[test]
fn bulk_memory_operations_fit_entirely_or_write_nothing() {
    let m = instantiate(MEMORY);
    let oob = TrapCode::MemoryAccessOutOfBounds;
    let end = 65536;
    // memory.fill: up to the last byte, then one past it.
    run(&m, "fill", &[end - 1, 7, 1]).unwrap();
    assert_eq!(i32_of(&m, "load8", &[end - 1]), 7);
    assert_trap(&m, "fill", &[end - 2, 9, 3], oob);
    assert_eq!(i32_of(&m, "load8", &[end - 2]), 0, "nothing written");
    run(&m, "fill", &[end, 9, 0]).unwrap();
    assert_trap(&m, "fill", &[end + 1, 9, 0], oob);
    assert_trap(&m, "fill", &[0, 9, -1], oob);
    assert_eq!(i32_of(&m, "load8", &[0]), 0);
    // memory.copy: both ranges checked before anything moves; overlaps move whole.
    assert_trap(&m, "copy", &[0, end - 1, 2], oob);
    assert_trap(&m, "copy", &[end - 1, 16, 2], oob);
    assert_eq!(i32_of(&m, "load8", &[0]), 0);
    run(&m, "copy", &[17, 16, 2]).unwrap();
    assert_eq!(
        (i32_of(&m, "load8", &[17]), i32_of(&m, "load8", &[18])),
        (i32::from(b'x'), i32::from(b'y'))
    );
    run(&m, "copy", &[end, 0, 0]).unwrap();
    assert_trap(&m, "copy", &[0, end + 1, 0], oob);
    // memory.init: the segment's range and the memory's, then all four bytes.
    assert_trap(&m, "init", &[end - 3, 0, 4], oob);
    assert_eq!(i32_of(&m, "load8", &[end - 3]), 0, "nothing written");
    assert_trap(&m, "init", &[0, 1, 4], oob);
    assert_trap(&m, "init", &[0, 5, 0], oob);
    run(&m, "init", &[0, 4, 0]).unwrap();
    run(&m, "init", &[end - 4, 0, 4]).unwrap();
    assert_eq!(i32_of(&m, "load8", &[end - 1]), i32::from(b'd'));
}

#[test]
fn dropped_and_applied_data_segments_are_empty() {
    let m = instantiate(MEMORY);
    let oob = TrapCode::MemoryAccessOutOfBounds;
    // The active segment was applied at instantiation, so it is dropped already.
    run(&m, "init_active", &[0, 0, 0]).unwrap();
    assert_trap(&m, "init_active", &[0, 0, 1], oob);
    run(&m, "init", &[0, 0, 1]).unwrap();
    run(&m, "drop", &[]).unwrap();
    run(&m, "drop", &[]).unwrap(); // dropping twice is allowed
    run(&m, "init", &[0, 0, 0]).unwrap();
    assert_trap(&m, "init", &[1, 0, 1], oob);
    assert_eq!(i32_of(&m, "load8", &[1]), 0);
}

const TABLES: &str = r#"(module
  (table $t 4 funcref)
  (table $u 2 funcref)
  (func $a (result i32) i32.const 1)
  (func $b (result i32) i32.const 2)
  (func $c (result i32) i32.const 3)
  (elem $abc func $a $b $c)
  (elem (table $u) (i32.const 0) func $c)
  (func (export "init") (param i32 i32 i32) (table.init $t $abc (local.get 0) (local.get 1) (local.get 2)))
  (func (export "init_active") (param i32 i32 i32) (table.init $t 1 (local.get 0) (local.get 1) (local.get 2)))
  (func (export "drop") (elem.drop $abc))
  (func (export "copy") (param i32 i32 i32) (table.copy $t $t (local.get 0) (local.get 1) (local.get 2)))
  (func (export "copy_from_u") (param i32 i32 i32) (table.copy $t $u (local.get 0) (local.get 1) (local.get 2)))
  (func (export "fill") (param i32 i32) (table.fill $t (local.get 0) (ref.func $b) (local.get 1)))
  (func (export "set") (param i32) (table.set $t (local.get 0) (ref.null func)))
  (func (export "get_is_null") (param i32) (result i32) (ref.is_null (table.get $t (local.get 0))))
  (func (export "call") (param i32) (result i32) (call_indirect $t (result i32) (local.get 0))))"#;

#[test]
fn table_operations_fit_entirely_or_write_nothing() {
    let m = instantiate(TABLES);
    let oob = TrapCode::TableAccessOutOfBounds;
    assert_trap(&m, "init", &[2, 0, 3], oob);
    assert_eq!(i32_of(&m, "get_is_null", &[2]), 1, "nothing written");
    assert_trap(&m, "init", &[0, 1, 3], oob);
    assert_trap(&m, "init", &[5, 0, 0], oob);
    run(&m, "init", &[4, 3, 0]).unwrap();
    run(&m, "init", &[1, 0, 3]).unwrap();
    assert_eq!(i32_of(&m, "call", &[3]), 3);
    assert_trap(&m, "call", &[0], TrapCode::ElemUninitialized);
    assert_trap(&m, "call", &[4], oob);
    // copy within one table, overlapping both ways, and the bounds of both tables.
    run(&m, "copy", &[0, 1, 3]).unwrap();
    assert_eq!([0, 1, 2].map(|i| i32_of(&m, "call", &[i])), [1, 2, 3]);
    assert_trap(&m, "copy", &[2, 0, 3], oob);
    assert_trap(&m, "copy_from_u", &[0, 1, 2], oob);
    assert_eq!(i32_of(&m, "call", &[0]), 1, "nothing copied");
    run(&m, "copy_from_u", &[3, 0, 1]).unwrap();
    assert_eq!(i32_of(&m, "call", &[3]), 3);
    // fill and set: the same bounds.
    assert_trap(&m, "fill", &[3, 2], oob);
    assert_eq!(i32_of(&m, "call", &[3]), 3, "nothing filled");
    run(&m, "fill", &[4, 0]).unwrap();
    assert_trap(&m, "fill", &[5, 0], oob);
    run(&m, "fill", &[0, 4]).unwrap();
    assert_eq!(i32_of(&m, "call", &[3]), 2);
    assert_trap(&m, "set", &[4], oob);
    assert_trap(&m, "get_is_null", &[-1], oob);
}

#[test]
fn dropped_and_applied_element_segments_are_empty() {
    let m = instantiate(TABLES);
    let oob = TrapCode::TableAccessOutOfBounds;
    run(&m, "init_active", &[0, 0, 0]).unwrap();
    assert_trap(&m, "init_active", &[0, 0, 1], oob);
    run(&m, "drop", &[]).unwrap();
    run(&m, "init", &[0, 0, 0]).unwrap();
    assert_trap(&m, "init", &[0, 0, 1], oob);
    assert_eq!(i32_of(&m, "get_is_null", &[0]), 1);
}

#[test]
fn huge_element_segments_load_and_trap_cleanly() {
    let items = "$f ".repeat(200_000);
    let text = format!(
        r#"(module
          (table $t 200000 funcref)
          (table $small 10 funcref)
          (func $f (result i32) i32.const 5)
          (elem $big func {items})
          (func (export "init") (table.init $t $big (i32.const 0) (i32.const 0) (i32.const 200000)))
          (func (export "init_small") (table.init $small $big (i32.const 0) (i32.const 0) (i32.const 200000)))
          (func (export "call") (param i32) (result i32) (call_indirect $t (result i32) (local.get 0))))"#
    );
    let m = instantiate(&text);
    assert_trap(&m, "init_small", &[], TrapCode::TableAccessOutOfBounds);
    run(&m, "init", &[]).unwrap();
    assert_eq!(i32_of(&m, "call", &[199_999]), 5);
    // An active segment that does not fit traps at instantiation, writing nothing.
    let module = Module::from_buffer(format!(
        r#"(module (table 10 funcref) (func $f) (elem (i32.const 5) func {items}))"#
    ))
    .unwrap();
    match ModuleInstance::new(&module, &ImportsBuilder::default()) {
        Err(Error::Trap(Trap::Code(TrapCode::TableAccessOutOfBounds))) => {}
        other => panic!("expected a table trap, got {other:?}"),
    }
}

#[test]
fn many_growing_tables_share_one_bound() {
    // Each table may grow to ten million entries, and all tables of a thread to forty
    // million together: a module with many tables cannot exhaust memory.
    let instance = instantiate(
        r#"(module
          (table $a 0 funcref) (table $b 0 funcref) (table $c 0 funcref)
          (table $d 0 funcref) (table $e 0 funcref)
          (func (export "grow") (param i32 i32) (result i32)
            (block $e (block $d (block $c (block $b (block $a
              (br_table $a $b $c $d $e (local.get 0)))
              (return (table.grow $a (ref.null func) (local.get 1))))
              (return (table.grow $b (ref.null func) (local.get 1))))
              (return (table.grow $c (ref.null func) (local.get 1))))
              (return (table.grow $d (ref.null func) (local.get 1))))
            (table.grow $e (ref.null func) (local.get 1))))"#,
    );
    for table in 0..4 {
        assert_eq!(i32_of(&instance, "grow", &[table, 10_000_000]), 0);
    }
    assert_eq!(i32_of(&instance, "grow", &[4, 1]), -1);
    drop(instance);
    // Freed tables give their entries back.
    let again = instantiate("(module (table 10000000 funcref))");
    drop(again);
}
