//! `cargo xtask wasi-testsuite`: runs the WASI preview 1 conformance tests (the
//! WebAssembly/wasi-testsuite repository) against the `wasmite` command-line tool.
//!
//! It does what the suite's `doc/specification.md` asks of an executor, and calls
//! `wasmite` the way the official runner's Wasmtime adapter calls `wasmtime`:
//! `wasmite run --env K=V ... --dir ROOT::/ TEST.wasm ARGS...`. Each test runs on a fresh,
//! writable copy of its fixture directory, so the (read-only) suite is never written.

use std::fs;
use std::io;
#[cfg(unix)]
use std::os::unix::{fs::PermissionsExt as _, process::ExitStatusExt as _};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};
use serde_json::Value;

/// Where the suite is by default, from the workspace root.
const DEFAULT_SUITE: &str = "../shared/wasi-testsuite";
/// Each test's time limit; past it the child is killed and the test fails.
const TIMEOUT: Duration = Duration::from_secs(60);

/// One step of a test, as in the spec's operation-based format (the official runner turns
/// the legacy format into these too).
enum Op {
    Run(Run),
    Wait(i64),
    /// A read of stdout (`true`) or stderr, and the payload expected.
    Read(bool, String),
}

/// How to start the test: its arguments, WASI environment and fixture directory.
struct Run {
    args: Vec<String>,
    env: Vec<(String, String)>,
    root: Option<String>,
}

/// What a run left: its exit code, and its stdout and stderr with how much of each was read.
struct Ran {
    code: i64,
    output: [String; 2],
    read: [usize; 2],
}

enum Outcome {
    Pass,
    /// Why, with the full stdout and stderr of the last run under `--verbose`.
    Fail(String),
    Skip(String),
}

/// `cargo xtask wasi-testsuite [--path DIR] [--filter SUBSTR] [--verbose]`.
pub fn wasi_testsuite(args: &[String]) -> anyhow::Result<ExitCode> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .context("xtask has no parent directory")?;
    let (mut suite, mut filter, mut verbose) = (root.join(DEFAULT_SUITE), None, false);
    crate::for_each_option(args, |flag, value| {
        match flag {
            "--path" => suite = PathBuf::from(value()?),
            "--filter" => filter = Some(value()?),
            "--verbose" | "-v" => verbose = true,
            other => bail!(
                "unknown option `{other}` for `wasi-testsuite`\n\
                 usage: cargo xtask wasi-testsuite [--path DIR] [--filter SUBSTR] [--verbose]"
            ),
        }
        Ok(())
    })?;
    if !suite.join("tests").is_dir() {
        eprintln!(
            "no WASI test suite at {}.\nGet it from the WebAssembly/wasi-testsuite repository, \
             branch `prod/testsuite-base` (the directories \
             tests/{{rust,c,assemblyscript}}/testsuite/wasm32-wasip1), and pass `--path DIR`.",
            suite.display()
        );
        return Ok(ExitCode::from(2));
    }
    let suite = suite.canonicalize().unwrap_or(suite);
    let cases = find_tests(&suite, filter.as_deref())?;
    let wasmite = build_cli(root)?;
    let mut counts = [0; 3];
    for (name, wasm) in &cases {
        let (index, line) = match run_test(&wasmite, wasm, verbose) {
            Outcome::Pass => (0, format!("ok   {name}")),
            Outcome::Fail(reason) => (1, format!("FAIL {name}: {reason}")),
            Outcome::Skip(reason) => (2, format!("skip {name}: {reason}")),
        };
        counts[index] += 1;
        println!("{line}");
    }
    let [passed, failed, skipped] = counts;
    println!("wasi: {passed} passed, {failed} failed, {skipped} skipped");
    Ok(ExitCode::from(u8::from(failed > 0)))
}

