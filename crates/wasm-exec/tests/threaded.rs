//! The threaded dispatch really compiles to jumps: loops of tens of millions of
//! instructions (one of them through a `br_table`), of millions of direct, indirect and
//! host calls (which the threaded chain makes itself), of calls through typed function
//! references (which leave the chain for the engine), and of every SIMD instruction, run
//! on a thread with a 256 KiB native stack. If a handler called the next one without a sibling call, every executed
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

/// SIMD operators `[v128] -> [v128]`.
const UNARY: &[&str] = &[
    "v128.not",
    "i8x16.abs",
    "i8x16.neg",
    "i8x16.popcnt",
    "i16x8.extadd_pairwise_i8x16_s",
    "i16x8.extadd_pairwise_i8x16_u",
    "i16x8.abs",
    "i16x8.neg",
    "i16x8.extend_low_i8x16_s",
    "i16x8.extend_high_i8x16_s",
    "i16x8.extend_low_i8x16_u",
    "i16x8.extend_high_i8x16_u",
    "i32x4.extadd_pairwise_i16x8_s",
    "i32x4.extadd_pairwise_i16x8_u",
    "i32x4.abs",
    "i32x4.neg",
    "i32x4.extend_low_i16x8_s",
    "i32x4.extend_high_i16x8_s",
    "i32x4.extend_low_i16x8_u",
    "i32x4.extend_high_i16x8_u",
    "i64x2.abs",
    "i64x2.neg",
    "i64x2.extend_low_i32x4_s",
    "i64x2.extend_high_i32x4_s",
    "i64x2.extend_low_i32x4_u",
    "i64x2.extend_high_i32x4_u",
    "f32x4.ceil",
    "f32x4.floor",
    "f32x4.trunc",
    "f32x4.nearest",
    "f32x4.abs",
    "f32x4.neg",
    "f32x4.sqrt",
    "f64x2.ceil",
    "f64x2.floor",
    "f64x2.trunc",
    "f64x2.nearest",
    "f64x2.abs",
    "f64x2.neg",
    "f64x2.sqrt",
    "i32x4.trunc_sat_f32x4_s",
    "i32x4.trunc_sat_f32x4_u",
    "f32x4.convert_i32x4_s",
    "f32x4.convert_i32x4_u",
    "i32x4.trunc_sat_f64x2_s_zero",
    "i32x4.trunc_sat_f64x2_u_zero",
    "f64x2.convert_low_i32x4_s",
    "f64x2.convert_low_i32x4_u",
    "f32x4.demote_f64x2_zero",
    "f64x2.promote_low_f32x4",
    "i32x4.relaxed_trunc_f32x4_s",
    "i32x4.relaxed_trunc_f32x4_u",
    "i32x4.relaxed_trunc_f64x2_s_zero",
    "i32x4.relaxed_trunc_f64x2_u_zero",
];

/// SIMD operators `[v128] -> [i32]`.
const TESTS: &[&str] = &[
    "v128.any_true",
    "i8x16.all_true",
    "i8x16.bitmask",
    "i16x8.all_true",
    "i16x8.bitmask",
    "i32x4.all_true",
    "i32x4.bitmask",
    "i64x2.all_true",
    "i64x2.bitmask",
];

