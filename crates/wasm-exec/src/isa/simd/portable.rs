//! The semantics of the SIMD proposal's lane operations (and relaxed SIMD's), as pure
//! functions on [`V128`] values: what the list's SIMD instructions call.
//!
//! One function per operator of wasmparser's `@simd` and `@relaxed_simd` lists, named as
//! the visitor method without `visit_` (`i8x16_add`, `f32x4_relaxed_madd`). Operators
//! that only move memory have none: `v128.load`, `v128.store`, `v128.const`, the lane
//! loads and stores and the `*_load*_splat` loads are splats, lane replacements and
//! extractions the engine composes; the extending and zero-filling loads have a function
//! taking the bits the engine read (`v128_load8x8_s(bits: u64)`, `v128_load32_zero`).
//!
//! Everything follows the spec's numerics (Wasm 2.0, 4.3): integer lanes wrap unless
//! the operator saturates, shift counts are taken modulo the lane width, comparisons give
//! all ones or all zeros per lane, float `min`/`max` are NaN when either operand is and
//! order -0 below +0, `pmin`/`pmax` return one operand's bits, and saturating conversions
//! map NaN to 0. NaN results are whatever NaN Rust's float arithmetic gives, which the
//! spec allows (canonical, or an input's payload quieted); rounding instructions and
//! `sqrt` quiet a signalling input ([`semantics::quiet32`]), which some hosts' rounding
//! returns unchanged. Lane indices are validated, and still
//! masked here: no input makes any of these functions panic.
//!
//! # Code generation
//!
//! Most operators are written lane by lane over fixed-size lane arrays (private macros
//! define them in families: `unary!`, `binary!`, `compare!`...). The arrays come from the
//! vector's `u128` by shifts and go back by shifts and ors, which fold away entirely; but
//! LLVM does not vectorise across an `i128`'s shifts, so that code compiles to unrolled
//! scalar instructions, a few per lane: good for 32- and 64-bit lanes (`i32x4.mul` is
//! four `imul`s, `i64x2.mul` two), slow for 8- and 16-bit ones. The commonest of those
//! therefore work on the whole register at once ("SWAR", the `swar` module): the `i8x16`
//! and `i16x8` additions, subtractions (plain and saturating), negations, absolute
//! values, comparisons, min/max, `avgr_u` and shifts, `i8x16.popcnt`, every `all_true`,
//! and `i8x16.bitmask`; a test checks them against lane-by-lane versions. On x86_64,
//! `x86` replaces the hottest operators with vector-register code (see `simd.rs`); these
//! stay the reference its tests compare with, and the code of every other target.
//!
//! # Relaxed SIMD
//!
//! Each relaxed instruction makes one fixed choice among those its proposal allows, the
//! same on every host, and the same as wasmi 2.0's (so that differential fuzzing against
//! it agrees):
//!
//! | instruction                                  | result                                     |
//! |----------------------------------------------|--------------------------------------------|
//! | `i8x16.relaxed_swizzle`                      | `i8x16.swizzle` (an index ≥ 16 gives 0)    |
//! | `i32x4.relaxed_trunc_f32x4_{s,u}`            | `i32x4.trunc_sat_f32x4_{s,u}`              |
//! | `i32x4.relaxed_trunc_f64x2_{s,u}_zero`       | `i32x4.trunc_sat_f64x2_{s,u}_zero`         |
//! | `f32x4.relaxed_madd`, `f64x2.relaxed_madd`   | fused: `a * b + c` rounded once            |
//! | `f32x4.relaxed_nmadd`, `f64x2.relaxed_nmadd` | fused: `-a * b + c` rounded once           |
//! | `{i8x16,i16x8,i32x4,i64x2}.relaxed_laneselect` | `v128.bitselect` (bit by bit)            |
//! | `f32x4.relaxed_{min,max}`                    | `f32x4.{min,max}`                          |
//! | `f64x2.relaxed_{min,max}`                    | `f64x2.{min,max}`                          |
//! | `i16x8.relaxed_q15mulr_s`                    | `i16x8.q15mulr_sat_s`                      |
//! | `i16x8.relaxed_dot_i8x16_i7x16_s`            | `b` signed; each pair's sum wraps to 16 bits |
//! | `i32x4.relaxed_dot_i8x16_i7x16_add_s`        | that 16-bit dot, adjacent pairs sign-extended and summed, plus `c` (all wrapping) |
//!
//! The dot products differ from the exact signed sums only when both bytes of a pair of
//! the second operand are -128 and so are the first operand's: the 16-bit sum 32768 wraps
//! to -32768, which is also the result the unsigned reading of the second operand gives.
//! `fma` comes from `std` (`mul_add`) or, without it, from `libm`; both are correctly
//! rounded.

use crate::isa::semantics;
use core::array::from_fn;
use wasm_core::V128;

// ---------------------------------------------------------------------------------------
// Lanes.

/// A lane type of one of the vector's shapes: how a [`V128`] splits into `N` lanes of it
/// (lane 0 first) and joins back.
trait Lane<const N: usize>: Copy {
    fn split(v: V128) -> [Self; N];
    fn join(lanes: [Self; N]) -> V128;
}

/// Implements [`Lane`] for each lane type: `type, count, bits type: from bits, to bits;`.
///
/// The lanes come from the vector's `u128` by shifts and go back by shifts and ors, all
/// folded away at compile time. (`V128::to_i8x16` and its siblings copy through byte
/// arrays in another crate: without cross-crate inlining they stay calls, with a round
/// trip through memory.) LLVM does not vectorise across an `i128`'s shifts, so lane-wise
/// code on them compiles to unrolled scalar code: a few instructions a lane, good for the
/// 32- and 64-bit shapes. The commonest 8- and 16-bit operations have whole-register
/// versions instead (module `swar`).
macro_rules! lane_types {
    ($($t:ty, $n:literal, $u:ty: $from_u:expr, $to_u:expr;)*) => {$(
        impl Lane<$n> for $t {
            #[inline(always)]
            fn split(v: V128) -> [$t; $n] {
                let v = v.to_bits();
                from_fn(|i| ($from_u)((v >> (i as u32 * <$u>::BITS)) as $u))
            }

            #[inline(always)]
            fn join(lanes: [$t; $n]) -> V128 {
                let mut v = 0u128;
                for (i, x) in lanes.into_iter().enumerate() {
                    v |= u128::from(($to_u)(x)) << (i as u32 * <$u>::BITS);
                }
                V128::from_bits(v)
            }
        }
    )*};
}

lane_types! {
    i8, 16, u8: |b: u8| b as i8, |x: i8| x as u8;
    u8, 16, u8: |b: u8| b, |x: u8| x;
    i16, 8, u16: |b: u16| b as i16, |x: i16| x as u16;
    u16, 8, u16: |b: u16| b, |x: u16| x;
    i32, 4, u32: |b: u32| b as i32, |x: i32| x as u32;
    u32, 4, u32: |b: u32| b, |x: u32| x;
    i64, 2, u64: |b: u64| b as i64, |x: i64| x as u64;
    u64, 2, u64: |b: u64| b, |x: u64| x;
    f32, 4, u32: f32::from_bits, f32::to_bits;
    f64, 2, u64: f64::from_bits, f64::to_bits;
}

/// The lanes of `v` (their type says the shape).
#[inline(always)]
fn split<T: Lane<N>, const N: usize>(v: V128) -> [T; N] {
    T::split(v)
}

/// The vector of these lanes.
#[inline(always)]
fn join<T: Lane<N>, const N: usize>(lanes: [T; N]) -> V128 {
    T::join(lanes)
}

/// `f` applied to each lane of `a`.
#[inline(always)]
fn map<T: Lane<N>, U: Lane<N>, const N: usize>(a: V128, f: impl Fn(T) -> U) -> V128 {
    join(split::<T, N>(a).map(f))
}

/// `f` applied to each pair of same-numbered lanes of `a` and `b`.
#[inline(always)]
fn zip<T: Lane<N>, U: Lane<N>, const N: usize>(a: V128, b: V128, f: impl Fn(T, T) -> U) -> V128 {
    let (a, b) = (split::<T, N>(a), split::<T, N>(b));
    join(from_fn(|i| f(a[i], b[i])))
}

/// `f` applied to each triple of same-numbered lanes of `a`, `b` and `c`.
#[inline(always)]
fn zip3<T: Lane<N>, const N: usize>(a: V128, b: V128, c: V128, f: impl Fn(T, T, T) -> T) -> V128 {
    let (a, b, c) = (split::<T, N>(a), split::<T, N>(b), split::<T, N>(c));
    join(from_fn(|i| f(a[i], b[i], c[i])))
}

/// `f` applied to each lane of the low (or `high`) half of `a`'s `M` lanes, giving `N`
/// lanes twice as wide.
#[inline(always)]
fn widen<T: Lane<M>, U: Lane<N>, const M: usize, const N: usize>(
    a: V128,
    high: bool,
    f: impl Fn(T) -> U,
) -> V128 {
    let a = split::<T, M>(a);
    let base = if high { N } else { 0 };
    join(from_fn(|i| f(a[(base + i) & (M - 1)])))
}

/// [`widen`] with two operands.
#[inline(always)]
fn widen2<T: Lane<M>, U: Lane<N>, const M: usize, const N: usize>(
    a: V128,
    b: V128,
    high: bool,
    f: impl Fn(T, T) -> U,
) -> V128 {
    let (a, b) = (split::<T, M>(a), split::<T, M>(b));
    let base = if high { N } else { 0 };
    join(from_fn(|i| {
        f(a[(base + i) & (M - 1)], b[(base + i) & (M - 1)])
    }))
}

/// `f` applied to each pair of adjacent lanes (`2i`, `2i + 1`) of `a` and of `b`, giving
/// lane `i` of `N`, half as many lanes.
#[inline(always)]
fn pairwise<T: Lane<M>, U: Lane<N>, const M: usize, const N: usize>(
    a: V128,
    b: V128,
    f: impl Fn([T; 2], [T; 2]) -> U,
) -> V128 {
    let (a, b) = (split::<T, M>(a), split::<T, M>(b));
    let pair = |v: &[T; M], i: usize| [v[(2 * i) & (M - 1)], v[(2 * i + 1) & (M - 1)]];
    join(from_fn(|i| f(pair(&a, i), pair(&b, i))))
}

/// The `M` lanes of `a` then those of `b`, each narrowed by `f` (to `N = 2M` lanes).
#[inline(always)]
fn narrow<T: Lane<M>, U: Lane<N>, const M: usize, const N: usize>(
    a: V128,
    b: V128,
    f: impl Fn(T) -> U,
) -> V128 {
    let (a, b) = (split::<T, M>(a), split::<T, M>(b));
    join(from_fn(|i| {
        f(if i < M {
            a[i & (M - 1)]
        } else {
            b[i & (M - 1)]
        })
    }))
}

// ---------------------------------------------------------------------------------------
// Families of operators, lane by lane.

/// Defines unary operators lane by lane: `name(lane type) |x| new lane;`.
macro_rules! unary {
    ($($name:ident($t:ty) |$x:ident| $e:expr;)*) => {$(
        #[doc = concat!("`", stringify!($name), "`, lane by lane.")]
        #[inline]
        pub(crate) fn $name(a: V128) -> V128 {
            map(a, |$x: $t| $e)
        }
    )*};
}

/// Defines binary operators lane by lane: `name(lane type) |x, y| new lane;`.
macro_rules! binary {
    ($($name:ident($t:ty) |$x:ident, $y:ident| $e:expr;)*) => {$(
        #[doc = concat!("`", stringify!($name), "`, lane by lane.")]
        #[inline]
        pub(crate) fn $name(a: V128, b: V128) -> V128 {
            zip(a, b, |$x: $t, $y: $t| $e)
        }
    )*};
}

/// Defines comparisons: per lane all ones where `a op b` holds, else zeros. Each line is
/// `lane type => mask lane type: name op, ...;`.
macro_rules! compare {
    ($($t:ty => $m:ty: $($name:ident $op:tt),*;)*) => {$($(
        #[doc = concat!(
            "`", stringify!($name), "`: all ones in each lane where `a ", stringify!($op),
            " b`, else zeros."
        )]
        #[inline]
        pub(crate) fn $name(a: V128, b: V128) -> V128 {
            zip(a, b, |x: $t, y: $t| -> $m { -<$m>::from(x $op y) })
        }
    )*)*};
}

/// Defines shifts, whose count is taken modulo the lane width (the `wrapping_` shifts
/// mask it so): `name(lane type) method;`.
macro_rules! shift {
    ($($name:ident($t:ty) $method:ident;)*) => {$(
        #[doc = concat!("`", stringify!($name), "`: each lane shifted by `s` modulo its width.")]
        #[inline]
        pub(crate) fn $name(a: V128, s: i32) -> V128 {
            let s = s as u32;
            map(a, |x: $t| x.$method(s))
        }
    )*};
}

/// Defines `all_true` for each lane width: `name(lane bits);`.
macro_rules! all_true {
    ($($name:ident($bits:literal);)*) => {$(
        #[doc = concat!("`", stringify!($name), "`: 1 if no lane is zero, else 0.")]
        #[inline]
        pub(crate) fn $name(a: V128) -> i32 {
            i32::from(!swar::has_zero_lane(a.to_bits(), $bits))
        }
    )*};
}

/// Defines `bitmask` for each shape: `name(lane type);`.
macro_rules! bitmask {
    ($($name:ident($t:ty);)*) => {$(
        #[doc = concat!("`", stringify!($name), "`: bit `i` is the sign bit of lane `i`.")]
        #[inline]
        pub(crate) fn $name(a: V128) -> i32 {
            let a: [$t; 16 / size_of::<$t>()] = split(a);
            a.iter().rev().fold(0, |mask, &x| (mask << 1) | i32::from(x < 0))
        }
    )*};
}

/// Defines extensions of the low or high half's lanes: `name(from => to) low|high;`.
macro_rules! extend {
    ($($name:ident($t:ty => $w:ty) $half:ident;)*) => {$(
        #[doc = concat!("`", stringify!($name), "`.")]
        #[inline]
        pub(crate) fn $name(a: V128) -> V128 {
            widen(a, half!($half), |x: $t| <$w>::from(x))
        }
    )*};
}

/// Defines extending multiplications of the low or high half's lanes (never
/// overflowing): `name(from => to) low|high;`.
macro_rules! extmul {
    ($($name:ident($t:ty => $w:ty) $half:ident;)*) => {$(
        #[doc = concat!("`", stringify!($name), "`.")]
        #[inline]
        pub(crate) fn $name(a: V128, b: V128) -> V128 {
            widen2(a, b, half!($half), |x: $t, y: $t| <$w>::from(x) * <$w>::from(y))
        }
    )*};
}

macro_rules! half {
    (low) => {
        false
    };
    (high) => {
        true
    };
}

/// Defines the sums of adjacent lane pairs, extended (never overflowing):
/// `name(from => to);`.
macro_rules! extadd_pairwise {
    ($($name:ident($t:ty => $w:ty);)*) => {$(
        #[doc = concat!("`", stringify!($name), "`.")]
        #[inline]
        pub(crate) fn $name(a: V128) -> V128 {
            pairwise(a, a, |[x, y]: [$t; 2], _| <$w>::from(x) + <$w>::from(y))
        }
    )*};
}

