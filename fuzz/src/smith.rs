//! Module generation with wasm-smith, from the fuzzer's bytes.

use arbitrary::{Arbitrary, Result, Unstructured};
use wasm_smith::{Config, InstructionKind, InstructionKinds};
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
    // With typed function references, a quarter of the modules are generated with GC and
    // lowered ([`lower_gc`]): recursion groups, declared subtypes and the typed-reference
    // instructions come only that way.
    let gc = features.function_references && u.ratio(1, 4)?;
    if gc {
        with_gc(&mut config);
    }
    let module = wasm_smith::Module::new(config, u)?;
    let mut bytes = module.to_bytes();
    if gc {
        bytes = lower_gc(&bytes)?;
    }
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
/// differential execution: arithmetic NaNs canonicalised (relaxed SIMD's too,
/// [`canonicalize_relaxed_nans`]), no imports, memories (32- or 64-bit) of at most
/// [`EXEC_MAX_MEMORY_PAGES`] and tables of at most [`EXEC_MAX_TABLE_ELEMENTS`], both
/// with a maximum, and wasm-smith's fuel (a global decremented at every loop head and
/// function entry, trapping with `unreachable` at zero) of at most [`EXEC_MAX_FUEL`].
/// With typed function references in `features`, half of the modules are generated with
/// GC and brought within `features` by [`lower_gc`] (the caller skips what stays
/// invalid).
pub fn terminating_module(u: &mut Unstructured<'_>, features: &Features) -> Result<Vec<u8>> {
    let mut config = if u.arbitrary()? {
        Config::arbitrary(u)?
    } else {
        let mut config = default_smith(features);
        // wasm-smith's default has no 64-bit memories or tables.
        config.memory64_enabled = features.memory64;
        config
    };
    restrict_smith(&mut config, features);
    config.max_imports = 0;
    config.max_memory32_bytes = config.max_memory32_bytes.min(EXEC_MAX_MEMORY_PAGES * 65536);
    config.max_memory64_bytes = config
        .max_memory64_bytes
        .min(u128::from(EXEC_MAX_MEMORY_PAGES * 65536));
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
    // Typed function references: wasm-smith generates them only with GC (see
    // [`lower_gc`]), the input's choice half of the time where `features` has them.
    let gc = features.function_references && u.arbitrary()?;
    if gc {
        with_gc(&mut config);
    }
    // For the wider feature set (Wasmtime's, in `exec_diff`), at least one type and one
    // function, and with exception handling at least one tag: short inputs otherwise
    // make mostly modules without code, where exceptions and typed references never
    // show (measured on a 15-minute corpus: a sixth had code before, most after).
    if features.exceptions || features.function_references {
        config.min_types = config.min_types.max(1);
        config.max_types = config.max_types.max(config.min_types);
        config.min_funcs = config.min_funcs.max(1);
        config.max_funcs = config.max_funcs.max(config.min_funcs);
        if features.exceptions {
            config.exceptions_enabled = true;
            config.min_tags = config.min_tags.max(1);
            config.max_tags = config.max_tags.max(config.min_tags);
        }
    }
    let mut module = wasm_smith::Module::new(config, u)?;
    let fuel = u.int_in_range(1..=EXEC_MAX_FUEL)?;
    module
        .ensure_termination(fuel)
        .map_err(|_| arbitrary::Error::IncorrectFormat)?;
    let bytes = module.to_bytes();
    let bytes = if gc { lower_gc(&bytes)? } else { bytes };
    canonicalize_relaxed_nans(&bytes)
}

/// Turns on wasm-smith's GC for a module [`lower_gc`] will lower, without the
/// instructions it has no equivalent for.
fn with_gc(config: &mut Config) {
    config.gc_enabled = true;
    config.reference_types_enabled = true;
    // With GC a recursion group holds up to `max_types` types, mostly structs and
    // arrays, which would take most of a short input's bytes before any code.
    config.max_types = config.max_types.min(GC_MAX_TYPES);
    config.allowed_instructions = without_aggregates(config.allowed_instructions);
}

