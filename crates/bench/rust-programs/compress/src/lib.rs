//! Compression: `n` bytes of generated text compressed with LZ77 (hash chains over a
//! 32 KiB window) and two canonical Huffman codes (literals and lengths, distances), in
//! the manner of Deflate but with a format of its own, then decompressed.
//!
//! Self-checks: the decompressed bytes are the input, and the text (words from a small
//! vocabulary) compresses to less than half its size (from 10 000 bytes on: below that,
//! the code lengths stored in front weigh too much).

#![no_std]

extern crate alloc;

use alloc::vec;
use alloc::vec::Vec;
use common::{Rng, check, fail, reset_heap};

const WINDOW: usize = 1 << 15;
const MIN_MATCH: usize = 3;
const MAX_MATCH: usize = 258;
const HASH_BITS: u32 = 14;
const MAX_CHAIN: usize = 24;
const MAX_BITS: usize = 15;

/// Symbol 256 ends the stream; 257.. are length buckets.
const END: usize = 256;
const LENGTH_CODES: usize = 29;
const LITLEN_SYMBOLS: usize = END + 1 + LENGTH_CODES;
const DISTANCE_SYMBOLS: usize = 30;

/// A bucket of lengths or distances: its first value and how many extra bits follow.
#[derive(Clone, Copy)]
struct Bucket {
    base: u16,
    extra: u8,
}

/// Buckets whose sizes double every `per_step` buckets after the first `flat` ones of
/// size 1, starting at `first`.
fn buckets<const N: usize>(first: u16, flat: usize, per_step: usize) -> [Bucket; N] {
    let mut table = [Bucket { base: 0, extra: 0 }; N];
    let mut base = first;
    for (k, bucket) in table.iter_mut().enumerate() {
        let extra = if k < flat {
            0
        } else {
            (k - flat) / per_step + 1
        };
        *bucket = Bucket {
            base,
            extra: extra as u8,
        };
        base = base.wrapping_add(1 << extra);
    }
    table
}

struct Tables {
    lengths: [Bucket; LENGTH_CODES],
    distances: [Bucket; DISTANCE_SYMBOLS],
}

impl Tables {
    fn new() -> Tables {
        let tables = Tables {
            lengths: buckets(3, 8, 4),
            distances: buckets(1, 4, 2),
        };
        // The last length bucket must reach MAX_MATCH, the last distance one the window.
        let last = tables.lengths[LENGTH_CODES - 1];
        check(usize::from(last.base) + (1 << last.extra) > MAX_MATCH);
        let last = tables.distances[DISTANCE_SYMBOLS - 1];
        check(usize::from(last.base) + (1 << last.extra) > WINDOW);
        tables
    }

    fn bucket_of(table: &[Bucket], value: usize) -> usize {
        // The buckets are few and sorted: a binary search over their bases.
        let (mut low, mut high) = (0, table.len());
        while high - low > 1 {
            let middle = (low + high) / 2;
            if usize::from(table[middle].base) <= value {
                low = middle;
            } else {
                high = middle;
            }
        }
        low
    }
}

/// An LZ77 token: a literal byte, or a copy of `length` bytes from `distance` back.
#[derive(Clone, Copy)]
enum Token {
    Literal(u8),
    Copy { length: u16, distance: u16 },
}

fn hash3(bytes: &[u8]) -> usize {
    let word = u32::from(bytes[0]) | u32::from(bytes[1]) << 8 | u32::from(bytes[2]) << 16;
    (word.wrapping_mul(0x9e37_79b1) >> (32 - HASH_BITS)) as usize
}

