#!/usr/bin/env bash
# Bad input to nuri train: an empty or non-UTF-8 corpus, empty, cut or out-of-vocabulary
# token shards, a configuration that cannot fit in memory, a checkpoint of another
# configuration, a damaged checkpoint, bad config files and keys. Each must exit non-zero
# with one line on stderr saying what is wrong, and leave every existing output file as it
# was. Needs ../shared for the tokenizer.
set -u
: "${NURI_BIN:?NURI_BIN must point at the nuri binary}"
SHARED="${NURI_SHARED:-../shared}"
TOKGGUF="$SHARED/models/stories260K.gguf"
[ -f "$TOKGGUF" ] || { echo "SKIPPED: ../shared is missing"; exit 77; }
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
fails=0
checked=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

# expect_bad RC WORD CMD...: CMD exits RC with exactly one stderr line matching WORD.
expect_bad() {
    local want="$1" word="$2"
    shift 2
    "$@" >"$TMP/out" 2>"$TMP/err"
    local rc=$? lines
    lines=$(wc -l <"$TMP/err")
    checked=$((checked + 1))
    if [ "$rc" -ne "$want" ]; then
        fail "$*: exit $rc, want $want ($(head -c 300 "$TMP/err"))"
    elif [ "$lines" -ne 1 ]; then
        fail "$*: $lines lines on stderr, want 1: $(head -c 400 "$TMP/err")"
    elif ! grep -qE -- "$word" "$TMP/err"; then
        fail "$*: stderr does not say '$word': $(cat "$TMP/err")"
    fi
}
# unchanged FILE: FILE still equals FILE.orig.
unchanged() {
    checked=$((checked + 1))
    cmp -s "$1" "$1.orig" || fail "$1 was modified"
}

TINY=(--vocab 512 --dim 32 --layers 1 --heads 2 --kv-heads 2 --ffn 64 --context 16 --batch 2
      --steps 6 --warmup 1 --eval-interval 0 --ckpt-interval 2 -t 1)

# --- corpora ---
echo "previous shard" >"$TMP/out.tok"
cp "$TMP/out.tok" "$TMP/out.tok.orig"
: >"$TMP/empty.txt"
expect_bad 1 "empty" "$NURI_BIN" train shard --tokenizer "$TOKGGUF" --text "$TMP/empty.txt" -o "$TMP/out.tok"
unchanged "$TMP/out.tok"
printf 'good line\nbad \xff\xfe line\n' >"$TMP/latin.txt"
expect_bad 1 "invalid UTF-8 at byte offset 14" "$NURI_BIN" train shard --tokenizer "$TOKGGUF" --text "$TMP/latin.txt" -o "$TMP/out.tok"
unchanged "$TMP/out.tok"
printf '\n  \n\n' >"$TMP/blank.txt"
expect_bad 1 "no text" "$NURI_BIN" train shard --tokenizer "$TOKGGUF" --text "$TMP/blank.txt" -o "$TMP/out.tok"
unchanged "$TMP/out.tok"
expect_bad 1 "missing.txt" "$NURI_BIN" train shard --tokenizer "$TOKGGUF" --text "$TMP/missing.txt" -o "$TMP/out.tok"
unchanged "$TMP/out.tok"

# A good shard to train on.
head -n 300 "$SHARED/data/corpus/nsmc_reviews.txt" >"$TMP/text.txt"
"$NURI_BIN" train shard --tokenizer "$TOKGGUF" --text "$TMP/text.txt" -o "$TMP/good.tok" 2>/dev/null || fail "cannot make a shard"

# --- token shards ---
: >"$TMP/empty.tok"
expect_bad 1 "empty" "$NURI_BIN" train --tokens "$TMP/empty.tok" "${TINY[@]}"
# header only: zero tokens
printf 'NURITOK1\x01\x00\x00\x00\x00\x02\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00' >"$TMP/zero.tok"
expect_bad 1 "empty" "$NURI_BIN" train --tokens "$TMP/zero.tok" "${TINY[@]}"
head -c 1000 "$TMP/good.tok" >"$TMP/cut.tok"
expect_bad 1 "header says .* tokens" "$NURI_BIN" train --tokens "$TMP/cut.tok" "${TINY[@]}"
echo "plain text, not a shard at all" >"$TMP/text.tok"
expect_bad 1 "not a token shard" "$NURI_BIN" train --tokens "$TMP/text.tok" "${TINY[@]}"
# one id (600) outside the header's 512-token vocabulary
{ printf 'NURITOK1\x01\x00\x00\x00\x00\x02\x00\x00\x02\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00'
  printf '\x05\x00\x00\x00\x58\x02\x00\x00'; } >"$TMP/oov.tok"
expect_bad 1 "outside the vocabulary" "$NURI_BIN" train --tokens "$TMP/oov.tok" "${TINY[@]}"
expect_bad 1 "512-token vocabulary but the model has vocab = 600" "$NURI_BIN" train --tokens "$TMP/good.tok" "${TINY[@]}" --vocab 600
head -n 3 "$TMP/text.txt" >"$TMP/short.txt"
"$NURI_BIN" train shard --tokenizer "$TOKGGUF" --text "$TMP/short.txt" -o "$TMP/short.tok" 2>/dev/null || fail "cannot make a short shard"
expect_bad 1 "fewer than context \+ 1 = 1001" "$NURI_BIN" train --tokens "$TMP/short.tok" "${TINY[@]}" --context 1000

