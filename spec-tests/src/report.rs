//! What a run found, and how it prints.

use std::collections::HashMap;
use std::fmt::{self, Write as _};

/// Failures printed per file without `--verbose`.
const FAILURES_SHOWN: usize = 5;
/// Message mismatches printed with `--verbose`.
const MISMATCHES_SHOWN: usize = 30;
/// Distinct failure causes printed in the summary.
const CAUSES_SHOWN: usize = 25;

/// One directive that failed.
#[derive(Debug, Clone)]
pub struct Failure {
    /// `suite/file.wast:line:col`.
    pub location: String,
    /// The directive, e.g. `assert_return (invoke "add")`.
    pub directive: String,
    /// What went wrong, usually `expected X, got Y`.
    pub message: String,
    /// A short class of the failure shared by similar ones (e.g. `assert_return: unsupported
    /// v128 value`), used to group failures by cause.
    pub cause: String,
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}: {}", self.location, self.directive, self.message)
    }
}

/// Which kind of directive a message mismatch came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MismatchKind {
    /// `assert_trap` on an invocation, or `assert_exhaustion`.
    Trap,
    /// `assert_invalid`.
    Invalid,
    /// `assert_trap` on a module (the spec's `assert_uninstantiable`).
    Uninstantiable,
}

/// A directive that passed, but whose error message lacks the spec's expected text.
#[derive(Debug, Clone)]
pub struct Mismatch {
    /// `suite/file.wast:line:col`.
    pub location: String,
    /// The directive.
    pub directive: String,
    /// Which count it adds to.
    pub kind: MismatchKind,
    /// The text the spec expects the message to contain.
    pub expected: String,
    /// The engine's message.
    pub actual: String,
}

impl fmt::Display for Mismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: {}: expected message {:?}, got {:?}",
            self.location, self.directive, self.expected, self.actual
        )
    }
}

/// The outcome of one script.
#[derive(Debug, Clone, Default)]
pub struct FileReport {
    /// `suite/file.wast`.
    pub name: String,
    /// Directives that passed.
    pub passed: usize,
    /// Directives that failed (including listed skips that unexpectedly pass).
    pub failed: usize,
    /// Listed known failures that did fail.
    pub skipped: usize,
    /// Every failure, in script order.
    pub failures: Vec<Failure>,
    /// Every message mismatch, in script order.
    pub mismatches: Vec<Mismatch>,
}

impl FileReport {
    /// An empty report for script `name`.
    pub fn new(name: impl Into<String>) -> Self {
        FileReport {
            name: name.into(),
            ..FileReport::default()
        }
    }

    pub(crate) fn fail(&mut self, failure: Failure) {
        self.failed += 1;
        self.failures.push(failure);
    }

    fn render(&self, out: &mut String, verbose: bool) {
        let _ = writeln!(
            out,
            "{}: {} passed, {} failed, {} skipped",
            self.name, self.passed, self.failed, self.skipped
        );
        let shown = if verbose {
            self.failures.len()
        } else {
            FAILURES_SHOWN
        };
        for failure in self.failures.iter().take(shown) {
            let _ = writeln!(out, "  {failure}");
        }
        if self.failures.len() > shown {
            let _ = writeln!(
                out,
                "  ... and {} more (--verbose shows all)",
                self.failures.len() - shown
            );
        }
    }
}

/// The outcome of a run: one report per script.
#[derive(Debug, Clone, Default)]
pub struct Report {
    /// Per-script reports, in run order.
    pub files: Vec<FileReport>,
}

impl Report {
    /// Directives that passed.
    pub fn passed(&self) -> usize {
        self.files.iter().map(|f| f.passed).sum()
    }

    /// Directives that failed.
    pub fn failed(&self) -> usize {
        self.files.iter().map(|f| f.failed).sum()
    }

    /// Known failures that did fail.
    pub fn skipped(&self) -> usize {
        self.files.iter().map(|f| f.skipped).sum()
    }

    /// Every failure, script by script.
    pub fn failures(&self) -> impl Iterator<Item = &Failure> {
        self.files.iter().flat_map(|f| &f.failures)
    }

