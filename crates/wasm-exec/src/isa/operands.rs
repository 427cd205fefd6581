//! What instruction fields are made of: frame slots, the accumulators, how a value is
//! stored in a slot or an accumulator, and the capabilities an instruction declares.
//!
//! **Slots.** A function's frame is an array of 64-bit cells: parameters, then declared
//! locals, then constant slots, then one temporary per operand-stack height. A slot field
//! names a cell of the running function's frame. An i32 (or f32) is kept zero-extended in
//! its cell, so an i32 cell is also the i64 of its unsigned value.
//!
//! **Accumulators.** Every instruction that computes an integer or `f64` value also
//! leaves it in an accumulator: `acc` for integers, `facc` for `f64` (f32 has none:
//! passing it through an `f64` would not keep every NaN's bits). An input field may name
//! the accumulator instead of a slot ([`ACC`]), at most one per instruction, so that a
//! chain of dependent instructions does not pass each value through memory. Input
//! fields have a *position* (0 or 1): the threaded dispatch has one handler per position
//! that reads the accumulator there.

/// Slot index in the current frame.
pub type Slot = u32;

/// A slot number of at most 16 bits, in the instructions that would not fit 16 bytes with
/// 32-bit slots (`CopyPair`, the indexed loads). Never [`ACC`].
pub type Slot16 = u16;

/// Where a callee's frame starts in the caller's (the first argument's slot): a slot
/// number, but not an operand (with no arguments it may equal the frame size).
pub type Base = u32;

/// In an input field: the operand is the accumulator of its type, not a slot.
pub const ACC: Slot = u32::MAX;

/// What a slot field is to its instruction, as its kind in the instruction list declares
/// (see `kinds.rs`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Role {
    /// Written, after the inputs are read; the value also goes to this accumulator.
    Dst(Option<AccClass>),
    /// Read in accumulator position `.0`; may be [`ACC`] if the class is known.
    In(u8, Option<AccClass>),
    /// Read as bits; never the accumulator.
    Reg,
    /// Written, and the slot after it read (`Select`'s operands).
    Pair,
    /// A `v128` written: this slot and the next, after the inputs are read; no
    /// accumulator.
    VDst,
    /// `.0` `v128`s read, from this slot on (2, 4 or 6 slots); never an accumulator.
    VIn(u8),
    /// Read and written in place; the new value also goes to this accumulator.
    Update(AccClass),
    /// A call's frame base: a slot number, not an operand.
    Base,
}

/// What walks the slot fields of an instruction (`Instr::slots_mut`). The passes that walk
/// every instruction implement it on a struct with an `#[inline(always)]` method, so that
/// the walk compiles to straight code per instruction; a closure does too, for the others.
pub(crate) trait SlotVisitor {
    /// Visits slot field `slot`, whose role is `role`.
    fn visit(&mut self, role: Role, slot: &mut Slot);
}

impl<F: FnMut(Role, &mut Slot)> SlotVisitor for F {
    #[inline(always)]
    fn visit(&mut self, role: Role, slot: &mut Slot) {
        self(role, slot)
    }
}

/// Capabilities an instruction declares in the list (`caps!`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Caps(u8);

impl Caps {
    /// Nothing special.
    pub(crate) const NONE: Caps = Caps(0);
    /// The two inputs may be swapped (so a constant left operand can be the immediate).
    pub(crate) const COMMUTATIVE: Caps = Caps(1);
    /// May trap on some inputs (division, conversion, memory access, calls).
    pub(crate) const MAY_TRAP: Caps = Caps(1 << 1);
    /// Never continues with the next instruction (returns, `Jump`, `Unreachable`).
    pub(crate) const NO_FALL: Caps = Caps(1 << 2);
    /// Returns from the function.
    pub(crate) const RETURNS: Caps = Caps(1 << 3);
    /// When it does not jump, skips the instruction after it (which it replaced and
    /// which stays in place for jumps to it): continues two instructions further.
    pub(crate) const SKIPS: Caps = Caps(1 << 4);
    /// The accumulators are unknown after it: calls, returns, and instructions that the
    /// dispatch leaves to the engine.
    pub(crate) const STOPS: Caps = Caps(1 << 5);

    /// Both sets.
    pub(crate) const fn with(self, other: Caps) -> Caps {
        Caps(self.0 | other.0)
    }

    /// Whether `self` includes `other`.
    pub(crate) const fn has(self, other: Caps) -> bool {
        self.0 & other.0 == other.0
    }
}

