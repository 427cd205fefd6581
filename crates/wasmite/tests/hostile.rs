//! Hostile input: each case asserts the exact outcome a careful engine gives (the error
//! variant and the spec's wording, the trap code, or the result), within bounded time and
//! memory.
//!
//! Groups: stack exhaustion, host re-entrancy, linear-memory bounds, large but valid
//! bodies, implementation limits, counts the input does not back, malformed framing.
//!
//! Binaries are built by hand with a tiny LEB128 writer ([`Wasm`] and friends): the text
//! format cannot express lies, and its parser is not what is under test.
//!
//! Memory bounds are measured in a child process running the one test ([`isolated`]): the
//! growth of the process's peak virtual size while the work runs ([`measured`]) bounds
//! what it allocated, reservations never touched included.

use std::collections::BTreeSet;
use std::fmt::Debug;
use std::process::Command;
use std::time::{Duration, Instant};
use wasmite::memory_units::Pages;
use wasmite::{
    Error, ExternVal, Externals, FuncInstance, FuncRef, ImportsBuilder, MemoryRef, Module,
    ModuleImportResolver, ModuleInstance, ModuleRef, NopExternals, ResumableError, RuntimeArgs,
    RuntimeValue, Signature, StackRecycler, Trap, TrapCode,
};

// ---------------------------------------------------------------------------------------
// Implementation limits. They mirror `wasm_core::limits` (the values wasmparser, Wasmtime
// and wasmi use); `wasmite` does not re-export that module and `wasm-core` is not a
// dev-dependency, so they are restated here.
// ---------------------------------------------------------------------------------------

const MAX_TYPES: u64 = 1_000_000;
const MAX_FUNCTIONS: u64 = 1_000_000;
const MAX_IMPORTS: u64 = 1_000_000;
const MAX_EXPORTS: u64 = 1_000_000;
const MAX_GLOBALS: u64 = 1_000_000;
const MAX_ELEMENT_SEGMENTS: u64 = 100_000;
const MAX_DATA_SEGMENTS: u64 = 100_000;
const MAX_FUNCTION_SIZE: usize = 7_654_321;
/// Parameters included (as in wasmparser).
const MAX_FUNCTION_LOCALS: u32 = 50_000;
const MAX_FUNCTION_PARAMS: usize = 1000;
const MAX_FUNCTION_RESULTS: usize = 1000;
const MAX_TABLE_ENTRIES: u64 = 10_000_000;
const MAX_STRING_SIZE: usize = 100_000;

/// Memory pages addressable with 32-bit addresses.
const MAX_PAGES: u32 = 65536;
const PAGE: u32 = 65536;

// ---------------------------------------------------------------------------------------
// Child processes and memory measurement.
// ---------------------------------------------------------------------------------------

/// Environment variable telling a child test process to run the isolated body.
const CHILD_ENV: &str = "WASMITE_HOSTILE_CHILD";

/// The native stack the isolated bodies run on: Rust's default for spawned threads, the
/// smallest an embedder commonly gives.
const NATIVE_STACK: usize = 2 << 20;

/// glibc's malloc settings in the child processes, so that the virtual size follows what
/// is allocated: a single arena (every thread allocates from the `brk` heap, which grows
/// in small steps, instead of from a 64 MiB reservation per thread), and every block of
/// 64 KiB or more in a mapping of its own, unmapped when freed (no dynamic threshold, no
/// large free blocks left in the heap for the measured work to reuse unseen).
const MALLOC_TUNABLES: &str = "glibc.malloc.arena_max=1:glibc.malloc.mmap_threshold=65536";

/// Runs `body` in a child process (this test binary, filtered to the test `name`) on a
/// thread with a [`NATIVE_STACK`] stack.
///
/// A native stack overflow aborts the process: in a child it fails this test only, with
/// the child's output, instead of killing every test of the file. And the child runs
/// this one test, so the growth of its peak virtual size is what the body allocated
/// (see [`measured`]).
fn isolated(name: &str, body: fn()) {
    if std::env::var_os(CHILD_ENV).is_some() {
        let thread = std::thread::Builder::new()
            .stack_size(NATIVE_STACK)
            .spawn(body)
            .expect("spawn the test thread");
        if let Err(panic) = thread.join() {
            std::panic::resume_unwind(panic);
        }
        return;
    }
    let output = Command::new(std::env::current_exe().expect("test binary path"))
        .args([name, "--exact", "--nocapture", "--test-threads=1"])
        .env(CHILD_ENV, "1")
        .env("GLIBC_TUNABLES", MALLOC_TUNABLES)
        .output()
        .expect("run the child test process");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "isolated test {name} failed ({}):\n{stderr}\n{stdout}",
        output.status
    );
    assert!(
        stdout.contains("1 passed"),
        "isolated test {name} did not run in the child:\n{stdout}"
    );
}

/// What the measurement adds to a memory bound, on top of the test's own budget: the
/// `brk` heap grows 128 KiB past each request, mappings are rounded up to pages, and
/// reading `/proc/self/status` allocates too. Small enough that trusting a count the
/// input does not back (a million 4-byte indices is 4 MB) still breaks the bound.
const SLACK: u64 = 1 << 20;

/// Two sizes of the process, in bytes, from the `key0` and `key1` lines of
/// `/proc/self/status` (given in kB there).
fn status_sizes(key0: &str, key1: &str) -> (u64, u64) {
    const STATUS: &str = "/proc/self/status";
    let status = std::fs::read_to_string(STATUS).unwrap_or_else(|error| {
        panic!("memory bounds are measured from {STATUS}, which cannot be read: {error}")
    });
    let field = |key: &str| {
        status
            .lines()
            .find_map(|line| line.strip_prefix(key)?.strip_prefix(':'))
            .and_then(|value| value.trim().strip_suffix("kB")?.trim().parse::<u64>().ok())
            .map(|kib| kib * 1024)
            .unwrap_or_else(|| panic!("{STATUS} has no readable {key} line:\n{status}"))
    };
    (field(key0), field(key1))
}

/// The process's current and peak virtual size, in bytes.
fn virtual_size() -> (u64, u64) {
    status_sizes("VmSize", "VmPeak")
}

/// Runs `f`, returning its result, the growth of the process's peak virtual size
/// meanwhile, and the time.
///
/// The peak virtual size counts every reservation, touched or not: a count the input
/// does not back, trusted for a `Vec::with_capacity`, shows in full. Only meaningful in
/// a child process running one test (see [`isolated`]): other threads would add theirs.
fn measured<R>(f: impl FnOnce() -> R) -> (R, u64, Duration) {
    assert!(
        std::env::var_os(CHILD_ENV).is_some(),
        "measured() must run in a child process, through isolated()"
    );
    // The peak cannot be reset, and an earlier one (building the input) would hide the
    // work's growth up to it: reserving the difference, untouched, brings the current
    // size up to the peak, so that whatever the work maps raises the peak.
    let (size, peak) = virtual_size();
    let padding = std::hint::black_box(Vec::<u8>::with_capacity((peak - size) as usize));
    let (before, _) = virtual_size();
    let start = Instant::now();
    let result = f();
    let elapsed = start.elapsed();
    let (_, after) = virtual_size();
    drop(padding);
    (result, after.saturating_sub(before), elapsed)
}

/// The process's resident size and its peak, in bytes.
fn resident_size() -> (u64, u64) {
    status_sizes("VmRSS", "VmHWM")
}

/// Runs `f`, returning its result, how far the process's peak resident size rose above
/// the resident size before it, and the time. For what reserves address space without
/// committing it (linear memories): resident memory is what the host pays for. Only
/// meaningful in a child process running one test (see [`isolated`]).
fn measured_resident<R>(f: impl FnOnce() -> R) -> (R, u64, Duration) {
    assert!(
        std::env::var_os(CHILD_ENV).is_some(),
        "measured_resident() must run in a child process, through isolated()"
    );
    // Resets the peak to the current size (Linux 4.0 and later), so that an earlier peak
    // cannot hide the work's.
    let _ = std::fs::write("/proc/self/clear_refs", "5");
    let (before, _) = resident_size();
    let start = Instant::now();
    let result = f();
    let elapsed = start.elapsed();
    let (_, peak) = resident_size();
    (result, peak.saturating_sub(before), elapsed)
}

// ---------------------------------------------------------------------------------------
// Binary writer.
// ---------------------------------------------------------------------------------------

/// Section ids (spec 5.5.2).
const TYPE: u8 = 1;
const IMPORT: u8 = 2;
const FUNCTION: u8 = 3;
const TABLE: u8 = 4;
const MEMORY: u8 = 5;
const GLOBAL: u8 = 6;
const EXPORT: u8 = 7;
const ELEMENT: u8 = 9;
const CODE: u8 = 10;
const DATA: u8 = 11;

