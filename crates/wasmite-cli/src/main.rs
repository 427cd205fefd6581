//! `wasmite`: runs WASI programs and Wasm modules from the shell, with the conventions of
//! `wasmtime run`; validates modules; runs spec scripts.
//!
//! Exit status: a WASI program's own exit code; 1 for an error before the program runs
//! (file missing, not Wasm, invalid, an import missing); 134 for a trap, as a process that
//! aborts (and as `wasmtime run` does).

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context, Result, anyhow, bail};
use clap::{Args, Parser, Subcommand};
use std::cell::RefCell;
use std::fmt;

use wasmite::{
    Config, Error, ExternVal, Externals, Features, FuncInstance, FuncRef, GlobalDescriptor,
    GlobalRef, HostError, ImportResolver, Interrupted, Limiter, MemoryDescriptor, MemoryRef,
    Module, ModuleImportResolver, ModuleInstance, ModuleRef, OutOfFuel, RuntimeArgs, RuntimeValue,
    Signature, StackRecycler, StoreLimits, TableDescriptor, TableRef, Trap, ValueType,
};
use wasmite_wasi::{MODULE_NAME, WasiCtx, WasiImports};

/// The exit status of a run that trapped.
const TRAP_STATUS: u8 = 134;

#[derive(Parser)]
#[command(
    name = "wasmite",
    version,
    about = "A WebAssembly interpreter: run, validate, test."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Runs a WASI command (its `_start`), or with `--invoke` a function of any module.
    Run(RunArgs),
    /// Decodes and validates a module; prints the first error with its byte offset.
    Validate {
        /// The module (binary `.wasm` or text `.wat`).
        file: PathBuf,
    },
    /// Runs WebAssembly spec scripts (`.wast`) and prints a summary per file.
    Wast {
        /// The scripts.
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
}

#[derive(Args)]
struct RunArgs {
    /// Preopens the host directory HOST for the guest, as GUEST (default: as HOST).
    #[arg(long = "dir", value_name = "HOST[::GUEST]")]
    dirs: Vec<String>,
    /// Sets the guest's environment variable K to V (the guest's environment is only these).
    #[arg(long = "env", value_name = "K=V")]
    envs: Vec<String>,
    /// Calls this export instead of `_start`, with the arguments after FILE as its parameters.
    #[arg(long, value_name = "NAME")]
    invoke: Option<String>,
    /// Lets functions imported from modules other than WASI link, and trap when called.
    #[arg(long)]
    trap_unknown_imports: bool,
    /// Caps each linear memory at this many bytes (`memory.grow` past it returns -1).
    #[arg(long, value_name = "BYTES")]
    max_memory: Option<usize>,
    /// Caps each table at this many elements (`table.grow` past it returns -1).
    #[arg(long, value_name = "N")]
    max_table_elements: Option<u32>,
    /// Gives the program N units of fuel (one per Wasm operator) and stops it when they
    /// run out.
    #[arg(long, value_name = "N")]
    fuel: Option<u64>,
    /// Stops the program after this much wall-clock time (e.g. 500ms, 2s, 1m; a bare
    /// number is seconds).
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    timeout: Option<Duration>,
    /// The module (binary `.wasm` or text `.wat`).
    file: PathBuf,
    /// The program's arguments (or the function's, with `--invoke`).
    #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
    args: Vec<String>,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Run(args) => run(args),
        Command::Validate { file } => validate(&file),
        Command::Wast { files } => wast(&files),
    };
    match result {
        Ok(code) => code,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}

/// The module's bytes (`.wat` text is converted), with a one-line error otherwise.
fn read_module_bytes(file: &Path) -> Result<Vec<u8>> {
    let bytes = std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))?;
    if bytes.starts_with(b"\0asm") {
        return Ok(bytes);
    }
    wat::parse_bytes(&bytes)
        .map(|b| b.into_owned())
        .map_err(|e| {
            anyhow!(
                "{} is neither a Wasm binary nor valid Wasm text: {e}",
                file.display()
            )
        })
}

