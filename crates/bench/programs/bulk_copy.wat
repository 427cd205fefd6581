;; Bulk memory: run(n) makes n `memory.copy`s of 1 MiB, alternately from the first MiB
;; to the second and back; then sums one word per 64 KiB (the same every run). The
;; bench also times the same copies with Rust's `copy_within` (`bulk_case` in main.rs).
(module
  (memory 33)

  ;; The first MiB: pseudo-random words (called once, not timed).
  (func (export "init")
    (local $p i32) (local $x i32)
    (local.set $x (i32.const 7))
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
        (if (i32.and (local.get $rep) (i32.const 1))
          (then (memory.copy (i32.const 0) (i32.const 0x100000) (i32.const 0x100000)))
          (else (memory.copy (i32.const 0x100000) (i32.const 0) (i32.const 0x100000))))
        (local.set $rep (i32.add (local.get $rep) (i32.const 1)))
        (br $again)))
    (loop $sample
      (local.set $sum (i64.add (local.get $sum) (i64.load (local.get $p))))
      (local.set $p (i32.add (local.get $p) (i32.const 0x10000)))
      (br_if $sample (i32.lt_u (local.get $p) (i32.const 0x200000))))
    (local.get $sum)))
