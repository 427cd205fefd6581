//! Table instances (spec 4.2.7).

use crate::limits::{Counted, Limiter};
use crate::memory::ResizableLimits;
use crate::prelude::*;
use crate::refs::{Exception, ExternRef, RefTable, Value};
use crate::{Error, FuncRef, ModuleInstance};
use alloc::rc::Rc;
use alloc::sync::Arc;
use core::cell::RefCell;
use core::ops::Deref;
use wasm_core::limits::MAX_TABLE_ENTRIES;
use wasm_core::{Limits, RefType, Signature, TableType, TrapCode, ValType};

/// A shared handle to a [`TableInstance`].
#[derive(Clone, Debug)]
pub struct TableRef(Rc<TableInstance>);

impl Deref for TableRef {
    type Target = TableInstance;
    fn deref(&self) -> &TableInstance {
        &self.0
    }
}

impl TableRef {
    /// Whether two handles name the same table.
    pub fn ptr_eq(&self, other: &TableRef) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

/// The entries of a table or a resolved element segment, by element type (`None` is
/// the null reference).
#[derive(Clone, Debug)]
pub(crate) enum Elements {
    Func(Vec<Option<FuncRef>>),
    Extern(Vec<Option<ExternRef>>),
    Exn(Vec<Option<Exception>>),
}

impl Elements {
    pub(crate) fn new(ty: RefType) -> Elements {
        if ty.is_extern() {
            Elements::Extern(Vec::new())
        } else if ty.is_exn() {
            Elements::Exn(Vec::new())
        } else {
            Elements::Func(Vec::new())
        }
    }

    pub(crate) fn len(&self) -> usize {
        match self {
            Elements::Func(v) => v.len(),
            Elements::Extern(v) => v.len(),
            Elements::Exn(v) => v.len(),
        }
    }

    pub(crate) fn ty(&self) -> RefType {
        match self {
            Elements::Func(_) => RefType::FUNCREF,
            Elements::Extern(_) => RefType::EXTERNREF,
            Elements::Exn(_) => RefType::EXNREF,
        }
    }

    /// Appends `value` (of the elements' type; another type appends null).
    pub(crate) fn push(&mut self, value: Value) {
        match (self, value) {
            (Elements::Func(v), Value::FuncRef(f)) => v.push(f),
            (Elements::Extern(v), Value::ExternRef(r)) => v.push(r),
            (Elements::Exn(v), Value::ExnRef(e)) => v.push(e),
            (Elements::Func(v), _) => v.push(None),
            (Elements::Extern(v), _) => v.push(None),
            (Elements::Exn(v), _) => v.push(None),
        }
    }

    fn try_reserve(&mut self, n: usize) -> Result<(), ()> {
        match self {
            Elements::Func(v) => v.try_reserve_exact(n).map_err(drop),
            Elements::Extern(v) => v.try_reserve_exact(n).map_err(drop),
            Elements::Exn(v) => v.try_reserve_exact(n).map_err(drop),
        }
    }

    fn get(&self, index: usize) -> Option<Value> {
        match self {
            Elements::Func(v) => v.get(index).map(|f| Value::FuncRef(f.clone())),
            Elements::Extern(v) => v.get(index).map(|r| Value::ExternRef(r.clone())),
            Elements::Exn(v) => v.get(index).map(|e| Value::ExnRef(e.clone())),
        }
    }

    /// Sets `range` to `value`, which has the elements' type; returns the entries it
    /// replaced, for the caller to drop once it released the table (dropping a reference
    /// may run host code that looks at the table).
    fn fill(&mut self, range: core::ops::Range<usize>, value: &Value) -> Elements {
        fn replace<T: Clone>(v: &mut [T], with: &T) -> Vec<T> {
            v.iter_mut()
                .map(|entry| core::mem::replace(entry, with.clone()))
                .collect()
        }
        match (self, value) {
            (Elements::Func(v), Value::FuncRef(f)) => Elements::Func(replace(&mut v[range], f)),
            (Elements::Extern(v), Value::ExternRef(r)) => {
                Elements::Extern(replace(&mut v[range], r))
            }
            (Elements::Exn(v), Value::ExnRef(e)) => Elements::Exn(replace(&mut v[range], e)),
            (this, _) => Elements::new(this.ty()),
        }
    }

