//! The threaded driver: one handler function per instruction, generated from the list,
//! each running the instruction's body and ending in a call of the next instruction's
//! handler, whose address is stored next to the instruction ([`Op`]). The handlers have
//! identical `extern "C"` signatures and make that call last, so LLVM compiles it to a jump
//! (a sibling call): every handler has its own indirect jump, which the branch predictor
//! learns per instruction, and the hot state (instruction pointer, frame, memory base and
//! length, accumulators) stays in argument registers.
//!
//! Selected by `cfg(wasmite_threaded)` (see `build.rs`): optimised builds on x86_64 and
//! aarch64 without the `portable-dispatch` feature. In unoptimised builds no sibling call
//! is guaranteed, so each instruction would grow the native stack. `tests/threaded.rs`
//! checks, in release builds, that long loops of instructions and of calls run on a small
//! native stack. A handler must keep an empty stack frame for its last call to become a
//! jump: work that needs temporaries in memory is done out of line, reached by a sibling
//! call (`call_indirect_uncached`, `zero_locals`).
//!
//! **The chain.** Handlers run straight-line code, branches, memory, numeric and global
//! instructions, calls to functions of the same module and instance with their returns
//! (the callers kept as [`ChainFrame`]s), and calls of host functions (through the run's
//! [`Host`]). The chain stops at calls into other instances and through `call_indirect` to
//! the host, instructions whose body exits (`memory.grow`), traps (a host function's
//! too), the return of the function it started in, and calls that would pass the call
//! stack limit or need a larger value stack; the engine carries these out and starts the
//! chain again.
//!
//! **Branches.** Targets are stored as byte distances from the branch. Conditional
//! branches are kept as real branches (a conditional move would make every later operand
//! fetch wait for the comparison), and a taken back edge continues from a remembered copy
//! of its target's address ([`taken_to`]) so that a loop's next iteration does not wait for
//! the read of the target. A jump table's entries carry their target's handler, so the
//! table reaches its target in one dispatch.
//!
//! **Safety.** Every handler is an `unsafe fn`: it trusts that `ip` points to an
//! instruction of its own variant among the verified instructions of the running function,
//! that `regs` points to that function's frame within the value stack, that `mem`/`len`
//! describe memory 0's bytes (borrowed for the whole run), and that `ctx` is the live
//! context. [`run`] establishes this for the first handler and every handler passes it on:
//! it moves `ip` only to a verified target, to the next instruction (which exists after an
//! instruction that falls through), to a callee's first instruction or to a caller's
//! return address, and moves `regs` only to a callee's frame checked to lie within the
//! value stack, or back to a caller's. [`thread`] pairs each instruction with its own
//! handler, for the accumulator position its operands name.
#![allow(unsafe_code)]

use super::host::{Host, HostTrap, takes_numbers};
use super::shared::{Limits, MAX_VALUE_CELLS, Stop, global_bits, indirect_callee, set_global_bits};
use crate::isa::{AccValue, COUNT, Flow, Instr, Machine, Slot, bodies, for_each_instr};
use crate::prelude::*;
use crate::translate::{CompiledFunc, Metering};
use core::cell::{Cell, OnceCell};
use core::hint::unreachable_unchecked;
use core::sync::atomic::{AtomicBool, Ordering};
use wasm_core::{Signature, Trap, TrapCode};
use wasm_runtime::engine;
use wasm_runtime::engine::Meter;
use wasm_runtime::{GlobalRef, ModuleInstance};

/// An instruction with its handler: the threaded form of a function's code, made once per
/// function ([`thread`]). The handler's address next to the operands makes the dispatch
/// one load and one jump.
#[derive(Clone, Copy)]
pub(crate) struct Op {
    handler: Handler,
    instr: Instr,
}

/// A handler: runs the instruction at `ip` and the ones after it; returns the address of
/// the instruction the engine must carry out, or null when the chain stopped for the
/// reason in `ctx` (a trap, or the return of the function it started in). `acc` and `facc`
/// are the accumulators; `hint` and `hint2` the addresses of the last two loop heads a back
/// edge jumped to, or anything else (see [`taken_to`]).
type Handler = unsafe extern "C" fn(
    ip: *const Op,
    regs: *mut u64,
    mem: *mut u8,
    len: usize,
    ctx: *mut Ctx<'_>,
    acc: u64,
    facc: f64,
    hint: f64,
    hint2: f64,
) -> *const Op;

/// What this driver prepares of a module's functions: their threaded code, and what a call
/// made in the chain needs of each callee, in one array.
pub(crate) struct SideTable {
    /// Each defined function's threaded code, once translated.
    ops: Box<[OnceCell<Box<[Op]>>]>,
    /// The chain's view of `ops`: a call reads one entry (code, frame size, locals)
    /// instead of walking to the function's code. A function not translated yet has
    /// [`Entry::UNTRANSLATED`].
    entries: Box<[Cell<Entry>]>,
    /// The number of parameters of each of the module's types (where `call_indirect`
    /// finds its table index).
    type_params: Box<[u32]>,
    /// What the module's taken branches check ([`INTERRUPT`], [`FUEL`]): its branches get
    /// the handlers that do ([`CHECKED`]).
    checks: u8,
}

impl SideTable {
    /// The side table of `module`, no function prepared yet; its code was translated
    /// with `metering`.
    pub(crate) fn new(module: &wasm_core::Module, metering: Metering) -> Self {
        let n = module.bodies.len();
        SideTable {
            checks: (u8::from(metering.interrupt) * INTERRUPT) | (u8::from(metering.fuel) * FUEL),
            ops: (0..n).map(|_| OnceCell::new()).collect(),
            entries: (0..n).map(|_| Cell::new(Entry::UNTRANSLATED)).collect(),
            type_params: module
                .types
                .iter()
                .map(|ty| ty.param_cells() as u32)
                .collect(),
        }
    }

    /// Whether the module's code stops at a pending interrupt.
    pub(crate) fn interruptible(&self) -> bool {
        self.checks & INTERRUPT != 0
    }

    /// Prepares defined function `index`, just translated: threads its code and fills its
    /// entry. Fails for a function too large for the threaded targets.
    pub(crate) fn install(&self, index: u32, code: &CompiledFunc) -> Result<(), &'static str> {
        let (Some(cell), Some(entry)) = (
            self.ops.get(index as usize),
            self.entries.get(index as usize),
        ) else {
            return Err("unknown function");
        };
        let ops = match cell.get() {
            Some(ops) => ops,
            None => {
                let ops = thread(code.instrs(), self.checks).ok_or("function too large")?;
                cell.get_or_init(|| ops)
            }
        };
        entry.set(Entry {
            code: ops.as_ptr(),
            frame_size: code.frame_size,
            num_params: code.num_params,
            num_locals: code.num_locals,
        });
        Ok(())
    }
}

/// What a call made in the chain needs of its callee.
#[derive(Clone, Copy)]
struct Entry {
    /// The function's threaded code, owned by the same side table (never replaced once
    /// set), so valid as long as the entry is reachable.
    code: *const Op,
    frame_size: u32,
    num_params: u32,
    num_locals: u32,
}

// `Entry::UNTRANSLATED` relies on these (`build.rs` ensures the first).
const _: () = assert!(usize::BITS == 64);
const _: () = assert!(MAX_VALUE_CELLS < u32::MAX as usize);

impl Entry {
    /// The entry of a function not translated yet (lazy translation). Its frame size never
    /// fits in the value stack, so [`enter`] leaves the call to the engine, which
    /// translates the function and fills this entry: the chain's calls need no test of
    /// their own. (The value stack never exceeds `MAX_VALUE_CELLS` = 2^31 cells, so any
    /// frame base plus `u32::MAX` is past its end, and the sum cannot overflow: the threaded
    /// build is 64-bit only.)
    const UNTRANSLATED: Entry = Entry {
        code: core::ptr::null(),
        frame_size: u32::MAX,
        num_params: 0,
        num_locals: 0,
    };
}