/// Types a module generated with GC ([`with_gc`]) declares at most. Measured on
/// an `exec_diff` corpus (inputs of about 300 bytes): with at most 16 types, modules
/// generated with GC have three to four times the instructions, and six times the
/// typed-reference instructions, of uncapped ones (swarm configurations allow up to
/// 1000 types).
const GC_MAX_TYPES: usize = 16;

/// `kinds` without wasm-smith's `Aggregate` instructions (`struct.*`, `array.*`,
/// `ref.i31`, `i31.get_*`, `any.convert_extern`, `extern.convert_any`): GC's, which
/// [`lower_gc`] has no equivalent for.
fn without_aggregates(kinds: InstructionKinds) -> InstructionKinds {
    use InstructionKind as K;
    let kept: Vec<InstructionKind> = [
        K::NumericInt,
        K::Numeric,
        K::VectorInt,
        K::Vector,
        K::Reference,
        K::Parametric,
        K::Variable,
        K::Table,
        K::MemoryInt,
        K::Memory,
        K::Control,
    ]
    .into_iter()
    .filter(|&kind| kinds.contains(kind))
    .collect();
    InstructionKinds::new(&kept)
}

/// A module wasm-smith generated with GC, brought within typed function references
/// (Wasm 3.0's type system without GC's types), for the engines that run those.
///
/// wasm-smith generates `call_ref`, `return_call_ref`, `ref.as_non_null`, `br_on_null`,
/// `br_on_non_null` and `(ref $t)` types only with GC on, and then nearly every module
/// also has a GC type (a recursion group, a non-final type, a struct or array type, an
/// `anyref`...): almost none would pass a validator without GC. This pass rewrites
/// such a module into one of the same shape without GC, which need not compute what the
/// original computes (it is a new test module), only be valid more often:
///
/// * the recursion groups and declared supertypes stay (Wasm 3.0 has them for function
///   types too, and Wasmite builds them); a struct or array type becomes `(func)`,
///   keeping its place, finality and supertype;
/// * the `any` hierarchy (`any`, `eq`, `i31`, `struct`, `array`, `none`, the struct and
///   array types) and `noextern` become `extern`, `nofunc` becomes `func` (`noexn` is
///   exception handling's and stays): subtyping within each hierarchy still holds after
///   collapsing it, except
///   that `nofunc` matched every function type, so a `(ref null nofunc)` passed where a
///   typed reference is expected makes the module invalid (and skipped);
/// * GC's reference instructions become ones of the same type: `ref.eq` and `ref.test`
///   drop their operands and give 0; `ref.cast` drops its operand and gives a null of the
///   target type (`ref.as_non_null` of it, a null reference trap, when the target is
///   not nullable); `br_on_cast` never branches (`ref.as_non_null` when a null would
///   have branched); `br_on_cast_fail` drops its operand and traps (`unreachable`).
///
/// The caller validates the result: what this pass cannot lower stays, and is rejected.
pub fn lower_gc(bytes: &[u8]) -> Result<Vec<u8>> {
    let (bytes, _) = reencode_gc(bytes).ok_or(INCORRECT)?;
    Ok(bytes)
}

/// Whether `bytes` uses a part of GC other than recursion groups and declared subtypes
/// of function types: a struct or array type, one of GC's abstract heap types (`any`,
/// `eq`, `i31`, `struct`, `array`, `none`, `nofunc`, `noextern`), or one of its
/// instructions (`struct.*`, `array.*`, `ref.test`, `ref.cast`, `br_on_cast`...), or a
/// shared or descriptor type. A module it cannot read counts as using GC.
///
/// A module without such parts is valid under Wasm 3.0 exactly when wasmparser with GC
/// accepts it, which is the verdict to compare Wasmite's with (typed function
/// references on): wasmparser without GC refuses every `rec` and `sub`.
pub fn uses_gc(bytes: &[u8]) -> bool {
    reencode_gc(bytes).is_none_or(|(_, used)| used)
}

