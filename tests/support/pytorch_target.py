"""Imports the PyTorch modules that `cnnc build --target pytorch` wrote and reports, for each
requested model class, its state_dict (names, shapes, dtypes) as constructed, and, where an input
is given, its eval-mode output for the deterministic weights and input of
scripts/reference/deterministic.py.

Reads a JSON list of {"file", "model", "input", "indices"} from standard input; writes a JSON
list of {"state_dict", "output", "more_outputs"} to standard output.
"""
import importlib.util
import json
import pathlib
import sys

import torch

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2] / "scripts" / "reference"))
from deterministic import fill, fill_state_dict  # noqa: E402


def indices(shape):
    """As `indices` in tests/support/mod.rs."""
    numel = 1
    for n in shape:
        numel *= n
    return (torch.arange(numel) * 7 % 20).reshape(shape)


def main():
    modules = {}
    results = []
    for request in json.load(sys.stdin):
        path = request["file"]
        if path not in modules:
            spec = importlib.util.spec_from_file_location(pathlib.Path(path).stem, path)
            module = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(module)
            modules[path] = module
        torch.manual_seed(0)
        # A model named after a Python keyword is generated with `_` appended.
        name = request["model"]
        build = getattr(modules[path], name, None) or getattr(modules[path], name + "_")
        if request["input"] is None:
            # Only the state_dict is compared: built on the meta device, without memory, so that
            # the largest networks (RegNetY-128GF's 645M parameters) cost nothing.
            with torch.device("meta"):
                model = build()
        else:
            model = build()
        state = [[k, list(t.shape), str(t.dtype).removeprefix("torch.")] for k, t in model.state_dict().items()]
        entry = {"state_dict": state}
        if request["input"] is not None:
            fill_state_dict(model)
            model.eval()
            shape = request["input"]
            x = indices(shape) if request["indices"] else fill(shape, 1000)
            with torch.no_grad():
                y = model(x)
            outputs = list(y) if isinstance(y, tuple) else [y]
            entry["output"] = outputs[0].tolist()
            entry["more_outputs"] = [o.tolist() for o in outputs[1:]]
        results.append(entry)
    json.dump(results, sys.stdout)


if __name__ == "__main__":
    main()
