//! Wasmite's validator: the spec's validation rules over wasm-core's module representation, usable on its own.
