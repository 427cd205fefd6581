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
        ///
        /// It converts from and into the native float and the raw bits (`From`), and
        /// computes and compares with anything that converts into it: another wrapper, a
        /// native float, or raw bits.
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
            #[must_use]
            #[inline]
            pub fn abs(self) -> Self {
                Self(self.0 & !(1 << (<$bits>::BITS - 1)))
            }

            /// Copies the sign bit of `other`, keeping this value's other bits.
            #[must_use]
            #[inline]
            pub fn copysign(self, other: Self) -> Self {
                let sign = 1 << (<$bits>::BITS - 1);
                Self((self.0 & !sign) | (other.0 & sign))
            }

            /// The fractional part, with the sign of `self` (the native float's `fract`).
            #[must_use]
            #[inline]
            pub fn fract(self) -> Self {
                // `x - x.trunc()` without `std`: the remainder by 1 is that for every
                // non-integral `x`, and an integral one gives +0 (NaN for infinities).
                let rest = self.to_float() % 1.0;
                Self::from_float(if rest == 0.0 { 0.0 } else { rest })
            }

            /// The smaller of the two; if one is NaN, the other (the native float's `min`).
            #[must_use]
            #[inline]
            pub fn min(self, other: Self) -> Self {
                Self::from_float(self.to_float().min(other.to_float()))
            }

            /// The larger of the two; if one is NaN, the other (the native float's `max`).
            #[must_use]
            #[inline]
            pub fn max(self, other: Self) -> Self {
                Self::from_float(self.to_float().max(other.to_float()))
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

        /// The value whose raw bits these are.
        impl From<$bits> for $name {
            #[inline]
            fn from(bits: $bits) -> Self {
                Self::from_bits(bits)
            }
        }

        /// The raw bits of the value.
        impl From<$name> for $bits {
            #[inline]
            fn from(value: $name) -> $bits {
                value.to_bits()
            }
        }

        impl Neg for $name {
            type Output = Self;
            /// Flips the sign bit, keeping NaN payloads.
            #[inline]
            fn neg(self) -> Self {
                Self(self.0 ^ (1 << (<$bits>::BITS - 1)))
            }
        }

        float_wrapper!(@binop $name, Add, add, +);
        float_wrapper!(@binop $name, Sub, sub, -);
        float_wrapper!(@binop $name, Mul, mul, *);
        float_wrapper!(@binop $name, Div, div, /);
        float_wrapper!(@binop $name, Rem, rem, %);

        /// Compares as native floats: NaN equals nothing, `-0` equals `0`.
        impl<T: Into<$name> + Copy> PartialEq<T> for $name {
            #[inline]
            fn eq(&self, other: &T) -> bool {
                self.to_float() == (*other).into().to_float()
            }
        }

        /// Orders as native floats: NaN is unordered.
        impl<T: Into<$name> + Copy> PartialOrd<T> for $name {
            #[inline]
            fn partial_cmp(&self, other: &T) -> Option<Ordering> {
                self.to_float().partial_cmp(&(*other).into().to_float())
            }
        }

        /// The native float's `Debug` (a NaN prints as `NaN`, whatever its payload).
        impl core::fmt::Debug for $name {
            fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                core::fmt::Debug::fmt(&self.to_float(), f)
            }
        }

        /// The native float's `Display`.
        impl core::fmt::Display for $name {
            fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                core::fmt::Display::fmt(&self.to_float(), f)
            }
        }
    };
    (@binop $name:ident, $trait:ident, $method:ident, $op:tt) => {
        /// Computes on the native floats (the result's NaN, if any, is the platform's).
        impl<T: Into<$name>> $trait<T> for $name {
            type Output = Self;
            #[inline]
            fn $method(self, other: T) -> Self {
                Self::from_float(self.to_float() $op other.into().to_float())
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
    use crate::prelude::*;

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
        assert_eq!((F32::from(1.0f32) + 0x3f80_0000u32).to_float(), 2.0);
        assert_eq!((F64::from(7.0f64) % 4.0f64).to_float(), 3.0);
        assert_eq!(F32::from(-1.5f32).fract().to_float(), -0.5);
        assert_eq!(F64::from(f64::NAN).max(F64::from(1.0)).to_float(), 1.0);
    }

    #[test]
    fn comparisons_take_floats_and_bits_and_debug_is_the_floats() {
        assert!(F32::from(1.0f32) == 1.0f32);
        assert!(F32::from(1.0f32) == 0x3f80_0000u32);
        assert!(F64::from(1.0f64) < 2.0f64);
        assert_eq!(F64::from(f64::NAN).partial_cmp(&F64::from(1.0)), None);
        assert_eq!(u32::from(F32::from(-0.0f32)), 0x8000_0000);
        assert_eq!(format!("{:?}", F32::from_bits(0x7fa0_0001)), "NaN");
        assert_eq!(format!("{:?}", F64::from(2.0)), "2.0");
        assert_eq!(F64::from(2.0).to_string(), "2");
    }
}
