//! An interpreter loop: a stack machine with locals, calls and jumps runs a bytecode
//! program assembled at the start of the run. The program sums, for `i` in `1..=n`,
//! the Collatz step count of `i` and `gcd(i, 360360)`, and calls a recursive Fibonacci
//! function once every 64 values.
//!
//! Self-check: the interpreted result equals the same computation in Rust.

#![no_std]

extern crate alloc;

use alloc::vec;
use alloc::vec::Vec;
use common::{check, fail, reset_heap};

/// The instruction set. Operands follow the opcode in the code vector.
#[derive(Clone, Copy)]
#[repr(u8)]
enum Op {
    /// `push imm`
    Push,
    /// `push local[a]`
    Load,
    /// `local[a] = pop`
    Store,
    /// `local[a] += imm`
    Inc,
    Add,
    Sub,
    Mul,
    /// Unsigned division and remainder (a zero divisor stops the machine).
    Div,
    Rem,
    And,
    Shr,
    /// Comparisons push 1 or 0.
    Lt,
    Eq,
    /// `pc = target`
    Jump,
    /// `pc = target` if pop is 0
    JumpIfZero,
    /// `pc = target` if pop is not 0
    JumpIfNonZero,
    /// Calls function `f` with `args` arguments from the stack: they become its first
    /// locals.
    Call,
    /// Returns the top of the stack to the caller.
    Return,
    Dup,
    Drop,
    Halt,
}

const OPS: [Op; 21] = [
    Op::Push,
    Op::Load,
    Op::Store,
    Op::Inc,
    Op::Add,
    Op::Sub,
    Op::Mul,
    Op::Div,
    Op::Rem,
    Op::And,
    Op::Shr,
    Op::Lt,
    Op::Eq,
    Op::Jump,
    Op::JumpIfZero,
    Op::JumpIfNonZero,
    Op::Call,
    Op::Return,
    Op::Dup,
    Op::Drop,
    Op::Halt,
];

/// A function: where its code starts, its parameters and its locals (parameters
/// included).
#[derive(Clone, Copy)]
struct Function {
    entry: u32,
    params: u32,
    locals: u32,
}

/// Builds code with forward labels.
struct Assembler {
    code: Vec<i64>,
    /// Where each label is (`usize::MAX` until placed).
    labels: Vec<usize>,
    /// Jump operands waiting for their label: (position in `code`, label).
    fixups: Vec<(usize, usize)>,
}

impl Assembler {
    fn op(&mut self, op: Op) -> &mut Self {
        self.code.push(op as i64);
        self
    }

    fn with(&mut self, op: Op, operand: i64) -> &mut Self {
        self.code.push(op as i64);
        self.code.push(operand);
        self
    }

    fn label(&mut self) -> usize {
        self.labels.push(usize::MAX);
        self.labels.len() - 1
    }

    fn place(&mut self, label: usize) -> &mut Self {
        self.labels[label] = self.code.len();
        self
    }

    fn jump(&mut self, op: Op, label: usize) -> &mut Self {
        self.code.push(op as i64);
        self.fixups.push((self.code.len(), label));
        self.code.push(0);
        self
    }

    fn finish(mut self) -> Vec<i64> {
        for &(at, label) in &self.fixups {
            check(self.labels[label] != usize::MAX);
            self.code[at] = self.labels[label] as i64;
        }
        self.code
    }
}

const MAIN: i64 = 0;
const COLLATZ: i64 = 1;
const GCD: i64 = 2;
const FIB: i64 = 3;
const MODULUS: i64 = 360_360;

