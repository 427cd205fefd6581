//! The sandbox, as a hostile guest meets it: every path operation that would reach outside
//! the preopened directory fails, a symbolic link swapped in between two calls does not
//! open a way out, endless output and endless waiting end cleanly, and bad pointers and
//! lengths are errors for the guest, never a host panic.
//!
//! The guest is a trampoline module: it exports each WASI function under its own name, so
//! the test calls them one by one with the pointers it chooses.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use wasmite::{
    ExternVal, ImportsBuilder, MemoryRef, Module, ModuleInstance, ModuleRef, RuntimeValue,
    ValueType,
};
use wasmite_wasi::{
    Errno, MODULE_NAME, MemFs, OutputBuffer, Stdio, WasiCtx, WasiCtxBuilder, WasiError, WasiImports,
};

fn wat_type(ty: ValueType) -> &'static str {
    match ty {
        ValueType::I32 => "i32",
        ValueType::I64 => "i64",
        ValueType::F32 => "f32",
        ValueType::F64 => "f64",
    }
}

/// A module that imports every WASI function and exports each under its name.
fn trampoline() -> Module {
    let mut imports = String::new();
    let mut exports = String::new();
    for (name, sig) in WasiImports::functions() {
        let params: Vec<&str> = sig.params().iter().map(|t| wat_type(*t)).collect();
        let result = sig
            .return_type()
            .map(|t| format!("(result {})", wat_type(t)))
            .unwrap_or_default();
        let params = format!("(param {})", params.join(" "));
        let gets: String = (0..sig.params().len())
            .map(|i| format!("local.get {i} "))
            .collect();
        imports.push_str(&format!(
            "(import \"{MODULE_NAME}\" \"{name}\" (func ${name} {params} {result}))\n"
        ));
        exports.push_str(&format!(
            "(func (export \"{name}\") {params} {result} {gets} call ${name})\n"
        ));
    }
    let text = format!("(module {imports} (memory (export \"memory\") 1) {exports})");
    Module::from_buffer(wat::parse_str(&text).expect("trampoline is valid text"))
        .expect("trampoline loads")
}

struct Guest {
    instance: ModuleRef,
    memory: MemoryRef,
    wasi: WasiCtx,
}

/// Where the test puts strings in guest memory, and where results come back.
const PATH: u32 = 1024;
const PATH2: u32 = 2048;
const OUT: u32 = 4096;
const BUF: u32 = 8192;

impl Guest {
    fn new(builder: WasiCtxBuilder) -> Guest {
        let module = trampoline();
        let imports = ImportsBuilder::new().with_resolver(MODULE_NAME, &WasiImports);
        let instance = ModuleInstance::new(&module, &imports)
            .unwrap()
            .assert_no_start();
        let mut wasi = builder.build();
        wasi.attach(&instance);
        let Some(ExternVal::Memory(memory)) = instance.export_by_name("memory") else {
            panic!()
        };
        Guest {
            instance,
            memory,
            wasi,
        }
    }

    /// Calls WASI function `name`; its errno.
    fn call(&mut self, name: &str, args: &[i64]) -> Errno {
        let sig = WasiImports::functions()
            .find(|(n, _)| *n == name)
            .unwrap()
            .1;
        let values: Vec<RuntimeValue> = sig
            .params()
            .iter()
            .zip(args)
            .map(|(ty, v)| match ty {
                ValueType::I64 => RuntimeValue::I64(*v),
                _ => RuntimeValue::I32(*v as i32),
            })
            .collect();
        match self.instance.invoke_export(name, &values, &mut self.wasi) {
            Ok(Some(RuntimeValue::I32(code))) => errno(code),
            other => panic!("{name} returned {other:?}"),
        }
    }

    fn put(&self, at: u32, bytes: &[u8]) -> i64 {
        self.memory.set(at, bytes).unwrap();
        bytes.len() as i64
    }

    fn u32_at(&self, at: u32) -> u32 {
        self.memory.get_value::<u32>(at).unwrap()
    }

