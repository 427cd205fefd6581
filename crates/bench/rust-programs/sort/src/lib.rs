//! Sorting: `n` pseudo-random keys of three kinds, sorted by generic routines: a
//! quicksort (median of three, insertion sort for short runs) and a stable merge sort
//! with a comparison closure. The kinds: `u64` keys, records sorted by a 32-bit key with
//! many duplicates, and words (byte slices of a generated text, compared
//! lexicographically).
//!
//! Self-checks: every output is in order and holds the same multiset (order-independent
//! checksums); the merge sort keeps records with equal keys in their original order.

#![no_std]

extern crate alloc;

use alloc::vec::Vec;
use common::{Rng, check, reset_heap};

/// Sorts `v` by `less`: quicksort with Hoare's partition (elements equal to the pivot
/// are spread over both sides, so duplicates do not make it quadratic), the loop going
/// on with the longer part and recursion into the shorter one (so the depth stays
/// logarithmic), insertion sort below 16 elements.
fn quicksort<T: Copy, F: Fn(&T, &T) -> bool>(mut v: &mut [T], less: &F) {
    while v.len() > 16 {
        let last = v.len() - 1;
        let middle = last / 2;
        // The median of the first, middle and last element, left in the middle.
        if less(&v[middle], &v[0]) {
            v.swap(middle, 0);
        }
        if less(&v[last], &v[middle]) {
            v.swap(last, middle);
            if less(&v[middle], &v[0]) {
                v.swap(middle, 0);
            }
        }
        let pivot = v[middle];
        let (mut i, mut j) = (0, last);
        loop {
            while less(&v[i], &pivot) {
                i += 1;
            }
            while less(&pivot, &v[j]) {
                j -= 1;
            }
            if i >= j {
                break;
            }
            v.swap(i, j);
            i += 1;
            j -= 1;
        }
        // The pivot is not the last element, so both parts are shorter than `v`.
        let (left, right) = v.split_at_mut(j + 1);
        if left.len() < right.len() {
            quicksort(left, less);
            v = right;
        } else {
            quicksort(right, less);
            v = left;
        }
    }
    insertion_sort(v, less);
}

fn insertion_sort<T: Copy, F: Fn(&T, &T) -> bool>(v: &mut [T], less: &F) {
    for k in 1..v.len() {
        let item = v[k];
        let mut j = k;
        while j > 0 && less(&item, &v[j - 1]) {
            v[j] = v[j - 1];
            j -= 1;
        }
        v[j] = item;
    }
}

/// Stable merge sort, bottom-up: runs of 8 sorted by insertion, then merged in passes
/// that alternate between `v` and `buffer`.
fn merge_sort<T: Copy, F: Fn(&T, &T) -> bool>(v: &mut [T], buffer: &mut Vec<T>, less: &F) {
    const RUN: usize = 8;
    for chunk in v.chunks_mut(RUN) {
        insertion_sort(chunk, less);
    }
    buffer.clear();
    buffer.extend_from_slice(v);
    let mut width = RUN;
    let mut in_buffer = false;
    while width < v.len() {
        let (from, to): (&[T], &mut [T]) = if in_buffer {
            (&buffer[..], &mut *v)
        } else {
            (&*v, &mut buffer[..])
        };
        let mut start = 0;
        while start < from.len() {
            let middle = (start + width).min(from.len());
            let end = (start + 2 * width).min(from.len());
            merge(
                &from[start..middle],
                &from[middle..end],
                &mut to[start..end],
                less,
            );
            start = end;
        }
        in_buffer = !in_buffer;
        width *= 2;
    }
    if in_buffer {
        v.copy_from_slice(buffer);
    }
}

/// Merges sorted `a` and `b` into `out`, taking from `a` on ties (stability).
fn merge<T: Copy, F: Fn(&T, &T) -> bool>(a: &[T], b: &[T], out: &mut [T], less: &F) {
    let (mut i, mut j) = (0, 0);
    for slot in out.iter_mut() {
        if j == b.len() || (i < a.len() && !less(&b[j], &a[i])) {
            *slot = a[i];
            i += 1;
        } else {
            *slot = b[j];
            j += 1;
        }
    }
}

