//! `wasm-validate`: the WebAssembly validation rules (spec chapter 3 and the
//! validation-algorithm appendix) over `wasm-core`'s decoded [`Module`].
//!
//! * [`validate`] checks a whole module: types, imports, limits, constant expressions,
//!   segments, start function, exports, and every function body.
//! * [`validate_bytes`] decodes and validates in one call.
//! * [`validate_visiting`] validates and hands each body's operators to a
//!   [`BodyVisitor`] (a translator) in the same pass.
//! * [`FuncValidator`] validates one function body operator by operator, so that the
//!   engine's translator can validate and translate in a single pass while keeping the
//!   two independent: it calls [`FuncValidator::op`] before lowering each operator and
//!   reads the validator's view of the stacks ([`FuncValidator::frame`],
//!   [`FuncValidator::operand_height`], [`FuncValidator::is_unreachable`]).
//!
//! Which proposals are accepted is chosen with [`Features`]; [`Features::mvp`] is
//! WebAssembly 1.0. Errors are one [`ValidationError`] type whose message contains the
//! spec test suite's wording (`"type mismatch"`, `"unknown local"`, ...).
//!
//! **This crate knows nothing of the runtime or the engine**; it depends on `wasm-core`
//! alone and reads code with the `wasmparser` operator reader `wasm-core` re-exports.
//!
//! ```
//! use wasm_validate::{Features, validate_bytes};
//!
//! let features = Features::mvp();
//! let good = wat::parse_str(
//!     r#"(module (func (export "add") (param i32 i32) (result i32)
//!          local.get 0 local.get 1 i32.add))"#,
//! )
//! .unwrap();
//! let module = validate_bytes(&good, &features).unwrap();
//! assert_eq!(module.exports[0].name, "add");
//!
//! // `i32.add` of an i32 and an f32 is rejected.
//! let bad = wat::parse_str(
//!     "(module (func (result i32) i32.const 1 f32.const 2 i32.add))",
//! )
//! .unwrap();
//! let error = validate_bytes(&bad, &features).unwrap_err();
//! assert!(error.to_string().contains("type mismatch"), "{error}");
//! ```
#![deny(missing_docs)]
#![no_std]

// Only `validate_visiting_parallel` (with `std`) builds vectors here.
#[cfg(feature = "std")]
use crate::prelude::*;

extern crate alloc;
#[cfg(feature = "std")]
extern crate std;

/// What `std`'s prelude would bring, from `alloc` (the crate builds without `std`).
mod prelude {
    pub(crate) use wasm_core::prelude::*;
}

mod drive;
mod error;
mod features;
mod func;
mod module;
mod operators;

pub use error::{Error, ValidationError};
pub use features::Features;
pub use func::{
    ControlFrame, FrameKind, FuncValidator, FuncValidatorAllocations, validate_function,
};

use wasm_core::Module;
use wasm_core::wasmparser::Operator;

/// Validates a decoded module: the module-level rules, then every function body.
///
/// When the module is both invalid and malformed (code that does not follow the binary
/// format), the binary-format error is reported, as the spec decodes before it validates.
pub fn validate(module: &Module, features: &Features) -> Result<(), ValidationError> {
    validate_visiting(module, features, &mut NoVisitor).map_err(VisitError::into_invalid)
}

