"""Reference data for tests/fixtures/blocks.cnn: the same models written in PyTorch.

For each model: state_dict names, shapes and dtypes; statistics of its own initialisation
(seed 0); and the output (and any further outputs) for deterministic weights and input (see
deterministic.py). Writes
tests/fixtures/blocks.json. Needs torch==2.13.0.
Run: python scripts/reference/blocks.py
"""
import collections
import json
import math
import pathlib

import torch
import torch.nn as nn
import torch.nn.functional as F

from deterministic import reference_entry


class Unit(nn.Module):
    def __init__(self, cin, cout, stride=1, scale=1.0):
        super().__init__()
        mid = cout // 2
        self.conv1 = nn.Conv2d(cin, mid, 1)
        self.conv2 = nn.Conv2d(mid, cout, 3, stride=stride, padding=1)
        if stride > 1 or cin != cout:
            self.proj = nn.Conv2d(cin, cout, 1, stride=stride)
        else:
            self.proj = None
        self.scale = scale

    def forward(self, x):
        y = self.conv2(torch.relu(self.conv1(x)))
        identity = x if self.proj is None else self.proj(x)
        if self.scale == 1.0:
            return y + identity
        return y * self.scale + identity


def stack(c, n):
    return nn.Sequential(*[Unit(c, c, 1, 1.0 / (i + 1)) for i in range(n)])


class Blocks(nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = Unit(4, 8, 2)
        self.body = stack(8, 3)
        self.head = nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(8, 3))

    def forward(self, x):
        return self.head(self.body(self.stem(x)))


