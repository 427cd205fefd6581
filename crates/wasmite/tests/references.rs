//! Wasm 2.0 values through the API: `externref` and `funcref` in calls, tables and
//! globals; several results; host functions with references; and what the seed's types
//! keep.

use std::cell::Cell;
use std::rc::Rc;
use wasmite::{
    ExternRef, ExternVal, Externals, FuncInstance, FuncRef, GlobalInstance, ImportsBuilder, Module,
    ModuleImportResolver, ModuleInstance, ModuleRef, NopExternals, RefType, RuntimeArgs,
    RuntimeValue, Signature, TableInstance, Trap, TrapCode, ValType, Value, ValueType,
};

mod common;
use common::{call_with, func};

fn instantiate(text: &str) -> ModuleRef {
    let module = Module::from_buffer(text).expect("module loads");
    ModuleInstance::new(&module, &ImportsBuilder::default())
        .expect("module instantiates")
        .assert_no_start()
}

/// Calls export `name` with `args`; returns its results.
fn call(instance: &ModuleRef, name: &str, args: &[Value]) -> Result<Vec<Value>, Trap> {
    call_with(instance, name, args, &mut NopExternals)
}

#[test]
fn an_externref_goes_in_and_comes_back_as_the_same_object() {
    let instance = instantiate(
        r#"(module
          (func (export "id") (param externref) (result externref) local.get 0)
          (func (export "is_null") (param externref) (result i32) local.get 0 ref.is_null))"#,
    );
    let file = ExternRef::new(String::from("a host file"));
    let results = call(&instance, "id", &[file.clone().into()]).unwrap();
    let Value::ExternRef(Some(back)) = &results[0] else {
        panic!("expected a non-null externref, got {results:?}");
    };
    assert!(back.ptr_eq(&file));
    assert_eq!(back.downcast_ref::<String>().unwrap(), "a host file");
    assert_eq!(
        call(&instance, "is_null", &[Value::ExternRef(None)]).unwrap(),
        [Value::I32(1)]
    );
    assert_eq!(
        call(&instance, "is_null", &[file.into()]).unwrap(),
        [Value::I32(0)]
    );
    // Arguments of the wrong type trap, as with numbers.
    let wrong = call(&instance, "id", &[Value::FuncRef(None)]);
    assert!(matches!(
        wrong,
        Err(Trap::Code(TrapCode::UnexpectedSignature))
    ));
}

#[test]
fn tables_of_both_reference_types_are_shared_with_the_host() {
    let instance = instantiate(
        r#"(module
          (table $e (export "externs") 2 externref)
          (table $f (export "funcs") 2 funcref)
          (func $seven (result i32) i32.const 7)
          (elem declare func $seven)
          (func (export "get") (param i32) (result externref) (table.get $e (local.get 0)))
          (func (export "set") (param i32 externref) (table.set $e (local.get 0) (local.get 1)))
          (func (export "put_seven") (table.set $f (i32.const 0) (ref.func $seven)))
          (func (export "call") (param i32) (result i32)
            (call_indirect $f (result i32) (local.get 0))))"#,
    );
    let externs = instance
        .export_by_name("externs")
        .and_then(|e| e.as_table().cloned())
        .unwrap();
    assert_eq!(externs.element_type(), RefType::EXTERNREF);
    let token = ExternRef::new(42u64);
    externs.set_value(1, token.clone().into()).unwrap();
    assert_eq!(
        call(&instance, "get", &[Value::I32(1)]).unwrap(),
        [Value::from(token.clone())]
    );
    call(&instance, "set", &[Value::I32(0), token.clone().into()]).unwrap();
    assert_eq!(externs.get_value(0).unwrap(), Value::from(token));
    // The seed's funcref accessors refuse an externref table; a value of the wrong type
    // is refused too.
    assert!(externs.get(0).is_err());
    assert!(externs.set_value(0, Value::FuncRef(None)).is_err());

    // A function reference made in Wasm comes out callable; a host function put in
    // comes in callable.
    let funcs = instance
        .export_by_name("funcs")
        .and_then(|e| e.as_table().cloned())
        .unwrap();
    call(&instance, "put_seven", &[]).unwrap();
    let seven = funcs.get(0).unwrap().expect("set by put_seven");
    assert_eq!(
        FuncInstance::invoke(&seven, &[], &mut NopExternals).unwrap(),
        Some(RuntimeValue::I32(7))
    );
    let host = FuncInstance::alloc_host(Signature::new(&[][..], Some(ValueType::I32)), 0);
    funcs.set(1, Some(host)).unwrap();
    assert_eq!(
        FuncInstance::invoke(&func(&instance, "call"), &[1.into()], &mut Answer).unwrap(),
        Some(RuntimeValue::I32(41))
    );
}

