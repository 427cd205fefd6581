//! `wasmite-bench`: times Wasmite against wasmi 2 on execution and startup.
//!
//! ```text
//! cargo xtask bench [--filter TEXT] [--quick]
//! # which runs, from the repository root:
//! cargo run --release --manifest-path crates/bench/Cargo.toml -- \
//!     [--filter TEXT] [--quick] [--markdown docs/benchmarks.md] [--command TEXT]
//! ```
//!
//! * `--filter TEXT`: only cases whose name contains TEXT (startup cases are named
//!   `startup/...`).
//! * `--quick`: a smoke run (one warm-up round, a few measured rounds).
//! * `--markdown PATH`: write the report there, after a full run without failures
//!   (a filtered or quick run never overwrites it).
//! * `--command TEXT`: the command to name in the report.
//! * `--list`: print the case names and exit.
//!
//! This crate is its own workspace, so that wasmi never enters the root workspace's
//! build. The benchmark programs are hand-written Wasm 1.0 text in `programs/` and Rust
//! programs compiled to Wasm in `programs/compiled/`, without SIMD and (`simd_*`) with it
//! (sources in `rust-programs/`); the startup group also loads a large real-world module
//! when it has been fetched (`fetch-large.sh`, see [`large`]).

mod engines;
mod generate;
mod large;
mod machine;
mod measure;
mod programs;
mod report;
#[cfg(test)]
mod tests;

use std::hint::black_box;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{Context as _, Result, bail};

use crate::engines::{Engine, Load};
use crate::measure::{Contender, Measured, Sample, Settings};
use crate::programs::{CASES, Case, Group};
use crate::report::{EXECUTION_ENGINES, ExecutionRow, STARTUP_ENGINES, StartupRow};

const USAGE: &str = "\
usage: wasmite-bench [--filter TEXT] [--quick] [--markdown PATH] [--command TEXT] [--list]
                     [--profile wasmite|wasmi [--calls N]] [--metered]

--metered times the execution cases with fuel metering on (Wasmite and wasmi, endless
tanks) and with Wasmite's interruption checks on, against Wasmite unmetered.

--profile ENGINE runs the execution cases the filter selects on that engine alone
(Wasmite's default or wasmi's eager mode) for about five seconds each, for `perf`;
with --calls N, for N calls each instead (for `valgrind --tool=callgrind`, whose counts
for two values of N give the instructions of one call).";

/// Command-line options.
#[derive(Default)]
struct Options {
    filter: Option<String>,
    quick: bool,
    markdown: Option<PathBuf>,
    command: Option<String>,
    list: bool,
    profile: Option<Engine>,
    /// With `profile`: how many calls to make instead of running for five seconds.
    calls: Option<u32>,
    metered: bool,
}

impl Options {
    fn parse(args: impl IntoIterator<Item = String>) -> Result<Options> {
        let mut options = Options::default();
        let mut args = args.into_iter();
        while let Some(arg) = args.next() {
            let (flag, inline) = match arg.split_once('=') {
                Some((flag, value)) if flag.starts_with("--") => {
                    (flag.to_string(), Some(value.to_string()))
                }
                _ => (arg.clone(), None),
            };
            let mut value = || -> Result<String> {
                match inline.clone() {
                    Some(value) => Ok(value),
                    None => args.next().with_context(|| format!("{flag} needs a value")),
                }
            };
            match flag.as_str() {
                "--filter" => options.filter = Some(value()?),
                "--quick" => options.quick = true,
                "--markdown" => options.markdown = Some(PathBuf::from(value()?)),
                "--command" => options.command = Some(value()?),
                "--list" => options.list = true,
                "--metered" => options.metered = true,
                "--calls" => options.calls = Some(value()?.parse().context("--calls takes a count")?),
                "--profile" => {
                    options.profile = Some(match value()?.as_str() {
                        "wasmite" => Engine::Wasmite,
                        "wasmi" => Engine::WasmiEager,
                        other => bail!("--profile takes wasmite or wasmi, not `{other}`"),
                    })
                }
                "--help" | "-h" => {
                    println!("{USAGE}");
                    std::process::exit(0);
                }
                other => bail!("unknown option `{other}`\n{USAGE}"),
            }
        }
        Ok(options)
    }

