;; Mandelbrot set: run(w) iterates z = z^2 + c (at most 100 times) for every
;; point of a w x w grid over [-2, 1] x [-1.5, 1.5] and returns the total number
;; of iterations.
(module
  (func (export "run") (param $w i32) (result i64)
    (local $px i32) (local $py i32) (local $iter i32) (local $total i64)
    (local $scale f64) (local $cr f64) (local $ci f64)
    (local $zr f64) (local $zi f64) (local $zr2 f64) (local $zi2 f64)
    (if (i32.eqz (local.get $w)) (then (return (i64.const 0))))
    (local.set $scale (f64.div (f64.const 3) (f64.convert_i32_u (local.get $w))))
    (loop $rows
      (local.set $ci
        (f64.add (f64.const -1.5) (f64.mul (f64.convert_i32_u (local.get $py)) (local.get $scale))))
      (local.set $px (i32.const 0))
      (loop $cols
        (local.set $cr
          (f64.add (f64.const -2) (f64.mul (f64.convert_i32_u (local.get $px)) (local.get $scale))))
        (local.set $zr (f64.const 0))
        (local.set $zi (f64.const 0))
        (local.set $zr2 (f64.const 0))
        (local.set $zi2 (f64.const 0))
        (local.set $iter (i32.const 0))
        (block $escaped
          (loop $iterate
            (br_if $escaped (f64.gt (f64.add (local.get $zr2) (local.get $zi2)) (f64.const 4)))
            (br_if $escaped (i32.ge_u (local.get $iter) (i32.const 100)))
            (local.set $zi
              (f64.add (f64.mul (f64.mul (f64.const 2) (local.get $zr)) (local.get $zi)) (local.get $ci)))
            (local.set $zr (f64.add (f64.sub (local.get $zr2) (local.get $zi2)) (local.get $cr)))
            (local.set $zr2 (f64.mul (local.get $zr) (local.get $zr)))
            (local.set $zi2 (f64.mul (local.get $zi) (local.get $zi)))
            (local.set $iter (i32.add (local.get $iter) (i32.const 1)))
            (br $iterate)))
        (local.set $total (i64.add (local.get $total) (i64.extend_i32_u (local.get $iter))))
        (local.set $px (i32.add (local.get $px) (i32.const 1)))
        (br_if $cols (i32.lt_u (local.get $px) (local.get $w))))
      (local.set $py (i32.add (local.get $py) (i32.const 1)))
      (br_if $rows (i32.lt_u (local.get $py) (local.get $w))))
    (local.get $total)))
