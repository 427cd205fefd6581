//! Typed function references (Wasm 3.0) through the API: `call_ref`, the null checks and
//! their traps, non-nullable tables with initialisers, type identity across modules at
//! link time, and the engine's check of a function type it did not make.

use wasmite::{
    HeapType, ImportsBuilder, Module, ModuleRef, NopExternals, RefType, Trap, TrapCode, TrapKind,
    Value,
};

mod common;
use common::{call_with, func, instantiate_wasm3_with as instantiate_with, load_wasm3 as load};

fn instantiate(text: &str) -> ModuleRef {
    instantiate_with(text, &ImportsBuilder::default()).expect("module instantiates")
}

fn call(instance: &ModuleRef, name: &str, args: &[Value]) -> Result<Vec<Value>, Trap> {
    call_with(instance, name, args, &mut NopExternals)
}

fn trap_kind(trap: &Trap) -> Option<TrapKind> {
    trap.as_host()?.downcast_ref::<TrapKind>().copied()
}

const PROGRAM: &str = r#"(module
  (type $binop (func (param i32 i32) (result i32)))
  (func $add (type $binop) (i32.add (local.get 0) (local.get 1)))
  (func $sub (type $binop) (i32.sub (local.get 0) (local.get 1)))
  (elem declare func $add $sub)

  ;; A table that can hold no null: every entry starts as $add.
  (table $ops (export "ops") 2 (ref $binop) (ref.func $add))

  (func (export "apply") (param $f (ref null $binop)) (param i32 i32) (result i32)
    (call_ref $binop (local.get 1) (local.get 2) (local.get $f)))
  (func $pick (export "pick") (param $sub i32) (result (ref $binop))
    (if (result (ref $binop)) (local.get $sub)
      (then (ref.func $sub)) (else (ref.func $add))))
  (func (export "table_op") (param i32 i32 i32) (result i32)
    (call_ref $binop (local.get 1) (local.get 2) (table.get $ops (local.get 0))))
  (func (export "set_sub") (param i32) (table.set $ops (local.get 0) (ref.func $sub)))
  ;; -1 for null, else the function applied to 7 and 2: br_on_null's fall-through has
  ;; the non-null reference.
  (func (export "or_minus_one") (param $f (ref null $binop)) (result i32)
    (block $null
      (return (call_ref $binop (i32.const 7) (i32.const 2)
        (br_on_null $null (local.get $f)))))
    (i32.const -1))
  ;; The same with br_on_non_null, which carries the reference to its label.
  (func (export "or_minus_two") (param $f (ref null $binop)) (result i32)
    (call_ref $binop (i32.const 7) (i32.const 2)
      (block $some (result (ref $binop))
        (br_on_non_null $some (local.get $f))
        (return (i32.const -2)))))
  (func (export "as_non_null") (param $f (ref null $binop)) (result (ref $binop))
    (ref.as_non_null (local.get $f)))
  ;; A non-nullable local: valid because it is set before it is read.
  (func (export "local") (param $sub i32) (result i32)
    (local $f (ref $binop))
    (local.set $f (call $pick (local.get $sub)))
    (call_ref $binop (i32.const 10) (i32.const 4) (local.get $f)))
  (func (export "tail") (param $f (ref $binop)) (result i32)
    (return_call_ref $binop (i32.const 5) (i32.const 5) (local.get $f))))"#;

#[test]
fn call_ref_calls_the_function_a_reference_names() {
    let instance = instantiate(PROGRAM);
    let sub = call(&instance, "pick", &[Value::I32(1)]).unwrap().remove(0);
    let add = call(&instance, "pick", &[Value::I32(0)]).unwrap().remove(0);
    let apply = |f: &Value| {
        call(
            &instance,
            "apply",
            &[f.clone(), Value::I32(9), Value::I32(4)],
        )
    };
    assert_eq!(apply(&sub).unwrap(), [Value::I32(5)]);
    assert_eq!(apply(&add).unwrap(), [Value::I32(13)]);
    assert_eq!(
        call(&instance, "tail", std::slice::from_ref(&sub)).unwrap(),
        [Value::I32(0)]
    );
    assert_eq!(
        call(&instance, "local", &[Value::I32(1)]).unwrap(),
        [Value::I32(6)]
    );
    // A null reference traps with the spec's message, a kind a program can match.
    let trap = apply(&Value::FuncRef(None)).unwrap_err();
    assert_eq!(trap_kind(&trap), Some(TrapKind::NullFunctionReference));
    assert!(
        trap.to_string().contains("null function reference"),
        "{trap}"
    );
}

#[test]
fn null_checks_branch_and_trap() {
    let instance = instantiate(PROGRAM);
    let sub = call(&instance, "pick", &[Value::I32(1)]).unwrap().remove(0);
    let null = Value::FuncRef(None);
    assert_eq!(
        call(&instance, "or_minus_one", std::slice::from_ref(&sub)).unwrap(),
        [Value::I32(5)]
    );
    assert_eq!(
        call(&instance, "or_minus_one", std::slice::from_ref(&null)).unwrap(),
        [Value::I32(-1)]
    );
    assert_eq!(
        call(&instance, "or_minus_two", std::slice::from_ref(&sub)).unwrap(),
        [Value::I32(5)]
    );
    assert_eq!(
        call(&instance, "or_minus_two", std::slice::from_ref(&null)).unwrap(),
        [Value::I32(-2)]
    );
    let back = call(&instance, "as_non_null", std::slice::from_ref(&sub)).unwrap();
    assert_eq!(back, [sub]);
    let trap = call(&instance, "as_non_null", &[null]).unwrap_err();
    assert_eq!(trap_kind(&trap), Some(TrapKind::NullReference));
}

