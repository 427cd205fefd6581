//! Wasmite facade.
