#!/usr/bin/env bash
# Training throughput: nuri train beside PyTorch on the CPU, same model, same batch, same
# thread count. Prints tokens/s, achieved GFLOP/s and model FLOPs utilization (MFU) for
# both, as a markdown table and one JSON line.
#
# usage: bench/train_bench.sh [--steps N] [--threads N] [nuri train config flags ...]
#   default model: --vocab 8000 --dim 256 --layers 6 --heads 8 --kv-heads 4 --ffn 688
#                  --context 256 --batch 8   (any flag given overrides it)
# env:   NURI_BIN (default build/nuri), TORCH_PYTHON (default /usr/bin/python3, Debian's
#        python3-torch, with libopenblas0-pthread as its BLAS), PEAK_GFLOPS (default: threads x 32 flops/cycle x the CPU's MHz in
#        /proc/cpuinfo: two 256-bit FMA pipes per core)
#
# Tokens are random ids (speed does not depend on them). Each side times steps 2..N (the
# first step pays page faults and allocation). FLOPs per token are nuri's count
# (nuri train --print-config): 6 per matrix weight plus the attention products, the same
# count for both sides. Run it on a quiet machine: it reports the load average it saw.
# Tokens per CPU-second (process CPU time over the same steps, all threads) tells how much
# work each side does per core-second, which a busy machine distorts less than wall time.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
NURI="${NURI_BIN:-$ROOT/build/nuri}"
PY="${TORCH_PYTHON:-/usr/bin/python3}"
STEPS=8
THREADS=2
CFG=(--vocab 8000 --dim 256 --layers 6 --heads 8 --kv-heads 4 --ffn 688 --context 256 --batch 8)
while [ $# -gt 0 ]; do
    case "$1" in
    --steps) STEPS="$2"; shift 2 ;;
    --threads | -t) THREADS="$2"; shift 2 ;;
    *) CFG+=("$1" "$2"); shift 2 ;;
    esac
done
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
LOAD="$(cut -d' ' -f1-3 /proc/loadavg)"

"$NURI" train "${CFG[@]}" --steps "$STEPS" --warmup 1 --print-config >"$TMP/config.txt"
key() { sed -n "s/^$1 = //p" "$TMP/config.txt"; }
FPT="$(sed -n 's/^# flops per token: //p' "$TMP/config.txt")"
PARAMS="$(sed -n 's/^# parameters: //p' "$TMP/config.txt")"
VOCAB="$(key vocab)"
MHZ="$(awk -F: '/^cpu MHz/ {print $2; exit}' /proc/cpuinfo | tr -d ' ')"
PEAK="${PEAK_GFLOPS:-$(awk -v t="$THREADS" -v m="$MHZ" 'BEGIN {printf "%.1f", t * 32 * m / 1000}')}"

# Random tokens: the shard header (docs/train.md) and uint32 ids.
"$PY" - "$TMP/rand.tok" "$VOCAB" <<'EOF'
import struct, sys
import numpy as np
path, vocab = sys.argv[1], int(sys.argv[2])
ids = np.random.default_rng(1).integers(0, vocab, 2_000_000, dtype=np.uint32)
with open(path, "wb") as f:
    f.write(b"NURITOK1" + struct.pack("<IIQQ", 1, vocab, len(ids), 0))
    f.write(ids.astype("<u4").tobytes())
EOF

"$NURI" train --tokens "$TMP/rand.tok" "${CFG[@]}" --steps "$STEPS" --warmup 1 --eval-interval 0 \
    -t "$THREADS" --log "$TMP/log.jsonl" --print-every 1000000 2>"$TMP/nuri.err" >/dev/null
read -r NURI_TPS NURI_CPU <<<"$("$PY" - "$TMP/log.jsonl" "$(key batch)" "$(key accum)" "$(key context)" <<'EOF'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
tok = int(sys.argv[2]) * int(sys.argv[3]) * int(sys.argv[4]) * (len(rows) - 1)
print("%.1f %.1f" % (tok / (rows[-1]["elapsed_s"] - rows[0]["elapsed_s"]), tok / (rows[-1]["cpu_s"] - rows[0]["cpu_s"])))
EOF
)"

