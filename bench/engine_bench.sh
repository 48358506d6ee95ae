#!/usr/bin/env bash
# nuri bench and the reference's llama-bench on the same GGUF files, 2 threads, in one run.
#
#   bench/engine_bench.sh [MODEL.gguf ...]
#     default models: /work/bench-models/bench-1b-{q8_0,q4_0,q4_k_m}.gguf (bench/make_bench_models.sh)
#   LLAMA_BENCH=/work/llama-build/bin/llama-bench (bench/build_reference.sh), THREADS=2, REPS=3
#
# Prints a markdown table: pp512 and tg128 tokens/s for both, the ratio nuri/reference, and
# each tool's peak resident memory (GNU time's maximum RSS of the whole process).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
NURI="${NURI:-$ROOT/build/nuri}"
LLAMA_BENCH="${LLAMA_BENCH:-/work/llama-build/bin/llama-bench}"
THREADS="${THREADS:-2}"
REPS="${REPS:-3}"
[ $# -gt 0 ] || set -- /work/bench-models/bench-1b-q8_0.gguf /work/bench-models/bench-1b-q4_0.gguf /work/bench-models/bench-1b-q4_k_m.gguf
command -v /usr/bin/time > /dev/null || { echo "needs GNU time (apt-get install time)" >&2; exit 1; }
[ -x "$LLAMA_BENCH" ] || { echo "no $LLAMA_BENCH: run bench/build_reference.sh" >&2; exit 1; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo "| model | test | nuri t/s | llama.cpp t/s | nuri / llama.cpp | nuri peak MiB | llama.cpp peak MiB |"
echo "|---|---|---|---|---|---|---|"
for m in "$@"; do
    name=$(basename "$m" .gguf)
    /usr/bin/time -f %M -o "$tmp/nuri.rss" "$NURI" bench -m "$m" -t "$THREADS" -r "$REPS" --json > "$tmp/nuri.json"
    /usr/bin/time -f %M -o "$tmp/ref.rss" "$LLAMA_BENCH" -m "$m" -t "$THREADS" -r "$REPS" -o json > "$tmp/ref.json" 2> /dev/null
    python3 - "$name" "$tmp" <<'PY'
import json, sys
name, tmp = sys.argv[1], sys.argv[2]
nuri = json.load(open(f"{tmp}/nuri.json"))
ref = json.load(open(f"{tmp}/ref.json"))
rss_n = int(open(f"{tmp}/nuri.rss").read().split()[-1]) / 1024
rss_r = int(open(f"{tmp}/ref.rss").read().split()[-1]) / 1024
for test, key in (("pp512", "n_prompt"), ("tg128", "n_gen")):
    r = next(x for x in ref if x[key] > 0 and x["n_prompt" if key == "n_gen" else "n_gen"] == 0)
    n = nuri[test]
    print(f"| {name} | {test} | {n:.2f} | {r['avg_ts']:.2f} | {n / r['avg_ts']:.2f} | {rss_n:.0f} | {rss_r:.0f} |")
PY
done
