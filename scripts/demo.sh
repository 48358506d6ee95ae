#!/usr/bin/env bash
# The main job, from a fresh machine: installs what is missing, builds nuri and generates
# Korean text with nuri-ko, the model nuri trained itself (share/nuri-ko, in the repository),
# which every command uses when -m is omitted. NURI_MODEL=FILE picks another model
# (scripts/setup.sh --models puts Gemma 3 270M and SmolLM2 135M in ./models/).
#   scripts/demo.sh [PROMPT]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
bash scripts/setup.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release > /dev/null
cmake --build build -j "$(nproc)"
PROMPT="${1:-이 영화는 정말}"
if [ -n "${NURI_MODEL:-}" ]; then
    echo "== nuri run -m $NURI_MODEL -p \"$PROMPT\""
else
    echo "== nuri run -p \"$PROMPT\"   (the bundled model, share/nuri-ko/nuri-ko.gguf)"
fi
./build/nuri run -p "$PROMPT" -n 64 --temp 0.7 --seed 1
