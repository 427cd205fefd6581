//! The host functions of `wasi_snapshot_preview1`, listed once in [`wasi_functions!`]: the
//! list gives each function's name and Wasm signature, from which the import resolver and
//! the dispatcher are generated; the bodies follow as methods of [`WasiCtx`].
//!
//! Every body returns `Result<(), Failure>`: `Ok` and `Err(Failure::Errno)` become the
//! function's `errno` result; `Err(Failure::Trap)` ends the run (`proc_exit`, a deadline).

// The bodies take the parameters preview 1 gives each function, however many.
#![allow(clippy::too_many_arguments)]

use std::io::SeekFrom;
use std::time::{Duration, Instant, SystemTime};

use wasmite::{RuntimeArgs, RuntimeValue, Signature, Trap, ValueType};

use crate::abi::{
    Errno, FileType, LOOKUP_SYMLINK_FOLLOW, SUBCLOCK_ABSTIME, clockid, eventtype, fdflags,
    fstflags, layout, oflags, rights, whence,
};
use crate::ctx::{Descriptor, Handle, WasiCtx};
use crate::error::{ProcExit, WasiError};
use crate::memory::GuestMemory;
use crate::vfs::{DirEntry, OpenOptions, Opened, SetTime, unix_nanos};

/// Why a host function did not succeed.
pub(crate) enum Failure {
    /// An error code for the guest.
    Errno(Errno),
    /// The end of the run.
    Trap(Trap),
}

impl From<Errno> for Failure {
    fn from(errno: Errno) -> Self {
        Failure::Errno(errno)
    }
}

impl From<WasiError> for Failure {
    fn from(error: WasiError) -> Self {
        Failure::Trap(Trap::host(error))
    }
}

type Outcome = Result<(), Failure>;

/// Reads argument `$i` of `$args` as the Rust type of a WASI parameter.
macro_rules! arg {
    ($args:ident, $i:expr, I32) => {
        $args.nth_checked::<u32>($i)?
    };
    ($args:ident, $i:expr, I64) => {
        $args.nth_checked::<u64>($i)?
    };
}

macro_rules! wasi_functions {
    ($($name:ident($($arg:ident: $ty:ident),*) $(-> $errno:ident)?;)*) => {
        /// A function of `wasi_snapshot_preview1`; its number is its host function index.
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        #[allow(non_camel_case_types)]
        pub(crate) enum Func {
            $($name,)*
        }

        impl Func {
            /// Every function, in index order.
            pub(crate) const ALL: &[Func] = &[$(Func::$name),*];

            /// The function's import name.
            pub(crate) fn name(self) -> &'static str {
                match self {
                    $(Func::$name => stringify!($name),)*
                }
            }

            /// The function's Wasm signature.
            pub(crate) fn signature(self) -> Signature {
                match self {
                    $(Func::$name => Signature::new(
                        &[$(ValueType::$ty),*][..],
                        wasi_functions!(@result $($errno)?),
                    ),)*
                }
            }
        }

        impl WasiCtx {
            /// Runs `func` with `args` on `memory`.
            pub(crate) fn dispatch(
                &mut self,
                func: Func,
                args: RuntimeArgs<'_>,
                memory: &mut GuestMemory<'_>,
            ) -> Result<Option<RuntimeValue>, Trap> {
                let outcome = match func {
                    $(Func::$name => {
                        let mut _i = 0;
                        $(let $arg = arg!(args, _i, $ty); _i += 1;)*
                        self.$name(memory, $($arg),*)
                    })*
                };
                match outcome {
                    Ok(()) => Ok(Some(RuntimeValue::I32(0))),
                    Err(Failure::Errno(errno)) => Ok(Some(RuntimeValue::I32(i32::from(errno.raw())))),
                    Err(Failure::Trap(trap)) => Err(trap),
                }
            }
        }
    };
    (@result errno) => { Some(ValueType::I32) };
    (@result) => { None };
}

