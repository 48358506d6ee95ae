#!/usr/bin/env bash
# Tokenizer throughput, nuri against the reference, on 10 MB of Korean text.
#
#   bench/tokenize_bench.sh [TEXT_FILE]
#
# TEXT_FILE defaults to the first 10,000,000 bytes (cut at a line end) of
# ../shared/data/corpus/nsmc_reviews.txt. For the qwen2 and llama-bpe vocabularies of
# ../shared/vocab it prints the token count and MB/s of
#   - nuri:       `nuri tokenize --file --count --no-add-special` (tokenizing only, best of 3);
#   - reference:  llama.cpp's llama_tokenize through llama-cpp-python (bench/tokenize_ref.py time,
#                 one run; it takes tens of seconds);
#   - llama-tokenize, when LLAMA_TOKENIZE names the reference's binary (wall time of the whole
#                 command, model loading included).
# The counts must agree. Environment: NURI_BIN (default build/nuri), REF_PYTHON (default
# /work/venv-dev/bin/python), NURI_SHARED (default ../shared). Not a test: timings depend on
# the machine and its load.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
NURI_BIN="${NURI_BIN:-$ROOT/build/nuri}"
REF_PYTHON="${REF_PYTHON:-/work/venv-dev/bin/python}"
SHARED="${NURI_SHARED:-$ROOT/../shared}"
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT

TEXT="${1:-}"
if [ -z "$TEXT" ]; then
    TEXT="$TMP/ko10.txt"
    head -c 10000000 "$SHARED/data/corpus/nsmc_reviews.txt" | sed '$d' >"$TEXT"
fi
echo "text: $TEXT ($(wc -c <"$TEXT") bytes)"
printf '%-10s %-16s %10s %10s\n' vocab tokenizer tokens MB/s

for v in qwen2 llama-bpe; do
    gguf="$SHARED/vocab/ggml-vocab-$v.gguf"
    best=""
    count=""
    for _ in 1 2 3; do
        out="$("$NURI_BIN" tokenize -m "$gguf" --file "$TEXT" --count --no-add-special)"
        count="$(sed -n 's/^tokens: //p' <<<"$out")"
        mbs="$(sed -n 's/^MB\/s: //p' <<<"$out")"
        if [ -z "$best" ] || awk -v a="$mbs" -v b="$best" 'BEGIN{exit !(a>b)}'; then best="$mbs"; fi
    done
    printf '%-10s %-16s %10s %10s\n' "$v" nuri "$count" "$best"
    if [ -x "$REF_PYTHON" ] && "$REF_PYTHON" -c "import llama_cpp" 2>/dev/null; then
        out="$("$REF_PYTHON" "$ROOT/bench/tokenize_ref.py" time "$gguf" "$TEXT" 2>/dev/null)"
        rcount="$(sed -n 's/^tokens: //p' <<<"$out")"
        printf '%-10s %-16s %10s %10s\n' "$v" llama-cpp-python "$rcount" "$(sed -n 's/^MB\/s: //p' <<<"$out")"
        [ "$rcount" = "$count" ] || echo "  token counts differ: nuri $count, reference $rcount"
    fi
    if [ -n "${LLAMA_TOKENIZE:-}" ]; then
        t0=$(date +%s.%N)
        n=$("$LLAMA_TOKENIZE" -m "$gguf" -f "$TEXT" --ids --log-disable --no-bos --no-parse-special 2>/dev/null | tr -cd ',' | wc -c)
        t1=$(date +%s.%N)
        printf '%-10s %-16s %10s %10s\n' "$v" llama-tokenize "$((n + 1))" \
            "$(awk -v b="$(wc -c <"$TEXT")" -v a="$t0" -v c="$t1" 'BEGIN{printf "%.2f", b/1e6/(c-a)}')"
    fi
done
