//! Dynamic dispatch: random expression trees built twice, as boxed trait objects (each
//! node's `eval` is a call through a vtable, a `call_indirect` in Wasm) and as an enum
//! walked by a `match`, then evaluated over `n` variable assignments. A second pass
//! runs a pipeline of boxed closures (`dyn FnMut`) over the results.
//!
//! Self-checks: both trees give the same value for every assignment, and their node
//! counts agree; the closure pipeline equals the same steps written inline.

#![no_std]

extern crate alloc;

use alloc::boxed::Box;
use alloc::vec::Vec;
use common::{Rng, check, reset_heap};

const VARIABLES: usize = 4;

/// An expression node behind a vtable.
trait Expr {
    fn eval(&self, vars: &[i64; VARIABLES]) -> i64;
    fn nodes(&self) -> u32;
}

struct Const(i64);
struct Var(usize);
struct Add(Box<dyn Expr>, Box<dyn Expr>);
struct Sub(Box<dyn Expr>, Box<dyn Expr>);
struct Mul(Box<dyn Expr>, Box<dyn Expr>);
struct Xor(Box<dyn Expr>, Box<dyn Expr>);
struct Shr(Box<dyn Expr>, u32);
/// `if cond < 0 { then } else { other }`.
struct Select(Box<dyn Expr>, Box<dyn Expr>, Box<dyn Expr>);
struct Min(Box<dyn Expr>, Box<dyn Expr>);

impl Expr for Const {
    fn eval(&self, _: &[i64; VARIABLES]) -> i64 {
        self.0
    }
    fn nodes(&self) -> u32 {
        1
    }
}

impl Expr for Var {
    fn eval(&self, vars: &[i64; VARIABLES]) -> i64 {
        vars[self.0]
    }
    fn nodes(&self) -> u32 {
        1
    }
}

macro_rules! binary {
    ($($node:ident => |$a:ident, $b:ident| $value:expr;)*) => {$(
        impl Expr for $node {
            fn eval(&self, vars: &[i64; VARIABLES]) -> i64 {
                let ($a, $b) = (self.0.eval(vars), self.1.eval(vars));
                $value
            }
            fn nodes(&self) -> u32 {
                1 + self.0.nodes() + self.1.nodes()
            }
        }
    )*};
}

binary! {
    Add => |a, b| a.wrapping_add(b);
    Sub => |a, b| a.wrapping_sub(b);
    Mul => |a, b| a.wrapping_mul(b);
    Xor => |a, b| a ^ b;
    Min => |a, b| a.min(b);
}

impl Expr for Shr {
    fn eval(&self, vars: &[i64; VARIABLES]) -> i64 {
        self.0.eval(vars) >> self.1
    }
    fn nodes(&self) -> u32 {
        1 + self.0.nodes()
    }
}

impl Expr for Select {
    fn eval(&self, vars: &[i64; VARIABLES]) -> i64 {
        if self.0.eval(vars) < 0 {
            self.1.eval(vars)
        } else {
            self.2.eval(vars)
        }
    }
    fn nodes(&self) -> u32 {
        1 + self.0.nodes() + self.1.nodes() + self.2.nodes()
    }
}

/// The same expressions as plain data.
enum Node {
    Const(i64),
    Var(usize),
    Add(Box<Node>, Box<Node>),
    Sub(Box<Node>, Box<Node>),
    Mul(Box<Node>, Box<Node>),
    Xor(Box<Node>, Box<Node>),
    Shr(Box<Node>, u32),
    Select(Box<Node>, Box<Node>, Box<Node>),
    Min(Box<Node>, Box<Node>),
}

impl Node {
    fn eval(&self, vars: &[i64; VARIABLES]) -> i64 {
        match self {
            Node::Const(c) => *c,
            Node::Var(v) => vars[*v],
            Node::Add(a, b) => a.eval(vars).wrapping_add(b.eval(vars)),
            Node::Sub(a, b) => a.eval(vars).wrapping_sub(b.eval(vars)),
            Node::Mul(a, b) => a.eval(vars).wrapping_mul(b.eval(vars)),
            Node::Xor(a, b) => a.eval(vars) ^ b.eval(vars),
            Node::Shr(a, s) => a.eval(vars) >> s,
            Node::Select(c, a, b) => {
                if c.eval(vars) < 0 {
                    a.eval(vars)
                } else {
                    b.eval(vars)
                }
            }
            Node::Min(a, b) => a.eval(vars).min(b.eval(vars)),
        }
    }

    fn nodes(&self) -> u32 {
        match self {
            Node::Const(_) | Node::Var(_) => 1,
            Node::Shr(a, _) => 1 + a.nodes(),
            Node::Add(a, b)
            | Node::Sub(a, b)
            | Node::Mul(a, b)
            | Node::Xor(a, b)
            | Node::Min(a, b) => 1 + a.nodes() + b.nodes(),
            Node::Select(c, a, b) => 1 + c.nodes() + a.nodes() + b.nodes(),
        }
    }