/// Greedy LZ77 with one step of lazy matching.
fn tokenize(input: &[u8]) -> Vec<Token> {
    let mut head = vec![u32::MAX; 1 << HASH_BITS];
    let mut previous = vec![u32::MAX; WINDOW];
    let mut tokens = Vec::with_capacity(input.len() / 2);

    let insert = |at: usize, head: &mut [u32], previous: &mut [u32]| {
        if at + MIN_MATCH <= input.len() {
            let h = hash3(&input[at..]);
            previous[at % WINDOW] = head[h];
            head[h] = at as u32;
        }
    };
    let longest = |at: usize, head: &[u32], previous: &[u32]| -> (usize, usize) {
        let mut best = (0, 0);
        if at + MIN_MATCH > input.len() {
            return best;
        }
        let limit = (input.len() - at).min(MAX_MATCH);
        let mut candidate = head[hash3(&input[at..])];
        for _ in 0..MAX_CHAIN {
            if candidate == u32::MAX || at - candidate as usize > WINDOW - 1 {
                break;
            }
            let from = candidate as usize;
            if input[from + best.0] == input[at + best.0] {
                let length = input[from..from + limit]
                    .iter()
                    .zip(&input[at..at + limit])
                    .take_while(|(a, b)| a == b)
                    .count();
                if length > best.0 {
                    best = (length, at - from);
                    if length == limit {
                        break;
                    }
                }
            }
            let next = previous[from % WINDOW];
            if next == u32::MAX || next >= candidate {
                break;
            }
            candidate = next;
        }
        best
    };

    let mut at = 0;
    while at < input.len() {
        let (length, distance) = longest(at, &head, &previous);
        insert(at, &mut head, &mut previous);
        if length < MIN_MATCH {
            tokens.push(Token::Literal(input[at]));
            at += 1;
            continue;
        }
        // Lazy: a longer match one byte later wins over this one.
        let (later, _) = longest(at + 1, &head, &previous);
        if later > length {
            tokens.push(Token::Literal(input[at]));
            at += 1;
            continue;
        }
        tokens.push(Token::Copy {
            length: length as u16,
            distance: distance as u16,
        });
        for k in 1..length {
            insert(at + k, &mut head, &mut previous);
        }
        at += length;
    }
    tokens
}

/// Code lengths (at most `MAX_BITS`) for symbols of the given frequencies: Huffman's
/// construction over sorted leaves with a second queue of merged nodes; when the tree is
/// too deep, the frequencies are flattened and it is built again.
fn code_lengths(frequencies: &[u32]) -> Vec<u8> {
    let count = frequencies.len();
    let mut lengths = vec![0u8; count];
    let mut weights: Vec<u32> = frequencies.to_vec();
    loop {
        let mut leaves: Vec<usize> = (0..count).filter(|&s| weights[s] > 0).collect();
        match leaves.len() {
            0 => return lengths,
            1 => {
                lengths[leaves[0]] = 1;
                return lengths;
            }
            _ => {}
        }
        sort_by_weight(&mut leaves, &weights);
        // Nodes: leaves first (by index into `leaves`), merged nodes after; `parent` links.
        let leaf_count = leaves.len();
        let mut weight: Vec<u64> = leaves.iter().map(|&s| u64::from(weights[s])).collect();
        let mut parent = vec![usize::MAX; 2 * leaf_count - 1];
        let (mut next_leaf, mut next_merged) = (0, leaf_count);
        let take = |weight: &[u64], next_leaf: &mut usize, next_merged: &mut usize| {
            let leaf_ok = *next_leaf < leaf_count;
            let merged_ok = *next_merged < weight.len();
            if leaf_ok && (!merged_ok || weight[*next_leaf] <= weight[*next_merged]) {
                *next_leaf += 1;
                *next_leaf - 1
            } else {
                *next_merged += 1;
                *next_merged - 1
            }
        };
        for _ in 0..leaf_count - 1 {
            let a = take(&weight, &mut next_leaf, &mut next_merged);
            let b = take(&weight, &mut next_leaf, &mut next_merged);
            let node = weight.len();
            weight.push(weight[a] + weight[b]);
            parent[a] = node;
            parent[b] = node;
        }
        // Depths from the root (the last node) down: parents come after their children.
        let mut depth = vec![0u8; weight.len()];
        let mut deepest = 0;
        for node in (0..weight.len() - 1).rev() {
            depth[node] = depth[parent[node]] + 1;
            deepest = deepest.max(depth[node]);
        }
        if usize::from(deepest) <= MAX_BITS {
            for (k, &symbol) in leaves.iter().enumerate() {
                lengths[symbol] = depth[k];
            }
            return lengths;
        }
        for w in weights.iter_mut().filter(|w| **w > 0) {
            *w = (*w >> 1) | 1;
        }
    }
}

/// Sorts symbols by weight (then by symbol): insertion sort, the lists are short.
fn sort_by_weight(symbols: &mut [usize], weights: &[u32]) {
    for k in 1..symbols.len() {
        let symbol = symbols[k];
        let key = (weights[symbol], symbol);
        let mut j = k;
        while j > 0 && (weights[symbols[j - 1]], symbols[j - 1]) > key {
            symbols[j] = symbols[j - 1];
            j -= 1;
        }
        symbols[j] = symbol;
    }
}

