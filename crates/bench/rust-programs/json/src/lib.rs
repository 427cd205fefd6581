//! Parsing: generates about `n` bytes of JSON text (records of objects, arrays, integers,
//! strings with escapes, literals), parses it into a tree, and prints the tree back.
//!
//! Self-checks: the printed text is the generated text byte for byte (the generator
//! writes the printer's canonical form), and the tree's statistics (values, integer sum,
//! string characters, deepest nesting) are the ones the generator counted.

#![no_std]

extern crate alloc;

use alloc::string::String;
use alloc::vec::Vec;
use common::{Rng, check, fail, reset_heap};

/// A parsed JSON value.
enum Value {
    Null,
    Bool(bool),
    Int(i64),
    Str(String),
    Array(Vec<Value>),
    Object(Vec<(String, Value)>),
}

/// What the generator and the tree must agree on.
#[derive(Default, PartialEq, Eq)]
struct Stats {
    values: u64,
    int_sum: i64,
    chars: u64,
    depth: u32,
}

const KEYS: [&str; 12] = [
    "id", "name", "tags", "score", "active", "parent", "children", "note", "x", "y", "weight",
    "comment",
];
const WORDS: [&str; 10] = [
    "alpha",
    "beta",
    "gamma",
    "delta",
    "naïve",
    "café",
    "Ünïcödé",
    "tab\there",
    "line\nbreak",
    "quote\"d",
];

// ---------------------------------------------------------------- printing

fn print_string(out: &mut Vec<u8>, text: &str) {
    out.push(b'"');
    for c in text.chars() {
        match c {
            '"' => out.extend_from_slice(b"\\\""),
            '\\' => out.extend_from_slice(b"\\\\"),
            '\n' => out.extend_from_slice(b"\\n"),
            '\t' => out.extend_from_slice(b"\\t"),
            ' '..='~' => out.push(c as u8),
            _ => {
                // Everything else as \uXXXX (only characters of the basic plane occur).
                let code = c as u32;
                check(code < 0x1_0000);
                out.extend_from_slice(b"\\u");
                for shift in [12, 8, 4, 0] {
                    out.push(b"0123456789abcdef"[((code >> shift) & 0xf) as usize]);
                }
            }
        }
    }
    out.push(b'"');
}

fn print_int(out: &mut Vec<u8>, value: i64) {
    if value < 0 {
        out.push(b'-');
    }
    let mut magnitude = value.unsigned_abs();
    let mut digits = [0u8; 20];
    let mut count = 0;
    loop {
        digits[count] = b'0' + (magnitude % 10) as u8;
        count += 1;
        magnitude /= 10;
        if magnitude == 0 {
            break;
        }
    }
    out.extend(digits[..count].iter().rev());
}

fn print(out: &mut Vec<u8>, value: &Value) {
    match value {
        Value::Null => out.extend_from_slice(b"null"),
        Value::Bool(true) => out.extend_from_slice(b"true"),
        Value::Bool(false) => out.extend_from_slice(b"false"),
        Value::Int(i) => print_int(out, *i),
        Value::Str(s) => print_string(out, s),
        Value::Array(items) => {
            out.push(b'[');
            for (k, item) in items.iter().enumerate() {
                if k > 0 {
                    out.push(b',');
                }
                print(out, item);
            }
            out.push(b']');
        }
        Value::Object(members) => {
            out.push(b'{');
            for (k, (key, item)) in members.iter().enumerate() {
                if k > 0 {
                    out.push(b',');
                }
                print_string(out, key);
                out.push(b':');
                print(out, item);
            }
            out.push(b'}');
        }
    }
}

// ---------------------------------------------------------------- generating

