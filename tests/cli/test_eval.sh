#!/usr/bin/env bash
# nuri eval end to end on ../shared/models/stories260K.gguf with small task and data files
# made here:
# - bad data (a missing file, a malformed row, a wrong column count, an answer outside the
#   choices, an unexpected label, a non-integer, a missing column) and a bad task file: exit
#   1 with one stderr line naming the file (and line), nothing written;
# - resume: a run cut short (--limit, a torn last line, Ctrl-C) and run again gives the same
#   results.json and samples as one uninterrupted run; a different model, or a samples line
#   that no longer matches its document, is refused;
# - the outputs: results.json in lm-eval's layout, report.html self-contained and escaped,
#   the perplexity task, --list.
set -u
: "${NURI_BIN:?NURI_BIN must point at the nuri binary}"
SHARED="${NURI_SHARED:-../shared}"
MODEL="$SHARED/models/stories260K.gguf"
OTHER="$SHARED/models/arch-llama-tied.gguf"
if [ ! -f "$MODEL" ]; then echo "SKIPPED: $MODEL is missing"; exit 77; fi
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
fails=0
checked=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
ok() { checked=$((checked + 1)); }

mkdir -p "$TMP/tasks" "$TMP/data/mini"
cat >"$TMP/tasks/mini.json" <<'EOF'
{
  "family": "mini",
  "about": "a family made by tests/cli/test_eval.sh",
  "tasks": [
    {
      "task": "mini",
      "about": "made by tests/cli/test_eval.sh <b>not bold</b> & \"quoted\"",
      "output_type": "multiple_choice",
      "format": "tsv",
      "test": "mini/test.tsv",
      "fewshot": "mini/train.tsv",
      "fields": {
        "text": "Text",
        "label": {"column": "Answer", "map": {"false": "0", "true": "1"}, "ignore_case": true, "int": true}
      },
      "doc_to_text": "{text} Is it so? ",
      "doc_to_choice": ["no", "yes"],
      "gold": "label",
      "metrics": ["acc", "acc_norm", "f1"],
      "version": 1.0
    },
    {
      "task": "mini_csv",
      "output_type": "multiple_choice",
      "format": "csv",
      "test": "mini/test.csv",
      "fields": {"q": "question", "A": "A", "B": "B", "answer": {"column": "answer", "int": true, "add": -1}},
      "doc_to_text": "{q}\nA. {A}\nB. {B}\nAnswer:",
      "doc_to_choice": ["A", "B"],
      "gold": "answer",
      "metrics": ["acc"]
    }
  ],
  "groups": [{"group": "mini_all", "tasks": ["mini", "mini_csv"], "metrics": ["acc"], "macro": true}]
}
EOF
cp tasks/perplexity.json "$TMP/tasks/"
{
    printf 'ID\tText\tAnswer\r\n'
    for i in $(seq 1 40); do printf '%d\tThe little cat number %d sat on the mat\t%s\r\n' "$i" "$i" "$([ $((i % 3)) = 0 ] && echo TRUE || echo False)"; done
    printf '41\t"A quoted ""line"" with a tab\tinside"\ttrue'
} >"$TMP/data/mini/test.tsv"
printf 'ID\tText\tAnswer\n1\tOnce there was a dog\tTrue\n2\tThe sun is cold\tFalse\n' >"$TMP/data/mini/train.tsv"
printf 'question,answer,A,B\n"Which one, of two?",2,"first, really",second\nWhat is big?,1,an elephant,a mouse\n' >"$TMP/data/mini/test.csv"

eval_cmd() { "$NURI_BIN" eval -m "$MODEL" --tasks-dir "$TMP/tasks" --data-dir "$TMP/data" -t 2 -q "$@"; }

# ---- bad data -------------------------------------------------------------------------
# expect_bad NAME FILE WORD: the data made by the caller in $TMP/bad must stop the run.
expect_bad() {
    local what="$1" file="$2" word="$3"
    rm -rf "$TMP/out_bad"
    "$NURI_BIN" eval -m "$MODEL" --tasks-dir "$TMP/tasks" --data-dir "$TMP/bad" --tasks mini,mini_csv \
        --output "$TMP/out_bad" -q >"$TMP/out" 2>"$TMP/err"
    local rc=$? lines
    lines=$(wc -l <"$TMP/err")
    ok
    if [ "$rc" -ne 1 ]; then
        fail "$what: exit $rc, want 1 ($(head -c 300 "$TMP/err"))"
    elif [ "$lines" -ne 1 ]; then
        fail "$what: $lines lines on stderr, want 1: $(head -c 300 "$TMP/err")"
    elif ! grep -qF -- "$file" "$TMP/err"; then
        fail "$what: stderr does not name $file: $(cat "$TMP/err")"
    elif ! grep -qE -- "$word" "$TMP/err"; then
        fail "$what: stderr does not say '$word': $(cat "$TMP/err")"
    elif [ -s "$TMP/out" ] || [ -e "$TMP/out_bad/results.json" ]; then
        fail "$what: wrote results"
    fi
}
fresh_bad() { rm -rf "$TMP/bad"; cp -r "$TMP/data" "$TMP/bad"; }

