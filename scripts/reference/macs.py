"""Reference counts for `cnnc check`'s table: multiply-accumulates and parameters of the example
networks, counted on the PyTorch side by fvcore's FlopCountAnalysis.

fvcore counts one operation per multiply-accumulate of convolutions (transposed ones included)
and of linear layers, without the bias, which is cnnc's convention; operations of other kinds
(batch norm, pooling, activations, additions), which cnnc does not count, are left out. GoogLeNet
is counted in train mode, where its auxiliary heads run, since its cnnc model computes them.
Writes tests/fixtures/macs.json. Needs torch==2.13.0, torchvision==0.28.0 and fvcore.
Run: python scripts/reference/macs.py
"""
import json
import pathlib

import torch
import torchvision.models as tvm
from fvcore.nn import FlopCountAnalysis

from simple_cnn import SimpleCNN
from torchvision_models import LeNet5, UNet

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
    models = {
        "SimpleCNN": ([1, 3, 32, 32], SimpleCNN),
        "LeNet5": ([1, 1, 32, 32], LeNet5),
        "AlexNet": ([1, 3, 224, 224], lambda: tvm.alexnet(weights=None)),
        "VGG16": ([1, 3, 224, 224], lambda: tvm.vgg16(weights=None)),
        "VGG11BN": ([1, 3, 224, 224], lambda: tvm.vgg11_bn(weights=None)),
        "ResNet18": ([1, 3, 224, 224], lambda: tvm.resnet18(weights=None)),
        "ResNet50": ([1, 3, 224, 224], lambda: tvm.resnet50(weights=None)),
        "ResNet152": ([1, 3, 224, 224], lambda: tvm.resnet152(weights=None)),
        "MobileNetV2": ([1, 3, 224, 224], lambda: tvm.mobilenet_v2(weights=None)),
        "MobileNetV3Small": ([1, 3, 224, 224], lambda: tvm.mobilenet_v3_small(weights=None)),
        "UNet": ([1, 3, 32, 32], UNet),
        "DenseNet121": ([1, 3, 224, 224], lambda: tvm.densenet121(weights=None)),
        "ShuffleNetV2": ([1, 3, 224, 224], lambda: tvm.shufflenet_v2_x1_0(weights=None)),
        "EfficientNetB0": ([1, 3, 224, 224], lambda: tvm.efficientnet_b0(weights=None)),
        "ConvNeXtTiny": ([1, 3, 224, 224], lambda: tvm.convnext_tiny(weights=None)),
    }
    out = {name: count(build, shape) for name, (shape, build) in models.items()}
    out["GoogLeNet"] = count(
        lambda: tvm.googlenet(weights=None, init_weights=True), [2, 3, 224, 224], train=True)
    out["GoogLeNet"]["macs"] //= 2  # a batch of two: train-mode batch norm needs more than one
    path = pathlib.Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "macs.json"
    path.write_text(json.dumps({"torch": torch.__version__.split("+")[0], "models": out}, indent=1) + "\n")
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
