#!/usr/bin/env bash
# The compile-time cost of `model!`: two small crates with the same model, examples/resnet.cnn
# (ResNet-18 to 152): one writes it inside `cnnc::model! { ... }`, the other holds the code that
# `cnnc build` generates for it. Each is rebuilt ROUNDS times (default 5), interleaved, after its
# source is touched, with every dependency already built and without incremental compilation (an
# edit to a model changes its code either way); the script prints the median times and their ratio.
#
#   bash scripts/bench_macro.sh [ROUNDS]
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
rounds=${1:-5}
root=$(pwd)
work="$root/target/macro-bench"
mkdir -p "$work/macro/src" "$work/pasted/src"
for crate in macro pasted; do
    cat > "$work/$crate/Cargo.toml" <<TOML
[package]
name = "bench-$crate"
version = "0.1.0"
edition = "2021"
publish = false

[dependencies]
cnnc = { path = "$root/crates/cnnc" }
tch = "0.26"

[workspace]
TOML
done
{
    echo "cnnc::model! {"
    cat examples/resnet.cnn
    echo "}"
} > "$work/macro/src/lib.rs"
cargo run --quiet -p cnnc-cli -- build examples/resnet.cnn -o "$work/pasted/src/lib.rs"
export CARGO_TARGET_DIR="$work/target" CARGO_INCREMENTAL=0
for crate in macro pasted; do
    cargo build --quiet --manifest-path "$work/$crate/Cargo.toml"
done
time_build() {
    touch "$work/$1/src/lib.rs"
    local start end
    start=$(date +%s.%N)
    cargo build --quiet --manifest-path "$work/$1/Cargo.toml"
    end=$(date +%s.%N)
    python3 -c "print(round($end - $start, 3))"
}
macro_times=()
pasted_times=()
for _ in $(seq "$rounds"); do
    macro_times+=("$(time_build macro)")
    pasted_times+=("$(time_build pasted)")
done
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
m=$(median "${macro_times[@]}")
p=$(median "${pasted_times[@]}")
echo "model! ${m}s, pasted generated code ${p}s, ratio $(python3 -c "print(round($m / $p, 3))") (median of $rounds rebuilds each)"
