//! Recursion groups (`rec`) and declared subtypes (`sub`) of function types (Wasm 3.0)
//! through the API: type identity across modules at link time (functions and tags),
//! `call_indirect` with a subtype callee, and hostile chains of groups and subtypes.

use std::time::{Duration, Instant};

use wasmite::{Config, ImportsBuilder, Module, ModuleRef, NopExternals, Trap, TrapCode, Value};

mod common;
use common::{
    call_with, instantiate_wasm3_with as instantiate_with, load_wasm3 as load,
    wasm3_config as config,
};

fn call(instance: &ModuleRef, name: &str, args: &[Value]) -> Result<Vec<Value>, Trap> {
    call_with(instance, name, args, &mut NopExternals)
}

/// A module exporting a function of the second type of a two-type group and a tag of
/// the first.
const EXPORTER: &str = r#"(module
  (rec
    (type $f (func (param i32 (ref null $g))))
    (type $g (func (param (ref null $f)) (result i32))))
  (func (export "g") (type $g) (i32.const 42))
  (tag (export "t") (type $f)))"#;

#[test]
fn the_same_group_in_two_modules_links_functions_and_tags() {
    let exporter = instantiate_with(EXPORTER, &ImportsBuilder::default()).unwrap();
    let imports = ImportsBuilder::new().with_resolver("m", &exporter);
    // The same group, after an unrelated type, so that the indices differ.
    let importer = instantiate_with(
        r#"(module
          (type (func (param f64)))
          (rec
            (type $f (func (param i32 (ref null $g))))
            (type $g (func (param (ref null $f)) (result i32))))
          (import "m" "g" (func $g (type $g)))
          (import "m" "t" (tag (type $f)))
          (func (export "run") (result i32) (call $g (ref.null $f))))"#,
        &imports,
    )
    .expect("the same group links");
    assert_eq!(call(&importer, "run", &[]).unwrap(), [Value::I32(42)]);
}

#[test]
fn a_different_group_does_not_link() {
    let exporter = instantiate_with(EXPORTER, &ImportsBuilder::default()).unwrap();
    let imports = ImportsBuilder::new().with_resolver("m", &exporter);
    let unlinkable = [
        // The same structure as two separate groups (each a group of one).
        r#"(module
          (type $f (func (param i32 (ref null func))))
          (type $g (func (param (ref null $f)) (result i32)))
          (import "m" "g" (func (type $g))))"#,
        // The same group, but the other index in it.
        r#"(module
          (rec
            (type $f (func (param i32 (ref null $g))))
            (type $g (func (param (ref null $f)) (result i32))))
          (import "m" "g" (func (type $f))))"#,
        // The group's types in the other order.
        r#"(module
          (rec
            (type $g (func (param (ref null $f)) (result i32)))
            (type $f (func (param i32 (ref null $g)))))
          (import "m" "g" (func (type $g))))"#,
        // A group with one more type.
        r#"(module
          (rec
            (type $f (func (param i32 (ref null $g))))
            (type $g (func (param (ref null $f)) (result i32)))
            (type (func)))
          (import "m" "t" (tag (type $f))))"#,
    ];
    for text in unlinkable {
        let error = instantiate_with(text, &imports).expect_err(text);
        assert!(
            matches!(error, wasmite::Error::Instantiation(_)),
            "{text}: {error:?}"
        );
    }
}

#[test]
fn rec_groups_and_subtypes_need_typed_function_references() {
    for text in [
        "(module (rec (type (func)) (type (func))))",
        "(module (type (sub (func))))",
        // An empty group declares nothing, but is a recursion group all the same (a
        // fuzz finding: it used to be accepted).
        "(module (rec))",
        "(module (type (func)) (rec) (func))",
    ] {
        let wasm2 = Module::from_buffer_with_config(text, &Config::new());
        assert!(wasm2.is_err(), "{text}");
        assert!(load(text).is_ok(), "{text}");
    }
}

