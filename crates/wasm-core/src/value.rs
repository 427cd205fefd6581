//! Value types and runtime values.

use crate::nan_preserving_float::{F32, F64};

/// The type of a WebAssembly value.
///
/// The seed's four number types, and only those: code that matches on it exhaustively, as
/// seed programs do, keeps compiling. [`ValType`] adds the reference types (and later
/// proposals' types). Types order as declared (`I32 < I64 < F32 < F64`), as the seed's do.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ValueType {
    /// 32-bit integer.
    I32,
    /// 64-bit integer.
    I64,
    /// 32-bit IEEE 754 float.
    F32,
    /// 64-bit IEEE 754 float.
    F64,
}

impl core::fmt::Display for ValueType {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(match self {
            ValueType::I32 => "i32",
            ValueType::I64 => "i64",
            ValueType::F32 => "f32",
            ValueType::F64 => "f64",
        })
    }
}

/// A heap type: what a reference points to (typed function references, Wasm 3.0).
///
/// The abstract types of the three hierarchies Wasmite builds (`func`, `extern`, `exn`),
/// the bottom of the exception hierarchy (`noexn`, which exception handling defines),
/// and the concrete function types of a module, by their index in its type section.
/// GC adds its own abstract types (`any`, `eq`, `struct`...) and the other bottom types
/// (`none`, `nofunc`, `noextern`) here; the enum is non-exhaustive so that they are
/// additions.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum HeapType {
    /// Any function (`func`).
    Func,
    /// Any host reference (`extern`).
    Extern,
    /// Any caught exception (`exn`, exception handling).
    Exn,
    /// No exception at all (`noexn`, exception handling): the bottom of the `exn`
    /// hierarchy, a subtype of `exn` whose only value is `null` (`nullexnref`).
    NoExn,
    /// The function type at this index of the module's type section. The index is the
    /// module's own: two modules compare their types through their
    /// [`Signature`](crate::Signature)s, which compare structurally.
    Concrete(u32),
}

impl HeapType {
    /// The abstract type at the top of this type's hierarchy: `func` for a concrete
    /// function type, `exn` for `noexn`, the type itself otherwise.
    #[inline]
    pub fn top(self) -> HeapType {
        match self {
            HeapType::Concrete(_) => HeapType::Func,
            HeapType::NoExn => HeapType::Exn,
            other => other,
        }
    }

    /// Whether this is the bottom of its hierarchy (`noexn`), a type without non-null
    /// values.
    #[inline]
    pub fn is_bottom(self) -> bool {
        self == HeapType::NoExn
    }
}

impl core::fmt::Display for HeapType {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            HeapType::Func => f.write_str("func"),
            HeapType::Extern => f.write_str("extern"),
            HeapType::Exn => f.write_str("exn"),
            HeapType::NoExn => f.write_str("noexn"),
            HeapType::Concrete(index) => write!(f, "{index}"),
        }
    }
}

/// A reference type: what a table holds, or a value of type [`ValType::Ref`]: a
/// [`HeapType`] and whether `null` is a value of the type.
///
/// Wasm 2.0's two types are [`RefType::FUNCREF`] and [`RefType::EXTERNREF`] (nullable,
/// abstract); typed function references add non-nullable types and concrete function
/// types. The engine's cell form of every reference is a handle, 0 for null.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RefType {
    /// Whether `null` is a value of this type (`ref null ht`).
    pub nullable: bool,
    /// What the reference points to.
    pub heap: HeapType,
}

impl RefType {
    /// `funcref`, that is `(ref null func)`.
    pub const FUNCREF: RefType = RefType::new(true, HeapType::Func);
    /// `externref`, that is `(ref null extern)`.
    pub const EXTERNREF: RefType = RefType::new(true, HeapType::Extern);
    /// `exnref`, that is `(ref null exn)` (exception handling).
    pub const EXNREF: RefType = RefType::new(true, HeapType::Exn);
    /// `nullexnref`, that is `(ref null noexn)` (exception handling): only `null`.
    pub const NULLEXNREF: RefType = RefType::new(true, HeapType::NoExn);

    /// `(ref null heap)` if `nullable`, `(ref heap)` otherwise.
    #[inline]
    pub const fn new(nullable: bool, heap: HeapType) -> RefType {
        RefType { nullable, heap }
    }

