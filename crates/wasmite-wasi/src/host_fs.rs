//! The host's filesystem behind the [`vfs`](crate::vfs) traits, through `cap-std`: every path
//! is resolved below the preopened directory's handle, so `..`, absolute paths and symbolic
//! links that lead outside fail (as `EPERM`), however the tree changes between two calls.

use std::any::Any;
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::Path;
use std::time::{SystemTime, UNIX_EPOCH};

use cap_fs_ext::{
    DirExt, FollowSymlinks, MetadataExt, OpenOptionsFollowExt, OpenOptionsMaybeDirExt,
};
use cap_std::fs::{Dir, Metadata};

use crate::abi::{Errno, FileType};
use crate::vfs::{DirEntry, Filestat, OpenOptions, Opened, SetTime, WasiDir, WasiFile, unix_nanos};

/// A directory of the host's filesystem, and everything below it.
///
/// A guest cannot create a symbolic link whose target is absolute or climbs above the
/// directory (`EPERM`).
pub struct HostDir {
    dir: Dir,
}

impl HostDir {
    /// Opens the host directory `path`: the guest will reach what is below it and nothing
    /// else. This is the one place that uses the process's ambient authority.
    pub fn open_ambient(path: impl AsRef<Path>) -> io::Result<Self> {
        Dir::open_ambient_dir(path, cap_std::ambient_authority()).map(|dir| HostDir { dir })
    }
}

/// A file of the host's filesystem, opened through a [`HostDir`].
pub struct HostFile {
    file: std::fs::File,
    filetype: FileType,
}

/// The WASI code of a host I/O error.
pub(crate) fn errno_of(error: &io::Error) -> Errno {
    #[cfg(unix)]
    if let Some(code) = rustix::io::Errno::from_io_error(error) {
        use rustix::io::Errno as E;
        let known = [
            (E::TOOBIG, Errno::TOOBIG),
            (E::ACCESS, Errno::ACCES),
            (E::AGAIN, Errno::AGAIN),
            (E::BADF, Errno::BADF),
            (E::BUSY, Errno::BUSY),
            (E::EXIST, Errno::EXIST),
            (E::FAULT, Errno::FAULT),
            (E::FBIG, Errno::FBIG),
            (E::INTR, Errno::INTR),
            (E::INVAL, Errno::INVAL),
            (E::IO, Errno::IO),
            (E::ISDIR, Errno::ISDIR),
            (E::LOOP, Errno::LOOP),
            (E::MFILE, Errno::MFILE),
            (E::MLINK, Errno::MLINK),
            (E::NAMETOOLONG, Errno::NAMETOOLONG),
            (E::NFILE, Errno::NFILE),
            (E::NODEV, Errno::NODEV),
            (E::NOENT, Errno::NOENT),
            (E::NOMEM, Errno::NOMEM),
            (E::NOSPC, Errno::NOSPC),
            (E::NOSYS, Errno::NOSYS),
            (E::NOTDIR, Errno::NOTDIR),
            (E::NOTEMPTY, Errno::NOTEMPTY),
            (E::NOTSUP, Errno::NOTSUP),
            (E::NOTTY, Errno::NOTTY),
            (E::NXIO, Errno::NXIO),
            (E::OVERFLOW, Errno::OVERFLOW),
            (E::PERM, Errno::PERM),
            (E::PIPE, Errno::PIPE),
            (E::ROFS, Errno::ROFS),
            (E::SPIPE, Errno::SPIPE),
            (E::TXTBSY, Errno::TXTBSY),
            (E::XDEV, Errno::XDEV),
            (E::DQUOT, Errno::DQUOT),
            (E::ILSEQ, Errno::ILSEQ),
            (E::NOTSOCK, Errno::NOTSOCK),
        ];
        if let Some((_, errno)) = known.iter().find(|(host, _)| *host == code) {
            return *errno;
        }
    }
    match error.kind() {
        io::ErrorKind::NotFound => Errno::NOENT,
        // cap-std's answer to a path that leads outside the directory.
        io::ErrorKind::PermissionDenied => Errno::PERM,
        io::ErrorKind::AlreadyExists => Errno::EXIST,
        io::ErrorKind::InvalidInput => Errno::INVAL,
        io::ErrorKind::Unsupported => Errno::NOTSUP,
        io::ErrorKind::NotADirectory => Errno::NOTDIR,
        io::ErrorKind::IsADirectory => Errno::ISDIR,
        io::ErrorKind::DirectoryNotEmpty => Errno::NOTEMPTY,
        io::ErrorKind::OutOfMemory => Errno::NOMEM,
        _ => Errno::IO,
    }
}