wasi_functions! {
    args_get(argv: I32, argv_buf: I32) -> errno;
    args_sizes_get(argc: I32, argv_buf_size: I32) -> errno;
    environ_get(environ: I32, environ_buf: I32) -> errno;
    environ_sizes_get(count: I32, buf_size: I32) -> errno;
    clock_res_get(id: I32, resolution: I32) -> errno;
    clock_time_get(id: I32, precision: I64, time: I32) -> errno;
    fd_advise(fd: I32, offset: I64, len: I64, advice: I32) -> errno;
    fd_allocate(fd: I32, offset: I64, len: I64) -> errno;
    fd_close(fd: I32) -> errno;
    fd_datasync(fd: I32) -> errno;
    fd_fdstat_get(fd: I32, stat: I32) -> errno;
    fd_fdstat_set_flags(fd: I32, flags: I32) -> errno;
    fd_fdstat_set_rights(fd: I32, base: I64, inheriting: I64) -> errno;
    fd_filestat_get(fd: I32, stat: I32) -> errno;
    fd_filestat_set_size(fd: I32, size: I64) -> errno;
    fd_filestat_set_times(fd: I32, atim: I64, mtim: I64, flags: I32) -> errno;
    fd_pread(fd: I32, iovs: I32, iovs_len: I32, offset: I64, nread: I32) -> errno;
    fd_prestat_get(fd: I32, prestat: I32) -> errno;
    fd_prestat_dir_name(fd: I32, path: I32, path_len: I32) -> errno;
    fd_pwrite(fd: I32, iovs: I32, iovs_len: I32, offset: I64, nwritten: I32) -> errno;
    fd_read(fd: I32, iovs: I32, iovs_len: I32, nread: I32) -> errno;
    fd_readdir(fd: I32, buf: I32, buf_len: I32, cookie: I64, bufused: I32) -> errno;
    fd_renumber(fd: I32, to: I32) -> errno;
    fd_seek(fd: I32, offset: I64, whence: I32, newoffset: I32) -> errno;
    fd_sync(fd: I32) -> errno;
    fd_tell(fd: I32, offset: I32) -> errno;
    fd_write(fd: I32, iovs: I32, iovs_len: I32, nwritten: I32) -> errno;
    path_create_directory(fd: I32, path: I32, path_len: I32) -> errno;
    path_filestat_get(fd: I32, flags: I32, path: I32, path_len: I32, stat: I32) -> errno;
    path_filestat_set_times(
        fd: I32, flags: I32, path: I32, path_len: I32, atim: I64, mtim: I64, fst_flags: I32
    ) -> errno;
    path_link(
        old_fd: I32, old_flags: I32, old_path: I32, old_len: I32, new_fd: I32, new_path: I32,
        new_len: I32
    ) -> errno;
    path_open(
        fd: I32, dirflags: I32, path: I32, path_len: I32, oflags: I32, rights_base: I64,
        rights_inheriting: I64, fdflags: I32, opened: I32
    ) -> errno;
    path_readlink(fd: I32, path: I32, path_len: I32, buf: I32, buf_len: I32, bufused: I32) -> errno;
    path_remove_directory(fd: I32, path: I32, path_len: I32) -> errno;
    path_rename(
        fd: I32, old_path: I32, old_len: I32, new_fd: I32, new_path: I32, new_len: I32
    ) -> errno;
    path_symlink(old_path: I32, old_len: I32, fd: I32, new_path: I32, new_len: I32) -> errno;
    path_unlink_file(fd: I32, path: I32, path_len: I32) -> errno;
    poll_oneoff(subscriptions: I32, events: I32, count: I32, nevents: I32) -> errno;
    proc_exit(code: I32);
    proc_raise(signal: I32) -> errno;
    sched_yield() -> errno;
    random_get(buf: I32, buf_len: I32) -> errno;
    sock_accept(fd: I32, flags: I32, accepted: I32) -> errno;
    sock_recv(
        fd: I32, ri_data: I32, ri_data_len: I32, ri_flags: I32, ro_datalen: I32, ro_flags: I32
    ) -> errno;
    sock_send(fd: I32, si_data: I32, si_data_len: I32, si_flags: I32, so_datalen: I32) -> errno;
    sock_shutdown(fd: I32, how: I32) -> errno;
}

/// The new times an `fstflags` asks for; `EINVAL` for a value and "now" for one time, or
/// unknown bits.
fn set_times(
    atim: u64,
    mtim: u64,
    flags: u32,
) -> Result<(Option<SetTime>, Option<SetTime>), Errno> {
    let flags = u16::try_from(flags).map_err(|_| Errno::INVAL)?;
    let known = fstflags::ATIM | fstflags::ATIM_NOW | fstflags::MTIM | fstflags::MTIM_NOW;
    if flags & !known != 0 {
        return Err(Errno::INVAL);
    }
    let one = |value: u64, at: u16, now: u16| match (flags & at != 0, flags & now != 0) {
        (true, true) => Err(Errno::INVAL),
        (true, false) => Ok(Some(SetTime::At(value))),
        (false, true) => Ok(Some(SetTime::Now)),
        (false, false) => Ok(None),
    };
    Ok((
        one(atim, fstflags::ATIM, fstflags::ATIM_NOW)?,
        one(mtim, fstflags::MTIM, fstflags::MTIM_NOW)?,
    ))
}

/// Writes a string list (`args_get`, `environ_get`): pointers at `list`, NUL-terminated
/// strings packed from `buf`.
fn write_strings<'s>(
    memory: &mut GuestMemory<'_>,
    strings: impl Iterator<Item = std::borrow::Cow<'s, str>>,
    list: u32,
    buf: u32,
) -> Outcome {
    let (mut at, mut data) = (list, buf);
    for s in strings {
        memory.write_u32(at, data)?;
        memory.write(data, s.as_bytes())?;
        let end = data.checked_add(s.len() as u32).ok_or(Errno::FAULT)?;
        memory.write_u8(end, 0)?;
        at = at.checked_add(4).ok_or(Errno::FAULT)?;
        data = end.checked_add(1).ok_or(Errno::FAULT)?;
    }
    Ok(())
}

