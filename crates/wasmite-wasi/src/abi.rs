//! The numbers and memory layouts of WASI preview 1 (`wasi_snapshot_preview1`), as its
//! witx definitions (`typenames.witx`) give them: error codes, flags, and the offsets of
//! the structures the guest and the host exchange through linear memory.

use std::fmt;

macro_rules! errno_list {
    ($($(#[$doc:meta])* $name:ident = $value:literal, $text:literal;)*) => {
        /// A WASI error code (`errno`). Each host function returns one: `SUCCESS` or an error.
        #[derive(Clone, Copy, PartialEq, Eq, Hash)]
        pub struct Errno(u16);

        #[allow(missing_docs)]
        impl Errno {
            $(pub const $name: Errno = Errno($value);)*

            /// The code's number, as the guest sees it.
            pub fn raw(self) -> u16 {
                self.0
            }

            /// The code's POSIX-style name and meaning.
            pub fn message(self) -> &'static str {
                match self.0 {
                    $($value => $text,)*
                    _ => "unknown error",
                }
            }
        }
    };
}

errno_list! {
    SUCCESS = 0, "no error";
    TOOBIG = 1, "argument list too long";
    ACCES = 2, "permission denied";
    ADDRINUSE = 3, "address in use";
    ADDRNOTAVAIL = 4, "address not available";
    AFNOSUPPORT = 5, "address family not supported";
    AGAIN = 6, "resource unavailable, try again";
    ALREADY = 7, "connection already in progress";
    BADF = 8, "bad file descriptor";
    BADMSG = 9, "bad message";
    BUSY = 10, "device or resource busy";
    CANCELED = 11, "operation canceled";
    CHILD = 12, "no child processes";
    CONNABORTED = 13, "connection aborted";
    CONNREFUSED = 14, "connection refused";
    CONNRESET = 15, "connection reset";
    DEADLK = 16, "resource deadlock would occur";
    DESTADDRREQ = 17, "destination address required";
    DOM = 18, "mathematics argument out of domain of function";
    DQUOT = 19, "disk quota exceeded";
    EXIST = 20, "file exists";
    FAULT = 21, "bad address";
    FBIG = 22, "file too large";
    HOSTUNREACH = 23, "host is unreachable";
    IDRM = 24, "identifier removed";
    ILSEQ = 25, "illegal byte sequence";
    INPROGRESS = 26, "operation in progress";
    INTR = 27, "interrupted function";
    INVAL = 28, "invalid argument";
    IO = 29, "I/O error";
    ISCONN = 30, "socket is connected";
    ISDIR = 31, "is a directory";
    LOOP = 32, "too many levels of symbolic links";
    MFILE = 33, "file descriptor value too large";
    MLINK = 34, "too many links";
    MSGSIZE = 35, "message too large";
    MULTIHOP = 36, "multihop attempted";
    NAMETOOLONG = 37, "filename too long";
    NETDOWN = 38, "network is down";
    NETRESET = 39, "connection aborted by network";
    NETUNREACH = 40, "network unreachable";
    NFILE = 41, "too many files open in system";
    NOBUFS = 42, "no buffer space available";
    NODEV = 43, "no such device";
    NOENT = 44, "no such file or directory";
    NOEXEC = 45, "executable file format error";
    NOLCK = 46, "no locks available";
    NOLINK = 47, "link has been severed";
    NOMEM = 48, "not enough space";
    NOMSG = 49, "no message of the desired type";
    NOPROTOOPT = 50, "protocol not available";
    NOSPC = 51, "no space left on device";
    NOSYS = 52, "function not supported";
    NOTCONN = 53, "the socket is not connected";
    NOTDIR = 54, "not a directory or a symbolic link to a directory";
    NOTEMPTY = 55, "directory not empty";
    NOTRECOVERABLE = 56, "state not recoverable";
    NOTSOCK = 57, "not a socket";
    NOTSUP = 58, "not supported";
    NOTTY = 59, "inappropriate I/O control operation";
    NXIO = 60, "no such device or address";
    OVERFLOW = 61, "value too large to be stored in data type";
    OWNERDEAD = 62, "previous owner died";
    PERM = 63, "operation not permitted";
    PIPE = 64, "broken pipe";
    PROTO = 65, "protocol error";
    PROTONOSUPPORT = 66, "protocol not supported";
    PROTOTYPE = 67, "protocol wrong type for socket";
    RANGE = 68, "result too large";
    ROFS = 69, "read-only file system";
    SPIPE = 70, "invalid seek";
    SRCH = 71, "no such process";
    STALE = 72, "reserved";
    TIMEDOUT = 73, "connection timed out";
    TXTBSY = 74, "text file busy";
    XDEV = 75, "cross-device link";
    NOTCAPABLE = 76, "extension: capabilities insufficient";
}

impl fmt::Debug for Errno {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Errno({}: {})", self.0, self.message())
    }
}

