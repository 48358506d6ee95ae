#!/usr/bin/env bash
# nuri pii detect / redact: JSON lines with type, start, end (half-open byte offsets) and
# text, from standard input or files; --types; redaction with typed placeholders;
# invalid UTF-8 still gives valid JSON (U+FFFD in "text", offsets of the input); an
# unreadable file and bad flags are refused with one line on stderr. Run from the
# repository root with NURI_BIN set (ctest does).
set -u
: "${NURI_BIN:?NURI_BIN must point at the nuri binary}"
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

"$NURI_BIN" pii --help >"$TMP/help" 2>&1 || fail "--help exits non-zero"
grep -q -- "--types" "$TMP/help" || fail "--help does not describe --types"
"$NURI_BIN" --help | grep -q "^  pii " || fail "nuri --help does not list pii"

# detect from stdin: one line per entity, offsets in bytes
printf '제 번호는 010-1234-5678이야, 메일 a@bc.kr' | "$NURI_BIN" pii detect >"$TMP/out" || fail "detect exits non-zero"
want='{"type":"PHONE","start":14,"end":27,"text":"010-1234-5678"}
{"type":"EMAIL","start":42,"end":49,"text":"a@bc.kr"}'
[ "$(cat "$TMP/out")" = "$want" ] || fail "detect stdin: $(cat "$TMP/out")"

# offsets cut the input exactly
printf '주소는 서울특별시 강남구 테헤란로 152입니다' >"$TMP/addr"
line="$("$NURI_BIN" pii detect "$TMP/addr")"
start="$(printf '%s' "$line" | sed 's/.*"start":\([0-9]*\).*/\1/')"
end="$(printf '%s' "$line" | sed 's/.*"end":\([0-9]*\).*/\1/')"
cut="$(head -c "$end" "$TMP/addr" | tail -c "$((end - start))")"
[ "$cut" = "서울특별시 강남구 테헤란로 152" ] || fail "file offsets cut '$cut' ($line)"
printf '%s' "$line" | grep -q "\"file\":\"$TMP/addr\"" || fail "file name missing: $line"
printf '%s' "$line" | grep -q '"type":"ADDRESS"' || fail "address type: $line"

# redact from files, one after another
printf '주민번호 900101-1234567\n' >"$TMP/a"
printf '카드 4111-1111-1111-1111로 결제, 여권번호 M12345678\n' >"$TMP/b"
got="$("$NURI_BIN" pii redact "$TMP/a" "$TMP/b")"
want='주민번호 [RRN]
카드 [CARD]로 결제, 여권번호 [PASSPORT]'
[ "$got" = "$want" ] || fail "redact files: '$got'"

# --types chooses
got="$(printf '010-1234-5678 a@bc.kr' | "$NURI_BIN" pii redact --types email)"
[ "$got" = "010-1234-5678 [EMAIL]" ] || fail "--types email: '$got'"
got="$(printf '010-1234-5678 a@bc.kr' | "$NURI_BIN" pii detect --types PHONE,EMAIL | wc -l)"
[ "$got" -eq 2 ] || fail "--types PHONE,EMAIL: $got lines"

# redact keeps text without entities byte for byte (no newline added)
printf '아무것도 없음' | "$NURI_BIN" pii redact >"$TMP/none"
[ "$(cat "$TMP/none")" = "아무것도 없음" ] && [ "$(wc -c <"$TMP/none")" -eq 19 ] || fail "redact changed plain text"

# invalid UTF-8 around entities: valid JSON lines, offsets of the raw input
printf '\xff\xfe010-2345-6789\x80 ab\xe0cd@x.kr' | "$NURI_BIN" pii detect >"$TMP/bad" || fail "detect on invalid UTF-8 exits non-zero"
python3 - "$TMP/bad" <<'EOF' || fail "invalid UTF-8: output is not valid JSON lines: $(cat "$TMP/bad")"
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8")]
assert lines[0] == {"type": "PHONE", "start": 2, "end": 15, "text": "010-2345-6789"}, lines
EOF

# refusals: exit status and one line on stderr
expect_err() {
    local code="$1"; shift
    "$NURI_BIN" "$@" </dev/null >"$TMP/o" 2>"$TMP/e"
    local rc=$?
    [ "$rc" -eq "$code" ] || fail "'$*': exit $rc, want $code"
    [ "$(wc -l <"$TMP/e")" -eq 1 ] || fail "'$*': stderr is not one line: $(cat "$TMP/e")"
}
expect_err 1 pii detect "$TMP/missing.txt"
grep -q "missing.txt" "$TMP/e" || fail "unreadable file not named: $(cat "$TMP/e")"
expect_err 1 pii redact "$TMP/a" "$TMP/missing.txt"
expect_err 2 pii detect --types NOPE
expect_err 2 pii detect --types
expect_err 2 pii frobnicate
expect_err 2 pii detect --bogus

if [ "$fails" -ne 0 ]; then
    echo "test_pii.sh: $fails failed"
    exit 1
fi
echo "test_pii.sh: ok"
