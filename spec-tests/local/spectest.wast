;; The `spectest` host module: host functions, globals, and one memory and table shared by
;; every module of the script.

(module
  (import "spectest" "print" (func $print))
  (import "spectest" "print_i32" (func $print_i32 (param i32)))
  (import "spectest" "print_i64" (func $print_i64 (param i64)))
  (import "spectest" "print_f32" (func $print_f32 (param f32)))
  (import "spectest" "print_f64" (func $print_f64 (param f64)))
  (import "spectest" "print_i32_f32" (func $print_i32_f32 (param i32 f32)))
  (import "spectest" "print_f64_f64" (func $print_f64_f64 (param f64 f64)))
  (func (export "print_all") (result i32)
    (call $print)
    (call $print_i32 (i32.const 1))
    (call $print_i64 (i64.const 2))
    (call $print_f32 (f32.const 3))
    (call $print_f64 (f64.const 4))
    (call $print_i32_f32 (i32.const 5) (f32.const 6))
    (call $print_f64_f64 (f64.const 7) (f64.const 8))
    (i32.const 42))
  ;; A host call deep inside wasm frames, with values live around it.
  (func $nested (export "nested") (param i32) (result i32)
    (if (result i32) (i32.eqz (local.get 0))
      (then (call $print_i32 (i32.const 0)) (i32.const 100))
      (else
        (i32.add (local.get 0) (call $nested (i32.sub (local.get 0) (i32.const 1)))))))
)

(assert_return (invoke "print_all") (i32.const 42))
(assert_return (invoke "nested" (i32.const 10)) (i32.const 155))

;; Globals.
(module
  (import "spectest" "global_i32" (global $i32 i32))
  (import "spectest" "global_i64" (global $i64 i64))
  (import "spectest" "global_f32" (global $f32 f32))
  (import "spectest" "global_f64" (global $f64 f64))
  (export "i32" (global $i32))
  (export "i64" (global $i64))
  (export "f32" (global $f32))
  (export "f64" (global $f64))
  (func (export "read") (result i32) (global.get $i32))
)
(assert_return (get "i32") (i32.const 666))
(assert_return (get "i64") (i64.const 666))
(assert_return (get "f32") (f32.const 666.6))
(assert_return (get "f64") (f64.const 666.6))
(assert_return (invoke "read") (i32.const 666))

;; The memory (1..2 pages) is shared: a store by one module is seen by the next.
(module $writer
  (import "spectest" "memory" (memory 1 2))
  (func (export "store") (param i32 i32) (i32.store (local.get 0) (local.get 1)))
  (func (export "grow") (result i32) (memory.grow (i32.const 1)))
)
(module $reader
  (import "spectest" "memory" (memory 1))
  (data (i32.const 8) "\2a")
  (func (export "load") (param i32) (result i32) (i32.load (local.get 0)))
  (func (export "size") (result i32) (memory.size))
)
(assert_return (invoke $reader "load" (i32.const 8)) (i32.const 42))
(invoke $writer "store" (i32.const 16) (i32.const 0x12345678))
(assert_return (invoke $reader "load" (i32.const 16)) (i32.const 0x12345678))
(assert_return (invoke $writer "grow") (i32.const 1))
(assert_return (invoke $reader "size") (i32.const 2))
(assert_return (invoke $writer "grow") (i32.const -1))

;; The table (10..20 funcref) is shared too.
(module $filler
  (import "spectest" "table" (table 10 20 funcref))
  (func $seven (result i32) (i32.const 7))
  (elem (i32.const 3) $seven)
)
(module $caller
  (import "spectest" "table" (table 10 funcref))
  (type $t (func (result i32)))
  (func (export "call") (param i32) (result i32) (call_indirect (type $t) (local.get 0)))
)
(assert_return (invoke $caller "call" (i32.const 3)) (i32.const 7))
(assert_trap (invoke $caller "call" (i32.const 4)) "uninitialized element")
(assert_trap (invoke $caller "call" (i32.const 10)) "undefined element")

;; Link errors.
(assert_unlinkable
  (module (import "spectest" "nothing" (func)))
  "unknown import")
(assert_unlinkable
  (module (import "nowhere" "print" (func)))
  "unknown import")
(assert_unlinkable
  (module (import "spectest" "print_i32" (func (param i64))))
  "incompatible import type")
(assert_unlinkable
  (module (import "spectest" "global_i32" (func)))
  "incompatible import type")
(assert_unlinkable
  (module (import "spectest" "global_i32" (global i64)))
  "incompatible import type")
(assert_unlinkable
  (module (import "spectest" "global_i32" (global (mut i32))))
  "incompatible import type")
(assert_unlinkable
  (module (import "spectest" "memory" (memory 3)))
  "incompatible import type")
(assert_unlinkable
  (module (import "spectest" "memory" (memory 1 1)))
  "incompatible import type")
(assert_unlinkable
  (module (import "spectest" "table" (table 11 funcref)))
  "incompatible import type")
(assert_unlinkable
  (module (import "spectest" "print" (memory 1)))
  "incompatible import type")
