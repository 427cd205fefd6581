//! The numeric operations whose Wasm semantics differ from Rust's operators (spec
//! 4.3, "Numerics"), for the instruction list's bodies.

use wasm_core::TrapCode;

pub(crate) fn div_s32(a: i32, b: i32) -> Result<i32, TrapCode> {
    match (a, b) {
        (_, 0) => Err(TrapCode::DivisionByZero),
        (i32::MIN, -1) => Err(TrapCode::IntegerOverflow),
        _ => Ok(a / b),
    }
}

pub(crate) fn rem_s32(a: i32, b: i32) -> Result<i32, TrapCode> {
    match b {
        0 => Err(TrapCode::DivisionByZero),
        _ => Ok(a.wrapping_rem(b)),
    }
}

pub(crate) fn div_s64(a: i64, b: i64) -> Result<i64, TrapCode> {
    match (a, b) {
        (_, 0) => Err(TrapCode::DivisionByZero),
        (i64::MIN, -1) => Err(TrapCode::IntegerOverflow),
        _ => Ok(a / b),
    }
}

pub(crate) fn rem_s64(a: i64, b: i64) -> Result<i64, TrapCode> {
    match b {
        0 => Err(TrapCode::DivisionByZero),
        _ => Ok(a.wrapping_rem(b)),
    }
}

// Spec 4.3.3 fmin/fmax: NaN if either operand is NaN; -0 is less than +0.
macro_rules! min_max {
    ($min:ident, $max:ident, $ty:ty) => {
        pub(crate) fn $min(a: $ty, b: $ty) -> $ty {
            if a.is_nan() || b.is_nan() {
                a + b
            } else if a == b {
                <$ty>::from_bits(a.to_bits() | b.to_bits())
            } else {
                a.min(b)
            }
        }

        pub(crate) fn $max(a: $ty, b: $ty) -> $ty {
            if a.is_nan() || b.is_nan() {
                a + b
            } else if a == b {
                <$ty>::from_bits(a.to_bits() & b.to_bits())
            } else {
                a.max(b)
            }
        }
    };
}
min_max!(min32, max32, f32);
min_max!(min64, max64, f64);

/// Rounding instructions return a signalling NaN input unchanged on some hardware; the
/// spec wants an arithmetic (quiet) NaN.
#[inline(always)]
pub(crate) fn quiet32(r: f32) -> f32 {
    if r.is_nan() {
        f32::from_bits(r.to_bits() | 0x0040_0000)
    } else {
        r
    }
}

/// See [`quiet32`].
#[inline(always)]
pub(crate) fn quiet64(r: f64) -> f64 {
    if r.is_nan() {
        f64::from_bits(r.to_bits() | 0x0008_0000_0000_0000)
    } else {
        r
    }
}

/// Truncates `a` toward zero if the result lies strictly between `low` and `high`
/// (spec 4.3.3 trunc): NaN is an invalid conversion, out of range an overflow.
#[inline]
pub(crate) fn trunc(a: f64, low: f64, high: f64) -> Result<f64, TrapCode> {
    if a.is_nan() {
        return Err(TrapCode::InvalidConversionToInt);
    }
    let t = a.trunc();
    if t > low && t < high {
        Ok(t)
    } else {
        Err(TrapCode::IntegerOverflow)
    }
}

pub(crate) fn trunc_i64(a: f64) -> Result<i64, TrapCode> {
    // -2^63 is exact in f64, 2^63 is the first value out of range.
    if a.is_nan() {
        return Err(TrapCode::InvalidConversionToInt);
    }
    let t = a.trunc();
    if (-9223372036854775808.0..9223372036854775808.0).contains(&t) {
        Ok(t as i64)
    } else {
        Err(TrapCode::IntegerOverflow)
    }
}

pub(crate) fn trunc_u64(a: f64) -> Result<i64, TrapCode> {
    trunc(a, -1.0, 18446744073709551616.0).map(|t| t as u64 as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn min_max_follow_the_spec() {
        assert!(min32(f32::NAN, 1.0).is_nan());
        assert!(max64(1.0, f64::NAN).is_nan());
        assert!(min32(0.0, -0.0).is_sign_negative());
        assert!(max32(-0.0, 0.0).is_sign_positive());
        assert_eq!(min64(1.0, 2.0), 1.0);
    }

    #[test]
    fn truncation_traps_like_the_spec() {
        assert_eq!(trunc(-0.9, -1.0, 4294967296.0), Ok(-0.0));
        assert_eq!(
            trunc(4294967296.0, -1.0, 4294967296.0),
            Err(TrapCode::IntegerOverflow)
        );
        assert_eq!(trunc_i64(f64::NAN), Err(TrapCode::InvalidConversionToInt));
        assert_eq!(trunc_i64(-9223372036854775808.0), Ok(i64::MIN));
        assert_eq!(
            trunc_i64(9223372036854775808.0),
            Err(TrapCode::IntegerOverflow)
        );
        assert_eq!(div_s32(i32::MIN, -1), Err(TrapCode::IntegerOverflow));
        assert_eq!(rem_s32(i32::MIN, -1), Ok(0));
    }
}
