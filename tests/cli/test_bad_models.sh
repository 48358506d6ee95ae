#!/usr/bin/env bash
# Bad model files given to the CLI: each must make nuri exit with status 1 and exactly one
# line on stderr naming the file and the problem, never crash.
#
# - nuri inspect on corrupt files made here byte by byte (truncated, wrong magic, bad
#   version, absurd counts and lengths, offsets past the end, unknown tensor type, empty,
#   missing, a directory) and on cut copies of ../shared fixtures;
# - once `nuri logits --help` works (the model loader exists): an unknown architecture and a
#   missing tensor, in copies of ../shared/models/arch-llama-tied.gguf.
# Run from the repository root with NURI_BIN set (ctest does).
set -u
: "${NURI_BIN:?NURI_BIN must point at the nuri binary}"
SHARED="${NURI_SHARED:-../shared}"
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
fails=0
checked=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

# expect_bad FILE WORD CMD...: CMD must exit 1 with one stderr line holding FILE and WORD
# (an extended regex), and print nothing on stdout.
expect_bad() {
    local file="$1" word="$2"
    shift 2
    "$@" >"$TMP/out" 2>"$TMP/err"
    local rc=$? lines
    lines=$(wc -l <"$TMP/err")
    checked=$((checked + 1))
    if [ "$rc" -ne 1 ]; then
        fail "$*: exit $rc, want 1 (stderr: $(head -c 300 "$TMP/err"))"
    elif [ "$lines" -ne 1 ]; then
        fail "$*: $lines lines on stderr, want 1: $(head -c 300 "$TMP/err")"
    elif ! grep -qF -- "$file" "$TMP/err"; then
        fail "$*: stderr does not name $file: $(cat "$TMP/err")"
    elif ! grep -qE -- "$word" "$TMP/err"; then
        fail "$*: stderr does not say '$word': $(cat "$TMP/err")"
    elif [ -s "$TMP/out" ]; then
        fail "$*: wrote to stdout"
    fi
}

