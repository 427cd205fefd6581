//! The engine end to end on small programs: translation (laziness of locals and
//! constants, the `local.set` peephole, fused branches, immediates, branch copies) and
//! every kind of handler, each checked against a result computed independently.
//!
//! Small enough to run under Miri, which checks the dispatch loop's unchecked slot and
//! instruction access: `cargo +nightly miri test -p wasm-exec --test engine`.

use std::rc::Rc;
use std::sync::Arc;
use wasm_core::{RuntimeValue, Trap, TrapCode, ValueType};
use wasm_exec::{CompileError, ExecEngine, Metering, Translation};
use wasm_runtime::{
    Externals, FuncInstance, FuncRef, ImportsBuilder, LoadedModule, ModuleImportResolver,
    ModuleInstance, ModuleRef, RuntimeArgs, StackRecycler,
};

/// Instantiates a module translated eagerly: a translation error fails the test at
/// load time (lazy translation is tested by the tests that say so).
fn instantiate(wat: &str) -> ModuleRef {
    instantiate_with(wat, Translation::Eager).expect("test module is valid and translates")
}

fn instantiate_with(wat: &str, translation: Translation) -> Result<ModuleRef, CompileError> {
    let bytes = wat::parse_str(wat).expect("test module parses");
    let features = wasm_validate::Features {
        tail_call: true,
        multi_memory: true,
        ..wasm_validate::Features::wasm2()
    };
    let module = wasm_core::decode_with(&bytes, features.decoding());
    let module = Arc::new(module.expect("test module decodes"));
    let engine = ExecEngine::new();
    let code = engine.load(&module, &features, translation, Metering::default())?;
    let loaded = LoadedModule::new(module, Rc::new(engine), code);
    Ok(
        ModuleInstance::new(&loaded, &ImportsBuilder::new().with_resolver("env", &Env))
            .expect("test module instantiates")
            .assert_no_start(),
    )
}

fn call(instance: &ModuleRef, name: &str, args: &[RuntimeValue]) -> Result<RuntimeValue, Trap> {
    match instance.invoke_export(name, args, &mut Host::default()) {
        Ok(result) => Ok(result.expect("the function returns a value")),
        Err(wasm_runtime::Error::Trap(trap)) => Err(trap),
        Err(other) => panic!("{name}: {other}"),
    }
}

fn i32s(instance: &ModuleRef, name: &str, args: &[i32]) -> i32 {
    let args: Vec<_> = args.iter().map(|a| RuntimeValue::I32(*a)).collect();
    match call(instance, name, &args) {
        Ok(RuntimeValue::I32(v)) => v,
        other => panic!("{name}: expected an i32, got {other:?}"),
    }
}

/// The value `name` returns for the i32 arguments `args`, or its trap code (a trap
/// that is not a code fails the test).
fn outcome(instance: &ModuleRef, name: &str, args: &[i32]) -> Result<RuntimeValue, TrapCode> {
    let args: Vec<_> = args.iter().map(|a| RuntimeValue::I32(*a)).collect();
    match call(instance, name, &args) {
        Ok(value) => Ok(value),
        Err(Trap::Code(code)) => Err(code),
        Err(other) => panic!("{name}: {other:?}"),
    }
}

fn trap_code(instance: &ModuleRef, name: &str, args: &[i32]) -> Option<TrapCode> {
    let args: Vec<_> = args.iter().map(|a| RuntimeValue::I32(*a)).collect();
    match call(instance, name, &args) {
        Err(Trap::Code(code)) => Some(code),
        _ => None,
    }
}

/// The translation of every function of `wat` (a module without imported functions),
/// as the disassembler prints it.
fn listings(wat: &str) -> Vec<String> {
    let module = wasm_core::decode(&wat::parse_str(wat).unwrap()).unwrap();
    (0..module.bodies.len() as u32)
        .map(|f| wasm_exec::translate(&module, f).unwrap().disassemble())
        .collect()
}

/// Imports `env.add(i32, i32) -> i32` (host function 0).
struct Env;

impl ModuleImportResolver for Env {
    fn resolve_func(
        &self,
        field_name: &str,
        signature: &wasm_core::Signature,
    ) -> Result<FuncRef, wasm_runtime::Error> {
        HostFunc("add").resolve_func(field_name, signature)
    }

    fn resolve_global(
        &self,
        field_name: &str,
        _descriptor: &wasm_runtime::GlobalDescriptor,
    ) -> Result<wasm_runtime::GlobalRef, wasm_runtime::Error> {
        assert_eq!(field_name, "base");
        Ok(wasm_runtime::GlobalInstance::alloc(
            RuntimeValue::I32(1000),
            false,
        ))
    }
}

#[derive(Default)]
struct Host {
    calls: u32,
}

impl Externals for Host {
    fn invoke_index(
        &mut self,
        index: usize,
        args: RuntimeArgs<'_>,
    ) -> Result<Option<RuntimeValue>, Trap> {
        assert_eq!(index, 0);
        self.calls += 1;
        let a: i32 = args.nth_checked(0)?;
        let b: i32 = args.nth_checked(1)?;
        Ok(Some(RuntimeValue::I32(a.wrapping_add(b))))
    }
}

#[test]
fn loops_with_fused_branches_and_immediates() {
    let m = instantiate(
        r#"(module
          (func (export "sum") (param $n i32) (result i32)
            (local $i i32) (local $s i32)
            (block $done
              (loop $next
                (br_if $done (i32.ge_s (local.get $i) (local.get $n)))
                (local.set $s (i32.add (local.get $s) (local.get $i)))
                (local.set $i (i32.add (local.get $i) (i32.const 1)))
                (br $next)))
            (local.get $s))
          (func (export "fib") (param $n i32) (result i32)
            (if (result i32) (i32.lt_u (local.get $n) (i32.const 2))
              (then (local.get $n))
              (else (i32.add (call 1 (i32.sub (local.get $n) (i32.const 1)))
                             (call 1 (i32.sub (local.get $n) (i32.const 2))))))))"#,
    );
    for n in [0, 1, 7, 50] {
        assert_eq!(i32s(&m, "sum", &[n]), n * (n - 1) / 2 * i32::from(n > 0));
    }
    assert_eq!(i32s(&m, "fib", &[15]), 610);
}

#[test]
fn a_local_written_while_its_old_value_is_on_the_stack() {
    // The first `local.get 0` is read lazily; `local.set 0` must not change it.
    let m = instantiate(
        r#"(module
          (func (export "f") (param i32) (result i32)
            (local.get 0)
            (local.set 0 (i32.add (local.get 0) (i32.const 10)))
            (local.get 0)
            (i32.sub))
          (func (export "tee") (param i32) (result i32)
            (local.get 0)
            (local.tee 0 (i32.mul (local.get 0) (i32.const 3)))
            (i32.sub)))"#,
    );
    assert_eq!(i32s(&m, "f", &[5]), -10);
    assert_eq!(i32s(&m, "tee", &[5]), -10);
}

#[test]
fn block_results_br_table_and_select() {
    let m = instantiate(
        r#"(module
          (func (export "switch") (param i32) (result i32)
            (block $c (result i32)
              (block $b (result i32)
                (block $a (result i32)
                  (i32.const 100)
                  (br_table $a $b $c (local.get 0)))
                (i32.add (i32.const 1)) (br $c))
              (i32.add (i32.const 2)) (br $c)))
          (func (export "early") (param i32) (result i32)
            (block (result i32)
              (i32.const 7)
              (br_if 0 (local.get 0))
              (drop)
              (i32.const 8)))
          (func (export "max") (param i32 i32) (result i32)
            (select (local.get 0) (local.get 1) (i32.gt_s (local.get 0) (local.get 1)))))"#,
    );
    assert_eq!(i32s(&m, "switch", &[0]), 101);
    assert_eq!(i32s(&m, "switch", &[1]), 102);
    assert_eq!(i32s(&m, "switch", &[2]), 100);
    assert_eq!(i32s(&m, "switch", &[-1]), 100);
    assert_eq!(i32s(&m, "early", &[1]), 7);
    assert_eq!(i32s(&m, "early", &[0]), 8);
    assert_eq!(i32s(&m, "max", &[3, -4]), 3);
    assert_eq!(i32s(&m, "max", &[-3, 4]), 4);
}

#[test]
fn multi_value_ifs_with_parameters_and_returns() {
    let m = instantiate(
        r#"(module
          (func (export "if_params") (param i32 i32) (result i32)
            (local.get 1) (i32.const 10)
            (if (param i32 i32) (result i32) (local.get 0)
              (then (i32.sub))
              (else (i32.mul))))
          (func (export "if_params_no_else") (param i32) (result i32)
            (i32.const 7)
            (if (param i32) (result i32) (local.get 0)
              (then (i32.add (i32.const 100)))))
          (func $pair (param i32) (result i32 i32)
            (local.get 0) (i32.const 3)
            (br_if 0 (i32.const 50) (i32.const 51) (local.get 0))
            (drop) (drop))
          (func (export "pair") (param i32) (result i32)
            (i32.sub (call $pair (local.get 0))))
          (func $kept (param i32) (result i32 i32)
            ;; Not taken, the branch values are the function's results: the copies a
            ;; taken branch makes must not be assumed on this path.
            (i32.const 50) (i32.const 51)
            (br_if 0 (local.get 0)))
          (func (export "kept") (param i32) (result i32)
            (i32.sub (call $kept (local.get 0)))))"#,
    );
    assert_eq!(i32s(&m, "if_params", &[1, 4]), -6);
    assert_eq!(i32s(&m, "if_params", &[0, 4]), 40);
    assert_eq!(i32s(&m, "if_params_no_else", &[1]), 107);
    assert_eq!(i32s(&m, "if_params_no_else", &[0]), 7);
    assert_eq!(i32s(&m, "pair", &[1]), -1);
    assert_eq!(i32s(&m, "pair", &[0]), -3);
    assert_eq!(i32s(&m, "kept", &[0]), -1);
    assert_eq!(i32s(&m, "kept", &[1]), -1);
}

