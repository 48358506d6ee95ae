#!/usr/bin/env bash
# nuri template: the rendered prompt on stdout, byte for byte what Jinja2 rendered
# (tests/data/templates/expected*/, from scripts/gen_template_expected.py), for built-in
# templates, template files and a GGUF's own template; and bad input: exit 1 (2 for
# usage errors) with one line on stderr and nothing on stdout. Run from the repository
# root with NURI_BIN set (ctest does).
set -u
: "${NURI_BIN:?NURI_BIN must point at the nuri binary}"
SHARED="${NURI_SHARED:-../shared}"
DATA=tests/data/templates
CONV=$DATA/conversations

fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT

PY=""
for p in "${NURI_PYTHON:-}" python3 /work/venv-dev/bin/python; do
    if [ -n "$p" ] && command -v "$p" >/dev/null 2>&1; then
        PY="$p"
        break
    fi
done
if [ -z "$PY" ]; then
    echo "SKIPPED: no python3 to read the expected outputs (JSON)"
    exit 77
fi

# unpack FILE.json...: writes $TMP/x/<record>/{<conversation>.<gen>,bos_token,eos_token,...}
# (outputs only where Jinja2 rendered): one Python start for all the records.
unpack() {
    "$PY" - "$TMP/x" "$@" <<'EOF'
import json, os, sys
for path in sys.argv[2:]:
    rec = json.load(open(path, encoding="utf-8"))
    d = os.path.join(sys.argv[1], os.path.basename(path)[:-5])
    os.makedirs(d, exist_ok=True)
    for k in ("bos_token", "eos_token", "builtin", "gguf"):
        if k in rec:
            open(os.path.join(d, k), "wb").write(rec[k].encode("utf-8"))
    for c in rec["cases"]:
        if "output" in c:
            name = "%s.%d" % (c["conversation"], c["add_generation_prompt"])
            open(os.path.join(d, name), "wb").write(c["output"].encode("utf-8"))
EOF
}
unpack "$DATA"/expected_builtin/*.json "$DATA"/expected_gguf/*.json "$DATA"/expected/*.json || {
    echo "FAIL: cannot read the expected outputs"
    exit 1
}

# want RECORD CONVERSATION GEN: Jinja2's output into $TMP/want; status 1 where Jinja2 failed.
want() { [ -f "$TMP/x/$1/$2.$3" ] && cp "$TMP/x/$1/$2.$3" "$TMP/want"; }
field() { cat "$TMP/x/$1/$2"; }

# same WHAT ARGS...: nuri's output equals $TMP/want, exit 0, nothing on stderr.
same() {
    local what="$1"
    shift
    "$NURI_BIN" template "$@" >"$TMP/got" 2>"$TMP/err"
    local rc=$?
    [ "$rc" -eq 0 ] || { fail "$what: exit $rc: $(head -c 300 "$TMP/err")"; return; }
    [ -s "$TMP/err" ] && fail "$what: wrote to stderr: $(head -c 300 "$TMP/err")"
    cmp -s "$TMP/want" "$TMP/got" || fail "$what: output differs from Jinja2's"
}

# bad WHAT RC ARGS...: exit RC, exactly one line on stderr starting "nuri template:", no stdout.
bad() {
    local what="$1" want_rc="$2"
    shift 2
    "$NURI_BIN" template "$@" >"$TMP/out" 2>"$TMP/err"
    local rc=$?
    [ "$rc" -eq "$want_rc" ] || fail "$what: exit $rc, wanted $want_rc"
    [ "$(wc -l <"$TMP/err")" -eq 1 ] || fail "$what: stderr is not one line: $(head -c 300 "$TMP/err")"
    grep -q '^nuri template: ' "$TMP/err" || fail "$what: stderr does not start with 'nuri template: '"
    [ -s "$TMP/out" ] && fail "$what: wrote to stdout"
    cp "$TMP/err" "$TMP/last_err"
}

# --help and --list-templates
"$NURI_BIN" template --help >"$TMP/out" 2>&1 || fail "--help: nonzero exit"
grep -q '^usage: nuri template' "$TMP/out" || fail "--help: no usage line"
"$NURI_BIN" template --list-templates >"$TMP/list" || fail "--list-templates: nonzero exit"
for name in chatml llama3 gemma3 exaone3 exaone-deep smollm2 qwen2.5 qwen3; do
    grep -qx "$name" "$TMP/list" || fail "--list-templates: no $name"
done

# built-in templates, every conversation Jinja2 renders, with and without the generation prompt
n=0
for recf in "$DATA"/expected_builtin/*.json; do
    rec="$(basename "$recf" .json)"
    name="$(field "$rec" builtin)"
    bos="$(field "$rec" bos_token)"
    eos="$(field "$rec" eos_token)"
    for conv in "$CONV"/*.json; do
        c="$(basename "$conv" .json)"
        for gen in 1 0; do
            want "$rec" "$c" "$gen" || continue
            flags=(--chat-template "$name" --messages "$conv" --bos "$bos" --eos "$eos")
            [ "$gen" = 0 ] && flags+=(--no-generation-prompt)
            same "--chat-template $name / $c / gen=$gen" "${flags[@]}"
            n=$((n + 1))
        done
    done
done
[ "$n" -ge 100 ] || fail "only $n built-in template cases checked"

# messages from standard input, and an alias
want llama3 multi_turn 1
"$NURI_BIN" template --chat-template llama3.2 --messages - --bos '<|begin_of_text|>' --eos '<|eot_id|>' \
    <"$CONV/multi_turn.json" >"$TMP/got" 2>"$TMP/err" || fail "--messages -: nonzero exit: $(cat "$TMP/err")"
cmp -s "$TMP/want" "$TMP/got" || fail "--messages - with the llama3.2 alias: output differs"

# a GGUF's own template and BOS/EOS texts (-m), and --template FILE
if [ -d "$SHARED/vocab" ]; then
    for recf in "$DATA"/expected_gguf/*.json; do
        rec="$(basename "$recf" .json)"
        gguf="$SHARED/$(field "$rec" gguf)"
        for c in multi_turn system_user assistant_last whitespace; do
            for gen in 1 0; do
                want "$rec" "$c" "$gen" || continue
                flags=(-m "$gguf" --messages "$CONV/$c.json")
                [ "$gen" = 0 ] && flags+=(--no-generation-prompt)
                same "-m $gguf / $c / gen=$gen" "${flags[@]}"
            done
        done
    done
    bad "-m a model without a chat template" 1 -m "$SHARED/vocab/ggml-vocab-llama-bpe.gguf" --messages "$CONV/single_user.json"
    grep -q 'chat-template' "$TMP/last_err" || fail "no-template message does not point at --chat-template"
    bad "-m a missing file" 1 -m "$TMP/nope.gguf" --messages "$CONV/single_user.json"
fi
if [ -d "$SHARED/templates" ]; then
    for t in google-gemma-3-1b-it.gguf meta-llama-Llama-3.1-8B-Instruct Qwen-Qwen3-0.6B.gguf \
        LGAI-EXAONE-EXAONE-Deep-2.4B.gguf NousResearch-Hermes-3-Llama-3.1-8B-tool_use; do
        bos="$(field "$t" bos_token)"
        eos="$(field "$t" eos_token)"
        for c in multi_turn_nosys tools thinking; do
            want "$t" "$c" 1 || continue
            same "--template $t / $c" --template "$SHARED/templates/$t.jinja" --messages "$CONV/$c.json" --bos "$bos" --eos "$eos"
        done
    done
    # the template rejects the conversation: its message, on one line
    bad "raise_exception" 1 --template "$SHARED/templates/google-gemma-2-2b-it.jinja" --messages "$CONV/system_user.json"
    grep -q 'System role not supported' "$TMP/last_err" || fail "raise_exception message missing: $(cat "$TMP/last_err")"
fi

# bad input
printf '[{"role": "user", "content": "\xed\x95\x9c\xff"}]' >"$TMP/badutf8.json"
printf '[{"role": "user", "content": "안녕"' >"$TMP/malformed.json"
printf '{"role": "user"}' >"$TMP/notalist.json"
printf '{{ 1 + }}' >"$TMP/syntax.jinja"
printf 'a\n{%% include "x" %%}' >"$TMP/unsupported.jinja"
printf '\xff{{ 1 }}' >"$TMP/badutf8.jinja"
bad "missing messages file" 1 --chat-template chatml --messages "$TMP/nope.json"
bad "malformed JSON" 1 --chat-template chatml --messages "$TMP/malformed.json"
grep -q 'malformed JSON' "$TMP/last_err" || fail "malformed JSON message: $(cat "$TMP/last_err")"
bad "invalid UTF-8 in messages" 1 --chat-template chatml --messages "$TMP/badutf8.json"
grep -q 'UTF-8' "$TMP/last_err" || fail "invalid UTF-8 message: $(cat "$TMP/last_err")"
bad "messages not a list" 1 --chat-template chatml --messages "$TMP/notalist.json"
bad "missing template file" 1 --template "$TMP/nope.jinja" --messages "$CONV/single_user.json"
bad "template syntax error" 1 --template "$TMP/syntax.jinja" --messages "$CONV/single_user.json"
bad "unsupported template construct" 1 --template "$TMP/unsupported.jinja" --messages "$CONV/single_user.json"
grep -q 'line 2' "$TMP/last_err" || fail "unsupported construct: no line number: $(cat "$TMP/last_err")"
bad "template not UTF-8" 1 --template "$TMP/badutf8.jinja" --messages "$CONV/single_user.json"
bad "built-in refuses tools" 1 --chat-template qwen3 --messages "$CONV/tools.json"
bad "unknown built-in" 2 --chat-template nosuch --messages "$CONV/single_user.json"
bad "no template" 2 --messages "$CONV/single_user.json"
bad "no messages" 2 --chat-template chatml
bad "both template sources" 2 --chat-template chatml --template "$TMP/syntax.jinja" --messages "$CONV/single_user.json"
bad "unknown flag" 2 --chat-template chatml --messages "$CONV/single_user.json" --frobnicate
bad "flag without value" 2 --chat-template

if [ "$fails" -ne 0 ]; then
    echo "$fails failure(s)"
    exit 1
fi
echo "ok: $n built-in cases, GGUF and file templates, bad input"
