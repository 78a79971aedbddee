#!/usr/bin/env bash
# Trains examples/train/digits.cnn end to end: PyTorch's DistributedDataParallel (two processes,
# gloo) on the PyTorch module that `cnnc build --target pytorch` writes; then the Rust module
# generated from the same file loads the weights and reports the same test accuracy; then the
# Rust module is trained from scratch with tch. Data and weights go to examples/train/data/.
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/env.sh
python=$(bash scripts/pytorch.sh)
"$python" -c "import sklearn, safetensors" 2>/dev/null ||
    "$python" -m pip install --quiet --disable-pip-version-check scikit-learn safetensors
mkdir -p examples/train/data
cargo run --quiet -p cnnc-cli -- build --target pytorch examples/train/digits.cnn \
    -o examples/train/data/digits.py
"$python" examples/train/train_ddp.py
cargo run --quiet --example digits_evaluate
cargo run --quiet --example digits_train