    /// Grows to `len` entries of `value`.
    fn resize(&mut self, len: usize, value: Value) {
        match (self, value) {
            (Elements::Func(v), Value::FuncRef(f)) => v.resize(len, f),
            (Elements::Extern(v), Value::ExternRef(r)) => v.resize(len, r),
            (Elements::Exn(v), Value::ExnRef(e)) => v.resize(len, e),
            (Elements::Func(v), _) => v.resize(len, None),
            (Elements::Extern(v), _) => v.resize(len, None),
            (Elements::Exn(v), _) => v.resize(len, None),
        }
    }

    /// Copies `src[from..from + n]` to `self[to..]` (both in bounds, same type); returns
    /// the entries it replaced (see [`Elements::fill`]).
    fn copy_from(&mut self, to: usize, src: &Elements, from: usize, n: usize) -> Elements {
        fn copy<T: Clone>(d: &mut [T], s: &[T]) -> Vec<T> {
            d.iter_mut()
                .zip(s)
                .map(|(entry, item)| core::mem::replace(entry, item.clone()))
                .collect()
        }
        match (self, src) {
            (Elements::Func(d), Elements::Func(s)) => {
                Elements::Func(copy(&mut d[to..to + n], &s[from..from + n]))
            }
            (Elements::Extern(d), Elements::Extern(s)) => {
                Elements::Extern(copy(&mut d[to..to + n], &s[from..from + n]))
            }
            (Elements::Exn(d), Elements::Exn(s)) => {
                Elements::Exn(copy(&mut d[to..to + n], &s[from..from + n]))
            }
            (this, _) => Elements::new(this.ty()),
        }
    }

    /// Copies `self[from..from + n]` to `self[to..]` (both in bounds; may overlap);
    /// returns the entries it replaced (see [`Elements::fill`]).
    fn copy_within(&mut self, to: usize, from: usize, n: usize) -> Elements {
        fn within<T: Clone>(v: &mut [T], to: usize, from: usize, n: usize) -> Vec<T> {
            let mut replaced = Vec::with_capacity(n);
            let mut step = |i: usize| {
                let item = v[from + i].clone();
                replaced.push(core::mem::replace(&mut v[to + i], item));
            };
            if to <= from {
                (0..n).for_each(&mut step);
            } else {
                (0..n).rev().for_each(&mut step);
            }
            replaced
        }
        match self {
            Elements::Func(v) => Elements::Func(within(v, to, from, n)),
            Elements::Extern(v) => Elements::Extern(within(v, to, from, n)),
            Elements::Exn(v) => Elements::Exn(within(v, to, from, n)),
        }
    }

    /// Whether a function of `instance` is among the items.
    pub(crate) fn holds_func_of(&self, instance: &ModuleInstance) -> bool {
        match self {
            Elements::Func(v) => v
                .iter()
                .flatten()
                .any(|f| f.as_wasm().is_some_and(|wasm| wasm.belongs_to(instance))),
            Elements::Extern(_) | Elements::Exn(_) => false,
        }
    }

