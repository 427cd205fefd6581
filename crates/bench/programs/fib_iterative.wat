;; Iterative Fibonacci over i64 (wrapping): a tight loop over three locals.
;; run(n) = fib(n) mod 2^64.
(module
  (func (export "run") (param $n i32) (result i64)
    (local $a i64) (local $b i64) (local $next i64) (local $i i32)
    (local.set $b (i64.const 1))
    (block $done
      (loop $step
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $next (i64.add (local.get $a) (local.get $b)))
        (local.set $a (local.get $b))
        (local.set $b (local.get $next))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $step)))
    (local.get $a)))
