//! The engines under test behind one small interface: instantiate a program and call
//! its `run(i32) -> i64`, or time one load of a module.

use std::hint::black_box;
use std::time::{Duration, Instant};

use anyhow::{Context as _, Result, bail};
use wasmite::{
    Externals, FuncInstance, FuncRef, ImportsBuilder, ModuleImportResolver, ModuleInstance,
    ModuleRef, RuntimeArgs, RuntimeValue, Signature, StackRecycler, Trap, ValueType,
};

/// The module and name of the host function every engine provides.
const HOST_MODULE: &str = "env";
const HOST_MIX: &str = "mix";

/// The host function `env.mix: (i32) -> i32`, the same for every engine.
pub fn host_mix(x: i32) -> i32 {
    let x = x as u32;
    ((x ^ (x >> 15)).wrapping_mul(0x2c1b_3c6d) ^ 0x5bd1_e995) as i32
}

/// An engine configuration under test.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Engine {
    /// This workspace's interpreter as configured by default: validates eagerly,
    /// translates a function at its first call.
    Wasmite,
    /// This workspace's interpreter, translating every function when the module loads.
    WasmiteEager,
    /// This workspace's interpreter, validating and translating a function at its first
    /// call (`Translation::LazyValidation`, opt-in).
    WasmiteLazy,
    /// wasmi, translating every function when the module is created.
    WasmiEager,
    /// wasmi's default: validates eagerly, translates a function at its first call.
    WasmiLazyTranslation,
    /// wasmi, validating and translating a function at its first call.
    WasmiLazy,
    /// Wasmite's default with fuel metering on (an endless tank).
    WasmiteFuel,
    /// Wasmite's default with interruption checks on (never raised).
    WasmiteInterruptible,
    /// wasmi's default (lazy translation) with fuel metering on (an endless tank).
    WasmiFuel,
}

impl Engine {
    /// The name used in tables.
    pub fn label(self) -> &'static str {
        match self {
            Engine::Wasmite => "Wasmite",
            Engine::WasmiteEager => "Wasmite eager",
            Engine::WasmiteLazy => "Wasmite lazy",
            Engine::WasmiEager => "wasmi eager",
            Engine::WasmiLazyTranslation => "wasmi lazy-transl.",
            Engine::WasmiLazy => "wasmi lazy",
            Engine::WasmiteFuel => "Wasmite fuel",
            Engine::WasmiteInterruptible => "Wasmite interrupt",
            Engine::WasmiFuel => "wasmi fuel",
        }
    }

    fn kind(self) -> Kind {
        match self {
            Engine::Wasmite => Kind::Wasmite(wasmite::Translation::default(), Meter::Off),
            Engine::WasmiteEager => Kind::Wasmite(wasmite::Translation::Eager, Meter::Off),
            Engine::WasmiteLazy => Kind::Wasmite(wasmite::Translation::LazyValidation, Meter::Off),
            Engine::WasmiEager => Kind::Wasmi(wasmi::CompilationMode::Eager, false),
            Engine::WasmiLazyTranslation => {
                Kind::Wasmi(wasmi::CompilationMode::LazyTranslation, false)
            }
            Engine::WasmiLazy => Kind::Wasmi(wasmi::CompilationMode::Lazy, false),
            Engine::WasmiteFuel => Kind::Wasmite(wasmite::Translation::default(), Meter::Fuel),
            Engine::WasmiteInterruptible => {
                Kind::Wasmite(wasmite::Translation::default(), Meter::Interrupt)
            }
            Engine::WasmiFuel => Kind::Wasmi(wasmi::CompilationMode::LazyTranslation, true),
        }
    }
}

/// Which interpreter, in which mode (and for wasmi, whether fuel is on).
enum Kind {
    Wasmite(wasmite::Translation, Meter),
    Wasmi(wasmi::CompilationMode, bool),
}

/// What Wasmite's code checks as it runs.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Meter {
    Off,
    Fuel,
    Interrupt,
}

/// An instantiated benchmark program, ready to run.
pub trait Runner {
    /// Calls the program's `run(arg)`.
    fn run(&mut self, arg: i32) -> Result<i64>;
}

