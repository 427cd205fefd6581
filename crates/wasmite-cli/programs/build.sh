#!/usr/bin/env bash
# Builds the README's WASI program, wordfreq, for wasm32-wasip1 and copies it to
# wordfreq.wasm beside this script. The module is committed, so running it needs no wasm
# target; rerun this after changing the program and commit the result.
set -euo pipefail
cd "$(dirname "$0")"
target=wasm32-wasip1
unset RUSTFLAGS CARGO_ENCODED_RUSTFLAGS CARGO_BUILD_RUSTFLAGS
if command -v rustup >/dev/null && ! rustup target list --installed | grep -qx "$target"; then
    rustup target add "$target"
fi
echo "building with $(rustc -V) for $target"
cargo build --release --manifest-path wordfreq/Cargo.toml --target "$target"
install -m 644 "wordfreq/target/$target/release/wordfreq.wasm" wordfreq.wasm
printf 'wordfreq.wasm %d bytes\n' "$(wc -c <wordfreq.wasm)"
