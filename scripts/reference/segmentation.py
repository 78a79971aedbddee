"""Reference data for examples/segmentation.cnn: torchvision's FCN-ResNet50 (weights=None,
weights_backbone=None, aux_loss=False) at two input sizes, from the same model definition, for
tests/torchvision.rs. Writes tests/fixtures/segmentation.json.

Run with the project's PyTorch (scripts/pytorch.sh):
    $(bash scripts/pytorch.sh) scripts/reference/segmentation.py
"""

import json
import pathlib

import torch
import torchvision.models.segmentation as tvs

from deterministic import reference_entry

# The two sizes the same compiled code is checked at; small, to keep the fixture small.
SIZES = {"FCNResNet50": [1, 3, 32, 32], "FCNResNet50 at 16x24": [1, 3, 16, 24]}


def fcn_resnet50():
    """torchvision's FCN-ResNet50, returning its "out" tensor instead of a dict."""
    model = tvs.fcn_resnet50(weights=None, weights_backbone=None, aux_loss=False)
    forward = model.forward
    model.forward = lambda x: forward(x)["out"]
    return model


def main():
    out = {name: reference_entry(fcn_resnet50, shape) for name, shape in SIZES.items()}
    path = pathlib.Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "segmentation.json"
    versions = {"torch": torch.__version__.split("+")[0], "torchvision": __import__("torchvision").__version__.split("+")[0]}
    path.write_text(json.dumps({"versions": versions, "models": out}, indent=1) + "\n")
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
