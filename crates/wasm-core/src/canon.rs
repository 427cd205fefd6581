//! The canonical form of function types, so that types compare across modules: Wasm
//! 3.0's recursion groups (`rec`) of function types and their declared subtypes (`sub`).
//!
//! A concrete heap type is an index into its module's type section, which means nothing
//! to another module. A type is a recursion group and an index in it (spec 3.x "type
//! equivalence", rolling and unrolling): two types are the same type when their groups
//! are structurally equal with every reference to a type of an earlier group replaced
//! by that group and index, references inside a group kept as indices into the group,
//! and their indices in their groups are equal. A type without `rec` is a group of one.
//!
//! [`CanonGroup`] is that replacement made once at decoding: a group's references to
//! earlier types point to the [`CanonGroup`]s of the groups they are in (the type
//! section defines a group only after the groups it names), and a reference inside the
//! group is [`Target::Own`]. Within a module, equal groups share one node (the decoder
//! looks each new group up among the earlier ones by its exact structure), so two types
//! of one module are equal exactly when their nodes are the same allocation and their
//! indices equal. Across modules, [`same_group`] compares two graphs without recursion
//! and visits each pair of nodes once, so a hostile chain of groups costs time linear in
//! its length, never exponential, and no native stack.
//!
//! Subtyping of concrete types follows declared supertypes ([`is_subtype`]): a type is a
//! subtype of every type on its chain of supertypes, which validation bounds to
//! [`MAX_SUBTYPING_DEPTH`] links (a supertype comes before its subtype in the type
//! section, so a chain has no cycle).

use crate::prelude::*;

use crate::value::{HeapType, RefType, ValType};
use alloc::collections::{BTreeMap, BTreeSet};
use alloc::sync::Arc;

/// The longest chain of declared supertypes a type may have (spec 3.x: a subtype's
/// depth is at most 63).
pub const MAX_SUBTYPING_DEPTH: u32 = 63;

/// One parameter or result of a canonical function type.
#[derive(Debug, Clone)]
pub(crate) enum Part {
    /// A type with no concrete reference in it.
    Plain(ValType),
    /// A reference to a concrete function type.
    Ref { nullable: bool, target: Target },
}

/// What a concrete reference (or a declared supertype) names.
#[derive(Debug, Clone)]
pub(crate) enum Target {
    /// The type at this index of the group being defined.
    Own(u32),
    /// The type at this index of another (earlier) group.
    Other(Arc<CanonGroup>, u32),
}

/// One function type of a group, with its declaration.
#[derive(Debug)]
pub(crate) struct CanonSub {
    /// Whether the type may have no subtypes (`sub final`, or no `sub`).
    is_final: bool,
    /// Its declared supertype.
    supertype: Option<Target>,
    params: Box<[Part]>,
    results: Box<[Part]>,
}

/// A recursion group of function types with its references resolved.
#[derive(Debug)]
pub(crate) struct CanonGroup {
    types: Box<[CanonSub]>,
    /// A structural hash: equal groups hash equal.
    hash: u64,
}

/// A type: its group and its index in the group.
#[derive(Debug, Clone)]
pub(crate) struct CanonType {
    group: Arc<CanonGroup>,
    index: u32,
}

