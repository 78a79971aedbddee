"""Weights exported from PyTorch as safetensors, for examples/lenet5.cnn and examples/unet.cnn.

PyTorch initialises each model (seed 1), BatchNorm running statistics are moved away from 0 and 1
(and num_batches_tracked set to 7) so that a swapped buffer cannot pass, and the state_dict is
saved to tests/fixtures/<model>.safetensors; tests/fixtures/exported.json holds the eval-mode
output for a deterministic input. The larger networks' weights are not stored: their tests fill
every state_dict entry with the same formula on both sides (deterministic.py).
Needs torch==2.13.0, torchvision==0.28.0 and safetensors.
Run: python scripts/reference/exported_weights.py
"""
import json
import pathlib

import torch
import torch.nn as nn
from safetensors.torch import save_file

from deterministic import fill
from torchvision_models import LeNet5, UNet


def main():
    fixtures = pathlib.Path(__file__).resolve().parents[2] / "tests" / "fixtures"
    models = {"LeNet5": ([2, 1, 32, 32], LeNet5), "UNet": ([1, 3, 32, 32], UNet)}
    out = {}
    for name, (shape, build) in models.items():
        torch.manual_seed(1)
        model = build()
        with torch.no_grad():
            for module in model.modules():
                if isinstance(module, nn.BatchNorm2d):
                    module.running_mean.uniform_(-0.5, 0.5)
                    module.running_var.uniform_(0.5, 1.5)
                    module.num_batches_tracked.fill_(7)
        save_file(model.state_dict(), fixtures / f"{name.lower()}.safetensors")
        model.eval()
        with torch.no_grad():
            y = model(fill(shape, 1000))
        out[name] = {"input": shape, "output": y.tolist()}
    (fixtures / "exported.json").write_text(
        json.dumps({"torch": torch.__version__.split("+")[0], "models": out}, indent=1) + "\n")
    print("wrote", ", ".join(f"{n.lower()}.safetensors" for n in models), "and exported.json")


if __name__ == "__main__":
    main()