# --isa: a bad name is a usage error; the scalar kernels give the same predictions as the
# default ones (they differ only in the order of floating-point sums).
"$NURI_BIN" eval -m "$MODEL" --isa avx3 --tasks mini --output "$TMP/out_isa" -q 2>"$TMP/err"
rc=$?
ok
[ "$rc" -eq 2 ] && grep -q -- "--isa: 'avx3'" "$TMP/err" || fail "--isa avx3: exit $rc, $(cat "$TMP/err")"
eval_cmd --tasks mini --limit 8 --output "$TMP/out_isa_best" >/dev/null 2>&1 || fail "eval (default kernels)"
eval_cmd --tasks mini --limit 8 --isa scalar --output "$TMP/out_isa_scalar" >/dev/null 2>&1 || fail "eval --isa scalar"
ok
cmp -s <(grep -o '"pred": *[0-9]*' "$TMP/out_isa_best/samples_mini.jsonl") \
    <(grep -o '"pred": *[0-9]*' "$TMP/out_isa_scalar/samples_mini.jsonl") || fail "--isa scalar changed a prediction"
[ "$(grep -c '"pred"' "$TMP/out_isa_scalar/samples_mini.jsonl")" -eq 8 ] || fail "--isa scalar: not 8 samples"

fresh_bad; rm "$TMP/bad/mini/test.csv"
expect_bad "missing file" "bad/mini/test.csv" "cannot open"
fresh_bad; printf '7\t"never closed\tTrue\n8\tfine\tTrue\n' >>"$TMP/bad/mini/test.tsv"
expect_bad "malformed row" "bad/mini/test.tsv:42:" "quoted field is never closed"
fresh_bad; printf 'What?,1,x,y,z\n' >>"$TMP/bad/mini/test.csv"
expect_bad "wrong column count" "bad/mini/test.csv:4:" "5 columns, the header has 4"
fresh_bad; printf 'What?,3,x,y\n' >>"$TMP/bad/mini/test.csv"
expect_bad "answer outside the choices" "bad/mini/test.csv:4:" "answer .* is outside the 2 choices"
fresh_bad; printf 'What?,0,x,y\n' >>"$TMP/bad/mini/test.csv"
expect_bad "answer below the choices" "bad/mini/test.csv:4:" "answer .* is outside the 2 choices"
fresh_bad; sed -i '5s/False/maybe/' "$TMP/bad/mini/test.tsv"
expect_bad "unexpected label" "bad/mini/test.tsv:5:" "unexpected value 'maybe'"
fresh_bad; printf 'What?,two,x,y\n' >>"$TMP/bad/mini/test.csv"
expect_bad "not an integer" "bad/mini/test.csv:4:" "'two' is not an integer"
fresh_bad; sed -i '1s/Answer/Label/' "$TMP/bad/mini/test.tsv"
expect_bad "missing column" "bad/mini/test.tsv:1:" "no column 'Answer'"
fresh_bad; printf 'x\xff\t1\n' >>"$TMP/bad/mini/train.tsv"
"$NURI_BIN" eval -m "$MODEL" --tasks-dir "$TMP/tasks" --data-dir "$TMP/bad" --tasks mini --num-fewshot 1 \
    --output "$TMP/out_bad" -q >"$TMP/out" 2>"$TMP/err"
rc=$?
ok
[ $rc -eq 1 ] && grep -qF "bad/mini/train.tsv:4: invalid UTF-8" "$TMP/err" || fail "invalid UTF-8 in the few-shot split: $(cat "$TMP/err")"

# A bad task definition names its file.
mkdir -p "$TMP/badtasks"
sed 's/{text} Is it so/{txet} Is it so/' "$TMP/tasks/mini.json" >"$TMP/badtasks/mini.json"
"$NURI_BIN" eval --list --tasks-dir "$TMP/badtasks" >"$TMP/out" 2>"$TMP/err"
rc=$?
ok
[ $rc -eq 1 ] && [ "$(wc -l <"$TMP/err")" -eq 1 ] && grep -q "badtasks/mini.json: task mini: 'doc_to_text' uses {txet}, which is not a field" "$TMP/err" ||
    fail "bad task file: exit $rc: $(cat "$TMP/err")"
