//! The one list of known spec failures.
//!
//! A directive listed here still runs. If it fails, it counts as *skipped*; if it passes,
//! it counts as a *failure* ("unexpected pass, remove from skip list"), so the list can only
//! shrink. An entry without lines covers a whole file: its failing directives count as
//! skipped, and the entry itself is reported as a failure once no directive of the file
//! fails any more. An entry whose file or lines match no directive is reported too.
//!
//! The `wasm-v1` and `wasm-v2` suites must never appear here (a test checks it).

/// One known failure.
#[derive(Debug, Clone, Copy)]
pub struct Skip {
    /// The script, as `suite/file.wast` (e.g. `wasm-v2/simd_lane.wast`).
    pub file: &'static str,
    /// 1-based lines of the listed directives (where the directive's opening keyword is);
    /// empty for the whole file.
    pub lines: &'static [usize],
    /// Why it fails: the missing feature or the known bug.
    pub reason: &'static str,
}

/// Known failures. Keep entries sorted by file; give every entry a reason.
pub const SKIPS: &[Skip] = &[
    // The proposal directories hold older copies of tests now in wasm-v2, the judge; these
    // are where they differ from it.
    Skip {
        file: "bulk-memory/table-sub.wast",
        lines: &[1],
        reason: "a table of `(ref null $t)`: typed function references (Wasm 3.0), which the \
                 bulk-memory scripts, checked as Wasm 2.0, do not have (function-references \
                 and wasm-v3 run it)",
    },
    Skip {
        file: "bulk-memory/table_init.wast",
        lines: &[2272, 2286],
        reason: "a table of `(ref null $t)`: typed function references (Wasm 3.0), which the \
                 bulk-memory scripts, checked as Wasm 2.0, do not have (function-references \
                 and wasm-v3 run it)",
    },
    Skip {
        file: "reference-types/unreached-invalid.wast",
        lines: &[539],
        reason: "the proposal's older rule that `br_table` labels after `unreachable` have \
                 equal types; Wasm 2.0 (wasm-v2, and wasmparser) only needs each label's \
                 types to match the operands, so the module is valid",
    },
    Skip {
        file: "wasm-v3/ref_null.wast",
        lines: &[],
        reason: "GC's abstract heap types (`any`, `none`, `nofunc`, `noextern`, `noexn`) in \
                 every module of the script: the GC proposal's heap types, which Wasmite does \
                 not build (recursion groups and subtypes of function types it does)",
    },
    Skip {
        file: "wasm-v3/type-rec.wast",
        lines: &[
            39, 71, 78, 137, 141, 143, 148, 167, 174, 176, 183, 185, 192, 197,
        ],
        reason: "recursion groups with struct types (`(struct ...)`), or directives on the \
                 modules that have them: the GC proposal's struct and array types, which \
                 Wasmite does not build (recursion groups of function types it does)",
    },
];

/// The entries for script `file` (`suite/file.wast`).
pub(crate) fn for_file(file: &str) -> Vec<&'static Skip> {
    SKIPS.iter().filter(|skip| skip.file == file).collect()
}

#[cfg(test)]
mod tests {
    use super::SKIPS;

    #[test]
    fn wasm_v1_and_v2_have_no_skips() {
        assert!(SKIPS.iter().all(|skip| {
            !skip.file.starts_with("wasm-v1/") && !skip.file.starts_with("wasm-v2/")
        }));
    }

    #[test]
    fn every_entry_has_a_reason_and_a_wast_file() {
        for skip in SKIPS {
            assert!(!skip.reason.trim().is_empty(), "{skip:?}");
            assert!(
                skip.file.contains('/') && skip.file.ends_with(".wast"),
                "{skip:?}"
            );
        }
    }
}
