;; Exceptions: `run(n)` calls a function that recurses 10 frames deep n times, each call
;; inside a `try_table`; one call in 8 throws from the bottom, and the exception is
;; caught at the top (as C++ compiled with `-fwasm-exceptions` unwinds). Most calls
;; take the path that does not throw.
(module
  (tag $odd (param i32))

  (func $work (param $depth i32) (param $x i32) (result i32)
    (if (i32.eqz (local.get $depth))
      (then
        (if (i32.eqz (i32.and (local.get $x) (i32.const 7)))
          (then (throw $odd (local.get $x))))
        (return (local.get $x))))
    (i32.add
      (call $work (i32.sub (local.get $depth) (i32.const 1)) (local.get $x))
      (i32.const 1)))

  (func (export "run") (param $n i32) (result i64)
    (local $i i32) (local $sum i64)
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $sum
          (i64.add (local.get $sum)
            (i64.extend_i32_u
              ;; The thrown value (caught), or the result plus the depth.
              (block $caught (result i32)
                (try_table (result i32) (catch $odd $caught)
                  (call $work (i32.const 10) (local.get $i)))))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))
    (local.get $sum)))