#[test]
fn an_if_with_parameters_whose_arms_never_reach_its_end() {
    // More results than parameters, and neither arm falls through or branches to the
    // end: the results are never written, yet the frame must still hold them.
    let m = instantiate(
        r#"(module
          (func (export "dead") (param i32) (result i32)
            (i32.const 1) (local.get 0)
            (if (param i32) (result i32 i32 i32) (local.get 0)
              (then unreachable)
              (else (return (i32.const 9))))
            (drop) (drop) (drop))
          (func (export "branch") (param i32) (result i32)
            (i32.const 1) (local.get 0)
            (if (param i32) (result i32 i32 i32) (local.get 0)
              (then (i32.const 20) (i32.const 30) (br 0))
              (else unreachable))
            (i32.add) (i32.add) (i32.add)))"#,
    );
    assert_eq!(trap_code(&m, "dead", &[1]), Some(TrapCode::Unreachable));
    assert_eq!(i32s(&m, "dead", &[0]), 9);
    assert_eq!(i32s(&m, "branch", &[5]), 56);
    assert_eq!(trap_code(&m, "branch", &[0]), Some(TrapCode::Unreachable));
}

#[test]
fn a_stack_deeper_than_the_lazy_limit() {
    // 300 pushes: entries from height 128 on are written to their temporaries at once.
    let pushes = "(local.get 0)".repeat(300);
    let adds = "(i32.add)".repeat(299);
    let m = instantiate(&format!(
        r#"(module (func (export "f") (param i32) (result i32) {pushes} {adds}))"#
    ));
    assert_eq!(i32s(&m, "f", &[3]), 900);
}

#[test]
fn memory_loads_stores_and_growth() {
    let m = instantiate(
        r#"(module
          (memory 1 3)
          (func (export "roundtrip") (param i32) (result i32)
            (i64.store offset=8 (local.get 0) (i64.const 0x1122334455667788))
            (i32.add (i32.load8_u offset=8 (local.get 0))
                     (i32.load16_s offset=14 (local.get 0))))
          (func (export "grow") (param i32) (result i32)
            (drop (memory.grow (local.get 0)))
            (memory.size))
          (func (export "load") (param i32) (result i32)
            (i32.load (local.get 0)))
          (func (export "store_constants") (param i32) (result i64)
            (i64.store (local.get 0) (i64.const -2))
            (i64.store8 offset=1 (local.get 0) (i64.const 0x1ff))
            (i32.store16 offset=2 (local.get 0) (i32.const 0xabcd))
            (i64.load (local.get 0))))"#,
    );
    let stored = call(&m, "store_constants", &[RuntimeValue::I32(16)]).unwrap();
    assert_eq!(stored, RuntimeValue::I64(0xffff_ffff_abcd_fffe_u64 as i64));
    assert_eq!(i32s(&m, "roundtrip", &[100]), 0x88 + 0x1122);
    assert_eq!(
        trap_code(&m, "load", &[65533]),
        Some(TrapCode::MemoryAccessOutOfBounds)
    );
    assert_eq!(i32s(&m, "grow", &[1]), 2);
    assert_eq!(i32s(&m, "load", &[65533]), 0);
    assert_eq!(i32s(&m, "grow", &[5]), 2);
}

#[test]
fn indirect_and_host_calls_and_traps() {
    let m = instantiate(
        r#"(module
          (import "env" "add" (func $add (param i32 i32) (result i32)))
          (type $binop (func (param i32 i32) (result i32)))
          (table 3 funcref)
          (elem (i32.const 0) $add $sub)
          (func $sub (param i32 i32) (result i32) (i32.sub (local.get 0) (local.get 1)))
          (func (export "apply") (param i32) (result i32)
            (call_indirect (type $binop) (i32.const 10) (i32.const 3) (local.get 0)))
          (func (export "div") (param i32 i32) (result i32)
            (i32.div_s (local.get 0) (local.get 1)))
          (func (export "recurse") (param i32) (result i32)
            (call 4 (local.get 0))))"#,
    );
    assert_eq!(i32s(&m, "apply", &[0]), 13);
    assert_eq!(i32s(&m, "apply", &[1]), 7);
    assert_eq!(
        trap_code(&m, "apply", &[2]),
        Some(TrapCode::ElemUninitialized)
    );
    assert_eq!(
        trap_code(&m, "apply", &[3]),
        Some(TrapCode::TableAccessOutOfBounds)
    );
    assert_eq!(i32s(&m, "div", &[-7, 2]), -3);
    assert_eq!(
        trap_code(&m, "div", &[1, 0]),
        Some(TrapCode::DivisionByZero)
    );
    assert_eq!(
        trap_code(&m, "div", &[i32::MIN, -1]),
        Some(TrapCode::IntegerOverflow)
    );
    // Unbounded recursion ends at the call-stack limit (a small one under Miri, which
    // interprets every one of the default limit's 65 536 calls slowly).
    let call_limit = if cfg!(miri) {
        256
    } else {
        wasm_runtime::DEFAULT_CALL_STACK_LIMIT
    };
    let mut stack = StackRecycler::with_limits(wasm_runtime::DEFAULT_VALUE_STACK_LIMIT, call_limit);
    let recursed = m.invoke_export_with_stack(
        "recurse",
        &[RuntimeValue::I32(0)],
        &mut Host::default(),
        &mut stack,
    );
    assert!(
        matches!(
            recursed,
            Err(wasm_runtime::Error::Trap(Trap::Code(
                TrapCode::StackOverflow
            )))
        ),
        "{recursed:?}"
    );
}

#[test]
fn calls_that_stop_deep_in_the_call_stack() {
    // Deep recursion (the value stack grows while calls are made), a memory.grow and a
    // host call at the bottom, then the results are combined on the way back up.
    let m = instantiate(
        r#"(module
          (import "env" "add" (func $add (param i32 i32) (result i32)))
          (memory 1)
          (func $down (param $n i32) (result i32)
            (if (result i32) (i32.eqz (local.get $n))
              (then
                (drop (memory.grow (i32.const 1)))
                (call $add (memory.size) (i32.const 1000)))
              (else
                (i32.add (local.get $n) (call $down (i32.sub (local.get $n) (i32.const 1)))))))
          (func (export "down") (param i32) (result i32) (call $down (local.get 0))))"#,
    );
    assert_eq!(i32s(&m, "down", &[3]), 6 + 1002);
    assert_eq!(i32s(&m, "down", &[2000]), 2000 * 2001 / 2 + 1003);
}

#[test]
fn floats_and_wide_constants() {
    let m = instantiate(
        r#"(module
          (func (export "f") (param i32) (result i64)
            (i64.add
              (i64.trunc_f64_s (f64.mul (f64.convert_i32_s (local.get 0)) (f64.const 2.5)))
              (i64.const 0x100000000))))"#,
    );
    let result = call(&m, "f", &[RuntimeValue::I32(4)]).unwrap();
    assert_eq!(result, RuntimeValue::I64(10 + (1 << 32)));
    assert_eq!(result.value_type(), ValueType::I64);
}

