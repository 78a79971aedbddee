"""Times torchvision's ResNet-18 and MobileNetV2 in PyTorch eager mode for benches/generated.rs,
which runs this script beside its own timings. 2 threads. Reads lines:

- `load <model> <file>`: the model's weights, from the safetensors file the bench wrote from
  cnnc's model, so that all sides compute on the same numbers (speed depends on them: values
  that decay to subnormal floats are slow);
- `input <file>`: the input batch, likewise;
- `<model> <pass> <batch> <passes>`: times `passes` passes (`forward` in eval mode without grad,
  or `forward+backward` in train mode) and answers with the milliseconds of each.
"""
import sys
import time

import torch
import torchvision.models as tvm
from safetensors.torch import load_file

torch.set_num_threads(2)
models = {"ResNet18": tvm.resnet18(weights=None), "MobileNetV2": tvm.mobilenet_v2(weights=None)}
x = None
print("ready", flush=True)
for line in sys.stdin:
    words = line.split()
    if words[0] == "load":
        models[words[1]].load_state_dict(load_file(words[2]))
        print("loaded", flush=True)
        continue
    if words[0] == "input":
        x = load_file(words[1])["input"]
        print("loaded", flush=True)
        continue
    name, pass_name, batch, passes = words
    model, xb = models[name], x[: int(batch)]
    times = []
    for _ in range(int(passes)):
        start = time.perf_counter()
        if pass_name == "forward+backward":
            model.train()
            model(xb).sum().backward()
        else:
            model.eval()
            with torch.no_grad():
                model(xb).sum().item()
        times.append(f"{(time.perf_counter() - start) * 1e3:.4f}")
    print(" ".join(times), flush=True)
