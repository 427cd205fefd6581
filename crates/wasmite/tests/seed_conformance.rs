//! Conformance with the seed API, `wasmi` 0.13.2 (and the `wasmi_core` 0.2 and
//! `memory_units` 0.4 items it re-exports): every public item, method and trait impl,
//! used the way a program written against the seed uses it, with the seed's behaviour
//! asserted, down to `Display` and `Debug` texts and which error variant a failure gives.
//!
//! The file is written only against the seed's documented API: it compiles, and passes,
//! against `wasmi` 0.13.2 itself when that crate is renamed `wasmite`. Matches have no
//! wildcard arms, so a variant added to or missing from a seed enum stops the build. The
//! few places where Wasmite deliberately differs (listed in the crate docs, "Differences
//! from wasmi 0.13") are not asserted here; `api.rs` and the crate's unit tests cover them.
//! Texts are given to `from_buffer` as binaries (`wat::parse_str`): the seed reads the
//! binary format only, as Wasmite does without its `wat` feature.

// The seed's `Module` and `NotStartedModuleRef` are not `Debug`, so `unwrap_err` is not
// available on results holding them: `.err().expect(..)` is.
#![allow(clippy::err_expect)]

use std::borrow::Cow;
use std::cell::Ref;
use std::fmt;
use std::rc::Rc;
use wasmite::memory_units::{ByteSize, Bytes, Pages, RoundUpTo, Words, size_of};
use wasmite::nan_preserving_float::{F32, F64};
use wasmite::{
    DEFAULT_CALL_STACK_LIMIT, DEFAULT_VALUE_STACK_LIMIT, Error, ExternVal, Externals, FromValue,
    FuncInstance, FuncInvocation, FuncRef, GlobalDescriptor, GlobalInstance, GlobalRef, HostError,
    ImportResolver, ImportsBuilder, LINEAR_MEMORY_PAGE_SIZE, LittleEndianConvert, MemoryDescriptor,
    MemoryInstance, MemoryRef, Module, ModuleImportResolver, ModuleInstance, ModuleRef,
    NopExternals, NotStartedModuleRef, ResumableError, RuntimeArgs, RuntimeValue, Signature,
    StackRecycler, TableDescriptor, TableInstance, TableRef, Trap, TrapCode, ValueType,
};

/// The binary of a module in the text format.
fn wasm(text: &str) -> Vec<u8> {
    wat::parse_str(text).expect("test module text parses")
}

/// A module loaded from its text.
fn load(text: &str) -> Module {
    Module::from_buffer(wasm(text)).expect("test module loads")
}

/// An instance of a module without imports or start function.
fn instantiate(text: &str) -> ModuleRef {
    ModuleInstance::new(&load(text), &ImportsBuilder::default())
        .expect("test module instantiates")
        .assert_no_start()
}

/// The trap code of a failed call, or a panic naming what came instead.
fn trap_code(error: Error) -> TrapCode {
    match error {
        Error::Trap(Trap::Code(code)) => code,
        other => panic!("expected a trap code, got {other:?}"),
    }
}

/// A host error of the test's own.
#[derive(Debug, PartialEq)]
struct Oops(u32);

impl fmt::Display for Oops {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "oops {}", self.0)
    }
}

impl HostError for Oops {}

/// Another host error, to check downcasts that must fail.
#[derive(Debug)]
struct Other;

impl fmt::Display for Other {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("other")
    }
}

impl HostError for Other {}

// ---------------------------------------------------------------------------------------
// Trait facts.

fn send_sync<T: Send + Sync>() {}
fn clone<T: Clone>() {}
fn copy<T: Copy>() {}
fn debug<T: fmt::Debug>() {}
fn display<T: fmt::Display>() {}
fn eq<T: Eq>() {}
fn ord<T: Ord>() {}
fn std_error<T: std::error::Error>() {}
fn default<T: Default>() {}

#[test]
fn send_sync_clone_debug_and_comparison_facts() {
    // A compiled module is plain data in the seed: it can be shared between threads.
    send_sync::<Module>();
    send_sync::<Error>();
    send_sync::<Trap>();
    send_sync::<TrapCode>();
    send_sync::<ResumableError>();
    send_sync::<RuntimeValue>();
    send_sync::<ValueType>();
    send_sync::<F32>();
    send_sync::<F64>();
    send_sync::<Signature>();
    send_sync::<GlobalDescriptor>();
    send_sync::<MemoryDescriptor>();
    send_sync::<TableDescriptor>();
    send_sync::<NopExternals>();
    send_sync::<RuntimeArgs<'static>>();
    send_sync::<Bytes>();
    send_sync::<Pages>();
    send_sync::<Words>();
    send_sync::<Box<dyn HostError>>();

    clone::<FuncRef>();
    clone::<ModuleRef>();
    clone::<MemoryRef>();
    clone::<TableRef>();
    clone::<GlobalRef>();
    clone::<ExternVal>();
    clone::<Signature>();
    copy::<RuntimeValue>();
    copy::<ValueType>();
    copy::<TrapCode>();
    copy::<F32>();
    copy::<F64>();
    copy::<Bytes>();
    copy::<Pages>();
    copy::<Words>();

    debug::<Error>();
    debug::<Trap>();
    debug::<TrapCode>();
    debug::<ResumableError>();
    debug::<RuntimeValue>();
    debug::<ValueType>();
    debug::<F32>();
    debug::<F64>();
    debug::<Signature>();
    debug::<FuncRef>();
    debug::<FuncInstance>();
    debug::<ModuleRef>();
    debug::<ModuleInstance>();
    debug::<MemoryRef>();
    debug::<MemoryInstance>();
    debug::<TableRef>();
    debug::<TableInstance>();
    debug::<GlobalRef>();
    debug::<GlobalInstance>();
    debug::<ExternVal>();
    debug::<RuntimeArgs<'static>>();
    debug::<Box<dyn HostError>>();
    debug::<Bytes>();
    debug::<Pages>();
    debug::<Words>();

    display::<Error>();
    display::<Trap>();
    display::<TrapCode>();
    display::<RuntimeValue>();
    display::<ValueType>();
    display::<Box<dyn HostError>>();
    std_error::<Error>();
    std_error::<Trap>();

    eq::<ValueType>();
    eq::<Signature>();
    ord::<ValueType>();
    ord::<Bytes>();
    ord::<Pages>();
    ord::<Words>();
    default::<ImportsBuilder<'static>>();
    default::<StackRecycler>();
}

// ---------------------------------------------------------------------------------------
// Exhaustive matches: no wildcard arm, so the variant sets are exactly the seed's.

fn trap_code_name(code: TrapCode) -> &'static str {
    match code {
        TrapCode::Unreachable => "Unreachable",
        TrapCode::MemoryAccessOutOfBounds => "MemoryAccessOutOfBounds",
        TrapCode::TableAccessOutOfBounds => "TableAccessOutOfBounds",
        TrapCode::ElemUninitialized => "ElemUninitialized",
        TrapCode::DivisionByZero => "DivisionByZero",
        TrapCode::IntegerOverflow => "IntegerOverflow",
        TrapCode::InvalidConversionToInt => "InvalidConversionToInt",
        TrapCode::StackOverflow => "StackOverflow",
        TrapCode::UnexpectedSignature => "UnexpectedSignature",
    }
}

fn trap_kind(trap: &Trap) -> &'static str {
    match trap {
        Trap::Code(code) => trap_code_name(*code),
        Trap::Host(_) => "Host",
    }
}

fn error_kind(error: &Error) -> &'static str {
    match error {
        Error::Validation(_) => "Validation",
        Error::Instantiation(_) => "Instantiation",
        Error::Function(_) => "Function",
        Error::Table(_) => "Table",
        Error::Memory(_) => "Memory",
        Error::Global(_) => "Global",
        Error::Value(_) => "Value",
        Error::Trap(_) => "Trap",
        Error::Host(_) => "Host",
    }
}

fn value_kind(value: RuntimeValue) -> ValueType {
    match value {
        RuntimeValue::I32(_) => ValueType::I32,
        RuntimeValue::I64(_) => ValueType::I64,
        RuntimeValue::F32(_) => ValueType::F32,
        RuntimeValue::F64(_) => ValueType::F64,
    }
}

fn value_type_name(value_type: ValueType) -> &'static str {
    match value_type {
        ValueType::I32 => "I32",
        ValueType::I64 => "I64",
        ValueType::F32 => "F32",
        ValueType::F64 => "F64",
    }
}

fn extern_kind(value: &ExternVal) -> &'static str {
    match value {
        ExternVal::Func(_) => "Func",
        ExternVal::Table(_) => "Table",
        ExternVal::Memory(_) => "Memory",
        ExternVal::Global(_) => "Global",
    }
}

fn resumable_kind(error: &ResumableError) -> &'static str {
    match error {
        ResumableError::Trap(trap) => trap_kind(trap),
        ResumableError::NotResumable => "NotResumable",
        ResumableError::AlreadyStarted => "AlreadyStarted",
    }
}

#[test]
fn exhaustive_matches_cover_the_seed_variants() {
    let codes = [
        TrapCode::Unreachable,
        TrapCode::MemoryAccessOutOfBounds,
        TrapCode::TableAccessOutOfBounds,
        TrapCode::ElemUninitialized,
        TrapCode::DivisionByZero,
        TrapCode::IntegerOverflow,
        TrapCode::InvalidConversionToInt,
        TrapCode::StackOverflow,
        TrapCode::UnexpectedSignature,
    ];
    for code in codes {
        assert_eq!(trap_code_name(code), format!("{code:?}"));
        assert_eq!(trap_kind(&Trap::Code(code)), format!("{code:?}"));
    }
    assert_eq!(trap_kind(&Trap::Host(Box::new(Oops(1)))), "Host");
    assert_eq!(error_kind(&Error::Value("v".into())), "Value");
    assert_eq!(error_kind(&Error::Host(Box::new(Oops(1)))), "Host");
    for value_type in [
        ValueType::I32,
        ValueType::I64,
        ValueType::F32,
        ValueType::F64,
    ] {
        assert_eq!(value_kind(RuntimeValue::default(value_type)), value_type);
        assert_eq!(value_type_name(value_type), format!("{value_type:?}"));
    }
    let memory = MemoryInstance::alloc(Pages(0), None).unwrap();
    assert_eq!(extern_kind(&ExternVal::Memory(memory)), "Memory");
    assert_eq!(
        resumable_kind(&ResumableError::NotResumable),
        "NotResumable"
    );
    assert_eq!(
        resumable_kind(&ResumableError::Trap(TrapCode::StackOverflow.into())),
        "StackOverflow"
    );
}

