//! One proposal set, three vocabularies: Wasmite's [`Features`] as wasmparser's
//! [`WasmFeatures`], as wasm-smith's generator switches, and as wasmi's engine config.
//!
//! Each function destructures [`Features`] without `..`: a flag added to Wasmite makes
//! this file fail to compile until the oracles learn about it.

use wasmite::Features;
use wasmparser::WasmFeatures;

/// The `wasmparser` feature set that validates exactly the modules `features` allows.
pub fn wasmparser_features(features: &Features) -> WasmFeatures {
    let Features {
        mutable_global,
        sign_extension,
        saturating_float_to_int,
        multi_value,
        bulk_memory,
        reference_types,
        simd,
        relaxed_simd,
        tail_call,
        extended_const,
        multi_memory,
        wide_arithmetic,
        memory64,
        custom_page_sizes,
        exceptions,
        function_references,
    } = *features;
    // `MVP` is floats plus the GC *type* machinery every wasmparser version needs.
    let mut set = WasmFeatures::MVP;
    set.set(WasmFeatures::MUTABLE_GLOBAL, mutable_global);
    set.set(WasmFeatures::SIGN_EXTENSION, sign_extension);
    set.set(
        WasmFeatures::SATURATING_FLOAT_TO_INT,
        saturating_float_to_int,
    );
    set.set(WasmFeatures::MULTI_VALUE, multi_value);
    set.set(WasmFeatures::BULK_MEMORY, bulk_memory);
    set.set(WasmFeatures::REFERENCE_TYPES, reference_types);
    set.set(WasmFeatures::SIMD, simd);
    set.set(WasmFeatures::RELAXED_SIMD, relaxed_simd);
    set.set(WasmFeatures::TAIL_CALL, tail_call);
    set.set(WasmFeatures::EXTENDED_CONST, extended_const);
    set.set(WasmFeatures::MULTI_MEMORY, multi_memory);
    set.set(WasmFeatures::WIDE_ARITHMETIC, wide_arithmetic);
    set.set(WasmFeatures::MEMORY64, memory64);
    set.set(WasmFeatures::CUSTOM_PAGE_SIZES, custom_page_sizes);
    set.set(WasmFeatures::EXCEPTIONS, exceptions);
    set.set(WasmFeatures::FUNCTION_REFERENCES, function_references);
    set
}

/// wasmparser's verdict on `bytes` under `features`, as Wasm 3.0 has it.
///
/// wasmparser ties recursion groups and declared subtypes (`rec`, `sub`) to GC, Wasm 3.0
/// (and Wasmite, with typed function references) has them for function types too. So
/// with typed function references on, a module that uses no other part of GC
/// ([`uses_gc`](crate::smith::uses_gc)) is checked with wasmparser's GC on; any other
/// module without it, where it is refused alike by both.
pub fn wasmparser_verdict(
    bytes: &[u8],
    features: &Features,
) -> Result<wasmparser::types::Types, wasmparser::BinaryReaderError> {
    let mut set = wasmparser_features(features);
    if features.function_references && !crate::smith::uses_gc(bytes) {
        set.set(WasmFeatures::GC, true);
    }
    wasmparser::Validator::new_with_features(set).validate_all(bytes)
}

/// wasm-smith's default configuration, with the limits that gate a proposal raised to
/// what `features` allows: the default declares at most one table and one memory, so
/// without this the default configuration would never try several tables (reference
/// types) or several memories (multi-memory). [`restrict_smith`] still applies after it.
pub fn default_smith(features: &Features) -> wasm_smith::Config {
    let Features {
        mutable_global: _,
        sign_extension: _,
        saturating_float_to_int: _,
        multi_value: _,
        bulk_memory: _,
        reference_types,
        simd: _,
        relaxed_simd: _,
        tail_call: _,
        extended_const: _,
        multi_memory,
        wide_arithmetic: _,
        memory64: _,
        custom_page_sizes: _,
        exceptions: _,
        function_references: _,
    } = *features;
    let mut config = wasm_smith::Config::default();
    if reference_types {
        config.max_tables = SMITH_MAX_TABLES;
    }
    if multi_memory {
        config.max_memories = SMITH_MAX_MEMORIES;
    }
    config
}

/// Tables a module of [`default_smith`]'s configuration declares at most, with reference
/// types: enough for `table.copy` between tables and `call_indirect` on a table other
/// than 0.
pub const SMITH_MAX_TABLES: usize = 4;

/// Memories a module of [`default_smith`]'s configuration declares at most, with
/// multi-memory.
pub const SMITH_MAX_MEMORIES: usize = 4;

/// Restricts a wasm-smith configuration (typically a random "swarm" one) to `features`:
/// a proposal stays as the configuration chose only if `features` has it, and every
/// proposal Wasmite does not know is turned off.
pub fn restrict_smith(config: &mut wasm_smith::Config, features: &Features) {
    let Features {
        // wasm-smith has no switch for it: it may always import and export mutable
        // globals, which WebAssembly 1.0 allows.
        mutable_global: _,
        sign_extension,
        saturating_float_to_int,
        multi_value,
        bulk_memory,
        reference_types,
        simd,
        relaxed_simd,
        tail_call,
        extended_const,
        multi_memory,
        wide_arithmetic,
        memory64,
        custom_page_sizes,
        exceptions,
        // wasm-smith generates typed function references only as part of GC, which
        // stays off: with or without the flag, its modules use none.
        function_references: _,
    } = *features;
    config.sign_extension_ops_enabled &= sign_extension;
    config.saturating_float_to_int_enabled &= saturating_float_to_int;
    config.multi_value_enabled &= multi_value;
    config.bulk_memory_enabled &= bulk_memory;
    config.reference_types_enabled &= reference_types;
    config.simd_enabled &= simd;
    config.relaxed_simd_enabled &= relaxed_simd;
    config.tail_call_enabled &= tail_call;
    config.extended_const_enabled &= extended_const;
    config.wide_arithmetic_enabled &= wide_arithmetic;
    config.memory64_enabled &= memory64;
    config.custom_page_sizes_enabled &= custom_page_sizes;
    config.exceptions_enabled &= exceptions;
    if !multi_memory {
        config.max_memories = config.max_memories.min(1);
    }
    if !reference_types {
        config.max_tables = config.max_tables.min(1);
    }
    // Proposals Wasmite has no flag for.
    config.threads_enabled = false;
    config.gc_enabled = false;
    config.compact_imports_enabled = false;
    config.shared_everything_threads_enabled = false;
    config.acquire_release_atomics_enabled = false;
    config.multibyte_array_access_enabled = false;
    config.custom_descriptors_enabled = false;
}

