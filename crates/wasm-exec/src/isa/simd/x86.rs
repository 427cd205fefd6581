//! The hottest lane operations in x86_64's vector registers: SSE2, which every x86_64
//! CPU has (this module is compiled only where the target enables it), and SSSE3's byte
//! shuffle for `i8x16.shuffle` and `i8x16.swizzle` where the CPU has it (detected at run
//! time with `std`, or enabled at compile time).
//!
//! Each function here has the meaning of its namesake in `portable`, bit for bit, NaN
//! payloads included (x86's float arithmetic returns the first NaN operand quieted, or
//! the default NaN, which is canonical: what Rust's scalar float arithmetic gives on the
//! same CPU); the tests compare the two on random and edge-case lanes. Operators whose
//! Wasm meaning x86 lacks a close instruction for (float `min`/`max`, saturating
//! float-to-int conversions, 8-bit shifts...) stay portable.
//!
//! The intrinsics are `unsafe` to call only because they require their CPU feature;
//! `intrinsics!` wraps the ones used here in safe functions, the place that states why
//! the feature is present (`even_lanes` does the same for `pshufd`, whose immediate is a
//! const generic; `Bits16` reinterprets a `V128`'s bits as a register and back).
#![allow(unsafe_code)]

use super::portable;
use core::arch::x86_64::{self as arch, __m128, __m128d, __m128i};
use wasm_core::V128;

/// Safe wrappers of SSE2 intrinsics: `name(args) -> result;` each, calling
/// `core::arch::x86_64::name` with the same arguments.
macro_rules! intrinsics {
    ($($name:ident($($arg:ident: $t:ty),*) -> $r:ty;)*) => {$(
        #[inline(always)]
        #[allow(clippy::too_many_arguments)] // the intrinsic's own signature
        fn $name($($arg: $t),*) -> $r {
            // SAFETY: the intrinsic's only requirement is SSE2, which the target enables
            // (the `cfg` on this module in `simd.rs`), so every CPU this code runs on
            // has it; it takes and returns values, and reads or writes no memory.
            unsafe { arch::$name($($arg),*) }
        }
    )*};
}