/// The capabilities named (`caps![commutative, may_trap]`), as a constant [`Caps`].
macro_rules! caps {
    () => { $crate::isa::operands::Caps::NONE };
    ($cap:ident $(, $rest:ident)*) => {
        $crate::isa::operands::caps!(@one $cap).with($crate::isa::operands::caps!($($rest),*))
    };
    (@one commutative) => { $crate::isa::operands::Caps::COMMUTATIVE };
    (@one may_trap) => { $crate::isa::operands::Caps::MAY_TRAP };
    (@one no_fall) => { $crate::isa::operands::Caps::NO_FALL };
    (@one returns) => { $crate::isa::operands::Caps::RETURNS };
    (@one skips) => { $crate::isa::operands::Caps::SKIPS };
    (@one stops) => { $crate::isa::operands::Caps::STOPS };
}
pub(crate) use caps;

/// A value stored in an untyped 64-bit stack cell.
pub(crate) trait CellValue: Copy {
    fn from_cell(cell: u64) -> Self;
    fn into_cell(self) -> u64;
}

macro_rules! cell_int {
    ($($ty:ty => $unsigned:ty),*) => {$(
        impl CellValue for $ty {
            #[inline(always)]
            fn from_cell(cell: u64) -> Self {
                cell as $unsigned as $ty
            }
            #[inline(always)]
            fn into_cell(self) -> u64 {
                self as $unsigned as u64
            }
        }
    )*};
}
cell_int!(i32 => u32, u32 => u32, i64 => u64, u64 => u64);

impl CellValue for f32 {
    #[inline(always)]
    fn from_cell(cell: u64) -> Self {
        f32::from_bits(cell as u32)
    }
    #[inline(always)]
    fn into_cell(self) -> u64 {
        u64::from(self.to_bits())
    }
}

impl CellValue for f64 {
    #[inline(always)]
    fn from_cell(cell: u64) -> Self {
        f64::from_bits(cell)
    }
    #[inline(always)]
    fn into_cell(self) -> u64 {
        self.to_bits()
    }
}

/// An integer operand decoded from an instruction's 32-bit immediate (sign-extended for
/// 64-bit operations).
pub(crate) trait FromImm {
    fn from_imm(imm: i32) -> Self;
}

macro_rules! from_imm {
    ($($ty:ty),*) => {$(
        impl FromImm for $ty {
            #[inline(always)]
            fn from_imm(imm: i32) -> Self {
                imm as $ty
            }
        }
    )*};
}
from_imm!(i32, u32, i64, u64);

/// The two accumulators.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum AccClass {
    /// `acc`: i32 and i64 values.
    Int = 0,
    /// `facc`: f64 values.
    Float = 1,
}

/// The accumulator a value of this type lives in: the last integer result in `acc` (a
/// `u64`, zero-extended like a cell), the last `f64` result in `facc`. `f32` values have
/// none.
pub(crate) trait AccValue: CellValue {
    /// `None`: never in an accumulator.
    const CLASS: Option<AccClass>;
    /// The value, from the accumulator of its class.
    fn from_acc(acc: u64, facc: f64) -> Self;
    /// Makes `self` the accumulator of its class.
    fn to_acc(self, acc: &mut u64, facc: &mut f64);
}

macro_rules! acc_int {
    ($($ty:ty),*) => {$(
        impl AccValue for $ty {
            const CLASS: Option<AccClass> = Some(AccClass::Int);
            #[inline(always)]
            fn from_acc(acc: u64, _: f64) -> Self {
                Self::from_cell(acc)
            }
            #[inline(always)]
            fn to_acc(self, acc: &mut u64, _: &mut f64) {
                *acc = self.into_cell();
            }
        }
    )*};
}
acc_int!(i32, u32, i64, u64);

impl AccValue for f64 {
    const CLASS: Option<AccClass> = Some(AccClass::Float);
    #[inline(always)]
    fn from_acc(_: u64, facc: f64) -> Self {
        facc
    }
    #[inline(always)]
    fn to_acc(self, _: &mut u64, facc: &mut f64) {
        *facc = self;
    }
}

impl AccValue for f32 {
    const CLASS: Option<AccClass> = None;
    /// Never called on a valid instruction: `CompiledFunc::verify` rejects an f32 input
    /// that names the accumulator.
    #[inline(always)]
    fn from_acc(acc: u64, _: f64) -> Self {
        Self::from_cell(acc)
    }
    #[inline(always)]
    fn to_acc(self, _: &mut u64, _: &mut f64) {}
}