/// Host function 0: `() -> i32` answering 41.
struct Answer;

impl Externals for Answer {
    fn invoke_index(&mut self, _: usize, _: RuntimeArgs<'_>) -> Result<Option<RuntimeValue>, Trap> {
        Ok(Some(RuntimeValue::I32(41)))
    }
}

#[test]
fn reference_globals_can_be_read_and_written_from_both_sides() {
    let instance = instantiate(
        r#"(module
          (global $g (export "g") (mut externref) (ref.null extern))
          (global (export "f") funcref (ref.func $f))
          (func $f)
          (func (export "store") (param externref) (global.set $g (local.get 0)))
          (func (export "load") (result externref) (global.get $g)))"#,
    );
    let global = instance
        .export_by_name("g")
        .and_then(|e| e.as_global().cloned())
        .unwrap();
    assert_eq!(global.val_type(), ValType::EXTERNREF);
    assert_eq!(global.get_value(), Value::ExternRef(None));
    let token = ExternRef::new("token");
    call(&instance, "store", &[token.clone().into()]).unwrap();
    assert_eq!(global.get_value(), Value::from(token));
    let other = ExternRef::new("other");
    global.set_value(other.clone().into()).unwrap();
    assert_eq!(call(&instance, "load", &[]).unwrap(), [Value::from(other)]);
    let f = instance
        .export_by_name("f")
        .and_then(|e| e.as_global().cloned())
        .unwrap();
    assert!(matches!(f.get_value(), Value::FuncRef(Some(_))));
    assert!(f.set_value(Value::FuncRef(None)).is_err(), "immutable");
    // A host global of reference type links to an import of that type only.
    let imported = Module::from_buffer(
        r#"(module (import "env" "g" (global externref))
             (func (export "read") (result externref) global.get 0))"#,
    )
    .unwrap();
    struct Env(wasmite::GlobalRef);
    impl ModuleImportResolver for Env {
        fn resolve_global(
            &self,
            _: &str,
            _: &wasmite::GlobalDescriptor,
        ) -> Result<wasmite::GlobalRef, wasmite::Error> {
            Ok(self.0.clone())
        }
    }
    let held = ExternRef::new(5u8);
    let env = Env(GlobalInstance::alloc_value(held.clone().into(), false));
    let linked = ModuleInstance::new(&imported, &ImportsBuilder::new().with_resolver("env", &env))
        .unwrap()
        .assert_no_start();
    assert_eq!(call(&linked, "read", &[]).unwrap(), [Value::from(held)]);
    let numeric = Env(GlobalInstance::alloc(RuntimeValue::I32(0), false));
    assert!(
        ModuleInstance::new(
            &imported,
            &ImportsBuilder::new().with_resolver("env", &numeric)
        )
        .is_err()
    );
}

