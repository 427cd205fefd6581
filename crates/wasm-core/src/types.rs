//! Type descriptions: function signatures, limits, memory/table/global types.

use crate::canon::{self, CanonType};
use crate::value::{HeapType, RefType, ValType, ValueType};
use alloc::borrow::Cow;

/// A function type: parameter and result types.
///
/// Results are a list (multi-value ready); [`Signature::return_type`] serves the
/// single-result view of the classic API. The types are [`ValType`]s
/// ([`param_types`](Self::param_types), [`result_types`](Self::result_types)); the seed's
/// views ([`params`](Self::params), [`results`](Self::results), `return_type`) list the
/// number types of a signature that has only number types, as the seed's signatures do,
/// and are empty for a signature with a reference or `v128` type, which the seed cannot
/// describe.
///
/// Signatures compare as types do: two signatures of one module's type section, or of
/// two modules, are equal when they are the same type (Wasm 3.0's type equivalence:
/// the same recursion group, structurally, concrete references compared by the types
/// they name, not by their indices, and the same index in it; see `canon.rs`). A
/// signature made by hand compares its lists as they are.
#[derive(Clone)]
pub struct Signature {
    params: Cow<'static, [ValType]>,
    results: Cow<'static, [ValType]>,
    seed_params: Cow<'static, [ValueType]>,
    seed_results: Cow<'static, [ValueType]>,
    /// Whether a parameter or result is a reference, a `v128` (known once: host calls
    /// ask).
    refs: bool,
    vectors: bool,
    /// The canonical form of a type decoded from a module's type section.
    canon: Option<CanonType>,
}

impl PartialEq for Signature {
    fn eq(&self, other: &Signature) -> bool {
        match (&self.canon, &other.canon) {
            (Some(a), Some(b)) => canon::same(a, b),
            _ => self.params == other.params && self.results == other.results,
        }
    }
}

impl Eq for Signature {}

/// Hashes the lists with concrete heap types' indices left out, which equal signatures
/// (whose indices may differ) agree on.
impl core::hash::Hash for Signature {
    fn hash<H: core::hash::Hasher>(&self, state: &mut H) {
        let kind = |ty: &ValType| match ty {
            ValType::Ref(RefType {
                nullable,
                heap: HeapType::Concrete(_),
            }) => ValType::Ref(RefType::new(*nullable, HeapType::Func)),
            other => *other,
        };
        self.params.len().hash(state);
        self.results.len().hash(state);
        for ty in self.params.iter().chain(self.results.iter()) {
            kind(ty).hash(state);
        }
    }
}

/// The module-level name of a function type.
pub type FuncType = Signature;

/// The `ValType` list of number types.
fn widen(types: &[ValueType]) -> Cow<'static, [ValType]> {
    Cow::Owned(types.iter().map(|&t| ValType::from(t)).collect())
}

/// The seed's view of number types `types`.
fn narrow(types: &[ValType]) -> Cow<'static, [ValueType]> {
    Cow::Owned(types.iter().filter_map(|t| t.number()).collect())
}