fn load(file: &Path, config: &Config) -> Result<Module> {
    let bytes = read_module_bytes(file)?;
    Module::from_buffer_with_config(&bytes, config)
        .map_err(|e| anyhow!("{}: {}", file.display(), error_text(&e)))
}

/// A duration given as `500ms`, `2s`, `1m`, or a bare number of seconds.
fn parse_duration(text: &str) -> Result<Duration, String> {
    let (number, unit) = match text.find(|c: char| !(c.is_ascii_digit() || c == '.')) {
        Some(at) => text.split_at(at),
        None => (text, "s"),
    };
    let value: f64 = number
        .parse()
        .map_err(|_| format!("`{text}` is not a duration"))?;
    let seconds = match unit {
        "ms" => value / 1000.0,
        "s" => value,
        "m" => value * 60.0,
        _ => return Err(format!("`{text}`: the unit must be ms, s or m")),
    };
    Duration::try_from_secs_f64(seconds).map_err(|e| format!("`{text}`: {e}"))
}

/// An error's message without the seed's `Display` prefixes.
fn error_text(error: &Error) -> String {
    match error {
        Error::Validation(m) | Error::Instantiation(m) | Error::Function(m) => m.clone(),
        Error::Trap(trap) => format!("wasm trap: {trap}"),
        other => other.to_string(),
    }
}

fn run(args: RunArgs) -> Result<ExitCode> {
    let config = Config::new()
        .features(Features::all())
        .consume_fuel(args.fuel.is_some())
        .interruptible(args.timeout.is_some());
    let module = load(&args.file, &config)?;
    let mut builder = WasiCtx::builder();
    for var in &args.envs {
        let (key, value) = var
            .split_once('=')
            .with_context(|| format!("--env {var}: expected K=V"))?;
        builder = builder.env(key, value);
    }
    for dir in &args.dirs {
        let (host, guest) = dir.split_once("::").unwrap_or((dir, dir));
        builder = builder
            .preopen_dir(host, guest)
            .with_context(|| format!("--dir {dir}: cannot open the directory {host}"))?;
    }
    let program = args.file.display().to_string();
    let wasi = match &args.invoke {
        Some(_) => builder.arg(program).build(),
        None => builder.arg(program).args(args.args.iter().cloned()).build(),
    };
    let imports = Imports {
        trap_unknown: args.trap_unknown_imports,
        stubs: RefCell::default(),
    };
    let mut limits = StoreLimits::new();
    if let Some(bytes) = args.max_memory {
        limits = limits.memory_size(bytes);
    }
    if let Some(n) = args.max_table_elements {
        limits = limits.table_elements(n);
    }
    let limiter = Limiter::new(limits);
    // Fuel and the deadline are set on the instance before anything runs; the deadline
    // lives as long as the run.
    let deadline = RefCell::new(None);
    let setup = |instance: &ModuleRef| {
        if let Some(fuel) = args.fuel {
            instance.set_fuel(fuel);
        }
        if let Some(timeout) = args.timeout {
            *deadline.borrow_mut() = Some(instance.interrupt_handle().interrupt_after(timeout));
        }
    };
    let mut host = Host {
        wasi,
        stubs: &imports.stubs,
    };
    let mut stack = StackRecycler::default();
    let outcome = match &args.invoke {
        None => wasmite_wasi::run_command_with(
            &module,
            &imports,
            Some(&limiter),
            &setup,
            &mut host,
            |h| &mut h.wasi,
            &mut stack,
        ),
        Some(name) => {
            let run = Run {
                module: &module,
                imports: &imports,
                limiter: &limiter,
                setup: &setup,
                stack: &mut stack,
            };
            invoke(run, &mut host, name, &args.args)
        }
    };
    match outcome {
        Ok(code) => Ok(exit_status(code)),
        Err(Error::Trap(trap)) => {
            let host = trap.as_host();
            if host.is_some_and(|e| e.downcast_ref::<OutOfFuel>().is_some()) {
                let fuel = args.fuel.unwrap_or_default();
                eprintln!("error: out of fuel: the program used all {fuel} units of --fuel");
            } else if host.is_some_and(|e| e.downcast_ref::<Interrupted>().is_some()) {
                let timeout = args.timeout.unwrap_or_default();
                eprintln!("error: timed out: the program ran past --timeout {timeout:?}");
            } else {
                eprintln!("error: wasm trap: {trap}");
                if let Some(backtrace) = stack.backtrace() {
                    eprintln!("{backtrace}");
                }
            }
            Ok(ExitCode::from(TRAP_STATUS))
        }
        Err(error) => bail!("{}: {}", args.file.display(), error_text(&error)),
    }
}

