#!/usr/bin/env bash
# Fuzz the GGUF reader/writer with libFuzzer (tests/fuzz/fuzz_gguf.c).
#
#   scripts/fuzz_gguf.sh [SECONDS]   build build-fuzz with clang (ASan+UBSan+libFuzzer) and fuzz
#                                    for SECONDS (default 60) on one core; new inputs go to
#                                    build-fuzz/corpus-gguf, crashes to build-fuzz/crashes-gguf/
#   scripts/fuzz_gguf.sh --seeds     regenerate the seed corpus tests/fuzz/corpus/fuzz_gguf/
#                                    with the Python gguf package (./.venv or $PYTHON)
#
# The last lines of the run (exec count, crashes) are in build-fuzz/fuzz_gguf.log.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SEEDS="$ROOT/tests/fuzz/corpus/fuzz_gguf"
BUILD="$ROOT/build-fuzz"

make_seeds() {
    local py="${PYTHON:-$ROOT/.venv/bin/python}"
    [ -x "$py" ] || { echo "fuzz_gguf.sh: no python at $py (run scripts/setup.sh or set PYTHON)" >&2; exit 1; }
    mkdir -p "$SEEDS"
    "$py" - "$SEEDS" "$ROOT/../shared/models" <<'EOF'
# Small valid GGUF files written by the reference's own Python package, plus truncated
# headers of real fixtures: starting points the fuzzer mutates.
import os, sys
import numpy as np
import gguf
from gguf import GGUFValueType as V, GGMLQuantizationType as Q

out, shared = sys.argv[1], sys.argv[2]

def write(name, fill, alignment=None):
    path = os.path.join(out, name)
    w = gguf.GGUFWriter(path, "llama")
    if alignment:
        w.add_custom_alignment(alignment)
    fill(w)
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()
    assert os.path.getsize(path) < 20000, name

def tiny(w):
    w.add_tensor("t", np.arange(8, dtype=np.float32))

def all_types(w):
    scalars = [(V.UINT8, 200), (V.INT8, -5), (V.UINT16, 60000), (V.INT16, -300),
               (V.UINT32, 4000000000), (V.INT32, -70000), (V.FLOAT32, 1.5), (V.BOOL, True),
               (V.UINT64, 2**63 + 5), (V.INT64, -2**40), (V.FLOAT64, -2.25)]
    for vt, v in scalars:
        w.add_key_value(f"s.{vt.name.lower()}", v, vt)
        arr = [v, v] if vt == V.BOOL else [v, 0, 1]
        w.add_key_value(f"a.{vt.name.lower()}", arr, V.ARRAY, vt)
    w.add_key_value("s.string", "hangul \uD55C\uAE00", V.STRING)
    w.add_key_value("a.string", ["", "a", "\uD55C"], V.ARRAY, V.STRING)
    w.add_tensor("t", np.ones((2, 4), dtype=np.float16))

def quantized(w):
    w.add_uint32("llama.block_count", 1)
    for q, shape in [(Q.Q8_0, (2, 34)), (Q.Q4_0, (1, 18)), (Q.Q4_K, (1, 144)),
                     (Q.Q6_K, (2, 210)), (Q.IQ4_NL, (1, 1, 18))]:
        w.add_tensor(f"w.{q.name.lower()}", np.full(shape, 7, dtype=np.uint8), raw_dtype=q)
    w.add_tensor("w.bf16", np.zeros((1, 2, 3, 4), dtype=np.uint16), raw_dtype=Q.BF16)
    w.add_tensor("w.i32", np.arange(3, dtype=np.int32), raw_dtype=Q.I32)

def empty_tensor(w):
    w.add_tensor("zero", np.zeros((0, 4), dtype=np.float32))
    w.add_tensor("one", np.ones(1, dtype=np.float32))

def vocab(w):
    toks = ["<unk>", "<s>", "</s>", "\u2581\uC548\uB155", "\uD558\uC138\uC694", "a", "b", "ab"]
    w.add_tokenizer_model("llama")
    w.add_token_list(toks)
    w.add_token_scores([0.0] * len(toks))
    w.add_token_types([2, 3, 3, 1, 1, 1, 1, 1])
    w.add_token_merges(["a b"])
    w.add_bos_token_id(1)
    w.add_tensor("token_embd.weight", np.zeros((len(toks), 4), dtype=np.float32))

write("tiny.gguf", tiny)
write("all_types.gguf", all_types)
write("quantized.gguf", quantized)
write("align64.gguf", quantized, alignment=64)
write("align1.gguf", tiny, alignment=1)
write("empty_tensor.gguf", empty_tensor)
write("vocab.gguf", vocab)
write("no_tensors.gguf", lambda w: w.add_string("general.name", "x"))

# Version 2 (same layout as 3 for little-endian files).
data = bytearray(open(os.path.join(out, "tiny.gguf"), "rb").read())
data[4:8] = (2).to_bytes(4, "little")
open(os.path.join(out, "tiny_v2.gguf"), "wb").write(data)

# Headers of real fixtures, cut short (never whole copies).
for name, n in [("arch-llama-tied.gguf", 6000), ("ko-qwen2-q8_0.gguf", 12000)]:
    p = os.path.join(shared, name)
    if os.path.exists(p):
        open(os.path.join(out, "head-" + name), "wb").write(open(p, "rb").read(n))
EOF
    ls -l "$SEEDS"
}

if [ "${1:-}" = "--seeds" ]; then
    make_seeds
    exit 0
fi

SECONDS_TO_RUN="${1:-60}"
# Built directly from the sources it needs (src/base, src/gguf) rather than the whole
# library, so that work in progress elsewhere in src/ cannot stop a fuzz run. The CMake
# option -DNURI_FUZZ=ON builds the same target against the full library.
mkdir -p "$BUILD/corpus-gguf" "$BUILD/crashes-gguf"
clang -std=c11 -D_GNU_SOURCE -g -O1 -Wall -Wextra -Wno-unused-parameter \
    -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
    -I"$ROOT/include" -I"$ROOT/src" \
    "$ROOT"/src/base/file.c "$ROOT"/src/base/status.c "$ROOT"/src/gguf/*.c "$ROOT/tests/fuzz/fuzz_gguf.c" \
    -o "$BUILD/fuzz_gguf"
# New inputs go to the first directory; the seeds are read but never modified.
"$BUILD/fuzz_gguf" "$BUILD/corpus-gguf" "$SEEDS" \
    -max_total_time="$SECONDS_TO_RUN" -max_len=20000 -timeout=10 -rss_limit_mb=2048 \
    -print_final_stats=1 -artifact_prefix="$BUILD/crashes-gguf/" 2>&1 | tee "$BUILD/fuzz_gguf.log" | tail -25