intrinsics! {
    _mm_setzero_si128() -> __m128i;
    _mm_set1_epi8(x: i8) -> __m128i;
    _mm_cvtsi32_si128(x: i32) -> __m128i;
    _mm_set1_epi16(x: i16) -> __m128i;
    _mm_set1_epi32(x: i32) -> __m128i;
    _mm_set1_epi64x(x: i64) -> __m128i;
    _mm_set_epi32(e3: i32, e2: i32, e1: i32, e0: i32) -> __m128i;
    _mm_set_epi16(e7: i16, e6: i16, e5: i16, e4: i16, e3: i16, e2: i16, e1: i16, e0: i16) -> __m128i;
    _mm_andnot_si128(a: __m128i, b: __m128i) -> __m128i;
    _mm_and_si128(a: __m128i, b: __m128i) -> __m128i;
    _mm_xor_si128(a: __m128i, b: __m128i) -> __m128i;
    _mm_or_si128(a: __m128i, b: __m128i) -> __m128i;
    _mm_add_epi8(a: __m128i, b: __m128i) -> __m128i;
    _mm_add_epi16(a: __m128i, b: __m128i) -> __m128i;
    _mm_add_epi32(a: __m128i, b: __m128i) -> __m128i;
    _mm_add_epi64(a: __m128i, b: __m128i) -> __m128i;
    _mm_sub_epi8(a: __m128i, b: __m128i) -> __m128i;
    _mm_sub_epi16(a: __m128i, b: __m128i) -> __m128i;
    _mm_sub_epi32(a: __m128i, b: __m128i) -> __m128i;
    _mm_sub_epi64(a: __m128i, b: __m128i) -> __m128i;
    _mm_adds_epi8(a: __m128i, b: __m128i) -> __m128i;
    _mm_adds_epu8(a: __m128i, b: __m128i) -> __m128i;
    _mm_adds_epi16(a: __m128i, b: __m128i) -> __m128i;
    _mm_adds_epu16(a: __m128i, b: __m128i) -> __m128i;
    _mm_subs_epi8(a: __m128i, b: __m128i) -> __m128i;
    _mm_subs_epu8(a: __m128i, b: __m128i) -> __m128i;
    _mm_subs_epi16(a: __m128i, b: __m128i) -> __m128i;
    _mm_subs_epu16(a: __m128i, b: __m128i) -> __m128i;
    _mm_mullo_epi16(a: __m128i, b: __m128i) -> __m128i;
    _mm_mul_epu32(a: __m128i, b: __m128i) -> __m128i;
    _mm_madd_epi16(a: __m128i, b: __m128i) -> __m128i;
    _mm_min_epu8(a: __m128i, b: __m128i) -> __m128i;
    _mm_max_epu8(a: __m128i, b: __m128i) -> __m128i;
    _mm_min_epi16(a: __m128i, b: __m128i) -> __m128i;
    _mm_max_epi16(a: __m128i, b: __m128i) -> __m128i;
    _mm_avg_epu8(a: __m128i, b: __m128i) -> __m128i;
    _mm_avg_epu16(a: __m128i, b: __m128i) -> __m128i;
    _mm_cmpeq_epi8(a: __m128i, b: __m128i) -> __m128i;
    _mm_cmpeq_epi16(a: __m128i, b: __m128i) -> __m128i;
    _mm_cmpeq_epi32(a: __m128i, b: __m128i) -> __m128i;
    _mm_cmpgt_epi8(a: __m128i, b: __m128i) -> __m128i;
    _mm_cmpgt_epi16(a: __m128i, b: __m128i) -> __m128i;
    _mm_cmpgt_epi32(a: __m128i, b: __m128i) -> __m128i;
    _mm_movemask_epi8(a: __m128i) -> i32;
    _mm_movemask_ps(a: __m128) -> i32;
    _mm_movemask_pd(a: __m128d) -> i32;
    _mm_packs_epi16(a: __m128i, b: __m128i) -> __m128i;
    _mm_packus_epi16(a: __m128i, b: __m128i) -> __m128i;
    _mm_packs_epi32(a: __m128i, b: __m128i) -> __m128i;
    _mm_unpacklo_epi8(a: __m128i, b: __m128i) -> __m128i;
    _mm_unpackhi_epi8(a: __m128i, b: __m128i) -> __m128i;
    _mm_unpacklo_epi16(a: __m128i, b: __m128i) -> __m128i;
    _mm_unpackhi_epi16(a: __m128i, b: __m128i) -> __m128i;
    _mm_unpacklo_epi32(a: __m128i, b: __m128i) -> __m128i;
    _mm_unpackhi_epi32(a: __m128i, b: __m128i) -> __m128i;
    _mm_sll_epi16(a: __m128i, count: __m128i) -> __m128i;
    _mm_sll_epi32(a: __m128i, count: __m128i) -> __m128i;
    _mm_sll_epi64(a: __m128i, count: __m128i) -> __m128i;
    _mm_srl_epi16(a: __m128i, count: __m128i) -> __m128i;
    _mm_srl_epi32(a: __m128i, count: __m128i) -> __m128i;
    _mm_srl_epi64(a: __m128i, count: __m128i) -> __m128i;
    _mm_sra_epi16(a: __m128i, count: __m128i) -> __m128i;
    _mm_sra_epi32(a: __m128i, count: __m128i) -> __m128i;
    _mm_add_ps(a: __m128, b: __m128) -> __m128;
    _mm_sub_ps(a: __m128, b: __m128) -> __m128;
    _mm_mul_ps(a: __m128, b: __m128) -> __m128;
    _mm_div_ps(a: __m128, b: __m128) -> __m128;
    _mm_min_ps(a: __m128, b: __m128) -> __m128;
    _mm_max_ps(a: __m128, b: __m128) -> __m128;
    _mm_cmpeq_ps(a: __m128, b: __m128) -> __m128;
    _mm_cmpneq_ps(a: __m128, b: __m128) -> __m128;
    _mm_cmplt_ps(a: __m128, b: __m128) -> __m128;
    _mm_cmple_ps(a: __m128, b: __m128) -> __m128;
    _mm_cvtepi32_ps(a: __m128i) -> __m128;
    _mm_add_pd(a: __m128d, b: __m128d) -> __m128d;
    _mm_sub_pd(a: __m128d, b: __m128d) -> __m128d;
    _mm_mul_pd(a: __m128d, b: __m128d) -> __m128d;
    _mm_div_pd(a: __m128d, b: __m128d) -> __m128d;
    _mm_min_pd(a: __m128d, b: __m128d) -> __m128d;
    _mm_max_pd(a: __m128d, b: __m128d) -> __m128d;
    _mm_cmpeq_pd(a: __m128d, b: __m128d) -> __m128d;
    _mm_cmpneq_pd(a: __m128d, b: __m128d) -> __m128d;
    _mm_cmplt_pd(a: __m128d, b: __m128d) -> __m128d;
    _mm_cmple_pd(a: __m128d, b: __m128d) -> __m128d;
}

// ---------------------------------------------------------------------------------------
// Vectors in and out of registers.

/// Reinterprets the 16 bytes of a `V128` (or of a register) as another 16-byte type.
trait Bits16: Copy {
    fn of(v: V128) -> Self;
    fn v128(self) -> V128;
}

/// Implements [`Bits16`] for the register types.
macro_rules! bits16 {
    ($($t:ty),*) => {$(
        impl Bits16 for $t {
            #[inline(always)]
            fn of(v: V128) -> $t {
                // SAFETY: `u128` and the register type are 16 bytes of plain data, every
                // bit pattern valid for both.
                unsafe { core::mem::transmute::<u128, $t>(v.to_bits()) }
            }

            #[inline(always)]
            fn v128(self) -> V128 {
                // SAFETY: as in `of`.
                V128::from_bits(unsafe { core::mem::transmute::<$t, u128>(self) })
            }
        }
    )*};
}

bits16!(__m128i, __m128, __m128d);

/// Integer lanes of `v`.
#[inline(always)]
fn i(v: V128) -> __m128i {
    Bits16::of(v)
}

/// `f32` lanes of `v`.
#[inline(always)]
fn ps(v: V128) -> __m128 {
    Bits16::of(v)
}

/// `f64` lanes of `v`.
#[inline(always)]
fn pd(v: V128) -> __m128d {
    Bits16::of(v)
}

