//! The portable driver: a loop that fetches each instruction, runs its body through one
//! `match` (generated from the list) and follows the [`Flow`] it returns. It runs the
//! instructions of one function: calls, returns and instructions whose body exits stop it,
//! for the engine to carry out.
//!
//! The machine it gives the bodies ([`Frame`]) reads and writes the frame's slots and
//! fetches instructions without bounds checks, the one `unsafe` of this driver: sound
//! because every function passed `verify` (every slot field lies within the frame, every
//! target within the function, a jump table is followed by its jumps, and the last
//! instruction does not fall through), the frame is sliced to exactly the function's frame
//! size (a checked slice), and execution starts at 0 or at a position the engine got from
//! this driver or the threaded one (the instruction after a call). `debug_assert!`s recheck
//! every access in debug builds, and the engine's tests run under Miri
//! (`cargo +nightly miri test -p wasm-exec`).
#![allow(unsafe_code)]

use super::host::Host;
use super::shared::{Limits, Stop, global_bits, set_global_bits};
use crate::isa::{ACC, AccValue, Flow, Instr, Machine, Slot, bodies, for_each_instr};
use crate::translate::{CompiledFunc, Metering};
use wasm_core::{Trap, TrapCode};
use wasm_runtime::engine::Meter;
use wasm_runtime::{GlobalRef, ModuleInstance};

/// What this driver prepares of a module's functions: nothing (it runs the translated
/// instructions as they are); it keeps whether their taken back edges check for an
/// interrupt.
pub(crate) struct SideTable {
    interruptible: bool,
}

impl SideTable {
    /// The side table of `module`, whose code was translated with `metering`.
    pub(crate) fn new(_module: &wasm_core::Module, metering: Metering) -> Self {
        SideTable {
            interruptible: metering.interrupt,
        }
    }

    /// Prepares defined function `index`, just translated.
    pub(crate) fn install(&self, _index: u32, _code: &CompiledFunc) -> Result<(), &'static str> {
        Ok(())
    }

    /// Whether the module's code stops at a pending interrupt.
    pub(crate) fn interruptible(&self) -> bool {
        self.interruptible
    }
}

/// What the driver keeps from one run to the next: nothing.
#[derive(Default)]
pub(crate) struct ChainState(());

/// One run of a function's code.
pub(crate) struct Ctx<'a> {
    globals: &'a [GlobalRef],
    meter: &'a Meter,
    /// Taken back edges check for an interrupt.
    interruptible: bool,
    func: u32,
    bp: usize,
    host: Host<'a>,
}

impl<'a> Ctx<'a> {
    /// The context of a run of defined function `func` of the module, whose frame starts
    /// at `bp`, in `instance`, with `host`. (The threaded driver's other parameters, for
    /// the calls it makes itself, mean nothing here.)
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn new(
        side: &'a SideTable,
        _first: u32,
        func: u32,
        bp: usize,
        instance: &'a ModuleInstance,
        _chain: &'a mut ChainState,
        _limits: Limits,
        host: Host<'a>,
        meter: &'a Meter,
    ) -> Self {
        Ctx {
            globals: wasm_runtime::engine::globals(instance),
            meter,
            interruptible: side.interruptible,
            func,
            bp,
            host,
        }
    }

    /// The run's host functions and memory.
    pub(crate) fn host(&mut self) -> &mut Host<'a> {
        &mut self.host
    }

    /// A host function returned to this run's function (nothing is cached here).
    pub(crate) fn host_returned(&mut self) {}

    /// A table instruction ran (nothing is cached here).
    pub(crate) fn tables_changed(&mut self) {}

    /// The function running when the driver stopped, and its frame: always the one it
    /// was started in (this driver makes no calls).
    pub(crate) fn running(&self) -> (u32, usize) {
        (self.func, self.bp)
    }

    /// The calls the driver made and did not return from, outermost first, as (caller,
    /// return position, caller's frame): none.
    pub(crate) fn take_calls(&mut self) -> impl Iterator<Item = (u32, usize, usize)> + '_ {
        core::iter::empty()
    }
}

/// Runs `code` (the running function, `ctx.func`) from position `ip` until it stops, with
/// its frame at `ctx.bp` of the value stack `vals`.
pub(crate) fn run(
    vals: &mut [u64],
    code: &CompiledFunc,
    mut ip: usize,
    ctx: &mut Ctx<'_>,
) -> Result<Stop, Trap> {
    let instrs = code.instrs();
    assert!(ip < instrs.len());
    let mut m = Frame {
        regs: &mut vals[ctx.bp..ctx.bp + code.frame_size()],
        // The accumulators start unknown: the translator relies on them only after an
        // instruction that set them, never across a call, a return or a jump target.
        acc: 0,
        facc: 0.0,
        mem: ctx.host.bytes(),
        globals: ctx.globals,
        meter: ctx.meter,
    };
    loop {
        let instr = fetch(instrs, ip);
        let flow = match for_each_instr!(match_instr, instr, m) {
            Ok(flow) => flow,
            Err(code) => return Ok(Stop::Trapped(ip, code.into())),
        };
        let next = match flow {
            Flow::Next => ip + 1,
            Flow::Skip => ip + 2,
            Flow::Jump(target) => target as usize,
            Flow::Branch(taken, target) => match taken {
                true => target as usize,
                false => ip + 1,
            },
            Flow::BranchElseSkip(taken, target) => match taken {
                true => target as usize,
                false => ip + 2,
            },
            // The entry is a `Jump` (verified): go straight to its target.
            Flow::Table(entry) => match fetch(instrs, ip + 1 + entry as usize) {
                Instr::Jump { target } => target as usize,
                _ => return Err(Trap::Code(TrapCode::Unreachable)),
            },
            Flow::Return => return Ok(Stop::Returned),
            Flow::Call { .. }
            | Flow::CallIndirect { .. }
            | Flow::TailCall { .. }
            | Flow::TailCallIndirect { .. }
            | Flow::Exit => {
                return Ok(Stop::At(ip));
            }
        };
        // A taken back edge (every loop iteration takes one) of interruptible code.
        if next <= ip && ctx.interruptible && m.meter.interrupted() {
            return Ok(Stop::Interrupted(next));
        }
        ip = next;
    }
}

