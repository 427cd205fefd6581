;; Deep recursion must end in a trap ("call stack exhausted"), never in a crash of the
;; host, and the instance must stay usable afterwards.

(module
  (func $down (export "down") (param i32) (result i32)
    (if (result i32) (i32.eqz (local.get 0))
      (then (i32.const 0))
      (else (i32.add (i32.const 1) (call $down (i32.sub (local.get 0) (i32.const 1)))))))

  (func $forever (export "forever") (call $forever))

  (func $ping (export "ping") (param i32) (result i32)
    (if (result i32) (i32.eqz (local.get 0))
      (then (i32.const 0))
      (else (call $pong (i32.sub (local.get 0) (i32.const 1))))))
  (func $pong (param i32) (result i32)
    (if (result i32) (i32.eqz (local.get 0))
      (then (i32.const 1))
      (else (call $ping (i32.sub (local.get 0) (i32.const 1))))))

  ;; Many locals per frame: exhaustion must come from the value stack limit too.
  (func $fat (export "fat") (param i64) (result i64)
    (local i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64)
    (call $fat (i64.add (local.get 0) (i64.const 1))))

  (table funcref (elem $indirect))
  (type $t (func (param i32) (result i32)))
  (func $indirect (export "indirect") (param i32) (result i32)
    (call_indirect (type $t) (i32.add (local.get 0) (i32.const 1)) (i32.const 0)))
)

;; Within the limit: 10,000 frames.
(assert_return (invoke "down" (i32.const 10000)) (i32.const 10000))
(assert_return (invoke "ping" (i32.const 10001)) (i32.const 1))

;; One million frames deep.
(assert_exhaustion (invoke "down" (i32.const 1000000)) "call stack exhausted")
(assert_exhaustion (invoke "ping" (i32.const 1000000)) "call stack exhausted")
(assert_exhaustion (invoke "forever") "call stack exhausted")
(assert_exhaustion (invoke "fat" (i64.const 0)) "call stack exhausted")
(assert_exhaustion (invoke "indirect" (i32.const 0)) "call stack exhausted")

;; The instance still works after exhaustion.
(assert_return (invoke "down" (i32.const 3)) (i32.const 3))

;; Exhaustion in a start function makes the module uninstantiable.
(assert_trap
  (module (func $f (call $f)) (start $f))
  "call stack exhausted")
