//! Byte search over `n` bytes of generated text, as `memchr`, `memmem` and `wc` do it
//! with 128-bit vectors, written with `core::arch::wasm32` intrinsics:
//!
//! * [`find_byte`]: the first occurrence of a byte (`i8x16.eq`, `i8x16.bitmask`, trailing
//!   zeros), called in a loop to visit every occurrence, as a line iterator does;
//! * [`count_byte`]: the occurrences of a byte, equality masks subtracted into byte
//!   counters that widening pairwise sums empty every 255 vectors;
//! * [`find_all`]: every occurrence of a needle, overlapping ones included: candidates
//!   where both the needle's first and last bytes match (two unaligned loads, two
//!   compares, an `and`, a bitmask), then compared in full;
//! * [`text_stats`]: lines, words and punctuation marks, each byte classified by two
//!   `i8x16.swizzle` table lookups on its nibbles, word starts found in the bitmasks.
//!
//! Self-checks: on the first sixteenth of the text every kernel equals a byte-at-a-time
//! version; on the whole text the kernels agree with each other (the occurrences
//! `find_byte` visits are those `count_byte` counts and those `find_all` finds for a
//! one-byte needle, the line count is the newline count).

#![no_std]

#[cfg(not(target_feature = "simd128"))]
compile_error!("the simd_* programs are built with `-C target-feature=+simd128` (build.sh)");

extern crate alloc;

use alloc::vec::Vec;
use common::{Rng, check, reset_heap};
use core::arch::wasm32::*;

/// The vector of 16 bytes.
#[inline(always)]
fn load(bytes: &[u8; 16]) -> v128 {
    // SAFETY: `bytes` holds the 16 bytes read; `v128.load` needs no alignment.
    unsafe { v128_load(bytes.as_ptr().cast()) }
}

/// The vector of the 16 bytes of `bytes` from `at` (which must be in bounds).
#[inline(always)]
fn load_at(bytes: &[u8], at: usize) -> v128 {
    load(bytes[at..at + 16].try_into().unwrap())
}

/// The 16 bytes of a chunk of [`slice::chunks_exact`]`(16)`.
#[inline(always)]
fn load_chunk(chunk: &[u8]) -> v128 {
    load(chunk.try_into().unwrap())
}

/// The first position of `byte` in `hay`.
fn find_byte(hay: &[u8], byte: u8) -> Option<usize> {
    let wanted = u8x16_splat(byte);
    let mut chunks = hay.chunks_exact(16);
    for (k, chunk) in (&mut chunks).enumerate() {
        let mask = i8x16_bitmask(i8x16_eq(load_chunk(chunk), wanted));
        if mask != 0 {
            return Some(16 * k + mask.trailing_zeros() as usize);
        }
    }
    let rest = chunks.remainder();
    let start = hay.len() - rest.len();
    rest.iter().position(|&b| b == byte).map(|at| start + at)
}

/// The sum of the 16 byte lanes of `counters`.
fn sum_bytes(counters: v128) -> usize {
    let words = u32x4_extadd_pairwise_u16x8(u16x8_extadd_pairwise_u8x16(counters));
    (u32x4_extract_lane::<0>(words)
        + u32x4_extract_lane::<1>(words)
        + u32x4_extract_lane::<2>(words)
        + u32x4_extract_lane::<3>(words)) as usize
}

/// How many times `byte` occurs in `hay`.
fn count_byte(hay: &[u8], byte: u8) -> usize {
    let wanted = u8x16_splat(byte);
    let mut chunks = hay.chunks_exact(16);
    let mut total = 0;
    loop {
        // A lane that matches is -1: subtracting the mask counts it. 255 vectors at most,
        // so that no byte counter wraps.
        let mut counters = u8x16_splat(0);
        let mut taken = 0;
        for chunk in chunks.by_ref().take(255) {
            counters = i8x16_sub(counters, i8x16_eq(load_chunk(chunk), wanted));
            taken += 1;
        }
        total += sum_bytes(counters);
        if taken < 255 {
            break;
        }
    }
    total + chunks.remainder().iter().filter(|&&b| b == byte).count()
}

