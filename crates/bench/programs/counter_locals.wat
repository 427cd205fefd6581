;; Counters kept in locals: local.get / const / add / local.set, the most common
;; shape of compiled loops.
(module
  (func (export "run") (param $n i32) (result i64)
    (local $i i32) (local $x i32) (local $sum i64)
    (if (i32.eqz (local.get $n)) (then (return (i64.const 0))))
    (loop $next
      (local.set $x (i32.add (i32.mul (local.get $x) (i32.const 3)) (local.get $i)))
      (local.set $sum (i64.add (local.get $sum) (i64.extend_i32_u (local.get $x))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $next (i32.lt_u (local.get $i) (local.get $n))))
    (local.get $sum)))