    /// The nullable abstract type at the top of this type's hierarchy: `funcref` for
    /// every function reference type, `externref`, `exnref` (also for `nullexnref`). Values of types with the
    /// same top are stored alike (in tables, at the host boundary).
    #[inline]
    pub fn top(self) -> RefType {
        RefType::new(true, self.heap.top())
    }

    /// This type made nullable.
    #[inline]
    pub fn as_nullable(self) -> RefType {
        RefType::new(true, self.heap)
    }

    /// This type made non-nullable.
    #[inline]
    pub fn as_non_nullable(self) -> RefType {
        RefType::new(false, self.heap)
    }

    /// Whether this is a function reference type (of the `func` hierarchy).
    #[inline]
    pub fn is_func(self) -> bool {
        self.heap.top() == HeapType::Func
    }

    /// Whether this is `externref` or `(ref extern)`.
    #[inline]
    pub fn is_extern(self) -> bool {
        self.heap == HeapType::Extern
    }

    /// Whether this is a type of the exception hierarchy: `exnref`, `nullexnref` or
    /// their non-nullable forms.
    #[inline]
    pub fn is_exn(self) -> bool {
        self.heap.top() == HeapType::Exn
    }
}

impl core::fmt::Display for RefType {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match (self.nullable, self.heap) {
            (true, HeapType::Func) => f.write_str("funcref"),
            (true, HeapType::Extern) => f.write_str("externref"),
            (true, HeapType::Exn) => f.write_str("exnref"),
            (true, HeapType::NoExn) => f.write_str("nullexnref"),
            (true, heap) => write!(f, "(ref null {heap})"),
            (false, heap) => write!(f, "(ref {heap})"),
        }
    }
}

/// The type of any WebAssembly value: the number types of the seed's [`ValueType`] and
/// the reference types (Wasm 2.0).
///
/// [`ValueType`] stays the seed's four number types, so that code matching on it
/// exhaustively keeps compiling; `ValType` is the whole list, used wherever a value may
/// be a reference (signatures' [`param_types`](crate::Signature::param_types), locals,
/// globals, tables) or a vector ([`ValType::V128`], the SIMD proposal). Later proposals
/// add richer reference types (typed function references, GC types) inside [`RefType`].
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ValType {
    /// 32-bit integer.
    I32,
    /// 64-bit integer.
    I64,
    /// 32-bit IEEE 754 float.
    F32,
    /// 64-bit IEEE 754 float.
    F64,
    /// 128-bit vector (SIMD proposal).
    V128,
    /// A reference.
    Ref(RefType),
}

impl ValType {
    /// `funcref`.
    pub const FUNCREF: ValType = ValType::Ref(RefType::FUNCREF);
    /// `externref`.
    pub const EXTERNREF: ValType = ValType::Ref(RefType::EXTERNREF);
    /// `exnref` (exception handling).
    pub const EXNREF: ValType = ValType::Ref(RefType::EXNREF);

    /// The number type, if this is one.
    #[inline]
    pub fn number(self) -> Option<ValueType> {
        match self {
            ValType::I32 => Some(ValueType::I32),
            ValType::I64 => Some(ValueType::I64),
            ValType::F32 => Some(ValueType::F32),
            ValType::F64 => Some(ValueType::F64),
            ValType::V128 | ValType::Ref(_) => None,
        }
    }

    /// The reference type, if this is one.
    #[inline]
    pub fn reference(self) -> Option<RefType> {
        match self {
            ValType::Ref(r) => Some(r),
            _ => None,
        }
    }

    /// Whether values of this type are references.
    #[inline]
    pub fn is_ref(self) -> bool {
        matches!(self, ValType::Ref(_))
    }

    /// How many of the engine's 64-bit cells a value of this type takes: 2 for `v128`,
    /// 1 for every other type.
    #[inline]
    pub fn cells(self) -> usize {
        match self {
            ValType::V128 => 2,
            _ => 1,
        }
    }
}

impl From<ValueType> for ValType {
    #[inline]
    fn from(ty: ValueType) -> Self {
        match ty {
            ValueType::I32 => ValType::I32,
            ValueType::I64 => ValType::I64,
            ValueType::F32 => ValType::F32,
            ValueType::F64 => ValType::F64,
        }
    }
}

impl From<RefType> for ValType {
    #[inline]
    fn from(ty: RefType) -> Self {
        ValType::Ref(ty)
    }
}