/// SIMD operators `[v128 v128] -> [v128]` (`i8x16.shuffle` aside).
const BINARY: &[&str] = &[
    "i8x16.swizzle",
    "i8x16.eq",
    "i8x16.ne",
    "i8x16.lt_s",
    "i8x16.lt_u",
    "i8x16.gt_s",
    "i8x16.gt_u",
    "i8x16.le_s",
    "i8x16.le_u",
    "i8x16.ge_s",
    "i8x16.ge_u",
    "i16x8.eq",
    "i16x8.ne",
    "i16x8.lt_s",
    "i16x8.lt_u",
    "i16x8.gt_s",
    "i16x8.gt_u",
    "i16x8.le_s",
    "i16x8.le_u",
    "i16x8.ge_s",
    "i16x8.ge_u",
    "i32x4.eq",
    "i32x4.ne",
    "i32x4.lt_s",
    "i32x4.lt_u",
    "i32x4.gt_s",
    "i32x4.gt_u",
    "i32x4.le_s",
    "i32x4.le_u",
    "i32x4.ge_s",
    "i32x4.ge_u",
    "i64x2.eq",
    "i64x2.ne",
    "i64x2.lt_s",
    "i64x2.gt_s",
    "i64x2.le_s",
    "i64x2.ge_s",
    "f32x4.eq",
    "f32x4.ne",
    "f32x4.lt",
    "f32x4.gt",
    "f32x4.le",
    "f32x4.ge",
    "f64x2.eq",
    "f64x2.ne",
    "f64x2.lt",
    "f64x2.gt",
    "f64x2.le",
    "f64x2.ge",
    "v128.and",
    "v128.andnot",
    "v128.or",
    "v128.xor",
    "i8x16.narrow_i16x8_s",
    "i8x16.narrow_i16x8_u",
    "i8x16.add",
    "i8x16.add_sat_s",
    "i8x16.add_sat_u",
    "i8x16.sub",
    "i8x16.sub_sat_s",
    "i8x16.sub_sat_u",
    "i8x16.min_s",
    "i8x16.min_u",
    "i8x16.max_s",
    "i8x16.max_u",
    "i8x16.avgr_u",
    "i16x8.q15mulr_sat_s",
    "i16x8.narrow_i32x4_s",
    "i16x8.narrow_i32x4_u",
    "i16x8.add",
    "i16x8.add_sat_s",
    "i16x8.add_sat_u",
    "i16x8.sub",
    "i16x8.sub_sat_s",
    "i16x8.sub_sat_u",
    "i16x8.mul",
    "i16x8.min_s",
    "i16x8.min_u",
    "i16x8.max_s",
    "i16x8.max_u",
    "i16x8.avgr_u",
    "i16x8.extmul_low_i8x16_s",
    "i16x8.extmul_high_i8x16_s",
    "i16x8.extmul_low_i8x16_u",
    "i16x8.extmul_high_i8x16_u",
    "i32x4.add",
    "i32x4.sub",
    "i32x4.mul",
    "i32x4.min_s",
    "i32x4.min_u",
    "i32x4.max_s",
    "i32x4.max_u",
    "i32x4.dot_i16x8_s",
    "i32x4.extmul_low_i16x8_s",
    "i32x4.extmul_high_i16x8_s",
    "i32x4.extmul_low_i16x8_u",
    "i32x4.extmul_high_i16x8_u",
    "i64x2.add",
    "i64x2.sub",
    "i64x2.mul",
    "i64x2.extmul_low_i32x4_s",
    "i64x2.extmul_high_i32x4_s",
    "i64x2.extmul_low_i32x4_u",
    "i64x2.extmul_high_i32x4_u",
    "f32x4.add",
    "f32x4.sub",
    "f32x4.mul",
    "f32x4.div",
    "f32x4.min",
    "f32x4.max",
    "f32x4.pmin",
    "f32x4.pmax",
    "f64x2.add",
    "f64x2.sub",
    "f64x2.mul",
    "f64x2.div",
    "f64x2.min",
    "f64x2.max",
    "f64x2.pmin",
    "f64x2.pmax",
    "i8x16.relaxed_swizzle",
    "f32x4.relaxed_min",
    "f32x4.relaxed_max",
    "f64x2.relaxed_min",
    "f64x2.relaxed_max",
    "i16x8.relaxed_q15mulr_s",
    "i16x8.relaxed_dot_i8x16_i7x16_s",
];

