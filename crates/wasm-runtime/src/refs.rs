//! Reference values (Wasm 2.0 reference types): [`ExternRef`], the host's opaque
//! references; [`Exception`], what an `exnref` names, and the [`TagRef`]s exceptions are
//! thrown with (exception handling); [`Value`], a value of any type; and the handles the
//! engine keeps in its 64-bit cells.
//!
//! # Representation
//!
//! Outside running code a reference is a Rust value that owns what it names: a
//! [`FuncRef`] or an [`ExternRef`] (both `Rc`), or `None` for null. Tables and globals
//! hold these. Inside running code, where every value is a 64-bit cell, a reference is a
//! *handle*: 0 for null, otherwise one plus an index into the execution's reference
//! table ([`RefTable`]: one list of functions, one of extern objects), where the object
//! is kept alive.
//!
//! * **Unforgeable.** Wasm code cannot make a handle out of a number (validation types
//!   every cell; there is no `i32` to reference conversion) and cannot read one as a
//!   number (`ref.is_null` is its only observation). A handle is only ever looked up by
//!   index, bounds-checked: no address is ever stored or exposed.
//! * **Per execution.** Each execution (a call from the host into Wasm code, or a
//!   resumable call while it may resume) has a table of its own, emptied when it ends,
//!   which releases what it kept alive. A host function that calls back into Wasm starts
//!   an execution with its own table: values cross between executions as Rust values,
//!   never as handles. No state is kept per thread or per program, so the scheme is the
//!   same with and without `std`.
//! * **Deduplicated.** An object remembers the handle it was last given, which a table
//!   takes when its entry there is the object itself; code that reads the same table
//!   entry in a loop does not grow the table.
//! * **Later proposals.** Typed function references reuse function handles as they
//!   are (`call_ref` looks the function up). GC objects will be handles into a
//!   collected store of their own; the cell form (a handle, 0 for null) stays.

use crate::FuncRef;
use crate::prelude::*;
use alloc::rc::Rc;
use alloc::sync::Arc;
use core::any::Any;
use core::cell::Cell;
use core::fmt;
use wasm_core::{F32, F64, HeapType, RefType, RuntimeValue, Signature, V128, ValType};

/// The handle an object was last given: a hint, which a table takes only when its entry
/// there is the object itself (so it is never wrong, whatever table gave it).
#[derive(Default)]
pub(crate) struct HandleCache(Cell<u64>);

impl HandleCache {
    fn get(&self) -> u64 {
        self.0.get()
    }

    fn set(&self, handle: u64) {
        self.0.set(handle);
    }
}

struct ExternInner<T: ?Sized> {
    handle: HandleCache,
    value: T,
}

/// An `externref`: a reference to any `'static` Rust value, which Wasm code can hold,
/// pass around and store in tables and globals, but not look into.
///
/// ```
/// # use wasm_runtime::ExternRef;
/// let r = ExternRef::new(String::from("file handle"));
/// assert_eq!(r.downcast_ref::<String>().unwrap(), "file handle");
/// assert!(r.downcast_ref::<u32>().is_none());
/// assert!(r.ptr_eq(&r.clone()));
/// ```
#[derive(Clone)]
pub struct ExternRef(Rc<ExternInner<dyn Any>>);

impl ExternRef {
    /// A reference to `value`.
    pub fn new<T: Any>(value: T) -> ExternRef {
        ExternRef(Rc::new(ExternInner {
            handle: HandleCache::default(),
            value,
        }))
    }

    /// The value, if it is a `T`.
    pub fn downcast_ref<T: Any>(&self) -> Option<&T> {
        self.0.value.downcast_ref()
    }

    /// The value, as `dyn Any`.
    pub fn data(&self) -> &dyn Any {
        &self.0.value
    }

    /// Whether two references name the same object.
    pub fn ptr_eq(&self, other: &ExternRef) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

impl fmt::Debug for ExternRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ExternRef({:p})", Rc::as_ptr(&self.0) as *const ())
    }
}

