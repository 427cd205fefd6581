//! Table instances (spec 4.2.7).

use crate::memory::ResizableLimits;
use crate::refs::{self, ExternRef, Value};
use crate::{Error, FuncRef, ModuleInstance};
use core::cell::RefCell;
use core::ops::Deref;
use std::rc::Rc;
use wasm_core::limits::MAX_TABLE_ENTRIES;
use wasm_core::{RefType, TrapCode, ValType};

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
}

impl Elements {
    pub(crate) fn new(ty: RefType) -> Elements {
        match ty {
            RefType::FuncRef => Elements::Func(Vec::new()),
            RefType::ExternRef => Elements::Extern(Vec::new()),
        }
    }

    pub(crate) fn len(&self) -> usize {
        match self {
            Elements::Func(v) => v.len(),
            Elements::Extern(v) => v.len(),
        }
    }

    pub(crate) fn ty(&self) -> RefType {
        match self {
            Elements::Func(_) => RefType::FuncRef,
            Elements::Extern(_) => RefType::ExternRef,
        }
    }

    /// Appends `value` (of the elements' type; another type appends null).
    pub(crate) fn push(&mut self, value: Value) {
        match (self, value) {
            (Elements::Func(v), Value::FuncRef(f)) => v.push(f),
            (Elements::Extern(v), Value::ExternRef(r)) => v.push(r),
            (Elements::Func(v), _) => v.push(None),
            (Elements::Extern(v), _) => v.push(None),
        }
    }

    fn try_reserve(&mut self, n: usize) -> Result<(), ()> {
        match self {
            Elements::Func(v) => v.try_reserve_exact(n).map_err(drop),
            Elements::Extern(v) => v.try_reserve_exact(n).map_err(drop),
        }
    }

    fn get(&self, index: usize) -> Option<Value> {
        match self {
            Elements::Func(v) => v.get(index).map(|f| Value::FuncRef(f.clone())),
            Elements::Extern(v) => v.get(index).map(|r| Value::ExternRef(r.clone())),
        }
    }

    /// Sets `range` to `value`, which has the elements' type.
    fn fill(&mut self, range: core::ops::Range<usize>, value: Value) {
        match (self, value) {
            (Elements::Func(v), Value::FuncRef(f)) => v[range].fill(f),
            (Elements::Extern(v), Value::ExternRef(r)) => v[range].fill(r),
            _ => {}
        }
    }

    /// Grows to `len` entries of `value`.
    fn resize(&mut self, len: usize, value: Value) {
        match (self, value) {
            (Elements::Func(v), Value::FuncRef(f)) => v.resize(len, f),
            (Elements::Extern(v), Value::ExternRef(r)) => v.resize(len, r),
            (Elements::Func(v), _) => v.resize(len, None),
            (Elements::Extern(v), _) => v.resize(len, None),
        }
    }

    /// Copies `src[from..from + n]` to `self[to..]` (both in bounds, same type).
    fn copy_from(&mut self, to: usize, src: &Elements, from: usize, n: usize) {
        match (self, src) {
            (Elements::Func(d), Elements::Func(s)) => {
                d[to..to + n].clone_from_slice(&s[from..from + n])
            }
            (Elements::Extern(d), Elements::Extern(s)) => {
                d[to..to + n].clone_from_slice(&s[from..from + n])
            }
            _ => {}
        }
    }

