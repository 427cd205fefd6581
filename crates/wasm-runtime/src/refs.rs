//! Reference values (Wasm 2.0 reference types): [`ExternRef`], the host's opaque
//! references; [`Value`], a value of any type; and the handles the engine keeps in its
//! 64-bit cells.
//!
//! # Representation
//!
//! Outside running code a reference is a Rust value that owns what it names: a
//! [`FuncRef`] or an [`ExternRef`] (both `Rc`), or `None` for null. Tables and globals
//! hold these. Inside running code, where every value is a 64-bit cell, a reference is a
//! *handle*: 0 for null, otherwise one plus an index into this thread's reference table
//! (one list of functions, one of extern objects), where the object is kept alive.
//!
//! * **Unforgeable.** Wasm code cannot make a handle out of a number (validation types
//!   every cell; there is no `i32` to reference conversion) and cannot read one as a
//!   number (`ref.is_null` is its only observation). A handle is only ever looked up by
//!   index, bounds-checked: no address is ever stored or exposed.
//! * **Scoped.** Handles live only while code runs: every call from the host enters a
//!   [`Scope`], and when the outermost scope on the thread ends (no code running, no
//!   resumable call suspended) the table is emptied, releasing what it kept alive. An
//!   object gets one handle per scope (it remembers it), so code that reads the same
//!   table entry in a loop does not grow the table.
//! * **Later proposals.** Typed function references reuse function handles as they
//!   are (`call_ref` looks the function up). GC objects will be handles into a
//!   collected store of their own; the cell form (a handle, 0 for null) stays.

use crate::FuncRef;
use core::any::Any;
use core::cell::{Cell, RefCell};
use core::fmt;
use std::rc::Rc;
use wasm_core::{F32, F64, RefType, RuntimeValue, ValType};

/// Where an object's handle in the current scope is remembered: the scope's number and
/// the handle (0: none yet).
#[derive(Default)]
pub(crate) struct HandleCache(Cell<(u64, u64)>);

impl HandleCache {
    fn get(&self, epoch: u64) -> Option<u64> {
        let (at, handle) = self.0.get();
        (at == epoch && handle != 0).then_some(handle)
    }

    fn set(&self, epoch: u64, handle: u64) {
        self.0.set((epoch, handle));
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
    /// A function reference (`None`: null).
    FuncRef(Option<FuncRef>),
    /// An external reference (`None`: null).
    ExternRef(Option<ExternRef>),
}

impl Value {
    /// The type of the value.
    pub fn ty(&self) -> ValType {
        match self {
            Value::I32(_) => ValType::I32,
            Value::I64(_) => ValType::I64,
            Value::F32(_) => ValType::F32,
            Value::F64(_) => ValType::F64,
            Value::FuncRef(_) => ValType::FUNCREF,
            Value::ExternRef(_) => ValType::EXTERNREF,
        }
    }

    /// The zero value of `ty`: 0, or the null reference.
    pub fn default_of(ty: ValType) -> Value {
        match ty {
            ValType::Ref(r) => Value::null(r),
            number => number
                .number()
                .map_or(Value::I32(0), |n| RuntimeValue::default(n).into()),
        }
    }

    /// The null reference of type `ty`.
    pub fn null(ty: RefType) -> Value {
        match ty {
            RefType::FuncRef => Value::FuncRef(None),
            RefType::ExternRef => Value::ExternRef(None),
        }
    }

    /// The number, if the value is one.
    pub fn number(&self) -> Option<RuntimeValue> {
        match *self {
            Value::I32(v) => Some(RuntimeValue::I32(v)),
            Value::I64(v) => Some(RuntimeValue::I64(v)),
            Value::F32(v) => Some(RuntimeValue::F32(v)),
            Value::F64(v) => Some(RuntimeValue::F64(v)),
            Value::FuncRef(_) | Value::ExternRef(_) => None,
        }
    }

    /// Whether the value is a null reference.
    pub fn is_null(&self) -> bool {
        matches!(self, Value::FuncRef(None) | Value::ExternRef(None))
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
/// references by identity.
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
            (a, b) => a.number().is_some() && a.number() == b.number(),
        }
    }
}

/// The thread's reference table (see the module documentation).
#[derive(Default)]
struct Table {
    /// The scope's number: handles remembered under another number are stale.
    epoch: u64,
    /// Scopes entered and not yet left.
    active: u64,
    funcs: Vec<FuncRef>,
    externs: Vec<ExternRef>,
}

thread_local! {
    static TABLE: RefCell<Table> = RefCell::new(Table::default());
}

/// A span of time in which handles are valid: held by every call from the host into
/// Wasm code (and by a resumable call until it is dropped).
pub(crate) struct Scope(());