class Shuffle(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.branch = nn.Sequential(nn.Conv2d(c // 2, c // 2, 1), nn.ReLU())

    def forward(self, x):
        a, b = torch.chunk(x, 2, dim=1)
        return torch.cat([a, self.branch(b)], 1)


class AuxNet(nn.Module):
    """Returns the main output and an auxiliary one."""

    def __init__(self):
        super().__init__()
        self.s1 = Shuffle(8)
        self.aux = nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(8, 3))
        self.s2 = Shuffle(8)
        self.head = nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(8, 5))

    def forward(self, x):
        h = self.s1(x)
        return self.head(self.s2(h)), self.aux(h)


class Scaled(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, 3)
        self.gain = nn.Parameter(torch.full((1, 3), 0.5))

    def forward(self, x):
        return self.fc(x) * self.gain + self.gain


class Residual(nn.Module):
    def __init__(self, c, scale=2.0):
        super().__init__()
        self.conv = nn.Conv2d(c, c, 3, padding=1)
        self.scale = scale

    def forward(self, x):
        y = self.conv(x)
        y = y - x / self.scale
        return -y + 1 - (x - y)


class Arith(nn.Module):
    def __init__(self):
        super().__init__()
        self.r1 = Residual(4)
        self.r2 = Residual(4, 4.0)
        self.fc = nn.Linear(4, 3)

    def forward(self, x):
        x = self.r2(self.r1(x))
        x = x.mean((2, 3))
        h = self.fc(x)
        return 2 / (h * h + 1) - h / 3 * -1


class Split(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.a = nn.Conv2d(c, c, 1)
        self.b = nn.Conv2d(c, c, 3, padding=1)

    def forward(self, x):
        return self.a(x), torch.relu(self.b(x))


class Merge(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.proj = nn.Conv2d(2 * c, c, 1)

    def forward(self, x, y, gate):
        return self.proj(torch.cat([x, y * gate], 1))


class Fork(nn.Module):
    def __init__(self):
        super().__init__()
        self.split = Split(4)
        self.merge = Merge(4)

    def forward(self, x):
        p, q = self.split(x)
        return self.merge(p, q, torch.sigmoid(x)) - q


class Branches(nn.Module):
    def __init__(self, c):
        super().__init__()
        entries = [
            nn.Sequential(nn.Conv2d(c, c, 1, bias=False), nn.BatchNorm2d(c), nn.ReLU()),
            nn.Conv2d(c, c, 3, padding=2, dilation=2),
        ]
        if c > 2:
            entries.append(nn.AvgPool2d(3, stride=1, padding=1))
        self.convs = nn.ModuleList(entries)
        self.project = nn.Conv2d(3 * c, c, 1)

    def forward(self, x):
        return self.project(torch.cat([conv(x) for conv in self.convs], 1))


class Paths(nn.Module):
    def __init__(self):
        super().__init__()
        self.branches = Branches(4)
        self.features = nn.Sequential(nn.Conv2d(4, 8, 3, padding=1), nn.ReLU(), nn.Conv2d(8, 4, 1))
        self.named = nn.Sequential(collections.OrderedDict(gate=nn.Conv2d(4, 4, 1), act=nn.Sigmoid()))

    def forward(self, x):
        y = self.branches(x)
        h = self.features[1](self.features[0](y))
        return self.features[2](h) * self.named.act(self.named.gate(y))


def widened(c, alpha):
    w = max(8, int(c * alpha + 4) // 8 * 8)
    wide = w + 8 if w < 0.9 * c * alpha else w
    mid = round(wide * 0.4375)
    deep = math.floor(math.sqrt(float(mid * 4))) + math.ceil(math.log(c, 2)) + pow(2, 2) + abs(-1)
    return nn.Sequential(
        nn.Conv2d(c, wide, 1), nn.ReLU(), nn.Conv2d(wide, mid, 1), nn.Conv2d(mid, min(deep, 64), 1))


class Widths(nn.Module):
    def __init__(self):
        super().__init__()
        self.a = widened(12, 1.37)
        self.b = widened(12, 2.1)
        self.head = nn.Conv2d(14, 4, 1)
        self.head2 = nn.Conv2d(15, 4, 1)

    def forward(self, x):
        return self.head(self.a(x)) + self.head2(self.b(x))


def _make_divisible(v, divisor=4, min_value=None):
    # torchvision's _make_divisible, with cnnc's defaults
    if min_value is None:
        min_value = divisor
    new_v = max(min_value, int(v + divisor / 2) // divisor * divisor)
    if new_v < 0.9 * v:
        new_v += divisor
    return new_v


def table(config, width, kernel=(1, 3)):
    layers = []
    for cin, cout, repeats in config:
        c_in = 3 if cin == 3 else _make_divisible(cin * width)
        c_out = _make_divisible(cout * width)
        layers.append(nn.Conv2d(c_in, c_out, kernel, padding=(kernel[0] // 2, kernel[-1] // 2)))
        for _ in range(1, repeats):
            layers += [nn.Conv2d(c_out, c_out, 1), nn.ReLU()]
    widths = [_make_divisible(cout * width) for _, cout, _ in config]
    layers.append(nn.Conv2d(widths[-1], len(config) + sum(r for _, _, r in config), 1))
    return nn.Sequential(*layers)


class Configs(nn.Module):
    def __init__(self):
        super().__init__()
        self.a = table([(3, 10, 1), (10, 13, 2), (13, 22, 1)], 0.75)
        self.b = table([(3, 6, 2)], 1.5, (3, 1))

    def forward(self, x):
        return torch.cat([self.a(x), self.b(x)], 1)


class Rescale(nn.Module):
    def __init__(self, s, c):
        super().__init__()
        self.s, self.c = s, c
        self.conv = nn.Conv2d(c, c, 1)

    def forward(self, x):
        y = F.interpolate(self.conv(x), scale_factor=self.s, mode="nearest")
        return y.reshape(-1, 2, self.c // 2, 4 * self.s, 4 * self.s).mean((1,))


class Rescaled(nn.Module):
    def __init__(self):
        super().__init__()
        self.up = Rescale(2, 4)
        self.same = Rescale(1, 4)

    def forward(self, x):
        return F.interpolate(self.same(x), scale_factor=2.0) + self.up(x)


class Lists(nn.Module):
    def __init__(self):
        super().__init__()
        self.convs = nn.ModuleList([nn.Conv2d(4, 4, 1), nn.Conv2d(4, 4, 3, padding=1)])
        for d in range(1, 3):
            self.convs.append(nn.Conv2d(4, 4, 3, padding=d, dilation=d))

    def forward(self, x):
        return self.convs[0](x) + self.convs[1](x) * self.convs[3](self.convs[2](x))


class Regroup(nn.Module):
    def __init__(self, pieces, d, keep):
        super().__init__()
        self.pieces, self.d, self.keep = pieces, d, keep
        self.conv = nn.Conv2d(4, 4, 1)

    def forward(self, x):
        a, b = torch.chunk(self.conv(x), self.pieces, self.d)
        y = torch.cat([b, a], self.d).transpose(self.d, 3).flatten(self.d, self.d + 1)
        return y.mean(self.d, keepdim=self.keep)


class Regrouped(nn.Module):
    def __init__(self):
        super().__init__()
        self.channels = Regroup(2, 1, False)
        self.rows = Regroup(2, 2, True)

    def forward(self, x):
        return torch.cat([self.channels(x), torch.flatten(self.rows(x), 1)], 1)


class Shift(nn.Module):
    def __init__(self, s):
        super().__init__()
        self.s = s
        self.conv = nn.Conv2d(4, 4, 1)

    def forward(self, x):
        return torch.roll(torch.roll(self.conv(x), self.s, 1), (self.s, -self.s), (2, 3))


class Rolled(nn.Module):
    def __init__(self):
        super().__init__()
        self.a = Shift(1)
        self.b = Shift(2)

    def forward(self, x):
        return torch.roll(x, (2, -1), (1, 3)) + self.a(x) * self.b(x)


def stage(index, cin, cout, depth):
    s = nn.Sequential()
    for i in range(depth):
        s.add_module(f"block{index}-{i}", nn.Conv2d(cin if i == 0 else cout, cout, 1))
    return s


class Names(nn.Sequential):
    def __init__(self):
        super().__init__()
        self.add_module("stem-conv", nn.Conv2d(3, 4, 1))
        trunk = nn.Sequential()
        trunk.add_module("block1-0", nn.ReLU())
        trunk.add_module("s 2", stage(2, 4, 6, 2))
        self.add_module("trunk", trunk)


def main():
    models = {
        "Blocks": ([2, 4, 8, 8], Blocks),
        "StackOnly": ([2, 4, 5, 5], lambda: stack(4, 2)),
        "AuxNet": ([2, 8, 6, 6], AuxNet),
        "Scaled": ([2, 4], Scaled),
        "Arith": ([2, 4, 5, 5], Arith),
        "Fork": ([2, 4, 6, 6], Fork),
        "Widths": ([2, 12, 3, 3], Widths),
        "Names": ([2, 3, 4, 4], Names),
        "Paths": ([2, 4, 6, 6], Paths),
        "Configs": ([2, 3, 6, 6], Configs),
        "Rescaled": ([2, 4, 4, 4], Rescaled),
        "Regrouped": ([2, 4, 4, 4], Regrouped),
        "Lists": ([2, 4, 6, 6], Lists),
        "Rolled": ([2, 4, 5, 6], Rolled),
    }
    out = {name: reference_entry(build, shape) for name, (shape, build) in models.items()}
    path = pathlib.Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "blocks.json"
    path.write_text(json.dumps({"torch": torch.__version__.split("+")[0], "models": out}, indent=1) + "\n")
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
