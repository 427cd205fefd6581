;; Matrix multiply: run(n) fills two n x n f64 matrices A and B, computes
;; C = A * B with the textbook triple loop, and returns the bits of the sum of C.
;; Layout: A at 0, B at 8n^2, C at 16n^2 (n <= 128).
(module
  (memory 8)

  (func (export "run") (param $n i32) (result i64)
    (local $i i32) (local $j i32) (local $k i32)
    (local $b i32) (local $c i32) (local $addr i32)
    (local $sum f64) (local $total f64)
    (if (i32.gt_u (local.get $n) (i32.const 128)) (then (return (i64.const -1))))
    (if (i32.eqz (local.get $n)) (then (return (i64.const 0))))
    (local.set $b (i32.shl (i32.mul (local.get $n) (local.get $n)) (i32.const 3)))
    (local.set $c (i32.shl (local.get $b) (i32.const 1)))
    ;; A[i][j] = (((7i + 3j) mod 17) - 8) / 4,  B[i][j] = (((5i + 11j) mod 13) - 6) / 2
    (local.set $i (i32.const 0))
    (loop $init_rows
      (local.set $j (i32.const 0))
      (loop $init_cols
        (local.set $addr
          (i32.shl (i32.add (i32.mul (local.get $i) (local.get $n)) (local.get $j)) (i32.const 3)))
        (f64.store (local.get $addr)
          (f64.mul
            (f64.convert_i32_s
              (i32.sub
                (i32.rem_u
                  (i32.add (i32.mul (local.get $i) (i32.const 7)) (i32.mul (local.get $j) (i32.const 3)))
                  (i32.const 17))
                (i32.const 8)))
            (f64.const 0.25)))
        (f64.store (i32.add (local.get $b) (local.get $addr))
          (f64.mul
            (f64.convert_i32_s
              (i32.sub
                (i32.rem_u
                  (i32.add (i32.mul (local.get $i) (i32.const 5)) (i32.mul (local.get $j) (i32.const 11)))
                  (i32.const 13))
                (i32.const 6)))
            (f64.const 0.5)))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br_if $init_cols (i32.lt_u (local.get $j) (local.get $n))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $init_rows (i32.lt_u (local.get $i) (local.get $n))))
    ;; C[i][j] = sum over k of A[i][k] * B[k][j]
    (local.set $i (i32.const 0))
    (loop $rows
      (local.set $j (i32.const 0))
      (loop $cols
        (local.set $sum (f64.const 0))
        (local.set $k (i32.const 0))
        (loop $dot
          (local.set $sum
            (f64.add (local.get $sum)
              (f64.mul
                (f64.load
                  (i32.shl (i32.add (i32.mul (local.get $i) (local.get $n)) (local.get $k)) (i32.const 3)))
                (f64.load
                  (i32.add (local.get $b)
                    (i32.shl (i32.add (i32.mul (local.get $k) (local.get $n)) (local.get $j)) (i32.const 3)))))))
          (local.set $k (i32.add (local.get $k) (i32.const 1)))
          (br_if $dot (i32.lt_u (local.get $k) (local.get $n))))
        (f64.store
          (i32.add (local.get $c)
            (i32.shl (i32.add (i32.mul (local.get $i) (local.get $n)) (local.get $j)) (i32.const 3)))
          (local.get $sum))
        (local.set $total (f64.add (local.get $total) (local.get $sum)))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br_if $cols (i32.lt_u (local.get $j) (local.get $n))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $rows (i32.lt_u (local.get $i) (local.get $n))))
    (i64.reinterpret_f64 (local.get $total))))
