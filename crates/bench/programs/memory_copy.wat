;; Memory copy: run(n) copies 508 KiB from the first half of memory to the
;; second half n times with 8-byte loads and stores (Wasm 1.0 has no
;; memory.copy), from a source offset that moves each time; then sums one word
;; per 4 KiB of the destination.
(module
  (memory 16)

  ;; The source: 512 KiB of pseudo-random words (called once, not timed).
  (func (export "init")
    (local $p i32) (local $x i32)
    (local.set $x (i32.const 7))
    (loop $fill
      (local.set $x (i32.add (i32.mul (local.get $x) (i32.const 1103515245)) (i32.const 12345)))
      (i32.store (local.get $p) (local.get $x))
      (local.set $p (i32.add (local.get $p) (i32.const 4)))
      (br_if $fill (i32.lt_u (local.get $p) (i32.const 0x80000)))))

  (func (export "run") (param $n i32) (result i64)
    (local $rep i32) (local $src i32) (local $p i32) (local $sum i64)
    (block $done
      (loop $again
        (br_if $done (i32.ge_u (local.get $rep) (local.get $n)))
        (local.set $src (i32.shl (i32.and (local.get $rep) (i32.const 511)) (i32.const 3)))
        (local.set $rep (i32.add (local.get $rep) (i32.const 1)))
        (local.set $p (i32.const 0))
        (loop $copy
          (i64.store offset=0x80000 (local.get $p)
            (i64.load (i32.add (local.get $src) (local.get $p))))
          (local.set $p (i32.add (local.get $p) (i32.const 8)))
          (br_if $copy (i32.lt_u (local.get $p) (i32.const 0x7f000))))
        (br $again)))
    (local.set $p (i32.const 0x80000))
    (loop $sample
      (local.set $sum (i64.add (local.get $sum) (i64.load (local.get $p))))
      (local.set $p (i32.add (local.get $p) (i32.const 4096)))
      (br_if $sample (i32.lt_u (local.get $p) (i32.const 0xff000))))
    (local.get $sum)))