// ---------------------------------------------------------------------------------------
// `?` conversions.

fn host_error_into_trap() -> Result<(), Trap> {
    Err(Oops(7))?;
    Ok(())
}

fn trap_code_into_trap() -> Result<(), Trap> {
    Err(TrapCode::IntegerOverflow)?;
    Ok(())
}

fn trap_into_error() -> Result<(), Error> {
    host_error_into_trap()?;
    Ok(())
}

fn trap_into_resumable_error() -> Result<(), ResumableError> {
    trap_code_into_trap()?;
    Ok(())
}

fn error_into_string() -> Result<(), String> {
    Err(Error::Table("full".into()))?;
    Ok(())
}

#[test]
fn question_mark_conversions() {
    match host_error_into_trap() {
        Err(Trap::Host(error)) => assert_eq!(error.downcast_ref::<Oops>(), Some(&Oops(7))),
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        trap_code_into_trap(),
        Err(Trap::Code(TrapCode::IntegerOverflow))
    ));
    match trap_into_error() {
        Err(Error::Trap(Trap::Host(error))) => assert!(error.is::<Oops>()),
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        trap_into_resumable_error(),
        Err(ResumableError::Trap(Trap::Code(TrapCode::IntegerOverflow)))
    ));
    assert_eq!(error_into_string(), Err("full".to_string()));
    let trap: Trap = Oops(1).into();
    assert!(trap.is_host());
    let trap = Trap::from(TrapCode::DivisionByZero);
    assert!(!trap.is_host());
    let error: Error = trap.into();
    assert_eq!(error_kind(&error), "Trap");
}

// ---------------------------------------------------------------------------------------
// Values, value types and NaN-preserving floats.

#[test]
fn runtime_values_convert_like_the_seed() {
    assert_eq!(RuntimeValue::from(-1i8), RuntimeValue::I32(-1));
    assert_eq!(RuntimeValue::from(-2i16), RuntimeValue::I32(-2));
    assert_eq!(RuntimeValue::from(-3i32), RuntimeValue::I32(-3));
    assert_eq!(RuntimeValue::from(-4i64), RuntimeValue::I64(-4));
    assert_eq!(RuntimeValue::from(255u8), RuntimeValue::I32(255));
    assert_eq!(RuntimeValue::from(65535u16), RuntimeValue::I32(65535));
    assert_eq!(RuntimeValue::from(u32::MAX), RuntimeValue::I32(-1));
    assert_eq!(RuntimeValue::from(u64::MAX), RuntimeValue::I64(-1));
    assert_eq!(
        RuntimeValue::from(F32::from_float(1.5)),
        RuntimeValue::F32(1.5f32.into())
    );
    assert_eq!(
        RuntimeValue::from(F64::from_float(2.5)),
        RuntimeValue::F64(2.5f64.into())
    );

    // `FromValue`: a value of another type, or out of the target's range, is `None`.
    assert_eq!(RuntimeValue::I32(2).try_into::<bool>(), Some(true));
    assert_eq!(RuntimeValue::I32(0).try_into::<bool>(), Some(false));
    assert_eq!(RuntimeValue::I64(1).try_into::<bool>(), None);
    assert_eq!(RuntimeValue::I32(-128).try_into::<i8>(), Some(-128));
    assert_eq!(RuntimeValue::I32(127).try_into::<i8>(), Some(127));
    assert_eq!(RuntimeValue::I32(128).try_into::<i8>(), None);
    assert_eq!(RuntimeValue::I32(-129).try_into::<i8>(), None);
    assert_eq!(RuntimeValue::I32(255).try_into::<u8>(), Some(255));
    assert_eq!(RuntimeValue::I32(256).try_into::<u8>(), None);
    assert_eq!(RuntimeValue::I32(-1).try_into::<u8>(), None);
    assert_eq!(RuntimeValue::I32(-32768).try_into::<i16>(), Some(-32768));
    assert_eq!(RuntimeValue::I32(32768).try_into::<i16>(), None);
    assert_eq!(RuntimeValue::I32(65535).try_into::<u16>(), Some(65535));
    assert_eq!(RuntimeValue::I32(65536).try_into::<u16>(), None);
    assert_eq!(RuntimeValue::I32(-1).try_into::<u16>(), None);
    assert_eq!(RuntimeValue::I32(-1).try_into::<u32>(), Some(u32::MAX));
    assert_eq!(RuntimeValue::I32(-1).try_into::<i32>(), Some(-1));
    assert_eq!(RuntimeValue::I64(-1).try_into::<u64>(), Some(u64::MAX));
    assert_eq!(RuntimeValue::I64(-1).try_into::<i64>(), Some(-1));
    assert_eq!(RuntimeValue::I64(-1).try_into::<i32>(), None);
    assert_eq!(
        RuntimeValue::F32(F32::from_bits(0x7fc0_0001))
            .try_into::<F32>()
            .map(F32::to_bits),
        Some(0x7fc0_0001)
    );
    assert_eq!(
        RuntimeValue::F64(F64::from_bits(7))
            .try_into::<F64>()
            .map(F64::to_bits),
        Some(7)
    );
    assert_eq!(RuntimeValue::I32(1).try_into::<F32>(), None);
    assert_eq!(<u8 as FromValue>::from_value(RuntimeValue::I32(9)), Some(9));

    assert_eq!(RuntimeValue::default(ValueType::I64), RuntimeValue::I64(0));
    assert_eq!(
        RuntimeValue::default(ValueType::F32)
            .try_into::<F32>()
            .map(F32::to_bits),
        Some(0)
    );
    #[allow(deprecated)]
    let (f32_bits, f64_bits) = (
        RuntimeValue::decode_f32(0x7fa0_0001),
        RuntimeValue::decode_f64(0x7ff0_0000_0000_0002),
    );
    assert_eq!(f32_bits.value_type(), ValueType::F32);
    assert_eq!(
        f32_bits.try_into::<F32>().map(F32::to_bits),
        Some(0x7fa0_0001)
    );
    assert_eq!(
        f64_bits.try_into::<F64>().map(F64::to_bits),
        Some(0x7ff0_0000_0000_0002)
    );

    // Display prints the number; Debug the variant.
    assert_eq!(RuntimeValue::I32(-5).to_string(), "-5");
    assert_eq!(RuntimeValue::I64(1 << 40).to_string(), "1099511627776");
    assert_eq!(RuntimeValue::F32(1.5f32.into()).to_string(), "1.5");
    assert_eq!(RuntimeValue::F64((-0.0f64).into()).to_string(), "-0");
    assert_eq!(RuntimeValue::F64(f64::NAN.into()).to_string(), "NaN");
    assert_eq!(RuntimeValue::F32(f32::INFINITY.into()).to_string(), "inf");
    assert_eq!(format!("{:?}", RuntimeValue::I32(3)), "I32(3)");
    assert_eq!(
        format!("{:?}", RuntimeValue::F32(0.25f32.into())),
        "F32(0.25)"
    );
    assert_eq!(
        format!(
            "{:?}",
            RuntimeValue::F64(F64::from_bits(0x7ff8_0000_0000_0001))
        ),
        "F64(NaN)"
    );
    // Comparison is the floats' own: NaN is not equal to itself, -0 equals 0.
    let nan = RuntimeValue::F32(f32::NAN.into());
    assert_ne!(nan, nan);
    assert_eq!(
        RuntimeValue::F64((-0.0f64).into()),
        RuntimeValue::F64(0.0f64.into())
    );
}

#[test]
fn value_types_display_and_order() {
    assert_eq!(ValueType::I32.to_string(), "i32");
    assert_eq!(ValueType::I64.to_string(), "i64");
    assert_eq!(ValueType::F32.to_string(), "f32");
    assert_eq!(ValueType::F64.to_string(), "f64");
    assert!(ValueType::I32 < ValueType::I64);
    assert!(ValueType::I64 < ValueType::F32);
    assert!(ValueType::F32 < ValueType::F64);
    let mut types = vec![
        ValueType::F64,
        ValueType::I32,
        ValueType::F32,
        ValueType::I64,
    ];
    types.sort();
    assert_eq!(
        types,
        [
            ValueType::I32,
            ValueType::I64,
            ValueType::F32,
            ValueType::F64
        ]
    );
    assert_eq!(
        ValueType::F32.cmp(&ValueType::F32),
        std::cmp::Ordering::Equal
    );
    assert_eq!(
        ValueType::F64.partial_cmp(&ValueType::I32),
        Some(std::cmp::Ordering::Greater)
    );
}