/// The process status for a WASI exit code (an exit code over 255 keeps its low byte, as
/// on POSIX, but never becomes 0).
fn exit_status(code: u32) -> ExitCode {
    match u8::try_from(code) {
        Ok(code) => ExitCode::from(code),
        Err(_) => ExitCode::from(((code & 0xff) as u8).max(1)),
    }
}

/// What a run of a module needs besides its host: the module, its imports, the limits and
/// set-up of its instance, and the stacks it runs on (which keep a trap's backtrace).
struct Run<'a> {
    module: &'a Module,
    imports: &'a Imports,
    limiter: &'a Limiter,
    setup: &'a dyn Fn(&ModuleRef),
    stack: &'a mut StackRecycler,
}

/// Calls export `name` with `args` parsed as its parameters, prints its results one per line.
fn invoke(run: Run<'_>, host: &mut Host<'_>, name: &str, args: &[String]) -> Result<u32, Error> {
    let not_started = ModuleInstance::new_with_limiter(run.module, run.imports, Some(run.limiter))?;
    (run.setup)(not_started.not_started_instance());
    host.wasi.attach(not_started.not_started_instance());
    let instance = not_started
        .run_start_with_stack(host, run.stack)
        .map_err(Error::Trap)?;
    let func: FuncRef = match instance.export_by_name(name) {
        Some(ExternVal::Func(func)) => func,
        _ => {
            return Err(Error::Function(format!(
                "the module exports no function `{name}`"
            )));
        }
    };
    let params = func.signature().params();
    if params.len() != args.len() {
        return Err(Error::Function(format!(
            "`{name}` takes {} arguments, {} given",
            params.len(),
            args.len()
        )));
    }
    let values = params
        .iter()
        .zip(args)
        .map(|(ty, text)| parse_value(*ty, text))
        .collect::<Result<Vec<_>, _>>()?;
    match instance.invoke_export_with_stack(name, &values, host, run.stack) {
        Ok(Some(value)) => println!("{}", show(value)),
        Ok(None) => {}
        Err(error) => return wasmite_wasi::exit_code(&error).ok_or(error),
    }
    Ok(0)
}

fn parse_value(ty: ValueType, text: &str) -> Result<RuntimeValue, Error> {
    let name = format!("{ty:?}").to_lowercase();
    let bad = || Error::Function(format!("`{text}` is not a valid {name} argument"));
    Ok(match ty {
        ValueType::I32 => RuntimeValue::I32(
            text.parse::<i32>()
                .or_else(|_| text.parse::<u32>().map(|u| u as i32))
                .map_err(|_| bad())?,
        ),
        ValueType::I64 => RuntimeValue::I64(
            text.parse::<i64>()
                .or_else(|_| text.parse::<u64>().map(|u| u as i64))
                .map_err(|_| bad())?,
        ),
        ValueType::F32 => RuntimeValue::F32(text.parse::<f32>().map_err(|_| bad())?.into()),
        ValueType::F64 => RuntimeValue::F64(text.parse::<f64>().map_err(|_| bad())?.into()),
    })
}

fn show(value: RuntimeValue) -> String {
    match value {
        RuntimeValue::I32(v) => v.to_string(),
        RuntimeValue::I64(v) => v.to_string(),
        RuntimeValue::F32(v) => f32::from(v).to_string(),
        RuntimeValue::F64(v) => f64::from(v).to_string(),
    }
}