/// SIMD operators `[v128 i32] -> [v128]`.
const SHIFTS: &[&str] = &[
    "i8x16.shl",
    "i8x16.shr_s",
    "i8x16.shr_u",
    "i16x8.shl",
    "i16x8.shr_s",
    "i16x8.shr_u",
    "i32x4.shl",
    "i32x4.shr_s",
    "i32x4.shr_u",
    "i64x2.shl",
    "i64x2.shr_s",
    "i64x2.shr_u",
];

/// SIMD operators `[v128 v128 v128] -> [v128]`.
const TERNARY: &[&str] = &[
    "v128.bitselect",
    "f32x4.relaxed_madd",
    "f32x4.relaxed_nmadd",
    "f64x2.relaxed_madd",
    "f64x2.relaxed_nmadd",
    "i8x16.relaxed_laneselect",
    "i16x8.relaxed_laneselect",
    "i32x4.relaxed_laneselect",
    "i64x2.relaxed_laneselect",
    "i32x4.relaxed_dot_i8x16_i7x16_add_s",
];

/// SIMD operators `[t] -> [v128]`.
const SPLATS: &[&str] = &[
    "i8x16.splat",
    "i16x8.splat",
    "i32x4.splat",
    "i64x2.splat",
    "f32x4.splat",
    "f64x2.splat",
];

/// SIMD operators `[v128] -> [t]`, with a lane.
const EXTRACTS: &[&str] = &[
    "i8x16.extract_lane_s",
    "i8x16.extract_lane_u",
    "i16x8.extract_lane_s",
    "i16x8.extract_lane_u",
    "i32x4.extract_lane",
    "i64x2.extract_lane",
    "f32x4.extract_lane",
    "f64x2.extract_lane",
];

/// SIMD operators `[v128 t] -> [v128]`, with a lane.
const REPLACES: &[&str] = &[
    "i8x16.replace_lane",
    "i16x8.replace_lane",
    "i32x4.replace_lane",
    "i64x2.replace_lane",
    "f32x4.replace_lane",
    "f64x2.replace_lane",
];

/// SIMD operators `[i32] -> [v128]`.
const LOADS: &[&str] = &[
    "v128.load",
    "v128.load8x8_s",
    "v128.load8x8_u",
    "v128.load16x4_s",
    "v128.load16x4_u",
    "v128.load32x2_s",
    "v128.load32x2_u",
    "v128.load8_splat",
    "v128.load16_splat",
    "v128.load32_splat",
    "v128.load64_splat",
    "v128.load32_zero",
    "v128.load64_zero",
];

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
    run_on_a_small_stack(wat.to_string(), wasm_validate::Features::mvp(), n, metering)
}

