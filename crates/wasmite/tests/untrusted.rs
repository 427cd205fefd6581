//! Bounding untrusted code: fuel metering and interruption.

use std::time::{Duration, Instant};

use wasmite::{
    Config, Error, FuncInstance, ImportsBuilder, Interrupted, Module, ModuleInstance, ModuleRef,
    NopExternals, OutOfFuel, RuntimeValue, Translation, Trap,
};

const SPIN: &str = r#"(module
  (func $spin (export "spin") (loop (br 0)))
  (func (export "sum") (param $n i32) (result i64) (local $acc i64)
    (block $done
      (loop $next
        (br_if $done (i32.eqz (local.get $n)))
        (local.set $acc (i64.add (local.get $acc) (i64.extend_i32_u (local.get $n))))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $next)))
    (local.get $acc)))"#;

fn load(text: &str, config: Config) -> Module {
    Module::from_buffer_with_config(wat::parse_str(text).unwrap(), &config).unwrap()
}

fn instance(module: &Module) -> ModuleRef {
    ModuleInstance::new(module, &ImportsBuilder::default())
        .unwrap()
        .assert_no_start()
}

fn trap_of(result: Result<Option<RuntimeValue>, Error>) -> Trap {
    match result {
        Err(Error::Trap(trap)) => trap,
        other => panic!("expected a trap, got {other:?}"),
    }
}

fn is<T: wasmite::HostError>(trap: &Trap) -> bool {
    trap.as_host()
        .is_some_and(|e| e.downcast_ref::<T>().is_some())
}

#[test]
fn an_endless_loop_runs_out_of_fuel() {
    for translation in [Translation::Lazy, Translation::Eager] {
        let module = load(
            SPIN,
            Config::new().consume_fuel(true).translation(translation),
        );
        let instance = instance(&module);
        assert_eq!(instance.fuel(), 0);
        instance.set_fuel(100_000);
        let trap = trap_of(instance.invoke_export("spin", &[], &mut NopExternals));
        assert!(is::<OutOfFuel>(&trap), "{trap:?}");
        assert_eq!(trap.to_string(), "all fuel consumed by WebAssembly");
        assert!(instance.fuel() < 10, "left {}", instance.fuel());
    }
}

#[test]
fn an_endless_start_function_runs_out_of_fuel() {
    let module = load(
        r#"(module (func $spin (loop (br 0))) (start $spin))"#,
        Config::new().consume_fuel(true),
    );
    let not_started = ModuleInstance::new(&module, &ImportsBuilder::default()).unwrap();
    not_started.not_started_instance().set_fuel(50_000);
    let trap = not_started.run_start(&mut NopExternals).unwrap_err();
    assert!(is::<OutOfFuel>(&trap), "{trap:?}");
}

#[test]
fn code_without_metering_consumes_nothing() {
    let module = load(SPIN, Config::new());
    let instance = instance(&module);
    let result = instance.invoke_export("sum", &[RuntimeValue::I32(1000)], &mut NopExternals);
    assert_eq!(result.unwrap(), Some(RuntimeValue::I64(500_500)));
    assert_eq!(instance.fuel(), 0);
}

#[test]
fn fuel_counts_wasm_operators_the_same_in_both_translation_modes() {
    let mut used = Vec::new();
    for translation in [Translation::Lazy, Translation::Eager] {
        let module = load(
            SPIN,
            Config::new().consume_fuel(true).translation(translation),
        );
        let instance = instance(&module);
        instance.set_fuel(1 << 40);
        let result = instance.invoke_export("sum", &[RuntimeValue::I32(1000)], &mut NopExternals);
        assert_eq!(result.unwrap(), Some(RuntimeValue::I64(500_500)));
        used.push((1 << 40) - instance.fuel());
    }
    // The cost model, counted by hand. Stretches start at the function's start, loop
    // heads, `else`s, loops' `end`s and the `end`s that branches reach, and pay for the
    // operators up to the next such point:
    // - the function's start: `block loop` (2), once;
    // - the loop's head: `local.get i32.eqz br_if local.get local.get i64.extend_i32_u
    //   i64.add local.set local.get i32.const i32.sub local.set br`, and the loop's `end`
    //   that follows the `br` (14), on each of the 1001 checks of `$n`;
    // - after the loop's `end` (never reached): the block's `end`;
    // - after the block's `end`, which `br_if $done` reaches: `local.get end` (2), once.
    assert_eq!(used[0], used[1]);
    assert_eq!(used[0], 2 + 14 * 1001 + 2, "fuel used: {}", used[0]);
}