/// Canonical codes from code lengths: shorter codes first, then by symbol. The codes are
/// returned bit-reversed, ready for a writer that fills bytes from the low bit.
fn canonical_codes(lengths: &[u8]) -> Vec<u16> {
    let mut per_length = [0u16; MAX_BITS + 1];
    for &length in lengths {
        per_length[usize::from(length)] += 1;
    }
    per_length[0] = 0;
    let mut next = [0u32; MAX_BITS + 2];
    for bits in 1..=MAX_BITS {
        next[bits + 1] = (next[bits] + u32::from(per_length[bits])) << 1;
    }
    lengths
        .iter()
        .map(|&length| {
            if length == 0 {
                return 0;
            }
            let code = next[usize::from(length)] as u16;
            next[usize::from(length)] += 1;
            code.reverse_bits() >> (16 - length)
        })
        .collect()
}

struct BitWriter {
    bytes: Vec<u8>,
    pending: u64,
    count: u32,
}

impl BitWriter {
    fn put(&mut self, value: u32, bits: u32) {
        self.pending |= u64::from(value) << self.count;
        self.count += bits;
        while self.count >= 8 {
            self.bytes.push(self.pending as u8);
            self.pending >>= 8;
            self.count -= 8;
        }
    }

    fn finish(mut self) -> Vec<u8> {
        if self.count > 0 {
            self.bytes.push(self.pending as u8);
        }
        self.bytes
    }
}

struct BitReader<'a> {
    bytes: &'a [u8],
    at: usize,
    pending: u64,
    count: u32,
}

impl BitReader<'_> {
    fn refill(&mut self) {
        while self.count <= 56 {
            let byte = self.bytes.get(self.at).copied().unwrap_or(0);
            self.at += 1;
            self.pending |= u64::from(byte) << self.count;
            self.count += 8;
        }
    }

    fn bit(&mut self) -> u32 {
        if self.count == 0 {
            self.refill();
        }
        let bit = (self.pending & 1) as u32;
        self.pending >>= 1;
        self.count -= 1;
        bit
    }

    fn take(&mut self, bits: u32) -> u32 {
        if bits == 0 {
            return 0;
        }
        if self.count < bits {
            self.refill();
        }
        let value = (self.pending & ((1 << bits) - 1)) as u32;
        self.pending >>= bits;
        self.count -= bits;
        value
    }
}

/// A canonical decoder: how many codes each length has, and the symbols in code order.
struct Decoder {
    per_length: [u16; MAX_BITS + 1],
    symbols: Vec<u16>,
}

impl Decoder {
    fn new(lengths: &[u8]) -> Decoder {
        let mut per_length = [0u16; MAX_BITS + 1];
        for &length in lengths {
            per_length[usize::from(length)] += 1;
        }
        per_length[0] = 0;
        let mut symbols = Vec::with_capacity(lengths.len());
        for bits in 1..=MAX_BITS as u8 {
            for (symbol, &length) in lengths.iter().enumerate() {
                if length == bits {
                    symbols.push(symbol as u16);
                }
            }
        }
        Decoder {
            per_length,
            symbols,
        }
    }

    /// Reads one symbol, a bit at a time: at each length, the codes of that length are
    /// the `per_length` values from `first`.
    fn decode(&self, reader: &mut BitReader<'_>) -> usize {
        let (mut code, mut first, mut index) = (0i32, 0i32, 0i32);
        for bits in 1..=MAX_BITS {
            code |= reader.bit() as i32;
            let count = i32::from(self.per_length[bits]);
            if code - first < count {
                return usize::from(self.symbols[(index + code - first) as usize]);
            }
            index += count;
            first = (first + count) << 1;
            code <<= 1;
        }
        fail()
    }
}

fn compress(input: &[u8], tables: &Tables) -> Vec<u8> {
    let tokens = tokenize(input);
    let mut litlen_freq = vec![0u32; LITLEN_SYMBOLS];
    let mut distance_freq = vec![0u32; DISTANCE_SYMBOLS];
    for token in &tokens {
        match *token {
            Token::Literal(byte) => litlen_freq[usize::from(byte)] += 1,
            Token::Copy { length, distance } => {
                litlen_freq[END + 1 + Tables::bucket_of(&tables.lengths, length.into())] += 1;
                distance_freq[Tables::bucket_of(&tables.distances, distance.into())] += 1;
            }
        }
    }
    litlen_freq[END] = 1;
    let litlen_lengths = code_lengths(&litlen_freq);
    let distance_lengths = code_lengths(&distance_freq);
    let litlen_codes = canonical_codes(&litlen_lengths);
    let distance_codes = canonical_codes(&distance_lengths);

    let mut writer = BitWriter {
        bytes: Vec::with_capacity(input.len() / 2),
        pending: 0,
        count: 0,
    };
    for &length in litlen_lengths.iter().chain(&distance_lengths) {
        writer.put(u32::from(length), 4);
    }
    let put_symbol = |writer: &mut BitWriter, codes: &[u16], lengths: &[u8], symbol: usize| {
        writer.put(u32::from(codes[symbol]), u32::from(lengths[symbol]));
    };
    for token in &tokens {
        match *token {
            Token::Literal(byte) => {
                put_symbol(&mut writer, &litlen_codes, &litlen_lengths, byte.into())
            }
            Token::Copy { length, distance } => {
                let k = Tables::bucket_of(&tables.lengths, length.into());
                put_symbol(&mut writer, &litlen_codes, &litlen_lengths, END + 1 + k);
                let bucket = tables.lengths[k];
                writer.put(u32::from(length - bucket.base), bucket.extra.into());
                let k = Tables::bucket_of(&tables.distances, distance.into());
                put_symbol(&mut writer, &distance_codes, &distance_lengths, k);
                let bucket = tables.distances[k];
                writer.put(u32::from(distance - bucket.base), bucket.extra.into());
            }
        }
    }
    put_symbol(&mut writer, &litlen_codes, &litlen_lengths, END);
    writer.finish()
}

