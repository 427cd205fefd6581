//! The results: rows printed as they come, a summary, and `docs/benchmarks.md`.

use std::fmt::Write as _;
use std::time::Duration;

use crate::engines::{Engine, Load};
use crate::measure::{Measured, Settings, geometric_mean};
use crate::programs::{COMPILED_BY, Group};

/// The engines of an execution case, in column order. wasmi's default mode (lazy
/// translation) is there to show that after the warm-up it runs as fast as eager.
pub const EXECUTION_ENGINES: [Engine; 3] = [
    Engine::Wasmite,
    Engine::WasmiEager,
    Engine::WasmiLazyTranslation,
];

/// The engines of a startup case, in column order: each Wasmite mode is compared with
/// wasmi's like mode: eager, lazy translation (both defaults), lazy (validation too).
pub const STARTUP_ENGINES: [Engine; 6] = [
    Engine::WasmiteEager,
    Engine::Wasmite,
    Engine::WasmiteLazy,
    Engine::WasmiEager,
    Engine::WasmiLazyTranslation,
    Engine::WasmiLazy,
];

/// One measured execution case (medians in [`EXECUTION_ENGINES`] order).
pub struct ExecutionRow {
    /// The case.
    pub name: &'static str,
    /// Its group.
    pub group: Group,
    /// What it exercises.
    pub what: &'static str,
    /// The argument of `run`.
    pub arg: i32,
    /// The timings.
    pub measured: Measured,
}

/// One measured startup case (medians in [`STARTUP_ENGINES`] order).
pub struct StartupRow {
    /// The case.
    pub name: String,
    /// What the module is.
    pub what: String,
    /// The size of the binary.
    pub bytes: usize,
    /// How far loading went.
    pub load: Load,
    /// The timings.
    pub measured: Measured,
}

/// The median of column `num` (a Wasmite configuration) over that of column `den`.
fn ratio(measured: &Measured, (num, den): (usize, usize)) -> f64 {
    measured.medians[num].as_secs_f64() / measured.medians[den].as_secs_f64().max(1e-12)
}

fn ratios(measured: &[&Measured], columns: (usize, usize)) -> Vec<f64> {
    measured.iter().map(|m| ratio(m, columns)).collect()
}

/// The ratios of an execution row ([`EXECUTION_ENGINES`]): Wasmite over wasmi eager, over
/// wasmi lazy translation.
const EXECUTION_RATIOS: [(usize, usize); 2] = [(0, 1), (0, 2)];

/// The ratios of a startup row ([`STARTUP_ENGINES`]): Wasmite eager over wasmi eager,
/// lazy translation over lazy translation, lazy over lazy.
const STARTUP_RATIOS: [(usize, usize); 3] = [(0, 3), (1, 4), (2, 5)];

/// A duration with three significant digits and a fitting unit.
pub fn format_duration(duration: Duration) -> String {
    let seconds = duration.as_secs_f64();
    let (value, unit) = if seconds >= 1.0 {
        (seconds, "s")
    } else if seconds >= 1e-3 {
        (seconds * 1e3, "ms")
    } else {
        (seconds * 1e6, "µs")
    };
    let decimals = if value >= 100.0 {
        0
    } else if value >= 10.0 {
        1
    } else {
        2
    };
    format!("{value:.decimals$} {unit}")
}

fn format_bytes(bytes: usize) -> String {
    if bytes >= 1 << 20 {
        format!("{:.2} MiB", bytes as f64 / (1 << 20) as f64)
    } else {
        format!("{:.1} KiB", bytes as f64 / 1024.0)
    }
}

/// The console header of a group's execution table.
pub fn execution_header(group: Group) -> String {
    format!(
        "{:<20} {:>9} {:>5} {:>10} {:>10} {:>10} {:>8} {:>8} {:>6}",
        group.title(),
        "n",
        "runs",
        "Wasmite",
        "w.eager",
        "w.lazy",
        "W/eager",
        "W/lazy",
        "noise"
    )
}

