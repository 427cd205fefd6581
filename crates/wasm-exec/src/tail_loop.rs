//! Threaded dispatch: one handler function per instruction, each ending in a call of
//! the next instruction's handler, whose address is stored next to the instruction
//! ([`Op`]). The handlers have identical `extern "C"` signatures and make that call
//! last, so LLVM compiles it to a jump (a sibling call): every handler has its own
//! indirect jump, which the branch predictor learns per instruction, and the hot state
//! (instruction pointer, frame slots, memory base and length) stays in argument
//! registers.
//!
//! Selected by `cfg(wasmite_threaded)` (see `build.rs`): optimised builds on x86_64 and
//! aarch64 without the `portable-dispatch` feature. Elsewhere the portable `match` loop
//! runs alone: in debug builds no sibling call is guaranteed, so each instruction would
//! grow the native stack. `tests/threaded.rs` checks, in release builds, that long
//! loops of instructions and of calls execute on a small native stack. A handler must
//! keep an empty stack frame for its last call to become a jump: work that needs
//! temporaries in memory (the table lookup of `call_indirect`) is done out of line.
//!
//! The chain runs straight-line code, branches, memory, numeric and global
//! instructions, and calls to functions of the same module and instance with their
//! returns (the callers are kept as [`ChainFrame`]s in the context). It stops at host
//! calls and calls into other instances, `memory.size`/`memory.grow`, `unreachable`,
//! the return of the frame the loop started it in, and calls that would pass the call
//! stack limit or need a larger value stack, returning that instruction's address to
//! the dispatch loop of `match_loop.rs`. The loop turns the `ChainFrame`s into frames,
//! executes the instruction with the portable handler and starts the chain again. A
//! trap stores its code in the context and stops the chain.
//!
//! **Safety.** Every handler is `unsafe`: it trusts that `ip` points into the verified
//! instructions of the running function, that `regs` points to that function's frame
//! within the value stack, and that `mem`/`len` describe memory 0's bytes, borrowed for
//! the duration of the chain (see `regs.rs` for the verification). A handler is only
//! called with `ip` at an instruction of its own variant: through the address stored
//! with that instruction, or (`JumpTable`) through the copy of it that a jump table's
//! entry carries, with `ip` at the entry's target.
#![allow(unsafe_code)]

use crate::engine::ModuleCode;
use crate::isa::{Instr, Slot};
use crate::ops::{AccValue, CellValue, FromImm};
use crate::translate::CompiledFunc;
use core::cell::Cell;
use core::hint::unreachable_unchecked;
use wasm_core::TrapCode;
use wasm_runtime::{GlobalRef, ModuleInstance};

/// What the chain needs besides its register arguments.
pub(crate) struct Ctx<'a> {
    /// The first operation of the running function (branch targets are indices from
    /// here).
    pub(crate) code: *const Op,
    /// The running instance (one for the whole chain) and its globals.
    pub(crate) instance: &'a ModuleInstance,
    pub(crate) globals: &'a [GlobalRef],
    /// Set when a handler traps (the chain then returns a null pointer).
    pub(crate) trap: Option<TrapCode>,
    /// The module's functions: calls to them are made in the chain.
    pub(crate) module: &'a ModuleCode,
    /// Calls made in the chain and not returned from: their callers, innermost last.
    pub(crate) calls: &'a mut Vec<ChainFrame>,
    /// Resolved `call_indirect` targets of this chain.
    cache: &'a mut IndirectCache,
    /// How many more calls the chain may make (the call stack limit).
    pub(crate) call_budget: usize,
    /// The value stack limit (cells).
    pub(crate) value_limit: usize,
    /// The running function (index among the module's defined functions) and the
    /// start of its frame on the value stack.
    pub(crate) func: u32,
    pub(crate) bp: usize,
    /// The value stack and its length, set by [`run`].
    vals: *mut u64,
    vals_len: usize,
}

impl<'a> Ctx<'a> {
    /// The context of a chain started in function `func` (module index, whose code is
    /// `code`) of `module` whose frame starts at `bp`.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn new(
        module: &'a ModuleCode,
        code: &CompiledFunc,
        func: u32,
        bp: usize,
        instance: &'a ModuleInstance,
        chain: &'a mut ChainState,
        call_budget: usize,
        value_limit: usize,
    ) -> Self {
        let ChainState { calls, cache } = chain;
        calls.clear();
        cache.invalidate();
        Ctx {
            code: code.threaded.as_ptr(),
            instance,
            globals: instance.globals(),
            trap: None,
            module,
            calls,
            cache,
            call_budget,
            value_limit,
            func,
            bp,
            vals: core::ptr::null_mut(),
            vals_len: 0,
        }
    }

    /// A host function was called from the frame of this context: it may have changed
    /// tables, so the resolved `call_indirect` targets are forgotten.
    pub(crate) fn host_returned(&mut self) {
        self.cache.invalidate();
    }
}

/// What the chain keeps from one run to the next (in the engine's `Stacks`): buffers,
/// and the `call_indirect` cache.
pub(crate) struct ChainState {
    /// Never grown: a call that finds it full leaves the chain (see `enter`).
    calls: Vec<ChainFrame>,
    cache: Box<IndirectCache>,
}

/// How many calls deep the chain goes before it leaves a call to the dispatch loop,
/// which turns the chain's callers into real frames and starts it again.
const CHAIN_CALLS: usize = 256;

impl Default for ChainState {
    fn default() -> Self {
        ChainState {
            calls: Vec::with_capacity(CHAIN_CALLS),
            cache: Box::default(),
        }
    }
}

/// The `call_indirect` targets the chain resolved: table entries known to hold a
/// function of the running module and instance of a given type, so that the next call
/// through the same entry skips the table, the function's code and its type check.
/// Direct-mapped by entry index. An entry is valid only in the chain that filled it
/// (its `generation`): tables do not change while a chain runs (the chain stops at host
/// calls, and no instruction writes a table yet; one that does must invalidate).
pub(crate) struct IndirectCache {
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
    /// Forgets every entry (a new chain starts).
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

/// What a call made in the chain needs of its callee, for each of the module's
/// functions in one array (`ModuleCode::entries`), instead of a walk through the
/// function's `Rc`. Measured on fib_recursive: through the `Rc`, 0.75 or 0.91 of
/// wasmi's time depending only on the size of `CompiledFunc` (where its fields fell in
/// cache lines); through this array, 0.66.
#[derive(Clone, Copy)]
pub(crate) struct Entry {
    /// The function's threaded code, owned by the same `ModuleCode` (in `funcs`), so
    /// valid as long as the entry is reachable.
    pub(crate) code: *const Op,
    pub(crate) frame_size: u32,
    pub(crate) num_params: u32,
    pub(crate) num_locals: u32,
}

// `Entry::UNTRANSLATED` relies on these (`build.rs` ensures the first).
const _: () = assert!(usize::BITS == 64);
const _: () = assert!(crate::engine::MAX_VALUE_CELLS < u32::MAX as usize);

impl Entry {
    /// The entry of a function not translated yet (lazy translation). Its frame size
    /// never fits in the value stack, so the chain's `enter` leaves the call to the
    /// dispatch loop, which translates the function and replaces this entry: the
    /// chain's calls need no test of their own. (The value stack never exceeds
    /// `MAX_VALUE_CELLS` = 2^31 cells, so any frame base plus `u32::MAX` is past its
    /// end, and the sum cannot overflow: the threaded build is 64-bit only.)
    pub(crate) const UNTRANSLATED: Entry = Entry {
        code: core::ptr::null(),
        frame_size: u32::MAX,
        num_params: 0,
        num_locals: 0,
    };

