;; Counters kept in mutable globals: global.get / global.set in the loop.
(module
  (global $counter (mut i32) (i32.const 0))
  (global $sum (mut i64) (i64.const 0))

  (func (export "run") (param $n i32) (result i64)
    (global.set $counter (i32.const 0))
    (global.set $sum (i64.const 0))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (global.get $counter) (local.get $n)))
        (global.set $sum
          (i64.add (global.get $sum) (i64.extend_i32_u (global.get $counter))))
        (global.set $counter (i32.add (global.get $counter) (i32.const 1)))
        (br $next)))
    (global.get $sum)))