fn io<T>(result: io::Result<T>) -> Result<T, Errno> {
    result.map_err(|e| errno_of(&e))
}

fn filestat(meta: &Metadata) -> Filestat {
    let kind = meta.file_type();
    let filetype = common_type(kind).unwrap_or_else(|| special_type(kind));
    let mtim = meta.modified().map_or(0, |t| unix_nanos(t.into_std()));
    #[cfg(unix)]
    let ctim = {
        use cap_std::fs::MetadataExt as _;
        (meta.ctime() as u64)
            .saturating_mul(1_000_000_000)
            .saturating_add(meta.ctime_nsec() as u64)
    };
    #[cfg(not(unix))]
    let ctim = mtim;
    Filestat {
        dev: meta.dev(),
        ino: meta.ino(),
        filetype,
        nlink: meta.nlink(),
        size: meta.len(),
        atim: meta.accessed().map_or(0, |t| unix_nanos(t.into_std())),
        mtim,
        ctim,
    }
}

/// The type of a directory, symbolic link or regular file; `None` for anything else.
fn common_type(kind: cap_std::fs::FileType) -> Option<FileType> {
    if kind.is_dir() {
        Some(FileType::Directory)
    } else if kind.is_symlink() {
        Some(FileType::SymbolicLink)
    } else if kind.is_file() {
        Some(FileType::RegularFile)
    } else {
        None
    }
}

/// The type of what is neither a directory, a symbolic link nor a regular file.
fn special_type(kind: cap_std::fs::FileType) -> FileType {
    #[cfg(unix)]
    {
        use cap_fs_ext::FileTypeExt as _;
        if kind.is_char_device() {
            return FileType::CharacterDevice;
        }
        if kind.is_block_device() {
            return FileType::BlockDevice;
        }
        if kind.is_socket() || kind.is_fifo() {
            return FileType::SocketStream;
        }
    }
    let _ = kind;
    FileType::Unknown
}

fn system_time(time: SetTime) -> SystemTime {
    match time {
        SetTime::Now => SystemTime::now(),
        SetTime::At(ns) => UNIX_EPOCH + std::time::Duration::from_nanos(ns),
    }
}

fn time_spec(time: Option<SetTime>) -> Option<cap_fs_ext::SystemTimeSpec> {
    time.map(|t| match t {
        SetTime::Now => cap_fs_ext::SystemTimeSpec::SymbolicNow,
        SetTime::At(_) => cap_fs_ext::SystemTimeSpec::Absolute(
            cap_std::time::SystemTime::from_std(system_time(t)),
        ),
    })
}

/// Whether the symbolic link `link` (a path below a directory) with contents `target`
/// points below that directory, read lexically: `target` is relative and its `..`
/// components never climb above the directory.
fn stays_below(target: &str, link: &str) -> bool {
    if target.starts_with('/') {
        return false;
    }
    // The depth of the link's own directory: its path without the last component.
    let mut depth: i64 = 0;
    let mut parts: Vec<&str> = link
        .split('/')
        .filter(|p| !p.is_empty() && *p != ".")
        .collect();
    parts.pop();
    for part in parts {
        depth += if part == ".." { -1 } else { 1 };
    }
    for part in target.split('/') {
        match part {
            "" | "." => {}
            ".." => depth -= 1,
            _ => depth += 1,
        }
        if depth < 0 {
            return false;
        }
    }
    true
}

