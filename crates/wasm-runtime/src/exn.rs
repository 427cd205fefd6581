//! Exception handling (Wasm 3.0) at the host boundary: [`WasmException`], an exception
//! on its way to or from the host, and its [`ExceptionValue`]s. (The tags exceptions are
//! thrown with, [`TagRef`], and an exception inside Wasm code, [`Exception`], are
//! reference values: `refs.rs`.)
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
use crate::refs::{Exception, TagRef, Value};
use core::fmt;
use wasm_core::{F32, F64, HostError, RefType, RuntimeValue, V128, ValType};

impl Exception {
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
                ty: reference.ty().reference().unwrap_or(RefType::EXTERNREF),
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

    /// Whether the value may be passed where type `ty` is expected (see
    /// [`Value::fits`]).
    pub fn fits(&self, ty: ValType) -> bool {
        let null = matches!(self, ExceptionValue::Ref { null: true, .. });
        crate::refs::value_fits(ty, self.ty(), null)
    }

    /// The type of the value.
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
            && types.iter().zip(&values).all(|(ty, value)| value.fits(*ty));
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