#[test]
fn functions_return_several_results() {
    let instance = instantiate(
        r#"(module (func (export "swap") (param i32 i64) (result i64 i32)
             local.get 1 local.get 0))"#,
    );
    assert_eq!(
        call(&instance, "swap", &[Value::I32(1), Value::I64(2)]).unwrap(),
        [Value::I64(2), Value::I32(1)]
    );
    let mut results = [RuntimeValue::I32(0); 2];
    FuncInstance::invoke_into(
        &func(&instance, "swap"),
        &[RuntimeValue::I32(3), RuntimeValue::I64(4)],
        &mut results,
        &mut NopExternals,
    )
    .unwrap();
    assert_eq!(results, [RuntimeValue::I64(4), RuntimeValue::I32(3)]);
}

/// Host functions over references: 0 = `wrap(i32) -> externref`, 1 =
/// `unwrap(externref) -> i32` (-1 for null), 2 = `pair() -> (i32, i32)`.
struct Boxes;

impl Externals for Boxes {
    fn invoke_index(&mut self, _: usize, _: RuntimeArgs<'_>) -> Result<Option<RuntimeValue>, Trap> {
        Err(Trap::Code(TrapCode::Unreachable))
    }

    fn invoke_values(
        &mut self,
        index: usize,
        args: &[Value],
        results: &mut [Value],
    ) -> Result<(), Trap> {
        match (index, args) {
            (0, [Value::I32(n)]) => results[0] = ExternRef::new(*n).into(),
            (1, [Value::ExternRef(r)]) => {
                let n = r.as_ref().and_then(|r| r.downcast_ref::<i32>().copied());
                results[0] = Value::I32(n.unwrap_or(-1));
            }
            (2, []) => {
                results[0] = Value::I32(1);
                results[1] = Value::I32(2);
            }
            _ => return Err(Trap::Code(TrapCode::UnexpectedSignature)),
        }
        Ok(())
    }
}

impl ModuleImportResolver for Boxes {
    fn resolve_func(&self, field: &str, signature: &Signature) -> Result<FuncRef, wasmite::Error> {
        let index = ["wrap", "unwrap", "pair"]
            .iter()
            .position(|&name| name == field)
            .ok_or_else(|| wasmite::Error::Instantiation(format!("no {field}")))?;
        Ok(FuncInstance::alloc_host(signature.clone(), index))
    }
}

#[test]
fn host_functions_take_and_give_references_and_several_results() {
    let module = Module::from_buffer(
        r#"(module
          (import "host" "wrap" (func $wrap (param i32) (result externref)))
          (import "host" "unwrap" (func $unwrap (param externref) (result i32)))
          (import "host" "pair" (func $pair (result i32 i32)))
          (func (export "round_trip") (param i32) (result i32)
            (call $unwrap (call $wrap (local.get 0))))
          (func (export "unwrap_null") (result i32) (call $unwrap (ref.null extern)))
          (func (export "sum_pair") (result i32) (call $pair) i32.add))"#,
    )
    .unwrap();
    let instance = ModuleInstance::new(
        &module,
        &ImportsBuilder::new().with_resolver("host", &Boxes),
    )
    .unwrap()
    .assert_no_start();
    let run = |name: &str, args: &[RuntimeValue]| {
        FuncInstance::invoke(&func(&instance, name), args, &mut Boxes).unwrap()
    };
    assert_eq!(run("round_trip", &[77.into()]), Some(RuntimeValue::I32(77)));
    assert_eq!(run("unwrap_null", &[]), Some(RuntimeValue::I32(-1)));
    assert_eq!(run("sum_pair", &[]), Some(RuntimeValue::I32(3)));
}