impl PartialEq<ValueType> for ValType {
    fn eq(&self, other: &ValueType) -> bool {
        *self == ValType::from(*other)
    }
}

impl core::fmt::Display for ValType {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            ValType::Ref(r) => core::fmt::Display::fmt(r, f),
            ValType::V128 => f.write_str("v128"),
            other => match other.number() {
                Some(n) => core::fmt::Display::fmt(&n, f),
                None => Ok(()),
            },
        }
    }
}

/// A 128-bit vector value (`v128`, the SIMD proposal), bit-exact.
///
/// The bits are the vector's 16 bytes in memory order read as a little-endian `u128`:
/// lane 0 of every shape is in the low bits. Construct one from its bits, its bytes, or
/// its lanes of any shape (`from_i32x4`...), and read it back the same ways.
#[derive(Copy, Clone, Default, PartialEq, Eq, Hash)]
pub struct V128(u128);

impl V128 {
    /// The vector with these bits (lane 0 in the low bits).
    #[inline]
    pub const fn from_bits(bits: u128) -> V128 {
        V128(bits)
    }

    /// The vector's bits.
    #[inline]
    pub const fn to_bits(self) -> u128 {
        self.0
    }

    /// The vector whose memory representation is `bytes`.
    #[inline]
    pub const fn from_bytes(bytes: [u8; 16]) -> V128 {
        V128(u128::from_le_bytes(bytes))
    }

    /// The vector's memory representation.
    #[inline]
    pub const fn to_bytes(self) -> [u8; 16] {
        self.0.to_le_bytes()
    }

    /// The vector as two 64-bit halves, low half first (the engine's two cells).
    #[inline]
    pub const fn to_cells(self) -> [u64; 2] {
        [self.0 as u64, (self.0 >> 64) as u64]
    }

    /// The vector from two 64-bit halves, low half first.
    #[inline]
    pub const fn from_cells(cells: [u64; 2]) -> V128 {
        V128(cells[0] as u128 | (cells[1] as u128) << 64)
    }
}

macro_rules! v128_lanes {
    ($($from:ident $to:ident $t:ty, $n:literal;)*) => {
        impl V128 {
            $(
                #[doc = concat!("The vector of these `", stringify!($t), "` lanes (lane 0 first).")]
                #[inline]
                pub fn $from(lanes: [$t; $n]) -> V128 {
                    const W: usize = 16 / $n;
                    let mut bytes = [0u8; 16];
                    for (chunk, lane) in bytes.chunks_exact_mut(W).zip(lanes) {
                        chunk.copy_from_slice(&lane.to_le_bytes());
                    }
                    V128::from_bytes(bytes)
                }

                #[doc = concat!("The vector's `", stringify!($t), "` lanes (lane 0 first).")]
                #[inline]
                pub fn $to(self) -> [$t; $n] {
                    const W: usize = 16 / $n;
                    let bytes = self.to_bytes();
                    let mut lanes = [<$t>::default(); $n];
                    for (lane, chunk) in lanes.iter_mut().zip(bytes.chunks_exact(W)) {
                        let mut raw = [0u8; W];
                        raw.copy_from_slice(chunk);
                        *lane = <$t>::from_le_bytes(raw);
                    }
                    lanes
                }
            )*
        }
    };
}

v128_lanes! {
    from_i8x16 to_i8x16 i8, 16;
    from_u8x16 to_u8x16 u8, 16;
    from_i16x8 to_i16x8 i16, 8;
    from_u16x8 to_u16x8 u16, 8;
    from_i32x4 to_i32x4 i32, 4;
    from_u32x4 to_u32x4 u32, 4;
    from_i64x2 to_i64x2 i64, 2;
    from_u64x2 to_u64x2 u64, 2;
    from_f32x4 to_f32x4 f32, 4;
    from_f64x2 to_f64x2 f64, 2;
}

impl From<u128> for V128 {
    #[inline]
    fn from(bits: u128) -> V128 {
        V128(bits)
    }
}

impl From<V128> for u128 {
    #[inline]
    fn from(v: V128) -> u128 {
        v.0
    }
}

/// Prints the bits as one hexadecimal number (`V128(0x…)`), lane 0 rightmost.
impl core::fmt::Debug for V128 {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "V128({:#034x})", self.0)
    }
}

