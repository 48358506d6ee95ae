#!/usr/bin/env bash
# Make the benchmark models: a Llama-3.2-1B-shaped random F16 GGUF (bench/make_bench_model.py)
# and its Q8_0, Q4_0 and Q4_K_M quantizations by the reference's llama-quantize.
#
#   bench/make_bench_models.sh [OUT_DIR] [LLAMA_BUILD_DIR]
#     OUT_DIR          default /work/bench-models (outside the repository: ~5 GB in all)
#     LLAMA_BUILD_DIR  default /work/llama-build (bench/build_reference.sh)
#   PY=python with numpy+gguf (default ./.venv/bin/python); NICE=15; THREADS=2
# Skips any file that already exists; writes OUT_DIR/MANIFEST.txt (sizes, sha256, commands).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OUT="${1:-/work/bench-models}"
BUILD="${2:-/work/llama-build}"
PY="${PY:-$ROOT/.venv/bin/python}"
NICE="${NICE:-15}"
THREADS="${THREADS:-2}"
QUANT="$BUILD/bin/llama-quantize"
BASE="bench-1b"

[ -x "$QUANT" ] || { echo "no $QUANT: run bench/build_reference.sh first" >&2; exit 1; }
mkdir -p "$OUT"

f16="$OUT/$BASE-f16.gguf"
if [ ! -f "$f16" ]; then
    echo "[make_bench_models] $PY bench/make_bench_model.py $f16"
    nice -n "$NICE" "$PY" "$ROOT/bench/make_bench_model.py" "$f16.tmp"
    mv "$f16.tmp" "$f16"
else
    echo "[make_bench_models] $f16 exists"
fi

for q in Q8_0 Q4_0 Q4_K_M; do
    lq="$(echo "$q" | tr 'A-Z' 'a-z')"
    dst="$OUT/$BASE-$lq.gguf"
    if [ -f "$dst" ]; then
        echo "[make_bench_models] $dst exists"
        continue
    fi
    echo "[make_bench_models] llama-quantize $f16 $dst $q $THREADS"
    nice -n "$NICE" "$QUANT" "$f16" "$dst.tmp" "$q" "$THREADS" > "$OUT/$BASE-$lq.quantize.log" 2>&1 \
        || { tail -20 "$OUT/$BASE-$lq.quantize.log"; exit 1; }
    mv "$dst.tmp" "$dst"
done

{
    echo "# made by bench/make_bench_models.sh on $(date -u +%Y-%m-%dT%H:%M:%SZ)"
    echo "# generator: bench/make_bench_model.py (seed 1234), quantizer: $QUANT"
    sed 's/^/# /' "$BUILD/REFERENCE_BUILD.txt" 2>/dev/null || true
    cd "$OUT"
    for f in "$BASE"-*.gguf; do
        echo "$(stat -c %s "$f") $(sha256sum "$f" | cut -d' ' -f1) $f"
    done
} > "$OUT/MANIFEST.txt"
cat "$OUT/MANIFEST.txt"