/// Opcodes and type bytes used below.
const I32: u8 = 0x7f;
const EMPTY: u8 = 0x40;
const BLOCK: u8 = 0x02;
const END: u8 = 0x0b;
const BR: u8 = 0x0c;
const BR_TABLE: u8 = 0x0e;
const RETURN: u8 = 0x0f;
const LOCAL_GET: u8 = 0x20;
const I32_CONST: u8 = 0x41;
const I64_CONST: u8 = 0x42;
const DROP: u8 = 0x1a;

/// Appends `value` as unsigned LEB128.
fn uleb(out: &mut Vec<u8>, mut value: u64) {
    loop {
        let byte = (value & 0x7f) as u8;
        value >>= 7;
        if value == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

/// Appends `value` as signed LEB128.
fn sleb(out: &mut Vec<u8>, mut value: i64) {
    loop {
        let byte = (value & 0x7f) as u8;
        value >>= 7;
        let done = (value == 0 && byte & 0x40 == 0) || (value == -1 && byte & 0x40 != 0);
        if done {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

fn leb_bytes(value: u64) -> Vec<u8> {
    let mut out = Vec::new();
    uleb(&mut out, value);
    out
}

/// A module under construction: the header, then sections appended as given (in any
/// order, with any sizes: that is the point).
struct Wasm(Vec<u8>);

impl Wasm {
    fn new() -> Self {
        Wasm(b"\0asm\x01\0\0\0".to_vec())
    }

    /// A section with its true size.
    fn section(mut self, id: u8, contents: &[u8]) -> Self {
        self.0.push(id);
        uleb(&mut self.0, contents.len() as u64);
        self.0.extend_from_slice(contents);
        self
    }

    /// Raw bytes, for sizes that lie.
    fn raw(mut self, bytes: &[u8]) -> Self {
        self.0.extend_from_slice(bytes);
        self
    }

    fn finish(self) -> Vec<u8> {
        self.0
    }
}

/// Section contents: `count` (which may lie), then the entries' bytes.
fn entries(count: u64, items: &[u8]) -> Vec<u8> {
    let mut out = leb_bytes(count);
    out.extend_from_slice(items);
    out
}

/// A function type with `params` and `results` all `i32`.
fn func_type(params: usize, results: usize) -> Vec<u8> {
    let mut out = vec![0x60];
    uleb(&mut out, params as u64);
    out.extend(std::iter::repeat_n(I32, params));
    uleb(&mut out, results as u64);
    out.extend(std::iter::repeat_n(I32, results));
    out
}

/// A code-section entry: size, local groups, code (which must end with `end`).
fn body(locals: &[(u32, u8)], code: &[u8]) -> Vec<u8> {
    let mut inner = leb_bytes(locals.len() as u64);
    for &(count, ty) in locals {
        uleb(&mut inner, u64::from(count));
        inner.push(ty);
    }
    inner.extend_from_slice(code);
    let mut out = leb_bytes(inner.len() as u64);
    out.extend(inner);
    out
}

/// A name: length and UTF-8 bytes.
fn name(text: &str) -> Vec<u8> {
    let mut out = leb_bytes(text.len() as u64);
    out.extend_from_slice(text.as_bytes());
    out
}

/// An export entry of function `index` named `text`.
fn export_func(text: &str, index: u32) -> Vec<u8> {
    let mut out = name(text);
    out.push(0x00);
    uleb(&mut out, u64::from(index));
    out
}

/// A module with one function of type `ty` and code `body`, exported as "f".
fn one_func(ty: &[u8], body: &[u8]) -> Vec<u8> {
    Wasm::new()
        .section(TYPE, &entries(1, ty))
        .section(FUNCTION, &entries(1, &[0]))
        .section(EXPORT, &entries(1, &export_func("f", 0)))
        .section(CODE, &entries(1, body))
        .finish()
}

/// The type section of most malformed-framing cases: one `() -> ()`.
fn type_section() -> Vec<u8> {
    entries(1, &func_type(0, 0))
}

// ---------------------------------------------------------------------------------------
// Outcome checks.
// ---------------------------------------------------------------------------------------

fn load(text: &str) -> Module {
    Module::from_buffer(text).expect("module loads")
}

fn instantiate(module: &Module) -> ModuleRef {
    ModuleInstance::new(module, &ImportsBuilder::default())
        .expect("module instantiates")
        .assert_no_start()
}

/// Loading `bytes` fails with `Error::Validation` whose message contains `needle`.
#[track_caller]
fn assert_invalid(bytes: &[u8], needle: &str) -> String {
    match Module::from_buffer(bytes) {
        Err(Error::Validation(message)) => {
            assert!(
                message.contains(needle),
                "expected a validation error containing {needle:?}, got {message:?}"
            );
            message
        }
        Err(other) => panic!("expected a validation error containing {needle:?}, got {other:?}"),
        Ok(_) => panic!("expected a validation error containing {needle:?}, the module loaded"),
    }
}

/// Like [`assert_invalid`], and the rejection allocates at most a small multiple of the
/// input (plus a fixed allowance) and is quick: a count the bytes do not back must not
/// be trusted.
#[track_caller]
fn assert_rejected_cheaply(bytes: &[u8], needle: &str) {
    let (message, allocated, elapsed) = measured(|| assert_invalid(bytes, needle));
    let budget = 8 * bytes.len() as u64 + (1 << 20) + SLACK;
    assert!(
        allocated <= budget,
        "rejecting a {}-byte input allocated {allocated} bytes (budget {budget}): {message}",
        bytes.len()
    );
    assert!(
        elapsed < Duration::from_secs(2),
        "rejecting a {}-byte input took {elapsed:?}: {message}",
        bytes.len()
    );
}

/// The outcome is the spec trap `code`; the trap displays as the spec's message.
#[track_caller]
fn assert_trap<T: Debug>(outcome: Result<T, Error>, code: TrapCode) {
    match outcome {
        Err(Error::Trap(trap @ Trap::Code(found))) if found == code => {
            let shown = trap.to_string();
            assert_eq!(
                shown,
                code.trap_message(),
                "trap {code:?} displays as {shown:?}"
            );
        }
        other => panic!("expected the trap {code:?} ({code}), got {other:?}"),
    }
}

fn call(
    instance: &ModuleRef,
    export: &str,
    args: &[RuntimeValue],
) -> Result<Option<RuntimeValue>, Error> {
    instance.invoke_export(export, args, &mut NopExternals)
}

fn i32_arg(value: i32) -> RuntimeValue {
    RuntimeValue::I32(value)
}

// ---------------------------------------------------------------------------------------
// Stack exhaustion: Wasm recursion never overflows the native stack; it traps.
// ---------------------------------------------------------------------------------------

mod stack_exhaustion {
    use super::*;

    const RECURSION: &str = r#"
    (module
      (type $to_i32 (func (param i32) (result i32)))
      (table 1 funcref)
      (elem (i32.const 0) $indirect)
      (func $down (export "down") (param i32) (result i32)
        (if (result i32) (i32.eqz (local.get 0))
          (then (i32.const 0))
          (else (i32.add (i32.const 1) (call $down (i32.sub (local.get 0) (i32.const 1)))))))
      (func $forever (export "forever") (call $forever))
      (func (export "twelve") (result i64)
        (local i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64)
        (local.get 11))
      (func $ping (export "ping") (param i32) (result i32)
        (call $pong (i32.add (local.get 0) (i32.const 1))))
      (func $pong (param i32) (result i32)
        (call $ping (i32.add (local.get 0) (i32.const 1))))
      (func $indirect (export "indirect") (param i32) (result i32)
        (call_indirect (type $to_i32) (local.get 0) (i32.const 0)))
      ;; 200 locals per frame: the value stack runs out long before the frame count.
      (func $fat (export "fat") (param i32) (result i32)
        (local i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64
               i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64
               i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64
               i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64
               i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64
               i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64
               i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64
               i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64
               i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64
               i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64)
        (call $fat (local.get 0))))
    "#;

    fn instance() -> ModuleRef {
        instantiate(&load(RECURSION))
    }

    #[test]
    fn recursion_a_million_deep_traps_and_the_instance_stays_usable() {
        let instance = instance();
        assert_trap(
            call(&instance, "down", &[i32_arg(1_000_000)]),
            TrapCode::StackOverflow,
        );
        assert_eq!(
            call(&instance, "down", &[i32_arg(10_000)]).unwrap(),
            Some(i32_arg(10_000))
        );
    }

    #[test]
    fn unbounded_recursion_traps() {
        assert_trap(call(&instance(), "forever", &[]), TrapCode::StackOverflow);
    }

    #[test]
    fn mutual_recursion_traps() {
        assert_trap(
            call(&instance(), "ping", &[i32_arg(0)]),
            TrapCode::StackOverflow,
        );
    }

    #[test]
    fn recursion_through_call_indirect_traps() {
        assert_trap(
            call(&instance(), "indirect", &[i32_arg(0)]),
            TrapCode::StackOverflow,
        );
    }

    #[test]
    fn fat_frames_exhaust_the_value_stack() {
        let instance = instance();
        assert_trap(
            call(&instance, "fat", &[i32_arg(0)]),
            TrapCode::StackOverflow,
        );
        // With a million frames allowed, the value limit alone stops it.
        let mut stack = StackRecycler::with_limits(1 << 16, 1 << 20);
        assert_trap(
            instance.invoke_export_with_stack("fat", &[i32_arg(0)], &mut NopExternals, &mut stack),
            TrapCode::StackOverflow,
        );
    }

    #[test]
    fn the_call_stack_limit_counts_every_frame() {
        // `down(n)` needs n + 1 frames: with a limit of 100, `down(99)` fits exactly.
        let instance = instance();
        let mut stack = StackRecycler::with_limits(1 << 20, 100);
        let ok = instance.invoke_export_with_stack(
            "down",
            &[i32_arg(99)],
            &mut NopExternals,
            &mut stack,
        );
        assert_eq!(ok.unwrap(), Some(i32_arg(99)));
        assert_trap(
            instance.invoke_export_with_stack(
                "down",
                &[i32_arg(100)],
                &mut NopExternals,
                &mut stack,
            ),
            TrapCode::StackOverflow,
        );
    }

    #[test]
    fn a_zero_frame_limit_runs_nothing() {
        let mut no_frames = StackRecycler::with_limits(1 << 20, 0);
        assert_trap(
            instance().invoke_export_with_stack(
                "down",
                &[i32_arg(0)],
                &mut NopExternals,
                &mut no_frames,
            ),
            TrapCode::StackOverflow,
        );
    }

    #[test]
    fn a_value_limit_smaller_than_one_frame_is_honored() {
        // `twelve` keeps 12 locals: 8 values cannot hold its frame.
        let mut few_values = StackRecycler::with_limits(8, 100);
        assert_trap(
            instance().invoke_export_with_stack("twelve", &[], &mut NopExternals, &mut few_values),
            TrapCode::StackOverflow,
        );
    }

    #[test]
    fn the_value_limit_holds_after_a_deeper_call() {
        let instance = instance();
        let mut small = StackRecycler::with_limits(1000, 1 << 20);
        // 500 frames of `down` need more than 1000 values...
        assert_trap(
            instance.invoke_export_with_stack(
                "down",
                &[i32_arg(500)],
                &mut NopExternals,
                &mut small,
            ),
            TrapCode::StackOverflow,
        );
        // ...also after a deep call with the default limits grew the stacks.
        assert_eq!(
            call(&instance, "down", &[i32_arg(50_000)]).unwrap(),
            Some(i32_arg(50_000))
        );
        let mut small = StackRecycler::with_limits(1000, 1 << 20);
        assert_trap(
            instance.invoke_export_with_stack(
                "down",
                &[i32_arg(500)],
                &mut NopExternals,
                &mut small,
            ),
            TrapCode::StackOverflow,
        );
    }
}

// ---------------------------------------------------------------------------------------
// Host re-entrancy: a host function calling back into Wasm starts a new execution on the
// native stack, so the nesting must be bounded too.
// ---------------------------------------------------------------------------------------

mod host_reentrancy {
    use super::*;

    /// `f(n)` returns `n` once `n` reaches the global `limit`, else asks the host to call
    /// `f(n + 1)` (host function 0, "reenter"). `spin(k)` calls the host function 1,
    /// "overflow", `k` times in a loop and returns how many of those calls came back.
    /// `forever` recurses without end.
    const REENTRANT: &str = r#"
    (module
      (import "host" "reenter" (func $reenter (param i32) (result i32)))
      (import "host" "overflow" (func $overflow (result i32)))
      (global $limit (export "limit") (mut i32) (i32.const 0))
      (func (export "f") (param i32) (result i32)
        (if (result i32) (i32.ge_s (local.get 0) (global.get $limit))
          (then (local.get 0))
          (else (call $reenter (local.get 0)))))
      (func (export "spin") (param i32) (result i32) (local $done i32)
        (block $exit
          (loop $again
            (br_if $exit (i32.eqz (local.get 0)))
            (local.set $done (i32.add (local.get $done) (call $overflow)))
            (local.set 0 (i32.sub (local.get 0) (i32.const 1)))
            (br $again)))
        (local.get $done))
      (func $forever (export "forever") (call $forever)))
    "#;

    struct HostFuncs;

    impl ModuleImportResolver for HostFuncs {
        fn resolve_func(&self, field: &str, signature: &Signature) -> Result<FuncRef, Error> {
            let index = match field {
                "reenter" => 0,
                "overflow" => 1,
                _ => return Err(Error::Instantiation(format!("unknown import {field}"))),
            };
            Ok(FuncInstance::alloc_host(signature.clone(), index))
        }
    }

    /// How the host calls back into Wasm.
    #[derive(Clone, Copy)]
    enum Via {
        InvokeExport,
        Resumable,
    }

    /// The host: holds the instance it calls back into.
    struct Reenter {
        instance: ModuleRef,
        via: Via,
        depth: u32,
        deepest: u32,
        overflows: u32,
    }

    impl Reenter {
        fn new(via: Via) -> Self {
            let module = load(REENTRANT);
            let imports = ImportsBuilder::new().with_resolver("host", &HostFuncs);
            let instance = ModuleInstance::new(&module, &imports)
                .expect("instantiates")
                .assert_no_start();
            Reenter {
                instance,
                via,
                depth: 0,
                deepest: 0,
                overflows: 0,
            }
        }

        fn set_limit(&self, limit: i32) {
            let global = self.instance.export_by_name("limit").unwrap();
            global.as_global().unwrap().set(i32_arg(limit)).unwrap();
        }

        fn run(
            &mut self,
            export: &str,
            args: &[RuntimeValue],
        ) -> Result<Option<RuntimeValue>, Error> {
            let instance = self.instance.clone();
            instance.invoke_export(export, args, self)
        }

        /// Calls `export` from inside a host function, the way `via` says.
        fn call_back(
            &mut self,
            export: &str,
            args: &[RuntimeValue],
        ) -> Result<Option<RuntimeValue>, Trap> {
            match self.via {
                Via::InvokeExport => self.run(export, args).map_err(|error| match error {
                    Error::Trap(trap) => trap,
                    other => panic!("calling back into Wasm failed outside a trap: {other:?}"),
                }),
                Via::Resumable => {
                    let func = self.instance.export_by_name(export).unwrap();
                    let func = func.as_func().unwrap().clone();
                    let mut invocation = FuncInstance::invoke_resumable(&func, args.to_vec())
                        .expect("arguments match");
                    invocation
                        .start_execution(self)
                        .map_err(|error| match error {
                            ResumableError::Trap(trap) => trap,
                            other => panic!("resumable call failed outside a trap: {other:?}"),
                        })
                }
            }
        }
    }

    impl Externals for Reenter {
        fn invoke_index(
            &mut self,
            index: usize,
            args: RuntimeArgs<'_>,
        ) -> Result<Option<RuntimeValue>, Trap> {
            match index {
                0 => {
                    let n: i32 = args.nth_checked(0)?;
                    self.depth += 1;
                    self.deepest = self.deepest.max(self.depth);
                    let result = self.call_back("f", &[i32_arg(n + 1)]);
                    self.depth -= 1;
                    result
                }
                _ => {
                    // Small limits keep a thousand runaway recursions quick.
                    let mut stack = StackRecycler::with_limits(1 << 12, 1 << 8);
                    let instance = self.instance.clone();
                    let outcome = instance
                        .invoke_export_with_stack("forever", &[], self, &mut stack)
                        .map_err(|error| match error {
                            Error::Trap(trap) => trap,
                            other => panic!("calling back into Wasm failed: {other:?}"),
                        });
                    assert!(
                        matches!(outcome, Err(Trap::Code(TrapCode::StackOverflow))),
                        "the nested runaway recursion should trap, got {outcome:?}"
                    );
                    self.overflows += 1;
                    Ok(Some(i32_arg(1)))
                }
            }
        }
    }

    fn bounded_reentrancy_returns_the_result(via: Via) {
        let mut host = Reenter::new(via);
        host.set_limit(20);
        assert_eq!(host.run("f", &[i32_arg(0)]).unwrap(), Some(i32_arg(20)));
        assert_eq!(host.deepest, 20);
    }

    fn endless_reentrancy_traps(via: Via) {
        let mut host = Reenter::new(via);
        host.set_limit(i32::MAX);
        assert_trap(host.run("f", &[i32_arg(0)]), TrapCode::StackOverflow);
        assert!(
            host.deepest > 1,
            "the host was re-entered {} times",
            host.deepest
        );
        assert_eq!(host.depth, 0);
        // The nesting bookkeeping unwound: a bounded re-entrant call works again.
        host.set_limit(20);
        host.deepest = 0;
        assert_eq!(host.run("f", &[i32_arg(0)]).unwrap(), Some(i32_arg(20)));
    }

    #[test]
    fn bounded_reentrancy_through_invoke_export_works() {
        isolated(
            "host_reentrancy::bounded_reentrancy_through_invoke_export_works",
            || bounded_reentrancy_returns_the_result(Via::InvokeExport),
        );
    }

    #[test]
    fn bounded_reentrancy_through_a_resumable_call_works() {
        isolated(
            "host_reentrancy::bounded_reentrancy_through_a_resumable_call_works",
            || bounded_reentrancy_returns_the_result(Via::Resumable),
        );
    }

    #[test]
    fn endless_reentrancy_through_invoke_export_traps() {
        isolated(
            "host_reentrancy::endless_reentrancy_through_invoke_export_traps",
            || endless_reentrancy_traps(Via::InvokeExport),
        );
    }

    #[test]
    fn endless_reentrancy_through_a_resumable_call_traps() {
        isolated(
            "host_reentrancy::endless_reentrancy_through_a_resumable_call_traps",
            || endless_reentrancy_traps(Via::Resumable),
        );
    }

    #[test]
    fn repeated_nested_overflows_leave_the_outer_call_intact() {
        isolated(
            "host_reentrancy::repeated_nested_overflows_leave_the_outer_call_intact",
            || {
                // 1000 host calls, each running a nested call into a runaway recursion
                // that traps; the outer loop carries on and counts them.
                let mut host = Reenter::new(Via::InvokeExport);
                assert_eq!(
                    host.run("spin", &[i32_arg(1000)]).unwrap(),
                    Some(i32_arg(1000))
                );
                assert_eq!(host.overflows, 1000);
            },
        );
    }
}

// ---------------------------------------------------------------------------------------
// Linear memory: growth, huge maxima, empty memories, every access at its boundary.
// ---------------------------------------------------------------------------------------

mod memory_bounds {
    use super::*;

    fn grow_module(limits: &str) -> ModuleRef {
        instantiate(&load(&format!(
            r#"(module (memory (export "mem") {limits})
                 (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
                 (func (export "size") (result i32) (memory.size))
                 (func (export "load") (param i32) (result i32) (i32.load8_u (local.get 0)))
                 (func (export "store") (param i32) (i32.store8 (local.get 0) (i32.const 0xab))))"#
        )))
    }

    fn grow(instance: &ModuleRef, pages: i32) -> i32 {
        match call(instance, "grow", &[i32_arg(pages)]).unwrap() {
            Some(RuntimeValue::I32(old)) => old,
            other => panic!("memory.grow returned {other:?}"),
        }
    }

    fn size(instance: &ModuleRef) -> Option<RuntimeValue> {
        call(instance, "size", &[]).unwrap()
    }

    fn memory(instance: &ModuleRef) -> MemoryRef {
        match instance.export_by_name("mem") {
            Some(ExternVal::Memory(memory)) => memory,
            other => panic!("memory export: {other:?}"),
        }
    }

    #[test]
    fn grow_up_to_and_past_the_maximum() {
        let instance = grow_module("0 4");
        assert_eq!(grow(&instance, 1), 0);
        assert_eq!(grow(&instance, 3), 1);
        assert_eq!(grow(&instance, 1), -1);
        assert_eq!(grow(&instance, 0), 4);
        assert_eq!(grow(&instance, -1), -1);
        assert_eq!(grow(&instance, i32::MAX), -1);
        assert_eq!(size(&instance), Some(i32_arg(4)));
        // The last byte of the grown memory is usable; one past it is not.
        let last = (4 * PAGE - 1) as i32;
        call(&instance, "store", &[i32_arg(last)]).unwrap();
        assert_eq!(
            call(&instance, "load", &[i32_arg(last)]).unwrap(),
            Some(i32_arg(0xab))
        );
        assert_trap(
            call(&instance, "load", &[i32_arg(last + 1)]),
            TrapCode::MemoryAccessOutOfBounds,
        );
    }

    #[test]
    fn grow_without_a_maximum_stops_at_4_gib() {
        let instance = grow_module("0");
        assert_eq!(grow(&instance, MAX_PAGES as i32 + 1), -1);
        assert_eq!(grow(&instance, -1), -1);
        assert_eq!(grow(&instance, 2), 0);
        assert_eq!(grow(&instance, MAX_PAGES as i32 - 1), -1);
        assert_eq!(size(&instance), Some(i32_arg(2)));
    }

    #[test]
    fn a_65536_page_maximum_commits_nothing_up_front() {
        isolated(
            "memory_bounds::a_65536_page_maximum_commits_nothing_up_front",
            || {
                let ((instance, grown), resident, _) = measured_resident(|| {
                    let instance = grow_module("0 65536");
                    let grown = grow(&instance, 1);
                    (instance, grown)
                });
                assert_eq!(grown, 0);
                let memory = memory(&instance);
                assert_eq!(memory.maximum(), Some(Pages(MAX_PAGES as usize)));
                assert_eq!(memory.current_size(), Pages(1));
                assert_eq!(memory.direct_access().as_ref().len(), PAGE as usize);
                assert!(
                    resident < 4 << 20,
                    "a 1-page memory with a 4 GiB maximum made {resident} bytes resident"
                );
                assert_eq!(grow(&instance, MAX_PAGES as i32), -1);
                assert_eq!(size(&instance), Some(i32_arg(1)));
                call(&instance, "store", &[i32_arg(PAGE as i32 - 1)]).unwrap();
                assert_trap(
                    call(&instance, "store", &[i32_arg(PAGE as i32)]),
                    TrapCode::MemoryAccessOutOfBounds,
                );
            },
        );
    }

    /// A 4 GiB memory, declared or grown to, costs milliseconds and only the pages used.
    #[test]
    fn four_gib_memories_are_cheap_until_touched() {
        isolated(
            "memory_bounds::four_gib_memories_are_cheap_until_touched",
            || {
                let (instance, resident, elapsed) = measured_resident(|| grow_module("65536"));
                assert!(
                    elapsed < Duration::from_millis(50),
                    "(memory 65536) took {elapsed:?}"
                );
                assert!(
                    resident < 64 << 20,
                    "(memory 65536) made {resident} bytes resident"
                );
                assert_eq!(size(&instance), Some(i32_arg(65536)));
                // The last byte is there, and zero.
                let last = -1i32; // address 4 GiB - 1
                assert_eq!(
                    call(&instance, "load", &[i32_arg(last)]).unwrap(),
                    Some(i32_arg(0))
                );
                call(&instance, "store", &[i32_arg(last)]).unwrap();
                assert_eq!(
                    call(&instance, "load", &[i32_arg(last)]).unwrap(),
                    Some(i32_arg(0xab))
                );
                drop(instance);

                let small = grow_module("1");
                let (grown, resident, elapsed) = measured_resident(|| grow(&small, 65535));
                assert_eq!(grown, 1);
                assert!(
                    elapsed < Duration::from_millis(50),
                    "growing to 4 GiB took {elapsed:?}"
                );
                assert!(
                    resident < 64 << 20,
                    "growing to 4 GiB made {resident} bytes resident"
                );
                assert_eq!(size(&small), Some(i32_arg(65536)));
                call(&small, "store", &[i32_arg(-1)]).unwrap();
                assert_eq!(
                    call(&small, "load", &[i32_arg(-1)]).unwrap(),
                    Some(i32_arg(0xab))
                );
            },
        );
    }

    #[test]
    fn a_maximum_past_65536_pages_is_invalid() {
        // (memory 0 65537) and (memory 65537), built by hand: flags, min, max.
        for limits in [
            &[0x01, 0x00, 0x81, 0x80, 0x04][..],
            &[0x00, 0x81, 0x80, 0x04],
        ] {
            let bytes = Wasm::new().section(MEMORY, &entries(1, limits)).finish();
            assert_invalid(&bytes, "memory size must be at most 65536 pages (4GiB)");
        }
    }

    #[test]
    fn a_zero_page_memory_traps_on_every_access() {
        let instance = grow_module("0 0");
        assert_eq!(size(&instance), Some(i32_arg(0)));
        for address in [0, 1, PAGE as i32 - 1, -1] {
            assert_trap(
                call(&instance, "load", &[i32_arg(address)]),
                TrapCode::MemoryAccessOutOfBounds,
            );
            assert_trap(
                call(&instance, "store", &[i32_arg(address)]),
                TrapCode::MemoryAccessOutOfBounds,
            );
        }
        assert_eq!(grow(&instance, 0), 0);
        assert_eq!(grow(&instance, 1), -1);
        assert_eq!(memory(&instance).direct_access().as_ref().len(), 0);
        // Every access width of the boundary module traps too.
        let accesses = boundary_module(0);
        for access in &ACCESSES {
            for offset in OFFSETS {
                let offset = resolve(offset, access, 0);
                let outcome = access.run(&accesses, offset, 0);
                assert_trap(outcome, TrapCode::MemoryAccessOutOfBounds);
            }
        }
    }

    /// A load or store and the bytes it touches.
    struct Access {
        op: &'static str,
        width: u32,
        /// Loads: whether the value is sign-extended. Unused for stores.
        signed: bool,
        /// Bits of the result (32 or 64); 0 for stores.
        result_bits: u32,
    }

    const fn load_op(op: &'static str, width: u32, signed: bool, result_bits: u32) -> Access {
        Access {
            op,
            width,
            signed,
            result_bits,
        }
    }

    const fn store_op(op: &'static str, width: u32) -> Access {
        Access {
            op,
            width,
            signed: false,
            result_bits: 0,
        }
    }

    const ACCESSES: [Access; 23] = [
        load_op("i32.load", 4, false, 32),
        load_op("i32.load8_s", 1, true, 32),
        load_op("i32.load8_u", 1, false, 32),
        load_op("i32.load16_s", 2, true, 32),
        load_op("i32.load16_u", 2, false, 32),
        load_op("i64.load", 8, false, 64),
        load_op("i64.load8_s", 1, true, 64),
        load_op("i64.load8_u", 1, false, 64),
        load_op("i64.load16_s", 2, true, 64),
        load_op("i64.load16_u", 2, false, 64),
        load_op("i64.load32_s", 4, true, 64),
        load_op("i64.load32_u", 4, false, 64),
        load_op("f32.load", 4, false, 32),
        load_op("f64.load", 8, false, 64),
        store_op("i32.store", 4),
        store_op("i32.store8", 1),
        store_op("i32.store16", 2),
        store_op("i64.store", 8),
        store_op("i64.store8", 1),
        store_op("i64.store16", 2),
        store_op("i64.store32", 4),
        store_op("f32.store", 4),
        store_op("f64.store", 8),
    ];

    /// Static offsets each access is compiled with; `LAST` stands for `memory size - width`.
    const LAST: u32 = u32::MAX - 1;
    const OFFSETS: [u32; 5] = [0, 1, LAST, 0x8000_0000, u32::MAX];

    /// The value every store writes (truncated to its width).
    const STORED: u64 = 0x8877_6655_4433_2211;

    impl Access {
        fn is_store(&self) -> bool {
            self.result_bits == 0
        }

        fn export(&self, offset: u32) -> String {
            format!("{}@{offset}", self.op)
        }

        /// The function of the boundary module: loads return their bits as `i64`;
        /// stores take the address and the `i64` bits to store.
        fn func(&self, offset: u32) -> String {
            let memarg = format!("offset={offset}");
            let export = self.export(offset);
            let op = self.op;
            if self.is_store() {
                let value = match op {
                    "f32.store" => "(f32.reinterpret_i32 (i32.wrap_i64 (local.get 1)))",
                    "f64.store" => "(f64.reinterpret_i64 (local.get 1))",
                    _ if op.starts_with("i32") => "(i32.wrap_i64 (local.get 1))",
                    _ => "(local.get 1)",
                };
                format!(
                    r#"(func (export "{export}") (param i32 i64) ({op} {memarg} (local.get 0) {value}))"#
                )
            } else {
                let access = format!("({op} {memarg} (local.get 0))");
                let bits = match op {
                    "f32.load" => format!("(i64.extend_i32_u (i32.reinterpret_f32 {access}))"),
                    "f64.load" => format!("(i64.reinterpret_f64 {access})"),
                    _ if op.starts_with("i32") => format!("(i64.extend_i32_u {access})"),
                    _ => access,
                };
                format!(r#"(func (export "{export}") (param i32) (result i64) {bits})"#)
            }
        }

        /// Runs the access with static `offset` at dynamic `address`: a load's result
        /// bits, or `None` after a store.
        fn run(
            &self,
            instance: &ModuleRef,
            offset: u32,
            address: u32,
        ) -> Result<Option<u64>, Error> {
            let export = self.export(offset);
            let mut args = vec![i32_arg(address as i32)];
            if self.is_store() {
                args.push(RuntimeValue::I64(STORED as i64));
            }
            let result = call(instance, &export, &args)?;
            Ok(result.map(|value| match value {
                RuntimeValue::I64(bits) => bits as u64,
                other => panic!("{export} returned {other:?}"),
            }))
        }

        /// What a load at byte `at` of `memory` returns, as `run` reports it.
        fn expected_load(&self, memory: &[u8], at: usize) -> u64 {
            let mut raw = 0u64;
            for (i, byte) in memory[at..at + self.width as usize].iter().enumerate() {
                raw |= u64::from(*byte) << (8 * i);
            }
            let bits = 8 * self.width;
            let value = if self.signed && bits < 64 {
                let shift = 64 - bits;
                ((raw << shift) as i64 >> shift) as u64
            } else {
                raw
            };
            if self.result_bits == 32 {
                value & 0xffff_ffff
            } else {
                value
            }
        }
    }

    /// One function per access and static offset, over a memory of `pages` pages whose
    /// bytes are a pattern (byte `i` holds `i * 7 + 0x80`, so sign bits vary).
    fn boundary_module(pages: u32) -> ModuleRef {
        let size = pages * PAGE;
        let mut funcs = String::new();
        for access in ACCESSES {
            let offsets: BTreeSet<u32> = OFFSETS
                .iter()
                .map(|&offset| resolve(offset, &access, size))
                .collect();
            for offset in offsets {
                funcs.push_str(&access.func(offset));
                funcs.push('\n');
            }
        }
        let text = format!(r#"(module (memory (export "mem") {pages} {pages}) {funcs})"#);
        let instance = instantiate(&load(&text));
        memory(&instance).with_direct_access_mut(|bytes| {
            for (i, byte) in bytes.iter_mut().enumerate() {
                *byte = (i as u8).wrapping_mul(7).wrapping_add(0x80);
            }
        });
        instance
    }

    /// The static offset `offset` stands for: `LAST` is `size - width` (0 when the
    /// memory is smaller than the access).
    fn resolve(offset: u32, access: &Access, size: u32) -> u32 {
        if offset == LAST {
            size.saturating_sub(access.width)
        } else {
            offset
        }
    }

    #[test]
    fn every_access_width_at_its_last_valid_byte_and_one_past() {
        let instance = boundary_module(1);
        let memory = memory(&instance);
        let pristine = memory.direct_access().as_ref().to_vec();
        for access in &ACCESSES {
            let w = access.width;
            // (static offset, dynamic address) pairs whose sum is the last valid start,
            // then pairs one byte further.
            let last = PAGE - w;
            let fits = [(0, last), (1, last - 1), (LAST, 0)];
            let past = [
                (0, last + 1),
                (1, last),
                (LAST, 1),
                (0, PAGE),
                (0, u32::MAX),
            ];
            for (offset, address) in fits {
                let at = (resolve(offset, access, PAGE) + address) as usize;
                let what = format!("{} offset={offset} at {address}", access.op);
                let outcome = access.run(&instance, resolve(offset, access, PAGE), address);
                let outcome = outcome.unwrap_or_else(|e| panic!("{what}: {e:?}"));
                if access.is_store() {
                    // Exactly the `w` bytes at `at` changed.
                    let mut expected = pristine.clone();
                    expected[at..at + w as usize]
                        .copy_from_slice(&STORED.to_le_bytes()[..w as usize]);
                    memory.with_direct_access(|bytes| {
                        assert!(bytes == &expected[..], "{what}: wrong bytes written");
                    });
                    memory.set(0, &pristine).unwrap();
                } else {
                    assert_eq!(outcome, Some(access.expected_load(&pristine, at)), "{what}");
                }
            }
            for (offset, address) in past {
                let what = format!("{} offset={offset} at {address}", access.op);
                let outcome = access.run(&instance, resolve(offset, access, PAGE), address);
                assert!(
                    matches!(
                        outcome,
                        Err(Error::Trap(Trap::Code(TrapCode::MemoryAccessOutOfBounds)))
                    ),
                    "{what}: expected an out of bounds trap, got {outcome:?}"
                );
                // A store that traps writes nothing, not even the bytes that would fit.
                memory.with_direct_access(|bytes| {
                    assert!(
                        bytes == &pristine[..],
                        "{what}: a trapping access wrote memory"
                    );
                });
            }
        }
    }

    #[test]
    fn offset_plus_address_past_4_gib_traps_instead_of_wrapping() {
        let instance = boundary_module(1);
        let memory = memory(&instance);
        let pristine = memory.direct_access().as_ref().to_vec();
        for access in &ACCESSES {
            // Each sum is at least 2^32; wrapped to 32 bits it would land in bounds.
            let wrapping = [
                (u32::MAX, 1),
                (1, u32::MAX),
                (0x8000_0000, 0x8000_0000),
                (LAST, u32::MAX),
                (LAST, 0u32.wrapping_sub(PAGE - access.width)),
                (u32::MAX, u32::MAX),
            ];
            for (offset, address) in wrapping {
                let offset = resolve(offset, access, PAGE);
                let what = format!("{} offset={offset} at {address}", access.op);
                let outcome = access.run(&instance, offset, address);
                assert!(
                    matches!(
                        outcome,
                        Err(Error::Trap(Trap::Code(TrapCode::MemoryAccessOutOfBounds)))
                    ),
                    "{what}: expected an out of bounds trap, got {outcome:?}"
                );
                memory.with_direct_access(|bytes| {
                    assert!(
                        bytes == &pristine[..],
                        "{what}: a trapping access wrote memory"
                    );
                });
            }
        }
    }
}

// ---------------------------------------------------------------------------------------
// Large but valid bodies: linear time and memory, no native recursion.
// ---------------------------------------------------------------------------------------

mod big_bodies {
    use super::*;

    const DEPTH: usize = 100_000;

    /// Loads the single-function module and calls "f" with `args`, checking that loading
    /// allocated at most `per_unit` bytes for each of `units` (plus 1 MiB and [`SLACK`]).
    fn load_and_call(
        bytes: &[u8],
        units: usize,
        per_unit: u64,
        args: &[RuntimeValue],
    ) -> Option<RuntimeValue> {
        let (module, allocated, _) = measured(|| Module::from_buffer(bytes));
        let module = module.unwrap_or_else(|e| panic!("the module should load: {e:?}"));
        let budget = units as u64 * per_unit + (1 << 20) + SLACK;
        assert!(
            allocated <= budget,
            "loading {units} units allocated {allocated} bytes (budget {budget})"
        );
        call(&instantiate(&module), "f", args).unwrap()
    }

    #[test]
    fn a_hundred_thousand_nested_blocks_with_a_branch_out_of_all() {
        isolated(
            "big_bodies::a_hundred_thousand_nested_blocks_with_a_branch_out_of_all",
            || {
                let mut code = [BLOCK, EMPTY].repeat(DEPTH);
                code.push(BR);
                uleb(&mut code, (DEPTH - 1) as u64);
                code.extend(std::iter::repeat_n(END, DEPTH));
                code.extend([I32_CONST, 7, END]);
                let bytes = one_func(&func_type(0, 1), &body(&[], &code));
                assert_eq!(load_and_call(&bytes, DEPTH, 1024, &[]), Some(i32_arg(7)));
            },
        );
    }

    #[test]
    fn a_hundred_thousand_nested_blocks_with_results() {
        isolated(
            "big_bodies::a_hundred_thousand_nested_blocks_with_results",
            || {
                let mut code = [BLOCK, I32].repeat(DEPTH);
                code.extend([I32_CONST, 7]);
                code.extend(std::iter::repeat_n(END, DEPTH));
                code.push(END);
                let bytes = one_func(&func_type(0, 1), &body(&[], &code));
                assert_eq!(load_and_call(&bytes, DEPTH, 1024, &[]), Some(i32_arg(7)));
            },
        );
    }

    #[test]
    fn a_hundred_thousand_nested_blocks_in_dead_code() {
        isolated(
            "big_bodies::a_hundred_thousand_nested_blocks_in_dead_code",
            || {
                let mut code = vec![I32_CONST, 7, RETURN];
                code.extend([BLOCK, EMPTY].repeat(DEPTH));
                code.extend(std::iter::repeat_n(END, DEPTH));
                code.push(END);
                let bytes = one_func(&func_type(0, 1), &body(&[], &code));
                assert_eq!(load_and_call(&bytes, DEPTH, 1024, &[]), Some(i32_arg(7)));
            },
        );
    }

    #[test]
    fn a_br_table_with_a_million_targets() {
        isolated("big_bodies::a_br_table_with_a_million_targets", || {
            const TARGETS: u32 = 1_000_000;
            // block { block { br_table (i % 2 for each i) default 1 } return 10 } 20:
            // even indices leave the inner block (10), odd ones and the default the outer (20).
            let mut code = vec![BLOCK, EMPTY, BLOCK, EMPTY, LOCAL_GET, 0, BR_TABLE];
            uleb(&mut code, u64::from(TARGETS));
            code.extend((0..TARGETS).map(|i| (i % 2) as u8));
            code.push(1);
            code.extend([END, I32_CONST, 10, RETURN, END, I32_CONST, 20, END]);
            let bytes = one_func(&func_type(1, 1), &body(&[], &code));
            let (module, allocated, _) = measured(|| Module::from_buffer(&bytes));
            let module = module.expect("a million-target br_table loads");
            assert!(
                allocated <= 64 * u64::from(TARGETS) + SLACK,
                "a million-target br_table allocated {allocated} bytes"
            );
            let instance = instantiate(&module);
            for (index, expected) in [
                (0, 10),
                (1, 20),
                (999_998, 10),
                (999_999, 20),
                (1_000_000, 20),
                (-1, 20),
            ] {
                assert_eq!(
                    call(&instance, "f", &[i32_arg(index)]).unwrap(),
                    Some(i32_arg(expected)),
                    "br_table index {index}"
                );
            }
        });
    }

    #[test]
    fn a_function_with_a_thousand_parameters() {
        isolated("big_bodies::a_function_with_a_thousand_parameters", || {
            let params = MAX_FUNCTION_PARAMS;
            let code = [LOCAL_GET, 0xe7, 0x07, END]; // local.get 999
            let bytes = one_func(&func_type(params, 1), &body(&[], &code));
            let args: Vec<_> = (0..params as i32).map(i32_arg).collect();
            assert_eq!(
                load_and_call(&bytes, params, 1024, &args),
                Some(i32_arg(999))
            );
        });
    }

    #[test]
    fn fifty_thousand_locals() {
        isolated("big_bodies::fifty_thousand_locals", || {
            let locals = MAX_FUNCTION_LOCALS;
            let mut code = vec![LOCAL_GET];
            uleb(&mut code, u64::from(locals - 1));
            code.push(END);
            let bytes = one_func(&func_type(0, 1), &body(&[(locals, I32)], &code));
            assert_eq!(
                load_and_call(&bytes, locals as usize, 64, &[]),
                Some(i32_arg(0))
            );
        });
    }

    #[test]
    fn a_module_with_a_million_functions() {
        isolated("big_bodies::a_module_with_a_million_functions", || {
            let count = MAX_FUNCTIONS;
            let functions = entries(count, &vec![0; count as usize]);
            let mut bodies = Vec::with_capacity(3 * count as usize + 4);
            uleb(&mut bodies, count);
            for _ in 0..count {
                bodies.extend([2, 0, END]);
            }
            let bytes = Wasm::new()
                .section(TYPE, &type_section())
                .section(FUNCTION, &functions)
                .section(EXPORT, &entries(1, &export_func("f", 999_999)))
                .section(CODE, &bodies)
                .finish();
            let (module, allocated, elapsed) = measured(|| Module::from_buffer(&bytes));
            let module = module.expect("a million functions are within the limit");
            assert!(
                allocated <= 1024 * count + SLACK,
                "a million functions allocated {allocated} bytes"
            );
            assert!(
                elapsed < Duration::from_secs(10),
                "loading took {elapsed:?}"
            );
            assert_eq!(call(&instantiate(&module), "f", &[]).unwrap(), None);
        });
    }
}

// ---------------------------------------------------------------------------------------
// Implementation limits: one past each is a clear validation error naming it.
// ---------------------------------------------------------------------------------------

mod implementation_limits {
    use super::*;

    #[test]
    fn fifty_thousand_and_one_locals() {
        isolated(
            "implementation_limits::fifty_thousand_and_one_locals",
            || {
                let code = [END];
                for locals in [
                    &[(MAX_FUNCTION_LOCALS + 1, I32)][..],
                    &[
                        (MAX_FUNCTION_LOCALS / 2, I32),
                        (MAX_FUNCTION_LOCALS / 2 + 1, I32),
                    ],
                    &[(u32::MAX, I32)],
                    &[(u32::MAX, I32), (u32::MAX, I32)],
                ] {
                    let bytes = one_func(&func_type(0, 0), &body(locals, &code));
                    assert_rejected_cheaply(&bytes, "too many locals");
                }
            },
        );
    }

    #[test]
    fn parameters_count_towards_the_locals_limit() {
        // As in wasmparser: one parameter and 50,000 declared locals is one too many.
        let bytes = one_func(
            &func_type(1, 0),
            &body(&[(MAX_FUNCTION_LOCALS, I32)], &[END]),
        );
        assert_invalid(&bytes, "too many locals");
        let bytes = one_func(
            &func_type(1, 0),
            &body(&[(MAX_FUNCTION_LOCALS - 1, I32)], &[END]),
        );
        Module::from_buffer(&bytes).expect("50,000 locals with the parameter");
    }

    #[test]
    fn a_thousand_and_one_parameters() {
        let bytes = one_func(&func_type(MAX_FUNCTION_PARAMS + 1, 0), &body(&[], &[END]));
        assert_invalid(&bytes, "too many parameters");
    }

    #[test]
    fn a_thousand_and_one_results() {
        let bytes = one_func(&func_type(0, MAX_FUNCTION_RESULTS + 1), &body(&[], &[END]));
        assert_invalid(&bytes, "too many results");
    }

    #[test]
    fn too_many_functions() {
        isolated("implementation_limits::too_many_functions", || {
            for count in [MAX_FUNCTIONS + 1, u64::from(u32::MAX)] {
                let bytes = Wasm::new()
                    .section(TYPE, &type_section())
                    .section(FUNCTION, &entries(count, &[0]))
                    .finish();
                assert_rejected_cheaply(&bytes, "too many functions");
            }
        });
    }

    #[test]
    fn too_many_types_imports_globals_and_exports() {
        isolated(
            "implementation_limits::too_many_types_imports_globals_and_exports",
            || {
                let cases = [
                    (TYPE, MAX_TYPES + 1, "too many types"),
                    (IMPORT, MAX_IMPORTS + 1, "too many imports"),
                    (GLOBAL, MAX_GLOBALS + 1, "too many globals"),
                    (EXPORT, MAX_EXPORTS + 1, "too many exports"),
                ];
                for (id, count, message) in cases {
                    let bytes = Wasm::new().section(id, &entries(count, &[])).finish();
                    assert_rejected_cheaply(&bytes, message);
                }
            },
        );
    }

    #[test]
    fn too_many_segments() {
        isolated("implementation_limits::too_many_segments", || {
            let cases = [
                (
                    ELEMENT,
                    MAX_ELEMENT_SEGMENTS + 1,
                    "too many element segments",
                ),
                (DATA, MAX_DATA_SEGMENTS + 1, "too many data segments"),
            ];
            for (id, count, message) in cases {
                let bytes = Wasm::new().section(id, &entries(count, &[])).finish();
                assert_rejected_cheaply(&bytes, message);
            }
        });
    }

    /// A table's declared size is valid up to 2^32 - 1 (the spec's `module definition`
    /// of one of `0xffff_ffff` elements is valid), so the limit applies where entries
    /// are allocated: instantiation fails with an error naming it, and allocates nothing.
    #[test]
    fn a_table_past_ten_million_entries() {
        // funcref, no maximum, initial size.
        let table = |initial: u64| {
            let mut entry = vec![0x70, 0x00];
            uleb(&mut entry, initial);
            Wasm::new().section(TABLE, &entries(1, &entry)).finish()
        };
        let instantiate = |initial: u64| {
            let module = Module::from_buffer(table(initial)).expect("the module is valid");
            ModuleInstance::new(&module, &ImportsBuilder::default()).map(drop)
        };
        assert!(instantiate(MAX_TABLE_ENTRIES).is_ok());
        for initial in [MAX_TABLE_ENTRIES + 1, u64::from(u32::MAX)] {
            let error = instantiate(initial).expect_err("past the limit");
            let message = error.to_string();
            assert!(message.contains("10000000"), "names the limit: {message}");
        }
    }

    #[test]
    fn a_function_body_past_the_size_limit() {
        // nop * n, end: a body of exactly MAX_FUNCTION_SIZE + 1 bytes (the local-group
        // count is one byte).
        let mut code = vec![0x01; MAX_FUNCTION_SIZE - 1];
        code.push(END);
        let bytes = one_func(&func_type(0, 0), &body(&[], &code));
        let message = assert_invalid(&bytes, "too large");
        assert!(message.contains("function"), "{message}");
        // One byte less is fine.
        code.truncate(MAX_FUNCTION_SIZE - 2);
        code.push(END);
        let bytes = one_func(&func_type(0, 0), &body(&[], &code));
        Module::from_buffer(&bytes).expect("a body at the size limit loads");
    }

    #[test]
    fn a_name_past_the_string_limit() {
        let long = "x".repeat(MAX_STRING_SIZE + 1);
        let bytes = Wasm::new()
            .section(TYPE, &type_section())
            .section(FUNCTION, &entries(1, &[0]))
            .section(EXPORT, &entries(1, &export_func(&long, 0)))
            .section(CODE, &entries(1, &body(&[], &[END])))
            .finish();
        assert_invalid(&bytes, "string size out of bounds");
    }
}

// ---------------------------------------------------------------------------------------
// Counts and sizes the input does not back: rejected without trusting them.
// ---------------------------------------------------------------------------------------

mod unbacked_claims {
    use super::*;

    #[test]
    fn a_million_functions_claimed_by_a_few_bytes() {
        isolated(
            "unbacked_claims::a_million_functions_claimed_by_a_few_bytes",
            || {
                let bytes = Wasm::new()
                    .section(TYPE, &type_section())
                    .section(FUNCTION, &entries(MAX_FUNCTIONS, &[0, 0, 0]))
                    .finish();
                assert_rejected_cheaply(&bytes, "unexpected end");
            },
        );
    }

    #[test]
    fn a_million_bodies_claimed_by_a_few_bytes() {
        isolated(
            "unbacked_claims::a_million_bodies_claimed_by_a_few_bytes",
            || {
                // The function section really declares a million functions (decoding it costs
                // memory in proportion); the code section claims their million bodies and holds
                // one. The claim must cost nothing on top of the function section.
                let count = MAX_FUNCTIONS;
                let declared = Wasm::new()
                    .section(TYPE, &type_section())
                    .section(FUNCTION, &entries(count, &vec![0; count as usize]));
                let without_code = Wasm(declared.0.clone()).finish();
                let claimed = declared
                    .section(CODE, &entries(count, &body(&[], &[END])))
                    .finish();
                let (_, baseline, _) = measured(|| Module::from_buffer(&without_code));
                let (outcome, allocated, elapsed) = measured(|| Module::from_buffer(&claimed));
                match outcome {
                    Err(Error::Validation(message)) => {
                        assert!(message.contains("unexpected end"), "{message}")
                    }
                    other => panic!("expected an unexpected end, got {other:?}"),
                }
                assert!(
                    allocated <= baseline + (1 << 20) + SLACK,
                    "the unbacked code section claim allocated {allocated} bytes, {baseline} without it"
                );
                assert!(elapsed < Duration::from_secs(2), "took {elapsed:?}");
            },
        );
    }

    #[test]
    fn huge_entry_counts_claimed_by_a_few_bytes() {
        isolated(
            "unbacked_claims::huge_entry_counts_claimed_by_a_few_bytes",
            || {
                for id in [TYPE, IMPORT, GLOBAL, EXPORT] {
                    let bytes = Wasm::new().section(id, &entries(1_000_000, &[])).finish();
                    assert_rejected_cheaply(&bytes, "unexpected end");
                }
                for id in [ELEMENT, DATA] {
                    let bytes = Wasm::new().section(id, &entries(100_000, &[])).finish();
                    assert_rejected_cheaply(&bytes, "unexpected end");
                }
            },
        );
    }

    #[test]
    fn a_100_mb_data_segment_claimed_by_a_few_bytes() {
        isolated(
            "unbacked_claims::a_100_mb_data_segment_claimed_by_a_few_bytes",
            || {
                // Active segment for memory 0 at offset 0, claiming 100 MB, holding 4 bytes.
                let mut segment = vec![0x00, I32_CONST, 0, END];
                uleb(&mut segment, 100_000_000);
                segment.extend(b"data");
                let bytes = Wasm::new()
                    .section(MEMORY, &entries(1, &[0x00, 0x01]))
                    .section(DATA, &entries(1, &segment))
                    .finish();
                assert_rejected_cheaply(&bytes, "unexpected end");
            },
        );
    }

    #[test]
    fn a_100_mb_section_claimed_by_a_few_bytes() {
        isolated(
            "unbacked_claims::a_100_mb_section_claimed_by_a_few_bytes",
            || {
                let mut bytes = Wasm::new().finish();
                bytes.push(DATA);
                uleb(&mut bytes, 100_000_000);
                bytes.extend(entries(1, &[0x00, I32_CONST, 0, END, 4]));
                bytes.extend(b"data");
                assert_rejected_cheaply(&bytes, "unexpected end");
            },
        );
    }

    #[test]
    fn huge_element_and_local_group_counts_claimed_by_a_few_bytes() {
        isolated(
            "unbacked_claims::huge_element_and_local_group_counts_claimed_by_a_few_bytes",
            || {
                // An active element segment for table 0 claiming a million function indices.
                let mut segment = vec![0x00, I32_CONST, 0, END];
                uleb(&mut segment, 1_000_000);
                segment.push(0);
                let bytes = Wasm::new()
                    .section(TYPE, &type_section())
                    .section(FUNCTION, &entries(1, &[0]))
                    .section(TABLE, &entries(1, &[0x70, 0x00, 0x01]))
                    .section(ELEMENT, &entries(1, &segment))
                    .section(CODE, &entries(1, &body(&[], &[END])))
                    .finish();
                assert_rejected_cheaply(&bytes, "unexpected end");
                // A body claiming a million local groups.
                let mut inner = leb_bytes(1_000_000);
                inner.extend([1, I32, END]);
                let mut entry = leb_bytes(inner.len() as u64);
                entry.extend(inner);
                let bytes = one_func(&func_type(0, 0), &entry);
                assert_rejected_cheaply(&bytes, "unexpected end");
            },
        );
    }

    #[test]
    fn a_br_table_claiming_millions_of_targets() {
        isolated(
            "unbacked_claims::a_br_table_claiming_millions_of_targets",
            || {
                let mut code = vec![BLOCK, EMPTY, I32_CONST, 0, BR_TABLE];
                uleb(&mut code, 7_000_000);
                code.extend([0, 0, END, END]);
                let bytes = one_func(&func_type(0, 0), &body(&[], &code));
                assert_rejected_cheaply(&bytes, "unexpected end");
                // Past the size any body can have.
                let mut code = vec![BLOCK, EMPTY, I32_CONST, 0, BR_TABLE];
                uleb(&mut code, u64::from(u32::MAX));
                code.extend([0, 0, END, END]);
                let bytes = one_func(&func_type(0, 0), &body(&[], &code));
                assert_rejected_cheaply(&bytes, "br_table");
            },
        );
    }

    #[test]
    fn a_name_claiming_4_gib() {
        isolated("unbacked_claims::a_name_claiming_4_gib", || {
            let mut entry = leb_bytes(u64::from(u32::MAX));
            entry.extend(b"f\0\0");
            let bytes = Wasm::new()
                .section(TYPE, &type_section())
                .section(FUNCTION, &entries(1, &[0]))
                .section(EXPORT, &entries(1, &entry))
                .section(CODE, &entries(1, &body(&[], &[END])))
                .finish();
            assert_rejected_cheaply(&bytes, "string size out of bounds");
        });
    }
}

// ---------------------------------------------------------------------------------------
// Malformed framing: LEB128s, section sizes, section order.
// ---------------------------------------------------------------------------------------

mod malformed_binaries {
    use super::*;

    #[test]
    fn truncated_leb128s() {
        // A section size cut short.
        let bytes = Wasm::new().raw(&[TYPE, 0x80]).finish();
        assert_invalid(&bytes, "unexpected end");
        // A count cut short inside its section.
        let bytes = Wasm::new().section(TYPE, &[0x80, 0x80]).finish();
        assert_invalid(&bytes, "unexpected end");
        // An i32.const immediate cut short at the end of the body.
        let bytes = one_func(&func_type(0, 0), &body(&[], &[I32_CONST, 0x80]));
        assert_invalid(&bytes, "unexpected end");
    }

    #[test]
    fn over_long_leb128s() {
        // Count 1 in six bytes (a u32 takes at most five).
        let bytes = Wasm::new()
            .section(TYPE, &[0x81, 0x80, 0x80, 0x80, 0x80, 0x00, 0x60, 0, 0])
            .finish();
        assert_invalid(&bytes, "integer representation too long");
        // A section size in six bytes.
        let bytes = Wasm::new()
            .raw(&[TYPE, 0x83, 0x80, 0x80, 0x80, 0x80, 0x00])
            .raw(&type_section())
            .finish();
        assert_invalid(&bytes, "integer representation too long");
        // A fifth byte with bits past 32.
        let bytes = Wasm::new()
            .section(TYPE, &[0x81, 0x80, 0x80, 0x80, 0x70, 0x60, 0, 0])
            .finish();
        assert_invalid(&bytes, "integer too large");
        // i32.const 0 in six bytes, i64.const 0 in eleven.
        let mut code = vec![I32_CONST, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00, DROP, END];
        let bytes = one_func(&func_type(0, 0), &body(&[], &code));
        assert_invalid(&bytes, "integer representation too long");
        code = vec![I64_CONST];
        code.extend([0x80; 10]);
        code.extend([0x00, DROP, END]);
        let bytes = one_func(&func_type(0, 0), &body(&[], &code));
        assert_invalid(&bytes, "integer representation too long");
        // A minimal-length but non-canonical encoding is fine: i32.const -1 as 0xff 0x7f.
        let mut code = vec![I32_CONST];
        sleb(&mut code, -1);
        code.extend([DROP, END]);
        Module::from_buffer(one_func(&func_type(0, 0), &body(&[], &code))).unwrap();
    }

    #[test]
    fn section_sizes_that_lie() {
        let types = type_section();
        // Larger than the rest of the input.
        let mut bytes = Wasm::new().raw(&[TYPE]).finish();
        uleb(&mut bytes, types.len() as u64 + 1);
        bytes.extend(&types);
        assert_invalid(&bytes, "unexpected end");
        // Smaller than the entries it holds.
        let mut bytes = Wasm::new().raw(&[TYPE]).finish();
        uleb(&mut bytes, types.len() as u64 - 1);
        bytes.extend(&types);
        assert_invalid(&bytes, "unexpected end");
        // Larger than its entries: trailing bytes inside the section.
        let mut padded = types.clone();
        padded.push(0x60);
        let bytes = Wasm::new().section(TYPE, &padded).finish();
        assert_invalid(&bytes, "section size mismatch");
        // A function body whose size runs past the code section.
        let mut code = entries(1, &[]);
        code.extend([0x05, 0x00, END]);
        let bytes = Wasm::new()
            .section(TYPE, &types)
            .section(FUNCTION, &entries(1, &[0]))
            .section(CODE, &code)
            .finish();
        assert_invalid(&bytes, "unexpected end");
    }

    #[test]
    fn a_body_size_that_stops_before_the_end_opcode() {
        // Size 2: no locals, `nop`; the `end` is left outside the body, inside the code
        // section (the spec interpreter reads past the body: "section size mismatch").
        let mut code = entries(1, &[]);
        code.extend([0x02, 0x00, 0x01, END]);
        let bytes = Wasm::new()
            .section(TYPE, &type_section())
            .section(FUNCTION, &entries(1, &[0]))
            .section(CODE, &code)
            .finish();
        assert_invalid(&bytes, "section size mismatch");
    }

    #[test]
    fn a_body_without_its_end_opcode() {
        // binary.wast: "unexpected end of section or function".
        let mut code = entries(1, &[]);
        code.extend([0x02, 0x00, 0x01]);
        let bytes = Wasm::new()
            .section(TYPE, &type_section())
            .section(FUNCTION, &entries(1, &[0]))
            .section(CODE, &code)
            .finish();
        assert_invalid(&bytes, "unexpected end");
    }

    #[test]
    fn duplicate_sections() {
        let bytes = Wasm::new()
            .section(TYPE, &type_section())
            .section(TYPE, &type_section())
            .finish();
        assert_invalid(&bytes, "unexpected content after last section");
        let bytes = Wasm::new()
            .section(MEMORY, &entries(1, &[0x00, 0x01]))
            .section(MEMORY, &entries(0, &[]))
            .finish();
        assert_invalid(&bytes, "unexpected content after last section");
    }

    #[test]
    fn sections_out_of_order() {
        let bytes = Wasm::new()
            .section(FUNCTION, &entries(1, &[0]))
            .section(TYPE, &type_section())
            .section(CODE, &entries(1, &body(&[], &[END])))
            .finish();
        assert_invalid(&bytes, "unexpected content after last section");
        let bytes = Wasm::new()
            .section(DATA, &entries(0, &[]))
            .section(MEMORY, &entries(1, &[0x00, 0x01]))
            .finish();
        assert_invalid(&bytes, "unexpected content after last section");
    }

    #[test]
    fn bad_headers_and_section_ids() {
        assert_invalid(b"\0asm", "unexpected end");
        assert_invalid(b"\0asm\x02\0\0\0", "unknown binary version");
        // (A wrong magic is not tested here: `from_buffer` reads such bytes as text.)
        let bytes = Wasm::new().section(0x7f, &[]).finish();
        assert_invalid(&bytes, "malformed section id");
        let bytes = Wasm::new().raw(&[0x80, 0x00]).finish();
        assert_invalid(&bytes, "malformed section id");
    }

    #[test]
    fn function_and_code_counts_disagree() {
        let bytes = Wasm::new()
            .section(TYPE, &type_section())
            .section(FUNCTION, &entries(2, &[0, 0]))
            .section(CODE, &entries(1, &body(&[], &[END])))
            .finish();
        assert_invalid(
            &bytes,
            "function and code section have inconsistent lengths",
        );
        let bytes = Wasm::new()
            .section(TYPE, &type_section())
            .section(FUNCTION, &entries(1, &[0]))
            .finish();
        assert_invalid(
            &bytes,
            "function and code section have inconsistent lengths",
        );
    }
}
