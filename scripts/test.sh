#!/usr/bin/env bash
# Runs the whole test suite: formatting, lints, and every test, including those that run the
# generated code on libtorch (installed on first use by scripts/libtorch.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh

cargo fmt --all -- --check
cargo clippy --workspace --all-targets --locked -- -D warnings
cargo test --workspace --locked --no-fail-fast