fn validate(file: &Path) -> Result<ExitCode> {
    let bytes = read_module_bytes(file)?;
    match wasm_validate::validate_bytes(&bytes, &Features::all()) {
        Ok(_) => {
            println!("{}: valid", file.display());
            Ok(ExitCode::SUCCESS)
        }
        Err(error) => bail!("{}: {error}", file.display()),
    }
}

fn wast(files: &[PathBuf]) -> Result<ExitCode> {
    let (mut passed, mut failed) = (0, 0);
    for file in files {
        let text = std::fs::read_to_string(file)
            .with_context(|| format!("cannot read {}", file.display()))?;
        let report = spec_tests::run_wast(&file.display().to_string(), &text);
        for failure in &report.failures {
            println!("  {failure}");
        }
        println!(
            "{}: {} passed, {} failed",
            report.name, report.passed, report.failed
        );
        passed += report.passed;
        failed += report.failed + report.skipped;
    }
    println!("wast: {passed} passed, {failed} failed");
    Ok(if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// Host function indexes from here on are imports that `--trap-unknown-imports` let link.
const STUB_BASE: usize = 1 << 24;

/// The CLI's imports: WASI, and with `--trap-unknown-imports` a trapping function for any
/// other imported function (recorded in `stubs`, in index order).
struct Imports {
    trap_unknown: bool,
    stubs: RefCell<Vec<String>>,
}

impl ImportResolver for Imports {
    fn resolve_func(
        &self,
        module: &str,
        field: &str,
        signature: &Signature,
    ) -> Result<FuncRef, Error> {
        if module == MODULE_NAME {
            return WasiImports.resolve_func(field, signature);
        }
        if !self.trap_unknown {
            return Err(unknown(module, field));
        }
        let mut stubs = self.stubs.borrow_mut();
        stubs.push(format!("{module}::{field}"));
        Ok(FuncInstance::alloc_host(
            signature.clone(),
            STUB_BASE + stubs.len() - 1,
        ))
    }

    fn resolve_global(
        &self,
        module: &str,
        field: &str,
        _: &GlobalDescriptor,
    ) -> Result<GlobalRef, Error> {
        Err(unknown(module, field))
    }

    fn resolve_memory(
        &self,
        module: &str,
        field: &str,
        _: &MemoryDescriptor,
    ) -> Result<MemoryRef, Error> {
        Err(unknown(module, field))
    }

    fn resolve_table(
        &self,
        module: &str,
        field: &str,
        _: &TableDescriptor,
    ) -> Result<TableRef, Error> {
        Err(unknown(module, field))
    }
}

fn unknown(module: &str, field: &str) -> Error {
    let hint = if module == MODULE_NAME {
        ""
    } else {
        " (--trap-unknown-imports lets a function link)"
    };
    Error::Instantiation(format!("unknown import {module}::{field}{hint}"))
}

/// A call of an import that `--trap-unknown-imports` let link.
#[derive(Debug)]
struct UnknownImportCalled(String);

impl fmt::Display for UnknownImportCalled {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "the unknown import {} was called", self.0)
    }
}

impl HostError for UnknownImportCalled {}

/// The host functions of a run: WASI's, then the trapping stand-ins.
struct Host<'a> {
    wasi: WasiCtx,
    stubs: &'a RefCell<Vec<String>>,
}

impl Externals for Host<'_> {
    fn invoke_index(
        &mut self,
        index: usize,
        args: RuntimeArgs<'_>,
    ) -> Result<Option<RuntimeValue>, Trap> {
        match index.checked_sub(STUB_BASE) {
            None => self.wasi.invoke_index(index, args),
            Some(stub) => {
                let name = self.stubs.borrow().get(stub).cloned().unwrap_or_default();
                Err(Trap::host(UnknownImportCalled(name)))
            }
        }
    }
}
