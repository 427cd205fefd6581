//! Helpers for the instruction handlers: cell conversions, the numeric operations whose
//! Wasm semantics differ from Rust's operators, and bounds-checked memory access.

use wasm_core::{LittleEndianConvert, TrapCode};

/// A value stored in an untyped 64-bit stack cell.
pub(crate) trait CellValue: Copy {
    fn from_cell(cell: u64) -> Self;
    fn into_cell(self) -> u64;
}

macro_rules! cell_int {
    ($($ty:ty => $unsigned:ty),*) => {$(
        impl CellValue for $ty {
            #[inline(always)]
            fn from_cell(cell: u64) -> Self {
                cell as $unsigned as $ty
            }
            #[inline(always)]
            fn into_cell(self) -> u64 {
                self as $unsigned as u64
            }
        }
    )*};
}
cell_int!(i32 => u32, u32 => u32, i64 => u64, u64 => u64);

/// An integer operand decoded from an instruction's 32-bit immediate (sign-extended for
/// 64-bit operations).
pub(crate) trait FromImm {
    fn from_imm(imm: i32) -> Self;
}

macro_rules! from_imm {
    ($($ty:ty),*) => {$(
        impl FromImm for $ty {
            #[inline(always)]
            fn from_imm(imm: i32) -> Self {
                imm as $ty
            }
        }
    )*};
}
from_imm!(i32, u32, i64, u64);

impl CellValue for f32 {
    #[inline(always)]
    fn from_cell(cell: u64) -> Self {
        f32::from_bits(cell as u32)
    }
    #[inline(always)]
    fn into_cell(self) -> u64 {
        u64::from(self.to_bits())
    }
}

impl CellValue for f64 {
    #[inline(always)]
    fn from_cell(cell: u64) -> Self {
        f64::from_bits(cell)
    }
    #[inline(always)]
    fn into_cell(self) -> u64 {
        self.to_bits()
    }
}

/// The accumulator a value of this type lives in: the engine keeps the last integer
/// result in `acc` (a `u64`, zero-extended like a cell) and the last `f64` result in
/// `facc`, so that the next instruction can read it from a machine register instead of
/// the frame. `f32` values have no accumulator (converting through `f64` would not keep
/// every NaN's bits).
pub(crate) trait AccValue: CellValue {
    /// `None`: never in an accumulator.
    const CLASS: Option<AccClass>;
    /// The value, from the accumulator of its class.
    fn from_acc(acc: u64, facc: f64) -> Self;
    /// Makes `self` the accumulator of its class.
    fn to_acc(self, acc: &mut u64, facc: &mut f64);
}

/// The two accumulators.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum AccClass {
    /// `acc`: i32 and i64 values.
    Int = 0,
    /// `facc`: f64 values.
    Float = 1,
}

macro_rules! acc_int {
    ($($ty:ty),*) => {$(
        impl AccValue for $ty {
            const CLASS: Option<AccClass> = Some(AccClass::Int);
            #[inline(always)]
            fn from_acc(acc: u64, _: f64) -> Self {
                Self::from_cell(acc)
            }
            #[inline(always)]
            fn to_acc(self, acc: &mut u64, _: &mut f64) {
                *acc = self.into_cell();
            }
        }
    )*};
}
acc_int!(i32, u32, i64, u64);

impl AccValue for f64 {
    const CLASS: Option<AccClass> = Some(AccClass::Float);
    #[inline(always)]
    fn from_acc(_: u64, facc: f64) -> Self {
        facc
    }
    #[inline(always)]
    fn to_acc(self, _: &mut u64, facc: &mut f64) {
        *facc = self;
    }
}

impl AccValue for f32 {
    const CLASS: Option<AccClass> = None;
    /// Never called: the translator gives `f32` operands no accumulator and
    /// `CompiledFunc::verify` rejects any that has one.
    #[inline(always)]
    fn from_acc(acc: u64, _: f64) -> Self {
        Self::from_cell(acc)
    }
    #[inline(always)]
    fn to_acc(self, _: &mut u64, _: &mut f64) {}
}

/// A counter branch's step: `slot[counter] += step` (as i32), also into `acc`; returns
/// the new value.
#[inline(always)]
pub(crate) fn step_counter(regs: &mut [u64], counter: u32, step: i16, acc: &mut u64) -> i32 {
    let value = i32::from_cell(crate::regs::get(regs, counter)).wrapping_add(i32::from(step));
    crate::regs::set(regs, counter, value.into_cell());
    *acc = value.into_cell();
    value
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

/// Reads a `T` at `addr + offset` of linear memory `mem`, bounds-checked.
#[inline(always)]
pub(crate) fn load<T: LittleEndianConvert>(
    mem: &[u8],
    addr: u32,
    offset: u32,
) -> Result<T, TrapCode> {
    let start = addr as usize + offset as usize;
    let mut bytes = T::Bytes::default();
    let target = bytes.as_mut();
    let source = mem
        .get(start..start + target.len())
        .ok_or(TrapCode::MemoryAccessOutOfBounds)?;
    target.copy_from_slice(source);
    Ok(T::from_le_bytes(bytes))
}

/// The address of element `index` of an array of `T`: the i32 `index << log2(size)`,
/// wrapping as Wasm's `i32.shl` does.
#[inline(always)]
pub(crate) fn scale<T>(index: u32) -> u32 {
    index << size_of::<T>().trailing_zeros()
}

/// The address `base + index` of an indexed load: the i32 sum of the two cells,
/// wrapping as Wasm's `i32.add` does.
#[inline(always)]
pub(crate) fn sum_address(base: u64, index: u64) -> u32 {
    (base as u32).wrapping_add(index as u32)
}

/// Writes `value` at `addr + offset` of linear memory `mem`, bounds-checked.
#[inline(always)]
pub(crate) fn store<T: LittleEndianConvert>(
    mem: &mut [u8],
    addr: u32,
    offset: u32,
    value: T,
) -> Result<(), TrapCode> {
    let start = addr as usize + offset as usize;
    let bytes = value.into_le_bytes();
    let source = bytes.as_ref();
    let target = mem
        .get_mut(start..start + source.len())
        .ok_or(TrapCode::MemoryAccessOutOfBounds)?;
    target.copy_from_slice(source);
    Ok(())
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
