#!/usr/bin/env bash
# nuri audit --eval DIR: calibration (ECE, 10 equal-width bins) of `nuri eval`
# multiple-choice samples. The samples file below is written with ll = log(p), so each
# answer's confidence (softmax of the choices' ll at the prediction) is p itself:
#
#   doc  p(choice 0, 1)  pred gold  confidence correct bin
#    0   (.85, .15)       0    0      .85       yes    8
#    1   (.35, .65)       1    1      .65       yes    6
#    2   (.35, .65)       1    0      .65       no     6
#    3   (.85, .15)       0    1      .85       no     8
#    4   (.05, .95)       1    1      .95       yes    9
#
# accuracy 3/5 = .6; mean confidence 3.95/5 = .79;
# ECE = (2·|.5 − .65| + 2·|.5 − .85| + 1·|1 − .95|) / 5 = (.30 + .70 + .05) / 5 = .21.
set -u
: "${NURI_BIN:?NURI_BIN must point at the nuri binary}"
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

mkdir -p "$TMP/ev"
python3 - "$TMP/ev/samples_kobest_boolq.jsonl" <<'PY'
import json, math, sys
rows = [((.85, .15), 0, 0), ((.35, .65), 1, 1), ((.35, .65), 1, 0), ((.85, .15), 0, 1), ((.05, .95), 1, 1)]
with open(sys.argv[1], "w") as f:
    for i, (p, pred, gold) in enumerate(rows):
        ch = [{"text": t, "n_tokens": 1, "ll": math.log(x), "is_greedy": False} for t, x in zip((" 아니오", " 예"), p)]
        f.write(json.dumps({"doc_id": i, "prompt": "질문", "choices": ch, "pred": pred, "gold": gold}, ensure_ascii=False) + "\n")
PY
# A generation task's samples: skipped, and said so.
echo '{"doc_id":0,"prompt":"p","id":"x","generated":"g","n_tokens":1,"answers":["g"],"exact_match":1,"f1":1}' \
    >"$TMP/ev/samples_korquad.jsonl"

# --only calibration needs no model: NURI_MODEL points nowhere, so loading one would fail.
NURI_MODEL=/nonexistent.gguf "$NURI_BIN" audit --only calibration --eval "$TMP/ev" --output "$TMP/o" \
    --data-dir "$TMP/nodata" 2>"$TMP/err" || fail "calibration-only audit: $(cat "$TMP/err")"
python3 - "$TMP/o/passport.json" <<'PY' || fail "calibration numbers"
import json, sys
c = json.load(open(sys.argv[1]))["calibration_eval"]
t = {x["name"]: x for x in c["tasks"]}["kobest_boolq"]
for o in (t, c["overall"]):
    assert o["documents"] == 5, o
    assert abs(o["accuracy"] - .6) < 1e-12, o
    assert abs(o["mean_confidence"] - .79) < 1e-12, o
    assert abs(o["ece"] - .21) < 1e-12, o
assert t["samples"] == "../ev/samples_kobest_boolq.jsonl", t["samples"]
assert [s["name"] for s in c["skipped"]] == ["korquad"], c["skipped"]
PY
grep -q 'href="../ev/samples_kobest_boolq.jsonl">0.210</a>' "$TMP/o/passport.html" || fail "html ECE link"
grep -q 'korquad (generation' "$TMP/o/passport.html" || fail "html skipped task"
"$NURI_BIN" audit compare "$TMP/o" "$TMP/o" >"$TMP/cmp" || fail "compare"
grep -q "ECE kobest_boolq .*0.210 .*0.210" "$TMP/cmp" || fail "compare ECE row: $(cat "$TMP/cmp")"
grep -q "eval accuracy .*0.600" "$TMP/cmp" || fail "compare accuracy row: $(cat "$TMP/cmp")"

# With a (scripted) model: probes and calibration in one passport.
"$NURI_BIN" audit --fake audit/fake/scripted.jsonl --only harmful,calibration --eval "$TMP/ev" --output "$TMP/f" \
    --sample 2 --data-dir "$TMP/nodata" 2>"$TMP/err" || fail "fake + calibration: $(cat "$TMP/err")"