    /// `path_open` of `path` below the preopen (fd 3); the new fd or the error.
    fn open(&mut self, path: &str, follow: bool) -> Result<u32, Errno> {
        let len = self.put(PATH, path.as_bytes());
        let read_rights = 2; // FD_READ
        match self.call(
            "path_open",
            &[
                3,
                follow as i64,
                PATH as i64,
                len,
                0,
                read_rights,
                0,
                0,
                OUT as i64,
            ],
        ) {
            Errno::SUCCESS => Ok(self.u32_at(OUT)),
            e => Err(e),
        }
    }

    fn filestat(&mut self, path: &str, follow: bool) -> Errno {
        let len = self.put(PATH, path.as_bytes());
        self.call(
            "path_filestat_get",
            &[3, follow as i64, PATH as i64, len, OUT as i64],
        )
    }

    /// Calls a `(fd, path, fd, path)` function such as `path_rename`.
    fn two_paths(&mut self, name: &str, from: &str, to: &str) -> Errno {
        let (a, b) = (
            self.put(PATH, from.as_bytes()),
            self.put(PATH2, to.as_bytes()),
        );
        match name {
            "path_link" => self.call(name, &[3, 0, PATH as i64, a, 3, PATH2 as i64, b]),
            "path_symlink" => self.call(name, &[PATH as i64, a, 3, PATH2 as i64, b]),
            _ => self.call(name, &[3, PATH as i64, a, 3, PATH2 as i64, b]),
        }
    }

    /// Reads everything from `fd` through `fd_read`.
    fn read_all(&mut self, fd: u32) -> Vec<u8> {
        let mut data = Vec::new();
        loop {
            self.put(OUT, &[BUF.to_le_bytes(), 512u32.to_le_bytes()].concat());
            assert_eq!(
                self.call("fd_read", &[fd as i64, OUT as i64, 1, (OUT + 8) as i64]),
                Errno::SUCCESS
            );
            let n = self.u32_at(OUT + 8);
            if n == 0 {
                return data;
            }
            let mut chunk = vec![0; n as usize];
            self.memory.get_into(BUF, &mut chunk).unwrap();
            data.extend(chunk);
        }
    }
}

fn errno(code: i32) -> Errno {
    // Errno has no public constructor from a number: find the constant by its code.
    (0u16..=76)
        .map(errno_of)
        .find(|e| i32::from(e.raw()) == code)
        .unwrap_or_else(|| panic!("errno {code} out of range"))
}

fn errno_of(n: u16) -> Errno {
    [
        Errno::SUCCESS,
        Errno::TOOBIG,
        Errno::ACCES,
        Errno::ADDRINUSE,
        Errno::ADDRNOTAVAIL,
        Errno::AFNOSUPPORT,
        Errno::AGAIN,
        Errno::ALREADY,
        Errno::BADF,
        Errno::BADMSG,
        Errno::BUSY,
        Errno::CANCELED,
        Errno::CHILD,
        Errno::CONNABORTED,
        Errno::CONNREFUSED,
        Errno::CONNRESET,
        Errno::DEADLK,
        Errno::DESTADDRREQ,
        Errno::DOM,
        Errno::DQUOT,
        Errno::EXIST,
        Errno::FAULT,
        Errno::FBIG,
        Errno::HOSTUNREACH,
        Errno::IDRM,
        Errno::ILSEQ,
        Errno::INPROGRESS,
        Errno::INTR,
        Errno::INVAL,
        Errno::IO,
        Errno::ISCONN,
        Errno::ISDIR,
        Errno::LOOP,
        Errno::MFILE,
        Errno::MLINK,
        Errno::MSGSIZE,
        Errno::MULTIHOP,
        Errno::NAMETOOLONG,
        Errno::NETDOWN,
        Errno::NETRESET,
        Errno::NETUNREACH,
        Errno::NFILE,
        Errno::NOBUFS,
        Errno::NODEV,
        Errno::NOENT,
        Errno::NOEXEC,
        Errno::NOLCK,
        Errno::NOLINK,
        Errno::NOMEM,
        Errno::NOMSG,
        Errno::NOPROTOOPT,
        Errno::NOSPC,
        Errno::NOSYS,
        Errno::NOTCONN,
        Errno::NOTDIR,
        Errno::NOTEMPTY,
        Errno::NOTRECOVERABLE,
        Errno::NOTSOCK,
        Errno::NOTSUP,
        Errno::NOTTY,
        Errno::NXIO,
        Errno::OVERFLOW,
        Errno::OWNERDEAD,
        Errno::PERM,
        Errno::PIPE,
        Errno::PROTO,
        Errno::PROTONOSUPPORT,
        Errno::PROTOTYPE,
        Errno::RANGE,
        Errno::ROFS,
        Errno::SPIPE,
        Errno::SRCH,
        Errno::STALE,
        Errno::TIMEDOUT,
        Errno::TXTBSY,
        Errno::XDEV,
        Errno::NOTCAPABLE,
    ][n as usize]
}