impl Signature {
    /// A signature with at most one result.
    pub fn new<C: Into<Cow<'static, [ValueType]>>>(
        params: C,
        return_type: Option<ValueType>,
    ) -> Self {
        let seed_results: Cow<'static, [ValueType]> = match return_type {
            None => Cow::Borrowed(&[]),
            Some(ValueType::I32) => Cow::Borrowed(&[ValueType::I32]),
            Some(ValueType::I64) => Cow::Borrowed(&[ValueType::I64]),
            Some(ValueType::F32) => Cow::Borrowed(&[ValueType::F32]),
            Some(ValueType::F64) => Cow::Borrowed(&[ValueType::F64]),
        };
        Self::with_results(params, seed_results)
    }

    /// A signature with any number of results, of number types.
    pub fn with_results<P, R>(params: P, results: R) -> Self
    where
        P: Into<Cow<'static, [ValueType]>>,
        R: Into<Cow<'static, [ValueType]>>,
    {
        let (seed_params, seed_results) = (params.into(), results.into());
        Signature {
            params: widen(&seed_params),
            results: widen(&seed_results),
            seed_params,
            seed_results,
            refs: false,
            vectors: false,
            canon: None,
        }
    }

    /// A signature of any value types, references included.
    pub fn from_types<P, R>(params: P, results: R) -> Self
    where
        P: Into<Cow<'static, [ValType]>>,
        R: Into<Cow<'static, [ValType]>>,
    {
        let (params, results) = (params.into(), results.into());
        let refs = params.iter().chain(results.iter()).any(|t| t.is_ref());
        let vectors = params
            .iter()
            .chain(results.iter())
            .any(|t| *t == ValType::V128);
        let (seed_params, seed_results) = match refs || vectors {
            false => (narrow(&params), narrow(&results)),
            true => (Cow::Borrowed(&[][..]), Cow::Borrowed(&[][..])),
        };
        Signature {
            params,
            results,
            seed_params,
            seed_results,
            refs,
            vectors,
            canon: None,
        }
    }

    /// A signature decoded from a module's type section, with its canonical form.
    pub(crate) fn with_canon(mut self, canon: CanonType) -> Self {
        self.canon = Some(canon);
        self
    }

    /// Whether a function of type `self` may be used where one of type `expected` is
    /// (spec 3.x "matching"): the same type, or `expected` is one of `self`'s declared
    /// supertypes, directly or through others. A signature made by hand declares no
    /// supertype: it matches only an equal one.
    pub fn is_subtype_of(&self, expected: &Signature) -> bool {
        match (&self.canon, &expected.canon) {
            (Some(a), Some(b)) => canon::is_subtype(a, b),
            _ => self == expected,
        }
    }

    /// Whether the type may have no subtypes: declared `sub final`, or without `sub`
    /// (every signature made by hand).
    pub fn is_final(&self) -> bool {
        self.canon.as_ref().is_none_or(CanonType::is_final)
    }

    /// Parameter types, as the seed lists them: empty if a parameter or result is a
    /// reference or a `v128` (see [`param_types`](Self::param_types)).
    pub fn params(&self) -> &[ValueType] {
        &self.seed_params
    }

    /// Result types, as the seed would list them: empty if a parameter or result is a
    /// reference or a `v128` (see [`result_types`](Self::result_types)).
    pub fn results(&self) -> &[ValueType] {
        &self.seed_results
    }

    /// The single result type, or `None` for no result. With several results this is
    /// the first one; use [`Signature::results`] for the whole list.
    pub fn return_type(&self) -> Option<ValueType> {
        self.seed_results.first().copied()
    }

    /// Every parameter type.
    #[inline]
    pub fn param_types(&self) -> &[ValType] {
        &self.params
    }

    /// Every result type.
    #[inline]
    pub fn result_types(&self) -> &[ValType] {
        &self.results
    }

    /// Whether a parameter or result is a reference.
    #[inline]
    pub fn has_refs(&self) -> bool {
        self.refs
    }

    /// Whether a parameter or result is a `v128`.
    #[inline]
    pub fn has_vectors(&self) -> bool {
        self.vectors
    }

    /// Whether every parameter and result is one of the seed's number types (the types
    /// [`params`](Self::params) and [`results`](Self::results) can show).
    #[inline]
    pub fn is_numbers(&self) -> bool {
        !self.refs && !self.vectors
    }

    /// How many of the engine's 64-bit cells the parameters take (a `v128` two).
    #[inline]
    pub fn param_cells(&self) -> usize {
        self.params.iter().map(|t| t.cells()).sum()
    }

    /// How many cells the results take.
    #[inline]
    pub fn result_cells(&self) -> usize {
        self.results.iter().map(|t| t.cells()).sum()
    }
}

/// The seed's form, `Signature { params: [I32], return_type: Some(I64) }`, with the
/// whole `results` list after it when there are several.
impl core::fmt::Debug for Signature {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let mut debug = f.debug_struct("Signature");
        if !self.is_numbers() {
            debug
                .field("params", &self.param_types())
                .field("results", &self.result_types());
            return debug.finish();
        }
        debug
            .field("params", &self.params())
            .field("return_type", &self.return_type());
        if self.results.len() > 1 {
            debug.field("results", &self.results());
        }
        debug.finish()
    }
}

impl core::fmt::Display for Signature {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let list = |f: &mut core::fmt::Formatter<'_>, tys: &[ValType]| -> core::fmt::Result {
            for (i, t) in tys.iter().enumerate() {
                if i > 0 {
                    f.write_str(" ")?;
                }
                write!(f, "{t}")?;
            }
            Ok(())
        };
        f.write_str("[")?;
        list(f, &self.params)?;
        f.write_str("] -> [")?;
        list(f, &self.results)?;
        f.write_str("]")
    }
}

