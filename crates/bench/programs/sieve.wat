;; Prime sieve (Eratosthenes): run(n) counts the primes below n with one flag
;; byte per number (n <= 4 Mi).
(module
  (memory 65)

  (func (export "run") (param $n i32) (result i64)
    (local $i i32) (local $j i32) (local $count i32)
    (if (i32.gt_u (local.get $n) (i32.const 0x400000)) (then (return (i64.const -1))))
    (if (i32.lt_u (local.get $n) (i32.const 3)) (then (return (i64.const 0))))
    ;; Every number from 2 up is a candidate.
    (local.set $i (i32.const 2))
    (loop $mark
      (i32.store8 (local.get $i) (i32.const 1))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $mark (i32.lt_u (local.get $i) (local.get $n))))
    ;; Strike out the multiples of each prime p, from p*p.
    (local.set $i (i32.const 2))
    (block $sieved
      (loop $primes
        (br_if $sieved (i32.ge_u (i32.mul (local.get $i) (local.get $i)) (local.get $n)))
        (if (i32.load8_u (local.get $i))
          (then
            (local.set $j (i32.mul (local.get $i) (local.get $i)))
            (loop $strike
              (i32.store8 (local.get $j) (i32.const 0))
              (local.set $j (i32.add (local.get $j) (local.get $i)))
              (br_if $strike (i32.lt_u (local.get $j) (local.get $n))))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $primes)))
    ;; Count what is left.
    (local.set $i (i32.const 2))
    (loop $count
      (local.set $count (i32.add (local.get $count) (i32.load8_u (local.get $i))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $count (i32.lt_u (local.get $i) (local.get $n))))
    (i64.extend_i32_u (local.get $count))))
