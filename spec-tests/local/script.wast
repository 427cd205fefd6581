;; The runner's own script semantics: named modules, registration, module definitions,
;; NaN patterns, and what a module-level trap leaves behind.

(module $A
  (global (export "g") (mut i32) (i32.const 1))
  (func (export "f") (result i32) (i32.const 1))
  (func (export "set") (param i32) (global.set 0 (local.get 0)))
)
(register "A" $A)

(module $B
  (import "A" "f" (func $f (result i32)))
  (import "A" "g" (global $g (mut i32)))
  (func (export "f+g") (result i32) (i32.add (call $f) (global.get $g)))
)
(assert_return (invoke "f+g") (i32.const 2))
(invoke $A "set" (i32.const 10))
(assert_return (invoke $B "f+g") (i32.const 11))
(assert_return (get $A "g") (i32.const 10))

;; A module that traps in its start function is not made current: "f" is still $B's.
(assert_trap
  (module
    (func (export "f+g") (result i32) (i32.const -1))
    (func $start unreachable)
    (start $start))
  "unreachable")
(assert_return (invoke "f+g") (i32.const 11))

;; Wasm 2.0 instantiation: segments before the one that does not fit stay written.
(module $M
  (memory (export "mem") 1)
  (table (export "tab") 10 funcref)
  (func (export "load") (param i32) (result i32) (i32.load8_u (local.get 0)))
  (type $t (func (result i32)))
  (func (export "call") (param i32) (result i32) (call_indirect (type $t) (local.get 0)))
)
(register "M" $M)
(assert_trap
  (module
    (import "M" "mem" (memory 1))
    (data (i32.const 0) "\01")
    (data (i32.const 65536) "\02"))
  "out of bounds memory access")
(assert_return (invoke $M "load" (i32.const 0)) (i32.const 1))
(assert_trap
  (module
    (import "M" "tab" (table 1 funcref))
    (func $nine (result i32) (i32.const 9))
    (elem (i32.const 2) $nine)
    (elem (i32.const 10) $nine))
  "out of bounds table access")
;; The spec's store keeps the failed instance, so the function it wrote into $M's table stays
;; callable (wasm-v2's linking.wast checks this): the imported table keeps the instance (see
;; ARCHITECTURE.md "Instance lifetimes").
(assert_return (invoke $M "call" (i32.const 2)) (i32.const 9))

;; Module definitions and instances: each instance has its own state.
(module definition $Counter
  (global $n (mut i32) (i32.const 0))
  (func (export "next") (result i32)
    (global.set $n (i32.add (global.get $n) (i32.const 1)))
    (global.get $n))
)
(module instance $c1 $Counter)
(module instance $c2 $Counter)
(assert_return (invoke $c1 "next") (i32.const 1))
(assert_return (invoke $c1 "next") (i32.const 2))
(assert_return (invoke $c2 "next") (i32.const 1))
(assert_return (invoke "next") (i32.const 2))

;; Float results compare by bits; NaN patterns; alternatives.
(module
  (func (export "neg0") (result f32) (f32.const -0))
  (func (export "nan") (result f64) (f64.div (f64.const 0) (f64.const 0)))
  (func (export "nan:0x1") (result f32) (f32.const nan:0x1))
  (func (export "add_nan") (param f32) (result f32) (f32.add (local.get 0) (f32.const 1)))
  (func (export "pair") (result i32) (i32.const 2))
)
(assert_return (invoke "neg0") (f32.const -0))
(assert_return (invoke "nan") (f64.const nan:canonical))
(assert_return (invoke "nan") (f64.const nan:arithmetic))
(assert_return (invoke "nan:0x1") (f32.const nan:0x1))
(assert_return (invoke "add_nan" (f32.const nan:0x200000)) (f32.const nan:arithmetic))
(assert_return (invoke "pair") (either (i32.const 1) (i32.const 2)))

;; Rejected modules: binary, text, and quoted text.
(assert_malformed (module binary "\00asm\02\00\00\00") "unknown binary version")
(assert_malformed (module binary "\00asm\01\00\00") "unexpected end")
(assert_malformed (module quote "(func (i32.const))") "unexpected token")
(assert_invalid (module (func (result i32) (i64.const 0))) "type mismatch")
(assert_invalid (module (func (local.get 0))) "unknown local")

;; Traps during calls.
(module
  (func (export "div") (param i32 i32) (result i32) (i32.div_s (local.get 0) (local.get 1)))
  (memory 1)
  (func (export "oob") (result i32) (i32.load (i32.const 65536)))
)
(assert_trap (invoke "div" (i32.const 1) (i32.const 0)) "integer divide by zero")
(assert_trap (invoke "div" (i32.const 0x80000000) (i32.const -1)) "integer overflow")
(assert_trap (invoke "oob") "out of bounds memory access")
(assert_return (invoke "div" (i32.const 7) (i32.const 2)) (i32.const 3))