fn is_sorted_by<T, F: Fn(&T, &T) -> bool>(v: &[T], less: F) -> bool {
    v.windows(2).all(|w| !less(&w[1], &w[0]))
}

/// An order-independent checksum of 64-bit values: sum, xor and sum of mixed values.
#[derive(PartialEq, Eq, Clone, Copy, Default)]
struct Multiset(u64, u64, u64);

impl Multiset {
    fn of(values: impl Iterator<Item = u64>) -> Multiset {
        let mut set = Multiset::default();
        for value in values {
            set.0 = set.0.wrapping_add(value);
            set.1 ^= value;
            let mixed = (value ^ (value >> 29)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            set.2 = set.2.wrapping_add(mixed ^ (mixed >> 32));
        }
        set
    }
}

#[derive(Clone, Copy)]
struct Record {
    key: u32,
    /// The record's position before sorting.
    index: u32,
    payload: u64,
}

fn words(text: &[u8]) -> Vec<&[u8]> {
    text.split(|&b| b == b' ')
        .filter(|w| !w.is_empty())
        .collect()
}

#[unsafe(no_mangle)]
pub extern "C" fn run(n: i32) -> i64 {
    reset_heap();
    let n = n.max(0) as usize;
    let mut rng = Rng::new(0x5eed_0005);

    // 64-bit keys: quicksort.
    let mut keys: Vec<u64> = (0..n).map(|_| rng.next_u64()).collect();
    let before = Multiset::of(keys.iter().copied());
    quicksort(&mut keys, &|a: &u64, b: &u64| a < b);
    check(is_sorted_by(&keys, |a, b| a < b));
    check(Multiset::of(keys.iter().copied()) == before);

    // Records with keys from a small range: stable merge sort by key.
    let range = (n as u32 / 8).max(1);
    let mut records: Vec<Record> = (0..n as u32)
        .map(|index| Record {
            key: rng.below(range),
            index,
            payload: rng.next_u64(),
        })
        .collect();
    let fingerprint = |r: &Record| u64::from(r.key) << 32 ^ u64::from(r.index) ^ r.payload;
    let before = Multiset::of(records.iter().map(fingerprint));
    let mut buffer = Vec::with_capacity(n);
    merge_sort(&mut records, &mut buffer, &|a: &Record, b: &Record| {
        a.key < b.key
    });
    check(is_sorted_by(&records, |a, b| {
        (a.key, a.index) < (b.key, b.index)
    }));
    check(Multiset::of(records.iter().map(fingerprint)) == before);

    // Words of a text: quicksort and merge sort of slices, which must agree.
    let mut text = Vec::with_capacity(n * 6);
    for _ in 0..n {
        let len = 1 + rng.below(3).min(rng.below(8));
        for _ in 0..len {
            text.push(b'a' + rng.below(6).min(rng.below(26)) as u8);
        }
        text.push(b' ');
    }
    let hash_word = |w: &&[u8]| {
        w.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, &b| {
            (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
        })
    };
    let mut quick = words(&text);
    let before = Multiset::of(quick.iter().map(hash_word));
    let mut merged = quick.clone();
    quicksort(&mut quick, &|a: &&[u8], b: &&[u8]| a < b);
    let mut word_buffer = Vec::with_capacity(merged.len());
    merge_sort(&mut merged, &mut word_buffer, &|a: &&[u8], b: &&[u8]| a < b);
    check(is_sorted_by(&quick, |a, b| a < b));
    check(quick == merged);
    check(Multiset::of(quick.iter().map(hash_word)) == before);

    let mut distinct = 1u64;
    for pair in quick.windows(2) {
        distinct += u64::from(pair[0] != pair[1]);
    }
    let middle = keys.get(n / 2).copied().unwrap_or(0);
    (middle ^ u64::from(records.last().map_or(0, |r| r.index)) ^ distinct << 48) as i64
}