fn decompress(compressed: &[u8], tables: &Tables, size_hint: usize) -> Vec<u8> {
    let mut reader = BitReader {
        bytes: compressed,
        at: 0,
        pending: 0,
        count: 0,
    };
    let mut lengths = [0u8; LITLEN_SYMBOLS + DISTANCE_SYMBOLS];
    for length in lengths.iter_mut() {
        *length = reader.take(4) as u8;
    }
    let litlen = Decoder::new(&lengths[..LITLEN_SYMBOLS]);
    let distance = Decoder::new(&lengths[LITLEN_SYMBOLS..]);
    let mut output = Vec::with_capacity(size_hint);
    loop {
        let symbol = litlen.decode(&mut reader);
        if symbol < END {
            output.push(symbol as u8);
            continue;
        }
        if symbol == END {
            break;
        }
        let bucket = tables.lengths[symbol - END - 1];
        let length = usize::from(bucket.base) + reader.take(bucket.extra.into()) as usize;
        let bucket = tables.distances[distance.decode(&mut reader)];
        let back = usize::from(bucket.base) + reader.take(bucket.extra.into()) as usize;
        check(back <= output.len());
        let from = output.len() - back;
        if back >= length {
            output.extend_from_within(from..from + length);
        } else {
            // Overlapping: the copy repeats the last `back` bytes.
            for k in 0..length {
                output.push(output[from + k]);
            }
        }
    }
    check(reader.at.saturating_sub(8) <= compressed.len());
    output
}

const VOCABULARY: [&[u8]; 24] = [
    b"the",
    b"of",
    b"and",
    b"a",
    b"to",
    b"in",
    b"is",
    b"you",
    b"that",
    b"it",
    b"he",
    b"was",
    b"for",
    b"on",
    b"are",
    b"as",
    b"with",
    b"his",
    b"they",
    b"interpreter",
    b"memory",
    b"instruction",
    b"benchmark",
    b"compression",
];

/// Text: words drawn with a skewed distribution, punctuation, line breaks and numbers.
fn text(len: usize) -> Vec<u8> {
    let mut rng = Rng::new(0x5eed_0003);
    let mut out = Vec::with_capacity(len + 16);
    while out.len() < len {
        // The minimum of two draws favours the first words.
        let word = rng.below(24).min(rng.below(24)) as usize;
        out.extend_from_slice(VOCABULARY[word]);
        match rng.below(16) {
            0 => out.extend_from_slice(b".\n"),
            1 => out.extend_from_slice(b", "),
            2 => {
                out.push(b' ');
                let mut number = rng.below(10_000);
                loop {
                    out.push(b'0' + (number % 10) as u8);
                    number /= 10;
                    if number == 0 {
                        break;
                    }
                }
                out.push(b' ');
            }
            _ => out.push(b' '),
        }
    }
    out.truncate(len);
    out
}

#[unsafe(no_mangle)]
pub extern "C" fn run(n: i32) -> i64 {
    reset_heap();
    let tables = Tables::new();
    let input = text(n.max(0) as usize);
    let compressed = compress(&input, &tables);
    let output = decompress(&compressed, &tables, input.len());
    check(output == input);
    check(input.len() < 10_000 || compressed.len() < input.len() / 2);
    let mut checksum = 0u32;
    for &byte in &compressed {
        checksum = checksum.rotate_left(5) ^ u32::from(byte);
    }
    (compressed.len() as i64) << 32 | i64::from(checksum)
}