/// All bits set.
#[inline(always)]
fn ones() -> __m128i {
    _mm_set1_epi8(-1)
}

/// The sign bit of every byte.
#[inline(always)]
fn high8() -> __m128i {
    _mm_set1_epi8(i8::MIN)
}

/// A shift count register: `count` modulo the lane width `bits`.
#[inline(always)]
fn count(count: i32, bits: i32) -> __m128i {
    _mm_cvtsi32_si128(count & (bits - 1))
}

// ---------------------------------------------------------------------------------------
// The operations.

/// Defines `name(a, b) -> V128` as `body` on the registers `a` and `b` read as `conv`.
macro_rules! binary {
    ($($name:ident($conv:ident) |$a:ident, $b:ident| $body:expr;)*) => {$(
        #[inline]
        pub(crate) fn $name(a: V128, b: V128) -> V128 {
            let ($a, $b) = ($conv(a), $conv(b));
            $body.v128()
        }
    )*};
}

binary! {
    v128_and(i) |a, b| _mm_and_si128(a, b);
    v128_or(i) |a, b| _mm_or_si128(a, b);
    v128_xor(i) |a, b| _mm_xor_si128(a, b);
    // `pandn` complements its first operand.
    v128_andnot(i) |a, b| _mm_andnot_si128(b, a);

    i8x16_add(i) |a, b| _mm_add_epi8(a, b);
    i8x16_sub(i) |a, b| _mm_sub_epi8(a, b);
    i8x16_add_sat_s(i) |a, b| _mm_adds_epi8(a, b);
    i8x16_add_sat_u(i) |a, b| _mm_adds_epu8(a, b);
    i8x16_sub_sat_s(i) |a, b| _mm_subs_epi8(a, b);
    i8x16_sub_sat_u(i) |a, b| _mm_subs_epu8(a, b);
    i8x16_min_u(i) |a, b| _mm_min_epu8(a, b);
    i8x16_max_u(i) |a, b| _mm_max_epu8(a, b);
    i8x16_avgr_u(i) |a, b| _mm_avg_epu8(a, b);
    i8x16_eq(i) |a, b| _mm_cmpeq_epi8(a, b);
    i8x16_ne(i) |a, b| _mm_xor_si128(_mm_cmpeq_epi8(a, b), ones());
    i8x16_lt_s(i) |a, b| _mm_cmpgt_epi8(b, a);
    i8x16_gt_s(i) |a, b| _mm_cmpgt_epi8(a, b);
    // Unsigned order is signed order with the sign bits flipped.
    i8x16_lt_u(i) |a, b| _mm_cmpgt_epi8(_mm_xor_si128(b, high8()), _mm_xor_si128(a, high8()));
    i8x16_gt_u(i) |a, b| _mm_cmpgt_epi8(_mm_xor_si128(a, high8()), _mm_xor_si128(b, high8()));
    i8x16_narrow_i16x8_s(i) |a, b| _mm_packs_epi16(a, b);
    i8x16_narrow_i16x8_u(i) |a, b| _mm_packus_epi16(a, b);

    i16x8_add(i) |a, b| _mm_add_epi16(a, b);
    i16x8_sub(i) |a, b| _mm_sub_epi16(a, b);
    i16x8_mul(i) |a, b| _mm_mullo_epi16(a, b);
    i16x8_add_sat_s(i) |a, b| _mm_adds_epi16(a, b);
    i16x8_add_sat_u(i) |a, b| _mm_adds_epu16(a, b);
    i16x8_sub_sat_s(i) |a, b| _mm_subs_epi16(a, b);
    i16x8_sub_sat_u(i) |a, b| _mm_subs_epu16(a, b);
    i16x8_min_s(i) |a, b| _mm_min_epi16(a, b);
    i16x8_max_s(i) |a, b| _mm_max_epi16(a, b);
    i16x8_avgr_u(i) |a, b| _mm_avg_epu16(a, b);
    i16x8_eq(i) |a, b| _mm_cmpeq_epi16(a, b);
    i16x8_ne(i) |a, b| _mm_xor_si128(_mm_cmpeq_epi16(a, b), ones());
    i16x8_lt_s(i) |a, b| _mm_cmpgt_epi16(b, a);
    i16x8_gt_s(i) |a, b| _mm_cmpgt_epi16(a, b);
    i16x8_narrow_i32x4_s(i) |a, b| _mm_packs_epi32(a, b);

    i32x4_add(i) |a, b| _mm_add_epi32(a, b);
    i32x4_sub(i) |a, b| _mm_sub_epi32(a, b);
    // The low 32 bits of lanes 0 and 2's products, then of lanes 1 and 3's, interleaved.
    i32x4_mul(i) |a, b| {
        let even = _mm_mul_epu32(a, b);
        let odd = _mm_mul_epu32(_mm_srl_epi64(a, count(32, 64)), _mm_srl_epi64(b, count(32, 64)));
        _mm_unpacklo_epi32(even_lanes(even), even_lanes(odd))
    };
    i32x4_eq(i) |a, b| _mm_cmpeq_epi32(a, b);
    i32x4_ne(i) |a, b| _mm_xor_si128(_mm_cmpeq_epi32(a, b), ones());
    i32x4_lt_s(i) |a, b| _mm_cmpgt_epi32(b, a);
    i32x4_gt_s(i) |a, b| _mm_cmpgt_epi32(a, b);
    // `madd` sums adjacent products into 32 bits, wrapping as Wasm's does.
    i32x4_dot_i16x8_s(i) |a, b| _mm_madd_epi16(a, b);

    i64x2_add(i) |a, b| _mm_add_epi64(a, b);
    i64x2_sub(i) |a, b| _mm_sub_epi64(a, b);

    f32x4_add(ps) |a, b| _mm_add_ps(a, b);
    f32x4_sub(ps) |a, b| _mm_sub_ps(a, b);
    f32x4_mul(ps) |a, b| _mm_mul_ps(a, b);
    f32x4_div(ps) |a, b| _mm_div_ps(a, b);
    // `minps(x, y)` is `x < y ? x : y`, so `y` when either is NaN or both are zeros: with
    // the operands swapped, exactly `pmin` (`b < a ? b : a`) and `pmax` (`a < b ? b : a`).
    f32x4_pmin(ps) |a, b| _mm_min_ps(b, a);
    f32x4_pmax(ps) |a, b| _mm_max_ps(b, a);
    f32x4_eq(ps) |a, b| _mm_cmpeq_ps(a, b);
    f32x4_ne(ps) |a, b| _mm_cmpneq_ps(a, b);
    f32x4_lt(ps) |a, b| _mm_cmplt_ps(a, b);
    f32x4_le(ps) |a, b| _mm_cmple_ps(a, b);
    f32x4_gt(ps) |a, b| _mm_cmplt_ps(b, a);
    f32x4_ge(ps) |a, b| _mm_cmple_ps(b, a);

    f64x2_add(pd) |a, b| _mm_add_pd(a, b);
    f64x2_sub(pd) |a, b| _mm_sub_pd(a, b);
    f64x2_mul(pd) |a, b| _mm_mul_pd(a, b);
    f64x2_div(pd) |a, b| _mm_div_pd(a, b);
    f64x2_pmin(pd) |a, b| _mm_min_pd(b, a);
    f64x2_pmax(pd) |a, b| _mm_max_pd(b, a);
    f64x2_eq(pd) |a, b| _mm_cmpeq_pd(a, b);
    f64x2_ne(pd) |a, b| _mm_cmpneq_pd(a, b);
    f64x2_lt(pd) |a, b| _mm_cmplt_pd(a, b);
    f64x2_le(pd) |a, b| _mm_cmple_pd(a, b);
    f64x2_gt(pd) |a, b| _mm_cmplt_pd(b, a);
    f64x2_ge(pd) |a, b| _mm_cmple_pd(b, a);
}