impl fmt::Display for Errno {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.message())
    }
}

impl std::error::Error for Errno {}

/// The type of a file (`filetype`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum FileType {
    /// Not known, or none of the others.
    Unknown = 0,
    /// A block device.
    BlockDevice = 1,
    /// A character device (a terminal, `/dev/null`).
    CharacterDevice = 2,
    /// A directory.
    Directory = 3,
    /// A regular file.
    RegularFile = 4,
    /// A datagram socket.
    SocketDgram = 5,
    /// A stream socket (and pipes, which preview 1 has no type for).
    SocketStream = 6,
    /// A symbolic link.
    SymbolicLink = 7,
}

/// `fdflags`.
pub mod fdflags {
    /// Writes go to the end of the file.
    pub const APPEND: u16 = 1;
    /// Data writes are synchronised.
    pub const DSYNC: u16 = 2;
    /// Operations do not block.
    pub const NONBLOCK: u16 = 4;
    /// Reads are synchronised.
    pub const RSYNC: u16 = 8;
    /// Writes are synchronised, data and metadata.
    pub const SYNC: u16 = 16;
}

/// `oflags` of `path_open`.
pub mod oflags {
    /// Create the file if it does not exist.
    pub const CREAT: u16 = 1;
    /// Fail unless the path is a directory.
    pub const DIRECTORY: u16 = 2;
    /// With `CREAT`, fail if the file exists.
    pub const EXCL: u16 = 4;
    /// Truncate the file to size 0.
    pub const TRUNC: u16 = 8;
}

/// `lookupflags`: follow a symbolic link at the end of the path.
pub const LOOKUP_SYMLINK_FOLLOW: u32 = 1;

/// `fstflags` of the `*_set_times` functions.
pub mod fstflags {
    /// Set the access time to the given value.
    pub const ATIM: u16 = 1;
    /// Set the access time to now.
    pub const ATIM_NOW: u16 = 2;
    /// Set the modification time to the given value.
    pub const MTIM: u16 = 4;
    /// Set the modification time to now.
    pub const MTIM_NOW: u16 = 8;
}

/// `rights`: the capabilities a descriptor carries.
pub mod rights {
    #![allow(missing_docs)]
    pub const FD_DATASYNC: u64 = 1 << 0;
    pub const FD_READ: u64 = 1 << 1;
    pub const FD_SEEK: u64 = 1 << 2;
    pub const FD_FDSTAT_SET_FLAGS: u64 = 1 << 3;
    pub const FD_SYNC: u64 = 1 << 4;
    pub const FD_TELL: u64 = 1 << 5;
    pub const FD_WRITE: u64 = 1 << 6;
    pub const FD_ADVISE: u64 = 1 << 7;
    pub const FD_ALLOCATE: u64 = 1 << 8;
    pub const PATH_CREATE_DIRECTORY: u64 = 1 << 9;
    pub const PATH_CREATE_FILE: u64 = 1 << 10;
    pub const PATH_LINK_SOURCE: u64 = 1 << 11;
    pub const PATH_LINK_TARGET: u64 = 1 << 12;
    pub const PATH_OPEN: u64 = 1 << 13;
    pub const FD_READDIR: u64 = 1 << 14;
    pub const PATH_READLINK: u64 = 1 << 15;
    pub const PATH_RENAME_SOURCE: u64 = 1 << 16;
    pub const PATH_RENAME_TARGET: u64 = 1 << 17;
    pub const PATH_FILESTAT_GET: u64 = 1 << 18;
    pub const PATH_FILESTAT_SET_SIZE: u64 = 1 << 19;
    pub const PATH_FILESTAT_SET_TIMES: u64 = 1 << 20;
    pub const FD_FILESTAT_GET: u64 = 1 << 21;
    pub const FD_FILESTAT_SET_SIZE: u64 = 1 << 22;
    pub const FD_FILESTAT_SET_TIMES: u64 = 1 << 23;
    pub const PATH_SYMLINK: u64 = 1 << 24;
    pub const PATH_REMOVE_DIRECTORY: u64 = 1 << 25;
    pub const PATH_UNLINK_FILE: u64 = 1 << 26;
    pub const POLL_FD_READWRITE: u64 = 1 << 27;
    pub const SOCK_SHUTDOWN: u64 = 1 << 28;
    pub const SOCK_ACCEPT: u64 = 1 << 29;
    /// Every right preview 1 defines.
    pub const ALL: u64 = (1 << 30) - 1;