/// [`lower_gc`]'s re-encoding, and whether it met a part of GC ([`uses_gc`]).
fn reencode_gc(bytes: &[u8]) -> Option<(Vec<u8>, bool)> {
    use wasm_encoder::reencode::Reencode;
    let mut aggregates = Vec::new();
    for payload in wasmparser::Parser::new(0).parse_all(bytes) {
        if let wasmparser::Payload::TypeSection(reader) = payload.ok()? {
            for group in reader {
                for ty in group.ok()?.into_types() {
                    let func = matches!(
                        ty.composite_type.inner,
                        wasmparser::CompositeInnerType::Func(_)
                    );
                    aggregates.push(!func);
                }
            }
        }
    }
    let mut module = wasm_encoder::Module::new();
    let mut lowering = GcLowering {
        aggregates,
        used_gc: false,
    };
    lowering
        .parse_core_module(&mut module, wasmparser::Parser::new(0), bytes)
        .ok()?;
    Some((module.finish(), lowering.used_gc))
}

/// Whether `operator` is one of the GC proposal's.
fn is_gc_operator(operator: &wasmparser::Operator<'_>) -> bool {
    macro_rules! gc_operators {
        ($( @$proposal:ident $op:ident $({ $($arg:ident: $argty:ty),* })? => $visit:ident ($($ann:tt)*))*) => {
            match operator {
                $(
                    wasmparser::Operator::$op { .. } => gc_operators!(@is $proposal),
                )*
                _ => false,
            }
        };
        (@is gc) => { true };
        (@is $proposal:ident) => { false };
    }
    wasmparser::for_each_operator!(gc_operators)
}

/// The error of a module the generator's passes cannot read or write.
const INCORRECT: arbitrary::Error = arbitrary::Error::IncorrectFormat;

/// [`lower_gc`]'s re-encoder.
struct GcLowering {
    /// Whether each type of the module is a struct or array type.
    aggregates: Vec<bool>,
    /// Whether it has met a part of GC ([`uses_gc`]).
    used_gc: bool,
}

impl wasm_encoder::reencode::Reencode for GcLowering {
    type Error = std::convert::Infallible;

    fn parse_type_section(
        &mut self,
        types: &mut wasm_encoder::TypeSection,
        section: wasmparser::TypeSectionReader<'_>,
    ) -> std::result::Result<(), wasm_encoder::reencode::Error<Self::Error>> {
        // The same groups and declarations, in the same order: the indices stay.
        for group in section {
            let group = group?;
            let rec = group.is_explicit_rec_group();
            let mut subs = Vec::new();
            for ty in group.into_types() {
                let composite = &ty.composite_type;
                self.used_gc |= composite.shared
                    || composite.descriptor_idx.is_some()
                    || composite.describes_idx.is_some();
                let func = match &ty.composite_type.inner {
                    wasmparser::CompositeInnerType::Func(func) => self.func_type(func.clone())?,
                    _ => {
                        self.used_gc = true;
                        wasm_encoder::FuncType::new([], [])
                    }
                };
                let supertype_idxs = ty
                    .supertype_idxs
                    .iter()
                    .map(|index| self.type_index_unpacked(index.unpack()))
                    .collect::<std::result::Result<Vec<_>, _>>()?;
                subs.push(wasm_encoder::SubType {
                    is_final: ty.is_final,
                    supertype_idxs,
                    composite_type: wasm_encoder::CompositeType {
                        inner: wasm_encoder::CompositeInnerType::Func(func),
                        shared: false,
                        descriptor: None,
                        describes: None,
                    },
                });
            }
            if rec {
                types.ty().rec(subs);
            } else if let Some(sub) = subs.first() {
                types.ty().subtype(sub);
            }
        }
        Ok(())
    }