/// Writes a random value at nesting `depth` in canonical form, counting what it wrote.
fn generate(rng: &mut Rng, out: &mut Vec<u8>, stats: &mut Stats, depth: u32) {
    stats.values += 1;
    stats.depth = stats.depth.max(depth);
    let nested = if depth < 6 { 30 } else { 0 };
    let pick = rng.below(100);
    if pick < nested / 2 {
        out.push(b'[');
        for k in 0..rng.below(6) {
            if k > 0 {
                out.push(b',');
            }
            generate(rng, out, stats, depth + 1);
        }
        out.push(b']');
    } else if pick < nested {
        out.push(b'{');
        for k in 0..rng.below(6) {
            if k > 0 {
                out.push(b',');
            }
            let key = KEYS[rng.below(KEYS.len() as u32) as usize];
            stats.chars += key.chars().count() as u64;
            print_string(out, key);
            out.push(b':');
            generate(rng, out, stats, depth + 1);
        }
        out.push(b'}');
    } else if pick < 60 {
        let value = match rng.below(4) {
            0 => i64::from(rng.below(10)),
            1 => -i64::from(rng.below(100_000)),
            2 => i64::from(rng.next_u32()),
            _ => (rng.next_u64() >> 2) as i64 - (1 << 61),
        };
        stats.int_sum = stats.int_sum.wrapping_add(value);
        print_int(out, value);
    } else if pick < 85 {
        let mut text = String::new();
        for k in 0..=rng.below(3) {
            if k > 0 {
                text.push(' ');
            }
            text.push_str(WORDS[rng.below(WORDS.len() as u32) as usize]);
        }
        stats.chars += text.chars().count() as u64;
        print_string(out, &text);
    } else {
        let literal: &[u8] = match rng.below(3) {
            0 => b"null",
            1 => b"true",
            _ => b"false",
        };
        out.extend_from_slice(literal);
    }
}

// ---------------------------------------------------------------- parsing

struct Parser<'a> {
    text: &'a [u8],
    at: usize,
}

impl Parser<'_> {
    fn peek(&self) -> u8 {
        self.text.get(self.at).copied().unwrap_or(0)
    }

    fn skip_space(&mut self) {
        while matches!(self.peek(), b' ' | b'\t' | b'\n' | b'\r') {
            self.at += 1;
        }
    }

    fn expect(&mut self, byte: u8) {
        self.skip_space();
        check(self.peek() == byte);
        self.at += 1;
    }

    fn literal(&mut self, word: &[u8], value: Value) -> Value {
        check(self.text[self.at..].starts_with(word));
        self.at += word.len();
        value
    }

    fn hex_digit(&mut self) -> u32 {
        let digit = match self.peek() {
            c @ b'0'..=b'9' => c - b'0',
            c @ b'a'..=b'f' => c - b'a' + 10,
            c @ b'A'..=b'F' => c - b'A' + 10,
            _ => fail(),
        };
        self.at += 1;
        u32::from(digit)
    }

    fn string(&mut self) -> String {
        self.expect(b'"');
        let mut bytes = Vec::new();
        loop {
            // A run of plain characters is copied at once.
            let start = self.at;
            while !matches!(self.peek(), b'"' | b'\\' | 0) {
                self.at += 1;
            }
            bytes.extend_from_slice(&self.text[start..self.at]);
            match self.peek() {
                b'"' => break,
                b'\\' => {
                    self.at += 1;
                    let escape = self.peek();
                    self.at += 1;
                    match escape {
                        b'"' | b'\\' | b'/' => bytes.push(escape),
                        b'n' => bytes.push(b'\n'),
                        b't' => bytes.push(b'\t'),
                        b'r' => bytes.push(b'\r'),
                        b'b' => bytes.push(8),
                        b'f' => bytes.push(12),
                        b'u' => {
                            let mut code = 0;
                            for _ in 0..4 {
                                code = code * 16 + self.hex_digit();
                            }
                            let c = char::from_u32(code).unwrap_or_else(|| fail());
                            let mut utf8 = [0; 4];
                            bytes.extend_from_slice(c.encode_utf8(&mut utf8).as_bytes());
                        }
                        _ => fail(),
                    }
                }
                _ => fail(),
            }
        }
        self.at += 1;
        String::from_utf8(bytes).unwrap_or_else(|_| fail())
    }

    fn int(&mut self) -> i64 {
        let negative = self.peek() == b'-';
        if negative {
            self.at += 1;
        }
        let start = self.at;
        let mut magnitude: u64 = 0;
        while let c @ b'0'..=b'9' = self.peek() {
            magnitude = magnitude
                .checked_mul(10)
                .and_then(|m| m.checked_add(u64::from(c - b'0')))
                .unwrap_or_else(|| fail());
            self.at += 1;
        }
        check(self.at > start);
        if negative {
            (magnitude as i64).wrapping_neg()
        } else {
            magnitude as i64
        }
    }

    fn value(&mut self) -> Value {
        self.skip_space();
        match self.peek() {
            b'n' => self.literal(b"null", Value::Null),
            b't' => self.literal(b"true", Value::Bool(true)),
            b'f' => self.literal(b"false", Value::Bool(false)),
            b'"' => Value::Str(self.string()),
            b'[' => {
                self.at += 1;
                let mut items = Vec::new();
                self.skip_space();
                if self.peek() == b']' {
                    self.at += 1;
                    return Value::Array(items);
                }
                loop {
                    items.push(self.value());
                    self.skip_space();
                    match self.peek() {
                        b',' => self.at += 1,
                        b']' => break,
                        _ => fail(),
                    }
                }
                self.at += 1;
                Value::Array(items)
            }
            b'{' => {
                self.at += 1;
                let mut members = Vec::new();
                self.skip_space();
                if self.peek() == b'}' {
                    self.at += 1;
                    return Value::Object(members);
                }
                loop {
                    let key = self.string();
                    self.expect(b':');
                    members.push((key, self.value()));
                    self.skip_space();
                    match self.peek() {
                        b',' => self.at += 1,
                        b'}' => break,
                        _ => fail(),
                    }
                }
                self.at += 1;
                Value::Object(members)
            }
            b'-' | b'0'..=b'9' => Value::Int(self.int()),
            _ => fail(),
        }
    }
}