    /// The rights that make sense on a regular file or a stream.
    pub const FILE: u64 = FD_DATASYNC
        | FD_READ
        | FD_SEEK
        | FD_FDSTAT_SET_FLAGS
        | FD_SYNC
        | FD_TELL
        | FD_WRITE
        | FD_ADVISE
        | FD_ALLOCATE
        | FD_FILESTAT_GET
        | FD_FILESTAT_SET_SIZE
        | FD_FILESTAT_SET_TIMES
        | POLL_FD_READWRITE;

    /// The base rights of a preopened directory: its path operations (the same set as
    /// Wasmtime's, which programs and the conformance tests expect).
    pub const PREOPEN_BASE: u64 = PATH_CREATE_DIRECTORY
        | PATH_CREATE_FILE
        | PATH_LINK_SOURCE
        | PATH_LINK_TARGET
        | PATH_OPEN
        | FD_READDIR
        | PATH_READLINK
        | PATH_RENAME_SOURCE
        | PATH_RENAME_TARGET
        | PATH_FILESTAT_GET
        | PATH_FILESTAT_SET_TIMES
        | FD_FILESTAT_GET
        | FD_FILESTAT_SET_TIMES
        | PATH_SYMLINK
        | PATH_REMOVE_DIRECTORY
        | PATH_UNLINK_FILE;

    /// The inheriting rights of a preopened directory: its own and a file's.
    pub const PREOPEN_INHERITING: u64 = PREOPEN_BASE | FILE;

    /// Rights a directory opened by `path_open` never has: seeking and sizes.
    pub const NOT_DIRECTORY: u64 = FD_SEEK | FD_FILESTAT_SET_SIZE | PATH_FILESTAT_SET_SIZE;
}

/// `clockid`.
pub mod clockid {
    /// Wall-clock time since the Unix epoch.
    pub const REALTIME: u32 = 0;
    /// A clock that never goes back, from an unspecified start.
    pub const MONOTONIC: u32 = 1;
    /// CPU time of the process.
    pub const PROCESS_CPUTIME: u32 = 2;
    /// CPU time of the thread.
    pub const THREAD_CPUTIME: u32 = 3;
}

/// `whence` of `fd_seek`.
pub mod whence {
    /// From the start.
    pub const SET: u8 = 0;
    /// From the current position.
    pub const CUR: u8 = 1;
    /// From the end.
    pub const END: u8 = 2;
}

/// `eventtype` of `poll_oneoff`.
pub mod eventtype {
    /// A clock's timeout.
    pub const CLOCK: u8 = 0;
    /// A descriptor has data to read.
    pub const FD_READ: u8 = 1;
    /// A descriptor can be written.
    pub const FD_WRITE: u8 = 2;
}

/// `subclockflags`: the timeout is an absolute time of the clock.
pub const SUBCLOCK_ABSTIME: u16 = 1;

/// `eventrwflags`: the peer hung up.
pub const EVENT_FD_READWRITE_HANGUP: u16 = 1;

/// Sizes and field offsets of the structures in guest memory.
pub mod layout {
    #![allow(missing_docs)]
    /// `iovec` / `ciovec`: `buf: u32`, `buf_len: u32`.
    pub const IOVEC_SIZE: u32 = 8;
    /// `fdstat`: filetype u8 @0, flags u16 @2, rights_base u64 @8, rights_inheriting u64 @16.
    pub const FDSTAT_SIZE: u32 = 24;
    /// `filestat`: dev @0, ino @8, filetype u8 @16, nlink @24, size @32, atim @40, mtim @48,
    /// ctim @56.
    pub const FILESTAT_SIZE: u32 = 64;
    /// `prestat`: tag u8 @0 (0 = dir), name length u32 @4.
    pub const PRESTAT_SIZE: u32 = 8;
    /// `dirent`: d_next u64 @0, d_ino u64 @8, d_namlen u32 @16, d_type u8 @20; the name follows.
    pub const DIRENT_SIZE: u32 = 24;
    /// `subscription`: userdata u64 @0, tag u8 @8, then clock {id u32 @16, timeout u64 @24,
    /// precision u64 @32, flags u16 @40} or fd_readwrite {fd u32 @16}.
    pub const SUBSCRIPTION_SIZE: u32 = 48;
    /// `event`: userdata u64 @0, error u16 @8, type u8 @10, nbytes u64 @16, flags u16 @24.
    pub const EVENT_SIZE: u32 = 32;
}
