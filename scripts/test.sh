#!/usr/bin/env bash
# Runs the whole test suite: formatting, lints, and every test, including those that run the
# generated code on libtorch (installed on first use by scripts/libtorch.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh

# Graphviz's `dot` lays out the SVG of `cnnc graph` in the CLI tests.
if ! command -v dot >/dev/null 2>&1; then
    echo "cnnc: installing Graphviz" >&2
    apt-get install -y -qq graphviz >/dev/null 2>&1 ||
        { apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq graphviz >/dev/null 2>&1; } ||
        echo "cnnc: could not install Graphviz; the test that renders SVG will fail" >&2
fi

# PyTorch itself imports the modules of `cnnc build --target pytorch` in tests/pytorch_target.rs.
CNNC_PYTHON=$(bash scripts/pytorch.sh)
export CNNC_PYTHON

cargo fmt --all -- --check
cargo clippy --workspace --all-targets --locked -- -D warnings
cargo test --workspace --locked --no-fail-fast
