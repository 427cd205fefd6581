//! `v128` through the API and the engine: vectors in calls (mixed with scalars), globals,
//! host functions, blocks, branches, `select`, locals, and a SIMD loop over memory.

use wasmite::{
    Error, Externals, FuncInstance, FuncRef, GlobalInstance, ImportsBuilder, Module,
    ModuleImportResolver, ModuleInstance, ModuleRef, NopExternals, RuntimeArgs, RuntimeValue,
    Signature, Trap, TrapCode, V128, ValType, Value,
};

mod common;
use common::{call_with, func};

fn instantiate_with(text: &str, imports: &ImportsBuilder<'_>) -> ModuleRef {
    let module = Module::from_buffer(text).expect("module loads with the default features");
    ModuleInstance::new(&module, imports)
        .expect("module instantiates")
        .assert_no_start()
}

fn instantiate(text: &str) -> ModuleRef {
    instantiate_with(text, &ImportsBuilder::default())
}

fn call(instance: &ModuleRef, name: &str, args: &[Value]) -> Vec<Value> {
    call_with(instance, name, args, &mut NopExternals).expect("the call returns")
}

fn i32x4(lanes: [i32; 4]) -> Value {
    Value::V128(V128::from_i32x4(lanes))
}

#[test]
fn vectors_mixed_with_scalars_go_in_and_come_back_in_order() {
    let instance = instantiate(
        r#"(module
          (func (export "add") (param v128 v128) (result v128)
            (i32x4.add (local.get 0) (local.get 1)))
          (func (export "rotate") (param i32 v128 i64 v128) (result v128 i64 v128 i32)
            local.get 1 local.get 2 local.get 3 local.get 0)
          (func (export "via_call") (param i32 v128 i64 v128) (result v128 i64 v128 i32)
            (call $inner (local.get 0) (local.get 1) (local.get 2) (local.get 3)))
          (func $inner (param i32 v128 i64 v128) (result v128 i64 v128 i32)
            (local v128 i32)
            (local.set 4 (i32x4.mul (local.get 1) (local.get 3)))
            (local.set 5 (i32.add (local.get 0) (i32x4.extract_lane 2 (local.get 4))))
            local.get 4 local.get 2 local.get 1 local.get 5))"#,
    );
    assert_eq!(
        call(
            &instance,
            "add",
            &[i32x4([1, 2, 3, 4]), i32x4([10, 20, 30, -4])]
        ),
        [i32x4([11, 22, 33, 0])]
    );
    let (a, b) = (i32x4([1, -2, 3, 4]), i32x4([5, 6, 7, 8]));
    let args = [Value::I32(7), a.clone(), Value::I64(-9), b.clone()];
    assert_eq!(
        call(&instance, "rotate", &args),
        [a.clone(), Value::I64(-9), b, Value::I32(7)]
    );
    assert_eq!(
        call(&instance, "via_call", &args),
        [i32x4([5, -12, 21, 32]), Value::I64(-9), a, Value::I32(28)]
    );
}

#[test]
fn a_vector_of_the_wrong_type_or_in_a_seed_call_is_refused() {
    let instance =
        instantiate(r#"(module (func (export "id") (param v128) (result v128) local.get 0))"#);
    let f = func(&instance, "id");
    assert!(
        f.signature().params().is_empty(),
        "the seed's view has no v128"
    );
    assert_eq!(f.signature().param_types(), [ValType::V128]);
    let mut results = [Value::V128(V128::default())];
    let refused =
        FuncInstance::invoke_values(&f, &[Value::I64(1)], &mut results, &mut NopExternals);
    assert!(matches!(
        refused,
        Err(Trap::Code(TrapCode::UnexpectedSignature))
    ));
    // The seed's API carries numbers only.
    let seed = FuncInstance::invoke(&f, &[RuntimeValue::I64(1)], &mut NopExternals);
    assert!(seed.is_err());
    assert!(FuncInstance::invoke_resumable(&f, vec![]).is_err());
}

#[test]
fn vector_globals_are_read_and_written_by_wasm_and_by_the_host() {
    let instance = instantiate(
        r#"(module
          (global $g (export "g") (mut v128) (v128.const i32x4 1 2 3 4))
          (global $k (export "k") v128 (v128.const i64x2 -1 7))
          (func (export "bump") (result v128)
            (global.set $g (i32x4.add (global.get $g) (global.get $k)))
            (global.get $g)))"#,
    );
    let global = |name: &str| {
        instance
            .export_by_name(name)
            .and_then(|e| e.as_global().cloned())
            .expect("global export")
    };
    let g = global("g");
    assert_eq!(g.val_type(), ValType::V128);
    assert_eq!(g.get_value(), i32x4([1, 2, 3, 4]));
    // `k` as i32 lanes: -1, -1, 7, 0.
    let bumped = i32x4([0, 1, 10, 4]);
    assert_eq!(
        call(&instance, "bump", &[])[..],
        *core::slice::from_ref(&bumped)
    );
    assert_eq!(g.get_value(), bumped);
    g.set_value(i32x4([-1, -1, -1, -1])).unwrap();
    assert_eq!(call(&instance, "bump", &[]), [i32x4([-2, -2, 6, -1])]);
    assert!(global("k").set_value(i32x4([0; 4])).is_err(), "immutable");
    assert!(g.set_value(Value::I32(0)).is_err(), "mistyped");
    // A host global of type v128, imported.
    let host = GlobalInstance::alloc_value(i32x4([100, 200, 300, 400]), false);
    struct Env(wasmite::GlobalRef);
    impl ModuleImportResolver for Env {
        fn resolve_global(
            &self,
            _: &str,
            _: &wasmite::GlobalDescriptor,
        ) -> Result<wasmite::GlobalRef, Error> {
            Ok(self.0.clone())
        }
    }
    let env = Env(host);
    let imports = ImportsBuilder::new().with_resolver("env", &env);
    let importer = instantiate_with(
        r#"(module (import "env" "g" (global v128))
          (global $copy v128 (global.get 0))
          (func (export "sum") (result i32)
            (i32x4.extract_lane 3 (i32x4.add (global.get 0) (global.get $copy)))))"#,
        &imports,
    );
    assert_eq!(call(&importer, "sum", &[]), [Value::I32(800)]);
}

