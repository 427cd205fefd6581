//! Hostile input never panics: random bytes and random mutations of valid modules go
//! through decode, validation and instantiation, and end in a value or an error.

use proptest::prelude::*;
use wasmite::{ImportsBuilder, Module, ModuleInstance};

/// Valid modules exercising every section, to mutate.
fn seeds() -> Vec<Vec<u8>> {
    [
        r#"(module
            (type $t (func (param i32) (result i32)))
            (import "env" "f" (func $f (type $t)))
            (import "env" "g" (global i32))
            (table 2 10 funcref)
            (memory 1 2)
            (global $m (mut i64) (i64.const 7))
            (export "mem" (memory 0))
            (elem (i32.const 0) $id $id)
            (data (i32.const 16) "hello")
            (func $id (type $t) (local.get 0))
            (func (export "run") (param i32) (result i32)
              (block (result i32)
                (loop
                  (br_if 1 (i32.load (local.get 0)) (i32.eqz (local.get 0))))
                (call_indirect (type $t) (local.get 0) (i32.const 1)))))"#,
        r#"(module (memory 1) (func (export "f") (result f64)
              (f64.add (f64.load offset=8 (i32.const 0)) (f64.const 1.5))) (start 0))"#,
        r#"(module (func (export "f") (param i64) (result i64)
              (select (local.get 0) (i64.const 3) (i32.wrap_i64 (local.get 0)))))"#,
    ]
    .iter()
    .map(|text| wat::parse_str(text).expect("seed parses"))
    .collect()
}

fn load_and_instantiate(bytes: &[u8]) {
    if let Ok(module) = Module::from_buffer(bytes) {
        let _ = module.deny_floating_point();
        // Imports are unresolved: instantiation must fail cleanly, or succeed for
        // import-free modules (the start function is not run: it could loop).
        let _ = ModuleInstance::new(&module, &ImportsBuilder::default());
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn random_bytes_never_panic(mut bytes in proptest::collection::vec(any::<u8>(), 0..256), binary in any::<bool>()) {
        if binary {
            let mut framed = b"\0asm\x01\0\0\0".to_vec();
            framed.append(&mut bytes);
            bytes = framed;
        }
        load_and_instantiate(&bytes);
    }

    #[test]
    fn mutated_modules_never_panic(
        seed in 0usize..3,
        edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>(), 0u8..3), 1..8),
    ) {
        let mut bytes = seeds()[seed].clone();
        for (at, byte, kind) in edits {
            if bytes.is_empty() {
                break;
            }
            let i = at.index(bytes.len());
            match kind {
                0 => bytes[i] = byte,
                1 => bytes.insert(i, byte),
                _ => { bytes.remove(i); }
            }
        }
        load_and_instantiate(&bytes);
    }
}