impl Scope {
    pub(crate) fn enter() -> Scope {
        TABLE.with(|t| t.borrow_mut().active += 1);
        Scope(())
    }
}

impl Drop for Scope {
    fn drop(&mut self) {
        // The objects are dropped after the table is released: their `Drop` may call
        // back into Wasm code.
        // `try_with`: during the thread's teardown the table is gone, and so are handles.
        let released = TABLE
            .try_with(|t| {
                let mut t = t.borrow_mut();
                t.active -= 1;
                if t.active > 0 || (t.funcs.is_empty() && t.externs.is_empty()) {
                    return None;
                }
                t.epoch += 1;
                Some((
                    core::mem::take(&mut t.funcs),
                    core::mem::take(&mut t.externs),
                ))
            })
            .ok()
            .flatten();
        drop(released);
    }
}

/// The handle of `func` in the current scope (given one if it has none).
pub(crate) fn func_handle(func: &FuncRef) -> u64 {
    TABLE.with(|t| {
        let mut t = t.borrow_mut();
        debug_assert!(t.active > 0, "a handle made outside a Scope");
        if let Some(handle) = func.handle_cache().get(t.epoch) {
            return handle;
        }
        t.funcs.push(func.clone());
        let handle = t.funcs.len() as u64;
        func.handle_cache().set(t.epoch, handle);
        handle
    })
}

/// The handle of `r` in the current scope (given one if it has none).
pub(crate) fn extern_handle(r: &ExternRef) -> u64 {
    TABLE.with(|t| {
        let mut t = t.borrow_mut();
        debug_assert!(t.active > 0, "a handle made outside a Scope");
        if let Some(handle) = r.0.handle.get(t.epoch) {
            return handle;
        }
        t.externs.push(r.clone());
        let handle = t.externs.len() as u64;
        r.0.handle.set(t.epoch, handle);
        handle
    })
}

/// The function `handle` names; `None` for null (and for a handle this scope never gave,
/// which validated code cannot make).
pub(crate) fn func_of(handle: u64) -> Option<FuncRef> {
    let index = usize::try_from(handle.checked_sub(1)?).ok()?;
    TABLE.with(|t| t.borrow().funcs.get(index).cloned())
}

/// The extern object `handle` names; `None` for null.
pub(crate) fn extern_of(handle: u64) -> Option<ExternRef> {
    let index = usize::try_from(handle.checked_sub(1)?).ok()?;
    TABLE.with(|t| t.borrow().externs.get(index).cloned())
}

/// The cell form of `value` (a handle for a reference).
pub(crate) fn to_cell(value: &Value) -> u64 {
    match value {
        Value::FuncRef(f) => f.as_ref().map_or(0, func_handle),
        Value::ExternRef(r) => r.as_ref().map_or(0, extern_handle),
        number => number.number().map_or(0, RuntimeValue::to_bits),
    }
}

/// The value of type `ty` in `cell` (inverse of [`to_cell`]).
pub(crate) fn from_cell(ty: ValType, cell: u64) -> Value {
    match ty {
        ValType::Ref(RefType::FuncRef) => Value::FuncRef(func_of(cell)),
        ValType::Ref(RefType::ExternRef) => Value::ExternRef(extern_of(cell)),
        number => number
            .number()
            .map_or(Value::I32(0), |n| RuntimeValue::from_bits(n, cell).into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn handles_are_stable_within_a_scope_and_released_after_it() {
        let object = ExternRef::new(7u32);
        let weak = Rc::downgrade(&object.0);
        {
            let _scope = Scope::enter();
            let a = extern_handle(&object);
            assert_eq!(extern_handle(&object), a);
            assert_ne!(a, 0);
            let back = extern_of(a).unwrap();
            assert_eq!(back.downcast_ref::<u32>(), Some(&7));
            assert!(extern_of(a + 1).is_none());
            assert!(extern_of(0).is_none());
        }
        drop(object);
        assert!(weak.upgrade().is_none(), "the table released the object");
        let other = ExternRef::new(());
        let _scope = Scope::enter();
        assert_eq!(extern_handle(&other), 1, "a new scope starts afresh");
    }

    #[test]
    fn values_compare_numbers_by_bits_and_references_by_identity() {
        let a = ExternRef::new(1);
        let b = ExternRef::new(1);
        assert_eq!(Value::from(a.clone()), Value::from(a.clone()));
        assert_ne!(Value::from(a), Value::from(b));
        assert_eq!(Value::ExternRef(None), Value::null(RefType::ExternRef));
        assert_ne!(Value::FuncRef(None), Value::ExternRef(None));
        assert_eq!(Value::I32(3), Value::from(RuntimeValue::I32(3)));
        assert_ne!(Value::I32(3), Value::I64(3));
    }
}
