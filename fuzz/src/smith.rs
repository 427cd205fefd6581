//! Module generation with wasm-smith, from the fuzzer's bytes.

use arbitrary::{Arbitrary, Result, Unstructured};
use wasm_smith::Config;
use wasmite::Features;

use crate::features::{default_smith, restrict_smith};

/// Largest memory a module of [`terminating_module`] declares: 4 pages (256 KiB), and
/// every memory has a maximum, so `memory.grow` stays within this too. Both engines'
/// memories are compared byte for byte after every call: small memories keep that cheap.
pub const EXEC_MAX_MEMORY_PAGES: u64 = 4;

/// Largest table (in elements) a module of [`terminating_module`] declares, initial size
/// and maximum: every table has a maximum, so `table.grow` stays within this too.
pub const EXEC_MAX_TABLE_ELEMENTS: u64 = 1000;

/// Fuel of [`terminating_module`]'s modules: loop iterations plus calls, over all calls
/// into one instance (wasm-smith's `ensure_termination` traps with `unreachable` when it
/// runs out).
pub const EXEC_MAX_FUEL: u32 = 2000;

/// A module for the validators to judge: valid for `features` or not, as the input picks.
///
/// The input chooses between a default or a random ("swarm") wasm-smith configuration,
/// restricted to `features` or not (an unrestricted one uses proposals that `features`
/// may lack, and tests that both validators reject them alike), whether function bodies
/// may be raw bytes (`allow_invalid_funcs`), and up to four byte mutations of the
/// encoded module.
pub fn module_for_validation(u: &mut Unstructured<'_>, features: &Features) -> Result<Vec<u8>> {
    let swarm: bool = u.arbitrary()?;
    let mut config = if swarm {
        Config::arbitrary(u)?
    } else {
        default_smith(features)
    };
    if u.ratio(3, 4)? {
        restrict_smith(&mut config, features);
    }
    config.allow_invalid_funcs = u.ratio(1, 4)?;
    let module = wasm_smith::Module::new(config, u)?;
    let mut bytes = module.to_bytes();
    let mutations = u.int_in_range(0..=4)?;
    for _ in 0..mutations {
        mutate(&mut bytes, u)?;
    }
    Ok(bytes)
}

/// One random edit of an encoded module: overwrite, insert or delete a byte, or truncate.
/// The 8-byte header is left alone most of the time (a broken header is rejected early
/// and teaches little).
fn mutate(bytes: &mut Vec<u8>, u: &mut Unstructured<'_>) -> Result<()> {
    let start = if u.ratio(1, 16)? {
        0
    } else {
        8.min(bytes.len())
    };
    if bytes.len() <= start {
        return Ok(());
    }
    let at = u.int_in_range(start..=bytes.len() - 1)?;
    match u.int_in_range(0..=3)? {
        0 => bytes[at] = u.arbitrary()?,
        1 => bytes.insert(at, u.arbitrary()?),
        2 => {
            bytes.remove(at);
        }
        _ => bytes.truncate(at),
    }
    Ok(())
}

/// A valid module for `features` whose every function terminates, sized for
/// differential execution: arithmetic NaNs canonicalised, no imports, memories of at most
/// [`EXEC_MAX_MEMORY_PAGES`] and tables of at most [`EXEC_MAX_TABLE_ELEMENTS`], both
/// with a maximum, and wasm-smith's fuel (a global decremented at every loop head and
/// function entry, trapping with `unreachable` at zero) of at most [`EXEC_MAX_FUEL`].
pub fn terminating_module(u: &mut Unstructured<'_>, features: &Features) -> Result<Vec<u8>> {
    let mut config = if u.arbitrary()? {
        Config::arbitrary(u)?
    } else {
        default_smith(features)
    };
    restrict_smith(&mut config, features);
    config.max_imports = 0;
    config.max_memory32_bytes = config.max_memory32_bytes.min(EXEC_MAX_MEMORY_PAGES * 65536);
    config.memory_max_size_required = true;
    config.max_table_elements = config.max_table_elements.min(EXEC_MAX_TABLE_ELEMENTS);
    // Every table has a maximum too, so `table.grow` stays within the same bound (an
    // unbounded table could be grown towards 2^32 entries, an allocation that fails or
    // succeeds depending on the engine, both allowed by the spec).
    config.table_max_size_required = true;
    config.export_everything = u.arbitrary()?;
    config.allow_invalid_funcs = false;
    // The spec lets the NaN payload of an arithmetic result vary, and the engines do
    // differ (for `f64.add` of two NaNs Wasmite keeps one operand's payload, wasmi the
    // other's). `i64.reinterpret_f64` or a store would make that visible; wasm-smith's
    // canonicalisation (a canonical NaN after every arithmetic float operation) keeps
    // the results deterministic.
    config.canonicalize_nans = true;
    let mut module = wasm_smith::Module::new(config, u)?;
    let fuel = u.int_in_range(1..=EXEC_MAX_FUEL)?;
    module
        .ensure_termination(fuel)
        .map_err(|_| arbitrary::Error::IncorrectFormat)?;
    Ok(module.to_bytes())
}