# Debian's torch multiplies through libblas.so.3: the reference BLAS (naive loops) unless
# OpenBLAS is installed (apt-get install libopenblas0-pthread), which this bench expects.
BLAS="$(readlink -f /usr/lib/x86_64-linux-gnu/libblas.so.3 2>/dev/null || echo unknown)"
case "$BLAS" in *openblas*) ;; *) echo "warning: libblas.so.3 is $BLAS, not OpenBLAS: PyTorch will be slow" >&2 ;; esac
TORCH_OUT="$(OPENBLAS_NUM_THREADS="$THREADS" OMP_NUM_THREADS="$THREADS" "$PY" - "$ROOT/scripts" "$TMP/config.txt" "$STEPS" "$THREADS" <<'EOF'
import sys, time
sys.path.insert(0, sys.argv[1])
import torch
import train_torch_ref as R
cfg = {}
for line in open(sys.argv[2]):
    if "=" in line and not line.startswith("#"):
        k, v = [x.strip() for x in line.split("=", 1)]
        cfg[k] = v == "true" if v in ("true", "false") else float(v) if "." in v or "e" in v else int(v)
steps, threads = int(sys.argv[3]), int(sys.argv[4])
torch.set_num_threads(threads)
R.ROPE_BASE, R.EPS = cfg["rope_base"], cfg["norm_eps"]
g = torch.Generator().manual_seed(1)
P = {}
for name, shape, _ in R.param_layout(cfg):
    t = torch.ones(shape) if len(shape) == 1 else 0.02 * torch.randn(shape, generator=g)
    P[name] = t.requires_grad_(True)
decay = [P[n] for n, _, d in R.param_layout(cfg) if d]
rest = [P[n] for n, _, d in R.param_layout(cfg) if not d]
opt = torch.optim.AdamW([{"params": decay, "weight_decay": cfg["weight_decay"]},
                         {"params": rest, "weight_decay": 0.0}], lr=cfg["lr"],
                        betas=(cfg["beta1"], cfg["beta2"]), eps=cfg["adam_eps"])
B, T, A = cfg["batch"], cfg["context"], cfg["accum"]
times, cpus = [], []
for step in range(steps):
    t0, c0 = time.perf_counter(), time.process_time()
    opt.zero_grad()
    for a in range(A):
        toks = torch.randint(0, cfg["vocab"], (B, T + 1), generator=g)
        (R.forward(cfg, P, toks) / A).backward()
    torch.nn.utils.clip_grad_norm_(list(P.values()), cfg["clip"])
    opt.step()
    times.append(time.perf_counter() - t0)
    cpus.append(time.process_time() - c0)
tok = B * T * A * (steps - 1)
print("%.1f %.1f %s" % (tok / sum(times[1:]), tok / sum(cpus[1:]), torch.__version__))
EOF
)"
read -r TORCH_TPS TORCH_CPU TORCH_VER <<<"$TORCH_OUT"

report() { awk -v tps="$1" -v f="$FPT" -v p="$PEAK" 'BEGIN {printf "%.1f %.1f", tps * f / 1e9, 100 * tps * f / 1e9 / p}'; }
read -r NURI_GF NURI_MFU <<<"$(report "$NURI_TPS")"
read -r TORCH_GF TORCH_MFU <<<"$(report "$TORCH_TPS")"
echo "config: ${CFG[*]} ($PARAMS parameters, $FPT FLOPs/token), $THREADS threads, steps 2..$STEPS"
echo "machine: $(awk -F: '/^model name/ {print $2; exit}' /proc/cpuinfo | sed 's/^ *//'), ${MHZ} MHz, peak $PEAK GFLOP/s; load average at start $LOAD"
echo
echo "| trainer | tokens/s | GFLOP/s | MFU | tokens per CPU-second |"
echo "|---|---|---|---|---|"
echo "| nuri train ($(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')) | $NURI_TPS | $NURI_GF | $NURI_MFU% | $NURI_CPU |"
echo "| PyTorch $TORCH_VER (CPU, float32, $(basename "$(dirname "$BLAS")")) | $TORCH_TPS | $TORCH_GF | $TORCH_MFU% | $TORCH_CPU |"
echo
printf '{"threads": %s, "params": %s, "flops_per_token": %s, "peak_gflops": %s, "load": "%s", "nuri_tokens_per_s": %s, "nuri_mfu": %s, "nuri_tokens_per_cpu_s": %s, "torch_tokens_per_s": %s, "torch_mfu": %s, "torch_tokens_per_cpu_s": %s, "torch": "%s"}\n' \
    "$THREADS" "$PARAMS" "$FPT" "$PEAK" "$LOAD" "$NURI_TPS" "$NURI_MFU" "$NURI_CPU" "$TORCH_TPS" "$TORCH_MFU" "$TORCH_CPU" "$TORCH_VER"