    pub(crate) fn of(func: &CompiledFunc) -> Entry {
        Entry {
            code: func.threaded.as_ptr(),
            frame_size: func.frame_size,
            num_params: func.num_params,
            num_locals: func.num_locals,
        }
    }
}

/// A caller suspended by a call made in the chain.
#[derive(Clone, Copy, Debug)]
pub(crate) struct ChainFrame {
    /// The caller (index among the module's defined functions).
    pub(crate) func: u32,
    /// Start of its frame.
    pub(crate) bp: usize,
    /// Its code, and where it resumes in it: the return needs no look-up of the
    /// caller's entry, and the call no division to turn an address into an index.
    code: *const Op,
    ret: *const Op,
}

impl ChainFrame {
    /// Where the caller resumes, as an index in its code.
    pub(crate) fn ret_index(&self) -> usize {
        (self.ret as usize - self.code as usize) / size_of::<Op>()
    }
}

/// An instruction with its handler: the threaded form of a function's code, built once
/// at translation ([`thread`]). The handler's address next to the operands makes the
/// dispatch one load and one jump.
#[derive(Clone, Copy)]
pub(crate) struct Op {
    handler: Handler,
    instr: Instr,
}

impl core::fmt::Debug for Op {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        self.instr.fmt(f)
    }
}

/// The threaded form of verified instructions (same positions), given for each one 1 +
/// the position of its accumulator operand, or 0 (see `isa.rs`): `CompiledFunc::verify`
/// checks that these agree with the operands. Branch targets become byte offsets from
/// the branch (see [`jump`]); `None` if one does not fit in an `i32` (a function of more
/// than 89 million instructions).
pub(crate) fn thread(instrs: &[Instr], acc_positions: &[u8]) -> Option<Box<[Op]>> {
    let mut ops = Vec::with_capacity(instrs.len());
    for (at, (instr, &acc)) in instrs.iter().zip(acc_positions).enumerate() {
        // SAFETY: `Instr` is `repr(u16)`: its discriminant is the `u16` at offset 0.
        let tag = unsafe { *(instr as *const Instr as *const u16) };
        let table = match acc {
            0 => plain::TABLE,
            1 => acc0::TABLE,
            _ => acc1::TABLE,
        };
        ops.push(Op {
            handler: table[tag as usize],
            instr: *instr,
        });
        // The target is rewritten in place: changing a field of a copy and then moving
        // the copy would stall on the small write (perf showed it as 30% of `finish`).
        if let Some(target) = ops.last_mut().and_then(|op: &mut Op| op.instr.target_mut()) {
            let distance = (i64::from(*target) - at as i64) * size_of::<Op>() as i64;
            *target = i32::try_from(distance).ok()? as u32;
        }
    }
    // A jump table's entries carry their target's handler in place of `Jump`'s: the
    // table's handler then jumps to the target in one step (the entries are reached
    // only through their table, which `verify` makes them follow, never dispatched).
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

/// The instructions of threaded code, targets back to instruction indices.
pub(crate) fn unthread(ops: &[Op]) -> Vec<Instr> {
    ops.iter()
        .enumerate()
        .map(|(at, op)| {
            let mut instr = op.instr;
            if let Some(target) = instr.target_mut() {
                let distance = i64::from(*target as i32) / size_of::<Op>() as i64;
                *target = (at as i64 + distance) as u32;
            }
            instr
        })
        .collect()
}

/// The instruction at `ip`, for the dispatch loop: verified code, and `ip` a valid
/// position (see `regs::fetch`).
#[inline(always)]
pub(crate) fn fetch(ops: &[Op], ip: usize) -> Instr {
    debug_assert!(ip < ops.len());
    // SAFETY: as for `regs::fetch`: `ip` is a valid position of the function.
    let instr = unsafe { ops.get_unchecked(ip) }.instr;
    debug_assert!(
        instr.clone().target_mut().is_none(),
        "{instr:?} has a relative target"
    );
    instr
}

/// A handler: runs the instruction at `ip` and the ones after it; returns the address
/// of the instruction the dispatch loop must execute, or null after a trap. `acc` and
/// `facc` are the accumulators (see `isa.rs`); `hint` and `hint2` the addresses of the
/// last two loop heads a back edge jumped to, or anything else (see [`taken_to`]).
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

/// Runs the chain from position `ip` of the running function (`ctx.func`, whose code is
/// `code`, frame at `ctx.bp` of the value stack `vals`) until an instruction for the
/// dispatch loop or a trap. Returns the position of that instruction in the function
/// running then, which is `ctx.func` again: calls to the module's functions and their
/// returns happen in the chain, recorded in `ctx.calls`.
///
/// Safe to call under the dispatch loop's invariants, like `regs::get`: the functions
/// are verified, `ip` is a valid position in the running function, its frame (and those
/// in `ctx.calls`) lie within `vals`, and `mem` is memory 0's bytes.
#[inline]
pub(crate) fn run(
    vals: &mut [u64],
    code: &CompiledFunc,
    ip: usize,
    mem: &mut [u8],
    ctx: &mut Ctx<'_>,
) -> Result<usize, TrapCode> {
    assert!(
        core::ptr::eq(code.threaded.as_ptr(), ctx.code)
            && ip < code.len()
            && ctx.bp + code.frame_size() <= vals.len()
    );
    ctx.vals = vals.as_mut_ptr();
    ctx.vals_len = vals.len().min(ctx.value_limit);
    // SAFETY: the dispatch loop's invariants (see above and the module docs); the frame
    // lies within `vals` (checked above).
    let stop = unsafe {
        let start = ctx.code.add(ip);
        // The accumulators start unknown: the chain starts at a function's entry or
        // after an instruction that clears them (see `Instr::acc_effect`). No loop head
        // is known yet (0 is no instruction's address).
        dispatch(
            start,
            ctx.vals.add(ctx.bp),
            mem.as_mut_ptr(),
            mem.len(),
            ctx,
            0,
            0.0,
            0.0,
            0.0,
        )
    };
    if stop.is_null() {
        return Err(ctx.trap.take().unwrap_or(TrapCode::Unreachable));
    }
    // SAFETY: `stop` points into the running function's code (a handler only moves `ip`
    // to a verified target, to the next instruction, which exists for instructions that
    // can fall through, or to a function's start or return address).
    Ok(unsafe { stop.offset_from(ctx.code) } as usize)
}

/// The operation a branch at `ip` with (threaded) target `target` jumps to: `target`
/// is the distance in bytes, as an `i32`.
///
/// # Safety
/// `target` is the threaded target of the branch at `ip` (or of the jump table entry
/// at `ip`), which `thread` computed from a verified target in the same function.
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
/// keeps the branch (measured: mandelbrot ran 2.3 times slower with the move).
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

/// The operation a taken branch at `ip` jumps to (its threaded `target`), for a
/// backward branch (a loop's back edge) in a form the next instructions need not wait
/// for.
///
/// The next instruction's operands are read through the address this returns. Computed
/// from `target`, itself read through `ip`, it would make every iteration of a loop wait
/// for that read before the loop's head could start: about four cycles on the critical
/// path, measured the bottleneck of small loops (a loop of one instruction ran twice as
/// fast without it). So the handlers carry the addresses of the two back edges taken
/// last, `hint` (the most recent) and `hint2`, in registers (as the bits of `f64`
/// arguments: the integer argument registers are all taken). When the target is one of
/// them (the common case: the same loop again, or the loop around it), that copy is
/// used, which the processor already has: the comparison is a predicted branch, not a
/// data dependency. Two, so that an inner loop and the loop around it do not evict each
/// other. Forward branches go straight: different sites take them in turn (the arms of
/// an `if`), and would evict the loops.
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

/// `p`, in a form the optimiser cannot identify with any other value: without it,
/// LLVM would replace the remembered address in [`taken_to`] by the computed one it was
/// found equal to, putting the read of `target` back on the critical path.
/// (`core::hint::black_box` would do, but passes the value through the stack, which
/// gives every branch handler a stack frame and turns its sibling call into a call.)
#[inline(always)]
// The block does not read through the pointer, which is all the lint is about.
#[allow(clippy::pointers_in_nomem_asm_block)]
fn opaque(mut p: *const Op) -> *const Op {
    // SAFETY: an empty assembly block (the comment names the operand, as the macro
    // requires): it reads and writes no memory, and leaves `p` as it was.
    unsafe {
        core::arch::asm!("/* {0} */", inout(reg) p, options(pure, nomem, nostack, preserves_flags))
    };
    p
}

/// Marks the path that calls it as cold (`core::hint::cold_path` needs Rust 1.95; the
/// workspace supports 1.88): LLVM weights the branch from the callee's attribute.
#[cold]
#[inline(always)]
fn cold() {}

/// Calls the handler of the instruction at `ip`.
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
    // SAFETY: `ip` is a valid operation, whose handler is its instruction's.
    unsafe { ((*ip).handler)(ip, regs, mem, len, ctx, acc, facc, hint, hint2) }
}