/// What the chain keeps from one run to the next (in the engine's stacks): buffers, and
/// the `call_indirect` cache.
pub(crate) struct ChainState {
    /// Never grown: a call that finds it full leaves the chain (see [`enter`]).
    calls: Vec<ChainFrame>,
    cache: Box<IndirectCache>,
}

/// How many calls deep the chain goes before it leaves a call to the engine, which turns
/// the chain's callers into frames of its own and starts the chain again.
const CHAIN_CALLS: usize = 256;

impl Default for ChainState {
    fn default() -> Self {
        ChainState {
            calls: Vec::with_capacity(CHAIN_CALLS),
            cache: Box::default(),
        }
    }
}

/// A caller suspended by a call made in the chain.
#[derive(Clone, Copy, Debug)]
struct ChainFrame {
    /// The caller (index among the module's defined functions).
    func: u32,
    /// Start of its frame.
    bp: usize,
    /// Its code, and where it resumes in it: the return needs no look-up of the caller's
    /// entry, and the call no division to turn an address into an index.
    code: *const Op,
    ret: *const Op,
}

impl ChainFrame {
    /// Where the caller resumes, as an index in its code.
    fn ret_index(&self) -> usize {
        (self.ret as usize - self.code as usize) / size_of::<Op>()
    }
}

/// The `call_indirect` targets the chain resolved: table entries known to hold a function
/// of the running module and instance of a given type, so that the next call through the
/// same entry skips the table, the function's code and its type check. Direct-mapped by
/// entry index. An entry is valid only in the run that filled it (its `generation`):
/// tables do not change while the chain runs (a host call, the only way out to code that
/// may change one, invalidates it, and no instruction writes a table yet; one that does
/// must invalidate it too).
struct IndirectCache {
    entries: [CacheEntry; CACHE_SIZE],
    generation: u32,
}

const CACHE_SIZE: usize = 64;

#[derive(Clone, Copy, Default)]
struct CacheEntry {
    generation: u32,
    table: u32,
    elem: u32,
    ty: u32,
    /// The callee's index among the module's defined functions.
    callee: u32,
}

impl Default for IndirectCache {
    fn default() -> Self {
        IndirectCache {
            entries: [CacheEntry::default(); CACHE_SIZE],
            generation: 1,
        }
    }
}

impl IndirectCache {
    /// Forgets every entry (a new run starts).
    fn invalidate(&mut self) {
        self.generation = self.generation.wrapping_add(1);
        if self.generation == 0 {
            // Entries of generation 1 might still be there: clear them all.
            *self = IndirectCache::default();
        }
    }

    #[inline(always)]
    fn get(&self, table: u32, elem: u32, ty: u32) -> Option<u32> {
        let e = &self.entries[elem as usize % CACHE_SIZE];
        (e.generation == self.generation && e.elem == elem && e.ty == ty && e.table == table)
            .then_some(e.callee)
    }

    fn insert(&mut self, table: u32, elem: u32, ty: u32, callee: u32) {
        self.entries[elem as usize % CACHE_SIZE] = CacheEntry {
            generation: self.generation,
            table,
            elem,
            ty,
            callee,
        };
    }
}

/// Why the chain returned a null pointer.
enum Outcome {
    /// It did not (yet).
    Running,
    /// The instruction at this position of the running function trapped.
    Trap(usize, Trap),
    /// The function it started in returned.
    Returned,
    /// The host function the call at this position called trapped.
    HostTrap(usize, Trap),
    /// A taken back edge found an interrupt pending; the chain stopped at its target,
    /// this position.
    Interrupted(usize),
}

/// One run of the chain, and what it needs besides its register arguments.
pub(crate) struct Ctx<'a> {
    /// The running function's code (branch targets are distances from here).
    code: *const Op,
    /// The running instance (one for the whole chain) and its globals.
    instance: &'a ModuleInstance,
    globals: &'a [GlobalRef],
    /// The module's prepared functions: calls to them are made in the chain.
    side: &'a SideTable,
    /// The number of imported functions (the function index of the first defined one).
    first: u32,
    /// Why the chain stopped, when a handler returned null.
    outcome: Outcome,
    /// The trap of the instruction that [`trapped`] stops at.
    trap_code: TrapCode,
    /// Null, returned by [`stop`] from here rather than as a constant: were the optimiser
    /// to know that `stop` returns null, a handler's call of it could no longer be its
    /// last (the handler would return the constant itself), and every handler that may
    /// trap would set up a stack frame on its fast path too.
    null: *const Op,
    /// Calls made in the chain and not returned from: their callers, innermost last.
    calls: &'a mut Vec<ChainFrame>,
    /// Resolved `call_indirect` targets of this run.
    cache: &'a mut IndirectCache,
    /// How many more calls the chain may make (the call stack limit), and how many
    /// frames the execution had when the run started.
    call_budget: usize,
    frames: usize,
    /// The value stack limit (cells).
    value_limit: usize,
    /// The running function (index among the module's defined functions) and the start
    /// of its frame on the value stack.
    func: u32,
    bp: usize,
    /// The value stack and its usable length, set by [`run`].
    vals: *mut u64,
    vals_len: usize,
    /// Host functions and memory 0.
    host: Host<'a>,
    /// The invocation's fuel tank and interrupt flag, and the flag itself (one load
    /// nearer, for the back edges that check it).
    meter: &'a Meter,
    interrupt: &'a AtomicBool,
    /// The host function the chain called last: its function index, its index for
    /// `Externals::invoke_index` and its type (a loop calling the host finds them here, not
    /// through the instance's function and its type, a chain of dependent loads).
    last_host: Option<(u32, usize, &'a Signature)>,
}

impl<'a> Ctx<'a> {
    /// The context of a run of defined function `func` of the module prepared in `side`
    /// (whose first `first` functions are imported), with its frame at `bp`, in `instance`,
    /// within `limits`, with `host`.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn new(
        side: &'a SideTable,
        first: u32,
        func: u32,
        bp: usize,
        instance: &'a ModuleInstance,
        chain: &'a mut ChainState,
        limits: Limits,
        host: Host<'a>,
        meter: &'a Meter,
    ) -> Self {
        let ChainState { calls, cache } = chain;
        calls.clear();
        cache.invalidate();
        Ctx {
            code: core::ptr::null(),
            instance,
            globals: engine::globals(instance),
            side,
            first,
            outcome: Outcome::Running,
            trap_code: TrapCode::Unreachable,
            null: core::ptr::null(),
            calls,
            cache,
            call_budget: limits.call_limit.saturating_sub(limits.frames),
            frames: limits.frames,
            value_limit: limits.value_limit,
            func,
            bp,
            vals: core::ptr::null_mut(),
            vals_len: 0,
            host,
            last_host: None,
            meter,
            interrupt: meter.interrupt_flag(),
        }
    }

    /// The run's host functions and memory.
    pub(crate) fn host(&mut self) -> &mut Host<'a> {
        &mut self.host
    }

    /// A host function was called from this run's function: it may have changed tables,
    /// so the resolved `call_indirect` targets are forgotten.
    #[inline]
    pub(crate) fn host_returned(&mut self) {
        self.tables_changed();
    }

    /// A table instruction ran (left to the engine): the resolved `call_indirect` targets
    /// are forgotten.
    #[inline]
    pub(crate) fn tables_changed(&mut self) {
        self.cache.invalidate();
    }

    /// The function running when the chain stopped, and the start of its frame.
    pub(crate) fn running(&self) -> (u32, usize) {
        (self.func, self.bp)
    }

    /// The calls the chain made and did not return from, outermost first, as (caller,
    /// return position, caller's frame); the chain forgets them.
    pub(crate) fn take_calls(&mut self) -> impl Iterator<Item = (u32, usize, usize)> + '_ {
        self.calls
            .drain(..)
            .map(|call| (call.func, call.ret_index(), call.bp))
    }
}

