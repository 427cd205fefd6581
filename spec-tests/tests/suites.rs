//! The whole Wasm 1.0 and 2.0 spec suites, the SIMD and relaxed-SIMD proposal suites and
//! our local scripts must pass, with nothing skipped.
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

#[test]
fn wasm_v1_suite_passes() {
    let report = assert_clean("wasm-v1");
    // Guard against a runner that silently runs nothing.
    assert!(
        report.files.len() >= 70,
        "only {} scripts ran",
        report.files.len()
    );
    assert!(
        report.passed() > 15_000,
        "only {} directives passed",
        report.passed()
    );
}

#[test]
fn wasm_v2_suite_passes() {
    let report = assert_clean("wasm-v2");
    assert!(
        report.files.len() >= 90,
        "only {} scripts ran",
        report.files.len()
    );
    assert!(
        report.passed() > 27_000,
        "only {} directives passed",
        report.passed()
    );
}

#[test]
fn simd_suite_passes() {
    let report = assert_clean("simd");
    assert!(
        report.files.len() >= 55,
        "only {} scripts ran",
        report.files.len()
    );
    assert!(
        report.passed() > 25_000,
        "only {} directives passed",
        report.passed()
    );
}

#[test]
fn relaxed_simd_suite_passes() {
    let report = assert_clean("relaxed-simd");
    assert!(
        report.files.len() >= 7,
        "only {} scripts ran",
        report.files.len()
    );
    assert!(
        report.passed() >= 77,
        "only {} directives passed",
        report.passed()
    );
}

#[test]
fn local_suite_passes() {
    let report = assert_clean("local");
    assert!(report.passed() > 0);
}