/// The program. Function 0 is `main(n)`, locals: n, i, total.
fn assemble() -> (Vec<i64>, Vec<Function>) {
    let mut a = Assembler {
        code: Vec::new(),
        labels: Vec::new(),
        fixups: Vec::new(),
    };
    let mut functions = Vec::new();

    // main(n): total = 0; for i in 1..=n { total += collatz(i) + gcd(i, M);
    //          if i & 63 == 0 { total += fib(i >> 6 & 15) } } return total
    functions.push(Function {
        entry: a.code.len() as u32,
        params: 1,
        locals: 3,
    });
    let (top, done, skip) = (a.label(), a.label(), a.label());
    a.with(Op::Push, 0).with(Op::Store, 2);
    a.with(Op::Push, 1).with(Op::Store, 1);
    a.place(top);
    a.with(Op::Load, 0)
        .with(Op::Load, 1)
        .op(Op::Lt)
        .jump(Op::JumpIfNonZero, done);
    a.with(Op::Load, 1).with(Op::Call, COLLATZ);
    a.with(Op::Load, 1)
        .with(Op::Push, MODULUS)
        .with(Op::Call, GCD);
    a.op(Op::Add)
        .with(Op::Load, 2)
        .op(Op::Add)
        .with(Op::Store, 2);
    a.with(Op::Load, 1)
        .with(Op::Push, 63)
        .op(Op::And)
        .jump(Op::JumpIfNonZero, skip);
    a.with(Op::Load, 1)
        .with(Op::Push, 6)
        .op(Op::Shr)
        .with(Op::Push, 15)
        .op(Op::And);
    a.with(Op::Call, FIB)
        .with(Op::Load, 2)
        .op(Op::Add)
        .with(Op::Store, 2);
    a.place(skip);
    a.with(Op::Inc, 1).code.push(1);
    a.jump(Op::Jump, top);
    a.place(done);
    a.with(Op::Load, 2).op(Op::Return);

    // collatz(x): steps = 0; while x != 1 { x = x odd ? 3x + 1 : x / 2; steps += 1 }
    functions.push(Function {
        entry: a.code.len() as u32,
        params: 1,
        locals: 2,
    });
    let (top, done, even, next) = (a.label(), a.label(), a.label(), a.label());
    a.with(Op::Push, 0).with(Op::Store, 1);
    a.place(top);
    a.with(Op::Load, 0)
        .with(Op::Push, 1)
        .op(Op::Eq)
        .jump(Op::JumpIfNonZero, done);
    a.with(Op::Load, 0)
        .with(Op::Push, 1)
        .op(Op::And)
        .jump(Op::JumpIfZero, even);
    a.with(Op::Load, 0)
        .with(Op::Push, 3)
        .op(Op::Mul)
        .with(Op::Push, 1)
        .op(Op::Add);
    a.jump(Op::Jump, next);
    a.place(even);
    a.with(Op::Load, 0).with(Op::Push, 1).op(Op::Shr);
    a.place(next);
    a.with(Op::Store, 0).with(Op::Inc, 1).code.push(1);
    a.jump(Op::Jump, top);
    a.place(done);
    a.with(Op::Load, 1).op(Op::Return);

    // gcd(a, b): while b != 0 { (a, b) = (b, a % b) } return a
    functions.push(Function {
        entry: a.code.len() as u32,
        params: 2,
        locals: 2,
    });
    let (top, done) = (a.label(), a.label());
    a.place(top);
    a.with(Op::Load, 1).jump(Op::JumpIfZero, done);
    a.with(Op::Load, 1)
        .with(Op::Load, 0)
        .with(Op::Load, 1)
        .op(Op::Rem);
    a.with(Op::Store, 1).with(Op::Store, 0);
    a.jump(Op::Jump, top);
    a.place(done);
    a.with(Op::Load, 0).op(Op::Return);

    // fib(k): k < 2 ? k : fib(k - 1) + fib(k - 2)
    functions.push(Function {
        entry: a.code.len() as u32,
        params: 1,
        locals: 1,
    });
    let recurse = a.label();
    a.with(Op::Load, 0)
        .with(Op::Push, 2)
        .op(Op::Lt)
        .jump(Op::JumpIfZero, recurse);
    a.with(Op::Load, 0).op(Op::Return);
    a.place(recurse);
    a.with(Op::Load, 0)
        .with(Op::Push, 1)
        .op(Op::Sub)
        .with(Op::Call, FIB);
    a.with(Op::Load, 0)
        .with(Op::Push, 2)
        .op(Op::Sub)
        .with(Op::Call, FIB);
    a.op(Op::Add).op(Op::Return);

    // A stray `Halt` after the last function: running off a function's end stops.
    a.op(Op::Halt);
    (a.finish(), functions)
}

/// A call frame: where to return and where the caller's locals start.
struct Frame {
    return_pc: usize,
    locals_base: usize,
}

