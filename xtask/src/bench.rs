//! `cargo xtask bench`: builds the benchmark crate in release mode and runs it.
//!
//! The benchmarks live in `crates/bench`, a workspace of their own so that wasmi (the
//! reference they compare against) never enters the root workspace's build. A full run
//! writes `docs/benchmarks.md`; a `--filter` or `--quick` run only prints. The large
//! module of the startup group is fetched first when it is missing (the bench skips its
//! case if that fails).

use std::process::{Command, ExitCode};

use anyhow::{Context as _, bail};

/// Where the benchmark crate's manifest and the report are, from the repository root.
const MANIFEST: &str = "crates/bench/Cargo.toml";
const REPORT: &str = "docs/benchmarks.md";
/// The large module of the startup group, the script that fetches it, and its case (the
/// bench's `large.rs` and `main.rs` say the same).
const LARGE_MODULE: &str = "crates/bench/target/large/ruby.wasm";
const FETCH_LARGE: &str = "crates/bench/fetch-large.sh";
const LARGE_CASE: &str = "startup/ruby";

/// Options of `cargo xtask bench`.
struct BenchOptions {
    filter: Option<String>,
    quick: bool,
    metered: bool,
}

impl BenchOptions {
    fn parse(args: &[String]) -> anyhow::Result<Self> {
        let mut options = BenchOptions {
            filter: None,
            quick: false,
            metered: false,
        };
        let mut args = args.iter();
        while let Some(arg) = args.next() {
            match arg.split_once('=') {
                Some(("--filter", value)) => options.filter = Some(value.to_string()),
                _ => match arg.as_str() {
                    "--filter" => {
                        let value = args.next().context("--filter needs a value")?;
                        options.filter = Some(value.clone());
                    }
                    "--quick" => options.quick = true,
                    "--metered" => options.metered = true,
                    other => bail!(
                        "unknown option `{other}` for `bench`\n\
                         usage: cargo xtask bench [--filter TEXT] [--quick] [--metered]"
                    ),
                },
            }
        }
        Ok(options)
    }
}

/// `cargo xtask bench`: `cargo run --release --manifest-path crates/bench/Cargo.toml`.
pub fn bench(args: &[String]) -> anyhow::Result<ExitCode> {
    let options = BenchOptions::parse(args)?;
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .context("xtask has no parent directory")?;
    let wants_large = !options.metered
        && options
            .filter
            .as_ref()
            .is_none_or(|filter| LARGE_CASE.contains(filter.as_str()));
    if wants_large && !root.join(LARGE_MODULE).exists() {
        fetch_large(root);
    }
    let mut shown = String::from("cargo xtask bench");
    let mut bench_args: Vec<String> = Vec::new();
    if let Some(filter) = &options.filter {
        shown.push_str(&format!(" --filter {filter}"));
        bench_args.extend(["--filter".to_string(), filter.clone()]);
    }
    if options.quick {
        shown.push_str(" --quick");
        bench_args.push("--quick".to_string());
    }
    if options.metered {
        bench_args.push("--metered".to_string());
    }
    bench_args.extend([
        "--markdown".to_string(),
        REPORT.to_string(),
        "--command".to_string(),
        shown,
    ]);
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let status = Command::new(cargo)
        .current_dir(root)
        .args(["run", "--release", "--manifest-path", MANIFEST, "--"])
        .args(&bench_args)
        .status()
        .context("cannot run cargo")?;
    Ok(match status.code() {
        Some(0) => ExitCode::SUCCESS,
        Some(code) => ExitCode::from(u8::try_from(code).unwrap_or(1)),
        None => ExitCode::FAILURE,
    })
}

/// Runs `fetch-large.sh`. A failure is reported, not fatal: the bench then skips the case
/// and says why.
fn fetch_large(root: &std::path::Path) {
    println!("{LARGE_MODULE} is missing: running {FETCH_LARGE}");
    match Command::new("bash").arg(root.join(FETCH_LARGE)).status() {
        Ok(status) if status.success() => {}
        Ok(status) => eprintln!("warning: {FETCH_LARGE} failed ({status})"),
        Err(error) => eprintln!("warning: cannot run {FETCH_LARGE}: {error}"),
    }
}