/// Instantiates `wasm` on `engine`, calls its `init` export if it has one, and returns
/// a handle on its `run` export.
pub fn instantiate(engine: Engine, wasm: &[u8]) -> Result<Box<dyn Runner>> {
    match engine.kind() {
        Kind::Wasmite(mode, meter) => Ok(Box::new(WasmiteRunner::new(mode, meter, wasm)?)),
        Kind::Wasmi(mode, fuel) => Ok(Box::new(WasmiRunner::new(mode, fuel, wasm)?)),
    }
}

/// How much of loading a startup case times.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Load {
    /// Decode, validate, translate (as far as the engine does it up front) and
    /// instantiate.
    Instantiate,
    /// Decode, validate and translate, without instantiating: for a module whose imports
    /// the bench does not provide (a WASI program).
    Compile,
}

/// Times one load of `wasm` on `engine`, as far as `load` says. Creating a wasmi
/// `Engine` and dropping everything afterwards are not timed.
pub fn time_load(engine: Engine, wasm: &[u8], load: Load) -> Result<Duration> {
    match engine.kind() {
        Kind::Wasmite(mode, meter) => {
            let start = Instant::now();
            let module = wasmite_module(mode, meter, black_box(wasm))?;
            let instance = match load {
                Load::Instantiate => Some(wasmite_instantiate(&module)?),
                Load::Compile => None,
            };
            let elapsed = start.elapsed();
            black_box((&module, &instance));
            Ok(elapsed)
        }
        Kind::Wasmi(mode, fuel) => {
            // wasmi keeps every function it translated until its `Engine` is dropped:
            // a fresh one per load keeps the runs independent.
            let wasmi_engine = wasmi_engine(mode, fuel);
            let linker = wasmi_linker(&wasmi_engine)?;
            let start = Instant::now();
            let module = wasmi::Module::new(&wasmi_engine, black_box(wasm))?;
            let mut store = wasmi::Store::new(&wasmi_engine, ());
            let instance = match load {
                Load::Instantiate => Some(linker.instantiate_and_start(&mut store, &module)?),
                Load::Compile => None,
            };
            let elapsed = start.elapsed();
            black_box((&module, &instance));
            Ok(elapsed)
        }
    }
}

/// Wasmite's host functions: index 0 is `env.mix`.
struct HostFunctions;

impl Externals for HostFunctions {
    fn invoke_index(
        &mut self,
        index: usize,
        args: RuntimeArgs<'_>,
    ) -> Result<Option<RuntimeValue>, Trap> {
        assert_eq!(index, 0, "only env.mix is provided");
        let x: i32 = args.nth_checked(0)?;
        Ok(Some(RuntimeValue::I32(host_mix(x))))
    }
}

/// Resolves Wasmite's `env` imports.
struct HostResolver;

impl ModuleImportResolver for HostResolver {
    fn resolve_func(&self, field: &str, signature: &Signature) -> Result<FuncRef, wasmite::Error> {
        let expected = Signature::new(&[ValueType::I32][..], Some(ValueType::I32));
        if field != HOST_MIX || *signature != expected {
            return Err(wasmite::Error::Instantiation(format!(
                "no host function {HOST_MODULE}.{field} with signature {signature:?}"
            )));
        }
        Ok(FuncInstance::alloc_host(expected, 0))
    }
}

/// The proposals of WebAssembly 2.0, SIMD included, which today's compilers use (SIMD
/// when asked for) and which wasmi 2 accepts (SIMD with its `simd` feature, on in this
/// crate), plus tail calls and exception handling (the Wasm 3.0 programs). Spelled out
/// rather than taken from `Features::default()`, so that the bench does not change when
/// the default does.
fn wasmite_features() -> wasmite::Features {
    wasmite::Features {
        sign_extension: true,
        saturating_float_to_int: true,
        multi_value: true,
        bulk_memory: true,
        reference_types: true,
        simd: true,
        tail_call: true,
        exceptions: true,
        ..wasmite::Features::mvp()
    }
}