/// The threaded form of verified instructions (same positions), each with the handler
/// of its variant for the accumulator position its operands name (with `checks`, a
/// branch's handler makes them when taken, see [`taken_checked`]). Branch targets
/// become byte distances from the branch (see [`jump`]); `None` if one does not fit in an
/// `i32` (a function of more than 89 million instructions).
fn thread(instrs: &[Instr], checks: u8) -> Option<Box<[Op]>> {
    let tables = match checks {
        0 => &TABLES,
        _ => CHECKED.get(usize::from(checks) - 1)?,
    };
    let mut ops = Vec::with_capacity(instrs.len());
    for (at, instr) in instrs.iter().enumerate() {
        let mode = instr.acc_position().map_or(0, |position| position + 1);
        ops.push(Op {
            handler: tables[usize::from(mode)][usize::from(instr.tag())],
            instr: *instr,
        });
        // The target is rewritten in place: changing a field of a copy and then moving
        // the copy would stall on the small write.
        if let Some(target) = ops.last_mut().and_then(|op: &mut Op| op.instr.target_mut()) {
            let distance = (i64::from(*target) - at as i64) * size_of::<Op>() as i64;
            *target = i32::try_from(distance).ok()? as u32;
        }
    }
    // A jump table's entries carry their target's handler in place of `Jump`'s: the
    // table's handler then jumps to the target in one step (the entries are reached only
    // through their table, which `verify` makes them follow, never dispatched).
    for at in 0..instrs.len() {
        if let Instr::JumpTable { len, .. } = instrs[at] {
            for entry in at + 1..=at + 1 + len as usize {
                if let Some(&Instr::Jump { target }) = instrs.get(entry) {
                    ops[entry].handler = ops.get(target as usize)?.handler;
                }
            }
        }
    }
    Some(ops.into_boxed_slice())
}

/// Runs the chain from position `ip` of the running function (`ctx.func`, whose
/// translation is `code`, its frame at `ctx.bp` of the value stack `vals`) until it stops.
/// On [`Stop::At`] and [`Stop::HostTrap`], the position is in the function running then
/// ([`Ctx::running`]): calls to the module's functions happen in the chain
/// ([`Ctx::take_calls`]).
pub(crate) fn run(
    vals: &mut [u64],
    code: &CompiledFunc,
    ip: usize,
    ctx: &mut Ctx<'_>,
) -> Result<Stop, Trap> {
    let ops = ctx
        .side
        .ops
        .get(ctx.func as usize)
        .and_then(OnceCell::get)
        .ok_or(Trap::Code(TrapCode::Unreachable))?;
    // The chain's invariants (module docs): the function is the one prepared (same
    // length as its translation), `ip` one of its positions, its frame within `vals`.
    assert!(
        ops.len() == code.instrs().len()
            && ip < ops.len()
            && ctx.bp + code.frame_size() <= vals.len()
    );
    ctx.code = ops.as_ptr();
    ctx.vals = vals.as_mut_ptr();
    ctx.vals_len = vals.len().min(ctx.value_limit);
    ctx.outcome = Outcome::Running;
    let mem = ctx.host.bytes();
    let (mem, len) = (mem.as_mut_ptr(), mem.len());
    // SAFETY: the chain's invariants hold (checked above; the functions of the side table
    // are verified). The accumulators start unknown: the chain starts at a function's entry
    // or after an instruction that clears them. No loop head is known yet (0 is no
    // instruction's address).
    let stop = unsafe {
        dispatch(
            ctx.code.add(ip),
            ctx.vals.add(ctx.bp),
            mem,
            len,
            ctx,
            0,
            0.0,
            0.0,
            0.0,
        )
    };
    if stop.is_null() {
        return match core::mem::replace(&mut ctx.outcome, Outcome::Running) {
            Outcome::Returned => Ok(Stop::Returned),
            Outcome::HostTrap(at, trap) => Ok(Stop::HostTrap(at, trap)),
            Outcome::Trap(at, trap) => Ok(Stop::Trapped(at, trap)),
            Outcome::Interrupted(at) => Ok(Stop::Interrupted(at)),
            Outcome::Running => Err(Trap::Code(TrapCode::Unreachable)),
        };
    }
    // SAFETY: `stop` points into the running function's code, which starts at `ctx.code`
    // (a handler returns the address of its own instruction).
    Ok(Stop::At(unsafe { stop.offset_from(ctx.code) } as usize))
}

/// The machine of this driver, over the handlers' register arguments: the running
/// function's frame, memory 0, the context and the accumulators. `MODE` says which input
/// position, if any, is read from the accumulator: 0 none, 1 position 0, 2 position 1 (the
/// handler [`thread`] chose for the instruction's operands).
struct Chain<'c, const MODE: u8> {
    regs: *mut u64,
    mem: *mut u8,
    len: usize,
    ctx: *mut Ctx<'c>,
    acc: u64,
    facc: f64,
}

impl<'c, const MODE: u8> Chain<'c, MODE> {
    /// The machine of a handler.
    ///
    /// # Safety
    /// The handler's arguments satisfy the chain's invariants (module docs): `regs` is the
    /// running function's frame, `mem`/`len` memory 0's borrowed bytes, `ctx` the live
    /// context; the machine is used for the body of an instruction of that function whose
    /// accumulator operand, if any, is in the position `MODE` names.
    #[inline(always)]
    unsafe fn new(
        regs: *mut u64,
        mem: *mut u8,
        len: usize,
        ctx: *mut Ctx<'c>,
        acc: u64,
        facc: f64,
    ) -> Self {
        Chain {
            regs,
            mem,
            len,
            ctx,
            acc,
            facc,
        }
    }

    /// The live context.
    #[inline(always)]
    fn ctx(&self) -> &Ctx<'c> {
        // SAFETY: `ctx` is the live context (see `new`), not otherwise borrowed while a
        // body runs.
        unsafe { &*self.ctx }
    }
}

impl<const MODE: u8> Machine for Chain<'_, MODE> {
    #[inline(always)]
    fn read<T: AccValue, const P: u8>(&self, slot: Slot) -> T {
        if MODE == P + 1 {
            // This handler reads position `P` from the accumulator (and ignores the slot
            // field, which is `ACC`).
            T::from_acc(self.acc, self.facc)
        } else {
            T::from_cell(self.get(slot))
        }
    }

    #[inline(always)]
    fn get(&self, slot: Slot) -> u64 {
        // SAFETY: a verified slot of the running function's frame (see `new`).
        unsafe { *self.regs.add(slot as usize) }
    }

    #[inline(always)]
    fn set(&mut self, slot: Slot, bits: u64) {
        // SAFETY: a verified slot of the running function's frame (see `new`).
        unsafe { *self.regs.add(slot as usize) = bits }
    }

    // A `v128`'s two cells as one 16-byte access (little-endian: the low half first, as
    // in memory). Not with debug assertions: there `read_unaligned` and `write_unaligned`
    // check their preconditions on the address of a local, which then keeps a stack
    // frame in a threaded handler and makes its jump to the next one an ordinary call
    // (the native stack overflows in a loop; found by `exec_diff`, built so).
    #[cfg(all(target_endian = "little", not(debug_assertions)))]
    #[inline(always)]
    fn get_v128(&self, slot: Slot) -> wasm_core::V128 {
        // SAFETY: `slot` and `slot + 1` are verified slots of the running function's
        // frame (a `vin` operand; see `new`); the read is unaligned-tolerant.
        wasm_core::V128::from_bits(unsafe {
            self.regs.add(slot as usize).cast::<u128>().read_unaligned()
        })
    }

    #[cfg(all(target_endian = "little", not(debug_assertions)))]
    #[inline(always)]
    fn set_v128(&mut self, slot: Slot, value: wasm_core::V128) {
        // SAFETY: `slot` and `slot + 1` are verified slots of the running function's
        // frame (a `vdst` operand; see `new`); the write is unaligned-tolerant.
        unsafe {
            self.regs
                .add(slot as usize)
                .cast::<u128>()
                .write_unaligned(value.to_bits())
        }
    }

    #[inline(always)]
    fn accumulators(&mut self) -> (&mut u64, &mut f64) {
        (&mut self.acc, &mut self.facc)
    }

    #[inline(always)]
    fn memory(&mut self) -> &mut [u8] {
        // SAFETY: `mem`/`len` describe the borrowed bytes of memory 0 (an empty slice's
        // dangling but aligned pointer when there is none); no other reference to them is
        // used while the chain runs.
        unsafe { core::slice::from_raw_parts_mut(self.mem, self.len) }
    }

    #[inline(always)]
    fn global(&self, index: u32) -> Result<u64, TrapCode> {
        global_bits(self.ctx().globals, index)
    }

    #[inline(always)]
    fn set_global(&mut self, index: u32, bits: u64) -> Result<(), TrapCode> {
        set_global_bits(self.ctx().globals, index, bits)
    }

    #[inline(always)]
    fn consume_fuel(&mut self, amount: u32) -> bool {
        self.ctx().meter.consume(u64::from(amount))
    }

    #[inline(always)]
    fn interrupted(&self) -> bool {
        self.ctx().meter.interrupted()
    }
}

