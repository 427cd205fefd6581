//! WASI preview 1 (`wasi_snapshot_preview1`) for [Wasmite](wasmite): the host functions a
//! WASI program imports, with a sandboxed filesystem, so that programs compiled for
//! `wasm32-wasip1` run.
//!
//! ```no_run
//! use wasmite::Module;
//! use wasmite_wasi::{WasiCtx, Stdio, OutputBuffer};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let module = Module::from_buffer(std::fs::read("program.wasm")?)?;
//! let stdout = OutputBuffer::new();
//! let mut wasi = WasiCtx::builder()
//!     .args(["program.wasm", "input.txt"])
//!     .env("LANG", "C")
//!     .preopen_dir("./data", "/")?          // the guest sees ./data as /
//!     .stdout(Stdio::Capture(stdout.clone()))
//!     .build();
//! let exit_code = wasi.run_command(&module)?;  // instantiates, runs `_start`
//! println!("exit {exit_code}: {}", String::from_utf8_lossy(&stdout.contents()));
//! # Ok(()) }
//! ```
//!
//! To combine WASI with other imports, add [`WasiImports`] to an
//! [`ImportsBuilder`] under [`MODULE_NAME`], instantiate, call
//! [`WasiCtx::attach`], and run with the context as the [`Externals`]
//! (or forward to its `invoke_index` from your own).
//!
//! **Sandbox.** The guest reaches the host's filesystem only below the directories the
//! embedder preopens, each held as a `cap-std` directory handle: `..`, absolute paths and
//! symbolic links cannot lead out of it. Every pointer and length from the guest is
//! checked (`EFAULT`), captured output has a size limit, and the guest holds at most
//! [`MAX_OPEN_DESCRIPTORS`] descriptors. The [`vfs`] traits let an embedder replace the
//! host's filesystem ([`MemFs`] keeps one in memory).
#![deny(missing_docs)]

pub mod abi;
mod calls;
mod ctx;
mod error;
mod host_fs;
mod mem_fs;
mod memory;
mod stdio;
pub mod vfs;

use wasmite::{
    Error, ExternVal, Externals, FuncInstance, FuncRef, ImportResolver, ImportsBuilder, Limiter,
    Module, ModuleImportResolver, ModuleInstance, ModuleRef, RuntimeArgs, RuntimeValue, Signature,
    StackRecycler, Trap,
};

pub use abi::{Errno, FileType};
pub use ctx::{MAX_OPEN_DESCRIPTORS, WasiCtx, WasiCtxBuilder};
pub use error::{ProcExit, WasiError};
pub use host_fs::{HostDir, HostFile};
pub use mem_fs::MemFs;
pub use stdio::{OutputBuffer, Stdio};
pub use vfs::{Filestat, WasiDir, WasiFile};

use calls::Func;
use memory::GuestMemory;

/// The import module name of WASI preview 1.
pub const MODULE_NAME: &str = "wasi_snapshot_preview1";

/// The exit code carried by an error or trap that ended a run through `proc_exit`.
pub fn exit_code(error: &Error) -> Option<u32> {
    error
        .as_host_error()?
        .downcast_ref::<ProcExit>()
        .map(|e| e.0)
}

/// Resolves the imports of [`MODULE_NAME`]: each to a host function whose index
/// [`WasiCtx`]'s `invoke_index` understands.
#[derive(Debug, Clone, Copy, Default)]
pub struct WasiImports;

impl WasiImports {
    /// The functions of preview 1 it resolves, with their signatures, in host function
    /// index order.
    pub fn functions() -> impl Iterator<Item = (&'static str, Signature)> {
        Func::ALL.iter().map(|f| (f.name(), f.signature()))
    }
}

fn describe(signature: &Signature) -> String {
    format!("{:?} -> {:?}", signature.params(), signature.return_type())
}

