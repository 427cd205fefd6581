//! The threaded dispatch really compiles to jumps: loops of tens of millions of
//! instructions (one of them through a `br_table`), and of millions of direct, indirect
//! and host calls (which the threaded chain makes itself), run on a thread with a 256 KiB
//! native stack. If a handler called the next one without a sibling call, every executed
//! instruction would take stack space and this test would die of a stack overflow (it
//! does not merely fail: the process aborts). Meaningful in optimised builds, where the
//! threaded dispatch is chosen; the README's test command runs it there. In other builds
//! it checks the portable loop the same way.

use std::rc::Rc;
use std::sync::Arc;
use wasm_core::{RuntimeValue, Signature, Trap};
use wasm_exec::{ExecEngine, Metering, Translation};
use wasm_runtime::{
    Error, Externals, FuncInstance, FuncRef, ImportsBuilder, LoadedModule, ModuleImportResolver,
    ModuleInstance, RuntimeArgs,
};

const LOOP: &str = r#"(module
  (func (export "count") (param $n i32) (result i32)
    (local $i i32) (local $x i32)
    (loop $next
      (local.set $x (i32.xor (local.get $x) (i32.mul (local.get $i) (i32.const 7))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $next (i32.lt_u (local.get $i) (local.get $n))))
    (local.get $x)))"#;

/// The same through a `br_table` (its handler goes straight to the chosen target's
/// handler, which must be a jump too).
const TABLE: &str = r#"(module
  (func (export "count") (param $n i32) (result i32)
    (local $i i32) (local $x i32)
    (loop $next
      (block $odd
        (block $even
          (br_table $even $odd (i32.and (local.get $i) (i32.const 1))))
        (local.set $x (i32.xor (local.get $x) (i32.mul (local.get $i) (i32.const 7))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br_if $next (i32.lt_u (local.get $i) (local.get $n)))
        (return (local.get $x)))
      (local.set $x (i32.xor (local.get $x) (i32.mul (local.get $i) (i32.const 7))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $next (i32.lt_u (local.get $i) (local.get $n))))
    (local.get $x)))"#;

/// The same through direct and indirect calls, which the chain makes itself (into
/// functions with a few locals and with many, which the chain clears apart).
const CALLS: &str = r#"(module
  (type $step (func (param i32 i32) (result i32)))
  (table 2 funcref)
  (elem (i32.const 0) $mix $mix2)
  (func $mix (param $x i32) (param $i i32) (result i32)
    (local $unused i64)
    (i32.xor (local.get $x) (i32.mul (local.get $i) (i32.const 7))))
  (func $mix2 (param $x i32) (param $i i32) (result i32)
    (local i32 i32 i32 i32 i32 i32 i32 i32 i32 i32)
    (call $mix (local.get $x) (local.get $i)))
  (func (export "count") (param $n i32) (result i32)
    (local $i i32) (local $x i32)
    (loop $next
      (local.set $x (call_indirect (type $step)
        (local.get $x) (local.get $i) (i32.and (local.get $i) (i32.const 1))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $next (i32.lt_u (local.get $i) (local.get $n))))
    (local.get $x)))"#;

/// The same through a host function, which the chain calls itself (its call must be a
/// sibling call too, once the host returns).
const HOST: &str = r#"(module
  (import "env" "mix" (func $mix (param i32 i32) (result i32)))
  (func (export "count") (param $n i32) (result i32)
    (local $i i32) (local $x i32)
    (loop $next
      (local.set $x (call $mix (local.get $x) (local.get $i)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $next (i32.lt_u (local.get $i) (local.get $n))))
    (local.get $x)))"#;

/// `env.mix(x, i)`, the step of the other programs as a host function (index 0).
struct Mix;

impl Externals for Mix {
    fn invoke_index(
        &mut self,
        _index: usize,
        args: RuntimeArgs<'_>,
    ) -> Result<Option<RuntimeValue>, Trap> {
        let (x, i): (i32, i32) = (args.nth_checked(0)?, args.nth_checked(1)?);
        Ok(Some(RuntimeValue::I32(x ^ i.wrapping_mul(7))))
    }
}

impl ModuleImportResolver for Mix {
    fn resolve_func(&self, _field: &str, signature: &Signature) -> Result<FuncRef, Error> {
        Ok(FuncInstance::alloc_host(signature.clone(), 0))
    }
}

/// Code without checks, interruptible code (no interrupt is raised), metered code (with
/// fuel enough), and both: each threads its branches with other handlers.
const METERINGS: [Metering; 4] = [
    Metering {
        fuel: false,
        interrupt: false,
    },
    Metering {
        fuel: false,
        interrupt: true,
    },
    Metering {
        fuel: true,
        interrupt: false,
    },
    Metering {
        fuel: true,
        interrupt: true,
    },
];

fn expected(n: i32) -> i32 {
    (0..n).fold(0, |x, i| x ^ i.wrapping_mul(7))
}

#[test]
fn the_dispatch_of_this_build_is_the_configured_one() {
    let threaded = cfg!(wasmite_threaded);
    assert_eq!(wasm_exec::DISPATCH == "threaded", threaded);
    if cfg!(all(
        not(debug_assertions),
        not(feature = "portable-dispatch"),
        any(target_arch = "x86_64", target_arch = "aarch64")
    )) {
        assert!(
            threaded,
            "optimised x86_64/aarch64 builds use the threaded dispatch"
        );
    }
}

/// Runs export `count` of `wat` with argument `n` on a thread with a 256 KiB stack, in
/// code loaded with `metering` (metered code's branches make their checks, and must stay
/// sibling calls too).
fn count_on_a_small_stack(wat: &'static str, n: i32, metering: Metering) -> Option<RuntimeValue> {
    std::thread::Builder::new()
        .stack_size(256 * 1024)
        .spawn(move || {
            let bytes = wat::parse_str(wat).unwrap();
            let module = Arc::new(wasm_core::decode(&bytes).unwrap());
            let engine = ExecEngine::new();
            let features = wasm_validate::Features::mvp();
            let code = engine
                .load(&module, &features, Translation::Eager, metering)
                .unwrap();
            let loaded = LoadedModule::new(module, Rc::new(engine), code);
            let imports = ImportsBuilder::new().with_resolver("env", &Mix);
            let instance = ModuleInstance::new(&loaded, &imports)
                .unwrap()
                .assert_no_start();
            instance.set_fuel(u64::MAX);
            instance
                .invoke_export("count", &[RuntimeValue::I32(n)], &mut Mix)
                .unwrap()
        })
        .unwrap()
        .join()
        .unwrap()
}

#[test]
fn millions_of_instructions_run_on_a_small_native_stack() {
    let n = if cfg!(miri) { 1_000 } else { 10_000_000 };
    for wat in [LOOP, TABLE] {
        for metering in METERINGS {
            assert_eq!(
                count_on_a_small_stack(wat, n, metering),
                Some(RuntimeValue::I32(expected(n))),
                "{metering:?}"
            );
        }
    }
}

#[test]
fn millions_of_calls_run_on_a_small_native_stack() {
    let n = if cfg!(miri) { 100 } else { 2_000_000 };
    for wat in [CALLS, HOST] {
        for metering in METERINGS {
            assert_eq!(
                count_on_a_small_stack(wat, n, metering),
                Some(RuntimeValue::I32(expected(n))),
                "{metering:?}"
            );
        }
    }
}