impl HostDir {
    fn other<'a>(&self, dir: &'a dyn WasiDir) -> Result<&'a HostDir, Errno> {
        dir.as_any().downcast_ref::<HostDir>().ok_or(Errno::XDEV)
    }
}

impl WasiDir for HostDir {
    fn open(&self, path: &str, options: &OpenOptions) -> Result<Opened, Errno> {
        let follow = if options.follow {
            FollowSymlinks::Yes
        } else {
            FollowSymlinks::No
        };
        if options.directory && !options.create {
            let dir = if options.follow {
                self.dir.open_dir(path)
            } else {
                self.dir.open_dir_nofollow(path)
            };
            return Ok(Opened::Dir(Box::new(HostDir { dir: io(dir)? })));
        }
        let mut open = cap_std::fs::OpenOptions::new();
        // Creating or truncating needs a writable open, whatever rights the guest asked for.
        let write = options.write || options.create || options.truncate;
        open.read(options.read || !write)
            .write(write)
            .truncate(options.truncate)
            .follow(follow)
            .maybe_dir(true);
        if options.create && options.exclusive {
            open.create_new(true);
        } else {
            open.create(options.create);
        }
        let file = io(self.dir.open_with(path, &open))?;
        let meta = io(file.metadata())?;
        if meta.is_dir() {
            let dir = Dir::from_std_file(file.into_std());
            return Ok(Opened::Dir(Box::new(HostDir { dir })));
        }
        let filetype = filestat(&meta).filetype;
        Ok(Opened::File(Box::new(HostFile {
            file: file.into_std(),
            filetype,
        })))
    }

    fn create_dir(&self, path: &str) -> Result<(), Errno> {
        io(self.dir.create_dir(path))
    }

    fn remove_dir(&self, path: &str) -> Result<(), Errno> {
        io(self.dir.remove_dir(path))
    }

    fn unlink_file(&self, path: &str) -> Result<(), Errno> {
        io(self.dir.remove_file_or_symlink(path))
    }

    fn rename(&self, from: &str, to_dir: &dyn WasiDir, to: &str) -> Result<(), Errno> {
        io(self.dir.rename(from, &self.other(to_dir)?.dir, to))
    }

    fn hard_link(&self, from: &str, to_dir: &dyn WasiDir, to: &str) -> Result<(), Errno> {
        io(self.dir.hard_link(from, &self.other(to_dir)?.dir, to))
    }

    fn symlink(&self, target: &str, link: &str) -> Result<(), Errno> {
        // Following a link never leaves the directory (cap-std refuses it), but a link the
        // guest plants stays behind for the host: one that points out is refused outright.
        if !stays_below(target, link) {
            return Err(Errno::PERM);
        }
        io(DirExt::symlink(&self.dir, target, link))
    }

    fn read_link(&self, path: &str) -> Result<String, Errno> {
        let target = io(self.dir.read_link_contents(path))?;
        target
            .into_os_string()
            .into_string()
            .map_err(|_| Errno::ILSEQ)
    }

    fn stat_at(&self, path: &str, follow: bool) -> Result<Filestat, Errno> {
        let meta = if follow {
            self.dir.metadata(path)
        } else {
            self.dir.symlink_metadata(path)
        };
        io(meta).map(|m| filestat(&m))
    }

    fn set_times_at(
        &self,
        path: &str,
        follow: bool,
        atim: Option<SetTime>,
        mtim: Option<SetTime>,
    ) -> Result<(), Errno> {
        let (atim, mtim) = (time_spec(atim), time_spec(mtim));
        if follow {
            io(DirExt::set_times(&self.dir, path, atim, mtim))
        } else {
            io(self.dir.set_symlink_times(path, atim, mtim))
        }
    }

    fn stat(&self) -> Result<Filestat, Errno> {
        io(self.dir.dir_metadata()).map(|m| filestat(&m))
    }