    /// A copy of items `from..from + n`, or `None` when out of bounds.
    pub(crate) fn slice(&self, from: u32, n: u32) -> Option<Elements> {
        let range = in_bounds(from, n, self.len())?;
        Some(match self {
            Elements::Func(v) => Elements::Func(v[range].to_vec()),
            Elements::Extern(v) => Elements::Extern(v[range].to_vec()),
            Elements::Exn(v) => Elements::Exn(v[range].to_vec()),
        })
    }
}

/// The table entries all tables of a thread may hold together: so that a module cannot
/// exhaust memory by growing many tables, each within [`MAX_TABLE_ENTRIES`]. (Without
/// `std`, all tables of the program.)
pub const MAX_THREAD_TABLE_ENTRIES: u64 = 4 * MAX_TABLE_ENTRIES;

/// Counts `n` more entries against [`MAX_THREAD_TABLE_ENTRIES`]; `false` (counting
/// nothing) if they do not fit.
fn charge_entries(n: u64) -> bool {
    crate::ambient::charge_table_entries(n, MAX_THREAD_TABLE_ENTRIES)
}

/// `start + n <= len`, the bounds check of every ranged table operation.
fn in_bounds(start: u32, n: u32, len: usize) -> Option<core::ops::Range<usize>> {
    let end = u64::from(start) + u64::from(n);
    (end <= len as u64).then_some(start as usize..end as usize)
}

/// A table of references (`None` is the null reference): function references, as in the
/// seed, or, with reference types, extern references.
pub struct TableInstance {
    elements: RefCell<Elements>,
    /// The element type as declared.
    element: RefType,
    /// The function type a concrete element type names (typed function references),
    /// which import matching compares.
    element_sig: Option<Arc<Signature>>,
    initial: u32,
    /// The maximum it grows to (a 64-bit table's, at most 2^32 - 1 here).
    maximum: Option<u32>,
    /// The maximum as declared, which import matching compares.
    declared_maximum: Option<u64>,
    /// 64-bit indices (memory64): only an import of a 64-bit table matches it.
    table64: bool,
    /// Instances whose functions the table may hold though their instantiation failed.
    kept: RefCell<Vec<Rc<ModuleInstance>>>,
    /// Asked before every growth, when the defining instance has one.
    limiter: Option<Limiter>,
}

#[cold]
fn out_of_bounds(offset: u32, size: usize) -> Error {
    Error::Table(format!(
        "out of bounds table access: index {offset}, table size {size}"
    ))
}

#[cold]
fn not_funcref() -> Error {
    Error::Table("type mismatch: the table holds externref, not funcref".to_string())
}

impl Drop for TableInstance {
    fn drop(&mut self) {
        Self::refund(self.elements.get_mut().len() as u64);
    }
}

/// The seed's form: the limits it was allocated with and the current length.
impl core::fmt::Debug for TableInstance {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let limits = ResizableLimits {
            initial: self.initial,
            maximum: self.maximum,
        };
        f.debug_struct("TableInstance")
            .field("limits", &limits)
            .field("buffer.len", &self.elements.borrow().len())
            .finish()
    }
}

impl TableInstance {
    /// Allocates a table of `initial` null function references that may grow up to
    /// `maximum`.
    ///
    /// A maximum below `initial` is an [`Error::Instantiation`], as in the seed, whose
    /// tables checked their limits the way instantiation does; failing to allocate the
    /// entries is an [`Error::Table`].
    pub fn alloc(initial: u32, maximum: Option<u32>) -> Result<TableRef, Error> {
        Self::alloc_typed(RefType::FUNCREF, initial, maximum)
    }

    /// Allocates a table of `initial` null references of type `ty`.
    ///
    /// At most [`MAX_TABLE_ENTRIES`] entries: a larger `initial` is an [`Error::Table`].
    pub fn alloc_typed(ty: RefType, initial: u32, maximum: Option<u32>) -> Result<TableRef, Error> {
        let limits = Limits {
            min: u64::from(initial),
            max: maximum.map(u64::from),
        };
        Self::alloc_with_type(&TableType {
            element: ty,
            limits,
            table64: false,
        })
    }

    /// Allocates a table of type `ty`, which may have 64-bit indices (memory64): what a
    /// module importing a 64-bit table needs. Fails like
    /// [`alloc_typed`](Self::alloc_typed); a 64-bit table's maximum above 2^32 - 1 is
    /// kept for import matching, and the table grows as far as a 32-bit one does.
    pub fn alloc_with_type(ty: &TableType) -> Result<TableRef, Error> {
        Self::alloc_limited(ty, None, None)
    }