#[test]
fn squares_from_slots_and_from_the_accumulator() {
    // `f64.mul x x` becomes one-operand `F64Square`: of a local (a slot), and of a value
    // just computed (the accumulator), in a loop (so also after a jump target).
    let m = instantiate(
        r#"(module
          (func (export "norm2") (param $x f64) (param $y f64) (result f64)
            (local $t f64)
            (local.set $t (f64.add (local.get $x) (f64.const 1)))
            (f64.add
              (f64.mul (local.get $x) (local.get $x))
              (f64.mul (local.tee $t (f64.sub (local.get $t) (local.get $y)))
                       (local.get $t))))
          (func (export "iterate") (param $z f64) (param $n i32) (result f64)
            (loop $next
              (local.set $z (f64.sub (local.get $z) (f64.const 0.25)))
              (local.set $z (f64.mul (local.get $z) (local.get $z)))
              (br_if $next (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
            (local.get $z)))"#,
    );
    let f64s = |name: &str, args: &[RuntimeValue]| match call(&m, name, args) {
        Ok(RuntimeValue::F64(v)) => v.to_float(),
        other => panic!("{name}: expected an f64, got {other:?}"),
    };
    let norm2 = |x: f64, y: f64| {
        f64s(
            "norm2",
            &[RuntimeValue::F64(x.into()), RuntimeValue::F64(y.into())],
        )
    };
    assert_eq!(norm2(3.0, 0.0), 9.0 + 16.0);
    assert_eq!(norm2(1.5, 4.0), 2.25 + 2.25);
    assert_eq!(norm2(-0.0, 1.0).to_bits(), 0.0f64.to_bits());
    assert!(norm2(f64::NAN, 0.0).is_nan());
    assert_eq!(norm2(f64::NEG_INFINITY, 0.0), f64::INFINITY);
    let mut z = 1.0f64;
    for _ in 0..5 {
        z = (z - 0.25) * (z - 0.25);
    }
    let result = f64s(
        "iterate",
        &[RuntimeValue::F64(1.0.into()), RuntimeValue::I32(5)],
    );
    assert_eq!(result.to_bits(), z.to_bits());
}

/// Imports `env.swap()`, which points entry 0 of the module's exported table at entry
/// 1's function.
struct Swapper {
    table: Option<wasm_runtime::TableRef>,
}

impl Externals for Swapper {
    fn invoke_index(
        &mut self,
        _index: usize,
        _args: RuntimeArgs<'_>,
    ) -> Result<Option<RuntimeValue>, Trap> {
        let table = self.table.as_ref().expect("table set before the call");
        let second = table.get(1).expect("entry 1 exists");
        table.set(0, second).expect("entry 0 exists");
        Ok(None)
    }
}

/// Resolves the one import `env.NAME` to host function 0, of the signature asked for.
struct HostFunc(&'static str);

impl ModuleImportResolver for HostFunc {
    fn resolve_func(
        &self,
        field_name: &str,
        signature: &wasm_core::Signature,
    ) -> Result<FuncRef, wasm_runtime::Error> {
        assert_eq!(field_name, self.0);
        Ok(FuncInstance::alloc_host(signature.clone(), 0))
    }
}

/// Instantiates `wat` (translated eagerly) with its `env` imports from `env`.
fn instantiate_with_env(wat: &str, env: &dyn ModuleImportResolver) -> ModuleRef {
    let bytes = wat::parse_str(wat).expect("test module parses");
    let module = Arc::new(wasm_core::decode(&bytes).expect("test module decodes"));
    let engine = ExecEngine::new();
    let code = engine
        .load(
            &module,
            &wasm_validate::Features::mvp(),
            Translation::Eager,
            Metering::default(),
        )
        .expect("test module is valid and translates");
    let loaded = LoadedModule::new(module, Rc::new(engine), code);
    ModuleInstance::new(&loaded, &ImportsBuilder::new().with_resolver("env", env))
        .expect("test module instantiates")
        .assert_no_start()
}

#[test]
fn indirect_calls_see_table_changes() {
    // The engine remembers resolved table entries; a change made by the host, during a
    // call or between calls, must be seen by the next `call_indirect`.
    let wat = r#"(module
      (import "env" "swap" (func $swap))
      (type $un (func (param i32) (result i32)))
      (table (export "table") 2 funcref)
      (elem (i32.const 0) $double $negate)
      (func $double (param i32) (result i32) (i32.add (local.get 0) (local.get 0)))
      (func $negate (param i32) (result i32) (i32.sub (i32.const 0) (local.get 0)))
      (func (export "first") (param i32) (result i32)
        (call_indirect (type $un) (local.get 0) (i32.const 0)))
      (func (export "around_swap") (param i32) (result i32)
        (local $before i32)
        (local.set $before (call_indirect (type $un) (local.get 0) (i32.const 0)))
        (call $swap)
        (i32.add
          (i32.mul (local.get $before) (i32.const 1000))
          (call_indirect (type $un) (local.get 0) (i32.const 0)))))"#;
    let mut host = Swapper { table: None };
    let m = instantiate_with_env(wat, &HostFunc("swap"));
    let table = m
        .export_by_name("table")
        .and_then(|e| e.as_table().cloned())
        .expect("exported table");
    let call =
        |host: &mut Swapper, name: &str| match m.invoke_export(name, &[RuntimeValue::I32(5)], host)
        {
            Ok(Some(RuntimeValue::I32(v))) => v,
            other => panic!("{name}: {other:?}"),
        };
    // During a call: 5 doubled, then (after the swap) negated.
    host.table = Some(table.clone());
    assert_eq!(call(&mut host, "around_swap"), 10 * 1000 - 5);
    // Between calls: entry 0 is now `negate`; put `double` back and call again.
    assert_eq!(call(&mut host, "first"), -5);
    let double = m.func_by_index(1).expect("function 1");
    table.set(0, Some(double)).expect("entry 0 exists");
    assert_eq!(call(&mut host, "first"), 10);
}

/// Imports `env.grow() -> i32`, which grows the module's exported memory by a page,
/// writes 42 at the new page's first byte and returns the old size in pages.
struct Grower {
    memory: Option<wasm_runtime::MemoryRef>,
}

impl Externals for Grower {
    fn invoke_index(
        &mut self,
        _index: usize,
        _args: RuntimeArgs<'_>,
    ) -> Result<Option<RuntimeValue>, Trap> {
        let memory = self.memory.as_ref().expect("memory set before the call");
        let old = memory
            .grow(wasm_core::memory_units::Pages(1))
            .expect("memory can grow");
        memory
            .set(65536 * old.0 as u32, &[42])
            .expect("the new page exists");
        Ok(Some(RuntimeValue::I32(old.0 as i32)))
    }
}

#[test]
fn a_frame_sees_the_memory_a_host_call_grew_and_wrote() {
    // The frame calling the host goes on after the call with memory 0 borrowed again: it
    // must see the new size and the host's write, and must have let the host reach the
    // memory during the call.
    let wat = r#"(module
      (import "env" "grow" (func $grow (result i32)))
      (memory (export "memory") 1)
      (func (export "run") (result i32)
        (local $old i32)
        (i32.store (i32.const 0) (i32.const 7))
        (local.set $old (call $grow))
        (i32.store8 (i32.const 65537) (i32.const 1))
        (i32.add
          (i32.mul (local.get $old) (i32.const 1000))
          (i32.add
            (i32.load (i32.const 0))
            (i32.add (i32.load8_u (i32.const 65536)) (i32.load8_u (i32.const 65537)))))))"#;
    let mut host = Grower { memory: None };
    let m = instantiate_with_env(wat, &HostFunc("grow"));
    host.memory = m
        .export_by_name("memory")
        .and_then(|e| e.as_memory().cloned());
    let result = m.invoke_export("run", &[], &mut host);
    assert_eq!(
        result.expect("run returns"),
        Some(RuntimeValue::I32(1000 + 7 + 42 + 1))
    );
    // The next call grows it again: the frame's view of the size follows.
    let result = m.invoke_export("run", &[], &mut host);
    assert_eq!(
        result.expect("run returns"),
        Some(RuntimeValue::I32(2000 + 7 + 42 + 1))
    );
}

#[test]
fn rotated_loops_with_longer_heads() {
    // Loop heads of several instructions before the exit test: copied to the bottom of
    // the loop. In `tee_head` the body reads the head's result from the accumulator,
    // which must stay correct (or the loop unrotated) when the body start becomes a
    // jump target.
    let m = instantiate(
        r#"(module
          (global $g (mut i32) (i32.const 0))
          (func (export "global_head") (param $n i32) (result i32)
            (local $sum i32)
            (global.set $g (i32.const 0))
            (block $done
              (loop $next
                (br_if $done (i32.ge_u (global.get $g) (local.get $n)))
                (local.set $sum (i32.add (local.get $sum) (global.get $g)))
                (global.set $g (i32.add (global.get $g) (i32.const 1)))
                (br $next)))
            (local.get $sum))
          (func (export "tee_head") (param $n i32) (result i32)
            (local $i i32) (local $k i32) (local $sum i32)
            (block $done
              (loop $next
                (br_if $done
                  (i32.ge_u (local.tee $k (i32.mul (local.get $i) (i32.const 3))) (local.get $n)))
                (local.set $sum (i32.add (local.get $sum) (local.get $k)))
                (local.set $i (i32.add (local.get $i) (i32.const 1)))
                (br $next)))
            (local.get $sum)))"#,
    );
    assert_eq!(i32s(&m, "global_head", &[0]), 0);
    assert_eq!(i32s(&m, "global_head", &[100]), 4950);
    // k = 0, 3, 6, ... below n.
    assert_eq!(i32s(&m, "tee_head", &[10]), 3 + 6 + 9);
    assert_eq!(i32s(&m, "tee_head", &[0]), 0);
}

#[test]
fn loops_left_from_inside_and_counted_down() {
    // `br $loop` from inside the body (each `br_table` case ends so): rotation copies
    // the head there and must still leave the loop by a jump. `count_down` steps its
    // counter with `i32.sub` and tests it with a bare `br_if`: one counter branch.
    let m = instantiate(
        r#"(module
          (func (export "cases") (param $n i32) (result i32)
            (local $i i32) (local $acc i32)
            (block $exit
              (loop $next
                (br_if $exit (i32.ge_u (local.get $i) (local.get $n)))
                (local.set $i (i32.add (local.get $i) (i32.const 1)))
                (block $two
                  (block $one
                    (block $zero
                      (br_table $zero $one $two (i32.rem_u (local.get $i) (i32.const 3))))
                    (local.set $acc (i32.add (local.get $acc) (i32.const 1)))
                    (br $next))
                  (local.set $acc (i32.add (local.get $acc) (i32.const 100)))
                  (br $next))
                (local.set $acc (i32.add (local.get $acc) (i32.const 10000)))
                (br $next)))
            (i32.add (local.get $acc) (i32.mul (local.get $i) (i32.const 1000000))))
          (func (export "count_down") (param $n i32) (param $step i32) (result i32)
            (local $sum i32)
            (if (i32.eqz (local.get $n)) (then (return (i32.const -1))))
            (loop $next
              (local.set $sum (i32.add (local.get $sum) (local.get $n)))
              (local.set $n (i32.sub (local.get $n) (local.get $step)))
              (local.set $n (i32.sub (local.get $n) (i32.const 1)))
              (br_if $next (local.get $n)))
            (local.get $sum)))"#,
    );
    let cases = |n: i32| {
        let mut acc = 0i32;
        for i in 1..=n {
            acc += [1, 100, 10000][(i % 3) as usize];
        }
        acc + n * 1_000_000
    };
    for n in [0, 1, 2, 3, 10, 31] {
        assert_eq!(i32s(&m, "cases", &[n]), cases(n), "cases({n})");
    }
    // n, n - 1, ..., 1; then with a larger step: 10, 8, ..., 2.
    assert_eq!(i32s(&m, "count_down", &[100, 0]), 5050);
    assert_eq!(i32s(&m, "count_down", &[10, 1]), 10 + 8 + 6 + 4 + 2);
    assert_eq!(i32s(&m, "count_down", &[0, 0]), -1);
}