/// Prints the vector as Wasm text does with the `i32x4` shape: `i32x4 0x… 0x… 0x… 0x…`.
impl core::fmt::Display for V128 {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let [a, b, c, d] = self.to_u32x4();
        write!(f, "i32x4 {a:#010x} {b:#010x} {c:#010x} {d:#010x}")
    }
}

/// A WebAssembly value, as passed to and returned from functions and stored in globals.
#[derive(Copy, Clone, Debug, PartialEq)]
pub enum RuntimeValue {
    /// A 32-bit integer (signedness is up to the operation).
    I32(i32),
    /// A 64-bit integer.
    I64(i64),
    /// A 32-bit float, bit-exact.
    F32(F32),
    /// A 64-bit float, bit-exact.
    F64(F64),
}

impl RuntimeValue {
    /// The zero value of `value_type`.
    pub fn default(value_type: ValueType) -> Self {
        match value_type {
            ValueType::I32 => RuntimeValue::I32(0),
            ValueType::I64 => RuntimeValue::I64(0),
            ValueType::F32 => RuntimeValue::F32(F32::from_bits(0)),
            ValueType::F64 => RuntimeValue::F64(F64::from_bits(0)),
        }
    }

    /// A 32-bit float value from its raw bits.
    #[deprecated(note = "use `F32::from_bits(bits).into()` instead")]
    pub fn decode_f32(bits: u32) -> Self {
        RuntimeValue::F32(F32::from_bits(bits))
    }

    /// A 64-bit float value from its raw bits.
    #[deprecated(note = "use `F64::from_bits(bits).into()` instead")]
    pub fn decode_f64(bits: u64) -> Self {
        RuntimeValue::F64(F64::from_bits(bits))
    }

    /// The type of this value.
    pub fn value_type(&self) -> ValueType {
        match self {
            RuntimeValue::I32(_) => ValueType::I32,
            RuntimeValue::I64(_) => ValueType::I64,
            RuntimeValue::F32(_) => ValueType::F32,
            RuntimeValue::F64(_) => ValueType::F64,
        }
    }

    /// Converts to `T` if this value has `T`'s type.
    #[allow(clippy::should_implement_trait)]
    pub fn try_into<T: FromValue>(self) -> Option<T> {
        T::from_value(self)
    }

    /// The value's bits, zero-extended to 64 (the engine's untyped cell form).
    #[inline]
    pub fn to_bits(self) -> u64 {
        match self {
            RuntimeValue::I32(v) => v as u32 as u64,
            RuntimeValue::I64(v) => v as u64,
            RuntimeValue::F32(v) => v.to_bits() as u64,
            RuntimeValue::F64(v) => v.to_bits(),
        }
    }

    /// Rebuilds a value of type `ty` from its cell bits (inverse of [`RuntimeValue::to_bits`]).
    #[inline]
    pub fn from_bits(ty: ValueType, bits: u64) -> Self {
        match ty {
            ValueType::I32 => RuntimeValue::I32(bits as u32 as i32),
            ValueType::I64 => RuntimeValue::I64(bits as i64),
            ValueType::F32 => RuntimeValue::F32(F32::from_bits(bits as u32)),
            ValueType::F64 => RuntimeValue::F64(F64::from_bits(bits)),
        }
    }
}

/// The number itself; floats print as the native float does (`1.5`, `NaN`, `inf`).
impl core::fmt::Display for RuntimeValue {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            RuntimeValue::I32(v) => core::fmt::Display::fmt(v, f),
            RuntimeValue::I64(v) => core::fmt::Display::fmt(v, f),
            RuntimeValue::F32(v) => core::fmt::Display::fmt(&v.to_float(), f),
            RuntimeValue::F64(v) => core::fmt::Display::fmt(&v.to_float(), f),
        }
    }
}

/// Conversion from a [`RuntimeValue`] into a Rust type, if the value has a matching type.
pub trait FromValue: Sized {
    /// Returns `None` when `value` has another type, or (for `i8`, `u8`, `i16`, `u16`,
    /// which Wasm carries as `i32`) a number out of the type's range.
    fn from_value(value: RuntimeValue) -> Option<Self>;
}