# --- configurations ---
expect_bad 2 "unknown training key 'dimension'" "$NURI_BIN" train --tokens "$TMP/good.tok" --dimension 64
expect_bad 2 "lr: 'fast' is not a number" "$NURI_BIN" train --tokens "$TMP/good.tok" --lr fast
expect_bad 1 "heads \(3\) must divide dim \(32\)" "$NURI_BIN" train --tokens "$TMP/good.tok" "${TINY[@]}" --heads 3
printf 'dim = 32\nthis line has no equals sign\n' >"$TMP/bad.cfg"
expect_bad 1 "bad.cfg:2: expected key = value" "$NURI_BIN" train --tokens "$TMP/good.tok" --config "$TMP/bad.cfg"
# Too large for memory: refused before allocating, nothing written.
expect_bad 1 "needs about .* GiB" "$NURI_BIN" train --tokens "$TMP/good.tok" --vocab 512 --dim 65536 --layers 1000 \
    --heads 512 --kv-heads 512 --ffn 200000 --checkpoint "$TMP/huge.ckpt"
checked=$((checked + 1))
[ -e "$TMP/huge.ckpt" ] && fail "a refused configuration wrote a checkpoint"
expect_bad 1 "limit is 0.01 GiB \(max_memory_gb\)" "$NURI_BIN" train --tokens "$TMP/good.tok" "${TINY[@]}" \
    --batch 64 --context 256 --max-memory-gb 0.01

# --- checkpoints ---
"$NURI_BIN" train --tokens "$TMP/good.tok" "${TINY[@]}" --checkpoint "$TMP/run.ckpt" 2>/dev/null || fail "tiny run failed"
cp "$TMP/run.ckpt" "$TMP/run.ckpt.orig"
expect_bad 1 "exists: pass --resume" "$NURI_BIN" train --tokens "$TMP/good.tok" "${TINY[@]}" --checkpoint "$TMP/run.ckpt"
unchanged "$TMP/run.ckpt"
expect_bad 1 "another configuration: it has dim = 32, this run dim = 64" \
    "$NURI_BIN" train --tokens "$TMP/good.tok" "${TINY[@]}" --dim 64 --checkpoint "$TMP/run.ckpt" --resume
unchanged "$TMP/run.ckpt"
expect_bad 1 "another configuration: it has lr = 0.00100000005, this run lr = 0.00200000009" \
    "$NURI_BIN" train --tokens "$TMP/good.tok" "${TINY[@]}" --lr 0.002 --checkpoint "$TMP/run.ckpt" --resume
unchanged "$TMP/run.ckpt"
# A damaged copy: one byte flipped in the weights; a cut copy.
cp "$TMP/run.ckpt" "$TMP/bad.ckpt"
printf '\x55' | dd of="$TMP/bad.ckpt" bs=1 seek=2000 conv=notrunc 2>/dev/null
cp "$TMP/bad.ckpt" "$TMP/bad.ckpt.orig"
expect_bad 1 "checksum mismatch" "$NURI_BIN" train --tokens "$TMP/good.tok" "${TINY[@]}" --checkpoint "$TMP/bad.ckpt" --resume
unchanged "$TMP/bad.ckpt"
head -c 3000 "$TMP/run.ckpt" >"$TMP/cut.ckpt"
cp "$TMP/cut.ckpt" "$TMP/cut.ckpt.orig"
expect_bad 1 "truncated or damaged" "$NURI_BIN" train info "$TMP/cut.ckpt"
expect_bad 1 "truncated or damaged" "$NURI_BIN" train --tokens "$TMP/good.tok" "${TINY[@]}" --checkpoint "$TMP/cut.ckpt" --resume
unchanged "$TMP/cut.ckpt"
expect_bad 1 "not a nuri checkpoint" "$NURI_BIN" train info "$TMP/good.tok"
# Export: a tokenizer of another vocabulary size; nothing written.
expect_bad 1 "151669 tokens but the model has vocab = 512" "$NURI_BIN" train export --checkpoint "$TMP/run.ckpt" \
    --tokenizer "$SHARED/models/ko-qwen2-q8_0.gguf" -o "$TMP/x.gguf"
checked=$((checked + 1))
[ -e "$TMP/x.gguf" ] && fail "a failed export wrote its output"
# A chat template nuri cannot parse, a missing one: refused before anything is written.
printf '{%% for m in messages %%}{{ m.content }}' >"$TMP/broken.jinja"
expect_bad 1 "--chat-template $TMP/broken.jinja: " "$NURI_BIN" train export --checkpoint "$TMP/run.ckpt" \
    --tokenizer "$TOKGGUF" --chat-template "$TMP/broken.jinja" -o "$TMP/x.gguf"
expect_bad 1 "--chat-template $TMP/none.jinja: " "$NURI_BIN" train export --checkpoint "$TMP/run.ckpt" \
    --tokenizer "$TOKGGUF" --chat-template "$TMP/none.jinja" -o "$TMP/x.gguf"
checked=$((checked + 2))
[ -e "$TMP/x.gguf" ] && fail "an export with a bad chat template wrote its output"
# Resuming a finished run is a no-op that keeps the file.
"$NURI_BIN" train --tokens "$TMP/good.tok" "${TINY[@]}" --checkpoint "$TMP/run.ckpt" --resume 2>/dev/null || fail "resume of a finished run failed"
unchanged "$TMP/run.ckpt"

echo "$checked checks"
if [ "$fails" -ne 0 ]; then
    echo "$fails failed"
    exit 1
fi
echo "test_train_errors: passed"