#[test]
fn nan_preserving_floats() {
    // Bits in, bits out, NaN payloads included.
    let signalling = F32::from_bits(0x7fa0_0001);
    assert_eq!(signalling.to_bits(), 0x7fa0_0001);
    assert!(signalling.is_nan());
    assert_eq!((-signalling).to_bits(), 0xffa0_0001);
    assert_eq!((-signalling).abs().to_bits(), 0x7fa0_0001);
    assert_eq!(
        F64::from_bits(0xfff0_0000_0000_0001).abs().to_bits(),
        0x7ff0_0000_0000_0001
    );
    assert_eq!(F32::from_float(2.5).to_float(), 2.5);
    assert_eq!(F64::from_float(-2.5).to_float(), -2.5);
    assert!(!F64::from_float(1.0).is_nan());

    // Conversions with the native float and with the raw bits.
    let one = F32::from(1.0f32);
    assert_eq!(f32::from(one), 1.0);
    assert_eq!(u32::from(one), 0x3f80_0000);
    assert_eq!(F32::from(0x3f80_0000u32).to_float(), 1.0);
    let one64 = F64::from(1.0f64);
    assert_eq!(f64::from(one64), 1.0);
    assert_eq!(u64::from(one64), 0x3ff0_0000_0000_0000);
    assert_eq!(F64::from(0x3ff0_0000_0000_0000u64).to_float(), 1.0);
    let native: f32 = one.into();
    assert_eq!(native, 1.0);

    // Arithmetic with another wrapper, a native float or raw bits (anything `Into<F32>`).
    assert_eq!((one + F32::from(2.0f32)).to_float(), 3.0);
    assert_eq!((one + 2.0f32).to_float(), 3.0);
    assert_eq!((one + 0x3f80_0000u32).to_float(), 2.0);
    assert_eq!((F32::from(5.0f32) - 1.5f32).to_float(), 3.5);
    assert_eq!((F32::from(5.0f32) * 2.0f32).to_float(), 10.0);
    assert_eq!((F32::from(5.0f32) / 2.0f32).to_float(), 2.5);
    assert_eq!((F32::from(5.0f32) % 2.0f32).to_float(), 1.0);
    assert_eq!((F64::from(5.0f64) + 1.0f64).to_float(), 6.0);
    assert_eq!((F64::from(5.0f64) - F64::from(1.0f64)).to_float(), 4.0);
    assert_eq!(
        (F64::from(5.0f64) * 0x4000_0000_0000_0000u64).to_float(),
        10.0
    );
    assert_eq!((F64::from(5.0f64) / 2.0f64).to_float(), 2.5);
    assert_eq!((F64::from(-5.0f64) % 2.0f64).to_float(), -1.0);
    assert_eq!((-F64::from(5.0f64)).to_float(), -5.0);

    // `fract`, `min` and `max` as the native floats compute them.
    assert_eq!(F32::from(2.75f32).fract().to_float(), 0.75);
    assert_eq!(F32::from(-2.75f32).fract().to_float(), -0.75);
    assert_eq!(F64::from(1.25f64).fract().to_float(), 0.25);
    assert_eq!(F32::from(1.0f32).min(F32::from(2.0f32)).to_float(), 1.0);
    assert_eq!(F32::from(1.0f32).max(F32::from(2.0f32)).to_float(), 2.0);
    assert_eq!(F64::from(f64::NAN).min(F64::from(3.0f64)).to_float(), 3.0);
    assert_eq!(F64::from(3.0f64).max(F64::from(f64::NAN)).to_float(), 3.0);

    // Comparison with wrappers, native floats and raw bits.
    assert!(one == F32::from(1.0f32));
    assert!(one == 1.0f32);
    assert!(one == 0x3f80_0000u32);
    assert!(one != 2.0f32);
    assert!(one < 2.0f32);
    assert!(one > F32::from(-1.0f32));
    assert!(F64::from(1.0f64) <= 1.0f64);
    assert!(F64::from(2.0f64) >= 0x3ff0_0000_0000_0000u64);
    assert!(F32::from(f32::NAN) != F32::from(f32::NAN));
    assert_eq!(F32::from(f32::NAN).partial_cmp(&1.0f32), None);
    assert!(F32::from(-0.0f32) == 0.0f32);

    // Debug is the native float's.
    assert_eq!(format!("{:?}", F32::from(1.5f32)), "1.5");
    assert_eq!(format!("{:?}", F64::from(-0.0f64)), "-0.0");
    assert_eq!(format!("{:?}", F32::from_bits(0x7fa0_0001)), "NaN");
    assert_eq!(format!("{:?}", F64::from(f64::INFINITY)), "inf");
}

