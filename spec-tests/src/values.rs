//! Script values ↔ Wasmite values: arguments, expected results and how they print.

use std::fmt::Write as _;

use wasmite::nan_preserving_float::{F32, F64};
use wasmite::{ExternRef, RuntimeValue, V128, Value};
use wast::core::{NanPattern, V128Pattern, WastArgCore, WastRetCore};
use wast::{WastArg, WastRet};

/// A script value the engine cannot represent yet; the text names the feature.
#[derive(Debug)]
pub(crate) struct Unsupported(pub(crate) &'static str);

/// Converts an `invoke` argument.
/// `ref.extern N` is an [`ExternRef`] holding the number `N` (a `u32`).
pub(crate) fn argument(arg: &WastArg<'_>) -> Result<Value, Unsupported> {
    let WastArg::Core(core) = arg else {
        return Err(Unsupported("component-model value"));
    };
    Ok(match core {
        WastArgCore::I32(v) => Value::I32(*v),
        WastArgCore::I64(v) => Value::I64(*v),
        WastArgCore::F32(v) => Value::F32(F32::from_bits(v.bits)),
        WastArgCore::F64(v) => Value::F64(F64::from_bits(v.bits)),
        WastArgCore::V128(v) => Value::V128(V128::from_bytes(v.to_le_bytes())),
        WastArgCore::RefNull(wast::core::HeapType::Abstract { ty, .. }) => match ty {
            wast::core::AbstractHeapType::Func => Value::FuncRef(None),
            wast::core::AbstractHeapType::Extern => Value::ExternRef(None),
            _ => return Err(Unsupported("reference value of a later proposal")),
        },
        WastArgCore::RefExtern(n) => Value::ExternRef(Some(ExternRef::new(*n))),
        WastArgCore::RefNull(_) | WastArgCore::RefHost(_) => {
            return Err(Unsupported("reference value of a later proposal"));
        }
    })
}

/// Whether `actual` matches the expected result `expected`.
pub(crate) fn matches(expected: &WastRet<'_>, actual: &Value) -> Result<bool, Unsupported> {
    let WastRet::Core(core) = expected else {
        return Err(Unsupported("component-model value"));
    };
    matches_core(core, actual)
}

fn matches_core(expected: &WastRetCore<'_>, actual: &Value) -> Result<bool, Unsupported> {
    if let Some(result) = matches_ref(expected, actual) {
        return result;
    }
    if let WastRetCore::Either(options) = expected {
        let mut unsupported = None;
        for option in options {
            match matches_core(option, actual) {
                Ok(true) => return Ok(true),
                Ok(false) => {}
                Err(e) => unsupported = Some(e),
            }
        }
        return match unsupported {
            Some(e) => Err(e),
            None => Ok(false),
        };
    }
    if let WastRetCore::V128(pattern) = expected {
        return Ok(match actual {
            Value::V128(v) => matches_v128(pattern, *v),
            _ => false,
        });
    }
    let Some(actual) = &actual.number() else {
        return Ok(false);
    };
    Ok(match (expected, actual) {
        (WastRetCore::I32(e), RuntimeValue::I32(a)) => e == a,
        (WastRetCore::I64(e), RuntimeValue::I64(a)) => e == a,
        (WastRetCore::F32(e), RuntimeValue::F32(a)) => f32_matches(e, a.to_bits()),
        (WastRetCore::F64(e), RuntimeValue::F64(a)) => f64_matches(e, a.to_bits()),
        (WastRetCore::I32(_) | WastRetCore::I64(_), _)
        | (WastRetCore::F32(_) | WastRetCore::F64(_), _) => false,
        _ => return Err(Unsupported("reference value")),
    })
}

/// Whether the bits of an f32 match `pattern`.
fn f32_matches(pattern: &NanPattern<wast::token::F32>, bits: u32) -> bool {
    match pattern {
        NanPattern::Value(e) => e.bits == bits,
        NanPattern::CanonicalNan => bits & 0x7fff_ffff == 0x7fc0_0000,
        NanPattern::ArithmeticNan => bits & 0x7fc0_0000 == 0x7fc0_0000,
    }
}

/// Whether the bits of an f64 match `pattern`.
fn f64_matches(pattern: &NanPattern<wast::token::F64>, bits: u64) -> bool {
    match pattern {
        NanPattern::Value(e) => e.bits == bits,
        NanPattern::CanonicalNan => bits & 0x7fff_ffff_ffff_ffff == 0x7ff8_0000_0000_0000,
        NanPattern::ArithmeticNan => bits & 0x7ff8_0000_0000_0000 == 0x7ff8_0000_0000_0000,
    }
}

/// Whether a `v128` matches `pattern`, lane by lane (float lanes may be NaN patterns).
fn matches_v128(pattern: &V128Pattern, actual: V128) -> bool {
    match pattern {
        V128Pattern::I8x16(lanes) => *lanes == actual.to_i8x16(),
        V128Pattern::I16x8(lanes) => *lanes == actual.to_i16x8(),
        V128Pattern::I32x4(lanes) => *lanes == actual.to_i32x4(),
        V128Pattern::I64x2(lanes) => *lanes == actual.to_i64x2(),
        V128Pattern::F32x4(lanes) => lanes
            .iter()
            .zip(actual.to_u32x4())
            .all(|(pattern, bits)| f32_matches(pattern, bits)),
        V128Pattern::F64x2(lanes) => lanes
            .iter()
            .zip(actual.to_u64x2())
            .all(|(pattern, bits)| f64_matches(pattern, bits)),
    }
}

/// Matches an expected reference result: `Some` when `expected` is one.
fn matches_ref(expected: &WastRetCore<'_>, actual: &Value) -> Option<Result<bool, Unsupported>> {
    use wast::core::{AbstractHeapType, HeapType};
    Some(Ok(match expected {
        WastRetCore::RefNull(None) => actual.is_null(),
        WastRetCore::RefNull(Some(HeapType::Abstract { ty, .. })) => match (ty, actual) {
            (AbstractHeapType::Func, Value::FuncRef(None)) => true,
            (AbstractHeapType::Extern, Value::ExternRef(None)) => true,
            (AbstractHeapType::Func | AbstractHeapType::Extern, _) => false,
            _ => return Some(Err(Unsupported("reference value of a later proposal"))),
        },
        WastRetCore::RefExtern(None) => matches!(actual, Value::ExternRef(Some(_))),
        WastRetCore::RefExtern(Some(n)) => match actual {
            Value::ExternRef(Some(r)) => r.downcast_ref::<u32>() == Some(n),
            _ => false,
        },
        WastRetCore::RefFunc(_) => matches!(actual, Value::FuncRef(Some(_))),
        WastRetCore::RefNull(_) | WastRetCore::RefHost(_) => {
            return Some(Err(Unsupported("reference value of a later proposal")));
        }
        _ => return None,
    }))
}

/// Prints a value the way a script writes it, with the raw bits of floats.
pub(crate) fn show_value(value: &Value) -> String {
    let value = match value {
        Value::FuncRef(None) => return "ref.null func".to_string(),
        Value::ExternRef(None) => return "ref.null extern".to_string(),
        Value::FuncRef(Some(_)) => return "ref.func".to_string(),
        Value::ExternRef(Some(r)) => match r.downcast_ref::<u32>() {
            Some(n) => return format!("ref.extern {n}"),
            None => return "ref.extern".to_string(),
        },
        Value::V128(v) => return format!("v128.const {v}"),
        other => other.number().unwrap_or(RuntimeValue::I32(0)),
    };
    match value {
        RuntimeValue::I32(v) => format!("i32.const {v}"),
        RuntimeValue::I64(v) => format!("i64.const {v}"),
        RuntimeValue::F32(v) => {
            format!(
                "f32.const {:?} (0x{:08x})",
                f32::from_bits(v.to_bits()),
                v.to_bits()
            )
        }
        RuntimeValue::F64(v) => {
            format!(
                "f64.const {:?} (0x{:016x})",
                f64::from_bits(v.to_bits()),
                v.to_bits()
            )
        }
    }
}

/// Prints a list of values as `[a, b]`.
pub(crate) fn show_values(values: &[Value]) -> String {
    let mut out = String::from("[");
    for (i, value) in values.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        out.push_str(&show_value(value));
    }
    out.push(']');
    out
}

