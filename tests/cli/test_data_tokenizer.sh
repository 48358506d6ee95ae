#!/usr/bin/env bash
# nuri tokenizer train / stats: a vocabulary trained on the shared constitution loads in
# nuri tokenize and gives Korean text back; stats counts as the reference does (57583
# tokens for the 2000 NSMC evaluation reviews with the qwen2 vocabulary, the count
# llama-cpp-python gives); bad input exits 1 and writes nothing; bad flags exit 2.
# Run from the repository root with NURI_BIN set (ctest does).
set -u
: "${NURI_BIN:?NURI_BIN must point at the nuri binary}"
SHARED="${NURI_SHARED:-../shared}"
LAW="$SHARED/data/corpus/law/constitution.txt"
EVAL="$SHARED/data/eval/nsmc/nsmc_eval.tsv"
if [ ! -f "$LAW" ] || [ ! -f "$EVAL" ]; then
    echo "SKIPPED: the shared corpus is absent"
    exit 77
fi
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

"$NURI_BIN" tokenizer --help >"$TMP/help" 2>&1 || fail "--help exits non-zero"
grep -q -- "--vocab-size" "$TMP/help" || fail "--help does not describe --vocab-size"

"$NURI_BIN" tokenizer train -q -o "$TMP/v.gguf" --vocab-size 700 "$LAW" 2>"$TMP/err" || fail "train: $(cat "$TMP/err")"
text="대한민국은 민주공화국이다. 모든 권력은 국민으로부터 나온다."
ids="$("$NURI_BIN" tokenize -m "$TMP/v.gguf" --no-add-special "$text" 2>"$TMP/err")" || fail "tokenize: $(cat "$TMP/err")"
back="$("$NURI_BIN" tokenize -m "$TMP/v.gguf" --detokenize "$(echo "$ids" | tr ' ' ',')" 2>"$TMP/err")" || fail "detokenize"
[ "$back" = "$text" ] || fail "round trip gave '$back'"
with_bos="$("$NURI_BIN" tokenize -m "$TMP/v.gguf" "$text")"
[ "$with_bos" = "696 $ids" ] || fail "BOS is not id 696 in front: $with_bos"

"$NURI_BIN" tokenizer stats -m "$SHARED/vocab/ggml-vocab-qwen2.gguf" --column document "$EVAL" >"$TMP/stats" 2>&1 ||
    fail "stats failed: $(cat "$TMP/stats")"
grep -q "2000 lines, 76777 characters, 57583 tokens" "$TMP/stats" || fail "stats: $(cat "$TMP/stats")"

printf 'good line\n\xc3\x28 bad\n' >"$TMP/bad.txt"
"$NURI_BIN" tokenizer train -q -o "$TMP/bad.gguf" "$TMP/bad.txt" 2>"$TMP/err"
[ $? -eq 1 ] || fail "invalid UTF-8 does not exit 1"
grep -q "invalid UTF-8 at byte 10" "$TMP/err" || fail "invalid UTF-8 message: $(cat "$TMP/err")"
[ ! -e "$TMP/bad.gguf" ] || fail "invalid UTF-8: a GGUF was written"
: >"$TMP/empty.txt"
"$NURI_BIN" tokenizer train -q -o "$TMP/bad.gguf" "$TMP/empty.txt" 2>/dev/null
[ $? -eq 1 ] || fail "empty input does not exit 1"
"$NURI_BIN" tokenizer train -q "$LAW" 2>/dev/null
[ $? -eq 2 ] || fail "missing -o does not exit 2"
"$NURI_BIN" tokenizer train -q -o "$TMP/x.gguf" --pre gpt-2 "$LAW" 2>/dev/null
[ $? -eq 2 ] || fail "--pre gpt-2 does not exit 2"
"$NURI_BIN" tokenizer train -q -o "$TMP/x.gguf" --vocab-size 100 "$LAW" 2>/dev/null
[ $? -eq 2 ] || fail "--vocab-size 100 does not exit 2"
"$NURI_BIN" tokenizer frobnicate 2>/dev/null
[ $? -eq 2 ] || fail "an unknown subcommand does not exit 2"

if [ $fails -ne 0 ]; then
    echo "test_data_tokenizer: $fails failed"
    exit 1
fi
echo "test_data_tokenizer: ok"