/// Drops the groups a group names without recursion: a chain of a million groups would
/// otherwise drop a million nested nodes on the native stack.
impl Drop for CanonGroup {
    fn drop(&mut self) {
        let mut pending = Vec::new();
        let take_targets = |node: &mut CanonGroup, pending: &mut Vec<Arc<CanonGroup>>| {
            for sub in core::mem::take(&mut node.types).into_vec() {
                let CanonSub {
                    supertype,
                    params,
                    results,
                    ..
                } = sub;
                let parts = params
                    .into_vec()
                    .into_iter()
                    .chain(results.into_vec())
                    .filter_map(|part| match part {
                        Part::Ref { target, .. } => Some(target),
                        Part::Plain(_) => None,
                    });
                for target in supertype.into_iter().chain(parts) {
                    if let Target::Other(group, _) = target {
                        pending.push(group);
                    }
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
                HeapType::NoExn => 10,
            };
            heap * 2 + u32::from(r.nullable)
        }
    }
}

fn target_hash(target: &Target) -> u64 {
    match target {
        Target::Own(index) => mix(0x5e1f, u64::from(*index)),
        Target::Other(group, index) => mix(group.hash, u64::from(*index)),
    }
}

fn part_hash(part: &Part) -> u64 {
    match part {
        Part::Plain(ty) => mix(1, u64::from(plain_code(ty))),
        Part::Ref { nullable, target } => mix(mix(2, u64::from(*nullable)), target_hash(target)),
    }
}

impl CanonSub {
    fn hash(&self) -> u64 {
        let mut hash = mix(0xcbf2_9ce4_8422_2325, u64::from(self.is_final));
        hash = mix(hash, self.supertype.as_ref().map_or(0, target_hash));
        hash = mix(hash, self.params.len() as u64);
        for part in self.params.iter() {
            hash = mix(hash, part_hash(part));
        }
        hash = mix(hash, self.results.len() as u64);
        for part in self.results.iter() {
            hash = mix(hash, part_hash(part));
        }
        hash
    }

    /// The parts of both lists, parameters first.
    fn parts(&self) -> impl Iterator<Item = &Part> {
        self.params.iter().chain(self.results.iter())
    }
}

impl CanonGroup {
    fn new(types: Box<[CanonSub]>) -> CanonGroup {
        let mut hash = mix(0x6a09_e667_f3bc_c908, types.len() as u64);
        for sub in types.iter() {
            hash = mix(hash, sub.hash());
        }
        CanonGroup { types, hash }
    }
}

impl CanonType {
    /// The type's declaration in its group.
    fn sub(&self) -> &CanonSub {
        &self.group.types[self.index as usize]
    }

    /// The type `target` names, seen from this type's group.
    fn resolve(&self, target: &Target) -> CanonType {
        match target {
            Target::Own(index) => CanonType {
                group: self.group.clone(),
                index: *index,
            },
            Target::Other(group, index) => CanonType {
                group: group.clone(),
                index: *index,
            },
        }
    }

    /// Its declared supertype, if any.
    fn supertype(&self) -> Option<CanonType> {
        self.sub().supertype.as_ref().map(|t| self.resolve(t))
    }

