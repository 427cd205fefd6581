//! Dot products and small matrix kernels over `n` generated samples, with
//! `core::arch::wasm32` intrinsics:
//!
//! * [`fir`]: a 32-tap FIR filter over `n` `f32` samples, each output the dot product of
//!   the taps with a window of the signal (eight `f32x4` products into two accumulators,
//!   then a horizontal sum); [`dot`] then gives the output's energy (four accumulators);
//! * [`autocorrelation`]: the first 16 lags of the autocorrelation of `n` `i16` samples,
//!   as a speech codec's linear prediction computes it, eight products and their pairwise
//!   sums per `i32x4.dot_i16x8_s`;
//! * [`transform`]: `n / 4` points through a 4×4 projective matrix, as a vertex shader
//!   does it (columns scaled by the point's lanes, broadcast with `i32x4.shuffle`), then
//!   the perspective division and clipping to the unit cube (`f32x4.div`, `min`, `max`);
//! * [`matmul`]: products of 24×24 `f32` matrices, each row of the result built from
//!   rows of the right-hand side scaled by an element of the left (`f32x4.splat`).
//!
//! Self-checks: each kernel equals a scalar version that adds in the same order (so the
//! `f32` results are equal to the bit), on every 16th output of the filter and the
//! transform, on the first sixteenth of the samples for the dot product and three lags
//! of the autocorrelation, and on the first matrix product.

#![no_std]

#[cfg(not(target_feature = "simd128"))]
compile_error!("the simd_* programs are built with `-C target-feature=+simd128` (build.sh)");

extern crate alloc;

use alloc::vec;
use alloc::vec::Vec;
use common::{Rng, check, reset_heap};
use core::arch::wasm32::*;

/// The vector of 4 floats.
#[inline(always)]
fn load(values: &[f32; 4]) -> v128 {
    // SAFETY: `values` holds the 16 bytes read; `v128.load` needs no alignment.
    unsafe { v128_load(values.as_ptr().cast()) }
}

/// The vector of the 4 floats of `values` from `at` (which must be in bounds).
#[inline(always)]
fn load_at(values: &[f32], at: usize) -> v128 {
    load(values[at..at + 4].try_into().unwrap())
}

/// The vector of 8 `i16`.
#[inline(always)]
fn load_i16(values: &[i16; 8]) -> v128 {
    // SAFETY: `values` holds the 16 bytes read; `v128.load` needs no alignment.
    unsafe { v128_load(values.as_ptr().cast()) }
}

/// Writes `vector` to 4 floats.
#[inline(always)]
fn store(values: &mut [f32; 4], vector: v128) {
    // SAFETY: `values` holds the 16 bytes written; `v128.store` needs no alignment.
    unsafe { v128_store(values.as_mut_ptr().cast(), vector) }
}

/// The sum of the lanes of `v`: `(v0 + v1) + (v2 + v3)`.
#[inline(always)]
fn horizontal_sum(v: v128) -> f32 {
    (f32x4_extract_lane::<0>(v) + f32x4_extract_lane::<1>(v))
        + (f32x4_extract_lane::<2>(v) + f32x4_extract_lane::<3>(v))
}

/// [`horizontal_sum`] of four scalar lanes.
fn lanes_sum(v: [f32; 4]) -> f32 {
    (v[0] + v[1]) + (v[2] + v[3])
}

const TAPS: usize = 32;

/// `out[i]` = the dot product of `taps` with `signal[i..i + TAPS]`, for every `i` of
/// `out` (`signal` has `TAPS - 1` more samples).
fn fir(taps: &[f32; TAPS], signal: &[f32], out: &mut [f32]) {
    let taps: [v128; TAPS / 4] = core::array::from_fn(|k| load_at(taps, 4 * k));
    for (i, y) in out.iter_mut().enumerate() {
        let window: &[f32; TAPS] = signal[i..i + TAPS].try_into().unwrap();
        let mut even = f32x4_mul(taps[0], load_at(window, 0));
        let mut odd = f32x4_mul(taps[1], load_at(window, 4));
        for k in (2..TAPS / 4).step_by(2) {
            even = f32x4_add(even, f32x4_mul(taps[k], load_at(window, 4 * k)));
            odd = f32x4_add(odd, f32x4_mul(taps[k + 1], load_at(window, 4 * k + 4)));
        }
        *y = horizontal_sum(f32x4_add(even, odd));
    }
}

/// One output of [`fir`], in scalars.
fn fir_scalar(taps: &[f32; TAPS], window: &[f32]) -> f32 {
    let mut lanes = [[0f32; 4]; 2];
    for k in 0..TAPS / 4 {
        for j in 0..4 {
            let product = taps[4 * k + j] * window[4 * k + j];
            let lane = &mut lanes[k % 2][j];
            *lane = if k < 2 { product } else { *lane + product };
        }
    }
    lanes_sum(core::array::from_fn(|j| lanes[0][j] + lanes[1][j]))
}