struct TagInstance {
    signature: Arc<Signature>,
}

/// A tag: what a `throw` names and a `catch` matches, by identity. Its signature's
/// parameters are the types of the exception's values (it has no results).
///
/// Each module's defined tags are new ones; an imported tag is the exporter's own, so
/// two modules throw and catch the same exceptions through it.
#[derive(Clone)]
pub struct TagRef(Arc<TagInstance>);

impl TagRef {
    /// A new tag whose exceptions carry values of `signature`'s parameter types.
    pub fn new(signature: Signature) -> TagRef {
        TagRef::with_signature(Arc::new(signature))
    }

    pub(crate) fn with_signature(signature: Arc<Signature>) -> TagRef {
        TagRef(Arc::new(TagInstance { signature }))
    }

    /// The tag's type.
    pub fn signature(&self) -> &Signature {
        &self.0.signature
    }

    pub(crate) fn signature_arc(&self) -> &Arc<Signature> {
        &self.0.signature
    }

    /// Whether two handles name the same tag.
    pub fn ptr_eq(&self, other: &TagRef) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

impl fmt::Debug for TagRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "TagRef({:p}: {})",
            Arc::as_ptr(&self.0),
            self.signature()
        )
    }
}

struct ExnInner {
    handle: HandleCache,
    tag: TagRef,
    values: Vec<Value>,
}

/// An exception inside Wasm code: the value an `exnref` names, which `throw_ref` throws
/// again. Compared by identity.
#[derive(Clone)]
pub struct Exception(Rc<ExnInner>);

impl Exception {
    /// An exception of `tag` carrying `values` (of the tag's parameter types, which the
    /// caller checked).
    pub(crate) fn new(tag: TagRef, values: Vec<Value>) -> Exception {
        Exception(Rc::new(ExnInner {
            handle: HandleCache::default(),
            tag,
            values,
        }))
    }

    /// The tag it was thrown with.
    pub fn tag(&self) -> &TagRef {
        &self.0.tag
    }

    /// The values it carries.
    pub fn values(&self) -> &[Value] {
        &self.0.values
    }

    /// Whether two handles name the same exception.
    pub fn ptr_eq(&self, other: &Exception) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }

    pub(crate) fn handle_cache(&self) -> &HandleCache {
        &self.0.handle
    }
}

impl fmt::Debug for Exception {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Exception")
            .field("tag", self.tag())
            .field("values", &self.values())
            .finish()
    }
}

/// A value of any type: the seed's four numbers ([`RuntimeValue`]) and the references.
///
/// `RuntimeValue` stays the seed's enum (programs match on it exhaustively); `Value` is
/// what the calls, tables and globals that may hold references take and give.
#[derive(Clone, Debug)]
pub enum Value {
    /// A 32-bit integer.
    I32(i32),
    /// A 64-bit integer.
    I64(i64),
    /// A 32-bit float, bit-exact.
    F32(F32),
    /// A 64-bit float, bit-exact.
    F64(F64),
    /// A 128-bit vector (SIMD proposal).
    V128(V128),
    /// A function reference (`None`: null).
    FuncRef(Option<FuncRef>),
    /// An external reference (`None`: null).
    ExternRef(Option<ExternRef>),
    /// A caught exception (exception handling; `None`: null).
    ExnRef(Option<Exception>),
}

impl Value {
    /// The type of the value.
    pub fn ty(&self) -> ValType {
        match self {
            Value::I32(_) => ValType::I32,
            Value::I64(_) => ValType::I64,
            Value::F32(_) => ValType::F32,
            Value::F64(_) => ValType::F64,
            Value::V128(_) => ValType::V128,
            Value::FuncRef(_) => ValType::FUNCREF,
            Value::ExternRef(_) => ValType::EXTERNREF,
            Value::ExnRef(_) => ValType::EXNREF,
        }
    }