    fn set_times(&self, atim: Option<SetTime>, mtim: Option<SetTime>) -> Result<(), Errno> {
        io(DirExt::set_times(
            &self.dir,
            ".",
            time_spec(atim),
            time_spec(mtim),
        ))
    }

    fn entries(&self) -> Result<Vec<DirEntry>, Errno> {
        let mut list = Vec::new();
        for entry in io(self.dir.entries())? {
            let entry = io(entry)?;
            let name = entry.file_name().to_string_lossy().into_owned();
            let filetype = common_type(io(entry.file_type())?).unwrap_or(FileType::Unknown);
            #[cfg(unix)]
            let ino = rustix::fs::DirEntryExt::ino(&entry);
            #[cfg(not(unix))]
            let ino = 0;
            list.push(DirEntry {
                name,
                ino,
                filetype,
            });
        }
        list.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(list)
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
}

impl WasiFile for HostFile {
    fn filetype(&self) -> FileType {
        self.filetype
    }

    fn read(&mut self, buf: &mut [u8]) -> Result<usize, Errno> {
        io(self.file.read(buf))
    }

    fn write(&mut self, buf: &[u8]) -> Result<usize, Errno> {
        io(self.file.write(buf))
    }

    fn read_at(&mut self, buf: &mut [u8], offset: u64) -> Result<usize, Errno> {
        #[cfg(unix)]
        return io(std::os::unix::fs::FileExt::read_at(&self.file, buf, offset));
        #[cfg(windows)]
        return io(std::os::windows::fs::FileExt::seek_read(
            &self.file, buf, offset,
        ));
    }

    fn write_at(&mut self, buf: &[u8], offset: u64) -> Result<usize, Errno> {
        #[cfg(unix)]
        return io(std::os::unix::fs::FileExt::write_at(
            &self.file, buf, offset,
        ));
        #[cfg(windows)]
        return io(std::os::windows::fs::FileExt::seek_write(
            &self.file, buf, offset,
        ));
    }

    fn seek(&mut self, pos: SeekFrom) -> Result<u64, Errno> {
        io(self.file.seek(pos))
    }

    fn stat(&self) -> Result<Filestat, Errno> {
        let meta = io(self.file.metadata())?;
        Ok(filestat(&Metadata::from_just_metadata(meta)))
    }

    fn set_size(&mut self, size: u64) -> Result<(), Errno> {
        io(self.file.set_len(size))
    }

    fn set_times(&mut self, atim: Option<SetTime>, mtim: Option<SetTime>) -> Result<(), Errno> {
        let mut times = std::fs::FileTimes::new();
        if let Some(t) = atim {
            times = times.set_accessed(system_time(t));
        }
        if let Some(t) = mtim {
            times = times.set_modified(system_time(t));
        }
        io(self.file.set_times(times))
    }

    fn sync(&mut self, data_only: bool) -> Result<(), Errno> {
        io(if data_only {
            self.file.sync_data()
        } else {
            self.file.sync_all()
        })
    }

    fn allocate(&mut self, offset: u64, len: u64) -> Result<(), Errno> {
        let end = offset.checked_add(len).ok_or(Errno::FBIG)?;
        if end > io(self.file.metadata())?.len() {
            io(self.file.set_len(end))?;
        }
        Ok(())
    }

    fn readable_bytes(&self) -> u64 {
        0
    }
}

#[cfg(test)]
mod tests {
    use super::stays_below;

    #[test]
    fn planted_links_must_point_below_the_directory() {
        assert!(stays_below("target", "link"));
        assert!(stays_below("../x", "a/link"));
        assert!(stays_below("../../x", "a/b/link"));
        assert!(stays_below("a/../b", "link"));
        assert!(!stays_below("../x", "link"));
        assert!(!stays_below("a/../../x", "link"));
        assert!(!stays_below("../../x", "a/link"));
        assert!(!stays_below("/", "link"));
        assert!(!stays_below("/etc/passwd", "a/link"));
    }
}
