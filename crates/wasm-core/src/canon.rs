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

/// Drops the nodes a node names without recursion: a chain of a million types would
/// otherwise drop a million nested nodes on the native stack.
impl Drop for CanonFunc {
    fn drop(&mut self) {
        let mut pending = Vec::new();
        let take_targets = |node: &mut CanonFunc, pending: &mut Vec<Arc<CanonFunc>>| {
            let parts = core::mem::take(&mut node.params)
                .into_vec()
                .into_iter()
                .chain(core::mem::take(&mut node.results).into_vec());
            for part in parts {
                if let Part::Ref {
                    target: Target::Other(target),
                    ..
                } = part
                {
                    pending.push(target);
                }
            }
        };
        take_targets(self, &mut pending);
        while let Some(node) = pending.pop() {
            // The last owner empties the node before it goes; a shared one stays.
            if let Ok(mut node) = Arc::try_unwrap(node) {
                take_targets(&mut node, &mut pending);
            }
        }
    }
}

/// Mixes `value` into `hash` (a multiply-xorshift finaliser, so that the hashes of a
/// long chain of types do not fall into a few values).
fn mix(hash: u64, value: u64) -> u64 {
    let mut x = hash ^ value.wrapping_mul(0x9e37_79b9_7f4a_7c15);
    x = (x ^ (x >> 31)).wrapping_mul(0xd6e8_feb8_6659_fd93);
    x ^ (x >> 32)
}

/// A distinct number for each value type without a concrete heap type.
fn plain_code(ty: &ValType) -> u32 {
    match ty {
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
            heap * 2 + u32::from(r.nullable)
        }
    }
}