    fn selects(&self, name: &str) -> bool {
        self.filter
            .as_ref()
            .is_none_or(|f| name.contains(f.as_str()))
    }

    fn partial(&self) -> bool {
        self.quick || self.filter.is_some()
    }
}

fn main() -> ExitCode {
    let result = Options::parse(std::env::args().skip(1)).and_then(|options| run(&options));
    match result {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::from(2)
        }
    }
}

/// Runs the selected cases; `Ok(false)` if one of them failed.
fn run(options: &Options) -> Result<bool> {
    if options.list {
        for case in CASES {
            println!("{}", case.name);
        }
        println!("{BULK_CASE}");
        println!("{EXCEPTIONS_CASE}");
        for case in STARTUP_CASES {
            println!("{}", case.name);
        }
        return Ok(true);
    }
    let executions: Vec<&Case> = CASES.iter().filter(|c| options.selects(c.name)).collect();
    if options.metered {
        return metered(&executions, options);
    }
    if let Some(engine) = options.profile {
        for case in executions {
            profile(case, engine, options.calls)?;
        }
        return Ok(true);
    }
    let startups: Vec<&StartupCase> = STARTUP_CASES
        .iter()
        .filter(|c| options.selects(c.name))
        .collect();
    if executions.is_empty()
        && startups.is_empty()
        && !options.selects(BULK_CASE)
        && !options.selects(EXCEPTIONS_CASE)
    {
        bail!("no case matches the filter (see --list)");
    }
    let settings = if options.quick {
        Settings::QUICK
    } else {
        Settings::FULL
    };
    let date = machine::now_utc();
    let load_at_start = machine::load_average();
    let probe = machine::LoadProbe::start();
    let started = Instant::now();
    let mut failures = Vec::new();

    let mut execution = Vec::new();
    for group in Group::ALL {
        let cases: Vec<&Case> = executions
            .iter()
            .copied()
            .filter(|case| case.group == group)
            .collect();
        if cases.is_empty() {
            continue;
        }
        if !execution.is_empty() {
            println!();
        }
        println!("{}", report::execution_header(group));
        let first = execution.len();
        for case in cases {
            match execution_case(case, &settings) {
                Ok(row) => {
                    println!("{}", report::execution_line(&row));
                    execution.push(row);
                }
                Err(error) => {
                    println!("{:<20} FAILED: {error:#}", case.name);
                    failures.push(case.name.to_string());
                }
            }
        }
        if execution.len() > first {
            println!("{}", report::execution_summary(&execution[first..]));
        }
    }

    let mut bulk = None;
    if options.selects(BULK_CASE) {
        match bulk_case(&settings) {
            Ok(measured) => {
                println!("\n{}", report::bulk_line(&measured));
                bulk = Some(measured);
            }
            Err(error) => {
                println!("\n{BULK_CASE:<24} FAILED: {error:#}");
                failures.push(BULK_CASE.to_string());
            }
        }
    }

    let mut exceptions = None;
    if options.selects(EXCEPTIONS_CASE) {
        match exceptions_case(&settings) {
            Ok(measured) => {
                println!("{}", report::exceptions_line(&measured));
                exceptions = Some(measured);
            }
            Err(error) => {
                println!("{EXCEPTIONS_CASE:<24} FAILED: {error:#}");
                failures.push(EXCEPTIONS_CASE.to_string());
            }
        }
    }

    let mut startup = Vec::new();
    let mut skipped = Vec::new();
    if !startups.is_empty() {
        println!("\n{}", report::startup_header());
    }
    for case in startups {
        match startup_case(case, &settings) {
            Ok(Some(row)) => {
                println!("{}", report::startup_line(&row));
                startup.push(row);
            }
            Ok(None) => {
                let note = large::missing();
                println!("{:<24} {note}", case.name);
                skipped.push(format!("{}: {note}", case.name));
            }
            Err(error) => {
                println!("{:<24} FAILED: {error:#}", case.name);
                failures.push(case.name.to_string());
            }
        }
    }
    if !startup.is_empty() {
        println!("{}", report::startup_summary(&startup));
    }

    let other_load = probe.others();
    if let Some(load) = other_load {
        let note = if load >= report::LOADED {
            ": measured under load"
        } else {
            ""
        };
        println!("\nother processes kept {load:.2} cores busy on average{note}");
    }
    if !failures.is_empty() {
        eprintln!(
            "\n{} case(s) failed: {}",
            failures.len(),
            failures.join(", ")
        );
    }
    if let Some(path) = &options.markdown {
        if options.partial() {
            println!(
                "\n{} not updated: a --quick or --filter run is partial",
                path.display()
            );
        } else if !failures.is_empty() {
            println!("\n{} not updated: some cases failed", path.display());
        } else {
            let conditions = report::Conditions {
                date,
                command: options.command.clone().unwrap_or_else(|| {
                    "cargo run --release --manifest-path crates/bench/Cargo.toml".to_string()
                }),
                cpu: machine::cpu_model(),
                cores: machine::cores(),
                rustc: env!("BENCH_RUSTC_VERSION"),
                wasmi: env!("BENCH_WASMI_VERSION"),
                revision: machine::git_revision(),
                settings,
                other_load,
                load_average: (load_at_start, machine::load_average()),
                elapsed: started.elapsed(),
            };
            if let Some(dir) = path.parent() {
                std::fs::create_dir_all(dir)
                    .with_context(|| format!("cannot create {}", dir.display()))?;
            }
            // The hand-written history at the end of the report stays.
            let kept = std::fs::read_to_string(path).unwrap_or_default();
            let mut text = report::markdown(
                &conditions,
                &execution,
                bulk.as_ref(),
                exceptions.as_ref(),
                &startup,
                &skipped,
            );
            text.push_str(report::kept_history(&kept));
            std::fs::write(path, text)
                .with_context(|| format!("cannot write {}", path.display()))?;
            println!("\nwrote {}", path.display());
        }
    }
    Ok(failures.is_empty())
}

