;; Direct calls: three calls of small functions per loop step.
(module
  (func $mix (param $a i32) (param $b i32) (result i32)
    (i32.add (i32.mul (local.get $a) (i32.const 31)) (local.get $b)))

  (func $step (param $acc i32) (param $i i32) (result i32)
    (call $mix (call $mix (local.get $acc) (local.get $i)) (i32.const 7)))

  (func (export "run") (param $n i32) (result i64)
    (local $i i32) (local $acc i32)
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $acc (call $step (local.get $acc) (local.get $i)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))
    (i64.extend_i32_u (local.get $acc))))