/// Whether a reference of type `actual` is one of type `expected` (subtyping, spec
/// 3.x "matching": a non-nullable type matches its nullable form, a concrete function
/// type matches `func`, `noexn` matches `exn`, and two concrete types match when the
/// first is a subtype of the second, [`Signature::is_subtype_of`]).
///
/// `actual_types` and `expected_types` give the function types that the concrete heap
/// types of each side name: the type sections of the modules the two types come from,
/// which may differ (import matching).
pub fn ref_type_matches<'a, 'b>(
    actual: RefType,
    actual_types: impl Fn(u32) -> Option<&'a Signature>,
    expected: RefType,
    expected_types: impl Fn(u32) -> Option<&'b Signature>,
) -> bool {
    if actual.nullable && !expected.nullable {
        return false;
    }
    match (actual.heap, expected.heap) {
        (HeapType::Concrete(a), HeapType::Concrete(b)) => {
            match (actual_types(a), expected_types(b)) {
                (Some(a), Some(b)) => core::ptr::eq(a, b) || a.is_subtype_of(b),
                _ => false,
            }
        }
        (HeapType::Concrete(_), HeapType::Func) | (HeapType::NoExn, HeapType::Exn) => true,
        (a, b) => a == b,
    }
}

/// [`ref_type_matches`] for any value types: number and vector types match only
/// themselves.
pub fn val_type_matches<'a, 'b>(
    actual: ValType,
    actual_types: impl Fn(u32) -> Option<&'a Signature>,
    expected: ValType,
    expected_types: impl Fn(u32) -> Option<&'b Signature>,
) -> bool {
    match (actual, expected) {
        (ValType::Ref(a), ValType::Ref(b)) => ref_type_matches(a, actual_types, b, expected_types),
        (a, b) => a == b,
    }
}

/// Size limits of a memory (in pages) or a table (in elements).
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub struct Limits {
    /// Initial size.
    pub min: u64,
    /// Optional maximum size.
    pub max: Option<u64>,
}

/// A linear memory's type.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub struct MemoryType {
    /// Size limits in pages.
    pub limits: Limits,
    /// 64-bit addresses (memory64 proposal).
    pub memory64: bool,
    /// Shared between threads (threads proposal).
    pub shared: bool,
    /// The page size's base-2 logarithm as declared (custom-page-sizes proposal):
    /// `None` when the module does not declare one, which is 16 (64 KiB pages).
    pub page_size_log2: Option<u32>,
}

impl MemoryType {
    /// The base-2 logarithm of the page size, in bytes: 16 unless a custom one is
    /// declared (custom-page-sizes allows 0 and 16, one byte or 64 KiB).
    pub fn page_size_log2(&self) -> u32 {
        self.page_size_log2.unwrap_or(16)
    }

    /// Whether a memory of type `self` is one of type `other`, its sizes aside: the
    /// same address type and page size (spec 4.5.2 import matching, where a declared
    /// 64 KiB page size equals the default).
    pub fn same_kind(&self, other: &MemoryType) -> bool {
        self.memory64 == other.memory64
            && self.shared == other.shared
            && self.page_size_log2() == other.page_size_log2()
    }
}

/// A table's type.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub struct TableType {
    /// Element type.
    pub element: RefType,
    /// Size limits in elements.
    pub limits: Limits,
    /// 64-bit indices (memory64 proposal, table64).
    pub table64: bool,
}

/// A global's type.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub struct GlobalType {
    /// Value type.
    pub content: ValType,
    /// Whether `global.set` may change it.
    pub mutable: bool,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::prelude::*;

    #[test]
    fn debug_is_the_seeds_with_several_results_listed() {
        let one = Signature::new(&[ValueType::I32][..], Some(ValueType::I64));
        assert_eq!(
            format!("{one:?}"),
            "Signature { params: [I32], return_type: Some(I64) }"
        );
        let two = Signature::with_results(vec![], vec![ValueType::F32, ValueType::F64]);
        assert_eq!(
            format!("{two:?}"),
            "Signature { params: [], return_type: Some(F32), results: [F32, F64] }"
        );
    }
}
