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
/// differential execution: arithmetic NaNs canonicalised (relaxed SIMD's too,
/// [`canonicalize_relaxed_nans`]), no imports, memories of at most
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
    canonicalize_relaxed_nans(&module.to_bytes())
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
                for ty in reader.into_iter_err_on_gc_types() {
                    let ty = ty.map_err(|_| arbitrary::Error::IncorrectFormat)?;
                    types.push(ty.params().len() as u32);
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
