//! The canonical form of function types that name other types (typed function
//! references), so that types compare across modules.
//!
//! A concrete heap type is an index into its module's type section, which means nothing
//! to another module. Two function types are the same type when they are structurally
//! equal with every concrete reference replaced by the type it names, and a reference of
//! a type to itself kept as such (Wasm 3.0's iso-recursive equivalence, for recursion
//! groups of one type: the only kind there is without GC).
//!
//! [`CanonFunc`] is that replacement made once at decoding: a type's concrete references
//! point to the [`CanonFunc`]s of the types they name (earlier ones, as the type section
//! requires), and a self-reference is [`Target::Own`]. Within a module, equal types share
//! one node (the decoder looks each new node up among the earlier ones by its hash), so
//! two types of one module are equal exactly when their nodes are the same allocation.
//! Across modules, [`same`] compares two graphs without recursion and visits each pair
//! of nodes once, so a hostile chain of types costs time linear in its length, never
//! exponential, and no native stack.

use crate::prelude::*;

use crate::value::{HeapType, RefType, ValType};
use alloc::collections::{BTreeMap, BTreeSet};
use alloc::sync::Arc;

/// One parameter or result of a canonical function type.
#[derive(Debug, Clone)]
pub(crate) enum Part {
    /// A type with no concrete reference in it.
    Plain(ValType),
    /// A reference to a concrete function type.
    Ref { nullable: bool, target: Target },
}

/// What a concrete reference names.
#[derive(Debug, Clone)]
pub(crate) enum Target {
    /// The type being defined itself.
    Own,
    /// Another (earlier) type.
    Other(Arc<CanonFunc>),
}

/// A function type with its concrete references resolved.
#[derive(Debug)]
pub(crate) struct CanonFunc {
    params: Box<[Part]>,
    results: Box<[Part]>,
    /// A structural hash: equal types hash equal.
    hash: u64,
}

/// Mixes `value` into `hash` (FNV-1a over 64-bit words).
fn mix(hash: u64, value: u64) -> u64 {
    (hash ^ value).wrapping_mul(0x0000_0100_0000_01b3)
}

fn part_hash(part: &Part) -> u64 {
    match part {
        Part::Plain(ty) => {
            let code = match ty {
                ValType::I32 => 1,
                ValType::I64 => 2,
                ValType::F32 => 3,
                ValType::F64 => 4,
                ValType::V128 => 5,
                ValType::Ref(r) => {
                    let heap = match r.heap {
                        HeapType::Func => 6,
                        HeapType::Extern => 7,
                        HeapType::Exn => 8,
                        HeapType::Concrete(_) => 9,
                    };
                    heap * 2 + u64::from(r.nullable)
                }
            };
            mix(0xcbf2_9ce4_8422_2325, code)
        }
        Part::Ref { nullable, target } => {
            let target = match target {
                Target::Own => 0x5e1f,
                Target::Other(func) => func.hash,
            };
            mix(mix(0x1234_5678, u64::from(*nullable)), target)
        }
    }
}

impl CanonFunc {
    fn new(params: Box<[Part]>, results: Box<[Part]>) -> CanonFunc {
        let mut hash = mix(0xcbf2_9ce4_8422_2325, params.len() as u64);
        for part in params.iter() {
            hash = mix(hash, part_hash(part));
        }
        hash = mix(hash, results.len() as u64);
        for part in results.iter() {
            hash = mix(hash, part_hash(part));
        }
        CanonFunc {
            params,
            results,
            hash,
        }
    }

    /// The parts of both lists, parameters first.
    fn parts(&self) -> impl Iterator<Item = &Part> {
        self.params.iter().chain(self.results.iter())
    }
}

