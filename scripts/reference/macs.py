"""Reference counts for `cnnc check`'s table: multiply-accumulates and parameters of the example
networks, counted on the PyTorch side by fvcore's FlopCountAnalysis.

The networks are those of torchvision_models.py, and the tutorial's SimpleCNN. fvcore counts one
operation per multiply-accumulate of convolutions (transposed ones included) and of linear
layers, without the bias, which is cnnc's convention; operations of other kinds
(batch norm, pooling, activations, additions), which cnnc does not count, are left out. GoogLeNet
is counted in train mode, where its auxiliary heads run, since its cnnc model computes them.
Writes tests/fixtures/macs.json. Needs torch==2.13.0, torchvision==0.28.0 and fvcore.
Run: python scripts/reference/macs.py
"""
import json
import pathlib

import torch
from fvcore.nn import FlopCountAnalysis

from simple_cnn import SimpleCNN
from torchvision_models import models

COUNTED = {"conv", "linear", "addmm", "matmul"}


def count(build, shape, train=False):
    torch.manual_seed(0)
    model = build()
    model.train(train)
    analysis = FlopCountAnalysis(model, torch.zeros(shape))
    analysis.unsupported_ops_warnings(False).uncalled_modules_warnings(False)
    by_operator = analysis.by_operator()
    macs = sum(n for op, n in by_operator.items() if op in COUNTED)
    parameters = sum(p.numel() for p in model.parameters())
    return {"macs": macs, "parameters": parameters, "operators": sorted(by_operator)}


def main():
    out = {"SimpleCNN": count(SimpleCNN, [1, 3, 32, 32])}
    for name, (shape, build) in models().items():
        if name == "GoogLeNet":
            # Train mode, for the auxiliary heads, needs a batch of two for its batch norms.
            out[name] = count(build, [2] + shape[1:], train=True)
            out[name]["macs"] //= 2
        else:
            out[name] = count(build, [1] + shape[1:])
    path = pathlib.Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "macs.json"
    path.write_text(json.dumps({"torch": torch.__version__.split("+")[0], "models": out}, indent=1) + "\n")
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