#[test]
fn code_cannot_forge_a_reference_and_objects_are_released_after_the_call() {
    // No operator turns a number into a reference: such code does not validate.
    for forged in [
        "(module (func (param i32) (result externref) local.get 0))",
        "(module (func (param externref) (result i32) local.get 0))",
        "(module (func (param externref i32) (result i32) local.get 0 local.get 1 i32.add))",
        "(module (func (param externref externref) (result externref)
           local.get 0 local.get 1 i32.const 1 select))",
    ] {
        assert!(Module::from_buffer(forged).is_err(), "{forged}");
    }

    // An object handed to Wasm lives as long as something holds it, and no longer.
    struct Flag(Rc<Cell<bool>>);
    impl Drop for Flag {
        fn drop(&mut self) {
            self.0.set(true);
        }
    }
    let instance = instantiate(
        r#"(module
          (global $g (mut externref) (ref.null extern))
          (table $t 1 externref)
          (func (export "keep") (param externref)
            (global.set $g (local.get 0))
            (table.set $t (i32.const 0) (global.get $g)))
          (func (export "forget")
            (global.set $g (ref.null extern))
            (table.set $t (i32.const 0) (ref.null extern))))"#,
    );
    let dropped = Rc::new(Cell::new(false));
    let object = ExternRef::new(Flag(dropped.clone()));
    call(&instance, "keep", &[object.into()]).unwrap();
    assert!(!dropped.get(), "the global and the table hold it");
    call(&instance, "forget", &[]).unwrap();
    assert!(dropped.get(), "released once nothing holds it");
}

/// A host function, `again(externref) -> externref`, that calls back into Wasm: export
/// `echo` of the same instance, with its argument.
struct Again(Option<FuncRef>);

impl Externals for Again {
    fn invoke_index(&mut self, _: usize, _: RuntimeArgs<'_>) -> Result<Option<RuntimeValue>, Trap> {
        Err(Trap::Code(TrapCode::Unreachable))
    }

    fn invoke_values(
        &mut self,
        _: usize,
        args: &[Value],
        results: &mut [Value],
    ) -> Result<(), Trap> {
        let echo = self.0.clone().expect("echo is set");
        FuncInstance::invoke_values(&echo, args, results, self)
    }
}

impl ModuleImportResolver for Again {
    fn resolve_func(&self, _: &str, signature: &Signature) -> Result<FuncRef, wasmite::Error> {
        Ok(FuncInstance::alloc_host(signature.clone(), 0))
    }
}

#[test]
fn references_cross_a_host_call_back_into_wasm_as_themselves() {
    let module = Module::from_buffer(
        r#"(module
          (import "host" "again" (func $again (param externref) (result externref)))
          (table $t 2 externref)
          (func (export "echo") (param externref) (result externref)
            ;; The inner execution gives handles of its own, to the argument first.
            (table.set $t (i32.const 1) (local.get 0))
            (table.get $t (i32.const 1)))
          (func (export "outer") (param externref externref)
            (result externref externref externref)
            (table.set $t (i32.const 0) (local.get 0))
            (local.get 0)
            (local.get 1)
            (call $again (local.get 1))))"#,
    )
    .unwrap();
    let mut host = Again(None);
    let instance =
        ModuleInstance::new(&module, &ImportsBuilder::new().with_resolver("host", &host))
            .unwrap()
            .assert_no_start();
    host.0 = Some(func(&instance, "echo"));
    let dropped = Rc::new(Cell::new(0));
    struct Counted(Rc<Cell<u32>>);
    impl Drop for Counted {
        fn drop(&mut self) {
            self.0.set(self.0.get() + 1);
        }
    }
    let a = ExternRef::new(Counted(dropped.clone()));
    let b = ExternRef::new(Counted(dropped.clone()));
    let mut results = vec![Value::ExternRef(None); 3];
    FuncInstance::invoke_values(
        &func(&instance, "outer"),
        &[a.clone().into(), b.clone().into()],
        &mut results,
        &mut host,
    )
    .unwrap();
    let same = |value: &Value, object: &ExternRef| match value {
        Value::ExternRef(Some(r)) => r.ptr_eq(object),
        _ => false,
    };
    assert!(same(&results[0], &a), "{results:?}");
    assert!(same(&results[1], &b), "{results:?}");
    assert!(
        same(&results[2], &b),
        "the inner call's result is the object it was given"
    );
    drop((results, a, b));
    assert_eq!(dropped.get(), 0, "the table still holds both");
    drop((instance, host));
    assert_eq!(dropped.get(), 2, "nothing else kept them alive");
}