/// Defines the saturating narrowings of two vectors' lanes: `name(from => to);`.
macro_rules! narrowing {
    ($($name:ident($t:ty => $n:ty);)*) => {$(
        #[doc = concat!(
            "`", stringify!($name), "`: `a`'s lanes then `b`'s, each saturated to `",
            stringify!($n), "`."
        )]
        #[inline]
        pub(crate) fn $name(a: V128, b: V128) -> V128 {
            narrow(a, b, |x: $t| x.max(<$t>::from(<$n>::MIN)).min(<$t>::from(<$n>::MAX)) as $n)
        }
    )*};
}

/// The bits of lane `lane & (n - 1)` of `bits`-wide lanes, in the low bits (above them,
/// the lanes that follow it in the same 64-bit half).
///
/// Lanes are found in the vector's two 64-bit halves rather than by shifting the `u128`:
/// a run-time shift of a `u128` compiles to a double shift and two conditional moves per
/// half, a half's shift to one instruction.
#[inline(always)]
fn get_lane(a: V128, lane: u8, n: u8, bits: u32) -> u64 {
    let bit = u32::from(lane & (n - 1)) * bits;
    a.to_cells()[(bit / 64) as usize] >> (bit % 64)
}

/// `a` with lane `lane & (n - 1)` of `bits`-wide lanes set to the low bits of `x`.
#[inline(always)]
fn set_lane(a: V128, lane: u8, n: u8, bits: u32, x: u64) -> V128 {
    let bit = u32::from(lane & (n - 1)) * bits;
    let (half, shift) = ((bit / 64) as usize, bit % 64);
    let mask = (u64::MAX >> (64 - bits)) << shift;
    let mut cells = a.to_cells();
    cells[half] = (cells[half] & !mask) | ((x << shift) & mask);
    V128::from_cells(cells)
}

// ---------------------------------------------------------------------------------------
// Whole-register lane arithmetic, for the 8- and 16-bit lanes that lane-wise code on an
// `i128` handles one by one.

/// Lane-wise operations on all the `bits`-wide lanes of a `u128` at once ("SIMD within a
/// register"), for `bits` 8 or 16 (`all_true` also takes 32 and 64). `H` below is the
/// lanes' high bits: masking them off keeps carries and borrows inside each lane.
mod swar {
    /// 1 in the low bit of every `bits`-wide lane (`bits` divides 128).
    #[inline(always)]
    const fn low_bits(bits: u32) -> u128 {
        u128::MAX / (u128::MAX >> (128 - bits))
    }

    /// 1 in the high bit of every `bits`-wide lane.
    #[inline(always)]
    const fn high_bits(bits: u32) -> u128 {
        low_bits(bits) << (bits - 1)
    }

    /// All ones in each lane whose high bit is set in `high` (which has no other bits):
    /// a lane's high bit `2^(k + bits - 1)` becomes `2^(k + bits) - 2^k`.
    #[inline(always)]
    fn fill(high: u128, bits: u32) -> u128 {
        (high << 1).wrapping_sub(high >> (bits - 1))
    }

    /// Wrapping `a + b`: the low bits of each lane add without carrying out of it, and
    /// each high bit is the xor of the operands' and the carry into it.
    #[inline(always)]
    pub(super) fn add(a: u128, b: u128, bits: u32) -> u128 {
        let h = high_bits(bits);
        ((a & !h) + (b & !h)) ^ ((a ^ b) & h)
    }

    /// Wrapping `a - b`: with `a`'s high bits set and `b`'s cleared no lane borrows from
    /// the next, and each high bit is then corrected by xor.
    #[inline(always)]
    pub(super) fn sub(a: u128, b: u128, bits: u32) -> u128 {
        let h = high_bits(bits);
        ((a | h) - (b & !h)) ^ ((a ^ !b) & h)
    }

    /// The high bit of each lane where `a + b` (with wrapped sum `sum`) carries out.
    #[inline(always)]
    fn carry(a: u128, b: u128, sum: u128, bits: u32) -> u128 {
        ((a & b) | ((a | b) & !sum)) & high_bits(bits)
    }

    /// The high bit of each lane where `a - b` (with wrapped difference `diff`) borrows:
    /// where `a < b`, unsigned.
    #[inline(always)]
    fn borrow(a: u128, b: u128, diff: u128, bits: u32) -> u128 {
        ((!a & b) | (!(a ^ b) & diff)) & high_bits(bits)
    }

    /// Each lane of `wrapped` where `overflow` has the high bit, saturated towards `a`'s
    /// sign: `0111…` plus the sign bit moved to bit 0 gives the maximum or the minimum.
    #[inline(always)]
    fn saturate_s(a: u128, wrapped: u128, overflow: u128, bits: u32) -> u128 {
        let h = high_bits(bits);
        let limit = !h + ((a & h) >> (bits - 1));
        let m = fill(overflow & h, bits);
        (wrapped & !m) | (limit & m)
    }

    #[inline(always)]
    pub(super) fn add_sat_u(a: u128, b: u128, bits: u32) -> u128 {
        let sum = add(a, b, bits);
        sum | fill(carry(a, b, sum, bits), bits)
    }

    #[inline(always)]
    pub(super) fn sub_sat_u(a: u128, b: u128, bits: u32) -> u128 {
        let diff = sub(a, b, bits);
        diff & !fill(borrow(a, b, diff, bits), bits)
    }

    /// Signed overflow: the operands have the same sign and the sum another.
    #[inline(always)]
    pub(super) fn add_sat_s(a: u128, b: u128, bits: u32) -> u128 {
        let sum = add(a, b, bits);
        saturate_s(a, sum, !(a ^ b) & (a ^ sum), bits)
    }

    /// Signed overflow: the operands differ in sign and the difference differs from `a`.
    #[inline(always)]
    pub(super) fn sub_sat_s(a: u128, b: u128, bits: u32) -> u128 {
        let diff = sub(a, b, bits);
        saturate_s(a, diff, (a ^ b) & (a ^ diff), bits)
    }

    /// All ones in each lane where `a == b`: a lane of `x = a ^ b` is nonzero exactly when
    /// its high bit, or the carry out of its low bits plus `0111…`, is set (that sum stays
    /// inside the lane).
    #[inline(always)]
    pub(super) fn eq(a: u128, b: u128, bits: u32) -> u128 {
        let h = high_bits(bits);
        let x = a ^ b;
        fill(!(((x & !h) + !h) | x) & h, bits)
    }

    /// All ones in each lane where `a < b`, unsigned.
    #[inline(always)]
    pub(super) fn lt_u(a: u128, b: u128, bits: u32) -> u128 {
        fill(borrow(a, b, sub(a, b, bits), bits), bits)
    }

    /// All ones in each lane where `a < b`, signed: unsigned after flipping the sign bits.
    #[inline(always)]
    pub(super) fn lt_s(a: u128, b: u128, bits: u32) -> u128 {
        let h = high_bits(bits);
        lt_u(a ^ h, b ^ h, bits)
    }

    /// `x` in the lanes where `mask` is all ones, `y` where it is zeros.
    #[inline(always)]
    fn select(mask: u128, x: u128, y: u128) -> u128 {
        (x & mask) | (y & !mask)
    }

    #[inline(always)]
    pub(super) fn min_u(a: u128, b: u128, bits: u32) -> u128 {
        select(lt_u(a, b, bits), a, b)
    }

    #[inline(always)]
    pub(super) fn max_u(a: u128, b: u128, bits: u32) -> u128 {
        select(lt_u(a, b, bits), b, a)
    }

    #[inline(always)]
    pub(super) fn min_s(a: u128, b: u128, bits: u32) -> u128 {
        select(lt_s(a, b, bits), a, b)
    }

    #[inline(always)]
    pub(super) fn max_s(a: u128, b: u128, bits: u32) -> u128 {
        select(lt_s(a, b, bits), b, a)
    }

    /// `(a + b + 1) >> 1`, unsigned, as `(a | b) - ((a ^ b) >> 1)` (which never overflows).
    #[inline(always)]
    pub(super) fn avgr_u(a: u128, b: u128, bits: u32) -> u128 {
        sub(a | b, ((a ^ b) >> 1) & !high_bits(bits), bits)
    }

    /// Wrapping absolute value: `(a ^ s) - s` with `s` all ones in the negative lanes.
    #[inline(always)]
    pub(super) fn abs(a: u128, bits: u32) -> u128 {
        let s = fill(a & high_bits(bits), bits);
        sub(a ^ s, s, bits)
    }

    /// Each byte's count of ones: summed in 2-, then 4-, then 8-bit groups.
    #[inline(always)]
    pub(super) fn popcnt8(a: u128) -> u128 {
        let l = low_bits(8);
        let x = a - ((a >> 1) & (l * 0x55));
        let x = (x & (l * 0x33)) + ((x >> 2) & (l * 0x33));
        (x + (x >> 4)) & (l * 0x0f)
    }

    /// `a << s` per lane, `s` modulo the width: without the bits that crossed lanes.
    #[inline(always)]
    pub(super) fn shl(a: u128, s: i32, bits: u32) -> u128 {
        let s = s as u32 & (bits - 1);
        (a << s) & !(low_bits(bits) * ((1 << s) - 1))
    }

    /// Logical `a >> s` per lane, `s` modulo the width: each lane's low `bits - s` bits.
    #[inline(always)]
    pub(super) fn shr_u(a: u128, s: i32, bits: u32) -> u128 {
        let s = s as u32 & (bits - 1);
        (a >> s) & (low_bits(bits) * ((u128::MAX >> (128 - bits)) >> s))
    }

    /// Arithmetic `a >> s` per lane, `s` modulo the width: the logical shift,
    /// sign-extended from the sign bit's new place `m` as `(y ^ m) - m`.
    #[inline(always)]
    pub(super) fn shr_s(a: u128, s: i32, bits: u32) -> u128 {
        let m = high_bits(bits) >> (s as u32 & (bits - 1));
        sub(shr_u(a, s, bits) ^ m, m, bits)
    }

    /// Whether some lane is zero: `(a - L) & !a & H` (`L` the lanes' low bits) is nonzero
    /// exactly then. Below the lowest zero lane nothing borrows, and no lane `v ≥ 1` has
    /// the high bit in both `v - 1` and `!v`; the lowest zero lane becomes all ones, with
    /// its high bit also in `!a`.
    #[inline(always)]
    pub(super) fn has_zero_lane(a: u128, bits: u32) -> bool {
        a.wrapping_sub(low_bits(bits)) & !a & high_bits(bits) != 0
    }
}

/// Defines binary operators computed on the whole register: `name |a, b| u128 result;`.
macro_rules! swar_binary {
    ($($name:ident |$a:ident, $b:ident| $e:expr;)*) => {$(
        #[doc = concat!("`", stringify!($name), "`, on all lanes at once.")]
        #[inline]
        pub(crate) fn $name(a: V128, b: V128) -> V128 {
            let ($a, $b) = (a.to_bits(), b.to_bits());
            V128::from_bits($e)
        }
    )*};
}

/// Defines unary operators computed on the whole register: `name |a| u128 result;`.
macro_rules! swar_unary {
    ($($name:ident |$a:ident| $e:expr;)*) => {$(
        #[doc = concat!("`", stringify!($name), "`, on all lanes at once.")]
        #[inline]
        pub(crate) fn $name(a: V128) -> V128 {
            let $a = a.to_bits();
            V128::from_bits($e)
        }
    )*};
}

/// Defines shifts computed on the whole register: `name |a, s| u128 result;`.
macro_rules! swar_shift {
    ($($name:ident |$a:ident, $s:ident| $e:expr;)*) => {$(
        #[doc = concat!("`", stringify!($name), "`: each lane shifted by `s` modulo its width.")]
        #[inline]
        pub(crate) fn $name(a: V128, $s: i32) -> V128 {
            let $a = a.to_bits();
            V128::from_bits($e)
        }
    )*};
}

// ---------------------------------------------------------------------------------------
// Whole vectors.

/// `v128.not`.
#[inline]
pub(crate) fn v128_not(a: V128) -> V128 {
    V128::from_bits(!a.to_bits())
}

/// `v128.and`.
#[inline]
pub(crate) fn v128_and(a: V128, b: V128) -> V128 {
    V128::from_bits(a.to_bits() & b.to_bits())
}

/// `v128.andnot`: `a & !b`.
#[inline]
pub(crate) fn v128_andnot(a: V128, b: V128) -> V128 {
    V128::from_bits(a.to_bits() & !b.to_bits())
}

/// `v128.or`.
#[inline]
pub(crate) fn v128_or(a: V128, b: V128) -> V128 {
    V128::from_bits(a.to_bits() | b.to_bits())
}

/// `v128.xor`.
#[inline]
pub(crate) fn v128_xor(a: V128, b: V128) -> V128 {
    V128::from_bits(a.to_bits() ^ b.to_bits())
}

/// `v128.bitselect`: the bits of `a` where `c` has ones, those of `b` where it has zeros.
#[inline]
pub(crate) fn v128_bitselect(a: V128, b: V128, c: V128) -> V128 {
    let c = c.to_bits();
    V128::from_bits((a.to_bits() & c) | (b.to_bits() & !c))
}

/// `v128.any_true`: 1 if any bit is set, else 0.
#[inline]
pub(crate) fn v128_any_true(a: V128) -> i32 {
    i32::from(a.to_bits() != 0)
}

// ---------------------------------------------------------------------------------------
// Splats, lanes, shuffles.

/// `i8x16.splat`: the low 8 bits of `x` in every lane.
#[inline]
pub(crate) fn i8x16_splat(x: i32) -> V128 {
    join([x as i8; 16])
}

/// `i16x8.splat`: the low 16 bits of `x` in every lane.
#[inline]
pub(crate) fn i16x8_splat(x: i32) -> V128 {
    join([x as i16; 8])
}

/// `i32x4.splat`.
#[inline]
pub(crate) fn i32x4_splat(x: i32) -> V128 {
    join([x; 4])
}

/// `i64x2.splat`.
#[inline]
pub(crate) fn i64x2_splat(x: i64) -> V128 {
    join([x; 2])
}

/// `f32x4.splat` (bit-exact).
#[inline]
pub(crate) fn f32x4_splat(x: f32) -> V128 {
    join([x.to_bits(); 4])
}

/// `f64x2.splat` (bit-exact).
#[inline]
pub(crate) fn f64x2_splat(x: f64) -> V128 {
    join([x.to_bits(); 2])
}

/// `i8x16.extract_lane_s`: lane `lane` (modulo 16), sign-extended.
#[inline]
pub(crate) fn i8x16_extract_lane_s(a: V128, lane: u8) -> i32 {
    i32::from(get_lane(a, lane, 16, 8) as i8)
}

/// `i8x16.extract_lane_u`: lane `lane` (modulo 16), zero-extended.
#[inline]
pub(crate) fn i8x16_extract_lane_u(a: V128, lane: u8) -> i32 {
    i32::from(get_lane(a, lane, 16, 8) as u8)
}

/// `i8x16.replace_lane`: `a` with lane `lane` (modulo 16) set to the low 8 bits of `x`.
#[inline]
pub(crate) fn i8x16_replace_lane(a: V128, lane: u8, x: i32) -> V128 {
    set_lane(a, lane, 16, 8, u64::from(x as u8))
}

/// `i16x8.extract_lane_s`: lane `lane` (modulo 8), sign-extended.
#[inline]
pub(crate) fn i16x8_extract_lane_s(a: V128, lane: u8) -> i32 {
    i32::from(get_lane(a, lane, 8, 16) as i16)
}