/// One console line of the execution table.
pub fn execution_line(row: &ExecutionRow) -> String {
    let m = &row.measured;
    format!(
        "{:<20} {:>9} {:>5} {:>10} {:>10} {:>10} {:>8.2} {:>8.2} {:>5.1}%",
        row.name,
        row.arg,
        m.runs,
        format_duration(m.medians[0]),
        format_duration(m.medians[1]),
        format_duration(m.medians[2]),
        ratio(m, EXECUTION_RATIOS[0]),
        ratio(m, EXECUTION_RATIOS[1]),
        m.spread * 100.0
    )
}

/// The console line with the geometric means of the execution ratios of `rows` (one
/// group's).
pub fn execution_summary(rows: &[ExecutionRow]) -> String {
    let measured: Vec<&Measured> = rows.iter().map(|r| &r.measured).collect();
    format!(
        "{:<20} {:>9} {:>5} {:>10} {:>10} {:>10} {:>8.2} {:>8.2}",
        "geometric mean",
        "",
        "",
        "",
        "",
        "",
        geometric_mean(&ratios(&measured, EXECUTION_RATIOS[0])),
        geometric_mean(&ratios(&measured, EXECUTION_RATIOS[1])),
    )
}

/// The console header of the startup table.
pub fn startup_header() -> String {
    format!(
        "{:<24} {:>9} {:>5} {:>9} {:>9} {:>9} {:>9} {:>9} {:>9} {:>7} {:>7} {:>7} {:>6}",
        "startup",
        "size",
        "runs",
        "W.eager",
        "W.lazytr",
        "W.lazy",
        "w.eager",
        "w.lazytr",
        "w.lazy",
        "eager",
        "lazytr",
        "lazy",
        "noise"
    )
}

/// One console line of the startup table.
pub fn startup_line(row: &StartupRow) -> String {
    let m = &row.measured;
    format!(
        "{:<24} {:>9} {:>5} {:>9} {:>9} {:>9} {:>9} {:>9} {:>9} {:>7.2} {:>7.2} {:>7.2} {:>5.1}%",
        row.name,
        format_bytes(row.bytes),
        m.runs,
        format_duration(m.medians[0]),
        format_duration(m.medians[1]),
        format_duration(m.medians[2]),
        format_duration(m.medians[3]),
        format_duration(m.medians[4]),
        format_duration(m.medians[5]),
        ratio(m, STARTUP_RATIOS[0]),
        ratio(m, STARTUP_RATIOS[1]),
        ratio(m, STARTUP_RATIOS[2]),
        m.spread * 100.0
    )
}

/// The console line with the geometric means of the startup ratios.
pub fn startup_summary(rows: &[StartupRow]) -> String {
    let measured: Vec<&Measured> = rows.iter().map(|r| &r.measured).collect();
    let [eager, lazy_translation, lazy] =
        STARTUP_RATIOS.map(|columns| geometric_mean(&ratios(&measured, columns)));
    format!(
        "{:<24} {:>9} {:>5} {:>9} {:>9} {:>9} {:>9} {:>9} {:>9} {eager:>7.2} {lazy_translation:>7.2} {lazy:>7.2}",
        "geometric mean", "", "", "", "", "", "", "", "",
    )
}

/// The console line of the bulk-memory case: Wasmite's `memory.copy` against native.
pub fn bulk_line(m: &Measured) -> String {
    format!(
        "{:<24} Wasmite {:>9}  native {:>9}  ratio {:.2}  ({} runs, noise {:.1}%)",
        "bulk/memory_copy_1mib",
        format_duration(m.medians[0]),
        format_duration(m.medians[1]),
        ratio(m, (0, 1)),
        m.runs,
        m.spread * 100.0
    )
}

/// The console line of the exceptions case: throw/catch on Wasmite against error codes
/// on Wasmite and on wasmi.
pub fn exceptions_line(m: &Measured) -> String {
    format!(
        "{:<24} Wasmite {:>9}  codes: Wasmite {:>9}  wasmi {:>9}  ratios {:.2} {:.2}  ({} runs, noise {:.1}%)",
        "exceptions/throw_catch",
        format_duration(m.medians[0]),
        format_duration(m.medians[1]),
        format_duration(m.medians[2]),
        ratio(m, (0, 1)),
        ratio(m, (0, 2)),
        m.runs,
        m.spread * 100.0
    )
}

