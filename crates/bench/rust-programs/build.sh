#!/usr/bin/env bash
# Builds the compiled benchmark programs for wasm32-unknown-unknown and copies each module
# to ../programs/compiled/NAME.wasm, where the bench includes it. The modules are
# committed: the bench runs without a wasm target installed. Rerun this after changing a
# program and commit the result.
#
# Two builds: the workspace's default members (the *compiled* group) with the compiler's
# default target features, then the simd_* programs (the *SIMD* group) with
# `-C target-feature=+simd128` and nothing else. RUSTFLAGS applies to every crate of a
# build, `common` included, so the second build has a target directory of its own: the
# first one's artefacts never see the flag.
set -euo pipefail
cd "$(dirname "$0")"

target=wasm32-unknown-unknown
out=../programs/compiled
simd_flags="-C target-feature=+simd128"
simd_dir=target/simd128

# Default features are the point: no flags from the environment may change them.
unset RUSTFLAGS CARGO_ENCODED_RUSTFLAGS CARGO_BUILD_RUSTFLAGS \
    CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS

if command -v rustup >/dev/null && ! rustup target list --installed | grep -qx "$target"; then
    rustup target add "$target"
fi

simd_packages=()
for manifest in simd_*/Cargo.toml; do
    simd_packages+=(-p "$(dirname "$manifest")")
done

version=$(rustc -V)
echo "building with $version for $target (default target features)"
cargo build --release --locked --target "$target"
echo "building the simd_* programs with $simd_flags"
RUSTFLAGS="$simd_flags" cargo build --release --locked --target "$target" \
    --target-dir "$simd_dir" "${simd_packages[@]}"

mkdir -p "$out"
for manifest in */Cargo.toml; do
    name=$(dirname "$manifest")
    case "$name" in
    common) continue ;;
    simd_*) built=$simd_dir/$target/release/$name.wasm ;;
    *) built=target/$target/release/$name.wasm ;;
    esac
    install -m 644 "$built" "$out/$name.wasm"
    printf '%-12s %7d bytes\n' "$name" "$(wc -c <"$out/$name.wasm")"
done
# The bench names this compiler in its report.
echo "$version" >"$out/rustc-version.txt"
echo "copied to $(cd "$out" && pwd)"
