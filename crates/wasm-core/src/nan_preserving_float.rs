//! Floating point numbers kept as raw bits, so NaN payloads survive every copy.
//!
//! Wasm requires that `f32.load`/`f32.store`, `local.get`, `select` and friends move
//! float bits untouched. Rust's `f32` may quietly canonicalise signalling NaNs on some
//! platforms when moved through FPU registers, so values are carried as `u32`/`u64` bits and
//! only turned into native floats for arithmetic.

use core::cmp::Ordering;
use core::ops::{Add, Div, Mul, Neg, Rem, Sub};

macro_rules! float_wrapper {
    ($name:ident, $float:ty, $bits:ty, $doc:literal) => {
        #[doc = $doc]
        #[derive(Copy, Clone, Default)]
        #[repr(transparent)]
        pub struct $name($bits);

        impl $name {
            /// Creates the value from its raw bits.
            #[inline]
            pub const fn from_bits(bits: $bits) -> Self {
                Self(bits)
            }

            /// Returns the raw bits.
            #[inline]
            pub const fn to_bits(self) -> $bits {
                self.0
            }

            /// Creates the value from a native float.
            #[inline]
            pub fn from_float(float: $float) -> Self {
                Self(float.to_bits())
            }

            /// Returns the value as a native float.
            #[inline]
            pub fn to_float(self) -> $float {
                <$float>::from_bits(self.0)
            }

            /// Whether this is a NaN (of any payload).
            #[inline]
            pub fn is_nan(self) -> bool {
                self.to_float().is_nan()
            }

            /// Absolute value: clears the sign bit, keeping NaN payloads.
            #[inline]
            pub fn abs(self) -> Self {
                Self(self.0 & !(1 << (<$bits>::BITS - 1)))
            }

            /// Copies the sign bit of `other`, keeping this value's other bits.
            #[inline]
            pub fn copysign(self, other: Self) -> Self {
                let sign = 1 << (<$bits>::BITS - 1);
                Self((self.0 & !sign) | (other.0 & sign))
            }
        }

        impl From<$float> for $name {
            #[inline]
            fn from(float: $float) -> Self {
                Self::from_float(float)
            }
        }

        impl From<$name> for $float {
            #[inline]
            fn from(value: $name) -> $float {
                value.to_float()
            }
        }

        impl Neg for $name {
            type Output = Self;
            #[inline]
            fn neg(self) -> Self {
                Self(self.0 ^ (1 << (<$bits>::BITS - 1)))
            }
        }

        float_wrapper!(@binop $name, $float, Add, add, +);
        float_wrapper!(@binop $name, $float, Sub, sub, -);
        float_wrapper!(@binop $name, $float, Mul, mul, *);
        float_wrapper!(@binop $name, $float, Div, div, /);
        float_wrapper!(@binop $name, $float, Rem, rem, %);

        impl PartialEq for $name {
            #[inline]
            fn eq(&self, other: &Self) -> bool {
                self.to_float() == other.to_float()
            }
        }

        impl PartialOrd for $name {
            #[inline]
            fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
                self.to_float().partial_cmp(&other.to_float())
            }
        }

        impl core::fmt::Debug for $name {
            fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                if self.is_nan() {
                    write!(f, "nan:{:#x}", self.0)
                } else {
                    core::fmt::Debug::fmt(&self.to_float(), f)
                }
            }
        }

        impl core::fmt::Display for $name {
            fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                core::fmt::Debug::fmt(self, f)
            }
        }
    };
    (@binop $name:ident, $float:ty, $trait:ident, $method:ident, $op:tt) => {
        impl $trait for $name {
            type Output = Self;
            #[inline]
            fn $method(self, other: Self) -> Self {
                Self::from_float(self.to_float() $op other.to_float())
            }
        }
        impl $trait<$float> for $name {
            type Output = Self;
            #[inline]
            fn $method(self, other: $float) -> Self {
                Self::from_float(self.to_float() $op other)
            }
        }
    };
}

float_wrapper!(
    F32,
    f32,
    u32,
    "A 32-bit float that preserves its bits, NaN payloads included."
);
float_wrapper!(
    F64,
    f64,
    u64,
    "A 64-bit float that preserves its bits, NaN payloads included."
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nan_payload_survives_round_trip_and_neg_abs() {
        let signalling = 0x7fa0_0001u32;
        let v = F32::from_bits(signalling);
        assert_eq!(v.to_bits(), signalling);
        assert_eq!((-v).to_bits(), signalling | 0x8000_0000);
        assert_eq!((-v).abs().to_bits(), signalling);
        assert!(v != v, "NaN compares unequal like a native float");
    }

    #[test]
    fn arithmetic_matches_native() {
        assert_eq!((F64::from(1.5) + F64::from(2.25)).to_float(), 3.75);
        assert_eq!(F32::from(-0.0).copysign(F32::from(1.0)).to_bits(), 0);
    }
}