/// 32-bit lanes 0 and 2 of `v` in lanes 0 and 1 (`pshufd`; lanes 2 and 3 are lane 0).
#[inline(always)]
fn even_lanes(v: __m128i) -> __m128i {
    // SAFETY: as in `intrinsics!`: SSE2 only, on values.
    unsafe { arch::_mm_shuffle_epi32::<0b00_00_10_00>(v) }
}

/// Defines `name(a, count) -> V128`: the shift `op` of `bits`-wide lanes, the count
/// taken modulo the lane width as Wasm's shifts do (x86's give 0 or all sign bits for
/// counts of the width or more).
macro_rules! shift {
    ($($name:ident($bits:literal) $op:ident;)*) => {$(
        #[inline]
        pub(crate) fn $name(a: V128, s: i32) -> V128 {
            $op(i(a), count(s, $bits)).v128()
        }
    )*};
}

shift! {
    i16x8_shl(16) _mm_sll_epi16;
    i16x8_shr_s(16) _mm_sra_epi16;
    i16x8_shr_u(16) _mm_srl_epi16;
    i32x4_shl(32) _mm_sll_epi32;
    i32x4_shr_s(32) _mm_sra_epi32;
    i32x4_shr_u(32) _mm_srl_epi32;
    i64x2_shl(64) _mm_sll_epi64;
    i64x2_shr_u(64) _mm_srl_epi64;
}

/// Defines `name(a) -> V128` as `body` on the integer register `a`.
macro_rules! unary {
    ($($name:ident |$a:ident| $body:expr;)*) => {$(
        #[inline]
        pub(crate) fn $name(a: V128) -> V128 {
            let $a = i(a);
            $body.v128()
        }
    )*};
}

