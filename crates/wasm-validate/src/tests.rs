//! Unit tests for the key rules; the spec suite runs in `tests/spec_invalid.rs`.

use crate::prelude::*;

use crate::{
    Error, Features, FrameKind, FuncValidator, ValidationError, validate, validate_bytes,
    validate_function,
};
use wasm_core::{ValType, ValueType};

fn wat(text: &str) -> Vec<u8> {
    wat::parse_str(text).unwrap_or_else(|e| panic!("bad test module: {e}\n{text}"))
}

/// Validates `text` with `features`; the error message on failure.
fn check_with(text: &str, features: &Features) -> Result<(), String> {
    validate_bytes(&wat(text), features)
        .map(drop)
        .map_err(|e| e.to_string())
}

fn check(text: &str) -> Result<(), String> {
    check_with(text, &Features::mvp())
}

#[track_caller]
fn assert_valid(text: &str) {
    assert_valid_with(text, &Features::mvp());
}

#[track_caller]
fn assert_valid_with(text: &str, features: &Features) {
    if let Err(e) = check_with(text, features) {
        panic!("expected valid, got {e}\n{text}");
    }
}

#[track_caller]
fn assert_invalid(text: &str, expected: &str) {
    assert_invalid_with(text, &Features::mvp(), expected);
}

#[track_caller]
fn assert_invalid_with(text: &str, features: &Features, expected: &str) {
    match check_with(text, features) {
        Ok(()) => panic!("expected {expected:?}, module accepted\n{text}"),
        Err(e) => assert!(
            e.contains(expected),
            "expected {expected:?}, got {e}\n{text}"
        ),
    }
}

/// A module with one `[] -> []` function whose body (after the local declarations) is
/// `code`, for bytes the text format cannot express.
fn module_with_code(code: &[u8]) -> Vec<u8> {
    let mut bytes = b"\0asm\x01\0\0\0".to_vec();
    bytes.extend([0x01, 0x04, 0x01, 0x60, 0x00, 0x00]); // type section: [] -> []
    bytes.extend([0x03, 0x02, 0x01, 0x00]); // function section: one function of type 0
    let body_len = code.len() + 1; // + the local declaration count
    bytes.extend([0x0a, (body_len + 2) as u8, 0x01, body_len as u8, 0x00]);
    bytes.extend(code);
    bytes
}

#[test]
fn error_is_one_pointer_and_prints_offset() {
    assert_eq!(size_of::<ValidationError>(), size_of::<usize>());
    let e = ValidationError::new("type mismatch", 0x2a);
    assert_eq!(e.to_string(), "type mismatch (at offset 0x2a)");
    assert!(!e.is_malformed());
    assert_eq!(e.func_index(), None);
    let e = e.with_func_index(3);
    assert_eq!(
        e.to_string(),
        "in function 3: type mismatch (at offset 0x2a)"
    );
    assert_eq!(
        (e.message(), e.offset(), e.func_index()),
        ("type mismatch", 0x2a, Some(3))
    );
    assert!(ValidationError::malformed("unexpected end", 1).is_malformed());
}

#[test]
fn default_features_are_wasm_2_0() {
    let features = Features::default();
    assert_eq!(features, Features::wasm2());
    assert!(features.mutable_global && features.sign_extension && features.multi_value);
    assert!(features.bulk_memory && features.reference_types);
    assert!(features.simd && !features.relaxed_simd);
    assert!(!features.tail_call && !features.multi_memory);
    let mvp = Features::mvp();
    assert!(mvp.mutable_global && !mvp.sign_extension && !mvp.bulk_memory);
}

#[test]
fn operand_types_are_checked() {
    assert_valid("(module (func (result i32) i32.const 1 i32.const 2 i32.add))");
    assert_valid("(module (func (result i32) f64.const 1 f64.const 2 f64.lt))");
    assert_valid("(module (func (result f32) i64.const 1 f32.convert_i64_u))");
    assert_invalid(
        "(module (func (result i32) i32.const 1 f32.const 2 i32.add))",
        "type mismatch",
    );
    assert_invalid(
        "(module (func (result i32) i64.const 1 i64.eqz i64.eqz))",
        "type mismatch",
    );
    assert_invalid("(module (func i32.const 1 drop drop))", "type mismatch");
    // Values left over, or missing, at the end of the function.
    assert_invalid("(module (func i32.const 1))", "type mismatch");
    assert_invalid("(module (func (result i32)))", "type mismatch");
}

