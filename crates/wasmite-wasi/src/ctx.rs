//! The state of one WASI guest: arguments, environment, descriptors, clocks, and the
//! builder an embedder configures it with.

use std::collections::BTreeMap;
use std::io;
use std::path::Path;
use std::time::{Duration, Instant};

use wasmite::MemoryRef;

use crate::abi::{Errno, FileType, rights};
use crate::host_fs::HostDir;
use crate::stdio::{Stdio, StdioFile, Stream};
use crate::vfs::{DirEntry, WasiDir, WasiFile};

/// The most descriptors a guest may hold open at once; more is `EMFILE`. It keeps a guest
/// from exhausting the host process's own descriptors.
pub const MAX_OPEN_DESCRIPTORS: usize = 1024;

/// What a descriptor refers to.
pub(crate) enum Handle {
    File {
        file: Box<dyn WasiFile>,
        /// `fdflags` (append, nonblock, sync...), as the guest set them.
        flags: u16,
    },
    Dir {
        dir: Box<dyn WasiDir>,
        /// The guest path of a preopened directory.
        preopen: Option<String>,
        /// The listing `fd_readdir` pages through (with `.` and `..`), taken when a read
        /// starts at cookie 0.
        listing: Option<Vec<DirEntry>>,
    },
}

/// An open descriptor: what it refers to and its rights.
pub(crate) struct Descriptor {
    pub(crate) handle: Handle,
    pub(crate) rights_base: u64,
    pub(crate) rights_inheriting: u64,
}

impl Descriptor {
    pub(crate) fn filetype(&self) -> FileType {
        match &self.handle {
            Handle::File { file, .. } => file.filetype(),
            Handle::Dir { .. } => FileType::Directory,
        }
    }
}

/// Configures a [`WasiCtx`]: arguments, environment, preopened directories, stdio.
///
/// By default the guest has no arguments, an empty environment, no directories, and the
/// host process's standard streams.
pub struct WasiCtxBuilder {
    args: Vec<String>,
    env: Vec<(String, String)>,
    preopens: Vec<(String, Box<dyn WasiDir>)>,
    stdio: [Stdio; 3],
    deadline: Option<Instant>,
}

impl WasiCtxBuilder {
    /// Adds one argument (the first is the program's name, by convention).
    #[must_use]
    pub fn arg(mut self, arg: impl Into<String>) -> Self {
        self.args.push(arg.into());
        self
    }

    /// Adds arguments.
    #[must_use]
    pub fn args<I: IntoIterator<Item = S>, S: Into<String>>(mut self, args: I) -> Self {
        self.args.extend(args.into_iter().map(Into::into));
        self
    }

    /// Adds the environment variable `key=value`.
    #[must_use]
    pub fn env(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.env.push((key.into(), value.into()));
        self
    }

    /// Preopens the host directory `host` as the guest's `guest` (for example `/` or `.`).
    /// The guest reaches what is below `host` and nothing else.
    pub fn preopen_dir(self, host: impl AsRef<Path>, guest: impl Into<String>) -> io::Result<Self> {
        Ok(self.preopen(HostDir::open_ambient(host)?, guest))
    }

    /// Preopens any directory: a [`MemFs`](crate::MemFs) directory, or an embedder's own.
    #[must_use]
    pub fn preopen(mut self, dir: impl WasiDir + 'static, guest: impl Into<String>) -> Self {
        self.preopens.push((guest.into(), Box::new(dir)));
        self
    }

    /// Sets the guest's standard input.
    #[must_use]
    pub fn stdin(mut self, stdio: Stdio) -> Self {
        self.stdio[0] = stdio;
        self
    }

    /// Sets the guest's standard output.
    #[must_use]
    pub fn stdout(mut self, stdio: Stdio) -> Self {
        self.stdio[1] = stdio;
        self
    }

    /// Sets the guest's standard error.
    #[must_use]
    pub fn stderr(mut self, stdio: Stdio) -> Self {
        self.stdio[2] = stdio;
        self
    }

    /// Ends the run with [`WasiError::DeadlineExceeded`](crate::error::WasiError::DeadlineExceeded)
    /// at the first WASI call after `deadline`, and never sleeps in `poll_oneoff` past it.
    /// (It stops a guest that waits or does I/O; a guest that only computes needs the
    /// engine's own interruption.)
    #[must_use]
    pub fn deadline(mut self, deadline: Instant) -> Self {
        self.deadline = Some(deadline);
        self
    }

