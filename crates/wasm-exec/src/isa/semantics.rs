//! The numeric operations whose Wasm semantics differ from Rust's operators (spec
//! 4.3, "Numerics"), for the instruction list's bodies.

use wasm_core::TrapCode;

/// Defines each rounding and root operation as `std`'s method of that name, or without
/// `std` (whose float methods call the platform's math library, which `core` lacks) as
/// `libm`'s function. Both give the exact result IEEE 754 defines, as Wasm requires; a
/// test checks that they agree.
macro_rules! float_math {
    ($($name:ident($ty:ty) = $method:ident | $libm:ident;)*) => {$(
        #[inline(always)]
        pub(crate) fn $name(a: $ty) -> $ty {
            #[cfg(feature = "std")]
            return a.$method();
            #[cfg(not(feature = "std"))]
            libm::$libm(a)
        }
    )*};
}

float_math! {
    ceil32(f32) = ceil | ceilf;
    floor32(f32) = floor | floorf;
    trunc32(f32) = trunc | truncf;
    nearest32(f32) = round_ties_even | rintf;
    sqrt32(f32) = sqrt | sqrtf;
    ceil64(f64) = ceil | ceil;
    floor64(f64) = floor | floor;
    trunc64(f64) = trunc | trunc;
    nearest64(f64) = round_ties_even | rint;
    sqrt64(f64) = sqrt | sqrt;
}

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
    let t = trunc64(a);
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
    let t = trunc64(a);
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

    /// The `libm` functions the build without `std` uses give `std`'s results, bit for
    /// bit (NaNs compare as NaNs: Wasm quiets them after rounding).
    #[test]
    #[cfg_attr(miri, ignore = "libm's square roots are inline assembly on x86_64")]
    fn libm_rounds_as_std_does() {
        let same32 = |a: f32, b: f32| (a.is_nan() && b.is_nan()) || a.to_bits() == b.to_bits();
        let same64 = |a: f64, b: f64| (a.is_nan() && b.is_nan()) || a.to_bits() == b.to_bits();
        let edges = [
            0.0,
            -0.0,
            0.5,
            -0.5,
            1.5,
            2.5,
            -2.5,
            0.49999997,
            1.0e-40,
            -1.0e-310,
            3.0,
            1.0e300,
            8388609.5,
            4503599627370497.0,
            f64::MAX,
            f64::MIN_POSITIVE,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::NAN,
            2.0,
            1.0e-7,
        ];
        for x in edges {
            let y = x as f32;
            assert!(same32(y.ceil(), libm::ceilf(y)), "ceil {y}");
            assert!(same32(y.floor(), libm::floorf(y)), "floor {y}");
            assert!(same32(y.trunc(), libm::truncf(y)), "trunc {y}");
            assert!(same32(y.round_ties_even(), libm::rintf(y)), "nearest {y}");
            assert!(same32(y.sqrt(), libm::sqrtf(y)), "sqrt {y}");
            assert!(same64(x.ceil(), libm::ceil(x)), "ceil {x}");
            assert!(same64(x.floor(), libm::floor(x)), "floor {x}");
            assert!(same64(x.trunc(), libm::trunc(x)), "trunc {x}");
            assert!(same64(x.round_ties_even(), libm::rint(x)), "nearest {x}");
            assert!(same64(x.sqrt(), libm::sqrt(x)), "sqrt {x}");
        }
    }
}