    /// [`alloc_with_type`](Self::alloc_with_type) for an instance created with
    /// `limiter`, which counts the table, approves its initial size and is asked before
    /// every growth.
    ///
    /// `element_sig` is the function type of a concrete element type, from the type
    /// section of the module that declares the table.
    pub(crate) fn alloc_limited(
        table_type: &TableType,
        element_sig: Option<Arc<Signature>>,
        limiter: Option<&Limiter>,
    ) -> Result<TableRef, Error> {
        let ty = table_type.element;
        let declared_maximum = table_type.limits.max;
        let maximum = declared_maximum.map(|m| m.min(u64::from(u32::MAX)) as u32);
        let initial = u32::try_from(table_type.limits.min).unwrap_or(u32::MAX);
        if let Some(maximum) = declared_maximum.filter(|&m| m < table_type.limits.min) {
            return Err(Error::Instantiation(format!(
                "maximum limit {maximum} is less than minimum {initial}"
            )));
        }
        if u64::from(initial) > MAX_TABLE_ENTRIES || !charge_entries(u64::from(initial)) {
            return Err(Error::Table(format!(
                "cannot allocate a table of {initial} elements (limits: {MAX_TABLE_ENTRIES} \
                 per table, {MAX_THREAD_TABLE_ENTRIES} for all tables of a thread)"
            )));
        }
        if let Some(limiter) = limiter {
            if limiter.table_growing(0, initial, maximum).ok() != Some(true) {
                return Err(Error::Instantiation(format!(
                    "the resource limiter refused a table of {initial} elements"
                )));
            }
            limiter
                .count(Counted::Table, 1)
                .map_err(Error::Instantiation)?;
        }
        let mut elements = Elements::new(ty);
        elements
            .try_reserve(initial as usize)
            .map_err(|_| Error::Table(format!("cannot allocate a table of {initial} elements")))?;
        elements.resize(initial as usize, Value::null(ty));
        Ok(TableRef(Rc::new(TableInstance {
            elements: RefCell::new(elements),
            element: ty,
            element_sig,
            initial,
            maximum,
            declared_maximum,
            table64: table_type.table64,
            kept: RefCell::new(Vec::new()),
            limiter: limiter.cloned(),
        })))
    }

    /// Gives back `n` entries counted by `charge_entries`.
    fn refund(n: u64) {
        crate::ambient::release_table_entries(n);
    }

    /// Keeps `instance` alive as long as the table.
    pub(crate) fn keep_alive(&self, instance: Rc<ModuleInstance>) {
        self.kept.borrow_mut().push(instance);
    }

    /// The type of the table's references.
    pub fn element_type(&self) -> RefType {
        self.element
    }

    /// The size the table was created with.
    pub fn initial_size(&self) -> u32 {
        self.initial
    }

    /// The maximum size, if any.
    pub fn maximum_size(&self) -> Option<u32> {
        self.maximum
    }

    /// The current number of entries.
    pub fn current_size(&self) -> u32 {
        self.elements.borrow().len() as u32
    }

    /// Grows the table by `by` null entries.
    pub fn grow(&self, by: u32) -> Result<(), Error> {
        let ty = self.element_type();
        self.grow_with(by, Value::null(ty)).map(drop)
    }

    /// Grows the table by `by` entries set to `init`; returns the previous size. A table
    /// grows up to its maximum and at most to [`MAX_TABLE_ENTRIES`] entries.
    pub fn grow_with(&self, by: u32, init: Value) -> Result<u32, Error> {
        let mut elements = self.elements.borrow_mut();
        if !init.fits(ValType::Ref(self.element)) {
            return Err(Error::Table(format!(
                "type mismatch: a {} table cannot hold a {}",
                self.element,
                init.ty()
            )));
        }
        let old = elements.len() as u32;
        let limit = self
            .maximum
            .unwrap_or(u32::MAX)
            .min(MAX_TABLE_ENTRIES as u32);
        let new = match old.checked_add(by) {
            Some(new) if new <= limit => new,
            _ => {
                return Err(Error::Table(format!(
                    "cannot grow table by {by} from {old} elements (maximum {limit})"
                )));
            }
        };
        if let Some(limiter) = &self.limiter {
            // Asked without the entries borrowed: the limiter may look at the table.
            drop(elements);
            match limiter.table_growing(old, new, self.maximum) {
                Ok(true) => {}
                Ok(false) => {
                    return Err(Error::Table(format!(
                        "the resource limiter refused to grow the table from {old} to {new} elements"
                    )));
                }
                Err(trap) => return Err(Error::Trap(trap)),
            }
            elements = self.elements.borrow_mut();
            if elements.len() as u32 != old {
                return Err(Error::Table(
                    "the table changed while its resource limiter was asked".to_string(),
                ));
            }
        }
        if !charge_entries(u64::from(by)) {
            return Err(Error::Table(format!(
                "cannot grow table by {by}: the tables of this thread hold \
                 {MAX_THREAD_TABLE_ENTRIES} elements at most"
            )));
        }
        if elements.try_reserve(by as usize).is_err() {
            drop(elements);
            Self::refund(u64::from(by));
            return Err(Error::Table(format!(
                "cannot allocate a table of {new} elements"
            )));
        }
        elements.resize(new as usize, init);
        Ok(old)
    }