    fn instruction<'a>(
        &mut self,
        operator: wasmparser::Operator<'a>,
    ) -> std::result::Result<
        wasm_encoder::Instruction<'a>,
        wasm_encoder::reencode::Error<Self::Error>,
    > {
        self.used_gc |= is_gc_operator(&operator);
        wasm_encoder::reencode::utils::instruction(self, operator)
    }

    fn heap_type(
        &mut self,
        heap_type: wasmparser::HeapType,
    ) -> std::result::Result<wasm_encoder::HeapType, wasm_encoder::reencode::Error<Self::Error>>
    {
        use wasm_encoder::AbstractHeapType as A;
        use wasmparser::AbstractHeapType as P;
        let ty = match heap_type {
            wasmparser::HeapType::Concrete(index) => {
                let aggregate = index
                    .as_module_index()
                    .is_some_and(|i| self.aggregates.get(i as usize) == Some(&true));
                if !aggregate {
                    return wasm_encoder::reencode::utils::heap_type(self, heap_type);
                }
                self.used_gc = true;
                A::Extern
            }
            wasmparser::HeapType::Abstract { ty, shared } => {
                self.used_gc |= shared
                    || !matches!(
                        ty,
                        P::Func | P::Extern | P::Exn | P::NoExn | P::Cont | P::NoCont
                    );
                match ty {
                    P::Func | P::NoFunc => A::Func,
                    P::Exn => A::Exn,
                    P::NoExn => A::NoExn,
                    P::Extern
                    | P::NoExtern
                    | P::Any
                    | P::Eq
                    | P::I31
                    | P::Struct
                    | P::Array
                    | P::None => A::Extern,
                    // Stack switching stays off: left as it is, for validation to reject.
                    P::Cont | P::NoCont => {
                        return wasm_encoder::reencode::utils::heap_type(self, heap_type);
                    }
                }
            }
            wasmparser::HeapType::Exact(_) => {
                self.used_gc = true;
                return wasm_encoder::reencode::utils::heap_type(self, heap_type);
            }
        };
        Ok(wasm_encoder::HeapType::Abstract { shared: false, ty })
    }

    fn parse_function_body(
        &mut self,
        code: &mut wasm_encoder::CodeSection,
        func: wasmparser::FunctionBody<'_>,
    ) -> std::result::Result<(), wasm_encoder::reencode::Error<Self::Error>> {
        use wasm_encoder::Instruction as I;
        use wasmparser::Operator as O;
        let mut function = self.new_function_with_parsed_locals(&func)?;
        let mut reader = func.get_operators_reader()?;
        while !reader.eof() {
            let operator = reader.read()?;
            self.used_gc |= is_gc_operator(&operator);
            match operator {
                O::RefEq => {
                    function
                        .instruction(&I::Drop)
                        .instruction(&I::Drop)
                        .instruction(&I::I32Const(0));
                }
                O::RefTestNonNull { .. } | O::RefTestNullable { .. } => {
                    function.instruction(&I::Drop).instruction(&I::I32Const(0));
                }
                O::RefCastNullable { hty } => {
                    let null = I::RefNull(self.heap_type(hty)?);
                    function.instruction(&I::Drop).instruction(&null);
                }
                O::RefCastNonNull { hty } => {
                    let null = I::RefNull(self.heap_type(hty)?);
                    function
                        .instruction(&I::Drop)
                        .instruction(&null)
                        .instruction(&I::RefAsNonNull);
                }
                O::BrOnCast { to_ref_type, .. } => {
                    if to_ref_type.is_nullable() {
                        function.instruction(&I::RefAsNonNull);
                    }
                }
                O::BrOnCastFail { .. } => {
                    function.instruction(&I::Drop).instruction(&I::Unreachable);
                }
                operator => {
                    function.instruction(&self.instruction(operator)?);
                }
            }
        }
        code.function(&function);
        Ok(())
    }
}

/// Which of the proposals only Wasmtime runs (in `exec_diff`) a module uses.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Proposals {
    /// `throw`, `throw_ref` or `try_table`.
    pub exceptions: bool,
    /// `call_ref`, `return_call_ref`, `ref.as_non_null`, `br_on_null` or `br_on_non_null`.
    pub typed_references: bool,
    /// A 64-bit memory or table.
    pub memory64: bool,
    /// A recursion group (`rec`) or a declared subtype (`sub`, not final or with a
    /// supertype).
    pub subtypes: bool,
}

