"""Reference data for tests/fixtures/catalogue.cnn, from PyTorch's own modules.

For each model: state_dict names, shapes and dtypes; statistics of the default initialisation
(seed 0); and the eval-mode output for deterministic weights and input (see deterministic.py).
Writes tests/fixtures/catalogue.json. Run: python scripts/reference/catalogue.py
"""
import json
import pathlib

import torch
import torch.nn as nn
import torch.nn.functional as F
from torchvision.models.swin_transformer import ShiftedWindowAttention

from deterministic import fill, fill_state_dict, state_summary


def models():
    return {
        "Conv1dNet": ([2, 4, 16], nn.Sequential(
            nn.Conv1d(4, 8, 3, padding=1, padding_mode="circular"),
            nn.Conv1d(8, 8, 4, padding="same"),
            nn.BatchNorm1d(8),
            nn.InstanceNorm1d(8, affine=True, track_running_stats=True),
            nn.ConvTranspose1d(8, 4, 4, stride=2, padding=1),
            nn.MaxPool1d(2),
            nn.AvgPool1d(3, ceil_mode=True),
            nn.AdaptiveAvgPool1d(4),
            nn.AdaptiveMaxPool1d(2),
            nn.Flatten(),
            nn.Linear(8, 3),
        )),
        "Conv2dNet": ([2, 3, 12, 12], nn.Sequential(
            nn.Conv2d(3, 8, 3, padding=1, padding_mode="reflect"),
            nn.Conv2d(8, 8, (2, 3), padding="same", dilation=(3, 1), padding_mode="replicate"),
            nn.BatchNorm2d(8),
            nn.InstanceNorm2d(8, affine=True),
            nn.GroupNorm(2, 8),
            nn.PReLU(8),
            nn.ConvTranspose2d(8, 8, 3, stride=2, padding=1, output_padding=1, groups=2),
            nn.PixelShuffle(2),
            nn.ChannelShuffle(2),
            nn.ZeroPad2d((1, 0, 2, 1)),
            nn.Upsample(scale_factor=0.5, mode="bilinear", align_corners=False),
            nn.MaxPool2d(2, ceil_mode=True),
            nn.AvgPool2d(2, divisor_override=3),
            nn.AdaptiveAvgPool2d((3, None)),
            nn.AdaptiveMaxPool2d(2),
            nn.Dropout2d(0.2),
            nn.Flatten(),
            nn.LayerNorm(8),
            nn.Linear(8, 4),
        )),
        "Conv3dNet": ([2, 2, 6, 6, 6], nn.Sequential(
            nn.Conv3d(2, 4, 3, padding=1, bias=False),
            nn.BatchNorm3d(4, momentum=None),
            nn.ConvTranspose3d(4, 2, 2, stride=2),
            nn.MaxPool3d(2),
            nn.AvgPool3d(2),
            nn.Upsample(size=(4, 4, 4), mode="trilinear"),
            nn.AdaptiveAvgPool3d(1),
            nn.Flatten(),
            nn.Linear(2, 2),
        )),
        "Activations": ([2, 10], nn.Sequential(
            nn.ReLU(), nn.ReLU6(), nn.LeakyReLU(0.2), nn.ELU(0.5), nn.GELU(approximate="tanh"), nn.SiLU(),
            nn.Mish(), nn.Sigmoid(), nn.Tanh(), nn.Hardswish(), nn.Hardsigmoid(), nn.Identity(),
            nn.Dropout(0.1), nn.Softmax(dim=1), nn.LogSoftmax(dim=-1), nn.Unflatten(1, (2, 5)),
            nn.Flatten(),
        )),
        "Paddings": ([2, 2, 3, 4, 5], nn.Sequential(
            nn.ConstantPad3d((1, 0, 2, 1, 0, 1), 0.5), nn.ZeroPad3d(1), nn.Flatten(1, 2),
            nn.ConstantPad2d((1, 1, 0, 2), -1.0), nn.Flatten(1, 2), nn.ConstantPad1d((2, -1), 3.0),
            nn.ZeroPad1d((0, 1)),
        )),
        "MoreLayers": ([2, 2, 4, 4, 4], nn.Sequential(
            nn.InstanceNorm3d(2, affine=True), nn.Dropout3d(0.2), nn.AdaptiveMaxPool3d((2, 1, 2)),
            nn.Flatten(2), nn.Dropout1d(0.3),
        )),
        "FillPaddings": ([2, 2, 3, 4, 5], nn.Sequential(
            nn.ReflectionPad3d((1, 0, 2, 1, 0, 1)), nn.ReplicationPad3d(1),
            nn.CircularPad3d((2, 1, 0, 1, 1, 0)), nn.Flatten(1, 2),
            nn.ReflectionPad2d((1, 1, 0, 2)), nn.ReplicationPad2d((2, 0, 1, 1)),
            nn.CircularPad2d((1, 2, 3, 0)), nn.Flatten(1, 2),
            nn.ReflectionPad1d((2, 1)), nn.ReplicationPad1d((0, 3)), nn.CircularPad1d((1, 1)),
        )),
        "Unshuffle": ([2, 3, 8, 12], nn.Sequential(
            nn.PixelUnshuffle(2), nn.LocalResponseNorm(3), nn.Conv2d(12, 8, 1),
            nn.LocalResponseNorm(4, alpha=0.01, beta=0.5, k=2.0), nn.Flatten(2),
            nn.LocalResponseNorm(2, 0.001, 0.75, 1.5),
        )),
        "SlidingBlocks": ([2, 2, 7, 8], nn.Sequential(
            nn.Unfold((2, 3), dilation=(1, 2), padding=1, stride=(2, 1)), nn.Fold((5, 8), (2, 3)),
        )),
        "EmbeddingNet": ([2, 7], nn.Sequential(
            nn.Embedding(200, 16, padding_idx=0),
            nn.Flatten(),
            nn.Linear(112, 3),
        )),
    }