/// The engines of `--metered`, in column order.
const METERED_ENGINES: [Engine; 4] = [
    Engine::Wasmite,
    Engine::WasmiteFuel,
    Engine::WasmiFuel,
    Engine::WasmiteInterruptible,
];

/// `--metered`: each execution case on [`METERED_ENGINES`]; prints Wasmite's fuel
/// against wasmi's fuel, and the cost of Wasmite's interruption checks, with the
/// geometric means of each group.
fn metered(cases: &[&Case], options: &Options) -> Result<bool> {
    let settings = if options.quick {
        Settings::QUICK
    } else {
        Settings::FULL
    };
    println!(
        "{:<20} {:>10} {:>10} {:>10} {:>10} {:>9} {:>9} {:>6}",
        "metered", "Wasmite", "W.fuel", "w.fuel", "W.intr", "Wf/wf", "Wi/W", "noise"
    );
    for group in Group::ALL {
        let (mut fuel, mut interrupt) = (Vec::new(), Vec::new());
        for case in cases.iter().filter(|c| c.group == group) {
            let measured = measure_on(case, &METERED_ENGINES, &settings)?;
            let m = &measured.medians;
            let (f, i) = (
                m[1].as_secs_f64() / m[2].as_secs_f64(),
                m[3].as_secs_f64() / m[0].as_secs_f64(),
            );
            println!(
                "{:<20} {:>10.2?} {:>10.2?} {:>10.2?} {:>10.2?} {:>9.2} {:>9.3} {:>5.1}%",
                case.name,
                m[0],
                m[1],
                m[2],
                m[3],
                f,
                i,
                measured.spread * 100.0
            );
            fuel.push(f);
            interrupt.push(i);
        }
        if !fuel.is_empty() {
            let mean = |v: &[f64]| (v.iter().map(|x| x.ln()).sum::<f64>() / v.len() as f64).exp();
            println!(
                "{:<20} {:>10} {:>10} {:>10} {:>10} {:>9.2} {:>9.3}\n",
                format!(
                    "geomean ({})",
                    group.title().split(' ').next().unwrap_or("")
                ),
                "",
                "",
                "",
                "",
                mean(&fuel),
                mean(&interrupt)
            );
        }
    }
    Ok(true)
}

fn execution_case(case: &Case, settings: &Settings) -> Result<ExecutionRow> {
    let measured = measure_on(case, &EXECUTION_ENGINES, settings)?;
    Ok(ExecutionRow {
        name: case.name,
        group: case.group,
        what: case.what,
        arg: case.arg,
        measured,
    })
}