/// Host function 0: `(v128, i32) -> (v128, i32)`: doubles each i32 lane, returns the sum
/// of the lanes plus the i32.
struct Doubler;

impl Externals for Doubler {
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
            (0, [Value::V128(v), Value::I32(k)]) => {
                let lanes = v.to_i32x4();
                results[0] = Value::V128(V128::from_i32x4(lanes.map(|x| x * 2)));
                results[1] = Value::I32(lanes.iter().sum::<i32>() + k);
                Ok(())
            }
            _ => Err(Trap::Code(TrapCode::UnexpectedSignature)),
        }
    }
}

impl ModuleImportResolver for Doubler {
    fn resolve_func(&self, _: &str, signature: &Signature) -> Result<FuncRef, Error> {
        let expected = Signature::from_types(
            vec![ValType::V128, ValType::I32],
            vec![ValType::V128, ValType::I32],
        );
        assert_eq!(*signature, expected);
        Ok(FuncInstance::alloc_host(expected, 0))
    }
}

#[test]
fn host_functions_take_and_return_vectors() {
    let imports = ImportsBuilder::new().with_resolver("host", &Doubler);
    let instance = instantiate_with(
        r#"(module
          (import "host" "double" (func $double (param v128 i32) (result v128 i32)))
          (func (export "twice") (param v128) (result v128 i32)
            (local i32)
            (call $double (local.get 0) (i32.const 1))
            local.set 1
            i32.const 0
            call $double
            local.get 1
            i32.add))"#,
        &imports,
    );
    assert_eq!(
        call_with(&instance, "twice", &[i32x4([1, 2, 3, 4])], &mut Doubler).unwrap(),
        [i32x4([4, 8, 12, 16]), Value::I32(11 + 20)]
    );
}