class Attention(nn.Module):
    """The Attention model of catalogue.cnn: self-attention as vision transformers call it."""

    def __init__(self):
        super().__init__()
        self.first = nn.MultiheadAttention(8, 2, batch_first=True)
        self.norm = nn.LayerNorm(8)
        self.second = nn.MultiheadAttention(8, 4, bias=False)

    def forward(self, x):
        y = self.norm(self.first(x, x, x, need_weights=False)[0])
        s = y.permute(1, 0, 2)
        return x + self.second(s, s, s, need_weights=False)[0].permute(1, 0, 2)


class Windows(nn.Module):
    """The Windows model of catalogue.cnn: torchvision's window attention of Swin Transformer."""

    def __init__(self):
        super().__init__()
        self.shifted = ShiftedWindowAttention(8, [4, 3], [2, 1], 2)
        self.norm = nn.LayerNorm(8)
        self.plain = ShiftedWindowAttention(8, [4, 3], [0, 0], 4, qkv_bias=False, proj_bias=False)

    def forward(self, x):
        y = self.norm(self.shifted(x))
        return torch.cat([self.plain(y), self.shifted(y[:, 0:3])], 1)


class Pairs(nn.Module):
    """The Pairs model of catalogue.cnn: nn.Bilinear on two tensors, and on one twice."""

    def __init__(self):
        super().__init__()
        self.a = nn.Linear(6, 4)
        self.pair = nn.Bilinear(6, 4, 3)
        self.shared = nn.Bilinear(3, 3, 5, bias=False)

    def forward(self, x):
        y = self.pair(x, self.a(x))
        return self.shared(y, y)


class ForwardOps(nn.Module):
    """The ForwardOps model of catalogue.cnn, written as PyTorch code."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(8, 8, 3, padding=1)
        self.fc1 = nn.Linear(8, 2)
        self.fc2 = nn.Linear(2, 8)

    def forward(self, x):
        h = F.relu(self.conv(x))
        s = torch.sigmoid(self.fc2(F.relu(self.fc1(h.mean((2, 3)))))).reshape(-1, 8, 1, 1)
        y = h * s + x * 0.5
        z = F.dropout(F.interpolate(torch.cat([y, x], dim=1), scale_factor=2.0), 0.1, self.training)
        return torch.tanh(torch.flatten(F.max_pool2d(z, 4), 1).permute(1, 0).transpose(0, 1))


class Wrapper(nn.Module):
    """A model whose only child is `layers`, as in the .cnn file."""

    def __init__(self, layers):
        super().__init__()
        self.layers = layers

    def forward(self, x):
        return self.layers(x)


class MoreActivations(nn.Module):
    """The MoreActivations model of catalogue.cnn, written as PyTorch code."""

    def __init__(self):
        super().__init__()
        self.softplus = nn.Softplus(2.0, 5.0)
        self.softmin = nn.Softmin(dim=1)
        self.hardtanh = nn.Hardtanh(-0.5, 0.5)
        self.selu = nn.SELU()
        self.celu = nn.CELU(0.5)
        self.logsigmoid = nn.LogSigmoid()
        self.softsign = nn.Softsign()
        self.tanhshrink = nn.Tanhshrink()
        self.hardshrink = nn.Hardshrink(0.3)
        self.softshrink = nn.Softshrink(0.2)
        self.glu = nn.GLU()

    def forward(self, x):
        y = x * 4
        return torch.cat([
            self.softplus(y), self.softmin(y), self.hardtanh(y), self.selu(y), self.celu(y),
            self.logsigmoid(y), self.softsign(y), self.tanhshrink(y), self.hardshrink(y),
            self.softshrink(y), self.glu(y)], dim=1)


def indices(shape):
    """Deterministic int64 input for Embedding, as tests/support/mod.rs makes it."""
    n = 1
    for d in shape:
        n *= d
    return (torch.arange(n, dtype=torch.int64) * 7 % 20).reshape(shape)


def main():
    torch.manual_seed(0)
    out = {}
    all_models = {name: (shape, Wrapper(layers)) for name, (shape, layers) in models().items()}
    all_models["ForwardOps"] = ([2, 8, 6, 6], ForwardOps())
    all_models["MoreActivations"] = ([2, 10], MoreActivations())
    all_models["Attention"] = ([2, 6, 8], Attention())
    all_models["Windows"] = ([2, 10, 9, 8], Windows())
    all_models["Pairs"] = ([2, 2, 6], Pairs())
    for name, (shape, model) in all_models.items():
        state = state_summary(model)
        fill_state_dict(model)
        model.eval()
        x = indices(shape) if name == "EmbeddingNet" else fill(shape, 1000)
        with torch.no_grad():
            y = model(x)
        out[name] = {"input": shape, "state_dict": state, "output": y.tolist()}
    path = pathlib.Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "catalogue.json"
    path.write_text(json.dumps({"torch_version": torch.__version__.split("+")[0], "models": out}, indent=1) + "\n")
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