/// Whether the types of `a` and `b` are the same type (in any modules).
pub(crate) fn same(a: &Arc<CanonFunc>, b: &Arc<CanonFunc>) -> bool {
    if Arc::ptr_eq(a, b) {
        return true;
    }
    let mut pending = vec![(a.clone(), b.clone())];
    let mut visited = BTreeSet::new();
    while let Some((a, b)) = pending.pop() {
        if Arc::ptr_eq(&a, &b) || !visited.insert((Arc::as_ptr(&a), Arc::as_ptr(&b))) {
            continue;
        }
        if a.hash != b.hash
            || a.params.len() != b.params.len()
            || a.results.len() != b.results.len()
        {
            return false;
        }
        for (x, y) in a.parts().zip(b.parts()) {
            match (x, y) {
                (Part::Plain(x), Part::Plain(y)) if x == y => {}
                (
                    Part::Ref {
                        nullable: n,
                        target: Target::Own,
                    },
                    Part::Ref {
                        nullable: m,
                        target: Target::Own,
                    },
                ) if n == m => {}
                (
                    Part::Ref {
                        nullable: n,
                        target: Target::Other(x),
                    },
                    Part::Ref {
                        nullable: m,
                        target: Target::Other(y),
                    },
                ) if n == m => pending.push((x.clone(), y.clone())),
                _ => return false,
            }
        }
    }
    true
}

/// Whether `a` and `b`, nodes of one module, are the same type, given that their
/// targets are already shared (the within-module invariant).
fn same_shallow(a: &CanonFunc, b: &CanonFunc) -> bool {
    a.hash == b.hash
        && a.params.len() == b.params.len()
        && a.results.len() == b.results.len()
        && a.parts().zip(b.parts()).all(|pair| match pair {
            (Part::Plain(x), Part::Plain(y)) => x == y,
            (
                Part::Ref {
                    nullable: n,
                    target: Target::Own,
                },
                Part::Ref {
                    nullable: m,
                    target: Target::Own,
                },
            ) => n == m,
            (
                Part::Ref {
                    nullable: n,
                    target: Target::Other(x),
                },
                Part::Ref {
                    nullable: m,
                    target: Target::Other(y),
                },
            ) => n == m && Arc::ptr_eq(x, y),
            _ => false,
        })
}

/// Builds the canonical nodes of one module's types, in type-section order.
#[derive(Debug, Default)]
pub(crate) struct Canonicalizer {
    nodes: Vec<Arc<CanonFunc>>,
    by_hash: BTreeMap<u64, Vec<usize>>,
}

impl Canonicalizer {
    /// The node of the next type, of parameters `params` and results `results`; `Err`
    /// with the index of a concrete reference to a later type (unknown until then).
    pub(crate) fn push(
        &mut self,
        params: &[ValType],
        results: &[ValType],
    ) -> Result<Arc<CanonFunc>, u32> {
        let own = self.nodes.len();
        let part = |ty: &ValType| -> Result<Part, u32> {
            match ty {
                ValType::Ref(RefType {
                    nullable,
                    heap: HeapType::Concrete(index),
                }) => {
                    let target = match (*index as usize).cmp(&own) {
                        core::cmp::Ordering::Less => {
                            Target::Other(self.nodes[*index as usize].clone())
                        }
                        core::cmp::Ordering::Equal => Target::Own,
                        core::cmp::Ordering::Greater => return Err(*index),
                    };
                    Ok(Part::Ref {
                        nullable: *nullable,
                        target,
                    })
                }
                other => Ok(Part::Plain(*other)),
            }
        };
        let params = params.iter().map(part).collect::<Result<Box<[_]>, _>>()?;
        let results = results.iter().map(part).collect::<Result<Box<[_]>, _>>()?;
        let node = CanonFunc::new(params, results);
        let same_hash = self.by_hash.entry(node.hash).or_default();
        let node = match same_hash
            .iter()
            .find(|&&i| same_shallow(&self.nodes[i], &node))
        {
            Some(&earlier) => self.nodes[earlier].clone(),
            None => {
                same_hash.push(own);
                Arc::new(node)
            }
        };
        self.nodes.push(node.clone());
        Ok(node)
    }
}
