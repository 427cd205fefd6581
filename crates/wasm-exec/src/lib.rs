//! Wasmite's interpreter engine: translation of function bodies into a compact instruction stream and its execution.