#[test]
fn back_edges_land_on_their_own_loop_heads() {
    // The threaded dispatch keeps the last two loop heads a back edge jumped to and
    // reuses them when the target is one of them: three nested loops of the same shape
    // (the outer one evicts the inner one's head), a loop in a function called from the
    // middle one, a loop with two back edges, and a loop of one instruction (a back
    // edge to itself) must each still land where their own branch says.
    let m = instantiate(
        r#"(module
          (func $triangle (param $n i32) (result i32)
            (local $i i32) (local $s i32)
            (loop $next
              (local.set $s (i32.add (local.get $s) (local.get $i)))
              (local.set $i (i32.add (local.get $i) (i32.const 1)))
              (br_if $next (i32.lt_u (local.get $i) (local.get $n))))
            (local.get $s))
          (func (export "nested") (param $n i32) (result i32)
            (local $i i32) (local $j i32) (local $k i32) (local $x i32)
            (loop $outer
              (local.set $j (i32.const 0))
              (loop $middle
                (local.set $k (i32.const 0))
                (loop $inner
                  (local.set $x (i32.add (i32.mul (local.get $x) (i32.const 31))
                    (i32.add (local.get $k) (i32.mul (local.get $j) (i32.const 7)))))
                  (local.set $k (i32.add (local.get $k) (i32.const 1)))
                  (br_if $inner (i32.lt_u (local.get $k) (local.get $n))))
                (local.set $x (i32.xor (local.get $x) (call $triangle (local.get $j))))
                (local.set $j (i32.add (local.get $j) (i32.const 1)))
                (br_if $middle (i32.lt_u (local.get $j) (local.get $n))))
              (local.set $x (i32.add (local.get $x) (local.get $i)))
              (local.set $i (i32.add (local.get $i) (i32.const 1)))
              (br_if $outer (i32.lt_u (local.get $i) (local.get $n))))
            (local.get $x))
          (func (export "two_edges") (param $n i32) (result i32)
            (local $i i32) (local $x i32)
            (loop $next
              (local.set $i (i32.add (local.get $i) (i32.const 1)))
              (if (i32.and (local.get $i) (i32.const 1))
                (then
                  (local.set $x (i32.add (local.get $x) (local.get $i)))
                  (br_if $next (i32.lt_u (local.get $i) (local.get $n)))))
              (local.set $x (i32.add (local.get $x) (i32.mul (local.get $i) (i32.const 1000))))
              (br_if $next (i32.lt_u (local.get $i) (local.get $n))))
            (local.get $x))
          (func (export "self_loop") (param $n i32) (result i32)
            (local $i i32)
            (loop $next
              (br_if $next (i32.ne (local.tee $i (i32.add (local.get $i) (i32.const 3)))
                (local.get $n))))
            (local.get $i)))"#,
    );
    // Wasm loops run their body before the test (`do ... while`).
    let triangle = |n: i32| {
        let (mut i, mut s) = (0i32, 0i32);
        loop {
            s = s.wrapping_add(i);
            i += 1;
            if i >= n {
                return s;
            }
        }
    };
    let nested = |n: i32| {
        let (mut i, mut x) = (0i32, 0i32);
        loop {
            let mut j = 0;
            loop {
                let mut k = 0;
                loop {
                    x = x.wrapping_mul(31).wrapping_add(k + j * 7);
                    k += 1;
                    if k >= n {
                        break;
                    }
                }
                x ^= triangle(j);
                j += 1;
                if j >= n {
                    break;
                }
            }
            x = x.wrapping_add(i);
            i += 1;
            if i >= n {
                return x;
            }
        }
    };
    let two_edges = |n: i32| {
        let (mut i, mut x) = (0i32, 0i32);
        loop {
            i += 1;
            if i & 1 == 1 {
                x += i;
                if i < n {
                    continue;
                }
            }
            x += i * 1000;
            if i >= n {
                return x;
            }
        }
    };
    for n in [1, 2, 3, 7, 20] {
        assert_eq!(i32s(&m, "nested", &[n]), nested(n), "nested({n})");
    }
    for n in [1, 2, 5, 100] {
        assert_eq!(i32s(&m, "two_edges", &[n]), two_edges(n), "two_edges({n})");
    }
    assert_eq!(i32s(&m, "self_loop", &[300_000]), 300_000);
}

#[test]
fn locals_start_at_zero_in_every_call_even_deep_down() {
    // Each call must find its declared locals zero, whatever the previous call left in
    // those slots: functions with few locals (cleared one by one) and with many
    // (cleared at once), recursing deeper than the threaded chain keeps calls itself
    // (256), so that the dispatch loop takes over the frames in the middle.
    let m = instantiate(
        r#"(module
          (func $few (export "few") (param $depth i32) (result i32)
            (local $a i32) (local $b i64) (local $c i32)
            (local.set $a (i32.add (local.get $a) (i32.add (local.get $c)
              (i32.wrap_i64 (local.get $b)))))
            (local.set $b (i64.const 1000))
            (local.set $c (i32.const 7))
            (if (result i32) (i32.eqz (local.get $depth))
              (then (local.get $a))
              (else (i32.add (local.get $a)
                (i32.add (local.get $c) (call $few (i32.sub (local.get $depth) (i32.const 1))))))))
          (func $many (export "many") (param $depth i32) (result i32)
            (local $sum i32)
            (local $l0 i32) (local $l1 i32) (local $l2 i32) (local $l3 i32) (local $l4 i32)
            (local $l5 i32) (local $l6 i32) (local $l7 i32) (local $l8 i32) (local $l9 i32)
            (local.set $sum (i32.add (i32.add (i32.add (local.get $l0) (local.get $l1))
              (i32.add (local.get $l2) (local.get $l3))) (i32.add (i32.add (local.get $l4)
              (local.get $l5)) (i32.add (i32.add (local.get $l6) (local.get $l7))
              (i32.add (local.get $l8) (local.get $l9))))))
            (local.set $l0 (i32.const 1)) (local.set $l5 (i32.const 5))
            (local.set $l9 (i32.const 9))
            (if (result i32) (i32.eqz (local.get $depth))
              (then (local.get $sum))
              (else (i32.add (i32.add (local.get $sum) (local.get $l9))
                (call $many (i32.sub (local.get $depth) (i32.const 1))))))))"#,
    );
    // Every level finds zeros (adds 0) and adds 7 (or 9) on the way back.
    for depth in [0, 1, 255, 256, 257, 1000] {
        assert_eq!(i32s(&m, "few", &[depth]), 7 * depth, "few({depth})");
        assert_eq!(i32s(&m, "many", &[depth]), 9 * depth, "many({depth})");
    }
}

#[test]
fn globals_that_are_constants_and_globals_that_are_not() {
    // `global.get` of a defined, immutable global with a constant initialiser is that
    // constant (an immediate here); an imported one, one initialised from an import and
    // a mutable one are read at run time.
    let m = instantiate(
        r#"(module
          (import "env" "base" (global $base i32))
          (global $k i32 (i32.const 0x10))
          (global $wide i64 (i64.const 0x1_0000_0000))
          (global $half f64 (f64.const 0.5))
          (global $from_import i32 (global.get $base))
          (global $counter (mut i32) (i32.const 5))
          (memory 1)
          (func (export "run") (param $x i32) (result i32)
            (i32.store (i32.add (global.get $k) (local.get $x)) (i32.const 77))
            (global.set $counter (i32.add (global.get $counter) (global.get $k)))
            (i32.add
              (i32.add
                (i32.load (i32.add (local.get $x) (global.get $k)))
                (i32.wrap_i64 (i64.shr_u (global.get $wide) (i64.const 32))))
              (i32.add
                (i32.add (global.get $base) (global.get $from_import))
                (i32.add
                  (i32.trunc_f64_s (f64.mul (global.get $half) (f64.const 10)))
                  (global.get $counter))))))"#,
    );
    // 77 + 1 + (1000 + 1000) + (5 + 5 + 16 * calls).
    assert_eq!(i32s(&m, "run", &[4]), 77 + 1 + 2000 + 5 + 5 + 16);
    assert_eq!(i32s(&m, "run", &[8]), 77 + 1 + 2000 + 5 + 5 + 32);
}

#[test]
fn a_result_computed_into_the_first_temporary_of_a_function_with_constant_slots() {
    // No parameters or locals: the first temporary is slot 0, where results are
    // returned. The constant read in the loop gets a slot, which moves the temporaries
    // up after translation; the `i32.lt_s` result must still be returned (found by the
    // differential fuzzer: the function returned its constant slot instead).
    let m = instantiate(
        r#"(module
          (global $n (mut i32) (i32.const 0))
          (memory 1)
          (func (export "f") (result i32)
            (loop $l
              (global.set $n (i32.add (global.get $n) (i32.const 1000)))
              (i32.store (i32.const 8) (global.get $n))
              (br_if $l (i32.lt_u (global.get $n) (i32.const 3000))))
            (i32.lt_s (global.get $n) (i32.const 1093193783))
            (return)))"#,
    );
    assert_eq!(i32s(&m, "f", &[]), 1);
}

