;; Sorting: run(n) fills memory with n pseudo-random signed 32-bit integers,
;; heap sorts them in place, checks the order (-2 if wrong) and returns a
;; checksum of the sorted array (n <= 256 Ki).
(module
  (memory 16)

  ;; Moves the element at `root` down the max-heap a[0..end).
  (func $sift_down (param $root i32) (param $end i32)
    (local $child i32) (local $root_addr i32) (local $child_addr i32)
    (local $root_value i32) (local $child_value i32)
    (block $done
      (loop $down
        (local.set $child (i32.add (i32.shl (local.get $root) (i32.const 1)) (i32.const 1)))
        (br_if $done (i32.ge_u (local.get $child) (local.get $end)))
        ;; The larger of the two children.
        (if (i32.lt_u (i32.add (local.get $child) (i32.const 1)) (local.get $end))
          (then
            (if (i32.lt_s
                  (i32.load (i32.shl (local.get $child) (i32.const 2)))
                  (i32.load (i32.shl (i32.add (local.get $child) (i32.const 1)) (i32.const 2))))
              (then (local.set $child (i32.add (local.get $child) (i32.const 1)))))))
        (local.set $root_addr (i32.shl (local.get $root) (i32.const 2)))
        (local.set $child_addr (i32.shl (local.get $child) (i32.const 2)))
        (local.set $root_value (i32.load (local.get $root_addr)))
        (local.set $child_value (i32.load (local.get $child_addr)))
        (br_if $done (i32.ge_s (local.get $root_value) (local.get $child_value)))
        (i32.store (local.get $root_addr) (local.get $child_value))
        (i32.store (local.get $child_addr) (local.get $root_value))
        (local.set $root (local.get $child))
        (br $down))))

  (func (export "run") (param $n i32) (result i64)
    (local $i i32) (local $x i32) (local $end i32) (local $top i32) (local $sum i64)
    (if (i32.gt_u (local.get $n) (i32.const 0x40000)) (then (return (i64.const -1))))
    (if (i32.lt_u (local.get $n) (i32.const 2)) (then (return (i64.const 0))))
    ;; Pseudo-random input.
    (local.set $x (i32.const 1))
    (loop $fill
      (local.set $x (i32.add (i32.mul (local.get $x) (i32.const 1103515245)) (i32.const 12345)))
      (i32.store (i32.shl (local.get $i) (i32.const 2)) (local.get $x))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $fill (i32.lt_u (local.get $i) (local.get $n))))
    ;; Build the max-heap.
    (local.set $i (i32.shr_u (local.get $n) (i32.const 1)))
    (loop $heapify
      (local.set $i (i32.sub (local.get $i) (i32.const 1)))
      (call $sift_down (local.get $i) (local.get $n))
      (br_if $heapify (local.get $i)))
    ;; Move the maximum to the end, shrink the heap, repeat.
    (local.set $end (i32.sub (local.get $n) (i32.const 1)))
    (loop $sortdown
      (local.set $top (i32.load (i32.const 0)))
      (i32.store (i32.const 0) (i32.load (i32.shl (local.get $end) (i32.const 2))))
      (i32.store (i32.shl (local.get $end) (i32.const 2)) (local.get $top))
      (call $sift_down (i32.const 0) (local.get $end))
      (local.set $end (i32.sub (local.get $end) (i32.const 1)))
      (br_if $sortdown (local.get $end)))
    ;; Check the order and fold the array into a checksum.
    (local.set $sum (i64.extend_i32_s (i32.load (i32.const 0))))
    (local.set $i (i32.const 1))
    (loop $check
      (if (i32.gt_s
            (i32.load (i32.shl (i32.sub (local.get $i) (i32.const 1)) (i32.const 2)))
            (i32.load (i32.shl (local.get $i) (i32.const 2))))
        (then (return (i64.const -2))))
      (local.set $sum
        (i64.add
          (i64.mul (local.get $sum) (i64.const 31))
          (i64.extend_i32_s (i32.load (i32.shl (local.get $i) (i32.const 2))))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $check (i32.lt_u (local.get $i) (local.get $n))))
    (local.get $sum)))
