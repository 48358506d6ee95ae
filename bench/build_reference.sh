#!/usr/bin/env bash
# Build llama.cpp's own tools (the reference) from the llama.cpp vendored in a
# llama-cpp-python sdist, for benchmarks and quantization.
#
#   bench/build_reference.sh [SDIST_DIR] [BUILD_DIR]
#     SDIST_DIR  extracted llama_cpp_python-0.3.36 sdist (default /tmp/pkgs/llama_cpp_python-0.3.36);
#                a .tar.gz is extracted next to itself first
#     BUILD_DIR  default /work/llama-build (kept outside the repository)
#   JOBS=2 NICE=15 set parallelism and niceness (the machine has 2 shared cores).
#
# The sdist has no git metadata, so the llama.cpp commit is passed in explicitly (from the
# sdist's CHANGELOG.md) and the binaries report it with --version.
set -euo pipefail

SDIST="${1:-/tmp/pkgs/llama_cpp_python-0.3.36}"
BUILD="${2:-/work/llama-build}"
JOBS="${JOBS:-2}"
NICE="${NICE:-15}"

if [ -f "$SDIST" ] && [[ "$SDIST" == *.tar.gz ]]; then
    dir="${SDIST%.tar.gz}"
    [ -d "$dir" ] || tar -xzf "$SDIST" -C "$(dirname "$SDIST")"
    SDIST="$dir"
fi
SRC="$SDIST/vendor/llama.cpp"
[ -f "$SRC/CMakeLists.txt" ] || { echo "no llama.cpp sources at $SRC" >&2; exit 1; }

VERSION="$(sed -n 's/^Version: //p' "$SDIST/PKG-INFO" | head -1)"
COMMIT="$(awk -v v="## [$VERSION]" '$0==v{f=1;next} /^## \[/{f=0} f' "$SDIST/CHANGELOG.md" \
          | grep -o 'llama\.cpp@[0-9a-f]*' | head -1 | cut -d@ -f2)"
COMMIT="${COMMIT:-unknown}"
echo "[build_reference] llama-cpp-python $VERSION, llama.cpp commit $COMMIT"

CMAKE_FLAGS=(
    -DCMAKE_BUILD_TYPE=Release
    -DGGML_NATIVE=ON
    -DLLAMA_CURL=OFF             # deprecated in this llama.cpp (warns); kept for older trees
    -DLLAMA_OPENSSL=OFF          # no HTTPS needed: nothing is downloaded
    -DLLAMA_BUILD_UI=OFF
    -DLLAMA_USE_PREBUILT_UI=OFF  # never fetch a web UI at configure time
    -DLLAMA_BUILD_TESTS=OFF
    -DLLAMA_BUILD_EXAMPLES=OFF
    -DLLAMA_BUILD_COMMIT="$COMMIT"
    -DLLAMA_BUILD_NUMBER=0
)
TARGETS=(llama-bench llama-quantize llama-tokenize llama-server llama-cli llama-completion llama-perplexity)

echo "[build_reference] cmake -S $SRC -B $BUILD ${CMAKE_FLAGS[*]}"
cmake -S "$SRC" -B "$BUILD" "${CMAKE_FLAGS[@]}" > "$BUILD.configure.log" 2>&1 \
    || { tail -30 "$BUILD.configure.log"; exit 1; }

# Only the targets this tree defines (names move between llama.cpp versions).
help="$(cmake --build "$BUILD" --target help 2>/dev/null || true)"
avail=()
for t in "${TARGETS[@]}"; do
    if grep -qE "^\.\.\. $t( |\$)|^$t: " <<< "$help"; then
        avail+=("$t")
    else
        echo "[build_reference] target $t not in this tree, skipped"
    fi
done
echo "[build_reference] building ${avail[*]} with -j$JOBS (nice $NICE)"
nice -n "$NICE" cmake --build "$BUILD" -j"$JOBS" --target "${avail[@]}"

{
    echo "llama-cpp-python $VERSION"
    echo "llama.cpp commit $COMMIT"
    echo "source $SRC"
    echo "cmake ${CMAKE_FLAGS[*]}"
    echo "compiler $(${CC:-cc} --version | head -1)"
    echo "targets ${avail[*]}"
} > "$BUILD/REFERENCE_BUILD.txt"
cat "$BUILD/REFERENCE_BUILD.txt"
"$BUILD/bin/llama-cli" --version 2>&1 | head -3 || true