#[test]
fn the_seeds_types_keep_their_variants() {
    // Exhaustive matches, as seed programs write them, still compile.
    fn seed_value(v: RuntimeValue) -> u8 {
        match v {
            RuntimeValue::I32(_) => 0,
            RuntimeValue::I64(_) => 1,
            RuntimeValue::F32(_) => 2,
            RuntimeValue::F64(_) => 3,
        }
    }
    fn seed_type(t: ValueType) -> u8 {
        match t {
            ValueType::I32 => 0,
            ValueType::I64 => 1,
            ValueType::F32 => 2,
            ValueType::F64 => 3,
        }
    }
    fn seed_code(c: TrapCode) -> u8 {
        match c {
            TrapCode::Unreachable
            | TrapCode::MemoryAccessOutOfBounds
            | TrapCode::TableAccessOutOfBounds
            | TrapCode::ElemUninitialized
            | TrapCode::DivisionByZero
            | TrapCode::IntegerOverflow
            | TrapCode::InvalidConversionToInt
            | TrapCode::StackOverflow
            | TrapCode::UnexpectedSignature => 0,
        }
    }
    assert_eq!(seed_value(RuntimeValue::F64(1.0.into())), 3);
    assert_eq!(seed_type(ValueType::I64), 1);
    assert_eq!(seed_code(TrapCode::StackOverflow), 0);
    // A signature with references has no seed view; its full types say what it is.
    let sig = Signature::from_types(
        vec![ValType::EXTERNREF, ValType::I32],
        vec![ValType::FUNCREF],
    );
    assert!(sig.params().is_empty() && sig.return_type().is_none());
    assert_eq!(sig.param_types(), [ValType::EXTERNREF, ValType::I32]);
    let numeric = Signature::new(&[ValueType::I32][..], Some(ValueType::I64));
    assert_eq!(numeric.param_types(), [ValType::I32]);
    assert_eq!(numeric.result_types(), [ValType::I64]);
    // An externref table from the host.
    let table = TableInstance::alloc_typed(RefType::EXTERNREF, 1, Some(2)).unwrap();
    assert_eq!(table.get_value(0).unwrap(), Value::ExternRef(None));
    let _ = ExternVal::Table(table);
}

#[test]
fn call_indirect_sees_a_table_entry_changed_in_the_same_frame() {
    // The threaded driver remembers resolved `call_indirect` targets; a table
    // instruction in between must make it look again.
    let instance = instantiate(
        r#"(module
          (table $t 2 funcref)
          (func $one (result i32) i32.const 1)
          (func $two (result i32) i32.const 2)
          (elem (table $t) (i32.const 0) func $one $one)
          (elem declare func $two)
          (func (export "run") (result i32)
            (local $sum i32) (local $i i32)
            (loop $again
              (local.set $sum (i32.add (local.get $sum) (call_indirect $t (result i32) (i32.const 0))))
              (table.set $t (i32.const 0) (ref.func $two))
              (local.set $sum (i32.add (local.get $sum) (call_indirect $t (result i32) (i32.const 0))))
              (table.fill $t (i32.const 0) (ref.func $one) (i32.const 1))
              (local.set $sum (i32.add (local.get $sum) (call_indirect $t (result i32) (i32.const 0))))
              (table.copy $t $t (i32.const 0) (i32.const 1) (i32.const 1))
              (table.grow $t (ref.func $two) (i32.const 1)) drop
              (local.set $i (i32.add (local.get $i) (i32.const 1)))
              (br_if $again (i32.lt_u (local.get $i) (i32.const 3))))
            (local.get $sum)))"#,
    );
    // Each round: 1 (one) + 2 (two) + 1 (one again).
    assert_eq!(call(&instance, "run", &[]).unwrap(), [Value::I32(12)]);
}

