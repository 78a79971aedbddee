#!/usr/bin/env bash
# Installs libtorch (CPU) from the torch==2.13.0 wheel on PyPI into a cache folder, once, and prints
# the `torch` folder to use as LIBTORCH. tch 0.26 is built against this version.
#
#   LIBTORCH=$(scripts/libtorch.sh)
#
# The cache folder is $CNNC_CACHE (default: ~/.cache/cnnc); the install is reused while its marker
# file exists, so a second run costs nothing.
set -euo pipefail

torch_version=2.13.0
cudart_version=13.0.96
cupti_version=13.0.85

cache=${CNNC_CACHE:-$HOME/.cache/cnnc}
dest="$cache/libtorch-$torch_version"
marker="$dest/.complete"

if [ -f "$marker" ]; then
    echo "$dest/torch"
    exit 0
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$cache"

echo "cnnc: downloading torch==$torch_version and its CUDA runtime stubs from PyPI" >&2
python3 -m pip download --quiet --no-deps --only-binary=:all: -d "$work/wheels" \
    "torch==$torch_version" \
    "nvidia-cuda-runtime==$cudart_version" \
    "nvidia-cuda-cupti==$cupti_version" >&2

rm -rf "$dest"
mkdir -p "$dest"
python3 - "$work/wheels" "$dest" <<'PY'
import pathlib, shutil, sys, zipfile

wheels, dest = map(pathlib.Path, sys.argv[1:])
lib = dest / "torch" / "lib"
lib.mkdir(parents=True, exist_ok=True)
# CUDA kernels are not needed on CPU and make up most of the wheel.
skip = ("libtorch_cuda", "libtorch_nvshmem", "libc10_cuda", "libcaffe2_nvrtc")
for wheel in sorted(wheels.glob("*.whl")):
    with zipfile.ZipFile(wheel) as zf:
        for info in zf.infolist():
            name = info.filename
            if wheel.name.startswith("torch-"):
                if not (name.startswith("torch/lib/") or name.startswith("torch/include/")):
                    continue
                if any(pathlib.PurePosixPath(name).name.startswith(s) for s in skip):
                    continue
                target = dest / name
            else:
                base = pathlib.PurePosixPath(name).name
                if not (base.startswith("libcudart.so") or base.startswith("libcupti.so")):
                    continue
                target = lib / base
            if info.is_dir():
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            with zf.open(info) as src, open(target, "wb") as out:
                shutil.copyfileobj(src, out)
PY
touch "$marker"
echo "$dest/torch"
