//! Typed units for memory sizes: [`Pages`] of 64 KiB and [`Bytes`].

use core::ops::{Add, Sub};

/// A number of bytes.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Bytes(pub usize);

/// A number of 64 KiB WebAssembly pages.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Pages(pub usize);

/// Types with a fixed size in bytes.
pub trait ByteSize {
    /// The size of one unit in bytes.
    const BYTE_SIZE: Bytes;
}

impl ByteSize for Pages {
    const BYTE_SIZE: Bytes = Bytes(65536);
}

/// Conversion to a coarser unit, rounding up.
pub trait RoundUpTo<T> {
    /// Converts `self` to `T`, rounding up to the next whole unit.
    fn round_up_to(&self) -> T;
}

impl RoundUpTo<Pages> for Bytes {
    fn round_up_to(&self) -> Pages {
        Pages(self.0.div_ceil(Pages::BYTE_SIZE.0))
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

macro_rules! unit_arith {
    ($($unit:ident),*) => {$(
        impl Add for $unit {
            type Output = $unit;
            fn add(self, other: $unit) -> $unit {
                $unit(self.0 + other.0)
            }
        }
        impl Sub for $unit {
            type Output = $unit;
            fn sub(self, other: $unit) -> $unit {
                $unit(self.0 - other.0)
            }
        }
    )*};
}
unit_arith!(Bytes, Pages);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rounding_and_conversion() {
        assert_eq!(Bytes(1).round_up_to(), Pages(1));
        assert_eq!(Bytes(65536).round_up_to(), Pages(1));
        assert_eq!(Bytes(65537).round_up_to(), Pages(2));
        assert_eq!(Bytes::from(Pages(2)), Bytes(131072));
        assert_eq!(size_of::<u64>(), Bytes(8));
    }
}