fn write_filestat(memory: &mut GuestMemory<'_>, at: u32, stat: &crate::Filestat) -> Outcome {
    memory.check(at, layout::FILESTAT_SIZE as u64)?;
    memory.write_u64(at, stat.dev)?;
    memory.write_u64(at + 8, stat.ino)?;
    memory.write(at + 16, &[stat.filetype as u8, 0, 0, 0, 0, 0, 0, 0])?;
    memory.write_u64(at + 24, stat.nlink)?;
    memory.write_u64(at + 32, stat.size)?;
    memory.write_u64(at + 40, stat.atim)?;
    memory.write_u64(at + 48, stat.mtim)?;
    memory.write_u64(at + 56, stat.ctim)?;
    Ok(())
}

/// Scatter/gather I/O over the checked `iovs`: `step` moves the bytes of each buffer in
/// turn, given how many moved before it, and the transfer stops at the first short one.
/// Returns the bytes moved. An error ends it with that error, or, with `keep_partial`
/// and bytes already moved, with the count so far.
fn transfer(
    memory: &mut GuestMemory<'_>,
    iovs: Vec<(u32, u32)>,
    keep_partial: bool,
    mut step: impl FnMut(&mut [u8], u64) -> Result<usize, Errno>,
) -> Result<u32, Errno> {
    let mut total = 0u64;
    for (ptr, len) in iovs {
        let n = match step(memory.slice_mut(ptr, len)?, total) {
            Ok(n) => n,
            Err(_) if keep_partial && total > 0 => break,
            Err(errno) => return Err(errno),
        };
        total += n as u64;
        if n < len as usize {
            break;
        }
    }
    // `iovecs` bounds the sum of the lengths by `u32::MAX`.
    Ok(total as u32)
}

/// The guest path at `ptr`, copied (it is used while memory is written).
fn path(memory: &GuestMemory<'_>, ptr: u32, len: u32) -> Result<String, Errno> {
    let path = memory.str(ptr, len)?;
    if path.contains('\0') {
        return Err(Errno::ILSEQ);
    }
    Ok(path.to_owned())
}

impl WasiCtx {
    fn args_get(&mut self, memory: &mut GuestMemory<'_>, argv: u32, argv_buf: u32) -> Outcome {
        write_strings(
            memory,
            self.args.iter().map(|a| a.as_str().into()),
            argv,
            argv_buf,
        )
    }

    fn args_sizes_get(&mut self, memory: &mut GuestMemory<'_>, argc: u32, size: u32) -> Outcome {
        let bytes: usize = self.args.iter().map(|a| a.len() + 1).sum();
        memory.write_u32(argc, self.args.len() as u32)?;
        memory.write_u32(size, u32::try_from(bytes).map_err(|_| Errno::OVERFLOW)?)?;
        Ok(())
    }

    fn environ_get(&mut self, memory: &mut GuestMemory<'_>, environ: u32, buf: u32) -> Outcome {
        let vars = self.env.iter().map(|(k, v)| format!("{k}={v}").into());
        write_strings(memory, vars, environ, buf)
    }

    fn environ_sizes_get(
        &mut self,
        memory: &mut GuestMemory<'_>,
        count: u32,
        size: u32,
    ) -> Outcome {
        let bytes: usize = self.env.iter().map(|(k, v)| k.len() + v.len() + 2).sum();
        memory.write_u32(count, self.env.len() as u32)?;
        memory.write_u32(size, u32::try_from(bytes).map_err(|_| Errno::OVERFLOW)?)?;
        Ok(())
    }

    fn clock_res_get(&mut self, memory: &mut GuestMemory<'_>, id: u32, resolution: u32) -> Outcome {
        match id {
            // Both clocks are read in nanoseconds.
            clockid::REALTIME | clockid::MONOTONIC => memory.write_u64(resolution, 1)?,
            _ => return Err(Errno::INVAL.into()),
        }
        Ok(())
    }

    fn clock_time_get(
        &mut self,
        memory: &mut GuestMemory<'_>,
        id: u32,
        _precision: u64,
        time: u32,
    ) -> Outcome {
        let now = match id {
            clockid::REALTIME => unix_nanos(SystemTime::now()),
            clockid::MONOTONIC => self.monotonic_now(),
            _ => return Err(Errno::INVAL.into()),
        };
        memory.write_u64(time, now)?;
        Ok(())
    }

    /// The monotonic clock: nanoseconds since the context was built.
    fn monotonic_now(&self) -> u64 {
        u64::try_from(self.start.elapsed().as_nanos()).unwrap_or(u64::MAX)
    }