/// Calls `found` with every position where `needle` (not empty) starts in `hay`, in
/// order, overlapping occurrences included.
fn find_all(hay: &[u8], needle: &[u8], mut found: impl FnMut(usize)) {
    let m = needle.len();
    if m == 0 || m > hay.len() {
        return;
    }
    let first = u8x16_splat(needle[0]);
    let last = u8x16_splat(needle[m - 1]);
    let mut at = 0;
    while at + m - 1 + 16 <= hay.len() {
        let candidates = v128_and(
            i8x16_eq(load_at(hay, at), first),
            i8x16_eq(load_at(hay, at + m - 1), last),
        );
        let mut mask = i8x16_bitmask(candidates);
        while mask != 0 {
            let start = at + mask.trailing_zeros() as usize;
            if hay[start + 1..start + m] == needle[1..] {
                found(start);
            }
            mask &= mask - 1;
        }
        at += 16;
    }
    // The last starts, with too few bytes after them for a vector.
    for start in at..=hay.len() - m {
        if hay[start..start + m] == *needle {
            found(start);
        }
    }
}

/// What `wc` counts, and punctuation marks.
#[derive(Clone, Copy, Default, PartialEq, Eq)]
struct Stats {
    lines: usize,
    words: usize,
    marks: usize,
}

/// A space (0x20).
const SPACE: u8 = 1;
/// A tab, line feed or carriage return (0x09, 0x0a, 0x0d).
const CONTROL: u8 = 2;
/// `!`, `,` or `.` (0x21, 0x2c, 0x2e).
const MARK_2X: u8 = 4;
/// `:`, `;` or `?` (0x3a, 0x3b, 0x3f).
const MARK_3X: u8 = 8;

/// The classes a byte's low nibble allows: a byte is in a class when both its nibbles
/// allow it.
const LOW_CLASSES: [u8; 16] = [
    SPACE,             // 0: 0x20
    MARK_2X,           // 1: 0x21
    0,                 // 2
    0,                 // 3
    0,                 // 4
    0,                 // 5
    0,                 // 6
    0,                 // 7
    0,                 // 8
    CONTROL,           // 9: 0x09
    CONTROL | MARK_3X, // a: 0x0a, 0x3a
    MARK_3X,           // b: 0x3b
    MARK_2X,           // c: 0x2c
    CONTROL,           // d: 0x0d
    MARK_2X,           // e: 0x2e
    MARK_3X,           // f: 0x3f
];

/// The classes a byte's high nibble allows.
const HIGH_CLASSES: [u8; 16] = [
    CONTROL,
    0,
    SPACE | MARK_2X,
    MARK_3X,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
];

fn is_space(byte: u8) -> bool {
    matches!(byte, b' ' | b'\t' | b'\n' | b'\r')
}

fn is_mark(byte: u8) -> bool {
    matches!(byte, b'!' | b',' | b'.' | b':' | b';' | b'?')
}

/// Lines (line feeds), words (runs of bytes other than spaces, tabs, line feeds and
/// carriage returns) and punctuation marks of `text`, 16 bytes at a time.
fn text_stats(text: &[u8]) -> Stats {
    let low_classes = load(&LOW_CLASSES);
    let high_classes = load(&HIGH_CLASSES);
    let nibble = u8x16_splat(0x0f);
    let spaces = u8x16_splat(SPACE | CONTROL);
    let marks = u8x16_splat(MARK_2X | MARK_3X);
    let line_feed = u8x16_splat(b'\n');
    let zero = u8x16_splat(0);
    let mut stats = Stats::default();
    // Whether the byte before the chunk is a space: the text starts as after one.
    let mut after_space = 1u32;
    let mut chunks = text.chunks_exact(16);
    for chunk in &mut chunks {
        let bytes = load_chunk(chunk);
        let classes = v128_and(
            i8x16_swizzle(low_classes, v128_and(bytes, nibble)),
            i8x16_swizzle(high_classes, u8x16_shr(bytes, 4)),
        );
        let space = u32::from(i8x16_bitmask(i8x16_ne(v128_and(classes, spaces), zero)));
        let mark = i8x16_bitmask(i8x16_ne(v128_and(classes, marks), zero));
        let lines = i8x16_bitmask(i8x16_eq(bytes, line_feed));
        // A word starts at a byte that is no space, after one that is.
        let starts = !space & (space << 1 | after_space) & 0xffff;
        after_space = space >> 15;
        stats.lines += lines.count_ones() as usize;
        stats.marks += mark.count_ones() as usize;
        stats.words += starts.count_ones() as usize;
    }
    let mut after_space = after_space == 1;
    for &byte in chunks.remainder() {
        let space = is_space(byte);
        stats.words += usize::from(after_space && !space);
        stats.lines += usize::from(byte == b'\n');
        stats.marks += usize::from(is_mark(byte));
        after_space = space;
    }
    stats
}

