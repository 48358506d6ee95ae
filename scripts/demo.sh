#!/usr/bin/env bash
# The main job, from a fresh machine: installs what is missing (scripts/setup.sh --models puts
# the real models in ./models/), builds nuri and generates Korean text with a real model.
#   scripts/demo.sh [PROMPT]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
bash scripts/setup.sh --models
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release > /dev/null
cmake --build build -j "$(nproc)"
MODEL="${NURI_MODEL:-models/gemma-3-270m-q4_k_m.gguf}"
PROMPT="${1:-대한민국의 수도는}"
echo "== nuri run -m $MODEL -p \"$PROMPT\""
./build/nuri run -m "$MODEL" -p "$PROMPT" -n 64 --temp 0
