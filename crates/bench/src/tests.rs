//! The programs compute what they claim: each hand-written one is checked against a Rust
//! version of the same algorithm on a small input, on every engine; each compiled one
//! checks itself (a failed check traps) and some results are also checked here.

use std::time::Duration;

use crate::engines::{self, Load, host_mix};
use crate::generate;
use crate::measure::Measured;
use crate::programs::{CASES, Group};
use crate::report::{self, ExecutionRow, STARTUP_ENGINES};

/// Runs case `name` with `arg` on every engine, checks they agree, returns the result.
fn run(name: &str, arg: i32) -> i64 {
    let case = CASES
        .iter()
        .find(|c| c.name == name)
        .unwrap_or_else(|| panic!("no case {name}"));
    let wasm = case.binary().unwrap();
    let mut results = Vec::new();
    for engine in STARTUP_ENGINES {
        let mut runner = engines::instantiate(engine, &wasm)
            .unwrap_or_else(|e| panic!("{name} on {}: {e:#}", engine.label()));
        // Twice: a second call must see the same result (programs reset their state).
        let mut call = |time: &str| {
            runner.run(arg).unwrap_or_else(|e| {
                panic!("{name}({arg}) on {}, {time} call: {e:#}", engine.label())
            })
        };
        let first = call("first");
        assert_eq!(call("second"), first, "{name}({arg}) on {}", engine.label());
        results.push(first);
    }
    assert!(
        results.windows(2).all(|w| w[0] == w[1]),
        "{name}({arg}) differs between engines: {results:?}"
    );
    results[0]
}

fn next_random(x: u32) -> u32 {
    x.wrapping_mul(1_103_515_245).wrapping_add(12_345)
}

#[test]
fn every_case_runs_on_every_engine() {
    for case in CASES {
        run(case.name, 3);
    }
}

#[test]
fn fibonacci() {
    assert_eq!(run("fib_recursive", 20), 6765);
    assert_eq!(run("fib_recursive", 1), 1);
    assert_eq!(run("fib_iterative", 90), 2_880_067_194_370_816_120);
    let (mut a, mut b) = (0u64, 1u64);
    for _ in 0..1000 {
        (a, b) = (b, a.wrapping_add(b));
    }
    assert_eq!(run("fib_iterative", 1000), a as i64);
}

#[test]
fn counters() {
    let n = 10_000u32;
    let (mut x, mut sum) = (0u32, 0u64);
    for i in 0..n {
        x = x.wrapping_mul(3).wrapping_add(i);
        sum += u64::from(x);
    }
    assert_eq!(run("counter_locals", n as i32), sum as i64);
    let n = u64::from(n);
    assert_eq!(
        run("counter_params", n as i32),
        (n + 3 * n * (n - 1) / 2) as i64
    );
    assert_eq!(run("counter_globals", n as i32), (n * (n - 1) / 2) as i64);
    assert_eq!(run("counter_locals", 0), 0);
    assert_eq!(run("counter_params", 0), 0);
}

#[test]
fn br_table_dispatch() {
    let n = 5_000u32;
    let (mut state, mut acc) = (12_345u32, 1u32);
    for i in 1..=n {
        state = next_random(state);
        acc = match state >> 29 {
            0 => acc.wrapping_add(1),
            1 => acc ^ state,
            2 => acc.rotate_left(5),
            3 => acc.wrapping_sub(i),
            4 => acc.wrapping_mul(0x0100_0193),
            5 => acc.wrapping_add(i << 3),
            6 => acc ^ (acc >> 7),
            _ => acc.wrapping_add(state & 0xff),
        };
    }
    assert_eq!(run("br_table", n as i32), i64::from(acc));
}