fn parse(text: &[u8]) -> Value {
    let mut parser = Parser { text, at: 0 };
    let value = parser.value();
    parser.skip_space();
    check(parser.at == text.len());
    value
}

// ---------------------------------------------------------------- walking

fn measure(value: &Value, depth: u32, stats: &mut Stats) {
    stats.values += 1;
    stats.depth = stats.depth.max(depth);
    match value {
        Value::Null | Value::Bool(_) => {}
        Value::Int(i) => stats.int_sum = stats.int_sum.wrapping_add(*i),
        Value::Str(s) => stats.chars += s.chars().count() as u64,
        Value::Array(items) => {
            for item in items {
                measure(item, depth + 1, stats);
            }
        }
        Value::Object(members) => {
            for (key, item) in members {
                stats.chars += key.chars().count() as u64;
                measure(item, depth + 1, stats);
            }
        }
    }
}

/// The generated document: an array of records until the text is `len` bytes long.
fn document(len: usize, expected: &mut Stats) -> Vec<u8> {
    let mut rng = Rng::new(0x5eed_0002);
    let mut text = Vec::with_capacity(len + 1024);
    text.push(b'[');
    expected.values = 1;
    while text.len() < len {
        if text.len() > 1 {
            text.push(b',');
        }
        // Every record is an object, so the document nests at least two deep.
        let mut record = Stats::default();
        text.push(b'{');
        print_string(&mut text, "seq");
        text.push(b':');
        print_int(&mut text, expected.values as i64);
        record.int_sum = expected.values as i64;
        record.chars = 3;
        text.push(b',');
        print_string(&mut text, "body");
        text.push(b':');
        record.chars += 4;
        generate(&mut rng, &mut text, &mut record, 2);
        text.push(b'}');
        expected.values += record.values + 2;
        expected.int_sum = expected.int_sum.wrapping_add(record.int_sum);
        expected.chars += record.chars;
        // The record's own "seq" is two deep.
        expected.depth = expected.depth.max(record.depth).max(2);
    }
    text.push(b']');
    text
}

#[unsafe(no_mangle)]
pub extern "C" fn run(n: i32) -> i64 {
    reset_heap();
    let mut expected = Stats::default();
    let text = document(n.max(0) as usize, &mut expected);

    let tree = parse(&text);
    let mut found = Stats::default();
    measure(&tree, 0, &mut found);
    check(found == expected);

    let mut printed = Vec::with_capacity(text.len());
    print(&mut printed, &tree);
    check(printed == text);

    // A second parse, of text with whitespace between the tokens, gives the same tree.
    let mut spaced = Vec::with_capacity(text.len() * 2);
    let mut in_string = false;
    let mut escaped = false;
    for &byte in &text {
        spaced.push(byte);
        if in_string {
            match (escaped, byte) {
                (true, _) => escaped = false,
                (false, b'\\') => escaped = true,
                (false, b'"') => in_string = false,
                _ => {}
            }
        } else if byte == b'"' {
            in_string = true;
        } else if matches!(byte, b',' | b':' | b'[' | b'{') {
            spaced.extend_from_slice(b" \n");
        }
    }
    let again = parse(&spaced);
    let mut reprinted = Vec::with_capacity(text.len());
    print(&mut reprinted, &again);
    check(reprinted == text);

    (expected.values as i64) << 40 ^ expected.int_sum ^ (expected.chars as i64) << 20
}