    /// Copies `self[from..from + n]` to `self[to..]` (both in bounds; may overlap).
    fn copy_within(&mut self, to: usize, from: usize, n: usize) {
        fn within<T: Clone>(v: &mut [T], to: usize, from: usize, n: usize) {
            if to <= from {
                for i in 0..n {
                    v[to + i] = v[from + i].clone();
                }
            } else {
                for i in (0..n).rev() {
                    v[to + i] = v[from + i].clone();
                }
            }
        }
        match self {
            Elements::Func(v) => within(v, to, from, n),
            Elements::Extern(v) => within(v, to, from, n),
        }
    }
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
    initial: u32,
    maximum: Option<u32>,
    /// Instances whose functions the table may hold though their instantiation failed.
    kept: RefCell<Vec<Rc<ModuleInstance>>>,
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
        Self::alloc_typed(RefType::FuncRef, initial, maximum)
    }

    /// Allocates a table of `initial` null references of type `ty`.
    ///
    /// At most [`MAX_TABLE_ENTRIES`] entries: a larger `initial` is an [`Error::Table`].
    pub fn alloc_typed(ty: RefType, initial: u32, maximum: Option<u32>) -> Result<TableRef, Error> {
        if let Some(maximum) = maximum.filter(|&m| m < initial) {
            return Err(Error::Instantiation(format!(
                "maximum limit {maximum} is less than minimum {initial}"
            )));
        }
        if u64::from(initial) > MAX_TABLE_ENTRIES {
            return Err(Error::Table(format!(
                "cannot allocate a table of {initial} elements (limit {MAX_TABLE_ENTRIES})"
            )));
        }
        let mut elements = Elements::new(ty);
        elements
            .try_reserve(initial as usize)
            .map_err(|_| Error::Table(format!("cannot allocate a table of {initial} elements")))?;
        elements.resize(initial as usize, Value::null(ty));
        Ok(TableRef(Rc::new(TableInstance {
            elements: RefCell::new(elements),
            initial,
            maximum,
            kept: RefCell::new(Vec::new()),
        })))
    }

    /// Keeps `instance` alive as long as the table.
    pub(crate) fn keep_alive(&self, instance: Rc<ModuleInstance>) {
        self.kept.borrow_mut().push(instance);
    }

    /// The type of the table's references.
    pub fn element_type(&self) -> RefType {
        self.elements.borrow().ty()
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
        if init.ty() != ValType::Ref(elements.ty()) {
            return Err(Error::Table(format!(
                "type mismatch: a {} table cannot hold a {}",
                elements.ty(),
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
        elements
            .try_reserve(by as usize)
            .map_err(|_| Error::Table(format!("cannot allocate a table of {new} elements")))?;
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
        if self.element_type() != RefType::FuncRef {
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
        if value.ty() != ValType::Ref(ty) {
            return Err(Error::Table(format!(
                "type mismatch: a {ty} table cannot hold a {}",
                value.ty()
            )));
        }
        let old = {
            let mut elements = self.elements.borrow_mut();
            let size = elements.len();
            let range = in_bounds(offset, 1, size).ok_or_else(|| out_of_bounds(offset, size))?;
            let old = elements.get(offset as usize);
            elements.fill(range, value);
            old
        };
        // The previous entry is dropped with the table released (its drop may run host code).
        drop(old);
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
            Elements::Extern(_) => None,
        }
    }

    /// `table.get`: the cell of entry `index`.
    pub(crate) fn get_cell(&self, index: u32) -> Result<u64, TrapCode> {
        let value = self
            .elements
            .borrow()
            .get(index as usize)
            .ok_or(TrapCode::TableAccessOutOfBounds)?;
        Ok(refs::to_cell(&value))
    }

    /// `table.set`: entry `index` = the reference in `cell`.
    pub(crate) fn set_cell(&self, index: u32, cell: u64) -> Result<(), TrapCode> {
        let value = refs::from_cell(ValType::Ref(self.element_type()), cell);
        self.set_value(index, value)
            .map_err(|_| TrapCode::TableAccessOutOfBounds)
    }

    /// `table.grow`: the previous size, or `u32::MAX` (-1) if the table cannot grow.
    pub(crate) fn grow_cell(&self, by: u32, cell: u64) -> u32 {
        let value = refs::from_cell(ValType::Ref(self.element_type()), cell);
        self.grow_with(by, value).unwrap_or(u32::MAX)
    }

    /// `table.fill`: `n` entries from `index` = the reference in `cell`, all or none.
    pub(crate) fn fill_cell(&self, index: u32, cell: u64, n: u32) -> Result<(), TrapCode> {
        let value = refs::from_cell(ValType::Ref(self.element_type()), cell);
        let mut elements = self.elements.borrow_mut();
        let range = in_bounds(index, n, elements.len()).ok_or(TrapCode::TableAccessOutOfBounds)?;
        elements.fill(range, value);
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
        if core::ptr::eq(self, src) {
            let mut elements = self.elements.borrow_mut();
            let len = elements.len();
            in_bounds(to, n, len).ok_or(oob)?;
            in_bounds(from, n, len).ok_or(oob)?;
            elements.copy_within(to as usize, from as usize, n as usize);
            return Ok(());
        }
        let source = src.elements.borrow();
        let mut elements = self.elements.borrow_mut();
        in_bounds(to, n, elements.len()).ok_or(oob)?;
        in_bounds(from, n, source.len()).ok_or(oob)?;
        elements.copy_from(to as usize, &source, from as usize, n as usize);
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
        let mut elements = self.elements.borrow_mut();
        in_bounds(to, n, elements.len()).ok_or(oob)?;
        in_bounds(from, n, segment.len()).ok_or(oob)?;
        elements.copy_from(to as usize, segment, from as usize, n as usize);
        Ok(())
    }

    pub(crate) fn matches(&self, min: u64, max: Option<u64>) -> bool {
        u64::from(self.current_size()) >= min
            && match max {
                None => true,
                Some(max) => self.maximum.is_some_and(|m| u64::from(m) <= max),
            }
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