/// The proposals of [`Proposals`] that `bytes` uses (as far as it reads: a module that
/// does not is counted as far as it does).
pub fn proposals_used(bytes: &[u8]) -> Proposals {
    use wasmparser::{Operator as O, Payload};
    let mut used = Proposals::default();
    for payload in wasmparser::Parser::new(0).parse_all(bytes) {
        match payload {
            Ok(Payload::TypeSection(reader)) => {
                used.subtypes |= reader.into_iter().flatten().any(|group| {
                    group.is_explicit_rec_group()
                        || group
                            .types()
                            .any(|ty| !ty.is_final || !ty.supertype_idxs.is_empty())
                });
            }
            Ok(Payload::MemorySection(reader)) => {
                used.memory64 |= reader.into_iter().flatten().any(|memory| memory.memory64);
            }
            Ok(Payload::TableSection(reader)) => {
                used.memory64 |= reader.into_iter().flatten().any(|table| table.ty.table64);
            }
            Ok(Payload::CodeSectionEntry(body)) => {
                let Ok(reader) = body.get_operators_reader() else {
                    continue;
                };
                for operator in reader.into_iter().map_while(|operator| operator.ok()) {
                    match operator {
                        O::Throw { .. } | O::ThrowRef | O::TryTable { .. } => {
                            used.exceptions = true;
                        }
                        O::CallRef { .. }
                        | O::ReturnCallRef { .. }
                        | O::RefAsNonNull
                        | O::BrOnNull { .. }
                        | O::BrOnNonNull { .. } => used.typed_references = true,
                        _ => {}
                    }
                }
            }
            _ => {}
        }
    }
    used
}

/// `bytes` with a canonical NaN after every relaxed SIMD float operation, as wasm-smith's
/// `canonicalize_nans` does after the other arithmetic float operations: its list
/// (Cranelift's) has no relaxed SIMD.
///
/// `f32x4.relaxed_{madd,nmadd,min,max}` and their `f64x2` forms give a NaN lane
/// whenever an operand lane is NaN, and its payload may vary like any arithmetic NaN's:
/// for `f64x2.relaxed_max` of two NaNs Wasmite and wasmi keep different operands'
/// payloads, both allowed, and a store makes that visible. As wasm-smith does, the
/// result goes through a new `v128` local: `(v128.bitselect r nan (fNxM.eq r r))`, so a
/// NaN lane becomes the canonical NaN and every other lane is kept. A module without
/// such an operation is returned unchanged.
pub fn canonicalize_relaxed_nans(bytes: &[u8]) -> Result<Vec<u8>> {
    use wasm_encoder::reencode::Reencode;
    let mut bodies = Vec::new();
    let mut params = Vec::new();
    let mut types = Vec::new();
    for payload in wasmparser::Parser::new(0).parse_all(bytes) {
        match payload.map_err(|_| arbitrary::Error::IncorrectFormat)? {
            wasmparser::Payload::TypeSection(reader) => {
                for group in reader {
                    let group = group.map_err(|_| arbitrary::Error::IncorrectFormat)?;
                    for ty in group.into_types() {
                        // Only a function type's parameters are asked for.
                        let params = match &ty.composite_type.inner {
                            wasmparser::CompositeInnerType::Func(func) => func.params().len(),
                            _ => 0,
                        };
                        types.push(params as u32);
                    }
                }
            }
            wasmparser::Payload::FunctionSection(reader) => {
                for ty in reader {
                    let ty = ty.map_err(|_| arbitrary::Error::IncorrectFormat)?;
                    params.push(types[ty as usize]);
                }
            }
            wasmparser::Payload::CodeSectionEntry(body) => {
                bodies.push(has_relaxed_float(&body));
            }
            _ => {}
        }
    }
    if !bodies.contains(&true) {
        return Ok(bytes.to_vec());
    }
    let mut reencoder = RelaxedNans {
        params,
        bodies,
        next: 0,
    };
    let mut module = wasm_encoder::Module::new();
    reencoder
        .parse_core_module(&mut module, wasmparser::Parser::new(0), bytes)
        .map_err(|_| arbitrary::Error::IncorrectFormat)?;
    Ok(module.finish())
}

/// The float shape of a relaxed SIMD operation whose NaN results may vary.
#[derive(Clone, Copy)]
enum Shape {
    F32x4,
    F64x2,
}

