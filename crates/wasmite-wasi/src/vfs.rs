//! The filesystem seam: what a WASI guest can do with files and directories, as two small
//! traits. [`HostDir`](crate::HostDir) implements them on the host's filesystem (through
//! `cap-std`, confined below a preopened directory); [`MemFs`](crate::MemFs) in memory; an
//! embedder can give its own. The host functions know only these traits.
//!
//! Paths given to a [`WasiDir`] are relative, UTF-8 and checked by the caller only for
//! emptiness; resolving them without leaving the directory (`..`, absolute paths, symbolic
//! links pointing outside) is the implementation's duty.

use std::any::Any;
use std::io::SeekFrom;
use std::time::{SystemTime, UNIX_EPOCH};

use crate::abi::{Errno, FileType};

/// What `fd_filestat_get` and `path_filestat_get` report. Times are nanoseconds since the
/// Unix epoch.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Filestat {
    /// Device of the file.
    pub dev: u64,
    /// Inode (file serial number).
    pub ino: u64,
    /// The file's type.
    pub filetype: FileType,
    /// Number of hard links.
    pub nlink: u64,
    /// Size in bytes.
    pub size: u64,
    /// Last access.
    pub atim: u64,
    /// Last data modification.
    pub mtim: u64,
    /// Last status change.
    pub ctim: u64,
}

impl Filestat {
    /// A status of type `filetype` with every other field zero.
    pub fn of_type(filetype: FileType) -> Self {
        Filestat {
            dev: 0,
            ino: 0,
            filetype,
            nlink: 1,
            size: 0,
            atim: 0,
            mtim: 0,
            ctim: 0,
        }
    }
}

/// Nanoseconds of `time` since the Unix epoch (0 before it, saturating far after it): the
/// unit of every time WASI exchanges.
pub(crate) fn unix_nanos(time: SystemTime) -> u64 {
    time.duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_nanos()).unwrap_or(u64::MAX))
}

/// A new access or modification time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SetTime {
    /// The current time.
    Now,
    /// Nanoseconds since the Unix epoch.
    At(u64),
}

impl SetTime {
    /// The time, in nanoseconds since the Unix epoch.
    pub(crate) fn unix_nanos(self) -> u64 {
        match self {
            SetTime::Now => unix_nanos(SystemTime::now()),
            SetTime::At(ns) => ns,
        }
    }
}

/// How [`WasiDir::open`] opens a path.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct OpenOptions {
    /// For reading.
    pub read: bool,
    /// For writing.
    pub write: bool,
    /// Create a regular file when there is none.
    pub create: bool,
    /// With `create`: fail with `EEXIST` when the path exists.
    pub exclusive: bool,
    /// Truncate a regular file to size 0.
    pub truncate: bool,
    /// Fail with `ENOTDIR` unless the path is a directory.
    pub directory: bool,
    /// Follow a symbolic link at the end of the path (else such a link is `ELOOP`).
    pub follow: bool,
}

/// An entry of a directory listing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DirEntry {
    /// The entry's name.
    pub name: String,
    /// Its inode, or 0 where unknown.
    pub ino: u64,
    /// Its type (a symbolic link is reported as one, not followed).
    pub filetype: FileType,
}

/// What [`WasiDir::open`] opened.
pub enum Opened {
    /// A file (regular, device...).
    File(Box<dyn WasiFile>),
    /// A directory.
    Dir(Box<dyn WasiDir>),
}

