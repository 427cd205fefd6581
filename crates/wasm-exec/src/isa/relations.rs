//! The translator's tables, generated from the relations the list declares: which Wasm
//! operator lowers to which instruction, and the instructions' other forms that the
//! translator's peepholes make (immediate right operands, displaced loads and stores,
//! scaled and indexed loads, stores of constants, fused, negated and counter branches).

use super::instr::Instr;
use super::kinds::{kind_inputs, kind_lowered, kind_outputs};
use super::list::for_each_instr;
use super::operands::{Slot, Slot16};
use crate::prelude::*;
use wasm_core::wasmparser::{MemArg, Operator};

/// How the translator lowers a Wasm numeric operator. The makers append the instruction
/// to the code (built in place: returned by value from a function pointer, it would be
/// written in parts and read whole, which stalls the processor).
#[derive(Clone, Copy)]
pub(crate) enum Numeric {
    /// One operand: `make(out, dst, a)`.
    Unary(fn(&mut Vec<Instr>, Slot, Slot)),
    /// Two operands: `make(out, dst, a, b)`; `imm` makes the form with an immediate
    /// right operand, if there is one; `wide`: the operands are 64-bit (an immediate is
    /// sign-extended); `commutative`: the operands may be swapped.
    Binary {
        make: fn(&mut Vec<Instr>, Slot, Slot, Slot),
        imm: Option<MakeImm>,
        wide: bool,
        commutative: bool,
    },
}

/// How the translator lowers a Wasm operator mapped to one instruction (the list's
/// `lowered` section): pop `inputs` operands, then `make(out, slots, dst)` appends the
/// instruction reading them (their slots in the operator's order) and, if `output`,
/// writing `dst`, the temporary of the result pushed.
#[derive(Clone, Copy)]
pub(crate) struct Lowered {
    pub(crate) inputs: usize,
    pub(crate) output: bool,
    pub(crate) make: fn(&mut Vec<Instr>, &[Slot], Slot),
}

/// How the translator lowers a SIMD operator of the list's SIMD sections: which operands
/// it pops (a `v128` is two operand-stack entries, in two adjacent slots), what it pushes,
/// and the instruction's maker with the operator's immediate.
#[derive(Clone, Copy)]
pub(crate) enum Simd {
    /// `[v128] -> [v128]`: `make(dst, a)`.
    Unary(fn(Slot, Slot) -> Instr),
    /// `[v128] -> [i32]`: `make(dst, a)`.
    Test(fn(Slot, Slot) -> Instr),
    /// `[v128 v128] -> [v128]`: `make(dst, a, b)`.
    Binary(fn(Slot, Slot, Slot) -> Instr),
    /// `[v128 i32] -> [v128]`: `make(dst, a, count)`.
    Shift(fn(Slot, Slot, Slot) -> Instr),
    /// `[v128 v128 v128] -> [v128]`, the operands in consecutive slots: `make(dst, src)`.
    Ternary(fn(Slot, Slot) -> Instr),
    /// `[t] -> [v128]`: `make(dst, x)`.
    Splat(fn(Slot, Slot) -> Instr),
    /// `[v128] -> [t]`: `make(lane, dst, a)`, and the lane.
    Extract(fn(u8, Slot, Slot) -> Instr, u8),
    /// `[v128 t] -> [v128]`: `make(lane, dst, a, x)`, and the lane.
    Replace(fn(u8, Slot, Slot, Slot) -> Instr, u8),
    /// `[i32] -> [v128]`: `make(dst, addr, offset)`, and the memory argument.
    Load(fn(Slot, Slot, u32) -> Instr, MemArg),
}

/// Appends an instruction with a destination, an operand slot and an immediate.
pub(crate) type MakeImm = fn(&mut Vec<Instr>, Slot, Slot, i32);

/// Appends a memory instruction: a load's destination and address, or a store's address
/// and value; then the offset.
pub(crate) type MakeMemory = fn(&mut Vec<Instr>, Slot, Slot, u32);

/// Appends an indexed load (destination, base and index slots, offset).
pub(crate) type MakeIndexed = fn(&mut Vec<Instr>, Slot16, Slot16, Slot16, u32);

