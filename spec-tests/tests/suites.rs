//! The whole Wasm 1.0 and 2.0 spec suites, the proposal suites of SIMD, relaxed SIMD,
//! tail calls, extended constant expressions, multi-memory, wide arithmetic, memory64 and
//! custom page sizes, exception handling and typed function references, and our local
//! scripts must pass, with nothing skipped; Wasm 3.0 must pass but for the GC proposal's
//! directives, which the skip list names.
//!
//! Failures print as `file:line:col: directive: expected X, got Y`; run
//! `cargo xtask spec --suite wasm-v2 --verbose` (or `--filter NAME`) for more detail.

use spec_tests::{Report, run_suite};

fn assert_clean(suite: &str) -> Report {
    let report = run_suite(suite, None).expect("the suite runs");
    // The full report goes to the test's output (shown when it fails, or with --nocapture).
    print!("{}", report.render(false));
    assert_eq!(report.failed(), 0, "{suite}: {}", report.summary_line());
    assert_eq!(
        report.skipped(),
        0,
        "{suite}: the skip list must be empty for this suite"
    );
    report
}

/// [`assert_clean`], and at least `files` scripts ran and `passed` directives passed: a
/// guard against a runner that silently runs nothing.
fn assert_suite(suite: &str, files: usize, passed: usize) {
    let report = assert_clean(suite);
    assert!(
        report.files.len() >= files,
        "{suite}: only {} scripts ran",
        report.files.len()
    );
    assert!(
        report.passed() >= passed,
        "{suite}: only {} directives passed",
        report.passed()
    );
}

#[test]
fn wasm_v1_suite_passes() {
    assert_suite("wasm-v1", 70, 15_000);
}

#[test]
fn wasm_v2_suite_passes() {
    assert_suite("wasm-v2", 90, 27_000);
}

#[test]
fn simd_suite_passes() {
    assert_suite("simd", 55, 25_000);
}

#[test]
fn relaxed_simd_suite_passes() {
    assert_suite("relaxed-simd", 7, 77);
}

#[test]
fn tail_call_suite_passes() {
    assert_suite("tail-call", 2, 119);
}

#[test]
fn extended_const_suite_passes() {
    assert_suite("extended-const", 3, 284);
}

#[test]
fn multi_memory_suite_passes() {
    assert_suite("multi-memory", 40, 912);
}

#[test]
fn wide_arithmetic_suite_passes() {
    assert_suite("wide-arithmetic", 1, 109);
}

#[test]
fn memory64_suite_passes() {
    assert_suite("memory64", 14, 1606);
}

#[test]
fn custom_page_sizes_suite_passes() {
    assert_suite("custom-page-sizes", 5, 207);
}

#[test]
fn function_references_suite_passes() {
    assert_suite("function-references", 26, 1874);
}

#[test]
fn exceptions_suite_passes() {
    assert_suite("exceptions", 4, 105);
}

/// A suite that passes but for directives of the GC proposal, which the skip list names
/// (struct and array types, GC's heap types): at most `skipped` of them.
fn assert_all_but_gc(suite: &str, passed: usize, skipped: usize) {
    let report = run_suite(suite, None).expect("the suite runs");
    print!("{}", report.render(false));
    assert_eq!(report.failed(), 0, "{}", report.summary_line());
    assert!(report.passed() >= passed, "{}", report.summary_line());
    assert!(report.skipped() <= skipped, "{}", report.summary_line());
    let prefix = format!("{suite}/");
    for skip in spec_tests::skips::SKIPS
        .iter()
        .filter(|skip| skip.file.starts_with(&prefix))
    {
        assert!(skip.reason.contains("GC"), "{skip:?} is not a GC directive");
    }
}

/// Wasm 3.0: everything but the GC proposal's directives.
#[test]
fn wasm_v3_suite_passes_but_for_gc() {
    assert_all_but_gc("wasm-v3", 21_180, 48);
}

#[test]
fn local_suite_passes() {
    let report = assert_clean("local");
    assert!(report.passed() > 0);
}
