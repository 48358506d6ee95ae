#!/usr/bin/env bash
# nuri serve: the Python suites in tests/serve/ (the official openai client against the
# server; security and limits). Needs a Python with the openai package (./.venv after
# scripts/setup.sh, or $NURI_PYTHON); without one the test is skipped, saying why.
# Run from the repository root with NURI_BIN set (ctest does).
set -u
: "${NURI_BIN:?NURI_BIN must point at the nuri binary}"
export NURI_BIN
PY=""
for p in "${NURI_PYTHON:-}" ./.venv/bin/python; do
    if [ -n "$p" ] && [ -x "$p" ] && "$p" -c 'import openai' 2>/dev/null; then
        PY="$p"
        break
    fi
done
if [ -z "$PY" ]; then
    echo "SKIPPED: no Python with the openai package (scripts/setup.sh installs it into ./.venv)"
    exit 77
fi

ran=0 failed=0
for suite in tests/serve/test_openai.py tests/serve/test_security.py; do
    echo "== $suite"
    "$PY" "$suite"
    case $? in
        0) ran=$((ran + 1)) ;;
        77) echo "(skipped: see above)" ;;
        *) failed=$((failed + 1)) ;;
    esac
done
[ "$failed" -eq 0 ] || exit 1
[ "$ran" -gt 0 ] || exit 77
exit 0