    fn fd_advise(
        &mut self,
        _: &mut GuestMemory<'_>,
        fd: u32,
        _offset: u64,
        _len: u64,
        advice: u32,
    ) -> Outcome {
        self.file(fd)?;
        if advice > 5 {
            return Err(Errno::INVAL.into());
        }
        Ok(())
    }

    fn fd_allocate(&mut self, _: &mut GuestMemory<'_>, fd: u32, offset: u64, len: u64) -> Outcome {
        Ok(self.file(fd)?.0.allocate(offset, len)?)
    }

    fn fd_close(&mut self, _: &mut GuestMemory<'_>, fd: u32) -> Outcome {
        self.fds.remove(&fd).ok_or(Errno::BADF)?;
        Ok(())
    }

    fn fd_datasync(&mut self, _: &mut GuestMemory<'_>, fd: u32) -> Outcome {
        Ok(self.file(fd)?.0.sync(true)?)
    }

    fn fd_sync(&mut self, _: &mut GuestMemory<'_>, fd: u32) -> Outcome {
        match &mut self.descriptor_mut(fd)?.handle {
            Handle::File { file, .. } => Ok(file.sync(false)?),
            Handle::Dir { .. } => Ok(()),
        }
    }

    fn fd_fdstat_get(&mut self, memory: &mut GuestMemory<'_>, fd: u32, stat: u32) -> Outcome {
        let d = self.descriptor(fd)?;
        let flags = match &d.handle {
            Handle::File { flags, .. } => *flags,
            Handle::Dir { .. } => 0,
        };
        memory.check(stat, layout::FDSTAT_SIZE as u64)?;
        memory.write(stat, &[d.filetype() as u8, 0])?;
        memory.write_u16(stat + 2, flags)?;
        memory.write_u32(stat + 4, 0)?;
        memory.write_u64(stat + 8, d.rights_base)?;
        memory.write_u64(stat + 16, d.rights_inheriting)?;
        Ok(())
    }

    fn fd_fdstat_set_flags(&mut self, _: &mut GuestMemory<'_>, fd: u32, new: u32) -> Outcome {
        let new = u16::try_from(new).map_err(|_| Errno::INVAL)?;
        let known =
            fdflags::APPEND | fdflags::DSYNC | fdflags::NONBLOCK | fdflags::RSYNC | fdflags::SYNC;
        if new & !known != 0 {
            return Err(Errno::INVAL.into());
        }
        match &mut self.descriptor_mut(fd)?.handle {
            Handle::File { flags, .. } => *flags = new,
            Handle::Dir { .. } => return Err(Errno::BADF.into()),
        }
        Ok(())
    }

    /// Rights are fixed when a descriptor opens, as in Wasmtime: preview 1's rights are
    /// deprecated, and programs that probe this call take `ENOTSUP` as "not enforced".
    fn fd_fdstat_set_rights(
        &mut self,
        _: &mut GuestMemory<'_>,
        fd: u32,
        _base: u64,
        _inheriting: u64,
    ) -> Outcome {
        self.descriptor(fd)?;
        Err(Errno::NOTSUP.into())
    }

    fn fd_filestat_get(&mut self, memory: &mut GuestMemory<'_>, fd: u32, stat: u32) -> Outcome {
        let status = match &self.descriptor(fd)?.handle {
            Handle::File { file, .. } => file.stat()?,
            Handle::Dir { dir, .. } => dir.stat()?,
        };
        write_filestat(memory, stat, &status)
    }

    fn fd_filestat_set_size(&mut self, _: &mut GuestMemory<'_>, fd: u32, size: u64) -> Outcome {
        Ok(self.file(fd)?.0.set_size(size)?)
    }

    fn fd_filestat_set_times(
        &mut self,
        _: &mut GuestMemory<'_>,
        fd: u32,
        atim: u64,
        mtim: u64,
        flags: u32,
    ) -> Outcome {
        let (atim, mtim) = set_times(atim, mtim, flags)?;
        match &mut self.descriptor_mut(fd)?.handle {
            Handle::File { file, .. } => Ok(file.set_times(atim, mtim)?),
            Handle::Dir { dir, .. } => Ok(dir.set_times(atim, mtim)?),
        }
    }

    fn fd_pread(
        &mut self,
        memory: &mut GuestMemory<'_>,
        fd: u32,
        iovs: u32,
        iovs_len: u32,
        offset: u64,
        nread: u32,
    ) -> Outcome {
        let iovs = memory.iovecs(iovs, iovs_len)?;
        memory.check(nread, 4)?;
        let (file, _) = self.file(fd)?;
        let total = transfer(memory, iovs, false, |buf, done| {
            file.read_at(buf, offset.checked_add(done).ok_or(Errno::INVAL)?)
        })?;
        memory.write_u32(nread, total)?;
        Ok(())
    }

