#!/usr/bin/env bash
# Load benchmark of `nuri serve` beside the reference's C++ llama-server on the same model:
# DURATION seconds of closed-loop load from loopback at CONNECTIONS concurrent connections
# (bench/serve_load.py: non-streaming chat completions, greedy, MAX_TOKENS each), with the
# server's resident memory sampled every second. Prints one JSON line per server and a
# Markdown table (the one in docs/serve.md).
#
#   bench/serve_bench.sh [MODEL]
#     MODEL        default models/SmolLM2-135M-Instruct.Q4_1.gguf
#   env: NURI_BIN (build/nuri), LLAMA_SERVER (/work/llama-build/bin/llama-server; built by
#        bench/build_reference.sh, or: cmake --build /work/llama-build --target llama-server),
#        DURATION=60 CONNECTIONS=16 MAX_TOKENS=32 PARALLEL=2 THREADS=1 (per slot) CTX=2048 (per slot)
#        LLAMA_THREADS (llama-server -t/-tb: default PARALLEL x THREADS, the same cores in all),
#        PY (python3), SKIP_REFERENCE=1 to bench nuri only.
# Run it on a quiet machine: the numbers are only as steady as the cores are free.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
MODEL="${1:-$ROOT/models/SmolLM2-135M-Instruct.Q4_1.gguf}"
NURI_BIN="${NURI_BIN:-$ROOT/build/nuri}"
LLAMA_SERVER="${LLAMA_SERVER:-/work/llama-build/bin/llama-server}"
DURATION="${DURATION:-60}"
CONNECTIONS="${CONNECTIONS:-16}"
MAX_TOKENS="${MAX_TOKENS:-32}"
PARALLEL="${PARALLEL:-2}"
THREADS="${THREADS:-1}"
CTX="${CTX:-2048}"
LLAMA_THREADS="${LLAMA_THREADS:-$((THREADS * PARALLEL))}"
PY="${PY:-python3}"
LOAD="$ROOT/bench/serve_load.py"
OUT="$(mktemp -d)"
trap 'kill_server; rm -rf "$OUT"' EXIT
SERVER_PID=""

kill_server() {
    if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
        kill -TERM "$SERVER_PID"
        wait "$SERVER_PID" 2>/dev/null || true
    fi
    SERVER_PID=""
}

free_port() {
    "$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

wait_health() {
    local port=$1
    for _ in $(seq 1 600); do
        if "$PY" -c "import urllib.request,sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:$port/health', timeout=5).status == 200 else 1)" 2>/dev/null; then
            return 0
        fi
        kill -0 "$SERVER_PID" 2>/dev/null || { echo "server exited" >&2; return 1; }
        sleep 0.5
    done
    echo "server not healthy" >&2
    return 1
}

# warm-up: one request, so model loading and first-touch page faults are not measured
warm() {
    "$PY" "$LOAD" --port "$1" --duration 1 --connections 1 --max-tokens 4 > /dev/null
}

run_one() {
    local name=$1 port=$2
    wait_health "$port"
    warm "$port"
    echo "[serve_bench] $name: ${DURATION}s, $CONNECTIONS connections, max_tokens $MAX_TOKENS" >&2
    "$PY" "$LOAD" --port "$port" --pid "$SERVER_PID" --duration "$DURATION" --connections "$CONNECTIONS" \
        --max-tokens "$MAX_TOKENS" --model "$(basename "$MODEL")" > "$OUT/$name.json"
    kill_server
    echo "{\"server\": \"$name\", \"result\": $(cat "$OUT/$name.json")}"
}

[ -f "$MODEL" ] || { echo "no model at $MODEL" >&2; exit 1; }
echo "[serve_bench] $(nproc) cores; load average $(cut -d' ' -f1-3 /proc/loadavg); nuri $PARALLEL slots x $THREADS threads, llama-server -np $PARALLEL -t $LLAMA_THREADS" >&2

port=$(free_port)
"$NURI_BIN" serve -m "$MODEL" --port "$port" --parallel "$PARALLEL" -t "$THREADS" -c "$CTX" \
    > "$OUT/nuri.log" 2>&1 &
SERVER_PID=$!
run_one nuri "$port"

if [ "${SKIP_REFERENCE:-0}" != 1 ]; then
    [ -x "$LLAMA_SERVER" ] || { echo "no llama-server at $LLAMA_SERVER (SKIP_REFERENCE=1 to skip)" >&2; exit 1; }
    port=$(free_port)
    # -c is the total over the slots in llama-server; --no-webui: nothing to fetch or serve
    LD_LIBRARY_PATH="$(dirname "$LLAMA_SERVER")${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" \
        "$LLAMA_SERVER" -m "$MODEL" --host 127.0.0.1 --port "$port" -np "$PARALLEL" -t "$LLAMA_THREADS" \
        -tb "$LLAMA_THREADS" -c $((CTX * PARALLEL)) --no-webui > "$OUT/llama.log" 2>&1 &
    SERVER_PID=$!
    run_one llama-server "$port"
fi

"$PY" - "$OUT" <<'EOF'
import json, os, sys
print("\n| server | requests | errors | requests/s | completion tokens/s | p50 ms | p90 ms | p99 ms | RSS start / peak / end MiB |")
print("|---|---|---|---|---|---|---|---|---|")
for name in ("nuri", "llama-server"):
    p = os.path.join(sys.argv[1], name + ".json")
    if not os.path.exists(p):
        continue
    r = json.load(open(p))
    l, m = r["latency_ms"], r["rss_mib"]
    print(f"| {name} | {r['requests']} | {r['errors']} | {r['requests_per_s']} | {r['completion_tokens_per_s']} | "
          f"{l['p50']} | {l['p90']} | {l['p99']} | {m['start']} / {m['peak']} / {m['end']} |")
EOF
