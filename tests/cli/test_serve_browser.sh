#!/usr/bin/env bash
# nuri serve's web page in headless Chromium (tests/serve/test_browser.py): a Korean
# message streams a reply, Enter during IME composition sends nothing, model text with
# markup renders as text, the stop button stops the server's generation. Needs Debian's
# chromium and chromium-driver and Selenium in ./.venv (scripts/setup.sh); skipped
# otherwise, saying why. Where it can, it runs inside a network namespace with only
# loopback, so the browser cannot reach anything but the server under test.
set -u
: "${NURI_BIN:?NURI_BIN must point at the nuri binary}"
export NURI_BIN
PY=""
for p in "${NURI_PYTHON:-}" ./.venv/bin/python; do
    if [ -n "$p" ] && [ -x "$p" ] && "$p" -c 'import selenium' 2>/dev/null; then
        PY="$p"
        break
    fi
done
if [ -z "$PY" ]; then
    echo "SKIPPED: no Python with selenium (scripts/setup.sh installs it into ./.venv)"
    exit 77
fi
for b in /usr/bin/chromium /usr/bin/chromedriver; do
    if ! [ -x "$b" ]; then
        echo "SKIPPED: $b is missing (Debian packages chromium, chromium-driver; scripts/setup.sh)"
        exit 77
    fi
done
IP="$(command -v ip || echo /usr/sbin/ip)"
if [ -x "$IP" ] && unshare -n true 2>/dev/null; then
    echo "== in a network namespace with only loopback"
    exec unshare -n bash -c '"$1" link set lo up && exec "$2" tests/serve/test_browser.py' _ "$IP" "$PY"
fi
echo "== (no network namespace available: running in the host's network)"
exec "$PY" tests/serve/test_browser.py
