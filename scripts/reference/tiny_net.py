"""Reference data for tests/fixtures/tiny_net.cnn, from PyTorch itself.

Writes tests/fixtures/tiny_net.safetensors (the state_dict, BatchNorm running statistics moved
away from 0/1 so a swapped buffer cannot pass) and tests/fixtures/tiny_net.json (state_dict
names, shapes and dtypes, and the eval-mode output for a deterministic input).
Run: python scripts/reference/tiny_net.py
"""
import json
import pathlib

import torch
import torch.nn as nn
from safetensors.torch import save_file

from deterministic import fill, fill_state_dict


class TinyNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(3, 8, 3, padding=1, bias=False),
            nn.BatchNorm2d(8),
            nn.ReLU(inplace=True),
            nn.MaxPool2d(2),
            nn.Conv2d(8, 8, (3, 5), stride=(1, 2), padding=(1, 2), groups=2, padding_mode="reflect"),
            nn.AvgPool2d(2, ceil_mode=True),
        )
        self.head = nn.Sequential(nn.Dropout(0.3), nn.Linear(48, 5))

    def forward(self, x):
        h = torch.flatten(self.features(x), 1)
        return self.head(h)


def main():
    fixtures = pathlib.Path(__file__).resolve().parents[2] / "tests" / "fixtures"
    torch.manual_seed(0)
    model = TinyNet()
    fill_state_dict(model)
    with torch.no_grad():
        model.features[1].num_batches_tracked.fill_(7)
    model.eval()
    x = fill([2, 3, 12, 12], 1000)
    with torch.no_grad():
        y = model(x)
    state = {k: v.contiguous() for k, v in model.state_dict().items()}
    save_file(state, fixtures / "tiny_net.safetensors")
    data = {
        "torch_version": torch.__version__.split("+")[0],
        "state_dict": [[n, list(t.shape), str(t.dtype).removeprefix("torch.")] for n, t in state.items()],
        "input": {"shape": [2, 3, 12, 12], "seed": 1000},
        "output": y.tolist(),
    }
    (fixtures / "tiny_net.json").write_text(json.dumps(data, indent=1) + "\n")
    print(f"wrote {fixtures}/tiny_net.{{safetensors,json}}")


if __name__ == "__main__":
    main()