    /// The zero value of `ty`: 0, or the null reference.
    pub fn default_of(ty: ValType) -> Value {
        match ty {
            ValType::Ref(r) => Value::null(r),
            ValType::V128 => Value::V128(V128::default()),
            number => number
                .number()
                .map_or(Value::I32(0), |n| RuntimeValue::default(n).into()),
        }
    }

    /// The null reference of type `ty`.
    pub fn null(ty: RefType) -> Value {
        match ty.heap.top() {
            HeapType::Extern => Value::ExternRef(None),
            HeapType::Exn => Value::ExnRef(None),
            _ => Value::FuncRef(None),
        }
    }

    /// The number, if the value is one.
    pub fn number(&self) -> Option<RuntimeValue> {
        match *self {
            Value::I32(v) => Some(RuntimeValue::I32(v)),
            Value::I64(v) => Some(RuntimeValue::I64(v)),
            Value::F32(v) => Some(RuntimeValue::F32(v)),
            Value::F64(v) => Some(RuntimeValue::F64(v)),
            Value::V128(_) | Value::FuncRef(_) | Value::ExternRef(_) | Value::ExnRef(_) => None,
        }
    }

    /// Whether the value is a null reference.
    pub fn is_null(&self) -> bool {
        matches!(
            self,
            Value::FuncRef(None) | Value::ExternRef(None) | Value::ExnRef(None)
        )
    }

    /// Whether the value may be stored where type `ty` is expected: a number of that
    /// type, or a reference of `ty`'s hierarchy that is null only if `ty` is nullable
    /// and non-null only if `ty` is not a bottom type (`nullexnref` holds only null).
    /// Which function type a non-null function reference has is not checked here: the
    /// engine checks it where it calls one (`call_ref`, as `call_indirect`).
    pub fn fits(&self, ty: ValType) -> bool {
        value_fits(ty, self.ty(), self.is_null())
    }
}

/// Whether a value of type `actual` (null or not) may be stored where `ty` is expected
/// (see [`Value::fits`]).
pub(crate) fn value_fits(ty: ValType, actual: ValType, null: bool) -> bool {
    match (ty, actual) {
        (ValType::Ref(expected), ValType::Ref(actual)) => {
            expected.top() == actual.top()
                && if null {
                    expected.nullable
                } else {
                    !expected.heap.is_bottom()
                }
        }
        (expected, actual) => expected == actual,
    }
}

impl From<RuntimeValue> for Value {
    fn from(v: RuntimeValue) -> Self {
        match v {
            RuntimeValue::I32(v) => Value::I32(v),
            RuntimeValue::I64(v) => Value::I64(v),
            RuntimeValue::F32(v) => Value::F32(v),
            RuntimeValue::F64(v) => Value::F64(v),
        }
    }
}

impl From<V128> for Value {
    fn from(v: V128) -> Self {
        Value::V128(v)
    }
}

impl From<FuncRef> for Value {
    fn from(f: FuncRef) -> Self {
        Value::FuncRef(Some(f))
    }
}

impl From<ExternRef> for Value {
    fn from(r: ExternRef) -> Self {
        Value::ExternRef(Some(r))
    }
}

/// Numbers compare as `RuntimeValue`s do (floats as floats: NaN is not equal to itself),
/// vectors by their bits, references by identity.
impl PartialEq for Value {
    fn eq(&self, other: &Value) -> bool {
        match (self, other) {
            (Value::FuncRef(a), Value::FuncRef(b)) => match (a, b) {
                (Some(a), Some(b)) => a.ptr_eq(b),
                (a, b) => a.is_none() && b.is_none(),
            },
            (Value::ExternRef(a), Value::ExternRef(b)) => match (a, b) {
                (Some(a), Some(b)) => a.ptr_eq(b),
                (a, b) => a.is_none() && b.is_none(),
            },
            (Value::ExnRef(a), Value::ExnRef(b)) => match (a, b) {
                (Some(a), Some(b)) => a.ptr_eq(b),
                (a, b) => a.is_none() && b.is_none(),
            },
            (Value::V128(a), Value::V128(b)) => a == b,
            (a, b) => a.number().is_some() && a.number() == b.number(),
        }
    }
}