"$NURI_BIN" eval -m "$MODEL" --tasks-dir "$TMP/tasks" --data-dir "$TMP/data" --tasks nosuch --output "$TMP/o" -q >"$TMP/out" 2>"$TMP/err"
rc=$?
ok
[ $rc -eq 1 ] && grep -q "unknown task 'nosuch'" "$TMP/err" || fail "unknown task: exit $rc: $(cat "$TMP/err")"

# ---- a full run and its outputs -------------------------------------------------------
eval_cmd --tasks mini_all --output "$TMP/full" >"$TMP/out" 2>"$TMP/err"
rc=$?
ok
[ $rc -eq 0 ] || fail "full run: exit $rc: $(cat "$TMP/err")"
ok
python3 - "$TMP/full" <<'EOF' || fail "results.json layout"
import json, sys
d = json.load(open(sys.argv[1] + "/results.json"))
for k in ["results", "groups", "group_subtasks", "configs", "versions", "n-shot", "higher_is_better", "n-samples", "config"]:
    assert k in d, k
r = d["results"]["mini"]
assert r["sample_len"] == 41 and 0 <= r["acc,none"] <= 1 and r["f1_stderr,none"] == "N/A", r
assert isinstance(r["acc_stderr,none"], float) and "acc_norm,none" in r
assert d["results"]["mini_csv"]["sample_len"] == 2
g = d["groups"]["mini_all"]
assert abs(g["acc,none"] - (r["acc,none"] * 41 + d["results"]["mini_csv"]["acc,none"] * 2) / 43) < 1e-12, g
assert "acc_macro,none" in g and g["sample_count"]["acc,none"] == 43
assert d["n-samples"]["mini"] == {"original": 41, "effective": 41}
assert d["group_subtasks"]["mini_all"] == ["mini", "mini_csv"]
lines = [json.loads(l) for l in open(sys.argv[1] + "/samples_mini.jsonl")]
assert [l["doc_id"] for l in lines] == list(range(41))
assert lines[40]["prompt"] == 'A quoted "line" with a tab\tinside Is it so? ', lines[40]["prompt"]
assert [c["text"] for c in lines[0]["choices"]] == [" no", " yes"]
assert all(set(c) == {"text", "n_tokens", "ll", "is_greedy"} for l in lines for c in l["choices"])
assert lines[2]["gold"] == 1 and lines[0]["gold"] == 0
c = [json.loads(l) for l in open(sys.argv[1] + "/samples_mini_csv.jsonl")]
assert c[0]["prompt"] == "Which one, of two?\nA. first, really\nB. second\nAnswer:" and c[0]["gold"] == 1
EOF
ok
if grep -qiE '<script|src=|href="?https?:|@import|url\(' "$TMP/full/report.html"; then fail "report.html loads or runs something"; fi
ok
grep -qF '&lt;b&gt;not bold&lt;/b&gt;' "$TMP/full/report.html" || fail "report.html does not escape the task's text"
ok
grep -q '<svg' "$TMP/full/report.html" || fail "report.html has no chart"

# ---- resume ---------------------------------------------------------------------------
same_as_full() {
    local dir="$1" what="$2"
    ok
    cmp -s "$TMP/full/results.json" "$dir/results.json" || fail "$what: results.json differs from the uninterrupted run"
    ok
    cmp -s "$TMP/full/samples_mini.jsonl" "$dir/samples_mini.jsonl" || fail "$what: samples differ"
}
eval_cmd --tasks mini_all --limit 5 --output "$TMP/res" >/dev/null 2>"$TMP/err" || fail "limit 5: $(cat "$TMP/err")"
eval_cmd --tasks mini_all --output "$TMP/res" >/dev/null 2>"$TMP/err" || fail "resume: $(cat "$TMP/err")"
same_as_full "$TMP/res" "resumed after --limit 5"

eval_cmd --tasks mini_all --limit 3 --output "$TMP/torn" >/dev/null 2>&1
printf '{"doc_id":3,"prompt":"The lit' >>"$TMP/torn/samples_mini.jsonl"
eval_cmd --tasks mini_all --output "$TMP/torn" >/dev/null 2>"$TMP/err" || fail "torn line: $(cat "$TMP/err")"
same_as_full "$TMP/torn" "resumed after a torn last line"

