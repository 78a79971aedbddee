"""Reference data for the example networks in examples/*.cnn, from torchvision itself.

Models: LeNet5, AlexNet, VGG16, VGG11BN, ResNet18, ResNet34, ResNet50, ResNet101, ResNet152,
MobileNetV2, MobileNetV3Small, MobileNetV3Large, MNASNet1_0, RegNetY400MF, ViTB16, DenseNet121,
ShuffleNetV2, GoogLeNet, EfficientNetB0, EfficientNetB3, ConvNeXtTiny, SwinT (torchvision,
weights=None) and UNet (defined
below), the U-Net also at a second input size ("UNet at 40x56"). For each model: state_dict names, shapes and dtypes; statistics of its own
initialisation (seed 0); and the eval-mode output for deterministic weights and input (see
deterministic.py; fill_state_dict moves BatchNorm running statistics away from 0 and 1, so
eval-mode batch norm is not an identity). For GoogLeNet also the two auxiliary classifiers'
outputs (aux2, aux1: what torchvision returns after the main output in training mode), computed
in eval mode from the features they read.
Writes tests/fixtures/torchvision.json. Needs torch==2.13.0 and torchvision==0.28.0.
Run: python scripts/reference/torchvision_models.py
"""
import json
import pathlib

import torch
import torch.nn as nn
import torchvision.models as tvm

from deterministic import reference_entry


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


class DoubleConv(nn.Sequential):
    """Two 3x3 convolutions, each followed by batch norm and ReLU."""

    def __init__(self, cin, cout):
        super().__init__(
            nn.Conv2d(cin, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(inplace=True),
            nn.Conv2d(cout, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(inplace=True))


class Down(nn.Sequential):
    """Halves the size, then convolves."""

    def __init__(self, cin, cout):
        super().__init__(nn.MaxPool2d(2), DoubleConv(cin, cout))


class Up(nn.Module):
    """Doubles the size of x, joins skip along the channels, then convolves."""

    def __init__(self, cin, cout):
        super().__init__()
        self.up = nn.ConvTranspose2d(cin, cin // 2, 2, stride=2)
        self.conv = DoubleConv(cin, cout)

    def forward(self, x, skip):
        return self.conv(torch.cat([self.up(x), skip], 1))


class UNet(nn.Module):
    """examples/unet.cnn as PyTorch code."""

    def __init__(self):
        super().__init__()
        self.inc = DoubleConv(3, 16)
        self.down1 = Down(16, 32)
        self.down2 = Down(32, 64)
        self.down3 = Down(64, 128)
        self.up1 = Up(128, 64)
        self.up2 = Up(64, 32)
        self.up3 = Up(32, 16)
        self.outc = nn.Conv2d(16, 2, 1)

    def forward(self, x):
        x1 = self.inc(x)
        x2 = self.down1(x1)
        x3 = self.down2(x2)
        x4 = self.down3(x3)
        x = self.up1(x4, x3)
        x = self.up2(x, x2)
        x = self.up3(x, x1)
        return self.outc(x)


def googlenet_aux(model, x):
    """GoogLeNet's auxiliary outputs (aux2, aux1), from the features they read, in eval mode."""
    features = {}
    hooks = [
        getattr(model, stage).register_forward_hook(
            lambda _m, _i, o, stage=stage: features.__setitem__(stage, o))
        for stage in ["inception4a", "inception4d"]
    ]
    model(x)
    for hook in hooks:
        hook.remove()
    return [model.aux2(features["inception4d"]), model.aux1(features["inception4a"])]


UNET_AT_40X56 = "UNet at 40x56"


def models():
    """The networks of examples/ that torchvision (or this file) defines: input shape and builder."""
    return {
        "LeNet5": ([2, 1, 32, 32], LeNet5),
        "AlexNet": ([1, 3, 224, 224], lambda: tvm.alexnet(weights=None)),
        "VGG16": ([1, 3, 224, 224], lambda: tvm.vgg16(weights=None)),
        "VGG11BN": ([1, 3, 224, 224], lambda: tvm.vgg11_bn(weights=None)),
        "ResNet18": ([1, 3, 224, 224], lambda: tvm.resnet18(weights=None)),
        "ResNet34": ([1, 3, 224, 224], lambda: tvm.resnet34(weights=None)),
        "ResNet50": ([1, 3, 224, 224], lambda: tvm.resnet50(weights=None)),
        "ResNet101": ([1, 3, 224, 224], lambda: tvm.resnet101(weights=None)),
        "ResNet152": ([1, 3, 224, 224], lambda: tvm.resnet152(weights=None)),
        "MobileNetV2": ([1, 3, 224, 224], lambda: tvm.mobilenet_v2(weights=None)),
        "MobileNetV3Small": ([1, 3, 224, 224], lambda: tvm.mobilenet_v3_small(weights=None)),
        "MobileNetV3Large": ([1, 3, 224, 224], lambda: tvm.mobilenet_v3_large(weights=None)),
        "MNASNet1_0": ([1, 3, 224, 224], lambda: tvm.mnasnet1_0(weights=None)),
        "RegNetY400MF": ([1, 3, 224, 224], lambda: tvm.regnet_y_400mf(weights=None)),
        "ViTB16": ([1, 3, 224, 224], lambda: tvm.vit_b_16(weights=None)),
        "UNet": ([1, 3, 32, 32], UNet),
        "DenseNet121": ([1, 3, 224, 224], lambda: tvm.densenet121(weights=None)),
        "ShuffleNetV2": ([1, 3, 224, 224], lambda: tvm.shufflenet_v2_x1_0(weights=None)),
        "GoogLeNet": ([1, 3, 224, 224], lambda: tvm.googlenet(weights=None, init_weights=True)),
        "EfficientNetB0": ([1, 3, 224, 224], lambda: tvm.efficientnet_b0(weights=None)),
        "EfficientNetB3": ([1, 3, 300, 300], lambda: tvm.efficientnet_b3(weights=None)),
        "ConvNeXtTiny": ([1, 3, 224, 224], lambda: tvm.convnext_tiny(weights=None)),
        "SwinT": ([1, 3, 224, 224], lambda: tvm.swin_t(weights=None)),
    }


def main():
    extra = {"GoogLeNet": googlenet_aux}
    out = {}
    for name, (shape, build) in models().items():
        out[name] = reference_entry(build, shape, extra.get(name))
        print(name, "done")
    # The U-Net takes any size its skips line up for ([N, 3, H, W]): the same compiled code is
    # checked at a second size.
    out[UNET_AT_40X56] = reference_entry(UNet, [1, 3, 40, 56])
    path = pathlib.Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "torchvision.json"
    versions = {"torch": torch.__version__.split("+")[0], "torchvision": __import__("torchvision").__version__.split("+")[0]}
    path.write_text(json.dumps({"versions": versions, "models": out}, indent=1) + "\n")
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
