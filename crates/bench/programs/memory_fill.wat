;; Memory fill: run(n) fills 1 MiB of linear memory n times with 8-byte stores
;; (Wasm 1.0 has no memory.fill), then sums one word per 4 KiB page.
(module
  (memory 16)

  (func (export "run") (param $n i32) (result i64)
    (local $rep i32) (local $p i32) (local $value i64) (local $sum i64)
    (block $done
      (loop $again
        (br_if $done (i32.ge_u (local.get $rep) (local.get $n)))
        (local.set $rep (i32.add (local.get $rep) (i32.const 1)))
        (local.set $value
          (i64.mul (i64.extend_i32_u (local.get $rep)) (i64.const 0x0101010101010101)))
        (local.set $p (i32.const 0))
        (loop $fill
          (i64.store (local.get $p) (local.get $value))
          (local.set $p (i32.add (local.get $p) (i32.const 8)))
          (br_if $fill (i32.lt_u (local.get $p) (i32.const 0x100000))))
        (br $again)))
    (local.set $p (i32.const 0))
    (loop $sample
      (local.set $sum (i64.add (local.get $sum) (i64.load (local.get $p))))
      (local.set $p (i32.add (local.get $p) (i32.const 4096)))
      (br_if $sample (i32.lt_u (local.get $p) (i32.const 0x100000))))
    (local.get $sum)))