/// The dot product of `a` and `b` (as long as `a`): 16 products per step into four
/// accumulators.
fn dot(a: &[f32], b: &[f32]) -> f32 {
    let b = &b[..a.len()];
    let mut sums = [f32x4_splat(0.0); 4];
    let (mut a16, mut b16) = (a.chunks_exact(16), b.chunks_exact(16));
    for (x, y) in (&mut a16).zip(&mut b16) {
        for (k, sum) in sums.iter_mut().enumerate() {
            *sum = f32x4_add(*sum, f32x4_mul(load_at(x, 4 * k), load_at(y, 4 * k)));
        }
    }
    let sum = f32x4_add(f32x4_add(sums[0], sums[1]), f32x4_add(sums[2], sums[3]));
    let mut total = horizontal_sum(sum);
    for (x, y) in a16.remainder().iter().zip(b16.remainder()) {
        total += x * y;
    }
    total
}

/// [`dot`] in scalars.
fn dot_scalar(a: &[f32], b: &[f32]) -> f32 {
    let mut sums = [[0f32; 4]; 4];
    let whole = a.len() / 16 * 16;
    for (x, y) in a[..whole].chunks_exact(16).zip(b.chunks_exact(16)) {
        for (k, sum) in sums.iter_mut().enumerate() {
            for (j, lane) in sum.iter_mut().enumerate() {
                *lane += x[4 * k + j] * y[4 * k + j];
            }
        }
    }
    let mut total = lanes_sum(core::array::from_fn(|j| {
        (sums[0][j] + sums[1][j]) + (sums[2][j] + sums[3][j])
    }));
    for (x, y) in a[whole..].iter().zip(&b[whole..]) {
        total += x * y;
    }
    total
}

const LAGS: usize = 16;

/// `r[lag]` = the sum of `x[i] * x[i + lag]` over `i` in `0..x.len() - LAGS`, wrapping.
fn autocorrelation(x: &[i16]) -> [i32; LAGS] {
    let count = x.len().saturating_sub(LAGS);
    let whole = count / 8 * 8;
    core::array::from_fn(|lag| {
        let mut sums = i32x4_splat(0);
        for i in (0..whole).step_by(8) {
            let a = load_i16(x[i..i + 8].try_into().unwrap());
            let b = load_i16(x[i + lag..i + lag + 8].try_into().unwrap());
            sums = i32x4_add(sums, i32x4_dot_i16x8(a, b));
        }
        let mut total = i32x4_extract_lane::<0>(sums)
            .wrapping_add(i32x4_extract_lane::<1>(sums))
            .wrapping_add(i32x4_extract_lane::<2>(sums))
            .wrapping_add(i32x4_extract_lane::<3>(sums));
        for i in whole..count {
            total = total.wrapping_add(i32::from(x[i]) * i32::from(x[i + lag]));
        }
        total
    })
}

/// One lag of [`autocorrelation`] in scalars.
fn autocorrelation_scalar(x: &[i16], lag: usize) -> i32 {
    (0..x.len().saturating_sub(LAGS)).fold(0i32, |sum, i| {
        sum.wrapping_add(i32::from(x[i]) * i32::from(x[i + lag]))
    })
}

/// A 4×4 matrix by columns.
type Matrix4 = [[f32; 4]; 4];

/// Each point through `matrix`, divided by its `w`, clipped to `-1.0..=1.0`.
fn transform(matrix: &Matrix4, points: &[[f32; 4]], out: &mut [[f32; 4]]) {
    let columns: [v128; 4] = core::array::from_fn(|c| load(&matrix[c]));
    let (low, high) = (f32x4_splat(-1.0), f32x4_splat(1.0));
    for (point, to) in points.iter().zip(out.iter_mut()) {
        let p = load(point);
        let x = i32x4_shuffle::<0, 0, 0, 0>(p, p);
        let y = i32x4_shuffle::<1, 1, 1, 1>(p, p);
        let z = i32x4_shuffle::<2, 2, 2, 2>(p, p);
        let w = i32x4_shuffle::<3, 3, 3, 3>(p, p);
        let moved = f32x4_add(
            f32x4_add(f32x4_mul(columns[0], x), f32x4_mul(columns[1], y)),
            f32x4_add(f32x4_mul(columns[2], z), f32x4_mul(columns[3], w)),
        );
        let w = i32x4_shuffle::<3, 3, 3, 3>(moved, moved);
        store(to, f32x4_min(f32x4_max(f32x4_div(moved, w), low), high));
    }
}

/// One point of [`transform`] in scalars.
fn transform_scalar(matrix: &Matrix4, p: &[f32; 4]) -> [f32; 4] {
    let m = matrix;
    let moved: [f32; 4] = core::array::from_fn(|j| {
        (m[0][j] * p[0] + m[1][j] * p[1]) + (m[2][j] * p[2] + m[3][j] * p[3])
    });
    moved.map(|v| (v / moved[3]).clamp(-1.0, 1.0))
}

const M: usize = 24;

type Matrix = [[f32; M]; M];