    fn fd_pwrite(
        &mut self,
        memory: &mut GuestMemory<'_>,
        fd: u32,
        iovs: u32,
        iovs_len: u32,
        offset: u64,
        nwritten: u32,
    ) -> Outcome {
        let iovs = memory.iovecs(iovs, iovs_len)?;
        memory.check(nwritten, 4)?;
        let (file, _) = self.file(fd)?;
        // Positional even in append mode (POSIX; Linux would append): the position never
        // moves.
        let total = transfer(memory, iovs, false, |buf, done| {
            file.write_at(buf, offset.checked_add(done).ok_or(Errno::INVAL)?)
        })?;
        memory.write_u32(nwritten, total)?;
        Ok(())
    }

    fn fd_prestat_get(&mut self, memory: &mut GuestMemory<'_>, fd: u32, prestat: u32) -> Outcome {
        let Handle::Dir {
            preopen: Some(name),
            ..
        } = &self.descriptor(fd)?.handle
        else {
            return Err(Errno::BADF.into());
        };
        memory.check(prestat, layout::PRESTAT_SIZE as u64)?;
        memory.write_u32(prestat, 0)?;
        memory.write_u32(prestat + 4, name.len() as u32)?;
        Ok(())
    }

    fn fd_prestat_dir_name(
        &mut self,
        memory: &mut GuestMemory<'_>,
        fd: u32,
        path: u32,
        path_len: u32,
    ) -> Outcome {
        let Handle::Dir {
            preopen: Some(name),
            ..
        } = &self.descriptor(fd)?.handle
        else {
            return Err(Errno::BADF.into());
        };
        if (path_len as usize) < name.len() {
            return Err(Errno::NAMETOOLONG.into());
        }
        memory.write(path, name.as_bytes())?;
        Ok(())
    }

    fn fd_read(
        &mut self,
        memory: &mut GuestMemory<'_>,
        fd: u32,
        iovs: u32,
        iovs_len: u32,
        nread: u32,
    ) -> Outcome {
        let iovs = memory.iovecs(iovs, iovs_len)?;
        memory.check(nread, 4)?;
        let (file, _) = self.file(fd)?;
        let total = transfer(memory, iovs, false, |buf, _| file.read(buf))?;
        memory.write_u32(nread, total)?;
        Ok(())
    }

    fn fd_write(
        &mut self,
        memory: &mut GuestMemory<'_>,
        fd: u32,
        iovs: u32,
        iovs_len: u32,
        nwritten: u32,
    ) -> Outcome {
        let iovs = memory.iovecs(iovs, iovs_len)?;
        memory.check(nwritten, 4)?;
        let (file, flags) = self.file(fd)?;
        if flags & fdflags::APPEND != 0 && file.filetype() == FileType::RegularFile {
            file.seek(SeekFrom::End(0))?;
        }
        // An error after some bytes went out ends the write with what went out.
        let total = transfer(memory, iovs, true, |buf, _| file.write(buf))?;
        memory.write_u32(nwritten, total)?;
        Ok(())
    }

    fn fd_readdir(
        &mut self,
        memory: &mut GuestMemory<'_>,
        fd: u32,
        buf: u32,
        buf_len: u32,
        cookie: u64,
        bufused: u32,
    ) -> Outcome {
        memory.check(buf, buf_len as u64)?;
        memory.check(bufused, 4)?;
        let Handle::Dir { dir, listing, .. } = &mut self.descriptor_mut(fd)?.handle else {
            return Err(Errno::NOTDIR.into());
        };
        if cookie == 0 || listing.is_none() {
            let own = dir.stat()?.ino;
            let mut entries = vec![
                DirEntry {
                    name: ".".into(),
                    ino: own,
                    filetype: FileType::Directory,
                },
                DirEntry {
                    name: "..".into(),
                    ino: 0,
                    filetype: FileType::Directory,
                },
            ];
            entries.extend(dir.entries()?);
            *listing = Some(entries);
        }
        let entries = listing.as_deref().unwrap_or_default();
        let mut out = Vec::new();
        let start = usize::try_from(cookie).unwrap_or(usize::MAX);
        for (i, entry) in entries.iter().enumerate().skip(start) {
            if out.len() >= buf_len as usize {
                break;
            }
            out.extend_from_slice(&(i as u64 + 1).to_le_bytes());
            out.extend_from_slice(&entry.ino.to_le_bytes());
            out.extend_from_slice(&(entry.name.len() as u32).to_le_bytes());
            out.extend_from_slice(&[entry.filetype as u8, 0, 0, 0]);
            out.extend_from_slice(entry.name.as_bytes());
        }
        out.truncate(buf_len as usize);
        memory.write(buf, &out)?;
        memory.write_u32(bufused, out.len() as u32)?;
        Ok(())
    }