    /// The trait-object version of this tree.
    fn to_dyn(&self) -> Box<dyn Expr> {
        match self {
            Node::Const(c) => Box::new(Const(*c)),
            Node::Var(v) => Box::new(Var(*v)),
            Node::Add(a, b) => Box::new(Add(a.to_dyn(), b.to_dyn())),
            Node::Sub(a, b) => Box::new(Sub(a.to_dyn(), b.to_dyn())),
            Node::Mul(a, b) => Box::new(Mul(a.to_dyn(), b.to_dyn())),
            Node::Xor(a, b) => Box::new(Xor(a.to_dyn(), b.to_dyn())),
            Node::Shr(a, s) => Box::new(Shr(a.to_dyn(), *s)),
            Node::Select(c, a, b) => Box::new(Select(c.to_dyn(), a.to_dyn(), b.to_dyn())),
            Node::Min(a, b) => Box::new(Min(a.to_dyn(), b.to_dyn())),
        }
    }
}

/// A random tree of about `budget` nodes.
fn random_tree(rng: &mut Rng, budget: u32) -> Node {
    if budget <= 1 {
        return if rng.chance(50) {
            Node::Var(rng.below(VARIABLES as u32) as usize)
        } else {
            Node::Const(i64::from(rng.next_u32() >> 20) - 2048)
        };
    }
    let rest = budget - 1;
    let left = 1 + rng.below(rest);
    let right = rest.saturating_sub(left).max(1);
    let kind = rng.below(8);
    let shift = 1 + rng.below(7);
    let mut child = |size| Box::new(random_tree(rng, size));
    match kind {
        0 => Node::Add(child(left), child(right)),
        1 => Node::Sub(child(left), child(right)),
        2 => Node::Mul(child(left), child(right)),
        3 => Node::Xor(child(left), child(right)),
        4 => Node::Shr(child(rest), shift),
        5 => {
            let third = (rest / 3).max(1);
            Node::Select(child(third), child(third), child(third))
        }
        6 => Node::Min(child(left), child(right)),
        _ => Node::Add(child(left), Box::new(Node::Const(1))),
    }
}

/// A pipeline stage: state carried between calls, as a closure would.
type Stage = Box<dyn FnMut(i64) -> i64>;

fn pipeline() -> Vec<Stage> {
    let mut stages: Vec<Stage> = Vec::new();
    let mut sum = 0i64;
    stages.push(Box::new(move |x| {
        sum = sum.wrapping_add(x);
        sum
    }));
    stages.push(Box::new(|x| x.rotate_left(13) ^ 0x5555));
    let mut previous = 0i64;
    stages.push(Box::new(move |x| {
        let delta = x.wrapping_sub(previous);
        previous = x;
        delta
    }));
    stages.push(Box::new(|x| x.wrapping_mul(0x9e37_79b9)));
    stages
}

fn pipeline_inline(values: &[i64]) -> i64 {
    let (mut sum, mut previous, mut out) = (0i64, 0i64, 0i64);
    for &x in values {
        sum = sum.wrapping_add(x);
        let y = sum.rotate_left(13) ^ 0x5555;
        let delta = y.wrapping_sub(previous);
        previous = y;
        out ^= delta.wrapping_mul(0x9e37_79b9);
    }
    out
}

#[unsafe(no_mangle)]
pub extern "C" fn run(n: i32) -> i64 {
    reset_heap();
    let mut rng = Rng::new(0x5eed_0007);
    let trees: Vec<Node> = (0..8).map(|k| random_tree(&mut rng, 20 + 12 * k)).collect();
    let objects: Vec<Box<dyn Expr>> = trees.iter().map(Node::to_dyn).collect();
    for (tree, object) in trees.iter().zip(&objects) {
        check(tree.nodes() == object.nodes());
    }

    let mut values = Vec::with_capacity(n.max(0) as usize);
    for _ in 0..n.max(0) {
        let vars = [
            i64::from(rng.next_u32() as i32),
            i64::from(rng.below(1000)),
            rng.next_u64() as i64 >> 16,
            i64::from(rng.below(64)) - 32,
        ];
        let mut value = 0i64;
        for (tree, object) in trees.iter().zip(&objects) {
            let expected = tree.eval(&vars);
            check(object.eval(&vars) == expected);
            value = value.rotate_left(7) ^ expected;
        }
        values.push(value);
    }

    let mut stages = pipeline();
    let mut out = 0i64;
    for &value in &values {
        let mut x = value;
        for stage in stages.iter_mut() {
            x = stage(x);
        }
        out ^= x;
    }
    check(out == pipeline_inline(&values));
    out
}