/// [`text_stats`] a byte at a time.
fn text_stats_scalar(text: &[u8]) -> Stats {
    let mut stats = Stats::default();
    let mut after_space = true;
    for &byte in text {
        let space = is_space(byte);
        if after_space && !space {
            stats.words += 1;
        }
        if byte == b'\n' {
            stats.lines += 1;
        }
        if is_mark(byte) {
            stats.marks += 1;
        }
        after_space = space;
    }
    stats
}

/// The occurrences of `needle` in `hay`, a byte at a time: their number and the sum of
/// their positions.
fn find_all_scalar(hay: &[u8], needle: &[u8]) -> (usize, usize) {
    let (mut count, mut sum) = (0, 0);
    if needle.len() <= hay.len() {
        for start in 0..=hay.len() - needle.len() {
            if hay[start..start + needle.len()] == *needle {
                count += 1;
                sum += start;
            }
        }
    }
    (count, sum)
}

/// The number of occurrences of `needle` in `hay` and the sum of their positions, by
/// [`find_all`].
fn find_all_summed(hay: &[u8], needle: &[u8]) -> (usize, usize) {
    let (mut count, mut sum) = (0, 0);
    find_all(hay, needle, |at| {
        count += 1;
        sum += at;
    });
    (count, sum)
}

/// Every occurrence of `byte` in `hay`, visited by [`find_byte`]: their number and the
/// sum of their positions.
fn visit_byte(hay: &[u8], byte: u8) -> (usize, usize) {
    let (mut count, mut sum, mut from) = (0, 0, 0);
    while let Some(at) = find_byte(&hay[from..], byte) {
        count += 1;
        sum += from + at;
        from += at + 1;
    }
    (count, sum)
}

const WORDS: [&[u8]; 24] = [
    b"the",
    b"quick",
    b"brown",
    b"fox",
    b"jumps",
    b"over",
    b"lazy",
    b"dog",
    b"and",
    b"of",
    b"a",
    b"to",
    b"in",
    b"is",
    b"was",
    b"that",
    b"river",
    b"mountain",
    b"interpreter",
    b"vector",
    b"search",
    b"zebra",
    b"quartz",
    "caf\u{e9}".as_bytes(),
];

/// About `len` bytes of words from [`WORDS`] with spaces, punctuation and line breaks.
fn generate(len: usize, rng: &mut Rng) -> Vec<u8> {
    let mut text = Vec::with_capacity(len + 16);
    while text.len() < len {
        text.extend_from_slice(WORDS[rng.below(WORDS.len() as u32) as usize]);
        let separator: &[u8] = match rng.below(100) {
            0..=5 => b", ",
            6..=8 => b". ",
            9 => b"!\n",
            10 => b"?\r\n",
            11 => b"; ",
            12 => b": ",
            13..=17 => b"\n",
            18 => b"\t",
            _ => b" ",
        };
        text.extend_from_slice(separator);
    }
    text.truncate(len);
    text
}

/// The bytes searched for, from frequent to absent.
const BYTES: [u8; 5] = [b'\n', b',', b'q', b'z', b'#'];

/// The needles searched for.
const NEEDLES: [&[u8]; 6] = [
    b"the",
    b"er",
    b"quick brown",
    b"zebra. ",
    b"interpreter",
    b"vector search",
];

#[unsafe(no_mangle)]
pub extern "C" fn run(n: i32) -> i64 {
    reset_heap();
    let mut rng = Rng::new(0x5eed_0005);
    let text = generate(n.max(0) as usize, &mut rng);

    // The kernels against byte-at-a-time versions, on a prefix.
    let prefix = &text[..text.len() / 16];
    check(text_stats(prefix) == text_stats_scalar(prefix));
    for byte in BYTES {
        let (count, sum) = find_all_scalar(prefix, &[byte]);
        check(count_byte(prefix, byte) == count);
        check(visit_byte(prefix, byte) == (count, sum));
    }
    for needle in NEEDLES {
        check(find_all_summed(prefix, needle) == find_all_scalar(prefix, needle));
    }

    // The whole text: the kernels agree with each other.
    let mut result = 0u64;
    let mut mix = |value: usize| result = result.rotate_left(9) ^ value as u64;
    let stats = text_stats(&text);
    check(stats.lines == count_byte(&text, b'\n'));
    mix(stats.lines);
    mix(stats.words);
    mix(stats.marks);
    for byte in BYTES {
        let (count, sum) = visit_byte(&text, byte);
        check(count_byte(&text, byte) == count);
        check(find_all_summed(&text, &[byte]) == (count, sum));
        mix(count);
        mix(sum);
    }
    for needle in NEEDLES {
        let (count, sum) = find_all_summed(&text, needle);
        mix(count);
        mix(sum);
    }
    result as i64
}
