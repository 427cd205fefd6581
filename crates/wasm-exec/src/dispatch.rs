//! Running translated code: two drivers with one interface, chosen by
//! `cfg(wasmite_threaded)` (see `build.rs`), both running the instruction bodies that the
//! list generates (`isa/bodies.rs`).
//!
//! * `portable.rs`: a `match` loop over one function's instructions; it stops at every
//!   call and return, which the engine carries out.
//! * `threaded.rs` (optimised x86_64/aarch64 builds): handlers chained by sibling calls,
//!   making calls within a module itself.
//!
//! Each driver offers the same items: `SideTable` (what it prepares of a module's
//! functions, owned by the engine's module code), `ChainState` (buffers kept between runs),
//! `Ctx` (one run) and `run`, which runs until the code stops ([`Stop`]) or traps.
//! `shared.rs` holds what the drivers and the engine share, `host.rs` a run's host
//! functions and memory ([`Host`]).

mod host;
#[cfg(not(wasmite_threaded))]
mod portable;
mod shared;
#[cfg(wasmite_threaded)]
mod threaded;

pub(crate) use host::{Host, HostTrap};
#[cfg(not(wasmite_threaded))]
pub(crate) use portable::{ChainState, Ctx, SideTable, run};
pub(crate) use shared::{Limits, MAX_VALUE_CELLS, Stop, has_type, indirect_callee};
#[cfg(wasmite_threaded)]
pub(crate) use threaded::{ChainState, Ctx, SideTable, run};