impl ModuleImportResolver for WasiImports {
    fn resolve_func(&self, field: &str, signature: &Signature) -> Result<FuncRef, Error> {
        let Some(index) = Func::ALL.iter().position(|f| f.name() == field) else {
            return Err(Error::Instantiation(
                WasiError::UnknownFunction(field.into()).to_string(),
            ));
        };
        let expected = Func::ALL[index].signature();
        if *signature != expected {
            let error = WasiError::WrongSignature {
                name: field.into(),
                expected: describe(&expected),
                found: describe(signature),
            };
            return Err(Error::Instantiation(error.to_string()));
        }
        Ok(FuncInstance::alloc_host(expected, index))
    }
}

impl WasiCtx {
    /// Lets the host functions reach `instance`'s exported memory `memory`.
    pub fn attach(&mut self, instance: &ModuleRef) {
        self.memory = match instance.export_by_name("memory") {
            Some(ExternVal::Memory(memory)) => Some(memory),
            _ => None,
        };
    }

    /// Runs a WASI command: instantiates `module` with WASI as its only import module, runs
    /// its start function and its `_start` export, and returns the exit code (0 when
    /// `_start` returns, else the code given to `proc_exit`).
    ///
    /// Errors: instantiation (a missing import names it), a trap (other than `proc_exit`),
    /// or a module without `_start` (`Error::Function`).
    pub fn run_command(&mut self, module: &Module) -> Result<u32, Error> {
        let imports = ImportsBuilder::new().with_resolver(MODULE_NAME, &WasiImports);
        let mut stack = StackRecycler::default();
        run_command_with(module, &imports, None, &|_| {}, self, |ctx| ctx, &mut stack)
    }
}

/// Runs a WASI command whose imports `resolver` resolves (WASI's through [`WasiImports`])
/// and `externals` serves, giving WASI's host function indexes to the [`WasiCtx`] that
/// `wasi` finds in it. The instance is created under `limiter`, if any, and `setup` sees
/// it before anything runs (to give it fuel, take its interrupt handle...). The start
/// function and `_start` run on `stack`, which keeps the Wasm backtrace of a trap
/// ([`StackRecycler::backtrace`]). Returns as [`WasiCtx::run_command`] does.
pub fn run_command_with<R: ImportResolver, E: Externals>(
    module: &Module,
    resolver: &R,
    limiter: Option<&Limiter>,
    setup: &dyn Fn(&ModuleRef),
    externals: &mut E,
    wasi: fn(&mut E) -> &mut WasiCtx,
    stack: &mut StackRecycler,
) -> Result<u32, Error> {
    let not_started = ModuleInstance::new_with_limiter(module, resolver, limiter)?;
    setup(not_started.not_started_instance());
    wasi(externals).attach(not_started.not_started_instance());
    let finish = |result: Result<(), Error>| match result {
        Ok(()) => Ok(0),
        Err(error) => exit_code(&error).ok_or(error),
    };
    let instance = match not_started.run_start_with_stack(externals, stack) {
        Ok(instance) => instance,
        Err(trap) => return finish(Err(trap.into())),
    };
    if !matches!(instance.export_by_name("_start"), Some(ExternVal::Func(_))) {
        return Err(Error::Function(
            "the module exports no function `_start`".into(),
        ));
    }
    finish(
        instance
            .invoke_export_with_stack("_start", &[], externals, stack)
            .map(drop),
    )
}

impl Externals for WasiCtx {
    fn invoke_index(
        &mut self,
        index: usize,
        args: RuntimeArgs<'_>,
    ) -> Result<Option<RuntimeValue>, Trap> {
        let func = *Func::ALL
            .get(index)
            .ok_or_else(|| Trap::host(WasiError::UnknownFunction(index.to_string())))?;
        self.time_left().map_err(Trap::host)?;
        match self.memory.clone() {
            Some(memory) => memory.with_direct_access_mut(|bytes| {
                self.dispatch(func, args, &mut GuestMemory::new(bytes))
            }),
            None => self.dispatch(func, args, &mut GuestMemory::new(&mut [])),
        }
    }
}