    /// Every message mismatch, script by script.
    pub fn mismatches(&self) -> impl Iterator<Item = &Mismatch> {
        self.files.iter().flat_map(|f| &f.mismatches)
    }

    /// Message mismatches of one kind.
    pub fn mismatch_count(&self, kind: MismatchKind) -> usize {
        self.mismatches().filter(|m| m.kind == kind).count()
    }

    /// Failure causes with their counts, most frequent first.
    pub fn causes(&self) -> Vec<(&str, usize)> {
        let mut counts: HashMap<&str, usize> = HashMap::new();
        for failure in self.failures() {
            *counts.entry(failure.cause.as_str()).or_default() += 1;
        }
        let mut causes: Vec<_> = counts.into_iter().collect();
        causes.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
        causes
    }

    /// The closing line: `spec: N passed, M failed, K skipped`.
    pub fn summary_line(&self) -> String {
        format!(
            "spec: {} passed, {} failed, {} skipped",
            self.passed(),
            self.failed(),
            self.skipped()
        )
    }

    /// The message-mismatch line that follows the closing line.
    pub fn mismatch_line(&self) -> String {
        let trap = self.mismatch_count(MismatchKind::Trap);
        let invalid = self.mismatch_count(MismatchKind::Invalid);
        let uninstantiable = self.mismatch_count(MismatchKind::Uninstantiable);
        format!(
            "spec: message mismatches: {} (trap/exhaustion: {trap}, invalid: {invalid}, uninstantiable: {uninstantiable})",
            trap + invalid + uninstantiable
        )
    }

    /// The whole report: a line per script (with its first failures, or all of them when
    /// `verbose`), the failure causes, the mismatches (when `verbose`), then the two
    /// closing lines.
    pub fn render(&self, verbose: bool) -> String {
        let mut out = String::new();
        for file in &self.files {
            file.render(&mut out, verbose);
        }
        let causes = self.causes();
        if !causes.is_empty() {
            let _ = writeln!(out, "failures by cause:");
            for (cause, count) in causes.iter().take(CAUSES_SHOWN) {
                let _ = writeln!(out, "  {count:>6}  {cause}");
            }
            if causes.len() > CAUSES_SHOWN {
                let _ = writeln!(out, "  ... and {} more causes", causes.len() - CAUSES_SHOWN);
            }
        }
        if verbose {
            let total = self.mismatches().count();
            if total > 0 {
                let _ = writeln!(
                    out,
                    "message mismatches (first {}):",
                    total.min(MISMATCHES_SHOWN)
                );
                for mismatch in self.mismatches().take(MISMATCHES_SHOWN) {
                    let _ = writeln!(out, "  {mismatch}");
                }
            }
        }
        let _ = writeln!(out, "{}", self.summary_line());
        let _ = writeln!(out, "{}", self.mismatch_line());
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_files_and_closing_lines() {
        let mut file = FileReport::new("wasm-v1/x.wast");
        file.passed = 3;
        file.fail(Failure {
            location: "wasm-v1/x.wast:4:1".into(),
            directive: "assert_return (invoke \"f\")".into(),
            message: "expected [i32.const 1], got [i32.const 2]".into(),
            cause: "assert_return: wrong result".into(),
        });
        file.mismatches.push(Mismatch {
            location: "wasm-v1/x.wast:9:1".into(),
            directive: "assert_invalid".into(),
            kind: MismatchKind::Invalid,
            expected: "type mismatch".into(),
            actual: "oops".into(),
        });
        let report = Report { files: vec![file] };
        let text = report.render(false);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "wasm-v1/x.wast: 3 passed, 1 failed, 0 skipped");
        assert_eq!(
            lines[1],
            "  wasm-v1/x.wast:4:1: assert_return (invoke \"f\"): expected [i32.const 1], got [i32.const 2]"
        );
        assert_eq!(
            lines[lines.len() - 2],
            "spec: 3 passed, 1 failed, 0 skipped"
        );
        assert_eq!(
            lines[lines.len() - 1],
            "spec: message mismatches: 1 (trap/exhaustion: 0, invalid: 1, uninstantiable: 0)"
        );
        assert!(!text.contains("oops"));
        assert!(report.render(true).contains("oops"));
    }
}
