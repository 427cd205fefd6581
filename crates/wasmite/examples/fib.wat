;; Fibonacci, recursive and iterative. `fib` is exported for the README's example.
(module
  (func $fib_rec (export "fib_rec") (param $n i32) (result i32)
    (if (result i32) (i32.lt_u (local.get $n) (i32.const 2))
      (then (local.get $n))
      (else
        (i32.add
          (call $fib_rec (i32.sub (local.get $n) (i32.const 1)))
          (call $fib_rec (i32.sub (local.get $n) (i32.const 2)))))))
  (func (export "fib") (param $n i64) (result i64)
    (local $a i64) (local $b i64)
    (local.set $b (i64.const 1))
    (block $done
      (loop $next
        (br_if $done (i64.eqz (local.get $n)))
        (local.set $b (i64.add (local.get $a) (local.tee $a (local.get $b))))
        (local.set $n (i64.sub (local.get $n) (i64.const 1)))
        (br $next)))
    (local.get $a)))
