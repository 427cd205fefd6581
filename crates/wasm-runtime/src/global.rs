//! Global instances (spec 4.2.9).

use crate::Error;
use crate::prelude::*;
use crate::refs::{RefTable, Value};
use alloc::rc::Rc;
use alloc::sync::Arc;
use core::cell::{Cell, RefCell};
use core::ops::Deref;
use wasm_core::{GlobalType, RuntimeValue, Signature, ValType, ValueType};

/// A shared handle to a [`GlobalInstance`].
#[derive(Clone, Debug)]
pub struct GlobalRef(Rc<GlobalInstance>);

impl Deref for GlobalRef {
    type Target = GlobalInstance;
    fn deref(&self) -> &GlobalInstance {
        &self.0
    }
}

impl GlobalRef {
    /// Whether two handles name the same global.
    pub fn ptr_eq(&self, other: &GlobalRef) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

/// A global variable: a value of a fixed type, mutable or not.
///
/// A number is kept as its bits (see [`RuntimeValue::to_bits`]), the form the engine
/// reads and writes; a reference as the [`Value`] that owns it.
pub struct GlobalInstance {
    bits: Cell<u64>,
    reference: RefCell<Option<Value>>,
    value_type: ValType,
    mutable: bool,
    /// The function type a concrete reference type names (typed function references),
    /// which import matching compares.
    sig: Option<Arc<Signature>>,
}

/// The seed's form: `GlobalInstance { val: Cell { value: I32(1) }, mutable: false }`.
impl core::fmt::Debug for GlobalInstance {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let mut debug = f.debug_struct("GlobalInstance");
        match self.value_type.number() {
            Some(_) => debug.field("val", &Cell::new(self.get())),
            None => debug.field("val", &self.get_value()),
        };
        debug.field("mutable", &self.mutable).finish()
    }
}

impl GlobalInstance {
    /// Allocates a global holding `value`.
    pub fn alloc(value: RuntimeValue, mutable: bool) -> GlobalRef {
        Self::alloc_value(value.into(), mutable)
    }

    /// Allocates a global holding `value`, of any type (references included).
    pub fn alloc_value(value: Value, mutable: bool) -> GlobalRef {
        let ty = GlobalType {
            content: value.ty(),
            mutable,
        };
        Self::alloc_typed(value, &ty, None)
    }

    /// Allocates a global of type `ty` (a module's declared type, which may be a
    /// reference type of the module's own: `sig` is then the function type it names)
    /// holding `value`.
    pub(crate) fn alloc_typed(
        value: Value,
        ty: &GlobalType,
        sig: Option<Arc<Signature>>,
    ) -> GlobalRef {
        let (bits, reference) = match value.number() {
            Some(number) => (number.to_bits(), None),
            None => (0, Some(value)),
        };
        GlobalRef(Rc::new(GlobalInstance {
            bits: Cell::new(bits),
            reference: RefCell::new(reference),
            value_type: ty.content,
            mutable: ty.mutable,
            sig,
        }))
    }

    /// Whether this global satisfies an import of type `ty` (`types` is the type section
    /// of the importing module): the same mutability, and for a mutable global the same
    /// value type, for an immutable one a subtype (spec 4.5.2 "Globals").
    pub(crate) fn matches(&self, ty: &GlobalType, types: &[Arc<Signature>]) -> bool {
        let own = |_| self.sig.as_deref();
        let theirs = |index: u32| types.get(index as usize).map(|sig| &**sig);
        self.mutable == ty.mutable
            && wasm_core::val_type_matches(self.value_type, own, ty.content, theirs)
            && (!self.mutable
                || wasm_core::val_type_matches(ty.content, theirs, self.value_type, own))
    }

    /// The current value. A global of reference type has no seed form: it reads as
    /// `I32(0)` here; [`get_value`](Self::get_value) gives it.
    pub fn get(&self) -> RuntimeValue {
        match self.value_type.number() {
            Some(ty) => RuntimeValue::from_bits(ty, self.bits.get()),
            None => RuntimeValue::I32(0),
        }
    }