#[test]
fn little_endian_conversions() {
    fn round_trip<T: LittleEndianConvert + Copy + fmt::Debug + PartialEq>(value: T, bytes: &[u8]) {
        assert_eq!(value.into_le_bytes().as_ref(), bytes);
        let mut buffer = T::Bytes::default();
        buffer.as_mut().copy_from_slice(bytes);
        assert_eq!(T::from_le_bytes(buffer), value);
    }
    round_trip(0x12u8, &[0x12]);
    round_trip(-2i8, &[0xfe]);
    round_trip(0x1234u16, &[0x34, 0x12]);
    round_trip(-2i16, &[0xfe, 0xff]);
    round_trip(0x1234_5678u32, &[0x78, 0x56, 0x34, 0x12]);
    round_trip(-2i32, &[0xfe, 0xff, 0xff, 0xff]);
    round_trip(0x0102_0304_0506_0708u64, &[8, 7, 6, 5, 4, 3, 2, 1]);
    round_trip(-2i64, &[0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);
    round_trip(1.0f32, &[0, 0, 0x80, 0x3f]);
    round_trip(1.0f64, &[0, 0, 0, 0, 0, 0, 0xf0, 0x3f]);
    assert_eq!(
        F32::from_bits(0x7fa0_0001).into_le_bytes(),
        [1, 0, 0xa0, 0x7f]
    );
    assert_eq!(
        <F64 as LittleEndianConvert>::from_le_bytes([1, 0, 0, 0, 0, 0, 0xf0, 0x7f]).to_bits(),
        0x7ff0_0000_0000_0001
    );
}

// ---------------------------------------------------------------------------------------
// Memory units.

/// A unit of the user's own, converted with the seed's `RoundUpTo` shape (by value).
#[derive(Debug, PartialEq)]
struct Kibibytes(usize);

impl RoundUpTo<Kibibytes> for Pages {
    fn round_up_to(self) -> Kibibytes {
        Kibibytes(self.0 * 64)
    }
}

#[test]
fn memory_units() {
    assert_eq!(Bytes::BYTE_SIZE, Bytes(1));
    assert_eq!(Words::BYTE_SIZE, Bytes(4));
    assert_eq!(Pages::BYTE_SIZE, Bytes(65536));
    assert_eq!(LINEAR_MEMORY_PAGE_SIZE, Bytes(65536));
    assert_eq!(Bytes::from(Pages(2)), Bytes(131072));
    assert_eq!(Bytes::from(Words(3)), Bytes(12));
    let bytes: Bytes = Pages(1).into();
    assert_eq!(bytes, Bytes(65536));

    // Rounding up from anything that converts into bytes.
    let pages: Pages = Bytes(65537).round_up_to();
    assert_eq!(pages, Pages(2));
    let pages: Pages = Bytes(0).round_up_to();
    assert_eq!(pages, Pages(0));
    let pages: Pages = Words(16384).round_up_to();
    assert_eq!(pages, Pages(1));
    let words: Words = Bytes(5).round_up_to();
    assert_eq!(words, Words(2));
    let words: Words = Pages(1).round_up_to();
    assert_eq!(words, Words(16384));
    let same: Bytes = Pages(1).round_up_to();
    assert_eq!(same, Bytes(65536));
    let kibibytes: Kibibytes = Pages(2).round_up_to();
    assert_eq!(kibibytes, Kibibytes(128));

    // Arithmetic with the same unit or anything that converts into it.
    assert_eq!(Pages(2) + Pages(3), Pages(5));
    assert_eq!(Pages(5) - Pages(3), Pages(2));
    assert_eq!(Pages(5) * Pages(3), Pages(15));
    assert_eq!(Pages(7) / Pages(2), Pages(3));
    assert_eq!(Words(2) + Words(1), Words(3));
    assert_eq!(Words(6) / Words(3), Words(2));
    assert_eq!(Bytes(1) + Pages(1), Bytes(65537));
    assert_eq!(Bytes(65536) - Words(1), Bytes(65532));
    assert_eq!(Bytes(2) * Words(1), Bytes(8));
    assert_eq!(Bytes(65536) / Pages(1), Bytes(1));

    assert_eq!(size_of::<u64>(), Bytes(8));
    assert_eq!(size_of::<[u16; 3]>(), Bytes(6));
    assert!(Pages(1) < Pages(2));
    assert_eq!(Words(4).max(Words(2)), Words(4));
    assert_eq!(format!("{:?}", Pages(3)), "Pages(3)");
    assert_eq!(format!("{:?}", Bytes(3)), "Bytes(3)");
    assert_eq!(format!("{:?}", Words(3)), "Words(3)");
}

// ---------------------------------------------------------------------------------------
// Traps, host errors and errors.

#[test]
fn trap_codes_and_traps_print_like_the_seed() {
    let messages = [
        (TrapCode::Unreachable, "unreachable"),
        (
            TrapCode::MemoryAccessOutOfBounds,
            "out of bounds memory access",
        ),
        (TrapCode::TableAccessOutOfBounds, "undefined element"),
        (TrapCode::ElemUninitialized, "uninitialized element"),
        (TrapCode::DivisionByZero, "integer divide by zero"),
        (TrapCode::IntegerOverflow, "integer overflow"),
        (
            TrapCode::InvalidConversionToInt,
            "invalid conversion to integer",
        ),
        (TrapCode::StackOverflow, "call stack exhausted"),
        (TrapCode::UnexpectedSignature, "indirect call type mismatch"),
    ];
    for (code, message) in messages {
        assert_eq!(code.trap_message(), message);
        assert_eq!(code.to_string(), message);
        let trap = Trap::from(code);
        assert_eq!(trap.to_string(), message);
        assert!(matches!(trap.code(), Some(c) if trap_code_name(c) == trap_code_name(code)));
        assert!(!trap.is_host());
        #[allow(deprecated)]
        let description = std::error::Error::description(&trap).to_string();
        assert_eq!(description, message);
    }
    let host = Trap::host(Oops(3));
    assert!(host.is_host());
    assert!(host.code().is_none());
    assert_eq!(host.to_string(), "oops 3");
    assert_eq!(format!("{host:?}"), "Host(Oops(3))");
    assert_eq!(
        format!("{:?}", Trap::Code(TrapCode::Unreachable)),
        "Code(Unreachable)"
    );
    #[allow(deprecated)]
    let description = std::error::Error::description(&host).to_string();
    assert_eq!(description, "");
}

#[test]
fn host_errors_downcast_by_reference_box_and_rc() {
    let mut error: Box<dyn HostError> = Box::new(Oops(1));
    assert!(error.is::<Oops>());
    assert!(!error.is::<Other>());
    assert_eq!(error.downcast_ref::<Oops>(), Some(&Oops(1)));
    assert!(error.downcast_ref::<Other>().is_none());
    error.downcast_mut::<Oops>().unwrap().0 = 2;
    assert!(error.downcast_mut::<Other>().is_none());
    assert_eq!(error.to_string(), "oops 2");
    assert_eq!(format!("{error:?}"), "Oops(2)");
    let error = match error.downcast::<Other>() {
        Ok(other) => panic!("downcast to the wrong type: {other:?}"),
        Err(error) => error,
    };
    assert_eq!(*error.downcast::<Oops>().unwrap(), Oops(2));

    let shared: Rc<dyn HostError> = Rc::new(Oops(4));
    let shared = match shared.downcast_rc::<Other>() {
        Ok(other) => panic!("downcast to the wrong type: {other:?}"),
        Err(shared) => shared,
    };
    assert_eq!(*shared.downcast_rc::<Oops>().unwrap(), Oops(4));
}

#[test]
fn errors_print_convert_and_give_back_host_errors() {
    let cases: Vec<(Error, &str, &str, &str)> = vec![
        (Error::Validation("v".into()), "Validation: v", "v", "v"),
        (
            Error::Instantiation("i".into()),
            "Instantiation: i",
            "i",
            "i",
        ),
        (Error::Function("f".into()), "Function: f", "f", "f"),
        (Error::Table("t".into()), "Table: t", "t", "t"),
        (Error::Memory("m".into()), "Memory: m", "m", "m"),
        (Error::Global("g".into()), "Global: g", "g", "g"),
        (Error::Value("x".into()), "Value: x", "x", "x"),
        (
            Error::Trap(Trap::Code(TrapCode::Unreachable)),
            "Trap: Code(Unreachable)",
            "trap: Code(Unreachable)",
            "Trap",
        ),
        (
            Error::Trap(Trap::host(Oops(5))),
            "Trap: Host(Oops(5))",
            "trap: Host(Oops(5))",
            "Trap",
        ),
        (
            Error::host(Oops(6)),
            "User: oops 6",
            "user: oops 6",
            "Host error",
        ),
    ];
    for (error, display, string, description) in cases {
        assert_eq!(error.to_string(), display);
        #[allow(deprecated)]
        let described = std::error::Error::description(&error).to_string();
        assert_eq!(described, description);
        assert_eq!(String::from(error), string);
    }
    assert_eq!(
        format!("{:?}", Error::Validation("v".into())),
        "Validation(\"v\")"
    );
    let boxed: Box<dyn std::error::Error + Send + Sync> = Box::new(Error::Memory("m".into()));
    assert_eq!(boxed.to_string(), "Memory: m");

    // Host errors come back from `Host` and from traps carrying one; other errors do not.
    assert!(matches!(Error::host(Oops(1)), Error::Host(_)));
    let error = Error::host(Oops(1));
    assert_eq!(
        error.as_host_error().unwrap().downcast_ref::<Oops>(),
        Some(&Oops(1))
    );
    let error = Error::Trap(Trap::host(Oops(2)));
    assert_eq!(
        error.as_host_error().unwrap().downcast_ref::<Oops>(),
        Some(&Oops(2))
    );
    assert!(
        Error::Trap(TrapCode::Unreachable.into())
            .as_host_error()
            .is_none()
    );
    assert!(Error::Memory("m".into()).as_host_error().is_none());
    let host = Error::Trap(Trap::host(Oops(3))).into_host_error().unwrap();
    assert_eq!(*host.downcast::<Oops>().unwrap(), Oops(3));
    assert!(Error::Table("t".into()).into_host_error().is_none());
    let host: Box<dyn HostError> = Error::host(Oops(4)).try_into_host_error().unwrap();
    assert_eq!(host.downcast_ref::<Oops>(), Some(&Oops(4)));
    let host = Error::Trap(Trap::host(Other))
        .try_into_host_error()
        .unwrap();
    assert!(host.is::<Other>());
    match Error::Global("g".into()).try_into_host_error() {
        Err(Error::Global(message)) => assert_eq!(message, "g"),
        other => panic!("{other:?}"),
    }
    match Error::Trap(TrapCode::StackOverflow.into()).try_into_host_error() {
        Err(Error::Trap(Trap::Code(code))) => assert_eq!(trap_code_name(code), "StackOverflow"),
        other => panic!("{other:?}"),
    }
}

// ---------------------------------------------------------------------------------------
// Signatures and descriptors.

#[test]
fn signatures() {
    let s1 = Signature::new(&[ValueType::I32][..], None);
    let s2 = Signature::new(vec![ValueType::I64, ValueType::F32], Some(ValueType::F64));
    let s3 = Signature::new(Cow::Borrowed(&[][..]), Some(ValueType::I32));
    assert_eq!(s1.params(), &[ValueType::I32]);
    assert_eq!(s1.return_type(), None);
    assert_eq!(s2.params(), &[ValueType::I64, ValueType::F32]);
    assert_eq!(s2.return_type(), Some(ValueType::F64));
    assert!(s3.params().is_empty());
    assert_eq!(s1.clone(), Signature::new(vec![ValueType::I32], None));
    assert_ne!(s1, s3);
    assert_ne!(s3, Signature::new(&[][..], Some(ValueType::I64)));
    assert_eq!(
        format!("{s2:?}"),
        "Signature { params: [I64, F32], return_type: Some(F64) }"
    );
    assert_eq!(
        format!("{s1:?}"),
        "Signature { params: [I32], return_type: None }"
    );
}

/// Records what each import asks for and answers with its entity.
struct Recorder {
    asked: std::cell::RefCell<Vec<String>>,
    memory: MemoryRef,
    table: TableRef,
    global: GlobalRef,
}

impl ModuleImportResolver for Recorder {
    fn resolve_func(&self, field: &str, signature: &Signature) -> Result<FuncRef, Error> {
        self.asked
            .borrow_mut()
            .push(format!("func {field} {signature:?}"));
        Ok(FuncInstance::alloc_host(signature.clone(), 0))
    }
    fn resolve_global(
        &self,
        field: &str,
        descriptor: &GlobalDescriptor,
    ) -> Result<GlobalRef, Error> {
        self.asked.borrow_mut().push(format!(
            "global {field} {:?} {}",
            descriptor.value_type(),
            descriptor.is_mutable()
        ));
        Ok(self.global.clone())
    }
    fn resolve_memory(
        &self,
        field: &str,
        descriptor: &MemoryDescriptor,
    ) -> Result<MemoryRef, Error> {
        self.asked.borrow_mut().push(format!(
            "memory {field} {} {:?}",
            descriptor.initial(),
            descriptor.maximum()
        ));
        Ok(self.memory.clone())
    }
    fn resolve_table(&self, field: &str, descriptor: &TableDescriptor) -> Result<TableRef, Error> {
        self.asked.borrow_mut().push(format!(
            "table {field} {} {:?}",
            descriptor.initial(),
            descriptor.maximum()
        ));
        Ok(self.table.clone())
    }
}

#[test]
fn imports_are_asked_for_with_their_descriptors() {
    let recorder = Recorder {
        asked: Default::default(),
        memory: MemoryInstance::alloc(Pages(1), Some(Pages(2))).unwrap(),
        table: TableInstance::alloc(3, Some(4)).unwrap(),
        global: GlobalInstance::alloc(RuntimeValue::I64(9), true),
    };
    let module = load(
        r#"(module
            (import "env" "f" (func (param i32 f64) (result i64)))
            (import "env" "m" (memory 1 2))
            (import "env" "t" (table 3 4 funcref))
            (import "env" "g" (global (mut i64))))"#,
    );
    let imports = ImportsBuilder::new().with_resolver("env", &recorder);
    let resolver: &dyn ImportResolver = &imports;
    let _ = resolver;
    ModuleInstance::new(&module, &imports)
        .unwrap()
        .assert_no_start();
    assert_eq!(
        *recorder.asked.borrow(),
        [
            "func f Signature { params: [I32, F64], return_type: Some(I64) }",
            "memory m 1 Some(2)",
            "table t 3 Some(4)",
            "global g I64 true",
        ]
    );
}

// ---------------------------------------------------------------------------------------
// Modules and instances.

#[test]
fn modules_load_from_binaries_and_refuse_the_rest() {
    Module::from_buffer([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]).unwrap();
    Module::from_buffer(vec![0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]).unwrap();
    Module::from_buffer(wasm("(module)")).unwrap();
    for bytes in [&b""[..], b"\0asm", b"\0asm\x02\0\0\0", b"\x7fELF"] {
        let error = Module::from_buffer(bytes).err().expect("not a module");
        assert_eq!(error_kind(&error), "Validation", "{bytes:?}");
    }
    let invalid = wasm("(module (func (result i32) i64.const 1))");
    let error = Module::from_buffer(invalid).err().expect("invalid");
    assert_eq!(error_kind(&error), "Validation");
    // The text format is not a binary: the seed refuses it, and so does Wasmite without
    // its (default) `wat` feature.
    let text = Module::from_buffer("(module)");
    if cfg!(feature = "wat") {
        assert!(text.is_ok());
    } else {
        assert_eq!(error_kind(&text.err().unwrap()), "Validation");
    }
}