fn part_hash(part: &Part) -> u64 {
    match part {
        Part::Plain(ty) => mix(1, u64::from(plain_code(ty))),
        Part::Ref { nullable, target } => {
            let target = match target {
                Target::Own => 0x5e1f,
                Target::Other(func) => func.hash,
            };
            mix(mix(2, u64::from(*nullable)), target)
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
    // Types that name no other type (the common case, `call_indirect` across modules)
    // compare without allocating: `pending` stays empty.
    let mut pending = Vec::new();
    if !shallow(a, b, &mut pending) {
        return false;
    }
    let mut visited = BTreeSet::new();
    while let Some((a, b)) = pending.pop() {
        if Arc::ptr_eq(&a, &b) || !visited.insert((Arc::as_ptr(&a), Arc::as_ptr(&b))) {
            continue;
        }
        if !shallow(&a, &b, &mut pending) {
            return false;
        }
    }
    true
}

/// Whether `a` and `b` agree but for the types they name, whose pairs go to `pending`.
fn shallow(
    a: &CanonFunc,
    b: &CanonFunc,
    pending: &mut Vec<(Arc<CanonFunc>, Arc<CanonFunc>)>,
) -> bool {
    if a.hash != b.hash || a.params.len() != b.params.len() || a.results.len() != b.results.len() {
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
    true
}

/// One entry of a node's key within its module: a part's kind (0: plain, 1: a
/// reference to itself, 2: to another type; plus 4 when nullable) and its value type's
/// code or the representative index of the type it names. The parameter count comes
/// first.
type KeyPart = (u8, u32);

/// Builds the canonical nodes of one module's types, in type-section order.
///
/// Equal types share the node of the first of them (their representative): a new type
/// is looked up by its exact shallow structure, in which the types it names appear as
/// their representatives, so equality within the module is identity, whatever the
/// hashes (which only speed up comparisons across modules).
#[derive(Debug, Default)]
pub(crate) struct Canonicalizer {
    /// The node of every type so far.
    nodes: Vec<Arc<CanonFunc>>,
    /// The representative index of every type so far.
    reps: Vec<u32>,
    by_key: BTreeMap<Box<[KeyPart]>, u32>,
}

impl Canonicalizer {
    /// The node of the next type, of parameters `params` and results `results`; `Err`
    /// with the index of a concrete reference to a later type (unknown until then).
    pub(crate) fn push(
        &mut self,
        params: &[ValType],
        results: &[ValType],
    ) -> Result<Arc<CanonFunc>, u32> {
        let own = self.nodes.len() as u32;
        let mut key: Vec<KeyPart> = Vec::with_capacity(1 + params.len() + results.len());
        key.push((255, params.len() as u32));
        let mut part = |ty: &ValType| -> Result<Part, u32> {
            let ValType::Ref(RefType {
                nullable,
                heap: HeapType::Concrete(index),
            }) = *ty
            else {
                key.push((0, plain_code(ty)));
                return Ok(Part::Plain(*ty));
            };
            let null = if nullable { 4 } else { 0 };
            let target = match index.cmp(&own) {
                core::cmp::Ordering::Less => {
                    key.push((2 + null, self.reps[index as usize]));
                    Target::Other(self.nodes[index as usize].clone())
                }
                core::cmp::Ordering::Equal => {
                    key.push((1 + null, 0));
                    Target::Own
                }
                core::cmp::Ordering::Greater => return Err(index),
            };
            Ok(Part::Ref { nullable, target })
        };
        let params = params
            .iter()
            .map(&mut part)
            .collect::<Result<Box<[_]>, _>>()?;
        let results = results
            .iter()
            .map(&mut part)
            .collect::<Result<Box<[_]>, _>>()?;
        let key = key.into_boxed_slice();
        let (node, rep) = match self.by_key.get(&key) {
            Some(&rep) => (self.nodes[rep as usize].clone(), rep),
            None => {
                self.by_key.insert(key, own);
                (Arc::new(CanonFunc::new(params, results)), own)
            }
        };
        self.nodes.push(node.clone());
        self.reps.push(rep);
        Ok(node)
    }
}

#[cfg(test)]
mod tests {
    use crate::prelude::*;

    fn module(wat: &str) -> crate::Module {
        crate::decode(&wat::parse_str(wat).unwrap()).unwrap()
    }

    #[test]
    fn types_are_equal_by_what_they_name_not_by_index() {
        let a = module(
            r#"(module
                (type $s (func (param i32)))
                (type $t (func (param (ref $s)) (result (ref null $s))))
                (type $self (func (param (ref $self)))))"#,
        );
        let b = module(
            r#"(module
                (type $pad (func (param f64)))
                (type $self (func (param (ref $self))))
                (type $s (func (param i32)))
                (type $t (func (param (ref $s)) (result (ref null $s))))
                (type $u (func (param (ref $pad)) (result (ref null $pad))))
                (type $other (func (param (ref $s)))))"#,
        );
        assert_eq!(a.types[1], b.types[3]);
        assert_eq!(a.types[2], b.types[1]);
        // Same shape, other types named.
        assert_ne!(a.types[1], b.types[4]);
        // A reference to itself is not a reference to another type of the same shape.
        assert_ne!(a.types[2], b.types[5]);
        // Within a module, equal types share one node.
        let c = module(
            r#"(module (type (func (param i32))) (type (func (param i32)))
                (type (func (param (ref 0)))) (type (func (param (ref 1)))))"#,
        );
        assert_eq!(c.types[2], c.types[3]);
    }

    /// The bytes of a module whose type `i + 1` takes two references to type `i`, after
    /// `pad` unrelated types: a graph whose paths double with every type.
    fn chain(len: u32, pad: u32) -> Vec<u8> {
        fn leb(out: &mut Vec<u8>, mut v: u32) {
            loop {
                let byte = (v & 0x7f) as u8;
                v >>= 7;
                if v == 0 {
                    out.push(byte);
                    return;
                }
                out.push(byte | 0x80);
            }
        }
        let mut section = Vec::new();
        leb(&mut section, len + pad + 1);
        for _ in 0..pad {
            section.extend_from_slice(&[0x60, 0x01, 0x7c, 0x00]);
        }
        section.extend_from_slice(&[0x60, 0x00, 0x00]);
        for i in 0..len {
            section.extend_from_slice(&[0x60, 0x02]);
            for _ in 0..2 {
                section.push(0x64);
                // A heap type is a signed LEB128 (s33): a last byte with bit 6 set
                // would read as negative, so a zero byte follows it.
                let start = section.len();
                leb(&mut section, pad + i);
                if section[section.len() - 1] & 0x40 != 0 {
                    let last = section.len() - 1;
                    section[last] |= 0x80;
                    section.push(0x00);
                }
                debug_assert!(section.len() > start);
            }
            section.push(0x00);
        }
        let mut bytes = b"\0asm\x01\0\0\0\x01".to_vec();
        leb(&mut bytes, section.len() as u32);
        bytes.extend_from_slice(&section);
        bytes
    }

    #[test]
    fn a_deep_doubling_chain_compares_in_linear_time_and_stack() {
        let len = 100_000;
        let a = crate::decode(&chain(len, 0)).unwrap();
        let b = crate::decode(&chain(len, 3)).unwrap();
        let (last_a, last_b) = (&a.types[len as usize], &b.types[len as usize + 3]);
        assert_eq!(last_a, last_b);
        assert_ne!(last_a, &b.types[len as usize + 2]);
    }
}
