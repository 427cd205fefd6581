//! Exception handling (Wasm 3.0): [`TagRef`], the tags exceptions are thrown with;
//! [`Exception`], an exception inside Wasm code (what an `exnref` names); and
//! [`WasmException`], an exception on its way to or from the host.
//!
//! # Crossing to the host
//!
//! An exception that no handler of an execution catches ends the execution with a
//! [`Trap::Host`](wasm_core::Trap::Host) carrying a [`WasmException`]: its tag and values.
//! A host function throws one the same way, by returning that trap, and the Wasm code
//! around the call catches it like any other. A trap's error is `Send + Sync` (the seed
//! API's [`HostError`]), and Wasm references are not: an exception's numbers and vectors
//! cross to the host as they are, a reference only as whether it is null
//! ([`ExceptionValue::Ref`]). Inside Wasm code, between a `throw` and its `catch` (in the
//! same execution), nothing is lost.

use crate::prelude::*;
use crate::refs::{HandleCache, Value};
use alloc::rc::Rc;
use alloc::sync::Arc;
use core::fmt;
use wasm_core::{F32, F64, HostError, RefType, RuntimeValue, Signature, V128, ValType};

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

    /// The exception as the host sees it.
    pub fn to_host(&self) -> WasmException {
        WasmException {
            tag: self.tag().clone(),
            values: self.values().iter().map(ExceptionValue::of).collect(),
        }
    }

    /// The exception `thrown` a host function threw, for Wasm code to catch (null
    /// references where it had references).
    pub fn from_host(thrown: &WasmException) -> Exception {
        let values = thrown
            .values
            .iter()
            .copied()
            .map(ExceptionValue::to_value)
            .collect();
        Exception::new(thrown.tag.clone(), values)
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

/// A value of a [`WasmException`]: a number or a vector as it is, a reference as
/// whether it is null (see the module documentation).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum ExceptionValue {
    /// A 32-bit integer.
    I32(i32),
    /// A 64-bit integer.
    I64(i64),
    /// A 32-bit float, bit-exact.
    F32(F32),
    /// A 64-bit float, bit-exact.
    F64(F64),
    /// A 128-bit vector.
    V128(V128),
    /// A reference of type `ty`, which is null or not. A host function that throws can
    /// give only null references (one that is not null arrives as null).
    Ref {
        /// The reference's type.
        ty: RefType,
        /// Whether it is null.
        null: bool,
    },
}

impl ExceptionValue {
    fn of(value: &Value) -> ExceptionValue {
        match *value {
            Value::I32(v) => ExceptionValue::I32(v),
            Value::I64(v) => ExceptionValue::I64(v),
            Value::F32(v) => ExceptionValue::F32(v),
            Value::F64(v) => ExceptionValue::F64(v),
            Value::V128(v) => ExceptionValue::V128(v),
            ref reference => ExceptionValue::Ref {
                ty: reference.ty().reference().unwrap_or(RefType::ExternRef),
                null: reference.is_null(),
            },
        }
    }

    fn to_value(self) -> Value {
        match self {
            ExceptionValue::I32(v) => Value::I32(v),
            ExceptionValue::I64(v) => Value::I64(v),
            ExceptionValue::F32(v) => Value::F32(v),
            ExceptionValue::F64(v) => Value::F64(v),
            ExceptionValue::V128(v) => Value::V128(v),
            ExceptionValue::Ref { ty, .. } => Value::null(ty),
        }
    }

    /// The value's type.
    pub fn ty(&self) -> ValType {
        match *self {
            ExceptionValue::Ref { ty, .. } => ValType::Ref(ty),
            ExceptionValue::V128(_) => ValType::V128,
            other => other
                .number()
                .map_or(ValType::I32, |n| n.value_type().into()),
        }
    }

    /// The number, if the value is one.
    pub fn number(&self) -> Option<RuntimeValue> {
        match *self {
            ExceptionValue::I32(v) => Some(RuntimeValue::I32(v)),
            ExceptionValue::I64(v) => Some(RuntimeValue::I64(v)),
            ExceptionValue::F32(v) => Some(RuntimeValue::F32(v)),
            ExceptionValue::F64(v) => Some(RuntimeValue::F64(v)),
            ExceptionValue::V128(_) | ExceptionValue::Ref { .. } => None,
        }
    }
}

impl From<RuntimeValue> for ExceptionValue {
    fn from(value: RuntimeValue) -> Self {
        ExceptionValue::of(&value.into())
    }
}

/// A Wasm exception outside Wasm code: the error of a trap that ended an execution
/// because nothing caught the exception, or that a host function returns to throw one.
///
/// ```
/// # use wasm_runtime::{ExceptionValue, TagRef, WasmException};
/// # use wasm_core::{RuntimeValue, Signature, Trap, ValueType};
/// let tag = TagRef::new(Signature::new(&[ValueType::I32][..], None));
/// let thrown = WasmException::new(&tag, vec![RuntimeValue::I32(7).into()]).unwrap();
/// let trap = Trap::host(thrown);
/// let caught = trap.as_host().unwrap().downcast_ref::<WasmException>().unwrap();
/// assert!(caught.tag().ptr_eq(&tag));
/// assert_eq!(caught.values(), [ExceptionValue::I32(7)]);
/// ```
#[derive(Clone, Debug)]
pub struct WasmException {
    tag: TagRef,
    values: Vec<ExceptionValue>,
}

impl WasmException {
    /// An exception of `tag` carrying `values`, which must have the tag's parameter
    /// types; `None` if they do not.
    pub fn new(tag: &TagRef, values: Vec<ExceptionValue>) -> Option<WasmException> {
        let types = tag.signature().param_types();
        let fits = types.len() == values.len()
            && types
                .iter()
                .zip(&values)
                .all(|(ty, value)| *ty == value.ty());
        fits.then(|| WasmException {
            tag: tag.clone(),
            values,
        })
    }

    /// The tag it was thrown with.
    pub fn tag(&self) -> &TagRef {
        &self.tag
    }

    /// The values it carries.
    pub fn values(&self) -> &[ExceptionValue] {
        &self.values
    }
}

impl fmt::Display for WasmException {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "uncaught Wasm exception of tag {}", self.tag.signature())?;
        if !self.values.is_empty() {
            write!(f, " with values {:?}", self.values)?;
        }
        Ok(())
    }
}

impl HostError for WasmException {}