/// Prints a list of expected results as `[a, b]`.
pub(crate) fn show_expected(expected: &[WastRet<'_>]) -> String {
    let mut out = String::from("[");
    for (i, ret) in expected.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        match ret {
            WastRet::Core(core) => show_core(&mut out, core),
            _ => out.push_str("<component value>"),
        }
    }
    out.push(']');
    out
}

fn show_core(out: &mut String, ret: &WastRetCore<'_>) {
    // Writing to a String cannot fail.
    let _ = match ret {
        WastRetCore::I32(v) => write!(out, "i32.const {v}"),
        WastRetCore::I64(v) => write!(out, "i64.const {v}"),
        WastRetCore::F32(NanPattern::Value(v)) => {
            write!(
                out,
                "f32.const {:?} (0x{:08x})",
                f32::from_bits(v.bits),
                v.bits
            )
        }
        WastRetCore::F64(NanPattern::Value(v)) => {
            write!(
                out,
                "f64.const {:?} (0x{:016x})",
                f64::from_bits(v.bits),
                v.bits
            )
        }
        WastRetCore::F32(NanPattern::CanonicalNan) => write!(out, "f32.const nan:canonical"),
        WastRetCore::F32(NanPattern::ArithmeticNan) => write!(out, "f32.const nan:arithmetic"),
        WastRetCore::F64(NanPattern::CanonicalNan) => write!(out, "f64.const nan:canonical"),
        WastRetCore::F64(NanPattern::ArithmeticNan) => write!(out, "f64.const nan:arithmetic"),
        WastRetCore::Either(options) => {
            out.push_str("either(");
            for (i, option) in options.iter().enumerate() {
                if i > 0 {
                    out.push_str(" | ");
                }
                show_core(out, option);
            }
            out.push(')');
            Ok(())
        }
        WastRetCore::V128(pattern) => write!(out, "v128.const {pattern:?}"),
        other => write!(out, "{other:?}"),
    };
}