/// Every `tests/*/testsuite/wasm32-wasip1/*.wasm`, named `LANGUAGE/BASE`, sorted.
fn find_tests(suite: &Path, filter: Option<&str>) -> anyhow::Result<Vec<(String, PathBuf)>> {
    let mut cases = Vec::new();
    let tests = suite.join("tests");
    for language in fs::read_dir(&tests).with_context(|| format!("reading {}", tests.display()))? {
        let language = language?;
        let Ok(entries) = fs::read_dir(language.path().join("testsuite/wasm32-wasip1")) else {
            continue;
        };
        for path in entries.map(|entry| entry.map(|entry| entry.path())) {
            let path = path?;
            let name = format!(
                "{}/{}",
                language.file_name().to_string_lossy(),
                path.file_stem().unwrap_or_default().to_string_lossy()
            );
            if path.extension().is_some_and(|ext| ext == "wasm")
                && filter.is_none_or(|filter| name.contains(filter))
            {
                cases.push((name, path));
            }
        }
    }
    if cases.is_empty() {
        bail!("no test matches under {}", tests.display());
    }
    cases.sort();
    Ok(cases)
}

/// `cargo build --release -p wasmite-cli`, then the path of its binary.
fn build_cli(root: &Path) -> anyhow::Result<PathBuf> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let status = Command::new(cargo)
        .current_dir(root)
        .args(["build", "--release", "-p", "wasmite-cli"])
        .status()
        .context("cannot run cargo")?;
    if !status.success() {
        bail!("`cargo build --release -p wasmite-cli` failed ({status})");
    }
    // Cargo reads a relative CARGO_TARGET_DIR from its working directory, here the root.
    let target =
        std::env::var_os("CARGO_TARGET_DIR").map_or(root.join("target"), |dir| root.join(dir));
    let wasmite = target.join(format!("release/wasmite{}", std::env::consts::EXE_SUFFIX));
    if !wasmite.is_file() {
        bail!("the build made no {}", wasmite.display());
    }
    Ok(wasmite)
}

/// Reads the spec beside `wasm` (absent = defaults) into operations, or the reason to skip
/// the test, as `Config.from_file` of the official runner (`wasi_test_runner/test_case.py`).
/// `spec["key"]` is `null` for a missing key, and the runner takes `null` as missing too.
fn read_spec(wasm: &Path) -> anyhow::Result<Result<Vec<Op>, String>> {
    let path = wasm.with_extension("json");
    let spec: Value = match fs::read_to_string(&path) {
        Ok(text) => serde_json::from_str(&text).with_context(|| format!("{}", path.display()))?,
        Err(error) if error.kind() == io::ErrorKind::NotFound => Value::Null,
        Err(error) => return Err(error).with_context(|| format!("{}", path.display())),
    };
    let legacy = ["operations", "proposals", "servers"].map(|key| spec[key].is_null());
    if legacy == [true; 3] {
        // The legacy format: run, a read of stdout and one of stderr only where the spec
        // gives them, then wait. So a missing `stdout` is not checked at all, and `""`
        // checks nothing either (see `Op::Read` in `run_test`).
        let mut ops = vec![run_op(&spec)];
        for (key, stdout) in [("stdout", true), ("stderr", false)] {
            if let Some(payload) = spec[key].as_str() {
                ops.push(Op::Read(stdout, payload.into()));
            }
        }
        ops.push(Op::Wait(spec["exit_code"].as_i64().unwrap_or(0)));
        return Ok(Ok(ops));
    }
    let (proposals, world) = (&spec["proposals"], spec["world"].as_str());
    if proposals.as_array().is_some_and(|list| !list.is_empty()) {
        return Ok(Err(format!("needs the WASI proposals {proposals}")));
    }
    if spec["servers"]
        .as_array()
        .is_some_and(|list| !list.is_empty())
    {
        return Ok(Err("needs HTTP servers".to_string()));
    }
    if let Some(world) = world.filter(|world| *world != "wasi:cli/command") {
        return Ok(Err(format!("targets the world {world}")));
    }
    // No operations: the default of doc/specification.md (the runner would run none).
    let Some(list) = spec["operations"].as_array() else {
        return Ok(Ok(vec![run_op(&Value::Null), Op::Wait(0)]));
    };
    let mut ops = Vec::new();
    for op in list {
        let id = op["id"].as_str().unwrap_or("stdout");
        ops.push(match op["type"].as_str().unwrap_or_default() {
            "run" => run_op(op),
            "wait" => Op::Wait(op["exit_code"].as_i64().unwrap_or(0)),
            "read" if id == "stdout" || id == "stderr" => {
                Op::Read(id == "stdout", op["payload"].as_str().unwrap_or("").into())
            }
            "read" => bail!("{}: `read` of unknown stream `{id}`", path.display()),
            other => return Ok(Err(format!("uses `{other}` operations"))),
        });
    }
    Ok(Ok(ops))
}