/// An open file: a regular file, a device, or one of the standard streams.
///
/// Defaults suit a stream: positional operations are `ESPIPE`, the rest `EBADF` or no-ops.
pub trait WasiFile {
    /// The file's type.
    fn filetype(&self) -> FileType;
    /// Reads at the current position; 0 at the end.
    fn read(&mut self, buf: &mut [u8]) -> Result<usize, Errno>;
    /// Writes at the current position.
    fn write(&mut self, buf: &[u8]) -> Result<usize, Errno>;
    /// Reads at `offset` without moving the position.
    fn read_at(&mut self, _buf: &mut [u8], _offset: u64) -> Result<usize, Errno> {
        Err(Errno::SPIPE)
    }
    /// Writes at `offset` without moving the position.
    fn write_at(&mut self, _buf: &[u8], _offset: u64) -> Result<usize, Errno> {
        Err(Errno::SPIPE)
    }
    /// Moves the position; returns the new one.
    fn seek(&mut self, _pos: SeekFrom) -> Result<u64, Errno> {
        Err(Errno::SPIPE)
    }
    /// The file's status.
    fn stat(&self) -> Result<Filestat, Errno> {
        Ok(Filestat::of_type(self.filetype()))
    }
    /// Truncates or extends the file.
    fn set_size(&mut self, _size: u64) -> Result<(), Errno> {
        Err(Errno::INVAL)
    }
    /// Sets the access and modification times (`None` leaves one unchanged).
    fn set_times(&mut self, _atim: Option<SetTime>, _mtim: Option<SetTime>) -> Result<(), Errno> {
        Err(Errno::BADF)
    }
    /// Flushes data (and metadata unless `data_only`) to storage.
    fn sync(&mut self, _data_only: bool) -> Result<(), Errno> {
        Ok(())
    }
    /// Makes sure `offset..offset + len` is allocated (extends the file when needed).
    fn allocate(&mut self, _offset: u64, _len: u64) -> Result<(), Errno> {
        Err(Errno::NOTSUP)
    }
    /// Whether the file is a terminal.
    fn is_tty(&self) -> bool {
        false
    }
    /// Bytes readable without blocking, for `poll_oneoff` (0 where unknown).
    fn readable_bytes(&self) -> u64 {
        0
    }
}

/// An open directory, below which a guest may resolve paths.
pub trait WasiDir {
    /// Opens `path`: a file or a directory, as `options` say.
    fn open(&self, path: &str, options: &OpenOptions) -> Result<Opened, Errno>;
    /// Creates the directory `path`.
    fn create_dir(&self, path: &str) -> Result<(), Errno>;
    /// Removes the empty directory `path`.
    fn remove_dir(&self, path: &str) -> Result<(), Errno>;
    /// Removes the file or symbolic link `path` (a directory is `EISDIR` or `EPERM`).
    fn unlink_file(&self, path: &str) -> Result<(), Errno>;
    /// Renames `from` to `to` in `to_dir` (`EXDEV` if `to_dir` is of another kind).
    fn rename(&self, from: &str, to_dir: &dyn WasiDir, to: &str) -> Result<(), Errno>;
    /// Creates the hard link `to` in `to_dir` to `from`.
    fn hard_link(&self, from: &str, to_dir: &dyn WasiDir, to: &str) -> Result<(), Errno>;
    /// Creates the symbolic link `link` pointing to `target`.
    fn symlink(&self, target: &str, link: &str) -> Result<(), Errno>;
    /// The target of the symbolic link `path`.
    fn read_link(&self, path: &str) -> Result<String, Errno>;
    /// The status of `path` (of the link itself unless `follow`).
    fn stat_at(&self, path: &str, follow: bool) -> Result<Filestat, Errno>;
    /// Sets the times of `path`.
    fn set_times_at(
        &self,
        path: &str,
        follow: bool,
        atim: Option<SetTime>,
        mtim: Option<SetTime>,
    ) -> Result<(), Errno>;
    /// The directory's own status.
    fn stat(&self) -> Result<Filestat, Errno>;
    /// Sets the directory's own times.
    fn set_times(&self, atim: Option<SetTime>, mtim: Option<SetTime>) -> Result<(), Errno>;
    /// The directory's entries, without `.` and `..`, in a stable order.
    fn entries(&self) -> Result<Vec<DirEntry>, Errno>;
    /// The directory as `Any`, for operations between two directories of one kind.
    fn as_any(&self) -> &dyn Any;
}
