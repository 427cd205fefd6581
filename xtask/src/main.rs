//! `cargo xtask`: project automation for Wasmite.
//!
//! ```text
//! cargo xtask spec [--suite NAME] [--filter TEXT] [--verbose]
//! cargo xtask fuzz [TARGET] [--seconds N]
//! cargo xtask bench [--filter TEXT] [--quick] [--metered]
//! cargo xtask wasi-testsuite [--path DIR] [--filter SUBSTR] [--verbose]
//! ```
//!
//! Arguments are parsed by hand to keep the build lean.

mod bench;
mod fuzz;
mod wasi;

use std::process::ExitCode;

use anyhow::{Context as _, bail};

const USAGE: &str = "\
usage: cargo xtask <subcommand> [options]

subcommands:
  spec [--suite NAME] [--filter TEXT] [--verbose]
      Run a spec test suite and print a report; exits non-zero on any failure.
      --suite NAME    wasm-v1 (default), wasm-v2, wasm-v3, wasm-latest, a proposal
                      (e.g. bulk-memory, simd), local (spec-tests/local/*.wast), or all
      --filter TEXT   only scripts whose `suite/file.wast` name contains TEXT
      --verbose       list every failure and the first message mismatches
  fuzz [TARGET] [--seconds N]
      Seed fuzz/corpus/ from the spec suite's modules, then run the fuzz targets
      (`cargo +nightly fuzz run`, needs cargo-fuzz) one after another; exits non-zero
      if a target finds a crash (saved under fuzz/artifacts/TARGET/).
      TARGET          decode_validate, validate_diff or exec_diff (default: all three)
      --seconds N     how long each target runs (default: 60)
  bench [--filter TEXT] [--quick]
      Build crates/bench in release mode and time every case on Wasmite and on
      wasmi 2; a full run writes docs/benchmarks.md.
      --filter TEXT   only cases whose name contains TEXT (e.g. fib, startup)
      --quick         a smoke run: one warm-up round and a few measured ones
      --metered       fuel metering (Wasmite vs wasmi) and interruption checks instead
  wasi-testsuite [--path DIR] [--filter SUBSTR] [--verbose]
      Build the CLI (`cargo build --release -p wasmite-cli`) and run the WASI preview 1
      conformance tests with it, each on a fresh copy of its fixtures; exits non-zero
      on any failure.
      --path DIR      the wasi-testsuite checkout (default: ../shared/wasi-testsuite
                      beside the workspace)
      --filter SUBSTR only tests whose `language/name` (e.g. rust/fd_readdir) contains it
      --verbose       print the full stdout and stderr of each failure
  help
      Print this message.
";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(code) => code,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::from(2)
        }
    }
}

/// Dispatches on the subcommand. New subcommands (e.g. `bench`) get an arm here.
fn run(args: &[String]) -> anyhow::Result<ExitCode> {
    let Some((subcommand, rest)) = args.split_first() else {
        eprint!("{USAGE}");
        return Ok(ExitCode::from(2));
    };
    match subcommand.as_str() {
        "spec" => spec(rest),
        "fuzz" => fuzz::fuzz(rest, USAGE),
        "bench" => bench::bench(rest),
        "wasi-testsuite" => wasi::wasi_testsuite(rest),
        "help" | "--help" | "-h" => {
            print!("{USAGE}");
            Ok(ExitCode::SUCCESS)
        }
        other => {
            eprintln!("unknown subcommand `{other}`\n");
            eprint!("{USAGE}");
            Ok(ExitCode::from(2))
        }
    }
}

/// Calls `each` with every option of `args` and a way to take the option's value, given
/// as `--flag VALUE` or `--flag=VALUE`.
fn for_each_option(
    args: &[String],
    mut each: impl FnMut(&str, &mut dyn FnMut() -> anyhow::Result<String>) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        let (flag, inline) = match arg.split_once('=') {
            Some((flag, value)) if flag.starts_with("--") => (flag, Some(value.to_string())),
            _ => (arg.as_str(), None),
        };
        let mut value = || -> anyhow::Result<String> {
            match inline.clone() {
                Some(value) => Ok(value),
                None => args
                    .next()
                    .cloned()
                    .with_context(|| format!("{flag} needs a value")),
            }
        };
        each(flag, &mut value)?;
    }
    Ok(())
}

/// Options of `cargo xtask spec`.
struct SpecOptions {
    suite: String,
    filter: Option<String>,
    verbose: bool,
}

impl SpecOptions {
    fn parse(args: &[String]) -> anyhow::Result<Self> {
        let mut options = SpecOptions {
            suite: "wasm-v1".to_string(),
            filter: None,
            verbose: false,
        };
        for_each_option(args, |flag, value| {
            match flag {
                "--suite" => options.suite = value()?,
                "--filter" => options.filter = Some(value()?),
                "--verbose" | "-v" => options.verbose = true,
                other => bail!("unknown option `{other}` for `spec`\n\n{USAGE}"),
            }
            Ok(())
        })?;
        Ok(options)
    }
}

/// `cargo xtask spec`: runs a suite and prints the report.
fn spec(args: &[String]) -> anyhow::Result<ExitCode> {
    let options = SpecOptions::parse(args)?;
    let report = spec_tests::run_suite(&options.suite, options.filter.as_deref())?;
    print!("{}", report.render(options.verbose));
    Ok(if report.failed() == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
