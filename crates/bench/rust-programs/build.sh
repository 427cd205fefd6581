#!/usr/bin/env bash
# Builds the compiled benchmark programs for wasm32-unknown-unknown with the compiler's
# default target features and copies each module to ../programs/compiled/NAME.wasm,
# where the bench includes it. The modules are committed: the bench runs without a wasm
# target installed. Rerun this after changing a program and commit the result.
set -euo pipefail
cd "$(dirname "$0")"

target=wasm32-unknown-unknown
out=../programs/compiled

# Default features are the point: no flags from the environment may change them.
unset RUSTFLAGS CARGO_ENCODED_RUSTFLAGS CARGO_BUILD_RUSTFLAGS \
    CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS

if command -v rustup >/dev/null && ! rustup target list --installed | grep -qx "$target"; then
    rustup target add "$target"
fi

version=$(rustc -V)
echo "building with $version for $target (default target features)"
cargo build --release --locked --target "$target"

mkdir -p "$out"
for manifest in */Cargo.toml; do
    name=$(dirname "$manifest")
    [ "$name" = common ] && continue
    install -m 644 "target/$target/release/$name.wasm" "$out/$name.wasm"
    printf '%-10s %7d bytes\n' "$name" "$(wc -c <"$out/$name.wasm")"
done
# The bench names this compiler in its report.
echo "$version" >"$out/rustc-version.txt"
echo "copied to $(cd "$out" && pwd)"