#[inline(always)]
unsafe fn get(regs: *mut u64, slot: Slot) -> u64 {
    // SAFETY: verified slot of the current frame.
    unsafe { *regs.add(slot as usize) }
}

#[inline(always)]
unsafe fn set(regs: *mut u64, slot: Slot, value: u64) {
    // SAFETY: verified slot of the current frame.
    unsafe { *regs.add(slot as usize) = value }
}

/// `slot[counter] += step` as an i32; returns the new value.
///
/// # Safety
/// `counter` is a verified slot of the frame at `regs`.
#[inline(always)]
unsafe fn step_counter(regs: *mut u64, counter: Slot, step: i16) -> i32 {
    // SAFETY: see above.
    unsafe {
        let value = i32::from_cell(get(regs, counter)).wrapping_add(i32::from(step));
        set(regs, counter, value.into_cell());
        value
    }
}

/// The bytes of memory 0 as a slice, for the (bounds-checked) memory helpers.
#[inline(always)]
unsafe fn memory<'m>(mem: *mut u8, len: usize) -> &'m mut [u8] {
    // SAFETY: `mem`/`len` describe the borrowed bytes of memory 0 (an empty slice's
    // dangling but aligned pointer when there is none); no other reference to them is
    // used while the chain runs.
    unsafe { core::slice::from_raw_parts_mut(mem, len) }
}

/// Records `code` and stops the chain.
#[cold]
#[inline(never)]
unsafe fn trap(ctx: *mut Ctx<'_>, code: TrapCode) -> *const Op {
    // SAFETY: `ctx` is the live context passed down the chain.
    unsafe { (*ctx).trap = Some(code) };
    core::ptr::null()
}

