#!/usr/bin/env bash
# nuri train end to end through the CLI: shards from text, a config file overridden by
# flags, validation and the step log, the progress line, checkpoint info, export in F32
# and Q8_0 and the exported models running in nuri logits / nuri run; the same run on 1 and
# 2 threads gives the same checkpoint. Needs ../shared (a tokenizer and Korean text).
set -u
: "${NURI_BIN:?NURI_BIN must point at the nuri binary}"
SHARED="${NURI_SHARED:-../shared}"
TOKGGUF="$SHARED/models/stories260K.gguf"
[ -f "$TOKGGUF" ] || { echo "SKIPPED: ../shared is missing"; exit 77; }
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

head -n 600 "$SHARED/data/corpus/nsmc_reviews.txt" >"$TMP/train.txt"
sed -n '1001,1100p' "$SHARED/data/corpus/nsmc_reviews.txt" >"$TMP/val.txt"
"$NURI_BIN" train shard --tokenizer "$TOKGGUF" --text "$TMP/train.txt" -o "$TMP/train.tok" 2>"$TMP/shard.err" ||
    fail "shard: $(cat "$TMP/shard.err")"
grep -qE "tokens from 600 documents" "$TMP/shard.err" || fail "shard summary: $(cat "$TMP/shard.err")"
"$NURI_BIN" train shard --tokenizer "$TOKGGUF" --text "$TMP/val.txt" -o "$TMP/val.tok" 2>/dev/null || fail "val shard"

cat >"$TMP/run.cfg" <<'EOF'
# a tiny model
vocab = 512
dim = 32
layers = 2
heads = 4
kv_heads = 2
ffn = 64
context = 32
batch = 4
steps = 999      # overridden on the command line
warmup = 3
lr = 0.005
eval-interval = 10
eval_batches = 2
EOF
"$NURI_BIN" train --config "$TMP/run.cfg" --steps 30 --print-config >"$TMP/pc.txt" || fail "print-config"
grep -q "^steps = 30$" "$TMP/pc.txt" || fail "flags do not override the config file"
grep -q "^kv_heads = 2$" "$TMP/pc.txt" || fail "config file not read"
grep -q "^# parameters: " "$TMP/pc.txt" || fail "no parameter count"

for t in 1 2; do
    "$NURI_BIN" train --config "$TMP/run.cfg" --steps 30 --tokens "$TMP/train.tok" --val "$TMP/val.tok" \
        --checkpoint "$TMP/t$t.ckpt" --log "$TMP/t$t.jsonl" -t "$t" --print-every 5 2>"$TMP/t$t.err" ||
        fail "training on $t threads: $(tail -1 "$TMP/t$t.err")"
done
cmp -s "$TMP/t1.ckpt" "$TMP/t2.ckpt" || fail "1 and 2 threads give different checkpoints"
[ "$(wc -l <"$TMP/t1.jsonl")" -eq 30 ] || fail "the log has $(wc -l <"$TMP/t1.jsonl") lines, want 30"
[ "$(grep -c '"val_loss"' "$TMP/t1.jsonl")" -eq 3 ] || fail "want validation at steps 10, 20, 30"
grep -qE '^step 30/30 \| loss [0-9.]+ \| lr [0-9.e+-]+ \| gnorm [0-9.]+ \| [0-9]+ tok/s \| .* elapsed \| eta 0s \| val_loss [0-9.]+ \(ppl [0-9.]+\)$' \
    "$TMP/t1.err" || fail "progress line: $(grep 'step 30' "$TMP/t1.err")"
first=$(sed -n '1s/.*"loss": \([0-9.]*\).*/\1/p' "$TMP/t1.jsonl")
last=$(sed -n '30s/.*"loss": \([0-9.]*\).*/\1/p' "$TMP/t1.jsonl")
awk -v a="$first" -v b="$last" 'BEGIN {exit !(b < a - 1.0)}' || fail "the loss did not fall: $first -> $last"
"$NURI_BIN" train info "$TMP/t1.ckpt" | grep -q "step 30 of 30" || fail "train info"

for type in f32 q8_0; do
    "$NURI_BIN" train export --checkpoint "$TMP/t1.ckpt" --tokenizer "$TOKGGUF" --type "$type" -o "$TMP/m-$type.gguf" \
        2>"$TMP/exp.err" || fail "export $type: $(cat "$TMP/exp.err")"
    "$NURI_BIN" logits -m "$TMP/m-$type.gguf" --tokens 1,410,239,155 --top 3 >"$TMP/logits.txt" 2>&1 ||
        fail "nuri logits on the $type export: $(cat "$TMP/logits.txt")"
    [ "$(grep -c '"top"' "$TMP/logits.txt")" -eq 4 ] || fail "nuri logits output: $(cat "$TMP/logits.txt")"
    "$NURI_BIN" run -m "$TMP/m-$type.gguf" -p "영화" -n 8 >/dev/null 2>&1 || fail "nuri run on the $type export"
done
"$NURI_BIN" inspect "$TMP/m-q8_0.gguf" >"$TMP/inspect.txt" 2>&1 || fail "inspect"
# Metadata and a chat template travel into the file; nuri template renders with it.
printf '{%% for m in messages %%}[{{ m.role }}] {{ m.content }}\n{%% endfor %%}' >"$TMP/chat.jinja"
"$NURI_BIN" train export --checkpoint "$TMP/t1.ckpt" --tokenizer "$TOKGGUF" --license Apache-2.0 --name tiny-ko \
    --source-url https://example.org/tiny --chat-template "$TMP/chat.jinja" -o "$TMP/m-meta.gguf" 2>/dev/null ||
    fail "export with metadata"
"$NURI_BIN" inspect "$TMP/m-meta.gguf" >"$TMP/inspect-meta.txt" 2>&1 || fail "inspect the metadata export"
for want in "Apache-2.0" "tiny-ko" "https://example.org/tiny"; do
    grep -qF "$want" "$TMP/inspect-meta.txt" || fail "the export does not carry $want"
done
printf '[{"role":"user","content":"안녕"}]' >"$TMP/msgs.json"
[ "$("$NURI_BIN" template -m "$TMP/m-meta.gguf" --messages "$TMP/msgs.json")" = "[user] 안녕" ] ||
    fail "the exported chat template does not render"
grep -q "Q8_0" "$TMP/inspect.txt" || fail "the q8_0 export has no Q8_0 tensor"

if [ "$fails" -ne 0 ]; then
    echo "$fails failed"
    exit 1
fi
echo "test_train_cli: passed"
