;; br_table dispatch: a loop that picks one of eight small operations per step
;; from the top bits of a linear congruential generator, like an interpreter's
;; opcode switch.
(module
  (func (export "run") (param $n i32) (result i64)
    (local $i i32) (local $state i32) (local $acc i32)
    (local.set $state (i32.const 12345))
    (local.set $acc (i32.const 1))
    (block $exit
      (loop $dispatch
        (br_if $exit (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (local.set $state
          (i32.add (i32.mul (local.get $state) (i32.const 1103515245)) (i32.const 12345)))
        (block $op7
          (block $op6
            (block $op5
              (block $op4
                (block $op3
                  (block $op2
                    (block $op1
                      (block $op0
                        (br_table $op0 $op1 $op2 $op3 $op4 $op5 $op6 $op7
                          (i32.shr_u (local.get $state) (i32.const 29))))
                      ;; 0
                      (local.set $acc (i32.add (local.get $acc) (i32.const 1)))
                      (br $dispatch))
                    ;; 1
                    (local.set $acc (i32.xor (local.get $acc) (local.get $state)))
                    (br $dispatch))
                  ;; 2
                  (local.set $acc (i32.rotl (local.get $acc) (i32.const 5)))
                  (br $dispatch))
                ;; 3
                (local.set $acc (i32.sub (local.get $acc) (local.get $i)))
                (br $dispatch))
              ;; 4
              (local.set $acc (i32.mul (local.get $acc) (i32.const 0x01000193)))
              (br $dispatch))
            ;; 5
            (local.set $acc (i32.add (local.get $acc) (i32.shl (local.get $i) (i32.const 3))))
            (br $dispatch))
          ;; 6
          (local.set $acc (i32.xor (local.get $acc) (i32.shr_u (local.get $acc) (i32.const 7))))
          (br $dispatch))
        ;; 7 (also the default)
        (local.set $acc (i32.add (local.get $acc) (i32.and (local.get $state) (i32.const 0xff))))
        (br $dispatch)))
    (i64.extend_i32_u (local.get $acc))))