/// Runs `case` on `engines`, in rounds, and returns the medians in `engines` order.
fn measure_on(case: &Case, engines: &[Engine], settings: &Settings) -> Result<Measured> {
    let wasm = case.binary()?;
    let mut runners = Vec::new();
    for &engine in engines {
        let runner = engines::instantiate(engine, &wasm)
            .with_context(|| format!("instantiating on {}", engine.label()))?;
        runners.push((engine, runner));
    }
    let arg = case.arg;
    let mut contenders: Vec<Contender<'_>> = runners
        .iter_mut()
        .map(|(engine, runner)| Contender {
            label: engine.label(),
            run: Box::new(move || {
                let start = Instant::now();
                let value = runner.run(black_box(arg))?;
                let elapsed = start.elapsed();
                Ok(Sample {
                    elapsed,
                    value: black_box(value),
                })
            }),
        })
        .collect();
    measure::compare(&mut contenders, settings)
}

/// The case comparing `memory.copy` with the native copy.
const BULK_CASE: &str = "bulk/memory_copy_1mib";

/// Copies of 1 MiB per run of [`BULK_CASE`].
const BULK_COPIES: i32 = 200;

/// `programs/bulk_copy.wat` on Wasmite against the same copies made by Rust's
/// `copy_within`: medians of Wasmite, then native.
fn bulk_case(settings: &Settings) -> Result<Measured> {
    let wasm = wat::parse_str(include_str!("../programs/bulk_copy.wat"))?;
    let mut runner = engines::instantiate(Engine::Wasmite, &wasm)?;
    const MIB: usize = 1 << 20;
    let mut memory = vec![0u8; 33 * 65536];
    let mut x = 7i32;
    for word in memory[..MIB].chunks_exact_mut(4) {
        x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
        word.copy_from_slice(&x.to_le_bytes());
    }
    let mut native = move |n: i32| -> i64 {
        for rep in 0..n {
            match rep & 1 {
                1 => memory.copy_within(MIB..2 * MIB, 0),
                _ => memory.copy_within(0..MIB, MIB),
            }
        }
        (0..2 * MIB)
            .step_by(0x10000)
            .map(|p| i64::from_le_bytes(memory[p..p + 8].try_into().unwrap_or_default()))
            .fold(0i64, i64::wrapping_add)
    };
    let mut contenders = vec![
        Contender {
            label: "Wasmite",
            run: Box::new(move || {
                let start = Instant::now();
                let value = runner.run(black_box(BULK_COPIES))?;
                Ok(Sample {
                    elapsed: start.elapsed(),
                    value: black_box(value),
                })
            }),
        },
        Contender {
            label: "native",
            run: Box::new(move || {
                let start = Instant::now();
                let value = native(black_box(BULK_COPIES));
                Ok(Sample {
                    elapsed: start.elapsed(),
                    value: black_box(value),
                })
            }),
        },
    ];
    measure::compare(&mut contenders, settings)
}

/// The case measuring exception handling, which wasmi does not run.
const EXCEPTIONS_CASE: &str = "exceptions/throw_catch";

/// Calls of the 10-frame-deep function per run of [`EXCEPTIONS_CASE`] (one in 8 throws).
const EXCEPTION_CALLS: i32 = 200_000;

/// `programs/throw_catch.wat` on Wasmite, against the same work with error codes
/// (`programs/throw_catch_codes.wat`) on Wasmite and on wasmi eager, the best oracle the
/// bench has (wasmi 2.0 has no exception handling): medians in that order.
fn exceptions_case(settings: &Settings) -> Result<Measured> {
    let throwing = wat::parse_str(include_str!("../programs/throw_catch.wat"))?;
    let codes = wat::parse_str(include_str!("../programs/throw_catch_codes.wat"))?;
    let runners = [
        ("Wasmite", engines::instantiate(Engine::Wasmite, &throwing)?),
        (
            "Wasmite codes",
            engines::instantiate(Engine::Wasmite, &codes)?,
        ),
        (
            "wasmi codes",
            engines::instantiate(Engine::WasmiEager, &codes)?,
        ),
    ];
    let mut contenders: Vec<Contender<'_>> = runners
        .into_iter()
        .map(|(label, mut runner)| Contender {
            label,
            run: Box::new(move || {
                let start = Instant::now();
                let value = runner.run(black_box(EXCEPTION_CALLS))?;
                Ok(Sample {
                    elapsed: start.elapsed(),
                    value: black_box(value),
                })
            }),
        })
        .collect();
    measure::compare(&mut contenders, settings)
}