/// Runs function `entry` with `args`; returns its result.
fn execute(code: &[i64], functions: &[Function], entry: usize, args: &[i64]) -> i64 {
    let mut stack: Vec<i64> = Vec::with_capacity(256);
    let mut locals: Vec<i64> = vec![0; 64];
    let mut frames: Vec<Frame> = Vec::with_capacity(64);

    let f = functions[entry];
    locals[..args.len()].copy_from_slice(args);
    let mut base = 0;
    let mut top = f.locals as usize;
    let mut pc = f.entry as usize;

    loop {
        let op = OPS[code[pc] as usize];
        pc += 1;
        match op {
            Op::Push => {
                stack.push(code[pc]);
                pc += 1;
            }
            Op::Load => {
                stack.push(locals[base + code[pc] as usize]);
                pc += 1;
            }
            Op::Store => {
                locals[base + code[pc] as usize] = stack.pop().unwrap();
                pc += 1;
            }
            Op::Inc => {
                let local = &mut locals[base + code[pc] as usize];
                *local = local.wrapping_add(code[pc + 1]);
                pc += 2;
            }
            Op::Add
            | Op::Sub
            | Op::Mul
            | Op::Div
            | Op::Rem
            | Op::And
            | Op::Shr
            | Op::Lt
            | Op::Eq => {
                let b = stack.pop().unwrap();
                let a = stack.pop().unwrap();
                stack.push(match op {
                    Op::Add => a.wrapping_add(b),
                    Op::Sub => a.wrapping_sub(b),
                    Op::Mul => a.wrapping_mul(b),
                    Op::Div => (a as u64).checked_div(b as u64).unwrap_or_else(|| fail()) as i64,
                    Op::Rem => (a as u64).checked_rem(b as u64).unwrap_or_else(|| fail()) as i64,
                    Op::And => a & b,
                    Op::Shr => ((a as u64) >> (b & 63)) as i64,
                    Op::Lt => i64::from(a < b),
                    _ => i64::from(a == b),
                });
            }
            Op::Jump => pc = code[pc] as usize,
            Op::JumpIfZero | Op::JumpIfNonZero => {
                let value = stack.pop().unwrap();
                if (value == 0) == matches!(op, Op::JumpIfZero) {
                    pc = code[pc] as usize;
                } else {
                    pc += 1;
                }
            }
            Op::Call => {
                let callee = functions[code[pc] as usize];
                pc += 1;
                frames.push(Frame {
                    return_pc: pc,
                    locals_base: base,
                });
                base = top;
                top += callee.locals as usize;
                if locals.len() < top {
                    locals.resize(top * 2, 0);
                }
                let params = callee.params as usize;
                let from = stack.len() - params;
                locals[base..base + params].copy_from_slice(&stack[from..]);
                stack.truncate(from);
                locals[base + params..top].fill(0);
                pc = callee.entry as usize;
            }
            Op::Return => {
                let Some(frame) = frames.pop() else {
                    return stack.pop().unwrap();
                };
                top = base;
                base = frame.locals_base;
                pc = frame.return_pc;
            }
            Op::Dup => {
                let value = *stack.last().unwrap();
                stack.push(value);
            }
            Op::Drop => {
                stack.pop();
            }
            Op::Halt => fail(),
        }
    }
}

fn native_collatz(mut x: u64) -> i64 {
    let mut steps = 0;
    while x != 1 {
        x = if x & 1 == 1 { 3 * x + 1 } else { x >> 1 };
        steps += 1;
    }
    steps
}

fn native_gcd(mut a: u64, mut b: u64) -> u64 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

fn native_fib(k: u64) -> u64 {
    if k < 2 {
        k
    } else {
        native_fib(k - 1) + native_fib(k - 2)
    }
}

fn native(n: i64) -> i64 {
    let mut total = 0i64;
    for i in 1..=n {
        total += native_collatz(i as u64) + native_gcd(i as u64, MODULUS as u64) as i64;
        if i & 63 == 0 {
            total += native_fib((i >> 6 & 15) as u64) as i64;
        }
    }
    total
}

#[unsafe(no_mangle)]
pub extern "C" fn run(n: i32) -> i64 {
    reset_heap();
    let n = i64::from(n.max(0));
    let (code, functions) = assemble();
    let result = execute(&code, &functions, MAIN as usize, &[n]);
    check(result == native(n));
    result
}
