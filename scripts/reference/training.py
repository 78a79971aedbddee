"""Reference data for training: SimpleCNN, ResNet-18 and MobileNetV2 in train mode, in PyTorch.

For each model, from the deterministic weights (fill_state_dict) and a deterministic batch
(fill(shape, 1000), labels 0, 1, ...): the cross-entropy loss of one forward pass in train mode;
for every parameter, its gradient (sum, sum of |g|, and its first values); every BatchNorm
buffer after that pass (sum, first values, num_batches_tracked); then the parameters after three
steps of SGD with momentum 0.9, weight decay 0.05 and learning rate 0.01 (sum, sum of |w|,
first values). MobileNetV2's classifier Dropout is set to p = 0, here and in the Rust test:
libtorch draws dropout masks with a processor-dependent kernel. Writes
tests/fixtures/training.json.
Needs torch==2.13.0 and torchvision==0.28.0. Run: python scripts/reference/training.py
"""
import json
import pathlib

import torch
import torch.nn.functional as F
import torchvision.models as tvm

from deterministic import fill, fill_state_dict
from simple_cnn import SimpleCNN

FIRST = 4
STEPS = 3


def summary(t):
    t = t.detach().double().flatten()
    return {"sum": t.sum().item(), "abs": t.abs().sum().item(), "first": t[:FIRST].tolist()}


def entry(build, shape, classes):
    torch.manual_seed(0)
    model = build()
    for module in model.modules():
        if isinstance(module, torch.nn.Dropout):
            module.p = 0.0
    fill_state_dict(model)
    model.train()
    x = fill(shape, 1000)
    labels = torch.arange(shape[0]) % classes
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9, weight_decay=0.05)
    out = {"input": shape, "classes": classes}
    for step in range(STEPS):
        torch.manual_seed(step)
        optimizer.zero_grad()
        loss = F.cross_entropy(model(x), labels)
        loss.backward()
        if step == 0:
            out["loss"] = loss.item()
            out["grads"] = {n: summary(p.grad) for n, p in model.named_parameters()}
            out["buffers"] = {
                n: (b.item() if b.dtype == torch.int64 else summary(b))
                for n, b in model.named_buffers()
            }
        optimizer.step()
    out["after"] = {n: summary(p) for n, p in model.named_parameters()}
    return out


def main():
    models = {
        "SimpleCNN": ([4, 3, 32, 32], SimpleCNN, 10),
        "ResNet18": ([2, 3, 224, 224], lambda: tvm.resnet18(weights=None), 1000),
        "MobileNetV2": ([2, 3, 224, 224], lambda: tvm.mobilenet_v2(weights=None), 1000),
    }
    out = {name: entry(build, shape, classes) for name, (shape, build, classes) in models.items()}
    path = pathlib.Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "training.json"
    path.write_text(json.dumps({"torch": torch.__version__.split("+")[0], "models": out}) + "\n")
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