/// Runs `case` on `engine` alone for about five seconds, or `limit` calls, and prints the
/// mean time of a call: a steady workload for a profiler.
fn profile(case: &Case, engine: Engine, limit: Option<u32>) -> Result<()> {
    let wasm = case.binary()?;
    let mut runner = engines::instantiate(engine, &wasm)?;
    let started = Instant::now();
    let mut calls = 0u32;
    while match limit {
        Some(limit) => calls < limit,
        None => started.elapsed().as_secs() < 5,
    } {
        black_box(runner.run(black_box(case.arg))?);
        calls += 1;
    }
    println!(
        "{} on {}: {} calls, {:.2?} per call",
        case.name,
        engine.label(),
        calls,
        started.elapsed() / calls.max(1)
    );
    Ok(())
}

/// A module of the startup group.
struct StartupCase {
    name: &'static str,
    /// Makes the module; `None` if it is missing (the large module before it has been
    /// fetched): the case is skipped.
    build: fn() -> Result<Option<StartupModule>>,
    /// How far loading goes.
    load: Load,
}

/// The binary of a startup case, and what it is.
struct StartupModule {
    wasm: Vec<u8>,
    what: String,
}

const STARTUP_CASES: &[StartupCase] = &[
    StartupCase {
        name: "startup/many_funcs",
        build: || {
            Ok(Some(StartupModule {
                wasm: wat::parse_str(generate::many_functions(10_000))?,
                what: "10 000 small functions (generated)".to_string(),
            }))
        },
        load: Load::Instantiate,
    },
    StartupCase {
        name: "startup/big_funcs",
        build: || {
            Ok(Some(StartupModule {
                wasm: wat::parse_str(generate::big_functions(16, 2_500))?,
                what: "16 functions of 2 500 blocks (generated)".to_string(),
            }))
        },
        load: Load::Instantiate,
    },
    StartupCase {
        name: "startup/largest_program",
        build: || largest_program(Group::HandWritten),
        load: Load::Instantiate,
    },
    StartupCase {
        name: "startup/largest_compiled",
        build: || largest_program(Group::Compiled),
        load: Load::Instantiate,
    },
    StartupCase {
        name: "startup/ruby",
        build: || {
            let what = format!("Ruby 3.4 interpreter for WASI (npm `{}`)", large::PACKAGE);
            Ok(large::read()?.map(|wasm| StartupModule { wasm, what }))
        },
        load: Load::Compile,
    },
];

/// The largest binary among the programs of an execution group.
fn largest_program(group: Group) -> Result<Option<StartupModule>> {
    let mut largest = StartupModule {
        wasm: Vec::new(),
        what: String::new(),
    };
    for case in CASES.iter().filter(|case| case.group == group) {
        let wasm = case.binary()?;
        if wasm.len() > largest.wasm.len() {
            largest = StartupModule {
                wasm: wasm.into_owned(),
                what: format!("the largest {}, `{}`", group.noun(), case.name),
            };
        }
    }
    Ok(Some(largest))
}

/// Times `case`, or returns `None` if its module is missing.
fn startup_case(case: &StartupCase, settings: &Settings) -> Result<Option<StartupRow>> {
    let Some(StartupModule { wasm, what }) = (case.build)()? else {
        return Ok(None);
    };
    let wasm = &wasm;
    let load = case.load;
    let mut contenders: Vec<Contender<'_>> = STARTUP_ENGINES
        .iter()
        .map(|&engine| Contender {
            label: engine.label(),
            run: Box::new(move || {
                let elapsed = engines::time_load(engine, wasm, load)
                    .with_context(|| format!("loading on {}", engine.label()))?;
                Ok(Sample { elapsed, value: 0 })
            }),
        })
        .collect();
    let measured = measure::compare(&mut contenders, settings)?;
    Ok(Some(StartupRow {
        name: case.name.to_string(),
        what,
        bytes: wasm.len(),
        load,
        measured,
    }))
}
