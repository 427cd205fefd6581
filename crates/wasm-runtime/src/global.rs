//! Global instances (spec 4.2.9).

use crate::Error;
use core::cell::Cell;
use core::ops::Deref;
use std::rc::Rc;
use wasm_core::{RuntimeValue, ValueType};

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
/// The value is kept as its bits (see [`RuntimeValue::to_bits`]), the form the engine
/// reads and writes.
pub struct GlobalInstance {
    bits: Cell<u64>,
    value_type: ValueType,
    mutable: bool,
}

/// The seed's form: `GlobalInstance { val: Cell { value: I32(1) }, mutable: false }`.
impl core::fmt::Debug for GlobalInstance {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("GlobalInstance")
            .field("val", &Cell::new(self.get()))
            .field("mutable", &self.mutable)
            .finish()
    }
}

impl GlobalInstance {
    /// Allocates a global holding `value`.
    pub fn alloc(value: RuntimeValue, mutable: bool) -> GlobalRef {
        GlobalRef(Rc::new(GlobalInstance {
            bits: Cell::new(value.to_bits()),
            value_type: value.value_type(),
            mutable,
        }))
    }

    /// The current value.
    pub fn get(&self) -> RuntimeValue {
        RuntimeValue::from_bits(self.value_type, self.bits.get())
    }

    /// The bits of the current value (the engine's `global.get`, through
    /// [`engine::global_bits`](crate::engine::global_bits)).
    #[inline]
    pub(crate) fn bits(&self) -> u64 {
        self.bits.get()
    }

    /// Sets the value; refuses immutable globals and values of another type.
    pub fn set(&self, value: RuntimeValue) -> Result<(), Error> {
        if !self.mutable {
            return Err(Error::Global("global is immutable".to_string()));
        }
        if value.value_type() != self.value_type() {
            return Err(Error::Global(format!(
                "type mismatch: global of type {} cannot hold a {}",
                self.value_type(),
                value.value_type()
            )));
        }
        self.bits.set(value.to_bits());
        Ok(())
    }

    /// Sets the value's bits without checks: the engine's `global.set`, whose type and
    /// mutability the validator has already checked (through
    /// [`engine::set_global_bits`](crate::engine::set_global_bits)).
    #[inline]
    pub(crate) fn set_bits(&self, bits: u64) {
        self.bits.set(bits);
    }

    /// Whether the global is mutable.
    pub fn is_mutable(&self) -> bool {
        self.mutable
    }

    /// The type of the value.
    pub fn value_type(&self) -> ValueType {
        self.value_type
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
