//! Wasm backtraces: the call stack of a trap, with names and code offsets, as the
//! `StackRecycler` and resumable calls keep it.

use wasmite::{
    Config, Error, ExternVal, Externals, FuncInstance, ImportsBuilder, Module,
    ModuleImportResolver, ModuleInstance, ModuleRef, NopExternals, RuntimeArgs, RuntimeValue,
    Signature, StackRecycler, Translation, Trap, TrapCode, WasmBacktrace,
};

/// Opcodes the frames' offsets must land on.
const CALL: u8 = 0x10;
const I32_DIV_S: u8 = 0x6d;
const I32_LOAD: u8 = 0x28;
const LOOP: u8 = 0x03;

const NESTED: &str = r#"(module $calc
  (memory 1)
  (func $outer (export "outer") (param i32) (result i32)
    (i32.add (i32.const 1) (call $middle (local.get 0))))
  (func $middle (param i32) (result i32)
    (i32.mul (i32.const 3) (call $inner (local.get 0))))
  (func $inner (param $n i32) (result i32) (local $i i32)
    ;; A loop with constants in it (a prologue before the body) that the translator
    ;; rotates, then the division that traps when $n is 0.
    (loop $l
      (local.set $i (i32.add (local.get $i) (i32.const 7)))
      (br_if $l (i32.lt_u (local.get $i) (i32.const 100))))
    (i32.div_s (local.get $i) (local.get $n)))
  (func $load (export "load") (param i32) (result i32)
    (i32.load offset=4 (local.get 0)))
  (func (export "unnamed") (result i32)
    (call $load (i32.const -1))))"#;

fn configs() -> Vec<Config> {
    let mut configs = Vec::new();
    for translation in [Translation::Lazy, Translation::Eager] {
        configs.push(Config::new().translation(translation));
        configs.push(
            Config::new()
                .translation(translation)
                .consume_fuel(true)
                .interruptible(true),
        );
    }
    configs
}

fn instance(bytes: &[u8], config: &Config) -> ModuleRef {
    let module = Module::from_buffer_with_config(bytes, config).unwrap();
    let instance = ModuleInstance::new(&module, &ImportsBuilder::default())
        .unwrap()
        .assert_no_start();
    // Enough for every call here when fuel is metered.
    instance.set_fuel(1 << 40);
    instance
}

/// Invokes `name` with a recycler; the trap and the backtrace the recycler kept.
fn trapped(
    instance: &ModuleRef,
    name: &str,
    args: &[RuntimeValue],
    externals: &mut impl Externals,
) -> (Trap, WasmBacktrace) {
    let mut stack = StackRecycler::default();
    match instance.invoke_export_with_stack(name, args, externals, &mut stack) {
        Err(Error::Trap(trap)) => (trap, stack.take_backtrace().expect("a backtrace")),
        other => panic!("expected a trap, got {other:?}"),
    }
}

fn names(backtrace: &WasmBacktrace) -> Vec<Option<&str>> {
    backtrace.frames().iter().map(|f| f.func_name()).collect()
}

/// The byte at each frame's module offset.
fn opcodes(bytes: &[u8], backtrace: &WasmBacktrace) -> Vec<u8> {
    let offsets = backtrace
        .frames()
        .iter()
        .map(|f| f.module_offset().unwrap());
    offsets.map(|offset| bytes[offset]).collect()
}

#[test]
fn a_trap_three_calls_deep_shows_three_named_frames() {
    let bytes = wat::parse_str(NESTED).unwrap();
    for config in configs() {
        let instance = instance(&bytes, &config);
        let (trap, backtrace) = trapped(&instance, "outer", &[0.into()], &mut NopExternals);
        assert_eq!(trap.code(), Some(TrapCode::DivisionByZero), "{trap:?}");
        assert_eq!(
            names(&backtrace),
            [Some("inner"), Some("middle"), Some("outer")]
        );
        assert_eq!(
            opcodes(&bytes, &backtrace),
            [I32_DIV_S, CALL, CALL],
            "{config:?}"
        );
        let indices: Vec<u32> = backtrace.frames().iter().map(|f| f.func_index()).collect();
        assert_eq!(indices, [2, 1, 0]);
        let frame = &backtrace.frames()[0];
        assert_eq!(frame.module_name(), Some("calc"));
        assert!(frame.func_offset().unwrap() < frame.module_offset().unwrap());
        assert_eq!(backtrace.omitted_frames(), 0);

        let text = backtrace.to_string();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 4, "{text}");
        assert_eq!(lines[0], "wasm backtrace:");
        let offset = frame.module_offset().unwrap();
        assert_eq!(lines[1], format!("    0: {offset:>#6x} - calc!inner"));
        assert!(lines[3].ends_with(" - calc!outer"), "{text}");
    }
}

#[test]
fn the_same_call_that_returns_leaves_no_backtrace() {
    let bytes = wat::parse_str(NESTED).unwrap();
    let instance = instance(&bytes, &Config::new());
    let mut stack = StackRecycler::default();
    let _ = instance.invoke_export_with_stack("outer", &[0.into()], &mut NopExternals, &mut stack);
    assert!(stack.backtrace().is_some());
    let result =
        instance.invoke_export_with_stack("outer", &[1.into()], &mut NopExternals, &mut stack);
    // $i ends at 105: 1 + 3 * 105.
    assert_eq!(result.unwrap(), Some(RuntimeValue::I32(316)));
    assert!(stack.backtrace().is_none());
}