fn wasmite_module(
    mode: wasmite::Translation,
    meter: Meter,
    wasm: &[u8],
) -> Result<wasmite::Module> {
    let config = wasmite::Config::new()
        .features(wasmite_features())
        .translation(mode)
        .consume_fuel(meter == Meter::Fuel)
        .interruptible(meter == Meter::Interrupt);
    Ok(wasmite::Module::from_buffer_with_config(wasm, &config)?)
}

fn wasmite_instantiate(module: &wasmite::Module) -> Result<ModuleRef> {
    let imports = ImportsBuilder::new().with_resolver(HOST_MODULE, &HostResolver);
    Ok(ModuleInstance::new(module, &imports)?.run_start(&mut HostFunctions)?)
}

fn wasmite_instance(mode: wasmite::Translation, meter: Meter, wasm: &[u8]) -> Result<ModuleRef> {
    let module = wasmite_module(mode, meter, wasm)?;
    let imports = ImportsBuilder::new().with_resolver(HOST_MODULE, &HostResolver);
    let not_started = ModuleInstance::new(&module, &imports)?;
    // An endless tank: the bench times the metering, not running out.
    not_started.not_started_instance().set_fuel(u64::MAX);
    Ok(not_started.run_start(&mut HostFunctions)?)
}

struct WasmiteRunner {
    /// A function refers to its instance weakly: the runner keeps the instance alive.
    _instance: ModuleRef,
    run: FuncRef,
    /// Reused by every call, as wasmi's store reuses its stacks.
    stack: StackRecycler,
}

impl WasmiteRunner {
    fn new(mode: wasmite::Translation, meter: Meter, wasm: &[u8]) -> Result<Self> {
        let instance = wasmite_instance(mode, meter, wasm)?;
        let mut stack = StackRecycler::default();
        if let Some(init) = instance.export_by_name("init") {
            let init = init.as_func().context("`init` is not a function")?;
            FuncInstance::invoke_with_stack(init, &[], &mut HostFunctions, &mut stack)?;
        }
        let run = instance
            .export_by_name("run")
            .and_then(|export| export.as_func().cloned())
            .context("no exported function `run`")?;
        Ok(WasmiteRunner {
            _instance: instance,
            run,
            stack,
        })
    }
}

impl Runner for WasmiteRunner {
    fn run(&mut self, arg: i32) -> Result<i64> {
        let result = FuncInstance::invoke_with_stack(
            &self.run,
            &[RuntimeValue::I32(arg)],
            &mut HostFunctions,
            &mut self.stack,
        )?;
        match result {
            Some(RuntimeValue::I64(value)) => Ok(value),
            other => bail!("`run` returned {other:?}, expected an i64"),
        }
    }
}

fn wasmi_engine(mode: wasmi::CompilationMode, fuel: bool) -> wasmi::Engine {
    let mut config = wasmi::Config::default();
    config.compilation_mode(mode);
    config.consume_fuel(fuel);
    wasmi::Engine::new(&config)
}

fn wasmi_linker(engine: &wasmi::Engine) -> Result<wasmi::Linker<()>> {
    let mut linker = wasmi::Linker::new(engine);
    linker.func_wrap(HOST_MODULE, HOST_MIX, host_mix)?;
    Ok(linker)
}

struct WasmiRunner {
    store: wasmi::Store<()>,
    run: wasmi::TypedFunc<i32, i64>,
}

impl WasmiRunner {
    fn new(mode: wasmi::CompilationMode, fuel: bool, wasm: &[u8]) -> Result<Self> {
        let engine = wasmi_engine(mode, fuel);
        let module = wasmi::Module::new(&engine, wasm)?;
        let mut store = wasmi::Store::new(&engine, ());
        if fuel {
            store.set_fuel(u64::MAX)?;
        }
        let instance = wasmi_linker(&engine)?.instantiate_and_start(&mut store, &module)?;
        if let Some(init) = instance.get_func(&store, "init") {
            init.typed::<(), ()>(&store)?.call(&mut store, ())?;
        }
        let run = instance.get_typed_func::<i32, i64>(&store, "run")?;
        Ok(WasmiRunner { store, run })
    }
}

impl Runner for WasmiRunner {
    fn run(&mut self, arg: i32) -> Result<i64> {
        Ok(self.run.call(&mut self.store, arg)?)
    }
}
