"""Reference data for the segmentation networks of examples/segmentation.cnn and
examples/mobilenet_v3.cnn: torchvision's FCN-ResNet50, DeepLabV3-ResNet50 (weights=None,
weights_backbone=None, aux_loss=False) and LR-ASPP-MobileNetV3-Large at two input sizes each, from
the same model definition, for tests/torchvision.rs. Writes tests/fixtures/segmentation.json.

Run with the project's PyTorch (scripts/pytorch.sh):
    $(bash scripts/pytorch.sh) scripts/reference/segmentation.py
"""

import json
import pathlib

import torch
import torchvision.models.segmentation as tvs

from deterministic import reference_entry

# The two sizes the same compiled code is checked at; small, to keep the fixture small.
SIZES = {
    "FCNResNet50": ("fcn_resnet50", [1, 3, 32, 32]),
    "FCNResNet50 at 16x24": ("fcn_resnet50", [1, 3, 16, 24]),
    "DeepLabV3ResNet50": ("deeplabv3_resnet50", [1, 3, 32, 32]),
    "DeepLabV3ResNet50 at 24x16": ("deeplabv3_resnet50", [1, 3, 24, 16]),
    "LRASPPMobileNetV3Large": ("lraspp_mobilenet_v3_large", [1, 3, 32, 32]),
    "LRASPPMobileNetV3Large at 16x48": ("lraspp_mobilenet_v3_large", [1, 3, 16, 48]),
}


def builder(name):
    """torchvision's network `name`, returning its "out" tensor instead of a dict."""
    def build():
        # LR-ASPP has no auxiliary head to leave out.
        kwargs = {} if name.startswith("lraspp") else {"aux_loss": False}
        model = getattr(tvs, name)(weights=None, weights_backbone=None, **kwargs)
        forward = model.forward
        model.forward = lambda x: forward(x)["out"]
        return model
    return build


def main():
    out = {name: reference_entry(builder(net), shape) for name, (net, shape) in SIZES.items()}
    path = pathlib.Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "segmentation.json"
    versions = {"torch": torch.__version__.split("+")[0], "torchvision": __import__("torchvision").__version__.split("+")[0]}
    path.write_text(json.dumps({"versions": versions, "models": out}, indent=1) + "\n")
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