#[test]
fn floating_point_is_denied_in_code_and_function_types() {
    let deny = |text: &str| load(text).deny_floating_point();
    deny("(module (func (param i32) (result i32) local.get 0))").unwrap();
    for text in [
        "(module (func f32.const 1 drop))",
        "(module (memory 1) (func i32.const 0 f64.load drop))",
        "(module (func (param i64) local.get 0 f64.reinterpret_i64 drop))",
        "(module (func (param f32)))",
        "(module (func (result f64) f64.const 0))",
    ] {
        let error = deny(text).expect_err(text);
        assert_eq!(error_kind(&error), "Validation", "{text}");
    }
    // What neither computes on floats nor passes them to or from a defined function is
    // allowed: float locals, globals, and imported functions' types.
    deny("(module (func (local f32)))").unwrap();
    deny("(module (global f64 (f64.const 1)))").unwrap();
    deny(r#"(module (import "env" "f" (func (param f32))))"#).unwrap();
}

const EVERYTHING: &str = r#"
(module
  (import "env" "twice" (func $twice (param i32) (result i32)))
  (type $ret_i32 (func (result i32)))
  (memory (export "memory") 1 3)
  (table (export "table") 3 5 funcref)
  (global $counter (export "counter") (mut i32) (i32.const 0))
  (global (export "answer") i64 (i64.const 42))
  (elem (i32.const 0) $one $echo)
  (data (i32.const 16) "seed")
  (func $one (type $ret_i32) i32.const 1)
  (func $echo (param i32) (result i32) local.get 0)
  (func (export "call_twice") (param i32) (result i32) local.get 0 call $twice)
  (func (export "bump") (result i32)
    global.get $counter i32.const 1 i32.add global.set $counter global.get $counter)
  (func (export "load") (param i32) (result i32) local.get 0 i32.load)
  (func (export "store8") (param i32 i32) local.get 0 local.get 1 i32.store8)
  (func (export "grow") (param i32) (result i32) local.get 0 memory.grow)
  (func (export "indirect") (param i32) (result i32) local.get 0 call_indirect (type $ret_i32))
  (func (export "unreachable") unreachable)
  (func (export "div") (param i32 i32) (result i32) local.get 0 local.get 1 i32.div_s)
  (func (export "to_int") (param f32) (result i32) local.get 0 i32.trunc_f32_s)
  (func $forever (export "forever") call $forever)
  (func (export "nop")))
"#;

/// `env.twice` for [`EVERYTHING`], and the host functions of the host tests.
struct Env;

impl ModuleImportResolver for Env {
    fn resolve_func(&self, field: &str, signature: &Signature) -> Result<FuncRef, Error> {
        let index = match field {
            "twice" => 0,
            "fail" => 1,
            "wrong_type" => 2,
            "code" => 3,
            "narrow" => 4,
            _ => return Err(Error::Instantiation(format!("no function {field}"))),
        };
        Ok(FuncInstance::alloc_host(signature.clone(), index))
    }
}

/// Host functions: 0 doubles its argument, 1 fails with a host error, 2 returns a value of
/// the wrong type, 3 fails with a trap code, 4 reads its argument as a `u8`.
struct Host {
    calls: usize,
}

impl Externals for Host {
    fn invoke_index(
        &mut self,
        index: usize,
        args: RuntimeArgs<'_>,
    ) -> Result<Option<RuntimeValue>, Trap> {
        self.calls += 1;
        match index {
            0 => {
                let x: i32 = args.nth_checked(0)?;
                assert_eq!(args.nth::<i32>(0), x);
                assert_eq!(args.nth_value_checked(0)?, RuntimeValue::I32(x));
                assert!(args.nth_value_checked(1).is_err());
                assert_eq!(args.len(), 1);
                assert_eq!(args.as_ref(), &[RuntimeValue::I32(x)]);
                Ok(Some(RuntimeValue::I32(x * 2)))
            }
            1 => Err(Oops(args.nth_checked::<i32>(0)? as u32))?,
            2 => Ok(Some(RuntimeValue::I64(1))),
            3 => Err(TrapCode::DivisionByZero.into()),
            4 => {
                let byte: u8 = args.nth_checked(0)?;
                Ok(Some(RuntimeValue::from(byte)))
            }
            _ => panic!("no host function {index}"),
        }
    }
}

#[test]
fn instances_expose_their_exports_globals_and_segments() {
    let module = load(EVERYTHING);
    let imports = ImportsBuilder::default().with_resolver("env", &Env);
    let not_started: NotStartedModuleRef<'_> =
        ModuleInstance::new::<ImportsBuilder<'_>>(&module, &imports).unwrap();
    assert!(!not_started.has_start());
    let early: ModuleRef = not_started.not_started_instance().clone();
    let instance = not_started.run_start(&mut NopExternals).unwrap();
    assert!(matches!(
        early.invoke_export("bump", &[], &mut NopExternals),
        Ok(Some(RuntimeValue::I32(1)))
    ));

    // `globals()` is a borrowed vector of every global, imported ones first.
    let globals: Ref<'_, Vec<GlobalRef>> = instance.globals();
    assert_eq!(globals.len(), 2);
    assert_eq!(globals[0].get(), RuntimeValue::I32(1));
    assert_eq!(globals[1].get(), RuntimeValue::I64(42));
    drop(globals);

    let mut host = Host { calls: 0 };
    assert_eq!(
        instance
            .invoke_export("call_twice", &[RuntimeValue::I32(21)], &mut host)
            .unwrap(),
        Some(RuntimeValue::I32(42))
    );
    assert_eq!(host.calls, 1);
    let mut stack = StackRecycler::default();
    assert_eq!(
        instance
            .invoke_export_with_stack("load", &[RuntimeValue::I32(16)], &mut host, &mut stack)
            .unwrap(),
        Some(RuntimeValue::I32(i32::from_le_bytes(*b"seed")))
    );
    assert_eq!(
        instance
            .invoke_export("nop", &[], &mut NopExternals)
            .unwrap(),
        None
    );

    // Exports of each kind.
    let memory = instance.export_by_name("memory").unwrap();
    assert_eq!(format!("{memory:?}"), "ExternVal { Memory }");
    let memory = memory.as_memory().unwrap().clone();
    assert_eq!(
        memory.get_value::<u32>(16).unwrap(),
        u32::from_le_bytes(*b"seed")
    );
    let table = instance.export_by_name("table").unwrap();
    assert_eq!(format!("{table:?}"), "ExternVal { Table }");
    assert!(table.as_func().is_none() && table.as_memory().is_none());
    let table = table.as_table().unwrap().clone();
    assert!(table.get(0).unwrap().is_some() && table.get(2).unwrap().is_none());
    let counter = instance.export_by_name("counter").unwrap();
    assert_eq!(format!("{counter:?}"), "ExternVal { Global }");
    assert!(counter.as_table().is_none());
    assert!(counter.as_global().unwrap().is_mutable());
    let func = instance.export_by_name("nop").unwrap();
    assert_eq!(format!("{func:?}"), "ExternVal { Func }");
    assert!(func.as_global().is_none());
    assert!(instance.export_by_name("missing").is_none());

    // Wasm writes are the host's reads, and the other way round.
    instance
        .invoke_export(
            "store8",
            &[RuntimeValue::I32(100), RuntimeValue::I32(0x1ff)],
            &mut NopExternals,
        )
        .unwrap();
    assert_eq!(memory.get_value::<u8>(100).unwrap(), 0xff);
    memory.set_value(200, 77i32).unwrap();
    assert_eq!(
        instance
            .invoke_export("load", &[RuntimeValue::I32(200)], &mut NopExternals)
            .unwrap(),
        Some(RuntimeValue::I32(77))
    );
    assert_eq!(
        instance
            .invoke_export("grow", &[RuntimeValue::I32(2)], &mut NopExternals)
            .unwrap(),
        Some(RuntimeValue::I32(1))
    );
    assert_eq!(memory.current_size(), Pages(3));
    assert_eq!(
        instance
            .invoke_export("grow", &[RuntimeValue::I32(1)], &mut NopExternals)
            .unwrap(),
        Some(RuntimeValue::I32(-1))
    );
    table.set(2, Some(table.get(0).unwrap().unwrap())).unwrap();
    assert_eq!(
        instance
            .invoke_export("indirect", &[RuntimeValue::I32(2)], &mut NopExternals)
            .unwrap(),
        Some(RuntimeValue::I32(1))
    );
}

#[test]
fn instances_print_their_entities() {
    let instance = instantiate(
        r#"(module (type (func (param i64))) (memory (export "m") 1) (table 1 funcref)
            (global (export "g") i32 (i32.const 5)) (func (export "f") (result i32) i32.const 1))"#,
    );
    assert_eq!(
        format!("{instance:?}"),
        "ModuleRef(ModuleInstance { \
         signatures: RefCell { value: [Signature { params: [I64], return_type: None }, \
         Signature { params: [], return_type: Some(I32) }] }, \
         tables: RefCell { value: [TableRef(TableInstance { limits: ResizableLimits { \
         initial: 1, maximum: None }, buffer.len: 1 })] }, \
         funcs: RefCell { value: [FuncRef(Internal { signature=Signature { params: [], \
         return_type: Some(I32) } })] }, \
         memories: RefCell { value: [MemoryRef(MemoryInstance { limits: ResizableLimits { \
         initial: 1, maximum: None }, buffer.len: 65536, maximum: None, initial: Pages(1) })] }, \
         globals: RefCell { value: [GlobalRef(GlobalInstance { val: Cell { value: I32(5) }, \
         mutable: false })] }, \
         exports: RefCell { value: {\"f\": ExternVal { Func }, \"g\": ExternVal { Global }, \
         \"m\": ExternVal { Memory }} } })"
    );
}

