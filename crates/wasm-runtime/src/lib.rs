//! Wasmite's runtime structures: memories, tables, globals, functions, module instances and import resolution.