    /// The function reference at `offset` (of a `funcref` table, as in the seed).
    pub fn get(&self, offset: u32) -> Result<Option<FuncRef>, Error> {
        match self.get_value(offset)? {
            Value::FuncRef(f) => Ok(f),
            _ => Err(not_funcref()),
        }
    }

    /// Sets the function reference at `offset` (of a `funcref` table, as in the seed).
    pub fn set(&self, offset: u32, value: Option<FuncRef>) -> Result<(), Error> {
        if !self.element.is_func() {
            return Err(not_funcref());
        }
        self.set_value(offset, Value::FuncRef(value))
    }

    /// The reference at `offset`, of any table.
    pub fn get_value(&self, offset: u32) -> Result<Value, Error> {
        let elements = self.elements.borrow();
        elements
            .get(offset as usize)
            .ok_or_else(|| out_of_bounds(offset, elements.len()))
    }

    /// Sets the reference at `offset`; refuses a value of another type.
    pub fn set_value(&self, offset: u32, value: Value) -> Result<(), Error> {
        let ty = self.element_type();
        if !value.fits(ValType::Ref(ty)) {
            return Err(Error::Table(format!(
                "type mismatch: a {ty} table cannot hold a {}",
                value.ty()
            )));
        }
        let replaced = {
            let mut elements = self.elements.borrow_mut();
            let size = elements.len();
            let range = in_bounds(offset, 1, size).ok_or_else(|| out_of_bounds(offset, size))?;
            elements.fill(range, &value)
        };
        // The previous entry is dropped with the table released (its drop may run host code).
        drop((replaced, value));
        Ok(())
    }

    /// Runs `f` on the entry at `index` without cloning it; `None` when out of bounds
    /// (or not a `funcref` table). This is the engine's `call_indirect` path.
    pub(crate) fn with_entry<R>(
        &self,
        index: u32,
        f: impl FnOnce(&Option<FuncRef>) -> R,
    ) -> Option<R> {
        match &*self.elements.borrow() {
            Elements::Func(v) => v.get(index as usize).map(f),
            Elements::Extern(_) | Elements::Exn(_) => None,
        }
    }

    /// `table.get`: the cell of entry `index`.
    pub(crate) fn get_cell(&self, refs: &mut RefTable, index: u32) -> Result<u64, TrapCode> {
        let value = self
            .elements
            .borrow()
            .get(index as usize)
            .ok_or(TrapCode::TableAccessOutOfBounds)?;
        Ok(refs.cell_of(&value))
    }

    /// `table.set`: entry `index` = the reference in `cell`.
    pub(crate) fn set_cell(&self, refs: &RefTable, index: u32, cell: u64) -> Result<(), TrapCode> {
        let value = refs.value_of(ValType::Ref(self.element_type()), cell);
        self.set_value(index, value)
            .map_err(|_| TrapCode::TableAccessOutOfBounds)
    }

    /// `table.grow`: the previous size, or `u32::MAX` (-1) if the table cannot grow.
    pub(crate) fn grow_cell(
        &self,
        refs: &RefTable,
        by: u32,
        cell: u64,
    ) -> Result<u32, wasm_core::Trap> {
        let value = refs.value_of(ValType::Ref(self.element_type()), cell);
        match self.grow_with(by, value) {
            Ok(old) => Ok(old),
            Err(Error::Trap(trap)) => Err(trap),
            Err(_) => Ok(u32::MAX),
        }
    }

    /// `table.fill`: `n` entries from `index` = the reference in `cell`, all or none.
    /// Sets every entry to `value` (a table initialiser, typed function references).
    pub(crate) fn fill_all(&self, value: &Value) {
        let replaced = {
            let mut elements = self.elements.borrow_mut();
            let len = elements.len();
            elements.fill(0..len, value)
        };
        drop(replaced);
    }

