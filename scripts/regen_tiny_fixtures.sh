#!/usr/bin/env bash
# Regenerate tests/data/models/*.gguf and their *.expected.jsonl.
#   PY_GGUF: python with numpy + gguf==0.19.0 (default ./.venv/bin/python)
#   PY_REF:  python with llama-cpp-python 0.3.36 (default /work/venv-dev/bin/python)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PY_GGUF="${PY_GGUF:-$ROOT/.venv/bin/python}"
PY_REF="${PY_REF:-/work/venv-dev/bin/python}"
OUT="$ROOT/tests/data/models"

"$PY_GGUF" "$ROOT/scripts/make_tiny_models.py" --out "$OUT"
for m in qwen3 exaone4 exaone4-dense gemma3 gemma3-keys llama; do
    echo "reference logits: $m"
    "$PY_REF" "$ROOT/scripts/ref_logits.py" "$OUT/$m.gguf" \
        --prompt "Once upon a time" \
        --prompt "Lily and Tom went to the park" \
        --prompt "옛날 옛적에 작은 마을에" \
        -o "$OUT/$m.expected.jsonl"
done
"$PY_REF" "$ROOT/scripts/check_fixture_features.py"