/// A wasmi engine configuration accepting exactly the modules `features` allows.
pub fn wasmi_config(features: &Features) -> wasmi::Config {
    let Features {
        mutable_global,
        sign_extension,
        saturating_float_to_int,
        multi_value,
        bulk_memory,
        reference_types,
        simd,
        relaxed_simd,
        tail_call,
        extended_const,
        multi_memory,
        wide_arithmetic,
        memory64,
        custom_page_sizes,
        exceptions,
        function_references,
    } = *features;
    // wasmi 2.0 has no exception handling: the targets that run wasmi leave it out of
    // `FEATURES`.
    assert!(!exceptions, "wasmi has no exception handling");
    assert!(
        !function_references,
        "wasmi has no typed function references"
    );
    // wasmi's memory64 support is behind a crate feature that is not selected: the
    // targets leave memory64 out of `FEATURES`.
    assert!(!memory64, "wasmi is built without memory64");
    let mut config = wasmi::Config::default();
    config
        .wasm_mutable_global(mutable_global)
        .wasm_sign_extension(sign_extension)
        .wasm_saturating_float_to_int(saturating_float_to_int)
        .wasm_multi_value(multi_value)
        .wasm_bulk_memory(bulk_memory)
        .wasm_reference_types(reference_types)
        .wasm_simd(simd)
        .wasm_tail_call(tail_call)
        .wasm_extended_const(extended_const)
        .wasm_multi_memory(multi_memory)
        .wasm_relaxed_simd(relaxed_simd)
        .wasm_custom_page_sizes(custom_page_sizes)
        .wasm_wide_arithmetic(wide_arithmetic)
        // Translate every body at load time: a translation problem then shows as a load
        // error, not as a trap in the middle of a call.
        .compilation_mode(wasmi::CompilationMode::Eager);
    config
}

/// A Wasmtime engine configuration accepting exactly the modules `features` allows, and
/// running them deterministically and comparably with Wasmite: fuel metered (the harness
/// gives each store [`crate::exec::FUEL`]), relaxed SIMD's deterministic choices,
/// explicit bounds checks rather than signal handlers, and Cranelift's quickest
/// compilation.
pub fn wasmtime_config(features: &Features) -> wasmtime::Config {
    use wasmtime::WasmFeatures as W;
    let Features {
        mutable_global,
        sign_extension,
        saturating_float_to_int,
        multi_value,
        bulk_memory,
        reference_types,
        simd,
        relaxed_simd,
        tail_call,
        extended_const,
        multi_memory,
        wide_arithmetic,
        memory64,
        custom_page_sizes,
        exceptions,
        function_references,
    } = *features;
    let mut config = wasmtime::Config::new();
    config
        .wasm_features(W::MUTABLE_GLOBAL, mutable_global)
        .wasm_features(W::SIGN_EXTENSION, sign_extension)
        .wasm_features(W::SATURATING_FLOAT_TO_INT, saturating_float_to_int)
        .wasm_multi_value(multi_value)
        .wasm_bulk_memory(bulk_memory)
        .wasm_reference_types(reference_types)
        .wasm_simd(simd)
        .wasm_relaxed_simd(relaxed_simd)
        .wasm_tail_call(tail_call)
        .wasm_extended_const(extended_const)
        .wasm_multi_memory(multi_memory)
        .wasm_wide_arithmetic(wide_arithmetic)
        .wasm_memory64(memory64)
        .wasm_custom_page_sizes(custom_page_sizes)
        .wasm_exceptions(exceptions)
        .wasm_function_references(function_references)
        // Wasmtime ties recursion groups and subtypes to GC, as wasmparser does; the
        // modules that run on it use no other part of GC (`wasmparser_verdict`).
        .wasm_gc(function_references)
        // Proposals Wasmite has no flag for (some on by default in Wasmtime).
        .wasm_features(W::THREADS, false)
        .wasm_features(W::STACK_SWITCHING, false)
        .wasm_features(W::LEGACY_EXCEPTIONS, false)
        .wasm_features(W::SHARED_EVERYTHING_THREADS, false)
        // Each relaxed SIMD instruction as the spec's deterministic profile has it,
        // whatever the host: Wasmite's choices are fixed too.
        .relaxed_simd_deterministic(true)
        .consume_fuel(true)
        // Explicit bounds and divisor checks instead of guard pages and signal handlers,
        // which would compete with libFuzzer's and the sanitizers' handlers; and small
        // reservations: `exec_diff`'s memories are at most a few pages.
        .signals_based_traps(false)
        .memory_reservation(1 << 20)
        .memory_guard_size(0)
        .memory_reservation_for_growth(0)
        // Modules are compiled once and run briefly: compile them quickly.
        .cranelift_opt_level(wasmtime::OptLevel::None);
    config
}
