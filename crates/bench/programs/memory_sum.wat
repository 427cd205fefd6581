;; Memory sum: run(n) adds up the 256 Ki unsigned 32-bit words of 1 MiB of
;; pseudo-random memory n times.
(module
  (memory 16)

  ;; 1 MiB of pseudo-random words (called once, not timed).
  (func (export "init")
    (local $p i32) (local $x i32)
    (local.set $x (i32.const 11))
    (loop $fill
      (local.set $x (i32.add (i32.mul (local.get $x) (i32.const 1103515245)) (i32.const 12345)))
      (i32.store (local.get $p) (local.get $x))
      (local.set $p (i32.add (local.get $p) (i32.const 4)))
      (br_if $fill (i32.lt_u (local.get $p) (i32.const 0x100000)))))

  (func (export "run") (param $n i32) (result i64)
    (local $rep i32) (local $p i32) (local $sum i64)
    (block $done
      (loop $again
        (br_if $done (i32.ge_u (local.get $rep) (local.get $n)))
        (local.set $rep (i32.add (local.get $rep) (i32.const 1)))
        (local.set $p (i32.const 0))
        (loop $add
          (local.set $sum (i64.add (local.get $sum) (i64.load32_u (local.get $p))))
          (local.set $p (i32.add (local.get $p) (i32.const 4)))
          (br_if $add (i32.lt_u (local.get $p) (i32.const 0x100000))))
        (br $again)))
    (local.get $sum)))