#[test]
fn constants_in_loops_survive_calls() {
    // Constants read in a loop live in slots the prologue fills; a call in the loop
    // (whose frame starts in the caller's temporaries and zeroes its locals) must not
    // reach them, nor may recursion.
    let m = instantiate(
        r#"(module
          (func $clobber (param i32) (result i32)
            (local i64 i64 i64 i64 i64 i64 i64 i64)
            (i32.add (local.get 0) (i32.const 0x12345678)))
          (func $consts (export "consts") (param $n i32) (param $depth i32) (result f64)
            (local $i i32) (local $x f64)
            (if (local.get $depth)
              (then (drop (call $consts (i32.const 3) (i32.sub (local.get $depth) (i32.const 1))))))
            (loop $l
              (local.set $x (f64.add (f64.mul (local.get $x) (f64.const 0.5)) (f64.const 1.25)))
              (drop (call $clobber (local.get $i)))
              (local.set $x (f64.sub (local.get $x) (f64.const 0.125)))
              (local.set $i (i32.add (local.get $i) (i32.const 1)))
              (br_if $l (i32.lt_u (local.get $i) (local.get $n))))
            (local.get $x)))"#,
    );
    let mut x = 0.0f64;
    for _ in 0..10 {
        x = x * 0.5 + 1.25 - 0.125;
    }
    for depth in [0, 5] {
        let args = [RuntimeValue::I32(10), RuntimeValue::I32(depth)];
        let result = call(&m, "consts", &args).expect("no trap");
        assert_eq!(result, RuntimeValue::F64(x.into()));
    }
}

#[test]
fn lazily_translated_functions_called_first_from_running_code() {
    // Every call below reaches a function for the first time from code already
    // running: directly, through the table, from deep in a recursion, and from a
    // function called by the host. The second round runs the translated code.
    let wat = r#"(module
      (import "env" "add" (func $add (param i32 i32) (result i32)))
      (type $un (func (param i32) (result i32)))
      (table 2 funcref)
      (elem (i32.const 0) $twice $odd)
      (func $twice (param i32) (result i32) (i32.shl (local.get 0) (i32.const 1)))
      (func $even (param $n i32) (result i32)
        (if (result i32) (i32.eqz (local.get $n))
          (then (i32.const 1))
          (else (call_indirect (type $un) (i32.sub (local.get $n) (i32.const 1)) (i32.const 1)))))
      (func $odd (param $n i32) (result i32)
        (if (result i32) (i32.eqz (local.get $n))
          (then (i32.const 0))
          (else (call $even (i32.sub (local.get $n) (i32.const 1))))))
      (func $sum (param $n i32) (result i32)
        (if (result i32) (i32.eqz (local.get $n))
          (then (call $add (i32.const 0) (i32.const 100)))
          (else (i32.add (local.get $n) (call $sum (i32.sub (local.get $n) (i32.const 1)))))))
      (func (export "main") (param $n i32) (result i32)
        (i32.add
          (i32.add
            (call_indirect (type $un) (local.get $n) (i32.const 0))
            (i32.mul (call $even (local.get $n)) (i32.const 10000)))
          (i32.mul (call $sum (local.get $n)) (i32.const 100000)))))"#;
    let expected = |n: i32| {
        let sum = n * (n + 1) / 2 + 100;
        (2 * n + i32::from(n % 2 == 0) * 10_000).wrapping_add(sum.wrapping_mul(100_000))
    };
    for translation in [Translation::Lazy, Translation::Eager] {
        for n in [0, 7, 300] {
            let m = instantiate_with(wat, translation).expect("test module loads");
            assert_eq!(
                i32s(&m, "main", &[n]),
                expected(n),
                "{translation:?}, n = {n}"
            );
            assert_eq!(
                i32s(&m, "main", &[n + 1]),
                expected(n + 1),
                "{translation:?}, again"
            );
        }
    }
}

#[test]
fn array_element_loads_are_scaled_loads() {
    let wat = r#"(module
      (memory 1)
      (data (i32.const 0) "\01\00\00\00\02\00\00\00\03\00\00\00\04\00\00\00")
      (func (export "i32_at") (param i32) (result i32)
        (i32.load (i32.shl (local.get 0) (i32.const 2))))
      (func (export "i32_after") (param i32) (result i32)
        ;; The index is computed (it reaches the load through the accumulator).
        (i32.load offset=4 (i32.shl (i32.add (local.get 0) (i32.const 1)) (i32.const 2))))
      (func (export "i64_at") (param i32) (result i64)
        (i64.load (i32.shl (local.get 0) (i32.const 3))))
      (func (export "f32_at") (param i32) (result f32)
        (f32.load (i32.shl (local.get 0) (i32.const 2))))
      (func (export "f64_at") (param i32) (result f64)
        (f64.load (i32.shl (local.get 0) (i32.const 3))))
      (func (export "not_scaled") (param i32) (result i32)
        ;; A shift that is not the access width stays a shift.
        (i32.load (i32.shl (local.get 0) (i32.const 3)))))"#;
    let text = listings(wat);
    assert!(
        text[0].contains("I32LoadScaled { dst: 0, index: 0, offset: 0 }"),
        "{}",
        text[0]
    );
    assert!(
        text[1].contains("I32LoadScaled { dst: 0, index: acc, offset: 4 }"),
        "{}",
        text[1]
    );
    assert!(text[2].contains("I64LoadScaled"), "{}", text[2]);
    assert!(text[3].contains("F32LoadScaled"), "{}", text[3]);
    assert!(text[4].contains("F64LoadScaled"), "{}", text[4]);
    assert!(
        !text[5].contains("Scaled") && text[5].contains("I32ShlImm"),
        "{}",
        text[5]
    );

    let m = instantiate(wat);
    let at = |name: &str, index: i32| outcome(&m, name, &[index]);
    let out_of_bounds = Err(TrapCode::MemoryAccessOutOfBounds);
    assert_eq!(at("i32_at", 2), Ok(RuntimeValue::I32(3)));
    assert_eq!(at("i32_after", 1), Ok(RuntimeValue::I32(4)));
    assert_eq!(at("not_scaled", 1), Ok(RuntimeValue::I32(3)));
    // The shift wraps: element 2^30 + 1 is at address 4.
    assert_eq!(at("i32_at", 0x4000_0001), Ok(RuntimeValue::I32(2)));
    assert_eq!(at("i32_after", 0x3fff_ffff), Ok(RuntimeValue::I32(2)));
    // The offset does not: 0xffff_fffc + 4 is past the end.
    assert_eq!(at("i32_after", 0x3fff_fffe), out_of_bounds);
    assert_eq!(at("i32_at", 16384), out_of_bounds);
    assert_eq!(
        at("i64_at", 1),
        Ok(RuntimeValue::I64(0x0000_0004_0000_0003))
    );
    assert_eq!(
        at("f32_at", 3),
        Ok(RuntimeValue::F32(f32::from_bits(4).into()))
    );
    let f64_at_0 = f64::from_bits(0x0000_0002_0000_0001);
    assert_eq!(at("f64_at", 0), Ok(RuntimeValue::F64(f64_at_0.into())));
    assert_eq!(at("f64_at", 8192), out_of_bounds);
}