    pub(crate) fn fill_cell(
        &self,
        refs: &RefTable,
        index: u32,
        cell: u64,
        n: u32,
    ) -> Result<(), TrapCode> {
        let value = refs.value_of(ValType::Ref(self.element_type()), cell);
        let replaced = {
            let mut elements = self.elements.borrow_mut();
            let range =
                in_bounds(index, n, elements.len()).ok_or(TrapCode::TableAccessOutOfBounds)?;
            elements.fill(range, &value)
        };
        drop((replaced, value));
        Ok(())
    }

    /// `table.copy`: `n` entries of `src` from `from` to `self` at `to`, all or none.
    pub(crate) fn copy(
        &self,
        to: u32,
        src: &TableInstance,
        from: u32,
        n: u32,
    ) -> Result<(), TrapCode> {
        let oob = TrapCode::TableAccessOutOfBounds;
        let replaced = if core::ptr::eq(self, src) {
            let mut elements = self.elements.borrow_mut();
            let len = elements.len();
            in_bounds(to, n, len).ok_or(oob)?;
            in_bounds(from, n, len).ok_or(oob)?;
            elements.copy_within(to as usize, from as usize, n as usize)
        } else {
            let source = src.elements.borrow();
            let mut elements = self.elements.borrow_mut();
            in_bounds(to, n, elements.len()).ok_or(oob)?;
            in_bounds(from, n, source.len()).ok_or(oob)?;
            elements.copy_from(to as usize, &source, from as usize, n as usize)
        };
        // Dropped with both tables released (see `Elements::fill`).
        drop(replaced);
        Ok(())
    }

    /// `table.init` (and instantiation's active segments): `n` items of `segment` from
    /// `from` into the table at `to`, all or none.
    pub(crate) fn init(
        &self,
        to: u32,
        segment: &Elements,
        from: u32,
        n: u32,
    ) -> Result<(), TrapCode> {
        let oob = TrapCode::TableAccessOutOfBounds;
        let replaced = {
            let mut elements = self.elements.borrow_mut();
            in_bounds(to, n, elements.len()).ok_or(oob)?;
            in_bounds(from, n, segment.len()).ok_or(oob)?;
            elements.copy_from(to as usize, segment, from as usize, n as usize)
        };
        // Dropped with the table released (see `Elements::fill`).
        drop(replaced);
        Ok(())
    }

    /// Whether this table, at its current size, satisfies an import of type `ty`: the
    /// same element type (`types` is the type section of the importing module) and
    /// index type, and limits that match (spec 4.5.2.2 "Limits").
    pub(crate) fn matches(&self, ty: &TableType, types: &[Arc<Signature>]) -> bool {
        let own = |_| self.element_sig.as_deref();
        let theirs = |index: u32| types.get(index as usize).map(|sig| &**sig);
        wasm_core::ref_type_matches(self.element, own, ty.element, theirs)
            && wasm_core::ref_type_matches(ty.element, theirs, self.element, own)
            && ty.table64 == self.table64
            && u64::from(self.current_size()) >= ty.limits.min
            && match ty.limits.max {
                None => true,
                Some(max) => self.declared_maximum.is_some_and(|m| m <= max),
            }
    }

    /// Whether the table has 64-bit indices (memory64).
    pub fn is_64(&self) -> bool {
        self.table64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grows_within_maximum_and_checks_bounds() {
        let table = TableInstance::alloc(1, Some(3)).unwrap();
        assert!(table.get(0).unwrap().is_none());
        assert!(table.get(1).is_err());
        table.grow(2).unwrap();
        assert_eq!(table.current_size(), 3);
        assert!(table.grow(1).is_err());
        assert!(table.set(3, None).is_err());
        assert!(matches!(
            TableInstance::alloc(2, Some(1)),
            Err(Error::Instantiation(_))
        ));
        assert_eq!(
            format!("{:?}", *table),
            "TableInstance { limits: ResizableLimits { initial: 1, maximum: Some(3) }, \
             buffer.len: 3 }"
        );
    }
}