#[test]
fn invoking_what_is_not_there_or_with_wrong_arguments_fails() {
    let module = load(EVERYTHING);
    let imports = ImportsBuilder::default().with_resolver("env", &Env);
    let instance = ModuleInstance::new(&module, &imports)
        .unwrap()
        .assert_no_start();
    let error = instance
        .invoke_export("missing", &[], &mut NopExternals)
        .unwrap_err();
    assert_eq!(error_kind(&error), "Function");
    assert_eq!(
        error.to_string(),
        "Function: Module doesn't have export missing"
    );
    let error = instance
        .invoke_export("memory", &[], &mut NopExternals)
        .unwrap_err();
    assert_eq!(
        error.to_string(),
        "Function: Export memory is not a function, but ExternVal { Memory }"
    );
    for args in [
        &[][..],
        &[RuntimeValue::I64(1)],
        &[RuntimeValue::I32(1), RuntimeValue::I32(2)],
    ] {
        let error = instance
            .invoke_export("load", args, &mut NopExternals)
            .unwrap_err();
        assert_eq!(trap_code_name(trap_code(error)), "UnexpectedSignature");
    }
    let load = instance.export_by_name("load").unwrap();
    let load = load.as_func().unwrap();
    let trap = FuncInstance::invoke(load, &[RuntimeValue::F32(1.0f32.into())], &mut NopExternals)
        .unwrap_err();
    assert_eq!(trap_kind(&trap), "UnexpectedSignature");
}

#[test]
fn every_trap_code_comes_from_its_wasm_instruction() {
    let module = load(EVERYTHING);
    let imports = ImportsBuilder::default().with_resolver("env", &Env);
    let instance = ModuleInstance::new(&module, &imports)
        .unwrap()
        .assert_no_start();
    let trap = |name: &str, args: &[RuntimeValue]| {
        let error = instance
            .invoke_export(name, args, &mut NopExternals)
            .expect_err(name);
        trap_code_name(trap_code(error))
    };
    assert_eq!(trap("unreachable", &[]), "Unreachable");
    assert_eq!(
        trap("load", &[RuntimeValue::I32(65534)]),
        "MemoryAccessOutOfBounds"
    );
    // Past the table's end, the seed's code is `TableAccessOutOfBounds` ("undefined
    // element"); a null entry is `ElemUninitialized`; another type `UnexpectedSignature`.
    assert_eq!(
        trap("indirect", &[RuntimeValue::I32(3)]),
        "TableAccessOutOfBounds"
    );
    assert_eq!(
        trap("indirect", &[RuntimeValue::I32(-1)]),
        "TableAccessOutOfBounds"
    );
    assert_eq!(
        trap("indirect", &[RuntimeValue::I32(2)]),
        "ElemUninitialized"
    );
    assert_eq!(
        trap("indirect", &[RuntimeValue::I32(1)]),
        "UnexpectedSignature"
    );
    assert_eq!(
        trap("div", &[RuntimeValue::I32(1), RuntimeValue::I32(0)]),
        "DivisionByZero"
    );
    assert_eq!(
        trap("div", &[RuntimeValue::I32(i32::MIN), RuntimeValue::I32(-1)]),
        "IntegerOverflow"
    );
    assert_eq!(
        trap("to_int", &[RuntimeValue::F32(f32::NAN.into())]),
        "InvalidConversionToInt"
    );
    assert_eq!(trap("forever", &[]), "StackOverflow");
    let error = instance
        .invoke_export("unreachable", &[], &mut NopExternals)
        .unwrap_err();
    assert_eq!(error.to_string(), "Trap: Code(Unreachable)");
}

#[test]
fn host_functions_from_wasm_and_called_directly() {
    let module = load(
        r#"(module
            (import "env" "twice" (func $twice (param i32) (result i32)))
            (import "env" "fail" (func $fail (param i32) (result i32)))
            (import "env" "wrong_type" (func $wrong (result i32)))
            (import "env" "code" (func $code))
            (import "env" "narrow" (func $narrow (param i32) (result i32)))
            (func (export "fail") (param i32) (result i32) local.get 0 call $fail)
            (func (export "wrong") (result i32) call $wrong)
            (func (export "code") call $code)
            (func (export "narrow") (param i32) (result i32) local.get 0 call $narrow)
            (func (export "twice") (param i32) (result i32) local.get 0 call $twice))"#,
    );
    let imports = ImportsBuilder::new().with_resolver("env", &Env);
    let instance = ModuleInstance::new(&module, &imports)
        .unwrap()
        .assert_no_start();
    let mut host = Host { calls: 0 };
    let call = |host: &mut Host, name: &str, args: &[RuntimeValue]| {
        instance.invoke_export(name, args, host)
    };

    // A host error raised with `?` comes back as the error's `Trap::Host`.
    let error = call(&mut host, "fail", &[RuntimeValue::I32(12)]).unwrap_err();
    let oops = error.try_into_host_error().unwrap();
    assert_eq!(oops.downcast_ref::<Oops>(), Some(&Oops(12)));
    // A result of the wrong type traps.
    let error = call(&mut host, "wrong", &[]).unwrap_err();
    assert_eq!(trap_code_name(trap_code(error)), "UnexpectedSignature");
    // A trap code is passed on.
    let error = call(&mut host, "code", &[]).unwrap_err();
    assert_eq!(trap_code_name(trap_code(error)), "DivisionByZero");
    // `nth_checked` refuses an argument out of the target type's range.
    assert_eq!(
        call(&mut host, "narrow", &[RuntimeValue::I32(200)]).unwrap(),
        Some(RuntimeValue::I32(200))
    );
    let error = call(&mut host, "narrow", &[RuntimeValue::I32(300)]).unwrap_err();
    assert_eq!(trap_code_name(trap_code(error)), "UnexpectedSignature");
    // Without host functions, a call traps with `Unreachable`.
    let error = instance
        .invoke_export("twice", &[RuntimeValue::I32(1)], &mut NopExternals)
        .unwrap_err();
    assert_eq!(trap_code_name(trap_code(error)), "Unreachable");
    assert_eq!(host.calls, 5);

    // Host functions called directly reach `invoke_index`; their result is returned as
    // the host gave it.
    let twice = FuncInstance::alloc_host(
        Signature::new(&[ValueType::I32][..], Some(ValueType::I32)),
        0,
    );
    assert_eq!(
        twice.signature(),
        &Signature::new(&[ValueType::I32][..], Some(ValueType::I32))
    );
    assert_eq!(
        FuncInstance::invoke(&twice, &[RuntimeValue::I32(4)], &mut host).unwrap(),
        Some(RuntimeValue::I32(8))
    );
    let mut stack = StackRecycler::default();
    assert_eq!(
        FuncInstance::invoke_with_stack(&twice, &[RuntimeValue::I32(5)], &mut host, &mut stack)
            .unwrap(),
        Some(RuntimeValue::I32(10))
    );
    let wrong = FuncInstance::alloc_host(Signature::new(&[][..], Some(ValueType::I32)), 2);
    assert_eq!(
        FuncInstance::invoke(&wrong, &[], &mut host).unwrap(),
        Some(RuntimeValue::I64(1))
    );
    let trap = FuncInstance::invoke(&twice, &[RuntimeValue::I64(4)], &mut host).unwrap_err();
    assert_eq!(trap_kind(&trap), "UnexpectedSignature");
    let trap =
        FuncInstance::invoke(&twice, &[RuntimeValue::I32(4)], &mut NopExternals).unwrap_err();
    assert_eq!(trap_kind(&trap), "Unreachable");

    // Debug texts of functions: a Wasm function is `Internal`, a host one `Host`.
    assert_eq!(
        format!("{:?}", *twice),
        "Host { signature=Signature { params: [I32], return_type: Some(I32) } }"
    );
    assert_eq!(
        format!("{twice:?}"),
        "FuncRef(Host { signature=Signature { params: [I32], return_type: Some(I32) } })"
    );
    let exported = instance.export_by_name("narrow").unwrap();
    assert_eq!(
        format!("{:?}", exported.as_func().unwrap()),
        "FuncRef(Internal { signature=Signature { params: [I32], return_type: Some(I32) } })"
    );
    let args: RuntimeArgs<'_> = (&[RuntimeValue::I32(1), RuntimeValue::I64(2)][..]).into();
    assert_eq!(format!("{args:?}"), "RuntimeArgs([I32(1), I64(2)])");
    assert!(args.nth_checked::<i64>(0).is_err());
    assert_eq!(args.nth_checked::<i64>(1).unwrap(), 2);
}

/// The module of the resumable-call tests: `run` calls host function 1 (`fail`), which
/// traps with a host error, and adds one to what it returns.
const RESUMABLE: &str = r#"
(module
  (import "env" "fail" (func $fail (param i32) (result i32)))
  (import "env" "code" (func $code))
  (func (export "run") (param i32) (result i32) local.get 0 call $fail i32.const 1 i32.add)
  (func (export "code") call $code)
  (func (export "plain") (param i32) (result i32) local.get 0))
"#;

fn resumable_func(instance: &ModuleRef, name: &str) -> FuncRef {
    instance
        .export_by_name(name)
        .and_then(|export| export.as_func().cloned())
        .expect("exported function")
}