# Little-endian integers as raw bytes.
le() { # le BYTES VALUE
    local i v=$2 s=""
    for ((i = 0; i < $1; i++)); do
        s+=$(printf '\\x%02x' $((v & 255)))
        v=$((v >> 8))
    done
    printf "$s"
}
str() { le 8 ${#1}; printf '%s' "$1"; }
# patch FILE OFFSET BYTES VALUE: overwrite a little-endian integer in place.
patch() { le "$3" "$4" | dd of="$1" bs=1 seek="$2" conv=notrunc status=none; }

# A valid file: 1 key, 1 F32 tensor of 8 elements. Offsets: version 4, tensor count 8,
# key count 16, the string length of the architecture 56, n_dims 80, ne0 84, type 92,
# tensor offset 96; data at 128..160.
good="$TMP/good.gguf"
{
    printf 'GGUF'; le 4 3; le 8 1; le 8 1
    str general.architecture; le 4 8; str llama
    str tok; le 4 1; le 8 8; le 4 0; le 8 0
    head -c 24 /dev/zero
    head -c 32 /dev/zero
} >"$good"
[ "$(stat -c %s "$good")" -eq 160 ] || fail "test file has the wrong size"
"$NURI_BIN" inspect "$good" >/dev/null 2>"$TMP/err" || fail "the valid test file is rejected: $(cat "$TMP/err")"

bad() { # bad NAME: a fresh copy of the valid file to break
    cp "$good" "$TMP/$1.gguf"
    echo "$TMP/$1.gguf"
}
f=$(bad magic); printf 'GGML' | dd of="$f" bs=1 conv=notrunc status=none
expect_bad "$f" "magic" "$NURI_BIN" inspect "$f"
f=$(bad version); patch "$f" 4 4 4
expect_bad "$f" "version 4" "$NURI_BIN" inspect "$f"
f=$(bad kvcount); patch "$f" 16 8 $((1 << 60))
expect_bad "$f" "key count .*absurd" "$NURI_BIN" inspect "$f"
f=$(bad tcount); patch "$f" 8 8 $((1 << 62))
expect_bad "$f" "tensor count .*absurd" "$NURI_BIN" inspect "$f"
f=$(bad strlen); patch "$f" 56 8 $((1 << 40))
expect_bad "$f" "length" "$NURI_BIN" inspect "$f"
f=$(bad ndims); patch "$f" 80 4 7
expect_bad "$f" "7 dimensions" "$NURI_BIN" inspect "$f"
f=$(bad dim); patch "$f" 84 8 $((1 << 50))
expect_bad "$f" "past the end" "$NURI_BIN" inspect "$f"
f=$(bad type); patch "$f" 92 4 99
expect_bad "$f" "unknown type 99" "$NURI_BIN" inspect "$f"
f=$(bad offset); patch "$f" 96 8 $((1 << 20))
expect_bad "$f" "past the end" "$NURI_BIN" inspect "$f"
f=$(bad misaligned); patch "$f" 96 8 4
expect_bad "$f" "not aligned" "$NURI_BIN" inspect "$f"
for n in 0 3 7 23 40 70 100 110 127 140 159; do
    f="$TMP/cut$n.gguf"
    head -c "$n" "$good" >"$f"
    expect_bad "$f" "truncated|empty|exceeds|remain" "$NURI_BIN" inspect "$f"
done
expect_bad "$TMP/none.gguf" "cannot open" "$NURI_BIN" inspect "$TMP/none.gguf"
mkdir "$TMP/dir.gguf"
expect_bad "$TMP/dir.gguf" "not a regular file" "$NURI_BIN" inspect "$TMP/dir.gguf"
head -c 4096 /dev/urandom >"$TMP/noise.gguf"
expect_bad "$TMP/noise.gguf" "magic" "$NURI_BIN" inspect "$TMP/noise.gguf"

if [ ! -d "$SHARED/models" ]; then
    echo "skipped: cases on real fixtures ($SHARED/models is absent)"
else
    # Real files cut in the header, in the tensor infos and in the data.
    for name in arch-llama-tied zoo-q4_k stories260K; do
        src="$SHARED/models/$name.gguf"
        [ -f "$src" ] || continue
        size=$(stat -c %s "$src")
        for n in 6 5000 20000 $((size / 2)) $((size - 1)); do
            f="$TMP/$name-cut$n.gguf"
            head -c "$n" "$src" >"$f"
            expect_bad "$f" "truncated|exceeds|remain|past the end" "$NURI_BIN" inspect "$f"
        done
    done

    # The model loader: only once `nuri logits` is implemented.
    if ! "$NURI_BIN" logits --help >"$TMP/help" 2>&1; then
        echo "skipped: unknown architecture and missing tensor cases (nuri logits --help does not exit 0 yet)"
    else
        # The loader must reject the model before it looks at the tokens; pass some in
        # whichever way the command takes them.
        if grep -q -- '--tokens' "$TMP/help"; then tok=(--tokens 1,2)
        elif grep -q -- '--ids' "$TMP/help"; then tok=(--ids 1,2)
        elif grep -q -- '--prompt' "$TMP/help"; then tok=(--prompt hi)
        else tok=()
        fi
        if grep -qE -- '(-m|--model)[ =]' "$TMP/help"; then model_flag=(-m); else model_flag=(); fi
        src="$SHARED/models/arch-llama-tied.gguf"

        # The loader passes on the reader's errors the same way.
        expect_bad "$TMP/magic.gguf" "magic" "$NURI_BIN" logits "${model_flag[@]}" "$TMP/magic.gguf" "${tok[@]}"
        expect_bad "$TMP/type.gguf" "unknown type 99" "$NURI_BIN" logits "${model_flag[@]}" "$TMP/type.gguf" "${tok[@]}"
        f="$TMP/arch-llama-tied-cut20000.gguf"
        [ -f "$f" ] && expect_bad "$f" "truncated|exceeds|remain|past the end" "$NURI_BIN" logits "${model_flag[@]}" "$f" "${tok[@]}"

        # Unknown architecture: general.architecture "llama" becomes "mamba" (same length:
        # a byte patch of the string value, which follows the key, its type and length).
        f="$TMP/unknown-arch.gguf"
        cp "$src" "$f"
        chmod u+w "$f"
        key=$(grep -obUa 'general.architecture' "$f" | head -1 | cut -d: -f1)
        printf 'mamba' | dd of="$f" bs=1 seek=$((key + 20 + 4 + 8)) conv=notrunc status=none
        "$NURI_BIN" inspect "$f" | grep -q '^architecture: mamba$' || fail "could not make $f"
        expect_bad "$f" "mamba" "$NURI_BIN" logits "${model_flag[@]}" "$f" "${tok[@]}"

        # Missing tensor: a copy without blk.0.attn_q.weight, written by the reference's
        # Python gguf package.
        PY=""
        for p in "${NURI_PYTHON:-}" ./.venv/bin/python /work/venv-dev/bin/python python3; do
            if [ -n "$p" ] && command -v "$p" >/dev/null 2>&1 && "$p" -c 'import gguf' 2>/dev/null; then
                PY="$p"
                break
            fi
        done
        if [ -z "$PY" ]; then
            echo "skipped: missing tensor case (no Python with the gguf package)"
        else
            f="$TMP/missing-tensor.gguf"
            "$PY" - "$src" "$f" blk.0.attn_q.weight <<'EOF' || fail "could not make $f"
import sys, gguf
src, dst, drop = sys.argv[1:4]
r = gguf.GGUFReader(src)
w = gguf.GGUFWriter(dst, r.fields["general.architecture"].contents())
for field in r.fields.values():
    if field.name == "general.architecture" or field.name.startswith("GGUF."):
        continue
    vt = field.types[0]
    w.add_key_value(field.name, field.contents(), vt, sub_type=field.types[-1] if vt == gguf.GGUFValueType.ARRAY else None)
keep = [t for t in r.tensors if t.name != drop]
assert len(keep) == len(r.tensors) - 1
for t in keep:
    w.add_tensor_info(t.name, t.data.shape, t.data.dtype, t.data.nbytes, t.tensor_type)
w.write_header_to_file()
w.write_kv_data_to_file()
w.write_ti_data_to_file()
for t in keep:
    w.write_tensor_data(t.data)
w.close()
EOF
            "$NURI_BIN" inspect "$f" >/dev/null || fail "$f is not a valid GGUF file"
            expect_bad "$f" "blk\.0\.attn_q\.weight" "$NURI_BIN" logits "${model_flag[@]}" "$f" "${tok[@]}"
        fi
    fi
fi

if [ "$fails" -ne 0 ]; then
    echo "$fails of $checked cases failed"
    exit 1
fi
echo "test_bad_models: $checked bad files rejected with one line naming the file"