/// A `run` operation, or the legacy format's fields for it.
fn run_op(spec: &Value) -> Op {
    // Strings as they are, anything else as JSON (Python would print it its own way).
    let text = |value: &Value| value.as_str().map_or(value.to_string(), String::from);
    let args = spec["args"].as_array().into_iter().flatten();
    // serde_json sorts the keys; the suite's environments are sorted already.
    let env = spec["env"].as_object().into_iter().flatten();
    Op::Run(Run {
        args: args.map(text).collect(),
        env: env.map(|(key, value)| (key.clone(), text(value))).collect(),
        root: spec["root"].as_str().map(String::from),
    })
}

/// Runs one test's operations in order; the first failing one fails the test, as in the
/// official runner.
fn run_test(wasmite: &Path, wasm: &Path, verbose: bool) -> Outcome {
    let ops = match read_spec(wasm) {
        Ok(Ok(ops)) => ops,
        Ok(Err(reason)) => return Outcome::Skip(reason),
        Err(error) => return Outcome::Fail(format!("bad spec: {error:#}")),
    };
    let mut last: Option<Ran> = None;
    for op in ops {
        let failure = match (op, last.as_mut()) {
            (Op::Run(spec), _) => match run(wasmite, wasm, &spec) {
                Ok(ran) => {
                    last = Some(ran);
                    continue;
                }
                Err(error) => return Outcome::Fail(format!("{error:#}")),
            },
            // The runner reads as many characters as the payload has and compares them:
            // the payload must be a prefix of the output not read yet, the rest is not
            // checked (and an empty payload checks nothing).
            (Op::Read(stdout, payload), Some(ran)) => {
                let stream = usize::from(!stdout);
                let text = &ran.output[stream][ran.read[stream]..];
                let got: String = text.chars().take(payload.chars().count()).collect();
                ran.read[stream] += got.len();
                let name = if stdout { "stdout" } else { "stderr" };
                (got != payload).then(|| format!("{name} {got:?}, expected {payload:?}"))
            }
            (Op::Wait(expected), Some(ran)) => (ran.code != expected).then(|| {
                let mut reason = format!("exit code {}, expected {expected}", ran.code);
                if let Some(line) = ran.output[1].lines().find(|line| !line.trim().is_empty()) {
                    reason.push_str(&format!("; stderr: {line}"));
                }
                reason
            }),
            (_, None) => return Outcome::Fail("bad spec: no `run` first".to_string()),
        };
        if let Some(mut reason) = failure {
            if let (true, Some([out, err])) = (verbose, last.map(|ran| ran.output)) {
                reason.push_str(&format!("\n==STDOUT==\n{out}\n==STDERR==\n{err}\n==END=="));
            }
            return Outcome::Fail(reason);
        }
    }
    Outcome::Pass
}