/// A fresh host directory tree, removed on drop:
/// `outside.txt`, `secret/key.txt`, and the preopened `root/` with `inside.txt`, `sub/`,
/// `real/` and symbolic links `escape -> ../outside.txt`, `abs -> /etc/passwd`.
struct Tree(PathBuf);

impl Tree {
    fn new() -> Tree {
        static N: AtomicUsize = AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!(
            "wasmite-sandbox-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::SeqCst)
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("root/sub")).unwrap();
        std::fs::create_dir_all(dir.join("root/real")).unwrap();
        std::fs::create_dir_all(dir.join("secret")).unwrap();
        std::fs::write(dir.join("outside.txt"), "outside").unwrap();
        std::fs::write(dir.join("secret/key.txt"), "the key").unwrap();
        std::fs::write(dir.join("root/inside.txt"), "inside").unwrap();
        std::fs::write(dir.join("root/real/key.txt"), "a decoy").unwrap();
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink("../outside.txt", dir.join("root/escape")).unwrap();
            std::os::unix::fs::symlink("/etc/passwd", dir.join("root/abs")).unwrap();
        }
        Tree(dir)
    }

    fn root(&self) -> PathBuf {
        self.0.join("root")
    }

    fn guest(&self) -> Guest {
        Guest::new(WasiCtx::builder().preopen_dir(self.root(), "/").unwrap())
    }

    fn exists(&self, path: &str) -> bool {
        Path::new(&self.0.join(path)).symlink_metadata().is_ok()
    }
}