#[test]
fn a_resumable_invocation_goes_on_after_fuel_is_added() {
    let module = load(SPIN, Config::new().consume_fuel(true));
    let instance = instance(&module);
    let Some(wasmite::ExternVal::Func(sum)) = instance.export_by_name("sum") else {
        panic!()
    };
    let args = [RuntimeValue::I32(100_000)];
    let mut invocation = FuncInstance::invoke_resumable(&sum, &args[..]).unwrap();
    instance.set_fuel(10_000);
    let mut result = invocation.start_execution(&mut NopExternals);
    let mut refills = 0;
    loop {
        match result {
            Ok(value) => {
                assert_eq!(value, Some(RuntimeValue::I64(5_000_050_000)));
                break;
            }
            Err(wasmite::ResumableError::Trap(trap)) => {
                assert!(is::<OutOfFuel>(&trap), "{trap:?}");
                assert!(invocation.is_resumable());
                refills += 1;
                instance.add_fuel(10_000);
                result = invocation.resume_execution(None, &mut NopExternals);
            }
            Err(other) => panic!("{other:?}"),
        }
    }
    assert!(refills > 100, "refilled {refills} times");
}

#[test]
fn another_thread_interrupts_a_running_loop_within_10_ms() {
    let module = load(SPIN, Config::new().interruptible(true));
    let instance = instance(&module);
    let handle = instance.interrupt_handle();
    let interrupter = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(100));
        handle.interrupt();
        Instant::now()
    });
    let trap = trap_of(instance.invoke_export("spin", &[], &mut NopExternals));
    let stopped = Instant::now();
    let raised = interrupter.join().unwrap();
    assert!(is::<Interrupted>(&trap), "{trap:?}");
    let delay = stopped.saturating_duration_since(raised);
    assert!(
        delay < Duration::from_millis(10),
        "stopped {delay:?} after the interrupt"
    );
    // The interrupt is spent: the next call runs.
    let result = instance.invoke_export("sum", &[RuntimeValue::I32(10)], &mut NopExternals);
    assert_eq!(result.unwrap(), Some(RuntimeValue::I64(55)));
}

/// Endless loops whose back edge is each kind of branch: `br`, `br_if`, a `br_table`, a
/// branch fused with a comparison, and one with a counter update.
const SPINS: &str = r#"(module
  (func (export "br") (loop (br 0)))
  (func (export "br_if") (param $x i32)
    (loop $l (local.set $x (i32.add (local.get $x) (i32.const 1))) (br_if $l (i32.const 1))))
  (func (export "br_table") (param $x i32)
    (loop $l (block $b (br_table $l $b $l (i32.and (local.get $x) (i32.const 2))))))
  (func (export "compare") (param $x i32)
    (loop $l (local.set $x (i32.add (local.get $x) (i32.const 3)))
      (br_if $l (i32.ne (local.get $x) (i32.const 1)))))
  (func (export "counter") (param $x i32)
    (loop $l (local.set $x (i32.add (local.get $x) (i32.const 2)))
      (br_if $l (i32.lt_u (local.get $x) (i32.const -1))))))"#;

#[test]
fn an_interrupt_stops_a_loop_whatever_branch_closes_it() {
    for translation in [Translation::Lazy, Translation::Eager] {
        let module = load(
            SPINS,
            Config::new().interruptible(true).translation(translation),
        );
        let instance = instance(&module);
        for name in ["br", "br_if", "br_table", "compare", "counter"] {
            let handle = instance.interrupt_handle();
            let interrupter = std::thread::spawn(move || {
                std::thread::sleep(Duration::from_millis(20));
                handle.interrupt();
            });
            let args: &[RuntimeValue] = match name {
                "br" => &[],
                _ => &[RuntimeValue::I32(0)],
            };
            let trap = trap_of(instance.invoke_export(name, args, &mut NopExternals));
            assert!(is::<Interrupted>(&trap), "{name}: {trap:?}");
            interrupter.join().unwrap();
        }
    }
}