/// The handles of one execution: the objects its cells name, kept alive while it may
/// run (see the module documentation). The engine keeps it beside its stacks; a
/// [`StackRecycler`](crate::StackRecycler) keeps its buffers between calls.
#[derive(Default)]
pub struct RefTable {
    funcs: Vec<FuncRef>,
    externs: Vec<ExternRef>,
    exns: Vec<Exception>,
}

impl fmt::Debug for RefTable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RefTable")
            .field("funcs", &self.funcs.len())
            .field("externs", &self.externs.len())
            .field("exns", &self.exns.len())
            .finish()
    }
}

/// The handle of `object` in `list` (given one if it has none): the one its cache names
/// when that entry is `object` itself, else a new one.
fn handle_in<T: Clone>(
    list: &mut Vec<T>,
    object: &T,
    cache: &HandleCache,
    same: impl Fn(&T, &T) -> bool,
) -> u64 {
    let cached = cache.get();
    if let Some(entry) = cached.checked_sub(1).and_then(|i| list.get(i as usize))
        && same(entry, object)
    {
        return cached;
    }
    list.push(object.clone());
    let handle = list.len() as u64;
    cache.set(handle);
    handle
}

impl RefTable {
    /// The handle of `func` (given one if it has none).
    pub(crate) fn func_handle(&mut self, func: &FuncRef) -> u64 {
        handle_in(&mut self.funcs, func, func.handle_cache(), FuncRef::ptr_eq)
    }

    /// The handle of `r` (given one if it has none).
    pub(crate) fn extern_handle(&mut self, r: &ExternRef) -> u64 {
        handle_in(&mut self.externs, r, &r.0.handle, ExternRef::ptr_eq)
    }

    /// The handle of `exception` (given one if it has none).
    pub(crate) fn exn_handle(&mut self, exception: &Exception) -> u64 {
        handle_in(
            &mut self.exns,
            exception,
            exception.handle_cache(),
            Exception::ptr_eq,
        )
    }

    /// The exception `handle` names; `None` for null.
    pub(crate) fn exn_of(&self, handle: u64) -> Option<Exception> {
        let index = usize::try_from(handle.checked_sub(1)?).ok()?;
        self.exns.get(index).cloned()
    }

    /// The function `handle` names; `None` for null (and for a handle this table never
    /// gave, which validated code cannot make).
    pub(crate) fn func_of(&self, handle: u64) -> Option<FuncRef> {
        let index = usize::try_from(handle.checked_sub(1)?).ok()?;
        self.funcs.get(index).cloned()
    }

    /// The extern object `handle` names; `None` for null.
    pub(crate) fn extern_of(&self, handle: u64) -> Option<ExternRef> {
        let index = usize::try_from(handle.checked_sub(1)?).ok()?;
        self.externs.get(index).cloned()
    }

    /// Writes the cells of `value` (two for a `v128`, one for any other) to the start
    /// of `cells`; returns how many. A `cells` too short gets what fits.
    pub(crate) fn write_cells(&mut self, value: &Value, cells: &mut [u64]) -> usize {
        match value {
            Value::V128(v) => {
                for (cell, half) in cells.iter_mut().zip(v.to_cells()) {
                    *cell = half;
                }
                2
            }
            other => {
                let cell = self.cell_of(other);
                if let Some(first) = cells.first_mut() {
                    *first = cell;
                }
                1
            }
        }
    }