/// Receives every function body's operators as they are validated, so that a
/// translator works in the same pass as the validator (the code is read once) while
/// the two stay independent. [`BodyVisitor::op`] sees an operator only after the
/// validator accepted it.
pub trait BodyVisitor {
    /// What the visitor reports when it gives up.
    type Error;
    /// The body of defined function `func_index` (absolute index, imports first) starts.
    fn begin(&mut self, func_index: u32) -> Result<(), Self::Error>;
    /// The next operator of the body (at byte `offset`), already validated.
    fn op(&mut self, offset: usize, op: &Operator<'_>) -> Result<(), Self::Error>;
    /// The body ended and is valid.
    fn end(&mut self) -> Result<(), Self::Error>;
}

/// Why [`validate_visiting`] failed.
#[derive(Debug)]
pub enum VisitError<E> {
    /// The module is not valid (or malformed).
    Invalid(ValidationError),
    /// The visitor gave up.
    Visitor(E),
}

impl VisitError<core::convert::Infallible> {
    /// The validation error of a visitor that cannot fail.
    pub fn into_invalid(self) -> ValidationError {
        match self {
            VisitError::Invalid(e) => e,
            VisitError::Visitor(never) => match never {},
        }
    }
}

/// [`validate`], handing every body's validated operators to `visitor` in the same pass.
pub fn validate_visiting<V: BodyVisitor>(
    module: &Module,
    features: &Features,
    visitor: &mut V,
) -> Result<(), VisitError<V::Error>> {
    let first = module.num_imported_functions();
    let result = module::validate_module(module, features)
        .map_err(VisitError::Invalid)
        .and_then(|()| {
            let mut allocations = FuncValidatorAllocations::default();
            for defined in 0..module.bodies.len() as u32 {
                allocations = func::validate_function_with(
                    module,
                    features,
                    first + defined,
                    allocations,
                    visitor,
                )?;
            }
            Ok(())
        });
    match result {
        Err(VisitError::Invalid(e)) => Err(VisitError::Invalid(malformed_first(module, e))),
        other => other,
    }
}

/// The error to report for a module found invalid with `e`: a binary-format error in any
/// body comes first, as the spec decodes before it validates.
fn malformed_first(module: &Module, e: ValidationError) -> ValidationError {
    if e.is_malformed() {
        return e;
    }
    let first = module.num_imported_functions();
    (0..module.bodies.len() as u32)
        .find_map(|defined| func::malformed_in_body(module, first + defined))
        .unwrap_or(e)
}

/// [`validate_visiting`] on up to `threads` threads: the bodies are split into as many
/// contiguous runs, each validated on its own thread with its own visitor from
/// `make_visitor`; the visitors come back in the order of their runs. The verdict is
/// [`validate_visiting`]'s: the error of the first invalid body in module order (a
/// binary-format error in any body first, as there).
///
/// Worth it for large modules only: a thread costs tens of microseconds to start. Needs
/// the `std` feature (threads).
#[cfg(feature = "std")]
pub fn validate_visiting_parallel<V, F>(
    module: &Module,
    features: &Features,
    threads: usize,
    make_visitor: F,
) -> Result<Vec<V>, VisitError<V::Error>>
where
    V: BodyVisitor + Send,
    V::Error: Send,
    F: Fn() -> V + Sync,
{
    let first = module.num_imported_functions();
    let bodies = module.bodies.len() as u32;
    if let Err(e) = module::validate_module(module, features) {
        return Err(VisitError::Invalid(malformed_first(module, e)));
    }
    if bodies == 0 {
        return Ok(vec![make_visitor()]);
    }
    let runs = (threads.max(1) as u32).min(bodies);
    // Runs of about equal code size, so that the threads finish together.
    let total: usize = module.bodies.iter().map(|b| b.code.len()).sum();
    let mut bounds = vec![0u32];
    let mut size = 0usize;
    for (i, body) in module.bodies.iter().enumerate() {
        size += body.code.len();
        if bounds.len() < runs as usize && size * (runs as usize) >= total * bounds.len() {
            bounds.push(i as u32 + 1);
        }
    }
    bounds.push(bodies);
    bounds.dedup();
    let run = |range: core::ops::Range<u32>| -> Result<V, VisitError<V::Error>> {
        let mut visitor = make_visitor();
        let mut allocations = FuncValidatorAllocations::default();
        for defined in range {
            allocations = func::validate_function_with(
                module,
                features,
                first + defined,
                allocations,
                &mut visitor,
            )?;
        }
        Ok(visitor)
    };
    let results: Vec<Result<V, VisitError<V::Error>>> = std::thread::scope(|scope| {
        // A run whose thread the system refuses (a process or cgroup limit) is validated
        // on this thread instead. Workers get the main thread's usual stack size.
        let handles: Vec<_> = bounds
            .windows(2)
            .skip(1)
            .map(|w| {
                let (start, end) = (w[0], w[1]);
                std::thread::Builder::new()
                    .stack_size(8 << 20)
                    .spawn_scoped(scope, move || run(start..end))
                    .map_err(|_| start..end)
            })
            .collect();
        let mut results = vec![run(bounds[0]..bounds[1])];
        results.extend(handles.into_iter().map(|handle| match handle {
            Ok(handle) => match handle.join() {
                Ok(result) => result,
                Err(panic) => std::panic::resume_unwind(panic),
            },
            Err(range) => run(range),
        }));
        results
    });
    let mut visitors = Vec::with_capacity(results.len());
    for result in results {
        match result {
            Ok(visitor) => visitors.push(visitor),
            Err(VisitError::Invalid(e)) => {
                return Err(VisitError::Invalid(malformed_first(module, e)));
            }
            Err(e) => return Err(e),
        }
    }
    Ok(visitors)
}

/// Validates the module-level rules only: everything [`validate`] checks except the
/// function bodies. With [`validate_function_visiting`] run on every body later (as an
/// engine validating each function at its first call does), the verdict is
/// [`validate`]'s, found body by body.
pub fn validate_module_only(module: &Module, features: &Features) -> Result<(), ValidationError> {
    module::validate_module(module, features)
}

/// Validates the body of defined function `func_index` (absolute index, imports first),
/// handing its validated operators to `visitor`; the module-level rules are assumed to
/// hold ([`validate_module_only`]).
pub fn validate_function_visiting<V: BodyVisitor>(
    module: &Module,
    features: &Features,
    func_index: u32,
    visitor: &mut V,
) -> Result<(), VisitError<V::Error>> {
    func::validate_function_with(
        module,
        features,
        func_index,
        FuncValidatorAllocations::default(),
        visitor,
    )
    .map(drop)
}

/// The visitor of plain validation.
pub(crate) struct NoVisitor;

impl BodyVisitor for NoVisitor {
    type Error = core::convert::Infallible;
    #[inline(always)]
    fn begin(&mut self, _: u32) -> Result<(), Self::Error> {
        Ok(())
    }
    #[inline(always)]
    fn op(&mut self, _: usize, _: &Operator<'_>) -> Result<(), Self::Error> {
        Ok(())
    }
    #[inline(always)]
    fn end(&mut self) -> Result<(), Self::Error> {
        Ok(())
    }
}

/// Decodes `bytes` with [`wasm_core::decode_with`] (the encodings of `features`) and
/// validates the result.
pub fn validate_bytes(bytes: &[u8], features: &Features) -> Result<Module, Error> {
    let module = wasm_core::decode_with(bytes, features.decoding())?;
    validate(&module, features)?;
    Ok(module)
}

#[cfg(test)]
mod tests;