#[test]
fn calls() {
    let n = 5_000u32;
    let mix = |a: u32, b: u32| a.wrapping_mul(31).wrapping_add(b);
    let mut acc = 0u32;
    for i in 0..n {
        acc = mix(mix(acc, i), 7);
    }
    assert_eq!(run("calls_direct", n as i32), i64::from(acc));

    let mut acc = 0u32;
    for i in 0..n {
        acc = match i & 3 {
            0 => acc.wrapping_add(i),
            1 => acc.wrapping_sub(i),
            2 => acc ^ i,
            _ => acc.wrapping_mul(i | 1),
        };
    }
    assert_eq!(run("calls_indirect", n as i32), i64::from(acc));

    let mut acc = 0i32;
    for i in 0..n as i32 {
        acc = host_mix(acc.wrapping_add(i));
    }
    assert_eq!(run("calls_host", n as i32), i64::from(acc as u32));
}

#[test]
fn memory() {
    let n = 3u64;
    let word = n.wrapping_mul(0x0101_0101_0101_0101);
    assert_eq!(run("memory_fill", n as i32), word.wrapping_mul(256) as i64);

    // The words `init` writes, from seed `seed`, over `bytes` bytes.
    let words = |seed: u32, bytes: usize| -> Vec<u32> {
        let mut x = seed;
        (0..bytes / 4)
            .map(|_| {
                x = next_random(x);
                x
            })
            .collect()
    };
    let sum: u64 = words(11, 0x10_0000).iter().map(|&w| u64::from(w)).sum();
    assert_eq!(run("memory_sum", 2), (2 * sum) as i64);

    let source: Vec<u8> = words(7, 0x8_0000)
        .iter()
        .flat_map(|w| w.to_le_bytes())
        .collect();
    let copies = 3usize;
    let offset = ((copies - 1) & 511) * 8; // the last copy's source offset
    let copied = &source[offset..offset + 0x7_f000];
    let expected: u64 = copied
        .chunks(4096)
        .map(|page| u64::from_le_bytes(page[..8].try_into().unwrap()))
        .fold(0, u64::wrapping_add);
    assert_eq!(run("memory_copy", copies as i32), expected as i64);
}

#[test]
fn matrix_multiply() {
    let n = 20usize;
    let a = |i: usize, j: usize| ((i * 7 + j * 3) % 17) as f64 - 8.0;
    let b = |i: usize, j: usize| ((i * 5 + j * 11) % 13) as f64 - 6.0;
    let mut total = 0.0f64;
    for i in 0..n {
        for j in 0..n {
            let mut sum = 0.0;
            for k in 0..n {
                sum += a(i, k) * 0.25 * (b(k, j) * 0.5);
            }
            total += sum;
        }
    }
    assert_eq!(run("matmul", n as i32), total.to_bits() as i64);
    assert_eq!(run("matmul", 129), -1);
}

#[test]
fn prime_sieve() {
    assert_eq!(run("sieve", 100), 25);
    assert_eq!(run("sieve", 10_000), 1229);
    assert_eq!(run("sieve", 2), 0);
}

#[test]
fn heap_sort() {
    let n = 3_000usize;
    let mut x = 1u32;
    let mut values: Vec<i32> = (0..n)
        .map(|_| {
            x = next_random(x);
            x as i32
        })
        .collect();
    values.sort_unstable();
    let checksum = values[1..].iter().fold(i64::from(values[0]), |sum, &v| {
        sum.wrapping_mul(31).wrapping_add(i64::from(v))
    });
    assert_eq!(run("heapsort", n as i32), checksum);
}

#[test]
fn floats() {
    let w = 40u32;
    let scale = 3.0 / f64::from(w);
    let mut total = 0i64;
    for py in 0..w {
        let ci = -1.5 + f64::from(py) * scale;
        for px in 0..w {
            let cr = -2.0 + f64::from(px) * scale;
            let (mut zr, mut zi, mut zr2, mut zi2, mut iter) = (0.0f64, 0.0f64, 0.0, 0.0, 0);
            while zr2 + zi2 <= 4.0 && iter < 100 {
                zi = 2.0 * zr * zi + ci;
                zr = zr2 - zi2 + cr;
                zr2 = zr * zr;
                zi2 = zi * zi;
                iter += 1;
            }
            total += iter;
        }
    }
    assert_eq!(run("mandelbrot", w as i32), total);

    // The n-body system is bound (negative energy) and the integrator keeps its energy.
    let start = f64::from_bits(run("nbody", 0) as u64);
    let later = f64::from_bits(run("nbody", 2_000) as u64);
    assert!(start < 0.0, "energy {start}");
    assert!(((later - start) / start).abs() < 1e-3, "{start} -> {later}");
}

