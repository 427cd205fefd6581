#!/usr/bin/env bash
# Fetches the large real-world module of the bench's startup group: Ruby 3.4's
# interpreter built for WASI, dist/ruby.wasm (16 MB) of the npm package
# @ruby/3.4-wasm-wasi, into target/large/ruby.wasm. It is not committed; the bench skips
# the case, with a note, while it is missing, and `cargo xtask bench` runs this script
# when it is. Needs npm (the package comes through `npm pack`, which checks the
# registry's integrity hash); the module's own hash is checked below.
set -euo pipefail
cd "$(dirname "$0")"

package=@ruby/3.4-wasm-wasi@2.10.1
sha256=e64fa4c82cbbb62044648b0a15b96f3486ff3ecbab7bb7a3df11b4ee3e907ddc
dir=target/large
module=$dir/ruby.wasm

if [ -f "$module" ] && echo "$sha256  $module" | sha256sum --check --status; then
    echo "$module is there"
    exit 0
fi
command -v npm >/dev/null || { echo "fetch-large.sh: npm is needed" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
echo "fetching $package"
npm pack --silent --pack-destination "$work" "$package" >/dev/null
tar -xzf "$work"/*.tgz -C "$work" package/dist/ruby.wasm
echo "$sha256  $work/package/dist/ruby.wasm" | sha256sum --check --status || {
    echo "fetch-large.sh: dist/ruby.wasm of $package does not have the expected hash" >&2
    exit 1
}
mkdir -p "$dir"
mv "$work/package/dist/ruby.wasm" "$module"
echo "wrote $module ($(wc -c <"$module") bytes)"
