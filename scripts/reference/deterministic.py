"""Deterministic tensor contents shared by the reference scripts and the Rust tests.

`tests/support/mod.rs` implements the same formula; both compute in float64 with integer
arithmetic only, so the float32 tensors are bit-identical on both sides.
"""
import math

import torch


def fill(shape, seed):
    """Values in [-1, 1] scaled by 1/sqrt(fan_in), a pure function of position and seed."""
    numel = math.prod(shape)
    fan_in = numel // shape[0] if len(shape) >= 2 and shape[0] > 0 else 1
    scale = 1.0 / math.sqrt(fan_in)
    i = torch.arange(numel, dtype=torch.float64)
    values = (torch.remainder(i * 7919.0 + seed * 104729.0, 2001.0) / 1000.0 - 1.0) * scale
    return values.reshape(shape).to(torch.float32)


def fill_state_dict(module):
    """Fills every float parameter and buffer, the k-th in state_dict order with seed k."""
    with torch.no_grad():
        for k, (name, tensor) in enumerate(module.state_dict().items()):
            if tensor.is_floating_point():
                values = fill(list(tensor.shape), k)
                if name.endswith("running_var"):
                    values = values.abs() + 0.5
                tensor.copy_(values)


def state_summary(module):
    """Names, shapes and dtypes of the state_dict, with statistics of each float tensor."""
    state = []
    for key, t in module.state_dict().items():
        entry = {"name": key, "shape": list(t.shape), "dtype": str(t.dtype).removeprefix("torch.")}
        if t.is_floating_point():
            entry.update(min=t.min().item(), max=t.max().item(), std=t.std().item() if t.numel() > 1 else 0.0)
        state.append(entry)
    return state


def reference_entry(build, shape, extra_outputs=None):
    """A model's entry in a reference fixture: its input shape, the summary of its own
    initialisation (seed 0), and its eval-mode output for the deterministic weights
    (fill_state_dict) and input (fill(shape, 1000)). Outputs after the first, of a model that
    returns a tuple or from `extra_outputs(model, input)`, go to "more_outputs"."""
    torch.manual_seed(0)
    model = build()
    state = state_summary(model)
    fill_state_dict(model)
    model.eval()
    with torch.no_grad():
        x = fill(shape, 1000)
        y = model(x)
        outputs = list(y) if isinstance(y, tuple) else [y]
        if extra_outputs is not None:
            outputs += extra_outputs(model, x)
    entry = {"input": shape, "state_dict": state, "output": outputs[0].tolist()}
    if len(outputs) > 1:
        entry["more_outputs"] = [o.tolist() for o in outputs[1:]]
    return entry
