#!/usr/bin/env bash
# nuri tokenize against the reference's vectors in ../shared/vocab: --inp gives every
# vocabulary's .out and .korean.out line for line; TEXT mode gives the same ids as one
# line (with BOS where the model adds it), --pieces one id and piece a line; invalid UTF-8,
# a missing model and bad flags are refused with one line on stderr; --detokenize gives
# the text back; --file --count reports a count. Run from the repository root with
# NURI_BIN set (ctest does).
set -u
: "${NURI_BIN:?NURI_BIN must point at the nuri binary}"
SHARED="${NURI_SHARED:-../shared}"
V="$SHARED/vocab"
if [ ! -d "$V" ]; then
    echo "SKIPPED: $V is absent (the shared vocabularies)"
    exit 77
fi
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
fails=0
checked=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

"$NURI_BIN" tokenize --help >"$TMP/help" 2>&1 || fail "--help exits non-zero"
grep -q -- "--inp" "$TMP/help" || fail "--help does not describe --inp"

# --inp: the reference's own output files, byte for byte
for gguf in "$V"/ggml-vocab-*.gguf; do
    name="$(basename "$gguf")"
    for set in inp korean; do
        if [ "$set" = inp ]; then inp="$gguf.inp"; out="$gguf.out"; else inp="$V/korean.inp"; out="$gguf.korean.out"; fi
        [ -f "$out" ] || continue
        checked=$((checked + 1))
        if ! "$NURI_BIN" tokenize -m "$gguf" --inp "$inp" >"$TMP/got" 2>"$TMP/err"; then
            fail "$name --inp $set: exit non-zero: $(head -c 300 "$TMP/err")"
        elif ! cmp -s "$TMP/got" "$out"; then
            fail "$name --inp $set differs from $(basename "$out")"
        fi
    done
done

# TEXT mode: the Korean vectors' first line, with the model's BOS in front for SPM
q="$V/ggml-vocab-qwen2.gguf"
want="$(head -1 "$q.korean.out" | sed 's/^ //')"
got="$("$NURI_BIN" tokenize -m "$q" "안녕하세요")"
[ "$got" = "$want" ] || fail "qwen2 TEXT: '$got', want '$want'"
s="$V/ggml-vocab-llama-spm.gguf"
want="1 $(head -1 "$s.korean.out" | sed 's/^ //')"
got="$("$NURI_BIN" tokenize -m "$s" "안녕하세요")"
[ "$got" = "$want" ] || fail "llama-spm TEXT with BOS: '$got', want '$want'"
got="$("$NURI_BIN" tokenize -m "$s" --no-add-special "안녕하세요")"
[ "$got" = "$(head -1 "$s.korean.out" | sed 's/^ //')" ] || fail "llama-spm --no-add-special: '$got'"
checked=$((checked + 3))

# special-token text: only with --parse-special
imend="$("$NURI_BIN" tokenize -m "$q" --parse-special "<|im_end|>")"
[ "$imend" = "151645" ] || fail "--parse-special <|im_end|>: '$imend'"
plain="$("$NURI_BIN" tokenize -m "$q" "<|im_end|>")"
[ "$plain" != "151645" ] && [ -n "$plain" ] || fail "<|im_end|> without --parse-special: '$plain'"
checked=$((checked + 2))

# --pieces: one "id<TAB>piece" line per token, the pieces joining to the text
"$NURI_BIN" tokenize -m "$q" --pieces "안녕하세요 세계" >"$TMP/pieces" || fail "--pieces exits non-zero"
[ "$(wc -l <"$TMP/pieces")" -eq "$(echo $("$NURI_BIN" tokenize -m "$q" "안녕하세요 세계") | wc -w)" ] ||
    fail "--pieces: one line per id expected"
[ "$(cut -f2 "$TMP/pieces" | tr -d '\n')" = "안녕하세요 세계" ] || fail "--pieces do not join to the text"
checked=$((checked + 2))

# --detokenize gives the text back
ids="$("$NURI_BIN" tokenize -m "$q" "대한민국은 민주공화국이다." | tr ' ' ',')"
back="$("$NURI_BIN" tokenize -m "$q" --detokenize "$ids")"
[ "$back" = "대한민국은 민주공화국이다." ] || fail "--detokenize: '$back'"
checked=$((checked + 1))

# --file --count
printf '안녕하세요\n' >"$TMP/text"
"$NURI_BIN" tokenize -m "$q" --file "$TMP/text" --count >"$TMP/count" || fail "--file --count exits non-zero"
grep -q "^tokens: 4$" "$TMP/count" || fail "--count: $(cat "$TMP/count")"
checked=$((checked + 1))

# refusals: exit status and one line on stderr
expect_err() {
    local rc="$1" word="$2"
    shift 2
    "$@" >"$TMP/out" 2>"$TMP/err"
    local got=$?
    checked=$((checked + 1))
    if [ "$got" -ne "$rc" ]; then
        fail "$*: exit $got, want $rc"
    elif [ "$(wc -l <"$TMP/err")" -ne 1 ]; then
        fail "$*: want one line on stderr, got: $(cat "$TMP/err")"
    elif ! grep -qE -- "$word" "$TMP/err"; then
        fail "$*: stderr does not say '$word': $(cat "$TMP/err")"
    fi
}
expect_err 1 "UTF-8" "$NURI_BIN" tokenize -m "$q" "$(printf 'ab\xff')"
printf 'ok\xed\xa0\x80' >"$TMP/bad"
expect_err 1 "UTF-8 \(byte 2\)" "$NURI_BIN" tokenize -m "$q" --file "$TMP/bad"
expect_err 1 "no-such" "$NURI_BIN" tokenize -m "$TMP/no-such.gguf" "x"
expect_err 2 "required" "$NURI_BIN" tokenize "x"
expect_err 2 "--bogus" "$NURI_BIN" tokenize -m "$q" --bogus "x"
expect_err 2 "exactly one" "$NURI_BIN" tokenize -m "$q"
expect_err 1 "outside the vocabulary" "$NURI_BIN" tokenize -m "$q" --detokenize 999999999

echo "$checked checks, $fails failed"
[ "$fails" -eq 0 ]