/// `t.load (i32.add base index)` becomes one indexed load, whose sum wraps like the
/// `i32.add` it replaces while its offset does not; a `local.set` of it writes the
/// local directly.
#[test]
fn loads_from_a_sum_are_indexed_loads() {
    let wat = r#"(module
      (memory 1)
      (data (i32.const 0) "\01\00\00\00\02\00\00\00\03\00\00\00\04\00\00\00")
      (func (export "i32_at") (param i32 i32) (result i32)
        (i32.load (i32.add (local.get 0) (local.get 1))))
      (func (export "i32_after") (param i32 i32) (result i32)
        (local $x i32)
        (local.set $x (i32.load offset=4 (i32.add (local.get 0) (local.get 1))))
        (local.get $x))
      (func (export "i64_at") (param i32 i32) (result i64)
        (i64.load (i32.add (local.get 0) (i32.shl (local.get 1) (i32.const 3)))))
      (func (export "f32_at") (param i32 i32) (result f32)
        (f32.load (i32.add (local.get 0) (local.get 1))))
      (func (export "f64_at") (param i32 i32) (result f64)
        (f64.load (i32.add (local.get 0) (local.get 1))))
      (func (export "narrow") (param i32 i32) (result i32)
        (i32.load8_u (i32.add (local.get 0) (local.get 1))))
      (func (export "narrow_s") (param i32 i32) (result i32)
        (i32.load16_s offset=1 (i32.add (local.get 0) (local.get 1))))
      (func (export "u32_as_i64") (param i32 i32) (result i64)
        (i64.load32_u (i32.add (local.get 0) (local.get 1))))
      (func (export "i8_as_i64") (param i32 i32) (result i64)
        (i64.load8_s (i32.add (local.get 0) (local.get 1)))))"#;
    let text = listings(wat);
    assert!(
        text[0].contains("I32LoadIndexed { dst: 0, base: 0, index: 1, offset: 0 }"),
        "{}",
        text[0]
    );
    // The `local.set` retargets the load to the local (a copy would be one more
    // instruction).
    assert!(
        text[1].contains("I32LoadIndexed { dst: 2, base: 0, index: 1, offset: 4 }")
            && !text[1].contains("Copy"),
        "{}",
        text[1]
    );
    // A shifted index joins the load too.
    assert!(
        text[2].contains("base: 0, index: 1, shift: 3, offset: 0 }")
            && text[2].contains("I64LoadShifted")
            && !text[2].contains("I32ShlImm"),
        "{}",
        text[2]
    );
    assert!(text[3].contains("F32LoadIndexed"), "{}", text[3]);
    assert!(text[4].contains("F64LoadIndexed"), "{}", text[4]);
    // Narrow loads too, with their own extension.
    assert!(
        text[5].contains("I32Load8UIndexed") && !text[5].contains("I32Add"),
        "{}",
        text[5]
    );
    assert!(text[6].contains("I32Load16SIndexed"), "{}", text[6]);
    assert!(text[7].contains("I64Load32UIndexed"), "{}", text[7]);
    assert!(text[8].contains("I64Load8SIndexed"), "{}", text[8]);

    let m = instantiate(wat);
    let at = |name: &str, base: i32, index: i32| outcome(&m, name, &[base, index]);
    let out_of_bounds = Err(TrapCode::MemoryAccessOutOfBounds);
    assert_eq!(at("i32_at", 4, 4), Ok(RuntimeValue::I32(3)));
    assert_eq!(at("i32_after", 4, 4), Ok(RuntimeValue::I32(4)));
    assert_eq!(at("narrow", 4, 4), Ok(RuntimeValue::I32(3)));
    // The sum wraps: 0xffff_fffc + 8 is address 4.
    assert_eq!(at("i32_at", -4, 8), Ok(RuntimeValue::I32(2)));
    assert_eq!(at("i32_after", 8, -8), Ok(RuntimeValue::I32(2)));
    // The offset does not: 0xffff_fffc + 4 is past the end.
    assert_eq!(at("i32_after", -8, 4), out_of_bounds);
    assert_eq!(at("i32_at", 65536, 0), out_of_bounds);
    assert_eq!(at("i32_at", 65532, 1), out_of_bounds);
    assert_eq!(
        at("i64_at", 0, 1),
        Ok(RuntimeValue::I64(0x0000_0004_0000_0003))
    );
    // The shift and the sum wrap: 0x2000_0001 << 3 is 8, and -8 + 16 is 8.
    assert_eq!(
        at("i64_at", 0, 0x2000_0001),
        Ok(RuntimeValue::I64(0x0000_0004_0000_0003))
    );
    assert_eq!(
        at("i64_at", -8, 2),
        Ok(RuntimeValue::I64(0x0000_0004_0000_0003))
    );
    assert_eq!(at("i64_at", 65528, 1), out_of_bounds);
    assert_eq!(
        at("f32_at", 8, 4),
        Ok(RuntimeValue::F32(f32::from_bits(4).into()))
    );
    let f64_at_0 = f64::from_bits(0x0000_0002_0000_0001);
    assert_eq!(at("f64_at", 0, 0), Ok(RuntimeValue::F64(f64_at_0.into())));
    assert_eq!(at("f64_at", 65528, 1), out_of_bounds);
    // Bytes 3 and 4 are 00 02 (0x0200 little-endian); the sum wraps (-1 + 4 is 3, plus
    // the offset 4), the offset does not; a two-byte load at 65535 is out of bounds.
    assert_eq!(at("narrow_s", 0, 2), Ok(RuntimeValue::I32(0x0200)));
    assert_eq!(at("narrow_s", -1, 4), Ok(RuntimeValue::I32(2)));
    assert_eq!(at("narrow_s", 65534, 0), out_of_bounds);
    assert_eq!(at("narrow", 65535, 1), out_of_bounds);
    assert_eq!(at("narrow", -1, 5), Ok(RuntimeValue::I32(2)));
    assert_eq!(at("u32_as_i64", 8, 4), Ok(RuntimeValue::I64(4)));
    assert_eq!(at("u32_as_i64", 65533, 0), out_of_bounds);
    assert_eq!(at("i8_as_i64", 2, 2), Ok(RuntimeValue::I64(2)));
    assert_eq!(at("i8_as_i64", 65535, 1), out_of_bounds);
}

/// `i32.add a (i32.shl b c)` with a constant shift, in either order, is one
/// `I32AddShifted`, wrapping like the two operators; a constant addend keeps the
/// immediate add.
#[test]
fn sums_of_a_shifted_index_are_one_instruction() {
    let wat = r#"(module
      (func (export "index_last") (param i32 i32) (result i32)
        (i32.add (local.get 0) (i32.shl (local.get 1) (i32.const 2))))
      (func (export "index_first") (param i32 i32) (result i32)
        (i32.add (i32.shl (local.get 1) (i32.const 35)) (local.get 0)))
      (func (export "both_computed") (param i32 i32) (result i32)
        (i32.add (i32.mul (local.get 0) (local.get 0)) (i32.shl (local.get 1) (i32.const 1))))
      (func (export "constant") (param i32 i32) (result i32)
        (i32.add (i32.shl (local.get 1) (i32.const 2)) (i32.const 100))))"#;
    let text = listings(wat);
    for (listing, shift) in text[..3].iter().zip([2, 3, 1]) {
        assert!(
            listing.contains(&format!("shift: {shift} }}")) && !listing.contains("I32ShlImm"),
            "{listing}"
        );
    }
    assert!(
        text[3].contains("I32ShlImm") && text[3].contains("I32AddImm"),
        "{}",
        text[3]
    );
    let m = instantiate(wat);
    let i32s = |name: &str, a: i32, b: i32| i32s(&m, name, &[a, b]);
    assert_eq!(i32s("index_last", 10, 3), 22);
    assert_eq!(i32s("index_first", 10, 3), 34);
    assert_eq!(i32s("both_computed", 5, 7), 39);
    assert_eq!(i32s("constant", 0, 3), 112);
    // Both wrap: 0x4000_0001 << 2 is 4, -1 + 4 is 3; the shift is taken modulo 32.
    assert_eq!(i32s("index_last", -1, 0x4000_0001), 3);
    assert_eq!(i32s("index_first", i32::MAX, 0x1000_0000), -1);
    assert_eq!(i32s("index_first", i32::MAX, 1), i32::MIN + 7);
}

/// `t.load (i32.add addr c)` and `t.load (i32.sub addr c)` with offset 0 become one
/// displaced load (and stores likewise), whose sum wraps like the operator it replaces; a
/// load with an offset keeps the add, which must not wrap into the offset.
#[test]
fn loads_from_a_constant_displacement_are_displaced_loads() {
    let wat = r#"(module
      (memory 1)
      (data (i32.const 0) "\01\02\03\04\05\06\07\08")
      (func (export "byte_after") (param i32) (result i32)
        (i32.load8_u (i32.add (local.get 0) (i32.const 2))))
      (func (export "i32_before") (param i32) (result i32)
        (i32.load (i32.sub (local.get 0) (i32.const 4))))
      (func (export "i64_computed") (param i32) (result i64)
        ;; The address is computed (it reaches the add through the accumulator).
        (i64.load16_s (i32.add (i32.mul (local.get 0) (local.get 0)) (i32.const -1))))
      (func (export "with_offset") (param i32) (result i32)
        (i32.load8_u offset=1 (i32.add (local.get 0) (i32.const 1))))
      (func (export "store_before") (param i32) (result i32)
        ;; Stores 0xabcd at addr - 2, returns the i32 at 0.
        (i32.store16 (i32.sub (local.get 0) (i32.const 2)) (i32.const 0xabcd))
        (i32.load (i32.const 0))))"#;
    let text = listings(wat);
    assert!(
        text[0].contains("I32Load8UDisp { dst: 0, addr: 0, disp: 2 }"),
        "{}",
        text[0]
    );
    assert!(
        text[1].contains("I32LoadDisp { dst: 0, addr: 0, disp: -4 }"),
        "{}",
        text[1]
    );
    assert!(
        text[2].contains("I64Load16SDisp { dst: 0, addr: acc, disp: -1 }"),
        "{}",
        text[2]
    );
    assert!(
        !text[3].contains("Disp") && text[3].contains("I32AddImm"),
        "{}",
        text[3]
    );

    assert!(
        text[4].contains("I32Store16Disp { addr: 0, value: ") && !text[4].contains("I32SubImm"),
        "{}",
        text[4]
    );

    let m = instantiate(wat);
    let at = |name: &str, addr: i32| outcome(&m, name, &[addr]);
    let out_of_bounds = Err(TrapCode::MemoryAccessOutOfBounds);
    assert_eq!(at("byte_after", 1), Ok(RuntimeValue::I32(4)));
    assert_eq!(at("i32_before", 5), Ok(RuntimeValue::I32(0x0504_0302)));
    assert_eq!(at("i64_computed", 2), Ok(RuntimeValue::I64(0x0504)));
    assert_eq!(at("with_offset", 2), Ok(RuntimeValue::I32(5)));
    // The sum wraps: -1 + 2 is address 1, and 1 - 4 is past the end.
    assert_eq!(at("byte_after", -1), Ok(RuntimeValue::I32(2)));
    assert_eq!(at("i32_before", 1), out_of_bounds);
    assert_eq!(at("i32_before", 4), Ok(RuntimeValue::I32(0x0403_0201)));
    // 0 * 0 - 1 wraps to the last address: a 2-byte load from it is past the end.
    assert_eq!(at("i64_computed", 0), out_of_bounds);
    assert_eq!(at("byte_after", 65534), out_of_bounds);
    // With an offset the add stays: the sum wraps, the offset does not.
    assert_eq!(at("with_offset", -1), Ok(RuntimeValue::I32(2)));
    assert_eq!(at("with_offset", -2), out_of_bounds);
    assert_eq!(at("with_offset", 65534), out_of_bounds);
    // The store's sum wraps too: 1 - 2 is past the end, and nothing is written.
    assert_eq!(at("store_before", 1), out_of_bounds);
    assert_eq!(
        at("store_before", 65536),
        Ok(RuntimeValue::I32(0x0403_0201))
    );
    assert_eq!(
        at("store_before", 3),
        Ok(RuntimeValue::I32(0x04ab_cd01_u32 as i32))
    );
}