/// A table of `$base` functions holding a subtype's function, a base one and an
/// unrelated one.
const SUBTYPES: &str = r#"(module
  (type $base (sub (func (param i32) (result i32))))
  (type $derived (sub $base (func (param i32) (result i32))))
  (type $leaf (sub final $derived (func (param i32) (result i32))))
  (type $other (func (param i32) (result i32)))
  (func $twice (type $leaf) (i32.mul (local.get 0) (i32.const 2)))
  (func $inc (type $base) (i32.add (local.get 0) (i32.const 1)))
  (func $neg (type $other) (i32.sub (i32.const 0) (local.get 0)))
  (table 3 funcref)
  (elem (i32.const 0) func $twice $inc $neg)
  (func (export "as_base") (param i32 i32) (result i32)
    (call_indirect (type $base) (local.get 1) (local.get 0)))
  (func (export "as_derived") (param i32 i32) (result i32)
    (call_indirect (type $derived) (local.get 1) (local.get 0)))
  ;; A reference of the subtype is one of its supertype.
  (func (export "via_ref") (param i32) (result i32)
    (call_ref $base (local.get 0) (ref.func $twice)))
  (elem declare func $twice))"#;

#[test]
fn call_indirect_accepts_a_subtype_and_traps_on_an_unrelated_type() {
    let instance = instantiate_with(SUBTYPES, &ImportsBuilder::default()).unwrap();
    let run = |name: &str, slot: i32| call(&instance, name, &[Value::I32(slot), Value::I32(5)]);
    assert_eq!(run("as_base", 0).unwrap(), [Value::I32(10)]);
    assert_eq!(run("as_base", 1).unwrap(), [Value::I32(6)]);
    assert_eq!(run("as_derived", 0).unwrap(), [Value::I32(10)]);
    assert_eq!(
        call(&instance, "via_ref", &[Value::I32(4)]).unwrap(),
        [Value::I32(8)]
    );
    // A supertype's function is not one of its subtype; a structurally equal type that
    // declares no supertype is not a subtype either.
    for (name, slot) in [("as_derived", 1), ("as_base", 2), ("as_derived", 2)] {
        let trap = run(name, slot).expect_err(name);
        assert_eq!(
            trap.code(),
            Some(TrapCode::UnexpectedSignature),
            "{name} {slot}"
        );
        assert_eq!(trap.to_string(), "indirect call type mismatch");
    }
}

#[test]
fn an_imported_function_may_have_a_subtype_of_the_import_type() {
    let exporter = instantiate_with(
        r#"(module
          (type $base (sub (func (result i32))))
          (type $derived (sub $base (func (result i32))))
          (func (export "derived") (type $derived) (i32.const 7))
          (func (export "base") (type $base) (i32.const 8)))"#,
        &ImportsBuilder::default(),
    )
    .unwrap();
    let imports = ImportsBuilder::new().with_resolver("m", &exporter);
    let importer = instantiate_with(
        r#"(module
          (type $base (sub (func (result i32))))
          (import "m" "derived" (func $f (type $base)))
          (func (export "run") (result i32) (call $f)))"#,
        &imports,
    )
    .expect("a subtype's function links as its supertype");
    assert_eq!(call(&importer, "run", &[]).unwrap(), [Value::I32(7)]);
    // The supertype's function is not one of the subtype.
    let error = instantiate_with(
        r#"(module
          (type $base (sub (func (result i32))))
          (type $derived (sub $base (func (result i32))))
          (import "m" "base" (func (type $derived))))"#,
        &imports,
    )
    .expect_err("a supertype's function does not link as its subtype");
    assert!(
        matches!(error, wasmite::Error::Instantiation(_)),
        "{error:?}"
    );
}

#[test]
fn invalid_subtype_declarations_are_refused() {
    for text in [
        // The supertype is final.
        "(module (type $a (func)) (type (sub $a (func))))",
        // Results are covariant: funcref is not a subtype of (ref $a).
        r#"(module (type $a (sub (func)))
            (type $b (sub (func (result (ref $a)))))
            (type (sub $b (func (result funcref)))))"#,
        // Parameters are contravariant.
        r#"(module (type $a (sub (func)))
            (type $b (sub (func (param funcref))))
            (type (sub $b (func (param (ref $a))))))"#,
        // Another arity.
        "(module (type $a (sub (func))) (type (sub $a (func (param i32)))))",
        // A supertype after the type, in its group.
        "(module (rec (type (sub 1 (func))) (type (sub (func)))))",
    ] {
        let error = load(text).expect_err(text);
        assert!(
            matches!(error, wasmite::Error::Validation(_)),
            "{text}: {error:?}"
        );
    }
    // Contravariant parameters and covariant results the right way round.
    load(
        r#"(module (type $a (sub (func)))
            (type $b (sub (func (param (ref $a)) (result funcref))))
            (type (sub $b (func (param funcref) (result (ref $a))))))"#,
    )
    .expect("a valid subtype");
}

