#!/usr/bin/env bash
# Installs PyTorch 2.13.0 and torchvision 0.28.0 (the versions libtorch and the reference data
# come from), and safetensors, into a virtual environment in a cache folder, once, and prints its
# Python. The tests of `cnnc build --target pytorch` import the generated modules with it, and
# benches/generated.rs times PyTorch eager with it.
#
#   CNNC_PYTHON=$(scripts/pytorch.sh)
#
# The cache folder is $CNNC_CACHE (default: ~/.cache/cnnc); the install is reused while its marker
# file exists. The full torch wheel pulls its CUDA packages (about 5 GB): `import torch` needs them
# even on a CPU.
set -euo pipefail

cache=${CNNC_CACHE:-$HOME/.cache/cnnc}
venv="$cache/pytorch-2.13.0"
marker="$venv/.complete"

if [ -f "$marker" ]; then
    echo "$venv/bin/python"
    exit 0
fi

echo "cnnc: installing torch==2.13.0 and torchvision==0.28.0 from PyPI into $venv" >&2
rm -rf "$venv"
mkdir -p "$cache"
python3 -m venv "$venv" >&2
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
    "torch==2.13.0" "torchvision==0.28.0" safetensors >&2
"$venv/bin/python" -c "import torch, torchvision" >&2
touch "$marker"
echo "$venv/bin/python"