/// Appends a shifted load (destination, base and index slots, shift, offset).
pub(crate) type MakeShifted = fn(&mut Vec<Instr>, Slot16, Slot16, Slot16, u8, u32);

/// Appends the store of a constant (address slot, value, offset).
pub(crate) type MakeStoreImm = fn(&mut Vec<Instr>, Slot, i32, u32);

/// `Some(maker)` of the immediate form `$imm` of a binary instruction, or `None`.
macro_rules! make_imm {
    ($dst:ident, $a:ident;) => {
        None
    };
    ($dst:ident, $a:ident; $imm:ident) => {
        Some(|out, dst, a, imm| {
            out.push(Instr::$imm {
                $dst: dst,
                $a: a,
                imm,
            })
        })
    };
}

/// Whether `commutative` is among the flags.
macro_rules! is_commutative {
    () => {
        false
    };
    (commutative $(, $rest:ident)*) => {
        true
    };
    ($other:ident $(, $rest:ident)*) => {
        is_commutative!($($rest),*)
    };
}

macro_rules! define_relations {
    (
        lowered { $(
            $wname:ident { $($wfield:ident : $wkind:ident $(($wty:ty))?),* }
            from $wop:ident { $($wopf:ident : $wopv:pat),* }
        )* }
        unary { $( $uname:ident { $udst:ident, $ua:ident } )* }
        binary { $(
            $bname:ident { $bdst:ident, $ba:ident, $bb:ident } ($bit:ty) [$($bflag:ident),*]
                imm [$($bimm:ident)?]
        )* }
        loads { $( $lname:ident disp $ldisp:ident $(scaled $lscaled:ident)? $(indexed $lindexed:ident)? $(shifted $lshifted:ident)? ($lmt:ty) )* }
        stores { $( $sname:ident disp $sdisp:ident [$($simm:ident)?] ($smt:ty) )* }
        branch { $(
            $brname:ident / $briname:ident for $brcmp:ident / $brcmpi:ident
                not $brnot:ident / $brnoti:ident
        )* }
        float_branch { $( $fbname:ident / $fbnot:ident for $fbcmp:ident )* }
        counter_branch { $( $cbname:ident / $cbiname:ident for $cbbr:ident / $cbbri:ident )* }
        simd {
            unary { $( $vuname:ident )* }
            test { $( $vtname:ident )* }
            binary { $( $vbname:ident )* }
            shift { $( $vsname:ident )* }
            ternary { $( $vrname:ident )* }
            splat { $( $spname:ident )* }
            extract { $( $exname:ident )* }
            replace { $( $rpname:ident )* }
            load { $( $vlname:ident )* }
        }
    ) => {
        impl Instr {
            /// How to lower a SIMD operator of the list's SIMD sections; `None` for other
            /// operators (`v128.const`, shuffles, lane loads and stores, `v128.store` are
            /// the translator's own).
            pub(crate) fn simd(op: &Operator<'_>) -> Option<Simd> {
                Some(match *op {
                    $( Operator::$vuname => Simd::Unary(|dst, a| Instr::$vuname { dst, a }), )*
                    $( Operator::$vtname => Simd::Test(|dst, a| Instr::$vtname { dst, a }), )*
                    $( Operator::$vbname => Simd::Binary(|dst, a, b| Instr::$vbname { dst, a, b }), )*
                    $( Operator::$vsname => Simd::Shift(|dst, a, s| Instr::$vsname { dst, a, s }), )*
                    $( Operator::$vrname => Simd::Ternary(|dst, src| Instr::$vrname { dst, src }), )*
                    $( Operator::$spname => Simd::Splat(|dst, x| Instr::$spname { dst, x }), )*
                    $(
                        Operator::$exname { lane } => {
                            Simd::Extract(|lane, dst, a| Instr::$exname { lane, dst, a }, lane)
                        }
                    )*
                    $(
                        Operator::$rpname { lane } => {
                            Simd::Replace(|lane, dst, a, x| Instr::$rpname { lane, dst, a, x }, lane)
                        }
                    )*
                    $(
                        Operator::$vlname { memarg } => Simd::Load(
                            |dst, addr, offset| Instr::$vlname { dst, addr, offset },
                            memarg,
                        ),
                    )*
                    _ => return None,
                })
            }
        }

        impl Instr {
            /// How to lower a Wasm operator that the list's `lowered` section maps to one
            /// instruction; `None` for other operators.
            pub(crate) fn lowered(op: &Operator<'_>) -> Option<Lowered> {
                match op {
                    $(
                        Operator::$wop { $($wopf: $wopv),* } => Some(Lowered {
                            inputs: 0 $(+ kind_inputs!($wkind $(($wty))?))*,
                            output: 0 $(+ kind_outputs!($wkind $(($wty))?))* == 1,
                            make: |out, inputs, dst| {
                                // (Read only by instructions with a result.)
                                let _ = dst;
                                let mut inputs = inputs.iter().copied();
                                out.push(Instr::$wname {
                                    $( $wfield: kind_lowered!(inputs, dst, $wkind $(($wty))?), )*
                                })
                            },
                        }),
                    )*
                    _ => None,
                }
            }

            /// How to lower a Wasm numeric operator; `None` for other operators.
            pub(crate) fn numeric(op: &Operator<'_>) -> Option<Numeric> {
                match op {
                    $(
                        Operator::$uname => Some(Numeric::Unary(|out, dst, a| {
                            out.push(Instr::$uname { $udst: dst, $ua: a })
                        })),
                    )*
                    $(
                        Operator::$bname => Some(Numeric::Binary {
                            make: |out, dst, a, b| out.push(Instr::$bname { $bdst: dst, $ba: a, $bb: b }),
                            imm: make_imm!($bdst, $ba; $($bimm)?),
                            wide: core::mem::size_of::<$bit>() == 8,
                            commutative: is_commutative!($($bflag),*),
                        }),
                    )*
                    _ => None,
                }
            }

            /// The instruction for a Wasm load (`true`) or store (`false`) with the given
            /// memory argument, slots to be filled in by `make` (which appends it).
            pub(crate) fn from_memory_op(op: &Operator<'_>) -> Option<(bool, MakeMemory, MemArg)> {
                match op {
                    $(
                        Operator::$lname { memarg } => Some((
                            true,
                            |out, dst, addr, offset| out.push(Instr::$lname { dst, addr, offset }),
                            *memarg,
                        )),
                    )*
                    $(
                        Operator::$sname { memarg } => Some((
                            false,
                            |out, addr, value, offset| out.push(Instr::$sname { addr, value, offset }),
                            *memarg,
                        )),
                    )*
                    _ => None,
                }
            }

            /// The displaced form of a Wasm load (its address `addr + disp`, an i32 sum,
            /// offset 0): `make(out, dst, addr, disp)` appends it.
            pub(crate) fn disp_load(op: &Operator<'_>) -> Option<MakeImm> {
                match op {
                    $(
                        Operator::$lname { .. } => Some(|out, dst, addr, disp| {
                            out.push(Instr::$ldisp { dst, addr, disp })
                        }),
                    )*
                    _ => None,
                }
            }

            /// The scaled form of a Wasm load, and its scale (log2 of the access width):
            /// `make(out, dst, index, offset)` appends it.
            pub(crate) fn scaled_load(op: &Operator<'_>) -> Option<(MakeMemory, u32)> {
                match op {
                    $($(
                        Operator::$lname { .. } => Some((
                            |out, dst, index, offset| out.push(Instr::$lscaled { dst, index, offset }),
                            core::mem::size_of::<$lmt>().trailing_zeros(),
                        )),
                    )?)*
                    _ => None,
                }
            }

            /// The indexed form of a Wasm load: `make(out, dst, base, index, offset)`
            /// appends it.
            pub(crate) fn indexed_load(op: &Operator<'_>) -> Option<MakeIndexed> {
                match op {
                    $($(
                        Operator::$lname { .. } => Some(|out, dst, base, index, offset| {
                            out.push(Instr::$lindexed { dst, base, index, offset })
                        }),
                    )?)*
                    _ => None,
                }
            }

            /// The shifted form of a Wasm load: `make(out, dst, base, index, shift, offset)`
            /// appends it.
            pub(crate) fn shifted_load(op: &Operator<'_>) -> Option<MakeShifted> {
                match op {
                    $($(
                        Operator::$lname { .. } => Some(|out, dst, base, index, shift, offset| {
                            out.push(Instr::$lshifted { dst, base, index, shift, offset })
                        }),
                    )?)*
                    _ => None,
                }
            }

            /// The displaced form of a Wasm store (its address `addr + disp`, an i32 sum,
            /// offset 0): `make(out, addr, value, disp)` appends it.
            pub(crate) fn disp_store(op: &Operator<'_>) -> Option<MakeImm> {
                match op {
                    $(
                        Operator::$sname { .. } => Some(|out, addr, value, disp| {
                            out.push(Instr::$sdisp { addr, value, disp })
                        }),
                    )*
                    _ => None,
                }
            }

            /// The store of a constant for a Wasm store operator, and whether the constant
            /// must fit in a sign-extended 32-bit immediate (64-bit stores; narrower stores
            /// keep only the immediate's low bits).
            pub(crate) fn store_imm(op: &Operator<'_>) -> Option<(MakeStoreImm, bool)> {
                match op {
                    $($(
                        Operator::$sname { .. } => Some((
                            |out, addr, imm, offset| out.push(Instr::$simm { addr, imm, offset }),
                            core::mem::size_of::<$smt>() == 8,
                        )),
                    )?)*
                    _ => None,
                }
            }

            /// The fused branch for comparison `self` followed by a conditional branch
            /// taken when the comparison's result is `when`; `None` if `self` is not a
            /// comparison with a fused form.
            pub(crate) fn fuse_branch(self, when: bool, target: u32) -> Option<Instr> {
                match self {
                    $(
                        Instr::$brcmp { a, b, .. } => Some(if when {
                            Instr::$brname { a, b, target }
                        } else {
                            return Instr::$brnot { dst: 0, a, b }.fuse_branch(true, target);
                        }),
                        Instr::$brcmpi { a, imm, .. } => Some(if when {
                            Instr::$briname { a, imm, target }
                        } else {
                            return Instr::$brnoti { dst: 0, a, imm }.fuse_branch(true, target);
                        }),
                    )*
                    // A float comparison's negation is not a comparison (NaN): the `BrNot`
                    // form jumps when it does not hold.
                    $(
                        Instr::$fbcmp { a, b, .. } => Some(if when {
                            Instr::$fbname { a, b, target }
                        } else {
                            Instr::$fbnot { a, b, target }
                        }),
                    )*
                    _ => None,
                }
            }

            /// The conditional jump taken exactly when `self` (a conditional jump) is not,
            /// to `target`; `None` for other instructions.
            pub(crate) fn negate_branch(self, target: u32) -> Option<Instr> {
                match self {
                    Instr::JumpIfZero { cond, .. } => Some(Instr::JumpIfNonZero { cond, target }),
                    Instr::JumpIfNonZero { cond, .. } => Some(Instr::JumpIfZero { cond, target }),
                    $(
                        Instr::$brname { a, b, .. } => {
                            Instr::$brcmp { dst: 0, a, b }.fuse_branch(false, target)
                        }
                        Instr::$briname { a, imm, .. } => {
                            Instr::$brcmpi { dst: 0, a, imm }.fuse_branch(false, target)
                        }
                    )*
                    $(
                        Instr::$fbname { a, b, .. } => Some(Instr::$fbnot { a, b, target }),
                        Instr::$fbnot { a, b, .. } => Some(Instr::$fbname { a, b, target }),
                    )*
                    _ => None,
                }
            }

            /// The counter branch for `I32AddImm { dst: counter, a: counter, imm: step }`
            /// followed by `branch` (the next instruction, not a jump target), if `branch`
            /// tests the counter (in its slot or in `acc`) and has a counter form.
            pub(crate) fn fuse_counter(counter: Slot, step: i16, branch: Instr) -> Option<Instr> {
                let is_counter = |slot: Slot| slot == counter || slot == super::operands::ACC;
                match branch {
                    $(
                        Instr::$cbbr { a, b, target } if is_counter(a) && b != super::operands::ACC => {
                            Some(Instr::$cbname { step, a: counter, b, target })
                        }
                        Instr::$cbbri { a, imm, target } if is_counter(a) => {
                            Some(Instr::$cbiname { step, a: counter, imm, target })
                        }
                    )*
                    _ => None,
                }
            }
        }
    };
}