/// Runs `wasmite` once, on a fresh copy of the fixture `root` (relative to the test's
/// directory), within [`TIMEOUT`].
fn run(wasmite: &Path, wasm: &Path, spec: &Run) -> anyhow::Result<Ran> {
    let mut command = Command::new(wasmite);
    command.arg("run");
    // The WASI environment is these variables only; the process itself inherits ours.
    for (key, value) in &spec.env {
        command.arg("--env").arg(format!("{key}={value}"));
    }
    let mut copy = None;
    if let Some(root) = &spec.root {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let name = format!(
            "wasmite-wasi-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        );
        let dir = &copy.insert(TempDir(std::env::temp_dir().join(name))).0;
        let source = wasm.parent().unwrap_or(Path::new(".")).join(root);
        copy_tree(&source, dir).with_context(|| format!("copying {}", source.display()))?;
        remove_cleanup(dir).context("removing *.cleanup files")?;
        let mut preopen = dir.clone().into_os_string();
        preopen.push("::/");
        command.arg("--dir").arg(preopen);
    }
    command.arg(wasm).args(&spec.args);
    let mut child = command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .with_context(|| format!("cannot start {}", wasmite.display()))?;
    drop(child.stdin.take()); // an empty pipe, as the runner's `communicate()` leaves it
    let readers = [
        drain(child.stdout.take().context("no stdout pipe")?),
        drain(child.stderr.take().context("no stderr pipe")?),
    ];
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait()? {
            break status;
        }
        if start.elapsed() > TIMEOUT {
            let _ = child.kill();
            let _ = child.wait();
            bail!("timed out after {} s", TIMEOUT.as_secs());
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    // Python's `returncode`: minus the signal for a killed process.
    #[cfg(unix)]
    let code = status
        .code()
        .or_else(|| status.signal().map(|signal| -signal));
    #[cfg(not(unix))]
    let code = status.code();
    let output = readers.map(|reader| reader.join().unwrap_or_default());
    Ok(Ran {
        code: code.map_or(-1, i64::from),
        output,
        read: [0, 0],
    })
}

/// Reads a pipe to its end on a thread of its own, into text as the runner's pipes in text
/// mode give it (UTF-8, universal newlines).
fn drain(mut pipe: impl io::Read + Send + 'static) -> std::thread::JoinHandle<String> {
    std::thread::spawn(move || {
        let mut bytes = Vec::new();
        let _ = pipe.read_to_end(&mut bytes);
        String::from_utf8_lossy(&bytes)
            .replace("\r\n", "\n")
            .replace('\r', "\n")
    })
}

/// A temporary directory, removed when dropped.
struct TempDir(PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        if let Err(error) = fs::remove_dir_all(&self.0)
            && error.kind() != io::ErrorKind::NotFound
        {
            eprintln!("warning: cannot remove {}: {error}", self.0.display());
        }
    }
}

/// Copies a directory tree, keeping symbolic links as links (on Unix) and making files
/// writable by their owner: the suite may be read-only, its repository's files are not.
fn copy_tree(from: &Path, to: &Path) -> io::Result<()> {
    fs::create_dir(to)?;
    for entry in fs::read_dir(from)? {
        let entry = entry?;
        let (kind, dest) = (entry.file_type()?, to.join(entry.file_name()));
        if kind.is_dir() {
            copy_tree(&entry.path(), &dest)?;
            continue;
        }
        #[cfg(unix)]
        if kind.is_symlink() {
            std::os::unix::fs::symlink(fs::read_link(entry.path())?, &dest)?;
            continue;
        }
        fs::copy(entry.path(), &dest)?;
        #[cfg(unix)]
        {
            let mut permissions = fs::metadata(&dest)?.permissions();
            permissions.set_mode(permissions.mode() | 0o200);
            fs::set_permissions(&dest, permissions)?;
        }
    }
    Ok(())
}

/// Removes every `*.cleanup` file or directory under `dir`, not following links, as the
/// spec asks before a run.
fn remove_cleanup(dir: &Path) -> io::Result<()> {
    for entry in fs::read_dir(dir)? {
        let entry = entry?;
        let (kind, path) = (entry.file_type()?, entry.path());
        let cleanup = path.extension().is_some_and(|ext| ext == "cleanup");
        match (cleanup, kind.is_dir()) {
            (true, true) => fs::remove_dir_all(&path)?,
            (true, false) => fs::remove_file(&path)?,
            (false, true) => remove_cleanup(&path)?,
            _ => {}
        }
    }
    Ok(())
}
