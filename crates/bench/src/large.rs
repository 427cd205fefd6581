//! The large real-world module of the startup group: Ruby 3.4's interpreter built for
//! WASI, `dist/ruby.wasm` of the npm package `@ruby/3.4-wasm-wasi`. At 16 MB it is not
//! committed: `fetch-large.sh` puts it in `target/large/` (`cargo xtask bench` runs the
//! script when the file is missing), and the case is skipped, with a note, without it.

use std::path::PathBuf;

use anyhow::{Context as _, Result};

/// The package and version `fetch-large.sh` takes the module from.
pub const PACKAGE: &str = "@ruby/3.4-wasm-wasi 2.10.1";

/// Where `fetch-large.sh` puts the module.
pub fn path() -> PathBuf {
    PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/target/large/ruby.wasm"
    ))
}

/// The module's bytes, or `None` if it has not been fetched.
pub fn read() -> Result<Option<Vec<u8>>> {
    let path = path();
    if !path.exists() {
        return Ok(None);
    }
    let wasm = std::fs::read(&path).with_context(|| format!("cannot read {}", path.display()))?;
    Ok(Some(wasm))
}

/// Why the case is skipped when the module is missing.
pub fn missing() -> String {
    format!(
        "skipped: {} is missing (crates/bench/fetch-large.sh fetches it)",
        path().display()
    )
}