#[test]
fn resumable_calls_resume_after_host_errors_only() {
    let module = load(RESUMABLE);
    let imports = ImportsBuilder::new().with_resolver("env", &Env);
    let instance = ModuleInstance::new(&module, &imports)
        .unwrap()
        .assert_no_start();
    let mut host = Host { calls: 0 };

    // A host error suspends the call; it resumes with the value the host function should
    // have returned.
    let run = resumable_func(&instance, "run");
    let mut invocation: FuncInvocation<'_> =
        FuncInstance::invoke_resumable(&run, vec![RuntimeValue::I32(3)]).unwrap();
    assert!(!invocation.is_resumable());
    assert_eq!(invocation.resumable_value_type(), None);
    match invocation.start_execution(&mut host) {
        Err(ResumableError::Trap(Trap::Host(error))) => assert!(error.is::<Oops>()),
        other => panic!("{other:?}"),
    }
    assert!(invocation.is_resumable());
    assert_eq!(invocation.resumable_value_type(), Some(ValueType::I32));
    let again = invocation.start_execution(&mut host).unwrap_err();
    assert_eq!(resumable_kind(&again), "AlreadyStarted");
    // A value of the wrong type is refused, and the call stays resumable.
    let wrong = invocation
        .resume_execution(Some(RuntimeValue::I64(1)), &mut host)
        .unwrap_err();
    assert_eq!(resumable_kind(&wrong), "UnexpectedSignature");
    let missing = invocation.resume_execution(None, &mut host).unwrap_err();
    assert_eq!(resumable_kind(&missing), "UnexpectedSignature");
    assert!(invocation.is_resumable());
    assert_eq!(
        invocation
            .resume_execution(Some(RuntimeValue::I32(41)), &mut host)
            .unwrap(),
        Some(RuntimeValue::I32(42))
    );
    // A finished call: not resumable, and resuming it says it was already started.
    assert!(!invocation.is_resumable());
    assert_eq!(invocation.resumable_value_type(), None);
    let finished = invocation.resume_execution(None, &mut host).unwrap_err();
    assert_eq!(resumable_kind(&finished), "AlreadyStarted");
    let finished = invocation
        .resume_execution(Some(RuntimeValue::I32(1)), &mut host)
        .unwrap_err();
    assert_eq!(resumable_kind(&finished), "UnexpectedSignature");

    // A trap code from a host function does not suspend the call.
    let code = resumable_func(&instance, "code");
    let mut invocation = FuncInstance::invoke_resumable(&code, &[][..]).unwrap();
    let error = invocation.start_execution(&mut host).unwrap_err();
    assert_eq!(resumable_kind(&error), "DivisionByZero");
    assert!(!invocation.is_resumable());
    let error = invocation.resume_execution(None, &mut host).unwrap_err();
    assert_eq!(resumable_kind(&error), "AlreadyStarted");

    // A call that was never started cannot be resumed either.
    let plain = resumable_func(&instance, "plain");
    let args = [RuntimeValue::I32(9)];
    let mut invocation = FuncInstance::invoke_resumable(&plain, &args[..]).unwrap();
    let error = invocation.resume_execution(None, &mut host).unwrap_err();
    assert_eq!(resumable_kind(&error), "AlreadyStarted");
    assert_eq!(
        invocation.start_execution(&mut host).unwrap(),
        Some(RuntimeValue::I32(9))
    );
    let error = invocation.start_execution(&mut host).unwrap_err();
    assert_eq!(resumable_kind(&error), "AlreadyStarted");

    // Arguments of the wrong type are refused up front.
    let error = FuncInstance::invoke_resumable(&plain, Cow::Owned(vec![RuntimeValue::I64(9)]))
        .err()
        .expect("wrong argument type");
    assert_eq!(trap_kind(&error), "UnexpectedSignature");
}

#[test]
fn resumable_calls_of_host_functions_run_once_and_never_resume() {
    let mut host = Host { calls: 0 };
    let twice = FuncInstance::alloc_host(
        Signature::new(&[ValueType::I32][..], Some(ValueType::I32)),
        0,
    );
    let mut invocation =
        FuncInstance::invoke_resumable(&twice, vec![RuntimeValue::I32(8)]).unwrap();
    assert!(!invocation.is_resumable());
    assert_eq!(
        invocation.start_execution(&mut host).unwrap(),
        Some(RuntimeValue::I32(16))
    );
    let error = invocation.start_execution(&mut host).unwrap_err();
    assert_eq!(resumable_kind(&error), "AlreadyStarted");
    let error = invocation.resume_execution(None, &mut host).unwrap_err();
    assert_eq!(resumable_kind(&error), "NotResumable");
    let error = invocation
        .resume_execution(Some(RuntimeValue::I32(1)), &mut host)
        .unwrap_err();
    assert_eq!(resumable_kind(&error), "UnexpectedSignature");
    assert_eq!(host.calls, 1);

    let fail = FuncInstance::alloc_host(Signature::new(&[ValueType::I32][..], None), 1);
    let mut invocation = FuncInstance::invoke_resumable(&fail, vec![RuntimeValue::I32(2)]).unwrap();
    let error = invocation.start_execution(&mut host).unwrap_err();
    assert_eq!(resumable_kind(&error), "Host");
    assert!(!invocation.is_resumable());
    let error = invocation.resume_execution(None, &mut host).unwrap_err();
    assert_eq!(resumable_kind(&error), "NotResumable");
    assert_eq!(
        format!("{:?}", ResumableError::AlreadyStarted),
        "AlreadyStarted"
    );
    assert_eq!(
        format!("{:?}", ResumableError::Trap(TrapCode::Unreachable.into())),
        "Trap(Code(Unreachable))"
    );
}

#[test]
fn start_functions_and_linking() {
    let module = load(
        r#"(module
            (global $g (export "g") (mut i32) (i32.const 0))
            (memory (export "memory") 1)
            (table (export "table") 1 funcref)
            (func $start (global.set $g (i32.const 9)))
            (func (export "get") (result i32) global.get $g)
            (start $start))"#,
    );
    let not_started = ModuleInstance::new(&module, &ImportsBuilder::default()).unwrap();
    assert!(not_started.has_start());
    let early = not_started.not_started_instance().clone();
    assert_eq!(
        early.invoke_export("get", &[], &mut NopExternals).unwrap(),
        Some(RuntimeValue::I32(0))
    );
    let instance = not_started.run_start(&mut NopExternals).unwrap();
    assert_eq!(
        instance
            .invoke_export("get", &[], &mut NopExternals)
            .unwrap(),
        Some(RuntimeValue::I32(9))
    );
    let mut stack = StackRecycler::with_limits(DEFAULT_VALUE_STACK_LIMIT, DEFAULT_CALL_STACK_LIMIT);
    let other = ModuleInstance::new(&module, &ImportsBuilder::default())
        .unwrap()
        .run_start_with_stack(&mut NopExternals, &mut stack)
        .unwrap();
    assert_eq!(
        other.invoke_export("get", &[], &mut NopExternals).unwrap(),
        Some(RuntimeValue::I32(9))
    );
    // `assert_no_start` panics on a module with a start function.
    let not_started = ModuleInstance::new(&module, &ImportsBuilder::default()).unwrap();
    let panicked = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        not_started.assert_no_start()
    }));
    assert!(panicked.is_err());

    // An instance resolves another module's imports from its exports.
    let user = load(
        r#"(module
            (import "first" "g" (global (mut i32)))
            (import "first" "memory" (memory 1))
            (import "first" "table" (table 1 funcref))
            (import "first" "get" (func (result i32)))
            (func (export "via") (result i32) call 0))"#,
    );
    let imports = ImportsBuilder::new().with_resolver("first", &instance);
    let linked = ModuleInstance::new(&user, &imports)
        .unwrap()
        .assert_no_start();
    assert_eq!(
        linked.invoke_export("via", &[], &mut NopExternals).unwrap(),
        Some(RuntimeValue::I32(9))
    );
    // Asking it for what it does not export, or for an export of another kind, fails to
    // link with `Instantiation`.
    let sig = Signature::new(&[][..], None);
    assert_eq!(
        error_kind(&instance.resolve_func("missing", &sig).unwrap_err()),
        "Instantiation"
    );
    assert_eq!(
        error_kind(&instance.resolve_func("g", &sig).unwrap_err()),
        "Instantiation"
    );
    let memory = load(r#"(module (import "first" "get" (memory 1)))"#);
    let error = ModuleInstance::new(&memory, &imports)
        .err()
        .expect("a function, not a memory");
    assert_eq!(error_kind(&error), "Instantiation");
}

#[test]
fn linking_failures_are_instantiation_errors() {
    let module = load(r#"(module (import "env" "f" (func (param i32))))"#);
    // No resolver for the module name.
    let error = ModuleInstance::new(&module, &ImportsBuilder::new())
        .err()
        .unwrap();
    assert_eq!(error_kind(&error), "Instantiation");
    // A resolver that provides nothing: the trait's defaults.
    struct Nothing;
    impl ModuleImportResolver for Nothing {}
    let nothing = Nothing;
    let mut imports = ImportsBuilder::new();
    imports.push_resolver("env", &nothing);
    let error = ModuleInstance::new(&module, &imports).err().unwrap();
    assert_eq!(error_kind(&error), "Instantiation");
    let descriptor_free = Nothing;
    assert_eq!(
        error_kind(
            &descriptor_free
                .resolve_func("f", &Signature::new(&[][..], None))
                .unwrap_err()
        ),
        "Instantiation"
    );
    // A function of another type.
    let error = ModuleInstance::with_externvals(
        &module,
        [ExternVal::Func(FuncInstance::alloc_host(
            Signature::new(&[ValueType::I64][..], None),
            0,
        ))]
        .iter(),
    )
    .err()
    .unwrap();
    assert_eq!(error_kind(&error), "Instantiation");
    // Too few or too many values, or one of another kind.
    assert!(ModuleInstance::with_externvals(&module, [].iter()).is_err());
    let f = ExternVal::Func(FuncInstance::alloc_host(
        Signature::new(&[ValueType::I32][..], None),
        0,
    ));
    let error = ModuleInstance::with_externvals(&module, [f.clone(), f.clone()].iter())
        .err()
        .unwrap();
    assert_eq!(error_kind(&error), "Instantiation");
    let memory = ExternVal::Memory(MemoryInstance::alloc(Pages(1), None).unwrap());
    let error = ModuleInstance::with_externvals(&module, [memory].iter())
        .err()
        .unwrap();
    assert_eq!(error_kind(&error), "Instantiation");
    let instance = ModuleInstance::with_externvals(&module, [f].iter())
        .unwrap()
        .assert_no_start();
    assert!(instance.export_by_name("f").is_none());
}

#[test]
fn stack_recyclers_limit_the_call_depth() {
    let instance = instantiate(
        r#"(module (func $down (export "down") (param i32) (result i32)
            local.get 0 i32.eqz
            if (result i32) i32.const 0
            else local.get 0 i32.const 1 i32.sub call $down i32.const 1 i32.add end))"#,
    );
    let mut shallow = StackRecycler::with_limits(DEFAULT_VALUE_STACK_LIMIT, 64);
    assert_eq!(
        instance
            .invoke_export_with_stack(
                "down",
                &[RuntimeValue::I32(10)],
                &mut NopExternals,
                &mut shallow
            )
            .unwrap(),
        Some(RuntimeValue::I32(10))
    );
    let error = instance
        .invoke_export_with_stack(
            "down",
            &[RuntimeValue::I32(1000)],
            &mut NopExternals,
            &mut shallow,
        )
        .unwrap_err();
    assert_eq!(trap_code_name(trap_code(error)), "StackOverflow");
    shallow.clear();
    assert_eq!(
        instance
            .invoke_export_with_stack(
                "down",
                &[RuntimeValue::I32(20)],
                &mut NopExternals,
                &mut shallow
            )
            .unwrap(),
        Some(RuntimeValue::I32(20))
    );
    assert_eq!(DEFAULT_VALUE_STACK_LIMIT, 1024 * 1024);
    assert_eq!(DEFAULT_CALL_STACK_LIMIT, 64 * 1024);
}