#[test]
fn sha256_vectors() {
    use wasmite::{ImportsBuilder, Module, ModuleInstance, NopExternals, RuntimeValue};
    let case = CASES.iter().find(|c| c.name == "sha256").unwrap();
    let module = Module::from_buffer(case.binary().unwrap()).unwrap();
    let instance = ModuleInstance::new(&module, &ImportsBuilder::default())
        .unwrap()
        .assert_no_start();
    let memory = instance
        .export_by_name("memory")
        .and_then(|m| m.as_memory().cloned())
        .unwrap();
    // FIPS 180-2 examples and the empty message: the first 8 bytes of each digest.
    let vectors: [(&[u8], u64); 3] = [
        (b"", 0xe3b0_c442_98fc_1c14),
        (b"abc", 0xba78_16bf_8f01_cfea),
        (
            b"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
            0x248d_6a61_d206_38b8,
        ),
    ];
    for (message, expected) in vectors {
        memory.set(4096, message).unwrap();
        let result = instance
            .invoke_export(
                "digest",
                &[RuntimeValue::I32(message.len() as i32)],
                &mut NopExternals,
            )
            .unwrap();
        assert_eq!(
            result,
            Some(RuntimeValue::I64(expected as i64)),
            "{message:?}"
        );
    }
    // A million 'a's (FIPS 180-2, appendix B.3) exercises many blocks.
    memory.set(4096, &vec![b'a'; 1_000_000]).unwrap();
    let result = instance
        .invoke_export("digest", &[RuntimeValue::I32(1_000_000)], &mut NopExternals)
        .unwrap();
    assert_eq!(
        result,
        Some(RuntimeValue::I64(0xcdc7_6e5c_9914_fb92_u64 as i64))
    );
    run("sha256", 1000);
}

#[test]
fn compression_round_trips() {
    for n in [0, 1, 63, 64, 65, 5_000, 20_000] {
        let result = run("lz_compress", n);
        assert!(result >= 0, "lz_compress({n}) = {result}");
        let compressed = (result >> 32) as i32;
        if n >= 5_000 {
            assert!(compressed < n / 2, "{n} bytes compressed to {compressed}");
        }
    }
}

#[test]
fn generated_modules_load_everywhere() {
    for wat in [generate::many_functions(50), generate::big_functions(2, 20)] {
        let wasm = wat::parse_str(&wat).unwrap();
        for engine in STARTUP_ENGINES {
            engines::time_load(engine, &wasm, Load::Instantiate)
                .unwrap_or_else(|e| panic!("{}: {e:#}", engine.label()));
        }
    }
}

/// A new report keeps the hand-written history of the one it replaces, and nothing else.
#[test]
fn the_history_of_a_report_is_kept() {
    let old = "# Benchmarks\n\n## Execution\n| a |\n\n## History\n\n- notes\n";
    assert_eq!(
        crate::report::kept_history(old),
        "\n## History\n\n- notes\n"
    );
    assert_eq!(crate::report::kept_history("# Benchmarks\n"), "");
}

/// The compiled programs' self-checks pass on every engine (each traps when its check
/// fails), at the edges of `n` and at sizes where every part of the work happens (the
/// compression ratio is checked from 10 000 bytes on).
#[test]
fn compiled_programs_check_themselves() {
    let sizes: &[(&str, &[i32])] = &[
        ("compiled/hash", &[0, 1, 31, 32, 33, 10_000]),
        ("compiled/json", &[0, 1, 5_000]),
        ("compiled/compress", &[0, 1, 2, 300, 12_000]),
        ("compiled/bignum", &[1, 2, 3, 300]),
        ("compiled/sort", &[0, 1, 2, 17, 2_000]),
        ("compiled/vm", &[0, 1, 60]),
        ("compiled/dyn", &[0, 1, 40]),
    ];
    let compiled: Vec<&str> = CASES
        .iter()
        .filter(|c| c.group == Group::Compiled)
        .map(|c| c.name)
        .collect();
    assert_eq!(
        compiled,
        sizes.iter().map(|(name, _)| *name).collect::<Vec<_>>(),
        "every compiled program is tested here"
    );
    for (name, args) in sizes {
        for &arg in *args {
            run(name, arg);
        }
    }
}

