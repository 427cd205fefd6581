//! The semantics of the SIMD proposal's lane operations (and relaxed SIMD's), as pure
//! functions on [`V128`] values: what the list's SIMD instructions call.

#![allow(dead_code)]

use wasm_core::V128;