#[test]
fn unreachable_code_is_stack_polymorphic() {
    assert_valid("(module (func (result i32) unreachable i32.add))");
    assert_valid("(module (func (result i64) unreachable select))");
    assert_valid("(module (func (result f32) (block (br 1 (f32.const 0))) f32.const 1))");
    assert_valid("(module (func (result i32) i32.const 0 return i32.eqz))");
    assert_invalid("(module (func (result i32) return))", "type mismatch");
    // Known types above the polymorphic bottom are still checked.
    assert_invalid(
        "(module (func (result i32) unreachable f32.const 0 i32.eqz))",
        "type mismatch",
    );
    assert_invalid(
        "(module (func unreachable i64.const 0 f32.const 0 i32.const 0 select drop))",
        "type mismatch",
    );
}

#[test]
fn locals_and_globals() {
    assert_valid("(module (func (param i32) (local f64) local.get 0 drop local.get 1 drop))");
    assert_invalid(
        "(module (func (param i32) local.get 1 drop))",
        "unknown local",
    );
    assert_invalid(
        "(module (func (local i64) i32.const 0 local.set 0))",
        "type mismatch",
    );
    assert_valid("(module (global (mut i32) (i32.const 0)) (func i32.const 1 global.set 0))");
    assert_invalid(
        "(module (global i32 (i32.const 0)) (func i32.const 1 global.set 0))",
        "global is immutable",
    );
    assert_invalid("(module (func global.get 0 drop))", "unknown global");
}

#[test]
fn blocks_labels_and_branches() {
    assert_valid("(module (func (result i32) (block (result i32) i32.const 1 br 0)))");
    assert_valid("(module (func (loop br 0)))");
    assert_valid(
        "(module (func (param i32) (result i32)
           (block (result i32) (block (result i32) i32.const 1 local.get 0 br_table 0 1 0))))",
    );
    assert_invalid("(module (func br 1))", "unknown label");
    assert_invalid(
        "(module (func (block (result i32) i32.const 0 br_if 0)))",
        "type mismatch",
    );
    // br_table targets must carry the same number of values.
    assert_invalid(
        "(module (func (param i32) (block (block (result i32) i32.const 1 local.get 0 br_table 0 1 0) drop)))",
        "type mismatch",
    );
    // `if` without `else` cannot produce a value.
    assert_invalid(
        "(module (func (result i32) i32.const 1 (if (result i32) (then i32.const 2))))",
        "type mismatch",
    );
    assert_valid(
        "(module (func (result i32) i32.const 1 (if (result i32) (then i32.const 2) (else i32.const 3))))",
    );
}

#[test]
fn calls() {
    assert_valid(
        "(module (type $t (func (param i32) (result i32)))
           (table 1 funcref)
           (func $f (type $t) local.get 0)
           (func (result i32) i32.const 1 call $f i32.const 0 call_indirect (type $t)))",
    );
    assert_invalid("(module (func call 7))", "unknown function");
    assert_invalid("(module (func (param i32)) (func call 0))", "type mismatch");
    assert_invalid(
        "(module (type (func)) (func i32.const 0 call_indirect (type 0)))",
        "unknown table",
    );
    assert_invalid(
        "(module (table 1 funcref) (func i32.const 0 call_indirect (type 5)))",
        "unknown type",
    );
}

#[test]
fn memory_instructions() {
    assert_valid(
        "(module (memory 1) (func (result i64) i32.const 0 i64.load32_u offset=4 align=4))",
    );
    assert_invalid(
        "(module (func (result i32) i32.const 0 i32.load))",
        "unknown memory",
    );
    assert_invalid(
        "(module (memory 1) (func (result i32) i32.const 0 i32.load16_s align=4))",
        "alignment must not be larger than natural",
    );
    assert_invalid(
        "(module (memory 1) (func i32.const 0 f32.const 0 i64.store))",
        "type mismatch",
    );
    assert_valid("(module (memory 1) (func (result i32) i32.const 1 memory.grow))");
}

#[test]
fn module_level_rules() {
    assert_invalid(
        "(module (memory 65537))",
        "memory size must be at most 65536 pages (4GiB)",
    );
    assert_invalid(
        "(module (memory 2 1))",
        "size minimum must not be greater than maximum",
    );
    assert_invalid(
        "(module (table 2 1 funcref))",
        "size minimum must not be greater than maximum",
    );
    assert_invalid("(module (memory 0) (memory 0))", "multiple memories");
    assert_invalid(
        "(module (table 0 funcref) (table 0 funcref))",
        "multiple tables",
    );
    assert_invalid(
        "(module (func) (export \"a\" (func 0)) (export \"a\" (func 0)))",
        "duplicate export name",
    );
    assert_invalid("(module (export \"m\" (memory 0)))", "unknown memory");
    assert_invalid("(module (func (param i32)) (start 0))", "start function");
    assert_invalid("(module (start 0))", "unknown function");
    assert_invalid(
        "(module (type (func)) (import \"m\" \"f\" (func (type 3))))",
        "unknown type",
    );
    assert_invalid("(module (data (i32.const 0) \"x\"))", "unknown memory 0");
    assert_invalid("(module (func) (elem (i32.const 0) 0))", "unknown table 0");
    assert_invalid(
        "(module (table 1 funcref) (elem (i32.const 0) 3))",
        "unknown function 3",
    );
}