/// Cores busy with other work from which a run counts as measured under load.
pub const LOADED: f64 = 0.2;

/// The conditions of a run, for the report.
pub struct Conditions {
    /// When the run started.
    pub date: String,
    /// The command that produced the report.
    pub command: String,
    /// The CPU model.
    pub cpu: String,
    /// Logical cores available.
    pub cores: usize,
    /// `rustc -V` of the compiler that built the benchmarks.
    pub rustc: &'static str,
    /// The wasmi version linked.
    pub wasmi: &'static str,
    /// The workspace's git revision, if known.
    pub revision: Option<String>,
    /// The timing settings used.
    pub settings: Settings,
    /// Cores busy with other work, on average over the run.
    pub other_load: Option<f64>,
    /// 1-minute load averages at the start and the end.
    pub load_average: (Option<f64>, Option<f64>),
    /// The length of the whole run.
    pub elapsed: Duration,
}

/// The heading of the report's hand-written part, which a new report keeps.
pub const HISTORY_HEADING: &str = "\n## History\n";

/// The hand-written part of an earlier report `text` (from [`HISTORY_HEADING`] to the
/// end), or nothing.
pub fn kept_history(text: &str) -> &str {
    text.find(HISTORY_HEADING).map_or("", |at| &text[at..])
}

