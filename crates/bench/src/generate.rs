//! Large modules for the startup group, generated as text (turned into binaries before
//! anything is timed).

use std::fmt::Write as _;

/// A module with `count` small functions of one type, in four shapes taken in turn:
/// a counting loop, memory accesses and a direct call, an `if` with a global and
/// floats, and a `br_table` with a `call_indirect`. Every function is in the table; one
/// in a hundred is exported.
pub fn many_functions(count: usize) -> String {
    let mut wat = String::from(
        "(module\n\
         (type $sig (func (param i32 i32) (result i32)))\n\
         (memory (export \"memory\") 1)\n\
         (global $g (mut i32) (i32.const 0))\n",
    );
    writeln!(wat, "(table {count} funcref)").unwrap();
    wat.push_str("(elem (i32.const 0)");
    for i in 0..count {
        write!(wat, " $f{i}").unwrap();
    }
    wat.push_str(")\n");
    for i in 0..count {
        let shape = if i == 0 { 0 } else { i % 4 };
        writeln!(wat, "(func $f{i} (type $sig) (local $x i32) (local $y i64)").unwrap();
        match shape {
            0 => write!(
                wat,
                "(local.set $x (i32.add (local.get 0) (i32.const {i})))
                 (block $b (loop $l
                   (br_if $b (i32.ge_u (local.get $x) (local.get 1)))
                   (local.set $x (i32.add (i32.mul (local.get $x) (i32.const 3)) (i32.const 1)))
                   (local.set $y (i64.add (local.get $y) (i64.extend_i32_u (local.get $x))))
                   (br $l)))
                 (i32.wrap_i64 (local.get $y)))\n"
            ),
            1 => write!(
                wat,
                "(i32.store (i32.and (local.get 0) (i32.const 0x7ffc))
                   (i32.add (local.get 1) (i32.const {i})))
                 (local.set $x (i32.load offset={offset} (i32.and (local.get 1) (i32.const 0x7ffc))))
                 (call $f{previous} (local.get $x) (i32.sub (local.get 0) (i32.const 1))))\n",
                offset = 4 * (i % 64),
                previous = i - 1,
            ),
            2 => write!(
                wat,
                "(if (result i32) (i32.lt_s (local.get 0) (local.get 1))
                   (then
                     (global.set $g (i32.add (global.get $g) (i32.const {i})))
                     (global.get $g))
                   (else
                     (i32.trunc_f64_s
                       (f64.mul (f64.convert_i32_s (local.get 1)) (f64.const 0.5))))))\n"
            ),
            _ => write!(
                wat,
                "(block $c (block $b (block $a
                   (br_table $a $b $c (i32.and (local.get 0) (i32.const 3))))
                   (return (i32.const {i})))
                   (return (call_indirect (type $sig) (local.get 1) (local.get 0) (i32.const {target}))))
                 (i32.xor (local.get 0) (local.get 1)))\n",
                target = (i * 7) % count,
            ),
        }
        .unwrap();
        if i % 100 == 0 {
            writeln!(wat, "(export \"f{i}\" (func $f{i}))").unwrap();
        }
    }
    wat.push_str(")\n");
    wat
}

/// A module with `count` long functions of `blocks` straight-line blocks each (local
/// arithmetic and a small `if` per block): translation cost per instruction, without
/// per-function overhead.
pub fn big_functions(count: usize, blocks: usize) -> String {
    let mut wat = String::from("(module\n");
    for i in 0..count {
        writeln!(
            wat,
            "(func $big{i} (export \"big{i}\") (param $a i32) (param $b i32) (result i32) \
             (local $c i32) (local $d i64)"
        )
        .unwrap();
        for k in 0..blocks {
            let factor = (k as u32).wrapping_mul(0x9e37_79b1) as i32;
            let shift = k % 31 + 1;
            writeln!(
                wat,
                "(local.set $a (i32.add (local.get $a) (i32.mul (local.get $b) (i32.const {factor}))))
                 (local.set $b (i32.xor (local.get $b) (i32.shr_u (local.get $a) (i32.const {shift}))))
                 (if (i32.lt_u (local.get $a) (local.get $b))
                   (then (local.set $c (i32.add (local.get $c) (i32.const {k})))))
                 (local.set $d (i64.add (local.get $d) (i64.extend_i32_u (local.get $c))))"
            )
            .unwrap();
        }
        wat.push_str("(i32.add (local.get $a) (i32.wrap_i64 (local.get $d))))\n");
    }
    wat.push_str(")\n");
    wat
}
