"""Reference data for examples/alexnet.cnn, vgg.cnn and lenet5.cnn, from torchvision itself.

For each model (weights=None): state_dict names, shapes and dtypes; statistics of its own
initialisation (seed 0); and the eval-mode output for deterministic weights and input (see
deterministic.py; BatchNorm running statistics are moved away from 0 and 1). Writes
tests/fixtures/torchvision.json. Needs torch==2.13.0 and torchvision==0.28.0.
Run: python scripts/reference/torchvision_models.py
"""
import json
import pathlib

import torch
import torch.nn as nn
import torchvision.models as tvm

from deterministic import fill, fill_state_dict, state_summary


class LeNet5(nn.Module):
    """examples/lenet5.cnn as PyTorch code."""

    def __init__(self):
        super().__init__()
        self.features = nn.Sequential()
        self.features.add_module("conv1", nn.Conv2d(1, 6, 5))
        self.features.add_module("relu1", nn.ReLU())
        self.features.add_module("pool1", nn.MaxPool2d(2))
        self.features.add_module("conv2", nn.Conv2d(6, 16, 5))
        self.features.add_module("relu2", nn.ReLU())
        self.features.add_module("pool2", nn.MaxPool2d(2))
        self.classifier = nn.Sequential()
        self.classifier.add_module("fc1", nn.Linear(400, 120))
        self.classifier.add_module("relu3", nn.ReLU())
        self.classifier.add_module("fc2", nn.Linear(120, 84))
        self.classifier.add_module("relu4", nn.ReLU())
        self.classifier.add_module("fc3", nn.Linear(84, 10))

    def forward(self, x):
        return self.classifier(torch.flatten(self.features(x), 1))


def main():
    models = {
        "LeNet5": ([2, 1, 32, 32], LeNet5),
        "AlexNet": ([1, 3, 224, 224], lambda: tvm.alexnet(weights=None)),
        "VGG16": ([1, 3, 224, 224], lambda: tvm.vgg16(weights=None)),
        "VGG11BN": ([1, 3, 224, 224], lambda: tvm.vgg11_bn(weights=None)),
    }
    out = {}
    for name, (shape, build) in models.items():
        torch.manual_seed(0)
        model = build()
        state = state_summary(model)
        fill_state_dict(model)
        model.eval()
        with torch.no_grad():
            y = model(fill(shape, 1000))
        out[name] = {"input": shape, "state_dict": state, "output": y.tolist()}
        print(name, "done")
    path = pathlib.Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "torchvision.json"
    versions = {"torch": torch.__version__.split("+")[0], "torchvision": __import__("torchvision").__version__.split("+")[0]}
    path.write_text(json.dumps({"versions": versions, "models": out}, indent=1) + "\n")
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