/// Declares the conversions of a Rust number type: into the value of its Wasm type
/// (`as`: unsigned numbers keep their bits), and back out of a value of that type, `as`
/// well (`wrapping`), or only when the number fits (`checked`: the narrow integers).
macro_rules! value_conversions {
    ($($ty:ty => $variant:ident via $conv:ty, $back:ident;)*) => {$(
        impl From<$ty> for RuntimeValue {
            #[inline]
            fn from(v: $ty) -> Self {
                RuntimeValue::$variant((v as $conv).into())
            }
        }
        impl FromValue for $ty {
            #[inline]
            fn from_value(value: RuntimeValue) -> Option<Self> {
                match value {
                    RuntimeValue::$variant(v) => value_conversions!(@$back $ty, <$conv>::from(v)),
                    _ => None,
                }
            }
        }
    )*};
    (@wrapping $ty:ty, $v:expr) => {
        Some($v as $ty)
    };
    (@checked $ty:ty, $v:expr) => {
        <$ty>::try_from($v).ok()
    };
}

value_conversions! {
    i8 => I32 via i32, checked;
    u8 => I32 via i32, checked;
    i16 => I32 via i32, checked;
    u16 => I32 via i32, checked;
    i32 => I32 via i32, wrapping;
    u32 => I32 via i32, wrapping;
    i64 => I64 via i64, wrapping;
    u64 => I64 via i64, wrapping;
    f32 => F32 via f32, wrapping;
    f64 => F64 via f64, wrapping;
}

impl From<F32> for RuntimeValue {
    fn from(v: F32) -> Self {
        RuntimeValue::F32(v)
    }
}

impl From<F64> for RuntimeValue {
    fn from(v: F64) -> Self {
        RuntimeValue::F64(v)
    }
}

impl FromValue for F32 {
    fn from_value(value: RuntimeValue) -> Option<Self> {
        match value {
            RuntimeValue::F32(v) => Some(v),
            _ => None,
        }
    }
}

impl FromValue for F64 {
    fn from_value(value: RuntimeValue) -> Option<Self> {
        match value {
            RuntimeValue::F64(v) => Some(v),
            _ => None,
        }
    }
}

impl From<bool> for RuntimeValue {
    fn from(v: bool) -> Self {
        RuntimeValue::I32(v as i32)
    }
}

impl FromValue for bool {
    /// Any non-zero `i32` is `true`, as Wasm conditions read it.
    fn from_value(value: RuntimeValue) -> Option<Self> {
        match value {
            RuntimeValue::I32(v) => Some(v != 0),
            _ => None,
        }
    }
}

impl FromValue for RuntimeValue {
    fn from_value(value: RuntimeValue) -> Option<Self> {
        Some(value)
    }
}

/// Values stored in linear memory as little-endian bytes.
pub trait LittleEndianConvert: Sized {
    /// The byte array form (`[u8; N]`).
    type Bytes: Default + AsRef<[u8]> + AsMut<[u8]>;
    /// Little-endian bytes of `self`.
    fn into_le_bytes(self) -> Self::Bytes;
    /// The value read from little-endian bytes.
    fn from_le_bytes(bytes: Self::Bytes) -> Self;
}

macro_rules! le_convert {
    ($($ty:ty : $n:literal),*) => {$(
        impl LittleEndianConvert for $ty {
            type Bytes = [u8; $n];
            #[inline]
            fn into_le_bytes(self) -> [u8; $n] {
                <$ty>::to_le_bytes(self)
            }
            #[inline]
            fn from_le_bytes(bytes: [u8; $n]) -> Self {
                <$ty>::from_le_bytes(bytes)
            }
        }
    )*};
}
le_convert!(i8: 1, u8: 1, i16: 2, u16: 2, i32: 4, u32: 4, i64: 8, u64: 8, f32: 4, f64: 8);

impl LittleEndianConvert for F32 {
    type Bytes = [u8; 4];
    fn into_le_bytes(self) -> [u8; 4] {
        self.to_bits().to_le_bytes()
    }
    fn from_le_bytes(bytes: [u8; 4]) -> Self {
        F32::from_bits(u32::from_le_bytes(bytes))
    }
}

impl LittleEndianConvert for V128 {
    type Bytes = [u8; 16];
    #[inline]
    fn into_le_bytes(self) -> [u8; 16] {
        self.to_bytes()
    }
    #[inline]
    fn from_le_bytes(bytes: [u8; 16]) -> Self {
        V128::from_bytes(bytes)
    }
}

