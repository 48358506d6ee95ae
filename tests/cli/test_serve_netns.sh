#!/usr/bin/env bash
# nuri serve without a network: the same server suites as test_serve.sh, run again inside
# a new network namespace that has nothing but loopback (unshare -n; ip link set lo up).
# The binary and models were built and installed outside; inside, nothing can be
# reached but 127.0.0.1, so any dependence on the network would fail the suites.
# Needs root (or user namespaces) for unshare; skipped otherwise, saying why.
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
# Under the sanitizers the plain run (test_serve.sh) already covers the code; the repeat
# without a network is about the environment, and is made with the Release build.
if grep -q "__asan_init" "$NURI_BIN" 2>/dev/null; then
    echo "SKIPPED: sanitizer build; the run without a network is made with the Release build"
    exit 77
fi
IP="$(command -v ip || echo /usr/sbin/ip)"
if ! [ -x "$IP" ]; then
    echo "SKIPPED: the ip command (iproute2) is missing"
    exit 77
fi
if ! unshare -n true 2>/dev/null; then
    echo "SKIPPED: cannot create a network namespace here (unshare -n needs root)"
    exit 77
fi

exec unshare -n bash -c '
    set -u
    "$1" link set lo up || exit 1
    echo "== inside a network namespace; links:"
    "$1" -o link show | cut -d: -f2
    if "$1" -o link show | grep -qv ": lo:"; then echo "FAIL: a link other than lo exists"; exit 1; fi
    if [ -n "$("$1" route show default)" ]; then echo "FAIL: a default route exists"; exit 1; fi
    shift
    exec bash tests/cli/test_serve.sh
' _ "$IP"