    fn fd_renumber(&mut self, _: &mut GuestMemory<'_>, fd: u32, to: u32) -> Outcome {
        self.descriptor(to)?;
        let descriptor = self.fds.remove(&fd).ok_or(Errno::BADF)?;
        self.fds.insert(to, descriptor);
        Ok(())
    }

    fn fd_seek(
        &mut self,
        memory: &mut GuestMemory<'_>,
        fd: u32,
        offset: u64,
        how: u32,
        newoffset: u32,
    ) -> Outcome {
        memory.check(newoffset, 8)?;
        let offset = offset as i64;
        let pos = match u8::try_from(how) {
            Ok(whence::SET) => SeekFrom::Start(u64::try_from(offset).map_err(|_| Errno::INVAL)?),
            Ok(whence::CUR) => SeekFrom::Current(offset),
            Ok(whence::END) => SeekFrom::End(offset),
            _ => return Err(Errno::INVAL.into()),
        };
        let (file, _) = self.file(fd)?;
        let at = file.seek(pos)?;
        memory.write_u64(newoffset, at)?;
        Ok(())
    }

    fn fd_tell(&mut self, memory: &mut GuestMemory<'_>, fd: u32, offset: u32) -> Outcome {
        memory.check(offset, 8)?;
        let (file, _) = self.file(fd)?;
        let at = file.seek(SeekFrom::Current(0))?;
        memory.write_u64(offset, at)?;
        Ok(())
    }

    fn path_create_directory(
        &mut self,
        memory: &mut GuestMemory<'_>,
        fd: u32,
        path_ptr: u32,
        path_len: u32,
    ) -> Outcome {
        let path = path(memory, path_ptr, path_len)?;
        Ok(self.dir(fd)?.create_dir(&path)?)
    }

    fn path_filestat_get(
        &mut self,
        memory: &mut GuestMemory<'_>,
        fd: u32,
        flags: u32,
        path_ptr: u32,
        path_len: u32,
        stat: u32,
    ) -> Outcome {
        let path = path(memory, path_ptr, path_len)?;
        let status = self
            .dir(fd)?
            .stat_at(&path, flags & LOOKUP_SYMLINK_FOLLOW != 0)?;
        write_filestat(memory, stat, &status)
    }

    fn path_filestat_set_times(
        &mut self,
        memory: &mut GuestMemory<'_>,
        fd: u32,
        flags: u32,
        path_ptr: u32,
        path_len: u32,
        atim: u64,
        mtim: u64,
        fst_flags: u32,
    ) -> Outcome {
        let path = path(memory, path_ptr, path_len)?;
        let (atim, mtim) = set_times(atim, mtim, fst_flags)?;
        Ok(self
            .dir(fd)?
            .set_times_at(&path, flags & LOOKUP_SYMLINK_FOLLOW != 0, atim, mtim)?)
    }

    fn path_link(
        &mut self,
        memory: &mut GuestMemory<'_>,
        old_fd: u32,
        old_flags: u32,
        old_path: u32,
        old_len: u32,
        new_fd: u32,
        new_path: u32,
        new_len: u32,
    ) -> Outcome {
        let from = path(memory, old_path, old_len)?;
        let to = path(memory, new_path, new_len)?;
        if old_flags & LOOKUP_SYMLINK_FOLLOW != 0 {
            return Err(Errno::INVAL.into());
        }
        Ok(self.dir(old_fd)?.hard_link(&from, self.dir(new_fd)?, &to)?)
    }

    fn path_open(
        &mut self,
        memory: &mut GuestMemory<'_>,
        fd: u32,
        dirflags: u32,
        path_ptr: u32,
        path_len: u32,
        open_flags: u32,
        rights_base: u64,
        _rights_inheriting: u64,
        fd_flags: u32,
        opened: u32,
    ) -> Outcome {
        let path = path(memory, path_ptr, path_len)?;
        memory.check(opened, 4)?;
        let open_flags = u16::try_from(open_flags).map_err(|_| Errno::INVAL)?;
        let fd_flags = u16::try_from(fd_flags).map_err(|_| Errno::INVAL)?;
        let parent = self.descriptor(fd)?;
        let Handle::Dir { dir, .. } = &parent.handle else {
            return Err(Errno::NOTDIR.into());
        };
        let write_rights = rights::FD_WRITE
            | rights::FD_DATASYNC
            | rights::FD_ALLOCATE
            | rights::FD_FILESTAT_SET_SIZE;
        let options = OpenOptions {
            read: rights_base & (rights::FD_READ | rights::FD_READDIR) != 0,
            write: rights_base & write_rights != 0 || fd_flags & fdflags::APPEND != 0,
            create: open_flags & oflags::CREAT != 0,
            exclusive: open_flags & oflags::EXCL != 0,
            truncate: open_flags & oflags::TRUNC != 0,
            directory: open_flags & oflags::DIRECTORY != 0,
            follow: dirflags & LOOKUP_SYMLINK_FOLLOW != 0,
        };
        let handle = match dir.open(&path, &options)? {
            Opened::File(_) if options.directory => return Err(Errno::NOTDIR.into()),
            Opened::Dir(_) if options.write => return Err(Errno::ISDIR.into()),
            Opened::File(file) => Handle::File {
                file,
                flags: fd_flags,
            },
            Opened::Dir(dir) => Handle::Dir {
                dir,
                preopen: None,
                listing: None,
            },
        };
        // What the descriptor can do, whatever the guest asked for (rights are not a
        // permission system here; the open mode and the sandbox are).
        let mut base = rights::ALL;
        if !options.read {
            base &= !(rights::FD_READ | rights::FD_READDIR);
        }
        if !options.write {
            base &= !rights::FD_WRITE;
        }
        if let Handle::Dir { .. } = handle {
            base &= !rights::NOT_DIRECTORY;
        }
        let descriptor = Descriptor {
            handle,
            rights_base: base,
            rights_inheriting: base,
        };
        let new = self.insert(descriptor)?;
        memory.write_u32(opened, new)?;
        Ok(())
    }