/// Appends `v` as a signed LEB128 (a heap type's s33 index).
fn sleb(out: &mut Vec<u8>, mut v: i64) {
    loop {
        let byte = (v & 0x7f) as u8;
        v >>= 7;
        let done = (v == 0 && byte & 0x40 == 0) || (v == -1 && byte & 0x40 != 0);
        out.push(if done { byte } else { byte | 0x80 });
        if done {
            return;
        }
    }
}

/// Appends `v` as an unsigned LEB128.
fn leb(out: &mut Vec<u8>, mut v: u32) {
    loop {
        let byte = (v & 0x7f) as u8;
        v >>= 7;
        if v == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

/// A module of a type section of `count` entries written by `entry(i, section)`.
fn module_of(count: u32, mut entry: impl FnMut(u32, &mut Vec<u8>)) -> Vec<u8> {
    let mut section = Vec::new();
    leb(&mut section, count);
    for i in 0..count {
        entry(i, &mut section);
    }
    let mut bytes = b"\0asm\x01\0\0\0\x01".to_vec();
    leb(&mut bytes, section.len() as u32);
    bytes.extend_from_slice(&section);
    bytes
}

#[test]
fn a_hostile_chain_of_groups_decodes_and_compares_in_bounded_time() {
    // Group `i` holds two types that each take two references to both types of group
    // `i - 1`: the paths through the graph double with every group.
    let groups = 50_000;
    let chain = |pad: u32| {
        module_of(groups + pad, |i, out| {
            if i < pad {
                out.extend_from_slice(&[0x60, 0x01, 0x7c, 0x00]);
                return;
            }
            let g = i - pad;
            out.extend_from_slice(&[0x4e, 0x02]);
            for _ in 0..2 {
                if g == 0 {
                    out.extend_from_slice(&[0x60, 0x00, 0x00]);
                    continue;
                }
                out.extend_from_slice(&[0x60, 0x04]);
                for k in 0..4 {
                    out.push(0x64);
                    sleb(out, i64::from(pad + 2 * (g - 1) + k % 2));
                }
                out.push(0x00);
            }
        })
    };
    let start = Instant::now();
    let a = Module::from_buffer_with_config(chain(0), &config()).expect("a long chain");
    let b = Module::from_buffer_with_config(chain(3), &config()).expect("a long chain");
    let (last_a, last_b) = (2 * groups as usize - 1, 2 * groups as usize + 2);
    assert_eq!(a.core().types[last_a], b.core().types[last_b]);
    assert_ne!(a.core().types[last_a], b.core().types[last_b - 1]);
    drop((a, b));
    assert!(start.elapsed() < Duration::from_secs(60));
}

#[test]
fn a_hostile_chain_of_subtypes_is_bounded() {
    // Type `i` declares type `i - 1` as its supertype: valid up to depth 63.
    let chain = |len: u32| {
        module_of(len, |i, out| {
            out.push(0x50);
            if i == 0 {
                out.push(0x00);
            } else {
                out.push(0x01);
                leb(out, i - 1);
            }
            out.extend_from_slice(&[0x60, 0x00, 0x00]);
        })
    };
    Module::from_buffer_with_config(chain(64), &config()).expect("depth 63");
    let error = Module::from_buffer_with_config(chain(65), &config()).expect_err("depth 64");
    assert!(matches!(error, wasmite::Error::Validation(_)), "{error:?}");
    // A long one is refused quickly, without a deep stack.
    let start = Instant::now();
    assert!(Module::from_buffer_with_config(chain(200_000), &config()).is_err());
    assert!(start.elapsed() < Duration::from_secs(60));
}