/// `c` = `a` × `b`, with the rows of `b` taken from row `rotate` on (wrapping).
fn matmul(a: &Matrix, b: &Matrix, rotate: usize, c: &mut Matrix) {
    for (a_row, c_row) in a.iter().zip(c.iter_mut()) {
        let mut sums = [f32x4_splat(0.0); M / 4];
        for (k, &scale) in a_row.iter().enumerate() {
            let scale = f32x4_splat(scale);
            let b_row = &b[(k + rotate) % M];
            for (q, sum) in sums.iter_mut().enumerate() {
                *sum = f32x4_add(*sum, f32x4_mul(scale, load_at(b_row, 4 * q)));
            }
        }
        for (q, sum) in sums.iter().enumerate() {
            store((&mut c_row[4 * q..4 * q + 4]).try_into().unwrap(), *sum);
        }
    }
}

/// [`matmul`] in scalars.
fn matmul_scalar(a: &Matrix, b: &Matrix, rotate: usize, c: &mut Matrix) {
    for i in 0..M {
        for j in 0..M {
            let mut sum = 0.0f32;
            for k in 0..M {
                sum += a[i][k] * b[(k + rotate) % M][j];
            }
            c[i][j] = sum;
        }
    }
}

/// A float in `-1.0..1.0`, a multiple of 2^-23.
fn unit(rng: &mut Rng) -> f32 {
    (rng.next_u32() >> 8) as f32 * (1.0 / (1u32 << 23) as f32) - 1.0
}

#[unsafe(no_mangle)]
pub extern "C" fn run(n: i32) -> i64 {
    reset_heap();
    let n = n.max(0) as usize;
    let mut rng = Rng::new(0x5eed_0003);
    let mut result = 0u64;
    let mut mix = |bits: u64| result = result.rotate_left(11) ^ bits;

    // The filter: a windowed low-pass over a noisy signal.
    let taps: [f32; TAPS] = core::array::from_fn(|k| {
        let centre = k as f32 - (TAPS as f32 - 1.0) / 2.0;
        1.0 / (1.0 + 0.05 * centre * centre) / 16.0
    });
    let signal: Vec<f32> = (0..n + TAPS - 1).map(|_| unit(&mut rng)).collect();
    let mut filtered = vec![0f32; n];
    fir(&taps, &signal, &mut filtered);
    for i in (0..n).step_by(16) {
        check(filtered[i].to_bits() == fir_scalar(&taps, &signal[i..i + TAPS]).to_bits());
    }
    let prefix = n / 16;
    check(
        dot(&filtered[..prefix], &signal).to_bits()
            == dot_scalar(&filtered[..prefix], &signal).to_bits(),
    );
    mix(u64::from(dot(&filtered, &filtered).to_bits()));
    mix(u64::from(dot(&filtered, &signal).to_bits()));

    // Autocorrelation of 12-bit samples.
    let mut samples: Vec<i16> = Vec::with_capacity(n + 3);
    while samples.len() < n {
        let bits = rng.next_u64();
        samples.extend((0..4).map(|k| (bits >> (16 * k)) as i16 >> 4));
    }
    samples.truncate(n);
    let r = autocorrelation(&samples);
    let prefix = &samples[..n / 16];
    let r_prefix = autocorrelation(prefix);
    for lag in [0, 1, LAGS - 1] {
        check(r_prefix[lag] == autocorrelation_scalar(prefix, lag));
    }
    for value in r {
        mix(value as u32 as u64);
    }

    // Points through a projective matrix (a rotation about z, a translation, and w
    // growing with the distance), by columns.
    let matrix: Matrix4 = [
        [0.8, 0.6, 0.0, 0.1],
        [-0.6, 0.8, 0.0, 0.1],
        [0.0, 0.0, 1.0, 0.1],
        [0.25, -0.5, 0.125, 1.0],
    ];
    let points: Vec<[f32; 4]> = (0..n / 4)
        .map(|_| [unit(&mut rng), unit(&mut rng), unit(&mut rng), 1.0])
        .collect();
    let mut moved = vec![[0f32; 4]; points.len()];
    transform(&matrix, &points, &mut moved);
    for i in (0..points.len()).step_by(16) {
        check(
            moved[i].map(f32::to_bits) == transform_scalar(&matrix, &points[i]).map(f32::to_bits),
        );
        mix(u64::from(moved[i][0].to_bits()) << 32 | u64::from(moved[i][2].to_bits()));
    }

    // Matrix products.
    let a: Matrix = core::array::from_fn(|_| core::array::from_fn(|_| unit(&mut rng)));
    let b: Matrix = core::array::from_fn(|_| core::array::from_fn(|_| unit(&mut rng)));
    let mut c = [[0f32; M]; M];
    let mut expected = [[0f32; M]; M];
    matmul(&a, &b, 0, &mut c);
    matmul_scalar(&a, &b, 0, &mut expected);
    check(c.map(|row| row.map(f32::to_bits)) == expected.map(|row| row.map(f32::to_bits)));
    for rotate in 1..=n / 1024 {
        matmul(&a, &b, rotate % M, &mut c);
        mix((0..M).fold(0u64, |sum, i| {
            sum.rotate_left(3) ^ u64::from(c[i][(i + rotate) % M].to_bits())
        }));
    }
    result as i64
}
