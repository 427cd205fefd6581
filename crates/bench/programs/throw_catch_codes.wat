;; `throw_catch.wat`'s work with error codes instead of exceptions: each frame returns
;; its value and a flag, and checks its callee's flag (as C code propagates errors). The
;; same results; what an exception costs is the difference.
(module
  (func $work (param $depth i32) (param $x i32) (result i32 i32)
    (local $v i32) (local $failed i32)
    (if (i32.eqz (local.get $depth))
      (then
        (if (i32.eqz (i32.and (local.get $x) (i32.const 7)))
          (then (return (local.get $x) (i32.const 1))))
        (return (local.get $x) (i32.const 0))))
    (call $work (i32.sub (local.get $depth) (i32.const 1)) (local.get $x))
    (local.set $failed)
    (local.set $v)
    (if (local.get $failed)
      (then (return (local.get $v) (i32.const 1))))
    (i32.add (local.get $v) (i32.const 1))
    (i32.const 0))

  (func (export "run") (param $n i32) (result i64)
    (local $i i32) (local $sum i64) (local $v i32)
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (call $work (i32.const 10) (local.get $i))
        (drop)
        (local.set $v)
        (local.set $sum (i64.add (local.get $sum) (i64.extend_i32_u (local.get $v))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))
    (local.get $sum)))