// ---------------------------------------------------------------------------------------
// Memories, tables and globals made by the host.

#[test]
fn memories() {
    let memory = MemoryInstance::alloc(Pages(1), Some(Pages(3))).unwrap();
    assert_eq!(memory.initial(), Pages(1));
    assert_eq!(memory.maximum(), Some(Pages(3)));
    assert_eq!(memory.current_size(), Pages(1));
    let size: Bytes = memory.current_size().into();
    assert_eq!(size, Bytes(65536));
    assert_eq!(
        format!("{:?}", *memory),
        "MemoryInstance { limits: ResizableLimits { initial: 1, maximum: Some(3) }, \
         buffer.len: 65536, maximum: Some(Pages(3)), initial: Pages(1) }"
    );

    // Sizes out of range are `Memory` errors.
    for (initial, maximum) in [
        (Pages(2), Some(Pages(1))),
        (Pages(65537), None),
        (Pages(0), Some(Pages(65537))),
    ] {
        let error = MemoryInstance::alloc(initial, maximum).unwrap_err();
        assert_eq!(error_kind(&error), "Memory");
    }
    MemoryInstance::alloc(Pages(0), Some(Pages(65536))).unwrap();

    // Growth returns the old size and stops at the maximum.
    assert_eq!(memory.grow(Pages(0)).unwrap(), Pages(1));
    assert_eq!(memory.grow(Pages(1)).unwrap(), Pages(1));
    assert_eq!(memory.current_size(), Pages(2));
    assert_eq!(error_kind(&memory.grow(Pages(2)).unwrap_err()), "Memory");
    assert_eq!(memory.current_size(), Pages(2));
    assert_eq!(memory.initial(), Pages(1));

    // Reads and writes, checked against the current size.
    memory.set(10, b"wasm").unwrap();
    #[allow(deprecated)]
    let copied = memory.get(10, 4).unwrap();
    assert_eq!(copied, b"wasm");
    let mut buffer = [0u8; 2];
    memory.get_into(11, &mut buffer).unwrap();
    assert_eq!(&buffer, b"as");
    memory.set_value(100, -2i64).unwrap();
    assert_eq!(memory.get_value::<i64>(100).unwrap(), -2);
    assert_eq!(memory.get_value::<u8>(100).unwrap(), 0xfe);
    memory.set_value(120, F64::from(1.5f64)).unwrap();
    assert_eq!(memory.get_value::<f64>(120).unwrap(), 1.5);
    let end = 2 * 65536;
    assert_eq!(
        error_kind(&memory.set(end - 1, b"ab").unwrap_err()),
        "Memory"
    );
    assert_eq!(
        error_kind(&memory.get_value::<u32>(end - 3).unwrap_err()),
        "Memory"
    );
    assert_eq!(
        error_kind(&memory.get_into(u32::MAX, &mut buffer).unwrap_err()),
        "Memory"
    );
    memory.set(end, &[]).unwrap();

    // Copies within and across memories.
    memory.copy(10, 12, 4).unwrap();
    memory.with_direct_access(|bytes| assert_eq!(&bytes[10..16], b"wawasm"));
    let error = memory.copy_nonoverlapping(10, 12, 4).unwrap_err();
    assert_eq!(error_kind(&error), "Memory");
    memory.copy_nonoverlapping(10, 20, 6).unwrap();
    assert_eq!(
        error_kind(&memory.copy(0, end as usize - 1, 2).unwrap_err()),
        "Memory"
    );
    let other = MemoryInstance::alloc(Pages(1), None).unwrap();
    MemoryInstance::transfer(&memory, 20, &other, 0, 6).unwrap();
    assert_eq!(
        other.get_value::<u16>(0).unwrap(),
        u16::from_le_bytes(*b"wa")
    );
    MemoryInstance::transfer(&memory, 20, &memory, 22, 4).unwrap();
    memory.with_direct_access(|bytes| assert_eq!(&bytes[20..26], b"wawawa"));
    let error = MemoryInstance::transfer(&memory, 0, &other, 65535, 2).unwrap_err();
    assert_eq!(error_kind(&error), "Memory");

    // Fills.
    memory.clear(30, 7, 3).unwrap();
    memory.with_direct_access(|bytes| assert_eq!(&bytes[29..34], [0, 7, 7, 7, 0]));
    memory.zero(31, 1).unwrap();
    memory.with_direct_access(|bytes| assert_eq!(&bytes[30..33], [7, 0, 7]));
    assert_eq!(
        error_kind(&memory.clear(end as usize, 1, 1).unwrap_err()),
        "Memory"
    );

    // Direct access.
    memory.with_direct_access_mut(|bytes| bytes[0] = 1);
    memory.direct_access_mut().as_mut()[1] = 2;
    assert_eq!(&memory.direct_access().as_ref()[..2], [1, 2]);
    assert_eq!(memory.direct_access().as_ref().len(), end as usize);
    memory.erase().unwrap();
    memory.with_direct_access(|bytes| assert!(bytes.iter().all(|&b| b == 0)));
    assert_eq!(memory.current_size(), Pages(2));
}

#[test]
fn tables() {
    let table = TableInstance::alloc(1, Some(3)).unwrap();
    assert_eq!(table.initial_size(), 1);
    assert_eq!(table.maximum_size(), Some(3));
    assert_eq!(table.current_size(), 1);
    assert_eq!(
        format!("{:?}", *table),
        "TableInstance { limits: ResizableLimits { initial: 1, maximum: Some(3) }, buffer.len: 1 }"
    );
    // A maximum below the initial size is refused as the seed refuses it.
    let error = TableInstance::alloc(2, Some(1)).unwrap_err();
    assert_eq!(error_kind(&error), "Instantiation");
    TableInstance::alloc(0, None).unwrap();

    assert!(table.get(0).unwrap().is_none());
    assert_eq!(error_kind(&table.get(1).unwrap_err()), "Table");
    let func = FuncInstance::alloc_host(Signature::new(&[][..], None), 0);
    table.set(0, Some(func.clone())).unwrap();
    assert!(table.get(0).unwrap().is_some());
    assert_eq!(error_kind(&table.set(1, Some(func)).unwrap_err()), "Table");
    // (`TableInstance::grow` is not exercised: the seed's panics on a `RefCell` it
    // borrows twice. Wasmite's grows; see the crate docs' differences.)
    table.set(0, None).unwrap();
    assert!(table.get(0).unwrap().is_none());
}

#[test]
fn globals() {
    let global = GlobalInstance::alloc(RuntimeValue::I32(1), true);
    assert!(global.is_mutable());
    assert_eq!(global.value_type(), ValueType::I32);
    assert_eq!(global.get(), RuntimeValue::I32(1));
    global.set(RuntimeValue::I32(2)).unwrap();
    assert_eq!(global.get(), RuntimeValue::I32(2));
    assert_eq!(
        error_kind(&global.set(RuntimeValue::I64(2)).unwrap_err()),
        "Global"
    );
    assert_eq!(
        format!("{:?}", *global),
        "GlobalInstance { val: Cell { value: I32(2) }, mutable: true }"
    );
    let constant = GlobalInstance::alloc(RuntimeValue::F32(1.5f32.into()), false);
    assert!(!constant.is_mutable());
    assert_eq!(constant.value_type(), ValueType::F32);
    assert_eq!(
        error_kind(&constant.set(RuntimeValue::F32(2.5f32.into())).unwrap_err()),
        "Global"
    );
    assert_eq!(
        format!("{constant:?}"),
        "GlobalRef(GlobalInstance { val: Cell { value: F32(1.5) }, mutable: false })"
    );
}

#[cfg(feature = "parity-wasm")]
#[test]
fn modules_from_parity_wasm() {
    use parity_wasm::elements;
    let parsed: elements::Module = elements::deserialize_buffer(&wasm(
        r#"(module (func (export "seven") (result i32) i32.const 7))"#,
    ))
    .unwrap();
    let module = Module::from_parity_wasm_module(parsed).unwrap();
    let instance = ModuleInstance::new(&module, &ImportsBuilder::default())
        .unwrap()
        .assert_no_start();
    assert_eq!(
        instance
            .invoke_export("seven", &[], &mut NopExternals)
            .unwrap(),
        Some(RuntimeValue::I32(7))
    );
    let built = parity_wasm::builder::module()
        .function()
        .signature()
        .with_param(elements::ValueType::I32)
        .build()
        .body()
        .build()
        .build()
        .build();
    Module::from_parity_wasm_module(built).unwrap();
    let invalid: elements::Module =
        elements::deserialize_buffer(&wasm("(module (func (result i32) i64.const 1))")).unwrap();
    let error = Module::from_parity_wasm_module(invalid).err().unwrap();
    assert_eq!(error_kind(&error), "Validation");
}