/// A jump to a return is that return, and a copy into the returned slot returns its
/// source; a jump table's entries stay jumps.
#[test]
fn returns_are_taken_where_they_are_decided() {
    let wat = r#"(module
      (func (export "pick") (param i32) (result i32)
        (if (result i32) (i32.lt_u (local.get 0) (i32.const 2))
          (then (local.get 0))
          (else (i32.add (local.get 0) (i32.const 10)))))
      (func (export "table") (param i32) (result i32)
        (block
          (block
            (block (br_table 0 1 2 (local.get 0)))
            (return (i32.const 100)))
          (return (i32.const 101)))
        (i32.const 102)))"#;
    let [pick, table] = <[String; 2]>::try_from(listings(wat)).unwrap();
    assert!(!pick.contains("Jump {"), "{pick}");
    assert!(pick.contains("1: ReturnSlot { src: 0 }"), "{pick}");
    assert_eq!(table.matches(": Jump {").count(), 3, "{table}");

    let m = instantiate(wat);
    assert_eq!(i32s(&m, "pick", &[1]), 1);
    assert_eq!(i32s(&m, "pick", &[5]), 15);
    assert_eq!(i32s(&m, "table", &[0]), 100);
    assert_eq!(i32s(&m, "table", &[1]), 101);
    assert_eq!(i32s(&m, "table", &[2]), 102);
    assert_eq!(i32s(&m, "table", &[-1]), 102);
}

/// Two `i32.add`s of constants in a row run as one `I32AddImmPair`, in order (the
/// second sees what the first wrote) and wrapping; the value of the second stays in the
/// accumulator for the instruction after; a jump target between them keeps them apart.
#[test]
fn constant_adds_in_a_row_are_paired() {
    let wat = r#"(module
      (func (export "walk") (param $p i32) (param $n i32) (result i32)
        (local $sum i32)
        (loop $next
          (local.set $sum (i32.add (local.get $sum) (local.get $p)))
          (local.set $p (i32.add (local.get $p) (i32.const 4)))
          (local.set $n (i32.add (local.get $n) (i32.const -1)))
          (br_if $next (i32.gt_s (i32.mul (local.get $n) (i32.const 3)) (i32.const 0))))
        (local.get $sum))
      (func (export "chained") (param i32 i32) (result i32)
        (local.set 1 (i32.add (local.get 0) (i32.const 0x7fff)))
        (local.set 0 (i32.add (local.get 1) (i32.const -0x8000)))
        (i32.add (local.get 0) (local.get 0)))
      (func (export "apart") (param i32 i32) (result i32)
        (local.set 0 (i32.add (local.get 0) (i32.const 1)))
        (loop $again
          (local.set 1 (i32.add (local.get 1) (i32.const 2)))
          (br_if $again (i32.lt_s (local.get 1) (i32.const 10))))
        (i32.add (local.get 0) (local.get 1))))"#;
    let [walk, chained, apart] = <[String; 3]>::try_from(listings(wat)).unwrap();
    assert!(
        walk.contains("I32AddImmPair { dst0: 0, a0: 0, imm0: 4, dst1: 1, a1: 1, imm1: -1 }"),
        "{walk}"
    );
    assert!(
        chained.contains(
            "I32AddImmPair { dst0: 1, a0: 0, imm0: 32767, dst1: 0, a1: 1, imm1: -32768 }"
        ),
        "{chained}"
    );
    assert!(!apart.contains("Pair"), "{apart}");

    let m = instantiate(wat);
    assert_eq!(i32s(&m, "walk", &[100, 3]), 100 + 104 + 108);
    assert_eq!(i32s(&m, "chained", &[5, 0]), 8);
    // i32::MAX + 0x7fff wraps, and back.
    assert_eq!(
        i32s(&m, "chained", &[i32::MAX, 0]),
        (i32::MAX - 1).wrapping_mul(2)
    );
    assert_eq!(i32s(&m, "apart", &[3, 7]), 4 + 11);
}

/// Two `Copy`s in a row run as one `CopyPair`, in order (the second sees what the first
/// wrote); a jump target between them keeps them apart (slots above 16 bits too: see
/// the translator's unit tests).
#[test]
fn copies_in_a_row_are_paired() {
    let wat = r#"(module
      (func $weigh (param i32 i32) (result i32)
        (i32.add (i32.mul (local.get 0) (i32.const 10)) (local.get 1)))
      (func (export "shift") (param i32 i32) (result i32)
        (local.set 0 (local.get 1))
        (local.set 1 (local.get 0))
        (call $weigh (local.get 0) (local.get 1)))
      (func (export "fib") (param $n i32) (result i32)
        (local $a i32) (local $b i32) (local $next i32)
        (local.set $b (i32.const 1))
        (block $done
          (loop $step
            (br_if $done (i32.eqz (local.get $n)))
            (local.set $next (i32.add (local.get $a) (local.get $b)))
            (local.set $a (local.get $b))
            (local.set $b (local.get $next))
            (local.set $n (i32.sub (local.get $n) (i32.const 1)))
            (br $step)))
        (local.get $a))
      (func (export "apart") (param i32 i32) (result i32)
        (local.set 0 (local.get 1))
        (loop $again
          (local.set 1 (local.get 0))
          (br_if $again (i32.eqz (local.get 1))))
        (call $weigh (local.get 0) (local.get 1))))"#;
    let [_, shift, fib, apart] = <[String; 4]>::try_from(listings(wat)).unwrap();
    // The two `local.set`s, and the two arguments of the call.
    assert_eq!(shift.matches("CopyPair").count(), 2, "{shift}");
    assert!(
        shift.contains("0: CopyPair { dst0: 0, src0: 1, dst1: 1, src1: 0 }"),
        "{shift}"
    );
    assert!(
        fib.contains("CopyPair { dst0: 1, src0: 2, dst1: 2, src1: 3 }"),
        "{fib}"
    );
    // The loop's head separates the first two copies.
    assert!(apart.contains("0: Copy { dst: 0, src: 1 }"), "{apart}");
    assert!(apart.contains("1: Copy { dst: 1, src: 0 }"), "{apart}");

    let m = instantiate(wat);
    // In order: local 0 becomes 7, then local 1 becomes local 0's new value.
    assert_eq!(i32s(&m, "shift", &[3, 7]), 77);
    let expected = [0, 1, 1, 2, 3, 5, 8, 13, 21, 34, 55];
    for (n, fib_n) in expected.iter().enumerate() {
        assert_eq!(i32s(&m, "fib", &[n as i32]), *fib_n, "fib({n})");
    }
    assert_eq!(i32s(&m, "apart", &[3, 7]), 77);
    assert_eq!(i32s(&m, "apart", &[5, 9]), 99);
}

/// A loop whose head reads the global its last instruction set (a counter kept in a
/// global) does not read it again at the bottom after rotation; unless a branch skips
/// the set, whose path then reads it.
#[test]
fn a_loop_over_a_global_counter_reads_it_once_per_iteration() {
    let wat = r#"(module
      (global $g (mut i32) (i32.const 0))
      (func (export "count") (param $n i32) (result i32)
        (global.set $g (i32.const 0))
        (block $done
          (loop $next
            (br_if $done (i32.ge_u (global.get $g) (local.get $n)))
            (global.set $g (i32.add (global.get $g) (i32.const 1)))
            (br $next)))
        (global.get $g))
      (func (export "skips") (param $n i32) (result i32)
        (local $count i32)
        (global.set $g (i32.const 0))
        (block $exit
          (loop $l
            (br_if $exit (i32.ge_u (global.get $g) (local.get $n)))
            (local.set $count (i32.add (local.get $count) (i32.const 1)))
            (block $b
              ;; On odd counts the set is skipped: the jump lands on the `br $l`.
              (br_if $b (i32.and (local.get $count) (i32.const 1)))
              (global.set $g (i32.add (global.get $g) (i32.const 1))))
            (br $l)))
        (local.get $count)))"#;
    let [count, skips] = <[String; 2]>::try_from(listings(wat)).unwrap();
    // The loop's first test, the body's read, the result: no read after the set.
    assert_eq!(count.matches("GlobalGetInt").count(), 3, "{count}");
    assert_eq!(skips.matches("GlobalGetInt").count(), 3, "{skips}");

    let m = instantiate(wat);
    for n in [0, 1, 5, 1000] {
        assert_eq!(i32s(&m, "count", &[n]), n);
        assert_eq!(i32s(&m, "skips", &[n]), 2 * n, "skips({n})");
    }
}