unary! {
    v128_not |a| _mm_xor_si128(a, ones());

    // Unsigned widening interleaves zeros; signed widening interleaves the lane with
    // itself and shifts arithmetically, which leaves the sign in the upper half.
    i16x8_extend_low_i8x16_u |a| _mm_unpacklo_epi8(a, _mm_setzero_si128());
    i16x8_extend_high_i8x16_u |a| _mm_unpackhi_epi8(a, _mm_setzero_si128());
    i16x8_extend_low_i8x16_s |a| _mm_sra_epi16(_mm_unpacklo_epi8(a, a), count(8, 16));
    i16x8_extend_high_i8x16_s |a| _mm_sra_epi16(_mm_unpackhi_epi8(a, a), count(8, 16));
    i32x4_extend_low_i16x8_u |a| _mm_unpacklo_epi16(a, _mm_setzero_si128());
    i32x4_extend_high_i16x8_u |a| _mm_unpackhi_epi16(a, _mm_setzero_si128());
    i32x4_extend_low_i16x8_s |a| _mm_sra_epi32(_mm_unpacklo_epi16(a, a), count(16, 32));
    i32x4_extend_high_i16x8_s |a| _mm_sra_epi32(_mm_unpackhi_epi16(a, a), count(16, 32));
    i64x2_extend_low_i32x4_u |a| _mm_unpacklo_epi32(a, _mm_setzero_si128());
    i64x2_extend_high_i32x4_u |a| _mm_unpackhi_epi32(a, _mm_setzero_si128());
    i64x2_extend_low_i32x4_s |a| _mm_unpacklo_epi32(a, _mm_cmpgt_epi32(_mm_setzero_si128(), a));
    i64x2_extend_high_i32x4_s |a| _mm_unpackhi_epi32(a, _mm_cmpgt_epi32(_mm_setzero_si128(), a));
}

/// `f32x4.convert_i32x4_s`: `cvtdq2ps` rounds to nearest, ties to even, as Wasm does.
#[inline]
pub(crate) fn f32x4_convert_i32x4_s(a: V128) -> V128 {
    _mm_cvtepi32_ps(i(a)).v128()
}

/// `i8x16.bitmask`: `pmovmskb` gathers the bytes' sign bits.
#[inline]
pub(crate) fn i8x16_bitmask(a: V128) -> i32 {
    _mm_movemask_epi8(i(a))
}

/// `i16x8.bitmask`: the lanes narrowed to bytes with saturation (which keeps each sign),
/// then their sign bits.
#[inline]
pub(crate) fn i16x8_bitmask(a: V128) -> i32 {
    _mm_movemask_epi8(_mm_packs_epi16(i(a), _mm_setzero_si128()))
}

/// `i32x4.bitmask`: `movmskps` gathers the lanes' sign bits.
#[inline]
pub(crate) fn i32x4_bitmask(a: V128) -> i32 {
    _mm_movemask_ps(ps(a))
}

/// `i64x2.bitmask`: `movmskpd` gathers the lanes' sign bits.
#[inline]
pub(crate) fn i64x2_bitmask(a: V128) -> i32 {
    _mm_movemask_pd(pd(a))
}

/// `i8x16.all_true`: no byte equals zero.
#[inline]
pub(crate) fn i8x16_all_true(a: V128) -> i32 {
    i32::from(_mm_movemask_epi8(_mm_cmpeq_epi8(i(a), _mm_setzero_si128())) == 0)
}

/// `i16x8.all_true`: no 16-bit lane equals zero.
#[inline]
pub(crate) fn i16x8_all_true(a: V128) -> i32 {
    i32::from(_mm_movemask_epi8(_mm_cmpeq_epi16(i(a), _mm_setzero_si128())) == 0)
}

/// `i32x4.all_true`: no 32-bit lane equals zero.
#[inline]
pub(crate) fn i32x4_all_true(a: V128) -> i32 {
    i32::from(_mm_movemask_epi8(_mm_cmpeq_epi32(i(a), _mm_setzero_si128())) == 0)
}

/// `v128.bitselect`: the bits of `a` where `c` has ones, of `b` elsewhere.
#[inline]
pub(crate) fn v128_bitselect(a: V128, b: V128, c: V128) -> V128 {
    let c = i(c);
    _mm_or_si128(_mm_and_si128(i(a), c), _mm_andnot_si128(c, i(b))).v128()
}

/// `v128.any_true`: some byte is not zero.
#[inline]
pub(crate) fn v128_any_true(a: V128) -> i32 {
    i32::from(_mm_movemask_epi8(_mm_cmpeq_epi8(i(a), _mm_setzero_si128())) != 0xffff)
}

// ---------------------------------------------------------------------------------------
// Splats and lane replacement, computed in a vector register: a result built in
// general-purpose registers reaches the frame as two 8-byte stores, which the next
// instruction's 16-byte read of it cannot take from the store buffer (it waits for both
// stores to complete, some ten cycles).

/// Defines `name(x) -> V128`: the lane value `x` (of type `t`, as bits of type `b`)
/// in every lane, by `set1`.
macro_rules! splat {
    ($($name:ident($t:ty) |$x:ident| $set1:expr;)*) => {$(
        #[inline]
        pub(crate) fn $name($x: $t) -> V128 {
            $set1.v128()
        }
    )*};
}

splat! {
    i8x16_splat(i32) |x| _mm_set1_epi8(x as i8);
    i16x8_splat(i32) |x| _mm_set1_epi16(x as i16);
    i32x4_splat(i32) |x| _mm_set1_epi32(x);
    i64x2_splat(i64) |x| _mm_set1_epi64x(x);
    f32x4_splat(f32) |x| _mm_set1_epi32(x.to_bits() as i32);
    f64x2_splat(f64) |x| _mm_set1_epi64x(x.to_bits() as i64);
}

/// `a` with the lanes that `mask` has all ones in taken from `with` instead.
#[inline(always)]
fn blend(a: __m128i, with: __m128i, mask: __m128i) -> __m128i {
    _mm_or_si128(_mm_andnot_si128(mask, a), _mm_and_si128(with, mask))
}