    /// The current value, of any type.
    pub fn get_value(&self) -> Value {
        match self.value_type.number() {
            Some(ty) => RuntimeValue::from_bits(ty, self.bits.get()).into(),
            None => self
                .reference
                .borrow()
                .clone()
                .unwrap_or_else(|| Value::default_of(self.value_type)),
        }
    }

    /// The bits of the current value (the engine's `global.get` of a number, through
    /// [`engine::global_bits`](crate::engine::global_bits)).
    #[inline]
    pub(crate) fn bits(&self) -> u64 {
        self.bits.get()
    }

    /// Sets the value; refuses immutable globals and values of another type.
    pub fn set(&self, value: RuntimeValue) -> Result<(), Error> {
        self.set_value(value.into())
    }

    /// Sets the value, of any type; refuses immutable globals and values of another type.
    pub fn set_value(&self, value: Value) -> Result<(), Error> {
        if !self.mutable {
            return Err(Error::Global("global is immutable".to_string()));
        }
        if !value.fits(self.value_type) {
            return Err(Error::Global(format!(
                "type mismatch: global of type {} cannot hold a {}",
                self.value_type,
                value.ty()
            )));
        }
        self.store(value);
        Ok(())
    }

    /// Sets the value without checks (of the global's type).
    pub(crate) fn store(&self, value: Value) {
        match value.number() {
            Some(number) => self.bits.set(number.to_bits()),
            None => {
                let old = self.reference.replace(Some(value));
                drop(old);
            }
        }
    }

    /// Sets the value's bits without checks: the engine's `global.set` of a number, whose
    /// type and mutability the validator has already checked (through
    /// [`engine::set_global_bits`](crate::engine::set_global_bits)).
    #[inline]
    pub(crate) fn set_bits(&self, bits: u64) {
        self.bits.set(bits);
    }

    /// The value in its cell form (a handle for a reference): `global.get` of any type.
    pub(crate) fn cell(&self, refs: &mut RefTable) -> u64 {
        match self.value_type.number() {
            Some(_) => self.bits.get(),
            None => refs.cell_of(&self.get_value()),
        }
    }

    /// Sets the value from its cell form without checks (`global.set` of any type).
    pub(crate) fn set_cell(&self, refs: &RefTable, cell: u64) {
        self.store(refs.value_of(self.value_type, cell));
    }

    /// Whether the global is mutable.
    pub fn is_mutable(&self) -> bool {
        self.mutable
    }

    /// The type of the value (the seed's view: a global of reference type reports
    /// `I32`; see [`val_type`](Self::val_type)).
    pub fn value_type(&self) -> ValueType {
        self.value_type.number().unwrap_or(ValueType::I32)
    }

    /// The type of the value, references included.
    pub fn val_type(&self) -> ValType {
        self.value_type
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ExternRef;

    #[test]
    fn set_refuses_immutable_and_mistyped() {
        let g = GlobalInstance::alloc(RuntimeValue::I32(1), true);
        g.set(RuntimeValue::I32(5)).unwrap();
        assert_eq!(g.get(), RuntimeValue::I32(5));
        assert!(g.set(RuntimeValue::I64(5)).is_err());
        let c = GlobalInstance::alloc(RuntimeValue::F32(1.0.into()), false);
        assert!(c.set(RuntimeValue::F32(2.0.into())).is_err());
        assert_eq!(
            format!("{:?}", *c),
            "GlobalInstance { val: Cell { value: F32(1.0) }, mutable: false }"
        );
    }

    #[test]
    fn reference_globals_hold_their_objects() {
        let g = GlobalInstance::alloc_value(Value::ExternRef(None), true);
        assert_eq!(g.val_type(), ValType::EXTERNREF);
        let object = ExternRef::new("host");
        g.set_value(object.clone().into()).unwrap();
        assert_eq!(g.get_value(), Value::from(object));
        assert!(g.set_value(Value::FuncRef(None)).is_err());
        assert!(g.set(RuntimeValue::I32(0)).is_err());
    }
}
