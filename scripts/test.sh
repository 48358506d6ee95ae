#!/usr/bin/env bash
# Every test, from a fresh machine: installs what is missing (scripts/setup.sh --models),
# builds nuri twice (Release, and Debug with AddressSanitizer + UndefinedBehaviorSanitizer)
# and runs the whole suite in both. Exits non-zero on any failure.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
JOBS="${JOBS:-$(nproc)}"

bash scripts/setup.sh --models
export PATH="$ROOT/.venv/bin:$PATH"

echo "== Release build (-Wall -Wextra -Werror)"
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DNURI_WERROR=ON > /dev/null
cmake --build build -j "$JOBS"
echo "== Release tests"
ctest --test-dir build -j "$JOBS" --output-on-failure

echo "== Sanitizer build (ASan + UBSan)"
cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DCMAKE_C_FLAGS_DEBUG="-O1 -g" -DNURI_SANITIZE=ON > /dev/null
cmake --build build-asan -j "$JOBS"
echo "== Sanitizer tests"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    ctest --test-dir build-asan -j "$JOBS" --output-on-failure
echo "== all tests passed (Release and ASan/UBSan)"