/// `i16x8.extract_lane_u`: lane `lane` (modulo 8), zero-extended.
#[inline]
pub(crate) fn i16x8_extract_lane_u(a: V128, lane: u8) -> i32 {
    i32::from(get_lane(a, lane, 8, 16) as u16)
}

/// `i16x8.replace_lane`: `a` with lane `lane` (modulo 8) set to the low 16 bits of `x`.
#[inline]
pub(crate) fn i16x8_replace_lane(a: V128, lane: u8, x: i32) -> V128 {
    set_lane(a, lane, 8, 16, u64::from(x as u16))
}

/// `i32x4.extract_lane`: lane `lane` (modulo 4).
#[inline]
pub(crate) fn i32x4_extract_lane(a: V128, lane: u8) -> i32 {
    get_lane(a, lane, 4, 32) as i32
}

/// `i32x4.replace_lane`: `a` with lane `lane` (modulo 4) set to `x`.
#[inline]
pub(crate) fn i32x4_replace_lane(a: V128, lane: u8, x: i32) -> V128 {
    set_lane(a, lane, 4, 32, u64::from(x as u32))
}

/// `i64x2.extract_lane`: lane `lane` (modulo 2).
#[inline]
pub(crate) fn i64x2_extract_lane(a: V128, lane: u8) -> i64 {
    get_lane(a, lane, 2, 64) as i64
}

/// `i64x2.replace_lane`: `a` with lane `lane` (modulo 2) set to `x`.
#[inline]
pub(crate) fn i64x2_replace_lane(a: V128, lane: u8, x: i64) -> V128 {
    set_lane(a, lane, 2, 64, x as u64)
}

/// `f32x4.extract_lane`: lane `lane` (modulo 4), bit-exact.
#[inline]
pub(crate) fn f32x4_extract_lane(a: V128, lane: u8) -> f32 {
    f32::from_bits(get_lane(a, lane, 4, 32) as u32)
}

/// `f32x4.replace_lane`: `a` with lane `lane` (modulo 4) set to `x`, bit-exact.
#[inline]
pub(crate) fn f32x4_replace_lane(a: V128, lane: u8, x: f32) -> V128 {
    set_lane(a, lane, 4, 32, u64::from(x.to_bits()))
}

/// `f64x2.extract_lane`: lane `lane` (modulo 2), bit-exact.
#[inline]
pub(crate) fn f64x2_extract_lane(a: V128, lane: u8) -> f64 {
    f64::from_bits(get_lane(a, lane, 2, 64))
}

/// `f64x2.replace_lane`: `a` with lane `lane` (modulo 2) set to `x`, bit-exact.
#[inline]
pub(crate) fn f64x2_replace_lane(a: V128, lane: u8, x: f64) -> V128 {
    set_lane(a, lane, 2, 64, x.to_bits())
}

/// `i8x16.shuffle`: byte `i` is byte `lanes[i]` (the bytes of `lanes`) of `a` then `b`
/// (32 bytes; the index is taken modulo 32).
///
/// Never inlined, nor is [`i8x16_swizzle`], and neither takes an array: their byte
/// arrays live in memory, and in a threaded handler an array whose address is taken (an
/// array argument is passed by address) keeps the handler's stack frame alive across its
/// last call, which then is no longer a jump (every shuffle in a loop would grow the
/// native stack; `tests/threaded.rs` checks it).
#[inline(never)]
pub(crate) fn i8x16_shuffle(a: V128, b: V128, lanes: V128) -> V128 {
    // Byte arrays (in memory) are the cheapest to index with run-time indices.
    let (a, b) = (a.to_bytes(), b.to_bytes());
    V128::from_bytes(lanes.to_bytes().map(|j| {
        let k = usize::from(j & 15);
        if (j & 16) == 0 { a[k] } else { b[k] }
    }))
}

/// `i8x16.swizzle`: byte `i` is byte `s[i]` of `a`, or 0 if `s[i]` is 16 or more.
/// Never inlined (see [`i8x16_shuffle`]).
#[inline(never)]
pub(crate) fn i8x16_swizzle(a: V128, s: V128) -> V128 {
    let a = a.to_bytes();
    V128::from_bytes(
        s.to_bytes()
            .map(|j| if j < 16 { a[usize::from(j & 15)] } else { 0 }),
    )
}

// ---------------------------------------------------------------------------------------
// Integer lanes.

swar_binary! {
    i8x16_add |a, b| swar::add(a, b, 8);
    i8x16_add_sat_s |a, b| swar::add_sat_s(a, b, 8);
    i8x16_add_sat_u |a, b| swar::add_sat_u(a, b, 8);
    i8x16_sub |a, b| swar::sub(a, b, 8);
    i8x16_sub_sat_s |a, b| swar::sub_sat_s(a, b, 8);
    i8x16_sub_sat_u |a, b| swar::sub_sat_u(a, b, 8);
    i8x16_min_s |a, b| swar::min_s(a, b, 8);
    i8x16_min_u |a, b| swar::min_u(a, b, 8);
    i8x16_max_s |a, b| swar::max_s(a, b, 8);
    i8x16_max_u |a, b| swar::max_u(a, b, 8);
    i8x16_avgr_u |a, b| swar::avgr_u(a, b, 8);
    i8x16_eq |a, b| swar::eq(a, b, 8);
    i8x16_ne |a, b| !swar::eq(a, b, 8);
    i8x16_lt_s |a, b| swar::lt_s(a, b, 8);
    i8x16_lt_u |a, b| swar::lt_u(a, b, 8);
    i8x16_gt_s |a, b| swar::lt_s(b, a, 8);
    i8x16_gt_u |a, b| swar::lt_u(b, a, 8);
    i8x16_le_s |a, b| !swar::lt_s(b, a, 8);
    i8x16_le_u |a, b| !swar::lt_u(b, a, 8);
    i8x16_ge_s |a, b| !swar::lt_s(a, b, 8);
    i8x16_ge_u |a, b| !swar::lt_u(a, b, 8);

    i16x8_add |a, b| swar::add(a, b, 16);
    i16x8_add_sat_s |a, b| swar::add_sat_s(a, b, 16);
    i16x8_add_sat_u |a, b| swar::add_sat_u(a, b, 16);
    i16x8_sub |a, b| swar::sub(a, b, 16);
    i16x8_sub_sat_s |a, b| swar::sub_sat_s(a, b, 16);
    i16x8_sub_sat_u |a, b| swar::sub_sat_u(a, b, 16);
    i16x8_min_s |a, b| swar::min_s(a, b, 16);
    i16x8_min_u |a, b| swar::min_u(a, b, 16);
    i16x8_max_s |a, b| swar::max_s(a, b, 16);
    i16x8_max_u |a, b| swar::max_u(a, b, 16);
    i16x8_avgr_u |a, b| swar::avgr_u(a, b, 16);
    i16x8_eq |a, b| swar::eq(a, b, 16);
    i16x8_ne |a, b| !swar::eq(a, b, 16);
    i16x8_lt_s |a, b| swar::lt_s(a, b, 16);
    i16x8_lt_u |a, b| swar::lt_u(a, b, 16);
    i16x8_gt_s |a, b| swar::lt_s(b, a, 16);
    i16x8_gt_u |a, b| swar::lt_u(b, a, 16);
    i16x8_le_s |a, b| !swar::lt_s(b, a, 16);
    i16x8_le_u |a, b| !swar::lt_u(b, a, 16);
    i16x8_ge_s |a, b| !swar::lt_s(a, b, 16);
    i16x8_ge_u |a, b| !swar::lt_u(a, b, 16);
}

swar_unary! {
    i8x16_abs |a| swar::abs(a, 8);
    i8x16_neg |a| swar::sub(0, a, 8);
    i8x16_popcnt |a| swar::popcnt8(a);
    i16x8_abs |a| swar::abs(a, 16);
    i16x8_neg |a| swar::sub(0, a, 16);
}

swar_shift! {
    i8x16_shl |a, s| swar::shl(a, s, 8);
    i8x16_shr_s |a, s| swar::shr_s(a, s, 8);
    i8x16_shr_u |a, s| swar::shr_u(a, s, 8);
    i16x8_shl |a, s| swar::shl(a, s, 16);
    i16x8_shr_s |a, s| swar::shr_s(a, s, 16);
    i16x8_shr_u |a, s| swar::shr_u(a, s, 16);
}

compare! {
    i32 => i32: i32x4_eq ==, i32x4_ne !=, i32x4_lt_s <, i32x4_gt_s >, i32x4_le_s <=, i32x4_ge_s >=;
    u32 => i32: i32x4_lt_u <, i32x4_gt_u >, i32x4_le_u <=, i32x4_ge_u >=;
    i64 => i64: i64x2_eq ==, i64x2_ne !=, i64x2_lt_s <, i64x2_gt_s >, i64x2_le_s <=, i64x2_ge_s >=;
    f32 => i32: f32x4_eq ==, f32x4_ne !=, f32x4_lt <, f32x4_gt >, f32x4_le <=, f32x4_ge >=;
    f64 => i64: f64x2_eq ==, f64x2_ne !=, f64x2_lt <, f64x2_gt >, f64x2_le <=, f64x2_ge >=;
}

unary! {
    i32x4_abs(i32) |x| x.wrapping_abs();
    i32x4_neg(i32) |x| x.wrapping_neg();
    i64x2_abs(i64) |x| x.wrapping_abs();
    i64x2_neg(i64) |x| x.wrapping_neg();
}

binary! {
    i16x8_mul(i16) |x, y| x.wrapping_mul(y);
    // (x * y + 2^14) >> 15, saturated: only -32768 * -32768 (giving 32768) saturates.
    i16x8_q15mulr_sat_s(i16) |x, y| {
        let r = (i32::from(x) * i32::from(y) + 0x4000) >> 15;
        r.min(i32::from(i16::MAX)) as i16
    };

    i32x4_add(i32) |x, y| x.wrapping_add(y);
    i32x4_sub(i32) |x, y| x.wrapping_sub(y);
    i32x4_mul(i32) |x, y| x.wrapping_mul(y);
    i32x4_min_s(i32) |x, y| x.min(y);
    i32x4_min_u(u32) |x, y| x.min(y);
    i32x4_max_s(i32) |x, y| x.max(y);
    i32x4_max_u(u32) |x, y| x.max(y);

    i64x2_add(i64) |x, y| x.wrapping_add(y);
    i64x2_sub(i64) |x, y| x.wrapping_sub(y);
    i64x2_mul(i64) |x, y| x.wrapping_mul(y);
}

shift! {
    i32x4_shl(i32) wrapping_shl;
    i32x4_shr_s(i32) wrapping_shr;
    i32x4_shr_u(u32) wrapping_shr;
    i64x2_shl(i64) wrapping_shl;
    i64x2_shr_s(i64) wrapping_shr;
    i64x2_shr_u(u64) wrapping_shr;
}

all_true! {
    i8x16_all_true(8);
    i16x8_all_true(16);
    i32x4_all_true(32);
    i64x2_all_true(64);
}

bitmask! {
    i16x8_bitmask(i16);
    i32x4_bitmask(i32);
    i64x2_bitmask(i64);
}

/// `i8x16.bitmask`: bit `i` is the sign bit of lane `i`.
#[inline]
pub(crate) fn i8x16_bitmask(a: V128) -> i32 {
    // Per 64-bit half: the sign bits moved to bit 0 of each byte (bit `8i` for lane `i`),
    // then multiplied by the sum of `2^(7j + 7)`: lane `i`'s bit lands at `8i + 7j + 7`,
    // which is `56 + i` for `j = 7 - i`; the other products fall below bit 56 (all at
    // different bits, so nothing carries) or above bit 63.
    const GATHER: u64 = 0x0102_0408_1020_4080;
    let byte = |half: u64| ((half >> 7) & 0x0101_0101_0101_0101).wrapping_mul(GATHER) >> 56;
    let [lo, hi] = a.to_cells();
    (byte(lo) | (byte(hi) << 8)) as i32
}

narrowing! {
    i8x16_narrow_i16x8_s(i16 => i8);
    i8x16_narrow_i16x8_u(i16 => u8);
    i16x8_narrow_i32x4_s(i32 => i16);
    i16x8_narrow_i32x4_u(i32 => u16);
}

extend! {
    i16x8_extend_low_i8x16_s(i8 => i16) low;
    i16x8_extend_high_i8x16_s(i8 => i16) high;
    i16x8_extend_low_i8x16_u(u8 => u16) low;
    i16x8_extend_high_i8x16_u(u8 => u16) high;
    i32x4_extend_low_i16x8_s(i16 => i32) low;
    i32x4_extend_high_i16x8_s(i16 => i32) high;
    i32x4_extend_low_i16x8_u(u16 => u32) low;
    i32x4_extend_high_i16x8_u(u16 => u32) high;
    i64x2_extend_low_i32x4_s(i32 => i64) low;
    i64x2_extend_high_i32x4_s(i32 => i64) high;
    i64x2_extend_low_i32x4_u(u32 => u64) low;
    i64x2_extend_high_i32x4_u(u32 => u64) high;
}

extmul! {
    i16x8_extmul_low_i8x16_s(i8 => i16) low;
    i16x8_extmul_high_i8x16_s(i8 => i16) high;
    i16x8_extmul_low_i8x16_u(u8 => u16) low;
    i16x8_extmul_high_i8x16_u(u8 => u16) high;
    i32x4_extmul_low_i16x8_s(i16 => i32) low;
    i32x4_extmul_high_i16x8_s(i16 => i32) high;
    i32x4_extmul_low_i16x8_u(u16 => u32) low;
    i32x4_extmul_high_i16x8_u(u16 => u32) high;
    i64x2_extmul_low_i32x4_s(i32 => i64) low;
    i64x2_extmul_high_i32x4_s(i32 => i64) high;
    i64x2_extmul_low_i32x4_u(u32 => u64) low;
    i64x2_extmul_high_i32x4_u(u32 => u64) high;
}

extadd_pairwise! {
    i16x8_extadd_pairwise_i8x16_s(i8 => i16);
    i16x8_extadd_pairwise_i8x16_u(u8 => u16);
    i32x4_extadd_pairwise_i16x8_s(i16 => i32);
    i32x4_extadd_pairwise_i16x8_u(u16 => u32);
}

/// `i32x4.dot_i16x8_s`: the sums of the products of adjacent signed lane pairs (the
/// one overflowing sum, all four -32768, wraps to `i32::MIN`).
#[inline]
pub(crate) fn i32x4_dot_i16x8_s(a: V128, b: V128) -> V128 {
    pairwise(a, b, |[a0, a1]: [i16; 2], [b0, b1]| {
        (i32::from(a0) * i32::from(b0)).wrapping_add(i32::from(a1) * i32::from(b1))
    })
}

// ---------------------------------------------------------------------------------------
// Float lanes.

unary! {
    f32x4_abs(u32) |x| x & !(1 << 31);
    f32x4_neg(u32) |x| x ^ (1 << 31);
    f32x4_sqrt(f32) |x| semantics::quiet32(semantics::sqrt32(x));
    f32x4_ceil(f32) |x| semantics::quiet32(semantics::ceil32(x));
    f32x4_floor(f32) |x| semantics::quiet32(semantics::floor32(x));
    f32x4_trunc(f32) |x| semantics::quiet32(semantics::trunc32(x));
    f32x4_nearest(f32) |x| semantics::quiet32(semantics::nearest32(x));
    f64x2_abs(u64) |x| x & !(1 << 63);
    f64x2_neg(u64) |x| x ^ (1 << 63);
    f64x2_sqrt(f64) |x| semantics::quiet64(semantics::sqrt64(x));
    f64x2_ceil(f64) |x| semantics::quiet64(semantics::ceil64(x));
    f64x2_floor(f64) |x| semantics::quiet64(semantics::floor64(x));
    f64x2_trunc(f64) |x| semantics::quiet64(semantics::trunc64(x));
    f64x2_nearest(f64) |x| semantics::quiet64(semantics::nearest64(x));
}

