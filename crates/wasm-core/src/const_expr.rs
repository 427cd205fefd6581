//! Evaluation of constant expressions (spec 3.3.10, "Constant Expressions"; 4.4.10
//! "Expressions"): the initial values of globals and the offsets of segments.
//!
//! Here, in the vocabulary crate, because two phases need it without reaching into each
//! other: instantiation evaluates every constant expression, and the engine's translator
//! evaluates those that read no global, to know before instantiation the value of an
//! immutable global.

use crate::prelude::*;

use crate::{ConstExpr, F32, F64, Module, RefType, RuntimeValue, V128};
use core::fmt;
use wasmparser::Operator;

/// A constant expression could not be evaluated: it is not valid (a validated module's
/// constant expressions always evaluate), or it reads a global the caller does not give.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConstExprError {
    message: String,
}

impl ConstExprError {
    #[cold]
    fn new(message: impl Into<String>) -> Self {
        ConstExprError {
            message: message.into(),
        }
    }
}

impl fmt::Display for ConstExprError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "constant expression: {}", self.message)
    }
}

impl core::error::Error for ConstExprError {}

/// Evaluates constant expression `expr` of `module`: constants, `global.get` (the value of
/// global `i` is `global(i)`; `None` makes the evaluation fail), and the extended-constant
/// arithmetic (`i32`/`i64` `add`, `sub`, `mul`).
pub fn eval_const(
    module: &Module,
    expr: &ConstExpr,
    global: impl Fn(u32) -> Option<RuntimeValue>,
) -> Result<RuntimeValue, ConstExprError> {
    let mut stack: Vec<RuntimeValue> = Vec::with_capacity(2);
    let mut reader = module.operators(&expr.range);
    while !reader.eof() {
        let op = reader
            .read()
            .map_err(|e| ConstExprError::new(e.message()))?;
        let value = match op {
            Operator::I32Const { value } => RuntimeValue::I32(value),
            Operator::I64Const { value } => RuntimeValue::I64(value),
            Operator::F32Const { value } => RuntimeValue::F32(F32::from_bits(value.bits())),
            Operator::F64Const { value } => RuntimeValue::F64(F64::from_bits(value.bits())),
            Operator::GlobalGet { global_index } => {
                global(global_index).ok_or_else(|| ConstExprError::new("unknown global"))?
            }
            Operator::I32Add | Operator::I32Sub | Operator::I32Mul => {
                let (Some(RuntimeValue::I32(b)), Some(RuntimeValue::I32(a))) =
                    (stack.pop(), stack.pop())
                else {
                    return Err(ConstExprError::new("type mismatch"));
                };
                RuntimeValue::I32(match op {
                    Operator::I32Add => a.wrapping_add(b),
                    Operator::I32Sub => a.wrapping_sub(b),
                    _ => a.wrapping_mul(b),
                })
            }
            Operator::I64Add | Operator::I64Sub | Operator::I64Mul => {
                let (Some(RuntimeValue::I64(b)), Some(RuntimeValue::I64(a))) =
                    (stack.pop(), stack.pop())
                else {
                    return Err(ConstExprError::new("type mismatch"));
                };
                RuntimeValue::I64(match op {
                    Operator::I64Add => a.wrapping_add(b),
                    Operator::I64Sub => a.wrapping_sub(b),
                    _ => a.wrapping_mul(b),
                })
            }
            Operator::End => break,
            _ => return Err(ConstExprError::new("unsupported instruction")),
        };
        stack.push(value);
    }
    match stack.as_slice() {
        [value] => Ok(*value),
        _ => Err(ConstExprError::new("type mismatch")),
    }
}

/// Evaluates the constant expression of a `v128` (a global's initialiser): `v128.const`,
/// or `global.get` of an imported global, whose value `global` gives.
pub fn eval_const_v128(
    module: &Module,
    expr: &ConstExpr,
    global: impl Fn(u32) -> Option<V128>,
) -> Result<V128, ConstExprError> {
    let mut reader = module.operators(&expr.range);
    let mut result = None;
    while !reader.eof() {
        let op = reader
            .read()
            .map_err(|e| ConstExprError::new(e.message()))?;
        let value = match op {
            Operator::V128Const { value } => V128::from_bytes(*value.bytes()),
            Operator::GlobalGet { global_index } => {
                global(global_index).ok_or_else(|| ConstExprError::new("unknown global"))?
            }
            Operator::End => break,
            _ => return Err(ConstExprError::new("unsupported instruction")),
        };
        if result.replace(value).is_some() {
            return Err(ConstExprError::new("type mismatch"));
        }
    }
    result.ok_or_else(|| ConstExprError::new("type mismatch"))
}

/// What a constant expression of reference type produces (spec 3.3.10: a reference
/// constant expression is one `ref.null`, `ref.func` or `global.get`).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum ConstRef {
    /// `ref.null t`.
    Null(RefType),
    /// `ref.func index`.
    Func(u32),
    /// `global.get index`: the value of that (imported) global.
    Global(u32),
}

/// Reads constant expression `expr` of reference type.
pub fn const_ref(module: &Module, expr: &ConstExpr) -> Result<ConstRef, ConstExprError> {
    let mut reader = module.operators(&expr.range);
    let mut result = None;
    while !reader.eof() {
        let op = reader
            .read()
            .map_err(|e| ConstExprError::new(e.message()))?;
        let value = match op {
            Operator::RefNull { hty } => {
                let heap = crate::decode::heap_type(hty)
                    .ok_or_else(|| ConstExprError::new("unsupported reference type"))?;
                let ty = RefType::new(true, heap);
                ConstRef::Null(ty)
            }
            Operator::RefFunc { function_index } => ConstRef::Func(function_index),
            Operator::GlobalGet { global_index } => ConstRef::Global(global_index),
            Operator::End => break,
            _ => return Err(ConstExprError::new("unsupported instruction")),
        };
        if result.replace(value).is_some() {
            return Err(ConstExprError::new("type mismatch"));
        }
    }
    result.ok_or_else(|| ConstExprError::new("type mismatch"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn module(wat: &str) -> Module {
        crate::decode(&wat::parse_str(wat).unwrap()).unwrap()
    }

    #[test]
    fn constants_globals_and_extended_arithmetic() {
        let m = module(
            r#"(module
                (global $g (import "m" "g") i32)
                (global i32 (i32.const 7))
                (global i64 (i64.mul (i64.const 6) (i64.sub (i64.const 9) (i64.const 2))))
                (global i32 (i32.add (global.get $g) (i32.const 1))))"#,
        );
        let init = |i: usize| &m.global_inits[i];
        let no_globals = |_| None;
        assert_eq!(
            eval_const(&m, init(0), no_globals),
            Ok(RuntimeValue::I32(7))
        );
        assert_eq!(
            eval_const(&m, init(1), no_globals),
            Ok(RuntimeValue::I64(42))
        );
        let error = eval_const(&m, init(2), no_globals).unwrap_err();
        assert_eq!(error.to_string(), "constant expression: unknown global");
        let imported = |i| (i == 0).then_some(RuntimeValue::I32(41));
        assert_eq!(eval_const(&m, init(2), imported), Ok(RuntimeValue::I32(42)));
    }
}
