//! Image filters over RGBA images of `n`×`n` pixels, written as portable Rust loops over
//! rows of bytes that the compiler vectorises (no intrinsics):
//!
//! * [`blend`]: a foreground with alpha over a background, `(f·α + b·(255 − α)) / 255`
//!   rounded, in 16-bit lanes;
//! * [`brighten`]: a saturating add on every byte;
//! * [`box_blur`]: a 3×3 box blur, separable: sums of three pixels along the rows in
//!   16-bit lanes, then of three row sums, divided by 9 with a multiply and a shift;
//! * [`luma`] and [`sobel`]: the brightness of each pixel, then the magnitude of its
//!   gradient (`|gx| + |gy|` of the Sobel kernels, saturated to 255).
//!
//! Self-checks: at 1/64 of the pixels, picked at random, each stage's output equals a
//! pixel-at-a-time computation from that stage's input (the blur from its nine pixels,
//! not from row sums); the blend leaves an opaque foreground pixel as it is.

#![no_std]

#[cfg(not(target_feature = "simd128"))]
compile_error!("the simd_* programs are built with `-C target-feature=+simd128` (build.sh)");

extern crate alloc;

use alloc::vec;
use alloc::vec::Vec;
use common::{Rng, check, reset_heap};

/// `x / 255` rounded to the nearest, for `x <= 255 * 255`.
#[inline(always)]
fn div255(x: u16) -> u8 {
    let x = u32::from(x) + 128;
    ((x + (x >> 8)) >> 8) as u8
}

/// One channel of [`blend`].
#[inline(always)]
fn blend_channel(front: u8, back: u8, alpha: u8) -> u8 {
    div255(u16::from(front) * u16::from(alpha) + u16::from(back) * u16::from(255 - alpha))
}

/// `out` = `front` over `back`, with `front`'s alpha; `out` is opaque. Four pixels at a
/// time, then one.
fn blend(front: &[u8], back: &[u8], out: &mut [u8]) {
    for ((f, b), o) in front
        .chunks_exact(16)
        .zip(back.chunks_exact(16))
        .zip(out.chunks_exact_mut(16))
    {
        let f: &[u8; 16] = f.try_into().unwrap();
        let b: &[u8; 16] = b.try_into().unwrap();
        let o: &mut [u8; 16] = o.try_into().unwrap();
        let alpha: [u8; 16] = core::array::from_fn(|i| f[i | 3]);
        for i in 0..16 {
            let blended = blend_channel(f[i], b[i], alpha[i]);
            o[i] = if i % 4 == 3 { 255 } else { blended };
        }
    }
    let done = front.len() / 16 * 16;
    for ((f, b), o) in front[done..]
        .chunks_exact(4)
        .zip(back[done..].chunks_exact(4))
        .zip(out[done..].chunks_exact_mut(4))
    {
        for c in 0..3 {
            o[c] = blend_channel(f[c], b[c], f[3]);
        }
        o[3] = 255;
    }
}

/// Every byte of `image` plus `amount`, saturating.
fn brighten(image: &mut [u8], amount: u8) {
    for byte in image {
        *byte = byte.saturating_add(amount);
    }
}

/// A sum of nine bytes divided by 9, rounded to the nearest (exact for sums up to
/// 9 × 255).
#[inline(always)]
fn div9(sum: u16) -> u8 {
    ((u32::from(sum) * 7282 + 32_768) >> 16) as u8
}

/// `out[i]` = `row[i - 4] + row[i] + row[i + 4]` (the same channel of the pixels left
/// and right), edges repeated.
fn row_sums(row: &[u8], out: &mut [u16]) {
    let len = row.len();
    if len < 8 {
        // One pixel: its three neighbours are itself.
        for (o, &byte) in out.iter_mut().zip(row) {
            *o = 3 * u16::from(byte);
        }
        return;
    }
    for c in 0..4 {
        out[c] = 2 * u16::from(row[c]) + u16::from(row[c + 4]);
        out[len - 4 + c] = u16::from(row[len - 8 + c]) + 2 * u16::from(row[len - 4 + c]);
    }
    let inner = len - 8;
    let (left, middle, right) = (&row[..inner], &row[4..4 + inner], &row[8..8 + inner]);
    for (i, o) in out[4..4 + inner].iter_mut().enumerate() {
        *o = u16::from(left[i]) + u16::from(middle[i]) + u16::from(right[i]);
    }
}