/// Declares a handler. Every handler has this one signature: a sibling call (the jump
/// to the next handler) needs the caller's and the callee's to match.
macro_rules! handler {
    (
        $(#[$attr:meta])*
        $name:ident($ip:ident, $regs:ident, $mem:ident, $len:ident, $ctx:ident, $acc:ident, $facc:ident, $hint:ident, $hint2:ident) $body:block
    ) => {
        $(#[$attr])*
        #[allow(unused_mut, unused_assignments)]
        pub(super) unsafe extern "C" fn $name(
            $ip: *const Op,
            $regs: *mut u64,
            $mem: *mut u8,
            $len: usize,
            $ctx: *mut Ctx<'_>,
            mut $acc: u64,
            mut $facc: f64,
            mut $hint: f64,
            mut $hint2: f64,
        ) -> *const Op $body
    };
}

/// Destructures the instruction at `ip` as variant `$variant`.
macro_rules! operands {
    ($ip:ident, $variant:ident { $($field:ident),* }) => {
        // SAFETY: a handler is only called for instructions of its own variant.
        let Instr::$variant { $($field,)* .. } = (unsafe { (*$ip).instr }) else {
            unsafe { unreachable_unchecked() }
        };
    };
}

/// Continues with the instruction at `$next`.
macro_rules! next {
    ($next:expr, $regs:ident, $mem:ident, $len:ident, $ctx:ident, $acc:ident, $facc:ident, $hint:ident, $hint2:ident) => {{
        let next: *const Op = $next;
        // SAFETY: `next` is a valid instruction of the function (see module docs).
        return unsafe { dispatch(next, $regs, $mem, $len, $ctx, $acc, $facc, $hint, $hint2) };
    }};
}

/// Reads operand `$slot` in position `$pos` (`a` or `b`) as a `$ty`: from the
/// accumulator when the handler set `$mode` reads that position from it (`acc0` for
/// `a`, `acc1` for `b`), else from the slot.
macro_rules! opnd {
    (acc0, a, $regs:ident, $slot:ident, $acc:ident, $facc:ident, $ty:ty) => {
        <$ty as AccValue>::from_acc($acc, $facc)
    };
    (acc1, b, $regs:ident, $slot:ident, $acc:ident, $facc:ident, $ty:ty) => {
        <$ty as AccValue>::from_acc($acc, $facc)
    };
    ($mode:ident, $pos:ident, $regs:ident, $slot:ident, $acc:ident, $facc:ident, $ty:ty) => {
        // SAFETY: a verified slot (this position is not the accumulator in `$mode`).
        <$ty as CellValue>::from_cell(unsafe { get($regs, $slot) })
    };
}

/// Writes result `$value` to slot `$dst` and to its accumulator.
macro_rules! result {
    ($regs:ident, $dst:ident, $value:expr, $acc:ident, $facc:ident) => {{
        let value = $value;
        // SAFETY: a verified slot.
        unsafe { set($regs, $dst, CellValue::into_cell(value)) };
        AccValue::to_acc(value, &mut $acc, &mut $facc);
    }};
}

/// The control handler for `$mode`: the conditional jumps have a form reading their
/// condition from `acc`; the other control instructions have no accumulator operand.
macro_rules! control_entry {
    (acc0, JumpIfZero) => {
        control::JumpIfZeroAcc
    };
    (acc0, JumpIfNonZero) => {
        control::JumpIfNonZeroAcc
    };
    (acc0, GlobalSetInt) => {
        control::GlobalSetIntAcc
    };
    (acc0, F64Square) => {
        control::F64SquareAcc
    };
    ($mode:ident, $cname:ident) => {
        control::$cname
    };
}

/// Unwraps a handler's `Result`, stopping the chain on a trap.
macro_rules! or_trap {
    (un_t, $e:expr, $ctx:ident) => {
        match $e {
            Ok(v) => v,
            // SAFETY: `$ctx` is the live context.
            Err(code) => return unsafe { trap($ctx, code) },
        }
    };
    (bin_t, $e:expr, $ctx:ident) => {
        or_trap!(un_t, $e, $ctx)
    };
    ($kind:ident, $e:expr, $ctx:ident) => {
        $e
    };
}

macro_rules! threaded_handlers {
    (
        [$mode:ident]
        control { $( $(#[doc = $cdoc:literal])* $cname:ident { $($field:ident : $fty:ident),* }, )* }
        memory { $( $mname:ident = $mkind:ident ($mt:ty, $vt:ty) $(scaled $xname:ident indexed $yname:ident)?, )* }
        store_imm { $( $sname:ident = ($svt:ty, $smt:ty) for $sbase:ident, )* }
        numeric { $(
            $nname:ident = $nkind:ident ($it:ty, $ot:ty) $(imm $iname:ident)? |$($arg:ident),*| $body:expr,
        )* }
        branch { $(
            $bname:ident / $biname:ident = ($bt:ty) $op:tt for $cmp:ident / $cmpi:ident not $not:ident / $noti:ident,
        )* }
        float_branch { $(
            $fbname:ident / $fbnot:ident = ($fbt:ty) $fop:tt for $fcmp:ident,
        )* }
        counter_branch { $(
            $cbname:ident / $cbiname:ident = ($cbt:ty) $cbop:tt for $cbbr:ident / $cbbri:ident,
        )* }
    ) => {
        /// Handlers generated from the instruction list, for instructions whose
        /// accumulator operand (if any) is in the position this module is named after
        /// (`plain`: none; `acc0`: `a`; `acc1`: `b`).
        // (A handler reading an operand from the accumulator ignores its slot field.)
        #[allow(non_snake_case, unused_variables)]
        mod $mode {
            use super::*;

            /// The handler table, in the declaration order of [`Instr`]'s variants.
            pub(super) static TABLE: &[Handler] = &[
                $( control_entry!($mode, $cname), )*
                $( $mname, )*
                $($( $xname, $yname, )?)*
                $( $sname, )*
                $( $nname, $( $iname, )? )*
                $( $bname, $biname, )*
                $( $fbname, $fbnot, )*
                $( $cbname, $cbiname, )*
            ];

            $(
                handler! {
                    $mname(ip, regs, mem, len, ctx, acc, facc, hint, hint2) {
                        operands!(ip, $mname { r0, r1, offset });
                        threaded_mem_op!($mode, $mkind, $mt, $vt, regs, acc, facc, mem, len, r0, r1, offset, ctx);
                        next!(unsafe { ip.add(1) }, regs, mem, len, ctx, acc, facc, hint, hint2);
                    }
                }
            )*

            $($(
                handler! {
                    $xname(ip, regs, mem, len, ctx, acc, facc, hint, hint2) {
                        operands!(ip, $xname { dst, index, offset });
                        let index = opnd!($mode, a, regs, index, acc, facc, u32);
                        let addr = crate::ops::scale::<$mt>(index);
                        threaded_mem_op!(@load_at $mt, $vt, regs, acc, facc, mem, len, dst, addr, offset, ctx);
                        next!(unsafe { ip.add(1) }, regs, mem, len, ctx, acc, facc, hint, hint2);
                    }
                }

                handler! {
                    $yname(ip, regs, mem, len, ctx, acc, facc, hint, hint2) {
                        operands!(ip, $yname { dst, base, index, offset });
                        // SAFETY: verified slots.
                        let addr = unsafe { crate::ops::sum_address(get(regs, base.into()), get(regs, index.into())) };
                        let dst = Slot::from(dst);
                        threaded_mem_op!(@load_at $mt, $vt, regs, acc, facc, mem, len, dst, addr, offset, ctx);
                        next!(unsafe { ip.add(1) }, regs, mem, len, ctx, acc, facc, hint, hint2);
                    }
                }
            )?)*

            $(
                handler! {
                    $sname(ip, regs, mem, len, ctx, acc, facc, hint, hint2) {
                        operands!(ip, $sname { addr, imm, offset });
                        let value = <$svt as FromImm>::from_imm(imm);
                        let addr = opnd!($mode, a, regs, addr, acc, facc, u32);
                        // SAFETY: `mem`/`len` are memory 0's bytes.
                        if let Err(code) = crate::ops::store::<$smt>(unsafe { memory(mem, len) }, addr, offset, value as $smt) {
                            // SAFETY: `ctx` is the live context.
                            return unsafe { trap(ctx, code) };
                        }
                        next!(unsafe { ip.add(1) }, regs, mem, len, ctx, acc, facc, hint, hint2);
                    }
                }
            )*

            $(
                handler! {
                    $nname(ip, regs, mem, len, ctx, acc, facc, hint, hint2) {
                        operands!(ip, $nname { dst, $($arg),* });
                        let value = or_trap!($nkind, crate::isa::semantics::$nname($(opnd!($mode, $arg, regs, $arg, acc, facc, $it)),*), ctx);
                        result!(regs, dst, value, acc, facc);
                        next!(unsafe { ip.add(1) }, regs, mem, len, ctx, acc, facc, hint, hint2);
                    }
                }

                $(
                    handler! {
                        $iname(ip, regs, mem, len, ctx, acc, facc, hint, hint2) {
                            operands!(ip, $iname { dst, a, imm });
                            let a = opnd!($mode, a, regs, a, acc, facc, $it);
                            let value = or_trap!($nkind, crate::isa::semantics::$nname(a, <$it as FromImm>::from_imm(imm)), ctx);
                            result!(regs, dst, value, acc, facc);
                            next!(unsafe { ip.add(1) }, regs, mem, len, ctx, acc, facc, hint, hint2);
                        }
                    }
                )?
            )*

            $(
                handler! {
                    $bname(ip, regs, mem, len, ctx, acc, facc, hint, hint2) {
                        operands!(ip, $bname { a, b, target });
                        let a = opnd!($mode, a, regs, a, acc, facc, $bt);
                        let b = opnd!($mode, b, regs, b, acc, facc, $bt);
                        // SAFETY: verified target; `ctx` is live.
                        let next = unsafe { branch(ip, a $op b, target, 1, &mut hint, &mut hint2) };
                        next!(next, regs, mem, len, ctx, acc, facc, hint, hint2);
                    }
                }

                handler! {
                    $biname(ip, regs, mem, len, ctx, acc, facc, hint, hint2) {
                        operands!(ip, $biname { a, imm, target });
                        let a = opnd!($mode, a, regs, a, acc, facc, $bt);
                        // SAFETY: verified target; `ctx` is live.
                        let next = unsafe { branch(ip, a $op <$bt as FromImm>::from_imm(imm), target, 1, &mut hint, &mut hint2) };
                        next!(next, regs, mem, len, ctx, acc, facc, hint, hint2);
                    }
                }
            )*

            $(
                handler! {
                    $fbname(ip, regs, mem, len, ctx, acc, facc, hint, hint2) {
                        operands!(ip, $fbname { a, b, target });
                        let a = opnd!($mode, a, regs, a, acc, facc, $fbt);
                        let b = opnd!($mode, b, regs, b, acc, facc, $fbt);
                        // SAFETY: verified target; `ctx` is live.
                        let next = unsafe { branch(ip, a $fop b, target, 1, &mut hint, &mut hint2) };
                        next!(next, regs, mem, len, ctx, acc, facc, hint, hint2);
                    }
                }

                handler! {
                    $fbnot(ip, regs, mem, len, ctx, acc, facc, hint, hint2) {
                        operands!(ip, $fbnot { a, b, target });
                        let a = opnd!($mode, a, regs, a, acc, facc, $fbt);
                        let b = opnd!($mode, b, regs, b, acc, facc, $fbt);
                        // Not the inverse operator: NaN makes every comparison false.
                        #[allow(clippy::neg_cmp_op_on_partial_ord)]
                        let holds_not = !(a $fop b);
                        // SAFETY: verified target; `ctx` is live.
                        let next = unsafe { branch(ip, holds_not, target, 1, &mut hint, &mut hint2) };
                        next!(next, regs, mem, len, ctx, acc, facc, hint, hint2);
                    }
                }
            )*

            $(
                handler! {
                    $cbname(ip, regs, mem, len, ctx, acc, facc, hint, hint2) {
                        operands!(ip, $cbname { step, a, b, target });
                        // SAFETY: verified slots.
                        let counter = unsafe { step_counter(regs, a, step) };
                        acc = CellValue::into_cell(counter);
                        let b = <$cbt as CellValue>::from_cell(unsafe { get(regs, b) });
                        // SAFETY: verified target; the instruction after the next exists
                        // (the next one, the original branch, can fall through).
                        let next = unsafe { branch(ip, counter as $cbt $cbop b, target, 2, &mut hint, &mut hint2) };
                        next!(next, regs, mem, len, ctx, acc, facc, hint, hint2);
                    }
                }

                handler! {
                    $cbiname(ip, regs, mem, len, ctx, acc, facc, hint, hint2) {
                        operands!(ip, $cbiname { step, a, imm, target });
                        // SAFETY: verified slot.
                        let counter = unsafe { step_counter(regs, a, step) };
                        acc = CellValue::into_cell(counter);
                        // SAFETY: as for the form with a bound slot.
                        let next = unsafe { branch(ip, counter as $cbt $cbop <$cbt as FromImm>::from_imm(imm), target, 2, &mut hint, &mut hint2) };
                        next!(next, regs, mem, len, ctx, acc, facc, hint, hint2);
                    }
                }
            )*
        }
    };
}

macro_rules! threaded_mem_op {
    ($mode:ident, load, $mt:ty, $vt:ty, $regs:ident, $acc:ident, $facc:ident, $mem:ident, $len:ident, $dst:ident, $addr:ident, $offset:ident, $ctx:ident) => {{
        let addr = opnd!($mode, a, $regs, $addr, $acc, $facc, u32);
        threaded_mem_op!(@load_at $mt, $vt, $regs, $acc, $facc, $mem, $len, $dst, addr, $offset, $ctx);
    }};
    // The load at address `$addr` (a value), shared by the plain, scaled and indexed loads.
    (@load_at $mt:ty, $vt:ty, $regs:ident, $acc:ident, $facc:ident, $mem:ident, $len:ident, $dst:ident, $addr:ident, $offset:ident, $ctx:ident) => {{
        // SAFETY: `mem`/`len` are memory 0's bytes.
        match crate::ops::load::<$mt>(unsafe { memory($mem, $len) }, $addr, $offset) {
            Ok(value) => result!($regs, $dst, value as $vt, $acc, $facc),
            // SAFETY: `ctx` is the live context.
            Err(code) => return unsafe { trap($ctx, code) },
        }
    }};
    ($mode:ident, store, $vt:ty, $mt:ty, $regs:ident, $acc:ident, $facc:ident, $mem:ident, $len:ident, $addr:ident, $value:ident, $offset:ident, $ctx:ident) => {{
        let value = opnd!($mode, b, $regs, $value, $acc, $facc, $vt);
        let addr = opnd!($mode, a, $regs, $addr, $acc, $facc, u32);
        // SAFETY: `mem`/`len` are memory 0's bytes.
        if let Err(code) =
            crate::ops::store::<$mt>(unsafe { memory($mem, $len) }, addr, $offset, value as $mt)
        {
            // SAFETY: `ctx` is the live context.
            return unsafe { trap($ctx, code) };
        }
    }};
}

for_each_instr!(threaded_handlers, plain);
for_each_instr!(threaded_handlers, acc0);
for_each_instr!(threaded_handlers, acc1);

/// Hand-written handlers of the control instructions.
#[allow(non_snake_case)]
mod control {
    use super::*;
    use crate::engine::compiled;
    use crate::match_loop::has_type;

    handler! {
        /// Stops the chain: the dispatch loop executes this instruction.
        exit(ip, _regs, _mem, _len, _ctx, _acc, _facc, _hint, _hint2) {
            ip
        }
    }

    pub(super) use exit as Unreachable;
    pub(super) use exit as MemorySize;
    pub(super) use exit as MemoryGrow;

    handler! {
        /// A call of a function of the module: made in the chain when the call stack and
        /// the value stack have room (otherwise left to the dispatch loop, which grows the
        /// value stack or traps).
        Call(ip, _regs, mem, len, ctx, acc, facc, hint, hint2) {
            operands!(ip, Call { func, base });
            // SAFETY: `ctx` is the live context.
            let Some(index) = func.checked_sub(unsafe { (*ctx).module.first }) else {
                return ip;
            };
            // SAFETY: `ip` is a call of the running function; see `enter`.
            unsafe { enter(ip, index, base, mem, len, ctx, acc, facc, hint, hint2) }
        }
    }

    handler! {
        /// An indirect call: made in the chain when the table holds a function of this
        /// module and instance with the expected type; anything else (host functions,
        /// other instances, traps) is left to the dispatch loop.
        CallIndirect(ip, regs, mem, len, ctx, acc, facc, hint, hint2) {
            operands!(ip, CallIndirect { ty, table, base });
            // SAFETY: `ctx` is the live context; the table index's slot is read only if it
            // lies within the value stack.
            let cached = unsafe {
                let c = &*ctx;
                c.module.type_params.get(ty as usize).and_then(|&params| {
                    let slot = base as usize + params as usize;
                    (c.bp + slot < c.vals_len)
                        .then(|| c.cache.get(table, *regs.add(slot) as u32, ty))
                        .flatten()
                })
            };
            if let Some(index) = cached {
                // SAFETY: `ip` is a call of the running function; see `enter`.
                return unsafe { enter(ip, index, base, mem, len, ctx, acc, facc, hint, hint2) };
            }
            // SAFETY: as for this handler.
            unsafe { call_indirect_uncached(ip, regs, mem, len, ctx, acc, facc, hint, hint2) }
        }
    }

    handler! {
        /// Not an instruction's handler: `CallIndirect` at `ip` whose target is not in
        /// the cache. Apart (reached by a sibling call), so that the call of
        /// [`indirect_target`] gives `CallIndirect` no stack frame to set up on every
        /// call, cached or not.
        #[inline(never)]
        call_indirect_uncached(ip, _regs, mem, len, ctx, acc, facc, hint, hint2) {
            operands!(ip, CallIndirect { ty, table, base });
            // SAFETY: `ctx` is the live context.
            match indirect_target(unsafe { &mut *ctx }, ty, table, base) {
                // SAFETY: `ip` is a call of the running function; see `enter`.
                Some(index) => unsafe { enter(ip, index, base, mem, len, ctx, acc, facc, hint, hint2) },
                None => ip,
            }
        }
    }

    /// The callee of an indirect call if the chain can make the call: a function of
    /// this module and instance, of the expected type. Out of line, so that its
    /// temporaries (the table borrow) stay off the handler's frame, which must stay
    /// empty for the handler's last call to be a jump.
    /// Fills the cache on success.
    #[inline(never)]
    fn indirect_target(c: &mut Ctx<'_>, ty: u32, table_index: u32, base: u32) -> Option<u32> {
        let expected = c.instance.signature_by_index(ty)?;
        let slot = c.bp + base as usize + expected.params().len();
        if slot >= c.vals_len {
            return None;
        }
        // SAFETY: `slot` lies within the value stack (checked above).
        let index = unsafe { *c.vals.add(slot) } as u32;
        let table = c.instance.tables().get(table_index as usize)?;
        let callee = table
            .with_entry(index, |entry| {
                let callee = entry.as_ref()?;
                let wasm = callee.as_wasm()?;
                let code = compiled(wasm.code()).ok()?;
                (has_type(callee, expected)
                    && core::ptr::eq(&*code.module, c.module)
                    && wasm.belongs_to(c.instance))
                .then_some(code.index)
            })
            .flatten()?;
        c.cache.insert(table_index, index, ty, callee);
        Some(callee)
    }

    /// Enters function `index` of the module, called by the instruction at `ip` with
    /// its arguments from slot `base`: pushes the caller as a [`ChainFrame`] and
    /// continues at the callee's start. Leaves the call to the loop (returns `ip`) when
    /// the call stack limit is reached or the callee's frame does not fit in the value
    /// stack as allocated.
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
        // SAFETY: `ctx` is the live context; `ip` is in the running function (whose
        // code starts at `c.code`). The callee's frame is checked to lie within the
        // value stack before it is touched.
        let (start, callee_regs) = unsafe {
            let c = &mut *ctx;
            let Some(callee) = c.module.entries.get(index as usize).map(Cell::get) else {
                return ip;
            };
            let callee_bp = c.bp + base as usize;
            // `calls` is never grown (a growth would need a stack frame here for the
            // call of the allocator): a call that finds it full leaves the chain.
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
                // SAFETY: as for `next!`; the callee is the running function now.
                return zero_locals(c.code, callee_regs, mem, len, ctx, acc, facc, hint, hint2);
            }
            (c.code, callee_regs)
        };
        next!(start, callee_regs, mem, len, ctx, acc, facc, hint, hint2);
    }

    handler! {
        /// Not an instruction's handler: sets the declared locals of the function just
        /// entered to zero, then runs its first instruction (at `ip`). Reached from
        /// [`enter`] by a sibling call, so that this work (and the call of `memset`,
        /// which would give `Call` a stack frame) stays out of the calls of functions
        /// without locals. Up to eight locals are cleared one by one, without `memset`
        /// (measured: with `write_bytes` for those, heapsort, whose hot function has
        /// five locals, took 9.4 ms instead of 7.2 ms; the cause was not pinned down).
        #[inline(never)]
        zero_locals(ip, regs, mem, len, ctx, acc, facc, hint, hint2) {
            // SAFETY: `ctx` is live and its function is the one just entered, whose
            // frame at `regs` holds its parameters and locals.
            unsafe {
                let c = &*ctx;
                if let Some(entry) = c.module.entries.get(c.func as usize).map(Cell::get) {
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
            }
            next!(ip, regs, mem, len, ctx, acc, facc, hint, hint2);
        }
    }

    /// Whether the running function was called in the chain (else the loop returns).
    #[inline(always)]
    unsafe fn called_in_chain(ctx: *mut Ctx<'_>) -> bool {
        // SAFETY: `ctx` is the live context.
        unsafe { !(*ctx).calls.is_empty() }
    }

    /// Continues in the caller suspended in the chain (`called_in_chain` holds).
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
        // SAFETY: `ctx` is live; the caller's frame and return address were valid when
        // it called and nothing moved them since (the value stack only moves when the
        // loop grows it, and the chain has stopped then).
        let (next, regs) = unsafe {
            let c = &mut *ctx;
            let Some(caller) = c.calls.pop() else {
                return core::ptr::null();
            };
            c.call_budget += 1;
            c.func = caller.func;
            c.bp = caller.bp;
            c.code = caller.code;
            (caller.ret, c.vals.add(caller.bp))
        };
        next!(next, regs, mem, len, ctx, acc, facc, hint, hint2);
    }

    handler! {
        Return(ip, _regs, mem, len, ctx, acc, facc, hint, hint2) {
            // SAFETY: see `called_in_chain` and `return_to_caller`.
            unsafe {
                if !called_in_chain(ctx) {
                    return ip;
                }
                return_to_caller(mem, len, ctx, acc, facc, hint, hint2)
            }
        }
    }

    handler! {
        ReturnSlot(ip, regs, mem, len, ctx, acc, facc, hint, hint2) {
            operands!(ip, ReturnSlot { src });
            // SAFETY: verified slots (0 and `src`); see `return_to_caller`.
            unsafe {
                if !called_in_chain(ctx) {
                    return ip;
                }
                set(regs, 0, get(regs, src));
                return_to_caller(mem, len, ctx, acc, facc, hint, hint2)
            }
        }
    }

    handler! {
        ReturnConst(ip, regs, mem, len, ctx, acc, facc, hint, hint2) {
            operands!(ip, ReturnConst { bits });
            // SAFETY: verified slot 0; see `return_to_caller`.
            unsafe {
                if !called_in_chain(ctx) {
                    return ip;
                }
                set(regs, 0, bits);
                return_to_caller(mem, len, ctx, acc, facc, hint, hint2)
            }
        }
    }

    handler! {
        ReturnMany(ip, regs, mem, len, ctx, acc, facc, hint, hint2) {
            operands!(ip, ReturnMany { src, n });
            // SAFETY: verified `src..src + n` within the frame; see `return_to_caller`.
            unsafe {
                if !called_in_chain(ctx) {
                    return ip;
                }
                core::ptr::copy(regs.add(src as usize), regs, n as usize);
                return_to_caller(mem, len, ctx, acc, facc, hint, hint2)
            }
        }
    }

    handler! {
        Jump(ip, regs, mem, len, ctx, acc, facc, hint, hint2) {
            operands!(ip, Jump { target });
            // SAFETY: verified target; `ctx` is live.
            let next = unsafe { taken_to(ip, target, &mut hint, &mut hint2) };
            next!(next, regs, mem, len, ctx, acc, facc, hint, hint2);
        }
    }

    handler! {
        JumpIfZero(ip, regs, mem, len, ctx, acc, facc, hint, hint2) {
            operands!(ip, JumpIfZero { cond, target });
            // SAFETY: verified slot and target; `ctx` is live.
            let next = unsafe { branch(ip, get(regs, cond) as u32 == 0, target, 1, &mut hint, &mut hint2) };
            next!(next, regs, mem, len, ctx, acc, facc, hint, hint2);
        }
    }

    handler! {
        JumpIfNonZero(ip, regs, mem, len, ctx, acc, facc, hint, hint2) {
            operands!(ip, JumpIfNonZero { cond, target });
            // SAFETY: verified slot and target; `ctx` is live.
            let next = unsafe { branch(ip, get(regs, cond) as u32 != 0, target, 1, &mut hint, &mut hint2) };
            next!(next, regs, mem, len, ctx, acc, facc, hint, hint2);
        }
    }

    handler! {
        /// `JumpIfZero` of the condition in `acc`.
        JumpIfZeroAcc(ip, regs, mem, len, ctx, acc, facc, hint, hint2) {
            operands!(ip, JumpIfZero { target });
            // SAFETY: verified target; `ctx` is live.
            let next = unsafe { branch(ip, acc as u32 == 0, target, 1, &mut hint, &mut hint2) };
            next!(next, regs, mem, len, ctx, acc, facc, hint, hint2);
        }
    }

    handler! {
        /// `JumpIfNonZero` of the condition in `acc`.
        JumpIfNonZeroAcc(ip, regs, mem, len, ctx, acc, facc, hint, hint2) {
            operands!(ip, JumpIfNonZero { target });
            // SAFETY: verified target; `ctx` is live.
            let next = unsafe { branch(ip, acc as u32 != 0, target, 1, &mut hint, &mut hint2) };
            next!(next, regs, mem, len, ctx, acc, facc, hint, hint2);
        }
    }

    handler! {
        JumpTable(ip, regs, mem, mem_len, ctx, acc, facc, hint, hint2) {
            operands!(ip, JumpTable { index, len });
            // SAFETY: verified slot; the table's `len + 1` jumps follow it (verified), so the
            // selected entry is a `Jump` with a verified target, and carries the handler of
            // that target (see `thread`): the target runs next, without the `Jump`.
            unsafe {
                let skip = (get(regs, index) as u32).min(len) as usize;
                let entry = ip.add(1 + skip);
                let Instr::Jump { target } = (*entry).instr else {
                    unreachable_unchecked()
                };
                ((*entry).handler)(jump(entry, target), regs, mem, mem_len, ctx, acc, facc, hint, hint2)
            }
        }
    }

    handler! {
        Copy(ip, regs, mem, len, ctx, acc, facc, hint, hint2) {
            operands!(ip, Copy { dst, src });
            // SAFETY: verified slots.
            unsafe { set(regs, dst, get(regs, src)) };
            next!(unsafe { ip.add(1) }, regs, mem, len, ctx, acc, facc, hint, hint2);
        }
    }

    handler! {
        CopyPair(ip, regs, mem, len, ctx, acc, facc, hint, hint2) {
            operands!(ip, CopyPair { dst0, src0, dst1, src1 });
            // SAFETY: verified slots; in this order, as the two `Copy`s it replaces.
            unsafe {
                set(regs, dst0.into(), get(regs, src0.into()));
                set(regs, dst1.into(), get(regs, src1.into()));
            }
            // SAFETY: the pair is followed by the `Copy` it replaces, which falls through
            // (verified), so the instruction after that exists.
            next!(unsafe { ip.add(2) }, regs, mem, len, ctx, acc, facc, hint, hint2);
        }
    }

    handler! {
        Const32(ip, regs, mem, len, ctx, acc, facc, hint, hint2) {
            operands!(ip, Const32 { dst, value });
            // SAFETY: verified slot.
            unsafe { set(regs, dst, u64::from(value)) };
            next!(unsafe { ip.add(1) }, regs, mem, len, ctx, acc, facc, hint, hint2);
        }
    }

    handler! {
        Const64(ip, regs, mem, len, ctx, acc, facc, hint, hint2) {
            operands!(ip, Const64 { dst, bits });
            // SAFETY: verified slot.
            unsafe { set(regs, dst, bits) };
            next!(unsafe { ip.add(1) }, regs, mem, len, ctx, acc, facc, hint, hint2);
        }
    }

    handler! {
        Select(ip, regs, mem, len, ctx, acc, facc, hint, hint2) {
            operands!(ip, Select { dst, cond });
            // SAFETY: verified slots (`dst + 1` included).
            unsafe {
                if get(regs, cond) as u32 == 0 {
                    set(regs, dst, get(regs, dst + 1));
                }
            }
            next!(unsafe { ip.add(1) }, regs, mem, len, ctx, acc, facc, hint, hint2);
        }
    }

    /// The instance's global `index` (validated, so present: a missing one stops the
    /// chain with a trap rather than a panic, which would need a stack frame).
    macro_rules! global {
        ($ctx:ident, $index:ident) => {
            // SAFETY: `ctx` is the live context.
            match unsafe { (*$ctx).globals }.get($index as usize) {
                Some(global) => global,
                // SAFETY: `ctx` is the live context.
                None => return unsafe { trap($ctx, TrapCode::Unreachable) },
            }
        };
    }

    handler! {
        GlobalGet(ip, regs, mem, len, ctx, acc, facc, hint, hint2) {
            operands!(ip, GlobalGet { dst, index });
            let bits = global!(ctx, index).get_bits();
            // SAFETY: verified slot.
            unsafe { set(regs, dst, bits) };
            next!(unsafe { ip.add(1) }, regs, mem, len, ctx, acc, facc, hint, hint2);
        }
    }

    handler! {
        GlobalSet(ip, regs, mem, len, ctx, acc, facc, hint, hint2) {
            operands!(ip, GlobalSet { src, index });
            // SAFETY: verified slot.
            global!(ctx, index).set_bits_unchecked(unsafe { get(regs, src) });
            next!(unsafe { ip.add(1) }, regs, mem, len, ctx, acc, facc, hint, hint2);
        }
    }

    handler! {
        GlobalGetInt(ip, regs, mem, len, ctx, acc, facc, hint, hint2) {
            operands!(ip, GlobalGetInt { dst, index });
            acc = global!(ctx, index).get_bits();
            // SAFETY: verified slot.
            unsafe { set(regs, dst, acc) };
            next!(unsafe { ip.add(1) }, regs, mem, len, ctx, acc, facc, hint, hint2);
        }
    }

    handler! {
        GlobalSetInt(ip, regs, mem, len, ctx, acc, facc, hint, hint2) {
            operands!(ip, GlobalSetInt { src, index });
            // SAFETY: verified slot.
            global!(ctx, index).set_bits_unchecked(unsafe { get(regs, src) });
            next!(unsafe { ip.add(1) }, regs, mem, len, ctx, acc, facc, hint, hint2);
        }
    }

    handler! {
        F64Square(ip, regs, mem, len, ctx, acc, facc, hint, hint2) {
            operands!(ip, F64Square { dst, a });
            // SAFETY: verified slot.
            let a = f64::from_cell(unsafe { get(regs, a) });
            result!(regs, dst, a * a, acc, facc);
            next!(unsafe { ip.add(1) }, regs, mem, len, ctx, acc, facc, hint, hint2);
        }
    }

    handler! {
        /// `F64Square` of the value in `facc`.
        F64SquareAcc(ip, regs, mem, len, ctx, acc, facc, hint, hint2) {
            operands!(ip, F64Square { dst });
            result!(regs, dst, facc * facc, acc, facc);
            next!(unsafe { ip.add(1) }, regs, mem, len, ctx, acc, facc, hint, hint2);
        }
    }

    handler! {
        /// `GlobalSetInt` of the value in `acc`.
        GlobalSetIntAcc(ip, regs, mem, len, ctx, acc, facc, hint, hint2) {
            operands!(ip, GlobalSetInt { index });
            global!(ctx, index).set_bits_unchecked(acc);
            next!(unsafe { ip.add(1) }, regs, mem, len, ctx, acc, facc, hint, hint2);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::isa::ACC;

    fn handler_of(instr: Instr) -> usize {
        let acc = instr.acc_position().map_or(0, |p| p as u8 + 1);
        thread(&[instr], &[acc]).expect("threads")[0].handler as *const () as usize
    }

    /// The table follows the declaration order of `Instr`: spot checks at the start,
    /// across the sections and at the very end. (Handlers with identical bodies, like
    /// the aliases of `control::exit`, may share an address: not compared.)
    #[test]
    fn each_instruction_gets_its_own_handler() {
        assert_eq!(
            handler_of(Instr::Jump { target: 0 }),
            control::Jump as *const () as usize
        );
        let load = Instr::I32Load {
            r0: 0,
            r1: 0,
            offset: 0,
        };
        assert_eq!(handler_of(load), plain::I32Load as *const () as usize);
        let add = Instr::I32Add { dst: 0, a: 0, b: 0 };
        assert_eq!(handler_of(add), plain::I32Add as *const () as usize);
        let add_imm = Instr::I32AddImm {
            dst: 0,
            a: 0,
            imm: 0,
        };
        assert_eq!(handler_of(add_imm), plain::I32AddImm as *const () as usize);
        let sat = Instr::I64TruncSatF64U { dst: 0, a: 0 };
        assert_eq!(
            handler_of(sat),
            plain::I64TruncSatF64U as *const () as usize
        );
        let br = Instr::BrI64GeUImm {
            a: 0,
            imm: 0,
            target: 0,
        };
        assert_eq!(handler_of(br), plain::BrI64GeUImm as *const () as usize);
        let float = Instr::BrF64Ge {
            a: 0,
            b: 0,
            target: 0,
        };
        assert_eq!(handler_of(float), plain::BrF64Ge as *const () as usize);
        let last = Instr::I32AddImmBrNeImm {
            step: 1,
            a: 0,
            imm: 0,
            target: 0,
        };
        assert_eq!(
            handler_of(last),
            plain::I32AddImmBrNeImm as *const () as usize
        );
        // SAFETY: `Instr` is `repr(u16)`: its discriminant is the `u16` at offset 0.
        let last_tag = unsafe { *(&last as *const Instr as *const u16) };
        for table in [plain::TABLE, acc0::TABLE, acc1::TABLE] {
            assert_eq!(usize::from(last_tag) + 1, table.len());
        }
    }

    /// A jump table's entries carry the handlers of their targets (the table jumps to
    /// the target in one dispatch); a `Jump` outside a table keeps its own.
    #[test]
    fn jump_table_entries_carry_their_targets_handlers() {
        let code = [
            Instr::JumpTable { index: 0, len: 1 },
            Instr::Jump { target: 4 },
            Instr::Jump { target: 5 },
            Instr::Jump { target: 5 },
            Instr::ReturnSlot { src: 0 },
            Instr::Return {},
        ];
        let ops = thread(&code, &[0; 6]).expect("threads");
        let handler = |at: usize| ops[at].handler as *const () as usize;
        assert_eq!(handler(1), control::ReturnSlot as *const () as usize);
        assert_eq!(handler(2), handler(5));
        assert_eq!(handler(3), control::Jump as *const () as usize);
        // The entries' targets are still those of jumps (the disassembly shows them).
        assert_eq!(unthread(&ops), code);
    }

    /// An operand naming the accumulator selects the handler reading it.
    #[test]
    fn accumulator_operands_select_their_handlers() {
        let add = Instr::I64Add {
            dst: 0,
            a: ACC,
            b: 1,
        };
        assert_eq!(handler_of(add), acc0::I64Add as *const () as usize);
        let sub = Instr::F64Sub {
            dst: 0,
            a: 1,
            b: ACC,
        };
        assert_eq!(handler_of(sub), acc1::F64Sub as *const () as usize);
        let store = Instr::I32Store {
            r0: 1,
            r1: ACC,
            offset: 0,
        };
        assert_eq!(handler_of(store), acc1::I32Store as *const () as usize);
        let jump = Instr::JumpIfZero {
            cond: ACC,
            target: 0,
        };
        assert_eq!(
            handler_of(jump),
            control::JumpIfZeroAcc as *const () as usize
        );
    }
}
