#!/usr/bin/env bash
# nuri data on the shared law corpus: the manifest's sha256 of every source equals
# sha256sum's, its license equals PROVENANCE.md's row, counts add up, outputs are one
# document a line and NFC, two runs give the same bytes; bad input exits 1 with one line
# on stderr and writes nothing; bad flags exit 2. Run from the repository root with
# NURI_BIN set (ctest does).
set -u
: "${NURI_BIN:?NURI_BIN must point at the nuri binary}"
SHARED="${NURI_SHARED:-../shared}"
LAW="$SHARED/data/corpus/law"
if [ ! -d "$LAW" ]; then
    echo "SKIPPED: $LAW is absent (the shared corpus)"
    exit 77
fi
PY=python3
command -v "$PY" >/dev/null || { echo "SKIPPED: python3 is needed to read the manifest"; exit 77; }
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

"$NURI_BIN" data --help >"$TMP/help" 2>&1 || fail "--help exits non-zero"
grep -q -- "--canaries" "$TMP/help" || fail "--help does not describe --canaries"

"$NURI_BIN" data -q -o "$TMP/a" --canaries 2 --canary-repeats 2 "$LAW/constitution.txt" "wrapped:$LAW/kobill" "$LAW/statutes" \
    2>"$TMP/err" || fail "run on the law corpus failed: $(cat "$TMP/err")"
"$NURI_BIN" data -q -o "$TMP/b" --canaries 2 --canary-repeats 2 "$LAW/constitution.txt" "wrapped:$LAW/kobill" "$LAW/statutes" \
    2>"$TMP/err" || fail "second run failed"
for f in train.txt val.txt canaries.jsonl manifest.json; do
    cmp -s "$TMP/a/$f" "$TMP/b/$f" || fail "$f differs between two identical runs"
done

"$PY" - "$TMP/a" "$SHARED/data/PROVENANCE.md" <<'PYEOF' || fail "manifest checks"
import hashlib, json, os, sys, unicodedata
out, prov = sys.argv[1], sys.argv[2]
m = json.load(open(os.path.join(out, "manifest.json")))
rows = {}
for line in open(prov, encoding="utf-8"):
    cells = [c.strip() for c in line.split("|")]
    if len(cells) > 4 and cells[1].startswith("corpus/"):
        rows[cells[1]] = cells[3]
bad = 0
def check(cond, what):
    global bad
    if not cond:
        print("manifest:", what); bad += 1
srcs = m["sources"]
check(len(srcs) == 14, "%d sources, want 14" % len(srcs))
for s in srcs:
    data = open(s["path"], "rb").read()
    check(s["sha256"] == hashlib.sha256(data).hexdigest(), s["path"] + " sha256")
    check(s["bytes"] == len(data), s["path"] + " bytes")
    rel = "corpus/" + s["path"].split("/corpus/", 1)[1]
    check(s["license"] == rows.get(rel), "%s license %r, PROVENANCE says %r" % (rel, s["license"], rows.get(rel)))
    check(s["docs_kept"] + sum(s["dropped"].values()) == s["docs_in"], s["path"] + " counts")
    check(s["train_docs"] + s["val_docs"] == s["docs_kept"], s["path"] + " split counts")
    check(s["format"] == ("wrapped" if "/kobill/" in rel else "markdown" if rel.endswith(".md") else "lines"), rel + " format")
t = m["totals"]
check(t["docs_in"] == sum(s["docs_in"] for s in srcs), "total docs_in")
train = open(os.path.join(out, "train.txt"), encoding="utf-8").read()
val = open(os.path.join(out, "val.txt"), encoding="utf-8").read()
check(unicodedata.is_normalized("NFC", train) and unicodedata.is_normalized("NFC", val), "outputs are not NFC")
check(train.count("\n") == t["train_docs"] + 2 * 2, "train.txt lines")
check(val.count("\n") == t["val_docs"], "val.txt lines")
check(m["outputs"]["train"]["sha256"] == hashlib.sha256(train.encode()).hexdigest(), "train sha256")
for line in open(os.path.join(out, "canaries.jsonl"), encoding="utf-8"):
    c = json.loads(line)
    lines = train.split("\n")
    for k in c["train_lines"]:
        check(lines[k - 1] == c["text"], "canary not on its line")
sys.exit(1 if bad else 0)
PYEOF

# bad input: exit 1, one line, nothing written
printf '\xff\xfe not utf-8\n' >"$TMP/bad.txt"
"$NURI_BIN" data -q -o "$TMP/c" "$TMP/bad.txt" 2>"$TMP/err"
rc=$?
[ $rc -eq 1 ] || fail "invalid UTF-8 exits $rc, want 1"
grep -q "invalid UTF-8 at byte 0" "$TMP/err" || fail "invalid UTF-8 message: $(cat "$TMP/err")"
[ "$(wc -l <"$TMP/err")" -eq 1 ] || fail "invalid UTF-8: more than one line on stderr"
[ ! -e "$TMP/c" ] || fail "invalid UTF-8: the output directory was created"
: >"$TMP/empty.txt"
"$NURI_BIN" data -q -o "$TMP/c" "$TMP/empty.txt" 2>"$TMP/err"
[ $? -eq 1 ] && grep -q "empty" "$TMP/err" || fail "empty input: $(cat "$TMP/err")"
"$NURI_BIN" data -q "$LAW/constitution.txt" 2>/dev/null
[ $? -eq 2 ] || fail "missing -o does not exit 2"
"$NURI_BIN" data -q -o "$TMP/c" --bogus "$LAW/constitution.txt" 2>/dev/null
[ $? -eq 2 ] || fail "an unknown flag does not exit 2"
"$NURI_BIN" data -q -o "$TMP/c" --pii NAME "$LAW/constitution.txt" 2>/dev/null
[ $? -eq 2 ] || fail "--pii NAME does not exit 2"

if [ $fails -ne 0 ]; then
    echo "test_data: $fails failed"
    exit 1
fi
echo "test_data: ok"
