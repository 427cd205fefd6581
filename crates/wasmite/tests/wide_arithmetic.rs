//! Wide arithmetic: 128-bit sums, differences and 64×64-bit products as pairs of `i64`s
//! (low half first).

use wasmite::{
    Config, ExternVal, Features, FuncInstance, ImportsBuilder, Module, ModuleInstance, ModuleRef,
    NopExternals, RuntimeValue,
};

const WIDE: &str = r#"(module
  (func (export "add128") (param i64 i64 i64 i64) (result i64 i64)
    (i64.add128 (local.get 0) (local.get 1) (local.get 2) (local.get 3)))
  (func (export "sub128") (param i64 i64 i64 i64) (result i64 i64)
    (i64.sub128 (local.get 0) (local.get 1) (local.get 2) (local.get 3)))
  (func (export "mul_wide_s") (param i64 i64) (result i64 i64)
    (i64.mul_wide_s (local.get 0) (local.get 1)))
  (func (export "mul_wide_u") (param i64 i64) (result i64 i64)
    (i64.mul_wide_u (local.get 0) (local.get 1)))
  ;; The high half of a product, the low one dropped: results used as operands.
  (func (export "mul_high_u") (param i64 i64) (result i64)
    (local $high i64)
    (i64.mul_wide_u (local.get 0) (local.get 1))
    (local.set $high)
    (drop)
    (local.get $high)))"#;

fn instance() -> ModuleRef {
    let config = Config::new().features(Features {
        wide_arithmetic: true,
        ..Features::wasm2()
    });
    let module = Module::from_buffer_with_config(wat::parse_str(WIDE).unwrap(), &config).unwrap();
    ModuleInstance::new(&module, &ImportsBuilder::default())
        .unwrap()
        .assert_no_start()
}

/// The two results of export `name` called with `args`, as one 128-bit integer.
fn wide(instance: &ModuleRef, name: &str, args: &[u64]) -> u128 {
    let Some(ExternVal::Func(func)) = instance.export_by_name(name) else {
        panic!("{name}")
    };
    let args: Vec<_> = args.iter().map(|&x| RuntimeValue::I64(x as i64)).collect();
    let mut results = [RuntimeValue::I64(0); 2];
    FuncInstance::invoke_into(&func, &args, &mut results, &mut NopExternals).unwrap();
    let [RuntimeValue::I64(low), RuntimeValue::I64(high)] = results else {
        panic!("{results:?}")
    };
    (u128::from(high as u64) << 64) | u128::from(low as u64)
}

fn halves(x: u128) -> [u64; 2] {
    [x as u64, (x >> 64) as u64]
}

#[test]
fn wide_arithmetic_is_refused_unless_the_feature_is_on() {
    let error = Module::from_buffer(wat::parse_str(WIDE).unwrap()).unwrap_err();
    assert!(error.to_string().contains("wide-arithmetic"), "{error}");
}

#[test]
fn sums_and_differences_carry_between_the_halves_and_wrap() {
    let instance = instance();
    let cases = [
        (u128::from(u64::MAX), 1),
        (u128::MAX, 1),
        (0, 1),
        (
            0x1234_5678_9abc_def0_0fed_cba9_8765_4321,
            0xffff_0000_ffff_0000_ffff_0000_ffff_0000,
        ),
    ];
    for (a, b) in cases {
        let [a0, a1] = halves(a);
        let [b0, b1] = halves(b);
        assert_eq!(
            wide(&instance, "add128", &[a0, a1, b0, b1]),
            a.wrapping_add(b)
        );
        assert_eq!(
            wide(&instance, "sub128", &[a0, a1, b0, b1]),
            a.wrapping_sub(b)
        );
    }
}

#[test]
fn products_are_exact() {
    let instance = instance();
    for (a, b) in [
        (u64::MAX, u64::MAX),
        (i64::MIN as u64, i64::MIN as u64),
        (i64::MIN as u64, 1),
        (u64::MAX, 2),
        (0x1234_5678_9abc_def0, 0x0fed_cba9_8765_4321),
    ] {
        assert_eq!(
            wide(&instance, "mul_wide_u", &[a, b]),
            u128::from(a) * u128::from(b)
        );
        let signed = i128::from(a as i64) * i128::from(b as i64);
        assert_eq!(wide(&instance, "mul_wide_s", &[a, b]), signed as u128);
    }
    let high = instance
        .invoke_export(
            "mul_high_u",
            &[RuntimeValue::I64(-1), RuntimeValue::I64(-1)],
            &mut NopExternals,
        )
        .unwrap();
    assert_eq!(high, Some(RuntimeValue::I64(-2)));
}