/// `i8x16.replace_lane`: lane `lane` (modulo 16) set to the low 8 bits of `x`.
#[inline]
pub(crate) fn i8x16_replace_lane(a: V128, lane: u8, x: i32) -> V128 {
    let lane = i32::from(lane & 15);
    // Each 16-bit lane `k` holds `2k` in its low byte and `2k + 1` in its high one.
    let bytes = _mm_set_epi16(
        0x0f0e, 0x0d0c, 0x0b0a, 0x0908, 0x0706, 0x0504, 0x0302, 0x0100,
    );
    let mask = _mm_cmpeq_epi8(bytes, _mm_set1_epi8(lane as i8));
    blend(i(a), _mm_set1_epi8(x as i8), mask).v128()
}

/// `i16x8.replace_lane`: lane `lane` (modulo 8) set to the low 16 bits of `x`.
#[inline]
pub(crate) fn i16x8_replace_lane(a: V128, lane: u8, x: i32) -> V128 {
    let lanes = _mm_set_epi16(7, 6, 5, 4, 3, 2, 1, 0);
    let mask = _mm_cmpeq_epi16(lanes, _mm_set1_epi16(i16::from(lane & 7)));
    blend(i(a), _mm_set1_epi16(x as i16), mask).v128()
}

/// `i32x4.replace_lane`: lane `lane` (modulo 4) set to `x`.
#[inline]
pub(crate) fn i32x4_replace_lane(a: V128, lane: u8, x: i32) -> V128 {
    let mask = _mm_cmpeq_epi32(
        _mm_set_epi32(3, 2, 1, 0),
        _mm_set1_epi32(i32::from(lane & 3)),
    );
    blend(i(a), _mm_set1_epi32(x), mask).v128()
}

/// `i64x2.replace_lane`: lane `lane` (modulo 2) set to `x`.
#[inline]
pub(crate) fn i64x2_replace_lane(a: V128, lane: u8, x: i64) -> V128 {
    let mask = _mm_cmpeq_epi32(
        _mm_set_epi32(1, 1, 0, 0),
        _mm_set1_epi32(i32::from(lane & 1)),
    );
    blend(i(a), _mm_set1_epi64x(x), mask).v128()
}

/// `f32x4.replace_lane`: lane `lane` (modulo 4) set to `x`, bit-exact.
#[inline]
pub(crate) fn f32x4_replace_lane(a: V128, lane: u8, x: f32) -> V128 {
    i32x4_replace_lane(a, lane, x.to_bits() as i32)
}

/// `f64x2.replace_lane`: lane `lane` (modulo 2) set to `x`, bit-exact.
#[inline]
pub(crate) fn f64x2_replace_lane(a: V128, lane: u8, x: f64) -> V128 {
    i64x2_replace_lane(a, lane, x.to_bits() as i64)
}

// ---------------------------------------------------------------------------------------
// Byte shuffles: SSSE3's `pshufb` where the CPU has it.

/// Whether this CPU has SSSE3 (`std` caches the answer; without `std`, only a target
/// that enables SSSE3 at compile time uses it).
#[inline(always)]
fn has_ssse3() -> bool {
    #[cfg(feature = "std")]
    {
        std::is_x86_feature_detected!("ssse3")
    }
    #[cfg(not(feature = "std"))]
    {
        cfg!(target_feature = "ssse3")
    }
}

/// `i8x16.shuffle`: `pshufb` selects within one register and gives 0 where a control
/// byte's high bit is set, so each operand gets a control with the other's lanes
/// (those with bit 4 set, for `a`) marked, and the two results are or-ed.
#[inline]
pub(crate) fn i8x16_shuffle(a: V128, b: V128, lanes: V128) -> V128 {
    if !has_ssse3() {
        return portable::i8x16_shuffle(a, b, lanes);
    }
    // SAFETY: the CPU has SSSE3 (`has_ssse3`), the feature `shuffle_ssse3` enables.
    unsafe { shuffle_ssse3(i(a), i(b), i(lanes)) }.v128()
}

/// [`i8x16_shuffle`] on a CPU with SSSE3. A call, not inlined (its caller may not enable
/// SSSE3), with the C calling convention: it passes vectors in registers, where Rust's
/// passes them in memory. (Only Rust calls it, so the lint about C's view of `__m128i`
/// does not apply.)
#[allow(improper_ctypes_definitions)]
#[target_feature(enable = "ssse3")]
extern "C" fn shuffle_ssse3(a: __m128i, b: __m128i, lanes: __m128i) -> __m128i {
    // Lane indices are below 32 (validated); their bit 4 moved to bit 7 marks `b`'s.
    let lanes = _mm_and_si128(lanes, _mm_set1_epi8(31));
    let of_b = _mm_sll_epi16(_mm_and_si128(lanes, _mm_set1_epi8(16)), count(3, 16));
    let from_a = arch::_mm_shuffle_epi8(a, _mm_or_si128(lanes, of_b));
    let from_b = arch::_mm_shuffle_epi8(b, _mm_or_si128(lanes, _mm_xor_si128(of_b, high8())));
    _mm_or_si128(from_a, from_b)
}