# Ctrl-C: a long task, interrupted once its first documents are written.
{
    printf 'ID\tText\tAnswer\n'
    for i in $(seq 1 1500); do printf '%d\tA story about the number %d and a red ball\t%s\n' "$i" "$i" "$([ $((i % 2)) = 0 ] && echo true || echo false)"; done
} >"$TMP/data/mini/long.tsv"
sed 's|"mini/test.tsv"|"mini/long.tsv"|' "$TMP/tasks/mini.json" >"$TMP/long_tasks.json"
mkdir -p "$TMP/ltasks" && mv "$TMP/long_tasks.json" "$TMP/ltasks/mini.json"
"$NURI_BIN" eval -m "$MODEL" --tasks-dir "$TMP/ltasks" --data-dir "$TMP/data" --tasks mini -t 1 -q --output "$TMP/int" >/dev/null 2>"$TMP/err" &
pid=$!
for _ in $(seq 1 2000); do
    [ -s "$TMP/int/samples_mini.jsonl" ] && break
    sleep 0.05
done
kill -INT $pid 2>/dev/null
wait $pid
rc=$?
ok
if [ $rc -eq 130 ]; then
    grep -q "interrupted" "$TMP/err" || fail "Ctrl-C: no message: $(cat "$TMP/err")"
    n=$(wc -l <"$TMP/int/samples_mini.jsonl")
    [ "$n" -lt 1500 ] || fail "Ctrl-C: all documents were written"
    "$NURI_BIN" eval -m "$MODEL" --tasks-dir "$TMP/ltasks" --data-dir "$TMP/data" --tasks mini -t 2 -q --output "$TMP/int" >/dev/null 2>"$TMP/err" || fail "resume after Ctrl-C: $(cat "$TMP/err")"
    "$NURI_BIN" eval -m "$MODEL" --tasks-dir "$TMP/ltasks" --data-dir "$TMP/data" --tasks mini -t 2 -q --output "$TMP/int_full" >/dev/null 2>&1
    ok
    cmp -s "$TMP/int/results.json" "$TMP/int_full/results.json" || fail "resumed after Ctrl-C: results.json differs"
    ok
    cmp -s "$TMP/int/samples_mini.jsonl" "$TMP/int_full/samples_mini.jsonl" || fail "resumed after Ctrl-C: samples differ"
elif [ $rc -eq 0 ]; then
    echo "note: the run finished before Ctrl-C reached it; the interrupt path was not exercised"
else
    fail "Ctrl-C: exit $rc: $(cat "$TMP/err")"
fi

# Refusals: another model, a changed document.
if [ -f "$OTHER" ]; then
    "$NURI_BIN" eval -m "$OTHER" --tasks-dir "$TMP/tasks" --data-dir "$TMP/data" --tasks mini -q --output "$TMP/full" >"$TMP/out" 2>"$TMP/err"
    rc=$?
    ok
    [ $rc -eq 1 ] && grep -q "cannot be resumed (the model differs)" "$TMP/err" || fail "other model: exit $rc: $(cat "$TMP/err")"
fi
cp -r "$TMP/full" "$TMP/tamper"
rm "$TMP/tamper/results.json"
sed -i '2s/cat number 2/dog number 2/' "$TMP/tamper/samples_mini.jsonl"
eval_cmd --tasks mini --output "$TMP/tamper" >"$TMP/out" 2>"$TMP/err"
rc=$?
ok
[ $rc -eq 1 ] && grep -q "samples_mini.jsonl:2: does not match document 1" "$TMP/err" || fail "tampered sample: exit $rc: $(cat "$TMP/err")"

# ---- perplexity, --list ---------------------------------------------------------------
head -c 3000 "$SHARED/data/corpus/law/constitution.txt" | iconv -f utf-8 -t utf-8 -c >"$TMP/text.txt"
eval_cmd --tasks perplexity --text "$TMP/text.txt" --output "$TMP/ppl" >/dev/null 2>"$TMP/err"
rc=$?
ok
[ $rc -eq 0 ] && grep -q '"bits_per_byte,none"' "$TMP/ppl/results.json" || fail "perplexity: exit $rc: $(cat "$TMP/err")"
eval_cmd --tasks perplexity --output "$TMP/ppl2" >/dev/null 2>"$TMP/err"
rc=$?
ok
[ $rc -eq 1 ] && grep -q "needs --text FILE" "$TMP/err" || fail "perplexity without --text: $(cat "$TMP/err")"
"$NURI_BIN" eval --list >"$TMP/out" 2>"$TMP/err"
rc=$?
ok
[ $rc -eq 0 ] && grep -q '^kobest_boolq ' "$TMP/out" && grep -q '^kmmlu_legal ' "$TMP/out" && grep -q '^korquad ' "$TMP/out" ||
    fail "--list: $(head -c 300 "$TMP/err")"

echo "test_eval.sh: $checked checks, $fails failed"
[ $fails -eq 0 ]