/// `docs/benchmarks.md`.
pub fn markdown(
    conditions: &Conditions,
    execution: &[ExecutionRow],
    bulk: Option<&Measured>,
    exceptions: Option<&Measured>,
    startup: &[StartupRow],
    skipped: &[String],
) -> String {
    let c = conditions;
    let mut md = String::new();
    let optional = |value: Option<f64>| value.map_or("unknown".to_string(), |v| format!("{v:.2}"));
    md.push_str(
        "# Benchmarks\n\
         \n\
         Wasmite against [wasmi](https://crates.io/crates/wasmi) 2, the reference of the\n\
         fast-engine work (issue 4). This file is written by `cargo xtask bench` (the\n\
         `crates/bench` workspace); rerun it rather than editing the tables.\n\
         \n\
         **Method.** Every case runs on all engines in the same process, from the same Wasm\n\
         binary (the WAT programs in `crates/bench/programs/` are converted before anything is\n\
         timed; the compiled programs are binaries already). After a warm-up, the engines take turns, one run each per round, and the table\n\
         shows each engine's median. A ratio is Wasmite's median over wasmi's: below 1 means\n\
         Wasmite is faster. Both engines must return the same result in every run, or the case\n\
         fails. *Noise* is the largest interquartile range of the engines' runs relative to the\n\
         median. Both engines are compiled in one release build (fat LTO, one codegen unit);\n\
         wasmi has its default features plus `simd` (for the SIMD programs).\n\
         \n",
    );
    md.push_str("## Conditions\n\n");
    if let Some(load) = c.other_load.filter(|&load| load >= LOADED) {
        writeln!(
            md,
            "**Measured under load:** other processes kept {load:.2} of the {} cores busy on \
             average during the run, so these times are less reliable than usual.\n",
            c.cores
        )
        .unwrap();
    }
    writeln!(md, "- Date: {}", c.date).unwrap();
    writeln!(md, "- Command: `{}`", c.command).unwrap();
    writeln!(md, "- Machine: {}, {} logical cores", c.cpu, c.cores).unwrap();
    writeln!(md, "- Compiler: {}", c.rustc).unwrap();
    writeln!(
        md,
        "- Versions: Wasmite at `{}` ({} dispatch), wasmi {}",
        c.revision.as_deref().unwrap_or("unknown revision"),
        wasmite::DISPATCH,
        c.wasmi
    )
    .unwrap();
    writeln!(
        md,
        "- Timing: warm-up {} ms, about {} ms of measured rounds per case, {} to {} rounds",
        c.settings.warmup.as_millis(),
        c.settings.budget.as_millis(),
        c.settings.min_runs,
        c.settings.max_runs
    )
    .unwrap();
    writeln!(
        md,
        "- Other load during the run: {} cores busy with other processes on average \
         (1-minute load average {} at the start, {} at the end); the run took {:.0} s",
        optional(c.other_load),
        optional(c.load_average.0),
        optional(c.load_average.1),
        c.elapsed.as_secs_f64()
    )
    .unwrap();

    md.push_str(
        "\n## Execution\n\n\
         Time of one call of the program's `run(n)`. Wasmite runs its default configuration,\n\
         like *wasmi lazy*, wasmi's default (validate eagerly, translate a function at its\n\
         first call); after the warm-up every function is translated, so both run what eager\n\
         translation would. Each group has its own geometric mean.\n",
    );
    for group in Group::ALL {
        let rows: Vec<&ExecutionRow> = execution.iter().filter(|r| r.group == group).collect();
        if rows.is_empty() {
            continue;
        }
        let mut title = group.title().to_string();
        title[..1].make_ascii_uppercase();
        writeln!(md, "\n### {title}\n").unwrap();
        md.push_str(match group {
            Group::HandWritten => {
                "Wasm 1.0 text written for the bench (`crates/bench/programs/*.wat`), each\n\
                 program one kind of operation.\n\n"
            }
            Group::Compiled => {
                "Rust programs (`crates/bench/rust-programs/`) as users' code reaches an\n\
                 interpreter: built for `wasm32-unknown-unknown` with the compiler's default\n\
                 target features (bulk memory, sign extension, multi-value, reference types,\n\
                 saturating conversions, mutable globals), `opt-level = 3`, LTO. Each checks its\n\
                 own result and traps if it is wrong.\n"
            }
            Group::Wasm3 => {
                "Wasm 3.0 text written for the bench (`crates/bench/programs/*.wat`), each\n\
                 program one feature that wasmi also runs: `tail_calls` is a bytecode machine in\n\
                 continuation-passing style, every step a `return_call` or\n\
                 `return_call_indirect`.\n\n"
            }
            Group::Simd => {
                "Rust programs built like the compiled ones, plus `-C target-feature=+simd128`\n\
                 (128-bit SIMD): `simd_dot`, `simd_search` and `simd_codec` use\n\
                 `core::arch::wasm32` intrinsics, `simd_image` and `simd_hash` are plain loops that\n\
                 the compiler vectorises. Each checks its own result against scalar code and\n\
                 traps if it is wrong.\n"
            }
        });
        if matches!(group, Group::Compiled | Group::Simd) {
            writeln!(md, "Built by {}.\n", COMPILED_BY.trim()).unwrap();
        }
        md.push_str(
            "| case | what | n | runs | Wasmite | wasmi eager | wasmi lazy | Wasmite / eager | Wasmite / lazy | noise |\n\
             | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n",
        );
        for row in &rows {
            let m = &row.measured;
            writeln!(
                md,
                "| {} | {} | {} | {} | {} | {} | {} | {:.2} | {:.2} | {:.1}% |",
                row.name,
                row.what,
                row.arg,
                m.runs,
                format_duration(m.medians[0]),
                format_duration(m.medians[1]),
                format_duration(m.medians[2]),
                ratio(m, EXECUTION_RATIOS[0]),
                ratio(m, EXECUTION_RATIOS[1]),
                m.spread * 100.0
            )
            .unwrap();
        }
        let measured: Vec<&Measured> = rows.iter().map(|r| &r.measured).collect();
        writeln!(
            md,
            "| **geometric mean** | | | | | | | **{:.2}** | **{:.2}** | |",
            geometric_mean(&ratios(&measured, EXECUTION_RATIOS[0])),
            geometric_mean(&ratios(&measured, EXECUTION_RATIOS[1]))
        )
        .unwrap();
    }

    if let Some(m) = bulk {
        writeln!(
            md,
            "\n## Bulk memory\n\n\
             `programs/bulk_copy.wat`: 200 `memory.copy`s of 1 MiB on Wasmite, against the same\n\
             copies by Rust's `copy_within` (memmove) in the bench process: Wasmite {}, native\n\
             {}, **{:.2}x** ({} runs, noise {:.1}%).",
            format_duration(m.medians[0]),
            format_duration(m.medians[1]),
            ratio(m, (0, 1)),
            m.runs,
            m.spread * 100.0
        )
        .unwrap();
    }

    if let Some(m) = exceptions {
        writeln!(
            md,
            "\n## Exceptions\n\n\
             `programs/throw_catch.wat`: 200,000 calls of a function that recurses 10 frames\n\
             deep, each inside a `try_table`; one in 8 throws from the bottom and is caught at\n\
             the top. wasmi 2.0 has no exception handling, so the oracle runs the same work with\n\
             error codes (`programs/throw_catch_codes.wat`: each frame returns a flag its caller\n\
             checks). Wasmite {}, Wasmite with error codes {}, wasmi eager with error codes {}:\n\
             **{:.2}x** the error codes on Wasmite, **{:.2}x** on wasmi ({} runs, noise {:.1}%).",
            format_duration(m.medians[0]),
            format_duration(m.medians[1]),
            format_duration(m.medians[2]),
            ratio(m, (0, 1)),
            ratio(m, (0, 2)),
            m.runs,
            m.spread * 100.0
        )
        .unwrap();
    }

    md.push_str(
        "\n## Startup\n\n\
         Time from the binary to a ready instance: decode, validate, translate (as far as the\n\
         mode does it up front) and instantiate; a module marked *not instantiated* (its\n\
         imports are not provided) is only decoded, validated and translated. *Eager*\n\
         translates every function at load time; *lazy translation* (the default of both\n\
         engines) validates everything at load time and translates a function at its first\n\
         call; *lazy* (opt-in in Wasmite: `Translation::LazyValidation`) defers each\n\
         function's validation to its first call too. Each Wasmite mode is compared with\n\
         wasmi's like mode.\n\n\
         | module | what | size | runs | Wasmite eager | Wasmite lazy translation | Wasmite lazy | wasmi eager | wasmi lazy translation | wasmi lazy | eager / eager | lazy translation / lazy translation | lazy / lazy | noise |\n\
         | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n",
    );
    for row in startup {
        let m = &row.measured;
        let load = match row.load {
            Load::Instantiate => "",
            Load::Compile => ", *not instantiated*",
        };
        writeln!(
            md,
            "| {} | {}{load} | {} | {} | {} | {} | {} | {} | {} | {} | {:.2} | {:.2} | {:.2} | {:.1}% |",
            row.name,
            row.what,
            format_bytes(row.bytes),
            m.runs,
            format_duration(m.medians[0]),
            format_duration(m.medians[1]),
            format_duration(m.medians[2]),
            format_duration(m.medians[3]),
            format_duration(m.medians[4]),
            format_duration(m.medians[5]),
            ratio(m, STARTUP_RATIOS[0]),
            ratio(m, STARTUP_RATIOS[1]),
            ratio(m, STARTUP_RATIOS[2]),
            m.spread * 100.0
        )
        .unwrap();
    }
    let measured: Vec<&Measured> = startup.iter().map(|r| &r.measured).collect();
    let [eager, lazy_translation, lazy] =
        STARTUP_RATIOS.map(|columns| geometric_mean(&ratios(&measured, columns)));
    writeln!(
        md,
        "| **geometric mean** | | | | | | | | | | **{eager:.2}** | **{lazy_translation:.2}** | **{lazy:.2}** | |",
    )
    .unwrap();
    for note in skipped {
        writeln!(md, "\nNot measured: {note}.").unwrap();
    }
    md
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_have_three_significant_digits() {
        assert_eq!(format_duration(Duration::from_micros(1234)), "1.23 ms");
        assert_eq!(format_duration(Duration::from_micros(12_345)), "12.3 ms");
        assert_eq!(format_duration(Duration::from_micros(123_456)), "123 ms");
        assert_eq!(format_duration(Duration::from_nanos(4_560)), "4.56 µs");
        assert_eq!(format_duration(Duration::from_millis(2500)), "2.50 s");
    }
}