fn relaxed_float_shape(operator: &wasmparser::Operator<'_>) -> Option<Shape> {
    use wasmparser::Operator as O;
    match operator {
        O::F32x4RelaxedMadd | O::F32x4RelaxedNmadd | O::F32x4RelaxedMin | O::F32x4RelaxedMax => {
            Some(Shape::F32x4)
        }
        O::F64x2RelaxedMadd | O::F64x2RelaxedNmadd | O::F64x2RelaxedMin | O::F64x2RelaxedMax => {
            Some(Shape::F64x2)
        }
        _ => None,
    }
}

/// Whether `body` has a relaxed float operation (an unreadable body has none: wasm-smith's
/// are readable).
fn has_relaxed_float(body: &wasmparser::FunctionBody<'_>) -> bool {
    body.get_operators_reader().is_ok_and(|reader| {
        reader
            .into_iter()
            .map_while(|operator| operator.ok())
            .any(|operator| relaxed_float_shape(&operator).is_some())
    })
}

/// [`canonicalize_relaxed_nans`]'s re-encoder: everything as it was, except the bodies
/// with a relaxed float operation, which get a scratch `v128` local and the
/// canonicalisation after each such operation.
struct RelaxedNans {
    /// Each defined function's number of parameters, in order.
    params: Vec<u32>,
    /// Whether each body has a relaxed float operation, in order.
    bodies: Vec<bool>,
    /// The index of the next body.
    next: usize,
}

impl wasm_encoder::reencode::Reencode for RelaxedNans {
    type Error = std::convert::Infallible;

