;; Recursive Fibonacci: call overhead and small-function bodies.
;; run(n) = fib(n), with fib(0) = 0, fib(1) = 1.
(module
  (func $fib (param $n i32) (result i32)
    (if (result i32) (i32.lt_u (local.get $n) (i32.const 2))
      (then (local.get $n))
      (else
        (i32.add
          (call $fib (i32.sub (local.get $n) (i32.const 1)))
          (call $fib (i32.sub (local.get $n) (i32.const 2)))))))

  (func (export "run") (param $n i32) (result i64)
    (i64.extend_i32_u (call $fib (local.get $n)))))
