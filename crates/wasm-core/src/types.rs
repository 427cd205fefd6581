//! Type descriptions: function signatures, limits, memory/table/global types.

use crate::value::ValueType;
use std::borrow::Cow;

/// A function type: parameter and result types.
///
/// Results are a list (multi-value ready); [`Signature::return_type`] serves the
/// single-result view of the classic API.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Signature {
    params: Cow<'static, [ValueType]>,
    results: Cow<'static, [ValueType]>,
}

/// The module-level name of a function type.
pub type FuncType = Signature;

impl Signature {
    /// A signature with at most one result.
    pub fn new<C: Into<Cow<'static, [ValueType]>>>(
        params: C,
        return_type: Option<ValueType>,
    ) -> Self {
        let results: Cow<'static, [ValueType]> = match return_type {
            None => Cow::Borrowed(&[]),
            Some(ValueType::I32) => Cow::Borrowed(&[ValueType::I32]),
            Some(ValueType::I64) => Cow::Borrowed(&[ValueType::I64]),
            Some(ValueType::F32) => Cow::Borrowed(&[ValueType::F32]),
            Some(ValueType::F64) => Cow::Borrowed(&[ValueType::F64]),
        };
        Signature {
            params: params.into(),
            results,
        }
    }

    /// A signature with any number of results.
    pub fn with_results<P, R>(params: P, results: R) -> Self
    where
        P: Into<Cow<'static, [ValueType]>>,
        R: Into<Cow<'static, [ValueType]>>,
    {
        Signature {
            params: params.into(),
            results: results.into(),
        }
    }

    /// Parameter types.
    pub fn params(&self) -> &[ValueType] {
        &self.params
    }

    /// Result types.
    pub fn results(&self) -> &[ValueType] {
        &self.results
    }

    /// The single result type, or `None` for no result. With several results this is
    /// the first one; use [`Signature::results`] for the whole list.
    pub fn return_type(&self) -> Option<ValueType> {
        self.results.first().copied()
    }
}

/// The seed's form, `Signature { params: [I32], return_type: Some(I64) }`, with the
/// whole `results` list after it when there are several.
impl core::fmt::Debug for Signature {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let mut debug = f.debug_struct("Signature");
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
        let list = |f: &mut core::fmt::Formatter<'_>, tys: &[ValueType]| -> core::fmt::Result {
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
}

/// The type of references a table holds.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum RefType {
    /// Function references.
    FuncRef,
    /// Opaque host references (reference-types proposal).
    ExternRef,
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
    pub content: ValueType,
    /// Whether `global.set` may change it.
    pub mutable: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

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