    /// The value of type `ty` from the start of `cells` (inverse of
    /// [`write_cells`](Self::write_cells); missing cells read as 0).
    pub(crate) fn read_cells(&self, ty: ValType, cells: &[u64]) -> Value {
        let cell = |k: usize| cells.get(k).copied().unwrap_or(0);
        match ty {
            ValType::V128 => Value::V128(V128::from_cells([cell(0), cell(1)])),
            other => self.value_of(other, cell(0)),
        }
    }

    /// The cell form of `value` (a handle for a reference; a `v128`'s low half).
    pub(crate) fn cell_of(&mut self, value: &Value) -> u64 {
        match value {
            Value::FuncRef(f) => f.as_ref().map_or(0, |f| self.func_handle(f)),
            Value::ExternRef(r) => r.as_ref().map_or(0, |r| self.extern_handle(r)),
            Value::ExnRef(e) => e.as_ref().map_or(0, |e| self.exn_handle(e)),
            Value::V128(v) => v.to_cells()[0],
            number => number.number().map_or(0, RuntimeValue::to_bits),
        }
    }

    /// The value of type `ty` in `cell` (inverse of [`cell_of`](Self::cell_of)).
    pub(crate) fn value_of(&self, ty: ValType, cell: u64) -> Value {
        match ty {
            ValType::Ref(r) if r.is_extern() => Value::ExternRef(self.extern_of(cell)),
            ValType::Ref(r) if r.is_exn() => Value::ExnRef(self.exn_of(cell)),
            ValType::Ref(_) => Value::FuncRef(self.func_of(cell)),
            number => number
                .number()
                .map_or(Value::I32(0), |n| RuntimeValue::from_bits(n, cell).into()),
        }
    }

    /// Forgets every handle, releasing the objects (and keeping the buffers).
    pub fn clear(&mut self) {
        self.funcs.clear();
        self.externs.clear();
        self.exns.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn handles_are_stable_within_a_table_and_released_with_it() {
        let object = ExternRef::new(7u32);
        let weak = Rc::downgrade(&object.0);
        let mut table = RefTable::default();
        let a = table.extern_handle(&object);
        assert_eq!(table.extern_handle(&object), a);
        assert_ne!(a, 0);
        let back = table.extern_of(a).unwrap();
        assert_eq!(back.downcast_ref::<u32>(), Some(&7));
        assert!(table.extern_of(a + 1).is_none());
        assert!(table.extern_of(0).is_none());
        table.clear();
        drop((object, back));
        assert!(weak.upgrade().is_none(), "the table released the object");
        let other = ExternRef::new(());
        assert_eq!(
            table.extern_handle(&other),
            1,
            "a cleared table starts afresh"
        );
    }

    #[test]
    fn a_handle_cached_by_another_table_is_not_taken() {
        let (x, y) = (ExternRef::new(1), ExternRef::new(2));
        let (mut outer, mut inner) = (RefTable::default(), RefTable::default());
        assert_eq!(outer.extern_handle(&y), 1);
        assert_eq!(
            inner.extern_handle(&x),
            1,
            "x's cache now says 1, in `inner`"
        );
        let hx = outer.extern_handle(&x);
        assert_eq!(
            hx, 2,
            "entry 1 of `outer` is y, so x gets a handle of its own"
        );
        assert!(outer.extern_of(hx).unwrap().ptr_eq(&x));
        assert!(outer.extern_of(1).unwrap().ptr_eq(&y));
        assert_eq!(outer.extern_handle(&x), hx);
    }

    #[test]
    fn values_compare_numbers_by_bits_and_references_by_identity() {
        let a = ExternRef::new(1);
        let b = ExternRef::new(1);
        assert_eq!(Value::from(a.clone()), Value::from(a.clone()));
        assert_ne!(Value::from(a), Value::from(b));
        assert_eq!(Value::ExternRef(None), Value::null(RefType::EXTERNREF));
        assert_ne!(Value::FuncRef(None), Value::ExternRef(None));
        assert_eq!(Value::I32(3), Value::from(RuntimeValue::I32(3)));
        assert_ne!(Value::I32(3), Value::I64(3));
    }
}