/// [`count_on_a_small_stack`] of any module text, with the proposals of `features`.
fn run_on_a_small_stack(
    wat: String,
    features: wasm_validate::Features,
    n: i32,
    metering: Metering,
) -> Option<RuntimeValue> {
    std::thread::Builder::new()
        .stack_size(256 * 1024)
        .spawn(move || {
            let bytes = wat::parse_str(wat).unwrap();
            let module = Arc::new(wasm_core::decode(&bytes).unwrap());
            let engine = ExecEngine::new();
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

/// The same count as a loop of tail calls, direct and through a table (which the chain
/// makes itself, in the frame it replaces), into functions with and without locals.
const TAIL_CALLS: &str = r#"(module
  (type $step (func (param i32 i32 i32) (result i32)))
  (table 2 funcref)
  (elem (i32.const 0) $even $odd)
  (func $count (param $x i32) (param $i i32) (param $n i32) (result i32)
    (if (i32.ge_u (local.get $i) (local.get $n)) (then (return (local.get $x))))
    (return_call_indirect (type $step)
      (i32.xor (local.get $x) (i32.mul (local.get $i) (i32.const 7)))
      (i32.add (local.get $i) (i32.const 1))
      (local.get $n)
      (i32.and (local.get $i) (i32.const 1))))
  (func $even (param $x i32) (param $i i32) (param $n i32) (result i32)
    (return_call $count (local.get $x) (local.get $i) (local.get $n)))
  (func $odd (param $x i32) (param $i i32) (param $n i32) (result i32)
    (local i32 i32 i32 i32 i32 i32 i32 i32 i32 i32)
    (return_call $count (local.get $x) (local.get $i) (local.get $n)))
  (func (export "count") (param $n i32) (result i32)
    (call $count (i32.const 0) (i32.const 0) (local.get $n))))"#;

#[test]
fn millions_of_tail_calls_run_on_a_small_native_stack() {
    let n = if cfg!(miri) { 100 } else { 2_000_000 };
    let features = wasm_validate::Features {
        tail_call: true,
        ..wasm_validate::Features::wasm2()
    };
    for metering in METERINGS {
        assert_eq!(
            run_on_a_small_stack(TAIL_CALLS.to_string(), features, n, metering),
            Some(RuntimeValue::I32(expected(n))),
            "{metering:?}"
        );
    }
}

/// The same count through typed function references: every iteration calls through a
/// reference (`call_ref`, and `return_call_ref` from a function in between), tests it
/// with `br_on_null` (not taken), `ref.as_non_null` and `br_on_non_null` (taken, carrying
/// it), so the chain's null tests and its exits to the engine run millions of times.
const TYPED_REFS: &str = r#"(module
  (type $step (func (param i32 i32) (result i32)))
  (func $mix (type $step)
    (i32.xor (local.get 0) (i32.mul (local.get 1) (i32.const 7))))
  (func $via (param i32 i32 (ref $step)) (result i32)
    (return_call_ref $step (local.get 0) (local.get 1) (local.get 2)))
  (elem declare func $mix)
  (func (export "count") (param $n i32) (result i32)
    (local $i i32) (local $x i32) (local $f (ref null $step))
    (local.set $f (ref.func $mix))
    (loop $next
      (block $null
        (local.set $x (call_ref $step (local.get $x) (local.get $i)
          (ref.as_non_null (br_on_null $null (local.get $f))))))
      (local.set $x (i32.xor (local.get $x) (i32.mul (local.get $i) (i32.const 7))))
      (local.set $x (call $via (local.get $x) (local.get $i)
        (block $some (result (ref $step))
          (br_on_non_null $some (local.get $f))
          (unreachable))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $next (i32.lt_u (local.get $i) (local.get $n))))
    (local.get $x)))"#;

#[test]
fn millions_of_typed_reference_calls_run_on_a_small_native_stack() {
    let n = if cfg!(miri) { 100 } else { 2_000_000 };
    // Each iteration mixes `i` in three times: the count's value mixed in once.
    for metering in METERINGS {
        assert_eq!(
            run_on_a_small_stack(
                TYPED_REFS.to_string(),
                wasm_validate::Features::wasm3(),
                n,
                metering
            ),
            Some(RuntimeValue::I32(expected(n))),
            "{metering:?}"
        );
    }
}

/// A loop running every SIMD and relaxed-SIMD instruction once per iteration, on
/// vectors and scalars that change every time; returns a checksum of them all.
fn simd_loop() -> String {
    let mut body = String::new();
    for op in UNARY {
        body += &format!("(local.set $v ({op} (local.get $v)))\n");
    }
    for op in TESTS {
        body += &format!("(local.set $x (i32.add (local.get $x) ({op} (local.get $v))))\n");
    }
    for op in BINARY {
        body += &format!("(local.set $v ({op} (local.get $v) (local.get $w)))\n");
    }
    for op in SHIFTS {
        body += &format!("(local.set $v ({op} (local.get $v) (local.get $i)))\n");
    }
    for op in TERNARY {
        body += &format!("(local.set $w ({op} (local.get $v) (local.get $w) (local.get $v)))\n");
    }
    for op in SPLATS {
        let x = match &op[..5] {
            "i64x2" => "(i64.extend_i32_s (local.get $i))",
            "f32x4" => "(f32.convert_i32_s (local.get $i))",
            "f64x2" => "(f64.convert_i32_s (local.get $i))",
            _ => "(local.get $i)",
        };
        body += &format!("(local.set $w (v128.xor (local.get $w) ({op} {x})))\n");
    }
    for op in EXTRACTS {
        let sum = match &op[..5] {
            "i64x2" => format!("(i32.wrap_i64 ({op} 1 (local.get $v)))"),
            "f32x4" => format!("(i32.reinterpret_f32 ({op} 1 (local.get $v)))"),
            "f64x2" => format!("(i32.wrap_i64 (i64.reinterpret_f64 ({op} 1 (local.get $v))))"),
            _ => format!("({op} 1 (local.get $v))"),
        };
        body += &format!("(local.set $x (i32.add (local.get $x) {sum}))\n");
    }
    for op in REPLACES {
        let x = match &op[..5] {
            "i64x2" => "(i64.extend_i32_s (local.get $x))",
            "f32x4" => "(f32.reinterpret_i32 (local.get $x))",
            "f64x2" => "(f64.reinterpret_i64 (i64.extend_i32_u (local.get $x)))",
            _ => "(local.get $x)",
        };
        body += &format!("(local.set $w ({op} 1 (local.get $w) {x}))\n");
    }
    for op in LOADS {
        body += &format!("(local.set $v (v128.xor (local.get $v) ({op} (local.get $a))))\n");
    }
    for width in [8, 16, 32, 64] {
        body += &format!(
            "(local.set $v (v128.load{width}_lane 1 (local.get $a) (local.get $v)))\n\
             (v128.store{width}_lane offset=64 0 (local.get $a) (local.get $w))\n"
        );
    }
    body += "(v128.store offset=128 (local.get $a) (local.get $v))\n\
             (local.set $w (i8x16.shuffle 31 0 17 2 19 4 21 6 23 8 25 10 27 12 29 14 \
                (local.get $v) (local.get $w)))\n\
             (local.set $v (select (local.get $v) (local.get $w) (i32.and (local.get $i) (i32.const 1))))\n\
             (local.set $w (i32x4.add (local.get $w) (v128.const i32x4 1 -2 3 -4)))\n";
    format!(
        r#"(module (memory 1)
          (func (export "count") (param $n i32) (result i32)
            (local $i i32) (local $x i32) (local $a i32) (local $v v128) (local $w v128)
            (local.set $v (v128.const i32x4 1 2 3 4))
            (local.set $w (v128.const i32x4 5 -6 7 -8))
            (loop $next
              (local.set $a (i32.and (i32.mul (local.get $i) (i32.const 40)) (i32.const 4095)))
              {body}
              (local.set $i (i32.add (local.get $i) (i32.const 1)))
              (br_if $next (i32.lt_u (local.get $i) (local.get $n))))
            (i32.add (local.get $x)
              (i32.add (i32x4.extract_lane 0 (local.get $v)) (i32x4.extract_lane 3 (local.get $w))))))"#
    )
}

/// Every SIMD instruction's handler ends in a jump too: tens of thousands of iterations of
/// a loop running each of them, on the small native stack, under every metering (which
/// agree on the result). Ignored under Miri, where parsing and translating the large
/// module takes longer than half an hour; `simd_values_in_slot_pairs` in `engine.rs`
/// takes vector operands through the drivers there.
#[test]
#[cfg_attr(miri, ignore)]
fn every_simd_instruction_runs_on_a_small_native_stack() {
    let n = 20_000;
    let wat = simd_loop();
    let features = wasm_validate::Features {
        relaxed_simd: true,
        ..wasm_validate::Features::wasm2()
    };
    let results: Vec<_> = METERINGS
        .into_iter()
        .map(|metering| run_on_a_small_stack(wat.clone(), features, n, metering))
        .collect();
    assert!(results[0].is_some());
    assert!(results.iter().all(|r| *r == results[0]), "{results:?}");
}
