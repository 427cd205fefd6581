# wordfreq.wasm's counting, in Python: run by CPython compiled for WASI (fetch-python.sh)
# under `wasmite run`, it must print what the Rust program prints.
import os
import re
import sys

counts = {}
for path in sys.argv[1:]:
    files = [path]
    if os.path.isdir(path):
        files = sorted(os.path.join(path, name) for name in os.listdir(path))
    for name in files:
        with open(name, encoding="utf-8") as f:
            text = f.read()
        words = 0
        for word in re.split(r"[^\w']", text):
            word = word.strip("'").lower()
            if word:
                words += 1
                counts[word] = counts.get(word, 0) + 1
        print(f"{len(text.splitlines()):>6} {words:>6} {len(text.encode()):>7} {name}")
top = int(os.environ.get("WORDFREQ_TOP", "5"))
ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:top]
print("top: " + ", ".join(f"{w} {n}" for w, n in ranked))
