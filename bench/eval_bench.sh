#!/usr/bin/env bash
# Throughput of `nuri eval`: documents (questions) and requests (scored choices) per second
# for kobest_copa and kmmlu_legal, 0-shot, with a fresh output directory each time (no
# resume), as the issue's benchmark asks.
#
#   bench/eval_bench.sh [MODEL] [THREADS] [LIMIT]
#     MODEL    default models/gemma-3-270m-q4_k_m.gguf
#     THREADS  default 2
#     LIMIT    documents per (sub)task; default: all (kobest_copa 1000, kmmlu_legal 1500)
#
# Prints one line per task set: documents, requests, seconds, docs/s, requests/s, taken
# from nuri eval's own summary line (scoring time only: model loading and reading the data
# are not counted). Run it on an otherwise idle machine: the numbers in docs/eval.md say
# how loaded the machine was.
set -eu
cd "$(dirname "$0")/.."
NURI="${NURI_BIN:-build/nuri}"
MODEL="${1:-models/gemma-3-270m-q4_k_m.gguf}"
THREADS="${2:-2}"
LIMIT="${3:-}"
OUT="$(mktemp -d)"
trap 'rm -rf "$OUT"' EXIT
echo "# $(date -u +%FT%TZ) $(uname -m) $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg); model $(basename "$MODEL"), -t $THREADS${LIMIT:+, --limit $LIMIT}"
for tasks in kobest_copa kmmlu_legal; do
    "$NURI" eval -m "$MODEL" --tasks "$tasks" -t "$THREADS" ${LIMIT:+--limit "$LIMIT"} -q \
        --output "$OUT/$tasks" >/dev/null 2>"$OUT/$tasks.err" || { cat "$OUT/$tasks.err"; exit 1; }
    line=$(grep '^scored' "$OUT/$tasks.err" || true)
    echo "$tasks: $line"
done