impl Drop for Tree {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The answers a confined path may get: Wasmite gives `EPERM` (cap-std's answer);
/// preview 1 also allows `ENOTCAPABLE`.
fn refused(errno: Errno) -> bool {
    errno == Errno::PERM || errno == Errno::NOTCAPABLE
}

#[test]
fn inside_the_preopen_everything_works() {
    let tree = Tree::new();
    let mut guest = tree.guest();
    let fd = guest.open("sub/../inside.txt", false).unwrap();
    assert_eq!(guest.read_all(fd), b"inside");
    assert_eq!(
        guest.filestat("escape", false),
        Errno::SUCCESS,
        "the link itself is inside"
    );
}

#[test]
fn dot_dot_and_absolute_paths_cannot_leave() {
    let tree = Tree::new();
    let mut guest = tree.guest();
    for path in [
        "../outside.txt",
        "sub/../../outside.txt",
        "/etc/passwd",
        "..",
        "sub/../..",
    ] {
        let opened = guest.open(path, true);
        assert!(opened.is_err_and(refused), "open {path}: {opened:?}");
        let stat = guest.filestat(path, true);
        assert!(refused(stat), "stat {path}: {stat:?}");
    }
}

#[test]
#[cfg(unix)]
fn symlinks_cannot_leave() {
    let tree = Tree::new();
    let mut guest = tree.guest();
    for path in ["escape", "abs"] {
        let opened = guest.open(path, true);
        assert!(opened.is_err_and(refused), "open {path}: {opened:?}");
        assert!(refused(guest.filestat(path, true)), "stat {path}");
    }
    // A guest cannot plant a link that points out either.
    for target in ["../outside.txt", "/etc/passwd", "sub/../../secret"] {
        let made = guest.two_paths("path_symlink", target, "planted");
        assert!(refused(made), "symlink -> {target}: {made:?}");
        assert!(!tree.exists("root/planted"));
    }
}

#[test]
fn rename_link_create_and_remove_cannot_leave() {
    let tree = Tree::new();
    let mut guest = tree.guest();
    let rename = guest.two_paths("path_rename", "inside.txt", "../moved.txt");
    assert!(refused(rename), "{rename:?}");
    let rename_in = guest.two_paths("path_rename", "../outside.txt", "stolen.txt");
    assert!(refused(rename_in), "{rename_in:?}");
    let link = guest.two_paths("path_link", "../outside.txt", "hardlink");
    assert!(refused(link), "{link:?}");
    let link_out = guest.two_paths("path_link", "inside.txt", "../hardlink");
    assert!(refused(link_out), "{link_out:?}");
    let len = guest.put(PATH, b"../newdir");
    assert!(refused(
        guest.call("path_create_directory", &[3, PATH as i64, len])
    ));
    let len = guest.put(PATH, b"../outside.txt");
    assert!(refused(
        guest.call("path_unlink_file", &[3, PATH as i64, len])
    ));
    let len = guest.put(PATH, b"../secret");
    assert!(refused(
        guest.call("path_remove_directory", &[3, PATH as i64, len])
    ));
    let len = guest.put(PATH, b"../outside.txt");
    let times = guest.call(
        "path_filestat_set_times",
        &[3, 1, PATH as i64, len, 0, 0, 2 | 8],
    );
    assert!(refused(times), "{times:?}");
    assert!(tree.exists("outside.txt") && tree.exists("secret") && tree.exists("root/inside.txt"));
    assert!(!tree.exists("moved.txt") && !tree.exists("newdir") && !tree.exists("hardlink"));
    assert!(!tree.exists("root/stolen.txt") && !tree.exists("root/hardlink"));
}

#[test]
#[cfg(unix)]
fn a_symlink_swapped_in_between_two_calls_leads_nowhere() {
    let tree = Tree::new();
    let mut guest = tree.guest();
    // First call: `real` is a directory inside; the guest sees its decoy.
    let fd = guest.open("real/key.txt", true).unwrap();
    assert_eq!(guest.read_all(fd), b"a decoy");
    // Between two calls the host tree changes: `real` becomes a link to the secret.
    std::fs::remove_dir_all(tree.root().join("real")).unwrap();
    std::os::unix::fs::symlink(tree.0.join("secret"), tree.root().join("real")).unwrap();
    let opened = guest.open("real/key.txt", true);
    assert!(opened.is_err_and(refused), "{opened:?}");
    assert!(refused(guest.filestat("real/key.txt", true)));
    // The same with a relative link that climbs out.
    std::fs::remove_file(tree.root().join("real")).unwrap();
    std::os::unix::fs::symlink("../secret", tree.root().join("real")).unwrap();
    assert!(guest.open("real/key.txt", true).is_err_and(refused));
}

#[test]
fn bad_pointers_and_lengths_are_efault_or_einval() {
    let tree = Tree::new();
    let mut guest = tree.guest();
    let end = 65536i64;
    // iovecs past the end, an enormous iovec count, a buffer past the end.
    assert_eq!(
        guest.call("fd_write", &[1, end - 4, 1, OUT as i64]),
        Errno::FAULT
    );
    assert_eq!(
        guest.call("fd_write", &[1, 0, 0x7fff_ffff, OUT as i64]),
        Errno::FAULT
    );
    guest.put(
        0,
        &[(end as u32 - 2).to_le_bytes(), 16u32.to_le_bytes()].concat(),
    );
    assert_eq!(guest.call("fd_write", &[1, 0, 1, OUT as i64]), Errno::FAULT);
    assert_eq!(
        guest.call("fd_write", &[1, 0, 0, end]),
        Errno::FAULT,
        "nwritten past the end"
    );
    // Paths and output pointers.
    assert_eq!(
        guest.call("path_open", &[3, 0, end - 1, 100, 0, 0, 0, 0, OUT as i64]),
        Errno::FAULT
    );
    assert_eq!(
        guest.call(
            "path_open",
            &[3, 0, PATH as i64, -1, 0, 0, 0, 0, OUT as i64]
        ),
        Errno::FAULT
    );
    assert_eq!(guest.call("args_sizes_get", &[end, 0]), Errno::FAULT);
    assert_eq!(guest.call("fd_filestat_get", &[3, end - 8]), Errno::FAULT);
    assert_eq!(
        guest.call("fd_readdir", &[3, end - 10, 100, 0, OUT as i64]),
        Errno::FAULT
    );
    assert_eq!(guest.call("random_get", &[0, end + 1]), Errno::FAULT);
    assert_eq!(guest.call("clock_time_get", &[0, 0, -1]), Errno::FAULT);
    // Invalid values.
    assert_eq!(
        guest.call("poll_oneoff", &[0, BUF as i64, 0, OUT as i64]),
        Errno::INVAL
    );
    assert_eq!(
        guest.call("poll_oneoff", &[0, BUF as i64, 0x1000_0000, OUT as i64]),
        Errno::FAULT
    );
    assert_eq!(guest.call("fd_seek", &[3, 0, 7, OUT as i64]), Errno::INVAL);
    assert_eq!(
        guest.call("fd_prestat_dir_name", &[3, end + 100, 0]),
        Errno::NAMETOOLONG
    );
    assert_eq!(
        guest.call("fd_filestat_set_times", &[3, 0, 0, 1 | 2]),
        Errno::INVAL
    );
    assert_eq!(
        guest.call("clock_time_get", &[99, 0, OUT as i64]),
        Errno::INVAL
    );
    assert_eq!(guest.call("fd_close", &[1_000_000]), Errno::BADF);
    let len = guest.put(PATH, b"bad\xffutf8");
    assert_eq!(
        guest.call(
            "path_open",
            &[3, 0, PATH as i64, len, 0, 0, 0, 0, OUT as i64]
        ),
        Errno::ILSEQ
    );
    let len = guest.put(PATH, b"inside.txt\0");
    assert_eq!(
        guest.call(
            "path_open",
            &[3, 0, PATH as i64, len, 0, 0, 0, 0, OUT as i64]
        ),
        Errno::ILSEQ
    );
}

#[test]
fn a_guest_cannot_hold_unlimited_descriptors() {
    let tree = Tree::new();
    let mut guest = tree.guest();
    let mut last = Ok(0);
    for _ in 0..wasmite_wasi::MAX_OPEN_DESCRIPTORS + 10 {
        last = guest.open("inside.txt", false);
        if last.is_err() {
            break;
        }
    }
    assert_eq!(last, Err(Errno::MFILE));
}

/// A guest that writes 1 GiB to stdout, 64 KiB per `fd_write`, and exits with the errno
/// that stopped it (0 if none did).
const FLOOD: &str = r#"(module
  (import "wasi_snapshot_preview1" "fd_write" (func $write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (memory (export "memory") 2)
  (func (export "_start") (local $i i32) (local $err i32)
    (i32.store (i32.const 0) (i32.const 65536))
    (i32.store (i32.const 4) (i32.const 65536))
    (loop $again
      (local.set $err (call $write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))
      (if (local.get $err) (then (call $exit (local.get $err))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $again (i32.lt_u (local.get $i) (i32.const 16384))))))"#;

#[test]
fn a_gigabyte_to_captured_stdout_ends_cleanly() {
    let module = Module::from_buffer(wat::parse_str(FLOOD).unwrap()).unwrap();
    let stdout = OutputBuffer::with_limit(1 << 20);
    let mut wasi = WasiCtx::builder()
        .stdout(Stdio::Capture(stdout.clone()))
        .build();
    let code = wasi.run_command(&module).unwrap();
    assert_eq!(code, u32::from(Errno::NOSPC.raw()));
    assert_eq!(stdout.contents().len(), 1 << 20);
}

#[test]
fn a_gigabyte_to_a_closed_stdout_ends_cleanly() {
    let module = Module::from_buffer(wat::parse_str(FLOOD).unwrap()).unwrap();
    let mut wasi = WasiCtx::builder().stdout(Stdio::Closed).build();
    assert_eq!(
        wasi.run_command(&module).unwrap(),
        u32::from(Errno::BADF.raw())
    );
}

#[test]
fn looping_in_poll_oneoff_ends_at_the_deadline() {
    // Sleeps 10 ms (a relative monotonic clock) forever.
    let wat = r#"(module
      (import "wasi_snapshot_preview1" "poll_oneoff" (func $poll (param i32 i32 i32 i32) (result i32)))
      (memory (export "memory") 1)
      (func (export "_start")
        (i32.store8 (i32.const 8) (i32.const 0))
        (i32.store (i32.const 16) (i32.const 1))
        (i64.store (i32.const 24) (i64.const 10000000))
        (loop $again
          (drop (call $poll (i32.const 0) (i32.const 64) (i32.const 1) (i32.const 128)))
          (br $again))))"#;
    let module = Module::from_buffer(wat::parse_str(wat).unwrap()).unwrap();
    let start = Instant::now();
    let mut wasi = WasiCtx::builder()
        .deadline(start + Duration::from_millis(300))
        .build();
    let error = wasi.run_command(&module).unwrap_err();
    let host = error
        .as_host_error()
        .and_then(|e| e.downcast_ref::<WasiError>());
    assert_eq!(host, Some(&WasiError::DeadlineExceeded), "{error:?}");
    assert!(start.elapsed() < Duration::from_secs(5));
}

#[test]
fn a_long_sleep_is_cut_short_by_the_deadline() {
    // One poll_oneoff asking for an hour.
    let wat = r#"(module
      (import "wasi_snapshot_preview1" "poll_oneoff" (func $poll (param i32 i32 i32 i32) (result i32)))
      (memory (export "memory") 1)
      (func (export "_start")
        (i32.store (i32.const 16) (i32.const 1))
        (i64.store (i32.const 24) (i64.const 3600000000000))
        (drop (call $poll (i32.const 0) (i32.const 64) (i32.const 1) (i32.const 128)))))"#;
    let module = Module::from_buffer(wat::parse_str(wat).unwrap()).unwrap();
    let start = Instant::now();
    let mut wasi = WasiCtx::builder()
        .deadline(start + Duration::from_millis(200))
        .build();
    assert!(wasi.run_command(&module).is_err());
    assert!(start.elapsed() < Duration::from_secs(5));
}

#[test]
fn an_in_memory_filesystem_and_byte_stdin() {
    let fs = MemFs::new();
    fs.write_file("in/hello.txt", "from memory").unwrap();
    let builder = WasiCtx::builder()
        .preopen(fs.clone(), "/")
        .stdin(Stdio::Bytes(b"typed"[..].into()));
    let mut guest = Guest::new(builder);
    let fd = guest.open("in/hello.txt", false).unwrap();
    assert_eq!(guest.read_all(fd), b"from memory");
    assert_eq!(guest.read_all(0), b"typed");
    assert!(guest.open("../escape", false).is_err_and(refused));
    // Create a file through WASI and read it from the host side.
    let len = guest.put(PATH, b"out.txt");
    let rights = 64; // FD_WRITE
    assert_eq!(
        guest.call(
            "path_open",
            &[3, 0, PATH as i64, len, 1, rights, 0, 0, OUT as i64]
        ),
        Errno::SUCCESS
    );
    let fd = guest.u32_at(OUT);
    guest.put(BUF, b"written by the guest");
    guest.put(OUT, &[BUF.to_le_bytes(), 20u32.to_le_bytes()].concat());
    assert_eq!(
        guest.call("fd_write", &[fd as i64, OUT as i64, 1, (OUT + 8) as i64]),
        Errno::SUCCESS
    );
    assert_eq!(
        fs.read_file("out.txt").as_deref(),
        Some(&b"written by the guest"[..])
    );
}
