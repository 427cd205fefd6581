//! Tail calls (`return_call`, `return_call_indirect`): constant stack, host callees,
//! interruption.

use std::time::Duration;

use wasmite::{
    Config, Error, Externals, Features, FuncInstance, FuncRef, ImportsBuilder, Interrupted, Module,
    ModuleImportResolver, ModuleInstance, ModuleRef, NopExternals, OutOfFuel, RuntimeArgs,
    RuntimeValue, Signature, StackRecycler, Trap, TrapCode,
};

/// `is_even` and `is_odd` calling each other in tail position, directly and through a
/// table, and a tail call of an imported host function.
const MUTUAL: &str = r#"(module
  (import "host" "double" (func $double (param i64) (result i64)))
  (type $step (func (param i64) (result i32)))
  (table 2 funcref)
  (elem (i32.const 0) $is_even_indirect $is_odd_indirect)
  (func $is_even (export "is_even") (param $n i64) (result i32)
    (if (result i32) (i64.eqz (local.get $n))
      (then (i32.const 1))
      (else (return_call $is_odd (i64.sub (local.get $n) (i64.const 1))))))
  (func $is_odd (param $n i64) (result i32)
    (if (result i32) (i64.eqz (local.get $n))
      (then (i32.const 0))
      (else (return_call $is_even (i64.sub (local.get $n) (i64.const 1))))))
  (func $is_even_indirect (export "is_even_indirect") (param $n i64) (result i32)
    (if (result i32) (i64.eqz (local.get $n))
      (then (i32.const 1))
      (else (return_call_indirect (type $step)
        (i64.sub (local.get $n) (i64.const 1)) (i32.const 1)))))
  (func $is_odd_indirect (param $n i64) (result i32)
    (if (result i32) (i64.eqz (local.get $n))
      (then (i32.const 0))
      (else (return_call_indirect (type $step)
        (i64.sub (local.get $n) (i64.const 1)) (i32.const 0)))))
  (func (export "double_plus_one") (param $n i64) (result i64)
    (local $unused i64)
    (return_call $double (i64.add (local.get $n) (i64.const 1))))
  (func $spin (export "spin") (param $n i64) (result i32)
    (return_call $spin (i64.add (local.get $n) (i64.const 1)))))"#;

const DOUBLE: usize = 0;

struct Host;

impl Externals for Host {
    fn invoke_index(
        &mut self,
        index: usize,
        args: RuntimeArgs<'_>,
    ) -> Result<Option<RuntimeValue>, Trap> {
        assert_eq!(index, DOUBLE);
        let n: i64 = args.nth_checked(0)?;
        Ok(Some(RuntimeValue::I64(2 * n)))
    }
}

struct Resolver;

impl ModuleImportResolver for Resolver {
    fn resolve_func(&self, name: &str, signature: &Signature) -> Result<FuncRef, Error> {
        assert_eq!(name, "double");
        Ok(FuncInstance::alloc_host(signature.clone(), DOUBLE))
    }
}

fn tail_call_config() -> Config {
    Config::new().features(Features {
        tail_call: true,
        ..Features::wasm2()
    })
}

fn instance(config: &Config) -> ModuleRef {
    let module = Module::from_buffer_with_config(wat::parse_str(MUTUAL).unwrap(), config).unwrap();
    ModuleInstance::new(
        &module,
        &ImportsBuilder::new().with_resolver("host", &Resolver),
    )
    .unwrap()
    .assert_no_start()
}

#[test]
fn tail_calls_are_refused_unless_the_feature_is_on() {
    let error = Module::from_buffer(wat::parse_str(MUTUAL).unwrap()).unwrap_err();
    assert!(error.to_string().contains("tail"), "{error}");
}

#[test]
fn ten_million_mutual_tail_calls_run_in_constant_stack() {
    let instance = instance(&tail_call_config());
    // A call stack of 8 frames and 64 values: a call that grew either would trap.
    let mut small = StackRecycler::with_limits(64, 8);
    for (export, n, even) in [
        ("is_even", 10_000_000, 1),
        ("is_even", 10_000_001, 0),
        ("is_even_indirect", 1_000_001, 0),
        ("is_even_indirect", 1_000_000, 1),
    ] {
        let result = instance
            .invoke_export_with_stack(export, &[RuntimeValue::I64(n)], &mut Host, &mut small)
            .unwrap();
        assert_eq!(result, Some(RuntimeValue::I32(even)), "{export}({n})");
    }
    // The same limits stop ordinary recursion of that depth at once.
    let recursive = Module::from_buffer(
        wat::parse_str(
            r#"(module (func $down (export "down") (param i64) (result i64)
                 (if (result i64) (i64.eqz (local.get 0)) (then (i64.const 0))
                   (else (call $down (i64.sub (local.get 0) (i64.const 1)))))))"#,
        )
        .unwrap(),
    )
    .unwrap();
    let recursive = ModuleInstance::new(&recursive, &ImportsBuilder::default())
        .unwrap()
        .assert_no_start();
    let error = recursive
        .invoke_export_with_stack("down", &[RuntimeValue::I64(100)], &mut Host, &mut small)
        .unwrap_err();
    assert_eq!(
        error.as_trap().and_then(Trap::code),
        Some(TrapCode::StackOverflow)
    );
}