/// A 3×3 box blur of the `width`-pixel rows of `image` into `out`, edges repeated.
fn box_blur(image: &[u8], width: usize, out: &mut [u8]) {
    let stride = 4 * width;
    let height = image.len() / stride;
    let mut sums: Vec<Vec<u16>> = (0..3).map(|_| vec![0u16; stride]).collect();
    // sums[r % 3] holds the row sums of row r, for rows y - 1, y and y + 1.
    let row = |y: usize| &image[y * stride..(y + 1) * stride];
    row_sums(row(0), &mut sums[0]);
    for y in 0..height {
        let next = (y + 1).min(height - 1);
        row_sums(row(next), &mut sums[(y + 1) % 3]);
        let (up, here, down) = (
            &sums[y.saturating_sub(1) % 3],
            &sums[y % 3],
            &sums[(y + 1) % 3],
        );
        let up = if y == 0 { here } else { up };
        let (up, here, down) = (&up[..stride], &here[..stride], &down[..stride]);
        let out = &mut out[y * stride..(y + 1) * stride];
        for (i, o) in out.iter_mut().enumerate() {
            *o = div9(up[i] + here[i] + down[i]);
        }
    }
}

/// The brightness of each pixel: `(77 R + 150 G + 29 B + 128) / 256`.
fn luma(image: &[u8], out: &mut [u8]) {
    for (pixels, y) in image.chunks_exact(16).zip(out.chunks_exact_mut(4)) {
        let pixels: &[u8; 16] = pixels.try_into().unwrap();
        for (k, y) in y.iter_mut().enumerate() {
            *y = luma_of(&pixels[4 * k..4 * k + 4]);
        }
    }
    let done = image.len() / 16 * 4;
    for (pixel, y) in image[4 * done..].chunks_exact(4).zip(&mut out[done..]) {
        *y = luma_of(pixel);
    }
}

#[inline(always)]
fn luma_of(pixel: &[u8]) -> u8 {
    ((77 * u32::from(pixel[0]) + 150 * u32::from(pixel[1]) + 29 * u32::from(pixel[2]) + 128) >> 8)
        as u8
}

/// The left, middle and right neighbours of the `len` inner pixels of `row`, as slices
/// of `len` bytes (all the same length, so that indexing them needs one bounds check).
fn thirds(row: &[u8], len: usize) -> (&[u8], &[u8], &[u8]) {
    (&row[..len], &row[1..len + 1], &row[2..len + 2])
}

/// The gradient magnitude of the `width`-pixel rows of `gray`, `|gx| + |gy|` saturated
/// to 255, 0 on the border.
fn sobel(gray: &[u8], width: usize, out: &mut [u8]) {
    let height = gray.len() / width;
    out.fill(0);
    if width < 3 || height < 3 {
        return;
    }
    let len = width - 2;
    for y in 1..height - 1 {
        let row = |r: usize| &gray[r * width..(r + 1) * width];
        let (ul, uc, ur) = thirds(row(y - 1), len);
        let (hl, _, hr) = thirds(row(y), len);
        let (dl, dc, dr) = thirds(row(y + 1), len);
        let out = &mut out[y * width + 1..y * width + 1 + len];
        for x in 0..len {
            let p = |row: &[u8]| i16::from(row[x]);
            let gx = (p(ur) + 2 * p(hr) + p(dr)) - (p(ul) + 2 * p(hl) + p(dl));
            let gy = (p(dl) + 2 * p(dc) + p(dr)) - (p(ul) + 2 * p(uc) + p(ur));
            out[x] = (gx.abs() + gy.abs()).min(255) as u8;
        }
    }
}