#[test]
fn frames_without_names_are_numbered() {
    let bytes = wat::parse_str(NESTED).unwrap();
    for config in configs() {
        let instance = instance(&bytes, &config);
        let (trap, backtrace) = trapped(&instance, "unnamed", &[], &mut NopExternals);
        assert_eq!(trap.code(), Some(TrapCode::MemoryAccessOutOfBounds));
        assert_eq!(names(&backtrace), [Some("load"), None]);
        assert_eq!(opcodes(&bytes, &backtrace), [I32_LOAD, CALL]);
        let text = backtrace.to_string();
        assert!(text.ends_with(" - calc!<wasm function 4>"), "{text}");
    }
}

/// A host function that always fails with a host error.
struct Failing;

#[derive(Debug)]
struct HostFailure;
impl std::fmt::Display for HostFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("the host failed")
    }
}
impl wasmite::HostError for HostFailure {}

impl Externals for Failing {
    fn invoke_index(&mut self, _: usize, _: RuntimeArgs<'_>) -> Result<Option<RuntimeValue>, Trap> {
        Err(HostFailure.into())
    }
}

impl ModuleImportResolver for Failing {
    fn resolve_func(&self, _: &str, signature: &Signature) -> Result<wasmite::FuncRef, Error> {
        Ok(FuncInstance::alloc_host(signature.clone(), 0))
    }
}

#[test]
fn frames_span_instances_and_end_at_a_failing_host_call() {
    // `lib` traps in its own code or calls the host; `app` calls `lib`.
    let lib = wat::parse_str(
        r#"(module $lib
          (import "host" "fail" (func $fail))
          (func $divide (export "divide") (param i32) (result i32)
            (i32.div_s (i32.const 1) (local.get 0)))
          (global $asked (mut i32) (i32.const 0))
          (func $ask (export "ask")
            (global.set $asked (i32.const 1))
            (call $fail)))"#,
    )
    .unwrap();
    let app = wat::parse_str(
        r#"(module $app
          (import "lib" "divide" (func $divide (param i32) (result i32)))
          (import "lib" "ask" (func $ask))
          (func $main (export "main") (result i32) (call $divide (i32.const 0)))
          (func $host (export "host") (call $ask)))"#,
    )
    .unwrap();
    for config in configs() {
        let lib_module = Module::from_buffer_with_config(&lib, &config).unwrap();
        let lib_instance = ModuleInstance::new(
            &lib_module,
            &ImportsBuilder::new().with_resolver("host", &Failing),
        )
        .unwrap()
        .assert_no_start();
        let app_module = Module::from_buffer_with_config(&app, &config).unwrap();
        let imports = ImportsBuilder::new().with_resolver("lib", &lib_instance);
        let app_instance = ModuleInstance::new(&app_module, &imports)
            .unwrap()
            .assert_no_start();
        app_instance.set_fuel(1 << 40);

        let (_, backtrace) = trapped(&app_instance, "main", &[], &mut Failing);
        let frames = backtrace.frames();
        let whose: Vec<_> = frames
            .iter()
            .map(|f| (f.module_name(), f.func_name()))
            .collect();
        assert_eq!(
            whose,
            [(Some("lib"), Some("divide")), (Some("app"), Some("main"))]
        );
        assert_eq!(lib[frames[0].module_offset().unwrap()], I32_DIV_S);
        assert_eq!(app[frames[1].module_offset().unwrap()], CALL);

        let (trap, backtrace) = trapped(&app_instance, "host", &[], &mut Failing);
        assert!(trap.as_host().unwrap().is::<HostFailure>());
        let frames = backtrace.frames();
        assert_eq!(names(&backtrace), [Some("ask"), Some("host")]);
        assert_eq!(lib[frames[0].module_offset().unwrap()], CALL);
    }
}

#[test]
fn a_runaway_recursion_keeps_its_innermost_frames() {
    let bytes = wat::parse_str(r#"(module (func $down (export "down") (call $down)))"#).unwrap();
    let instance = instance(&bytes, &Config::new());
    let (trap, backtrace) = trapped(&instance, "down", &[], &mut NopExternals);
    assert_eq!(trap.code(), Some(TrapCode::StackOverflow));
    assert_eq!(backtrace.frames().len(), wasmite::MAX_BACKTRACE_FRAMES);
    assert_eq!(
        backtrace.frames().len() + backtrace.omitted_frames(),
        wasmite::DEFAULT_CALL_STACK_LIMIT
    );
    assert!(
        backtrace
            .frames()
            .iter()
            .all(|f| f.func_name() == Some("down"))
    );
    assert!(
        backtrace
            .to_string()
            .ends_with(&format!("... {} more frames", backtrace.omitted_frames()))
    );
}

#[test]
fn a_call_out_of_fuel_shows_where_it_stopped() {
    let bytes =
        wat::parse_str(r#"(module (func $spin (export "spin") (loop $l (br $l))))"#).unwrap();
    let config = Config::new().consume_fuel(true);
    let instance = instance(&bytes, &config);
    instance.set_fuel(1000);
    let Some(ExternVal::Func(spin)) = instance.export_by_name("spin") else {
        panic!("no export")
    };
    let mut invocation = FuncInstance::invoke_resumable(&spin, &[][..]).unwrap();
    assert!(invocation.start_execution(&mut NopExternals).is_err());
    let backtrace = invocation.backtrace().expect("a backtrace");
    assert_eq!(names(backtrace), [Some("spin")]);
    assert_eq!(opcodes(&bytes, backtrace), [LOOP]);
}