    fn path_readlink(
        &mut self,
        memory: &mut GuestMemory<'_>,
        fd: u32,
        path_ptr: u32,
        path_len: u32,
        buf: u32,
        buf_len: u32,
        bufused: u32,
    ) -> Outcome {
        let path = path(memory, path_ptr, path_len)?;
        memory.check(buf, buf_len as u64)?;
        memory.check(bufused, 4)?;
        let target = self.dir(fd)?.read_link(&path)?;
        let n = target.len().min(buf_len as usize);
        memory.write(buf, &target.as_bytes()[..n])?;
        memory.write_u32(bufused, n as u32)?;
        Ok(())
    }

    fn path_remove_directory(
        &mut self,
        memory: &mut GuestMemory<'_>,
        fd: u32,
        path_ptr: u32,
        path_len: u32,
    ) -> Outcome {
        let path = path(memory, path_ptr, path_len)?;
        Ok(self.dir(fd)?.remove_dir(&path)?)
    }

    fn path_rename(
        &mut self,
        memory: &mut GuestMemory<'_>,
        fd: u32,
        old_path: u32,
        old_len: u32,
        new_fd: u32,
        new_path: u32,
        new_len: u32,
    ) -> Outcome {
        let from = path(memory, old_path, old_len)?;
        let to = path(memory, new_path, new_len)?;
        Ok(self.dir(fd)?.rename(&from, self.dir(new_fd)?, &to)?)
    }

    fn path_symlink(
        &mut self,
        memory: &mut GuestMemory<'_>,
        old_path: u32,
        old_len: u32,
        fd: u32,
        new_path: u32,
        new_len: u32,
    ) -> Outcome {
        let target = path(memory, old_path, old_len)?;
        let link = path(memory, new_path, new_len)?;
        Ok(self.dir(fd)?.symlink(&target, &link)?)
    }

    fn path_unlink_file(
        &mut self,
        memory: &mut GuestMemory<'_>,
        fd: u32,
        path_ptr: u32,
        path_len: u32,
    ) -> Outcome {
        let path = path(memory, path_ptr, path_len)?;
        Ok(self.dir(fd)?.unlink_file(&path)?)
    }

