"""Trains examples/train/digits.cnn on scikit-learn's digits with PyTorch's DistributedDataParallel:
two processes on the gloo backend, each with its half of every batch.

The model is the PyTorch module that `cnnc build --target pytorch` wrote to data/digits.py.
The data (1,797 images of 8×8 pixels, in the scikit-learn package) is split 80/20, stratified,
with a fixed seed; both splits are saved to data/ as safetensors for the Rust examples. After
training, rank 0 saves the weights to data/digits.safetensors and the test accuracy to
data/pytorch_accuracy.json. Run through examples/train/run.sh.
"""
import json
import os
import pathlib
import sys

import torch
import torch.distributed as dist
import torch.multiprocessing as mp
import torch.nn.functional as F
from safetensors.torch import load_file, save_file
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from torch.nn.parallel import DistributedDataParallel
from torch.utils.data import DataLoader, DistributedSampler, TensorDataset

DATA = pathlib.Path(__file__).resolve().parent / "data"
WORLD = 2
EPOCHS = 15
BATCH = 32  # per process


def save_splits():
    digits = load_digits()
    images = digits.images.reshape(-1, 1, 8, 8) / 16.0
    x_train, x_test, y_train, y_test = train_test_split(
        images, digits.target, test_size=0.2, random_state=0, stratify=digits.target)
    for name, x, y in [("train", x_train, y_train), ("test", x_test, y_test)]:
        save_file({"images": torch.tensor(x, dtype=torch.float32),
                   "labels": torch.tensor(y, dtype=torch.int64)}, DATA / f"digits_{name}.safetensors")
    print(f"digits: {len(y_train)} training and {len(y_test)} test images")


def worker(rank):
    os.environ.setdefault("MASTER_ADDR", "127.0.0.1")
    os.environ.setdefault("MASTER_PORT", "29517")
    dist.init_process_group("gloo", rank=rank, world_size=WORLD)
    torch.manual_seed(0)
    sys.path.insert(0, str(DATA))
    from digits import Digits

    model = DistributedDataParallel(Digits())
    train = load_file(DATA / "digits_train.safetensors")
    dataset = TensorDataset(train["images"], train["labels"])
    sampler = DistributedSampler(dataset, num_replicas=WORLD, rank=rank, shuffle=True, seed=0)
    loader = DataLoader(dataset, batch_size=BATCH, sampler=sampler)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    for epoch in range(EPOCHS):
        sampler.set_epoch(epoch)
        model.train()
        totals = torch.zeros(2, dtype=torch.float64)
        for images, labels in loader:
            optimizer.zero_grad()
            loss = F.cross_entropy(model(images), labels)
            loss.backward()
            optimizer.step()
            totals += torch.tensor([loss.item() * len(labels), len(labels)], dtype=torch.float64)
        dist.all_reduce(totals)
        if rank == 0:
            print(f"epoch {epoch + 1:2}/{EPOCHS}: loss {totals[0] / totals[1]:.4f}", flush=True)
    if rank == 0:
        net = model.module.eval()
        test = load_file(DATA / "digits_test.safetensors")
        with torch.no_grad():
            predicted = net(test["images"]).argmax(1)
        correct = int((predicted == test["labels"]).sum())
        total = len(test["labels"])
        print(f"PyTorch test accuracy: {100 * correct / total:.2f}% ({correct}/{total})")
        save_file(net.state_dict(), DATA / "digits.safetensors")
        (DATA / "pytorch_accuracy.json").write_text(json.dumps({"correct": correct, "total": total}))
    dist.destroy_process_group()


if __name__ == "__main__":
    DATA.mkdir(exist_ok=True)
    save_splits()
    mp.spawn(worker, nprocs=WORLD)