#[test]
fn constant_expressions() {
    assert_valid(
        "(module (import \"m\" \"g\" (global i32)) (global i32 (global.get 0))
           (memory 1) (data (global.get 0) \"x\"))",
    );
    assert_invalid(
        "(module (global i32 (i32.const 0)) (global i32 (global.get 0)))",
        "unknown global",
    );
    assert_invalid(
        "(module (import \"m\" \"g\" (global (mut i32))) (global i32 (global.get 0)))",
        "constant expression required",
    );
    assert_invalid(
        "(module (global i32 (i32.const 1) (i32.const 2) (i32.add)))",
        "constant expression required",
    );
    assert_invalid("(module (global i32 (i64.const 0)))", "type mismatch");
    assert_invalid("(module (global i32))", "type mismatch");
    assert_invalid(
        "(module (memory 1) (data (i64.const 0) \"x\"))",
        "type mismatch",
    );
    let extended = Features {
        extended_const: true,
        ..Features::mvp()
    };
    check_with(
        "(module (global i32 (i32.const 1) (i32.const 2) (i32.add)))",
        &extended,
    )
    .unwrap();
}

#[test]
fn proposals_are_gated() {
    let sign_ext = "(module (func (result i32) i32.const 1 i32.extend8_s))";
    let e = check(sign_ext).unwrap_err();
    assert!(e.contains("sign-extension-ops proposal"), "{e}");
    check_with(
        sign_ext,
        &Features {
            sign_extension: true,
            ..Features::mvp()
        },
    )
    .unwrap();

    let sat = "(module (func (result i64) f64.const 1 i64.trunc_sat_f64_u))";
    assert!(
        check(sat)
            .unwrap_err()
            .contains("nontrapping-float-to-int-conversions")
    );
    check_with(
        sat,
        &Features {
            saturating_float_to_int: true,
            ..Features::mvp()
        },
    )
    .unwrap();

    let multi = "(module (func (result i32 i32) i32.const 1 i32.const 2))";
    assert!(check(multi).unwrap_err().contains("invalid result arity"));
    let multi_value = Features {
        multi_value: true,
        ..Features::mvp()
    };
    check_with(multi, &multi_value).unwrap();
    check_with(
        "(module (func (result i32) i32.const 1 (block (param i32) (result i32) i32.const 2 i32.add)))",
        &multi_value,
    )
    .unwrap();

    // SIMD operators reach the validator through their own visitor, and are gated like
    // the others (the `simd_*` tests below check the rest).
    let simd = "(module (func v128.const i64x2 0 0 drop))";
    let e = check(simd).unwrap_err();
    assert!(e.contains("`v128_const` requires the simd proposal"), "{e}");
    let simd_on = Features {
        simd: true,
        ..Features::mvp()
    };
    check_with(simd, &simd_on).unwrap();
}

#[test]
fn bulk_memory() {
    let bulk = Features {
        bulk_memory: true,
        ..Features::mvp()
    };
    let fill = "(module (memory 1) (func i32.const 0 i32.const 0 i32.const 0 memory.fill))";
    assert!(check(fill).unwrap_err().contains("bulk-memory proposal"));
    check_with(fill, &bulk).unwrap();
    check_with(
        "(module (memory 1) (data \"abc\") (func i32.const 0 i32.const 0 i32.const 3 memory.init 0 data.drop 0))",
        &bulk,
    )
    .unwrap();
    let e = check_with(
        "(module (memory 1) (data \"abc\") (func data.drop 1))",
        &bulk,
    )
    .unwrap_err();
    assert!(e.contains("unknown data segment 1"), "{e}");
    let e = check_with("(module (table 1 funcref) (func elem.drop 0))", &bulk).unwrap_err();
    assert!(e.contains("unknown elem segment 0"), "{e}");
    assert!(
        check("(module (memory 1) (data \"passive\"))")
            .unwrap_err()
            .contains("bulk-memory")
    );
}

#[test]
fn binary_problems_in_code_are_malformed() {
    // Trailing bytes after the final `end`.
    let e = validate_bytes(&module_with_code(&[0x0b, 0x01]), &Features::mvp()).unwrap_err();
    assert!(e.is_malformed() && matches!(e, Error::Invalid(_)), "{e}");
    // An unknown opcode.
    let e = validate_bytes(&module_with_code(&[0xff, 0x0b]), &Features::mvp()).unwrap_err();
    assert!(e.is_malformed(), "{e}");
    // No final `end`.
    let e = validate_bytes(&module_with_code(&[0x01]), &Features::mvp()).unwrap_err();
    assert!(e.is_malformed(), "{e}");
    // A plain type error is not malformed, and knows its function and offset.
    let bytes = module_with_code(&[0x41, 0x00, 0x0b]); // i32.const 0 end
    let Error::Invalid(e) = validate_bytes(&bytes, &Features::mvp()).unwrap_err() else {
        panic!("expected a validation error");
    };
    assert!(!e.is_malformed());
    assert!(e.message().contains("type mismatch"));
    assert_eq!(e.func_index(), Some(0));
    assert_eq!(e.offset(), bytes.len() - 1, "points at the final `end`");
    // Garbage is a decode error.
    assert!(matches!(
        validate_bytes(b"\0asm\x02", &Features::mvp()),
        Err(Error::Decode(_))
    ));
}

#[test]
fn func_validator_exposes_the_stacks() {
    let module = wasm_core::decode(&wat("(module (import \"m\" \"f\" (func))
           (func (param i32) (result i32) (local i64 i64)
             (loop (result i32) local.get 0 br_if 0 i32.const 7)))"))
    .unwrap();
    let features = Features::mvp();
    let mut v = FuncValidator::new(&module, &features, 1).unwrap();
    assert_eq!(v.num_locals(), 3);
    assert_eq!(v.local_type(0), Some(ValType::I32));
    assert_eq!(v.local_type(2), Some(ValType::I64));
    assert_eq!(v.local_type(3), None);
    assert_eq!((v.control_height(), v.operand_height()), (1, 0));
    assert_eq!(v.frame(0).unwrap().kind, FrameKind::Function);
    assert_eq!(v.frame(0).unwrap().label_types(), &[ValueType::I32]);

    let body = &module.bodies[0];
    let mut reader = module.operators(&body.code);
    let mut seen_loop = false;
    while !reader.eof() {
        let (op, offset) = reader.read_with_offset().unwrap();
        v.op(offset as usize, &op).unwrap();
        if let wasm_core::wasmparser::Operator::Loop { .. } = op {
            let frame = v.frame(0).unwrap();
            assert_eq!(frame.kind, FrameKind::Loop);
            assert!(
                frame.label_types().is_empty(),
                "a loop's label is its parameters"
            );
            assert_eq!(frame.results, &[ValueType::I32]);
            assert_eq!(v.control_height(), 2);
            assert!(v.frame(2).is_none());
            seen_loop = true;
        }
    }
    assert!(seen_loop);
    v.finish(reader.original_position() as usize).unwrap();
    assert_eq!((v.control_height(), v.operand_height()), (0, 1));
    // Nothing may follow the final `end`.
    let e = v.op(0, &wasm_core::wasmparser::Operator::Nop).unwrap_err();
    assert!(e.is_malformed() && e.func_index() == Some(1), "{e}");

    // Imported functions have no body.
    assert!(FuncValidator::new(&module, &features, 0).is_err());
    assert!(validate_function(&module, &features, 2).is_err());
    validate_function(&module, &features, 1).unwrap();
    validate(&module, &features).unwrap();
}

#[test]
fn func_validator_tracks_unreachable_and_finish() {
    let module = wasm_core::decode(&wat("(module (func (block br 0 nop)))")).unwrap();
    let features = Features::mvp();
    let mut v = FuncValidator::new(&module, &features, 0).unwrap();
    let mut reader = module.operators(&module.bodies[0].code);
    // block, br 0: the block's rest is unreachable.
    for _ in 0..2 {
        let (op, offset) = reader.read_with_offset().unwrap();
        v.op(offset as usize, &op).unwrap();
    }
    assert!(v.is_unreachable());
    assert!(!v.frame(1).unwrap().unreachable);
    let (op, offset) = reader.read_with_offset().unwrap(); // nop
    v.op(offset as usize, &op).unwrap();
    // Finishing with frames open is a binary-format error.
    let e = v.finish(offset as usize + 1).unwrap_err();
    assert!(e.is_malformed(), "{e}");
}

#[test]
fn references_need_the_reference_types_proposal_wherever_they_appear() {
    let cases = [
        "(module (func (param externref)))",
        "(module (func (local funcref)))",
        "(module (global funcref (ref.null func)))",
        r#"(module (import "m" "g" (global externref)))"#,
        "(module (func (block (result externref) unreachable) drop))",
        "(module (func (select (result funcref) (ref.null func) (ref.null func) (i32.const 1)) drop))",
    ];
    for text in cases {
        assert_invalid(text, "reference-types");
        check_with(text, &Features::wasm2()).unwrap_or_else(|e| panic!("{text}: {e}"));
    }
}

// ---- SIMD (simd, relaxed-simd) ---------------------------------------------------------

/// WebAssembly 2.0 with SIMD.
fn simd() -> Features {
    Features {
        simd: true,
        ..Features::wasm2()
    }
}

/// [`simd`] with relaxed SIMD.
fn relaxed_simd() -> Features {
    Features {
        relaxed_simd: true,
        ..simd()
    }
}

/// A module with one memory and a function `(param $a v128) (param $b v128)` whose body
/// is `body`, returning `result`.
fn simd_func(result: &str, body: &str) -> String {
    format!("(module (memory 1) (func (param $a v128) (param $b v128) (result {result}) {body}))")
}

#[test]
fn simd_operators_of_every_family_validate() {
    let text = r#"(module
      (import "m" "v" (global $imported v128))
      (memory 1)
      (global $g (mut v128) (v128.const i32x4 1 2 3 4))
      (global $c v128 (global.get $imported))
      (func $f (export "f") (param $a v128) (param $b v128) (result v128) (local $t v128)
        ;; [v128 v128] -> [v128]
        (local.set $t (i8x16.add (local.get $a) (local.get $b)))
        (drop (i16x8.lt_s (local.get $a) (local.get $b)))
        (drop (i8x16.swizzle (local.get $a) (local.get $b)))
        (drop (i32x4.dot_i16x8_s (local.get $a) (local.get $b)))
        (drop (f64x2.pmax (local.get $a) (local.get $b)))
        ;; [v128] -> [v128]
        (drop (f32x4.sqrt (local.get $a)))
        (drop (i32x4.trunc_sat_f64x2_u_zero (local.get $a)))
        (drop (i16x8.extadd_pairwise_i8x16_u (local.get $a)))
        ;; [v128] -> [i32]
        (drop (i32.eqz (v128.any_true (local.get $a))))
        (drop (i32.eqz (i8x16.bitmask (local.get $a))))
        (drop (i32.eqz (i64x2.all_true (local.get $a))))
        ;; [v128 i32] -> [v128]
        (drop (i64x2.shl (local.get $a) (i32.const 3)))
        (drop (i8x16.shr_u (local.get $a) (i32.const 9)))
        ;; [v128 v128 v128] -> [v128]
        (drop (v128.bitselect (local.get $a) (local.get $b) (local.get $t)))
        ;; [t] -> [v128]
        (drop (i8x16.splat (i32.const 1)))
        (drop (i64x2.splat (i64.const 1)))
        (drop (f32x4.splat (f32.const 1)))
        (drop (f64x2.splat (f64.const 1)))
        ;; lanes out and in, up to the last lane
        (drop (i32.eqz (i8x16.extract_lane_u 15 (local.get $a))))
        (drop (i32.eqz (i16x8.extract_lane_s 7 (local.get $a))))
        (drop (i64.eqz (i64x2.extract_lane 1 (local.get $a))))
        (drop (f32.neg (f32x4.extract_lane 3 (local.get $a))))
        (drop (f64.neg (f64x2.extract_lane 1 (local.get $a))))
        (drop (i16x8.replace_lane 7 (local.get $a) (i32.const 0)))
        (drop (i64x2.replace_lane 1 (local.get $a) (i64.const 0)))
        (drop (f64x2.replace_lane 1 (local.get $a) (f64.const 0)))
        (drop (i8x16.shuffle 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 31 (local.get $a) (local.get $b)))
        ;; memory, at the natural alignment
        (drop (v128.load offset=16 align=16 (i32.const 0)))
        (drop (v128.load8x8_s align=8 (i32.const 0)))
        (drop (v128.load16_splat align=2 (i32.const 0)))
        (drop (v128.load32_zero align=4 (i32.const 0)))
        (drop (v128.load64_zero align=8 (i32.const 0)))
        (v128.store align=16 (i32.const 0) (local.get $a))
        (drop (v128.load8_lane 15 (i32.const 0) (local.get $a)))
        (drop (v128.load32_lane align=4 3 (i32.const 0) (local.get $a)))
        (v128.store64_lane align=8 1 (i32.const 0) (local.get $a))
        ;; v128 as an ordinary value type
        (drop (select (local.get $a) (local.get $b) (i32.const 1)))
        (drop (select (result v128) (local.get $a) (local.get $b) (i32.const 0)))
        (drop (block (result v128) (local.get $a)))
        (drop (if (result v128) (i32.const 1) (then (local.get $a)) (else (local.get $b))))
        (global.set $g (global.get $c))
        (drop (call $f (local.get $a) (global.get $g)))
        (v128.const f32x4 1 2 3 4)))"#;
    assert_valid_with(text, &simd());
    // Unreachable code is stack-polymorphic for vector operators too.
    assert_valid_with(
        "(module (func (result i32) unreachable i8x16.shuffle 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 i8x16.all_true))",
        &simd(),
    );
}

#[test]
fn simd_type_errors_are_caught_in_every_family() {
    let v = "(v128.const i64x2 0 0)";
    let cases = [
        // [v128 v128] -> [v128]
        ("v128", format!("(i8x16.add {v} (i32.const 0))")),
        ("v128", format!("(f64x2.eq (f64.const 0) {v})")),
        // [v128] -> [v128]
        ("v128", "(f32x4.abs (f32.const 0))".to_string()),
        // [v128] -> [i32]
        ("i32", "(i8x16.all_true (i32.const 0))".to_string()),
        ("v128", format!("(v128.any_true {v})")),
        // [t] -> [v128]
        ("v128", "(i64x2.splat (i32.const 0))".to_string()),
        ("v128", "(f32x4.splat (f64.const 0))".to_string()),
        // extract and replace lane
        ("i32", "(i8x16.extract_lane_s 0 (i32.const 0))".to_string()),
        ("i32", format!("(i64x2.extract_lane 0 {v})")),
        ("v128", format!("(f32x4.replace_lane 0 {v} (f64.const 0))")),
        ("v128", format!("(i16x8.replace_lane 0 (i32.const 0) {v})")),
        // [v128 i32] -> [v128]
        ("v128", format!("(i32x4.shl {v} (i64.const 1))")),
        ("v128", format!("(i32x4.shl (i32.const 1) {v})")),
        // [v128 v128 v128] -> [v128]
        ("v128", format!("(v128.bitselect {v} {v} (i32.const 0))")),
        // i8x16.shuffle
        (
            "v128",
            format!("(i8x16.shuffle 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 {v} (i32.const 0))"),
        ),
        // loads and stores
        ("v128", "(v128.load (i64.const 0))".to_string()),
        ("v128", "(v128.load32_splat (f32.const 0))".to_string()),
        ("i32", "(v128.load (i32.const 0))".to_string()),
        (
            "v128",
            "(v128.store (i32.const 0) (i32.const 0)) (local.get $a)".to_string(),
        ),
        ("v128", format!("(v128.load8_lane 0 {v} (i32.const 0))")),
        (
            "v128",
            "(v128.store16_lane 0 (i32.const 0) (i32.const 0)) (local.get $a)".to_string(),
        ),
        // select of a vector and a number
        ("v128", format!("(select {v} (i32.const 0) (i32.const 1))")),
        // a v128 block result
        ("i32", format!("(block (result v128) {v})")),
    ];
    for (result, body) in cases {
        assert_invalid_with(&simd_func(result, &body), &simd(), "type mismatch");
    }
    assert_invalid_with(
        "(module (func (result v128) (v128.load (i32.const 0))))",
        &simd(),
        "unknown memory",
    );
}

#[test]
fn simd_lane_indices_are_checked() {
    let v = "(local.get $a)";
    let cases = [
        ("i32", format!("(i8x16.extract_lane_s 16 {v})")),
        ("i32", format!("(i8x16.extract_lane_u 255 {v})")),
        ("i32", format!("(i16x8.extract_lane_u 8 {v})")),
        ("i32", format!("(i32x4.extract_lane 4 {v})")),
        ("i64", format!("(i64x2.extract_lane 2 {v})")),
        ("f32", format!("(f32x4.extract_lane 4 {v})")),
        ("f64", format!("(f64x2.extract_lane 2 {v})")),
        ("v128", format!("(i8x16.replace_lane 16 {v} (i32.const 0))")),
        ("v128", format!("(i16x8.replace_lane 8 {v} (i32.const 0))")),
        ("v128", format!("(i32x4.replace_lane 4 {v} (i32.const 0))")),
        ("v128", format!("(i64x2.replace_lane 2 {v} (i64.const 0))")),
        ("v128", format!("(f32x4.replace_lane 4 {v} (f32.const 0))")),
        ("v128", format!("(f64x2.replace_lane 2 {v} (f64.const 0))")),
        (
            "v128",
            format!("(i8x16.shuffle 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 32 {v} {v})"),
        ),
        (
            "v128",
            format!("(i8x16.shuffle 255 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 {v} {v})"),
        ),
        ("v128", format!("(v128.load8_lane 16 (i32.const 0) {v})")),
        ("v128", format!("(v128.load16_lane 8 (i32.const 0) {v})")),
        ("v128", format!("(v128.load32_lane 4 (i32.const 0) {v})")),
        ("v128", format!("(v128.load64_lane 2 (i32.const 0) {v})")),
        (
            "v128",
            format!("(v128.store8_lane 16 (i32.const 0) {v}) {v}"),
        ),
        (
            "v128",
            format!("(v128.store16_lane 8 (i32.const 0) {v}) {v}"),
        ),
        (
            "v128",
            format!("(v128.store32_lane 4 (i32.const 0) {v}) {v}"),
        ),
        (
            "v128",
            format!("(v128.store64_lane 2 (i32.const 0) {v}) {v}"),
        ),
    ];
    for (result, body) in cases {
        assert_invalid_with(&simd_func(result, &body), &simd(), "invalid lane index");
    }
    // The lane index is checked before the operands, as the spec tests expect.
    assert_invalid_with(
        "(module (func (result i32) (i32x4.extract_lane 4 (i32.const 0))))",
        &simd(),
        "invalid lane index",
    );
}

#[test]
fn simd_alignment_must_not_exceed_the_bytes_accessed() {
    let v = "(local.get $a)";
    let too_large = [
        ("v128", "(v128.load align=32 (i32.const 0))".to_string()),
        (
            "v128",
            format!("(v128.store align=32 (i32.const 0) {v}) {v}"),
        ),
        (
            "v128",
            "(v128.load8x8_s align=16 (i32.const 0))".to_string(),
        ),
        (
            "v128",
            "(v128.load32x2_u align=16 (i32.const 0))".to_string(),
        ),
        (
            "v128",
            "(v128.load8_splat align=2 (i32.const 0))".to_string(),
        ),
        (
            "v128",
            "(v128.load64_splat align=16 (i32.const 0))".to_string(),
        ),
        (
            "v128",
            "(v128.load32_zero align=8 (i32.const 0))".to_string(),
        ),
        (
            "v128",
            "(v128.load64_zero align=16 (i32.const 0))".to_string(),
        ),
        (
            "v128",
            format!("(v128.load8_lane align=2 0 (i32.const 0) {v})"),
        ),
        (
            "v128",
            format!("(v128.load64_lane align=16 0 (i32.const 0) {v})"),
        ),
        (
            "v128",
            format!("(v128.store16_lane align=4 0 (i32.const 0) {v}) {v}"),
        ),
        (
            "v128",
            format!("(v128.store32_lane align=8 0 (i32.const 0) {v}) {v}"),
        ),
    ];
    for (result, body) in too_large {
        assert_invalid_with(
            &simd_func(result, &body),
            &simd(),
            "alignment must not be larger than natural",
        );
    }
    let natural = [
        "(v128.load align=16 (i32.const 0))",
        "(v128.load32x2_s align=8 (i32.const 0))",
        "(v128.load8_splat align=1 (i32.const 0))",
        "(v128.load64_splat align=8 (i32.const 0))",
        "(v128.load32_zero align=4 (i32.const 0))",
        "(v128.load16_lane align=2 7 (i32.const 0) (local.get $a))",
        "(v128.load64_lane align=8 1 (i32.const 0) (local.get $a))",
    ];
    for body in natural {
        assert_valid_with(&simd_func("v128", body), &simd());
    }
}

#[test]
fn v128_needs_the_simd_proposal_wherever_it_appears() {
    let cases = [
        "(module (func (param v128)))",
        "(module (func (result v128) unreachable))",
        "(module (func (local v128)))",
        "(module (global v128 (v128.const i64x2 0 0)))",
        "(module (global (mut v128) (v128.const i64x2 0 0)) (export \"g\" (global 0)))",
        r#"(module (import "m" "g" (global v128)))"#,
        "(module (func (block (result v128) unreachable) drop))",
        "(module (func unreachable select (result v128) drop))",
        "(module (func v128.const i64x2 0 0 drop))",
        "(module (func unreachable i32x4.splat drop))",
        "(module (memory 1) (func i32.const 0 v128.load drop))",
    ];
    let no_simd = Features {
        simd: false,
        ..Features::wasm2()
    };
    for text in cases {
        assert_invalid_with(text, &no_simd, "simd proposal");
        assert_valid_with(text, &simd());
    }
    // `v128.const` in a constant expression names the proposal too.
    assert_invalid_with(
        "(module (global i32 (v128.const i64x2 0 0)))",
        &no_simd,
        "`v128_const` requires the simd proposal",
    );
    assert_invalid_with(
        "(module (global i32 (v128.const i64x2 0 0)))",
        &simd(),
        "type mismatch",
    );
    assert_invalid_with(
        "(module (global v128 (i64.const 0)))",
        &simd(),
        "type mismatch",
    );
}

#[test]
fn relaxed_simd_needs_its_own_flag_and_simd() {
    let swizzle = simd_func(
        "v128",
        "(i8x16.relaxed_swizzle (local.get $a) (local.get $b))",
    );
    assert_invalid_with(
        &swizzle,
        &simd(),
        "`i8x16_relaxed_swizzle` requires the relaxed-simd proposal",
    );
    assert_valid_with(&swizzle, &relaxed_simd());
    // Relaxed SIMD without SIMD: the operator names the proposal that is missing.
    let relaxed_only = Features {
        relaxed_simd: true,
        simd: false,
        ..Features::wasm2()
    };
    assert_invalid_with(
        "(module (func unreachable i8x16.relaxed_swizzle drop))",
        &relaxed_only,
        "`i8x16_relaxed_swizzle` requires the simd proposal",
    );

    let valid = [
        "(f32x4.relaxed_madd (local.get $a) (local.get $b) (local.get $a))",
        "(i64x2.relaxed_laneselect (local.get $a) (local.get $b) (local.get $a))",
        "(i32x4.relaxed_dot_i8x16_i7x16_add_s (local.get $a) (local.get $b) (local.get $a))",
        "(f64x2.relaxed_min (local.get $a) (local.get $b))",
        "(i16x8.relaxed_dot_i8x16_i7x16_s (local.get $a) (local.get $b))",
        "(i32x4.relaxed_trunc_f64x2_u_zero (local.get $a))",
    ];
    for body in valid {
        assert_valid_with(&simd_func("v128", body), &relaxed_simd());
    }
    let invalid = [
        "(f64x2.relaxed_nmadd (local.get $a) (local.get $b) (f64.const 0))",
        "(i8x16.relaxed_laneselect (local.get $a) (i32.const 0) (local.get $a))",
        "(i16x8.relaxed_q15mulr_s (local.get $a) (i64.const 0))",
        "(i32x4.relaxed_trunc_f32x4_s (f32.const 0))",
    ];
    for body in invalid {
        assert_invalid_with(&simd_func("v128", body), &relaxed_simd(), "type mismatch");
    }
}

/// A value for each immediate type of the SIMD operators.
trait Sample {
    fn sample() -> Self;
}

impl Sample for u8 {
    fn sample() -> u8 {
        0
    }
}

impl Sample for [u8; 16] {
    fn sample() -> [u8; 16] {
        [0; 16]
    }
}

impl Sample for wasm_core::wasmparser::V128 {
    fn sample() -> Self {
        Self::from(0u128)
    }
}

impl Sample for wasm_core::wasmparser::MemArg {
    fn sample() -> Self {
        wasm_core::wasmparser::MemArg {
            align: 0,
            max_align: 0,
            offset: 0,
            target: wasm_core::wasmparser::MemArgTarget::Memory(0),
            ordering: None,
        }
    }
}

/// `(operator's visit name, operator, results)` for every operator of `wasmparser`'s
/// SIMD list, built from the list itself.
macro_rules! simd_operators {
    ($( @$proposal:ident $op:ident $({ $($arg:ident: $argty:ty),* })? => $visit:ident ($($ann:tt)*) )*) => {
        [$(
            (
                stringify!($visit),
                wasm_core::wasmparser::Operator::$op $({ $($arg: <$argty as Sample>::sample()),* })?,
                simd_operators!(@results $($ann)*),
            ),
        )*]
    };
    (@results arity $(memarg)? $params:literal -> $results:literal) => { $results };
}

#[test]
fn every_simd_operator_is_typed() {
    let module = wasm_core::decode(&wat("(module (memory 1) (func))")).unwrap();
    let features = relaxed_simd();
    let mut v = FuncValidator::new(&module, &features, 0).unwrap();
    let operators = wasm_core::wasmparser::for_each_visit_simd_operator!(simd_operators);
    let relaxed = operators
        .iter()
        .filter(|(name, ..)| name.contains("relaxed"))
        .count();
    assert!(operators.len() > 200 && relaxed > 10, "{}", operators.len());
    for (name, op, results) in operators {
        // On the polymorphic stack of unreachable code any operands will do: the operator
        // is accepted, and leaves its results.
        v.op(0, &wasm_core::wasmparser::Operator::Unreachable)
            .unwrap();
        v.op(0, &op).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(v.operand_height(), results, "{name}");
    }
    // With relaxed SIMD off, its operators are refused.
    let features = simd();
    let mut v = FuncValidator::new(&module, &features, 0).unwrap();
    let swizzle = wasm_core::wasmparser::Operator::I8x16RelaxedSwizzle;
    let e = v.op(0, &swizzle).unwrap_err();
    assert!(e.message().contains("relaxed-simd proposal"), "{e}");
}