#[test]
fn a_non_nullable_table_starts_with_its_initialiser() {
    let instance = instantiate(PROGRAM);
    let op = |at: i32| {
        call(
            &instance,
            "table_op",
            &[Value::I32(at), Value::I32(8), Value::I32(3)],
        )
    };
    assert_eq!(op(0).unwrap(), [Value::I32(11)]);
    assert_eq!(op(1).unwrap(), [Value::I32(11)]);
    call(&instance, "set_sub", &[Value::I32(1)]).unwrap();
    assert_eq!(op(1).unwrap(), [Value::I32(5)]);
    // The host cannot put a null into it either.
    let table = instance
        .export_by_name("ops")
        .and_then(|e| e.as_table().cloned())
        .expect("table export");
    assert_eq!(
        table.element_type(),
        RefType::new(false, HeapType::Concrete(0))
    );
    assert!(table.set_value(0, Value::FuncRef(None)).is_err());
    assert!(table.grow(1).is_err());
    assert_eq!(op(0).unwrap(), [Value::I32(11)]);
}

#[test]
fn a_host_function_of_another_type_is_caught_where_it_is_called() {
    // The host passes a function of type [] -> [] where a `(ref null $binop)` is
    // expected: the boundary knows only that it is a function, so `call_ref` checks.
    let instance = instantiate(PROGRAM);
    let other = instantiate(r#"(module (func (export "nop")))"#);
    let wrong = Value::FuncRef(Some(func(&other, "nop")));
    let trap = call(&instance, "apply", &[wrong, Value::I32(1), Value::I32(2)]).unwrap_err();
    assert_eq!(trap.code(), Some(TrapCode::UnexpectedSignature));
}

#[test]
fn modules_link_by_the_types_their_references_name_not_by_indices() {
    let exporter = instantiate(
        r#"(module
          (type $unary (func (param i32) (result i32)))
          (type $binary (func (param i32 i32) (result i32)))
          (func $id (type $unary) (local.get 0))
          (elem declare func $id)
          (table (export "t") 1 (ref null $unary))
          (global (export "g") (ref $unary) (ref.func $id))
          (func (export "f") (param (ref $binary))))"#,
    );
    let imports = ImportsBuilder::new().with_resolver("m", &exporter);
    // The same types at other indices link.
    let same = r#"(module
          (type $pad (func))
          (type $binary (func (param i32 i32) (result i32)))
          (type $unary (func (param i32) (result i32)))
          (import "m" "t" (table 1 (ref null $unary)))
          (import "m" "g" (global (ref null $unary)))
          (import "m" "f" (func (param (ref $binary)))))"#;
    instantiate_with(same, &imports).expect("structurally equal types link");
    // A table's element type must be the same type; a function type's parameters too.
    let wrong_table = r#"(module
          (type $binary (func (param i32 i32) (result i32)))
          (import "m" "t" (table 1 (ref null $binary))))"#;
    assert!(instantiate_with(wrong_table, &imports).is_err());
    let wrong_func = r#"(module
          (type $unary (func (param i32) (result i32)))
          (import "m" "f" (func (param (ref $unary)))))"#;
    assert!(instantiate_with(wrong_func, &imports).is_err());
    // An immutable global of a subtype matches (`(ref $unary)` is a `(ref null
    // $unary)` and a `funcref`); a non-nullable import of a nullable one does not.
    let funcref_global = r#"(module (import "m" "g" (global funcref)))"#;
    instantiate_with(funcref_global, &imports).expect("a subtype links");
    let non_null_table = r#"(module
          (type $unary (func (param i32) (result i32)))
          (import "m" "t" (table 1 (ref $unary))))"#;
    assert!(instantiate_with(non_null_table, &imports).is_err());
}

#[test]
fn validation_enforces_nullability_and_local_initialisation() {
    let invalid = [
        // A null where a non-nullable reference is expected.
        r#"(module (type $t (func))
             (func (result (ref $t)) (ref.null $t)))"#,
        // A non-nullable local read before it is set.
        r#"(module (type $t (func))
             (func (local (ref $t)) (drop (local.get 0))))"#,
        // Set inside a block only: the initialisation ends with the block.
        r#"(module (type $t (func)) (func $f (type $t)) (elem declare func $f)
             (func (local (ref $t))
               (block (local.set 0 (ref.func $f)))
               (drop (local.get 0))))"#,
        // A table of a non-nullable type needs an initialiser.
        r#"(module (type $t (func)) (table 1 (ref $t)))"#,
    ];
    for text in invalid {
        assert!(load(text).is_err(), "accepted: {text}");
    }
    // Without the proposal, its types are refused with a message naming it.
    let error = Module::from_buffer(r#"(module (type $t (func)) (func (param (ref $t))))"#)
        .expect_err("Wasm 2.0 has no typed references");
    assert!(error.to_string().contains("function-references"), "{error}");
}