/// The `match` running the body of instruction `$instr` on machine `$m`.
macro_rules! match_instr {
    (
        [$instr:ident, $m:ident]
        $(
            $(#[doc = $doc:expr])*
            $name:ident { $($field:ident : $kind:ident $(($ty:ty))?),* }
            ($caps:expr) |$bm:ident| $body:block
        )*
    ) => {
        match $instr {
            $( Instr::$name { $($field),* } => bodies::$name(&mut $m, $($field),*), )*
        }
    };
}
use match_instr;

/// The machine of this driver: the running function's frame, the accumulators, memory 0
/// and the instance's globals.
struct Frame<'a> {
    regs: &'a mut [u64],
    acc: u64,
    facc: f64,
    mem: &'a mut [u8],
    globals: &'a [GlobalRef],
    meter: &'a Meter,
}

impl Machine for Frame<'_> {
    #[inline(always)]
    fn read<T: AccValue, const P: u8>(&self, slot: Slot) -> T {
        if slot == ACC {
            T::from_acc(self.acc, self.facc)
        } else {
            T::from_cell(self.get(slot))
        }
    }

    #[inline(always)]
    fn get(&self, slot: Slot) -> u64 {
        debug_assert!((slot as usize) < self.regs.len());
        // SAFETY: `slot` is a verified slot field and `regs` is the frame (module docs).
        unsafe { *self.regs.get_unchecked(slot as usize) }
    }

    #[inline(always)]
    fn set(&mut self, slot: Slot, bits: u64) {
        debug_assert!((slot as usize) < self.regs.len());
        // SAFETY: `slot` is a verified slot field and `regs` is the frame (module docs).
        unsafe { *self.regs.get_unchecked_mut(slot as usize) = bits }
    }

    // A `v128`'s two cells as one 16-byte access (little-endian: the low half first, as
    // in memory). Not with debug assertions: there `read_unaligned` and `write_unaligned`
    // check their preconditions on the address of a local, which then keeps a stack
    // frame in a threaded handler and makes its jump to the next one an ordinary call
    // (the native stack overflows in a loop; found by `exec_diff`, built so).
    #[cfg(all(target_endian = "little", not(debug_assertions)))]
    #[inline(always)]
    fn get_v128(&self, slot: Slot) -> wasm_core::V128 {
        debug_assert!((slot as usize) + 1 < self.regs.len());
        // SAFETY: `slot` and `slot + 1` are verified slots (a `vin` operand) and `regs`
        // is the frame (module docs); the read is unaligned-tolerant.
        wasm_core::V128::from_bits(unsafe {
            self.regs
                .as_ptr()
                .add(slot as usize)
                .cast::<u128>()
                .read_unaligned()
        })
    }

    #[cfg(all(target_endian = "little", not(debug_assertions)))]
    #[inline(always)]
    fn set_v128(&mut self, slot: Slot, value: wasm_core::V128) {
        debug_assert!((slot as usize) + 1 < self.regs.len());
        // SAFETY: `slot` and `slot + 1` are verified slots (a `vdst` operand) and `regs`
        // is the frame (module docs); the write is unaligned-tolerant.
        unsafe {
            let cells = self.regs.as_mut_ptr().add(slot as usize);
            cells.cast::<u128>().write_unaligned(value.to_bits());
        }
    }

    #[inline(always)]
    fn accumulators(&mut self) -> (&mut u64, &mut f64) {
        (&mut self.acc, &mut self.facc)
    }

    #[inline(always)]
    fn memory(&mut self) -> &mut [u8] {
        self.mem
    }

    #[inline(always)]
    fn global(&self, index: u32) -> Result<u64, TrapCode> {
        global_bits(self.globals, index)
    }

    #[inline(always)]
    fn set_global(&mut self, index: u32, bits: u64) -> Result<(), TrapCode> {
        set_global_bits(self.globals, index, bits)
    }

    #[inline(always)]
    fn consume_fuel(&mut self, amount: u32) -> bool {
        self.meter.consume(u64::from(amount))
    }

    #[inline(always)]
    fn interrupted(&self) -> bool {
        self.meter.interrupted()
    }
}

/// The instruction at `ip`.
#[inline(always)]
fn fetch(instrs: &[Instr], ip: usize) -> Instr {
    debug_assert!(ip < instrs.len());
    // SAFETY: `ip` is a verified position: 0 or the start position `run` checked, a
    // verified target, an entry of a jump table (followed by its jumps, verified), or the
    // successor of an instruction that falls through, which is never the last (and of
    // one that skips, never one of the last two) (module docs).
    unsafe { *instrs.get_unchecked(ip) }
}