binary! {
    f32x4_add(f32) |x, y| x + y;
    f32x4_sub(f32) |x, y| x - y;
    f32x4_mul(f32) |x, y| x * y;
    f32x4_div(f32) |x, y| x / y;
    f32x4_min(f32) |x, y| semantics::min32(x, y);
    f32x4_max(f32) |x, y| semantics::max32(x, y);
    // pmin: `b < a ? b : a`, pmax: `a < b ? b : a`, the chosen operand's bits.
    f32x4_pmin(u32) |x, y| if f32::from_bits(y) < f32::from_bits(x) { y } else { x };
    f32x4_pmax(u32) |x, y| if f32::from_bits(x) < f32::from_bits(y) { y } else { x };
    f64x2_add(f64) |x, y| x + y;
    f64x2_sub(f64) |x, y| x - y;
    f64x2_mul(f64) |x, y| x * y;
    f64x2_div(f64) |x, y| x / y;
    f64x2_min(f64) |x, y| semantics::min64(x, y);
    f64x2_max(f64) |x, y| semantics::max64(x, y);
    f64x2_pmin(u64) |x, y| if f64::from_bits(y) < f64::from_bits(x) { y } else { x };
    f64x2_pmax(u64) |x, y| if f64::from_bits(x) < f64::from_bits(y) { y } else { x };
}

// ---------------------------------------------------------------------------------------
// Conversions (Rust's float-to-int `as` saturates and maps NaN to 0, as `trunc_sat` does;
// int-to-float `as` rounds to nearest, ties to even).

unary! {
    i32x4_trunc_sat_f32x4_s(f32) |x| x as i32;
    i32x4_trunc_sat_f32x4_u(f32) |x| x as u32;
    f32x4_convert_i32x4_s(i32) |x| x as f32;
    f32x4_convert_i32x4_u(u32) |x| x as f32;
}

/// `i32x4.trunc_sat_f64x2_s_zero`: the two lanes truncated (saturating, NaN to 0), then
/// two zero lanes.
#[inline]
pub(crate) fn i32x4_trunc_sat_f64x2_s_zero(a: V128) -> V128 {
    let [x, y]: [f64; 2] = split(a);
    join([x as i32, y as i32, 0, 0])
}

/// `i32x4.trunc_sat_f64x2_u_zero`: the two lanes truncated (saturating, NaN to 0), then
/// two zero lanes.
#[inline]
pub(crate) fn i32x4_trunc_sat_f64x2_u_zero(a: V128) -> V128 {
    let [x, y]: [f64; 2] = split(a);
    join([x as u32, y as u32, 0, 0])
}

/// `f64x2.convert_low_i32x4_s`: the low two lanes, exactly.
#[inline]
pub(crate) fn f64x2_convert_low_i32x4_s(a: V128) -> V128 {
    let [x, y, _, _]: [i32; 4] = split(a);
    join([f64::from(x), f64::from(y)])
}

/// `f64x2.convert_low_i32x4_u`: the low two lanes, exactly.
#[inline]
pub(crate) fn f64x2_convert_low_i32x4_u(a: V128) -> V128 {
    let [x, y, _, _]: [u32; 4] = split(a);
    join([f64::from(x), f64::from(y)])
}

/// `f32x4.demote_f64x2_zero`: the two lanes rounded to `f32`, then two +0 lanes.
#[inline]
pub(crate) fn f32x4_demote_f64x2_zero(a: V128) -> V128 {
    let [x, y]: [f64; 2] = split(a);
    join([x as f32, y as f32, 0.0, 0.0])
}

/// `f64x2.promote_low_f32x4`: the low two lanes, exactly.
#[inline]
pub(crate) fn f64x2_promote_low_f32x4(a: V128) -> V128 {
    let [x, y, _, _]: [f32; 4] = split(a);
    join([f64::from(x), f64::from(y)])
}

// ---------------------------------------------------------------------------------------
// Loads: the bits the engine read, extended or zero-filled.

/// `v128.load8x8_s`: the 8 bytes of `bits` (little-endian), each sign-extended to 16.
#[inline]
pub(crate) fn v128_load8x8_s(bits: u64) -> V128 {
    let bytes = bits.to_le_bytes();
    join(bytes.map(|b| i16::from(b as i8)))
}

/// `v128.load8x8_u`: the 8 bytes of `bits` (little-endian), each zero-extended to 16.
#[inline]
pub(crate) fn v128_load8x8_u(bits: u64) -> V128 {
    let bytes = bits.to_le_bytes();
    join(bytes.map(u16::from))
}

/// `v128.load16x4_s`: the four 16-bit lanes of `bits` (little-endian), sign-extended.
#[inline]
pub(crate) fn v128_load16x4_s(bits: u64) -> V128 {
    join::<i32, 4>(from_fn(|i| i32::from((bits >> (16 * i)) as i16)))
}

/// `v128.load16x4_u`: the four 16-bit lanes of `bits` (little-endian), zero-extended.
#[inline]
pub(crate) fn v128_load16x4_u(bits: u64) -> V128 {
    join::<u32, 4>(from_fn(|i| u32::from((bits >> (16 * i)) as u16)))
}

/// `v128.load32x2_s`: the two 32-bit lanes of `bits` (little-endian), sign-extended.
#[inline]
pub(crate) fn v128_load32x2_s(bits: u64) -> V128 {
    join([i64::from(bits as i32), i64::from((bits >> 32) as i32)])
}

/// `v128.load32x2_u`: the two 32-bit lanes of `bits` (little-endian), zero-extended.
#[inline]
pub(crate) fn v128_load32x2_u(bits: u64) -> V128 {
    join([bits & 0xffff_ffff, bits >> 32])
}

/// `v128.load32_zero`: `bits` in lane 0 of `i32x4`, zeros above.
#[inline]
pub(crate) fn v128_load32_zero(bits: u32) -> V128 {
    V128::from_bits(u128::from(bits))
}

/// `v128.load64_zero`: `bits` in lane 0 of `i64x2`, zeros above.
#[inline]
pub(crate) fn v128_load64_zero(bits: u64) -> V128 {
    V128::from_bits(u128::from(bits))
}

// ---------------------------------------------------------------------------------------
// Relaxed SIMD (see the module documentation for the choices).

/// `a * b + c` rounded once (`std`'s `mul_add`, which is correctly rounded).
#[cfg(feature = "std")]
#[inline(always)]
fn fma32(a: f32, b: f32, c: f32) -> f32 {
    a.mul_add(b, c)
}

/// `a * b + c` rounded once (`std`'s `mul_add`, which is correctly rounded).
#[cfg(feature = "std")]
#[inline(always)]
fn fma64(a: f64, b: f64, c: f64) -> f64 {
    a.mul_add(b, c)
}

/// `a * b + c` rounded once (`libm`'s `fmaf`, which is correctly rounded).
#[cfg(not(feature = "std"))]
#[inline(always)]
fn fma32(a: f32, b: f32, c: f32) -> f32 {
    libm::fmaf(a, b, c)
}

/// `a * b + c` rounded once (`libm`'s `fma`, which is correctly rounded).
#[cfg(not(feature = "std"))]
#[inline(always)]
fn fma64(a: f64, b: f64, c: f64) -> f64 {
    libm::fma(a, b, c)
}

/// `i8x16.relaxed_swizzle`: [`i8x16_swizzle`] (an index of 16 or more gives 0).
#[inline]
pub(crate) fn i8x16_relaxed_swizzle(a: V128, s: V128) -> V128 {
    i8x16_swizzle(a, s)
}

/// `i32x4.relaxed_trunc_f32x4_s`: [`i32x4_trunc_sat_f32x4_s`].
#[inline]
pub(crate) fn i32x4_relaxed_trunc_f32x4_s(a: V128) -> V128 {
    i32x4_trunc_sat_f32x4_s(a)
}

/// `i32x4.relaxed_trunc_f32x4_u`: [`i32x4_trunc_sat_f32x4_u`].
#[inline]
pub(crate) fn i32x4_relaxed_trunc_f32x4_u(a: V128) -> V128 {
    i32x4_trunc_sat_f32x4_u(a)
}

/// `i32x4.relaxed_trunc_f64x2_s_zero`: [`i32x4_trunc_sat_f64x2_s_zero`].
#[inline]
pub(crate) fn i32x4_relaxed_trunc_f64x2_s_zero(a: V128) -> V128 {
    i32x4_trunc_sat_f64x2_s_zero(a)
}

/// `i32x4.relaxed_trunc_f64x2_u_zero`: [`i32x4_trunc_sat_f64x2_u_zero`].
#[inline]
pub(crate) fn i32x4_relaxed_trunc_f64x2_u_zero(a: V128) -> V128 {
    i32x4_trunc_sat_f64x2_u_zero(a)
}

/// `f32x4.relaxed_madd`: `a * b + c` per lane, fused (rounded once).
#[inline]
pub(crate) fn f32x4_relaxed_madd(a: V128, b: V128, c: V128) -> V128 {
    zip3(a, b, c, |x: f32, y, z| fma32(x, y, z))
}

/// `f32x4.relaxed_nmadd`: `-a * b + c` per lane, fused (rounded once).
#[inline]
pub(crate) fn f32x4_relaxed_nmadd(a: V128, b: V128, c: V128) -> V128 {
    zip3(a, b, c, |x: f32, y, z| fma32(-x, y, z))
}

/// `f64x2.relaxed_madd`: `a * b + c` per lane, fused (rounded once).
#[inline]
pub(crate) fn f64x2_relaxed_madd(a: V128, b: V128, c: V128) -> V128 {
    zip3(a, b, c, |x: f64, y, z| fma64(x, y, z))
}

/// `f64x2.relaxed_nmadd`: `-a * b + c` per lane, fused (rounded once).
#[inline]
pub(crate) fn f64x2_relaxed_nmadd(a: V128, b: V128, c: V128) -> V128 {
    zip3(a, b, c, |x: f64, y, z| fma64(-x, y, z))
}

/// `i8x16.relaxed_laneselect`: [`v128_bitselect`].
#[inline]
pub(crate) fn i8x16_relaxed_laneselect(a: V128, b: V128, c: V128) -> V128 {
    v128_bitselect(a, b, c)
}

/// `i16x8.relaxed_laneselect`: [`v128_bitselect`].
#[inline]
pub(crate) fn i16x8_relaxed_laneselect(a: V128, b: V128, c: V128) -> V128 {
    v128_bitselect(a, b, c)
}

/// `i32x4.relaxed_laneselect`: [`v128_bitselect`].
#[inline]
pub(crate) fn i32x4_relaxed_laneselect(a: V128, b: V128, c: V128) -> V128 {
    v128_bitselect(a, b, c)
}

/// `i64x2.relaxed_laneselect`: [`v128_bitselect`].
#[inline]
pub(crate) fn i64x2_relaxed_laneselect(a: V128, b: V128, c: V128) -> V128 {
    v128_bitselect(a, b, c)
}

/// `f32x4.relaxed_min`: [`f32x4_min`].
#[inline]
pub(crate) fn f32x4_relaxed_min(a: V128, b: V128) -> V128 {
    f32x4_min(a, b)
}

/// `f32x4.relaxed_max`: [`f32x4_max`].
#[inline]
pub(crate) fn f32x4_relaxed_max(a: V128, b: V128) -> V128 {
    f32x4_max(a, b)
}

/// `f64x2.relaxed_min`: [`f64x2_min`].
#[inline]
pub(crate) fn f64x2_relaxed_min(a: V128, b: V128) -> V128 {
    f64x2_min(a, b)
}

/// `f64x2.relaxed_max`: [`f64x2_max`].
#[inline]
pub(crate) fn f64x2_relaxed_max(a: V128, b: V128) -> V128 {
    f64x2_max(a, b)
}

/// `i16x8.relaxed_q15mulr_s`: [`i16x8_q15mulr_sat_s`].
#[inline]
pub(crate) fn i16x8_relaxed_q15mulr_s(a: V128, b: V128) -> V128 {
    i16x8_q15mulr_sat_s(a, b)
}

/// `i16x8.relaxed_dot_i8x16_i7x16_s`: the sums of the products of adjacent lane pairs,
/// both operands signed, the sum wrapping to 16 bits.
#[inline]
pub(crate) fn i16x8_relaxed_dot_i8x16_i7x16_s(a: V128, b: V128) -> V128 {
    pairwise(a, b, |[a0, a1]: [i8; 2], [b0, b1]| {
        (i16::from(a0) * i16::from(b0)).wrapping_add(i16::from(a1) * i16::from(b1))
    })
}

