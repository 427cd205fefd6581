;; Counters kept in parameters: the callee counts its parameters down and up.
(module
  (func $count (param $n i32) (param $step i32) (param $acc i64) (result i64)
    (if (i32.eqz (local.get $n)) (then (return (local.get $acc))))
    (loop $next
      (local.set $acc (i64.add (local.get $acc) (i64.extend_i32_u (local.get $step))))
      (local.set $step (i32.add (local.get $step) (i32.const 3)))
      (local.set $n (i32.sub (local.get $n) (i32.const 1)))
      (br_if $next (local.get $n)))
    (local.get $acc))

  (func (export "run") (param $n i32) (result i64)
    (call $count (local.get $n) (i32.const 1) (i64.const 0))))
