#!/usr/bin/env bash
# Build the one-folder app dist/bdh-studio/ with PyInstaller, from a clean virtual
# environment holding the CPU build of torch, then run its self-test offscreen.
#
#   bash packaging/build.sh
#   TORCH_INDEX_URL=https://download.pytorch.org/whl/cpu bash packaging/build.sh
#
# PyPI's torch for Linux is the CUDA build (~3 GB of wheels); TORCH_INDEX_URL names
# the index of the CPU build where pip's own indexes do not already give it (macOS
# and Windows wheels on PyPI are CPU builds). PYTHON picks the interpreter.
set -euo pipefail
cd "$(dirname "$0")/.."
TORCH_VERSION=${TORCH_VERSION:-2.13.0}
venv=build/venv
start=$SECONDS

rm -rf "$venv" build/pyinstaller dist/bdh-studio
"${PYTHON:-python3}" -m venv "$venv"
# bin/ on Linux and macOS, Scripts/ on Windows (Git Bash, MSYS2)
. "$venv/bin/activate" 2>/dev/null || . "$venv/Scripts/activate"
pip install -q "torch==$TORCH_VERSION" ${TORCH_INDEX_URL:+--index-url "$TORCH_INDEX_URL"}
if ! python -c "import sys, torch; sys.exit(torch.version.cuda is not None)"; then
    echo "build.sh: pip installed a CUDA build of torch; set TORCH_INDEX_URL to the" \
         "index of the CPU build (see the top of this script)" >&2
    exit 2
fi
pip install -q . pyinstaller
pyinstaller --noconfirm --clean --log-level WARN --distpath dist \
    --workpath build/pyinstaller packaging/bdh-studio.spec
echo "build.sh: dist/bdh-studio/ built in $((SECONDS - start)) s," \
     "$(du -sh dist/bdh-studio | cut -f1)"
QT_QPA_PLATFORM=offscreen dist/bdh-studio/bdh-studio --self-test