#[test]
fn an_interrupted_computation_resumes_to_the_same_result() {
    let module = load(SPIN, Config::new().interruptible(true));
    let instance = instance(&module);
    let Some(wasmite::ExternVal::Func(sum)) = instance.export_by_name("sum") else {
        panic!()
    };
    let n: i32 = if cfg!(debug_assertions) {
        5_000_000
    } else {
        50_000_000
    };
    let expected = (1..=i64::from(n)).sum::<i64>();
    let handle = instance.interrupt_handle();
    let done = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let finished = done.clone();
    // Interrupts every millisecond until the computation is done.
    let interrupter = std::thread::spawn(move || {
        while !finished.load(std::sync::atomic::Ordering::Relaxed) {
            std::thread::sleep(Duration::from_millis(1));
            handle.interrupt();
        }
    });
    let args = [RuntimeValue::I32(n)];
    let mut invocation = FuncInstance::invoke_resumable(&sum, &args[..]).unwrap();
    let mut result = invocation.start_execution(&mut NopExternals);
    let mut stops = 0;
    let value = loop {
        match result {
            Ok(value) => break value,
            Err(wasmite::ResumableError::Trap(trap)) => {
                assert!(is::<Interrupted>(&trap), "{trap:?}");
                assert!(invocation.is_resumable());
                stops += 1;
                result = invocation.resume_execution(None, &mut NopExternals);
            }
            Err(other) => panic!("{other:?}"),
        }
    };
    done.store(true, std::sync::atomic::Ordering::Relaxed);
    interrupter.join().unwrap();
    assert_eq!(
        value,
        Some(RuntimeValue::I64(expected)),
        "after {stops} stops"
    );
    assert!(stops > 0, "the computation was never interrupted");
}

#[test]
fn a_deadline_stops_an_endless_loop() {
    let module = load(SPIN, Config::new().interruptible(true).consume_fuel(true));
    let instance = instance(&module);
    instance.set_fuel(u64::MAX);
    let start = Instant::now();
    let _deadline = instance
        .interrupt_handle()
        .interrupt_after(Duration::from_millis(50));
    let trap = trap_of(instance.invoke_export("spin", &[], &mut NopExternals));
    assert!(is::<Interrupted>(&trap), "{trap:?}");
    let elapsed = start.elapsed();
    assert!(
        elapsed >= Duration::from_millis(50) && elapsed < Duration::from_secs(2),
        "{elapsed:?}"
    );
}

#[test]
fn bulk_operations_pay_per_element_before_they_run() {
    let text = r#"(module (memory (export "mem") 1) (table 10 funcref)
      (func (export "fill") (param i32) (memory.fill (i32.const 0) (i32.const 7) (local.get 0)))
      (func (export "tfill") (param i32) (table.fill (i32.const 0) (ref.null func) (local.get 0))))"#;
    for translation in [Translation::Lazy, Translation::Eager] {
        let module = load(
            text,
            Config::new().consume_fuel(true).translation(translation),
        );
        let instance = instance(&module);
        let used = |name: &str, n: i32| {
            instance.set_fuel(1_000_000);
            instance
                .invoke_export(name, &[RuntimeValue::I32(n)], &mut NopExternals)
                .unwrap();
            1_000_000 - instance.fuel()
        };
        // `i32.const i32.const local.get memory.fill end`: 5, then 1 per byte.
        assert_eq!(used("fill", 0), 5);
        assert_eq!(used("fill", 1000), 1005);
        assert_eq!(used("tfill", 10), 15);
        // Not enough for the bytes: the fill does not run at all.
        instance.set_fuel(100);
        let trap = trap_of(instance.invoke_export(
            "fill",
            &[RuntimeValue::I32(60_000)],
            &mut NopExternals,
        ));
        assert!(is::<OutOfFuel>(&trap), "{trap:?}");
        let Some(wasmite::ExternVal::Memory(memory)) = instance.export_by_name("mem") else {
            panic!()
        };
        assert_eq!(
            memory.get_value::<u8>(50_000).unwrap(),
            0,
            "nothing was written"
        );
    }
}
