"""Reference data for the tutorial's SimpleCNN, from PyTorch itself.

Writes tests/fixtures/simple_cnn.json: the module, parameter and state_dict names (PyTorch
order) with shapes and dtypes, the parameter count, and the eval-mode output for deterministic
weights and input (see deterministic.py). Run: python scripts/reference/simple_cnn.py
"""
import json
import pathlib

import torch
import torch.nn as nn

from deterministic import fill, fill_state_dict


class SimpleCNN(nn.Module):
    """Section 6.1 of the tutorial, verbatim."""

    def __init__(self):
        super(SimpleCNN, self).__init__()
        layer1 = nn.Sequential()
        layer1.add_module('conv1', nn.Conv2d(3, 32, 3, 1, padding=1))
        layer1.add_module('relu1', nn.ReLU(True))
        layer1.add_module('pool1', nn.MaxPool2d(2, 2))
        self.layer1 = layer1

        layer2 = nn.Sequential()
        layer2.add_module('conv2', nn.Conv2d(32, 64, 3, 1, padding=1))
        layer2.add_module('relu2', nn.ReLU(True))
        layer2.add_module('pool2', nn.MaxPool2d(2, 2))
        self.layer2 = layer2

        layer3 = nn.Sequential()
        layer3.add_module('conv3', nn.Conv2d(64, 128, 3, 1, padding=1))
        layer3.add_module('relu3', nn.ReLU(True))
        layer3.add_module('pool3', nn.MaxPool2d(2, 2))
        self.layer3 = layer3

        layer4 = nn.Sequential()
        layer4.add_module('fc1', nn.Linear(2048, 512))
        layer4.add_module('fc_relu1', nn.ReLU(True))
        layer4.add_module('fc2', nn.Linear(512, 64))
        layer4.add_module('fc_relu2', nn.ReLU(True))
        layer4.add_module('fc3', nn.Linear(64, 10))
        self.layer4 = layer4

    def forward(self, x):
        conv1 = self.layer1(x)
        conv2 = self.layer2(conv1)
        conv3 = self.layer3(conv2)
        fc_input = conv3.view(conv3.size(0), -1)
        fc_output = self.layer4(fc_input)
        return fc_output


def main():
    model = SimpleCNN().eval()
    fill_state_dict(model)
    x = fill([8, 3, 32, 32], 1000)
    with torch.no_grad():
        y = model(x)
    data = {
        "torch_version": torch.__version__.split("+")[0],
        "named_children": [[n, type(m).__name__] for n, m in model.named_children()],
        "named_modules": [[n, type(m).__name__] for n, m in model.named_modules()],
        "named_parameters": [n for n, _ in model.named_parameters()],
        "state_dict": [[n, list(t.shape), str(t.dtype).removeprefix("torch.")] for n, t in model.state_dict().items()],
        "num_parameters": sum(p.numel() for p in model.parameters()),
        "input": {"shape": [8, 3, 32, 32], "seed": 1000},
        "output": y.tolist(),
    }
    out = pathlib.Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "simple_cnn.json"
    out.write_text(json.dumps(data, indent=1) + "\n")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
