;; Tail calls: a bytecode machine in continuation-passing style, each opcode's handler
;; ending in a tail call of the dispatcher, which tail-calls the next handler through a
;; table (`return_call` and `return_call_indirect`, as interpreters and functional
;; languages compiled to Wasm run). The stack stays one frame deep for the whole run.
(module
  (type $handler (func (param i32 i64 i32) (result i64)))
  (table 4 funcref)
  (elem (i32.const 0) $add $mix $dec $halt)
  (memory 1)
  ;; The program: add, mix, dec (back to 0, or on to the halt at 3).
  (data (i32.const 0) "\00\01\02\03")

  (func $dispatch (param $pc i32) (param $acc i64) (param $n i32) (result i64)
    (return_call_indirect (type $handler)
      (local.get $pc) (local.get $acc) (local.get $n)
      (i32.load8_u (local.get $pc))))

  (func $add (type $handler)
    (return_call $dispatch
      (i32.add (local.get 0) (i32.const 1))
      (i64.add (local.get 1) (i64.extend_i32_u (local.get 2)))
      (local.get 2)))

  (func $mix (type $handler)
    (return_call $dispatch
      (i32.add (local.get 0) (i32.const 1))
      (i64.add
        (i64.mul (local.get 1) (i64.const 6364136223846793005))
        (i64.const 1442695040888963407))
      (local.get 2)))

  (func $dec (type $handler)
    (local $left i32)
    (local.set $left (i32.sub (local.get 2) (i32.const 1)))
    (return_call $dispatch
      (select (i32.const 3) (i32.const 0) (i32.eqz (local.get $left)))
      (local.get 1)
      (local.get $left)))

  (func $halt (type $handler) (local.get 1))

  (func (export "run") (param $n i32) (result i64)
    (call $dispatch (i32.const 0) (i64.const 0) (local.get $n))))
