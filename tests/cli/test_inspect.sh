#!/usr/bin/env bash
# nuri inspect on the real fixtures in ../shared/models: exit 0, nothing on stderr, and the
# header, key count and every tensor (name, type, shape) as the reference's own Python
# gguf reader sees them (when a Python with the gguf package is available). Also the
# command's usage errors. Run from the repository root with NURI_BIN set (ctest does).
set -u
: "${NURI_BIN:?NURI_BIN must point at the nuri binary}"
SHARED="${NURI_SHARED:-../shared}"
if [ ! -d "$SHARED/models" ]; then
    echo "SKIPPED: $SHARED/models is absent (the shared fixtures)"
    exit 77
fi

fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT

PY=""
for p in "${NURI_PYTHON:-}" ./.venv/bin/python /work/venv-dev/bin/python python3; do
    if [ -n "$p" ] && command -v "$p" >/dev/null 2>&1 && "$p" -c 'import gguf' 2>/dev/null; then
        PY="$p"
        break
    fi
done
[ -n "$PY" ] || echo "note: no Python with the gguf package: tensor lists not compared with the reference reader"

n=0
for f in "$SHARED"/models/*.gguf; do
    n=$((n + 1))
    "$NURI_BIN" inspect "$f" >"$TMP/out" 2>"$TMP/err"
    rc=$?
    [ "$rc" -eq 0 ] || fail "inspect $f: exit $rc: $(head -c 300 "$TMP/err")"
    [ -s "$TMP/err" ] && fail "inspect $f: wrote to stderr: $(head -c 300 "$TMP/err")"
    grep -q '^GGUF version: [23]$' "$TMP/out" || fail "inspect $f: no GGUF version line"
    grep -q "^file: $f\$" "$TMP/out" || fail "inspect $f: no file line"
    [ -n "$PY" ] || continue
    # The reference reader's view, in inspect's words: header lines, then "name TYPE [ne...]".
    "$PY" - "$f" >"$TMP/want" <<'EOF' || fail "python could not read $f"
import sys, gguf
r = gguf.GGUFReader(sys.argv[1])
kv = [k for k in r.fields if not k.startswith("GGUF.")]
arch = r.fields["general.architecture"].contents() if "general.architecture" in r.fields else "(none)"
print(f"architecture: {arch}")
print(f"metadata ({len(kv)} keys):")
print(f"tensors ({len(r.tensors)}):")
for t in r.tensors:
    print(t.name, t.tensor_type.name, "[" + ", ".join(str(int(d)) for d in t.shape) + "]")
EOF
    {
        grep -E '^(architecture|metadata \(|tensors \()' "$TMP/out"
        sed -n '/^tensors (/,/^$/p' "$TMP/out" | grep '^  ' | sed -E 's/^ +//; s/ +/ /; s/ +\[/ [/'
    } >"$TMP/got"
    diff "$TMP/want" "$TMP/got" >"$TMP/diff" || fail "inspect $f differs from the reference reader: $(head -5 "$TMP/diff")"
done
[ "$n" -gt 0 ] || fail "no .gguf files in $SHARED/models"

# --all prints every element of long arrays; the default shortens them.
f="$SHARED/models/arch-llama-tied.gguf"
if [ -f "$f" ]; then
    short=$("$NURI_BIN" inspect "$f" | grep -c '"<0x3F>"')
    full=$("$NURI_BIN" inspect "$f" --all | grep -c '"<0x3F>"')
    [ "$short" -eq 0 ] && [ "$full" -eq 1 ] || fail "inspect --all: token <0x3F> shown $short/$full times"
fi

# Usage errors: status 2, one line or the usage on stderr, nothing on stdout.
"$NURI_BIN" inspect >"$TMP/out" 2>"$TMP/err"
[ $? -eq 2 ] && [ ! -s "$TMP/out" ] && grep -q usage "$TMP/err" || fail "inspect without a model: want status 2 and usage"
"$NURI_BIN" inspect --bogus "$f" >"$TMP/out" 2>"$TMP/err"
[ $? -eq 2 ] && [ "$(wc -l <"$TMP/err")" -eq 1 ] && grep -q -- --bogus "$TMP/err" || fail "inspect --bogus: want status 2 and one line"
"$NURI_BIN" inspect "$f" "$f" >"$TMP/out" 2>"$TMP/err"
[ $? -eq 2 ] || fail "inspect with two models: want status 2"
"$NURI_BIN" inspect --help >"$TMP/out" 2>"$TMP/err"
[ $? -eq 0 ] && grep -q usage "$TMP/out" || fail "inspect --help: want status 0 and usage on stdout"

if [ "$fails" -ne 0 ]; then
    echo "$fails failure(s)"
    exit 1
fi
echo "test_inspect: $n fixtures inspected${PY:+ and compared with the reference reader}"