#[test]
fn vectors_flow_through_blocks_branches_and_select() {
    let instance = instantiate(
        r#"(module
          (func (export "pick") (param v128 v128 i32) (result v128)
            (select (local.get 0) (local.get 1) (local.get 2)))
          (func (export "typed_pick") (param v128 v128 i32) (result v128)
            (select (result v128) (local.get 0) (local.get 1) (local.get 2)))
          (func (export "blocks") (param v128 i32) (result v128 i32)
            (local.get 0)
            (local.get 1)
            (block (param v128 i32) (result v128 i32)
              (br_if 0 (i32.eqz (local.get 1)))
              drop
              (i32x4.neg)
              (i32.const 5))
            (if (param v128 i32) (result v128 i32) (i32.ge_s (local.get 1) (i32.const 2))
              (then (i32.add (i32.const 100)) (return))
              (else)))
          (func (export "table") (param v128 i32) (result v128)
            (block (result v128)
              (block (result v128)
                (local.get 0)
                (br_table 0 1 (local.get 1)))
              (i8x16.abs))
            (v128.not))
          (func (export "drop_tee") (param v128) (result v128)
            (local v128)
            (i32x4.splat (i32.const 9))
            (drop (local.tee 1 (local.get 0)))
            (drop)
            (i32x4.add (local.get 1) (local.get 1))))"#,
    );
    let (a, b) = (i32x4([1, 2, 3, 4]), i32x4([5, 6, 7, 8]));
    for name in ["pick", "typed_pick"] {
        let args = |cond| [a.clone(), b.clone(), Value::I32(cond)];
        assert_eq!(
            call(&instance, name, &args(1))[..],
            *core::slice::from_ref(&a)
        );
        assert_eq!(
            call(&instance, name, &args(0))[..],
            *core::slice::from_ref(&b)
        );
    }
    assert_eq!(
        call(&instance, "blocks", &[a.clone(), Value::I32(0)]),
        [a.clone(), Value::I32(0)]
    );
    assert_eq!(
        call(&instance, "blocks", &[a.clone(), Value::I32(1)]),
        [i32x4([-1, -2, -3, -4]), Value::I32(5)]
    );
    assert_eq!(
        call(&instance, "blocks", &[a.clone(), Value::I32(3)]),
        [i32x4([-1, -2, -3, -4]), Value::I32(105)]
    );
    let minus = Value::V128(V128::from_i8x16([-3; 16]));
    // Index 0: through `i8x16.abs`, then `v128.not`; 1 (and the default): `v128.not` only.
    assert_eq!(
        call(&instance, "table", &[minus.clone(), Value::I32(0)]),
        [Value::V128(V128::from_i8x16([!3; 16]))]
    );
    assert_eq!(
        call(&instance, "table", &[minus.clone(), Value::I32(7)]),
        [Value::V128(V128::from_i8x16([2; 16]))]
    );
    assert_eq!(call(&instance, "drop_tee", &[a]), [i32x4([2, 4, 6, 8])]);
}

#[test]
fn a_simd_loop_over_memory_computes_what_scalar_code_does() {
    // The dot product of two i32 arrays of `n` (a multiple of 4) elements at 0 and 4096,
    // with a constant vector and a shuffle inside the loop, against the scalar sum.
    let instance = instantiate(
        r#"(module
          (memory 1)
          (func (export "fill") (param $n i32) (local $i i32)
            (loop $l
              (i32.store (i32.shl (local.get $i) (i32.const 2)) (i32.sub (local.get $i) (i32.const 50)))
              (i32.store offset=4096 (i32.shl (local.get $i) (i32.const 2)) (i32.mul (local.get $i) (i32.const 3)))
              (br_if $l (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (local.get $n)))))
          (func (export "dot") (param $n i32) (result i32) (local $i i32) (local $acc v128)
            (loop $l
              (local.set $acc
                (i32x4.add (local.get $acc)
                  (i32x4.mul
                    (v128.and (v128.load (local.get $i)) (v128.const i32x4 -1 -1 -1 -1))
                    (i8x16.shuffle 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15
                      (v128.load offset=4096 (local.get $i)) (v128.const i64x2 0 0)))))
              (br_if $l (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 16)))
                                  (i32.shl (local.get $n) (i32.const 2)))))
            (i32.add
              (i32.add (i32x4.extract_lane 0 (local.get $acc)) (i32x4.extract_lane 1 (local.get $acc)))
              (i32.add (i32x4.extract_lane 2 (local.get $acc)) (i32x4.extract_lane 3 (local.get $acc)))))
          (func (export "store_lanes") (result i64)
            (v128.store8_lane 15 (i32.const 9000) (v128.const i8x16 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 -7))
            (v128.store16_lane 1 (i32.const 9002) (v128.const i16x8 0 300 0 0 0 0 0 0))
            (i64.load (i32.const 9000))))"#,
    );
    let n = 64;
    call(&instance, "fill", &[Value::I32(n)]);
    let expected: i32 = (0..n).map(|i| (i - 50) * (i * 3)).sum();
    assert_eq!(
        call(&instance, "dot", &[Value::I32(n)]),
        [Value::I32(expected)]
    );
    assert_eq!(
        call(&instance, "store_lanes", &[]),
        [Value::I64(0xf9 | 300 << 16)]
    );
}

#[test]
fn a_vector_load_out_of_bounds_traps() {
    let instance = instantiate(
        r#"(module (memory 1)
          (func (export "load") (param i32) (result v128) (v128.load (local.get 0)))
          (func (export "lane") (param i32) (result v128)
            (v128.load32_lane 1 (local.get 0) (v128.const i64x2 0 0))))"#,
    );
    let edge = 65536 - 16;
    assert!(call_with(&instance, "load", &[Value::I32(edge)], &mut NopExternals).is_ok());
    for name in ["load", "lane"] {
        let trap = call_with(&instance, name, &[Value::I32(edge + 13)], &mut NopExternals);
        assert!(
            matches!(trap, Err(Trap::Code(TrapCode::MemoryAccessOutOfBounds))),
            "{name}: {trap:?}"
        );
    }
}