    /// The context.
    pub fn build(self) -> WasiCtx {
        let mut fds = BTreeMap::new();
        let streams = [Stream::In, Stream::Out, Stream::Err];
        for (fd, (stream, stdio)) in streams.into_iter().zip(self.stdio).enumerate() {
            if let Some(file) = StdioFile::open(stream, stdio) {
                let tty = file.is_tty();
                let mut base = rights::FILE & !(rights::FD_SEEK | rights::FD_TELL);
                if tty {
                    base &= !(rights::FD_FILESTAT_SET_SIZE | rights::FD_ALLOCATE);
                }
                let handle = Handle::File {
                    file: Box::new(file),
                    flags: 0,
                };
                fds.insert(
                    fd as u32,
                    Descriptor {
                        handle,
                        rights_base: base,
                        rights_inheriting: 0,
                    },
                );
            }
        }
        for (i, (guest, dir)) in self.preopens.into_iter().enumerate() {
            let handle = Handle::Dir {
                dir,
                preopen: Some(guest),
                listing: None,
            };
            let descriptor = Descriptor {
                handle,
                rights_base: rights::PREOPEN_BASE,
                rights_inheriting: rights::PREOPEN_INHERITING,
            };
            fds.insert(3 + i as u32, descriptor);
        }
        WasiCtx {
            args: self.args,
            env: self.env,
            fds,
            start: Instant::now(),
            deadline: self.deadline,
            memory: None,
        }
    }
}

/// One WASI guest's state, and the host functions of `wasi_snapshot_preview1` as
/// [`Externals`](wasmite::Externals).
///
/// Resolve the module's imports with [`WasiImports`](crate::WasiImports), then call
/// [`attach`](Self::attach) with the instance before running it (or let
/// [`run_command`](Self::run_command) do all of it).
pub struct WasiCtx {
    pub(crate) args: Vec<String>,
    pub(crate) env: Vec<(String, String)>,
    pub(crate) fds: BTreeMap<u32, Descriptor>,
    pub(crate) start: Instant,
    pub(crate) deadline: Option<Instant>,
    pub(crate) memory: Option<MemoryRef>,
}

impl WasiCtx {
    /// A builder with the defaults.
    pub fn builder() -> WasiCtxBuilder {
        WasiCtxBuilder {
            args: Vec::new(),
            env: Vec::new(),
            preopens: Vec::new(),
            stdio: Default::default(),
            deadline: None,
        }
    }

    pub(crate) fn descriptor(&self, fd: u32) -> Result<&Descriptor, Errno> {
        self.fds.get(&fd).ok_or(Errno::BADF)
    }

    pub(crate) fn descriptor_mut(&mut self, fd: u32) -> Result<&mut Descriptor, Errno> {
        self.fds.get_mut(&fd).ok_or(Errno::BADF)
    }

    /// The file behind `fd` (`EBADF` for none, `EISDIR` for a directory).
    pub(crate) fn file(&mut self, fd: u32) -> Result<(&mut Box<dyn WasiFile>, u16), Errno> {
        match &mut self.descriptor_mut(fd)?.handle {
            Handle::File { file, flags } => Ok((file, *flags)),
            Handle::Dir { .. } => Err(Errno::ISDIR),
        }
    }

    /// The directory behind `fd` (`EBADF` for none, `ENOTDIR` for a file).
    pub(crate) fn dir(&self, fd: u32) -> Result<&dyn WasiDir, Errno> {
        match &self.descriptor(fd)?.handle {
            Handle::Dir { dir, .. } => Ok(&**dir),
            Handle::File { .. } => Err(Errno::NOTDIR),
        }
    }

    /// Adds a descriptor at the lowest free number from 3: a file the guest opens never
    /// takes the number of a standard stream it closed (`fd_renumber` does that on purpose).
    pub(crate) fn insert(&mut self, descriptor: Descriptor) -> Result<u32, Errno> {
        if self.fds.len() >= MAX_OPEN_DESCRIPTORS {
            return Err(Errno::MFILE);
        }
        let mut fd = 3;
        for &used in self.fds.range(3..).map(|(fd, _)| fd) {
            if used != fd {
                break;
            }
            fd += 1;
        }
        self.fds.insert(fd, descriptor);
        Ok(fd)
    }

    /// The time left before the deadline (`None`: no deadline), or the deadline's error.
    pub(crate) fn time_left(&self) -> Result<Option<Duration>, crate::error::WasiError> {
        match self.deadline {
            None => Ok(None),
            Some(deadline) => match deadline.checked_duration_since(Instant::now()) {
                Some(left) if !left.is_zero() => Ok(Some(left)),
                _ => Err(crate::error::WasiError::DeadlineExceeded),
            },
        }
    }
}