#[cfg(test)]
mod tests {
    use super::*;
    use wast::token::{F32 as TokF32, F64 as TokF64};

    fn f32_ret(pattern: NanPattern<TokF32>) -> WastRet<'static> {
        WastRet::Core(WastRetCore::F32(pattern))
    }

    fn f64_ret(pattern: NanPattern<TokF64>) -> WastRet<'static> {
        WastRet::Core(WastRetCore::F64(pattern))
    }

    fn f32_val(bits: u32) -> Value {
        Value::F32(F32::from_bits(bits))
    }

    fn f64_val(bits: u64) -> Value {
        Value::F64(F64::from_bits(bits))
    }

    #[test]
    fn floats_compare_by_bits() {
        let minus_zero = f32_ret(NanPattern::Value(TokF32 { bits: 0x8000_0000 }));
        assert!(matches(&minus_zero, &f32_val(0x8000_0000)).unwrap());
        assert!(!matches(&minus_zero, &f32_val(0)).unwrap());
        assert!(!matches(&minus_zero, &Value::I32(i32::MIN)).unwrap());
    }

    #[test]
    fn nan_patterns() {
        let canonical = f32_ret(NanPattern::CanonicalNan);
        let arithmetic = f32_ret(NanPattern::ArithmeticNan);
        assert!(matches(&canonical, &f32_val(0x7fc0_0000)).unwrap());
        assert!(matches(&canonical, &f32_val(0xffc0_0000)).unwrap());
        assert!(!matches(&canonical, &f32_val(0x7fc0_0001)).unwrap());
        assert!(matches(&arithmetic, &f32_val(0x7fc0_0001)).unwrap());
        assert!(
            !matches(&arithmetic, &f32_val(0x7f80_0001)).unwrap(),
            "signalling NaN"
        );
        assert!(
            !matches(&arithmetic, &f32_val(0x7f80_0000)).unwrap(),
            "infinity"
        );

        let canonical = f64_ret(NanPattern::CanonicalNan);
        let arithmetic = f64_ret(NanPattern::ArithmeticNan);
        assert!(matches(&canonical, &f64_val(0xfff8_0000_0000_0000)).unwrap());
        assert!(!matches(&canonical, &f64_val(0x7ff8_0000_0000_0001)).unwrap());
        assert!(matches(&arithmetic, &f64_val(0x7ffc_0000_0000_0000)).unwrap());
        assert!(!matches(&arithmetic, &f64_val(0x7ff4_0000_0000_0000)).unwrap());
    }

    #[test]
    fn either_matches_any_option() {
        let either = WastRet::Core(WastRetCore::Either(vec![
            WastRetCore::I32(1),
            WastRetCore::I32(2),
        ]));
        assert!(matches(&either, &Value::I32(2)).unwrap());
        assert!(!matches(&either, &Value::I32(3)).unwrap());
        assert_eq!(
            show_expected(&[either]),
            "[either(i32.const 1 | i32.const 2)]"
        );
    }
}
