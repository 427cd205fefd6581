//! The execution cases, in three groups, each with its own geometric mean in the report:
//!
//! * hand-written Wasm 1.0 programs, in `programs/NAME.wat`;
//! * compiled programs: Rust built by rustc for `wasm32-unknown-unknown` with its default
//!   target features, in `programs/compiled/NAME.wasm` (sources and build script in
//!   `rust-programs/`; the case is named `compiled/NAME`);
//! * SIMD programs: Rust built the same way with `-C target-feature=+simd128`, in
//!   `programs/compiled/simd_NAME.wasm` (case `compiled/simd_NAME`), some with
//!   `core::arch::wasm32` intrinsics, some vectorised by the compiler;
//! * Wasm 3.0 programs: hand-written text using Wasm 3.0 features that wasmi also runs
//!   (tail calls), in `programs/NAME.wat`. (Exceptions, which wasmi does not run, are
//!   measured apart: `exceptions/throw_catch` in `main.rs`.)
//!
//! Every program exports `run(n: i32) -> i64`, where `n` sets the amount of work, and may
//! export `init()`, called once after instantiation and not timed. A hand-written program
//! may import `env.mix`, the host function of [`crate::engines::host_mix`]. A compiled
//! program checks its own result and traps when the check fails.

use std::borrow::Cow;

use anyhow::{Context as _, Result};

/// The groups of execution cases, in report order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Group {
    /// Wasm 1.0 text written for the bench, each program one kind of operation.
    HandWritten,
    /// Rust programs as rustc compiles them, each a kind of real work.
    Compiled,
    /// Rust programs built for 128-bit SIMD, each a kind of work that uses it.
    Simd,
    /// Wasm 3.0 text written for the bench, each program one feature.
    Wasm3,
}

impl Group {
    /// Every group, in report order.
    pub const ALL: [Group; 4] = [
        Group::HandWritten,
        Group::Compiled,
        Group::Simd,
        Group::Wasm3,
    ];

    /// The group's name in tables.
    pub fn title(self) -> &'static str {
        match self {
            Group::HandWritten => "hand-written programs",
            Group::Compiled => "compiled programs",
            Group::Simd => "SIMD programs",
            Group::Wasm3 => "Wasm 3.0 programs",
        }
    }

    /// What one of the group's programs is called in a sentence.
    pub fn noun(self) -> &'static str {
        match self {
            Group::HandWritten => "hand-written program",
            Group::Compiled => "compiled program",
            Group::Simd => "SIMD program",
            Group::Wasm3 => "Wasm 3.0 program",
        }
    }
}

/// A program as the bench holds it.
pub enum Program {
    /// Wasm text, converted to a binary before anything is timed.
    Text(&'static str),
    /// A Wasm binary.
    Binary(&'static [u8]),
}

/// One execution case.
pub struct Case {
    /// The case's name, also its program's path under `programs/` without the extension.
    pub name: &'static str,
    /// The group whose geometric mean the case enters.
    pub group: Group,
    /// The program.
    pub program: Program,
    /// The argument of `run`: sized so one call takes some tens of milliseconds on the
    /// simple engine.
    pub arg: i32,
    /// What the case exercises, for the report.
    pub what: &'static str,
}

impl Case {
    /// The program's binary.
    pub fn binary(&self) -> Result<Cow<'static, [u8]>> {
        match self.program {
            Program::Text(text) => Ok(Cow::Owned(
                wat::parse_str(text).with_context(|| format!("programs/{}.wat", self.name))?,
            )),
            Program::Binary(bytes) => Ok(Cow::Borrowed(bytes)),
        }
    }
}

/// The compiler that built the compiled and SIMD programs (`rustc -V`, written by
/// `rust-programs/build.sh`).
pub const COMPILED_BY: &str = include_str!("../programs/compiled/rustc-version.txt");

macro_rules! cases {
    (
        hand_written { $($name:literal, $arg:expr, $what:literal;)* }
        compiled { $($c_name:literal, $c_arg:expr, $c_what:literal;)* }
        simd { $($s_name:literal, $s_arg:expr, $s_what:literal;)* }
        wasm3 { $($w_name:literal, $w_arg:expr, $w_what:literal;)* }
    ) => {
        /// Every execution case, in report order: the hand-written group, the compiled
        /// one, the SIMD one, then the Wasm 3.0 one.
        pub const CASES: &[Case] = &[
            $(Case {
                name: $name,
                group: Group::HandWritten,
                program: Program::Text(include_str!(concat!("../programs/", $name, ".wat"))),
                arg: $arg,
                what: $what,
            },)*
            $(Case {
                name: concat!("compiled/", $c_name),
                group: Group::Compiled,
                program: Program::Binary(include_bytes!(
                    concat!("../programs/compiled/", $c_name, ".wasm")
                )),
                arg: $c_arg,
                what: $c_what,
            },)*
            $(Case {
                name: concat!("compiled/", $s_name),
                group: Group::Simd,
                program: Program::Binary(include_bytes!(
                    concat!("../programs/compiled/", $s_name, ".wasm")
                )),
                arg: $s_arg,
                what: $s_what,
            },)*
            $(Case {
                name: $w_name,
                group: Group::Wasm3,
                program: Program::Text(include_str!(concat!("../programs/", $w_name, ".wat"))),
                arg: $w_arg,
                what: $w_what,
            },)*
        ];
    };
}

cases! {
    hand_written {
        "fib_recursive", 28, "recursive calls";
        "fib_iterative", 2_000_000, "i64 loop over locals";
        "counter_locals", 2_000_000, "counter in locals";
        "counter_params", 2_000_000, "counter in parameters";
        "counter_globals", 2_000_000, "counter in globals";
        "br_table", 1_000_000, "br_table dispatch";
        "calls_direct", 600_000, "direct calls";
        "calls_indirect", 1_000_000, "call_indirect";
        "calls_host", 1_500_000, "host function calls";
        "memory_fill", 20, "8-byte stores";
        "memory_copy", 32, "8-byte loads + stores";
        "memory_sum", 10, "4-byte loads";
        "matmul", 100, "f64 matrix multiply";
        "sieve", 500_000, "prime sieve (bytes)";
        "heapsort", 30_000, "heap sort of i32";
        "nbody", 20_000, "f64 n-body";
        "mandelbrot", 200, "f64 Mandelbrot";
        "sha256", 160_000, "SHA-256";
        "lz_compress", 250_000, "LZ77 round trip";
    }
    compiled {
        "hash", 500_000, "xxHash64 + CRC-32 of n bytes";
        "json", 80_000, "JSON of n bytes: parse, print";
        "compress", 50_000, "LZ77 + Huffman round trip";
        "bignum", 10_000, "Fibonacci with u32 limbs";
        "sort", 8_000, "generic quick/merge sorts";
        "vm", 600, "bytecode interpreter";
        "dyn", 600, "trait objects (call_indirect)";
    }
    simd {
        "simd_image", 256, "RGBA n×n: blend, blur, Sobel";
        "simd_dot", 80_000, "FIR, i16 dot, 4×4 and matrix products";
        "simd_search", 250_000, "memchr, memmem, wc of n bytes";
        "simd_codec", 300_000, "base64 + hex of n bytes, both ways";
        "simd_hash", 600_000, "Adler-32, Internet checksum, lane hash";
    }
    wasm3 {
        "tail_calls", 1_000_000, "CPS bytecode machine (return_call)";
    }
}