    fn parse_function_body(
        &mut self,
        code: &mut wasm_encoder::CodeSection,
        func: wasmparser::FunctionBody<'_>,
    ) -> std::result::Result<(), wasm_encoder::reencode::Error<Self::Error>> {
        use wasm_encoder::Instruction as I;
        let index = self.next;
        self.next += 1;
        if !self.bodies[index] {
            return wasm_encoder::reencode::utils::parse_function_body(self, code, func);
        }
        let mut locals = Vec::new();
        let mut scratch = self.params[index];
        for pair in func.get_locals_reader()? {
            let (count, ty) = pair?;
            scratch += count;
            locals.push((count, self.val_type(ty)?));
        }
        locals.push((1, wasm_encoder::ValType::V128));
        let mut function = wasm_encoder::Function::new(locals);
        let mut reader = func.get_operators_reader()?;
        while !reader.eof() {
            let operator = reader.read()?;
            let shape = relaxed_float_shape(&operator);
            function.instruction(&self.instruction(operator)?);
            let Some(shape) = shape else {
                continue;
            };
            // The canonical NaN in every lane of the shape.
            let (nan, eq) = match shape {
                Shape::F32x4 => {
                    let nan = 0x7fc0_0000_i128;
                    (nan | nan << 32 | nan << 64 | nan << 96, I::F32x4Eq)
                }
                Shape::F64x2 => {
                    let nan = 0x7ff8_0000_0000_0000_i128;
                    (nan | nan << 64, I::F64x2Eq)
                }
            };
            function
                .instruction(&I::LocalTee(scratch))
                .instruction(&I::V128Const(nan))
                .instruction(&I::LocalGet(scratch))
                .instruction(&I::LocalGet(scratch))
                .instruction(&eq)
                .instruction(&I::V128Bitselect);
        }
        code.function(&function);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_encoder::{
        CodeSection, ExportKind, ExportSection, Function, FunctionSection, Instruction as I,
        Module, TypeSection, ValType,
    };

    /// `(func (export "max") (param v128 v128) (result v128) (local i32)
    ///   (f64x2.relaxed_max (local.get 0) (local.get 1)))`, and `"madd"`, three
    /// parameters and `f32x4.relaxed_madd`.
    fn relaxed_module() -> Vec<u8> {
        let mut types = TypeSection::new();
        types.ty().function([ValType::V128; 2], [ValType::V128]);
        types.ty().function([ValType::V128; 3], [ValType::V128]);
        let mut functions = FunctionSection::new();
        functions.function(0).function(1);
        let mut exports = ExportSection::new();
        exports.export("max", ExportKind::Func, 0);
        exports.export("madd", ExportKind::Func, 1);
        let mut code = CodeSection::new();
        let mut max = Function::new([(1, ValType::I32)]);
        max.instruction(&I::LocalGet(0))
            .instruction(&I::LocalGet(1))
            .instruction(&I::F64x2RelaxedMax)
            .instruction(&I::End);
        code.function(&max);
        let mut madd = Function::new([]);
        madd.instruction(&I::LocalGet(0))
            .instruction(&I::LocalGet(1))
            .instruction(&I::LocalGet(2))
            .instruction(&I::F32x4RelaxedMadd)
            .instruction(&I::End);
        code.function(&madd);
        let mut module = Module::new();
        module
            .section(&types)
            .section(&functions)
            .section(&exports)
            .section(&code);
        module.finish()
    }

    fn call(bytes: &[u8], name: &str, args: &[u128]) -> u128 {
        let features = crate::FEATURES;
        let engine = wasmi::Engine::new(&crate::features::wasmi_config(&features));
        let module = wasmi::Module::new(&engine, bytes).expect("module");
        let mut store = wasmi::Store::new(&engine, ());
        let linker = wasmi::Linker::<()>::new(&engine);
        let instance = linker
            .instantiate_and_start(&mut store, &module)
            .expect("instance");
        let func = instance.get_func(&store, name).expect("export");
        let args: Vec<wasmi::Val> = args
            .iter()
            .map(|&v| wasmi::Val::V128(wasmi::V128::from(v)))
            .collect();
        let mut results = [wasmi::Val::V128(wasmi::V128::from(0))];
        func.call(&mut store, &args, &mut results).expect("call");
        match results {
            [wasmi::Val::V128(v)] => v.as_u128(),
            _ => unreachable!(),
        }
    }

    #[test]
    fn relaxed_float_nans_become_canonical() {
        let bytes = canonicalize_relaxed_nans(&relaxed_module()).expect("re-encoded");
        let validator = crate::features::wasmparser_features(&crate::FEATURES);
        wasmparser::Validator::new_with_features(validator)
            .validate_all(&bytes)
            .expect("valid");
        // Lane 0: max(NaN with a payload, 1) is NaN, made canonical; lane 1: max(2, 1) = 2.
        let a = 0x4000_0000_0000_0000_fff8_0000_0000_0001;
        let b = 0x3ff0_0000_0000_0000_3ff0_0000_0000_0000;
        assert_eq!(
            call(&bytes, "max", &[a, b]),
            0x4000_0000_0000_0000_7ff8_0000_0000_0000
        );
        // f32 lanes: NaN * 1 + 1 (negative NaN with a payload), 1 * 1 + 1, twice.
        let a = 0x3f80_0000_ffc0_0001_3f80_0000_ffc0_0001;
        let one = 0x3f80_0000_3f80_0000_3f80_0000_3f80_0000;
        assert_eq!(
            call(&bytes, "madd", &[a, one, one]),
            0x4000_0000_7fc0_0000_4000_0000_7fc0_0000
        );
    }

    /// A module with GC's types and reference instructions, lowered: valid for
    /// Wasmite's and wasmparser's wider feature set (no GC), types and indices kept.
    #[test]
    fn gc_modules_lower_to_typed_function_references() {
        let bytes = wat::parse_str(
            r#"(module
                (rec (type $s (struct (field i32))) (type $f (sub (func (param anyref) (result i32)))))
                (type $g (sub final $f (func (param anyref) (result i32))))
                (type $a (array i8))
                (global $n (mut (ref null $s)) (ref.null none))
                (func $test (type $f)
                  (if (result i32) (ref.test (ref $s) (local.get 0))
                    (then (ref.eq (local.get 0) (ref.cast eqref (local.get 0))))
                    (else (i32.const 0))))
                (func (export "cast") (param (ref null $a)) (result (ref $a))
                  (ref.cast (ref $a) (local.get 0)))
                (func (export "br") (param anyref) (result i32) (local (ref null $g))
                  (drop (block $l (result anyref)
                    (drop (br_on_cast $l anyref (ref null $s) (local.get 0)))
                    (br_on_cast_fail $l anyref (ref i31) (local.get 0))))
                  (call_ref $f (local.get 0) (ref.func $test)))
                (elem declare func $test))"#,
        )
        .expect("text");
        let lowered = lower_gc(&bytes).expect("lowered");
        assert!(uses_gc(&bytes));
        assert!(
            !uses_gc(&lowered),
            "only GC's recursion groups and subtypes left"
        );
        let wider = crate::WIDER;
        crate::features::wasmparser_verdict(&lowered, &wider).expect("valid in Wasm 3.0");
        wasm_validate::validate_bytes(&lowered, &wider).expect("valid on Wasmite");
        // (recursion groups, types)
        let types = |bytes: &[u8]| {
            let mut counts = (0, 0);
            for payload in wasmparser::Parser::new(0).parse_all(bytes) {
                if let Ok(wasmparser::Payload::TypeSection(reader)) = payload {
                    for group in reader {
                        counts.0 += 1;
                        counts.1 += group.expect("group").types().len();
                    }
                }
            }
            counts
        };
        assert_eq!(types(&lowered), types(&bytes), "the same groups and types");
        let (groups, count) = types(&lowered);
        assert!(groups < count, "the group of two types stays one group");
    }

