#!/usr/bin/env bash
# Kill -9 during training, then resume: the run must end with a checkpoint bit-identical
# (weights, AdamW moments, step, data position) to an uninterrupted run's, and after
# every kill the checkpoint must be absent or whole (nuri train info validates its size
# and checksum). The resumed segments alternate between 1 and 2 threads, since results do
# not depend on the thread count. Needs ../shared (a tokenizer and Korean text).
set -u
: "${NURI_BIN:?NURI_BIN must point at the nuri binary}"
SHARED="${NURI_SHARED:-../shared}"
[ -f "$SHARED/models/stories260K.gguf" ] || { echo "SKIPPED: ../shared is missing"; exit 77; }
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

head -n 1500 "$SHARED/data/corpus/nsmc_reviews.txt" >"$TMP/text.txt"
"$NURI_BIN" train shard --tokenizer "$SHARED/models/stories260K.gguf" --text "$TMP/text.txt" -o "$TMP/train.tok" 2>/dev/null ||
    { echo "FAIL: cannot make the shard"; exit 1; }
ARGS=(--tokens "$TMP/train.tok" --vocab 512 --dim 32 --layers 2 --heads 4 --kv-heads 2 --ffn 64
      --context 32 --batch 4 --accum 2 --steps 150 --warmup 20 --lr 0.005 --seed 9 --eval-interval 0
      --ckpt-interval 3 --print-every 1000000)

t0=$(date +%s%N)
"$NURI_BIN" train "${ARGS[@]}" --checkpoint "$TMP/a.ckpt" -t 2 2>"$TMP/a.err" || fail "uninterrupted run: $(tail -1 "$TMP/a.err")"
# Kill times are drawn within the length of a whole run, however fast this machine is.
run_ms=$((($(date +%s%N) - t0) / 1000000))
[ "$run_ms" -ge 20 ] || run_ms=20

# Interrupted run: six kills at random moments that land while it runs, at least one
# after a checkpoint exists; then it runs to the end.
RANDOM=4242
kills=0
resumed_mid=0
for attempt in $(seq 1 30); do
    [ "$kills" -ge 6 ] && break
    threads=$((attempt % 2 + 1))
    "$NURI_BIN" train "${ARGS[@]}" --checkpoint "$TMP/b.ckpt" --resume -t "$threads" 2>"$TMP/b.err" &
    pid=$!
    ms=$((run_ms / 50 + RANDOM % (run_ms / 2)))
    sleep "$((ms / 1000)).$(printf '%03d' $((ms % 1000)))"
    if kill -9 "$pid" 2>/dev/null; then
        wait "$pid" 2>/dev/null
        kills=$((kills + 1))
    else
        wait "$pid"
        rc=$?
        [ "$rc" -eq 0 ] || fail "run $attempt exited $rc: $(tail -1 "$TMP/b.err")"
        # Finished before the kill: start over so that kills land mid-run.
        rm -f "$TMP/b.ckpt"
        continue
    fi
    if [ -e "$TMP/b.ckpt" ]; then
        "$NURI_BIN" train info "$TMP/b.ckpt" >"$TMP/info" 2>"$TMP/info.err" ||
            fail "after kill $kills the checkpoint is damaged: $(cat "$TMP/info.err")"
        step=$(sed -n 's/^# .*: step \([0-9]*\) of.*/\1/p' "$TMP/info")
        [ "${step:-0}" -gt 0 ] && [ "${step:-0}" -lt 150 ] && resumed_mid=1
    fi
done
[ "$kills" -ge 6 ] || fail "only $kills kills landed while training ran"
[ "$resumed_mid" -eq 1 ] || fail "no kill left a checkpoint to resume from"
# Finish whatever is left (no kill) and compare.
"$NURI_BIN" train "${ARGS[@]}" --checkpoint "$TMP/b.ckpt" --resume -t 1 2>"$TMP/b.err" || fail "final resume: $(tail -1 "$TMP/b.err")"
if ! cmp -s "$TMP/a.ckpt" "$TMP/b.ckpt"; then
    fail "the resumed run's checkpoint differs from the uninterrupted run's"
fi
"$NURI_BIN" train info "$TMP/b.ckpt" | grep -q "step 150 of 150" || fail "the resumed run did not reach step 150"

echo "kills: $kills"
if [ "$fails" -ne 0 ]; then
    echo "$fails failed"
    exit 1
fi
echo "test_train_resume: passed"
