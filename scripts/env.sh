# Sourced by the project's scripts: installs libtorch once (scripts/libtorch.sh) and exports what tch
# and the test binaries need to find it.
LIBTORCH=$("$(dirname "${BASH_SOURCE[0]}")/libtorch.sh")
export LIBTORCH
export LIBTORCH_BYPASS_VERSION_CHECK=${LIBTORCH_BYPASS_VERSION_CHECK:-0}
export LD_LIBRARY_PATH="$LIBTORCH/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