/// The SIMD programs' self-checks pass on every engine, at the edges of `n` and around
/// the widths of their vectors (16 bytes, a 64-byte stripe, Adler-32's 5552-byte blocks,
/// base64's 12 bytes per vector, an image row that is not a whole number of vectors).
#[test]
fn simd_programs_check_themselves() {
    let sizes: &[(&str, &[i32])] = &[
        ("compiled/simd_image", &[1, 2, 3, 17, 64]),
        ("compiled/simd_dot", &[0, 1, 15, 16, 17, 3_000]),
        ("compiled/simd_search", &[0, 1, 15, 16, 17, 100, 5_000]),
        (
            "compiled/simd_codec",
            &[0, 1, 2, 3, 15, 16, 17, 47, 48, 49, 5_000],
        ),
        (
            "compiled/simd_hash",
            &[0, 1, 2, 63, 64, 65, 5_551, 5_552, 5_553, 20_000],
        ),
    ];
    let simd: Vec<&str> = CASES
        .iter()
        .filter(|c| c.group == Group::Simd)
        .map(|c| c.name)
        .collect();
    assert_eq!(
        simd,
        sizes.iter().map(|(name, _)| *name).collect::<Vec<_>>(),
        "every SIMD program is tested here"
    );
    for (name, args) in sizes {
        for &arg in *args {
            run(name, arg);
        }
    }
}

/// Results of compiled programs computed here another way.
#[test]
fn compiled_program_results() {
    // F(100) = 354224848179261915075: 21 digits summing to 93.
    assert_eq!(run("compiled/bignum", 100), 21 << 32 | 93);
    // F(1) = 1.
    assert_eq!(run("compiled/bignum", 1), 1 << 32 | 1);

    // The bytecode program: Collatz steps and gcd with 360360 of 1..=n, plus a
    // Fibonacci number every 64 values.
    let collatz = |mut x: u64| {
        let mut steps = 0;
        while x != 1 {
            x = if x % 2 == 1 { 3 * x + 1 } else { x / 2 };
            steps += 1;
        }
        steps
    };
    let gcd = |mut a: u64, mut b: u64| {
        while b != 0 {
            (a, b) = (b, a % b);
        }
        a
    };
    let fib = |k: u64| (0..k).fold((0u64, 1u64), |(a, b), _| (b, a + b)).0;
    let n = 200u64;
    let expected: u64 = (1..=n)
        .map(|i| collatz(i) + gcd(i, 360_360) + if i % 64 == 0 { fib(i / 64 % 16) } else { 0 })
        .sum();
    assert_eq!(run("compiled/vm", n as i32), expected as i64);

    // The compressed size is in the high half: text compresses to less than half.
    let result = run("compiled/compress", 20_000);
    assert!((result >> 32) < 10_000, "{result:#x}");
}

/// Wasm 2.0 without SIMD: what rustc emits for `wasm32-unknown-unknown` by default.
fn without_simd() -> wasmite::Config {
    wasmite::Config::new().features(wasmite::Features {
        simd: false,
        relaxed_simd: false,
        ..wasmite::Features::wasm2()
    })
}