    /// What [`uses_gc`] sees: GC's types, heap types and instructions, in code and in
    /// constant expressions, but not recursion groups and subtypes of function types.
    #[test]
    fn uses_gc_sees_gc_but_not_function_subtypes() {
        let uses = |text: &str| uses_gc(&wat::parse_str(text).expect("text"));
        assert!(!uses(
            "(module (rec (type $f (sub (func (param (ref $g))))) (type $g (sub $f (func (param (ref $g)))))))"
        ));
        assert!(uses("(module (type (struct)))"));
        assert!(uses("(module (global anyref (ref.null any)))"));
        assert!(uses(
            "(module (global (ref null nofunc) (ref.null nofunc)))"
        ));
        assert!(uses("(module (global i31ref (ref.i31 (i32.const 1))))"));
        assert!(uses(
            "(module (func (param funcref) (result i32) (ref.test (ref func) (local.get 0))))"
        ));
        assert!(!uses(
            "(module (func (param funcref) (result i32) (ref.is_null (local.get 0))))"
        ));
        assert!(uses_gc(b"\0asm\x01\0\0\0\x01"), "unreadable counts as GC");
    }

    /// Most of `exec_diff`'s wider modules are valid, and a useful share of those with
    /// functions uses typed function references (which come only from [`lower_gc`]).
    #[test]
    fn most_wider_modules_survive() {
        let features = crate::WIDER;
        let mut state = 0x2545_f491_4f6c_dd1d_u64;
        let (mut generated, mut valid, mut with_code, mut typed, mut subtypes) = (0, 0, 0, 0, 0);
        for _ in 0..1000 {
            let input = crate::xorshift_bytes(&mut state, 4096);
            let Ok(bytes) = terminating_module(&mut Unstructured::new(&input), &features) else {
                continue;
            };
            generated += 1;
            if crate::features::wasmparser_verdict(&bytes, &features).is_err() {
                continue;
            }
            valid += 1;
            let has_code = wasmparser::Parser::new(0)
                .parse_all(&bytes)
                .any(|payload| matches!(payload, Ok(wasmparser::Payload::CodeSectionStart { .. })));
            with_code += usize::from(has_code);
            let used = proposals_used(&bytes);
            typed += usize::from(used.typed_references);
            subtypes += usize::from(used.subtypes);
        }
        eprintln!(
            "{generated} generated, {valid} valid, {with_code} with code, {typed} typed, \
             {subtypes} with rec groups or subtypes"
        );
        assert!(valid * 10 >= generated * 8, "{valid} of {generated} valid");
        assert!(
            typed * 10 >= with_code,
            "{typed} of {with_code} with typed references"
        );
        assert!(
            subtypes * 10 >= valid,
            "{subtypes} of {valid} with rec groups or subtypes"
        );
    }

    #[test]
    fn modules_without_relaxed_floats_are_unchanged() {
        let mut module = Module::new();
        let mut types = TypeSection::new();
        types.ty().function([ValType::V128; 2], [ValType::V128]);
        module.section(&types);
        let bytes = module.finish();
        assert_eq!(canonicalize_relaxed_nans(&bytes).expect("unchanged"), bytes);
    }
}
