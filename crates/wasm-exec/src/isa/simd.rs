//! The lane operations of the SIMD and relaxed-SIMD proposals, as pure functions on
//! [`V128`](wasm_core::V128) values: what the list's SIMD instructions call, by the
//! operator's name (`simd::i8x16_add`).
//!
//! `portable` defines every one of them in plain Rust, and documents their semantics. On
//! x86_64 targets with SSE2 (all of them but kernel-style ones without vector registers),
//! `x86` redefines the hottest in vector registers with the same results, and the names
//! it defines are re-exported here in place of the portable ones (an explicit `use`
//! shadows the glob).

#[cfg_attr(
    all(target_arch = "x86_64", target_feature = "sse2"),
    // The functions `x86` replaces stay: its tests compare against them, and its byte
    // shuffles fall back to them on CPUs without SSSE3.
    allow(dead_code)
)]
mod portable;
#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
mod x86;

pub(crate) use portable::*;
#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
pub(crate) use x86::{
    f32x4_add, f32x4_convert_i32x4_s, f32x4_div, f32x4_eq, f32x4_ge, f32x4_gt, f32x4_le, f32x4_lt,
    f32x4_mul, f32x4_ne, f32x4_pmax, f32x4_pmin, f32x4_replace_lane, f32x4_splat, f32x4_sub,
    f64x2_add, f64x2_div, f64x2_eq, f64x2_ge, f64x2_gt, f64x2_le, f64x2_lt, f64x2_mul, f64x2_ne,
    f64x2_pmax, f64x2_pmin, f64x2_replace_lane, f64x2_splat, f64x2_sub, i8x16_add, i8x16_add_sat_s,
    i8x16_add_sat_u, i8x16_all_true, i8x16_avgr_u, i8x16_bitmask, i8x16_eq, i8x16_gt_s, i8x16_gt_u,
    i8x16_lt_s, i8x16_lt_u, i8x16_max_u, i8x16_min_u, i8x16_narrow_i16x8_s, i8x16_narrow_i16x8_u,
    i8x16_ne, i8x16_relaxed_swizzle, i8x16_replace_lane, i8x16_shuffle, i8x16_splat, i8x16_sub,
    i8x16_sub_sat_s, i8x16_sub_sat_u, i8x16_swizzle, i16x8_add, i16x8_add_sat_s, i16x8_add_sat_u,
    i16x8_all_true, i16x8_avgr_u, i16x8_bitmask, i16x8_eq, i16x8_extend_high_i8x16_s,
    i16x8_extend_high_i8x16_u, i16x8_extend_low_i8x16_s, i16x8_extend_low_i8x16_u, i16x8_gt_s,
    i16x8_lt_s, i16x8_max_s, i16x8_min_s, i16x8_mul, i16x8_narrow_i32x4_s, i16x8_ne,
    i16x8_replace_lane, i16x8_shl, i16x8_shr_s, i16x8_shr_u, i16x8_splat, i16x8_sub,
    i16x8_sub_sat_s, i16x8_sub_sat_u, i32x4_add, i32x4_all_true, i32x4_bitmask, i32x4_dot_i16x8_s,
    i32x4_eq, i32x4_extend_high_i16x8_s, i32x4_extend_high_i16x8_u, i32x4_extend_low_i16x8_s,
    i32x4_extend_low_i16x8_u, i32x4_gt_s, i32x4_lt_s, i32x4_mul, i32x4_ne, i32x4_replace_lane,
    i32x4_shl, i32x4_shr_s, i32x4_shr_u, i32x4_splat, i32x4_sub, i64x2_add, i64x2_bitmask,
    i64x2_extend_high_i32x4_s, i64x2_extend_high_i32x4_u, i64x2_extend_low_i32x4_s,
    i64x2_extend_low_i32x4_u, i64x2_replace_lane, i64x2_shl, i64x2_shr_u, i64x2_splat, i64x2_sub,
    v128_and, v128_andnot, v128_any_true, v128_bitselect, v128_not, v128_or, v128_xor,
};