    fn poll_oneoff(
        &mut self,
        memory: &mut GuestMemory<'_>,
        subs: u32,
        events: u32,
        count: u32,
        nevents: u32,
    ) -> Outcome {
        if count == 0 {
            return Err(Errno::INVAL.into());
        }
        let size = layout::SUBSCRIPTION_SIZE as u64;
        memory.check(subs, count as u64 * size)?;
        memory.check(events, count as u64 * layout::EVENT_SIZE as u64)?;
        memory.check(nevents, 4)?;
        // (userdata, error, type, nbytes, flags) of the events that fired.
        let mut fired: Vec<(u64, Errno, u8, u64, u16)> = Vec::new();
        // The earliest clock: when, and the userdata of each clock due then.
        let mut timers: Vec<(Instant, u64)> = Vec::new();
        let now = Instant::now();
        for i in 0..count {
            let at = subs + i * layout::SUBSCRIPTION_SIZE;
            let userdata = memory.read_u64(at)?;
            match memory.read_u8(at + 8)? {
                eventtype::CLOCK => {
                    let id = memory.read_u32(at + 16)?;
                    let timeout = memory.read_u64(at + 24)?;
                    let flags = memory.read_u16(at + 40)?;
                    let current = match id {
                        clockid::REALTIME => unix_nanos(SystemTime::now()),
                        clockid::MONOTONIC => self.monotonic_now(),
                        _ => {
                            fired.push((userdata, Errno::INVAL, eventtype::CLOCK, 0, 0));
                            continue;
                        }
                    };
                    let wait = if flags & SUBCLOCK_ABSTIME != 0 {
                        timeout.saturating_sub(current)
                    } else {
                        timeout
                    };
                    let due = now
                        .checked_add(Duration::from_nanos(wait))
                        .unwrap_or(now + Duration::from_secs(1 << 40));
                    timers.push((due, userdata));
                }
                kind @ (eventtype::FD_READ | eventtype::FD_WRITE) => {
                    let fd = memory.read_u32(at + 16)?;
                    let event = match self.descriptor(fd).map(|d| &d.handle) {
                        Ok(Handle::File { file, .. }) => {
                            let nbytes = if kind == eventtype::FD_READ {
                                self.readable(file.as_ref())
                            } else {
                                0
                            };
                            (userdata, Errno::SUCCESS, kind, nbytes, 0)
                        }
                        Ok(Handle::Dir { .. }) => (userdata, Errno::BADF, kind, 0, 0),
                        Err(errno) => (userdata, errno, kind, 0, 0),
                    };
                    fired.push(event);
                }
                _ => return Err(Errno::INVAL.into()),
            }
        }
        // With nothing ready, wait for the earliest clock; then every clock due fires.
        if fired.is_empty()
            && let Some(&(due, _)) = timers.iter().min_by_key(|(due, _)| *due)
        {
            self.sleep_until(due)?;
        }
        let now = Instant::now();
        fired.extend(
            timers
                .iter()
                .filter(|(d, _)| *d <= now)
                .map(|&(_, u)| (u, Errno::SUCCESS, eventtype::CLOCK, 0, 0)),
        );
        for (i, (userdata, error, kind, nbytes, flags)) in fired.iter().enumerate() {
            let at = events + i as u32 * layout::EVENT_SIZE;
            memory.write(at, &[0; layout::EVENT_SIZE as usize])?;
            memory.write_u64(at, *userdata)?;
            memory.write_u16(at + 8, error.raw())?;
            memory.write_u8(at + 10, *kind)?;
            memory.write_u64(at + 16, *nbytes)?;
            memory.write_u16(at + 24, *flags)?;
        }
        memory.write_u32(nevents, fired.len() as u32)?;
        Ok(())
    }

    /// Bytes `poll_oneoff` reports readable: a regular file's size (it is always ready),
    /// what a stream knows it holds.
    fn readable(&self, file: &dyn crate::WasiFile) -> u64 {
        match file.filetype() {
            FileType::RegularFile => file.stat().map_or(0, |s| s.size),
            _ => file.readable_bytes(),
        }
    }

    /// Sleeps until `due`, in slices, never past the deadline.
    fn sleep_until(&self, due: Instant) -> Result<(), WasiError> {
        loop {
            let left = due.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Ok(());
            }
            let slice = match self.time_left()? {
                Some(budget) => left.min(budget),
                None => left,
            };
            std::thread::sleep(slice.min(Duration::from_millis(100)));
        }
    }

    fn proc_exit(&mut self, _: &mut GuestMemory<'_>, code: u32) -> Outcome {
        Err(Failure::Trap(Trap::host(ProcExit(code))))
    }

    fn proc_raise(&mut self, _: &mut GuestMemory<'_>, _signal: u32) -> Outcome {
        Err(Errno::NOTSUP.into())
    }

    fn sched_yield(&mut self, _: &mut GuestMemory<'_>) -> Outcome {
        std::thread::yield_now();
        Ok(())
    }

    fn random_get(&mut self, memory: &mut GuestMemory<'_>, buf: u32, buf_len: u32) -> Outcome {
        let bytes = memory.slice_mut(buf, buf_len)?;
        getrandom::fill(bytes).map_err(|_| Errno::IO)?;
        Ok(())
    }

    /// Preview 1 has no way to open a socket, so no descriptor is one.
    fn not_a_socket(&self, fd: u32) -> Outcome {
        self.descriptor(fd)?;
        Err(Errno::NOTSOCK.into())
    }

    fn sock_accept(
        &mut self,
        _: &mut GuestMemory<'_>,
        fd: u32,
        _flags: u32,
        _accepted: u32,
    ) -> Outcome {
        self.not_a_socket(fd)
    }

    fn sock_recv(
        &mut self,
        _: &mut GuestMemory<'_>,
        fd: u32,
        _data: u32,
        _len: u32,
        _flags: u32,
        _datalen: u32,
        _oflags: u32,
    ) -> Outcome {
        self.not_a_socket(fd)
    }

    fn sock_send(
        &mut self,
        _: &mut GuestMemory<'_>,
        fd: u32,
        _data: u32,
        _len: u32,
        _flags: u32,
        _datalen: u32,
    ) -> Outcome {
        self.not_a_socket(fd)
    }

    fn sock_shutdown(&mut self, _: &mut GuestMemory<'_>, fd: u32, _how: u32) -> Outcome {
        self.not_a_socket(fd)
    }
}