impl LittleEndianConvert for F64 {
    type Bytes = [u8; 8];
    fn into_le_bytes(self) -> [u8; 8] {
        self.to_bits().to_le_bytes()
    }
    fn from_le_bytes(bytes: [u8; 8]) -> Self {
        F64::from_bits(u64::from_le_bytes(bytes))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::prelude::*;

    #[test]
    fn conversions_round_trip_and_refuse_wrong_types() {
        assert_eq!(RuntimeValue::from(-1i32).try_into::<u32>(), Some(u32::MAX));
        assert_eq!(RuntimeValue::from(7u64).try_into::<i64>(), Some(7));
        assert_eq!(RuntimeValue::from(7u64).try_into::<i32>(), None);
        assert_eq!(RuntimeValue::from(1.5f32).try_into::<f32>(), Some(1.5));
        assert_eq!(RuntimeValue::I32(2).try_into::<bool>(), Some(true));
        let v = RuntimeValue::F64(F64::from_bits(0x7ff0_0000_0000_0001));
        assert_eq!(
            RuntimeValue::from_bits(ValueType::F64, v.to_bits()).to_bits(),
            v.to_bits()
        );
    }

    #[test]
    fn narrow_integers_come_out_only_when_they_fit() {
        assert_eq!(RuntimeValue::I32(-128).try_into::<i8>(), Some(-128));
        assert_eq!(RuntimeValue::I32(128).try_into::<i8>(), None);
        assert_eq!(RuntimeValue::I32(255).try_into::<u8>(), Some(255));
        assert_eq!(RuntimeValue::I32(-1).try_into::<u8>(), None);
        assert_eq!(RuntimeValue::I32(-32769).try_into::<i16>(), None);
        assert_eq!(RuntimeValue::I32(65536).try_into::<u16>(), None);
        assert_eq!(RuntimeValue::I64(1).try_into::<u16>(), None);
    }

    #[test]
    fn values_print_as_numbers_and_types_order_as_declared() {
        assert_eq!(RuntimeValue::I32(-7).to_string(), "-7");
        assert_eq!(RuntimeValue::from(0.5f32).to_string(), "0.5");
        assert_eq!(
            RuntimeValue::F64(F64::from_bits(0x7ff8_0000_0000_0001)).to_string(),
            "NaN"
        );
        assert!(ValueType::I32 < ValueType::I64 && ValueType::F32 < ValueType::F64);
        assert!(ValueType::I64 < ValueType::F32);
    }

    #[test]
    fn little_endian_layout() {
        assert_eq!(0x0102_0304u32.into_le_bytes(), [4, 3, 2, 1]);
        assert_eq!(
            <i16 as LittleEndianConvert>::from_le_bytes([0xff, 0xff]),
            -1
        );
    }

    #[test]
    fn v128_lanes_are_memory_order_with_lane_0_low() {
        let v = V128::from_bytes([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15]);
        assert_eq!(v.to_bits() & 0xff, 0);
        assert_eq!(v.to_u32x4()[0], 0x0302_0100);
        assert_eq!(v.to_u16x8()[7], 0x0f0e);
        assert_eq!(v.to_cells(), [0x0706_0504_0302_0100, 0x0f0e_0d0c_0b0a_0908]);
        assert_eq!(V128::from_cells(v.to_cells()), v);
        assert_eq!(V128::from_i32x4([-1, 2, -3, 4]).to_i32x4(), [-1, 2, -3, 4]);
        assert_eq!(V128::from_i8x16([-2; 16]).to_u8x16(), [0xfe; 16]);
        let floats = V128::from_f64x2([1.5, f64::from_bits(0x7ff4_0000_0000_0001)]);
        assert_eq!(floats.to_u64x2(), [1.5f64.to_bits(), 0x7ff4_0000_0000_0001]);
        assert_eq!(V128::from_f32x4([-0.0; 4]).to_u32x4(), [0x8000_0000; 4]);
        assert_eq!(
            V128::from_u32x4([1, 2, 3, 0xffff_ffff]).to_string(),
            "i32x4 0x00000001 0x00000002 0x00000003 0xffffffff"
        );
        assert_eq!(ValType::V128.to_string(), "v128");
        assert_eq!((ValType::V128.cells(), ValType::I64.cells()), (2, 1));
    }
}
