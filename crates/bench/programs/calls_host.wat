;; Host calls: every step calls `env.mix`, a function the embedder provides
;; (the same Rust function for both engines).
(module
  (import "env" "mix" (func $mix (param i32) (result i32)))

  (func (export "run") (param $n i32) (result i64)
    (local $i i32) (local $acc i32)
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $acc (call $mix (i32.add (local.get $acc) (local.get $i))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))
    (i64.extend_i32_u (local.get $acc))))
