#!/usr/bin/env bash
# Coverage-guided fuzzing of the compiler with cargo-fuzz (libFuzzer), on a stable toolchain.
#
# For each target in fuzz/fuzz_targets (parse, check, compile) it builds the target and fuzzes it
# for CNNC_FUZZ_SECONDS seconds (default 60), starting from a fresh corpus seeded with
# examples/*.cnn and tests/fixtures/*.cnn. A panic, a hang (an input taking over 10 s) or running
# out of memory (over 2 GiB) is a failure: the script goes on with the other targets, then lists
# the failing inputs and exits non-zero.
#
# With CNNC_FUZZ_SEED and CNNC_FUZZ_RUNS set, a run is repeatable: the same seed explores the same
# inputs in the same order, and CNNC_FUZZ_SECONDS only caps the time. CI runs that way, so that a
# failure it reports is one a developer finds again with the same command.
#
# Usage: [CNNC_FUZZ_SECONDS=N] [CNNC_FUZZ_SEED=S CNNC_FUZZ_RUNS=R]
#        [CNNC_FUZZ_TARGETS="parse check compile"] bash scripts/fuzz.sh
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${CNNC_FUZZ_SECONDS:-60}
targets=${CNNC_FUZZ_TARGETS:-parse check compile}

if ! cargo fuzz --version >/dev/null 2>&1; then
    cargo install cargo-fuzz --locked
fi

# cargo-fuzz passes unstable rustc flags; this lets a stable toolchain accept them. Without a
# sanitizer, no -Zsanitizer flag is needed, and --debug-assertions keeps debug asserts and
# overflow checks on in the optimised build.
export RUSTC_BOOTSTRAP=1
flags=(--release --debug-assertions --sanitizer none)
libfuzzer_flags=(
    -max_total_time="$seconds"
    -max_len=4096
    -timeout=10
    -rss_limit_mb=2048
    -print_final_stats=1
)
if [[ -n "${CNNC_FUZZ_SEED:-}" ]]; then
    libfuzzer_flags+=(-seed="$CNNC_FUZZ_SEED")
fi
if [[ -n "${CNNC_FUZZ_RUNS:-}" ]]; then
    libfuzzer_flags+=(-runs="$CNNC_FUZZ_RUNS")
fi

failed=()
for target in $targets; do
    echo "==> fuzz target '$target': building"
    cargo fuzz build "${flags[@]}" "$target"

    corpus="fuzz/corpus/$target"
    rm -rf "$corpus"
    mkdir -p "$corpus" "fuzz/artifacts/$target"
    cp examples/*.cnn tests/fixtures/*.cnn "$corpus"/

    marker=$(mktemp)
    echo "==> fuzz target '$target': running for ${seconds}s"
    if cargo fuzz run "${flags[@]}" "$target" "$corpus" -- "${libfuzzer_flags[@]}"; then
        echo "==> fuzz target '$target': no failure"
    else
        # libFuzzer names the input after the failure: crash-*, timeout-* or oom-*.
        inputs=$(find "fuzz/artifacts/$target" -type f -newer "$marker" | sort | tr '\n' ' ')
        echo "==> fuzz target '$target': FAILED"
        failed+=("$target: ${inputs:-no input written (see the output above)}")
    fi
    rm -f "$marker"
done

if ((${#failed[@]})); then
    echo
    echo "fuzzing found failures; the failing inputs are:"
    printf '  %s\n' "${failed[@]}"
    echo "reproduce with:  RUSTC_BOOTSTRAP=1 cargo fuzz run ${flags[*]} TARGET INPUT"
    echo "minimise with:   RUSTC_BOOTSTRAP=1 cargo fuzz tmin ${flags[*]} TARGET INPUT"
    exit 1
fi
echo "fuzzing found no failure in: $targets"