/// The compiled programs use what rustc emits by default beyond Wasm 1.0, and nothing
/// more (no SIMD): a bench of compiled programs built without those features, or with
/// others, would miss the point.
#[test]
fn compiled_programs_use_wasm_2_features() {
    let memory_copy = [0xfc, 0x0a, 0x00, 0x00];
    for case in CASES.iter().filter(|c| c.group == Group::Compiled) {
        let wasm = case.binary().unwrap();
        assert!(
            wasm.windows(memory_copy.len()).any(|w| w == memory_copy),
            "{} has no memory.copy",
            case.name
        );
        let mvp = wasmite::Config::new().features(wasmite::Features::mvp());
        assert!(
            wasmite::Module::from_buffer_with_config(&*wasm, &mvp).is_err(),
            "{} loads as Wasm 1.0",
            case.name
        );
        if let Err(error) = wasmite::Module::from_buffer_with_config(&*wasm, &without_simd()) {
            panic!(
                "{} needs more than Wasm 2.0 without SIMD: {error}",
                case.name
            );
        }
    }
}

/// The SIMD programs were built with `+simd128` and use it: without the simd proposal
/// they do not validate.
#[test]
fn simd_programs_use_simd() {
    for case in CASES.iter().filter(|c| c.group == Group::Simd) {
        let wasm = case.binary().unwrap();
        assert!(
            wasmite::Module::from_buffer_with_config(&*wasm, &without_simd()).is_err(),
            "{} loads without SIMD",
            case.name
        );
    }
}

/// The large module of the startup group loads (validation and lazy translation) on both
/// engines; without it, the test says so.
#[test]
fn the_large_module_loads_when_fetched() {
    let Some(wasm) = crate::large::read().unwrap() else {
        eprintln!("{}", crate::large::missing());
        return;
    };
    for engine in [
        engines::Engine::Wasmite,
        engines::Engine::WasmiLazyTranslation,
    ] {
        engines::time_load(engine, &wasm, Load::Compile)
            .unwrap_or_else(|e| panic!("{}: {e:#}", engine.label()));
    }
}

/// Each execution group has its own geometric mean in the report.
#[test]
fn the_report_has_a_geometric_mean_per_group() {
    let row = |name, group, ratio: f64| ExecutionRow {
        name,
        group,
        what: "",
        arg: 1,
        measured: Measured {
            runs: 1,
            medians: vec![
                Duration::from_secs_f64(ratio),
                Duration::from_secs(1),
                Duration::from_secs(1),
            ],
            spread: 0.0,
        },
    };
    let rows = [
        row("a", Group::HandWritten, 0.5),
        row("b", Group::HandWritten, 0.5),
        row("compiled/c", Group::Compiled, 2.0),
        row("compiled/simd_d", Group::Simd, 0.25),
        row("compiled/simd_e", Group::Simd, 1.0),
    ];
    let conditions = report::Conditions {
        date: String::new(),
        command: String::new(),
        cpu: String::new(),
        cores: 1,
        rustc: "",
        wasmi: "",
        revision: None,
        settings: crate::measure::Settings::QUICK,
        other_load: None,
        load_average: (None, None),
        elapsed: Duration::ZERO,
    };
    let md = report::markdown(
        &conditions,
        &rows,
        None,
        None,
        &[],
        &["startup/x: skipped".to_string()],
    );
    let hand_written = md.find("### Hand-written programs").unwrap();
    let compiled = md.find("### Compiled programs").unwrap();
    let simd = md.find("### SIMD programs").unwrap();
    let means: Vec<usize> = md
        .match_indices("| **geometric mean** | | | | | | | **")
        .map(|(at, _)| at)
        .collect();
    assert_eq!(means.len(), 3, "{md}");
    assert!(hand_written < means[0] && means[0] < compiled && compiled < means[1]);
    assert!(means[1] < simd && simd < means[2]);
    assert!(md[means[0]..].starts_with("| **geometric mean** | | | | | | | **0.50**"));
    assert!(md[means[1]..].starts_with("| **geometric mean** | | | | | | | **2.00**"));
    assert!(md[means[2]..].starts_with("| **geometric mean** | | | | | | | **0.50**"));
    assert!(md[simd..means[2]].contains("+simd128"));
    assert!(md.contains("Not measured: startup/x: skipped."));
}