#[test]
fn a_tail_call_of_a_host_function_returns_its_result() {
    let instance = instance(&tail_call_config());
    let result = instance
        .invoke_export("double_plus_one", &[RuntimeValue::I64(20)], &mut Host)
        .unwrap();
    assert_eq!(result, Some(RuntimeValue::I64(42)));
}

#[test]
fn a_tail_call_of_a_table_entry_of_another_type_traps() {
    let module = Module::from_buffer_with_config(
        wat::parse_str(
            r#"(module
              (type $to_i32 (func (result i32)))
              (func $i64 (result i64) (i64.const 1))
              (table funcref (elem $i64))
              (func (export "wrong") (result i32)
                (return_call_indirect (type $to_i32) (i32.const 0))))"#,
        )
        .unwrap(),
        &tail_call_config(),
    )
    .unwrap();
    let instance = ModuleInstance::new(&module, &ImportsBuilder::default())
        .unwrap()
        .assert_no_start();
    let error = instance
        .invoke_export("wrong", &[], &mut NopExternals)
        .unwrap_err();
    assert_eq!(
        error.as_trap().and_then(Trap::code),
        Some(TrapCode::UnexpectedSignature)
    );
}

#[test]
fn an_endless_loop_of_tail_calls_stops_at_an_interrupt() {
    let instance = instance(&tail_call_config().interruptible(true));
    let handle = instance.interrupt_handle();
    let interrupter = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(50));
        handle.interrupt();
    });
    let error = instance
        .invoke_export("spin", &[RuntimeValue::I64(0)], &mut Host)
        .unwrap_err();
    interrupter.join().unwrap();
    let trap = error.as_trap().expect("a trap");
    assert!(
        trap.as_host()
            .is_some_and(|e| e.downcast_ref::<Interrupted>().is_some()),
        "{trap:?}"
    );
}

#[test]
fn an_endless_loop_of_tail_calls_runs_out_of_fuel() {
    let instance = instance(&tail_call_config().consume_fuel(true));
    instance.set_fuel(10_000);
    let error = instance
        .invoke_export("spin", &[RuntimeValue::I64(0)], &mut Host)
        .unwrap_err();
    let trap = error.as_trap().expect("a trap");
    assert!(
        trap.as_host()
            .is_some_and(|e| e.downcast_ref::<OutOfFuel>().is_some()),
        "{trap:?}"
    );
}

/// A function reached by tail calls that leaves its instruction to the engine
/// (`memory.grow`) and goes on: the engine resumes it, not the function whose frame it
/// replaced (in optimised builds the dispatch makes these tail calls itself).
#[test]
fn a_tail_called_function_resumes_after_the_engine_ran_its_instruction() {
    let text = r#"(module
      (memory 1)
      (type $step (func (param i32 i32) (result i32)))
      (table 1 funcref)
      (elem (i32.const 0) $grow_then_add)
      (func $grow_then_add (param $a i32) (param $b i32) (result i32)
        (drop (memory.grow (i32.const 0)))
        (i32.add (i32.mul (local.get $a) (i32.const 10)) (local.get $b)))
      (func $direct (param $a i32) (result i32)
        (local $spare i64)
        (return_call $grow_then_add (local.get $a) (i32.const 7)))
      (func $indirect (param $a i32) (result i32)
        (return_call_indirect (type $step) (local.get $a) (i32.const 8) (i32.const 0)))
      (func (export "direct") (param i32) (result i32) (call $direct (local.get 0)))
      (func (export "indirect") (param i32) (result i32) (call $indirect (local.get 0))))"#;
    let module =
        Module::from_buffer_with_config(wat::parse_str(text).unwrap(), &tail_call_config())
            .unwrap();
    let instance = ModuleInstance::new(&module, &ImportsBuilder::default())
        .unwrap()
        .assert_no_start();
    for _ in 0..3 {
        let direct = instance.invoke_export("direct", &[RuntimeValue::I32(4)], &mut NopExternals);
        assert_eq!(direct.unwrap(), Some(RuntimeValue::I32(47)));
        let indirect =
            instance.invoke_export("indirect", &[RuntimeValue::I32(5)], &mut NopExternals);
        assert_eq!(indirect.unwrap(), Some(RuntimeValue::I32(58)));
    }
}