for_each_instr!(relations define_relations);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn negated_fused_branches_invert_the_comparison() {
        let lt = Instr::I32LtS { dst: 0, a: 1, b: 2 };
        assert_eq!(
            lt.fuse_branch(true, 7),
            Some(Instr::BrI32LtS {
                a: 1,
                b: 2,
                target: 7
            })
        );
        assert_eq!(
            lt.fuse_branch(false, 7),
            Some(Instr::BrI32GeS {
                a: 1,
                b: 2,
                target: 7
            })
        );
        let eq = Instr::I64EqImm {
            dst: 0,
            a: 1,
            imm: -1,
        };
        assert_eq!(
            eq.fuse_branch(false, 3),
            Some(Instr::BrI64NeImm {
                a: 1,
                imm: -1,
                target: 3
            })
        );
        let lt = Instr::F64Lt { dst: 0, a: 1, b: 2 };
        assert_eq!(
            lt.fuse_branch(true, 5),
            Some(Instr::BrF64Lt {
                a: 1,
                b: 2,
                target: 5
            })
        );
        assert_eq!(
            lt.fuse_branch(false, 5),
            Some(Instr::BrF64NotLt {
                a: 1,
                b: 2,
                target: 5
            })
        );
        let ge = Instr::BrI32GeUImm {
            a: 1,
            imm: 9,
            target: 3,
        };
        assert_eq!(
            ge.negate_branch(8),
            Some(Instr::BrI32LtUImm {
                a: 1,
                imm: 9,
                target: 8
            })
        );
        assert_eq!(
            Instr::BrF64Lt {
                a: 1,
                b: 2,
                target: 3
            }
            .negate_branch(8),
            Some(Instr::BrF64NotLt {
                a: 1,
                b: 2,
                target: 8
            })
        );
    }

    /// An operator of the `lowered` section takes its operands from the declared inputs
    /// and lowers only for memory 0.
    #[test]
    fn lowered_operators_take_their_declared_inputs() {
        let fill = Instr::lowered(&Operator::MemoryFill { mem: 0 }).expect("lowered");
        assert_eq!((fill.inputs, fill.output), (3, false));
        let mut out = Vec::new();
        (fill.make)(&mut out, &[4, 5, 6], 0);
        assert_eq!(
            out,
            [Instr::MemoryFill {
                addr: 4,
                value: 5,
                len: 6
            }]
        );
        assert!(Instr::lowered(&Operator::MemoryFill { mem: 1 }).is_none());
        let copy = Operator::MemoryCopy {
            dst_mem: 0,
            src_mem: 1,
        };
        assert!(Instr::lowered(&copy).is_none());
    }

    /// Commutativity is the list's `[commutative]` flag.
    #[test]
    fn lowering_tables_follow_the_list() {
        let commutative = |op| match Instr::numeric(&op) {
            Some(Numeric::Binary { commutative, .. }) => commutative,
            _ => panic!("binary"),
        };
        assert!(commutative(Operator::I32Add));
        assert!(commutative(Operator::I64Ne));
        assert!(!commutative(Operator::I32Sub));
        assert!(!commutative(Operator::I32LtS));
        assert!(matches!(
            Instr::numeric(&Operator::F32Add),
            Some(Numeric::Binary { imm: None, .. })
        ));
        assert!(matches!(
            Instr::numeric(&Operator::I64Add),
            Some(Numeric::Binary {
                imm: Some(_),
                wide: true,
                ..
            })
        ));
    }
}