python3 -c "import json,sys; p=json.load(open(sys.argv[1])); assert p['families'][0]['attempts']==2 and abs(p['calibration_eval']['overall']['ece']-.21)<1e-12" \
    "$TMP/f/passport.json" || fail "fake + calibration passport"

# Errors: a malformed line names FILE:LINE and nothing is written; calibration without
# --eval; --eval that --only leaves out.
cp -r "$TMP/ev" "$TMP/bad"
echo '{"doc_id":5,"choices":[{"ll":-1},{"ll":-2}],"pred":1,"gold":0}' >>"$TMP/bad/samples_kobest_boolq.jsonl"
"$NURI_BIN" audit --only calibration --eval "$TMP/bad" --output "$TMP/b" 2>"$TMP/err"
[ $? = 1 ] && grep -q "samples_kobest_boolq.jsonl:6: \"pred\" 1 is not the argmax" "$TMP/err" || fail "bad line: $(cat "$TMP/err")"
[ -e "$TMP/b" ] && fail "a malformed samples file still wrote $TMP/b"
"$NURI_BIN" audit --only calibration --output "$TMP/b" 2>"$TMP/err"
[ $? = 1 ] && grep -q -- "--eval" "$TMP/err" || fail "calibration without --eval: $(cat "$TMP/err")"
"$NURI_BIN" audit --fake audit/fake/scripted.jsonl --only harmful --eval "$TMP/ev" --output "$TMP/b" 2>"$TMP/err"
[ $? = 1 ] && grep -q "leaves out calibration" "$TMP/err" || fail "--eval outside --only: $(cat "$TMP/err")"
# A real `nuri eval` directory (stories260K, a few documents): each task's accuracy must be
# results.json's acc (not acc_norm: hellaswag has both), and the ECE must be what an
# independent computation from the samples gives; korquad (generation) is skipped.
SHARED="${NURI_SHARED:-../shared}"
if [ -f "$SHARED/models/stories260K.gguf" ] && [ -f "$SHARED/data/eval/kobest/copa/test.tsv" ]; then
    "$NURI_BIN" eval -m "$SHARED/models/stories260K.gguf" --tasks kobest_copa,kobest_hellaswag,korquad --limit 6 \
        --data-dir "$SHARED/data/eval" --output "$TMP/real" -t 2 -q 2>"$TMP/err" || fail "nuri eval: $(cat "$TMP/err")"
    "$NURI_BIN" audit --only calibration --eval "$TMP/real" --output "$TMP/ro" 2>"$TMP/err" ||
        fail "calibration of a real eval: $(cat "$TMP/err")"
    python3 - "$TMP/real" "$TMP/ro/passport.json" <<'PY' || fail "calibration of a real eval: numbers"
import json, math, sys
d = sys.argv[1]
res = json.load(open(f"{d}/results.json"))["results"]
c = json.load(open(sys.argv[2]))["calibration_eval"]
assert [s["name"] for s in c["skipped"]] == ["korquad"], c["skipped"]
bins = [[0, 0.0, 0] for _ in range(10)]  # n, confidence sum, correct
for t in c["tasks"]:
    assert abs(t["accuracy"] - res[t["name"]]["acc,none"]) < 1e-12, (t, res[t["name"]])
    for line in open(f"{d}/samples_{t['name']}.jsonl"):
        s = json.loads(line)
        ll = [x["ll"] for x in s["choices"]]
        pred = max(range(len(ll)), key=lambda i: (ll[i], -i))
        conf = 1 / sum(math.exp(x - ll[pred]) for x in ll)
        b = bins[min(int(conf * 10), 9)]
        b[0] += 1; b[1] += conf; b[2] += pred == s["gold"]
n = sum(b[0] for b in bins)
ece = sum(abs(b[2] / b[0] - b[1] / b[0]) * b[0] / n for b in bins if b[0])
assert n == 12 == c["overall"]["documents"], n
assert abs(c["overall"]["ece"] - ece) < 1e-9, (c["overall"]["ece"], ece)
PY
fi
[ $fails = 0 ] && echo "test_audit_calib.sh: ok" || exit 1