/// `memory.fill` and `memory.copy` (bulk memory), lowered from the list alone: they write
/// all their bytes or, out of bounds, none (a trap); a copy between overlapping ranges
/// moves the bytes as a copy through a buffer would; the fill takes the value's low byte.
#[test]
fn memory_fill_and_copy_write_everything_or_nothing() {
    let wat = r#"(module (memory 1)
      (func (export "fill") (param i32 i32 i32) (result i32)
        (memory.fill (local.get 0) (local.get 1) (local.get 2))
        (i32.load (i32.const 100)))
      (func (export "copy") (param i32 i32 i32) (result i32)
        (i32.store (i32.const 100) (i32.const 0x44332211))
        (memory.copy (local.get 0) (local.get 1) (local.get 2))
        (i32.load (i32.const 100)))
      (func (export "fill_const") (result i32)
        (memory.fill (i32.const 65532) (i32.const 0x1ff) (i32.const 4))
        (i32.load (i32.const 65532))))"#;
    let listing = listings(wat).join("\n");
    assert!(
        listing.contains("MemoryFill { addr: 0, value: 1, len: 2 }"),
        "{listing}"
    );
    assert!(
        listing.contains("MemoryCopy { dst: 0, src: 1, len: 2 }"),
        "{listing}"
    );
    let m = instantiate(wat);
    assert_eq!(i32s(&m, "fill", &[100, 0x1ab, 4]), 0xabababab_u32 as i32);
    assert_eq!(i32s(&m, "fill", &[101, 0, 2]), 0xab0000ab_u32 as i32);
    // Past the end: nothing written.
    assert_eq!(
        trap_code(&m, "fill", &[65535, 0, 2]),
        Some(TrapCode::MemoryAccessOutOfBounds)
    );
    assert_eq!(
        trap_code(&m, "fill", &[-1, 0, 2]),
        Some(TrapCode::MemoryAccessOutOfBounds)
    );
    assert_eq!(i32s(&m, "fill", &[65536, 7, 0]), 0xab0000ab_u32 as i32);
    assert_eq!(i32s(&m, "fill_const", &[]), -1);
    // Overlapping, forwards and backwards.
    assert_eq!(i32s(&m, "copy", &[101, 100, 3]), 0x33221111);
    assert_eq!(i32s(&m, "copy", &[100, 101, 3]), 0x44443322);
    assert_eq!(
        trap_code(&m, "copy", &[100, 65535, 2]),
        Some(TrapCode::MemoryAccessOutOfBounds)
    );
    assert_eq!(i32s(&m, "copy", &[65536, 0, 0]), 0x44332211);
}

/// A value computed only to be dropped is not computed, unless computing it may trap.
#[test]
fn dropped_values_are_not_computed_unless_they_may_trap() {
    let wat = r#"(module
      (func (export "f") (param i32 i32) (result i32)
        (drop (i32.mul (local.get 0) (local.get 1)))
        (drop (i32.div_s (local.get 0) (local.get 1)))
        (local.get 0)))"#;
    let listing = listings(wat).join("\n");
    assert!(!listing.contains("I32Mul"), "{listing}");
    assert!(listing.contains("I32DivS"), "{listing}");
    let m = instantiate(wat);
    assert_eq!(i32s(&m, "f", &[6, 3]), 6);
    assert_eq!(trap_code(&m, "f", &[6, 0]), Some(TrapCode::DivisionByZero));
}

/// Resolves every `env` function to a host function whose index is its name's number
/// (`f0`, `f1`...).
struct Numbered;

impl ModuleImportResolver for Numbered {
    fn resolve_func(
        &self,
        field_name: &str,
        signature: &wasm_core::Signature,
    ) -> Result<FuncRef, wasm_runtime::Error> {
        let index = field_name[1..].parse().expect("imports are named f<index>");
        Ok(FuncInstance::alloc_host(signature.clone(), index))
    }
}

/// `f0(a) = -a`; `f1(a, b, c, d, e, f) = a + 2b + 3c + 4d + 5e + 6f` (more arguments
/// than a host call passes without its buffer); `f2(x) = x as f64 * 0.5`.
struct Numbers;

impl Externals for Numbers {
    fn invoke_index(
        &mut self,
        index: usize,
        args: RuntimeArgs<'_>,
    ) -> Result<Option<RuntimeValue>, Trap> {
        Ok(Some(match index {
            0 => RuntimeValue::I32(args.nth_checked::<i32>(0)?.wrapping_neg()),
            1 => {
                let mut sum = 0i64;
                for i in 0..6 {
                    sum += (i as i64 + 1) * args.nth_checked::<i64>(i)?;
                }
                RuntimeValue::I64(sum)
            }
            2 => RuntimeValue::F64((args.nth_checked::<i32>(0)? as f64 * 0.5).into()),
            _ => unreachable!("three host functions"),
        }))
    }
}

/// A loop calling several host functions in turn, of different types and arities, gets
/// each one's own result (the chain remembers the host function it called last).
#[test]
fn host_functions_called_in_turn() {
    let wat = r#"(module
      (import "env" "f0" (func $neg (param i32) (result i32)))
      (import "env" "f1" (func $weigh (param i64 i64 i64 i64 i64 i64) (result i64)))
      (import "env" "f2" (func $half (param i32) (result f64)))
      (func (export "run") (param $n i32) (result f64)
        (local $i i32) (local $acc i64) (local $f f64)
        (loop $next
          (local.set $acc
            (i64.add (local.get $acc)
              (i64.extend_i32_s (call $neg (local.get $i)))))
          (local.set $acc
            (i64.add (local.get $acc)
              (call $weigh (i64.const 1) (i64.const 1) (i64.const 1)
                (i64.const 1) (i64.const 1) (i64.extend_i32_u (local.get $i)))))
          (local.set $f (f64.add (local.get $f) (call $half (local.get $i))))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br_if $next (i32.lt_u (local.get $i) (local.get $n))))
        (f64.add (local.get $f) (f64.convert_i64_s (local.get $acc)))))"#;
    let m = instantiate_with_env(wat, &Numbered);
    let result = m
        .invoke_export("run", &[RuntimeValue::I32(10)], &mut Numbers)
        .expect("runs");
    // Over i = 0..10: sum(-i) + sum(15 + 6i) + sum(i / 2) = -45 + 420 + 22.5.
    assert_eq!(result, Some(RuntimeValue::F64(397.5.into())));
}

/// A module of `funcs` functions with about `size` bytes of code each: function `i`
/// returns `i` after a run of `nop`s (the functions in `bad` return an i64 instead).
fn large_module(funcs: usize, size: usize, bad: &[usize]) -> String {
    let nops = "nop ".repeat(size);
    let mut wat = String::from("(module\n");
    for i in 0..funcs {
        let value = match bad.contains(&i) {
            true => format!("i64.const {i}"),
            false => format!("i32.const {i}"),
        };
        wat.push_str(&format!(
            "(func (export \"f{i}\") (result i32) {nops} {value})\n"
        ));
    }
    wat.push(')');
    wat
}

#[test]
#[cfg_attr(
    miri,
    ignore = "300 KiB of code, validated eight times: hours under Miri (its threads run only safe code)"
)]
fn a_large_module_loads_on_several_threads_with_the_sequential_verdict() {
    // 300 KiB of code: above the threshold for loading on several threads.
    let wat = large_module(300, 1024, &[]);
    for translation in [Translation::Eager, Translation::Lazy] {
        let m = instantiate_with(&wat, translation).expect("loads");
        for i in [0, 1, 149, 150, 298, 299] {
            assert_eq!(i32s(&m, &format!("f{i}"), &[]), i, "{translation:?}");
        }
    }
    // The error is the first invalid body's, whichever thread found it.
    for bad in [&[3, 290][..], &[150], &[290]] {
        let wat = large_module(300, 1024, bad);
        let bytes = wat::parse_str(&wat).unwrap();
        let module = Arc::new(wasm_core::decode(&bytes).unwrap());
        let sequential = wasm_validate::validate(&module, &wasm_validate::Features::wasm2())
            .expect_err("invalid");
        for translation in [Translation::Eager, Translation::Lazy] {
            match instantiate_with(&wat, translation) {
                Err(CompileError::Invalid(e)) => {
                    assert_eq!(e.to_string(), sequential.to_string());
                    assert_eq!(e.func_index(), Some(bad[0] as u32));
                }
                other => panic!("expected the validation error, got {other:?}"),
            }
        }
    }
}

/// Vectors in both halves of their slots: a loop of SIMD loads, lane operations, a
/// shuffle, a vector `select`, a lane store and a `v128` global, reduced to an i32 (small
/// enough for Miri, which checks the drivers' unchecked slot accesses of vector
/// operands).
#[test]
fn simd_values_in_slot_pairs() {
    let instance = instantiate(
        r#"(module (memory 1)
          (global $g (mut v128) (v128.const i32x4 1 2 3 4))
          (func (export "run") (param $n i32) (result i32)
            (local $i i32) (local $v v128)
            (v128.store (i32.const 16) (v128.const i8x16 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15))
            (loop $l
              (local.set $v
                (i32x4.add (global.get $g)
                  (i8x16.shuffle 15 14 13 12 11 10 9 8 7 6 5 4 3 2 1 0
                    (v128.load (i32.const 16)) (local.get $v))))
              (global.set $g
                (select (local.get $v) (global.get $g) (i32.and (local.get $i) (i32.const 1))))
              (v128.store32_lane 2 (i32.const 40) (local.get $v))
              (br_if $l (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1)))
                                  (local.get $n))))
            (i32.add (i32.load (i32.const 40))
              (i32x4.extract_lane 3 (global.get $g)))))"#,
    );
    // Iteration 0 (i even): v = g + reverse(bytes) lanes; g unchanged. Iteration 1 (odd):
    // g = v. Computed here with the same lane arithmetic.
    let reversed =
        |k: u32| u32::from_le_bytes(core::array::from_fn(|b| 15 - (4 * k as u8 + b as u8)));
    let mut g = [1u32, 2, 3, 4];
    let mut v = [0u32; 4];
    let n = 3;
    for i in 0..n {
        for k in 0..4 {
            v[k] = g[k].wrapping_add(reversed(k as u32));
        }
        if i & 1 == 1 {
            g = v;
        }
    }
    let expected = v[2].wrapping_add(g[3]) as i32;
    assert_eq!(i32s(&instance, "run", &[n]), expected);
}