    /// Whether the type is declared final.
    pub(crate) fn is_final(&self) -> bool {
        self.sub().is_final
    }
}

/// Whether `a` and `b` are the same type (in any modules).
pub(crate) fn same(a: &CanonType, b: &CanonType) -> bool {
    a.index == b.index && same_group(&a.group, &b.group)
}

/// Whether `a` is a subtype of `b`: the same type, or `b` is on `a`'s chain of declared
/// supertypes (followed for at most [`MAX_SUBTYPING_DEPTH`] links, which validation
/// enforces).
pub(crate) fn is_subtype(a: &CanonType, b: &CanonType) -> bool {
    if same(a, b) {
        return true;
    }
    let mut current = a.supertype();
    for _ in 0..MAX_SUBTYPING_DEPTH {
        let Some(ty) = current else {
            return false;
        };
        if same(&ty, b) {
            return true;
        }
        current = ty.supertype();
    }
    false
}

/// Whether the groups `a` and `b` are the same group (in any modules).
pub(crate) fn same_group(a: &Arc<CanonGroup>, b: &Arc<CanonGroup>) -> bool {
    if Arc::ptr_eq(a, b) {
        return true;
    }
    // Groups that name no other group (the common case, `call_indirect` across modules)
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

/// A pair of groups still to compare.
type Pending = Vec<(Arc<CanonGroup>, Arc<CanonGroup>)>;

/// Whether `a` and `b` agree but for the groups they name, whose pairs go to `pending`.
fn shallow(a: &CanonGroup, b: &CanonGroup, pending: &mut Pending) -> bool {
    if a.hash != b.hash || a.types.len() != b.types.len() {
        return false;
    }
    for (x, y) in a.types.iter().zip(b.types.iter()) {
        if x.is_final != y.is_final
            || x.params.len() != y.params.len()
            || x.results.len() != y.results.len()
        {
            return false;
        }
        let supertypes = match (&x.supertype, &y.supertype) {
            (None, None) => true,
            (Some(s), Some(t)) => same_target(s, t, pending),
            _ => false,
        };
        if !supertypes {
            return false;
        }
        for (x, y) in x.parts().zip(y.parts()) {
            let agree = match (x, y) {
                (Part::Plain(x), Part::Plain(y)) => x == y,
                (
                    Part::Ref {
                        nullable: n,
                        target: s,
                    },
                    Part::Ref {
                        nullable: m,
                        target: t,
                    },
                ) => n == m && same_target(s, t, pending),
                _ => false,
            };
            if !agree {
                return false;
            }
        }
    }
    true
}

/// Whether targets `s` and `t` may name the same type: the same index in their own
/// groups, or the same index in other groups whose pair goes to `pending`.
fn same_target(s: &Target, t: &Target, pending: &mut Pending) -> bool {
    match (s, t) {
        (Target::Own(i), Target::Own(j)) => i == j,
        (Target::Other(g, i), Target::Other(h, j)) if i == j => {
            if !Arc::ptr_eq(g, h) {
                pending.push((g.clone(), h.clone()));
            }
            true
        }
        _ => false,
    }
}

/// One function type of a recursion group as the type section declares it: indices are
/// the module's type indices.
#[derive(Debug)]
pub(crate) struct SubDecl<'a> {
    pub(crate) is_final: bool,
    /// The declared supertype (validation checks that it is earlier and that there is
    /// at most one; the canonical form keeps it only when it is earlier).
    pub(crate) supertype: Option<u32>,
    pub(crate) params: &'a [ValType],
    pub(crate) results: &'a [ValType],
}

/// One entry of a group's key within its module: a tag (0: a plain value type, then its
/// code; 1: a reference into the group, then the index; 2: a reference to an earlier
/// group, then that group's representative and the index; plus 4 when nullable; 8: a
/// type's header, then its finality and the parameter count; 9 and 10: its supertype,
/// as 1 and 2) and two numbers.
type KeyPart = (u8, u32, u32);

/// Builds the canonical nodes of one module's types, group by group in type-section
/// order.
///
/// Equal groups share the node of the first of them (their representative): a new group
/// is looked up by its exact shallow structure, in which the groups it names appear as
/// their representatives, so equality within the module is identity, whatever the
/// hashes (which only speed up comparisons across modules).
#[derive(Debug, Default)]
pub(crate) struct Canonicalizer {
    /// The node of every group so far.
    groups: Vec<Arc<CanonGroup>>,
    /// The representative group number of every group so far.
    reps: Vec<u32>,
    /// The group number and index in it of every type so far.
    types: Vec<(u32, u32)>,
    by_key: BTreeMap<Box<[KeyPart]>, u32>,
}

impl Canonicalizer {
    /// The types of the next group, `decls`; `Err` with the index of a concrete
    /// reference to a type after the group (unknown until then).
    pub(crate) fn push_group(&mut self, decls: &[SubDecl<'_>]) -> Result<Vec<CanonType>, u32> {
        let start = self.types.len() as u32;
        let end = start + decls.len() as u32;
        let mut key: Vec<KeyPart> = Vec::new();
        let target = |index: u32, key: &mut Vec<KeyPart>, tag: u8| -> Result<Target, u32> {
            if index < start {
                let (group, at) = self.types[index as usize];
                key.push((tag + 2, self.reps[group as usize], at));
                Ok(Target::Other(self.groups[group as usize].clone(), at))
            } else if index < end {
                key.push((tag + 1, index - start, 0));
                Ok(Target::Own(index - start))
            } else {
                Err(index)
            }
        };
        let mut subs = Vec::with_capacity(decls.len());
        for (at, decl) in decls.iter().enumerate() {
            key.push((8, u32::from(decl.is_final), decl.params.len() as u32));
            // A supertype at or after the type itself is invalid (validation says so);
            // the canonical form leaves it out, so that a chain never loops.
            let supertype = match decl.supertype {
                Some(index) if index < start + at as u32 => Some(target(index, &mut key, 8)?),
                _ => None,
            };
            let mut part = |ty: &ValType| -> Result<Part, u32> {
                let ValType::Ref(RefType {
                    nullable,
                    heap: HeapType::Concrete(index),
                }) = *ty
                else {
                    key.push((0, plain_code(ty), 0));
                    return Ok(Part::Plain(*ty));
                };
                let null = if nullable { 4 } else { 0 };
                let target = target(index, &mut key, null)?;
                Ok(Part::Ref { nullable, target })
            };
            let params = decl
                .params
                .iter()
                .map(&mut part)
                .collect::<Result<Box<[_]>, _>>()?;
            let results = decl
                .results
                .iter()
                .map(&mut part)
                .collect::<Result<Box<[_]>, _>>()?;
            subs.push(CanonSub {
                is_final: decl.is_final,
                supertype,
                params,
                results,
            });
        }
        let number = self.groups.len() as u32;
        let key = key.into_boxed_slice();
        let (node, rep) = match self.by_key.get(&key) {
            Some(&rep) => (self.groups[rep as usize].clone(), rep),
            None => {
                self.by_key.insert(key, number);
                (Arc::new(CanonGroup::new(subs.into_boxed_slice())), number)
            }
        };
        self.groups.push(node.clone());
        self.reps.push(rep);
        let types = (0..decls.len() as u32)
            .map(|index| {
                self.types.push((number, index));
                CanonType {
                    group: node.clone(),
                    index,
                }
            })
            .collect();
        Ok(types)
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

    /// A module with typed function references' encodings (declared subtypes).
    fn module3(wat: &str) -> crate::Module {
        let features = crate::DECODE_FEATURES | wasmparser::WasmFeatures::GC;
        crate::decode_with(&wat::parse_str(wat).unwrap(), features).unwrap()
    }

    #[test]
    fn types_of_groups_are_equal_by_group_and_index() {
        let a = module3(
            r#"(module
                (rec (type $f (func (param (ref $g)))) (type $g (func (result (ref $f)))))
                (type $h (func (param (ref $g)))))"#,
        );
        let b = module3(
            r#"(module
                (type (func))
                (rec (type $f (func (param (ref $g)))) (type $g (func (result (ref $f)))))
                (rec (type $f2 (func (param (ref $g2)))) (type $g2 (func (result (ref $f2)))))
                (type $h (func (param (ref $g2))))
                (type $single (func (param (ref $single)))))"#,
        );
        assert_eq!(a.types[0], b.types[1]);
        assert_eq!(a.types[1], b.types[2]);
        // Equal groups of one module share one node.
        assert_eq!(b.types[1], b.types[3]);
        assert_eq!(a.types[2], b.types[5]);
        // The other index of the same group.
        assert_ne!(a.types[0], b.types[2]);
        assert_ne!(a.types[0], b.types[6]);
    }

    #[test]
    fn subtypes_follow_declared_supertypes_across_modules() {
        let a = module3(
            r#"(module
                (type $a (sub (func)))
                (type $b (sub $a (func)))
                (type $c (sub final $b (func)))
                (type $plain (func)))"#,
        );
        let b = module3(
            r#"(module
                (type (func (param i32)))
                (type $a (sub (func)))
                (type $b (sub $a (func))))"#,
        );
        assert!(a.types[2].is_subtype_of(&b.types[1]));
        assert!(a.types[2].is_subtype_of(&b.types[2]));
        assert!(!b.types[1].is_subtype_of(&a.types[1]));
        assert!(!a.types[3].is_subtype_of(&a.types[0]));
        assert!(!a.types[0].is_final() && a.types[2].is_final() && a.types[3].is_final());
        // A type declared `sub` (not final) is not the plain type of the same shape.
        assert_ne!(a.types[0], a.types[3]);
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