/// `i32x4.relaxed_dot_i8x16_i7x16_add_s`: [`i16x8_relaxed_dot_i8x16_i7x16_s`]'s lanes
/// summed in adjacent pairs (sign-extended), plus `c`'s lanes (wrapping).
#[inline]
pub(crate) fn i32x4_relaxed_dot_i8x16_i7x16_add_s(a: V128, b: V128, c: V128) -> V128 {
    i32x4_add(
        i32x4_extadd_pairwise_i16x8_s(i16x8_relaxed_dot_i8x16_i7x16_s(a, b)),
        c,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    // The tests build and read vectors with `V128`'s own lane methods, independent of this
    // module's `Lane` conversions (which `lanes_round_trip_as_v128_does` checks).

    fn i8s(v: [i8; 16]) -> V128 {
        V128::from_i8x16(v)
    }
    fn u8s(v: [u8; 16]) -> V128 {
        V128::from_u8x16(v)
    }
    fn i16s(v: [i16; 8]) -> V128 {
        V128::from_i16x8(v)
    }
    fn u16s(v: [u16; 8]) -> V128 {
        V128::from_u16x8(v)
    }
    fn i32s(v: [i32; 4]) -> V128 {
        V128::from_i32x4(v)
    }
    fn u32s(v: [u32; 4]) -> V128 {
        V128::from_u32x4(v)
    }
    fn i64s(v: [i64; 2]) -> V128 {
        V128::from_i64x2(v)
    }
    fn f32s(v: [f32; 4]) -> V128 {
        V128::from_f32x4(v)
    }
    fn f64s(v: [f64; 2]) -> V128 {
        V128::from_f64x2(v)
    }
    /// Lanes' bits, for exact float comparisons (signs of zeros, NaN payloads).
    fn bits32(v: V128) -> [u32; 4] {
        v.to_u32x4()
    }
    fn bits64(v: V128) -> [u64; 2] {
        v.to_u64x2()
    }
    fn splat8(x: i8) -> V128 {
        i8s([x; 16])
    }
    fn splat16(x: i16) -> V128 {
        i16s([x; 8])
    }

    /// Deterministic pseudo-random vectors (xorshift64*), mixed with edge lanes.
    struct Rng(u64);
    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
        }
        fn v128(&mut self) -> V128 {
            let bits = u128::from(self.next()) | (u128::from(self.next()) << 64);
            // Every fourth vector: each byte replaced by an edge value with odds 1/2.
            if self.next().is_multiple_of(4) {
                let edges = [0x00, 0x01, 0x7f, 0x80, 0xff, 0xfe, 0x81];
                let mut bytes = bits.to_le_bytes();
                for b in &mut bytes {
                    let r = self.next();
                    if r.is_multiple_of(2) {
                        *b = edges[(r >> 8) as usize % edges.len()];
                    }
                }
                return V128::from_bytes(bytes);
            }
            V128::from_bits(bits)
        }
    }

    const F32_SNAN: u32 = 0x7f80_0001;
    const F64_SNAN: u64 = 0x7ff0_0000_0000_0001;

    #[test]
    fn lanes_round_trip_as_v128_does() {
        let mut rng = Rng(0x1234_5678_9abc_def1);
        for _ in 0..200 {
            let v = rng.v128();
            assert_eq!(split::<i8, 16>(v), v.to_i8x16());
            assert_eq!(split::<u8, 16>(v), v.to_u8x16());
            assert_eq!(split::<i16, 8>(v), v.to_i16x8());
            assert_eq!(split::<u16, 8>(v), v.to_u16x8());
            assert_eq!(split::<i32, 4>(v), v.to_i32x4());
            assert_eq!(split::<u32, 4>(v), v.to_u32x4());
            assert_eq!(split::<i64, 2>(v), v.to_i64x2());
            assert_eq!(split::<u64, 2>(v), v.to_u64x2());
            assert_eq!(split::<f32, 4>(v).map(f32::to_bits), v.to_u32x4());
            assert_eq!(split::<f64, 2>(v).map(f64::to_bits), v.to_u64x2());
            assert_eq!(join(v.to_i8x16()), v);
            assert_eq!(join(v.to_u16x8()), v);
            assert_eq!(join(v.to_i32x4()), v);
            assert_eq!(join(v.to_i64x2()), v);
            assert_eq!(join(v.to_f32x4()), v);
            assert_eq!(join(v.to_f64x2()), v);
        }
    }

    #[test]
    fn bitwise_operations() {
        let a = V128::from_bits(0xff00_ff00_1234_5678_0000_ffff_aaaa_5555);
        let b = V128::from_bits(0x0f0f_0f0f_ffff_0000_1111_1111_ffff_0000);
        let (x, y) = (a.to_bits(), b.to_bits());
        assert_eq!(v128_not(a).to_bits(), !x);
        assert_eq!(v128_and(a, b).to_bits(), x & y);
        assert_eq!(v128_andnot(a, b).to_bits(), x & !y);
        assert_eq!(v128_or(a, b).to_bits(), x | y);
        assert_eq!(v128_xor(a, b).to_bits(), x ^ y);
        let c = V128::from_bits(0xffff_0000_f0f0_0f0f_0000_0000_ffff_ffff);
        let z = c.to_bits();
        assert_eq!(v128_bitselect(a, b, c).to_bits(), (x & z) | (y & !z));
        assert_eq!(v128_any_true(V128::from_bits(0)), 0);
        assert_eq!(v128_any_true(V128::from_bits(1 << 127)), 1);
        assert_eq!(v128_any_true(V128::from_bits(1)), 1);
    }

    #[test]
    fn splats_and_lanes() {
        assert_eq!(i8x16_splat(0x1ff), splat8(-1));
        assert_eq!(i8x16_splat(0x180), splat8(-128));
        assert_eq!(i16x8_splat(0x1_8001), splat16(-32767));
        assert_eq!(i32x4_splat(-5), i32s([-5; 4]));
        assert_eq!(i64x2_splat(i64::MIN), i64s([i64::MIN; 2]));
        assert_eq!(bits32(f32x4_splat(f32::from_bits(F32_SNAN))), [F32_SNAN; 4]);
        assert_eq!(bits64(f64x2_splat(-0.0)), [1 << 63; 2]);

        let a = i8s([
            0, -1, 2, -3, 4, -5, 6, -7, 8, -9, 10, -11, 12, -13, 14, -128,
        ]);
        assert_eq!(i8x16_extract_lane_s(a, 15), -128);
        assert_eq!(i8x16_extract_lane_u(a, 15), 128);
        assert_eq!(i8x16_extract_lane_s(a, 3), -3);
        assert_eq!(i8x16_extract_lane_u(a, 3), 253);
        // Out-of-range lanes (never validated) wrap, and do not panic.
        assert_eq!(i8x16_extract_lane_s(a, 16 + 3), -3);
        assert_eq!(i8x16_extract_lane_u(a, 255), 128);
        let r = i8x16_replace_lane(a, 7, 0x1234_5699);
        let mut expected = a.to_i8x16();
        expected[7] = 0x99_u8 as i8;
        assert_eq!(r, i8s(expected));
        assert_eq!(i8x16_replace_lane(a, 255, 1).to_i8x16()[15], 1);

        let h = i16s([1, -2, 3, -4, 5, -6, 7, i16::MIN]);
        assert_eq!(i16x8_extract_lane_s(h, 7), -32768);
        assert_eq!(i16x8_extract_lane_u(h, 7), 32768);
        assert_eq!(i16x8_extract_lane_u(h, 1), 65534);
        assert_eq!(i16x8_extract_lane_s(h, 9), -2);
        assert_eq!(
            i16x8_replace_lane(h, 0, 0x7_ffff),
            i16s([-1, -2, 3, -4, 5, -6, 7, i16::MIN])
        );

        let w = i32s([10, -20, 30, i32::MIN]);
        assert_eq!(i32x4_extract_lane(w, 3), i32::MIN);
        assert_eq!(i32x4_extract_lane(w, 5), -20);
        assert_eq!(i32x4_replace_lane(w, 2, -1), i32s([10, -20, -1, i32::MIN]));
        let d = i64s([i64::MAX, -7]);
        assert_eq!(i64x2_extract_lane(d, 1), -7);
        assert_eq!(i64x2_replace_lane(d, 0, 3), i64s([3, -7]));
        assert_eq!(i64x2_replace_lane(d, 3, 3), i64s([i64::MAX, 3]));

        let f = V128::from_u32x4([0, F32_SNAN, 0x8000_0000, 0x3f80_0000]);
        assert_eq!(f32x4_extract_lane(f, 1).to_bits(), F32_SNAN);
        assert_eq!(f32x4_extract_lane(f, 3), 1.0);
        let r = f32x4_replace_lane(f, 0, f32::from_bits(0xffc0_0001));
        assert_eq!(bits32(r), [0xffc0_0001, F32_SNAN, 0x8000_0000, 0x3f80_0000]);
        let g = V128::from_u64x2([F64_SNAN, 2.5f64.to_bits()]);
        assert_eq!(f64x2_extract_lane(g, 0).to_bits(), F64_SNAN);
        assert_eq!(f64x2_extract_lane(g, 1), 2.5);
        assert_eq!(
            bits64(f64x2_replace_lane(g, 1, -0.0)),
            [F64_SNAN, 0x8000_0000_0000_0000]
        );
    }

    #[test]
    fn shuffle_and_swizzle() {
        let a = u8s(from_fn(|i| i as u8));
        let b = u8s(from_fn(|i| 0xa0 + i as u8));
        let lanes = [0, 16, 1, 17, 15, 31, 31, 0, 8, 24, 3, 19, 5, 5, 21, 21];
        let expected = [
            0, 0xa0, 1, 0xa1, 15, 0xaf, 0xaf, 0, 8, 0xa8, 3, 0xa3, 5, 5, 0xa5, 0xa5,
        ];
        assert_eq!(i8x16_shuffle(a, b, V128::from_bytes(lanes)), u8s(expected));
        // Indices ≥ 32 are invalid (rejected by validation): taken modulo 32, no panic.
        assert_eq!(
            i8x16_shuffle(
                a,
                b,
                u8s([32, 48, 255, 63, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0])
            )
            .to_u8x16()[..4],
            [0, 0xa0, 0xaf, 0xaf]
        );

        let s = u8s([
            15, 0, 16, 255, 128, 1, 17, 14, 7, 0x80, 0x7f, 3, 32, 2, 9, 10,
        ]);
        let expected = [15, 0, 0, 0, 0, 1, 0, 14, 7, 0, 0, 3, 0, 2, 9, 10];
        assert_eq!(i8x16_swizzle(a, s), u8s(expected));
        assert_eq!(i8x16_relaxed_swizzle(a, s), u8s(expected));
    }

    #[test]
    fn integer_comparisons() {
        let a = i8s([-128, 127, 0, -1, 5, 5, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
        let b = i8s([1, -1, 0, 0, 5, 6, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
        let t = |v: V128| v.to_i8x16();
        let tail = |v: [i8; 16]| -> [i8; 6] { v[..6].try_into().unwrap() };
        assert_eq!(tail(t(i8x16_eq(a, b))), [0, 0, -1, 0, -1, 0]);
        assert_eq!(tail(t(i8x16_ne(a, b))), [-1, -1, 0, -1, 0, -1]);
        assert_eq!(tail(t(i8x16_lt_s(a, b))), [-1, 0, 0, -1, 0, -1]);
        assert_eq!(tail(t(i8x16_lt_u(a, b))), [0, -1, 0, 0, 0, -1]);
        assert_eq!(tail(t(i8x16_gt_s(a, b))), [0, -1, 0, 0, 0, 0]);
        assert_eq!(tail(t(i8x16_gt_u(a, b))), [-1, 0, 0, -1, 0, 0]);
        assert_eq!(tail(t(i8x16_le_s(a, b))), [-1, 0, -1, -1, -1, -1]);
        assert_eq!(tail(t(i8x16_le_u(a, b))), [0, -1, -1, 0, -1, -1]);
        assert_eq!(tail(t(i8x16_ge_s(a, b))), [0, -1, -1, 0, -1, 0]);
        assert_eq!(tail(t(i8x16_ge_u(a, b))), [-1, 0, -1, -1, -1, 0]);
        assert_eq!(
            t(i8x16_eq(a, b))[6..],
            [-1, -1, -1, -1, -1, -1, -1, -1, -1, 0]
        );
        assert_eq!(t(i8x16_ne(a, b))[6..], [0, 0, 0, 0, 0, 0, 0, 0, 0, -1]);

        let a = i16s([i16::MIN, 1, -1, 7, 0, 0, 0, 0]);
        let b = i16s([1, i16::MIN, 1, 7, 0, 0, 0, 0]);
        assert_eq!(i16x8_lt_s(a, b).to_i16x8()[..4], [-1, 0, -1, 0]);
        assert_eq!(i16x8_lt_u(a, b).to_i16x8()[..4], [0, -1, 0, 0]);
        assert_eq!(i16x8_ge_u(a, b).to_i16x8()[..4], [-1, 0, -1, -1]);
        assert_eq!(i16x8_eq(a, b).to_i16x8()[..4], [0, 0, 0, -1]);
        assert_eq!(i16x8_ne(a, b).to_i16x8()[..4], [-1, -1, -1, 0]);
        assert_eq!(i16x8_gt_s(a, b).to_i16x8()[..4], [0, -1, 0, 0]);
        assert_eq!(i16x8_le_s(a, b).to_i16x8()[..4], [-1, 0, -1, -1]);

        let a = i32s([i32::MIN, -1, 3, 3]);
        let b = i32s([0, 0, 3, 4]);
        assert_eq!(i32x4_lt_s(a, b), i32s([-1, -1, 0, -1]));
        assert_eq!(i32x4_lt_u(a, b), i32s([0, 0, 0, -1]));
        assert_eq!(i32x4_gt_u(a, b), i32s([-1, -1, 0, 0]));
        assert_eq!(i32x4_le_u(a, b), i32s([0, 0, -1, -1]));
        assert_eq!(i32x4_ge_s(a, b), i32s([0, 0, -1, 0]));
        assert_eq!(i32x4_eq(a, b), i32s([0, 0, -1, 0]));
        assert_eq!(i32x4_ne(a, b), i32s([-1, -1, 0, -1]));

        let a = i64s([i64::MIN, 5]);
        let b = i64s([i64::MAX, 5]);
        assert_eq!(i64x2_lt_s(a, b), i64s([-1, 0]));
        assert_eq!(i64x2_gt_s(a, b), i64s([0, 0]));
        assert_eq!(i64x2_le_s(a, b), i64s([-1, -1]));
        assert_eq!(i64x2_ge_s(a, b), i64s([0, -1]));
        assert_eq!(i64x2_eq(a, b), i64s([0, -1]));
        assert_eq!(i64x2_ne(a, b), i64s([-1, 0]));
    }

    #[test]
    fn float_comparisons() {
        let a = f32s([f32::NAN, 0.0, 1.0, -1.0]);
        let b = f32s([f32::NAN, -0.0, 2.0, -1.0]);
        assert_eq!(f32x4_eq(a, b), i32s([0, -1, 0, -1]));
        assert_eq!(f32x4_ne(a, b), i32s([-1, 0, -1, 0]));
        assert_eq!(f32x4_lt(a, b), i32s([0, 0, -1, 0]));
        assert_eq!(f32x4_gt(a, b), i32s([0, 0, 0, 0]));
        assert_eq!(f32x4_le(a, b), i32s([0, -1, -1, -1]));
        assert_eq!(f32x4_ge(a, b), i32s([0, -1, 0, -1]));
        let a = f64s([f64::NAN, f64::INFINITY]);
        let b = f64s([1.0, f64::MAX]);
        assert_eq!(f64x2_eq(a, b), i64s([0, 0]));
        assert_eq!(f64x2_ne(a, b), i64s([-1, -1]));
        assert_eq!(f64x2_lt(a, b), i64s([0, 0]));
        assert_eq!(f64x2_gt(a, b), i64s([0, -1]));
        assert_eq!(f64x2_le(a, b), i64s([0, 0]));
        assert_eq!(f64x2_ge(a, b), i64s([0, -1]));
    }

    #[test]
    fn saturating_arithmetic_at_the_limits() {
        let a = i8s([127, -128, 100, -100, 0, -1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
        let b = i8s([1, -1, 100, -100, -128, -128, 127, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
        let r = |v: V128| -> [i8; 7] { v.to_i8x16()[..7].try_into().unwrap() };
        assert_eq!(
            r(i8x16_add_sat_s(a, b)),
            [127, -128, 127, -128, -128, -128, 127]
        );
        assert_eq!(r(i8x16_sub_sat_s(a, b)), [126, -127, 0, 0, 127, 127, -126]);
        assert_eq!(r(i8x16_add(a, b)), [-128, 127, -56, 56, -128, 127, -128]);
        assert_eq!(r(i8x16_sub(a, b)), [126, -127, 0, 0, -128, 127, -126]);
        let a = u8s([255, 0, 200, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
        let b = u8s([1, 1, 100, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
        let r = |v: V128| -> [u8; 4] { v.to_u8x16()[..4].try_into().unwrap() };
        assert_eq!(r(i8x16_add_sat_u(a, b)), [255, 1, 255, 3]);
        assert_eq!(r(i8x16_sub_sat_u(a, b)), [254, 0, 100, 0]);

        let a = i16s([i16::MAX, i16::MIN, 20000, -20000, 1, 0, 0, 0]);
        let b = i16s([1, -1, 20000, -20000, i16::MIN, 0, 0, 0]);
        let r = |v: V128| -> [i16; 5] { v.to_i16x8()[..5].try_into().unwrap() };
        assert_eq!(
            r(i16x8_add_sat_s(a, b)),
            [32767, -32768, 32767, -32768, -32767]
        );
        assert_eq!(r(i16x8_sub_sat_s(a, b)), [32766, -32767, 0, 0, 32767]);
        assert_eq!(r(i16x8_add(a, b)), [-32768, 32767, -25536, 25536, -32767]);
        assert_eq!(r(i16x8_sub(a, b)), [32766, -32767, 0, 0, -32767]);
        let a = u16s([65535, 0, 40000, 3, 0, 0, 0, 0]);
        let b = u16s([1, 1, 30000, 2, 0, 0, 0, 0]);
        let r = |v: V128| -> [u16; 4] { v.to_u16x8()[..4].try_into().unwrap() };
        assert_eq!(r(i16x8_add_sat_u(a, b)), [65535, 1, 65535, 5]);
        assert_eq!(r(i16x8_sub_sat_u(a, b)), [65534, 0, 10000, 1]);
    }

    #[test]
    fn integer_arithmetic() {
        assert_eq!(
            i16x8_mul(splat16(300), splat16(300)),
            splat16((90000 - 65536) as i16)
        );
        assert_eq!(
            i32x4_mul(i32s([i32::MAX, 65536, -3, 7]), i32s([2, 65536, 5, -7])),
            i32s([-2, 0, -15, -49])
        );
        assert_eq!(
            i64x2_mul(i64s([i64::MAX, 1 << 32]), i64s([2, 1 << 32])),
            i64s([-2, 0])
        );
        assert_eq!(
            i32x4_add(i32s([i32::MAX, 1, 2, 3]), i32s([1, 1, 1, 1])),
            i32s([i32::MIN, 2, 3, 4])
        );
        assert_eq!(
            i32x4_sub(i32s([i32::MIN, 1, 2, 3]), i32s([1, 1, 1, 1])),
            i32s([i32::MAX, 0, 1, 2])
        );
        assert_eq!(
            i64x2_add(i64s([i64::MAX, 1]), i64s([1, -2])),
            i64s([i64::MIN, -1])
        );
        assert_eq!(
            i64x2_sub(i64s([i64::MIN, 1]), i64s([1, -2])),
            i64s([i64::MAX, 3])
        );

        // abs and neg wrap at the minimum.
        assert_eq!(i8x16_abs(splat8(-128)), splat8(-128));
        assert_eq!(i8x16_abs(splat8(-5)), splat8(5));
        assert_eq!(i8x16_neg(splat8(-128)), splat8(-128));
        assert_eq!(i8x16_neg(splat8(1)), splat8(-1));
        assert_eq!(i16x8_abs(splat16(i16::MIN)), splat16(i16::MIN));
        assert_eq!(i16x8_neg(splat16(-300)), splat16(300));
        assert_eq!(
            i32x4_abs(i32s([i32::MIN, -1, 0, 9])),
            i32s([i32::MIN, 1, 0, 9])
        );
        assert_eq!(
            i32x4_neg(i32s([i32::MIN, -1, 0, 9])),
            i32s([i32::MIN, 1, 0, -9])
        );
        assert_eq!(i64x2_abs(i64s([i64::MIN, -2])), i64s([i64::MIN, 2]));
        assert_eq!(i64x2_neg(i64s([i64::MIN, -2])), i64s([i64::MIN, 2]));

        assert_eq!(
            i8x16_popcnt(u8s([
                0, 1, 3, 0xff, 0x80, 0x55, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x7f
            ])),
            u8s([0, 1, 2, 8, 1, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 7])
        );

        // avgr_u: (a + b + 1) / 2 without overflow.
        let a = u8s([255, 0, 1, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
        let b = u8s([255, 1, 2, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
        assert_eq!(i8x16_avgr_u(a, b).to_u8x16()[..4], [255, 1, 2, 2]);
        let a = u16s([65535, 0, 65535, 4, 0, 0, 0, 0]);
        let b = u16s([65535, 1, 0, 7, 0, 0, 0, 0]);
        assert_eq!(i16x8_avgr_u(a, b).to_u16x8()[..4], [65535, 1, 32768, 6]);

        // min and max, signed and unsigned.
        let a = i8s([-1, 1, -128, 127, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
        let b = i8s([1, -1, 127, -128, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
        assert_eq!(i8x16_min_s(a, b).to_i8x16()[..4], [-1, -1, -128, -128]);
        assert_eq!(i8x16_min_u(a, b).to_i8x16()[..4], [1, 1, 127, 127]);
        assert_eq!(i8x16_max_s(a, b).to_i8x16()[..4], [1, 1, 127, 127]);
        assert_eq!(i8x16_max_u(a, b).to_i8x16()[..4], [-1, -1, -128, -128]);
        let a = i16s([-1, 1, i16::MIN, 0, 0, 0, 0, 0]);
        let b = i16s([1, -1, i16::MAX, 0, 0, 0, 0, 0]);
        assert_eq!(i16x8_min_s(a, b).to_i16x8()[..3], [-1, -1, i16::MIN]);
        assert_eq!(i16x8_min_u(a, b).to_i16x8()[..3], [1, 1, i16::MAX]);
        assert_eq!(i16x8_max_s(a, b).to_i16x8()[..3], [1, 1, i16::MAX]);
        assert_eq!(i16x8_max_u(a, b).to_i16x8()[..3], [-1, -1, i16::MIN]);
        let a = i32s([-1, 1, i32::MIN, 0]);
        let b = i32s([1, -1, i32::MAX, 0]);
        assert_eq!(i32x4_min_s(a, b), i32s([-1, -1, i32::MIN, 0]));
        assert_eq!(i32x4_min_u(a, b), i32s([1, 1, i32::MAX, 0]));
        assert_eq!(i32x4_max_s(a, b), i32s([1, 1, i32::MAX, 0]));
        assert_eq!(i32x4_max_u(a, b), i32s([-1, -1, i32::MIN, 0]));
    }

    #[test]
    fn shifts_take_the_count_modulo_the_lane_width() {
        let a = i8s([-128, 1, 0x40, -1, 0x7f, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x11]);
        let r = |v: V128| -> [i8; 5] { v.to_i8x16()[..5].try_into().unwrap() };
        assert_eq!(r(i8x16_shl(a, 1)), [0, 2, -128, -2, -2]);
        assert_eq!(r(i8x16_shl(a, 9)), [0, 2, -128, -2, -2]);
        assert_eq!(r(i8x16_shl(a, 8)), r(a));
        assert_eq!(r(i8x16_shl(a, -1)), [0, -128, 0, -128, -128]);
        assert_eq!(r(i8x16_shr_s(a, 7)), [-1, 0, 0, -1, 0]);
        assert_eq!(r(i8x16_shr_s(a, 15)), [-1, 0, 0, -1, 0]);
        assert_eq!(r(i8x16_shr_s(a, 8)), r(a));
        assert_eq!(r(i8x16_shr_s(a, 1)), [-64, 0, 0x20, -1, 0x3f]);
        assert_eq!(r(i8x16_shr_u(a, 7)), [1, 0, 0, 1, 0]);
        assert_eq!(r(i8x16_shr_u(a, 0x7fff_fff9)), [64, 0, 0x20, 0x7f, 0x3f]);
        assert_eq!(i8x16_shl(a, 4).to_i8x16()[15], 0x10);

        let a = i16s([i16::MIN, 1, -1, 0x4000, 0, 0, 0, 0x1234]);
        let r = |v: V128| -> [i16; 4] { v.to_i16x8()[..4].try_into().unwrap() };
        assert_eq!(r(i16x8_shl(a, 17)), [0, 2, -2, i16::MIN]);
        assert_eq!(r(i16x8_shl(a, 16)), r(a));
        assert_eq!(r(i16x8_shr_s(a, 31)), [-1, 0, -1, 0]);
        assert_eq!(r(i16x8_shr_s(a, 18)), [-8192, 0, -1, 0x1000]);
        assert_eq!(r(i16x8_shr_u(a, 15)), [1, 0, 1, 0]);
        assert_eq!(r(i16x8_shr_u(a, 32)), r(a));
        assert_eq!(i16x8_shr_u(a, 4).to_i16x8()[7], 0x123);

        let a = i32s([i32::MIN, 1, -1, 0x4000_0000]);
        assert_eq!(i32x4_shl(a, 33), i32s([0, 2, -2, i32::MIN]));
        assert_eq!(i32x4_shl(a, 32), a);
        assert_eq!(i32x4_shr_s(a, 63), i32s([-1, 0, -1, 0]));
        assert_eq!(i32x4_shr_s(a, 36), i32s([-(1 << 27), 0, -1, 1 << 26]));
        assert_eq!(i32x4_shr_u(a, 31), i32s([1, 0, 1, 0]));
        assert_eq!(i32x4_shr_u(a, -1), i32s([1, 0, 1, 0]));

        let a = i64s([i64::MIN, -1]);
        assert_eq!(i64x2_shl(a, 65), i64s([0, -2]));
        assert_eq!(i64x2_shl(a, 64), a);
        assert_eq!(i64x2_shr_s(a, 127), i64s([-1, -1]));
        assert_eq!(i64x2_shr_s(a, 66), i64s([-(1 << 61), -1]));
        assert_eq!(i64x2_shr_u(a, 63), i64s([1, 1]));
        assert_eq!(i64x2_shr_u(a, 128), a);
    }

    /// The whole-register versions of 8- and 16-bit operations agree with lane-by-lane
    /// ones on many vectors, and every shift count.
    #[test]
    fn whole_register_operations_agree_with_lanes() {
        macro_rules! agree {
            ($a:ident, $b:ident: $($f:ident($t:ty => $u:ty) |$x:ident, $y:ident| $e:expr;)*) => {$(
                let expected = zip($a, $b, |$x: $t, $y: $t| -> $u { $e });
                assert_eq!($f($a, $b), expected, "{} {:?} {:?}", stringify!($f), $a, $b);
            )*};
        }
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
        for _ in 0..3000 {
            let (a, b) = (rng.v128(), rng.v128());
            let b = if rng.next().is_multiple_of(8) { a } else { b };
            agree! { a, b:
                i8x16_add(i8 => i8) |x, y| x.wrapping_add(y);
                i8x16_sub(i8 => i8) |x, y| x.wrapping_sub(y);
                i8x16_add_sat_s(i8 => i8) |x, y| x.saturating_add(y);
                i8x16_add_sat_u(u8 => u8) |x, y| x.saturating_add(y);
                i8x16_sub_sat_s(i8 => i8) |x, y| x.saturating_sub(y);
                i8x16_sub_sat_u(u8 => u8) |x, y| x.saturating_sub(y);
                i8x16_min_s(i8 => i8) |x, y| x.min(y);
                i8x16_min_u(u8 => u8) |x, y| x.min(y);
                i8x16_max_s(i8 => i8) |x, y| x.max(y);
                i8x16_max_u(u8 => u8) |x, y| x.max(y);
                i8x16_avgr_u(u8 => u8) |x, y| (u16::from(x) + u16::from(y)).div_ceil(2) as u8;
                i8x16_eq(i8 => i8) |x, y| -i8::from(x == y);
                i8x16_ne(i8 => i8) |x, y| -i8::from(x != y);
                i8x16_lt_s(i8 => i8) |x, y| -i8::from(x < y);
                i8x16_lt_u(u8 => i8) |x, y| -i8::from(x < y);
                i8x16_gt_s(i8 => i8) |x, y| -i8::from(x > y);
                i8x16_gt_u(u8 => i8) |x, y| -i8::from(x > y);
                i8x16_le_s(i8 => i8) |x, y| -i8::from(x <= y);
                i8x16_le_u(u8 => i8) |x, y| -i8::from(x <= y);
                i8x16_ge_s(i8 => i8) |x, y| -i8::from(x >= y);
                i8x16_ge_u(u8 => i8) |x, y| -i8::from(x >= y);
                i16x8_add(i16 => i16) |x, y| x.wrapping_add(y);
                i16x8_sub(i16 => i16) |x, y| x.wrapping_sub(y);
                i16x8_add_sat_s(i16 => i16) |x, y| x.saturating_add(y);
                i16x8_add_sat_u(u16 => u16) |x, y| x.saturating_add(y);
                i16x8_sub_sat_s(i16 => i16) |x, y| x.saturating_sub(y);
                i16x8_sub_sat_u(u16 => u16) |x, y| x.saturating_sub(y);
                i16x8_min_s(i16 => i16) |x, y| x.min(y);
                i16x8_min_u(u16 => u16) |x, y| x.min(y);
                i16x8_max_s(i16 => i16) |x, y| x.max(y);
                i16x8_max_u(u16 => u16) |x, y| x.max(y);
                i16x8_avgr_u(u16 => u16) |x, y| (u32::from(x) + u32::from(y)).div_ceil(2) as u16;
                i16x8_eq(i16 => i16) |x, y| -i16::from(x == y);
                i16x8_ne(i16 => i16) |x, y| -i16::from(x != y);
                i16x8_lt_s(i16 => i16) |x, y| -i16::from(x < y);
                i16x8_lt_u(u16 => i16) |x, y| -i16::from(x < y);
                i16x8_gt_s(i16 => i16) |x, y| -i16::from(x > y);
                i16x8_gt_u(u16 => i16) |x, y| -i16::from(x > y);
                i16x8_le_s(i16 => i16) |x, y| -i16::from(x <= y);
                i16x8_le_u(u16 => i16) |x, y| -i16::from(x <= y);
                i16x8_ge_s(i16 => i16) |x, y| -i16::from(x >= y);
                i16x8_ge_u(u16 => i16) |x, y| -i16::from(x >= y);
            }
            assert_eq!(i8x16_neg(a), map(a, |x: i8| x.wrapping_neg()));
            assert_eq!(i16x8_neg(a), map(a, |x: i16| x.wrapping_neg()));
            assert_eq!(i8x16_abs(a), map(a, |x: i8| x.wrapping_abs()));
            assert_eq!(i16x8_abs(a), map(a, |x: i16| x.wrapping_abs()));
            assert_eq!(i8x16_popcnt(a), map(a, |x: u8| x.count_ones() as u8));
            let s = (rng.next() % 80) as i32 - 20;
            let c = s as u32;
            assert_eq!(i8x16_shl(a, s), map(a, |x: i8| x.wrapping_shl(c)), "{s}");
            assert_eq!(i8x16_shr_s(a, s), map(a, |x: i8| x.wrapping_shr(c)), "{s}");
            assert_eq!(i8x16_shr_u(a, s), map(a, |x: u8| x.wrapping_shr(c)), "{s}");
            assert_eq!(i16x8_shl(a, s), map(a, |x: i16| x.wrapping_shl(c)), "{s}");
            assert_eq!(i16x8_shr_s(a, s), map(a, |x: i16| x.wrapping_shr(c)), "{s}");
            assert_eq!(i16x8_shr_u(a, s), map(a, |x: u16| x.wrapping_shr(c)), "{s}");
            let all = |lanes: &[i64]| i32::from(lanes.iter().all(|&x| x != 0));
            assert_eq!(i8x16_all_true(a), all(&a.to_i8x16().map(i64::from)));
            assert_eq!(i16x8_all_true(a), all(&a.to_i16x8().map(i64::from)));
            assert_eq!(i32x4_all_true(a), all(&a.to_i32x4().map(i64::from)));
            assert_eq!(i64x2_all_true(a), all(&a.to_i64x2()));
            let lanes = a.to_i8x16().into_iter().enumerate();
            let mask = lanes.fold(0, |m, (i, x)| m | (i32::from(x < 0) << i));
            assert_eq!(i8x16_bitmask(a), mask);
        }
        // Every pair of byte values, in every lane position at once.
        for x in 0..=255u8 {
            let a = u8s(from_fn(|i| x.wrapping_add(i as u8)));
            for y in 0..=255u8 {
                let b = u8s([y; 16]);
                agree! { a, b:
                    i8x16_add_sat_s(i8 => i8) |x, y| x.saturating_add(y);
                    i8x16_add_sat_u(u8 => u8) |x, y| x.saturating_add(y);
                    i8x16_sub_sat_s(i8 => i8) |x, y| x.saturating_sub(y);
                    i8x16_sub_sat_u(u8 => u8) |x, y| x.saturating_sub(y);
                    i8x16_min_s(i8 => i8) |x, y| x.min(y);
                    i8x16_max_u(u8 => u8) |x, y| x.max(y);
                    i8x16_avgr_u(u8 => u8) |x, y| (u16::from(x) + u16::from(y)).div_ceil(2) as u8;
                    i8x16_lt_s(i8 => i8) |x, y| -i8::from(x < y);
                    i8x16_lt_u(u8 => i8) |x, y| -i8::from(x < y);
                    i8x16_eq(i8 => i8) |x, y| -i8::from(x == y);
                }
            }
        }
    }

    #[test]
    fn lane_tests() {
        assert_eq!(i8x16_all_true(splat8(1)), 1);
        assert_eq!(i8x16_all_true(splat8(-128)), 1);
        for lane in 0..16 {
            let mut v = [-1i8; 16];
            v[lane] = 0;
            assert_eq!(i8x16_all_true(i8s(v)), 0, "{lane}");
            v[lane] = 1;
            assert_eq!(i8x16_all_true(i8s(v)), 1, "{lane}");
        }
        // A 16-bit lane 0x0100 is not zero, though its low byte is.
        assert_eq!(i16x8_all_true(splat16(0x0100)), 1);
        assert_eq!(i8x16_all_true(splat16(0x0100)), 0);
        assert_eq!(i16x8_all_true(i16s([1, 1, 1, 1, 1, 1, 1, 0])), 0);
        assert_eq!(i32x4_all_true(i32s([1 << 31, 1, 1 << 16, 1 << 8])), 1);
        assert_eq!(i32x4_all_true(i32s([1, 1, 0, 1])), 0);
        assert_eq!(i64x2_all_true(i64s([1 << 63, 1 << 32])), 1);
        assert_eq!(i64x2_all_true(i64s([0, -1])), 0);
        assert_eq!(i64x2_all_true(V128::from_bits(0)), 0);

        let v = i8s([-1, 0, 0, -128, 127, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, -2]);
        assert_eq!(i8x16_bitmask(v), 0b1000_0000_0000_1001);
        assert_eq!(i8x16_bitmask(splat8(-1)), 0xffff);
        assert_eq!(
            i16x8_bitmask(i16s([-1, 1, -32768, 32767, 0, 0, 0, -2])),
            0b1000_0101
        );
        assert_eq!(i32x4_bitmask(i32s([0, -1, i32::MAX, i32::MIN])), 0b1010);
        assert_eq!(i64x2_bitmask(i64s([-1, 0])), 0b01);
        assert_eq!(i64x2_bitmask(i64s([1, i64::MIN])), 0b10);
    }

    #[test]
    fn narrowing_saturates() {
        let a = i16s([300, -300, 127, -128, 128, -129, 0, -1]);
        let b = i16s([255, 256, i16::MAX, i16::MIN, 1, 2, 3, 4]);
        assert_eq!(
            i8x16_narrow_i16x8_s(a, b),
            i8s([
                127, -128, 127, -128, 127, -128, 0, -1, 127, 127, 127, -128, 1, 2, 3, 4
            ])
        );
        assert_eq!(
            i8x16_narrow_i16x8_u(a, b),
            u8s([255, 0, 127, 0, 128, 0, 0, 0, 255, 255, 255, 0, 1, 2, 3, 4])
        );
        let a = i32s([40000, -40000, 32767, -32768]);
        let b = i32s([65535, 65536, -1, 7]);
        assert_eq!(
            i16x8_narrow_i32x4_s(a, b),
            i16s([32767, -32768, 32767, -32768, 32767, 32767, -1, 7])
        );
        assert_eq!(
            i16x8_narrow_i32x4_u(a, b),
            u16s([40000, 0, 32767, 0, 65535, 65535, 0, 7])
        );
    }

    #[test]
    fn extensions_and_extending_arithmetic() {
        let a = i8s([-128, -1, 0, 1, 127, 2, 3, -4, 5, -6, 7, -8, 9, -10, 11, -12]);
        assert_eq!(
            i16x8_extend_low_i8x16_s(a),
            i16s([-128, -1, 0, 1, 127, 2, 3, -4])
        );
        assert_eq!(
            i16x8_extend_high_i8x16_s(a),
            i16s([5, -6, 7, -8, 9, -10, 11, -12])
        );
        assert_eq!(
            i16x8_extend_low_i8x16_u(a),
            i16s([128, 255, 0, 1, 127, 2, 3, 252])
        );
        assert_eq!(
            i16x8_extend_high_i8x16_u(a),
            i16s([5, 250, 7, 248, 9, 246, 11, 244])
        );
        let h = i16s([i16::MIN, -1, 2, 3, 4, -5, 6, i16::MAX]);
        assert_eq!(i32x4_extend_low_i16x8_s(h), i32s([-32768, -1, 2, 3]));
        assert_eq!(i32x4_extend_high_i16x8_s(h), i32s([4, -5, 6, 32767]));
        assert_eq!(i32x4_extend_low_i16x8_u(h), i32s([32768, 65535, 2, 3]));
        assert_eq!(i32x4_extend_high_i16x8_u(h), i32s([4, 65531, 6, 32767]));
        let w = i32s([i32::MIN, -1, 5, -6]);
        assert_eq!(i64x2_extend_low_i32x4_s(w), i64s([i32::MIN.into(), -1]));
        assert_eq!(i64x2_extend_high_i32x4_s(w), i64s([5, -6]));
        assert_eq!(i64x2_extend_low_i32x4_u(w), i64s([1 << 31, 0xffff_ffff]));
        assert_eq!(i64x2_extend_high_i32x4_u(w), i64s([5, 0xffff_fffa]));

        // extmul: the full product, never overflowing.
        let m = splat8(-128);
        assert_eq!(i16x8_extmul_low_i8x16_s(m, m), splat16(16384));
        assert_eq!(i16x8_extmul_high_i8x16_s(m, splat8(127)), splat16(-16256));
        assert_eq!(
            i16x8_extmul_low_i8x16_u(splat8(-1), splat8(-1)),
            u16s([65025; 8])
        );
        let lo_hi = i8s([2, 2, 2, 2, 2, 2, 2, 2, -3, -3, -3, -3, -3, -3, -3, -3]);
        assert_eq!(i16x8_extmul_low_i8x16_s(lo_hi, splat8(5)), splat16(10));
        assert_eq!(i16x8_extmul_high_i8x16_s(lo_hi, splat8(5)), splat16(-15));
        assert_eq!(
            i16x8_extmul_high_i8x16_u(lo_hi, splat8(5)),
            splat16(253 * 5)
        );
        let m = splat16(i16::MIN);
        assert_eq!(i32x4_extmul_low_i16x8_s(m, m), i32s([1 << 30; 4]));
        assert_eq!(
            i32x4_extmul_high_i16x8_u(splat16(-1), splat16(-1)),
            u32s([0xfffe_0001; 4])
        );
        assert_eq!(
            i32x4_extmul_high_i16x8_s(i16s([0, 0, 0, 0, 1, 2, 3, -4]), splat16(-3)),
            i32s([-3, -6, -9, 12])
        );
        assert_eq!(
            i32x4_extmul_low_i16x8_u(i16s([-1, 2, 3, 4, 0, 0, 0, 0]), splat16(2)),
            i32s([131070, 4, 6, 8])
        );
        let w = i32s([i32::MIN, -1, -1, 3]);
        assert_eq!(i64x2_extmul_low_i32x4_s(w, w), i64s([1 << 62, 1]));
        assert_eq!(i64x2_extmul_high_i32x4_s(w, w), i64s([1, 9]));
        assert_eq!(
            i64x2_extmul_low_i32x4_u(w, w),
            V128::from_u64x2([1 << 62, 0xffff_fffe_0000_0001])
        );
        assert_eq!(
            i64x2_extmul_high_i32x4_u(w, w),
            V128::from_u64x2([0xffff_fffe_0000_0001, 9])
        );

        // Pairwise sums.
        let a = i8s([-128, -128, 127, 127, -1, 1, 0, 5, -1, -1, 1, 2, 3, 4, 5, 6]);
        assert_eq!(
            i16x8_extadd_pairwise_i8x16_s(a),
            i16s([-256, 254, 0, 5, -2, 3, 7, 11])
        );
        assert_eq!(
            i16x8_extadd_pairwise_i8x16_u(a),
            i16s([256, 254, 256, 5, 510, 3, 7, 11])
        );
        let h = i16s([i16::MIN, i16::MIN, -1, -1, i16::MAX, i16::MAX, 1, 2]);
        assert_eq!(
            i32x4_extadd_pairwise_i16x8_s(h),
            i32s([-65536, -2, 65534, 3])
        );
        assert_eq!(
            i32x4_extadd_pairwise_i16x8_u(h),
            i32s([65536, 131070, 65534, 3])
        );
    }

    #[test]
    fn q15mulr_and_dot() {
        let a = i16s([i16::MIN, 1, -1, i16::MIN, i16::MAX, i16::MIN, 100, 0x4000]);
        let b = i16s([
            i16::MIN,
            0x4000,
            0x4000,
            i16::MAX,
            i16::MAX,
            1,
            -200,
            0x4000,
        ]);
        let expected = i16s([32767, 1, 0, -32767, 32766, -1, -1, 0x2000]);
        assert_eq!(i16x8_q15mulr_sat_s(a, b), expected);
        assert_eq!(i16x8_relaxed_q15mulr_s(a, b), expected);

        let a = i16s([1, 2, i16::MIN, i16::MIN, i16::MAX, i16::MAX, -3, 4]);
        let b = i16s([3, 4, i16::MIN, i16::MIN, i16::MAX, i16::MAX, 5, 6]);
        assert_eq!(
            i32x4_dot_i16x8_s(a, b),
            i32s([11, i32::MIN, 2 * 32767 * 32767, 9])
        );
    }

    #[test]
    fn float_arithmetic() {
        let a = f32s([1.5, -2.0, f32::INFINITY, 0.0]);
        let b = f32s([0.25, 4.0, f32::INFINITY, -0.0]);
        assert_eq!(f32x4_add(a, b).to_f32x4()[..2], [1.75, 2.0]);
        assert!(f32x4_sub(a, b).to_f32x4()[2].is_nan());
        assert_eq!(bits32(f32x4_sub(a, b))[3], 0);
        assert_eq!(
            f32x4_mul(a, b).to_f32x4()[..3],
            [0.375, -8.0, f32::INFINITY]
        );
        assert_eq!(bits32(f32x4_mul(a, b))[3], 0x8000_0000);
        assert_eq!(f32x4_div(a, b).to_f32x4()[..2], [6.0, -0.5]);
        assert!(f32x4_div(a, b).to_f32x4()[3].is_nan());
        let a = f64s([1.5, f64::MAX]);
        let b = f64s([-0.5, f64::MAX]);
        assert_eq!(f64x2_add(a, b), f64s([1.0, f64::INFINITY]));
        assert_eq!(f64x2_sub(a, b), f64s([2.0, 0.0]));
        assert_eq!(f64x2_mul(a, b), f64s([-0.75, f64::INFINITY]));
        assert_eq!(f64x2_div(a, b), f64s([-3.0, 1.0]));

        // abs and neg only touch the sign bit, NaN payloads included.
        let a = V128::from_u32x4([F32_SNAN, 0xffc0_0001, 0x8000_0000, 0x3f80_0000]);
        assert_eq!(
            bits32(f32x4_abs(a)),
            [F32_SNAN, 0x7fc0_0001, 0, 0x3f80_0000]
        );
        assert_eq!(
            bits32(f32x4_neg(a)),
            [0xff80_0001, 0x7fc0_0001, 0, 0xbf80_0000]
        );
        let a = V128::from_u64x2([F64_SNAN | (1 << 63), 0]);
        assert_eq!(bits64(f64x2_abs(a)), [F64_SNAN, 0]);
        assert_eq!(bits64(f64x2_neg(a)), [F64_SNAN, 1 << 63]);

        let r = f32x4_sqrt(f32s([4.0, -1.0, -0.0, f32::INFINITY]));
        assert_eq!(r.to_f32x4()[0], 2.0);
        assert!(r.to_f32x4()[1].is_nan());
        assert_eq!(bits32(r)[2..], [0x8000_0000, 0x7f80_0000]);
        let r = f64x2_sqrt(f64s([2.0, f64::from_bits(F64_SNAN)]));
        assert_eq!(r.to_f64x2()[0], core::f64::consts::SQRT_2);
        assert!(r.to_f64x2()[1].is_nan());
    }

    #[test]
    fn float_min_max_follow_the_spec() {
        let a = f32s([f32::NAN, 0.0, -0.0, 1.0]);
        let b = f32s([1.0, -0.0, 0.0, f32::NAN]);
        let min = f32x4_min(a, b).to_f32x4();
        assert!(min[0].is_nan() && min[3].is_nan());
        assert_eq!(bits32(f32x4_min(a, b))[1..3], [0x8000_0000; 2]);
        let max = f32x4_max(a, b).to_f32x4();
        assert!(max[0].is_nan() && max[3].is_nan());
        assert_eq!(bits32(f32x4_max(a, b))[1..3], [0; 2]);
        assert_eq!(
            f32x4_min(
                f32s([1.0, -5.0, 3.0, f32::NEG_INFINITY]),
                f32s([2.0, 5.0, -3.0, 0.0])
            ),
            f32s([1.0, -5.0, -3.0, f32::NEG_INFINITY])
        );
        assert_eq!(
            f32x4_max(
                f32s([1.0, -5.0, 3.0, f32::NEG_INFINITY]),
                f32s([2.0, 5.0, -3.0, 0.0])
            ),
            f32s([2.0, 5.0, 3.0, 0.0])
        );

        let a = f64s([f64::NAN, -0.0]);
        let b = f64s([-1.0, 0.0]);
        let (min, max) = (f64x2_min(a, b), f64x2_max(a, b));
        assert!(min.to_f64x2()[0].is_nan() && max.to_f64x2()[0].is_nan());
        assert_eq!(bits64(min)[1], 1 << 63);
        assert_eq!(bits64(max)[1], 0);
        assert_eq!(
            f64x2_min(f64s([1.0, 2.0]), f64s([2.0, 1.0])),
            f64s([1.0, 1.0])
        );
        assert_eq!(
            f64x2_max(f64s([1.0, 2.0]), f64s([2.0, 1.0])),
            f64s([2.0, 2.0])
        );
    }

    #[test]
    fn pmin_pmax_return_an_operand() {
        const NAN: u32 = 0x7fc0_1234;
        // pmin(a, b) = b < a ? b : a; pmax(a, b) = a < b ? b : a.
        let a = V128::from_u32x4([NAN, 0, 0x8000_0000, 0x3f80_0000]);
        let b = V128::from_u32x4([0x3f80_0000, 0x8000_0000, 0, NAN]);
        assert_eq!(bits32(f32x4_pmin(a, b)), [NAN, 0, 0x8000_0000, 0x3f80_0000]);
        assert_eq!(bits32(f32x4_pmax(a, b)), [NAN, 0, 0x8000_0000, 0x3f80_0000]);
        assert_eq!(bits32(f32x4_pmin(b, a)), [0x3f80_0000, 0x8000_0000, 0, NAN]);
        let (one, two) = (f32s([1.0, 2.0, -1.0, 0.0]), f32s([2.0, 1.0, -2.0, 0.0]));
        assert_eq!(f32x4_pmin(one, two), f32s([1.0, 1.0, -2.0, 0.0]));
        assert_eq!(f32x4_pmax(one, two), f32s([2.0, 2.0, -1.0, 0.0]));

        let a = V128::from_u64x2([F64_SNAN, 1 << 63]);
        let b = V128::from_u64x2([1.0f64.to_bits(), 0]);
        assert_eq!(bits64(f64x2_pmin(a, b)), [F64_SNAN, 1 << 63]);
        assert_eq!(bits64(f64x2_pmax(a, b)), [F64_SNAN, 1 << 63]);
        assert_eq!(bits64(f64x2_pmin(b, a)), [1.0f64.to_bits(), 0]);
        assert_eq!(
            f64x2_pmin(f64s([3.0, -3.0]), f64s([2.0, 2.0])),
            f64s([2.0, -3.0])
        );
        assert_eq!(
            f64x2_pmax(f64s([3.0, -3.0]), f64s([2.0, 2.0])),
            f64s([3.0, 2.0])
        );
    }

    #[test]
    fn rounding() {
        let a = f32s([0.5, 1.5, 2.5, -0.5]);
        assert_eq!(
            bits32(f32x4_nearest(a)),
            bits32(f32s([0.0, 2.0, 2.0, -0.0]))
        );
        let a = f32s([-1.5, 3.5, 8388609.0, -0.0]);
        assert_eq!(f32x4_nearest(a), f32s([-2.0, 4.0, 8388609.0, -0.0]));
        let a = f32s([-0.5, 0.5, -1.7, 1.7]);
        assert_eq!(bits32(f32x4_ceil(a)), bits32(f32s([-0.0, 1.0, -1.0, 2.0])));
        assert_eq!(bits32(f32x4_floor(a)), bits32(f32s([-1.0, 0.0, -2.0, 1.0])));
        assert_eq!(bits32(f32x4_trunc(a)), bits32(f32s([-0.0, 0.0, -1.0, 1.0])));
        let a = f64s([2.5, -3.5]);
        assert_eq!(f64x2_nearest(a), f64s([2.0, -4.0]));
        assert_eq!(f64x2_ceil(a), f64s([3.0, -3.0]));
        assert_eq!(f64x2_floor(a), f64s([2.0, -4.0]));
        assert_eq!(f64x2_trunc(a), f64s([2.0, -3.0]));
        assert_eq!(bits64(f64x2_nearest(f64s([-0.5, 0.5]))), [1 << 63, 0]);
        assert_eq!(
            f64x2_nearest(f64s([4503599627370497.0, -4503599627370496.5])),
            f64s([4503599627370497.0, -4503599627370496.0])
        );

        // Signalling NaNs come out quiet.
        let snan32 = f32x4_splat(f32::from_bits(F32_SNAN));
        let snan64 = f64x2_splat(f64::from_bits(F64_SNAN));
        let quiet32 = |v: V128| bits32(v).iter().all(|&b| b & 0x7fc0_0000 == 0x7fc0_0000);
        let quiet64 = |v: V128| bits64(v).iter().all(|&b| b >> 51 & 0xfff == 0xfff);
        for f in [
            f32x4_ceil,
            f32x4_floor,
            f32x4_trunc,
            f32x4_nearest,
            f32x4_sqrt,
        ] {
            assert!(quiet32(f(snan32)));
        }
        for f in [
            f64x2_ceil,
            f64x2_floor,
            f64x2_trunc,
            f64x2_nearest,
            f64x2_sqrt,
        ] {
            assert!(quiet64(f(snan64)));
        }
    }

    #[test]
    fn conversions() {
        let a = f32s([f32::NAN, f32::INFINITY, f32::NEG_INFINITY, 3e9]);
        assert_eq!(
            i32x4_trunc_sat_f32x4_s(a),
            i32s([0, i32::MAX, i32::MIN, i32::MAX])
        );
        assert_eq!(
            i32x4_trunc_sat_f32x4_u(a),
            u32s([0, u32::MAX, 0, 3_000_000_000])
        );
        let a = f32s([-2147483904.0, -1.9, -0.9, 4294967040.0]);
        assert_eq!(
            i32x4_trunc_sat_f32x4_s(a),
            i32s([i32::MIN, -1, 0, i32::MAX])
        );
        assert_eq!(i32x4_trunc_sat_f32x4_u(a), u32s([0, 0, 0, 4294967040]));
        assert_eq!(i32x4_trunc_sat_f32x4_u(f32s([5e9; 4])), u32s([u32::MAX; 4]));

        let a = f64s([f64::NAN, -2147483649.0]);
        assert_eq!(i32x4_trunc_sat_f64x2_s_zero(a), i32s([0, i32::MIN, 0, 0]));
        assert_eq!(i32x4_trunc_sat_f64x2_u_zero(a), i32s([0, 0, 0, 0]));
        let a = f64s([2147483647.9, -2147483648.9]);
        assert_eq!(
            i32x4_trunc_sat_f64x2_s_zero(a),
            i32s([i32::MAX, i32::MIN, 0, 0])
        );
        let a = f64s([4294967295.5, 1e10]);
        assert_eq!(
            i32x4_trunc_sat_f64x2_u_zero(a),
            u32s([u32::MAX, u32::MAX, 0, 0])
        );
        assert_eq!(
            i32x4_trunc_sat_f64x2_u_zero(f64s([-0.99, 7.99])),
            u32s([0, 7, 0, 0])
        );

        let a = i32s([-1, i32::MIN, 16777217, i32::MAX]);
        assert_eq!(
            f32x4_convert_i32x4_s(a),
            f32s([-1.0, -2147483648.0, 16777216.0, 2147483648.0])
        );
        let a = u32s([u32::MAX, 0, 16777219, 1 << 31]);
        assert_eq!(
            f32x4_convert_i32x4_u(a),
            f32s([4294967296.0, 0.0, 16777220.0, 2147483648.0])
        );
        let a = i32s([-1, i32::MIN, 7, 8]);
        assert_eq!(f64x2_convert_low_i32x4_s(a), f64s([-1.0, -2147483648.0]));
        assert_eq!(
            f64x2_convert_low_i32x4_u(a),
            f64s([4294967295.0, 2147483648.0])
        );

        let a = f64s([1e300, 0.1]);
        assert_eq!(
            f32x4_demote_f64x2_zero(a),
            f32s([f32::INFINITY, 0.1, 0.0, 0.0])
        );
        let a = f64s([-0.0, 1.0000000596046448]); // 1 + 2^-24: a tie, to even (1.0).
        assert_eq!(
            bits32(f32x4_demote_f64x2_zero(a)),
            [0x8000_0000, 0x3f80_0000, 0, 0]
        );
        let nan = f32x4_demote_f64x2_zero(f64s([f64::NAN, 1.0])).to_f32x4();
        assert!(nan[0].is_nan());
        let a = f32s([f32::MAX, -0.0, 1.0, 2.0]);
        assert_eq!(
            bits64(f64x2_promote_low_f32x4(a)),
            bits64(f64s([f32::MAX.into(), -0.0]))
        );
        assert!(f64x2_promote_low_f32x4(f32s([f32::NAN; 4])).to_f64x2()[1].is_nan());
    }

    #[test]
    fn extending_and_zero_loads() {
        let bits = 0x8081_7f01_00ff_fe02u64;
        assert_eq!(
            v128_load8x8_s(bits),
            i16s([2, -2, -1, 0, 1, 127, -127, -128])
        );
        assert_eq!(
            v128_load8x8_u(bits),
            i16s([2, 254, 255, 0, 1, 127, 129, 128])
        );
        assert_eq!(v128_load16x4_s(bits), i32s([-510, 255, 32513, -32639]));
        assert_eq!(v128_load16x4_u(bits), i32s([65026, 255, 32513, 32897]));
        assert_eq!(v128_load32x2_s(bits), i64s([0x00ff_fe02, -2138996991]));
        assert_eq!(v128_load32x2_u(bits), i64s([0x00ff_fe02, 0x8081_7f01]));
        assert_eq!(
            v128_load32_zero(0xdead_beef),
            V128::from_u32x4([0xdead_beef, 0, 0, 0])
        );
        assert_eq!(v128_load64_zero(bits), V128::from_u64x2([bits, 0]));
    }

    #[test]
    fn relaxed_choices() {
        // madd/nmadd are fused: x * y + z with x = 1 + 2^-22, y = 1 + 2^-15 and
        // z = -(1 + 2^-15 + 2^-22) is 2^-37 when rounded once, 0 when rounded twice.
        let x = f32::from_bits(0x3f80_0002);
        let y = f32::from_bits(0x3f80_0100);
        let z = f32::from_bits(0xbf80_0102);
        assert_eq!(x * y + z, 0.0, "the values tell fused from unfused");
        let expected = f32s([f32::from_bits((127 - 37) << 23); 4]);
        assert_eq!(
            f32x4_relaxed_madd(f32s([x; 4]), f32s([y; 4]), f32s([z; 4])),
            expected
        );
        assert_eq!(
            f32x4_relaxed_nmadd(f32s([-x; 4]), f32s([y; 4]), f32s([z; 4])),
            expected
        );
        // FLT_MAX * 2 - FLT_MAX: FLT_MAX fused (inf unfused).
        let max = f32s([f32::MAX; 4]);
        assert_eq!(
            f32x4_relaxed_madd(max, f32s([2.0; 4]), f32s([-f32::MAX; 4])),
            max
        );
        // f64: (1 + 2^-30)^2 - (1 + 2^-29) = 2^-60 fused, 0 unfused.
        let x = f64::from_bits(0x3ff0_0000_0040_0000);
        let z = f64::from_bits(0xbff0_0000_0080_0000);
        assert_eq!(x * x + z, 0.0, "the values tell fused from unfused");
        let expected = f64s([f64::from_bits((1023 - 60) << 52); 2]);
        assert_eq!(
            f64x2_relaxed_madd(f64s([x; 2]), f64s([x; 2]), f64s([z; 2])),
            expected
        );
        assert_eq!(
            f64x2_relaxed_nmadd(f64s([-x; 2]), f64s([x; 2]), f64s([z; 2])),
            expected
        );
        assert_eq!(
            f64x2_relaxed_nmadd(f64s([2.0, 3.0]), f64s([4.0, 5.0]), f64s([1.0, 15.0])),
            f64s([-7.0, 0.0])
        );

        // laneselect is bitselect, bit by bit (also for masks that are not whole lanes).
        let (a, b) = (V128::from_bits(u128::MAX), V128::from_bits(0));
        let c = V128::from_bits(0x0123_4567_89ab_cdef_f0f0_0f0f_8000_0001);
        for f in [
            i8x16_relaxed_laneselect,
            i16x8_relaxed_laneselect,
            i32x4_relaxed_laneselect,
            i64x2_relaxed_laneselect,
        ] {
            assert_eq!(f(a, b, c), c);
            assert_eq!(f(b, a, c), v128_not(c));
        }

        // min/max are the strict ones: NaN, and -0 below +0.
        let (a, b) = (
            f32s([f32::NAN, -0.0, 0.0, 1.0]),
            f32s([1.0, 0.0, -0.0, 2.0]),
        );
        let min = f32x4_relaxed_min(a, b);
        assert!(min.to_f32x4()[0].is_nan());
        assert_eq!(bits32(min)[1..], [0x8000_0000, 0x8000_0000, 0x3f80_0000]);
        let max = f32x4_relaxed_max(a, b);
        assert!(max.to_f32x4()[0].is_nan());
        assert_eq!(bits32(max)[1..], [0, 0, 0x4000_0000]);
        let (a, b) = (f64s([f64::NAN, -0.0]), f64s([1.0, 0.0]));
        assert!(f64x2_relaxed_min(a, b).to_f64x2()[0].is_nan());
        assert_eq!(bits64(f64x2_relaxed_min(a, b))[1], 1 << 63);
        assert!(f64x2_relaxed_max(a, b).to_f64x2()[0].is_nan());
        assert_eq!(bits64(f64x2_relaxed_max(a, b))[1], 0);

        // The truncations saturate, NaN to 0.
        let a = f32s([f32::NAN, 3e9, -3e9, -1.5]);
        assert_eq!(
            i32x4_relaxed_trunc_f32x4_s(a),
            i32s([0, i32::MAX, i32::MIN, -1])
        );
        assert_eq!(
            i32x4_relaxed_trunc_f32x4_u(a),
            u32s([0, 3_000_000_000, 0, 0])
        );
        let a = f64s([f64::NAN, -5e9]);
        assert_eq!(
            i32x4_relaxed_trunc_f64x2_s_zero(a),
            i32s([0, i32::MIN, 0, 0])
        );
        let a = f64s([5e9, 17.5]);
        assert_eq!(
            i32x4_relaxed_trunc_f64x2_u_zero(a),
            u32s([u32::MAX, 17, 0, 0])
        );

        // Dot products: both operands signed, 16-bit pair sums wrapping.
        let a = i8s([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15]);
        assert_eq!(
            i16x8_relaxed_dot_i8x16_i7x16_s(a, a),
            i16s([1, 13, 41, 85, 145, 221, 313, 421])
        );
        let c = i32s([0, 1, 2, 3]);
        assert_eq!(
            i32x4_relaxed_dot_i8x16_i7x16_add_s(a, a, c),
            i32s([14, 127, 368, 737])
        );
        let a = i8s([
            -128, -128, 127, 127, 0, 0, 0, 0, -128, -128, 0, 0, 0, 0, 0, 0,
        ]);
        let b = i8s([127, 127, 127, 127, 0, 0, 0, 0, -127, -127, 0, 0, 0, 0, 0, 0]);
        assert_eq!(
            i16x8_relaxed_dot_i8x16_i7x16_s(a, b),
            i16s([-32512, 32258, 0, 0, 32512, 0, 0, 0])
        );
        let m = splat8(-128);
        assert_eq!(i16x8_relaxed_dot_i8x16_i7x16_s(m, m), splat16(i16::MIN));
        assert_eq!(
            i32x4_relaxed_dot_i8x16_i7x16_add_s(m, m, i32s([1, 2, 3, i32::MIN])),
            i32s([-65535, -65534, -65533, i32::MAX - 65535])
        );
        let a = i8s([
            -128, -128, -128, -128, 127, 127, 127, 127, 0, 0, 0, 0, 0, 0, 0, 0,
        ]);
        let b = i8s([
            127, 127, 127, 127, 127, 127, 127, 127, 0, 0, 0, 0, 0, 0, 0, 0,
        ]);
        assert_eq!(
            i32x4_relaxed_dot_i8x16_i7x16_add_s(a, b, i32s([1, 2, 3, 4])),
            i32s([-65023, 64518, 3, 4])
        );
    }
}
