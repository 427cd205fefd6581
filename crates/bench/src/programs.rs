//! The execution cases: one hand-written Wasm 1.0 program each, in `programs/NAME.wat`.
//!
//! Every program exports `run(n: i32) -> i64`, where `n` sets the amount of work, and may
//! export `init()`, called once after instantiation and not timed. A program may import
//! `env.mix`, the host function of [`crate::engines::host_mix`].

/// One execution case.
pub struct Case {
    /// The case's name, also the file name of its program.
    pub name: &'static str,
    /// The program's text (WAT).
    pub source: &'static str,
    /// The argument of `run`: sized so one call takes some tens of milliseconds on the
    /// simple engine.
    pub arg: i32,
    /// What the case exercises, for the report.
    pub what: &'static str,
}

macro_rules! cases {
    ($($name:literal, $arg:expr, $what:literal;)*) => {
        /// Every execution case, in report order.
        pub const CASES: &[Case] = &[$(Case {
            name: $name,
            source: include_str!(concat!("../programs/", $name, ".wat")),
            arg: $arg,
            what: $what,
        }),*];
    };
}

cases! {
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
