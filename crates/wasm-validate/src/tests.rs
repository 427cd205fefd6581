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
    if let Err(e) = check(text) {
        panic!("expected valid, got {e}\n{text}");
    }
}

#[track_caller]
fn assert_invalid(text: &str, expected: &str) {
    match check(text) {
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
    assert!(!features.simd && !features.tail_call && !features.multi_memory);
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

    // SIMD operators reach the validator through their own visitor: gated like the
    // others, and when enabled, refused for their v128 values (not supported yet).
    let simd = "(module (func v128.const i64x2 0 0 drop))";
    let e = check(simd).unwrap_err();
    assert!(e.contains("`v128_const` requires the simd proposal"), "{e}");
    let simd_on = Features {
        simd: true,
        ..Features::mvp()
    };
    let e = check_with(simd, &simd_on).unwrap_err();
    assert!(e.contains("not supported yet"), "{e}");
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