/// The sum of the bytes of `image`.
fn byte_sum(image: &[u8]) -> u64 {
    let mut total = 0u64;
    for block in image.chunks(1 << 16) {
        // At most 65 536 bytes of 255 fit in a u32.
        total += u64::from(block.iter().map(|&b| u32::from(b)).sum::<u32>());
    }
    total
}

/// An image with smooth gradients, stripes, and alpha from 0 to 255.
fn generate(width: usize, seed: u32) -> Vec<u8> {
    let mut image = vec![0u8; 4 * width * width];
    for (y, row) in image.chunks_exact_mut(4 * width).enumerate() {
        let y = y as u32;
        for (x, pixel) in row.chunks_exact_mut(4).enumerate() {
            let x = x as u32;
            pixel[0] = (x * 3 + y + seed) as u8;
            pixel[1] = ((x ^ y) * 5 + seed) as u8;
            pixel[2] = (y * 7 - x + seed) as u8;
            pixel[3] = ((x + y) * 2 + seed * 5) as u8;
        }
    }
    image
}

/// The pixel at (`x`, `y`) of the `width`-pixel rows of `image`, coordinates clamped.
fn pixel(image: &[u8], width: usize, x: isize, y: isize) -> &[u8] {
    let height = (image.len() / (4 * width)) as isize;
    let x = x.clamp(0, width as isize - 1) as usize;
    let y = y.clamp(0, height - 1) as usize;
    &image[4 * (y * width + x)..4 * (y * width + x) + 4]
}

#[unsafe(no_mangle)]
pub extern "C" fn run(n: i32) -> i64 {
    reset_heap();
    let width = n.max(1) as usize;
    let mut rng = Rng::new(0x5eed_0002);
    let front = generate(width, 11);
    let back = generate(width, 100);
    let bytes = front.len();

    let mut blended = vec![0u8; bytes];
    blend(&front, &back, &mut blended);
    let mut bright = blended.clone();
    brighten(&mut bright, 40);
    let mut blurred = vec![0u8; bytes];
    box_blur(&bright, width, &mut blurred);
    let mut gray = vec![0u8; width * width];
    luma(&blurred, &mut gray);
    let mut edges = vec![0u8; width * width];
    sobel(&gray, width, &mut edges);

    // Each stage at random pixels, from its input.
    for _ in 0..(width * width / 64).max(4) {
        let (x, y) = (
            rng.below(width as u32) as isize,
            rng.below(width as u32) as isize,
        );
        let at = 4 * (y as usize * width + x as usize);
        let f = &front[at..at + 4];
        for c in 0..3 {
            check(blended[at + c] == blend_channel(f[c], back[at + c], f[3]));
            check(bright[at + c] == blended[at + c].saturating_add(40));
        }
        check(blended[at + 3] == 255 && (f[3] != 255 || blended[at..at + 3] == f[..3]));
        for c in 0..4 {
            let mut sum = 0u16;
            for dy in -1..=1 {
                for dx in -1..=1 {
                    sum += u16::from(pixel(&bright, width, x + dx, y + dy)[c]);
                }
            }
            check(blurred[at + c] == div9(sum));
        }
        let g = y as usize * width + x as usize;
        check(gray[g] == luma_of(&blurred[at..at + 4]));
        let border = x == 0 || y == 0 || x as usize == width - 1 || y as usize == width - 1;
        let expected = if border {
            0
        } else {
            let p = |dx: isize, dy: isize| {
                i32::from(gray[(y + dy) as usize * width + (x + dx) as usize])
            };
            let gx = p(1, -1) + 2 * p(1, 0) + p(1, 1) - p(-1, -1) - 2 * p(-1, 0) - p(-1, 1);
            let gy = p(-1, 1) + 2 * p(0, 1) + p(1, 1) - p(-1, -1) - 2 * p(0, -1) - p(1, -1);
            (gx.abs() + gy.abs()).min(255) as u8
        };
        check(edges[g] == expected);
    }

    let result = byte_sum(&blurred) << 32 | byte_sum(&edges);
    result as i64
}