#[test]
fn a_failed_instantiation_is_kept_only_if_it_wrote_into_an_imported_table() {
    // The instance copies the object from its imported global into a global of its own,
    // so the object lives exactly as long as the instance.
    struct Flag(Rc<Cell<bool>>);
    impl Drop for Flag {
        fn drop(&mut self) {
            self.0.set(true);
        }
    }
    struct Env(wasmite::TableRef, wasmite::GlobalRef);
    impl ModuleImportResolver for Env {
        fn resolve_table(
            &self,
            _: &str,
            _: &wasmite::TableDescriptor,
        ) -> Result<wasmite::TableRef, wasmite::Error> {
            Ok(self.0.clone())
        }
        fn resolve_global(
            &self,
            _: &str,
            _: &wasmite::GlobalDescriptor,
        ) -> Result<wasmite::GlobalRef, wasmite::Error> {
            Ok(self.1.clone())
        }
    }
    let attempt = |segments: &str| {
        let dropped = Rc::new(Cell::new(false));
        let table = TableInstance::alloc(2, None).unwrap();
        let object = ExternRef::new(Flag(dropped.clone()));
        let env = Env(
            table.clone(),
            GlobalInstance::alloc_value(object.into(), false),
        );
        let module = Module::from_buffer(format!(
            r#"(module
              (import "env" "t" (table 2 funcref))
              (import "env" "g" (global externref))
              (global externref (global.get 0))
              (memory 1)
              (func $nine (result i32) i32.const 9)
              {segments})"#
        ))
        .unwrap();
        let result =
            ModuleInstance::new(&module, &ImportsBuilder::new().with_resolver("env", &env));
        assert!(matches!(result, Err(wasmite::Error::Trap(_))), "{result:?}");
        drop(env);
        (dropped.get(), table)
    };
    // Nothing written: the failed instance is freed.
    let (freed, _) = attempt("(elem (i32.const 5) func $nine)");
    assert!(freed);
    let (freed, _) = attempt("(data (i32.const 70000) \"x\")");
    assert!(freed);
    // A function written, then a trap: the table keeps the instance, and the function
    // stays callable, as the specification says.
    let (freed, table) = attempt("(elem (i32.const 1) func $nine) (data (i32.const 70000) \"x\")");
    assert!(!freed);
    let nine = table.get(1).unwrap().expect("written before the trap");
    assert_eq!(
        FuncInstance::invoke(&nine, &[], &mut NopExternals).unwrap(),
        Some(RuntimeValue::I32(9))
    );
}

#[test]
fn a_reference_dropped_by_a_table_instruction_may_look_at_the_table() {
    // The last holder of an object is a table entry that a table instruction replaces;
    // the object's `Drop` reads the table (as host code may): nothing is borrowed then.
    struct Peek(wasmite::TableRef, Rc<Cell<Option<u32>>>);
    impl Drop for Peek {
        fn drop(&mut self) {
            self.1.set(Some(self.0.current_size()));
            let _ = self.0.get_value(0);
        }
    }
    let instance = instantiate(
        r#"(module
          (table $t (export "t") 2 externref)
          (func (export "fill") (table.fill $t (i32.const 0) (ref.null extern) (i32.const 2)))
          (func (export "copy") (table.copy $t $t (i32.const 0) (i32.const 1) (i32.const 1))))"#,
    );
    let table = instance
        .export_by_name("t")
        .and_then(|e| e.as_table().cloned())
        .unwrap();
    for op in ["fill", "copy"] {
        let seen = Rc::new(Cell::new(None));
        table
            .set_value(0, ExternRef::new(Peek(table.clone(), seen.clone())).into())
            .unwrap();
        call(&instance, op, &[]).unwrap();
        assert_eq!(
            seen.get(),
            Some(2),
            "{op}: dropped, and could read the table"
        );
    }
}