/// Declares a function with a handler's signature: an instruction's handler, or work
/// reached from one by a sibling call (which needs the caller's and the callee's
/// signatures to match). `unsafe`: the chain's invariants (module docs) hold for its
/// arguments.
macro_rules! chain_fn {
    (
        $(#[$attr:meta])*
        $vis:vis fn $name:ident $(<$(const $c:ident: $ct:ty),+>)?
        ($ip:ident, $regs:ident, $mem:ident, $len:ident, $ctx:ident, $acc:ident, $facc:ident, $hint:ident, $hint2:ident)
        $body:block
    ) => {
        $(#[$attr])*
        #[allow(clippy::too_many_arguments)]
        $vis unsafe extern "C" fn $name $(<$(const $c: $ct),+>)? (
            $ip: *const Op,
            $regs: *mut u64,
            $mem: *mut u8,
            $len: usize,
            $ctx: *mut Ctx<'_>,
            $acc: u64,
            $facc: f64,
            $hint: f64,
            $hint2: f64,
        ) -> *const Op $body
    };
}

/// The handler of every instruction, generic over the accumulator mode, and the tables
/// [`thread`] picks them from.
macro_rules! handlers {
    (
        []
        $(
            $(#[doc = $doc:expr])*
            $name:ident { $($field:ident : $kind:ident $(($ty:ty))?),* }
            ($caps:expr) |$m:ident| $body:block
        )*
    ) => {
        /// One handler per instruction (see the module docs).
        #[allow(non_snake_case)]
        mod handler {
            use super::*;

            $(chain_fn! {
                /// Runs the instruction (its body in `isa/bodies.rs`), then follows its flow
                /// (making the `CHECK`s at a taken branch, see [`taken_checked`]).
                ///
                /// # Safety
                /// The chain's invariants (module docs), with `ip` at an instruction of
                /// this variant whose accumulator operand is in the position `MODE` names.
                pub(super) fn $name<const MODE: u8, const CHECK: u8>(ip, regs, mem, len, ctx, acc, facc, hint, hint2) {
                    // SAFETY: `ip` is an instruction of this variant (see above).
                    let Instr::$name { $($field),* } = (unsafe { (*ip).instr }) else {
                        // SAFETY: as above.
                        unsafe { unreachable_unchecked() }
                    };
                    // SAFETY: the handler's arguments are the chain's (see above).
                    let mut m = unsafe { Chain::<MODE>::new(regs, mem, len, ctx, acc, facc) };
                    let flow = bodies::$name(&mut m, $($field),*);
                    // SAFETY: `ip` is the instruction just run, `m` its machine.
                    unsafe { follow::<MODE, CHECK>(flow, ip, m, hint, hint2) }
                }
            })*
        }

        /// The handlers in the declaration order of [`Instr`], for each accumulator mode
        /// (none, position 0, position 1).
        static TABLES: [[Handler; COUNT]; 3] = [
            [$(handler::$name::<0, 0> as Handler),*],
            [$(handler::$name::<1, 0> as Handler),*],
            [$(handler::$name::<2, 0> as Handler),*],
        ];

        /// [`TABLES`] for metered code, for checks 1 ([`INTERRUPT`]), 2 ([`FUEL`]) and 3
        /// (both): the instructions that branch have the handlers that make them when
        /// taken.
        static CHECKED: [[[Handler; COUNT]; 3]; 3] = [
            [
                [$(checked_handler!($name, 0, 1, [$($kind)*])),*],
                [$(checked_handler!($name, 1, 1, [$($kind)*])),*],
                [$(checked_handler!($name, 2, 1, [$($kind)*])),*],
            ],
            [
                [$(checked_handler!($name, 0, 2, [$($kind)*])),*],
                [$(checked_handler!($name, 1, 2, [$($kind)*])),*],
                [$(checked_handler!($name, 2, 2, [$($kind)*])),*],
            ],
            [
                [$(checked_handler!($name, 0, 3, [$($kind)*])),*],
                [$(checked_handler!($name, 1, 3, [$($kind)*])),*],
                [$(checked_handler!($name, 2, 3, [$($kind)*])),*],
            ],
        ];
    };
}

/// The handler of instruction `$name` in mode `$mode` for code with `$check`s, given
/// the kinds of its operands: the checking variant if it branches (an operand of kind
/// `target`, or a jump table, whose entries hold the targets), else the plain one (the
/// checks are compiled only where they can matter).
macro_rules! checked_handler {
    (@scan $name:ident, $mode:literal, $check:literal, []) => {
        handler::$name::<$mode, 0> as Handler
    };
    (@scan $name:ident, $mode:literal, $check:literal, [target $($rest:ident)*]) => {
        handler::$name::<$mode, $check> as Handler
    };
    (@scan $name:ident, $mode:literal, $check:literal, [$other:ident $($rest:ident)*]) => {
        checked_handler!(@scan $name, $mode, $check, [$($rest)*])
    };
    (JumpTable, $mode:literal, $check:literal, [$($kind:ident)*]) => {
        handler::JumpTable::<$mode, $check> as Handler
    };
    ($name:ident, $mode:literal, $check:literal, [$($kind:ident)*]) => {
        checked_handler!(@scan $name, $mode, $check, [$($kind)*])
    };
}

/// A check made at taken back edges ([`taken_checked`]): an interrupt pending stops the
/// chain.
const INTERRUPT: u8 = 1;
/// A check made at taken branches ([`taken_checked`]): a branch to a `ConsumeFuel` pays its
/// amount and continues after it, saving its dispatch.
const FUEL: u8 = 2;

for_each_instr!(handlers);

/// Continues after the instruction at `ip` as its body's `flow` says: with the next
/// handler, a branch target's, a callee's or a caller's (each a sibling call), or by
/// stopping the chain.
///
/// # Safety
/// The chain's invariants (module docs), `ip` being the instruction just run and `m` its
/// machine.
#[inline(always)]
unsafe fn follow<const MODE: u8, const CHECK: u8>(
    flow: Result<Flow, TrapCode>,
    ip: *const Op,
    m: Chain<'_, MODE>,
    mut hint: f64,
    mut hint2: f64,
) -> *const Op {
    let Chain {
        regs,
        mem,
        len,
        ctx,
        acc,
        facc,
    } = m;
    // The instruction at `ip` was verified: it falls through only if an instruction
    // follows, skips only if two do, and its targets and jump table entries lie within the
    // function. `ctx` is live.
    let next = match flow {
        // SAFETY: an instruction follows (see above).
        Ok(Flow::Next) => unsafe { ip.add(1) },
        // SAFETY: two instructions follow an instruction that skips.
        Ok(Flow::Skip) => unsafe { ip.add(2) },
        // SAFETY: a verified target.
        Ok(Flow::Jump(target)) => unsafe {
            if CHECK != 0 && checked(CHECK, target) {
                match taken_checked::<CHECK>(ip, target, ctx, &mut hint, &mut hint2) {
                    Some(next) => next,
                    None => {
                        let to = jump(ip, target);
                        return interrupted(to, regs, mem, len, ctx, acc, facc, hint, hint2);
                    }
                }
            } else {
                taken_to(ip, target, &mut hint, &mut hint2)
            }
        },
        // SAFETY: a verified target; an instruction follows.
        Ok(Flow::Branch(taken, target)) => unsafe {
            if CHECK != 0 && taken && checked(CHECK, target) {
                match taken_checked::<CHECK>(ip, target, ctx, &mut hint, &mut hint2) {
                    Some(next) => next,
                    None => {
                        let to = jump(ip, target);
                        return interrupted(to, regs, mem, len, ctx, acc, facc, hint, hint2);
                    }
                }
            } else {
                branch(ip, taken, target, 1, &mut hint, &mut hint2)
            }
        },
        // SAFETY: a verified target; two instructions follow.
        Ok(Flow::BranchElseSkip(taken, target)) => unsafe {
            if CHECK != 0 && taken && checked(CHECK, target) {
                match taken_checked::<CHECK>(ip, target, ctx, &mut hint, &mut hint2) {
                    Some(next) => next,
                    None => {
                        let to = jump(ip, target);
                        return interrupted(to, regs, mem, len, ctx, acc, facc, hint, hint2);
                    }
                }
            } else {
                branch(ip, taken, target, 2, &mut hint, &mut hint2)
            }
        },
        // SAFETY: the jump table is followed by its entries (`entry` is at most their
        // number), each a `Jump` with a verified target carrying its target's handler (see
        // `thread`): the target runs next, without the `Jump`.
        Ok(Flow::Table(entry)) => unsafe {
            let entry = ip.add(1 + entry as usize);
            let Instr::Jump { target } = (*entry).instr else {
                unreachable_unchecked()
            };
            // (A table's target runs its own `ConsumeFuel`, if it starts with one.)
            if CHECK & INTERRUPT != 0 && interrupt_at(ctx, target) {
                let to = jump(entry, target);
                return interrupted(to, regs, mem, len, ctx, acc, facc, hint, hint2);
            }
            let handler = (*entry).handler;
            return handler(
                jump(entry, target),
                regs,
                mem,
                len,
                ctx,
                acc,
                facc,
                hint,
                hint2,
            );
        },
        // SAFETY: `ctx` is live; a caller recorded in it is valid (`return_to_caller`).
        Ok(Flow::Return) => unsafe {
            if (*ctx).calls.is_empty() {
                return returned(ip, regs, mem, len, ctx, acc, facc, hint, hint2);
            }
            return return_to_caller(mem, len, ctx, acc, facc, hint, hint2);
        },
        // SAFETY: `ctx` is live; `ip` is a call of the running function (`enter`).
        Ok(Flow::Call { func, base }) => unsafe {
            // A function of the module is called in the chain, and so is a host function.
            let Some(index) = func.checked_sub((*ctx).first) else {
                return call_import(ip, regs, mem, len, ctx, acc, facc, hint, hint2);
            };
            return enter(ip, index, base, mem, len, ctx, acc, facc, hint, hint2);
        },
        // SAFETY: `ctx` is live; the table index's slot is read only if it lies within the
        // value stack; `ip` is a call of the running function (`enter`).
        Ok(Flow::CallIndirect { ty, table, base }) => unsafe {
            let cached = {
                let c = &*ctx;
                c.side.type_params.get(ty as usize).and_then(|&params| {
                    let slot = base as usize + params as usize;
                    (c.bp + slot < c.vals_len)
                        .then(|| c.cache.get(table, *regs.add(slot) as u32, ty))
                        .flatten()
                })
            };
            if let Some(index) = cached {
                return enter(ip, index, base, mem, len, ctx, acc, facc, hint, hint2);
            }
            return call_indirect_uncached(ip, regs, mem, len, ctx, acc, facc, hint, hint2);
        },
        // SAFETY: `ctx` is live; `ip` is a tail call of the running function
        // (`tail_enter`). A host function (and a pending interrupt: a loop of tail calls
        // is where one stops it) is left to the engine.
        Ok(Flow::TailCall { func, base }) => unsafe {
            let index = func.checked_sub((*ctx).first);
            match index {
                Some(index) if !(CHECK & INTERRUPT != 0 && interrupt_pending(ctx)) => {
                    return tail_enter(ip, index, base, mem, len, ctx, acc, facc, hint, hint2);
                }
                _ => return ip,
            }
        },
        // SAFETY: `ctx` is live; the table index's slot is read only if it lies within the
        // value stack; `ip` is a tail call of the running function (`tail_enter`).
        Ok(Flow::TailCallIndirect { ty, table, base }) => unsafe {
            if CHECK & INTERRUPT != 0 && interrupt_pending(ctx) {
                return ip;
            }
            let cached = {
                let c = &*ctx;
                c.side.type_params.get(ty as usize).and_then(|&params| {
                    let slot = base as usize + params as usize;
                    (c.bp + slot < c.vals_len)
                        .then(|| c.cache.get(table, *regs.add(slot) as u32, ty))
                        .flatten()
                })
            };
            if let Some(index) = cached {
                return tail_enter(ip, index, base, mem, len, ctx, acc, facc, hint, hint2);
            }
            return tail_call_indirect_uncached(ip, regs, mem, len, ctx, acc, facc, hint, hint2);
        },
        Ok(Flow::Exit) => return ip,
        // SAFETY: `ctx` is live; `trapped` has a handler's signature (a sibling call).
        Err(code) => unsafe {
            (*ctx).trap_code = code;
            return trapped(ip, regs, mem, len, ctx, acc, facc, hint, hint2);
        },
    };
    // SAFETY: `next` is a valid instruction of the running function (see above).
    unsafe { dispatch(next, regs, mem, len, ctx, acc, facc, hint, hint2) }
}

/// Calls the handler of the instruction at `ip`.
///
/// # Safety
/// The chain's invariants (module docs), with `ip` at an instruction of the running
/// function.
#[inline(always)]
#[allow(clippy::too_many_arguments)] // a handler's arguments, which stay in registers
unsafe fn dispatch(
    ip: *const Op,
    regs: *mut u64,
    mem: *mut u8,
    len: usize,
    ctx: *mut Ctx<'_>,
    acc: u64,
    facc: f64,
    hint: f64,
    hint2: f64,
) -> *const Op {
    // SAFETY: `ip` is a valid operation, whose handler is its instruction's (`thread`).
    unsafe { ((*ip).handler)(ip, regs, mem, len, ctx, acc, facc, hint, hint2) }
}

/// Whether a taken branch to (threaded) `target` is a back edge (a distance of 0 or less:
/// every loop iteration takes one) and an interrupt is pending.
///
/// # Safety
/// `ctx` is the live context.
#[inline(always)]
unsafe fn interrupt_at(ctx: *mut Ctx<'_>, target: u32) -> bool {
    // SAFETY: see above.
    (target as i32) <= 0 && unsafe { (*ctx).interrupt.load(Ordering::Relaxed) }
}

/// Whether a taken branch to (threaded) `target` makes `checks`: a back edge (a distance
/// of 0 or less: every loop iteration takes one) makes them all, a forward branch the fuel
/// check.
#[inline(always)]
const fn checked(checks: u8, target: u32) -> bool {
    checks & FUEL != 0 || (target as i32) <= 0
}

/// Where a taken branch at `ip` to (threaded) `target` continues, after the `CHECK`s of
/// metered code: `None` if it is a back edge and an interrupt is pending ([`INTERRUPT`]);
/// past the target if it is a `ConsumeFuel` whose amount the tank pays ([`FUEL`]: the
/// stretch that starts there is paid here, as its instruction would, saving its
/// dispatch; when the tank holds less, the target runs and stops the invocation itself);
/// else the target.
///
/// # Safety
/// As for [`taken_to`]; `ctx` is the live context.
#[inline(always)]
unsafe fn taken_checked<const CHECK: u8>(
    ip: *const Op,
    target: u32,
    ctx: *mut Ctx<'_>,
    hint: &mut f64,
    hint2: &mut f64,
) -> Option<*const Op> {
    // SAFETY: `ctx` is live; `target` is the branch's (see above).
    unsafe {
        if CHECK & INTERRUPT != 0 && interrupt_at(ctx, target) {
            return None;
        }
        let to = taken_to(ip, target, hint, hint2);
        if CHECK & FUEL != 0
            && let Instr::ConsumeFuel { amount } = (*to).instr
            && (*ctx).meter.consume(u64::from(amount))
        {
            // A `ConsumeFuel` falls through: an instruction follows it (verified).
            return Some(to.add(1));
        }
        Some(to)
    }
}

/// Records why the chain stops, and stops it.
///
/// # Safety
/// `ctx` is the live context.
#[cold]
#[inline(never)]
unsafe fn stop(ctx: *mut Ctx<'_>, outcome: Outcome) -> *const Op {
    // SAFETY: see above.
    unsafe {
        (*ctx).outcome = outcome;
        (*ctx).null
    }
}

chain_fn! {
    /// Not an instruction's handler: stops the chain with the trap in `ctx.trap_code`,
    /// which the instruction at `ip` recorded. Reached by a sibling call, so that a handler
    /// that may trap needs no stack frame for its call.
    ///
    /// # Safety
    /// As for a handler.
    #[cold]
    #[inline(never)]
    fn trapped(ip, _regs, _mem, _len, ctx, _acc, _facc, _hint, _hint2) {
        // SAFETY: `ctx` is live; `ip` is in the running function, which starts at
        // `ctx.code`.
        unsafe {
            let code = (*ctx).trap_code;
            let at = ip.offset_from((*ctx).code) as usize;
            stop(ctx, Outcome::Trap(at, Trap::Code(code)))
        }
    }
}

chain_fn! {
    /// Not an instruction's handler: stops the chain at an interrupt found by a taken
    /// back edge, to resume at its target `ip`. Reached by a sibling call, so that the
    /// checking branches keep no stack frame.
    ///
    /// # Safety
    /// As for a handler, with `ip` the target of the branch that found the interrupt.
    #[cold]
    #[inline(never)]
    fn interrupted(ip, _regs, _mem, _len, ctx, _acc, _facc, _hint, _hint2) {
        // SAFETY: `ctx` is live; `ip` is in the running function, which starts at
        // `ctx.code`.
        unsafe {
            let at = ip.offset_from((*ctx).code) as usize;
            stop(ctx, Outcome::Interrupted(at))
        }
    }
}

chain_fn! {
    /// Not an instruction's handler: stops the chain at the return of the function it
    /// started in. Reached by a sibling call, so that the returns keep no stack frame.
    ///
    /// # Safety
    /// As for a handler.
    #[cold]
    #[inline(never)]
    fn returned(_ip, _regs, _mem, _len, ctx, _acc, _facc, _hint, _hint2) {
        // SAFETY: `ctx` is live.
        unsafe { stop(ctx, Outcome::Returned) }
    }
}

/// The operation a branch at `ip` with (threaded) target `target` jumps to: `target` is
/// the distance in bytes, as an `i32`.
///
/// # Safety
/// `target` is the threaded target of the branch at `ip` (or of the jump table entry at
/// `ip`), which [`thread`] computed from a verified target in the same function.
#[inline(always)]
unsafe fn jump(ip: *const Op, target: u32) -> *const Op {
    // SAFETY: see above: the result is an operation of the same function.
    unsafe { ip.byte_offset(target as i32 as isize) }
}

/// The next operation after a conditional branch at `ip`: its (threaded) `target` if
/// `taken`, else the operation `skip` places further.
///
/// Written so that it stays a branch: both outcomes are cheap address arithmetic, which
/// LLVM would otherwise turn into a conditional move. A conditional move makes the next
/// instruction's address, and so every later operand fetch, wait for the comparison,
/// while a (predicted) branch lets the processor run ahead; the cold-path hint is what
/// keeps the branch.
///
/// # Safety
/// As for [`jump`]; `ip + skip` is an operation of the function when not taken.
#[inline(always)]
unsafe fn branch(
    ip: *const Op,
    taken: bool,
    target: u32,
    skip: usize,
    hint: &mut f64,
    hint2: &mut f64,
) -> *const Op {
    if taken {
        cold();
        // SAFETY: see above.
        unsafe { taken_to(ip, target, hint, hint2) }
    } else {
        // SAFETY: see above.
        unsafe { ip.add(skip) }
    }
}

/// The operation a taken branch at `ip` jumps to (its threaded `target`), for a backward
/// branch (a loop's back edge) in a form the next instructions need not wait for.
///
/// The next instruction's operands are read through the address this returns. Computed
/// from `target`, itself read through `ip`, it would make every iteration of a loop wait
/// for that read before the loop's head could start, on the critical path of small loops.
/// So the handlers carry the addresses of the two back edges taken last, `hint` (the most
/// recent) and `hint2`, in registers (as the bits of `f64` arguments: the integer argument
/// registers are all taken). When the target is one of them (the common case: the same
/// loop again, or the loop around it), that copy is used, which the processor already has:
/// the comparison is a predicted branch, not a data dependency. Two, so that an inner loop
/// and the loop around it do not evict each other. Forward branches go straight: different
/// sites take them in turn (the arms of an `if`), and would evict the loops.
///
/// # Safety
/// As for [`jump`].
#[inline(always)]
unsafe fn taken_to(ip: *const Op, target: u32, hint: &mut f64, hint2: &mut f64) -> *const Op {
    // SAFETY: see above.
    let actual = unsafe { jump(ip, target) };
    if (target as i32) > 0 {
        return actual;
    }
    let last = f64::to_bits(*hint) as usize as *const Op;
    if last == actual {
        return opaque(last);
    }
    let before = f64::to_bits(*hint2) as usize as *const Op;
    if before == actual {
        return opaque(before);
    }
    cold();
    *hint2 = *hint;
    *hint = f64::from_bits(actual as usize as u64);
    actual
}

/// `p`, in a form the optimiser cannot identify with any other value: without it, LLVM
/// would replace the remembered address in [`taken_to`] by the computed one it was found
/// equal to, putting the read of `target` back on the critical path.
/// (`core::hint::black_box` would do, but passes the value through the stack, which gives
/// every branch handler a stack frame and turns its sibling call into a call.)
#[inline(always)]
// The block does not read through the pointer, which is all the lint is about.
#[allow(clippy::pointers_in_nomem_asm_block)]
#[cfg(not(miri))]
fn opaque(mut p: *const Op) -> *const Op {
    // SAFETY: an empty assembly block (the comment names the operand, as the macro
    // requires): it reads and writes no memory, and leaves `p` as it was.
    unsafe {
        core::arch::asm!("/* {0} */", inout(reg) p, options(pure, nomem, nostack, preserves_flags))
    };
    p
}

/// Miri runs no assembly; what `opaque` hides from the optimiser does not matter there.
#[cfg(miri)]
fn opaque(p: *const Op) -> *const Op {
    p
}

/// Marks the path that calls it as cold (`core::hint::cold_path` needs Rust 1.95; the
/// workspace supports 1.88): LLVM weights the branch from the callee's attribute.
#[cold]
#[inline(always)]
fn cold() {}

/// Enters function `index` of the module, called by the instruction at `ip` with its
/// arguments from slot `base`: pushes the caller as a [`ChainFrame`] and continues at the
/// callee's start. Leaves the call to the engine (returns `ip`) when the call stack limit
/// is reached or the callee's frame does not fit in the value stack as allocated (which
/// includes a callee not translated yet, see [`Entry::UNTRANSLATED`]).
///
/// # Safety
/// The chain's invariants (module docs), `ip` being a call of the running function.
#[inline(always)]
#[allow(clippy::too_many_arguments)]
unsafe fn enter(
    ip: *const Op,
    index: u32,
    base: u32,
    mem: *mut u8,
    len: usize,
    ctx: *mut Ctx<'_>,
    acc: u64,
    facc: f64,
    hint: f64,
    hint2: f64,
) -> *const Op {
    // SAFETY: `ctx` is live; `ip` is in the running function (whose code starts at
    // `c.code`). The callee's frame is checked to lie within the value stack before it is
    // touched.
    let (start, callee_regs) = unsafe {
        let c = &mut *ctx;
        let Some(callee) = c.side.entries.get(index as usize).map(Cell::get) else {
            return ip;
        };
        let callee_bp = c.bp + base as usize;
        // `calls` is never grown (a growth would need a stack frame here for the call of
        // the allocator): a call that finds it full leaves the chain.
        if c.call_budget == 0
            || c.calls.len() == c.calls.capacity()
            || callee_bp + callee.frame_size as usize > c.vals_len
        {
            return ip;
        }
        c.calls.push(ChainFrame {
            func: c.func,
            bp: c.bp,
            code: c.code,
            ret: ip.add(1),
        });
        c.call_budget -= 1;
        c.func = index;
        c.bp = callee_bp;
        c.code = callee.code;
        let callee_regs = c.vals.add(callee_bp);
        if callee.num_locals > 0 {
            // SAFETY: as for `dispatch`; the callee is the running function now.
            return zero_locals(c.code, callee_regs, mem, len, ctx, acc, facc, hint, hint2);
        }
        (c.code, callee_regs)
    };
    // SAFETY: the callee's first instruction, its frame within the value stack.
    unsafe { dispatch(start, callee_regs, mem, len, ctx, acc, facc, hint, hint2) }
}

/// Whether an interrupt is pending.
///
/// # Safety
/// `ctx` is the live context.
#[inline(always)]
unsafe fn interrupt_pending(ctx: *mut Ctx<'_>) -> bool {
    // SAFETY: see above.
    unsafe { (*ctx).interrupt.load(Ordering::Relaxed) }
}

/// Tail-calls function `index` of the module (the chain's own, as [`enter`] calls): its
/// arguments, in the running frame's slots from `base`, move down to the frame's first
/// slots, and the callee runs in the frame, which is no longer the caller's. (Returns
/// `ip`, leaving the call to the engine, where the callee's frame does not fit.)
///
/// # Safety
/// The chain's invariants (module docs), `ip` being a tail call of the running function.
#[inline(always)]
#[allow(clippy::too_many_arguments)]
unsafe fn tail_enter(
    ip: *const Op,
    index: u32,
    base: u32,
    mem: *mut u8,
    len: usize,
    ctx: *mut Ctx<'_>,
    acc: u64,
    facc: f64,
    hint: f64,
    hint2: f64,
) -> *const Op {
    // SAFETY: `ctx` is live. The callee's frame, at the running frame's base, is checked to
    // lie within the value stack before it is touched; the arguments lie within the
    // running frame (a verified call's), above the frame's base.
    let (start, regs) = unsafe {
        let c = &mut *ctx;
        let Some(callee) = c.side.entries.get(index as usize).map(Cell::get) else {
            return ip;
        };
        if c.bp + callee.frame_size as usize > c.vals_len
            || c.bp + base as usize + callee.num_params as usize > c.vals_len
        {
            return ip;
        }
        let regs = c.vals.add(c.bp);
        let (args, n) = (regs.add(base as usize), callee.num_params as usize);
        if n <= 8 {
            // Unrolled by the compiler, without a call of `memmove` (which would give the
            // handler a stack frame); upwards, as the arguments lie above their places.
            for i in 0..8 {
                if i < n {
                    regs.add(i).write(args.add(i).read());
                }
            }
        } else {
            core::ptr::copy(args, regs, n);
        }
        c.func = index;
        c.code = callee.code;
        if callee.num_locals > 0 {
            // SAFETY: as for `dispatch`; the callee is the running function now.
            return zero_locals(c.code, regs, mem, len, ctx, acc, facc, hint, hint2);
        }
        (c.code, regs)
    };
    // SAFETY: the callee's first instruction, its frame within the value stack.
    unsafe { dispatch(start, regs, mem, len, ctx, acc, facc, hint, hint2) }
}

chain_fn! {
    /// Not an instruction's handler: the `ReturnCallIndirect` at `ip` whose target is not
    /// in the cache (see [`call_indirect_uncached`]).
    ///
    /// # Safety
    /// As for a handler, `ip` being a `ReturnCallIndirect`.
    #[inline(never)]
    fn tail_call_indirect_uncached(ip, _regs, mem, len, ctx, acc, facc, hint, hint2) {
        // SAFETY: `ip` is a `ReturnCallIndirect` (see above).
        let Instr::ReturnCallIndirect { ty, table, base } = (unsafe { (*ip).instr }) else {
            return ip;
        };
        // SAFETY: `ctx` is live.
        match indirect_target(unsafe { &mut *ctx }, ty, table, base) {
            // SAFETY: `ip` is a tail call of the running function.
            Some(index) => unsafe {
                tail_enter(ip, index, base, mem, len, ctx, acc, facc, hint, hint2)
            },
            None => ip,
        }
    }
}

chain_fn! {
    /// Not an instruction's handler: sets the declared locals of the function just entered to
    /// zero, then runs its first instruction (at `ip`). Reached from [`enter`] by a sibling
    /// call, so that this work (and the call of `memset`, which would give `Call`'s handler a
    /// stack frame) stays out of the calls of functions without locals. Up to eight locals
    /// are cleared one by one, without `memset`, which measured faster for the few locals of a
    /// typical hot function.
    ///
    /// # Safety
    /// As for a handler, the function just entered running.
    #[inline(never)]
    fn zero_locals(ip, regs, mem, len, ctx, acc, facc, hint, hint2) {
        // SAFETY: `ctx` is live and its function is the one just entered, whose frame at
        // `regs` holds its parameters and locals (its entry says how many).
        unsafe {
            let c = &*ctx;
            if let Some(entry) = c.side.entries.get(c.func as usize).map(Cell::get) {
                let locals = regs.add(entry.num_params as usize);
                let n = entry.num_locals as usize;
                if n <= 8 {
                    // Unrolled by the compiler, and not turned into `memset`.
                    for i in 0..8 {
                        if i < n {
                            locals.add(i).write(0);
                        }
                    }
                } else {
                    core::ptr::write_bytes(locals, 0, n);
                }
            }
            dispatch(ip, regs, mem, len, ctx, acc, facc, hint, hint2)
        }
    }
}

chain_fn! {
    /// Not an instruction's handler: the `CallIndirect` at `ip` whose target is not in the
    /// cache. Apart (reached by a sibling call), so that the call of [`indirect_target`] gives
    /// `CallIndirect`'s handler no stack frame to set up on every call, cached or not.
    ///
    /// # Safety
    /// As for a handler, `ip` being a `CallIndirect`.
    #[inline(never)]
    fn call_indirect_uncached(ip, _regs, mem, len, ctx, acc, facc, hint, hint2) {
        // SAFETY: `ip` is a `CallIndirect` (see above).
        let Instr::CallIndirect { ty, table, base } = (unsafe { (*ip).instr }) else {
            return ip;
        };
        // SAFETY: `ctx` is live.
        match indirect_target(unsafe { &mut *ctx }, ty, table, base) {
            // SAFETY: `ip` is a call of the running function.
            Some(index) => unsafe { enter(ip, index, base, mem, len, ctx, acc, facc, hint, hint2) },
            None => ip,
        }
    }
}

chain_fn! {
    /// Not an instruction's handler: the `Call` at `ip` of an imported function. A host
    /// function is called here (a function of another instance is left to the engine):
    /// memory 0 is given back for the call and borrowed again after it, the resolved
    /// `call_indirect` targets are forgotten (the host may have changed a table), and the
    /// chain goes on after the call with the memory's new bytes. Apart, reached by a
    /// sibling call, as the call of the host gives it a stack frame.
    ///
    /// # Safety
    /// As for a handler, `ip` being a `Call`.
    #[inline(never)]
    fn call_import(ip, regs, _mem, _len, ctx, acc, facc, hint, hint2) {
        // SAFETY: `ip` is a `Call` (see above).
        let Instr::Call { func, base } = (unsafe { (*ip).instr }) else {
            return ip;
        };
        // SAFETY: `ctx` is live, and no handler's pointer into the value stack or memory
        // 0 is used while this function runs.
        let c = unsafe { &mut *ctx };
        let (index, signature) = match c.last_host {
            Some((last, index, signature)) if last == func => (index, signature),
            _ => {
                let Some(callee) = engine::funcs(c.instance).get(func as usize) else {
                    return ip;
                };
                let Some(index) = engine::host_func_index(callee) else {
                    return ip;
                };
                let signature = &**engine::signature_arc(callee);
                if !takes_numbers(signature) {
                    // References or several results: left to the engine.
                    return ip;
                }
                c.last_host = Some((func, index, signature));
                (index, signature)
            }
        };
        let callee_bp = c.bp + base as usize;
        let frames = c.frames + c.calls.len();
        // SAFETY: `vals`/`vals_len` describe the value stack (see `run`); the handlers'
        // pointers into it (`regs`) are not used while this slice lives.
        let vals = unsafe { core::slice::from_raw_parts_mut(c.vals, c.vals_len) };
        if let Err(failure) = c.host.call(vals, callee_bp, signature, index, frames) {
            // SAFETY: `ip` is in the running function, which starts at `c.code`.
            let at = unsafe { ip.offset_from(c.code) } as usize;
            // SAFETY: `ctx` is live.
            return unsafe { host_failed(ctx, at, failure) };
        }
        c.host_returned();
        let mem = c.host.bytes();
        let (mem, len) = (mem.as_mut_ptr(), mem.len());
        // SAFETY: the next instruction (a call falls through), with memory 0's bytes as
        // the host left them. (Nothing is left to drop: this is a sibling call.)
        unsafe { dispatch(ip.add(1), regs, mem, len, ctx, acc, facc, hint, hint2) }
    }
}

/// Stops the chain after the host call at position `at` failed.
///
/// # Safety
/// `ctx` is the live context.
#[cold]
#[inline(never)]
unsafe fn host_failed(ctx: *mut Ctx<'_>, at: usize, failure: HostTrap) -> *const Op {
    let outcome = match failure {
        HostTrap::Resumable(trap) => Outcome::HostTrap(at, trap),
        HostTrap::Final(trap) => Outcome::Trap(at, trap),
    };
    // SAFETY: see above.
    unsafe { stop(ctx, outcome) }
}

/// The callee of an indirect call if the chain can make the call: a function of this
/// module and instance, of the expected type. Out of line, so that its temporaries (the
/// table borrow) stay off the handlers' frames. Fills the cache on success; anything else
/// (host functions, other instances, traps) is left to the engine.
#[inline(never)]
fn indirect_target(c: &mut Ctx<'_>, ty: u32, table: u32, base: u32) -> Option<u32> {
    let (first, bp, vals, vals_len) = (c.first, c.bp, c.vals, c.vals_len);
    let mut elem = 0;
    let element = |expected: &wasm_core::Signature| {
        let slot = bp + base as usize + expected.param_cells();
        // SAFETY: `slot` lies within the value stack (checked).
        elem = (slot < vals_len).then(|| unsafe { *vals.add(slot) } as u32)?;
        Some(elem)
    };
    let callee = indirect_callee(c.instance, ty, table, element, |callee| {
        let wasm = engine::wasm_func(callee)?;
        // A function of this instance is one of this module's (imports belong to others).
        wasm.belongs_to(c.instance)
            .then(|| wasm.index().checked_sub(first))
            .flatten()
    })
    .ok()
    .flatten()?;
    c.cache.insert(table, elem, ty, callee);
    Some(callee)
}

/// Continues in the caller suspended in the chain (there is one).
///
/// # Safety
/// The chain's invariants (module docs), `ctx.calls` not empty.
#[inline(always)]
unsafe fn return_to_caller(
    mem: *mut u8,
    len: usize,
    ctx: *mut Ctx<'_>,
    acc: u64,
    facc: f64,
    hint: f64,
    hint2: f64,
) -> *const Op {
    // SAFETY: `ctx` is live; the caller's frame and return address were valid when it
    // called and nothing moved them since (the value stack only moves when the engine
    // grows it, and the chain has stopped then).
    unsafe {
        let c = &mut *ctx;
        let Some(caller) = c.calls.pop() else {
            return core::ptr::null();
        };
        c.call_budget += 1;
        c.func = caller.func;
        c.bp = caller.bp;
        c.code = caller.code;
        let regs = c.vals.add(caller.bp);
        dispatch(caller.ret, regs, mem, len, ctx, acc, facc, hint, hint2)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::isa::ACC;

    fn handler_of(instr: Instr) -> usize {
        thread(&[instr], 0).expect("threads")[0].handler as *const () as usize
    }

    /// Each instruction gets the handler of its own variant, from the table of the
    /// accumulator position its operands name.
    #[test]
    #[cfg_attr(miri, ignore = "Miri gives each use of a function a new address")]
    fn each_instruction_gets_its_own_handler() {
        let cases: [(Instr, Handler); 6] = [
            (
                Instr::I32Add { dst: 0, a: 0, b: 0 },
                handler::I32Add::<0, 0>,
            ),
            (
                Instr::I64Add {
                    dst: 0,
                    a: ACC,
                    b: 1,
                },
                handler::I64Add::<1, 0>,
            ),
            (
                Instr::F64Sub {
                    dst: 0,
                    a: 1,
                    b: ACC,
                },
                handler::F64Sub::<2, 0>,
            ),
            (
                Instr::I32Store {
                    addr: 1,
                    value: ACC,
                    offset: 0,
                },
                handler::I32Store::<2, 0>,
            ),
            (
                Instr::JumpIfZero {
                    cond: ACC,
                    target: 0,
                },
                handler::JumpIfZero::<1, 0>,
            ),
            (
                Instr::I32AddImmBrNeImm {
                    step: 1,
                    a: 0,
                    imm: 0,
                    target: 0,
                },
                handler::I32AddImmBrNeImm::<0, 0>,
            ),
        ];
        for (instr, expected) in cases {
            assert_eq!(
                handler_of(instr),
                expected as *const () as usize,
                "{instr:?}"
            );
        }
    }

    /// A jump table's entries carry the handlers of their targets (the table jumps to the
    /// target in one dispatch); a `Jump` outside a table keeps its own.
    #[test]
    #[cfg_attr(miri, ignore = "Miri gives each use of a function a new address")]
    fn jump_table_entries_carry_their_targets_handlers() {
        let code = [
            Instr::JumpTable { index: 0, len: 1 },
            Instr::Jump { target: 4 },
            Instr::Jump { target: 5 },
            Instr::Jump { target: 5 },
            Instr::ReturnSlot { src: 0 },
            Instr::Return {},
        ];
        let ops = thread(&code, 0).expect("threads");
        let handler = |at: usize| ops[at].handler as *const () as usize;
        assert_eq!(
            handler(1),
            handler::ReturnSlot::<0, 0> as *const () as usize
        );
        assert_eq!(handler(2), handler(5));
        assert_eq!(handler(3), handler::Jump::<0, 0> as *const () as usize);
    }
}
