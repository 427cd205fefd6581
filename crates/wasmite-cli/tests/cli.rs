//! The `wasmite` command as a user meets it: what each subcommand prints, its exit status,
//! and its one-line errors.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn wasmite(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_wasmite"))
        .args(args)
        .output()
        .expect("wasmite runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn programs() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("programs")
}

/// A scratch file with `contents`, removed on drop.
struct Scratch(PathBuf);

impl Scratch {
    fn new(name: &str, contents: &[u8]) -> Scratch {
        let path = std::env::temp_dir().join(format!("wasmite-cli-{}-{name}", std::process::id()));
        std::fs::write(&path, contents).unwrap();
        Scratch(path)
    }

    fn path(&self) -> &str {
        self.0.to_str().unwrap()
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

#[test]
fn runs_the_readme_program_with_a_preopened_directory() {
    let data = format!("{}::/data", programs().join("data").display());
    let wasm = programs().join("wordfreq.wasm");
    let out = wasmite(&[
        "run",
        "--env",
        "WORDFREQ_TOP=3",
        "--dir",
        &data,
        wasm.to_str().unwrap(),
        "/data",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("14    114     627 /data/sonnet18.txt"),
        "{stdout}"
    );
    assert!(stdout.ends_with("top: and 9, to 7, the 6\n"), "{stdout}");
    // Outside the preopen there is nothing.
    let out = wasmite(&["run", "--dir", &data, wasm.to_str().unwrap(), "/etc/passwd"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("wordfreq: /etc/passwd:"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn passes_the_exit_code_of_proc_exit_through() {
    let wat = Scratch::new(
        "exit.wat",
        br#"(module (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
              (memory (export "memory") 1)
              (func (export "_start") (call $exit (i32.const 42))))"#,
    );
    let out = wasmite(&["run", wat.path()]);
    assert_eq!(out.status.code(), Some(42));
}

#[test]
fn invokes_an_export_with_typed_arguments() {
    let fib = Path::new(env!("CARGO_MANIFEST_DIR")).join("../wasmite/examples/fib.wat");
    let out = wasmite(&["run", "--invoke", "fib", fib.to_str().unwrap(), "20"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), "6765\n");
    let out = wasmite(&["run", "--invoke", "fib", fib.to_str().unwrap(), "twenty"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("`twenty` is not a valid i64 argument"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn a_trap_prints_its_message_and_backtrace_and_exits_134() {
    let wat = Scratch::new(
        "trap.wat",
        br#"(module $prog (memory (export "memory") 1)
              (func $fail unreachable)
              (func $start (export "_start") (call $fail)))"#,
    );
    let out = wasmite(&["run", wat.path()]);
    assert_eq!(out.status.code(), Some(134));
    let stderr = text(&out.stderr);
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 4, "{stderr}");
    assert_eq!(lines[0], "error: wasm trap: unreachable");
    assert_eq!(lines[1], "wasm backtrace:");
    assert!(lines[2].starts_with("    0: "), "{stderr}");
    assert!(lines[2].ends_with(" - prog!fail"), "{stderr}");
    assert!(lines[3].ends_with(" - prog!start"), "{stderr}");
}

#[test]
fn errors_are_one_clear_line() {
    let missing = wasmite(&["run", "/no/such/file.wasm"]);
    assert_eq!(missing.status.code(), Some(1));
    assert!(text(&missing.stderr).starts_with("error: cannot read /no/such/file.wasm:"));

    let junk = Scratch::new("junk.wasm", b"\x7fELF not wasm at all");
    let not_wasm = wasmite(&["run", junk.path()]);
    assert_eq!(not_wasm.status.code(), Some(1));
    assert!(text(&not_wasm.stderr).contains("is neither a Wasm binary nor valid Wasm text"));

    let wat = Scratch::new(
        "import.wat",
        br#"(module (import "env" "missing" (func)) (func (export "_start")))"#,
    );
    let link = wasmite(&["run", wat.path()]);
    assert_eq!(link.status.code(), Some(1));
    let stderr = text(&link.stderr);
    assert!(stderr.contains("unknown import env::missing"), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");

    // With --trap-unknown-imports it links, and traps only if called.
    let trapping = wasmite(&["run", "--trap-unknown-imports", wat.path()]);
    assert!(trapping.status.success(), "{}", text(&trapping.stderr));

    let no_start = Scratch::new("nostart.wat", b"(module (func (export \"main\")))");
    let out = wasmite(&["run", no_start.path()]);
    assert!(
        text(&out.stderr).contains("exports no function `_start`"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn validate_reports_the_offset() {
    let good = Scratch::new("good.wat", b"(module (func (result i32) i32.const 1))");
    let out = wasmite(&["validate", good.path()]);
    assert!(out.status.success());
    assert!(text(&out.stdout).ends_with(": valid\n"));
    // (func (result i32)) with an empty body: type mismatch at the body's end.
    let bad = Scratch::new(
        "bad.wasm",
        b"\0asm\x01\0\0\0\x01\x05\x01\x60\0\x01\x7f\x03\x02\x01\0\x0a\x04\x01\x02\0\x0b",
    );
    let out = wasmite(&["validate", bad.path()]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("type mismatch") && stderr.contains("offset 0x"),
        "{stderr}"
    );
}

#[test]
fn wast_runs_spec_scripts() {
    let script = Scratch::new(
        "t.wast",
        br#"(module (func (export "add") (param i32 i32) (result i32) local.get 0 local.get 1 i32.add))
            (assert_return (invoke "add" (i32.const 2) (i32.const 3)) (i32.const 5))
            (assert_trap (module (func $f unreachable) (start $f)) "unreachable")"#,
    );
    let out = wasmite(&["wast", script.path()]);
    assert!(out.status.success(), "{}", text(&out.stdout));
    assert!(
        text(&out.stdout).ends_with("wast: 3 passed, 0 failed\n"),
        "{}",
        text(&out.stdout)
    );
    let failing = Scratch::new("f.wast", b"(assert_return (invoke \"nothing\"))");
    let out = wasmite(&["wast", failing.path()]);
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn every_subcommand_has_help() {
    for sub in ["run", "validate", "wast"] {
        let out = wasmite(&[sub, "--help"]);
        assert!(out.status.success());
        assert!(text(&out.stdout).contains("Usage: wasmite"), "{sub}");
    }
    let out = wasmite(&["--help"]);
    assert!(text(&out.stdout).contains("run") && text(&out.stdout).contains("validate"));
}

#[test]
fn max_memory_caps_memory_grow() {
    // Exits with 7 when memory.grow fails, 0 when it succeeds.
    let wat = Scratch::new(
        "grow.wat",
        br#"(module (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
              (memory (export "memory") 1)
              (func (export "_start")
                (if (i32.eq (memory.grow (i32.const 9)) (i32.const -1))
                  (then (call $exit (i32.const 7))))))"#,
    );
    assert_eq!(wasmite(&["run", wat.path()]).status.code(), Some(0));
    let capped = wasmite(&["run", "--max-memory", "131072", wat.path()]);
    assert_eq!(capped.status.code(), Some(7));
    let too_small = wasmite(&["run", "--max-memory", "1000", wat.path()]);
    assert_eq!(too_small.status.code(), Some(1));
    assert!(
        text(&too_small.stderr).contains("refused a memory of 1 pages"),
        "{}",
        text(&too_small.stderr)
    );
}

#[test]
fn fuel_and_timeout_stop_an_endless_program() {
    let wat = Scratch::new(
        "spin.wat",
        br#"(module (memory (export "memory") 1) (func (export "_start") (loop (br 0))))"#,
    );
    let out = wasmite(&["run", "--fuel", "100000", wat.path()]);
    assert_eq!(out.status.code(), Some(134));
    assert_eq!(
        text(&out.stderr).trim(),
        "error: out of fuel: the program used all 100000 units of --fuel"
    );
    let start = std::time::Instant::now();
    let out = wasmite(&["run", "--timeout", "200ms", wat.path()]);
    assert_eq!(out.status.code(), Some(134));
    assert!(
        text(&out.stderr).contains("timed out"),
        "{}",
        text(&out.stderr)
    );
    assert!(start.elapsed() < std::time::Duration::from_secs(10));
    let bad = wasmite(&["run", "--timeout", "soon", wat.path()]);
    assert_eq!(bad.status.code(), Some(2), "clap's usage error");
    // Enough fuel: the README's program runs to the end.
    let data = format!("{}::/data", programs().join("data").display());
    let wasm = programs().join("wordfreq.wasm");
    let out = wasmite(&[
        "run",
        "--fuel",
        "100000000",
        "--timeout",
        "60s",
        "--dir",
        &data,
        wasm.to_str().unwrap(),
        "/data",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
}
