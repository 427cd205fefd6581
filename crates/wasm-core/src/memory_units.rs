//! Typed units for memory sizes: [`Bytes`], 4-byte [`Words`] and 64 KiB WebAssembly
//! [`Pages`], with the conversions and arithmetic of the seed API's `memory_units` (0.4,
//! its `wasm32` units).

use core::ops::{Add, Div, Mul, Sub};

/// A number of bytes.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Bytes(pub usize);

/// A number of 32-bit words (4 bytes each).
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Words(pub usize);

/// A number of 64 KiB WebAssembly pages.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Pages(pub usize);

/// Units with a fixed size in bytes.
pub trait ByteSize {
    /// The size of one unit in bytes.
    const BYTE_SIZE: Bytes;
}

impl ByteSize for Bytes {
    const BYTE_SIZE: Bytes = Bytes(1);
}

impl ByteSize for Words {
    const BYTE_SIZE: Bytes = Bytes(4);
}

impl ByteSize for Pages {
    const BYTE_SIZE: Bytes = Bytes(65536);
}

/// Conversion to a unit, rounding up to a whole number of it.
///
/// Anything that converts into [`Bytes`] rounds up to [`Bytes`], [`Words`] and [`Pages`];
/// a program may add conversions of its own units.
pub trait RoundUpTo<T> {
    /// The fewest `T` that hold as much space as `self`.
    fn round_up_to(self) -> T;
}

/// Declares, for each unit, the conversion into [`Bytes`] (saturating at `usize::MAX`, a
/// size no memory has), rounding up to it, and arithmetic with anything that converts
/// into it (`Bytes(1) + Pages(1)` is `Bytes(65537)`).
macro_rules! units {
    ($($unit:ident),*) => {$(
        impl<T: Into<Bytes>> RoundUpTo<$unit> for T {
            fn round_up_to(self) -> $unit {
                $unit(self.into().0.div_ceil(<$unit as ByteSize>::BYTE_SIZE.0))
            }
        }

        impl<T: Into<$unit>> Add<T> for $unit {
            type Output = $unit;
            fn add(self, other: T) -> $unit {
                $unit(self.0 + other.into().0)
            }
        }

        impl<T: Into<$unit>> Sub<T> for $unit {
            type Output = $unit;
            fn sub(self, other: T) -> $unit {
                $unit(self.0 - other.into().0)
            }
        }

        impl<T: Into<$unit>> Mul<T> for $unit {
            type Output = $unit;
            fn mul(self, other: T) -> $unit {
                $unit(self.0 * other.into().0)
            }
        }

        impl<T: Into<$unit>> Div<T> for $unit {
            type Output = $unit;
            fn div(self, other: T) -> $unit {
                $unit(self.0 / other.into().0)
            }
        }
    )*};
}
units!(Bytes, Words, Pages);

impl From<Words> for Bytes {
    fn from(words: Words) -> Bytes {
        Bytes(words.0.saturating_mul(Words::BYTE_SIZE.0))
    }
}

impl From<Pages> for Bytes {
    fn from(pages: Pages) -> Bytes {
        Bytes(pages.0.saturating_mul(Pages::BYTE_SIZE.0))
    }
}

/// The size of `T` in [`Bytes`].
pub fn size_of<T>() -> Bytes {
    Bytes(core::mem::size_of::<T>())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rounding_and_conversion() {
        let pages: Pages = Bytes(1).round_up_to();
        assert_eq!(pages, Pages(1));
        let pages: Pages = Bytes(65536).round_up_to();
        assert_eq!(pages, Pages(1));
        let pages: Pages = Bytes(65537).round_up_to();
        assert_eq!(pages, Pages(2));
        let pages: Pages = Bytes(usize::MAX).round_up_to();
        assert_eq!(pages, Pages(usize::MAX / 65536 + 1));
        let words: Words = Pages(1).round_up_to();
        assert_eq!(words, Words(16384));
        let bytes: Bytes = Words(3).round_up_to();
        assert_eq!(bytes, Bytes(12));
        assert_eq!(Bytes::from(Pages(2)), Bytes(131072));
        assert_eq!(Bytes::from(Pages(usize::MAX)), Bytes(usize::MAX));
        assert_eq!(size_of::<u64>(), Bytes(8));
        assert_eq!(Words::BYTE_SIZE, Bytes(4));
        assert_eq!(Bytes::BYTE_SIZE, Bytes(1));
    }

    #[test]
    fn arithmetic_takes_anything_that_converts_into_the_unit() {
        assert_eq!(Pages(2) * Pages(3), Pages(6));
        assert_eq!(Pages(7) / Pages(2), Pages(3));
        assert_eq!(Bytes(1) + Pages(1), Bytes(65537));
        assert_eq!(Bytes(8) - Words(1), Bytes(4));
        assert_eq!(Bytes(3) * Words(2), Bytes(24));
        assert_eq!(Bytes(131072) / Pages(1), Bytes(2));
    }
}
