#!/usr/bin/env bash
# The bundled model: with -m omitted and $NURI_MODEL unset, nuri run, nuri chat and nuri serve
# use share/nuri-ko/nuri-ko.gguf (the same output as naming it); $NURI_MODEL overrides it, and
# a $NURI_MODEL that does not exist is a one-line error naming it.
set -u
: "${NURI_BIN:?NURI_BIN must point at the nuri binary}"
TMP="$(mktemp -d)"
SERVER=""
trap '[ -n "$SERVER" ] && kill "$SERVER" 2>/dev/null; rm -rf "$TMP"' EXIT
fails=0 checked=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
ok() { checked=$((checked + 1)); }
BUNDLED=share/nuri-ko/nuri-ko.gguf
[ -f "$BUNDLED" ] || { echo "FAIL: $BUNDLED is missing"; exit 1; }
unset NURI_MODEL

# run: greedy, so the text must equal the run that names the file.
"$NURI_BIN" run -p "개인정보처리자는 정보주체의" -n 16 --temp 0 >"$TMP/default.txt" 2>"$TMP/err" ||
    fail "run without -m: $(cat "$TMP/err")"
"$NURI_BIN" run -m "$BUNDLED" -p "개인정보처리자는 정보주체의" -n 16 --temp 0 >"$TMP/named.txt" 2>/dev/null ||
    fail "run -m $BUNDLED"
ok
[ -s "$TMP/default.txt" ] && cmp -s "$TMP/default.txt" "$TMP/named.txt" ||
    fail "run without -m differs from run -m $BUNDLED: '$(cat "$TMP/default.txt")' vs '$(cat "$TMP/named.txt")'"

# NURI_MODEL overrides the bundled model; a missing one is named.
if [ -f ../shared/models/stories260K.gguf ]; then
    NURI_MODEL=../shared/models/stories260K.gguf "$NURI_BIN" run -p "Once upon" -n 8 --temp 0 >"$TMP/env.txt" 2>/dev/null ||
        fail "run with NURI_MODEL"
    "$NURI_BIN" run -m ../shared/models/stories260K.gguf -p "Once upon" -n 8 --temp 0 >"$TMP/env-named.txt" 2>/dev/null
    ok
    cmp -s "$TMP/env.txt" "$TMP/env-named.txt" || fail "NURI_MODEL was not used"
else
    echo "note: ../shared is absent; the NURI_MODEL override was not checked"
fi
NURI_MODEL="$TMP/none.gguf" "$NURI_BIN" run -p "x" -n 2 >/dev/null 2>"$TMP/err"
rc=$?
ok
[ "$rc" -eq 1 ] && [ "$(wc -l <"$TMP/err")" -eq 1 ] && grep -qF "$TMP/none.gguf" "$TMP/err" ||
    fail "a missing NURI_MODEL: exit $rc, $(cat "$TMP/err")"

# chat: the bundled model carries a chat template, so a conversation runs without flags.
printf '안녕하세요\n' | "$NURI_BIN" chat -n 8 --temp 0 >"$TMP/chat.txt" 2>"$TMP/err"
rc=$?
ok
[ "$rc" -eq 0 ] || fail "chat without -m: exit $rc, $(cat "$TMP/err")"

# serve: starts on the bundled model and names it in /v1/models.
PY=""
for p in ./.venv/bin/python python3; do command -v "$p" >/dev/null 2>&1 && { PY="$p"; break; }; done
if [ -n "$PY" ]; then
    "$NURI_BIN" serve --port 0 >"$TMP/serve.out" 2>"$TMP/serve.err" &
    SERVER=$!
    port=""
    for _ in $(seq 1 100); do
        port=$(grep -oE '127\.0\.0\.1:[0-9]+' "$TMP/serve.out" "$TMP/serve.err" 2>/dev/null | head -1 | sed 's/.*://')
        [ -n "$port" ] && break
        sleep 0.1
    done
    ok
    if [ -z "$port" ]; then
        fail "serve without -m did not start: $(cat "$TMP/serve.err")"
    else
        models=$("$PY" -c 'import sys, urllib.request; print(urllib.request.urlopen(f"http://127.0.0.1:{sys.argv[1]}/v1/models", timeout=30).read().decode())' "$port" 2>&1)
        echo "$models" | grep -q "nuri-ko" || fail "serve without -m: /v1/models says $models"
    fi
    kill "$SERVER" 2>/dev/null
    wait "$SERVER" 2>/dev/null
    SERVER=""
else
    echo "note: no Python; the serve check was skipped"
fi

echo "test_default_model: $checked checks, $fails failed"
[ "$fails" -eq 0 ]
