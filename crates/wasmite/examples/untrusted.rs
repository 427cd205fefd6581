//! Running code you do not trust: fuel, a resource limiter, and an interrupt.
//!
//! ```sh
//! cargo run --release -p wasmite --example untrusted
//! ```

use std::time::Duration;

use wasmite::{
    Config, Error, ImportsBuilder, Interrupted, Limiter, Module, ModuleInstance, NopExternals,
    OutOfFuel, RuntimeValue, StoreLimits,
};

/// A "plugin" that misbehaves in three ways.
const PLUGIN: &str = r#"(module
  (memory 1)
  (func (export "spin") (loop (br 0)))
  (func (export "hog") (result i32) (memory.grow (i32.const 1000)))
  (func (export "work") (param $n i32) (result i32)
    (loop $more
      (local.set $n (i32.sub (local.get $n) (i32.const 1)))
      (br_if $more (local.get $n)))
    (i32.const 42)))"#;

fn main() -> Result<(), Error> {
    // Metered and interruptible code: checks are compiled in only when asked for.
    let config = Config::new().consume_fuel(true).interruptible(true);
    let module = Module::from_buffer_with_config(PLUGIN, &config)?;
    // At most 16 pages (1 MiB) per memory: `memory.grow` past it returns -1.
    let limiter = Limiter::new(StoreLimits::new().memory_size(16 << 16).instances(10));
    let plugin =
        ModuleInstance::new_with_limiter(&module, &ImportsBuilder::default(), Some(&limiter))?
            .assert_no_start();

    // 1. Fuel: an endless loop stops when its fuel runs out.
    plugin.set_fuel(1_000_000);
    match plugin.invoke_export("spin", &[], &mut NopExternals) {
        Err(Error::Trap(trap)) if trap.as_host().is_some_and(|e| e.is::<OutOfFuel>()) => {
            println!("spin: stopped, {trap}");
        }
        other => println!("spin: unexpected {other:?}"),
    }

    // 2. The limiter: growing past the cap is refused, as the spec's -1.
    plugin.set_fuel(1_000);
    let grown = plugin.invoke_export("hog", &[], &mut NopExternals)?;
    println!("hog: memory.grow(1000) returned {grown:?}");

    // 3. An interrupt: a wall-clock budget for a call (another thread could call
    //    `interrupt()` on the handle just as well).
    plugin.set_fuel(u64::MAX);
    let deadline = plugin
        .interrupt_handle()
        .interrupt_after(Duration::from_millis(100));
    match plugin.invoke_export("spin", &[], &mut NopExternals) {
        Err(Error::Trap(trap)) if trap.as_host().is_some_and(|e| e.is::<Interrupted>()) => {
            println!("spin: stopped after 100 ms, {trap}");
        }
        other => println!("spin: unexpected {other:?}"),
    }
    drop(deadline);

    // Well-behaved work runs to the end, and the fuel it used is known.
    plugin.set_fuel(1_000_000);
    let result = plugin.invoke_export("work", &[RuntimeValue::I32(1000)], &mut NopExternals)?;
    println!("work: {result:?}, fuel used {}", 1_000_000 - plugin.fuel());
    Ok(())
}