/// `i8x16.swizzle`: `pshufb` with the indices of 16 or more marked to give 0.
#[inline]
pub(crate) fn i8x16_swizzle(a: V128, s: V128) -> V128 {
    if !has_ssse3() {
        return portable::i8x16_swizzle(a, s);
    }
    // SAFETY: the CPU has SSSE3 (`has_ssse3`), the feature `swizzle_ssse3` enables.
    unsafe { swizzle_ssse3(i(a), i(s)) }.v128()
}

/// [`i8x16_swizzle`] on a CPU with SSSE3 (a call, as [`shuffle_ssse3`]).
#[allow(improper_ctypes_definitions)]
#[target_feature(enable = "ssse3")]
extern "C" fn swizzle_ssse3(a: __m128i, s: __m128i) -> __m128i {
    // A saturating add of 112 sets the high bit of the indices of 16 or more and keeps
    // the low four bits of the others.
    arch::_mm_shuffle_epi8(a, _mm_adds_epu8(s, _mm_set1_epi8(112)))
}

/// `i8x16.relaxed_swizzle`: [`i8x16_swizzle`], as in `portable`.
#[inline]
pub(crate) fn i8x16_relaxed_swizzle(a: V128, s: V128) -> V128 {
    i8x16_swizzle(a, s)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Random vectors with edge-case lanes mixed in: zeros, ones, sign bits, the
    /// extremes of each lane width, NaNs and infinities of both float widths.
    fn vectors() -> impl Iterator<Item = V128> {
        const SPECIAL: [u64; 12] = [
            0,
            u64::MAX,
            0x8000_0000_8000_0000,
            0x7fff_ffff_7fff_ffff,
            0x8080_8080_8080_8080,
            0x7f7f_7f7f_7f7f_7f7f,
            0x8000_7fff_0001_ffff,
            0x7fc0_0000_ff80_0000,
            0x7fa0_0001_8000_0000,
            0x7ff8_0000_0000_0000,
            0xfff0_0000_0000_0000,
            0x7ff4_0000_0000_0001,
        ];
        let mut state = 0x9e37_79b9_7f4a_7c15_u64;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        (0..if cfg!(miri) { 40 } else { 4000 }).map(move |n| {
            let mut half = |k: usize| match (n + k) % 3 {
                0 => SPECIAL[(next() % 12) as usize],
                1 => next() & 0x0f1f_1f0f_1f0f_0f1f,
                _ => next(),
            };
            V128::from_cells([half(0), half(1)])
        })
    }

    /// Pairs of [`vectors`].
    fn pairs() -> impl Iterator<Item = (V128, V128)> {
        vectors().zip(vectors().skip(7))
    }

    /// Asserts that `name(args)` here equals `portable::name(args)`, naming the call and
    /// its arguments' values when it does not.
    macro_rules! same {
        ($name:ident($($arg:expr),*)) => {
            assert_eq!(
                $name($($arg),*),
                portable::$name($($arg),*),
                "{} with {:?}",
                stringify!($name($($arg),*)),
                ($($arg,)*)
            )
        };
    }

    macro_rules! same_binary {
        ($($name:ident),* $(,)?) => {$(
            for (a, b) in pairs() {
                same!($name(a, b));
            }
        )*};
    }

    macro_rules! same_unary {
        ($($name:ident),* $(,)?) => {$(
            for a in vectors() {
                same!($name(a));
            }
        )*};
    }

    /// Whether `x` and `y` are equal where each lane of `bits` bits either has the same
    /// bits in both or is a NaN in both (the spec lets a NaN result have any payload;
    /// Miri chooses them at random).
    fn same_or_both_nan(x: V128, y: V128, bits: u32) -> bool {
        let lane = |v: V128, k: u32| (v.to_bits() >> (k * bits)) & (u128::MAX >> (128 - bits));
        let (exponent, mantissa) = if bits == 32 {
            (0x7f80_0000_u128, 0x007f_ffff)
        } else {
            (0x7ff0_0000_0000_0000, 0x000f_ffff_ffff_ffff)
        };
        let nan = |x: u128| x & exponent == exponent && x & mantissa != 0;
        (0..128 / bits).all(|k| {
            let (a, b) = (lane(x, k), lane(y, k));
            a == b || (nan(a) && nan(b))
        })
    }

    #[test]
    fn float_arithmetic_matches_the_portable_one() {
        for (a, b) in pairs() {
            for (f, g) in [
                (
                    f32x4_add as fn(V128, V128) -> V128,
                    portable::f32x4_add as fn(V128, V128) -> V128,
                ),
                (f32x4_sub, portable::f32x4_sub),
                (f32x4_mul, portable::f32x4_mul),
                (f32x4_div, portable::f32x4_div),
            ] {
                assert!(same_or_both_nan(f(a, b), g(a, b), 32), "{a:?} {b:?}");
            }
            for (f, g) in [
                (
                    f64x2_add as fn(V128, V128) -> V128,
                    portable::f64x2_add as fn(V128, V128) -> V128,
                ),
                (f64x2_sub, portable::f64x2_sub),
                (f64x2_mul, portable::f64x2_mul),
                (f64x2_div, portable::f64x2_div),
            ] {
                assert!(same_or_both_nan(f(a, b), g(a, b), 64), "{a:?} {b:?}");
            }
        }
    }

    #[test]
    fn binary_operations_match_the_portable_ones() {
        same_binary!(
            i8x16_add,
            i8x16_sub,
            i8x16_add_sat_s,
            i8x16_add_sat_u,
            i8x16_sub_sat_s,
            i8x16_sub_sat_u,
            i8x16_min_u,
            i8x16_max_u,
            i8x16_avgr_u,
            i8x16_eq,
            i8x16_ne,
            i8x16_lt_s,
            i8x16_gt_s,
            i8x16_lt_u,
            i8x16_gt_u,
            i8x16_narrow_i16x8_s,
            i8x16_narrow_i16x8_u,
            i16x8_add,
            i16x8_sub,
            i16x8_mul,
            i16x8_add_sat_s,
            i16x8_add_sat_u,
            i16x8_sub_sat_s,
            i16x8_sub_sat_u,
            i16x8_min_s,
            i16x8_max_s,
            i16x8_avgr_u,
            i16x8_eq,
            i16x8_ne,
            i16x8_lt_s,
            i16x8_gt_s,
            i16x8_narrow_i32x4_s,
            i32x4_add,
            i32x4_sub,
            i32x4_mul,
            i32x4_eq,
            i32x4_ne,
            i32x4_lt_s,
            i32x4_gt_s,
            i32x4_dot_i16x8_s,
            i64x2_add,
            i64x2_sub,
            f32x4_pmin,
            f32x4_pmax,
            f32x4_eq,
            f32x4_ne,
            f32x4_lt,
            f32x4_le,
            f32x4_gt,
            f32x4_ge,
            f64x2_pmin,
            f64x2_pmax,
            f64x2_eq,
            f64x2_ne,
            f64x2_lt,
            f64x2_le,
            f64x2_gt,
            f64x2_ge,
            i8x16_swizzle,
            i8x16_relaxed_swizzle,
            v128_and,
            v128_or,
            v128_xor,
            v128_andnot,
        );
        for ((a, b), c) in pairs().zip(vectors().skip(11)) {
            same!(v128_bitselect(a, b, c));
        }
    }

    #[test]
    fn unary_operations_match_the_portable_ones() {
        same_unary!(
            i16x8_extend_low_i8x16_u,
            i16x8_extend_high_i8x16_u,
            i16x8_extend_low_i8x16_s,
            i16x8_extend_high_i8x16_s,
            i32x4_extend_low_i16x8_u,
            i32x4_extend_high_i16x8_u,
            i32x4_extend_low_i16x8_s,
            i32x4_extend_high_i16x8_s,
            i64x2_extend_low_i32x4_u,
            i64x2_extend_high_i32x4_u,
            i64x2_extend_low_i32x4_s,
            i64x2_extend_high_i32x4_s,
            f32x4_convert_i32x4_s,
            i8x16_bitmask,
            i16x8_bitmask,
            i32x4_bitmask,
            i64x2_bitmask,
            i8x16_all_true,
            i16x8_all_true,
            i32x4_all_true,
            v128_not,
            v128_any_true,
        );
    }

    #[test]
    fn shifts_match_the_portable_ones_for_every_count() {
        for a in vectors().take(200) {
            for s in [
                -65,
                -1,
                0,
                1,
                7,
                8,
                15,
                16,
                17,
                31,
                32,
                33,
                63,
                64,
                65,
                i32::MAX,
            ] {
                same!(i16x8_shl(a, s));
                same!(i16x8_shr_s(a, s));
                same!(i16x8_shr_u(a, s));
                same!(i32x4_shl(a, s));
                same!(i32x4_shr_s(a, s));
                same!(i32x4_shr_u(a, s));
                same!(i64x2_shl(a, s));
                same!(i64x2_shr_u(a, s));
            }
        }
    }

    #[test]
    fn splats_and_lane_replacements_match_the_portable_ones() {
        for (a, b) in pairs().take(500) {
            let [x, y] = b.to_cells();
            same!(i8x16_splat(x as i32));
            same!(i16x8_splat(x as i32));
            same!(i32x4_splat(x as i32));
            same!(i64x2_splat(x as i64));
            let (f, d) = (f32::from_bits(y as u32), f64::from_bits(y));
            same!(f32x4_splat(f));
            same!(f64x2_splat(d));
            for lane in [0, 1, 2, 3, 5, 7, 8, 9, 14, 15, 16, 17, 255] {
                let (x, y) = (x as i32, y as i64);
                same!(i8x16_replace_lane(a, lane, x));
                same!(i16x8_replace_lane(a, lane, x));
                same!(i32x4_replace_lane(a, lane, x));
                same!(i64x2_replace_lane(a, lane, y));
                same!(f32x4_replace_lane(a, lane, f));
                same!(f64x2_replace_lane(a, lane, d));
            }
        }
    }

    #[test]
    fn shuffles_match_the_portable_one() {
        // Shuffle lanes are validated below 32; the function masks them anyway.
        for ((a, b), lanes) in pairs().zip(vectors().skip(3)) {
            same!(i8x16_shuffle(a, b, lanes));
            let lanes =
                V128::from_bits(lanes.to_bits() & 0x1f1f_1f1f_1f1f_1f1f_1f1f_1f1f_1f1f_1f1f);
            same!(i8x16_shuffle(a, b, lanes));
        }
    }
}
